/*
 * metrics.c - counters under one mutex, and their text exposition
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ipclass.h"
#include "metrics.h"

/* Upper bounds of the latency buckets, in milliseconds (+Inf after). */
static const long long bucket_ms[] = { 1, 5, 10, 25, 50, 100, 250, 500, 1000,
	2500, 5000, 10000 };
#define NBUCKETS (sizeof(bucket_ms) / sizeof(bucket_ms[0]))

/* Index BMX_METRICS_CLASSES is "other", the one after it "none". */
#define CLASS_OTHER BMX_METRICS_CLASSES
#define CLASS_NONE (BMX_METRICS_CLASSES + 1)
#define NCLASSES (BMX_METRICS_CLASSES + 2)

struct bmx_metrics {
	pthread_mutex_t lock;
	char classes[BMX_METRICS_CLASSES][BMX_CLASS_MAX];
	size_t nclasses;
	unsigned long decisions[BMX_OUTCOME_COUNT][NCLASSES];
	unsigned long actions[BMX_METRICS_ACTION_COUNT];
	unsigned long skipped[BMX_SKIP_COUNT];
	unsigned long buckets[NBUCKETS + 1]; /* not cumulative */
	unsigned long long sum_ms;
	unsigned long reloads_ok, reloads_failed;
};

static const char *const action_names[] = {
	[BMX_METRICS_ACCEPT] = "accept",
	[BMX_METRICS_REJECT] = "reject",
	[BMX_METRICS_TEMPFAIL] = "tempfail",
	[BMX_METRICS_TAG] = "tag",
	[BMX_METRICS_LOG] = "log",
};

static const struct {
	const char *label, *text;
} skips[] = {
	[BMX_SKIP_EXEMPT_CLIENT] = { "exempt_client", "exempt client" },
	[BMX_SKIP_AUTHENTICATED] = { "authenticated", "authenticated client" },
	[BMX_SKIP_MAILER] = { "mailer", "mailer not routed by MX" },
	[BMX_SKIP_NEXT_HOP] = { "next_hop", "exempt next hop" },
};

struct bmx_metrics *
bmx_metrics_new(void)
{
	struct bmx_metrics *m = calloc(1, sizeof(*m));

	if (m != NULL && pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void
bmx_metrics_free(struct bmx_metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

const char *
bmx_skip_text(enum bmx_skip why)
{
	return why < BMX_SKIP_COUNT ? skips[why].text : "?";
}

const char *
bmx_metrics_action_name(enum bmx_metrics_action a)
{
	return a < BMX_METRICS_ACTION_COUNT ? action_names[a] : "?";
}

/* The index of a class label; the lock is held. */
static size_t
class_index(struct bmx_metrics *m, const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return CLASS_NONE;
	for (i = 0; i < m->nclasses; i++)
		if (strncmp(m->classes[i], name, BMX_CLASS_MAX - 1) == 0)
			return i;
	if (m->nclasses == BMX_METRICS_CLASSES)
		return CLASS_OTHER;
	snprintf(m->classes[m->nclasses], BMX_CLASS_MAX, "%s", name);
	return m->nclasses++;
}

void
bmx_metrics_decision(struct bmx_metrics *m, enum bmx_outcome outcome,
    const char *class_name, enum bmx_metrics_action action,
    long long elapsed_ms)
{
	size_t b;

	if (elapsed_ms < 0)
		elapsed_ms = 0;
	for (b = 0; b < NBUCKETS && elapsed_ms > bucket_ms[b]; b++)
		;
	pthread_mutex_lock(&m->lock);
	if (outcome < BMX_OUTCOME_COUNT)
		m->decisions[outcome][class_index(m, class_name)]++;
	if (action < BMX_METRICS_ACTION_COUNT)
		m->actions[action]++;
	m->buckets[b]++;
	m->sum_ms += (unsigned long long)elapsed_ms;
	pthread_mutex_unlock(&m->lock);
}

void
bmx_metrics_skip(struct bmx_metrics *m, enum bmx_skip why)
{
	if (why >= BMX_SKIP_COUNT)
		return;
	pthread_mutex_lock(&m->lock);
	m->skipped[why]++;
	pthread_mutex_unlock(&m->lock);
}

void
bmx_metrics_reload(struct bmx_metrics *m, bool ok)
{
	pthread_mutex_lock(&m->lock);
	if (ok)
		m->reloads_ok++;
	else
		m->reloads_failed++;
	pthread_mutex_unlock(&m->lock);
}

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One metric with no labels. */
static void
plain(FILE *f, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	head(f, name, type, help);
	fprintf(f, "%s %llu\n", name, v);
}

/* Metrics with no labels, one value each. */
struct row {
	const char *name, *type, *help;
	unsigned long long v;
};

static void
write_rows(FILE *f, const struct row *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		plain(f, r[i].name, r[i].type, r[i].help, r[i].v);
}

/* Class names come from our tables: letters, digits, '-', '_', '.'.
 * Anything else is written as '_', so a label value needs no escape. */
static void
label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		putc(strchr("\"\\\n", *s) != NULL ? '_' : *s, f);
}

static void
write_decisions(const struct bmx_metrics *m, FILE *f)
{
	size_t o, c;

	head(f, "bogusmx_decisions_total", "counter",
	    "Recipients and senders decided, by the policy's outcome and "
	    "the class that decided.");
	for (o = 0; o < BMX_OUTCOME_COUNT; o++)
		for (c = 0; c < NCLASSES; c++) {
			if (m->decisions[o][c] == 0)
				continue;
			fprintf(f,
			    "bogusmx_decisions_total{outcome=\"%s\","
			    "class=\"",
			    bmx_outcome_name((enum bmx_outcome)o));
			label_value(f,
			    c == CLASS_OTHER	? "other" :
				c == CLASS_NONE ? "none" :
						  m->classes[c]);
			fprintf(f, "\"} %lu\n", m->decisions[o][c]);
		}
	head(f, "bogusmx_actions_total", "counter",
	    "What was done with each decided recipient or sender.");
	for (o = 0; o < BMX_METRICS_ACTION_COUNT; o++)
		fprintf(f, "bogusmx_actions_total{action=\"%s\"} %lu\n",
		    action_names[o], m->actions[o]);
	head(f, "bogusmx_skipped_total", "counter",
	    "Recipients and senders not checked, by reason.");
	for (o = 0; o < BMX_SKIP_COUNT; o++)
		fprintf(f, "bogusmx_skipped_total{reason=\"%s\"} %lu\n",
		    skips[o].label, m->skipped[o]);
}

static void
write_latency(const struct bmx_metrics *m, FILE *f)
{
	unsigned long cum = 0;
	size_t b;

	head(f, "bogusmx_decision_duration_seconds", "histogram",
	    "Time taken by each decision, DNS included.");
	for (b = 0; b < NBUCKETS; b++) {
		cum += m->buckets[b];
		fprintf(f,
		    "bogusmx_decision_duration_seconds_bucket{le=\"%g\"} "
		    "%lu\n",
		    (double)bucket_ms[b] / 1000.0, cum);
	}
	cum += m->buckets[NBUCKETS];
	fprintf(f,
	    "bogusmx_decision_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
	    "bogusmx_decision_duration_seconds_sum %.3f\n"
	    "bogusmx_decision_duration_seconds_count %lu\n",
	    cum, (double)m->sum_ms / 1000.0, cum);
}

static void
write_cache(const struct bmx_cache_stats *c, FILE *f)
{
	const struct row r[] = {
		{ "bogusmx_cache_entries", "gauge",
		    "DNS answers in the cache, in flight included.",
		    c->entries },
		{ "bogusmx_cache_bytes", "gauge",
		    "Memory held by the cached answers.", c->bytes },
		{ "bogusmx_cache_hits_total", "counter",
		    "Lookups answered from the cache.", c->hits },
		{ "bogusmx_cache_misses_total", "counter",
		    "Lookups the cache could not answer.", c->misses },
		{ "bogusmx_cache_joins_total", "counter",
		    "Lookups that waited for the same query of another thread.",
		    c->joins },
		{ "bogusmx_cache_evictions_total", "counter",
		    "Entries dropped to make room.", c->evictions },
		{ "bogusmx_cache_stale_served_total", "counter",
		    "Expired answers served because a fresh query failed (RFC "
		    "8767).",
		    c->stale_served },
		{ "bogusmx_cache_stale_rechecks_suppressed_total", "counter",
		    "Stale answers served without asking again, within "
		    "stale-recheck of a failed refresh (RFC 8767).",
		    c->stale_rechecks_suppressed },
		{ "bogusmx_cache_byte_evictions_total", "counter",
		    "Entries dropped to stay within max-bytes.",
		    c->byte_evictions },
		{ "bogusmx_cache_too_big_total", "counter",
		    "Answers too big for max-bytes on their own: used, not "
		    "kept.",
		    c->too_big },
		{ "bogusmx_cache_purged_total", "counter",
		    "Entries dropped by bogusmx-ctl purge.", c->purged },
		{ "bogusmx_cache_in_flight", "gauge",
		    "Entries whose query is under way.", c->inflight },
		{ "bogusmx_cache_entries_limit", "gauge",
		    "The entries the cache may hold.", c->max_entries },
		{ "bogusmx_cache_bytes_limit", "gauge",
		    "The bytes the cache may hold (0: no bound).",
		    c->max_bytes },
	};

	write_rows(f, r, sizeof(r) / sizeof(r[0]));
}

static void
write_dns(const struct bmx_metrics_dns *d, FILE *f)
{
	const struct row r[] = {
		{ "bogusmx_dns_queries_total", "counter",
		    "DNS queries sent, UDP and TCP, since the configuration was "
		    "loaded.",
		    d->sent },
		{ "bogusmx_dns_timeouts_total", "counter",
		    "DNS attempts that timed out.", d->timeouts },
		{ "bogusmx_dns_replies_dropped_total", "counter",
		    "DNS replies dropped as not answering our query.",
		    d->dropped },
		{ "bogusmx_dns_tcp_retries_total", "counter",
		    "Truncated DNS replies asked again over TCP.", d->tcp },
		{ "bogusmx_dns_queries_in_flight", "gauge",
		    "DNS queries outstanding now.", d->inflight },
		{ "bogusmx_dns_queries_in_flight_max", "gauge",
		    "The most DNS queries outstanding at once.",
		    d->inflight_max },
		{ "bogusmx_dns_queries_in_flight_limit", "gauge",
		    "max-queries (0: no limit).", d->max_inflight },
		{ "bogusmx_dns_queries_queued_total", "counter",
		    "DNS queries that waited for a place in flight.",
		    d->queued },
		{ "bogusmx_dns_queries_starved_total", "counter",
		    "DNS queries that waited for a place and never got one.",
		    d->starved },
	};

	write_rows(f, r, sizeof(r) / sizeof(r[0]));
}

static void
write_guard(const struct bmx_guard_status *g, FILE *f)
{
	static const enum bmx_canary_result results[] = { BMX_CANARY_UNKNOWN,
		BMX_CANARY_PASS, BMX_CANARY_FAIL };
	const struct row r[] = {
		{ "bogusmx_resolver_guard_distrust_empty", "gauge",
		    "1 when an empty answer without SOA is taken as records "
		    "removed by the resolver.",
		    g->distrust_empty },
		{ "bogusmx_resolver_guard_rewrite_addresses", "gauge",
		    "Addresses the resolver gave for a name that cannot exist.",
		    g->nrewrite },
		{ "bogusmx_resolver_guard_canary_runs_total", "counter",
		    "Rounds of canaries finished.", g->canary_runs },
		{ "bogusmx_resolver_guard_empty_nosoa_total", "counter",
		    "Empty answers without SOA seen.", g->empty_nosoa },
		{ "bogusmx_resolver_guard_untrusted_total", "counter",
		    "Resolutions found untrusted.", g->untrusted },
		{ "bogusmx_resolver_guard_deferrals_total", "counter",
		    "Recipients deferred because the resolver could not be "
		    "believed.",
		    g->deferrals },
		{ "bogusmx_resolver_guard_unspecified_total", "counter",
		    "Recipients with an MX host whose only address was 0.0.0.0 "
		    "or ::, what resolvers that block a name answer.",
		    g->unspecified },
		{ "bogusmx_resolver_guard_changes_total", "counter",
		    "Times the guard's findings changed.", g->changes },
	};
	size_t i;

	head(f, "bogusmx_resolver_guard_canary", "gauge",
	    "The last result of each canary: 1 for the result it has.");
	for (i = 0; i < 3; i++)
		fprintf(f,
		    "bogusmx_resolver_guard_canary{canary=\"private\","
		    "result=\"%s\"} %d\n"
		    "bogusmx_resolver_guard_canary{canary=\"nxdomain\","
		    "result=\"%s\"} %d\n",
		    bmx_canary_result_name(results[i]),
		    g->private_canary == results[i],
		    bmx_canary_result_name(results[i]),
		    g->nxdomain_canary == results[i]);
	write_rows(f, r, sizeof(r) / sizeof(r[0]));
}

int
bmx_metrics_write(
    struct bmx_metrics *m, const struct bmx_metrics_extra *x, FILE *f)
{
	pthread_mutex_lock(&m->lock);
	write_decisions(m, f);
	write_latency(m, f);
	head(f, "bogusmx_reloads_total", "counter",
	    "Configuration reloads (SIGUSR1), by result.");
	fprintf(f,
	    "bogusmx_reloads_total{result=\"ok\"} %lu\n"
	    "bogusmx_reloads_total{result=\"failed\"} %lu\n",
	    m->reloads_ok, m->reloads_failed);
	pthread_mutex_unlock(&m->lock);
	if (x->has_cache)
		write_cache(&x->cache, f);
	if (x->has_dns)
		write_dns(&x->dns, f);
	if (x->has_guard)
		write_guard(&x->guard, f);
	plain(f, "bogusmx_start_time_seconds", "gauge",
	    "When the daemon started, seconds since the epoch.",
	    (unsigned long long)x->start);
	plain(f, "bogusmx_config_load_time_seconds", "gauge",
	    "When the configuration in force was loaded.",
	    (unsigned long long)x->loaded);
	plain(f, "bogusmx_config_generation", "gauge",
	    "1 at start, one more at each successful reload.", x->generation);
	head(f, "bogusmx_build_info", "gauge",
	    "The version and the date of the built-in special-purpose "
	    "address registry.");
	fprintf(f,
	    "bogusmx_build_info{version=\"%s\",registry_date=\"%s\"} 1\n",
	    x->version, x->registry_date);
	return ferror(f) ? -1 : 0;
}
