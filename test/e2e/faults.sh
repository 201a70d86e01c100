#!/bin/bash
# faults.sh - DNS fault injection, end to end through Postfix.
#
# Usage: faults.sh BOGUSMX-MILTER TESTDIR
#
# A private Postfix with bogusmx-milter, whose only nameserver is
# test/dns/fakens.py on loopback (faults.fakens), with short DNS timings
# (250 ms per attempt, 2 attempts, 1.5 s per recipient) and a cache of
# 2 s whose answers may be served stale for an hour.  Each fault is met
# by recipients the cache has never seen, so the fault decides:
#
#   - per name: SERVFAIL, REFUSED, junk bytes, a cut (malformed) answer,
#     a reply without QR, silence, truncation with the TCP connection
#     closed, on the MX query and on the A/AAAA of the only MX host;
#   - spoofed answers (wrong ID, another source port) racing the real
#     one: the real one wins, whichever way the spoof lies;
#   - the whole server: killed (port unreachable), frozen (SIGSTOP: no
#     answers), SERVFAIL, REFUSED and junk for every query, truncation
#     with TCP refused (fakens.py --no-tcp), a dead first nameserver;
#   - flapping (frozen, thawed, killed, restarted) under load.
#
# For each: a bogus domain is never accepted because of the fault; a
# recipient that cannot be decided gets 451 4.4.3 (the milter's, not
# Postfix's 4.7.1 for a milter that failed); expired answers are served
# stale (hot.de 554, good.de 250 with DNS dead), and not with
# stale-ttl = 0 (451); the server is used again as soon as it answers
# (a server that timed out is not dropped).
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
. "$dir/hard.sh"
e2e_init
hard_init
hard_fakens "$dir/faults.fakens"
conf=$E2E_TMP/bogusmx.conf
dns_block="dns { nameservers = { \"127.0.0.1:$DNS_PORT\" }
      timeout-ms = 250 attempts = 2 deadline-ms = 1500 }"
hard_conf "$conf" "$dns_block" \
	'cache { min-ttl = 0 max-ttl = 2 max-negative-ttl = 2 stale-ttl = 3600 }'
e2e_milter_start "$conf"
e2e_postfix

# plan P CASE...: one session per recipient u@P.CASE, all at once
plan() {
	local p=$1 c
	shift
	for c in "$@"; do echo "u@$p.$c"; done >"$E2E_TMP/plan"
}
tf=451/4.4.3

# 1. Faults of single names, DNS otherwise up.  hot.de and good.de are
# primed into the cache on the way.
plan p1 hot.de good.de servfail.de refused.de junk.de cut.de noqr.de \
	silent.de tcclose.de a-servfail.de a-refused.de a-junk.de \
	a-silent.de race-hot.de race-good.de race-a-hot.de race-a-good.de \
	race-port.de tc.de backup-fails.de
echo "u@hot.de u@good.de" >>"$E2E_TMP/plan"
hard_load "faults of single names" "$E2E_TMP/plan" \
	--expect hot.de=554/5.7.1 --expect good.de=250 \
	--expect servfail.de=$tf --expect refused.de=$tf \
	--expect junk.de=$tf --expect cut.de=$tf --expect noqr.de=$tf \
	--expect silent.de=$tf --expect tcclose.de=$tf \
	--expect a-servfail.de=$tf --expect a-refused.de=$tf \
	--expect a-junk.de=$tf --expect a-silent.de=$tf \
	--expect race-hot.de=554/5.7.1 --expect race-good.de=250 \
	--expect race-a-hot.de=554/5.7.1 --expect race-a-good.de=250 \
	--expect race-port.de=554/5.7.1 --expect tc.de=554/5.7.1 \
	--expect backup-fails.de=250

# 2. The server killed: its port answers "unreachable".  The primed
# answers have expired (max-ttl 2 s) and are served stale; new names
# are deferred, at once (a refused port needs no timeout).
sleep 2.2
hard_fakens_stop
plan p2 hot.de good.de
echo "u@hot.de u@good.de" >>"$E2E_TMP/plan"
hard_load "DNS killed: stale answers served, new names deferred" \
	"$E2E_TMP/plan" --expect hot.de=554/5.7.1 --expect good.de=250 \
	--expect p2.hot.de=$tf --expect p2.good.de=$tf
# (the milter's own time: Postfix adds its own when it opens a queue
# file for an accepted recipient)
t1=$(hard_elapsed u@p2.hot.de) t2=$(hard_elapsed u@p2.good.de)
if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t1" -lt 200 ] && [ "$t2" -lt 200 ]; then
	hard_ok "port unreachable: deferred in $t1 and $t2 ms (no timeout waited)"
else
	hard_fail "port unreachable: deferred in '$t1' and '$t2' ms"
fi

# 3. The server back, then frozen (SIGSTOP): queries go unanswered.
hard_fakens "$dir/faults.fakens"
kill -STOP $FAKENS_PID
plan p3 hot.de good.de servfail.de
echo "u@hot.de u@good.de" >>"$E2E_TMP/plan"
hard_load "DNS frozen: stale answers served, new names deferred" \
	"$E2E_TMP/plan" --expect hot.de=554/5.7.1 --expect good.de=250 \
	--expect p3.hot.de=$tf --expect p3.good.de=$tf \
	--expect p3.servfail.de=$tf

# 4. Thawed: the server that just timed out is asked again at once.
kill -CONT $FAKENS_PID
plan p4 hot.de good.de race-hot.de
hard_load "DNS thawed: the server that timed out is used again" \
	"$E2E_TMP/plan" --expect hot.de=554/5.7.1 --expect good.de=250
t1=$(hard_elapsed u@p4.hot.de) t2=$(hard_elapsed u@p4.good.de)
if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t1" -lt 240 ] && [ "$t2" -lt 240 ]; then
	hard_ok "after the freeze: answered at the first attempt ($t1, $t2 ms)"
else
	hard_fail "after the freeze: '$t1', '$t2' ms: an attempt timed out first"
fi

# 5. Every query SERVFAIL, then REFUSED, then junk.
for fault in servfail refused junk; do
	echo "* * $fault" >"$E2E_TMP/$fault.fakens"
	hard_fakens_switch "$E2E_TMP/$fault.fakens"
	plan p5$fault hot.de good.de
	echo "u@hot.de u@good.de" >>"$E2E_TMP/plan"
	hard_load "every answer $fault: stale served, new names deferred" \
		"$E2E_TMP/plan" --expect hot.de=554/5.7.1 --expect good.de=250 \
		--expect p5$fault.hot.de=$tf --expect p5$fault.good.de=$tf
done
hard_fakens_switch "$dir/faults.fakens"

# 6. Truncation with TCP refused (the server listens on UDP only), then
# TCP back.
hard_fakens_stop
hard_fakens "$dir/faults.fakens" --no-tcp
plan p6 tc.de hot.de
hard_load "truncated, TCP refused: deferred" "$E2E_TMP/plan" \
	--expect tc.de=$tf --expect hot.de=554/5.7.1
hard_fakens_stop
hard_fakens "$dir/faults.fakens"
plan p7 tc.de
hard_load "truncated, TCP back: the TCP answer decides" "$E2E_TMP/plan" \
	--expect tc.de=554/5.7.1

# 7. A dead first nameserver (nothing listens there): the second one
# answers, quickly.  Reloaded, as an administrator would.
dead=$(e2e_port)
hard_conf "$conf" "dns { nameservers = { \"127.0.0.1:$dead\", \"127.0.0.1:$DNS_PORT\" }
      timeout-ms = 250 attempts = 2 deadline-ms = 1500 }" \
	'cache { min-ttl = 0 max-ttl = 2 max-negative-ttl = 2 stale-ttl = 3600 }'
hard_milter_reload >/dev/null
plan p8 hot.de good.de race-good.de a-servfail.de
hard_load "first nameserver dead: the second decides" "$E2E_TMP/plan" \
	--expect hot.de=554/5.7.1 --expect good.de=250 \
	--expect race-good.de=250 --expect a-servfail.de=$tf
hard_conf "$conf" "$dns_block" \
	'cache { min-ttl = 0 max-ttl = 2 max-negative-ttl = 2 stale-ttl = 3600 }'
kill -USR1 $MILTER_PID

# 8. Flapping under load: 300 sessions of 4 recipients, 40 at a time,
# while the server is frozen, thawed, killed and restarted.  Nothing
# bogus is accepted, nothing public refused; what cannot be decided is
# deferred; once the server stays up, everything is decided again.
sleep 0.5
for s in $(seq 1 300); do
	echo "u@f$s.hot.de v@f$s.good.de w@hot.de x@f$s.race-hot.de"
done >"$E2E_TMP/flap.plan"
python3 "$LOADER" --concurrency 40 --log "$E2E_TMP/flap.log" \
	--expect hot.de=554/5.7.1,$tf --expect good.de=250,$tf \
	--expect race-hot.de=554/5.7.1,$tf \
	"$SMTP_PORT" "$E2E_TMP/flap.plan" >"$E2E_TMP/flap.out" 2>&1 &
loader=$!
flaps=0
while kill -0 $loader 2>/dev/null; do
	kill -STOP $FAKENS_PID
	sleep 0.3
	kill -CONT $FAKENS_PID
	sleep 0.3
	if [ $((flaps % 3)) = 2 ]; then
		hard_fakens_stop
		sleep 0.3
		hard_fakens "$dir/faults.fakens"
	fi
	flaps=$((flaps + 1))
done
wait $loader
rc=$?
out=$(head -n 1 "$E2E_TMP/flap.out")
codes=$(hard_field codes "$out")
deferred=$(grep -c '	451 4.4.3' "$E2E_TMP/flap.log")
if [ $rc = 0 ] && [[ "$codes" == *451:* ]] && [[ "$codes" == *250:* ]]; then
	hard_ok "flapping DNS under load ($flaps flaps): $out"
else
	hard_fail "flapping DNS under load ($flaps flaps, exit $rc): $out"
	sed 's/^/    /' "$E2E_TMP/flap.out"
fi
echo "    $deferred recipients deferred while DNS flapped"
plan p9 hot.de good.de race-hot.de race-a-good.de
hard_load "after the flapping: every name decided" "$E2E_TMP/plan" \
	--expect hot.de=554/5.7.1 --expect good.de=250 \
	--expect race-a-good.de=250

# 9. No stale answers (stale-ttl = 0): once expired, a dead server
# means 451 for the primed names too.
e2e_milter_stop
hard_conf "$conf" "$dns_block" \
	'cache { min-ttl = 0 max-ttl = 1 max-negative-ttl = 1 stale-ttl = 0 }'
e2e_milter_start "$conf"
echo "u@hot.de u@good.de" >"$E2E_TMP/plan"
hard_load "stale-ttl 0: primed" "$E2E_TMP/plan" \
	--expect hot.de=554/5.7.1 --expect good.de=250
sleep 1.2
hard_fakens_stop
hard_load "stale-ttl 0: expired and DNS dead: deferred" "$E2E_TMP/plan" \
	--expect hot.de=$tf --expect good.de=$tf
hard_fakens "$dir/faults.fakens"
hard_load "stale-ttl 0: DNS back: decided" "$E2E_TMP/plan" \
	--expect hot.de=554/5.7.1 --expect good.de=250

# The milter's answer, not Postfix's: no session ever lost the milter.
if grep -q 'warning:.*milter' "$E2E_PF/maillog"; then
	hard_fail "Postfix lost the milter:"
	grep 'warning:.*milter' "$E2E_PF/maillog" | head -n 5
else
	hard_ok "Postfix never lost the milter"
fi
hard_milter_stop_clean
e2e_done
