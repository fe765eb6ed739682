/*
 * test_run_integration.c - `prober run` as cron runs it, against a real
 * local origin.
 *
 * Started by tests/integration/prober_run.sh with PROBER (the binary),
 * ORIGIN (http://127.0.0.1:PORT serving scripts/origin.sh's "ts" set and its
 * "mirror/" alias) and DEAD (a URL where nothing listens). Each case writes
 * its probe files in a temp folder and starts the program with an argv
 * (child.h), never a shell string. The contract checked is the record lines,
 * the exit status and the messages, not the library's structs.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* A run is bounded by --deadline; past this it hangs. */
#define RUN_LIMIT_S 60
#define MAX_LINES 64

static const char *prober, *origin, *dead;
static char work[256];
static int blackhole_port, blackhole_fd = -1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pathf(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pathf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < len);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Whole file as a string (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	if (n > 0)
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Starts PROBER with args (NULL-terminated, without argv[0]); it runs
 * until wait_proc(). */
static void spawn(child *c, const char *const *args)
{
	const char *argv[24];
	size_t n = 0;
	int rc;

	argv[n++] = prober;
	while (*args && n < 23)
		argv[n++] = *args++;
	argv[n] = NULL;
	rc = child_start(c, prober, (char *const *)argv);
	if (rc != 0)
		fail_msg("cannot start %s: %s", prober, strerror(rc));
}

/* Exit status, or -signal; fails the test past RUN_LIMIT_S. took: how long
 * the wait was, not the run. */
static int wait_proc(child *c, double *took)
{
	double t0 = now_s();

	child_wait(c, RUN_LIMIT_S * 1e3);
	if (c->timed_out)
		fail_msg("prober did not end within %d s", RUN_LIMIT_S);
	if (took)
		*took = now_s() - t0;
	return c->exit_status >= 0 ? c->exit_status : -c->term_signal;
}

/* Runs PROBER with args to its end; its output is in *c. */
static int run_sync(child *c, const char *const *args)
{
	spawn(c, args);
	return wait_proc(c, NULL);
}

/* A probe file: name, origin URLs (NULL-terminated pairs of name, url). */
static void probe_file(const char *dir, const char *name, int min_healthy,
		       double timeout_s, const char *o1, const char *u1,
		       const char *o2, const char *u2)
{
	char path[512], text[2048];

	pathf(path, sizeof(path), "%s/%s.json", dir, name);
	snprintf(text, sizeof(text),
		 "{\n  \"name\": \"%s\",\n  \"origins\": [\n"
		 "    {\"name\": \"%s\", \"url\": \"%s\"}%s\n"
		 "    %s%s%s%s%s\n  ],\n"
		 "  \"renditions\": \"lowest\",\n  \"frames\": 2,\n"
		 "  \"timeout_s\": %g,\n  \"interval_s\": 3600,\n"
		 "  \"min_healthy\": %d\n}\n",
		 name, o1, u1, o2 ? "," : "", o2 ? "{\"name\": \"" : "",
		 o2 ? o2 : "", o2 ? "\", \"url\": \"" : "", o2 ? u2 : "",
		 o2 ? "\"}" : "", timeout_s, min_healthy);
	write_text(path, text);
}

/* The three probes of the issue: each with two origins, one failing in
 * two of them, so each verdict shows up once. */
static void three_probes(const char *dir)
{
	char good[512], mirror[512], bad[512];

	mkdir(dir, 0755);
	pathf(good, sizeof(good), "%s/ts/master.m3u8", origin);
	pathf(mirror, sizeof(mirror), "%s/mirror/master.m3u8", origin);
	pathf(bad, sizeof(bad), "%s/ts/master.m3u8", dead);
	/* One of two plays, one needed: warn (redundancy lost). */
	probe_file(dir, "news", 1, 10, "cdn-a", good, "cdn-b", bad);
	/* One of two plays, both needed: fail. */
	probe_file(dir, "sports", 2, 10, "cdn-a", bad, "cdn-b", good);
	/* Both play: pass. */
	probe_file(dir, "movies", 1, 10, "cdn-a", good, "cdn-b", mirror);
}

struct lines {
	json_t *rec[MAX_LINES];
	size_t n;
	size_t bad; /* lines that do not parse, or a missing final newline */
};

static void lines_clear(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_decref(l->rec[i]);
	memset(l, 0, sizeof(*l));
}

/* Every line of every .jsonl file in the results folder. */
static void read_records(const char *results, struct lines *l)
{
	DIR *d = opendir(results);
	struct dirent *de;

	memset(l, 0, sizeof(*l));
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[512], *text, *p, *nl;
		size_t len = strlen(de->d_name);

		if (len < 7 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		pathf(path, sizeof(path), "%s/%s", results, de->d_name);
		text = slurp(path);
		if (*text && text[strlen(text) - 1] != '\n')
			l->bad++;
		for (p = text; *p; p = nl + 1) {
			json_t *j;

			nl = strchr(p, '\n');
			if (!nl)
				nl = p + strlen(p) - 1;
			j = json_loadb(p, (size_t)(nl - p + 1), 0, NULL);
			if (!j || !json_is_object(j)) {
				l->bad++;
				json_decref(j);
				continue;
			}
			assert_true(l->n < MAX_LINES);
			l->rec[l->n++] = j;
		}
		free(text);
	}
	closedir(d);
}

static const char *rec_str(const json_t *r, const char *key)
{
	const json_t *v = json_object_get(r, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static const json_t *find_rec(const struct lines *l, const char *probe,
			      size_t *count)
{
	const json_t *found = NULL;

	*count = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(rec_str(l->rec[i], "probe"), probe) == 0) {
			found = l->rec[i];
			(*count)++;
		}
	return found;
}

static void expect_verdict(const struct lines *l, const char *probe,
			   const char *status)
{
	size_t n;
	const json_t *r = find_rec(l, probe, &n);

	if (n != 1)
		fail_msg("%zu records of probe %s, want 1", n, probe);
	if (strcmp(rec_str(r, "status"), status) != 0)
		fail_msg("probe %s: status %s, want %s (%s)", probe,
			 rec_str(r, "status"), status, rec_str(r, "message"));
	assert_int_equal(json_integer_value(json_object_get(r, "schema")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "origins")), 2);
}

static void test_records_and_interval(void **state)
{
	char probes[512], results[512];
	struct lines l;
	child c;
	int rc;

	(void)state;
	pathf(probes, sizeof(probes), "%s/a-probes", work);
	pathf(results, sizeof(results), "%s/a-results", work);
	three_probes(probes);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	/* Quiet by default: cron mails any output. */
	assert_string_equal(c.out, "");
	assert_string_equal(c.err, "");
	child_free(&c);
	/* The worst verdict of the three. */
	assert_int_equal(rc, 2);
	read_records(results, &l);
	assert_int_equal(l.bad, 0);
	assert_int_equal(l.n, 3);
	expect_verdict(&l, "news", "warn");
	expect_verdict(&l, "sports", "fail");
	expect_verdict(&l, "movies", "pass");
	lines_clear(&l);

	/* Inside interval_s: nothing is probed, nothing written, exit 0. */
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, "-v", NULL };

		rc = run_sync(&c, args);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(c.out, "news"));
		assert_non_null(strstr(c.out, "not due: next in"));
		child_free(&c);
	}
	read_records(results, &l);
	assert_int_equal(l.n, 3);
	lines_clear(&l);
}

/* A listening socket nobody accepts on: connections hang, so a check
 * lasts until its own timeout. */
static int blackhole(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	blackhole_port = ntohs(sa.sin_port);
	return fd;
}

static void test_two_runs_at_once(void **state)
{
	char probes[512], results[512], url[256];
	struct lines l;
	child a, b;
	int ra, rb, busy = 0;
	const char *names[] = { "news", "sports", "movies", "slow" };

	(void)state;
	pathf(probes, sizeof(probes), "%s/b-probes", work);
	pathf(results, sizeof(results), "%s/b-results", work);
	three_probes(probes);
	/* A probe that lasts its 2 s timeout keeps the first run going while
	 * the second looks at the probes: the overlap cron makes. */
	pathf(url, sizeof(url), "http://127.0.0.1:%d/slow/master.m3u8",
	      blackhole_port);
	probe_file(probes, "slow", 1, 2, "hang", url, NULL, NULL);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, "--jobs", "1", "-v", NULL };

		/* b's output waits in its pipe while a is read: a few lines
		 * of -v, far below a pipe's 64 KiB. */
		spawn(&a, args);
		spawn(&b, args);
	}
	ra = wait_proc(&a, NULL);
	rb = wait_proc(&b, NULL);
	assert_true(ra >= 0 && ra <= 2);
	assert_true(rb >= 0 && rb <= 2);
	busy += strstr(a.out, "busy: another prober run") != NULL;
	busy += strstr(b.out, "busy: another prober run") != NULL;
	child_free(&a);
	child_free(&b);
	/* At least one found probes the other held and said so in -v (both
	 * do when they split the probes between them). */
	assert_true(busy >= 1);
	read_records(results, &l);
	assert_int_equal(l.bad, 0);
	/* No duplicate, none lost: each probe exactly once between them. */
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < 4; i++) {
		size_t n;

		find_rec(&l, names[i], &n);
		if (n != 1)
			fail_msg("probe %s: %zu records", names[i], n);
	}
	lines_clear(&l);
}

static void test_sigterm(void **state)
{
	char probes[512], results[512], url[256];
	struct lines l;
	child p;
	double took;
	int rc;
	size_t n;

	(void)state;
	pathf(probes, sizeof(probes), "%s/c-probes", work);
	pathf(results, sizeof(results), "%s/c-results", work);
	mkdir(probes, 0755);
	pathf(url, sizeof(url), "http://127.0.0.1:%d/slow/master.m3u8",
	      blackhole_port);
	probe_file(probes, "slow-1", 1, 3, "hang", url, NULL, NULL);
	probe_file(probes, "slow-2", 1, 3, "hang", url, NULL, NULL);
	probe_file(probes, "slow-3", 1, 3, "hang", url, NULL, NULL);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, "--jobs", "1", NULL };

		spawn(&p, args);
	}
	usleep(700000);
	assert_int_equal(kill(p.pid, SIGTERM), 0);
	rc = wait_proc(&p, &took);
	child_free(&p);
	/* The check in flight ended by its 3 s deadline, was recorded, and
	 * nothing new started: one record, a failing one. */
	assert_int_equal(rc, 2);
	assert_true(took < 6);
	read_records(results, &l);
	assert_int_equal(l.bad, 0);
	assert_int_equal(l.n, 1);
	find_rec(&l, "slow-1", &n);
	assert_int_equal(n, 1);
	assert_string_equal(rec_str(l.rec[0], "status"), "fail");
	lines_clear(&l);

	/* The two not started are still due; the one recorded is not. */
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, "--jobs", "2", NULL };

		assert_int_equal(run_sync(&p, args), 2);
		child_free(&p);
	}
	read_records(results, &l);
	assert_int_equal(l.bad, 0);
	assert_int_equal(l.n, 3);
	find_rec(&l, "slow-1", &n);
	assert_int_equal(n, 1);
	find_rec(&l, "slow-3", &n);
	assert_int_equal(n, 1);
	lines_clear(&l);
}

static void test_results_not_writable(void **state)
{
	char probes[512], results[512], want[700];
	child c;
	int rc;

	(void)state;
	pathf(probes, sizeof(probes), "%s/d-probes", work);
	three_probes(probes);
	/* A regular file where the folder should be stops root too, which
	 * chmod would not. */
	pathf(results, sizeof(results), "%s/d-results-file", work);
	write_text(results, "not a folder\n");
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	assert_int_equal(rc, 3);
	pathf(want, sizeof(want),
	      "prober run: results folder %s: not a folder\n", results);
	assert_string_equal(c.err, want);
	child_free(&c);
}

/* Names planted in the results folder as symlinks must not turn prober's
 * writes elsewhere (issue 14): the state's temporary, today's record file
 * and a probe's lock file point at files outside; after the run they are
 * as they were. */
static void test_results_symlinks(void **state)
{
	static const char *const victims[] = { "state", "records", "lock" };
	char probes[512], results[512], victim[512], path[512], link[512];
	char name[32], buf[64];
	time_t now = time(NULL);
	struct tm tm;
	child c;
	int rc;

	(void)state;
	pathf(probes, sizeof(probes), "%s/f-probes", work);
	pathf(results, sizeof(results), "%s/f-results", work);
	pathf(victim, sizeof(victim), "%s/f-victim", work);
	three_probes(probes);
	mkdir(results, 0750);
	mkdir(victim, 0750);
	pathf(path, sizeof(path), "%s/.locks", results);
	mkdir(path, 0750);
	for (size_t i = 0; i < 3; i++) {
		pathf(path, sizeof(path), "%s/%s", victim, victims[i]);
		write_text(path, "victim\n");
	}
	gmtime_r(&now, &tm);
	strftime(name, sizeof(name), "%Y-%m-%d.jsonl", &tm);
	pathf(path, sizeof(path), "%s/state", victim);
	pathf(link, sizeof(link), "%s/.state.json.tmp", results);
	assert_int_equal(symlink(path, link), 0);
	pathf(path, sizeof(path), "%s/records", victim);
	pathf(link, sizeof(link), "%s/%s", results, name);
	assert_int_equal(symlink(path, link), 0);
	pathf(path, sizeof(path), "%s/lock", victim);
	pathf(link, sizeof(link), "%s/.locks/probe-movies.lock", results);
	assert_int_equal(symlink(path, link), 0);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	/* Refused, said, and nothing outside touched. */
	assert_int_equal(rc, 3);
	assert_non_null(strstr(c.err, "prober run: "));
	child_free(&c);
	for (size_t i = 0; i < 3; i++) {
		FILE *f;
		size_t n;

		pathf(path, sizeof(path), "%s/%s", victim, victims[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strcmp(buf, "victim\n") != 0)
			fail_msg("%s was written through a symlink: '%s'",
				 path, buf);
	}
}

/* A results folder others may write is refused (exit 3) unless sticky;
 * what prober creates is 0640 (files) and 0750 (folders). */
static void test_results_shared(void **state)
{
	char probes[512], results[512], path[512];
	struct stat st;
	child c;
	int rc;

	(void)state;
	pathf(probes, sizeof(probes), "%s/g-probes", work);
	pathf(results, sizeof(results), "%s/g-results", work);
	three_probes(probes);
	mkdir(results, 0700);
	assert_int_equal(chmod(results, 0777), 0);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	assert_int_equal(rc, 3);
	assert_non_null(strstr(c.err, "without the sticky bit"));
	child_free(&c);
	pathf(path, sizeof(path), "%s/.state.json", results);
	assert_int_not_equal(lstat(path, &st), 0);

	assert_int_equal(rmdir(results), 0);
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	assert_int_equal(rc, 2);
	child_free(&c);
	assert_int_equal(stat(results, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	pathf(path, sizeof(path), "%s/.locks", results);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	pathf(path, sizeof(path), "%s/.state.json", results);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

static void test_bad_probe_file(void **state)
{
	char probes[512], results[512], path[512], want[1024];
	struct stat st;
	child c;
	int rc;

	(void)state;
	pathf(probes, sizeof(probes), "%s/e-probes", work);
	pathf(results, sizeof(results), "%s/e-results", work);
	three_probes(probes);
	pathf(path, sizeof(path), "%s/zz-typo.json", probes);
	write_text(path, "{\"origins\": [{\"name\": \"a\", \"url\": "
			 "\"http://h/m.m3u8\"}, {\"name\": \"b\", \"url\": "
			 "\"ftp://x\"}]}\n");
	{
		const char *args[] = { "run", "--probes", probes, "--results",
				       results, NULL };

		rc = run_sync(&c, args);
	}
	/* The bad file is named with its key, the run says it could not do
	 * all it should (3), and every valid probe still ran and recorded:
	 * one typo must not blind the whole fleet. */
	assert_int_equal(rc, 3);
	pathf(want, sizeof(want),
	      "prober run: %s: origins[1].url: expected an http:// or "
	      "https:// URL, got 'ftp://x' (not run)\n",
	      path);
	assert_string_equal(c.err, want);
	child_free(&c);
	assert_int_equal(stat(results, &st), 0);
	{
		struct lines l;

		read_records(results, &l);
		assert_int_equal(l.bad, 0);
		assert_int_equal(l.n, 3);
		expect_verdict(&l, "news", "warn");
		expect_verdict(&l, "sports", "fail");
		expect_verdict(&l, "movies", "pass");
		lines_clear(&l);
	}
}

static void test_report_of_run(void **state)
{
	char results[512];
	child c;
	json_t *j;

	(void)state;
	/* The records of the first case, as `prober report --json` sees
	 * them. */
	pathf(results, sizeof(results), "%s/a-results", work);
	{
		const char *args[] = { "report", "--results", results,
				       "--since", "1h", "--json", NULL };

		assert_int_equal(run_sync(&c, args), 0);
	}
	j = child_json(&c);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "records")), 3);
	assert_int_equal(json_array_size(json_object_get(j, "probes")), 3);
	child_free(&c);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	prober = getenv("PROBER");
	origin = getenv("ORIGIN");
	dead = getenv("DEAD");
	if (!prober || !origin || !dead) {
		fprintf(stderr, "PROBER, ORIGIN and DEAD must be set\n");
		return -1;
	}
	snprintf(work, sizeof(work), "%s/prober-run-it.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	blackhole_fd = blackhole();
	return mkdtemp(work) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	close(blackhole_fd);
	if (getenv("KEEP")) {
		fprintf(stderr, "kept %s\n", work);
		return 0;
	}
	return nftw(work, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_and_interval),
		cmocka_unit_test(test_two_runs_at_once),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_results_not_writable),
		cmocka_unit_test(test_results_symlinks),
		cmocka_unit_test(test_results_shared),
		cmocka_unit_test(test_bad_probe_file),
		cmocka_unit_test(test_report_of_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
