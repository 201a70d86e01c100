/*
 * cidr_gen.h - the parts of cidr_gen shared between its files
 *
 * cidr_gen_util.c: a seeded random number generator and address helpers;
 * cidr_gen.c: random tables (gen_table) and main; cidr_gen_keys.c: lookup
 * keys for tables (gen_keys).  Everything writes to stdout and exits with
 * status 2 on an error it cannot go on from.  Not thread-safe: the random
 * state is one global.
 */
#ifndef CIDR_GEN_H
#define CIDR_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** An IPv4 or IPv6 address in network byte order. */
struct addr {
	int family; /**< AF_INET or AF_INET6 */
	uint8_t b[16];
};

/** A prefix; the bits after plen may or may not be zero. */
struct prefix {
	struct addr a;
	unsigned plen;
};

/** The state of the random number generator; set it to the seed. */
extern uint64_t rng_state;

/** Networks that random prefixes cluster around ("10.0.0.0/8", ...). */
extern const char *const base_text[];
/** The number of entries of base_text. */
extern const size_t nbase_text;

/** @return the next random number (splitmix64) */
uint64_t rnd(void);

/** @return a random number in 0 .. n-1; n must not be 0 */
unsigned below(unsigned n);

/** @return true with a probability of pct percent */
bool chance(unsigned pct);

/** @return 32 or 128, the bits of the address's family */
unsigned nbits(const struct addr *a);

/**
 * Parse an address with inet_pton(3), the family chosen by a ':'.
 * @return true on success
 */
bool parse_addr(const char *s, struct addr *a);

/**
 * Parse "address/length" or "address" (a host prefix).
 * @return true on success
 */
bool parse_prefix(const char *s, struct prefix *p);

/**
 * Print an address in the canonical form of inet_ntop(3).
 * @param buf at least INET6_ADDRSTRLEN bytes
 * @return buf
 */
const char *fmt_addr(const struct addr *a, char *buf, size_t len);

/**
 * Print an address, mostly in canonical form, IPv6 now and then in upper
 * case or with every leading zero.
 * @param buf at least INET6_ADDRSTRLEN bytes
 */
void spell_addr(const struct addr *a, char *buf, size_t len);

/** Set every bit after the first plen to one (ones) or to zero. */
void fill_host(struct addr *a, unsigned plen, bool ones);

/** Set every bit after the first plen to a random value. */
void random_host(struct addr *a, unsigned plen);

/**
 * Add one (dir 1) or subtract one (dir -1).
 * @return false when the address wrapped around
 */
bool step(struct addr *a, int dir);

/** Write a random table of nrules rules (0: 300 to 599) to stdout. */
void gen_table(unsigned nrules);

/** Write lookup keys for the prefixes in the named table files. */
void gen_keys(int nfiles, char **files);

#endif
