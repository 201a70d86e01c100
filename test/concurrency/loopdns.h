/*
 * loopdns.h - a tiny DNS server for tests and benchmarks: one thread of
 * the calling program, one UDP socket on 127.0.0.1, a random port
 *
 * The program gives a zone function that fills in the answer to each
 * question (rcode and records as zone-file text).  Every answer can be
 * held back by a fixed delay, without holding back the others: a query
 * that arrives at t is answered at t + delay, however many are waiting,
 * which is what a distant nameserver looks like to a parallel resolver.
 *
 * It serves nothing but loopback and speaks UDP only; a question it
 * cannot parse gets no answer.
 *
 * Ownership: loopdns_start() returns a server that the caller stops and
 * frees with loopdns_stop().  The zone function and its argument are
 * borrowed and must outlive the server.
 *
 * Thread safety: the zone function runs in the server's thread only;
 * loopdns_port() and loopdns_queries() may be called from any thread.
 */
#ifndef LOOPDNS_H
#define LOOPDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Records in one section of an answer. */
#define LOOPDNS_RR_MAX 16
/** Longest record text. */
#define LOOPDNS_RR_LEN 256

/** An answer, filled in by the zone function (zeroed beforehand). */
struct loopdns_answer {
	uint8_t rcode; /**< LDNS_RCODE_*; 0 is NOERROR */
	bool drop;     /**< send nothing at all */
	/** Answer section, zone-file text with absolute names
	 * ("mx.a.org. 300 IN A 192.0.2.1"). */
	char rr[LOOPDNS_RR_MAX][LOOPDNS_RR_LEN];
	size_t nrr;
	/** Authority section (an SOA for negative answers), or "". */
	char authority[LOOPDNS_RR_LEN];
};

/**
 * The zone.
 * @param qname lower case, no trailing dot
 * @param qtype LDNS_RR_TYPE_*
 */
typedef void loopdns_zone_fn(
    void *arg, const char *qname, uint16_t qtype, struct loopdns_answer *a);

struct loopdns;

/**
 * Start a server on 127.0.0.1 and a port the kernel picks.
 * @param delay_ms every answer is sent this long after its query came
 * @return the server, or NULL with a message in err
 */
struct loopdns *loopdns_start(loopdns_zone_fn *zone, void *arg,
    unsigned delay_ms, char *err, size_t errlen);

/** @return the UDP port it listens on. */
uint16_t loopdns_port(const struct loopdns *s);

/** @return the queries received so far. */
unsigned long loopdns_queries(const struct loopdns *s);

/** Stop the server (answers still held back are dropped) and free it.
 * NULL is a no-op. */
void loopdns_stop(struct loopdns *s);

#endif
