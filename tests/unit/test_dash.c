/*
 * test_dash.c - the MPD parser and DASH segment addressing (lib/dash.c).
 *
 * Offline: MPDs are strings here or files of the shared corpus
 * (tests/corpus/dash from the repository root). Every addressing mode is
 * checked against exact URLs; the live edge against a fixed clock. Hostile
 * documents must fail cleanly (manifest_syntax: -1, too_large: -2) and the
 * external-entity case proves, with inotify, that the file it names is never
 * opened. Run under valgrind or ASan: every error path frees what it built.
 *
 * Corpus outcomes (files not listed parse, and every Representation either
 * yields a segment or a precise error):
 *
 * | file                                        | outcome                      |
 * |---------------------------------------------|------------------------------|
 * | malformed-missing-attribute-whitespace.mpd  | rejected: XML attributes construct error |
 * | malformed-not-xml.mpd                       | rejected: not XML            |
 * | malformed-truncated-after-mpd-start-tag.mpd | rejected: premature end      |
 * | edge-empty-segment-timeline.mpd             | parses; Representation: "SegmentTimeline is empty" |
 * | edge-dynamic-no-segment-info.mpd            | parses; Representation: no segment information |
 * | dynamic-multiperiod-timeline-drm.mpd,       | parses; the last period's   |
 * | static-5-periods-timeline-drm.mpd           | @initialization uses $Number$: that Representation errors (ISO/IEC 23009-1 forbids it) |
 * | dynamic-availability-time-offset-*.mpd      | parses; empty SegmentTemplate/List: no @media / no segment |
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cmocka.h>

#include "dash.h"
#include "limits.h"

#define CORPUS "tests/corpus/dash"
#define BASE "https://cdn.example.com/vod/show/manifest.mpd"
#define ERRLEN 1024

/* 2024-01-01T00:00:00Z */
#define T2024 1704067200.0

static vsp_dash_mpd *parse_ok(const char *xml, const char *base)
{
	vsp_dash_mpd *m = NULL;
	char err[ERRLEN];
	int rc = vsp_dash_parse(xml, strlen(xml), base, &m, err, sizeof(err));

	if (rc != 0)
		fail_msg("parse failed (%d): %s", rc, err);
	assert_non_null(m);
	return m;
}

static int parse_rc(const char *xml, size_t len, char *err, size_t errlen)
{
	vsp_dash_mpd *m = NULL;
	int rc = vsp_dash_parse(xml, len, BASE, &m, err, errlen);

	if (rc == 0)
		vsp_dash_free(m);
	else
		assert_null(m);
	return rc;
}

static const vsp_dash_representation *rep_of(const vsp_dash_mpd *m, size_t p,
					      size_t a, size_t r)
{
	assert_true(p < m->n_periods);
	assert_true(a < m->periods[p].n_sets);
	assert_true(r < m->periods[p].sets[a].n_reps);
	return &m->periods[p].sets[a].reps[r];
}

/* Segment index of rep (period 0) and its URL. */
static void expect_seg(const vsp_dash_mpd *m, size_t a, size_t r, int64_t i,
		       const char *url, int64_t number)
{
	vsp_dash_segment s;
	char err[ERRLEN];

	if (vsp_dash_segment_at(m, &m->periods[0], rep_of(m, 0, a, r), i, &s,
				err, sizeof(err)) != 0)
		fail_msg("segment %lld: %s", (long long)i, err);
	assert_string_equal(s.url, url);
	assert_int_equal(s.number, number);
	vsp_dash_segment_clear(&s);
}

/* ---- corpus ---- */

static int expected_rejected(const char *name)
{
	return strncmp(name, "malformed-", 10) == 0;
}

static void test_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	size_t files = 0;

	(void)state;
	if (!d)
		fail_msg("corpus %s not found (run from the repository root)",
			 CORPUS);
	while ((e = readdir(d)) != NULL) {
		char path[1024], err[ERRLEN];
		FILE *f;
		char *buf;
		long n;
		vsp_dash_mpd *m = NULL;
		int rc;

		if (!strstr(e->d_name, ".mpd"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		rewind(f);
		buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		rc = vsp_dash_parse(buf, (size_t)n, BASE, &m, err, sizeof(err));
		if (expected_rejected(e->d_name)) {
			if (rc == 0)
				fail_msg("%s: parsed but should be rejected",
					 e->d_name);
			assert_int_equal(rc, -1);
			assert_true(strlen(err) > 0);
		} else {
			json_t *j;

			if (rc != 0)
				fail_msg("%s: %s", e->d_name, err);
			/* Every Representation: a segment or an error, no
			 * crash; JSON always builds. */
			for (size_t p = 0; p < m->n_periods; p++)
				for (size_t a = 0; a < m->periods[p].n_sets; a++)
					for (size_t r = 0;
					     r < m->periods[p].sets[a].n_reps; r++) {
						vsp_dash_segment s;

						if (vsp_dash_pick_segment(
							    m, &m->periods[p],
							    &m->periods[p].sets[a].reps[r],
							    T2024, &s, err,
							    sizeof(err)) == 0)
							assert_non_null(s.url);
						else
							assert_true(strlen(err) > 0);
						vsp_dash_segment_clear(&s);
					}
			j = vsp_dash_to_json(m);
			assert_non_null(j);
			json_decref(j);
			vsp_dash_free(m);
		}
		free(buf);
		files++;
	}
	closedir(d);
	assert_true(files >= 60);
}

/* ---- addressing ---- */

static const char mpd_number[] =
	"<?xml version=\"1.0\"?>\n"
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
	"mediaPresentationDuration=\"PT10S\">\n"
	"<Period>\n"
	"<AdaptationSet mimeType=\"video/mp4\" codecs=\"avc1.64001f\">\n"
	"<SegmentTemplate timescale=\"1000\" duration=\"2000\" startNumber=\"5\"\n"
	" initialization=\"$RepresentationID$/init.mp4\"\n"
	" media=\"$RepresentationID$/$Bandwidth$/seg-$Number%05d$-$$.m4s\"/>\n"
	"<Representation id=\"v1\" bandwidth=\"800000\" width=\"640\" "
	"height=\"360\"/>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_template_number(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_number, BASE);
	const vsp_dash_representation *r = rep_of(m, 0, 0, 0);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(r->addr, VSP_DASH_ADDR_TEMPLATE);
	assert_string_equal(r->codecs, "avc1.64001f");
	assert_string_equal(r->mime_type, "video/mp4");
	expect_seg(m, 0, 0, 0,
		   "https://cdn.example.com/vod/show/v1/800000/seg-00005-$.m4s",
		   5);
	expect_seg(m, 0, 0, 4,
		   "https://cdn.example.com/vod/show/v1/800000/seg-00009-$.m4s",
		   9);
	/* 10 s of 2 s segments: five, no sixth. */
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], r, 5, &s, err,
					     sizeof(err)),
			 -1);
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0], r, 0, &s, err,
					       sizeof(err)),
			 0);
	assert_string_equal(s.init_url,
			    "https://cdn.example.com/vod/show/v1/init.mp4");
	assert_true(fabs(s.duration - 2.0) < 1e-9);
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);
}

static const char mpd_timeline[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\">\n"
	"<Period duration=\"PT60S\">\n"
	"<AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\">\n"
	"<SegmentTemplate timescale=\"100\" presentationTimeOffset=\"1000\"\n"
	" media=\"a/$Time$.m4s\" initialization=\"a/init.mp4\">\n"
	"<SegmentTimeline>\n"
	"<S t=\"1000\" d=\"500\" r=\"2\"/>\n"
	"<S d=\"700\"/>\n"
	"<S t=\"5000\" d=\"100\" r=\"-1\"/>\n"
	"</SegmentTimeline>\n"
	"</SegmentTemplate>\n"
	"<Representation id=\"a1\" bandwidth=\"64000\"/>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_template_timeline(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_timeline, BASE);
	const vsp_dash_representation *r = rep_of(m, 0, 0, 0);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(r->n_timeline, 3);
	assert_int_equal(r->timeline[1].t, 2500);
	expect_seg(m, 0, 0, 0, "https://cdn.example.com/vod/show/a/1000.m4s", 1);
	expect_seg(m, 0, 0, 2, "https://cdn.example.com/vod/show/a/2000.m4s", 3);
	expect_seg(m, 0, 0, 3, "https://cdn.example.com/vod/show/a/2500.m4s", 4);
	expect_seg(m, 0, 0, 4, "https://cdn.example.com/vod/show/a/5000.m4s", 5);
	expect_seg(m, 0, 0, 5, "https://cdn.example.com/vod/show/a/5100.m4s", 6);
	/* r=-1 runs to the period end: (1000 + 60 s * 100) - 5000 = 2000
	 * ticks of 100: 20 segments, the last at 6900. */
	expect_seg(m, 0, 0, 23, "https://cdn.example.com/vod/show/a/6900.m4s",
		   24);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], r, 24, &s, err,
					     sizeof(err)),
			 -1);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], r, 3, &s, err,
					     sizeof(err)),
			 0);
	assert_true(fabs(s.duration - 7.0) < 1e-9);
	assert_true(fabs(s.start - 15.0) < 1e-9); /* (2500 - 1000) / 100 */
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);
}

static const char mpd_list[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
	"mediaPresentationDuration=\"PT20S\">\n"
	"<BaseURL>https://media.example.org/list/</BaseURL>\n"
	"<Period>\n<AdaptationSet mimeType=\"video/mp4\">\n"
	"<Representation id=\"r\" bandwidth=\"1\">\n"
	"<SegmentList timescale=\"1000\" duration=\"9982\">\n"
	"<Initialization sourceURL=\"v.mp4\" range=\"36-745\"/>\n"
	"<SegmentURL media=\"v.mp4\" mediaRange=\"746-18481\"/>\n"
	"<SegmentURL media=\"w.mp4?x=1&amp;y=2\"/>\n"
	"</SegmentList>\n</Representation>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_segment_list(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_list, BASE);
	const vsp_dash_representation *r = rep_of(m, 0, 0, 0);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(r->addr, VSP_DASH_ADDR_LIST);
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0], r, 0, &s, err,
					       sizeof(err)),
			 0);
	assert_string_equal(s.url, "https://media.example.org/list/v.mp4");
	assert_int_equal(s.offset, 746);
	assert_int_equal(s.length, 18481 - 746 + 1);
	assert_string_equal(s.init_url, "https://media.example.org/list/v.mp4");
	assert_int_equal(s.init_offset, 36);
	assert_int_equal(s.init_length, 710);
	assert_true(fabs(s.duration - 9.982) < 1e-9);
	vsp_dash_segment_clear(&s);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], r, 1, &s, err,
					     sizeof(err)),
			 0);
	assert_string_equal(s.url, "https://media.example.org/list/w.mp4?x=1&y=2");
	assert_int_equal(s.length, -1);
	vsp_dash_segment_clear(&s);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], r, 2, &s, err,
					     sizeof(err)),
			 -1);
	vsp_dash_free(m);
}

static const char mpd_base[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
	"mediaPresentationDuration=\"PT30S\">\n"
	"<Period>\n<AdaptationSet mimeType=\"audio/mp4\">\n"
	"<Representation id=\"a\" bandwidth=\"1\">\n"
	"<BaseURL>audio/a.mp4</BaseURL>\n"
	"<SegmentBase indexRange=\"700-899\">\n"
	"<Initialization range=\"0-699\"/>\n"
	"</SegmentBase>\n</Representation>\n"
	"<Representation id=\"b\" bandwidth=\"2\">\n"
	"<BaseURL>audio/b.mp4</BaseURL>\n"
	"<SegmentBase indexRange=\"812-1011\"/>\n"
	"</Representation>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_segment_base(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_base, BASE);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0],
					       rep_of(m, 0, 0, 0), 0, &s, err,
					       sizeof(err)),
			 0);
	assert_string_equal(s.url,
			    "https://cdn.example.com/vod/show/audio/a.mp4");
	assert_true(s.needs_index);
	assert_int_equal(s.index_offset, 700);
	assert_int_equal(s.index_length, 200);
	assert_string_equal(s.init_url,
			    "https://cdn.example.com/vod/show/audio/a.mp4");
	assert_int_equal(s.init_offset, 0);
	assert_int_equal(s.init_length, 700);
	vsp_dash_segment_clear(&s);
	/* No Initialization: the bytes before the sidx hold the moov. */
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0],
					       rep_of(m, 0, 0, 1), 0, &s, err,
					       sizeof(err)),
			 0);
	assert_string_equal(s.init_url,
			    "https://cdn.example.com/vod/show/audio/b.mp4");
	assert_int_equal(s.init_length, 812);
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);
}

static const char mpd_inherit[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
	"mediaPresentationDuration=\"PT8S\">\n"
	"<BaseURL>https://cdn2.example.net/root/</BaseURL>\n"
	"<Period>\n"
	"<BaseURL>p1/</BaseURL>\n"
	"<SegmentTemplate media=\"$RepresentationID$_$Number$.m4s\" "
	"initialization=\"$RepresentationID$_init.m4s\" timescale=\"10\" "
	"duration=\"40\"/>\n"
	"<AdaptationSet mimeType=\"video/mp4\" codecs=\"avc1.4d401f\" "
	"width=\"1280\" height=\"720\" frameRate=\"30000/1001\">\n"
	"<BaseURL>../as/</BaseURL>\n"
	"<SegmentTemplate timescale=\"1000\" duration=\"2000\"/>\n"
	"<Representation id=\"hd\" bandwidth=\"3000000\">\n"
	"<BaseURL>rep/</BaseURL>\n"
	"<SegmentTemplate startNumber=\"0\"/>\n"
	"</Representation>\n"
	"<Representation id=\"abs\" bandwidth=\"1000000\" width=\"640\" "
	"height=\"360\">\n"
	"<BaseURL>https://other.example.com/x/</BaseURL>\n"
	"</Representation>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_inheritance_and_baseurl(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_inherit, BASE);
	const vsp_dash_representation *hd = rep_of(m, 0, 0, 0);
	const vsp_dash_representation *ab = rep_of(m, 0, 0, 1);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_string_equal(hd->base_url,
			    "https://cdn2.example.net/root/as/rep/");
	assert_string_equal(hd->codecs, "avc1.4d401f");
	assert_int_equal(hd->width, 1280);
	assert_int_equal(hd->height, 720);
	assert_true(fabs(hd->frame_rate - 29.97003) < 1e-4);
	assert_int_equal(ab->width, 640);
	/* media from the Period, timescale/duration from the set, startNumber
	 * from the Representation. */
	assert_int_equal(hd->timescale, 1000);
	assert_int_equal(hd->duration, 2000);
	assert_int_equal(hd->start_number, 0);
	expect_seg(m, 0, 0, 0, "https://cdn2.example.net/root/as/rep/hd_0.m4s",
		   0);
	expect_seg(m, 0, 0, 3, "https://cdn2.example.net/root/as/rep/hd_3.m4s",
		   3);
	expect_seg(m, 0, 1, 0, "https://other.example.com/x/abs_1.m4s", 1);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], hd, 0, &s, err,
					     sizeof(err)),
			 0);
	assert_string_equal(s.init_url,
			    "https://cdn2.example.net/root/as/rep/hd_init.m4s");
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);

	/* Relative BaseURLs at every level against the MPD URL. */
	m = parse_ok("<MPD type=\"static\"><BaseURL>a/</BaseURL><Period>"
		     "<BaseURL>b/</BaseURL><AdaptationSet mimeType=\"video/mp4\">"
		     "<BaseURL>/c/</BaseURL><Representation id=\"r\" "
		     "bandwidth=\"1\"><BaseURL>d/e.mp4</BaseURL>"
		     "</Representation></AdaptationSet></Period></MPD>",
		     "https://h.example/x/y/m.mpd?tok=1");
	assert_string_equal(rep_of(m, 0, 0, 0)->base_url,
			    "https://h.example/c/d/e.mp4");
	expect_seg(m, 0, 0, 0, "https://h.example/c/d/e.mp4", 1);
	vsp_dash_free(m);
}

/* ---- live ---- */

static const char mpd_live_fmt[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" "
	"availabilityStartTime=\"2024-01-01T00:00:00Z\" "
	"timeShiftBufferDepth=\"PT30S\" %s>\n"
	"<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" "
	"value=\"2024-01-01T00:01:40Z\"/>\n"
	"<Period id=\"p0\" start=\"PT0S\">\n"
	"<AdaptationSet mimeType=\"video/mp4\">\n"
	"<SegmentTemplate timescale=\"1000\" duration=\"2000\" startNumber=\"10\" "
	"media=\"v_$Number$.m4s\"/>\n"
	"<Representation id=\"v\" bandwidth=\"1\"/>\n"
	"</AdaptationSet>\n"
	"<AdaptationSet mimeType=\"audio/mp4\">\n"
	"<SegmentTemplate timescale=\"48000\" media=\"a_$Time$.m4s\">\n"
	"<SegmentTimeline><S t=\"0\" d=\"96000\" r=\"-1\"/></SegmentTimeline>\n"
	"</SegmentTemplate>\n"
	"<Representation id=\"a\" bandwidth=\"1\"/>\n"
	"</AdaptationSet>\n"
	"</Period>\n%s</MPD>\n";

static vsp_dash_mpd *live_mpd(const char *attrs, const char *more)
{
	char xml[4096];

	snprintf(xml, sizeof(xml), mpd_live_fmt, attrs, more);
	return parse_ok(xml, "http://live.example/ch1/manifest.mpd");
}

static void expect_live(const vsp_dash_mpd *m, size_t a, double now,
			const char *url, int64_t number)
{
	const vsp_dash_period *p = vsp_dash_current_period(m, now);
	vsp_dash_segment s;
	char err[ERRLEN];

	assert_non_null(p);
	if (vsp_dash_pick_segment(m, p, &p->sets[a].reps[0], now, &s, err,
				  sizeof(err)) != 0)
		fail_msg("live pick: %s", err);
	assert_string_equal(s.url, url);
	assert_int_equal(s.number, number);
	vsp_dash_segment_clear(&s);
}

/* DASH-IF's reference live source uses the epoch as
 * @availabilityStartTime: a date, not "absent" (it used to read as a live
 * MPD without one, so no segment could be picked). */
static void test_live_epoch(void **state)
{
	static const char xml[] =
		"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" "
		"availabilityStartTime=\"1970-01-01T00:00:00Z\" "
		"publishTime=\"1970-01-01T00:00:00Z\" "
		"timeShiftBufferDepth=\"PT30S\">\n"
		"<Period id=\"p0\" start=\"PT0S\">\n"
		"<AdaptationSet mimeType=\"video/mp4\">\n"
		"<SegmentTemplate timescale=\"1000\" duration=\"2000\" "
		"startNumber=\"0\" media=\"v_$Number$.m4s\"/>\n"
		"<Representation id=\"v\" bandwidth=\"1\"/>\n"
		"</AdaptationSet>\n</Period>\n</MPD>\n";
	vsp_dash_mpd *m = parse_ok(xml, "http://live.example/ch1/manifest.mpd");
	json_t *j;

	(void)state;
	assert_int_equal(m->has_availability_start, 1);
	assert_int_equal(m->has_publish_time, 1);
	assert_true(m->availability_start == 0);
	/* 1000.5 s after the epoch, 2 s back: the segment ending at 998 s. */
	expect_live(m, 0, 1000.5, "http://live.example/ch1/v_498.m4s", 498);
	j = vsp_dash_to_json(m);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				    j, "availability_start_time")),
			    "1970-01-01T00:00:00.000Z");
	json_decref(j);
	vsp_dash_free(m);
}

static void test_live_edge(void **state)
{
	vsp_dash_mpd *m = live_mpd("", "");
	vsp_dash_segment s;
	char err[ERRLEN];
	double now = T2024 + 100.5;

	(void)state;
	assert_true(m->dynamic);
	assert_true(fabs(m->availability_start - T2024) < 1e-6);
	assert_int_equal(m->n_utc, 1);
	assert_string_equal(m->utc[0].value, "2024-01-01T00:01:40Z");
	/* Edge 100.5 - 2 (margin) = 98.5 s: the newest complete 2 s segment
	 * is the one ending at 98 s, index 48. */
	expect_live(m, 0, now, "http://live.example/ch1/v_58.m4s", 58);
	/* r="-1" open-ended: same arithmetic on the timeline. */
	expect_live(m, 1, now, "http://live.example/ch1/a_4608000.m4s", 49);
	/* Before the first segment is complete: a clean error. */
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0],
					       rep_of(m, 0, 0, 0), T2024 + 3.0,
					       &s, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no segment is complete yet"));
	vsp_dash_free(m);

	/* suggestedPresentationDelay 10 s: edge 90.5 s, index 44. */
	m = live_mpd("suggestedPresentationDelay=\"PT10S\"", "");
	expect_live(m, 0, now, "http://live.example/ch1/v_54.m4s", 54);
	vsp_dash_free(m);

	/* A delay past the time-shift window is clamped to half of it
	 * (15 s): edge 85.5 s, index 41. */
	m = live_mpd("suggestedPresentationDelay=\"PT1M\"", "");
	expect_live(m, 0, now, "http://live.example/ch1/v_51.m4s", 51);
	vsp_dash_free(m);

	/* A second period from 60 s: it is the current one, and its time
	 * counts from its start: 38.5 s in, index 18. */
	m = live_mpd("", "<Period id=\"p1\" start=\"PT60S\"><AdaptationSet "
			 "mimeType=\"video/mp4\"><SegmentTemplate "
			 "timescale=\"1\" duration=\"2\" media=\"p1_$Number$.m4s\"/>"
			 "<Representation id=\"v\" bandwidth=\"1\"/>"
			 "</AdaptationSet></Period>\n");
	assert_ptr_equal(vsp_dash_current_period(m, now), &m->periods[1]);
	assert_ptr_equal(vsp_dash_current_period(m, T2024 + 59), &m->periods[0]);
	assert_null(vsp_dash_current_period(m, T2024 - 1));
	expect_live(m, 0, now, "http://live.example/ch1/p1_19.m4s", 19);
	/* The first period ended at 60 s: its last segment is index 29. */
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0],
					       rep_of(m, 0, 0, 0), now, &s, err,
					       sizeof(err)),
			 0);
	assert_string_equal(s.url, "http://live.example/ch1/v_39.m4s");
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);

	/* No availabilityStartTime: no edge. */
	m = parse_ok("<MPD type=\"dynamic\"><Period><AdaptationSet>"
		     "<SegmentTemplate duration=\"2\" media=\"x$Number$\"/>"
		     "<Representation id=\"v\"/></AdaptationSet></Period></MPD>",
		     BASE);
	assert_int_equal(vsp_dash_pick_segment(m, &m->periods[0],
					       rep_of(m, 0, 0, 0), now, &s, err,
					       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "availabilityStartTime"));
	vsp_dash_free(m);
}

/* The newest segment a live MPD lists: only for a closed SegmentTimeline;
 * clock-computed segments (@duration, r="-1") list none. */
static void test_newest_listed(void **state)
{
	vsp_dash_mpd *m = live_mpd("", "");
	double end, d;
	int64_t num;

	(void)state;
	/* @duration template and an r="-1" timeline: computed, not listed. */
	assert_int_equal(vsp_dash_newest_listed(m, &m->periods[0],
						rep_of(m, 0, 0, 0), &end, &d,
						&num),
			 -1);
	assert_int_equal(vsp_dash_newest_listed(m, &m->periods[0],
						rep_of(m, 0, 1, 0), &end, &d,
						&num),
			 -1);
	vsp_dash_free(m);

	/* S t=1000 d=2000 r=2, then d=1000, in 1/1000 s with a
	 * presentationTimeOffset of 1000: segments end 2, 4, 6 and 7 s into
	 * the period, which starts 10 s after availabilityStartTime: the
	 * newest ends at 17 s and is number 5 + 3. */
	m = parse_ok("<MPD type=\"dynamic\" "
		     "availabilityStartTime=\"2024-01-01T00:00:00Z\">"
		     "<Period start=\"PT10S\"><AdaptationSet mimeType=\"video/mp4\">"
		     "<SegmentTemplate timescale=\"1000\" startNumber=\"5\" "
		     "presentationTimeOffset=\"1000\" media=\"v$Number$\">"
		     "<SegmentTimeline><S t=\"1000\" d=\"2000\" r=\"2\"/>"
		     "<S d=\"1000\"/></SegmentTimeline></SegmentTemplate>"
		     "<Representation id=\"v\"/></AdaptationSet></Period></MPD>",
		     BASE);
	assert_int_equal(vsp_dash_newest_listed(m, &m->periods[0],
						rep_of(m, 0, 0, 0), &end, &d,
						&num),
			 0);
	assert_true(fabs(end - (T2024 + 17.0)) < 1e-6);
	assert_true(fabs(d - 1.0) < 1e-9);
	assert_int_equal(num, 8);
	vsp_dash_free(m);
}

static void test_expand(void **state)
{
	static const struct {
		const char *tmpl, *out;
	} ok[] = {
		{ "$RepresentationID$/$Number$.m4s", "v1/42.m4s" },
		{ "$Number%05d$", "00042" },
		{ "$Number%1d$", "42" },
		{ "$Time$-$Bandwidth$", "90000-500000" },
		{ "$Time%012d$", "000000090000" },
		{ "a$$b$$", "a$b$" },
		{ "$Bandwidth%x$", "7a120" },
		{ "no-ids", "no-ids" },
	};
	static const char *const bad[] = {
		"$Number", "$Foo$", "$Number%s$", "$Number%n$", "$Number%05$",
		"$RepresentationID%05d$", "$Number%0999d$", "$Number%-5d$",
		"$SubNumber$",
	};
	char err[ERRLEN];
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = vsp_dash_expand(ok[i].tmpl, "v1", 42, 500000, 90000, err,
				    sizeof(err));
		if (!s)
			fail_msg("%s: %s", ok[i].tmpl, err);
		assert_string_equal(s, ok[i].out);
		free(s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = vsp_dash_expand(bad[i], "v1", 42, 500000, 90000, err,
				    sizeof(err));
		if (s)
			fail_msg("'%s' expanded to '%s'", bad[i], s);
		assert_true(strlen(err) > 0);
	}
	/* No @id: $RepresentationID$ cannot expand. */
	assert_null(vsp_dash_expand("$RepresentationID$", NULL, 1, 1, 1, err,
				    sizeof(err)));
	/* Width 64 of a huge number stays inside the URL cap. */
	s = vsp_dash_expand("$Number%064d$", "v", INT64_MAX, 0, 0, err,
			    sizeof(err));
	assert_non_null(s);
	assert_int_equal(strlen(s), 64);
	free(s);
}

/* ---- hostile and malformed ---- */

static void test_billion_laughs(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE MPD [\n"
		" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
		" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
		" <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
		" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
		" <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
		" <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
		"]>\n"
		"<MPD type=\"static\"><Period><AdaptationSet>"
		"<Representation id=\"&h;\"/></AdaptationSet></Period></MPD>\n";
	char err[ERRLEN];

	(void)state;
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE"));
}

static void test_external_entity(void **state)
{
	char dir[] = "/tmp/vsp-dash-XXXXXX", path[256], xml[1024], err[ERRLEN];
	char evbuf[4096];
	int fd, in, wd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/canary", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	close(fd);
	in = inotify_init1(IN_NONBLOCK);
	assert_true(in >= 0);
	wd = inotify_add_watch(in, path, IN_OPEN | IN_ACCESS);
	assert_true(wd >= 0);

	/* Internal subset with an external entity, an external DTD, and the
	 * same for /etc/passwd: all refused, nothing opened. */
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD [ <!ENTITY x SYSTEM "
		 "\"file://%s\"> ]>\n<MPD type=\"static\"><BaseURL>&x;</BaseURL>"
		 "<Period/></MPD>",
		 path);
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_null(strstr(err, "secret"));
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD SYSTEM \"%s\">\n"
		 "<MPD type=\"static\"><Period/></MPD>",
		 path);
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD [ <!ENTITY x SYSTEM "
		 "\"file:///etc/passwd\"> ]>\n<MPD type=\"static\">"
		 "<BaseURL>&x;</BaseURL><Period/></MPD>");
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_null(strstr(err, "root:"));
	/* An entity reference with no DTD at all is not well-formed. */
	snprintf(xml, sizeof(xml),
		 "<MPD type=\"static\"><BaseURL>&x;</BaseURL><Period/></MPD>");
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);

	n = read(in, evbuf, sizeof(evbuf));
	assert_true(n < 0 && errno == EAGAIN); /* no event: never opened */
	close(in);
	unlink(path);
	rmdir(dir);
}

static void test_deep_nesting(void **state)
{
	const size_t depth = 100000;
	size_t len = 0, cap = depth * 7 + 64;
	char *xml = malloc(cap), err[ERRLEN];

	(void)state;
	assert_non_null(xml);
	len += (size_t)snprintf(xml, cap, "<MPD type=\"static\">");
	for (size_t i = 0; i < depth; i++) {
		memcpy(xml + len, "<a>", 3);
		len += 3;
	}
	for (size_t i = 0; i < depth; i++) {
		memcpy(xml + len, "</a>", 4);
		len += 4;
	}
	assert_int_equal(parse_rc(xml, len, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "nested"));
	free(xml);
}

static void test_too_large(void **state)
{
	size_t len = (size_t)VSP_MANIFEST_MAX_BYTES + 1;
	char *xml = malloc(len), err[ERRLEN];

	(void)state;
	assert_non_null(xml);
	memset(xml, ' ', len);
	memcpy(xml, "<MPD>", 5);
	assert_int_equal(parse_rc(xml, len, err, sizeof(err)), -2);
	free(xml);
}

static void test_errors_are_precise(void **state)
{
	static const struct {
		const char *xml, *want;
	} cases[] = {
		{ "<MPD type=\"static\">\n<Period>\n<AdaptationSet>\n"
		  "<Representation id=\"v\" bandwidth=\"abc\"/>\n"
		  "</AdaptationSet></Period></MPD>",
		  "line 4: <Representation> @bandwidth: 'abc' is not an integer" },
		{ "<MPD type=\"static\" mediaPresentationDuration=\"P1M\">"
		  "<Period/></MPD>",
		  "<MPD> @mediaPresentationDuration: 'P1M': months" },
		{ "<MPD type=\"live\"><Period/></MPD>", "@type: 'live'" },
		{ "<MPD type=\"static\"></MPD>", "has no Period" },
		{ "<NotMPD/>", "root element is not MPD" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate>"
		  "<SegmentTimeline><S t=\"0\"/></SegmentTimeline>"
		  "</SegmentTemplate><Representation id=\"v\"/></AdaptationSet>"
		  "</Period></MPD>",
		  "<S> @d is required" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate>"
		  "<SegmentTimeline><S t=\"0\" d=\"1\" r=\"-1\"/><S d=\"1\"/>"
		  "</SegmentTimeline></SegmentTemplate><Representation id=\"v\"/>"
		  "</AdaptationSet></Period></MPD>",
		  "r=\"-1\" but has no @t" },
		{ "<MPD><Period><AdaptationSet><Representation id=\"x\">"
		  "<SegmentList><SegmentURL mediaRange=\"9-3\"/></SegmentList>"
		  "</Representation></AdaptationSet></Period></MPD>",
		  "@mediaRange: '9-3'" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate "
		  "timescale=\"0\"/><Representation id=\"v\"/></AdaptationSet>"
		  "</Period></MPD>",
		  "@timescale: '0'" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate><SegmentTimeline>"
		  "<S t=\"4611686018427387000\" d=\"2305843009213693000\" "
		  "r=\"5\"/></SegmentTimeline></SegmentTemplate>"
		  "<Representation id=\"v\"/></AdaptationSet></Period></MPD>",
		  "overflows" },
		{ "<MPD type=\"static\" availabilityStartTime=\"yesterday\">"
		  "<Period/></MPD>",
		  "@availabilityStartTime: date-time 'yesterday' is not" },
		{ "<MPD><Period></MPD>", "XML:" },
	};
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_rc(cases[i].xml, strlen(cases[i].xml), err,
				  sizeof(err));

		if (rc != -1)
			fail_msg("case %zu: rc %d", i, rc);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
	}
}

/* ---- sidx ---- */

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* A sidx v0 with two references; returns its size. */
static size_t make_sidx(uint8_t *b, int version, uint32_t first_offset,
			uint32_t ref0)
{
	size_t k = 0;

	k += put32(b + k, 0); /* size, patched below */
	memcpy(b + k, "sidx", 4);
	k += 4;
	k += put32(b + k, (uint32_t)version << 24);
	k += put32(b + k, 1);     /* reference_ID */
	k += put32(b + k, 90000); /* timescale */
	if (version == 0) {
		k += put32(b + k, 0);
		k += put32(b + k, first_offset);
	} else {
		k += put32(b + k, 0);
		k += put32(b + k, 0);
		k += put32(b + k, 0);
		k += put32(b + k, first_offset);
	}
	k += put32(b + k, 2); /* reserved, reference_count 2 */
	k += put32(b + k, ref0);
	k += put32(b + k, 180000);
	k += put32(b + k, 0x90000000u);
	k += put32(b + k, 5000);
	k += put32(b + k, 180000);
	k += put32(b + k, 0x90000000u);
	put32(b, (uint32_t)k);
	return k;
}

static void test_sidx(void **state)
{
	uint8_t b[256];
	size_t n;
	int64_t off, len;
	double dur;
	char err[ERRLEN];

	(void)state;
	n = make_sidx(b, 0, 10, 4321);
	assert_int_equal(vsp_dash_sidx_first(b, n, 1000, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, 1000 + (int64_t)n + 10);
	assert_int_equal(len, 4321);
	assert_true(fabs(dur - 2.0) < 1e-9);
	n = make_sidx(b, 1, 0, 77);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, (int64_t)n);
	assert_int_equal(len, 77);
	/* A leading box is skipped. */
	memmove(b + 8, b, n);
	put32(b, 8);
	memcpy(b + 4, "styp", 4);
	assert_int_equal(vsp_dash_sidx_first(b, n + 8, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, (int64_t)n + 8);
	/* Truncated, hierarchical, lying size, nothing. */
	n = make_sidx(b, 0, 0, 77);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(vsp_dash_sidx_first(b, cut, 0, &off, &len, &dur,
						     err, sizeof(err)),
				 -1);
	n = make_sidx(b, 0, 0, 0x80000010u);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "hierarchical"));
	put32(b, 0xfffffff0u);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
	put32(b, 1); /* 64-bit size that is not there */
	assert_int_equal(vsp_dash_sidx_first(b, 12, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
}

static void test_json(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_number, BASE);
	json_t *j = vsp_dash_to_json(m), *rep, *segs;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "static");
	rep = json_array_get(
		json_object_get(
			json_array_get(
				json_object_get(
					json_array_get(json_object_get(j, "periods"),
						       0),
					"adaptation_sets"),
				0),
			"representations"),
		0);
	assert_non_null(rep);
	assert_string_equal(json_string_value(json_object_get(rep, "id")), "v1");
	assert_int_equal(json_integer_value(json_object_get(rep, "width")), 640);
	assert_string_equal(json_string_value(json_object_get(rep, "init")),
			    "https://cdn.example.com/vod/show/v1/init.mp4");
	segs = json_object_get(rep, "segments");
	assert_int_equal(json_array_size(segs), 3);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(segs, 1), "url")),
		"https://cdn.example.com/vod/show/v1/800000/seg-00006-$.m4s");
	json_decref(j);
	vsp_dash_free(m);
}

static void test_detect_and_protection(void **state)
{
	static const char enc[] =
		"<MPD type=\"static\"><Period><AdaptationSet mimeType=\"video/mp4\">"
		"<ContentProtection schemeIdUri=\"urn:uuid:edef8ba9-79d6-4ace-"
		"a3c8-27dcd51d21ed\"/>"
		"<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:"
		"2011\" value=\"cbcs\"/>"
		"<Representation id=\"v\" bandwidth=\"1\"/>"
		"<Representation id=\"w\" bandwidth=\"2\"/></AdaptationSet>"
		"<AdaptationSet mimeType=\"audio/mp4\"><Representation id=\"a\" "
		"bandwidth=\"1\"><ContentProtection schemeIdUri=\"urn:uuid:"
		"9a04f079-9840-4286-ab92-e65be0885f95\"/></Representation>"
		"</AdaptationSet><AdaptationSet mimeType=\"audio/mp4\">"
		"<Representation id=\"clear\" bandwidth=\"1\"/></AdaptationSet>"
		"</Period></MPD>";
	vsp_dash_mpd *m = parse_ok(enc, BASE);

	(void)state;
	assert_true(rep_of(m, 0, 0, 0)->encrypted);
	assert_string_equal(rep_of(m, 0, 0, 1)->drm_scheme, "cbcs");
	assert_true(rep_of(m, 0, 1, 0)->encrypted);
	assert_string_equal(rep_of(m, 0, 1, 0)->drm_scheme,
			    "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95");
	assert_false(rep_of(m, 0, 2, 0)->encrypted);
	vsp_dash_free(m);
	assert_true(vsp_dash_detect((const uint8_t *)enc, strlen(enc)));
	assert_true(vsp_dash_detect((const uint8_t *)mpd_number,
				    strlen(mpd_number)));
	assert_false(vsp_dash_detect((const uint8_t *)"#EXTM3U\n", 8));
	assert_false(vsp_dash_detect((const uint8_t *)"<MPDX>", 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_template_number),
		cmocka_unit_test(test_template_timeline),
		cmocka_unit_test(test_segment_list),
		cmocka_unit_test(test_segment_base),
		cmocka_unit_test(test_inheritance_and_baseurl),
		cmocka_unit_test(test_live_edge),
		cmocka_unit_test(test_live_epoch),
		cmocka_unit_test(test_newest_listed),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_external_entity),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_errors_are_precise),
		cmocka_unit_test(test_sidx),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_detect_and_protection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
