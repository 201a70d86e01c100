/*
 * loopdns.c - a DNS server in a thread: one UDP socket on 127.0.0.1,
 * answers built with ldns from the caller's zone function, each sent
 * delay_ms after its query arrived
 *
 * The thread polls (ppoll, to the microsecond) the socket and the read
 * end of a pipe (written by loopdns_stop()).  Answers held back wait in a FIFO:
 * with one delay for all, the order of arrival is the order they fall due, so
 * the poll timeout is always the head's.  The FIFO, the socket and the pipe
 * belong to the thread; the query counter is an atomic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopdns.h"

/* Longest query read (longer ones are cut, and go unanswered). */
#define QUERY_MAX 1232
/* Queries read before any is answered. */
#define BATCH 64

struct held {
	struct held *next;
	long long due; /* monotonic us */
	struct sockaddr_in to;
	size_t len;
	uint8_t wire[];
};

struct query_in {
	long long arrived; /* monotonic us */
	struct sockaddr_in from;
	size_t len;
	uint8_t wire[QUERY_MAX];
};

struct loopdns {
	loopdns_zone_fn *zone;
	void *arg;
	unsigned delay_ms;
	int fd;
	int stop[2];
	uint16_t port;
	pthread_t thread;
	struct held *head, *tail;
	struct query_in batch[BATCH];
	_Atomic unsigned long queries;
};

static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A name as text: lower case, no trailing dot. */
static void
name_text(const ldns_rdf *rdf, char *out, size_t len)
{
	char *s = ldns_rdf2str(rdf);
	size_t i, n;

	snprintf(out, len, "%s", s != NULL ? s : "");
	free(s);
	n = strlen(out);
	if (n > 1 && out[n - 1] == '.')
		out[--n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

static bool
push_text(ldns_pkt *p, ldns_pkt_section sec, const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK) {
		fprintf(stderr, "loopdns: bad record \"%s\"\n", text);
		return false;
	}
	ldns_pkt_push_rr(p, sec, rr);
	return true;
}

/* The answer to one query, in wire format (malloc'ed), or NULL. */
static uint8_t *
answer(struct loopdns *s, const uint8_t *q, size_t qlen, size_t *len)
{
	struct loopdns_answer *a = NULL;
	ldns_pkt *query = NULL, *r = NULL;
	const ldns_rr *question;
	uint8_t *wire = NULL;
	char qname[LDNS_MAX_DOMAINLEN * 4 + 2];
	size_t i;

	if (ldns_wire2pkt(&query, q, qlen) != LDNS_STATUS_OK ||
	    ldns_pkt_qr(query) ||
	    ldns_rr_list_rr_count(ldns_pkt_question(query)) != 1)
		goto out;
	question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	name_text(ldns_rr_owner(question), qname, sizeof(qname));
	a = calloc(1, sizeof(*a));
	r = ldns_pkt_new();
	if (a == NULL || r == NULL)
		goto out;
	s->zone(s->arg, qname, (uint16_t)ldns_rr_get_type(question), a);
	if (a->drop)
		goto out;
	ldns_pkt_set_id(r, ldns_pkt_id(query));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_aa(r, true);
	ldns_pkt_set_rd(r, ldns_pkt_rd(query));
	ldns_pkt_set_ra(r, true);
	ldns_pkt_set_rcode(r, a->rcode);
	ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
	for (i = 0; i < a->nrr && i < LOOPDNS_RR_MAX; i++)
		if (!push_text(r, LDNS_SECTION_ANSWER, a->rr[i]))
			goto out;
	if (a->authority[0] != '\0' &&
	    !push_text(r, LDNS_SECTION_AUTHORITY, a->authority))
		goto out;
	if (ldns_pkt2wire(&wire, r, len) != LDNS_STATUS_OK) {
		free(wire);
		wire = NULL;
	}
out:
	ldns_pkt_free(query);
	ldns_pkt_free(r);
	free(a);
	return wire;
}

static void
send_due(struct loopdns *s, long long now)
{
	struct held *h;

	while ((h = s->head) != NULL && h->due <= now) {
		s->head = h->next;
		if (s->head == NULL)
			s->tail = NULL;
		(void)sendto(s->fd, h->wire, h->len, 0,
		    (const struct sockaddr *)&h->to, sizeof(h->to));
		free(h);
	}
}

/* Queue the answer to one query. */
static void
hold(struct loopdns *s, const struct query_in *in)
{
	struct held *h;
	uint8_t *wire;
	size_t len;

	wire = answer(s, in->wire, in->len, &len);
	if (wire == NULL)
		return;
	h = malloc(sizeof(*h) + len);
	if (h != NULL) {
		h->next = NULL;
		h->due = in->arrived + s->delay_ms * 1000LL;
		h->to = in->from;
		h->len = len;
		memcpy(h->wire, wire, len);
		if (s->tail != NULL)
			s->tail->next = h;
		else
			s->head = h;
		s->tail = h;
	}
	free(wire);
}

/*
 * Read every query waiting, then answer them: the delay of each runs
 * from its arrival, not from when the answers before it were built.
 */
static void
receive(struct loopdns *s)
{
	struct query_in *in;
	socklen_t fromlen;
	size_t n, i;
	ssize_t got;

	do {
		for (n = 0; n < BATCH; n++) {
			in = &s->batch[n];
			fromlen = sizeof(in->from);
			got = recvfrom(s->fd, in->wire, sizeof(in->wire), 0,
			    (struct sockaddr *)&in->from, &fromlen);
			if (got < 0)
				break; /* EAGAIN, or an error: poll again */
			in->arrived = mono_us();
			in->len = (size_t)got;
			atomic_fetch_add(&s->queries, 1);
		}
		for (i = 0; i < n; i++)
			hold(s, &s->batch[i]);
		if (s->delay_ms == 0)
			send_due(s, mono_us());
	} while (n == BATCH);
}

static void *
serve(void *arg)
{
	struct loopdns *s = arg;
	struct pollfd pfd[2];
	struct timespec ts, *wait;
	long long now, left;

	/* held answers go out on time, not up to 50 us late */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	pfd[0].fd = s->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = s->stop[0];
	pfd[1].events = POLLIN;
	for (;;) {
		now = mono_us();
		send_due(s, now);
		wait = NULL;
		if (s->head != NULL) {
			/* to the microsecond: a delay is a round trip */
			left = s->head->due - now;
			ts.tv_sec = (time_t)(left / 1000000);
			ts.tv_nsec = (long)(left % 1000000) * 1000;
			wait = &ts;
		}
		if (ppoll(pfd, 2, wait, NULL) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents != 0)
			receive(s);
	}
	return NULL;
}

struct loopdns *
loopdns_start(loopdns_zone_fn *zone, void *arg, unsigned delay_ms, char *err,
    size_t errlen)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct loopdns *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "loopdns: out of memory");
		return NULL;
	}
	s->zone = zone;
	s->arg = arg;
	s->delay_ms = delay_ms;
	s->stop[0] = s->stop[1] = -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 ||
	    bind(s->fd, (const struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sin, &slen) != 0 ||
	    pipe2(s->stop, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "loopdns: socket on 127.0.0.1: %s",
		    strerror(errno));
		goto fail;
	}
	s->port = ntohs(sin.sin_port);
	if ((errno = pthread_create(&s->thread, NULL, serve, s)) != 0) {
		snprintf(err, errlen, "loopdns: thread: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (s->stop[0] >= 0) {
		close(s->stop[0]);
		close(s->stop[1]);
	}
	free(s);
	return NULL;
}

uint16_t
loopdns_port(const struct loopdns *s)
{
	return s->port;
}

unsigned long
loopdns_queries(const struct loopdns *s)
{
	return atomic_load(&s->queries);
}

void
loopdns_stop(struct loopdns *s)
{
	struct held *h;

	if (s == NULL)
		return;
	while (write(s->stop[1], "", 1) < 0 && errno == EINTR)
		;
	pthread_join(s->thread, NULL);
	while ((h = s->head) != NULL) {
		s->head = h->next;
		free(h);
	}
	close(s->fd);
	close(s->stop[0]);
	close(s->stop[1]);
	free(s);
}
