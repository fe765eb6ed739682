/*
 * test_live.c - the staleness decision of live.c (vsp_live_unchanged_s(),
 * vsp_live_staleness()) with a fixed clock.
 *
 * Tables: each kind of evidence (reload span, HTTP Age, Last-Modified, the
 * end of the newest segment) alone just below and at the warn (1.5x) and
 * fail (3x) thresholds, thresholds given per probe, no evidence, no target
 * duration; then fixed live playlists read by the HLS parser, the way
 * probe_hls.c turns them into evidence. Offline; no clock is read, so every
 * row gives the same answer on every machine.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hls.h"
#include "limits.h"
#include "live.h"

/* The fixed clock: a whole second, so that Last-Modified (whole seconds on
 * the wire) lands exactly where a row says. */
#define NOW 1700000000.0
/* Target duration of most rows: 10 s makes 1.4x ... 3.0x whole seconds. */
#define TD 10.0
#define W VSP_STALE_WARN_FACTOR
#define F VSP_STALE_FAIL_FACTOR

/* Evidence of u seconds without a change, one kind at a time. Unknown
 * values as live.h defines them: negative spans and ages, 0 times. */
#define NONE .age_s = -1, .reload_span_s = -1
#define SPAN(u) .age_s = -1, .reload_span_s = (u)
#define AGE(u) .age_s = (u), .reload_span_s = -1
/* Last-Modified has whole seconds: "NOW - u - 1" says the change was in
 * [NOW - u - 1, NOW - u), so at least u seconds ago. */
#define LM(u) NONE, .last_modified = NOW - (u) - 1
#define END(u) NONE, .newest_end = NOW - (u)

struct row {
	const char *name;
	vsp_live_evidence ev; /* .now: NOW when 0 */
	double td, warn, fail;
	vsp_status want;
	double want_unchanged;
};

static const struct row rows[] = {
	/* A reload showed a newer segment: nothing else matters. */
	{ "advanced", { SPAN(2.0), .advanced = 1 }, TD, W, F, VSP_PASS, 2.0 },
	{ "advanced despite old headers",
	  { AGE(100), .last_modified = NOW - 1000, .newest_end = NOW - 500,
	    .advanced = 1 },
	  TD, W, F, VSP_PASS, 999.0 },

	{ "span 1.4x", { SPAN(14) }, TD, W, F, VSP_PASS, 14 },
	{ "span 1.5x", { SPAN(15) }, TD, W, F, VSP_WARN, 15 },
	{ "span 2.9x", { SPAN(29) }, TD, W, F, VSP_WARN, 29 },
	{ "span 3.0x", { SPAN(30) }, TD, W, F, VSP_FAIL, 30 },

	{ "Age 1.4x", { AGE(14) }, TD, W, F, VSP_PASS, 14 },
	{ "Age 1.5x", { AGE(15) }, TD, W, F, VSP_WARN, 15 },
	{ "Age 2.9x", { AGE(29) }, TD, W, F, VSP_WARN, 29 },
	{ "Age 3.0x", { AGE(30) }, TD, W, F, VSP_FAIL, 30 },
	{ "Age 0 is evidence", { AGE(0) }, TD, W, F, VSP_PASS, 0 },

	{ "Last-Modified 1.4x", { LM(14) }, TD, W, F, VSP_PASS, 14 },
	{ "Last-Modified 1.5x", { LM(15) }, TD, W, F, VSP_WARN, 15 },
	{ "Last-Modified 2.9x", { LM(29) }, TD, W, F, VSP_WARN, 29 },
	{ "Last-Modified 3.0x", { LM(30) }, TD, W, F, VSP_FAIL, 30 },
	/* The header says 1699999999; the playlist changed at .9 of that
	 * second, 0.7 s before a clock at .6: a 1 s stream updated on time.
	 * Reading the header as the exact time makes it 1.6 s: a false warn
	 * on every healthy 1 s stream probed without a reload in 4 of 10
	 * phases. */
	{ "Last-Modified is whole seconds",
	  { NONE, .now = NOW + 0.6, .last_modified = NOW - 1 }, 1.0, W, F,
	  VSP_PASS, 0.6 },
	/* Changed within this very second: at least 0 s, which is known. */
	{ "Last-Modified this second",
	  { NONE, .now = NOW + 0.3, .last_modified = NOW }, 1.0, W, F,
	  VSP_PASS, 0 },
	{ "Last-Modified 1.5x of 1 s",
	  { NONE, .now = NOW + 0.6, .last_modified = NOW - 2 }, 1.0, W, F,
	  VSP_WARN, 1.6 },
	/* A Last-Modified after the clock (skewed origin): no evidence. */
	{ "Last-Modified in the future",
	  { NONE, .last_modified = NOW + 30 }, TD, W, F, VSP_PASS, -1 },

	{ "newest end 1.4x", { END(14) }, TD, W, F, VSP_PASS, 14 },
	{ "newest end 1.5x", { END(15) }, TD, W, F, VSP_WARN, 15 },
	{ "newest end 2.9x", { END(29) }, TD, W, F, VSP_WARN, 29 },
	{ "newest end 3.0x", { END(30) }, TD, W, F, VSP_FAIL, 30 },
	/* An encoder clock ahead of ours: no evidence, not "fresh". */
	{ "newest end in the future", { END(-5) }, TD, W, F, VSP_PASS, -1 },

	/* DASH MPD@publishTime is exact: no whole-second allowance. */
	{ "publishTime 1.4x", { NONE, .published = NOW - 14 }, TD, W, F,
	  VSP_PASS, 14 },
	{ "publishTime 1.5x", { NONE, .published = NOW - 15 }, TD, W, F,
	  VSP_WARN, 15 },
	{ "publishTime 3.0x", { NONE, .published = NOW - 30 }, TD, W, F,
	  VSP_FAIL, 30 },

	/* The largest evidence counts: one old clue is enough. */
	{ "largest wins: span", { .age_s = 2, .reload_span_s = 31, .newest_end = NOW - 3 },
	  TD, W, F, VSP_FAIL, 31 },
	{ "largest wins: end", { .age_s = 12, .reload_span_s = 5, .newest_end = NOW - 16 },
	  TD, W, F, VSP_WARN, 16 },
	{ "largest wins: Last-Modified",
	  { .age_s = 3, .reload_span_s = 4, .last_modified = NOW - 31 }, TD,
	  W, F, VSP_FAIL, 30 },

	/* Thresholds are the probe's. */
	{ "warn 1.0x: span 0.99x", { SPAN(9.9) }, TD, 1.0, 2.0, VSP_PASS, 9.9 },
	{ "warn 1.0x: span 1.0x", { SPAN(10) }, TD, 1.0, 2.0, VSP_WARN, 10 },
	{ "fail 2.0x: span 2.0x", { SPAN(20) }, TD, 1.0, 2.0, VSP_FAIL, 20 },
	{ "fail 4.0x: span 3.0x warns", { SPAN(30) }, TD, 2.0, 4.0, VSP_WARN,
	  30 },
	{ "warn 2.0x: span 1.5x passes", { AGE(15) }, TD, 2.0, 4.0, VSP_PASS,
	  15 },
	{ "fail 4.0x: Last-Modified 4.0x", { LM(40) }, TD, 2.0, 4.0, VSP_FAIL,
	  40 },

	/* Nothing to go by: pass, and say so with -1 (the record's null). */
	{ "no evidence", { NONE }, TD, W, F, VSP_PASS, -1 },
	{ "no evidence, not advanced", { NONE, .advanced = 0 }, 1.0, W, F,
	  VSP_PASS, -1 },

	/* No target duration (a broken playlist): no yardstick, no verdict;
	 * how long it has not changed is still known. */
	{ "target duration 0", { SPAN(100) }, 0, W, F, VSP_PASS, 100 },
	{ "target duration 0, old headers",
	  { AGE(1000), .newest_end = NOW - 1000 }, 0, W, F, VSP_PASS, 1000 },
	{ "target duration negative", { SPAN(100) }, -6, W, F, VSP_PASS, 100 },
};

/* Every row is checked and every wrong one named before the test fails:
 * one wrong rule usually shows in several rows. */
static void test_rows(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		vsp_live_evidence ev = t->ev;
		double u;
		vsp_status s;

		if (ev.now == 0)
			ev.now = NOW;
		u = vsp_live_unchanged_s(&ev);
		s = vsp_live_staleness(&ev, t->td, t->warn, t->fail);
		if (s != t->want || fabs(u - t->want_unchanged) > 1e-6) {
			print_error("%s: %s, unchanged %g s; want %s, %g s\n",
				    t->name, vsp_status_name(s), u,
				    vsp_status_name(t->want), t->want_unchanged);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The decision is a function of its arguments: the same evidence read
 * twice, or read after a row that failed, gives the same answer. */
static void test_pure(void **state)
{
	vsp_live_evidence ev = { SPAN(20), .now = NOW };
	vsp_live_evidence copy = ev;

	(void)state;
	assert_int_equal(vsp_live_staleness(&ev, TD, W, F), VSP_WARN);
	assert_int_equal(vsp_live_staleness(&ev, TD, W, F), VSP_WARN);
	assert_memory_equal(&ev, &copy, sizeof(ev));
}

/* ---- fixed playlists, read as probe_hls.c reads them ---- */

/* A 6 s sliding window whose newest segment (seq 102) starts at
 * 2023-11-14T22:12:50Z = NOW - 30 and so ends at NOW - 24. */
#define WINDOW                                                                 \
	"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"                 \
	"#EXT-X-MEDIA-SEQUENCE:100\n"                                          \
	"#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:12:38.000Z\n"                  \
	"#EXTINF:6.000,\ns100.ts\n"                                            \
	"#EXTINF:6.000,\ns101.ts\n"                                            \
	"#EXTINF:6.000,\ns102.ts\n"

struct pl_row {
	const char *name;
	const char *text;
	double now;
	vsp_status want;
	double want_unchanged;
};

static const struct pl_row pl_rows[] = {
	/* Ended 3 s ago: the next segment is not even due. */
	{ "just updated", WINDOW, NOW - 21, VSP_PASS, 3 },
	/* 1.4x and 1.5x the 6 s target duration after the newest end. */
	{ "8.4 s after the newest end", WINDOW, NOW - 24 + 8.4, VSP_PASS, 8.4 },
	{ "9 s after the newest end", WINDOW, NOW - 24 + 9, VSP_WARN, 9 },
	{ "17.4 s after the newest end", WINDOW, NOW - 24 + 17.4, VSP_WARN,
	  17.4 },
	{ "18 s after the newest end", WINDOW, NOW - 24 + 18, VSP_FAIL, 18 },
	/* A PDT on the newest segment only, with a fractional duration. */
	{ "PDT on the newest",
	  "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n"
	  "#EXTINF:2.0,\na.ts\n"
	  "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:19.500+00:00\n"
	  "#EXTINF:1.5,\nb.ts\n",
	  NOW + 4, VSP_WARN, 3 },
	/* Without PROGRAM-DATE-TIME a playlist alone says nothing. */
	{ "no PDT",
	  "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1\n"
	  "#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n",
	  NOW, VSP_PASS, -1 },
};

static void test_playlists(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pl_rows) / sizeof(pl_rows[0]); i++) {
		const struct pl_row *t = &pl_rows[i];
		vsp_hls_playlist *pl = NULL;
		vsp_live_evidence ev = { NONE, .now = t->now };
		const vsp_hls_segment *nw;
		char err[256];
		double u;
		vsp_status s;

		if (vsp_hls_parse(t->text, strlen(t->text), "http://o.test/l.m3u8",
				  &pl, err, sizeof(err)) != 0)
			fail_msg("%s: %s", t->name, err);
		assert_true(vsp_hls_is_live(pl));
		assert_true(pl->n_segments > 0);
		nw = &pl->segments[pl->n_segments - 1];
		if (nw->pdt > 0)
			ev.newest_end = nw->pdt + nw->duration;
		u = vsp_live_unchanged_s(&ev);
		s = vsp_live_staleness(&ev, pl->target_duration, W, F);
		vsp_hls_free(pl);
		if (s != t->want)
			fail_msg("%s: status %s, want %s (unchanged %g s)",
				 t->name, vsp_status_name(s),
				 vsp_status_name(t->want), u);
		if (fabs(u - t->want_unchanged) > 1e-6)
			fail_msg("%s: unchanged %g s, want %g", t->name, u,
				 t->want_unchanged);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_pure),
		cmocka_unit_test(test_playlists),
	};

	return cmocka_run_group_tests_name("live", tests, NULL, NULL);
}
