/*
 * session.h - what bogusmx keeps about one SMTP connection
 *
 * Stored with smfi_setpriv() (Debian's libmilter runs one connection's
 * callbacks on different threads, so never in thread-local storage).
 * Per message, the would-be replies of tag mode wait here for the end
 * of the message, when they become headers.
 *
 * Ownership: the session owns its strings; bmx_session_free() frees all.
 * Thread safety: one connection's callbacks never run at the same time,
 * so a session needs no lock.
 */
#ifndef BMX_SESSION_H
#define BMX_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"

/** Most tag headers kept per message (later ones are counted only). */
#define BMX_SESSION_TAGS_MAX 50

struct bmx_replies_thread;

struct bmx_session {
	char client[BMX_IP_STRLEN + 64]; /**< "name[1.2.3.4]" for logs */
	bool has_client_ip;
	struct bmx_ip client_ip;
	char **tags; /**< header values for this message */
	size_t ntags, tags_dropped;
	unsigned long rcpts, rejected; /**< counters for the close line */
	/** The MTA agreed not to wait for a reply at connect (NR_CONN). */
	bool no_connect_reply;
	/** The thread whose answer to this session is not known to be
	 * written (replies.h), or NULL. */
	struct bmx_replies_thread *owed_by;
};

/**
 * @param host the client's name as the MTA gives it (may be NULL)
 * @param ip its address, or NULL when unknown (a unix socket, stdin)
 * @return a new session, or NULL when out of memory
 */
struct bmx_session *bmx_session_new(const char *host, const struct bmx_ip *ip);

/** Set the client of a session made before connect (at negotiate). */
void bmx_session_set_client(
    struct bmx_session *s, const char *host, const struct bmx_ip *ip);

/** Free a session.  NULL is a no-op. */
void bmx_session_free(struct bmx_session *s);

/** Keep a header value for the end of this message. */
void bmx_session_add_tag(struct bmx_session *s, const char *value);

/** Forget this message's tags (after eom or abort). */
void bmx_session_clear_tags(struct bmx_session *s);

#endif
