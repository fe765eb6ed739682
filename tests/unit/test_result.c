/*
 * test_result.c - lib/result: the verdict rules of the README's "Verdicts"
 * (an origin from its renditions, the stream from its origins, in their
 * order of precedence), one table row per rule, and the origin's figures
 * the judge computes (time to first frame, live lag and age, real-time
 * factor) as the record carries them.
 *
 * Offline: trees are built by hand; the rendition verdicts themselves are
 * the probe's and are tested with it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "record.h"
#include "result.h"

#define MAXR 4

/* A verdict as a row writes it. */
struct v {
	vsp_status status;
	vsp_reason reason;
	vsp_stage stage;
};

#define PASS                                         \
	{                                            \
		VSP_PASS, VSP_R_NONE, VSP_STAGE_NONE \
	}
#define FAIL(r, st)                                 \
	{                                           \
		VSP_FAIL, VSP_R_##r, VSP_STAGE_##st \
	}
#define WARN(r, st)                                 \
	{                                           \
		VSP_WARN, VSP_R_##r, VSP_STAGE_##st \
	}

static void set(vsp_verdict *v, const struct v *w, const char *what)
{
	if (w->status != VSP_PASS)
		vsp_verdict_set(v, w->status, w->reason, w->stage, "%s broke",
				what);
}

/* ---- an origin from its renditions ---- */

static const struct origin_case {
	const char *rule;
	struct v manifest; /* PASS: the manifest was read */
	size_t n;
	struct v rend[MAXR];
	struct v want;
	size_t playable;
} origin_cases[] = {
	{ "manifest fails: fail, the manifest's reason",
	  FAIL(CONNECT, MANIFEST),
	  0,
	  { PASS },
	  FAIL(CONNECT, MANIFEST),
	  0 },
	{ "manifest fails: renditions are not counted",
	  FAIL(HTTP_STATUS, MANIFEST),
	  1,
	  { PASS },
	  FAIL(HTTP_STATUS, MANIFEST),
	  0 },
	{ "no rendition to probe: fail segment_missing",
	  PASS,
	  0,
	  { PASS },
	  FAIL(SEGMENT_MISSING, MANIFEST),
	  0 },
	{ "every rendition plays: pass", PASS, 2, { PASS, PASS }, PASS, 2 },
	{ "no rendition plays: fail, the first one's reason",
	  PASS,
	  2,
	  { FAIL(HTTP_STATUS, SEGMENT), FAIL(TIMEOUT, PLAYLIST) },
	  FAIL(HTTP_STATUS, SEGMENT),
	  0 },
	{ "some renditions fail: warn, the first failed one's reason",
	  PASS,
	  3,
	  { PASS, FAIL(DECODE_ERROR, DECODE), FAIL(TIMEOUT, SEGMENT) },
	  WARN(DECODE_ERROR, DECODE),
	  1 },
	{ "a failure outranks an earlier warning",
	  PASS,
	  3,
	  { WARN(SLOW_DOWNLOAD, SEGMENT), FAIL(CORRUPT_SEGMENT, DECODE), PASS },
	  WARN(CORRUPT_SEGMENT, DECODE),
	  2 },
	{ "a rendition warns: warn, its reason",
	  PASS,
	  2,
	  { PASS, WARN(RESOLUTION_MISMATCH, VALIDATION) },
	  WARN(RESOLUTION_MISMATCH, VALIDATION),
	  2 },
	{ "two warn: the first one's reason",
	  PASS,
	  2,
	  { WARN(STALE_PLAYLIST, LIVE), WARN(SLOW_DOWNLOAD, SEGMENT) },
	  WARN(STALE_PLAYLIST, LIVE),
	  2 },
	{ "one fails, one warns: warn, the failed one's reason",
	  PASS,
	  2,
	  { FAIL(NOT_MEDIA, SEGMENT), WARN(PROFILE_MISMATCH, VALIDATION) },
	  WARN(NOT_MEDIA, SEGMENT),
	  1 },
};

static void test_origin_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(origin_cases) / sizeof(origin_cases[0]);
	     i++) {
		const struct origin_case *c = &origin_cases[i];
		vsp_origin_result o;

		memset(&o, 0, sizeof(o));
		o.name = strdup("o");
		o.url = strdup("http://o/m.m3u8");
		set(&o.v, &c->manifest, "manifest");
		o.n_renditions = c->n;
		o.renditions =
			c->n ? calloc(c->n, sizeof(*o.renditions)) : NULL;
		for (size_t k = 0; k < c->n; k++) {
			o.renditions[k].name = strdup("r");
			set(&o.renditions[k].v, &c->rend[k], "rendition");
		}
		vsp_origin_judge(&o);
		if (o.v.status != c->want.status ||
		    o.v.reason != c->want.reason ||
		    o.v.stage != c->want.stage || o.n_playable != c->playable)
			fail_msg("%s: got %s %s %s, %zu playable; want %s %s "
				 "%s, %zu",
				 c->rule, vsp_status_name(o.v.status),
				 vsp_reason_name(o.v.reason),
				 vsp_stage_name(o.v.stage), o.n_playable,
				 vsp_status_name(c->want.status),
				 vsp_reason_name(c->want.reason),
				 vsp_stage_name(c->want.stage), c->playable);
		if (c->want.status != VSP_PASS)
			assert_non_null(o.v.message);
		vsp_origin_result_clear(&o);
	}
}

/* ---- the stream from its origins ---- */

#define MAXO 3

static const struct stream_case {
	const char *rule;
	int min_healthy; /* 0: the default, 1 */
	size_t n;
	struct v origin[MAXO];
	size_t mismatches;
	struct v want;
	size_t healthy;
} stream_cases[] = {
	{ "one origin plays: pass", 0, 1, { PASS }, 0, PASS, 1 },
	{ "one origin fails: fail, its own reason",
	  0,
	  1,
	  { FAIL(DNS, MANIFEST) },
	  0,
	  FAIL(DNS, MANIFEST),
	  0 },
	{ "one origin warns: warn, its own reason",
	  0,
	  1,
	  { WARN(SLOW_DOWNLOAD, SEGMENT) },
	  0,
	  WARN(SLOW_DOWNLOAD, SEGMENT),
	  1 },
	{ "every origin fails: fail origins_down",
	  0,
	  2,
	  { FAIL(CONNECT, MANIFEST), FAIL(HTTP_STATUS, SEGMENT) },
	  0,
	  FAIL(ORIGINS_DOWN, MANIFEST),
	  0 },
	{ "fewer than min_healthy play: fail origins_down",
	  2,
	  2,
	  { PASS, FAIL(TIMEOUT, SEGMENT) },
	  0,
	  FAIL(ORIGINS_DOWN, SEGMENT),
	  1 },
	{ "min_healthy 0 counts as 1: a lone dead origin fails",
	  0,
	  1,
	  { FAIL(TIMEOUT, SEGMENT) },
	  0,
	  FAIL(TIMEOUT, SEGMENT),
	  0 },
	{ "enough play, one does not: warn redundancy_lost",
	  0,
	  2,
	  { PASS, FAIL(HTTP_STATUS, SEGMENT) },
	  0,
	  WARN(REDUNDANCY_LOST, SEGMENT),
	  1 },
	{ "min_healthy met with one down: warn redundancy_lost",
	  2,
	  3,
	  { PASS, FAIL(CONNECT, MANIFEST), PASS },
	  0,
	  WARN(REDUNDANCY_LOST, MANIFEST),
	  2 },
	{ "redundancy_lost outranks origin_mismatch",
	  0,
	  2,
	  { PASS, FAIL(CONNECT, MANIFEST) },
	  1,
	  WARN(REDUNDANCY_LOST, MANIFEST),
	  1 },
	{ "redundancy_lost outranks an origin's warning",
	  0,
	  3,
	  { WARN(SLOW_DOWNLOAD, SEGMENT), PASS, FAIL(CONNECT, MANIFEST) },
	  0,
	  WARN(REDUNDANCY_LOST, MANIFEST),
	  2 },
	{ "origins_down outranks origin_mismatch",
	  0,
	  2,
	  { FAIL(CONNECT, MANIFEST), FAIL(CONNECT, MANIFEST) },
	  1,
	  FAIL(ORIGINS_DOWN, MANIFEST),
	  0 },
	{ "all play, not the same stream: warn origin_mismatch",
	  0,
	  2,
	  { PASS, PASS },
	  1,
	  WARN(ORIGIN_MISMATCH, MANIFEST),
	  2 },
	{ "origin_mismatch outranks an origin's warning",
	  0,
	  2,
	  { WARN(STALE_PLAYLIST, LIVE), PASS },
	  2,
	  WARN(ORIGIN_MISMATCH, MANIFEST),
	  2 },
	{ "an origin warns: warn, its own reason",
	  0,
	  2,
	  { PASS, WARN(ORIGIN_LAGGING, LIVE) },
	  0,
	  WARN(ORIGIN_LAGGING, LIVE),
	  2 },
	{ "two warn: the first one's reason",
	  0,
	  2,
	  { WARN(STALE_PLAYLIST, LIVE), WARN(SLOW_DOWNLOAD, SEGMENT) },
	  0,
	  WARN(STALE_PLAYLIST, LIVE),
	  2 },
	{ "every origin plays: pass", 2, 2, { PASS, PASS }, 0, PASS, 2 },
};

static void test_stream_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stream_cases) / sizeof(stream_cases[0]);
	     i++) {
		const struct stream_case *c = &stream_cases[i];
		vsp_stream_result *s = calloc(1, sizeof(*s));

		assert_non_null(s);
		s->probe = strdup("p");
		s->min_healthy = c->min_healthy;
		s->n_origins = c->n;
		s->origins = calloc(c->n, sizeof(*s->origins));
		for (size_t k = 0; k < c->n; k++) {
			char name[16];

			snprintf(name, sizeof(name), "o%zu", k);
			s->origins[k].name = strdup(name);
			set(&s->origins[k].v, &c->origin[k], "origin");
		}
		if (c->mismatches) {
			s->n_mismatches = c->mismatches;
			s->mismatches =
				calloc(c->mismatches, sizeof(*s->mismatches));
			for (size_t k = 0; k < c->mismatches; k++) {
				s->mismatches[k].field = "ladder";
				s->mismatches[k].stage = VSP_STAGE_MANIFEST;
				s->mismatches[k].message =
					strdup("origin o1: ladder differs");
			}
		}
		vsp_stream_judge(s);
		if (s->v.status != c->want.status ||
		    s->v.reason != c->want.reason ||
		    s->v.stage != c->want.stage || s->n_healthy != c->healthy)
			fail_msg("%s: got %s %s %s, %zu healthy; want %s %s "
				 "%s, %zu",
				 c->rule, vsp_status_name(s->v.status),
				 vsp_reason_name(s->v.reason),
				 vsp_stage_name(s->v.stage), s->n_healthy,
				 vsp_status_name(c->want.status),
				 vsp_reason_name(c->want.reason),
				 vsp_stage_name(c->want.stage), c->healthy);
		if (c->want.reason == VSP_R_ORIGIN_MISMATCH &&
		    c->mismatches > 1)
			assert_non_null(strstr(s->v.message,
					       "(and 1 more difference)"));
		vsp_stream_result_free(s);
	}
}

/* The first, worst verdict wins: a later one as bad never overwrites. */
static void test_verdict_first_wins(void **state)
{
	vsp_verdict v;

	(void)state;
	memset(&v, 0, sizeof(v));
	vsp_verdict_set(&v, VSP_WARN, VSP_R_SLOW_DOWNLOAD, VSP_STAGE_SEGMENT,
			"slow");
	vsp_verdict_set(&v, VSP_WARN, VSP_R_STALE_PLAYLIST, VSP_STAGE_LIVE,
			"stale");
	assert_int_equal(v.reason, VSP_R_SLOW_DOWNLOAD);
	vsp_verdict_set(&v, VSP_FAIL, VSP_R_TIMEOUT, VSP_STAGE_SEGMENT, "t");
	assert_int_equal(v.reason, VSP_R_TIMEOUT);
	vsp_verdict_set(&v, VSP_WARN, VSP_R_SLOW_DOWNLOAD, VSP_STAGE_SEGMENT,
			"slow");
	vsp_verdict_set(&v, VSP_FAIL, VSP_R_CONNECT, VSP_STAGE_SEGMENT, "c");
	assert_int_equal(v.status, VSP_FAIL);
	assert_int_equal(v.reason, VSP_R_TIMEOUT);
	assert_string_equal(v.message, "t");
	free(v.message);
}

/* ---- the origin's figures ---- */

/* A rendition for the figures: status, ttff (0 none), lag and age (NAN
 * none), real-time factor (0 none). */
struct rfig {
	vsp_status status;
	double ttff, lag, age, rtf;
};

static const struct fig_case {
	const char *rule;
	size_t n;
	struct rfig r[MAXR];
	double ttff; /* 0: none */
	size_t best;
	double lag, age, rtf; /* NAN / 0: none */
} fig_cases[] = {
	{ "the fastest rendition that plays",
	  3,
	  { { VSP_PASS, 300, NAN, NAN, 2 },
	    { VSP_WARN, 120, NAN, NAN, 0.8 },
	    { VSP_PASS, 200, NAN, NAN, 3 } },
	  120,
	  1,
	  NAN,
	  NAN,
	  0.8 },
	{ "a failed rendition has no time to first frame",
	  2,
	  { { VSP_FAIL, 50, NAN, NAN, 0 }, { VSP_PASS, 400, NAN, NAN, 0 } },
	  400,
	  1,
	  NAN,
	  NAN,
	  0 },
	{ "every rendition failed: none",
	  2,
	  { { VSP_FAIL, 50, NAN, NAN, 0 }, { VSP_FAIL, 60, NAN, NAN, 0 } },
	  0,
	  0,
	  NAN,
	  NAN,
	  0 },
	{ "equals: the first",
	  2,
	  { { VSP_PASS, 90, NAN, NAN, 0 }, { VSP_PASS, 90, NAN, NAN, 0 } },
	  90,
	  0,
	  NAN,
	  NAN,
	  0 },
	{ "live: the largest lag and age, failed renditions included",
	  3,
	  { { VSP_PASS, 100, 4, 1, 1.5 },
	    { VSP_FAIL, 0, 30, 25, 0.4 },
	    { VSP_PASS, 150, -2, NAN, 0 } },
	  100,
	  0,
	  30,
	  25,
	  0.4 },
	{ "no rendition",
	  0,
	  { { VSP_PASS, 0, NAN, NAN, 0 } },
	  0,
	  0,
	  NAN,
	  NAN,
	  0 },
};

static void tree_of(const struct fig_case *c, vsp_origin_result *o)
{
	memset(o, 0, sizeof(*o));
	o->name = strdup("o");
	o->url = strdup("http://o/m.m3u8");
	o->n_renditions = c->n;
	o->renditions = c->n ? calloc(c->n, sizeof(*o->renditions)) : NULL;
	for (size_t k = 0; k < c->n; k++) {
		vsp_rendition_result *r = &o->renditions[k];
		const struct rfig *f = &c->r[k];

		r->name = strdup("r");
		if (f->status != VSP_PASS)
			vsp_verdict_set(&r->v, f->status, VSP_R_TIMEOUT,
					VSP_STAGE_SEGMENT, "r broke");
		r->ttff_ms = f->ttff;
		r->rtf = f->rtf;
		r->has_live_edge_lag = !isnan(f->lag);
		r->live_edge_lag_s = isnan(f->lag) ? 0 : f->lag;
		r->has_playlist_age = !isnan(f->age);
		r->playlist_age_s = isnan(f->age) ? 0 : f->age;
	}
}

static void test_origin_figures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fig_cases) / sizeof(fig_cases[0]); i++) {
		const struct fig_case *c = &fig_cases[i];
		vsp_origin_result o;
		const vsp_origin_figures *f = &o.fig;

		tree_of(c, &o);
		vsp_origin_judge(&o);
		if (f->has_ttff != (c->ttff > 0) ||
		    (c->ttff > 0 &&
		     (f->ttff_ms != c->ttff || f->best != c->best)) ||
		    f->has_edge_lag != !isnan(c->lag) ||
		    (!isnan(c->lag) && f->edge_lag_s != c->lag) ||
		    f->has_playlist_age != !isnan(c->age) ||
		    (!isnan(c->age) && f->playlist_age_s != c->age) ||
		    f->has_rtf != (c->rtf > 0) ||
		    (c->rtf > 0 && f->rtf != c->rtf))
			fail_msg("%s: got ttff %d %g (#%zu), lag %d %g, age "
				 "%d %g, rtf %d %g",
				 c->rule, f->has_ttff, f->ttff_ms, f->best,
				 f->has_edge_lag, f->edge_lag_s,
				 f->has_playlist_age, f->playlist_age_s,
				 f->has_rtf, f->rtf);
		vsp_origin_result_clear(&o);
	}
}

/* The record carries the figures under the origin, null when none. */
static void test_record_figures(void **state)
{
	vsp_stream_result *s = calloc(1, sizeof(*s));
	json_t *rec, *o0, *o1;

	(void)state;
	assert_non_null(s);
	s->probe = strdup("p");
	s->n_origins = 2;
	s->origins = calloc(2, sizeof(*s->origins));
	tree_of(&fig_cases[4], &s->origins[0]);
	tree_of(&fig_cases[2], &s->origins[1]);
	for (size_t k = 0; k < 2; k++)
		vsp_origin_judge(&s->origins[k]);
	vsp_stream_judge(s);
	rec = vsp_record_json(s);
	assert_non_null(rec);
	o0 = json_array_get(json_object_get(rec, "origins"), 0);
	o1 = json_array_get(json_object_get(rec, "origins"), 1);
	assert_true(json_number_value(json_object_get(o0, "ttff_ms")) == 100);
	assert_true(json_number_value(json_object_get(o0, "live_edge_lag_s")) ==
		    30);
	assert_true(json_number_value(json_object_get(o0, "playlist_age_s")) ==
		    25);
	assert_true(json_number_value(json_object_get(o0, "realtime_factor")) ==
		    0.4);
	assert_true(json_is_null(json_object_get(o1, "ttff_ms")));
	assert_true(json_is_null(json_object_get(o1, "live_edge_lag_s")));
	assert_true(json_is_null(json_object_get(o1, "playlist_age_s")));
	assert_true(json_is_null(json_object_get(o1, "realtime_factor")));
	json_decref(rec);
	vsp_stream_result_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_rules),
		cmocka_unit_test(test_stream_rules),
		cmocka_unit_test(test_verdict_first_wins),
		cmocka_unit_test(test_origin_figures),
		cmocka_unit_test(test_record_figures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
