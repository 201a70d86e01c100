/*
 * config_test.c - unit tests of lib/config: the defaults, the sample
 * etc/bogusmx.conf (which must load to exactly the defaults: this is
 * the test that keeps the sample and the code in step), every key,
 * comments anywhere with the right line numbers after them, and the
 * messages for every kind of error, pinned as file:line: message.
 *
 * Files are written to a fresh temporary directory.  The source tree is
 * BMX_SOURCE_DIR (a compile definition), or the directory above
 * $BMX_GOLDEN_DIR/.. when run by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "registry.h"

static char dir[] = "/tmp/bmx_config_test.XXXXXX";
static char conf_path[sizeof(dir) + 32];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/t.conf", dir);
	return 0;
}

static const char *const temp_files[] = { "t.conf", "a.cidr", "b.cidr",
	"bad.cidr", "hold.cidr", "nul.conf", "fifo" };

static int
teardown(void **state)
{
	char path[sizeof(dir) + 32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(temp_files) / sizeof(temp_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, temp_files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

/* Write a file in the temporary directory; its path goes to path. */
static void
write_file(
    const char *name, const char *text, size_t len, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct bmx_config *
load_text(const char *text, struct bmx_diag *d)
{
	char path[sizeof(conf_path)];

	write_file("t.conf", text, strlen(text), path, sizeof(path));
	bmx_diag_init(d);
	return bmx_config_load(conf_path, false, d);
}

static void
print_diag(const struct bmx_diag *d)
{
	char line[1200];
	size_t i;

	for (i = 0; i < d->nentries; i++) {
		bmx_diag_format(&d->entries[i], line, sizeof(line));
		print_message("  diag: %s\n", line);
	}
}

/* Is there an entry "prefix...", formatted? */
static bool
has_entry(const struct bmx_diag *d, const char *want, bool exact)
{
	char line[1200];
	size_t i;

	for (i = 0; i < d->nentries; i++) {
		bmx_diag_format(&d->entries[i], line, sizeof(line));
		if (exact ? strcmp(line, want) == 0 :
			    strncmp(line, want, strlen(want)) == 0)
			return true;
	}
	return false;
}

static struct bmx_config *
load_ok(const char *text)
{
	struct bmx_diag d;
	struct bmx_config *c = load_text(text, &d);

	if (c == NULL || d.nentries > 0) {
		print_message("config:\n%s\n", text);
		print_diag(&d);
		fail_msg("the config should load without a message");
	}
	bmx_diag_clear(&d);
	return c;
}

/* The text must fail with FILE:line: message among the errors
 * (message exact, or a prefix when it ends with "..."). */
static void
expect_error(const char *text, unsigned line, const char *message)
{
	char want[1200];
	size_t n = strlen(message);
	bool exact = !(n > 3 && strcmp(message + n - 3, "...") == 0);
	struct bmx_diag d;
	struct bmx_config *c = load_text(text, &d);

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%u: %.*s", conf_path, line,
		    (int)(exact ? n : n - 3), message);
	else
		snprintf(want, sizeof(want), "%s: %.*s", conf_path,
		    (int)(exact ? n : n - 3), message);
	if (c != NULL || !has_entry(&d, want, exact) || d.errors == 0) {
		print_message("config:\n%s\nwanted: %s\n", text, want);
		print_diag(&d);
		fail_msg("expected error not found");
	}
	bmx_config_free(c);
	bmx_diag_clear(&d);
}

static const char *
source_dir(void)
{
#ifdef BMX_SOURCE_DIR
	return BMX_SOURCE_DIR;
#else
	static char buf[4096];
	const char *g = getenv("BMX_GOLDEN_DIR");

	if (g == NULL)
		return "..";
	snprintf(buf, sizeof(buf), "%s/../..", g);
	return buf;
#endif
}

/* ---- equality of two configs, field by field ---- */

#define SAME_INT(f)                                                            \
	do {                                                                   \
		if ((a)->f != (b)->f)                                          \
			fail_msg("%s differs: %lld vs %lld", #f,               \
			    (long long)(a)->f, (long long)(b)->f);             \
	} while (0)
#define SAME_STR(f)                                                            \
	do {                                                                   \
		if (strcmp((a)->f, (b)->f) != 0)                               \
			fail_msg("%s differs: \"%s\" vs \"%s\"", #f, (a)->f,   \
			    (b)->f);                                           \
	} while (0)

static void
same_list(const char *what, const char *const *x, size_t nx,
    const char *const *y, size_t ny)
{
	size_t i;

	if (nx != ny)
		fail_msg("%s: %zu vs %zu items", what, nx, ny);
	for (i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]) != 0)
			fail_msg(
			    "%s[%zu]: \"%s\" vs \"%s\"", what, i, x[i], y[i]);
}

static void
same_reply(
    const struct bmx_reply_spec *x, const struct bmx_reply_spec *y, unsigned o)
{
	if (x->code != y->code || strcmp(x->dsn, y->dsn) != 0 ||
	    (x->text == NULL) != (y->text == NULL) ||
	    (x->text != NULL && strcmp(x->text, y->text) != 0))
		fail_msg(
		    "reply %s differs", bmx_outcome_name((enum bmx_outcome)o));
}

/* Every field of struct bmx_config, and of the engine settings in it.
 * A field added to either struct must be added here. */
static void
config_equal(const struct bmx_config *a, const struct bmx_config *b)
{
	const struct bmx_engine_settings *ea = &a->engine, *eb = &b->engine;
	size_t i;

	/* the daemon */
	SAME_STR(socket);
	SAME_INT(socket_mode);
	SAME_STR(user);
	SAME_STR(group);
	SAME_STR(pid_file);
	SAME_INT(backlog);
	SAME_INT(milter_timeout);
	/* deciding */
	SAME_INT(use_registry);
	if ((a->registry == NULL) != (b->registry == NULL))
		fail_msg("registry differs");
	if (a->registry != NULL &&
	    bmx_cidr_nrules(a->registry) != bmx_cidr_nrules(b->registry))
		fail_msg("registry rules differ");
	same_list("tables", (const char *const *)a->table_files, a->ntables,
	    (const char *const *)b->table_files, b->ntables);
	/* acting */
	SAME_INT(action);
	SAME_STR(tag_header);
	for (i = 0; i < BMX_OUTCOME_COUNT; i++)
		same_reply(&a->replies[i], &b->replies[i], (unsigned)i);
	SAME_INT(check_sender);
	/* not checking */
	same_list("skip-mailers", (const char *const *)a->skip_mailers,
	    a->nskip_mailers, (const char *const *)b->skip_mailers,
	    b->nskip_mailers);
	same_list("exempt-next-hops", (const char *const *)a->exempt_next_hops,
	    a->nexempt_next_hops, (const char *const *)b->exempt_next_hops,
	    b->nexempt_next_hops);
	SAME_INT(nexempt_clients);
	for (i = 0; i < a->nexempt_clients; i++)
		if (a->exempt_clients[i].bits != b->exempt_clients[i].bits ||
		    !bmx_ip_equal(
			&a->exempt_clients[i].ip, &b->exempt_clients[i].ip))
			fail_msg("exempt-clients[%zu] differs", i);
	SAME_INT(exempt_authenticated);
	SAME_INT(log_accepts);

	/* the engine */
	same_list("dns nameservers", ea->nameservers, ea->nnameservers,
	    eb->nameservers, eb->nnameservers);
	SAME_STR(engine.resolv_conf);
	SAME_INT(engine.port);
	SAME_INT(engine.timeout_ms);
	SAME_INT(engine.attempts);
	SAME_INT(engine.deadline_ms);
	SAME_INT(engine.max_mx);
	SAME_INT(engine.max_addrs);
	SAME_INT(engine.max_cname);
	SAME_INT(engine.max_queries);
	SAME_INT(engine.cache.max_entries);
	SAME_INT(engine.cache.min_ttl);
	SAME_INT(engine.cache.max_ttl);
	SAME_INT(engine.cache.max_neg_ttl);
	SAME_INT(engine.cache.stale_ttl);
	SAME_INT(engine.cache.stale_recheck);
	SAME_INT(engine.cache.max_bytes);
	assert_null(ea->cache.clock);
	assert_null(eb->cache.clock);
	assert_null(ea->shared_cache);
	assert_null(eb->shared_cache);
	SAME_INT(engine.policy.ntables);
	SAME_INT(engine.policy.mode);
	SAME_INT(engine.policy.nself);
	for (i = 0; i < ea->policy.nself; i++)
		if (!bmx_ip_equal(&ea->policy.self[i], &eb->policy.self[i]))
			fail_msg("own address %zu differs", i);
	same_list("exempt-domains", ea->exempt_domains, ea->nexempt_domains,
	    eb->exempt_domains, eb->nexempt_domains);
	assert_ptr_equal(ea->replies, a->replies);
	assert_ptr_equal(eb->replies, b->replies);
	SAME_INT(engine.action);
}

/* ---- the defaults ---- */

static void
test_defaults(void **state)
{
	static const char *const skip[] = { "local", "virtual", "lmtp", "error",
		"postfix:relay", "prog", "*file*", "*include*" };
	struct bmx_engine_settings e;
	struct bmx_diag d;
	struct bmx_config *c;
	size_t i;

	(void)state;
	bmx_diag_init(&d);
	c = bmx_config_defaults(&d);
	assert_non_null(c);
	assert_int_equal(d.nentries, 0);
	assert_string_equal(c->file, "");
	assert_string_equal(
	    c->socket, "unix:/var/spool/postfix/bogusmx/bogusmx.sock");
	assert_int_equal(c->socket_mode, 0660);
	assert_string_equal(c->user, "bogusmx");
	assert_string_equal(c->group, "");
	assert_string_equal(c->pid_file, "");
	assert_int_equal(c->backlog, 0);
	assert_int_equal(c->milter_timeout, 7210);
	assert_int_equal(c->engine.policy.mode, BMX_MODE_ANY);
	assert_int_equal(c->action, BMX_ACTION_REJECT);
	assert_int_equal(c->engine.action, BMX_ACTION_REJECT);
	assert_string_equal(c->tag_header, "X-Bogusmx");
	assert_true(c->use_registry);
	assert_non_null(c->registry);
	assert_int_equal(c->ntables, 0);
	assert_int_equal(c->engine.policy.ntables, 1);
	assert_ptr_equal(c->engine.policy.tables[0], c->registry);
	assert_ptr_equal(c->engine.policy.registry, c->registry);
	assert_int_equal(c->engine.policy.nself, 0);
	assert_false(c->check_sender);
	assert_int_equal(c->engine.nexempt_domains, 0);
	assert_int_equal(c->nexempt_clients, 0);
	assert_int_equal(c->nexempt_next_hops, 0);
	assert_false(c->exempt_authenticated);
	same_list("skip-mailers", (const char *const *)c->skip_mailers,
	    c->nskip_mailers, skip, sizeof(skip) / sizeof(skip[0]));
	assert_true(c->log_accepts);
	for (i = 0; i < BMX_OUTCOME_COUNT; i++) {
		assert_int_equal(c->replies[i].code, 0);
		assert_string_equal(c->replies[i].dsn, "");
		assert_null(c->replies[i].text);
	}
	assert_ptr_equal(c->engine.replies, c->replies);

	assert_int_equal(c->engine.nnameservers, 0);
	assert_string_equal(c->engine.resolv_conf, "/etc/resolv.conf");
	assert_int_equal(c->engine.port, 53);
	/* the engine's own defaults, where the config has the same keys */
	bmx_engine_defaults(&e);
	assert_int_equal(c->engine.timeout_ms, e.timeout_ms);
	assert_int_equal(c->engine.timeout_ms, 1000);
	assert_int_equal(c->engine.attempts, e.attempts);
	assert_int_equal(c->engine.attempts, 3);
	assert_int_equal(c->engine.deadline_ms, e.deadline_ms);
	assert_int_equal(c->engine.deadline_ms, 6000);
	assert_int_equal(c->engine.max_mx, e.max_mx);
	assert_int_equal(c->engine.max_mx, 32);
	assert_int_equal(c->engine.max_addrs, e.max_addrs);
	assert_int_equal(c->engine.max_addrs, 64);
	/* 0.0.0.0 alone defers by default */
	assert_false(c->engine.policy.unspecified_reject);
	assert_false(e.policy.unspecified_reject);
	assert_int_equal(c->engine.max_cname, e.max_cname);
	assert_int_equal(c->engine.max_cname, 8);
	assert_int_equal(c->engine.max_queries, e.max_queries);
	assert_int_equal(c->engine.max_queries, 256);
	assert_int_equal(c->engine.cache.max_entries, e.cache.max_entries);
	assert_int_equal(c->engine.cache.max_entries, 20000);
	assert_int_equal(c->engine.cache.min_ttl, e.cache.min_ttl);
	assert_int_equal(c->engine.cache.min_ttl, 10);
	assert_int_equal(c->engine.cache.max_ttl, e.cache.max_ttl);
	assert_int_equal(c->engine.cache.max_ttl, 3600);
	assert_int_equal(c->engine.cache.max_neg_ttl, e.cache.max_neg_ttl);
	assert_int_equal(c->engine.cache.max_neg_ttl, 600);
	assert_int_equal(c->engine.cache.stale_ttl, e.cache.stale_ttl);
	assert_int_equal(c->engine.cache.stale_ttl, 3600);
	assert_int_equal(c->engine.cache.stale_recheck, e.cache.stale_recheck);
	assert_int_equal(c->engine.cache.stale_recheck, 30);
	assert_int_equal(c->engine.cache.max_bytes, e.cache.max_bytes);
	assert_int_equal(c->engine.cache.max_bytes, 33554432);
	bmx_config_free(c);
	bmx_diag_clear(&d);
}

/* An empty file is the defaults too. */
static void
test_empty_file(void **state)
{
	struct bmx_diag d;
	struct bmx_config *c = load_ok("\n"), *def;

	(void)state;
	bmx_diag_init(&d);
	def = bmx_config_defaults(&d);
	assert_non_null(def);
	config_equal(c, def);
	assert_string_equal(c->file, conf_path);
	bmx_config_free(c);
	bmx_config_free(def);
	bmx_diag_clear(&d);
}

/* etc/bogusmx.conf loads without a word and is the defaults, exactly. */
static void
test_sample_is_defaults(void **state)
{
	char path[4096];
	struct bmx_diag d;
	struct bmx_config *c, *def;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc/bogusmx.conf", source_dir());
	bmx_diag_init(&d);
	c = bmx_config_load(path, false, &d);
	if (c == NULL || d.nentries > 0) {
		print_diag(&d);
		fail_msg("%s does not load cleanly", path);
	}
	def = bmx_config_defaults(&d);
	assert_non_null(def);
	config_equal(c, def);
	bmx_config_free(c);
	bmx_config_free(def);
	bmx_diag_clear(&d);
}

/* ---- every key ---- */

static void
test_every_key(void **state)
{
	char a[sizeof(dir) + 32], b[sizeof(dir) + 32], text[4096];
	static const char table_a[] = "10.0.0.0/8 OK\n";
	static const char table_b[] = "192.0.2.0/24 REJECT test net\n";
	struct bmx_config *c;
	struct bmx_ip ip;
	const struct bmx_engine_settings *e;

	(void)state;
	write_file("a.cidr", table_a, strlen(table_a), a, sizeof(a));
	write_file("b.cidr", table_b, strlen(table_b), b, sizeof(b));
	snprintf(text, sizeof(text),
	    "socket = \"unix:/run/bogusmx/bogusmx.sock\"\n"
	    "socket-mode = \"0640\"\n"
	    "user = \"milter\"\n"
	    "group = \"postfix\"\n"
	    "pid-file = \"/run/bogusmx.pid\"\n"
	    "backlog = 128\n"
	    "milter-timeout = 600\n"
	    "mode = \"all\"\n"
	    "builtin-registry = false\n"
	    "tables = { \"%s\", \"%s\" }\n"
	    "own-addresses = { \"192.0.2.25\", \"2001:db8::25\" }\n"
	    "own-interfaces = false\n"
	    "action = \"tag\"\n"
	    "tag-header = \"X-Bogus-MX\"\n"
	    "check-sender = yes\n"
	    "exempt-domains = { \"Example.COM.\", \"b\303\274cher.example\" }\n"
	    "exempt-clients = { \"10.0.0.0/8\", \"2001:db8::/32\", "
	    "\"192.0.2.1\" }\n"
	    "exempt-authenticated = on\n"
	    "exempt-next-hops = { \"[smarthost.example]\", \"[192.0.2.1]:587\" }\n"
	    "skip-mailers = { \"local\", \"dovecot\" }\n"
	    "log-accepts = false\n"
	    "dns {\n"
	    "  nameservers = { \"127.0.0.1:5353\", \"[::1]:5353\", "
	    "\"192.0.2.53\" }\n"
	    "  resolv-conf = \"/etc/resolv.test\"\n"
	    "  port = 5300\n"
	    "  timeout-ms = 500\n"
	    "  attempts = 2\n"
	    "  deadline-ms = 4000\n"
	    "  max-mx = 10\n"
	    "  max-addresses = 20\n"
	    "  max-cname = 4\n"
	    "  max-queries = 32\n"
	    "}\n"
	    "cache {\n"
	    "  entries = 100\n"
	    "  min-ttl = 5\n"
	    "  max-ttl = 60\n"
	    "  max-negative-ttl = 30\n"
	    "  stale-ttl = 0\n"
	    "  stale-recheck = 5\n"
	    "  max-bytes = 1048576\n"
	    "}\n"
	    "resolver-guard { unspecified-address = \"reject\" }\n"
	    "reply bogus { text = \"{host} is {class}\"\n code = 550\n"
	    " dsn = \"5.7.2\" }\n"
	    "reply self { dsn = \"5.4.7\" }\n"
	    "reply null-mx { code = 550 }\n"
	    "reply tempfail { code = 450\n dsn = \"4.4.1\" }\n"
	    "reply undeliverable { text = \"no {domain}\" }\n"
	    "reply syntax { code = 553\n dsn = \"5.1.7\" }\n",
	    a, b);
	c = load_ok(text);
	assert_non_null(c);
	e = &c->engine;
	assert_string_equal(c->socket, "unix:/run/bogusmx/bogusmx.sock");
	assert_int_equal(c->socket_mode, 0640);
	assert_string_equal(c->user, "milter");
	assert_string_equal(c->group, "postfix");
	assert_string_equal(c->pid_file, "/run/bogusmx.pid");
	assert_int_equal(c->backlog, 128);
	assert_int_equal(c->milter_timeout, 600);
	assert_int_equal(e->policy.mode, BMX_MODE_ALL);
	assert_false(c->use_registry);
	assert_null(c->registry);
	assert_null(e->policy.registry);
	assert_int_equal(c->ntables, 2);
	assert_string_equal(c->table_files[0], a);
	assert_string_equal(c->table_files[1], b);
	assert_int_equal(e->policy.ntables, 2);
	assert_ptr_equal(e->policy.tables[0], c->tables[0]);
	assert_ptr_equal(e->policy.tables[1], c->tables[1]);
	assert_int_equal(bmx_cidr_nrules(c->tables[1]), 1);
	assert_int_equal(e->policy.nself, 2);
	assert_true(bmx_ip_parse("192.0.2.25", &ip));
	assert_true(bmx_ip_equal(&e->policy.self[0], &ip));
	assert_true(bmx_ip_parse("2001:db8::25", &ip));
	assert_true(bmx_ip_equal(&e->policy.self[1], &ip));
	assert_int_equal(c->action, BMX_ACTION_TAG);
	assert_int_equal(e->action, BMX_ACTION_TAG);
	assert_string_equal(c->tag_header, "X-Bogus-MX");
	assert_true(c->check_sender);
	assert_int_equal(e->nexempt_domains, 2);
	assert_string_equal(e->exempt_domains[0], "example.com");
	/* the A-label is longer than the UTF-8 name it comes from */
	assert_string_equal(e->exempt_domains[1], "xn--bcher-kva.example");
	assert_int_equal(c->nexempt_clients, 3);
	assert_int_equal(c->exempt_clients[0].bits, 8);
	assert_int_equal(c->exempt_clients[1].bits, 32);
	assert_int_equal(c->exempt_clients[2].bits, 32);
	assert_true(c->exempt_authenticated);
	assert_int_equal(c->nskip_mailers, 2);
	assert_string_equal(c->skip_mailers[1], "dovecot");
	assert_int_equal(c->nexempt_next_hops, 2);
	assert_string_equal(c->exempt_next_hops[1], "[192.0.2.1]:587");
	assert_true(bmx_config_exempt_next_hop(c, "[SmartHost.example]"));
	assert_false(bmx_config_exempt_next_hop(c, "smarthost.example"));
	assert_false(bmx_config_exempt_next_hop(c, ""));
	assert_false(c->log_accepts);
	assert_int_equal(e->nnameservers, 3);
	assert_string_equal(e->nameservers[0], "127.0.0.1:5353");
	assert_string_equal(e->nameservers[1], "[::1]:5353");
	assert_string_equal(e->nameservers[2], "192.0.2.53");
	assert_string_equal(e->resolv_conf, "/etc/resolv.test");
	assert_int_equal(e->port, 5300);
	assert_int_equal(e->timeout_ms, 500);
	assert_int_equal(e->attempts, 2);
	assert_int_equal(e->deadline_ms, 4000);
	assert_int_equal(e->max_mx, 10);
	assert_int_equal(e->max_addrs, 20);
	assert_true(e->policy.unspecified_reject);
	assert_int_equal(e->max_cname, 4);
	assert_int_equal(e->max_queries, 32);
	assert_int_equal(e->cache.max_entries, 100);
	assert_int_equal(e->cache.min_ttl, 5);
	assert_int_equal(e->cache.max_ttl, 60);
	assert_int_equal(e->cache.max_neg_ttl, 30);
	assert_int_equal(e->cache.stale_ttl, 0);
	assert_int_equal(e->cache.stale_recheck, 5);
	assert_int_equal(e->cache.max_bytes, 1048576);
	assert_int_equal(c->replies[BMX_OUTCOME_BOGUS].code, 550);
	assert_string_equal(c->replies[BMX_OUTCOME_BOGUS].dsn, "5.7.2");
	assert_string_equal(
	    c->replies[BMX_OUTCOME_BOGUS].text, "{host} is {class}");
	assert_int_equal(c->replies[BMX_OUTCOME_SELF].code, 0);
	assert_string_equal(c->replies[BMX_OUTCOME_SELF].dsn, "5.4.7");
	assert_null(c->replies[BMX_OUTCOME_SELF].text);
	assert_int_equal(c->replies[BMX_OUTCOME_NULLMX].code, 550);
	assert_int_equal(c->replies[BMX_OUTCOME_TEMPFAIL].code, 450);
	assert_string_equal(c->replies[BMX_OUTCOME_TEMPFAIL].dsn, "4.4.1");
	assert_string_equal(
	    c->replies[BMX_OUTCOME_UNDELIVERABLE].text, "no {domain}");
	assert_int_equal(c->replies[BMX_OUTCOME_SYNTAX].code, 553);
	assert_string_equal(c->replies[BMX_OUTCOME_SYNTAX].dsn, "5.1.7");
	assert_int_equal(c->replies[BMX_OUTCOME_ACCEPT].code, 0);
	assert_int_equal(c->replies[BMX_OUTCOME_NOCHECK].code, 0);
	bmx_config_free(c);
}

/* "key += {...}" appends to the default list; "=" replaces it. */
static void
test_list_append(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok("skip-mailers += { \"dovecot\" }\n");
	assert_int_equal(c->nskip_mailers, 9);
	assert_string_equal(c->skip_mailers[0], "local");
	assert_string_equal(c->skip_mailers[4], "postfix:relay");
	assert_true(bmx_config_skip_mailer(c, "relay", "postfix"));
	assert_false(bmx_config_skip_mailer(c, "relay", "sendmail"));
	assert_false(bmx_config_skip_mailer(c, "relay", NULL));
	assert_true(bmx_config_skip_mailer(c, "dovecot", "sendmail"));
	assert_true(bmx_config_skip_mailer(c, "local", NULL));
	assert_false(bmx_config_skip_mailer(c, "smtp", "postfix"));
	assert_string_equal(c->skip_mailers[8], "dovecot");
	bmx_config_free(c);
	c = load_ok("skip-mailers = { }\n");
	assert_int_equal(c->nskip_mailers, 0);
	bmx_config_free(c);
}

/* Integers are decimal: a leading zero does not make octal. */
static void
test_decimal(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok("backlog = 010\ndns { port = 0053 }\n");
	assert_int_equal(c->backlog, 10);
	assert_int_equal(c->engine.port, 53);
	bmx_config_free(c);
}

static void
test_own_interfaces(void **state)
{
	struct bmx_config *c;
	struct bmx_ip ip;
	size_t i;
	bool lo = false;

	(void)state;
	c = load_ok("own-addresses = { \"192.0.2.25\" }\n"
		    "own-interfaces = true\n");
	assert_true(c->engine.policy.nself >= 2);
	assert_true(bmx_ip_parse("192.0.2.25", &ip));
	assert_true(bmx_ip_equal(&c->engine.policy.self[0], &ip));
	assert_true(bmx_ip_parse("127.0.0.1", &ip));
	for (i = 0; i < c->engine.policy.nself; i++)
		lo |= bmx_ip_equal(&c->engine.policy.self[i], &ip);
	assert_true(lo);
	bmx_config_free(c);
}

/* ---- comments ---- */

static const char commented[] =
    "# a comment\n"					 /* 1 */
    "// another\n"					 /* 2 */
    "/* a block\n"					 /* 3 */
    "   over lines */\n"				 /* 4 */
    "socket-mode = \"0640\" # after a value\n"		 /* 5 */
    "exempt-domains = { # inside a list\n"		 /* 6 */
    "\t\"a.example\", // after an item\n"		 /* 7 */
    "\t/* before an item */ \"b.example\"\n"		 /* 8 */
    "\t# on its own line in a list\n"			 /* 9 */
    "}\n"						 /* 10 */
    "dns { # inside a section\n"			 /* 11 */
    "\t# a comment\n"					 /* 12 */
    "\tport = 5300 // after\n"				 /* 13 */
    "\t/* x */ timeout-ms = 500 /* y */\n"		 /* 14 */
    "\tnameservers = {\n"				 /* 15 */
    "\t\t\"127.0.0.1\", # first\n"			 /* 16 */
    "\t\t/* second */ \"::1\"\n"			 /* 17 */
    "\t}\n"						 /* 18 */
    "}\n"						 /* 19 */
    "reply bogus { # a reply\n"				 /* 20 */
    "\t# its text:\n"					 /* 21 */
    "\ttext = \"a # is no comment // nor /* this */\"\n" /* 22 */
    "}\n"						 /* 23 */
    "tag-header = 'X-Hash#Tag' ## single quotes\n"	 /* 24 */
    "reply self { text = \"two \\\n"			 /* 25 */
    "lines # kept\" }\n"				 /* 26 */
    "exempt-clients = { \"10.0.0.0/8\" /* a\n"		 /* 27 */
    "b */ , \"192.0.2.0/24\" }\n"			 /* 28 */
    "####\n"						 /* 29 */
    "////\n";						 /* 30 */

static void
test_comments_anywhere(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok(commented);
	assert_int_equal(c->socket_mode, 0640);
	assert_int_equal(c->engine.nexempt_domains, 2);
	assert_string_equal(c->engine.exempt_domains[0], "a.example");
	assert_string_equal(c->engine.exempt_domains[1], "b.example");
	assert_int_equal(c->engine.port, 5300);
	assert_int_equal(c->engine.timeout_ms, 500);
	assert_int_equal(c->engine.nnameservers, 2);
	assert_string_equal(c->engine.nameservers[1], "::1");
	assert_string_equal(c->replies[BMX_OUTCOME_BOGUS].text,
	    "a # is no comment // nor /* this */");
	assert_string_equal(c->tag_header, "X-Hash#Tag");
	assert_string_equal(
	    c->replies[BMX_OUTCOME_SELF].text, "two lines # kept");
	assert_int_equal(c->nexempt_clients, 2);
	bmx_config_free(c);
}

/* "//" inside an unquoted word is part of it, as libconfuse reads it;
 * where a token starts it is a comment. */
static void
test_comments_in_words(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok("pid-file = /run/x//y.pid // the pid\n"
		    "socket = unix:/run/a//b.sock /* c */\n"
		    "user = nobody//x\n");
	assert_string_equal(c->pid_file, "/run/x//y.pid");
	assert_string_equal(c->socket, "unix:/run/a//b.sock");
	assert_string_equal(c->user, "nobody//x");
	bmx_config_free(c);
}

/* libmilter's protocol names in any case (UNIX:, Inet6:). */
static void
test_socket_case(void **state)
{
	static const char *const ok[] = { "UNIX:/run/b.sock",
		"Local:/run/b.sock", "INET:8894@127.0.0.1", "inet6:8894@[::1]",
		"Inet6:8894", "/run/b.sock", "fd:3", NULL };
	struct bmx_config *c;
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; ok[i] != NULL; i++) {
		snprintf(text, sizeof(text), "socket = \"%s\"\n", ok[i]);
		c = load_ok(text);
		assert_string_equal(c->socket, ok[i]);
		bmx_config_free(c);
	}
}

/* After all those comments, an error names its own line. */
static void
test_comments_keep_lines(void **state)
{
	char text[4096];
	static const struct {
		const char *tail;
		unsigned line;
		const char *message;
	} cases[] = {
		{ "nosuch = 1\n", 31, "no such option 'nosuch'" },
		{ "\n\nmode = \"some\" # bad\n", 33,
		    "mode = \"some\": must be one of any, all" },
		{ "cache {\n # c\n /* d */ entries = -1\n}\n", 33,
		    "cache: entries = -1: must be 0..10000000" },
		{ "exempt-clients = {\n # c\n \"10.0.0.1\",\n"
		  " /* d */\n \"10.1.2.3/8\" }\n",
		    35,
		    "exempt-clients: \"10.1.2.3/8\": non-null host bits, "
		    "perhaps you should use 10.0.0.0/8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", commented, cases[i].tail);
		expect_error(text, cases[i].line, cases[i].message);
	}
}

/* ---- errors ---- */

/* Every error below comes after this header, so its line is +4. */
#define HEAD "# header\n// two\n/* three\n */\n"

struct error_case {
	const char *text;
	unsigned line; /* within the text, before HEAD */
	const char *message;
};

static const struct error_case errors[] = {
	/* unknown keys */
	{ "mode = \"any\"\nfoo = 1\n", 2, "no such option 'foo'" },
	{ "dns {\n  nosuch = 1\n}\n", 2, "dns: no such option 'nosuch'" },
	{ "cache { max-tll = 10 }\n", 1, "cache: no such option 'max-tll'" },
	{ "reply bogus {\n code = 554\n codes = 1 }\n", 3,
	    "reply bogus: no such option 'codes'" },
	/* types */
	{ "dns {\n port = x\n}\n", 2,
	    "dns: port = \"x\": must be a whole number 1..65535" },
	{ "backlog = 1.5\n", 1,
	    "backlog = \"1.5\": must be a whole number 0..65535" },
	{ "backlog = \"\"\n", 1,
	    "backlog = \"\": must be a whole number 0..65535" },
	{ "backlog = 99999999999999999999999\n", 1,
	    "backlog = \"99999999999999999999999\": must be a whole number "
	    "0..65535" },
	{ "log-accepts = maybe\n", 1,
	    "log-accepts = \"maybe\": must be true or false" },
	{ "check-sender = 1\n", 1,
	    "check-sender = \"1\": must be true or false" },
	/* more nameservers than the resolver takes */
	{ "dns {\n nameservers = { \"127.0.0.1\", \"127.0.0.2\", "
	  "\"127.0.0.3\", \"127.0.0.4\", \"127.0.0.5\", \"127.0.0.6\", "
	  "\"127.0.0.7\", \"127.0.0.8\", \"127.0.0.9\" }\n}\n",
	    2, "dns: nameservers: 9 nameservers: at most 8" },
	/* each list key's item check, with its own message */
	{ "own-addresses = { \"8.8.8.8\", \"1.2.3\" }\n", 1,
	    "own-addresses: \"1.2.3\" is not an IP address" },
	{ "exempt-domains = { \"a..b\" }\n", 1,
	    "exempt-domains: \"a..b\": empty label in \"a..b\"" },
	{ "dns {\n nameservers = { \"127.0.0.1:x\" }\n}\n", 2,
	    "dns: nameservers: \"127.0.0.1:x\": bad nameserver "
	    "\"127.0.0.1:x\": expected an IP address, ADDRESS:PORT or "
	    "[IPV6-ADDRESS]:PORT" },
	/* choices and forms */
	{ "mode = \"some\"\n", 1, "mode = \"some\": must be one of any, all" },
	{ "resolver-guard {\n unspecified-address = \"drop\"\n}\n", 2,
	    "resolver-guard: unspecified-address = \"drop\": must be one of "
	    "defer, reject" },
	{ "action = \"maybe\"\n", 1,
	    "action = \"maybe\": must be one of reject, tempfail, tag, log" },
	{ "action = \"REJECT\"\n", 1,
	    "action = \"REJECT\": must be one of reject, tempfail, tag, log" },
	{ "socket-mode = \"0999\"\n", 1,
	    "socket-mode = \"0999\": must be an octal mode such as \"0660\"" },
	{ "socket-mode = \"1777\"\n", 1,
	    "socket-mode = \"1777\": must be an octal mode such as \"0660\"" },
	{ "socket-mode = \"\"\n", 1,
	    "socket-mode = \"\": must be an octal mode such as \"0660\"" },
	{ "socket-mode = \" 660\"\n", 1,
	    "socket-mode = \" 660\": must be an octal mode such as \"0660\"" },
	{ "socket = \"8894@127.0.0.1\"\n", 1,
	    "socket = \"8894@127.0.0.1\": use inet:PORT@HOST, "
	    "inet6:PORT@HOST, unix:/PATH, local:/PATH or fd:N" },
	{ "socket = \"unix:run/x.sock\"\n", 1,
	    "socket = \"unix:run/x.sock\": the unix socket path "
	    "\"run/x.sock\" is relative: the daemon works in /; give an "
	    "absolute path" },
	{ "socket = \"inet:@127.0.0.1\"\n", 1,
	    "socket = \"inet:@127.0.0.1\": use inet:PORT@HOST, "
	    "inet6:PORT@HOST, unix:/PATH, local:/PATH or fd:N" },
	{ "socket = \"tcp:8894\"\n", 1,
	    "socket = \"tcp:8894\": use inet:PORT@HOST, "
	    "inet6:PORT@HOST, unix:/PATH, local:/PATH or fd:N" },
	{ "pid-file = /run/x// comment\n", 1, "no such option 'comment'" },
	{ "socket = \"fd:x\"\n", 1,
	    "socket = \"fd:x\": use inet:PORT@HOST, inet6:PORT@HOST, "
	    "unix:/PATH, local:/PATH or fd:N" },
	{ "socket = \"\"\n", 1,
	    "socket = \"\": use inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH, "
	    "local:/PATH or fd:N" },
	{ "user = \"\"\n", 1, "user: must not be empty" },
	{ "pid-file = \"run/x.pid\"\n", 1,
	    "pid-file = \"run/x.pid\": must be an absolute path (or \"\")" },
	{ "tag-header = \"X Bogus\"\n", 1,
	    "tag-header = \"X Bogus\": a header name is printable ASCII "
	    "without spaces or ':'" },
	{ "tag-header = \"X-Bogus:\"\n", 1,
	    "tag-header = \"X-Bogus:\": a header name is printable ASCII "
	    "without spaces or ':'" },
	{ "tables = { \"\" }\n", 1, "tables: must not be empty" },
	{ "skip-mailers = { \"local\",\n \"\" }\n", 2,
	    "skip-mailers: \"\": a mailer is a name, or postfix:name or "
	    "sendmail:name for one mail server only" },
	{ "skip-mailers = { \"exim:relay\" }\n", 1,
	    "skip-mailers: \"exim:relay\": a mailer is a name..." },
	{ "skip-mailers = { \"postfix:\" }\n", 1,
	    "skip-mailers: \"postfix:\": a mailer is a name..." },
	{ "dns { resolv-conf = \"\" }\n", 1,
	    "dns: resolv-conf: must not be empty" },
	{ "exempt-next-hops = { \"[a.example]\",\n \"[b.example\" }\n", 2,
	    "exempt-next-hops: \"[b.example\": a next hop is printable ASCII "
	    "without spaces, as the mail server names it: \"[host]\", "
	    "\"[host]:port\" or \"host\"" },
	{ "exempt-next-hops = { \"a b\" }\n", 1,
	    "exempt-next-hops: \"a b\": a next hop..." },
	{ "exempt-next-hops = { \"\" }\n", 1,
	    "exempt-next-hops: \"\": a next hop..." },
	/* addresses, networks, domains */
	{ "dns {\n nameservers = { \"127.0.0.1\",\n \"bogus\" }\n}\n", 3,
	    "dns: nameservers: \"bogus\": ..." },
	{ "dns { nameservers = { \"127.0.0.1:99999\" } }\n", 1,
	    "dns: nameservers: \"127.0.0.1:99999\": ..." },
	{ "own-addresses = { \"1.2.3\" }\n", 1,
	    "own-addresses: \"1.2.3\" is not an IP address" },
	{ "own-addresses = { \"10.0.0.0/8\" }\n", 1,
	    "own-addresses: \"10.0.0.0/8\" is not an IP address" },
	{ "exempt-clients = { \"10.1.2.3/8\" }\n", 1,
	    "exempt-clients: \"10.1.2.3/8\": non-null host bits, perhaps you "
	    "should use 10.0.0.0/8" },
	{ "exempt-clients = { \"2001:db8::1/32\" }\n", 1,
	    "exempt-clients: \"2001:db8::1/32\": non-null host bits, perhaps "
	    "you should use 2001:db8::/32" },
	{ "exempt-clients = { \"10.0.0.0/33\" }\n", 1,
	    "exempt-clients: \"10.0.0.0/33\": bad prefix length: use 0..32" },
	{ "exempt-clients = { \"::/129\" }\n", 1,
	    "exempt-clients: \"::/129\": bad prefix length: use 0..128" },
	{ "exempt-clients = { \"10.0.0.0/\" }\n", 1,
	    "exempt-clients: \"10.0.0.0/\": bad prefix length: use 0..32" },
	{ "exempt-clients = { \"example.com\" }\n", 1,
	    "exempt-clients: \"example.com\": not an address or network" },
	{ "exempt-domains = { \"exa mple.com\" }\n", 1,
	    "exempt-domains: \"exa mple.com\": ..." },
	{ "exempt-domains = { \"a..b\" }\n", 1,
	    "exempt-domains: \"a..b\": ..." },
	/* replies */
	{ "reply accept {\n code = 554\n}\n", 2,
	    "reply \"accept\": unknown outcome: use bogus, self, null-mx, "
	    "tempfail, undeliverable or syntax" },
	{ "reply rejected { }\n", 1,
	    "reply \"rejected\": unknown outcome: use bogus, self, null-mx, "
	    "tempfail, undeliverable or syntax" },
	{ "reply bogus {\n text = \"x\"\n code = 451\n}\n", 3,
	    "reply bogus: code 451 does not fit outcome bogus: use a 5xx "
	    "code" },
	{ "reply tempfail {\n code = 554\n}\n", 2,
	    "reply tempfail: code 554 does not fit outcome tempfail: use a "
	    "4xx code" },
	{ "reply bogus {\n code = 554\n dsn = \"4.7.1\"\n}\n", 3,
	    "reply bogus: DSN 4.7.1 does not fit code 554: the first digits "
	    "must agree" },
	{ "reply bogus {\n dsn = \"4.7.1\"\n}\n", 2,
	    "reply bogus: DSN 4.7.1 does not fit outcome bogus: use a 5.x.x "
	    "DSN" },
	{ "reply self { dsn = \"5.7\" }\n", 1,
	    "reply self: DSN \"5.7\" is not of the form 5.7.1" },
	{ "reply self { dsn = \"5.7.1.1\" }\n", 1,
	    "reply self: DSN \"5.7.1.1\" is not of the form 5.7.1" },
	{ "reply self { dsn = \"5.7.1 \" }\n", 1,
	    "reply self: DSN \"5.7.1 \" is not of the form 5.7.1" },
	{ "reply self {\n dsn = \"5.7.1234567890\"\n}\n", 2,
	    "reply self: DSN \"5.7.1234567890\" is not of the form 5.7.1" },
	{ "reply undeliverable {\n code = 550\n\n text = \"{recipent}\"\n}\n",
	    4,
	    "reply undeliverable: text has an unknown field \"{recipent}\": "
	    "the fields are {recipient} {domain} {host} {address} {class} "
	    "{detail}" },
	{ "reply bogus { text = \"a { b\" }\n", 1,
	    "reply bogus: text has an unknown field \"{ b\": the fields are "
	    "{recipient} {domain} {host} {address} {class} {detail}" },
	{ "reply bogus { text = \"tab\\there\" }\n", 1,
	    "reply bogus: text has a control character (0x09)" },
	{ "reply bogus { code = 554 }\nreply bogus { code = 550 }\n", 2,
	    "found duplicate title 'bogus'" },
	/* several keys together */
	{ "dns {\n timeout-ms = 7000\n}\n", 2,
	    "dns: deadline-ms = 6000 is shorter than timeout-ms = 7000: no "
	    "attempt could finish" },
	{ "dns {\n deadline-ms = 500\n\n timeout-ms = 600\n}\n", 4,
	    "dns: deadline-ms = 500 is shorter than timeout-ms = 600: no "
	    "attempt could finish" },
	{ "cache {\n min-ttl = 100\n max-ttl = 50\n}\n", 3,
	    "cache: min-ttl = 100 is above max-ttl = 50" },
	{ "cache {\n\n max-ttl = 5\n}\n", 3,
	    "cache: min-ttl = 10 is above max-ttl = 5" },
	/* the file itself */
	{ "mode = \"any\n", 1,
	    "the quoted string opened here is never closed" },
	{ "\nmode = 'any\n", 2,
	    "the quoted string opened here is never closed" },
	{ "mode = \"any\"\n/* open\n", 2,
	    "the /* comment opened here is never closed" },
	{ "dns {\n port = 53\n", 1, "the '{' here is never closed" },
	{ "dns {\n nameservers = { \"::1\"\n}\n", 1,
	    "the '{' here is never closed" },
	{ "}\n", 1, "unexpected closing brace" },
	{ "mode \"any\"\n", 1, "missing equal sign after option 'mode'" },
};

/* Every integer key, one past each of its bounds. */
static const struct {
	const char *section, *key;
	long min, max;
} ints[] = {
	{ NULL, "backlog", 0, 65535 },
	{ NULL, "milter-timeout", 1, 86400 },
	{ "dns", "port", 1, 65535 },
	{ "dns", "timeout-ms", 10, 60000 },
	{ "dns", "attempts", 1, 10 },
	{ "dns", "deadline-ms", 100, 60000 },
	{ "dns", "max-mx", 1, 1000 },
	{ "dns", "max-addresses", 1, 4096 },
	{ "dns", "max-cname", 0, 64 },
	{ "dns", "max-queries", 1, 65536 },
	{ "cache", "entries", 0, 10000000 },
	{ "cache", "min-ttl", 0, 86400 },
	{ "cache", "max-ttl", 0, 604800 },
	{ "cache", "max-negative-ttl", 0, 86400 },
	{ "cache", "stale-ttl", 0, 604800 },
	{ "cache", "stale-recheck", 0, 86400 },
	{ "cache", "max-bytes", 65536, 1099511627776 },
	{ "reply bogus", "code", 400, 599 },
};

static void
test_errors(void **state)
{
	char text[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		snprintf(text, sizeof(text), HEAD "%s", errors[i].text);
		expect_error(text, errors[i].line + 4, errors[i].message);
	}
}

static void
test_int_bounds(void **state)
{
	char text[512], msg[256];
	size_t i;
	int side;

	(void)state;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		for (side = 0; side < 2; side++) {
			long v = side == 0 ? ints[i].min - 1 : ints[i].max + 1;

			if (ints[i].section != NULL) {
				snprintf(text, sizeof(text),
				    HEAD "%s {\n\t%s = %ld\n}\n",
				    ints[i].section, ints[i].key, v);
				snprintf(msg, sizeof(msg),
				    "%s: %s = %ld: must be %ld..%ld",
				    ints[i].section, ints[i].key, v,
				    ints[i].min, ints[i].max);
				expect_error(text, 6, msg);
			} else {
				snprintf(text, sizeof(text), HEAD "%s = %ld\n",
				    ints[i].key, v);
				snprintf(msg, sizeof(msg),
				    "%s = %ld: must be %ld..%ld", ints[i].key,
				    v, ints[i].min, ints[i].max);
				expect_error(text, 5, msg);
			}
		}
}

/* The bounds themselves are accepted. */
static void
test_int_bounds_inclusive(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok(
	    "backlog = 65535\nmilter-timeout = 1\n"
	    "dns { port = 65535\n timeout-ms = 10\n attempts = 10\n"
	    " deadline-ms = 100\n max-mx = 1000\n max-addresses = 1\n"
	    " max-cname = 0\n max-queries = 65536 }\n"
	    "cache { entries = 0\n min-ttl = 0\n max-ttl = 0\n"
	    " max-negative-ttl = 86400\n stale-ttl = 604800\n"
	    " stale-recheck = 86400\n max-bytes = 65536 }\n"
	    "reply bogus { code = 599 }\nreply tempfail { code = 400 }\n");
	assert_int_equal(c->backlog, 65535);
	assert_int_equal(c->engine.deadline_ms, 100);
	assert_int_equal(c->engine.timeout_ms, 10);
	assert_int_equal(c->engine.cache.max_entries, 0);
	assert_int_equal(c->engine.cache.stale_recheck, 86400);
	assert_int_equal(c->engine.cache.max_bytes, 65536);
	assert_int_equal(c->engine.max_queries, 65536);
	assert_int_equal(c->replies[BMX_OUTCOME_TEMPFAIL].code, 400);
	bmx_config_free(c);
}

/* ---- tables ---- */

static void
test_table_missing(void **state)
{
	char text[512], want[512];

	(void)state;
	snprintf(text, sizeof(text), HEAD "tables = {\n\t\"%s/none.cidr\"\n}\n",
	    dir);
	snprintf(want, sizeof(want),
	    "tables: %s/none.cidr: No such file or directory", dir);
	expect_error(text, 6, want);
}

static void
test_table_syntax_error(void **state)
{
	static const char table[] = "# a table\n10.0.0.0/8 REJECT ten\n"
				    "10.1.2.3/8 REJECT host bits\n";
	char path[sizeof(dir) + 32], text[512], want[512];
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	write_file("bad.cidr", table, strlen(table), path, sizeof(path));
	snprintf(text, sizeof(text),
	    HEAD "tables = { \"%s/a.cidr\",\n\t\"%s\" }\n", dir, path);
	write_file("a.cidr", "10.0.0.0/8 OK\n", 14, want, sizeof(want));
	c = load_text(text, &d);
	assert_null(c);
	/* the table's own file:line comes through ... */
	snprintf(want, sizeof(want), "%s:3: ", path);
	if (!has_entry(&d, want, false)) {
		print_diag(&d);
		fail_msg("no message for %s line 3", path);
	}
	/* ... and the config's line that names the table */
	snprintf(want, sizeof(want),
	    "%s:6: tables: \"%s\" not loaded: 1 error(s)", conf_path, path);
	if (!has_entry(&d, want, true)) {
		print_diag(&d);
		fail_msg("wanted %s", want);
	}
	bmx_diag_clear(&d);
}

static void
test_table_bad_result(void **state)
{
	static const char table[] = "10.0.0.0/8 REJECT ten\n"
				    "192.168.0.0/16 HOLD\n";
	char path[sizeof(dir) + 32], text[512], want[1024];
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	write_file("hold.cidr", table, strlen(table), path, sizeof(path));
	snprintf(text, sizeof(text), "tables = { \"%s\" }\n", path);
	c = load_text(text, &d);
	assert_null(c);
	snprintf(want, sizeof(want),
	    "%s:2: unsupported result \"HOLD\": use REJECT [text], DEFER "
	    "[text], 4NN or 5NN [text], OK, DUNNO or WARN [text]",
	    path);
	if (!has_entry(&d, want, true)) {
		print_diag(&d);
		fail_msg("wanted %s", want);
	}
	bmx_diag_clear(&d);
}

/* An existing Postfix recipient_mx_access.cidr loads as it is. */
static void
test_table_postfix_style(void **state)
{
	static const char table[] =
	    "# /etc/postfix/recipient_mx_access.cidr\n"
	    "0.0.0.0/8\tREJECT Domain MX in broadcast network\n"
	    "10.0.0.0/8\tREJECT Domain MX in RFC 1918 private network\n"
	    "127.0.0.0/8\tREJECT Domain MX in loopback network\n"
	    "192.0.2.0/24\t550 5.7.1 test net\n"
	    "198.51.100.0/24\tDEFER try later\n"
	    "203.0.113.0/24\tWARN look\n"
	    "8.8.8.0/24\tDUNNO\n"
	    "if 172.16.0.0/12\n"
	    "172.16.1.0/24\tOK\n"
	    "endif\n"
	    "fe80::/10\tREJECT link local\n";
	char path[sizeof(dir) + 32], text[512];
	struct bmx_config *c;

	(void)state;
	write_file("a.cidr", table, strlen(table), path, sizeof(path));
	snprintf(text, sizeof(text), "tables = { \"%s\" }\n", path);
	c = load_ok(text);
	assert_int_equal(c->ntables, 1);
	assert_int_equal(bmx_cidr_nrules(c->tables[0]), 9);
	assert_int_equal(c->engine.policy.ntables, 2);
	assert_ptr_equal(c->engine.policy.tables[0], c->tables[0]);
	assert_ptr_equal(c->engine.policy.tables[1], c->registry);
	bmx_config_free(c);
}

/* ---- the file ---- */

static void
test_missing_files(void **state)
{
	char path[sizeof(dir) + 32], want[512];
	struct bmx_diag d;
	struct bmx_config *c, *def;

	(void)state;
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	/* the default file may be absent: the built-in defaults */
	bmx_diag_init(&d);
	c = bmx_config_load(path, true, &d);
	assert_non_null(c);
	assert_int_equal(d.nentries, 0);
	def = bmx_config_defaults(&d);
	config_equal(c, def);
	assert_string_equal(c->file, "");
	bmx_config_free(c);
	bmx_config_free(def);
	/* a named one may not */
	c = bmx_config_load(path, false, &d);
	assert_null(c);
	assert_int_equal(d.errors, 1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_true(has_entry(&d, want, true));
	bmx_diag_clear(&d);
	/* missing_ok is about a missing file, not a broken one */
	c = bmx_config_load(dir, true, &d);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_true(has_entry(&d, want, true));
	bmx_diag_clear(&d);
	c = load_text("mode = \"bad\"\n", &d);
	assert_null(c);
	bmx_diag_clear(&d);
	bmx_diag_init(&d);
	c = bmx_config_load(conf_path, true, &d);
	assert_null(c);
	assert_int_equal(d.errors, 1);
	bmx_diag_clear(&d);
}

/* A FIFO named as the config or as a table is refused at once: opening
 * one used to wait for a writer for ever (a hung -n or reload). */
static void
test_fifo(void **state)
{
	char path[sizeof(dir) + 32], text[512], want[512];
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10); /* a regression hangs: fail instead */
	bmx_diag_init(&d);
	c = bmx_config_load(path, false, &d);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_true(has_entry(&d, want, true));
	bmx_diag_clear(&d);
	snprintf(text, sizeof(text), HEAD "tables = { \"%s\" }\n", path);
	snprintf(want, sizeof(want), "tables: %s: not a regular file", path);
	expect_error(text, 5, want);
	alarm(0);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "mode = \"any\"\n\0action = \"log\"\n";
	char path[sizeof(dir) + 32], want[512];
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	write_file("nul.conf", text, sizeof(text) - 1, path, sizeof(path));
	bmx_diag_init(&d);
	c = bmx_config_load(path, false, &d);
	assert_null(c);
	snprintf(want, sizeof(want),
	    "%s: the file holds a NUL byte: is it a text file?", path);
	if (!has_entry(&d, want, true)) {
		print_diag(&d);
		fail_msg("wanted %s", want);
	}
	bmx_diag_clear(&d);
}

/* A config that failed leaves no config; every error is reported, not
 * only the first of a file. */
static void
test_several_errors(void **state)
{
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	c = load_text("dns { timeout-ms = 9000 }\n"
		      "cache { min-ttl = 100\n max-ttl = 50 }\n"
		      "reply bogus { code = 451 }\n"
		      "reply tempfail { code = 554 }\n",
	    &d);
	assert_null(c);
	assert_int_equal(d.errors, 4);
	bmx_diag_clear(&d);
}

/* ---- networks, mailers, exempt clients ---- */

static void
test_net_parse(void **state)
{
	static const struct {
		const char *text;
		bool ok;
		unsigned bits;
		const char *err;
	} cases[] = {
		{ "10.0.0.0/8", true, 8, NULL },
		{ "192.0.2.1", true, 32, NULL },
		{ "0.0.0.0/0", true, 0, NULL },
		{ "::/0", true, 0, NULL },
		{ "2001:db8::/32", true, 32, NULL },
		{ "::1", true, 128, NULL },
		{ "2001:db8::1/128", true, 128, NULL },
		{ "10.0.0.0/08", true, 8, NULL },
		{ "10.0.0.1/8", false, 0,
		    "non-null host bits, perhaps you should use 10.0.0.0/8" },
		{ "10.128.0.0/9", true, 9, NULL },
		{ "10.192.0.0/9", false, 0,
		    "non-null host bits, perhaps you should use "
		    "10.128.0.0/9" },
		{ "2001:db8:8000::/33", true, 33, NULL },
		{ "2001:db8:c000::/33", false, 0,
		    "non-null host bits, perhaps you should use "
		    "2001:db8:8000::/33" },
		{ "10.0.0.0/33", false, 0, "bad prefix length: use 0..32" },
		{ "10.0.0.0/-1", false, 0, "bad prefix length: use 0..32" },
		{ "10.0.0.0/+8", false, 0, "bad prefix length: use 0..32" },
		{ "10.0.0.0/8x", false, 0, "bad prefix length: use 0..32" },
		{ "::/129", false, 0, "bad prefix length: use 0..128" },
		{ "10.0.0/8", false, 0, "not an address or network" },
		{ "", false, 0, "not an address or network" },
		{ "/8", false, 0, "not an address or network" },
		{ "[10.0.0.0]/8", false, 0, "not an address or network" },
	};
	struct bmx_net n;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (bmx_net_parse(cases[i].text, &n, err, sizeof(err)) !=
		    cases[i].ok)
			fail_msg("%s: %s (%s)", cases[i].text,
			    cases[i].ok ? "refused" : "accepted", err);
		if (cases[i].ok)
			assert_int_equal(n.bits, cases[i].bits);
		else
			assert_string_equal(err, cases[i].err);
	}
}

static bool
contains(const char *net, const char *addr)
{
	struct bmx_net n;
	struct bmx_ip ip;
	char err[256];

	assert_true(bmx_net_parse(net, &n, err, sizeof(err)));
	assert_true(bmx_ip_parse(addr, &ip));
	return bmx_net_contains(&n, &ip);
}

static void
test_net_contains(void **state)
{
	(void)state;
	assert_true(contains("10.0.0.0/8", "10.0.0.0"));
	assert_true(contains("10.0.0.0/8", "10.255.255.255"));
	assert_false(contains("10.0.0.0/8", "11.0.0.0"));
	assert_false(contains("10.0.0.0/8", "9.255.255.255"));
	assert_true(contains("10.128.0.0/9", "10.200.0.1"));
	assert_false(contains("10.128.0.0/9", "10.127.255.255"));
	assert_true(contains("192.0.2.1", "192.0.2.1"));
	assert_false(contains("192.0.2.1", "192.0.2.0"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_false(contains("0.0.0.0/0", "::1"));
	assert_true(contains("::/0", "2001:db8::1"));
	assert_false(contains("::/0", "127.0.0.1"));
	assert_true(contains("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(contains("2001:db8::/32", "2001:db9::"));
	assert_true(contains("2001:db8:8000::/33", "2001:db8:8000::1"));
	assert_false(contains("2001:db8:8000::/33", "2001:db8:7fff::1"));
	assert_true(contains("::1/128", "::1"));
	assert_false(contains("::1/128", "::2"));
	/* families never mix: ::ffff:10.0.0.1 is not in 10.0.0.0/8 here */
	assert_false(contains("10.0.0.0/8", "::ffff:10.0.0.1"));
}

static void
test_skip_mailer(void **state)
{
	struct bmx_diag d;
	struct bmx_config *c;

	(void)state;
	bmx_diag_init(&d);
	c = bmx_config_defaults(&d);
	assert_true(bmx_config_skip_mailer(c, "local", NULL));
	assert_true(bmx_config_skip_mailer(c, "virtual", NULL));
	assert_true(bmx_config_skip_mailer(c, "lmtp", NULL));
	assert_true(bmx_config_skip_mailer(c, "error", NULL));
	assert_true(bmx_config_skip_mailer(c, "prog", NULL));
	assert_true(bmx_config_skip_mailer(c, "*file*", NULL));
	assert_true(bmx_config_skip_mailer(c, "*include*", NULL));
	assert_false(bmx_config_skip_mailer(c, "smtp", NULL));
	assert_false(bmx_config_skip_mailer(c, "esmtp", NULL));
	assert_false(bmx_config_skip_mailer(c, "relay", NULL));
	/* Postfix's relay (relay_domains), not Sendmail's (a smart host) */
	assert_true(bmx_config_skip_mailer(c, "relay", "postfix"));
	assert_false(bmx_config_skip_mailer(c, "relay", "sendmail"));
	assert_true(bmx_config_skip_mailer(c, "prog", "sendmail"));
	assert_true(bmx_config_skip_mailer(c, "local", "postfix"));
	assert_false(bmx_config_skip_mailer(c, "", NULL));
	assert_false(bmx_config_skip_mailer(c, NULL, NULL));
	assert_false(bmx_config_skip_mailer(c, "loc", NULL));
	assert_false(bmx_config_skip_mailer(c, "locals", NULL));
	bmx_config_free(c);
	bmx_diag_clear(&d);
	c = load_ok("skip-mailers = { \"dovecot\" }\n");
	assert_true(bmx_config_skip_mailer(c, "dovecot", NULL));
	assert_false(bmx_config_skip_mailer(c, "local", NULL));
	bmx_config_free(c);
}

static bool
exempt(const struct bmx_config *c, const char *addr)
{
	struct bmx_ip ip;

	assert_true(bmx_ip_parse(addr, &ip));
	return bmx_config_exempt_client(c, &ip);
}

static void
test_exempt_client(void **state)
{
	struct bmx_config *c;

	(void)state;
	c = load_ok("exempt-clients = { \"10.0.0.0/8\", \"2001:db8::/32\",\n"
		    "\t\"192.0.2.1\" }\n");
	assert_true(exempt(c, "10.1.2.3"));
	assert_false(exempt(c, "11.0.0.1"));
	assert_true(exempt(c, "192.0.2.1"));
	assert_false(exempt(c, "192.0.2.2"));
	assert_true(exempt(c, "2001:db8::1"));
	assert_false(exempt(c, "2001:db9::1"));
	/* an IPv4 client through a dual-stack socket */
	assert_true(exempt(c, "::ffff:10.1.2.3"));
	assert_true(exempt(c, "::ffff:192.0.2.1"));
	assert_false(exempt(c, "::ffff:192.0.2.2"));
	assert_false(exempt(c, "::10.1.2.3"));
	bmx_config_free(c);
	c = load_ok("\n");
	assert_false(exempt(c, "127.0.0.1"));
	bmx_config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_sample_is_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_list_append),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_own_interfaces),
		cmocka_unit_test(test_comments_anywhere),
		cmocka_unit_test(test_comments_keep_lines),
		cmocka_unit_test(test_comments_in_words),
		cmocka_unit_test(test_socket_case),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_int_bounds),
		cmocka_unit_test(test_int_bounds_inclusive),
		cmocka_unit_test(test_table_missing),
		cmocka_unit_test(test_table_syntax_error),
		cmocka_unit_test(test_table_bad_result),
		cmocka_unit_test(test_table_postfix_style),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_several_errors),
		cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_net_contains),
		cmocka_unit_test(test_skip_mailer),
		cmocka_unit_test(test_exempt_client),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
