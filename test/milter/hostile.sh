#!/bin/bash
# hostile.sh - hostile input at the milter protocol level.
#
# Usage: hostile.sh BOGUSMX-MILTER TESTDIR [HOSTILE.PY-OPTION...]
#
# Starts ldns-testns with TESTDIR/hostile.data and bogusmx-milter in the
# foreground on random loopback ports, then runs TESTDIR/hostile.py,
# which speaks the milter protocol itself (an MTA gone wrong): malformed
# recipients, names at and over the length limits, broken and oversized
# packets, 10,000 recipients in one session, sessions dropped mid-packet;
# every reply checked, and the milter's threads, descriptors and memory.
# Last, SIGTERM: the milter must exit 0 (under ASan, leak-free) and its
# log must hold no sanitizer report.  Only loopback is used.
set -u
milter=$1 dir=$2
shift 2
. "$dir/../common/harness.sh"
harness_need ldns-testns python3
harness_tmp

. "$dir/../common/testns.sh"
testns_start "$tmp/testns.log" ldns-testns -r "$dir/hostile.data" || exit 1
pids+=($TESTNS_PID)
port=$(harness_port)

# milter-timeout 3: a session silent in mid-packet is closed after 3 s.
cat >"$tmp/bogusmx.conf" <<CONF
socket = "inet:$port@127.0.0.1"
milter-timeout = 3
dns {
	nameservers = { "127.0.0.1:$TESTNS_PORT" }
	timeout-ms = 500
	attempts = 1
	deadline-ms = 2000
}
CONF
user=()
[ "$(id -u)" = 0 ] && user=(-u nobody)
# Under ASan a freed block stays in quarantine (256 MB by default), which
# would hide the memory figure; 16 MB still catches a use after free
# within this test.  No effect on a build without ASan.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	"$milter" -f -c "$tmp/bogusmx.conf" "${user[@]}" >"$tmp/milter.log" 2>&1 &
mpid=$!
pids+=($mpid)

fails=0
python3 "$dir/hostile.py" --port "$port" --pid "$mpid" --log "$tmp/milter.log" "$@" ||
	fails=$((fails + 1))

kill -TERM $mpid 2>/dev/null
for _ in $(seq 1 300); do
	kill -0 $mpid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $mpid 2>/dev/null; then
	echo "FAIL: still running 30 s after SIGTERM"
	fails=$((fails + 1))
else
	wait $mpid
	rc=$?
	if [ $rc = 0 ]; then echo "ok: clean exit on SIGTERM"; else
		echo "FAIL: exit status $rc after SIGTERM"
		fails=$((fails + 1))
	fi
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/milter.log"; then
	echo "FAIL: sanitizer report in the milter's log"
	fails=$((fails + 1))
else
	echo "ok: no sanitizer report in the milter's log"
fi
if [ $fails != 0 ]; then
	echo "--- milter log (last 60 lines)"
	tail -n 60 "$tmp/milter.log"
fi
[ $fails = 0 ]
