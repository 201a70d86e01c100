/*
 * comments_test.c - unit tests of lib/comments: every comment form
 * blanked with the newlines kept, strings left alone, and what is left
 * open reported at the line where it was opened.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "comments.h"

struct strip_case {
	const char *in, *out;
};

static const struct strip_case strip_cases[] = {
	{ "a = 1 # one\n", "a = 1      \n" },
	{ "a = 1 // one\n", "a = 1       \n" },
	{ "a = /* x */ 1\n", "a =         1\n" },
	{ "/* one\ntwo */a\n", "      \n      a\n" },
	{ "# a\n# b\nc\n", "   \n   \nc\n" },
	{ "l = { \"x\", # c\n \"y\" }\n", "l = { \"x\",    \n \"y\" }\n" },
	/* comment characters inside strings are text */
	{ "t = \"a # b // c /* d */\"\n", "t = \"a # b // c /* d */\"\n" },
	{ "t = 'a # b'\n", "t = 'a # b'\n" },
	{ "t = \"a \\\" # b\" # c\n", "t = \"a \\\" # b\"    \n" },
	{ "t = 'it\\'s # x' # c\n", "t = 'it\\'s # x'    \n" },
	/* a string over two lines, then a comment */
	{ "t = \"a\nb\" # c\n", "t = \"a\nb\"    \n" },
	/* a '#' inside a C comment, a '/''*' inside a # comment */
	{ "/* # */x # /* y\nz\n", "       x       \nz\n" },
	{ "a // b /* c\nd\n", "a          \nd\n" },
	{ "", "" },
	{ "s { a = 1 }\n", "s { a = 1 }\n" },
};

static void
test_strip(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(strip_cases) / sizeof(strip_cases[0]); i++) {
		char buf[256], err[128] = "";
		unsigned line = 0;

		snprintf(buf, sizeof(buf), "%s", strip_cases[i].in);
		if (!bmx_comments_strip(buf, err, sizeof(err), &line) ||
		    strcmp(buf, strip_cases[i].out) != 0) {
			print_error("case %zu: got \"%s\" (%s)\n", i, buf, err);
			bad++;
		}
		assert_int_equal(strlen(buf), strlen(strip_cases[i].in));
	}
	assert_int_equal(bad, 0);
}

struct open_case {
	const char *in;
	unsigned line;
	const char *err;
};

static const struct open_case open_cases[] = {
	{ "a = 1\nb = \"x\n\n", 2,
	    "the quoted string opened here is never "
	    "closed" },
	{ "a = 'x\n", 1, "the quoted string opened here is never closed" },
	{ "a = 1\n\n/* x\n*\n", 3,
	    "the /* comment opened here is never "
	    "closed" },
	{ "s {\n a = 1\n", 1, "the '{' here is never closed" },
	{ "s {\n}\nt {\n u {\n }\n", 3, "the '{' here is never closed" },
	{ "a = \"x\\\"\n", 1,
	    "the quoted string opened here is never "
	    "closed" },
};

static void
test_open(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]); i++) {
		char buf[256], err[128] = "";
		unsigned line = 0;

		snprintf(buf, sizeof(buf), "%s", open_cases[i].in);
		if (bmx_comments_strip(buf, err, sizeof(err), &line) ||
		    line != open_cases[i].line ||
		    strcmp(err, open_cases[i].err) != 0) {
			print_error("case %zu: line %u \"%s\"\n", i, line, err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Braces deeper than the lexer locates are still counted. */
static void
test_deep(void **state)
{
	char buf[256], err[128];
	unsigned line = 0;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf[i] = '{';
	buf[40] = '\n';
	for (i = 41; i < 80; i++)
		buf[i] = '}';
	buf[80] = '\0';
	assert_false(bmx_comments_strip(buf, err, sizeof(err), &line));
	assert_int_equal(line, 1);
	buf[80] = '}';
	buf[81] = '\0';
	assert_true(bmx_comments_strip(buf, err, sizeof(err), &line));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
