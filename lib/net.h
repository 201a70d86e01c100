/*
 * net.h - a network prefix ("192.0.2.0/24", "2001:db8::/32")
 *
 * A struct bmx_net is an address and a prefix length.  It owns nothing
 * and may be copied freely.  bmx_net_parse() accepts only the network
 * address itself: host bits set below the prefix are an error, whose
 * text names the network meant.
 *
 * Errors are returned as text in a caller's buffer.
 * Thread safety: all functions are reentrant.
 */
#ifndef BMX_NET_H
#define BMX_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

/** A network (exempt clients). */
struct bmx_net {
	struct bmx_ip ip;
	unsigned bits;
};

/**
 * Does a network contain an address?
 * @param n the network
 * @param ip the address; of the other family it is never contained
 * @return true when the first n->bits bits of ip are those of n
 */
bool bmx_net_contains(const struct bmx_net *n, const struct bmx_ip *ip);

/**
 * Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (a network
 * of that one address).
 * @param text NUL-terminated network text
 * @param out receives the network
 * @param err receives the reason on failure (host bits set, bad length ...)
 * @param errlen size of err
 * @return true on success, false with a message in err
 */
bool bmx_net_parse(
    const char *text, struct bmx_net *out, char *err, size_t errlen);

#endif
