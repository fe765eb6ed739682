/*
 * test_report.c - `prober report`'s figures on a fixture of record files
 * (tests/fixtures/report/) whose availability, time to first frame and
 * outage windows are worked out by hand:
 *
 * probe "news", checks every minute 10:00..10:09 UTC on 2026-01-01;
 *   cdn-a fails at 10:03, 10:04; cdn-b at 10:04, 10:05, 10:08, 10:09;
 *   so the stream fails (no origin plays) at 10:04 only.
 * probe "sports", one passing check on 2026-01-02.
 * probe "tv", live, checks 12:00..12:03 on 2026-01-02 on edge-a and edge-b
 *   (renditions 360p and 720p); see test_live for its figures.
 * One damaged line; two records appended out of order; a file that is no
 * record file. Runs from the repository root.
 *
 * Time weighting (interval: the median gap, 60 s): each check holds until
 * the next, the last one 2 x 60 s, so "news" has data 10:00..10:11.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datetime.h"
#include "report.h"

#define FIXTURE "tests/fixtures/report"

static double T(const char *iso)
{
	double t = 0;

	assert_int_equal(vsp_time_parse(iso, &t), 0);
	return t;
}

static void test_parsers(void **state)
{
	double v;

	(void)state;
	assert_int_equal(vsp_duration_parse("30m", &v), 0);
	assert_true(v == 1800);
	assert_int_equal(vsp_duration_parse("24h", &v), 0);
	assert_true(v == 86400);
	assert_int_equal(vsp_duration_parse("7d", &v), 0);
	assert_true(v == 7 * 86400);
	assert_int_equal(vsp_duration_parse("90", &v), 0);
	assert_true(v == 90);
	assert_int_equal(vsp_duration_parse("1.5h", &v), 0);
	assert_true(v == 5400);
	assert_int_equal(vsp_duration_parse("0m", &v), -1);
	assert_int_equal(vsp_duration_parse("-1h", &v), -1);
	assert_int_equal(vsp_duration_parse("5x", &v), -1);
	assert_int_equal(vsp_duration_parse("5hh", &v), -1);
	assert_int_equal(vsp_duration_parse("", &v), -1);
	assert_int_equal(vsp_duration_parse("h", &v), -1);
	assert_int_equal(vsp_duration_parse("100000d", &v), -1);

	assert_int_equal(vsp_time_parse("1970-01-01T00:01:00Z", &v), 0);
	assert_true(v == 60);
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00.250Z", &v), 0);
	assert_true(v == 1767261600.25);
	/* RFC 3339's space separator (datetime.h's one rule) */
	assert_int_equal(vsp_time_parse("2026-01-01 10:00:00Z", &v), 0);
	assert_true(v == 1767261600);
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00", &v), -1);
	assert_int_equal(vsp_time_parse("2026-13-01T10:00:00Z", &v), -1);
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00.Z", &v), -1);
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00Zx", &v), -1);
}

static void assert_outage(const vsp_outage *u, const char *start,
			  const char *end, size_t checks, int ongoing,
			  const char *reason)
{
	assert_true(u->start == T(start));
	assert_true(u->end == T(end));
	assert_int_equal(u->checks, checks);
	assert_int_equal(u->ongoing, ongoing);
	assert_string_equal(u->reason, reason);
}

static void test_fixture(void **state)
{
	vsp_report *r = NULL;
	const vsp_report_probe *p;
	const vsp_avail *a, *b;
	char err[512];

	(void)state;
	assert_int_equal(vsp_report_build(FIXTURE, T("2026-01-01T00:00:00Z"),
					  T("2026-01-03T00:00:00Z"), NULL, &r,
					  err, sizeof(err)),
			 0);
	assert_int_equal(r->files, 2);
	assert_int_equal(r->records, 15);
	assert_int_equal(r->bad_lines, 1);
	assert_int_equal(r->n_probes, 3);

	p = &r->probes[0];
	assert_string_equal(p->name, "news");
	assert_true(p->first == T("2026-01-01T10:00:00Z"));
	assert_true(p->last == T("2026-01-01T10:09:00Z"));
	assert_int_equal(p->stream.checks, 10);
	assert_int_equal(p->stream.up, 9);
	assert_int_equal(p->stream.warn, 4);
	assert_int_equal(p->degraded, 4);
	/* Best origin per check: 40 41 42 43 150 46 47 180 190. */
	assert_int_equal(p->stream.n_ttff, 9);
	assert_true(p->stream.ttff_p50 == 46);
	assert_true(p->stream.ttff_p95 == 190);
	assert_int_equal(p->stream.n_outages, 1);
	assert_outage(&p->stream.outages[0], "2026-01-01T10:04:00Z",
		      "2026-01-01T10:05:00Z", 1, 0, "origins_down");
	assert_true(p->stream.down_s == 60);
	/* 10:00..10:11 with data, down 10:04..10:05: 600 of 660 s up. */
	assert_true(p->stream.up_s == 600);
	assert_true(p->stream.availability == 100.0 * 600 / 660);
	assert_string_equal(p->stream.outages[0].where, "cdn-a, cdn-b");

	assert_int_equal(p->n_origins, 2);
	a = &p->origins[0];
	b = &p->origins[1];
	assert_string_equal(a->name, "cdn-a");
	assert_int_equal(a->checks, 10);
	assert_int_equal(a->up, 8);
	/* 100 110 120 150 160 170 180 190: ranks 4 and 8. */
	assert_true(a->ttff_p50 == 150);
	assert_true(a->ttff_p95 == 190);
	assert_int_equal(a->n_outages, 1);
	assert_outage(&a->outages[0], "2026-01-01T10:03:00Z",
		      "2026-01-01T10:05:00Z", 2, 0, "connect");
	assert_string_equal(a->outages[0].message, "manifest: cdn-a refused");

	assert_string_equal(b->name, "cdn-b");
	assert_int_equal(b->checks, 10);
	assert_int_equal(b->up, 6);
	/* 40 41 42 43 46 47: ranks 3 and 6. */
	assert_true(b->ttff_p50 == 42);
	assert_true(b->ttff_p95 == 47);
	assert_int_equal(b->n_outages, 2);
	assert_outage(&b->outages[0], "2026-01-01T10:04:00Z",
		      "2026-01-01T10:06:00Z", 2, 0, "http_status");
	/* Still failing at the last check: ongoing, held 2 x 60 s past it. */
	assert_outage(&b->outages[1], "2026-01-01T10:08:00Z",
		      "2026-01-01T10:11:00Z", 2, 1, "http_status");
	assert_true(b->down_s == 120 + 180);

	p = &r->probes[1];
	assert_string_equal(p->name, "sports");
	assert_int_equal(p->stream.checks, 1);
	assert_int_equal(p->stream.up, 1);
	assert_true(p->stream.ttff_p50 == 75.5);
	assert_int_equal(p->stream.n_outages, 0);
	/* Not live, no segment timed: no live figure at all. */
	assert_int_equal(p->stream.live_checks, 0);
	assert_int_equal(p->stream.n_edge_lag, 0);
	assert_int_equal(p->stream.n_playlist_age, 0);
	assert_int_equal(p->stream.n_rtf, 0);
	assert_int_equal(r->probes[0].origins[0].live_checks, 0);
	assert_int_equal(r->probes[0].stream.stale_checks, 0);
	vsp_report_free(r);
}

static void assert_live(const vsp_avail *a, size_t live, double lag50,
			double lag95, double age_max, double rtf50,
			double rtf_min, size_t stale, size_t lagging,
			size_t slow)
{
	assert_int_equal(a->live_checks, live);
	assert_int_equal(a->n_edge_lag, 4);
	assert_true(a->edge_lag_p50 == lag50);
	assert_true(a->edge_lag_p95 == lag95);
	assert_int_equal(a->n_playlist_age, 4);
	assert_true(a->playlist_age_max == age_max);
	assert_int_equal(a->n_rtf, 4);
	assert_true(a->rtf_p50 == rtf50);
	assert_true(a->rtf_min == rtf_min);
	assert_int_equal(a->stale_checks, stale);
	assert_int_equal(a->lagging_checks, lagging);
	assert_int_equal(a->slow_checks, slow);
}

/*
 * Probe "tv", per check (renditions 360p, 720p): edge lag s / playlist age
 * s / real-time factor, and the reason.
 *
 *         edge-a                          edge-b
 * 12:00   -0.5/1/5    5/2/3               6/1.5/4     6.5/1/2.5
 * 12:01   4.5/.5/6    4/.5/4              20/3/4      21/3/3.5  lagging
 * 12:02   5/1/2       5.5/1/0.8 slow      6/2/3       -/2.5/3
 * 12:03   4/1/5       4.2/1/4.5           40/36/3     41/36/-   stale (fail)
 *
 * An origin's figure in a check is its largest lag and age and its
 * smallest factor: edge-a lag 5 4.5 5.5 4.2, age 2 .5 1 1, rtf 3 4 .8 4.5;
 * edge-b lag 6.5 21 6 41, age 1.5 3 2.5 36, rtf 2.5 3.5 3 3. The stream's
 * is the best of its origins: lag 5 4.5 5.5 4.2, age 1.5 .5 1 1, rtf 3 4 3
 * 4.5. Nearest rank of 4 values: p50 the 2nd, p95 the 4th.
 */
static void test_live(void **state)
{
	vsp_report *r = NULL;
	const vsp_report_probe *p;
	char err[512];
	json_t *j, *tv, *o;

	(void)state;
	assert_int_equal(vsp_report_build(FIXTURE, T("2026-01-02T00:00:00Z"),
					  T("2026-01-03T00:00:00Z"), "tv", &r,
					  err, sizeof(err)),
			 0);
	assert_int_equal(r->n_probes, 1);
	p = &r->probes[0];
	assert_string_equal(p->name, "tv");
	assert_int_equal(p->stream.checks, 4);
	assert_int_equal(p->stream.up, 4);
	assert_int_equal(p->stream.warn, 3);
	assert_int_equal(p->degraded, 1);
	assert_live(&p->stream, 4, 4.5, 5.5, 1.5, 3, 3, 1, 1, 1);
	assert_int_equal(p->n_origins, 2);
	assert_string_equal(p->origins[0].name, "edge-a");
	assert_live(&p->origins[0], 4, 4.5, 5.5, 2, 3, 0.8, 0, 0, 1);
	assert_string_equal(p->origins[1].name, "edge-b");
	assert_live(&p->origins[1], 4, 6.5, 41, 36, 3, 2.5, 1, 1, 0);
	assert_int_equal(p->origins[1].n_outages, 1);
	assert_true(p->origins[1].outages[0].ongoing);

	j = vsp_report_json(r);
	assert_non_null(j);
	tv = json_array_get(json_object_get(j, "probes"), 0);
	assert_int_equal(json_integer_value(json_object_get(tv, "live_checks")),
			 4);
	assert_true(json_real_value(json_object_get(tv, "edge_lag_p50_s")) ==
		    4.5);
	assert_true(json_real_value(json_object_get(tv, "edge_lag_p95_s")) ==
		    5.5);
	assert_true(json_real_value(json_object_get(tv, "playlist_age_max_s")) ==
		    1.5);
	assert_true(json_real_value(json_object_get(tv, "realtime_factor_p50")) ==
		    3);
	assert_int_equal(json_integer_value(
				 json_object_get(tv, "slow_download_checks")),
			 1);
	o = json_array_get(json_object_get(tv, "origins"), 1);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
			    "edge-b");
	assert_true(json_real_value(json_object_get(o, "edge_lag_p95_s")) == 41);
	assert_true(json_real_value(json_object_get(o, "realtime_factor_min")) ==
		    2.5);
	assert_int_equal(json_integer_value(
				 json_object_get(o, "stale_playlist_checks")),
			 1);
	assert_int_equal(json_integer_value(
				 json_object_get(o, "origin_lagging_checks")),
			 1);
	assert_int_equal(json_integer_value(
				 json_object_get(o, "slow_download_checks")),
			 0);
	json_decref(j);
	vsp_report_free(r);
}

static void test_window_and_filter(void **state)
{
	vsp_report *r = NULL;
	char err[512];
	json_t *j;

	(void)state;
	/* From 10:05: cdn-b's first outage is then seen from its second
	 * check, the stream never fails, and the 01-02 file is out. */
	assert_int_equal(vsp_report_build(FIXTURE, T("2026-01-01T10:05:00Z"),
					  T("2026-01-01T23:59:59Z"), NULL, &r,
					  err, sizeof(err)),
			 0);
	assert_int_equal(r->files, 2);
	assert_int_equal(r->n_probes, 1);
	assert_int_equal(r->probes[0].stream.checks, 5);
	assert_int_equal(r->probes[0].stream.up, 5);
	assert_int_equal(r->probes[0].stream.n_outages, 0);
	assert_int_equal(r->probes[0].origins[1].n_outages, 2);
	assert_outage(&r->probes[0].origins[1].outages[0],
		      "2026-01-01T10:05:00Z", "2026-01-01T10:06:00Z", 1, 0,
		      "http_status");
	vsp_report_free(r);

	assert_int_equal(vsp_report_build(FIXTURE, T("2026-01-01T00:00:00Z"),
					  T("2026-01-03T00:00:00Z"), "sports",
					  &r, err, sizeof(err)),
			 0);
	assert_int_equal(r->n_probes, 1);
	assert_string_equal(r->probes[0].name, "sports");
	j = vsp_report_json(r);
	assert_non_null(j);
	assert_true(json_real_value(json_object_get(
			    json_array_get(json_object_get(j, "probes"), 0),
			    "availability_pct")) == 100.0);
	json_decref(j);
	vsp_report_free(r);

	assert_int_equal(vsp_report_build("tests/fixtures/nonexistent", 0, 1,
					  NULL, &r, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "results folder tests/fixtures/nonexistent: "
				 "No such file or directory");
}

static void test_json(void **state)
{
	vsp_report *r = NULL;
	char err[512];
	json_t *j, *news, *outage;

	(void)state;
	assert_int_equal(vsp_report_build(FIXTURE, T("2026-01-01T00:00:00Z"),
					  T("2026-01-03T00:00:00Z"), NULL, &r,
					  err, sizeof(err)),
			 0);
	j = vsp_report_json(r);
	news = json_array_get(json_object_get(j, "probes"), 0);
	assert_string_equal(json_string_value(json_object_get(news, "probe")),
			    "news");
	/* 600 of 660 s: 90.909 %. */
	assert_true(json_real_value(json_object_get(news, "availability_pct")) ==
		    90.909);
	/* Not live: the same keys, without figures. */
	assert_int_equal(json_integer_value(json_object_get(news, "live_checks")),
			 0);
	assert_true(json_is_null(json_object_get(news, "edge_lag_p50_s")));
	assert_true(json_is_null(json_object_get(news, "playlist_age_max_s")));
	assert_true(json_is_null(json_object_get(news, "realtime_factor_min")));
	assert_int_equal(json_integer_value(
				 json_object_get(news, "stale_playlist_checks")),
			 0);
	outage = json_array_get(json_object_get(news, "outages"), 0);
	assert_string_equal(json_string_value(json_object_get(outage, "start")),
			    "2026-01-01T10:04:00.000Z");
	assert_true(json_real_value(json_object_get(outage, "duration_s")) ==
		    60.0);
	json_decref(j);
	vsp_report_free(r);
}

/* An origin's time to first frame is its record's ttff_ms (result.h's
 * vsp_origin_figures); a record written before origins carried it is read
 * by the same rule: a failed rendition has no time to first frame. */
static void test_origin_figures(void **state)
{
	static const char *const lines[] = {
		/* old: the failed rendition's 10 ms is not the origin's */
		"{\"schema\":1,\"time\":\"2026-02-01T10:00:00.000Z\","
		"\"probe\":\"p\",\"status\":\"warn\",\"origins\":[{\"name\":"
		"\"o\",\"status\":\"warn\",\"renditions\":[{\"status\":"
		"\"fail\",\"ttff_ms\":10},{\"status\":\"pass\",\"ttff_ms\":"
		"200}]}]}",
		/* old: every rendition failed: no time to first frame */
		"{\"schema\":1,\"time\":\"2026-02-01T10:01:00.000Z\","
		"\"probe\":\"p\",\"status\":\"fail\",\"origins\":[{\"name\":"
		"\"o\",\"status\":\"fail\",\"renditions\":[{\"status\":"
		"\"fail\",\"ttff_ms\":20}]}]}",
		/* new: the origin's own figure wins over its renditions' */
		"{\"schema\":1,\"time\":\"2026-02-01T10:02:00.000Z\","
		"\"probe\":\"p\",\"status\":\"pass\",\"origins\":[{\"name\":"
		"\"o\",\"status\":\"pass\",\"ttff_ms\":300,\"renditions\":[{"
		"\"status\":\"pass\",\"ttff_ms\":30}]}]}",
	};
	char dir[] = "/tmp/test_report.XXXXXX", path[64], err[512];
	vsp_report *r = NULL;
	const vsp_avail *a;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/2026-02-01.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	assert_int_equal(vsp_report_build(dir, T("2026-02-01T00:00:00Z"),
					  T("2026-02-02T00:00:00Z"), NULL, &r,
					  err, sizeof(err)),
			 0);
	assert_int_equal(r->records, 3);
	assert_int_equal(r->probes[0].n_origins, 1);
	a = &r->probes[0].origins[0];
	/* 200 and 300 ms: ranks 1 and 2. */
	assert_int_equal(a->n_ttff, 2);
	assert_true(a->ttff_p50 == 200);
	assert_true(a->ttff_p95 == 300);
	vsp_report_free(r);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_window_and_filter),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_origin_figures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
