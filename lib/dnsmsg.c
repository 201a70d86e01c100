/*
 * dnsmsg.c - build DNS queries, check and digest replies (ldns)
 *
 * The header and the question of a reply are checked on the raw bytes
 * before anything else, so a packet that does not answer our query is
 * dropped whatever else is in it.  The rest is parsed with ldns and
 * reduced to a struct bmx_answer, built in one allocation.
 */
#include <ldns/ldns.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

/* Text of a name with every byte escaped, plus NUL. */
#define NAME_TEXT_MAX (255 * 4 + 1)

size_t
bmx_dnsmsg_query(uint8_t *buf, const char *name, uint16_t qtype, uint16_t id,
    uint16_t edns_size)
{
	ldns_rdf *dn;
	ldns_pkt *q;
	uint8_t *wire = NULL;
	size_t len = 0;

	dn = ldns_dname_new_frm_str(name);
	if (dn == NULL)
		return 0;
	q = ldns_pkt_query_new(
	    dn, (ldns_rr_type)qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	if (q == NULL) {
		ldns_rdf_deep_free(dn);
		return 0;
	}
	ldns_pkt_set_id(q, id);
	if (edns_size > 0)
		ldns_pkt_set_edns_udp_size(q, edns_size);
	if (ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK ||
	    len > BMX_DNS_QUERY_MAX)
		len = 0;
	else
		memcpy(buf, wire, len);
	free(wire);
	ldns_pkt_free(q);
	return len;
}

/* Append one label's bytes as text: lower case, odd bytes as \DDD. */
static size_t
label_text(const uint8_t *p, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c >= 'A' && c <= 'Z')
			out[o++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '[' || c == ']' || c == ':')
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "\\%03u", c);
	}
	return o;
}

/* A dname rdf as text: lower case, no trailing dot, "" for the root. */
static void
dname_text(const ldns_rdf *rdf, char *out)
{
	const uint8_t *d = ldns_rdf_data(rdf);
	size_t size = ldns_rdf_size(rdf), pos = 0, o = 0;

	while (pos < size && d[pos] != 0 && pos + 1 + d[pos] <= size) {
		if (o > 0)
			out[o++] = '.';
		o += label_text(d + pos + 1, d[pos], out + o);
		pos += 1 + (size_t)d[pos];
	}
	out[o] = '\0';
}

/*
 * Check the question of a reply on the raw bytes: exactly one question,
 * our name (any case), our type, class IN.
 */
static bool
question_matches(
    const uint8_t *w, size_t len, const char *qname, uint16_t qtype)
{
	char text[NAME_TEXT_MAX];
	size_t pos = 12, o = 0;

	if (w[4] != 0 || w[5] != 1)
		return false;
	while (pos < len && w[pos] != 0) {
		if ((w[pos] & 0xc0) != 0 || pos + 1 + w[pos] > len ||
		    o + 1 + 4 * (size_t)w[pos] >= sizeof(text))
			return false;
		if (o > 0)
			text[o++] = '.';
		o += label_text(w + pos + 1, w[pos], text + o);
		pos += 1 + (size_t)w[pos];
	}
	text[o] = '\0';
	if (pos + 5 > len)
		return false;
	pos++;
	if ((uint16_t)(w[pos] << 8 | w[pos + 1]) != qtype || w[pos + 2] != 0 ||
	    w[pos + 3] != LDNS_RR_CLASS_IN)
		return false;
	return strcmp(text, qname) == 0;
}

/* Strings and records gathered before the answer is allocated. */
struct builder {
	enum bmx_dns_status status;
	uint16_t qtype;
	char qname[NAME_TEXT_MAX];
	char cnames[BMX_DNS_CNAME_MAX][NAME_TEXT_MAX];
	unsigned ncnames;
	bool chase, nosoa;
	uint32_t ttl;
	size_t n, dropped;
	uint16_t pref[BMX_DNS_RR_MAX];
	char *hosts[BMX_DNS_RR_MAX]; /* malloc'ed while building */
	struct bmx_ip addrs[BMX_DNS_ADDR_MAX];
	char why[256];
};

static struct bmx_answer *
build(const struct builder *b)
{
	struct bmx_answer *a;
	size_t size = sizeof(*a), i;
	char *s;

	size += b->n *
	    (b->qtype == BMX_DNS_TYPE_MX ? sizeof(struct bmx_mx_rr) :
					   sizeof(struct bmx_ip));
	size += strlen(b->qname) + 1 + strlen(b->why) + 1;
	for (i = 0; i < b->ncnames; i++)
		size += strlen(b->cnames[i]) + 1;
	if (b->qtype == BMX_DNS_TYPE_MX)
		for (i = 0; i < b->n; i++)
			size += strlen(b->hosts[i]) + 1;
	a = calloc(1, size);
	if (a == NULL)
		return NULL;
	a->status = b->status;
	a->qtype = b->qtype;
	a->ncnames = b->ncnames;
	a->chase = b->chase;
	a->nosoa = b->nosoa;
	a->ttl = b->ttl;
	a->n = b->n;
	a->dropped = b->dropped;
	a->refs = 1;
	s = (char *)(a + 1);
	if (b->qtype == BMX_DNS_TYPE_MX) {
		struct bmx_mx_rr *mx = (struct bmx_mx_rr *)s;

		s += b->n * sizeof(*mx);
		for (i = 0; i < b->n; i++) {
			mx[i].preference = b->pref[i];
			mx[i].host = strcpy(s, b->hosts[i]);
			s += strlen(s) + 1;
		}
		a->mx = mx;
	} else {
		struct bmx_ip *ip = (struct bmx_ip *)s;

		memcpy(ip, b->addrs, b->n * sizeof(*ip));
		s += b->n * sizeof(*ip);
		a->addrs = ip;
	}
	a->qname = strcpy(s, b->qname);
	s += strlen(s) + 1;
	a->why = strcpy(s, b->why);
	s += strlen(s) + 1;
	for (i = 0; i < b->ncnames; i++) {
		a->cnames[i] = strcpy(s, b->cnames[i]);
		s += strlen(s) + 1;
	}
	a->target = b->ncnames > 0 ? a->cnames[b->ncnames - 1] : a->qname;
	return a;
}

static const char *
rcode_name(unsigned rcode)
{
	switch (rcode) {
	case LDNS_RCODE_FORMERR:
		return "FORMERR";
	case LDNS_RCODE_SERVFAIL:
		return "SERVFAIL";
	case LDNS_RCODE_NOTIMPL:
		return "NOTIMP";
	case LDNS_RCODE_REFUSED:
		return "REFUSED";
	default:
		return NULL;
	}
}

/* Negative TTL from the SOA in the authority section (RFC 2308 §5). */
static uint32_t
negative_ttl(const ldns_pkt *p)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(auth, i);
		const ldns_rdf *min;
		uint32_t ttl;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
		    ldns_rr_rd_count(rr) < 7)
			continue;
		min = ldns_rr_rdf(rr, 6);
		ttl = ldns_rr_ttl(rr);
		if (ldns_rdf_size(min) == 4 && ldns_rdf2native_int32(min) < ttl)
			ttl = ldns_rdf2native_int32(min);
		return ttl;
	}
	return 0;
}

static bool
has_soa(const ldns_pkt *p)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(auth, i)) ==
		    LDNS_RR_TYPE_SOA)
			return true;
	return false;
}

static void
keep_min_ttl(struct builder *b, uint32_t ttl)
{
	if (ttl < b->ttl)
		b->ttl = ttl;
}

/* Forget the records gathered so far: the answer will have none. */
static void
no_records(struct builder *b)
{
	size_t i;

	if (b->qtype == BMX_DNS_TYPE_MX)
		for (i = 0; i < b->n; i++) {
			free(b->hosts[i]);
			b->hosts[i] = NULL;
		}
	b->n = 0;
	b->dropped = 0;
}

/*
 * A chain longer than we keep is cut after BMX_DNS_CNAME_MAX steps: the
 * answer then stops at the last target kept, which must be asked for on
 * its own, like a chain that a server did not follow.
 */
static void
cut_chain(struct builder *b)
{
	b->status = BMX_DNS_NODATA;
	b->chase = true;
	b->nosoa = false;
	no_records(b);
	b->ttl = 0;
	snprintf(b->why, sizeof(b->why), "CNAME chain longer than %d steps",
	    BMX_DNS_CNAME_MAX);
}

/* Follow the CNAME chain from the question name within the answer. */
static void
follow_cnames(struct builder *b, const ldns_rr_list *ans)
{
	char owner[NAME_TEXT_MAX], next[NAME_TEXT_MAX];
	const char *cur = b->qname;
	size_t i;
	unsigned k;
	bool found = true;

	while (found && b->status != BMX_DNS_MALFORMED) {
		found = false;
		for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(ans, i);

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
			    ldns_rr_rd_count(rr) != 1)
				continue;
			dname_text(ldns_rr_owner(rr), owner);
			if (strcmp(owner, cur) != 0)
				continue;
			dname_text(ldns_rr_rdf(rr, 0), next);
			if (strcmp(next, b->qname) == 0)
				b->status = BMX_DNS_CNAME_LOOP;
			for (k = 0; k < b->ncnames; k++)
				if (strcmp(next, b->cnames[k]) == 0)
					b->status = BMX_DNS_CNAME_LOOP;
			if (b->status == BMX_DNS_CNAME_LOOP) {
				snprintf(b->why, sizeof(b->why),
				    "CNAME loop at %.200s", next);
				return;
			}
			if (b->ncnames == BMX_DNS_CNAME_MAX) {
				cut_chain(b);
				return;
			}
			strcpy(b->cnames[b->ncnames], next);
			cur = b->cnames[b->ncnames++];
			keep_min_ttl(b, ldns_rr_ttl(rr));
			found = true;
			break;
		}
	}
}

/* Sort MX records by preference, keep the best BMX_DNS_RR_MAX. */
static void
add_mx(struct builder *b, uint16_t pref, const char *host)
{
	size_t i, j;
	char *h;

	/* a name that only escapes make longer than a domain can be
	 * (bytes no host name has): not kept, counted as left out */
	if (strlen(host) > BMX_DOMAIN_MAX ||
	    (b->n == BMX_DNS_RR_MAX && pref >= b->pref[BMX_DNS_RR_MAX - 1])) {
		b->dropped++;
		return;
	}
	h = strdup(host);
	if (h == NULL) {
		b->status = BMX_DNS_TEMPFAIL;
		snprintf(b->why, sizeof(b->why), "out of memory");
		return;
	}
	if (b->n == BMX_DNS_RR_MAX) {
		free(b->hosts[--b->n]);
		b->dropped++;
	}
	for (i = 0; i < b->n && b->pref[i] <= pref; i++)
		;
	for (j = b->n; j > i; j--) {
		b->pref[j] = b->pref[j - 1];
		b->hosts[j] = b->hosts[j - 1];
	}
	b->pref[i] = pref;
	b->hosts[i] = h;
	b->n++;
}

static void
collect(struct builder *b, const ldns_rr_list *ans)
{
	const char *target = b->ncnames ? b->cnames[b->ncnames - 1] : b->qname;
	char owner[NAME_TEXT_MAX], host[NAME_TEXT_MAX];
	struct bmx_ip ip;
	size_t i, k;

	for (i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		const ldns_rdf *rd;

		if (ldns_rr_get_type(rr) != (ldns_rr_type)b->qtype ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			continue;
		dname_text(ldns_rr_owner(rr), owner);
		if (strcmp(owner, target) != 0)
			continue;
		if (b->qtype == BMX_DNS_TYPE_MX) {
			if (ldns_rr_rd_count(rr) != 2 ||
			    ldns_rdf_size(ldns_rr_rdf(rr, 0)) != 2 ||
			    ldns_rdf_get_type(ldns_rr_rdf(rr, 1)) !=
				LDNS_RDF_TYPE_DNAME)
				goto malformed;
			dname_text(ldns_rr_rdf(rr, 1), host);
			add_mx(
			    b, ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), host);
		} else {
			size_t want = b->qtype == BMX_DNS_TYPE_A ? 4 : 16;

			if (ldns_rr_rd_count(rr) != 1)
				goto malformed;
			rd = ldns_rr_rdf(rr, 0);
			if (ldns_rdf_size(rd) != want)
				goto malformed;
			memset(&ip, 0, sizeof(ip));
			ip.family = want == 4 ? BMX_IP_V4 : BMX_IP_V6;
			memcpy(ip.bytes, ldns_rdf_data(rd), want);
			for (k = 0; k < b->n; k++)
				if (bmx_ip_equal(&b->addrs[k], &ip))
					break;
			if (k == b->n && b->n < BMX_DNS_ADDR_MAX)
				b->addrs[b->n++] = ip;
			else if (k == b->n)
				b->dropped++;
		}
		keep_min_ttl(b, ldns_rr_ttl(rr));
	}
	return;
malformed:
	b->status = BMX_DNS_MALFORMED;
	snprintf(b->why, sizeof(b->why), "bad %s record for %.200s",
	    b->qtype == BMX_DNS_TYPE_MX	   ? "MX" :
		b->qtype == BMX_DNS_TYPE_A ? "A" :
					     "AAAA",
	    target);
}

enum bmx_dnsmsg_result
bmx_dnsmsg_parse(const uint8_t *wire, size_t len, uint16_t id,
    const char *qname, uint16_t qtype, const char *server,
    struct bmx_answer **out)
{
	struct builder *b;
	ldns_pkt *p = NULL;
	ldns_status st;
	const char *rc;
	unsigned rcode;
	size_t i;

	*out = NULL;
	if (len < 12 || (uint16_t)(wire[0] << 8 | wire[1]) != id ||
	    (wire[2] & 0x80) == 0 || ((wire[2] >> 3) & 0x0f) != 0 ||
	    !question_matches(wire, len, qname, qtype))
		return BMX_DNSMSG_MISMATCH;
	if (wire[2] & 0x02)
		return BMX_DNSMSG_TRUNCATED;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return BMX_DNSMSG_ANSWER;
	b->qtype = qtype;
	b->ttl = UINT32_MAX;
	snprintf(b->qname, sizeof(b->qname), "%s", qname);
	rcode = wire[3] & 0x0f;
	st = ldns_wire2pkt(&p, wire, len);
	if (st != LDNS_STATUS_OK) {
		b->status = BMX_DNS_MALFORMED;
		snprintf(b->why, sizeof(b->why), "malformed answer from %s: %s",
		    server, ldns_get_errorstr_by_id(st));
	} else if (rcode == LDNS_RCODE_NOERROR ||
	    rcode == LDNS_RCODE_NXDOMAIN) {
		follow_cnames(b, ldns_pkt_answer(p));
		if (b->status == BMX_DNS_OK)
			collect(b, ldns_pkt_answer(p));
		if (b->status != BMX_DNS_OK) {
			/* loop, malformed or cut: already explained */
		} else if (rcode == LDNS_RCODE_NXDOMAIN) {
			b->status = BMX_DNS_NXDOMAIN;
			no_records(b);
			b->ttl = negative_ttl(p);
			b->nosoa = !has_soa(p);
		} else if (b->n == 0 && b->dropped == 0) {
			/* records left out are records: not NODATA */
			b->status = BMX_DNS_NODATA;
			b->chase = b->ncnames > 0 && !has_soa(p);
			b->ttl = b->chase ? 0 : negative_ttl(p);
			b->nosoa = !b->chase && !has_soa(p);
		}
	} else {
		rc = rcode_name(rcode);
		b->status = BMX_DNS_TEMPFAIL;
		if (rc != NULL)
			snprintf(
			    b->why, sizeof(b->why), "%s from %s", rc, server);
		else
			snprintf(b->why, sizeof(b->why), "rcode %u from %s",
			    rcode, server);
	}
	if (b->status == BMX_DNS_TEMPFAIL || b->status == BMX_DNS_MALFORMED) {
		no_records(b);
		b->ttl = 0;
	}
	if (b->ttl == UINT32_MAX)
		b->ttl = 0;
	*out = build(b);
	if (qtype == BMX_DNS_TYPE_MX)
		for (i = 0; i < b->n; i++)
			free(b->hosts[i]);
	ldns_pkt_free(p);
	free(b);
	return BMX_DNSMSG_ANSWER;
}

struct bmx_answer *
bmx_answer_error(const char *qname, uint16_t qtype, enum bmx_dns_status status,
    const char *why)
{
	struct builder *b;
	struct bmx_answer *a;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->status = status;
	b->qtype = qtype;
	snprintf(b->qname, sizeof(b->qname), "%s", qname);
	snprintf(b->why, sizeof(b->why), "%s", why);
	a = build(b);
	free(b);
	return a;
}

/* Does name appear as the question or a CNAME target of a? */
static bool
in_chain(const struct bmx_answer *a, const char *name)
{
	unsigned i;

	if (strcmp(a->qname, name) == 0)
		return true;
	for (i = 0; i < a->ncnames; i++)
		if (strcmp(a->cnames[i], name) == 0)
			return true;
	return false;
}

struct bmx_answer *
bmx_answer_keep(struct bmx_answer *a, size_t max)
{
	struct builder *b;
	struct bmx_answer *k;
	size_t i;

	if (a == NULL || a->n <= max)
		return a;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return a; /* all of it, then: still bounded */
	b->status = a->status;
	b->qtype = a->qtype;
	snprintf(b->qname, sizeof(b->qname), "%s", a->qname);
	for (i = 0; i < a->ncnames; i++)
		snprintf(
		    b->cnames[i], sizeof(b->cnames[i]), "%s", a->cnames[i]);
	b->ncnames = a->ncnames;
	b->chase = a->chase;
	b->ttl = a->ttl;
	b->n = max;
	b->dropped = a->dropped + (a->n - max);
	for (i = 0; i < max; i++)
		if (a->mx != NULL) {
			b->pref[i] = a->mx[i].preference;
			b->hosts[i] = (char *)a->mx[i].host; /* only read */
		} else {
			b->addrs[i] = a->addrs[i];
		}
	snprintf(b->why, sizeof(b->why), "%s", a->why);
	k = build(b);
	free(b);
	if (k == NULL)
		return a;
	bmx_answer_unref(a);
	return k;
}

struct bmx_answer *
bmx_answer_join(const struct bmx_answer *first, const struct bmx_answer *next)
{
	struct builder *b;
	struct bmx_answer *a = NULL;
	bool stopped = false;
	unsigned i;
	size_t k;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->qtype = first->qtype;
	b->status = next->status;
	b->chase = next->chase;
	b->nosoa = next->nosoa;
	b->ttl = first->ttl < next->ttl ? first->ttl : next->ttl;
	snprintf(b->qname, sizeof(b->qname), "%s", first->qname);
	snprintf(b->why, sizeof(b->why), "%s", next->why);
	for (i = 0; i < first->ncnames; i++)
		snprintf(b->cnames[b->ncnames++], sizeof(b->cnames[0]), "%s",
		    first->cnames[i]);
	for (i = 0; i < next->ncnames && !stopped; i++) {
		stopped = true;
		if (in_chain(first, next->cnames[i])) {
			b->status = BMX_DNS_CNAME_LOOP;
			b->chase = false;
			b->nosoa = false;
			b->ttl = 0;
			snprintf(b->why, sizeof(b->why), "CNAME loop at %.200s",
			    next->cnames[i]);
		} else if (b->ncnames == BMX_DNS_CNAME_MAX) {
			cut_chain(b);
		} else {
			snprintf(b->cnames[b->ncnames++], sizeof(b->cnames[0]),
			    "%s", next->cnames[i]);
			stopped = false;
		}
	}
	if (!stopped)
		b->dropped = next->dropped;
	for (k = 0; k < next->n && !stopped; k++) {
		b->n = k + 1;
		if (next->mx == NULL) {
			b->addrs[k] = next->addrs[k];
			continue;
		}
		b->pref[k] = next->mx[k].preference;
		b->hosts[k] = strdup(next->mx[k].host);
		if (b->hosts[k] == NULL)
			goto out;
	}
	a = build(b);
out:
	if (next->mx != NULL)
		for (k = 0; k < b->n; k++)
			free(b->hosts[k]);
	free(b);
	return a;
}

struct bmx_answer *
bmx_answer_ref(struct bmx_answer *a)
{
	atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
	return a;
}

void
bmx_answer_unref(struct bmx_answer *a)
{
	if (a == NULL)
		return;
	if (atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) == 1)
		free(a);
}

size_t
bmx_answer_size(const struct bmx_answer *a)
{
	size_t size = sizeof(*a) + strlen(a->qname) + strlen(a->why) + 2, i;

	for (i = 0; i < a->ncnames; i++)
		size += strlen(a->cnames[i]) + 1;
	if (a->mx != NULL)
		for (i = 0; i < a->n; i++)
			size += sizeof(a->mx[i]) + strlen(a->mx[i].host) + 1;
	else
		size += a->n * sizeof(struct bmx_ip);
	return size;
}

const char *
bmx_dns_status_name(enum bmx_dns_status s)
{
	switch (s) {
	case BMX_DNS_OK:
		return "ok";
	case BMX_DNS_NODATA:
		return "nodata";
	case BMX_DNS_NXDOMAIN:
		return "nxdomain";
	case BMX_DNS_TEMPFAIL:
		return "tempfail";
	case BMX_DNS_MALFORMED:
		return "malformed";
	case BMX_DNS_CNAME_LOOP:
		return "cname loop";
	}
	return "unknown";
}

const char *
bmx_dns_type_name(uint16_t type, char *buf, size_t len)
{
	switch (type) {
	case BMX_DNS_TYPE_A:
		return "A";
	case BMX_DNS_TYPE_AAAA:
		return "AAAA";
	case BMX_DNS_TYPE_MX:
		return "MX";
	case BMX_DNS_TYPE_CNAME:
		return "CNAME";
	default:
		snprintf(buf, len, "TYPE%u", type);
		return buf;
	}
}
