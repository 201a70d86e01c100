#!/usr/bin/env python3
"""dgram_sink.py PATH OUT: the receiving end of a unix datagram socket.

Binds PATH (a syslog's /dev/log, or the NOTIFY_SOCKET of sd_notify(3),
whose receiver is systemd) and appends every datagram to OUT, one a line
(newlines inside a datagram become spaces), until killed.
"""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s.bind(path)
os.chmod(path, 0o666)
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
