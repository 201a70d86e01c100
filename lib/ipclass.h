/*
 * ipclass.h - can this address be a public mail exchanger?
 *
 * Classification of one address against an ordered list of cidr tables
 * (the user's tables first, the built-in registry last, as the caller
 * chooses).  IPv4 embedded in IPv6 is unwrapped and the IPv4 inside is
 * judged, in every table:
 *
 *   ::ffff:a.b.c.d   IPv4-mapped (RFC 4291)
 *   64:ff9b::/96     NAT64 well-known prefix (RFC 6052)
 *   64:ff9b:1::/48   NAT64 local use, RFC 6052 layout for a /48 (RFC 8215)
 *   2002::/16        6to4, the IPv4 in bits 16-47 (RFC 3056)
 *   2001::/32        Teredo: the server (bits 32-63) and the client
 *                    (bits 96-127, inverted); bogus if either is (RFC 4380)
 *
 * Before that, the user's tables (all but names) are asked about the
 * address as written, so an IPv6 rule such as "2002::/16 REJECT" in an
 * existing Postfix table still works; when none of them decides, the
 * IPv4 inside is judged in all tables.  The registry never sees these
 * forms as written: its rows for them are for Postfix, which does not
 * unwrap.  The NAT64 /48 form is unwrapped only when octet u (bits
 * 64-71) and the suffix are zero, as RFC 6052 requires.
 *
 * The deprecated IPv4-compatible form ::a.b.c.d is not unwrapped: it is
 * judged as itself (the registry rejects ::/96 as reserved); the IPv4
 * inside is reported for the log text.
 *
 * In each table the first rule that matches gives an access(5) result:
 * REJECT, DEFER, 4NN and 5NN make the address bogus; OK makes it
 * acceptable; DUNNO and WARN go on to the next table.
 *
 * The class name comes from the registry table passed as names: the
 * first word of the text of its matching rule ("loopback"), whichever
 * table decided.  An address the registry does not list is "listed" when
 * another table made it bogus, else "public".
 *
 * Ownership: the result points into the tables; they must outlive it.
 * Thread safety: reentrant; no allocation.
 */
#ifndef BMX_IPCLASS_H
#define BMX_IPCLASS_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"
#include "cidr.h"
#include "ip.h"

enum bmx_embed {
	BMX_EMBED_NONE,
	BMX_EMBED_MAPPED,	 /**< ::ffff:0:0/96 */
	BMX_EMBED_NAT64,	 /**< 64:ff9b::/96 */
	BMX_EMBED_NAT64_LOCAL,	 /**< 64:ff9b:1::/48 */
	BMX_EMBED_6TO4,		 /**< 2002::/16 */
	BMX_EMBED_TEREDO_SERVER, /**< 2001::/32, server address */
	BMX_EMBED_TEREDO_CLIENT, /**< 2001::/32, client address */
	BMX_EMBED_COMPAT,	 /**< ::/96, reported only */
};

/** Longest class name, with its NUL. */
#define BMX_CLASS_MAX 32

struct bmx_ipclass {
	struct bmx_ip address;	/**< as asked */
	struct bmx_ip judged;	/**< what the tables saw */
	enum bmx_embed embed;	/**< how judged came out of address */
	struct bmx_ip embedded; /**< the IPv4 inside, when embed != NONE */
	bool bogus;		/**< a table said REJECT, DEFER, 4NN or 5NN */
	/** The table and rule that decided (bogus or OK), else NULL. */
	const struct bmx_cidr_table *table;
	const struct bmx_cidr_rule *rule;
	struct bmx_access access; /**< parsed result of rule */
	/** First WARN rule met on the way, or NULL. */
	const struct bmx_cidr_rule *warn;
	const struct bmx_cidr_table *warn_table;
	/** "loopback", ... from the registry; else "listed" or "public" */
	char class_name[BMX_CLASS_MAX];
	/** The registry rule that named the class, or NULL ("public"). */
	const struct bmx_cidr_rule *class_rule;
};

/**
 * Classify one address.
 * @param tables tables in the order they are consulted; may hold NULLs,
 *     which are skipped.  Their results must have passed
 *     bmx_access_check_table().
 * @param ntables number of tables
 * @param names the built-in registry table, for the class name; it also
 *     marks which of tables is the registry.  NULL gives "public" for
 *     every address and treats every table as the user's
 * @param ip the address
 * @param out the result
 */
void bmx_ipclass_classify(const struct bmx_cidr_table *const *tables,
    size_t ntables, const struct bmx_cidr_table *names, const struct bmx_ip *ip,
    struct bmx_ipclass *out);

/** @return "mapped", "nat64", ... or "" for BMX_EMBED_NONE. */
const char *bmx_embed_name(enum bmx_embed e);

#endif
