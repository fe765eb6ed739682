/*
 * test_file.c - vsp_file_read(): whole files up to the cap, refusals with
 * their error codes, a FIFO refused without blocking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "file.h"

static char dir[] = "/tmp/test_file.XXXXXX";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_read(void **state)
{
	char path[256], err[256], *out = (char *)1;
	size_t len = 99;

	(void)state;
	snprintf(path, sizeof(path), "%s/a", dir);
	put(path, "12345678");
	/* Exactly the cap fits. */
	assert_int_equal(vsp_file_read(path, 8, "a test file", 0, &out, &len,
				       err, sizeof(err)),
			 0);
	assert_int_equal(len, 8);
	assert_string_equal(out, "12345678");
	free(out);
	/* One byte over does not, and nothing is returned. */
	assert_int_equal(vsp_file_read(path, 7, "a test file", 0, &out, &len,
				       err, sizeof(err)),
			 VSP_E_LIMIT);
	assert_null(out);
	assert_string_equal(err,
			    "8 bytes, more than the 7 a test file may have");
	/* Empty file: an empty string. */
	put(path, "");
	assert_int_equal(vsp_file_read(path, 7, "x", VSP_FILE_REGULAR, &out,
				       &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	unlink(path);
	assert_int_equal(
		vsp_file_read(path, 7, "x", 0, &out, &len, err, sizeof(err)),
		VSP_E_IO);
	assert_string_equal(err, "cannot open: No such file or directory");
}

static void test_not_regular(void **state)
{
	char path[256], err[256], *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(vsp_file_read(dir, 100, "x", VSP_FILE_REGULAR, &out,
				       &len, err, sizeof(err)),
			 VSP_E_IO);
	assert_string_equal(err, "not a regular file");
	/* A FIFO without a writer: refused at once, not waited for. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(vsp_file_read(path, 100, "x", VSP_FILE_REGULAR, &out,
				       &len, err, sizeof(err)),
			 VSP_E_IO);
	assert_null(out);
	unlink(path);
}

/* Every byte written, then read back; a full disk is ENOSPC (/dev/full). */
static void test_write_all(void **state)
{
	char path[] = "/tmp/prober-file-XXXXXX", *back = NULL, err[256];
	char text[70000];
	size_t len = 0;
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(vsp_file_write_all(fd, text, sizeof(text)), 0);
	close(fd);
	assert_int_equal(vsp_file_read(path, sizeof(text), "a file", 0, &back,
				       &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, sizeof(text));
	assert_memory_equal(back, text, sizeof(text));
	free(back);
	unlink(path);
	fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		skip();
	errno = 0;
	assert_int_equal(vsp_file_write_all(fd, text, 10), -1);
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_write_all),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
