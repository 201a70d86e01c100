/*
 * listen.h - a listening socket of ours: the metrics endpoint and the
 * control socket
 *
 * A spec names where to listen: "inet:PORT@ADDRESS" (IPv4),
 * "inet6:PORT@[ADDRESS]" (IPv6), "unix:/PATH", "local:/PATH" or "/PATH".
 * The syntax is the milter socket's (bmx_sockspec_parse(): protocol
 * names in any case, brackets optional); on top of it, fd:N is refused,
 * the port must be a number, and the address must be numeric (no name
 * is looked up) and is required: there is no "every address" by
 * default.  bmx_listen_open() makes the socket: an inet socket with
 * SO_REUSEADDR; a unix socket after removing a stale one (only a socket
 * is ever removed, never another kind of file), with the mode given,
 * set before anybody can connect (umask while binding), and its owner
 * set through a descriptor after checking it is the socket just made
 * (bmx_sock_finish(): a name swapped for a link is never followed).
 *
 * Errors: false or -1 with a message in err: for a spec, the reason
 * alone (the caller names the key or spec); for a socket, the path (or
 * "the address") and the reason.  Nothing is logged.
 * Thread safety: reentrant; bmx_listen_open() changes the umask for a
 * moment, so call it before threads that create files run.
 */
#ifndef BMX_LISTEN_H
#define BMX_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

struct bmx_listen {
	int family; /**< AF_INET, AF_INET6 or AF_UNIX */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /**< unix */
};

/**
 * Parse a spec.
 * @param spec "inet:PORT@ADDRESS", "inet6:PORT@[ADDRESS]", "unix:/PATH",
 *     "local:/PATH" or "/PATH"
 * @param out filled when the spec is good
 * @return true, or false with a message in err
 */
bool bmx_listen_parse(
    const char *spec, struct bmx_listen *out, char *err, size_t errlen);

/**
 * Make a listening socket (close-on-exec, backlog 16).
 * @param mode of a unix socket (e.g. 0660); ignored for inet
 * @param uid, gid owner of a unix socket; (uid_t)-1: leave it as made
 *     (gid then ignored); a chown that changes nothing is not made
 * @return the descriptor, or -1 with a message in err (the socket
 *     replaced since it was made: refused, left alone)
 */
int bmx_listen_open(const struct bmx_listen *l, unsigned mode, uid_t uid,
    gid_t gid, char *err, size_t errlen);

/**
 * Parse a spec and make its socket: bmx_listen_parse() then
 * bmx_listen_open(), a bad spec's message naming key and spec
 * ("metrics \"tcp:1\": use inet:PORT@ADDRESS, ...").
 * @param out the parsed spec (its path, for removing the socket)
 * @return the descriptor, or -1 with a message in err
 */
int bmx_listen_spec(const char *key, const char *spec, unsigned mode, uid_t uid,
    gid_t gid, struct bmx_listen *out, char *err, size_t errlen);

#endif
