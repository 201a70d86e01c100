/*
 * addr.c - recipient addresses as MTAs hand them over in RCPT TO
 *
 * Splits a recipient (RFC 5321 Path or Mailbox, SMTPUTF8 allowed) into
 * the mailbox and its domain or address literal, and normalises domain
 * names: one trailing dot dropped, lower case, U-labels converted to
 * A-labels with libidn2 (IDNA2008, UTS #46 non-transitional mapping),
 * characters, labels and lengths checked.  The local part is the MTA's
 * business: it is only checked for what would make the domain ambiguous
 * (quotes, spaces, angle brackets) and for valid UTF-8, and searched for
 * the routing domains it hides (route.c).
 *
 * Writes only into the caller's struct bmx_addr and buffers; libidn2's
 * result is freed before returning.  No DNS, no logging, no global state.
 * Error text is for people and quotes at most SHOW_MAX octets of the
 * input, with control and stray 8-bit octets escaped as \xNN.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "addr.h"
#include "route.h"

/* Longest name bmx_domain_normalize looks at: a U-label may take four
 * octets a character, so a valid UTF-8 name can exceed BMX_DOMAIN_MAX. */
#define NAME_IN_MAX 1024
/* Octets of input quoted in a message, and the buffer that holds them. */
#define SHOW_MAX 32
#define SHOW_BUF (SHOW_MAX + 16)

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence (RFC 3629) at s, or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;

	for (i = 0; i < n; i += k)
		if ((k = utf8_len(u + i, n - i)) == 0)
			return false;
	return true;
}

/*
 * Quote n octets of s for a message: "text" or "text...", with '"' and
 * '\\' escaped by a backslash.
 */
static const char *
show(char buf[SHOW_BUF], const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	buf[o++] = '"';
	while (i < n && o <= SHOW_MAX) {
		if (u[i] >= 0x80 && (k = utf8_len(u + i, n - i)) > 0) {
			memcpy(buf + o, s + i, k);
			o += k;
			i += k;
		} else if (u[i] < 0x20 || u[i] >= 0x7f) {
			snprintf(buf + o, SHOW_BUF - o, "\\x%02x", u[i]);
			o += 4;
			i++;
		} else if (u[i] == '"' || u[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = s[i++];
		} else
			buf[o++] = s[i++];
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* One character for a message: 'c' or 0xNN. */
static const char *
showc(char buf[8], unsigned char c)
{
	if (c < 0x20 || c >= 0x7f)
		snprintf(buf, 8, "0x%02x", c);
	else
		snprintf(buf, 8, "'%c'", c);
	return buf;
}

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* A character of an ASCII domain name other than the dot. */
static bool
is_namechar(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/*
 * Check the characters and labels of a name of n octets, its trailing
 * dot already removed; whole/wn is the name as given, for messages.
 * Octets >= 0x80 are left to IDNA, and so are label lengths unless
 * the name is ASCII.
 */
static enum bmx_addr_status
check_name(const char *s, size_t n, bool ascii, const char *whole, size_t wn,
    char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)s;
	char q[SHOW_BUF], c[8];
	size_t i, start;

	if (n == 0) {
		seterr(err, errlen, "empty domain name");
		return BMX_ADDR_SYNTAX;
	}
	for (i = 0; i < n; i++) {
		if (u[i] == '.' || is_namechar(u[i]) ||
		    (!ascii && u[i] >= 0x80))
			continue;
		seterr(err, errlen, "invalid character %s in domain %s",
		    showc(c, u[i]), show(q, whole, wn));
		return BMX_ADDR_SYNTAX;
	}
	for (i = start = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start) {
			seterr(err, errlen, "empty label in %s",
			    show(q, whole, wn));
			return BMX_ADDR_SYNTAX;
		}
		if (ascii && i - start > BMX_LABEL_MAX) {
			seterr(err, errlen, "label longer than %d octets: %s",
			    BMX_LABEL_MAX, show(q, s + start, i - start));
			return BMX_ADDR_TOOLONG;
		}
		start = i + 1;
	}
	if (ascii && n > BMX_DOMAIN_MAX) {
		seterr(err, errlen, "domain name longer than %d octets",
		    BMX_DOMAIN_MAX);
		return BMX_ADDR_TOOLONG;
	}
	return BMX_ADDR_OK;
}

/* Check an ASCII name and write it in lower case, without its dot. */
static enum bmx_addr_status
ascii_name(const char *s, size_t n, char *out, char *err, size_t errlen)
{
	enum bmx_addr_status st;
	size_t i, wn = n;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if ((st = check_name(s, n, true, s, wn, err, errlen)) != BMX_ADDR_OK)
		return st;
	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	out[n] = '\0';
	return BMX_ADDR_OK;
}

/*
 * Normalise a domain of n octets (n <= NAME_IN_MAX) into out, at least
 * BMX_DOMAIN_MAX + 1 bytes.  *idn tells whether libidn2 converted it.
 */
static enum bmx_addr_status
domain_norm(
    const char *s, size_t n, char *out, bool *idn, char *err, size_t errlen)
{
	char buf[NAME_IN_MAX + 1], q[SHOW_BUF];
	enum bmx_addr_status st;
	uint8_t *alabel = NULL;
	size_t i, wn = n;
	int rc;

	*idn = false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == n)
		return ascii_name(s, n, out, err, errlen);

	if (s[n - 1] == '.')
		n--;
	if ((st = check_name(s, n, false, s, wn, err, errlen)) != BMX_ADDR_OK)
		return st;
	if (!utf8_valid(s, n)) {
		seterr(err, errlen, "domain is not valid UTF-8");
		return BMX_ADDR_IDN;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	rc = idn2_lookup_u8((const uint8_t *)buf, &alabel,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	switch (rc) {
	case IDN2_OK:
		st = ascii_name((const char *)alabel, strlen((char *)alabel),
		    out, err, errlen);
		*idn = st == BMX_ADDR_OK;
		break;
	case IDN2_TOO_BIG_DOMAIN:
		seterr(err, errlen, "domain name longer than %d octets",
		    BMX_DOMAIN_MAX);
		st = BMX_ADDR_TOOLONG;
		break;
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT:
		seterr(err, errlen,
		    "label longer than %d octets in A-label form: %s",
		    BMX_LABEL_MAX, show(q, s, wn));
		st = BMX_ADDR_TOOLONG;
		break;
	default:
		seterr(err, errlen, "IDNA2008 refuses %s: %s", show(q, s, wn),
		    idn2_strerror(rc));
		st = BMX_ADDR_IDN;
		break;
	}
	idn2_free(alabel);
	return st;
}

/*
 * Walk an address with its quoted strings: find the last '@' outside
 * quotes (*at, or n if none) and report unbalanced quotes and angle
 * brackets, spaces and backslashes outside quotes.  Messages quote
 * whole/wn, the recipient as given.
 */
static bool
scan(const char *s, size_t n, size_t *at, const char *whole, size_t wn,
    char *err, size_t errlen)
{
	size_t i, space = n, angle = n, bslash = n;
	bool quoted = false;
	char q[SHOW_BUF];

	*at = n;
	for (i = 0; i < n; i++) {
		if (quoted) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				quoted = false;
			continue;
		}
		if (s[i] == '"')
			quoted = true;
		else if (s[i] == '@')
			*at = i;
		else if (s[i] == ' ' && space == n)
			space = i;
		else if ((s[i] == '<' || s[i] == '>') && angle == n)
			angle = i;
		else if (s[i] == '\\' && bslash == n)
			bslash = i;
	}
	if (quoted)
		seterr(err, errlen, "unterminated quoted string in %s",
		    show(q, whole, wn));
	else if (space < n)
		seterr(err, errlen, "space outside quotes in %s",
		    show(q, whole, wn));
	else if (angle < n)
		seterr(err, errlen, "unbalanced '%c' in %s", s[angle],
		    show(q, whole, wn));
	else if (bslash < n)
		seterr(err, errlen, "backslash outside quotes in %s",
		    show(q, whole, wn));
	else
		return true;
	return false;
}

/*
 * Length of the source route "@a,@b:" at the start of s, its ':'
 * included, or 0 when s does not start with one.  A route domain is a
 * name or, as RFC 821 allowed, a bracketed literal.
 */
static size_t
route_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start;

	for (;;) {
		if (i >= n || s[i] != '@')
			return 0;
		start = ++i;
		if (i < n && s[i] == '[') {
			while (++i < n && s[i] != ']' && s[i] != '[')
				;
			if (i >= n || s[i] != ']' || i == start + 1)
				return 0;
			i++;
		} else {
			while (i < n &&
			    (is_namechar(u[i]) || u[i] == '.' || u[i] >= 0x80))
				i++;
			if (i == start)
				return 0;
		}
		if (i < n && s[i] == ':')
			return i + 1;
		if (i >= n || s[i] != ',')
			return 0;
		i++;
	}
}

/* A Standardized-tag (RFC 5321): letters, digits, hyphens, no hyphen
 * at the end. */
static bool
tag_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* 1*dcontent (RFC 5321): printable US-ASCII except "[", "\" and "]". */
static bool
dcontent_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (u[i] < 33 || u[i] > 126 || u[i] == '[' || u[i] == '\\' ||
		    u[i] == ']')
			return false;
	return true;
}

enum bmx_addr_status
bmx_addr_literal(
    const char *d, size_t n, struct bmx_ip *ip, char *err, size_t errlen)
{
	const char *end, *in, *colon;
	struct bmx_ip tmp;
	char q[SHOW_BUF];
	size_t len;

	if ((end = memchr(d, ']', n)) == NULL) {
		seterr(err, errlen, "unterminated address literal %s",
		    show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	if (end != d + n - 1) {
		seterr(err, errlen, "text after address literal %s",
		    show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	in = d + 1;
	len = n - 2;
	if ((colon = memchr(in, ':', len)) == NULL) {
		if (bmx_ip_parse_n(in, len, ip) && ip->family == BMX_IP_V4)
			return BMX_ADDR_OK;
		seterr(err, errlen, "invalid IPv4 address literal %s",
		    show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	if (colon - in == 4 && strncasecmp(in, "IPv6", 4) == 0) {
		if (bmx_ip_parse_n(colon + 1, len - 5, ip) &&
		    ip->family == BMX_IP_V6)
			return BMX_ADDR_OK;
		seterr(err, errlen, "invalid IPv6 address literal %s",
		    show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	if (bmx_ip_parse_n(in, len, &tmp)) {
		seterr(err, errlen,
		    "IPv6 address literal without \"IPv6:\": %s",
		    show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	if (!tag_ok(in, (size_t)(colon - in)) ||
	    !dcontent_ok(colon + 1, len - (size_t)(colon - in) - 1)) {
		seterr(
		    err, errlen, "invalid address literal %s", show(q, d, n));
		return BMX_ADDR_SYNTAX;
	}
	seterr(err, errlen, "unsupported address literal %s", show(q, d, n));
	return BMX_ADDR_UNSUPPORTED;
}

/*
 * The checks on the address as a whole: its length, no control character,
 * not empty.  Sets *len to its length.
 */
static enum bmx_addr_status
whole_ok(const char *rcpt, size_t *len, char *err, size_t errlen)
{
	size_t i;

	*len = strnlen(rcpt, BMX_RCPT_MAX + 1);
	if (*len > BMX_RCPT_MAX) {
		seterr(
		    err, errlen, "address longer than %d octets", BMX_RCPT_MAX);
		return BMX_ADDR_TOOLONG;
	}
	for (i = 0; i < *len; i++) {
		if ((unsigned char)rcpt[i] < 0x20 || rcpt[i] == 0x7f) {
			seterr(err, errlen,
			    "control character 0x%02x in address",
			    (unsigned char)rcpt[i]);
			return BMX_ADDR_SYNTAX;
		}
	}
	if (*len == 0) {
		seterr(err, errlen, "empty address");
		return BMX_ADDR_SYNTAX;
	}
	return BMX_ADDR_OK;
}

/*
 * Strips the <...> and the source route of rcpt (len octets, checked by
 * whole_ok) into out.  Sets *sp and *np to what follows, *atp to the offset
 * of its '@' in it (*np when there is none).
 */
static enum bmx_addr_status
strip_route(const char *rcpt, size_t len, const char **sp, size_t *np,
    size_t *atp, struct bmx_addr *out, char *err, size_t errlen)
{
	enum bmx_addr_status st;
	const char *s = rcpt;
	size_t n = len, at, skip;
	char q[SHOW_BUF];

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (!scan(s, n, &at, rcpt, len, err, errlen))
		return BMX_ADDR_SYNTAX;
	if (n > 0 && s[0] == '@') {
		if ((skip = route_len(s, n)) == 0) {
			if (memchr(s, ':', n) != NULL) {
				seterr(err, errlen,
				    "malformed source route in %s",
				    show(q, rcpt, len));
				return BMX_ADDR_SYNTAX;
			}
			seterr(err, errlen, "empty local part in %s",
			    show(q, rcpt, len));
			return BMX_ADDR_SYNTAX;
		}
		st = bmx_route_source(s, skip, out, err, errlen);
		if (st != BMX_ADDR_OK)
			return st;
		s += skip;
		n -= skip;
		at = at >= skip ? at - skip : n;
		if (n == 0) {
			seterr(err, errlen, "nothing after source route in %s",
			    show(q, rcpt, len));
			return BMX_ADDR_SYNTAX;
		}
	}
	*sp = s;
	*np = n;
	*atp = at;
	return BMX_ADDR_OK;
}

enum bmx_addr_status
bmx_addr_parse(const char *rcpt, struct bmx_addr *out, char *err, size_t errlen)
{
	enum bmx_addr_status st;
	size_t len, n, at, dn;
	const char *s, *d;
	char q[SHOW_BUF];

	memset(out, 0, sizeof(*out));
	seterr(err, errlen, "%s", "");
	if ((st = whole_ok(rcpt, &len, err, errlen)) != BMX_ADDR_OK)
		return st;
	/* <...>, then the source route */
	st = strip_route(rcpt, len, &s, &n, &at, out, err, errlen);
	if (st != BMX_ADDR_OK)
		return st;

	/* <>, <postmaster> */
	if (n == 0 || (n == 10 && strncasecmp(s, "postmaster", 10) == 0)) {
		out->kind = BMX_ADDR_NODOMAIN;
		memcpy(out->mailbox, s, n);
		out->mailbox[n] = '\0';
		return BMX_ADDR_OK;
	}

	if (at == n) {
		seterr(err, errlen, "missing \"@domain\" in %s",
		    show(q, rcpt, len));
		return BMX_ADDR_SYNTAX;
	}
	if (at == 0) {
		seterr(
		    err, errlen, "empty local part in %s", show(q, rcpt, len));
		return BMX_ADDR_SYNTAX;
	}
	if (!utf8_valid(s, at)) {
		seterr(err, errlen, "local part is not valid UTF-8");
		return BMX_ADDR_SYNTAX;
	}
	d = s + at + 1;
	dn = n - at - 1;
	if (dn == 0) {
		seterr(err, errlen, "missing domain after '@' in %s",
		    show(q, rcpt, len));
		return BMX_ADDR_SYNTAX;
	}

	st = bmx_route_local(s, at, out, err, errlen);
	if (st != BMX_ADDR_OK)
		return st;
	if (d[0] == '[') {
		st = bmx_addr_literal(d, dn, &out->literal, err, errlen);
		if (st != BMX_ADDR_OK)
			return st;
		out->kind = BMX_ADDR_LITERAL;
	} else {
		st = domain_norm(d, dn, out->domain, &out->idn, err, errlen);
		if (st != BMX_ADDR_OK)
			return st;
		out->kind = BMX_ADDR_DOMAIN;
		if (d[dn - 1] == '.')
			n--;
	}
	memcpy(out->mailbox, s, n);
	out->mailbox[n] = '\0';
	return BMX_ADDR_OK;
}

enum bmx_addr_status
bmx_domain_normalize(const char *in, char *out, char *err, size_t errlen)
{
	enum bmx_addr_status st;
	size_t n;
	bool idn;

	out[0] = '\0';
	seterr(err, errlen, "%s", "");
	n = strnlen(in, NAME_IN_MAX + 1);
	if (n > NAME_IN_MAX) {
		seterr(err, errlen, "domain name longer than %d octets",
		    BMX_DOMAIN_MAX);
		return BMX_ADDR_TOOLONG;
	}
	st = domain_norm(in, n, out, &idn, err, errlen);
	if (st != BMX_ADDR_OK)
		out[0] = '\0';
	return st;
}

bool
bmx_domain_within(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	if (k == 0 || k > n)
		return false;
	if (strcasecmp(name + n - k, suffix) != 0)
		return false;
	return k == n || name[n - k - 1] == '.';
}

const char *
bmx_addr_status_name(enum bmx_addr_status s)
{
	switch (s) {
	case BMX_ADDR_OK:
		return "ok";
	case BMX_ADDR_SYNTAX:
		return "syntax";
	case BMX_ADDR_TOOLONG:
		return "too long";
	case BMX_ADDR_IDN:
		return "idn";
	case BMX_ADDR_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}
