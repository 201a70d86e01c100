/*
 * dnsmsg.h - DNS queries and answers as bytes, and what bogusmx keeps of
 * an answer
 *
 * bmx_dnsmsg_query() writes a query in wire format.  bmx_dnsmsg_parse()
 * checks that a reply answers exactly that query (ID, QR bit, opcode,
 * question name, type and class) and turns it into a struct bmx_answer:
 * the status, the CNAME chain followed from the question name, the MX
 * records or addresses of the final name, and the TTL to cache it for.
 * A reply that does not answer the query is reported as such and must be
 * dropped, never believed.
 *
 * No I/O, no global state: this is the part of the resolver that parses
 * attacker-controlled bytes, and it can be fuzzed on its own.
 *
 * Ownership: a struct bmx_answer is one allocation, reference counted
 * (atomically), and immutable once made: the cache hands the same answer
 * to many threads.  bmx_answer_unref() frees it with the last reference.
 *
 * Thread safety: reentrant; answers may be shared between threads.
 */
#ifndef BMX_DNSMSG_H
#define BMX_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ip.h"

#define BMX_DNS_TYPE_A 1
#define BMX_DNS_TYPE_CNAME 5
#define BMX_DNS_TYPE_SOA 6
#define BMX_DNS_TYPE_MX 15
#define BMX_DNS_TYPE_AAAA 28

/** MX records kept from one answer: the best by preference; the others
 * are counted in dropped, and so are MX records whose target's text
 * (escapes included) is longer than BMX_DOMAIN_MAX: no host name is, and
 * such names would make an answer four times bigger than its bytes. */
#define BMX_DNS_RR_MAX 256
/** Distinct addresses kept from one A or AAAA answer; the others are
 * counted in dropped.  This is also the hard cap on one host's address
 * RRset: an RRset is judged whole or not at all (resolve.h), so an
 * answer with more is never judged in part. */
#define BMX_DNS_ADDR_MAX 1024
/** Size of a buffer that holds any query bmx_dnsmsg_query() writes. */
#define BMX_DNS_QUERY_MAX 512
/** CNAME steps kept and followed inside one answer.  A longer chain is
 * cut there: the answer is NODATA with chase set, stopping at the last
 * target kept. */
#define BMX_DNS_CNAME_MAX 16

enum bmx_dns_status {
	BMX_DNS_OK,	    /**< records of the type found */
	BMX_DNS_NODATA,	    /**< the name exists, no records of the type */
	BMX_DNS_NXDOMAIN,   /**< the name does not exist */
	BMX_DNS_TEMPFAIL,   /**< SERVFAIL, REFUSED, timeout, network error */
	BMX_DNS_MALFORMED,  /**< an answer that cannot be used */
	BMX_DNS_CNAME_LOOP, /**< the CNAME chain comes back on itself */
};

/** Outcome of bmx_dnsmsg_parse(). */
enum bmx_dnsmsg_result {
	BMX_DNSMSG_ANSWER,    /**< *out holds the answer (any status) */
	BMX_DNSMSG_MISMATCH,  /**< not a reply to this query: drop it */
	BMX_DNSMSG_TRUNCATED, /**< TC set: ask again over TCP */
};

struct bmx_mx_rr {
	uint16_t preference;
	/** Target, lower case, no trailing dot; "" for the null MX ".". */
	const char *host;
};

struct bmx_answer {
	enum bmx_dns_status status;
	uint16_t qtype;
	const char *qname;  /**< lower case, no trailing dot */
	const char *target; /**< the final name after the CNAMEs */
	/** CNAME targets in order (cnames[ncnames - 1] == target). */
	const char *cnames[BMX_DNS_CNAME_MAX];
	unsigned ncnames;
	/** True when the CNAME chain ends at a name the answer says
	 * nothing about: the target must be asked for on its own. */
	bool chase;
	uint32_t ttl; /**< seconds: positive, negative (RFC 2308) or 0 */
	/** A negative answer (NODATA without chase, or NXDOMAIN) whose
	 * authority section has no SOA.  Real negative answers carry one
	 * (RFC 2308 section 3); an empty answer without it is what
	 * resolvers that remove records (Unbound private-address, dnsmasq
	 * stop-dns-rebind) send.  Never cached (RFC 2308 section 5). */
	bool nosoa;
	size_t n; /**< records in mx[] or addrs[] */
	/** Records of the type left out for lack of room (more than
	 * BMX_DNS_RR_MAX MX records, BMX_DNS_ADDR_MAX addresses): a limit
	 * hit, for the resolver to record. */
	size_t dropped;
	const struct bmx_mx_rr *mx;
	const struct bmx_ip *addrs;
	/** Why, for TEMPFAIL and MALFORMED ("SERVFAIL from 127.0.0.1"). */
	const char *why;
	/* private */
	_Atomic int refs;
};

/**
 * Write a query (RD set, EDNS0 when edns_size > 0).
 * @param name the name to ask for, no trailing dot needed
 * @param buf at least BMX_DNS_QUERY_MAX bytes
 * @return the length written, or 0 when the name is not a valid name
 */
size_t bmx_dnsmsg_query(uint8_t *buf, const char *name, uint16_t qtype,
    uint16_t id, uint16_t edns_size);

/**
 * Check and parse a reply.
 * @param wire, len the reply as received
 * @param id, qname, qtype what was asked (qname normalised, as given to
 *     bmx_dnsmsg_query)
 * @param server the server's address, for the text of errors
 * @param out on BMX_DNSMSG_ANSWER, a new answer with one reference
 *     (NULL only when memory ran out; treat as TEMPFAIL)
 */
enum bmx_dnsmsg_result bmx_dnsmsg_parse(const uint8_t *wire, size_t len,
    uint16_t id, const char *qname, uint16_t qtype, const char *server,
    struct bmx_answer **out);

/**
 * Make an answer that carries only a status and a reason (timeouts,
 * network errors, names refused before any query).
 * @return a new answer with one reference, or NULL when out of memory
 */
struct bmx_answer *bmx_answer_error(const char *qname, uint16_t qtype,
    enum bmx_dns_status status, const char *why);

/**
 * Keep only the first max records of an answer (the best MX records,
 * the first addresses): what a decision uses.  The others are counted in
 * dropped, as those bmx_dnsmsg_parse() left out.
 * @param a an answer (its reference is taken), or NULL
 * @return a (n <= max, NULL, or out of memory), or a new answer with
 *     one reference (a's is dropped)
 */
struct bmx_answer *bmx_answer_keep(struct bmx_answer *a, size_t max);

/**
 * Follow a CNAME across answers: join an answer that stops at a CNAME
 * target (chase set) with the answer for that target.  The result
 * answers first's question with the whole chain (first's CNAMEs, then
 * next's) and next's status, records, chase flag and reason; its TTL is
 * the smaller of the two.  When a CNAME of next leads back to a name of
 * first's chain (or to its question name) the status is
 * BMX_DNS_CNAME_LOOP, without records; a chain longer than
 * BMX_DNS_CNAME_MAX is cut as bmx_dnsmsg_parse() cuts one.
 * @param first the answer that stops at next->qname (borrowed)
 * @param next the answer for first->target (borrowed)
 * @return a new answer with one reference, or NULL when out of memory
 */
struct bmx_answer *bmx_answer_join(
    const struct bmx_answer *first, const struct bmx_answer *next);

/** Take one more reference; returns a. */
struct bmx_answer *bmx_answer_ref(struct bmx_answer *a);

/** Drop a reference; the last one frees.  NULL is a no-op. */
void bmx_answer_unref(struct bmx_answer *a);

/** @return the bytes an answer holds (for the cache's accounting). */
size_t bmx_answer_size(const struct bmx_answer *a);

/** @return "ok", "nodata", "nxdomain", "tempfail", "malformed", ... */
const char *bmx_dns_status_name(enum bmx_dns_status s);

/** @return "A", "AAAA", "MX", "CNAME" or "TYPEnn" (static storage for
 * the known ones; buf otherwise). */
const char *bmx_dns_type_name(uint16_t type, char *buf, size_t len);

#endif
