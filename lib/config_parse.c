/*
 * config_parse.c - bogusmx.conf through libconfuse, value by value
 *
 * The text's comments are blanked out (comments.h), and it is handed to
 * cfg_parse_buf() with the option table below.
 *
 * Every value passes a parse callback of ours, which notes the line it
 * was read on and checks integers and booleans with messages that name
 * the key and the bad value; lists and strings are checked by validate
 * callbacks right after they are read (config_check.c, through the
 * private config_check.h).  Checks that involve several
 * keys (DSN against code, ttl bounds, the tables' files) are config.c's,
 * made while building the config; they find the line where the
 * offending key was set through bmx_config_parse_line().
 *
 * The option table here is the list of keys: test/man/man_sync.sh reads
 * its CFG_* lines to check the manual and the sample file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <confuse.h>

#include "comments.h"
#include "config.h"
#include "config_check.h"
#include "config_parse.h"

/* The built-in defaults: etc/bogusmx.conf shows the same values (the
 * socket: BMX_DEFAULT_SOCKET, config.h). */
#define DEF_SKIP                                                               \
	"{local, virtual, lmtp, error, \"postfix:relay\", prog, \"*file*\", "  \
	"\"*include*\"}"

/* Lines where keys were set, by "section title|key" ("|tables",
 * "dns|timeout-ms", "reply bogus|code"), list items as "|tables#2",
 * and the line of the first key set in a section as "reply bogus|". */
#define SEEN_MAX 128
#define SEEN_KEY 96

/* The state of one parse, reachable from every callback. */
struct bmx_config_parse {
	const char *file;
	struct bmx_diag *diag;
	cfg_t *cfg;
	struct {
		char key[SEEN_KEY];
		unsigned line;
	} seen[SEEN_MAX];
	size_t nseen;
};

/* libconfuse calls back with no user pointer: a parse runs in one thread
 * at a time (its lexer is global anyway), so a static is honest here.
 * It is NULL while libconfuse parses the defaults in cfg_init(), and
 * outside cfg_parse_buf(). */
static struct bmx_config_parse *cur;

static bool
is_root(cfg_t *cfg)
{
	return cfg == NULL || strcmp(cfg_name(cfg), "root") == 0;
}

/* libconfuse's own messages ("no such option 'x'"), with the section. */
static void on_error(cfg_t *cfg, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cur == NULL)
		return;
	if (is_root(cfg))
		bmx_diag_add(cur->diag, BMX_DIAG_ERROR, cur->file,
		    cfg != NULL && cfg->line > 0 ? (unsigned)cfg->line : 0,
		    "%s", msg);
	else
		bmx_diag_add(cur->diag, BMX_DIAG_ERROR, cur->file,
		    cfg->line > 0 ? (unsigned)cfg->line : 0, "%s%s%s: %s",
		    cfg_name(cfg), cfg_title(cfg) != NULL ? " " : "",
		    cfg_title(cfg) != NULL ? cfg_title(cfg) : "", msg);
}

/* Our own messages, at the line libconfuse is on. */
void
bmx_config_parse_fail(cfg_t *cfg, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cur != NULL)
		bmx_diag_add(cur->diag, BMX_DIAG_ERROR, cur->file,
		    cfg != NULL && cfg->line > 0 ? (unsigned)cfg->line : 0,
		    "%s", msg);
}

/* Name of a key with its section: "dns: timeout-ms". */
const char *
bmx_config_parse_where(cfg_t *cfg, cfg_opt_t *opt, char *buf, size_t len)
{
	if (is_root(cfg))
		snprintf(buf, len, "%s", opt->name);
	else if (cfg_title(cfg) != NULL)
		snprintf(buf, len, "%s %s: %s", cfg_name(cfg), cfg_title(cfg),
		    opt->name);
	else
		snprintf(buf, len, "%s: %s", cfg_name(cfg), opt->name);
	return buf;
}

static void
seen_set(const char *key, unsigned line, bool first_only)
{
	size_t i;

	for (i = 0; i < cur->nseen; i++)
		if (strcmp(cur->seen[i].key, key) == 0) {
			if (!first_only)
				cur->seen[i].line = line;
			return;
		}
	if (cur->nseen == SEEN_MAX)
		return;
	snprintf(cur->seen[cur->nseen].key, SEEN_KEY, "%s", key);
	cur->seen[cur->nseen++].line = line;
}

/* Note where a value of opt was read. */
static void
note(cfg_t *cfg, cfg_opt_t *opt)
{
	char sec[SEEN_KEY / 2], key[SEEN_KEY];
	unsigned line = cfg->line > 0 ? (unsigned)cfg->line : 0;

	if (cur == NULL)
		return;
	if (is_root(cfg))
		sec[0] = '\0';
	else
		snprintf(sec, sizeof(sec), "%s%s%s", cfg_name(cfg),
		    cfg_title(cfg) != NULL ? " " : "",
		    cfg_title(cfg) != NULL ? cfg_title(cfg) : "");
	snprintf(key, sizeof(key), "%s|", sec);
	seen_set(key, line, true);
	snprintf(key, sizeof(key), "%s|%s", sec, opt->name);
	seen_set(key, line, false);
	if (opt->flags & CFGF_LIST) {
		snprintf(key, sizeof(key), "%s|%s#%u", sec, opt->name,
		    cfg_opt_size(opt) > 0 ? cfg_opt_size(opt) - 1 : 0);
		seen_set(key, line, false);
	}
}

/* Integer bounds, by key. */
static const struct {
	const char *name;
	long min, max;
} bounds[] = {
	{ "backlog", 0, 65535 },
	{ "milter-timeout", 1, 86400 },
	{ "report-domains", 1, 10000 },
	{ "port", 1, 65535 },
	{ "timeout-ms", 10, 60000 },
	{ "attempts", 1, 10 },
	{ "deadline-ms", 100, 60000 },
	{ "max-mx", 1, 1000 },
	{ "max-addresses", 1, 4096 },
	{ "max-cname", 0, 64 },
	{ "max-queries", 1, 65536 },
	{ "entries", 0, 10000000 },
	{ "min-ttl", 0, 86400 },
	{ "max-ttl", 0, 604800 },
	{ "max-negative-ttl", 0, 86400 },
	{ "stale-ttl", 0, 604800 },
	{ "stale-recheck", 0, 86400 },
	{ "max-bytes", 65536, 1099511627776 },
	{ "code", 400, 599 },
	{ "interval", 10, 86400 },
};

/* Integers are decimal ("010" is ten, not libconfuse's eight). */
static int
parse_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	char name[128], *end;
	const char *p = value[0] == '-' ? value + 1 : value;
	long v;
	size_t i;

	note(cfg, opt);
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (strcmp(bounds[i].name, opt->name) == 0)
			break;
	errno = 0;
	v = strtol(value, &end, 10);
	if (*p < '0' || *p > '9' || *end != '\0' || errno != 0) {
		if (i < sizeof(bounds) / sizeof(bounds[0]))
			bmx_config_parse_fail(cfg,
			    "%s = \"%s\": must be a whole number %ld..%ld",
			    bmx_config_parse_where(
				cfg, opt, name, sizeof(name)),
			    value, bounds[i].min, bounds[i].max);
		else
			bmx_config_parse_fail(cfg,
			    "%s = \"%s\": must be a whole number",
			    bmx_config_parse_where(
				cfg, opt, name, sizeof(name)),
			    value);
		return -1;
	}
	if (i < sizeof(bounds) / sizeof(bounds[0]) &&
	    (v < bounds[i].min || v > bounds[i].max)) {
		bmx_config_parse_fail(cfg, "%s = %ld: must be %ld..%ld",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v,
		    bounds[i].min, bounds[i].max);
		return -1;
	}
	*(long *)result = v;
	return 0;
}

static int
parse_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char name[128];
	size_t i;

	note(cfg, opt);
	for (i = 0; i < 3; i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*(int *)result = 1;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*(int *)result = 0;
			return 0;
		}
	}
	bmx_config_parse_fail(cfg, "%s = \"%s\": must be true or false",
	    bmx_config_parse_where(cfg, opt, name, sizeof(name)), value);
	return -1;
}

/* Strings and list items: only noted here, checked by validate_*. */
static int
parse_str(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	note(cfg, opt);
	*(const char **)result = value;
	return 0;
}

static cfg_opt_t guard_opts[] = {
	CFG_BOOL_CB("enabled", cfg_true, CFGF_NONE, parse_bool),
	CFG_STR_CB("private-canary", "", CFGF_NONE, parse_str),
	CFG_BOOL_CB("nxdomain-canary", cfg_true, CFGF_NONE, parse_bool),
	CFG_INT_CB("interval", 300, CFGF_NONE, parse_int),
	CFG_STR_CB("unspecified-address", "defer", CFGF_NONE, parse_str),
	CFG_END(),
};

static cfg_opt_t dns_opts[] = {
	CFG_STR_LIST_CB("nameservers", "{}", CFGF_NONE, parse_str),
	CFG_STR_CB("resolv-conf", "/etc/resolv.conf", CFGF_NONE, parse_str),
	CFG_INT_CB("port", 53, CFGF_NONE, parse_int),
	CFG_INT_CB("timeout-ms", 1000, CFGF_NONE, parse_int),
	CFG_INT_CB("attempts", 3, CFGF_NONE, parse_int),
	CFG_INT_CB("deadline-ms", 6000, CFGF_NONE, parse_int),
	CFG_INT_CB("max-mx", 32, CFGF_NONE, parse_int),
	CFG_INT_CB("max-addresses", 64, CFGF_NONE, parse_int),
	CFG_INT_CB("max-cname", 8, CFGF_NONE, parse_int),
	CFG_INT_CB("max-queries", 256, CFGF_NONE, parse_int),
	CFG_END(),
};

static cfg_opt_t cache_opts[] = {
	CFG_INT_CB("entries", 20000, CFGF_NONE, parse_int),
	CFG_INT_CB("min-ttl", 10, CFGF_NONE, parse_int),
	CFG_INT_CB("max-ttl", 3600, CFGF_NONE, parse_int),
	CFG_INT_CB("max-negative-ttl", 600, CFGF_NONE, parse_int),
	CFG_INT_CB("stale-ttl", 3600, CFGF_NONE, parse_int),
	CFG_INT_CB("stale-recheck", 30, CFGF_NONE, parse_int),
	CFG_INT_CB("max-bytes", 33554432, CFGF_NONE, parse_int),
	CFG_END(),
};

static cfg_opt_t reply_opts[] = {
	CFG_INT_CB("code", 0, CFGF_NODEFAULT, parse_int),
	CFG_STR_CB("dsn", NULL, CFGF_NODEFAULT, parse_str),
	CFG_STR_CB("text", NULL, CFGF_NODEFAULT, parse_str),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_STR_CB("socket", BMX_DEFAULT_SOCKET, CFGF_NONE, parse_str),
	CFG_STR_CB("socket-mode", "0660", CFGF_NONE, parse_str),
	CFG_STR_CB("user", "bogusmx", CFGF_NONE, parse_str),
	CFG_STR_CB("group", "", CFGF_NONE, parse_str),
	CFG_STR_CB("pid-file", "", CFGF_NONE, parse_str),
	CFG_INT_CB("backlog", 0, CFGF_NONE, parse_int),
	CFG_INT_CB("milter-timeout", 7210, CFGF_NONE, parse_int),
	CFG_STR_CB("mode", "any", CFGF_NONE, parse_str),
	CFG_STR_CB("action", "reject", CFGF_NONE, parse_str),
	CFG_STR_CB("tag-header", "X-Bogusmx", CFGF_NONE, parse_str),
	CFG_BOOL_CB("builtin-registry", cfg_true, CFGF_NONE, parse_bool),
	CFG_STR_LIST_CB("tables", "{}", CFGF_NONE, parse_str),
	CFG_STR_LIST_CB("own-addresses", "{}", CFGF_NONE, parse_str),
	CFG_BOOL_CB("own-interfaces", cfg_false, CFGF_NONE, parse_bool),
	CFG_BOOL_CB("check-sender", cfg_false, CFGF_NONE, parse_bool),
	CFG_STR_LIST_CB("exempt-domains", "{}", CFGF_NONE, parse_str),
	CFG_STR_LIST_CB("exempt-clients", "{}", CFGF_NONE, parse_str),
	CFG_STR_LIST_CB("exempt-next-hops", "{}", CFGF_NONE, parse_str),
	CFG_BOOL_CB("exempt-authenticated", cfg_false, CFGF_NONE, parse_bool),
	CFG_STR_LIST_CB("skip-mailers", DEF_SKIP, CFGF_NONE, parse_str),
	CFG_BOOL_CB("log-accepts", cfg_true, CFGF_NONE, parse_bool),
	CFG_STR_CB("metrics", "", CFGF_NONE, parse_str),
	CFG_STR_CB("control-socket", "", CFGF_NONE, parse_str),
	CFG_INT_CB("report-domains", 100, CFGF_NONE, parse_int),
	CFG_SEC("dns", dns_opts, CFGF_NONE),
	CFG_SEC("cache", cache_opts, CFGF_NONE),
	CFG_SEC("resolver-guard", guard_opts, CFGF_NONE),
	CFG_SEC(
	    "reply", reply_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END(),
};

static cfg_t *
make_cfg(void)
{
	cfg_t *cfg = cfg_init(top_opts, CFGF_NONE);

	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, on_error);
	bmx_config_check_set(cfg);
	return cfg;
}

struct bmx_config_parse *
bmx_config_parse_text(const char *file, char *text, struct bmx_diag *diag)
{
	struct bmx_config_parse *p;
	size_t errors = diag->errors;
	char err[128];
	unsigned line;
	int rc;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	p->file = file;
	p->diag = diag;
	if (!bmx_comments_strip(text, err, sizeof(err), &line)) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, line, "%s", err);
		goto out;
	}
	p->cfg = make_cfg();
	if (p->cfg == NULL) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		goto out;
	}
	cur = p;
	rc = cfg_parse_buf(p->cfg, text);
	cur = NULL;
	if (rc == CFG_SUCCESS)
		return p;
	if (diag->errors == errors)
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "cannot parse");
out:
	bmx_config_parse_free(p);
	return NULL;
}

cfg_t *
bmx_config_parse_cfg(const struct bmx_config_parse *p)
{
	return p->cfg;
}

unsigned
bmx_config_parse_line(const struct bmx_config_parse *p, const char *fmt, ...)
{
	char key[SEEN_KEY];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	for (i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i].key, key) == 0)
			return p->seen[i].line;
	return 0;
}

void
bmx_config_parse_free(struct bmx_config_parse *p)
{
	if (p == NULL)
		return;
	if (p->cfg != NULL)
		cfg_free(p->cfg);
	free(p);
}
