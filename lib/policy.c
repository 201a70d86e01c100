/*
 * policy.c - verdicts and reply texts (HACKING, rule 5)
 *
 * Memory: bmx_policy_judge() allocates the classes array of the
 * judgement; bmx_judgement_clear() frees it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define BMX_XSTR(x) #x
#define BMX_STR(x) BMX_XSTR(x)

/* The RFC behind each special-use rule of resolve.c. */
static const char *
special_rfc(const char *rule)
{
	if (strcmp(rule, "local") == 0)
		return "RFC 6762";
	if (strcmp(rule, "home.arpa") == 0)
		return "RFC 8375";
	if (strcmp(rule, "onion") == 0)
		return "RFC 7686";
	if (strcmp(rule, "alt") == 0)
		return "RFC 9476";
	if (strcmp(rule, "internal") == 0)
		return "reserved for private use by ICANN";
	if (strcmp(rule, "example") == 0)
		return "RFC 2606";
	return "RFC 6761";
}

static void set(struct bmx_judgement *j, enum bmx_outcome o, unsigned code,
    const char *dsn, const char *rcpt, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
set(struct bmx_judgement *j, enum bmx_outcome o, unsigned code, const char *dsn,
    const char *rcpt, const char *fmt, ...)
{
	struct bmx_decision *d = &j->d;
	va_list ap;

	d->outcome = o;
	bmx_decision_address(d, BMX_ROLE_RECIPIENT, rcpt);
	if (o == BMX_OUTCOME_ACCEPT || o == BMX_OUTCOME_NOCHECK) {
		d->verdict = BMX_VERDICT_ACCEPT;
		d->code = 0;
		d->dsn[0] = '\0';
		d->detail[0] = '\0';
		return;
	}
	d->verdict = code >= 500 ? BMX_VERDICT_REJECT : BMX_VERDICT_TEMPFAIL;
	d->code = code;
	snprintf(d->dsn, sizeof(d->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
}

static bool
is_self(const struct bmx_policy *p, const struct bmx_ip *ip)
{
	size_t i;

	for (i = 0; i < p->nself; i++)
		if (bmx_ip_equal(&p->self[i], ip))
			return true;
	return false;
}

/* "127.0.0.1" or "64:ff9b::a00:1] (nat64 10.0.0.1" inside brackets. */
static void
address_text(const struct bmx_ipclass *c, char *buf, size_t len)
{
	char a[BMX_IP_STRLEN], in[BMX_IP_STRLEN];

	bmx_ip_format(&c->address, a, sizeof(a));
	if (c->embed == BMX_EMBED_NONE) {
		snprintf(buf, len, "[%s]", a);
		return;
	}
	bmx_ip_format(&c->embedded, in, sizeof(in));
	snprintf(buf, len, "[%s] (%s %s)", a, bmx_embed_name(c->embed), in);
}

/* The reply for a bogus address. */
static void
reject_address(const struct bmx_policy *p, const char *rcpt, const char *who,
    const struct bmx_ipclass *c, struct bmx_judgement *j)
{
	char where[2 * BMX_IP_STRLEN + 32];
	bool defer = c->access.action == BMX_ACCESS_DEFER;
	unsigned code = c->access.code ? c->access.code : defer ? 450 : 554;
	const char *dsn = c->access.dsn[0] ? c->access.dsn :
	    defer			   ? "4.7.1" :
					     "5.7.1";
	const char *text = c->access.text;

	address_text(c, where, sizeof(where));
	if (c->table != p->registry && text[0] != '\0')
		set(j, BMX_OUTCOME_BOGUS, code, dsn, rcpt, "%s", text);
	else if (text[0] != '\0')
		set(j, BMX_OUTCOME_BOGUS, code, dsn, rcpt, "%s%s is in %s", who,
		    where, text);
	else
		set(j, BMX_OUTCOME_BOGUS, code, dsn, rcpt,
		    "%s%s is in a refused network", who, where);
	snprintf(j->class_name, sizeof(j->class_name), "%s", c->class_name);
	j->cls = *c;
	j->has_address = true;
}

static bool
failed(const struct bmx_answer *a)
{
	return a == NULL || a->status == BMX_DNS_TEMPFAIL ||
	    a->status == BMX_DNS_MALFORMED;
}

/* The first host whose lookup failed temporarily, with why. */
static const struct bmx_host *
host_failure(const struct bmx_resolution *res, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];

		if (h->kind != BMX_HOST_NAME || h->naddrs > 0)
			continue;
		if (failed(h->a) || failed(h->aaaa)) {
			const struct bmx_answer *a =
			    failed(h->a) ? h->a : h->aaaa;

			snprintf(why, len, "MX host %.100s: %.140s", h->name,
			    a != NULL ? a->why : "out of memory");
			return h;
		}
	}
	return NULL;
}

/* The resolver may have hidden a bogus address, or made one up: neither
 * accept nor refuse for good. */
static void
defer_untrusted(
    const char *rcpt, const struct bmx_resolution *res, struct bmx_judgement *j)
{
	snprintf(j->class_name, sizeof(j->class_name), "tempfail");
	snprintf(j->why, sizeof(j->why), "resolver guard: %.100s: %s",
	    res->untrusted_name, res->untrusted_why);
	set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
	    "Cannot check %s: the DNS resolver's answer for %s cannot be "
	    "trusted (it filters or rewrites answers); try again later",
	    res->domain, res->untrusted_name);
}

/* What classify() found that the pick needs. */
struct found {
	const struct bmx_host *special; /* first special-use host */
	const struct bmx_host *bogus_host, *self_host;
	const struct bmx_ipclass *bogus, *self; /* the deciding ones */
	unsigned best_usable; /* preference of the best usable host */
	unsigned best_temp;   /* of the best host that failed temporarily */
	bool temp;	      /* something was left unknown */
};

#define NO_PREF 65536u

/* a before b: by family, then bytes (the same pick in any order) */
static bool
ip_before(const struct bmx_ip *a, const struct bmx_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family;
	return memcmp(a->bytes, b->bytes, 16) < 0;
}

/* The k-th address of a host. */
static const struct bmx_ip *
host_ip(const struct bmx_host *h, size_t k)
{
	if (h->kind == BMX_HOST_LITERAL)
		return &h->literal;
	return k < h->n4 ? &h->addrs[0][k] : &h->addrs[1][k - h->n4];
}

/* Keep c of h as *best (of *best_host) if it comes first: hosts are
 * sorted (preference, name), so the first host wins, and within a host
 * the lowest address. */
static void
keep_first(const struct bmx_host *h, const struct bmx_ipclass *c,
    const struct bmx_host **best_host, const struct bmx_ipclass **best)
{
	if (*best == NULL ||
	    (*best_host == h && ip_before(&c->address, &(*best)->address))) {
		*best = c;
		*best_host = h;
	} else if (h->preference < (*best_host)->preference) {
		*best = c;
		*best_host = h;
	}
}

/*
 * Is one family's RRset of a host that was looked up nothing but the
 * unspecified address (0.0.0.0 for A, :: for AAAA)?  That is what
 * resolvers that block a name answer (Pi-hole, AdGuard, dnsmasq
 * --address=/name/0.0.0.0, which may block one family and pass the
 * other on), so what the name really has is not known.
 */
static bool
blocked_family(const struct bmx_host *h, bool v6)
{
	size_t k, n = v6 ? h->n6 : h->n4;

	if (h->kind != BMX_HOST_NAME || n == 0)
		return false;
	for (k = 0; k < n; k++)
		if (!bmx_ip_unspecified(&h->addrs[v6][k]))
			return false;
	return true;
}

/* A host with an RRset that a blocking resolver would answer: not
 * judged, so neither accept nor refuse on it: 451, saying why. */
static void
defer_unspecified(
    const char *rcpt, const struct bmx_resolution *res, struct bmx_judgement *j)
{
	const struct bmx_host *h = j->unspecified;
	bool v4 = blocked_family(h, false), v6 = blocked_family(h, true);
	const char *what = v4 && v6 ? "0.0.0.0 and ::" : v4 ? "0.0.0.0" : "::";

	j->host = h;
	snprintf(j->class_name, sizeof(j->class_name), "tempfail");
	snprintf(j->why, sizeof(j->why),
	    "resolver guard: %.150s: %s alone in its answer, as from a "
	    "resolver that blocks the name",
	    h->name, what);
	set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
	    "Cannot check %s: the DNS resolver answers %s for %s%s, so it "
	    "may be blocking the name; try again later",
	    res->domain, what, res->implicit_mx ? "" : "MX host ", h->name);
}

/* Classify every address of every host into j->classes.
 * @return false when out of memory */
static bool
classify(const struct bmx_policy *p, const struct bmx_resolution *res,
    struct bmx_judgement *j, struct found *f)
{
	size_t i, k, total = 0, c = 0;
	bool blocked[2];

	memset(f, 0, sizeof(*f));
	f->best_usable = f->best_temp = NO_PREF;
	/* A limit hit leaves hosts or addresses unchecked: with nothing
	 * usable among those checked, the answer is not known. */
	f->temp = res->cname_limited || res->mx_limited || res->addr_limited ||
	    res->addr_cut_host != NULL;
	for (i = 0; i < res->nhosts; i++)
		total += res->hosts[i].kind == BMX_HOST_LITERAL ?
		    1 :
		    res->hosts[i].naddrs;
	j->classes = calloc(total ? total : 1, sizeof(*j->classes));
	if (j->classes == NULL)
		return false;
	for (i = 0; i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];
		size_t naddrs = h->kind == BMX_HOST_LITERAL ? 1 : h->naddrs;

		if (h->kind == BMX_HOST_SPECIAL) {
			if (f->special == NULL)
				f->special = h;
			j->nbogus++;
			continue;
		}
		if (h->kind == BMX_HOST_NAME && h->naddrs == 0 &&
		    (failed(h->a) || failed(h->aaaa))) {
			f->temp = true;
			if (h->preference < f->best_temp)
				f->best_temp = h->preference;
		}
		/* what a blocking resolver answers: classified (classes[]
		 * follows every host's addresses), never judged */
		blocked[0] = !p->unspecified_reject && blocked_family(h, false);
		blocked[1] = !p->unspecified_reject && blocked_family(h, true);
		if ((blocked[0] || blocked[1]) && j->unspecified == NULL)
			j->unspecified = h;
		for (k = 0; k < naddrs; k++) {
			const struct bmx_ip *ip = host_ip(h, k);
			struct bmx_ipclass *cls = &j->classes[c++];

			bmx_ipclass_classify(
			    p->tables, p->ntables, p->registry, ip, cls);
			if (blocked[k >= h->n4]) {
				continue;
			} else if (cls->bogus) {
				j->nbogus++;
				keep_first(h, cls, &f->bogus_host, &f->bogus);
			} else if (is_self(p, ip)) {
				keep_first(h, cls, &f->self_host, &f->self);
			} else {
				j->nusable++;
				if (h->preference < f->best_usable)
					f->best_usable = h->preference;
			}
		}
	}
	j->nclasses = c;
	return true;
}

/* The host's name for a reply: none for a literal, which the address
 * that follows shows already, unless inet_aton read it ("127.1"). */
static const char *
host_label(const struct bmx_host *h)
{
	struct bmx_ip ip;

	if (h->kind != BMX_HOST_LITERAL)
		return h->name;
	if (h->name[0] == '[' || bmx_ip_parse(h->name, &ip))
		return "";
	return h->name;
}

/*
 * The refusal for a special-use name: what ("MX host", "Domain") name
 * is, or is an alias of special (under rule), and never what it should
 * be (", never a public mail exchanger").
 */
static void
reject_special(struct bmx_judgement *j, const char *rcpt, const char *what,
    const char *name, const char *special, const char *rule, const char *never)
{
	snprintf(j->class_name, sizeof(j->class_name), "%s",
	    strcmp(rule, "localhost") == 0 ? "loopback" : "special-use");
	if (special == name)
		set(j, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
		    "%s %s is a special-use name%s (%s)", what, name, never,
		    special_rfc(rule));
	else
		set(j, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
		    "%s %s is an alias of %s, a special-use name%s (%s)", what,
		    name, special, never, special_rfc(rule));
}

/*
 * A host of this server, as Postfix's smtp client sees it: hosts as
 * preferred as this one or less are dropped; a loop when nothing more
 * preferred is left.  A more preferred host that failed temporarily may
 * come back: then the answer is a deferral (Postfix: 4.4.4 "unable to
 * find primary relay"), never a 5xx.  One that does not exist, or has
 * no address, never will: the mail would loop.
 * @return true when the self rule decided
 */
static bool
pick_self(const char *rcpt, const struct bmx_resolution *res,
    const struct found *f, struct bmx_judgement *j)
{
	const struct bmx_host *h = f->self_host;
	char where[2 * BMX_IP_STRLEN + 32];

	if (f->self == NULL || f->best_usable < h->preference)
		return false;
	j->host = h;
	j->cls = *f->self;
	j->has_address = true;
	address_text(f->self, where, sizeof(where));
	if (f->best_temp < h->preference) {
		snprintf(j->class_name, sizeof(j->class_name), "tempfail");
		host_failure(res, j->why, sizeof(j->why));
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "MX host %s%s is this server and a more preferred MX host "
		    "of %s failed: unable to find the primary relay; try "
		    "again later",
		    host_label(h), where, res->domain);
		return true;
	}
	snprintf(j->class_name, sizeof(j->class_name), "self");
	set(j, BMX_OUTCOME_SELF, 554, "5.4.6", rcpt,
	    "MX host %s%s is this server: mail for %s would loop back to "
	    "myself",
	    host_label(h), where, res->domain);
	return true;
}

#define ADDR_MAX_TEXT BMX_STR(BMX_DNS_ADDR_MAX)

/* A host's addresses were too many to judge whole: 451, saying so. */
static void
defer_addr_cut(
    const char *rcpt, const struct bmx_resolution *res, struct bmx_judgement *j)
{
	snprintf(j->why, sizeof(j->why),
	    "%.180s has more than " ADDR_MAX_TEXT
	    " A or AAAA records, none of them checked",
	    res->addr_cut_host);
	if (res->implicit_mx)
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Cannot check %s: it has more than " ADDR_MAX_TEXT
		    " addresses, too many to judge; try again later",
		    res->domain);
	else
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Cannot check %s: MX host %s has more than " ADDR_MAX_TEXT
		    " addresses, too many to judge; try again later",
		    res->domain, res->addr_cut_host);
}

/* Nothing usable and something unknown: 451. */
static void
pick_temp(
    const char *rcpt, const struct bmx_resolution *res, struct bmx_judgement *j)
{
	const struct bmx_host *h;

	snprintf(j->class_name, sizeof(j->class_name), "tempfail");
	h = host_failure(res, j->why, sizeof(j->why));
	if (h == NULL && res->addr_cut_host != NULL) {
		defer_addr_cut(rcpt, res, j);
		return;
	}
	if (h == NULL)
		snprintf(j->why, sizeof(j->why), "%s",
		    res->mx_group_cut ?
			"more MX hosts of one preference than max-mx and "
			"the hard cap of " BMX_STR(
			    BMX_MX_GROUP_MAX) ", none of them checked" :
			res->cname_limited ? "CNAME chain too long" :
			res->mx_limited	   ? "more MX hosts than max-mx, the "
					     "rest not checked" :
			res->addr_limited ?
					  "max-addresses reached, the MX hosts "
					  "after it not checked" :
					  "lookup deadline passed");
	if (h != NULL && res->implicit_mx)
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Temporary DNS failure looking up the address of %s; try "
		    "again later",
		    res->domain);
	else if (h != NULL)
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Temporary DNS failure looking up MX host %s of %s; try "
		    "again later",
		    h->name, res->domain);
	else
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Temporary DNS failure for %s (%s); try again later",
		    res->domain, j->why);
}

/* Rule 5 in its order, on what classify() found. */
static void
pick(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, const struct found *f,
    struct bmx_judgement *j)
{
	char who[BMX_DOMAIN_MAX + 16];

	if (j->nbogus > 0 && (p->mode == BMX_MODE_ANY || j->nusable == 0)) {
		if (f->bogus == NULL ||
		    (f->special != NULL && f->special < f->bogus_host)) {
			j->host = f->special;
			reject_special(j, rcpt, "MX host", f->special->name,
			    f->special->special_name, f->special->special_rule,
			    ", never a public mail exchanger");
			return;
		}
		j->host = f->bogus_host;
		snprintf(
		    who, sizeof(who), "MX host %s", host_label(f->bogus_host));
		reject_address(p, rcpt, who, f->bogus, j);
		return;
	}
	if (pick_self(rcpt, res, f, j))
		return;
	if (res->null_mx) {
		snprintf(j->class_name, sizeof(j->class_name), "null-mx");
		set(j, BMX_OUTCOME_NULLMX, 556, "5.1.10", rcpt,
		    "Domain %s does not accept mail (null MX, RFC 7505)",
		    res->domain);
		return;
	}
	if (res->untrusted_name != NULL) {
		defer_untrusted(rcpt, res, j);
		return;
	}
	if (j->unspecified != NULL) {
		defer_unspecified(rcpt, res, j);
		return;
	}
	/* a group of hosts, or a host's addresses, left out whole: what
	 * they hold is not known */
	if (j->nusable > 0 && !res->mx_group_cut &&
	    res->addr_cut_host == NULL) {
		snprintf(j->class_name, sizeof(j->class_name), "public");
		set(j, BMX_OUTCOME_ACCEPT, 0, "", rcpt, "%s", "");
		return;
	}
	if (f->temp || res->deadline_hit) {
		pick_temp(rcpt, res, j);
		return;
	}
	snprintf(j->class_name, sizeof(j->class_name), "undeliverable");
	if (res->implicit_mx)
		set(j, BMX_OUTCOME_UNDELIVERABLE, 550, "5.1.2", rcpt,
		    "Domain %s has no MX and no address records", res->domain);
	else
		set(j, BMX_OUTCOME_UNDELIVERABLE, 550, "5.1.2", rcpt,
		    "No MX host of %s has an address", res->domain);
}

/* Classify every address, then pick the outcome in rule order. */
static void
judge_hosts(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, struct bmx_judgement *j)
{
	struct found f;

	if (!classify(p, res, j, &f)) {
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.3.0", rcpt,
		    "out of memory");
		return;
	}
	pick(p, rcpt, res, &f, j);
}

void
bmx_policy_judge(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, struct bmx_judgement *out)
{
	const struct bmx_answer *mx = res->mx;

	memset(out, 0, sizeof(*out));
	snprintf(out->d.domain, sizeof(out->d.domain), "%s", res->domain);
	if (res->special_rule != NULL) {
		reject_special(out, rcpt, "Domain", res->domain,
		    res->special_name, res->special_rule,
		    " that never receives mail");
		return;
	}
	if (mx == NULL || mx->status == BMX_DNS_TEMPFAIL ||
	    mx->status == BMX_DNS_MALFORMED) {
		snprintf(out->class_name, sizeof(out->class_name), "tempfail");
		snprintf(out->why, sizeof(out->why), "MX lookup: %s",
		    mx != NULL ? mx->why : "out of memory");
		set(out, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
		    "Temporary DNS failure for %s; try again later",
		    res->domain);
		return;
	}
	if (mx->status == BMX_DNS_NXDOMAIN) {
		snprintf(
		    out->class_name, sizeof(out->class_name), "undeliverable");
		if (mx->ncnames > 0)
			set(out, BMX_OUTCOME_UNDELIVERABLE, 550, "5.1.2", rcpt,
			    "Domain %s is an alias of %s, which does not "
			    "exist",
			    res->domain, mx->target);
		else
			set(out, BMX_OUTCOME_UNDELIVERABLE, 550, "5.1.2", rcpt,
			    "Domain %s does not exist", res->domain);
		return;
	}
	if (mx->status == BMX_DNS_CNAME_LOOP) {
		snprintf(
		    out->class_name, sizeof(out->class_name), "undeliverable");
		set(out, BMX_OUTCOME_UNDELIVERABLE, 550, "5.1.2", rcpt,
		    "Domain %s cannot be resolved: %s", res->domain, mx->why);
		return;
	}
	judge_hosts(p, rcpt, res, out);
}

void
bmx_policy_judge_address(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_ip *ip, struct bmx_judgement *out)
{
	memset(out, 0, sizeof(*out));
	out->classes = calloc(1, sizeof(*out->classes));
	if (out->classes == NULL) {
		set(out, BMX_OUTCOME_TEMPFAIL, 451, "4.3.0", rcpt,
		    "out of memory");
		return;
	}
	out->nclasses = 1;
	bmx_ipclass_classify(
	    p->tables, p->ntables, p->registry, ip, &out->classes[0]);
	out->cls = out->classes[0];
	out->has_address = true;
	if (out->cls.bogus) {
		reject_address(p, rcpt,
		    rcpt != NULL ? "Address literal " : "Address ",
		    &out->classes[0], out);
		return;
	}
	if (is_self(p, ip)) {
		snprintf(out->class_name, sizeof(out->class_name), "self");
		set(out, BMX_OUTCOME_SELF, 554, "5.4.6", rcpt,
		    "Address literal is this server: mail would loop back to "
		    "myself");
		return;
	}
	snprintf(out->class_name, sizeof(out->class_name), "%s",
	    out->cls.class_name);
	out->nusable = 1;
	set(out, BMX_OUTCOME_ACCEPT, 0, "", rcpt, "%s", "");
}

void
bmx_policy_syntax(enum bmx_role role, const char *rcpt, const char *why,
    struct bmx_judgement *out)
{
	bool sender = role == BMX_ROLE_SENDER;

	memset(out, 0, sizeof(*out));
	snprintf(out->class_name, sizeof(out->class_name), "syntax");
	set(out, BMX_OUTCOME_SYNTAX, 501, sender ? "5.1.7" : "5.1.3", rcpt,
	    "Bad %s address syntax: %.120s", sender ? "sender" : "recipient",
	    why);
	out->d.role = role;
}

void
bmx_judgement_clear(struct bmx_judgement *j)
{
	free(j->classes);
	memset(j, 0, sizeof(*j));
}
