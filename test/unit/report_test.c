/*
 * report_test.c - unit tests of lib/report: counts by verdict, outcome
 * and class; accepts counted as decisions only; the Space-Saving top-k
 * (exact while the slots suffice, a heavy domain kept through a flood
 * of others, its error bound); rows beyond BMX_REPORT_ROWS in "other";
 * reset; the text and JSON forms; threads counting at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void
counts(void **state)
{
	struct bmx_report *r = bmx_report_new(10, 1000);
	struct bmx_report_view v;

	(void)state;
	assert_non_null(r);
	bmx_report_add(
	    r, BMX_VERDICT_ACCEPT, BMX_OUTCOME_ACCEPT, "public", "good.de");
	bmx_report_add(
	    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, "loopback", "hot.de");
	bmx_report_add(
	    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, "loopback", "hot.de");
	bmx_report_add(
	    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, "private", "private.de");
	bmx_report_add(
	    r, BMX_VERDICT_TEMPFAIL, BMX_OUTCOME_TEMPFAIL, "", "servfail.de");
	bmx_report_add(r, BMX_VERDICT_REJECT, BMX_OUTCOME_SYNTAX, NULL, "");
	assert_true(bmx_report_get(r, &v));
	assert_int_equal(v.since, 1000);
	assert_int_equal(v.decisions, 6);
	assert_int_equal(v.rejected, 4);
	assert_int_equal(v.tempfailed, 1);
	assert_int_equal(v.nrows, 4);
	/* highest count first */
	assert_int_equal(v.rows[0].outcome, BMX_OUTCOME_BOGUS);
	assert_string_equal(v.rows[0].class_name, "loopback");
	assert_int_equal(v.rows[0].count, 2);
	/* the bad address has no domain: 3 domains */
	assert_int_equal(v.ndomains, 3);
	assert_string_equal(v.domains[0].name, "hot.de");
	assert_int_equal(v.domains[0].count, 2);
	assert_int_equal(v.domains[0].error, 0);
	assert_int_equal(v.domains[0].outcome, BMX_OUTCOME_BOGUS);
	bmx_report_view_clear(&v);

	bmx_report_reset(r, 2000);
	assert_true(bmx_report_get(r, &v));
	assert_int_equal(v.since, 2000);
	assert_int_equal(v.decisions, 0);
	assert_int_equal(v.rejected, 0);
	assert_int_equal(v.nrows, 0);
	assert_int_equal(v.ndomains, 0);
	bmx_report_view_clear(&v);
	bmx_report_free(r);
}

/* A domain refused often stays in the table through a flood of
 * domains refused once each; the others' count is bounded. */
static void
topk(void **state)
{
	struct bmx_report *r = bmx_report_new(4, 0);
	struct bmx_report_view v;
	char name[64];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "flood%d.example", i);
		bmx_report_add(
		    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, "loopback", name);
		if (i % 2 == 0)
			bmx_report_add(r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS,
			    "loopback", "heavy.example");
	}
	assert_true(bmx_report_get(r, &v));
	assert_int_equal(v.ndomains, 4);
	assert_string_equal(v.domains[0].name, "heavy.example");
	/* its true count is 500: count - error <= 500 <= count */
	assert_true(v.domains[0].count >= 500);
	assert_true(v.domains[0].count - v.domains[0].error <= 500);
	/* the table never grew */
	assert_int_equal(v.topk, 4);
	assert_int_equal(v.rejected, 1500);
	bmx_report_view_clear(&v);
	assert_null(bmx_report_new(0, 0));
	assert_null(bmx_report_new(BMX_REPORT_TOPK_MAX + 1, 0));
	bmx_report_free(r);
	bmx_report_free(NULL);
}

static void
rows_bounded(void **state)
{
	struct bmx_report *r = bmx_report_new(1, 0);
	struct bmx_report_view v;
	char cls[16];
	int i;

	(void)state;
	for (i = 0; i < BMX_REPORT_ROWS + 5; i++) {
		snprintf(cls, sizeof(cls), "class%d", i);
		bmx_report_add(
		    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, cls, "x.de");
	}
	assert_true(bmx_report_get(r, &v));
	assert_int_equal(v.nrows, BMX_REPORT_ROWS);
	assert_int_equal(v.other, 5);
	bmx_report_view_clear(&v);
	bmx_report_free(r);
}

static char *
render(const struct bmx_report_view *v, bool json, size_t limit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		bmx_report_write_json(v, limit, 1060, f);
	else
		bmx_report_write_text(v, limit, 1060, f);
	fclose(f);
	return buf;
}

static void
forms(void **state)
{
	struct bmx_report *r = bmx_report_new(10, 1000);
	struct bmx_report_view v;
	char *s;

	(void)state;
	bmx_report_add(
	    r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS, "loopback", "hot.de");
	bmx_report_add(
	    r, BMX_VERDICT_REJECT, BMX_OUTCOME_NULLMX, "null-mx", "q\"uote.de");
	assert_true(bmx_report_get(r, &v));
	s = render(&v, true, 1);
	assert_string_equal(s,
	    "{\"since\":1000,\"seconds\":60,\"decisions\":2,\"rejected\":2,"
	    "\"tempfailed\":0,\"other\":0,\"rows\":[{\"verdict\":\"reject\","
	    "\"outcome\":\"bogus\",\"class\":\"loopback\",\"count\":1},"
	    "{\"verdict\":\"reject\",\"outcome\":\"null-mx\",\"class\":"
	    "\"null-mx\",\"count\":1}],\"topk\":10,\"domains\":[{\"domain\":"
	    "\"hot.de\",\"outcome\":\"bogus\",\"count\":1,\"error\":0}]}\n");
	free(s);
	s = render(&v, true, 0);
	assert_non_null(strstr(s, "\"domain\":\"q\\\"uote.de\""));
	free(s);
	s = render(&v, false, 0);
	assert_non_null(strstr(s,
	    "since 1970-01-01 00:16:40 UTC (60 s ago): 2 decisions; with "
	    "action = reject, 2 would have been rejected and 0 deferred\n"));
	assert_non_null(strstr(s, "reject    bogus          loopback"));
	assert_non_null(strstr(s, "hot.de"));
	free(s);
	bmx_report_view_clear(&v);
	bmx_report_free(r);
}

/* Threads counting at once, one resetting and reading: no count is
 * lost between resets, and a view is always whole. */
#define THREADS 4
#define ADDS 20000

static void *
adder(void *arg)
{
	struct bmx_report *r = arg;
	int i;

	for (i = 0; i < ADDS; i++)
		bmx_report_add(r, BMX_VERDICT_REJECT, BMX_OUTCOME_BOGUS,
		    i % 2 ? "loopback" : "private",
		    i % 3 ? "hot.example" : "other.example");
	return NULL;
}

static void
threads(void **state)
{
	struct bmx_report *r = bmx_report_new(2, 0);
	struct bmx_report_view v;
	pthread_t t[THREADS];
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, adder, r), 0);
	for (i = 0; i < 50; i++) {
		assert_true(bmx_report_get(r, &v));
		assert_int_equal(v.decisions, v.rejected);
		bmx_report_view_clear(&v);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_true(bmx_report_get(r, &v));
	assert_int_equal(v.rejected, THREADS * ADDS);
	assert_int_equal(v.rows[0].count + v.rows[1].count, THREADS * ADDS);
	assert_int_equal(
	    v.domains[0].count + v.domains[1].count, THREADS * ADDS);
	bmx_report_view_clear(&v);
	bmx_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),
		cmocka_unit_test(topk),
		cmocka_unit_test(rows_bounded),
		cmocka_unit_test(forms),
		cmocka_unit_test(threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
