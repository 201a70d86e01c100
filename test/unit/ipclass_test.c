/*
 * ipclass_test.c - unit tests of lib/ipclass and lib/policy: every row of
 * the built-in registry (etc/bogons.cidr) at its first and last address
 * and just outside it on both sides, every embedded IPv4 form, user
 * tables consulted before the registry, and the reply texts that
 * bmx_policy_judge() builds for one MX host with one address.
 *
 * The expectations come from the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890 and the IANA pages) and HACKING
 * rule 4, not from the code.  Each table is run to its end and
 * every case that disagrees is printed with its address, so one run
 * names all the faults.
 *
 * The registry is built once, in the group setup, and freed in the group
 * teardown; the user tables likewise.  Nothing else is shared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cidr.h"
#include "diag.h"
#include "ipclass.h"
#include "policy.h"
#include "registry.h"
#include "resolve.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One address against the registry alone. */
struct row_case {
	const char *addr;
	const char *class;   /* expected class_name */
	bool bogus;	     /* expected bogus */
	const char *pattern; /* out->rule->pattern, NULL: no rule decided */
};

/*
 * For each row: first - 1, first, last, last + 1 (left out where there
 * is no such address).  A neighbour is often in the next row.
 */
static const struct row_case row_cases[] = {
	/* 0.0.0.0/8 unspecified */
	{ "0.0.0.0", "unspecified", true, "0.0.0.0/8" },
	{ "0.255.255.255", "unspecified", true, "0.0.0.0/8" },
	{ "1.0.0.0", "public", false, NULL },
	/* 10.0.0.0/8 private */
	{ "9.255.255.255", "public", false, NULL },
	{ "10.0.0.0", "private", true, "10.0.0.0/8" },
	{ "10.255.255.255", "private", true, "10.0.0.0/8" },
	{ "11.0.0.0", "public", false, NULL },
	/* 100.64.0.0/10 shared */
	{ "100.63.255.255", "public", false, NULL },
	{ "100.64.0.0", "shared", true, "100.64.0.0/10" },
	{ "100.127.255.255", "shared", true, "100.64.0.0/10" },
	{ "100.128.0.0", "public", false, NULL },
	/* 127.0.53.53 loopback, name collision */
	{ "127.0.53.52", "loopback", true, "127.0.0.0/8" },
	{ "127.0.53.53", "loopback", true, "127.0.53.53" },
	{ "127.0.53.54", "loopback", true, "127.0.0.0/8" },
	/* 127.0.0.0/8 loopback */
	{ "126.255.255.255", "public", false, NULL },
	{ "127.0.0.0", "loopback", true, "127.0.0.0/8" },
	{ "127.0.0.1", "loopback", true, "127.0.0.0/8" },
	{ "127.255.255.255", "loopback", true, "127.0.0.0/8" },
	{ "128.0.0.0", "public", false, NULL },
	/* 169.254.0.0/16 link-local */
	{ "169.253.255.255", "public", false, NULL },
	{ "169.254.0.0", "link-local", true, "169.254.0.0/16" },
	{ "169.254.255.255", "link-local", true, "169.254.0.0/16" },
	{ "169.255.0.0", "public", false, NULL },
	/* 172.16.0.0/12 private */
	{ "172.15.255.255", "public", false, NULL },
	{ "172.16.0.0", "private", true, "172.16.0.0/12" },
	{ "172.31.255.255", "private", true, "172.16.0.0/12" },
	{ "172.32.0.0", "public", false, NULL },
	/* 192.0.0.0/24 IETF protocol assignments */
	{ "191.255.255.255", "public", false, NULL },
	{ "192.0.0.0", "ietf", true, "192.0.0.0/24" },
	{ "192.0.0.255", "ietf", true, "192.0.0.0/24" },
	{ "192.0.1.0", "public", false, NULL },
	/* 192.0.2.0/24 TEST-NET-1 */
	{ "192.0.1.255", "public", false, NULL },
	{ "192.0.2.0", "documentation", true, "192.0.2.0/24" },
	{ "192.0.2.255", "documentation", true, "192.0.2.0/24" },
	{ "192.0.3.0", "public", false, NULL },
	/* 192.31.196.0/24 AS112-v4 */
	{ "192.31.195.255", "public", false, NULL },
	{ "192.31.196.0", "anycast", true, "192.31.196.0/24" },
	{ "192.31.196.255", "anycast", true, "192.31.196.0/24" },
	{ "192.31.197.0", "public", false, NULL },
	/* 192.52.193.0/24 AMT */
	{ "192.52.192.255", "public", false, NULL },
	{ "192.52.193.0", "anycast", true, "192.52.193.0/24" },
	{ "192.52.193.255", "anycast", true, "192.52.193.0/24" },
	{ "192.52.194.0", "public", false, NULL },
	/* 192.88.99.0/24 deprecated 6to4 relay anycast */
	{ "192.88.98.255", "public", false, NULL },
	{ "192.88.99.0", "deprecated", true, "192.88.99.0/24" },
	{ "192.88.99.255", "deprecated", true, "192.88.99.0/24" },
	{ "192.88.100.0", "public", false, NULL },
	/* 192.168.0.0/16 private */
	{ "192.167.255.255", "public", false, NULL },
	{ "192.168.0.0", "private", true, "192.168.0.0/16" },
	{ "192.168.255.255", "private", true, "192.168.0.0/16" },
	{ "192.169.0.0", "public", false, NULL },
	/* 192.175.48.0/24 AS112 direct delegation */
	{ "192.175.47.255", "public", false, NULL },
	{ "192.175.48.0", "anycast", true, "192.175.48.0/24" },
	{ "192.175.48.255", "anycast", true, "192.175.48.0/24" },
	{ "192.175.49.0", "public", false, NULL },
	/* 198.18.0.0/15 benchmarking */
	{ "198.17.255.255", "public", false, NULL },
	{ "198.18.0.0", "benchmarking", true, "198.18.0.0/15" },
	{ "198.19.255.255", "benchmarking", true, "198.18.0.0/15" },
	{ "198.20.0.0", "public", false, NULL },
	/* 198.51.100.0/24 TEST-NET-2 */
	{ "198.51.99.255", "public", false, NULL },
	{ "198.51.100.0", "documentation", true, "198.51.100.0/24" },
	{ "198.51.100.255", "documentation", true, "198.51.100.0/24" },
	{ "198.51.101.0", "public", false, NULL },
	/* 203.0.113.0/24 TEST-NET-3 */
	{ "203.0.112.255", "public", false, NULL },
	{ "203.0.113.0", "documentation", true, "203.0.113.0/24" },
	{ "203.0.113.255", "documentation", true, "203.0.113.0/24" },
	{ "203.0.114.0", "public", false, NULL },
	/* 224.0.0.0/4 multicast */
	{ "223.255.255.255", "public", false, NULL },
	{ "224.0.0.0", "multicast", true, "224.0.0.0/4" },
	{ "239.255.255.255", "multicast", true, "224.0.0.0/4" },
	{ "240.0.0.0", "reserved", true, "240.0.0.0/4" },
	/* 255.255.255.255 limited broadcast (inside 240.0.0.0/4) */
	{ "255.255.255.254", "reserved", true, "240.0.0.0/4" },
	{ "255.255.255.255", "broadcast", true, "255.255.255.255" },
	/* 240.0.0.0/4 class E: its last address is the broadcast row */
	{ "239.255.255.255", "multicast", true, "224.0.0.0/4" },
	{ "240.0.0.0", "reserved", true, "240.0.0.0/4" },
	{ "255.255.255.255", "broadcast", true, "255.255.255.255" },

	/* ::/128 unspecified */
	{ "::", "unspecified", true, "::/128" },
	{ "::1", "loopback", true, "::1/128" },
	/* ::1/128 loopback; ::2 is IPv4-compatible ::0.0.0.2 */
	{ "::", "unspecified", true, "::/128" },
	{ "::1", "loopback", true, "::1/128" },
	{ "::2", "reserved", true, "::/96" },
	/* ::ffff:0:0/96 IPv4-mapped: judged by the IPv4 inside */
	{ "::fffe:ffff:ffff", "reserved", true, "!2000::/3" },
	{ "::ffff:0.0.0.0", "unspecified", true, "0.0.0.0/8" },
	{ "::ffff:255.255.255.255", "broadcast", true, "255.255.255.255" },
	{ "::1:0:0:0", "reserved", true, "!2000::/3" },
	/* ::/96 IPv4-compatible, not unwrapped; :: and ::1 have own rows */
	{ "::", "unspecified", true, "::/128" },
	{ "::255.255.255.255", "reserved", true, "::/96" },
	{ "::1:0:0", "reserved", true, "!2000::/3" },
	/* 64:ff9b::/96 NAT64 (DUNNO): judged by the IPv4 inside */
	{ "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "64:ff9b::", "unspecified", true, "0.0.0.0/8" },
	{ "64:ff9b::ffff:ffff", "broadcast", true, "255.255.255.255" },
	{ "64:ff9b::1:0:0", "reserved", true, "!2000::/3" },
	/* 64:ff9b:1::/48 NAT64 local use: IPv4 in bits 48-63 and 72-87 */
	{ "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "reserved", true, "!2000::/3" },
	{ "64:ff9b:1::", "unspecified", true, "0.0.0.0/8" },
	{ "64:ff9b:1:ffff:ff:ff00::", "broadcast", true, "255.255.255.255" },
	/* octet u or the suffix not zero: not RFC 6052, judged as is */
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "private", true,
	    "64:ff9b:1::/48" },
	{ "64:ff9b:1:808:8:808::", "private", true, "64:ff9b:1::/48" },
	{ "64:ff9b:2::", "reserved", true, "!2000::/3" },
	/* 100::/64 discard-only */
	{ "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "100::", "discard-only", true, "100::/64" },
	{ "100::ffff:ffff:ffff:ffff", "discard-only", true, "100::/64" },
	{ "100:0:0:1::", "reserved", true, "100:0:0:1::/64" },
	/* 100:0:0:1::/64 dummy prefix */
	{ "100::ffff:ffff:ffff:ffff", "discard-only", true, "100::/64" },
	{ "100:0:0:1::", "reserved", true, "100:0:0:1::/64" },
	{ "100:0:0:1:ffff:ffff:ffff:ffff", "reserved", true, "100:0:0:1::/64" },
	{ "100:0:0:2::", "reserved", true, "!2000::/3" },
	/* 2001:1::1/128 PCP anycast */
	{ "2001:1::", "ietf", true, "2001::/23" },
	{ "2001:1::1", "anycast", true, "2001:1::1/128" },
	{ "2001:1::2", "anycast", true, "2001:1::2/128" },
	/* 2001:1::2/128 TURN anycast */
	{ "2001:1::1", "anycast", true, "2001:1::1/128" },
	{ "2001:1::2", "anycast", true, "2001:1::2/128" },
	{ "2001:1::3", "anycast", true, "2001:1::3/128" },
	/* 2001:1::3/128 DNS-SD SRP anycast */
	{ "2001:1::2", "anycast", true, "2001:1::2/128" },
	{ "2001:1::3", "anycast", true, "2001:1::3/128" },
	{ "2001:1::4", "ietf", true, "2001::/23" },
	/* 2001:2::/48 benchmarking */
	{ "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", "ietf", true, "2001::/23" },
	{ "2001:2::", "benchmarking", true, "2001:2::/48" },
	{ "2001:2:0:ffff:ffff:ffff:ffff:ffff", "benchmarking", true,
	    "2001:2::/48" },
	{ "2001:2:1::", "ietf", true, "2001::/23" },
	/* 2001:3::/32 AMT */
	{ "2001:2:ffff:ffff:ffff:ffff:ffff:ffff", "ietf", true, "2001::/23" },
	{ "2001:3::", "anycast", true, "2001:3::/32" },
	{ "2001:3:ffff:ffff:ffff:ffff:ffff:ffff", "anycast", true,
	    "2001:3::/32" },
	{ "2001:4::", "ietf", true, "2001::/23" },
	/* 2001:4:112::/48 AS112-v6 */
	{ "2001:4:111:ffff:ffff:ffff:ffff:ffff", "ietf", true, "2001::/23" },
	{ "2001:4:112::", "anycast", true, "2001:4:112::/48" },
	{ "2001:4:112:ffff:ffff:ffff:ffff:ffff", "anycast", true,
	    "2001:4:112::/48" },
	{ "2001:4:113::", "ietf", true, "2001::/23" },
	/* 2001:10::/28 deprecated ORCHID */
	{ "2001:f:ffff:ffff:ffff:ffff:ffff:ffff", "ietf", true, "2001::/23" },
	{ "2001:10::", "deprecated", true, "2001:10::/28" },
	{ "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "deprecated", true,
	    "2001:10::/28" },
	{ "2001:20::", "identifier", true, "2001:20::/28" },
	/* 2001:20::/28 ORCHIDv2 */
	{ "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "deprecated", true,
	    "2001:10::/28" },
	{ "2001:20::", "identifier", true, "2001:20::/28" },
	{ "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "identifier", true,
	    "2001:20::/28" },
	{ "2001:30::", "identifier", true, "2001:30::/28" },
	/* 2001:30::/28 drone remote ID */
	{ "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "identifier", true,
	    "2001:20::/28" },
	{ "2001:30::", "identifier", true, "2001:30::/28" },
	{ "2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", "identifier", true,
	    "2001:30::/28" },
	{ "2001:40::", "ietf", true, "2001::/23" },
	/* 2001::/23 IETF; its first /32 is Teredo, judged by server IPv4 */
	{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "2001::", "unspecified", true, "0.0.0.0/8" },
	{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "ietf", true, "2001::/23" },
	{ "2001:200::", "public", false, NULL },
	/* 2001::/32 Teredo: server 0.0.0.0 / 255.255.255.255 decides */
	{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "2001::", "unspecified", true, "0.0.0.0/8" },
	{ "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "broadcast", true,
	    "255.255.255.255" },
	{ "2001:1::", "ietf", true, "2001::/23" },
	/* 2001:db8::/32 documentation */
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "2001:db8::", "documentation", true, "2001:db8::/32" },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation", true,
	    "2001:db8::/32" },
	{ "2001:db9::", "public", false, NULL },
	/* 2002::/16 6to4 (no row): judged by the IPv4 in bits 16-47 */
	{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "2002::", "unspecified", true, "0.0.0.0/8" },
	{ "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "broadcast", true,
	    "255.255.255.255" },
	{ "2003::", "public", false, NULL },
	/* 2620:4f:8000::/48 AS112 direct delegation */
	{ "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "2620:4f:8000::", "anycast", true, "2620:4f:8000::/48" },
	{ "2620:4f:8000:ffff:ffff:ffff:ffff:ffff", "anycast", true,
	    "2620:4f:8000::/48" },
	{ "2620:4f:8001::", "public", false, NULL },
	/* 3fff::/20 documentation */
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "3fff::", "documentation", true, "3fff::/20" },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "documentation", true,
	    "3fff::/20" },
	{ "3fff:1000::", "public", false, NULL },
	/* 5f00::/16 SRv6 SIDs */
	{ "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "5f00::", "reserved", true, "5f00::/16" },
	{ "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "5f00::/16" },
	{ "5f01::", "reserved", true, "!2000::/3" },
	/* fc00::/7 unique local */
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "fc00::", "private", true, "fc00::/7" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private", true,
	    "fc00::/7" },
	{ "fe00::", "reserved", true, "!2000::/3" },
	/* fe80::/10 link-local */
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "fe80::", "link-local", true, "fe80::/10" },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local", true,
	    "fe80::/10" },
	{ "fec0::", "deprecated", true, "fec0::/10" },
	/* fec0::/10 site-local */
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local", true,
	    "fe80::/10" },
	{ "fec0::", "deprecated", true, "fec0::/10" },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "deprecated", true,
	    "fec0::/10" },
	{ "ff00::", "multicast", true, "ff00::/8" },
	/* ff00::/8 multicast */
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "deprecated", true,
	    "fec0::/10" },
	{ "ff00::", "multicast", true, "ff00::/8" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast", true,
	    "ff00::/8" },
	/* !2000::/3, part ::/3 (its first address is ::/128) */
	{ "::1:0:0:0:0", "reserved", true, "!2000::/3" },
	{ "1::", "reserved", true, "!2000::/3" },
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "2000::", "public", false, NULL },
	/* !2000::/3, part 4000::/2 */
	{ "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "public", false, NULL },
	{ "4000::", "reserved", true, "!2000::/3" },
	{ "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "8000::", "reserved", true, "!2000::/3" },
	/* !2000::/3, part 8000::/1 (its last address is ff00::/8) */
	{ "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "8000::", "reserved", true, "!2000::/3" },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved", true,
	    "!2000::/3" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast", true,
	    "ff00::/8" },
	/* global unicast in no row */
	{ "2a00:1450:4001:81c::1b", "public", false, NULL },
	{ "2001:4860:4860::8888", "public", false, NULL },
	{ "8.8.8.8", "public", false, NULL },
};

/* One address with IPv4 inside, against the registry alone. */
struct embed_case {
	const char *addr;
	const char *class;
	bool bogus;
	const char *pattern;
	enum bmx_embed embed;
	const char *embedded; /* the IPv4 reported; NULL for none */
};

static const struct embed_case embed_cases[] = {
	/* not embedded */
	{ "127.0.0.1", "loopback", true, "127.0.0.0/8", BMX_EMBED_NONE, NULL },
	{ "2001:db8::1", "documentation", true, "2001:db8::/32", BMX_EMBED_NONE,
	    NULL },
	{ "2a00:1450::1", "public", false, NULL, BMX_EMBED_NONE, NULL },
	/* IPv4-mapped */
	{ "::ffff:127.0.0.1", "loopback", true, "127.0.0.0/8", BMX_EMBED_MAPPED,
	    "127.0.0.1" },
	{ "::ffff:192.0.2.1", "documentation", true, "192.0.2.0/24",
	    BMX_EMBED_MAPPED, "192.0.2.1" },
	{ "::ffff:10.1.2.3", "private", true, "10.0.0.0/8", BMX_EMBED_MAPPED,
	    "10.1.2.3" },
	{ "::ffff:127.0.53.53", "loopback", true, "127.0.53.53",
	    BMX_EMBED_MAPPED, "127.0.53.53" },
	{ "::ffff:8.8.8.8", "public", false, NULL, BMX_EMBED_MAPPED,
	    "8.8.8.8" },
	/* NAT64 well-known prefix, RFC 6052 /96 */
	{ "64:ff9b::127.0.0.1", "loopback", true, "127.0.0.0/8",
	    BMX_EMBED_NAT64, "127.0.0.1" },
	{ "64:ff9b::c000:201", "documentation", true, "192.0.2.0/24",
	    BMX_EMBED_NAT64, "192.0.2.1" },
	{ "64:ff9b::a9fe:1", "link-local", true, "169.254.0.0/16",
	    BMX_EMBED_NAT64, "169.254.0.1" },
	{ "64:ff9b::8.8.8.8", "public", false, NULL, BMX_EMBED_NAT64,
	    "8.8.8.8" },
	{ "64:ff9b::808:808", "public", false, NULL, BMX_EMBED_NAT64,
	    "8.8.8.8" },
	/* NAT64 local use, RFC 6052 /48: a.b in bits 48-63, u, c.d */
	{ "64:ff9b:1:7f00:0:100::", "loopback", true, "127.0.0.0/8",
	    BMX_EMBED_NAT64_LOCAL, "127.0.0.1" },
	{ "64:ff9b:1:c000:2:100::", "documentation", true, "192.0.2.0/24",
	    BMX_EMBED_NAT64_LOCAL, "192.0.2.1" },
	{ "64:ff9b:1:a00:1:200::", "private", true, "10.0.0.0/8",
	    BMX_EMBED_NAT64_LOCAL, "10.0.1.2" },
	{ "64:ff9b:1:808:8:800::", "public", false, NULL, BMX_EMBED_NAT64_LOCAL,
	    "8.8.8.8" },
	{ "64:ff9b:1:4136:e3:7800::", "public", false, NULL,
	    BMX_EMBED_NAT64_LOCAL, "65.54.227.120" },
	/* 6to4 2002:AABB:CCDD::/48 */
	{ "2002:7f00:1::", "loopback", true, "127.0.0.0/8", BMX_EMBED_6TO4,
	    "127.0.0.1" },
	{ "2002:c000:201::1", "documentation", true, "192.0.2.0/24",
	    BMX_EMBED_6TO4, "192.0.2.1" },
	{ "2002:e000:1:1::1", "multicast", true, "224.0.0.0/4", BMX_EMBED_6TO4,
	    "224.0.0.1" },
	{ "2002:808:808::1", "public", false, NULL, BMX_EMBED_6TO4, "8.8.8.8" },
	/* Teredo: RFC 4380 section 4 example, client 192.0.2.45 */
	{ "2001:0000:4136:e378:8000:63bf:3fff:fdd2", "documentation", true,
	    "192.0.2.0/24", BMX_EMBED_TEREDO_CLIENT, "192.0.2.45" },
	/* server 127.0.0.1, client 8.8.8.8 */
	{ "2001:0:7f00:1:8000:63bf:f7f7:f7f7", "loopback", true, "127.0.0.0/8",
	    BMX_EMBED_TEREDO_SERVER, "127.0.0.1" },
	/* server 65.54.227.120, client 127.0.0.1 */
	{ "2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback", true,
	    "127.0.0.0/8", BMX_EMBED_TEREDO_CLIENT, "127.0.0.1" },
	/* server 192.168.1.1, client 10.0.0.1: the server decides first */
	{ "2001:0:c0a8:101:8000:63bf:f5ff:fffe", "private", true,
	    "192.168.0.0/16", BMX_EMBED_TEREDO_SERVER, "192.168.1.1" },
	/* both public: server 65.54.227.120, client 8.8.8.8 */
	{ "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "public", false, NULL,
	    BMX_EMBED_TEREDO_SERVER, "65.54.227.120" },
	/* IPv4-compatible: not unwrapped, reserved, inner reported */
	{ "::127.0.0.1", "reserved", true, "::/96", BMX_EMBED_COMPAT,
	    "127.0.0.1" },
	{ "::8.8.8.8", "reserved", true, "::/96", BMX_EMBED_COMPAT, "8.8.8.8" },
	{ "::2", "reserved", true, "::/96", BMX_EMBED_COMPAT, "0.0.0.2" },
	{ "::255.255.255.255", "reserved", true, "::/96", BMX_EMBED_COMPAT,
	    "255.255.255.255" },
	{ "::", "unspecified", true, "::/128", BMX_EMBED_NONE, NULL },
	{ "::1", "loopback", true, "::1/128", BMX_EMBED_NONE, NULL },
};

/*
 * User tables before the registry.  The classifier is given
 * { NULL, user1, NULL, user2, NULL, registry }.
 */
static const char user1_text[] =
    "# user table 1\n"
    "10.20.0.0/16\t\tOK\n"
    "8.8.4.0/24\t\tDUNNO\n"
    "192.0.2.0/24\t\tWARN documentation address\n"
    "9.9.9.0/24\t\tWARN quad9\n"
    "1.1.1.0/24\t\tREJECT no MX at Cloudflare DNS\n"
    "127.0.0.0/8\t\tREJECT Domain MX in loopback "
    "network\n"
    "198.51.100.0/24\t\t550 5.1.2 Domain MX in "
    "TEST-NET-2\n"
    "203.0.113.0/24\t\tDEFER try again later\n"
    "100.64.0.0/10\t\t451 4.4.3 later\n";

static const char user2_text[] = "# user table 2\n"
				 "8.8.4.0/24\t\tREJECT second table\n"
				 "10.0.0.0/9\t\tWARN ten, low half\n";

enum { T_USER1 = 1, T_USER2 = 3, T_REGISTRY = 5, T_COUNT = 6, T_NONE = -1 };

struct multi_case {
	const char *addr;
	const char *class;
	bool bogus;
	const char *pattern; /* of the deciding rule, NULL: none */
	int table;	     /* index of the deciding table, T_NONE */
	enum bmx_access_action action;
	unsigned code;
	const char *dsn;
	const char *text; /* out->access.text */
	const char *warn; /* pattern of the WARN rule met, NULL: none */
	int warn_table;
};

static const struct multi_case multi_cases[] = {
	/* OK exempts 10.20.0.0/16; the registry still names the class */
	{ "10.20.0.0", "private", false, "10.20.0.0/16", T_USER1, BMX_ACCESS_OK,
	    0, "", "", NULL, T_NONE },
	{ "10.20.255.255", "private", false, "10.20.0.0/16", T_USER1,
	    BMX_ACCESS_OK, 0, "", "", NULL, T_NONE },
	{ "::ffff:10.20.1.1", "private", false, "10.20.0.0/16", T_USER1,
	    BMX_ACCESS_OK, 0, "", "", NULL, T_NONE },
	/* 10.19 and 10.21 stay private: user2 warns, the registry rejects */
	{ "10.19.255.255", "private", true, "10.0.0.0/8", T_REGISTRY,
	    BMX_ACCESS_REJECT, 0, "", "private network (RFC 1918)",
	    "10.0.0.0/9", T_USER2 },
	{ "10.21.0.0", "private", true, "10.0.0.0/8", T_REGISTRY,
	    BMX_ACCESS_REJECT, 0, "", "private network (RFC 1918)",
	    "10.0.0.0/9", T_USER2 },
	{ "10.128.0.0", "private", true, "10.0.0.0/8", T_REGISTRY,
	    BMX_ACCESS_REJECT, 0, "", "private network (RFC 1918)", NULL,
	    T_NONE },
	/* DUNNO in user1 falls through to user2 */
	{ "8.8.4.4", "listed", true, "8.8.4.0/24", T_USER2, BMX_ACCESS_REJECT,
	    0, "", "second table", NULL, T_NONE },
	/* WARN is recorded and falls through */
	{ "192.0.2.1", "documentation", true, "192.0.2.0/24", T_REGISTRY,
	    BMX_ACCESS_REJECT, 0, "",
	    "documentation network TEST-NET-1 (RFC 5737)", "192.0.2.0/24",
	    T_USER1 },
	{ "9.9.9.9", "public", false, NULL, T_NONE, BMX_ACCESS_DUNNO, 0, "", "",
	    "9.9.9.0/24", T_USER1 },
	/* a user REJECT of a public address */
	{ "1.1.1.1", "listed", true, "1.1.1.0/24", T_USER1, BMX_ACCESS_REJECT,
	    0, "", "no MX at Cloudflare DNS", NULL, T_NONE },
	{ "1.1.1.2", "listed", true, "1.1.1.0/24", T_USER1, BMX_ACCESS_REJECT,
	    0, "", "no MX at Cloudflare DNS", NULL, T_NONE },
	{ "1.1.2.1", "public", false, NULL, T_NONE, BMX_ACCESS_DUNNO, 0, "", "",
	    NULL, T_NONE },
	/* IPv4 patterns catch the embedded forms */
	{ "::ffff:1.1.1.1", "listed", true, "1.1.1.0/24", T_USER1,
	    BMX_ACCESS_REJECT, 0, "", "no MX at Cloudflare DNS", NULL, T_NONE },
	{ "::ffff:127.0.0.1", "loopback", true, "127.0.0.0/8", T_USER1,
	    BMX_ACCESS_REJECT, 0, "", "Domain MX in loopback network", NULL,
	    T_NONE },
	{ "64:ff9b::127.0.0.1", "loopback", true, "127.0.0.0/8", T_USER1,
	    BMX_ACCESS_REJECT, 0, "", "Domain MX in loopback network", NULL,
	    T_NONE },
	{ "2002:7f00:1::", "loopback", true, "127.0.0.0/8", T_USER1,
	    BMX_ACCESS_REJECT, 0, "", "Domain MX in loopback network", NULL,
	    T_NONE },
	{ "127.0.0.1", "loopback", true, "127.0.0.0/8", T_USER1,
	    BMX_ACCESS_REJECT, 0, "", "Domain MX in loopback network", NULL,
	    T_NONE },
	/* codes, DSNs and DEFER */
	{ "198.51.100.7", "documentation", true, "198.51.100.0/24", T_USER1,
	    BMX_ACCESS_REJECT, 550, "5.1.2", "Domain MX in TEST-NET-2", NULL,
	    T_NONE },
	{ "203.0.113.9", "documentation", true, "203.0.113.0/24", T_USER1,
	    BMX_ACCESS_DEFER, 0, "", "try again later", NULL, T_NONE },
	{ "100.64.0.1", "shared", true, "100.64.0.0/10", T_USER1,
	    BMX_ACCESS_DEFER, 451, "4.4.3", "later", NULL, T_NONE },
	/* IPv6 patterns only in the registry */
	{ "2001:db8::1", "documentation", true, "2001:db8::/32", T_REGISTRY,
	    BMX_ACCESS_REJECT, 0, "", "documentation network (RFC 3849)", NULL,
	    T_NONE },
	{ "8.8.8.8", "public", false, NULL, T_NONE, BMX_ACCESS_DUNNO, 0, "", "",
	    NULL, T_NONE },
};

struct policy_case {
	const char *addr;
	bool user; /* with the user tables, else the registry alone */
	enum bmx_verdict verdict;
	unsigned code;
	const char *dsn;
	const char *class;
	const char *reply;
};

/* rcpt "user@hot.de", one MX host "null.hot.de" with one address */
static const struct policy_case policy_cases[] = {
	{ "127.0.0.1", false, BMX_VERDICT_REJECT, 554, "5.7.1", "loopback",
	    "554 5.7.1 <user@hot.de>: Recipient address rejected: MX host "
	    "null.hot.de[127.0.0.1] is in loopback network (RFC 1122)" },
	{ "127.0.53.53", false, BMX_VERDICT_REJECT, 554, "5.7.1", "loopback",
	    "554 5.7.1 <user@hot.de>: Recipient address rejected: MX host "
	    "null.hot.de[127.0.53.53] is in loopback network (RFC 1122); "
	    "127.0.53.53 is ICANN's name collision signal: the domain's DNS "
	    "needs immediate attention" },
	{ "2001:db8::25", false, BMX_VERDICT_REJECT, 554, "5.7.1",
	    "documentation",
	    "554 5.7.1 <user@hot.de>: Recipient address rejected: MX host "
	    "null.hot.de[2001:db8::25] is in documentation network "
	    "(RFC 3849)" },
	{ "127.0.0.1", true, BMX_VERDICT_REJECT, 554, "5.7.1", "loopback",
	    "554 5.7.1 <user@hot.de>: Recipient address rejected: Domain MX "
	    "in loopback network" },
	{ "203.0.113.9", true, BMX_VERDICT_TEMPFAIL, 450, "4.7.1",
	    "documentation",
	    "450 4.7.1 <user@hot.de>: Recipient address rejected: try again "
	    "later" },
	{ "100.64.0.1", true, BMX_VERDICT_TEMPFAIL, 451, "4.4.3", "shared",
	    "451 4.4.3 <user@hot.de>: Recipient address rejected: later" },
	{ "198.51.100.7", true, BMX_VERDICT_REJECT, 550, "5.1.2",
	    "documentation",
	    "550 5.1.2 <user@hot.de>: Recipient address rejected: Domain MX "
	    "in TEST-NET-2" },
	{ "1.1.1.1", true, BMX_VERDICT_REJECT, 554, "5.7.1", "listed",
	    "554 5.7.1 <user@hot.de>: Recipient address rejected: no MX at "
	    "Cloudflare DNS" },
	{ "8.8.8.8", false, BMX_VERDICT_ACCEPT, 0, "", "public", "" },
	{ "8.8.8.8", true, BMX_VERDICT_ACCEPT, 0, "", "public", "" },
	{ "10.20.1.1", true, BMX_VERDICT_ACCEPT, 0, "", "public", "" },
	{ "::ffff:8.8.8.8", false, BMX_VERDICT_ACCEPT, 0, "", "public", "" },
};

struct fixture {
	struct bmx_cidr_table *registry;
	struct bmx_cidr_table *user1;
	struct bmx_cidr_table *user2;
	const struct bmx_cidr_table *tables[T_COUNT];
};

/* Parse a table and check its results; print every problem. */
static struct bmx_cidr_table *
load(const char *name, const char *text)
{
	struct bmx_cidr_table *t;
	struct bmx_diag d;
	char buf[512];
	size_t i;

	bmx_diag_init(&d);
	if (text == NULL)
		t = bmx_registry_table(&d);
	else
		t = bmx_cidr_parse(name, text, strlen(text), &d);
	if (t != NULL && text != NULL && !bmx_access_check_table(t, &d)) {
		bmx_cidr_free(t);
		t = NULL;
	}
	for (i = 0; i < d.nentries; i++) {
		bmx_diag_format(&d.entries[i], buf, sizeof(buf));
		print_error("%s\n", buf);
	}
	bmx_diag_clear(&d);
	return t;
}

static int
group_setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->registry = load(BMX_REGISTRY_NAME, NULL);
	f->user1 = load("user1.cidr", user1_text);
	f->user2 = load("user2.cidr", user2_text);
	f->tables[T_USER1] = f->user1;
	f->tables[T_USER2] = f->user2;
	f->tables[T_REGISTRY] = f->registry;
	*state = f;
	if (f->registry == NULL || f->user1 == NULL || f->user2 == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	if (f != NULL) {
		bmx_cidr_free(f->registry);
		bmx_cidr_free(f->user1);
		bmx_cidr_free(f->user2);
		free(f);
	}
	return 0;
}

static const char *
str_or_null(const char *s)
{
	return s != NULL ? s : "(none)";
}

static const char *
rule_pattern(const struct bmx_cidr_rule *r)
{
	return r != NULL ? r->pattern : NULL;
}

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Classify addr; on a parse failure print it and return false.
 */
static bool
classify(const struct bmx_cidr_table *const *tables, size_t n,
    const struct bmx_cidr_table *names, const char *addr,
    struct bmx_ipclass *out)
{
	struct bmx_ip ip;

	if (!bmx_ip_parse(addr, &ip)) {
		print_error("%s: not an address\n", addr);
		return false;
	}
	bmx_ipclass_classify(tables, n, names, &ip, out);
	return true;
}

/*
 * Compare the common fields; print one line naming the address for
 * each difference.  @return the number of differences
 */
static int
check_common(const char *addr, const struct bmx_ipclass *out, const char *class,
    bool bogus, const char *pattern)
{
	int bad = 0;

	if (strcmp(out->class_name, class) != 0) {
		print_error("%s: class: expected %s, got %s\n", addr, class,
		    out->class_name);
		bad++;
	}
	if (out->bogus != bogus) {
		print_error("%s: bogus: expected %s, got %s\n", addr,
		    bogus ? "true" : "false", out->bogus ? "true" : "false");
		bad++;
	}
	if (!same_str(rule_pattern(out->rule), pattern)) {
		print_error("%s: rule: expected %s, got %s\n", addr,
		    str_or_null(pattern), str_or_null(rule_pattern(out->rule)));
		bad++;
	}
	return bad;
}

static void
test_registry_rows(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_table *const tables[] = { f->registry };
	const struct row_case *c;
	struct bmx_ipclass out;
	int bad = 0, failed = 0;
	size_t i;

	for (i = 0; i < NELEM(row_cases); i++) {
		c = &row_cases[i];
		if (!classify(tables, 1, f->registry, c->addr, &out)) {
			failed++;
			continue;
		}
		bad =
		    check_common(c->addr, &out, c->class, c->bogus, c->pattern);
		/* with the registry alone, the deciding rule names the class */
		if (c->bogus &&
		    (out.table != f->registry || out.class_rule != out.rule)) {
			print_error("%s: decided by %s, named by %s\n", c->addr,
			    str_or_null(rule_pattern(out.rule)),
			    str_or_null(rule_pattern(out.class_rule)));
			bad++;
		}
		if (!c->bogus && out.class_rule != NULL) {
			print_error("%s: public but named by %s\n", c->addr,
			    out.class_rule->pattern);
			bad++;
		}
		if (bad > 0)
			failed++;
	}
	if (failed > 0)
		fail_msg("%d of %zu registry cases failed", failed,
		    NELEM(row_cases));
}

/* Every registry rule is met by at least one case of row_cases. */
static void
test_registry_rows_covered(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_rule *r;
	size_t i, j, n;
	int missing = 0;

	n = bmx_cidr_nrules(f->registry);
	for (i = 0; i < n; i++) {
		r = bmx_cidr_rule(f->registry, i);
		for (j = 0; j < NELEM(row_cases); j++)
			if (same_str(row_cases[j].pattern, r->pattern))
				break;
		/* DUNNO never decides; its addresses are tested unwrapped */
		if (j == NELEM(row_cases) && strcmp(r->result, "DUNNO") != 0 &&
		    strcmp(r->pattern, "::ffff:0:0/96") != 0 &&
		    strcmp(r->pattern, "64:ff9b:1::/48") != 0) {
			print_error("rule %s (line %u) has no case\n",
			    r->pattern, r->line);
			missing++;
		}
	}
	if (missing > 0)
		fail_msg("%d registry rules without a case", missing);
}

static void
test_embedded(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_table *const tables[] = { f->registry };
	const struct embed_case *c;
	struct bmx_ipclass out;
	struct bmx_ip want, asked;
	char got[BMX_IP_STRLEN];
	int bad, failed = 0;
	size_t i;

	for (i = 0; i < NELEM(embed_cases); i++) {
		c = &embed_cases[i];
		if (!classify(tables, 1, f->registry, c->addr, &out)) {
			failed++;
			continue;
		}
		bad =
		    check_common(c->addr, &out, c->class, c->bogus, c->pattern);
		if (out.embed != c->embed) {
			print_error("%s: embed: expected %s, got %s\n", c->addr,
			    bmx_embed_name(c->embed),
			    bmx_embed_name(out.embed));
			bad++;
		}
		(void)bmx_ip_parse(c->addr, &asked);
		if (!bmx_ip_equal(&out.address, &asked)) {
			print_error("%s: address not kept\n", c->addr);
			bad++;
		}
		if (c->embedded != NULL) {
			if (!bmx_ip_parse(c->embedded, &want))
				fail_msg("%s: bad case", c->embedded);
			bmx_ip_format(&out.embedded, got, sizeof(got));
			if (!bmx_ip_equal(&out.embedded, &want)) {
				print_error("%s: embedded: expected %s, "
					    "got %s\n",
				    c->addr, c->embedded, got);
				bad++;
			}
			/* compat is judged as itself, the others unwrapped */
			if (c->embed == BMX_EMBED_COMPAT)
				want = asked;
		} else {
			want = asked;
		}
		if (!bmx_ip_equal(&out.judged, &want)) {
			bmx_ip_format(&out.judged, got, sizeof(got));
			print_error("%s: judged: got %s\n", c->addr, got);
			bad++;
		}
		if (bad > 0)
			failed++;
	}
	if (failed > 0)
		fail_msg("%d of %zu embedded cases failed", failed,
		    NELEM(embed_cases));
}

static void
test_user_tables(void **state)
{
	const struct fixture *f = *state;
	const struct multi_case *c;
	struct bmx_ipclass out;
	const struct bmx_cidr_table *want;
	int bad, failed = 0;
	size_t i;

	for (i = 0; i < NELEM(multi_cases); i++) {
		c = &multi_cases[i];
		if (!classify(f->tables, T_COUNT, f->registry, c->addr, &out)) {
			failed++;
			continue;
		}
		bad =
		    check_common(c->addr, &out, c->class, c->bogus, c->pattern);
		want = c->table == T_NONE ? NULL : f->tables[c->table];
		if (out.table != want) {
			print_error("%s: decided by table %s, expected %s\n",
			    c->addr,
			    out.table ? bmx_cidr_name(out.table) : "(none)",
			    want ? bmx_cidr_name(want) : "(none)");
			bad++;
		}
		if (c->table != T_NONE &&
		    (out.access.action != c->action ||
			out.access.code != c->code ||
			strcmp(out.access.dsn, c->dsn) != 0 ||
			!same_str(out.access.text, c->text))) {
			print_error("%s: access: expected %s %u \"%s\" "
				    "\"%s\", got %s %u \"%s\" \"%s\"\n",
			    c->addr, bmx_access_name(c->action), c->code,
			    c->dsn, c->text, bmx_access_name(out.access.action),
			    out.access.code, out.access.dsn,
			    str_or_null(out.access.text));
			bad++;
		}
		want =
		    c->warn_table == T_NONE ? NULL : f->tables[c->warn_table];
		if (!same_str(rule_pattern(out.warn), c->warn) ||
		    out.warn_table != want) {
			print_error("%s: warn: expected %s, got %s\n", c->addr,
			    str_or_null(c->warn),
			    str_or_null(rule_pattern(out.warn)));
			bad++;
		}
		if (bad > 0)
			failed++;
	}
	if (failed > 0)
		fail_msg("%d of %zu user-table cases failed", failed,
		    NELEM(multi_cases));
}

/* Only NULL tables: nothing decides, the registry still names. */
static void
test_null_tables(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_table *const none[] = { NULL, NULL };
	struct bmx_ipclass out;

	assert_true(classify(none, 2, f->registry, "127.0.0.1", &out));
	assert_false(out.bogus);
	assert_null(out.rule);
	assert_null(out.table);
	assert_string_equal(out.class_name, "loopback");
	assert_true(classify(none, 0, f->registry, "8.8.8.8", &out));
	assert_false(out.bogus);
	assert_string_equal(out.class_name, "public");
}

/* names == NULL: "public" for every address (ipclass.h). */
static void
test_no_names(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_table *const tables[] = { NULL, f->registry };
	struct bmx_ipclass out;
	int failed = 0;

	assert_true(classify(tables, 2, NULL, "8.8.8.8", &out));
	assert_false(out.bogus);
	assert_string_equal(out.class_name, "public");
	assert_null(out.class_rule);

	assert_true(classify(tables, 2, NULL, "127.0.0.1", &out));
	assert_true(out.bogus);
	assert_non_null(out.rule);
	assert_string_equal(out.rule->pattern, "127.0.0.0/8");
	assert_null(out.class_rule);
	if (strcmp(out.class_name, "public") != 0) {
		print_error("127.0.0.1 with names NULL: class: expected "
			    "public, got %s\n",
		    out.class_name);
		failed++;
	}
	/* Without names, no table is known as the registry: each one is
	 * asked about the mapped form as written, and the registry's
	 * ::ffff:0:0/96 row (meant for Postfix) decides. */
	assert_true(classify(tables, 2, NULL, "::ffff:1.1.1.1", &out));
	assert_true(out.bogus);
	assert_string_equal(out.rule->pattern, "::ffff:0:0/96");
	assert_string_equal(out.class_name, "public");
	if (failed > 0)
		fail_msg("names == NULL did not give \"public\"");
}

/*
 * Judge the domain hot.de whose one MX host null.hot.de has the one
 * address addr, as if the resolver had found it.
 */
static bool
judge_mx(const struct bmx_policy *p, const char *addr, struct bmx_judgement *j)
{
	struct bmx_resolution res;
	struct bmx_answer mx;
	struct bmx_host host;
	struct bmx_ip ip;

	if (!bmx_ip_parse(addr, &ip)) {
		print_error("%s: not an address\n", addr);
		return false;
	}
	memset(&mx, 0, sizeof(mx));
	mx.status = BMX_DNS_OK;
	mx.qtype = BMX_DNS_TYPE_MX;
	mx.qname = "hot.de";
	mx.target = "hot.de";
	mx.n = 1;
	memset(&host, 0, sizeof(host));
	host.preference = 10;
	host.name = "null.hot.de";
	host.kind = BMX_HOST_NAME;
	host.naddrs = 1;
	if (ip.family == BMX_IP_V4) {
		host.addrs[0] = &ip;
		host.n4 = 1;
	} else {
		host.addrs[1] = &ip;
		host.n6 = 1;
	}
	memset(&res, 0, sizeof(res));
	snprintf(res.domain, sizeof(res.domain), "%s", "hot.de");
	res.mx = &mx;
	res.hosts = &host;
	res.nhosts = 1;
	res.mx_total = 1;
	bmx_policy_judge(p, "user@hot.de", &res, j);
	return true;
}

static void
test_policy(void **state)
{
	const struct fixture *f = *state;
	const struct bmx_cidr_table *const alone[] = { f->registry };
	const struct policy_case *c;
	struct bmx_policy p;
	struct bmx_judgement j;
	char reply[BMX_REPLY_MAX + 16];
	int failed = 0;
	size_t i;

	for (i = 0; i < NELEM(policy_cases); i++) {
		c = &policy_cases[i];
		memset(&p, 0, sizeof(p));
		p.tables = c->user ? f->tables : alone;
		p.ntables = c->user ? T_COUNT : 1;
		p.registry = f->registry;
		p.mode = BMX_MODE_ANY;
		if (!judge_mx(&p, c->addr, &j)) {
			failed++;
			continue;
		}
		bmx_decision_reply(&j.d, reply, sizeof(reply));
		if (j.d.verdict != c->verdict || j.d.code != c->code ||
		    strcmp(j.d.dsn, c->dsn) != 0 ||
		    strcmp(j.class_name, c->class) != 0 ||
		    strcmp(reply, c->reply) != 0) {
			print_error("%s%s: expected %s %s \"%s\",\n"
				    "    got %s %s \"%s\"\n",
			    c->addr, c->user ? " (user tables)" : "",
			    bmx_verdict_name(c->verdict), c->class, c->reply,
			    bmx_verdict_name(j.d.verdict), j.class_name, reply);
			failed++;
		}
		bmx_judgement_clear(&j);
	}
	if (failed > 0)
		fail_msg("%d of %zu policy cases failed", failed,
		    NELEM(policy_cases));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_rows),
		cmocka_unit_test(test_registry_rows_covered),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_user_tables),
		cmocka_unit_test(test_null_tables),
		cmocka_unit_test(test_no_names),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
