/*
 * fuzz_cidr.c - libFuzzer target: cidr tables (lib/cidr, lib/access,
 * lib/ipclass)
 *
 * The first byte chooses how the rest is used:
 *
 *   even  the rest is table text, as read from a file (not
 *         NUL-terminated).  A table that parses has no errors, rules
 *         numbered in order, results that bmx_access_check_table()
 *         judges, and every match it gives is a rule whose own pattern
 *         holds for the address.  Addresses around every rule's prefix
 *         are looked up and classified with the built-in registry.
 *   odd   the rest describes rules, if/endif blocks and negations, which
 *         are written out as table text (with brackets, continuation
 *         lines and CRLF here and there) and parsed; that must succeed,
 *         and every lookup must agree with a naive reference: the first
 *         rule all of whose conditions hold, one condition per enclosing
 *         if plus the rule's own, each one true only for addresses of its
 *         own family (cidr_table(5), as Postfix).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cidr.h"
#include "diag.h"
#include "ipclass.h"
#include "registry.h"

#include "fuzz_common.h"

#define NRULES_MAX 256
#define PROBES_MAX 600

/* The reference and the checks are not what is fuzzed: no coverage
 * callbacks in their loops (they made up most of the run time). */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

static struct bmx_cidr_table *registry;

/* One condition of the reference. */
struct cond {
	struct bmx_ip net;
	unsigned plen;
	bool negate;
};

struct ref_rule {
	struct cond conds[BMX_CIDR_DEPTH_MAX + 1];
	unsigned nconds;
	unsigned line;
};

NO_COVERAGE static bool
in_prefix(const struct bmx_ip *ip, const struct bmx_ip *net, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (ip->family != net->family)
		return false;
	if (memcmp(ip->bytes, net->bytes, full) != 0)
		return false;
	return rest == 0 ||
	    ((ip->bytes[full] ^ net->bytes[full]) & (0xff00 >> rest)) == 0;
}

NO_COVERAGE static bool
cond_holds(const struct cond *c, const struct bmx_ip *ip)
{
	if (ip->family != c->net.family)
		return false;
	return in_prefix(ip, &c->net, c->plen) != c->negate;
}

/* The first rule all of whose conditions hold, or NRULES_MAX. */
NO_COVERAGE static unsigned
reference(const struct ref_rule *rules, unsigned n, const struct bmx_ip *ip)
{
	unsigned k, j;

	for (k = 0; k < n; k++) {
		for (j = 0; j < rules[k].nconds; j++)
			if (!cond_holds(&rules[k].conds[j], ip))
				break;
		if (j == rules[k].nconds)
			return k;
	}
	return NRULES_MAX;
}

/* The address one past (+1) or before (-1) ip, wrapping. */
static struct bmx_ip
step(struct bmx_ip ip, int dir)
{
	int i = ip.family == BMX_IP_V6 ? 15 : 3;

	for (; i >= 0; i--) {
		ip.bytes[i] = (uint8_t)(ip.bytes[i] + dir);
		if (ip.bytes[i] != (dir > 0 ? 0 : 0xff))
			break;
	}
	return ip;
}

/* The last address of a prefix. */
static struct bmx_ip
last_of(struct bmx_ip net, unsigned plen)
{
	unsigned bits = net.family == BMX_IP_V6 ? 128 : 32, i;

	for (i = plen; i < bits; i++)
		net.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return net;
}

static void
mask(struct bmx_ip *ip, unsigned plen)
{
	unsigned bits = ip->family == BMX_IP_V6 ? 128 : 32, i;

	for (i = plen; i < bits; i++)
		ip->bytes[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

struct probes {
	struct bmx_ip ip[PROBES_MAX];
	size_t n;
};

static void
probe_add(struct probes *p, const struct bmx_ip *ip)
{
	if (p->n < PROBES_MAX)
		p->ip[p->n++] = *ip;
}

/* The addresses at and around the edges of a prefix. */
static void
probe_prefix(struct probes *p, const struct bmx_ip *net, unsigned plen)
{
	struct bmx_ip last = last_of(*net, plen), x;

	probe_add(p, net);
	probe_add(p, &last);
	x = step(*net, -1);
	probe_add(p, &x);
	x = step(last, 1);
	probe_add(p, &x);
}

static void
probe_fixed(struct probes *p)
{
	static const char *const fixed[] = { "0.0.0.0", "255.255.255.255",
		"127.0.0.1", "10.1.2.3", "192.0.2.1", "::", "::1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:127.0.0.1",
		"64:ff9b::10.0.0.1", "2002:7f00:1::", "2001:db8::1",
		"2001:0:4136:e378:8000:63bf:80ff:fffe" };
	struct bmx_ip ip;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		FUZZ_CHECK(bmx_ip_parse(fixed[i], &ip));
		probe_add(p, &ip);
	}
}

/* Parse a rule's own pattern ("!10.0.0.0/8", "[::1]/128") back. */
static bool
pattern_cond(const char *pattern, struct cond *c)
{
	char buf[BMX_CIDR_LINE_MAX + 1], *s = buf, *slash, *close;
	unsigned bits;

	snprintf(buf, sizeof(buf), "%s", pattern);
	c->negate = false;
	while (*s == '!' || *s == ' ' || *s == '\t') {
		if (*s == '!')
			c->negate = !c->negate;
		s++;
	}
	if (*s == '[') {
		s++;
		if ((close = strchr(s, ']')) == NULL)
			return false;
		memmove(close, close + 1, strlen(close + 1) + 1);
	}
	slash = strrchr(s, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!bmx_ip_parse(s, &c->net))
		return false;
	bits = c->net.family == BMX_IP_V6 ? 128 : 32;
	c->plen = slash != NULL ? (unsigned)strtoul(slash + 1, NULL, 10) : bits;
	return c->plen <= bits;
}

static void
classify(const struct bmx_cidr_table *t, const struct bmx_ip *ip)
{
	const struct bmx_cidr_table *tables[2] = { t, registry };
	struct bmx_ipclass cls;

	bmx_ipclass_classify(tables, 2, registry, ip, &cls);
	FUZZ_CHECK(memchr(cls.class_name, '\0', sizeof(cls.class_name)));
	FUZZ_CHECK(cls.class_name[0] != '\0');
	FUZZ_CHECK(bmx_ip_equal(&cls.address, ip));
	if (cls.bogus)
		FUZZ_CHECK(cls.rule != NULL && cls.table != NULL);
}

static void
check_diag(const struct bmx_diag *d)
{
	char line[8192];
	size_t i;

	FUZZ_CHECK(d->nentries <= BMX_DIAG_KEEP);
	for (i = 0; i < d->nentries; i++)
		FUZZ_CHECK(
		    bmx_diag_format(&d->entries[i], line, sizeof(line)) > 0);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	struct bmx_diag diag, diag2;
	struct bmx_cidr_table *t;
	struct probes *p = malloc(sizeof(*p));
	/* exactly size bytes, no NUL after them: overreads show */
	char *text = malloc(size ? size : 1);
	const struct bmx_cidr_rule *r;
	struct cond c;
	bool access_ok;
	size_t i, n;

	FUZZ_CHECK(p != NULL && text != NULL);
	p->n = 0;
	if (size > 0)
		memcpy(text, data, size);
	bmx_diag_init(&diag);
	t = bmx_cidr_parse("fuzz.cidr", text, size, &diag);
	check_diag(&diag);
	if (t == NULL) {
		FUZZ_CHECK(diag.errors > 0);
		goto out;
	}
	FUZZ_CHECK(diag.errors == 0);
	FUZZ_CHECK(strcmp(bmx_cidr_name(t), "fuzz.cidr") == 0);
	n = bmx_cidr_nrules(t);
	FUZZ_CHECK(bmx_cidr_rule(t, n) == NULL);
	FUZZ_CHECK(bmx_cidr_memory(t) > 0);
	for (i = 0; i < n; i++) {
		r = bmx_cidr_rule(t, i);
		FUZZ_CHECK(r != NULL && r->index == i && r->line >= 1);
		FUZZ_CHECK(r->pattern[0] != '\0' && r->result[0] != '\0');
		FUZZ_CHECK(pattern_cond(r->pattern, &c));
		if (i < 200)
			probe_prefix(p, &c.net, c.plen);
	}
	probe_fixed(p);
	bmx_diag_init(&diag2);
	access_ok = bmx_access_check_table(t, &diag2);
	FUZZ_CHECK(access_ok == (diag2.errors == 0));
	check_diag(&diag2);
	bmx_diag_clear(&diag2);
	for (i = 0; i < p->n; i++) {
		r = bmx_cidr_match(t, &p->ip[i]);
		if (r != NULL) {
			FUZZ_CHECK(r == bmx_cidr_rule(t, r->index));
			FUZZ_CHECK(pattern_cond(r->pattern, &c));
			FUZZ_CHECK(cond_holds(&c, &p->ip[i]));
		}
		if (access_ok)
			classify(t, &p->ip[i]);
	}
	bmx_cidr_free(t);
out:
	bmx_diag_clear(&diag);
	free(text);
	free(p);
}

/* Structured tables. */

struct gen {
	const uint8_t *d;
	size_t n;
	char *text;
	size_t len, cap;
	unsigned line;
	/* conditions made so far, for nested and neighbouring ones */
	struct cond made[NRULES_MAX];
	unsigned nmade;
};

static unsigned
take(struct gen *g)
{
	unsigned b;

	if (g->n == 0)
		return 0;
	b = *g->d++;
	g->n--;
	return b;
}

static void
emit(struct gen *g, const char *s)
{
	size_t k = strlen(s);

	if (g->len + k + 1 > g->cap) {
		g->cap = (g->len + k + 1) * 2;
		g->text = realloc(g->text, g->cap);
		FUZZ_CHECK(g->text != NULL);
	}
	memcpy(g->text + g->len, s, k);
	g->len += k;
	for (; *s != '\0'; s++)
		g->line += *s == '\n';
}

/* A prefix near a few interesting networks, host bits cleared. */
static void
gen_cond(struct gen *g, struct cond *c)
{
	static const uint8_t v6base[][4] = { { 0, 0, 0, 0 },
		{ 0x20, 0x01, 0x0d, 0xb8 }, { 0x20, 0x02, 0, 0 },
		{ 0, 0x64, 0xff, 0x9b }, { 0xfe, 0x80, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff } };
	unsigned sel = take(g), i, bits;

	memset(&c->net, 0, sizeof(c->net));
	if ((sel & 0xc0) == 0xc0 && g->nmade > 0) {
		/* inside, around or next to an earlier one: flip one bit of
		 * it and take a new length */
		*c = g->made[take(g) % g->nmade];
		bits = c->net.family == BMX_IP_V6 ? 128 : 32;
		i = take(g) % bits;
		c->net.bytes[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		c->plen = take(g) % (bits + 1);
		mask(&c->net, c->plen);
		goto out;
	}
	if (sel & 1) {
		c->net.family = BMX_IP_V6;
		memcpy(c->net.bytes, v6base[(sel >> 1) % 6], 4);
		if (sel & 0x10)
			for (i = 4; i < 12; i++)
				c->net.bytes[i] = (uint8_t)take(g);
		if (sel & 0x20) {
			c->net.bytes[10] = 0xff;
			c->net.bytes[11] = 0xff;
		}
		for (i = 12; i < 16; i++)
			c->net.bytes[i] = (uint8_t)take(g);
		bits = 128;
	} else {
		c->net.family = BMX_IP_V4;
		for (i = 0; i < 4; i++)
			c->net.bytes[i] = (uint8_t)take(g);
		bits = 32;
	}
	c->plen = take(g) % (bits + 1);
	mask(&c->net, c->plen);
out:
	if (g->nmade < NRULES_MAX)
		g->made[g->nmade++] = *c;
}

/* The pattern text, written one of the ways the syntax allows. */
static void
write_cond(struct gen *g, const struct cond *c, unsigned style)
{
	char a[BMX_IP_STRLEN], buf[BMX_IP_STRLEN + 16];
	unsigned bits = c->net.family == BMX_IP_V6 ? 128 : 32;

	bmx_ip_format(&c->net, a, sizeof(a));
	if (c->negate)
		emit(g, style & 4 ? "! " : "!");
	if (c->plen == bits && (style & 1))
		snprintf(buf, sizeof(buf), style & 2 ? "[%s]" : "%s", a);
	else if (style & 2)
		snprintf(buf, sizeof(buf), style & 8 ? "[%s/%u]" : "[%s]/%u", a,
		    c->plen);
	else
		snprintf(buf, sizeof(buf), "%s/%u", a, c->plen);
	emit(g, buf);
}

static void
fuzz_rules(const uint8_t *data, size_t size)
{
	static struct ref_rule rules[NRULES_MAX];
	struct cond stack[BMX_CIDR_DEPTH_MAX];
	static struct gen g;
	unsigned depth = 0, nrules = 0, op, style, rstyle, k;
	struct probes *p = malloc(sizeof(*p));
	const struct bmx_cidr_rule *r;
	struct bmx_cidr_table *t;
	struct bmx_diag diag;
	struct cond c;
	char buf[64];
	size_t i;

	FUZZ_CHECK(p != NULL);
	p->n = 0;
	memset(&g, 0, sizeof(g));
	g.d = data;
	g.n = size;
	g.line = 1;
	while (g.n > 0 && nrules < NRULES_MAX) {
		op = take(&g);
		style = op >> 3;
		switch (op % 6) {
		case 5: /* endif */
			if (depth == 0)
				continue;
			depth--;
			emit(&g, style & 1 ? "ENDIF\n" : "endif\n");
			continue;
		case 3: /* if */
		case 4: /* if ! */
			if (depth == BMX_CIDR_DEPTH_MAX)
				continue;
			gen_cond(&g, &c);
			c.negate = op % 6 == 4;
			emit(&g, style & 1 ? "If " : "if ");
			write_cond(&g, &c, style >> 1);
			emit(&g, style & 16 ? "\r\n" : "\n");
			stack[depth++] = c;
			probe_prefix(p, &c.net, c.plen);
			continue;
		default: /* a rule, negated for 2 */
			break;
		}
		gen_cond(&g, &c);
		c.negate = op % 6 == 2;
		for (k = 0; k < depth; k++)
			rules[nrules].conds[k] = stack[k];
		rules[nrules].conds[depth] = c;
		rules[nrules].nconds = depth + 1;
		rules[nrules].line = g.line;
		write_cond(&g, &c, style);
		/* results that the access check takes, some on a
		 * continuation line */
		rstyle = take(&g);
		snprintf(buf, sizeof(buf), "%sREJECT rule %u",
		    rstyle & 1 ? "\n\t" : " ", nrules);
		emit(&g, rstyle & 2 ? " DUNNO" : rstyle & 4 ? "\tOK" : buf);
		emit(&g, rstyle & 8 ? "\r\n" : "\n");
		probe_prefix(p, &c.net, c.plen);
		nrules++;
	}
	while (depth > 0) {
		depth--;
		emit(&g, "endif\n");
	}
	emit(&g, "");
	probe_fixed(p);
	bmx_diag_init(&diag);
	t = bmx_cidr_parse("gen.cidr", g.text, g.len, &diag);
	if (t == NULL || diag.errors != 0) {
		for (i = 0; i < diag.nentries; i++) {
			char m[4096];

			bmx_diag_format(&diag.entries[i], m, sizeof(m));
			fprintf(stderr, "%s\n", m);
		}
		fprintf(stderr, "table:\n%.*s", (int)g.len, g.text);
		FUZZ_CHECK(!"a generated table did not parse");
	}
	FUZZ_CHECK(bmx_cidr_nrules(t) == nrules);
	FUZZ_CHECK(bmx_access_check_table(t, &diag));
	for (i = 0; i < p->n; i++) {
		unsigned want = reference(rules, nrules, &p->ip[i]);

		r = bmx_cidr_match(t, &p->ip[i]);
		if (want == NRULES_MAX ? r != NULL :
					 r == NULL || r->index != want) {
			char a[BMX_IP_STRLEN];

			fprintf(stderr,
			    "%s: want rule %d, got %d\ntable:\n%.*s",
			    bmx_ip_format(&p->ip[i], a, sizeof(a)),
			    want == NRULES_MAX ? -1 : (int)want,
			    r == NULL ? -1 : (int)r->index, (int)g.len, g.text);
			FUZZ_CHECK(!"lookup differs from the reference");
		}
		if (r != NULL)
			FUZZ_CHECK(r->line == rules[want].line);
		classify(t, &p->ip[i]);
	}
	bmx_cidr_free(t);
	bmx_diag_clear(&diag);
	free(g.text);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (registry == NULL) {
		struct bmx_diag d;

		bmx_diag_init(&d);
		registry = bmx_registry_table(&d);
		FUZZ_CHECK(registry != NULL);
		bmx_diag_clear(&d);
	}
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_rules(data + 1, size - 1);
	else
		fuzz_text(data + 1, size - 1);
	return 0;
}
