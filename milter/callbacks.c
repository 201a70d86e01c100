/*
 * callbacks.c - libmilter callbacks (thin: the engine decides)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "callbacks.h"
#include "observe.h"
#include "replies.h"
#include "session.h"
#include "state.h"

/* Macros asked for per stage (both MTAs send a stage's macros even when
 * the stage itself is declined). */
static char connect_macros[] = "{daemon_name} v";
static char mail_macros[] = "i {auth_authen}";
static char rcpt_macros[] = "i {rcpt_mailer} {rcpt_host}";

static struct bmx_session *
session(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* Every callback starts here: what its thread or its session answered
 * before has been written (replies.h).  @return the session, or NULL */
static struct bmx_session *
enter(SMFICTX *ctx)
{
	struct bmx_session *s = session(ctx);

	bmx_replies_settle(s);
	return s;
}

static const char *
macro(SMFICTX *ctx, const char *name)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	return v != NULL ? v : "";
}

/* The address without one pair of angle brackets (into buf). */
static const char *
unbracket(const char *addr, char *buf, size_t len)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>')
		snprintf(buf, len, "%.*s", (int)(n - 2), addr + 1);
	else
		snprintf(buf, len, "%s", addr);
	return buf;
}

/* The size of a buffer that holds any text of n bytes as a log value. */
#define LOGBUF(n) (4 * (n) + 3)

/* The queue id as a log value, or NOQUEUE: the macro holds what the
 * MTA sent, CR and LF included. */
static const char *
queue_id(SMFICTX *ctx, char *buf, size_t len)
{
	const char *q = macro(ctx, "i");

	return bmx_log_value(q[0] ? q : "NOQUEUE", false, buf, len);
}

/* The address, "<mailbox>", as a log value (into buf). */
static const char *
log_mailbox(const char *mailbox, char *buf, size_t len)
{
	char b[600];

	snprintf(b, sizeof(b), "<%s>", mailbox);
	return bmx_log_value(b, false, buf, len);
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want_steps = SMFIP_NOHELO | SMFIP_NOHDRS | SMFIP_NOEOH |
	    SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_CONN;
	struct bmx_state *st = bmx_state_get();
	struct bmx_session *s;

	(void)f2;
	(void)f3;
	s = enter(ctx);
	/* MAIL only for the sender check (its macros come anyway); no
	 * reply at connect: each saves the MTA a round trip. */
	if (st != NULL && !st->cfg->check_sender)
		want_steps |= SMFIP_NOMAIL;
	bmx_state_put(st);
	*pf0 = (SMFIF_ADDHDRS | SMFIF_SETSYMLIST) & f0;
	*pf1 = want_steps & f1;
	*pf2 = 0;
	*pf3 = 0;
	if (s == NULL && (s = bmx_session_new(NULL, NULL)) != NULL)
		smfi_setpriv(ctx, s);
	if (s != NULL)
		s->no_connect_reply = (*pf1 & SMFIP_NR_CONN) != 0;
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, connect_macros);
		smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_macros);
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, rcpt_macros);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	struct bmx_session *s;
	struct bmx_ip ip, *ipp = NULL;

	s = enter(ctx);
	if (bmx_ip_from_sockaddr(sa, &ip))
		ipp = &ip;
	if (s != NULL) {
		/* made at negotiate */
		bmx_session_set_client(s, host, ipp);
		return s->no_connect_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
	}
	s = bmx_session_new(host, ipp);
	if (s == NULL) {
		syslog(LOG_ERR,
		    "out of memory for a new session: "
		    "tempfail");
		return SMFIS_TEMPFAIL;
	}
	smfi_setpriv(ctx, s);
	return SMFIS_CONTINUE;
}

/* Which MTA this is, by its version macro: Postfix says "Postfix 3.7.11",
 * Sendmail only its number, "8.17.1".  NULL: not known. */
static const char *
mta_name(SMFICTX *ctx)
{
	const char *v = macro(ctx, "v");

	if (strncmp(v, "Postfix", 7) == 0)
		return "postfix";
	if (v[0] >= '0' && v[0] <= '9')
		return "sendmail";
	return NULL;
}

/* Why this recipient (or sender) is not checked, or BMX_SKIP_NONE. */
static enum bmx_skip
not_checked(SMFICTX *ctx, const struct bmx_config *cfg,
    const struct bmx_session *s, bool rcpt)
{
	const char *host;

	if (s->has_client_ip && bmx_config_exempt_client(cfg, &s->client_ip))
		return BMX_SKIP_EXEMPT_CLIENT;
	if (cfg->exempt_authenticated && macro(ctx, "{auth_authen}")[0])
		return BMX_SKIP_AUTHENTICATED;
	if (!rcpt)
		return BMX_SKIP_NONE;
	if (bmx_config_skip_mailer(
		cfg, macro(ctx, "{rcpt_mailer}"), mta_name(ctx)))
		return BMX_SKIP_MAILER;
	/* A smart host ([relayhost]) is no reason to skip: it bounces what
	 * the recipient's MX cannot take.  Only the next hops the operator
	 * listed are. */
	host = macro(ctx, "{rcpt_host}");
	if (bmx_config_exempt_next_hop(cfg, host))
		return BMX_SKIP_NEXT_HOP;
	return BMX_SKIP_NONE;
}

static void
log_decision(SMFICTX *ctx, const struct bmx_session *s,
    const struct bmx_state *st, const char *who, const char *addr,
    const struct bmx_result *r)
{
	const struct bmx_judgement *j = &r->j;
	char reply[BMX_REPLY_MAX + 16], a[BMX_IP_STRLEN] = "", box[600];
	char qbuf[LOGBUF(64)], to[LOGBUF(600)], cl[LOGBUF(300)];
	char rp[LOGBUF(BMX_REPLY_MAX + 16)], dom[LOGBUF(BMX_DOMAIN_MAX + 1)];
	char mx[LOGBUF(BMX_DOMAIN_MAX + 1)], why[LOGBUF(sizeof(j->why))];
	const char *what, *queue = queue_id(ctx, qbuf, sizeof(qbuf));
	const char *cache = "none";

	if (r->verdict == BMX_VERDICT_ACCEPT &&
	    j->d.verdict == BMX_VERDICT_ACCEPT && !st->cfg->log_accepts)
		return;
	if (r->verdict == BMX_VERDICT_REJECT)
		what = "reject";
	else if (r->verdict == BMX_VERDICT_TEMPFAIL)
		what = "tempfail";
	else if (j->d.verdict == BMX_VERDICT_REJECT)
		what = st->cfg->action == BMX_ACTION_TAG ?
		    "tag (would reject)" :
		    "would reject";
	else if (j->d.verdict == BMX_VERDICT_TEMPFAIL)
		what = st->cfg->action == BMX_ACTION_TAG ?
		    "tag (would tempfail)" :
		    "would tempfail";
	else
		what = "accept";
	if (r->resolved && r->res.lookups > 0)
		cache = r->res.cache_hits == r->res.lookups ? "hit" :
		    r->res.cache_hits > 0		    ? "partial" :
							      "miss";
	if (j->has_address)
		bmx_ip_format(&j->cls.address, a, sizeof(a));
	bmx_decision_reply(&j->d, reply, sizeof(reply));
	/* every value a client (or a domain's owner) chose goes through
	 * bmx_log_value(): it can never look like a field */
	syslog(j->d.verdict == BMX_VERDICT_ACCEPT ? LOG_INFO : LOG_NOTICE,
	    "%s: %s: %s from %s: %s%s%s=%s domain=%s mx=%s address=%s "
	    "class=%s outcome=%s%s%s elapsed=%lldms lookups=%u cache=%s",
	    queue, what, who, bmx_log_value(s->client, false, cl, sizeof(cl)),
	    reply[0] ? bmx_log_value(reply, true, rp, sizeof(rp)) : "",
	    reply[0] ? "; " : "", strcmp(who, "RCPT") == 0 ? "to" : "from",
	    log_mailbox(r->addr_status == BMX_ADDR_OK ?
		    r->addr.mailbox :
		    unbracket(addr, box, sizeof(box)),
		to, sizeof(to)),
	    bmx_log_value(j->d.domain[0] ? j->d.domain :
		    r->domain[0]	 ? r->domain :
					   "-",
		false, dom, sizeof(dom)),
	    bmx_log_value(
		j->host != NULL && j->host->name != NULL ? j->host->name : "-",
		false, mx, sizeof(mx)),
	    a[0] ? a : "-", j->class_name[0] ? j->class_name : "-",
	    bmx_outcome_name(j->d.outcome), j->why[0] ? " why=" : "",
	    j->why[0] ? bmx_log_value(j->why, false, why, sizeof(why)) : "",
	    r->elapsed_ms, r->resolved ? r->res.lookups : 0, cache);
}

/* A table rule "WARN text" met on the way: logged, never acted on. */
static void
log_warnings(SMFICTX *ctx, const struct bmx_session *s,
    const struct bmx_judgement *j, const char *addr)
{
	char a[BMX_IP_STRLEN], box[600], to[LOGBUF(600)], qbuf[LOGBUF(64)];
	char cl[LOGBUF(300)];
	size_t i;

	for (i = 0; i < j->nclasses; i++) {
		const struct bmx_ipclass *c = &j->classes[i];

		if (c->warn == NULL)
			continue;
		syslog(LOG_WARNING,
		    "%s: warn: RCPT from %s: to=%s address=%s: %s:%u: %s",
		    queue_id(ctx, qbuf, sizeof(qbuf)),
		    bmx_log_value(s->client, false, cl, sizeof(cl)),
		    log_mailbox(
			unbracket(addr, box, sizeof(box)), to, sizeof(to)),
		    bmx_ip_format(&c->address, a, sizeof(a)),
		    bmx_cidr_name(c->warn_table), c->warn->line,
		    c->warn->result);
	}
}

/* Turn a result into the milter's answer. */
static sfsistat
answer(SMFICTX *ctx, struct bmx_session *s, const struct bmx_state *st,
    const struct bmx_result *r)
{
	char code[8], text[2 * BMX_REPLY_MAX], hdr[BMX_REPLY_MAX + 32];
	char plain[BMX_REPLY_MAX];

	if (r->verdict == BMX_VERDICT_ACCEPT) {
		if (st->cfg->action == BMX_ACTION_TAG &&
		    r->j.d.verdict != BMX_VERDICT_ACCEPT) {
			bmx_decision_reply(&r->j.d, hdr, sizeof(hdr));
			bmx_session_add_tag(s, hdr);
		}
		return SMFIS_CONTINUE;
	}
	s->rejected++;
	snprintf(code, sizeof(code), "%u", r->j.d.code);
	bmx_decision_text(&r->j.d, plain, sizeof(plain));
	bmx_reply_escape(plain, text, sizeof(text));
	if (smfi_setreply(ctx, code, (char *)r->j.d.dsn, text) != MI_SUCCESS)
		syslog(LOG_WARNING,
		    "smfi_setreply refused the reply %s %s: "
		    "the MTA's default text is used",
		    code, r->j.d.dsn);
	return r->verdict == BMX_VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static sfsistat
check(SMFICTX *ctx, const char *addr, bool rcpt)
{
	struct bmx_session *s = session(ctx);
	struct bmx_state *st;
	struct bmx_result r;
	enum bmx_skip skip;
	sfsistat rc;
	char buf[600], to[LOGBUF(600)], qbuf[LOGBUF(64)], cl[LOGBUF(300)];
	size_t k;

	if (s == NULL) {
		/* no connect callback (an MTA that skipped it) */
		s = bmx_session_new(NULL, NULL);
		if (s == NULL)
			return SMFIS_TEMPFAIL;
		smfi_setpriv(ctx, s);
	}
	st = bmx_state_get();
	if (st == NULL)
		return SMFIS_TEMPFAIL;
	bmx_replies_owe(s);
	if (rcpt)
		s->rcpts++;
	skip = not_checked(ctx, st->cfg, s, rcpt);
	if (skip != BMX_SKIP_NONE) {
		bmx_observe_skip(skip);
		if (st->cfg->log_accepts)
			syslog(LOG_INFO, "%s: skip: %s from %s: %s=%s: %s",
			    queue_id(ctx, qbuf, sizeof(qbuf)),
			    rcpt ? "RCPT" : "MAIL",
			    bmx_log_value(s->client, false, cl, sizeof(cl)),
			    rcpt ? "to" : "from",
			    log_mailbox(unbracket(addr, buf, sizeof(buf)), to,
				sizeof(to)),
			    bmx_skip_text(skip));
		bmx_state_put(st);
		return SMFIS_CONTINUE;
	}
	if (rcpt)
		bmx_engine_decide(st->engine, addr, &r);
	else
		bmx_engine_decide_sender(st->engine, addr, &r);
	bmx_observe_decision(st->cfg, &r);
	log_decision(ctx, s, st, rcpt ? "RCPT" : "MAIL", addr, &r);
	log_warnings(ctx, s, &r.j, addr);
	for (k = 0; k < r.nroutes; k++)
		log_warnings(ctx, s, &r.routes[k].j, addr);
	rc = answer(ctx, s, st, &r);
	bmx_result_clear(&r);
	bmx_state_put(st);
	return rc;
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct bmx_state *st;
	bool want;

	enter(ctx);
	st = bmx_state_get();
	want = st != NULL && st->cfg->check_sender;
	bmx_state_put(st);
	if (!want || argv == NULL || argv[0] == NULL)
		return SMFIS_CONTINUE;
	return check(ctx, argv[0], false);
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	enter(ctx);
	if (argv == NULL || argv[0] == NULL)
		return SMFIS_CONTINUE;
	return check(ctx, argv[0], true);
}

static sfsistat
on_eom(SMFICTX *ctx)
{
	struct bmx_session *s = enter(ctx);
	struct bmx_state *st;
	char qbuf[LOGBUF(64)];
	size_t i;

	if (s == NULL || s->ntags == 0)
		return SMFIS_CONTINUE;
	st = bmx_state_get();
	for (i = 0; st != NULL && i < s->ntags; i++)
		if (smfi_addheader(ctx, st->cfg->tag_header, s->tags[i]) !=
		    MI_SUCCESS)
			syslog(LOG_WARNING,
			    "%s: could not add header %s (did the MTA allow "
			    "header changes?)",
			    queue_id(ctx, qbuf, sizeof(qbuf)),
			    st->cfg->tag_header);
	if (s->tags_dropped > 0)
		syslog(LOG_WARNING, "%s: %zu more %s headers not added",
		    queue_id(ctx, qbuf, sizeof(qbuf)), s->tags_dropped,
		    st != NULL ? st->cfg->tag_header : "tag");
	bmx_state_put(st);
	bmx_session_clear_tags(s);
	return SMFIS_CONTINUE;
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	struct bmx_session *s = enter(ctx);

	if (s != NULL)
		bmx_session_clear_tags(s);
	return SMFIS_CONTINUE;
}

static sfsistat
on_close(SMFICTX *ctx)
{
	struct bmx_session *s = enter(ctx);

	if (s != NULL) {
		smfi_setpriv(ctx, NULL);
		bmx_session_free(s);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc bmx_milter_desc = {
	.xxfi_name = "bogusmx",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_connect = on_connect,
	.xxfi_envfrom = on_envfrom,
	.xxfi_envrcpt = on_envrcpt,
	.xxfi_eom = on_eom,
	.xxfi_abort = on_abort,
	.xxfi_close = on_close,
	.xxfi_negotiate = on_negotiate,
};
