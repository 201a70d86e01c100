/*
 * route.h - the domains that routing conventions hide in a recipient
 *
 * An MTA that is the final destination of user%hot.de@example.com does
 * not stop there: Postfix's trivial-rewrite (allow_percent_hack,
 * swap_bangpath, resolve_dequoted_address, all on by default) and
 * Sendmail's rulesets strip the local domain and route by the one inside.
 * These functions find every such domain, so that each can be judged:
 *
 *   @a,@b:user@dom    source route: a and b
 *   user@dom@local    dom (an '@' left in the local part)
 *   "user@dom"@local  dom (a quoted local part, dequoted)
 *   dom!user@local    dom (bang path: the first hop is on the left)
 *   user%dom@local    dom (percent hack: the rightmost '%')
 *
 * The local part is taken apart the way an MTA would, outside in, again
 * and again ("a!b!user", "user%b%c", mixed forms), so nested forms give
 * every hop.  A domain may be an address literal ("user%[10.0.0.1]").
 * An empty one ("100%@local", "!user@local") is no hop: Postfix strips
 * the '@' it becomes and delivers locally.  A hop that is not a valid
 * domain or literal (bad characters, an empty label, an unterminated
 * literal) makes the recipient a syntax error: it is never guessed at,
 * and never looked up.
 *
 * Used by bmx_addr_parse(); writes only into the caller's struct.
 * Thread safety: reentrant.
 */
#ifndef BMX_ROUTE_H
#define BMX_ROUTE_H

#include <stddef.h>

#include "addr.h"

/**
 * Add the hops of a source route.
 * @param s the route as written, "@a,@b:" (route_len octets, ':' last)
 * @param out its routes and nroutes are appended to
 * @return BMX_ADDR_OK, or an error with a message in err
 */
enum bmx_addr_status bmx_route_source(
    const char *s, size_t n, struct bmx_addr *out, char *err, size_t errlen);

/**
 * Add the routing domains hidden in a local part.
 * @param s the local part as written (quotes included), n octets
 * @param out its routes and nroutes are appended to
 * @return BMX_ADDR_OK (also when there is none), or an error with a
 *     message in err
 */
enum bmx_addr_status bmx_route_local(
    const char *s, size_t n, struct bmx_addr *out, char *err, size_t errlen);

#endif
