/*
 * policy.h - verdicts and the exact SMTP replies that go with them
 *
 * The policy turns what the resolver found, and what the tables say of
 * every address, into a verdict (accept, reject, tempfail) and the reply
 * text: the same for the milter and for bogusmx-check.  HACKING rule 5,
 * in this order:
 *
 *   an address or name in a reject class   554 5.7.1 (mode any: one is
 *                                          enough; mode all: every usable
 *                                          address must be bogus)
 *   an address of this server              554 5.4.6 would loop back
 *                                          (only when no usable host is
 *                                          more preferred: a backup MX
 *                                          is not a loop)
 *   null MX (RFC 7505)                     556 5.1.10
 *   a usable public address                accept
 *   a lookup failed temporarily            451 4.4.3
 *   nothing usable, nothing temporary      550 5.1.2
 *
 * A table rule's own code, DSN or DEFER overrides the 554 5.7.1 default;
 * a rule of a user's table keeps its text verbatim, as Postfix sends it:
 *   554 5.7.1 <user@hot.de>: Recipient address rejected: MX host
 *   null.hot.de[127.0.0.1] is in loopback network (RFC 1122)
 * Texts hold no CR, LF or other control characters and are capped at
 * BMX_REPLY_MAX; bmx_reply_escape() makes one safe for smfi_setreply().
 *
 * Ownership: a struct bmx_judgement owns its classes array
 * (bmx_judgement_clear()); it points into the resolution and the tables,
 * which must outlive it.
 * Thread safety: reentrant.
 */
#ifndef BMX_POLICY_H
#define BMX_POLICY_H

#include "addr.h"
#include "ipclass.h"
#include "resolve.h"

/** Longest reply text kept, with its NUL (an SMTP reply line is 512). */
#define BMX_REPLY_MAX 480

enum bmx_verdict {
	BMX_VERDICT_ACCEPT,
	BMX_VERDICT_REJECT,
	BMX_VERDICT_TEMPFAIL,
};

enum bmx_mode {
	BMX_MODE_ANY, /**< one bogus address is enough to reject */
	BMX_MODE_ALL, /**< reject only when every usable address is bogus */
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

struct bmx_policy {
	/** Tables in order (the user's, then the registry); NULLs skipped. */
	const struct bmx_cidr_table *const *tables;
	size_t ntables;
	/** The built-in registry: class names and "is in" texts. */
	const struct bmx_cidr_table *registry;
	enum bmx_mode mode;
	/** This server's own addresses (the loop check). */
	const struct bmx_ip *self;
	size_t nself;
};

struct bmx_decision {
	enum bmx_verdict verdict;
	enum bmx_outcome outcome;
	unsigned code;		  /**< 554, 451 ...; 0 on accept */
	char dsn[12];		  /**< "5.7.1"; "" on accept */
	char text[BMX_REPLY_MAX]; /**< after code and DSN; "" on accept */
};

/** What the policy found, for logs and bogusmx-check. */
struct bmx_judgement {
	struct bmx_decision d;
	/** Class of the deciding address or name ("loopback",
	 * "special-use", "null-mx", "public" ...). */
	char class_name[BMX_CLASS_MAX];
	/** For a temporary failure, the detail that the reply leaves out
	 * (which server, what error): for logs and bogusmx-check only, so
	 * no nameserver address ever reaches an SMTP client.  "" otherwise. */
	char why[256];
	const struct bmx_host *host; /**< the deciding host, or NULL */
	bool has_address;	     /**< address below is set */
	struct bmx_ipclass cls;	     /**< the deciding address */
	/** Every address of every host, in host order: classes[k] is the
	 * k-th address (A before AAAA within a host). */
	struct bmx_ipclass *classes;
	size_t nclasses;
	size_t nusable, nbogus;
};

/**
 * Judge a resolved domain.
 * @param rcpt the mailbox for the reply text ("user@hot.de"), or NULL
 *     to leave the "<rcpt>: Recipient address rejected: " part out
 * @param out the judgement; clear with bmx_judgement_clear()
 */
void bmx_policy_judge(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_resolution *res, struct bmx_judgement *out);

/**
 * Judge one address (an address literal recipient, or a bare address).
 * @param rcpt as for bmx_policy_judge()
 */
void bmx_policy_judge_address(const struct bmx_policy *p, const char *rcpt,
    const struct bmx_ip *ip, struct bmx_judgement *out);

/**
 * The decision for a recipient that could not be parsed: 501 5.1.3.
 * @param rcpt the recipient as given; why the parser's message
 */
void bmx_policy_syntax(
    const char *rcpt, const char *why, struct bmx_judgement *out);

/** Free what a judgement holds.  A zeroed struct is fine. */
void bmx_judgement_clear(struct bmx_judgement *j);

/** @return "accept", "reject" or "tempfail". */
const char *bmx_verdict_name(enum bmx_verdict v);

/** @return "accept", "bogus", "self", "null-mx", "tempfail",
 * "undeliverable", "syntax" or "no-check". */
const char *bmx_outcome_name(enum bmx_outcome o);

/**
 * Write the full reply, "554 5.7.1 text", into buf ("" on accept).
 * @return snprintf's return value
 */
int bmx_decision_reply(const struct bmx_decision *d, char *buf, size_t len);

/** Replace every control and 8-bit byte of a reply text by '?'. */
void bmx_reply_sanitize(char *s);

/**
 * Copy text with every '%' doubled, as smfi_setreply() wants it.
 * @return false when it did not fit (out then holds a truncated copy
 *     that still has no lone '%')
 */
bool bmx_reply_escape(const char *text, char *out, size_t len);

#endif
