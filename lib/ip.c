/*
 * ip.c - parse and print IPv4 and IPv6 addresses
 *
 * Thin, checked wrappers over inet_pton(3) and inet_ntop(3).  No state.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>

#include "ip.h"

bool
bmx_ip_parse(const char *text, struct bmx_ip *out)
{
	struct bmx_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (strchr(text, ':') != NULL) {
		ip.family = BMX_IP_V6;
		if (inet_pton(AF_INET6, text, ip.bytes) != 1)
			return false;
	} else {
		ip.family = BMX_IP_V4;
		if (inet_pton(AF_INET, text, ip.bytes) != 1)
			return false;
	}
	*out = ip;
	return true;
}

bool
bmx_ip_parse_n(const char *text, size_t len, struct bmx_ip *out)
{
	char buf[BMX_IP_STRLEN];

	if (len >= sizeof(buf) || memchr(text, '\0', len) != NULL)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return bmx_ip_parse(buf, out);
}

const char *
bmx_ip_format(const struct bmx_ip *ip, char *buf, size_t len)
{
	int af = ip->family == BMX_IP_V6 ? AF_INET6 : AF_INET;

	if (inet_ntop(af, ip->bytes, buf, (socklen_t)len) == NULL && len > 0)
		buf[0] = '\0';
	return buf;
}

unsigned
bmx_ip_bits(const struct bmx_ip *ip)
{
	return ip->family == BMX_IP_V6 ? 128 : 32;
}

struct bmx_ip
bmx_ip_v4(const uint8_t bytes[4])
{
	struct bmx_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = BMX_IP_V4;
	memcpy(ip.bytes, bytes, 4);
	return ip;
}

bool
bmx_ip_equal(const struct bmx_ip *a, const struct bmx_ip *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, a->family == BMX_IP_V6 ? 16 : 4) == 0;
}

bool
bmx_ip_unspecified(const struct bmx_ip *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->bytes, zero, ip->family == BMX_IP_V6 ? 16 : 4) == 0;
}

/* One part of an inet_aton form: decimal, 0 octal or 0x hexadecimal. */
static bool
aton_part(const char *s, size_t n, uint64_t *v)
{
	unsigned base = 10, d;
	size_t i = 0;

	if (n == 0)
		return false;
	if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (n == 2)
			return false;
	} else if (s[0] == '0')
		base = 8;
	for (*v = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			return false;
		if (d >= base)
			return false;
		*v = *v * base + d;
		if (*v > 0xffffffffu)
			return false;
	}
	return true;
}

bool
bmx_ip_parse_aton(const char *text, size_t len, struct bmx_ip *out)
{
	uint64_t part[4], last;
	size_t np = 0, i, start = 0;
	uint8_t b[4];

	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '.')
			continue;
		if (np == 4 || !aton_part(text + start, i - start, &part[np]))
			return false;
		np++;
		start = i + 1;
	}
	for (i = 0; i + 1 < np; i++)
		if (part[i] > 255)
			return false;
	last = part[np - 1];
	if (last >> (8 * (5 - np)) != 0)
		return false;
	for (i = 0; i + 1 < np; i++)
		b[i] = (uint8_t)part[i];
	for (i = 4; i-- > np - 1;) {
		b[i] = (uint8_t)(last & 0xff);
		last >>= 8;
	}
	*out = bmx_ip_v4(b);
	return true;
}

bool
bmx_ip_from_sockaddr(const struct sockaddr *sa, struct bmx_ip *out)
{
	struct bmx_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		ip.family = BMX_IP_V4;
		memcpy(ip.bytes, &in->sin_addr, 4);
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		ip.family = BMX_IP_V6;
		memcpy(ip.bytes, &in6->sin6_addr, 16);
	} else {
		return false;
	}
	*out = ip;
	return true;
}
