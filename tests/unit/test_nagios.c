/*
 * test_nagios.c - lib/nagios: the plugin output built from hand-made result
 * trees (the rules it uses, ranges, perfdata and states, are test_plugin.c's).
 *
 * Offline and fast. The output is checked against the guidelines through
 * perfdata_strict.h, a parser written apart from the formatter.
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

#include "nagios.h"
#include "perfdata_strict.h"
#include "result.h"

#define ERRLEN 512

static vsp_range R(const char *s)
{
	vsp_range r;
	char err[ERRLEN];

	if (vsp_range_parse(s, &r, err, sizeof(err)))
		fail_msg("%s", err);
	return r;
}

/* ---- hand-built result trees ---- */

static void step_ok(vsp_http_step *st, const char *url, double ms,
		    int64_t bytes)
{
	st->done = 1;
	st->url = strdup(url);
	st->http_status = 200;
	st->total_ms = ms;
	st->bytes = bytes;
	snprintf(st->remote_ip, sizeof(st->remote_ip), "127.0.0.1");
}

/* A rendition that played: playlist, segment, decode; ttff in ms. */
static void rend_pass(vsp_rendition_result *r, const char *name, double ttff_ms)
{
	r->name = strdup(name);
	r->kind = VSP_KIND_VARIANT;
	r->bandwidth = 600000;
	step_ok(&r->playlist, "http://o/v/index.m3u8", 3, 400);
	step_ok(&r->segment, "http://o/v/seg0.ts", 20, 200000);
	r->decoded = 1;
	snprintf(r->decode.codec, sizeof(r->decode.codec), "h264");
	r->decode.width = 640;
	r->decode.height = 360;
	r->decode.frames = 5;
	r->decode.ms = 12;
	r->ttff_ms = ttff_ms;
}

/* A rendition whose segment answered an HTTP error. */
static void rend_seg_http(vsp_rendition_result *r, const char *name, long code)
{
	r->name = strdup(name);
	r->kind = VSP_KIND_VARIANT;
	step_ok(&r->playlist, "http://o/v/index.m3u8", 3, 400);
	step_ok(&r->segment, "http://o/v/seg0.ts", 2, 0);
	r->segment.http_status = code;
	vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_HTTP_STATUS, VSP_STAGE_SEGMENT,
			"segment 0: HTTP %ld from http://o/v/seg0.ts?a|b",
			code);
}

static vsp_stream_result *stream_new(const char *probe, size_t n,
				     int min_healthy)
{
	vsp_stream_result *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->probe = strdup(probe);
	s->min_healthy = min_healthy;
	s->origins = calloc(n, sizeof(*s->origins));
	s->n_origins = n;
	return s;
}

static void origin_init(vsp_origin_result *o, const char *name, size_t n)
{
	char url[256];

	snprintf(url, sizeof(url), "http://%s/live/master.m3u8", name);
	o->name = strdup(name);
	o->url = strdup(url);
	o->protocol = "hls";
	step_ok(&o->manifest, url, 4, 900);
	o->renditions = n ? calloc(n, sizeof(*o->renditions)) : NULL;
	o->n_renditions = n;
}

static void origin_down(vsp_origin_result *o, const char *name)
{
	origin_init(o, name, 0);
	o->manifest.http_status = 0;
	o->manifest.total_ms = 1;
	vsp_verdict_set(&o->v, VSP_FAIL, VSP_R_CONNECT, VSP_STAGE_MANIFEST,
			"manifest: connect to %s refused", name);
}

static void judge(vsp_stream_result *s)
{
	for (size_t i = 0; i < s->n_origins; i++)
		vsp_origin_judge(&s->origins[i]);
	vsp_stream_judge(s);
}

/* The two-origin stream of the issue: cdn-a plays 2 renditions (first
 * frames 150 and 100 ms), cdn-b's segments answer 503. */
static vsp_stream_result *news_live(void)
{
	vsp_stream_result *s = stream_new("news-live", 2, 1);

	origin_init(&s->origins[0], "cdn-a", 2);
	rend_pass(&s->origins[0].renditions[0], "426x240", 150);
	rend_pass(&s->origins[0].renditions[1], "640x360", 100);
	origin_init(&s->origins[1], "cdn-b", 2);
	rend_seg_http(&s->origins[1].renditions[0], "426x240", 503);
	rend_seg_http(&s->origins[1].renditions[1], "640x360", 503);
	judge(s);
	return s;
}

typedef struct out {
	vsp_nagios_state state;
	char *text;
	char status[1024]; /* before '|' */
	char *perf;	   /* after '|' on the first line */
	ps_metric *m;
	size_t n;
} out;

static void out_free(out *r)
{
	free(r->text);
	free(r->perf);
	free(r->m);
	memset(r, 0, sizeof(*r));
}

/* Renders and checks what every output must be: one '|', on the first
 * line; perfdata the strict parser accepts, labels unique in 19
 * characters, no U. */
static void render(const vsp_stream_result *s, const vsp_nagios_opts *o, out *r)
{
	char err[ERRLEN];
	const char *bar, *nl;

	memset(r, 0, sizeof(*r));
	assert_int_equal(vsp_nagios_render(s, o, &r->state, &r->text), 0);
	assert_non_null(r->text);
	assert_int_equal(r->text[strlen(r->text) - 1], '\n');
	bar = strchr(r->text, '|');
	nl = strchr(r->text, '\n');
	assert_non_null(bar);
	assert_true(bar < nl);
	if (strchr(bar + 1, '|'))
		fail_msg("a second '|' in:\n%s", r->text);
	snprintf(r->status, sizeof(r->status), "%.*s", (int)(bar - r->text),
		 r->text);
	r->perf = strndup(bar + 1, (size_t)(nl - bar - 1));
	r->m = calloc(PS_MAX_METRICS, sizeof(*r->m));
	assert_non_null(r->perf);
	assert_non_null(r->m);
	if (ps_parse(r->perf, r->m, PS_MAX_METRICS, &r->n, err, sizeof(err)))
		fail_msg("perfdata: %s in '%s'", err, r->perf);
	if (ps_unique(r->m, r->n, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].unknown)
			fail_msg("metric %s is U", r->m[i].label);
	assert_true(strlen(r->status) <= VSP_NAGIOS_STATUS_MAX + 1);
}

static void test_render_ok(void **state)
{
	vsp_stream_result *s = stream_new("news-live", 2, 1);
	const ps_metric *m;
	out r;

	(void)state;
	origin_init(&s->origins[0], "cdn-a", 1);
	rend_pass(&s->origins[0].renditions[0], "640x360", 120);
	origin_init(&s->origins[1], "cdn-b", 1);
	rend_pass(&s->origins[1].renditions[0], "640x360", 80);
	judge(s);
	render(s, NULL, &r);
	assert_int_equal(r.state, VSP_NAGIOS_OK);
	assert_string_equal(r.status, "VIDEO OK - news-live: 2 of 2 origins "
				      "playable, first frame 0.08 s ");
	m = ps_find(r.m, r.n, "ttff_cdn-a");
	assert_non_null(m);
	assert_true(fabs(m->value - 0.12) < 1e-9);
	assert_string_equal(m->uom, "s");
	assert_true(m->has_min && m->min == 0);
	m = ps_find(r.m, r.n, "manifest_cdn-b");
	assert_non_null(m);
	assert_true(fabs(m->value - 0.004) < 1e-9);
	assert_non_null(ps_find(r.m, r.n, "playlist_cdn-a"));
	m = ps_find(r.m, r.n, "segment_cdn-a");
	assert_non_null(m);
	assert_true(fabs(m->value - 0.02) < 1e-9);
	m = ps_find(r.m, r.n, "seg_Bps_cdn-a");
	assert_non_null(m);
	assert_true(fabs(m->value - 200000 / 0.02) < 1e-3);
	assert_string_equal(m->uom, "");
	m = ps_find(r.m, r.n, "playable_cdn-b");
	assert_non_null(m);
	assert_true(m->value == 1 && m->has_max && m->max == 1);
	m = ps_find(r.m, r.n, "origins_playable");
	assert_non_null(m);
	assert_true(m->value == 2);
	assert_string_equal(m->warn, "2:");
	assert_string_equal(m->crit, "1:");
	/* Long output: one line per origin and per rendition. */
	assert_non_null(strstr(r.text, "\norigin cdn-a: OK, hls vod, 1 of 1 "
				       "renditions playable, first frame "
				       "0.12 s\n"));
	assert_non_null(strstr(r.text, "\n  cdn-b 640x360 (600 kb/s): OK, "
				       "first frame 0.08 s\n"));
	out_free(&r);
	vsp_stream_result_free(s);
}

static void test_render_one_origin_down(void **state)
{
	vsp_stream_result *s = news_live();
	out r;

	(void)state;
	render(s, NULL, &r);
	assert_int_equal(r.state, VSP_NAGIOS_WARNING);
	assert_string_equal(r.status, "VIDEO WARNING - news-live: 1 of 2 "
				      "origins playable; cdn-b: segment HTTP "
				      "503 ");
	/* The playable origin's first frame is its best rendition's. */
	assert_true(ps_find(r.m, r.n, "ttff_cdn-a")->value == 0.1);
	/* A failed origin has no first frame: left out, not U. */
	assert_null(ps_find(r.m, r.n, "ttff_cdn-b"));
	assert_null(ps_find(r.m, r.n, "segment_cdn-b"));
	assert_non_null(ps_find(r.m, r.n, "manifest_cdn-b"));
	assert_true(ps_find(r.m, r.n, "playable_cdn-b")->value == 0);
	assert_true(ps_find(r.m, r.n, "origins_playable")->value == 1);
	assert_non_null(strstr(r.text, "\norigin cdn-b: CRITICAL, hls vod, 0 "
				       "of 2 renditions playable; segment "
				       "HTTP 503\n"));
	assert_non_null(strstr(r.text, "\n  cdn-b 426x240: CRITICAL, segment "
				       "HTTP 503\n"));
	/* Reasons with URLs only from -v on. */
	assert_null(strstr(r.text, "http://"));
	out_free(&r);
	vsp_stream_result_free(s);
}

static void test_render_all_down(void **state)
{
	vsp_stream_result *s = stream_new("news-live", 2, 1);
	out r;

	(void)state;
	origin_down(&s->origins[0], "cdn-a");
	origin_down(&s->origins[1], "cdn-b");
	judge(s);
	render(s, NULL, &r);
	assert_int_equal(r.state, VSP_NAGIOS_CRITICAL);
	assert_string_equal(r.status,
			    "VIDEO CRITICAL - news-live: 0 of 2 origins "
			    "playable; cdn-a: manifest: connection failed; "
			    "cdn-b: manifest: connection failed ");
	assert_null(ps_find(r.m, r.n, "ttff_cdn-a"));
	/* No response, no manifest time either. */
	assert_null(ps_find(r.m, r.n, "manifest_cdn-a"));
	out_free(&r);
	vsp_stream_result_free(s);
}

static void test_render_thresholds(void **state)
{
	vsp_stream_result *s = news_live();
	vsp_range w = R("0.05"), c = R("0.09"), loose = R("10");
	vsp_nagios_opts o = { &loose, &loose, 0 };
	const ps_metric *m;
	out r;

	(void)state;
	/* Inside both: the verdict (WARNING) stands. */
	render(s, &o, &r);
	assert_int_equal(r.state, VSP_NAGIOS_WARNING);
	out_free(&r);

	/* 0.1 s outside -w 0.05: WARNING, said in the status line. */
	o.warn = &w;
	o.crit = NULL;
	render(s, &o, &r);
	assert_int_equal(r.state, VSP_NAGIOS_WARNING);
	assert_string_equal(r.status, "VIDEO WARNING - news-live: 1 of 2 "
				      "origins playable; cdn-b: segment HTTP "
				      "503; cdn-a: first frame 0.1 s outside "
				      "-w 0.05 ");
	m = ps_find(r.m, r.n, "ttff_cdn-a");
	assert_string_equal(m->warn, "0.05");
	assert_string_equal(m->crit, "");
	out_free(&r);

	/* Outside -c: CRITICAL, over the WARNING verdict. */
	o.crit = &c;
	render(s, &o, &r);
	assert_int_equal(r.state, VSP_NAGIOS_CRITICAL);
	assert_true(strncmp(r.status, "VIDEO CRITICAL - ", 17) == 0);
	assert_non_null(strstr(r.status, "outside -c 0.09"));
	assert_string_equal(ps_find(r.m, r.n, "ttff_cdn-a")->crit, "0.09");
	assert_non_null(strstr(r.text, "first frame 0.1 s outside -c 0.09"));
	out_free(&r);

	/* @ inverts: inside @0:1 is an alert. */
	w = R("@0:1");
	o.warn = &w;
	o.crit = NULL;
	assert_int_equal(vsp_nagios_judge(s, &o), VSP_NAGIOS_WARNING);
	vsp_stream_result_free(s);
}

/* A threshold never lowers a verdict: a failed stream stays CRITICAL with
 * a -w alert, and a passing one goes to WARNING. */
static void test_judge_worst_of(void **state)
{
	vsp_stream_result *s = stream_new("one", 1, 1);
	vsp_range w = R("0.01");
	vsp_nagios_opts o = { &w, NULL, 0 };

	(void)state;
	origin_init(&s->origins[0], "cdn-a", 2);
	rend_pass(&s->origins[0].renditions[0], "640x360", 100);
	rend_pass(&s->origins[0].renditions[1], "1280x720", 300);
	judge(s);
	assert_int_equal(s->v.status, VSP_PASS);
	assert_int_equal(vsp_nagios_judge(s, NULL), VSP_NAGIOS_OK);
	assert_int_equal(vsp_nagios_judge(s, &o), VSP_NAGIOS_WARNING);
	vsp_verdict_set(&s->v, VSP_FAIL, VSP_R_ORIGINS_DOWN, VSP_STAGE_NONE,
			"forced");
	assert_int_equal(vsp_nagios_judge(s, &o), VSP_NAGIOS_CRITICAL);
	vsp_stream_result_free(s);
}

/* One origin: its name is the stream's, so the reason stands alone. */
static void test_render_single_origin(void **state)
{
	vsp_stream_result *s = stream_new("cdn-b", 1, 1);
	out r;

	(void)state;
	origin_init(&s->origins[0], "cdn-b", 3);
	rend_pass(&s->origins[0].renditions[0], "256x144", 90);
	rend_seg_http(&s->origins[0].renditions[1], "426x240", 404);
	rend_pass(&s->origins[0].renditions[2], "640x360", 95);
	judge(s);
	render(s, NULL, &r);
	assert_int_equal(r.state, VSP_NAGIOS_WARNING);
	assert_string_equal(r.status, "VIDEO WARNING - cdn-b: 1 of 1 origin "
				      "playable; 1 of 3 renditions fail "
				      "(426x240 segment HTTP 404) ");
	assert_true(ps_find(r.m, r.n, "playable_cdn-b")->value == 2);
	assert_true(ps_find(r.m, r.n, "playable_cdn-b")->max == 3);
	out_free(&r);
	vsp_stream_result_free(s);
}

/* The label of the metric whose label starts with prefix and ends with
 * suffix; NULL when none. */
static const char *label_of(const out *r, const char *prefix,
			    const char *suffix)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *l = r->m[i].label;
		size_t n = strlen(l), k = strlen(suffix);

		if (strncmp(l, prefix, strlen(prefix)) == 0 && n >= k &&
		    strcmp(l + n - k, suffix) == 0)
			return l;
	}
	return NULL;
}

/* Names that share their first characters: labels carry a hash of the
 * name, so they stay apart in RRD's 19 characters, and the same label
 * whether or not the other origin is there (graph history). */
static void test_render_label_collision(void **state)
{
	vsp_stream_result *s = stream_new("edge", 2, 1);
	vsp_stream_result *one = stream_new("edge", 1, 1);
	char alone[256];
	out r;

	(void)state;
	origin_init(&s->origins[0], "edge-frankfurt-01.example.net", 1);
	rend_pass(&s->origins[0].renditions[0], "640x360", 100);
	origin_init(&s->origins[1], "edge-frankfurt-02.example.net", 1);
	rend_pass(&s->origins[1].renditions[0], "640x360", 110);
	origin_init(&one->origins[0], "edge-frankfurt-01.example.net", 1);
	rend_pass(&one->origins[0].renditions[0], "640x360", 100);
	for (size_t i = 0; i < 3; i++) {
		vsp_rendition_result *x =
			i < 2 ? &s->origins[i].renditions[0]
			      : &one->origins[0].renditions[0];

		x->live = 1;
		x->target_duration = 2;
		x->has_live_edge_lag = x->has_playlist_age = 1;
		x->live_edge_lag_s = 5;
		x->playlist_age_s = 1;
		x->rtf = 3;
	}
	judge(s);
	judge(one);
	render(one, NULL, &r);
	assert_non_null(
		label_of(&r, "ttff_", "_edge-frankfurt-01.example.net"));
	snprintf(alone, sizeof(alone), "%s",
		 label_of(&r, "ttff_", "_edge-frankfurt-01.example.net"));
	/* metric, six hex digits, the name */
	assert_int_equal(strlen(alone), 5 + 7 + 29);
	out_free(&r);
	render(s, NULL, &r); /* checks uniqueness in 19 characters */
	assert_string_equal(
		label_of(&r, "ttff_", "_edge-frankfurt-01.example.net"), alone);
	assert_non_null(
		label_of(&r, "edge_lag_", "_edge-frankfurt-02.example.net"));
	assert_non_null(
		label_of(&r, "pl_age_", "_edge-frankfurt-01.example.net"));
	assert_non_null(label_of(&r, "rtf_", "_edge-frankfurt-02.example.net"));
	assert_non_null(
		label_of(&r, "manifest_", "_edge-frankfurt-02.example.net"));
	out_free(&r);
	vsp_stream_result_free(s);
	vsp_stream_result_free(one);
}

/* Live thresholds: edge lag and playlist age against their ranges, in the
 * state, the status line and the perfdata. */
static void test_render_live_thresholds(void **state)
{
	vsp_stream_result *s = stream_new("news", 1, 1);
	vsp_range lw, lc, aw;
	vsp_nagios_opts o;
	char err[128];
	out r;

	(void)state;
	origin_init(&s->origins[0], "cdn-a", 1);
	rend_pass(&s->origins[0].renditions[0], "640x360", 100);
	s->origins[0].renditions[0].live = 1;
	s->origins[0].renditions[0].target_duration = 2;
	s->origins[0].renditions[0].has_live_edge_lag = 1;
	s->origins[0].renditions[0].live_edge_lag_s = 12;
	s->origins[0].renditions[0].has_playlist_age = 1;
	s->origins[0].renditions[0].playlist_age_s = 3;
	judge(s);
	assert_int_equal(vsp_range_parse("10", &lw, err, sizeof(err)), 0);
	assert_int_equal(vsp_range_parse("20", &lc, err, sizeof(err)), 0);
	assert_int_equal(vsp_range_parse("2", &aw, err, sizeof(err)), 0);
	memset(&o, 0, sizeof(o));
	o.lag_warn = &lw;
	o.lag_crit = &lc;
	render(s, &o, &r);
	assert_int_equal(r.state, VSP_NAGIOS_WARNING);
	assert_non_null(
		strstr(r.status, "edge lag 12 s outside --lag-warning 10"));
	assert_string_equal(ps_find(r.m, r.n, "edge_lag_cdn-a")->warn, "10");
	assert_string_equal(ps_find(r.m, r.n, "edge_lag_cdn-a")->crit, "20");
	out_free(&r);
	lc.end = 11;
	o.age_warn = &aw;
	render(s, &o, &r);
	assert_int_equal(r.state, VSP_NAGIOS_CRITICAL);
	assert_non_null(
		strstr(r.status, "edge lag 12 s outside --lag-critical"));
	assert_string_equal(ps_find(r.m, r.n, "pl_age_cdn-a")->warn, "2");
	out_free(&r);
	vsp_stream_result_free(s);
}

/* What origins send (names, messages) can hold '|' and newlines; none may
 * reach the output as such. The status line stays short. */
static void test_render_hostile_text(void **state)
{
	char longname[600];
	vsp_stream_result *s;
	vsp_nagios_opts o = { NULL, NULL, 3 };
	out r;

	(void)state;
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	/* A multibyte character across the cut. */
	memcpy(longname + 140, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	s = stream_new(longname, 2, 1);
	origin_init(&s->origins[0], "a|b", 1);
	rend_seg_http(&s->origins[0].renditions[0], "x|y\nz", 500);
	origin_init(&s->origins[1], "c\nd", 1);
	rend_pass(&s->origins[1].renditions[0], "640x360", 100);
	judge(s);
	render(s, &o, &r); /* one '|' only, on the first line */
	assert_true(strlen(r.status) <= VSP_NAGIOS_STATUS_MAX + 1);
	assert_non_null(strstr(r.status, "..."));
	/* The cut is on a character boundary: no lone lead byte. */
	for (const unsigned char *p = (const unsigned char *)r.status; *p; p++)
		if (*p == 0xc3)
			assert_int_equal(p[1] & 0xc0, 0x80);
	assert_non_null(strstr(r.text, "origin a/b: CRITICAL"));
	assert_non_null(strstr(r.text, "seg0.ts?a/b"));
	assert_non_null(ps_find(r.m, r.n, "ttff_c_d"));
	/* -vvv: per-step detail lines. */
	assert_non_null(strstr(r.text, "      segment: HTTP 200, 200000 B"));
	assert_non_null(strstr(r.text, "      manifest: HTTP 200"));
	out_free(&r);
	vsp_stream_result_free(s);
}

static void test_render_verbose_levels(void **state)
{
	vsp_stream_result *s = news_live();
	vsp_nagios_opts o = { NULL, NULL, 0 };
	out r;

	(void)state;
	render(s, &o, &r);
	assert_null(strstr(r.text, "segment 0: HTTP 503 from"));
	assert_null(strstr(r.text, "; playlist "));
	out_free(&r);
	o.verbose = 1;
	render(s, &o, &r);
	assert_non_null(strstr(r.text, "(segment 0: HTTP 503 from "
				       "http://o/v/seg0.ts?a/b)"));
	assert_null(strstr(r.text, "; playlist "));
	out_free(&r);
	o.verbose = 2;
	render(s, &o, &r);
	assert_non_null(strstr(r.text, "; playlist 0.003 s; segment 200000 B "
				       "in 0.02 s; decode h264 640x360, 5 "
				       "frames in 0.012 s"));
	assert_null(strstr(r.text, "      segment: HTTP"));
	out_free(&r);
	vsp_stream_result_free(s);
}

/* Makes r a live rendition with the given findings (lag < -1e9: none). */
static void rend_live(vsp_rendition_result *r, double lag, double age,
		      int reloads, int advanced, double rtf)
{
	r->live = 1;
	r->target_duration = 2;
	r->newest_seq = 1000;
	if (lag > -1e9) {
		r->live_edge_lag_s = lag;
		r->has_live_edge_lag = 1;
	}
	if (age >= 0) {
		r->playlist_age_s = age;
		r->has_playlist_age = 1;
	}
	r->reloads = reloads;
	r->advanced = advanced;
	r->rtf = rtf;
	r->measured_bps = rtf > 0 ? 1600000 : 0;
}

/* A live stream on two origins, cdn-b frozen: its playlist has not moved
 * for 36 s, so both its renditions fail (stale_playlist) and lag cdn-a.
 * Perfdata per origin: the largest edge lag and playlist age, the smallest
 * real-time factor, also from renditions that failed. */
static void test_render_live(void **state)
{
	vsp_stream_result *s = stream_new("news-live", 2, 1);
	vsp_nagios_opts o = { NULL, NULL, 0 };
	vsp_rendition_result *r;
	const ps_metric *m;
	out res;

	(void)state;
	origin_init(&s->origins[0], "cdn-a", 2);
	s->origins[0].live = 1;
	rend_pass(&s->origins[0].renditions[0], "426x240", 150);
	rend_live(&s->origins[0].renditions[0], 4.5, 1, 1, 1, 3.2);
	rend_pass(&s->origins[0].renditions[1], "640x360", 100);
	rend_live(&s->origins[0].renditions[1], 6.25, 2.5, 1, 1, 2.5);
	origin_init(&s->origins[1], "cdn-b", 2);
	s->origins[1].live = 1;
	for (size_t k = 0; k < 2; k++) {
		r = &s->origins[1].renditions[k];
		rend_pass(r, k ? "640x360" : "426x240", 0);
		rend_live(r, 40 + (double)k, 36, 2, 0, 4 + (double)k);
		r->has_origin_lag = 1;
		r->origin_lag_s = 34;
		r->live_note = strdup("reload 2 unchanged");
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_STALE_PLAYLIST,
				VSP_STAGE_LIVE,
				"playlist unchanged for 36.0 s (18.0 target "
				"durations)");
	}
	judge(s);
	render(s, &o, &res);
	assert_int_equal(res.state, VSP_NAGIOS_WARNING);
	assert_string_equal(res.status,
			    "VIDEO WARNING - news-live: 1 of 2 origins "
			    "playable; cdn-b: live: live playlist does not "
			    "advance ");
	m = ps_find(res.m, res.n, "edge_lag_cdn-a");
	assert_non_null(m);
	assert_true(m->value == 6.25);
	assert_string_equal(m->uom, "s");
	assert_false(m->has_min); /* an encoder clock ahead: negative */
	m = ps_find(res.m, res.n, "pl_age_cdn-a");
	assert_non_null(m);
	assert_true(m->value == 2.5);
	assert_string_equal(m->uom, "s");
	assert_true(m->has_min && m->min == 0);
	m = ps_find(res.m, res.n, "rtf_cdn-a");
	assert_non_null(m);
	assert_true(m->value == 2.5);
	assert_string_equal(m->uom, "");
	assert_true(m->has_min && m->min == 0);
	assert_false(m->has_max);
	/* A failed origin has no first frame, but its live figures are what
	 * the operator needs to see. */
	assert_null(ps_find(res.m, res.n, "ttff_cdn-b"));
	assert_true(ps_find(res.m, res.n, "edge_lag_cdn-b")->value == 41);
	assert_true(ps_find(res.m, res.n, "pl_age_cdn-b")->value == 36);
	assert_true(ps_find(res.m, res.n, "rtf_cdn-b")->value == 4);
	/* cdn-a 6 + 3 live, cdn-b manifest, playable + 3 live, and
	 * origins_playable. */
	assert_int_equal(res.n, 6 + 3 + 2 + 3 + 1);
	/* Long output: live findings always; rtf and notes from -v. */
	assert_non_null(strstr(res.text,
			       "\n  cdn-a 640x360 (600 kb/s): OK, first frame "
			       "0.1 s; live: edge lag 6.2 s, playlist age 2.5 "
			       "s, 1 reload, advanced\n"));
	assert_non_null(strstr(res.text,
			       "\n  cdn-b 426x240 (600 kb/s): CRITICAL, live: "
			       "live playlist does not advance; live: edge lag "
			       "40 s, playlist age 36 s, 34 s behind the best "
			       "origin, 2 reloads, not advanced\n"));
	assert_null(strstr(res.text, "real time"));
	out_free(&res);

	o.verbose = 1;
	render(s, &o, &res);
	assert_non_null(strstr(res.text,
			       "; live: edge lag 4.5 s, playlist age 1 s, 1 "
			       "reload, advanced; segment at 3.2x real time, "
			       "1600 kb/s\n"));
	assert_non_null(strstr(res.text,
			       ", 2 reloads, not advanced (reload 2 "
			       "unchanged); segment at 5x real time, 1600 "
			       "kb/s (playlist unchanged for 36.0 s"));
	out_free(&res);
	vsp_stream_result_free(s);
}

/* Not live: no live metric, no live text; the real-time factor only when
 * a segment was timed, and in the long output from -v or when slow. A live
 * playlist without PROGRAM-DATE-TIME has an age but no edge lag. */
static void test_render_not_live(void **state)
{
	vsp_stream_result *s = stream_new("mixed", 3, 1);
	vsp_nagios_opts o = { NULL, NULL, 0 };
	vsp_rendition_result *r;
	out res;

	(void)state;
	origin_init(&s->origins[0], "vod-a", 1);
	rend_pass(&s->origins[0].renditions[0], "640x360", 100);
	origin_init(&s->origins[1], "vod-b", 1);
	r = &s->origins[1].renditions[0];
	rend_pass(r, "640x360", 120);
	r->rtf = 0.64;
	r->measured_bps = 800000;
	vsp_verdict_set(&r->v, VSP_WARN, VSP_R_SLOW_DOWNLOAD, VSP_STAGE_SEGMENT,
			"segment 0: 0.64x real time");
	origin_init(&s->origins[2], "live-c", 1);
	r = &s->origins[2].renditions[0];
	rend_pass(r, "640x360", 90);
	rend_live(r, -1e10, 3, 0, -1, 0);
	judge(s);
	render(s, &o, &res);
	assert_int_equal(res.state, VSP_NAGIOS_WARNING);
	for (size_t i = 0; i < res.n; i++) {
		const char *l = res.m[i].label;

		assert_true(strncmp(l, "edge_lag_", 9) != 0);
		if (strncmp(l, "pl_age_", 7) == 0)
			assert_string_equal(l, "pl_age_live-c");
		if (strncmp(l, "rtf_", 4) == 0)
			assert_string_equal(l, "rtf_vod-b");
	}
	assert_true(ps_find(res.m, res.n, "rtf_vod-b")->value == 0.64);
	assert_true(ps_find(res.m, res.n, "pl_age_live-c")->value == 3);
	assert_non_null(strstr(res.text,
			       "\n  vod-a 640x360 (600 kb/s): OK, first frame "
			       "0.1 s\n"));
	/* Slow: said without -v. */
	assert_non_null(strstr(res.text,
			       "\n  vod-b 640x360 (600 kb/s): WARNING, "
			       "segment: segment slower than real time, first "
			       "frame 0.12 s; segment at 0.64x real time, 800 "
			       "kb/s\n"));
	/* No reload made, no PROGRAM-DATE-TIME: only what is known. */
	assert_non_null(strstr(res.text,
			       "\n  live-c 640x360 (600 kb/s): OK, first frame "
			       "0.09 s; live: playlist age 3 s, 0 reloads\n"));
	out_free(&res);
	vsp_stream_result_free(s);
}

/* Many origins with many renditions: the output stays within its cap,
 * ends on a whole line, and keeps the status line and perfdata. */
static void test_render_cap(void **state)
{
	vsp_stream_result *s = stream_new("big", 32, 1);
	vsp_nagios_opts o = { NULL, NULL, 3 };
	char name[32];
	out r;

	(void)state;
	for (size_t i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "cdn-%02zu", i);
		origin_init(&s->origins[i], name, 40);
		for (size_t k = 0; k < 40; k++)
			rend_pass(&s->origins[i].renditions[k], "640x360",
				  100 + (double)k);
	}
	judge(s);
	render(s, &o, &r);
	assert_true(strlen(r.text) <= VSP_NAGIOS_OUTPUT_MAX);
	assert_int_equal(r.n, 32 * 6 + 1);
	assert_int_equal(r.text[strlen(r.text) - 1], '\n');
	out_free(&r);
	vsp_stream_result_free(s);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_ok),
		cmocka_unit_test(test_render_one_origin_down),
		cmocka_unit_test(test_render_all_down),
		cmocka_unit_test(test_render_thresholds),
		cmocka_unit_test(test_judge_worst_of),
		cmocka_unit_test(test_render_single_origin),
		cmocka_unit_test(test_render_label_collision),
		cmocka_unit_test(test_render_live_thresholds),
		cmocka_unit_test(test_render_hostile_text),
		cmocka_unit_test(test_render_verbose_levels),
		cmocka_unit_test(test_render_live),
		cmocka_unit_test(test_render_not_live),
		cmocka_unit_test(test_render_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
