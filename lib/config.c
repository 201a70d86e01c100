/*
 * config.c - a parsed bogusmx.conf into struct bmx_config
 *
 * config_parse.c reads the text through libconfuse and checks every
 * value on its own; this file builds the immutable struct from the
 * result: it copies the strings, makes the engine settings, checks what
 * involves several keys (deadline against timeout, ttl bounds, a reply's
 * DSN against its code, each at the line where the offending key was
 * set), reads the interfaces' addresses and loads the cidr tables named
 * by the file.  It also answers the small questions asked of a loaded
 * config (skip this mailer? exempt this client?).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <confuse.h>

#include "access.h"
#include "addr.h"
#include "config.h"
#include "config_parse.h"
#include "fileio.h"
#include "registry.h"

/* Keep a copy of a string in the config; NULL when out of memory. */
static char *
keep(struct bmx_config *c, const char *s)
{
	char **n;
	char *copy;

	n = realloc(c->strings, (c->nstrings + 1) * sizeof(*n));
	if (n == NULL)
		return NULL;
	c->strings = n;
	copy = strdup(s);
	if (copy == NULL)
		return NULL;
	c->strings[c->nstrings++] = copy;
	return copy;
}

/* A list of strings, copied into the config; *out is set either way. */
static bool
keep_list(
    struct bmx_config *c, cfg_t *cfg, const char *name, char ***out, size_t *n)
{
	unsigned i, size = cfg_size(cfg, name);

	*n = 0;
	*out = calloc(size + 1, sizeof(**out));
	if (*out == NULL)
		return false;
	for (i = 0; i < size; i++) {
		(*out)[i] = keep(c, cfg_getnstr(cfg, name, i));
		if ((*out)[i] == NULL)
			return false;
		(*n)++;
	}
	return true;
}

/* The line of item i of a top-level list, or of the list, or 0. */
static unsigned
item_line(const struct bmx_config_parse *p, const char *name, size_t i)
{
	unsigned line;

	if ((line = bmx_config_parse_line(p, "|%s#%zu", name, i)) != 0)
		return line;
	return bmx_config_parse_line(p, "|%s", name);
}

static bool
load_tables(struct bmx_config *c, const struct bmx_config_parse *p,
    struct bmx_diag *diag)
{
	size_t i, k = 0;
	char err[512], *text;
	size_t len, errors;
	bool ok = true;

	if (c->use_registry) {
		c->registry = bmx_registry_table(diag);
		if (c->registry == NULL)
			return false;
	}
	c->tables = calloc(c->ntables + 1, sizeof(*c->tables));
	c->policy_tables = calloc(c->ntables + 2, sizeof(*c->policy_tables));
	if (c->tables == NULL || c->policy_tables == NULL) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, 0, "out of memory");
		return false;
	}
	for (i = 0; i < c->ntables; i++) {
		unsigned line = item_line(p, "tables", i);

		if (!bmx_file_read(
			c->table_files[i], &text, &len, err, sizeof(err))) {
			bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, line,
			    "tables: %s", err);
			ok = false;
			continue;
		}
		errors = diag->errors;
		c->tables[i] =
		    bmx_cidr_parse(c->table_files[i], text, len, diag);
		free(text);
		if (c->tables[i] != NULL &&
		    !bmx_access_check_table(c->tables[i], diag)) {
			bmx_cidr_free(c->tables[i]);
			c->tables[i] = NULL;
		}
		if (c->tables[i] == NULL) {
			bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, line,
			    "tables: \"%s\" not loaded: %zu error(s)",
			    c->table_files[i], diag->errors - errors);
			ok = false;
		} else {
			c->policy_tables[k++] = c->tables[i];
		}
	}
	if (c->registry != NULL)
		c->policy_tables[k++] = c->registry;
	c->engine.policy.tables = c->policy_tables;
	c->engine.policy.ntables = k;
	c->engine.policy.registry = c->registry;
	return ok;
}

/* This host's interface addresses, for the loop check; line is the
 * own-interfaces key's, for the message. */
static bool
add_interfaces(
    struct bmx_config *c, size_t *n, unsigned line, struct bmx_diag *diag)
{
	struct ifaddrs *ifa, *p;
	struct bmx_ip *grown;

	if (getifaddrs(&ifa) != 0) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, line,
		    "own-interfaces: cannot list the interfaces: %s",
		    strerror(errno));
		return false;
	}
	for (p = ifa; p != NULL; p = p->ifa_next) {
		struct bmx_ip ip;

		if (!bmx_ip_from_sockaddr(p->ifa_addr, &ip))
			continue;
		grown = realloc(c->self, (*n + 1) * sizeof(*grown));
		if (grown == NULL) {
			freeifaddrs(ifa);
			bmx_diag_add(
			    diag, BMX_DIAG_ERROR, c->file, 0, "out of memory");
			return false;
		}
		c->self = grown;
		c->self[(*n)++] = ip;
	}
	freeifaddrs(ifa);
	return true;
}

/* One reply section; false after adding an error to diag. */
static bool
parse_reply(struct bmx_config *c, const struct bmx_config_parse *p, cfg_t *sec,
    struct bmx_diag *diag)
{
	const char *title = cfg_title(sec);
	struct bmx_reply_spec spec, part;
	const char *key; /* the key the error is about */
	char err[256];
	unsigned o, line, first;

	first = bmx_config_parse_line(p, "reply %s|", title);
	if (first == 0)
		first = sec->line > 0 ? (unsigned)sec->line : 0;
	for (o = 0; o < BMX_OUTCOME_COUNT; o++)
		if (strcmp(title, bmx_outcome_name((enum bmx_outcome)o)) == 0)
			break;
	if (o == BMX_OUTCOME_COUNT || o == BMX_OUTCOME_ACCEPT ||
	    o == BMX_OUTCOME_NOCHECK) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, first,
		    "reply \"%s\": unknown outcome: use bogus, self, null-mx, "
		    "tempfail, undeliverable or syntax",
		    title);
		return false;
	}
	memset(&spec, 0, sizeof(spec));
	if (cfg_size(sec, "code") > 0)
		spec.code = (unsigned)cfg_getint(sec, "code");
	if (cfg_size(sec, "dsn") > 0) {
		const char *dsn = cfg_getstr(sec, "dsn");

		if (strlen(dsn) >= sizeof(spec.dsn)) {
			bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
			    bmx_config_parse_line(p, "reply %s|dsn", title),
			    "reply %s: DSN \"%.40s\" is not of the form 5.7.1",
			    title, dsn);
			return false;
		}
		snprintf(spec.dsn, sizeof(spec.dsn), "%s", dsn);
	}
	if (cfg_size(sec, "text") > 0) {
		spec.text = keep(c, cfg_getstr(sec, "text"));
		if (spec.text == NULL) {
			bmx_diag_add(
			    diag, BMX_DIAG_ERROR, c->file, 0, "out of memory");
			return false;
		}
	}
	/* Check the code alone, then with the DSN, then all: the error
	 * goes to the line of the key that made it. */
	memset(&part, 0, sizeof(part));
	part.code = spec.code;
	key = "code";
	if (bmx_reply_check((enum bmx_outcome)o, &part, err, sizeof(err))) {
		memcpy(part.dsn, spec.dsn, sizeof(part.dsn));
		key = "dsn";
		if (bmx_reply_check(
			(enum bmx_outcome)o, &part, err, sizeof(err))) {
			key = "text";
			if (bmx_reply_check(
				(enum bmx_outcome)o, &spec, err, sizeof(err))) {
				c->replies[o] = spec;
				return true;
			}
		}
	}
	line = bmx_config_parse_line(p, "reply %s|%s", title, key);
	bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, line != 0 ? line : first,
	    "reply %s: %s", title, err);
	return false;
}

/* The later of two keys' lines, or the section's line. */
static unsigned
pair_line(
    const struct bmx_config_parse *p, const char *a, const char *b, cfg_t *sec)
{
	unsigned la = bmx_config_parse_line(p, "%s", a),
		 lb = bmx_config_parse_line(p, "%s", b);

	if (la == 0 && lb == 0)
		return sec->line > 0 ? (unsigned)sec->line : 0;
	return la > lb ? la : lb;
}

/* The resolver-guard section (checked by the parser). */
static bool
build_guard(struct bmx_config *c, cfg_t *sec)
{
	char name[BMX_DOMAIN_MAX + 1], err[128];
	const char *v = cfg_getstr(sec, "private-canary");

	bmx_canary_defaults(&c->guard);
	c->guard.enabled = cfg_getbool(sec, "enabled");
	c->guard.nxdomain = cfg_getbool(sec, "nxdomain-canary");
	c->guard.interval_s = (unsigned)cfg_getint(sec, "interval");
	c->engine.policy.unspecified_reject =
	    strcmp(cfg_getstr(sec, "unspecified-address"), "reject") == 0;
	if (v[0] == '\0' ||
	    bmx_domain_normalize(v, name, err, sizeof(err)) != BMX_ADDR_OK)
		name[0] = '\0';
	return (c->guard.private_name = keep(c, name)) != NULL;
}

/* The top-level scalar keys.  False when out of memory. */
static bool
build_general(struct bmx_config *c, cfg_t *cfg)
{
	struct bmx_engine_settings *e = &c->engine;

	if ((c->socket = keep(c, cfg_getstr(cfg, "socket"))) == NULL ||
	    (c->user = keep(c, cfg_getstr(cfg, "user"))) == NULL ||
	    (c->group = keep(c, cfg_getstr(cfg, "group"))) == NULL ||
	    (c->pid_file = keep(c, cfg_getstr(cfg, "pid-file"))) == NULL ||
	    (c->metrics = keep(c, cfg_getstr(cfg, "metrics"))) == NULL ||
	    (c->control_socket = keep(c, cfg_getstr(cfg, "control-socket"))) ==
		NULL ||
	    (c->tag_header = keep(c, cfg_getstr(cfg, "tag-header"))) == NULL)
		return false;
	c->socket_mode =
	    (unsigned)strtoul(cfg_getstr(cfg, "socket-mode"), NULL, 8);
	c->backlog = (unsigned)cfg_getint(cfg, "backlog");
	c->milter_timeout = (unsigned)cfg_getint(cfg, "milter-timeout");
	c->report_domains = (size_t)cfg_getint(cfg, "report-domains");
	e->policy.mode = strcmp(cfg_getstr(cfg, "mode"), "all") == 0 ?
	    BMX_MODE_ALL :
	    BMX_MODE_ANY;
	bmx_action_parse(cfg_getstr(cfg, "action"), &c->action);
	e->action = c->action;
	c->use_registry = cfg_getbool(cfg, "builtin-registry");
	c->check_sender = cfg_getbool(cfg, "check-sender");
	c->exempt_authenticated = cfg_getbool(cfg, "exempt-authenticated");
	c->log_accepts = cfg_getbool(cfg, "log-accepts");
	return true;
}

/*
 * The dns section.  Sets *ok to false after adding an error to diag.
 * @return false when out of memory.
 */
static bool
build_dns(struct bmx_config *c, const struct bmx_config_parse *p, cfg_t *dns,
    struct bmx_diag *diag, bool *ok)
{
	struct bmx_engine_settings *e = &c->engine;
	char **list;
	bool kept = keep_list(c, dns, "nameservers", &list, &e->nnameservers);

	e->nameservers = (const char *const *)list;
	if (!kept)
		return false;
	if ((e->resolv_conf = keep(c, cfg_getstr(dns, "resolv-conf"))) == NULL)
		return false;
	e->port = (unsigned)cfg_getint(dns, "port");
	e->timeout_ms = (unsigned)cfg_getint(dns, "timeout-ms");
	e->attempts = (unsigned)cfg_getint(dns, "attempts");
	e->deadline_ms = (unsigned)cfg_getint(dns, "deadline-ms");
	e->max_mx = (unsigned)cfg_getint(dns, "max-mx");
	e->max_addrs = (unsigned)cfg_getint(dns, "max-addresses");
	e->max_cname = (unsigned)cfg_getint(dns, "max-cname");
	e->max_queries = (unsigned)cfg_getint(dns, "max-queries");
	if (e->deadline_ms < e->timeout_ms) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
		    pair_line(p, "dns|deadline-ms", "dns|timeout-ms", dns),
		    "dns: deadline-ms = %u is shorter than timeout-ms = %u: "
		    "no attempt could finish",
		    e->deadline_ms, e->timeout_ms);
		*ok = false;
	}
	return true;
}

/* The cache section.  False after adding an error to diag. */
static bool
build_cache(struct bmx_config *c, const struct bmx_config_parse *p,
    cfg_t *cache, struct bmx_diag *diag)
{
	struct bmx_cache_config *cs = &c->engine.cache;

	cs->max_entries = (size_t)cfg_getint(cache, "entries");
	cs->min_ttl = (uint32_t)cfg_getint(cache, "min-ttl");
	cs->max_ttl = (uint32_t)cfg_getint(cache, "max-ttl");
	cs->max_neg_ttl = (uint32_t)cfg_getint(cache, "max-negative-ttl");
	cs->stale_ttl = (uint32_t)cfg_getint(cache, "stale-ttl");
	cs->stale_recheck = (uint32_t)cfg_getint(cache, "stale-recheck");
	cs->max_bytes = (size_t)cfg_getint(cache, "max-bytes");
	if (cs->min_ttl > cs->max_ttl) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
		    pair_line(p, "cache|min-ttl", "cache|max-ttl", cache),
		    "cache: min-ttl = %u is above max-ttl = %u", cs->min_ttl,
		    cs->max_ttl);
		return false;
	}
	return true;
}

/* The list keys and the exemptions.  False when out of memory. */
static bool
build_lists(struct bmx_config *c, cfg_t *cfg)
{
	struct bmx_engine_settings *e = &c->engine;
	size_t i, n;

	if (!keep_list(c, cfg, "tables", &c->table_files, &c->ntables) ||
	    !keep_list(
		c, cfg, "skip-mailers", &c->skip_mailers, &c->nskip_mailers) ||
	    !keep_list(c, cfg, "exempt-next-hops", &c->exempt_next_hops,
		&c->nexempt_next_hops) ||
	    !keep_list(c, cfg, "exempt-domains", &c->exempt_domains, &n))
		return false;
	for (i = 0; i < n; i++) {
		char err[256], norm[BMX_DOMAIN_MAX + 1];

		/* checked by check_domains already; an A-label form can be
		 * longer than the UTF-8 one, so it gets its own copy */
		if (bmx_domain_normalize(c->exempt_domains[i], norm, err,
			sizeof(err)) != BMX_ADDR_OK)
			continue;
		if ((c->exempt_domains[i] = keep(c, norm)) == NULL)
			return false;
	}
	e->exempt_domains = (const char *const *)c->exempt_domains;
	e->nexempt_domains = n;
	n = cfg_size(cfg, "exempt-clients");
	c->exempt_clients = calloc(n + 1, sizeof(*c->exempt_clients));
	if (c->exempt_clients == NULL)
		return false;
	for (i = 0; i < n; i++) {
		char err[256];

		bmx_net_parse(cfg_getnstr(cfg, "exempt-clients", (unsigned)i),
		    &c->exempt_clients[i], err, sizeof(err));
	}
	c->nexempt_clients = n;
	return true;
}

/*
 * own-addresses and own-interfaces.  Sets *ok to false after adding an error
 * to diag.
 * @return false when out of memory.
 */
static bool
build_self(struct bmx_config *c, const struct bmx_config_parse *p, cfg_t *cfg,
    struct bmx_diag *diag, bool *ok)
{
	size_t i, nself = 0;

	c->self = calloc(cfg_size(cfg, "own-addresses") + 1, sizeof(*c->self));
	if (c->self == NULL)
		return false;
	for (i = 0; i < cfg_size(cfg, "own-addresses"); i++)
		if (bmx_ip_parse(cfg_getnstr(cfg, "own-addresses", (unsigned)i),
			&c->self[nself]))
			nself++;
	if (cfg_getbool(cfg, "own-interfaces") &&
	    !add_interfaces(
		c, &nself, bmx_config_parse_line(p, "|own-interfaces"), diag))
		*ok = false;
	c->engine.policy.self = c->self;
	c->engine.policy.nself = nself;
	return true;
}

/* Fill c from a parsed cfg.  False after adding errors to diag. */
static bool
build(struct bmx_config *c, const struct bmx_config_parse *p,
    struct bmx_diag *diag)
{
	cfg_t *cfg = bmx_config_parse_cfg(p);
	size_t i;
	bool ok = true;

	bmx_engine_defaults(&c->engine);
	if (!build_general(c, cfg) ||
	    !build_dns(c, p, cfg_getsec(cfg, "dns"), diag, &ok))
		goto nomem;
	if (!build_cache(c, p, cfg_getsec(cfg, "cache"), diag))
		ok = false;
	if (!build_guard(c, cfg_getsec(cfg, "resolver-guard")))
		goto nomem;
	for (i = 0; i < cfg_size(cfg, "reply"); i++)
		if (!parse_reply(
			c, p, cfg_getnsec(cfg, "reply", (unsigned)i), diag))
			ok = false;
	c->engine.replies = c->replies;
	if (!build_lists(c, cfg) || !build_self(c, p, cfg, diag, &ok))
		goto nomem;
	if (!load_tables(c, p, diag))
		ok = false;
	return ok;
nomem:
	bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, 0, "out of memory");
	return false;
}

static struct bmx_config *
load_text(const char *file, char *text, struct bmx_diag *diag)
{
	struct bmx_config *c;
	struct bmx_config_parse *p;
	size_t errors = diag->errors;

	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->file = strdup(file)) == NULL) {
		free(c);
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	p = bmx_config_parse_text(file, text, diag);
	if (p != NULL && !build(c, p, diag) && diag->errors == errors)
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "cannot build");
	bmx_config_parse_free(p);
	if (diag->errors != errors) {
		bmx_config_free(c);
		return NULL;
	}
	return c;
}

struct bmx_config *
bmx_config_defaults(struct bmx_diag *diag)
{
	char empty[1] = "";
	struct bmx_config *c = load_text("", empty, diag);

	return c;
}

struct bmx_config *
bmx_config_load(const char *path, bool missing_ok, struct bmx_diag *diag)
{
	struct bmx_config *c;
	char err[512], *text;
	size_t len;

	struct stat st;

	if (missing_ok && stat(path, &st) != 0 && errno == ENOENT)
		return bmx_config_defaults(diag);
	if (!bmx_file_read(path, &text, &len, err, sizeof(err))) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, NULL, 0, "%s", err);
		return NULL;
	}
	if (strlen(text) != len) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, path, 0,
		    "the file holds a NUL byte: is it a text file?");
		free(text);
		return NULL;
	}
	c = load_text(path, text, diag);
	free(text);
	return c;
}

void
bmx_config_free(struct bmx_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; c->tables != NULL && i < c->ntables; i++)
		bmx_cidr_free(c->tables[i]);
	bmx_cidr_free(c->registry);
	free(c->tables);
	free(c->policy_tables);
	free(c->table_files);
	free(c->skip_mailers);
	free(c->exempt_next_hops);
	free(c->exempt_domains);
	free(c->exempt_clients);
	free(c->self);
	free((void *)c->engine.nameservers);
	for (i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	free(c->strings);
	free(c->file);
	free(c);
}

bool
bmx_config_skip_mailer(
    const struct bmx_config *c, const char *mailer, const char *mta)
{
	size_t i, k;

	for (i = 0; mailer != NULL && i < c->nskip_mailers; i++) {
		const char *m = c->skip_mailers[i], *colon = strchr(m, ':');

		if (colon != NULL) {
			k = (size_t)(colon - m);
			if (mta == NULL || strlen(mta) != k ||
			    strncmp(m, mta, k) != 0)
				continue;
			m = colon + 1;
		}
		if (strcmp(m, mailer) == 0)
			return true;
	}
	return false;
}

bool
bmx_config_exempt_next_hop(const struct bmx_config *c, const char *host)
{
	size_t i;

	for (i = 0; host != NULL && i < c->nexempt_next_hops; i++)
		if (strcasecmp(c->exempt_next_hops[i], host) == 0)
			return true;
	return false;
}

/* An IPv4 client seen through a dual-stack socket (::ffff:a.b.c.d) is
 * judged by its IPv4 address too, as exempt-clients are written. */
bool
bmx_config_exempt_client(const struct bmx_config *c, const struct bmx_ip *ip)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	struct bmx_ip v4;
	size_t i;

	for (i = 0; i < c->nexempt_clients; i++)
		if (bmx_net_contains(&c->exempt_clients[i], ip))
			return true;
	if (ip->family != BMX_IP_V6 || memcmp(ip->bytes, mapped, 12) != 0)
		return false;
	v4 = bmx_ip_v4(ip->bytes + 12);
	for (i = 0; i < c->nexempt_clients; i++)
		if (bmx_net_contains(&c->exempt_clients[i], &v4))
			return true;
	return false;
}
