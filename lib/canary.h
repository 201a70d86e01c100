/*
 * canary.h - ask the resolver the resolver guard's canary names
 *
 * One round asks, at once and from a copy of the engine's nameservers
 * (so the engine's DNS counters count only recipients' lookups):
 *
 * - the private canary, when one is configured: a name of the
 *   operator's DNS whose A record is in private or loopback space; a
 *   resolver that filters private addresses answers it empty;
 * - the NXDOMAIN canary: a random single label under the root
 *   ("bogusmx-canary-" and 12 random letters), which no resolver can
 *   know; a resolver that rewrites NXDOMAIN gives an address for it.
 *
 * and hands the answers to the guard (guard.h).  No caching.
 *
 * Ownership: everything borrowed.  Thread safety: may run in any thread;
 * the guard is thread-safe.
 */
#ifndef BMX_CANARY_H
#define BMX_CANARY_H

#include <stdbool.h>

#include "guard.h"
#include "policy.h"
#include "query.h"

struct bmx_canary_settings {
	bool enabled;		  /**< fingerprints and canaries at all */
	const char *private_name; /**< normalised; "" or NULL: none */
	bool nxdomain;		  /**< ask a random name */
	unsigned interval_s;	  /**< between rounds (the milter's) */
};

/** The defaults: enabled, no private canary, NXDOMAIN canary, 300 s. */
void bmx_canary_defaults(struct bmx_canary_settings *s);

/**
 * Run one round of canaries and record the answers in the guard.
 * @param servers the engine's nameservers (only their addresses and
 *     timeouts are used)
 * @param p classifies the private canary's addresses (its tables)
 * @param timeout_ms the whole round
 */
void bmx_canary_run(struct bmx_guard *g,
    const struct bmx_query_servers *servers,
    const struct bmx_canary_settings *s, const struct bmx_policy *p,
    unsigned timeout_ms);

#endif
