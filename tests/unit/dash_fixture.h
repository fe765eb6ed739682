/*
 * dash_fixture.h - what the DASH unit tests share (test_dash.c,
 * test_dash_segment.c): MPDs parsed or the test fails, and a segment's URL
 * checked. Include after <cmocka.h>.
 */
#ifndef VSP_TEST_DASH_FIXTURE_H
#define VSP_TEST_DASH_FIXTURE_H

#include "dash.h"
#include "dash_segment.h"

#define CORPUS "tests/corpus/dash"
#define BASE   "https://cdn.example.com/vod/show/manifest.mpd"
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

/* Two Representations addressed by SegmentTemplate@duration and $Number$. */
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

#endif
