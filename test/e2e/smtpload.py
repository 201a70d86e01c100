#!/usr/bin/env python3
"""smtpload.py - many SMTP sessions at once, every RCPT reply checked.

Usage: smtpload.py [options] PORT PLAN

PLAN is a file (or - for stdin) with one SMTP session per line: the
recipients of that session, separated by blanks.  Each session connects
to 127.0.0.1:PORT, says EHLO, MAIL FROM:<s@sender.test>, one RCPT TO per
recipient, then QUIT (or, with --data, sends a short message when a
recipient was accepted).  Only loopback is ever used.

Every RCPT reply is judged by the expectation of the recipient's domain:

    --expect SUFFIX=CODES   recipients whose domain is SUFFIX or ends in
                            .SUFFIX may get one of CODES (e.g. "554" or
                            "554,451"; "451/4.4.3" wants that enhanced
                            code too); the longest SUFFIX wins.  A
                            recipient no --expect covers may get any
                            code.

A reply is wrong when its code is not allowed, when it is not one line
of printable ASCII, or when its text has a lone '%' (an unescaped
smfi_setreply() format).  A session is an error when it cannot connect
or a reply does not come within --timeout seconds.

Options:
    --concurrency N   at most N sessions open at once (default: all)
    --hold            keep every session open after its last RCPT reply
                      until every session has had its replies, so that
                      all of them are open at the same moment (they
                      must fit in --concurrency)
    --linger S        with --hold: keep them all open S seconds more
    --timeout S       per reply (default 60)
    --duration S      run the plan again and again for S seconds
    --report S        with --duration: a line of figures every S seconds
    --data            send a message after the RCPTs
    --log FILE        write "session<TAB>recipient<TAB>reply<TAB>ms" per
                      RCPT

Prints one summary line:

    sessions=N errors=N held=N max_open=N rcpts=N wrong=N codes=250:N,...
    latency_ms p50=X p90=X p99=X max=X

(latency: RCPT sent to reply read), the wrong replies (at most 20), and
exits 0 when nothing was wrong and no session failed, 1 otherwise.
"""

import argparse
import asyncio
import sys
import time


class Stats:
    def __init__(self):
        self.sessions = self.errors = self.rcpts = self.wrong = 0
        self.held = self.open = self.max_open = 0
        self.codes = {}
        self.lat = []
        self.bad = []

    def merge_line(self):
        lat = sorted(self.lat)

        def pct(p):
            if not lat:
                return 0.0
            return lat[min(len(lat) - 1, int(len(lat) * p))]

        codes = ",".join("%s:%d" % kv for kv in sorted(self.codes.items()))
        return ("sessions=%d errors=%d held=%d max_open=%d rcpts=%d "
                "wrong=%d codes=%s "
                "latency_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f" %
                (self.sessions, self.errors, self.held, self.max_open,
                 self.rcpts,
                 self.wrong, codes or "-", pct(0.5), pct(0.9), pct(0.99),
                 lat[-1] if lat else 0.0))


def allowed_codes(expect, rcpt):
    domain = rcpt.rsplit("@", 1)[-1].rstrip(">").lower()
    best, codes = -1, None
    for suffix, allowed in expect:
        if (domain == suffix or domain.endswith("." + suffix)) and \
                len(suffix) > best:
            best, codes = len(suffix), allowed
    return codes


def printable(line):
    return all(0x20 <= b < 0x7f for b in line)


def lone_percent(text):
    return "%" in text.replace("%%", "")


async def reply(reader, timeout):
    """One SMTP reply: (code, [lines]); lines without CRLF."""
    lines = []
    while True:
        raw = await asyncio.wait_for(reader.readline(), timeout)
        if not raw.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        lines.append(raw[:-2])
        if len(raw) < 4 or raw[3:4] != b"-":
            break
    return lines[0][:3].decode("ascii", "replace"), lines


async def session(n, rcpts, a, st, barrier, log):
    reader = writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", a.port), a.timeout)
        st.open += 1
        st.max_open = max(st.max_open, st.open)

        async def cmd(line):
            writer.write(line + b"\r\n")
            await writer.drain()
            return await reply(reader, a.timeout)

        code, _ = await reply(reader, a.timeout)
        if code != "220":
            raise ConnectionError("greeting %s" % code)
        code, _ = await cmd(b"EHLO client.bogusmx.test")
        if code != "250":
            raise ConnectionError("EHLO %s" % code)
        code, _ = await cmd(b"MAIL FROM:<s@sender.test>")
        if code != "250":
            raise ConnectionError("MAIL %s" % code)
        accepted = 0
        for r in rcpts:
            t0 = time.monotonic()
            code, lines = await cmd(b"RCPT TO:<" + r.encode("utf-8",
                                                           "surrogateescape")
                                    + b">")
            ms = (time.monotonic() - t0) * 1000
            st.lat.append(ms)
            st.rcpts += 1
            st.codes[code] = st.codes.get(code, 0) + 1
            text = b" ".join(lines).decode("ascii", "replace")
            if log is not None:
                log.write("%d\t%s\t%s\t%.1f\n" % (n, r, text, ms))
            allowed = allowed_codes(a.expect, r)
            why = None
            if allowed is not None and not any(
                    text.startswith(c.replace("/", " ") + " ") or
                    text == c.replace("/", " ") for c in allowed):
                why = "reply not %s" % ",".join(sorted(allowed))
            elif len(lines) != 1 or not printable(lines[0]):
                why = "not one printable line"
            elif lone_percent(text):
                why = "lone %"
            if why:
                st.wrong += 1
                if len(st.bad) < 20:
                    st.bad.append("%s: %s: %s" % (r, why, text))
            if code == "250":
                accepted += 1
        if barrier is not None:
            st.held += 1
            await barrier.wait()
            if a.linger:
                await asyncio.sleep(a.linger)
        if a.data and accepted:
            code, _ = await cmd(b"DATA")
            if code == "354":
                code, _ = await cmd(b"Subject: t\r\n\r\nt\r\n.")
        writer.write(b"QUIT\r\n")
        await writer.drain()
        try:
            await asyncio.wait_for(reply(reader, a.timeout), a.timeout)
        except (ConnectionError, asyncio.TimeoutError):
            pass
        st.sessions += 1
    except (OSError, ConnectionError, asyncio.TimeoutError,
            asyncio.IncompleteReadError) as e:
        st.errors += 1
        if len(st.bad) < 20:
            st.bad.append("session %d: %s: %r" % (n, type(e).__name__, e))
        if barrier is not None:
            barrier.fail()
    finally:
        if writer is not None:
            st.open -= 1
            writer.close()


class Barrier:
    """Wait until `n` sessions have arrived (or one failed)."""

    def __init__(self, n):
        self.n, self.event = n, asyncio.Event()

    async def wait(self):
        self.n -= 1
        if self.n <= 0:
            self.event.set()
        await self.event.wait()

    def fail(self):
        self.n -= 1
        if self.n <= 0:
            self.event.set()


async def run_plan(plan, a, st, log):
    sem = asyncio.Semaphore(a.concurrency or len(plan) or 1)
    barrier = Barrier(len(plan)) if a.hold else None

    async def one(n, rcpts):
        async with sem:
            await session(n, rcpts, a, st, barrier, log)

    await asyncio.gather(*(one(n, r) for n, r in enumerate(plan)))


async def main_async(a, plan, log):
    st = Stats()
    if not a.duration:
        await run_plan(plan, a, st, log)
        return st
    end = time.monotonic() + a.duration
    last = time.monotonic()
    part = Stats()
    while time.monotonic() < end:
        await run_plan(plan, a, part, log)
        if a.report and time.monotonic() - last >= a.report:
            print("interval " + part.merge_line(), flush=True)
            for b in part.bad:
                print("  " + b, flush=True)
            last = time.monotonic()
            add(st, part)
            part = Stats()
    add(st, part)
    return st


def add(st, part):
    for k in ("sessions", "errors", "held", "rcpts", "wrong"):
        setattr(st, k, getattr(st, k) + getattr(part, k))
    st.max_open = max(st.max_open, part.max_open)
    for k, v in part.codes.items():
        st.codes[k] = st.codes.get(k, 0) + v
    st.lat += part.lat
    st.bad += part.bad[:20 - len(st.bad)]


def main():
    p = argparse.ArgumentParser(description="SMTP sessions, RCPT checked")
    p.add_argument("port", type=int)
    p.add_argument("plan")
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--concurrency", type=int, default=0)
    p.add_argument("--hold", action="store_true")
    p.add_argument("--linger", type=float, default=0)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--duration", type=float, default=0)
    p.add_argument("--report", type=float, default=0)
    p.add_argument("--data", action="store_true")
    p.add_argument("--log")
    a = p.parse_args()
    expect = []
    for e in a.expect:
        suffix, _, codes = e.partition("=")
        expect.append((suffix.lower(), set(codes.split(","))))
    a.expect = expect
    f = sys.stdin if a.plan == "-" else open(a.plan, encoding="utf-8",
                                              errors="surrogateescape")
    plan = [line.split() for line in f if line.strip()]
    log = open(a.log, "w", encoding="utf-8", errors="surrogateescape") \
        if a.log else None
    st = asyncio.run(main_async(a, plan, log))
    if log is not None:
        log.close()
    print(st.merge_line())
    for b in st.bad:
        print("  " + b)
    sys.exit(0 if st.wrong == 0 and st.errors == 0 else 1)


if __name__ == "__main__":
    main()
