/*
 * config_parse.h - the libconfuse half of lib/config (internal)
 *
 * Internal to lib/config: only config.c includes this header, and it and
 * config_parse.c are the only files that see libconfuse's cfg_t.  The
 * rest of the program uses config.h.
 *
 * bmx_config_parse_text() blanks out the comments of a bogusmx.conf text
 * (comments.h), hands it to libconfuse with the option table, and checks
 * every value as it is read: integers (decimal, with bounds per key),
 * booleans, choices, sockets, paths, addresses, networks, domains and
 * header names, each with a message that names the key and the bad
 * value.  It also notes the line where every key was set, so that the
 * checks that involve several keys, made while building the config,
 * can name the right line.  Checks of that kind are not made here.
 *
 * Ownership: a struct bmx_config_parse owns its cfg_t and is freed with
 * bmx_config_parse_free(); it borrows the file name and the diag given
 * to bmx_config_parse_text(), which must outlive it.
 * Thread safety: none.  libconfuse's lexer is global and its callbacks
 * take no user pointer, so config_parse.c keeps the parse in progress in
 * a static: parse in one thread at a time.
 */
#ifndef BMX_CONFIG_PARSE_H
#define BMX_CONFIG_PARSE_H

#include <confuse.h>

#include "diag.h"

/** One parsed file: the cfg_t and the lines its keys were set on. */
struct bmx_config_parse;

/**
 * Parse a configuration text; an empty text gives the defaults.
 * @param file the file name for messages ("" for the defaults); borrowed
 * @param text NUL-terminated; its comments are blanked out in place
 * @param diag receives every problem as file:line: message; borrowed
 * @return the parse, freed with bmx_config_parse_free(), or NULL after
 *     adding at least one error to diag.  A parse that libconfuse
 *     accepted is returned even if diag got errors on the way: the
 *     caller judges by diag->errors.
 */
struct bmx_config_parse *bmx_config_parse_text(
    const char *file, char *text, struct bmx_diag *diag);

/**
 * The parsed options.
 * @return the cfg_t, owned by p
 */
cfg_t *bmx_config_parse_cfg(const struct bmx_config_parse *p);

/**
 * The line where a key was last set.  Keys are "section title|key" as
 * made by fmt: "|tables", "dns|timeout-ms", "reply bogus|code"; item i
 * of a list is "|tables#i"; "reply bogus|" is the line of the first key
 * set in that section.  A key is cut to 95 characters, as it was noted.
 * @return the line, or 0 when the key was not set in the text
 */
unsigned bmx_config_parse_line(const struct bmx_config_parse *p,
    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Free a parse.  NULL is a no-op. */
void bmx_config_parse_free(struct bmx_config_parse *p);

#endif
