/*
 * test_origins.c - every origin of a stream serves the same stream: prober
 * given two URLs of one stream, from two fault origins ("two CDNs"), warns
 * origin_mismatch when they serve another ladder, duration, type or
 * protocol, and stays pass when they serve the same stream, however the
 * master orders it.
 *
 * Started by tests/integration/origins.sh with PROBER (the binary), ORIGIN
 * and ORIGIN2 (http://127.0.0.1:PORT of each fault origin, serving one
 * folder) and MEDIA (that folder: hls3/, hls2/, hls2long/, dash2/, od/,
 * od2s/; see the script). Each row runs `prober check --json URL URL` as a child (child.h)
 * and asserts what a script relies on: exit status, the stream's status
 * and reason, the record's "mismatches" (fields, origin, reference,
 * message), and each origin's "ladder", "vod_duration_s" and
 * "segment_count" against what MEDIA holds.
 */
#include <dirent.h>
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

#define TIMEOUT_S "10"
/* Past the timeout plus this, the child is killed: it hangs. */
#define KILL_AFTER_MS 30000.0

static const char *prober, *origin_a, *origin_b, *media;

/* What a row expects of each origin's VOD facts. */
enum vod {
	V_SKIP = 0,
	V_HLS3,
	V_HLS2,
	V_HLS2LONG,
	V_DASH2,
	V_NULL,
	V_OD,
	V_OD2S
};

struct ocase {
	const char *name;
	const char *opt, *optval; /* one extra option, or NULL */
	/* "{A}" / "{B}": the two origins */
	const char *url1, *url2;
	const char *status, *reason; /* the stream's; reason NULL: null */
	const char *fields; /* mismatch fields in order, "," separated */
	const char *says;   /* in the stream message, or NULL */
	int ladder1, ladder2; /* declared ladder sizes; -1: null */
	enum vod vod1, vod2;
	int runs; /* repeated: a healthy stream passes every time */
};

static const struct ocase cases[] = {
	/* the same stream: never a false alarm */
	{ "same_hls_two_cdns", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/hls3/master.m3u8", "pass", NULL, "", NULL, 3, 3, V_HLS3,
	  V_HLS3, 3 },
	{ "same_hls_master_reordered", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/hls3/master-rev.m3u8", "pass", NULL, "", NULL, 3, 3, V_HLS3,
	  V_HLS3, 1 },
	{ "same_hls_bandwidth_rounded", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/hls3/master-bw110.m3u8", "pass", NULL, "", NULL, 3, 3, V_HLS3,
	  V_HLS3, 1 },
	{ "same_dash_two_cdns", NULL, NULL, "{A}/dash2/manifest.mpd",
	  "{B}/dash2/manifest.mpd", "pass", NULL, "", NULL, 2, 2, V_DASH2,
	  V_DASH2, 2 },
	/* on-demand (SegmentBase): the sidx is the segment list */
	{ "same_dash_ondemand_two_cdns", NULL, NULL, "{A}/od/manifest.mpd",
	  "{B}/od/manifest.mpd", "pass", NULL, "", NULL, 2, 2, V_OD, V_OD, 2 },
	{ "same_hls_lowest", "--renditions", "lowest", "{A}/hls3/master.m3u8",
	  "{B}/hls3/master-rev.m3u8", "pass", NULL, "", NULL, 3, 3, V_SKIP,
	  V_SKIP, 1 },

	/* another stream */
	{ "ladder_2_beside_3", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/hls2/master.m3u8", "warn", "origin_mismatch", "ladder",
	  "ladder has 2 renditions, origin 127.0.0.1:{PA} has 3 (missing "
	  "256x144",
	  3, 2, V_HLS3, V_HLS2, 1 },
	{ "ladder_2_beside_3_lowest", "--renditions", "lowest",
	  "{A}/hls3/master.m3u8", "{B}/hls2/master.m3u8", "warn",
	  "origin_mismatch", "ladder", "(missing 256x144", 3, 2, V_SKIP,
	  V_SKIP, 1 },
	{ "bandwidth_doubled", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/hls3/master-bw200.m3u8", "warn", "origin_mismatch", "ladder",
	  "(over the 25 % tolerance)", 3, 3, V_HLS3, V_HLS3, 1 },
	{ "vod_4s_beside_8s", NULL, NULL, "{A}/hls2/master.m3u8",
	  "{B}/hls2long/master.m3u8", "warn", "origin_mismatch",
	  "vod_duration,segment_count", "VOD duration 8.0 s, origin", 2, 2,
	  V_HLS2, V_HLS2LONG, 1 },
	{ "ondemand_other_fragmentation", NULL, NULL, "{A}/od/manifest.mpd",
	  "{B}/od2s/manifest.mpd", "warn", "origin_mismatch", "segment_count",
	  "segments, origin 127.0.0.1:{PA} ", 2, 2, V_OD, V_OD2S, 1 },
	{ "live_beside_vod", NULL, NULL, "{A}/hls2/master.m3u8",
	  "{B}/live/hls2/master.m3u8", "warn", "origin_mismatch", "type",
	  "is live, origin 127.0.0.1:{PA} VOD", 2, 2, V_HLS2, V_NULL, 1 },
	{ "hls_beside_dash", NULL, NULL, "{A}/hls2/master.m3u8",
	  "{B}/dash2/manifest.mpd", "warn", "origin_mismatch", "protocol",
	  "is dash, origin 127.0.0.1:{PA} hls", 2, 2, V_HLS2, V_DASH2, 1 },

	/* a dead origin is redundancy_lost, and takes no part */
	{ "dead_origin_takes_no_part", NULL, NULL, "{A}/hls3/master.m3u8",
	  "{B}/status/404/hls2/master.m3u8", "warn", "redundancy_lost", "",
	  NULL, 3, -1, V_HLS3, V_NULL, 1 },
};

/* Replaces {A}, {B} and {PA} (origin a's port) in t; caller frees. */
static char *expand(const char *t)
{
	const char *pa = strrchr(origin_a, ':') + 1;
	size_t cap = strlen(t) * 4 + strlen(origin_a) * 4 + 64;
	char *out = malloc(cap), *o = out;

	assert_non_null(out);
	while (*t) {
		const char *v = NULL;
		size_t k = 0;

		if (strncmp(t, "{A}", 3) == 0)
			v = origin_a, k = 3;
		else if (strncmp(t, "{B}", 3) == 0)
			v = origin_b, k = 3;
		else if (strncmp(t, "{PA}", 4) == 0)
			v = pa, k = 4;
		if (v) {
			o += sprintf(o, "%s", v);
			t += k;
		} else {
			*o++ = *t++;
		}
	}
	*o = '\0';
	return out;
}

/* Duration and segments of a media playlist in MEDIA, as ffmpeg wrote
 * them: the record must say what the origin serves, not what we assume. */
static void playlist_extent(const char *rel, double *dur, long *segs)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", media, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	*dur = 0;
	*segs = 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "#EXTINF:", 8) == 0) {
			*dur += strtod(line + 8, NULL);
			(*segs)++;
		}
	fclose(f);
}

/* Media segments of DASH Representation 0 in MEDIA/dash2. */
static long dash_segments(void)
{
	char path[4096];
	struct dirent *e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/dash2", media);
	d = opendir(path);
	if (!d)
		fail_msg("cannot list %s", path);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, "chunk-stream0-", 14) == 0;
	closedir(d);
	return n;
}

/* The most subsegments a Representation of MEDIA/DIR has (the origin's
 * segment_count is its longest rendition's): ffmpeg's own MPD there,
 * ffmpeg.mpd, lists them as SegmentURLs, one SegmentList a
 * Representation. */
static long od_segments(const char *dir)
{
	char path[4096], line[1024];
	long n = 0, most = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/ffmpeg.mpd", media, dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "<SegmentList"))
			n = 0;
		if (strstr(line, "<SegmentURL"))
			n++;
		if (n > most)
			most = n;
	}
	fclose(f);
	return most;
}

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

static void check_vod(json_t *o, size_t i, enum vod want)
{
	json_t *d = json_object_get(o, "vod_duration_s");
	json_t *n = json_object_get(o, "segment_count");
	double dur = 0;
	long segs = 0;

	switch (want) {
	case V_SKIP:
		return;
	case V_NULL:
		if (!json_is_null(d) || !json_is_null(n))
			failf("origin %zu: VOD facts on a live or dead origin",
			      i);
		return;
	case V_HLS3:
		playlist_extent("hls3/v0/index.m3u8", &dur, &segs);
		break;
	case V_HLS2:
		playlist_extent("hls2/v0/index.m3u8", &dur, &segs);
		break;
	case V_HLS2LONG:
		playlist_extent("hls2long/v0/index.m3u8", &dur, &segs);
		break;
	case V_DASH2:
		/* The MPD's mediaPresentationDuration is the source's 4 s
		 * (ffmpeg -t 4); its segments are the files it wrote. */
		dur = 4.0;
		segs = dash_segments();
		break;
	case V_OD:
	case V_OD2S:
		dur = 6.0;
		segs = od_segments(want == V_OD ? "od" : "od2s");
		break;
	}
	if (!json_is_number(d) || json_number_value(d) < dur - 0.05 ||
	    json_number_value(d) > dur + 0.05)
		failf("origin %zu: vod_duration_s %g, want %g", i,
		      json_number_value(d), dur);
	if (json_integer_value(n) != segs)
		failf("origin %zu: segment_count %lld, want %ld", i,
		      (long long)json_integer_value(n), segs);
}

static void check_record(const struct ocase *c, json_t *doc)
{
	json_t *origins = json_object_get(doc, "origins");
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
	if (c->says) {
		char *want = expand(c->says);

		if (!msg || !strstr(msg, want))
			failf("stream message '%s' lacks '%s'",
			      msg ? msg : "", want);
		free(want);
	}
	if (!json_is_array(mm)) {
		failf("record has no \"mismatches\" array");
		return;
	}
	json_array_foreach(mm, i, m)
	{
		const char *f = json_string_value(json_object_get(m, "field"));
		const char *om = json_string_value(json_object_get(m, "message"));
		const char *on = json_string_value(json_object_get(m, "origin"));
		const char *rf =
			json_string_value(json_object_get(m, "reference"));

		k += (size_t)snprintf(fields + k, sizeof(fields) - k, "%s%s",
				      i ? "," : "", f ? f : "?");
		if (!om || !on || !rf || strcmp(on, rf) == 0 ||
		    !strstr(om, on) || !strstr(om, rf))
			failf("mismatch %zu does not name both origins", i);
	}
	if (strcmp(fields, c->fields) != 0)
		failf("mismatches '%s', want '%s'", fields, c->fields);
	for (i = 0; i < 2; i++) {
		json_t *o = json_array_get(origins, i);
		json_t *lad = json_object_get(o, "ladder");
		int want = i ? c->ladder2 : c->ladder1;

		if (want < 0 ? !json_is_null(lad)
			     : (int)json_array_size(lad) != want)
			failf("origin %zu: ladder of %zu, want %d", i,
			      json_array_size(lad), want);
		check_vod(o, i, i ? c->vod2 : c->vod1);
	}
}

static void run_case(void **state)
{
	const struct ocase *c = *state;
	char *u1 = expand(c->url1), *u2 = expand(c->url2);
	char *argv[10];
	int n = 0;

	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = TIMEOUT_S;
	if (c->opt) {
		argv[n++] = (char *)c->opt;
		argv[n++] = (char *)c->optval;
	}
	argv[n++] = u1;
	argv[n++] = u2;
	argv[n] = NULL;
	cur_name = c->name;
	n_failed = 0;
	for (int run = 0; run < c->runs && !n_failed; run++) {
		child r;
		int rc = child_run(&r, argv[0], argv, KILL_AFTER_MS);

		if (rc != 0)
			fail_msg("%s: cannot start %s: %s", c->name, argv[0],
				 strerror(rc));
		if (r.exit_status != child_status_exit(c->status))
			failf("run %d: exit status %d, want %d", run + 1,
			      r.exit_status, child_status_exit(c->status));
		if (!child_json(&r))
			failf("run %d: stdout is not a JSON record", run + 1);
		else
			check_record(c, r.doc);
		if (n_failed)
			child_dump(&r, c->name, 8000, 2000);
		else if (run == 0)
			printf("    %-28s %-4s %-16s %s\n", c->name,
			       json_string_value(
				       json_object_get(r.doc, "status")),
			       c->fields[0] ? c->fields : "-",
			       json_string_value(json_object_get(
				       r.doc, "message"))
				       ? json_string_value(json_object_get(
						 r.doc, "message"))
				       : "");
		child_free(&r);
	}
	free(u1);
	free(u2);
	if (n_failed)
		fail_msg("%s: %d expectation(s) not met", c->name, n_failed);
}

static const char *need_env(const char *name)
{
	return child_need_env("test_origins", name, "tests/integration/origins.sh");
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
	media = need_env("MEDIA");
	if (!strrchr(origin_a, ':')) {
		fprintf(stderr, "test_origins: ORIGIN %s has no port\n",
			origin_a);
		return 2;
	}
	n = child_rows(tests, cases, N, sizeof(cases[0]), run_case, only);
	return _cmocka_run_group_tests("origins", tests, n, NULL, NULL);
}
