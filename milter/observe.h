/*
 * observe.h - what the running milter counts: metrics and the migration
 * report, fed by the callbacks and the reloader, read by the metrics
 * endpoint and the control socket
 *
 * The counters live as long as the process (a reload keeps them).
 * bmx_observe_init() makes them once, before any thread; every other
 * function may then be called from any thread (lib/metrics.h and
 * lib/report.h lock).  Before init, the feeding functions do nothing.
 */
#ifndef BMX_OBSERVE_H
#define BMX_OBSERVE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "engine.h"
#include "metrics.h"
#include "report.h"

/**
 * Make the counters and the report (report-domains slots).
 * @return false when out of memory
 */
bool bmx_observe_init(const struct bmx_config *c);

/** Free them, once no thread uses them. */
void bmx_observe_free(void);

/** Count a decision (after bmx_engine_decide*). */
void bmx_observe_decision(
    const struct bmx_config *c, const struct bmx_result *r);

/** Count a recipient or sender not checked. */
void bmx_observe_skip(enum bmx_skip why);

/** Count a reload. */
void bmx_observe_reload(bool ok);

/** @return the counters (NULL before init) */
struct bmx_metrics *bmx_observe_metrics(void);

/** @return the migration report (NULL before init) */
struct bmx_report *bmx_observe_report(void);

/**
 * Copy what the cache, the DNS queries and the state in force count.
 * @param x filled; its strings are static
 */
void bmx_observe_extra(struct bmx_metrics_extra *x);

#endif
