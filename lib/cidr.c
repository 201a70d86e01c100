/*
 * cidr.c - compile cidr_table(5) rules for fast lookups, and look up
 *
 * cidr_parse.c turns the text into rules (struct bmx_cidr_src, in
 * cidr_impl.h).  Each rule holds, besides its pattern and result, the
 * conjunction of the conditions under which it matches: the patterns of
 * the enclosing if blocks and its own, each possibly negated.  Compiling
 * turns every rule's condition into a set of disjoint prefixes (a negated
 * prefix is the rest of its address family, split into at most one
 * prefix per bit).  Any two CIDR prefixes are either nested or disjoint,
 * so one sorted sweep over all prefixes, with a stack of the prefixes
 * that contain the current address, gives for every point of the address
 * space the lowest-numbered rule that covers it: first match wins.  The
 * sweep writes sorted, disjoint ranges that cover the whole space;
 * lookups binary-search them within a bucket of an index on the leading
 * bits.
 *
 * Memory: the table takes over the parser's string pool; temporary
 * arrays of the compiler are freed before bmx_cidr_parse() returns.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "cidr_impl.h"

#define NO_RULE UINT32_MAX
#define INDEX_BITS_MAX 20

/* A 128-bit address as two halves; IPv4 uses the low half only. */
struct key {
	uint64_t hi, lo;
};

/* A prefix that a rule covers, before the sweep. */
struct piece {
	struct key start;
	uint32_t rule;
	uint8_t plen;
};

struct range4 {
	uint32_t start;
	uint32_t rule;
};

struct range6 {
	struct key start;
	uint32_t rule;
};

/* Ranges of one address family, with the index on the top bits. */
struct family_map {
	size_t n;
	struct range4 *r4; /* IPv4 */
	struct range6 *r6; /* IPv6 */
	uint32_t *index;   /* 2^ibits + 1 entries */
	unsigned ibits;
	unsigned bits; /* 32 or 128 */
};

struct bmx_cidr_table {
	char *name;
	struct bmx_cidr_rule *rules;
	size_t nrules;
	char *pool;
	size_t pool_len;
	struct family_map v4, v6;
};

/* Compiler. */

static struct key
key_of(const struct bmx_ip *ip)
{
	struct key k = { 0, 0 };
	int i;

	if (ip->family == BMX_IP_V4) {
		for (i = 0; i < 4; i++)
			k.lo = (k.lo << 8) | ip->bytes[i];
		return k;
	}
	for (i = 0; i < 8; i++)
		k.hi = (k.hi << 8) | ip->bytes[i];
	for (i = 8; i < 16; i++)
		k.lo = (k.lo << 8) | ip->bytes[i];
	return k;
}

static int
key_cmp(struct key a, struct key b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* Last address of the prefix start/plen in a space of bits bits. */
static struct key
key_end(struct key start, unsigned plen, unsigned bits)
{
	unsigned host = bits - plen;

	if (host >= 128) {
		start.hi = UINT64_MAX;
		start.lo = UINT64_MAX;
	} else if (host >= 64) {
		start.lo = UINT64_MAX;
		start.hi |= host == 64 ? 0 : (UINT64_MAX >> (128 - host));
	} else if (host > 0) {
		start.lo |= UINT64_MAX >> (64 - host);
	}
	return start;
}

static struct key
key_next(struct key k)
{
	if (++k.lo == 0)
		k.hi++;
	return k;
}

/* Is prefix b (len bl) inside prefix a (len al)? */
static bool
prefix_in(struct key b, unsigned bl, struct key a, unsigned al, unsigned bits)
{
	if (bl < al)
		return false;
	return key_cmp(a, b) <= 0 && key_cmp(b, key_end(a, al, bits)) <= 0;
}

struct compiler {
	struct piece *pieces[2]; /* [0] IPv4, [1] IPv6 */
	size_t npieces[2], cap[2];
	bool nomem;
};

static void
emit_piece(
    struct compiler *c, int fam, struct key start, unsigned plen, uint32_t rule)
{
	struct piece *pc;

	if (!bmx_cidr_grow((void **)&c->pieces[fam], &c->cap[fam],
		c->npieces[fam], sizeof(struct piece))) {
		c->nomem = true;
		return;
	}
	pc = &c->pieces[fam][c->npieces[fam]++];
	pc->start = start;
	pc->plen = (uint8_t)plen;
	pc->rule = rule;
}

/* Emit prefix q minus the union of the negated prefixes in negs. */
static void
subtract(struct compiler *c, int fam, unsigned bits, struct key q,
    unsigned qlen, const struct bmx_cidr_lit *const *negs, size_t nnegs,
    uint32_t rule)
{
	const struct bmx_cidr_lit *inside[BMX_CIDR_DEPTH_MAX + 1];
	size_t i, n = 0;
	struct key nk, half;

	for (i = 0; i < nnegs; i++) {
		nk = key_of(&negs[i]->net);
		if (prefix_in(q, qlen, nk, negs[i]->plen, bits))
			return; /* all of q is excluded */
		if (prefix_in(nk, negs[i]->plen, q, qlen, bits))
			inside[n++] = negs[i];
	}
	if (n == 0) {
		emit_piece(c, fam, q, qlen, rule);
		return;
	}
	/* Split q in halves; the bit after the prefix selects the half. */
	subtract(c, fam, bits, q, qlen + 1, inside, n, rule);
	half = q;
	if (bits - qlen - 1 >= 64)
		half.hi |= (uint64_t)1 << (bits - qlen - 1 - 64);
	else
		half.lo |= (uint64_t)1 << (bits - qlen - 1);
	subtract(c, fam, bits, half, qlen + 1, inside, n, rule);
}

/*
 * Turn one rule's conditions into pieces; false if it can never match.
 * Every condition, negated or not, holds only for addresses of its own
 * family (Postfix: "!10.0.0.0/8" does not match ::1), so all of a rule's
 * conditions must be of one family.  The region is the longest positive
 * prefix (which all other positive ones must contain) or the whole family,
 * less the negated prefixes.
 */
static bool
compile_rule(struct compiler *c, const struct bmx_cidr_lit *lits, unsigned n,
    uint32_t rule)
{
	const struct bmx_cidr_lit *pos = NULL;
	const struct bmx_cidr_lit *negs[BMX_CIDR_DEPTH_MAX + 1];
	enum bmx_ip_family f = lits[n - 1].net.family;
	unsigned i, bits = f == BMX_IP_V4 ? 32 : 128;
	int fam = f == BMX_IP_V4 ? 0 : 1;
	size_t before = c->npieces[fam], nnegs = 0;
	struct key k = { 0, 0 };

	for (i = 0; i < n; i++) {
		if (lits[i].net.family != f)
			return false;
		if (lits[i].negate)
			negs[nnegs++] = &lits[i];
		else if (pos == NULL || lits[i].plen > pos->plen)
			pos = &lits[i];
	}
	if (pos != NULL) {
		k = key_of(&pos->net);
		for (i = 0; i < n; i++)
			if (!lits[i].negate &&
			    !prefix_in(k, pos->plen, key_of(&lits[i].net),
				lits[i].plen, bits))
				return false;
	}
	subtract(
	    c, fam, bits, k, pos != NULL ? pos->plen : 0, negs, nnegs, rule);
	return c->npieces[fam] > before;
}

static int
piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;
	int r = key_cmp(x->start, y->start);

	if (r != 0)
		return r;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

struct sweep {
	struct family_map *m;
	size_t cap;
	bool nomem;
};

static void
sweep_emit(struct sweep *s, struct key start, uint32_t rule)
{
	struct family_map *m = s->m;
	size_t size =
	    m->bits == 32 ? sizeof(struct range4) : sizeof(struct range6);
	void **arr = m->bits == 32 ? (void **)&m->r4 : (void **)&m->r6;

	if (m->n > 0) {
		uint32_t last =
		    m->bits == 32 ? m->r4[m->n - 1].rule : m->r6[m->n - 1].rule;
		if (last == rule)
			return;
	}
	if (!bmx_cidr_grow(arr, &s->cap, m->n, size)) {
		s->nomem = true;
		return;
	}
	if (m->bits == 32) {
		m->r4[m->n].start = (uint32_t)start.lo;
		m->r4[m->n].rule = rule;
	} else {
		m->r6[m->n].start = start;
		m->r6[m->n].rule = rule;
	}
	m->n++;
}

/* Give back what the doubling growth left unused. */
static void
shrink(struct family_map *m)
{
	void *p;

	if (m->bits == 32) {
		p = realloc(m->r4, m->n * sizeof(*m->r4));
		if (p != NULL)
			m->r4 = p;
	} else {
		p = realloc(m->r6, m->n * sizeof(*m->r6));
		if (p != NULL)
			m->r6 = p;
	}
}

struct active {
	struct key end;
	uint32_t best;
};

/* Build the ranges of one family from its sorted pieces. */
static bool
sweep_family(struct family_map *m, struct piece *pc, size_t n, unsigned bits)
{
	struct active stack[130];
	struct sweep s = { m, 0, false };
	struct key pos = { 0, 0 }, max = key_end(pos, 0, bits);
	unsigned depth = 0;
	bool done = false;
	size_t i, k;

	m->bits = bits;
	if (n > 0)
		qsort(pc, n, sizeof(*pc), piece_cmp);
	/*
	 * Equal prefixes: only the first (lowest rule) can ever win, and
	 * dropping the others bounds the stack by the nesting depth of
	 * distinct prefixes (bits + 1).
	 */
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || key_cmp(pc[i].start, pc[k - 1].start) != 0 ||
		    pc[i].plen != pc[k - 1].plen)
			pc[k++] = pc[i];
	n = k;
	for (i = 0; i < n && !s.nomem; i++) {
		struct key end = key_end(pc[i].start, pc[i].plen, bits);

		while (depth > 0 &&
		    key_cmp(stack[depth - 1].end, pc[i].start) < 0) {
			/* the top ends before this piece: close it */
			depth--;
			if (key_cmp(pos, stack[depth].end) <= 0) {
				sweep_emit(&s, pos, stack[depth].best);
				pos = key_next(stack[depth].end);
			}
		}
		if (key_cmp(pos, pc[i].start) < 0)
			sweep_emit(&s, pos,
			    depth > 0 ? stack[depth - 1].best : NO_RULE);
		pos = pc[i].start;
		stack[depth].end = end;
		stack[depth].best = pc[i].rule;
		if (depth > 0 && stack[depth - 1].best < pc[i].rule)
			stack[depth].best = stack[depth - 1].best;
		depth++;
	}
	while (depth > 0 && !s.nomem) {
		depth--;
		if (!done && key_cmp(pos, stack[depth].end) <= 0) {
			sweep_emit(&s, pos, stack[depth].best);
			if (key_cmp(stack[depth].end, max) == 0)
				done = true;
			else
				pos = key_next(stack[depth].end);
		}
	}
	if (!done && !s.nomem)
		sweep_emit(&s, pos, NO_RULE);
	if (!s.nomem)
		shrink(m);
	return !s.nomem;
}

static struct key
range_start(const struct family_map *m, size_t i)
{
	struct key k;

	if (m->bits == 32) {
		k.hi = 0;
		k.lo = m->r4[i].start;
		return k;
	}
	return m->r6[i].start;
}

/*
 * index[b] is the range that holds the first address of bucket b (the
 * addresses whose top ibits bits are b); index[2^ibits] is the last range.
 * A lookup in bucket b then searches index[b] .. index[b + 1].
 */
static bool
build_index(struct family_map *m)
{
	size_t nb, b, r = 0;
	unsigned ibits = 1;
	struct key first;

	while (ibits < INDEX_BITS_MAX && ((size_t)1 << ibits) < m->n)
		ibits++;
	m->ibits = ibits;
	nb = (size_t)1 << ibits;
	m->index = malloc((nb + 1) * sizeof(*m->index));
	if (m->index == NULL)
		return false;
	for (b = 0; b < nb; b++) {
		first.hi = m->bits == 32 ? 0 : (uint64_t)b << (64 - ibits);
		first.lo = m->bits == 32 ? (uint64_t)b << (32 - ibits) : 0;
		while (
		    r + 1 < m->n && key_cmp(range_start(m, r + 1), first) <= 0)
			r++;
		m->index[b] = (uint32_t)r;
	}
	m->index[nb] = (uint32_t)(m->n - 1);
	return true;
}

static void
family_free(struct family_map *m)
{
	free(m->r4);
	free(m->r6);
	free(m->index);
}

static struct bmx_cidr_table *
compile(struct bmx_cidr_src *p)
{
	struct bmx_cidr_table *t;
	struct compiler c;
	size_t i;

	memset(&c, 0, sizeof(c));
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto nomem;
	t->name = strdup(p->name);
	t->rules = calloc(p->nrules ? p->nrules : 1, sizeof(*t->rules));
	if (t->name == NULL || t->rules == NULL)
		goto nomem;
	t->nrules = p->nrules;
	t->pool = p->pool;
	t->pool_len = p->pool_len;
	p->pool = NULL;
	if (t->pool_len > 0) {
		char *np = realloc(t->pool, t->pool_len);

		if (np != NULL)
			t->pool = np;
	}
	for (i = 0; i < p->nrules; i++) {
		const struct bmx_cidr_src_rule *r = &p->rules[i];

		t->rules[i].pattern = t->pool + r->pattern_off;
		t->rules[i].result = t->pool + r->result_off;
		t->rules[i].line = r->line;
		t->rules[i].index = (unsigned)i;
		if (!compile_rule(
			&c, p->lits + r->lit_off, r->nlits, (uint32_t)i) &&
		    !c.nomem)
			bmx_diag_add(p->diag, BMX_DIAG_WARNING, p->name,
			    r->line,
			    "\"%s\" can never match: its pattern lies outside "
			    "the enclosing if",
			    t->rules[i].pattern);
		if (c.nomem)
			goto nomem;
	}
	if (!sweep_family(&t->v4, c.pieces[0], c.npieces[0], 32))
		goto nomem;
	if (!sweep_family(&t->v6, c.pieces[1], c.npieces[1], 128))
		goto nomem;
	free(c.pieces[0]);
	free(c.pieces[1]);
	c.pieces[0] = c.pieces[1] = NULL;
	if (!build_index(&t->v4) || !build_index(&t->v6))
		goto nomem;
	return t;
nomem:
	free(c.pieces[0]);
	free(c.pieces[1]);
	bmx_cidr_src_nomem(p);
	bmx_cidr_free(t);
	return NULL;
}

struct bmx_cidr_table *
bmx_cidr_parse(
    const char *name, const char *text, size_t len, struct bmx_diag *diag)
{
	struct bmx_cidr_table *t = NULL;
	struct bmx_cidr_src p;
	size_t errors = diag->errors;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "";
	p.diag = diag;
	bmx_cidr_src_parse(&p, text, len);
	if (diag->errors == errors && !p.nomem)
		t = compile(&p);
	bmx_cidr_src_clear(&p);
	return t;
}

const struct bmx_cidr_rule *
bmx_cidr_match(const struct bmx_cidr_table *t, const struct bmx_ip *ip)
{
	const struct family_map *m;
	size_t lo, hi, mid;
	uint32_t rule;

	if (ip->family == BMX_IP_V4) {
		uint32_t a = (uint32_t)ip->bytes[0] << 24 |
		    (uint32_t)ip->bytes[1] << 16 | (uint32_t)ip->bytes[2] << 8 |
		    ip->bytes[3];
		uint32_t b = a >> (32 - t->v4.ibits);

		m = &t->v4;
		lo = m->index[b];
		hi = m->index[b + 1];
		while (lo < hi) {
			mid = lo + (hi - lo + 1) / 2;
			if (m->r4[mid].start <= a)
				lo = mid;
			else
				hi = mid - 1;
		}
		rule = m->r4[lo].rule;
	} else {
		struct key k = key_of(ip);
		uint32_t b = (uint32_t)(k.hi >> (64 - t->v6.ibits));

		m = &t->v6;
		lo = m->index[b];
		hi = m->index[b + 1];
		while (lo < hi) {
			mid = lo + (hi - lo + 1) / 2;
			if (key_cmp(m->r6[mid].start, k) <= 0)
				lo = mid;
			else
				hi = mid - 1;
		}
		rule = m->r6[lo].rule;
	}
	return rule == NO_RULE ? NULL : &t->rules[rule];
}

const char *
bmx_cidr_name(const struct bmx_cidr_table *t)
{
	return t->name;
}

size_t
bmx_cidr_nrules(const struct bmx_cidr_table *t)
{
	return t->nrules;
}

const struct bmx_cidr_rule *
bmx_cidr_rule(const struct bmx_cidr_table *t, size_t i)
{
	return i < t->nrules ? &t->rules[i] : NULL;
}

size_t
bmx_cidr_nranges(const struct bmx_cidr_table *t)
{
	return t->v4.n + t->v6.n;
}

size_t
bmx_cidr_memory(const struct bmx_cidr_table *t)
{
	return sizeof(*t) + t->nrules * sizeof(*t->rules) + t->pool_len +
	    t->v4.n * sizeof(struct range4) + t->v6.n * sizeof(struct range6) +
	    (((size_t)1 << t->v4.ibits) + 1 + ((size_t)1 << t->v6.ibits) + 1) *
	    sizeof(uint32_t);
}

void
bmx_cidr_free(struct bmx_cidr_table *t)
{
	if (t == NULL)
		return;
	family_free(&t->v4);
	family_free(&t->v6);
	free(t->rules);
	free(t->pool);
	free(t->name);
	free(t);
}
