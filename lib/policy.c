/*
 * policy.c - verdicts and reply texts
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"

void
bmx_policy_address(const struct bmx_ipclass *c, const char *rcpt,
    const char *host, const struct bmx_cidr_table *registry,
    struct bmx_decision *d)
{
	char addr[BMX_IP_STRLEN], inner[BMX_IP_STRLEN],
	    where[BMX_IP_STRLEN + 300];
	char prefix[BMX_IP_STRLEN + 300];
	const char *text;

	memset(d, 0, sizeof(*d));
	if (!c->bogus) {
		d->verdict = BMX_VERDICT_ACCEPT;
		return;
	}
	if (c->access.action == BMX_ACCESS_DEFER) {
		d->verdict = BMX_VERDICT_TEMPFAIL;
		d->code = c->access.code ? c->access.code : 450;
		snprintf(d->dsn, sizeof(d->dsn), "%s",
		    c->access.dsn[0] ? c->access.dsn : "4.7.1");
	} else {
		d->verdict = BMX_VERDICT_REJECT;
		d->code = c->access.code ? c->access.code : 554;
		snprintf(d->dsn, sizeof(d->dsn), "%s",
		    c->access.dsn[0] ? c->access.dsn : "5.7.1");
	}
	bmx_ip_format(&c->address, addr, sizeof(addr));
	if (c->embed != BMX_EMBED_NONE) {
		bmx_ip_format(&c->embedded, inner, sizeof(inner));
		snprintf(where, sizeof(where), "%s (%s %s)", addr,
		    bmx_embed_name(c->embed), inner);
	} else {
		snprintf(where, sizeof(where), "%s", addr);
	}
	if (rcpt != NULL)
		snprintf(prefix, sizeof(prefix),
		    "<%s>: Recipient address rejected: ", rcpt);
	else
		prefix[0] = '\0';
	text = c->access.text;
	if (c->table != registry && text[0] != '\0') {
		/* a user's table: its text as Postfix would send it */
		snprintf(d->text, sizeof(d->text), "%s%s", prefix, text);
	} else if (host != NULL) {
		snprintf(d->text, sizeof(d->text), "%sMX host %s[%s] is in %s",
		    prefix, host, where, text[0] ? text : "a listed network");
	} else {
		snprintf(d->text, sizeof(d->text), "%sAddress %s is in %s",
		    prefix, where, text[0] ? text : "a listed network");
	}
}

const char *
bmx_verdict_name(enum bmx_verdict v)
{
	switch (v) {
	case BMX_VERDICT_REJECT:
		return "reject";
	case BMX_VERDICT_TEMPFAIL:
		return "tempfail";
	case BMX_VERDICT_ACCEPT:
		break;
	}
	return "accept";
}

int
bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len)
{
	if (d->verdict == BMX_VERDICT_ACCEPT)
		return snprintf(buf, len, "%s", "");
	return snprintf(buf, len, "%u %s %s", d->code, d->dsn, d->text);
}
