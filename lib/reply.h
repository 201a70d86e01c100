/*
 * reply.h - a decision's reply as fields, the one place its text is
 * built, and what the administrator configured on top of it
 *
 * A decision (struct bmx_decision) keeps the parts of its SMTP reply
 * apart: verdict, outcome, code, DSN, whom it speaks of (the role,
 * recipient or sender, and the mailbox as the client wrote it), the
 * domain whose DNS decided, and the detail (the policy's text, or an
 * override's).  bmx_decision_text() alone puts them together:
 *
 *   <mailbox>: Recipient address rejected: detail
 *   <mailbox>: Sender address rejected: detail     (the sender check)
 *   detail                                         (no mailbox: a bare
 *                                                   domain or address)
 *
 * Nothing ever searches a built text to find a part again, so a mailbox
 * that holds "address rejected: " or "Recipient" moves nothing: it is
 * a field's value, never a position.
 *
 * On top of the policy's decision, this module applies the
 * configuration, so that the milter and bogusmx-check give the very same
 * answer:
 *
 *   - a reply override per outcome replaces the code, the DSN and/or the
 *     detail.  The text is a template: {recipient} {domain} {host}
 *     {address} {class} and {detail} (the policy's own detail) are filled
 *     in, "{{" gives "{".  An unknown {name} is an error when the
 *     template is checked (bmx_reply_check), so it never reaches SMTP.
 *   - the action: "reject" keeps the verdict; "tempfail" turns a 5xx
 *     into 451 with a 4.x.x DSN (mail is deferred, never lost); "tag"
 *     and "log" let every recipient through (temporary failures too)
 *     and keep the would-be reply for a header (tag) or for the log only
 *     (log: a dry run that changes nothing).
 *
 * Built texts hold no CR, LF or other control or 8-bit byte (each is
 * replaced by '?') and are shorter than BMX_REPLY_MAX; bmx_reply_escape()
 * makes one safe for smfi_setreply().
 *
 * Thread safety: reentrant.  Ownership: specs and fields are borrowed;
 * a decision is self-contained (fixed buffers).
 */
#ifndef BMX_REPLY_H
#define BMX_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/** Longest reply text kept, with its NUL (an SMTP reply line is 512). */
#define BMX_REPLY_MAX 480

enum bmx_verdict {
	BMX_VERDICT_ACCEPT,
	BMX_VERDICT_REJECT,
	BMX_VERDICT_TEMPFAIL,
};

/** Why the verdict is what it is. */
enum bmx_outcome {
	BMX_OUTCOME_ACCEPT,	   /**< a usable public address */
	BMX_OUTCOME_BOGUS,	   /**< a reject class (address or name) */
	BMX_OUTCOME_SELF,	   /**< this server's own address */
	BMX_OUTCOME_NULLMX,	   /**< RFC 7505 */
	BMX_OUTCOME_TEMPFAIL,	   /**< DNS failed temporarily */
	BMX_OUTCOME_UNDELIVERABLE, /**< NXDOMAIN, no address, CNAME loop */
	BMX_OUTCOME_SYNTAX,	   /**< the recipient is malformed */
	BMX_OUTCOME_NOCHECK,	   /**< nothing to check (<>, postmaster) */
};

/** Outcomes that have a reply, for tables indexed by enum bmx_outcome. */
#define BMX_OUTCOME_COUNT (BMX_OUTCOME_NOCHECK + 1)

/** Whom a reply speaks of. */
enum bmx_role {
	BMX_ROLE_RECIPIENT, /**< RCPT TO: "Recipient address rejected" */
	BMX_ROLE_SENDER,    /**< MAIL FROM: "Sender address rejected" */
};

struct bmx_decision {
	enum bmx_verdict verdict;
	enum bmx_outcome outcome;
	unsigned code; /**< 554, 451 ...; 0 on accept */
	char dsn[12];  /**< "5.7.1"; "" on accept */
	enum bmx_role role;
	/** The text names the mailbox ("<mailbox>: Recipient address
	 * rejected: "); false for a bare domain or address. */
	bool addressed;
	/** The mailbox as the client wrote it (without <>): any bytes
	 * the parser let through, cleaned only when the text is built. */
	char mailbox[BMX_RCPT_MAX + 1];
	/** The domain whose DNS answers decided ("" for an address
	 * literal): the {domain} of an override.  It may differ from the
	 * mailbox's domain (a routing domain). */
	char domain[BMX_DOMAIN_MAX + 1];
	/** What follows the mailbox part: the policy's text, or the
	 * expanded override; "" on accept. */
	char detail[BMX_REPLY_MAX];
};

/** @return "accept", "reject" or "tempfail". */
const char *bmx_verdict_name(enum bmx_verdict v);

/** @return "accept", "bogus", "self", "null-mx", "tempfail",
 * "undeliverable", "syntax" or "no-check". */
const char *bmx_outcome_name(enum bmx_outcome o);

/** @return "Recipient" or "Sender", as the reply text says it */
const char *bmx_role_name(enum bmx_role r);

/**
 * Set whom a decision speaks of.
 * @param mailbox the mailbox without <> (copied, at most BMX_RCPT_MAX
 *     bytes), or NULL: the text is the detail alone
 */
void bmx_decision_address(
    struct bmx_decision *d, enum bmx_role role, const char *mailbox);

/**
 * Build the reply text (what follows code and DSN) from the fields:
 * the only place a reply's text is put together.  "" on accept.
 * @param buf receives at most min(len, BMX_REPLY_MAX) bytes with the NUL
 * @return the length of the text (shorter than BMX_REPLY_MAX); it was
 *     cut when that is len or more
 */
size_t bmx_decision_text(const struct bmx_decision *d, char *buf, size_t len);

/**
 * Write the full reply, "554 5.7.1 text", into buf ("" on accept).
 * @return snprintf's return value
 */
int bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len);

/**
 * A value of a log line, written so that no text a client chose can
 * look like a field or a separator: the one way every client-chosen
 * value (mailbox, client name, queue id, MX name, error) goes into a
 * line.  s is written as it is when it is plain: not empty, printable
 * US-ASCII with no '"' or '\\', and no space (a field's value) or, for
 * free text (the reply, which has spaces), no '='.  Anything else is
 * written as a string in double quotes, '"' and '\\' escaped by a
 * backslash, every control and 8-bit byte as \\xHH; too long a value
 * is cut, never inside an escape, and still closed by its quote.
 * @param text true for free text (spaces allowed, '=' not)
 * @param buf  receives the value; len 4 * strlen(s) + 3 holds any s
 * @return buf
 */
const char *bmx_log_value(const char *s, bool text, char *buf, size_t len);

/** Replace every control and 8-bit byte of s by '?', in place. */
void bmx_reply_sanitize(char *s);

/**
 * Copy text with every '%' doubled, as smfi_setreply() wants it.
 * @return false when it did not fit (out then holds a truncated copy
 *     that still has no lone '%')
 */
bool bmx_reply_escape(const char *text, char *out, size_t len);

enum bmx_action {
	BMX_ACTION_REJECT,
	BMX_ACTION_TEMPFAIL,
	BMX_ACTION_TAG,
	BMX_ACTION_LOG,
};

/** One outcome's configured reply; empty fields keep the policy's. */
struct bmx_reply_spec {
	unsigned code;	  /**< 0: keep */
	char dsn[12];	  /**< "": keep */
	const char *text; /**< template for the detail, NULL: keep */
};

/** The fields a template may use; NULL fields expand to "". */
struct bmx_reply_fields {
	const char *recipient, *domain, *host, *address, *class_name;
};

/** @return "reject", "tempfail", "tag" or "log" */
const char *bmx_action_name(enum bmx_action a);

/** @return true and set *a when name is an action's name */
bool bmx_action_parse(const char *name, enum bmx_action *a);

/**
 * Check an override for an outcome: the code's class must match the
 * outcome (5xx for rejects, 4xx for tempfail), the DSN must be
 * class.subject.detail with the code's class, the template's names must
 * be known.
 * @return true, or false with a message in err
 */
bool bmx_reply_check(enum bmx_outcome o, const struct bmx_reply_spec *s,
    char *err, size_t errlen);

/**
 * Apply an override to a decision that is not an accept: code and DSN,
 * and the template expanded into the detail (the mailbox part stays as
 * it is).  Expanded text is capped at BMX_REPLY_MAX.
 * @param s the spec for d->outcome, or NULL
 */
void bmx_reply_apply(const struct bmx_reply_spec *s,
    const struct bmx_reply_fields *f, struct bmx_decision *d);

/**
 * Apply the action to a decision.
 * @return the verdict the MTA is given: d's own for reject; TEMPFAIL
 *     (with a reject turned into a 451 4.x.x reply) for tempfail;
 *     ACCEPT for tag and log, with d left as the would-be reply
 */
enum bmx_verdict bmx_reply_act(enum bmx_action a, struct bmx_decision *d);

#endif
