/*
 * check.c - bogusmx-check: what would bogusmx answer for this target?
 *
 * bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] [--sender]
 *     TARGET...
 * bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] --resolver
 *     [TARGET...]
 *
 * Each TARGET (a recipient address, a bare domain, or a bare IP address)
 * is decided by bmx_engine_decide_target(), the engine the milter uses,
 * and the MX tree, the verdict and the exact SMTP reply are printed: for
 * people, or with --json as one JSON object per line.
 *
 * With --resolver the resolver guard is used as in the milter: its
 * canaries are asked first, the targets are decided with it, and its
 * findings are printed last (with --json as one more object, with the
 * key "resolver").
 *
 * Exit status: 0 all accepted, 1 at least one rejected, 2 at least one
 * tempfail and none rejected, 64 usage error, 69 no nameserver usable,
 * 78 configuration error.  The verdict counted is the one the MTA gets
 * (with action tag or log, an accept).  --resolver without targets: 0
 * when the guard found nothing wrong, 1 when it did.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "canary.h"
#include "config.h"
#include "diag.h"
#include "engine.h"
#include "json.h"
#include "registry.h"

#define MAX_NS BMX_QUERY_SERVERS_MAX

static const char usage_text[] =
    "usage: bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] "
    "[--sender] TARGET...\n"
    "       bogusmx-check [-c FILE] [-s NAMESERVER[:PORT]]... [--json] "
    "--resolver [TARGET...]\n"
    "       bogusmx-check --version\n"
    "TARGET is a recipient address (user@example.com), a domain, or an\n"
    "IP address; with --sender, a sender address (MAIL FROM).\n"
    "FILE is the milter's configuration (default " BMX_CONFIG_FILE ",\n"
    "if it exists).  NAMESERVER is an IP address; IPv6 with a port as\n"
    "[::1]:5353.  Without -s, the configuration's nameservers.\n"
    "--resolver tests the resolver first (the resolver guard's canaries)\n"
    "and decides with its findings, as the milter does.\n";

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

/* Print s as a JSON string (with quotes); a byte that is not part of
 * well-formed UTF-8 becomes U+FFFD, so the line stays valid JSON. */
static void
jstr(const char *s)
{
	bmx_json_str(stdout, s);
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
	else if ((a != NULL && a->status == BMX_DNS_OK && a->dropped > 0) ||
	    (q != NULL && q->status == BMX_DNS_OK && q->dropped > 0))
		snprintf(buf, len,
		    "addresses not checked: more than %d A or AAAA records",
		    BMX_DNS_ADDR_MAX);
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

/* The MX hosts of a resolution (NULL: none) with the classes of j. */
static void
json_mx(const struct bmx_resolution *res, const struct bmx_judgement *j)
{
	char err[600];
	size_t i, k, c = 0;

	printf("[");
	for (i = 0; res != NULL && i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];
		size_t n = h->kind == BMX_HOST_LITERAL ? 1 : h->naddrs;

		printf("%s{\"preference\":%u,\"host\":", i ? "," : "",
		    h->preference);
		jstr(h->kind == BMX_HOST_NULL ? "." : h->name);
		printf(",\"addresses\":[");
		for (k = 0; k < n && c < j->nclasses; k++, c++) {
			if (k > 0)
				printf(",");
			json_address(&j->classes[c]);
		}
		printf("]");
		if (host_error(h, err, sizeof(err))[0] != '\0') {
			printf(",\"error\":");
			jstr(err);
		}
		printf("}");
	}
	printf("]");
}

/* "routes": every routing domain judged, with its own verdict. */
static void
json_routes(const struct bmx_result *r)
{
	char reply[BMX_REPLY_MAX + 16], a[BMX_IP_STRLEN];
	size_t k;

	printf(",\"routes\":[");
	for (k = 0; k < r->nroutes; k++) {
		const struct bmx_route *rt = &r->addr.routes[k];
		const struct bmx_route_result *rr = &r->routes[k];

		printf("%s{\"form\":", k ? "," : "");
		jstr(bmx_route_form_name(rt->form));
		if (rt->literal) {
			printf(",\"address\":");
			jstr(bmx_ip_format(&rt->ip, a, sizeof(a)));
		} else {
			printf(",\"domain\":");
			jstr(rt->domain);
		}
		printf(",\"decided\":%s,\"verdict\":\"%s\",\"outcome\":\"%s\","
		       "\"class\":",
		    r->decided_by == k + 1 ? "true" : "false",
		    bmx_verdict_name(rr->j.d.verdict),
		    bmx_outcome_name(rr->j.d.outcome));
		jstr(rr->j.class_name);
		if (rr->j.d.verdict != BMX_VERDICT_ACCEPT) {
			bmx_decision_reply(&rr->j.d, reply, sizeof(reply));
			printf(",\"reply\":");
			jstr(reply);
		}
		if (rt->literal && rr->j.nclasses > 0) {
			printf(",\"addresses\":[");
			json_address(&rr->j.classes[0]);
			printf("]");
		} else {
			printf(",\"mx\":");
			json_mx(rr->resolved ? &rr->res : NULL, &rr->j);
		}
		printf(",\"lookups\":%u}", rr->res.lookups);
	}
	printf("]");
}

static void
print_json(
    const char *target, const struct bmx_result *r, enum bmx_action action)
{
	const struct bmx_resolution *res = &r->res;
	char reply[BMX_REPLY_MAX + 16];
	size_t i;

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
	printf(",\"mx\":");
	json_mx(r->resolved ? res : NULL, &r->j);
	printf(",\"implicit_mx\":%s,\"null_mx\":%s",
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
	if (res->mx_limited || res->addr_limited || res->cname_limited ||
	    res->addr_cut_host != NULL)
		printf(",\"limits\":{\"mx\":%s,\"addresses\":%s,"
		       "\"cname\":%s,\"host_addresses\":%s}",
		    res->mx_limited ? "true" : "false",
		    res->addr_limited ? "true" : "false",
		    res->cname_limited ? "true" : "false",
		    res->addr_cut_host != NULL ? "true" : "false");
	if (r->nroutes > 0)
		json_routes(r);
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

/* A resolution as a tree: MX hosts, CNAMEs, every address with the
 * classes of j; each line starts with ind. */
static void
human_tree(const struct bmx_resolution *res, const struct bmx_judgement *j,
    const char *ind)
{
	char err[600];
	size_t i, k, c = 0;

	if (res->special_rule != NULL) {
		printf("%s%s: special-use name (%s), not looked up\n", ind,
		    res->special_name, res->special_rule);
	} else if (res->mx != NULL) {
		human_cnames(res->mx, ind);
		if (res->implicit_mx)
			printf("%sno MX records: implicit MX, the domain "
			       "itself\n",
			    ind);
		else if (res->mx->status != BMX_DNS_OK)
			printf("%sMX: %s%s%s\n", ind,
			    bmx_dns_status_name(res->mx->status),
			    res->mx->why[0] ? ": " : "", res->mx->why);
	}
	for (i = 0; i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];
		size_t n4 = h->kind == BMX_HOST_LITERAL ? 1 : h->n4;

		printf("%sMX %5u %s%s\n", ind, h->preference,
		    h->kind == BMX_HOST_NULL ? "." : h->name,
		    h->kind == BMX_HOST_NULL	    ? "  (null MX)" :
			h->kind == BMX_HOST_LITERAL ? "  (IP literal)" :
						      "");
		human_cnames(
		    h->a != NULL && h->a->ncnames ? h->a : h->aaaa, "        ");
		for (k = 0; k < n4 + h->n6 && c < j->nclasses; k++, c++)
			human_address(&j->classes[c],
			    h->kind == BMX_HOST_LITERAL ? "" :
				k < n4			? "A" :
							  "AAAA");
		if (host_error(h, err, sizeof(err))[0] != '\0')
			printf("      %s\n", err);
	}
	if (res->mx_limited)
		printf("%sonly the best %zu of %zu MX hosts checked (limit)\n",
		    ind, res->nhosts, res->mx_total);
	if (res->addr_limited)
		printf("%sMX hosts past max-addresses not checked\n", ind);
	if (res->addr_cut_host != NULL)
		printf("%sMX host %s not checked: more than %d A or AAAA "
		       "records\n",
		    ind, res->addr_cut_host, BMX_DNS_ADDR_MAX);
}

/* A routing domain: its form, its tree, its own verdict. */
static void
human_route(const struct bmx_result *r, size_t k)
{
	const struct bmx_route *rt = &r->addr.routes[k];
	const struct bmx_route_result *rr = &r->routes[k];
	char a[BMX_IP_STRLEN], reply[BMX_REPLY_MAX + 16];

	if (rt->literal)
		printf("  routed to [%s] (%s)\n",
		    bmx_ip_format(&rt->ip, a, sizeof(a)),
		    bmx_route_form_name(rt->form));
	else
		printf("  routed to %s (%s)\n", rt->domain,
		    bmx_route_form_name(rt->form));
	if (rr->skipped) {
		printf("    not checked: a domain before it decided\n");
		return;
	}
	if (rt->literal && rr->j.nclasses > 0)
		human_address(&rr->j.classes[0], "");
	else if (rr->resolved)
		human_tree(&rr->res, &rr->j, "  ");
	printf("    %s (%s, %s)%s\n", bmx_verdict_name(rr->j.d.verdict),
	    bmx_outcome_name(rr->j.d.outcome), rr->j.class_name,
	    r->decided_by == k + 1 ? ": decides" : "");
	if (rr->j.d.verdict != BMX_VERDICT_ACCEPT && r->decided_by != k + 1) {
		bmx_decision_reply(&rr->j.d, reply, sizeof(reply));
		printf("    %s\n", reply);
	}
}

static void
print_human(
    const char *target, const struct bmx_result *r, enum bmx_action action)
{
	const struct bmx_resolution *res = &r->res;
	char reply[BMX_REPLY_MAX + 16];
	size_t i;

	printf("%s\n", target);
	if (r->kind == BMX_TARGET_IP ||
	    (r->kind == BMX_TARGET_RECIPIENT &&
		r->addr.kind == BMX_ADDR_LITERAL && r->j.nclasses > 0)) {
		printf("  address literal\n");
		human_address(&r->j.classes[0], "");
	} else if (r->resolved)
		human_tree(res, &r->j, "  ");
	for (i = 0; i < r->nroutes; i++)
		human_route(r, i);
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

/* --resolver: the canaries, asked by hand even when the configuration
 * turns the guard off. */
static void
run_canaries(struct bmx_guard *g, const struct bmx_engine *engine,
    const struct bmx_config *cfg)
{
	struct bmx_canary_settings cs = cfg->guard;

	cs.enabled = true;
	bmx_canary_run(g, bmx_engine_servers(engine), &cs, &cfg->engine.policy,
	    cfg->engine.deadline_ms);
}

/* The resolver guard's findings.  @return whether there is one. */
static bool
print_guard(
    const struct bmx_guard *g, const struct bmx_query_servers *ns, bool json)
{
	struct bmx_guard_status st;
	char text[2048], ip[BMX_IP_STRLEN];
	const char *resolver = ns->n > 0 ? ns->text[0] : "(none)";
	size_t i;

	bmx_guard_get_status(g, &st);
	bmx_guard_describe(&st, resolver, text, sizeof(text));
	if (json) {
		printf("{\"resolver\":");
		jstr(resolver);
		printf(",\"private_canary\":\"%s\",\"private_name\":",
		    bmx_canary_result_name(st.private_canary));
		jstr(st.private_name);
		printf(",\"private_detail\":");
		jstr(st.private_detail);
		printf(",\"nxdomain_canary\":\"%s\",\"rewrite\":[",
		    bmx_canary_result_name(st.nxdomain_canary));
		for (i = 0; i < st.nrewrite; i++) {
			printf("%s", i ? "," : "");
			jstr(bmx_ip_format(&st.rewrite[i], ip, sizeof(ip)));
		}
		printf("],\"negatives_have_soa\":%s,\"distrust_empty\":%s,"
		       "\"empty_nosoa\":%lu,\"untrusted\":%lu,"
		       "\"unspecified\":%lu,\"deferrals\":%lu,\"findings\":",
		    st.negatives_have_soa ? "true" : "false",
		    st.distrust_empty ? "true" : "false", st.empty_nosoa,
		    st.untrusted, st.unspecified, st.deferrals);
		jstr(text);
		printf("}\n");
		return text[0] != '\0';
	}
	printf("resolver %s\n", resolver);
	if (st.private_name[0] != '\0')
		printf("  private canary  %s: %s (%s)\n", st.private_name,
		    bmx_canary_result_name(st.private_canary),
		    st.private_detail);
	else
		printf("  private canary  none configured "
		       "(resolver-guard private-canary)\n");
	printf(
	    "  nxdomain canary %s", bmx_canary_result_name(st.nxdomain_canary));
	for (i = 0; i < st.nrewrite; i++)
		printf("%s%s", i ? ", " : " (rewritten to ",
		    bmx_ip_format(&st.rewrite[i], ip, sizeof(ip)));
	printf("%s\n", st.nrewrite > 0 ? ")" : "");
	printf("  negative answers carry SOA: %s; empty answers without SOA "
	       "seen: %lu, %s\n",
	    st.negatives_have_soa ? "yes" : "not seen", st.empty_nosoa,
	    st.distrust_empty ? "not believed" : "believed");
	printf("  %s\n",
	    text[0] != '\0' ? text :
			      "no finding: the resolver "
			      "hides nothing bogusmx "
			      "could tell");
	return text[0] != '\0';
}

/* What the command line asked for. */
struct check_opts {
	const char *ns[MAX_NS]; /**< -s servers, pointing into argv */
	size_t nns;
	const char *conf; /**< -c, or NULL for the default file */
	bool json, sender, guarded;
};

/*
 * Reads the options into o; exits through usage() on a bad one.
 * @return -1 to go on, or the exit status when the program is done.
 */
static int
parse_options(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sender", no_argument, NULL, 'S' },
		{ "resolver", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:s:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 's':
			if (o->nns == MAX_NS) {
				fprintf(stderr,
				    "bogusmx-check: at most %d -s options\n",
				    MAX_NS);
				return EX_USAGE;
			}
			o->ns[o->nns++] = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'S':
			o->sender = true;
			break;
		case 'R':
			o->guarded = true;
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
	return -1;
}

/*
 * Decides and prints each target.  Sets *rejected and *tempfailed when one
 * was refused or deferred.
 */
static void
decide_all(struct bmx_engine *engine, const struct check_opts *o,
    const struct bmx_config *cfg, char **targets, size_t n, bool *rejected,
    bool *tempfailed)
{
	struct bmx_result r;
	size_t i;

	for (i = 0; i < n; i++) {
		if (o->sender)
			bmx_engine_decide_sender(engine, targets[i], &r);
		else
			bmx_engine_decide_target(engine, targets[i], &r);
		if (o->json)
			print_json(targets[i], &r, cfg->action);
		else
			print_human(targets[i], &r, cfg->action);
		*rejected |= r.verdict == BMX_VERDICT_REJECT;
		*tempfailed |= r.verdict == BMX_VERDICT_TEMPFAIL;
		bmx_result_clear(&r);
	}
}

int
main(int argc, char **argv)
{
	struct check_opts o = { .conf = NULL };
	struct bmx_engine_settings s;
	struct bmx_config *cfg;
	struct bmx_engine *engine;
	struct bmx_ip ip;
	struct bmx_diag diag;
	bool rejected = false, tempfailed = false;
	struct bmx_guard *guard = NULL;
	char line[1024];
	size_t i;
	int rc;

	if ((rc = parse_options(argc, argv, &o)) >= 0)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc == 0 && !o.guarded)
		usage();
	bmx_diag_init(&diag);
	/* The milter's own configuration, so that the answer is its. */
	cfg = bmx_config_load(
	    o.conf != NULL ? o.conf : BMX_CONFIG_FILE, o.conf == NULL, &diag);
	bmx_diag_print(&diag, stderr, "bogusmx-check: ");
	bmx_diag_clear(&diag);
	if (cfg == NULL)
		return EX_CONFIG;
	s = cfg->engine;
	if (o.nns > 0) {
		s.nameservers = o.ns;
		s.nnameservers = o.nns;
	}
	if (o.guarded && (guard = bmx_guard_new()) == NULL) {
		fprintf(stderr, "bogusmx-check: out of memory\n");
		bmx_config_free(cfg);
		return EX_OSERR;
	}
	s.guard = guard;
	engine = bmx_engine_new(&s, line, sizeof(line));
	if (engine == NULL) {
		fprintf(stderr, "bogusmx-check: %s\n", line);
		bmx_guard_free(guard);
		bmx_config_free(cfg);
		return strncmp(line, "bad nameserver", 14) == 0 ?
		    EX_USAGE :
		    EX_UNAVAILABLE;
	}
	if (line[0] != '\0')
		for (i = 0; i < (size_t)argc; i++)
			if (!bmx_ip_parse(argv[i], &ip)) {
				fprintf(stderr, "bogusmx-check: warning: %s\n",
				    line);
				break;
			}
	if (guard != NULL)
		run_canaries(guard, engine, cfg);
	decide_all(engine, &o, cfg, argv, (size_t)argc, &rejected, &tempfailed);
	if (guard != NULL &&
	    print_guard(guard, bmx_engine_servers(engine), o.json) && argc == 0)
		rejected = true;
	bmx_engine_free(engine);
	bmx_guard_free(guard);
	bmx_config_free(cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("bogusmx-check: stdout");
		return EX_IOERR;
	}
	return rejected ? 1 : tempfailed ? 2 : 0;
}
