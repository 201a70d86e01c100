/*
 * metrics_test.c - unit tests of lib/metrics: each counter and label in
 * the exposition, the histogram's cumulative buckets, the class labels
 * bounded (BMX_METRICS_CLASSES, then "other"), a label value that could
 * break the format, the cache, DNS and resolver guard parts only when
 * given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static char *
render(struct bmx_metrics *m, const struct bmx_metrics_extra *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(bmx_metrics_write(m, x, f), 0);
	fclose(f);
	return buf;
}

static void
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static const struct bmx_metrics_extra base = { .start = 100,
	.loaded = 200,
	.generation = 3,
	.version = "9.9",
	.registry_date = "2026-01-02" };

static void
counters(void **state)
{
	struct bmx_metrics *m = bmx_metrics_new();
	char *s;

	(void)state;
	bmx_metrics_decision(
	    m, BMX_OUTCOME_BOGUS, "loopback", BMX_METRICS_REJECT, 3);
	bmx_metrics_decision(
	    m, BMX_OUTCOME_BOGUS, "loopback", BMX_METRICS_LOG, 30);
	bmx_metrics_decision(
	    m, BMX_OUTCOME_TEMPFAIL, "", BMX_METRICS_TEMPFAIL, 20000);
	bmx_metrics_skip(m, BMX_SKIP_MAILER);
	bmx_metrics_skip(m, BMX_SKIP_COUNT); /* ignored */
	bmx_metrics_reload(m, true);
	bmx_metrics_reload(m, false);
	bmx_metrics_reload(m, false);
	s = render(m, &base);
	has(s,
	    "bogusmx_decisions_total{outcome=\"bogus\",class=\"loopback\"}"
	    " 2");
	has(s,
	    "bogusmx_decisions_total{outcome=\"tempfail\",class=\"none\"}"
	    " 1");
	has(s, "bogusmx_actions_total{action=\"reject\"} 1");
	has(s, "bogusmx_actions_total{action=\"log\"} 1");
	has(s, "bogusmx_actions_total{action=\"tag\"} 0");
	has(s, "bogusmx_skipped_total{reason=\"mailer\"} 1");
	has(s, "bogusmx_skipped_total{reason=\"exempt_client\"} 0");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"0.001\"} 0");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"0.005\"} 1");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"0.025\"} 1");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"0.05\"} 2");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"10\"} 2");
	has(s, "bogusmx_decision_duration_seconds_bucket{le=\"+Inf\"} 3");
	has(s, "bogusmx_decision_duration_seconds_sum 20.033");
	has(s, "bogusmx_decision_duration_seconds_count 3");
	has(s, "bogusmx_reloads_total{result=\"ok\"} 1");
	has(s, "bogusmx_reloads_total{result=\"failed\"} 2");
	has(s, "bogusmx_start_time_seconds 100");
	has(s, "bogusmx_config_generation 3");
	has(s,
	    "bogusmx_build_info{version=\"9.9\",registry_date="
	    "\"2026-01-02\"} 1");
	has(s, "# TYPE bogusmx_decision_duration_seconds histogram");
	assert_null(strstr(s, "bogusmx_cache_"));
	assert_null(strstr(s, "bogusmx_dns_"));
	free(s);
	bmx_metrics_free(m);
}

static void
classes_bounded(void **state)
{
	struct bmx_metrics *m = bmx_metrics_new();
	char cls[32];
	char *s;
	int i;

	(void)state;
	for (i = 0; i < BMX_METRICS_CLASSES + 3; i++) {
		snprintf(cls, sizeof(cls), "c%d", i);
		bmx_metrics_decision(
		    m, BMX_OUTCOME_BOGUS, cls, BMX_METRICS_REJECT, 0);
	}
	bmx_metrics_decision(
	    m, BMX_OUTCOME_BOGUS, "bad\"x\\y", BMX_METRICS_REJECT, 0);
	s = render(m, &base);
	has(s, "bogusmx_decisions_total{outcome=\"bogus\",class=\"c0\"} 1");
	has(s, "bogusmx_decisions_total{outcome=\"bogus\",class=\"other\"} 4");
	assert_null(strstr(s, "class=\"c32\""));
	free(s);
	bmx_metrics_free(m);

	/* a quote or backslash in a class name cannot break a label */
	m = bmx_metrics_new();
	bmx_metrics_decision(
	    m, BMX_OUTCOME_BOGUS, "bad\"x\\y", BMX_METRICS_REJECT, 0);
	s = render(m, &base);
	has(s,
	    "bogusmx_decisions_total{outcome=\"bogus\",class=\"bad_x_y\"} "
	    "1");
	free(s);
	bmx_metrics_free(m);
}

static void
extra(void **state)
{
	struct bmx_metrics *m = bmx_metrics_new();
	struct bmx_metrics_extra x = base;
	char *s;

	(void)state;
	x.has_cache = true;
	x.cache.entries = 7;
	x.cache.bytes = 4096;
	x.cache.hits = 11;
	x.cache.stale_served = 2;
	x.has_dns = true;
	x.dns.sent = 40;
	x.dns.inflight = 3;
	x.dns.max_inflight = 256;
	x.dns.starved = 1;
	s = render(m, &x);
	has(s, "bogusmx_cache_entries 7");
	has(s, "bogusmx_cache_bytes 4096");
	has(s, "bogusmx_cache_hits_total 11");
	has(s, "bogusmx_cache_stale_served_total 2");
	has(s, "bogusmx_dns_queries_total 40");
	has(s, "bogusmx_dns_queries_in_flight 3");
	has(s, "bogusmx_dns_queries_in_flight_limit 256");
	has(s, "bogusmx_dns_queries_starved_total 1");
	assert_null(strstr(s, "bogusmx_resolver_guard"));
	free(s);
	/* the guard's state: one result per canary, and its counters */
	x.has_guard = true;
	x.guard.private_canary = BMX_CANARY_FAIL;
	x.guard.nxdomain_canary = BMX_CANARY_PASS;
	x.guard.distrust_empty = true;
	x.guard.deferrals = 5;
	x.guard.unspecified = 3;
	s = render(m, &x);
	has(s,
	    "bogusmx_resolver_guard_canary{canary=\"private\","
	    "result=\"fail\"} 1");
	has(s,
	    "bogusmx_resolver_guard_canary{canary=\"private\","
	    "result=\"pass\"} 0");
	has(s,
	    "bogusmx_resolver_guard_canary{canary=\"nxdomain\","
	    "result=\"pass\"} 1");
	has(s, "bogusmx_resolver_guard_distrust_empty 1");
	has(s, "bogusmx_resolver_guard_deferrals_total 5");
	has(s, "bogusmx_resolver_guard_unspecified_total 3");
	free(s);
	assert_string_equal(
	    bmx_skip_text(BMX_SKIP_NEXT_HOP), "exempt next hop");
	assert_string_equal(bmx_metrics_action_name(BMX_METRICS_TAG), "tag");
	bmx_metrics_free(m);
	bmx_metrics_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters),
		cmocka_unit_test(classes_bounded),
		cmocka_unit_test(extra),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
