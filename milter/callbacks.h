/*
 * callbacks.h - the libmilter callbacks: milter events in, engine calls
 * and verdicts out
 *
 * Only what a recipient check needs is negotiated: connect (the client
 * address), MAIL (the sender check and the MAIL macros), RCPT, and the
 * end of message (headers in tag mode); headers, body, HELO, DATA and
 * unknown commands are declined.  RCPT answers are REJECT, TEMPFAIL or
 * CONTINUE, never ACCEPT, so every later recipient is still checked.
 */
#ifndef BMX_CALLBACKS_H
#define BMX_CALLBACKS_H

#include <libmilter/mfapi.h>

/** The filter description for smfi_register(). */
extern struct smfiDesc bmx_milter_desc;

#endif
