/*
 * test_pictures.c - origin_mismatch by what the first pictures show
 * (compare.c, field "picture"): prober given two URLs of one VOD stream,
 * from two fault origins ("two CDNs"), warns when the backup declares the
 * same ladder, duration and segment count but shows other pictures (another
 * episode, a slate, another cut), and stays pass when it serves the same
 * source encoded otherwise (another rate and preset, HEVC beside H.264,
 * 1280x720 beside 640x360, one frame later). Without the content measures
 * (--no-content) there is nothing to compare: the backup with other
 * pictures passes, as every backup did before the comparison existed.
 *
 * Started by tests/integration/pictures.sh with PROBER (the binary),
 * ORIGIN and ORIGIN2 (http://127.0.0.1:PORT of each fault origin, serving
 * one folder; see the script). Each row runs
 * `prober check --json URL URL` as a child (child.h) and asserts the exit
 * status, the stream's status and reason, the record's "mismatches" and,
 * on a pass, that every rendition's pictures were measured (a pass from
 * no comparison proves nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

#define TIMEOUT_S "15"
/* Past the timeout plus this, the child is killed: it hangs. */
#define KILL_AFTER_MS 45000.0

static const char *prober, *origin_a, *origin_b;

struct pcase {
	const char *name;
	const char *opt; /* one extra option, or NULL */
	const char *path1, *path2; /* on origin a, on origin b */
	const char *status, *reason; /* the stream's; reason NULL: null */
	const char *fields; /* mismatch fields in order, "," separated */
	const char *says;   /* in the stream message, or NULL */
};

static const struct pcase cases[] = {
	/* the same source: never a false alarm */
	{ "same_files_two_cdns", NULL, "main/master.m3u8", "main/master.m3u8",
	  "pass", NULL, "", NULL },
	{ "reencoded_third_of_the_rate", NULL, "main/master.m3u8",
	  "reenc/master.m3u8", "pass", NULL, "", NULL },
	{ "h264_720p_beside_hevc_360p", NULL, "m720/index.m3u8",
	  "m360hevc/index.m3u8", "pass", NULL, "", NULL },
	{ "one_frame_later_at_360p", NULL, "m720/index.m3u8",
	  "m360off1/index.m3u8", "pass", NULL, "", NULL },
	{ "noise_h264_720p_beside_hevc_360p", NULL, "n720/index.m3u8",
	  "n360hevc/index.m3u8", "pass", NULL, "", NULL },

	/* the same declarations, other pictures */
	{ "slate_same_ladder", NULL, "main/master.m3u8", "slate/master.m3u8",
	  "warn", "origin_mismatch", "picture",
	  "first picture of 640x360 segment 0 differs from origin "
	  "127.0.0.1:" },
	{ "other_episode_same_ladder", NULL, "main/master.m3u8",
	  "other/master.m3u8", "warn", "origin_mismatch", "picture",
	  "levels of 255 (threshold 20 %)" },
	{ "ten_seconds_later_same_ladder", NULL, "main/master.m3u8",
	  "later/master.m3u8", "warn", "origin_mismatch", "picture",
	  "2 of 2 renditions compared differ" },
	{ "bars_360p_beside_720p", NULL, "m720/index.m3u8",
	  "bars360/index.m3u8", "warn", "origin_mismatch", "picture",
	  "% of the picture's cells by more than 12 levels" },
	/* before: nothing measured, nothing compared */
	{ "slate_without_content_measures", "--no-content", "main/master.m3u8",
	  "slate/master.m3u8", "pass", NULL, "", NULL },
};

static int n_failed;
static const char *cur_name;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failf(const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("%s: %s\n", cur_name, msg);
	n_failed++;
}

/* Every rendition of every origin measured its pictures. */
static void check_measured(json_t *doc)
{
	json_t *o, *r;
	size_t i, k;

	json_array_foreach(json_object_get(doc, "origins"), i, o)
	{
		json_array_foreach(json_object_get(o, "renditions"), k, r)
		{
			json_t *c = json_object_get(r, "content");

			if (json_integer_value(json_object_get(c, "pictures")) <
			    1)
				failf("origin %zu rendition %zu: no pictures "
				      "measured",
				      i, k);
		}
	}
}

static void check_record(const struct pcase *c, json_t *doc)
{
	json_t *mm = json_object_get(doc, "mismatches");
	const char *st = json_string_value(json_object_get(doc, "status"));
	const char *rs = json_string_value(json_object_get(doc, "reason"));
	const char *msg = json_string_value(json_object_get(doc, "message"));
	char fields[256] = "";
	size_t k = 0, i;
	json_t *m;

	if (!st || strcmp(st, c->status) != 0)
		failf("stream status %s, want %s", st ? st : "(none)",
		      c->status);
	if ((c->reason == NULL) != (rs == NULL) ||
	    (rs && strcmp(rs, c->reason) != 0))
		failf("stream reason %s, want %s", rs ? rs : "null",
		      c->reason ? c->reason : "null");
	if (c->says && (!msg || !strstr(msg, c->says)))
		failf("stream message '%s' lacks '%s'", msg ? msg : "",
		      c->says);
	if (!json_is_array(mm)) {
		failf("record has no \"mismatches\" array");
		return;
	}
	json_array_foreach(mm, i, m)
	{
		const char *f = json_string_value(json_object_get(m, "field"));

		k += (size_t)snprintf(fields + k, sizeof(fields) - k, "%s%s",
				      i ? "," : "", f ? f : "?");
	}
	if (strcmp(fields, c->fields) != 0)
		failf("mismatches '%s', want '%s'", fields, c->fields);
	if (strcmp(c->status, "pass") == 0 &&
	    !(c->opt && strcmp(c->opt, "--no-content") == 0))
		check_measured(doc);
}

static void run_case(void **state)
{
	const struct pcase *c = *state;
	char u1[1024], u2[1024];
	char *argv[10];
	int n = 0, rc;
	child r;

	snprintf(u1, sizeof(u1), "%s/%s", origin_a, c->path1);
	snprintf(u2, sizeof(u2), "%s/%s", origin_b, c->path2);
	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = TIMEOUT_S;
	if (c->opt)
		argv[n++] = (char *)c->opt;
	argv[n++] = u1;
	argv[n++] = u2;
	argv[n] = NULL;
	cur_name = c->name;
	n_failed = 0;
	rc = child_run(&r, argv[0], argv, KILL_AFTER_MS);
	if (rc != 0)
		fail_msg("%s: cannot start %s: %s", c->name, argv[0],
			 strerror(rc));
	if (r.exit_status != child_status_exit(c->status))
		failf("exit status %d, want %d", r.exit_status,
		      child_status_exit(c->status));
	if (!child_json(&r))
		failf("stdout is not a JSON record");
	else
		check_record(c, r.doc);
	if (n_failed)
		child_dump(&r, c->name, 8000, 2000);
	else
		printf("    %-34s %-4s %s\n", c->name,
		       json_string_value(json_object_get(r.doc, "status")),
		       json_string_value(json_object_get(r.doc, "message"))
			       ? json_string_value(
					 json_object_get(r.doc, "message"))
			       : "");
	child_free(&r);
	if (n_failed)
		fail_msg("%s: %d expectation(s) not met", c->name, n_failed);
}

static const char *need_env(const char *name)
{
	return child_need_env("test_pictures", name, "tests/integration/pictures.sh");
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];
	const char *only = getenv("CASE"); /* one row, to debug it */
	size_t n = 0;

	prober = need_env("PROBER");
	origin_a = need_env("ORIGIN");
	origin_b = need_env("ORIGIN2");
	n = child_rows(tests, cases, N, sizeof(cases[0]), run_case, only);
	return _cmocka_run_group_tests("pictures", tests, n, NULL, NULL);
}
