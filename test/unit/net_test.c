/*
 * net_test.c - unit tests of lib/net (prefixes: parse, contain) and of
 * lib/ip's conversion from socket addresses, which the exempt-clients
 * check of the milter feeds into bmx_net_contains().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "net.h"

struct parse_case {
	const char *text;
	bool ok;
	unsigned bits;	 /* when ok */
	const char *err; /* when not */
};

static const struct parse_case parse_cases[] = {
	{ "192.0.2.0/24", true, 24, NULL },
	{ "192.0.2.7", true, 32, NULL },
	{ "0.0.0.0/0", true, 0, NULL },
	{ "10.0.0.0/8", true, 8, NULL },
	{ "2001:db8::/32", true, 32, NULL },
	{ "::1", true, 128, NULL },
	{ "::/0", true, 0, NULL },
	{ "192.0.2.1/24", false, 0,
	    "non-null host bits, perhaps you should use 192.0.2.0/24" },
	{ "10.1.2.3/8", false, 0,
	    "non-null host bits, perhaps you should use 10.0.0.0/8" },
	{ "2001:db8::1/32", false, 0,
	    "non-null host bits, perhaps you should use 2001:db8::/32" },
	{ "192.0.2.0/33", false, 0, "bad prefix length: use 0..32" },
	{ "2001:db8::/129", false, 0, "bad prefix length: use 0..128" },
	{ "192.0.2.0/", false, 0, "bad prefix length: use 0..32" },
	{ "192.0.2.0/-1", false, 0, "bad prefix length: use 0..32" },
	{ "192.0.2.0/24x", false, 0, "bad prefix length: use 0..32" },
	{ "192.0.2.0/ 24", false, 0, "bad prefix length: use 0..32" },
	{ "192.0.2.0/99999999999999999999", false, 0,
	    "bad prefix length: use 0..32" },
	{ "192.0.2/24", false, 0, "not an address or network" },
	{ "example.com", false, 0, "not an address or network" },
	{ "", false, 0, "not an address or network" },
	{ "/24", false, 0, "not an address or network" },
	{ "[::1]", false, 0, "not an address or network" },
};

static void
test_parse(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct bmx_net n;
		char err[256] = "";
		bool ok = bmx_net_parse(c->text, &n, err, sizeof(err));

		if (ok != c->ok || (ok && n.bits != c->bits) ||
		    (!ok && strcmp(err, c->err) != 0)) {
			print_error("\"%s\": %s (bits %u) \"%s\"\n", c->text,
			    ok ? "ok" : "error", ok ? n.bits : 0, err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

struct contains_case {
	const char *net, *ip;
	bool in;
};

static const struct contains_case contains_cases[] = {
	{ "192.0.2.0/24", "192.0.2.0", true },
	{ "192.0.2.0/24", "192.0.2.255", true },
	{ "192.0.2.0/24", "192.0.3.0", false },
	{ "192.0.2.0/24", "192.0.1.255", false },
	{ "10.0.0.0/9", "10.127.255.255", true },
	{ "10.0.0.0/9", "10.128.0.0", false },
	{ "192.0.2.7", "192.0.2.7", true },
	{ "192.0.2.7", "192.0.2.6", false },
	{ "0.0.0.0/0", "203.0.113.9", true },
	{ "0.0.0.0/0", "::1", false },	/* the other family */
	{ "::/0", "192.0.2.1", false }, /* the other family */
	{ "::/0", "2001:db8::1", true },
	{ "::ffff:0:0/96", "192.0.2.1", false }, /* no unwrapping here */
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::", false },
	{ "2001:db8::1", "2001:db8::1", true },
	{ "2001:db8::1", "2001:db8::2", false },
};

static void
test_contains(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(contains_cases) / sizeof(contains_cases[0]);
	     i++) {
		const struct contains_case *c = &contains_cases[i];
		struct bmx_net n;
		struct bmx_ip ip;
		char err[256];

		assert_true(bmx_net_parse(c->net, &n, err, sizeof(err)));
		assert_true(bmx_ip_parse(c->ip, &ip));
		if (bmx_net_contains(&n, &ip) != c->in) {
			print_error("%s in %s: want %s\n", c->ip, c->net,
			    c->in ? "yes" : "no");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void
test_from_sockaddr(void **state)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	struct bmx_ip ip, want, before;
	char buf[BMX_IP_STRLEN];

	(void)state;
	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	in4.sin_port = htons(25);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.25", &in4.sin_addr), 1);
	assert_true(bmx_ip_from_sockaddr((struct sockaddr *)&in4, &ip));
	assert_true(bmx_ip_parse("192.0.2.25", &want));
	assert_true(bmx_ip_equal(&ip, &want));
	assert_string_equal(bmx_ip_format(&ip, buf, sizeof(buf)), "192.0.2.25");

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(25);
	in6.sin6_scope_id = 3;
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr), 1);
	assert_true(bmx_ip_from_sockaddr((struct sockaddr *)&in6, &ip));
	assert_int_equal(ip.family, BMX_IP_V6);
	assert_string_equal(bmx_ip_format(&ip, buf, sizeof(buf)), "fe80::1");

	/* a mapped address stays what it is: IPv6 */
	assert_int_equal(
	    inet_pton(AF_INET6, "::ffff:192.0.2.25", &in6.sin6_addr), 1);
	assert_true(bmx_ip_from_sockaddr((struct sockaddr *)&in6, &ip));
	assert_int_equal(ip.family, BMX_IP_V6);

	/* other families and NULL: false, *out untouched */
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_true(bmx_ip_parse("203.0.113.1", &before));
	ip = before;
	assert_false(bmx_ip_from_sockaddr((struct sockaddr *)&un, &ip));
	assert_true(bmx_ip_equal(&ip, &before));
	assert_false(bmx_ip_from_sockaddr(NULL, &ip));
	assert_true(bmx_ip_equal(&ip, &before));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_from_sockaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
