/*
 * fuzz_common.h - helpers shared by the libFuzzer targets
 *
 * FUZZ_CHECK() is the fuzzers' assertion: it stays on whatever NDEBUG
 * says, prints what broke and aborts, which libFuzzer reports as a
 * crash with the input saved.  fuzz_cstr() copies the input into a
 * malloc'ed NUL-terminated string (so ASan sees every overread);
 * fuzz_text_ok() tells whether a reply text is fit for one SMTP line;
 * fuzz_check_domain() checks a normalised domain (lib/addr.h).
 *
 * Every function here is static: each fuzzer is one translation unit.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of n bytes (the bytes after a NUL are kept but
 * invisible to C string functions); never NULL. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Printable US-ASCII only: no CR, LF, other controls or 8-bit bytes. */
static inline bool
fuzz_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Split the input at the next occurrence of sep (one byte): *part and
 * *plen get the bytes before it; the input moves past it. */
static inline void
fuzz_split(const uint8_t **data, size_t *size, uint8_t sep,
    const uint8_t **part, size_t *plen)
{
	const uint8_t *end = memchr(*data, sep, *size);
	size_t n = end != NULL ? (size_t)(end - *data) : *size;

	*part = *data;
	*plen = n;
	*data += n + (end != NULL);
	*size -= n + (end != NULL);
}

/* A normalised domain: [a-z0-9_-] labels of 1..63, <= 253 in all. */
static inline void
fuzz_check_domain(const char *d)
{
	size_t n = strlen(d), i, label = 0;

	FUZZ_CHECK(n > 0 && n <= BMX_DOMAIN_MAX);
	for (i = 0; i < n; i++) {
		char c = d[i];

		if (c == '.') {
			FUZZ_CHECK(label > 0);
			label = 0;
			continue;
		}
		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_');
		FUZZ_CHECK(++label <= BMX_LABEL_MAX);
	}
	FUZZ_CHECK(label > 0);
	FUZZ_CHECK(bmx_domain_within(d, d));
	FUZZ_CHECK(
	    bmx_domain_within(d, strrchr(d, '.') ? strrchr(d, '.') + 1 : d));
}

#endif
