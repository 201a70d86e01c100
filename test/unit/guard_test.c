/*
 * guard_test.c - the resolver guard: what canaries and answers teach it,
 * and what it then believes (lib/guard.c)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#define ID 0x4242

/* Append a name in wire form. */
static size_t
put_name(uint8_t *w, size_t n, const char *name)
{
	const char *p = name, *dot;

	while (*p != '\0') {
		dot = strchr(p, '.');
		size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);

		w[n++] = (uint8_t)len;
		memcpy(w + n, p, len);
		n += len;
		p += len + (dot != NULL);
	}
	w[n++] = 0;
	return n;
}

/*
 * A reply to "name IN A" with rcode, an A record (addr, or none when
 * NULL) and the root's SOA in the authority section when soa is set,
 * parsed by lib/dnsmsg.
 */
static struct bmx_answer *
answer(const char *name, unsigned rcode, const char *addr, bool soa)
{
	static const uint8_t soa_rr[] = {
		0, 0, 6, 0, 1, 0, 0, 1, 44, 0, 27, /* ". 300 IN SOA" */
		2, 'n', 's', 0, 1, 'h', 0,	   /* ns. h. */
		0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 2, 88, 0, 1, 81, 128, 0, 0, 1,
		44 /* 1 3600 600 86400 300 */
	};
	uint8_t w[512];
	struct bmx_answer *a = NULL;
	size_t n;
	unsigned a1, a2, a3, a4;

	memset(w, 0, 12);
	w[0] = ID >> 8;
	w[1] = ID & 0xff;
	w[2] = 0x81; /* QR RD */
	w[3] = (uint8_t)(0x80 | rcode);
	w[5] = 1;
	w[7] = addr != NULL;
	w[9] = soa;
	n = put_name(w, 12, name);
	memcpy(w + n, "\0\1\0\1", 4);
	n += 4;
	if (addr != NULL) {
		assert_int_equal(
		    sscanf(addr, "%u.%u.%u.%u", &a1, &a2, &a3, &a4), 4);
		n = put_name(w, n, name);
		memcpy(w + n, "\0\1\0\1\0\0\1\x2c\0\4", 10);
		n += 10;
		w[n++] = (uint8_t)a1;
		w[n++] = (uint8_t)a2;
		w[n++] = (uint8_t)a3;
		w[n++] = (uint8_t)a4;
	}
	if (soa) {
		memcpy(w + n, soa_rr, sizeof(soa_rr));
		n += sizeof(soa_rr);
	}
	assert_int_equal(bmx_dnsmsg_parse(w, n, ID, name, BMX_DNS_TYPE_A,
			     "127.0.0.1:53", &a),
	    BMX_DNSMSG_ANSWER);
	assert_non_null(a);
	return a;
}

static void
test_parse_nosoa(void **state)
{
	struct bmx_answer *a;

	(void)state;
	a = answer("x.org", 0, NULL, false);
	assert_int_equal(a->status, BMX_DNS_NODATA);
	assert_true(a->nosoa);
	bmx_answer_unref(a);
	a = answer("x.org", 0, NULL, true);
	assert_int_equal(a->status, BMX_DNS_NODATA);
	assert_false(a->nosoa);
	assert_int_equal(a->ttl, 300);
	bmx_answer_unref(a);
	a = answer("x.org", 3, NULL, false);
	assert_int_equal(a->status, BMX_DNS_NXDOMAIN);
	assert_true(a->nosoa);
	bmx_answer_unref(a);
	a = answer("x.org", 0, "8.8.8.8", false);
	assert_int_equal(a->status, BMX_DNS_OK);
	assert_false(a->nosoa);
	bmx_answer_unref(a);
}

/* Nothing known: everything believed; a negative answer with SOA arms
 * the fingerprint. */
static void
test_fingerprint(void **state)
{
	struct bmx_guard *g = bmx_guard_new();
	struct bmx_answer *soa = answer("a.org", 0, NULL, true);
	struct bmx_answer *bare = answer("b.org", 0, NULL, false);
	struct bmx_guard_status st;
	char text[2048];

	(void)state;
	assert_non_null(g);
	assert_false(bmx_guard_distrust_empty(g));
	bmx_guard_note(g, bare);
	assert_false(bmx_guard_distrust_empty(g));
	bmx_guard_note(g, soa);
	assert_true(bmx_guard_distrust_empty(g));
	assert_false(bmx_guard_filters(g));
	bmx_guard_note(g, bare);
	bmx_guard_get_status(g, &st);
	assert_true(st.negatives_have_soa);
	assert_int_equal(st.empty_nosoa, 2);
	bmx_guard_describe(&st, "127.0.0.1", text, sizeof(text));
	assert_non_null(strstr(text, "Resolver 127.0.0.1 sent 2 empty"));
	assert_non_null(strstr(text, "--stop-dns-rebind"));
	bmx_answer_unref(soa);
	bmx_answer_unref(bare);
	bmx_guard_free(g);
}

/* The private canary decides, whatever the fingerprints say. */
static void
test_private_canary(void **state)
{
	struct bmx_guard *g = bmx_guard_new();
	struct bmx_answer *empty = answer("c.org", 0, NULL, false);
	struct bmx_answer *found = answer("c.org", 0, "10.53.0.1", false);
	struct bmx_answer *soa = answer("d.org", 3, NULL, true);
	struct bmx_answer *fail =
	    bmx_answer_error("c.org", BMX_DNS_TYPE_A, BMX_DNS_TEMPFAIL, "x");
	struct bmx_guard_status st;
	char text[2048];

	(void)state;
	bmx_guard_note(g, soa);
	bmx_guard_private_answer(g, "c.org", found, 0);
	assert_false(bmx_guard_distrust_empty(g));
	assert_false(bmx_guard_filters(g));
	bmx_guard_private_answer(g, "c.org", empty, -1);
	assert_true(bmx_guard_filters(g));
	assert_true(bmx_guard_distrust_empty(g));
	/* a timeout does not clear what was found */
	bmx_guard_private_answer(g, "c.org", fail, -1);
	assert_true(bmx_guard_filters(g));
	bmx_guard_get_status(g, &st);
	assert_int_equal(st.private_canary, BMX_CANARY_FAIL);
	assert_string_equal(st.private_name, "c.org");
	bmx_guard_describe(&st, "127.0.0.1", text, sizeof(text));
	assert_non_null(strstr(text, "removes private addresses"));
	assert_non_null(strstr(text, "private-address"));
	assert_non_null(strstr(text, "--rebind-domain-ok"));
	assert_non_null(strstr(text, "systemd-resolved"));
	/* public addresses only: not a private canary, nothing learnt */
	bmx_guard_private_answer(g, "c.org", soa, -1);
	assert_false(bmx_guard_filters(g));
	bmx_answer_unref(empty);
	bmx_answer_unref(found);
	bmx_answer_unref(soa);
	bmx_answer_unref(fail);
	bmx_guard_free(g);
}

static void
test_nxdomain_canary(void **state)
{
	struct bmx_guard *g = bmx_guard_new();
	struct bmx_answer *nx = answer("bogusmx-canary-x", 3, NULL, true);
	struct bmx_answer *rw =
	    answer("bogusmx-canary-y", 0, "23.45.67.89", false);
	struct bmx_guard_status st;
	struct bmx_ip ip;
	char text[2048];

	(void)state;
	bmx_guard_nxdomain_answer(g, nx);
	bmx_guard_get_status(g, &st);
	assert_int_equal(st.nxdomain_canary, BMX_CANARY_PASS);
	assert_true(st.negatives_have_soa);
	assert_true(bmx_ip_parse("23.45.67.89", &ip));
	assert_false(bmx_guard_rewritten(g, &ip));
	bmx_guard_nxdomain_answer(g, rw);
	bmx_guard_nxdomain_answer(g, rw);
	assert_true(bmx_guard_rewritten(g, &ip));
	bmx_guard_get_status(g, &st);
	assert_int_equal(st.nxdomain_canary, BMX_CANARY_FAIL);
	assert_int_equal(st.nrewrite, 1);
	bmx_guard_describe(&st, "127.0.0.1", text, sizeof(text));
	assert_non_null(strstr(text, "rewrites NXDOMAIN"));
	assert_non_null(strstr(text, "23.45.67.89"));
	bmx_guard_count_untrusted(g);
	bmx_guard_count_deferral(g);
	bmx_guard_round_done(g);
	bmx_guard_get_status(g, &st);
	assert_int_equal(st.untrusted, 1);
	assert_int_equal(st.deferrals, 1);
	assert_int_equal(st.canary_runs, 1);
	bmx_answer_unref(nx);
	bmx_answer_unref(rw);
	bmx_guard_free(g);
}

/* Hosts with only 0.0.0.0 or ::, what blocking resolvers answer:
 * counted, and a finding in plain words. */
static void
test_unspecified(void **state)
{
	struct bmx_guard *g = bmx_guard_new();
	struct bmx_guard_status st;
	char text[2048];

	(void)state;
	bmx_guard_get_status(g, &st);
	bmx_guard_describe(&st, "127.0.0.1", text, sizeof(text));
	assert_string_equal(text, "");
	bmx_guard_count_unspecified(g);
	bmx_guard_count_unspecified(g);
	bmx_guard_count_deferral(g);
	bmx_guard_get_status(g, &st);
	assert_int_equal(st.unspecified, 2);
	assert_int_equal(st.deferrals, 1);
	assert_int_equal(st.untrusted, 0);
	bmx_guard_describe(&st, "127.0.0.1", text, sizeof(text));
	assert_non_null(strstr(text,
	    "Resolver 127.0.0.1 answered 0.0.0.0 or :: alone for the MX "
	    "hosts of 2 recipients"));
	assert_non_null(strstr(text, "block"));
	bmx_guard_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nosoa),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_private_canary),
		cmocka_unit_test(test_nxdomain_canary),
		cmocka_unit_test(test_unspecified),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
