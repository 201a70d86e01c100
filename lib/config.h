/*
 * config.h - bogusmx.conf: read, validated, immutable
 *
 * The configuration file (libconfuse syntax, see bogusmx.conf(5) and
 * etc/bogusmx.conf) is read into a struct bmx_config that nothing
 * changes afterwards.  Nothing outside config.c and config_parse.c (its
 * internal half) sees libconfuse.  Every problem is reported with the
 * file, the line, the key and the bad value
 * ("bogusmx.conf:12: dns: timeout-ms = 0: must be 10..60000"); unknown
 * keys are errors.  The cidr tables named by the file are loaded here
 * too, with their own file:line messages.
 *
 * libconfuse 3.3 miscounts lines after comments and rejects comments
 * inside lists: lib/config blanks comments out itself (comments.h,
 * keeping newlines) and parses the buffer.  Its lexer has global state:
 * load in one thread at a time (the milter loads at start and on
 * SIGUSR1, in one thread).
 *
 * Ownership: bmx_config_load() returns a config the caller frees with
 * bmx_config_free(); everything it points to belongs to it.  The engine
 * settings in it borrow the config's tables: free the engine first.
 * Thread safety: a loaded config is read-only and may be shared.
 */
#ifndef BMX_CONFIG_H
#define BMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "canary.h"
#include "cidr.h"
#include "diag.h"
#include "engine.h"
#include "ip.h"
#include "net.h"
#include "reply.h"

/** The default configuration file. */
#define BMX_CONFIG_FILE "/etc/bogusmx/bogusmx.conf"

/** The default socket: a unix socket in a directory only root and the
 * group bogusmx reach, inside the chroot of Debian's Postfix smtpd. */
#define BMX_DEFAULT_SOCKET "unix:/var/spool/postfix/bogusmx/bogusmx.sock"

struct bmx_config {
	char *file; /**< the file read, or "" for the built-in defaults */

	/* the daemon (not changed by a reload) */
	char *socket;		 /**< libmilter socket spec */
	unsigned socket_mode;	 /**< of a unix socket */
	char *user, *group;	 /**< "" group: the user's primary group */
	char *pid_file;		 /**< "": none */
	unsigned backlog;	 /**< listen() backlog, 0: the system's */
	unsigned milter_timeout; /**< seconds, I/O towards the MTA */
	char *metrics;		 /**< the metrics endpoint (listen.h); "" off */
	char *control_socket;	 /**< a unix socket's path; "" off */
	size_t report_domains;	 /**< the report's top-k */

	/* deciding */
	struct bmx_engine_settings engine; /**< points into this config */
	bool use_registry;
	struct bmx_cidr_table *registry; /**< the built-in table */
	struct bmx_cidr_table **tables;	 /**< the user's, in order */
	char **table_files;
	size_t ntables;

	/* acting */
	enum bmx_action action;
	char *tag_header; /**< header added in tag mode */
	struct bmx_reply_spec replies[BMX_OUTCOME_COUNT];
	bool check_sender;

	/* not checking */
	char **skip_mailers;
	size_t nskip_mailers;
	struct bmx_net *exempt_clients;
	size_t nexempt_clients;
	/** Next hops ({rcpt_host}) whose recipients are not checked. */
	char **exempt_next_hops;
	size_t nexempt_next_hops;
	bool exempt_authenticated;

	/* logging */
	bool log_accepts; /**< a line for accepted recipients too */

	/* the resolver guard (section resolver-guard) */
	struct bmx_canary_settings guard;

	/* storage the settings above point into */
	char **strings;
	size_t nstrings;
	const struct bmx_cidr_table **policy_tables;
	struct bmx_ip *self;
	char **exempt_domains;
};

/**
 * Fill a config with the built-in defaults (those of etc/bogusmx.conf).
 * @return the config, or NULL when out of memory (diag says so)
 */
struct bmx_config *bmx_config_defaults(struct bmx_diag *diag);

/**
 * Read and validate a configuration file.
 * @param path the file
 * @param missing_ok when the file does not exist, return the defaults
 *     (the default file may be absent; a named one may not)
 * @param diag receives every problem as file:line: message
 * @return the config, or NULL when there was an error
 */
struct bmx_config *bmx_config_load(
    const char *path, bool missing_ok, struct bmx_diag *diag);

/** Free a config.  NULL is a no-op. */
void bmx_config_free(struct bmx_config *c);

/**
 * Is mailer (the MTA's {rcpt_mailer}) one whose recipients are skipped?
 * A list entry "postfix:relay" counts only when mta is "postfix": the
 * same mailer name means different things to different MTAs (Postfix's
 * relay transport serves relay_domains, Sendmail's relay mailer a smart
 * host).
 * @param mta "postfix", "sendmail", or NULL when not known
 */
bool bmx_config_skip_mailer(
    const struct bmx_config *c, const char *mailer, const char *mta);

/** Is host (the MTA's {rcpt_host}, "[relay.example]") a next hop
 * whose recipients are not checked?  Compared without regard to case. */
bool bmx_config_exempt_next_hop(const struct bmx_config *c, const char *host);

/** Is this client address exempt? */
bool bmx_config_exempt_client(
    const struct bmx_config *c, const struct bmx_ip *ip);

#endif
