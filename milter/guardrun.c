/*
 * guardrun.c - the resolver guard's thread (see guardrun.h)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "canary.h"
#include "guardrun.h"
#include "state.h"

/* How often the thread looks for findings learnt from answers, s. */
#define GUARD_LOOK_S 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct bmx_guard *guard;
static bool kicked = true;

struct bmx_guard *
bmx_guardrun_guard(void)
{
	pthread_mutex_lock(&lock);
	if (guard == NULL)
		guard = bmx_guard_new();
	pthread_mutex_unlock(&lock);
	return guard;
}

void
bmx_guardrun_kick(void)
{
	pthread_mutex_lock(&lock);
	kicked = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

/* One round with the state in force; false when the guard is off. */
static bool
run_round(struct bmx_guard *g, unsigned *interval_s, char *resolver, size_t len)
{
	struct bmx_state *st = bmx_state_get();
	const struct bmx_query_servers *s;
	bool on;

	if (st == NULL)
		return false;
	on = st->cfg->guard.enabled;
	*interval_s = st->cfg->guard.interval_s;
	s = bmx_engine_servers(st->engine);
	snprintf(resolver, len, "%s", s->n > 0 ? s->text[0] : "(none)");
	if (on)
		bmx_canary_run(g, s, &st->cfg->guard, &st->cfg->engine.policy,
		    st->cfg->engine.deadline_ms);
	bmx_state_put(st);
	return on;
}

static void
report(const struct bmx_guard_status *s, const char *resolver)
{
	char text[2048];

	bmx_guard_describe(s, resolver, text, sizeof(text));
	if (text[0] != '\0')
		syslog(LOG_WARNING, "resolver guard: %s", text);
	else
		syslog(LOG_INFO,
		    "resolver guard: resolver %s passes (private canary %s, "
		    "nxdomain canary %s)",
		    resolver, bmx_canary_result_name(s->private_canary),
		    bmx_canary_result_name(s->nxdomain_canary));
}

static void *
runner(void *arg)
{
	struct bmx_guard *g = arg;
	struct bmx_guard_status s;
	unsigned long seen = 0, key;
	unsigned interval = 300;
	time_t next = 0;
	char resolver[64] = "";
	bool first = true, round, on = false;

	for (;;) {
		struct timespec until;

		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += GUARD_LOOK_S;
		while (!kicked &&
		    pthread_cond_timedwait(&wake, &lock, &until) == 0)
			;
		round = kicked || time(NULL) >= next;
		kicked = false;
		pthread_mutex_unlock(&lock);
		if (round) {
			on =
			    run_round(g, &interval, resolver, sizeof(resolver));
			next = time(NULL) + (time_t)interval;
		}
		if (!on)
			continue;
		bmx_guard_get_status(g, &s);
		/* a change of the findings, the first empty answers
		 * without SOA once they are not believed, or the first
		 * host answered with 0.0.0.0 or :: alone */
		key = s.changes * 4 +
		    (s.distrust_empty && s.empty_nosoa > 0) * 2 +
		    (s.unspecified > 0);
		if (key != seen || (first && s.canary_runs > 0)) {
			report(&s, resolver);
			seen = key;
			first = false;
		}
	}
	return NULL;
}

bool
bmx_guardrun_start(void)
{
	struct bmx_guard *g = bmx_guardrun_guard();
	pthread_t tid;

	if (g == NULL || pthread_create(&tid, NULL, runner, g) != 0)
		return false;
	pthread_detach(tid);
	return true;
}

void
bmx_guardrun_stats(char *buf, size_t len)
{
	struct bmx_guard_status s;

	buf[0] = '\0';
	if (guard == NULL)
		return;
	bmx_guard_get_status(guard, &s);
	snprintf(buf, len,
	    "guard distrust=%s private=%s nxdomain=%s empty-nosoa=%lu "
	    "untrusted=%lu unspecified=%lu deferrals=%lu canary-runs=%lu",
	    s.distrust_empty ? "yes" : "no",
	    bmx_canary_result_name(s.private_canary),
	    bmx_canary_result_name(s.nxdomain_canary), s.empty_nosoa,
	    s.untrusted, s.unspecified, s.deferrals, s.canary_runs);
}
