/*
 * fuzz_config.c - libFuzzer target: bogusmx.conf (lib/config)
 *
 * config.c has no buffer entry point: the input is written to a file
 * and read with bmx_config_load(), as the milter and -n read one.  The
 * files live in a directory of our own (made once with mkdtemp, the
 * current directory from then on, removed at exit): bogusmx.conf, and
 * t.cidr when the input holds a line "%%table%%": what follows it is
 * that table, which a config names as tables = { "t.cidr" } (without
 * the line there is no t.cidr, and naming it is an error).
 * libconfuse's lexer is global state, which is fine here: libFuzzer
 * runs one input at a time in one thread (never use -jobs with threads
 * for this target).
 *
 * Checks: a config comes back exactly when diag holds no error; every
 * diagnostic formats; a loaded config keeps what its checks promised:
 * reply overrides that bmx_reply_check() accepts, normalised exempt
 * domains, a tag header fit for a header name, sane DNS limits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "diag.h"
#include "policy.h"
#include "reply.h"

#include "fuzz_common.h"

#define TABLE_MARK "\n%%table%%\n"

static char dir[4096];

static void
cleanup(void)
{
	unlink("bogusmx.conf");
	unlink("t.cidr");
	if (chdir("/") == 0)
		rmdir(dir);
}

static void
write_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f = fopen(name, "wb");

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
	FUZZ_CHECK(fclose(f) == 0);
}

static const char *const probes[] = { "127.0.0.1", "10.1.2.3", "192.0.2.1",
	"198.51.100.7", "8.8.8.8", "::1", "2001:db8::1", "::ffff:10.0.0.1",
	"64:ff9b::7f00:1", "2a00:1450::1" };

static void
check_config(const struct bmx_config *c)
{
	char err[512], norm[BMX_DOMAIN_MAX + 1], text[BMX_REPLY_MAX];
	const struct bmx_engine_settings *e = &c->engine;
	size_t i;
	int o;

	for (o = 0; o < BMX_OUTCOME_COUNT; o++) {
		const struct bmx_reply_spec *s = &c->replies[o];

		if (s->code == 0 && s->dsn[0] == '\0' && s->text == NULL)
			continue;
		if (!bmx_reply_check(
			(enum bmx_outcome)o, s, err, sizeof(err))) {
			fprintf(stderr, "reply %s: %s\n",
			    bmx_outcome_name((enum bmx_outcome)o), err);
			FUZZ_CHECK(!"a loaded config holds a bad reply");
		}
	}
	for (i = 0; i < e->nexempt_domains; i++) {
		FUZZ_CHECK(bmx_domain_normalize(e->exempt_domains[i], norm, err,
			       sizeof(err)) == BMX_ADDR_OK);
		FUZZ_CHECK(strcmp(norm, e->exempt_domains[i]) == 0);
	}
	FUZZ_CHECK(c->tag_header[0] != '\0');
	FUZZ_CHECK(strcspn(c->tag_header, " \t\r\n:") == strlen(c->tag_header));
	FUZZ_CHECK(e->timeout_ms > 0 && e->timeout_ms <= e->deadline_ms);
	FUZZ_CHECK(e->attempts > 0);
	FUZZ_CHECK(e->cache.min_ttl <= e->cache.max_ttl);
	FUZZ_CHECK(e->policy.ntables == c->ntables + (c->registry != NULL));
	for (i = 0; i < c->ntables; i++)
		FUZZ_CHECK(c->tables[i] != NULL);
	/* the tables as the policy uses them */
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct bmx_judgement j;
		struct bmx_ip ip;

		FUZZ_CHECK(bmx_ip_parse(probes[i], &ip));
		bmx_policy_judge_address(&e->policy, "u@x", &ip, &j);
		bmx_decision_text(&j.d, text, sizeof(text));
		FUZZ_CHECK(fuzz_text_ok(text));
		bmx_judgement_clear(&j);
	}
	for (i = 0; i < c->nskip_mailers; i++)
		FUZZ_CHECK(c->skip_mailers[i][0] != '\0');
	FUZZ_CHECK(bmx_action_name(c->action)[0] != '?');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmx_config *c;
	struct bmx_diag diag;
	char line[8192];
	size_t i;

	const uint8_t *mark;
	size_t conf_len = size;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/bmx-fuzz-config-XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		FUZZ_CHECK(mkdtemp(dir) != NULL);
		FUZZ_CHECK(chdir(dir) == 0);
		atexit(cleanup);
	}
	mark = memmem(data, size, TABLE_MARK, strlen(TABLE_MARK));
	if (mark != NULL) {
		conf_len = (size_t)(mark - data);
		write_file("t.cidr", mark + strlen(TABLE_MARK),
		    size - conf_len - strlen(TABLE_MARK));
	} else {
		unlink("t.cidr");
	}
	write_file("bogusmx.conf", data, conf_len);

	bmx_diag_init(&diag);
	c = bmx_config_load("bogusmx.conf", false, &diag);
	FUZZ_CHECK((c != NULL) == (diag.errors == 0));
	FUZZ_CHECK(diag.nentries <= BMX_DIAG_KEEP);
	for (i = 0; i < diag.nentries; i++) {
		FUZZ_CHECK(
		    bmx_diag_format(&diag.entries[i], line, sizeof(line)) > 0);
		FUZZ_CHECK(diag.entries[i].message[0] != '\0');
	}
	if (c != NULL)
		check_config(c);
	bmx_config_free(c);
	bmx_diag_clear(&diag);
	return 0;
}
