/*
 * comments.c - blank out comments, check strings and braces are closed
 *
 * One pass over the text, a small lexer that follows libconfuse's rules
 * for strings; see comments.h.
 */
#include <stdio.h>
#include <string.h>

#include "comments.h"

/* Braces deeper than this are counted, not located. */
#define DEPTH_MAX 32

/* Does a token start at s (text the start of the whole text)?  Not
 * inside an unquoted word such as /run/x//y.pid, which libconfuse
 * reads whole: its words end at blanks and at = + , { } ( ) and quotes
 * (a comment before s is blanked already). */
static bool
token_start(const char *text, const char *s)
{
	return s == text || strchr(" \t\r\n=+,{}()\"'", s[-1]) != NULL;
}

/* The lexer's states: outside strings and comments, in a "..." or
 * '...' string, in a # or // comment, in a C comment. */
bool
bmx_comments_strip(char *text, char *err, size_t errlen, unsigned *line)
{
	enum { CODE, DQUOTE, SQUOTE, LINE, BLOCK } st = CODE;
	unsigned n = 1, opened = 0, open[DEPTH_MAX], depth = 0;
	char *s;

	for (s = text; *s != '\0'; s++) {
		if (*s == '\n')
			n++;
		switch (st) {
		case CODE:
			if (*s == '"' || *s == '\'') {
				st = *s == '"' ? DQUOTE : SQUOTE;
				opened = n;
			} else if (*s == '#' ||
			    (s[0] == '/' && s[1] == '/' &&
				token_start(text, s))) {
				st = LINE;
				*s = ' ';
			} else if (s[0] == '/' && s[1] == '*' &&
			    token_start(text, s)) {
				st = BLOCK;
				opened = n;
				s[0] = s[1] = ' ';
				s++;
			} else if (*s == '{') {
				if (depth < DEPTH_MAX)
					open[depth] = n;
				depth++;
			} else if (*s == '}' && depth > 0) {
				depth--;
			}
			break;
		case DQUOTE:
		case SQUOTE:
			if (*s == '\\' &&
			    (st == DQUOTE ? s[1] != '\0' :
					    s[1] == '\\' || s[1] == '\'')) {
				s++;
				if (*s == '\n')
					n++;
			} else if (*s == (st == DQUOTE ? '"' : '\'')) {
				st = CODE;
			}
			break;
		case LINE:
			if (*s == '\n')
				st = CODE;
			else
				*s = ' ';
			break;
		case BLOCK:
			if (s[0] == '*' && s[1] == '/') {
				st = CODE;
				s[0] = s[1] = ' ';
				s++;
			} else if (*s != '\n') {
				*s = ' ';
			}
			break;
		}
	}
	if (st == DQUOTE || st == SQUOTE || st == BLOCK) {
		*line = opened;
		snprintf(err, errlen, "%s opened here is never closed",
		    st == BLOCK ? "the /* comment" : "the quoted string");
		return false;
	}
	if (depth > 0) {
		*line = open[depth <= DEPTH_MAX ? depth - 1 : DEPTH_MAX - 1];
		snprintf(err, errlen, "the '{' here is never closed");
		return false;
	}
	return true;
}
