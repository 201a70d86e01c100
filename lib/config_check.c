/*
 * config_check.c - the checks of single values of bogusmx.conf
 *
 * One validate callback per kind of value (a choice, a mode, a socket,
 * a path, a list of addresses, nets or domains...), set on its keys by
 * bmx_config_check_set().  Each reports a bad value through
 * bmx_config_parse_fail(), naming the key and the value, and makes
 * libconfuse fail the parse.  The option table itself is config_parse.c's.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "addr.h"
#include "config_check.h"
#include "listen.h"
#include "net.h"
#include "query.h"
#include "reply.h"
#include "sockspec.h"

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
	bmx_config_parse_fail(cfg, "%s = \"%s\": must be one of %s",
	    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v, list);
	return -1;
}

static int
check_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const c[] = { "any", "all", NULL };

	return check_choice(cfg, opt, c);
}

static int
check_unspecified(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const c[] = { "defer", "reject", NULL };

	return check_choice(cfg, opt, c);
}

/* The names of reply.c's table, in the order of enum bmx_action. */
static int
check_action(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *c[BMX_ACTION_LOG + 2];
	int a;

	for (a = BMX_ACTION_REJECT; a <= BMX_ACTION_LOG; a++)
		c[a] = bmx_action_name((enum bmx_action)a);
	c[BMX_ACTION_LOG + 1] = NULL;
	return check_choice(cfg, opt, c);
}

static int
check_socket_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t n = strspn(v, "01234567");

	if (n == 0 || v[n] != '\0' || strtoul(v, NULL, 8) > 0777) {
		bmx_config_parse_fail(cfg,
		    "%s = \"%s\": must be an octal mode such as \"0660\"",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

/* What libmilter's smfi_setconn() takes (sockspec.h). */
static int
check_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], err[256];
	const char *v = cfg_opt_getnstr(opt, 0);
	struct bmx_sockspec spec;

	if (!bmx_sockspec_parse(v, &spec, err, sizeof(err))) {
		bmx_config_parse_fail(cfg, "%s = \"%s\": %s",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v,
		    err);
		return -1;
	}
	return 0;
}

/*
 * One item of a list key.  Each returns true for a good value; for a
 * bad one it writes the rest of the message, after the quoted value,
 * into err (": why", or " is not ...").
 */
static bool
item_nameserver(const char *v, char *err, size_t len)
{
	struct bmx_query_servers s;

	memset(&s, 0, sizeof(s));
	snprintf(err, len, ": ");
	return bmx_query_add_server(&s, v, 53, err + 2, len - 2) == 0;
}

static bool
item_address(const char *v, char *err, size_t len)
{
	struct bmx_ip ip;

	snprintf(err, len, " is not an IP address");
	return bmx_ip_parse(v, &ip);
}

static bool
item_net(const char *v, char *err, size_t len)
{
	struct bmx_net n;

	snprintf(err, len, ": ");
	return bmx_net_parse(v, &n, err + 2, len - 2);
}

static bool
item_domain(const char *v, char *err, size_t len)
{
	char out[BMX_DOMAIN_MAX + 1];

	snprintf(err, len, ": ");
	return bmx_domain_normalize(v, out, err + 2, len - 2) == BMX_ADDR_OK;
}

/* Every item of a list through ok(); the first bad one fails the key. */
static int
check_list(cfg_t *cfg, cfg_opt_t *opt,
    bool (*ok)(const char *v, char *err, size_t len))
{
	char name[128], err[256];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);

		if (!ok(v, err, sizeof(err))) {
			bmx_config_parse_fail(cfg, "%s: \"%s\"%s",
			    bmx_config_parse_where(
				cfg, opt, name, sizeof(name)),
			    v, err);
			return -1;
		}
	}
	return 0;
}

static int
check_nameservers(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];

	if (cfg_opt_size(opt) > BMX_QUERY_SERVERS_MAX) {
		bmx_config_parse_fail(cfg, "%s: %u nameservers: at most %d",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)),
		    cfg_opt_size(opt), BMX_QUERY_SERVERS_MAX);
		return -1;
	}
	return check_list(cfg, opt, item_nameserver);
}

static int
check_addresses(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_list(cfg, opt, item_address);
}

static int
check_nets(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_list(cfg, opt, item_net);
}

static int
check_domains(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_list(cfg, opt, item_domain);
}

/* Every item of a list must pass ok(); else "KEY: \"VALUE\": what". */
static int
check_each(
    cfg_t *cfg, cfg_opt_t *opt, bool (*ok)(const char *), const char *what)
{
	char name[128];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		const char *v = cfg_opt_getnstr(opt, i);

		if (!ok(v)) {
			bmx_config_parse_fail(cfg, "%s: \"%s\": %s",
			    bmx_config_parse_where(
				cfg, opt, name, sizeof(name)),
			    v, what);
			return -1;
		}
	}
	return 0;
}

/* A next hop as the MTA names it in {rcpt_host}: "[host]", "[host]:port",
 * "host": printable ASCII without spaces, brackets closed. */
static bool
next_hop_ok(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	return *v != '\0' && (v[0] != '[' || strchr(v, ']') != NULL);
}

static int
check_next_hops(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_each(cfg, opt, next_hop_ok,
	    "a next hop is printable ASCII without spaces, as the mail "
	    "server names it: \"[host]\", \"[host]:port\" or \"host\"");
}

/* A mailer, or MTA:mailer for one MTA only ("postfix:relay"). */
static bool
mailer_ok(const char *v)
{
	const char *colon = strchr(v, ':');

	if (v[0] == '\0')
		return false;
	if (colon == NULL)
		return true;
	return (strncmp(v, "postfix:", 8) == 0 ||
		   strncmp(v, "sendmail:", 9) == 0) &&
	    colon[1] != '\0';
}

static int
check_mailers(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_each(cfg, opt, mailer_ok,
	    "a mailer is a name, or postfix:name or sendmail:name for one "
	    "mail server only");
}

/* "" (none) or a domain name. */
static int
check_canary(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg_opt_getnstr(opt, 0)[0] == '\0')
		return 0;
	return check_domains(cfg, opt);
}

static int
check_nonempty(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128];
	unsigned i;

	for (i = 0; i < cfg_opt_size(opt); i++)
		if (cfg_opt_getnstr(opt, i)[0] == '\0') {
			bmx_config_parse_fail(cfg, "%s: must not be empty",
			    bmx_config_parse_where(
				cfg, opt, name, sizeof(name)));
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
		bmx_config_parse_fail(cfg,
		    "%s = \"%s\": must be an absolute path (or \"\")",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

/* The metrics endpoint: "", inet:PORT@HOST, inet6:PORT@[HOST] or
 * unix:/PATH (lib/listen.h parses it). */
static int
check_metrics(cfg_t *cfg, cfg_opt_t *opt)
{
	char name[128], err[256];
	const char *v = cfg_opt_getnstr(opt, 0);
	struct bmx_listen l;

	if (v[0] != '\0' && !bmx_listen_parse(v, &l, err, sizeof(err))) {
		bmx_config_parse_fail(cfg, "%s = \"%s\": %s",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v,
		    err);
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
		bmx_config_parse_fail(cfg,
		    "%s = \"%s\": a header name is printable ASCII without "
		    "spaces or ':'",
		    bmx_config_parse_where(cfg, opt, name, sizeof(name)), v);
		return -1;
	}
	return 0;
}

void
bmx_config_check_set(cfg_t *cfg)
{
	cfg_set_validate_func(cfg, "socket", check_socket);
	cfg_set_validate_func(cfg, "user", check_nonempty);
	cfg_set_validate_func(cfg, "socket-mode", check_socket_mode);
	cfg_set_validate_func(cfg, "pid-file", check_abspath);
	cfg_set_validate_func(cfg, "metrics", check_metrics);
	cfg_set_validate_func(cfg, "control-socket", check_abspath);
	cfg_set_validate_func(cfg, "mode", check_mode);
	cfg_set_validate_func(cfg, "action", check_action);
	cfg_set_validate_func(cfg, "tag-header", check_header);
	cfg_set_validate_func(cfg, "tables", check_nonempty);
	cfg_set_validate_func(cfg, "own-addresses", check_addresses);
	cfg_set_validate_func(cfg, "exempt-domains", check_domains);
	cfg_set_validate_func(cfg, "exempt-clients", check_nets);
	cfg_set_validate_func(cfg, "exempt-next-hops", check_next_hops);
	cfg_set_validate_func(cfg, "skip-mailers", check_mailers);
	cfg_set_validate_func(cfg, "dns|nameservers", check_nameservers);
	cfg_set_validate_func(cfg, "dns|resolv-conf", check_nonempty);
	cfg_set_validate_func(
	    cfg, "resolver-guard|private-canary", check_canary);
	cfg_set_validate_func(
	    cfg, "resolver-guard|unspecified-address", check_unspecified);
}
