/*
 * test_content_integration.c - black_video, frozen_video and silent_audio
 * end to end (tests/integration/content.sh): each broken stream warns with
 * its reason, stage validation and a message with the measure and the
 * threshold; the healthy control and the slow pan pass; the same live
 * (fault_origin's `live`: the newest and the start segment decoded);
 * thresholds from the command line; --thumbnails writes a JPEG per
 * rendition and the record names it; a playlist breaking a MUST warns
 * spec_violation.
 *
 * Environment: PROBER, ORIGIN (a fault_origin serving moving/, black/,
 * still/, pan/, silent/), TMPDIR (scratch).
 */
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

#include "child.h"

#define T_LIMIT_MS 60000.0

static const char *prober, *origin, *tmpdir;

static json_t *check(child *c, const char *path, ...)
{
	char url[512];
	json_t *doc;
	va_list ap;

	snprintf(url, sizeof(url), "%s/%s", origin, path);
	va_start(ap, path);
	doc = child_check_v(c, prober, url, T_LIMIT_MS, ap);
	va_end(ap);
	if (!doc)
		fail_msg("%s: prober did not run or printed no JSON record",
			 path);
	return doc;
}


static json_t *rendition0(json_t *doc)
{
	json_t *o = json_array_get(json_object_get(doc, "origins"), 0);

	return json_array_get(json_object_get(o, "renditions"), 0);
}

/* path's check gives status and (when not pass) reason, stage validation
 * and a message holding each of the words. */
static void expect(const char *path, const char *status, const char *reason,
		   const char *word1, const char *word2, ...)
{
	child c;
	json_t *doc, *r;
	const char *extra[8];
	size_t n = 0;
	va_list ap;
	char where[600];

	va_start(ap, word2);
	for (const char *a; n < 7 && (a = va_arg(ap, const char *));)
		extra[n++] = a;
	va_end(ap);
	extra[n] = NULL;
	doc = check(&c, path, "--timeout", "15", extra[0], extra[1], extra[2],
		    extra[3], NULL);
	r = rendition0(doc);
	snprintf(where, sizeof(where), "%s: %s %s: %s", path,
		 child_str(r, "status"), child_str(r, "reason"), child_str(r, "message"));
	if (strcmp(child_str(r, "status"), status) != 0 ||
	    (reason && strcmp(child_str(r, "reason"), reason) != 0) ||
	    (reason && strcmp(child_str(r, "stage"), "validation") != 0)) {
		child_dump(&c, path, 6000, 2000);
		fail_msg("want %s %s, got %s", status, reason ? reason : "",
			 where);
	}
	if ((word1 && !strstr(child_str(r, "message"), word1)) ||
	    (word2 && !strstr(child_str(r, "message"), word2)))
		fail_msg("message lacks '%s'/'%s': %s", word1, word2, where);
	/* The measures are in the record either way (unless turned off). */
	if (!(extra[0] && strcmp(extra[0], "--no-content") == 0) &&
	    !json_is_object(json_object_get(r, "content")))
		fail_msg("no content object: %s", where);
	child_free(&c);
}

static void test_vod(void **state)
{
	(void)state;
	expect("moving/index.m3u8", "pass", NULL, NULL, NULL, NULL);
	expect("pan/index.m3u8", "pass", NULL, NULL, NULL, NULL);
	expect("black/index.m3u8", "warn", "black_video", "black for",
	       "warns from 2.0 s", NULL);
	expect("still/index.m3u8", "warn", "frozen_video", "unchanged for",
	       "warns from 2.0 s", NULL);
	expect("silent/index.m3u8", "warn", "silent_audio", "below -60 dBFS",
	       "warns from 2.0 s", NULL);
	/* Decoded whole, the verdicts stay. */
	expect("pan/index.m3u8", "pass", NULL, NULL, NULL, "--decode", "all",
	       NULL);
	expect("still/index.m3u8", "warn", "frozen_video", NULL, NULL,
	       "--decode", "all", NULL);
}

static void test_thresholds(void **state)
{
	(void)state;
	/* A 4 s segment cannot show 5 s of silence or of one picture. */
	expect("silent/index.m3u8", "pass", NULL, NULL, NULL, "--silence-min",
	       "5", NULL);
	expect("still/index.m3u8", "pass", NULL, NULL, NULL, "--frozen-min",
	       "5", NULL);
	expect("black/index.m3u8", "pass", NULL, NULL, NULL, "--no-content",
	       NULL);
}

static void test_live(void **state)
{
	(void)state;
	expect("live/moving/index.m3u8", "pass", NULL, NULL, NULL, NULL);
	expect("live/pan/index.m3u8", "pass", NULL, NULL, NULL, NULL);
	expect("live/black/index.m3u8", "warn", "black_video", "black for",
	       NULL, NULL);
	expect("live/still/index.m3u8", "warn", "frozen_video",
	       "unchanged for", NULL, NULL);
	expect("live/silent/index.m3u8", "warn", "silent_audio",
	       "below -60 dBFS", NULL, NULL);
}

/* A MUST broken warns spec_violation with the clause; the healthy twin
 * has an empty conformance list. */
static void test_spec_violation(void **state)
{
	child c;
	json_t *doc, *r;

	(void)state;
	doc = check(&c, "spec/index.m3u8", NULL);
	r = rendition0(doc);
	assert_string_equal(child_str(r, "status"), "warn");
	assert_string_equal(child_str(r, "reason"), "spec_violation");
	assert_string_equal(child_str(r, "stage"), "playlist");
	if (!strstr(child_str(r, "message"), "RFC 8216 4.3.3.1") ||
	    !strstr(child_str(r, "message"), "TARGETDURATION 3"))
		fail_msg("message: %s", child_str(r, "message"));
	assert_int_equal(json_array_size(json_object_get(r, "conformance")),
			 1);
	child_free(&c);
	doc = check(&c, "moving/index.m3u8", NULL);
	r = rendition0(doc);
	assert_int_equal(json_array_size(json_object_get(r, "conformance")),
			 0);
	child_free(&c);
}

static void test_thumbnails(void **state)
{
	child c;
	json_t *doc, *r;
	char dir[512], want[700];
	struct stat st;
	unsigned char head[2] = { 0 };
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/thumbs", tmpdir);
	mkdir(dir, 0755);
	doc = check(&c, "moving/index.m3u8", "--name", "news", "--thumbnails",
		    dir, NULL);
	r = rendition0(doc);
	snprintf(want, sizeof(want), "%s/news--", dir);
	if (strncmp(child_str(r, "thumbnail"), want, strlen(want)) != 0 ||
	    !strstr(child_str(r, "thumbnail"), "--0-") ||
	    !strstr(child_str(r, "thumbnail"), ".jpg"))
		fail_msg("thumbnail: '%s'", child_str(r, "thumbnail"));
	assert_int_equal(stat(child_str(r, "thumbnail"), &st), 0);
	f = fopen(child_str(r, "thumbnail"), "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(head[0], 0xff);
	assert_int_equal(head[1], 0xd8);
	assert_string_equal(child_str(r, "status"), "pass");
	child_free(&c);
	/* A folder that is not there: no file, a note, still a pass. */
	snprintf(dir, sizeof(dir), "%s/none/x", tmpdir);
	doc = check(&c, "moving/index.m3u8", "--thumbnails", dir, NULL);
	r = rendition0(doc);
	assert_string_equal(child_str(r, "status"), "pass");
	assert_true(json_is_null(json_object_get(r, "thumbnail")));
	child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vod),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_thumbnails),
		cmocka_unit_test(test_spec_violation),
	};

	prober = getenv("PROBER");
	origin = getenv("ORIGIN");
	tmpdir = getenv("TMPDIR");
	if (!prober || !origin || !tmpdir) {
		fprintf(stderr, "PROBER, ORIGIN and TMPDIR must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
