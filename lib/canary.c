/*
 * canary.c - one round of the resolver guard's canaries (see canary.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "canary.h"
#include "ipclass.h"

void
bmx_canary_defaults(struct bmx_canary_settings *s)
{
	s->enabled = true;
	s->private_name = "";
	s->nxdomain = true;
	s->interval_s = 300;
}

/* "bogusmx-canary-" and 12 random letters: a TLD that cannot exist. */
static void
random_name(char *buf, size_t len)
{
	unsigned char r[12];
	size_t i, n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)random();
	n = (size_t)snprintf(buf, len, "bogusmx-canary-");
	for (i = 0; i < sizeof(r) && n + 1 < len; i++)
		buf[n++] = (char)('a' + r[i] % 26);
	buf[n] = '\0';
}

/* Index of the first address of a that the tables call bogus, or -1. */
static int
first_private(const struct bmx_answer *a, const struct bmx_policy *p)
{
	struct bmx_ipclass cls;
	size_t i;

	if (a == NULL || a->status != BMX_DNS_OK)
		return -1;
	for (i = 0; i < a->n; i++) {
		bmx_ipclass_classify(
		    p->tables, p->ntables, p->registry, &a->addrs[i], &cls);
		if (cls.bogus)
			return (int)i;
	}
	return -1;
}

void
bmx_canary_run(struct bmx_guard *g, const struct bmx_query_servers *servers,
    const struct bmx_canary_settings *s, const struct bmx_policy *p,
    unsigned timeout_ms)
{
	struct bmx_query_servers *copy;
	struct bmx_query q[2];
	struct timespec dl;
	char nx[64];
	size_t n = 0, i, ipriv = 2, inx = 2;

	if (!s->enabled)
		return;
	copy = calloc(1, sizeof(*copy));
	if (copy == NULL)
		return;
	memcpy(copy->addr, servers->addr, sizeof(copy->addr));
	memcpy(copy->addrlen, servers->addrlen, sizeof(copy->addrlen));
	memcpy(copy->text, servers->text, sizeof(copy->text));
	copy->n = servers->n;
	copy->timeout_ms = servers->timeout_ms;
	copy->attempts = servers->attempts;
	copy->edns_size = servers->edns_size;
	memset(q, 0, sizeof(q));
	if (s->private_name != NULL && s->private_name[0] != '\0') {
		q[n].name = s->private_name;
		q[n].type = BMX_DNS_TYPE_A;
		ipriv = n++;
	}
	if (s->nxdomain) {
		random_name(nx, sizeof(nx));
		q[n].name = nx;
		q[n].type = BMX_DNS_TYPE_A;
		inx = n++;
	}
	bmx_query_deadline(&dl, timeout_ms);
	if (n > 0)
		bmx_query_run(copy, q, n, &dl);
	if (ipriv < n)
		bmx_guard_private_answer(g, s->private_name, q[ipriv].answer,
		    first_private(q[ipriv].answer, p));
	if (inx < n)
		bmx_guard_nxdomain_answer(g, q[inx].answer);
	bmx_guard_round_done(g);
	for (i = 0; i < n; i++)
		bmx_answer_unref(q[i].answer);
	free(copy);
}
