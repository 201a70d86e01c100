#!/usr/bin/env python3
"""logfields.py - read a decision line of the milter's log as the
LOGGING section of bogusmx-milter(8) says it is written, and check its
fields.

Usage: logfields.py LOG QUEUEID KEY=VALUE...

Takes the first decision line of LOG for QUEUEID ("QUEUEID: WHAT: STAGE
from CLIENT: [REPLY; ]FIELDS") with the to= or from= given, if any, and
reads it by the format alone: a value is plain (no space, no '"') or a
string in double quotes with '"', '\\' and \\xHH escaped; the reply is plain free text without '=' or such a
quoted string.  Exits 0 when every KEY (the fields, and "reply",
"client", "what") has VALUE, else prints the line, what was read and
exits 1.
"""
import re
import sys


def value(s, i, end=' '):
    """The value at s[i:] (plain up to end) and the index after it."""
    if i < len(s) and s[i] == '"':
        out, i = [], i + 1
        while s[i] != '"':
            if s[i] == '\\' and s[i + 1] == 'x':
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
            elif s[i] == '\\':
                out.append(s[i + 1])
                i += 2
            else:
                out.append(s[i])
                i += 1
        return ''.join(out), i + 1
    j = s.find(end, i)
    j = len(s) if j < 0 else j
    return s[i:j], j


def parse(line, qid):
    """The fields of a decision line, or None."""
    at = line.find(qid + ': ')
    if at < 0:
        return None
    s = line[at + len(qid) + 2:].rstrip('\n')
    m = re.match(r'([a-z ()]+): (RCPT|MAIL) from ', s)
    if m is None:
        return None
    f = {'what': m.group(1)}
    f['client'], i = value(s, m.end(), ': ')
    if s[i:i + 2] != ': ':
        return None
    i += 2
    if s[i] == '"':
        f['reply'], i = value(s, i)
        i += 2  # "; "
    else:
        eq = s.find('=', i)
        sep = s.rfind('; ', i, eq)
        if sep >= 0:
            f['reply'], i = s[i:sep], sep + 2
    while i < len(s):
        eq = s.index('=', i)
        key = s[i:eq]
        f[key], i = value(s, eq + 1)
        if i < len(s):
            if s[i] != ' ':
                return None
            i += 1
    return f


def main():
    log, qid, want = sys.argv[1], sys.argv[2], sys.argv[3:]
    rcpt = [w for w in want if w.split('=', 1)[0] in ('to', 'from')]
    with open(log, errors='replace') as fh:
        for line in fh:
            f = parse(line, qid)
            if f is not None and all(
                    f.get(w.split('=', 1)[0]) == w.split('=', 1)[1]
                    for w in rcpt):
                break
        else:
            print(f'no decision line for {qid} {rcpt} in {log}')
            return 1
    bad = [w for w in want
           if f.get(w.split('=', 1)[0]) != w.split('=', 1)[1]]
    if bad:
        print(f'line: {line.rstrip()}\nread: {f}\nwrong: {bad}')
        return 1
    return 0


sys.exit(main())
