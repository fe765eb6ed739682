/*
 * watch.c - `prober watch`: a live view for launch nights. Every probe is
 * checked again and again (one thread per probe, --interval apart); a line
 * per stream and origin shows the state, time to first frame, live-edge
 * lag, a sparkline of the last checks and the last failure reason.
 *
 * On a terminal the screen is redrawn in place (alternate screen, cursor
 * hidden, colour unless NO_COLOR); Ctrl-C or SIGTERM puts the terminal
 * back before anything else. Not on a terminal: one plain line per change
 * of state, for a log.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "limits.h"
#include "datetime.h"
#include "record.h"
#include "url.h"

#define SPARK_N	     24
#define MAX_ROWS     512
#define TICK_US	     200000
#define REASON_MAX   48
#define LINE_MAX_LEN 256

struct row {
	char probe[VSP_MAX_NAME + 1], origin[VSP_MAX_NAME + 1]; /* "" stream */
	int status;						/* -1 not yet */
	double ttff, lag;					/* -1 none */
	int has_lag;
	char spark[SPARK_N];
	int n_spark;
	char last_fail[REASON_MAX];
	double when;
};

struct watch {
	vsp_probe_cfg *probes;
	size_t n;
	double interval;
	pthread_mutex_t mu;
	struct row rows[MAX_ROWS];
	size_t n_rows;
	int dirty;
	int tty, color;
};

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static struct row *row_of(struct watch *w, const char *probe,
			  const char *origin)
{
	for (size_t i = 0; i < w->n_rows; i++)
		if (strcmp(w->rows[i].probe, probe) == 0 &&
		    strcmp(w->rows[i].origin, origin) == 0)
			return &w->rows[i];
	if (w->n_rows == MAX_ROWS)
		return NULL;
	struct row *r = &w->rows[w->n_rows++];

	memset(r, 0, sizeof(*r));
	snprintf(r->probe, sizeof(r->probe), "%s", probe);
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	r->status = -1;
	return r;
}

static int status_of(const char *s)
{
	return !s			? -1
	       : strcmp(s, "pass") == 0 ? 0
	       : strcmp(s, "warn") == 0 ? 1
					: 2;
}

static void plain_change(const struct row *r, int before)
{
	char t[40];

	vsp_time_format(r->when, t, sizeof(t));
	printf("%s %s%s%s %s -> %s%s%s\n", t, r->probe, r->origin[0] ? " " : "",
	       r->origin,
	       before < 0 ? "-" : vsp_status_name((vsp_status)before),
	       vsp_status_name((vsp_status)r->status), r->status ? " " : "",
	       r->status ? r->last_fail : "");
	fflush(stdout);
}

/* One row from a record's stream or origin object. */
static void update(struct watch *w, const char *probe, const json_t *o,
		   const char *origin, double when)
{
	struct row *r = row_of(w, probe, origin);
	/* The origin's own figures (the record's, result.h); the stream
	 * object has none: its row takes the best of its origins'. */
	const json_t *t = json_object_get(o, "ttff_ms");
	const json_t *lag = json_object_get(o, "live_edge_lag_s");
	int before,
		st = status_of(json_string_value(json_object_get(o, "status")));

	if (!r || st < 0)
		return;
	before = r->status;
	r->status = st;
	r->when = when;
	r->ttff = -1;
	r->has_lag = 0;
	if (json_is_number(t) && json_number_value(t) > 0)
		r->ttff = json_number_value(t);
	if (json_is_number(lag)) {
		r->lag = json_number_value(lag);
		r->has_lag = 1;
	}
	if (st) {
		const char *rs =
			json_string_value(json_object_get(o, "reason"));

		snprintf(r->last_fail, sizeof(r->last_fail), "%s",
			 rs ? rs : "?");
	}
	if (r->n_spark == SPARK_N) {
		memmove(r->spark, r->spark + 1, SPARK_N - 1);
		r->n_spark--;
	}
	r->spark[r->n_spark++] = (char)st;
	if (!w->tty && before != st)
		plain_change(r, before);
}

static void record(struct watch *w, const vsp_stream_result *res)
{
	json_t *rec = vsp_record_json(res), *o;
	const char *probe = json_string_value(json_object_get(rec, "probe"));
	size_t i;

	if (!probe) {
		json_decref(rec);
		return;
	}
	pthread_mutex_lock(&w->mu);
	update(w, probe, rec, "", res->time);
	/* The stream's time to first frame: the best of its origins'. */
	json_array_foreach(json_object_get(rec, "origins"), i, o)
	{
		const char *name =
			json_string_value(json_object_get(o, "name"));

		if (name)
			update(w, probe, o, name, res->time);
	}
	{
		struct row *s = row_of(w, probe, "");

		for (size_t k = 0; s && k < w->n_rows; k++) {
			const struct row *r = &w->rows[k];

			if (strcmp(r->probe, probe) || !r->origin[0])
				continue;
			if (r->ttff > 0 && (s->ttff < 0 || r->ttff < s->ttff))
				s->ttff = r->ttff;
			if (r->has_lag && (!s->has_lag || r->lag < s->lag)) {
				s->lag = r->lag;
				s->has_lag = 1;
			}
		}
	}
	w->dirty = 1;
	pthread_mutex_unlock(&w->mu);
	json_decref(rec);
}

struct job {
	struct watch *w;
	size_t i;
};

static void *probe_loop(void *arg)
{
	struct job *j = arg;
	struct watch *w = j->w;

	while (!stop_flag) {
		vsp_stream_result *res = NULL;
		char err[512];
		int64_t next = vsp_now_us() + (int64_t)(w->interval * 1e6);

		if (vsp_probe_check(&w->probes[j->i], &res, err, sizeof(err)) ==
		    0)
			record(w, res);
		vsp_stream_result_free(res);
		while (!stop_flag && vsp_now_us() < next)
			usleep(TICK_US);
	}
	return NULL;
}

static const char *color_of(int st)
{
	return st == 0	 ? "\033[32m"
	       : st == 1 ? "\033[33m"
	       : st == 2 ? "\033[31m"
			 : "";
}

static void draw(struct watch *w)
{
	static const char *const spark[] = { "\xe2\x96\x81", "\xe2\x96\x84",
					     "\xe2\x96\x88" };
	char t[40];

	vsp_time_format(vsp_wall_s(), t, sizeof(t));
	/* Home, then each line cleared to its end: no flicker. */
	printf("\033[H\033[Kprober watch  %s  every %g s  Ctrl-C "
	       "quits\033[K\n\033[K\n",
	       t, w->interval);
	printf("%-20s %-16s %-5s %9s %8s  %-*s %s\033[K\n", "STREAM", "ORIGIN",
	       "STATE", "TTFF", "LAG", SPARK_N, "LAST CHECKS", "LAST FAILURE");
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->n_rows; i++) {
		const struct row *r = &w->rows[i];
		char tt[24] = "-", lag[24] = "-";

		if (r->ttff > 0)
			snprintf(tt, sizeof(tt), "%.0f ms", r->ttff);
		if (r->has_lag)
			snprintf(lag, sizeof(lag), "%.1f s", r->lag);
		printf("%-20s %-16s %s%-5s%s %9s %8s  ",
		       r->origin[0] ? "" : r->probe,
		       r->origin[0] ? r->origin : "(stream)",
		       w->color ? color_of(r->status) : "",
		       r->status < 0 ? "..."
				     : vsp_status_name((vsp_status)r->status),
		       w->color ? "\033[0m" : "", tt, lag);
		for (int k = 0; k < SPARK_N; k++) {
			if (k < r->n_spark)
				printf("%s%s%s",
				       w->color ? color_of(r->spark[k]) : "",
				       spark[(int)r->spark[k]],
				       w->color ? "\033[0m" : "");
			else
				putchar(' ');
		}
		printf(" %s\033[K\n", r->last_fail);
	}
	w->dirty = 0;
	pthread_mutex_unlock(&w->mu);
	printf("\033[J");
	fflush(stdout);
}

static void watch_usage(FILE *out)
{
	fprintf(out,
		"usage: prober watch [OPTIONS] [--probes DIR | URL...]\n"
		"Checks every stream again and again and shows a line per "
		"stream and origin:\nstate, time to first frame, live-edge "
		"lag, "
		"the last checks and the last\nfailure. Redrawn in place on a "
		"terminal (colour unless NO_COLOR); otherwise\none plain line "
		"per change. Ctrl-C quits.\n\n"
		"  --probes DIR      probe definitions (default probes)\n"
		"  --interval S      seconds between checks of a stream "
		"(default 10)\n"
		"  -h, --help        this help\n");
}

enum { OPT_PROBES = 256, OPT_INTERVAL };

static const struct option watch_opts[] = {
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --probes and --interval; the URLs after them are left at optind.
 * Returns -1 to go on, else the exit code (help, usage). */
static int parse_watch_args(int argc, char **argv, const char **probes_dir,
			    struct watch *w)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", watch_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROBES:
			*probes_dir = optarg;
			break;
		case OPT_INTERVAL:
			if (parse_double("--interval", optarg, 1, 3600,
					 &w->interval))
				return EXIT_UNKNOWN;
			break;
		case 'h':
			watch_usage(stdout);
			return EXIT_PASS;
		default:
			watch_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	return -1;
}

/* The probes watched: one "stream" of the URLs given (into *one), or the
 * probe files of probes_dir (into *set). Returns 0 or -1. */
static int load_watch_probes(int argc, char **argv, const char *probes_dir,
			     vsp_probe_cfg *one, vsp_probe_set *set,
			     struct watch *w)
{
	char err[1024];

	if (optind < argc) {
		one->name = strdup("stream");
		if (!one->name)
			return -1;
		for (int i = optind; i < argc; i++) {
			if (!vsp_url_is_http(argv[i])) {
				fprintf(stderr,
					"prober watch: '%s' is not an http:// "
					"or https:// URL\n",
					argv[i]);
				return -1;
			}
			if (vsp_probe_cfg_add_origin(one, NULL, argv[i]))
				return -1;
		}
		w->probes = one;
		w->n = 1;
		return 0;
	}
	if (vsp_config_load_dir(probes_dir, set, err, sizeof(err))) {
		fprintf(stderr, "prober watch: %s\n", err);
		return -1;
	}
	if (!set->n) {
		fprintf(stderr, "prober watch: no probe files (*.json) in %s\n",
			probes_dir);
		return -1;
	}
	w->probes = set->probes;
	w->n = set->n;
	return 0;
}

/* One checker thread per probe, the screen redrawn until SIGINT or
 * SIGTERM. Returns the exit code. */
static int run_watch(struct watch *w)
{
	struct job *jobs = NULL;
	pthread_t *tids = NULL;
	size_t started = 0;
	struct sigaction sa;
	sigset_t all, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	jobs = calloc(w->n, sizeof(*jobs));
	tids = calloc(w->n, sizeof(*tids));
	if (!jobs || !tids) {
		free(jobs);
		free(tids);
		return EXIT_UNKNOWN;
	}
	/* Checkers block every signal: the handler runs on this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < w->n; i++) {
		jobs[i] = (struct job){ w, i };
		if (pthread_create(&tids[i], NULL, probe_loop, &jobs[i]) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (w->tty)
		printf("\033[?1049h\033[?25l\033[2J");
	while (!stop_flag) {
		if (w->tty)
			draw(w);
		usleep(TICK_US);
	}
	/* The terminal first: the checks in flight end by their own
	 * deadline, and the screen must not wait for them. */
	if (w->tty) {
		printf("\033[0m\033[?25h\033[?1049l");
		fflush(stdout);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(jobs);
	free(tids);
	return EXIT_PASS;
}

int cmd_watch(int argc, char **argv)
{
	const char *probes_dir = "probes";
	vsp_probe_set set = { 0 };
	vsp_probe_cfg one;
	struct watch *w = calloc(1, sizeof(*w));
	int rc = EXIT_UNKNOWN;

	vsp_probe_cfg_init(&one);
	if (!w) {
		fprintf(stderr, "prober watch: out of memory\n");
		goto out;
	}
	w->interval = 10;
	if ((rc = parse_watch_args(argc, argv, &probes_dir, w)) != -1)
		goto out;
	rc = EXIT_UNKNOWN;
	if (load_watch_probes(argc, argv, probes_dir, &one, &set, w))
		goto out;
	w->tty = isatty(STDOUT_FILENO);
	w->color = w->tty && !getenv("NO_COLOR");
	pthread_mutex_init(&w->mu, NULL);
	rc = run_watch(w);
	pthread_mutex_destroy(&w->mu);
out:
	free(w);
	vsp_probe_cfg_clear(&one);
	vsp_probe_set_clear(&set);
	return rc;
}
