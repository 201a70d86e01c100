# unixconnect.sh - sourced by the test scripts: connect to a unix socket
# as root or as another user, to see who may talk to the milter.
#
#   unix_connect SOCKET [SETPRIV-ARGS...]
#
# Connects (and closes again) as this user, or as the user and groups
# that setpriv(1) makes of SETPRIV-ARGS (e.g. --reuid=nobody
# --regid=nogroup --clear-groups).  Returns 0 when the connection was
# accepted; otherwise prints why not (the system's error text, e.g.
# "Permission denied") and returns 1.  Runs the system's python3,
# /usr/bin/python3, which any user may execute.

unix_connect() {
	local sock=$1 as=()
	shift
	[ $# = 0 ] || as=(setpriv "$@")
	"${as[@]}" /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(e.strerror)
    sys.exit(1)' "$sock" 2>&1
}
