/*
 * fuzz_dns_seeds.c - write seeds for fuzz_dnsmsg from the DNS scenarios
 *
 * Usage: fuzz_dns_seeds OUTDIR FILE.data...
 *
 * Reads the ldns-testns entries of each FILE.data (test/dns), and for
 * every domain that an entry answers an MX question for, runs
 * bmx_resolve() against those entries, recording every reply it gets in
 * the input format of fuzz_dnsmsg (see there): one seed per domain,
 * OUTDIR/NAME-DOMAIN, with whole packets (ctl 1), and one with the
 * query's question replaced by the fuzzer (ctl 0), OUTDIR/NAME-DOMAIN-t.
 * Like fuzz_dnsmsg it is linked with fuzz_query_stub.c and answers
 * every query in fuzz_answer_one(): the entries are the network.
 *
 * By hand, after the scenarios change, then keep only the seeds that
 * add coverage (what corpus/dnsmsg holds):
 *   build-fuzz/test/fuzz/fuzz_dns_seeds NEW test/dns/ *.data
 *   build-fuzz/test/fuzz/fuzz_dnsmsg -merge=1 MERGED NEW
 *   and copy the files of NEW whose SHA-1 names a file of MERGED
 */
#include <ldns/ldns.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "dnsmsg.h"
#include "fuzz_query_stub.h"
#include "query.h"
#include "resolve.h"

#define ENTRIES_MAX 1024
#define RRS_MAX 256
#define SEED_MAX (1 << 20)

struct entry {
	char qname[256]; /* no trailing dot, lower case; "" for any */
	uint16_t qtype;
	bool subdomain, tcp_only, udp_only;
	unsigned flags; /* LDNS_QR, ... as bits below */
	unsigned rcode;
	char *rrs[4][RRS_MAX]; /* sections */
	size_t nrrs[4];
	uint8_t *hex;
	size_t hexlen;
};

enum { F_QR = 1, F_AA = 2, F_RD = 4, F_RA = 8, F_TC = 16 };

static struct entry entries[ENTRIES_MAX];
static size_t nentries;

/* The seed being written. */
static uint8_t seed[SEED_MAX], tseed[SEED_MAX];
static size_t seedlen, tseedlen;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_dns_seeds: %s\n", what);
	exit(2);
}

static void
put(uint8_t *buf, size_t *len, const void *p, size_t n)
{
	if (*len + n > SEED_MAX)
		die("seed too large");
	if (n > 0)
		memcpy(buf + *len, p, n);
	*len += n;
}

static void
put_chunk(uint8_t *buf, size_t *len, unsigned ctl, const uint8_t *b, size_t n)
{
	uint8_t h[3] = { (uint8_t)ctl, (uint8_t)(n >> 8), (uint8_t)n };

	if (n > 0xffff)
		die("reply too large");
	put(buf, len, h, 3);
	put(buf, len, b, n);
}

static void
lower_name(char *dst, const char *src)
{
	size_t n;

	snprintf(dst, 256, "%s", src);
	for (n = 0; dst[n] != '\0'; n++)
		if (dst[n] >= 'A' && dst[n] <= 'Z')
			dst[n] = (char)(dst[n] - 'A' + 'a');
	if (n > 0 && dst[n - 1] == '.')
		dst[n - 1] = '\0';
}

static uint16_t
type_of(const char *s)
{
	if (strcasecmp(s, "MX") == 0)
		return BMX_DNS_TYPE_MX;
	if (strcasecmp(s, "A") == 0)
		return BMX_DNS_TYPE_A;
	if (strcasecmp(s, "AAAA") == 0)
		return BMX_DNS_TYPE_AAAA;
	if (strcasecmp(s, "CNAME") == 0)
		return BMX_DNS_TYPE_CNAME;
	return 0;
}

static void
free_entries(void)
{
	size_t i, k;
	int s;

	for (i = 0; i < nentries; i++) {
		for (s = 0; s < 4; s++)
			for (k = 0; k < entries[i].nrrs[s]; k++)
				free(entries[i].rrs[s][k]);
		free(entries[i].hex);
	}
	nentries = 0;
}

static void
read_data(const char *file)
{
	char line[4096], *p, *tok, *save;
	struct entry *e = NULL;
	int section = -1;
	bool hex = false;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		die(file);
	free_entries();
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == ';' || *p == '\0')
			continue;
		if (strncmp(p, "ENTRY_BEGIN", 11) == 0) {
			if (nentries == ENTRIES_MAX)
				die("too many entries");
			e = &entries[nentries++];
			memset(e, 0, sizeof(*e));
			section = -1;
			continue;
		}
		if (e == NULL)
			continue;
		if (strncmp(p, "ENTRY_END", 9) == 0) {
			e = NULL;
			continue;
		}
		if (strncmp(p, "HEX_ANSWER_BEGIN", 16) == 0) {
			hex = true;
			e->hex = malloc(65536);
			continue;
		}
		if (strncmp(p, "HEX_ANSWER_END", 14) == 0) {
			hex = false;
			continue;
		}
		if (hex) {
			for (; p[0] != '\0' && p[1] != '\0'; p += 2) {
				unsigned v;

				while (*p == ' ' || *p == '\t')
					p++;
				if (sscanf(p, "%2x", &v) != 1)
					break;
				e->hex[e->hexlen++] = (uint8_t)v;
			}
			continue;
		}
		if (strncmp(p, "MATCH", 5) == 0) {
			e->subdomain = strstr(p, "subdomain") != NULL;
			e->tcp_only = strstr(p, " TCP") != NULL;
			e->udp_only = strstr(p, " UDP") != NULL;
			continue;
		}
		if (strncmp(p, "ADJUST", 6) == 0)
			continue;
		if (strncmp(p, "REPLY", 5) == 0) {
			for (tok = strtok_r(p + 5, " \t", &save); tok != NULL;
			     tok = strtok_r(NULL, " \t", &save)) {
				if (strcmp(tok, "QR") == 0)
					e->flags |= F_QR;
				else if (strcmp(tok, "AA") == 0)
					e->flags |= F_AA;
				else if (strcmp(tok, "RD") == 0)
					e->flags |= F_RD;
				else if (strcmp(tok, "RA") == 0)
					e->flags |= F_RA;
				else if (strcmp(tok, "TC") == 0)
					e->flags |= F_TC;
				else if (strcmp(tok, "NXDOMAIN") == 0)
					e->rcode = LDNS_RCODE_NXDOMAIN;
				else if (strcmp(tok, "SERVFAIL") == 0)
					e->rcode = LDNS_RCODE_SERVFAIL;
				else if (strcmp(tok, "REFUSED") == 0)
					e->rcode = LDNS_RCODE_REFUSED;
				else if (strcmp(tok, "FORMERR") == 0)
					e->rcode = LDNS_RCODE_FORMERR;
			}
			continue;
		}
		if (strncmp(p, "SECTION", 7) == 0) {
			p += 7 + strspn(p + 7, " \t");
			section = strcmp(p, "QUESTION") == 0 ? 0 :
			    strcmp(p, "ANSWER") == 0	     ? 1 :
			    strcmp(p, "AUTHORITY") == 0	     ? 2 :
							       3;
			continue;
		}
		if (section == 0) {
			char name[256], cls[16], type[16];

			if (sscanf(p, "%255s %15s %15s", name, cls, type) != 3)
				die(p);
			lower_name(e->qname, name);
			e->qtype = type_of(type);
		} else if (section > 0 && e->nrrs[section] < RRS_MAX) {
			e->rrs[section][e->nrrs[section]++] = strdup(p);
		}
	}
	fclose(f);
}

static bool
matches(const struct entry *e, const char *name, uint16_t type, bool tcp)
{
	size_t n = strlen(name), k = strlen(e->qname);

	if (e->qtype != type || (tcp ? e->udp_only : e->tcp_only))
		return false;
	if (e->subdomain)
		return k == 0 || strcmp(name, e->qname) == 0 ||
		    (n > k && name[n - k - 1] == '.' &&
			strcmp(name + n - k, e->qname) == 0);
	return e->qname[0] == '\0' || strcmp(name, e->qname) == 0;
}

/* The reply of entry e to query q, in *wire (malloc'ed). */
static size_t
reply_wire(const struct entry *e, const struct bmx_query *q, uint8_t **wire)
{
	static const ldns_pkt_section secs[4] = { LDNS_SECTION_QUESTION,
		LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
		LDNS_SECTION_ADDITIONAL };
	ldns_rr *rr;
	ldns_pkt *p;
	size_t len = 0, i;
	int s;

	if (e->hex != NULL) {
		*wire = malloc(e->hexlen);
		memcpy(*wire, e->hex, e->hexlen);
		return e->hexlen;
	}
	if (ldns_wire2pkt(&p, q->wire, q->wlen) != LDNS_STATUS_OK)
		die("cannot read back a query");
	ldns_pkt_set_qr(p, (e->flags & F_QR) != 0);
	ldns_pkt_set_aa(p, (e->flags & F_AA) != 0);
	ldns_pkt_set_rd(p, (e->flags & F_RD) != 0);
	ldns_pkt_set_ra(p, (e->flags & F_RA) != 0);
	ldns_pkt_set_tc(p, (e->flags & F_TC) != 0);
	ldns_pkt_set_rcode(p, (uint8_t)e->rcode);
	for (s = 1; s < 4; s++)
		for (i = 0; i < e->nrrs[s]; i++) {
			if (ldns_rr_new_frm_str(&rr, e->rrs[s][i], 3600, NULL,
				NULL) != LDNS_STATUS_OK)
				die(e->rrs[s][i]);
			ldns_pkt_push_rr(p, secs[s], rr);
		}
	if (ldns_pkt2wire(wire, p, &len) != LDNS_STATUS_OK)
		die("cannot write a reply");
	ldns_pkt_free(p);
	return len;
}

/* The ctl 0 form of a whole packet: flags, counts, what follows the
 * question.  False when the packet has no single plain question. */
static bool
templated(const uint8_t *w, size_t len)
{
	uint8_t head[8];
	size_t pos = 12;

	if (len < 12 || w[4] != 0 || w[5] != 1)
		return false;
	while (pos < len && w[pos] != 0 && (w[pos] & 0xc0) == 0)
		pos += 1 + w[pos];
	if (pos >= len || w[pos] != 0 || pos + 5 > len)
		return false;
	pos += 5;
	memcpy(head, w + 2, 2);
	memcpy(head + 2, w + 6, 6);
	if (tseedlen + 3 + 8 + len - pos > SEED_MAX || len - pos + 8 > 0xffff)
		die("seed too large");
	tseed[tseedlen++] = 0;
	tseed[tseedlen++] = (uint8_t)((len - pos + 8) >> 8);
	tseed[tseedlen++] = (uint8_t)(len - pos + 8);
	put(tseed, &tseedlen, head, 8);
	put(tseed, &tseedlen, w + pos, len - pos);
	return true;
}

void
fuzz_answer_one(struct bmx_query *q)
{
	const struct entry *e;
	struct bmx_answer *a;
	bool tcp = false;
	uint8_t *wire;
	size_t len, i;

	q->id = 0x4242;
	q->wlen = bmx_dnsmsg_query(q->wire, q->name, q->type, q->id, 0);
	if (q->wlen == 0) {
		q->answer = bmx_answer_error(
		    q->name, q->type, BMX_DNS_MALFORMED, "not a valid name");
		return;
	}
	for (;;) {
		for (i = 0, e = NULL; i < nentries && e == NULL; i++)
			if (matches(&entries[i], q->name, q->type, tcp))
				e = &entries[i];
		if (e == NULL) {
			put_chunk(seed, &seedlen, 3, NULL, 0);
			put_chunk(tseed, &tseedlen, 3, NULL, 0);
			q->answer = bmx_answer_error(
			    q->name, q->type, BMX_DNS_TEMPFAIL, "no answer");
			return;
		}
		len = reply_wire(e, q, &wire);
		if (len >= 2) {
			wire[0] = (uint8_t)(q->id >> 8);
			wire[1] = (uint8_t)q->id;
		}
		put_chunk(seed, &seedlen, 1, wire, len);
		if (!templated(wire, len))
			put_chunk(tseed, &tseedlen, 1, wire, len);
		switch (bmx_dnsmsg_parse(
		    wire, len, q->id, q->name, q->type, "seed", &a)) {
		case BMX_DNSMSG_ANSWER:
			free(wire);
			q->answer = a != NULL ?
			    a :
			    bmx_answer_error(q->name, q->type, BMX_DNS_TEMPFAIL,
				"out of memory");
			return;
		case BMX_DNSMSG_TRUNCATED:
			free(wire);
			if (tcp) {
				q->answer = bmx_answer_error(q->name, q->type,
				    BMX_DNS_TEMPFAIL, "truncated over TCP");
				return;
			}
			tcp = true;
			continue;
		case BMX_DNSMSG_MISMATCH:
			free(wire);
			put_chunk(seed, &seedlen, 3, NULL, 0);
			put_chunk(tseed, &tseedlen, 3, NULL, 0);
			q->answer = bmx_answer_error(
			    q->name, q->type, BMX_DNS_TEMPFAIL, "mismatch");
			return;
		}
	}
}

long long
bmx_now_ms(void)
{
	return 0;
}

static void
write_seed(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(b, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

int
main(int argc, char **argv)
{
	char path[4096], base[256], done[ENTRIES_MAX][256];
	struct bmx_query_servers servers;
	struct bmx_resolution res;
	struct bmx_resolver r;
	size_t i, k, ndone;
	const char *slash;
	int f;

	if (argc < 3) {
		fprintf(stderr, "usage: fuzz_dns_seeds OUTDIR FILE.data...\n");
		return 64;
	}
	memset(&servers, 0, sizeof(servers));
	memset(&r, 0, sizeof(r));
	r.servers = &servers;
	r.max_mx = 32;
	r.max_addrs = 64;
	r.max_cname = 8;
	r.deadline_ms = 6000;
	for (f = 2; f < argc; f++) {
		read_data(argv[f]);
		slash = strrchr(argv[f], '/');
		snprintf(base, sizeof(base), "%s",
		    slash != NULL ? slash + 1 : argv[f]);
		base[strcspn(base, ".")] = '\0';
		for (i = 0, ndone = 0; i < nentries; i++) {
			const struct entry *e = &entries[i];

			if (e->qtype != BMX_DNS_TYPE_MX || e->subdomain ||
			    e->qname[0] == '\0')
				continue;
			for (k = 0; k < ndone; k++)
				if (strcmp(done[k], e->qname) == 0)
					break;
			if (k < ndone)
				continue;
			snprintf(
			    done[ndone++], sizeof(done[0]), "%s", e->qname);
			seedlen = tseedlen = 0;
			seed[seedlen++] = 0;
			put(seed, &seedlen, e->qname, strlen(e->qname) + 1);
			put(tseed, &tseedlen, seed, seedlen);
			bmx_resolve(&r, e->qname, &res);
			bmx_resolution_clear(&res);
			snprintf(path, sizeof(path), "%s/%s-%s", argv[1], base,
			    e->qname);
			write_seed(path, seed, seedlen);
			snprintf(path, sizeof(path), "%s/%s-%s-t", argv[1],
			    base, e->qname);
			write_seed(path, tseed, tseedlen);
		}
	}
	free_entries();
	return 0;
}
