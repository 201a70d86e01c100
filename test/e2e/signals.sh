#!/bin/bash
# signals.sh - reloads and SIGTERM under load, end to end through Postfix.
#
# Usage: signals.sh BOGUSMX-MILTER TESTDIR
#
# A private Postfix with bogusmx-milter, whose nameserver is
# test/dns/fakens.py (load.fakens).  The bogus reply text names the
# configuration in force ("conf-A", "conf-B"), so that a probe session
# shows which one serves.
#
# 1. While 40 sessions at a time keep sending recipients (every verdict
#    checked), the configuration file is broken in seven ways, each
#    followed by SIGUSR1: a syntax error, an unknown option, a value out
#    of range, a table that does not exist, the file cut in half, the
#    file gone, a directory in its place.  Each time the milter logs
#    "reload failed" and conf-A keeps serving; then a good conf-B is
#    loaded and serves; the load never sees a wrong or missing verdict.
# 2. SIGTERM while decisions are in flight (MX answers 0.8 s late; at
#    least 10 waiting at the nameserver) and fast traffic runs: the
#    milter exits 0; those decisions and every other one it logged
#    reached the client as that verdict (none lost), nothing bogus was
#    accepted, and what came after the stop got Postfix's 451 4.7.1.
#    Started again, it serves.
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
. "$dir/hard.sh"
e2e_init
hard_init
hard_fakens "$dir/load.fakens"
conf=$E2E_TMP/bogusmx.conf
conf_text() { # NAME
	hard_conf "$conf" \
		"reply bogus { text = \"$1 {domain}: MX host {host} is {class}\" }"
}
conf_text conf-A
cp "$conf" "$E2E_TMP/conf-A"
e2e_milter_start "$conf"
e2e_postfix 'default_process_limit = 300'
bogus=554/5.7.1

# The bogus reply text a new session gets now.
probe() {
	printf 'p@probe%s.hot.de\n' "$RANDOM" >"$E2E_TMP/probe.plan"
	python3 "$LOADER" --log "$E2E_TMP/probe.log" "$SMTP_PORT" \
		"$E2E_TMP/probe.plan" >/dev/null 2>&1
	cut -f3 "$E2E_TMP/probe.log" | sed -n 's/.*\(conf-[A-Z]\).*/\1/p'
}

# SIGUSR1: the milter's word on it in RELOAD_LOG ("reloaded
# configuration" or "reload failed"), and in RELOAD_ERR what it logged
# about it (decisions left out).
reload() {
	RELOAD_LOG=$(hard_milter_reload)
	RELOAD_ERR=$(awk '/SIGUSR1: reloading/ {s = ""} !/RCPT from/ {s = s $0 " | "} END {print s}' "$E2E_TMP/milter.log")
}

[ "$(probe)" = conf-A ] && hard_ok "conf-A serves" ||
	hard_fail "conf-A does not serve: '$(probe)'"

# 1. Broken reloads under load.
for s in $(seq 1 400); do
	echo "a@r$s.hot.de b@r$s.good.de c@hot.de d@r$s.private.de e@good.de"
done >"$E2E_TMP/reload.plan"
python3 "$LOADER" --concurrency 40 --duration 12 --log "$E2E_TMP/reload.log" \
	--expect hot.de=$bogus --expect private.de=$bogus --expect good.de=250 \
	"$SMTP_PORT" "$E2E_TMP/reload.plan" >"$E2E_TMP/reload.out" 2>&1 &
loader=$!
sleep 1
half=$(($(wc -c <"$E2E_TMP/conf-A") / 2))
broken=(
	"syntax error|reply bogus { text = \"unterminated"
	"unknown option|frobnicate = 1"
	"value out of range|dns { timeout-ms = 0 }"
	"missing table|tables = { \"$E2E_TMP/none.cidr\" }"
	"cut in half|HALF"
	"file gone|GONE"
	"directory in its place|DIR"
)
for b in "${broken[@]}"; do
	what=${b%%|*} text=${b#*|}
	rm -rf "$conf"
	case $text in
	HALF) head -c "$half" "$E2E_TMP/conf-A" >"$conf" ;;
	GONE) ;;
	DIR) mkdir "$conf" ;;
	*) { cat "$E2E_TMP/conf-A"; echo "$text"; } >"$conf" ;;
	esac
	reload
	now=$(probe)
	if [[ "$RELOAD_LOG" == *"reload failed"* ]] && [ "$now" = conf-A ]; then
		hard_ok "broken reload ($what): refused, conf-A serves"
	else
		hard_fail "broken reload ($what): '$RELOAD_LOG', serving '$now'"
	fi
	echo "    $RELOAD_ERR" | cut -c1-300
done
rm -rf "$conf"
conf_text conf-B
reload
now=$(probe)
if [[ "$RELOAD_LOG" == *"reloaded configuration"* ]] && [ "$now" = conf-B ]; then
	hard_ok "good reload under load: conf-B serves"
else
	hard_fail "good reload: '$RELOAD_LOG', serving '$now'"
fi
wait $loader
rc=$?
out=$(head -n 1 "$E2E_TMP/reload.out")
texts=$(grep -o 'conf-[A-Z]' "$E2E_TMP/reload.log" | sort | uniq -c | tr -s ' \n' ' ')
if [ $rc = 0 ]; then
	hard_ok "load through 8 reloads: every verdict right: $out"
else
	hard_fail "load through 8 reloads (exit $rc):"
	sed 's/^/    /' "$E2E_TMP/reload.out" | head -n 25
fi
echo "    bogus replies by configuration:$texts"
if grep -q 'warning:.*milter' "$E2E_PF/maillog"; then
	hard_fail "Postfix lost the milter during the reloads:"
	grep 'warning:.*milter' "$E2E_PF/maillog" | head -n 5
else
	hard_ok "Postfix never lost the milter during the reloads"
fi

# 2. SIGTERM with decisions in flight.
for s in $(seq 1 60); do
	echo "u@t$s.slowhot.de v@t$s.slow.de w@hot.de"
done >"$E2E_TMP/slow.plan"
for s in $(seq 1 3000); do
	echo "x@f$s.hot.de y@f$s.good.de z@hot.de"
done >"$E2E_TMP/fast.plan"
python3 "$LOADER" --log "$E2E_TMP/slow.log" "$SMTP_PORT" \
	"$E2E_TMP/slow.plan" >"$E2E_TMP/slow.out" 2>&1 &
l1=$!
python3 "$LOADER" --concurrency 20 --log "$E2E_TMP/fast.log" "$SMTP_PORT" \
	"$E2E_TMP/fast.plan" >"$E2E_TMP/fast.out" 2>&1 &
l2=$!
# SIGTERM once slow decisions are in flight: their MX queries are
# waiting at the nameserver
seen=0
for _ in $(seq 1 100); do
	seen=$(hard_field inflight "$(hard_fakens_stats)")
	[ "${seen:-0}" -ge 10 ] && break
	sleep 0.05
done
start=$(date +%s%N)
kill -TERM "$MILTER_PID"
wait "$MILTER_PID"
MILTER_RC=$?
ms=$((($(date +%s%N) - start) / 1000000))
wait $l1 $l2
if [ "$MILTER_RC" = 0 ]; then
	hard_ok "SIGTERM under load: exit 0 after $ms ms"
else
	hard_fail "SIGTERM under load: exit $MILTER_RC after $ms ms"
fi
grep -q 'stopping' "$E2E_TMP/milter.log" && hard_ok "it logged its stop" ||
	hard_fail "no 'stopping' in the milter's log"
# Every decision the milter logged, as the client saw it: reject 554,
# accept 250, tempfail 451 4.4.3.
cat "$E2E_TMP/slow.log" "$E2E_TMP/fast.log" >"$E2E_TMP/term.log"
python3 - "$E2E_TMP/milter.log" "$E2E_TMP/term.log" <<'PY' >"$E2E_TMP/verdicts"
import re, sys
want = {"reject": "554", "accept": "250", "tempfail": "451 4.4.3"}
decided = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"NOQUEUE: (reject|accept|tempfail): .*to=<([^>]*)>", line)
    if m:
        decided[m.group(2)] = m.group(1)
got = {}
for line in open(sys.argv[2], errors="replace"):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 3:
        got[f[1]] = f[2]
lost = [r for r, v in decided.items()
        if r in got and not got[r].startswith(want[v])]
bogus_ok = [r for r, t in got.items()
            if t.startswith("250") and ("hot.de" in r or "private.de" in r)]
after = sum(1 for r, t in got.items()
            if r not in decided and t.startswith("451 4.7.1"))
slow_decided = sum(1 for r in decided if "slowhot.de" in r and r in got)
print("decided=%d slow_decided=%d lost=%d bogus_accepted=%d "
      "after_stop_451=%d answered=%d" %
      (len([r for r in decided if r in got]), slow_decided, len(lost),
       len(bogus_ok), after, len(got)))
for r in lost[:5]:
    print("lost: %s %s -> %s" % (r, decided[r], got[r]))
for r in bogus_ok[:5]:
    print("bogus accepted: %s" % r)
PY
v=$(head -n 1 "$E2E_TMP/verdicts")
echo "    $v"
if [ "$(hard_field lost "$v")" = 0 ] && [ "$(hard_field bogus_accepted "$v")" = 0 ] &&
	[ "${seen:-0}" -ge 10 ] && [ "$(hard_field slow_decided "$v")" -ge "$seen" ]; then
	hard_ok "no verdict lost: $seen slow decisions in flight at SIGTERM, $(hard_field slow_decided "$v") reached the client; every decision logged did"
else
	hard_fail "verdicts at SIGTERM: $(cat "$E2E_TMP/verdicts")"
fi
if [ "$(hard_field after_stop_451 "$v")" -ge 1 ]; then
	hard_ok "after the stop: Postfix's 451 4.7.1 ($(hard_field after_stop_451 "$v") recipients), never an accept"
else
	hard_fail "nothing reached the stopped milter: the test did not stop it under load"
fi
e2e_milter_start "$conf"
echo "u@hot.de u@good.de" >"$E2E_TMP/plan"
hard_load "started again: serves" "$E2E_TMP/plan" \
	--expect hot.de=$bogus --expect good.de=250
hard_milter_stop_clean
e2e_done
