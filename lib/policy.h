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
 *                                          is not a loop; 451 4.4.3
 *                                          when a more preferred host
 *                                          failed temporarily, as
 *                                          Postfix's smtp client defers)
 *   null MX (RFC 7505)                     556 5.1.10
 *   an A RRset of 0.0.0.0 alone, or an     451 4.4.3 (a resolver that
 *   AAAA RRset of :: alone                 blocks the name answers so;
 *                                          unless unspecified_reject)
 *   a usable public address                accept (not when a group of
 *                                          equal preference was left out
 *                                          whole: mx_group_cut, nor a
 *                                          host's addresses:
 *                                          addr_cut_host)
 *   a lookup failed temporarily            451 4.4.3
 *   nothing usable, nothing temporary      550 5.1.2
 *
 * Every address is classified first, then the outcome is picked in this
 * order; the deciding host is the first by (preference, name) and, within
 * a host, the lowest address, so no reply depends on the order of the
 * records in an answer.
 *
 * A table rule's own code, DSN or DEFER overrides the 554 5.7.1 default;
 * a rule of a user's table keeps its text verbatim, as Postfix sends it:
 *   554 5.7.1 <user@hot.de>: Recipient address rejected: MX host
 *   null.hot.de[127.0.0.1] is in loopback network (RFC 1122)
 * The policy fills a decision's fields (lib/reply.h): code, DSN, the
 * detail after "<rcpt>: Recipient address rejected: ", the mailbox and
 * the domain judged; bmx_decision_text() builds the text from them.
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
#include "reply.h"
#include "resolve.h"

enum bmx_mode {
	BMX_MODE_ANY, /**< one bogus address is enough to reject */
	BMX_MODE_ALL, /**< reject only when every usable address is bogus */
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
	/** An A answer of nothing but 0.0.0.0, an AAAA answer of nothing
	 * but ::, is what resolvers that block names (Pi-hole, AdGuard,
	 * dnsmasq --address=/name/0.0.0.0, which may block one family and
	 * pass the other on) answer: false (the default) leaves that RRset
	 * unjudged, and the recipient is deferred (451 4.4.3) unless
	 * another address refuses it; true judges it like any other (554:
	 * 0.0.0.0 is bogus). */
	bool unspecified_reject;
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
	/** The first host with an RRset left unjudged for holding nothing
	 * but the unspecified address (see unspecified_reject), or NULL. */
	const struct bmx_host *unspecified;
	bool has_address;	/**< address below is set */
	struct bmx_ipclass cls; /**< the deciding address */
	/** Every address of every host, in host order: classes[k] is the
	 * k-th address (A before AAAA within a host). */
	struct bmx_ipclass *classes;
	size_t nclasses;
	size_t nusable, nbogus;
};

/**
 * Judge a resolved domain.
 * @param rcpt the mailbox the reply names ("user@hot.de", role
 *     recipient; the caller may change the role), or NULL to leave the
 *     "<rcpt>: Recipient address rejected: " part out
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
 * The decision for an address that could not be parsed: 501 5.1.3 for a
 * recipient, 501 5.1.7 for a sender (RFC 3463).
 * @param rcpt the address as given; why the parser's message
 */
void bmx_policy_syntax(enum bmx_role role, const char *rcpt, const char *why,
    struct bmx_judgement *out);

/** Free what a judgement holds.  A zeroed struct is fine. */
void bmx_judgement_clear(struct bmx_judgement *j);

#endif
