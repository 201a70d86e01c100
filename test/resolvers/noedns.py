#!/usr/bin/env python3
"""noedns.py - a DNS server that does not know EDNS.

Usage: noedns.py RCODE

Listens on 127.0.0.1 (UDP, a port the kernel picks), prints "Listening
on port N", and answers every query that carries an OPT record (EDNS)
with RCODE (FORMERR or NOTIMP) and nothing else, as old servers and
middleboxes do; a query without one gets, for type MX, "MX 10
mx.QNAME", for type A, "A 8.8.8.8", and for any other type an empty
answer with an SOA.  Each query is logged on stdout as
"query QNAME TYPE edns" or "query QNAME TYPE plain".  Python 3 standard
library only.
"""

import socket
import struct
import sys

RCODES = {"FORMERR": 1, "NOTIMP": 4}


def name_at(msg, pos):
    labels = []
    while msg[pos] != 0:
        labels.append(msg[pos + 1:pos + 1 + msg[pos]].decode())
        pos += 1 + msg[pos]
    return ".".join(labels), pos + 1


def encode(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def reply(query, rcode):
    qid, flags, qd, an, ns, ar = struct.unpack("!6H", query[:12])
    qname, pos = name_at(query, 12)
    qtype = struct.unpack("!H", query[pos:pos + 2])[0]
    question = query[12:pos + 4]
    edns = ar > 0
    print("query %s %d %s" % (qname, qtype, "edns" if edns else "plain"),
          flush=True)
    head = lambda code, an, ns: struct.pack(
        "!6H", qid, 0x8180 | code, 1, an, ns, 0)
    if edns:
        return head(rcode, 0, 0) + question
    if qtype == 15:
        rdata = struct.pack("!H", 10) + encode("mx." + qname)
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 15, 1, 300, len(rdata))
        return head(0, 1, 0) + question + rr + rdata
    if qtype == 1:
        rr = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) +
              socket.inet_aton("8.8.8.8"))
        return head(0, 1, 0) + question + rr
    soa = encode("ns") + encode("h") + struct.pack("!5I", 1, 3600, 600,
                                                   86400, 300)
    rr = b"\0" + struct.pack("!HHIH", 6, 1, 300, len(soa)) + soa
    return head(0, 0, 1) + question + rr


def main():
    rcode = RCODES[sys.argv[1]]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print("Listening on port %d" % sock.getsockname()[1], flush=True)
    while True:
        data, client = sock.recvfrom(65535)
        try:
            sock.sendto(reply(data, rcode), client)
        except (IndexError, struct.error, UnicodeDecodeError):
            pass


if __name__ == "__main__":
    main()
