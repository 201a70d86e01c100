#!/bin/bash
# run_miltertest.sh - the milter protocol tests.
#
# Usage: run_miltertest.sh BOGUSMX-MILTER TESTDIR [WRAPPER...]
#
# WRAPPER, when given, runs the milter (e.g. valgrind with its options:
# the milter must then exit 0 after SIGTERM, so a valgrind error or a
# leak fails the test through --error-exitcode).
# Starts ldns-testns with TESTDIR/milter.data and bogusmx-milter in the
# foreground on random loopback ports, runs miltertest with
# TESTDIR/rcpt.lua, then checks the milter's log: one line per decision
# with the exact reply.  Only loopback is used.
set -u
milter=$1 dir=$2
shift 2
wrap=("$@")
. "$dir/../common/harness.sh"
harness_need ldns-testns miltertest python3
harness_tmp

. "$dir/../common/testns.sh"
testns_start "$tmp/testns.log" ldns-testns -r "$dir/milter.data" || exit 1
pids+=($TESTNS_PID)
dnsport=$TESTNS_PORT
port=$(harness_port)

printf '# a WARN rule is logged, never acted on\n8.8.8.8/32 WARN public resolver as MX host\n' >"$tmp/warn.cidr"
cat >"$tmp/bogusmx.conf" <<CONF
socket = "inet:$port@127.0.0.1"
tables = { "$tmp/warn.cidr" }
exempt-domains = { "exempt.de" }
exempt-clients = { "192.0.2.0/24" }
exempt-next-hops = { "[partner.test]" }
dns {
	nameservers = { "127.0.0.1:$dnsport" }
	timeout-ms = 500
	attempts = 1
	deadline-ms = 2000
}
CONF
user=()
[ "$(id -u)" = 0 ] && user=(-u nobody)
"${wrap[@]}" "$milter" -f -c "$tmp/bogusmx.conf" "${user[@]}" >"$tmp/milter.log" 2>&1 &
mpid=$!
pids+=($mpid)

fails=0
if ! miltertest -s "$dir/rcpt.lua" -D "sock=inet:$port@127.0.0.1" -D "dir=$dir"; then
	echo "FAIL: miltertest"
	fails=$((fails + 1))
fi

# The log: the exact replies, and why recipients were skipped.
want_log() {
	if grep -qF -- "$1" "$tmp/milter.log"; then
		echo "ok: log has: $1"
	else
		echo "FAIL: log lacks: $1"
		fails=$((fails + 1))
	fi
}
want_log 'QID123: reject: RCPT from client.test[198.51.100.7]: 554 5.7.1 <user@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122); to=<user@hot.de> domain=hot.de mx=null.hot.de address=127.0.0.1 class=loopback outcome=bogus'
want_log 'accept: RCPT from client.test[198.51.100.7]: to=<user@good.de> domain=good.de mx=- address=- class=public outcome=accept'
# only 0.0.0.0: what a resolver that blocks the name answers, deferred
want_log 'tempfail: RCPT from client.test[198.51.100.7]: 451 4.4.3 <x@mhx.com>: Recipient address rejected: Cannot check mhx.com: the DNS resolver answers 0.0.0.0 for MX host mail.mhx.com, so it may be blocking the name; try again later'
want_log '554 5.7.1 <y@private.de>: Recipient address rejected: MX host mx.private.de[10.1.2.3] is in private network (RFC 1918)'
want_log '556 5.1.10 <z@nullmx.de>: Recipient address rejected: Domain nullmx.de does not accept mail (null MX, RFC 7505)'
want_log 'tempfail: RCPT from client.test[198.51.100.7]: 451 4.4.3 <t@servfail.de>: Recipient address rejected: Temporary DNS failure for servfail.de; try again later'
want_log '550 5.1.2 <n@nx.de>: Recipient address rejected: Domain nx.de does not exist'
want_log '554 5.7.1 <lit@[127.0.0.1]>: Recipient address rejected: Address literal [127.0.0.1] is in loopback network'
want_log '501 5.1.3 <bad@hot..de>: Recipient address rejected: Bad recipient address syntax'
want_log 'skip: RCPT from client.test[198.51.100.7]: to=<local@hot.de>: mailer not routed by MX'
want_log 'reject: RCPT from client.test[198.51.100.7]: 554 5.7.1 <user%hot.de@good.de>: Recipient address rejected: Routed to hot.de by the percent hack: MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122); to=<user%hot.de@good.de> domain=hot.de mx=null.hot.de address=127.0.0.1 class=loopback outcome=bogus'
want_log 'reject: RCPT from client.test[198.51.100.7]: 554 5.7.1 <smart@hot.de>: Recipient address rejected: MX host null.hot.de[127.0.0.1]'
want_log '554 5.7.1 <nohost@hot.de>: Recipient address rejected'
want_log '554 5.7.1 <named@hot.de>: Recipient address rejected'
want_log 'skip: RCPT from client.test[198.51.100.7]: to=<partner@hot.de>: exempt next hop'
want_log '554 5.7.1 <relayed@hot.de>: Recipient address rejected'
want_log 'skip: RCPT from client.test[198.51.100.7]: to=<relaydomain@hot.de>: mailer not routed by MX'
want_log '554 5.7.1 <smarthost@hot.de>: Recipient address rejected'
want_log 'skip: RCPT from client.test[198.51.100.7]: to=<prog@hot.de>: mailer not routed by MX'
want_log 'to=<postmaster@exempt.de> domain=exempt.de mx=- address=- class=exempt outcome=no-check'
want_log 'skip: RCPT from client.test[192.0.2.10]: to=<user@hot.de>: exempt client'
want_log 'lookups=0 cache=none'
want_log 'QID123: warn: RCPT from client.test[198.51.100.7]: to=<user@good.de> address=8.8.8.8: '"$tmp"'/warn.cidr:2: WARN public resolver as MX host'
want_log "table $tmp/warn.cidr: 1 rules"
want_log 'cache=hit'

# SIGUSR1 with a broken file keeps the old configuration and says why.
echo 'mode = "sometimes"' >>"$tmp/bogusmx.conf"
kill -USR1 $mpid
for _ in $(seq 1 100); do
	grep -q 'reload failed' "$tmp/milter.log" && break
	sleep 0.1
done
want_log "$tmp/bogusmx.conf:12: mode = \"sometimes\": must be one of any, all"
want_log 'reload failed: the configuration in force is kept'
if miltertest -s "$dir/rcpt.lua" -D "sock=inet:$port@127.0.0.1" -D "dir=$dir" >"$tmp/again.log"; then
	echo "ok: the old configuration still serves"
else
	echo "FAIL: after a broken reload"
	cat "$tmp/again.log"
	fails=$((fails + 1))
fi
# SIGTERM stops cleanly.
kill -TERM $mpid
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
want_log 'stopping'

# Another milter on the same port with CONF, driven by SCRIPT.lua; its
# log lines are checked after it stopped (exit 0 on SIGTERM).
# Usage: milter_script CONF SCRIPT
milter_script() {
	"${wrap[@]}" "$milter" -f -c "$1" "${user[@]}" >>"$tmp/milter.log" 2>&1 &
	mpid=$!
	pids+=($mpid)
	if ! miltertest -s "$dir/$2.lua" -D "sock=inet:$port@127.0.0.1" -D "dir=$dir"; then
		echo "FAIL: miltertest $2.lua"
		fails=$((fails + 1))
	fi
	kill -TERM $mpid
	wait $mpid
	rc=$?
	if [ $rc = 0 ]; then echo "ok: clean exit ($2)"; else
		echo "FAIL: exit status $rc after SIGTERM ($2)"
		fails=$((fails + 1))
	fi
}

# Action tag and the sender check.
cat >>"$tmp/tag.conf" <<CONF
socket = "inet:$port@127.0.0.1"
action = "tag"
check-sender = true
exempt-authenticated = true
dns { nameservers = { "127.0.0.1:$dnsport" } }
CONF
milter_script "$tmp/tag.conf" tag
want_log 'QIDTAG: tag (would reject): MAIL from client.test[198.51.100.7]: 554 5.7.1 <bounce@hot.de>: Sender address rejected: MX host null.hot.de[127.0.0.1]'
want_log 'QIDTAG: tag (would reject): RCPT from client.test[198.51.100.7]: 554 5.7.1 <user@hot.de>'
want_log 'QIDAUTH: skip: RCPT from auth.test[198.51.100.8]: to=<user@hot.de>: authenticated client'
want_log 'QIDAUTH: skip: MAIL from auth.test[198.51.100.8]: from=<form@good.de>: authenticated client'

# Replies built from fields: the sender check and an override; a
# mailbox that holds "Recipient address rejected: " or "address
# rejected: " moves neither the role nor the override's text.
cat >"$tmp/fields.conf" <<CONF
socket = "inet:$port@127.0.0.1"
check-sender = true
reply bogus { text = "custom {detail}" }
dns { nameservers = { "127.0.0.1:$dnsport" } }
CONF
milter_script "$tmp/fields.conf" fields
want_log 'QIDFLD1: reject: MAIL from client.test[198.51.100.7]: "554 5.7.1 <\"x Recipient address rejected: y\"@[127.0.0.1]>: Sender address rejected: custom Address literal [127.0.0.1] is in loopback network (RFC 1122)"; from="<\"x Recipient address rejected: y\"@[127.0.0.1]>"'
want_log 'QIDFLD2: reject: RCPT from client.test[198.51.100.7]: "554 5.7.1 <\"a address rejected: b\"@[127.0.0.1]>: Recipient address rejected: custom Address literal [127.0.0.1] is in loopback network (RFC 1122)"; to="<\"a address rejected: b\"@[127.0.0.1]>"'
# No client-chosen text moves a log line's fields: read by its format,
# the line of a mailbox that holds " domain=evil.com why=y" has the real
# values (and no why= at all).
want_fields() {
	if out=$(python3 "$dir/logfields.py" "$tmp/milter.log" "$@"); then
		echo "ok: log fields of $1: ${*:2}"
	else
		echo "FAIL: log fields of $1: $out"
		fails=$((fails + 1))
	fi
}
want_fields QIDFLD3 what=reject client='client.test[198.51.100.7]' \
	'reply=554 5.7.1 <"x> domain=evil.com why=y"@[127.0.0.1]>: Recipient address rejected: custom Address literal [127.0.0.1] is in loopback network (RFC 1122)' \
	'to=<"x> domain=evil.com why=y"@[127.0.0.1]>' mx=- address=127.0.0.1 \
	class=loopback outcome=bogus lookups=0 cache=none
want_fields QIDFLD1 what=reject 'from=<"x Recipient address rejected: y"@[127.0.0.1]>' outcome=bogus
want_fields QID123 what=reject 'to=<user@hot.de>' domain=hot.de mx=null.hot.de class=loopback
if python3 "$dir/logfields.py" "$tmp/milter.log" QIDFLD3 why=y >/dev/null; then
	echo "FAIL: a planted why= was read as a field"
	fails=$((fails + 1))
fi
# Cache settings wait for the next start, as a reload says: started
# without a cache, the daemon has none after a reload that asks for one.
cat >"$tmp/nocache.conf" <<CONF
socket = "inet:$port@127.0.0.1"
cache { entries = 0 }
dns { nameservers = { "127.0.0.1:$dnsport" } }
CONF
"${wrap[@]}" "$milter" -f -c "$tmp/nocache.conf" "${user[@]}" >"$tmp/nocache.log" 2>&1 &
mpid=$!
pids+=($mpid)
for _ in $(seq 1 100); do
	grep -q 'listening on' "$tmp/nocache.log" && break
	sleep 0.1
done
sed -i 's/entries = 0/entries = 1000/' "$tmp/nocache.conf"
kill -USR1 $mpid
for _ in $(seq 1 100); do
	grep -q 'reloaded configuration' "$tmp/nocache.log" && break
	sleep 0.1
done
miltertest -s "$dir/rcpt.lua" -D "sock=inet:$port@127.0.0.1" -D "dir=$dir" >/dev/null 2>&1
after=$(sed -n '/reloaded configuration/,$p' "$tmp/nocache.log")
if grep -q 'cache settings take effect only at the next start' "$tmp/nocache.log" &&
	grep -q 'cache=miss' <<<"$after" && ! grep -q 'cache=hit\|cache=partial' <<<"$after"; then
	echo "ok: cache settings of a reload: said to wait for the next start, and they do"
else
	echo "FAIL: cache settings of a reload"
	cat "$tmp/nocache.log"
	fails=$((fails + 1))
fi
kill -TERM $mpid
wait $mpid

if [ $fails != 0 ]; then
	echo "--- milter log"
	cat "$tmp/milter.log"
fi
echo "$fails failed"
[ $fails = 0 ]
