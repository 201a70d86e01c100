/*
 * addr.h - recipient addresses as MTAs hand them over in RCPT TO
 *
 * Turns the text of a recipient (as the milter's envrcpt callback or a
 * bogusmx-check user gives it) into what the rest of bogusmx needs: the
 * domain to look up, in A-label form, lower case and without a trailing
 * dot, or the IP address of an address literal.  Accepted forms:
 *
 *   <user@example.com>  user@example.com  <@a,@b:user@example.com>
 *   <"a@b"@example.com> (the domain follows the last '@' outside quotes)
 *   user@Example.COM.   user@bücher.example (UTF-8, SMTPUTF8: converted
 *                       to xn--bcher-kva.example with libidn2, IDNA2008)
 *   user@[192.0.2.1]    user@[IPv6:2001:db8::1]
 *   <>  and  <postmaster>  (no domain: kind BMX_ADDR_NODOMAIN)
 *
 * Besides the written domain, the domains that the routing conventions
 * of Postfix and Sendmail hide in the address are found (route.h): the
 * hops of a source route and, in the local part, the percent hack
 * (user%dom), a bang path (dom!user), an '@' (user@dom@local, or quoted:
 * "user@dom"@local).  One that cannot be parsed makes the whole
 * recipient a syntax error.
 *
 * Nothing here does DNS.  Garbage is reported, never guessed at: a
 * status other than BMX_ADDR_OK comes with a message in err.
 *
 * Ownership: struct bmx_addr is self-contained (fixed buffers).
 * Thread safety: reentrant.
 */
#ifndef BMX_ADDR_H
#define BMX_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

/** Longest domain name, without the trailing dot (RFC 1035). */
#define BMX_DOMAIN_MAX 253
/** Longest label. */
#define BMX_LABEL_MAX 63
/** Longest recipient text accepted, as given (RFC 5321 path: 256). */
#define BMX_RCPT_MAX 512

enum bmx_addr_kind {
	BMX_ADDR_DOMAIN,   /**< user@domain: look the domain up */
	BMX_ADDR_LITERAL,  /**< user@[address]: classify the address */
	BMX_ADDR_NODOMAIN, /**< <>, <postmaster>: nothing to check */
};

enum bmx_addr_status {
	BMX_ADDR_OK,
	BMX_ADDR_SYNTAX,      /**< malformed address */
	BMX_ADDR_TOOLONG,     /**< address, domain or label over a limit */
	BMX_ADDR_IDN,	      /**< UTF-8 domain that IDNA2008 refuses */
	BMX_ADDR_UNSUPPORTED, /**< general address literal [tag:...] */
};

/** Most routing domains kept for one recipient; more is an error. */
#define BMX_ROUTES_MAX 8

/** How a routing domain is written. */
enum bmx_route_form {
	BMX_ROUTE_SOURCE,  /**< a hop of a source route @a,@b:user@dom */
	BMX_ROUTE_AT,	   /**< user@dom@local */
	BMX_ROUTE_QUOTED,  /**< "user@dom"@local */
	BMX_ROUTE_BANG,	   /**< dom!user@local */
	BMX_ROUTE_PERCENT, /**< user%dom@local */
};

/** A domain (or address literal) hidden in a recipient. */
struct bmx_route {
	enum bmx_route_form form;
	bool literal; /**< ip below, else domain */
	/** A-label, lower case, no trailing dot; "" for a literal. */
	char domain[BMX_DOMAIN_MAX + 1];
	struct bmx_ip ip;
};

struct bmx_addr {
	enum bmx_addr_kind kind;
	/** The mailbox without <>, source route or trailing dot, as the
	 * client wrote it otherwise: used in reply texts. */
	char mailbox[BMX_RCPT_MAX + 1];
	/** A-label domain, lower case, no trailing dot; "" unless DOMAIN. */
	char domain[BMX_DOMAIN_MAX + 1];
	/** The address of a literal; only when kind is LITERAL. */
	struct bmx_ip literal;
	/** True when domain was converted from UTF-8 (U-labels). */
	bool idn;
	/** Routing domains, source route hops first, then those of the
	 * local part from the outside in (the order an MTA meets them). */
	struct bmx_route routes[BMX_ROUTES_MAX];
	size_t nroutes;
};

/**
 * Parse a recipient.
 * @param rcpt the recipient text, NUL-terminated
 * @param out filled on BMX_ADDR_OK; unspecified otherwise
 * @param err receives a message for people on failure, e.g.
 *     "label longer than 63 octets in \"aaa...\""
 * @return the status
 */
enum bmx_addr_status bmx_addr_parse(
    const char *rcpt, struct bmx_addr *out, char *err, size_t errlen);

/**
 * Normalise a bare domain name (a bogusmx-check target, an MX or CNAME
 * target from DNS, a configured exempt domain): UTF-8 to A-labels, lower
 * case, trailing dot removed, lengths and characters checked.
 * @param in the name
 * @param out at least BMX_DOMAIN_MAX + 1 bytes
 * @return BMX_ADDR_OK, BMX_ADDR_SYNTAX, BMX_ADDR_TOOLONG or BMX_ADDR_IDN
 */
enum bmx_addr_status bmx_domain_normalize(
    const char *in, char *out, char *err, size_t errlen);

/**
 * Is name (normalised) equal to suffix or a subdomain of it?
 * Both lower case, no trailing dots.
 */
bool bmx_domain_within(const char *name, const char *suffix);

/**
 * Parse an address literal "[192.0.2.1]", "[IPv6:...]" of n octets.
 * @return BMX_ADDR_OK, BMX_ADDR_SYNTAX or BMX_ADDR_UNSUPPORTED (a
 *     general address literal [tag:...])
 */
enum bmx_addr_status bmx_addr_literal(
    const char *s, size_t n, struct bmx_ip *ip, char *err, size_t errlen);

/** @return "source route", "user@dom@local", "quoted", "bang path" or
 * "percent hack". */
const char *bmx_route_form_name(enum bmx_route_form f);

/** @return "ok", "syntax", "too long", "idn" or "unsupported". */
const char *bmx_addr_status_name(enum bmx_addr_status s);

#endif
