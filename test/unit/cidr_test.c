/*
 * cidr_test.c - unit tests of lib/cidr: Postfix cidr_table(5) semantics,
 * boundaries, and the parser's messages pinned by golden files.
 *
 * Each case is a table text and a list of "address=result" expectations
 * ("address=" expects no match).  The golden tests parse
 * test/golden/NAME.cidr and compare every message, and the summary line,
 * with test/golden/NAME.out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "fileio.h"

struct match_case {
	const char *name;
	const char *table;
	const char *expect[12]; /* "addr=result", NULL-terminated */
};

static const struct match_case match_cases[] = {
	{ "first match wins, narrow first",
	    "10.1.0.0/16 NARROW\n10.0.0.0/8 WIDE\n",
	    { "10.1.2.3=NARROW", "10.2.0.0=WIDE", "10.0.255.255=WIDE",
		"10.1.255.255=NARROW", "11.0.0.0=", "9.255.255.255=", NULL } },
	{ "first match wins, wide first", "10.0.0.0/8 WIDE\n10.1.0.0/16 NO\n",
	    { "10.1.2.3=WIDE", "10.255.255.255=WIDE", NULL } },
	{ "bare addresses are exact",
	    "192.0.2.1 ONE\n2001:db8::1 SIX\n[192.0.2.2] BR\n",
	    { "192.0.2.1=ONE", "192.0.2.0=", "192.0.2.2=BR", "2001:db8::1=SIX",
		"2001:db8::2=", "2001:db8::=", NULL } },
	{ "brackets around prefixes",
	    "[10.0.0.0/8] A\n[11.0.0.0]/8 B\n[2001:db8::]/32 C\n",
	    { "10.9.9.9=A", "11.9.9.9=B", "2001:db8:1::=C", NULL } },
	{ "negation matches only its own family", "!192.168.0.0/16 NOT\n",
	    { "10.0.0.1=NOT", "192.168.1.1=", "::1=", "192.167.255.255=NOT",
		"192.169.0.0=NOT", NULL } },
	{ "negation with space and double negation",
	    "!!9.9.9.9 DOUBLE\n! 8.8.8.8 SPACE\n",
	    { "8.8.8.8=", "1.1.1.1=SPACE", "9.9.9.9=DOUBLE", NULL } },
	{ "if block", "if 172.16.0.0/12\n172.16.1.0/24 IN\nendif\n",
	    { "172.16.1.5=IN", "172.16.2.5=", "10.0.0.1=", NULL } },
	{ "if ! block, nested, case-insensitive",
	    "IF !10.0.0.0/8\nif 0.0.0.0/1\n0.0.0.0/0 LOW\nEndIf\n"
	    "0.0.0.0/0 HIGH\nENDIF\n10.0.0.0/8 TEN\n",
	    { "1.2.3.4=LOW", "200.1.1.1=HIGH", "10.1.1.1=TEN",
		"127.255.255.255=LOW", "128.0.0.0=HIGH", "::1=", NULL } },
	{ "if ! of the other family never matches",
	    "if !10.0.0.0/8\n::/0 V6\nendif\n::1 LATER\n",
	    { "::1=LATER", "2001::1=", NULL } },
	{ "if! without a space", "if!10.0.0.0/8\n0.0.0.0/0 OUT\nendif\n",
	    { "11.0.0.0=OUT", "10.0.0.0=", NULL } },
	{ "continuation lines, comments and blank lines",
	    "10.0.0.0/8 REJECT a\n   continued  here  \n#c\n\n\t more\n"
	    "11.0.0.0/8\n  B\n",
	    { "10.0.0.1=REJECT a   continued  here  \t more", "11.0.0.1=B",
		NULL } },
	{ "CRLF line ends, also in continued lines",
	    "1.0.0.0/8 A \r\n b\r\n2.0.0.0/8 C\r\n",
	    { "1.2.3.4=A  b", "2.0.0.1=C", NULL } },
	{ "trailing white space and CR are trimmed",
	    "1.2.3.4/32  \t  R  with   spaces \t \r\n",
	    { "1.2.3.4=R  with   spaces", NULL } },
	{ "whole address spaces and their edges", "0.0.0.0/0 ALL4\n::/0 ALL6\n",
	    { "0.0.0.0=ALL4", "255.255.255.255=ALL4", "::=ALL6",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff=ALL6", NULL } },
	{ "top of the space",
	    "255.255.255.255 TOP\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff T6\n"
	    "ffff::/16 F\n",
	    { "255.255.255.255=TOP", "255.255.255.254=",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff=T6",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe=F",
		"fffe::=", NULL } },
	{ "IPv6 prefixes across the 64-bit halves",
	    "2001:db8::/63 A\n2001:db8:0:0:8000::/65 B\n2001:db8::/64 C\n",
	    { "2001:db8::1=A", "2001:db8:0:1::=A",
		"2001:db8:0:2::=", "2001:db8:0:0:8000::1=A", NULL } },
	{ "prefix lengths with leading zeros", "1.2.3.0/024 A\n",
	    { "1.2.3.4=A", "1.2.4.0=", NULL } },
	{ "mapped IPv6 patterns stay IPv6", "::ffff:1.2.3.4 MAPPED\n",
	    { "::ffff:1.2.3.4=MAPPED", "1.2.3.4=", NULL } },
	{ "empty table", "# nothing\n\n", { "1.2.3.4=", "::1=", NULL } },
};

static void
check_cases(const struct match_case *c)
{
	struct bmx_cidr_table *t;
	const struct bmx_cidr_rule *r;
	struct bmx_diag d;
	struct bmx_ip ip;
	char addr[64];
	const char *eq, *want;
	int i;

	bmx_diag_init(&d);
	t = bmx_cidr_parse("case", c->table, strlen(c->table), &d);
	if (t == NULL)
		fail_msg("%s: table not built (%zu errors)", c->name, d.errors);
	for (i = 0; c->expect[i] != NULL; i++) {
		eq = strchr(c->expect[i], '=');
		assert_non_null(eq);
		snprintf(addr, sizeof(addr), "%.*s", (int)(eq - c->expect[i]),
		    c->expect[i]);
		want = eq + 1;
		if (!bmx_ip_parse(addr, &ip))
			fail_msg("%s: bad test address %s", c->name, addr);
		r = bmx_cidr_match(t, &ip);
		if (*want == '\0' && r != NULL)
			fail_msg("%s: %s: want no match, got \"%s\" (line %u)",
			    c->name, addr, r->result, r->line);
		if (*want != '\0' && (r == NULL || strcmp(r->result, want)))
			fail_msg("%s: %s: want \"%s\", got \"%s\"", c->name,
			    addr, want, r ? r->result : "(no match)");
	}
	bmx_cidr_free(t);
	bmx_diag_clear(&d);
}

static void
test_matching(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++)
		check_cases(&match_cases[i]);
}

static void
test_rule_fields(void **state)
{
	static const char text[] = "# c\n10.0.0.0/8 A\nif 11.0.0.0/8\n"
				   "! 11.1.0.0/16  B b\nendif\n";
	struct bmx_cidr_table *t;
	const struct bmx_cidr_rule *r;
	struct bmx_diag d;
	struct bmx_ip ip;

	(void)state;
	bmx_diag_init(&d);
	t = bmx_cidr_parse("fields", text, sizeof(text) - 1, &d);
	assert_non_null(t);
	assert_int_equal(bmx_cidr_nrules(t), 2);
	assert_string_equal(bmx_cidr_name(t), "fields");
	assert_true(bmx_ip_parse("11.2.0.0", &ip));
	r = bmx_cidr_match(t, &ip);
	assert_non_null(r);
	assert_string_equal(r->pattern, "! 11.1.0.0/16");
	assert_string_equal(r->result, "B b");
	assert_int_equal(r->line, 4);
	assert_int_equal(r->index, 1);
	assert_ptr_equal(bmx_cidr_rule(t, 1), r);
	assert_null(bmx_cidr_rule(t, 2));
	assert_true(bmx_cidr_memory(t) > 0);
	assert_true(bmx_cidr_nranges(t) >= 4);
	bmx_cidr_free(t);
	bmx_cidr_free(NULL);
	bmx_diag_clear(&d);
}

static void
test_never_matches_warning(void **state)
{
	static const char text[] = "if 6.0.0.0/8\n2001:db8::/32 X\n"
				   "7.0.0.0/8 Y\nendif\n";
	struct bmx_cidr_table *t;
	struct bmx_diag d;
	char line[512];

	(void)state;
	bmx_diag_init(&d);
	t = bmx_cidr_parse("w.cidr", text, sizeof(text) - 1, &d);
	assert_non_null(t);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 2);
	bmx_diag_format(&d.entries[0], line, sizeof(line));
	assert_string_equal(line,
	    "w.cidr:2: warning: \"2001:db8::/32\" can never match: its "
	    "pattern lies outside the enclosing if");
	bmx_diag_format(&d.entries[1], line, sizeof(line));
	assert_string_equal(line,
	    "w.cidr:3: warning: \"7.0.0.0/8\" can never match: its pattern "
	    "lies outside the enclosing if");
	bmx_cidr_free(t);
	bmx_diag_clear(&d);
}

static void
test_limits(void **state)
{
	struct bmx_cidr_table *t;
	struct bmx_diag d;
	char *text;
	size_t i, n = 0;

	(void)state;
	/* A logical line over the limit is an error, not a truncation. */
	text = malloc(BMX_CIDR_LINE_MAX + 64);
	assert_non_null(text);
	n = (size_t)sprintf(text, "1.2.3.4 REJECT ");
	memset(text + n, 'x', BMX_CIDR_LINE_MAX);
	n += BMX_CIDR_LINE_MAX;
	bmx_diag_init(&d);
	t = bmx_cidr_parse("long", text, n, &d);
	assert_null(t);
	assert_int_equal(d.errors, 1);
	bmx_diag_clear(&d);
	/* A NUL byte is an error. */
	t = bmx_cidr_parse("nul", "1.2.3.4 A\0B\n", 12, &d);
	assert_null(t);
	assert_int_equal(d.errors, 1);
	bmx_diag_clear(&d);
	free(text);
	/* Nesting deeper than the limit is an error. */
	text = malloc((BMX_CIDR_DEPTH_MAX + 1) * 32);
	assert_non_null(text);
	for (i = 0, n = 0; i <= BMX_CIDR_DEPTH_MAX; i++)
		n += (size_t)sprintf(text + n, "if 10.0.0.0/8\n");
	t = bmx_cidr_parse("deep", text, n, &d);
	assert_null(t);
	assert_true(d.errors >= 1);
	bmx_diag_clear(&d);
	free(text);
	/* Only BMX_DIAG_KEEP messages are kept; all are counted. */
	text = malloc(300 * 8);
	assert_non_null(text);
	for (i = 0, n = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "endif\n");
	t = bmx_cidr_parse("many", text, n, &d);
	assert_null(t);
	assert_int_equal(d.errors, 300);
	assert_int_equal(d.nentries, BMX_DIAG_KEEP);
	bmx_diag_clear(&d);
	free(text);
}

static void
test_duplicates(void **state)
{
	struct bmx_cidr_table *t;
	const struct bmx_cidr_rule *r;
	struct bmx_diag d;
	struct bmx_ip ip;
	char *text;
	size_t n = 0;
	int i;

	(void)state;
	/* Many rules with one prefix, in both families: the first wins. */
	text = malloc(1000 * 64);
	assert_non_null(text);
	for (i = 0; i < 500; i++)
		n += (size_t)sprintf(
		    text + n, "10.0.0.0/8 R%d\n::/0 S%d\n", i, i);
	bmx_diag_init(&d);
	t = bmx_cidr_parse("dup", text, n, &d);
	assert_non_null(t);
	assert_true(bmx_ip_parse("10.1.2.3", &ip));
	r = bmx_cidr_match(t, &ip);
	assert_non_null(r);
	assert_string_equal(r->result, "R0");
	assert_true(bmx_ip_parse("2001:db8::1", &ip));
	r = bmx_cidr_match(t, &ip);
	assert_non_null(r);
	assert_string_equal(r->result, "S0");
	bmx_cidr_free(t);
	bmx_diag_clear(&d);
	free(text);
}

/* Parse test/golden/NAME.cidr and compare the messages with NAME.out. */
static void
golden(const char *name)
{
	const char *dir = getenv("BMX_GOLDEN_DIR");
	char path[1024], err[1024], line[2048], *text, *want, *got = NULL;
	size_t len, wlen, glen = 0, i;
	struct bmx_cidr_table *t;
	struct bmx_diag d;
	FILE *fp;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s.cidr", dir, name);
	if (!bmx_file_read(path, &text, &len, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/%s.out", dir, name);
	if (!bmx_file_read(path, &want, &wlen, err, sizeof(err)))
		fail_msg("%s", err);
	bmx_diag_init(&d);
	snprintf(path, sizeof(path), "%s.cidr", name);
	t = bmx_cidr_parse(path, text, len, &d);
	fp = open_memstream(&got, &glen);
	assert_non_null(fp);
	for (i = 0; i < d.nentries; i++) {
		bmx_diag_format(&d.entries[i], line, sizeof(line));
		fprintf(fp, "%s\n", line);
	}
	fprintf(fp, "table %s, %zu errors, %zu warnings\n",
	    t != NULL ? "built" : "not built", d.errors, d.warnings);
	fclose(fp);
	if (strcmp(got, want) != 0)
		fail_msg("%s: messages differ from the golden file\n"
			 "--- want\n%s--- got\n%s",
		    name, want, got);
	bmx_cidr_free(t);
	bmx_diag_clear(&d);
	free(got);
	free(text);
	free(want);
}

static void
test_golden_errors(void **state)
{
	(void)state;
	golden("cidr_errors");
	golden("cidr_indent");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_rule_fields),
		cmocka_unit_test(test_never_matches_warning),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_golden_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
