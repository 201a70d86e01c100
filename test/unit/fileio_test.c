/*
 * fileio_test.c - unit tests of lib/fileio: whole files read and
 * NUL-terminated, and the errors for what is not a regular file.
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

#include "fileio.h"

static char dir[] = "/tmp/bmx_fileio_test.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_read(void **state)
{
	char path[512], err[256], *out = NULL;
	static const char data[] = "line one\nnul \0 inside\n";
	size_t len = 99;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.cidr", dir);
	write_file(path, data, sizeof(data) - 1);
	assert_true(bmx_file_read(path, &out, &len, err, sizeof(err)));
	assert_int_equal(len, sizeof(data) - 1);
	assert_memory_equal(out, data, len);
	assert_int_equal(out[len], '\0');
	free(out);

	/* empty */
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0);
	out = NULL;
	assert_true(bmx_file_read(path, &out, &len, err, sizeof(err)));
	assert_int_equal(len, 0);
	assert_non_null(out);
	assert_int_equal(out[0], '\0');
	free(out);
}

static void
test_errors(void **state)
{
	char path[512], want[600], err[600], *out = NULL;
	size_t len = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_false(bmx_file_read(path, &out, &len, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_null(out);

	/* a directory */
	assert_false(bmx_file_read(dir, &out, &len, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_string_equal(err, want);

	/* a FIFO with no writer: refused at once, never waited on */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_false(bmx_file_read(path, &out, &len, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);
	assert_null(out);

	/* /dev/null is a character device */
	assert_false(bmx_file_read("/dev/null", &out, &len, err, sizeof(err)));
	assert_string_equal(err, "/dev/null: not a regular file");
}

/* Larger than BMX_FILE_MAX, without writing it: a sparse file. */
static void
test_too_large(void **state)
{
	char path[512], want[600], err[600], *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)BMX_FILE_MAX + 1), 0);
	assert_int_equal(fclose(f), 0);
	assert_false(bmx_file_read(path, &out, &len, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: larger than %zu MiB", path,
	    BMX_FILE_MAX >> 20);
	assert_string_equal(err, want);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_large),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
