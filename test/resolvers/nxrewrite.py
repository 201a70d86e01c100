#!/usr/bin/env python3
"""nxrewrite.py - a resolver that rewrites NXDOMAIN, as some ISPs' do.

Usage: nxrewrite.py PORT UPSTREAM_PORT ADDRESS

Listens on 127.0.0.1:PORT (UDP) and passes every query to a real
resolver on 127.0.0.1:UPSTREAM_PORT.  An NXDOMAIN answer is rewritten
before it goes back: to NOERROR with "A ADDRESS" for a query of type A
(the ad page such resolvers send people to), to NOERROR without records
and without SOA for any other type.  Everything else passes unchanged.
Prints "Listening on port PORT" once ready.  Python 3 standard library
only; loopback only.
"""

import socket
import struct
import sys
import threading


def question_end(msg):
    pos = 12
    while msg[pos] != 0:
        pos += 1 + msg[pos]
    return pos + 5


def rewrite(reply, address):
    flags = struct.unpack("!H", reply[2:4])[0]
    if flags & 0x000F != 3:
        return reply
    end = question_end(reply)
    qtype = struct.unpack("!H", reply[end - 4:end - 2])[0]
    flags &= ~0x000F
    head = reply[:2] + struct.pack("!H", flags) + reply[4:6]
    if qtype == 1:
        rr = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
              socket.inet_aton(address))
        return head + struct.pack("!HHH", 1, 0, 0) + reply[12:end] + rr
    return head + struct.pack("!HHH", 0, 0, 0) + reply[12:end]


def serve(sock, data, client, upstream, address):
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    try:
        up.sendto(data, ("127.0.0.1", upstream))
        reply, _ = up.recvfrom(65535)
        sock.sendto(rewrite(reply, address), client)
    except OSError:
        pass
    finally:
        up.close()


def main():
    port, upstream, address = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print("Listening on port %d" % port, flush=True)
    while True:
        data, client = sock.recvfrom(65535)
        threading.Thread(target=serve, daemon=True,
                         args=(sock, data, client, upstream,
                               address)).start()


if __name__ == "__main__":
    main()
