/*
 * engine.h - one decision for one recipient: the function the milter and
 * bogusmx-check both call
 *
 * The engine ties the parts together: lib/addr parses the recipient,
 * lib/resolve finds the mail exchangers through the shared cache, and
 * lib/policy classifies every address and picks the verdict and reply.
 *
 * A recipient is judged by every domain its mail may be routed to: the
 * written one and those the routing conventions hide in it (route.h:
 * user%hot.de@local, hot.de!user@local, user@hot.de@local,
 * "user@hot.de"@local, @a,@b:user@dom), one after the other within the
 * one deadline.  Which of them the MTA routes by depends on its own
 * configuration (is "local" its own domain?), which the milter does not
 * see, so:
 *   - any of them in a reject class (the written domain: by its DNS)
 *     refuses the recipient, and the reply names that domain ("Routed
 *     to hot.de by the percent hack: MX host ...");
 *   - else the written domain's verdict stands, except that its loop to
 *     this server, its null MX, its missing DNS and a special-use name
 *     (localhost, *.local, *.test) do not refuse when its local part
 *     names routing domains: that is what a local domain that routes
 *     on looks like (after a source route, the written domain is the
 *     last stop: its verdict stands whole);
 *   - else a routing domain whose DNS failed temporarily defers (451):
 *     what it hides is not known;
 *   - else the recipient is accepted.
 * Once a domain in a reject class has decided, the routing domains after
 * it are not looked up (class "not-checked").
 * A plain user@domain is judged exactly as before.
 * What bogusmx-check prints is what the milter answers, because both get
 * it from bmx_engine_decide().
 *
 * Ownership: the engine owns its nameserver state and cache; the tables
 * in its settings are borrowed and must outlive it.  A struct bmx_result
 * owns what it holds until bmx_result_clear().
 *
 * Thread safety: after bmx_engine_new(), bmx_engine_decide() may run in
 * any number of threads at once.
 */
#ifndef BMX_ENGINE_H
#define BMX_ENGINE_H

#include "addr.h"
#include "cache.h"
#include "policy.h"
#include "query.h"
#include "reply.h"
#include "resolve.h"

struct bmx_engine_settings {
	/** Nameservers ("127.0.0.1", "[::1]:5353"); none: resolv_conf. */
	const char *const *nameservers;
	size_t nnameservers;
	const char *resolv_conf; /**< NULL: /etc/resolv.conf */
	unsigned port;		 /**< for nameservers without one; 0: 53 */
	unsigned timeout_ms;	 /**< per attempt */
	unsigned attempts;	 /**< per query */
	unsigned deadline_ms;	 /**< per recipient */
	unsigned max_mx, max_addrs, max_cname;
	/** DNS queries outstanding at once, all threads together; 0: no
	 * limit (see query.h). */
	unsigned max_queries;
	struct bmx_cache_config cache; /**< max_entries 0: no cache */
	/** A cache to use instead of making one (borrowed; a reload keeps
	 * its cache this way).  NULL: the engine makes its own from cache. */
	struct bmx_cache *shared_cache;
	struct bmx_policy policy; /**< tables borrowed */
	/** Recipient domains not checked, with their subdomains
	 * (normalised; borrowed). */
	const char *const *exempt_domains;
	size_t nexempt_domains;
	/** Reply overrides indexed by enum bmx_outcome (borrowed), or NULL. */
	const struct bmx_reply_spec *replies;
	enum bmx_action action;
	/** The resolver guard (borrowed, shared), or NULL: none. */
	struct bmx_guard *guard;
};

/** The defaults: 1 s per attempt, 3 attempts, 6 s deadline, ... */
void bmx_engine_defaults(struct bmx_engine_settings *s);

struct bmx_engine;

/**
 * @return a new engine, or NULL with a message in err (a bad
 *     nameserver, no memory).  When resolv.conf gives no nameserver the
 *     engine is still made, with none (every lookup then fails
 *     temporarily), and err says why: check
 *     bmx_engine_servers(e)->n.  err is "" otherwise.
 */
struct bmx_engine *bmx_engine_new(
    const struct bmx_engine_settings *s, char *err, size_t errlen);

/** Free an engine no thread uses any more.  NULL is a no-op. */
void bmx_engine_free(struct bmx_engine *e);

enum bmx_target_kind {
	BMX_TARGET_RECIPIENT, /**< a recipient address (RCPT TO) */
	BMX_TARGET_DOMAIN,    /**< a bare domain */
	BMX_TARGET_IP,	      /**< a bare IP address */
};

/** A routing domain of a recipient (struct bmx_route), judged on its own. */
struct bmx_route_result {
	bool exempt;   /**< an exempt domain: not looked up */
	bool skipped;  /**< not judged: a domain before it refused */
	bool resolved; /**< res is filled */
	struct bmx_resolution res;
	struct bmx_judgement j; /**< its own verdict, before the whole's */
};

struct bmx_result {
	enum bmx_target_kind kind;
	enum bmx_addr_status addr_status;
	struct bmx_addr addr;		 /**< for RECIPIENT */
	char domain[BMX_DOMAIN_MAX + 1]; /**< looked up, or "" */
	struct bmx_ip ip;		 /**< for IP, and address literals */
	bool resolved;			 /**< res below is filled */
	struct bmx_resolution res;
	struct bmx_judgement j; /**< j.d: the reply, after overrides */
	/** The routing domains of addr (addr.routes[k] -> routes[k]), each
	 * judged; NULL when there are none.  The written domain's
	 * judgement stays in res and j above, unless a routing domain
	 * decided: then j holds that domain's decision (its host and
	 * address point into routes[decided_by - 1].res), while
	 * j.classes stay the written domain's. */
	struct bmx_route_result *routes;
	size_t nroutes;
	/** Which domain decided: 0 the written one, k + 1 routes[k]. */
	size_t decided_by;
	/** What the MTA is told: j.d.verdict after the action (tag and log
	 * accept; j.d then holds the would-be reply). */
	enum bmx_verdict verdict;
	long long elapsed_ms;
};

/**
 * Decide for one recipient as the MTA gives it ("<user@hot.de>").
 * @param out the result; clear it with bmx_result_clear()
 */
void bmx_engine_decide(
    struct bmx_engine *e, const char *rcpt, struct bmx_result *out);

/**
 * Decide for a bogusmx-check target: an address (as above), a bare
 * domain, or a bare IP address (only classified).
 */
void bmx_engine_decide_target(
    struct bmx_engine *e, const char *target, struct bmx_result *out);

/**
 * Decide for a sender (MAIL FROM), the optional sender check: the same
 * rules, with "Sender address rejected" in the reply.  The null sender
 * <> is not checked.
 */
void bmx_engine_decide_sender(
    struct bmx_engine *e, const char *sender, struct bmx_result *out);

/** Free what a result holds. */
void bmx_result_clear(struct bmx_result *r);

/** The engine's cache (NULL when caching is off), for statistics. */
struct bmx_cache *bmx_engine_cache(struct bmx_engine *e);

/** The engine's nameservers and their counters. */
const struct bmx_query_servers *bmx_engine_servers(const struct bmx_engine *e);

#endif
