/*
 * cache.h - the DNS answer cache shared by all threads
 *
 * Keyed by (name, type), it holds struct bmx_answer: positive answers
 * for their TTL, NXDOMAIN and NODATA for their negative TTL (RFC 2308),
 * both clamped to the configured bounds.  Failures (TEMPFAIL, MALFORMED)
 * are never cached.  An expired entry is kept for the stale window and,
 * when a fresh query fails, served instead of the failure (RFC 8767).
 *
 * Concurrent lookups of one name are joined: the first caller that misses
 * becomes the owner of an in-flight slot and must complete it; callers
 * that arrive meanwhile get BMX_CACHE_JOIN and wait for that result.
 *
 *   switch (bmx_cache_lookup(c, name, type, &a, &slot)) {
 *   case BMX_CACHE_HIT:  use a; unref it
 *   case BMX_CACHE_MISS: query; bmx_cache_complete(c, slot, answer, &a)
 *   case BMX_CACHE_JOIN: a = bmx_cache_wait(c, slot, deadline)
 *   }
 *
 * Memory: at most max_entries entries (in-flight ones included); the
 * least recently used entry is evicted to make room.  Every answer is
 * bounded in size by the resolver's limits, so memory is bounded by the
 * configuration, whatever the traffic.  When every entry is in flight,
 * a miss gets no slot (slot NULL): the caller queries without caching.
 *
 * Locking: one mutex guards the whole cache (table, LRU list, counters)
 * and one condition variable wakes the joiners; nothing blocks while the
 * mutex is held.  Answers are immutable and reference counted, so they
 * are used outside the lock.
 *
 * Time: TTLs and the stale window are measured with bmx_now_ms()
 * (CLOCK_MONOTONIC), or with the clock given in the configuration (a
 * seam for tests, which move time on by hand).  Deadlines of
 * bmx_cache_wait() are always CLOCK_MONOTONIC times.
 *
 * Ownership: answers returned carry a reference for the caller.  A slot
 * from a MISS belongs to the caller until bmx_cache_complete(); one from
 * a JOIN until bmx_cache_wait().
 */
#ifndef BMX_CACHE_H
#define BMX_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsmsg.h"

struct bmx_cache_config {
	size_t max_entries;   /**< entries kept, at least 1 */
	uint32_t min_ttl;     /**< seconds, positive and negative */
	uint32_t max_ttl;     /**< seconds, positive answers */
	uint32_t max_neg_ttl; /**< seconds, NXDOMAIN and NODATA */
	uint32_t stale_ttl;   /**< seconds an expired answer may be served */
	/** The clock for TTLs: milliseconds on any scale that never goes
	 * back.  NULL (the default): bmx_now_ms().  Tests set it to move
	 * time on by hand.  It is called without the cache's lock held, by
	 * any thread that uses the cache, so it must be thread-safe. */
	long long (*clock)(void *clock_arg);
	void *clock_arg; /**< passed to clock */
};

struct bmx_cache_stats {
	unsigned long hits, misses, joins, evictions, stale_served;
	size_t entries, bytes;
};

enum bmx_cache_result {
	BMX_CACHE_HIT,	/**< *answer is fresh */
	BMX_CACHE_MISS, /**< query it, then bmx_cache_complete(*slot) */
	BMX_CACHE_JOIN, /**< another thread queries it: bmx_cache_wait() */
};

struct bmx_cache;
struct bmx_cache_slot;

/**
 * @return a new cache, or NULL when out of memory
 */
struct bmx_cache *bmx_cache_new(const struct bmx_cache_config *cfg);

/** Free the cache; no thread may use it any more.  NULL is a no-op. */
void bmx_cache_free(struct bmx_cache *c);

/**
 * Look a name up.
 * @param name normalised name; type BMX_DNS_TYPE_*
 * @param answer on HIT, the answer (a reference for the caller)
 * @param slot on MISS or JOIN, the in-flight slot (NULL on a MISS when
 *     no slot could be had: query without caching)
 */
enum bmx_cache_result bmx_cache_lookup(struct bmx_cache *c, const char *name,
    uint16_t type, struct bmx_answer **answer, struct bmx_cache_slot **slot);

/**
 * Complete a MISS: store the answer when it may be cached, wake the
 * joiners.  When the answer is a failure and a stale answer is within
 * its window, the stale one is used instead.
 * @param slot from the MISS (NULL allowed: then only *use is set)
 * @param answer the query's answer; the cache takes this reference
 * @param use receives the answer to use (a reference for the caller)
 */
void bmx_cache_complete(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use);

/**
 * Wait for the owner of a JOIN slot.
 * @param deadline CLOCK_MONOTONIC time to give up at
 * @return the answer (a reference for the caller), or NULL when the
 *     deadline passed first
 */
struct bmx_answer *bmx_cache_wait(struct bmx_cache *c,
    struct bmx_cache_slot *slot, const struct timespec *deadline);

/** Copy the counters. */
void bmx_cache_get_stats(struct bmx_cache *c, struct bmx_cache_stats *st);

#endif
