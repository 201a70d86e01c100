#!/bin/bash
# report.sh - the migration report end to end: bogusmx in log mode
# behind a real Postfix, a known mix of recipients through SMTP (swaks),
# every one accepted by Postfix; then bogusmx-ctl report must count what
# action = "reject" would have refused, by outcome and class, with the
# top domains, and the metrics endpoint the actions taken.
#
# Usage: report.sh BOGUSMX-MILTER TESTDIR BOGUSMX-CTL
set -u
BOGUSMX_MILTER=$1 dir=$2 ctl=$3
. "$dir/lib.sh"
e2e_init
e2e_dns "$dir/../milter/milter.data"
mkdir -m 0750 "$E2E_TMP/run"
chown nobody "$E2E_TMP/run"
sock=$E2E_TMP/run/control.sock
mport=$(e2e_port)
e2e_milter 'action = "log"' "control-socket = \"$sock\"" \
	"metrics = \"inet:$mport@127.0.0.1\""
e2e_postfix

# 3 at hot.de (loopback MX), 2 at private.de (10.1.2.3), 1 at
# servfail.de (SERVFAIL), 2 at good.de, and a local recipient (skipped)
e2e_expect "log mode: a refusable recipient passes" '<-  250 2.1.5 Ok' \
	--to a@hot.de --quit-after RCPT
e2e_expect "log mode: mixed recipients all pass" \
	'-> RCPT TO:<c@private.de>
<-  250 2.1.5 Ok' --to b@hot.de,a@private.de,a@good.de,c@private.de \
	--quit-after RCPT
e2e_expect "log mode: a DNS failure passes" '<-  250 2.1.5 Ok' \
	--to t@servfail.de,c@hot.de,b@good.de --quit-after RCPT
e2e_expect "local recipient skipped" '<-  250 2.1.5 Ok' \
	--to someone@local.bogusmx.test --quit-after RCPT

jfield() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
E2E_N=$((E2E_N + 1))
json=$("$ctl" -s "$sock" --json report)
got=$(jfield '(d["decisions"], d["rejected"], d["tempfailed"], [(r["verdict"], r["outcome"], r["class"], r["count"]) for r in d["rows"]], [(x["domain"], x["count"], x["error"]) for x in d["domains"]])' <<<"$json")
want="(8, 5, 1, [('reject', 'bogus', 'loopback', 3), ('reject', 'bogus', 'private', 2), ('tempfail', 'tempfail', 'tempfail', 1)], [('hot.de', 3, 0), ('private.de', 2, 0), ('servfail.de', 1, 0)])"
if [ "$got" = "$want" ]; then
	echo "ok: bogusmx-ctl --json report: $got"
else
	echo "FAIL: bogusmx-ctl --json report: $got, want $want"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
E2E_N=$((E2E_N + 1))
out=$("$ctl" -s "$sock" report 2)
if [[ "$out" == *"8 decisions; with action = reject, 5 would have been rejected and 1 deferred"* &&
	"$out" == *"reject    bogus          loopback                      3"* &&
	"$out" == *"hot.de "* && "$out" == *"private.de "* && "$out" != *"servfail.de "* ]]; then
	echo "ok: bogusmx-ctl report 2: the table and the top two domains"
else
	echo "FAIL: bogusmx-ctl report 2:"
	echo "$out"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
E2E_N=$((E2E_N + 1))
metrics=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
	"http://127.0.0.1:$mport/metrics")
if grep -q '^bogusmx_actions_total{action="log"} 6$' <<<"$metrics" &&
	grep -q '^bogusmx_actions_total{action="accept"} 2$' <<<"$metrics" &&
	grep -q '^bogusmx_actions_total{action="reject"} 0$' <<<"$metrics"; then
	echo "ok: metrics: 6 logged, 2 accepted, none rejected"
else
	echo "FAIL: metrics:"
	grep '^bogusmx_actions_total\|^bogusmx_skipped' <<<"$metrics"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
# Postfix let every one through: no milter-reject in its log
E2E_N=$((E2E_N + 1))
if grep -q 'milter-reject' "$E2E_PF/maillog"; then
	echo "FAIL: Postfix logged a milter-reject in log mode"
	E2E_FAILS=$((E2E_FAILS + 1))
else
	echo "ok: no milter-reject in Postfix's log"
fi
e2e_milter_stop
e2e_done
