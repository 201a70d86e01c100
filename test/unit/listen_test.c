/*
 * listen_test.c - unit tests of lib/listen: the specs accepted and the
 * messages for the bad ones; a unix socket made with its mode, a stale
 * one replaced, a file that is not a socket left alone; an inet socket
 * on loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listen.h"

#define FORMS                                                                  \
	"use inet:PORT@ADDRESS, inet6:PORT@[ADDRESS], unix:/PATH or "          \
	"local:/PATH"

static void
parse(void **state)
{
	struct bmx_listen l;
	char err[256];
	static const struct {
		const char *spec, *err;
	} bad[] = {
		{ "inet:@127.0.0.1", FORMS },
		{ "inet:0@127.0.0.1", "the port must be 1..65535 before '@'" },
		{ "inet:9100@", FORMS },
		{ "inet:9100", "an address is needed after '@'" },
		{ "inet:9100@localhost",
		    "\"localhost\" is not an IPv4 address" },
		{ "inet6:9100@[127.0.0.1]",
		    "\"127.0.0.1\" is not an IPv6 address" },
		{ "inet:http@127.0.0.1",
		    "the port must be 1..65535 before '@'" },
		{ "inet:9100@[]", FORMS },
		{ "tcp:9100", FORMS },
		{ "fd:3", FORMS },
		{ "unix:", FORMS },
		{ "unix:relative",
		    "the unix socket path \"relative\" is relative: the "
		    "daemon works in /; give an absolute path" },
	};
	size_t i;

	(void)state;
	assert_true(bmx_listen_parse("inet:9100@127.0.0.1", &l, err, 256));
	assert_int_equal(l.family, AF_INET);
	assert_int_equal(
	    ntohs(((struct sockaddr_in *)&l.addr)->sin_port), 9100);
	assert_true(bmx_listen_parse("inet6:9100@[::1]", &l, err, 256));
	assert_int_equal(l.family, AF_INET6);
	assert_true(bmx_listen_parse("unix:/run/x.sock", &l, err, 256));
	assert_int_equal(l.family, AF_UNIX);
	assert_string_equal(l.path, "/run/x.sock");
	assert_true(bmx_listen_parse("/run/y.sock", &l, err, 256));
	assert_string_equal(l.path, "/run/y.sock");
	/* The spec's syntax is libmilter's (bmx_sockspec_parse). */
	assert_true(bmx_listen_parse("local:/run/z.sock", &l, err, 256));
	assert_string_equal(l.path, "/run/z.sock");
	assert_true(bmx_listen_parse("UNIX:/run/w.sock", &l, err, 256));
	assert_string_equal(l.path, "/run/w.sock");
	assert_true(bmx_listen_parse("INET6:9100@::1", &l, err, 256));
	assert_int_equal(l.family, AF_INET6);
	assert_int_equal(
	    ntohs(((struct sockaddr_in6 *)&l.addr)->sin6_port), 9100);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(bmx_listen_parse(bad[i].spec, &l, err, 256));
		assert_string_equal(err, bad[i].err);
	}
}

static void
open_unix(void **state)
{
	char dir[] = "/tmp/listen_test.XXXXXX", path[128], spec[200], err[256];
	struct bmx_listen l;
	struct stat st;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	assert_true(bmx_listen_parse(spec, &l, err, sizeof(err)));
	fd = bmx_listen_open(&l, 0660, (uid_t)-1, 0, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	close(fd);
	/* the stale socket is replaced */
	fd = bmx_listen_open(&l, 0600, (uid_t)-1, 0, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
	unlink(path);
	/* a file is not removed */
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(
	    bmx_listen_open(&l, 0660, (uid_t)-1, 0, err, sizeof(err)), -1);
	snprintf(spec, sizeof(spec), "%s: exists and is not a socket", path);
	assert_string_equal(err, spec);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(path);
	rmdir(dir);
}

static void
open_inet(void **state)
{
	struct bmx_listen l;
	char err[256];
	int fd;

	(void)state;
	/* port 1 on loopback needs root; any port taken gives a message */
	assert_true(bmx_listen_parse("inet:1@127.0.0.1", &l, err, 256));
	((struct sockaddr_in *)&l.addr)->sin_port = 0; /* any free port */
	fd = bmx_listen_open(&l, 0, (uid_t)-1, 0, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse),
		cmocka_unit_test(open_unix),
		cmocka_unit_test(open_inet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
