#!/usr/bin/env python3
"""probe.py - RCPT latency under load: one extra SMTP session beside the
load, timing each RCPT from the moment it is sent to the moment its
reply has arrived.

Usage:
  probe.py run HOST PORT GOOD BOGUS MODE INTERVAL_MS OUT [START]
  probe.py dns SERVER INTERVAL_MS OUT
  probe.py stats OUT...

run: connects to HOST:PORT (EHLO probe.bench), then sends RCPT after
RCPT, good and bogus domains in turn, one at a time, waiting
INTERVAL_MS after each reply, so that it adds little load of its own (a
few per cent of the load's rate) and its samples are not taken
back-to-back.  GOOD and BOGUS are files of domains; MODE "warm" goes
round them again and again, MODE "cold" takes each domain once and stops
when they run out.  Both begin at line START (default 0) of the files.  Every 50 recipients it says RSET and MAIL again,
every 500 it connects anew.  It never sends DATA.  Once connected it makes the file OUT.ready.  On
SIGTERM it writes
OUT, one line per RCPT: microseconds, the reply code, and the domain
kind (g or b).

dns: the DNS round trip under load, as a client in the namespace sees
it: an MX query for a new name (NXDOMAIN) to SERVER port 53 every
INTERVAL_MS, one at a time, timed from send to answer; OUT as above
(code 0).

stats: prints "n p50_ms p99_ms rejects tempfails" over the files.
"""
import signal
import socket
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


class Smtp:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), 30)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.reply()
        self.cmd("EHLO probe.bench")
        self.cmd("MAIL FROM:<probe@probe.bench>")

    def reply(self):
        """The code of the next complete (possibly multi-line) reply."""
        while True:
            while b"\r\n" not in self.buf:
                data = self.s.recv(65536)
                if not data:
                    raise OSError("connection closed")
                self.buf += data
            line, self.buf = self.buf.split(b"\r\n", 1)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3])

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.s.sendall(b"QUIT\r\n")
            self.s.close()
        except OSError:
            pass


def run(host, port, good, bogus, mode, interval_ms, out, start=0):
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    lists = []
    for path in (good, bogus):
        with open(path) as f:
            lists.append([d.strip() for d in f if d.strip()])
    samples = []
    conn = None
    n = 0
    pos = [start, start]
    while not stop:
        k = n % 2
        if pos[k] >= len(lists[k]):
            if mode == "cold":
                break
            pos[k] = 0
        dom = lists[k][pos[k]]
        pos[k] += 1
        try:
            if conn is None:
                conn = Smtp(host, port)
                if n == 0:
                    open(out + ".ready", "w").close()
            elif n % 500 == 0:
                conn.close()
                conn = Smtp(host, port)
            elif n % 50 == 0:
                conn.cmd("RSET")
                conn.cmd("MAIL FROM:<probe@probe.bench>")
            t0 = time.perf_counter_ns()
            code = conn.cmd("RCPT TO:<p%d@%s>" % (n, dom))
            t1 = time.perf_counter_ns()
        except OSError as e:
            print("probe: %s" % e, file=sys.stderr)
            conn = None
            time.sleep(0.1)
            continue
        samples.append("%d %d %s" % ((t1 - t0) // 1000, code, "gb"[k]))
        n += 1
        if interval_ms > 0:
            time.sleep(interval_ms / 1000.0)
    if conn is not None:
        conn.close()
    with open(out, "w") as f:
        f.write("\n".join(samples) + ("\n" if samples else ""))


def dns(server, interval_ms, out):
    import os
    import struct
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    s.settimeout(2)
    samples = []
    n = 0
    open(out + ".ready", "w").close()
    while not stop:
        n += 1
        qid = n & 0xffff
        name = ("rtt%d-%d" % (n, os.getpid()), "net")
        q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        q += b"".join(bytes([len(l)]) + l.encode() for l in name)
        q += b"\0" + struct.pack(">HH", 15, 1)
        t0 = time.perf_counter_ns()
        try:
            s.send(q)
            while True:
                a = s.recv(4096)
                if len(a) >= 2 and int.from_bytes(a[:2], "big") == qid:
                    break
        except OSError:
            continue
        samples.append("%d 0 d" % ((time.perf_counter_ns() - t0) // 1000))
        time.sleep(interval_ms / 1000.0)
    with open(out, "w") as f:
        f.write("\n".join(samples) + ("\n" if samples else ""))


def percentile(v, p):
    """Nearest-rank percentile of a sorted list."""
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def stats(paths):
    lat = []
    rej = tmp = 0
    for path in paths:
        with open(path) as f:
            for line in f:
                us, code, _ = line.split()
                lat.append(int(us) / 1000.0)
                rej += code.startswith("5")
                tmp += code.startswith("4")
    lat.sort()
    print("%d %.3f %.3f %d %d" % (len(lat), percentile(lat, 50),
                                  percentile(lat, 99), rej, tmp))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "stats":
        stats(sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "dns":
        dns(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) in (9, 10) and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
            sys.argv[6], float(sys.argv[7]), sys.argv[8],
            int(sys.argv[9]) if len(sys.argv) == 10 else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
