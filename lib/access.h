/*
 * access.h - the results of Postfix access(5) tables that make sense here
 *
 * A cidr table maps an address to a result string.  bogusmx reads the
 * results that Postfix's check_recipient_mx_access would act on:
 *
 *   REJECT [text]        refuse (554 5.7.1 by default)
 *   DEFER [text]         refuse for now (450 4.7.1 by default)
 *   4NN [d.d.d] [text]   refuse for now with this code
 *   5NN [d.d.d] [text]   refuse with this code
 *   OK, or all digits    the address is acceptable: stop looking
 *                        (but "4NN" or "5NN" alone is an error: Postfix
 *                        would take it as OK, surely not what was meant)
 *   DUNNO                as if the address were not in this table
 *   WARN [text]          log the text, then as DUNNO
 *
 * Keywords are case-insensitive, as in Postfix.  Anything else (HOLD,
 * DISCARD, FILTER, restriction names ...) is an error, reported when the
 * table is loaded, never at lookup time.
 *
 * Ownership: struct bmx_access points into the result string it was
 * parsed from; that string must outlive it.
 *
 * Thread safety: reentrant.
 */
#ifndef BMX_ACCESS_H
#define BMX_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"
#include "diag.h"

enum bmx_access_action {
	BMX_ACCESS_DUNNO,
	BMX_ACCESS_OK,
	BMX_ACCESS_REJECT, /**< permanent: REJECT or 5NN */
	BMX_ACCESS_DEFER,  /**< temporary: DEFER or 4NN */
	BMX_ACCESS_WARN,
};

struct bmx_access {
	enum bmx_access_action action;
	unsigned code;	  /**< 4NN/5NN as written, 0 for the default */
	char dsn[12];	  /**< "5.7.1" when written, else "" */
	const char *text; /**< the text after the keyword/code, or "" */
};

/**
 * Parse one result string.
 * @param result the result text of a table rule
 * @param out filled on success
 * @param err receives the reason on failure
 * @return true on success
 */
bool bmx_access_parse(
    const char *result, struct bmx_access *out, char *err, size_t errlen);

/**
 * Check every rule of a table; each bad result is an error in diag with
 * the table's name and the rule's line.
 * @return true when every result parses
 */
bool bmx_access_check_table(
    const struct bmx_cidr_table *t, struct bmx_diag *diag);

/** @return "REJECT", "DEFER", "OK", "DUNNO" or "WARN". */
const char *bmx_access_name(enum bmx_access_action a);

#endif
