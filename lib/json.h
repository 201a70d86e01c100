/*
 * json.h - the one JSON string writer of the programs' --json outputs
 *
 * bogusmx-check, the control socket's replies and bogusmx-ctl write JSON
 * by hand (objects of known fields); every string value or key that may
 * hold text from outside (a domain, a reply, a file name) goes through
 * bmx_json_str(), which quotes it and escapes '"', '\\' and control
 * characters (as \u00XX).  Well-formed UTF-8 is written as it is; a byte
 * that is not part of well-formed UTF-8 (a client's Latin-1 mailbox, a
 * file name) becomes U+FFFD, so the output is always valid JSON.
 *
 * Thread safety: reentrant (stdio locks the stream).
 */
#ifndef BMX_JSON_H
#define BMX_JSON_H

#include <stdio.h>

/**
 * Write s as a quoted JSON string.
 * @param f the stream
 * @param s a NUL-terminated string (NULL writes null)
 */
void bmx_json_str(FILE *f, const char *s);

#endif
