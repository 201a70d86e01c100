/*
 * policy.h - verdicts and the exact SMTP replies that go with them
 *
 * The policy turns what the classifier found into a verdict (accept,
 * reject, tempfail) and the reply text, the same for the milter and for
 * bogusmx-check.
 *
 * Reply texts follow Postfix:
 *   554 5.7.1 <user@hot.de>: Recipient address rejected: MX host
 *   null.hot.de[127.0.0.1] is in loopback network (RFC 1122)
 * A rule's own code and DSN ("550 5.1.2 text") override the defaults
 * (554 5.7.1 for REJECT, 450 4.7.1 for DEFER).  A rule from a table other
 * than the built-in registry keeps its text verbatim, as Postfix would
 * send it.
 *
 * Ownership: struct bmx_decision is self-contained (fixed buffers).
 * Thread safety: reentrant.
 */
#ifndef BMX_POLICY_H
#define BMX_POLICY_H

#include "ipclass.h"

/** Longest reply text kept, with its NUL (an SMTP reply line is 512). */
#define BMX_REPLY_MAX 480

enum bmx_verdict {
	BMX_VERDICT_ACCEPT,
	BMX_VERDICT_REJECT,
	BMX_VERDICT_TEMPFAIL,
};

struct bmx_decision {
	enum bmx_verdict verdict;
	unsigned code;		  /**< 554, 451 ...; 0 on accept */
	char dsn[12];		  /**< "5.7.1"; "" on accept */
	char text[BMX_REPLY_MAX]; /**< after code and DSN; "" on accept */
};

/**
 * Decide for one classified address.
 * @param c the classification
 * @param rcpt the recipient as the client gave it, without brackets, or
 *     NULL when there is none (a bare address was asked about)
 * @param host the MX host name the address belongs to, or NULL for an
 *     address literal
 * @param registry the built-in registry table (its texts are phrased
 *     "is in ..."), or NULL
 * @param d receives the verdict
 */
void bmx_policy_address(const struct bmx_ipclass *c, const char *rcpt,
    const char *host, const struct bmx_cidr_table *registry,
    struct bmx_decision *d);

/** @return "accept", "reject" or "tempfail". */
const char *bmx_verdict_name(enum bmx_verdict v);

/**
 * Write the full reply, "554 5.7.1 text", into buf.
 * @return snprintf's return value
 */
int bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len);

#endif
