/*
 * query.h - send many DNS queries at once and wait for all of them
 *
 * bmx_query_run() sends every query of a batch at once, over UDP, each
 * from its own socket (so each has its own random source port) with a
 * random ID, and waits in one poll(2) loop until every query has an
 * answer or the deadline passes.  A batch of MX, A and AAAA queries costs
 * one round trip, not one per query.
 *
 * Each reply is checked (source address and port, ID, question) before it
 * is believed; a reply that fails the check is dropped and counted, and
 * the query goes on waiting for the real one.  A truncated reply is asked
 * again over TCP.  An attempt that is not answered within the per-attempt
 * timeout, or is answered with SERVFAIL, REFUSED or a malformed packet,
 * is retried on the next server, up to the configured number of attempts.
 * FORMERR or NOTIMP to a query with EDNS is asked again of the same
 * server without EDNS (RFC 6891 section 7), once per query, without
 * counting as an attempt.
 * A server that timed out is tried last for a while (BMX_QUERY_HOLDDOWN
 * seconds), never dropped for good.
 *
 * Queries in flight: at most max_inflight queries of all the threads
 * that share the servers struct are outstanding at once (0: no limit).
 * A query holds its place from its first attempt to its answer, retries
 * and TCP included, so the number of sockets open for DNS is bounded
 * too.  A query that finds every place taken waits for one, polling
 * every BMX_QUERY_QUEUE_POLL_MS, until the batch's deadline; then it
 * fails as a temporary failure like any query that was not answered.
 *
 * Ownership: the caller owns the struct bmx_query array; each query's
 * answer (one reference) is the caller's after the run.  The servers
 * struct is shared between threads.
 *
 * Thread safety: bmx_query_run() may run in many threads at once with
 * the same struct bmx_query_servers; its counters and server health are
 * atomics.
 */
#ifndef BMX_QUERY_H
#define BMX_QUERY_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "dnsmsg.h"

/** Most nameservers used. */
#define BMX_QUERY_SERVERS_MAX 8
/** Seconds a server that timed out is tried last. */
#define BMX_QUERY_HOLDDOWN 30
/** How often a query waiting for a place in flight looks again, ms. */
#define BMX_QUERY_QUEUE_POLL_MS 5

struct bmx_query_servers {
	struct sockaddr_storage addr[BMX_QUERY_SERVERS_MAX];
	socklen_t addrlen[BMX_QUERY_SERVERS_MAX];
	char text[BMX_QUERY_SERVERS_MAX][BMX_IP_STRLEN + 16]; /**< for logs */
	size_t n;
	unsigned timeout_ms;	   /**< per attempt */
	unsigned attempts;	   /**< per query, over all servers */
	uint16_t edns_size;	   /**< 0: no EDNS0 */
	unsigned max_inflight;	   /**< queries outstanding at once; 0: any */
	_Atomic unsigned inflight; /**< queries outstanding now */
	_Atomic unsigned inflight_max; /**< the most seen at once */
	/* health: monotonic ms until which server i is tried last */
	_Atomic long long holddown_until[BMX_QUERY_SERVERS_MAX];
	/* counters */
	_Atomic unsigned long sent;	/**< queries sent (UDP and TCP) */
	_Atomic unsigned long dropped;	/**< replies dropped as not ours */
	_Atomic unsigned long timeouts; /**< attempts that timed out */
	_Atomic unsigned long tcp;	/**< retries over TCP */
	_Atomic unsigned long noedns;	/**< retries without EDNS */
	_Atomic unsigned long queued;	/**< queries that waited for a place */
	_Atomic unsigned long starved;	/**< ... and never got one */
};

/** One query of a batch. */
struct bmx_query {
	const char *name; /**< in: normalised name */
	uint16_t type;	  /**< in: BMX_DNS_TYPE_* */
	/** out: the answer, always set after bmx_query_run() (a TEMPFAIL
	 * answer for timeouts); NULL only when memory ran out. */
	struct bmx_answer *answer;
	/** out: the batch's deadline passed before an answer came (answer
	 * is then a TEMPFAIL that says so): the caller's time ran out,
	 * not necessarily DNS. */
	bool timed_out;
	/* private state of the run */
	int fd;
	int tcp;
	int placed; /**< holds a place in flight */
	int noedns; /**< asked again without EDNS */
	unsigned attempt;
	size_t server;
	uint16_t id;
	long long expires;
	uint8_t wire[BMX_DNS_QUERY_MAX + 2];
	size_t wlen, done_bytes;
	uint8_t *rbuf;
	size_t rlen, rwant;
	char last_why[128];
};

/**
 * Parse a nameserver "ADDRESS", "ADDRESS:PORT" (IPv4), "[ADDRESS]:PORT"
 * or "ADDRESS#PORT" and add it.
 * @param default_port port when none is given (53)
 * @return 0, or -1 with a message in err
 */
int bmx_query_add_server(struct bmx_query_servers *s, const char *spec,
    unsigned default_port, char *err, size_t errlen);

/**
 * Add the nameservers of a resolv.conf file (its "nameserver" lines).
 * @return the number added, or -1 with a message in err
 */
int bmx_query_servers_from_resolv(
    struct bmx_query_servers *s, const char *path, char *err, size_t errlen);

/**
 * Run a batch of queries in parallel.
 * @param s servers and their settings
 * @param q the queries; answer must be NULL on entry
 * @param n how many
 * @param deadline CLOCK_MONOTONIC time by which to give up
 */
void bmx_query_run(struct bmx_query_servers *s, struct bmx_query *q, size_t n,
    const struct timespec *deadline);

/** Set ts to CLOCK_MONOTONIC now plus ms (a deadline for
 * bmx_query_run()).  Inline, so that code resolving through another
 * bmx_query_run() (the fuzz targets' stub) need not link query.o. */
static inline void
bmx_query_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
