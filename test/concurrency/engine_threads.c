/*
 * engine_threads.c - many threads deciding through one engine at once
 *
 * A loopback DNS server runs in a thread of this program (loopdns.c)
 * and serves a made-up zone under bmx-conc.net whose answers follow from
 * the names themselves:
 *
 *   goodN      MX 10 mx.goodN, MX 20 relay      public addresses: accept
 *   bogusN     MX 10 relay, MX 20 null.bogusN   null.bogusN is 127.0.0.1,
 *                                               10.0.x.1 or ::1: 554 5.7.1
 *   nxN        NXDOMAIN                         550 5.1.2
 *   implicitN  no MX, an A record               accept, implicit MX
 *   failN      SERVFAIL                         451 4.4.3
 *   lostN      no answer ever                   451 4.4.3
 *
 * every answer held back DELAY ms.  THREADS threads each decide
 * RECIPIENTS recipients through one bmx_engine (one cache), all at
 * once: a quarter of them names every thread uses (good0..4, bogus0..4
 * ...), the rest names of their own; spelled with and without angle
 * brackets, in upper and lower case.  relay is an MX host of every good
 * and bogus domain.  Every thread starts with good0, so that the first
 * lookups collide.
 *
 * Pass 1 runs on a cold cache big enough for everything; pass 2 decides
 * the same recipients again, from the cache.  Pass 3 uses a new engine
 * whose cache holds SMALL_CACHE entries, fewer than the threads keep in
 * flight (evictions, and lookups that get no slot), with short timeouts,
 * and one recipient in ten at failN, one in a hundred at lostN.
 *
 * Checked: every verdict, reply code, DSN, class and the host and
 * address in the reply text; that cache joins and hits happened; that
 * no (name, type) was asked of the server twice in pass 1 when no query
 * timed out (the cache and its joins make one query of each); that pass
 * 2 asked the server nothing; that pass 3 evicted, stayed within its
 * size and saw timeouts.  Built with -DBMX_TSAN=ON this is the
 * ThreadSanitizer test of lib/cache, lib/resolve, lib/query and
 * lib/engine (ctest -L concurrency).  No timing is checked.
 *
 * Usage: engine_threads [-t threads] [-n recipients] [-d delay_ms]
 * Exit status: 0 when all is right, 1 otherwise, 2 when it cannot run.
 */
#include <ldns/ldns.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "loopdns.h"
#include "loopengine.h"
#include "registry.h"
#include "testrand.h"

#define SUFFIX "bmx-conc.net"
#define TTL 300
#define SHARED 5
#define SMALL_CACHE 24
#define SHOW_ERRORS 10

enum kind { GOOD, BOGUS, NX, IMPLICIT, FAIL, LOST, NKINDS };

static const char *const kind_names[NKINDS] = {
	"good",
	"bogus",
	"nx",
	"implicit",
	"fail",
	"lost",
};

struct rcpt {
	enum kind kind;
	unsigned num;
	char text[128];
};

/* Every (type, name) the server was asked, and how often.  Filled by
 * the server's thread; the lock makes the main thread's reads of the
 * counts ordered for ThreadSanitizer, which cannot see that the answers
 * on the wire come after the counting. */
struct seen {
	pthread_mutex_t lock;
	char **keys;
	size_t cap, distinct, repeats;
};

struct run {
	struct bmx_engine *engine;
	struct rcpt *rcpts; /* threads x n */
	size_t threads, n;
	pthread_barrier_t start;
	_Atomic unsigned long errors;
	struct seen seen;
};

struct worker {
	struct run *run;
	size_t t;
	int pass;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
seen_add(struct seen *s, const char *qname, uint16_t qtype)
{
	char key[300];
	size_t i;

	snprintf(key, sizeof(key), "%u/%s", qtype, qname);
	pthread_mutex_lock(&s->lock);
	for (i = hash(key) & (s->cap - 1); s->keys[i] != NULL;
	     i = (i + 1) & (s->cap - 1))
		if (strcmp(s->keys[i], key) == 0) {
			s->repeats++;
			pthread_mutex_unlock(&s->lock);
			return;
		}
	if (s->distinct + 1 >= s->cap / 2) {
		fprintf(stderr, "engine_threads: too many names\n");
		exit(2);
	}
	s->keys[i] = strdup(key);
	s->distinct++;
	pthread_mutex_unlock(&s->lock);
}

static void
seen_counts(struct seen *s, size_t *distinct, size_t *repeats)
{
	pthread_mutex_lock(&s->lock);
	*distinct = s->distinct;
	*repeats = s->repeats;
	pthread_mutex_unlock(&s->lock);
}

/* "null.bogus12" -> prefix "null.", kind BOGUS, 12; false if no match. */
static bool
split_name(const char *name, const char **host, enum kind *k, unsigned *num)
{
	size_t n = strlen(name), sl = strlen(SUFFIX), i;
	const char *p;
	char *end;

	if (n <= sl + 1 || strcmp(name + n - sl, SUFFIX) != 0 ||
	    name[n - sl - 1] != '.')
		return false;
	*host = "";
	p = name;
	if (strncmp(p, "mx.", 3) == 0 || strncmp(p, "null.", 5) == 0) {
		*host = p[0] == 'm' ? "mx" : "null";
		p += p[0] == 'm' ? 3 : 5;
	}
	for (i = 0; i < NKINDS; i++) {
		size_t kl = strlen(kind_names[i]);

		if (strncmp(p, kind_names[i], kl) != 0 || p[kl] < '0' ||
		    p[kl] > '9')
			continue;
		*num = (unsigned)strtoul(p + kl, &end, 10);
		if (end != name + n - sl - 1)
			return false;
		*k = (enum kind)i;
		return true;
	}
	return false;
}

static void
rr(struct loopdns_answer *a, const char *name, const char *type,
    const char *data)
{
	snprintf(a->rr[a->nrr++], LOOPDNS_RR_LEN, "%s. %d IN %s %s", name, TTL,
	    type, data);
}

static void
negative(struct loopdns_answer *a, uint8_t rcode)
{
	a->rcode = rcode;
	snprintf(a->authority, sizeof(a->authority),
	    "%s. %d IN SOA ns.%s. host.%s. 1 7200 900 1209600 %d", SUFFIX, TTL,
	    SUFFIX, SUFFIX, TTL);
}

/* The address of null.bogusN: 127.0.0.1, 10.0.x.1 or ::1. */
static void
bogus_address(unsigned num, char *buf, size_t len)
{
	if (num % 3 == 0)
		snprintf(buf, len, "127.0.0.1");
	else if (num % 3 == 1)
		snprintf(buf, len, "10.0.%u.1", num % 256);
	else
		snprintf(buf, len, "::1");
}

static void
zone(void *arg, const char *qname, uint16_t qtype, struct loopdns_answer *a)
{
	struct run *run = arg;
	const char *host;
	enum kind k;
	unsigned num;
	char data[300];
	bool v6 = qtype == LDNS_RR_TYPE_AAAA;

	seen_add(&run->seen, qname, qtype);
	if (strcmp(qname, "relay." SUFFIX) == 0) {
		if (qtype == LDNS_RR_TYPE_A)
			rr(a, qname, "A", "151.101.1.1");
		else
			negative(a, LDNS_RCODE_NOERROR);
		return;
	}
	if (split_name(qname, &host, &k, &num) && (k == FAIL || k == LOST)) {
		a->rcode = LDNS_RCODE_SERVFAIL;
		a->drop = k == LOST;
		return;
	}
	if (!split_name(qname, &host, &k, &num) || k == NX ||
	    (host[0] == 'm' && k != GOOD) || (host[0] == 'n' && k != BOGUS)) {
		negative(a, LDNS_RCODE_NXDOMAIN);
		return;
	}
	data[0] = '\0';
	if (qtype == LDNS_RR_TYPE_MX && host[0] == '\0' && k == GOOD) {
		snprintf(data, sizeof(data), "10 mx.%s.", qname);
		rr(a, qname, "MX", data);
		rr(a, qname, "MX", "20 relay." SUFFIX ".");
	} else if (qtype == LDNS_RR_TYPE_MX && host[0] == '\0' && k == BOGUS) {
		rr(a, qname, "MX", "10 relay." SUFFIX ".");
		snprintf(data, sizeof(data), "20 null.%s.", qname);
		rr(a, qname, "MX", data);
	} else if (qtype == LDNS_RR_TYPE_A && host[0] == '\0' &&
	    k == IMPLICIT) {
		snprintf(data, sizeof(data), "93.184.217.%u", num % 200 + 1);
		rr(a, qname, "A", data);
	} else if (host[0] == 'm' && qtype == LDNS_RR_TYPE_A) {
		snprintf(data, sizeof(data), "93.184.216.%u", num % 200 + 1);
		rr(a, qname, "A", data);
	} else if (host[0] == 'm' && v6) {
		snprintf(data, sizeof(data), "2606:2800:220:1::%x",
		    num % 0xffff + 1);
		rr(a, qname, "AAAA", data);
	} else if (host[0] == 'n' && (qtype == LDNS_RR_TYPE_A || v6)) {
		bogus_address(num, data, sizeof(data));
		if ((strchr(data, ':') != NULL) == v6)
			rr(a, qname, v6 ? "AAAA" : "A", data);
	}
	if (a->nrr == 0)
		negative(a, LDNS_RCODE_NOERROR);
}

/* Is r what rc must get?  Prints why not. */
static bool
check(const struct rcpt *rc, const struct bmx_result *r, int pass)
{
	const struct bmx_decision *d = &r->j.d;
	char where[300], why[400], addr[64], text[BMX_REPLY_MAX];
	unsigned code = 0;
	const char *dsn = "", *cls = "public";

	where[0] = '\0';
	bmx_decision_text(d, text, sizeof(text));
	switch (rc->kind) {
	case GOOD:
	case IMPLICIT:
		break;
	case BOGUS:
		code = 554;
		dsn = "5.7.1";
		cls = rc->num % 3 == 1 ? "private" : "loopback";
		bogus_address(rc->num, addr, sizeof(addr));
		snprintf(where, sizeof(where), "null.bogus%u.%s[%s]", rc->num,
		    SUFFIX, addr);
		break;
	case NX:
		code = 550;
		dsn = "5.1.2";
		cls = "undeliverable";
		break;
	case FAIL:
	case LOST:
		code = 451;
		dsn = "4.4.3";
		cls = "tempfail";
		break;
	case NKINDS:
		break;
	}
	why[0] = '\0';
	if (d->code != code || strcmp(d->dsn, dsn) != 0)
		snprintf(why, sizeof(why), "reply %u %s, expected %u %s",
		    d->code, d->dsn, code, dsn);
	else if ((code == 0) != (d->verdict == BMX_VERDICT_ACCEPT))
		snprintf(why, sizeof(why), "verdict %d", (int)d->verdict);
	else if (strcmp(r->j.class_name, cls) != 0)
		snprintf(why, sizeof(why), "class %s, expected %s",
		    r->j.class_name, cls);
	else if (where[0] != '\0' && strstr(text, where) == NULL)
		snprintf(why, sizeof(why), "text does not name %s", where);
	else if (r->res.implicit_mx != (rc->kind == IMPLICIT))
		snprintf(why, sizeof(why), "implicit_mx %d",
		    (int)r->res.implicit_mx);
	if (why[0] == '\0')
		return true;
	fprintf(stderr, "engine_threads: pass %d: %s: %s (\"%u %s %s\"; %s)\n",
	    pass, rc->text, why, d->code, d->dsn, text, r->j.why);
	return false;
}

static void *
work(void *p)
{
	struct worker *w = p;
	struct run *run = w->run;
	struct bmx_result r;
	size_t i;

	pthread_barrier_wait(&run->start);
	for (i = 0; i < run->n; i++) {
		const struct rcpt *rc = &run->rcpts[w->t * run->n + i];

		bmx_engine_decide(run->engine, rc->text, &r);
		if (!check(rc, &r, w->pass) &&
		    atomic_fetch_add(&run->errors, 1) >= SHOW_ERRORS) {
			bmx_result_clear(&r);
			break;
		}
		bmx_result_clear(&r);
	}
	return NULL;
}

/*
 * The recipients of every thread.  Lossy: one in ten is a domain whose
 * server answers SERVFAIL (fail0..fail4, shared), and one in a hundred
 * one whose server never answers (lost0, lost1).
 */
static void
make_rcpts(struct run *run, bool lossy)
{
	uint64_t seed = 0x636f6e63ULL;
	size_t t, i;
	char dom[100];

	for (t = 0; t < run->threads; t++) {
		for (i = 0; i < run->n; i++) {
			struct rcpt *rc = &run->rcpts[t * run->n + i];
			uint64_t r = testrand_next(&seed);
			size_t j;

			rc->kind = (enum kind)(r % 4);
			if (lossy && i % 100 == 3) {
				rc->kind = LOST;
				rc->num = (unsigned)(i / 100 % 2);
			} else if (lossy && i % 10 == 1) {
				rc->kind = FAIL;
				rc->num = (unsigned)((r >> 16) % SHARED);
			} else if (i == 0) {
				rc->kind = GOOD;
				rc->num = 0;
			} else if ((r >> 8) % 4 == 0) {
				rc->num = (unsigned)((r >> 16) % SHARED);
			} else {
				rc->num = (unsigned)(1000 + t * run->n + i);
			}
			snprintf(dom, sizeof(dom), "%s%u.%s",
			    kind_names[rc->kind], rc->num, SUFFIX);
			if ((r >> 24) % 3 == 0)
				for (j = 0; dom[j] != '\0'; j++)
					if (dom[j] >= 'a' && dom[j] <= 'z')
						dom[j] = (char)(dom[j] - 32);
			snprintf(rc->text, sizeof(rc->text),
			    (r >> 32) % 2 ? "<user%zu@%s>" : "user%zu@%s", i,
			    dom);
		}
	}
}

/* Run every thread once. */
static void
run_pass(struct run *run, int pass)
{
	pthread_t *tid = calloc(run->threads, sizeof(*tid));
	struct worker *w = calloc(run->threads, sizeof(*w));
	size_t t;

	if (tid == NULL || w == NULL) {
		fprintf(stderr, "engine_threads: out of memory\n");
		exit(2);
	}
	pthread_barrier_init(&run->start, NULL, (unsigned)run->threads);
	for (t = 0; t < run->threads; t++) {
		w[t].run = run;
		w[t].t = t;
		w[t].pass = pass;
		if (pthread_create(&tid[t], NULL, work, &w[t]) != 0) {
			/* the others wait at the barrier for ever */
			fprintf(stderr,
			    "engine_threads: cannot start a "
			    "thread\n");
			exit(2);
		}
	}
	for (t = 0; t < run->threads; t++)
		pthread_join(tid[t], NULL);
	pthread_barrier_destroy(&run->start);
	free(tid);
	free(w);
}

static unsigned long
count_arg(const char *opt, const char *s, unsigned long min)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > 100000) {
		fprintf(stderr, "engine_threads: bad -%s %s\n", opt, s);
		exit(2);
	}
	return v;
}

/* An engine on the test server, with the registry as its table. */
static struct bmx_engine *
new_engine(const struct loopdns *dns, const struct bmx_cidr_table *registry,
    bool small)
{
	struct bmx_engine_settings s;
	struct bmx_engine *e;
	char err[256];

	bmx_engine_defaults(&s);
	s.cache.max_entries = small ? SMALL_CACHE : 100000;
	if (small) {
		s.timeout_ms = 500;
		s.attempts = 2;
	}
	e = loopengine_new(dns, registry, &s, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "engine_threads: %s\n", err);
		exit(2);
	}
	return e;
}

static bool
fails(const char *what)
{
	printf("FAILED: %s\n", what);
	return false;
}

/*
 * Passes 1 and 2: a big cache, every answer comes.  Pass 1 is cold,
 * pass 2 must come from the cache alone.
 */
static bool
run_cached(struct run *run, struct loopdns *dns)
{
	const struct bmx_query_servers *qs = bmx_engine_servers(run->engine);
	struct bmx_cache_stats st;
	size_t distinct, repeats;
	unsigned long q1, q2;
	bool ok = true;

	run_pass(run, 1);
	q1 = loopdns_queries(dns);
	seen_counts(&run->seen, &distinct, &repeats);
	bmx_cache_get_stats(bmx_engine_cache(run->engine), &st);
	printf("pass 1: %lu queries to the server (%zu names, %zu asked "
	       "again); cache: %lu hits, %lu misses, %lu joins\n",
	    q1, distinct, repeats, st.hits, st.misses, st.joins);
	printf("        resolver: %lu sent, %lu timeouts, %lu dropped\n",
	    atomic_load(&qs->sent), atomic_load(&qs->timeouts),
	    atomic_load(&qs->dropped));
	if (st.joins == 0)
		ok = fails("no lookup was joined");
	if (st.hits == 0)
		ok = fails("no cache hit");
	if (atomic_load(&qs->timeouts) == 0 && repeats != 0)
		ok = fails("a question was asked again without a timeout");

	run_pass(run, 2);
	q2 = loopdns_queries(dns) - q1;
	bmx_cache_get_stats(bmx_engine_cache(run->engine), &st);
	printf("pass 2: %lu queries to the server; cache: %lu hits, %zu "
	       "entries, %zu bytes\n",
	    q2, st.hits, st.entries, st.bytes);
	if (q2 != 0)
		ok = fails("the second pass asked the server");
	return ok;
}

/*
 * Pass 3: a cache far too small (evictions, lookups without a slot when
 * every entry is in flight), short timeouts, and some servers that fail
 * or never answer.
 */
static bool
run_lossy(struct run *run)
{
	const struct bmx_query_servers *qs = bmx_engine_servers(run->engine);
	struct bmx_cache_stats st;
	bool ok = true;

	run_pass(run, 3);
	bmx_cache_get_stats(bmx_engine_cache(run->engine), &st);
	printf("pass 3: cache of %d: %lu hits, %lu misses, %lu joins, %lu "
	       "evictions, %zu entries; resolver: %lu sent, %lu timeouts\n",
	    SMALL_CACHE, st.hits, st.misses, st.joins, st.evictions, st.entries,
	    atomic_load(&qs->sent), atomic_load(&qs->timeouts));
	if (st.evictions == 0)
		ok = fails("nothing was evicted from the small cache");
	if (st.entries > SMALL_CACHE)
		ok = fails("the small cache grew past its size");
	if (atomic_load(&qs->timeouts) == 0)
		ok = fails("no query timed out");
	return ok;
}

int
main(int argc, char **argv)
{
	struct bmx_cidr_table *registry;
	struct bmx_diag diag;
	struct loopdns *dns;
	struct run run;
	unsigned long delay = 5;
	char err[256];
	bool ok = true;
	size_t i;
	int ch;

	memset(&run, 0, sizeof(run));
	run.threads = 16;
	run.n = 200;
	while ((ch = getopt(argc, argv, "t:n:d:")) != -1) {
		switch (ch) {
		case 't':
			run.threads = count_arg("t", optarg, 1);
			break;
		case 'n':
			run.n = count_arg("n", optarg, 1);
			break;
		case 'd':
			delay = count_arg("d", optarg, 0);
			break;
		default:
			fprintf(stderr,
			    "usage: engine_threads [-t threads] "
			    "[-n recipients] [-d delay_ms]\n");
			return 2;
		}
	}
	run.rcpts = calloc(run.threads * run.n, sizeof(*run.rcpts));
	run.seen.cap = 1024;
	while (run.seen.cap < run.threads * run.n * 16)
		run.seen.cap *= 2;
	run.seen.keys = calloc(run.seen.cap, sizeof(*run.seen.keys));
	pthread_mutex_init(&run.seen.lock, NULL);
	bmx_diag_init(&diag);
	registry = bmx_registry_table(&diag);
	bmx_diag_clear(&diag);
	if (run.rcpts == NULL || run.seen.keys == NULL || registry == NULL) {
		fprintf(stderr, "engine_threads: out of memory\n");
		return 2;
	}
	dns = loopdns_start(zone, &run, (unsigned)delay, err, sizeof(err));
	if (dns == NULL) {
		fprintf(stderr, "engine_threads: %s\n", err);
		return 2;
	}
	printf("engine_threads: %zu threads x %zu recipients, answers "
	       "delayed %lu ms, server 127.0.0.1:%u\n",
	    run.threads, run.n, delay, loopdns_port(dns));

	make_rcpts(&run, false);
	run.engine = new_engine(dns, registry, false);
	ok &= run_cached(&run, dns);
	bmx_engine_free(run.engine);

	make_rcpts(&run, true);
	run.engine = new_engine(dns, registry, true);
	ok &= run_lossy(&run);
	bmx_engine_free(run.engine);

	if (atomic_load(&run.errors) != 0) {
		printf(
		    "FAILED: %lu wrong decisions\n", atomic_load(&run.errors));
		ok = false;
	}
	loopdns_stop(dns);
	bmx_cidr_free(registry);
	for (i = 0; i < run.seen.cap; i++)
		free(run.seen.keys[i]);
	free(run.seen.keys);
	pthread_mutex_destroy(&run.seen.lock);
	free(run.rcpts);
	if (ok)
		printf("ok: %zu decisions right\n", 3 * run.threads * run.n);
	return ok ? 0 : 1;
}
