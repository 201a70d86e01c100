/*
 * state.c - reference-counted configuration + engine, swapped on reload
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guardrun.h"
#include "state.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gone = PTHREAD_COND_INITIALIZER;
static struct bmx_state *current;
static struct bmx_cache *cache;
static unsigned generation;
static unsigned live; /* states not yet freed */

struct bmx_state *
bmx_state_build(struct bmx_config *cfg, char *err, size_t errlen)
{
	struct bmx_engine_settings s = cfg->engine;
	struct bmx_state *st;

	pthread_mutex_lock(&lock);
	/* The cache is made once, from the first configuration: its
	 * settings take effect at the next start (a reload says so).  No
	 * cache at start means none until then: an engine never makes a
	 * cache of its own. */
	if (generation == 0 && cache == NULL &&
	    cfg->engine.cache.max_entries > 0)
		cache = bmx_cache_new(&cfg->engine.cache);
	s.shared_cache = cache;
	if (cache == NULL)
		s.cache.max_entries = 0;
	pthread_mutex_unlock(&lock);
	s.guard = cfg->guard.enabled ? bmx_guardrun_guard() : NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		bmx_config_free(cfg);
		return NULL;
	}
	st->cfg = cfg;
	st->engine = bmx_engine_new(&s, err, errlen);
	if (st->engine == NULL) {
		bmx_config_free(cfg);
		free(st);
		return NULL;
	}
	st->refs = 1;
	st->loaded = time(NULL);
	pthread_mutex_lock(&lock);
	st->generation = ++generation;
	live++;
	pthread_mutex_unlock(&lock);
	return st;
}

static void
destroy(struct bmx_state *st)
{
	bmx_engine_free(st->engine);
	bmx_config_free(st->cfg);
	free(st);
}

/* Drop one reference; the lock is held. @return st to free, or NULL */
static struct bmx_state *
unref_locked(struct bmx_state *st)
{
	if (st == NULL || --st->refs > 0)
		return NULL;
	live--;
	pthread_cond_broadcast(&gone);
	return st;
}

void
bmx_state_install(struct bmx_state *st)
{
	struct bmx_state *old;

	pthread_mutex_lock(&lock);
	old = unref_locked(current);
	current = st;
	pthread_mutex_unlock(&lock);
	if (old != NULL)
		destroy(old);
}

struct bmx_state *
bmx_state_get(void)
{
	struct bmx_state *st;

	pthread_mutex_lock(&lock);
	st = current;
	if (st != NULL)
		st->refs++;
	pthread_mutex_unlock(&lock);
	return st;
}

void
bmx_state_put(struct bmx_state *st)
{
	pthread_mutex_lock(&lock);
	st = unref_locked(st);
	pthread_mutex_unlock(&lock);
	if (st != NULL)
		destroy(st);
}

bool
bmx_state_shutdown(unsigned wait_ms)
{
	struct timespec until;
	struct bmx_state *old;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	old = unref_locked(current);
	current = NULL;
	pthread_mutex_unlock(&lock);
	if (old != NULL)
		destroy(old);
	pthread_mutex_lock(&lock);
	while (live > 0)
		if (pthread_cond_timedwait(&gone, &lock, &until) == ETIMEDOUT)
			break;
	done = live == 0;
	if (done) {
		bmx_cache_free(cache);
		cache = NULL;
	}
	pthread_mutex_unlock(&lock);
	return done;
}

struct bmx_cache *
bmx_state_cache(void)
{
	return cache;
}

void
bmx_state_stats(char *buf, size_t len)
{
	struct bmx_cache_stats cs;
	struct bmx_state *st;
	const struct bmx_query_servers *s;
	int n = 0;

	buf[0] = '\0';
	if (cache != NULL) {
		bmx_cache_get_stats(cache, &cs);
		n = snprintf(buf, len,
		    "cache entries=%zu bytes=%zu max-bytes=%zu hits=%lu "
		    "misses=%lu joins=%lu evictions=%lu byte_evictions=%lu "
		    "stale=%lu stale_rechecks_suppressed=%lu",
		    cs.entries, cs.bytes, cs.max_bytes, cs.hits, cs.misses,
		    cs.joins, cs.evictions, cs.byte_evictions, cs.stale_served,
		    cs.stale_rechecks_suppressed);
	} else
		n = snprintf(buf, len, "cache off");
	if (n < 0 || (size_t)n >= len)
		return;
	st = bmx_state_get();
	if (st == NULL)
		return;
	s = bmx_engine_servers(st->engine);
	snprintf(buf + n, len - (size_t)n,
	    "; dns sent=%lu timeouts=%lu dropped=%lu tcp=%lu "
	    "inflight=%u inflight_max=%u max-queries=%u queued=%lu "
	    "starved=%lu (configuration %u)",
	    atomic_load(&s->sent), atomic_load(&s->timeouts),
	    atomic_load(&s->dropped), atomic_load(&s->tcp),
	    atomic_load(&s->inflight), atomic_load(&s->inflight_max),
	    s->max_inflight, atomic_load(&s->queued), atomic_load(&s->starved),
	    st->generation);
	bmx_state_put(st);
}
