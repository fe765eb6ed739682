/*
 * test_segments_integration.c - which segments a check touches, against a
 * real origin (tests/integration/segments.sh): the VOD sample and its
 * record, a partial replication (last segment 404; middle of one rendition
 * 404), --segments all, `prober run` rotating the sample, the live start
 * segment missing, a live origin deleting segments as they leave the
 * window, and the healthy cases staying pass.
 *
 * Byte ranges through the fault origin: DASH on-demand (SegmentBase) and
 * HLS EXT-X-BYTERANGE, healthy, and cut short with and without the size
 * in Content-Range (nosize).
 *
 * Environment: PROBER (the binary), ORIGIN (http://127.0.0.1:PORT, a
 * fault_origin serving hls/, hls-lastgone/, hls-midgone/, dash/,
 * dash-midgone/, od/, hls-br/), TMPDIR (a scratch folder for `prober run`,
 * holding those in www/).
 */
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

#include "child.h"

/* The sniff limit (lib/limits.h VSP_SNIFF_MAX_BYTES). */
#define SNIFF_MAX  65536
#define T_LIMIT_MS 60000.0

static const char *prober, *origin, *tmpdir;

/* Runs PROBER with args (NULL-terminated after the URL), returns the
 * parsed --json record (owned by c). */
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


static json_t *origin0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "origins"), 0);
}

static json_t *rendition(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(origin0(doc), "renditions"), i);
}

static size_t n_renditions(json_t *doc)
{
	return json_array_size(json_object_get(origin0(doc), "renditions"));
}

/* "0:first,3:middle,5:last" of a rendition's segments. */
static void seg_summary(json_t *r, char *buf, size_t len)
{
	json_t *segs = json_object_get(r, "segments"), *s;
	size_t i, k = 0;

	buf[0] = '\0';
	json_array_foreach(segs, i, s)
	{
		int w = snprintf(buf + k, len - k, "%s%lld:%s", i ? "," : "",
				 (long long)json_integer_value(
					 json_object_get(s, "index")),
				 child_str(s, "role"));

		if (w < 0 || (size_t)w >= len - k)
			break;
		k += (size_t)w;
	}
}

/* Every segment entry passes, with the step keys the schema promises, and
 * sniffs read at most the limit. */
static void check_entries(json_t *r, int live)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r, "segments"), i, s)
	{
		const char *action = child_str(s, "action");

		if (strcmp(child_str(s, "status"), "pass") != 0)
			fail_msg("segment %zu: status %s", i, child_str(s, "status"));
		assert_non_null(json_object_get(s, "url"));
		assert_true(json_is_integer(json_object_get(s, "http_status")));
		assert_true(json_is_number(json_object_get(s, "total_ms")));
		assert_true(json_is_number(json_object_get(s, "ttfb_ms")));
		if (strcmp(action, "decoded") == 0) {
			json_t *d = json_object_get(s, "decode");

			assert_true(json_is_object(d));
			assert_true(json_integer_value(
					    json_object_get(d, "packets")) > 0);
		} else if (strcmp(action, "sniffed") == 0) {
			assert_true(json_integer_value(
					    json_object_get(s, "bytes")) > 0);
			assert_true(json_integer_value(json_object_get(
					    s, "bytes")) <= SNIFF_MAX);
			assert_non_null(json_string_value(
				json_object_get(s, "container")));
		} else if (!live) {
			fail_msg("segment %zu: action %s", i, action);
		}
	}
}

static void test_hls_healthy(void **state)
{
	child c;
	json_t *doc;
	char sum[256];
	int over_limit = 0;

	(void)state;
	doc = check(&c, "hls/master.m3u8", NULL);
	assert_string_equal(child_str(doc, "status"), "pass");
	assert_int_equal(c.exit_status, 0);
	assert_int_equal(n_renditions(doc), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *r = rendition(doc, i), *s;
		size_t k;

		seg_summary(r, sum, sizeof(sum));
		assert_string_equal(sum, "0:first,3:middle,5:last");
		check_entries(r, 0);
		assert_int_equal(json_integer_value(
					 json_object_get(r, "segments_listed")),
				 6);
		/* schema 1: the `segment` step is still the first segment */
		assert_true(json_is_object(json_object_get(r, "segment")));
		json_array_foreach(json_object_get(r, "segments"), k, s)
			over_limit |=
			json_integer_value(json_object_get(s, "bytes")) ==
			SNIFF_MAX;
	}
	/* v0's segments are over the limit and the origin ignores Range:
	 * reading stopped at it. */
	assert_true(over_limit);
	child_free(&c);
	/* The table shows the coverage. */
	{
		const char *argv[] = { prober, "check", NULL, NULL };
		char url[512];

		snprintf(url, sizeof(url), "%s/hls/master.m3u8", origin);
		argv[2] = url;
		assert_int_equal(
			child_run(&c, prober, (char *const *)argv, T_LIMIT_MS),
			0);
		if (!strstr(c.out, "SEGS") || !strstr(c.out, " 3/3 "))
			fail_msg("no SEGS 3/3 column:\n%s", c.out);
		child_free(&c);
	}
}

static void test_hls_last_gone(void **state)
{
	child c;
	json_t *doc, *r;
	const char *msg;

	(void)state;
	doc = check(&c, "hls-lastgone/master.m3u8", NULL);
	assert_string_equal(child_str(doc, "status"), "fail");
	assert_int_equal(c.exit_status, 2);
	for (size_t i = 0; i < 2; i++) {
		r = rendition(doc, i);
		assert_string_equal(child_str(r, "status"), "fail");
		assert_string_equal(child_str(r, "stage"), "segment");
		assert_string_equal(child_str(r, "reason"), "http_status");
		msg = child_str(r, "message");
		if (!strstr(msg, "segment 5 (last") ||
		    !strstr(msg, "seg005.ts") || !strstr(msg, "404"))
			fail_msg("message does not name the segment: %s", msg);
	}
	child_free(&c);
}

static void test_hls_middle_gone_one_rendition(void **state)
{
	child c;
	json_t *doc, *bad = NULL, *good = NULL;

	(void)state;
	doc = check(&c, "hls-midgone/master.m3u8", NULL);
	/* One of two renditions fails: the origin warns. */
	assert_string_equal(child_str(origin0(doc), "status"), "warn");
	for (size_t i = 0; i < 2; i++) {
		json_t *r = rendition(doc, i);

		if (strcmp(child_str(r, "status"), "fail") == 0)
			bad = r;
		else
			good = r;
	}
	assert_non_null(bad);
	assert_non_null(good);
	assert_string_equal(child_str(good, "status"), "pass");
	assert_string_equal(child_str(bad, "name"), "160x90");
	assert_string_equal(child_str(bad, "reason"), "http_status");
	assert_string_equal(child_str(bad, "stage"), "segment");
	if (!strstr(child_str(bad, "message"), "segment 3 (middle") ||
	    !strstr(child_str(bad, "message"), "v1/seg003.ts"))
		fail_msg("message: %s", child_str(bad, "message"));
	child_free(&c);
}

static void test_dash_sample(void **state)
{
	child c;
	json_t *doc, *r1;
	char sum[256];

	(void)state;
	doc = check(&c, "dash/manifest.mpd", NULL);
	assert_string_equal(child_str(doc, "status"), "pass");
	for (size_t i = 0; i < n_renditions(doc); i++) {
		seg_summary(rendition(doc, i), sum, sizeof(sum));
		/* $Number$ starts at 1 */
		assert_string_equal(sum, "1:first,4:middle,6:last");
		check_entries(rendition(doc, i), 0);
	}
	child_free(&c);
	doc = check(&c, "dash-midgone/manifest.mpd", NULL);
	assert_string_equal(child_str(origin0(doc), "status"), "warn");
	r1 = rendition(doc, 1);
	assert_string_equal(child_str(r1, "status"), "fail");
	assert_string_equal(child_str(r1, "reason"), "http_status");
	if (!strstr(child_str(r1, "message"), "middle") ||
	    !strstr(child_str(r1, "message"), "seg-1-004.m4s"))
		fail_msg("message: %s", child_str(r1, "message"));
	assert_string_equal(child_str(rendition(doc, 0), "status"), "pass");
	child_free(&c);
}

static void test_segments_all(void **state)
{
	child c;
	json_t *doc;
	char sum[256];

	(void)state;
	doc = check(&c, "hls/master.m3u8", "--segments", "all", NULL);
	assert_string_equal(child_str(doc, "status"), "pass");
	for (size_t i = 0; i < 2; i++) {
		seg_summary(rendition(doc, i), sum, sizeof(sum));
		assert_string_equal(
			sum, "0:first,1:sample,2:sample,3:sample,4:sample,"
			     "5:last");
		check_entries(rendition(doc, i), 0);
	}
	child_free(&c);
	/* all also finds what the default sample misses, and 2 is first and
	 * last only. */
	doc = check(&c, "hls/master.m3u8", "--segments", "2", NULL);
	seg_summary(rendition(doc, 0), sum, sizeof(sum));
	assert_string_equal(sum, "0:first,5:last");
	child_free(&c);
}

/* The middle index of the newest record line in dir (one day file). */
static long long last_middle(const char *dir)
{
	static char line[1 << 20], cur[1 << 20];
	char cmd[1024];
	FILE *f;
	json_t *doc, *s;
	long long mid = -1;
	size_t i;

	snprintf(cmd, sizeof(cmd), "cat %s/*.jsonl", dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	line[0] = '\0';
	while (fgets(cur, sizeof(cur), f))
		memcpy(line, cur, strlen(cur) + 1);
	pclose(f);
	doc = json_loads(line, 0, NULL);
	assert_non_null(doc);
	json_array_foreach(json_object_get(rendition(doc, 0), "segments"), i,
			   s) if (strcmp(child_str(s, "role"), "middle") == 0) mid =
		json_integer_value(json_object_get(s, "index"));
	json_decref(doc);
	return mid;
}

static void test_run_rotates(void **state)
{
	char probes[512], results[512], file[600], seen[6] = { 0 };
	FILE *f;
	child c;
	int distinct = 0;

	(void)state;
	snprintf(probes, sizeof(probes), "%s/probes", tmpdir);
	snprintf(results, sizeof(results), "%s/results", tmpdir);
	assert_true(mkdir(probes, 0755) == 0 || errno == EEXIST);
	assert_true(mkdir(results, 0755) == 0 || errno == EEXIST);
	snprintf(file, sizeof(file), "%s/vod.json", probes);
	f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f,
		"{\"name\": \"vod\", \"origins\": [{\"name\": \"a\", "
		"\"url\": \"%s/hls/v1/index.m3u8\"}], \"interval_s\": 60}\n",
		origin);
	fclose(f);
	for (int k = 0; k < 4; k++) {
		const char *argv[] = { prober,	    "run",   "--probes", probes,
				       "--results", results, "--force",	 NULL };
		long long mid;

		assert_int_equal(
			child_run(&c, prober, (char *const *)argv, T_LIMIT_MS),
			0);
		if (c.exit_status != 0) {
			child_dump(&c, "run", 4000, 4000);
			fail_msg("prober run exited %d", c.exit_status);
		}
		child_free(&c);
		mid = last_middle(results);
		assert_true(mid >= 1 && mid <= 4);
		if (!seen[mid])
			distinct++;
		seen[mid] = 1;
	}
	/* Four runs over the four inner positions: all of them. */
	assert_int_equal(distinct, 4);
}

static void test_live_healthy(void **state)
{
	child c;
	json_t *doc, *r;
	char sum[256];

	(void)state;
	doc = check(&c, "live/hls/v0/index.m3u8", "--timeout", "10", NULL);
	r = rendition(doc, 0);
	if (strcmp(child_str(doc, "status"), "pass") != 0)
		fail_msg("healthy live: %s: %s", child_str(doc, "status"),
			 child_str(doc, "message"));
	seg_summary(r, sum, sizeof(sum));
	/* newest, then the player's start two before it (a 3-segment window
	 * of 1 s segments, target duration 1), then the one that left */
	if (!strstr(sum, ":newest") || !strstr(sum, ":start"))
		fail_msg("live segments: %s", sum);
	check_entries(r, 1);
	child_free(&c);
}

static void test_live_start_missing(void **state)
{
	child c;
	json_t *doc, *r;

	(void)state;
	doc = check(&c, "live/nostart/hls/v0/index.m3u8", "--timeout", "10",
		    NULL);
	r = rendition(doc, 0);
	assert_string_equal(child_str(doc, "status"), "fail");
	assert_string_equal(child_str(r, "reason"), "http_status");
	if (!strstr(child_str(r, "message"), "start segment"))
		fail_msg("message: %s", child_str(r, "message"));
	child_free(&c);
}

static void test_live_removed_gone(void **state)
{
	child c;
	json_t *doc, *r;

	(void)state;
	doc = check(&c, "live/dropold/hls/v0/index.m3u8", "--timeout", "10",
		    NULL);
	r = rendition(doc, 0);
	assert_string_equal(child_str(doc, "status"), "warn");
	assert_int_equal(c.exit_status, 1);
	assert_string_equal(child_str(r, "reason"), "removed_segment_gone");
	assert_string_equal(child_str(r, "stage"), "live");
	if (!strstr(child_str(r, "message"), "seq="))
		fail_msg("message does not name the URL: %s",
			 child_str(r, "message"));
	child_free(&c);
}

/* The role of the entry for segment seq in r's segments, "" when none. */
static const char *role_of(json_t *r, long long seq)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r, "segments"), i, s)
	{
		if (json_integer_value(json_object_get(s, "index")) == seq)
			return child_str(s, "role");
	}
	return "";
}

/* EXT-X-START in the master names segment 2 (2.5 s): every rendition
 * decodes it besides the first, and the sample does not sniff it again. */
static void test_hls_start_vod(void **state)
{
	child c;
	json_t *doc;
	char sum[256];

	(void)state;
	doc = check(&c, "hls-start/master.m3u8", NULL);
	if (strcmp(child_str(doc, "status"), "pass") != 0)
		fail_msg("healthy EXT-X-START: %s: %s",
			 child_str(doc, "status"), child_str(doc, "message"));
	assert_int_equal(c.exit_status, 0);
	assert_int_equal(n_renditions(doc), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *r = rendition(doc, i);

		seg_summary(r, sum, sizeof(sum));
		assert_string_equal(sum, "0:first,2:start,3:middle,5:last");
		check_entries(r, 0);
	}
	child_free(&c);
}

/* The segment EXT-X-START names answers 404: every viewer starts there,
 * so the rendition fails (it passed while only 0, 3 and 5 were probed).
 * v0's own EXT-X-START names another missing segment (4), which the
 * master's overrides: v0 passes. */
static void test_hls_start_gone(void **state)
{
	child c;
	json_t *doc, *v0, *v1;
	const char *msg;

	(void)state;
	doc = check(&c, "hls-startgone/master.m3u8", NULL);
	assert_string_equal(child_str(origin0(doc), "status"), "warn");
	v0 = rendition(doc, 0);
	v1 = rendition(doc, 1);
	assert_string_equal(child_str(v0, "name"), "320x180");
	assert_string_equal(child_str(v0, "status"), "pass");
	assert_string_equal(child_str(v1, "status"), "fail");
	assert_string_equal(child_str(v1, "reason"), "http_status");
	assert_string_equal(child_str(v1, "stage"), "segment");
	assert_string_equal(role_of(v1, 2), "start");
	msg = child_str(v1, "message");
	if (!strstr(msg, "start segment 2") ||
	    !strstr(msg, "EXT-X-START TIME-OFFSET=2.500 of the master") ||
	    !strstr(msg, "seg002.ts") || !strstr(msg, "404"))
		fail_msg("message: %s", msg);
	child_free(&c);

	/* The media playlist alone: its own EXT-X-START (-1.5 s: 4.5 s of
	 * 6), segment 4, is missing. */
	doc = check(&c, "hls-startgone/v0/index.m3u8", NULL);
	assert_string_equal(child_str(doc, "status"), "fail");
	assert_int_equal(c.exit_status, 2);
	v0 = rendition(doc, 0);
	assert_string_equal(child_str(v0, "reason"), "http_status");
	msg = child_str(v0, "message");
	if (!strstr(msg, "start segment 4") ||
	    !strstr(msg, "of the media playlist") || !strstr(msg, "404"))
		fail_msg("message: %s", msg);
	child_free(&c);
}

/* Live: players join where EXT-X-START says (-1.5 s: the newest but one),
 * not three target durations back, which this origin (nostart) answers
 * with 404 (a fail without the tag: test_live_start_missing): the start
 * is decoded one before the newest and plays. The same origin also drops a
 * segment as it leaves the window: a reload that sees it is a warn. */
static void test_live_start_tag(void **state)
{
	child c;
	json_t *doc, *r, *s;
	long long newest = -1;
	size_t i;

	(void)state;
	doc = check(&c, "live/nostart/hls-start/v0/index.m3u8", "--timeout",
		    "10", NULL);
	r = rendition(doc, 0);
	if (strcmp(child_str(doc, "status"), "pass") != 0 &&
	    (strcmp(child_str(doc, "status"), "warn") != 0 ||
	     strcmp(child_str(r, "reason"), "removed_segment_gone") != 0))
		fail_msg("live EXT-X-START: %s: %s", child_str(doc, "status"),
			 child_str(doc, "message"));
	json_array_foreach(json_object_get(r, "segments"), i, s)
	{
		if (strcmp(child_str(s, "role"), "newest") == 0)
			newest = json_integer_value(json_object_get(s, "index"));
		if (strcmp(child_str(s, "role"), "start") == 0) {
			assert_string_equal(child_str(s, "status"), "pass");
			assert_string_equal(child_str(s, "action"), "decoded");
		}
	}
	assert_true(newest > 0);
	assert_string_equal(role_of(r, newest - 1), "start");
	child_free(&c);
}

/* Every entry of every rendition a 206 that passed: the check used byte
 * ranges and each was answered. */
static void all_ranged_pass(json_t *doc, size_t want_renditions)
{
	json_t *s;
	size_t i;

	assert_string_equal(child_str(doc, "status"), "pass");
	assert_int_equal(n_renditions(doc), want_renditions);
	for (size_t k = 0; k < want_renditions; k++) {
		json_t *r = rendition(doc, k);

		assert_int_equal(json_array_size(json_object_get(r, "segments")),
				 3);
		json_array_foreach(json_object_get(r, "segments"), i, s)
			assert_int_equal(json_integer_value(json_object_get(
						 s, "http_status")),
					 206);
		check_entries(r, 0);
	}
}

/* The rendition's verdict: fail at the segment step, http_status, a
 * message naming the sampled position and file, and the 416. */
static void fails_416(json_t *r, const char *where, const char *file)
{
	const char *msg = child_str(r, "message");

	assert_string_equal(child_str(r, "status"), "fail");
	assert_string_equal(child_str(r, "stage"), "segment");
	assert_string_equal(child_str(r, "reason"), "http_status");
	if (!strstr(msg, where) || !strstr(msg, file) ||
	    !strstr(msg, "HTTP 416"))
		fail_msg("message does not name %s of %s and the 416: %s",
			 where, file, msg);
}

/* The first byte of the video's last subsegment: the last SegmentURL
 * mediaRange of the first SegmentList in ffmpeg's own MPD of od/. */
static long od_last_range(long *end)
{
	char path[4096], line[1024];
	long start = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/www/od/ffmpeg.mpd", tmpdir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	while (fgets(line, sizeof(line), f) &&
	       !strstr(line, "</SegmentList>")) {
		const char *m = strstr(line, "mediaRange=\"");

		if (m) {
			char *dash;

			start = strtol(m + 12, &dash, 10);
			*end = *dash == '-' ? strtol(dash + 1, NULL, 10) : -1;
		}
	}
	fclose(f);
	if (start <= 0 || *end <= start)
		fail_msg("%s lists no SegmentURL with a mediaRange", path);
	return start;
}

static long od_last_start(void)
{
	long end;

	return od_last_range(&end);
}

/* A server that hides the size (nosize) serves on-demand DASH as well as
 * one that states it. */
static void test_ondemand_healthy(void **state)
{
	const char *paths[] = { "od/manifest.mpd", "nosize/od/manifest.mpd" };
	child c;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		json_t *doc = check(&c, paths[i], NULL);

		all_ranged_pass(doc, 2);
		assert_int_equal(c.exit_status, 0);
		child_free(&c);
	}
}

/* Half of each file: with the size stated, the index already says the
 * file is short; hidden (nosize), the sample's ranged GET past the end
 * gets 416: the middle subsegment (4 of 6) starts past the half. */
static void test_ondemand_half(void **state)
{
	child c;
	json_t *doc, *r;

	(void)state;
	doc = check(&c, "half@seg/od/manifest.mpd", NULL);
	assert_string_equal(child_str(doc, "status"), "fail");
	r = rendition(doc, 0);
	assert_string_equal(child_str(r, "reason"), "segment_missing");
	assert_string_equal(child_str(r, "stage"), "playlist");
	if (!strstr(child_str(r, "message"), "(Content-Range)"))
		fail_msg("message: %s", child_str(r, "message"));
	child_free(&c);

	doc = check(&c, "nosize/half@seg/od/manifest.mpd", NULL);
	assert_string_equal(child_str(doc, "status"), "fail");
	assert_int_equal(c.exit_status, 2);
	for (size_t i = 0; i < 2; i++)
		fails_416(rendition(doc, i), "(middle, 4 of",
			  i ? "ffmpeg-stream1.mp4" : "ffmpeg-stream0.mp4");
	child_free(&c);
}

/* The video file cut where its last subsegment starts, the size hidden:
 * the first and middle subsegments play, the last one's GET gets 416. The
 * audio file is shorter than the cut, whole, and passes. */
static void test_ondemand_last_cut(void **state)
{
	char path[128];
	child c;
	json_t *doc, *r;

	(void)state;
	snprintf(path, sizeof(path), "nosize/truncate@seg/%ld/od/manifest.mpd",
		 od_last_start());
	doc = check(&c, path, NULL);
	assert_string_not_equal(child_str(doc, "status"), "pass");
	r = rendition(doc, 0);
	fails_416(r, "segment 6 (last, 6 of 6)", "ffmpeg-stream0.mp4");
	assert_string_equal(child_str(json_array_get(json_object_get(r, "segments"),
						     1),
				      "status"),
			    "pass");
	assert_string_equal(child_str(rendition(doc, 1), "status"), "pass");
	child_free(&c);
}

/* The file ends inside its last subsegment, from an origin that hides
 * the size: the ranged GET of that subsegment gets a 206 of fewer bytes
 * than the index names (a server shortens a range past the end, RFC 9110
 * 14.1.2). A player gets a cut subsegment: fail, never pass. */
static void test_ondemand_short_range(void **state)
{
	char path[128];
	long end, start = od_last_range(&end);
	child c;
	json_t *doc, *r;
	const char *msg;

	(void)state;
	snprintf(path, sizeof(path), "nosize/truncate@seg/%ld/od/manifest.mpd",
		 start + (end - start) / 2);
	doc = check(&c, path, NULL);
	assert_string_not_equal(child_str(doc, "status"), "pass");
	assert_int_not_equal(c.exit_status, 0);
	r = rendition(doc, 0);
	msg = child_str(r, "message");
	assert_string_equal(child_str(r, "status"), "fail");
	if (!strstr(msg, "segment 6 (last, 6 of 6)") ||
	    !strstr(msg, "the resource ends inside the range"))
		fail_msg("message does not name the cut last subsegment: %s",
			 msg);
	child_free(&c);
}

/* HLS byte ranges through the fault origin as through nginx: healthy, a
 * pass of 206s; half the file, the middle segment's range gets 416,
 * whether or not the origin states the size (HLS has no index to check
 * it against). */
static void test_hls_byterange(void **state)
{
	const char *cut[] = { "half@seg/hls-br/index.m3u8",
			      "nosize/half@seg/hls-br/index.m3u8" };
	child c;
	json_t *doc;

	(void)state;
	doc = check(&c, "hls-br/index.m3u8", NULL);
	all_ranged_pass(doc, 1);
	child_free(&c);
	for (size_t i = 0; i < 2; i++) {
		doc = check(&c, cut[i], NULL);
		assert_string_equal(child_str(doc, "status"), "fail");
		assert_int_equal(c.exit_status, 2);
		fails_416(rendition(doc, 0), "segment 3 (middle", "index.ts");
		child_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hls_healthy),
		cmocka_unit_test(test_hls_last_gone),
		cmocka_unit_test(test_hls_middle_gone_one_rendition),
		cmocka_unit_test(test_dash_sample),
		cmocka_unit_test(test_segments_all),
		cmocka_unit_test(test_run_rotates),
		cmocka_unit_test(test_live_healthy),
		cmocka_unit_test(test_live_start_missing),
		cmocka_unit_test(test_live_removed_gone),
		cmocka_unit_test(test_hls_start_vod),
		cmocka_unit_test(test_hls_start_gone),
		cmocka_unit_test(test_live_start_tag),
		cmocka_unit_test(test_ondemand_healthy),
		cmocka_unit_test(test_ondemand_half),
		cmocka_unit_test(test_ondemand_last_cut),
		cmocka_unit_test(test_ondemand_short_range),
		cmocka_unit_test(test_hls_byterange),
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
