#!/bin/bash
# soak.sh - a long run through Postfix with bogusmx-milter, every verdict
# checked, the milter's memory, descriptors and threads watched.
#
# Usage: soak.sh BOGUSMX-MILTER TESTDIR [SECONDS]
#
# SECONDS defaults to $BMX_SOAK_SECONDS, or 60 (what ctest runs); the
# soak of the hardening issue is 600:
#
#   test/e2e/soak.sh build/milter/bogusmx-milter test/e2e 600
#
# 50 sessions at a time, 5 recipients each (cached bogus and public
# names, new bogus, private and public names, names that do not exist),
# with cache entries = 3000 and max-ttl = 5 s, so that answers expire
# and are evicted all along and the cold path runs as much as the warm
# one.  A line of figures every 10 s: the load's (RCPT replies, codes,
# latency p50/p99) and the milter's (RSS, descriptors, threads).
#
# Checked: no wrong verdict and no failed session over the whole run;
# the milter alive and answering at the end; its descriptors back to
# where they were; its RSS at the end within 4 MB of what it was after
# the first quarter of the run (the cache is full by then; not judged
# under ASan, whose allocator keeps freed memory in quarantine).
# Latency is printed, never judged (no timing thresholds in tests).
set -u
BOGUSMX_MILTER=$1 dir=$2
secs=${3:-${BMX_SOAK_SECONDS:-60}}
. "$dir/lib.sh"
. "$dir/hard.sh"
e2e_init
hard_init
hard_fakens "$dir/load.fakens"
conf=$E2E_TMP/bogusmx.conf
hard_conf "$conf" 'log-accepts = false' 'cache { entries = 3000 min-ttl = 0 max-ttl = 5 }'
e2e_milter_start "$conf"
e2e_postfix 'default_process_limit = 200'
bogus=554/5.7.1

echo "u@hot.de u@good.de" >"$E2E_TMP/plan"
hard_load "warm-up" "$E2E_TMP/plan" --expect hot.de=$bogus --expect good.de=250
sleep 0.5
rss0=$(hard_rss "$MILTER_PID") fds0=$(hard_fds "$MILTER_PID")
thr0=$(hard_threads "$MILTER_PID")

python3 -c '
import random
a = "abcdefghijklmnopqrstuvwxyz0123456789"
def r():
    return "".join(random.choice(a) for _ in range(12))
for s in range(1500):
    print("a@hot.de b@good.de c@%s.hot.de d@%s.private.de e@%s.good.de "
          "f@%s.nx.de" % (r(), r(), s % 500, r()))
' >"$E2E_TMP/soak.plan"

echo "    soak: $secs s, milter at rest: rss=$rss0 kB fds=$fds0 threads=$thr0"
python3 "$LOADER" --concurrency 50 --duration "$secs" --report 10 \
	--log /dev/null --timeout 30 \
	--expect hot.de=$bogus --expect private.de=$bogus --expect good.de=250 \
	--expect nx.de=550/5.1.2 \
	"$SMTP_PORT" "$E2E_TMP/soak.plan" >"$E2E_TMP/soak.out" 2>&1 &
loader=$!
t0=$(date +%s)
quarter=$((secs / 4))
rss_q=
while kill -0 $loader 2>/dev/null; do
	sleep 1
	t=$(($(date +%s) - t0))
	if [ -z "$rss_q" ] && [ "$t" -ge "$quarter" ]; then
		rss_q=$(hard_rss "$MILTER_PID")
	fi
	if [ $((t % 10)) = 0 ]; then
		echo "    t=${t}s milter rss=$(hard_rss "$MILTER_PID") kB fds=$(hard_fds "$MILTER_PID") threads=$(hard_threads "$MILTER_PID")"
		grep '^interval' "$E2E_TMP/soak.out" | tail -n 1 |
			sed 's/^interval /      load: /; s/ errors=.*wrong=/ wrong=/'
	fi
done
wait $loader
rc=$?
total=$(grep -v '^interval\|^  ' "$E2E_TMP/soak.out" | head -n 1)
if [ $rc = 0 ]; then
	hard_ok "soak of $secs s: every verdict right: $total"
else
	hard_fail "soak of $secs s (exit $rc): $total"
	grep '^  ' "$E2E_TMP/soak.out" | head -n 20
fi
stats=$(hard_milter_stats)
echo "    milter: $stats"
echo "    latency per 10 s interval (p50/p99 ms):" $(grep '^interval' "$E2E_TMP/soak.out" |
	sed -n 's/.* p50=\([0-9.]*\) .* p99=\([0-9.]*\) .*/\1\/\2/p')
if kill -0 "$MILTER_PID" 2>/dev/null; then
	hard_ok "the milter is alive after $secs s"
else
	hard_fail "the milter died during the soak"
fi
hard_fds_settle $((fds0 + 2))
fds1=$(hard_fds "$MILTER_PID") rss1=$(hard_rss "$MILTER_PID")
thr1=$(hard_threads "$MILTER_PID")
echo "    milter at the end: rss=$rss1 kB (after a quarter: $rss_q kB) fds=$fds1 threads=$thr1"
if [ "$fds1" -le $((fds0 + 2)) ]; then
	hard_ok "descriptors flat: $fds0 at rest before, $fds1 after"
else
	hard_fail "descriptors: $fds0 before, $fds1 after"
fi
if hard_asan; then
	echo "    (memory not judged under ASan: $rss_q -> $rss1 kB)"
elif [ -n "$rss_q" ] && [ $((rss1 - rss_q)) -le 4096 ]; then
	hard_ok "memory flat: $rss_q kB after a quarter, $rss1 kB at the end"
else
	hard_fail "memory grew: '$rss_q' kB after a quarter, $rss1 kB at the end"
fi
echo "u@hot.de u@good.de" >"$E2E_TMP/plan"
hard_load "still deciding at the end" "$E2E_TMP/plan" \
	--expect hot.de=$bogus --expect good.de=250
hard_milter_stop_clean
e2e_done
