/*
 * state.h - the configuration and engine in force, swapped on reload
 *
 * A state is one loaded configuration with the engine built from it.  A
 * callback takes a reference for the time of one decision
 * (bmx_state_get/bmx_state_put); a reload builds a complete new state
 * and swaps it in under a lock, so a callback sees either the old or the
 * new configuration, never a mix.  The old state is freed when its last
 * user puts it back.
 *
 * The DNS cache belongs to the daemon, not to a state: made from the
 * first configuration's cache settings, it survives reloads (the
 * engines borrow it; a reload's cache settings wait for the next start,
 * and a daemon started without a cache has none until then), and is
 * freed by bmx_state_shutdown() after every state is gone.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef BMX_STATE_H
#define BMX_STATE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "engine.h"

struct bmx_state {
	struct bmx_config *cfg;
	struct bmx_engine *engine;
	unsigned generation; /**< 1 at start, +1 per reload */
	time_t loaded;	     /**< when it was built */
	int refs;	     /**< guarded by the state lock */
};

/**
 * Build a state from a loaded config (which it takes over).  The first
 * call also makes the daemon's cache from the config's cache settings.
 * @return the state (with one reference for the caller), or NULL with a
 *     message in err; the config is freed then
 */
struct bmx_state *bmx_state_build(
    struct bmx_config *cfg, char *err, size_t errlen);

/** Make st the state in force (takes the caller's reference). */
void bmx_state_install(struct bmx_state *st);

/** @return the state in force, with a reference; NULL before install */
struct bmx_state *bmx_state_get(void);

/** Give a reference back.  NULL is a no-op. */
void bmx_state_put(struct bmx_state *st);

/**
 * At exit: drop the state in force, wait up to wait_ms for decisions in
 * flight to put theirs back, then free the cache.
 * @return true when everything was freed in time
 */
bool bmx_state_shutdown(unsigned wait_ms);

/** The daemon's cache (for statistics), or NULL. */
struct bmx_cache *bmx_state_cache(void);

/**
 * The counters, one line for the log: the cache's (entries, hits,
 * evictions, ...) and the DNS queries' of the state in force (sent,
 * timeouts, queries in flight and the most seen at once, ...).
 */
void bmx_state_stats(char *buf, size_t len);

#endif
