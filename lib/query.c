/*
 * query.c - parallel DNS queries in one poll(2) loop: UDP, TCP on
 * truncation, retries over servers, one deadline for the batch
 *
 * Each query owns at most one socket at a time; all are closed before
 * bmx_query_run() returns.  Reply buffers are allocated per run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "fileio.h"
#include "query.h"

#define REPLY_MAX 65535

static bool
parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return false;
	v = strtoul(s, NULL, 10);
	if (v == 0 || v > 65535)
		return false;
	*port = (unsigned)v;
	return true;
}

int
bmx_query_add_server(struct bmx_query_servers *s, const char *spec,
    unsigned default_port, char *err, size_t errlen)
{
	char host[BMX_IP_STRLEN];
	const char *port_text = NULL, *p;
	unsigned port = default_port;
	struct bmx_ip ip;
	size_t len;

	if (s->n >= BMX_QUERY_SERVERS_MAX) {
		snprintf(err, errlen, "%s: more than %d nameservers", spec,
		    BMX_QUERY_SERVERS_MAX);
		return -1;
	}
	if (spec[0] == '[') {
		p = strchr(spec, ']');
		if (p == NULL || (p[1] != '\0' && p[1] != ':'))
			goto bad;
		len = (size_t)(p - spec - 1);
		if (p[1] == ':')
			port_text = p + 2;
		spec++;
	} else if ((p = strchr(spec, '#')) != NULL) {
		len = (size_t)(p - spec);
		port_text = p + 1;
	} else if ((p = strchr(spec, ':')) != NULL &&
	    strchr(p + 1, ':') == NULL) {
		len = (size_t)(p - spec);
		port_text = p + 1;
	} else {
		len = strlen(spec);
	}
	if (len >= sizeof(host))
		goto bad;
	memcpy(host, spec, len);
	host[len] = '\0';
	if (!bmx_ip_parse(host, &ip) ||
	    (port_text != NULL && !parse_port(port_text, &port)))
		goto bad;
	memset(&s->addr[s->n], 0, sizeof(s->addr[s->n]));
	if (ip.family == BMX_IP_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr[s->n];

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, ip.bytes, 4);
		s->addrlen[s->n] = sizeof(*sin);
		snprintf(
		    s->text[s->n], sizeof(s->text[s->n]), "%s:%u", host, port);
	} else {
		struct sockaddr_in6 *sin6 =
		    (struct sockaddr_in6 *)&s->addr[s->n];

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, ip.bytes, 16);
		s->addrlen[s->n] = sizeof(*sin6);
		snprintf(s->text[s->n], sizeof(s->text[s->n]), "[%s]:%u", host,
		    port);
	}
	atomic_store(&s->holddown_until[s->n], 0);
	s->n++;
	return 0;
bad:
	snprintf(err, errlen,
	    "bad nameserver \"%s\": expected an IP address, ADDRESS:PORT or "
	    "[IPV6-ADDRESS]:PORT",
	    spec);
	return -1;
}

int
bmx_query_servers_from_resolv(
    struct bmx_query_servers *s, const char *path, char *err, size_t errlen)
{
	char *text, *line, *save = NULL, *word, *addr;
	size_t len;
	int added = 0;

	if (!bmx_file_read(path, &text, &len, err, errlen))
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ws = NULL;

		word = strtok_r(line, " \t\r", &ws);
		if (word == NULL || strcmp(word, "nameserver") != 0)
			continue;
		addr = strtok_r(NULL, " \t\r", &ws);
		if (addr == NULL || s->n >= BMX_QUERY_SERVERS_MAX)
			continue;
		/* resolv.conf allows a %zone suffix: not for us */
		if (strchr(addr, '%') != NULL)
			continue;
		if (bmx_query_add_server(s, addr, 53, err, errlen) == 0)
			added++;
	}
	free(text);
	if (added == 0) {
		snprintf(err, errlen, "%s: no usable nameserver line", path);
		return -1;
	}
	return added;
}

static uint16_t
random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)random(); /* never seen; still varies */
	return id;
}

static void
close_fd(struct bmx_query *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}

/* A place in flight for q, if one is free. */
static bool
take_place(struct bmx_query_servers *s, struct bmx_query *q)
{
	unsigned cur = atomic_load(&s->inflight), top;

	do {
		if (s->max_inflight != 0 && cur >= s->max_inflight)
			return false;
	} while (!atomic_compare_exchange_weak(&s->inflight, &cur, cur + 1));
	top = atomic_load(&s->inflight_max);
	while (cur + 1 > top &&
	    !atomic_compare_exchange_weak(&s->inflight_max, &top, cur + 1))
		;
	q->placed = 1;
	return true;
}

static void
leave_place(struct bmx_query_servers *s, struct bmx_query *q)
{
	if (q->placed)
		atomic_fetch_sub(&s->inflight, 1);
	q->placed = 0;
}

static void
finish(struct bmx_query_servers *s, struct bmx_query *q, struct bmx_answer *a)
{
	close_fd(q);
	leave_place(s, q);
	q->answer = a;
}

static void
fail(struct bmx_query_servers *s, struct bmx_query *q, const char *why)
{
	char text[256];

	if (why == NULL || why[0] == '\0') {
		if (s->n > 0)
			snprintf(text, sizeof(text), "no answer from %s",
			    s->text[0]);
		else
			snprintf(
			    text, sizeof(text), "no nameserver configured");
		why = text;
	}
	finish(s, q, bmx_answer_error(q->name, q->type, BMX_DNS_TEMPFAIL, why));
}

/* The server for attempt k: healthy ones in order, then the others. */
static size_t
pick_server(struct bmx_query_servers *s, unsigned k, long long now)
{
	size_t order[BMX_QUERY_SERVERS_MAX], n = 0, i;

	for (i = 0; i < s->n; i++)
		if (atomic_load(&s->holddown_until[i]) <= now)
			order[n++] = i;
	for (i = 0; i < s->n; i++)
		if (atomic_load(&s->holddown_until[i]) > now)
			order[n++] = i;
	return order[k % s->n];
}

static int
open_socket(const struct bmx_query_servers *s, size_t server, int type)
{
	int fd;

	fd = socket(
	    s->addr[server].ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&s->addr[server],
		s->addrlen[server]) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Start attempt q->attempt (a fresh socket and ID), or give up. */
static void
start_attempt(struct bmx_query_servers *s, struct bmx_query *q, long long now)
{
	while (q->answer == NULL) {
		if (q->attempt >= s->attempts || s->n == 0) {
			fail(s, q, q->last_why);
			return;
		}
		q->server = pick_server(s, q->attempt, now);
		q->attempt++;
		q->tcp = 0;
		q->id = random_id();
		q->wire[2] = (uint8_t)(q->id >> 8);
		q->wire[3] = (uint8_t)q->id;
		q->fd = open_socket(s, q->server, SOCK_DGRAM);
		if (q->fd >= 0 &&
		    send(q->fd, q->wire + 2, q->wlen, 0) == (ssize_t)q->wlen) {
			atomic_fetch_add(&s->sent, 1);
			q->expires = now + s->timeout_ms;
			return;
		}
		snprintf(q->last_why, sizeof(q->last_why), "sending to %s: %s",
		    s->text[q->server], strerror(errno));
		close_fd(q);
	}
}

static void
start_tcp(struct bmx_query_servers *s, struct bmx_query *q, long long now)
{
	close_fd(q);
	q->tcp = 1;
	q->done_bytes = 0;
	q->rlen = 0;
	q->rwant = 0;
	q->wire[0] = (uint8_t)(q->wlen >> 8);
	q->wire[1] = (uint8_t)q->wlen;
	q->fd = open_socket(s, q->server, SOCK_STREAM);
	atomic_fetch_add(&s->tcp, 1);
	if (q->fd < 0) {
		snprintf(q->last_why, sizeof(q->last_why), "TCP to %s: %s",
		    s->text[q->server], strerror(errno));
		start_attempt(s, q, now);
		return;
	}
	atomic_fetch_add(&s->sent, 1);
	q->expires = now + s->timeout_ms;
}

#define RCODE_FORMERR 1
#define RCODE_NOTIMP 4

/*
 * FORMERR or NOTIMP to a query with EDNS: a server that does not know
 * EDNS (RFC 6891 section 7).  Rewrite the query without it, once; the
 * caller asks the same server again.
 */
static bool
edns_refused(
    struct bmx_query_servers *s, struct bmx_query *q, const uint8_t *reply)
{
	unsigned rcode = reply[3] & 0x0f;
	size_t len;

	if (q->noedns || s->edns_size == 0 ||
	    (rcode != RCODE_FORMERR && rcode != RCODE_NOTIMP))
		return false;
	len = bmx_dnsmsg_query(q->wire + 2, q->name, q->type, 0, 0);
	if (len == 0)
		return false;
	q->wlen = len;
	q->noedns = 1;
	atomic_fetch_add(&s->noedns, 1);
	return true;
}

/* A parsed reply for q: keep it, or move on to the next attempt. */
static void
take_reply(struct bmx_query_servers *s, struct bmx_query *q, const uint8_t *buf,
    size_t len, long long now)
{
	struct bmx_answer *a;

	switch (bmx_dnsmsg_parse(
	    buf, len, q->id, q->name, q->type, s->text[q->server], &a)) {
	case BMX_DNSMSG_MISMATCH:
		atomic_fetch_add(&s->dropped, 1);
		return;
	case BMX_DNSMSG_TRUNCATED:
		if (q->tcp) {
			snprintf(q->last_why, sizeof(q->last_why),
			    "truncated answer over TCP from %s",
			    s->text[q->server]);
			close_fd(q);
			start_attempt(s, q, now);
		} else {
			start_tcp(s, q, now);
		}
		return;
	case BMX_DNSMSG_ANSWER:
		break;
	}
	if (a != NULL && a->status == BMX_DNS_TEMPFAIL &&
	    edns_refused(s, q, buf)) {
		bmx_answer_unref(a);
		close_fd(q);
		q->attempt--; /* the same server again, not a new attempt */
		start_attempt(s, q, now);
		return;
	}
	if (a != NULL && a->status != BMX_DNS_TEMPFAIL &&
	    a->status != BMX_DNS_MALFORMED) {
		atomic_store(&s->holddown_until[q->server], 0);
		finish(s, q, a);
		return;
	}
	snprintf(q->last_why, sizeof(q->last_why), "%s",
	    a != NULL ? a->why : "out of memory");
	bmx_answer_unref(a);
	close_fd(q);
	start_attempt(s, q, now);
}

static void
read_udp(struct bmx_query_servers *s, struct bmx_query *q, uint8_t *buf,
    long long now)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;

	while (q->answer == NULL && q->fd >= 0 && !q->tcp) {
		fromlen = sizeof(from);
		n = recvfrom(q->fd, buf, REPLY_MAX, 0, (struct sockaddr *)&from,
		    &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			snprintf(q->last_why, sizeof(q->last_why), "%s: %s",
			    s->text[q->server], strerror(errno));
			close_fd(q);
			start_attempt(s, q, now);
			return;
		}
		if (fromlen != s->addrlen[q->server] ||
		    memcmp(&from, &s->addr[q->server], fromlen) != 0) {
			atomic_fetch_add(&s->dropped, 1);
			continue;
		}
		take_reply(s, q, buf, (size_t)n, now);
	}
}

static void
tcp_error(struct bmx_query_servers *s, struct bmx_query *q, const char *what,
    int err, long long now)
{
	snprintf(q->last_why, sizeof(q->last_why), "TCP to %s: %s",
	    s->text[q->server], err ? strerror(err) : what);
	close_fd(q);
	start_attempt(s, q, now);
}

static void
io_tcp(struct bmx_query_servers *s, struct bmx_query *q, long long now)
{
	size_t total = q->wlen + 2;
	ssize_t n;
	int err = 0;
	socklen_t elen = sizeof(err);

	if (q->done_bytes < total) {
		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
		    err != 0) {
			tcp_error(s, q, "connect", err ? err : errno, now);
			return;
		}
		n = send(q->fd, q->wire + q->done_bytes, total - q->done_bytes,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				tcp_error(s, q, "send", errno, now);
			return;
		}
		q->done_bytes += (size_t)n;
		return;
	}
	if (q->rbuf == NULL) {
		q->rbuf = malloc(REPLY_MAX + 2);
		if (q->rbuf == NULL) {
			tcp_error(s, q, "out of memory", 0, now);
			return;
		}
	}
	n = recv(q->fd, q->rbuf + q->rlen,
	    (q->rwant ? q->rwant + 2 : 2) - q->rlen, 0);
	if (n == 0) {
		tcp_error(s, q, "connection closed before the answer", 0, now);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			tcp_error(s, q, "recv", errno, now);
		return;
	}
	q->rlen += (size_t)n;
	if (q->rwant == 0 && q->rlen == 2) {
		q->rwant = (size_t)q->rbuf[0] << 8 | q->rbuf[1];
		if (q->rwant < 12)
			tcp_error(s, q, "answer too short", 0, now);
		return;
	}
	if (q->rwant > 0 && q->rlen == q->rwant + 2) {
		/* Ready for the next message first: a reply that is not ours
		 * is dropped and the connection goes on to the next one. */
		size_t len = q->rwant;

		q->rlen = 0;
		q->rwant = 0;
		take_reply(s, q, q->rbuf + 2, len, now);
	}
}

/*
 * Resets one query for this run and starts it, or queues it for a place in
 * flight.  A query that already has an answer is left alone; one that cannot
 * start (no memory, a name not valid in DNS) gets its error answer here.
 */
static void
begin_query(struct bmx_query_servers *s, struct bmx_query *q, bool have_mem,
    long long now)
{
	q->fd = -1;
	q->attempt = 0;
	q->placed = 0;
	q->noedns = 0;
	q->rbuf = NULL;
	q->last_why[0] = '\0';
	q->timed_out = false;
	if (q->answer != NULL)
		return;
	if (!have_mem) {
		fail(s, q, "out of memory");
		return;
	}
	q->wlen =
	    bmx_dnsmsg_query(q->wire + 2, q->name, q->type, 0, s->edns_size);
	if (q->wlen == 0) {
		finish(s, q,
		    bmx_answer_error(q->name, q->type, BMX_DNS_MALFORMED,
			"not a valid DNS name"));
		return;
	}
	if (take_place(s, q))
		start_attempt(s, q, now);
	else
		atomic_fetch_add(&s->queued, 1);
}

/*
 * One round over the unanswered queries: starts those that get a place in
 * flight, moves a timed-out attempt on to the next server, and fills pfd and
 * which with the sockets to wait on.  *wait is lowered to the nearest expiry.
 * @return the number of queries still pending.
 */
static size_t
gather_pending(struct bmx_query_servers *s, struct bmx_query *q, size_t n,
    long long now, struct pollfd *pfd, size_t *which, size_t *np,
    long long *wait)
{
	size_t i, pending = 0;

	*np = 0;
	for (i = 0; i < n; i++) {
		if (q[i].answer != NULL)
			continue;
		if (!q[i].placed) {
			/* waiting for a place in flight */
			if (!take_place(s, &q[i])) {
				pending++;
				if (BMX_QUERY_QUEUE_POLL_MS < *wait)
					*wait = BMX_QUERY_QUEUE_POLL_MS;
				continue;
			}
			start_attempt(s, &q[i], now);
			if (q[i].answer != NULL)
				continue;
		}
		if (q[i].expires <= now) {
			/* this attempt timed out: next server */
			atomic_fetch_add(&s->timeouts, 1);
			atomic_store(&s->holddown_until[q[i].server],
			    now + BMX_QUERY_HOLDDOWN * 1000LL);
			snprintf(q[i].last_why, sizeof(q[i].last_why),
			    "no answer from %s within %u ms%s",
			    s->text[q[i].server], s->timeout_ms,
			    q[i].tcp ? " over TCP" : "");
			close_fd(&q[i]);
			start_attempt(s, &q[i], now);
			if (q[i].answer != NULL)
				continue;
		}
		pending++;
		if (q[i].expires - now < *wait)
			*wait = q[i].expires - now;
		pfd[*np].fd = q[i].fd;
		pfd[*np].events = q[i].tcp && q[i].done_bytes < q[i].wlen + 2 ?
		    POLLOUT :
		    POLLIN;
		pfd[*np].revents = 0;
		which[(*np)++] = i;
	}
	return pending;
}

/*
 * The deadline has passed: every unanswered query fails with the reason of
 * its last attempt, or that it never got a place in flight.
 */
static void
fail_at_deadline(struct bmx_query_servers *s, struct bmx_query *q, size_t n)
{
	char why[160];
	size_t i;

	for (i = 0; i < n; i++) {
		if (q[i].answer != NULL)
			continue;
		if (!q[i].placed) {
			atomic_fetch_add(&s->starved, 1);
			snprintf(q[i].last_why, sizeof(q[i].last_why),
			    "%u DNS queries in flight, the "
			    "most allowed (max-queries)",
			    s->max_inflight);
		}
		snprintf(why, sizeof(why), "deadline passed%s%s",
		    q[i].last_why[0] ? ": " : "", q[i].last_why);
		fail(s, &q[i], why);
		q[i].timed_out = true;
	}
}

/* Reads or writes every socket that poll reported ready. */
static void
serve_ready(struct bmx_query_servers *s, struct bmx_query *q,
    const struct pollfd *pfd, const size_t *which, size_t np, uint8_t *buf,
    long long now)
{
	size_t i;

	for (i = 0; i < np; i++) {
		struct bmx_query *x = &q[which[i]];

		if (pfd[i].revents == 0 || x->answer != NULL ||
		    x->fd != pfd[i].fd)
			continue;
		if (x->tcp)
			io_tcp(s, x, now);
		else
			read_udp(s, x, buf, now);
	}
}

void
bmx_query_run(struct bmx_query_servers *s, struct bmx_query *q, size_t n,
    const struct timespec *deadline)
{
	long long dl =
	    (long long)deadline->tv_sec * 1000 + deadline->tv_nsec / 1000000;
	struct pollfd *pfd = NULL;
	size_t *which = NULL, i, np;
	uint8_t *buf = NULL;
	long long now = bmx_now_ms(), wait;

	buf = malloc(REPLY_MAX);
	pfd = calloc(n ? n : 1, sizeof(*pfd));
	which = calloc(n ? n : 1, sizeof(*which));
	for (i = 0; i < n; i++)
		begin_query(
		    s, &q[i], buf != NULL && pfd != NULL && which != NULL, now);
	for (;;) {
		now = bmx_now_ms();
		wait = dl - now;
		if (gather_pending(s, q, n, now, pfd, which, &np, &wait) == 0)
			break;
		if (now >= dl) {
			fail_at_deadline(s, q, n);
			break;
		}
		if (wait < 0)
			wait = 0;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			wait = 0; /* poll itself failed: timeouts decide */
		serve_ready(s, q, pfd, which, np, buf, bmx_now_ms());
	}
	for (i = 0; i < n; i++) {
		close_fd(&q[i]);
		leave_place(s, &q[i]);
		free(q[i].rbuf);
		q[i].rbuf = NULL;
	}
	free(buf);
	free(pfd);
	free(which);
}
