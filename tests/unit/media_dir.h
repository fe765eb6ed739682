/*
 * media_dir.h - a temporary folder of media made by the ffmpeg CLI, for the
 * unit tests that decode real segments (test_decode.c, test_content.c).
 *
 * Include after cmocka.h. The suite's setup calls media_dir_open() and
 * then makes its own media with run_cmd() and FF; its teardown is
 * media_dir_teardown. have_media says whether ffmpeg made it (tests skip
 * otherwise).
 */
#ifndef PROBER_MEDIA_DIR_H
#define PROBER_MEDIA_DIR_H

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define FF "ffmpeg -nostdin -v error -y "

static char dir[4096];
static int have_media;

static int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command line; 0 when it exits 0. */
static int run_cmd(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* Makes dir ($TMPDIR/NAME-XXXXXX). 0 or -1. */
static int media_dir_open(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, sizeof(dir), "%s/%s-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp", name);

	if (n < 0 || (size_t)n >= sizeof(dir) || !mkdtemp(dir)) {
		dir[0] = '\0';
		return -1;
	}
	return 0;
}

static int media_dir_rm(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int media_dir_teardown(void **state)
{
	(void)state;
	if (dir[0])
		nftw(dir, media_dir_rm, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

#endif
