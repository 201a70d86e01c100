/*
 * testrand.h - the pseudo-random numbers of the tests and benchmarks:
 * splitmix64, small, fast and good enough for test data
 *
 * The sequence depends only on the seed, on every platform, so that a
 * table, a set of queries or a run of recipients made from a seed can be
 * made again.  Never for anything that must be unpredictable.
 *
 * Ownership and thread safety: the state is the caller's uint64_t, set to
 * the seed and advanced by every call; one state per thread.  Any value,
 * zero too, is a valid seed.  Nothing is allocated; nothing fails.
 */
#ifndef TESTRAND_H
#define TESTRAND_H

#include <stdint.h>

/**
 * The next number of the sequence.
 * @param state the generator's state, advanced
 * @return 64 random bits
 */
static inline uint64_t
testrand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * A number below n (by remainder: slightly uneven, which test data allows).
 * @param state the generator's state, advanced by one number
 * @param n at least 1
 * @return 0 .. n-1
 */
static inline unsigned
testrand_below(uint64_t *state, unsigned n)
{
	return (unsigned)(testrand_next(state) % n);
}

#endif
