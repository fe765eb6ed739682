/*
 * report.c - `prober report`: how available each stream and each of its
 * origins was over a window, and when they were down. The figures come from
 * lib/report.c; this file only renders them (text or --json).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "term.h"
#include "clock.h"
#include "config.h"
#include "datetime.h"
#include "report.h"
#include "store.h"

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: prober report [OPTIONS]\n"
		"Availability weighted by time, SLO error budget, time to "
		"first "
		"frame,\noutages and live figures per probe, origin and "
		"vantage, from the index\nof the records of `prober run` "
		"(brought up to date first).\n\n"
		"  --results DIR     record files (default results)\n"
		"  --store FILE      the index (default RESULTS/" VSP_STORE_FILE
		")\n"
		"  --probes DIR      probe files: interval_s and slo "
		"(default probes)\n"
		"  --since T         start: RFC 3339 time "
		"(2026-01-01T00:00:00Z,"
		"\n                    2026-01-01) or a duration back from "
		"--until: 90s,\n                    30m, 24h, 7d, 2w (default "
		"24h)\n"
		"  --until T         end: RFC 3339 time or a duration back "
		"from "
		"now\n                    (default now)\n"
		"  --probe NAME      this probe only\n"
		"  --format F        table (default), json, csv or html\n"
		"  --json            the same as --format json\n"
		"  -h, --help        this help\n\n"
		"exit status: 0 reported, 3 could not read the records or "
		"unknown probe\n");
}

enum {
	OPT_RESULTS = 256,
	OPT_SINCE,
	OPT_PROBE,
	OPT_JSON,
	OPT_UNTIL,
	OPT_FORMAT,
	OPT_STORE,
	OPT_PROBES
};

static const struct option report_opts[] = {
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void report_fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)floor(t);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

void report_fmt_dur(double s, char *buf, size_t len)
{
	long v = (long)llround(s);

	if (v >= 86400)
		snprintf(buf, len, "%ldd%02ldh%02ldm", v / 86400,
			 v % 86400 / 3600, v % 3600 / 60);
	else if (v >= 3600)
		snprintf(buf, len, "%ldh%02ldm%02lds", v / 3600, v % 3600 / 60,
			 v % 60);
	else if (v >= 60)
		snprintf(buf, len, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, len, "%lds", v);
}

static void fmt_ms(double ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f ms", ms);
}

static void print_avail(const vsp_avail *a, const char *indent)
{
	char p50[32], p95[32], nd[32];

	fmt_ms(a->ttff_p50, p50, sizeof(p50));
	fmt_ms(a->ttff_p95, p95, sizeof(p95));
	report_fmt_dur(a->nodata_s, nd, sizeof(nd));
	if (a->availability >= 0)
		printf("%s%.3f%% available", indent, a->availability);
	else
		printf("%sno data", indent);
	printf(" (%zu checks, %zu warn; no data %s), time to first frame "
	       "p50 %s, p95 %s\n",
	       a->checks, a->warn, nd, p50, p95);
}

static void print_slo(const vsp_report_probe *p)
{
	double with = p->stream.up_s + p->stream.down_s;
	double budget = with * (100 - p->slo) / 100;
	char b[32], left[32];

	if (p->slo <= 0)
		return;
	report_fmt_dur(budget, b, sizeof(b));
	report_fmt_dur(fabs(budget - p->stream.down_s), left, sizeof(left));
	printf("  SLO %g%%: error budget %s, %s %s (%.1f%% left)\n", p->slo, b,
	       budget >= p->stream.down_s ? "left" : "overspent by", left,
	       budget > 0 ? 100 * (budget - p->stream.down_s) / budget : 0.0);
}

/* The live figures, for a series that saw a live stream only:
 * "live: edge lag p50 4.5 s, p95 5.5 s; playlist age max 2.0 s; real-time
 * factor p50 3.00, min 0.80; checks stale_playlist 0, origin_lagging 0,
 * slow_download 1". */
static void print_live(const vsp_avail *a, const char *indent)
{
	if (!a->live_checks)
		return;
	printf("%slive: ", indent);
	if (a->n_edge_lag)
		printf("edge lag p50 %.1f s, p95 %.1f s", a->edge_lag_p50,
		       a->edge_lag_p95);
	else
		printf("edge lag -");
	if (a->n_playlist_age)
		printf("; playlist age max %.1f s", a->playlist_age_max);
	else
		printf("; playlist age -");
	if (a->n_rtf)
		printf("; real-time factor p50 %.2f, min %.2f", a->rtf_p50,
		       a->rtf_min);
	else
		printf("; real-time factor -");
	printf("; checks stale_playlist %zu, origin_lagging %zu, "
	       "slow_download %zu\n",
	       a->stale_checks, a->lagging_checks, a->slow_checks);
}

static void print_outage_list(const vsp_outage *v, size_t n, const char *indent,
			      const char *where)
{
	for (size_t i = 0; i < n; i++) {
		const vsp_outage *u = &v[i];
		char st[40], e[40], d[32];

		report_fmt_time(u->start, st, sizeof(st));
		report_fmt_time(u->end, e, sizeof(e));
		report_fmt_dur(u->end - u->start, d, sizeof(d));
		printf("%s%s .. %s%s  %-10s %s (%zu checks)", indent, st, e,
		       u->ongoing ? " (ongoing)" : "", d,
		       u->reason ? term_str(u->reason) : "-", u->checks);
		if (u->where && *u->where)
			printf(" %s %s", where, u->where);
		printf("\n");
		if (u->message)
			printf("%s    %s\n", indent, term_str(u->message));
	}
}

static void print_view(const vsp_avail *stream, const vsp_avail *origins,
		       size_t n, size_t degraded, const char *in)
{
	char ind[64], ind2[64];

	snprintf(ind, sizeof(ind), "%s  ", in);
	snprintf(ind2, sizeof(ind2), "%s    ", in);
	printf("%sstream: ", in);
	print_avail(stream, "");
	print_live(stream, ind2);
	if (degraded)
		printf("%sredundancy lost (stream played, an origin did not) "
		       "in %zu checks\n",
		       ind, degraded);
	if (stream->n_outages) {
		printf("%sstream outages (too few origins played):\n", ind);
		print_outage_list(stream->outages, stream->n_outages, ind2,
				  "origins down:");
	} else {
		printf("%sstream outages: none\n", ind);
	}
	for (size_t k = 0; k < n; k++) {
		const vsp_avail *o = &origins[k];

		printf("%sorigin %s: ", ind, o->name);
		print_avail(o, "");
		print_live(o, ind2);
		if (o->n_outages) {
			printf("%s  outages of this origin:\n", ind);
			print_outage_list(o->outages, o->n_outages, ind2, "");
		}
	}
}

static void render_text(const vsp_report *r)
{
	char s[40], u[40];

	report_fmt_time(r->since, s, sizeof(s));
	report_fmt_time(r->until, u, sizeof(u));
	printf("prober report %s .. %s: %zu records", s, u, r->records);
	if (r->bad_lines)
		printf(", %zu damaged lines skipped", r->bad_lines);
	printf("\n");
	if (r->n_probes == 0)
		printf("no records in this window\n");
	for (size_t i = 0; i < r->n_probes; i++) {
		const vsp_report_probe *p = &r->probes[i];

		printf("\n%s (interval %g s)\n", term_str(p->name),
		       p->interval_s);
		print_slo(p);
		if (p->n_vantages > 1) {
			char d[32];

			printf("  all %zu vantages combined (down: from every "
			       "vantage):\n",
			       p->n_vantages);
			print_view(&p->stream, p->origins, p->n_origins,
				   p->degraded, "    ");
			report_fmt_dur(p->stream.partial_s, d, sizeof(d));
			printf("      down from some vantages only (a path or "
			       "region): %s\n",
			       d);
			print_outage_list(p->stream.partial,
					  p->stream.n_partial, "        ",
					  "down from:");
			for (size_t j = 0; j < p->n_vantages; j++) {
				printf("  vantage %s:\n",
				       p->vantages[j].name[0]
					       ? p->vantages[j].name
					       : "(default)");
				print_view(&p->vantages[j].stream,
					   p->vantages[j].origins,
					   p->vantages[j].n_origins,
					   p->vantages[j].degraded, "    ");
			}
		} else {
			print_view(&p->stream, p->origins, p->n_origins,
				   p->degraded, "  ");
		}
	}
}

static void csv_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void csv_row(const char *probe, const char *vantage, const vsp_avail *a,
		    const char *origin)
{
	csv_str(probe);
	putchar(',');
	csv_str(vantage);
	putchar(',');
	csv_str(origin);
	printf(",%zu,%zu,%zu,", a->checks, a->up, a->warn);
	if (a->availability >= 0)
		printf("%.3f", a->availability);
	printf(",%.3f,%.3f,%.3f,%.3f,%.3f,", a->up_s, a->degraded_s, a->down_s,
	       a->partial_s, a->nodata_s);
	if (a->ttff_p50 >= 0)
		printf("%.1f", a->ttff_p50);
	putchar(',');
	if (a->ttff_p95 >= 0)
		printf("%.1f", a->ttff_p95);
	printf(",%zu\n", a->n_outages);
}

/* One row per view: the combined one (vantage "*"), then each vantage's;
 * origin "" is the stream. */
static void render_csv(const vsp_report *r)
{
	printf("probe,vantage,origin,checks,available,warn,availability_pct,"
	       "up_s,degraded_s,down_s,partial_s,no_data_s,ttff_p50_ms,"
	       "ttff_p95_ms,outages\n");
	for (size_t i = 0; i < r->n_probes; i++) {
		const vsp_report_probe *p = &r->probes[i];

		csv_row(p->name, "*", &p->stream, "");
		for (size_t k = 0; k < p->n_origins; k++)
			csv_row(p->name, "*", &p->origins[k],
				p->origins[k].name);
		for (size_t j = 0; p->n_vantages > 1 && j < p->n_vantages;
		     j++) {
			const vsp_report_view *v = &p->vantages[j];

			csv_row(p->name, v->name, &v->stream, "");
			for (size_t k = 0; k < v->n_origins; k++)
				csv_row(p->name, v->name, &v->origins[k],
					v->origins[k].name);
		}
	}
}

/* RFC 3339 time or a duration back from `from`. */
static int parse_when(const char *opt, const char *arg, double from,
		      double *out)
{
	double d;

	if (vsp_time_parse_any(arg, out) == 0)
		return 0;
	if (vsp_duration_parse(arg, &d) == 0) {
		*out = from - d;
		return 0;
	}
	fprintf(stderr,
		"prober report: %s: '%s' is neither an RFC 3339 time "
		"(2026-01-01T00:00:00Z, 2026-01-01) nor a duration such as "
		"90s, 30m, 24h, 7d or 2w\n",
		opt, arg);
	return -1;
}

/* The index of dir, brought up to date; a store in memory when the file
 * cannot be written (a copied, read-only folder). */
static vsp_store *open_index(const char *dir, const char *path, size_t *bad,
			     char *err, size_t errlen)
{
	vsp_store *st = NULL;
	vsp_store_stats ss = { 0 };
	char def[4200];

	if (!path) {
		snprintf(def, sizeof(def), "%s/%s", dir, VSP_STORE_FILE);
		path = def;
	}
	if (vsp_store_open(path, 0, &st, err, errlen) == 0 &&
	    vsp_store_import_dir(st, dir, NULL, 0, &ss, err, errlen) == 0) {
		*bad = ss.bad;
		return st;
	}
	vsp_store_close(st);
	st = NULL;
	memset(&ss, 0, sizeof(ss));
	if (vsp_store_open(":memory:", 0, &st, err, errlen) ||
	    vsp_store_import_dir(st, dir, NULL, 0, &ss, err, errlen)) {
		vsp_store_close(st);
		return NULL;
	}
	*bad = ss.bad;
	return st;
}

/* What the command line asks of one report. */
struct report_args {
	const char *dir, *probe, *store_path, *probes_dir, *format;
	int probes_given;
	double now, since, until;
};

/* --format and the window [--since, --until). Returns -1 to go on, else
 * the exit code. */
static int check_report_args(struct report_args *a, const char *since_arg,
			     const char *until_arg)
{
	if (strcmp(a->format, "table") && strcmp(a->format, "json") &&
	    strcmp(a->format, "csv") && strcmp(a->format, "html")) {
		fprintf(stderr,
			"prober report: --format: '%s' is not table, json, "
			"csv or html\n",
			a->format);
		return EXIT_UNKNOWN;
	}
	if (until_arg && parse_when("--until", until_arg, a->now, &a->until))
		return EXIT_UNKNOWN;
	a->since = a->until - 86400;
	if (since_arg && parse_when("--since", since_arg, a->until, &a->since))
		return EXIT_UNKNOWN;
	if (!(a->since < a->until)) {
		fprintf(stderr, "prober report: --since must come before "
				"--until\n");
		return EXIT_UNKNOWN;
	}
	return -1;
}

/* Returns -1 to go on, else the exit code (help, usage). */
static int parse_report_args(int argc, char **argv, struct report_args *a)
{
	const char *since_arg = NULL, *until_arg = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", report_opts, NULL)) != -1) {
		switch (c) {
		case OPT_RESULTS:
			a->dir = optarg;
			break;
		case OPT_SINCE:
			since_arg = optarg;
			break;
		case OPT_UNTIL:
			until_arg = optarg;
			break;
		case OPT_PROBE:
			a->probe = optarg;
			break;
		case OPT_JSON:
			a->format = "json";
			break;
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_STORE:
			a->store_path = optarg;
			break;
		case OPT_PROBES:
			a->probes_dir = optarg;
			a->probes_given = 1;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_PASS;
		default:
			report_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "prober report: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_UNKNOWN;
	}
	return check_report_args(a, since_arg, until_arg);
}

/* The probe files give each probe its interval and SLO; without them (a
 * copied results folder) the checks' gaps stand in. *tg: caller frees.
 * Returns 0 or -1 (said). */
static int load_targets(const struct report_args *a, vsp_probe_set *set,
			vsp_report_target **tg)
{
	char err[1024];

	if (vsp_config_load_dir(a->probes_dir, set, err, sizeof(err))) {
		if (a->probes_given) {
			fprintf(stderr, "prober report: %s\n", err);
			return -1;
		}
		vsp_probe_set_clear(set);
		memset(set, 0, sizeof(*set));
	}
	*tg = calloc(set->n ? set->n : 1, sizeof(**tg));
	if (!*tg) {
		fprintf(stderr, "prober report: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < set->n; i++)
		(*tg)[i] = (vsp_report_target){ set->probes[i].name,
						set->probes[i].interval_s,
						set->probes[i].slo };
	return 0;
}

/* --probe names a probe of the files or of the records. Returns 0 or -1
 * (said). */
static int probe_known(const struct report_args *a, vsp_store *st,
		       const vsp_probe_set *set)
{
	int known = vsp_store_has_probe(st, a->probe) == 1;

	for (size_t i = 0; i < set->n && !known; i++)
		known = strcmp(set->probes[i].name, a->probe) == 0;
	if (known)
		return 0;
	fprintf(stderr,
		"prober report: --probe: no probe named '%s' "
		"in %s or in the records of %s\n",
		a->probe, a->probes_dir, a->dir);
	return -1;
}

/* The report on stdout in the format asked. Returns 0 or -1 (said). */
static int render_report(const vsp_report *r, const char *format, double now)
{
	if (strcmp(format, "json") == 0) {
		json_t *o = vsp_report_json(r);
		char *text =
			o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
						  JSON_REAL_PRECISION(10))
			  : NULL;

		json_decref(o);
		if (!text) {
			fprintf(stderr, "prober report: out of memory\n");
			return -1;
		}
		printf("%s\n", text);
		free(text);
	} else if (strcmp(format, "csv") == 0) {
		render_csv(r);
	} else if (strcmp(format, "html") == 0) {
		render_html(stdout, r, now);
	} else {
		render_text(r);
	}
	if (fflush(stdout) != 0) {
		perror("prober report: stdout");
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .dir = "results",
				 .probes_dir = "probes",
				 .format = "table" };
	vsp_report *r = NULL;
	vsp_store *st = NULL;
	vsp_probe_set set = { 0 };
	vsp_report_target *tg = NULL;
	vsp_report_opts ro = { 0 };
	size_t bad = 0;
	int rc;
	char err[1024];

	a.now = vsp_wall_s();
	a.until = a.now;
	if ((rc = parse_report_args(argc, argv, &a)) != -1)
		return rc;
	rc = EXIT_UNKNOWN;
	if (load_targets(&a, &set, &tg))
		goto out;
	st = open_index(a.dir, a.store_path, &bad, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "prober report: %s\n", err);
		goto out;
	}
	if (a.probe && probe_known(&a, st, &set))
		goto out;
	ro = (vsp_report_opts){ a.since, a.until, a.probe, tg, set.n };
	if (vsp_report_from_store(st, &ro, &r, err, sizeof(err))) {
		fprintf(stderr, "prober report: %s\n", err);
		goto out;
	}
	r->bad_lines = bad;
	if (render_report(r, a.format, a.now))
		goto out;
	rc = EXIT_PASS;
out:
	vsp_report_free(r);
	vsp_store_close(st);
	free(tg);
	vsp_probe_set_clear(&set);
	return rc;
}
