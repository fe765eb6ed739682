/*
 * test_nagios_integration.c - the plugin (prober nagios, check_video_stream)
 * against real local origins, as Nagios or Icinga would run it.
 *
 * Started by tests/integration/nagios.sh with PROBER (the binary), ORIGIN
 * (http://127.0.0.1:PORT serving the generated ladder under /ts/), DEAD (a
 * URL where connecting is refused), BLACKHOLE (http://127.0.0.1:PORT of a
 * listener that never answers) and WORK (a scratch folder). Each case runs
 * the plugin with an argv (child.h), never a shell, and checks what a
 * monitoring system relies on: the exact exit status, the status line, and
 * perfdata that a strict parser of the guidelines' grammar accepts.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../unit/perfdata_strict.h"

/* A plugin's output is a few lines. */
#define CHILD_OUT_CAP (1u << 20)
#include "child.h"

/* Past this a run hangs: the plugin's own -t is far below it. */
#define RUN_LIMIT_MS 30000.0

static const char *prober, *origin, *dead, *blackhole, *work;
static char ladder[512];

typedef struct run {
	child c;          /* exit status, stdout, stderr, time */
	char line[2048];  /* first line of stdout */
	char text[1024];  /* status text, before '|' */
	ps_metric *m;     /* perfdata, parsed strictly */
	size_t n;
} run;

static void dump(const run *r)
{
	child_dump(&r->c, "plugin", SIZE_MAX, SIZE_MAX);
}

/* Runs path with argv (argv[0] as given: the plugin may be started under
 * another name), capturing stdout and stderr. */
static void run_plugin(run *r, const char *path, char *const argv[])
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = child_run(&r->c, path, argv, RUN_LIMIT_MS);
	if (rc != 0)
		fail_msg("cannot start %s: %s", path, strerror(rc));
	snprintf(r->line, sizeof(r->line), "%.*s",
		 (int)strcspn(r->c.out, "\n"), r->c.out);
	if (r->c.exit_status < 0) {
		dump(r);
		fail_msg("plugin died by a signal");
	}
}

#define MAX_ARGS 24

/* Runs `prober nagios ARGS...` (NULL-terminated). */
static void nagios(run *r, ...)
{
	char *argv[MAX_ARGS];
	size_t n = 0;
	va_list ap;
	const char *a;

	argv[n++] = (char *)prober;
	argv[n++] = "nagios";
	va_start(ap, r);
	while ((a = va_arg(ap, const char *)) && n + 1 < MAX_ARGS)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	run_plugin(r, prober, argv);
}

static void run_free(run *r)
{
	child_free(&r->c);
	free(r->m);
	memset(r, 0, sizeof(*r));
}

/* What every answer must be: the exit status, a status line matching re,
 * nothing on stdout's later lines holding '|', perfdata (when present)
 * accepted by the strict parser, unique in 19 characters, never U. */
static void expect(run *r, int status, const char *re)
{
	regex_t rx;
	const char *bar = strchr(r->line, '|');
	char err[512];

	if (r->c.exit_status != status) {
		dump(r);
		fail_msg("exit %d, expected %d", r->c.exit_status, status);
	}
	snprintf(r->text, sizeof(r->text), "%.*s",
		 bar ? (int)(bar - r->line) : (int)strlen(r->line), r->line);
	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&rx, r->text, 0, NULL, 0) != 0) {
		regfree(&rx);
		dump(r);
		fail_msg("status text '%s' does not match /%s/", r->text, re);
	}
	regfree(&rx);
	/* Short enough for a pager, even with the trailing space. */
	assert_true(strlen(r->text) <= 161);
	if (r->c.out && strchr(r->c.out + strlen(r->line), '|')) {
		dump(r);
		fail_msg("a '|' in the long output");
	}
	if (!bar)
		return;
	r->m = calloc(PS_MAX_METRICS, sizeof(*r->m));
	assert_non_null(r->m);
	if (ps_parse(bar + 1, r->m, PS_MAX_METRICS, &r->n, err,
		     sizeof(err)) ||
	    ps_unique(r->m, r->n, err, sizeof(err))) {
		dump(r);
		fail_msg("perfdata: %s", err);
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].unknown)
			fail_msg("metric %s is U", r->m[i].label);
}

static const ps_metric *metric_prefixed(const run *r, const char *prefix)
{
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->m[i].label, prefix, strlen(prefix)) == 0)
			return &r->m[i];
	return NULL;
}

/* ---- cases ---- */

static void test_ok(void **state)
{
	const ps_metric *m;
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "-w", "10", "-c", "20", NULL);
	expect(&r, 0, "^VIDEO OK - [^|]+: 1 of 1 origin playable, first frame "
		      "[0-9.]+ s $");
	m = metric_prefixed(&r, "ttff_");
	assert_non_null(m);
	assert_string_equal(m->uom, "s");
	assert_true(m->value > 0 && m->value < 10);
	assert_string_equal(m->warn, "10");
	assert_string_equal(m->crit, "20");
	assert_true(m->has_min && m->min == 0);
	assert_non_null(metric_prefixed(&r, "manifest_"));
	assert_non_null(metric_prefixed(&r, "playlist_"));
	assert_non_null(metric_prefixed(&r, "segment_"));
	m = metric_prefixed(&r, "seg_Bps_");
	assert_non_null(m);
	assert_true(m->value > 0);
	m = metric_prefixed(&r, "playable_");
	assert_non_null(m);
	assert_true(m->value == 3 && m->max == 3);
	/* Every segment was timed: the slowest rendition's real-time factor,
	 * a plain number; VOD has no live-edge lag nor playlist age. */
	m = metric_prefixed(&r, "rtf_");
	assert_non_null(m);
	assert_true(m->value > 0);
	assert_string_equal(m->uom, "");
	assert_true(m->has_min && m->min == 0);
	assert_null(metric_prefixed(&r, "edge_lag_"));
	assert_null(metric_prefixed(&r, "pl_age_"));
	m = metric_prefixed(&r, "origins_playable");
	assert_true(m && m->value == 1);
	/* Long output: the origin and its three renditions. */
	assert_non_null(strstr(r.c.out, "\norigin "));
	assert_non_null(strstr(r.c.out, " 256x144"));
	assert_non_null(strstr(r.c.out, " 640x360"));
	run_free(&r);
}

/* Installed as a link named check_video_stream, the binary is the plugin
 * with no subcommand word. */
static void test_ok_as_check_video_stream(void **state)
{
	char link[1024];
	char *argv[] = { link, "-u", ladder, NULL };
	run r;

	(void)state;
	snprintf(link, sizeof(link), "%s/check_video_stream", work);
	unlink(link);
	assert_int_equal(symlink(prober, link), 0);
	run_plugin(&r, link, argv);
	expect(&r, 0, "^VIDEO OK - ");
	assert_non_null(metric_prefixed(&r, "ttff_"));
	run_free(&r);

	{
		char *vargv[] = { link, "-V", NULL };

		run_plugin(&r, link, vargv);
		/* As every monitoring plugin: -V is not a check. */
		assert_int_equal(r.c.exit_status, 3);
		assert_true(strncmp(r.c.out, "check_video_stream (prober) ",
				    28) == 0);
		run_free(&r);
	}
}

static void test_warning_one_origin_down(void **state)
{
	const ps_metric *m;
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "-u", dead, NULL);
	expect(&r, 1, "^VIDEO WARNING - [^|]+: 1 of 2 origins playable; "
		      "127\\.0\\.0\\.1:[0-9]+: manifest: connection failed $");
	m = metric_prefixed(&r, "origins_playable");
	assert_true(m && m->value == 1 && m->max == 2);
	assert_string_equal(m->warn, "2:");
	assert_string_equal(m->crit, "1:");
	/* The dead origin has no first frame: left out, not U. */
	{
		size_t ttff = 0;

		for (size_t i = 0; i < r.n; i++)
			if (strncmp(r.m[i].label, "ttff_", 5) == 0)
				ttff++;
		assert_int_equal(ttff, 1);
	}
	run_free(&r);
}

static void test_warning_slow_first_frame(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "-w", "0.000001", NULL);
	expect(&r, 1, "^VIDEO WARNING - [^|]+: 1 of 1 origin playable; first "
		      "frame [0-9.]+ s outside -w 0\\.000001 $");
	assert_string_equal(metric_prefixed(&r, "ttff_")->warn, "0.000001");
	run_free(&r);
}

static void test_critical_all_down(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", dead, "-u", blackhole, "-t", "3", NULL);
	expect(&r, 2, "^VIDEO CRITICAL - [^|]+: 0 of 2 origins playable; "
		      "[^|]+: manifest: connection failed; [^|]+: manifest: "
		      "deadline reached $");
	assert_null(metric_prefixed(&r, "ttff_"));
	run_free(&r);
}

static void test_critical_threshold(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "-w", "0.000001", "-c", "~:0.000002", NULL);
	expect(&r, 2, "^VIDEO CRITICAL - [^|]+: 1 of 1 origin playable; first "
		      "frame [0-9.]+ s outside -c ~:0\\.000002 $");
	assert_string_equal(metric_prefixed(&r, "ttff_")->crit, "~:0.000002");
	run_free(&r);
}

/* Usage errors are UNKNOWN, said on stdout, with no perfdata. */
static void test_unknown_usage(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "--bogus", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - unknown option --bogus$");
	run_free(&r);
	nagios(&r, "-u", ladder, "-w", "10:5", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -w: range '10:5': start 10 is greater "
		      "than end 5$");
	run_free(&r);
	nagios(&r, "-u", ladder, "-c", "1,5", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -c: .*decimal comma");
	run_free(&r);
	nagios(&r, NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - no stream");
	run_free(&r);
	nagios(&r, "-u", "ftp://x/y", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -u: expected an http:// or https:// "
		      "URL, got 'ftp://x/y'");
	run_free(&r);
	nagios(&r, "-u", ladder, "-t", "3:sometimes", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -t: timeout state 'sometimes'");
	run_free(&r);
	nagios(&r, "-u", ladder, "--min-healthy", "2", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - --min-healthy 2 but only 1 origin$");
	run_free(&r);
	nagios(&r, "-u", ladder, "-t", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - option -t needs a value$");
	run_free(&r);
	nagios(&r, "-P", "/nonexistent/probe.json", NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -P: ");
	run_free(&r);
}

/* An origin that accepts connections and never answers: the plugin still
 * answers inside -t. */
static void test_blackhole_inside_timeout(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", blackhole, "-t", "3", NULL);
	expect(&r, 2, "^VIDEO CRITICAL - [^|]+: 0 of 1 origin playable; "
		      "manifest: deadline reached $");
	if (r.c.wall_ms >= 4000) {
		dump(&r);
		fail_msg("answered after %.0f ms with -t 3", r.c.wall_ms);
	}
	run_free(&r);
	/* With a healthy origin beside it: WARNING, still in time. */
	nagios(&r, "-u", ladder, "-u", blackhole, "-t", "3:unknown", NULL);
	expect(&r, 1, "^VIDEO WARNING - [^|]+: 1 of 2 origins playable; ");
	assert_true(r.c.wall_ms < 4000);
	run_free(&r);
}

/* The timeout fallback: stopped past its -t (as a stuck resolver would
 * keep it), the plugin prints the timeout status line with -t's state. */
static void test_timeout_fallback(void **state)
{
	char *argv[] = { (char *)prober, "nagios", "-u", (char *)blackhole,
			 "-t", "2:warning", NULL };
	int out[2], wstatus;
	char buf[1024] = "";
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execv(prober, argv);
		_exit(127);
	}
	close(out[1]);
	usleep(300 * 1000);
	kill(pid, SIGSTOP);
	/* The probe's deadline and the timer both pass while stopped; on
	 * SIGCONT the pending timer signal is delivered first. */
	sleep(3);
	kill(pid, SIGCONT);
	n = read(out[0], buf, sizeof(buf) - 1);
	close(out[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(WIFEXITED(wstatus));
	if (WEXITSTATUS(wstatus) != 1 ||
	    !strstr(buf, "VIDEO WARNING - ") ||
	    !strstr(buf, "no verdict within 2 s (plugin timeout, -t 2)"))
		fail_msg("exit %d, output '%s'", WEXITSTATUS(wstatus), buf);
}

/* A probe definition instead of URLs (lib/config's loader). */
static void test_probe_file(void **state)
{
	char path[1024];
	FILE *f;
	run r;

	(void)state;
	snprintf(path, sizeof(path), "%s/news-live.json", work);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{ \"name\": \"news-live\", \"origins\": [\n"
		   "  { \"name\": \"cdn-a\", \"url\": \"%s\" },\n"
		   "  { \"name\": \"cdn-b\", \"url\": \"%s\" } ],\n"
		   "  \"renditions\": \"lowest\", \"timeout_s\": 60 }\n",
		ladder, dead);
	fclose(f);
	nagios(&r, "-P", path, NULL);
	expect(&r, 1, "^VIDEO WARNING - news-live: 1 of 2 origins playable; "
		      "cdn-b: manifest: connection failed $");
	assert_true(metric_prefixed(&r, "playable_cdn-a")->value == 1);
	assert_non_null(metric_prefixed(&r, "ttff_cdn-a"));
	run_free(&r);
	nagios(&r, "-P", path, "-u", ladder, NULL);
	expect(&r, 3, "^VIDEO UNKNOWN - -u and -P both given");
	run_free(&r);
}

static void test_verbose_levels(void **state)
{
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "-u", dead, "-v", NULL);
	expect(&r, 1, "^VIDEO WARNING - ");
	assert_non_null(strstr(r.c.out, "(manifest: "));
	run_free(&r);
	nagios(&r, "-u", ladder, "-vvv", NULL);
	expect(&r, 0, "^VIDEO OK - ");
	assert_non_null(strstr(r.c.out, "      manifest: HTTP 200, "));
	assert_non_null(strstr(r.c.out, "      segment: HTTP 200, "));
	assert_non_null(strstr(r.c.out, "; decode h264"));
	run_free(&r);
}

/* check_curl's command lines, as a CheckCommand makes them: a path with
 * -H (and -I pinned to it), -p; -k a header, -A the agent. */
static void test_check_curl_style(void **state)
{
	const char *port = strrchr(origin, ':') + 1;
	run r;

	(void)state;
	nagios(&r, "-H", "127.0.0.1", "-p", port, "-u", "/ts/master.m3u8",
	       "-k", "X-Probe: 1", "-A", "monitoring/1", "--renditions",
	       "lowest", NULL);
	expect(&r, 0, "^VIDEO OK - 127\\.0\\.0\\.1:[0-9]+: 1 of 1 origin ");
	run_free(&r);
	/* -H a name nobody resolves: -I is where it connects. */
	nagios(&r, "-H", "video.example.invalid", "-I", "127.0.0.1", "-p", port,
	       "-u", "/ts/master.m3u8", "--renditions", "lowest", NULL);
	expect(&r, 0, "^VIDEO OK - video\\.example\\.invalid:[0-9]+: ");
	run_free(&r);
	/* Without -I the name is resolved, and fails. */
	nagios(&r, "-H", "video.example.invalid", "-p", port, "-u",
	       "/ts/master.m3u8", "-t", "5", NULL);
	expect(&r, 2, "^VIDEO CRITICAL - ");
	run_free(&r);
}

/* Labels come from each origin alone: adding an origin renames none. */
static void test_stable_labels(void **state)
{
	char one[256] = "", two[256] = "";
	run r;

	(void)state;
	nagios(&r, "-u", ladder, "--renditions", "lowest", NULL);
	expect(&r, 0, "^VIDEO OK - ");
	snprintf(one, sizeof(one), "%s", metric_prefixed(&r, "ttff_")->label);
	run_free(&r);
	nagios(&r, "-u", ladder, "-u", dead, "--renditions", "lowest", NULL);
	expect(&r, 1, "^VIDEO WARNING - ");
	snprintf(two, sizeof(two), "%s", metric_prefixed(&r, "ttff_")->label);
	run_free(&r);
	assert_string_equal(one, two);
	nagios(&r, "-u", ladder, "-u", dead, "--origin-name", "cdn-a",
	       "--origin-name", "cdn-b", "--renditions", "lowest", NULL);
	expect(&r, 1, "^VIDEO WARNING - cdn-a: 1 of 2 origins playable; "
		      "cdn-b: manifest: connection failed $");
	assert_non_null(metric_prefixed(&r, "ttff_cdn-a"));
	assert_string_equal(metric_prefixed(&r, "ttff_cdn-a")->label,
			    "ttff_cdn-a");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_ok_as_check_video_stream),
		cmocka_unit_test(test_warning_one_origin_down),
		cmocka_unit_test(test_warning_slow_first_frame),
		cmocka_unit_test(test_critical_all_down),
		cmocka_unit_test(test_critical_threshold),
		cmocka_unit_test(test_unknown_usage),
		cmocka_unit_test(test_blackhole_inside_timeout),
		cmocka_unit_test(test_timeout_fallback),
		cmocka_unit_test(test_probe_file),
		cmocka_unit_test(test_verbose_levels),
		cmocka_unit_test(test_check_curl_style),
		cmocka_unit_test(test_stable_labels),
	};

	prober = getenv("PROBER");
	origin = getenv("ORIGIN");
	dead = getenv("DEAD");
	blackhole = getenv("BLACKHOLE");
	work = getenv("WORK");
	if (!prober || !origin || !dead || !blackhole || !work) {
		fprintf(stderr, "test_nagios_integration: run me from "
				"tests/integration/nagios.sh\n");
		return 2;
	}
	snprintf(ladder, sizeof(ladder), "%s/ts/master.m3u8", origin);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
