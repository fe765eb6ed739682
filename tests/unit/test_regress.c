/*
 * test_regress.c - every input the fuzzers ever crashed on, replayed.
 *
 * tests/fuzz/regress/hls/ (and mpd/, config/) hold inputs that once made a
 * parser crash, leak or trip a sanitizer. Each is run through the parser it
 * broke, as the fuzz target does (parse, render as JSON, free), so the fix
 * stays fixed in every `make unit` and under `make check-asan`, without
 * clang. Runs from the repository root, like the other unit tests.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "dash.h"
#include "hls.h"
#include "manifest_json.h"

#define REGRESS_DIR "tests/fuzz/regress"
/* The fuzzers run with -max_len=1048576; a saved input is never larger. */
#define REGRESS_MAX_BYTES (4L * 1024 * 1024)

typedef void (*replay_fn)(const char *data, size_t len);

/* The input being replayed, for failure messages. */
static const char *cur_path;

static void replay_hls(const char *data, size_t len)
{
	const char *bases[] = { "https://cdn.example.com/live/a/master.m3u8",
				NULL };
	char bad[256] = "";

	for (size_t i = 0; i < 2; i++) {
		vsp_hls_playlist *pl = NULL;
		char err[512] = "";

		if (vsp_hls_parse(data, len, bases[i], &pl, err,
				  sizeof(err)) == 0) {
			json_t *j = vsp_hls_to_json(pl);
			char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

			/* A playlist that parses renders: NULL here made
			 * `prober manifest` say "out of memory". */
			if ((!j || !s) && !bad[0])
				snprintf(bad, sizeof(bad),
					 "parsed (base %s) but vsp_hls_to_json()"
					 " or json_dumps() gave NULL",
					 bases[i] ? bases[i] : "none");
			free(s);
			json_decref(j);
		} else if ((pl || err[0] == '\0') && !bad[0]) {
			/* A rejection names what was wrong. */
			snprintf(bad, sizeof(bad),
				 "rejected without a message or with a "
				 "playlist");
		}
		vsp_hls_free(pl);
	}
	/* Failing after the frees keeps the run clean under ASan. */
	if (bad[0])
		fail_msg("%s: %s", cur_path, bad);
}

static void replay_mpd(const char *data, size_t len)
{
	vsp_dash_mpd *m = NULL;
	char err[512];

	if (vsp_dash_parse(data, len, "https://cdn.example.com/d/a.mpd", &m,
			   err, sizeof(err)) == 0) {
		json_t *j = vsp_dash_to_json(m);
		char *s = json_dumps(j, JSON_COMPACT);

		free(s);
		json_decref(j);
	}
	vsp_dash_free(m);
}

static void replay_config(const char *data, size_t len)
{
	vsp_probe_cfg cfg;
	char err[512];

	vsp_probe_cfg_init(&cfg);
	(void)vsp_config_load_json(data, len, "probes/regress.json", &cfg, err,
				   sizeof(err));
	vsp_probe_cfg_clear(&cfg);
}

/* Reads a whole file; NULL when it cannot. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > REGRESS_MAX_BYTES ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto done;
	/* Not NUL-terminated on purpose: the parsers take a length, and
	 * ASan sees a read past it. Keep one byte so malloc(0) is avoided. */
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
done:
	fclose(f);
	return buf;
}

/* Replays every regular file of REGRESS_DIR/sub; a missing folder has
 * nothing to replay. */
static void replay_dir(const char *sub, replay_fn fn)
{
	char dir[512], path[1024];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/%s", REGRESS_DIR, sub);
	d = opendir(dir);
	if (!d) {
		assert_int_equal(errno, ENOENT);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t len = 0;
		char *data;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		data = slurp(path, &len);
		if (!data)
			fail_msg("cannot read %s", path);
		cur_path = path;
		fn(data, len);
		free(data);
		n++;
	}
	closedir(d);
	print_message("  %s: %d input(s) replayed\n", sub, n);
}

static void test_regress_hls(void **state)
{
	(void)state;
	replay_dir("hls", replay_hls);
}

static void test_regress_mpd(void **state)
{
	(void)state;
	replay_dir("mpd", replay_mpd);
}

static void test_regress_config(void **state)
{
	(void)state;
	replay_dir("config", replay_config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regress_hls),
		cmocka_unit_test(test_regress_mpd),
		cmocka_unit_test(test_regress_config),
	};

	return cmocka_run_group_tests_name("regress", tests, NULL, NULL);
}
