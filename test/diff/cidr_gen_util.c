/*
 * cidr_gen_util.c - random numbers and addresses for cidr_gen
 *
 * The splitmix64 generator of the tests (test/common/testrand.h), so that
 * the output depends only on the seed, and address helpers built on
 * inet_pton(3) and inet_ntop(3), independent of lib/.  The generator's
 * state is one global: cidr_gen is a single-threaded program.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr_gen.h"
#include "testrand.h"

const char *const base_text[] = {
	"0.0.0.0/0",
	"10.0.0.0/8",
	"172.16.0.0/12",
	"192.168.0.0/16",
	"127.0.0.0/8",
	"192.0.2.0/24",
	"198.18.0.0/15",
	"224.0.0.0/4",
	"240.0.0.0/4",
	"255.255.255.0/24",
	"0.0.0.0/8",
	"::/0",
	"2001:db8::/32",
	"fe80::/10",
	"::ffff:0:0/96",
	"64:ff9b::/96",
	"ff00::/8",
	"::/96",
	"2002::/16",
	"ffff:ffff:ffff:ffff::/64",
	"2001:db8:0:0:8000::/65",
};

const size_t nbase_text = sizeof(base_text) / sizeof(base_text[0]);

uint64_t rng_state;

uint64_t
rnd(void)
{
	return testrand_next(&rng_state);
}

/* A number in 0 .. n-1. */
unsigned
below(unsigned n)
{
	return testrand_below(&rng_state, n);
}

/* True with probability pct percent. */
bool
chance(unsigned pct)
{
	return below(100) < pct;
}

unsigned
nbits(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

bool
parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	return inet_pton(a->family, s, a->b) == 1;
}

const char *
fmt_addr(const struct addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->b, buf, (socklen_t)len) == NULL) {
		perror("cidr_gen: inet_ntop");
		exit(2);
	}
	return buf;
}

/* Keep the first plen bits, set the others to one (or zero). */
void
fill_host(struct addr *a, unsigned plen, bool ones)
{
	unsigned i;

	for (i = plen; i < nbits(a); i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (ones)
			a->b[i / 8] |= bit;
		else
			a->b[i / 8] &= (uint8_t)~bit;
	}
}

/* Set the bits from plen on to random values. */
void
random_host(struct addr *a, unsigned plen)
{
	unsigned i;

	for (i = plen; i < nbits(a); i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (rnd() & 1)
			a->b[i / 8] |= bit;
		else
			a->b[i / 8] &= (uint8_t)~bit;
	}
}

/* Add one (step 1) or subtract one (step -1); false on wrap-around. */
bool
step(struct addr *a, int dir)
{
	int i;

	for (i = (int)nbits(a) / 8 - 1; i >= 0; i--) {
		if (dir > 0 && a->b[i]++ != 0xff)
			return true;
		if (dir < 0 && a->b[i]-- != 0x00)
			return true;
	}
	return false;
}

bool
parse_prefix(const char *s, struct prefix *p)
{
	char buf[128];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!parse_addr(buf, &p->a))
		return false;
	p->plen = slash != NULL ? (unsigned)atoi(slash + 1) : nbits(&p->a);
	return p->plen <= nbits(&p->a);
}

/* Spell an address: canonical, upper case, or with all leading zeros. */
void
spell_addr(const struct addr *a, char *buf, size_t len)
{
	char *c;
	int i, n;

	fmt_addr(a, buf, len);
	if (a->family != AF_INET6)
		return;
	if (chance(5)) {
		for (c = buf; *c != '\0'; c++)
			*c = (char)toupper((unsigned char)*c);
	} else if (chance(5)) {
		for (i = 0, n = 0; i < 16; i += 2)
			n += snprintf(buf + n, len - (size_t)n, "%s%02x%02x",
			    i ? ":" : "", a->b[i], a->b[i + 1]);
	}
}
