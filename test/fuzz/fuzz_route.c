/*
 * fuzz_route.c - libFuzzer target: the routing forms of a recipient
 * (lib/route: percent hack, bang path, user@dom@local, quoted local
 * part, source route)
 *
 * Input: flags (1 byte), then the text (up to a NUL).  flags bit 0: the
 * text is a source route for bmx_route_source() (a ':' is added when it
 * does not end in one), else a local part for bmx_route_local(); bits
 * 1-2: routes already in the struct (0 to 3), which must come out as
 * they went in; bits 3-7: the size of the error buffer (0 to 31, 256
 * when 31).
 *
 * Checks, beyond the sanitizers: the routes keep their bound; every
 * domain returned is a normalised domain (the one of fuzz_addr) and, for
 * a text of ASCII without backslashes, one written in the input (case
 * and double quotes aside), a literal is an IPv4 or IPv6 address with no
 * domain; an error comes with a message that fits its buffer; the same text
 * gives the same routes again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "route.h"

#include "fuzz_common.h"

static enum bmx_addr_status
run(bool source, const char *s, size_t n, size_t pre, struct bmx_addr *a,
    char *err, size_t errlen)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < pre; i++) {
		a->routes[i].form = BMX_ROUTE_PERCENT;
		snprintf(a->routes[i].domain, sizeof(a->routes[i].domain),
		    "pre%zu.example", i);
	}
	a->nroutes = pre;
	return source ? bmx_route_source(s, n, a, err, errlen) :
			bmx_route_local(s, n, a, err, errlen);
}

/* Whether d is written in s, case and double quotes aside (a quoted
 * local part is read dequoted). */
static bool
written_in(const char *d, const char *s)
{
	char *bare = malloc(strlen(s) + 1), *p = bare;
	bool found = false;

	FUZZ_CHECK(bare != NULL);
	for (; *s != '\0'; s++)
		if (*s != '"')
			*p++ = *s;
	*p = '\0';
	for (p = bare; *p != '\0' && !found; p++)
		found = strncasecmp(p, d, strlen(d)) == 0;
	free(bare);
	return found;
}

static bool
plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\\')
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmx_addr *a, *b;
	enum bmx_addr_status st;
	size_t n, pre, errlen, i;
	bool source;
	char *s, *err, e2[256];

	if (size < 1)
		return 0;
	source = data[0] & 1;
	pre = data[0] >> 1 & 3;
	errlen = data[0] >> 3;
	if (errlen == 31)
		errlen = 256;
	n = strnlen((const char *)data + 1, size - 1);
	s = malloc(n + 2);
	err = errlen > 0 ? malloc(errlen) : NULL;
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	FUZZ_CHECK(s != NULL && a != NULL && b != NULL);
	memcpy(s, data + 1, n);
	if (source && (n == 0 || s[n - 1] != ':'))
		s[n++] = ':';
	s[n] = '\0';

	st = run(source, s, n, pre, a, err, errlen);
	FUZZ_CHECK(st <= BMX_ADDR_UNSUPPORTED);
	/* err is written only on error */
	if (err != NULL && st != BMX_ADDR_OK) {
		FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
		if (errlen > 1)
			FUZZ_CHECK(err[0] != '\0');
	}
	FUZZ_CHECK(a->nroutes >= pre && a->nroutes <= BMX_ROUTES_MAX);
	for (i = 0; i < pre; i++) {
		char want[32];

		snprintf(want, sizeof(want), "pre%zu.example", i);
		FUZZ_CHECK(a->routes[i].form == BMX_ROUTE_PERCENT &&
		    !a->routes[i].literal &&
		    strcmp(a->routes[i].domain, want) == 0);
	}
	if (st == BMX_ADDR_OK) {
		for (i = pre; i < a->nroutes; i++) {
			const struct bmx_route *r = &a->routes[i];

			FUZZ_CHECK(
			    r->form == (source ? BMX_ROUTE_SOURCE : r->form));
			if (!source)
				FUZZ_CHECK(r->form != BMX_ROUTE_SOURCE);
			if (r->literal) {
				FUZZ_CHECK(r->domain[0] == '\0');
				FUZZ_CHECK(r->ip.family == BMX_IP_V4 ||
				    r->ip.family == BMX_IP_V6);
				continue;
			}
			fuzz_check_domain(r->domain);
			if (plain_ascii(s))
				FUZZ_CHECK(written_in(r->domain, s));
		}
	}

	/* again, with another error buffer: the same answer */
	FUZZ_CHECK(run(source, s, n, pre, b, e2, sizeof(e2)) == st);
	FUZZ_CHECK(b->nroutes == a->nroutes);
	for (i = 0; st == BMX_ADDR_OK && i < a->nroutes; i++) {
		FUZZ_CHECK(a->routes[i].form == b->routes[i].form);
		FUZZ_CHECK(a->routes[i].literal == b->routes[i].literal);
		FUZZ_CHECK(
		    strcmp(a->routes[i].domain, b->routes[i].domain) == 0);
		if (a->routes[i].literal)
			FUZZ_CHECK(
			    bmx_ip_equal(&a->routes[i].ip, &b->routes[i].ip));
	}
	free(a);
	free(b);
	free(err);
	free(s);
	return 0;
}
