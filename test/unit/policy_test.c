/*
 * policy_test.c - unit tests of lib/policy: the verdict and the reply
 * for resolutions built by hand, as bmx_resolve() would hand them over,
 * one table row per case: mode any and all, this server's own address
 * behind, level with and before a public host, a special-use name
 * against a bogus address in both orders, every limit (an address RRset
 * over the hard cap among them), NXDOMAIN through
 * a CNAME, temporary failures of the MX and of a host, the null MX, the
 * implicit MX, and every outcome's reply text, exactly; then single
 * addresses and the syntax replies of both roles.
 *
 * A host is written "PREF NAME [ADDRESS...]": NAME "." is the null MX,
 * an IP literal name is a literal host, a special-use name is judged
 * as such, "NAME->ALIAS" is a host whose CNAME leads to the special-use
 * ALIAS; an ADDRESS "FAIL" makes its A lookup a temporary failure.  The
 * built-in registry is the one table; this server is 93.184.216.34.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "policy.h"
#include "registry.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define HOSTS_MAX 4
#define ADDRS_MAX 4
#define SELF "93.184.216.34"

/* What the MX lookup found. */
enum mx_kind {
	MX_RECORDS,  /* NOERROR with the hosts below */
	MX_IMPLICIT, /* NODATA: the domain is its own host */
	MX_FAIL,     /* SERVFAIL */
	MX_NX,	     /* NXDOMAIN */
	MX_NX_ALIAS, /* NXDOMAIN at the end of a CNAME */
	MX_LOOP,     /* a CNAME loop */
	MX_SPECIAL,  /* the domain is special-use: not looked up */
};

/* The MX answer of each kind. */
static const struct {
	enum bmx_dns_status status;
	const char *why;
} mx_shapes[] = {
	[MX_RECORDS] = { BMX_DNS_OK, "" },
	[MX_IMPLICIT] = { BMX_DNS_NODATA, "" },
	[MX_FAIL] = { BMX_DNS_TEMPFAIL, "SERVFAIL from 127.0.0.1" },
	[MX_NX] = { BMX_DNS_NXDOMAIN, "" },
	[MX_NX_ALIAS] = { BMX_DNS_NXDOMAIN, "" },
	[MX_LOOP] = { BMX_DNS_CNAME_LOOP, "CNAME loop at a.hot.de" },
	[MX_SPECIAL] = { BMX_DNS_OK, "" },
};

/* The limits a resolution can record. */
enum {
	LIM_MX = 1,
	LIM_ADDR = 2,
	LIM_CNAME = 4,
	LIM_DEADLINE = 8,
	LIM_ADDR_CUT = 16, /* the last host has over BMX_DNS_ADDR_MAX */
	/* not a limit: the policy's unspecified-address = reject */
	SET_UNSPEC_REJECT = 32,
};

struct policy_case {
	const char *what;
	enum bmx_mode mode;
	enum mx_kind mx;
	const char *hosts[HOSTS_MAX];
	unsigned limits;
	/* expected */
	enum bmx_outcome outcome;
	const char *class_name;
	const char *reply; /* "" on accept */
	const char *why;   /* the judgement's why, or NULL: "" */
};

#define P "<u@hot.de>: Recipient address rejected: "

static const struct policy_case cases[] = {
	{ "one loopback host", BMX_MODE_ANY, MX_RECORDS,
	    { "10 null.hot.de 127.0.0.1" }, 0, BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host null.hot.de[127.0.0.1] is in loopback "
	    "network (RFC 1122)",
	    NULL },
	{ "mode any: one bogus backup is enough", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de 8.8.8.8", "20 mx2.hot.de 10.1.2.3" }, 0,
	    BMX_OUTCOME_BOGUS, "private",
	    "554 5.7.1 " P "MX host mx2.hot.de[10.1.2.3] is in private "
	    "network (RFC 1918)",
	    NULL },
	{ "mode all: a usable host accepts", BMX_MODE_ALL, MX_RECORDS,
	    { "10 mx1.hot.de 8.8.8.8", "20 mx2.hot.de 10.1.2.3" }, 0,
	    BMX_OUTCOME_ACCEPT, "public", "", NULL },
	{ "mode all: a usable address of a bogus host accepts", BMX_MODE_ALL,
	    MX_RECORDS, { "10 mx.hot.de 127.0.0.1 2001:4860:4860::8888" }, 0,
	    BMX_OUTCOME_ACCEPT, "public", "", NULL },
	{ "mode all: every address bogus, the first decides", BMX_MODE_ALL,
	    MX_RECORDS, { "10 mx1.hot.de 10.1.2.3", "20 mx2.hot.de 127.0.0.1" },
	    0, BMX_OUTCOME_BOGUS, "private",
	    "554 5.7.1 " P "MX host mx1.hot.de[10.1.2.3] is in private "
	    "network (RFC 1918)",
	    NULL },
	{ "this server alone: a loop", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de " SELF }, 0, BMX_OUTCOME_SELF, "self",
	    "554 5.4.6 " P "MX host mx.hot.de[" SELF "] is this server: "
	    "mail for hot.de would loop back to myself",
	    NULL },
	{ "this server behind a more preferred public host: a backup MX",
	    BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de 8.8.8.8", "20 mx2.hot.de " SELF }, 0,
	    BMX_OUTCOME_ACCEPT, "public", "", NULL },
	{ "this server before a public host: a loop", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de " SELF, "20 mx2.hot.de 8.8.8.8" }, 0,
	    BMX_OUTCOME_SELF, "self",
	    "554 5.4.6 " P "MX host mx1.hot.de[" SELF "] is this server: "
	    "mail for hot.de would loop back to myself",
	    NULL },
	{ "this server level with a public host: a loop", BMX_MODE_ANY,
	    MX_RECORDS, { "10 mx1.hot.de 8.8.8.8", "10 mx2.hot.de " SELF }, 0,
	    BMX_OUTCOME_SELF, "self",
	    "554 5.4.6 " P "MX host mx2.hot.de[" SELF "] is this server: "
	    "mail for hot.de would loop back to myself",
	    NULL },
	{ "a bogus host wins over this server", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de " SELF, "20 mx2.hot.de 127.0.0.1" }, 0,
	    BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host mx2.hot.de[127.0.0.1] is in loopback "
	    "network (RFC 1122)",
	    NULL },
	{ "a special-use name before a bogus address: the name decides",
	    BMX_MODE_ANY, MX_RECORDS,
	    { "10 x.local", "20 null.hot.de 127.0.0.1" }, 0, BMX_OUTCOME_BOGUS,
	    "special-use",
	    "554 5.7.1 " P "MX host x.local is a special-use name, never a "
	    "public mail exchanger (RFC 6762)",
	    NULL },
	{ "a bogus address before a special-use name: the address decides",
	    BMX_MODE_ANY, MX_RECORDS,
	    { "10 null.hot.de 127.0.0.1", "20 x.local" }, 0, BMX_OUTCOME_BOGUS,
	    "loopback",
	    "554 5.7.1 " P "MX host null.hot.de[127.0.0.1] is in loopback "
	    "network (RFC 1122)",
	    NULL },
	{ "a host that is an alias of localhost", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de->a.localhost" }, 0, BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host mx.hot.de is an alias of a.localhost, a "
	    "special-use name, never a public mail exchanger (RFC 6761)",
	    NULL },
	{ "an IP literal host", BMX_MODE_ANY, MX_RECORDS, { "10 [10.0.0.1]" },
	    0, BMX_OUTCOME_BOGUS, "private",
	    "554 5.7.1 " P "MX host [10.0.0.1] is in private network (RFC "
	    "1918)",
	    NULL },
	{ "the null MX", BMX_MODE_ANY, MX_RECORDS, { "0 ." }, 0,
	    BMX_OUTCOME_NULLMX, "null-mx",
	    "556 5.1.10 " P "Domain hot.de does not accept mail (null MX, RFC "
	    "7505)",
	    NULL },
	{ "the MX lookup failed", BMX_MODE_ANY, MX_FAIL, { NULL }, 0,
	    BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure for hot.de; try again later",
	    "MX lookup: SERVFAIL from 127.0.0.1" },
	{ "NXDOMAIN", BMX_MODE_ANY, MX_NX, { NULL }, 0,
	    BMX_OUTCOME_UNDELIVERABLE, "undeliverable",
	    "550 5.1.2 " P "Domain hot.de does not exist", NULL },
	{ "NXDOMAIN through a CNAME", BMX_MODE_ANY, MX_NX_ALIAS, { NULL }, 0,
	    BMX_OUTCOME_UNDELIVERABLE, "undeliverable",
	    "550 5.1.2 " P "Domain hot.de is an alias of gone.example.net, "
	    "which does not exist",
	    NULL },
	{ "a CNAME loop", BMX_MODE_ANY, MX_LOOP, { NULL }, 0,
	    BMX_OUTCOME_UNDELIVERABLE, "undeliverable",
	    "550 5.1.2 " P "Domain hot.de cannot be resolved: CNAME loop at "
	    "a.hot.de",
	    NULL },
	{ "the domain is special-use", BMX_MODE_ANY, MX_SPECIAL, { NULL }, 0,
	    BMX_OUTCOME_BOGUS, "special-use",
	    "554 5.7.1 " P "Domain hot.de is an alias of x.onion, a "
	    "special-use name that never receives mail (RFC 7686)",
	    NULL },
	{ "a host's lookup failed, nothing usable", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de FAIL" }, 0, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure looking up MX host "
	    "mx.hot.de of hot.de; try again later",
	    "MX host mx.hot.de: SERVFAIL from 127.0.0.1" },
	{ "a host's lookup failed, another usable", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de FAIL", "20 mx2.hot.de 8.8.8.8" }, 0,
	    BMX_OUTCOME_ACCEPT, "public", "", NULL },
	{ "the implicit MX failed", BMX_MODE_ANY, MX_IMPLICIT,
	    { "0 hot.de FAIL" }, 0, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure looking up the address of "
	    "hot.de; try again later",
	    "MX host hot.de: SERVFAIL from 127.0.0.1" },
	{ "no host has an address", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de", "20 mx2.hot.de" }, 0, BMX_OUTCOME_UNDELIVERABLE,
	    "undeliverable",
	    "550 5.1.2 " P "No MX host of hot.de has an address", NULL },
	{ "no MX and no address", BMX_MODE_ANY, MX_IMPLICIT, { "0 hot.de" }, 0,
	    BMX_OUTCOME_UNDELIVERABLE, "undeliverable",
	    "550 5.1.2 " P "Domain hot.de has no MX and no address records",
	    NULL },
	{ "max-mx hit, nothing usable among those checked", BMX_MODE_ANY,
	    MX_RECORDS, { "10 mx.hot.de" }, LIM_MX, BMX_OUTCOME_TEMPFAIL,
	    "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure for hot.de (more MX hosts "
	    "than max-mx, the rest not checked); try again later",
	    "more MX hosts than max-mx, the rest not checked" },
	{ "max-addresses hit, nothing usable", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de" }, LIM_ADDR, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure for hot.de (max-addresses "
	    "reached, the MX hosts after it not checked); try again later",
	    "max-addresses reached, the MX hosts after it not checked" },
	/* An address RRset over the hard cap is not judged at all (never
	 * in part, whatever its order): it defers, even beside a usable
	 * host, and only a bogus address elsewhere refuses. */
	{ "a host over the address cap: deferred", BMX_MODE_ANY, MX_RECORDS,
	    { "10 big.hot.de" }, LIM_ADDR_CUT, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: MX host big.hot.de has more "
	    "than 1024 addresses, too many to judge; try again later",
	    "big.hot.de has more than 1024 A or AAAA records, none of them "
	    "checked" },
	{ "a host over the address cap beside a public one: no accept",
	    BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 8.8.8.8", "20 big.hot.de" }, LIM_ADDR_CUT,
	    BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: MX host big.hot.de has more "
	    "than 1024 addresses, too many to judge; try again later",
	    "big.hot.de has more than 1024 A or AAAA records, none of them "
	    "checked" },
	{ "a host over the address cap beside a bogus one: reject",
	    BMX_MODE_ANY, MX_RECORDS,
	    { "10 big.hot.de", "20 mx.hot.de 127.0.0.1" }, LIM_ADDR_CUT,
	    BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host mx.hot.de[127.0.0.1] is in loopback "
	    "network (RFC 1122)",
	    NULL },
	{ "the implicit MX over the address cap: deferred", BMX_MODE_ANY,
	    MX_IMPLICIT, { "0 hot.de" }, LIM_ADDR_CUT, BMX_OUTCOME_TEMPFAIL,
	    "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: it has more than 1024 "
	    "addresses, too many to judge; try again later",
	    "hot.de has more than 1024 A or AAAA records, none of them "
	    "checked" },
	{ "max-cname hit, nothing usable", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de" }, LIM_CNAME, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure for hot.de (CNAME chain too "
	    "long); try again later",
	    "CNAME chain too long" },
	{ "the deadline passed, nothing usable", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de" }, LIM_DEADLINE, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Temporary DNS failure for hot.de (lookup deadline "
	    "passed); try again later",
	    "lookup deadline passed" },
	/* An A RRset of only 0.0.0.0, an AAAA RRset of only ::, what
	 * resolvers that block a name answer: not judged, deferred, unless
	 * something else refuses; the setting unspecified-address = reject
	 * judges it like any address. */
	{ "only 0.0.0.0: a blocking resolver, deferred", BMX_MODE_ANY,
	    MX_RECORDS, { "10 mx.hot.de 0.0.0.0" }, 0, BMX_OUTCOME_TEMPFAIL,
	    "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: the DNS resolver answers "
	    "0.0.0.0 for MX host mx.hot.de, so it may be blocking the name; "
	    "try again later",
	    "resolver guard: mx.hot.de: 0.0.0.0 alone in its answer, as from "
	    "a resolver that blocks the name" },
	{ "only 0.0.0.0 and ::: deferred", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 0.0.0.0 ::" }, 0, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: the DNS resolver answers "
	    "0.0.0.0 and :: for MX host mx.hot.de, so it may be blocking the "
	    "name; try again later",
	    "resolver guard: mx.hot.de: 0.0.0.0 and :: alone in its answer, "
	    "as from a resolver that blocks the name" },
	{ "the implicit MX, only ::: deferred", BMX_MODE_ANY, MX_IMPLICIT,
	    { "0 hot.de ::" }, 0, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: the DNS resolver answers "
	    ":: for hot.de, so it may be blocking the name; try again later",
	    "resolver guard: hot.de: :: alone in its answer, as from a "
	    "resolver that blocks the name" },
	{ "only 0.0.0.0 beside a public host: no accept", BMX_MODE_ANY,
	    MX_RECORDS, { "10 mx1.hot.de 8.8.8.8", "20 mx2.hot.de 0.0.0.0" }, 0,
	    BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: the DNS resolver answers "
	    "0.0.0.0 for MX host mx2.hot.de, so it may be blocking the name; "
	    "try again later",
	    "resolver guard: mx2.hot.de: 0.0.0.0 alone in its answer, as from "
	    "a resolver that blocks the name" },
	{ "A only 0.0.0.0, AAAA public (one family blocked): deferred",
	    BMX_MODE_ANY, MX_RECORDS, { "10 mx.hot.de 0.0.0.0 2a00:1450::1a" },
	    0, BMX_OUTCOME_TEMPFAIL, "tempfail",
	    "451 4.4.3 " P "Cannot check hot.de: the DNS resolver answers "
	    "0.0.0.0 for MX host mx.hot.de, so it may be blocking the name; "
	    "try again later",
	    "resolver guard: mx.hot.de: 0.0.0.0 alone in its answer, as from "
	    "a resolver that blocks the name" },
	{ "A only 0.0.0.0, AAAA bogus: reject", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 0.0.0.0 ::1" }, 0, BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host mx.hot.de[::1] is in loopback address "
	    "(RFC 4291)",
	    NULL },
	{ "only 0.0.0.0 beside a bogus host: reject", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx1.hot.de 0.0.0.0", "20 mx2.hot.de 10.1.2.3" }, 0,
	    BMX_OUTCOME_BOGUS, "private",
	    "554 5.7.1 " P "MX host mx2.hot.de[10.1.2.3] is in private "
	    "network (RFC 1918)",
	    NULL },
	{ "0.0.0.0 beside a public A record: bogus", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 8.8.8.8 0.0.0.0" }, 0, BMX_OUTCOME_BOGUS,
	    "unspecified",
	    "554 5.7.1 " P "MX host mx.hot.de[0.0.0.0] is in unspecified "
	    "network, \"this network\" (RFC 791, RFC 1122)",
	    NULL },
	{ "an MX target 0.0.0.0. is no resolver's answer: bogus", BMX_MODE_ANY,
	    MX_RECORDS, { "10 0.0.0.0" }, 0, BMX_OUTCOME_BOGUS, "unspecified",
	    "554 5.7.1 " P "MX host [0.0.0.0] is in unspecified network, "
	    "\"this network\" (RFC 791, RFC 1122)",
	    NULL },
	{ "only 0.0.0.0, unspecified-address = reject", BMX_MODE_ANY,
	    MX_RECORDS, { "10 mx.hot.de 0.0.0.0" }, SET_UNSPEC_REJECT,
	    BMX_OUTCOME_BOGUS, "unspecified",
	    "554 5.7.1 " P "MX host mx.hot.de[0.0.0.0] is in unspecified "
	    "network, \"this network\" (RFC 791, RFC 1122)",
	    NULL },
	{ "a limit hit, but a usable host: accept", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 8.8.8.8" }, LIM_MX | LIM_ADDR, BMX_OUTCOME_ACCEPT,
	    "public", "", NULL },
	{ "a limit hit, and a bogus host: reject", BMX_MODE_ANY, MX_RECORDS,
	    { "10 mx.hot.de 127.0.0.1" }, LIM_MX, BMX_OUTCOME_BOGUS, "loopback",
	    "554 5.7.1 " P "MX host mx.hot.de[127.0.0.1] is in loopback "
	    "network (RFC 1122)",
	    NULL },
};

/* What one case builds and frees. */
struct built {
	struct bmx_resolution res;
	struct bmx_answer mx;
	struct bmx_host hosts[HOSTS_MAX];
	struct bmx_ip addrs[HOSTS_MAX][2][ADDRS_MAX];
	struct bmx_answer *answers[HOSTS_MAX][2];
	char words[HOSTS_MAX][128];
};

static struct bmx_cidr_table *registry;

static int
setup(void **state)
{
	struct bmx_diag d;

	(void)state;
	bmx_diag_init(&d);
	registry = bmx_registry_table(&d);
	bmx_diag_clear(&d);
	return registry == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	bmx_cidr_free(registry);
	return 0;
}

static void
policy_for(struct bmx_policy *p, enum bmx_mode mode, const struct bmx_ip *self)
{
	static const struct bmx_cidr_table *tables[1];

	tables[0] = registry;
	memset(p, 0, sizeof(*p));
	p->tables = tables;
	p->ntables = 1;
	p->registry = registry;
	p->mode = mode;
	p->self = self;
	p->nself = 1;
}

/* Host k from its "PREF NAME [ADDRESS...]" text. */
static void
build_host(struct built *b, size_t k, const char *text)
{
	struct bmx_host *h = &b->hosts[k];
	char *w, *save = NULL, *arrow;
	bool fail = false;
	struct bmx_ip ip;

	snprintf(b->words[k], sizeof(b->words[k]), "%s", text);
	memset(h, 0, sizeof(*h));
	h->preference = (uint16_t)atoi(strtok_r(b->words[k], " ", &save));
	h->name = strtok_r(NULL, " ", &save);
	assert_non_null(h->name);
	arrow = strstr(h->name, "->");
	if (arrow != NULL) {
		*arrow = '\0';
		h->kind = BMX_HOST_SPECIAL;
		h->special_name = arrow + 2;
		h->special_rule = bmx_special_name(h->special_name);
		return;
	}
	if (strcmp(h->name, ".") == 0) {
		h->name = "";
		h->kind = BMX_HOST_NULL;
		b->res.null_mx = true;
		return;
	}
	if (bmx_mx_literal(h->name, &h->literal)) {
		h->kind = BMX_HOST_LITERAL;
		return;
	}
	if ((h->special_rule = bmx_special_name(h->name)) != NULL) {
		h->kind = BMX_HOST_SPECIAL;
		h->special_name = h->name;
		return;
	}
	h->kind = BMX_HOST_NAME;
	while ((w = strtok_r(NULL, " ", &save)) != NULL) {
		if (strcmp(w, "FAIL") == 0) {
			fail = true;
			continue;
		}
		assert_true(bmx_ip_parse(w, &ip));
		if (ip.family == BMX_IP_V4)
			b->addrs[k][0][h->n4++] = ip;
		else
			b->addrs[k][1][h->n6++] = ip;
	}
	h->addrs[0] = b->addrs[k][0];
	h->addrs[1] = b->addrs[k][1];
	h->naddrs = h->n4 + h->n6;
	b->answers[k][0] = bmx_answer_error(h->name, BMX_DNS_TYPE_A,
	    fail ? BMX_DNS_TEMPFAIL : BMX_DNS_OK,
	    fail ? "SERVFAIL from 127.0.0.1" : "");
	b->answers[k][1] =
	    bmx_answer_error(h->name, BMX_DNS_TYPE_AAAA, BMX_DNS_OK, "");
	h->a = b->answers[k][0];
	h->aaaa = b->answers[k][1];
}

static void
build(struct built *b, const struct policy_case *c)
{
	size_t k;

	memset(b, 0, sizeof(*b));
	snprintf(b->res.domain, sizeof(b->res.domain), "hot.de");
	b->mx.qtype = BMX_DNS_TYPE_MX;
	b->mx.qname = b->mx.target = "hot.de";
	b->mx.status = mx_shapes[c->mx].status;
	b->mx.why = mx_shapes[c->mx].why;
	b->res.implicit_mx = c->mx == MX_IMPLICIT;
	b->res.mx = c->mx == MX_SPECIAL ? NULL : &b->mx;
	if (c->mx == MX_NX_ALIAS) {
		b->mx.cnames[0] = b->mx.target = "gone.example.net";
		b->mx.ncnames = 1;
	}
	if (c->mx == MX_SPECIAL) {
		b->res.special_name = "x.onion";
		b->res.special_rule = "onion";
	}
	for (k = 0; k < HOSTS_MAX && c->hosts[k] != NULL; k++)
		build_host(b, k, c->hosts[k]);
	b->res.hosts = b->hosts;
	b->res.nhosts = k;
	b->res.mx_total = k;
	b->mx.n = k;
	b->res.mx_limited = c->limits & LIM_MX;
	b->res.addr_limited = c->limits & LIM_ADDR;
	b->res.cname_limited = c->limits & LIM_CNAME;
	b->res.deadline_hit = c->limits & LIM_DEADLINE;
	/* the host over the cap is the one left without addresses */
	for (k = 0; k < b->res.nhosts && (c->limits & LIM_ADDR_CUT); k++)
		if (b->hosts[k].naddrs == 0 && b->res.addr_cut_host == NULL)
			b->res.addr_cut_host = b->hosts[k].name;
}

static void
unbuild(struct built *b)
{
	size_t k;

	for (k = 0; k < HOSTS_MAX; k++) {
		bmx_answer_unref(b->answers[k][0]);
		bmx_answer_unref(b->answers[k][1]);
	}
}

static void
test_cases(void **state)
{
	char reply[BMX_REPLY_MAX + 16];
	struct bmx_judgement j;
	struct bmx_policy p;
	struct bmx_ip self;
	struct built *b;
	int failed = 0;
	size_t i;

	(void)state;
	assert_true(bmx_ip_parse(SELF, &self));
	b = malloc(sizeof(*b));
	assert_non_null(b);
	for (i = 0; i < NELEM(cases); i++) {
		const struct policy_case *c = &cases[i];

		build(b, c);
		policy_for(&p, c->mode, &self);
		p.unspecified_reject = c->limits & SET_UNSPEC_REJECT;
		bmx_policy_judge(&p, "u@hot.de", &b->res, &j);
		bmx_decision_reply(&j.d, reply, sizeof(reply));
		if (j.d.outcome != c->outcome ||
		    strcmp(j.class_name, c->class_name) != 0 ||
		    strcmp(reply, c->reply) != 0 ||
		    strcmp(j.why, c->why != NULL ? c->why : "") != 0 ||
		    (j.d.verdict == BMX_VERDICT_ACCEPT) !=
			(c->outcome == BMX_OUTCOME_ACCEPT) ||
		    strcmp(j.d.domain, "hot.de") != 0) {
			print_error("%s:\n  want %s %s \"%s\" why \"%s\"\n"
				    "  got  %s %s \"%s\" why \"%s\"\n",
			    c->what, bmx_outcome_name(c->outcome),
			    c->class_name, c->reply, c->why ? c->why : "",
			    bmx_outcome_name(j.d.outcome), j.class_name, reply,
			    j.why);
			failed++;
		}
		bmx_judgement_clear(&j);
		unbuild(b);
	}
	free(b);
	if (failed > 0)
		fail_msg("%d of %zu cases failed", failed, NELEM(cases));
}

/* One address, as an address literal recipient or a bare address. */
static void
test_addresses(void **state)
{
	static const struct {
		const char *rcpt, *addr;
		enum bmx_outcome outcome;
		const char *reply;
	} rows[] = {
		{ "u@[127.0.0.1]", "127.0.0.1", BMX_OUTCOME_BOGUS,
		    "554 5.7.1 <u@[127.0.0.1]>: Recipient address rejected: "
		    "Address literal [127.0.0.1] is in loopback network (RFC "
		    "1122)" },
		{ NULL, "10.0.0.1", BMX_OUTCOME_BOGUS,
		    "554 5.7.1 Address [10.0.0.1] is in private network (RFC "
		    "1918)" },
		{ "u@[" SELF "]", SELF, BMX_OUTCOME_SELF,
		    "554 5.4.6 <u@[" SELF "]>: Recipient address rejected: "
		    "Address literal is this server: mail would loop back to "
		    "myself" },
		{ "u@[8.8.8.8]", "8.8.8.8", BMX_OUTCOME_ACCEPT, "" },
	};
	char reply[BMX_REPLY_MAX + 16];
	struct bmx_judgement j;
	struct bmx_policy p;
	struct bmx_ip self, ip;
	size_t i;

	(void)state;
	assert_true(bmx_ip_parse(SELF, &self));
	policy_for(&p, BMX_MODE_ANY, &self);
	for (i = 0; i < NELEM(rows); i++) {
		assert_true(bmx_ip_parse(rows[i].addr, &ip));
		bmx_policy_judge_address(&p, rows[i].rcpt, &ip, &j);
		bmx_decision_reply(&j.d, reply, sizeof(reply));
		assert_int_equal(j.d.outcome, rows[i].outcome);
		assert_string_equal(reply, rows[i].reply);
		assert_true(j.has_address);
		assert_int_equal(j.nclasses, 1);
		bmx_judgement_clear(&j);
	}
}

/* The syntax reply speaks of the role: recipient or sender. */
static void
test_syntax(void **state)
{
	char reply[BMX_REPLY_MAX + 16];
	struct bmx_judgement j;

	(void)state;
	bmx_policy_syntax(BMX_ROLE_RECIPIENT, "a@b..c", "empty label", &j);
	bmx_decision_reply(&j.d, reply, sizeof(reply));
	assert_string_equal(reply,
	    "501 5.1.3 <a@b..c>: Recipient address rejected: Bad recipient "
	    "address syntax: empty label");
	assert_int_equal(j.d.outcome, BMX_OUTCOME_SYNTAX);
	assert_string_equal(j.class_name, "syntax");
	bmx_judgement_clear(&j);
	bmx_policy_syntax(BMX_ROLE_SENDER, "a@b..c", "empty label", &j);
	bmx_decision_reply(&j.d, reply, sizeof(reply));
	assert_string_equal(reply,
	    "501 5.1.7 <a@b..c>: Sender address rejected: Bad sender address "
	    "syntax: empty label");
	bmx_judgement_clear(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_syntax),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
