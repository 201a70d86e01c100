/*
 * config_check.h - between config_parse.c and config_check.c (private)
 *
 * config_parse.c owns the option table and the state of a parse;
 * config_check.c holds the validate callbacks of single values.  Nothing
 * else includes this header.  Not thread-safe: used only during a parse,
 * which runs in one thread at a time (see config_parse.c).
 */
#ifndef BMX_CONFIG_CHECK_H
#define BMX_CONFIG_CHECK_H

#include <stddef.h>

#include <confuse.h>

/**
 * Set the validate callbacks of config_check.c on the keys of cfg.
 * @param cfg a cfg_init() result of config_parse.c's option table
 */
void bmx_config_check_set(cfg_t *cfg);

/**
 * Add an error to the diagnostics of the parse under way, at the line
 * libconfuse is on.  Does nothing outside a parse.
 * @param cfg the section being read, or NULL
 * @param fmt printf format of the whole message
 */
void bmx_config_parse_fail(cfg_t *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Name of a key with its section, "dns: timeout-ms", for messages.
 * @param cfg the section; @param opt the key
 * @param buf where to write it; @param len its size
 * @return buf
 */
const char *bmx_config_parse_where(
    cfg_t *cfg, cfg_opt_t *opt, char *buf, size_t len);

#endif
