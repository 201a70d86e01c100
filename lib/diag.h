/*
 * diag.h - problems found while reading an input file
 *
 * A struct bmx_diag collects the errors and warnings that a parser finds,
 * each with the file name and line number it belongs to, so that a caller
 * can print all of them ("file:line: message") instead of only the first.
 * Library code fills a bmx_diag and never prints it; the programs decide
 * where the text goes.
 *
 * Ownership: the struct owns copies of every string added to it;
 * bmx_diag_clear() frees them.  At most BMX_DIAG_KEEP entries are kept;
 * later ones are only counted, so hostile input cannot use up memory.
 *
 * Thread safety: none; use one struct bmx_diag per thread.
 */
#ifndef BMX_DIAG_H
#define BMX_DIAG_H

#include <stddef.h>
#include <stdio.h>

/** How many entries are kept; the counters go on counting past it. */
#define BMX_DIAG_KEEP 100

enum bmx_diag_level {
	BMX_DIAG_WARNING,
	BMX_DIAG_ERROR,
};

struct bmx_diag_entry {
	enum bmx_diag_level level;
	char *file;    /**< owned; may be "" */
	unsigned line; /**< 1-based; 0 when the problem has no line */
	char *message; /**< owned */
};

struct bmx_diag {
	struct bmx_diag_entry *entries; /**< owned array of nentries */
	size_t nentries;
	size_t errors;	 /**< all errors seen, kept or not */
	size_t warnings; /**< all warnings seen, kept or not */
};

/** Set *d to empty.  Equivalent to a zero-filled struct. */
void bmx_diag_init(struct bmx_diag *d);

/**
 * Add one problem.  On allocation failure the problem is still counted.
 * @param file the file name, copied; NULL is taken as ""
 * @param line 1-based line number, 0 for none
 * @param fmt printf format of the message
 */
void bmx_diag_add(struct bmx_diag *d, enum bmx_diag_level level,
    const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/**
 * Format one entry as "file:line: message" (errors) or
 * "file:line: warning: message" (warnings); the line part is left out
 * when it is 0, the file part when the file is "".
 * @return snprintf's return value
 */
int bmx_diag_format(const struct bmx_diag_entry *e, char *buf, size_t len);

/**
 * Print every entry kept, one line each, as "PREFIXfile:line: message",
 * then "PREFIX... and N more" when more were counted than kept.  For
 * programs: library code fills a diag and never prints it.
 * @param prefix e.g. "bogusmx-check: ", or ""
 */
void bmx_diag_print(const struct bmx_diag *d, FILE *f, const char *prefix);

/** Free every entry and reset *d to empty.  NULL is a no-op. */
void bmx_diag_clear(struct bmx_diag *d);

#endif
