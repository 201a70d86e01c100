/*
 * cidr_impl.h - between cidr_parse.c (text -> rules) and cidr.c (rules ->
 * lookup table); private to those two files
 *
 * bmx_cidr_src_parse() fills a zeroed struct bmx_cidr_src from the text
 * of a table: every rule with its pattern and result (offsets into one
 * string pool) and its conditions (a run of literals).  On any error it
 * adds a message to p->diag; when memory runs out it also sets
 * p->nomem.  The compiler (compile() in cidr.c) reads name, diag, pool,
 * rules and lits, takes the pool over (setting p->pool to NULL), and
 * calls bmx_cidr_src_nomem() if it runs out of memory itself.
 * bmx_cidr_src_clear() frees what is left.
 *
 * Thread safety: a struct bmx_cidr_src belongs to one thread.
 */
#ifndef BMX_CIDR_IMPL_H
#define BMX_CIDR_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cidr.h"

/* One condition: address in (or, negated, not in) a prefix. */
struct bmx_cidr_lit {
	struct bmx_ip net;
	unsigned plen;
	bool negate;
};

/* A rule as read: pattern, result, line and its conditions. */
struct bmx_cidr_src_rule {
	size_t pattern_off, result_off;
	unsigned line;
	size_t lit_off; /* into parser.lits */
	unsigned nlits;
};

/* The parser: what it read (pool, rules, lits) and where it is (the
 * stack of enclosing if blocks). */
struct bmx_cidr_src {
	const char *name;
	struct bmx_diag *diag;
	char *pool;
	size_t pool_len, pool_cap;
	struct bmx_cidr_src_rule *rules;
	size_t nrules, rules_cap;
	struct bmx_cidr_lit *lits;
	size_t nlits, lits_cap;
	struct bmx_cidr_lit stack[BMX_CIDR_DEPTH_MAX];
	unsigned stack_line[BMX_CIDR_DEPTH_MAX];
	unsigned depth;
	bool nomem;
};

/**
 * Read a table's text into p (zeroed, with name and diag set).
 * @param p the parser; its diag receives every error and warning
 * @param text the table's text; need not be NUL-terminated
 * @param len length of text in bytes
 */
void bmx_cidr_src_parse(struct bmx_cidr_src *p, const char *text, size_t len);

/** Record that memory ran out (once in p->diag) and set p->nomem. */
void bmx_cidr_src_nomem(struct bmx_cidr_src *p);

/** Free the pool, rules and literals still held by p. */
void bmx_cidr_src_clear(struct bmx_cidr_src *p);

/* Dynamic growth helper: ensure room for one more element. */
static inline bool
bmx_cidr_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 64;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

#endif
