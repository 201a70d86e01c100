/*
 * check.c - bogusmx-check: what would bogusmx answer for this target?
 *
 * bogusmx-check [--json] TARGET...
 *
 * Each TARGET is classified with the engine the milter uses, and the
 * verdict and exact SMTP reply are printed, for people or (--json) as one
 * JSON object per line.  This version answers for bare IPv4 and IPv6
 * addresses; domains and mail addresses are refused with a usage error
 * until the resolver exists.
 *
 * Exit status: 0 all accepted, 1 at least one rejected, 2 at least one
 * tempfail and none rejected, 64 usage error, 70 internal error.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "diag.h"
#include "ipclass.h"
#include "policy.h"
#include "registry.h"

static const char usage_text[] = "usage: bogusmx-check [--json] ADDRESS...\n"
				 "       bogusmx-check --version\n";

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

/* Print s as a JSON string (with quotes). */
static void
json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
print_json(const char *target, const struct bmx_ipclass *c,
    const struct bmx_decision *d, double ms)
{
	char addr[BMX_IP_STRLEN], reply[BMX_REPLY_MAX + 16];

	bmx_ip_format(&c->address, addr, sizeof(addr));
	printf("{\"target\":");
	json_string(stdout, target);
	printf(",\"domain\":null,\"verdict\":\"%s\"",
	    bmx_verdict_name(d->verdict));
	if (d->verdict != BMX_VERDICT_ACCEPT) {
		bmx_decision_reply(d, reply, sizeof(reply));
		printf(",\"reply\":");
		json_string(stdout, reply);
	}
	printf(",\"class\":");
	json_string(stdout, c->class_name);
	printf(",\"address\":{\"address\":");
	json_string(stdout, addr);
	printf(",\"class\":");
	json_string(stdout, c->class_name);
	printf(",\"prefix\":");
	if (c->rule != NULL)
		json_string(stdout, c->rule->pattern);
	else if (c->class_rule != NULL)
		json_string(stdout, c->class_rule->pattern);
	else
		printf("null");
	if (c->rule != NULL) {
		printf(",\"table\":");
		json_string(stdout, bmx_cidr_name(c->table));
		printf(",\"line\":%u", c->rule->line);
	}
	if (c->embed != BMX_EMBED_NONE) {
		bmx_ip_format(&c->embedded, addr, sizeof(addr));
		printf(",\"embedded\":{\"form\":\"%s\",\"address\":",
		    bmx_embed_name(c->embed));
		json_string(stdout, addr);
		printf("}");
	}
	printf("},\"mx\":[],\"implicit_mx\":false,\"null_mx\":false,"
	       "\"elapsed_ms\":%.3f}\n",
	    ms);
}

static void
print_human(const char *target, const struct bmx_ipclass *c,
    const struct bmx_decision *d)
{
	char addr[BMX_IP_STRLEN], reply[BMX_REPLY_MAX + 16];
	const struct bmx_cidr_rule *r =
	    c->rule != NULL ? c->rule : c->class_rule;

	printf("%s\n", target);
	bmx_ip_format(&c->address, addr, sizeof(addr));
	printf("  address  %s\n", addr);
	if (c->embed != BMX_EMBED_NONE) {
		bmx_ip_format(&c->embedded, addr, sizeof(addr));
		printf("  embedded %s %s%s\n", bmx_embed_name(c->embed), addr,
		    c->embed == BMX_EMBED_COMPAT ? " (not unwrapped: "
						   "the form itself is "
						   "reserved)" :
						   " (judged instead)");
	}
	printf("  class    %s\n", c->class_name);
	if (r != NULL)
		printf("  prefix   %s (%s, line %u: %s)\n", r->pattern,
		    c->rule != NULL ? bmx_cidr_name(c->table) :
				      BMX_REGISTRY_NAME,
		    r->line, r->result);
	printf("  verdict  %s\n", bmx_verdict_name(d->verdict));
	if (d->verdict != BMX_VERDICT_ACCEPT) {
		bmx_decision_reply(d, reply, sizeof(reply));
		printf("  reply    %s\n", reply);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct bmx_cidr_table *tables[1];
	struct bmx_cidr_table *registry;
	struct bmx_ipclass c;
	struct bmx_decision d;
	struct bmx_diag diag;
	struct bmx_ip ip;
	bool json = false, rejected = false, tempfailed = false;
	char line[1024];
	double t0;
	int ch, i;

	while ((ch = getopt_long(argc, argv, "Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'V':
			printf("bogusmx-check %s, special-purpose address "
			       "registry of %s\n",
			    BMX_VERSION, bmx_registry_date());
			return EX_OK;
		case 'h':
			fputs(usage_text, stdout);
			return EX_OK;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	for (i = 0; i < argc; i++) {
		if (!bmx_ip_parse(argv[i], &ip)) {
			fprintf(stderr,
			    "bogusmx-check: %s: not an IPv4 or IPv6 address; "
			    "domains and mail addresses are not supported "
			    "yet\n",
			    argv[i]);
			return EX_USAGE;
		}
	}
	bmx_diag_init(&diag);
	registry = bmx_registry_table(&diag);
	if (registry == NULL) {
		for (i = 0; i < (int)diag.nentries; i++) {
			bmx_diag_format(&diag.entries[i], line, sizeof(line));
			fprintf(stderr, "bogusmx-check: %s\n", line);
		}
		bmx_diag_clear(&diag);
		return EX_SOFTWARE;
	}
	bmx_diag_clear(&diag);
	tables[0] = registry;
	for (i = 0; i < argc; i++) {
		bmx_ip_parse(argv[i], &ip);
		t0 = now_ms();
		bmx_ipclass_classify(tables, 1, registry, &ip, &c);
		bmx_policy_address(&c, NULL, NULL, registry, &d);
		if (json)
			print_json(argv[i], &c, &d, now_ms() - t0);
		else
			print_human(argv[i], &c, &d);
		rejected |= d.verdict == BMX_VERDICT_REJECT;
		tempfailed |= d.verdict == BMX_VERDICT_TEMPFAIL;
	}
	bmx_cidr_free(registry);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("bogusmx-check: stdout");
		return EX_IOERR;
	}
	return rejected ? 1 : tempfailed ? 2 : 0;
}
