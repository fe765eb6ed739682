/*
 * test_record_append.c - a record line is written whole or not at all, even
 * when the disk fills in the middle of it.
 *
 * "Disk full" is made real with RLIMIT_FSIZE in a child process: the kernel
 * then takes a short write at the limit and refuses the next one (EFBIG),
 * as it does with ENOSPC on a full file system.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "record_file.h"

#define LIMIT 100

/* In the child: exit codes say what went wrong, 0 when all held. */
static int child(const char *path)
{
	struct rlimit rl = { LIMIT, LIMIT };
	char line[61], err[512];
	int fd;

	/* Ignored, SIGXFSZ turns into EFBIG instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 10;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return 11;
	memset(line, 'a', 60);
	line[60] = '\0';
	/* 61 bytes: fits under the limit. */
	if (vsp_record_append(fd, path, line, err, sizeof(err)) != 0)
		return 12;
	/* Another 61: only 39 fit; they must be cut back. */
	line[0] = 'b';
	if (vsp_record_append(fd, path, line, err, sizeof(err)) !=
	    VSP_RECORD_E_NOSPC)
		return 13;
	if (!strstr(err, "disk full") || !strstr(err, path))
		return 14;
	/* And once the file is at the limit: refused outright. */
	line[0] = 'c';
	if (vsp_record_append(fd, path, line, err, sizeof(err)) !=
	    VSP_RECORD_E_NOSPC)
		return 15;
	close(fd);
	return 0;
}

static void test_disk_full_leaves_whole_lines(void **state)
{
	char dir[] = "/tmp/prober-append-XXXXXX", path[256], buf[256];
	struct stat st;
	pid_t pid;
	int status;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/2026-01-01.jsonl", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child(path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Exactly the first line, whole. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 61);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_int_equal(strlen(buf), 61);
	assert_int_equal(buf[0], 'a');
	assert_int_equal(buf[60], '\n');
	assert_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_full_leaves_whole_lines),
	};

	return cmocka_run_group_tests_name("record_append", tests, NULL,
					   NULL);
}
