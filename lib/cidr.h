/*
 * cidr.h - prefix tables in the syntax of Postfix cidr_table(5)
 *
 * A table maps IPv4 and IPv6 addresses to result strings.  It is read from
 * text with the rules of Postfix's cidr_table(5): "pattern result" and
 * "!pattern result" lines, "if pattern" / "if !pattern" ... "endif" blocks
 * (nesting allowed), bare addresses for exact matches, optional [brackets],
 * comments, and continuation lines that start with white space.  The
 * first rule that matches wins.
 *
 * One deliberate difference: the CR of a CRLF line end is dropped, where
 * Postfix keeps it inside a result that goes on to a continuation line.
 *
 * Where Postfix warns about a bad line and skips it, this parser reports
 * an error, and a table with errors is not built at all: a bad line never
 * matches silently.  Every problem is added to a struct bmx_diag with the
 * table's name and the line number.
 *
 * The table is compiled into sorted disjoint address ranges with an index
 * on the leading address bits, so a lookup costs a few memory reads and
 * never allocates, however large the table.
 *
 * This module does no I/O: callers read files themselves.
 *
 * Ownership: bmx_cidr_parse() returns a table that the caller frees with
 * bmx_cidr_free().  Rules and their strings belong to the table.
 *
 * Thread safety: a built table is immutable; any number of threads may
 * look it up at once.
 */
#ifndef BMX_CIDR_H
#define BMX_CIDR_H

#include <stddef.h>

#include "diag.h"
#include "ip.h"

/** Longest logical line (after joining continuation lines) accepted. */
#define BMX_CIDR_LINE_MAX 4096
/** Deepest if..endif nesting accepted. */
#define BMX_CIDR_DEPTH_MAX 64

struct bmx_cidr_table;

/** One rule of a table, as written. */
struct bmx_cidr_rule {
	const char *pattern; /**< e.g. "127.0.0.0/8" or "!10.0.0.0/8" */
	const char *result;  /**< the text after the pattern, trimmed */
	unsigned line;	     /**< line on which the rule starts */
	unsigned index;	     /**< 0-based position among the rules */
};

/**
 * Parse and compile a table.
 * @param name the table's name for messages (usually its file name)
 * @param text the table's text; need not be NUL-terminated
 * @param len length of text in bytes
 * @param diag receives every error and warning with name and line
 * @return the table, or NULL when there was at least one error (or no
 *     memory, which is reported in diag too).  The caller frees it.
 */
struct bmx_cidr_table *bmx_cidr_parse(
    const char *name, const char *text, size_t len, struct bmx_diag *diag);

/**
 * Find the first rule that matches an address.
 * @return the rule (owned by the table), or NULL when none matches
 */
const struct bmx_cidr_rule *bmx_cidr_match(
    const struct bmx_cidr_table *t, const struct bmx_ip *ip);

/** @return the table's name as given to bmx_cidr_parse(). */
const char *bmx_cidr_name(const struct bmx_cidr_table *t);

/** @return the number of rules (if and endif lines are not rules). */
size_t bmx_cidr_nrules(const struct bmx_cidr_table *t);

/** @return rule number i (0-based), or NULL when out of range. */
const struct bmx_cidr_rule *bmx_cidr_rule(
    const struct bmx_cidr_table *t, size_t i);

/** @return the number of disjoint address ranges the table compiled to. */
size_t bmx_cidr_nranges(const struct bmx_cidr_table *t);

/** @return the bytes of memory the table holds. */
size_t bmx_cidr_memory(const struct bmx_cidr_table *t);

/** Free a table.  NULL is a no-op. */
void bmx_cidr_free(struct bmx_cidr_table *t);

#endif
