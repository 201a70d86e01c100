/*
 * guardrun.h - the milter's resolver guard: one guard for the daemon,
 * and a thread that runs its canaries
 *
 * The guard (lib/guard.h) belongs to the daemon, not to a configuration
 * state: what it learnt of the resolver survives reloads.  The thread
 * runs a round of canaries (lib/canary.h) at start, after every reload
 * (bmx_guardrun_kick) and every resolver-guard interval, with the
 * nameservers and settings of the state in force, and logs the findings
 * in plain words whenever they change (warning) or clear (info).  It
 * looks for changes learnt from ordinary answers every few seconds too.
 * It never stops the daemon: without the guard, bogusmx decides as
 * before.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef BMX_GUARDRUN_H
#define BMX_GUARDRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "guard.h"

/** @return the daemon's guard (made on first use), or NULL (no memory) */
struct bmx_guard *bmx_guardrun_guard(void);

/** Start the thread.  @return false when it could not be started */
bool bmx_guardrun_start(void);

/** Run a round of canaries soon (after a reload). */
void bmx_guardrun_kick(void);

/**
 * The guard's counters for the SIGUSR2 line: "guard distrust=no
 * private=pass nxdomain=pass empty-nosoa=N untrusted=N deferrals=N
 * canary-runs=N".
 */
void bmx_guardrun_stats(char *buf, size_t len);

#endif
