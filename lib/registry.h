/*
 * registry.h - the built-in table of special-purpose addresses
 *
 * etc/bogons.cidr is compiled into the library at build time (one source
 * of truth).  This module hands out its text, the registry date recorded
 * in its "# registry-date: YYYY-MM-DD" line (the build fails without
 * one), and builds a cidr table from it.
 *
 * Ownership: the text and date are static.  A table from
 * bmx_registry_table() belongs to the caller (bmx_cidr_free()).
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef BMX_REGISTRY_H
#define BMX_REGISTRY_H

#include <stddef.h>

#include "cidr.h"
#include "diag.h"

/** The name the built-in table carries in messages. */
#define BMX_REGISTRY_NAME "built-in bogons.cidr"

/** @return the text of etc/bogons.cidr as built in; *len gets its size. */
const char *bmx_registry_text(size_t *len);

/** @return the registry date ("2026-07-18"), static storage. */
const char *bmx_registry_date(void);

/**
 * Build the built-in table.
 * @param diag receives problems (there are none in a correct build)
 * @return the table, or NULL on error; the caller frees it
 */
struct bmx_cidr_table *bmx_registry_table(struct bmx_diag *diag);

/**
 * The class of a rule of the registry: the first word of its REJECT text
 * in lower case ("loopback", "private", ...).
 * @param buf receives the class; "" when the rule has no text
 * @return buf
 */
const char *bmx_registry_class(
    const struct bmx_cidr_rule *rule, char *buf, size_t len);

#endif
