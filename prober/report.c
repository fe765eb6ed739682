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
#include "report.h"

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: prober report [OPTIONS]\n"
		"Availability, time to first frame, outages and live figures "
		"(edge lag,\nplaylist age, real-time factor) per probe and "
		"origin, from the records\nof `prober run`.\n\n"
		"  --results DIR     record files (default results)\n"
		"  --since DURATION  window back from now: 90s, 30m, 24h, 7d, "
		"2w "
		"(default 24h)\n"
		"  --probe NAME      this probe only\n"
		"  --json            the report as JSON\n"
		"  -h, --help        this help\n\n"
		"exit status: 0 reported, 3 could not read the records\n");
}

enum { OPT_RESULTS = 256, OPT_SINCE, OPT_PROBE, OPT_JSON };

static const struct option report_opts[] = {
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)floor(t);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static void fmt_dur(double s, char *buf, size_t len)
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
	char p50[32], p95[32];

	fmt_ms(a->ttff_p50, p50, sizeof(p50));
	fmt_ms(a->ttff_p95, p95, sizeof(p95));
	printf("%s%zu checks, %.2f%% available (%zu warn), time to first "
	       "frame p50 %s, p95 %s\n",
	       indent, a->checks,
	       a->checks ? 100.0 * (double)a->up / (double)a->checks : 0.0,
	       a->warn, p50, p95);
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

static void print_outages(const vsp_avail *a, const char *indent)
{
	for (size_t i = 0; i < a->n_outages; i++) {
		const vsp_outage *u = &a->outages[i];
		char s[40], e[40], d[32];

		fmt_time(u->start, s, sizeof(s));
		fmt_time(u->end, e, sizeof(e));
		fmt_dur(u->end - u->start, d, sizeof(d));
		/* An ongoing outage ends at its last failing check: say so
		 * rather than invent an end. */
		printf("%s%s .. %s%s  %-10s %s (%zu checks)\n", indent, s, e,
		       u->ongoing ? " (ongoing)" : "", d,
		       u->reason ? term_str(u->reason) : "-", u->checks);
		if (u->message)
			printf("%s    %s\n", indent, term_str(u->message));
	}
}

static void render_text(const vsp_report *r)
{
	char s[40], u[40];

	fmt_time(r->since, s, sizeof(s));
	fmt_time(r->until, u, sizeof(u));
	printf("prober report %s .. %s: %zu records", s, u, r->records);
	if (r->bad_lines)
		printf(", %zu damaged lines skipped", r->bad_lines);
	printf("\n");
	if (r->n_probes == 0)
		printf("no records in this window\n");
	for (size_t i = 0; i < r->n_probes; i++) {
		const vsp_report_probe *p = &r->probes[i];

		printf("\n%s\n", term_str(p->name));
		print_avail(&p->stream, "  stream: ");
		print_live(&p->stream, "    ");
		if (p->degraded)
			printf("  redundancy lost (stream played, an origin "
			       "did not) in %zu checks\n",
			       p->degraded);
		if (p->stream.n_outages) {
			printf("  stream outages (too few origins played):\n");
			print_outages(&p->stream, "    ");
		} else {
			printf("  stream outages: none\n");
		}
		for (size_t k = 0; k < p->n_origins; k++) {
			const vsp_avail *o = &p->origins[k];

			printf("  origin %s: ", term_str(o->name));
			print_avail(o, "");
			print_live(o, "    ");
			if (o->n_outages) {
				printf("    outages of this origin:\n");
				print_outages(o, "      ");
			}
		}
	}
}

int cmd_report(int argc, char **argv)
{
	const char *dir = "results", *probe = NULL;
	double since_s = 86400, now = vsp_wall_s();
	vsp_report *r = NULL;
	int json = 0, c, rc = EXIT_UNKNOWN;
	char err[1024];

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", report_opts, NULL)) != -1) {
		switch (c) {
		case OPT_RESULTS:
			dir = optarg;
			break;
		case OPT_SINCE:
			if (vsp_duration_parse(optarg, &since_s)) {
				fprintf(stderr,
					"prober report: --since: '%s' is not a "
					"duration such as 90s, 30m, 24h, 7d or "
					"2w\n",
					optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case OPT_PROBE:
			probe = optarg;
			break;
		case OPT_JSON:
			json = 1;
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
	if (vsp_report_build(dir, now - since_s, now, probe, &r, err,
			     sizeof(err))) {
		fprintf(stderr, "prober report: %s\n", err);
		return EXIT_UNKNOWN;
	}
	if (json) {
		json_t *o = vsp_report_json(r);
		char *text =
			o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
						  JSON_REAL_PRECISION(10))
			  : NULL;

		json_decref(o);
		if (!text) {
			fprintf(stderr, "prober report: out of memory\n");
			goto out;
		}
		printf("%s\n", text);
		free(text);
	} else {
		render_text(r);
	}
	if (fflush(stdout) != 0) {
		perror("prober report: stdout");
		goto out;
	}
	rc = EXIT_PASS;
out:
	vsp_report_free(r);
	return rc;
}
