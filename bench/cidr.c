/*
 * cidr.c - benchmark of cidr table lookups against a naive linear scan
 *
 * bench_cidr measures bmx_cidr_match() (lib/cidr) on two tables and, in
 * the same run, a naive linear first-match scan of the same rules as the
 * baseline:
 *
 * 1. the built-in table of special-purpose addresses (bmx_registry_table());
 * 2. a table of PREFIXES generated prefixes (a million by default), whose
 *    text in cidr_table(5) syntax ("prefix<TAB>REJECT r<N>") is made in
 *    memory with a fixed-seed PRNG: half IPv4 /8../32 (1 in 1000 shorter
 *    than /16), half IPv6 /16../64 (1 in 1000 shorter than /32, 9 in 10
 *    under 2000::/3).  For it the program also reports the build time
 *    (parse and compile by bmx_cidr_parse()), the memory the table holds
 *    (bmx_cidr_memory()) and the growth of the resident set size
 *    (VmRSS, and VmHWM for the peak, from /proc/self/status).
 *
 * Query addresses are made before any timing, with a fixed seed: half of
 * them are random addresses inside a randomly chosen rule of the table,
 * half random IPv4 or IPv6 addresses.  Compiled lookups are timed with
 * CLOCK_MONOTONIC over QUERIES addresses, one warm-up pass and the best
 * of three timed passes.  The linear scan is timed over all QUERIES for
 * the built-in table, but over only the first LINEAR_QUERIES of them for
 * the generated table, where one scan takes milliseconds.  A checksum of
 * all answers is printed so that no lookup can be optimized away.
 *
 * The benchmark is also a check of lib/cidr at scale: every answer of the
 * linear scan is compared with the compiled table's (rule index, or no
 * match), and every compiled answer is checked for consistency (the rule
 * found contains the address; an address made inside rule k matches rule
 * k or an earlier one).  Mismatches are printed and make the exit status
 * non-zero.  No timing decides the exit status.
 *
 * Usage:
 *	bench_cidr [-n prefixes] [-q queries] [-l linear_queries]
 *
 *	-n	generated prefixes (default 1000000)
 *	-q	queries timed on the compiled tables (default 2000000)
 *	-l	queries timed on the linear scan of the generated table
 *		(default 2000)
 *
 * Run it from a Release build for meaningful figures:
 *	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
 *	cmake --build build-bench
 *	build-bench/bench/bench_cidr
 * ctest runs it with small sizes as the test bench_cidr_smoke.
 *
 * Exit status: 0 when all answers agree, 1 on any mismatch, EX_USAGE for
 * bad options, EX_SOFTWARE when a table cannot be built, EX_OSERR when
 * memory runs out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cidr.h"
#include "diag.h"
#include "ip.h"
#include "registry.h"

#include "benchclock.h"
#include "benchfmt.h"
#include "testrand.h"

#define NONE UINT32_MAX
#define SEED_TABLE 0x62656e6368636964ULL
#define SEED_QUERIES 0x71756572696573ULL
#define SEED_BUILTIN 0x6275696c74696eULL
#define PASSES 3
#define SHOW_MISMATCHES 5
#define MAX_COUNT 100000000UL

/* One rule as the naive scan sees it. */
struct naive_rule {
	enum bmx_ip_family family;
	uint8_t bytes[16];
	unsigned plen;
	bool negate;
};

struct naive_table {
	struct naive_rule *r;
	size_t n;
};

/* Query addresses; bound[i] is the rule query i was made inside, or NONE. */
struct queries {
	struct bmx_ip *ip;
	uint32_t *bound;
	size_t n;
};

/* The figures of one table. */
struct result {
	double ns;     /* compiled lookup, best pass */
	double lin_ns; /* linear scan */
	size_t lin_n;  /* queries scanned linearly */
	size_t matched;
	size_t mismatches;
	uint64_t sum;
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "bench_cidr: out of memory\n");
		exit(EX_OSERR);
	}
	return p;
}

/* A random address of a family; IPv6 is 9 in 10 under 2000::/3. */
static void
rnd_address(uint64_t *s, enum bmx_ip_family f, struct bmx_ip *ip)
{
	uint64_t a = testrand_next(s), b = testrand_next(s);

	memset(ip, 0, sizeof(*ip));
	ip->family = f;
	memcpy(ip->bytes, &a, 8);
	if (f == BMX_IP_V4) {
		memset(ip->bytes + 4, 0, 4);
		return;
	}
	memcpy(ip->bytes + 8, &b, 8);
	if (testrand_below(s, 10) != 0)
		ip->bytes[0] = (uint8_t)((ip->bytes[0] & 0x1f) | 0x20);
}

static unsigned
family_bytes(enum bmx_ip_family f)
{
	return f == BMX_IP_V4 ? 4 : 16;
}

/* Clear the host bits after plen. */
static void
mask_host(uint8_t *b, unsigned nbytes, unsigned plen)
{
	unsigned i;

	for (i = 0; i < nbytes; i++) {
		if (i * 8 >= plen)
			b[i] = 0;
		else if (plen - i * 8 < 8)
			b[i] &= (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
}

/* Does rule r match ip?  The plain way: family, whole bytes, last bits. */
static bool
naive_in(const struct naive_rule *r, const struct bmx_ip *ip)
{
	unsigned full = r->plen / 8, rest = r->plen % 8, i;
	bool in = true;

	if (r->family != ip->family)
		return false;
	for (i = 0; i < full; i++) {
		if (r->bytes[i] != ip->bytes[i]) {
			in = false;
			break;
		}
	}
	if (in && rest != 0 &&
	    ((r->bytes[full] ^ ip->bytes[full]) & (0xff << (8 - rest))) != 0)
		in = false;
	return in != r->negate;
}

static uint32_t
naive_match(const struct naive_table *t, const struct bmx_ip *ip)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (naive_in(&t->r[i], ip))
			return (uint32_t)i;
	return NONE;
}

/* A random address that rule r matches, if one can be found. */
static void
address_in(uint64_t *s, const struct naive_rule *r, struct bmx_ip *ip)
{
	struct bmx_ip h;
	uint8_t net[sizeof(h.bytes)];
	unsigned i;

	rnd_address(s, r->family, &h);
	if (r->negate) {
		/* outside the prefix: flip its last bit if need be */
		*ip = h;
		if (r->plen > 0 && !naive_in(r, ip))
			ip->bytes[(r->plen - 1) / 8] ^=
			    (uint8_t)(0x80 >> ((r->plen - 1) % 8));
		return;
	}
	memset(net, 0xff, sizeof(net));
	mask_host(net, sizeof(net), r->plen);
	*ip = h;
	for (i = 0; i < sizeof(net); i++)
		ip->bytes[i] = (uint8_t)((r->bytes[i] & net[i]) |
		    (h.bytes[i] & (uint8_t)~net[i]));
}

static void
make_queries(
    struct queries *q, const struct naive_table *t, size_t n, uint64_t seed)
{
	uint64_t s = seed;
	size_t i, k;

	q->n = n;
	q->ip = xcalloc(n, sizeof(*q->ip));
	q->bound = xcalloc(n, sizeof(*q->bound));
	for (i = 0; i < n; i++) {
		q->bound[i] = NONE;
		if (testrand_next(&s) & 1) {
			rnd_address(&s,
			    testrand_next(&s) & 1 ? BMX_IP_V4 : BMX_IP_V6,
			    &q->ip[i]);
			continue;
		}
		k = (size_t)(testrand_next(&s) % t->n);
		address_in(&s, &t->r[k], &q->ip[i]);
		if (naive_in(&t->r[k], &q->ip[i]))
			q->bound[i] = (uint32_t)k;
	}
}

static void
queries_free(struct queries *q)
{
	free(q->ip);
	free(q->bound);
}

/* The generated prefixes, as rules in their order. */
static void
make_prefixes(struct naive_table *t, size_t n)
{
	uint64_t s = SEED_TABLE;
	struct naive_rule *r;
	struct bmx_ip ip;
	size_t i;

	t->n = n;
	t->r = xcalloc(n, sizeof(*t->r));
	for (i = 0; i < n; i++) {
		r = &t->r[i];
		if (testrand_next(&s) & 1) {
			r->family = BMX_IP_V4;
			r->plen = testrand_below(&s, 1000) == 0 ?
			    8 + testrand_below(&s, 8) :
			    16 + testrand_below(&s, 17);
		} else {
			r->family = BMX_IP_V6;
			r->plen = testrand_below(&s, 1000) == 0 ?
			    16 + testrand_below(&s, 16) :
			    32 + testrand_below(&s, 33);
		}
		rnd_address(&s, r->family, &ip);
		memcpy(r->bytes, ip.bytes, sizeof(r->bytes));
		mask_host(r->bytes, family_bytes(r->family), r->plen);
	}
}

/* The cidr_table text of the generated prefixes. */
static char *
make_text(const struct naive_table *t, size_t *lenp)
{
	char addr[BMX_IP_STRLEN];
	size_t cap = t->n * 64 + 1, len = 0, i;
	char *text = xcalloc(cap, 1);
	struct bmx_ip ip;
	int w;

	for (i = 0; i < t->n; i++) {
		memset(&ip, 0, sizeof(ip));
		ip.family = t->r[i].family;
		memcpy(ip.bytes, t->r[i].bytes, sizeof(ip.bytes));
		bmx_ip_format(&ip, addr, sizeof(addr));
		w = snprintf(text + len, cap - len, "%s/%u\tREJECT r%zu\n",
		    addr, t->r[i].plen, i);
		if (w < 0 || (size_t)w >= cap - len) {
			fprintf(stderr, "bench_cidr: table text too long\n");
			exit(EX_SOFTWARE);
		}
		len += (size_t)w;
	}
	*lenp = len;
	return text;
}

/* Parse a rule's pattern ("!addr/len", "[addr]/len", ...) for the scan. */
static bool
parse_pattern(const char *pattern, struct naive_rule *r)
{
	char buf[BMX_IP_STRLEN + 8];
	const char *p = pattern;
	char *slash, *end;
	struct bmx_ip ip;
	unsigned long plen;
	size_t i, j = 0;

	memset(r, 0, sizeof(*r));
	while (*p == '!' || *p == ' ' || *p == '\t') {
		if (*p == '!')
			r->negate = !r->negate;
		p++;
	}
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '[' || p[i] == ']')
			continue;
		if (j + 1 >= sizeof(buf))
			return false;
		buf[j++] = p[i];
	}
	buf[j] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (!bmx_ip_parse(buf, &ip))
		return false;
	plen = bmx_ip_bits(&ip);
	if (slash != NULL) {
		plen = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || plen > bmx_ip_bits(&ip))
			return false;
	}
	r->family = ip.family;
	r->plen = (unsigned)plen;
	memcpy(r->bytes, ip.bytes, sizeof(r->bytes));
	return true;
}

/*
 * The built-in rules for the naive scan.  A rule's pattern does not show
 * the if blocks around it, so the scan refuses text that has any.
 */
static bool
builtin_rules(const struct bmx_cidr_table *t, struct naive_table *nt)
{
	const char *text, *l, *e;
	size_t len, i;

	text = bmx_registry_text(&len);
	for (l = text; l < text + len; l = e + 1) {
		e = memchr(l, '\n', (size_t)(text + len - l));
		if (e == NULL)
			e = text + len;
		if ((e - l >= 2 && strncmp(l, "if", 2) == 0) ||
		    (e - l >= 5 && strncmp(l, "endif", 5) == 0)) {
			fprintf(stderr,
			    "bench_cidr: the built-in table has if..endif, "
			    "which the linear scan does not model\n");
			return false;
		}
	}
	nt->n = bmx_cidr_nrules(t);
	nt->r = xcalloc(nt->n, sizeof(*nt->r));
	for (i = 0; i < nt->n; i++) {
		if (!parse_pattern(bmx_cidr_rule(t, i)->pattern, &nt->r[i])) {
			fprintf(stderr,
			    "bench_cidr: cannot read built-in pattern \"%s\"\n",
			    bmx_cidr_rule(t, i)->pattern);
			return false;
		}
	}
	return true;
}

static uint64_t
answer_sum(const struct bmx_cidr_rule *r)
{
	return r != NULL ? (uint64_t)r->index + 1 : 0;
}

/* Best time per lookup over PASSES passes after a warm-up pass. */
static double
time_compiled(const struct bmx_cidr_table *t, const struct queries *q, size_t n,
    uint64_t *sum)
{
	double best = 0, dt;
	uint64_t t0;
	size_t i;
	int pass;

	for (pass = 0; pass <= PASSES; pass++) {
		t0 = benchclock_ns();
		for (i = 0; i < n; i++)
			*sum += answer_sum(bmx_cidr_match(t, &q->ip[i]));
		dt = (double)(benchclock_ns() - t0);
		if (pass > 0 && (pass == 1 || dt < best))
			best = dt;
	}
	return best / (double)n;
}

/* Time per scan; answers go to out[0..n-1]. */
static double
time_linear(const struct naive_table *t, const struct queries *q, size_t n,
    uint32_t *out, int passes, uint64_t *sum)
{
	double best = 0, dt;
	uint64_t t0;
	size_t i;
	int pass;

	for (pass = passes > 1 ? 0 : 1; pass <= passes; pass++) {
		t0 = benchclock_ns();
		for (i = 0; i < n; i++)
			out[i] = naive_match(t, &q->ip[i]);
		dt = (double)(benchclock_ns() - t0);
		if (pass > 0 && (pass == 1 || dt < best))
			best = dt;
	}
	for (i = 0; i < n; i++)
		*sum += out[i] == NONE ? 0 : (uint64_t)out[i] + 1;
	return best / (double)n;
}

static void
show_mismatch(const struct bmx_cidr_table *t, bool linear,
    const struct bmx_ip *ip, const struct bmx_cidr_rule *got, uint32_t want)
{
	char addr[BMX_IP_STRLEN];

	bmx_ip_format(ip, addr, sizeof(addr));
	fprintf(stderr, "MISMATCH (%s) in %s: %s: bmx_cidr_match() ",
	    linear ? "linear scan" : "consistency", bmx_cidr_name(t), addr);
	if (got != NULL)
		fprintf(stderr, "rule %u \"%s\"", got->index, got->pattern);
	else
		fprintf(stderr, "no match");
	if (want != NONE)
		fprintf(stderr, ", %s rule %u \"%s\"\n",
		    linear ? "linear scan" : "made inside", want,
		    bmx_cidr_rule(t, want)->pattern);
	else
		fprintf(stderr, ", %s\n",
		    linear ? "linear scan no match" : "a random address");
}

/*
 * Compare the compiled answers with the linear ones (lin[0..nlin-1]) and
 * check all answers for consistency.  Returns the number of mismatches.
 */
static size_t
check(const struct bmx_cidr_table *t, const struct naive_table *nt,
    const struct queries *q, size_t n, const uint32_t *lin, size_t nlin,
    size_t *matched)
{
	const struct bmx_cidr_rule *r;
	size_t i, bad = 0;
	bool ok;

	*matched = 0;
	for (i = 0; i < n; i++) {
		r = bmx_cidr_match(t, &q->ip[i]);
		*matched += r != NULL;
		if (i < nlin && (r != NULL ? r->index : NONE) != lin[i]) {
			if (bad++ < SHOW_MISMATCHES)
				show_mismatch(t, true, &q->ip[i], r, lin[i]);
			continue;
		}
		ok = r == NULL ?
		    q->bound[i] == NONE :
		    r->index < nt->n && naive_in(&nt->r[r->index], &q->ip[i]) &&
			(q->bound[i] == NONE || r->index <= q->bound[i]);
		if (!ok && bad++ < SHOW_MISMATCHES)
			show_mismatch(t, false, &q->ip[i], r, q->bound[i]);
	}
	return bad;
}

/* Time and check one table; q holds at least max(nq, nlin) queries. */
static void
run(const struct bmx_cidr_table *t, const struct naive_table *nt,
    const struct queries *q, size_t nq, size_t nlin, int lin_passes,
    struct result *res)
{
	uint32_t *lin = xcalloc(nlin, sizeof(*lin));

	memset(res, 0, sizeof(*res));
	res->ns = time_compiled(t, q, nq, &res->sum);
	res->lin_ns = time_linear(nt, q, nlin, lin, lin_passes, &res->sum);
	res->lin_n = nlin;
	res->mismatches =
	    check(t, nt, q, nq > nlin ? nq : nlin, lin, nlin, &res->matched);
	free(lin);
}

/* The figures after "table: ...", up to the end of the line. */
static void
print_lookups(const struct result *res, const char *lin_note)
{
	char a[BENCHFMT_LEN], b[BENCHFMT_LEN], c[BENCHFMT_LEN];
	double x = res->lin_ns / res->ns;

	printf("%s/lookup, %s   (linear scan: %s/lookup%s, %.*fx)\n",
	    benchfmt_ns(a, sizeof(a), res->ns),
	    benchfmt_rate(b, sizeof(b), res->ns, "lookups"),
	    benchfmt_ns(c, sizeof(c), res->lin_ns), lin_note, x >= 100 ? 0 : 1,
	    x);
}

static void
print_check(const struct result *res, size_t nall)
{
	printf("         cross-check: %zu answers compared with the linear "
	       "scan, %zu checked for consistency: %zu mismatches\n",
	    res->lin_n, nall, res->mismatches);
}

/* Read "Key:   123 kB" from /proc/self/status; -1 when unknown. */
static double
proc_status_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	double kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			kb = strtod(line + klen + 1, NULL);
			break;
		}
	fclose(f);
	return kb;
}

/* The built-in table: its figures, and the number of mismatches. */
static size_t
bench_builtin(size_t nq, uint64_t *sum)
{
	struct bmx_cidr_table *t;
	struct naive_table nt = { NULL, 0 };
	struct queries q;
	struct result res;
	struct bmx_diag d;
	char a[BENCHFMT_LEN];

	bmx_diag_init(&d);
	t = bmx_registry_table(&d);
	bmx_diag_print(&d, stderr, "");
	bmx_diag_clear(&d);
	if (t == NULL || !builtin_rules(t, &nt)) {
		fprintf(
		    stderr, "bench_cidr: cannot build the built-in table\n");
		exit(EX_SOFTWARE);
	}
	make_queries(&q, &nt, nq, SEED_BUILTIN);
	run(t, &nt, &q, nq, nq, PASSES, &res);
	printf("builtin  table: %zu rules, %zu ranges, %s: ",
	    bmx_cidr_nrules(t), bmx_cidr_nranges(t),
	    benchfmt_size(a, sizeof(a), (double)bmx_cidr_memory(t)));
	print_lookups(&res, "");
	printf("         %zu queries, %.1f%% matched; linear scan on all of "
	       "them; target: tens of ns/lookup (%s)\n",
	    nq, 100.0 * (double)res.matched / (double)nq,
	    res.ns < 100 ? "met" : "NOT MET");
	print_check(&res, nq);
	*sum += res.sum;
	queries_free(&q);
	free(nt.r);
	bmx_cidr_free(t);
	return res.mismatches;
}

/* The generated table: its figures, and the number of mismatches. */
static size_t
bench_generated(size_t n, size_t nq, size_t nlin, uint64_t *sum)
{
	struct bmx_cidr_table *t;
	struct naive_table nt;
	struct queries q;
	struct result res;
	struct bmx_diag d;
	double rss0, hwm0, rss1, hwm1, build;
	char a[BENCHFMT_LEN], b[BENCHFMT_LEN], c[BENCHFMT_LEN], note[64];
	char label[BENCHFMT_LEN];
	size_t len, i, nv4 = 0;
	uint64_t t0;
	char *text;

	make_prefixes(&nt, n);
	for (i = 0; i < n; i++)
		nv4 += nt.r[i].family == BMX_IP_V4;
	text = make_text(&nt, &len);
	make_queries(&q, &nt, nq > nlin ? nq : nlin, SEED_QUERIES);

	bmx_diag_init(&d);
	rss0 = proc_status_kb("VmRSS");
	hwm0 = proc_status_kb("VmHWM");
	t0 = benchclock_ns();
	t = bmx_cidr_parse("generated", text, len, &d);
	build = (double)(benchclock_ns() - t0);
	rss1 = proc_status_kb("VmRSS");
	hwm1 = proc_status_kb("VmHWM");
	bmx_diag_print(&d, stderr, "");
	bmx_diag_clear(&d);
	if (t == NULL || bmx_cidr_nrules(t) != n) {
		fprintf(stderr,
		    "bench_cidr: the generated table did not "
		    "build\n");
		exit(EX_SOFTWARE);
	}

	benchfmt_count(label, sizeof(label), n);
	printf("%s table: %zu rules (%zu IPv4 /8../32, %zu IPv6 /16../64), "
	       "%s of text, %zu ranges\n",
	    label, n, nv4, n - nv4, benchfmt_size(a, sizeof(a), (double)len),
	    bmx_cidr_nranges(t));
	run(t, &nt, &q, nq, nlin, 1, &res);
	printf("%s table: build %s, %s ", label,
	    benchfmt_ns(a, sizeof(a), build),
	    benchfmt_size(b, sizeof(b), (double)bmx_cidr_memory(t)));
	if (rss0 >= 0 && rss1 >= 0)
		printf("(RSS +%s, peak +%s during build): ",
		    benchfmt_size(c, sizeof(c), (rss1 - rss0) * 1024),
		    benchfmt_size(a, sizeof(a), (hwm1 - hwm0) * 1024));
	else
		printf("(RSS unknown): ");
	snprintf(note, sizeof(note), " on %zu queries only", nlin);
	print_lookups(&res, note);
	printf("         %zu queries, %.1f%% matched; target: under 200 "
	       "ns/lookup (%s)\n",
	    nq, 100.0 * (double)res.matched / (double)(nq > nlin ? nq : nlin),
	    res.ns < 200 ? "met" : "NOT MET");
	print_check(&res, nq > nlin ? nq : nlin);
	*sum += res.sum;
	bmx_cidr_free(t);
	queries_free(&q);
	free(text);
	free(nt.r);
	return res.mismatches;
}

static size_t
count_arg(const char *opt, const char *s, unsigned long min)
{
	unsigned long v;
	char *end;

	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < min || v > MAX_COUNT) {
		fprintf(stderr,
		    "bench_cidr: -%s: expected a number from %lu to "
		    "%lu, got \"%s\"\n",
		    opt, min, MAX_COUNT, s);
		exit(EX_USAGE);
	}
	return (size_t)v;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_cidr [-n prefixes] [-q queries] "
	    "[-l linear_queries]\n");
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	size_t n = 1000000, nq = 2000000, nlin = 2000, bad;
	uint64_t sum = 0;
	int ch;

	while ((ch = getopt(argc, argv, "n:q:l:")) != -1) {
		switch (ch) {
		case 'n':
			n = count_arg("n", optarg, 1);
			break;
		case 'q':
			nq = count_arg("q", optarg, 1);
			break;
		case 'l':
			nlin = count_arg("l", optarg, 1);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	printf("bench_cidr: bmx_cidr_match() against a naive linear "
	       "first-match scan\n");
	benchfmt_machine(stdout);
	printf("targets (HACKING, section 8): tens of ns/lookup for the "
	       "built-in table, under 200 ns with a million prefixes\n");
	printf("queries: half inside a random rule, half random; compiled: "
	       "best of %d passes\n",
	    PASSES);
	fflush(stdout);

	bad = bench_builtin(nq, &sum);
	fflush(stdout);
	bad += bench_generated(n, nq, nlin, &sum);
	printf("checksum: %016llx\n", (unsigned long long)sum);
	if (bad != 0)
		printf("FAILED: %zu mismatches between the compiled tables and "
		       "the linear scan (details on stderr)\n",
		    bad);
	else
		printf("ok: the compiled tables agree with the linear scan\n");
	return bad == 0 ? 0 : 1;
}
