#!/bin/bash
# postfix.sh - end to end through a real Postfix, the milter asking a real
# recursive resolver.
#
# Usage: postfix.sh MODE BOGUSMX-MILTER E2E-DIR BOGUSMX-CHECK
#
# The answers of test/milter/milter.data and test/dns/backup.data (the
# backup MX, AAAA and round-robin cases) become a root zone served by
# nsd; the resolver of MODE (chain.sh: unbound, unbound-private,
# dnsmasq, dnsmasq-rebind, dnsmasq-block, nxrewrite) recurses from it;
# bogusmx-milter asks that resolver, with its resolver guard as shipped
# (and the private canary canary.guard-test where MODE's run.sh line
# says so); a private Postfix on loopback asks the milter, and swaks
# sends one RCPT per domain.
#
# The verdict straight from the authoritative answers is bogusmx-check's,
# asked of nsd itself.  Through a plain resolver (unbound, dnsmasq) the
# SMTP reply class must be the same for every domain.  Through a
# filtering one no domain may get 250 that the authoritative answers
# refuse or defer: deferrals (451) are counted, and so are refusals of
# names blocked with 0.0.0.0.  Then the milter's log must show the
# guard's word on the resolver (a finding through unbound-private,
# dnsmasq-rebind and nxrewrite, "passes" through the plain ones), and
# its SIGUSR2 counters the guard's line with the deferrals.
set -u
mode=$1 BOGUSMX_MILTER=$2 dir=$3 check=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"
. "$dir/hard.sh"
e2e_init
tmp=$E2E_TMP
. "$here/chain.sh"
trap 'stop_all; e2e_cleanup' EXIT
python3 "$here/data2zone.py" "$dir/../milter/milter.data" \
	"$dir/../dns/backup.data" >"$tmp/root.zone"
start_chain "$mode" "$tmp/root.zone" || exit 1
domains=$(awk '$4 == "MX" { sub(/\.$/, "", $1); print $1 }' "$tmp/root.zone" |
	sort -u)
domains="$domains nx.de servfail.de"

# Straight from the authoritative server: the verdict of each domain.
declare -A want
: >"$tmp/empty.conf"
for d in $domains; do
	v=$("$check" -c "$tmp/empty.conf" --json -s "127.0.0.1:$NSD_PORT" "user@$d" |
		python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["verdict"])')
	want[$d]=$v
done

DNS_PORT=$RESOLVER_PORT
e2e_milter "resolver-guard { private-canary = \"$CANARY\" }"
e2e_postfix

plain=0
case $mode in unbound | dnsmasq) plain=1 ;; esac
deferred=0 refused=0 wrong=0 guarded=0 distrusted=0
for d in $domains; do
	E2E_N=$((E2E_N + 1))
	out=$(swaks --server "127.0.0.1:$SMTP_PORT" --helo client.bogusmx.test \
		--from sender@sender.test --timeout 30 --to "user@$d" \
		--quit-after RCPT 2>&1)
	code=$(printf '%s\n' "$out" | grep -A1 '^ -> RCPT TO' | tail -n 1 |
		sed 's/^ *<[-*]* *\([0-9]\).*/\1/')
	case $code in 2) got=accept ;; 5) got=reject ;; 4) got=tempfail ;; *) got="?$code" ;; esac
	w=${want[$d]}
	# the guard's deferrals: answers it cannot trust, and 0.0.0.0 or ::
	# alone (unspecified-address = defer)
	[[ "$out" == *"cannot be trusted"* ||
		"$out" == *"may be blocking the name"* ]] &&
		guarded=$((guarded + 1))
	[[ "$out" == *"cannot be trusted"* ]] && distrusted=$((distrusted + 1))
	if [ "$got" = "$w" ]; then
		echo "ok: $d: $got"
	elif [ "$got" = accept ]; then
		wrong=$((wrong + 1))
		E2E_FAILS=$((E2E_FAILS + 1))
		echo "FAIL: $d: WRONG ACCEPT (authoritative: $w)"
	elif [ $plain = 1 ] && ! grep -q "^user@$d $got " "$here/plain.differ"; then
		E2E_FAILS=$((E2E_FAILS + 1))
		echo "FAIL: $d: $got, authoritative: $w"
		printf '%s\n' "$out" | grep '<-' | sed 's/^/    /'
	elif [ "$got" = tempfail ]; then
		deferred=$((deferred + 1))
		echo "ok: $d: deferred (authoritative: $w)"
	elif [ "$got" = reject ] && [ $plain = 0 ]; then
		refused=$((refused + 1))
		echo "ok: $d: refused (authoritative: $w)"
	else
		E2E_FAILS=$((E2E_FAILS + 1))
		echo "FAIL: $d: $got, authoritative: $w"
	fi
done
echo "$mode: $(echo $domains | wc -w) domains, $deferred deferred, $refused refused, $wrong wrong accepts"

# The guard's word in the log (the thread looks every 5 s).
E2E_N=$((E2E_N + 1))
case $mode in
unbound-private) re='resolver guard: Resolver .* removes private addresses' ;;
dnsmasq-rebind) re='resolver guard: Resolver .* empty answers without SOA' ;;
nxrewrite) re='resolver guard: Resolver .* rewrites NXDOMAIN' ;;
*) re='resolver guard: resolver .* passes' ;;
esac
for _ in $(seq 1 100); do
	grep -q "$re" "$E2E_TMP/milter.log" && break
	sleep 0.1
done
if line=$(grep -m1 "$re" "$E2E_TMP/milter.log"); then
	echo "ok: the log: ${line#*bogusmx-milter*: }"
else
	E2E_FAILS=$((E2E_FAILS + 1))
	echo "FAIL: no \"$re\" in the milter's log"
fi
# The counters (SIGUSR2): the guard's line, its deferrals.  Through a
# plain resolver none is for distrust (0.0.0.0 alone is deferred by the
# corpus' own answers, straight from the zone too).
E2E_N=$((E2E_N + 1))
stats=$(hard_milter_stats)
n=$(printf '%s\n' "$stats" | sed -n 's/.*guard .* deferrals=\([0-9]*\).*/\1/p')
if [ -n "$n" ] && [ "$n" = "$guarded" ] &&
	{ [ $plain = 0 ] || [ "$distrusted" = 0 ]; }; then
	echo "ok: counters: ${stats#*; guard }"
else
	E2E_FAILS=$((E2E_FAILS + 1))
	echo "FAIL: counters: $stats (deferred by the guard: $guarded)"
fi
# A sanitizer build of the milter (ASan, TSan): no report so far.
E2E_N=$((E2E_N + 1))
if grep -q 'Sanitizer' "$E2E_TMP/milter.log"; then
	E2E_FAILS=$((E2E_FAILS + 1))
	echo "FAIL: a sanitizer report in the milter's log"
else
	echo "ok: no sanitizer report in the milter's log"
fi
e2e_done
