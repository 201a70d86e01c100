/*
 * nullmilter.c - the floor under any milter: libmilter, the protocol
 * steps and macros bogusmx-milter asks for, and no work
 *
 * bench/e2e/run builds it (cc nullmilter.c -lmilter) and measures it as
 * configuration (d) of the warm scenario: what Postfix and libmilter cost
 * per RCPT when the milter decides in no time.  The gap between (d) and
 * (a) is the milter protocol itself; the gap between (c) and (d) is all
 * that bogusmx-milter adds (its decision, cache, log and reply).
 *
 * Usage: nullmilter SOCKET BOGUS_DOMAINS_FILE
 *
 * It negotiates what bogusmx-milter negotiates (no HELO, headers, EOH,
 * body, unknown or DATA steps; the same macro lists), and answers every
 * RCPT at once: 554 5.7.1 with a reply text of bogusmx's length for a
 * recipient whose domain is in the file (a sorted array, bsearch), and
 * continue otherwise, so that Postfix sees the same replies as from
 * bogusmx-milter.  It logs nothing and keeps no state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <libmilter/mfapi.h>

static char **bogus;
static size_t nbogus;

static char connect_macros[] = "{daemon_name}";
static char mail_macros[] = "i {auth_authen}";
static char rcpt_macros[] = "i {rcpt_mailer} {rcpt_host}";

static int
cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf0 = (SMFIF_ADDHDRS | SMFIF_SETSYMLIST) & f0;
	*pf1 = (SMFIP_NOHELO | SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY |
		   SMFIP_NOUNKNOWN | SMFIP_NODATA) &
	    f1;
	*pf2 = 0;
	*pf3 = 0;
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, connect_macros);
		smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_macros);
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, rcpt_macros);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	char dom[256], *p = dom;
	const char *at;

	if (argv == NULL || argv[0] == NULL ||
	    (at = strrchr(argv[0], '@')) == NULL)
		return SMFIS_CONTINUE;
	snprintf(dom, sizeof(dom), "%s", at + 1);
	dom[strcspn(dom, ">")] = '\0';
	if (bsearch(&p, bogus, nbogus, sizeof(*bogus), cmp) == NULL)
		return SMFIS_CONTINUE;
	smfi_setreply(ctx, "554", "5.7.1",
	    "Recipient address rejected: MX host null.example.com[127.0.0.1] "
	    "is in loopback network (RFC 1122)");
	return SMFIS_REJECT;
}

static struct smfiDesc desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_envrcpt = on_envrcpt,
	.xxfi_negotiate = on_negotiate,
};

int
main(int argc, char **argv)
{
	char line[512];
	size_t cap = 0;
	FILE *f;

	if (argc != 3) {
		fprintf(
		    stderr, "usage: nullmilter SOCKET BOGUS_DOMAINS_FILE\n");
		return EX_USAGE;
	}
	f = fopen(argv[2], "r");
	if (f == NULL) {
		perror(argv[2]);
		return EX_NOINPUT;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (nbogus == cap) {
			char **n;

			cap = cap ? 2 * cap : 256;
			n = realloc(bogus, cap * sizeof(*bogus));
			if (n == NULL)
				return EX_OSERR;
			bogus = n;
		}
		if ((bogus[nbogus++] = strdup(line)) == NULL)
			return EX_OSERR;
	}
	fclose(f);
	qsort(bogus, nbogus, sizeof(*bogus), cmp);
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", argv[1]);
		return EX_OSERR;
	}
	fprintf(stderr, "nullmilter: listening on %s, %zu bogus domains\n",
	    argv[1], nbogus);
	return smfi_main() == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}
