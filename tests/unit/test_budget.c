/*
 * test_budget.c - the check's memory budget (lib/budget.c) and the parsers'
 * bounds: reservations, waiting, holders that would wait for each other,
 * and a parse that stops at its deadline or at the budget.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "budget.h"
#include "clock.h"
#include "dash.h"
#include "hls.h"

static void test_take_give(void **state)
{
	vsp_budget *b = vsp_budget_new(1000);
	vsp_budget_hold h = { b, 0 };
	char err[256];

	(void)state;
	assert_int_equal(vsp_budget_take(&h, 600, 0, err, sizeof(err)), 0);
	assert_int_equal(vsp_budget_take(&h, 400, 0, err, sizeof(err)), 0);
	assert_int_equal(vsp_budget_used(b), 1000);
	/* One more byte can never fit beside what h holds. */
	assert_int_equal(vsp_budget_take(&h, 1, 0, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "memory budget"));
	vsp_budget_give(&h, 1000);
	assert_int_equal(h.held, 0);
	assert_int_equal(vsp_budget_used(b), 0);
	/* Alone over the budget: at once, no waiting. */
	assert_int_equal(vsp_budget_take(&h, 1001, 0, err, sizeof(err)), -2);
	vsp_budget_free(b);
}

static void test_no_budget(void **state)
{
	vsp_budget_hold h = { NULL, 0 };
	char err[64];

	(void)state;
	assert_int_equal(
		vsp_budget_take(&h, (size_t)1 << 40, 0, err, sizeof(err)), 0);
	vsp_budget_give(&h, 5);
	assert_int_equal(vsp_budget_take(NULL, 5, 0, err, sizeof(err)), 0);
}

struct giver {
	vsp_budget_hold *h;
	size_t n;
};

static void *give_later(void *arg)
{
	struct giver *g = arg;

	usleep(100 * 1000);
	vsp_budget_give(g->h, g->n);
	return NULL;
}

static void test_waits_for_others(void **state)
{
	vsp_budget *b = vsp_budget_new(1000);
	vsp_budget_hold a = { b, 0 }, c = { b, 0 };
	struct giver g = { &a, 800 };
	pthread_t t;
	char err[256];
	int64_t t0;

	(void)state;
	assert_int_equal(vsp_budget_take(&a, 800, 0, err, sizeof(err)), 0);
	/* Busy, not too large: c waits until a gives back. */
	assert_int_equal(pthread_create(&t, NULL, give_later, &g), 0);
	t0 = vsp_now_us();
	assert_int_equal(vsp_budget_take(&c, 500, vsp_now_us() + 5000000, err,
					 sizeof(err)),
			 0);
	assert_true(vsp_now_us() - t0 >= 50000);
	pthread_join(t, NULL);
	vsp_budget_give(&c, 500);
	/* Busy until the deadline: -1. */
	assert_int_equal(vsp_budget_take(&a, 800, 0, err, sizeof(err)), 0);
	assert_int_equal(vsp_budget_take(&c, 500, vsp_now_us() + 50000, err,
					 sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "deadline"));
	vsp_budget_give(&a, 800);
	vsp_budget_free(b);
}

struct taker {
	vsp_budget_hold *h;
	size_t n;
	int rc;
};

static void *take_thread(void *arg)
{
	struct taker *t = arg;
	char err[256];

	t->rc = vsp_budget_take(t->h, t->n, vsp_now_us() + 5000000, err,
				sizeof(err));
	return NULL;
}

static void test_holders_waiting_for_each_other(void **state)
{
	vsp_budget *b = vsp_budget_new(1000);
	vsp_budget_hold x = { b, 0 }, y = { b, 0 };
	struct taker tx = { &x, 100, 1 };
	pthread_t t;
	char err[256];
	int64_t t0;

	(void)state;
	assert_int_equal(vsp_budget_take(&x, 500, 0, err, sizeof(err)), 0);
	assert_int_equal(vsp_budget_take(&y, 500, 0, err, sizeof(err)), 0);
	/* x waits for y; then y asks for more: both would wait until the
	 * deadline, so y fails at once, and its bytes let x through. */
	assert_int_equal(pthread_create(&t, NULL, take_thread, &tx), 0);
	usleep(100 * 1000);
	t0 = vsp_now_us();
	assert_int_equal(vsp_budget_take(&y, 100, vsp_now_us() + 5000000, err,
					 sizeof(err)),
			 -2);
	assert_true(vsp_now_us() - t0 < 1000000);
	assert_non_null(strstr(err, "other renditions"));
	vsp_budget_give(&y, 500);
	pthread_join(t, NULL);
	assert_int_equal(tx.rc, 0);
	assert_int_equal(x.held, 600);
	vsp_budget_give(&x, 600);
	assert_int_equal(vsp_budget_used(b), 0);
	vsp_budget_free(b);
}

/* A playlist of n segments. */
static char *big_playlist(size_t n, size_t *len)
{
	size_t cap = 64 + n * 40, l = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	l += (size_t)snprintf(s, cap, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
	for (size_t i = 0; i < n; i++)
		l += (size_t)snprintf(s + l, cap - l, "#EXTINF:2.0,\ns%zu.ts\n",
				      i);
	*len = l;
	return s;
}

static void test_hls_parse_bounds(void **state)
{
	size_t len;
	char *s = big_playlist(20000, &len);
	vsp_hls_playlist *pl = NULL;
	vsp_budget *b = vsp_budget_new(10 * 1024 * 1024);
	vsp_budget_hold h = { b, 0 };
	vsp_parse_bound past = { vsp_now_us() - 1, NULL };
	vsp_parse_bound room = { 0, &h };
	char err[256];

	(void)state;
	assert_int_equal(
		vsp_hls_parse_until(s, len, NULL, &past, &pl, err, sizeof(err)),
		-3);
	assert_null(pl);
	assert_non_null(strstr(err, "deadline"));
	/* Within the budget: it holds its reservation until freed. */
	assert_int_equal(
		vsp_hls_parse_until(s, len, NULL, &room, &pl, err, sizeof(err)),
		0);
	assert_int_equal(pl->n_segments, 20000);
	assert_true(h.held > 0);
	vsp_hls_free(pl);
	assert_int_equal(h.held, 0);
	vsp_budget_free(b);
	/* A budget smaller than the parsed playlist: too large. */
	b = vsp_budget_new(64 * 1024);
	h.b = b;
	assert_int_equal(
		vsp_hls_parse_until(s, len, NULL, &room, &pl, err, sizeof(err)),
		-2);
	assert_int_equal(h.held, 0);
	vsp_budget_free(b);
	free(s);
}

static void test_dash_parse_bounds(void **state)
{
	size_t n = 30000, cap = 1024 + n * 16, l = 0;
	char *s = malloc(cap);
	vsp_dash_mpd *m = NULL;
	vsp_budget *b = vsp_budget_new(1024 * 1024);
	vsp_budget_hold h = { b, 0 };
	vsp_parse_bound past = { vsp_now_us() - 1, NULL };
	vsp_parse_bound room = { 0, &h };
	char err[256];

	(void)state;
	assert_non_null(s);
	l += (size_t)snprintf(
		s, cap,
		"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
		"mediaPresentationDuration=\"PT60000S\"><Period>"
		"<AdaptationSet mimeType=\"video/mp4\"><Representation "
		"id=\"v\" "
		"bandwidth=\"1\"><SegmentTemplate timescale=\"1000\" "
		"media=\"s$Time$.m4s\"><SegmentTimeline>");
	for (size_t i = 0; i < n; i++)
		l += (size_t)snprintf(s + l, cap - l, "<S d=\"2000\"/>");
	l += (size_t)snprintf(s + l, cap - l,
			      "</SegmentTimeline></SegmentTemplate>"
			      "</Representation></AdaptationSet></Period>"
			      "</MPD>");
	assert_int_equal(
		vsp_dash_parse_until(s, l, NULL, &past, &m, err, sizeof(err)),
		-3);
	assert_null(m);
	/* 30 000 elements of tree do not fit in 1 MB. */
	assert_int_equal(
		vsp_dash_parse_until(s, l, NULL, &room, &m, err, sizeof(err)),
		-2);
	assert_null(m);
	assert_int_equal(h.held, 0);
	vsp_budget_free(b);
	/* In 64 MB they do, and the tree is given back once parsed. */
	b = vsp_budget_new(64 * 1024 * 1024);
	h.b = b;
	assert_int_equal(
		vsp_dash_parse_until(s, l, NULL, &room, &m, err, sizeof(err)),
		0);
	assert_int_equal(h.held, 0);
	vsp_dash_free(m);
	vsp_budget_free(b);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_give),
		cmocka_unit_test(test_no_budget),
		cmocka_unit_test(test_waits_for_others),
		cmocka_unit_test(test_holders_waiting_for_each_other),
		cmocka_unit_test(test_hls_parse_bounds),
		cmocka_unit_test(test_dash_parse_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
