# testns.sh - sourced by the test scripts: start a DNS test server on a
# random loopback port and learn the port.
#
#   testns_start LOGFILE COMMAND...
#
# COMMAND is "ldns-testns -r FILE" or "python3 fakens.py FILE": both
# print "Listening on port N".  ldns-testns -r sometimes draws a port it
# cannot bind and exits ("bind(): Invalid argument"); then it is started
# again, up to 5 times.  Sets TESTNS_PID and TESTNS_PORT; on failure
# prints the log on stderr and returns 1.

testns_start() {
	local log=$1 try
	shift
	TESTNS_PID= TESTNS_PORT=
	for try in 1 2 3 4 5; do
		"$@" >"$log" 2>&1 &
		TESTNS_PID=$!
		for _ in $(seq 1 50); do
			TESTNS_PORT=$(sed -n 's/.*Listening on port \([0-9]*\).*/\1/p' "$log" | head -n 1)
			[ -n "$TESTNS_PORT" ] && return 0
			kill -0 "$TESTNS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$TESTNS_PID" 2>/dev/null
		wait "$TESTNS_PID" 2>/dev/null
	done
	echo "$1 did not start (5 tries):" >&2
	cat "$log" >&2
	return 1
}
