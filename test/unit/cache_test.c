/*
 * cache_test.c - unit tests of lib/cache: hits and misses, positive and
 * negative TTLs (RFC 2308) clamped to the configured bounds, failures
 * never cached, stale answers within their window only (RFC 8767), LRU
 * eviction, joined lookups across threads, a joiner's deadline, a cache
 * whose every entry is in flight, a flood of random names, and the
 * counters; the failure recheck (a stale answer served without asking
 * again after a failed refresh), the byte budget, purging a domain with
 * its MX hosts and CNAME targets, and the bounded dump.
 *
 * Answers are real replies: each is built with ldns as a server would
 * send it and parsed by bmx_dnsmsg_parse(), so the TTLs the cache sees
 * are the ones lib/dnsmsg computes (for negative answers, the smaller of
 * the SOA's TTL and its minimum).  Time is the test's own clock, given
 * to the cache through bmx_cache_config.clock and moved on by hand;
 * only the join deadlines use real time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "dnsmsg.h"
#include "testrand.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define A BMX_DNS_TYPE_A
#define AAAA BMX_DNS_TYPE_AAAA
#define MX BMX_DNS_TYPE_MX
#define ID 0x4242

/* The test clock, in milliseconds; it starts far from zero. */
static _Atomic long long clock_ms = 1000000;

static long long
test_clock(void *arg)
{
	(void)arg;
	return atomic_load(&clock_ms);
}

static void
advance(long long ms)
{
	atomic_fetch_add(&clock_ms, ms);
}

static struct bmx_cache *
new_cache_full(size_t max_entries, uint32_t min_ttl, uint32_t max_ttl,
    uint32_t max_neg_ttl, uint32_t stale_ttl, uint32_t stale_recheck,
    size_t max_bytes)
{
	struct bmx_cache_config cfg = {
		.max_entries = max_entries,
		.min_ttl = min_ttl,
		.max_ttl = max_ttl,
		.max_neg_ttl = max_neg_ttl,
		.stale_ttl = stale_ttl,
		.stale_recheck = stale_recheck,
		.max_bytes = max_bytes,
		.clock = test_clock,
	};
	struct bmx_cache *c = bmx_cache_new(&cfg);

	assert_non_null(c);
	return c;
}

/* No failure recheck, no byte budget. */
static struct bmx_cache *
new_cache(size_t max_entries, uint32_t min_ttl, uint32_t max_ttl,
    uint32_t max_neg_ttl, uint32_t stale_ttl)
{
	return new_cache_full(
	    max_entries, min_ttl, max_ttl, max_neg_ttl, stale_ttl, 0, 0);
}

/*
 * A reply to (qname, qtype) with an rcode, answer records and at most one
 * authority record (zone-file text), parsed by lib/dnsmsg.
 */
static struct bmx_answer *
reply(const char *qname, uint16_t qtype, ldns_pkt_rcode rcode,
    const char *const *answers, const char *authority)
{
	struct bmx_answer *a = NULL;
	ldns_rdf *dn;
	ldns_pkt *p;
	ldns_rr *rr;
	uint8_t *wire = NULL;
	size_t len = 0;

	dn = ldns_dname_new_frm_str(qname);
	assert_non_null(dn);
	p = ldns_pkt_query_new(
	    dn, (ldns_rr_type)qtype, LDNS_RR_CLASS_IN, LDNS_RD | LDNS_RA);
	assert_non_null(p);
	ldns_pkt_set_id(p, ID);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (; answers != NULL && *answers != NULL; answers++) {
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, *answers, 0, NULL, NULL),
		    LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	if (authority != NULL) {
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, authority, 0, NULL, NULL),
		    LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_int_equal(
	    bmx_dnsmsg_parse(wire, len, ID, qname, qtype, "127.0.0.1:53", &a),
	    BMX_DNSMSG_ANSWER);
	assert_non_null(a);
	free(wire);
	ldns_pkt_free(p);
	return a;
}

/* NOERROR with one A record of this TTL. */
static struct bmx_answer *
positive(const char *name, uint32_t ttl)
{
	char rr[300];
	const char *rrs[] = { rr, NULL };
	struct bmx_answer *a;

	snprintf(rr, sizeof(rr), "%s. %u IN A 93.184.216.34", name, ttl);
	a = reply(name, A, LDNS_RCODE_NOERROR, rrs, NULL);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->ttl, ttl);
	return a;
}

/* NXDOMAIN or NODATA with an SOA of this TTL and minimum. */
static struct bmx_answer *
negative(
    const char *name, ldns_pkt_rcode rcode, uint32_t soa_ttl, uint32_t soa_min)
{
	char soa[300];

	snprintf(soa, sizeof(soa),
	    "org. %u IN SOA ns.org. host.org. 1 7200 900 1209600 %u", soa_ttl,
	    soa_min);
	return reply(name, A, rcode, NULL, soa);
}

static struct bmx_answer *
failure(const char *name)
{
	struct bmx_answer *a;

	a = bmx_answer_error(name, A, BMX_DNS_TEMPFAIL, "no answer");
	assert_non_null(a);
	return a;
}

static void
get_stats(struct bmx_cache *c, struct bmx_cache_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	bmx_cache_get_stats(c, st);
}

/* Look a name up and expect a MISS with a slot. */
static struct bmx_cache_slot *
miss(struct bmx_cache *c, const char *name, uint16_t type)
{
	struct bmx_answer *a = (struct bmx_answer *)&a;
	struct bmx_cache_slot *slot = NULL;

	assert_int_equal(
	    bmx_cache_lookup(c, name, type, &a, &slot), BMX_CACHE_MISS);
	assert_null(a);
	assert_non_null(slot);
	return slot;
}

/* Look a name up and expect a HIT; returns the answer (unreferenced). */
static const struct bmx_answer *
hit(struct bmx_cache *c, const char *name, uint16_t type)
{
	struct bmx_answer *a = NULL;
	struct bmx_cache_slot *slot = (struct bmx_cache_slot *)&slot;

	assert_int_equal(
	    bmx_cache_lookup(c, name, type, &a, &slot), BMX_CACHE_HIT);
	assert_non_null(a);
	assert_null(slot);
	bmx_answer_unref(a); /* the cache still holds one */
	return a;
}

/* Complete a slot; returns what the caller got to use (unreferenced). */
static const struct bmx_answer *
complete(
    struct bmx_cache *c, struct bmx_cache_slot *slot, struct bmx_answer *answer)
{
	struct bmx_answer *use = NULL;

	bmx_cache_complete(c, slot, answer, &use);
	bmx_answer_unref(use);
	return use;
}

/* MISS, then store the answer; the answer must be the one used. */
static void
fill(struct bmx_cache *c, const char *name, struct bmx_answer *answer)
{
	struct bmx_cache_slot *slot = miss(c, name, answer->qtype);

	assert_ptr_equal(complete(c, slot, answer), answer);
}

/* Is (name, type) cached?  A MISS is completed with a failure. */
static bool
cached_type(struct bmx_cache *c, const char *name, uint16_t type)
{
	struct bmx_answer *a = NULL;
	struct bmx_cache_slot *slot = NULL;

	switch (bmx_cache_lookup(c, name, type, &a, &slot)) {
	case BMX_CACHE_HIT:
		bmx_answer_unref(a);
		return true;
	case BMX_CACHE_MISS:
		complete(c, slot,
		    bmx_answer_error(
			name, type, BMX_DNS_TEMPFAIL, "no answer"));
		return false;
	case BMX_CACHE_JOIN:
		break;
	}
	fail_msg("%s: unexpected JOIN", name);
	return false;
}

static bool
cached(struct bmx_cache *c, const char *name)
{
	return cached_type(c, name, A);
}

static void
test_hit_miss(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 0);
	struct bmx_answer *a = positive("a.org", 300);
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;

	(void)state;
	fill(c, "a.org", a);
	assert_ptr_equal(hit(c, "a.org", A), a);
	assert_ptr_equal(hit(c, "a.org", A), a);
	/* keyed by name and type */
	slot = miss(c, "a.org", AAAA);
	complete(c, slot,
	    bmx_answer_error("a.org", AAAA, BMX_DNS_TEMPFAIL, "no answer"));
	assert_false(cached(c, "b.org"));
	get_stats(c, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.joins, 0);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.stale_served, 0);
	assert_int_equal(st.entries, 1);
	assert_true(st.bytes >= bmx_answer_size(a));
	bmx_cache_free(c);
	bmx_cache_free(NULL);
}

/* An answer's TTL as dnsmsg computes it, and how long the cache keeps it. */
struct ttl_case {
	const char *name;
	ldns_pkt_rcode rcode;
	bool nodata;
	uint32_t ttl;	  /* of the A record, or of the SOA */
	uint32_t soa_min; /* SOA minimum */
	uint32_t answer;  /* the answer's TTL as parsed */
	uint32_t kept;	  /* seconds the cache keeps it */
	bool no_soa;	  /* a negative answer without an SOA */
};

/* min_ttl 10, max_ttl 1000, max_neg_ttl 600 */
static const struct ttl_case ttl_cases[] = {
	{ "ok300.org", LDNS_RCODE_NOERROR, false, 300, 0, 300, 300, false },
	{ "ok5.org", LDNS_RCODE_NOERROR, false, 5, 0, 5, 10, false },
	{ "ok0.org", LDNS_RCODE_NOERROR, false, 0, 0, 0, 10, false },
	/* above max_neg_ttl: positive answers are not bound by it */
	{ "ok800.org", LDNS_RCODE_NOERROR, false, 800, 0, 800, 800, false },
	{ "ok86400.org", LDNS_RCODE_NOERROR, false, 86400, 0, 86400, 1000,
	    false },
	/* RFC 2308 section 5: the smaller of the SOA's TTL and minimum */
	{ "nx1.org", LDNS_RCODE_NXDOMAIN, false, 3600, 300, 300, 300, false },
	{ "nx2.org", LDNS_RCODE_NXDOMAIN, false, 120, 900, 120, 120, false },
	{ "nx3.org", LDNS_RCODE_NXDOMAIN, false, 3600, 800, 800, 600, false },
	{ "nx4.org", LDNS_RCODE_NXDOMAIN, false, 3600, 2, 2, 10, false },
	/* RFC 2308 section 5: without an SOA, not cached at all (kept 0) */
	{ "nx5.org", LDNS_RCODE_NXDOMAIN, false, 0, 0, 0, 0, true },
	{ "nd1.org", LDNS_RCODE_NOERROR, true, 3600, 7200, 3600, 600, false },
	{ "nd2.org", LDNS_RCODE_NOERROR, true, 60, 3600, 60, 60, false },
	{ "nd3.org", LDNS_RCODE_NOERROR, true, 3600, 0, 0, 10, false },
	{ "nd4.org", LDNS_RCODE_NOERROR, true, 0, 0, 0, 0, true },
};

static struct bmx_answer *
ttl_answer(const struct ttl_case *t)
{
	struct bmx_answer *a;

	if (!t->nodata && t->rcode == LDNS_RCODE_NOERROR)
		return positive(t->name, t->ttl);
	if (t->no_soa)
		a = reply(t->name, A, t->rcode, NULL, NULL);
	else
		a = negative(t->name, t->rcode, t->ttl, t->soa_min);
	assert_int_equal(
	    a->status, t->nodata ? BMX_DNS_NODATA : BMX_DNS_NXDOMAIN);
	return a;
}

static void
test_ttls(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 1000, 600, 0);
	struct bmx_answer *a;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ttl_cases); i++) {
		const struct ttl_case *t = &ttl_cases[i];

		a = ttl_answer(t);
		if (a->ttl != t->answer)
			fail_msg("%s: answer TTL %u, expected %u", t->name,
			    a->ttl, t->answer);
		fill(c, t->name, a);
		if (t->kept == 0) {
			if (cached(c, t->name))
				fail_msg("%s: cached", t->name);
			continue;
		}
		advance((long long)t->kept * 1000 - 1);
		if (hit(c, t->name, A) != a)
			fail_msg("%s: not the stored answer", t->name);
		advance(1);
		if (cached(c, t->name))
			fail_msg(
			    "%s: still cached after %u s", t->name, t->kept);
	}
	bmx_cache_free(c);
}

static void
test_failures_not_cached(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 3600);
	const char *const cname[] = {
		"chase.org. 300 IN CNAME elsewhere.net.",
		NULL,
	};
	struct bmx_answer *fails[5];
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;
	size_t i;

	(void)state;
	fails[0] = failure("chase.org");
	fails[1] = reply("chase.org", A, LDNS_RCODE_SERVFAIL, NULL, NULL);
	fails[2] = reply("chase.org", A, LDNS_RCODE_REFUSED, NULL, NULL);
	fails[3] =
	    bmx_answer_error("chase.org", A, BMX_DNS_MALFORMED, "bad A record");
	/* NODATA that stops at a CNAME target: the target must be asked */
	fails[4] = reply("chase.org", A, LDNS_RCODE_NOERROR, cname, NULL);
	assert_int_equal(fails[1]->status, BMX_DNS_TEMPFAIL);
	assert_int_equal(fails[2]->status, BMX_DNS_TEMPFAIL);
	assert_int_equal(fails[4]->status, BMX_DNS_NODATA);
	assert_true(fails[4]->chase);
	for (i = 0; i < NELEM(fails); i++) {
		slot = miss(c, "chase.org", A);
		assert_ptr_equal(complete(c, slot, fails[i]), fails[i]);
		get_stats(c, &st);
		assert_int_equal(st.entries, 0);
		assert_int_equal(st.bytes, 0);
	}
	/* out of memory: no answer at all */
	slot = miss(c, "chase.org", A);
	assert_null(complete(c, slot, NULL));
	get_stats(c, &st);
	assert_int_equal(st.misses, NELEM(fails) + 1);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.stale_served, 0);
	bmx_cache_free(c);
}

/* An answer of name (TTL 100) that expired, and a refresh that failed:
 * the stale answer served.  Returns it (the cache's reference). */
static struct bmx_answer *
failed_refresh(struct bmx_cache *c, const char *name)
{
	struct bmx_answer *old = positive(name, 100);
	struct bmx_cache_slot *slot;

	fill(c, name, old);
	advance(100 * 1000);
	slot = miss(c, name, A);
	assert_ptr_equal(complete(c, slot, failure(name)), old);
	return old;
}

static void
test_stale(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 60);
	struct bmx_answer *old, *fresh, *nx, *got;
	struct bmx_cache_slot *slot, *join;
	struct bmx_cache_stats st;
	struct timespec dl;

	(void)state;
	/* expired: a MISS, and a failed refresh gets the stale answer */
	old = failed_refresh(c, "s.org");
	slot = miss(c, "s.org", A);
	assert_ptr_equal(
	    complete(
		c, slot, reply("s.org", A, LDNS_RCODE_SERVFAIL, NULL, NULL)),
	    old);
	/* a joiner of a failed refresh gets it too */
	slot = miss(c, "s.org", A);
	got = NULL;
	assert_int_equal(
	    bmx_cache_lookup(c, "s.org", A, &got, &join), BMX_CACHE_JOIN);
	assert_ptr_equal(complete(c, slot, failure("s.org")), old);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 10;
	got = bmx_cache_wait(c, join, &dl);
	assert_ptr_equal(got, old);
	bmx_answer_unref(got);
	/* the last millisecond of the stale window */
	advance(60 * 1000 - 1);
	slot = miss(c, "s.org", A);
	assert_ptr_equal(complete(c, slot, failure("s.org")), old);
	get_stats(c, &st);
	assert_int_equal(st.stale_served, 4);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.entries, 1);
	/* after the window: the failure, and the dead answer is gone */
	advance(1);
	slot = miss(c, "s.org", A);
	got = failure("s.org");
	assert_ptr_equal(complete(c, slot, got), got);
	get_stats(c, &st);
	assert_int_equal(st.stale_served, 4);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);

	/* a refresh that works replaces the stale answer */
	old = positive("r.org", 100);
	fill(c, "r.org", old);
	advance(130 * 1000);
	fresh = positive("r.org", 200);
	fill(c, "r.org", fresh);
	assert_ptr_equal(hit(c, "r.org", A), fresh);
	/* so does a negative answer: only failures fall back */
	advance(230 * 1000);
	nx = negative("r.org", LDNS_RCODE_NXDOMAIN, 300, 300);
	fill(c, "r.org", nx);
	assert_ptr_equal(hit(c, "r.org", A), nx);
	get_stats(c, &st);
	assert_int_equal(st.stale_served, 4);
	bmx_cache_free(c);
}

static void
test_lru_eviction(void **state)
{
	struct bmx_cache *c = new_cache(3, 10, 3600, 600, 0);
	struct bmx_answer *a = positive("a.org", 300);
	struct bmx_answer *b = positive("b.org", 300);
	struct bmx_answer *cc = positive("c.org", 300);
	struct bmx_cache_stats st;

	(void)state;
	fill(c, "a.org", a);
	fill(c, "b.org", b);
	fill(c, "c.org", cc);
	get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 0);
	/* a is used again: b is now the least recently used */
	assert_ptr_equal(hit(c, "a.org", A), a);
	fill(c, "d.org", positive("d.org", 300));
	get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	assert_ptr_equal(hit(c, "a.org", A), a);
	assert_ptr_equal(hit(c, "c.org", A), cc);
	/* order now c, a, d (most recent first); b is gone and coming
	 * back evicts d */
	assert_false(cached(c, "b.org"));
	get_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	assert_int_equal(st.entries, 2); /* the failure was not kept */
	assert_ptr_equal(hit(c, "a.org", A), a);
	assert_ptr_equal(hit(c, "c.org", A), cc);
	assert_false(cached(c, "d.org"));
	get_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	assert_int_equal(st.hits, 5);
	bmx_cache_free(c);
}

/* An entry refreshed after it expired counts as recently used. */
static void
test_lru_refresh(void **state)
{
	struct bmx_cache *c = new_cache(3, 10, 3600, 600, 3600);
	struct bmx_cache_stats st;

	(void)state;
	fill(c, "a.org", positive("a.org", 100));
	fill(c, "b.org", positive("b.org", 300));
	fill(c, "c.org", positive("c.org", 300));
	/* a expires and is asked again: refreshed, it is the most recent */
	advance(100 * 1000);
	fill(c, "a.org", positive("a.org", 100));
	fill(c, "d.org", positive("d.org", 300));
	get_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_non_null(hit(c, "a.org", A));
	assert_non_null(hit(c, "c.org", A));
	assert_non_null(hit(c, "d.org", A));
	assert_false(cached(c, "b.org"));
	bmx_cache_free(c);
}

static void
test_all_in_flight(void **state)
{
	struct bmx_cache *c = new_cache(4, 10, 3600, 600, 0);
	struct bmx_cache_slot *slots[4], *slot;
	struct bmx_answer *a, *e = (struct bmx_answer *)&e;
	struct bmx_cache_stats st;
	char name[32];
	size_t i;

	(void)state;
	/* an old entry is evicted to make room for one in flight */
	fill(c, "old.org", positive("old.org", 300));
	for (i = 0; i < NELEM(slots); i++) {
		snprintf(name, sizeof(name), "f%zu.org", i);
		slots[i] = miss(c, name, A);
	}
	get_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.entries, 4);
	/* every entry in flight: a MISS without a slot */
	slot = (struct bmx_cache_slot *)&slot;
	assert_int_equal(
	    bmx_cache_lookup(c, "x.org", A, &e, &slot), BMX_CACHE_MISS);
	assert_null(e);
	assert_null(slot);
	a = positive("x.org", 300);
	assert_ptr_equal(complete(c, NULL, a), a);
	/* nothing was stored, nothing was evicted */
	get_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.misses, 6);
	/* one completes: its entry can be evicted again */
	complete(c, slots[0], positive("f0.org", 300));
	fill(c, "x.org", positive("x.org", 300));
	get_stats(c, &st);
	assert_int_equal(st.evictions, 2);
	for (i = 1; i < NELEM(slots); i++) {
		snprintf(name, sizeof(name), "f%zu.org", i);
		complete(c, slots[i], positive(name, 300));
		assert_non_null(hit(c, name, A));
	}
	assert_false(cached(c, "f0.org"));
	bmx_cache_free(c);
}

/* Threads that look up one name at once. */
#define JOINERS 8

struct join_run {
	struct bmx_cache *c;
	const char *name;
	struct bmx_answer *answer; /* the owner's */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_barrier_t start;
	int looked;
	enum bmx_cache_result result[JOINERS];
	struct bmx_answer *got[JOINERS];
};

struct join_arg {
	struct join_run *run;
	int i;
};

static void *
join_thread(void *p)
{
	struct join_arg *arg = p;
	struct join_run *run = arg->run;
	struct bmx_cache_slot *slot = NULL;
	struct bmx_answer *a = NULL;
	enum bmx_cache_result r;
	struct timespec dl;

	pthread_barrier_wait(&run->start);
	r = bmx_cache_lookup(run->c, run->name, A, &a, &slot);
	run->result[arg->i] = r;
	pthread_mutex_lock(&run->lock);
	run->looked++;
	pthread_cond_broadcast(&run->cond);
	/* the owner completes only when every thread has looked */
	while (r == BMX_CACHE_MISS && run->looked < JOINERS)
		pthread_cond_wait(&run->cond, &run->lock);
	pthread_mutex_unlock(&run->lock);
	switch (r) {
	case BMX_CACHE_MISS:
		bmx_cache_complete(run->c, slot, run->answer, &a);
		break;
	case BMX_CACHE_JOIN:
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += 30;
		a = bmx_cache_wait(run->c, slot, &dl);
		break;
	case BMX_CACHE_HIT:
		break;
	}
	run->got[arg->i] = a;
	return NULL;
}

static void
test_join_threads(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 0);
	struct join_arg args[JOINERS];
	pthread_t tid[JOINERS];
	struct bmx_cache_stats st;
	struct join_run run;
	char name[32];
	int round, i, owners;

	(void)state;
	for (round = 0; round < 20; round++) {
		memset(&run, 0, sizeof(run));
		snprintf(name, sizeof(name), "join%d.org", round);
		run.c = c;
		run.name = name;
		/* every third round the owner's query fails: the joiners
		 * get the failure, and nothing is cached */
		run.answer =
		    round % 3 == 2 ? failure(name) : positive(name, 300);
		pthread_mutex_init(&run.lock, NULL);
		pthread_cond_init(&run.cond, NULL);
		pthread_barrier_init(&run.start, NULL, JOINERS);
		for (i = 0; i < JOINERS; i++) {
			args[i].run = &run;
			args[i].i = i;
			assert_int_equal(pthread_create(&tid[i], NULL,
					     join_thread, &args[i]),
			    0);
		}
		for (i = 0; i < JOINERS; i++)
			pthread_join(tid[i], NULL);
		owners = 0;
		for (i = 0; i < JOINERS; i++) {
			if (run.result[i] == BMX_CACHE_MISS)
				owners++;
			else
				assert_int_equal(run.result[i], BMX_CACHE_JOIN);
			assert_ptr_equal(run.got[i], run.answer);
		}
		assert_int_equal(owners, 1);
		if (round % 3 == 2)
			assert_false(cached(c, name));
		else
			assert_ptr_equal(hit(c, name, A), run.answer);
		for (i = 0; i < JOINERS; i++)
			bmx_answer_unref(run.got[i]);
		pthread_barrier_destroy(&run.start);
		pthread_cond_destroy(&run.cond);
		pthread_mutex_destroy(&run.lock);
	}
	get_stats(c, &st);
	assert_int_equal(st.joins, 20 * (JOINERS - 1));
	assert_int_equal(st.misses, 20 + 6); /* 6 failed rounds, checked */
	assert_int_equal(st.hits, 14);
	assert_int_equal(st.entries, 14);
	bmx_cache_free(c);
}

static void
test_join_deadline(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 0);
	struct bmx_cache_slot *owner, *j1, *j2, *j3;
	struct bmx_answer *a = NULL, *got;
	struct bmx_cache_stats st;
	struct timespec dl;

	(void)state;
	owner = miss(c, "slow.org", A);
	assert_int_equal(
	    bmx_cache_lookup(c, "slow.org", A, &a, &j1), BMX_CACHE_JOIN);
	assert_null(a);
	assert_non_null(j1);
	assert_int_equal(
	    bmx_cache_lookup(c, "slow.org", A, &a, &j2), BMX_CACHE_JOIN);
	assert_int_equal(
	    bmx_cache_lookup(c, "slow.org", A, &a, &j3), BMX_CACHE_JOIN);
	/* a deadline already past, and one 50 ms away: nobody answers */
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec -= 1;
	assert_null(bmx_cache_wait(c, j1, &dl));
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_nsec += 50 * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	assert_null(bmx_cache_wait(c, j2, &dl));
	/* the owner still completes, and a joiner still waiting gets it */
	a = positive("slow.org", 300);
	assert_ptr_equal(complete(c, owner, a), a);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 10;
	got = bmx_cache_wait(c, j3, &dl);
	assert_ptr_equal(got, a);
	bmx_answer_unref(got);
	assert_ptr_equal(hit(c, "slow.org", A), a);
	get_stats(c, &st);
	assert_int_equal(st.joins, 3);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 1);
	bmx_cache_free(c);
}

#define FLOOD 100000
#define FLOOD_MAX 1000

/* An owner whose own deadline passed abandons: a joiner with time left
 * gets nothing at once (and looks up again) instead of the owner's
 * failure; with a stale answer, everyone gets that. */
static void
test_abandon(void **state)
{
	struct bmx_cache *c = new_cache(100, 10, 3600, 600, 3600);
	struct bmx_answer *a = NULL, *got, *fail, *old, *use;
	struct bmx_cache_slot *owner, *j;
	struct timespec dl;

	(void)state;
	owner = miss(c, "gone.org", A);
	assert_int_equal(
	    bmx_cache_lookup(c, "gone.org", A, &a, &j), BMX_CACHE_JOIN);
	fail = failure("gone.org");
	bmx_cache_abandon(c, owner, fail, &use);
	assert_ptr_equal(use, fail); /* the owner's time is up */
	bmx_answer_unref(use);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 3600; /* would hang the test if it waited */
	assert_null(bmx_cache_wait(c, j, &dl));
	/* the name is the joiner's to look up now */
	owner = miss(c, "gone.org", A);
	complete(c, owner, positive("gone.org", 100));

	/* expired, and abandoned again: the stale answer for both */
	old = (struct bmx_answer *)hit(c, "gone.org", A);
	advance(100 * 1000);
	owner = miss(c, "gone.org", A);
	assert_int_equal(
	    bmx_cache_lookup(c, "gone.org", A, &a, &j), BMX_CACHE_JOIN);
	bmx_cache_abandon(c, owner, failure("gone.org"), &use);
	assert_ptr_equal(use, old);
	bmx_answer_unref(use);
	got = bmx_cache_wait(c, j, &dl);
	assert_ptr_equal(got, old);
	bmx_answer_unref(got);
	bmx_cache_free(c);
}

static void
test_flood(void **state)
{
	struct bmx_cache *c = new_cache(FLOOD_MAX, 10, 3600, 600, 3600);
	const char *const many[] = {
		"flood.org. 300 IN A 93.184.216.1",
		"flood.org. 300 IN A 93.184.216.2",
		"flood.org. 300 IN A 93.184.216.3",
		"flood.org. 300 IN A 93.184.216.4",
		"flood.org. 300 IN A 93.184.216.5",
		"flood.org. 300 IN A 93.184.216.6",
		"flood.org. 300 IN A 93.184.216.7",
		"flood.org. 300 IN A 93.184.216.8",
		NULL,
	};
	struct bmx_answer *kinds[4];
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;
	size_t i, k, biggest = 0, bound, peak = 0;
	uint64_t seed = 0x666c6f6f64ULL;
	char name[64];

	(void)state;
	kinds[0] = positive("flood.org", 300);
	kinds[1] = reply("flood.org", A, LDNS_RCODE_NOERROR, many, NULL);
	kinds[2] = negative("flood.org", LDNS_RCODE_NXDOMAIN, 300, 300);
	kinds[3] = negative("flood.org", LDNS_RCODE_NOERROR, 300, 300);
	for (k = 0; k < NELEM(kinds); k++)
		if (bmx_answer_size(kinds[k]) > biggest)
			biggest = bmx_answer_size(kinds[k]);
	/* an entry: its answer, its name, and a header far below 256 */
	bound = FLOOD_MAX * (biggest + sizeof(name) + 256);
	for (i = 0; i < FLOOD; i++) {
		uint64_t r = testrand_next(&seed);

		snprintf(name, sizeof(name), "%016llx.%zu.example.org",
		    (unsigned long long)r, i);
		slot = miss(c, name, A);
		k = (size_t)(r >> 62);
		complete(c, slot, bmx_answer_ref(kinds[k]));
		if (i % 997 == 0 || i == FLOOD - 1) {
			get_stats(c, &st);
			if (st.entries > FLOOD_MAX || st.bytes > bound)
				fail_msg("after %zu names: %zu entries, %zu "
					 "bytes (bound %zu)",
				    i + 1, st.entries, st.bytes, bound);
			if (st.bytes > peak)
				peak = st.bytes;
		}
	}
	get_stats(c, &st);
	assert_int_equal(st.entries, FLOOD_MAX);
	assert_int_equal(st.misses, FLOOD);
	assert_int_equal(st.evictions, FLOOD - FLOOD_MAX);
	assert_int_equal(st.hits, 0);
	assert_true(st.bytes >= FLOOD_MAX * bmx_answer_size(kinds[0]));
	/* failures leave nothing behind */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "fail%zu.example.org", i);
		slot = miss(c, name, A);
		complete(c, slot, failure(name));
	}
	/* (the first one evicted an entry to make room, in vain) */
	get_stats(c, &st);
	assert_int_equal(st.entries, FLOOD_MAX - 1);
	assert_int_equal(st.evictions, FLOOD - FLOOD_MAX + 1);
	assert_true(st.bytes <= peak);
	for (k = 0; k < NELEM(kinds); k++)
		bmx_answer_unref(kinds[k]);
	bmx_cache_free(c);
}

static struct bmx_cache *
new_cache_cfg(uint32_t stale_recheck, size_t max_bytes)
{
	return new_cache_full(
	    100, 10, 3600, 600, 3600, stale_recheck, max_bytes);
}

/* RFC 8767 failure recheck: after a failed refresh the stale answer is
 * served for stale_recheck seconds without a MISS (no query). */
static void
test_stale_recheck(void **state)
{
	struct bmx_cache *c = new_cache_cfg(30, 0);
	struct bmx_answer *old, *fresh;
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;

	(void)state;
	old = failed_refresh(c, "s.org");
	/* within the recheck time: the stale answer, no query */
	assert_ptr_equal(hit(c, "s.org", A), old);
	advance(30 * 1000 - 1);
	assert_ptr_equal(hit(c, "s.org", A), old);
	get_stats(c, &st);
	assert_int_equal(st.stale_rechecks_suppressed, 2);
	assert_int_equal(st.stale_served, 3);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.misses, 2);
	/* then asked again; a new failure starts a new recheck time */
	advance(1);
	slot = miss(c, "s.org", A);
	assert_ptr_equal(complete(c, slot, failure("s.org")), old);
	assert_ptr_equal(hit(c, "s.org", A), old);
	advance(30 * 1000);
	/* a refresh that works ends it */
	fresh = positive("s.org", 100);
	fill(c, "s.org", fresh);
	assert_ptr_equal(hit(c, "s.org", A), fresh);
	advance(100 * 1000);
	slot = miss(c, "s.org", A);
	complete(c, slot, positive("s.org", 100));
	get_stats(c, &st);
	assert_int_equal(st.stale_rechecks_suppressed, 3);
	assert_int_equal(st.hits, 1);
	bmx_cache_free(c);

	/* 0: every lookup of an expired answer asks again */
	c = new_cache_cfg(0, 0);
	old = failed_refresh(c, "z.org");
	slot = miss(c, "z.org", A);
	assert_ptr_equal(complete(c, slot, failure("z.org")), old);
	get_stats(c, &st);
	assert_int_equal(st.stale_rechecks_suppressed, 0);
	bmx_cache_free(c);
}

/* What one entry with this answer counts against max_bytes. */
static size_t
entry_bytes(struct bmx_answer *a)
{
	struct bmx_cache *c = new_cache_cfg(0, 0);
	struct bmx_cache_stats st;

	fill(c, a->qname, bmx_answer_ref(a));
	get_stats(c, &st);
	bmx_cache_free(c);
	return st.bytes;
}

/* The byte budget: the least recently used answers go; an answer too
 * big on its own is used, not kept. */
static void
test_byte_budget(void **state)
{
	struct bmx_answer *a = positive("b0.org", 300), *big;
	size_t one = entry_bytes(a), i;
	struct bmx_cache *c = new_cache_cfg(0, 3 * one + one / 2);
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;
	char name[32];

	(void)state;
	fill(c, "b0.org", a);
	for (i = 1; i < 5; i++) {
		snprintf(name, sizeof(name), "b%zu.org", i);
		fill(c, name, positive(name, 300));
		get_stats(c, &st);
		assert_true(st.bytes <= 3 * one + one / 2);
	}
	get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.byte_evictions, 2);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.max_bytes, 3 * one + one / 2);
	assert_int_equal(st.max_entries, 100);
	assert_false(cached(c, "b0.org"));
	assert_false(cached(c, "b1.org"));
	assert_true(cached(c, "b4.org"));
	bmx_cache_free(c);

	/* one answer bigger than the budget */
	c = new_cache_cfg(0, one - 1);
	big = positive("big.org", 300);
	slot = miss(c, "big.org", A);
	assert_ptr_equal(complete(c, slot, big), big);
	get_stats(c, &st);
	assert_int_equal(st.too_big, 1);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	bmx_cache_free(c);
}

static struct bmx_answer *
mx_reply(const char *qname, const char *const *rrs)
{
	struct bmx_answer *a = reply(qname, MX, LDNS_RCODE_NOERROR, rrs, NULL);

	assert_int_equal(a->status, BMX_DNS_OK);
	return a;
}

static void
test_purge(void **state)
{
	static const char *const hot[] = { "hot.de. 300 IN MX 10 mx1.hot.de.",
		"hot.de. 300 IN MX 20 mx2.other.de.", NULL };
	static const char *const alias[] = { "alias.de. 300 IN CNAME real.de.",
		"real.de. 300 IN MX 10 mx.real.de.", NULL };
	static const char *const mx1[] = {
		"mx1.hot.de. 300 IN CNAME box.hoster.de.",
		"box.hoster.de. 300 IN A 127.0.0.1", NULL
	};
	struct bmx_cache *c = new_cache_cfg(0, 0);
	struct bmx_cache_slot *slot;
	struct bmx_cache_stats st;
	char err[256];

	(void)state;
	fill(c, "hot.de", mx_reply("hot.de", hot));
	fill(c, "mx1.hot.de",
	    reply("mx1.hot.de", A, LDNS_RCODE_NOERROR, mx1, NULL));
	fill(c, "box.hoster.de", positive("box.hoster.de", 300));
	fill(c, "mx2.other.de", positive("mx2.other.de", 300));
	fill(c, "alias.de", mx_reply("alias.de", alias));
	fill(c, "mx.real.de", positive("mx.real.de", 300));
	fill(c, "real.de", positive("real.de", 300));
	fill(c, "unrelated.de", positive("unrelated.de", 300));
	/* an entry in flight with nothing yet: nothing to drop */
	slot = miss(c, "other.de", A);

	/* hot.de, its MX hosts, the CNAME target of one of them */
	assert_int_equal(bmx_cache_purge(c, "Hot.DE.", err, sizeof(err)), 4);
	assert_string_equal(err, "");
	assert_false(cached_type(c, "hot.de", MX));
	assert_false(cached(c, "mx1.hot.de"));
	assert_false(cached(c, "box.hoster.de"));
	assert_false(cached(c, "mx2.other.de"));
	assert_true(cached(c, "unrelated.de"));
	assert_true(cached_type(c, "alias.de", MX));
	/* alias.de, its CNAME target (every type) and the target's host */
	assert_int_equal(bmx_cache_purge(c, "alias.de", err, sizeof(err)), 3);
	assert_false(cached(c, "real.de"));
	assert_false(cached(c, "mx.real.de"));
	assert_true(cached(c, "unrelated.de"));
	/* nothing cached, and in flight without an answer */
	assert_int_equal(bmx_cache_purge(c, "nothing.de", err, sizeof(err)), 0);
	assert_int_equal(bmx_cache_purge(c, "other.de", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	complete(c, slot, positive("other.de", 300));
	assert_true(cached(c, "other.de"));
	/* a bad name is an error, and drops nothing */
	assert_int_equal(bmx_cache_purge(c, "a..de", err, sizeof(err)), 0);
	assert_true(err[0] != '\0');
	get_stats(c, &st);
	assert_int_equal(st.purged, 7);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.inflight, 0);
	bmx_cache_free(c);
}

struct dump_seen {
	struct bmx_cache *c;
	size_t n;
	struct bmx_cache_info e[4];
	char names[4][64];
};

static void
dump_one(const struct bmx_cache_info *e, void *arg)
{
	struct dump_seen *d = arg;
	struct bmx_cache_stats st;

	/* the lock is not held: the cache may be used */
	bmx_cache_get_stats(d->c, &st);
	assert_true(d->n < 4);
	d->e[d->n] = *e;
	snprintf(d->names[d->n], sizeof(d->names[0]), "%s", e->name);
	d->n++;
}

static void
test_dump(void **state)
{
	struct bmx_cache *c = new_cache_cfg(0, 0);
	struct bmx_cache_slot *slot;
	struct dump_seen d = { c, 0, { { 0 } }, { "" } };
	size_t total = 0;

	(void)state;
	fill(c, "old.org", positive("old.org", 100));
	advance(150 * 1000);
	fill(c, "nx.org", negative("nx.org", LDNS_RCODE_NXDOMAIN, 300, 300));
	fill(c, "new.org", positive("new.org", 300));
	slot = miss(c, "fly.org", A);
	assert_true(bmx_cache_dump(c, 3, dump_one, &d, &total));
	assert_int_equal(total, 4);
	assert_int_equal(d.n, 3);
	/* most recent first */
	assert_string_equal(d.names[0], "fly.org");
	assert_true(d.e[0].inflight);
	assert_false(d.e[0].answered);
	assert_string_equal(d.names[1], "new.org");
	assert_true(d.e[1].answered);
	assert_int_equal(d.e[1].status, BMX_DNS_OK);
	assert_int_equal(d.e[1].type, A);
	assert_int_equal(d.e[1].records, 1);
	assert_int_equal(d.e[1].ttl_ms, 300 * 1000);
	assert_int_equal(d.e[1].stale_ms, (300 + 3600) * 1000);
	assert_true(d.e[1].bytes > sizeof(struct bmx_answer));
	assert_false(d.e[1].inflight);
	assert_string_equal(d.names[2], "nx.org");
	assert_int_equal(d.e[2].status, BMX_DNS_NXDOMAIN);
	assert_int_equal(d.e[2].records, 0);
	/* the fourth, stale: a negative TTL */
	d.n = 0;
	assert_true(bmx_cache_dump(c, 10, dump_one, &d, &total));
	assert_int_equal(d.n, 4);
	assert_string_equal(d.names[3], "old.org");
	assert_int_equal(d.e[3].ttl_ms, -50 * 1000);
	d.n = 0;
	assert_true(bmx_cache_dump(c, 0, dump_one, &d, &total));
	assert_int_equal(d.n, 0);
	assert_int_equal(total, 4);
	complete(c, slot, failure("fly.org"));
	bmx_cache_free(c);
}

/* A big cache is split into shards: the counters, the dump and a purge
 * see all of them; the bounds hold over all of them. */
static void
test_shards(void **state)
{
	static const char *const mx[] = { "big.org. 300 IN MX 10 h1.big.org.",
		"big.org. 300 IN MX 20 h2.big.org.",
		"big.org. 300 IN MX 30 h3.big.org.", NULL };
	struct bmx_cache *c = new_cache_full(20000, 10, 3600, 600, 0, 0, 0);
	struct dump_seen d = { c, 0, { { 0 } }, { "" } };
	struct bmx_cache_stats st;
	size_t i, total = 0;
	char name[64], err[256];

	(void)state;
	for (i = 0; i < 30000; i++) {
		snprintf(name, sizeof(name), "n%zu.org", i);
		fill(c, name, positive(name, 300));
	}
	get_stats(c, &st);
	assert_true(st.entries <= 20000);
	assert_true(st.entries >= 19000); /* each shard evicts its own */
	assert_int_equal(st.evictions, 30000 - st.entries);
	assert_int_equal(st.misses, 30000);
	assert_true(cached(c, "n29999.org"));
	assert_false(cached(c, "n0.org"));
	fill(c, "big.org", mx_reply("big.org", mx));
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "h%zu.big.org", i);
		fill(c, name, positive(name, 300));
	}
	assert_true(bmx_cache_dump(c, 4, dump_one, &d, &total));
	assert_int_equal(d.n, 4);
	get_stats(c, &st);
	assert_int_equal(total, st.entries);
	assert_int_equal(bmx_cache_purge(c, "big.org", err, sizeof(err)), 4);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "h%zu.big.org", i);
		assert_false(cached(c, name));
	}
	bmx_cache_free(c);
}

/* bmx_answer_keep(): what a decision uses of an answer, the rest
 * counted as left out (lib/dnsmsg). */
static void
test_answer_keep(void **state)
{
	char rrs_text[40][80];
	const char *rrs[41];
	struct bmx_answer *a, *k;
	size_t i, big;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(rrs_text[i], sizeof(rrs_text[i]),
		    "keep.org. 300 IN MX %zu mx%zu.keep.org.", 40 - i, i);
		rrs[i] = rrs_text[i];
	}
	rrs[40] = NULL;
	a = mx_reply("keep.org", rrs);
	assert_int_equal(a->n, 40);
	big = bmx_answer_size(a);
	assert_ptr_equal(bmx_answer_keep(a, 40), a);
	k = bmx_answer_keep(a, 32);
	assert_ptr_not_equal(k, a);
	assert_int_equal(k->n, 32);
	assert_int_equal(k->dropped, 8);
	assert_int_equal(k->status, BMX_DNS_OK);
	assert_int_equal(k->ttl, 300);
	assert_string_equal(k->qname, "keep.org");
	for (i = 0; i < 32; i++)
		assert_int_equal(k->mx[i].preference, i + 1);
	assert_string_equal(k->mx[0].host, "mx39.keep.org");
	assert_true(bmx_answer_size(k) < big);
	bmx_answer_unref(k);
	assert_null(bmx_answer_keep(NULL, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_ttls),
		cmocka_unit_test(test_failures_not_cached),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_lru_refresh),
		cmocka_unit_test(test_all_in_flight),
		cmocka_unit_test(test_join_threads),
		cmocka_unit_test(test_join_deadline),
		cmocka_unit_test(test_abandon),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_stale_recheck),
		cmocka_unit_test(test_byte_budget),
		cmocka_unit_test(test_purge),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_shards),
		cmocka_unit_test(test_answer_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
