/*
 * route.c - routing domains in a recipient: source route hops and the
 * percent hack, bang paths and '@' in the local part
 *
 * No allocation: the local part is dequoted into a buffer on the stack
 * and taken apart in place.
 */
#include <stdio.h>
#include <string.h>

#include "route.h"

const char *
bmx_route_form_name(enum bmx_route_form f)
{
	switch (f) {
	case BMX_ROUTE_SOURCE:
		return "source route";
	case BMX_ROUTE_AT:
		return "user@dom@local";
	case BMX_ROUTE_QUOTED:
		return "quoted";
	case BMX_ROUTE_BANG:
		return "bang path";
	case BMX_ROUTE_PERCENT:
		break;
	}
	return "percent hack";
}

/* Add one hop: a domain or an address literal, of n octets. */
static enum bmx_addr_status
add(enum bmx_route_form form, const char *s, size_t n, struct bmx_addr *out,
    char *err, size_t errlen)
{
	struct bmx_route *r;
	enum bmx_addr_status st;
	char name[BMX_RCPT_MAX + 1], why[200];

	if (n == 0)
		return BMX_ADDR_OK; /* "user%": as "user@", the local domain */
	if (out->nroutes == BMX_ROUTES_MAX) {
		snprintf(err, errlen, "more than %d routing domains",
		    BMX_ROUTES_MAX);
		return BMX_ADDR_TOOLONG;
	}
	r = &out->routes[out->nroutes];
	memset(r, 0, sizeof(*r));
	r->form = form;
	if (s[0] == '[') {
		st = bmx_addr_literal(s, n, &r->ip, why, sizeof(why));
		r->literal = true;
	} else {
		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		st = bmx_domain_normalize(name, r->domain, why, sizeof(why));
	}
	if (st != BMX_ADDR_OK) {
		snprintf(err, errlen, "%s: %s", bmx_route_form_name(form), why);
		return st == BMX_ADDR_UNSUPPORTED ? BMX_ADDR_SYNTAX : st;
	}
	out->nroutes++;
	return BMX_ADDR_OK;
}

enum bmx_addr_status
bmx_route_source(
    const char *s, size_t n, struct bmx_addr *out, char *err, size_t errlen)
{
	enum bmx_addr_status st;
	size_t i = 0, start;

	/* "@a,@b:" as route_len() in addr.c found it: '@' hop (',' | ':') */
	while (i < n && s[i] == '@') {
		start = ++i;
		if (i < n && s[i] == '[')
			while (i < n && s[i] != ']')
				i++;
		while (i < n && s[i] != ',' && s[i] != ':')
			i++;
		st = add(
		    BMX_ROUTE_SOURCE, s + start, i - start, out, err, errlen);
		if (st != BMX_ADDR_OK)
			return st;
		i++;
	}
	return BMX_ADDR_OK;
}

/*
 * The local part without its quoting: quotes dropped, backslash pairs
 * in quotes resolved.  *quoted tells whether there were quotes.
 */
static size_t
dequote(const char *s, size_t n, char *buf, bool *quoted)
{
	size_t i, o = 0;
	bool in = false;

	*quoted = false;
	for (i = 0; i < n; i++) {
		if (s[i] == '"') {
			in = !in;
			*quoted = true;
		} else if (in && s[i] == '\\' && i + 1 < n)
			buf[o++] = s[++i];
		else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
	return o;
}

/* Last occurrence of c in the n octets at s, or NULL. */
static const char *
last(const char *s, size_t n, char c)
{
	while (n-- > 0)
		if (s[n] == c)
			return s + n;
	return NULL;
}

enum bmx_addr_status
bmx_route_local(
    const char *s, size_t n, struct bmx_addr *out, char *err, size_t errlen)
{
	char buf[BMX_RCPT_MAX + 1];
	enum bmx_addr_status st;
	enum bmx_route_form form;
	const char *p;
	size_t dom, dn, rest, rn;
	bool quoted;

	if (n > BMX_RCPT_MAX)
		n = BMX_RCPT_MAX;
	n = dequote(s, n, buf, &quoted);
	/* Outside in: "user@dom" first (an '@' is the strongest
	 * separator), then a bang path's first hop, then the rightmost
	 * '%'; what is left (rest) is taken apart again. */
	for (;;) {
		if ((p = last(buf, n, '@')) != NULL) {
			form = quoted ? BMX_ROUTE_QUOTED : BMX_ROUTE_AT;
			dom = (size_t)(p - buf) + 1;
			dn = n - dom;
			rest = 0;
			rn = dom - 1;
		} else if ((p = memchr(buf, '!', n)) != NULL) {
			form = BMX_ROUTE_BANG;
			dom = 0;
			dn = (size_t)(p - buf);
			rest = dn + 1;
			rn = n - rest;
		} else if ((p = last(buf, n, '%')) != NULL) {
			form = BMX_ROUTE_PERCENT;
			dom = (size_t)(p - buf) + 1;
			dn = n - dom;
			rest = 0;
			rn = dom - 1;
		} else
			return BMX_ADDR_OK;
		st = add(form, buf + dom, dn, out, err, errlen);
		if (st != BMX_ADDR_OK)
			return st;
		memmove(buf, buf + rest, rn);
		n = rn;
	}
}
