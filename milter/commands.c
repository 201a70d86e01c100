/*
 * commands.c - the control socket's requests, answered (control.h)
 *
 * Each command writes the whole reply: "ok" and its body, or one
 * "error KIND: text" line.  The body is for a person, or one JSON object
 * when the request starts with "json".
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cache.h"
#include "dnsmsg.h"
#include "control.h"
#include "json.h"
#include "observe.h"
#include "state.h"

#define MAX_WORDS 4
/* dump's default and most entries */
#define DUMP_DEFAULT 100
#define DUMP_MAX 100000

struct request {
	bool json;
	const char *verb;
	const char *arg[MAX_WORDS];
	size_t nargs;
};

/* Split a line into words, in place; false when there are too many. */
static bool
split(char *line, struct request *rq)
{
	char *w, *save = NULL;
	size_t n = 0;
	const char *words[MAX_WORDS + 1];

	for (w = strtok_r(line, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_WORDS + 1)
			return false;
		words[n++] = w;
	}
	memset(rq, 0, sizeof(*rq));
	if (n > 0 && strcmp(words[0], "json") == 0) {
		rq->json = true;
		memmove(words, words + 1, --n * sizeof(words[0]));
	}
	if (n == 0)
		return true;
	rq->verb = words[0];
	for (rq->nargs = 0; rq->nargs + 1 < n; rq->nargs++)
		rq->arg[rq->nargs] = words[rq->nargs + 1];
	return true;
}

/* A count argument 1..max; false when it is not one. */
static bool
count_arg(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 &&
	    *out >= 1 && *out <= max;
}

/* A counter of status: its JSON member and its words for a person. */
struct count {
	const char *json, *text;
	unsigned long long v;
};

#define NCACHE 9
#define NDNS 9

static void
cache_counts(const struct bmx_cache_stats *c, struct count *out)
{
	const struct count k[NCACHE] = {
		{ "entries", "entries", c->entries },
		{ "bytes", "bytes", c->bytes },
		{ "hits", "hits", c->hits },
		{ "misses", "misses", c->misses },
		{ "joins", "joins", c->joins },
		{ "evictions", "evictions", c->evictions + c->byte_evictions },
		{ "stale_served", "stale served", c->stale_served },
		{ "stale_rechecks_suppressed", "stale served without asking",
		    c->stale_rechecks_suppressed },
		{ "purged", "purged", c->purged },
	};

	memcpy(out, k, sizeof(k));
}

static void
dns_counts(const struct bmx_metrics_dns *d, struct count *out)
{
	const struct count k[NDNS] = {
		{ "queries", "queries", d->sent },
		{ "timeouts", "timeouts", d->timeouts },
		{ "dropped", "dropped", d->dropped },
		{ "tcp", "tcp", d->tcp },
		{ "in_flight", "in flight", d->inflight },
		{ "in_flight_max", "at most in flight", d->inflight_max },
		{ "max_queries", "limit", d->max_inflight },
		{ "queued", "queued", d->queued },
		{ "starved", "starved", d->starved },
	};

	memcpy(out, k, sizeof(k));
}

/* "title a 1, b 2\n", or the members of a JSON object "key":{...} */
static void
write_counts(
    FILE *f, bool json, const char *title, const struct count *c, size_t n)
{
	size_t i;

	fprintf(f, json ? ",\"%s\":{" : "%s ", title);
	for (i = 0; i < n; i++)
		fprintf(f, json ? "%s\"%s\":%llu" : "%s%s %llu",
		    i == 0   ? "" :
			json ? "," :
			       ", ",
		    json ? c[i].json : c[i].text, c[i].v);
	fputs(json ? "}" : "\n", f);
}

static void
status_text(const struct bmx_metrics_extra *x, const struct bmx_state *st,
    const struct bmx_report_view *v, time_t now, FILE *f)
{
	fprintf(f, "version %s (special-purpose address registry of %s)\n",
	    x->version, x->registry_date);
	fprintf(f, "pid %ld, up %lld s\n", (long)getpid(),
	    (long long)(now - x->start));
	fprintf(f,
	    "configuration %s, loaded %lld s ago (generation %u), "
	    "action %s\n",
	    st->cfg->file[0] ? st->cfg->file : "(built-in defaults)",
	    (long long)(now - x->loaded), x->generation,
	    bmx_action_name(st->cfg->action));
	fprintf(f,
	    "decisions %lu since the report began; with action = "
	    "reject %lu would have been rejected, %lu deferred\n",
	    v->decisions, v->rejected, v->tempfailed);
}

static void
status_json(const struct bmx_metrics_extra *x, const struct bmx_state *st,
    const struct bmx_report_view *v, time_t now, FILE *f)
{
	fputs("{\"version\":", f);
	bmx_json_str(f, x->version);
	fputs(",\"registry_date\":", f);
	bmx_json_str(f, x->registry_date);
	fprintf(f, ",\"pid\":%ld,\"start\":%lld,\"uptime\":%lld,\"config\":",
	    (long)getpid(), (long long)x->start, (long long)(now - x->start));
	bmx_json_str(f, st->cfg->file);
	fprintf(f,
	    ",\"loaded\":%lld,\"generation\":%u,\"action\":\"%s\","
	    "\"decisions\":%lu,\"rejected\":%lu,\"tempfailed\":%lu",
	    (long long)x->loaded, x->generation,
	    bmx_action_name(st->cfg->action), v->decisions, v->rejected,
	    v->tempfailed);
}

static void
cmd_status(const struct request *rq, FILE *f)
{
	struct bmx_metrics_extra x;
	struct bmx_report_view v;
	struct bmx_state *st;
	struct count cache[NCACHE], dns[NDNS];
	time_t now = time(NULL);

	if (rq->nargs > 0) {
		fputs("error usage: status takes no argument\n", f);
		return;
	}
	st = bmx_state_get();
	if (st == NULL || bmx_observe_report() == NULL) {
		bmx_state_put(st);
		fputs("error unavailable: not serving yet\n", f);
		return;
	}
	bmx_observe_extra(&x);
	bmx_report_get(bmx_observe_report(), &v);
	cache_counts(&x.cache, cache);
	dns_counts(&x.dns, dns);
	fputs("ok\n", f);
	if (rq->json)
		status_json(&x, st, &v, now, f);
	else
		status_text(&x, st, &v, now, f);
	if (x.has_cache)
		write_counts(f, rq->json, "cache", cache, NCACHE);
	else
		fputs(rq->json ? ",\"cache\":null" : "cache off\n", f);
	write_counts(f, rq->json, "dns", dns, NDNS);
	if (rq->json)
		fputs("}\n", f);
	bmx_report_view_clear(&v);
	bmx_state_put(st);
}

static void
cmd_report(const struct request *rq, FILE *f)
{
	struct bmx_report *r = bmx_observe_report();
	struct bmx_report_view v;
	unsigned long limit = 0;
	bool reset = false;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < rq->nargs; i++) {
		if (strcmp(rq->arg[i], "reset") == 0 && !reset)
			reset = true;
		else if (limit == 0 &&
		    count_arg(rq->arg[i], BMX_REPORT_TOPK_MAX, &limit))
			;
		else {
			fputs(
			    "error usage: report [reset] [N], N 1..10000\n", f);
			return;
		}
	}
	if (r == NULL) {
		fputs("error unavailable: not serving yet\n", f);
		return;
	}
	if (!bmx_report_get(r, &v)) {
		fputs("error software: out of memory\n", f);
		return;
	}
	/* the report as it was, then counting begins again */
	if (reset)
		bmx_report_reset(r, now);
	fputs("ok\n", f);
	if (rq->json)
		bmx_report_write_json(&v, limit, now, f);
	else
		bmx_report_write_text(&v, limit, now, f);
	bmx_report_view_clear(&v);
}

static void
cmd_purge(const struct request *rq, FILE *f)
{
	struct bmx_cache *cache = bmx_state_cache();
	char err[256] = "";
	size_t n;

	if (rq->nargs != 1) {
		fputs("error usage: purge DOMAIN\n", f);
		return;
	}
	if (cache == NULL) {
		fputs("error unavailable: purge: the cache is off\n", f);
		return;
	}
	n = bmx_cache_purge(cache, rq->arg[0], err, sizeof(err));
	if (err[0] != '\0') {
		fprintf(f, "error data: purge: %s\n", err);
		return;
	}
	fputs("ok\n", f);
	if (rq->json) {
		fputs("{\"domain\":", f);
		bmx_json_str(f, rq->arg[0]);
		fprintf(f, ",\"purged\":%zu}\n", n);
	} else {
		fprintf(f, "%s: %zu cache entries dropped\n", rq->arg[0], n);
	}
}

struct dump {
	FILE *f;
	bool json;
	size_t n;
};

/* One cache entry (bmx_cache_dump's callback). */
static void
dump_entry(const struct bmx_cache_info *e, void *arg)
{
	struct dump *d = arg;
	char buf[16];
	const char *type = bmx_dns_type_name(e->type, buf, sizeof(buf));
	const char *status =
	    e->answered ? bmx_dns_status_name(e->status) : "in-flight";

	if (!d->json) {
		fprintf(d->f, "%-40s %-5s %-10s %9.1f %9.1f %3zu %6zu%s\n",
		    e->name, type, status, (double)e->ttl_ms / 1000.0,
		    (double)e->stale_ms / 1000.0, e->records, e->bytes,
		    e->inflight && e->answered ? " (refreshing)" : "");
		return;
	}
	fputs(d->n++ ? ",{\"name\":" : "{\"name\":", d->f);
	bmx_json_str(d->f, e->name);
	fprintf(d->f,
	    ",\"type\":\"%s\",\"status\":\"%s\",\"ttl\":%.3f,"
	    "\"stale\":%.3f,\"records\":%zu,\"bytes\":%zu,"
	    "\"in_flight\":%s}",
	    type, status, (double)e->ttl_ms / 1000.0,
	    (double)e->stale_ms / 1000.0, e->records, e->bytes,
	    e->inflight ? "true" : "false");
}

static void
cmd_dump(const struct request *rq, FILE *f)
{
	struct bmx_cache *cache = bmx_state_cache();
	struct dump d = { .json = rq->json };
	unsigned long n = DUMP_DEFAULT;
	size_t total = 0;
	char *body = NULL;
	size_t len = 0;

	if (rq->nargs > 1 ||
	    (rq->nargs == 1 && !count_arg(rq->arg[0], DUMP_MAX, &n))) {
		fputs("error usage: dump [N], N 1..100000\n", f);
		return;
	}
	if (cache == NULL) {
		fputs("error unavailable: dump: the cache is off\n", f);
		return;
	}
	/* the entries first, for the total that heads them */
	d.f = open_memstream(&body, &len);
	if (d.f == NULL || !bmx_cache_dump(cache, n, dump_entry, &d, &total)) {
		if (d.f != NULL)
			fclose(d.f);
		free(body);
		fputs("error software: out of memory\n", f);
		return;
	}
	fclose(d.f);
	fputs("ok\n", f);
	if (rq->json)
		fprintf(f, "{\"entries\":%zu,\"shown\":[%s]}\n", total,
		    body != NULL ? body : "");
	else
		fprintf(f,
		    "%zu entries, the %zu most recently used:\n"
		    "%-40s %-5s %-10s %9s %9s %3s %6s\n%s",
		    total, total < n ? total : (size_t)n, "name", "type",
		    "status", "ttl (s)", "stale (s)", "n", "bytes",
		    body != NULL ? body : "");
	free(body);
}

static void
resolver_text(const struct bmx_guard_status *g, const char *resolver,
    const char *findings, FILE *f)
{
	char a[BMX_IP_STRLEN];
	size_t i;

	fprintf(f, "resolver %s\n", resolver);
	fprintf(f, "private canary %s: %s%s%s\n",
	    g->private_name[0] ? g->private_name : "(none)",
	    bmx_canary_result_name(g->private_canary),
	    g->private_detail[0] ? ", " : "", g->private_detail);
	fprintf(f, "nxdomain canary: %s\n",
	    bmx_canary_result_name(g->nxdomain_canary));
	fprintf(f, "negative answers carry their SOA: %s\n",
	    g->negatives_have_soa ? "yes" : "not seen");
	fprintf(f, "empty answers without SOA distrusted: %s\n",
	    g->distrust_empty ? "yes" : "no");
	for (i = 0; i < g->nrewrite; i++)
		fprintf(f, "address given for names that do not exist: %s\n",
		    bmx_ip_format(&g->rewrite[i], a, sizeof(a)));
	fprintf(f,
	    "canary rounds %lu, empty answers without SOA %lu, untrusted "
	    "%lu, only 0.0.0.0 or :: %lu, deferred %lu, changes %lu\n",
	    g->canary_runs, g->empty_nosoa, g->untrusted, g->unspecified,
	    g->deferrals, g->changes);
	fprintf(f, "findings: %s\n", findings[0] ? findings : "none");
}

static void
resolver_json(const struct bmx_guard_status *g, const char *resolver,
    const char *findings, FILE *f)
{
	char a[BMX_IP_STRLEN];
	size_t i;

	fputs("{\"resolver\":", f);
	bmx_json_str(f, resolver);
	fputs(",\"private_canary\":", f);
	bmx_json_str(f, g->private_name);
	fprintf(f, ",\"private\":\"%s\",\"private_detail\":",
	    bmx_canary_result_name(g->private_canary));
	bmx_json_str(f, g->private_detail);
	fprintf(f,
	    ",\"nxdomain\":\"%s\",\"negatives_have_soa\":%s,"
	    "\"distrust_empty\":%s,\"rewrite\":[",
	    bmx_canary_result_name(g->nxdomain_canary),
	    g->negatives_have_soa ? "true" : "false",
	    g->distrust_empty ? "true" : "false");
	for (i = 0; i < g->nrewrite; i++) {
		fputs(i ? "," : "", f);
		bmx_json_str(f, bmx_ip_format(&g->rewrite[i], a, sizeof(a)));
	}
	fprintf(f,
	    "],\"canary_runs\":%lu,\"empty_nosoa\":%lu,\"untrusted\":%lu,"
	    "\"unspecified\":%lu,\"deferrals\":%lu,\"changes\":%lu,"
	    "\"findings\":",
	    g->canary_runs, g->empty_nosoa, g->untrusted, g->unspecified,
	    g->deferrals, g->changes);
	bmx_json_str(f, findings);
	fputs("}\n", f);
}

static void
cmd_resolver(const struct request *rq, FILE *f)
{
	struct bmx_guard_status g;
	struct bmx_metrics_extra x;
	const struct bmx_query_servers *s;
	struct bmx_state *st;
	char findings[1024];
	const char *resolver;

	if (rq->nargs > 0) {
		fputs("error usage: resolver takes no argument\n", f);
		return;
	}
	st = bmx_state_get();
	if (st == NULL) {
		fputs("error unavailable: not serving yet\n", f);
		return;
	}
	bmx_observe_extra(&x);
	if (!x.has_guard) {
		bmx_state_put(st);
		fputs("error unavailable: resolver: the resolver guard is off "
		      "(resolver-guard section)\n",
		    f);
		return;
	}
	g = x.guard;
	s = bmx_engine_servers(st->engine);
	resolver = s->n > 0 ? s->text[0] : "(none)";
	bmx_guard_describe(&g, resolver, findings, sizeof(findings));
	fputs("ok\n", f);
	if (rq->json)
		resolver_json(&g, resolver, findings, f);
	else
		resolver_text(&g, resolver, findings, f);
	bmx_state_put(st);
}

static const struct {
	const char *verb;
	void (*run)(const struct request *, FILE *);
} commands[] = {
	{ "status", cmd_status },
	{ "purge", cmd_purge },
	{ "dump", cmd_dump },
	{ "resolver", cmd_resolver },
	{ "report", cmd_report },
};

void
bmx_control_answer(const char *line, FILE *out)
{
	char copy[BMX_CONTROL_LINE_MAX];
	struct request rq;
	size_t i;

	snprintf(copy, sizeof(copy), "%s", line);
	if (!split(copy, &rq)) {
		fputs("error usage: too many words\n", out);
		return;
	}
	if (rq.verb == NULL) {
		fputs("error usage: empty request\n", out);
		return;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(rq.verb, commands[i].verb) == 0) {
			commands[i].run(&rq, out);
			return;
		}
	fprintf(out,
	    "error usage: unknown command \"%.40s\" (status, purge, dump, "
	    "resolver, report)\n",
	    rq.verb);
}
