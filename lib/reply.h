/*
 * reply.h - what the administrator configured on top of the policy's
 * verdict: the action taken and the reply code, DSN and text per outcome
 *
 * The policy decides (reject, why, with which Postfix-style text); this
 * module applies the configuration to that decision, so that the milter
 * and bogusmx-check give the very same answer:
 *
 *   - a reply override per outcome replaces the code, the DSN and/or the
 *     text.  The text is a template: {recipient} {domain} {host}
 *     {address} {class} and {detail} (the policy's own text) are filled
 *     in, "{{" gives "{".  An unknown {name} is an error when the
 *     template is checked (bmx_reply_check), so it never reaches SMTP.
 *   - the action: "reject" keeps the verdict; "tempfail" turns a 5xx
 *     into 451 with a 4.x.x DSN (mail is deferred, never lost); "tag"
 *     and "log" let every recipient through (temporary failures too)
 *     and keep the would-be reply for a header (tag) or for the log only
 *     (log: a dry run that changes nothing).
 *
 * Thread safety: reentrant.  Ownership: specs are borrowed.
 */
#ifndef BMX_REPLY_H
#define BMX_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

enum bmx_action {
	BMX_ACTION_REJECT,
	BMX_ACTION_TEMPFAIL,
	BMX_ACTION_TAG,
	BMX_ACTION_LOG,
};

/** Outcomes that have a reply, for tables indexed by enum bmx_outcome. */
#define BMX_OUTCOME_COUNT (BMX_OUTCOME_NOCHECK + 1)

/** One outcome's configured reply; empty fields keep the policy's. */
struct bmx_reply_spec {
	unsigned code;	  /**< 0: keep */
	char dsn[12];	  /**< "": keep */
	const char *text; /**< template, NULL: keep */
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
 * Apply an override to a decision that is not an accept.  The text is
 * expanded, cleaned of control characters and capped like the policy's.
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
