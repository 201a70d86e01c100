/*
 * cidr_gen - random cidr tables and lookup keys for the differential test
 *
 * Usage: cidr_gen table SEED [RULES] > table.cidr
 *        cidr_gen keys SEED TABLE... > keys
 *
 * "table" writes a random table in Postfix cidr_table(5) syntax: IPv4 and
 * IPv6 prefixes drawn from a small pool of base networks (so that they
 * nest, overlap and repeat), bare addresses, [bracketed] patterns, "!"
 * and "!!" rules, "if"/"if !" ... "endif" blocks nested up to 4 deep
 * with rules of both families inside, continuation lines, comments and
 * blank lines.  The result of each rule starts with "R<line>", the line
 * on which the rule starts, so that every rule's result is unique.  There
 * are RULES rules, or 300 to 599 when RULES is not given.
 *
 * "keys" reads the tables, takes every token that looks like an address
 * pattern and writes, for each prefix, its first and last address, the
 * addresses just outside it and a few inside it; then thousands of random
 * IPv4 and IPv6 addresses, IPv4-mapped IPv6 forms, a few non-canonical
 * spellings, and edge cases of address syntax, valid and not.  Keys may
 * repeat; the driver sorts them.
 *
 * The output depends only on the arguments: the generator draws from the
 * seeded splitmix64 of the tests (test/common/testrand.h) and uses the C
 * library only to parse and print addresses, independently of lib/.
 * This file writes the tables; cidr_gen_keys.c the keys; cidr_gen_util.c
 * holds the random numbers and address helpers (cidr_gen.h).
 *
 * Exit status: 0 on success, 2 on a usage, read or write error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr_gen.h"

#define MAX_DEPTH 4
#define MAX_SEEN 4096
#define MAX_BASE 64
#define NBASE_EXTRA 4
#define MAX_TOP_NEG 4

/* The state of one table being written. */
struct gen {
	struct prefix base[MAX_BASE]; /* base_text, then random ones */
	unsigned nbase;
	struct prefix seen[MAX_SEEN]; /* prefixes used so far */
	unsigned nseen;
	unsigned line; /* lines written so far */
	struct prefix stack[MAX_DEPTH];
	bool stack_neg[MAX_DEPTH];
	unsigned budget[MAX_DEPTH]; /* rules and ifs left in each block */
	unsigned depth;
	unsigned top_neg; /* negated rules outside of positive ifs so far */
};

static struct gen gen; /* large: kept off the stack */

/* Set up the bases: base_text, then extra ones that depend on the seed. */
static void
gen_init(struct gen *g, unsigned extra)
{
	unsigned i;

	memset(g, 0, sizeof(*g));
	if (nbase_text + extra > MAX_BASE)
		abort();
	for (i = 0; i < nbase_text; i++)
		if (!parse_prefix(base_text[i], &g->base[i]))
			abort();
	g->nbase = i + extra;
	for (; i < g->nbase; i++) {
		struct prefix *p = &g->base[i];

		p->a.family = i % 2 ? AF_INET : AF_INET6;
		p->plen =
		    p->a.family == AF_INET ? 8 + below(9) : 16 + below(33);
		random_host(&p->a, 0);
		fill_host(&p->a, p->plen, false);
	}
}

/*
 * A prefix near p: mostly inside it (longer prefixes more often than
 * shorter ones), sometimes p itself or a little wider.  Short prefixes
 * hide every later rule inside them, so they stay rare.
 */
static struct prefix
derive(const struct prefix *p)
{
	struct prefix q = *p;
	unsigned bits = nbits(&q.a), r = below(100), room, add, least;

	least = bits == 32 ? 8 : 16;
	if (r < 5 && q.plen > 4) {
		q.plen -= 1 + below(q.plen - 4 < 4 ? q.plen - 4 : 4);
	} else if (r < 20) {
		q.plen = bits;
	} else if (r >= 30 || q.plen < least) {
		room = bits - q.plen < 24 ? bits - q.plen : 24;
		add = below(room + 1);
		if (below(room + 1) > add)
			add = below(room + 1);
		if (q.plen + add < least)
			add = least - q.plen;
		q.plen += add;
	}
	random_host(&q.a, p->plen < q.plen ? p->plen : q.plen);
	fill_host(&q.a, q.plen, false);
	return q;
}

/*
 * A prefix that overlaps one used before: the same (a duplicate), a wider
 * one, which partly hides behind the earlier one, or a neighbour of the
 * same length.  Prefixes inside it come from derive().
 */
static struct prefix
overlap(const struct prefix *p)
{
	struct prefix q = *p;
	unsigned r = below(100), n, least = nbits(&q.a) == 32 ? 4 : 8;

	if (r < 25 || q.plen <= least)
		return q;
	n = 1 + below(8);
	if (n > q.plen - least)
		n = q.plen - least;
	if (r < 65) {
		q.plen -= n;
		fill_host(&q.a, q.plen, false);
	} else {
		random_host(&q.a, q.plen - n);
		fill_host(&q.a, q.plen, false);
	}
	return q;
}

/* A prefix of family fam (0: any), near a base or one used before. */
static struct prefix
pick_any(struct gen *g, int fam)
{
	const struct prefix *from;
	unsigned tries;
	bool old;

	for (tries = 0;; tries++) {
		old = g->nseen > 0 && chance(35);
		if (old)
			from = &g->seen[below(g->nseen)];
		else
			from = &g->base[below(g->nbase)];
		if (fam == 0 || from->a.family == fam || tries > 50)
			break;
	}
	return old && chance(60) ? overlap(from) : derive(from);
}

/*
 * A prefix for a rule or an if at the current nesting: mostly inside the
 * innermost "if pattern", so that nested rules can match; sometimes of the
 * other family, or from anywhere.
 */
static struct prefix
pick(struct gen *g)
{
	const struct prefix *in = NULL, *pos = NULL;
	struct prefix p;
	unsigned i, r = below(100);

	for (i = 0; i < g->depth; i++) {
		in = &g->stack[i];
		if (!g->stack_neg[i])
			pos = in;
	}
	if (in == NULL)
		p = pick_any(g, 0);
	else if (r < 6)
		p = pick_any(g, in->a.family == AF_INET ? AF_INET6 : AF_INET);
	else if (r < 20 || (pos == NULL && r < 60))
		p = pick_any(g, in->a.family);
	else
		p = derive(pos != NULL ? pos : in);
	if (g->nseen < MAX_SEEN)
		g->seen[g->nseen++] = p;
	else
		g->seen[below(MAX_SEEN)] = p;
	return p;
}

static void
put(struct gen *g, const char *s)
{
	const char *c;

	fputs(s, stdout);
	for (c = s; *c != '\0'; c++)
		g->line += *c == '\n';
}

static void
spell_pattern(const struct prefix *p, char *buf, size_t len)
{
	char a[64];
	unsigned r = below(100);

	spell_addr(&p->a, a, sizeof(a));
	if (p->plen == nbits(&p->a)) {
		if (r < 50)
			snprintf(buf, len, "%s", a);
		else if (r < 80)
			snprintf(buf, len, "%s/%u", a, p->plen);
		else if (r < 90)
			snprintf(buf, len, "[%s]", a);
		else
			snprintf(buf, len, "[%s/%u]", a, p->plen);
		return;
	}
	if (r < 70)
		snprintf(buf, len, "%s/%u", a, p->plen);
	else if (r < 85)
		snprintf(buf, len, "[%s/%u]", a, p->plen);
	else if (r < 95)
		snprintf(buf, len, "[%s]/%u", a, p->plen);
	else
		snprintf(buf, len, "%s/0%u", a, p->plen);
}

/*
 * A negation prefix, in pct percent of the cases.  A negated rule outside
 * of any if block matches most of its family and hides all the rules after
 * it, so callers ask for few of them there.
 */
static const char *
negation(unsigned pct, bool *neg)
{
	unsigned r = below(100);

	*neg = false;
	if (r >= pct)
		return chance(2) ? "!!" : "";
	*neg = true;
	r = below(100);
	if (r < 75)
		return "!";
	if (r < 90)
		return "! ";
	return "!!!";
}

static const char *
pick_str(const char *const *v, size_t n)
{
	return v[below((unsigned)n)];
}

#define PICK(v) pick_str(v, sizeof(v) / sizeof(v[0]))

static const char *const seps[] = { " ", "\t", "\t\t", "   ", " \t " };
static const char *const conts[] = { " ", "\t", "   ", "\t ", "        " };
static const char *const words[] = { "REJECT", "OK", "DUNNO", "bogus MX",
	"private network (RFC 1918)", "x", "a  b", "550 5.7.1 go\taway" };
static const char *const between[] = { "", "", "", "# a comment\n", "\n",
	"   \n", "  # indented comment\n", "#\n\n" };

/* Is there an "if pattern" (not "if !pattern") around? */
static bool
bounded(const struct gen *g)
{
	unsigned i;

	for (i = 0; i < g->depth; i++)
		if (!g->stack_neg[i])
			return true;
	return false;
}

/*
 * Add a rule.  A negated rule that is not inside a positive if matches
 * nearly all of its family, so there are only a few of them, near the end
 * of the table (top_neg percent of the rules there), and at most
 * MAX_TOP_NEG in all.
 */
static void
gen_rule(struct gen *g, unsigned top_neg)
{
	struct prefix p = pick(g);
	char pat[128], line[512];
	const char *neg;
	bool negate;
	int n;

	if (g->top_neg >= MAX_TOP_NEG)
		top_neg = 0;
	neg = negation(bounded(g) ? 8 : top_neg, &negate);
	if (negate && !bounded(g))
		g->top_neg++;
	spell_pattern(&p, pat, sizeof(pat));
	n = snprintf(line, sizeof(line), "%s%s", neg, pat);
	if (chance(4)) {
		/* The result on a continuation line. */
		snprintf(line + n, sizeof(line) - (size_t)n, "\n%s%sR%u",
		    PICK(between), PICK(conts), g->line + 1);
		put(g, line);
	} else {
		snprintf(line + n, sizeof(line) - (size_t)n, "%sR%u",
		    PICK(seps), g->line + 1);
		put(g, line);
	}
	if (chance(35)) {
		put(g, " ");
		put(g, PICK(words));
	}
	/*
	 * Continued result text.  The line before a continuation never ends
	 * in white space here: see trailing.cidr for that case.
	 */
	while (chance(10)) {
		put(g, "\n");
		put(g, PICK(between));
		put(g, PICK(conts));
		put(g, PICK(words));
	}
	if (chance(5))
		put(g, PICK(seps)); /* trailing white space, trimmed */
	put(g, "\n");
}

static void
gen_if(struct gen *g)
{
	static const char *const kw[] = { "if", "if", "if", "IF", "If" };
	struct prefix p = pick(g);
	unsigned bits = nbits(&p.a);
	char pat[128];
	const char *neg;
	bool negate;

	/* An if around a single address would leave nothing to nest. */
	if (p.plen > bits - 6) {
		p.plen = bits - 6 - below(10);
		fill_host(&p.a, p.plen, false);
	}
	neg = negation(12, &negate);
	spell_pattern(&p, pat, sizeof(pat));
	put(g, PICK(kw));
	if (chance(5)) {
		/* The pattern on a continuation line. */
		put(g, "\n");
		put(g, PICK(conts));
	} else if (*neg != '!' || chance(70)) {
		put(g, PICK(seps));
	}
	put(g, neg);
	put(g, pat);
	put(g, "\n");
	g->stack[g->depth] = p;
	g->stack_neg[g->depth] = negate;
	g->budget[g->depth] = 2 + below(12);
	g->depth++;
}

static void
gen_endif(struct gen *g)
{
	static const char *const kw[] = { "endif", "endif", "ENDIF", "EndIf" };

	put(g, PICK(kw));
	if (chance(5))
		put(g, " \t");
	put(g, "\n");
	g->depth--;
}

void
gen_table(unsigned nrules)
{
	struct gen *g = &gen;
	unsigned i;

	if (nrules == 0)
		nrules = 300 + below(300);
	gen_init(g, NBASE_EXTRA);
	put(g, "# random table for the differential test (cidr_gen)\n");
	for (i = 0; i < nrules;) {
		unsigned r = below(100);

		if (g->depth > 0 && g->budget[g->depth - 1] == 0) {
			gen_endif(g);
			continue;
		}
		if (r < 4) {
			put(g, PICK(between));
			continue;
		}
		if (g->depth > 0)
			g->budget[g->depth - 1]--;
		if (r < 12 && g->depth < MAX_DEPTH) {
			gen_if(g);
		} else {
			gen_rule(g, i > nrules - nrules / 10 ? 3 : 0);
			i++;
		}
	}
	while (g->depth > 0)
		gen_endif(g);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: cidr_gen table SEED [RULES]\n"
	    "       cidr_gen keys SEED TABLE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long nrules = 0;
	char *end;

	if (argc < 3)
		usage();
	rng_state = strtoull(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0')
		usage();
	if (strcmp(argv[1], "table") == 0 && argc == 4) {
		nrules = strtoul(argv[3], &end, 10);
		if (*argv[3] == '\0' || *end != '\0' || nrules == 0 ||
		    nrules > 1000000)
			usage();
	}
	if (strcmp(argv[1], "table") == 0 && argc <= 4)
		gen_table((unsigned)nrules);
	else if (strcmp(argv[1], "keys") == 0 && argc > 3)
		gen_keys(argc - 3, argv + 3);
	else
		usage();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("cidr_gen: stdout");
		return 2;
	}
	return 0;
}
