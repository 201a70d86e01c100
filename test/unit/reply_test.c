/*
 * reply_test.c - unit tests of lib/reply: actions, the checks of a reply
 * override (code class, DSN, template fields), template expansion with
 * {{ and every field, control characters, and what each action makes of
 * a decision (tempfail turns 554 5.7.1 into 451 4.7.1; tag and log let
 * the recipient through and keep the would-be reply).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "reply.h"

static const char prefix[] = "<u@hot.de>: Recipient address rejected: ";
static const char detail[] =
    "MX host null.hot.de[127.0.0.1] is in loopback network (RFC 1122)";

/* The policy's decision for u@hot.de, MX null.hot.de -> 127.0.0.1. */
static void
bogus_decision(struct bmx_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->verdict = BMX_VERDICT_REJECT;
	d->outcome = BMX_OUTCOME_BOGUS;
	d->code = 554;
	snprintf(d->dsn, sizeof(d->dsn), "5.7.1");
	bmx_decision_address(d, BMX_ROLE_RECIPIENT, "u@hot.de");
	snprintf(d->domain, sizeof(d->domain), "hot.de");
	snprintf(d->detail, sizeof(d->detail), "%s", detail);
}

/* The text built from d's fields (a buffer of its own per call site
 * would do as well; the tests are single-threaded). */
static const char *
txt(const struct bmx_decision *d)
{
	static char buf[BMX_REPLY_MAX];

	bmx_decision_text(d, buf, sizeof(buf));
	return buf;
}

static const struct bmx_reply_fields fields = { "u@hot.de", "hot.de",
	"null.hot.de", "127.0.0.1", "loopback" };

static void
test_action_names(void **state)
{
	static const char *const names[] = { "reject", "tempfail", "tag",
		"log" };
	enum bmx_action a;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_string_equal(
		    bmx_action_name((enum bmx_action)i), names[i]);
		assert_true(bmx_action_parse(names[i], &a));
		assert_int_equal(a, (enum bmx_action)i);
	}
	a = BMX_ACTION_TAG;
	assert_false(bmx_action_parse("REJECT", &a));
	assert_false(bmx_action_parse("", &a));
	assert_false(bmx_action_parse("rejectx", &a));
	assert_int_equal(a, BMX_ACTION_TAG);
}

struct check_case {
	enum bmx_outcome outcome;
	unsigned code;
	const char *dsn;
	const char *text;
	const char *err; /* NULL: accepted */
};

#define FIELDS                                                                 \
	"the fields are {recipient} {domain} {host} {address} {class} "        \
	"{detail}"

static const struct check_case checks[] = {
	/* nothing set keeps everything: fine for every outcome */
	{ BMX_OUTCOME_BOGUS, 0, "", NULL, NULL },
	{ BMX_OUTCOME_TEMPFAIL, 0, "", NULL, NULL },
	/* code class */
	{ BMX_OUTCOME_BOGUS, 550, "", NULL, NULL },
	{ BMX_OUTCOME_BOGUS, 599, "", NULL, NULL },
	{ BMX_OUTCOME_BOGUS, 451, "", NULL,
	    "code 451 does not fit outcome bogus: use a 5xx code" },
	{ BMX_OUTCOME_SELF, 450, "", NULL,
	    "code 450 does not fit outcome self: use a 5xx code" },
	{ BMX_OUTCOME_NULLMX, 556, "5.1.10", NULL, NULL },
	{ BMX_OUTCOME_UNDELIVERABLE, 421, "", NULL,
	    "code 421 does not fit outcome undeliverable: use a 5xx code" },
	{ BMX_OUTCOME_SYNTAX, 501, "5.1.3", NULL, NULL },
	{ BMX_OUTCOME_TEMPFAIL, 450, "4.4.3", NULL, NULL },
	{ BMX_OUTCOME_TEMPFAIL, 554, "", NULL,
	    "code 554 does not fit outcome tempfail: use a 4xx code" },
	{ BMX_OUTCOME_BOGUS, 600, "", NULL,
	    "code 600 does not fit outcome bogus: use a 5xx code" },
	{ BMX_OUTCOME_ACCEPT, 554, "", NULL, "outcome accept has no reply" },
	{ BMX_OUTCOME_NOCHECK, 0, "", NULL, "outcome no-check has no reply" },
	/* DSN */
	{ BMX_OUTCOME_BOGUS, 0, "5.7.1", NULL, NULL },
	{ BMX_OUTCOME_BOGUS, 0, "5.123.456", NULL, NULL },
	{ BMX_OUTCOME_BOGUS, 554, "4.7.1", NULL,
	    "DSN 4.7.1 does not fit code 554: the first digits must agree" },
	{ BMX_OUTCOME_BOGUS, 0, "4.7.1", NULL,
	    "DSN 4.7.1 does not fit outcome bogus: use a 5.x.x DSN" },
	{ BMX_OUTCOME_TEMPFAIL, 0, "5.4.3", NULL,
	    "DSN 5.4.3 does not fit outcome tempfail: use a 4.x.x DSN" },
	{ BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", NULL, NULL },
	{ BMX_OUTCOME_BOGUS, 0, "2.0.0", NULL,
	    "DSN \"2.0.0\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.7", NULL,
	    "DSN \"5.7\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.7.", NULL,
	    "DSN \"5.7.\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.7.1x", NULL,
	    "DSN \"5.7.1x\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.7.1.1", NULL,
	    "DSN \"5.7.1.1\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.1000.1", NULL,
	    "DSN \"5.1000.1\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.7.1000", NULL,
	    "DSN \"5.7.1000\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5. 7.1", NULL,
	    "DSN \"5. 7.1\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "5.+7.1", NULL,
	    "DSN \"5.+7.1\" is not of the form 5.7.1" },
	{ BMX_OUTCOME_BOGUS, 0, "55.7.1", NULL,
	    "DSN \"55.7.1\" is not of the form 5.7.1" },
	/* templates */
	{ BMX_OUTCOME_BOGUS, 0, "",
	    "{recipient} {domain} {host} {address} {class} {detail}", NULL },
	{ BMX_OUTCOME_BOGUS, 0, "", "", NULL },
	{ BMX_OUTCOME_BOGUS, 0, "", "{{ braces }} and }{{", NULL },
	{ BMX_OUTCOME_BOGUS, 0, "", "100% sure", NULL },
	{ BMX_OUTCOME_BOGUS, 0, "", "{recipent}",
	    "text has an unknown field \"{recipent}\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "{Domain}",
	    "text has an unknown field \"{Domain}\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "{ domain}",
	    "text has an unknown field \"{ domain}\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "open {",
	    "text has an unknown field \"{\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "{domain",
	    "text has an unknown field \"{domain\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "{}",
	    "text has an unknown field \"{}\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "{{{domain}", NULL },
	{ BMX_OUTCOME_BOGUS, 0, "", "{{{x}",
	    "text has an unknown field \"{x}\": " FIELDS },
	{ BMX_OUTCOME_BOGUS, 0, "", "a\tb",
	    "text has a control character (0x09)" },
	{ BMX_OUTCOME_BOGUS, 0, "", "a\r\nb",
	    "text has a control character (0x0d)" },
	{ BMX_OUTCOME_BOGUS, 0, "", "del\177",
	    "text has a control character (0x7f)" },
};

static void
test_check(void **state)
{
	struct bmx_reply_spec s;
	char err[512];
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.code = checks[i].code;
		snprintf(s.dsn, sizeof(s.dsn), "%s", checks[i].dsn);
		s.text = checks[i].text;
		err[0] = '\0';
		ok = bmx_reply_check(checks[i].outcome, &s, err, sizeof(err));
		if (ok != (checks[i].err == NULL))
			fail_msg("case %zu (%u %s %s): %s %s", i, s.code, s.dsn,
			    s.text ? s.text : "-", ok ? "accepted" : "refused",
			    err);
		if (!ok)
			assert_string_equal(err, checks[i].err);
	}
}

struct apply_case {
	const char *tpl;
	const char *want; /* after the prefix */
};

static const struct apply_case applies[] = {
	{ "{host}[{address}] is in {class} network",
	    "null.hot.de[127.0.0.1] is in loopback network" },
	{ "{detail}", detail },
	{ "no mail for {recipient} ({domain})",
	    "no mail for u@hot.de (hot.de)" },
	{ "{{domain} is {domain}", "{domain} is hot.de" },
	{ "{{{domain}}}", "{hot.de}}" },
	{ "}{{", "}{" },
	{ "", "" },
	{ "plain text", "plain text" },
	{ "100% {class}", "100% loopback" },
	{ "caf\303\251", "caf??" },
	{ "{detail}; see https://example.com/why",
	    "MX host null.hot.de[127.0.0.1] is in loopback network (RFC "
	    "1122); see https://example.com/why" },
};

static void
test_apply_templates(void **state)
{
	struct bmx_reply_spec s;
	struct bmx_decision d;
	char want[BMX_REPLY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(applies) / sizeof(applies[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.text = applies[i].tpl;
		bogus_decision(&d);
		bmx_reply_apply(&s, &fields, &d);
		snprintf(want, sizeof(want), "%s%s", prefix, applies[i].want);
		assert_string_equal(txt(&d), want);
		/* the text alone changes nothing else */
		assert_int_equal(d.code, 554);
		assert_string_equal(d.dsn, "5.7.1");
		assert_int_equal(d.verdict, BMX_VERDICT_REJECT);
	}
}

static void
test_apply_code_dsn(void **state)
{
	struct bmx_reply_spec s;
	struct bmx_decision d;
	char full[BMX_REPLY_MAX + 16];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.code = 550;
	bogus_decision(&d);
	bmx_reply_apply(&s, &fields, &d);
	bmx_decision_reply(&d, full, sizeof(full));
	assert_string_equal(full,
	    "550 5.7.1 <u@hot.de>: Recipient address rejected: MX host "
	    "null.hot.de[127.0.0.1] is in loopback network (RFC 1122)");
	snprintf(s.dsn, sizeof(s.dsn), "5.7.27");
	s.code = 0;
	bogus_decision(&d);
	bmx_reply_apply(&s, &fields, &d);
	assert_int_equal(d.code, 554);
	assert_string_equal(d.dsn, "5.7.27");
	s.code = 553;
	s.text = "go away";
	bogus_decision(&d);
	bmx_reply_apply(&s, &fields, &d);
	bmx_decision_reply(&d, full, sizeof(full));
	assert_string_equal(
	    full, "553 5.7.27 <u@hot.de>: Recipient address rejected: go away");
	/* no spec: nothing changes */
	bogus_decision(&d);
	bmx_reply_apply(NULL, &fields, &d);
	assert_int_equal(d.code, 554);
	assert_string_equal(txt(&d) + strlen(prefix), detail);
}

/* A table rule "DEFER" made this bogus outcome a 450 4.7.1: a 5xx
 * override must not turn it into a 5xx reply on a tempfail. */
static void
test_apply_keeps_class(void **state)
{
	struct bmx_reply_spec s;
	struct bmx_decision d;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.code = 550;
	snprintf(s.dsn, sizeof(s.dsn), "5.7.2");
	s.text = "{host} is {class}";
	bogus_decision(&d);
	d.verdict = BMX_VERDICT_TEMPFAIL;
	d.code = 450;
	snprintf(d.dsn, sizeof(d.dsn), "4.7.1");
	bmx_reply_apply(&s, &fields, &d);
	assert_int_equal(d.verdict, BMX_VERDICT_TEMPFAIL);
	assert_int_equal(d.code, 450);
	assert_string_equal(d.dsn, "4.7.1");
	assert_string_equal(
	    txt(&d) + strlen(prefix), "null.hot.de is loopback");
	/* a DSN-only override is of a class too */
	memset(&s, 0, sizeof(s));
	snprintf(s.dsn, sizeof(s.dsn), "5.7.2");
	bmx_reply_apply(&s, &fields, &d);
	assert_string_equal(d.dsn, "4.7.1");
}

static void
test_apply_accept_untouched(void **state)
{
	struct bmx_reply_spec s = { 550, "5.7.2", "x" };
	struct bmx_decision d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.verdict = BMX_VERDICT_ACCEPT;
	d.outcome = BMX_OUTCOME_ACCEPT;
	bmx_reply_apply(&s, &fields, &d);
	assert_int_equal(d.code, 0);
	assert_string_equal(d.dsn, "");
	assert_string_equal(txt(&d), "");
}

/* Missing fields expand to nothing; a text without the Postfix-style
 * start (a bare address target) is replaced whole. */
static void
test_apply_missing_fields(void **state)
{
	struct bmx_reply_fields none = { NULL, NULL, NULL, NULL, NULL };
	struct bmx_reply_spec s;
	struct bmx_decision d;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.text = "[{recipient}|{domain}|{host}|{address}|{class}]";
	bogus_decision(&d);
	bmx_decision_address(&d, BMX_ROLE_RECIPIENT, NULL);
	snprintf(
	    d.detail, sizeof(d.detail), "Address [127.0.0.1] is in loopback");
	bmx_reply_apply(&s, &none, &d);
	assert_string_equal(txt(&d), "[||||]");
	s.text = "was: {detail}";
	bmx_decision_address(&d, BMX_ROLE_RECIPIENT, NULL);
	snprintf(
	    d.detail, sizeof(d.detail), "Address [127.0.0.1] is in loopback");
	bmx_reply_apply(&s, &none, &d);
	assert_string_equal(txt(&d), "was: Address [127.0.0.1] is in loopback");
}

/* What a client or DNS put into a field cannot break the SMTP line. */
static void
test_apply_sanitises(void **state)
{
	struct bmx_reply_fields f = fields;
	struct bmx_reply_spec s;
	struct bmx_decision d;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.text = "{recipient} via {host}";
	f.recipient = "a\r\nRCPT TO:<x@y>\tb\177";
	f.host = "mx\001.hot.de\200";
	bogus_decision(&d);
	bmx_reply_apply(&s, &f, &d);
	assert_string_equal(
	    txt(&d) + strlen(prefix), "a??RCPT TO:<x@y>?b? via mx?.hot.de?");
	assert_null(strchr(txt(&d), '\r'));
	assert_null(strchr(txt(&d), '\n'));
}

/* However long the fields, the text stays within BMX_REPLY_MAX. */
static void
test_apply_long(void **state)
{
	char big[400];
	struct bmx_reply_fields f = fields;
	struct bmx_reply_spec s;
	struct bmx_decision d;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f.host = big;
	f.domain = big;
	memset(&s, 0, sizeof(s));
	s.text = "{host} {domain} {host} {{ {detail} {detail}";
	bogus_decision(&d);
	bmx_reply_apply(&s, &f, &d);
	assert_true(strlen(txt(&d)) < BMX_REPLY_MAX);
	assert_int_equal(strncmp(txt(&d), prefix, strlen(prefix)), 0);
	assert_int_equal(txt(&d)[strlen(prefix)], 'x');
}

static void
test_act(void **state)
{
	struct bmx_decision d;

	(void)state;
	/* reject: as decided */
	bogus_decision(&d);
	assert_int_equal(
	    bmx_reply_act(BMX_ACTION_REJECT, &d), BMX_VERDICT_REJECT);
	assert_int_equal(d.code, 554);
	/* tempfail: 554 5.7.1 becomes 451 4.7.1, text kept */
	bogus_decision(&d);
	assert_int_equal(
	    bmx_reply_act(BMX_ACTION_TEMPFAIL, &d), BMX_VERDICT_TEMPFAIL);
	assert_int_equal(d.verdict, BMX_VERDICT_TEMPFAIL);
	assert_int_equal(d.code, 451);
	assert_string_equal(d.dsn, "4.7.1");
	assert_string_equal(txt(&d) + strlen(prefix), detail);
	/* ... and 556 5.1.10 becomes 451 4.1.10 */
	bogus_decision(&d);
	d.outcome = BMX_OUTCOME_NULLMX;
	d.code = 556;
	snprintf(d.dsn, sizeof(d.dsn), "5.1.10");
	assert_int_equal(
	    bmx_reply_act(BMX_ACTION_TEMPFAIL, &d), BMX_VERDICT_TEMPFAIL);
	assert_int_equal(d.code, 451);
	assert_string_equal(d.dsn, "4.1.10");
	/* a tempfail stays as it is */
	bogus_decision(&d);
	d.verdict = BMX_VERDICT_TEMPFAIL;
	d.outcome = BMX_OUTCOME_TEMPFAIL;
	d.code = 450;
	snprintf(d.dsn, sizeof(d.dsn), "4.4.3");
	assert_int_equal(
	    bmx_reply_act(BMX_ACTION_TEMPFAIL, &d), BMX_VERDICT_TEMPFAIL);
	assert_int_equal(d.code, 450);
	assert_string_equal(d.dsn, "4.4.3");
	/* tag and log: the MTA is told accept, d keeps the would-be reply */
	bogus_decision(&d);
	assert_int_equal(bmx_reply_act(BMX_ACTION_TAG, &d), BMX_VERDICT_ACCEPT);
	assert_int_equal(d.verdict, BMX_VERDICT_REJECT);
	assert_int_equal(d.code, 554);
	assert_string_equal(d.dsn, "5.7.1");
	bogus_decision(&d);
	assert_int_equal(bmx_reply_act(BMX_ACTION_LOG, &d), BMX_VERDICT_ACCEPT);
	assert_int_equal(d.verdict, BMX_VERDICT_REJECT);
	assert_int_equal(d.code, 554);
	/* ... temporary failures too */
	d.verdict = BMX_VERDICT_TEMPFAIL;
	d.code = 451;
	assert_int_equal(bmx_reply_act(BMX_ACTION_LOG, &d), BMX_VERDICT_ACCEPT);
	assert_int_equal(bmx_reply_act(BMX_ACTION_TAG, &d), BMX_VERDICT_ACCEPT);
	/* accept is accept under every action */
	memset(&d, 0, sizeof(d));
	assert_int_equal(
	    bmx_reply_act(BMX_ACTION_TEMPFAIL, &d), BMX_VERDICT_ACCEPT);
	assert_int_equal(d.code, 0);
}

/* Through a loaded configuration and the engine, as bogusmx-check and
 * the milter see it (an address literal: no DNS). */
static void
test_engine_applies(void **state)
{
	static const char *const none[] = { "127.0.0.1:9" };
	static const struct {
		const char *conf, *rcpt;
		enum bmx_verdict mta;
		const char *reply;
		bool sender;
	} cases[] = {
		{ "", "u@[127.0.0.1]", BMX_VERDICT_REJECT,
		    "554 5.7.1 <u@[127.0.0.1]>: Recipient address rejected: "
		    "Address literal [127.0.0.1] is in loopback network (RFC "
		    "1122)",
		    false },
		{ "action = \"tempfail\"\n", "u@[10.1.2.3]",
		    BMX_VERDICT_TEMPFAIL,
		    "451 4.7.1 <u@[10.1.2.3]>: Recipient address rejected: "
		    "Address literal [10.1.2.3] is in private network (RFC "
		    "1918)",
		    false },
		{ "action = \"log\"\nreply bogus { code = 550\n"
		  "text = \"{address} is {class}, {{no}\" }\n",
		    "u@[127.0.0.1]", BMX_VERDICT_ACCEPT,
		    "550 5.7.1 <u@[127.0.0.1]>: Recipient address rejected: "
		    "127.0.0.1 is loopback, {no}",
		    false },
		{ "action = \"tag\"\n", "u@[192.0.2.1]", BMX_VERDICT_ACCEPT,
		    "554 5.7.1 <u@[192.0.2.1]>: Recipient address rejected: "
		    "Address literal [192.0.2.1] is in documentation network "
		    "TEST-NET-1 (RFC 5737)",
		    false },
		{ "reply syntax { text = \"bad: {detail}\" }\n",
		    "u@exa mple.com", BMX_VERDICT_REJECT,
		    "501 5.1.3 <u@exa mple.com>: Recipient address rejected: bad: Bad "
		    "recipient address syntax: ...",
		    false },
		/* A mailbox is a field: what it holds moves no part of the
		 * reply, neither the role ... */
		{ "", "<\"x Recipient address rejected: y\"@[127.0.0.1]>",
		    BMX_VERDICT_REJECT,
		    "554 5.7.1 <\"x Recipient address rejected: y\"@[127.0.0.1]>: "
		    "Sender address rejected: Address literal [127.0.0.1] is "
		    "in loopback network (RFC 1122)",
		    true },
		/* ... nor where an override's text goes */
		{ "reply bogus { text = \"custom {detail}\" }\n",
		    "<\"a address rejected: b\"@[127.0.0.1]>",
		    BMX_VERDICT_REJECT,
		    "554 5.7.1 <\"a address rejected: b\"@[127.0.0.1]>: Recipient "
		    "address rejected: custom Address literal [127.0.0.1] is "
		    "in loopback network (RFC 1122)",
		    false },
		{ "reply bogus { text = \"custom {detail}\" }\n",
		    "<\"address rejected: Recipient\"@[127.0.0.1]>",
		    BMX_VERDICT_REJECT,
		    "554 5.7.1 <\"address rejected: Recipient\"@[127.0.0.1]>: "
		    "Sender address rejected: custom Address literal "
		    "[127.0.0.1] is in loopback network (RFC 1122)",
		    true },
		/* a sender's syntax is the sender's (RFC 3463 X.1.7) */
		{ "", "u@exa mple.com", BMX_VERDICT_REJECT,
		    "501 5.1.7 <u@exa mple.com>: Sender address rejected: Bad "
		    "sender address syntax: ...",
		    true },
	};
	char path[] = "/tmp/bmx_reply_test.XXXXXX", full[BMX_REPLY_MAX + 16],
	     err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bmx_engine_settings s;
		struct bmx_engine *e;
		struct bmx_config *c;
		struct bmx_result r;
		struct bmx_diag d;
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");
		size_t n;

		assert_non_null(f);
		fputs(cases[i].conf, f);
		fclose(f);
		bmx_diag_init(&d);
		c = bmx_config_load(path, false, &d);
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/bmx_reply_test.XXXXXX");
		assert_non_null(c);
		s = c->engine;
		s.nameservers = none;
		s.nnameservers = 1;
		e = bmx_engine_new(&s, err, sizeof(err));
		assert_non_null(e);
		if (cases[i].sender)
			bmx_engine_decide_sender(e, cases[i].rcpt, &r);
		else
			bmx_engine_decide(e, cases[i].rcpt, &r);
		assert_int_equal(r.verdict, cases[i].mta);
		bmx_decision_reply(&r.j.d, full, sizeof(full));
		n = strlen(cases[i].reply);
		if (n > 3 && strcmp(cases[i].reply + n - 3, "...") == 0)
			assert_int_equal(
			    strncmp(full, cases[i].reply, n - 3), 0);
		else
			assert_string_equal(full, cases[i].reply);
		bmx_result_clear(&r);
		bmx_engine_free(e);
		bmx_config_free(c);
		bmx_diag_clear(&d);
	}
}

/* Is got want, or, when want is "prefix*suffix", does it fit? */
static bool
like(const char *want, const char *got)
{
	const char *star = strchr(want, '*');
	size_t p, k;

	if (star == NULL)
		return strcmp(want, got) == 0;
	p = (size_t)(star - want);
	k = strlen(star + 1);
	return strlen(got) >= p + k && strncmp(got, want, p) == 0 &&
	    strcmp(got + strlen(got) - k, star + 1) == 0;
}

/* Does an escaped text have a '%' that is not doubled? */
static bool
lone_percent(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '%' && *++s != '%')
			return true;
	return false;
}

/*
 * Hostile recipients through the engine (issue 7): whatever bytes a
 * client sends, the reply is one line of printable ASCII, its '%' are
 * doubled for smfi_setreply(), and names at the length limits are
 * parsed as the limits say (253 and 63 octets go on to DNS, 254 and 64
 * are refused).
 */
static void
test_engine_hostile(void **state)
{
	static const char *const none[] = { "127.0.0.1:9" };
	static const char nul[] = "<u@[127.0.0.1]>\0\r\n250 OK";
	char full[BMX_REPLY_MAX + 16], esc[2 * BMX_REPLY_MAX], err[256];
	char d253[300], d254[310], l64[80], r253[320], r254[320], r64[100];
	char rlong[700];
	const struct {
		const char *rcpt;
		enum bmx_verdict v;
		const char *reply; /* "prefix*suffix" or exact */
	} cases[] = {
		{ "<user@hot.de\r\n250 OK>", BMX_VERDICT_REJECT,
		    "501 5.1.3 <user@hot.de??250 OK>: Recipient address "
		    "rejected: Bad recipient address syntax: control character "
		    "0x0d in address" },
		{ "<u\n250 OK@[127.0.0.1]>", BMX_VERDICT_REJECT,
		    "501 5.1.3 <u?250 OK@[127.0.0.1]>: Recipient address "
		    "rejected: Bad recipient address syntax: control character "
		    "0x0a in address" },
		{ "<100%@[127.0.0.1]>", BMX_VERDICT_REJECT,
		    "554 5.7.1 <100%@[127.0.0.1]>: Recipient address rejected: "
		    "Address literal [127.0.0.1] is in loopback network (RFC "
		    "1122)" },
		{ "<%s%n@hot%.de>", BMX_VERDICT_REJECT,
		    "501 5.1.3 <%s%n@hot%.de>: Recipient address rejected: "
		    "Bad recipient address syntax: invalid character '%' in "
		    "domain \"hot%.de\"" },
		{ "<\xc3\xa9@[127.0.0.1]>", BMX_VERDICT_REJECT,
		    "554 5.7.1 <??@[127.0.0.1]>: Recipient address rejected: "
		    "Address literal [127.0.0.1] is in loopback network (RFC "
		    "1122)" },
		{ "<\xe9@hot.de>", BMX_VERDICT_REJECT,
		    "501 5.1.3 <?@hot.de>: Recipient address rejected: Bad "
		    "recipient address syntax: local part is not valid UTF-8" },
		{ nul, BMX_VERDICT_REJECT,
		    "554 5.7.1 <u@[127.0.0.1]>: Recipient address rejected: "
		    "Address literal [127.0.0.1] is in loopback network (RFC "
		    "1122)" },
		{ r253, BMX_VERDICT_TEMPFAIL, "451 4.4.3 <u@aaa*" },
		{ r254, BMX_VERDICT_REJECT,
		    "501 5.1.3 <u@aaa*: Bad recipient address syntax: domain "
		    "name longer than 253 octets" },
		{ r64, BMX_VERDICT_REJECT,
		    "501 5.1.3 <u@bbb*: Bad recipient address syntax: label "
		    "longer than 63 octets: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...\"" },
		{ rlong, BMX_VERDICT_REJECT,
		    "501 5.1.3 <%%%*: Bad recipient address syntax: address "
		    "longer than 512 octets" },
	};
	struct bmx_engine_settings s;
	struct bmx_engine *e;
	struct bmx_config *c;
	struct bmx_diag d;
	size_t i, n;

	(void)state;
	memset(d253, 'a', 253);
	d253[253] = '\0';
	for (i = 63; i < 253; i += 64)
		d253[i] = '.';
	snprintf(d254, sizeof(d254), "%sa", d253);
	memset(l64, 'b', 64);
	snprintf(l64 + 64, sizeof(l64) - 64, ".de");
	snprintf(r253, sizeof(r253), "<u@%s>", d253);
	snprintf(r254, sizeof(r254), "<u@%s>", d254);
	snprintf(r64, sizeof(r64), "<u@%s>", l64);
	memset(rlong, '%', 600);
	snprintf(rlong + 600, sizeof(rlong) - 600, "@hot.de");

	bmx_diag_init(&d);
	c = bmx_config_defaults(&d);
	assert_non_null(c);
	s = c->engine;
	s.nameservers = none;
	s.nnameservers = 1;
	s.timeout_ms = 50;
	s.attempts = 1;
	s.deadline_ms = 200;
	e = bmx_engine_new(&s, err, sizeof(err));
	assert_non_null(e);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bmx_result r;

		bmx_engine_decide(e, cases[i].rcpt, &r);
		bmx_decision_reply(&r.j.d, full, sizeof(full));
		if (r.verdict != cases[i].v || !like(cases[i].reply, full))
			fail_msg("%zu: want %s \"%s\", got %s \"%s\"", i,
			    bmx_verdict_name(cases[i].v), cases[i].reply,
			    bmx_verdict_name(r.verdict), full);
		for (n = 0; full[n] != '\0'; n++)
			assert_true(full[n] >= 0x20 && full[n] < 0x7f);
		assert_true(strlen(txt(&r.j.d)) < BMX_REPLY_MAX);
		assert_true(bmx_reply_escape(txt(&r.j.d), esc, sizeof(esc)));
		assert_false(lone_percent(esc));
		bmx_result_clear(&r);
	}
	bmx_engine_free(e);
	bmx_config_free(c);
	bmx_diag_clear(&d);
}

/* Read one log value at *p (plain up to a space, or quoted), unescaped
 * into out; *p moves past it.  false when it is not well formed. */
static bool
read_value(const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t o = 0;
	unsigned x;

	if (*s != '"') {
		while (*s != '\0' && *s != ' ' && o + 1 < len)
			out[o++] = *s++;
		out[o] = '\0';
		*p = s;
		return o > 0;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\0' || o + 1 >= len)
			return false;
		if (*s == '\\' && s[1] == 'x') {
			if (sscanf(s + 2, "%2x", &x) != 1)
				return false;
			out[o++] = (char)x;
			s += 3;
		} else if (*s == '\\') {
			out[o++] = *++s;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	*p = s + 1;
	return true;
}

/*
 * bmx_log_value(): plain values as they are (the log line keeps its
 * shape), anything else quoted, so that a client's text never looks
 * like a field; read back, every value is the one written.
 */
static void
test_log_value(void **state)
{
	static const struct {
		const char *in;
		bool text;
		const char *out;
	} cases[] = {
		{ "<user@hot.de>", false, "<user@hot.de>" },
		{ "client.example[192.0.2.10]", false,
		    "client.example[192.0.2.10]" },
		{ "554 5.7.1 <u@hot.de>: Recipient address rejected: MX host "
		  "x[127.0.0.1] is in loopback network (RFC 1122)",
		    true,
		    "554 5.7.1 <u@hot.de>: Recipient address rejected: MX host "
		    "x[127.0.0.1] is in loopback network (RFC 1122)" },
		{ "<\"x> domain=evil.com why=y\"@[127.0.0.1]>", false,
		    "\"<\\\"x> domain=evil.com why=y\\\"@[127.0.0.1]>\"" },
		{ "554 5.7.1 <\"x; to=<a> domain=evil.com\"@x>: rejected", true,
		    "\"554 5.7.1 <\\\"x; to=<a> domain=evil.com\\\"@x>: "
		    "rejected\"" },
		{ "a b", false, "\"a b\"" },
		{ "a=b", false, "a=b" },
		{ "a=b", true, "\"a=b\"" },
		{ "", false, "\"\"" },
		{ "back\\slash", false, "\"back\\\\slash\"" },
		{ "cr\r\nlf\x7f\xe9", false, "\"cr\\x0d\\x0alf\\x7f\\xe9\"" },
	};
	static const char *const boxes[] = {
		"<\"x> domain=evil.com why=y\"@[127.0.0.1]>",
		"<\"a\\\" b\"@hot.de>",
		"<u@hot.de> domain=evil.com",
		"<\"\" cache=hit\"@x>",
		"<x\r\ny@z>",
	};
	char buf[256], line[1024], v[3][256], back[256];
	const char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bmx_log_value(cases[i].in, cases[i].text, buf, sizeof(buf));
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("%zu: want %s, got %s", i, cases[i].out, buf);
		p = buf;
		assert_true(read_value(&p, back, sizeof(back)) ||
		    cases[i].in[0] == '\0');
		if (!cases[i].text || buf[0] == '"')
			assert_string_equal(back, cases[i].in);
	}
	/* cut to fit: still one closed quoted value, no escape cut */
	bmx_log_value("a\"bcdef", false, buf, 6);
	assert_string_equal(buf, "\"a\\\"\"");
	bmx_log_value("\xff\xff", false, buf, 8);
	assert_string_equal(buf, "\"\\xff\"");
	/* a line of fields read back: the real values, in their places */
	for (i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++) {
		snprintf(line, sizeof(line), "to=%s domain=%s",
		    bmx_log_value(boxes[i], false, v[0], sizeof(v[0])),
		    bmx_log_value("hot.de", false, v[1], sizeof(v[1])));
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    " why=%s cache=miss",
		    bmx_log_value(
			"no answer from 127.0.0.1", false, v[2], sizeof(v[2])));
		p = line;
		assert_int_equal(strncmp(p, "to=", 3), 0);
		p += 3;
		assert_true(read_value(&p, back, sizeof(back)));
		assert_string_equal(back, boxes[i]);
		assert_int_equal(strncmp(p, " domain=", 8), 0);
		p += 8;
		assert_true(read_value(&p, back, sizeof(back)));
		assert_string_equal(back, "hot.de");
		assert_int_equal(strncmp(p, " why=", 5), 0);
		p += 5;
		assert_true(read_value(&p, back, sizeof(back)));
		assert_string_equal(back, "no answer from 127.0.0.1");
		assert_string_equal(p, " cache=miss");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_apply_templates),
		cmocka_unit_test(test_apply_code_dsn),
		cmocka_unit_test(test_apply_keeps_class),
		cmocka_unit_test(test_apply_accept_untouched),
		cmocka_unit_test(test_apply_missing_fields),
		cmocka_unit_test(test_apply_sanitises),
		cmocka_unit_test(test_apply_long),
		cmocka_unit_test(test_act),
		cmocka_unit_test(test_engine_applies),
		cmocka_unit_test(test_engine_hostile),
		cmocka_unit_test(test_log_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
