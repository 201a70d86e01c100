/*
 * cache.c - shared DNS answer cache: hash table + LRU list under one
 * mutex, in-flight joins on one condition variable
 *
 * An entry exists while it holds an answer (fresh or stale) or while a
 * query for it is in flight.  In-flight entries are never evicted, so the
 * owner of a slot can always find its entry again.  A slot (struct
 * bmx_cache_slot) is the in-flight record; it is reference counted by
 * the owner and the joiners and freed by the last one out.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "clock.h"

struct entry;

struct bmx_cache_slot {
	int refs;
	bool done;
	struct bmx_answer *result;
	struct entry *entry; /* while in flight */
};

struct entry {
	struct entry *hnext;
	struct entry *prev, *next; /* LRU: head is the most recent */
	uint64_t hash;
	uint16_t type;
	struct bmx_answer *answer; /* NULL until the first answer */
	long long expires, stale_until;
	/* after a failed refresh: serve the stale answer until then */
	long long recheck_at;
	struct bmx_cache_slot *flight;
	size_t bytes;
	char name[];
};

struct bmx_cache {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct bmx_cache_config cfg;
	struct entry **buckets;
	size_t nbuckets;
	struct entry *head, *tail;
	size_t count, inflight;
	struct bmx_cache_stats st;
};

static uint64_t
hash_key(const char *name, uint16_t type)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	h ^= type;
	h *= 1099511628211ULL;
	return h;
}

static long long
now_ms(const struct bmx_cache *c)
{
	return c->cfg.clock != NULL ? c->cfg.clock(c->cfg.clock_arg) :
				      bmx_now_ms();
}

struct bmx_cache *
bmx_cache_new(const struct bmx_cache_config *cfg)
{
	struct bmx_cache *c;
	pthread_condattr_t ca;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	if (c->cfg.max_entries == 0)
		c->cfg.max_entries = 1;
	c->nbuckets = 64;
	while (c->nbuckets < c->cfg.max_entries && c->nbuckets < (1U << 24))
		c->nbuckets *= 2;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (c->buckets == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->done, &ca);
	pthread_condattr_destroy(&ca);
	return c;
}

static void
lru_unlink(struct bmx_cache *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(struct bmx_cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
set_answer(struct bmx_cache *c, struct entry *e, struct bmx_answer *a)
{
	c->st.bytes -= e->bytes;
	bmx_answer_unref(e->answer);
	e->answer = a;
	e->bytes = sizeof(*e) + strlen(e->name) + 1 +
	    (a != NULL ? bmx_answer_size(a) : 0);
	c->st.bytes += e->bytes;
}

static void
remove_entry(struct bmx_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(c, e);
	set_answer(c, e, NULL);
	c->st.bytes -= e->bytes;
	c->count--;
	free(e);
}

static struct entry *
find(struct bmx_cache *c, const char *name, uint16_t type, uint64_t h)
{
	struct entry *e;

	for (e = c->buckets[h & (c->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->type == type &&
		    strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Make room for one entry; false when every entry is in flight. */
static bool
make_room(struct bmx_cache *c)
{
	struct entry *e;

	while (c->count >= c->cfg.max_entries) {
		for (e = c->tail; e != NULL && e->flight != NULL; e = e->prev)
			;
		if (e == NULL)
			return false;
		remove_entry(c, e);
		c->st.evictions++;
	}
	return true;
}

/* Evict least recently used entries until the bytes fit the budget. */
static void
trim_bytes(struct bmx_cache *c)
{
	struct entry *e;

	while (c->cfg.max_bytes > 0 && c->st.bytes > c->cfg.max_bytes) {
		for (e = c->tail; e != NULL && e->flight != NULL; e = e->prev)
			;
		if (e == NULL)
			return;
		remove_entry(c, e);
		c->st.byte_evictions++;
	}
}

/* The bytes e would count with answer a: can it be kept at all? */
static bool
fits(const struct bmx_cache *c, const struct entry *e,
    const struct bmx_answer *a)
{
	return c->cfg.max_bytes == 0 ||
	    sizeof(*e) + strlen(e->name) + 1 + bmx_answer_size(a) <=
	    c->cfg.max_bytes;
}

static void
serve(struct bmx_cache *c, struct entry *e, struct bmx_answer **answer)
{
	lru_unlink(c, e);
	lru_push(c, e);
	*answer = bmx_answer_ref(e->answer);
}

enum bmx_cache_result
bmx_cache_lookup(struct bmx_cache *c, const char *name, uint16_t type,
    struct bmx_answer **answer, struct bmx_cache_slot **slot)
{
	uint64_t h = hash_key(name, type);
	long long now = now_ms(c);
	struct bmx_cache_slot *f;
	struct entry *e;
	size_t len;

	*answer = NULL;
	*slot = NULL;
	pthread_mutex_lock(&c->lock);
	e = find(c, name, type, h);
	if (e != NULL && e->answer != NULL && now < e->expires) {
		c->st.hits++;
		serve(c, e, answer);
		pthread_mutex_unlock(&c->lock);
		return BMX_CACHE_HIT;
	}
	/* a refresh failed a moment ago: do not ask again yet */
	if (e != NULL && e->answer != NULL && e->flight == NULL &&
	    now < e->recheck_at && now < e->stale_until) {
		c->st.stale_served++;
		c->st.stale_rechecks_suppressed++;
		serve(c, e, answer);
		pthread_mutex_unlock(&c->lock);
		return BMX_CACHE_HIT;
	}
	if (e != NULL && e->flight != NULL) {
		c->st.joins++;
		e->flight->refs++;
		*slot = e->flight;
		pthread_mutex_unlock(&c->lock);
		return BMX_CACHE_JOIN;
	}
	c->st.misses++;
	if (e == NULL) {
		len = strlen(name);
		if (!make_room(c) ||
		    (e = calloc(1, sizeof(*e) + len + 1)) == NULL) {
			pthread_mutex_unlock(&c->lock);
			return BMX_CACHE_MISS;
		}
		memcpy(e->name, name, len + 1);
		e->hash = h;
		e->type = type;
		e->hnext = c->buckets[h & (c->nbuckets - 1)];
		c->buckets[h & (c->nbuckets - 1)] = e;
		lru_push(c, e);
		c->count++;
		set_answer(c, e, NULL);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		if (e->answer == NULL)
			remove_entry(c, e);
		pthread_mutex_unlock(&c->lock);
		return BMX_CACHE_MISS;
	}
	f->refs = 1;
	f->entry = e;
	e->flight = f;
	c->inflight++;
	*slot = f;
	pthread_mutex_unlock(&c->lock);
	return BMX_CACHE_MISS;
}

static bool
cacheable(const struct bmx_answer *a)
{
	if (a == NULL)
		return false;
	switch (a->status) {
	case BMX_DNS_OK:
	case BMX_DNS_CNAME_LOOP:
		return true;
	case BMX_DNS_NXDOMAIN:
	case BMX_DNS_NODATA: /* without SOA: not cached, RFC 2308 s5 */
		return !a->chase && !a->nosoa;
	default:
		return false;
	}
}

static void
slot_release(struct bmx_cache_slot *f)
{
	if (--f->refs == 0) {
		bmx_answer_unref(f->result);
		free(f);
	}
}

void
bmx_cache_complete(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use)
{
	long long now = now_ms(c);
	struct entry *e;
	uint32_t ttl;

	*use = answer;
	if (slot == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	e = slot->entry;
	if (cacheable(answer) && !fits(c, e, answer)) {
		/* used, never kept: not even the stale one it replaces */
		c->st.too_big++;
		set_answer(c, e, NULL);
	} else if (cacheable(answer)) {
		ttl = answer->ttl;
		if (answer->status == BMX_DNS_OK) {
			if (ttl > c->cfg.max_ttl)
				ttl = c->cfg.max_ttl;
		} else if (ttl > c->cfg.max_neg_ttl) {
			ttl = c->cfg.max_neg_ttl;
		}
		if (ttl < c->cfg.min_ttl)
			ttl = c->cfg.min_ttl;
		set_answer(c, e, bmx_answer_ref(answer));
		/* a refreshed entry is a recently used one */
		lru_unlink(c, e);
		lru_push(c, e);
		e->expires = now + (long long)ttl * 1000;
		e->stale_until =
		    e->expires + (long long)c->cfg.stale_ttl * 1000;
		e->recheck_at = 0;
	} else if (e->answer != NULL && now < e->stale_until &&
	    (answer == NULL || answer->status == BMX_DNS_TEMPFAIL ||
		answer->status == BMX_DNS_MALFORMED)) {
		c->st.stale_served++;
		e->recheck_at = now + (long long)c->cfg.stale_recheck * 1000;
		*use = bmx_answer_ref(e->answer);
		bmx_answer_unref(answer);
	} else if (e->answer != NULL && now >= e->stale_until) {
		/* past its stale window: never served again, let it go */
		set_answer(c, e, NULL);
	}
	slot->result = *use != NULL ? bmx_answer_ref(*use) : NULL;
	slot->done = true;
	slot->entry = NULL;
	e->flight = NULL;
	c->inflight--;
	if (e->answer == NULL)
		remove_entry(c, e);
	trim_bytes(c);
	slot_release(slot);
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
}

struct bmx_answer *
bmx_cache_wait(struct bmx_cache *c, struct bmx_cache_slot *slot,
    const struct timespec *deadline)
{
	struct bmx_answer *a = NULL;

	pthread_mutex_lock(&c->lock);
	while (!slot->done) {
		if (pthread_cond_timedwait(&c->done, &c->lock, deadline) != 0 &&
		    !slot->done)
			break;
	}
	if (slot->done && slot->result != NULL)
		a = bmx_answer_ref(slot->result);
	slot_release(slot);
	pthread_mutex_unlock(&c->lock);
	return a;
}

void
bmx_cache_get_stats(struct bmx_cache *c, struct bmx_cache_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	st->entries = c->count;
	st->inflight = c->inflight;
	st->max_entries = c->cfg.max_entries;
	st->max_bytes = c->cfg.max_bytes;
	pthread_mutex_unlock(&c->lock);
}

/* The types the resolver asks for, which a purge drops. */
static const uint16_t purge_types[] = { BMX_DNS_TYPE_MX, BMX_DNS_TYPE_A,
	BMX_DNS_TYPE_AAAA, BMX_DNS_TYPE_CNAME };

/* Names still to purge: each once, at most PURGE_NAMES of them. */
#define PURGE_NAMES 4096
struct purge_list {
	char **names;
	size_t n;
};

static void
purge_add(struct purge_list *l, const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0' || l->n >= PURGE_NAMES)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return;
	if ((l->names[l->n] = strdup(name)) != NULL)
		l->n++;
}

/* Drop one entry; queue the names its answer leads to. */
static void
purge_entry(struct bmx_cache *c, struct entry *e, struct purge_list *l)
{
	const struct bmx_answer *a = e->answer;
	size_t i;

	if (a != NULL) {
		for (i = 0; i < a->ncnames; i++)
			purge_add(l, a->cnames[i]);
		for (i = 0; a->mx != NULL && i < a->n; i++)
			purge_add(l, a->mx[i].host);
	}
	c->st.purged++;
	if (e->flight != NULL)
		set_answer(c, e, NULL); /* the owner still completes it */
	else
		remove_entry(c, e);
}

size_t
bmx_cache_purge(
    struct bmx_cache *c, const char *domain, char *err, size_t errlen)
{
	char name[BMX_DOMAIN_MAX + 1];
	struct purge_list l = { NULL, 0 };
	size_t i, t, dropped = 0;
	struct entry *e;

	if (bmx_domain_normalize(domain, name, err, errlen) != BMX_ADDR_OK)
		return 0;
	err[0] = '\0';
	l.names = calloc(PURGE_NAMES, sizeof(*l.names));
	if (l.names == NULL) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	purge_add(&l, name);
	for (i = 0; i < l.n; i++)
		for (t = 0; t < sizeof(purge_types) / sizeof(purge_types[0]);
		     t++) {
			e = find(c, l.names[i], purge_types[t],
			    hash_key(l.names[i], purge_types[t]));
			if (e != NULL &&
			    (e->answer != NULL || e->flight == NULL)) {
				purge_entry(c, e, &l);
				dropped++;
			}
		}
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return dropped;
}

bool
bmx_cache_dump(struct bmx_cache *c, size_t max,
    void (*fn)(const struct bmx_cache_info *e, void *arg), void *arg,
    size_t *total)
{
	struct bmx_cache_info *v = NULL;
	long long now = now_ms(c);
	size_t i, n = 0, names = 0;
	const struct entry *e;
	char *p = NULL;

	pthread_mutex_lock(&c->lock);
	*total = c->count;
	for (e = c->head; e != NULL && n < max; e = e->next, n++)
		names += strlen(e->name) + 1;
	if (n > 0 && (v = malloc(n * sizeof(*v) + names)) == NULL) {
		pthread_mutex_unlock(&c->lock);
		return false;
	}
	if (v != NULL)
		p = (char *)(v + n);
	for (e = c->head, i = 0; i < n; e = e->next, i++) {
		size_t len = strlen(e->name) + 1;

		memcpy(p, e->name, len);
		v[i].name = p;
		p += len;
		v[i].type = e->type;
		v[i].answered = e->answer != NULL;
		v[i].status =
		    e->answer != NULL ? e->answer->status : BMX_DNS_TEMPFAIL;
		v[i].records = e->answer != NULL ? e->answer->n : 0;
		v[i].ttl_ms = e->answer != NULL ? e->expires - now : 0;
		v[i].stale_ms = e->answer != NULL ? e->stale_until - now : 0;
		v[i].inflight = e->flight != NULL;
		v[i].bytes = e->bytes;
	}
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++)
		fn(&v[i], arg);
	free(v);
	return true;
}

void
bmx_cache_free(struct bmx_cache *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL)
		remove_entry(c, c->head);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}
