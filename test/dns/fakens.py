#!/usr/bin/env python3
"""fakens.py - a loopback DNS server that sends what good servers never do.

Usage: fakens.py [--port N] [--no-tcp] SCENARIO.fakens

ldns-testns answers every query with one well-formed packet (or nothing).
Some resolver checks need more: garbage bytes, an answer with the wrong
ID sent just before the right one, an answer from another port, a TCP
connection closed before the answer.  This server sends those.

It binds UDP and TCP on 127.0.0.1 only, on one port the kernel picks
(or --port N: that one, to come back where a killed server was),
prints "Listening on port N" on stdout and serves until it is killed.
--no-tcp listens on UDP only: a TCP connection is refused.
Python 3 standard library only.

Signals: SIGHUP reads the scenario file again (the end-to-end tests
switch a live server from one fault to the next this way); SIGUSR1
prints "stats: queries=N inflight=N max_inflight=N" on stdout, a query
being in flight from its arrival until just before its last packet is
sent (so that a client never has fewer queries outstanding than this
server counts).

Scenario file: one packet per line, '#' comments, blank lines ignored.

    QNAME QTYPE [udp|tcp] [once] ACTION [RECORD...]

QNAME is a name (trailing dot optional, any case), '*' (any name) or
'*.SUFFIX' (any name under SUFFIX, not SUFFIX itself); QTYPE is A,
AAAA, MX, CNAME or '*'; udp or tcp limits the line to one transport.
Lines with the same QNAME, QTYPE and transport form one entry; a query
gets the packets of the first entry that matches it, in the order
written.  A query that no entry matches gets no reply at all.  Lines
marked "once" form an entry of their own that answers only the first
query of each name it matches (until SIGHUP): later queries of that
name go on to the next entry ("r.test MX once answer MX 10 mx.r.test"
then "r.test MX servfail": a refresh that fails).

A RECORD is "A ADDRESS", "AAAA ADDRESS", "MX PREFERENCE HOST" or
"CNAME TARGET"; its owner is always the question name, and "{q}" in
an MX HOST or CNAME TARGET stands for it ("*.hot.test MX answer MX 10
mx.{q}" gives every name under hot.test a host of its own).  Actions:

    answer RECORD...      NOERROR with these records (none: NODATA)
    nxdomain              rcode NXDOMAIN
    nxdomain-soa          rcode NXDOMAIN with the root's SOA in the
                          authority section, as real negative answers
                          have (only those are cached, RFC 2308)
    nodata-soa            NOERROR, no records, the root's SOA
    servfail              rcode SERVFAIL
    refused               rcode REFUSED
    tc                    NOERROR, TC bit set, no records
    wrong-id RECORD...    an answer whose ID is not the query's
    wrong-name RECORD...  right ID, but the question is another name
    wrong-type RECORD...  right ID, but the question is another type
    no-qr RECORD...       right ID and question, QR bit clear
    cut                   right ID and question, ANCOUNT 1, the record
                          cut off half way (a malformed packet)
    junk                  32 bytes that are not a DNS message at all
    other-port RECORD...  a right answer, sent from another UDP port
                          (over TCP: sent as usual)
    sleep MILLISECONDS    wait before the next packet of the entry
    close                 TCP: close the connection (UDP: nothing)

Every query is handled in its own thread, so a "sleep" never holds up
the answers to other queries.
"""

import ipaddress
import signal
import socket
import struct
import sys
import threading
import time

TYPES = {"A": 1, "CNAME": 5, "MX": 15, "AAAA": 28}
RCODES = {"nxdomain": 3, "servfail": 2, "refused": 5}
RECORD_ACTIONS = {"answer", "wrong-id", "wrong-name", "wrong-type", "no-qr",
                  "other-port"}
PLAIN_ACTIONS = {"nxdomain", "servfail", "refused", "tc", "cut", "junk",
                 "close", "nxdomain-soa", "nodata-soa"}
# ". 300 IN SOA ns. host. 1 3600 600 86400 300"
ROOT_SOA = (b"\0" + struct.pack("!HHIH", 6, 1, 300, 30) + b"\2ns\0\4host\0" +
            struct.pack("!IIIII", 1, 3600, 600, 86400, 300))


def encode_name(name):
    """Wire form of a name, no compression."""
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            raw = label.encode("ascii")
            out += bytes([len(raw)]) + raw
    return out + b"\0"


def parse_records(words, where):
    """[("A", "8.8.8.8"), ("MX", (10, "mx.example"))...] from words."""
    records, i = [], 0
    while i < len(words):
        rtype = words[i].upper()
        if rtype in ("A", "AAAA", "CNAME") and i + 1 < len(words):
            records.append((rtype, words[i + 1]))
            i += 2
        elif rtype == "MX" and i + 2 < len(words):
            records.append((rtype, (int(words[i + 1]), words[i + 2])))
            i += 3
        else:
            sys.exit("%s: bad record at %r" % (where, " ".join(words[i:])))
    return records


def load(path):
    """The entries of a scenario file: [((qname, qtype, transport, once),
    [(action, argument)...])...] in file order."""
    entries, index = [], {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = "%s:%d" % (path, lineno)
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) < 3:
                sys.exit("%s: expected QNAME QTYPE [udp|tcp] [once] ACTION"
                         % where)
            qname = words[0].lower().rstrip(".") or "."
            qtype = words[1].upper()
            if qtype != "*" and qtype not in TYPES:
                sys.exit("%s: unknown type %s" % (where, qtype))
            rest = words[2:]
            transport = "any"
            if rest[0] in ("udp", "tcp"):
                transport, rest = rest[0], rest[1:]
            once = bool(rest) and rest[0] == "once"
            if once:
                rest = rest[1:]
            if not rest:
                sys.exit("%s: no action" % where)
            action, args = rest[0], rest[1:]
            if action in RECORD_ACTIONS:
                arg = parse_records(args, where)
            elif action == "sleep" and len(args) == 1:
                arg = int(args[0]) / 1000.0
            elif action in PLAIN_ACTIONS and not args:
                arg = None
            else:
                sys.exit("%s: bad action %s" % (where, " ".join(rest)))
            key = (qname, qtype, transport, once)
            if key not in index:
                index[key] = []
                entries.append((key, index[key]))
            index[key].append((action, arg))
    return entries


class Query:
    """What we need of a query: its ID, flags, question bytes and name."""

    def __init__(self, wire):
        if len(wire) < 12:
            raise ValueError("short")
        self.id, self.flags, qdcount = struct.unpack("!HHH", wire[:6])
        if qdcount != 1:
            raise ValueError("qdcount")
        pos, labels = 12, []
        while wire[pos] != 0:
            n = wire[pos]
            labels.append(wire[pos + 1:pos + 1 + n].decode("ascii", "replace"))
            pos += 1 + n
        pos += 1
        self.qtype, self.qclass = struct.unpack("!HH", wire[pos:pos + 4])
        self.qname = ".".join(labels).lower() or "."
        self.question = wire[12:pos + 4]


def rr_bytes(owner, rtype, value):
    if rtype == "A":
        rdata = ipaddress.IPv4Address(value).packed
    elif rtype == "AAAA":
        rdata = ipaddress.IPv6Address(value).packed
    elif rtype == "MX":
        rdata = struct.pack("!H", value[0]) + encode_name(
            value[1].replace("{q}", owner))
    else:
        rdata = encode_name(value.replace("{q}", owner))
    return (encode_name(owner) + struct.pack("!HHIH", TYPES[rtype], 1, 300,
                                             len(rdata)) + rdata)


def message(q, records=(), rcode=0, qid=None, question=None, qr=True,
            tc=False, soa=False):
    """A reply to q; the keyword arguments make it wrong on purpose (but
    soa: the root's SOA in the authority section)."""
    flags = 0x0080 | (q.flags & 0x0100) | rcode  # RA, RD copied
    if qr:
        flags |= 0x8000
    if tc:
        flags |= 0x0200
    body = b"".join(rr_bytes(q.qname, t, v) for t, v in records)
    if soa:
        body += ROOT_SOA
    header = struct.pack("!HHHHHH", q.id if qid is None else qid, flags, 1,
                         len(records), 1 if soa else 0, 0)
    return header + (q.question if question is None else question) + body


def packet(q, action, arg):
    """The bytes an action sends, or None."""
    if action == "answer" or action == "other-port":
        return message(q, arg)
    if action in RCODES:
        return message(q, rcode=RCODES[action])
    if action == "nxdomain-soa":
        return message(q, rcode=RCODES["nxdomain"], soa=True)
    if action == "nodata-soa":
        return message(q, soa=True)
    if action == "tc":
        return message(q, tc=True)
    if action == "wrong-id":
        return message(q, arg, qid=q.id ^ 0x5a5a)
    if action == "wrong-name":
        other = encode_name("spoof." + q.qname) + q.question[-4:]
        return message(q, arg, question=other)
    if action == "wrong-type":
        other_type = TYPES["AAAA"] if q.qtype == TYPES["A"] else TYPES["A"]
        other = q.question[:-4] + struct.pack("!HH", other_type, 1)
        return message(q, arg, question=other)
    if action == "no-qr":
        return message(q, arg, qr=False)
    if action == "cut":
        whole = message(q, [("A", "192.0.2.1")])
        return whole[:len(whole) - 7]
    if action == "junk":
        return bytes((i * 37 + 11) & 0xff for i in range(32))
    return None


def find(server, q, transport):
    for key, actions in server.entries:
        qname, qtype, tr, once = key
        if qname.startswith("*."):
            if not q.qname.endswith(qname[1:]):
                continue
        elif qname not in ("*", q.qname):
            continue
        if qtype != "*" and TYPES[qtype] != q.qtype:
            continue
        if tr not in ("any", transport):
            continue
        if once and not server.first(key, q.qname):
            continue
        return actions
    return []


class Server:
    """The scenario in force (SIGHUP reloads it) and the counters."""

    def __init__(self, path):
        self.path = path
        self.entries = load(path)
        self.lock = threading.Lock()
        self.queries = self.inflight = self.max_inflight = 0
        self.seen = set()  # (once entry, name) already answered

    def first(self, key, qname):
        """Is this the first query of qname for a "once" entry?"""
        with self.lock:
            if (key, qname) in self.seen:
                return False
            self.seen.add((key, qname))
            return True

    def begin(self):
        with self.lock:
            self.queries += 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)

    def end(self):
        with self.lock:
            self.inflight -= 1

    def reload(self, *_):
        try:
            self.entries = load(self.path)
            with self.lock:
                self.seen = set()
        except SystemExit as e:
            print("reload failed, scenario kept: %s" % e, flush=True)

    def stats(self, *_):
        with self.lock:
            print("stats: queries=%d inflight=%d max_inflight=%d" %
                  (self.queries, self.inflight, self.max_inflight),
                  flush=True)


def serve_udp(server, sock, wire, client):
    server.begin()
    done = [False]

    def end():
        if not done[0]:
            done[0] = True
            server.end()
    try:
        answer_udp(server, sock, wire, client, end)
    finally:
        end()


def answer_udp(server, sock, wire, client, end):
    try:
        q = Query(wire)
    except (ValueError, IndexError, struct.error):
        return
    actions = find(server, q, "udp")
    for i, (action, arg) in enumerate(actions):
        if i == len(actions) - 1:
            end()
        if action == "sleep":
            time.sleep(arg)
            continue
        data = packet(q, action, arg)
        if data is None:
            continue
        if action == "other-port":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
                other.bind(("127.0.0.1", 0))
                other.sendto(data, client)
        else:
            sock.sendto(data, client)


def read_exactly(conn, n):
    data = b""
    while len(data) < n:
        more = conn.recv(n - len(data))
        if not more:
            return None
        data += more
    return data


def serve_tcp(server, conn):
    with conn:
        while True:
            head = read_exactly(conn, 2)
            if head is None:
                return
            wire = read_exactly(conn, struct.unpack("!H", head)[0])
            if wire is None:
                return
            try:
                q = Query(wire)
            except (ValueError, IndexError, struct.error):
                return
            server.begin()
            try:
                for action, arg in find(server, q, "tcp"):
                    if action == "sleep":
                        time.sleep(arg)
                        continue
                    if action == "close":
                        return
                    data = packet(q, action, arg)
                    if data is not None:
                        conn.sendall(struct.pack("!H", len(data)) + data)
            finally:
                server.end()


def bind_both(want_port=0, with_tcp=True):
    """A UDP and a TCP socket on the same free loopback port (want_port
    when not 0; no TCP socket when with_tcp is false)."""
    for _ in range(100):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", want_port))
        except OSError:
            break
        port = udp.getsockname()[1]
        if not with_tcp:
            return udp, None, port
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            udp.close()
            tcp.close()
            if want_port:
                break
            continue
        tcp.listen(16)
        return udp, tcp, port
    sys.exit("fakens: no free port")


def main():
    args, port, with_tcp = sys.argv[1:], 0, True
    while len(args) > 1 and args[0] in ("--port", "--no-tcp"):
        if args[0] == "--no-tcp":
            with_tcp, args = False, args[1:]
        elif args[1].isdigit():
            port, args = int(args[1]), args[2:]
        else:
            break
    if len(args) != 1 or args[0].startswith("--"):
        sys.exit("usage: fakens.py [--port N] [--no-tcp] SCENARIO.fakens")
    server = Server(args[0])
    udp, tcp, port = bind_both(port, with_tcp)
    signal.signal(signal.SIGHUP, server.reload)
    signal.signal(signal.SIGUSR1, server.stats)

    def spawn(target, *args):
        # A thread per query; when none can be had (a busy machine's
        # limits), the query is served in this thread, late but never
        # lost, and the server goes on
        try:
            threading.Thread(target=target, args=args, daemon=True).start()
        except RuntimeError as e:
            print("fakens: %s: serving inline" % e, file=sys.stderr,
                  flush=True)
            target(*args)

    def accept_loop():
        while True:
            try:
                conn, _ = tcp.accept()
            except OSError as e:
                print("fakens: accept: %s" % e, file=sys.stderr, flush=True)
                time.sleep(0.01)
                continue
            spawn(serve_tcp, server, conn)

    if tcp is not None:
        threading.Thread(target=accept_loop, daemon=True).start()
    print("Listening on port %d" % port, flush=True)
    while True:
        try:
            wire, client = udp.recvfrom(65535)
        except (InterruptedError, ConnectionRefusedError):
            continue
        spawn(serve_udp, server, udp, wire, client)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
