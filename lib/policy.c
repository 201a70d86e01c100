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

/* Replace control and 8-bit bytes: reply text goes on one SMTP line. */
void
bmx_reply_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
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
	int n = 0;

	d->outcome = o;
	if (o == BMX_OUTCOME_ACCEPT || o == BMX_OUTCOME_NOCHECK) {
		d->verdict = BMX_VERDICT_ACCEPT;
		d->code = 0;
		d->dsn[0] = '\0';
		d->text[0] = '\0';
		return;
	}
	d->verdict = code >= 500 ? BMX_VERDICT_REJECT : BMX_VERDICT_TEMPFAIL;
	d->code = code;
	snprintf(d->dsn, sizeof(d->dsn), "%s", dsn);
	if (rcpt != NULL)
		n = snprintf(d->text, sizeof(d->text),
		    "<%.300s>: Recipient address rejected: ", rcpt);
	if (n < 0 || (size_t)n >= sizeof(d->text))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(d->text + n, sizeof(d->text) - (size_t)n, fmt, ap);
	va_end(ap);
	bmx_reply_sanitize(d->text);
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

static void
judge_hosts(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, struct bmx_judgement *j)
{
	const struct bmx_ipclass *first_bogus = NULL, *first_self = NULL;
	const struct bmx_host *bogus_host = NULL, *self_host = NULL;
	const struct bmx_host *special = NULL;
	char who[BMX_DOMAIN_MAX + 16];
	size_t i, k, total = 0, c = 0;
	/* A limit hit leaves hosts or addresses unchecked: with nothing
	 * usable among those checked, the answer is not known. */
	bool temp = res->cname_limited || res->mx_limited || res->addr_limited;
	unsigned best_usable = 65536; /* preference of the best usable host */

	for (i = 0; i < res->nhosts; i++)
		total += res->hosts[i].kind == BMX_HOST_LITERAL ?
		    1 :
		    res->hosts[i].naddrs;
	j->classes = calloc(total ? total : 1, sizeof(*j->classes));
	if (j->classes == NULL) {
		set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.3.0", rcpt,
		    "out of memory");
		return;
	}
	for (i = 0; i < res->nhosts; i++) {
		const struct bmx_host *h = &res->hosts[i];

		if (h->kind == BMX_HOST_SPECIAL) {
			if (special == NULL)
				special = h;
			j->nbogus++;
			continue;
		}
		if (h->kind == BMX_HOST_NAME && h->naddrs == 0 &&
		    (failed(h->a) || failed(h->aaaa)))
			temp = true;
		for (k = 0; k < (h->kind == BMX_HOST_LITERAL ? 1 : h->naddrs);
		     k++) {
			const struct bmx_ip *ip = h->kind == BMX_HOST_LITERAL ?
			    &h->literal :
			    k < h->n4 ? &h->addrs[0][k] :
					&h->addrs[1][k - h->n4];
			struct bmx_ipclass *cls = &j->classes[c++];

			bmx_ipclass_classify(
			    p->tables, p->ntables, p->registry, ip, cls);
			if (cls->bogus) {
				j->nbogus++;
				if (first_bogus == NULL) {
					first_bogus = cls;
					bogus_host = h;
				}
			} else if (is_self(p, ip)) {
				if (first_self == NULL ||
				    h->preference < self_host->preference) {
					first_self = cls;
					self_host = h;
				}
			} else {
				j->nusable++;
				if (h->preference < best_usable)
					best_usable = h->preference;
			}
		}
	}
	j->nclasses = c;
	if (j->nbogus > 0 && (p->mode == BMX_MODE_ANY || j->nusable == 0)) {
		if (first_bogus == NULL ||
		    (special != NULL && special < bogus_host)) {
			j->host = special;
			snprintf(j->class_name, sizeof(j->class_name), "%s",
			    strcmp(special->special_rule, "localhost") == 0 ?
				"loopback" :
				"special-use");
			if (special->special_name == special->name)
				set(j, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
				    "MX host %s is a special-use name, never "
				    "a public mail exchanger (%s)",
				    special->name,
				    special_rfc(special->special_rule));
			else
				set(j, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
				    "MX host %s is an alias of %s, a "
				    "special-use name, never a public mail "
				    "exchanger (%s)",
				    special->name, special->special_name,
				    special_rfc(special->special_rule));
			return;
		}
		j->host = bogus_host;
		snprintf(who, sizeof(who), "MX host %s",
		    bogus_host->kind == BMX_HOST_LITERAL ? "" :
							   bogus_host->name);
		reject_address(p, rcpt, who, first_bogus, j);
		return;
	}
	/* As Postfix does: a host of this server is a loop only when no
	 * usable host is more preferred.  A backup MX (this server, behind
	 * a better public primary) is normal: the mail goes to the primary. */
	if (first_self != NULL && best_usable >= self_host->preference) {
		j->host = self_host;
		j->cls = *first_self;
		j->has_address = true;
		snprintf(j->class_name, sizeof(j->class_name), "self");
		address_text(first_self, who, sizeof(who));
		set(j, BMX_OUTCOME_SELF, 554, "5.4.6", rcpt,
		    "MX host %s%s is this server: mail for %s would loop back "
		    "to myself",
		    self_host->kind == BMX_HOST_LITERAL ? "" : self_host->name,
		    who, res->domain);
		return;
	}
	if (res->null_mx) {
		snprintf(j->class_name, sizeof(j->class_name), "null-mx");
		set(j, BMX_OUTCOME_NULLMX, 556, "5.1.10", rcpt,
		    "Domain %s does not accept mail (null MX, RFC 7505)",
		    res->domain);
		return;
	}
	if (j->nusable > 0) {
		snprintf(j->class_name, sizeof(j->class_name), "public");
		set(j, BMX_OUTCOME_ACCEPT, 0, "", rcpt, "%s", "");
		return;
	}
	if (temp || res->deadline_hit) {
		const struct bmx_host *h;

		snprintf(j->class_name, sizeof(j->class_name), "tempfail");
		h = host_failure(res, j->why, sizeof(j->why));
		if (h == NULL)
			snprintf(j->why, sizeof(j->why), "%s",
			    res->cname_limited	? "CNAME chain too long" :
				res->mx_limited ? "more MX hosts than max-mx, "
						  "the rest not checked" :
				res->addr_limited ?
						  "more addresses than "
						  "max-addresses, the rest not "
						  "checked" :
						  "lookup deadline passed");
		if (h != NULL && res->implicit_mx)
			set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
			    "Temporary DNS failure looking up the address of "
			    "%s; try again later",
			    res->domain);
		else if (h != NULL)
			set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
			    "Temporary DNS failure looking up MX host %s of "
			    "%s; try again later",
			    h->name, res->domain);
		else
			set(j, BMX_OUTCOME_TEMPFAIL, 451, "4.4.3", rcpt,
			    "Temporary DNS failure for %s (%s); try again "
			    "later",
			    res->domain, j->why);
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

void
bmx_policy_judge(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, struct bmx_judgement *out)
{
	const struct bmx_answer *mx = res->mx;

	memset(out, 0, sizeof(*out));
	if (res->special_rule != NULL) {
		snprintf(out->class_name, sizeof(out->class_name), "%s",
		    strcmp(res->special_rule, "localhost") == 0 ?
			"loopback" :
			"special-use");
		if (res->special_name == res->domain)
			set(out, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
			    "Domain %s is a special-use name that never "
			    "receives mail (%s)",
			    res->domain, special_rfc(res->special_rule));
		else
			set(out, BMX_OUTCOME_BOGUS, 554, "5.7.1", rcpt,
			    "Domain %s is an alias of %s, a special-use name "
			    "that never receives mail (%s)",
			    res->domain, res->special_name,
			    special_rfc(res->special_rule));
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
bmx_policy_syntax(const char *rcpt, const char *why, struct bmx_judgement *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->class_name, sizeof(out->class_name), "syntax");
	set(out, BMX_OUTCOME_SYNTAX, 501, "5.1.3", NULL,
	    "<%.300s>: Recipient address rejected: Bad recipient address "
	    "syntax: %.120s",
	    rcpt, why);
}

void
bmx_judgement_clear(struct bmx_judgement *j)
{
	free(j->classes);
	memset(j, 0, sizeof(*j));
}

const char *
bmx_verdict_name(enum bmx_verdict v)
{
	switch (v) {
	case BMX_VERDICT_REJECT:
		return "reject";
	case BMX_VERDICT_TEMPFAIL:
		return "tempfail";
	case BMX_VERDICT_ACCEPT:
		break;
	}
	return "accept";
}

const char *
bmx_outcome_name(enum bmx_outcome o)
{
	switch (o) {
	case BMX_OUTCOME_ACCEPT:
		return "accept";
	case BMX_OUTCOME_BOGUS:
		return "bogus";
	case BMX_OUTCOME_SELF:
		return "self";
	case BMX_OUTCOME_NULLMX:
		return "null-mx";
	case BMX_OUTCOME_TEMPFAIL:
		return "tempfail";
	case BMX_OUTCOME_UNDELIVERABLE:
		return "undeliverable";
	case BMX_OUTCOME_SYNTAX:
		return "syntax";
	case BMX_OUTCOME_NOCHECK:
		break;
	}
	return "no-check";
}

int
bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len)
{
	if (d->verdict == BMX_VERDICT_ACCEPT)
		return snprintf(buf, len, "%s", "");
	return snprintf(buf, len, "%u %s %s", d->code, d->dsn, d->text);
}

bool
bmx_reply_escape(const char *text, char *out, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return false;
	for (; *text != '\0'; text++) {
		size_t need = *text == '%' ? 2 : 1;

		if (o + need >= len) {
			out[o] = '\0';
			return false;
		}
		out[o++] = *text;
		if (*text == '%')
			out[o++] = '%';
	}
	out[o] = '\0';
	return true;
}
