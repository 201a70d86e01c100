/*
 * observe.c - the process's counters and report, fed by the callbacks
 */
#include <stdatomic.h>
#include <string.h>

#include "guardrun.h"
#include "observe.h"
#include "registry.h"
#include "state.h"

static struct bmx_metrics *metrics;
static struct bmx_report *report;
static time_t started;

bool
bmx_observe_init(const struct bmx_config *c)
{
	started = time(NULL);
	metrics = bmx_metrics_new();
	report = bmx_report_new(c->report_domains, started);
	return metrics != NULL && report != NULL;
}

void
bmx_observe_free(void)
{
	bmx_metrics_free(metrics);
	bmx_report_free(report);
	metrics = NULL;
	report = NULL;
}

/* What was done: the verdict told, or the action that let it pass. */
static enum bmx_metrics_action
action_of(const struct bmx_config *c, const struct bmx_result *r)
{
	if (r->verdict == BMX_VERDICT_REJECT)
		return BMX_METRICS_REJECT;
	if (r->verdict == BMX_VERDICT_TEMPFAIL)
		return BMX_METRICS_TEMPFAIL;
	if (r->j.d.verdict == BMX_VERDICT_ACCEPT)
		return BMX_METRICS_ACCEPT;
	return c->action == BMX_ACTION_TAG ? BMX_METRICS_TAG : BMX_METRICS_LOG;
}

/* The verdict action = "reject" would have given: j.d holds the reply
 * after the action, which "tempfail" turned from 5xx into 4xx. */
static enum bmx_verdict
under_reject(const struct bmx_config *c, const struct bmx_result *r)
{
	if (c->action == BMX_ACTION_TEMPFAIL &&
	    r->j.d.verdict == BMX_VERDICT_TEMPFAIL &&
	    r->j.d.outcome != BMX_OUTCOME_TEMPFAIL)
		return BMX_VERDICT_REJECT;
	return r->j.d.verdict;
}

void
bmx_observe_decision(const struct bmx_config *c, const struct bmx_result *r)
{
	if (metrics == NULL)
		return;
	bmx_metrics_decision(metrics, r->j.d.outcome, r->j.class_name,
	    action_of(c, r), r->elapsed_ms);
	bmx_report_add(report, under_reject(c, r), r->j.d.outcome,
	    r->j.class_name, r->domain);
}

void
bmx_observe_skip(enum bmx_skip why)
{
	if (metrics != NULL)
		bmx_metrics_skip(metrics, why);
}

void
bmx_observe_reload(bool ok)
{
	if (metrics != NULL)
		bmx_metrics_reload(metrics, ok);
}

struct bmx_metrics *
bmx_observe_metrics(void)
{
	return metrics;
}

struct bmx_report *
bmx_observe_report(void)
{
	return report;
}

void
bmx_observe_extra(struct bmx_metrics_extra *x)
{
	struct bmx_cache *cache = bmx_state_cache();
	struct bmx_state *st;
	const struct bmx_query_servers *s;

	memset(x, 0, sizeof(*x));
	x->start = started;
	x->version = BMX_VERSION;
	x->registry_date = bmx_registry_date();
	if (cache != NULL) {
		bmx_cache_get_stats(cache, &x->cache);
		x->has_cache = true;
	}
	st = bmx_state_get();
	if (st == NULL)
		return;
	x->loaded = st->loaded;
	x->generation = st->generation;
	s = bmx_engine_servers(st->engine);
	x->has_dns = true;
	x->dns.sent = atomic_load(&s->sent);
	x->dns.timeouts = atomic_load(&s->timeouts);
	x->dns.dropped = atomic_load(&s->dropped);
	x->dns.tcp = atomic_load(&s->tcp);
	x->dns.queued = atomic_load(&s->queued);
	x->dns.starved = atomic_load(&s->starved);
	x->dns.inflight = atomic_load(&s->inflight);
	x->dns.inflight_max = atomic_load(&s->inflight_max);
	x->dns.max_inflight = s->max_inflight;
	if (st->cfg->guard.enabled && bmx_guardrun_guard() != NULL) {
		bmx_guard_get_status(bmx_guardrun_guard(), &x->guard);
		x->has_guard = true;
	}
	bmx_state_put(st);
}
