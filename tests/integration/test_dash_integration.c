/*
 * test_dash_integration.c - `prober check --json` against DASH served on
 * 127.0.0.1.
 *
 * Started by tests/integration/dash.sh with PROBER (the binary) and ORIGIN
 * (http://127.0.0.1:PORT). Each case runs the program as a subprocess with
 * an argv (child.h, never a shell string) and checks the record and the
 * exit status: the contract is the JSON, not the library's structs. Never
 * reaches any address but ORIGIN.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* prober runs with --timeout 20; past this it hangs. */
#define RUN_LIMIT_MS 60000.0

static const char *prober, *origin;

/* A prober run; its doc is stdout parsed. */
typedef child run;

static void dump(const run *r)
{
	child_dump(r, "prober", SIZE_MAX, SIZE_MAX);
}

/* `prober check --json --timeout 20 [extra] URL`, stdout parsed. */
static void check(run *r, const char *path, const char *extra1,
		  const char *extra2)
{
	char url[1024];
	char *argv[10];
	int rc, n = 0;

	snprintf(url, sizeof(url), "%s/%s", origin, path);
	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = "20";
	if (extra1)
		argv[n++] = (char *)extra1;
	if (extra2)
		argv[n++] = (char *)extra2;
	argv[n++] = url;
	argv[n] = NULL;
	rc = child_run(r, argv[0], argv, RUN_LIMIT_MS);
	if (rc != 0)
		fail_msg("cannot start %s: %s", argv[0], strerror(rc));
	child_json(r);
	if (r->exit_status < 0 || !r->doc) {
		dump(r);
		fail_msg("%s: prober crashed, hung or printed no JSON", path);
	}
}


static json_t *origin0(const run *r)
{
	json_t *o = json_array_get(json_object_get(r->doc, "origins"), 0);

	assert_non_null(o);
	return o;
}

#define EXPECT(r, cond)                                                        \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dump(r);                                               \
			fail_msg("%s", #cond);                                 \
		}                                                              \
	} while (0)

/* Every representation passes, video decoded at its declared size. */
static void expect_all_pass(run *r, size_t want, int live)
{
	json_t *o = origin0(r), *rends = json_object_get(o, "renditions");
	size_t video = 0, audio = 0;

	EXPECT(r, r->exit_status == 0);
	EXPECT(r, strcmp(child_str(r->doc, "status"), "pass") == 0);
	EXPECT(r, strcmp(child_str(o, "protocol"), "dash") == 0);
	EXPECT(r, json_is_true(json_object_get(o, "live")) == live);
	EXPECT(r, json_array_size(rends) == want);
	for (size_t i = 0; i < json_array_size(rends); i++) {
		json_t *x = json_array_get(rends, i);
		json_t *d = json_object_get(x, "decode");
		json_t *seg = json_object_get(x, "segment");
		json_t *init = json_object_get(x, "init");

		EXPECT(r, strcmp(child_str(x, "status"), "pass") == 0);
		EXPECT(r, json_integer_value(json_object_get(seg, "http_status")) ==
				  200);
		EXPECT(r, json_integer_value(json_object_get(init, "http_status")) ==
				  200);
		EXPECT(r, strstr(child_str(seg, "url"), "/chunk-") != NULL);
		EXPECT(r, json_integer_value(json_object_get(d, "frames")) > 0);
		if (strcmp(child_str(x, "kind"), "video") == 0) {
			char res[32];

			snprintf(res, sizeof(res), "%lldx%lld",
				 (long long)json_integer_value(
					 json_object_get(d, "width")),
				 (long long)json_integer_value(
					 json_object_get(d, "height")));
			EXPECT(r, strcmp(res, child_str(x, "resolution")) == 0);
			EXPECT(r, json_integer_value(json_object_get(d, "width")) >
					  0);
			video++;
		} else {
			EXPECT(r, strcmp(child_str(x, "kind"), "audio") == 0);
			EXPECT(r, json_integer_value(
					  json_object_get(d, "sample_rate")) ==
					  48000);
			audio++;
		}
		EXPECT(r, json_real_value(json_object_get(x, "ttff_ms")) > 0);
	}
	EXPECT(r, video >= 1 && audio == 1);
}

static void test_number_template(void **state)
{
	run r;

	(void)state;
	check(&r, "num/manifest.mpd", NULL, NULL);
	expect_all_pass(&r, 3, 0);
	/* $Number%05d$ with startNumber 1: the first segment. */
	EXPECT(&r, strstr(child_str(json_object_get(json_array_get(json_object_get(
							  origin0(&r),
							  "renditions"),
						  0),
					  "segment"),
			      "url"),
			  "/num/chunk-0-00001.m4s") != NULL);
	child_free(&r);
}

static void test_timeline_time(void **state)
{
	run r;

	(void)state;
	check(&r, "time/manifest.mpd", NULL, NULL);
	expect_all_pass(&r, 3, 0);
	EXPECT(&r, strstr(child_str(json_object_get(json_array_get(json_object_get(
							  origin0(&r),
							  "renditions"),
						  0),
					  "segment"),
			      "url"),
			  "/time/chunk-0-0.m4s") != NULL);
	child_free(&r);
}

static void test_no_extension(void **state)
{
	run r;

	(void)state;
	check(&r, "num/manifest", NULL, NULL);
	expect_all_pass(&r, 3, 0);
	child_free(&r);
}

static void test_lowest(void **state)
{
	run r;
	json_t *rends;

	(void)state;
	check(&r, "num/manifest.mpd", "--renditions", "lowest");
	expect_all_pass(&r, 2, 0);
	rends = json_object_get(origin0(&r), "renditions");
	EXPECT(&r, strcmp(child_str(json_array_get(rends, 0), "resolution"),
			  "256x144") == 0);
	child_free(&r);
}

static void test_live(void **state)
{
	run r;
	json_t *rends;

	(void)state;
	check(&r, "live/manifest.mpd", NULL, NULL);
	expect_all_pass(&r, 3, 1);
	rends = json_object_get(origin0(&r), "renditions");
	/* Started "4 s ago", 2 s behind the clock: not the first segment. */
	for (size_t i = 0; i < json_array_size(rends); i++)
		EXPECT(&r, json_integer_value(json_object_get(
				   json_array_get(rends, i), "segment_seq")) >=
				   2);
	child_free(&r);
}

/* The only rendition of origin 0. */
static json_t *rend0(const run *r)
{
	return json_array_get(json_object_get(origin0(r), "renditions"), 0);
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double d = t - wall_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A real-time encoder: the MPD moves on between loads and passes; once the
 * encoder is killed, the MPD freezes: warn past 1.5 segment durations,
 * fail (stale_playlist, stage live) past 3. */
static void test_live_encoder_stale(void **state)
{
	const char *pid_s = getenv("LIVE_PID"), *media = getenv("MEDIA");
	char mpd[1024];
	struct stat st;
	double t_kill;
	long pid;
	run r;

	(void)state;
	if (!pid_s || !media)
		skip();
	pid = strtol(pid_s, NULL, 10);
	assert_true(pid > 1);
	for (int i = 0; i < 3; i++) {
		json_t *lc;

		check(&r, "rt/live.mpd", "--timeout", "6");
		EXPECT(&r, r.exit_status == 0);
		EXPECT(&r, json_is_true(json_object_get(origin0(&r), "live")));
		lc = json_object_get(rend0(&r), "live_check");
		EXPECT(&r, json_is_true(json_object_get(lc, "advanced")));
		EXPECT(&r, json_real_value(json_object_get(
				   lc, "target_duration_s")) == 1.0);
		child_free(&r);
	}
	/* Stop it right after it rewrote the MPD, so the MPD's age is known
	 * to within the polling step. */
	snprintf(mpd, sizeof(mpd), "%s/rt/live.mpd", media);
	assert_int_equal(stat(mpd, &st), 0);
	{
		struct timespec was = st.st_mtim;
		double until = wall_s() + 3;

		while (wall_s() < until && stat(mpd, &st) == 0 &&
		       st.st_mtim.tv_sec == was.tv_sec &&
		       st.st_mtim.tv_nsec == was.tv_nsec)
			sleep_until(wall_s() + 0.01);
	}
	kill((pid_t)pid, SIGKILL);
	t_kill = wall_s();

	/* Too short a deadline to reload: judged from publishTime, the
	 * newest segment's end and Last-Modified. */
	sleep_until(t_kill + 2.0);
	check(&r, "rt/live.mpd", "--timeout", "0.8");
	EXPECT(&r, r.exit_status == 1);
	EXPECT(&r, strcmp(child_str(rend0(&r), "reason"), "stale_playlist") == 0);
	EXPECT(&r, strcmp(child_str(rend0(&r), "stage"), "live") == 0);
	child_free(&r);

	sleep_until(t_kill + 4.0);
	check(&r, "rt/live.mpd", "--timeout", "3");
	EXPECT(&r, r.exit_status == 2);
	EXPECT(&r, strcmp(child_str(rend0(&r), "status"), "fail") == 0);
	EXPECT(&r, strcmp(child_str(rend0(&r), "reason"), "stale_playlist") == 0);
	EXPECT(&r, strstr(child_str(rend0(&r), "message"), "rt/live.mpd") != NULL);
	child_free(&r);
}

static void test_missing_segment(void **state)
{
	run r;
	json_t *o, *rends;
	size_t failed = 0;

	(void)state;
	check(&r, "seg404/manifest.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status == 1);
	EXPECT(&r, strcmp(child_str(r.doc, "status"), "warn") == 0);
	o = origin0(&r);
	rends = json_object_get(o, "renditions");
	for (size_t i = 0; i < json_array_size(rends); i++) {
		json_t *x = json_array_get(rends, i);

		if (strcmp(child_str(x, "name"), "1") == 0) {
			EXPECT(&r, strcmp(child_str(x, "status"), "fail") == 0);
			EXPECT(&r, strcmp(child_str(x, "stage"), "segment") == 0);
			EXPECT(&r, strcmp(child_str(x, "reason"), "http_status") == 0);
			EXPECT(&r, strstr(child_str(x, "message"), "404") != NULL);
			failed++;
		} else {
			EXPECT(&r, strcmp(child_str(x, "status"), "pass") == 0);
		}
	}
	EXPECT(&r, failed == 1);
	child_free(&r);
}

/* The rendition named name (the Representation id). */
static json_t *rend_named(const run *r, const char *name)
{
	json_t *rends = json_object_get(origin0(r), "renditions");

	for (size_t i = 0; i < json_array_size(rends); i++) {
		json_t *x = json_array_get(rends, i);

		if (strcmp(child_str(x, "name"), name) == 0)
			return x;
	}
	dump(r);
	fail_msg("no rendition %s", name);
	return NULL;
}

/* SegmentBase (on-demand): the sidx's middle and last subsegments are
 * sniffed besides the first, by ranged GETs of the one file. */
static void test_ondemand(void **state)
{
	run r;

	(void)state;
	check(&r, "od/manifest.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status == 0);
	EXPECT(&r, strcmp(child_str(r.doc, "status"), "pass") == 0);
	for (int k = 0; k < 2; k++) {
		json_t *x = rend_named(&r, k ? "1" : "0");
		json_t *segs = json_object_get(x, "segments");
		json_t *last = json_array_get(segs, 2);

		EXPECT(&r, strcmp(child_str(x, "status"), "pass") == 0);
		/* Video: 6 s of 1 s; AAC's tail makes audio one more. */
		EXPECT(&r, json_integer_value(json_object_get(
				   x, "segments_listed")) == 6 + k);
		EXPECT(&r, json_array_size(segs) == 3);
		EXPECT(&r, strcmp(child_str(last, "role"), "last") == 0);
		EXPECT(&r, strcmp(child_str(last, "action"), "sniffed") == 0);
		EXPECT(&r, json_integer_value(json_object_get(
				   last, "http_status")) == 206);
	}
	child_free(&r);
	/* --segments all: every subsegment. */
	check(&r, "od/manifest.mpd", "--segments", "all");
	EXPECT(&r, strcmp(child_str(r.doc, "status"), "pass") == 0);
	EXPECT(&r, json_array_size(json_object_get(rend_named(&r, "0"),
						   "segments")) == 6);
	child_free(&r);
}

/* The video file cut to half its bytes: the first subsegments play, a
 * player stalls at the cut. The index's own Content-Range says so. */
static void test_ondemand_truncated(void **state)
{
	run r;
	json_t *x;

	(void)state;
	check(&r, "odhalf/manifest.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status != 0);
	x = rend_named(&r, "0");
	EXPECT(&r, strcmp(child_str(x, "status"), "fail") == 0);
	EXPECT(&r, strcmp(child_str(x, "reason"), "segment_missing") == 0);
	EXPECT(&r, strstr(child_str(x, "message"), "Content-Range") != NULL);
	EXPECT(&r, strcmp(child_str(rend_named(&r, "1"), "status"), "pass") ==
			   0);
	child_free(&r);
}

/* The video's last subsegment does not begin with a moof. */
static void test_ondemand_last_damaged(void **state)
{
	run r;
	json_t *x;

	(void)state;
	check(&r, "odlast/manifest.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status != 0);
	x = rend_named(&r, "0");
	EXPECT(&r, strcmp(child_str(x, "status"), "fail") == 0);
	EXPECT(&r, strcmp(child_str(x, "reason"), "not_media") == 0);
	EXPECT(&r, strstr(child_str(x, "message"), "last") != NULL);
	child_free(&r);
}

static void test_all_missing(void **state)
{
	run r;

	(void)state;
	check(&r, "allgone/manifest.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status == 2);
	EXPECT(&r, strcmp(child_str(r.doc, "status"), "fail") == 0);
	EXPECT(&r, strcmp(child_str(origin0(&r), "status"), "fail") == 0);
	child_free(&r);
}

static void test_manifest_missing(void **state)
{
	run r;

	(void)state;
	check(&r, "nothing/here.mpd", NULL, NULL);
	EXPECT(&r, r.exit_status == 2);
	EXPECT(&r, strcmp(child_str(origin0(&r), "stage"), "manifest") == 0);
	child_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_template),
		cmocka_unit_test(test_timeline_time),
		cmocka_unit_test(test_no_extension),
		cmocka_unit_test(test_lowest),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_missing_segment),
		cmocka_unit_test(test_live_encoder_stale),
		cmocka_unit_test(test_ondemand),
		cmocka_unit_test(test_ondemand_truncated),
		cmocka_unit_test(test_ondemand_last_damaged),
		cmocka_unit_test(test_all_missing),
		cmocka_unit_test(test_manifest_missing),
	};

	prober = getenv("PROBER");
	origin = getenv("ORIGIN");
	if (!prober || !origin || strncmp(origin, "http://127.0.0.1:", 17) != 0) {
		fprintf(stderr, "test_dash_integration: PROBER and ORIGIN "
				"(http://127.0.0.1:PORT) must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
