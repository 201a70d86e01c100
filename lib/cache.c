/*
 * cache.c - shared DNS answer cache: shards, each a hash table and an
 * LRU list under its own mutex, with in-flight joins on its own
 * condition variable
 *
 * A name and type always go to the same shard (by their hash), so two
 * threads that look up different names seldom wait for each other.  The
 * bounds are split evenly over the shards, and each evicts its own least
 * recently used entries.  A small cache has one shard: exact LRU.
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

struct shard;

struct bmx_cache_slot {
	int refs;
	bool done;
	struct bmx_answer *result;
	struct entry *entry; /* while in flight */
	struct shard *shard;
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

/* A shard of the cache; aligned so that two shards never share a cache
 * line that their locks and counters are written in. */
struct shard {
	_Alignas(64) pthread_mutex_t lock;
	pthread_cond_t done;
	struct entry **buckets;
	size_t nbuckets;
	struct entry *head, *tail;
	size_t count, inflight;
	size_t max_entries, max_bytes; /* its share of the bounds */
	struct bmx_cache_stats st;
};

/* Shards: one below SHARD_MIN_ENTRIES entries, then as many as keep at
 * least that many entries each, up to SHARDS_MAX. */
#define SHARDS_MAX 64
#define SHARD_MIN_ENTRIES 512

struct bmx_cache {
	struct bmx_cache_config cfg;
	struct shard *shards;
	size_t nshards;
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

/* Make one shard for max_entries and max_bytes (0: none). */
static bool
shard_init(struct shard *sh, size_t max_entries, size_t max_bytes)
{
	pthread_condattr_t ca;

	sh->max_entries = max_entries > 0 ? max_entries : 1;
	sh->max_bytes = max_bytes;
	sh->nbuckets = 64;
	while (sh->nbuckets < sh->max_entries && sh->nbuckets < (1U << 24))
		sh->nbuckets *= 2;
	sh->buckets = calloc(sh->nbuckets, sizeof(*sh->buckets));
	if (sh->buckets == NULL)
		return false;
	pthread_mutex_init(&sh->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->done, &ca);
	pthread_condattr_destroy(&ca);
	return true;
}

struct bmx_cache *
bmx_cache_new(const struct bmx_cache_config *cfg)
{
	struct bmx_cache *c;
	size_t i, n = 1, entries = cfg->max_entries ? cfg->max_entries : 1;

	while (n < SHARDS_MAX && entries / (n * 2) >= SHARD_MIN_ENTRIES)
		n *= 2;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	c->shards = aligned_alloc(64, n * sizeof(*c->shards));
	if (c->shards == NULL) {
		free(c);
		return NULL;
	}
	memset(c->shards, 0, n * sizeof(*c->shards));
	for (i = 0; i < n; i++) {
		/* shares rounded down: the sums stay within the bounds */
		if (!shard_init(&c->shards[i], entries / n,
			cfg->max_bytes == 0	   ? 0 :
			    cfg->max_bytes / n > 0 ? cfg->max_bytes / n :
						     1)) {
			c->nshards = i;
			bmx_cache_free(c);
			return NULL;
		}
		c->nshards = i + 1;
	}
	return c;
}

/* The shard of a key: bits of the hash that pick no bucket. */
static struct shard *
shard_of(const struct bmx_cache *c, uint64_t h)
{
	return &c->shards[(h >> 40) & (c->nshards - 1)];
}

static void
lru_unlink(struct shard *c, struct entry *e)
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
lru_push(struct shard *c, struct entry *e)
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
set_answer(struct shard *c, struct entry *e, struct bmx_answer *a)
{
	c->st.bytes -= e->bytes;
	bmx_answer_unref(e->answer);
	e->answer = a;
	e->bytes = sizeof(*e) + strlen(e->name) + 1 +
	    (a != NULL ? bmx_answer_size(a) : 0);
	c->st.bytes += e->bytes;
}

static void
remove_entry(struct shard *c, struct entry *e)
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
find(struct shard *c, const char *name, uint16_t type, uint64_t h)
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
make_room(struct shard *c)
{
	struct entry *e;

	while (c->count >= c->max_entries) {
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
trim_bytes(struct shard *c)
{
	struct entry *e;

	while (c->max_bytes > 0 && c->st.bytes > c->max_bytes) {
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
fits(const struct shard *c, const struct entry *e, const struct bmx_answer *a)
{
	return c->max_bytes == 0 ||
	    sizeof(*e) + strlen(e->name) + 1 + bmx_answer_size(a) <=
	    c->max_bytes;
}

static void
serve(struct shard *c, struct entry *e, struct bmx_answer **answer)
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
	struct shard *sh = shard_of(c, h);
	struct bmx_cache_slot *f;
	struct entry *e;
	size_t len;

	*answer = NULL;
	*slot = NULL;
	pthread_mutex_lock(&sh->lock);
	e = find(sh, name, type, h);
	if (e != NULL && e->answer != NULL && now < e->expires) {
		sh->st.hits++;
		serve(sh, e, answer);
		pthread_mutex_unlock(&sh->lock);
		return BMX_CACHE_HIT;
	}
	/* a refresh failed a moment ago: do not ask again yet */
	if (e != NULL && e->answer != NULL && e->flight == NULL &&
	    now < e->recheck_at && now < e->stale_until) {
		sh->st.stale_served++;
		sh->st.stale_rechecks_suppressed++;
		serve(sh, e, answer);
		pthread_mutex_unlock(&sh->lock);
		return BMX_CACHE_HIT;
	}
	if (e != NULL && e->flight != NULL) {
		sh->st.joins++;
		e->flight->refs++;
		*slot = e->flight;
		pthread_mutex_unlock(&sh->lock);
		return BMX_CACHE_JOIN;
	}
	sh->st.misses++;
	if (e == NULL) {
		len = strlen(name);
		if (!make_room(sh) ||
		    (e = calloc(1, sizeof(*e) + len + 1)) == NULL) {
			pthread_mutex_unlock(&sh->lock);
			return BMX_CACHE_MISS;
		}
		memcpy(e->name, name, len + 1);
		e->hash = h;
		e->type = type;
		e->hnext = sh->buckets[h & (sh->nbuckets - 1)];
		sh->buckets[h & (sh->nbuckets - 1)] = e;
		lru_push(sh, e);
		sh->count++;
		set_answer(sh, e, NULL);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		if (e->answer == NULL)
			remove_entry(sh, e);
		pthread_mutex_unlock(&sh->lock);
		return BMX_CACHE_MISS;
	}
	f->refs = 1;
	f->entry = e;
	f->shard = sh;
	e->flight = f;
	sh->inflight++;
	*slot = f;
	pthread_mutex_unlock(&sh->lock);
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

/* Complete a slot; abandon: joiners get no failure of the owner's. */
static void
finish_slot(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use, bool abandon)
{
	long long now = now_ms(c);
	struct shard *sh;
	struct entry *e;
	uint32_t ttl;

	*use = answer;
	if (slot == NULL)
		return;
	sh = slot->shard;
	pthread_mutex_lock(&sh->lock);
	e = slot->entry;
	if (cacheable(answer) && !fits(sh, e, answer)) {
		/* used, never kept: not even the stale one it replaces */
		sh->st.too_big++;
		set_answer(sh, e, NULL);
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
		set_answer(sh, e, bmx_answer_ref(answer));
		/* a refreshed entry is a recently used one */
		lru_unlink(sh, e);
		lru_push(sh, e);
		e->expires = now + (long long)ttl * 1000;
		e->stale_until =
		    e->expires + (long long)c->cfg.stale_ttl * 1000;
		e->recheck_at = 0;
	} else if (e->answer != NULL && now < e->stale_until &&
	    (answer == NULL || answer->status == BMX_DNS_TEMPFAIL ||
		answer->status == BMX_DNS_MALFORMED)) {
		sh->st.stale_served++;
		e->recheck_at = now + (long long)c->cfg.stale_recheck * 1000;
		*use = bmx_answer_ref(e->answer);
		bmx_answer_unref(answer);
	} else if (e->answer != NULL && now >= e->stale_until) {
		/* past its stale window: never served again, let it go */
		set_answer(sh, e, NULL);
	}
	/* abandoned without a stale answer: joiners look up again */
	slot->result = *use != NULL && !(abandon && *use == answer) ?
	    bmx_answer_ref(*use) :
	    NULL;
	slot->done = true;
	slot->entry = NULL;
	e->flight = NULL;
	sh->inflight--;
	if (e->answer == NULL)
		remove_entry(sh, e);
	trim_bytes(sh);
	slot_release(slot);
	pthread_cond_broadcast(&sh->done);
	pthread_mutex_unlock(&sh->lock);
}

void
bmx_cache_complete(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use)
{
	finish_slot(c, slot, answer, use, false);
}

void
bmx_cache_abandon(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use)
{
	finish_slot(c, slot, answer, use, true);
}

struct bmx_answer *
bmx_cache_wait(struct bmx_cache *c, struct bmx_cache_slot *slot,
    const struct timespec *deadline)
{
	struct shard *sh = slot->shard;
	struct bmx_answer *a = NULL;

	(void)c;
	pthread_mutex_lock(&sh->lock);
	while (!slot->done) {
		if (pthread_cond_timedwait(&sh->done, &sh->lock, deadline) !=
			0 &&
		    !slot->done)
			break;
	}
	if (slot->done && slot->result != NULL)
		a = bmx_answer_ref(slot->result);
	slot_release(slot);
	pthread_mutex_unlock(&sh->lock);
	return a;
}

void
bmx_cache_get_stats(struct bmx_cache *c, struct bmx_cache_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	/* every shard locked at once (in order): one instant */
	for (i = 0; i < c->nshards; i++)
		pthread_mutex_lock(&c->shards[i].lock);
	for (i = 0; i < c->nshards; i++) {
		const struct shard *sh = &c->shards[i];

		st->hits += sh->st.hits;
		st->misses += sh->st.misses;
		st->joins += sh->st.joins;
		st->evictions += sh->st.evictions;
		st->byte_evictions += sh->st.byte_evictions;
		st->stale_served += sh->st.stale_served;
		st->stale_rechecks_suppressed +=
		    sh->st.stale_rechecks_suppressed;
		st->too_big += sh->st.too_big;
		st->purged += sh->st.purged;
		st->bytes += sh->st.bytes;
		st->entries += sh->count;
		st->inflight += sh->inflight;
	}
	for (i = c->nshards; i-- > 0;)
		pthread_mutex_unlock(&c->shards[i].lock);
	st->max_entries = c->cfg.max_entries > 0 ? c->cfg.max_entries : 1;
	st->max_bytes = c->cfg.max_bytes;
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
purge_entry(struct shard *c, struct entry *e, struct purge_list *l)
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
	purge_add(&l, name);
	for (i = 0; i < l.n; i++)
		for (t = 0; t < sizeof(purge_types) / sizeof(purge_types[0]);
		     t++) {
			uint64_t h = hash_key(l.names[i], purge_types[t]);
			struct shard *sh = shard_of(c, h);

			pthread_mutex_lock(&sh->lock);
			e = find(sh, l.names[i], purge_types[t], h);
			if (e != NULL && e->answer != NULL) {
				purge_entry(sh, e, &l);
				dropped++;
			}
			pthread_mutex_unlock(&sh->lock);
		}
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return dropped;
}

/* One shard's part of a dump: copies of its entries, most recent first. */
struct dump_part {
	struct bmx_cache_info *v;
	size_t n, next;
};

static bool
dump_shard(struct shard *sh, size_t max, long long now, struct dump_part *part,
    size_t *total)
{
	size_t i, names = 0;
	const struct entry *e;
	char *p;

	pthread_mutex_lock(&sh->lock);
	*total += sh->count;
	for (e = sh->head; e != NULL && part->n < max; e = e->next, part->n++)
		names += strlen(e->name) + 1;
	part->v = malloc(part->n * sizeof(*part->v) + names + 1);
	if (part->v == NULL) {
		pthread_mutex_unlock(&sh->lock);
		return false;
	}
	p = (char *)(part->v + part->n);
	for (e = sh->head, i = 0; i < part->n; e = e->next, i++) {
		struct bmx_cache_info *v = &part->v[i];
		size_t len = strlen(e->name) + 1;

		memcpy(p, e->name, len);
		v->name = p;
		p += len;
		v->type = e->type;
		v->answered = e->answer != NULL;
		v->status =
		    e->answer != NULL ? e->answer->status : BMX_DNS_TEMPFAIL;
		v->records = e->answer != NULL ? e->answer->n : 0;
		v->ttl_ms = e->answer != NULL ? e->expires - now : 0;
		v->stale_ms = e->answer != NULL ? e->stale_until - now : 0;
		v->inflight = e->flight != NULL;
		v->bytes = e->bytes;
	}
	pthread_mutex_unlock(&sh->lock);
	return true;
}

bool
bmx_cache_dump(struct bmx_cache *c, size_t max,
    void (*fn)(const struct bmx_cache_info *e, void *arg), void *arg,
    size_t *total)
{
	struct dump_part *parts;
	long long now = now_ms(c);
	size_t i, shown = 0;
	bool ok = true, more = true;

	*total = 0;
	parts = calloc(c->nshards, sizeof(*parts));
	if (parts == NULL)
		return false;
	for (i = 0; i < c->nshards && ok; i++)
		ok = dump_shard(&c->shards[i], max, now, &parts[i], total);
	/* the shards in turn, each most recent first */
	while (ok && more && shown < max) {
		more = false;
		for (i = 0; i < c->nshards && shown < max; i++)
			if (parts[i].next < parts[i].n) {
				fn(&parts[i].v[parts[i].next++], arg);
				shown++;
				more = true;
			}
	}
	for (i = 0; i < c->nshards; i++)
		free(parts[i].v);
	free(parts);
	return ok;
}

void
bmx_cache_free(struct bmx_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nshards; i++) {
		struct shard *sh = &c->shards[i];

		while (sh->head != NULL)
			remove_entry(sh, sh->head);
		pthread_cond_destroy(&sh->done);
		pthread_mutex_destroy(&sh->lock);
		free(sh->buckets);
	}
	free(c->shards);
	free(c);
}
