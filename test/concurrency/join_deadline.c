/*
 * join_deadline.c - a recipient that joins another's lookup keeps its
 * own deadline
 *
 * Two engines share one cache (as a reload's old and new engine do):
 * engine A gives a recipient 600 ms (attempts of 400 ms), engine B
 * 4000 ms (attempts of 1500 ms).  The nameserver
 * (loopdns, in a thread of this test) answers every query 1000 ms
 * late.  A's recipient asks first and owns the MX lookup of the
 * domain; B's recipient arrives while that query is in flight and joins
 * it.  At 600 ms A's deadline passes: A is deferred (451 4.4.3).  B,
 * with more than 3 s left, must not inherit that: it looks the name up
 * again itself and gets the answer within its own deadline (accept).
 *
 * The test waits for A's query to be in flight (the cache's inflight
 * counter) before B starts, and checks that B really joined (the joins
 * counter): so what it shows does not depend on how fast threads run.
 * Loopback only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "diag.h"
#include "engine.h"
#include "loopdns.h"
#include "loopengine.h"
#include "registry.h"

#define DELAY_MS 1000

static void
zone(void *arg, const char *qname, uint16_t qtype, struct loopdns_answer *a)
{
	(void)arg;
	if (strcmp(qname, "join.example.net") == 0 && qtype == LDNS_RR_TYPE_MX)
		snprintf(a->rr[a->nrr++], sizeof(a->rr[0]),
		    "join.example.net. 300 IN MX 10 mx.join.example.net.");
	else if (strcmp(qname, "mx.join.example.net") == 0 &&
	    qtype == LDNS_RR_TYPE_A)
		snprintf(a->rr[a->nrr++], sizeof(a->rr[0]),
		    "mx.join.example.net. 300 IN A 93.184.216.34");
	else
		snprintf(a->authority, sizeof(a->authority),
		    "example.net. 300 IN SOA ns.example.net. "
		    "host.example.net. 1 7200 900 1209600 300");
}

struct decide {
	struct bmx_engine *e;
	struct bmx_result r;
};

static void *
decide(void *arg)
{
	struct decide *d = arg;

	bmx_engine_decide(d->e, "<user@join.example.net>", &d->r);
	return NULL;
}

static struct bmx_engine *
engine(struct loopdns *dns, struct bmx_cidr_table *registry,
    struct bmx_cache *cache, unsigned timeout_ms, unsigned deadline_ms)
{
	struct bmx_engine_settings s;
	struct bmx_engine *e;
	char err[256];

	bmx_engine_defaults(&s);
	s.timeout_ms = timeout_ms;
	s.attempts = 3;
	s.deadline_ms = deadline_ms;
	s.shared_cache = cache;
	e = loopengine_new(dns, registry, &s, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "join_deadline: %s\n", err);
		exit(1);
	}
	return e;
}

static bool
expect(const char *who, const struct bmx_result *r, enum bmx_verdict v,
    unsigned code)
{
	char reply[BMX_REPLY_MAX + 16];

	bmx_decision_reply(&r->j.d, reply, sizeof(reply));
	printf("%s: %s in %lld ms %s%s%s\n", who, bmx_verdict_name(r->verdict),
	    r->elapsed_ms, reply, r->j.why[0] ? "; why: " : "", r->j.why);
	if (r->verdict == v && r->j.d.code == code)
		return true;
	printf("FAIL: %s: expected %s %u\n", who, bmx_verdict_name(v), code);
	return false;
}

int
main(void)
{
	struct bmx_engine_settings defaults;
	struct bmx_cidr_table *registry;
	struct bmx_cache_stats st;
	struct decide a, b;
	struct bmx_cache *cache;
	struct loopdns *dns;
	struct bmx_diag diag;
	pthread_t ta, tb;
	char err[256];
	bool ok = true;

	bmx_diag_init(&diag);
	registry = bmx_registry_table(&diag);
	bmx_diag_clear(&diag);
	dns = loopdns_start(zone, NULL, DELAY_MS, err, sizeof(err));
	bmx_engine_defaults(&defaults);
	cache = bmx_cache_new(&defaults.cache);
	if (registry == NULL || dns == NULL || cache == NULL) {
		fprintf(stderr, "join_deadline: cannot start: %s\n",
		    dns == NULL ? err : "out of memory");
		return 1;
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.e = engine(dns, registry, cache, 400, 600);
	b.e = engine(dns, registry, cache, 1500, 4000);
	pthread_create(&ta, NULL, decide, &a);
	/* B starts once A's MX query is in flight: B joins it */
	do {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
		bmx_cache_get_stats(cache, &st);
	} while (st.inflight == 0);
	pthread_create(&tb, NULL, decide, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	bmx_cache_get_stats(cache, &st);
	printf("cache: joins=%lu misses=%lu; the server got %lu queries\n",
	    st.joins, st.misses, loopdns_queries(dns));
	ok &= expect("A (600 ms)", &a.r, BMX_VERDICT_TEMPFAIL, 451);
	ok &= expect("B (4000 ms, joined A)", &b.r, BMX_VERDICT_ACCEPT, 0);
	if (st.joins != 1) {
		printf(
		    "FAIL: B did not join A's lookup (joins=%lu)\n", st.joins);
		ok = false;
	}
	bmx_result_clear(&a.r);
	bmx_result_clear(&b.r);
	bmx_engine_free(a.e);
	bmx_engine_free(b.e);
	bmx_cache_free(cache);
	loopdns_stop(dns);
	bmx_cidr_free(registry);
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
