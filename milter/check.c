/*
 * check.c - bogusmx-check: what would bogusmx answer for this target?
 *
 * bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] [--sender]
 *     TARGET...
 *
 * Each TARGET (a recipient address, a bare domain, or a bare IP address)
 * is decided by bmx_engine_decide_target(), the engine the milter uses,
 * and the MX tree, the verdict and the exact SMTP reply are printed: for
 * people, or with --json as one JSON object per line.
 *
 * Exit status: 0 all accepted, 1 at least one rejected, 2 at least one
 * tempfail and none rejected, 64 usage error, 69 no nameserver usable,
 * 78 configuration error.  The verdict counted is the one the MTA gets
 * (with action tag or log, an accept).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "diag.h"
#include "engine.h"
#include "registry.h"

#define MAX_NS BMX_QUERY_SERVERS_MAX

static const char usage_text[] =
    "usage: bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] "
    "[--sender] TARGET...\n"
    "       bogusmx-check --version\n"
    "TARGET is a recipient address (user@example.com), a domain, or an\n"
    "IP address; with --sender, a sender address (MAIL FROM).\n"
    "FILE is the milter's configuration (default " BMX_CONFIG_FILE ",\n"
    "if it exists).  NAMESERVER is an IP address; IPv6 with a port as\n"
    "[::1]:5353.  Without -s, the configuration's nameservers.\n";

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

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

/* Print s as a JSON string (with quotes); a byte that is not part of
 * well-formed UTF-8 becomes U+FFFD, so the line stays valid JSON. */
static void
jstr(const char *s)
{
	const unsigned char *p;
	size_t n;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 0) {
			printf("\\ufffd");
			n = 1;
		} else if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			fwrite(p, 1, n, stdout);
	}
	putchar('"');
}

static const char *
prefix_of(const struct bmx_ipclass *c)
{
	if (c->rule != NULL)
		return c->rule->pattern;
	if (c->class_rule != NULL)
		return c->class_rule->pattern;
	return NULL;
}

static const char *
source_of(const struct bmx_ipclass *c, char *buf, size_t len)
{
	const struct bmx_cidr_rule *r = c->rule ? c->rule : c->class_rule;

	if (r == NULL)
		return "";
	snprintf(buf, len, "%s:%u",
	    c->rule ? bmx_cidr_name(c->table) : BMX_REGISTRY_NAME, r->line);
	return buf;
}

/* The error text of a host, for people and JSON; "" when none. */
static const char *
host_error(const struct bmx_host *h, char *buf, size_t len)
{
	const struct bmx_answer *a = h->a, *q = h->aaaa;

	buf[0] = '\0';
	if (h->kind == BMX_HOST_SPECIAL) {
		snprintf(buf, len, "special-use name (%s%s%s)", h->special_rule,
		    h->special_name != h->name ? ", via alias " : "",
		    h->special_name != h->name ? h->special_name : "");
		return buf;
	}
	if (h->kind != BMX_HOST_NAME || h->naddrs > 0)
		return buf;
	if (a != NULL && a->status != BMX_DNS_OK && a->status != BMX_DNS_NODATA)
		snprintf(buf, len, "A: %s%s%s", bmx_dns_status_name(a->status),
		    a->why[0] ? ": " : "", a->why);
	else if (q != NULL && q->status != BMX_DNS_OK &&
	    q->status != BMX_DNS_NODATA)
		snprintf(buf, len, "AAAA: %s%s%s",
		    bmx_dns_status_name(q->status), q->why[0] ? ": " : "",
		    q->why);
	else if ((a != NULL && a->n > 0) || (q != NULL && q->n > 0))
		snprintf(
		    buf, len, "addresses not checked: max-addresses reached");
	else
		snprintf(buf, len, "no address records");
	return buf;
}

static void
json_address(const struct bmx_ipclass *c)
{
	char a[BMX_IP_STRLEN], src[600];
	const char *p = prefix_of(c);

	bmx_ip_format(&c->address, a, sizeof(a));
	printf("{\"address\":");
	jstr(a);
	printf(",\"class\":");
	jstr(c->class_name);
	printf(",\"prefix\":");
	if (p != NULL)
		jstr(p);
	else
		printf("null");
	printf(",\"bogus\":%s", c->bogus ? "true" : "false");
	if (c->rule != NULL || c->class_rule != NULL) {
		printf(",\"rule\":");
		jstr(source_of(c, src, sizeof(src)));
	}
	if (c->embed != BMX_EMBED_NONE) {
		bmx_ip_format(&c->embedded, a, sizeof(a));
		printf(",\"embedded\":{\"form\":\"%s\",\"address\":",
		    bmx_embed_name(c->embed));
		jstr(a);
		printf("}");
	}
	printf("}");
}

static void
print_json(
    const char *target, const struct bmx_result *r, enum bmx_action action)
{
	const struct bmx_resolution *res = &r->res;
	char reply[BMX_REPLY_MAX + 16], err[600];
	size_t i, k, c = 0;

	printf("{\"target\":");
	jstr(target);
	printf(",\"domain\":");
	if (r->domain[0] != '\0')
		jstr(r->domain);
	else
		printf("null");
	printf(",\"verdict\":\"%s\",\"outcome\":\"%s\",\"action\":\"%s\"",
	    bmx_verdict_name(r->verdict), bmx_outcome_name(r->j.d.outcome),
	    bmx_action_name(action));
	if (r->j.d.verdict != BMX_VERDICT_ACCEPT) {
		bmx_decision_reply(&r->j.d, reply, sizeof(reply));
		/* tag and log: the reply the milter would have given */
		printf(r->verdict == BMX_VERDICT_ACCEPT ? ",\"would_reply\":" :
							  ",\"reply\":");
		jstr(reply);
	}
	if (r->j.why[0] != '\0') {
		printf(",\"why\":");
		jstr(r->j.why);
	}
	printf(",\"class\":");
	jstr(r->j.class_name);
	if (!r->resolved && r->j.nclasses > 0) {
		printf(",\"address\":");
		json_address(&r->j.classes[0]);
	}
	printf(",\"mx\":[");
	for (i = 0; r->resolved && i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];
		size_t n = h->kind == BMX_HOST_LITERAL ? 1 : h->naddrs;

		printf("%s{\"preference\":%u,\"host\":", i ? "," : "",
		    h->preference);
		jstr(h->kind == BMX_HOST_NULL ? "." : h->name);
		printf(",\"addresses\":[");
		for (k = 0; k < n && c < r->j.nclasses; k++, c++) {
			if (k > 0)
				printf(",");
			json_address(&r->j.classes[c]);
		}
		printf("]");
		if (host_error(h, err, sizeof(err))[0] != '\0') {
			printf(",\"error\":");
			jstr(err);
		}
		printf("}");
	}
	printf("],\"implicit_mx\":%s,\"null_mx\":%s",
	    res->implicit_mx ? "true" : "false",
	    res->null_mx ? "true" : "false");
	if (r->resolved && res->mx != NULL && res->mx->ncnames > 0) {
		printf(",\"cnames\":[");
		for (i = 0; i < res->mx->ncnames; i++) {
			printf("%s", i ? "," : "");
			jstr(res->mx->cnames[i]);
		}
		printf("]");
	}
	if (res->mx_limited || res->addr_limited || res->cname_limited)
		printf(",\"limits\":{\"mx\":%s,\"addresses\":%s,"
		       "\"cname\":%s}",
		    res->mx_limited ? "true" : "false",
		    res->addr_limited ? "true" : "false",
		    res->cname_limited ? "true" : "false");
	printf(",\"lookups\":%u,\"cache_hits\":%u,\"elapsed_ms\":%lld}\n",
	    res->lookups, res->cache_hits, r->elapsed_ms);
}

static void
human_address(const struct bmx_ipclass *c, const char *type)
{
	char a[BMX_IP_STRLEN], in[BMX_IP_STRLEN], src[600];
	const char *p = prefix_of(c);

	bmx_ip_format(&c->address, a, sizeof(a));
	printf("      %-5s %-28s %s", type, a, c->class_name);
	if (p != NULL)
		printf("%*s %s (%s)", 13 - (int)strlen(c->class_name), "", p,
		    source_of(c, src, sizeof(src)));
	if (c->embed != BMX_EMBED_NONE) {
		bmx_ip_format(&c->embedded, in, sizeof(in));
		printf(" [%s %s]", bmx_embed_name(c->embed), in);
	}
	printf("%s\n", c->bogus ? "  BOGUS" : "");
}

static void
human_cnames(const struct bmx_answer *a, const char *indent)
{
	unsigned i;

	for (i = 0; a != NULL && i < a->ncnames; i++)
		printf("%sCNAME %s\n", indent, a->cnames[i]);
}

static void
print_human(
    const char *target, const struct bmx_result *r, enum bmx_action action)
{
	const struct bmx_resolution *res = &r->res;
	char reply[BMX_REPLY_MAX + 16], err[600];
	size_t i, k, c = 0;

	printf("%s\n", target);
	if (r->kind == BMX_TARGET_IP ||
	    (r->kind == BMX_TARGET_RECIPIENT &&
		r->addr.kind == BMX_ADDR_LITERAL && r->j.nclasses > 0)) {
		printf("  address literal\n");
		human_address(&r->j.classes[0], "");
	} else if (r->resolved) {
		if (res->special_rule != NULL) {
			printf("  %s: special-use name (%s), not looked up\n",
			    res->special_name, res->special_rule);
		} else if (res->mx != NULL) {
			human_cnames(res->mx, "  ");
			if (res->implicit_mx)
				printf("  no MX records: implicit MX, the "
				       "domain itself\n");
			else if (res->mx->status != BMX_DNS_OK)
				printf("  MX: %s%s%s\n",
				    bmx_dns_status_name(res->mx->status),
				    res->mx->why[0] ? ": " : "", res->mx->why);
		}
		for (i = 0; i < res->nhosts; i++) {
			const struct bmx_host *h = &res->hosts[i];
			size_t n4 = h->kind == BMX_HOST_LITERAL ? 1 : h->n4;

			printf("  MX %5u %s%s\n", h->preference,
			    h->kind == BMX_HOST_NULL ? "." : h->name,
			    h->kind == BMX_HOST_NULL	    ? "  (null MX)" :
				h->kind == BMX_HOST_LITERAL ? "  (IP literal)" :
							      "");
			human_cnames(
			    h->a != NULL && h->a->ncnames ? h->a : h->aaaa,
			    "        ");
			for (k = 0; k < n4 + h->n6 && c < r->j.nclasses;
			     k++, c++)
				human_address(&r->j.classes[c],
				    h->kind == BMX_HOST_LITERAL ? "" :
					k < n4			? "A" :
								  "AAAA");
			if (host_error(h, err, sizeof(err))[0] != '\0')
				printf("      %s\n", err);
		}
		if (res->mx_limited)
			printf("  only the best %zu of %zu MX hosts checked "
			       "(limit)\n",
			    res->nhosts, res->mx_total);
		if (res->addr_limited)
			printf("  addresses beyond the limit not checked\n");
	}
	if (r->verdict != r->j.d.verdict)
		printf("  action   %s: the milter answers %s, and would "
		       "%s\n",
		    bmx_action_name(action), bmx_verdict_name(r->verdict),
		    bmx_verdict_name(r->j.d.verdict));
	printf("  verdict  %s (%s, %s)\n", bmx_verdict_name(r->verdict),
	    bmx_outcome_name(r->j.d.outcome), r->j.class_name);
	if (r->j.d.verdict != BMX_VERDICT_ACCEPT) {
		bmx_decision_reply(&r->j.d, reply, sizeof(reply));
		printf("  reply    %s\n", reply);
	}
	if (r->j.why[0] != '\0')
		printf("  why      %s\n", r->j.why);
	if (r->resolved)
		printf("  took %lld ms, %u lookups, %u from the cache\n",
		    r->elapsed_ms, res->lookups, res->cache_hits);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sender", no_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns[MAX_NS], *conf = NULL;
	struct bmx_engine_settings s;
	struct bmx_config *cfg;
	struct bmx_engine *engine;
	struct bmx_result r;
	struct bmx_diag diag;
	bool json = false, sender = false, rejected = false;
	bool tempfailed = false;
	char line[1024];
	size_t nns = 0, i;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:s:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 's':
			if (nns == MAX_NS) {
				fprintf(stderr,
				    "bogusmx-check: at most %d -s options\n",
				    MAX_NS);
				return EX_USAGE;
			}
			ns[nns++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			sender = true;
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
	bmx_diag_init(&diag);
	/* The milter's own configuration, so that the answer is its. */
	cfg = bmx_config_load(
	    conf != NULL ? conf : BMX_CONFIG_FILE, conf == NULL, &diag);
	bmx_diag_print(&diag, stderr, "bogusmx-check: ");
	bmx_diag_clear(&diag);
	if (cfg == NULL)
		return EX_CONFIG;
	s = cfg->engine;
	if (nns > 0) {
		s.nameservers = ns;
		s.nnameservers = nns;
	}
	engine = bmx_engine_new(&s, line, sizeof(line));
	if (engine == NULL) {
		fprintf(stderr, "bogusmx-check: %s\n", line);
		bmx_config_free(cfg);
		return strncmp(line, "bad nameserver", 14) == 0 ?
		    EX_USAGE :
		    EX_UNAVAILABLE;
	}
	if (line[0] != '\0')
		for (i = 0; i < (size_t)argc; i++)
			if (!bmx_ip_parse(argv[i], &r.ip)) {
				fprintf(stderr, "bogusmx-check: warning: %s\n",
				    line);
				break;
			}
	for (i = 0; i < (size_t)argc; i++) {
		if (sender)
			bmx_engine_decide_sender(engine, argv[i], &r);
		else
			bmx_engine_decide_target(engine, argv[i], &r);
		if (json)
			print_json(argv[i], &r, cfg->action);
		else
			print_human(argv[i], &r, cfg->action);
		rejected |= r.verdict == BMX_VERDICT_REJECT;
		tempfailed |= r.verdict == BMX_VERDICT_TEMPFAIL;
		bmx_result_clear(&r);
	}
	bmx_engine_free(engine);
	bmx_config_free(cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("bogusmx-check: stdout");
		return EX_IOERR;
	}
	return rejected ? 1 : tempfailed ? 2 : 0;
}
