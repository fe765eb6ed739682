/*
 * test_dash_segment.c - DASH segment arithmetic (lib/dash_segment.c): every
 * addressing mode checked against exact URLs, the live edge against a fixed
 * clock. MPDs are strings parsed by lib/dash.c.
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

#include "dash_fixture.h"
#include "manifest_json.h"

/* ---- addressing ---- */

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_number),
		cmocka_unit_test(test_template_timeline),
		cmocka_unit_test(test_segment_list),
		cmocka_unit_test(test_segment_base),
		cmocka_unit_test(test_live_edge),
		cmocka_unit_test(test_live_epoch),
		cmocka_unit_test(test_newest_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
