/*
 * fuzz_config.c - libFuzzer target: bogusmx.conf (lib/config)
 *
 * config.c has no buffer entry point: the input is written to a file of
 * our own (made once with mkstemp, rewritten for every input, removed at
 * exit) and read with bmx_config_load(), as the milter and -n read one.
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
#include "reply.h"

#include "fuzz_common.h"

static char path[4096];
static int fd = -1;

static void
cleanup(void)
{
	if (fd >= 0)
		unlink(path);
}

static void
check_config(const struct bmx_config *c)
{
	char err[512], norm[BMX_DOMAIN_MAX + 1];
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
	FUZZ_CHECK(e->policy.ntables <= c->ntables + 1);
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

	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/bmx-fuzz-config-XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		fd = mkstemp(path);
		FUZZ_CHECK(fd >= 0);
		atexit(cleanup);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	bmx_diag_init(&diag);
	c = bmx_config_load(path, false, &diag);
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
