#!/bin/bash
# load.sh - load through Postfix with bogusmx-milter: a thousand SMTP
# sessions open at once, and a flood of random recipient domains.
#
# Usage: load.sh BOGUSMX-MILTER TESTDIR
#
# A private Postfix (1,100 smtpd processes allowed) with the milter,
# whose nameserver is test/dns/fakens.py on loopback (load.fakens).
#
# 1. 1,000 sessions, all open at the same moment (smtpload.py --hold),
#    each with four recipients: hot.de (cached), N.hot.de and
#    N.private.de (new: bogus), N.good.de (new: public), then held open
#    a second more.  Every verdict is checked; the milter holds a
#    connection per session (its descriptors, sampled); afterwards the milter's descriptors and threads are
#    back near where they were (sessions' resources released).
# 2. A flood of 18,000 random domains that do not exist (N.nx.de, each
#    MX answer 20 ms late) from 300 sessions at once, in two rounds,
#    with cache entries = 2000 and max-queries = 32: every recipient
#    gets 550 5.1.2, or 451 4.4.3 when the milter logged it starved of
#    a max-queries place until its deadline (300 sessions wait for 32
#    places: on a loaded machine one may wait 6 s, and a tempfail is
#    then the right answer), the counter of starved queries being
#    exactly the number of those; the nameserver never sees more than 32 queries of
#    the milter at once, nor does the milter count more (SIGUSR2's
#    counters); the cache holds at most 2000 entries, having evicted the
#    rest; and the milter grows by less than 3 MB over the second round
#    (without the bound, a round adds some 4-5 MB; not judged under
#    ASan, whose allocator keeps freed memory in quarantine).
# 3. Hostile answers for many names: 2,000 recipients at new N.big.de
#    (20 sessions at once, so that max-queries is not what is tested),
#    whose MX answers hold 200 records with targets of some 200
#    characters, or 750 as escaped text, over 40 kB on the wire, and
#    whose hosts have 64 addresses of each family (load.fakens), with
#    max-mx = 3 and cache max-bytes = 1 MiB: every recipient accepted;
#    the cache's bytes stay under max-bytes plus its in-flight allowance
#    (entries x 350 bytes, bogusmx.conf(5)), evicting by bytes; and the
#    milter grows by less than max-bytes + 12 MiB over the round.  The
#    constant is not the cache's: it is what the allocator keeps of the
#    decisions in flight (20 sessions at once, each reply of 50 kB
#    parsed by ldns in its own thread, the arenas keeping their peak);
#    1.7 MB were measured on a loaded 2-CPU machine (7.3 MB with 100
#    sessions at once).  Without keeping
#    only what a decision uses, one such MX answer alone was over 100 kB
#    in the cache.  Not judged under ASan.
# After part 2, the resolver guard's counters: armed (distrust=yes, by
# the negative answers with SOA), yet nothing untrusted or deferred.
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
. "$dir/hard.sh"
e2e_init
hard_init
hard_fakens "$dir/load.fakens"
conf=$E2E_TMP/bogusmx.conf
hard_conf "$conf" 'backlog = 2048' 'log-accepts = false' \
	"dns { nameservers = { \"127.0.0.1:$DNS_PORT\" } max-queries = 32 max-mx = 3 }" \
	'cache { entries = 2000 max-bytes = 1048576 }'
e2e_milter_start "$conf"
e2e_postfix 'default_process_limit = 1100'
bogus=554/5.7.1

# Figures of the milter, sampled every 0.2 s while a load runs, into
# the file $1: "rss_kB fds threads" per line.
sample_start() {
	local out=$1
	: >"$out"
	(while kill -0 "$MILTER_PID" 2>/dev/null; do
		echo "$(hard_rss "$MILTER_PID") $(hard_fds "$MILTER_PID") $(hard_threads "$MILTER_PID")" >>"$out"
		sleep 0.2
	done) &
	SAMPLER=$!
}
sample_stop() {
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
}
col_max() { awk -v c="$2" '$c > m {m = $c} END {print m + 0}' "$1"; }

# Warm the cache with hot.de, and note the milter at rest.
echo "u@hot.de u@good.de" >"$E2E_TMP/plan"
hard_load "warm-up" "$E2E_TMP/plan" --expect hot.de=$bogus --expect good.de=250
sleep 0.5
rss0=$(hard_rss "$MILTER_PID") fds0=$(hard_fds "$MILTER_PID")
thr0=$(hard_threads "$MILTER_PID")
echo "    milter at rest: rss=${rss0} kB fds=$fds0 threads=$thr0"

# 1. A thousand sessions at once.
for s in $(seq 1 1000); do
	echo "a@hot.de b@s$s.hot.de c@s$s.private.de d@s$s.good.de"
done >"$E2E_TMP/thousand.plan"
sample_start "$E2E_TMP/thousand.samples"
hard_load "1000 sessions open at once, 4000 verdicts" \
	"$E2E_TMP/thousand.plan" --hold --linger 1 --timeout 120 \
	--expect hot.de=$bogus --expect private.de=$bogus --expect good.de=250
sample_stop
held=$(hard_field held "$LOAD_OUT") maxopen=$(hard_field max_open "$LOAD_OUT")
codes=$(hard_field codes "$LOAD_OUT")
if [ "$held" = 1000 ] && [ "$maxopen" = 1000 ] &&
	[ "$codes" = "250:1000,554:3000" ]; then
	hard_ok "all 1000 sessions held open together; codes $codes"
else
	hard_fail "held=$held max_open=$maxopen codes=$codes (want 1000, 1000, 250:1000,554:3000)"
fi
peak_fds=$(col_max "$E2E_TMP/thousand.samples" 2)
peak_thr=$(col_max "$E2E_TMP/thousand.samples" 3)
peak_rss=$(col_max "$E2E_TMP/thousand.samples" 1)
echo "    milter at the peak: rss=$peak_rss kB fds=$peak_fds threads=$peak_thr"
if [ "$peak_fds" -ge 1000 ]; then
	hard_ok "the milter held a connection per session (peak $peak_fds descriptors)"
else
	hard_fail "peak descriptors $peak_fds: the sessions did not all reach the milter"
fi
# Postfix closes its milter connections as its sessions end; libmilter
# lets its idle workers go after a while.
hard_fds_settle $((fds0 + 4))
fds1=$(hard_fds "$MILTER_PID") rss1=$(hard_rss "$MILTER_PID")
thr1=$(hard_threads "$MILTER_PID")
echo "    milter after: rss=$rss1 kB fds=$fds1 threads=$thr1"
if [ "$fds1" -le $((fds0 + 4)) ]; then
	hard_ok "descriptors back to rest ($fds0 -> $fds1)"
else
	hard_fail "descriptors not released: $fds0 at rest, $fds1 after"
	ls -l "/proc/$MILTER_PID/fd" | tail -n 20
fi
if grep -q 'warning:.*milter' "$E2E_PF/maillog"; then
	hard_fail "Postfix lost the milter:"
	grep 'warning:.*milter' "$E2E_PF/maillog" | head -n 5
else
	hard_ok "Postfix never lost the milter"
fi

# 2. A flood of random domains, in two rounds of 9,000.
flood() { # round
	python3 -c '
import random
a = "abcdefghijklmnopqrstuvwxyz0123456789"
for _ in range(300):
    print(" ".join("x@%s.nx.de" % "".join(random.choice(a) for _ in range(16))
                   for _ in range(30)))' >"$E2E_TMP/flood$1.plan"
}
flood 1
flood 2
# The recipients of the last load that got 451 4.4.3: each must be one
# the milter logged as starved of a max-queries place (a recipient that
# waits its whole deadline for a place gets that tempfail, by design);
# their number goes to $1.
starved_rcpts() { # var
	local r reply n=0
	while IFS=$'\t' read -r _ r reply _; do
		case $reply in 451\ 4.4.3*) ;; *) continue ;; esac
		if ! grep -F "to=<$r> " "$E2E_TMP/milter.log" |
			grep -qF 'deadline passed: 32 DNS queries in flight, the most allowed (max-queries)'; then
			hard_fail "$r got '$reply' but was not starved of a max-queries place"
			grep -F "to=<$r> " "$E2E_TMP/milter.log" | sed 's/^/    /'
		fi
		n=$((n + 1))
	done <"$E2E_TMP/load.log"
	printf -v "$1" %d "$n"
}
sample_start "$E2E_TMP/flood.samples"
hard_load "flood of random domains, round 1 (9000, 300 sessions at once)" \
	"$E2E_TMP/flood1.plan" --expect nx.de=550/5.1.2,451/4.4.3
starved_rcpts starved1
rss_r1=$(hard_rss "$MILTER_PID")
hard_load "flood of random domains, round 2 (9000 more)" \
	"$E2E_TMP/flood2.plan" --expect nx.de=550/5.1.2,451/4.4.3
starved_rcpts starved2
sample_stop
rss_r2=$(hard_rss "$MILTER_PID")
stats=$(hard_fakens_stats)
inflight=$(hard_field max_inflight "$stats")
mstats=$(hard_milter_stats)
echo "    nameserver: $stats"
echo "    milter: $mstats"
echo "    milter rss: $rss1 kB before, $rss_r1 after round 1, $rss_r2 after round 2 (peak $(col_max "$E2E_TMP/flood.samples" 1))"
entries=$(hard_field entries "$mstats") evictions=$(hard_field evictions "$mstats")
minflight=$(hard_field inflight_max "$mstats") starved=$(hard_field starved "$mstats")
if [ -n "$entries" ] && [ "$entries" -le 2000 ] && [ "${evictions:-0}" -ge 10000 ]; then
	hard_ok "the cache kept its bound: $entries entries (entries = 2000), $evictions evicted"
else
	hard_fail "cache: entries='$entries' evictions='$evictions' (want <= 2000 and >= 10000)"
fi
if [ -n "$inflight" ] && [ "$inflight" -le 32 ] && [ "$inflight" -ge 16 ] &&
	[ "$minflight" = 32 ]; then
	hard_ok "queries in flight: at most $inflight at the nameserver, $minflight in the milter (max-queries = 32)"
else
	hard_fail "queries in flight: '$inflight' at the nameserver, '$minflight' in the milter (want 16..32, 32)"
fi
# Each recipient here makes one query (an MX answer NXDOMAIN): the
# milter's starved count is exactly the recipients that got 451.
if [ "$starved" = $((starved1 + starved2)) ]; then
	hard_ok "starvation accounted: $starved starved (counter), $starved1 + $starved2 recipients with 451 4.4.3 (max-queries), every other one 550 5.1.2"
else
	hard_fail "starved counter '$starved', recipients starved $starved1 + $starved2"
fi
# The resolver guard's line (SIGUSR2): distrust=yes by design, armed by
# the first negative answer with SOA (nxdomain-soa, nodata-soa here, as
# a real resolver sends them), so that an empty answer WITHOUT SOA would
# be taken as records removed; private=unknown (no private canary
# configured) and nxdomain=unknown (fakens sends no reply to a name no
# entry matches, such as the random canary).  A resolver that never
# sends an empty answer without SOA costs nothing: none seen, no
# recipient untrusted or deferred by the guard.
g_distrust=$(hard_field distrust "$mstats") g_nosoa=$(hard_field empty-nosoa "$mstats")
g_untrusted=$(hard_field untrusted "$mstats") g_def=$(hard_field deferrals "$mstats")
if [ "$g_distrust" = yes ] && [ "$g_nosoa" = 0 ] && [ "$g_untrusted" = 0 ] &&
	[ "$g_def" = 0 ]; then
	hard_ok "resolver guard armed by SOA-bearing negatives, and cost nothing: distrust=$g_distrust empty-nosoa=$g_nosoa untrusted=$g_untrusted deferrals=$g_def"
else
	hard_fail "resolver guard: distrust='$g_distrust' empty-nosoa='$g_nosoa' untrusted='$g_untrusted' deferrals='$g_def' (want yes 0 0 0)"
fi
# round 1 filled the cache (2000 entries of 9000 names): round 2 must
# not grow the milter by more than allocator noise
if hard_asan; then
	echo "    (memory growth not judged under ASan: +$((rss_r2 - rss_r1)) kB)"
elif [ $((rss_r2 - rss_r1)) -le 3072 ]; then
	hard_ok "memory flat once the cache is full: +$((rss_r2 - rss_r1)) kB over round 2"
else
	hard_fail "memory grew by $((rss_r2 - rss_r1)) kB over round 2"
fi

# 3. Hostile answers for many names.
python3 -c '
import random
a = "abcdefghijklmnopqrstuvwxyz0123456789"
for _ in range(20):
    print(" ".join("x@%s.big.de" % "".join(random.choice(a) for _ in range(16))
                   for _ in range(100)))' >"$E2E_TMP/big.plan"
rss_h0=$(hard_rss "$MILTER_PID")
sample_start "$E2E_TMP/big.samples"
hard_load "hostile answers: 2000 new names, 200 MX records each" \
	"$E2E_TMP/big.plan" --expect big.de=250
sample_stop
rss_h1=$(hard_rss "$MILTER_PID")
mstats=$(hard_milter_stats)
echo "    milter: $mstats"
echo "    milter rss: $rss_h0 kB before, $rss_h1 after (peak $(col_max "$E2E_TMP/big.samples" 1))"
codes=$(hard_field codes "$LOAD_OUT")
bytes=$(hard_field bytes "$mstats") maxb=$(hard_field max-bytes "$mstats")
bev=$(hard_field byte_evictions "$mstats")
if [ "$codes" = "250:2000" ]; then
	hard_ok "every hostile recipient accepted (codes $codes)"
else
	hard_fail "hostile answers: codes $codes (want 250:2000)"
fi
if [ -n "$bytes" ] && [ "$maxb" = 1048576 ] &&
	[ "$bytes" -le $((maxb + 2000 * 350)) ] && [ "${bev:-0}" -gt 0 ]; then
	hard_ok "the cache kept its byte budget: $bytes bytes (max-bytes = $maxb), $bev evicted for bytes"
else
	hard_fail "cache bytes '$bytes' (max-bytes '$maxb', want at most $((1048576 + 2000 * 350))), byte_evictions '$bev' (want > 0)"
fi
if hard_asan; then
	echo "    (memory growth not judged under ASan: +$((rss_h1 - rss_h0)) kB)"
elif [ $((rss_h1 - rss_h0)) -le $((1024 + 12288)) ]; then
	hard_ok "memory under the byte budget plus 12 MiB: +$((rss_h1 - rss_h0)) kB over the hostile round"
else
	hard_fail "memory grew by $((rss_h1 - rss_h0)) kB over the hostile round (budget 1024 kB + 12288 kB)"
fi

hard_milter_stop_clean
e2e_done
