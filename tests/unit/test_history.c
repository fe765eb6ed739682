/*
 * test_history.c - the history index and the time-weighted report against
 * a generated fixture history, whose figures are computed here a second,
 * independent way: the state of every second of the window is looked up
 * from the checks (the latest one at or before it, if it is younger than
 * 2 x interval), and the seconds are added up.
 *
 * The history (interval 60 s, probe "alpha", origins a and b, two days):
 * - vantage "" (records without the key) and vantage "eu";
 * - an outage across midnight: from "" 23:50..00:10, from "eu"
 *   23:55..00:05 (the combined view is down 23:55..00:05, partial around);
 * - origin b alone down from "" 12:00..12:30 on day 1 (redundancy lost);
 * - no checks from "" 06:00..07:00 on day 2 (a gap: no data);
 * - a corrupt line in the middle of day 1's file, day 2's file cut in the
 *   middle of its last line.
 * Then: a kill during import, a full disk (the store capped), a resumed
 * import, and pruning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "datetime.h"
#include "report.h"
#include "store.h"

#define IV     60
#define DAY1   1772323200.0 /* 2026-03-01T00:00:00Z */
#define SINCE  DAY1
#define UNTIL  (DAY1 + 2 * 86400)
#define N_SECS (2 * 86400)

static char dir[64];

/* What the generator decided for one check. */
struct gcheck {
	double t;
	int stream, a, b; /* 0 pass, 2 fail; stream 1: warn */
};

/* Vantage v's checks (0: "", 1: "eu"), into out; returns the count. */
static size_t plan(int v, struct gcheck *out)
{
	size_t n = 0;

	for (double t = SINCE; t < UNTIL; t += IV) {
		double sod = t - DAY1; /* seconds from day 1 */
		int a = 0, b = 0;

		if (v == 0 && sod >= 86400 + 6 * 3600 && sod < 86400 + 7 * 3600)
			continue; /* the gap */
		if ((v == 0 && sod >= 86400 - 600 && sod < 86400 + 600) ||
		    (v == 1 && sod >= 86400 - 300 && sod < 86400 + 300))
			a = b = 2;
		if (v == 0 && sod >= 12 * 3600 && sod < 12 * 3600 + 1800)
			b = 2;
		out[n].t = t;
		out[n].a = a;
		out[n].b = b;
		out[n].stream = a && b ? 2 : (a || b) ? 1 : 0;
		n++;
	}
	return n;
}

static const char *st_name(int s)
{
	return s == 2 ? "fail" : s == 1 ? "warn" : "pass";
}

static void write_check(FILE *f, const struct gcheck *c, int v)
{
	char ts[40];
	time_t s = (time_t)c->t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	fprintf(f,
		"{\"schema\":1,\"time\":\"%s\",\"probe\":\"alpha\",%s"
		"\"status\":\"%s\",\"reason\":%s,\"message\":%s,"
		"\"origins\":["
		"{\"name\":\"a\",\"status\":\"%s\",\"reason\":%s,"
		"\"renditions\":[{\"status\":\"%s\",\"ttff_ms\":%d},"
		"{\"status\":\"%s\",\"ttff_ms\":%d}]},"
		"{\"name\":\"b\",\"status\":\"%s\",\"reason\":%s,"
		"\"renditions\":[{\"status\":\"%s\",\"ttff_ms\":%d}]}]}\n",
		ts, v ? "\"vantage\":\"eu\"," : "", st_name(c->stream),
		c->stream == 2	 ? "\"origins_down\""
		: c->stream == 1 ? "\"redundancy_lost\""
				 : "null",
		c->stream ? "\"down\"" : "null", st_name(c->a),
		c->a ? "\"connect\"" : "null", st_name(c->a),
		c->a ? 0 : 100 + (int)((long)c->t % 7), st_name(c->a), 300,
		st_name(c->b), c->b ? "\"http_status\"" : "null", st_name(c->b),
		c->b ? 0 : 50 + v);
}

/* Writes both vantages' checks into the day files, in time order, with
 * the damage described above. */
static void generate(void)
{
	static struct gcheck c[2][N_SECS / IV];
	size_t n[2], k[2] = { 0, 0 }, day1_lines = 0;
	FILE *f[2];
	char path[128];

	n[0] = plan(0, c[0]);
	n[1] = plan(1, c[1]);
	snprintf(path, sizeof(path), "%s/2026-03-01.jsonl", dir);
	assert_non_null(f[0] = fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/2026-03-02.jsonl", dir);
	assert_non_null(f[1] = fopen(path, "w"));
	while (k[0] < n[0] || k[1] < n[1]) {
		int v = k[1] >= n[1] || (k[0] < n[0] &&
					 c[0][k[0]].t <= c[1][k[1]].t)
				? 0
				: 1;
		const struct gcheck *g = &c[v][k[v]++];
		int day = g->t >= DAY1 + 86400;

		write_check(f[day], g, v);
		if (!day && ++day1_lines == 1000)
			fputs("{\"schema\":1,\"time\":\"2026-03-01T08:20:0\n",
			      f[0]);
	}
	/* A record being written when the copy was taken. */
	fputs("{\"schema\":1,\"time\":\"2026-03-02T23:59:59.000Z\",\"pro",
	      f[1]);
	fclose(f[0]);
	fclose(f[1]);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vsp-history-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	generate();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the independent computation ---- */

/* State of series (0 stream, 1 a, 2 b) of vantage v at second s: -1 no
 * data. */
static int state_at(const struct gcheck *c, size_t n, size_t *pos, int which,
		    double s)
{
	const struct gcheck *g;

	while (*pos + 1 < n && c[*pos + 1].t <= s)
		(*pos)++;
	if (!n || c[*pos].t > s)
		return -1;
	g = &c[*pos];
	if (s >= g->t + 2 * IV)
		return -1;
	return which == 0 ? g->stream : which == 1 ? g->a : g->b;
}

struct expect {
	double up, down, nodata, partial, degraded;
};

/* vantage 0, 1, or 2 for the combined view. */
static struct expect expected(int vantage, int which)
{
	static struct gcheck c[2][N_SECS / IV];
	size_t n[2], pos[2] = { 0, 0 };
	struct expect e = { 0 };

	n[0] = plan(0, c[0]);
	n[1] = plan(1, c[1]);
	for (double s = SINCE; s < UNTIL; s++) {
		int st[2], have = 0, down = 0, warn = 0;

		for (int v = 0; v < 2; v++) {
			st[v] = state_at(c[v], n[v], &pos[v], which, s);
			if (vantage != 2 && v != vantage)
				continue;
			if (st[v] < 0)
				continue;
			have++;
			down += st[v] == 2;
			warn += st[v] == 1;
		}
		if (!have)
			e.nodata++;
		else if (down == have)
			e.down++;
		else {
			e.up++;
			if (down)
				e.partial++;
			else if (warn)
				e.degraded++;
		}
	}
	return e;
}

static void assert_avail(const vsp_avail *a, struct expect e)
{
	assert_true(a->up_s == e.up);
	assert_true(a->down_s == e.down);
	assert_true(a->nodata_s == e.nodata);
	assert_true(a->partial_s == e.partial);
	assert_true(a->degraded_s == e.degraded);
	assert_true(a->availability == 100.0 * e.up / (e.up + e.down));
}

static const vsp_report_view *view(const vsp_report_probe *p, const char *name)
{
	for (size_t i = 0; i < p->n_vantages; i++)
		if (strcmp(p->vantages[i].name, name) == 0)
			return &p->vantages[i];
	fail_msg("no vantage '%s'", name);
	return NULL;
}

static void check_report(const vsp_report *r)
{
	const vsp_report_probe *p;
	const vsp_report_view *v0, *v1;

	assert_int_equal(r->n_probes, 1);
	p = &r->probes[0];
	assert_string_equal(p->name, "alpha");
	assert_true(p->interval_s == IV);
	assert_int_equal(p->n_vantages, 2);
	v0 = view(p, "");
	v1 = view(p, "eu");
	/* 2 days a minute apart, less the hour's gap. */
	assert_int_equal(v0->stream.checks, 2880 - 60);
	assert_int_equal(v1->stream.checks, 2880);
	assert_int_equal(p->stream.checks, 2880 * 2 - 60);
	assert_avail(&v0->stream, expected(0, 0));
	assert_avail(&v1->stream, expected(1, 0));
	assert_avail(&p->stream, expected(2, 0));
	assert_avail(&v0->origins[1], expected(0, 2));
	assert_avail(&p->origins[0], expected(2, 1));
	assert_avail(&p->origins[1], expected(2, 2));

	/* The outage across midnight, from each vantage and combined. */
	assert_int_equal(v0->stream.n_outages, 1);
	assert_true(v0->stream.outages[0].start == DAY1 + 86400 - 600);
	assert_true(v0->stream.outages[0].end == DAY1 + 86400 + 600);
	assert_int_equal(v0->stream.outages[0].checks, 20);
	assert_string_equal(v0->stream.outages[0].where, "a, b");
	assert_int_equal(p->stream.n_outages, 1);
	assert_true(p->stream.outages[0].start == DAY1 + 86400 - 300);
	assert_true(p->stream.outages[0].end == DAY1 + 86400 + 300);
	assert_false(p->stream.outages[0].ongoing);
	/* Down from "" alone before and after: two partial stretches. */
	assert_int_equal(p->stream.n_partial, 2);
	assert_string_equal(p->stream.partial[0].where, "(default)");
	assert_true(p->stream.partial[0].start == DAY1 + 86400 - 600);
	assert_true(p->stream.partial[1].end == DAY1 + 86400 + 600);
	/* Redundancy lost: b down alone for 30 checks from "". */
	assert_int_equal(v0->degraded, 30);
	assert_int_equal(v1->degraded, 0);
	assert_int_equal(v0->origins[1].n_outages, 2);
}

static void test_report_vs_independent(void **state)
{
	vsp_report *r = NULL;
	char err[512];

	(void)state;
	assert_int_equal(
		vsp_report_build(dir, SINCE, UNTIL, NULL, &r, err, sizeof(err)),
		0);
	assert_int_equal(r->bad_lines, 1);
	check_report(r);
	vsp_report_free(r);
}

static void report_of(const char *path, vsp_report **r)
{
	vsp_store *s = NULL;
	vsp_report_opts o = { SINCE, UNTIL, NULL, NULL, 0 };
	char err[512];

	assert_int_equal(vsp_store_open(path, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(vsp_report_from_store(s, &o, r, err, sizeof(err)), 0);
	vsp_store_close(s);
}

static void import(const char *path, long max_pages, int want,
		   vsp_store_stats *st)
{
	vsp_store *s = NULL;
	char err[512];

	assert_int_equal(vsp_store_open(path, max_pages, &s, err, sizeof(err)),
			 0);
	assert_int_equal(
		vsp_store_import_dir(s, dir, NULL, 0, st, err, sizeof(err)),
		want);
	if (want)
		assert_non_null(strstr(err, "disk full"));
	vsp_store_close(s);
}

/* Killed at some point of an import, the store is whole, and the next
 * import ends with the same figures as one done at once. */
static void test_kill_during_import(void **state)
{
	char path[128];
	vsp_report *r = NULL;
	vsp_store_stats st = { 0 };
	pid_t pid;
	int status;

	(void)state;
	snprintf(path, sizeof(path), "%s/kill.sqlite", dir);
	for (int delay_ms = 5; delay_ms <= 40; delay_ms += 35) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			vsp_store_stats cst = { 0 };
			vsp_store *s = NULL;
			char err[512];

			if (vsp_store_open(path, 0, &s, err, sizeof(err)))
				_exit(1);
			vsp_store_import_dir(s, dir, NULL, 0, &cst, err,
					     sizeof(err));
			_exit(0);
		}
		usleep((useconds_t)delay_ms * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	import(path, 0, 0, &st);
	report_of(path, &r);
	check_report(r);
	vsp_report_free(r);
	/* Once caught up, nothing is read again. */
	memset(&st, 0, sizeof(st));
	import(path, 0, 0, &st);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.partial, 1);
}

/* A full disk: the import fails and says so, the records are untouched,
 * and the next import (room again) catches up. */
static void test_full_disk(void **state)
{
	char path[128], rec[128];
	struct stat before, after;
	vsp_store_stats st = { 0 };
	vsp_report *r = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/full.sqlite", dir);
	snprintf(rec, sizeof(rec), "%s/2026-03-01.jsonl", dir);
	assert_int_equal(stat(rec, &before), 0);
	/* A first import of the schema, then a cap far below the rows. */
	import(path, 0, 0, &(vsp_store_stats){ 0 });
	unlink(path);
	import(path, 12, -1, &st);
	assert_int_equal(stat(rec, &after), 0);
	assert_true(before.st_size == after.st_size);
	memset(&st, 0, sizeof(st));
	import(path, 0, 0, &st);
	assert_int_equal(st.records, 2880 * 2 - 60);
	report_of(path, &r);
	check_report(r);
	vsp_report_free(r);
}

/* A budget stops the import between batches; the next one goes on. */
static void test_resume_and_prune(void **state)
{
	char path[128], err[512];
	vsp_store *s = NULL;
	vsp_store_stats st = { 0 };
	vsp_report *r = NULL;
	size_t gone = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/resume.sqlite", dir);
	assert_int_equal(vsp_store_open(path, 0, &s, err, sizeof(err)), 0);
	/* A deadline already past: one batch, then stop. */
	assert_int_equal(
		vsp_store_import_dir(s, dir, NULL, 1, &st, err, sizeof(err)),
		0);
	assert_int_equal(st.more, 1);
	assert_true(vsp_store_count(s) < 2880 * 2 - 60);
	memset(&st, 0, sizeof(st));
	assert_int_equal(
		vsp_store_import_dir(s, dir, NULL, 0, &st, err, sizeof(err)),
		0);
	assert_int_equal(st.more, 0);
	assert_int_equal(vsp_store_count(s), 2880 * 2 - 60);
	/* Under 1 KB a check, with its origin and rendition rows. */
	assert_true(vsp_store_bytes(s) / vsp_store_count(s) < 1024);
	vsp_store_close(s);
	report_of(path, &r);
	check_report(r);
	vsp_report_free(r);

	/* Pruned before day 2: day 1's checks go, and stay gone. */
	assert_int_equal(vsp_store_open(path, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(
		vsp_store_prune(s, DAY1 + 86400, &gone, err, sizeof(err)), 0);
	assert_int_equal(gone, 2 * 1440);
	assert_int_equal(vsp_store_has_probe(s, "alpha"), 1);
	assert_int_equal(vsp_store_has_probe(s, "beta"), 0);
	vsp_store_close(s);
	unlink(path);
	assert_int_equal(vsp_store_open(path, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(
		vsp_store_prune(s, DAY1 + 86400, &gone, err, sizeof(err)), 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(
		vsp_store_import_dir(s, dir, NULL, 0, &st, err, sizeof(err)),
		0);
	assert_int_equal(vsp_store_count(s), 1440 * 2 - 60);
	vsp_store_close(s);
}

static void test_time_any(void **state)
{
	double t;

	(void)state;
	assert_int_equal(vsp_time_parse_any("2026-03-01", &t), 0);
	assert_true(t == DAY1);
	assert_int_equal(vsp_time_parse_any("2026-03-01T01:30:00+01:30", &t),
			 0);
	assert_true(t == DAY1);
	assert_int_equal(vsp_time_parse_any("2026-02-28T23:00:00-01:00", &t),
			 0);
	assert_true(t == DAY1);
	assert_int_equal(vsp_time_parse_any("2026-03-01T00:00:00Z", &t), 0);
	assert_true(t == DAY1);
	assert_int_equal(vsp_time_parse_any("2026-03-01T00:00:00+25:00", &t),
			 -1);
	assert_int_equal(vsp_time_parse_any("yesterday", &t), -1);
	assert_int_equal(vsp_time_parse_any("2026-3-1", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_any),
		cmocka_unit_test(test_report_vs_independent),
		cmocka_unit_test(test_kill_during_import),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_resume_and_prune),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
