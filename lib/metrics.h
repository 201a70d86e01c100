/*
 * metrics.h - the daemon's counters, written in the Prometheus text
 * exposition format (version 0.0.4)
 *
 * The milter counts here what happens to every recipient: decisions by
 * outcome and class, the action taken, recipients not checked and why,
 * the time each decision took (a histogram), reloads.  Cache and DNS
 * counters, and the resolver guard's state, are not kept here: their
 * modules keep them, and the caller hands a copy to bmx_metrics_write()
 * (struct bmx_metrics_extra).
 *
 * Labels take values from fixed sets only, never a domain or an
 * address: outcome and action are enums; a class is a name from the
 * built-in registry or the configured tables, of which the first
 * BMX_METRICS_CLASSES seen are labelled and later ones counted as
 * class="other".  Names follow Prometheus' conventions: counters end in
 * _total, times are in seconds (_seconds), sizes in bytes (_bytes).
 *
 * Thread safety: every function may be called from any thread (one
 * mutex per struct).  Counters only go up, until the struct is freed.
 */
#ifndef BMX_METRICS_H
#define BMX_METRICS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "cache.h"
#include "guard.h"
#include "policy.h"
#include "reply.h"

/** Distinct class labels; more are counted as "other". */
#define BMX_METRICS_CLASSES 32

/** What was done with a recipient. */
enum bmx_metrics_action {
	BMX_METRICS_ACCEPT,   /**< accepted, and judged acceptable */
	BMX_METRICS_REJECT,   /**< refused with 5xx */
	BMX_METRICS_TEMPFAIL, /**< refused with 4xx */
	BMX_METRICS_TAG,      /**< would be refused: a header added */
	BMX_METRICS_LOG,      /**< would be refused: logged only */
	BMX_METRICS_ACTION_COUNT
};

/** Why a recipient (or sender) was not checked. */
enum bmx_skip {
	BMX_SKIP_EXEMPT_CLIENT, /**< exempt-clients */
	BMX_SKIP_AUTHENTICATED, /**< exempt-authenticated */
	BMX_SKIP_MAILER,	/**< skip-mailers */
	BMX_SKIP_NEXT_HOP,	/**< a next hop in exempt-next-hops */
	BMX_SKIP_COUNT,
	BMX_SKIP_NONE = BMX_SKIP_COUNT /**< checked */
};

/** The DNS counters of struct bmx_query_servers, copied. */
struct bmx_metrics_dns {
	unsigned long sent, timeouts, dropped, tcp, queued, starved;
	unsigned inflight, inflight_max, max_inflight;
};

/** What other modules count, copied by the caller for one write. */
struct bmx_metrics_extra {
	bool has_cache; /**< cache below is filled */
	struct bmx_cache_stats cache;
	bool has_dns; /**< dns below is filled */
	struct bmx_metrics_dns dns;
	bool has_guard; /**< the resolver guard is on: guard is filled */
	struct bmx_guard_status guard;
	time_t start;	     /**< of the process */
	time_t loaded;	     /**< of the configuration in force */
	unsigned generation; /**< of the configuration in force */
	const char *version; /**< build info */
	const char *registry_date;
};

struct bmx_metrics;

/** @return a new set of counters at zero, or NULL (out of memory) */
struct bmx_metrics *bmx_metrics_new(void);

/** NULL is a no-op. */
void bmx_metrics_free(struct bmx_metrics *m);

/**
 * Count one decision.
 * @param outcome the policy's outcome
 * @param class_name the class that decided ("" or NULL: none)
 * @param action what was done
 * @param elapsed_ms how long it took
 */
void bmx_metrics_decision(struct bmx_metrics *m, enum bmx_outcome outcome,
    const char *class_name, enum bmx_metrics_action action,
    long long elapsed_ms);

/** Count a recipient or sender not checked. */
void bmx_metrics_skip(struct bmx_metrics *m, enum bmx_skip why);

/** Count a reload (ok: the new configuration is in force). */
void bmx_metrics_reload(struct bmx_metrics *m, bool ok);

/** @return the log's words for why ("exempt client", ...) */
const char *bmx_skip_text(enum bmx_skip why);

/** @return an action's label ("reject", ...) */
const char *bmx_metrics_action_name(enum bmx_metrics_action a);

/**
 * Write every metric, ours and extra's.
 * @return 0, or -1 when the stream failed
 */
int bmx_metrics_write(
    struct bmx_metrics *m, const struct bmx_metrics_extra *extra, FILE *f);

#endif
