/*
 * guard.h - the resolver guard: can the resolver's "no address" be
 * believed?
 *
 * Some recursive resolvers remove records from the answers they pass on
 * (Unbound private-address, dnsmasq --stop-dns-rebind), answer for names
 * they block, or rewrite NXDOMAIN into an address of their own.  Through
 * them a bogus MX host can look clean.  The guard keeps what is known of
 * the resolver, from two sources:
 *
 * - canaries: names with a known answer, asked now and then
 *   (canary.h runs them).  The private canary has an A record in private
 *   space: an answer without it, empty and without SOA, means the
 *   resolver filters private addresses.  The NXDOMAIN canary is a random
 *   name that cannot exist: an address for it means the resolver
 *   rewrites NXDOMAIN (its addresses are kept), and its NXDOMAIN shows
 *   whether the resolver's negative answers carry an SOA;
 * - fingerprints in ordinary answers: a negative answer with an SOA
 *   shows that real negative answers carry one.  From then on an empty
 *   answer without SOA is one the resolver made by removing records.
 *
 * bmx_guard_filters() says whether the private canary proved that the
 * resolver filters: then nothing it says can be believed whole, and
 * every recipient not refused on what is visible is deferred.
 * bmx_guard_distrust_empty() says whether an empty answer without SOA
 * must be taken as "records removed" (the recipient is then deferred,
 * never accepted and never refused for good): always when the private
 * canary came back filtered; never when it came back with its address
 * (a resolver that shows private addresses removes nothing); otherwise
 * as soon as a negative answer with SOA has been seen.  A plain caching
 * resolver (whose negative answers carry their SOA, and which never
 * sends one without) costs nothing.
 *
 * Pure: no I/O, no logging.  Thread safety: every function may be called
 * from any thread at once; counters are atomics, the rest is under a
 * lock.  Ownership: the guard is the caller's (bmx_guard_free()).
 */
#ifndef BMX_GUARD_H
#define BMX_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "dnsmsg.h"
#include "ip.h"

/** NXDOMAIN-rewrite addresses remembered. */
#define BMX_GUARD_REWRITE_MAX 4

enum bmx_canary_result {
	BMX_CANARY_UNKNOWN, /**< not asked, no answer, or a useless one */
	BMX_CANARY_PASS,    /**< the known answer came back */
	BMX_CANARY_FAIL,    /**< filtered (private) or rewritten (NXDOMAIN) */
};

/** A snapshot of the guard, for logs, bogusmx-check and metrics. */
struct bmx_guard_status {
	enum bmx_canary_result private_canary;
	enum bmx_canary_result nxdomain_canary;
	/** A negative answer with SOA has been seen. */
	bool negatives_have_soa;
	/** Empty answers without SOA are taken as records removed. */
	bool distrust_empty;
	/** Addresses the resolver gave for a name that cannot exist. */
	struct bmx_ip rewrite[BMX_GUARD_REWRITE_MAX];
	size_t nrewrite;
	unsigned long canary_runs; /**< canary rounds finished */
	unsigned long empty_nosoa; /**< empty answers without SOA seen */
	unsigned long untrusted;   /**< resolutions found untrusted */
	unsigned long deferrals;   /**< recipients deferred for that */
	/** Recipients with a host whose only address was 0.0.0.0 or ::,
	 * what resolvers that block a name answer (policy.h). */
	unsigned long unspecified;
	unsigned long changes;	  /**< times the findings changed */
	char private_name[256];	  /**< the private canary asked, or "" */
	char private_detail[160]; /**< what it came back as */
};

struct bmx_guard;

/** @return a new guard that knows nothing yet, or NULL (no memory) */
struct bmx_guard *bmx_guard_new(void);

/** Free a guard nothing uses any more.  NULL is a no-op. */
void bmx_guard_free(struct bmx_guard *g);

/**
 * Record the answer to the private canary (type A).
 * @param name the canary name asked
 * @param a the answer (borrowed); NULL counts as no answer
 * @param private_at index in a->addrs of an address in private,
 *     loopback or other reserved space (the caller classifies), or -1
 *     when none is
 */
void bmx_guard_private_answer(struct bmx_guard *g, const char *name,
    const struct bmx_answer *a, int private_at);

/** Record the answer to the NXDOMAIN canary (type A).  NULL: none. */
void bmx_guard_nxdomain_answer(struct bmx_guard *g, const struct bmx_answer *a);

/** A round of canaries is complete (counted). */
void bmx_guard_round_done(struct bmx_guard *g);

/** Learn from an ordinary answer (borrowed; NULL ignored). */
void bmx_guard_note(struct bmx_guard *g, const struct bmx_answer *a);

/**
 * @return whether the resolver is known to remove private addresses
 * (the private canary came back filtered).  Then no answer can be
 * believed whole: Unbound's private-address takes one address out of a
 * round robin and leaves the others, which look clean.
 */
bool bmx_guard_filters(const struct bmx_guard *g);

/** @return whether an empty answer without SOA means records removed. */
bool bmx_guard_distrust_empty(const struct bmx_guard *g);

/** @return whether ip is one the resolver gives for names that do not
 * exist. */
bool bmx_guard_rewritten(const struct bmx_guard *g, const struct bmx_ip *ip);

/** Count a resolution found untrusted, a recipient with a host that had
 * only the unspecified address, and a recipient deferred for either. */
void bmx_guard_count_untrusted(struct bmx_guard *g);
void bmx_guard_count_unspecified(struct bmx_guard *g);
void bmx_guard_count_deferral(struct bmx_guard *g);

/**
 * The guard state as a struct: what the metrics endpoint exports.
 * @param out filled completely
 */
void bmx_guard_get_status(
    const struct bmx_guard *g, struct bmx_guard_status *out);

/**
 * The findings in plain words, naming the resolver and the fix, one
 * sentence per finding; "" when there is nothing to say.
 * @param s a status from bmx_guard_get_status()
 * @param resolver the resolver's address for the text ("127.0.0.1")
 */
void bmx_guard_describe(const struct bmx_guard_status *s, const char *resolver,
    char *buf, size_t len);

/** @return "unknown", "pass" or "fail" */
const char *bmx_canary_result_name(enum bmx_canary_result r);

#endif
