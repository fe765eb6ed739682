/*
 * test_live_integration.c - the prober program against live HLS streams
 * encoded in real time, served by nginx on 127.0.0.1.
 *
 * Started by tests/integration/live.sh, which passes PROBER (the binary),
 * ORIGIN and ORIGIN2 (http://127.0.0.1:PORT of its two nginx ports), MEDIA
 * (the folder of the encoders' output), FROZEN (the file nginx serves as
 * ORIGIN2/frozen/index.m3u8) and STOP_PID (the encoder of MEDIA/stop, which
 * this suite kills). Each case runs `prober check --json` as a subprocess
 * (child.h: an argv, no shell) and checks the record:
 *   (a) a healthy live stream passes, 20 runs in a row, with and without
 *       time for a reload;
 *   (b) a stopped encoder passes, then warns at 1.5x and fails at 3x its
 *       target duration;
 *   (c) of two origins, one serving a frozen playlist fails stale and lags,
 *       one serving the playlist late but moving warns origin_lagging;
 *   (d) a throttled origin warns slow_download;
 *   (e) the live thresholds of a probe file change those verdicts.
 *
 * The streams are real time, so the cases are about time. Every timed
 * assertion is made from this process's own clock and the playlist on disk
 * (the moment its newest segment ended), compared with the thresholds with
 * margins of about half a second, and a run that straddles a threshold
 * anyway (a loaded machine) is accepted on either side of it: the suite
 * must not turn a slow machine into a red build.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* Every run here has a --timeout of 12 s at most. */
#define RUN_LIMIT_MS 30000.0

#include "record_check.h"

#define MAX_ARGS 16
/* live.sh encodes with -hls_time 1 and -g = fps: TARGETDURATION 1. */
#define TD 1.0
/* prober's defaults (limits.h): stale warn and fail factors, the
 * origin_lagging threshold, in target durations. */
#define WARN_X 1.5
#define FAIL_X 3.0
#define LAG_X 2.0
/* Consecutive runs of a healthy stream that must all pass (issue 6). */
#define HEALTHY_RUNS 20
/* Runs too short for a reload, spread over the phases of the 1 s update. */
#define NO_RELOAD_RUNS 10
/* Slack between this process's clock reads and prober's, seconds. */
#define CLOCK_SLACK_S 0.05

static const char *prober, *origin, *origin2, *media, *frozen;
static pid_t stop_pid;
/* When the stopped encoder's newest segment ended; 0 until it is stopped. */
static double stop_end;

/* A prober run; started_s and ended_s say when, by the wall clock. */

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double d)
{
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void sleep_until_wall(double t)
{
	sleep_s(t - wall_s());
}

/* prober check --json --timeout T URL... (NULL-terminated) */
static void run_check(run *r, const char *timeout, ...)
{
	char *argv[MAX_ARGS];
	const char *u;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = (char *)timeout;
	va_start(ap, timeout);
	while ((u = va_arg(ap, const char *)) != NULL && n < MAX_ARGS - 1)
		argv[n++] = (char *)u;
	va_end(ap);
	argv[n] = NULL;
	run_argv(r, argv);
	if (r->doc == NULL)
		FAILF("stdout is not one JSON object");
}

/* prober check --json --timeout T --probe FILE, FILE holding json. */
static void run_probe_file(run *r, const char *timeout, const char *json)
{
	char path[] = "/tmp/prober-live-probe-XXXXXX";
	size_t len = strlen(json);
	int fd = mkstemp(path);

	if (fd < 0)
		FAILF("mkstemp: %s", strerror(errno));
	if (write(fd, json, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		FAILF("cannot write %s", path);
	}
	close(fd);
	run_argv(r, (char *const[]){ (char *)prober, "check", "--json",
				     "--timeout", (char *)timeout, "--probe",
				     path, NULL });
	unlink(path);
	if (r->doc == NULL)
		FAILF("stdout is not one JSON object");
}

/* ---- JSON checks; each names the key and dumps the run on failure ---- */


/* ---- the record ---- */

/* Exit status and top-level status agree; n_origins origins. */
static void check_top(const run *r, int want_exit, size_t n_origins)
{
	static const char *const names[] = { "pass", "warn", "fail" };

	where[0] = '\0';
	if (r->exit_status != want_exit)
		FAILF("exit status %d, want %d", r->exit_status, want_exit);
	STR(r->doc, "status", names[want_exit]);
	if (json_array_size(json_object_get(r->doc, "origins")) != n_origins)
		FAILF("want %zu origins", n_origins);
	if (want_exit == 0)
		BLANK(r->doc, "reason");
}

static const json_t *origin_at(const run *r, size_t i, const char *url)
{
	const json_t *o = json_array_get(json_object_get(r->doc, "origins"), i);

	snprintf(where, sizeof(where), "origins[%zu]", i);
	if (!json_is_object(o))
		FAILF("not an object");
	STR(o, "url", url);
	STR(o, "protocol", "hls");
	BOOL(o, "live", 1);
	return o;
}

/* The one rendition of origin i (every stream here has one). */
static const json_t *rendition_of(const run *r, size_t i, const char *url)
{
	const json_t *o = origin_at(r, i, url);
	const json_t *arr = json_object_get(o, "renditions");
	const json_t *rd = json_array_get(arr, 0);

	snprintf(where, sizeof(where), "origins[%zu].renditions[0]", i);
	if (json_array_size(arr) != 1 || !json_is_object(rd))
		FAILF("want exactly one rendition");
	BOOL(rd, "live", 1);
	return rd;
}

static const json_t *live_check(const json_t *rd)
{
	const json_t *lc = OBJ(rd, "live_check");

	if (fabs(NUM(lc, "target_duration_s") - TD) > 1e-9)
		FAILF("target_duration_s is not %g", TD);
	return lc;
}

/* The segment fetched is the newest the playlist listed: a live player
 * starts near the live edge, and an old segment proves nothing about it.
 * ffmpeg names segments after their media sequence number. */
static void check_newest_fetched(const json_t *rd, const char *path)
{
	const json_t *lc = live_check(rd);
	json_int_t newest = INT_OF(lc, "newest_seq");
	char tail[128];

	if (INT_OF(rd, "segment_seq") != newest)
		FAILF("segment_seq %lld is not the newest listed, %lld",
		      (long long)INT_OF(rd, "segment_seq"), (long long)newest);
	snprintf(tail, sizeof(tail), "%s/index%lld.ts", path, (long long)newest);
	CONTAINS(OBJ(rd, "segment"), "url", tail);
	if (INT_OF(OBJ(rd, "segment"), "http_status") != 200)
		FAILF("segment not fetched (HTTP status)");
}

/* A live rendition that plays and whose playlist moved on during the run. */
static void check_live_pass(const json_t *rd, const char *path)
{
	const json_t *lc;

	STR(rd, "status", "pass");
	BLANK(rd, "reason");
	check_newest_fetched(rd, path);
	lc = live_check(rd);
	BOOL(lc, "advanced", 1);
	if (INT_OF(lc, "reloads") < 1)
		FAILF("advanced without a reload");
	/* A 1 s stream: the newest segment ended at most one update (1 s)
	 * plus the encoder's latency ago. Negative would mean the playlist
	 * lists a segment that has not ended yet. */
	NUM_IN(lc, "live_edge_lag_s", -CLOCK_SLACK_S, FAIL_X * TD);
	NUM_IN(lc, "playlist_age_s", 0, FAIL_X * TD);
	if (NUM(rd, "realtime_factor") <= 1)
		FAILF("realtime_factor <= 1 from a local origin");
	if (NUM(rd, "measured_bps") <= 0)
		FAILF("measured_bps <= 0");
}

/* ---- the playlists on disk ---- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		FAILF("cannot open %s: %s", path, strerror(errno));
	buf = malloc(1 << 16);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* "2026-11-26T11:37:45.987+0000" (how ffmpeg writes it) in Unix seconds. */
static double parse_pdt(const char *s)
{
	int y, mo, d, h, mi, sec, ms, oh = 0, om = 0, n = 0;
	struct tm tm;
	double t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%n", &y, &mo, &d, &h, &mi,
		   &sec, &ms, &n) != 7 || n == 0)
		FAILF("PROGRAM-DATE-TIME '%.40s' not understood", s);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (double)timegm(&tm) + ms / 1000.0;
	s += n;
	if (*s == '+' || *s == '-') {
		if (sscanf(s + 1, "%2d%2d", &oh, &om) != 2 &&
		    sscanf(s + 1, "%2d:%2d", &oh, &om) != 2)
			FAILF("PROGRAM-DATE-TIME offset '%.10s'", s);
		t -= (*s == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
	}
	return t;
}

/* When the newest segment of a playlist ends, by its PROGRAM-DATE-TIME and
 * EXTINF, as prober reads it; its media sequence number in *seq. */
static double newest_end_of(const char *path, long long *seq)
{
	char *text = read_file(path), *line, *save = NULL;
	double pdt = 0, dur = 0, end = 0;
	long long first = -1, n = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *e;

		if (strncmp(line, "#EXT-X-MEDIA-SEQUENCE:", 22) == 0) {
			first = strtoll(line + 22, &e, 10);
			if (e == line + 22)
				FAILF("%s: '%s'", path, line);
		} else if (strncmp(line, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0) {
			pdt = parse_pdt(line + 25);
		} else if (strncmp(line, "#EXTINF:", 8) == 0) {
			dur = strtod(line + 8, &e);
			if (e == line + 8)
				FAILF("%s: EXTINF '%s'", path, line);
		} else if (line[0] != '#' && line[0] != '\0') {
			end = pdt + dur;
			pdt = end; /* the next one follows without a tag */
			n++;
		}
	}
	free(text);
	if (first < 0 || n == 0 || end <= 0)
		FAILF("%s: no media sequence, segment or PROGRAM-DATE-TIME",
		      path);
	*seq = first + n - 1;
	return end;
}

static double mtime_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		FAILF("cannot stat %s: %s", path, strerror(errno));
	return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
}

/* Copies src to dst through a temporary file and a rename: nginx serves the
 * old file or the new one, never a part. */
static void copy_atomic(const char *src, const char *dst)
{
	char *text = read_file(src), tmp[1024];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	f = fopen(tmp, "wb");
	if (f == NULL)
		FAILF("cannot create %s: %s", tmp, strerror(errno));
	if (fputs(text, f) == EOF || fclose(f) != 0)
		FAILF("cannot write %s", tmp);
	free(text);
	if (rename(tmp, dst) != 0)
		FAILF("rename %s: %s", tmp, strerror(errno));
}

/* ---- cases ---- */

/*
 * (a) A healthy live stream passes run after run: no false alarm in
 * HEALTHY_RUNS consecutive checks. Each run reloads the playlist after one
 * target duration (1 s) and sees it move on, fetches the newest segment,
 * and reports how far behind the live edge the playlist is.
 */
static void test_live_passes_run_after_run(void **state)
{
	char url[512];
	double lo = 1e9, hi = 0, lag_hi = 0;
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/live/master.m3u8", origin);
	for (int i = 0; i < HEALTHY_RUNS; i++) {
		const json_t *rd, *lc;

		run_check(&r, "4", url, NULL);
		check_top(&r, 0, 1);
		STR(origin_at(&r, 0, url), "status", "pass");
		rd = rendition_of(&r, 0, url);
		STR(rd, "kind", "variant");
		check_live_pass(rd, "/live");
		lc = live_check(rd);
		NUL(lc, "origin_lag_s"); /* one origin: no peer to lag */
		/* Bounded by its deadline; 1 s for starting and ending the
		 * process on a loaded machine. */
		if (r.wall_ms >= 5000)
			FAILF("run %d took %.0f ms, over its --timeout 4", i,
			      r.wall_ms);
		lo = fmin(lo, r.wall_ms);
		hi = fmax(hi, r.wall_ms);
		lag_hi = fmax(lag_hi, NUM(lc, "live_edge_lag_s"));
		run_free(&r);
	}
	print_message("live: %d runs pass, %.0f-%.0f ms each, live-edge lag "
		      "up to %.2f s\n",
		      HEALTHY_RUNS, lo, hi, lag_hi);
}

/*
 * (a') The same stream checked with a deadline too short for a reload
 * (--timeout 1 on a 1 s target duration): judged from Last-Modified and
 * PROGRAM-DATE-TIME alone, it must still pass, at every phase of its 1 s
 * update; and the record says no reload was possible.
 */
static void test_live_without_reload_passes(void **state)
{
	char url[512];
	double age_hi = 0;
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/live/index.m3u8", origin);
	for (int i = 0; i < NO_RELOAD_RUNS; i++) {
		const json_t *rd, *lc;

		run_check(&r, "1", url, NULL);
		check_top(&r, 0, 1);
		rd = rendition_of(&r, 0, url);
		STR(rd, "kind", "media");
		STR(rd, "status", "pass");
		check_newest_fetched(rd, "/live");
		lc = live_check(rd);
		if (INT_OF(lc, "reloads") != 0)
			FAILF("reloaded within --timeout 1");
		NUL(lc, "advanced");
		CONTAINS(lc, "note", "no reload");
		age_hi = fmax(age_hi, NUM_IN(lc, "playlist_age_s", 0,
					     WARN_X * TD - 1e-9));
		run_free(&r);
		/* Not a divisor of 1 s: the runs land on different phases
		 * of the playlist's update. */
		sleep_s(0.27);
	}
	print_message("live: %d runs without a reload pass, playlist age up "
		      "to %.2f s\n",
		      NO_RELOAD_RUNS, age_hi);
}

/* The verdict a check whose evidence was taken between lo and hi seconds
 * after the newest segment ended must have. Both sides of a threshold the
 * run straddled are accepted. */
static void check_stale_band(const run *r, const json_t *rd, double lo,
			     double hi, const char *url)
{
	const json_t *lc = live_check(rd);
	const char *st = json_string_value(json_object_get(rd, "status"));
	double age = NUM(lc, "playlist_age_s");
	int ok;

	/* prober's clock and ours agree: the age it reports was read
	 * during the run. */
	if (age < lo - CLOCK_SLACK_S || age > hi + CLOCK_SLACK_S)
		FAILF("playlist_age_s %.3f outside the run, [%.3f, %.3f] s "
		      "after the newest segment ended",
		      age, lo, hi);
	if (st == NULL)
		FAILF("no status");
	if (hi < WARN_X * TD)
		ok = strcmp(st, "pass") == 0;
	else if (lo >= WARN_X * TD && hi < FAIL_X * TD)
		ok = strcmp(st, "warn") == 0;
	else if (lo >= FAIL_X * TD)
		ok = strcmp(st, "fail") == 0;
	else /* straddled: either side of a threshold it crossed */
		ok = !(lo >= WARN_X * TD && strcmp(st, "pass") == 0) &&
		     !(hi < FAIL_X * TD && strcmp(st, "fail") == 0);
	if (!ok)
		FAILF("status %s for a playlist unchanged %.2f-%.2f s (%gx "
		      "warn, %gx fail)",
		      st, lo, hi, WARN_X, FAIL_X);
	if (strcmp(st, "pass") == 0) {
		BLANK(rd, "reason");
		return;
	}
	STR(rd, "reason", "stale_playlist");
	STR(rd, "stage", "live");
	CONTAINS(rd, "message", url);
	CONTAINS(rd, "message", "has not changed");
	/* One origin, one rendition: its cause is the stream's. */
	where[0] = '\0';
	STR(r->doc, "reason", "stale_playlist");
	CONTAINS(r->doc, "message", url);
}

/*
 * (b) The encoder stops (SIGKILL: no EXT-X-ENDLIST, the playlist stays as it
 * was, served 200 with every segment). Checked at chosen moments after its
 * newest segment ended: pass before 1.5x the target duration, warn from
 * 1.5x, fail from 3x. --timeout 1 leaves no time for a reload, so the
 * verdict rests on Last-Modified and PROGRAM-DATE-TIME; a last check with
 * time for a reload sees the playlist not move and fails at once.
 */
static void test_stopped_encoder_warns_then_fails(void **state)
{
	static const struct {
		double at; /* seconds after the newest segment ended */
		const char *timeout;
	} steps[] = { { 0.6, "1" }, { 2.0, "1" }, { 3.6, "1" }, { 3.9, "3" } };
	char path[1024], url[512];
	double m0, end, t_kill;
	long long seq;
	run r;

	(void)state;
	snprintf(path, sizeof(path), "%s/stop/index.m3u8", media);
	snprintf(url, sizeof(url), "%s/stop/index.m3u8", origin);
	/* Stop it just after a playlist update: the most time before the
	 * first threshold, for the check that must still pass. */
	m0 = mtime_of(path);
	for (int i = 0; i < 300 && mtime_of(path) == m0; i++)
		sleep_s(0.01);
	if (mtime_of(path) == m0)
		FAILF("%s did not change in 3 s: the encoder is not running",
		      path);
	if (kill(stop_pid, SIGKILL) != 0)
		FAILF("kill %ld: %s", (long)stop_pid, strerror(errno));
	t_kill = wall_s();
	sleep_s(0.1);
	end = newest_end_of(path, &seq);
	print_message("stop: killed the encoder %.2f s after its newest "
		      "segment (%lld) ended\n",
		      t_kill - end, seq);
	/* Each check is judged by when it really ran, so a late kill (a
	 * loaded machine) only moves the first check out of the pass band. */
	if (t_kill - end > steps[0].at - 0.1)
		print_message("stop: killed late; the first check may not be "
			      "a pass\n");
	stop_end = end;
	m0 = mtime_of(path);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const json_t *rd, *lc;
		int want_exit;

		sleep_until_wall(end + steps[i].at);
		run_check(&r, steps[i].timeout, url, NULL);
		want_exit = r.exit_status;
		if (want_exit < 0 || want_exit > 2)
			FAILF("exit status %d", want_exit);
		check_top(&r, want_exit, 1);
		rd = rendition_of(&r, 0, url);
		check_newest_fetched(rd, "/stop");
		lc = live_check(rd);
		if (INT_OF(lc, "newest_seq") != seq)
			FAILF("newest_seq is not %lld, the last written", seq);
		check_stale_band(&r, rd, r.started_s - end, r.ended_s - end,
				 url);
		if (strcmp(steps[i].timeout, "1") == 0) {
			if (INT_OF(lc, "reloads") != 0)
				FAILF("reloaded within --timeout 1");
			CONTAINS(lc, "note", "no reload");
		} else {
			if (INT_OF(lc, "reloads") < 1)
				FAILF("no reload within --timeout %s",
				      steps[i].timeout);
			BOOL(lc, "advanced", 0);
		}
		print_message("stop: %.2f-%.2f s after the end: %s, age %.2f s, "
			      "%lld reloads\n",
			      r.started_s - end, r.ended_s - end,
			      json_string_value(json_object_get(rd, "status")),
			      NUM(lc, "playlist_age_s"),
			      (long long)INT_OF(lc, "reloads"));
		run_free(&r);
	}
	if (mtime_of(path) != m0)
		FAILF("%s changed after the encoder was killed", path);
}

/* "127.0.0.1:PORT" of an origin URL, prober's default origin name. */
static const char *host_port(const char *base)
{
	const char *p = strstr(base, "://");

	return p ? p + 3 : base;
}

/*
 * (c) Two origins; the second serves a copy of the live playlist taken
 * once, 4 target durations before the check, while the encoder goes on (a
 * CDN serving an old cached playlist, every answer a 200). The frozen
 * origin is behind the other by more than 2 target durations, so
 * origin_lagging applies; but a playlist that old has also not changed for
 * over 3x its target duration, which is stale_playlist at fail, and a fail
 * outranks origin_lagging's warn as the verdict's reason. So: the frozen
 * origin fails with stale_playlist (stage live, the message names its
 * playlist and the seconds), its live_check carries origin_lag_s over 2
 * target durations; the healthy origin passes with origin_lag_s 0; the
 * stream warns, one of two origins playable, naming the frozen one.
 */
static void test_frozen_origin(void **state)
{
	char src[1024], good[512], bad[512], bad_pl[512];
	const json_t *g, *b, *o, *glc, *blc;
	double lag;
	run r;

	(void)state;
	snprintf(src, sizeof(src), "%s/live/index.m3u8", media);
	snprintf(good, sizeof(good), "%s/live/master.m3u8", origin);
	snprintf(bad, sizeof(bad), "%s/frozen/master.m3u8", origin2);
	snprintf(bad_pl, sizeof(bad_pl), "%s/frozen/index.m3u8", origin2);
	copy_atomic(src, frozen);
	sleep_s(4 * TD);
	run_check(&r, "4", good, bad, NULL);
	check_top(&r, 1, 2);
	STR(r.doc, "reason", "redundancy_lost");
	CONTAINS(r.doc, "message", host_port(origin2));
	CONTAINS(r.doc, "message", bad_pl);

	g = rendition_of(&r, 0, good);
	check_live_pass(g, "/live");
	glc = live_check(g);
	NUM_IN(glc, "origin_lag_s", 0, 0);
	STR(origin_at(&r, 0, good), "status", "pass");

	b = rendition_of(&r, 1, bad);
	STR(b, "status", "fail");
	STR(b, "reason", "stale_playlist");
	STR(b, "stage", "live");
	CONTAINS(b, "message", bad_pl);
	blc = live_check(b);
	BOOL(blc, "advanced", 0);
	NUM_IN(blc, "playlist_age_s", FAIL_X * TD, 60);
	lag = NUM_IN(blc, "origin_lag_s", LAG_X * TD + 1e-9, 60);
	if (INT_OF(glc, "newest_seq") - INT_OF(blc, "newest_seq") < 3)
		FAILF("the frozen copy is not 3 segments behind");
	o = origin_at(&r, 1, bad);
	STR(o, "status", "fail");
	STR(o, "reason", "stale_playlist");
	STR(o, "stage", "live");
	print_message("frozen: %s is %.1f s behind, unchanged for %.1f s\n",
		      host_port(origin2), lag, NUM(blc, "playlist_age_s"));
	run_free(&r);
}

/*
 * (c') Two origins; the second serves the live playlist 3 segments late but
 * keeps moving (live.sh's delay line): not stale (its reload moves on) but
 * behind, by more than 2 target durations: origin_lagging on that origin
 * only, stage live, the message naming both origins; the stream warns with
 * that reason.
 */
static void test_lagging_origin(void **state)
{
	char good[512], lagging[512], name[128];
	const json_t *g, *b, *blc;
	double lag;
	run r;

	(void)state;
	snprintf(good, sizeof(good), "%s/live/master.m3u8", origin);
	snprintf(lagging, sizeof(lagging), "%s/lag/master.m3u8", origin2);
	run_check(&r, "4", good, lagging, NULL);
	check_top(&r, 1, 2);
	STR(r.doc, "reason", "origin_lagging");
	CONTAINS(r.doc, "message", host_port(origin2));

	g = rendition_of(&r, 0, good);
	check_live_pass(g, "/live");
	NUM_IN(live_check(g), "origin_lag_s", 0, 0);
	STR(origin_at(&r, 0, good), "status", "pass");

	b = rendition_of(&r, 1, lagging);
	STR(b, "status", "warn");
	STR(b, "reason", "origin_lagging");
	STR(b, "stage", "live");
	snprintf(name, sizeof(name), "origin %s ", host_port(origin2));
	CONTAINS(b, "message", name);
	snprintf(name, sizeof(name), "behind origin %s ", host_port(origin));
	CONTAINS(b, "message", name);
	check_newest_fetched(b, "/lag");
	blc = live_check(b);
	BOOL(blc, "advanced", 1);
	/* 3 segments held back, plus up to one update of the live playlist
	 * between the delay line's copy and the check. */
	lag = NUM_IN(blc, "origin_lag_s", LAG_X * TD + 1e-9, 6 * TD);
	STR(origin_at(&r, 1, lagging), "reason", "origin_lagging");
	print_message("lagging: %s is %.1f s behind\n", host_port(origin2),
		      lag);
	run_free(&r);
}

/*
 * (d) Two origins of the same playlist; the second throttles segments to
 * 40 KB/s (nginx limit_rate) while a segment is ~100 KB per second of media:
 * slower than real time, so viewers would rebuffer: slow_download (warn,
 * stage segment) with a real-time factor under 1, on that origin only. The
 * live-edge lag is a property of the playlist, the same on both origins,
 * however long the segment took.
 */
static void test_throttled_origin(void **state)
{
	char good[512], slow[512];
	const json_t *g, *b;
	double rtf, lag_g, lag_b;
	run r;

	(void)state;
	snprintf(good, sizeof(good), "%s/live/index.m3u8", origin);
	snprintf(slow, sizeof(slow), "%s/slow/index.m3u8", origin2);
	run_check(&r, "12", good, slow, NULL);
	check_top(&r, 1, 2);
	STR(r.doc, "reason", "slow_download");
	CONTAINS(r.doc, "message", host_port(origin2));

	g = rendition_of(&r, 0, good);
	check_live_pass(g, "/live");
	lag_g = NUM(live_check(g), "live_edge_lag_s");

	b = rendition_of(&r, 1, slow);
	STR(b, "status", "warn");
	STR(b, "reason", "slow_download");
	STR(b, "stage", "segment");
	check_newest_fetched(b, "/slow");
	CONTAINS(b, "message", "/slow/index");
	CONTAINS(b, "message", "real time");
	/* A media playlist declares no bitrate: the message must not say it
	 * declared 0. */
	LACKS(b, "message", " 0 kb/s declared");
	rtf = NUM_IN(b, "realtime_factor", 0.01, 1 - 1e-9);
	if (NUM(b, "measured_bps") <= 0)
		FAILF("measured_bps <= 0");
	BOOL(live_check(b), "advanced", 1);
	lag_b = NUM(live_check(b), "live_edge_lag_s");
	/* Both loaded the same playlist at about the same moment: at most
	 * one 1 s update apart, not a segment download apart. */
	if (fabs(lag_b - lag_g) > TD + 0.3)
		FAILF("live_edge_lag_s %.2f on the throttled origin, %.2f on "
		      "the other: the segment's download time counted as lag",
		      lag_b, lag_g);
	print_message("throttled: %.2fx real time, %lld b/s, segment %.0f "
		      "ms\n",
		      rtf, (long long)INT_OF(b, "measured_bps"),
		      NUM(OBJ(b, "segment"), "total_ms"));
	run_free(&r);
}

/*
 * (e) The thresholds are the probe's: the same streams as above, judged
 * with the live keys of a probe file. The stopped stream (older than the
 * default 3x by now) passes under a 50x warn factor and warns under 2x with
 * a 60x fail factor; the origin 3 segments behind passes under a 10 target
 * duration allowance and warns under 1, named by the probe file's origin
 * names; the throttled origin (0.5x real time) passes when 0.1x is enough.
 */
static void test_thresholds_from_probe_file(void **state)
{
	char json[2048], stop[512], good[512], lagging[512], slow[512];
	const json_t *rd;
	run r;

	(void)state;
	snprintf(stop, sizeof(stop), "%s/stop/index.m3u8", origin);
	snprintf(good, sizeof(good), "%s/live/index.m3u8", origin);
	snprintf(lagging, sizeof(lagging), "%s/lag/index.m3u8", origin2);
	snprintf(slow, sizeof(slow), "%s/slow/index.m3u8", origin2);

	if (stop_end > 0) {
		double age = wall_s() - stop_end;

		if (age < FAIL_X * TD || age > 40 * TD)
			FAILF("the stopped stream is %.1f s old, want 3-40 s",
			      age);
		snprintf(json, sizeof(json),
			 "{\"name\": \"stop\", \"origins\": [{\"name\": "
			 "\"enc\", \"url\": \"%s\"}], "
			 "\"stale_warn_factor\": 50, "
			 "\"stale_fail_factor\": 100}",
			 stop);
		run_probe_file(&r, "1", json);
		check_top(&r, 0, 1);
		rd = rendition_of(&r, 0, stop);
		STR(rd, "status", "pass");
		NUM_IN(live_check(rd), "playlist_age_s", FAIL_X * TD, 50 * TD);
		run_free(&r);

		snprintf(json, sizeof(json),
			 "{\"name\": \"stop\", \"origins\": [{\"name\": "
			 "\"enc\", \"url\": \"%s\"}], "
			 "\"stale_warn_factor\": 2, "
			 "\"stale_fail_factor\": 60}",
			 stop);
		run_probe_file(&r, "1", json);
		check_top(&r, 1, 1);
		rd = rendition_of(&r, 0, stop);
		STR(rd, "status", "warn");
		STR(rd, "reason", "stale_playlist");
		STR(rd, "stage", "live");
		run_free(&r);
	} else {
		print_message("thresholds: the stop case did not run; its "
			      "part is skipped\n");
	}

	snprintf(json, sizeof(json),
		 "{\"name\": \"lag\", \"origins\": ["
		 "{\"name\": \"cdn-a\", \"url\": \"%s\"}, "
		 "{\"name\": \"cdn-b\", \"url\": \"%s\"}], "
		 "\"lag_warn_target_durations\": %s}",
		 good, lagging, "10");
	run_probe_file(&r, "4", json);
	check_top(&r, 0, 2);
	rd = rendition_of(&r, 1, lagging);
	STR(rd, "status", "pass");
	NUM_IN(live_check(rd), "origin_lag_s", LAG_X * TD + 1e-9, 6 * TD);
	run_free(&r);

	snprintf(json, sizeof(json),
		 "{\"name\": \"lag\", \"origins\": ["
		 "{\"name\": \"cdn-a\", \"url\": \"%s\"}, "
		 "{\"name\": \"cdn-b\", \"url\": \"%s\"}], "
		 "\"lag_warn_target_durations\": %s}",
		 good, lagging, "1");
	run_probe_file(&r, "4", json);
	check_top(&r, 1, 2);
	STR(r.doc, "reason", "origin_lagging");
	rd = rendition_of(&r, 1, lagging);
	STR(rd, "reason", "origin_lagging");
	CONTAINS(rd, "message", "origin cdn-b is ");
	CONTAINS(rd, "message", "behind origin cdn-a ");
	STR(rendition_of(&r, 0, good), "status", "pass");
	run_free(&r);

	snprintf(json, sizeof(json),
		 "{\"name\": \"slow\", \"origins\": [{\"name\": "
		 "\"throttled\", \"url\": \"%s\"}], "
		 "\"slow_realtime_factor\": 0.1}",
		 slow);
	run_probe_file(&r, "12", json);
	check_top(&r, 0, 1);
	rd = rendition_of(&r, 0, slow);
	STR(rd, "status", "pass");
	NUM_IN(rd, "realtime_factor", 0.1, 1 - 1e-9);
	run_free(&r);
}

static const char *need_env(const char *name)
{
	return child_need_env("test_live_integration", name, "tests/integration/live.sh (make integration)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_passes_run_after_run),
		cmocka_unit_test(test_live_without_reload_passes),
		cmocka_unit_test(test_stopped_encoder_warns_then_fails),
		cmocka_unit_test(test_frozen_origin),
		cmocka_unit_test(test_lagging_origin),
		cmocka_unit_test(test_throttled_origin),
		cmocka_unit_test(test_thresholds_from_probe_file),
	};
	const char *pid;
	char *end;
	long v;

	prober = need_env("PROBER");
	origin = need_env("ORIGIN");
	origin2 = need_env("ORIGIN2");
	media = need_env("MEDIA");
	frozen = need_env("FROZEN");
	pid = need_env("STOP_PID");
	errno = 0;
	v = strtol(pid, &end, 10);
	if (errno || *end || v <= 1) {
		fprintf(stderr, "test_live_integration: STOP_PID '%s'\n", pid);
		return 2;
	}
	stop_pid = (pid_t)v;
	return cmocka_run_group_tests_name("live integration", tests, NULL,
					   NULL);
}
