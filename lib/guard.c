/*
 * guard.c - what is known of the resolver, and whether to believe its
 * empty answers (see guard.h)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"

struct bmx_guard {
	pthread_mutex_t lock;
	/* under lock */
	enum bmx_canary_result private_canary, nxdomain_canary;
	struct bmx_ip rewrite[BMX_GUARD_REWRITE_MAX];
	size_t nrewrite;
	char private_name[256];
	char private_detail[160];
	/* read without the lock */
	_Atomic bool negsoa;
	_Atomic bool distrust;
	_Atomic bool filters;	      /* private_canary == FAIL */
	_Atomic size_t nrewrite_seen; /* nrewrite, for a lock-free test */
	_Atomic unsigned long runs, empty_nosoa, untrusted, deferrals;
	_Atomic unsigned long unspecified;
	_Atomic unsigned long changes;
};

struct bmx_guard *
bmx_guard_new(void)
{
	struct bmx_guard *g = calloc(1, sizeof(*g));

	if (g != NULL && pthread_mutex_init(&g->lock, NULL) != 0) {
		free(g);
		g = NULL;
	}
	return g;
}

void
bmx_guard_free(struct bmx_guard *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Under the lock: work out distrust again; count a change. */
static void
update_locked(struct bmx_guard *g, bool changed)
{
	bool d;

	if (g->private_canary == BMX_CANARY_FAIL)
		d = true;
	else if (g->private_canary == BMX_CANARY_PASS)
		d = false;
	else
		d = atomic_load(&g->negsoa);
	if (atomic_exchange(&g->distrust, d) != d)
		changed = true;
	atomic_store(&g->filters, g->private_canary == BMX_CANARY_FAIL);
	if (changed)
		atomic_fetch_add(&g->changes, 1);
}

static bool
negative(const struct bmx_answer *a)
{
	return a != NULL &&
	    (a->status == BMX_DNS_NXDOMAIN ||
		(a->status == BMX_DNS_NODATA && !a->chase));
}

void
bmx_guard_private_answer(struct bmx_guard *g, const char *name,
    const struct bmx_answer *a, int private_at)
{
	enum bmx_canary_result r = BMX_CANARY_UNKNOWN;
	char detail[sizeof(g->private_detail)], ip[BMX_IP_STRLEN];

	if (a == NULL) {
		snprintf(detail, sizeof(detail), "no answer");
	} else if (a->status == BMX_DNS_OK && private_at >= 0 &&
	    (size_t)private_at < a->n) {
		r = BMX_CANARY_PASS;
		snprintf(detail, sizeof(detail), "%s",
		    bmx_ip_format(&a->addrs[private_at], ip, sizeof(ip)));
	} else if (a->status == BMX_DNS_OK) {
		snprintf(detail, sizeof(detail), "only public addresses (%s)",
		    bmx_ip_format(&a->addrs[0], ip, sizeof(ip)));
	} else if (negative(a) && a->nosoa) {
		r = BMX_CANARY_FAIL;
		snprintf(detail, sizeof(detail), "%s without SOA",
		    a->status == BMX_DNS_NXDOMAIN ? "NXDOMAIN" : "empty");
	} else if (a->status == BMX_DNS_NXDOMAIN) {
		snprintf(detail, sizeof(detail), "does not exist");
	} else if (a->status == BMX_DNS_NODATA) {
		snprintf(detail, sizeof(detail), "has no A record");
	} else {
		snprintf(detail, sizeof(detail), "%s",
		    a->why[0] != '\0' ? a->why :
					bmx_dns_status_name(a->status));
	}
	bmx_guard_note(g, a);
	pthread_mutex_lock(&g->lock);
	snprintf(g->private_name, sizeof(g->private_name), "%s", name);
	snprintf(g->private_detail, sizeof(g->private_detail), "%s", detail);
	/* no answer keeps what was known: a resolver does not stop
	 * filtering because one query timed out */
	if (a != NULL &&
	    (r != BMX_CANARY_UNKNOWN || a->status != BMX_DNS_TEMPFAIL)) {
		bool changed = g->private_canary != r;

		g->private_canary = r;
		update_locked(g, changed);
	}
	pthread_mutex_unlock(&g->lock);
}

void
bmx_guard_nxdomain_answer(struct bmx_guard *g, const struct bmx_answer *a)
{
	enum bmx_canary_result r;
	size_t i, k;
	bool changed;

	if (a == NULL || a->status == BMX_DNS_TEMPFAIL ||
	    a->status == BMX_DNS_MALFORMED)
		return;
	bmx_guard_note(g, a);
	if (a->status == BMX_DNS_NXDOMAIN)
		r = BMX_CANARY_PASS;
	else if (a->status == BMX_DNS_OK && a->n > 0)
		r = BMX_CANARY_FAIL;
	else
		r = BMX_CANARY_UNKNOWN;
	pthread_mutex_lock(&g->lock);
	changed = g->nxdomain_canary != r;
	g->nxdomain_canary = r;
	for (i = 0; r == BMX_CANARY_FAIL && i < a->n; i++) {
		for (k = 0; k < g->nrewrite; k++)
			if (bmx_ip_equal(&g->rewrite[k], &a->addrs[i]))
				break;
		if (k == g->nrewrite && k < BMX_GUARD_REWRITE_MAX) {
			g->rewrite[g->nrewrite++] = a->addrs[i];
			changed = true;
		}
	}
	atomic_store(&g->nrewrite_seen, g->nrewrite);
	update_locked(g, changed);
	pthread_mutex_unlock(&g->lock);
}

void
bmx_guard_round_done(struct bmx_guard *g)
{
	atomic_fetch_add(&g->runs, 1);
}

void
bmx_guard_note(struct bmx_guard *g, const struct bmx_answer *a)
{
	if (!negative(a))
		return;
	if (a->nosoa) {
		atomic_fetch_add(&g->empty_nosoa, 1);
		return;
	}
	if (atomic_load(&g->negsoa))
		return;
	pthread_mutex_lock(&g->lock);
	atomic_store(&g->negsoa, true);
	update_locked(g, true);
	pthread_mutex_unlock(&g->lock);
}

bool
bmx_guard_filters(const struct bmx_guard *g)
{
	return atomic_load(&((struct bmx_guard *)g)->filters);
}

bool
bmx_guard_distrust_empty(const struct bmx_guard *g)
{
	return atomic_load(&((struct bmx_guard *)g)->distrust);
}

bool
bmx_guard_rewritten(const struct bmx_guard *g, const struct bmx_ip *ip)
{
	struct bmx_guard *m = (struct bmx_guard *)g;
	bool found = false;
	size_t i;

	if (atomic_load(&m->nrewrite_seen) == 0)
		return false;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nrewrite && !found; i++)
		found = bmx_ip_equal(&m->rewrite[i], ip);
	pthread_mutex_unlock(&m->lock);
	return found;
}

void
bmx_guard_count_untrusted(struct bmx_guard *g)
{
	atomic_fetch_add(&g->untrusted, 1);
}

void
bmx_guard_count_unspecified(struct bmx_guard *g)
{
	atomic_fetch_add(&g->unspecified, 1);
}

void
bmx_guard_count_deferral(struct bmx_guard *g)
{
	atomic_fetch_add(&g->deferrals, 1);
}

void
bmx_guard_get_status(const struct bmx_guard *g, struct bmx_guard_status *out)
{
	struct bmx_guard *m = (struct bmx_guard *)g;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&m->lock);
	out->private_canary = m->private_canary;
	out->nxdomain_canary = m->nxdomain_canary;
	memcpy(out->rewrite, m->rewrite, sizeof(out->rewrite));
	out->nrewrite = m->nrewrite;
	memcpy(out->private_name, m->private_name, sizeof(out->private_name));
	memcpy(out->private_detail, m->private_detail,
	    sizeof(out->private_detail));
	pthread_mutex_unlock(&m->lock);
	out->negatives_have_soa = atomic_load(&m->negsoa);
	out->distrust_empty = atomic_load(&m->distrust);
	out->canary_runs = atomic_load(&m->runs);
	out->empty_nosoa = atomic_load(&m->empty_nosoa);
	out->untrusted = atomic_load(&m->untrusted);
	out->deferrals = atomic_load(&m->deferrals);
	out->unspecified = atomic_load(&m->unspecified);
	out->changes = atomic_load(&m->changes);
}

/* Append to buf at *n, as snprintf would, never past len. */
static void
add(char *buf, size_t len, size_t *n, const char *text)
{
	int k;

	if (*n >= len)
		return;
	k = snprintf(buf + *n, len - *n, "%s%s", *n > 0 ? " " : "", text);
	*n = k < 0 ? len : *n + (size_t)k;
}

void
bmx_guard_describe(const struct bmx_guard_status *s, const char *resolver,
    char *buf, size_t len)
{
	char t[1536], ip[BMX_IP_STRLEN];
	size_t n = 0;

	buf[0] = '\0';
	if (s->private_canary == BMX_CANARY_FAIL) {
		snprintf(t, sizeof(t),
		    "Resolver %s removes private addresses from its answers "
		    "(the canary %s came back %s): recipients whose MX hosts "
		    "it hides are deferred (451 4.4.3), never accepted.  Fix "
		    "the resolver bogusmx asks: Unbound: drop the "
		    "private-address lines (or list the mail domains under "
		    "private-domain); dnsmasq: drop --stop-dns-rebind (or "
		    "add --rebind-domain-ok); systemd-resolved: point "
		    "bogusmx at a resolver that does not filter (dns { "
		    "nameservers }).",
		    resolver, s->private_name, s->private_detail);
		add(buf, len, &n, t);
	} else if (s->distrust_empty && s->empty_nosoa > 0) {
		snprintf(t, sizeof(t),
		    "Resolver %s sent %lu empty answers without SOA while its "
		    "negative answers carry one: it removes records "
		    "(Unbound private-address, dnsmasq --stop-dns-rebind); "
		    "such recipients are deferred (451 4.4.3).  Unbound: "
		    "drop private-address; dnsmasq: drop --stop-dns-rebind "
		    "or add --rebind-domain-ok; systemd-resolved: use an "
		    "upstream that does not filter.",
		    resolver, s->empty_nosoa);
		add(buf, len, &n, t);
	}
	if (s->unspecified > 0) {
		snprintf(t, sizeof(t),
		    "Resolver %s answered 0.0.0.0 or :: alone for the MX hosts "
		    "of %lu recipients: that is what resolvers that block "
		    "names answer (Pi-hole, AdGuard, dnsmasq "
		    "--address=/name/0.0.0.0), so they are deferred (451 "
		    "4.4.3).  Point bogusmx at a resolver without block "
		    "lists (dns { nameservers }).",
		    resolver, s->unspecified);
		add(buf, len, &n, t);
	}
	if (s->nxdomain_canary == BMX_CANARY_FAIL && s->nrewrite > 0) {
		snprintf(t, sizeof(t),
		    "Resolver %s rewrites NXDOMAIN: a name that cannot "
		    "exist came back as %s.  Answers with that address are "
		    "deferred (451 4.4.3).  Use a resolver that passes "
		    "NXDOMAIN on (a local Unbound, no ISP \"search assist\").",
		    resolver, bmx_ip_format(&s->rewrite[0], ip, sizeof(ip)));
		add(buf, len, &n, t);
	}
}

const char *
bmx_canary_result_name(enum bmx_canary_result r)
{
	switch (r) {
	case BMX_CANARY_PASS:
		return "pass";
	case BMX_CANARY_FAIL:
		return "fail";
	default:
		return "unknown";
	}
}
