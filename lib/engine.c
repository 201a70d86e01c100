/*
 * engine.c - recipient -> domain -> resolution -> judgement
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine.h"

struct bmx_engine {
	struct bmx_query_servers servers;
	struct bmx_cache *cache;
	bool own_cache;
	struct bmx_resolver resolver;
	struct bmx_policy policy;
	const char *const *exempt;
	size_t nexempt;
	const struct bmx_reply_spec *replies;
	enum bmx_action action;
};

void
bmx_engine_defaults(struct bmx_engine_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->timeout_ms = 1000;
	s->attempts = 3;
	s->deadline_ms = 6000;
	s->max_mx = 32;
	s->max_addrs = 64;
	s->max_cname = 8;
	s->max_queries = 256;
	s->cache.max_entries = 20000;
	s->cache.min_ttl = 10;
	s->cache.max_ttl = 3600;
	s->cache.max_neg_ttl = 600;
	s->cache.stale_ttl = 3600;
	s->cache.stale_recheck = 30;
	s->cache.max_bytes = 32 * 1024 * 1024;
	s->policy.mode = BMX_MODE_ANY;
}

struct bmx_engine *
bmx_engine_new(const struct bmx_engine_settings *s, char *err, size_t errlen)
{
	struct bmx_engine *e;
	size_t i;

	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < s->nnameservers; i++)
		if (bmx_query_add_server(&e->servers, s->nameservers[i],
			s->port != 0 ? s->port : 53, err, errlen) != 0)
			goto fail;
	/* No usable resolv.conf is not fatal here: addresses can still be
	 * judged, and every lookup fails with "no nameserver".  The
	 * message stays in err for the caller to show. */
	err[0] = '\0';
	if (s->nnameservers == 0)
		bmx_query_servers_from_resolv(&e->servers,
		    s->resolv_conf != NULL ? s->resolv_conf :
					     "/etc/resolv.conf",
		    err, errlen);
	e->servers.timeout_ms = s->timeout_ms;
	e->servers.attempts = s->attempts;
	e->servers.edns_size = 1232;
	e->servers.max_inflight = s->max_queries;
	if (s->shared_cache != NULL) {
		e->cache = s->shared_cache;
	} else if (s->cache.max_entries > 0) {
		e->own_cache = true;
		e->cache = bmx_cache_new(&s->cache);
		if (e->cache == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	e->resolver.servers = &e->servers;
	e->resolver.cache = e->cache;
	e->resolver.max_mx = s->max_mx;
	e->resolver.max_addrs = s->max_addrs;
	e->resolver.max_cname = s->max_cname;
	e->resolver.deadline_ms = s->deadline_ms;
	e->resolver.guard = s->guard;
	e->policy = s->policy;
	e->exempt = s->exempt_domains;
	e->nexempt = s->nexempt_domains;
	e->replies = s->replies;
	e->action = s->action;
	return e;
fail:
	bmx_engine_free(e);
	return NULL;
}

void
bmx_engine_free(struct bmx_engine *e)
{
	if (e == NULL)
		return;
	if (e->own_cache)
		bmx_cache_free(e->cache);
	free(e);
}

static bool
exempt(const struct bmx_engine *e, const char *domain)
{
	size_t i;

	for (i = 0; i < e->nexempt; i++)
		if (bmx_domain_within(domain, e->exempt[i]))
			return true;
	return false;
}

static void
decide_domain(struct bmx_engine *e, const char *rcpt, struct bmx_result *out)
{
	if (exempt(e, out->domain)) {
		out->j.d.outcome = BMX_OUTCOME_NOCHECK;
		snprintf(
		    out->j.class_name, sizeof(out->j.class_name), "exempt");
		return;
	}
	bmx_resolve(&e->resolver, out->domain, &out->res);
	out->resolved = true;
	bmx_policy_judge(&e->policy, rcpt, &out->res, &out->j);
	if (e->resolver.guard == NULL)
		return;
	if (out->res.untrusted_name != NULL)
		bmx_guard_count_untrusted(e->resolver.guard);
	if (out->j.unspecified != NULL)
		bmx_guard_count_unspecified(e->resolver.guard);
	if ((out->res.untrusted_name != NULL || out->j.unspecified != NULL) &&
	    out->j.d.outcome == BMX_OUTCOME_TEMPFAIL)
		bmx_guard_count_deferral(e->resolver.guard);
}

/* How a form routes, for the reply: "by the percent hack". */
static const char *
route_by(enum bmx_route_form f)
{
	switch (f) {
	case BMX_ROUTE_SOURCE:
		return "the source route";
	case BMX_ROUTE_AT:
		return "the '@' in the local part";
	case BMX_ROUTE_QUOTED:
		return "the quoted local part";
	case BMX_ROUTE_BANG:
		return "the bang path";
	case BMX_ROUTE_PERCENT:
		break;
	}
	return "the percent hack";
}

/* Judge one routing domain, within what is left of the deadline. */
static void
judge_route(struct bmx_engine *e, const char *mailbox,
    const struct bmx_route *rt, long long t0, struct bmx_route_result *rr)
{
	struct bmx_resolver r = e->resolver;
	long long left = (long long)r.deadline_ms - (bmx_now_ms() - t0);

	if (rt->literal) {
		bmx_policy_judge_address(&e->policy, mailbox, &rt->ip, &rr->j);
		return;
	}
	if (exempt(e, rt->domain)) {
		rr->exempt = true;
		rr->j.d.outcome = BMX_OUTCOME_NOCHECK;
		snprintf(rr->j.class_name, sizeof(rr->j.class_name), "exempt");
		return;
	}
	/* the deadline is the recipient's: what is left of it, and at
	 * least a moment, so that cached answers still count */
	r.deadline_ms = left > 1 ? (unsigned)left : 1;
	bmx_resolve(&r, rt->domain, &rr->res);
	rr->resolved = true;
	bmx_policy_judge(&e->policy, mailbox, &rr->res, &rr->j);
}

/* Does the written domain look like a local domain that routes on: a
 * routing form in the local part, and a loop to this server, a null MX,
 * no DNS or a special-use name (localhost, *.local)?  None of these is
 * a remote destination. */
static bool
written_local(const struct bmx_result *out)
{
	size_t k;

	/* only a form in the local part routes on from the written
	 * domain; after a source route it is the last stop */
	for (k = 0; k < out->addr.nroutes; k++)
		if (out->addr.routes[k].form != BMX_ROUTE_SOURCE)
			break;
	if (k == out->addr.nroutes)
		return false;
	switch (out->j.d.outcome) {
	case BMX_OUTCOME_SELF:
	case BMX_OUTCOME_NULLMX:
	case BMX_OUTCOME_UNDELIVERABLE:
		return true;
	case BMX_OUTCOME_BOGUS:
		return out->resolved && out->res.special_rule != NULL;
	default:
		return false;
	}
}

/* Which domain decides (0: the written one, k + 1: routes[k]); see the
 * rules in engine.h. */
static size_t
pick_domain(const struct bmx_result *out)
{
	enum bmx_outcome w = out->j.d.outcome;
	size_t k;

	if (w == BMX_OUTCOME_BOGUS && !written_local(out))
		return 0;
	for (k = 0; k < out->nroutes; k++)
		if (out->routes[k].j.d.outcome == BMX_OUTCOME_BOGUS)
			return k + 1;
	if (w == BMX_OUTCOME_TEMPFAIL)
		return 0;
	for (k = 0; k < out->nroutes; k++)
		if (out->routes[k].j.d.outcome == BMX_OUTCOME_TEMPFAIL)
			return k + 1;
	return 0;
}

/*
 * Judge the routing domains of a recipient and decide for the whole.
 * The decision of a routing domain is copied into out->j (its detail
 * naming the domain); the written domain's classes stay there.
 */
static void
decide_routes(struct bmx_engine *e, struct bmx_result *out, long long t0)
{
	const struct bmx_route *rt;
	struct bmx_judgement *from;
	char detail[BMX_REPLY_MAX];
	bool refused;
	size_t k;

	out->routes = calloc(out->addr.nroutes, sizeof(*out->routes));
	if (out->routes == NULL) {
		bmx_decision_address(
		    &out->j.d, BMX_ROLE_RECIPIENT, out->addr.mailbox);
		snprintf(
		    out->j.class_name, sizeof(out->j.class_name), "tempfail");
		out->j.d.outcome = BMX_OUTCOME_TEMPFAIL;
		out->j.d.verdict = BMX_VERDICT_TEMPFAIL;
		out->j.d.code = 451;
		snprintf(out->j.d.dsn, sizeof(out->j.d.dsn), "4.3.0");
		snprintf(
		    out->j.d.detail, sizeof(out->j.d.detail), "out of memory");
		return;
	}
	out->nroutes = out->addr.nroutes;
	/* once a domain in a reject class decides, the rest would change
	 * nothing: they are not looked up (the client waits less) */
	refused = out->j.d.outcome == BMX_OUTCOME_BOGUS && !written_local(out);
	for (k = 0; k < out->nroutes; k++) {
		if (refused) {
			out->routes[k].skipped = true;
			out->routes[k].j.d.outcome = BMX_OUTCOME_NOCHECK;
			snprintf(out->routes[k].j.class_name,
			    sizeof(out->routes[k].j.class_name), "not-checked");
			continue;
		}
		judge_route(e, out->addr.mailbox, &out->addr.routes[k], t0,
		    &out->routes[k]);
		refused = out->routes[k].j.d.outcome == BMX_OUTCOME_BOGUS;
	}
	out->decided_by = pick_domain(out);
	if (out->decided_by == 0) {
		/* a local domain that routes on refuses nothing itself */
		if (written_local(out)) {
			out->j.d.outcome = BMX_OUTCOME_ACCEPT;
			out->j.d.verdict = BMX_VERDICT_ACCEPT;
			out->j.d.code = 0;
			out->j.d.dsn[0] = '\0';
			out->j.d.detail[0] = '\0';
			snprintf(out->j.class_name, sizeof(out->j.class_name),
			    "routed");
		}
		return;
	}
	rt = &out->addr.routes[out->decided_by - 1];
	from = &out->routes[out->decided_by - 1].j;
	out->j.d = from->d;
	snprintf(out->j.class_name, sizeof(out->j.class_name), "%s",
	    from->class_name);
	snprintf(out->j.why, sizeof(out->j.why), "%s", from->why);
	out->j.host = from->host;
	out->j.has_address = from->has_address;
	out->j.cls = from->cls;
	if (rt->literal) {
		char a[BMX_IP_STRLEN];

		snprintf(detail, sizeof(detail), "Routed to [%s] by %s: %.400s",
		    bmx_ip_format(&rt->ip, a, sizeof(a)), route_by(rt->form),
		    from->d.detail);
	} else
		snprintf(detail, sizeof(detail), "Routed to %s by %s: %.400s",
		    rt->domain, route_by(rt->form), from->d.detail);
	snprintf(out->j.d.detail, sizeof(out->j.d.detail), "%s", detail);
}

/* The configured reply and action, on top of the policy's decision. */
static void
finish(struct bmx_engine *e, struct bmx_result *out, long long t0)
{
	struct bmx_reply_fields f = { 0 };
	char addr[BMX_IP_STRLEN];

	if (e->replies != NULL && out->j.d.verdict != BMX_VERDICT_ACCEPT) {
		f.recipient =
		    out->addr.mailbox[0] != '\0' ? out->addr.mailbox : NULL;
		f.domain = out->j.d.domain;
		f.host = out->j.host != NULL ? out->j.host->name : NULL;
		if (out->j.has_address)
			f.address = bmx_ip_format(
			    &out->j.cls.address, addr, sizeof(addr));
		f.class_name = out->j.class_name;
		bmx_reply_apply(&e->replies[out->j.d.outcome], &f, &out->j.d);
	}
	out->verdict = bmx_reply_act(e->action, &out->j.d);
	out->elapsed_ms = bmx_now_ms() - t0;
}

/* Decide for an address in a role: the reply names it as such. */
static void
decide_rcpt(struct bmx_engine *e, enum bmx_role role, const char *rcpt,
    struct bmx_result *out, long long t0)
{
	char err[256];

	out->kind = BMX_TARGET_RECIPIENT;
	out->addr_status = bmx_addr_parse(rcpt, &out->addr, err, sizeof(err));
	switch (out->addr_status) {
	case BMX_ADDR_OK:
		break;
	case BMX_ADDR_UNSUPPORTED:
		/* a general address literal: the MTA's business */
		out->j.d.outcome = BMX_OUTCOME_NOCHECK;
		snprintf(
		    out->j.class_name, sizeof(out->j.class_name), "no-check");
		return;
	default: {
		/* the reply adds its own <>: quote what was inside */
		char inner[BMX_RCPT_MAX + 1];
		size_t n = strlen(rcpt);

		if (n >= 2 && rcpt[0] == '<' && rcpt[n - 1] == '>')
			snprintf(inner, sizeof(inner), "%.*s", (int)(n - 2),
			    rcpt + 1);
		else
			snprintf(inner, sizeof(inner), "%s", rcpt);
		bmx_policy_syntax(role, inner, err, &out->j);
		return;
	}
	}
	switch (out->addr.kind) {
	case BMX_ADDR_NODOMAIN:
		out->j.d.outcome = BMX_OUTCOME_NOCHECK;
		snprintf(
		    out->j.class_name, sizeof(out->j.class_name), "no-check");
		break;
	case BMX_ADDR_LITERAL:
		out->ip = out->addr.literal;
		bmx_policy_judge_address(
		    &e->policy, out->addr.mailbox, &out->ip, &out->j);
		break;
	case BMX_ADDR_DOMAIN:
		snprintf(
		    out->domain, sizeof(out->domain), "%s", out->addr.domain);
		decide_domain(e, out->addr.mailbox, out);
		break;
	}
	if (out->addr.kind != BMX_ADDR_NODOMAIN && out->addr.nroutes > 0)
		decide_routes(e, out, t0);
	out->j.d.role = role;
}

void
bmx_engine_decide(
    struct bmx_engine *e, const char *rcpt, struct bmx_result *out)
{
	long long t0 = bmx_now_ms();

	memset(out, 0, sizeof(*out));
	decide_rcpt(e, BMX_ROLE_RECIPIENT, rcpt, out, t0);
	finish(e, out, t0);
}

void
bmx_engine_decide_sender(
    struct bmx_engine *e, const char *sender, struct bmx_result *out)
{
	long long t0 = bmx_now_ms();

	memset(out, 0, sizeof(*out));
	decide_rcpt(e, BMX_ROLE_SENDER, sender, out, t0);
	finish(e, out, t0);
}

void
bmx_engine_decide_target(
    struct bmx_engine *e, const char *target, struct bmx_result *out)
{
	long long t0 = bmx_now_ms();
	char err[256];

	if (strchr(target, '@') != NULL || target[0] == '<') {
		bmx_engine_decide(e, target, out);
		return;
	}
	memset(out, 0, sizeof(*out));
	if (bmx_ip_parse(target, &out->ip)) {
		out->kind = BMX_TARGET_IP;
		bmx_policy_judge_address(&e->policy, NULL, &out->ip, &out->j);
		goto done;
	}
	out->kind = BMX_TARGET_DOMAIN;
	out->addr_status =
	    bmx_domain_normalize(target, out->domain, err, sizeof(err));
	if (out->addr_status != BMX_ADDR_OK) {
		bmx_policy_syntax(BMX_ROLE_RECIPIENT, target, err, &out->j);
		goto done;
	}
	decide_domain(e, NULL, out);
done:
	finish(e, out, t0);
}

void
bmx_result_clear(struct bmx_result *r)
{
	size_t k;

	for (k = 0; k < r->nroutes; k++) {
		bmx_resolution_clear(&r->routes[k].res);
		bmx_judgement_clear(&r->routes[k].j);
	}
	free(r->routes);
	bmx_resolution_clear(&r->res);
	bmx_judgement_clear(&r->j);
}

struct bmx_cache *
bmx_engine_cache(struct bmx_engine *e)
{
	return e->cache;
}

const struct bmx_query_servers *
bmx_engine_servers(const struct bmx_engine *e)
{
	return &e->servers;
}
