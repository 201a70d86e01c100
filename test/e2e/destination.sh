#!/bin/bash
# destination.sh - end to end through a real Postfix: the real
# destination of a recipient is judged.
#
# Usage: destination.sh BOGUSMX-MILTER TESTDIR
#
# A private Postfix set up the way web servers that send form mail
# often are: a smart host (relayhost = [smarthost.test], default
# transport smtp), a local domain local.de (mydestination), a relayed
# domain relayed.de (relay_domains, the relay transport) and two
# per-domain routes (transport_maps), one of them trusted in the
# milter's exempt-next-hops.  DNS from ../dns/destination.data: hot.de,
# relayed.de, partner.de and other.de have their MX on 127.0.0.1.
#
# Checked: the four forms Postfix's trivial-rewrite routes by once it
# has stripped the local domain (percent hack, bang path, user@dom@local,
# "user@dom"@local) are refused naming hot.de; the smart host's
# recipients are checked; relay_domains (the relay transport) and the
# trusted route are not; the other route is.
#
# The client quits after RCPT: nothing is ever queued, so Postfix never
# tries the smart host (which does not exist: smtp_dns_support_level =
# disabled and no /etc/hosts entry).  Only loopback is used.
set -u
BOGUSMX_MILTER=$1 dir=$2
. "$dir/lib.sh"
e2e_init
e2e_dns "$dir/../dns/destination.data"
e2e_milter 'exempt-next-hops = { "[mx.partner.test]" }'
E2E_MASTER_CF=('relay     unix  -       -       n       -       -       smtp')
e2e_postfix \
	'mydestination = local.bogusmx.test, local.de' \
	'default_transport = smtp' \
	'relayhost = [smarthost.test]' \
	'relay_domains = relayed.de' \
	'relay_transport = relay' \
	'transport_maps = inline:{ partner.de=smtp:[mx.partner.test], other.de=smtp:[mx.other.test] }'

hot='MX host loop.dest.net[127.0.0.1] is in loopback network (RFC 1122)'
# The four routing forms on a local domain: Postfix would deliver to
# hot.de; refused, the reply naming hot.de.
e2e_expect "percent hack on a local domain refused" \
	"554 5.7.1 <user%hot.de@local.de>: Recipient address rejected: Routed to hot.de by the percent hack: $hot" \
	--to 'user%hot.de@local.de' --quit-after RCPT
e2e_expect "bang path on a local domain refused" \
	"554 5.7.1 <hot.de!user@local.de>: Recipient address rejected: Routed to hot.de by the bang path: $hot" \
	--to 'hot.de!user@local.de' --quit-after RCPT
e2e_expect "user@dom@local refused" \
	"554 5.7.1 <user@hot.de@local.de>: Recipient address rejected: Routed to hot.de by the '@' in the local part: $hot" \
	--to 'user@hot.de@local.de' --quit-after RCPT
e2e_expect "quoted \"user@dom\"@local refused" \
	"554 5.7.1 <\"user@hot.de\"@local.de>: Recipient address rejected: Routed to hot.de by the quoted local part: $hot" \
	--to '"user@hot.de"@local.de' --quit-after RCPT
e2e_expect "percent hack to a good domain accepted" '<-  250 2.1.5 Ok' \
	--to 'user%good.de@local.de' --quit-after RCPT
e2e_expect "a plain local recipient skipped" '<-  250 2.1.5 Ok' \
	--to 'someone@local.de' --quit-after RCPT
# The smart host: {rcpt_host} is [smarthost.test], and still checked.
e2e_expect "smart host: hot.de refused" \
	"554 5.7.1 <user@hot.de>: Recipient address rejected: $hot" \
	--to user@hot.de --quit-after RCPT
e2e_expect "smart host: good domain accepted" '<-  250 2.1.5 Ok' \
	--to user@good.de --quit-after RCPT
# relay_domains: the relay transport, whose domains name this server as
# their MX by design: not checked.
e2e_expect "relay_domains (relay transport) not checked" '<-  250 2.1.5 Ok' \
	--to user@relayed.de --quit-after RCPT
# Per-domain routes: the one in exempt-next-hops is skipped, the other
# checked.
e2e_expect "trusted route (exempt-next-hops) not checked" '<-  250 2.1.5 Ok' \
	--to user@partner.de --quit-after RCPT
e2e_expect "other explicit route checked" \
	"554 5.7.1 <user@other.de>: Recipient address rejected: $hot" \
	--to user@other.de --quit-after RCPT

# What the milter saw and why it skipped.
want_log() {
	E2E_N=$((E2E_N + 1))
	if grep -qF -- "$2" "$E2E_TMP/milter.log"; then
		echo "ok: milter log: $1"
	else
		echo "FAIL: milter log lacks: $2"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}
want_log "the percent hack decided by hot.de" \
	'to=<user%hot.de@local.de> domain=hot.de mx=loop.dest.net address=127.0.0.1 class=loopback outcome=bogus'
want_log "relay_domains skipped as Postfix's relay transport" \
	'to=<user@relayed.de>: mailer not routed by MX'
want_log "the trusted route skipped" 'to=<user@partner.de>: exempt next hop'
# Nothing was queued: every session ended after RCPT.
E2E_N=$((E2E_N + 1))
if ! grep -q 'queued\|status=' "$E2E_PF/maillog"; then
	echo "ok: nothing queued or sent"
else
	echo "FAIL: Postfix queued or sent mail"
	E2E_FAILS=$((E2E_FAILS + 1))
fi
e2e_done
