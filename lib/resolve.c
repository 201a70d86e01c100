/*
 * resolve.c - MX, then A and AAAA of every MX host, in two parallel
 * rounds, through the shared cache
 *
 * Memory: the hosts array and the answers it references belong to the
 * struct bmx_resolution; host names point into the MX answer or into
 * the resolution's domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "resolve.h"

static const char *const special_suffixes[] = {
	"localhost",
	"invalid",
	"test",
	"example",
	"local",
	"home.arpa",
	"onion",
	"alt",
	"internal",
};

const char *
bmx_special_name(const char *name)
{
	size_t i, n = strlen(name), k;

	for (i = 0; i < sizeof(special_suffixes) / sizeof(*special_suffixes);
	     i++) {
		const char *s = special_suffixes[i];

		k = strlen(s);
		if (n == k && strcmp(name, s) == 0)
			return s;
		if (n > k && name[n - k - 1] == '.' &&
		    strcmp(name + n - k, s) == 0)
			return s;
	}
	return NULL;
}

bool
bmx_mx_literal(const char *name, struct bmx_ip *ip)
{
	size_t n = strlen(name);

	if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
		name++;
		n -= 2;
		if (n > 5 && strncasecmp(name, "ipv6:", 5) == 0) {
			name += 5;
			n -= 5;
		}
		return bmx_ip_parse_n(name, n, ip);
	}
	/* "127.1", "2130706433", "0x7f.0.0.1": what inet_aton reads */
	return bmx_ip_parse_n(name, n, ip) || bmx_ip_parse_aton(name, n, ip);
}

/* One name/type to look up, through the cache. */
struct req {
	const char *name;
	uint16_t type;
	struct bmx_answer *answer;
	struct bmx_cache_slot *slot;
	bool join;
};

/* Rounds of one batch: a joiner whose owner gave up (its own deadline
 * passed) looks the name up again, and may query it itself, while its
 * deadline allows; each round ends at an owner's deadline, so a few do. */
#define FETCH_ROUNDS 4

static bool
past(const struct timespec *dl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > dl->tv_sec ||
	    (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

/*
 * How many MX records (sorted by preference) an answer keeps: what
 * mx_count() may check, a group of equal preference that max_mx cuts
 * included up to BMX_MX_GROUP_MAX, and one record more, so that a group
 * bigger than that is still seen to be cut (and left out whole) and the
 * verdict does not depend on the order of the records.
 */
static size_t
mx_keep(unsigned max_mx)
{
	size_t n = max_mx > 0 ? max_mx : 1;

	return (n > BMX_MX_GROUP_MAX ? n : BMX_MX_GROUP_MAX) + 1;
}

/* Look up what has no answer yet: cache hits, queries of our own, joins.
 * @return true when a joiner's owner gave up and time is left: the
 *     caller runs another round */
static bool
fetch_round(const struct bmx_resolver *r, struct req *rq, size_t n,
    struct bmx_query *q, size_t *idx, const struct timespec *dl, bool last,
    struct bmx_resolution *out)
{
	size_t i, nq = 0;
	char why[BMX_DOMAIN_MAX + 64];
	bool again = false;

	for (i = 0; i < n; i++) {
		if (rq[i].answer != NULL)
			continue;
		rq[i].slot = NULL;
		rq[i].join = false;
		if (r->cache != NULL) {
			switch (bmx_cache_lookup(r->cache, rq[i].name,
			    rq[i].type, &rq[i].answer, &rq[i].slot)) {
			case BMX_CACHE_HIT:
				out->cache_hits++;
				continue;
			case BMX_CACHE_JOIN:
				rq[i].join = true;
				continue;
			case BMX_CACHE_MISS:
				break;
			}
		}
		if (q == NULL || idx == NULL) {
			rq[i].answer = bmx_answer_error(rq[i].name, rq[i].type,
			    BMX_DNS_TEMPFAIL, "out of memory");
			if (r->cache != NULL)
				bmx_cache_complete(r->cache, rq[i].slot,
				    rq[i].answer, &rq[i].answer);
			continue;
		}
		memset(&q[nq], 0, sizeof(q[nq]));
		q[nq].name = rq[i].name;
		q[nq].type = rq[i].type;
		idx[nq++] = i;
	}
	if (nq > 0)
		bmx_query_run(r->servers, q, nq, dl);
	for (i = 0; i < nq; i++) {
		struct req *x = &rq[idx[i]];

		/* what a decision uses, and nothing more, is kept */
		q[i].answer = bmx_answer_keep(q[i].answer,
		    q[i].type == BMX_DNS_TYPE_MX ? mx_keep(r->max_mx) :
						   BMX_DNS_ADDR_MAX);
		if (r->cache == NULL)
			x->answer = q[i].answer;
		else if (q[i].timed_out)
			bmx_cache_abandon(
			    r->cache, x->slot, q[i].answer, &x->answer);
		else
			bmx_cache_complete(
			    r->cache, x->slot, q[i].answer, &x->answer);
	}
	for (i = 0; i < n; i++) {
		if (!rq[i].join)
			continue;
		rq[i].join = false;
		rq[i].answer = bmx_cache_wait(r->cache, rq[i].slot, dl);
		if (rq[i].answer != NULL)
			continue;
		if (!last && !past(dl)) {
			again = true; /* the owner gave up: ours to do */
			continue;
		}
		snprintf(why, sizeof(why),
		    "deadline passed waiting for a lookup of %s", rq[i].name);
		rq[i].answer = bmx_answer_error(
		    rq[i].name, rq[i].type, BMX_DNS_TEMPFAIL, why);
	}
	return again;
}

static void
fetch(const struct bmx_resolver *r, struct req *rq, size_t n,
    const struct timespec *dl, struct bmx_resolution *out)
{
	struct bmx_query *q;
	size_t i, *idx, round = 0;

	q = calloc(n ? n : 1, sizeof(*q));
	idx = calloc(n ? n : 1, sizeof(*idx));
	for (i = 0; i < n; i++) {
		out->lookups++;
		rq[i].answer = NULL;
	}
	while (fetch_round(r, rq, n, q, idx, dl, ++round == FETCH_ROUNDS, out))
		;
	for (i = 0; i < n; i++)
		if (rq[i].answer != NULL &&
		    rq[i].answer->status == BMX_DNS_TEMPFAIL &&
		    strncmp(rq[i].answer->why, "deadline", 8) == 0)
			out->deadline_hit = true;
	free(q);
	free(idx);
}

/* The first special name in an answer's CNAME chain, if any. */
static const char *
special_in_chain(const struct bmx_answer *a, const char **which)
{
	unsigned i;
	const char *rule;

	if (a == NULL)
		return NULL;
	for (i = 0; i < a->ncnames; i++) {
		rule = bmx_special_name(a->cnames[i]);
		if (rule != NULL) {
			*which = a->cnames[i];
			return rule;
		}
	}
	return NULL;
}

/* Should this answer's CNAME target be asked for on its own? */
static bool
chaseable(const struct bmx_answer *a, unsigned limit)
{
	const char *which;

	return a != NULL && a->chase && a->status == BMX_DNS_NODATA &&
	    a->ncnames <= limit && special_in_chain(a, &which) == NULL;
}

/*
 * A chain that is longer than the limit, or that could not be followed
 * to its end, is not believed: the answer becomes a temporary failure
 * (the policy decides) and the limit is recorded.  A chain through a
 * special-use name is left as it is: that name decides (rule 2).
 */
static void
check_chain(struct req *rq, unsigned limit, struct bmx_resolution *out)
{
	struct bmx_answer *a = rq->answer;
	const char *which;
	char why[BMX_DOMAIN_MAX + 64];

	if (a == NULL || special_in_chain(a, &which) != NULL)
		return;
	if (a->ncnames > limit) {
		out->cname_limited = true;
		snprintf(why, sizeof(why),
		    "CNAME chain of %s longer than %u steps", a->qname, limit);
	} else if (a->chase && a->status == BMX_DNS_NODATA) {
		snprintf(why, sizeof(why), "CNAME chain of %s not followed",
		    a->qname);
	} else {
		return;
	}
	rq->answer =
	    bmx_answer_error(a->qname, a->qtype, BMX_DNS_TEMPFAIL, why);
	bmx_answer_unref(a);
}

/*
 * Fetch a batch, then follow the answers that stop at a CNAME target the
 * server said nothing about (a server that does not recurse): ask for
 * the target and join the answers, so that each answer carries the
 * whole chain from the name asked (loops across answers are found by
 * bmx_answer_join()).  A chain is never followed into a special-use name
 * (judged without DNS) nor past max_cname steps.
 */
static void
fetch_chased(const struct bmx_resolver *r, struct req *rq, size_t n,
    const struct timespec *dl, struct bmx_resolution *out)
{
	struct req *more;
	size_t *map, i, k;
	/* An answer keeps BMX_DNS_CNAME_MAX steps: a chain that long may
	 * have been cut, so it is always over the limit. */
	unsigned limit = r->max_cname < BMX_DNS_CNAME_MAX ?
	    r->max_cname :
	    BMX_DNS_CNAME_MAX - 1;

	fetch(r, rq, n, dl, out);
	more = calloc(n ? n : 1, sizeof(*more));
	map = calloc(n ? n : 1, sizeof(*map));
	/* Each round adds a CNAME to every chain it follows: at most
	 * limit + 1 rounds. */
	while (more != NULL && map != NULL) {
		for (i = 0, k = 0; i < n; i++) {
			if (!chaseable(rq[i].answer, limit))
				continue;
			more[k].name = rq[i].answer->target;
			more[k].type = rq[i].type;
			map[k++] = i;
		}
		if (k == 0)
			break;
		fetch(r, more, k, dl, out);
		for (i = 0; i < k; i++) {
			struct req *x = &rq[map[i]];
			struct bmx_answer *j = NULL;

			if (more[i].answer != NULL)
				j = bmx_answer_join(x->answer, more[i].answer);
			if (j == NULL)
				j = bmx_answer_error(x->answer->qname,
				    x->answer->qtype, BMX_DNS_TEMPFAIL,
				    "out of memory");
			bmx_answer_unref(more[i].answer);
			bmx_answer_unref(x->answer);
			x->answer = j;
		}
	}
	for (i = 0; i < n; i++)
		check_chain(&rq[i], limit, out);
	free(more);
	free(map);
}

static void
add_host(struct bmx_resolution *out, uint16_t pref, const char *name)
{
	struct bmx_host *h = &out->hosts[out->nhosts++];
	const char *rule;

	memset(h, 0, sizeof(*h));
	h->preference = pref;
	h->name = name;
	if (name[0] == '\0') {
		h->kind = BMX_HOST_NULL;
		out->null_mx = true;
	} else if (bmx_mx_literal(name, &h->literal)) {
		h->kind = BMX_HOST_LITERAL;
	} else if ((rule = bmx_special_name(name)) != NULL) {
		h->kind = BMX_HOST_SPECIAL;
		h->special_name = name;
		h->special_rule = rule;
	} else {
		h->kind = BMX_HOST_NAME;
	}
}

/*
 * How many MX records (sorted by preference) to check.  max_mx must not
 * cut a group of equal preference: which of them made it would depend
 * on the order of the records in the answer.  Such a group is taken
 * whole while the hosts stay within max(max_mx, BMX_MX_GROUP_MAX); a
 * bigger one is left out whole, and out->mx_group_cut says so.
 */
static size_t
mx_count(const struct bmx_answer *mx, size_t max_mx, struct bmx_resolution *out)
{
	size_t n = mx->n < max_mx ? mx->n : max_mx, end, cap;

	if (n == 0 || n == mx->n ||
	    mx->mx[n].preference != mx->mx[n - 1].preference)
		return n;
	cap = max_mx > BMX_MX_GROUP_MAX ? max_mx : BMX_MX_GROUP_MAX;
	for (end = n;
	     end < mx->n && mx->mx[end].preference == mx->mx[n - 1].preference;
	     end++)
		;
	if (end <= cap)
		return end;
	out->mx_group_cut = true;
	while (n > 0 && mx->mx[n - 1].preference == mx->mx[n].preference)
		n--;
	return n;
}

/* Hosts by preference, then by name: no verdict or reply text depends
 * on the order of the records in the answer. */
static int
host_order(const void *a, const void *b)
{
	const struct bmx_host *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* An address answer with more than BMX_DNS_ADDR_MAX addresses: it was
 * kept in part, and is never judged in part. */
static bool
over_cap(const struct bmx_answer *a)
{
	return a != NULL && a->status == BMX_DNS_OK && a->dropped > 0;
}

/*
 * Which addresses are judged.  A host's A and AAAA RRsets are taken
 * whole, never cut where the records happen to end (resolvers rotate
 * them): a host with an RRset over BMX_DNS_ADDR_MAX is left out whole
 * (out->addr_cut_host, which defers), and hosts are taken in their
 * order, (preference, name), while fewer than max_addrs addresses are
 * taken: the host that reaches the limit is still taken whole, those
 * after it are left out (out->addr_limited).
 */
static void
count_addresses(const struct bmx_resolver *r, struct bmx_resolution *out)
{
	size_t i, used = 0;

	for (i = 0; i < out->nhosts; i++) {
		struct bmx_host *h = &out->hosts[i];
		bool a = h->a != NULL && h->a->status == BMX_DNS_OK;
		bool aaaa = h->aaaa != NULL && h->aaaa->status == BMX_DNS_OK;

		if (!a && !aaaa)
			continue;
		if (used >= r->max_addrs) {
			out->addr_limited = true;
			continue;
		}
		if (over_cap(h->a) || over_cap(h->aaaa)) {
			if (out->addr_cut_host == NULL)
				out->addr_cut_host = h->name;
			continue;
		}
		if (a) {
			h->addrs[0] = h->a->addrs;
			h->n4 = h->a->n;
		}
		if (aaaa) {
			h->addrs[1] = h->aaaa->addrs;
			h->n6 = h->aaaa->n;
		}
		h->naddrs = h->n4 + h->n6;
		used += h->naddrs;
	}
}

static void
untrusted(struct bmx_resolution *out, const char *name, const char *why)
{
	if (out->untrusted_name != NULL)
		return;
	out->untrusted_name = name;
	out->untrusted_why = why;
}

/* Check one answer of host name against the guard. */
static void
guard_answer(const struct bmx_resolver *r, const struct bmx_answer *a,
    const char *name, bool distrust, struct bmx_resolution *out)
{
	size_t i;

	if (a == NULL)
		return;
	if (distrust && a->nosoa)
		untrusted(out, name,
		    "an empty answer without SOA: the resolver removes "
		    "records");
	if (a->qtype == BMX_DNS_TYPE_MX || a->status != BMX_DNS_OK)
		return;
	for (i = 0; i < a->n; i++)
		if (bmx_guard_rewritten(r->guard, &a->addrs[i]))
			untrusted(out, name,
			    "an address the resolver gives for names that do "
			    "not exist");
}

/* Learn from the answers; mark what the guard does not believe. */
static void
guard_check(const struct bmx_resolver *r, struct bmx_resolution *out)
{
	bool distrust;
	size_t i;

	if (r->guard == NULL || out->mx == NULL)
		return;
	/* learn first: a negative answer with SOA in this very resolution
	 * is enough to doubt an empty one without */
	bmx_guard_note(r->guard, out->mx);
	for (i = 0; i < out->nhosts; i++) {
		bmx_guard_note(r->guard, out->hosts[i].a);
		bmx_guard_note(r->guard, out->hosts[i].aaaa);
	}
	distrust = bmx_guard_distrust_empty(r->guard);
	if (bmx_guard_filters(r->guard))
		untrusted(out, out->domain,
		    "the resolver removes private addresses from its answers "
		    "(its private canary came back empty)");
	guard_answer(
	    r, out->mx, out->domain, distrust && out->implicit_mx, out);
	for (i = 0; i < out->nhosts; i++) {
		const struct bmx_host *h = &out->hosts[i];

		if (h->kind != BMX_HOST_NAME)
			continue;
		guard_answer(r, h->a, h->name, distrust, out);
		guard_answer(r, h->aaaa, h->name, distrust, out);
	}
}

void
bmx_resolve(const struct bmx_resolver *r, const char *domain,
    struct bmx_resolution *out)
{
	long long t0 = bmx_now_ms();
	struct timespec dl;
	struct req one, *rq = NULL;
	size_t i, n, nq = 0, max_mx = r->max_mx ? r->max_mx : 1;
	const char *rule, *which = NULL;

	memset(out, 0, sizeof(*out));
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	if ((rule = bmx_special_name(out->domain)) != NULL) {
		out->special_name = out->domain;
		out->special_rule = rule;
		goto done;
	}
	bmx_query_deadline(&dl, r->deadline_ms);
	one.name = out->domain;
	one.type = BMX_DNS_TYPE_MX;
	fetch_chased(r, &one, 1, &dl, out);
	out->mx = one.answer;
	if (out->mx == NULL)
		goto done;
	if ((rule = special_in_chain(out->mx, &which)) != NULL) {
		out->special_name = which;
		out->special_rule = rule;
		goto done;
	}
	if (out->mx->status == BMX_DNS_OK) {
		/* the answer itself may have left the worst ones out */
		out->mx_total = out->mx->n + out->mx->dropped;
		n = mx_count(out->mx, max_mx, out);
		out->mx_limited = out->mx_total > n;
		out->hosts = calloc(n ? n : 1, sizeof(*out->hosts));
		if (out->hosts == NULL)
			goto done;
		for (i = 0; i < n; i++)
			add_host(out, out->mx->mx[i].preference,
			    out->mx->mx[i].host);
		qsort(out->hosts, n, sizeof(*out->hosts), host_order);
	} else if (out->mx->status == BMX_DNS_NODATA) {
		out->implicit_mx = true;
		out->hosts = calloc(1, sizeof(*out->hosts));
		if (out->hosts == NULL)
			goto done;
		add_host(out, 0, out->mx->target);
	} else {
		goto done;
	}
	rq = calloc(out->nhosts * 2, sizeof(*rq));
	if (rq == NULL)
		goto done;
	for (i = 0; i < out->nhosts; i++) {
		if (out->hosts[i].kind != BMX_HOST_NAME)
			continue;
		rq[nq].name = out->hosts[i].name;
		rq[nq++].type = BMX_DNS_TYPE_A;
		rq[nq].name = out->hosts[i].name;
		rq[nq++].type = BMX_DNS_TYPE_AAAA;
	}
	fetch_chased(r, rq, nq, &dl, out);
	for (i = 0, n = 0; i < out->nhosts; i++) {
		struct bmx_host *h = &out->hosts[i];

		if (h->kind != BMX_HOST_NAME)
			continue;
		h->a = rq[n++].answer;
		h->aaaa = rq[n++].answer;
		if ((rule = special_in_chain(h->a, &which)) != NULL ||
		    (rule = special_in_chain(h->aaaa, &which)) != NULL) {
			h->kind = BMX_HOST_SPECIAL;
			h->special_name = which;
			h->special_rule = rule;
		}
	}
	count_addresses(r, out);
	guard_check(r, out);
done:
	free(rq);
	out->elapsed_ms = bmx_now_ms() - t0;
}

void
bmx_resolution_clear(struct bmx_resolution *res)
{
	size_t i;

	for (i = 0; i < res->nhosts; i++) {
		bmx_answer_unref(res->hosts[i].a);
		bmx_answer_unref(res->hosts[i].aaaa);
	}
	free(res->hosts);
	bmx_answer_unref(res->mx);
	memset(res, 0, sizeof(*res));
}
