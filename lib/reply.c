/*
 * reply.c - a reply built from its fields; configured actions and reply
 * overrides on top of the policy
 */
#include <stdio.h>
#include <string.h>

#include "reply.h"

/* The mailbox part of a text is cut here, as Postfix does, so that a
 * long mailbox leaves room for the detail. */
#define MAILBOX_SHOWN 300

static const char *const action_names[] = {
	[BMX_ACTION_REJECT] = "reject",
	[BMX_ACTION_TEMPFAIL] = "tempfail",
	[BMX_ACTION_TAG] = "tag",
	[BMX_ACTION_LOG] = "log",
};

static const char *const field_names[] = { "recipient", "domain", "host",
	"address", "class", "detail" };
#define NFIELDS (sizeof(field_names) / sizeof(field_names[0]))

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

const char *
bmx_outcome_name(enum bmx_outcome o)
{
	switch (o) {
	case BMX_OUTCOME_ACCEPT:
		return "accept";
	case BMX_OUTCOME_BOGUS:
		return "bogus";
	case BMX_OUTCOME_SELF:
		return "self";
	case BMX_OUTCOME_NULLMX:
		return "null-mx";
	case BMX_OUTCOME_TEMPFAIL:
		return "tempfail";
	case BMX_OUTCOME_UNDELIVERABLE:
		return "undeliverable";
	case BMX_OUTCOME_SYNTAX:
		return "syntax";
	case BMX_OUTCOME_NOCHECK:
		break;
	}
	return "no-check";
}

const char *
bmx_role_name(enum bmx_role r)
{
	return r == BMX_ROLE_SENDER ? "Sender" : "Recipient";
}

void
bmx_decision_address(
    struct bmx_decision *d, enum bmx_role role, const char *mailbox)
{
	d->role = role;
	d->addressed = mailbox != NULL;
	snprintf(d->mailbox, sizeof(d->mailbox), "%s",
	    mailbox != NULL ? mailbox : "");
}

size_t
bmx_decision_text(const struct bmx_decision *d, char *buf, size_t len)
{
	char text[BMX_REPLY_MAX];
	int n = 0;

	text[0] = '\0';
	if (d->verdict != BMX_VERDICT_ACCEPT && d->addressed)
		n = snprintf(text, sizeof(text),
		    "<%.*s>: %s address rejected: ", MAILBOX_SHOWN, d->mailbox,
		    bmx_role_name(d->role));
	if (n < 0 || (size_t)n >= sizeof(text))
		n = 0;
	if (d->verdict != BMX_VERDICT_ACCEPT)
		snprintf(text + n, sizeof(text) - (size_t)n, "%s", d->detail);
	bmx_reply_sanitize(text);
	if (len > 0)
		snprintf(buf, len, "%s", text);
	return strlen(text);
}

int
bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len)
{
	char text[BMX_REPLY_MAX];

	if (d->verdict == BMX_VERDICT_ACCEPT)
		return snprintf(buf, len, "%s", "");
	bmx_decision_text(d, text, sizeof(text));
	return snprintf(buf, len, "%u %s %s", d->code, d->dsn, text);
}

/* Replace control and 8-bit bytes: reply text goes on one SMTP line. */
static bool
log_plain(const char *s, bool text)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    (text ? c == '=' : c == ' '))
			return false;
	}
	return true;
}

const char *
bmx_log_value(const char *s, bool text, char *buf, size_t len)
{
	size_t o = 0;
	char e[5];

	if (len == 0)
		return buf;
	if (log_plain(s, text) || len < 3) {
		snprintf(buf, len, "%s", len < 3 ? "" : s);
		return buf;
	}
	buf[o++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			snprintf(e, sizeof(e), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", c);
		else
			snprintf(e, sizeof(e), "%c", c);
		if (o + strlen(e) + 2 > len)
			break;
		memcpy(buf + o, e, strlen(e));
		o += strlen(e);
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

void
bmx_reply_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

bool
bmx_reply_escape(const char *text, char *out, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return false;
	for (; *text != '\0'; text++) {
		size_t need = *text == '%' ? 2 : 1;

		if (o + need >= len) {
			out[o] = '\0';
			return false;
		}
		out[o++] = *text;
		if (*text == '%')
			out[o++] = '%';
	}
	out[o] = '\0';
	return true;
}

const char *
bmx_action_name(enum bmx_action a)
{
	return a <= BMX_ACTION_LOG ? action_names[a] : "?";
}

bool
bmx_action_parse(const char *name, enum bmx_action *a)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(name, action_names[i]) == 0) {
			*a = (enum bmx_action)i;
			return true;
		}
	return false;
}

/* Length of the field name at s (after '{') up to '}', or 0. */
static int
field_at(const char *s, size_t *len)
{
	size_t i;
	const char *end = strchr(s, '}');

	if (end == NULL)
		return -1;
	for (i = 0; i < NFIELDS; i++)
		if ((size_t)(end - s) == strlen(field_names[i]) &&
		    strncmp(s, field_names[i], (size_t)(end - s)) == 0) {
			*len = (size_t)(end - s) + 1;
			return (int)i;
		}
	return -1;
}

bool
bmx_reply_check(enum bmx_outcome o, const struct bmx_reply_spec *s, char *err,
    size_t errlen)
{
	unsigned want;
	const char *p;
	size_t len;

	switch (o) {
	case BMX_OUTCOME_TEMPFAIL:
		want = 4;
		break;
	case BMX_OUTCOME_ACCEPT:
	case BMX_OUTCOME_NOCHECK:
		snprintf(err, errlen, "outcome %s has no reply",
		    bmx_outcome_name(o));
		return false;
	default:
		want = 5;
		break;
	}
	if (s->code != 0 && s->code / 100 != want) {
		snprintf(err, errlen,
		    "code %u does not fit outcome %s: use a %uxx code", s->code,
		    bmx_outcome_name(o), want);
		return false;
	}
	if (s->code != 0 && (s->code < 400 || s->code > 599)) {
		snprintf(
		    err, errlen, "code %u is not an SMTP error code", s->code);
		return false;
	}
	if (s->dsn[0] != '\0') {
		unsigned c, subj, det;
		char tail;

		if (sscanf(s->dsn, "%1u.%3u.%3u%c", &c, &subj, &det, &tail) !=
			3 ||
		    (c != 4 && c != 5) ||
		    strspn(s->dsn, "0123456789.") != strlen(s->dsn)) {
			snprintf(err, errlen,
			    "DSN \"%s\" is not of the form 5.7.1", s->dsn);
			return false;
		}
		if (s->code != 0 && c != s->code / 100) {
			snprintf(err, errlen,
			    "DSN %s does not fit code %u: the first digits "
			    "must agree",
			    s->dsn, s->code);
			return false;
		}
		if (c != want) {
			snprintf(err, errlen,
			    "DSN %s does not fit outcome %s: use a %u.x.x DSN",
			    s->dsn, bmx_outcome_name(o), want);
			return false;
		}
	}
	for (p = s->text; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen,
			    "text has a control character (0x%02x)",
			    (unsigned char)*p);
			return false;
		}
		if (*p == '{' && p[1] == '{') {
			p++;
			continue;
		}
		if (*p == '{' && field_at(p + 1, &len) < 0) {
			snprintf(err, errlen,
			    "text has an unknown field \"%.40s\": the fields "
			    "are {recipient} {domain} {host} {address} "
			    "{class} {detail}",
			    p);
			return false;
		}
	}
	return true;
}

static void
expand(const char *tpl, const char *const values[NFIELDS], char *out,
    size_t outlen)
{
	size_t n = 0, len;
	const char *p;
	int f;

	for (p = tpl; *p != '\0' && n + 1 < outlen; p++) {
		if (*p == '{' && p[1] == '{') {
			out[n++] = '{';
			p++;
		} else if (*p == '{' && (f = field_at(p + 1, &len)) >= 0) {
			n += (size_t)snprintf(out + n, outlen - n, "%s",
			    values[f] != NULL ? values[f] : "");
			if (n >= outlen)
				n = outlen - 1;
			p += len;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

void
bmx_reply_apply(const struct bmx_reply_spec *s,
    const struct bmx_reply_fields *f, struct bmx_decision *d)
{
	char detail[BMX_REPLY_MAX];
	const char *values[NFIELDS];
	unsigned want;

	if (s == NULL || d->verdict == BMX_VERDICT_ACCEPT)
		return;
	/* A table's DEFER or 4NN rule makes a bogus outcome a 4xx: a 5xx
	 * override would then reach the MTA with a tempfail (libmilter
	 * drops such a reply), so that rule keeps its code and DSN. */
	want = s->code != 0   ? s->code / 100 :
	    s->dsn[0] != '\0' ? (unsigned)(s->dsn[0] - '0') :
				0;
	if (want == 0 || want == d->code / 100) {
		if (s->code != 0)
			d->code = s->code;
		if (s->dsn[0] != '\0')
			snprintf(d->dsn, sizeof(d->dsn), "%s", s->dsn);
	}
	if (s->text == NULL)
		return;
	snprintf(detail, sizeof(detail), "%s", d->detail);
	values[0] = f->recipient;
	values[1] = f->domain;
	values[2] = f->host;
	values[3] = f->address;
	values[4] = f->class_name;
	values[5] = detail;
	expand(s->text, values, d->detail, sizeof(d->detail));
}

enum bmx_verdict
bmx_reply_act(enum bmx_action a, struct bmx_decision *d)
{
	switch (a) {
	case BMX_ACTION_REJECT:
		return d->verdict;
	case BMX_ACTION_TEMPFAIL:
		if (d->verdict == BMX_VERDICT_REJECT) {
			d->verdict = BMX_VERDICT_TEMPFAIL;
			d->code = 451;
			if (d->dsn[0] == '5')
				d->dsn[0] = '4';
		}
		return d->verdict;
	case BMX_ACTION_TAG:
	case BMX_ACTION_LOG:
		return BMX_VERDICT_ACCEPT;
	}
	return d->verdict;
}
