/*
 * cidr_query - answer lookups in a cidr table the way "postmap -q -" does
 *
 * Usage: cidr_query TABLE < keys
 *
 * Reads TABLE and builds it with bmx_cidr_parse().  Every diagnostic is
 * written to stderr as "file:line: message"; when there was an error the
 * table is not built and the program exits 1.  Then it reads one key per
 * line from stdin and, for each key that is an address (bmx_ip_parse) and
 * matches a rule, writes "key<TAB>result" to stdout, the key exactly as
 * given.  Keys that are not addresses or do not match print nothing, as
 * with postmap.  A built table is summed up on stderr: its rules, ranges
 * and warnings.  This is the bogusmx half of the differential test
 * against Postfix (run_diff.sh).
 *
 * Exit status: 0 on success, 1 when the table has errors, 2 on a usage,
 * read or write error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "diag.h"
#include "fileio.h"
#include "ip.h"

/* Answer the keys on in; return 0, or 2 on a read or write error. */
static int
query(const struct bmx_cidr_table *t, FILE *in)
{
	const struct bmx_cidr_rule *r;
	struct bmx_ip ip;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	while ((n = getline(&line, &cap, in)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!bmx_ip_parse(line, &ip))
			continue;
		r = bmx_cidr_match(t, &ip);
		if (r != NULL)
			printf("%s\t%s\n", line, r->result);
	}
	if (ferror(in)) {
		perror("cidr_query: stdin");
		status = 2;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("cidr_query: stdout");
		status = 2;
	}
	free(line);
	return status;
}

int
main(int argc, char **argv)
{
	struct bmx_cidr_table *t;
	struct bmx_diag diag;
	char err[512];
	char *text;
	size_t len;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: cidr_query TABLE < keys\n");
		return 2;
	}
	if (!bmx_file_read(argv[1], &text, &len, err, sizeof(err))) {
		fprintf(stderr, "cidr_query: %s\n", err);
		return 2;
	}
	bmx_diag_init(&diag);
	t = bmx_cidr_parse(argv[1], text, len, &diag);
	free(text);
	bmx_diag_print(&diag, stderr, "cidr_query: ");
	if (t == NULL) {
		fprintf(stderr, "cidr_query: %s: table not built\n", argv[1]);
		bmx_diag_clear(&diag);
		return 1;
	}
	fprintf(stderr, "cidr_query: %s: %zu rules, %zu ranges, %zu warnings\n",
	    argv[1], bmx_cidr_nrules(t), bmx_cidr_nranges(t), diag.warnings);
	bmx_diag_clear(&diag);
	status = query(t, stdin);
	bmx_cidr_free(t);
	return status;
}
