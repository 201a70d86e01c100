/*
 * benchclock.h - the clock of the benchmarks: CLOCK_MONOTONIC in
 * nanoseconds, for intervals only (its zero is arbitrary)
 *
 * Thread safety: any thread.  Nothing fails: a clock_gettime() error
 * cannot happen with CLOCK_MONOTONIC on the systems we run on.
 */
#ifndef BENCHCLOCK_H
#define BENCHCLOCK_H

#include <stdint.h>
#include <time.h>

/** @return the monotonic clock, in nanoseconds. */
static inline uint64_t
benchclock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

#endif
