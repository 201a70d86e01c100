/*
 * resolve.h - a recipient domain's mail exchangers and their addresses
 *
 * bmx_resolve() finds what an MTA would connect to for a domain, the way
 * RFC 5321 section 5.1 says, but looking at every host:
 *
 * - names that can never be public (localhost, *.localhost, *.invalid,
 *   *.test, *.example, *.local, *.home.arpa, *.onion, *.alt, *.internal)
 *   are judged without DNS, as the domain, as an MX target, or as a CNAME
 *   target on the way;
 * - MX lookup, CNAMEs followed (bounded).  MX records present: every MX
 *   host, backups included, up to max_mx by preference (never cutting a
 *   group of equal preference: see BMX_MX_GROUP_MAX); hosts are sorted
 *   by preference, then name, whatever the order of the answer; NOERROR
 *   without
 *   MX: the implicit MX, the domain itself; a target "." is a null MX
 *   (RFC 7505); a target that is an IP literal ("127.0.0.1." or
 *   "[127.0.0.1]"), or that inet_aton reads as one ("127.1.",
 *   "2130706433.", "0x7f.0.0.1."), is that address;
 * - then A and AAAA of every host, all at once (one round trip), with
 *   their CNAMEs followed.  A host's address RRsets are judged whole,
 *   never cut where the records happen to end: hosts are taken in order
 *   while fewer than max_addrs addresses are taken (the host that
 *   reaches it whole, those after it left out: addr_limited), and a
 *   host with more than BMX_DNS_ADDR_MAX (1024) A or AAAA records is
 *   left out whole (addr_cut_host), which defers.
 *
 * Lookups go through the shared cache when there is one; an answer keeps
 * only what a decision uses (the best max_mx MX records, or up to
 * BMX_MX_GROUP_MAX + 1 when a group of equal preference reaches past
 * max_mx; at most BMX_DNS_ADDR_MAX addresses: bmx_answer_keep()), so a hostile
 * answer costs the cache no more than a plain one.  A joiner whose owner's
 * deadline passed looks the name up again within its own.  One deadline covers
 * the whole resolution.  Limits that are hit are recorded in the result, never
 * silently passed.
 *
 * With a resolver guard (guard.h), every answer teaches it, and a
 * resolution is marked untrusted (untrusted_name) when an answer it
 * rests on is one the guard does not believe: an empty answer without
 * SOA from a resolver that removes records, or an address the resolver
 * gives for names that do not exist; and every resolution while the
 * guard knows that the resolver filters private addresses.
 *
 * Ownership: struct bmx_resolution holds references to answers and an
 * array of hosts; bmx_resolution_clear() frees them.  The config is
 * borrowed.
 *
 * Thread safety: bmx_resolve() may run in many threads at once with one
 * config (its servers and cache are thread-safe).
 */
#ifndef BMX_RESOLVE_H
#define BMX_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "cache.h"
#include "dnsmsg.h"
#include "guard.h"
#include "query.h"

/** A group of MX hosts of equal preference that max_mx would cut is
 * checked whole when the hosts checked stay at most this many (or
 * max_mx, when higher); a bigger group is not checked at all. */
#define BMX_MX_GROUP_MAX 64

struct bmx_resolver {
	struct bmx_query_servers *servers; /**< shared */
	struct bmx_cache *cache;	   /**< shared; NULL: no cache */
	unsigned max_mx;		   /**< MX hosts checked */
	/** Addresses judged over all hosts, hosts taken whole: no more
	 * hosts once this many are taken (see above). */
	unsigned max_addrs;
	/** CNAME steps per name, over all the answers that make up the
	 * chain; at most BMX_DNS_CNAME_MAX - 1 whatever is asked.  A
	 * longer chain is a temporary failure (cname_limited). */
	unsigned max_cname;
	unsigned deadline_ms;	 /**< whole resolution */
	struct bmx_guard *guard; /**< shared; NULL: none */
};

enum bmx_host_kind {
	BMX_HOST_NAME,	  /**< looked up: A and AAAA */
	BMX_HOST_LITERAL, /**< the MX target is an IP address */
	BMX_HOST_SPECIAL, /**< a special-use name, judged without DNS */
	BMX_HOST_NULL,	  /**< the null MX "." */
};

struct bmx_host {
	uint16_t preference;
	const char *name; /**< as in the MX record (or the domain) */
	enum bmx_host_kind kind;
	/** For SPECIAL: the name that is special (the host or a CNAME
	 * target) and the suffix rule it fell under ("localhost", "test"). */
	const char *special_name, *special_rule;
	struct bmx_ip literal;	 /**< for LITERAL */
	struct bmx_answer *a;	 /**< A answer (a reference), or NULL */
	struct bmx_answer *aaaa; /**< AAAA answer (a reference), or NULL */
	size_t naddrs;		 /**< addresses kept (A first, then AAAA) */
	const struct bmx_ip *addrs[2]; /**< a->addrs, aaaa->addrs */
	size_t n4, n6;		       /**< how many of each are kept */
};

struct bmx_resolution {
	char domain[BMX_DOMAIN_MAX + 1];
	/** Set when the domain itself (or a CNAME of it) is special. */
	const char *special_name, *special_rule;
	struct bmx_answer *mx; /**< the MX answer (a reference), or NULL */
	bool implicit_mx;      /**< no MX records: the domain's own A/AAAA */
	bool null_mx;	       /**< an MX record with target "." */
	struct bmx_host *hosts;
	size_t nhosts;
	size_t mx_total; /**< MX records in the answer */
	bool mx_limited; /**< more MX hosts than max_mx */
	/** a group of equal preference bigger than BMX_MX_GROUP_MAX was
	 * cut by max_mx, and left out whole */
	bool mx_group_cut;
	bool addr_limited; /**< hosts left out past max_addrs */
	/** The first host with more than BMX_DNS_ADDR_MAX A or AAAA
	 * records, left out whole (its RRset is never judged in part), or
	 * NULL.  No accept then. */
	const char *addr_cut_host;
	bool cname_limited; /**< a CNAME chain longer than max_cname */
	bool deadline_hit;  /**< some answer did not come in time */
	/** The first name whose answer the resolver guard does not believe,
	 * and why (static text), or NULL. */
	const char *untrusted_name, *untrusted_why;
	unsigned lookups;    /**< name/type lookups made */
	unsigned cache_hits; /**< of which answered by the cache */
	long long elapsed_ms;
};

/**
 * Resolve a normalised domain.
 * @param r resolver settings and shared state
 * @param domain lower case, A-labels, no trailing dot
 * @param out the result; clear it with bmx_resolution_clear()
 */
void bmx_resolve(const struct bmx_resolver *r, const char *domain,
    struct bmx_resolution *out);

/** Free what a resolution holds.  A zeroed struct is fine. */
void bmx_resolution_clear(struct bmx_resolution *res);

/**
 * Is this a special-use name that is never a public mail host?
 * @param name normalised name
 * @return the rule it falls under ("localhost", "test", "home.arpa" ...)
 *     or NULL
 */
const char *bmx_special_name(const char *name);

/**
 * Is this MX target text an IP literal ("127.0.0.1", "[127.0.0.1]",
 * "[IPv6:::1]"), or a name that inet_aton would read as an address
 * ("127.1", "2130706433", "0x7f.0.0.1", see bmx_ip_parse_aton())?  If
 * so, fill ip.
 */
bool bmx_mx_literal(const char *name, struct bmx_ip *ip);

#endif
