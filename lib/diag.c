/*
 * diag.c - collect errors and warnings with their file and line
 *
 * Memory: entries and their strings are owned by the struct bmx_diag and
 * freed by bmx_diag_clear().  Nothing is printed here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
bmx_diag_init(struct bmx_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
bmx_diag_add(struct bmx_diag *d, enum bmx_diag_level level, const char *file,
    unsigned line, const char *fmt, ...)
{
	struct bmx_diag_entry *e, *v;
	char msg[1024];
	va_list ap;

	if (level == BMX_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->nentries >= BMX_DIAG_KEEP)
		return;
	v = realloc(d->entries, (d->nentries + 1) * sizeof(*v));
	if (v == NULL)
		return;
	d->entries = v;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = &d->entries[d->nentries];
	e->level = level;
	e->line = line;
	e->file = strdup(file != NULL ? file : "");
	e->message = strdup(msg);
	if (e->file == NULL || e->message == NULL) {
		free(e->file);
		free(e->message);
		return;
	}
	d->nentries++;
}

int
bmx_diag_format(const struct bmx_diag_entry *e, char *buf, size_t len)
{
	const char *kind = e->level == BMX_DIAG_WARNING ? "warning: " : "";

	if (e->file[0] == '\0')
		return snprintf(buf, len, "%s%s", kind, e->message);
	if (e->line == 0)
		return snprintf(
		    buf, len, "%s: %s%s", e->file, kind, e->message);
	return snprintf(
	    buf, len, "%s:%u: %s%s", e->file, e->line, kind, e->message);
}

void
bmx_diag_print(const struct bmx_diag *d, FILE *f, const char *prefix)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->nentries; i++) {
		bmx_diag_format(&d->entries[i], line, sizeof(line));
		fprintf(f, "%s%s\n", prefix, line);
	}
	if (d->errors + d->warnings > d->nentries)
		fprintf(f, "%s... and %zu more\n", prefix,
		    d->errors + d->warnings - d->nentries);
}

void
bmx_diag_clear(struct bmx_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nentries; i++) {
		free(d->entries[i].file);
		free(d->entries[i].message);
	}
	free(d->entries);
	bmx_diag_init(d);
}
