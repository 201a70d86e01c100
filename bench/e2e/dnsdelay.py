#!/usr/bin/env python3
"""dnsdelay.py - a DNS forwarder over UDP that holds every query back
DELAY_MS before passing it on: a distant nameserver on loopback.

Usage: dnsdelay.py LISTEN_ADDR UPSTREAM_ADDR DELAY_MS

Listens on LISTEN_ADDR port 53 and forwards to UPSTREAM_ADDR port 53
(both loopback addresses of the benchmark's own network namespace).
Queries are never held behind one another: each has its own timer, so
a thousand queries in flight all come back after DELAY_MS.  The message
ID is rewritten on the way up and restored on the way back, so that
queries of different clients with the same ID never meet.  Nothing is
cached.  Stops on SIGTERM; prints the count of queries it forwarded.
"""
import asyncio
import signal
import socket
import sys


class Forwarder:
    def __init__(self, loop, listen, upstream, delay):
        self.loop = loop
        self.delay = delay
        self.upstream = (upstream, 53)
        self.pending = {}
        self.next_id = 0
        self.count = 0
        self.down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.down.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.down.bind((listen, 53))
        self.down.setblocking(False)
        self.up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.up.connect(self.upstream)
        self.up.setblocking(False)
        loop.add_reader(self.down, self.on_query)
        loop.add_reader(self.up, self.on_answer)

    def on_query(self):
        while True:
            try:
                msg, peer = self.down.recvfrom(65535)
            except BlockingIOError:
                return
            if len(msg) < 12:
                continue
            self.count += 1
            qid = self.next_id
            self.next_id = (self.next_id + 1) & 0xffff
            self.pending[qid] = (peer, msg[:2])
            fwd = qid.to_bytes(2, "big") + msg[2:]
            if self.delay > 0:
                self.loop.call_later(self.delay, self.send_up, fwd)
            else:
                self.send_up(fwd)

    def send_up(self, msg):
        try:
            self.up.send(msg)
        except OSError:
            pass

    def on_answer(self):
        while True:
            try:
                msg = self.up.recv(65535)
            except BlockingIOError:
                return
            except OSError:
                continue
            if len(msg) < 12:
                continue
            p = self.pending.pop(int.from_bytes(msg[:2], "big"), None)
            if p is None:
                continue
            try:
                self.down.sendto(p[1] + msg[2:], p[0])
            except OSError:
                pass


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: dnsdelay.py LISTEN_ADDR UPSTREAM_ADDR DELAY_MS")
    loop = asyncio.new_event_loop()
    fwd = Forwarder(loop, sys.argv[1], sys.argv[2],
                    float(sys.argv[3]) / 1000.0)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    print("dnsdelay: listening on %s:53, upstream %s:53, delay %s ms"
          % (sys.argv[1], sys.argv[2], sys.argv[3]), flush=True)
    loop.run_forever()
    print("dnsdelay: %d queries forwarded" % fwd.count, flush=True)


if __name__ == "__main__":
    main()
