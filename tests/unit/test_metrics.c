/*
 * test_metrics.c - the exposition of result trees (lib/metrics.h): labels
 * escaped, cut and unique, families grouped whatever the order, unknown
 * values left out, a point as the decimal separator in any locale, carried
 * samples, the stable shard hash; under ASan every path frees.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "runner.h"

static void test_labels(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "n=\"plain\"" },
		{ "a\"b\\c\nd", "n=\"a\\\"b\\\\c\\nd\"" },
		{ "tab\there", "n=\"tab here\"" },
		{ "caf\xc3\xa9", "n=\"caf\xc3\xa9\"" },
		{ "bad\xff\xc3", "n=\"bad??\"" },
	};
	char buf[600], want[600], longs[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_metrics_label(buf, sizeof(buf), "n", cases[i].in);
		assert_string_equal(buf, cases[i].want);
	}
	/* Cut at VSP_METRICS_MAX_LABEL characters, never inside one. */
	longs[0] = '\0';
	for (int i = 0; i < 70; i++)
		strcat(longs, "\xc3\xa9");
	vsp_metrics_label(buf, sizeof(buf), "n", longs);
	snprintf(want, sizeof(want), "n=\"%.*s\"", VSP_METRICS_MAX_LABEL * 2,
		 longs);
	assert_string_equal(buf, want);
}

static void test_numbers(void **state)
{
	char b[64];

	(void)state;
	/* The decimal comma of de_DE must not reach the exposition. */
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	vsp_metrics_num(0.25, b, sizeof(b));
	assert_string_equal(b, "0.25");
	vsp_metrics_num(3, b, sizeof(b));
	assert_string_equal(b, "3");
	vsp_metrics_num(-0.0, b, sizeof(b));
	assert_string_equal(b, "0");
	vsp_metrics_num(NAN, b, sizeof(b));
	assert_string_equal(b, "NaN");
	vsp_metrics_num(1796018183.258765, b, sizeof(b));
	assert_string_equal(b, "1796018183.258765");
	setlocale(LC_NUMERIC, "C");
}

/* A stream of two origins; the second has two renditions of one name. */
static vsp_stream_result *tree(const char *probe)
{
	vsp_stream_result *s = calloc(1, sizeof(*s));
	vsp_origin_result *o;

	assert_non_null(s);
	s->probe = strdup(probe);
	s->v.status = VSP_WARN;
	s->v.reason = VSP_R_HTTP_STATUS;
	s->v.stage = VSP_STAGE_MANIFEST;
	s->duration_ms = 1500;
	s->time = 1700000000;
	s->min_healthy = 1;
	s->n_origins = 2;
	s->n_healthy = 1;
	s->origins = calloc(2, sizeof(*s->origins));
	o = &s->origins[0];
	o->name = strdup("down");
	o->url = strdup("http://secret.example/?token=abc");
	o->v.status = VSP_FAIL;
	o->v.reason = VSP_R_HTTP_STATUS;
	o->v.stage = VSP_STAGE_MANIFEST;
	o->manifest.done = 1;
	o->manifest.http_status = 503;
	o = &s->origins[1];
	o->name = strdup("up");
	o->url = strdup("http://ok.example/m.m3u8?token=abc");
	o->manifest.done = 1;
	o->manifest.http_status = 200;
	o->manifest.dns_ms = 1;
	o->manifest.connect_ms = 2;
	o->manifest.ttfb_ms = 10;
	o->manifest.total_ms = 12;
	o->n_renditions = 2;
	o->n_playable = 2;
	o->renditions = calloc(2, sizeof(*o->renditions));
	o->renditions[0].name = strdup("640x360");
	o->renditions[0].ttff_ms = 250;
	o->renditions[1].name = strdup("640x360");
	o->renditions[1].has_live_edge_lag = 1;
	o->renditions[1].live_edge_lag_s = 4.5;
	/* The origins' figures are the judge's. */
	vsp_origin_judge(&s->origins[0]);
	vsp_origin_judge(&s->origins[1]);
	return s;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_tree(void **state)
{
	vsp_stream_result *a = tree("news"), *b = tree("sport");
	vsp_metrics *m = vsp_metrics_new("eu-1");
	char *text;

	(void)state;
	assert_non_null(m);
	assert_int_equal(vsp_metrics_add(m, a), 0);
	assert_int_equal(vsp_metrics_add(m, b), 0);
	text = vsp_metrics_text(m, NULL);
	assert_non_null(text);
	/* One HELP and TYPE per family, samples of both probes under it. */
	assert_int_equal(count(text, "# TYPE probe_success gauge\n"), 1);
	assert_non_null(strstr(text, "# TYPE probe_success gauge\n"
				     "probe_success{probe=\"news\",vantage="
				     "\"eu-1\"} 1\nprobe_success{probe="
				     "\"sport\",vantage=\"eu-1\"} 1\n"));
	assert_non_null(strstr(text, "probe_http_status_code{probe=\"news\","
				     "vantage=\"eu-1\",origin=\"down\"} 503\n"));
	assert_non_null(strstr(
		text, "probe_http_duration_seconds{probe=\"news\",vantage="
		      "\"eu-1\",origin=\"up\",phase=\"processing\"} 0.007\n"));
	assert_non_null(strstr(text, "probe_video_origin_up{probe=\"news\","
				     "vantage=\"eu-1\",origin=\"down\"} 0\n"));
	/* Two renditions of one name get two label sets. */
	assert_non_null(strstr(text, "rendition=\"640x360\"} 0\n"));
	assert_non_null(strstr(text, "rendition=\"640x360#2\"} 0\n"));
	/* Known values only: one ttff, one edge lag per probe. */
	assert_int_equal(
		count(text, "probe_video_time_to_first_frame_seconds{"), 2);
	assert_int_equal(count(text, "probe_video_live_edge_lag_seconds{"), 2);
	assert_int_equal(count(text, "probe_video_playlist_age_seconds{"), 0);
	/* The origin's figures, as the judge computed them: only "up" has
	 * them. */
	assert_non_null(strstr(
		text, "probe_video_origin_time_to_first_frame_seconds{probe="
		      "\"news\",vantage=\"eu-1\",origin=\"up\"} 0.25\n"));
	assert_non_null(strstr(
		text, "probe_video_origin_live_edge_lag_seconds{probe="
		      "\"news\",vantage=\"eu-1\",origin=\"up\"} 4.5\n"));
	assert_int_equal(
		count(text, "probe_video_origin_time_to_first_frame_seconds{"),
		2);
	assert_int_equal(count(text, "probe_video_origin_realtime_factor{"),
			 0);
	assert_non_null(strstr(text, "origin=\"\",status=\"warn\",reason="
				     "\"http_status\",stage=\"manifest\"} 1"));
	/* Never a URL, nor its token. */
	assert_null(strstr(text, "token"));
	assert_null(strstr(text, "example"));
	free(text);
	vsp_metrics_free(m);
	vsp_stream_result_free(a);
	vsp_stream_result_free(b);
}

static void test_carried_samples(void **state)
{
	vsp_metrics *m = vsp_metrics_new(NULL);
	vsp_stream_result *a = tree("news");
	char *text;

	(void)state;
	assert_int_equal(vsp_metrics_add(m, a), 0);
	assert_int_equal(
		vsp_metrics_add_sample(m, "probe_success{probe=\"old\"} 0"), 0);
	assert_int_equal(vsp_metrics_add_sample(m, "# HELP probe_success x"),
			 1);
	assert_int_equal(vsp_metrics_add_sample(m, "other_metric 1"), 1);
	assert_int_equal(vsp_metrics_add_sample(m, "probe_successful 1"), 1);
	text = vsp_metrics_text(m, NULL);
	assert_non_null(strstr(text, "probe_success{probe=\"news\"} 1\n"
				     "probe_success{probe=\"old\"} 0\n"
				     "# HELP probe_duration_seconds"));
	assert_null(strstr(text, "vantage"));
	free(text);
	vsp_metrics_free(m);
	vsp_stream_result_free(a);
}

/* The shard of a name never changes: fleets split by it across versions
 * (FNV-1a 32-bit). */
static void test_shard(void **state)
{
	unsigned seen[3] = { 0 };
	char name[16];

	(void)state;
	assert_int_equal(vsp_shard_of("", 1000), 2166136261u % 1000);
	assert_int_equal(vsp_shard_of("a", 1u << 31), 0xe40c292cu % (1u << 31));
	assert_int_equal(vsp_shard_of("news-live", 1), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "probe-%d", i);
		seen[vsp_shard_of(name, 3)]++;
	}
	/* Spread, not all in one shard. */
	for (int i = 0; i < 3; i++)
		assert_true(seen[i] > 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_carried_samples),
		cmocka_unit_test(test_shard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
