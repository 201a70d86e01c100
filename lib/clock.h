/*
 * clock.h - the monotonic clock every timed part of the library reads
 *
 * Deadlines (query, resolve, engine) and cache TTLs are measured in
 * milliseconds of CLOCK_MONOTONIC, which never goes back when the wall
 * clock is set.  One function, so that a test or a fuzz target can
 * define its own and no module needs another's header for the time.
 *
 * Thread safety: reentrant.
 */
#ifndef BMX_CLOCK_H
#define BMX_CLOCK_H

/** @return CLOCK_MONOTONIC now in milliseconds. */
long long bmx_now_ms(void);

#endif
