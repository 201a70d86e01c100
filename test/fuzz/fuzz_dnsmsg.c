/*
 * fuzz_dnsmsg.c - libFuzzer target: DNS answers through the resolver and
 * the policy (lib/dnsmsg, lib/resolve, lib/cache, lib/ipclass,
 * lib/policy)
 *
 * The fuzzer is the network.  It is linked with fuzz_query_stub.c's
 * bmx_query_run() and defines bmx_now_ms() itself (a fixed clock), so
 * the linker never takes lib/query.o or lib/clock.o from the library (a
 * link error says so if anything
 * else ever needs it): every query that bmx_resolve() sends - MX, then A and
 * AAAA of the hosts, CNAME targets - is answered with the next reply of the
 * input, run through bmx_dnsmsg_parse() against the real question and ID
 * exactly as query.c does (a mismatch is dropped and the next reply read, TC
 * moves to "TCP", SERVFAIL and malformed answers cost an attempt).  The
 * resolution is then judged by bmx_policy_judge() with the built-in
 * registry (and a user table with REJECT, DEFER, 4NN/5NN, OK, DUNNO and
 * WARN rules when the input asks for it).
 *
 * Input:
 *   flags (1 byte)   bit 0: mode all; 1: user table; 2: own addresses;
 *                    3: cache; 4-5: max-mx 32, 1, 2, 5; 6-7: max-cname
 *                    8, 0, 1, 15
 *   domain, NUL      the recipient domain (normalised; a bad one ends
 *                    the run)
 *   replies          each: ctl (1 byte), length (2 bytes, big endian),
 *                    bytes.  ctl & 3: 0 the bytes are the header flags
 *                    and the counts (8 bytes: flags, an, ns, ar) and the
 *                    sections after the question, which is the query's
 *                    own; 1 a whole packet whose ID is set to the
 *                    query's; 2 a whole packet as it is; 3 no reply (the
 *                    attempt times out)
 *
 * Checks, beyond the sanitizers: every answer is consistent (status and
 * records, CNAME chain, MX order, address families, printable names);
 * the resolution keeps its limits; and the verdict never lets a bogus
 * domain through: no accept when the domain or a host is special-use,
 * when (mode any) any address kept is in a reject class, when the MX
 * lookup failed, or without a usable address.  Reply texts are
 * printable and fit.
 *
 * test/fuzz/fuzz_dns_seeds.c writes the seeds from test/dns/ *.data.
 * FUZZ_VERBOSE=1 in the environment prints each verdict and reply.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cache.h"
#include "clock.h"
#include "dnsmsg.h"
#include "ipclass.h"
#include "policy.h"
#include "query.h"
#include "registry.h"
#include "resolve.h"

#include "fuzz_common.h"
#include "fuzz_query_stub.h"

#define SERVER "192.0.2.53"
#define ATTEMPTS 3
/* Replies one query may read (drops included) before it gives up. */
#define READS_MAX 8

static const char user_table[] = "192.0.2.0/25 REJECT in the user table\n"
				 "192.0.2.128/25 DEFER try again\n"
				 "198.51.100.0/24 550 5.7.9 own code\n"
				 "203.0.113.0/24 451 4.7.9 own deferral\n"
				 "2001:db8::/48 OK\n"
				 "2001:db8:1::/48 DUNNO\n"
				 "100.64.0.0/10 WARN shared space\n"
				 "if 10.0.0.0/8\n"
				 "!10.1.0.0/16 OK\n"
				 "endif\n";

static struct bmx_cidr_table *registry, *user;

/* The replies of the input still to be read. */
static const uint8_t *in;
static size_t in_len;

long long
bmx_now_ms(void)
{
	return 1000000;
}

static long long
fixed_clock(void *arg)
{
	(void)arg;
	return 1000000;
}

static bool
next_reply(unsigned *ctl, const uint8_t **bytes, size_t *len)
{
	size_t n;

	if (in_len < 3)
		return false;
	*ctl = in[0] & 3;
	n = (size_t)in[1] << 8 | in[2];
	in += 3;
	in_len -= 3;
	if (n > in_len)
		n = in_len;
	*bytes = in;
	*len = n;
	in += n;
	in_len -= n;
	return true;
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* What every answer must be, whatever the bytes were. */
static void
check_answer(const struct bmx_answer *a, const char *qname, uint16_t qtype)
{
	size_t i, k;

	FUZZ_CHECK(a->refs == 1);
	FUZZ_CHECK(a->qtype == qtype && strcmp(a->qname, qname) == 0);
	FUZZ_CHECK(a->ncnames <= BMX_DNS_CNAME_MAX);
	FUZZ_CHECK(a->target ==
	    (a->ncnames > 0 ? a->cnames[a->ncnames - 1] : a->qname));
	for (i = 0; i < a->ncnames; i++)
		FUZZ_CHECK(printable(a->cnames[i]));
	FUZZ_CHECK(a->n <=
	    (a->qtype == BMX_DNS_TYPE_MX ? BMX_DNS_RR_MAX : BMX_DNS_ADDR_MAX));
	FUZZ_CHECK(a->why != NULL);
	FUZZ_CHECK(bmx_answer_size(a) > sizeof(*a));
	switch (a->status) {
	case BMX_DNS_OK:
		/* records, or all of them left out (counted) */
		FUZZ_CHECK(a->n > 0 || a->dropped > 0);
		break;
	case BMX_DNS_TEMPFAIL:
	case BMX_DNS_MALFORMED:
		FUZZ_CHECK(a->why[0] != '\0' && a->ttl == 0);
		/* fall through */
	case BMX_DNS_NODATA:
	case BMX_DNS_NXDOMAIN:
	case BMX_DNS_CNAME_LOOP:
		FUZZ_CHECK(a->n == 0);
		break;
	default:
		FUZZ_CHECK(!"unknown status");
	}
	if (a->chase)
		FUZZ_CHECK(a->ncnames > 0);
	if (qtype == BMX_DNS_TYPE_MX) {
		FUZZ_CHECK(a->addrs == NULL && (a->n == 0 || a->mx != NULL));
		for (i = 0; i < a->n; i++) {
			FUZZ_CHECK(a->mx[i].host[0] == '\0' ||
			    printable(a->mx[i].host));
			/* a longer text is left out (lib/dnsmsg.h) */
			FUZZ_CHECK(strlen(a->mx[i].host) <= BMX_DOMAIN_MAX);
			if (i > 0)
				FUZZ_CHECK(a->mx[i - 1].preference <=
				    a->mx[i].preference);
		}
		return;
	}
	FUZZ_CHECK(a->mx == NULL && (a->n == 0 || a->addrs != NULL));
	for (i = 0; i < a->n; i++) {
		FUZZ_CHECK(a->addrs[i].family ==
		    (qtype == BMX_DNS_TYPE_A ? BMX_IP_V4 : BMX_IP_V6));
		for (k = 0; k < i; k++)
			FUZZ_CHECK(!bmx_ip_equal(&a->addrs[i], &a->addrs[k]));
	}
}

/* The reply packet for q: the input's bytes, or the query's question
 * with the input's header and sections. */
static size_t
make_packet(uint8_t *pkt, size_t cap, const struct bmx_query *q, unsigned ctl,
    const uint8_t *b, size_t len)
{
	size_t qlen = q->wlen - 12, n;

	if (ctl == 2) {
		memcpy(pkt, b, len);
		return len;
	}
	if (ctl == 1) {
		memcpy(pkt, b, len);
		if (len >= 2) {
			pkt[0] = (uint8_t)(q->id >> 8);
			pkt[1] = (uint8_t)q->id;
		}
		return len;
	}
	memset(pkt, 0, 12);
	pkt[0] = (uint8_t)(q->id >> 8);
	pkt[1] = (uint8_t)q->id;
	memcpy(pkt + 2, b, len < 2 ? len : 2);
	pkt[5] = 1;
	if (len > 2)
		memcpy(pkt + 6, b + 2, len - 2 < 6 ? len - 2 : 6);
	memcpy(pkt + 12, q->wire + 12, qlen);
	n = len > 8 ? len - 8 : 0;
	if (12 + qlen + n > cap)
		n = cap - 12 - qlen;
	memcpy(pkt + 12 + qlen, b + 8, n);
	return 12 + qlen + n;
}

void
fuzz_answer_one(struct bmx_query *q)
{
	static uint8_t pkt[65536 + 600];
	struct bmx_answer *a;
	const uint8_t *b;
	unsigned ctl, attempt = 0, reads = 0;
	bool tcp = false;
	size_t len, plen;
	char why[256] = "";

	q->id = (uint16_t)(0x4242 + q->type);
	q->wlen = bmx_dnsmsg_query(q->wire, q->name, q->type, q->id, 0);
	if (q->wlen == 0) {
		q->answer = bmx_answer_error(q->name, q->type,
		    BMX_DNS_MALFORMED, "not a valid DNS name");
		return;
	}
	FUZZ_CHECK(q->wlen > 12 && q->wlen <= BMX_DNS_QUERY_MAX);
	while (attempt < ATTEMPTS && reads++ < READS_MAX &&
	    next_reply(&ctl, &b, &len)) {
		if (ctl == 3) {
			snprintf(why, sizeof(why), "no answer from %s", SERVER);
			attempt++;
			tcp = false;
			continue;
		}
		plen = make_packet(pkt, sizeof(pkt), q, ctl, b, len);
		switch (bmx_dnsmsg_parse(
		    pkt, plen, q->id, q->name, q->type, SERVER, &a)) {
		case BMX_DNSMSG_MISMATCH:
			continue;
		case BMX_DNSMSG_TRUNCATED:
			if (tcp) {
				attempt++;
				tcp = false;
			} else {
				tcp = true;
			}
			continue;
		case BMX_DNSMSG_ANSWER:
			break;
		}
		FUZZ_CHECK(a != NULL);
		check_answer(a, q->name, q->type);
		if (a->status != BMX_DNS_TEMPFAIL &&
		    a->status != BMX_DNS_MALFORMED) {
			q->answer = a;
			return;
		}
		snprintf(why, sizeof(why), "%s", a->why);
		bmx_answer_unref(a);
		attempt++;
		tcp = false;
	}
	q->answer = bmx_answer_error(q->name, q->type, BMX_DNS_TEMPFAIL,
	    why[0] != '\0' ? why : "no answer from " SERVER);
}

/* An RRset of n addresses that holds nothing but the unspecified
 * address (0.0.0.0, ::): what a resolver that blocks the name answers. */
static bool
all_unspecified(const struct bmx_ip *a, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (!bmx_ip_unspecified(&a[k]))
			return false;
	return n > 0;
}

/* The verdict must never let a bogus domain through. */
static void
check_verdict(const struct bmx_policy *pol, const struct bmx_resolution *res,
    const struct bmx_judgement *j)
{
	const struct bmx_decision *d = &j->d;
	struct bmx_ipclass cls;
	size_t i, k, total = 0, bogus = 0, usable = 0, nblocked = 0;
	char esc[2 * BMX_REPLY_MAX], text[BMX_REPLY_MAX];
	bool blocked[2];

	FUZZ_CHECK(memchr(d->detail, '\0', sizeof(d->detail)) != NULL);
	FUZZ_CHECK(bmx_decision_text(d, text, sizeof(text)) < sizeof(text));
	FUZZ_CHECK(fuzz_text_ok(text));
	FUZZ_CHECK(bmx_reply_escape(text, esc, sizeof(esc)));
	switch (d->verdict) {
	case BMX_VERDICT_ACCEPT:
		FUZZ_CHECK(d->code == 0 && text[0] == '\0');
		FUZZ_CHECK(d->outcome == BMX_OUTCOME_ACCEPT);
		break;
	case BMX_VERDICT_REJECT:
		FUZZ_CHECK(d->code >= 500 && d->code <= 599);
		FUZZ_CHECK(d->dsn[0] == '5' && d->detail[0] != '\0');
		break;
	case BMX_VERDICT_TEMPFAIL:
		FUZZ_CHECK(d->code >= 400 && d->code <= 499);
		FUZZ_CHECK(d->dsn[0] == '4' && d->detail[0] != '\0');
		break;
	default:
		FUZZ_CHECK(!"unknown verdict");
	}
	if (res->special_rule != NULL) {
		FUZZ_CHECK(d->verdict == BMX_VERDICT_REJECT);
		return;
	}
	if (res->mx == NULL || res->mx->status == BMX_DNS_TEMPFAIL ||
	    res->mx->status == BMX_DNS_MALFORMED) {
		FUZZ_CHECK(d->verdict == BMX_VERDICT_TEMPFAIL);
		return;
	}
	if (res->mx->status != BMX_DNS_OK && res->mx->status != BMX_DNS_NODATA)
		FUZZ_CHECK(d->verdict != BMX_VERDICT_ACCEPT);
	/* classify every address kept, independently of the policy */
	for (i = 0; i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];

		if (h->kind == BMX_HOST_SPECIAL) {
			FUZZ_CHECK(h->special_rule != NULL);
			bogus++;
			continue;
		}
		if (h->kind == BMX_HOST_NULL)
			FUZZ_CHECK(res->null_mx);
		if (h->kind == BMX_HOST_LITERAL) {
			total++;
			bmx_ipclass_classify(pol->tables, pol->ntables,
			    pol->registry, &h->literal, &cls);
			bogus += cls.bogus;
			usable += !cls.bogus;
			continue;
		}
		FUZZ_CHECK(h->naddrs == h->n4 + h->n6);
		if (h->kind != BMX_HOST_NAME) {
			FUZZ_CHECK(h->naddrs == 0);
			continue;
		}
		FUZZ_CHECK(h->n4 <= (h->a != NULL ? h->a->n : 0));
		FUZZ_CHECK(h->n6 <= (h->aaaa != NULL ? h->aaaa->n : 0));
		blocked[0] = !pol->unspecified_reject &&
		    all_unspecified(h->addrs[0], h->n4);
		blocked[1] = !pol->unspecified_reject &&
		    all_unspecified(h->addrs[1], h->n6);
		nblocked += blocked[0] + blocked[1];
		for (k = 0; k < h->naddrs; k++) {
			const struct bmx_ip *ip = k < h->n4 ?
			    &h->addrs[0][k] :
			    &h->addrs[1][k - h->n4];

			FUZZ_CHECK(
			    ip->family == (k < h->n4 ? BMX_IP_V4 : BMX_IP_V6));
			total++;
			/* what a blocking resolver answers is not judged */
			if (blocked[k >= h->n4])
				continue;
			bmx_ipclass_classify(
			    pol->tables, pol->ntables, pol->registry, ip, &cls);
			bogus += cls.bogus;
			usable += !cls.bogus;
		}
	}
	FUZZ_CHECK(j->nclasses == total);
	FUZZ_CHECK(j->nbogus == bogus);
	FUZZ_CHECK(j->nusable <= usable);
	FUZZ_CHECK((j->unspecified != NULL) == (nblocked > 0));
	if (d->verdict != BMX_VERDICT_ACCEPT)
		return;
	FUZZ_CHECK(nblocked == 0);
	FUZZ_CHECK(j->nusable > 0 && usable > 0);
	FUZZ_CHECK(!res->null_mx);
	if (pol->mode == BMX_MODE_ANY)
		FUZZ_CHECK(bogus == 0);
}

static void
check_resolution(const struct bmx_resolver *r, const struct bmx_resolution *res)
{
	size_t i, addrs = 0, max_mx = r->max_mx ? r->max_mx : 1, want;

	/* max_mx hosts, or a group of equal preference that max_mx would
	 * cut taken whole (up to BMX_MX_GROUP_MAX) or left out whole */
	FUZZ_CHECK(res->nhosts <=
	    (max_mx > BMX_MX_GROUP_MAX ? max_mx : BMX_MX_GROUP_MAX));
	if (res->mx != NULL && res->mx->status == BMX_DNS_OK &&
	    res->special_rule == NULL && res->hosts != NULL) {
		want = res->mx->n < max_mx ? res->mx->n : max_mx;
		if (res->mx_group_cut)
			FUZZ_CHECK(res->nhosts < want);
		else
			FUZZ_CHECK(res->nhosts >= want);
		for (i = max_mx; i < res->nhosts; i++)
			FUZZ_CHECK(res->hosts[i].preference ==
			    res->hosts[max_mx - 1].preference);
		/* never a group cut in two */
		if (res->nhosts > 0 && res->nhosts < res->mx->n)
			FUZZ_CHECK(res->mx->mx[res->nhosts].preference !=
			    res->hosts[res->nhosts - 1].preference);
	}
	if (res->mx_limited)
		FUZZ_CHECK(res->mx_total > res->nhosts);
	for (i = 0; i < res->nhosts; i++) {
		FUZZ_CHECK(res->hosts[i].name != NULL);
		addrs += res->hosts[i].naddrs;
	}
	/* hosts are taken whole until max_addrs: the last one may pass it
	 * by its own RRsets, at most BMX_DNS_ADDR_MAX each */
	FUZZ_CHECK(addrs < r->max_addrs + 2 * BMX_DNS_ADDR_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned max_mx[] = { 32, 1, 2, 5 };
	static const unsigned max_cname[] = { 8, 0, 1, 15 };
	static const char *const self_text[] = { "192.0.2.1", "2001:db8::25",
		"8.8.8.8" };
	const struct bmx_cidr_table *tables[2];
	struct bmx_ip self[3];
	char domain[BMX_DOMAIN_MAX + 1], err[256];
	struct bmx_query_servers servers;
	struct bmx_resolution res;
	struct bmx_cache_config cc;
	struct bmx_resolver r;
	struct bmx_judgement j;
	struct bmx_policy pol;
	const uint8_t *nul;
	unsigned flags;
	char *name;
	size_t i;

	if (registry == NULL) {
		struct bmx_diag d;

		bmx_diag_init(&d);
		registry = bmx_registry_table(&d);
		user = bmx_cidr_parse(
		    "user.cidr", user_table, strlen(user_table), &d);
		FUZZ_CHECK(registry != NULL && user != NULL);
		FUZZ_CHECK(bmx_access_check_table(user, &d));
		bmx_diag_clear(&d);
	}
	if (size < 2)
		return 0;
	flags = data[0];
	nul = memchr(data + 1, '\0', size - 1);
	if (nul == NULL)
		return 0;
	name = fuzz_cstr(data + 1, (size_t)(nul - data - 1));
	if (bmx_domain_normalize(name, domain, err, sizeof(err)) !=
	    BMX_ADDR_OK) {
		free(name);
		return 0;
	}
	free(name);
	in = nul + 1;
	in_len = size - (size_t)(in - data);

	memset(&servers, 0, sizeof(servers));
	memset(&r, 0, sizeof(r));
	r.servers = &servers;
	r.max_mx = max_mx[flags >> 4 & 3];
	r.max_addrs = 64;
	r.max_cname = max_cname[flags >> 6 & 3];
	r.deadline_ms = 6000;
	if (flags & 8) {
		memset(&cc, 0, sizeof(cc));
		cc.max_entries = 8;
		cc.min_ttl = 10;
		cc.max_ttl = 3600;
		cc.max_neg_ttl = 600;
		cc.stale_ttl = 3600;
		cc.clock = fixed_clock;
		r.cache = bmx_cache_new(&cc);
		FUZZ_CHECK(r.cache != NULL);
	}
	memset(&pol, 0, sizeof(pol));
	i = 0;
	if (flags & 2)
		tables[i++] = user;
	tables[i++] = registry;
	pol.tables = tables;
	pol.ntables = i;
	pol.registry = registry;
	pol.mode = flags & 1 ? BMX_MODE_ALL : BMX_MODE_ANY;
	if (flags & 4) {
		for (i = 0; i < 3; i++)
			FUZZ_CHECK(bmx_ip_parse(self_text[i], &self[i]));
		pol.self = self;
		pol.nself = 3;
	}

	bmx_resolve(&r, domain, &res);
	check_resolution(&r, &res);
	bmx_policy_judge(&pol, "user@fuzz", &res, &j);
	check_verdict(&pol, &res, &j);
	if (getenv("FUZZ_VERBOSE") != NULL) {
		char reply[2 * BMX_REPLY_MAX];

		bmx_decision_reply(&j.d, reply, sizeof(reply));
		fprintf(stderr, "%s: %s %s%s%s\n", domain,
		    bmx_verdict_name(j.d.verdict), reply,
		    j.why[0] != '\0' ? " | " : "", j.why);
	}
	bmx_judgement_clear(&j);
	bmx_resolution_clear(&res);
	bmx_cache_free(r.cache);
	return 0;
}
