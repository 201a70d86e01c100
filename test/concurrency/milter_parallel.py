#!/usr/bin/env python3
"""milter_parallel.py - many milter sessions at once while the
configuration is reloaded again and again: for the sanitizers (TSan
above all) to watch the milter's shared state (the state swap and its
references, the cache, the DNS counters) under real concurrency.

Usage: milter_parallel.py --port PORT --pid PID --conf FILE [--seconds S]

THREADS threads each open milter sessions (the milter protocol spoken
with test/milter/hostile.py's Session, 127.0.0.1 only) of 20
recipients: cached and new bogus names (554), cached and new public
names (continue), names that do not exist (550).  Meanwhile the main
thread rewrites FILE between two configurations whose bogus reply
texts differ ("conf-A", "conf-B") and sends SIGUSR1, and SIGUSR2 for
the counters, every 50 ms.  Every reply is checked: the right code for
the name, and the text of one of the two configurations.

Prints one line of figures; exits 0 when every reply was right.
"""

import argparse
import os
import random
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "milter"))
from hostile import Closed, Session  # noqa: E402

THREADS = 16
SMFIR_CONTINUE, SMFIR_REPLYCODE = b"c", b"y"

lock = threading.Lock()
counts = {"sessions": 0, "rcpts": 0, "wrong": 0, "errors": 0,
          "conf-A": 0, "conf-B": 0}
bad = []


def note(key, n=1):
    with lock:
        counts[key] += n


def wrong(what):
    with lock:
        counts["wrong"] += 1
        if len(bad) < 10:
            bad.append(what)


def rand():
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(10))


def recipients(n):
    kinds = []
    for _ in range(n):
        k = random.randrange(5)
        if k == 0:
            kinds.append(("a@hot.de", "554"))
        elif k == 1:
            kinds.append(("b@%s.hot.de" % rand(), "554"))
        elif k == 2:
            kinds.append(("c@good.de", "continue"))
        elif k == 3:
            kinds.append(("d@%d.good.de" % random.randrange(200), "continue"))
        else:
            kinds.append(("e@%s.nx.de" % rand(), "550"))
    return kinds


def worker(port, end):
    while time.monotonic() < end:
        try:
            s = Session(port, timeout=30).open()
            for addr, want in recipients(20):
                cmd, data = s.rcpt(("<%s>" % addr).encode())
                note("rcpts")
                if want == "continue":
                    if cmd != SMFIR_CONTINUE:
                        wrong("%s: want continue, got %r %r" %
                              (addr, cmd, data[:80]))
                    continue
                text = data.decode("ascii", "replace")
                if cmd != SMFIR_REPLYCODE or not text.startswith(want):
                    wrong("%s: want %s, got %r %r" % (addr, want, cmd,
                                                      text[:80]))
                elif want == "554":
                    if "conf-A" in text:
                        note("conf-A")
                    elif "conf-B" in text:
                        note("conf-B")
                    else:
                        wrong("%s: neither configuration's text: %r" %
                              (addr, text[:120]))
            s.quit()
            note("sessions")
        except (OSError, Closed, RuntimeError) as e:
            note("errors")
            with lock:
                if len(bad) < 10:
                    bad.append("session: %r" % e)
            time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    base = open(a.conf).read()
    end = time.monotonic() + a.seconds
    threads = [threading.Thread(target=worker, args=(a.port, end))
               for _ in range(THREADS)]
    for t in threads:
        t.start()
    reloads = 0
    while time.monotonic() < end:
        name = "conf-B" if reloads % 2 == 0 else "conf-A"
        tmp = a.conf + ".new"
        with open(tmp, "w") as f:
            f.write(base.replace("conf-A", name))
        os.rename(tmp, a.conf)
        os.kill(a.pid, signal.SIGUSR1)
        os.kill(a.pid, signal.SIGUSR2)
        reloads += 1
        time.sleep(0.05)
    for t in threads:
        t.join()
    print("threads=%d reloads=%d sessions=%d rcpts=%d wrong=%d errors=%d "
          "conf-A=%d conf-B=%d" %
          (THREADS, reloads, counts["sessions"], counts["rcpts"],
           counts["wrong"], counts["errors"], counts["conf-A"],
           counts["conf-B"]))
    for b in bad:
        print("  " + b)
    ok = (counts["wrong"] == 0 and counts["errors"] == 0 and
          counts["sessions"] > 0 and counts["conf-A"] > 0 and
          counts["conf-B"] > 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
