#!/usr/bin/env python3
"""data2zone.py - an ldns-testns scenario file as a root zone for nsd.

Usage: data2zone.py SCENARIO.data... > root.zone

The DNS scenario corpus (test/dns/*.data) is written as crafted answers
for ldns-testns.  To run the same cases through real recursive resolvers
they must be served by a real authoritative server: this turns them into
one zone, ".", served by nsd, which a resolver then recurses from.

- an entry matched by name (and type) with rcode NOERROR gives its answer
  records to the zone (the authority and additional sections, and the
  catch-all entries without a name, are left out: nsd makes its own);
- a name whose only entries are SERVFAIL, REFUSED or FORMERR becomes a
  lame delegation (NS to a loopback address nothing listens on), so a
  resolver fails on it as it would on a broken zone;
- NXDOMAIN entries give nothing: the name does not exist;
- a CNAME wins over other data at the same name (a zone cannot have
  both); TC answers over UDP are left out (the TCP entry has the data).

Then the zone's own SOA and NS, and the canary of the resolver guard:
canary.guard-test. A 10.53.0.1 (a name with a private address, which a
filtering resolver hides).  Python 3 standard library only.
"""

import sys

LAME_NS = "ns.lame-servers.guard-test."
LAME_ADDR = "127.255.255.254"


def entries(path):
    cur = None
    section = None
    for raw in open(path, encoding="utf-8"):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line == "ENTRY_BEGIN":
            cur = {"match": [], "reply": [], "q": None, "answer": []}
            section = None
        elif line == "ENTRY_END":
            if cur is not None:
                yield cur
            cur = None
        elif cur is None:
            continue
        elif line.startswith("MATCH"):
            cur["match"] = line.split()[1:]
        elif line.startswith("REPLY"):
            cur["reply"] = line.split()[1:]
        elif line.startswith("ADJUST"):
            pass
        elif line.startswith("SECTION"):
            section = line.split()[1]
        elif section == "QUESTION":
            f = line.split()
            cur["q"] = (f[0].lower(), f[-1].upper())
        elif section == "ANSWER":
            cur["answer"].append(line)


def main():
    data = {}    # owner -> {(type, rdata): ttl}
    failing = set()
    for path in sys.argv[1:]:
        for e in entries(path):
            if "qname" not in e["match"] or e["q"] is None:
                continue
            if "UDP" in e["match"] and "TC" in e["reply"]:
                continue
            rcode = e["reply"][-1] if e["reply"] else "NOERROR"
            if rcode in ("SERVFAIL", "REFUSED", "FORMERR"):
                failing.add(e["q"][0])
                continue
            if rcode != "NOERROR":
                continue
            for rr in e["answer"]:
                f = rr.split()
                if len(f) < 5 or f[2].upper() != "IN":
                    continue
                owner = f[0].lower()
                rtype = f[3].upper()
                rdata = " ".join(f[4:])
                data.setdefault(owner, {})[(rtype, rdata)] = f[1]
    out = ["$TTL 300",
           ". 300 IN SOA ns.guard-test. host.guard-test. 1 3600 600 86400 300",
           ". 300 IN NS ns.guard-test.",
           "ns.guard-test. 300 IN A 127.0.0.1",
           "canary.guard-test. 300 IN A 10.53.0.1",
           LAME_NS + " 300 IN A " + LAME_ADDR]
    for owner in sorted(data):
        rrs = data[owner]
        if any(t == "CNAME" for t, _ in rrs):
            rrs = {k: v for k, v in rrs.items() if k[0] == "CNAME"}
            rrs = dict(list(rrs.items())[:1])
        for (rtype, rdata), ttl in sorted(rrs.items()):
            out.append("%s %s IN %s %s" % (owner, ttl, rtype, rdata))
    for name in sorted(failing):
        below = any(o == name or o.endswith("." + name) for o in data)
        if not below and name != ".":
            out.append("%s 300 IN NS %s" % (name, LAME_NS))
    print("\n".join(out))


if __name__ == "__main__":
    main()
