/*
 * replies.h - the replies the milter still owes the MTA, for a clean stop
 *
 * A callback's answer goes out after the callback returns: libmilter
 * writes it on the thread that ran the callback.  smfi_main() returns
 * at SIGTERM without waiting for those threads (smfi_stop(3)), so an
 * exit right after the last decision could kill a thread between its
 * log line and the write: the MTA would see the milter go away and
 * answer with its own temporary failure, and a logged decision would
 * be lost.  This module counts the answers not known to be written.
 *
 * An answer owed for a session is known to be written once
 *  - the same thread runs its next callback (libmilter writes a reply
 *    before it takes the next command),
 *  - the session runs its next callback (the MTA sends the next command
 *    only after it read the reply), or the session closes,
 *  - the thread ends (after a stop, libmilter's workers end once the
 *    command in hand is answered).
 * None of these is a guess about time.
 *
 * Thread safety: all functions may be called from any thread; one lock
 * guards the count and the links between threads and sessions.
 */
#ifndef BMX_REPLIES_H
#define BMX_REPLIES_H

#include <stdbool.h>
#include <time.h>

#include "session.h"

/**
 * At the entry of every callback: what this thread and this session
 * owed before has been written.
 * @param s the callback's session, or NULL when it has none
 */
void bmx_replies_settle(struct bmx_session *s);

/**
 * This callback will answer for s: owed until settled as above.
 * Call after bmx_replies_settle() in the same callback.
 * @param s the session (not NULL)
 */
void bmx_replies_owe(struct bmx_session *s);

/**
 * Wait until no answer is owed.
 * @param until CLOCK_REALTIME time to give up at
 * @return true when none is owed, false at until
 */
bool bmx_replies_wait(const struct timespec *until);

#endif
