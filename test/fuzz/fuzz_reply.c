/*
 * fuzz_reply.c - libFuzzer target: reply texts (lib/policy, lib/reply)
 *
 * What the milter hands to smfi_setreply(), built the way the engine
 * builds it: a recipient (any bytes: CR, LF, '%', 8-bit) is parsed; a
 * bad one gets the policy's syntax reply, a good one is judged as an
 * address literal of an address from the input.  A reply override
 * from the input (code, DSN, template with {fields} whose values are
 * input too) is checked with bmx_reply_check() and applied with
 * bmx_reply_apply(): whole when the check passed, else its template
 * alone (the config refuses a bad code or DSN, but the text must come
 * out clean whatever the template holds), then an action with
 * bmx_reply_act(); the full reply goes through bmx_decision_reply() and
 * bmx_reply_escape() into buffers of every size.
 *
 * Input: 8 control bytes, then NUL-separated strings: recipient,
 * template, DSN, domain, host, address, class.
 *
 * The decision is about a recipient or, as the sender check makes it, a
 * sender (control byte 7, bit 4).
 *
 * Checks: every text is printable ASCII (no CR, LF, NUL or other
 * control byte can reach the SMTP line) and shorter than BMX_REPLY_MAX;
 * whatever the mailbox holds, the reply's code and DSN are the ones the
 * outcome, the override and the action say, and its text is
 * "<mailbox>: Recipient (or Sender) address rejected: " and then the
 * detail, exactly (the mailbox cannot move a part of the reply);
 * an escaped text fits its buffer, has no lone '%', and unescapes to
 * the reply (or, when it did not fit, to a prefix of it); the reply,
 * the mailbox and other values written into a log line with
 * bmx_log_value() read back whole and in their places, whatever they
 * hold; a checked
 * override gives a DSN of digits and dots whose class agrees with the
 * code; the action's verdict is what reply.h says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "policy.h"
#include "registry.h"
#include "reply.h"

#include "fuzz_common.h"

#define NSTRINGS 7

static struct bmx_cidr_table *registry;

/* Escape text into exactly len bytes and check the result. */
static void
escape(const char *text, size_t len, bool clean)
{
	char *out = malloc(len ? len : 1), *un;
	size_t i, o = 0;
	bool fit;

	FUZZ_CHECK(out != NULL);
	fit = bmx_reply_escape(text, out, len);
	if (len == 0) {
		FUZZ_CHECK(!fit);
		free(out);
		return;
	}
	FUZZ_CHECK(memchr(out, '\0', len) != NULL);
	un = malloc(strlen(out) + 1);
	FUZZ_CHECK(un != NULL);
	for (i = 0; out[i] != '\0'; i++) {
		if (out[i] == '%') {
			/* never a lone '%' */
			FUZZ_CHECK(out[i + 1] == '%');
			i++;
		}
		un[o++] = out[i];
	}
	un[o] = '\0';
	if (fit)
		FUZZ_CHECK(strcmp(un, text) == 0);
	else
		FUZZ_CHECK(strncmp(un, text, o) == 0 && o < strlen(text));
	if (clean)
		FUZZ_CHECK(fuzz_text_ok(out));
	free(un);
	free(out);
}

/* The text must be the mailbox part built here from the fields, by
 * other code than reply.c's, then the detail: nothing else, nothing
 * moved. */
static void
check_text(const struct bmx_decision *d, const char *text)
{
	char want[BMX_REPLY_MAX + 600], mailbox[301];
	size_t n = 0;

	if (d->verdict == BMX_VERDICT_ACCEPT) {
		FUZZ_CHECK(text[0] == '\0');
		return;
	}
	if (d->addressed) {
		memcpy(mailbox, d->mailbox, sizeof(mailbox) - 1);
		mailbox[sizeof(mailbox) - 1] = '\0';
		bmx_reply_sanitize(mailbox);
		n = (size_t)snprintf(want, sizeof(want),
		    "<%s>: %s address rejected: ", mailbox,
		    d->role == BMX_ROLE_SENDER ? "Sender" : "Recipient");
	}
	snprintf(want + n, sizeof(want) - n, "%s", d->detail);
	bmx_reply_sanitize(want);
	want[BMX_REPLY_MAX - 1] = '\0';
	FUZZ_CHECK(strcmp(text, want) == 0);
}

static void
check_decision(const struct bmx_decision *d)
{
	char text[BMX_REPLY_MAX];

	FUZZ_CHECK(memchr(d->detail, '\0', sizeof(d->detail)) != NULL);
	FUZZ_CHECK(memchr(d->mailbox, '\0', sizeof(d->mailbox)) != NULL);
	FUZZ_CHECK(memchr(d->dsn, '\0', sizeof(d->dsn)) != NULL);
	FUZZ_CHECK(bmx_decision_text(d, text, sizeof(text)) < sizeof(text));
	FUZZ_CHECK(fuzz_text_ok(text));
	FUZZ_CHECK(fuzz_text_ok(d->dsn));
	check_text(d, text);
	if (d->verdict == BMX_VERDICT_ACCEPT)
		FUZZ_CHECK(d->code == 0);
	else
		FUZZ_CHECK(d->code >= 400 && d->code <= 599);
}

/* The code and DSN the policy gives an outcome here (the registry
 * alone: its rules carry no code of their own). */
static void
outcome_reply(const struct bmx_decision *d, unsigned *code, const char **dsn)
{
	switch (d->outcome) {
	case BMX_OUTCOME_BOGUS:
		*code = 554;
		*dsn = "5.7.1";
		break;
	case BMX_OUTCOME_SYNTAX:
		*code = 501;
		*dsn = d->role == BMX_ROLE_SENDER ? "5.1.7" : "5.1.3";
		break;
	default:
		*code = 0;
		*dsn = "";
		break;
	}
}

/* Read a log value at *p as bogusmx-milter(8) LOGGING says: quoted
 * (unescaped into out), else plain up to stop; *p moves past it. */
static void
log_read(const char **p, const char *stop, char *out)
{
	const char *s = *p;
	size_t o = 0;
	unsigned x;

	if (*s != '"') {
		const char *e = strstr(s, stop);

		FUZZ_CHECK(e != NULL);
		memcpy(out, s, (size_t)(e - s));
		out[e - s] = '\0';
		*p = e;
		return;
	}
	for (s++; *s != '"'; s++) {
		FUZZ_CHECK(*s != '\0');
		if (*s == '\\' && s[1] == 'x') {
			FUZZ_CHECK(sscanf(s + 2, "%2x", &x) == 1);
			out[o++] = (char)x;
			s += 3;
		} else {
			if (*s == '\\')
				s++;
			FUZZ_CHECK(*s != '\0');
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	*p = s + 1;
}

/* A log line's tail of client-chosen values, written with
 * bmx_log_value() and read back by the format alone: every value comes
 * back whole, in its place, whatever the values hold. */
static void
check_log(
    const char *reply, const char *mailbox, const char *domain, const char *why)
{
	const char *in[4] = { reply, mailbox, domain, why };
	static const char *const key[4] = { "", "; to=", " domain=", " why=" };
	char *val[4], *line, *back;
	const char *p;
	size_t i, n = 64;

	for (i = 0; i < 4; i++) {
		val[i] = malloc(4 * strlen(in[i]) + 3);
		FUZZ_CHECK(val[i] != NULL);
		bmx_log_value(in[i], i == 0, val[i], 4 * strlen(in[i]) + 3);
		n += strlen(key[i]) + strlen(val[i]);
	}
	line = malloc(n);
	back = malloc(n);
	FUZZ_CHECK(line != NULL && back != NULL);
	snprintf(line, n, "%s; to=%s domain=%s why=%s cache=none", val[0],
	    val[1], val[2], val[3]);
	p = line;
	/* a plain reply runs to the "; " before the first '=' */
	if (*p != '"') {
		const char *eq = strchr(p, '='), *q, *sep = NULL;

		for (q = strstr(p, "; "); q != NULL && q < eq;
		     q = strstr(q + 1, "; "))
			sep = q;
		FUZZ_CHECK(sep != NULL);
		memcpy(back, p, (size_t)(sep - p));
		back[sep - p] = '\0';
		p = sep;
	} else {
		log_read(&p, "", back);
	}
	FUZZ_CHECK(strcmp(back, reply) == 0);
	for (i = 1; i < 4; i++) {
		FUZZ_CHECK(strncmp(p, key[i], strlen(key[i])) == 0);
		p += strlen(key[i]);
		log_read(&p, " ", back);
		FUZZ_CHECK(strcmp(back, in[i]) == 0);
	}
	FUZZ_CHECK(strcmp(p, " cache=none") == 0);
	for (i = 0; i < 4; i++)
		free(val[i]);
	free(line);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s[NSTRINGS] = { "", "", "", "", "", "", "" };
	char *copy, *p, *end, err[256], full[2 * BMX_REPLY_MAX];
	char text[BMX_REPLY_MAX], want_dsn[12];
	enum bmx_role role;
	const char *dsn;
	unsigned code;
	uint8_t ctl[8] = { 0 };
	struct bmx_reply_spec spec;
	struct bmx_reply_fields f;
	struct bmx_policy pol;
	struct bmx_judgement j;
	struct bmx_addr a;
	struct bmx_ip ip;
	enum bmx_verdict v;
	enum bmx_action act;
	bool checked;
	size_t i;
	int n;

	if (registry == NULL) {
		struct bmx_diag d;

		bmx_diag_init(&d);
		registry = bmx_registry_table(&d);
		FUZZ_CHECK(registry != NULL);
		bmx_diag_clear(&d);
	}
	memcpy(ctl, data, size < 8 ? size : 8);
	copy = fuzz_cstr(data + (size < 8 ? size : 8), size < 8 ? 0 : size - 8);
	end = copy + (size < 8 ? 0 : size - 8);
	for (i = 0, p = copy; i < NSTRINGS && p <= end; i++) {
		s[i] = p;
		p += strlen(p) + 1;
	}

	/* the policy's decision */
	memset(&pol, 0, sizeof(pol));
	pol.tables = (const struct bmx_cidr_table *const *)&registry;
	pol.ntables = 1;
	pol.registry = registry;
	role = ctl[7] & 16 ? BMX_ROLE_SENDER : BMX_ROLE_RECIPIENT;
	if (bmx_addr_parse(s[0], &a, err, sizeof(err)) != BMX_ADDR_OK) {
		bmx_policy_syntax(role, s[0], err, &j);
		FUZZ_CHECK(j.d.verdict == BMX_VERDICT_REJECT);
		FUZZ_CHECK(j.d.code == 501);
	} else {
		memset(&ip, 0, sizeof(ip));
		if (ctl[7] & 1) {
			ip.family = BMX_IP_V6;
			ip.bytes[10] = ip.bytes[11] = ctl[7] & 2 ? 0xff : 0;
			if (ctl[7] & 4)
				ip.bytes[0] = 0x20;
			memcpy(ip.bytes + 12, ctl + 3, 4);
		} else {
			ip.family = BMX_IP_V4;
			memcpy(ip.bytes, ctl + 3, 4);
		}
		bmx_policy_judge_address(
		    &pol, ctl[7] & 8 ? NULL : a.mailbox, &ip, &j);
		FUZZ_CHECK(j.d.addressed == !(ctl[7] & 8));
		j.d.role = role; /* as the engine's sender check does */
	}
	check_decision(&j.d);
	outcome_reply(&j.d, &code, &dsn);
	FUZZ_CHECK(j.d.code == code && strcmp(j.d.dsn, dsn) == 0);
	/* the policy's own texts are never empty (an override's may be) */
	bmx_decision_text(&j.d, text, sizeof(text));
	FUZZ_CHECK((j.d.verdict == BMX_VERDICT_ACCEPT) == (text[0] == '\0'));

	/* the configured override and action */
	memset(&spec, 0, sizeof(spec));
	spec.code = (unsigned)(ctl[0] << 8 | ctl[1]) % 1000;
	if (ctl[2] & 1)
		spec.code = 0;
	snprintf(spec.dsn, sizeof(spec.dsn), "%s", s[2]);
	spec.text = ctl[2] & 2 ? NULL : s[1];
	f.recipient = s[0];
	f.domain = s[3];
	f.host = ctl[2] & 4 ? NULL : s[4];
	f.address = s[5];
	f.class_name = s[6];
	checked = j.d.verdict != BMX_VERDICT_ACCEPT &&
	    bmx_reply_check(j.d.outcome, &spec, err, sizeof(err));
	if (!checked) {
		/* the config refuses such a code or DSN; the text goes on
		 * unchecked, to show that apply cleans it anyway */
		spec.code = 0;
		spec.dsn[0] = '\0';
	}
	bmx_reply_apply(&spec, &f, &j.d);
	check_decision(&j.d);
	/* the override's code and DSN, or the outcome's: the mailbox
	 * changes neither */
	if (j.d.verdict != BMX_VERDICT_ACCEPT) {
		FUZZ_CHECK(j.d.code == (spec.code != 0 ? spec.code : code));
		FUZZ_CHECK(strcmp(j.d.dsn, spec.dsn[0] ? spec.dsn : dsn) == 0);
	}
	snprintf(want_dsn, sizeof(want_dsn), "%s", j.d.dsn);
	if (checked && j.d.verdict != BMX_VERDICT_ACCEPT) {
		FUZZ_CHECK(strspn(j.d.dsn, "0123456789.") == strlen(j.d.dsn));
		FUZZ_CHECK(j.d.code >= 400 && j.d.code <= 599);
		FUZZ_CHECK(j.d.dsn[0] - '0' == (int)(j.d.code / 100));
		FUZZ_CHECK(
		    (j.d.code >= 500) == (j.d.verdict == BMX_VERDICT_REJECT));
	}
	act = (enum bmx_action)(ctl[2] >> 4 & 3);
	v = bmx_reply_act(act, &j.d);
	check_decision(&j.d);
	switch (act) {
	case BMX_ACTION_TAG:
	case BMX_ACTION_LOG:
		FUZZ_CHECK(v == BMX_VERDICT_ACCEPT);
		break;
	case BMX_ACTION_TEMPFAIL:
		FUZZ_CHECK(v != BMX_VERDICT_REJECT);
		if (v == BMX_VERDICT_TEMPFAIL && checked)
			FUZZ_CHECK(j.d.code / 100 == 4 && j.d.dsn[0] == '4');
		/* 5.x.y becomes 4.x.y, nothing else */
		if (want_dsn[0] == '5')
			want_dsn[0] = '4';
		FUZZ_CHECK(strcmp(j.d.dsn, want_dsn) == 0);
		break;
	case BMX_ACTION_REJECT:
		FUZZ_CHECK(v == j.d.verdict);
		break;
	}

	/* what the milter sends */
	n = bmx_decision_reply(&j.d, full, sizeof(full));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(full));
	FUZZ_CHECK(fuzz_text_ok(full));
	bmx_decision_text(&j.d, text, sizeof(text));
	escape(text, 2 * BMX_REPLY_MAX, true);
	escape(text, ctl[6], true);
	escape(full, ctl[6] % 64, true);
	if (full[0] != '\0')
		check_log(full, s[0], s[3], s[4]);
	/* the escaping alone, on raw bytes */
	escape(s[1], ctl[6], false);
	escape(s[1], 2 * strlen(s[1]) + 1, false);
	bmx_judgement_clear(&j);
	free(copy);
	return 0;
}
