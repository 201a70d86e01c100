/*
 * access_test.c - unit tests of lib/access: the access(5) results that
 * bogusmx understands, and the errors for the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "access.h"

struct access_case {
	const char *result;
	bool ok;
	enum bmx_access_action action;
	unsigned code;
	const char *dsn;
	const char *text;
};

static const struct access_case cases[] = {
	{ "REJECT", true, BMX_ACCESS_REJECT, 0, "", "" },
	{ "REJECT Domain MX in loopback network", true, BMX_ACCESS_REJECT, 0,
	    "", "Domain MX in loopback network" },
	{ "reject  spaced", true, BMX_ACCESS_REJECT, 0, "", "spaced" },
	{ "DEFER try later", true, BMX_ACCESS_DEFER, 0, "", "try later" },
	{ "OK", true, BMX_ACCESS_OK, 0, "", "" },
	{ "ok", true, BMX_ACCESS_OK, 0, "", "" },
	{ "12345", true, BMX_ACCESS_OK, 0, "", "" },
	{ "DUNNO", true, BMX_ACCESS_DUNNO, 0, "", "" },
	{ "WARN look at this", true, BMX_ACCESS_WARN, 0, "", "look at this" },
	{ "550 5.1.2 bad destination", true, BMX_ACCESS_REJECT, 550, "5.1.2",
	    "bad destination" },
	{ "554 no dsn", true, BMX_ACCESS_REJECT, 554, "", "no dsn" },
	{ "451 4.4.3 later", true, BMX_ACCESS_DEFER, 451, "4.4.3", "later" },
	{ "450 5.1.2 class mismatch", true, BMX_ACCESS_DEFER, 450, "",
	    "5.1.2 class mismatch" },
	{ "550", false, 0, 0, "", "" },
	{ "4711", true, BMX_ACCESS_OK, 0, "", "" },
	{ "REJECTED", false, 0, 0, "", "" },
	{ "OK extra", false, 0, 0, "", "" },
	{ "DUNNO extra", false, 0, 0, "", "" },
	{ "HOLD", false, 0, 0, "", "" },
	{ "DISCARD", false, 0, 0, "", "" },
	{ "250 fine", false, 0, 0, "", "" },
	{ "5500 too long", false, 0, 0, "", "" },
};

static void
test_parse(void **state)
{
	struct bmx_access a;
	char err[512];
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct access_case *c = &cases[i];

		ok = bmx_access_parse(c->result, &a, err, sizeof(err));
		if (ok != c->ok)
			fail_msg("\"%s\": want %s, got %s (%s)", c->result,
			    c->ok ? "ok" : "error", ok ? "ok" : "error",
			    ok ? "" : err);
		if (!ok)
			continue;
		if (a.action != c->action || a.code != c->code ||
		    strcmp(a.dsn, c->dsn) != 0 || strcmp(a.text, c->text) != 0)
			fail_msg("\"%s\": got action %s code %u dsn \"%s\" "
				 "text \"%s\"",
			    c->result, bmx_access_name(a.action), a.code, a.dsn,
			    a.text);
	}
}

static void
test_check_table(void **state)
{
	static const char text[] = "10.0.0.0/8 REJECT x\n11.0.0.0/8 HOLD\n"
				   "12.0.0.0/8 OK\n13.0.0.0/8 FILTER smtp:x\n";
	struct bmx_cidr_table *t;
	struct bmx_diag d;
	char line[512];

	(void)state;
	bmx_diag_init(&d);
	t = bmx_cidr_parse("t.cidr", text, sizeof(text) - 1, &d);
	assert_non_null(t);
	assert_false(bmx_access_check_table(t, &d));
	assert_int_equal(d.errors, 2);
	bmx_diag_format(&d.entries[0], line, sizeof(line));
	assert_string_equal(line,
	    "t.cidr:2: unsupported result \"HOLD\": use REJECT [text], DEFER "
	    "[text], 4NN or 5NN [text], OK, DUNNO or WARN [text]");
	bmx_diag_format(&d.entries[1], line, sizeof(line));
	assert_true(
	    strncmp(line, "t.cidr:4: unsupported result \"FILTER", 36) == 0);
	bmx_cidr_free(t);
	bmx_diag_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
