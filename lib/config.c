/*
 * config.c - bogusmx.conf through libconfuse into struct bmx_config
 *
 * The file is read whole, its comments blanked out (newlines kept, so
 * line numbers stay right; libconfuse 3.3 miscounts lines after comments
 * and refuses comments inside lists), checked for unterminated strings,
 * comments and braces (libconfuse takes the end of the file as the end
 * of an open section), and handed to cfg_parse_buf().
 *
 * Every value passes a parse callback of ours, which notes the line it
 * was read on and checks integers and booleans with messages that name
 * the key and the bad value; lists and strings are checked by validate
 * callbacks right after they are read.  Checks that involve several
 * keys (DSN against code, ttl bounds, the tables' files) run after
 * parsing and name the line where the offending key was set.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Lines where keys were set, by "section title|key" ("|tables",
 * "dns|timeout-ms", "reply bogus|code"), list items as "|tables#2",
 * and the first line of a section as "reply bogus|". */
#define SEEN_MAX 128
#define SEEN_KEY 96

/* The state of one load, reachable from every callback. */
struct load {
	const char *file;
	struct bmx_diag *diag;
	struct {
		char key[SEEN_KEY];
		unsigned line;
	} seen[SEEN_MAX];
	size_t nseen;
};

/* libconfuse calls back with no user pointer: a load runs in one thread
 * at a time (its lexer is global anyway), so a static is honest here.
 * It is NULL while libconfuse parses the defaults in cfg_init(). */
static struct load *cur;

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
static void fail(cfg_t *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(cfg_t *cfg, const char *fmt, ...)
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
static const char *
where(cfg_t *cfg, cfg_opt_t *opt, char *buf, size_t len)
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

/* The line where a key was set last, or 0. */
static unsigned
seen_line(const char *key)
{
	size_t i;

	for (i = 0; cur != NULL && i < cur->nseen; i++)
		if (strcmp(cur->seen[i].key, key) == 0)
			return cur->seen[i].line;
	return 0;
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
			fail(cfg,
			    "%s = \"%s\": must be a whole number %ld..%ld",
			    where(cfg, opt, name, sizeof(name)), value,
			    bounds[i].min, bounds[i].max);
		else
			fail(cfg, "%s = \"%s\": must be a whole number",
			    where(cfg, opt, name, sizeof(name)), value);
		return -1;
	}
	if (i < sizeof(bounds) / sizeof(bounds[0]) &&
	    (v < bounds[i].min || v > bounds[i].max)) {
		fail(cfg, "%s = %ld: must be %ld..%ld",
		    where(cfg, opt, name, sizeof(name)), v, bounds[i].min,
		    bounds[i].max);
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
	fail(cfg, "%s = \"%s\": must be true or false",
	    where(cfg, opt, name, sizeof(name)), value);
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
	fail(cfg, "%s = \"%s\": must be one of %s",
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
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t n = strspn(v, "01234567");

	if (n == 0 || v[n] != '\0' || strtoul(v, NULL, 8) > 0777) {
		fail(cfg, "%s = \"%s\": must be an octal mode such as \"0660\"",
		    where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

/* What libmilter's smfi_setconn() takes. */
static int
check_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0), *rest = NULL;
	bool ok = false;

	if (strncmp(v, "inet:", 5) == 0 || strncmp(v, "inet6:", 6) == 0) {
		rest = strchr(v, ':') + 1;
		ok = rest[0] != '\0' && rest[0] != '@';
	} else if (strncmp(v, "unix:", 5) == 0 ||
	    strncmp(v, "local:", 6) == 0) {
		rest = strchr(v, ':') + 1;
		ok = rest[0] == '/';
	} else if (strncmp(v, "fd:", 3) == 0) {
		ok = v[3] != '\0' &&
		    strspn(v + 3, "0123456789") == strlen(v + 3);
	} else {
		ok = v[0] == '/';
	}
	if (!ok) {
		fail(cfg,
		    "%s = \"%s\": use inet:PORT@HOST, inet6:PORT@HOST, "
		    "unix:/PATH, local:/PATH or fd:N",
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
			fail(cfg, "%s: \"%s\": %s",
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
			fail(cfg, "%s: \"%s\" is not an IP address",
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
			fail(cfg, "%s: \"%s\": %s",
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
			fail(cfg, "%s: \"%s\": %s",
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
			fail(cfg, "%s: must not be empty",
			    where(cfg, opt, name, sizeof(name)));
			return -1;
		}
	return 0;
}

/* "" (none) or an absolute path. */
static int
check_abspath(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0);

	if (v[0] != '\0' && v[0] != '/') {
		fail(cfg, "%s = \"%s\": must be an absolute path (or \"\")",
		    where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

static int
check_header(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0);
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':')
			break;
	if (*v == '\0' || *p != '\0') {
		fail(cfg,
		    "%s = \"%s\": a header name is printable ASCII without "
		    "spaces or ':'",
		    where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

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
	CFG_END(),
};

static cfg_opt_t cache_opts[] = {
	CFG_INT_CB("entries", 20000, CFGF_NONE, parse_int),
	CFG_INT_CB("min-ttl", 10, CFGF_NONE, parse_int),
	CFG_INT_CB("max-ttl", 3600, CFGF_NONE, parse_int),
	CFG_INT_CB("max-negative-ttl", 600, CFGF_NONE, parse_int),
	CFG_INT_CB("stale-ttl", 3600, CFGF_NONE, parse_int),
	CFG_END(),
};

static cfg_opt_t reply_opts[] = {
	CFG_INT_CB("code", 0, CFGF_NODEFAULT, parse_int),
	CFG_STR_CB("dsn", NULL, CFGF_NODEFAULT, parse_str),
	CFG_STR_CB("text", NULL, CFGF_NODEFAULT, parse_str),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_STR_CB("socket", DEF_SOCKET, CFGF_NONE, parse_str),
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
	CFG_BOOL_CB("exempt-authenticated", cfg_false, CFGF_NONE, parse_bool),
	CFG_STR_LIST_CB("skip-mailers", DEF_SKIP, CFGF_NONE, parse_str),
	CFG_BOOL_CB("log-accepts", cfg_true, CFGF_NONE, parse_bool),
	CFG_SEC("dns", dns_opts, CFGF_NONE),
	CFG_SEC("cache", cache_opts, CFGF_NONE),
	CFG_SEC(
	    "reply", reply_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END(),
};

/* Braces deeper than this are counted, not located. */
#define DEPTH_MAX 32

/*
 * Blank out comments (# and // to the end of the line, and C comments)
 * outside quoted strings, keeping every newline so that line numbers
 * stay right.  Strings follow libconfuse's lexer: "..." with backslash
 * escapes and '...' with \\ and \' only, both may span lines.  Then
 * what libconfuse would not say: a string or comment still open at the
 * end, or a '{' never closed (libconfuse ends an open section at the
 * end of the file without a word).
 * @return false with a message in err and its line in *line
 */
static bool
strip_comments(char *s, char *err, size_t errlen, unsigned *line)
{
	enum { CODE, DQUOTE, SQUOTE, LINE, BLOCK } st = CODE;
	unsigned n = 1, opened = 0, open[DEPTH_MAX], depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			n++;
		switch (st) {
		case CODE:
			if (*s == '"' || *s == '\'') {
				st = *s == '"' ? DQUOTE : SQUOTE;
				opened = n;
			} else if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
				st = LINE;
				*s = ' ';
			} else if (s[0] == '/' && s[1] == '*') {
				st = BLOCK;
				opened = n;
				s[0] = s[1] = ' ';
				s++;
			} else if (*s == '{') {
				if (depth < DEPTH_MAX)
					open[depth] = n;
				depth++;
			} else if (*s == '}' && depth > 0) {
				depth--;
			}
			break;
		case DQUOTE:
		case SQUOTE:
			if (*s == '\\' &&
			    (st == DQUOTE ? s[1] != '\0' :
					    s[1] == '\\' || s[1] == '\'')) {
				s++;
				if (*s == '\n')
					n++;
			} else if (*s == (st == DQUOTE ? '"' : '\'')) {
				st = CODE;
			}
			break;
		case LINE:
			if (*s == '\n')
				st = CODE;
			else
				*s = ' ';
			break;
		case BLOCK:
			if (s[0] == '*' && s[1] == '/') {
				st = CODE;
				s[0] = s[1] = ' ';
				s++;
			} else if (*s != '\n') {
				*s = ' ';
			}
			break;
		}
	}
	if (st == DQUOTE || st == SQUOTE || st == BLOCK) {
		*line = opened;
		snprintf(err, errlen, "%s opened here is never closed",
		    st == BLOCK ? "the /* comment" : "the quoted string");
		return false;
	}
	if (depth > 0) {
		*line = open[depth <= DEPTH_MAX ? depth - 1 : DEPTH_MAX - 1];
		snprintf(err, errlen, "the '{' here is never closed");
		return false;
	}
	return true;
}

static cfg_t *
make_cfg(void)
{
	cfg_t *cfg = cfg_init(top_opts, CFGF_NONE);

	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, on_error);
	cfg_set_validate_func(cfg, "socket", check_socket);
	cfg_set_validate_func(cfg, "user", check_nonempty);
	cfg_set_validate_func(cfg, "socket-mode", check_socket_mode);
	cfg_set_validate_func(cfg, "pid-file", check_abspath);
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
item_line(const char *name, size_t i)
{
	char key[SEEN_KEY];
	unsigned line;

	snprintf(key, sizeof(key), "|%s#%zu", name, i);
	if ((line = seen_line(key)) != 0)
		return line;
	snprintf(key, sizeof(key), "|%s", name);
	return seen_line(key);
}

static bool
load_tables(struct bmx_config *c, struct bmx_diag *diag)
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
		unsigned line = item_line("tables", i);

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

/* This host's interface addresses, for the loop check. */
static bool
add_interfaces(struct bmx_config *c, size_t *n, struct bmx_diag *diag)
{
	struct ifaddrs *ifa, *p;
	struct bmx_ip *grown;

	if (getifaddrs(&ifa) != 0) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
		    seen_line("|own-interfaces"),
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
parse_reply(struct bmx_config *c, cfg_t *sec, struct bmx_diag *diag)
{
	const char *title = cfg_title(sec);
	struct bmx_reply_spec spec, part;
	char err[256], key[SEEN_KEY];
	unsigned o, line, first;

	snprintf(key, sizeof(key), "reply %s|", title);
	first = seen_line(key);
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
			snprintf(key, sizeof(key), "reply %s|dsn", title);
			bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
			    seen_line(key),
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
	snprintf(key, sizeof(key), "reply %s|code", title);
	if (bmx_reply_check((enum bmx_outcome)o, &part, err, sizeof(err))) {
		memcpy(part.dsn, spec.dsn, sizeof(part.dsn));
		snprintf(key, sizeof(key), "reply %s|dsn", title);
		if (bmx_reply_check(
			(enum bmx_outcome)o, &part, err, sizeof(err))) {
			snprintf(key, sizeof(key), "reply %s|text", title);
			if (bmx_reply_check(
				(enum bmx_outcome)o, &spec, err, sizeof(err))) {
				c->replies[o] = spec;
				return true;
			}
		}
	}
	line = seen_line(key);
	bmx_diag_add(diag, BMX_DIAG_ERROR, c->file, line != 0 ? line : first,
	    "reply %s: %s", title, err);
	return false;
}

/* The later of two keys' lines, or the section's line. */
static unsigned
pair_line(const char *a, const char *b, cfg_t *sec)
{
	unsigned la = seen_line(a), lb = seen_line(b);

	if (la == 0 && lb == 0)
		return sec->line > 0 ? (unsigned)sec->line : 0;
	return la > lb ? la : lb;
}

/* Fill c from a parsed cfg.  False after adding errors to diag. */
static bool
build(struct bmx_config *c, cfg_t *cfg, struct bmx_diag *diag)
{
	cfg_t *dns = cfg_getsec(cfg, "dns"), *cache = cfg_getsec(cfg, "cache");
	struct bmx_engine_settings *e = &c->engine;
	size_t i, n, nself = 0;
	char **list;
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
	ok = keep_list(c, dns, "nameservers", &list, &e->nnameservers);
	e->nameservers = (const char *const *)list;
	if (!ok)
		goto nomem;
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
		bmx_diag_add(diag, BMX_DIAG_ERROR, c->file,
		    pair_line("dns|deadline-ms", "dns|timeout-ms", dns),
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
		    pair_line("cache|min-ttl", "cache|max-ttl", cache),
		    "cache: min-ttl = %u is above max-ttl = %u",
		    e->cache.min_ttl, e->cache.max_ttl);
		ok = false;
	}

	/* replies */
	for (i = 0; i < cfg_size(cfg, "reply"); i++)
		if (!parse_reply(
			c, cfg_getnsec(cfg, "reply", (unsigned)i), diag))
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

		/* checked by check_domains already; an A-label form can be
		 * longer than the UTF-8 one, so it gets its own copy */
		if (bmx_domain_normalize(c->exempt_domains[i], norm, err,
			sizeof(err)) != BMX_ADDR_OK)
			continue;
		if ((c->exempt_domains[i] = keep(c, norm)) == NULL)
			goto nomem;
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
	c->self = calloc(cfg_size(cfg, "own-addresses") + 1, sizeof(*c->self));
	if (c->self == NULL)
		goto nomem;
	for (i = 0; i < cfg_size(cfg, "own-addresses"); i++)
		if (bmx_ip_parse(cfg_getnstr(cfg, "own-addresses", (unsigned)i),
			&c->self[nself]))
			nself++;
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
	struct load *ld;
	size_t errors = diag->errors;
	char err[128];
	unsigned line;
	cfg_t *cfg;
	int rc;

	c = calloc(1, sizeof(*c));
	ld = calloc(1, sizeof(*ld));
	if (c == NULL || ld == NULL || (c->file = strdup(file)) == NULL) {
		free(c);
		free(ld);
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	ld->file = file;
	ld->diag = diag;
	if (!strip_comments(text, err, sizeof(err), &line)) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, line, "%s", err);
		goto out;
	}
	cfg = make_cfg();
	if (cfg == NULL) {
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "out of memory");
		goto out;
	}
	cur = ld;
	rc = cfg_parse_buf(cfg, text);
	if (rc != CFG_SUCCESS && diag->errors == errors)
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "cannot parse");
	if (rc == CFG_SUCCESS && !build(c, cfg, diag) && diag->errors == errors)
		bmx_diag_add(diag, BMX_DIAG_ERROR, file, 0, "cannot build");
	cur = NULL;
	cfg_free(cfg);
out:
	free(ld);
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
