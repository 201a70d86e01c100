/*
 * diag_test.c - unit tests of lib/diag: entries kept with file and
 * line, their text ("file:line: [warning: ]message"), the bound on kept
 * entries while the counters go on, and the printout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static void
test_format(void **state)
{
	struct bmx_diag d;
	char line[256];

	(void)state;
	bmx_diag_init(&d);
	bmx_diag_add(&d, BMX_DIAG_ERROR, "a.conf", 3, "bad %s %d", "value", 7);
	bmx_diag_add(&d, BMX_DIAG_WARNING, "a.conf", 4, "odd");
	bmx_diag_add(&d, BMX_DIAG_ERROR, "a.conf", 0, "no line");
	bmx_diag_add(&d, BMX_DIAG_WARNING, NULL, 9, "no file");
	bmx_diag_add(&d, BMX_DIAG_ERROR, "", 0, "nothing");
	assert_int_equal(d.nentries, 5);
	assert_int_equal(d.errors, 3);
	assert_int_equal(d.warnings, 2);
	assert_int_equal(bmx_diag_format(&d.entries[0], line, sizeof(line)),
	    (int)strlen("a.conf:3: bad value 7"));
	assert_string_equal(line, "a.conf:3: bad value 7");
	bmx_diag_format(&d.entries[1], line, sizeof(line));
	assert_string_equal(line, "a.conf:4: warning: odd");
	bmx_diag_format(&d.entries[2], line, sizeof(line));
	assert_string_equal(line, "a.conf: no line");
	bmx_diag_format(&d.entries[3], line, sizeof(line));
	assert_string_equal(line, "warning: no file");
	assert_string_equal(d.entries[3].file, "");
	bmx_diag_format(&d.entries[4], line, sizeof(line));
	assert_string_equal(line, "nothing");
	/* truncated like snprintf, the full length returned */
	assert_int_equal(bmx_diag_format(&d.entries[0], line, 8), 21);
	assert_string_equal(line, "a.conf:");
	bmx_diag_clear(&d);
	assert_int_equal(d.nentries, 0);
	assert_null(d.entries);
	assert_int_equal(d.errors + d.warnings, 0);
	bmx_diag_clear(NULL);
}

static void
test_bound_and_print(void **state)
{
	struct bmx_diag d;
	char *buf = NULL;
	size_t len = 0, i, lines = 0;
	FILE *f;

	(void)state;
	bmx_diag_init(&d);
	for (i = 0; i < BMX_DIAG_KEEP + 25; i++)
		bmx_diag_add(&d, i % 2 ? BMX_DIAG_WARNING : BMX_DIAG_ERROR,
		    "t.cidr", (unsigned)i + 1, "problem %zu", i);
	assert_int_equal(d.nentries, BMX_DIAG_KEEP);
	assert_int_equal(d.errors + d.warnings, BMX_DIAG_KEEP + 25);
	assert_string_equal(d.entries[BMX_DIAG_KEEP - 1].message, "problem 99");

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	bmx_diag_print(&d, f, "check: ");
	assert_int_equal(fclose(f), 0);
	assert_true(strncmp(buf,
			"check: t.cidr:1: problem 0\n"
			"check: t.cidr:2: warning: problem 1\n",
			strlen("check: t.cidr:1: problem 0\n"
			       "check: t.cidr:2: warning: problem 1\n")) == 0);
	assert_non_null(strstr(buf, "\ncheck: ... and 25 more\n"));
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, BMX_DIAG_KEEP + 1);
	free(buf);
	bmx_diag_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_bound_and_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
