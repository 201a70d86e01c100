/*
 * config.c - bogusmx.conf through libconfuse into struct bmx_config
 *
 * Every value is checked in a libconfuse validate callback, which runs
 * right after the option is read, so the line number is the option's.
 * Checks that need several options (DSN against code, ttl bounds) run
 * after parsing and name the section's line.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <confuse.h>
#include <netinet/in.h>

#include "access.h"
#include "addr.h"
#include "config.h"
#include "fileio.h"
#include "registry.h"

/* The built-in defaults: etc/bogusmx.conf shows the same values. */
#define DEF_SOCKET "inet:8894@127.0.0.1"
#define DEF_SKIP                                                               \
	"{local, virtual, lmtp, error, prog, \"*file*\", \"*include*\"}"

/* The state of one load, reachable from every callback. */
struct load {
	const char *file;
	struct bmx_diag *diag;
};

/* libconfuse calls back with no user pointer: a load runs in one thread
 * at a time (its lexer is global anyway), so a static is honest here. */
static struct load *cur;

static void
on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cur != NULL)
		bmx_diag_add(cur->diag, BMX_DIAG_ERROR, cur->file,
		    cfg != NULL && cfg->line > 0 ? (unsigned)cfg->line : 0,
		    "%s", msg);
}

/* Name of an option with its section: "dns: timeout-ms". */
static const char *
where(cfg_t *cfg, cfg_opt_t *opt, char *buf, size_t len)
{
	if (cfg == NULL || strcmp(cfg_name(cfg), "root") == 0)
		snprintf(buf, len, "%s", opt->name);
	else if (cfg_title(cfg) != NULL)
		snprintf(buf, len, "%s %s: %s", cfg_name(cfg), cfg_title(cfg),
		    opt->name);
	else
		snprintf(buf, len, "%s: %s", cfg_name(cfg), opt->name);
	return buf;
}

/* Integer bounds, by option name. */
static const struct {
	const char *name;
	long min, max;
} bounds[] = {
	{ "socket-mode", 0, 0777 },
	{ "backlog", 0, 65535 },
	{ "milter-timeout", 1, 86400 },
	{ "port", 1, 65535 },
	{ "timeout-ms", 10, 60000 },
	{ "attempts", 1, 10 },
	{ "deadline-ms", 100, 60000 },
	{ "max-mx", 1, 1000 },
	{ "max-addresses", 1, 4096 },
	{ "max-cname", 0, 64 },
	{ "entries", 0, 10000000 },
	{ "min-ttl", 0, 86400 },
	{ "max-ttl", 0, 604800 },
	{ "max-negative-ttl", 0, 86400 },
	{ "stale-ttl", 0, 604800 },
	{ "code", 400, 599 },
};

static int
check_int(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	long v = cfg_opt_getnint(opt, cfg_opt_size(opt) - 1);
	size_t i;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (strcmp(bounds[i].name, opt->name) == 0 &&
		    (v < bounds[i].min || v > bounds[i].max)) {
			cfg_error(cfg, "%s = %ld: must be %ld..%ld",
			    where(cfg, opt, name, sizeof(name)), v,
			    bounds[i].min, bounds[i].max);
			return -1;
		}
	return 0;
}

static int
check_choice(cfg_t *cfg, cfg_opt_t *opt, const char *const *choices)
{
	char name[128], list[128] = "";
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t i, n = 0;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(v, choices[i]) == 0)
			return 0;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? ", " : "", choices[i]);
	}
	cfg_error(cfg, "%s = \"%s\": must be one of %s",
	    where(cfg, opt, name, sizeof(name)), v, list);
	return -1;
}

static int
check_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const c[] = { "any", "all", NULL };

	return check_choice(cfg, opt, c);
}

static int
check_action(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const c[] = { "reject", "tempfail", "tag", "log",
		NULL };

	return check_choice(cfg, opt, c);
}

static int
check_socket_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], *end;
	const char *v = cfg_opt_getnstr(opt, 0);
	unsigned long m;

	errno = 0;
	m = strtoul(v, &end, 8);
	if (*v == '\0' || *end != '\0' || errno != 0 || m > 0777) {
		cfg_error(cfg,
		    "%s = \"%s\": must be an octal mode such as \"0660\"",
		    where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

static int
check_nameservers(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], err[256];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		struct bmx_query_servers s;
		const char *v = cfg_opt_getnstr(opt, i);

		memset(&s, 0, sizeof(s));
		if (bmx_query_add_server(&s, v, 53, err, sizeof(err)) != 0) {
			cfg_error(cfg, "%s: \"%s\": %s",
			    where(cfg, opt, name, sizeof(name)), v, err);
			return -1;
		}
	}
	return 0;
}

static int
check_addresses(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	struct bmx_ip ip;
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);

		if (!bmx_ip_parse(v, &ip)) {
			cfg_error(cfg, "%s: \"%s\" is not an IP address",
			    where(cfg, opt, name, sizeof(name)), v);
			return -1;
		}
	}
	return 0;
}

static int
check_nets(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], err[256];
	struct bmx_net n;
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);

		if (!bmx_net_parse(v, &n, err, sizeof(err))) {
			cfg_error(cfg, "%s: \"%s\": %s",
			    where(cfg, opt, name, sizeof(name)), v, err);
			return -1;
		}
	}
	return 0;
}

static int
check_domains(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], err[256], out[BMX_DOMAIN_MAX + 1];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);

		if (bmx_domain_normalize(v, out, err, sizeof(err)) !=
		    BMX_ADDR_OK) {
			cfg_error(cfg, "%s: \"%s\": %s",
			    where(cfg, opt, name, sizeof(name)), v, err);
			return -1;
		}
	}
	return 0;
}

static int
check_nonempty(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++)
		if (cfg_opt_getnstr(opt, i)[0] == '\0') {
			cfg_error(cfg, "%s: must not be empty",
			    where(cfg, opt, name, sizeof(name)));
			return -1;
		}
	return 0;
}

static int
check_header(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':')
			break;
	if (*v == '\0' || *p != '\0') {
		cfg_error(cfg,
		    "%s = \"%s\": a header name is printable ASCII without "
		    "spaces or ':'",
		    where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

static cfg_opt_t dns_opts[] = {
	CFG_STR_LIST("nameservers", "{}", CFGF_NONE),
	CFG_STR("resolv-conf", "/etc/resolv.conf", CFGF_NONE),
	CFG_INT("port", 53, CFGF_NONE),
	CFG_INT("timeout-ms", 1000, CFGF_NONE),
	CFG_INT("attempts", 3, CFGF_NONE),
	CFG_INT("deadline-ms", 6000, CFGF_NONE),
	CFG_INT("max-mx", 32, CFGF_NONE),
	CFG_INT("max-addresses", 64, CFGF_NONE),
	CFG_INT("max-cname", 8, CFGF_NONE),
	CFG_END(),
};

static cfg_opt_t cache_opts[] = {
	CFG_INT("entries", 20000, CFGF_NONE),
	CFG_INT("min-ttl", 10, CFGF_NONE),
	CFG_INT("max-ttl", 3600, CFGF_NONE),
	CFG_INT("max-negative-ttl", 600, CFGF_NONE),
	CFG_INT("stale-ttl", 3600, CFGF_NONE),
	CFG_END(),
};

static cfg_opt_t reply_opts[] = {
	CFG_INT("code", 0, CFGF_NODEFAULT),
	CFG_STR("dsn", NULL, CFGF_NODEFAULT),
	CFG_STR("text", NULL, CFGF_NODEFAULT),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_STR("socket", DEF_SOCKET, CFGF_NONE),
	CFG_STR("socket-mode", "0660", CFGF_NONE),
	CFG_STR("user", "bogusmx", CFGF_NONE),
	CFG_STR("group", "", CFGF_NONE),
	CFG_STR("pid-file", "", CFGF_NONE),
	CFG_INT("backlog", 0, CFGF_NONE),
	CFG_INT("milter-timeout", 7210, CFGF_NONE),
	CFG_STR("mode", "any", CFGF_NONE),
	CFG_STR("action", "reject", CFGF_NONE),
	CFG_STR("tag-header", "X-Bogusmx", CFGF_NONE),
	CFG_BOOL("builtin-registry", cfg_true, CFGF_NONE),
	CFG_STR_LIST("tables", "{}", CFGF_NONE),
	CFG_STR_LIST("own-addresses", "{}", CFGF_NONE),
	CFG_BOOL("own-interfaces", cfg_false, CFGF_NONE),
	CFG_BOOL("check-sender", cfg_false, CFGF_NONE),
	CFG_STR_LIST("exempt-domains", "{}", CFGF_NONE),
	CFG_STR_LIST("exempt-clients", "{}", CFGF_NONE),
	CFG_BOOL("exempt-authenticated", cfg_false, CFGF_NONE),
	CFG_STR_LIST("skip-mailers", DEF_SKIP, CFGF_NONE),
	CFG_BOOL("log-accepts", cfg_true, CFGF_NONE),
	CFG_SEC("dns", dns_opts, CFGF_NONE),
	CFG_SEC("cache", cache_opts, CFGF_NONE),
	CFG_SEC(
	    "reply", reply_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END(),
};

/*
 * Blank out comments (# and // to the end of the line, and C comments),
 * outside double quotes, keeping every newline so that line numbers stay
 * right: libconfuse 3.3 miscounts lines after comments and refuses
 * comments inside lists.
 */
static void
strip_comments(char *s)
{
	enum { CODE, QUOTE, LINE, BLOCK } st = CODE;

	for (; *s != '\0'; s++) {
		switch (st) {
		case CODE:
			if (*s == '"')
				st = QUOTE;
			else if (*s == '#' || (s[0] == '/' && s[1] == '/'))
				st = LINE, *s = ' ';
			else if (s[0] == '/' && s[1] == '*')
				st = BLOCK, s[0] = s[1] = ' ', s++;
			break;
		case QUOTE:
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"' || *s == '\n')
				st = CODE;
			break;
		case LINE:
			if (*s == '\n')
				st = CODE;
			else
				*s = ' ';
			break;
		case BLOCK:
			if (s[0] == '*' && s[1] == '/')
				st = CODE, s[0] = s[1] = ' ', s++;
			else if (*s != '\n')
				*s = ' ';
			break;
		}
	}
}

static cfg_t *
make_cfg(void)
{
	cfg_t *cfg = cfg_init(top_opts, CFGF_NONE);
	static const char *const ints[] = { "backlog", "milter-timeout",
		"dns|port", "dns|timeout-ms", "dns|attempts", "dns|deadline-ms",
		"dns|max-mx", "dns|max-addresses", "dns|max-cname",
		"cache|entries", "cache|min-ttl", "cache|max-ttl",
		"cache|max-negative-ttl", "cache|stale-ttl", "reply|code" };
	size_t i;

	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, on_error);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		cfg_set_validate_func(cfg, ints[i], check_int);
	cfg_set_validate_func(cfg, "socket", check_nonempty);
	cfg_set_validate_func(cfg, "user", check_nonempty);
	cfg_set_validate_func(cfg, "socket-mode", check_socket_mode);
	cfg_set_validate_func(cfg, "mode", check_mode);
	cfg_set_validate_func(cfg, "action", check_action);
	cfg_set_validate_func(cfg, "tag-header", check_header);
	cfg_set_validate_func(cfg, "tables", check_nonempty);
	cfg_set_validate_func(cfg, "own-addresses", check_addresses);
	cfg_set_validate_func(cfg, "exempt-domains", check_domains);
	cfg_set_validate_func(cfg, "exempt-clients", check_nets);
	cfg_set_validate_func(cfg, "skip-mailers", check_nonempty);
	cfg_set_validate_func(cfg, "dns|nameservers", check_nameservers);
	cfg_set_validate_func(cfg, "dns|resolv-conf", check_nonempty);
	return cfg;
}

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

/* A list of strings, copied into the config. */
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

static bool
load_tables(struct bmx_config *c, struct bmx_diag *diag)
{
	size_t i, k = 0;
	char err[512], *text;
	size_t len;
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
		if (!bmx_file_read(
			c->table_files[i], &text, &len, err, sizeof(err))) {
			bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, 0,
			    "tables: %s", err);
			ok = false;
			continue;
		}
		c->tables[i] =
		    bmx_cidr_parse(c->table_files[i], text, len, diag);
		free(text);
		if (c->tables[i] != NULL &&
		    !bmx_access_check_table(c->tables[i], diag)) {
			bmx_cidr_free(c->tables[i]);
			c->tables[i] = NULL;
		}
		if (c->tables[i] == NULL)
			ok = false;
		else
			c->policy_tables[k++] = c->tables[i];
	}
	if (c->registry != NULL)
		c->policy_tables[k++] = c->registry;
	c->engine.policy.tables = c->policy_tables;
	c->engine.policy.ntables = k;
	c->engine.policy.registry = c->registry;
	return ok;
}

/* This host's interface addresses, for the loop check. */
static bool
add_interfaces(struct bmx_config *c, size_t *n, struct bmx_diag *diag)
{
	struct ifaddrs *ifa, *p;
	struct bmx_ip *grown;

	if (getifaddrs(&ifa) != 0) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, 0,
		    "own-interfaces: cannot list the interfaces: %s",
		    strerror(errno));
		return false;
	}
	for (p = ifa; p != NULL; p = p->ifa_next) {
		struct bmx_ip ip;

		if (p->ifa_addr == NULL)
			continue;
		if (p->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s =
			    (const struct sockaddr_in *)(void *)p->ifa_addr;

			ip = bmx_ip_v4((const uint8_t *)&s->sin_addr);
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s =
			    (const struct sockaddr_in6 *)(void *)p->ifa_addr;

			ip.family = BMX_IP_V6;
			memcpy(ip.bytes, &s->sin6_addr, 16);
		} else {
			continue;
		}
		grown = realloc(c->self, (*n + 1) * sizeof(*grown));
		if (grown == NULL) {
			freeifaddrs(ifa);
			return false;
		}
		c->self = grown;
		c->self[(*n)++] = ip;
	}
	freeifaddrs(ifa);
	return true;
}

static const char *
parse_reply(struct bmx_config *c, cfg_t *sec, struct bmx_diag *diag)
{
	const char *title = cfg_title(sec);
	struct bmx_reply_spec spec;
	char err[256];
	unsigned o;

	for (o = 0; o < BMX_OUTCOME_COUNT; o++)
		if (strcmp(title, bmx_outcome_name((enum bmx_outcome)o)) == 0)
			break;
	if (o == BMX_OUTCOME_COUNT || o == BMX_OUTCOME_ACCEPT ||
	    o == BMX_OUTCOME_NOCHECK) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, (unsigned)sec->line,
		    "reply \"%s\": unknown outcome: use bogus, self, null-mx, "
		    "tempfail, undeliverable or syntax",
		    title);
		return NULL;
	}
	memset(&spec, 0, sizeof(spec));
	if (cfg_size(sec, "code") > 0)
		spec.code = (unsigned)cfg_getint(sec, "code");
	if (cfg_size(sec, "dsn") > 0)
		snprintf(
		    spec.dsn, sizeof(spec.dsn), "%s", cfg_getstr(sec, "dsn"));
	if (cfg_size(sec, "text") > 0) {
		spec.text = keep(c, cfg_getstr(sec, "text"));
		if (spec.text == NULL)
			return NULL;
	}
	if (cfg_size(sec, "dsn") > 0 &&
	    strlen(cfg_getstr(sec, "dsn")) >= sizeof(spec.dsn))
		snprintf(err, sizeof(err), "DSN \"%.40s\" is too long",
		    cfg_getstr(sec, "dsn"));
	else if (bmx_reply_check((enum bmx_outcome)o, &spec, err, sizeof(err)))
		err[0] = '\0';
	if (err[0] != '\0') {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, (unsigned)sec->line,
		    "reply %s: %s", title, err);
		return NULL;
	}
	c->replies[o] = spec;
	return title;
}

/* Fill c from a parsed cfg.  False after adding errors to diag. */
static bool
build(struct bmx_config *c, cfg_t *cfg, struct bmx_diag *diag)
{
	cfg_t *dns = cfg_getsec(cfg, "dns"), *cache = cfg_getsec(cfg, "cache");
	struct bmx_engine_settings *e = &c->engine;
	size_t i, n, nself = 0;
	char **own;
	bool ok = true;

	bmx_engine_defaults(e);
	if ((c->socket = keep(c, cfg_getstr(cfg, "socket"))) == NULL ||
	    (c->user = keep(c, cfg_getstr(cfg, "user"))) == NULL ||
	    (c->group = keep(c, cfg_getstr(cfg, "group"))) == NULL ||
	    (c->pid_file = keep(c, cfg_getstr(cfg, "pid-file"))) == NULL ||
	    (c->tag_header = keep(c, cfg_getstr(cfg, "tag-header"))) == NULL)
		goto nomem;
	c->socket_mode =
	    (unsigned)strtoul(cfg_getstr(cfg, "socket-mode"), NULL, 8);
	c->backlog = (unsigned)cfg_getint(cfg, "backlog");
	c->milter_timeout = (unsigned)cfg_getint(cfg, "milter-timeout");
	e->policy.mode = strcmp(cfg_getstr(cfg, "mode"), "all") == 0 ?
	    BMX_MODE_ALL :
	    BMX_MODE_ANY;
	bmx_action_parse(cfg_getstr(cfg, "action"), &c->action);
	e->action = c->action;
	c->use_registry = cfg_getbool(cfg, "builtin-registry");
	c->check_sender = cfg_getbool(cfg, "check-sender");
	c->exempt_authenticated = cfg_getbool(cfg, "exempt-authenticated");
	c->log_accepts = cfg_getbool(cfg, "log-accepts");

	/* dns and cache */
	if (!keep_list(c, dns, "nameservers", &own, &e->nnameservers))
		goto nomem;
	e->nameservers = (const char *const *)own;
	if ((e->resolv_conf = keep(c, cfg_getstr(dns, "resolv-conf"))) == NULL)
		goto nomem;
	e->port = (unsigned)cfg_getint(dns, "port");
	e->timeout_ms = (unsigned)cfg_getint(dns, "timeout-ms");
	e->attempts = (unsigned)cfg_getint(dns, "attempts");
	e->deadline_ms = (unsigned)cfg_getint(dns, "deadline-ms");
	e->max_mx = (unsigned)cfg_getint(dns, "max-mx");
	e->max_addrs = (unsigned)cfg_getint(dns, "max-addresses");
	e->max_cname = (unsigned)cfg_getint(dns, "max-cname");
	if (e->deadline_ms < e->timeout_ms) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, (unsigned)dns->line,
		    "dns: deadline-ms = %u is shorter than timeout-ms = %u: "
		    "no attempt could finish",
		    e->deadline_ms, e->timeout_ms);
		ok = false;
	}
	e->cache.max_entries = (size_t)cfg_getint(cache, "entries");
	e->cache.min_ttl = (uint32_t)cfg_getint(cache, "min-ttl");
	e->cache.max_ttl = (uint32_t)cfg_getint(cache, "max-ttl");
	e->cache.max_neg_ttl = (uint32_t)cfg_getint(cache, "max-negative-ttl");
	e->cache.stale_ttl = (uint32_t)cfg_getint(cache, "stale-ttl");
	if (e->cache.min_ttl > e->cache.max_ttl) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
		    (unsigned)cache->line,
		    "cache: min-ttl = %u is above max-ttl = %u",
		    e->cache.min_ttl, e->cache.max_ttl);
		ok = false;
	}

	/* replies */
	for (i = 0; i < cfg_size(cfg, "reply"); i++)
		if (parse_reply(c, cfg_getnsec(cfg, "reply", (unsigned)i),
			diag) == NULL)
			ok = false;
	e->replies = c->replies;

	/* lists */
	if (!keep_list(c, cfg, "tables", &c->table_files, &c->ntables) ||
	    !keep_list(
		c, cfg, "skip-mailers", &c->skip_mailers, &c->nskip_mailers) ||
	    !keep_list(c, cfg, "exempt-domains", &c->exempt_domains, &n))
		goto nomem;
	for (i = 0; i < n; i++) {
		char err[256], norm[BMX_DOMAIN_MAX + 1];

		/* checked by check_domains already */
		bmx_domain_normalize(
		    c->exempt_domains[i], norm, err, sizeof(err));
		snprintf(c->exempt_domains[i], strlen(c->exempt_domains[i]) + 1,
		    "%s", norm);
	}
	e->exempt_domains = (const char *const *)c->exempt_domains;
	e->nexempt_domains = n;
	n = cfg_size(cfg, "exempt-clients");
	c->exempt_clients = calloc(n + 1, sizeof(*c->exempt_clients));
	if (c->exempt_clients == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		char err[256];

		bmx_net_parse(cfg_getnstr(cfg, "exempt-clients", (unsigned)i),
		    &c->exempt_clients[i], err, sizeof(err));
	}
	c->nexempt_clients = n;
	if (!keep_list(c, cfg, "own-addresses", &own, &n))
		goto nomem;
	c->self = calloc(n + 1, sizeof(*c->self));
	if (c->self == NULL) {
		free(own);
		goto nomem;
	}
	for (i = 0; i < n; i++)
		if (bmx_ip_parse(own[i], &c->self[nself]))
			nself++;
	free(own);
	if (cfg_getbool(cfg, "own-interfaces") &&
	    !add_interfaces(c, &nself, diag))
		ok = false;
	e->policy.self = c->self;
	e->policy.nself = nself;

	if (!load_tables(c, diag))
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
	struct load ld = { file, diag };
	size_t errors = diag->errors;
	cfg_t *cfg;
	int rc;

	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->file = strdup(file)) == NULL) {
		free(c);
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	cfg = make_cfg();
	if (cfg == NULL) {
		bmx_config_free(c);
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	strip_comments(text);
	cur = &ld;
	rc = cfg_parse_buf(cfg, text);
	cur = NULL;
	if (rc != CFG_SUCCESS && diag->errors == errors)
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "cannot parse");
	if (rc == CFG_SUCCESS)
		build(c, cfg, diag);
	cfg_free(cfg);
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
bmx_config_skip_mailer(const struct bmx_config *c, const char *mailer)
{
	size_t i;

	for (i = 0; mailer != NULL && i < c->nskip_mailers; i++)
		if (strcmp(c->skip_mailers[i], mailer) == 0)
			return true;
	return false;
}

bool
bmx_net_contains(const struct bmx_net *n, const struct bmx_ip *ip)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (n->ip.family != ip->family)
		return false;
	if (memcmp(n->ip.bytes, ip->bytes, full) != 0)
		return false;
	return rest == 0 ||
	    ((n->ip.bytes[full] ^ ip->bytes[full]) & (0xff00 >> rest)) == 0;
}

bool
bmx_config_exempt_client(const struct bmx_config *c, const struct bmx_ip *ip)
{
	size_t i;

	for (i = 0; i < c->nexempt_clients; i++)
		if (bmx_net_contains(&c->exempt_clients[i], ip))
			return true;
	return false;
}

bool
bmx_net_parse(const char *text, struct bmx_net *out, char *err, size_t errlen)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long bits;
	char *end;
	unsigned i;

	if (!bmx_ip_parse_n(text, alen, &out->ip)) {
		snprintf(err, errlen, "not an address or network");
		return false;
	}
	out->bits = bmx_ip_bits(&out->ip);
	if (slash == NULL)
		return true;
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    bits > out->bits) {
		snprintf(
		    err, errlen, "bad prefix length: use 0..%u", out->bits);
		return false;
	}
	out->bits = (unsigned)bits;
	for (i = out->bits; i < bmx_ip_bits(&out->ip); i++)
		if (out->ip.bytes[i / 8] & (0x80 >> (i % 8))) {
			struct bmx_ip net = out->ip;
			char buf[BMX_IP_STRLEN];

			for (i = out->bits; i < bmx_ip_bits(&net); i++)
				net.bytes[i / 8] &=
				    (uint8_t) ~(0x80 >> (i % 8));
			snprintf(err, errlen,
			    "non-null host bits, perhaps you should use %s/%u",
			    bmx_ip_format(&net, buf, sizeof(buf)), out->bits);
			return false;
		}
	return true;
}
