/*
 * control.h - the control socket: a unix socket that bogusmx-ctl(8)
 * talks to
 *
 * Protocol (one request per connection; bogusmx-ctl(8) documents it):
 * the client sends one line of at most BMX_CONTROL_LINE_MAX - 1 bytes,
 * printable ASCII, ended by "\n":
 *
 *     [json] status
 *     [json] purge DOMAIN
 *     [json] dump [N]
 *     [json] resolver
 *     [json] report [reset] [N]
 *
 * The first line of the reply is "ok", or "error KIND: text" where KIND
 * is usage (a bad request), data (a bad argument), unavailable (this
 * daemon cannot do it) or software (it failed); after "ok" comes the
 * body, for a person or, with "json", one JSON object; then the server
 * closes the connection.  A client has BMX_CONTROL_TIMEOUT_MS to send
 * its line.  Each client is served in a thread of its own, at most
 * BMX_CONTROL_CLIENTS at once (more are answered "error unavailable:
 * busy" at once): none of this slows a decision, and silent clients
 * cannot hold the socket for long.
 *
 * Who may connect: the socket is mode 0660, owned by the service user
 * and group (set while still root), checked like the milter's socket
 * (perm.h).
 *
 * Thread safety: open before daemonizing and dropping privileges, start
 * once signals are blocked, stop at exit; all from the main thread.
 */
#ifndef BMX_CONTROL_H
#define BMX_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BMX_CONTROL_LINE_MAX 512
#define BMX_CONTROL_TIMEOUT_MS 2000
#define BMX_CONTROL_CLIENTS 8

/**
 * Make the socket at path, mode 0660, owned by uid:gid when root.
 * @return true, or false with a message in err
 */
bool bmx_control_open(const char *path, bool root, uid_t uid, gid_t gid,
    char *err, size_t errlen);

/** Serve in a thread of its own. @return false when none could start */
bool bmx_control_start(void);

/** Stop serving, remove the socket. */
void bmx_control_stop(void);

/**
 * Answer one request line (without its newline).
 * @param out receives the whole reply
 */
void bmx_control_answer(const char *line, FILE *out);

#endif
