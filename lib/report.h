/*
 * report.h - the migration report: what action = "reject" would have
 * refused, in bounded memory
 *
 * A postmaster runs bogusmx with action = "log" (or "tag") first and
 * wants to know, before switching to "reject", what would have been
 * refused.  The report counts every decision it is given and, for those
 * whose verdict under action = "reject" is not an accept, keeps:
 *
 *   - counts by outcome and class (BMX_REPORT_ROWS distinct pairs; a
 *     pair beyond that is counted in "other", so a table with many
 *     classes cannot grow it),
 *   - the top domains, by the Space-Saving algorithm (Metwally, Agrawal
 *     and El Abbadi, 2005): k slots; a domain not in a slot takes the
 *     slot with the smallest count, inheriting that count (its "error",
 *     an upper bound of how much of its count may belong to others).
 *     Every domain refused more than N/k times is in the table, and a
 *     count is exact when its error is 0.
 *
 * Memory is fixed at bmx_report_new(); nothing is allocated while
 * counting.  Adding costs O(k) (a linear scan; k is small).
 *
 * Thread safety: every function may be called from any thread (one
 * mutex per report).  A view is the caller's copy.
 */
#ifndef BMX_REPORT_H
#define BMX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "ipclass.h"
#include "policy.h"

/** Distinct (outcome, class) rows kept; more go to "other". */
#define BMX_REPORT_ROWS 64
/** Most top-domain slots. */
#define BMX_REPORT_TOPK_MAX 10000

struct bmx_report_row {
	enum bmx_verdict verdict; /**< under action = "reject" */
	enum bmx_outcome outcome;
	char class_name[BMX_CLASS_MAX]; /**< "" when none */
	unsigned long count;
};

struct bmx_report_domain {
	char name[BMX_DOMAIN_MAX + 1];
	unsigned long count;	  /**< an upper bound; exact when error is 0 */
	unsigned long error;	  /**< at most this much of count is others' */
	enum bmx_outcome outcome; /**< of its last refusal */
};

/** A copy of a report, with the domains sorted by count, highest first. */
struct bmx_report_view {
	time_t since;		  /**< start, or the last reset */
	unsigned long decisions;  /**< every decision counted */
	unsigned long rejected;	  /**< would have been rejected */
	unsigned long tempfailed; /**< would have been deferred */
	struct bmx_report_row rows[BMX_REPORT_ROWS];
	size_t nrows;
	unsigned long other; /**< refusals in no row (rows were full) */
	struct bmx_report_domain *domains; /**< owned; ndomains of them */
	size_t ndomains;
	size_t topk; /**< slots */
};

struct bmx_report;

/**
 * @param topk domain slots, 1..BMX_REPORT_TOPK_MAX
 * @param now the start of counting
 * @return a new, empty report, or NULL (out of memory, topk out of range)
 */
struct bmx_report *bmx_report_new(size_t topk, time_t now);

/** Free a report.  NULL is a no-op. */
void bmx_report_free(struct bmx_report *r);

/**
 * Count one decision.
 * @param verdict what action = "reject" would have answered
 * @param outcome the policy's outcome
 * @param class_name the class that decided ("" or NULL: none)
 * @param domain the recipient's domain ("" or NULL: none, e.g. a bad
 *     address); longer than BMX_DOMAIN_MAX is cut
 */
void bmx_report_add(struct bmx_report *r, enum bmx_verdict verdict,
    enum bmx_outcome outcome, const char *class_name, const char *domain);

/** Forget everything counted; count again from now. */
void bmx_report_reset(struct bmx_report *r, time_t now);

/**
 * Copy the report.
 * @param out filled; release with bmx_report_view_clear()
 * @return false when out of memory (out then holds no domains)
 */
bool bmx_report_get(struct bmx_report *r, struct bmx_report_view *out);

/** Free what a view holds. */
void bmx_report_view_clear(struct bmx_report_view *v);

/**
 * Write a view for a person: the totals, a table by outcome and class,
 * and the top domains (at most limit; 0: all kept).
 * @param now for "since ... (N s ago)"
 */
void bmx_report_write_text(
    const struct bmx_report_view *v, size_t limit, time_t now, FILE *f);

/** The same as one JSON object, on one line with a newline. */
void bmx_report_write_json(
    const struct bmx_report_view *v, size_t limit, time_t now, FILE *f);

#endif
