/*
 * cidr_parse.c - read cidr_table(5) text into rules
 *
 * Splits the text into logical lines (comments and blank lines dropped,
 * continuation lines joined), checks every line the way Postfix's
 * cidr_table(5) reads it (patterns, "if" and "endif" blocks, results)
 * and records each rule with its conditions: the patterns of the
 * enclosing if blocks and its own, each possibly negated.  Errors and
 * warnings go to the parser's struct bmx_diag with the line number.
 * cidr.c compiles what it leaves in struct bmx_cidr_src.
 *
 * Memory: the pool, rules and literals belong to the struct
 * bmx_cidr_src; bmx_cidr_src_clear() frees what the compiler did not
 * take over.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "cidr_impl.h"

#define MAX_RULES (1U << 28)

void
bmx_cidr_src_nomem(struct bmx_cidr_src *p)
{
	if (!p->nomem)
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, 0,
		    "out of memory while reading the table");
	p->nomem = true;
}

static bool
pool_add(struct bmx_cidr_src *p, const char *s, size_t len, size_t *off)
{
	char *np;
	size_t ncap;

	if (p->pool_len + len + 1 > p->pool_cap) {
		ncap = p->pool_cap ? p->pool_cap : 4096;
		while (p->pool_len + len + 1 > ncap)
			ncap *= 2;
		np = realloc(p->pool, ncap);
		if (np == NULL) {
			bmx_cidr_src_nomem(p);
			return false;
		}
		p->pool = np;
		p->pool_cap = ncap;
	}
	memcpy(p->pool + p->pool_len, s, len);
	p->pool[p->pool_len + len] = '\0';
	*off = p->pool_len;
	p->pool_len += len + 1;
	return true;
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static const char *
skip_space(const char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/* Keyword test: word, case-insensitive, followed by space, '!' or end. */
static bool
keyword(const char *s, const char *word, bool bang_ok)
{
	size_t n = strlen(word);
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return s[n] == '\0' || is_space(s[n]) || (bang_ok && s[n] == '!');
}

static void
mask_bits(uint8_t *b, size_t nbytes, unsigned plen)
{
	size_t i;

	for (i = 0; i < nbytes; i++) {
		unsigned bit = (unsigned)i * 8;

		if (bit >= plen)
			b[i] = 0;
		else if (plen - bit < 8)
			b[i] &= (uint8_t)(0xff << (8 - (plen - bit)));
	}
}

/*
 * Parse an address pattern: "addr", "addr/len", "[addr]", "[addr]/len" or
 * "[addr/len]".  The text is one token (no white space).
 */
static bool
parse_prefix(struct bmx_cidr_src *p, unsigned line, const char *tok,
    struct bmx_cidr_lit *out, bool continued)
{
	char buf[BMX_CIDR_LINE_MAX + 1];
	char fixed[BMX_IP_STRLEN];
	const char *hint = continued ? " (a line that starts with white space "
				       "continues the line before it: do "
				       "not indent lines)" :
				       "";
	char *addr, *slash, *close;
	size_t len = strlen(tok);
	unsigned long plen;
	unsigned bits;
	const char *m;
	struct bmx_ip ip;

	memcpy(buf, tok, len + 1);
	addr = buf;
	if (*addr == '[') {
		close = strchr(addr, ']');
		if (close == NULL) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "missing ']' in \"%s\"%s", tok, hint);
			return false;
		}
		addr++;
		if (close[1] != '\0' && close[1] != '/') {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "unexpected text after ']' in \"%s\"%s", tok, hint);
			return false;
		}
		/* "[a]/n" -> "a/n" */
		memmove(close, close + 1, strlen(close + 1) + 1);
	}
	slash = strrchr(addr, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!bmx_ip_parse(addr, &ip)) {
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "bad address pattern \"%s\": expected an IPv4 or IPv6 "
		    "address (decimal IPv4 octets without leading zeros), "
		    "optionally followed by /prefix-length%s",
		    tok, hint);
		return false;
	}
	bits = bmx_ip_bits(&ip);
	plen = bits;
	if (slash != NULL) {
		m = slash + 1;
		if (*m == '\0' || strspn(m, "0123456789") != strlen(m)) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "bad prefix length in \"%s\": expected a decimal "
			    "number after '/'%s",
			    tok, hint);
			return false;
		}
		plen = 0;
		for (; *m != '\0' && plen <= bits; m++)
			plen = plen * 10 + (unsigned long)(*m - '0');
		if (plen > bits) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "bad prefix length in \"%s\": an IPv%d prefix "
			    "length is 0 to %u",
			    tok, ip.family == BMX_IP_V6 ? 6 : 4, bits);
			return false;
		}
	}
	out->net = ip;
	out->plen = (unsigned)plen;
	mask_bits(out->net.bytes, bits / 8, out->plen);
	if (!bmx_ip_equal(&out->net, &ip)) {
		bmx_ip_format(&out->net, fixed, sizeof(fixed));
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "non-null host address bits in \"%s\", perhaps you should "
		    "use \"%s/%u\" instead",
		    tok, fixed, out->plen);
		return false;
	}
	return true;
}

/* Strip "!" marks (each one toggles) and the space after them. */
static const char *
parse_negation(
    struct bmx_cidr_src *p, unsigned line, const char *s, bool *negate)
{
	unsigned count = 0;

	*negate = false;
	while (*s == '!') {
		*negate = !*negate;
		count++;
		s = skip_space(s + 1);
	}
	if (count > 1)
		bmx_diag_add(p->diag, BMX_DIAG_WARNING, p->name, line,
		    "%u '!' marks: each one inverts the match, so this is "
		    "the same as %s; write it that way",
		    count, *negate ? "one '!'" : "none");
	return s;
}

static bool
check_text(struct bmx_cidr_src *p, unsigned line, const char *s, size_t len)
{
	size_t i, need = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (need > 0) {
			if ((c & 0xc0) != 0x80)
				break;
			need--;
			continue;
		}
		if (c == '\t' || (c >= 0x20 && c < 0x7f))
			continue;
		if (c < 0x20 || c == 0x7f) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "control character 0x%02x in the result text: "
			    "results become SMTP reply text and must be "
			    "printable",
			    c);
			return false;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			break;
	}
	if (i < len || need > 0) {
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "the result text is not valid UTF-8");
		return false;
	}
	return true;
}

static bool
add_rule(struct bmx_cidr_src *p, unsigned line, const char *pattern,
    size_t pattern_len, const char *result, const struct bmx_cidr_lit *own)
{
	struct bmx_cidr_src_rule *r;
	unsigned i;

	if (p->nrules >= MAX_RULES) {
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "too many rules (the limit is %u)", MAX_RULES);
		return false;
	}
	if (!bmx_cidr_grow((void **)&p->rules, &p->rules_cap, p->nrules,
		sizeof(*p->rules))) {
		bmx_cidr_src_nomem(p);
		return false;
	}
	r = &p->rules[p->nrules];
	r->line = line;
	r->lit_off = p->nlits;
	r->nlits = p->depth + 1;
	for (i = 0; i <= p->depth; i++) {
		if (!bmx_cidr_grow((void **)&p->lits, &p->lits_cap, p->nlits,
			sizeof(*p->lits))) {
			bmx_cidr_src_nomem(p);
			return false;
		}
		p->lits[p->nlits++] = i < p->depth ? p->stack[i] : *own;
	}
	if (!pool_add(p, pattern, pattern_len, &r->pattern_off) ||
	    !pool_add(p, result, strlen(result), &r->result_off))
		return false;
	p->nrules++;
	return true;
}

/* Handle one logical line (NUL-terminated, trailing space removed). */
static void
parse_line(struct bmx_cidr_src *p, unsigned line, char *s, bool continued)
{
	struct bmx_cidr_lit lit;
	const char *pat, *end, *rest;
	char tok[BMX_CIDR_LINE_MAX + 1];
	size_t toklen;

	if (keyword(s, "endif", false)) {
		rest = skip_space(s + 5);
		if (*rest != '\0') {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "unexpected text \"%s\" after endif", rest);
			return;
		}
		if (p->depth == 0) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "endif without a matching if");
			return;
		}
		p->depth--;
		return;
	}
	if (keyword(s, "if", true)) {
		pat = parse_negation(p, line, skip_space(s + 2), &lit.negate);
		if (*pat == '\0') {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "no address pattern after if");
			return;
		}
		end = pat + strcspn(pat, " \t\r\v\f");
		if (*skip_space(end) != '\0') {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "unexpected text \"%s\" after the pattern of if%s",
			    skip_space(end),
			    continued ? " (a line that starts with white "
					"space continues the line before it: "
					"do not indent the lines inside "
					"if..endif)" :
					"");
			return;
		}
		if (!parse_prefix(p, line, pat, &lit, continued))
			return;
		if (p->depth >= BMX_CIDR_DEPTH_MAX) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
			    "if blocks nested more than %d deep",
			    BMX_CIDR_DEPTH_MAX);
			return;
		}
		p->stack[p->depth] = lit;
		p->stack_line[p->depth] = line;
		p->depth++;
		return;
	}
	pat = parse_negation(p, line, s, &lit.negate);
	if (*pat == '\0') {
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "no address pattern after '!'");
		return;
	}
	toklen = strcspn(pat, " \t\r\v\f");
	memcpy(tok, pat, toklen);
	tok[toklen] = '\0';
	rest = skip_space(pat + toklen);
	if (!parse_prefix(p, line, tok, &lit, continued))
		return;
	if (*rest == '\0') {
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, line,
		    "no result after \"%s\": write a result such as "
		    "\"REJECT text\", \"OK\" or \"DUNNO\" after the pattern",
		    tok);
		return;
	}
	if (!check_text(p, line, rest, strlen(rest)))
		return;
	add_rule(p, line, s, (size_t)(pat + toklen - s), rest, &lit);
}

/* Trim the end of a complete logical line and parse it. */
static void
finish_line(struct bmx_cidr_src *p, unsigned line, char *buf, size_t len,
    bool continued)
{
	while (len > 0 && is_space(buf[len - 1]))
		len--;
	buf[len] = '\0';
	parse_line(p, line, buf, continued);
}

/*
 * Split the text into logical lines: comments and blank lines are
 * dropped, and lines that start with white space are appended to the
 * logical line before them.
 */
void
bmx_cidr_src_parse(struct bmx_cidr_src *p, const char *text, size_t len)
{
	char buf[BMX_CIDR_LINE_MAX + 1];
	size_t blen = 0, pos = 0, n;
	unsigned lineno = 0, start_line = 0;
	bool have = false, toolong = false, continued = false;
	const char *l, *nl, *t;

	while (pos < len && !p->nomem) {
		l = text + pos;
		nl = memchr(l, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - l) : len - pos;
		pos += n + (nl != NULL);
		lineno++;
		if (memchr(l, '\0', n) != NULL) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, lineno,
			    "NUL byte in the line");
			continue;
		}
		for (t = l; t < l + n && is_space(*t); t++)
			;
		if (t == l + n || *t == '#')
			continue;
		if (t == l) {
			/* A new logical line: finish the last one. */
			if (have && !toolong)
				finish_line(
				    p, start_line, buf, blen, continued);
			have = true;
			toolong = false;
			continued = false;
			blen = 0;
			start_line = lineno;
		} else if (!have) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name, lineno,
			    "the first line must not start with white space "
			    "(such a line continues the line before it)");
			continue;
		} else {
			continued = true;
		}
		if (toolong)
			continue;
		/* CRLF line ends: the CR goes (Postfix keeps it, inside a
		 * continued result); other trailing space stays until the
		 * logical line is complete, as in Postfix. */
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (blen + n > BMX_CIDR_LINE_MAX) {
			bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name,
			    start_line, "line longer than %d bytes",
			    BMX_CIDR_LINE_MAX);
			toolong = true;
			continue;
		}
		memcpy(buf + blen, l, n);
		blen += n;
	}
	if (have && !toolong && !p->nomem)
		finish_line(p, start_line, buf, blen, continued);
	while (p->depth > 0) {
		p->depth--;
		bmx_diag_add(p->diag, BMX_DIAG_ERROR, p->name,
		    p->stack_line[p->depth], "if without a matching endif");
	}
}

void
bmx_cidr_src_clear(struct bmx_cidr_src *p)
{
	free(p->pool);
	free(p->rules);
	free(p->lits);
	p->pool = NULL;
	p->rules = NULL;
	p->lits = NULL;
	p->pool_len = p->pool_cap = p->nrules = p->rules_cap = 0;
	p->nlits = p->lits_cap = 0;
}
