/*
 * ip.h - one IPv4 or IPv6 address as plain bytes
 *
 * A struct bmx_ip holds an address in network byte order: 4 bytes for
 * IPv4, 16 for IPv6.  It owns nothing and may be copied freely.  The
 * functions here parse and print addresses with the strict rules of
 * inet_pton(3) and inet_ntop(3): no leading zeros in IPv4 octets, no zone
 * suffix, no brackets.
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef BMX_IP_H
#define BMX_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Text length of the longest address, with its NUL (INET6_ADDRSTRLEN). */
#define BMX_IP_STRLEN 46

enum bmx_ip_family {
	BMX_IP_V4 = 4,
	BMX_IP_V6 = 6,
};

struct bmx_ip {
	enum bmx_ip_family family;
	uint8_t bytes[16]; /**< network order; only the first 4 for IPv4 */
};

/**
 * Parse an IPv4 or IPv6 address (the family is chosen by the presence of
 * a colon, as Postfix does).
 * @param text NUL-terminated address text
 * @param out receives the address; unchanged on failure
 * @return true on success, false when text is not an address
 */
bool bmx_ip_parse(const char *text, struct bmx_ip *out);

/**
 * Parse an address of the given length (not NUL-terminated).
 * @return true on success; false for bad text or len >= BMX_IP_STRLEN
 */
bool bmx_ip_parse_n(const char *text, size_t len, struct bmx_ip *out);

/**
 * Parse an IPv4 address in any form inet_aton(3) reads, as resolver
 * libraries and Sendmail do for a host name that looks like one: one to
 * four parts, each decimal, octal (leading 0) or hexadecimal (0x), the
 * last filling the bytes left ("127.1" is 127.0.0.1, "2130706433" and
 * "0x7f.0.0.1" too).  Unlike glibc's inet_aton nothing may follow.
 * @return true on success; out unchanged otherwise
 */
bool bmx_ip_parse_aton(const char *text, size_t len, struct bmx_ip *out);

/**
 * Print an address in its canonical text form.
 * @param buf at least BMX_IP_STRLEN bytes
 * @return buf
 */
const char *bmx_ip_format(const struct bmx_ip *ip, char *buf, size_t len);

/** @return 32 or 128, the number of bits in the address family. */
unsigned bmx_ip_bits(const struct bmx_ip *ip);

/** @return the IPv4 address built from four bytes in network order. */
struct bmx_ip bmx_ip_v4(const uint8_t bytes[4]);

/** @return true when both addresses are of one family and equal. */
bool bmx_ip_equal(const struct bmx_ip *a, const struct bmx_ip *b);

/** @return true for the unspecified address, 0.0.0.0 or :: */
bool bmx_ip_unspecified(const struct bmx_ip *ip);

struct sockaddr;

/**
 * The address of a socket address (AF_INET or AF_INET6; the port is
 * dropped, an IPv6 scope too).
 * @param sa the socket address, or NULL
 * @param out receives the address; unchanged on failure
 * @return true on success, false for NULL or another family
 */
bool bmx_ip_from_sockaddr(const struct sockaddr *sa, struct bmx_ip *out);

#endif
