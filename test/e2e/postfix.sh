#!/bin/bash
# postfix.sh - end to end through a real Postfix: the seed's story.
#
# Usage: postfix.sh BOGUSMX-MILTER TESTDIR
#
# A private Postfix (smtpd_milters -> bogusmx-milter) on loopback, swaks
# as the client: hot.de gets 554 5.7.1 during the SMTP dialogue, a good
# domain 250, every recipient of a session is judged on its own, local
# recipients are skipped, a DNS failure is a 451, reloads under traffic
# lose no session, and when the milter is killed Postfix defers
# (milter_default_action = tempfail): no mail is lost or let through.
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
e2e_init
e2e_dns "$dir/../milter/milter.data"
e2e_milter 'exempt-domains = { "exempt.de" }'
e2e_postfix

e2e_expect "hot.de refused at RCPT with the seed's reply" \
	'554 5.7.1 <user@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)' \
	--to user@hot.de --quit-after RCPT
e2e_expect "good domain accepted" '<-  250 2.1.5 Ok' \
	--to user@good.de --quit-after RCPT
e2e_expect "only 0.0.0.0 (a blocking resolver's answer) deferred" \
	'451 4.4.3 <x@mhx.com>: Recipient address rejected: Cannot check mhx.com: the DNS resolver answers 0.0.0.0 for MX host mail.mhx.com, so it may be blocking the name; try again later' \
	--to x@mhx.com --quit-after RCPT
e2e_expect "null MX refused with 556" '556 5.1.10 <z@nullmx.de>' \
	--to z@nullmx.de --quit-after RCPT
e2e_expect "nonexistent domain refused with 550" '550 5.1.2 <n@nx.de>' \
	--to n@nx.de --quit-after RCPT
e2e_expect "DNS failure deferred with 451" \
	'451 4.4.3 <t@servfail.de>: Recipient address rejected: Temporary DNS failure for servfail.de; try again later' \
	--to t@servfail.de --quit-after RCPT
e2e_expect "address literal classified" \
	'554 5.7.1 <u@[10.9.8.7]>: Recipient address rejected: Address literal [10.9.8.7] is in private network (RFC 1918)' \
	--to 'u@[10.9.8.7]' --quit-after RCPT
# [127.0.0.1] is this Postfix itself: local delivery, not checked.
e2e_expect "address literal of this server is Postfix's own" \
	'<-  250 2.1.5 Ok' --to 'u@[127.0.0.1]' --quit-after RCPT
# Several recipients in one session: each on its own.
out_many() {
	e2e_expect "mixed recipients: $1" "$2" \
		--to user@hot.de,u@good.de,y@private.de,v@good.de --quit-after RCPT
}
out_many "first refused" '554 5.7.1 <user@hot.de>'
out_many "private refused" '554 5.7.1 <y@private.de>: Recipient address rejected: MX host mx.private.de[10.1.2.3] is in private network (RFC 1918)'
out_many "last good accepted" '-> RCPT TO:<v@good.de>
<-  250 2.1.5 Ok'
# Not routed by MX: local delivery (mydestination) is never checked.
e2e_expect "local recipient skipped" '<-  250 2.1.5 Ok' \
	--to someone@local.bogusmx.test --quit-after RCPT
e2e_expect "exempt domain accepted" '<-  250 2.1.5 Ok' \
	--to user@exempt.de --quit-after RCPT
# A whole message to a good recipient goes through (to discard).
e2e_expect "message to a good domain queued" '<-  250 2.0.0 Ok: queued' \
	--to user@good.de
# The milter's log says what it did, Postfix's says milter-reject.
E2E_N=$((E2E_N + 1))
if grep -q 'milter-reject: RCPT from .*554 5.7.1 <user@hot.de>' "$E2E_PF/maillog" &&
	grep -q 'reject: RCPT from .*to=<user@hot.de> domain=hot.de mx=null.hot.de address=127.0.0.1 class=loopback' "$E2E_TMP/milter.log"; then
	echo "ok: both logs explain the reject"
else
	echo "FAIL: logs"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
# Reload under traffic: 4 clients x 10 sessions while SIGUSR1 arrives
# again and again; every session must get the right answers.
load=()
for c in 1 2 3 4; do
	(
		for i in $(seq 1 10); do
			swaks --server "127.0.0.1:$SMTP_PORT" --helo c.test \
				--from s@sender.test --to "u$i@hot.de,v$i@good.de" \
				--quit-after RCPT --timeout 30 2>&1
		done
	) >"$E2E_TMP/load.$c" &
	load+=($!)
done
for i in $(seq 1 10); do
	kill -USR1 "$MILTER_PID"
	sleep 0.2
done
wait "${load[@]}"
E2E_N=$((E2E_N + 1))
rej=$(cat "$E2E_TMP"/load.* | grep -c '554 5.7.1 <u[0-9]*@hot.de>: Recipient address rejected: MX host null.hot.de')
acc=$(cat "$E2E_TMP"/load.* | grep -A1 'RCPT TO:<v[0-9]*@good.de>' | grep -c '250 2.1.5 Ok')
reloads=$(grep -c 'reloaded configuration' "$E2E_TMP/milter.log")
if [ "$rej" = 40 ] && [ "$acc" = 40 ] && [ "$reloads" -ge 5 ]; then
	echo "ok: reload under traffic: 40 rejects, 40 accepts, $reloads reloads"
else
	echo "FAIL: reload under traffic: $rej rejects, $acc accepts of 40 each, $reloads reloads"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
# Milter down (killed outright): Postfix defers, nothing is let through.
kill -KILL "$MILTER_PID"
wait "$MILTER_PID" 2>/dev/null
e2e_expect "milter killed: deferred, not accepted" '451 4.7.1' \
	--to user@hot.de --quit-after RCPT
e2e_done
