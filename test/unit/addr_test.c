/*
 * addr_test.c - unit tests of lib/addr: recipient forms, domain
 * normalisation (case, trailing dot, IDNA2008), address literals, limits,
 * the error messages, and a run of random garbage for the sanitizers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "resolve.h"

#define OK BMX_ADDR_OK
#define SYNTAX BMX_ADDR_SYNTAX
#define TOOLONG BMX_ADDR_TOOLONG
#define IDN BMX_ADDR_IDN
#define UNSUPP BMX_ADDR_UNSUPPORTED

#define DOM BMX_ADDR_DOMAIN
#define LIT BMX_ADDR_LITERAL
#define NODOM BMX_ADDR_NODOMAIN

struct addr_case {
	const char *in;
	enum bmx_addr_status status;
	enum bmx_addr_kind kind;
	const char *mailbox;
	const char *domain; /* or the literal's address, for LITERAL */
	bool idn;
	const char *err; /* NULL: not checked; ending in '*': a prefix */
};

static const struct addr_case cases[] = {
	/* forms */
	{ "<user@example.com>", OK, DOM, "user@example.com", "example.com",
	    false, "" },
	{ "user@example.com", OK, DOM, "user@example.com", "example.com", false,
	    NULL },
	{ "<@a.example,@b.example:user@example.com>", OK, DOM,
	    "user@example.com", "example.com", false, NULL },
	{ "<@a.example:user@example.com>", OK, DOM, "user@example.com",
	    "example.com", false, NULL },
	{ "<@[192.0.2.1],@b:user@example.com>", OK, DOM, "user@example.com",
	    "example.com", false, NULL },
	{ "<@[IPv6:::1]:user@example.com>", OK, DOM, "user@example.com",
	    "example.com", false, NULL },
	{ "<\"a@b\"@example.com>", OK, DOM, "\"a@b\"@example.com",
	    "example.com", false, NULL },
	{ "\"a\\\"@x\"@example.com", OK, DOM, "\"a\\\"@x\"@example.com",
	    "example.com", false, NULL },
	{ "\"a b\"@example.com", OK, DOM, "\"a b\"@example.com", "example.com",
	    false, NULL },
	{ "\"a\\\\\"@example.com", OK, DOM, "\"a\\\\\"@example.com",
	    "example.com", false, NULL },
	{ "a@b@example.com", OK, DOM, "a@b@example.com", "example.com", false,
	    NULL },
	{ "first.last+tag@example.com", OK, DOM, "first.last+tag@example.com",
	    "example.com", false, NULL },
	{ "<\"<x>\"@example.com>", OK, DOM, "\"<x>\"@example.com",
	    "example.com", false, NULL },

	/* no domain */
	{ "<>", OK, NODOM, "", "", false, NULL },
	{ "<postmaster>", OK, NODOM, "postmaster", "", false, NULL },
	{ "<PostMaster>", OK, NODOM, "PostMaster", "", false, NULL },
	{ "POSTMASTER", OK, NODOM, "POSTMASTER", "", false, NULL },
	{ "<postmaster@Example.com>", OK, DOM, "postmaster@Example.com",
	    "example.com", false, NULL },
	{ "<postmasters>", SYNTAX, 0, NULL, NULL, false,
	    "missing \"@domain\" in \"<postmasters>\"" },
	{ "<user>", SYNTAX, 0, NULL, NULL, false,
	    "missing \"@domain\" in \"<user>\"" },

	/* case and the trailing dot */
	{ "<User@Example.COM.>", OK, DOM, "User@Example.COM", "example.com",
	    false, NULL },
	{ "user@example.com.", OK, DOM, "user@example.com", "example.com",
	    false, NULL },
	{ "user@example.com..", SYNTAX, 0, NULL, NULL, false,
	    "empty label in \"example.com..\"" },
	{ "user@.", SYNTAX, 0, NULL, NULL, false, "empty domain name" },
	{ "user@.example.com", SYNTAX, 0, NULL, NULL, false,
	    "empty label in \".example.com\"" },
	{ "user@a..b", SYNTAX, 0, NULL, NULL, false,
	    "empty label in \"a..b\"" },
	{ "user@xn--BCHER-kva.Example", OK, DOM, "user@xn--BCHER-kva.Example",
	    "xn--bcher-kva.example", false, NULL },
	{ "user@_dmarc.ex-ample.com", OK, DOM, "user@_dmarc.ex-ample.com",
	    "_dmarc.ex-ample.com", false, NULL },

	/* syntax */
	{ "", SYNTAX, 0, NULL, NULL, false, "empty address" },
	{ "@example.com", SYNTAX, 0, NULL, NULL, false,
	    "empty local part in \"@example.com\"" },
	{ "<@example.com>", SYNTAX, 0, NULL, NULL, false, "empty local part*" },
	{ "<@a,b:user@example.com>", SYNTAX, 0, NULL, NULL, false,
	    "malformed source route in \"<@a,b:user@example.com>\"" },
	{ "<@a:>", SYNTAX, 0, NULL, NULL, false,
	    "nothing after source route in \"<@a:>\"" },
	{ "user@", SYNTAX, 0, NULL, NULL, false,
	    "missing domain after '@' in \"user@\"" },
	{ "<user@example.com", SYNTAX, 0, NULL, NULL, false,
	    "unbalanced '<' in \"<user@example.com\"" },
	{ "user@example.com>", SYNTAX, 0, NULL, NULL, false,
	    "unbalanced '>' in \"user@example.com>\"" },
	{ "<<user@example.com>>", SYNTAX, 0, NULL, NULL, false,
	    "unbalanced '<'*" },
	{ "<", SYNTAX, 0, NULL, NULL, false, NULL },
	{ "<\"a>", SYNTAX, 0, NULL, NULL, false,
	    "unterminated quoted string in \"<\\\"a>\"" },
	{ "\"user@example.com", SYNTAX, 0, NULL, NULL, false,
	    "unterminated quoted string*" },
	{ "\"a\\\"@example.com", SYNTAX, 0, NULL, NULL, false,
	    "unterminated quoted string*" },
	{ "a\"b@example.com", SYNTAX, 0, NULL, NULL, false,
	    "unterminated quoted string*" },
	{ " <user@example.com>", SYNTAX, 0, NULL, NULL, false,
	    "space outside quotes in \" <user@example.com>\"" },
	{ "<user@example.com> ", SYNTAX, 0, NULL, NULL, false,
	    "space outside quotes*" },
	{ "user name@example.com", SYNTAX, 0, NULL, NULL, false,
	    "space outside quotes*" },
	{ "user@a b.example", SYNTAX, 0, NULL, NULL, false,
	    "space outside quotes*" },
	{ "us\\er@example.com", SYNTAX, 0, NULL, NULL, false,
	    "backslash outside quotes*" },
	{ "user@exa!mple.com", SYNTAX, 0, NULL, NULL, false,
	    "invalid character '!' in domain \"exa!mple.com\"" },
	{ "user@\"example\".com", SYNTAX, 0, NULL, NULL, false,
	    "invalid character '\"'*" },
	{ "user@example.com\r\n", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x0d in address" },
	{ "user@exa\tmple.com", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x09 in address" },
	{ "\"a\nb\"@example.com", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x0a in address" },
	{ "user@example.com\x7f", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x7f in address" },

	/* SMTPUTF8 and IDNA2008 */
	{ "<jöran@example.com>", OK, DOM, "jöran@example.com", "example.com",
	    false, NULL },
	{ "j\xf6ran@example.com", SYNTAX, 0, NULL, NULL, false,
	    "local part is not valid UTF-8" },
	{ "\"\xc0\xaf\"@example.com", SYNTAX, 0, NULL, NULL, false,
	    "local part is not valid UTF-8" },
	{ "user@bücher.example", OK, DOM, "user@bücher.example",
	    "xn--bcher-kva.example", true, NULL },
	{ "<user@BÜCHER.Example.>", OK, DOM, "user@BÜCHER.Example",
	    "xn--bcher-kva.example", true, NULL },
	{ "user@faß.de", OK, DOM, "user@faß.de", "xn--fa-hia.de", true, NULL },
	{ "user@bücher。example", OK, DOM, "user@bücher。example",
	    "xn--bcher-kva.example", true, NULL },
	{ "user@b\xfc"
	  "cher.example",
	    IDN, 0, NULL, NULL, false, "domain is not valid UTF-8" },
	{ "user@\xed\xa0\x80.example", IDN, 0, NULL, NULL, false,
	    "domain is not valid UTF-8" },
	{ "user@☃.net", IDN, 0, NULL, NULL, false,
	    "IDNA2008 refuses \"☃.net\": *" },
	{ "user@ab--ü.de", IDN, 0, NULL, NULL, false,
	    "IDNA2008 refuses \"ab--ü.de\": *" },
	{ "user@bü..example", SYNTAX, 0, NULL, NULL, false,
	    "empty label in \"bü..example\"" },
	{ "user@bü!.example", SYNTAX, 0, NULL, NULL, false,
	    "invalid character '!' in domain \"bü!.example\"" },

	/* address literals */
	{ "user@[192.0.2.1]", OK, LIT, "user@[192.0.2.1]", "192.0.2.1", false,
	    NULL },
	{ "<user@[127.0.0.1]>", OK, LIT, "user@[127.0.0.1]", "127.0.0.1", false,
	    NULL },
	{ "user@[IPv6:2001:db8::1]", OK, LIT, "user@[IPv6:2001:db8::1]",
	    "2001:db8::1", false, NULL },
	{ "user@[ipv6:::1]", OK, LIT, "user@[ipv6:::1]", "::1", false, NULL },
	{ "user@[IPV6:::ffff:127.0.0.1]", OK, LIT,
	    "user@[IPV6:::ffff:127.0.0.1]", "::ffff:127.0.0.1", false, NULL },
	{ "user@[IPv6:1.2.3.4]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv6 address literal \"[IPv6:1.2.3.4]\"" },
	{ "user@[1:2::3]", SYNTAX, 0, NULL, NULL, false,
	    "IPv6 address literal without \"IPv6:\": \"[1:2::3]\"" },
	{ "user@[::1]", SYNTAX, 0, NULL, NULL, false, NULL },
	{ "user@[x-foo:bar]", UNSUPP, 0, NULL, NULL, false,
	    "unsupported address literal \"[x-foo:bar]\"" },
	{ "user@[Tag-1:a:b\"c]", SYNTAX, 0, NULL, NULL, false,
	    "unterminated quoted string*" },
	{ "user@[tag-:x]", SYNTAX, 0, NULL, NULL, false,
	    "invalid address literal \"[tag-:x]\"" },
	{ "user@[tag:]", SYNTAX, 0, NULL, NULL, false,
	    "invalid address literal*" },
	{ "user@[t_g:x]", SYNTAX, 0, NULL, NULL, false,
	    "invalid address literal*" },
	{ "user@[tag:\xc3\xbc]", SYNTAX, 0, NULL, NULL, false,
	    "invalid address literal*" },
	{ "user@[010.0.0.1]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal \"[010.0.0.1]\"" },
	{ "user@[192.0.2.256]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal*" },
	{ "user@[192.0.2]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal*" },
	{ "user@[IPv6:fe80::1%eth0]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv6 address literal*" },
	{ "user@[]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal \"[]\"" },
	{ "user@[192.0.2.1", SYNTAX, 0, NULL, NULL, false,
	    "unterminated address literal \"[192.0.2.1\"" },
	{ "user@[192.0.2.1].", SYNTAX, 0, NULL, NULL, false,
	    "text after address literal \"[192.0.2.1].\"" },
	{ "user@[[192.0.2.1]]", SYNTAX, 0, NULL, NULL, false, NULL },
	{ "user@192.0.2.1]", SYNTAX, 0, NULL, NULL, false,
	    "invalid character ']'*" },

	/* hostile input: reply injection, '%', 8-bit bytes (issue 7) */
	{ "<user@hot.de\r\n250 OK>", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x0d in address" },
	{ "<user@hot.de>\n250 OK", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x0a in address" },
	{ "<\"a\r\n250 OK\"@hot.de>", SYNTAX, 0, NULL, NULL, false,
	    "control character 0x0d in address" },
	{ "<100%@hot.de>", OK, DOM, "100%@hot.de", "hot.de", false, "" },
	{ "<%s%n@hot.de>", OK, DOM, "%s%n@hot.de", "hot.de", false, "" },
	{ "<u%hot.de@relay.example>", OK, DOM, "u%hot.de@relay.example",
	    "relay.example", false, "" },
	{ "u@hot%.de", SYNTAX, 0, NULL, NULL, false,
	    "invalid character '%' in domain \"hot%.de\"" },
	{ "u@[127.0.0.1%lo]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal \"[127.0.0.1%lo]\"" },
	{ "<\xc3\xa9t\xc3\xa9@hot.de>", OK, DOM, "\xc3\xa9t\xc3\xa9@hot.de",
	    "hot.de", false, "" },
	{ "<\xe9t\xe9@hot.de>", SYNTAX, 0, NULL, NULL, false,
	    "local part is not valid UTF-8" },
	{ "<u@h\xf4t.de>", IDN, 0, NULL, NULL, false,
	    "domain is not valid UTF-8" },
	{ "<u@h\xc3\xb4t.de\xff>", IDN, 0, NULL, NULL, false,
	    "domain is not valid UTF-8" },
	{ "u@[192.0.2.\xc2\xb9]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv4 address literal \"[192.0.2.\xc2\xb9]\"" },
	{ "u@[IPv6:::1\x80]", SYNTAX, 0, NULL, NULL, false,
	    "invalid IPv6 address literal \"[IPv6:::1\\x80]\"" },
};

/* Does got match want: exactly, or as a prefix when want ends in '*'? */
static bool
msg_match(const char *want, const char *got)
{
	size_t n = strlen(want);

	if (n > 0 && want[n - 1] == '*')
		return strncmp(want, got, n - 1) == 0;
	return strcmp(want, got) == 0;
}

static void
test_parse(void **state)
{
	char err[256], ip[BMX_IP_STRLEN];
	enum bmx_addr_status st;
	struct bmx_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct addr_case *c = &cases[i];

		memset(err, 'x', sizeof(err));
		st = bmx_addr_parse(c->in, &a, err, sizeof(err));
		if (st != c->status)
			fail_msg("\"%s\": want %s, got %s (%s)", c->in,
			    bmx_addr_status_name(c->status),
			    bmx_addr_status_name(st), err);
		if (c->err != NULL && !msg_match(c->err, err))
			fail_msg("\"%s\": want message \"%s\", got \"%s\"",
			    c->in, c->err, err);
		if (st != BMX_ADDR_OK) {
			assert_true(err[0] != '\0');
			continue;
		}
		if (a.kind != c->kind || strcmp(a.mailbox, c->mailbox) != 0 ||
		    a.idn != c->idn)
			fail_msg("\"%s\": got kind %d mailbox \"%s\" idn %d",
			    c->in, (int)a.kind, a.mailbox, (int)a.idn);
		if (a.kind == BMX_ADDR_LITERAL) {
			bmx_ip_format(&a.literal, ip, sizeof(ip));
			if (strcmp(ip, c->domain) != 0 || a.domain[0] != '\0')
				fail_msg("\"%s\": got literal %s domain \"%s\"",
				    c->in, ip, a.domain);
		} else if (strcmp(a.domain, c->domain) != 0)
			fail_msg("\"%s\": want domain \"%s\", got \"%s\"",
			    c->in, c->domain, a.domain);
	}
}

/* Routing domains: each case's routes as "form:domain" joined by ' ',
 * a literal as "form:[address]"; or the error it must give. */
struct route_case {
	const char *in;
	enum bmx_addr_status status;
	const char *domain; /* the written domain */
	const char *routes; /* or the error message (a '*' ends a prefix) */
};

static const struct route_case route_cases[] = {
	/* a plain address has none */
	{ "user@example.com", OK, "example.com", "" },
	{ "\"a b\"@example.com", OK, "example.com", "" },
	{ "first.last+tag@example.com", OK, "example.com", "" },
	/* the four forms Postfix routes by, and source routes */
	{ "user%hot.de@example.com", OK, "example.com", "percent hack:hot.de" },
	{ "hot.de!user@example.com", OK, "example.com", "bang path:hot.de" },
	{ "user@hot.de@example.com", OK, "example.com",
	    "user@dom@local:hot.de" },
	{ "<\"user@hot.de\"@example.com>", OK, "example.com", "quoted:hot.de" },
	{ "<@a.example,@b.example:user@example.com>", OK, "example.com",
	    "source route:a.example source route:b.example" },
	{ "<@[192.0.2.1],@b:user@example.com>", OK, "example.com",
	    "source route:[192.0.2.1] source route:b" },
	{ "<@[IPv6:::1]:user@example.com>", OK, "example.com",
	    "source route:[::1]" },
	/* case, trailing dots, IDN, literals in the local part */
	{ "user%Hot.DE.@example.com", OK, "example.com",
	    "percent hack:hot.de" },
	{ "user%bücher.example@example.com", OK, "example.com",
	    "percent hack:xn--bcher-kva.example" },
	{ "user%[127.0.0.1]@example.com", OK, "example.com",
	    "percent hack:[127.0.0.1]" },
	{ "\"user@[IPv6:::1]\"@example.com", OK, "example.com",
	    "quoted:[::1]" },
	/* nested forms, outside in, as Postfix takes them apart */
	{ "user%b.example%c.example@example.com", OK, "example.com",
	    "percent hack:c.example percent hack:b.example" },
	{ "a.example!b.example!user@example.com", OK, "example.com",
	    "bang path:a.example bang path:b.example" },
	{ "a.example!user%b.example@example.com", OK, "example.com",
	    "bang path:a.example percent hack:b.example" },
	{ "user%b.example@a.example@example.com", OK, "example.com",
	    "user@dom@local:a.example percent hack:b.example" },
	{ "<\"b.example!user\"@example.com>", OK, "example.com",
	    "bang path:b.example" },
	{ "<@r.example:user%hot.de@example.com>", OK, "example.com",
	    "source route:r.example percent hack:hot.de" },
	/* empty hops: "user@" is the local domain to Postfix */
	{ "<100%@hot.de>", OK, "hot.de", "" },
	{ "!user@hot.de", OK, "hot.de", "" },
	{ "%hot.de@example.com", OK, "example.com", "percent hack:hot.de" },
	{ "<%s%n@hot.de>", OK, "hot.de", "percent hack:n percent hack:s" },
	/* what cannot be parsed is an error, never a guess */
	{ "user%hot..de@example.com", SYNTAX, NULL,
	    "percent hack: empty label in \"hot..de\"" },
	{ "user%foo+bar@example.com", SYNTAX, NULL,
	    "percent hack: invalid character '+' in domain \"foo+bar\"" },
	{ "hot_de,x!user@example.com", SYNTAX, NULL,
	    "bang path: invalid character ','*" },
	{ "user%[127.0.0.1@example.com", SYNTAX, NULL,
	    "percent hack: unterminated address literal*" },
	{ "user%[x-foo:bar]@example.com", SYNTAX, NULL,
	    "percent hack: unsupported address literal*" },
	{ "\"user@\"@example.com", OK, "example.com", "" },
	{ "\"user@a..b\"@example.com", SYNTAX, NULL,
	    "quoted: empty label in \"a..b\"" },
	{ "user@a..b@example.com", SYNTAX, NULL,
	    "user@dom@local: empty label*" },
	{ "user%☃.net@example.com", IDN, NULL,
	    "percent hack: IDNA2008 refuses*" },
	{ "u%a%b%c%d%e%f%g%h%i@example.com", TOOLONG, NULL,
	    "more than 8 routing domains" },
	{ "u%a%b%c%d%e%f%g%h@example.com", OK, "example.com",
	    "percent hack:h percent hack:g percent hack:f percent hack:e "
	    "percent hack:d percent hack:c percent hack:b percent hack:a" },
};

static void
test_routes(void **state)
{
	char err[256], got[1024], ip[BMX_IP_STRLEN];
	enum bmx_addr_status st;
	struct bmx_addr a;
	size_t i, k, o;

	(void)state;
	for (i = 0; i < sizeof(route_cases) / sizeof(route_cases[0]); i++) {
		const struct route_case *c = &route_cases[i];

		st = bmx_addr_parse(c->in, &a, err, sizeof(err));
		if (st != c->status)
			fail_msg("\"%s\": want %s, got %s (%s)", c->in,
			    bmx_addr_status_name(c->status),
			    bmx_addr_status_name(st), err);
		if (st != BMX_ADDR_OK) {
			if (!msg_match(c->routes, err))
				fail_msg("\"%s\": want message \"%s\", got "
					 "\"%s\"",
				    c->in, c->routes, err);
			continue;
		}
		assert_string_equal(a.domain, c->domain);
		got[0] = '\0';
		for (k = 0, o = 0; k < a.nroutes; k++) {
			const struct bmx_route *r = &a.routes[k];

			if (r->literal)
				snprintf(ip, sizeof(ip), "[%s]",
				    bmx_ip_format(&r->ip, err, sizeof(err)));
			o += (size_t)snprintf(got + o, sizeof(got) - o,
			    "%s%s:%s", k ? " " : "",
			    bmx_route_form_name(r->form),
			    r->literal ? ip : r->domain);
		}
		if (strcmp(got, c->routes) != 0)
			fail_msg("\"%s\": want routes \"%s\", got \"%s\"",
			    c->in, c->routes, got);
	}
}

/* MX targets that are addresses: literals, and what inet_aton reads. */
static void
test_mx_literal(void **state)
{
	static const struct {
		const char *name, *want; /* want NULL: a name */
	} mx[] = {
		{ "127.0.0.1", "127.0.0.1" },
		{ "[127.0.0.1]", "127.0.0.1" },
		{ "[IPv6:::1]", "::1" },
		{ "127.1", "127.0.0.1" },
		{ "127.0.1", "127.0.0.1" },
		{ "2130706433", "127.0.0.1" },
		{ "0x7f.0.0.1", "127.0.0.1" },
		{ "0X7F.1", "127.0.0.1" },
		{ "0177.0.0.1", "127.0.0.1" },
		{ "010.0.0.1", "8.0.0.1" },
		{ "0x7f000001", "127.0.0.1" },
		{ "10.0x10203", "10.1.2.3" },
		{ "0", "0.0.0.0" },
		{ "4294967295", "255.255.255.255" },
		{ "4294967296", NULL },
		{ "256.1", NULL },
		{ "1.2.65536", NULL },
		{ "1.2.3.256", NULL },
		{ "1.2.3.4.5", NULL },
		{ "08.0.0.1", NULL },
		{ "0x", NULL },
		{ "0x7g.0.0.1", NULL },
		{ "127..1", NULL },
		{ "127.1.", NULL },
		{ "", NULL },
		{ "mail.example.com", NULL },
		{ "1e2", NULL },
		{ "[127.1]", NULL },
	};
	char buf[BMX_IP_STRLEN];
	struct bmx_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mx) / sizeof(mx[0]); i++) {
		bool got = bmx_mx_literal(mx[i].name, &ip);

		if (got != (mx[i].want != NULL))
			fail_msg("\"%s\": want %s, got %s", mx[i].name,
			    mx[i].want ? mx[i].want : "a name",
			    got ? bmx_ip_format(&ip, buf, sizeof(buf)) :
				  "a name");
		if (got &&
		    strcmp(bmx_ip_format(&ip, buf, sizeof(buf)), mx[i].want) !=
			0)
			fail_msg("\"%s\": want %s, got %s", mx[i].name,
			    mx[i].want, buf);
	}
}

static void
test_literal_family(void **state)
{
	struct bmx_addr a;
	char err[256];

	(void)state;
	assert_int_equal(
	    bmx_addr_parse("u@[192.0.2.1]", &a, err, sizeof(err)), BMX_ADDR_OK);
	assert_int_equal(a.literal.family, BMX_IP_V4);
	assert_int_equal(
	    bmx_addr_parse("u@[IPv6:::1]", &a, err, sizeof(err)), BMX_ADDR_OK);
	assert_int_equal(a.literal.family, BMX_IP_V6);
}

/* A string of n copies of c, in a static buffer (one at a time). */
static char *
fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* A name of exactly n octets made of 63-octet labels: "aaa...a.aaa". */
static void
make_name(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (i % 64 == 63) ? '.' : 'a';
	if (n > 0 && buf[n - 1] == '.')
		buf[n - 1] = 'b';
	buf[n] = '\0';
}

static void
test_limits(void **state)
{
	char name[600], rcpt[1200], local[600], err[256];
	char out[BMX_DOMAIN_MAX + 1];
	struct bmx_addr a;

	(void)state;
	/* labels: 63 octets fine, 64 too long */
	snprintf(rcpt, sizeof(rcpt), "u@%s.example", fill(name, 'a', 63));
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_OK);
	snprintf(rcpt, sizeof(rcpt), "u@%s.example", fill(name, 'a', 64));
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_TOOLONG);
	assert_string_equal(err,
	    "label longer than 63 octets: "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");

	/* names: 253 octets fine, with or without the dot; 254 too long */
	make_name(name, 253);
	assert_int_equal(
	    bmx_domain_normalize(name, out, err, sizeof(err)), BMX_ADDR_OK);
	assert_string_equal(out, name);
	strcat(name, ".");
	assert_int_equal(
	    bmx_domain_normalize(name, out, err, sizeof(err)), BMX_ADDR_OK);
	assert_int_equal(strlen(out), 253);
	make_name(name, 254);
	assert_int_equal(bmx_domain_normalize(name, out, err, sizeof(err)),
	    BMX_ADDR_TOOLONG);
	assert_string_equal(err, "domain name longer than 253 octets");
	assert_string_equal(out, "");
	snprintf(rcpt, sizeof(rcpt), "<u@%s>", name);
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_TOOLONG);
	assert_string_equal(err, "domain name longer than 253 octets");

	/* the whole recipient: 512 octets fine, 513 too long */
	make_name(name, 253);
	snprintf(rcpt, sizeof(rcpt), "<%s@%s>", fill(local, 'u', 256), name);
	assert_int_equal(strlen(rcpt), BMX_RCPT_MAX);
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_OK);
	assert_int_equal(strlen(a.mailbox), BMX_RCPT_MAX - 2);
	assert_string_equal(a.domain, name);
	snprintf(rcpt, sizeof(rcpt), "<%s@%s>", fill(local, 'u', 257), name);
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_TOOLONG);
	assert_string_equal(err, "address longer than 512 octets");

	/* a U-label whose A-label is over 63 octets */
	snprintf(rcpt, sizeof(rcpt), "u@");
	for (size_t i = 0; i < 70; i++)
		strcat(rcpt, "ü");
	strcat(rcpt, ".de");
	assert_int_equal(
	    bmx_addr_parse(rcpt, &a, err, sizeof(err)), BMX_ADDR_TOOLONG);
	assert_true(
	    strncmp(err, "label longer than 63 octets in A-label form: \"ü",
		47) == 0);

	/* a short error buffer is truncated, never overrun */
	assert_int_equal(bmx_addr_parse("u@a..b", &a, err, 8), BMX_ADDR_SYNTAX);
	assert_string_equal(err, "empty l");
	assert_int_equal(
	    bmx_addr_parse("u@a..b", &a, NULL, 0), BMX_ADDR_SYNTAX);
}

/*
 * Hostile input that a table of C strings cannot hold: a NUL inside the
 * recipient (libmilter hands over C strings: what follows a NUL is never
 * seen), and U-label names whose A-label form is at or over the limits.
 */
static void
test_hostile(void **state)
{
	static const char nul[] = "<u@hot.de>\0\r\n250 OK";
	char name[600], rcpt[700], err[256], out[BMX_DOMAIN_MAX + 1];
	struct bmx_addr a;
	size_t i;

	(void)state;
	assert_true(sizeof(nul) > strlen(nul) + 1);
	assert_int_equal(
	    bmx_addr_parse(nul, &a, err, sizeof(err)), BMX_ADDR_OK);
	assert_string_equal(a.mailbox, "u@hot.de");
	assert_string_equal(a.domain, "hot.de");

	/* three labels of 63, then "ü" and k letters: the A-label form
	 * "xn--" k letters "-" and the code of "ü" is k + 8 octets */
	for (i = 0; i < 2; i++) {
		size_t k = 53 + i;

		make_name(name, 3 * 64 - 1);
		strcat(name, ".ü");
		fill(name + strlen(name), 'a', k);
		assert_int_equal(
		    bmx_domain_normalize(name, out, err, sizeof(err)),
		    i == 0 ? BMX_ADDR_OK : BMX_ADDR_TOOLONG);
		if (i == 0) {
			assert_int_equal(strlen(out), BMX_DOMAIN_MAX);
			assert_int_equal(strncmp(out + 3 * 64, "xn--", 4), 0);
		} else {
			assert_string_equal(
			    err, "domain name longer than 253 octets");
			assert_string_equal(out, "");
		}
	}
	/* one U-label whose A-label form is 63 octets, then 64 */
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "ü");
		fill(name + strlen(name), 'a', 55 + i);
		snprintf(rcpt, sizeof(rcpt), "<u@%s.de>", name);
		assert_int_equal(bmx_addr_parse(rcpt, &a, err, sizeof(err)),
		    i == 0 ? BMX_ADDR_OK : BMX_ADDR_TOOLONG);
		if (i == 0)
			assert_int_equal(
			    strlen(a.domain), BMX_LABEL_MAX + strlen(".de"));
		else
			assert_int_equal(strncmp(err,
					     "label longer than 63 octets in "
					     "A-label form: ",
					     44),
			    0);
	}
	/* an ASCII label of 64 as the last of a 253-octet name */
	make_name(name, 253 - 65);
	strcat(name, ".");
	fill(name + strlen(name), 'b', 64);
	assert_int_equal(strlen(name), 253);
	assert_int_equal(bmx_domain_normalize(name, out, err, sizeof(err)),
	    BMX_ADDR_TOOLONG);
	assert_int_equal(strncmp(err, "label longer than 63 octets: ", 29), 0);
}

struct norm_case {
	const char *in;
	enum bmx_addr_status status;
	const char *out;
	const char *err;
};

static const struct norm_case norm_cases[] = {
	{ "Example.COM", OK, "example.com", "" },
	{ "example.com.", OK, "example.com", "" },
	{ "mx1.example.com", OK, "mx1.example.com", "" },
	{ "localhost", OK, "localhost", "" },
	{ "xn--bcher-kva.example", OK, "xn--bcher-kva.example", "" },
	{ "bücher.example.", OK, "xn--bcher-kva.example", "" },
	{ "", SYNTAX, "", "empty domain name" },
	{ ".", SYNTAX, "", "empty domain name" },
	{ "..", SYNTAX, "", "empty label in \"..\"" },
	{ "example.com..", SYNTAX, "", "empty label in \"example.com..\"" },
	{ "a b.example", SYNTAX, "",
	    "invalid character ' ' in domain \"a b.example\"" },
	{ "a\rb.example", SYNTAX, "",
	    "invalid character 0x0d in domain \"a\\x0db.example\"" },
	{ "[192.0.2.1]", SYNTAX, "", "invalid character '['*" },
	{ "a@b", SYNTAX, "", "invalid character '@'*" },
	{ "b\xfc"
	  "cher.example",
	    IDN, "", "domain is not valid UTF-8" },
	{ "☃.net", IDN, "", "IDNA2008 refuses \"☃.net\": *" },
};

static void
test_normalize(void **state)
{
	char out[BMX_DOMAIN_MAX + 1], err[256], big[2000];
	enum bmx_addr_status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];

		st = bmx_domain_normalize(c->in, out, err, sizeof(err));
		if (st != c->status || strcmp(out, c->out) != 0 ||
		    !msg_match(c->err, err))
			fail_msg("\"%s\": want %s \"%s\" (%s), got %s \"%s\" "
				 "(%s)",
			    c->in, bmx_addr_status_name(c->status), c->out,
			    c->err, bmx_addr_status_name(st), out, err);
	}
	/* longer than any U-label form of a valid name can be */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(
	    bmx_domain_normalize(big, out, err, sizeof(err)), BMX_ADDR_TOOLONG);
	assert_string_equal(err, "domain name longer than 253 octets");
	/* a long quote is cut with "..." */
	big[40] = '!';
	big[100] = '\0';
	assert_int_equal(
	    bmx_domain_normalize(big, out, err, sizeof(err)), BMX_ADDR_SYNTAX);
	assert_string_equal(err,
	    "invalid character '!' in domain "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
}

static void
test_within(void **state)
{
	(void)state;
	assert_true(bmx_domain_within("a.b.example", "b.example"));
	assert_true(bmx_domain_within("b.example", "b.example"));
	assert_true(bmx_domain_within("x.localhost", "localhost"));
	assert_false(bmx_domain_within("xb.example", "b.example"));
	assert_false(bmx_domain_within("b.example", "a.b.example"));
	assert_false(bmx_domain_within("example", "b.example"));
	assert_false(bmx_domain_within("b.example", ""));
	assert_false(bmx_domain_within("", ""));
}

static void
test_status_name(void **state)
{
	(void)state;
	assert_string_equal(bmx_addr_status_name(BMX_ADDR_OK), "ok");
	assert_string_equal(bmx_addr_status_name(BMX_ADDR_SYNTAX), "syntax");
	assert_string_equal(bmx_addr_status_name(BMX_ADDR_TOOLONG), "too long");
	assert_string_equal(bmx_addr_status_name(BMX_ADDR_IDN), "idn");
	assert_string_equal(
	    bmx_addr_status_name(BMX_ADDR_UNSUPPORTED), "unsupported");
}

/* Is s a normalised domain: labels of 1..63 of [a-z0-9_-], <= 253? */
static bool
domain_ok(const char *s)
{
	size_t i, n = strlen(s), label = 0;

	if (n == 0 || n > BMX_DOMAIN_MAX)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > BMX_LABEL_MAX)
				return false;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			s[i] == '_'))
			return false;
		label++;
	}
	return true;
}

static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static const char *
pick(uint32_t *seed, const char *const *v, size_t n)
{
	return v[rnd(seed) % n];
}

#define PICK(seed, v) pick(seed, v, sizeof(v) / sizeof(v[0]))

/* Append p to s (len octets so far, room for max) without passing max. */
static size_t
put(char *s, size_t len, size_t max, const char *p)
{
	size_t k = strlen(p);

	if (k > max - len)
		k = max - len;
	memcpy(s + len, p, k);
	return len + k;
}

/*
 * Garbage in an exact-size heap buffer, so that the sanitizers see any
 * read past the end.  Half of it is raw octets and the characters that
 * matter to the parser; half is shaped like an address, with labels of
 * random length, so that the checks behind the first ones are reached.
 */
static char *
garbage(uint32_t *seed)
{
	static const char *const raw[] = { "<", ">", "\"", "@", "[", "]", ":",
		"\\", ".", ",", " ", "a", "B", "7", "-", "_", "ü", "☃", "\xff",
		"\xc3", "\x80", "\t", "\x7f", "IPv6:", "::1", "1.2.3.4",
		"postmaster", "xn--", "。" };
	static const char *const lch[] = { "a", "Z", "0", "-", "_", "ü", "ß",
		"☃", "\xc3", "\xff", "。", "!", " ", "\"", "\\", "@", "xn--",
		"A", "b", "c", "9" };
	static const char *const lit[] = { "[192.0.2.1]", "[IPv6:::1]",
		"[010.0.0.1]", "[x-tag:foo]", "[IPv6:1.2.3.4]", "[1:2::3]", "[",
		"[]", "[::", "[IPv6:", "[a:\\]" };
	char buf[1200];
	size_t max = rnd(seed) % 601, n = 0, labels, k, i, angle;
	char *s;

	if (rnd(seed) % 2 == 0) {
		while (n < max) {
			if (rnd(seed) % 3 == 0)
				buf[n++] = (char)(rnd(seed) % 255 + 1);
			else
				n = put(buf, n, max, PICK(seed, raw));
		}
	} else {
		angle = rnd(seed) % 8;
		if (angle > 0)
			n = put(buf, n, max, "<");
		if (rnd(seed) % 8 == 0)
			n = put(buf, n, max, "@r.example,@[10.0.0.1]:");
		k = rnd(seed) % 12;
		for (i = 0; i < k; i++)
			n = put(
			    buf, n, max, rnd(seed) % 4 ? "u" : PICK(seed, lch));
		n = put(buf, n, max, "@");
		if (rnd(seed) % 6 == 0)
			n = put(buf, n, max, PICK(seed, lit));
		else {
			labels = rnd(seed) % 6;
			for (i = 0; i <= labels; i++) {
				k = rnd(seed) % 70;
				if (i > 0)
					n = put(buf, n, max, ".");
				while (k-- > 0)
					n = put(buf, n, max,
					    rnd(seed) % 64 ? "a" :
							     PICK(seed, lch));
			}
			if (rnd(seed) % 4 == 0)
				n = put(buf, n, max, ".");
		}
		if (angle > 1)
			n = put(buf, n, max, ">");
	}
	s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, buf, n);
	s[n] = '\0';
	return s;
}

static void
test_garbage(void **state)
{
	uint32_t seed = 20240611;
	struct bmx_addr *a = malloc(sizeof(*a));
	char *out = malloc(BMX_DOMAIN_MAX + 1);
	char *err = malloc(64);
	unsigned i, k, ok = 0, idn = 0, lit = 0, names = 0;
	const char *at;
	enum bmx_addr_status st;

	(void)state;
	assert_non_null(a);
	assert_non_null(out);
	assert_non_null(err);
	for (i = 0; i < 5000; i++) {
		char *s = garbage(&seed);

		st = bmx_addr_parse(s, a, err, 64);
		assert_true(st <= BMX_ADDR_UNSUPPORTED);
		assert_true(strlen(err) < 64);
		if (st == BMX_ADDR_OK) {
			ok++;
			idn += a->idn;
			lit += a->kind == BMX_ADDR_LITERAL;
			assert_true(strlen(a->mailbox) <= BMX_RCPT_MAX);
			if (a->kind == BMX_ADDR_DOMAIN) {
				if (!domain_ok(a->domain))
					fail_msg("\"%s\": bad domain \"%s\"", s,
					    a->domain);
			} else
				assert_string_equal(a->domain, "");
		} else
			assert_true(err[0] != '\0');

		/* the whole string, and what follows its last '@' */
		at = strrchr(s, '@');
		for (k = 0; k < 2; k++) {
			const char *name = k == 0 || at == NULL ? s : at + 1;

			st = bmx_domain_normalize(name, out, err, 64);
			assert_true(strlen(err) < 64);
			if (st == BMX_ADDR_OK) {
				names++;
				if (!domain_ok(out))
					fail_msg("\"%s\": bad name \"%s\"",
					    name, out);
			}
		}
		free(s);
	}
	/* some must get through, or the loop tests little beyond the
	 * first checks */
	assert_true(ok > 300);
	assert_true(idn > 20);
	assert_true(lit > 20);
	assert_true(names > 300);
	free(a);
	free(out);
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_mx_literal),
		cmocka_unit_test(test_literal_family),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_status_name),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
