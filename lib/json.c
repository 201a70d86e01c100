/*
 * json.c - a JSON string, quoted and escaped
 */
#include "json.h"

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong form, no surrogate, nothing above U+10FFFF), 0 if none. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* the NUL ends here too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void
bmx_json_str(FILE *f, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 0) {
			/* not UTF-8: JSON text must be, so U+FFFD stands in */
			fputs("\\ufffd", f);
			n = 1;
		} else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
	}
	putc('"', f);
}
