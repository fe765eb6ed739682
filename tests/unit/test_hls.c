/*
 * test_hls.c - vsp_hls_parse(), vsp_hls_is_live(), vsp_hls_to_json().
 *
 * Offline: strings in this file and the playlist corpus in
 * tests/corpus/hls (relative to the repository root, where `make unit`
 * runs; VSP_CORPUS overrides). Every case frees what it parsed, so running
 * this under valgrind or ASan proves the error paths leak nothing.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hls.h"
#include "limits.h"
#include "manifest_json.h"

#define ERRLEN 512
#define BASE "http://cdn.example/live/index.m3u8?token=1"
#define DEFAULT_CORPUS "tests/corpus/hls"

static vsp_hls_playlist *parse_ok_base(const char *text, const char *base)
{
	vsp_hls_playlist *pl = NULL;
	char err[ERRLEN];
	int rc = vsp_hls_parse(text, strlen(text), base, &pl, err, sizeof(err));

	if (rc != 0)
		fail_msg("expected success, got %d: %s", rc, err);
	assert_non_null(pl);
	return pl;
}

static vsp_hls_playlist *parse_ok(const char *text)
{
	return parse_ok_base(text, BASE);
}

static void expect_error(const char *text, int want_rc, const char *want)
{
	vsp_hls_playlist *pl = (vsp_hls_playlist *)1;
	char err[ERRLEN];
	int rc = vsp_hls_parse(text, strlen(text), BASE, &pl, err, sizeof(err));

	if (rc != want_rc)
		fail_msg("rc %d (want %d) for:\n%s\nmessage: %s", rc, want_rc,
			 text, rc ? err : "");
	assert_null(pl);
	assert_string_equal(err, want);
}

/* ---- corpus ---- */

/*
 * What each malformed-* corpus file does here. Every other corpus file must
 * parse. "Parsed" files break the RFC in a way that is harmless or that the
 * RFC itself allows; the reason is in the comment.
 */
static const struct corpus_expect {
	const char *file;
	int rc;
	const char *err; /* exact message when rejected */
} malformed[] = {
	{ "malformed-empty-file.m3u8", -1,
	  "line 1: expected #EXTM3U, found the end of input" },
	{ "malformed-extinf-garbage-duration.m3u8", -1,
	  "line 9: EXTINF: duration ';asljasdfii11)))00' is not a number" },
	/* Only "#EXTM3U": an empty live media playlist. The probe reports
	 * segment_missing, which says more than a syntax error would. */
	{ "malformed-header-only.m3u8", 0, NULL },
	{ "malformed-llhls-byterange-empty-offset-unknown-hint.m3u8", -1,
	  "line 7: EXT-X-BYTERANGE: byte range offset '' is not a number" },
	{ "malformed-media-sequence-duplicate.m3u8", -1,
	  "line 4: EXT-X-MEDIA-SEQUENCE: appears twice (first on line 3)" },
	{ "malformed-media-sequence-negative.m3u8", -1,
	  "line 3: EXT-X-MEDIA-SEQUENCE: media sequence '-11' is negative" },
	{ "malformed-media-sequence-non-numeric.m3u8", -1,
	  "line 3: EXT-X-MEDIA-SEQUENCE: media sequence 'gobblegobble' is "
	  "not a number" },
	{ "malformed-missing-extinf.m3u8", -1,
	  "line 8: URI 'hls_450k_video.ts' has no EXTINF before it" },
	{ "malformed-missing-extm3u.m3u8", -1,
	  "line 1: expected #EXTM3U, found '#EXT-X-TARGETDUR'" },
	{ "malformed-missing-segment-durations.m3u8", -1,
	  "line 8: URI '/test/ts-files/tvy7/"
	  "56be1cef869a1c0cc8e38864ad1add17d187f051' has no EXTINF before it" },
	{ "malformed-multiple-targetdurations-no-extinf.m3u8", -1,
	  "line 2: URI '001.ts' has no EXTINF before it" },
	{ "malformed-no-extm3u-with-start-offset.m3u8", -1,
	  "line 1: expected #EXTM3U, found '#EXT-X-VERSION:3'" },
	/* EXT-X-ENDLIST "MAY occur anywhere in the Media Playlist"
	 * (RFC 8216 4.3.3.4): all five segments are kept. */
	{ "malformed-segments-after-endlist.m3u8", 0, NULL },
	{ "malformed-stream-inf-missing-bandwidth.m3u8", -1,
	  "line 3: EXT-X-STREAM-INF: missing BANDWIDTH" },
	{ "malformed-targetduration-nan.m3u8", -1,
	  "line 2: EXT-X-TARGETDURATION: target duration 'NaN' is not a "
	  "number" },
	{ "malformed-targetduration-negative.m3u8", -1,
	  "line 2: EXT-X-TARGETDURATION: target duration '-10' is negative" },
	/* video.js's fixture: segment 3 (another file) leaves the offset
	 * out after a segment of hls_450k_video.ts; RFC 8216 4.3.2.2 says
	 * the client MUST fail to parse (video.js reads it as 0). */
	{ "media-vod-byterange-implicit-offsets.m3u8", -1,
	  "line 12: EXT-X-BYTERANGE: no offset, and the previous segment is "
	  "not a sub-range of the same resource (RFC 8216 4.3.2.2)" },
};

static const char *corpus_dir(void)
{
	const char *d = getenv("VSP_CORPUS");

	return d && *d ? d : DEFAULT_CORPUS;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static const struct corpus_expect *expectation(const char *name)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		if (strcmp(malformed[i].file, name) == 0)
			return &malformed[i];
	return NULL;
}

static void test_corpus(void **state)
{
	char path[4096], err[ERRLEN];
	const char *dir = corpus_dir();
	size_t seen = 0, seen_malformed = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	if (!d)
		fail_msg("corpus %s not found (run from the repository root)",
			 dir);
	while ((de = readdir(d))) {
		const struct corpus_expect *ex;
		vsp_hls_playlist *pl = NULL;
		size_t len = 0, nlen = strlen(de->d_name);
		char *buf;
		int rc;

		if (nlen < 5 || strcmp(de->d_name + nlen - 5, ".m3u8") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = slurp(path, &len);
		if (!buf)
			fail_msg("cannot read %s", path);
		rc = vsp_hls_parse(buf, len, BASE, &pl, err, sizeof(err));
		ex = expectation(de->d_name);
		if (strncmp(de->d_name, "malformed-", 10) == 0 && !ex)
			fail_msg("%s: add it to the malformed table",
				 de->d_name);
		if (ex)
			seen_malformed++;
		if (ex && rc != ex->rc)
			fail_msg("%s: rc %d, want %d (%s)", de->d_name, rc,
				 ex->rc, rc ? err : "");
		if (!ex && rc != 0)
			fail_msg("%s: %s", de->d_name, err);
		if (rc == 0) {
			json_t *j = vsp_hls_to_json(pl);

			if (!j)
				fail_msg("%s: no JSON", de->d_name);
			json_decref(j);
			vsp_hls_free(pl);
		} else {
			assert_null(pl);
			if (ex && ex->err && strcmp(err, ex->err) != 0)
				fail_msg("%s:\n got '%s'\nwant '%s'",
					 de->d_name, err, ex->err);
		}
		free(buf);
		seen++;
	}
	closedir(d);
	assert_true(seen > 0);
	assert_int_equal(seen_malformed,
			 sizeof(malformed) / sizeof(malformed[0]));
}

/* Every prefix of every corpus file (sampled on big files): a playlist cut
 * anywhere parses or fails cleanly, never crashes or leaks. */
static void test_corpus_truncated(void **state)
{
	char path[4096], err[ERRLEN];
	const char *dir = corpus_dir();
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	if (!d)
		fail_msg("corpus %s not found (run from the repository root)",
			 dir);
	while ((de = readdir(d))) {
		size_t len = 0, nlen = strlen(de->d_name), step;
		char *buf;

		if (nlen < 5 || strcmp(de->d_name + nlen - 5, ".m3u8") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = slurp(path, &len);
		assert_non_null(buf);
		step = len / 150 + 1;
		for (size_t n = 0; n <= len; n += step) {
			vsp_hls_playlist *pl = NULL;

			if (vsp_hls_parse(buf, n, NULL, &pl, err,
					  sizeof(err)) == 0) {
				json_decref(vsp_hls_to_json(pl));
				vsp_hls_free(pl);
			} else {
				assert_null(pl);
				assert_true(strncmp(err, "line ", 5) == 0);
			}
		}
		free(buf);
	}
	closedir(d);
}

/* ---- master playlists ---- */

static const char master_text[] =
	"#EXTM3U\n"
	"#EXT-X-VERSION:6\n"
	"#EXT-X-INDEPENDENT-SEGMENTS\n"
	"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"English\","
	"LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\","
	"URI=\"audio/en.m3u8\"\n"
	"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"Muxed\",DEFAULT=NO\n"
	"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Deutsch\","
	"LANGUAGE=\"de\",URI=\"/subs/de.m3u8\"\n"
	"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\","
	"INSTREAM-ID=\"CC1\"\n"
	"#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"angles\",NAME=\"Side\","
	"URI=\"//other.example/side.m3u8\"\n"
	"# a comment between tags\n"
	"#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1800000,"
	"RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\","
	"FRAME-RATE=29.970,AUDIO=\"aac\",SUBTITLES=\"subs\","
	"CLOSED-CAPTIONS=\"cc\",VIDEO=\"angles\"\n"
	"\n"
	"hi/index.m3u8\n"
	"#EXT-X-STREAM-INF:BANDWIDTH=500000, CLOSED-CAPTIONS=NONE\n"
	"  ../lo/index.m3u8?x=1  \n"
	"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=\"640x360\","
	"CODECS=\"avc1.4d401e\",URI=\"https://i.example/if.m3u8\"\n"
	"#EXT-X-UNKNOWN-TAG:FOO=BAR\n";

static void test_master_variants(void **state)
{
	vsp_hls_playlist *pl = parse_ok(master_text);
	const vsp_hls_variant *v;

	(void)state;
	assert_true(pl->is_master);
	assert_int_equal(pl->version, 6);
	assert_true(pl->independent_segments);
	assert_false(vsp_hls_is_live(pl));
	assert_int_equal(pl->n_variants, 2);
	v = &pl->variants[0];
	assert_int_equal(v->bandwidth, 2000000);
	assert_int_equal(v->average_bandwidth, 1800000);
	assert_int_equal(v->width, 1280);
	assert_int_equal(v->height, 720);
	assert_true(v->frame_rate > 29.969 && v->frame_rate < 29.971);
	assert_string_equal(v->codecs, "avc1.64001f,mp4a.40.2");
	assert_string_equal(v->audio, "aac");
	assert_string_equal(v->subtitles, "subs");
	assert_string_equal(v->closed_captions, "cc");
	assert_string_equal(v->video, "angles");
	assert_string_equal(v->uri, "http://cdn.example/live/hi/index.m3u8");
	v = &pl->variants[1];
	assert_int_equal(v->bandwidth, 500000);
	assert_int_equal(v->average_bandwidth, 0);
	assert_int_equal(v->width, 0);
	assert_null(v->codecs);
	assert_null(v->audio);
	/* NONE is "no captions", not a group called NONE. */
	assert_null(v->closed_captions);
	assert_string_equal(v->uri, "http://cdn.example/lo/index.m3u8?x=1");

	assert_int_equal(pl->n_iframe_variants, 1);
	v = &pl->iframe_variants[0];
	assert_int_equal(v->bandwidth, 90000);
	assert_int_equal(v->width, 640); /* quoted RESOLUTION tolerated */
	assert_int_equal(v->height, 360);
	assert_string_equal(v->uri, "https://i.example/if.m3u8");
	vsp_hls_free(pl);
}

static void test_master_media(void **state)
{
	vsp_hls_playlist *pl = parse_ok(master_text);
	const vsp_hls_media *m;

	(void)state;
	assert_int_equal(pl->n_media, 5);
	m = &pl->media[0];
	assert_int_equal(m->type, VSP_HLS_MEDIA_AUDIO);
	assert_string_equal(m->group_id, "aac");
	assert_string_equal(m->name, "English");
	assert_string_equal(m->language, "en");
	assert_string_equal(m->channels, "2");
	assert_true(m->is_default);
	assert_true(m->autoselect);
	assert_string_equal(m->uri, "http://cdn.example/live/audio/en.m3u8");
	m = &pl->media[1];
	assert_false(m->is_default);
	assert_false(m->autoselect);
	assert_null(m->uri); /* muxed into the variant */
	assert_null(m->language);
	m = &pl->media[2];
	assert_int_equal(m->type, VSP_HLS_MEDIA_SUBTITLES);
	assert_string_equal(m->uri, "http://cdn.example/subs/de.m3u8");
	assert_int_equal(pl->media[3].type, VSP_HLS_MEDIA_CLOSED_CAPTIONS);
	m = &pl->media[4];
	assert_int_equal(m->type, VSP_HLS_MEDIA_VIDEO);
	assert_string_equal(m->uri, "http://other.example/side.m3u8");
	vsp_hls_free(pl);
}

static void test_master_json(void **state)
{
	static const char text[] =
		"#EXTM3U\n"
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\","
		"DEFAULT=YES,URI=\"a.m3u8\"\n"
		"#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,"
		"CODECS=\"avc1.4d401e\",FRAME-RATE=25,AUDIO=\"a\"\n"
		"v.m3u8\n"
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI=\"i.m3u8\"\n";
	static const char want[] =
		"{\"type\":\"master\",\"version\":1,\"variants\":[{\"uri\":"
		"\"http://o.example/v.m3u8\",\"bandwidth\":800000,"
		"\"average_bandwidth\":null,\"resolution\":\"640x360\","
		"\"codecs\":\"avc1.4d401e\",\"frame_rate\":25.0,\"audio\":\"a\","
		"\"video\":null,\"subtitles\":null,\"closed_captions\":null}],"
		"\"iframe_variants\":[{\"uri\":\"http://o.example/i.m3u8\","
		"\"bandwidth\":1000,\"average_bandwidth\":null,"
		"\"resolution\":null,\"codecs\":null,\"frame_rate\":null,"
		"\"audio\":null,\"video\":null,\"subtitles\":null,"
		"\"closed_captions\":null}],\"media\":[{\"type\":\"AUDIO\","
		"\"group_id\":\"a\",\"name\":\"en\",\"language\":null,"
		"\"default\":true,\"autoselect\":false,\"channels\":null,"
		"\"uri\":\"http://o.example/a.m3u8\"}]}";
	vsp_hls_playlist *pl = parse_ok_base(text, "http://o.example/m.m3u8");
	json_t *j = vsp_hls_to_json(pl);
	char *s = json_dumps(j, JSON_COMPACT);

	(void)state;
	assert_string_equal(s, want);
	free(s);
	json_decref(j);
	vsp_hls_free(pl);
}

/* I-frame variants are only listed: a broken number there does not reject
 * the master (corpus edge-master-iframe-stream-inf-quoted-resolution). */
static void test_iframe_lenient(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-STREAM-INF:BANDWIDTH=1\n"
		"a.m3u8\n"
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=\"INVALIDBW\","
		"RESOLUTION=big,URI=\"i.m3u8\"\n");

	(void)state;
	assert_int_equal(pl->n_iframe_variants, 1);
	assert_int_equal(pl->iframe_variants[0].bandwidth, 0);
	assert_int_equal(pl->iframe_variants[0].width, 0);
	vsp_hls_free(pl);
}

/* ---- media playlists ---- */

static void test_segment_uris(void **state)
{
	static const struct {
		const char *ref, *want;
	} cases[] = {
		{ "seg1.ts", "http://cdn.example/live/seg1.ts" },
		{ "../x.ts", "http://cdn.example/x.ts" },
		{ "/abs.ts", "http://cdn.example/abs.ts" },
		{ "//host/x.ts", "http://host/x.ts" },
		{ "https://other.example/a/b.ts?s=1",
		  "https://other.example/a/b.ts?s=1" },
		{ "sub/dir/c.ts?q=2", "http://cdn.example/live/sub/dir/c.ts?q=2" },
		{ "  spaced.ts\t", "http://cdn.example/live/spaced.ts" },
		{ "with space.ts", "http://cdn.example/live/with%20space.ts" },
	};
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_playlist *pl;

		snprintf(text, sizeof(text),
			 "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n%s\n"
			 "#EXT-X-ENDLIST\n",
			 cases[i].ref);
		pl = parse_ok(text);
		assert_int_equal(pl->n_segments, 1);
		assert_string_equal(pl->segments[0].uri, cases[i].want);
		vsp_hls_free(pl);
	}
}

static void test_no_base_keeps_uris(void **state)
{
	vsp_hls_playlist *pl = parse_ok_base(
		"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n../x.ts\n", NULL);

	(void)state;
	assert_string_equal(pl->segments[0].uri, "../x.ts");
	vsp_hls_free(pl);
}

static void test_segments_basic(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"\xEF\xBB\xBF#EXTM3U\r\n"
		"#EXT-X-VERSION:3\r\n"
		"#EXT-X-TARGETDURATION:10\r\n"
		"#EXT-X-MEDIA-SEQUENCE:100\r\n"
		"#EXTINF:9.5,First title\r\n"
		"a.ts\r\n"
		"\r\n"
		"#EXTINF:10\r\n" /* no comma: tolerated */
		"b.ts\r\n"
		"#EXTINF:1,\r\n"
		"#EXTINF:4.25,\r\n" /* repeated before the URI: last wins */
		"c.ts\r\n"
		"#EXT-X-GAP\r\n"
		"#EXTINF:0,\r\n"
		"d.ts\r\n");
	const vsp_hls_segment *s = pl->segments;

	(void)state;
	assert_false(pl->is_master);
	assert_int_equal(pl->version, 3);
	assert_true(pl->target_duration == 10.0);
	assert_int_equal(pl->media_sequence, 100);
	assert_int_equal(pl->n_segments, 4);
	assert_true(s[0].duration == 9.5);
	assert_string_equal(s[0].title, "First title");
	assert_int_equal(s[0].seq, 100);
	assert_int_equal(s[0].br_length, -1);
	assert_int_equal(s[0].key, -1);
	assert_int_equal(s[0].map, -1);
	assert_true(s[0].pdt == 0);
	assert_null(s[1].title);
	assert_true(s[1].duration == 10.0);
	assert_true(s[2].duration == 4.25);
	assert_int_equal(s[3].seq, 103);
	assert_true(s[3].gap);
	assert_false(s[2].gap);
	assert_true(s[3].duration == 0.0);
	assert_true(vsp_hls_is_live(pl));
	vsp_hls_free(pl);
}

static void test_byteranges(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-TARGETDURATION:10\n"
		/* the first segment of all may leave the offset out: 0 */
		"#EXTINF:10,\n#EXT-X-BYTERANGE:400\nmain.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:1000@500\nmain.ts\n"
		/* implicit: right after the previous range of main.ts */
		"#EXTINF:10,\n#EXT-X-BYTERANGE:2000\nmain.ts\n"
		/* BYTERANGE before EXTINF works too; another resource needs
		 * its offset */
		"#EXT-X-BYTERANGE:300@0\n#EXTINF:10,\nother.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:10@3500\nmain.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:5@0\nother.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:7\nother.ts\n"
		"#EXTINF:10,\nwhole.ts\n"
		"#EXT-X-ENDLIST\n");
	static const struct {
		int64_t len, off;
	} want[] = { { 400, 0 }, { 1000, 500 }, { 2000, 1500 }, { 300, 0 },
		     { 10, 3500 }, { 5, 0 },      { 7, 5 },       { -1, 0 } };
	const vsp_hls_segment *s = pl->segments;

	(void)state;
	assert_int_equal(pl->n_segments, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(s[i].br_length, want[i].len);
		assert_int_equal(s[i].br_offset, want[i].off);
	}
	vsp_hls_free(pl);
}

/* RFC 8216 4.3.2.2: an EXT-X-BYTERANGE without an offset continues the
 * previous segment, which must be a sub-range of the same resource; after
 * any other segment the client MUST fail to parse (it used to start at 0,
 * or after the last range of that resource further back). */
static void test_byterange_implicit_after_other(void **state)
{
	static const char *const bad[] = {
		"#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:300@0\nother.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:100\nmain.ts\n",
		"#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:100@0\nmain.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:300@0\nother.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:100\nmain.ts\n",
		"#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
		"#EXTINF:10,\nmain.ts\n"
		"#EXTINF:10,\n#EXT-X-BYTERANGE:100\nmain.ts\n",
	};
	static const int line[] = { 7, 10, 6 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vsp_hls_playlist *pl = NULL;
		char err[512], want[64];

		assert_int_equal(vsp_hls_parse(bad[i], strlen(bad[i]), NULL,
					       &pl, err, sizeof(err)),
				 -1);
		assert_null(pl);
		snprintf(want, sizeof(want), "line %d: EXT-X-BYTERANGE: no offset",
			 line[i]);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: '%s', want '%s...'", i, err, want);
		assert_non_null(strstr(err, "RFC 8216 4.3.2.2"));
	}
}

/* 1970-01-01T00:00:00Z is a date like any other, not "absent". */
static void test_pdt_epoch(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
		"#EXTINF:2,\nnone.ts\n"
		"#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00Z\n"
		"#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n");

	(void)state;
	assert_int_equal(pl->segments[0].has_pdt, 0);
	assert_int_equal(pl->segments[1].has_pdt, 1);
	assert_true(pl->segments[1].pdt == 0);
	assert_int_equal(pl->segments[2].has_pdt, 1);
	assert_true(pl->segments[2].pdt == 2);
	vsp_hls_free(pl);
}

static void test_keys(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-TARGETDURATION:10\n"
		"#EXT-X-MEDIA-SEQUENCE:7\n"
		"#EXTINF:10,\nclear.ts\n"
		"#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1\"\n"
		"#EXTINF:10,\nenc1.ts\n"
		"#EXT-X-KEY:METHOD=AES-128,URI=\"https://k.example/k2\","
		"IV=0X000102030405060708090A0B0C0D0eFf\n"
		"#EXTINF:10,\nenc2.ts\n"
		"#EXT-X-KEY:METHOD=NONE\n"
		"#EXTINF:10,\nclear2.ts\n"
		/* never used: replaced by the next key */
		"#EXT-X-KEY:METHOD=AES-128,URI=\"unused\"\n"
		"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://id\","
		"KEYFORMAT=\"com.apple.streamingkeydelivery\"\n"
		"#EXTINF:10,\nfp.ts\n"
		"#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:text/plain;base64,"
		"AAAA\"\n"
		"#EXTINF:10,\nctr.ts\n"
		"#EXT-X-KEY:METHOD=AES-256,URI=\"k256\"\n"
		"#EXTINF:10,\nk256.ts\n"
		"#EXT-X-ENDLIST\n");
	const vsp_hls_segment *s = pl->segments;
	const vsp_hls_key *k;
	static const uint8_t iv[16] = { 0, 1, 2,  3,  4,  5,  6,  7,
					8, 9, 10, 11, 12, 13, 14, 255 };

	(void)state;
	assert_int_equal(pl->n_segments, 7);
	assert_int_equal(s[0].key, -1);
	k = &pl->keys[s[1].key];
	assert_int_equal(k->method, VSP_HLS_KEY_AES128);
	assert_string_equal(k->uri, "http://cdn.example/keys/k1");
	assert_false(k->has_iv); /* IV is the sequence number, 8 */
	assert_int_equal(s[1].seq, 8);
	assert_null(k->keyformat);
	k = &pl->keys[s[2].key];
	assert_true(k->has_iv);
	assert_memory_equal(k->iv, iv, 16);
	assert_int_equal(s[3].key, -1); /* METHOD=NONE */
	k = &pl->keys[s[4].key];
	assert_int_equal(k->method, VSP_HLS_KEY_SAMPLE_AES);
	assert_string_equal(k->method_name, "SAMPLE-AES");
	assert_string_equal(k->keyformat, "com.apple.streamingkeydelivery");
	k = &pl->keys[s[5].key];
	assert_int_equal(k->method, VSP_HLS_KEY_SAMPLE_AES);
	assert_string_equal(k->method_name, "SAMPLE-AES-CTR");
	assert_string_equal(k->uri, "data:text/plain;base64,AAAA");
	k = &pl->keys[s[6].key];
	assert_int_equal(k->method, VSP_HLS_KEY_SAMPLE_AES);
	assert_string_equal(k->method_name, "AES-256");
	/* k1, k2, skd, data, k256: "unused" left no entry */
	assert_int_equal(pl->n_keys, 5);
	vsp_hls_free(pl);
}

static void test_maps(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-TARGETDURATION:6\n"
		"#EXT-X-MAP:URI=\"main.mp4\",BYTERANGE=\"720@0\"\n"
		"#EXTINF:6,\n#EXT-X-BYTERANGE:5000@720\nmain.mp4\n"
		"#EXTINF:6,\n#EXT-X-BYTERANGE:6000\nmain.mp4\n"
		"#EXT-X-MAP:URI=\"init2.mp4\",BYTERANGE=\"99\"\n"
		"#EXTINF:6,\nseg.m4s\n"
		"#EXT-X-MAP:URI=\"/init3.mp4\"\n"
		"#EXTINF:6,\nseg2.m4s\n"
		"#EXT-X-ENDLIST\n");
	const vsp_hls_segment *s = pl->segments;
	const vsp_hls_map *m;

	(void)state;
	assert_int_equal(pl->n_maps, 3);
	assert_int_equal(s[0].map, s[1].map);
	m = &pl->maps[s[0].map];
	assert_string_equal(m->uri, "http://cdn.example/live/main.mp4");
	assert_int_equal(m->br_length, 720);
	assert_int_equal(m->br_offset, 0);
	assert_int_equal(s[1].br_offset, 5720);
	m = &pl->maps[s[2].map];
	assert_int_equal(m->br_length, 99);
	assert_int_equal(m->br_offset, 0);
	m = &pl->maps[s[3].map];
	assert_string_equal(m->uri, "http://cdn.example/init3.mp4");
	assert_int_equal(m->br_length, -1);
	vsp_hls_free(pl);
}

static void test_discontinuities(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-TARGETDURATION:10\n"
		"#EXT-X-DISCONTINUITY-SEQUENCE:3\n"
		"#EXTINF:10,\na.ts\n"
		"#EXT-X-DISCONTINUITY\n#EXTINF:10,\nb.ts\n"
		"#EXTINF:10,\nc.ts\n"
		"#EXT-X-DISCONTINUITY\n#EXTINF:10,\nd.ts\n"
		"#EXT-X-ENDLIST\n");
	const vsp_hls_segment *s = pl->segments;

	(void)state;
	assert_int_equal(pl->discontinuity_sequence, 3);
	assert_false(s[0].discontinuity);
	assert_int_equal(s[0].disc_seq, 3);
	assert_true(s[1].discontinuity);
	assert_int_equal(s[1].disc_seq, 4);
	assert_false(s[2].discontinuity);
	assert_int_equal(s[2].disc_seq, 4);
	assert_true(s[3].discontinuity);
	assert_int_equal(s[3].disc_seq, 5);
	vsp_hls_free(pl);
}

static void test_program_date_time(void **state)
{
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{ "2016-06-22T09:20:16.166-04:00", 1466601616.166 },
		{ "2019-02-14T02:14:00.106Z", 1550110440.106 },
		{ "2018-12-31T09:47:22+08:00", 1546220842.0 },
		{ "2024-11-11T04:35:19.353-0800", 1731328519.353 },
		{ "2000-01-01T00:00:00z", 946684800.0 },
		{ "2000-01-01T00:00:00", 946684800.0 }, /* no zone: UTC */
		{ "2024-02-29T12:00:00+05", 1709190000.0 },
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_playlist *pl;

		snprintf(text, sizeof(text),
			 "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
			 "#EXTINF:4,\nbefore.ts\n"
			 "#EXT-X-PROGRAM-DATE-TIME:%s\n"
			 "#EXTINF:4,\na.ts\n#EXTINF:2.5,\nb.ts\n#EXTINF:4,\nc.ts\n"
			 "#EXT-X-ENDLIST\n",
			 cases[i].text);
		pl = parse_ok(text);
		assert_true(pl->segments[0].pdt == 0);
		if (fabs(pl->segments[1].pdt - cases[i].want) > 1e-6)
			fail_msg("%s: %.6f, want %.6f", cases[i].text,
				 pl->segments[1].pdt, cases[i].want);
		/* later segments follow on from the previous date */
		assert_true(fabs(pl->segments[2].pdt - (cases[i].want + 4)) <
			    1e-6);
		assert_true(fabs(pl->segments[3].pdt - (cases[i].want + 6.5)) <
			    1e-6);
		vsp_hls_free(pl);
	}
}

static void test_live_or_vod(void **state)
{
	static const struct {
		const char *tags;
		int live;
	} cases[] = {
		{ "", 1 },
		{ "#EXT-X-ENDLIST\n", 0 },
		{ "#EXT-X-PLAYLIST-TYPE:VOD\n", 0 },
		{ "#EXT-X-PLAYLIST-TYPE:EVENT\n", 1 },
		{ "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-ENDLIST\n", 0 },
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_playlist *pl;

		snprintf(text, sizeof(text),
			 "#EXTM3U\n#EXT-X-TARGETDURATION:4\n%s"
			 "#EXTINF:4,\na.ts\n",
			 cases[i].tags);
		pl = parse_ok(text);
		assert_int_equal(vsp_hls_is_live(pl), cases[i].live);
		vsp_hls_free(pl);
	}
	assert_int_equal(vsp_hls_is_live(NULL), 0);
}

static void test_live_dangling_extinf(void **state)
{
	/* Caught while the origin appends: the last EXTINF has no URI yet. */
	vsp_hls_playlist *pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
					"#EXTINF:4,\na.ts\n#EXTINF:4,\n");

	(void)state;
	assert_int_equal(pl->n_segments, 1);
	vsp_hls_free(pl);
}

static void test_vod_without_targetduration(void **state)
{
	/* corpus media-vod-fmp4-map-no-targetduration: finished playlists
	 * are read without it; see test_errors for the live case. */
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n#EXTINF:4,\na.mp4\n#EXT-X-ENDLIST\n");

	(void)state;
	assert_int_equal(pl->n_segments, 1);
	assert_true(pl->target_duration == 0);
	vsp_hls_free(pl);
}

static void test_iframes_only(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-I-FRAMES-ONLY\n"
		"#EXTINF:2,\n#EXT-X-BYTERANGE:100@376\n1.ts\n#EXT-X-ENDLIST\n");

	(void)state;
	assert_true(pl->iframes_only);
	assert_int_equal(pl->segments[0].br_offset, 376);
	vsp_hls_free(pl);
}

static void test_low_latency(void **state)
{
	vsp_hls_playlist *pl = parse_ok(
		"#EXTM3U\n"
		"#EXT-X-TARGETDURATION:4\n"
		"#EXT-X-VERSION:9\n"
		"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=24,"
		"HOLD-BACK=12.0,PART-HOLD-BACK=1.0\n"
		"#EXT-X-PART-INF:PART-TARGET=0.5\n"
		"#EXT-X-MEDIA-SEQUENCE:266\n"
		"#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
		"#EXTINF:4,\nfs269.mp4\n"
		"#EXT-X-PART:DURATION=0.5,URI=\"p270.0.mp4\",INDEPENDENT=YES\n"
		"#EXT-X-PART:DURATION=0.5,URI=\"p270.1.mp4\"\n"
		"#EXTINF:1,\nfs270.mp4\n"
		"#EXT-X-PART:DURATION=0.5,URI=\"p271.0.mp4\"\n"
		"#EXT-X-PRELOAD-HINT:TYPE=MAP,URI=\"init.mp4\"\n"
		"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p271.1.mp4\"\n"
		"#EXT-X-PRELOAD-HINT:TYPE=FUTURE,URI=\"x\"\n"
		"#EXT-X-RENDITION-REPORT:URI=\"../1M/w.m3u8\",LAST-MSN=271\n");

	(void)state;
	assert_true(pl->can_block_reload);
	assert_true(pl->can_skip_until == 24.0);
	assert_true(pl->hold_back == 12.0);
	assert_true(pl->part_hold_back == 1.0);
	assert_true(pl->part_target == 0.5);
	assert_int_equal(pl->skipped_segments, 3);
	assert_int_equal(pl->n_parts, 3);
	assert_string_equal(pl->preload_hint_uri,
			    "http://cdn.example/live/p271.1.mp4");
	assert_int_equal(pl->n_segments, 2);
	assert_int_equal(pl->segments[0].seq, 269); /* 266 + 3 skipped */
	assert_int_equal(pl->segments[1].seq, 270);
	assert_true(vsp_hls_is_live(pl));
	vsp_hls_free(pl);
}

static void test_empty_playlists(void **state)
{
	vsp_hls_playlist *pl;

	(void)state;
	pl = parse_ok("#EXTM3U\n");
	assert_false(pl->is_master);
	assert_int_equal(pl->n_segments, 0);
	vsp_hls_free(pl);
	pl = parse_ok("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-ENDLIST\n");
	assert_int_equal(pl->n_segments, 0);
	assert_int_equal(pl->n_maps, 1);
	vsp_hls_free(pl);
	/* comments and blank lines before #EXTM3U */
	pl = parse_ok("\n# made by hand\n#EXTM3U\n#EXT-X-STREAM-INF:"
		      "BANDWIDTH=1\na.m3u8\n");
	assert_true(pl->is_master);
	vsp_hls_free(pl);
}

static void test_media_json(void **state)
{
	static const char text[] =
		"#EXTM3U\n"
		"#EXT-X-VERSION:7\n"
		"#EXT-X-TARGETDURATION:6\n"
		"#EXT-X-MEDIA-SEQUENCE:10\n"
		"#EXT-X-PLAYLIST-TYPE:VOD\n"
		"#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"100@0\"\n"
		"#EXT-X-PROGRAM-DATE-TIME:2020-01-02T03:04:05.5+01:00\n"
		"#EXTINF:6,\n#EXT-X-BYTERANGE:500@100\nmain.mp4\n"
		"#EXT-X-KEY:METHOD=AES-128,URI=\"k\","
		"IV=0x000000000000000000000000000000FF\n"
		"#EXT-X-DISCONTINUITY\n"
		"#EXTINF:4.5,\nb.mp4\n"
		"#EXT-X-ENDLIST\n";
	static const char want[] =
		"{\"type\":\"media\",\"version\":7,\"target_duration\":6.0,"
		"\"media_sequence\":10,\"discontinuity_sequence\":0,"
		"\"endlist\":true,\"playlist_type\":\"VOD\",\"live\":false,"
		"\"segments\":[{\"seq\":10,\"uri\":\"http://o.example/p/main.mp4\","
		"\"duration\":6.0,\"byterange\":{\"length\":500,\"offset\":100},"
		"\"map\":{\"uri\":\"http://o.example/p/init.mp4\","
		"\"byterange\":{\"length\":100,\"offset\":0}},"
		"\"program_date_time\":\"2020-01-02T02:04:05.500Z\"},"
		"{\"seq\":11,\"uri\":\"http://o.example/p/b.mp4\","
		"\"duration\":4.5,\"key\":{\"method\":\"AES-128\","
		"\"uri\":\"http://o.example/p/k\","
		"\"iv\":\"0x000000000000000000000000000000ff\"},"
		"\"map\":{\"uri\":\"http://o.example/p/init.mp4\","
		"\"byterange\":{\"length\":100,\"offset\":0}},"
		"\"discontinuity\":true,"
		"\"program_date_time\":\"2020-01-02T02:04:11.500Z\"}]}";
	vsp_hls_playlist *pl =
		parse_ok_base(text, "http://o.example/p/index.m3u8");
	json_t *j = vsp_hls_to_json(pl);
	char *s = json_dumps(j, JSON_COMPACT);

	(void)state;
	assert_string_equal(s, want);
	free(s);
	json_decref(j);
	vsp_hls_free(pl);
}

static void test_ll_json(void **state)
{
	vsp_hls_playlist *pl = parse_ok_base(
		"#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
		"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n"
		"#EXT-X-PART-INF:PART-TARGET=0.5\n"
		"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p.mp4\"\n",
		"http://o.example/index.m3u8");
	json_t *j = vsp_hls_to_json(pl);
	char *s = json_dumps(json_object_get(j, "ll"), JSON_COMPACT);

	(void)state;
	assert_string_equal(s, "{\"part_target\":0.5,\"parts\":0,"
			       "\"preload_hint\":\"http://o.example/p.mp4\","
			       "\"can_block_reload\":true,\"can_skip_until\":0.0,"
			       "\"hold_back\":0.0,\"part_hold_back\":1.5,"
			       "\"skipped_segments\":0}");
	free(s);
	json_decref(j);
	vsp_hls_free(pl);
}

/* ---- EXT-X-START ---- */

#define START_VOD                                                        \
	"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n"           \
	"#EXT-X-MEDIA-SEQUENCE:100\n#EXTINF:4,\ns0.ts\n#EXTINF:4,\ns1.ts\n" \
	"#EXTINF:4,\ns2.ts\n#EXTINF:2,\ns3.ts\n#EXT-X-ENDLIST\n"

static void test_start_parse(void **state)
{
	vsp_hls_playlist *pl;

	(void)state;
	pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
		      "#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES\n"
		      "#EXTINF:4,\na.ts\n");
	assert_true(pl->start.present);
	assert_true(pl->start.has_offset);
	assert_true(pl->start.offset == -12.5);
	assert_true(pl->start.precise);
	assert_int_equal(pl->start.line, 3);
	vsp_hls_free(pl);

	/* Absent: nothing. */
	pl = parse_ok(START_VOD);
	assert_false(pl->start.present);
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), -1);
	vsp_hls_free(pl);

	/* Without TIME-OFFSET (REQUIRED): kept, for conform.c to report;
	 * it names no start. A bare tag too. */
	pl = parse_ok("#EXTM3U\n#EXT-X-START:PRECISE=NO\n#EXTINF:4,\na.ts\n"
		      "#EXT-X-ENDLIST\n");
	assert_true(pl->start.present);
	assert_false(pl->start.has_offset);
	assert_false(pl->start.precise);
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), -1);
	vsp_hls_free(pl);
	pl = parse_ok("#EXTM3U\n#EXT-X-START\n#EXTINF:4,\na.ts\n"
		      "#EXT-X-ENDLIST\n");
	assert_true(pl->start.present);
	assert_false(pl->start.has_offset);
	vsp_hls_free(pl);

	/* In a master playlist. */
	pl = parse_ok("#EXTM3U\n#EXT-X-START:TIME-OFFSET=30\n"
		      "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n");
	assert_true(pl->is_master);
	assert_true(pl->start.present);
	assert_true(pl->start.offset == 30.0);
	assert_false(pl->start.precise);
	vsp_hls_free(pl);

	/* Twice (the RFC says at most once): the last counts, as in hls.js. */
	pl = parse_ok("#EXTM3U\n#EXT-X-START:TIME-OFFSET=1\n"
		      "#EXT-X-START:TIME-OFFSET=-2\n#EXTINF:4,\na.ts\n"
		      "#EXT-X-ENDLIST\n");
	assert_true(pl->start.offset == -2.0);
	vsp_hls_free(pl);
}

/* What players cannot read, they ignore and play on: an unreadable
 * TIME-OFFSET names no start, a PRECISE other than YES is NO; the manifest
 * still parses (conform.c reports the tag). */
static void test_start_errors(void **state)
{
	static const struct {
		const char *tag;
		int precise;
	} cases[] = {
		{ "#EXT-X-START:TIME-OFFSET=abc\n", 0 },
		{ "#EXT-X-START:TIME-OFFSET=1e3\n", 0 },
		{ "#EXT-X-START:TIME-OFFSET=\n", 0 },
		{ "#EXT-X-START:TIME-OFFSET=99999999999,PRECISE=YES\n", 1 },
		{ "#EXT-X-START:TIME-OFFSET=-99999999999\n", 0 },
		{ "#EXT-X-START:PRECISE=MAYBE\n", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		vsp_hls_playlist *pl;

		snprintf(text, sizeof(text),
			 "#EXTM3U\n%s#EXT-X-TARGETDURATION:4\n"
			 "#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n",
			 cases[i].tag);
		pl = parse_ok(text);
		assert_true(pl->start.present);
		assert_false(pl->start.has_offset);
		assert_int_equal(pl->start.precise, cases[i].precise);
		assert_int_equal(vsp_hls_start_index(pl, &pl->start), -1);
		vsp_hls_free(pl);
	}
	/* PRECISE unreadable, TIME-OFFSET fine: the start stands. */
	{
		vsp_hls_playlist *pl = parse_ok(
			"#EXTM3U\n#EXT-X-START:TIME-OFFSET=2,PRECISE=MAYBE\n"
			"#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n"
			"#EXT-X-ENDLIST\n");

		assert_true(pl->start.has_offset);
		assert_int_equal(pl->start.precise, 0);
		vsp_hls_free(pl);
	}
}

/* Which segment the start names: segments of 4, 4, 4 and 2 s (0-4, 4-8,
 * 8-12, 12-14), sequence numbers 100-103. */
static void test_start_index(void **state)
{
	static const struct {
		double offset;
		int64_t want; /* position */
	} cases[] = {
		{ 0, 0 },     { 3.9, 0 },    { 4, 1 }, /* a boundary: the next */
		{ 11.99, 2 }, { 13, 3 },     { 14, 3 }, /* the end: the last */
		{ 500, 3 },   /* beyond the end: the end (RFC 4.3.5.2) */
		{ -1, 3 },    { -2, 3 },     { -2.5, 2 }, { -6, 2 },
		{ -10, 1 },   { -14, 0 },    { -500, 0 }, /* before: the start */
	};
	vsp_hls_playlist *pl = parse_ok(START_VOD);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_start st = { .present = 1, .has_offset = 1 };
		int64_t got;

		st.offset = cases[i].offset;
		got = vsp_hls_start_index(pl, &st);
		if (got != cases[i].want)
			fail_msg("TIME-OFFSET %g: position %lld, want %lld",
				 cases[i].offset, (long long)got,
				 (long long)cases[i].want);
	}
	vsp_hls_free(pl);

	/* The tag in the playlist itself, on a live playlist. */
	pl = parse_ok("#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
		      "#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-START:TIME-OFFSET=-9\n"
		      "#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n#EXTINF:4,\nc.ts\n"
		      "#EXTINF:4,\nd.ts\n");
	assert_true(vsp_hls_is_live(pl));
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), 1);
	assert_int_equal(pl->segments[1].seq, 8);
	vsp_hls_free(pl);

	/* A GAP there: the next segment that plays; none: -1. */
	pl = parse_ok("#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:4\n"
		      "#EXT-X-START:TIME-OFFSET=5\n#EXTINF:4,\na.ts\n"
		      "#EXT-X-GAP\n#EXTINF:4,\nb.ts\n#EXTINF:4,\nc.ts\n"
		      "#EXT-X-ENDLIST\n");
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), 2);
	vsp_hls_free(pl);
	pl = parse_ok("#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:4\n"
		      "#EXT-X-START:TIME-OFFSET=-1\n#EXTINF:4,\na.ts\n"
		      "#EXT-X-GAP\n#EXTINF:4,\nb.ts\n#EXT-X-ENDLIST\n");
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), -1);
	vsp_hls_free(pl);

	/* No segments, or a master: no start segment. */
	pl = parse_ok("#EXTM3U\n#EXT-X-START:TIME-OFFSET=0\n");
	assert_int_equal(vsp_hls_start_index(pl, &pl->start), -1);
	vsp_hls_free(pl);
	assert_int_equal(vsp_hls_start_index(NULL, NULL), -1);
}

/* The master's start applies to the media playlist it names. */
static void test_start_master(void **state)
{
	vsp_hls_playlist *m = parse_ok("#EXTM3U\n#EXT-X-START:TIME-OFFSET=9\n"
				       "#EXT-X-STREAM-INF:BANDWIDTH=1000\n"
				       "v.m3u8\n");
	vsp_hls_playlist *pl = parse_ok(START_VOD);

	(void)state;
	assert_int_equal(vsp_hls_start_index(pl, &m->start), 2);
	assert_int_equal(vsp_hls_start_index(m, &m->start), -1);
	vsp_hls_free(pl);
	vsp_hls_free(m);
}

static void test_start_json(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:100\n"
		  "#EXT-X-START:TIME-OFFSET=-5,PRECISE=YES\n"
		  "#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n#EXT-X-ENDLIST\n",
		  "{\"time_offset\":-5.0,\"precise\":true,\"segment\":100}" },
		{ "#EXTM3U\n#EXT-X-START:PRECISE=NO\n#EXTINF:4,\na.ts\n"
		  "#EXT-X-ENDLIST\n",
		  "{\"time_offset\":null,\"precise\":false,\"segment\":null}" },
		{ "#EXTM3U\n#EXT-X-START:TIME-OFFSET=2.5\n"
		  "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n",
		  "{\"time_offset\":2.5,\"precise\":false,\"segment\":null}" },
		{ START_VOD, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_playlist *pl = parse_ok(cases[i].text);
		json_t *j = vsp_hls_to_json(pl);
		json_t *st;
		char *s;

		assert_non_null(j);
		st = json_object_get(j, "start");
		if (!cases[i].want) {
			assert_null(st);
		} else {
			s = json_dumps(st, JSON_COMPACT);
			assert_string_equal(s, cases[i].want);
			free(s);
		}
		json_decref(j);
		vsp_hls_free(pl);
	}
}

/* ---- errors: exact messages, line number and tag ---- */

#define MEDIA_HEAD "#EXTM3U\n#EXT-X-TARGETDURATION:10\n"

static void test_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "", "line 1: expected #EXTM3U, found the end of input" },
		{ "EXTM3U\n", "line 1: expected #EXTM3U, found 'EXTM3U'" },
		/* a document where a playlist should be: 16 printable bytes
		 * of it, never more (it may come from an internal URL) */
		{ "{\"secret\":\"hunter2-and-more\x1b]0;t\x07\"}\n",
		  "line 1: expected #EXTM3U, found '{\"secret\":\"hunte'" },
		{ "<html>\x1b[2J\x9b\xc2\x9bpage</html>\n",
		  "line 1: expected #EXTM3U, found '<html>.[2J...pag'" },
		{ MEDIA_HEAD "#EXTINF:abc,\na.ts\n",
		  "line 3: EXTINF: duration 'abc' is not a number" },
		{ MEDIA_HEAD "#EXTINF:-1,\na.ts\n",
		  "line 3: EXTINF: duration '-1' is negative" },
		{ MEDIA_HEAD "#EXTINF:1e3,\na.ts\n",
		  "line 3: EXTINF: duration '1e3' is not a number" },
		{ MEDIA_HEAD "#EXTINF:,\na.ts\n",
		  "line 3: EXTINF: duration '' is not a number" },
		{ MEDIA_HEAD "#EXTINF:100000,\na.ts\n",
		  "line 3: EXTINF: duration '100000' is too large (maximum "
		  "86400)" },
		{ MEDIA_HEAD "#EXTINF:10,\na.ts\n#EXTINF:10,\n#EXT-X-ENDLIST\n",
		  "line 5: EXTINF: no URI line follows" },
		{ "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10,\n",
		  "line 3: EXTINF: no URI line follows" },
		{ MEDIA_HEAD "a.ts\n",
		  "line 3: URI 'a.ts' has no EXTINF before it" },
		{ "#EXTM3U\n#EXTINF:4,\na.ts\n",
		  "line 2: EXTINF: live playlist has segments but no "
		  "EXT-X-TARGETDURATION" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=fast\na.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: BANDWIDTH 'fast' is not a number" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1.5\na.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: BANDWIDTH '1.5' is not an "
		  "integer" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"avc1\"\na.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: missing BANDWIDTH" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n",
		  "line 2: EXT-X-STREAM-INF: no URI line follows" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
		  "#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n",
		  "line 3: EXT-X-STREAM-INF: EXT-X-STREAM-INF on line 2 has no "
		  "URI line" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\nb.m3u8\n",
		  "line 4: URI 'b.m3u8' has no EXT-X-STREAM-INF before it" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"
		  "#EXTINF:4,\nb.ts\n",
		  "line 4: EXTINF: media segment in a master playlist "
		  "(EXT-X-STREAM-INF or EXT-X-MEDIA on line 2)" },
		{ MEDIA_HEAD "#EXTINF:4,\nb.ts\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
			     "a.m3u8\n",
		  "line 5: EXT-X-STREAM-INF: master playlist tag in a media "
		  "playlist (EXTINF on line 3)" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1920by1080\n"
		  "a.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: RESOLUTION '1920by1080' is not "
		  "WIDTHxHEIGHT" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=0x1080\n"
		  "a.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: RESOLUTION width '0' is too small "
		  "(minimum 1)" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,BANDWIDTH=2\na.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: attribute BANDWIDTH appears twice" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1\n"
		  "a.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: CODECS: quoted string is not "
		  "closed" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\"x\n"
		  "a.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: CODECS: unexpected 'x' after the "
		  "value" },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:=1\na.m3u8\n",
		  "line 2: EXT-X-STREAM-INF: malformed attribute list at '=1'" },
		{ "#EXTM3U\n#EXT-X-MEDIA:TYPE=MUSIC,GROUP-ID=\"a\",NAME=\"b\"\n",
		  "line 2: EXT-X-MEDIA: unknown TYPE 'MUSIC'" },
		{ "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"b\"\n",
		  "line 2: EXT-X-MEDIA: missing GROUP-ID" },
		{ "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"b\","
		  "DEFAULT=MAYBE\n",
		  "line 2: EXT-X-MEDIA: DEFAULT 'MAYBE' is not YES or NO" },
		{ "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n",
		  "line 2: EXT-X-I-FRAME-STREAM-INF: missing URI" },
		{ MEDIA_HEAD "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x1234\n",
		  "line 3: EXT-X-KEY: IV '0x1234' is not 0x and 32 hex digits" },
		{ MEDIA_HEAD "#EXT-X-KEY:METHOD=AES-128,URI=\"k\","
			     "IV=0x0000000000000000000000000000000g\n",
		  "line 3: EXT-X-KEY: IV '0x0000000000000000000000000000000g' is "
		  "not 0x and 32 hex digits" },
		{ MEDIA_HEAD "#EXT-X-KEY:METHOD=AES-128\n",
		  "line 3: EXT-X-KEY: missing URI" },
		{ MEDIA_HEAD "#EXT-X-KEY:URI=\"k\"\n",
		  "line 3: EXT-X-KEY: missing METHOD" },
		{ MEDIA_HEAD "#EXT-X-KEY:METHOD=ROT13,URI=\"k\"\n",
		  "line 3: EXT-X-KEY: unknown METHOD 'ROT13'" },
		{ MEDIA_HEAD "#EXT-X-KEY:METHOD=AES-128,URI=\"\"\n",
		  "line 3: EXT-X-KEY: URI is empty" },
		{ MEDIA_HEAD "#EXT-X-MAP:BYTERANGE=\"1@0\"\n",
		  "line 3: EXT-X-MAP: missing URI" },
		{ MEDIA_HEAD "#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"x@0\"\n",
		  "line 3: EXT-X-MAP: byte range length 'x' is not a number" },
		{ MEDIA_HEAD "#EXT-X-BYTERANGE:abc\n",
		  "line 3: EXT-X-BYTERANGE: byte range length 'abc' is not a "
		  "number" },
		{ MEDIA_HEAD "#EXT-X-BYTERANGE:10@\n",
		  "line 3: EXT-X-BYTERANGE: byte range offset '' is not a "
		  "number" },
		{ MEDIA_HEAD "#EXT-X-BYTERANGE:0@5\n",
		  "line 3: EXT-X-BYTERANGE: byte range length '0' is too small "
		  "(minimum 1)" },
		{ MEDIA_HEAD "#EXT-X-BYTERANGE:2@9223372036854775807\n",
		  "line 3: EXT-X-BYTERANGE: byte range '2@9223372036854775807' "
		  "ends past 2^63" },
		{ MEDIA_HEAD "#EXT-X-BYTERANGE:99999999999999999999\n",
		  "line 3: EXT-X-BYTERANGE: byte range length "
		  "'99999999999999999999' is out of range" },
		{ MEDIA_HEAD "#EXT-X-PROGRAM-DATE-TIME:yesterday\n",
		  "line 3: EXT-X-PROGRAM-DATE-TIME: date-time 'yesterday' is not "
		  "YYYY-MM-DDThh:mm:ss[.f]Z or with a +hh:mm zone" },
		{ MEDIA_HEAD "#EXT-X-PROGRAM-DATE-TIME:2020-13-01T00:00:00Z\n",
		  "line 3: EXT-X-PROGRAM-DATE-TIME: month '13' is too large "
		  "(maximum 12)" },
		{ MEDIA_HEAD "#EXT-X-PROGRAM-DATE-TIME:2019-02-29T00:00:00Z\n",
		  "line 3: EXT-X-PROGRAM-DATE-TIME: day '29' is too large "
		  "(maximum 28)" },
		{ MEDIA_HEAD "#EXT-X-PROGRAM-DATE-TIME:2020-01-01T00:00:00Q\n",
		  "line 3: EXT-X-PROGRAM-DATE-TIME: date-time "
		  "'2020-01-01T00:00:00Q' is not YYYY-MM-DDThh:mm:ss[.f]Z or "
		  "with a +hh:mm zone" },
		{ MEDIA_HEAD "#EXT-X-PLAYLIST-TYPE:LIVE\n",
		  "line 3: EXT-X-PLAYLIST-TYPE: type 'LIVE' is not VOD or "
		  "EVENT" },
		{ MEDIA_HEAD "#EXT-X-VERSION:3.0\n",
		  "line 3: EXT-X-VERSION: version '3.0' is not an integer" },
		{ MEDIA_HEAD "#EXT-X-TARGETDURATION:10\n",
		  "line 3: EXT-X-TARGETDURATION: appears twice (first on line "
		  "2)" },
		{ MEDIA_HEAD "#EXTINF:4,\na.ts\n#EXT-X-MEDIA-SEQUENCE:4\n",
		  "line 5: EXT-X-MEDIA-SEQUENCE: after the first media "
		  "segment" },
		{ MEDIA_HEAD "#EXT-X-DISCONTINUITY-SEQUENCE:x\n",
		  "line 3: EXT-X-DISCONTINUITY-SEQUENCE: discontinuity sequence "
		  "'x' is not a number" },
		{ MEDIA_HEAD "#EXTINF:4,\nhttp://[::1/x.ts\n",
		  "line 4: URI 'http://[::1/x.ts': Bad IPv6 address" },
		{ MEDIA_HEAD "#EXT-X-PART-INF:PART-TARGET=abc\n",
		  "line 3: EXT-X-PART-INF: PART-TARGET 'abc' is not a number" },
		{ MEDIA_HEAD "#EXT-X-PART:URI=\"p.mp4\"\n",
		  "line 3: EXT-X-PART: missing DURATION" },
		{ MEDIA_HEAD "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=yes\n",
		  "line 3: EXT-X-SERVER-CONTROL: CAN-BLOCK-RELOAD 'yes' is not "
		  "YES or NO" },
		{ MEDIA_HEAD "#EXT-X-SKIP:SKIPPED-SEGMENTS=-2\n",
		  "line 3: EXT-X-SKIP: SKIPPED-SEGMENTS '-2' is negative" },
		{ MEDIA_HEAD "#EXT-X-PRELOAD-HINT:TYPE=PART\n",
		  "line 3: EXT-X-PRELOAD-HINT: missing URI" },
		/* first error wins */
		{ MEDIA_HEAD "#EXTINF:x,\n#EXTINF:y,\na.ts\n",
		  "line 3: EXTINF: duration 'x' is not a number" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, -1, cases[i].err);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "#EXTM3U\n#EXT-X-VERSION:3\0\n";
	vsp_hls_playlist *pl = NULL;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(vsp_hls_parse(text, sizeof(text) - 1, NULL, &pl, err,
				       sizeof(err)),
			 -1);
	assert_null(pl);
	assert_string_equal(err, "line 2: contains a NUL byte");
}

/* Not NUL-terminated: the parser must stop at len. */
static void test_not_terminated(void **state)
{
	char *buf = malloc(40);
	vsp_hls_playlist *pl = NULL;
	char err[ERRLEN];
	static const char text[] = "#EXTM3U\n#EXT-X-TARGETDURATION:4";

	(void)state;
	assert_non_null(buf);
	memcpy(buf, text, sizeof(text) - 1);
	assert_int_equal(vsp_hls_parse(buf, sizeof(text) - 1, NULL, &pl, err,
				       sizeof(err)),
			 0);
	assert_true(pl->target_duration == 4.0);
	vsp_hls_free(pl);
	free(buf);
}

static void test_small_err_buffer(void **state)
{
	vsp_hls_playlist *pl = NULL;
	char err[8];

	(void)state;
	assert_int_equal(vsp_hls_parse("nope", 4, NULL, &pl, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "line 1:");
	assert_int_equal(vsp_hls_parse("nope", 4, NULL, &pl, NULL, 0), -1);
	assert_null(pl);
	assert_int_equal(vsp_hls_parse(NULL, 0, NULL, &pl, err, sizeof(err)),
			 -1);
	assert_null(pl);
	vsp_hls_free(NULL);
	assert_null(vsp_hls_to_json(NULL));
}

/* ---- limits: -2 and a message naming the limit ---- */

static char *repeat(const char *head, const char *unit, size_t n,
		    const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *buf = malloc(hl + ul * n + tl + 1), *p;

	assert_non_null(buf);
	memcpy(buf, head, hl);
	p = buf + hl;
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return buf;
}

static void expect_limit(char *text, const char *want)
{
	vsp_hls_playlist *pl = NULL;
	char err[ERRLEN];

	assert_int_equal(
		vsp_hls_parse(text, strlen(text), NULL, &pl, err, sizeof(err)),
		-2);
	assert_null(pl);
	assert_string_equal(err, want);
	free(text);
}

static void test_limits(void **state)
{
	char want[256];

	(void)state;
	/* The segment over the cap fails on its URI line. */
	snprintf(want, sizeof(want),
		 "line %d: more than %d segments (VSP_HLS_MAX_SEGMENTS)",
		 2 + 2 * (VSP_HLS_MAX_SEGMENTS + 1), VSP_HLS_MAX_SEGMENTS);
	expect_limit(repeat("#EXTM3U\n#EXT-X-TARGETDURATION:1\n",
			    "#EXTINF:1,\na\n", VSP_HLS_MAX_SEGMENTS + 1, ""),
		     want);
	snprintf(want, sizeof(want),
		 "line %d: more than %d variants (VSP_MAX_RENDITIONS)",
		 1 + 2 * (VSP_MAX_RENDITIONS + 1), VSP_MAX_RENDITIONS);
	expect_limit(repeat("#EXTM3U\n", "#EXT-X-STREAM-INF:BANDWIDTH=1\nv\n",
			    VSP_MAX_RENDITIONS + 1, ""),
		     want);
	snprintf(want, sizeof(want),
		 "line %d: EXT-X-MEDIA: more than %d EXT-X-MEDIA renditions "
		 "(VSP_MAX_RENDITIONS)",
		 2 + VSP_MAX_RENDITIONS, VSP_MAX_RENDITIONS);
	expect_limit(repeat("#EXTM3U\n",
			    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=a,NAME=b\n",
			    VSP_MAX_RENDITIONS + 1, ""),
		     want);
	snprintf(want, sizeof(want),
		 "line 2: EXT-X-STREAM-INF: more than %d attributes "
		 "(VSP_HLS_MAX_ATTRS)",
		 VSP_HLS_MAX_ATTRS);
	{
		size_t cap = 64 + (VSP_HLS_MAX_ATTRS + 1) * 16, off;
		char *t = malloc(cap);

		assert_non_null(t);
		off = (size_t)snprintf(t, cap,
				       "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1");
		for (int i = 1; i <= VSP_HLS_MAX_ATTRS; i++)
			off += (size_t)snprintf(t + off, cap - off,
						",X-A%d=1", i);
		snprintf(t + off, cap - off, "\nv.m3u8\n");
		expect_limit(t, want);
	}
	snprintf(want, sizeof(want),
		 "line 2: longer than %d bytes (VSP_HLS_MAX_LINE)",
		 VSP_HLS_MAX_LINE);
	expect_limit(repeat("#EXTM3U\n#", "x", VSP_HLS_MAX_LINE, "\n"), want);
}

/* Exactly at the line cap is fine. */
static void test_line_at_limit(void **state)
{
	char *t = repeat("#EXTM3U\n#", "x", VSP_HLS_MAX_LINE - 1, "\n");
	vsp_hls_playlist *pl = parse_ok_base(t, NULL);

	(void)state;
	vsp_hls_free(pl);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_truncated),
		cmocka_unit_test(test_master_variants),
		cmocka_unit_test(test_master_media),
		cmocka_unit_test(test_master_json),
		cmocka_unit_test(test_iframe_lenient),
		cmocka_unit_test(test_segment_uris),
		cmocka_unit_test(test_no_base_keeps_uris),
		cmocka_unit_test(test_segments_basic),
		cmocka_unit_test(test_byteranges),
		cmocka_unit_test(test_byterange_implicit_after_other),
		cmocka_unit_test(test_pdt_epoch),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_discontinuities),
		cmocka_unit_test(test_program_date_time),
		cmocka_unit_test(test_live_or_vod),
		cmocka_unit_test(test_live_dangling_extinf),
		cmocka_unit_test(test_vod_without_targetduration),
		cmocka_unit_test(test_iframes_only),
		cmocka_unit_test(test_low_latency),
		cmocka_unit_test(test_empty_playlists),
		cmocka_unit_test(test_media_json),
		cmocka_unit_test(test_ll_json),
		cmocka_unit_test(test_start_parse),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_start_index),
		cmocka_unit_test(test_start_master),
		cmocka_unit_test(test_start_json),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_not_terminated),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_line_at_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
