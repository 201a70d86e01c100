# hard.sh - sourced after lib.sh by the hardening tests (faults, load,
# signals, soak): a scriptable DNS server (test/dns/fakens.py) that can
# be stopped, frozen, switched and brought back on the same port; a
# milter that can be restarted on the same port with another
# configuration; the SMTP load client (smtpload.py); /proc figures.
# Loopback only, like lib.sh.
#
#   hard_fakens SCENARIO [ARGS...]  start fakens.py on $DNS_PORT (the
#                                 first time a free port: e2e_port)
#   hard_fakens_stop              kill it: the port is unreachable
#   hard_fakens_switch SCENARIO   serve another scenario (SIGHUP)
#   hard_conf FILE LINES...       a milter config: socket, nameserver
#                                 $DNS_PORT, then LINES; start it with
#                                 e2e_milter_start FILE (lib.sh)
#   hard_milter_stop_clean        e2e_milter_stop (lib.sh), counted:
#                                 exit 0 or not
#   hard_milter_reload            SIGUSR1; its log line on the reload
#   hard_signal_wait SIG PID FILE RE  signal, wait for a new RE line
#   hard_fds_settle MAX           wait for at most MAX descriptors
#   hard_asan                     the milter is an ASan build
#   hard_load WHAT PLAN ARGS...   smtpload.py; must exit 0; the summary
#                                 line in LOAD_OUT
#   hard_ok WHAT / hard_fail WHAT count a result (lib.sh's counters)
#   hard_milter_stats             its counters (SIGUSR2's log line)
#   hard_rss PID, hard_fds PID    resident kB, open descriptors
#   hard_field NAME TEXT          the value of NAME=VALUE in TEXT
#   hard_elapsed RCPT             the milter's elapsed= for RCPT

hard_init() {
	HARD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	FAKENS=$HARD_DIR/../dns/fakens.py
	LOADER=$HARD_DIR/smtpload.py
	DNS_PORT= MILTER_PORT= FAKENS_PID= MILTER_PID=
	# a thousand sessions need more descriptors than the usual 1024,
	# here and in the milter (started from this shell)
	ulimit -n "$(ulimit -Hn)" 2>/dev/null
}

hard_ok() {
	E2E_N=$((E2E_N + 1))
	echo "ok: $1"
}

hard_fail() {
	E2E_N=$((E2E_N + 1))
	E2E_FAILS=$((E2E_FAILS + 1))
	echo "FAIL: $1"
}

hard_fakens() {
	local scenario=$1 port_args=() log=$E2E_TMP/fakens.log
	shift
	[ -n "$DNS_PORT" ] || DNS_PORT=$(e2e_port)
	port_args=(--port "$DNS_PORT")
	# served from a copy, which hard_fakens_switch replaces
	cp "$scenario" "$E2E_TMP/scenario.now"
	: >"$log.start"
	python3 "$FAKENS" "${port_args[@]}" "$@" "$E2E_TMP/scenario.now" \
		>"$log.start" 2>&1 &
	FAKENS_PID=$!
	E2E_PIDS+=($FAKENS_PID)
	for _ in $(seq 1 100); do
		if grep -q 'Listening on port' "$log.start"; then
			DNS_PORT=$(sed -n 's/.*Listening on port \([0-9]*\).*/\1/p' "$log.start")
			cat "$log.start" >>"$log"
			# later output (stats) goes on to the same file
			return 0
		fi
		kill -0 $FAKENS_PID 2>/dev/null || break
		sleep 0.05
	done
	echo "fakens.py did not start:" >&2
	cat "$log.start" >&2
	exit 1
}

hard_fakens_stop() {
	[ -n "$FAKENS_PID" ] || return 0
	kill -CONT $FAKENS_PID 2>/dev/null
	kill -TERM $FAKENS_PID 2>/dev/null
	wait $FAKENS_PID 2>/dev/null
	FAKENS_PID=
}

hard_fakens_switch() {
	cp "$1" "$E2E_TMP/scenario.now"
	kill -HUP $FAKENS_PID
	sleep 0.1
}

# Send SIGNAL to PID, then wait (5 s at most) for one more line matching
# the grep regex RE in FILE; print the last such line.
hard_signal_wait() {
	local sig=$1 pid=$2 file=$3 re=$4 n
	n=$(grep -c "$re" "$file")
	kill -"$sig" "$pid"
	for _ in $(seq 1 100); do
		[ "$(grep -c "$re" "$file")" -gt "$n" ] && break
		sleep 0.05
	done
	grep "$re" "$file" | tail -n 1
}

# fakens' counters: "queries=N inflight=N max_inflight=N"
hard_fakens_stats() {
	hard_signal_wait USR1 "$FAKENS_PID" "$E2E_TMP/fakens.log.start" '^stats:'
}

# The milter's counters (SIGUSR2): its "stats:" log line, e.g.
# "cache entries=N ... evictions=N ...; dns sent=N ... inflight_max=N"
hard_milter_stats() {
	hard_signal_wait USR2 "$MILTER_PID" "$E2E_TMP/milter.log" 'stats: cache' |
		sed 's/.*stats: //'
}

# SIGUSR1: the milter's word on the reload ("reloaded configuration" or
# "reload failed")
hard_milter_reload() {
	hard_signal_wait USR1 "$MILTER_PID" "$E2E_TMP/milter.log" \
		'reloaded configuration\|reload failed'
}

hard_conf() {
	local file=$1
	shift
	[ -n "$MILTER_PORT" ] || MILTER_PORT=$(e2e_port)
	{
		echo "socket = \"inet:$MILTER_PORT@127.0.0.1\""
		echo "log-accepts = true"
		printf '%s\n' "$@"
	} >"$file"
	# the nameserver, unless the lines give a dns section of their own
	grep -q '^dns' "$file" ||
		echo "dns { nameservers = { \"127.0.0.1:$DNS_PORT\" } }" >>"$file"
}


# Stop it, and count a result: exit 0 or not.
hard_milter_stop_clean() {
	e2e_milter_stop
	if [ "$MILTER_RC" = 0 ]; then
		hard_ok "the milter stops cleanly (exit 0)"
	else
		hard_fail "the milter exited $MILTER_RC"
	fi
}

# Wait (10 s at most) until the milter has at most MAX descriptors open.
hard_fds_settle() {
	for _ in $(seq 1 50); do
		[ "$(hard_fds "$MILTER_PID")" -le "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# True when the milter is built with AddressSanitizer, whose allocator
# keeps freed memory in quarantine: memory figures mean nothing then.
hard_asan() {
	ldd "$BOGUSMX_MILTER" 2>/dev/null | grep -q libasan
}

hard_load() {
	local what=$1 plan=$2 rc
	shift 2
	LOAD_OUT=$(python3 "$LOADER" --log "$E2E_TMP/load.log" "$@" \
		"$SMTP_PORT" "$plan" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		hard_ok "$what: $(echo "$LOAD_OUT" | head -n 1)"
	else
		hard_fail "$what:"
		echo "$LOAD_OUT" | sed 's/^/    /'
	fi
	return $rc
}

hard_rss() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null
}

hard_fds() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

hard_threads() {
	awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null
}

# The milter's own time for a recipient (its last decision), in ms.
hard_elapsed() {
	grep -F "to=<$1> " "$E2E_TMP/milter.log" | tail -n 1 |
		sed -n 's/.* elapsed=\([0-9]*\)ms.*/\1/p'
}

hard_field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# The code a recipient got in the load log, e.g. hard_code LOG rcpt
hard_codes() {
	awk -F'\t' -v r="$2" '$2 == r {print substr($3, 1, 3)}' "$1"
}
