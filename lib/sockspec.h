/*
 * sockspec.h - the milter's listening socket as libmilter names it
 *
 * One parser for the socket spec of the configuration's socket key and
 * of bogusmx-milter -p: "inet:PORT@HOST", "inet6:PORT@HOST",
 * "unix:/PATH", "local:/PATH", "/PATH" and "fd:N" (a socket opened by a
 * service manager).  The protocol names are recognised in any case, as
 * libmilter does ("UNIX:/path"); a unix path must be absolute (the
 * daemon works in / once started); HOST may be bracketed ("[::1]") and
 * may be left out (every address).
 *
 * The parsed spec points into the caller's text for the path and copies
 * port and host; it owns nothing.
 * Thread safety: reentrant.
 */
#ifndef BMX_SOCKSPEC_H
#define BMX_SOCKSPEC_H

#include <stdbool.h>
#include <stddef.h>

enum bmx_sock_kind {
	BMX_SOCK_INET,
	BMX_SOCK_INET6,
	BMX_SOCK_UNIX,
	BMX_SOCK_FD,
};

struct bmx_sockspec {
	enum bmx_sock_kind kind;
	const char *path; /**< UNIX: the absolute path, into the text */
	char port[32];	  /**< INET, INET6: the port (name or number) */
	char host[256];	  /**< INET, INET6: brackets removed; "": every
			       address */
	int fd;		  /**< FD: the descriptor */
};

/**
 * Parse a libmilter socket spec.
 * @param text NUL-terminated spec; must outlive out (out->path)
 * @param out receives the parsed spec
 * @param err receives the reason on failure ("use inet:PORT@HOST, ...")
 * @param errlen size of err
 * @return true on success, false with a message in err
 */
bool bmx_sockspec_parse(
    const char *text, struct bmx_sockspec *out, char *err, size_t errlen);

#endif
