#!/usr/bin/env python3
"""zones.py - the DNS data of bench/e2e: zone files for nsd and the
recipient domain lists of the load, from nothing but their sizes.

Usage: zones.py OUTDIR WARM_GOOD WARM_BOGUS COLD PROBE_COLD

Writes into OUTDIR:
  zones/<tld>.zone   one zone per top-level domain (com, de, es, net,
                     ong): nsd is authoritative for the whole TLD, so no
                     delegation is ever followed and every name is
                     answered by the one server;
  nsd-zones.conf     the zone: clauses for nsd.conf;
  warm.good, warm.bogus   the domain pools the warm scenarios repeat;
  cold.good, cold.bogus   COLD domains each, every one asked once;
  probe.good, probe.bogus PROBE_COLD domains each, for the latency probe
                     of the cold scenario (never used by the load).

Domains:
  good   two MX hosts (preference 10 and 20), each with one public A and
         one public AAAA record: what a real provider looks like;
  bogus  one MX host whose only address is loopback, private or reserved
         (the classes of the seed's cidr table, in turn); the seed's own
         domains (hot.de, iphone.com, beer.com, live.ong, ...) come
         first in warm.bogus, with the addresses the seed shows; all but
         mhx.com, whose 0.0.0.0 bogusmx defers by default.

Every answer has TTL 3600 (the SOA minimum, for negative answers, too).
"""
import os
import sys

TLDS = ("com", "de", "net", "es")

# The domains of the backscatter blog post (test/diff/blog.cidr): MX host and
# address as dig showed them there, or 127.0.0.1 where the post shows
# only "relay=none" (loops back to myself).
SEED = (
    ("hot.de", "null.hot.de", "127.0.0.1"),
    ("iphone.com", "mail.iphone.com", "127.0.0.6"),
    ("hotmaol.de", "mail.hotmaol.de", "127.0.0.1"),
    ("beer.com", "mailnull.aftermarket.com", "127.0.0.1"),
    ("mhx.com", "mail.mhx.com", "0.0.0.0"),
    ("live.ong", "your-dns-needs-immediate-attention.ong", "127.0.53.53"),
    ("hahoo.es", "mail.hahoo.es", "127.0.0.1"),
    ("man.net", "mail.man.net", "127.0.0.1"),
    ("adulto.com", "mail.adulto.com", "127.0.0.1"),
    ("gamiel.com", "mail.gamiel.com", "127.0.0.1"),
    ("hotmeil.es", "mail.hotmeil.es", "127.0.0.1"),
    ("ghn.com", "mail.ghn.com", "127.0.0.1"),
    ("webv.de", "mail.webv.de", "127.0.0.1"),
    ("gaile.com", "mail.gaile.com", "127.0.0.1"),
    ("version.net", "mail.version.net", "127.0.0.1"),
)

# One address of each class of the seed's table, all refused by it and
# by bogusmx's built-in registry.  Not 0.0.0.0 itself: an A answer of
# only 0.0.0.0 is what a blocking resolver gives, and bogusmx defers it
# by default (resolver-guard { unspecified-address }), where the seed's
# table refuses; 0.1.2.3 is of the same block, refused by both.
BOGUS_ADDRS = (
    "127.0.0.1", "10.20.30.40", "192.168.1.25", "172.16.5.25", "0.1.2.3",
    "169.254.1.25", "192.0.2.25", "198.51.100.25", "203.0.113.25",
    "224.0.0.25", "240.0.0.25", "127.0.0.6",
)


class Zones:
    def __init__(self):
        self.rr = {t: [] for t in TLDS + ("ong",)}

    def add(self, name, rtype, data):
        tld = name.rsplit(".", 1)[1]
        self.rr[tld].append("%s. %s %s" % (name, rtype, data))

    def good(self, dom, n):
        for pref, h in ((10, "mx1"), (20, "mx2")):
            host = "%s.%s" % (h, dom)
            k = 2 * n + (pref // 20)
            self.add(dom, "MX", "%d %s." % (pref, host))
            self.add(host, "A", "5.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255,
                                                 k & 255 or 1))
            self.add(host, "AAAA", "2a01:4f8:%x:%x::25" % (k >> 16, k & 0xffff))

    def bogus(self, dom, n):
        host = "mx." + dom
        self.add(dom, "MX", "10 %s." % host)
        self.add(host, "A", BOGUS_ADDRS[n % len(BOGUS_ADDRS)])

    def write(self, out):
        os.makedirs(os.path.join(out, "zones"), exist_ok=True)
        conf = []
        for tld, rrs in self.rr.items():
            path = os.path.join(out, "zones", tld + ".zone")
            with open(path, "w") as f:
                f.write("$ORIGIN %s.\n$TTL 3600\n" % tld)
                f.write("@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 3600\n"
                        % (tld, tld))
                f.write("@ NS ns.%s.\nns A 127.0.0.1\n" % tld)
                f.write("\n".join(rrs))
                f.write("\n")
            conf.append('zone:\n\tname: "%s"\n\tzonefile: "%s"\n'
                        % (tld, path))
        with open(os.path.join(out, "nsd-zones.conf"), "w") as f:
            f.write("".join(conf))


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: zones.py OUTDIR WARM_GOOD WARM_BOGUS COLD PROBE_COLD")
    out = sys.argv[1]
    wg, wb, cold, probe = (int(a) for a in sys.argv[2:])
    z = Zones()
    lists = {}
    n = 0

    def make(prefix, kind, count, first=()):
        nonlocal n
        doms = list(first)
        for i in range(count - len(doms)):
            dom = "%s%d.%s" % (prefix, i, TLDS[i % len(TLDS)])
            (z.good if kind == "good" else z.bogus)(dom, n)
            n += 1
            doms.append(dom)
        return doms

    for dom, host, addr in SEED:
        z.add(dom, "MX", "10 %s." % host)
        z.add(host, "A", addr)
    lists["warm.good"] = make("wg", "good", wg)
    # mhx.com (0.0.0.0 alone) stays in the zone but out of the load: it
    # is deferred by default, not refused (see BOGUS_ADDRS)
    lists["warm.bogus"] = make("wb", "bogus", wb,
                               [d for d, _, a in SEED if a != "0.0.0.0"][:wb])
    lists["cold.good"] = make("cg", "good", cold)
    lists["cold.bogus"] = make("cb", "bogus", cold)
    lists["probe.good"] = make("pg", "good", probe)
    lists["probe.bogus"] = make("pb", "bogus", probe)
    z.write(out)
    for name, doms in lists.items():
        with open(os.path.join(out, name), "w") as f:
            f.write("\n".join(doms) + "\n")


if __name__ == "__main__":
    main()
