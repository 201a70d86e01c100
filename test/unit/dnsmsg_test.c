/*
 * dnsmsg_test.c - unit tests of lib/dnsmsg on wire bytes: the queries it
 * writes, byte for byte, and replies built here by hand (no DNS library)
 * checked and digested: the question must be ours, TC asks for TCP,
 * CNAME chains, loops, MX order, negative TTLs from the SOA, server
 * failures and broken packets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "dnsmsg.h"

#define ID 0x1234
#define SERVER "127.0.0.1"

/* A packet under construction. */
struct pkt {
	uint8_t b[2048];
	size_t n;
};

static void
put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

/* A name as labels, "" for the root. */
static void
put_name(struct pkt *p, const char *name)
{
	const char *s = name, *dot;

	while (*s != '\0') {
		size_t l;

		dot = strchr(s, '.');
		l = dot != NULL ? (size_t)(dot - s) : strlen(s);
		put8(p, (unsigned)l);
		memcpy(p->b + p->n, s, l);
		p->n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	put8(p, 0);
}

/* Header (QR, RD and RA set, with rcode and more flags) and question. */
static void
start(struct pkt *p, uint16_t id, unsigned flags, unsigned rcode,
    const char *qname, uint16_t qtype, unsigned an, unsigned ns)
{
	p->n = 0;
	put16(p, id);
	put16(p, 0x8180 | flags | rcode);
	put16(p, 1);
	put16(p, an);
	put16(p, ns);
	put16(p, 0);
	put_name(p, qname);
	put16(p, qtype);
	put16(p, 1);
}

/* Owner, type, class IN, TTL; the caller adds rdlength and rdata. */
static void
rr(struct pkt *p, const char *owner, uint16_t type, uint32_t ttl)
{
	put_name(p, owner);
	put16(p, type);
	put16(p, 1);
	put32(p, ttl);
}

static void
rr_a(struct pkt *p, const char *owner, uint32_t ttl, const char *ip)
{
	struct bmx_ip a;

	assert_true(bmx_ip_parse(ip, &a));
	rr(p, owner, a.family == BMX_IP_V4 ? BMX_DNS_TYPE_A : BMX_DNS_TYPE_AAAA,
	    ttl);
	put16(p, a.family == BMX_IP_V4 ? 4 : 16);
	memcpy(p->b + p->n, a.bytes, a.family == BMX_IP_V4 ? 4 : 16);
	p->n += a.family == BMX_IP_V4 ? 4 : 16;
}

/* A record whose rdata is a name (CNAME), or preference + name (MX). */
static void
rr_name(struct pkt *p, const char *owner, uint16_t type, uint32_t ttl, int pref,
    const char *target)
{
	size_t at;

	rr(p, owner, type, ttl);
	at = p->n;
	put16(p, 0);
	if (pref >= 0)
		put16(p, (unsigned)pref);
	put_name(p, target);
	p->b[at] = (uint8_t)((p->n - at - 2) >> 8);
	p->b[at + 1] = (uint8_t)(p->n - at - 2);
}

static void
rr_soa(struct pkt *p, const char *owner, uint32_t ttl, uint32_t minimum)
{
	size_t at;

	rr(p, owner, BMX_DNS_TYPE_SOA, ttl);
	at = p->n;
	put16(p, 0);
	put_name(p, "ns.example");
	put_name(p, "hostmaster.example");
	put32(p, 1);
	put32(p, 3600);
	put32(p, 600);
	put32(p, 86400);
	put32(p, minimum);
	p->b[at] = (uint8_t)((p->n - at - 2) >> 8);
	p->b[at + 1] = (uint8_t)(p->n - at - 2);
}

static struct bmx_answer *
parse_ok(const struct pkt *p, const char *qname, uint16_t qtype)
{
	struct bmx_answer *a = NULL;

	assert_int_equal(
	    bmx_dnsmsg_parse(p->b, p->n, ID, qname, qtype, SERVER, &a),
	    BMX_DNSMSG_ANSWER);
	assert_non_null(a);
	return a;
}

static void
test_query(void **state)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0,
		1, /* RD, 1 q, 1 ar */
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0,
		15, 0, 1,	      /* MX IN */
		0, 0, 41, 0x04, 0xd0, /* OPT, UDP size 1232 */
		0, 0, 0, 0, 0, 0      /* rcode, version, flags, rdlen 0 */
	};
	uint8_t buf[BMX_DNS_QUERY_MAX];
	char label[80];
	size_t n;

	(void)state;
	n = bmx_dnsmsg_query(buf, "example.com", BMX_DNS_TYPE_MX, ID, 1232);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, n);
	/* without EDNS: no additional record; a trailing dot changes nothing */
	n = bmx_dnsmsg_query(buf, "example.com.", BMX_DNS_TYPE_MX, ID, 0);
	assert_int_equal(n, 29);
	assert_memory_equal(buf, want, 10);
	assert_int_equal(buf[10] << 8 | buf[11], 0);
	assert_memory_equal(buf + 12, want + 12, 17);
	/* a label over 63 bytes is no name */
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(
	    bmx_dnsmsg_query(buf, label, BMX_DNS_TYPE_A, ID, 1232), 0);
}

static void
test_mx(void **state)
{
	struct pkt p;
	struct bmx_answer *a;

	(void)state;
	start(&p, ID, 0, 0, "example.com", BMX_DNS_TYPE_MX, 4, 0);
	rr_name(&p, "example.com", BMX_DNS_TYPE_MX, 300, 20, "B.example.com");
	rr_name(&p, "example.com", BMX_DNS_TYPE_MX, 100, 10, "a.example.com");
	/* another owner and another type: not ours */
	rr_name(&p, "other.com", BMX_DNS_TYPE_MX, 5, 0, "x.other.com");
	rr_a(&p, "example.com", 5, "192.0.2.1");
	a = parse_ok(&p, "example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->n, 2);
	assert_int_equal(a->mx[0].preference, 10);
	assert_string_equal(a->mx[0].host, "a.example.com");
	assert_int_equal(a->mx[1].preference, 20);
	assert_string_equal(a->mx[1].host, "b.example.com"); /* lower case */
	assert_int_equal(a->ttl, 100);
	assert_int_equal(a->ncnames, 0);
	assert_string_equal(a->target, "example.com");
	bmx_answer_unref(a);

	/* the null MX: host "" */
	start(&p, ID, 0, 0, "nullmx.com", BMX_DNS_TYPE_MX, 1, 0);
	rr_name(&p, "nullmx.com", BMX_DNS_TYPE_MX, 60, 0, "");
	a = parse_ok(&p, "nullmx.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->n, 1);
	assert_string_equal(a->mx[0].host, "");
	bmx_answer_unref(a);
}

static void
test_addresses(void **state)
{
	struct pkt p;
	struct bmx_answer *a;
	char buf[BMX_IP_STRLEN];

	(void)state;
	/* a name pointer (0xc00c: the question's name) as the owner */
	start(&p, ID, 0, 0, "mx.example.com", BMX_DNS_TYPE_A, 3, 0);
	put16(&p, 0xc00c);
	put16(&p, BMX_DNS_TYPE_A);
	put16(&p, 1);
	put32(&p, 50);
	put16(&p, 4);
	put32(&p, 0x7f000001);
	rr_a(&p, "mx.example.com", 70, "192.0.2.7");
	rr_a(&p, "mx.example.com", 70, "127.0.0.1"); /* the same again */
	a = parse_ok(&p, "mx.example.com", BMX_DNS_TYPE_A);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->n, 2);
	assert_string_equal(
	    bmx_ip_format(&a->addrs[0], buf, sizeof(buf)), "127.0.0.1");
	assert_string_equal(
	    bmx_ip_format(&a->addrs[1], buf, sizeof(buf)), "192.0.2.7");
	assert_int_equal(a->ttl, 50);
	bmx_answer_unref(a);

	start(&p, ID, 0, 0, "mx.example.com", BMX_DNS_TYPE_AAAA, 1, 0);
	rr_a(&p, "mx.example.com", 70, "2001:db8::25");
	a = parse_ok(&p, "mx.example.com", BMX_DNS_TYPE_AAAA);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->n, 1);
	assert_string_equal(
	    bmx_ip_format(&a->addrs[0], buf, sizeof(buf)), "2001:db8::25");
	bmx_answer_unref(a);

	/* an A record of 3 bytes: malformed, no records kept */
	start(&p, ID, 0, 0, "mx.example.com", BMX_DNS_TYPE_A, 1, 0);
	rr(&p, "mx.example.com", BMX_DNS_TYPE_A, 70);
	put16(&p, 3);
	put16(&p, 0x7f00);
	put8(&p, 1);
	a = parse_ok(&p, "mx.example.com", BMX_DNS_TYPE_A);
	assert_int_equal(a->status, BMX_DNS_MALFORMED);
	assert_int_equal(a->n, 0);
	assert_int_equal(a->ttl, 0);
	assert_non_null(strstr(a->why, "malformed answer from 127.0.0.1: "));
	bmx_answer_unref(a);

	/* an A record without data, beside a good one: the answer is
	 * malformed, the good record is not kept either */
	start(&p, ID, 0, 0, "mx.example.com", BMX_DNS_TYPE_A, 2, 0);
	rr_a(&p, "mx.example.com", 70, "192.0.2.7");
	rr(&p, "mx.example.com", BMX_DNS_TYPE_A, 70);
	put16(&p, 0);
	a = parse_ok(&p, "mx.example.com", BMX_DNS_TYPE_A);
	assert_int_equal(a->status, BMX_DNS_MALFORMED);
	assert_int_equal(a->n, 0);
	assert_string_equal(a->why, "bad A record for mx.example.com");
	bmx_answer_unref(a);
}

static void
test_cnames(void **state)
{
	struct pkt p;
	struct bmx_answer *a;

	(void)state;
	/* followed within the answer, records in any order */
	start(&p, ID, 0, 0, "www.example.com", BMX_DNS_TYPE_A, 3, 0);
	rr_a(&p, "b.example.net", 300, "192.0.2.9");
	rr_name(
	    &p, "a.example.net", BMX_DNS_TYPE_CNAME, 30, -1, "b.example.net");
	rr_name(
	    &p, "www.example.com", BMX_DNS_TYPE_CNAME, 60, -1, "A.example.net");
	a = parse_ok(&p, "www.example.com", BMX_DNS_TYPE_A);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_int_equal(a->ncnames, 2);
	assert_string_equal(a->cnames[0], "a.example.net");
	assert_string_equal(a->cnames[1], "b.example.net");
	assert_string_equal(a->target, "b.example.net");
	assert_false(a->chase);
	assert_int_equal(a->n, 1);
	assert_int_equal(a->ttl, 30);
	bmx_answer_unref(a);

	/* the chain ends at a name the answer says nothing about: chase */
	start(&p, ID, 0, 0, "www.example.com", BMX_DNS_TYPE_A, 1, 0);
	rr_name(&p, "www.example.com", BMX_DNS_TYPE_CNAME, 60, -1,
	    "elsewhere.example.org");
	a = parse_ok(&p, "www.example.com", BMX_DNS_TYPE_A);
	assert_int_equal(a->status, BMX_DNS_NODATA);
	assert_true(a->chase);
	assert_string_equal(a->target, "elsewhere.example.org");
	assert_int_equal(a->ttl, 0);
	bmx_answer_unref(a);

	/* back to the question: a loop */
	start(&p, ID, 0, 0, "loop.example.com", BMX_DNS_TYPE_MX, 2, 0);
	rr_name(&p, "loop.example.com", BMX_DNS_TYPE_CNAME, 60, -1,
	    "x.example.com");
	rr_name(&p, "x.example.com", BMX_DNS_TYPE_CNAME, 60, -1,
	    "loop.example.com");
	a = parse_ok(&p, "loop.example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_CNAME_LOOP);
	assert_int_equal(a->n, 0);
	assert_string_equal(a->why, "CNAME loop at loop.example.com");
	bmx_answer_unref(a);
}

static void
test_negative(void **state)
{
	struct pkt p;
	struct bmx_answer *a;

	(void)state;
	/* NXDOMAIN: the TTL is the smaller of the SOA's TTL and minimum */
	start(&p, ID, 0, 3, "nx.example.com", BMX_DNS_TYPE_MX, 0, 1);
	rr_soa(&p, "example.com", 900, 120);
	a = parse_ok(&p, "nx.example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_NXDOMAIN);
	assert_int_equal(a->ttl, 120);
	bmx_answer_unref(a);

	/* NODATA with the SOA */
	start(&p, ID, 0, 0, "nodata.example.com", BMX_DNS_TYPE_AAAA, 0, 1);
	rr_soa(&p, "example.com", 60, 3600);
	a = parse_ok(&p, "nodata.example.com", BMX_DNS_TYPE_AAAA);
	assert_int_equal(a->status, BMX_DNS_NODATA);
	assert_false(a->chase);
	assert_int_equal(a->ttl, 60);
	bmx_answer_unref(a);

	/* NODATA without a SOA: nothing to cache it by */
	start(&p, ID, 0, 0, "nodata.example.com", BMX_DNS_TYPE_AAAA, 0, 0);
	a = parse_ok(&p, "nodata.example.com", BMX_DNS_TYPE_AAAA);
	assert_int_equal(a->status, BMX_DNS_NODATA);
	assert_int_equal(a->ttl, 0);
	bmx_answer_unref(a);
}

static void
test_failures(void **state)
{
	struct pkt p;
	struct bmx_answer *a;

	(void)state;
	start(&p, ID, 0, 2, "example.com", BMX_DNS_TYPE_MX, 0, 0);
	a = parse_ok(&p, "example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_TEMPFAIL);
	assert_string_equal(a->why, "SERVFAIL from 127.0.0.1");
	assert_int_equal(a->ttl, 0);
	bmx_answer_unref(a);

	start(&p, ID, 0, 5, "example.com", BMX_DNS_TYPE_MX, 0, 0);
	a = parse_ok(&p, "example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_TEMPFAIL);
	assert_string_equal(a->why, "REFUSED from 127.0.0.1");
	bmx_answer_unref(a);

	/* an answer count with no records behind it */
	start(&p, ID, 0, 0, "example.com", BMX_DNS_TYPE_MX, 3, 0);
	rr_name(&p, "example.com", BMX_DNS_TYPE_MX, 300, 10, "a.example.com");
	a = parse_ok(&p, "example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_MALFORMED);
	assert_int_equal(a->n, 0);
	assert_non_null(strstr(a->why, "malformed answer from 127.0.0.1"));
	bmx_answer_unref(a);

	/* a name pointer that points at itself */
	start(&p, ID, 0, 0, "example.com", BMX_DNS_TYPE_MX, 1, 0);
	put16(&p, 0xc000 | (unsigned)p.n);
	put16(&p, BMX_DNS_TYPE_MX);
	put16(&p, 1);
	put32(&p, 60);
	put16(&p, 3);
	put16(&p, 10);
	put8(&p, 0);
	a = parse_ok(&p, "example.com", BMX_DNS_TYPE_MX);
	assert_int_equal(a->status, BMX_DNS_MALFORMED);
	bmx_answer_unref(a);
}

/* Replies that do not answer the query: dropped, never believed. */
static void
test_mismatch(void **state)
{
	struct pkt p;
	struct bmx_answer *a = (struct bmx_answer *)&a;

	(void)state;
	start(&p, ID + 1, 0, 0, "example.com", BMX_DNS_TYPE_MX, 0, 0);
	assert_int_equal(bmx_dnsmsg_parse(p.b, p.n, ID, "example.com",
			     BMX_DNS_TYPE_MX, SERVER, &a),
	    BMX_DNSMSG_MISMATCH);
	assert_null(a);
	/* the query itself (QR clear) */
	start(&p, ID, 0, 0, "example.com", BMX_DNS_TYPE_MX, 0, 0);
	p.b[2] &= 0x7f;
	assert_int_equal(bmx_dnsmsg_parse(p.b, p.n, ID, "example.com",
			     BMX_DNS_TYPE_MX, SERVER, &a),
	    BMX_DNSMSG_MISMATCH);
	/* another question name, another type */
	start(&p, ID, 0, 0, "example.org", BMX_DNS_TYPE_MX, 0, 0);
	assert_int_equal(bmx_dnsmsg_parse(p.b, p.n, ID, "example.com",
			     BMX_DNS_TYPE_MX, SERVER, &a),
	    BMX_DNSMSG_MISMATCH);
	start(&p, ID, 0, 0, "example.com", BMX_DNS_TYPE_A, 0, 0);
	assert_int_equal(bmx_dnsmsg_parse(p.b, p.n, ID, "example.com",
			     BMX_DNS_TYPE_MX, SERVER, &a),
	    BMX_DNSMSG_MISMATCH);
	/* shorter than a header */
	assert_int_equal(bmx_dnsmsg_parse(p.b, 11, ID, "example.com",
			     BMX_DNS_TYPE_A, SERVER, &a),
	    BMX_DNSMSG_MISMATCH);
	/* TC: ask again over TCP, whatever the records say */
	start(&p, ID, 0x0200, 0, "example.com", BMX_DNS_TYPE_MX, 1, 0);
	rr_name(&p, "example.com", BMX_DNS_TYPE_MX, 300, 10, "a.example.com");
	assert_int_equal(bmx_dnsmsg_parse(p.b, p.n, ID, "example.com",
			     BMX_DNS_TYPE_MX, SERVER, &a),
	    BMX_DNSMSG_TRUNCATED);
	assert_null(a);
}

static void
test_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(bmx_dns_status_name(BMX_DNS_OK), "ok");
	assert_string_equal(bmx_dns_status_name(BMX_DNS_NXDOMAIN), "nxdomain");
	assert_string_equal(bmx_dns_type_name(BMX_DNS_TYPE_MX, buf, 16), "MX");
	assert_string_equal(
	    bmx_dns_type_name(BMX_DNS_TYPE_AAAA, buf, 16), "AAAA");
	assert_string_equal(bmx_dns_type_name(99, buf, 16), "TYPE99");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_mx),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_cnames),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
