/*
 * net.c - network prefixes: parse and match
 *
 * No allocation, no I/O: the caller's struct and error buffer are all
 * that is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

bool
bmx_net_contains(const struct bmx_net *n, const struct bmx_ip *ip)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (n->ip.family != ip->family)
		return false;
	if (memcmp(n->ip.bytes, ip->bytes, full) != 0)
		return false;
	return rest == 0 ||
	    ((n->ip.bytes[full] ^ ip->bytes[full]) & (0xff00 >> rest)) == 0;
}

bool
bmx_net_parse(const char *text, struct bmx_net *out, char *err, size_t errlen)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long bits;
	char *end;
	unsigned i;

	if (!bmx_ip_parse_n(text, alen, &out->ip)) {
		snprintf(err, errlen, "not an address or network");
		return false;
	}
	out->bits = bmx_ip_bits(&out->ip);
	if (slash == NULL)
		return true;
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    bits > out->bits) {
		snprintf(
		    err, errlen, "bad prefix length: use 0..%u", out->bits);
		return false;
	}
	out->bits = (unsigned)bits;
	for (i = out->bits; i < bmx_ip_bits(&out->ip); i++)
		if (out->ip.bytes[i / 8] & (0x80 >> (i % 8))) {
			struct bmx_ip net = out->ip;
			char buf[BMX_IP_STRLEN];

			for (i = out->bits; i < bmx_ip_bits(&net); i++)
				net.bytes[i / 8] &=
				    (uint8_t) ~(0x80 >> (i % 8));
			snprintf(err, errlen,
			    "non-null host bits, perhaps you should use %s/%u",
			    bmx_ip_format(&net, buf, sizeof(buf)), out->bits);
			return false;
		}
	return true;
}
