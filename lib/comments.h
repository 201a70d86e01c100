/*
 * comments.h - blank out the comments of a libconfuse-syntax text
 *
 * libconfuse 3.3 miscounts line numbers after comments and refuses
 * comments inside lists, so lib/config removes them before libconfuse
 * sees the text: every comment character becomes a space and every
 * newline stays, so line numbers are right.  The same pass reports what
 * libconfuse would not: a quoted string or comment still open at the end
 * of the text, or a '{' never closed (libconfuse ends an open section at
 * the end of the file without a word).
 *
 * Comments are "#" and "//" to the end of the line, and C comments, all
 * outside quoted strings; "//" and a C comment begin only where a
 * token may begin (after a blank, = + , { } ( ) or a quote, or at the
 * start), never inside an unquoted word: pid-file = /run/x//y.pid is
 * that path, as libconfuse reads it.  Strings follow libconfuse's lexer: "..."
 * with backslash escapes and '...' with \\ and \' only; both may span lines.
 *
 * The text is changed in place; nothing is allocated.  Errors are
 * returned as text with their line number.
 * Thread safety: reentrant.
 */
#ifndef BMX_COMMENTS_H
#define BMX_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Blank out the comments of a text and check it is closed.
 * @param text NUL-terminated; comments are overwritten with spaces
 * @param err receives the problem on failure ("the '{' here is never
 *     closed")
 * @param errlen size of err
 * @param line receives the line (from 1) where the unclosed string,
 *     comment or brace was opened; set only on failure
 * @return true when the text holds nothing left open; on false the
 *     comments before the problem are blanked, the rest may not be
 */
bool bmx_comments_strip(char *text, char *err, size_t errlen, unsigned *line);

#endif
