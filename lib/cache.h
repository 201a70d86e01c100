/*
 * cache.h - the DNS answer cache shared by all threads
 *
 * Keyed by (name, type), it holds struct bmx_answer: positive answers
 * for their TTL, NXDOMAIN and NODATA for their negative TTL (RFC 2308),
 * both clamped to the configured bounds.  Failures (TEMPFAIL, MALFORMED)
 * are never cached.  An expired entry is kept for the stale window and,
 * when a fresh query fails, served instead of the failure (RFC 8767);
 * after such a failed refresh the stale answer is served without asking
 * again for stale_recheck seconds (RFC 8767's failure recheck timer), so
 * a dead nameserver is not asked once per recipient.
 *
 * Concurrent lookups of one name are joined: the first caller that misses
 * becomes the owner of an in-flight slot and must complete it; callers
 * that arrive meanwhile get BMX_CACHE_JOIN and wait for that result.  An
 * owner whose own deadline passed abandons the slot instead: its joiners
 * may have time left, and look the name up again.
 *
 *   switch (bmx_cache_lookup(c, name, type, &a, &slot)) {
 *   case BMX_CACHE_HIT:  use a; unref it
 *   case BMX_CACHE_MISS: query; bmx_cache_complete(c, slot, answer, &a)
 *   case BMX_CACHE_JOIN: a = bmx_cache_wait(c, slot, deadline)
 *   }
 *
 * Memory: at most max_entries entries (in-flight ones included) and at
 * most max_bytes bytes (struct bmx_cache_stats bytes: each entry's fixed
 * part, its name and bmx_answer_size() of its answer); the least
 * recently used entry is evicted to make room for either.  Entries whose
 * query is in flight are never evicted, so they may pass max_bytes by
 * their own size: at most max_entries * (the fixed part and a longest
 * name, about 350 bytes).  An answer that cannot fit its shard's share
 * of max_bytes on its own is used, not kept.  When every entry is in
 * flight, a miss gets no slot (slot NULL): the caller queries without
 * caching.
 *
 * Operations: bmx_cache_purge() drops what the cache knows of a domain
 * (its answers, those of its MX hosts and of CNAME targets);
 * bmx_cache_dump() lists entries, bounded, without holding the lock
 * while the caller's function runs; bmx_cache_get_stats() copies every
 * counter.
 *
 * Locking: the cache is split into shards by the hash of (name, type):
 * one shard below 1024 entries, then one per 512 entries or more, at
 * most 64.  Each shard has its own mutex (its table, LRU list and
 * counters) and its own condition variable for its joiners, so lookups
 * of different names seldom wait for each other; nothing blocks while a
 * mutex is held, and no thread holds two, but bmx_cache_get_stats(),
 * which takes them all in order.  The bounds are split evenly over the
 * shards, each evicting its own least recently used entries.  Answers
 * are immutable and reference counted, so they are used outside the
 * locks.
 *
 * Time: TTLs and the stale window are measured with bmx_now_ms()
 * (CLOCK_MONOTONIC), or with the clock given in the configuration (a
 * seam for tests, which move time on by hand).  Deadlines of
 * bmx_cache_wait() are always CLOCK_MONOTONIC times.
 *
 * Ownership: answers returned carry a reference for the caller.  A slot
 * from a MISS belongs to the caller until bmx_cache_complete() or
 * bmx_cache_abandon(); one from a JOIN until bmx_cache_wait().
 */
#ifndef BMX_CACHE_H
#define BMX_CACHE_H

#include <stdbool.h>
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
	/** Seconds a stale answer is served without asking again after a
	 * refresh failed (RFC 8767 failure recheck); 0: ask every time. */
	uint32_t stale_recheck;
	/** Bytes of entries kept (see Memory above); 0: no byte bound. */
	size_t max_bytes;
	/** The clock for TTLs: milliseconds on any scale that never goes
	 * back.  NULL (the default): bmx_now_ms().  Tests set it to move
	 * time on by hand.  It is called without the cache's lock held, by
	 * any thread that uses the cache, so it must be thread-safe. */
	long long (*clock)(void *clock_arg);
	void *clock_arg; /**< passed to clock */
};

/** Counters since the cache was made, and its present size. */
struct bmx_cache_stats {
	unsigned long hits;   /**< fresh answers served */
	unsigned long misses; /**< lookups that had to ask DNS */
	unsigned long joins;  /**< lookups that waited for another's query */
	/** Entries evicted for room: for max_entries (evictions) and for
	 * max_bytes (byte_evictions). */
	unsigned long evictions, byte_evictions;
	/** Stale answers served: after a failed refresh, and without
	 * asking DNS again within stale_recheck (those are counted in
	 * stale_rechecks_suppressed as well). */
	unsigned long stale_served, stale_rechecks_suppressed;
	/** Answers too big for max_bytes on their own: used, not kept. */
	unsigned long too_big;
	unsigned long purged; /**< entries dropped by bmx_cache_purge() */
	size_t entries;	      /**< entries now, in-flight ones included */
	size_t inflight;      /**< entries whose query is under way */
	size_t bytes;	      /**< bytes of the entries now */
	size_t max_entries, max_bytes; /**< the bounds (0: none) */
};

/** One entry as bmx_cache_dump() shows it. */
struct bmx_cache_info {
	const char *name;	    /**< valid during the call only */
	uint16_t type;		    /**< BMX_DNS_TYPE_* */
	bool answered;		    /**< false: in flight, no answer yet */
	enum bmx_dns_status status; /**< of the answer, when answered */
	size_t records;		    /**< MX records or addresses */
	/** Milliseconds of TTL left; negative: stale for that long. */
	long long ttl_ms;
	/** Milliseconds left to serve it stale (stale_ttl after ttl_ms). */
	long long stale_ms;
	bool inflight; /**< a query for it is under way */
	size_t bytes;  /**< what it counts against max_bytes */
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
 * Complete a MISS whose query ran out of the owner's time (the owner's
 * deadline passed, which says nothing of DNS): as bmx_cache_complete(),
 * a stale answer within its window is used and handed to the joiners;
 * without one the owner gets its failure, but the joiners get nothing
 * (bmx_cache_wait() returns NULL at once) so that each looks the name up
 * again within its own deadline instead of inheriting the owner's.
 * @param slot, answer, use as for bmx_cache_complete()
 */
void bmx_cache_abandon(struct bmx_cache *c, struct bmx_cache_slot *slot,
    struct bmx_answer *answer, struct bmx_answer **use);

/**
 * Wait for the owner of a JOIN slot.
 * @param deadline CLOCK_MONOTONIC time to give up at
 * @return the answer (a reference for the caller), or NULL when the
 *     deadline passed first or the owner gave up (bmx_cache_abandon():
 *     look the name up again while the deadline allows)
 */
struct bmx_answer *bmx_cache_wait(struct bmx_cache *c,
    struct bmx_cache_slot *slot, const struct timespec *deadline);

/** Copy the counters (all of them at one instant). */
void bmx_cache_get_stats(struct bmx_cache *c, struct bmx_cache_stats *st);

/**
 * Drop what the cache holds of a domain: its entries of every type the
 * resolver asks (MX, A, AAAA, CNAME), then those of the names its
 * cached answers lead to: the MX hosts of a cached MX answer and the
 * targets of cached CNAME chains, and so on from those (the CNAMEs of
 * an MX host's addresses).  An entry whose query is under way loses its
 * answer; the query's result is kept as usual.
 * @param domain a domain name as a user writes it (case, trailing dot
 *     and U-labels are normalised)
 * @return the number of entries dropped; 0 with a message in err when
 *     domain is not a valid name (err is "" otherwise)
 */
size_t bmx_cache_purge(
    struct bmx_cache *c, const char *domain, char *err, size_t errlen);

/**
 * Show at most max entries: the shards in turn, each most recently used
 * first (one shard: exactly most recently used first).  They are copied
 * under the shards' locks, which are released before fn is called; fn
 * may use the cache.
 * @param fn called once per entry, with arg
 * @param total receives the number of entries the cache held
 * @return false when out of memory (fn was not called)
 */
bool bmx_cache_dump(struct bmx_cache *c, size_t max,
    void (*fn)(const struct bmx_cache_info *e, void *arg), void *arg,
    size_t *total);

#endif
