/*
 * run.c - `prober run`: every due probe file of probes/, one record line
 * each in results/YYYY-MM-DD.jsonl. Made for cron: quiet unless -v or
 * something could not run, bounded by --deadline.
 *
 * parse -> load every probe file (all valid, or nothing runs) -> run ->
 * print -v lines -> exit with the worst verdict (3: could not run).
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "term.h"
#include "clock.h"
#include "config.h"
#include "limits.h"
#include "metrics.h"
#include "record.h"
#include "runner.h"
#include "store.h"

static volatile sig_atomic_t stop_flag;

/* Only sets the flag the runner polls: starting nothing new, and letting
 * the checks in flight end by their deadline, is the runner's job. */
static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: prober run [OPTIONS]\n"
		"Checks every due probe of PROBES/*.json and appends one JSON "
		"line per\ncheck to RESULTS/YYYY-MM-DD.jsonl (UTC). Quiet "
		"unless -v.\n\n"
		"  --probes DIR      probe definitions (default probes)\n"
		"  --results DIR|-   record files (default results); - "
		"writes the\n                    records to stdout "
		"(every probe is checked)\n"
		"  --jobs N          checks at once, 1 to %d (default %d)\n"
		"  --deadline S      the whole run ends by then, seconds "
		"(default %g)\n"
		"  --only NAME       this probe only (still only when due)\n"
		"  --force           ignore interval_s: check now\n"
		"  --shard I/N       only the probes whose name hashes to "
		"shard "
		"I\n                    (0 to N-1) of N: a fleet splits the "
		"files\n"
		"  --textfile FILE   also write the metrics of the probes for\n"
		"                    node_exporter's textfile collector "
		"(atomically)\n"
		"  --vantage NAME    where this runs, in every record and "
		"metric\n                    (default $PROBER_VANTAGE, else "
		"the "
		"host name)\n"
		"  --no-index        do not bring RESULTS/" VSP_STORE_FILE
		" up to date\n"
		"  -v, --verbose     one line per probe, busy and skipped ones "
		"too\n"
		"  -h, --help        this help\n\n"
		"exit status: worst verdict of the probes checked (0 pass, 1 "
		"warn,\n2 fail), 3 could not run (bad probe file, results "
		"folder, disk full)\n",
		VSP_MAX_JOBS, VSP_RUN_DEFAULT_JOBS, VSP_RUN_DEFAULT_DEADLINE_S);
}

enum {
	OPT_PROBES = 256,
	OPT_RESULTS,
	OPT_JOBS,
	OPT_DEADLINE,
	OPT_ONLY,
	OPT_FORCE,
	OPT_SHARD,
	OPT_TEXTFILE,
	OPT_VANTAGE,
	OPT_NO_INDEX
};

static const struct option run_opts[] = {
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "vantage", required_argument, NULL, OPT_VANTAGE },
	{ "no-index", no_argument, NULL, OPT_NO_INDEX },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A run holds one lock file per probe plus the checks' sockets: lift the
 * soft limit on open files to the hard one, as far as it goes. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void print_item(const char *name, const vsp_run_item *it, double now)
{
	switch (it->state) {
	case VSP_RUN_DONE:
		printf("%-24s %-4s %-18s %8.0f ms  %s\n", name,
		       vsp_status_name(it->status),
		       it->reason ? vsp_reason_name(it->reason) : "-",
		       it->duration_ms,
		       it->message ? term_str(it->message) : "");
		break;
	case VSP_RUN_BUSY:
		printf("%-24s busy: another prober run is checking it; "
		       "skipped\n",
		       name);
		break;
	case VSP_RUN_NOT_DUE:
		printf("%-24s not due: next in %.0f s\n", name,
		       it->next_due > now ? it->next_due - now : 0);
		break;
	case VSP_RUN_NOT_STARTED:
	case VSP_RUN_FAILED:
		printf("%-24s %s: %s\n", name, vsp_run_state_name(it->state),
		       it->message ? term_str(it->message) : "");
		break;
	}
}

/* "I/N" with 0 <= I < N <= VSP_MAX_PROBES. */
static int parse_shard(const char *s, unsigned *i, unsigned *n)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || end == s || *end != '/' || s[0] == '-')
		goto bad;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || b < 1 ||
	    b > VSP_MAX_PROBES || a >= b)
		goto bad;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	fprintf(stderr,
		"prober run: --shard: expected I/N with 0 <= I < N <= %d "
		"(e.g. 0/3), got '%s'\n",
		VSP_MAX_PROBES, s);
	return -1;
}

/* 1 when line is a sample of a probe among todo[0..n) that this run did
 * not check: its last values stay in the textfile until it runs again. */
static int carried_over(const char *line, const vsp_probe_cfg *todo,
			const vsp_run_item *items, size_t n)
{
	const char *p = strstr(line, "{probe=\"");
	size_t len;

	if (!p)
		return 0;
	p += strlen("{probe=\"");
	len = strcspn(p, "\"");
	for (size_t i = 0; i < n; i++)
		if (strlen(todo[i].name) == len &&
		    strncmp(todo[i].name, p, len) == 0)
			return items[i].state != VSP_RUN_DONE;
	return 0;
}

/* The metrics of the probes checked now, and the last ones of the others
 * of this shard from the file as it was; then temp file and rename. */
static int write_textfile(const char *path, const char *vantage,
			  const vsp_probe_cfg *todo, const vsp_run_item *items,
			  size_t n)
{
	vsp_metrics *m = vsp_metrics_new(vantage);
	FILE *old;
	char *text = NULL, line[VSP_METRICS_MAX_LINE + 2], err[4400];
	size_t len = 0;
	int rc = -1;

	if (!m)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (items[i].result && vsp_metrics_add(m, items[i].result))
			goto oom;
	old = fopen(path, "re");
	while (old && fgets(line, sizeof(line), old)) {
		line[strcspn(line, "\n")] = '\0';
		if (carried_over(line, todo, items, n) &&
		    vsp_metrics_add_sample(m, line) < 0) {
			fclose(old);
			goto oom;
		}
	}
	if (old)
		fclose(old);
	text = vsp_metrics_text(m, &len);
	if (!text)
		goto oom;
	if (vsp_metrics_write_file(path, text, len, err, sizeof(err))) {
		fprintf(stderr, "prober run: --textfile: %s\n", err);
		goto out;
	}
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "prober run: --textfile %s: out of memory\n", path);
out:
	free(text);
	vsp_metrics_free(m);
	return rc;
}

/* Time the index may take after the checks: the run stays inside cron's
 * minute; what is left is read by the next run or `prober index`. */
#define INDEX_BUDGET_S 10.0

/*
 * After the records are appended: their rows go into the index (with any
 * the index missed before). A failure here loses nothing, since the
 * records are on disk: it is said on stderr and the exit status stays the
 * verdicts'.
 */
static void index_records(const char *dir, double t0, double deadline_s)
{
	double now = vsp_now_us() / 1e6, end = now + INDEX_BUDGET_S;
	vsp_store *st = NULL;
	vsp_store_stats ss = { 0 };
	char path[4200], err[1024];

	if (deadline_s > 0 && t0 + deadline_s < end)
		end = t0 + deadline_s;
	if (end <= now)
		end = now + 1;
	snprintf(path, sizeof(path), "%s/%s", dir, VSP_STORE_FILE);
	if (vsp_store_open(path, 0, &st, err, sizeof(err)) ||
	    vsp_store_import_dir(st, dir, NULL, end, &ss, err, sizeof(err)))
		fprintf(stderr,
			"prober run: %s (the records are kept; the next run "
			"or `prober index` catches up)\n",
			err);
	vsp_store_close(st);
}

/* --only: the one probe of set named only. 0, or -1 with the message
 * printed. */
static int select_only(const vsp_probe_set *set, const char *only,
		       const char *probes_dir, const vsp_probe_cfg **todo,
		       size_t *n_todo)
{
	*n_todo = 0;
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->probes[i].name, only) == 0) {
			*todo = &set->probes[i];
			*n_todo = 1;
		}
	if (!*n_todo) {
		fprintf(stderr,
			"prober run: --only: no probe named "
			"'%s' in %s\n",
			only, probes_dir);
		return -1;
	}
	return 0;
}

/* --shard I/N: the probes of todo in shard shard_i, as shallow copies in
 * *sel (the set keeps owning every string; caller frees *sel). An empty
 * shard is no error: a fleet larger than the probe set has idle machines.
 * 0, or -1 with the message printed. */
static int select_shard(const vsp_probe_cfg *todo, size_t *n_todo,
			unsigned shard_i, unsigned shard_n, vsp_probe_cfg **sel)
{
	size_t k = 0;

	*sel = calloc(*n_todo, sizeof(**sel));
	if (!*sel) {
		fprintf(stderr, "prober run: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < *n_todo; i++)
		if (vsp_shard_of(todo[i].name, shard_n) == shard_i)
			(*sel)[k++] = todo[i];
	*n_todo = k;
	return 0;
}

/* Every probe's timeout fits in the run's deadline (else it would never
 * start). 0, or -1 with the message printed. */
static int check_timeouts(const vsp_probe_set *set, double deadline_s)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->probes[i].timeout_s + VSP_RUN_MARGIN_S > deadline_s) {
			fprintf(stderr,
				"prober run: %s: timeout_s: %g s does not fit "
				"in the run's --deadline %g s (it would never "
				"start)\n",
				set->paths[i], set->probes[i].timeout_s,
				deadline_s);
			return -1;
		}
	return 0;
}

/* SIGTERM and SIGINT stop the run between checks (on_stop). */
static void catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* --results -: the record of every check done, one line each on stdout.
 * 0, or -1 with the message printed. */
static int print_records(const vsp_run_item *items, size_t n,
			 const char *vantage)
{
	for (size_t i = 0; i < n; i++) {
		char *line;

		if (items[i].state != VSP_RUN_DONE || !items[i].result)
			continue;
		line = vsp_record_dumps_from(items[i].result, vantage);
		if (!line) {
			fprintf(stderr, "prober run: out of memory\n");
			return -1;
		}
		printf("%s\n", line);
		free(line);
	}
	return 0;
}

/* The runner's private folder for --results - (its locks and files,
 * removed after) into dir; no state kept, so every probe is due. 0, or -1
 * with the message printed and dir "". */
static int results_to_stdout(vsp_runner_opts *ro, char *dir, size_t len)
{
	const char *t = getenv("TMPDIR");

	int n = snprintf(dir, len, "%s/prober-run.XXXXXX",
			 t && *t ? t : "/tmp");

	/* mkdtemp()'s template: a truncated one would lose its XXXXXX. */
	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "prober run: --results -: TMPDIR too long\n");
		dir[0] = '\0';
		return -1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "prober run: --results -: %s: %s\n", dir,
			strerror(errno));
		dir[0] = '\0';
		return -1;
	}
	ro->results_dir = dir;
	ro->keep_results = 1;
	ro->force = 1;
	return 0;
}

/* The probe files of dir into set; the bad ones are said (file and key)
 * and listed in *bad. 0 when at least one probe is valid, else -1 with
 * the message printed. */
static int load_probes(const char *dir, vsp_probe_set *set, char ***bad,
		       size_t *n_bad)
{
	char err[1024];

	if (vsp_config_load_dir_each(dir, set, bad, n_bad, err, sizeof(err))) {
		fprintf(stderr, "prober run: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < *n_bad; i++)
		fprintf(stderr, "prober run: %s (not run)\n", (*bad)[i]);
	if (set->n == 0 && *n_bad) {
		fprintf(stderr, "prober run: no valid probe file in %s\n", dir);
		return -1;
	}
	if (set->n == 0) {
		fprintf(stderr, "prober run: no probe files (*.json) in %s\n",
			dir);
		return -1;
	}
	return 0;
}

/* What the command line asks of one run. */
struct run_args {
	const char *probes_dir, *only, *textfile, *vantage_opt;
	unsigned shard_i, shard_n;
	int verbose, no_index;
	vsp_runner_opts ro;
};

/* Returns -1 to go on, else the exit code (help, usage). */
static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", run_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROBES:
			a->probes_dir = optarg;
			break;
		case OPT_RESULTS:
			a->ro.results_dir = optarg;
			break;
		case OPT_JOBS:
			if (parse_int("--jobs", optarg, 1, VSP_MAX_JOBS,
				      &a->ro.jobs))
				return EXIT_UNKNOWN;
			break;
		case OPT_DEADLINE:
			if (parse_double("--deadline", optarg, 1, 86400,
					 &a->ro.deadline_s))
				return EXIT_UNKNOWN;
			break;
		case OPT_ONLY:
			a->only = optarg;
			break;
		case OPT_FORCE:
			a->ro.force = 1;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &a->shard_i, &a->shard_n))
				return EXIT_UNKNOWN;
			break;
		case OPT_TEXTFILE:
			a->textfile = optarg;
			break;
		case OPT_VANTAGE:
			a->vantage_opt = optarg;
			break;
		case OPT_NO_INDEX:
			a->no_index = 1;
			break;
		case 'v':
			a->verbose++;
			break;
		case 'h':
			run_usage(stdout);
			return EXIT_PASS;
		default:
			run_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "prober run: unexpected argument '%s'\n",
			argv[optind]);
		run_usage(stderr);
		return EXIT_UNKNOWN;
	}
	return -1;
}

/* The worst status among the checks done (-v: each item said first). */
static int worst_done(const vsp_probe_cfg *todo, const vsp_run_item *items,
		      size_t n, int verbose)
{
	int worst = EXIT_PASS;

	if (verbose) {
		double now = vsp_wall_s();

		for (size_t i = 0; i < n; i++)
			print_item(todo[i].name, &items[i], now);
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].state == VSP_RUN_DONE &&
		    (int)items[i].status > worst)
			worst = (int)items[i].status;
	return worst;
}

static int any_done(const vsp_run_item *items, size_t n)
{
	int done = 0;

	for (size_t i = 0; i < n; i++)
		done |= items[i].state == VSP_RUN_DONE;
	return done;
}

/* One run's probes, from the files to the items the runner fills. */
struct run_state {
	vsp_probe_set set;
	char **bad; /* the files that did not load, said */
	size_t n_bad;
	vsp_probe_cfg *sel; /* --shard's share, when given */
	const vsp_probe_cfg *todo;
	size_t n_todo;
	vsp_run_item *items;  /* one per todo */
	char stdout_dir[512]; /* --results -: the private folder */
};

/* The probes this run checks, and their items. A bad file must not stop
 * the fleet: every valid probe runs, and the bad ones are said (file and
 * key) and make the exit 3. Returns 0 or -1 (said). */
static int pick_probes(const struct run_args *a, struct run_state *rs)
{
	if (load_probes(a->probes_dir, &rs->set, &rs->bad, &rs->n_bad))
		return -1;
	rs->todo = rs->set.probes;
	rs->n_todo = rs->set.n;
	if (a->only && select_only(&rs->set, a->only, a->probes_dir, &rs->todo,
				   &rs->n_todo))
		return -1;
	if (a->shard_n) {
		if (select_shard(rs->todo, &rs->n_todo, a->shard_i, a->shard_n,
				 &rs->sel))
			return -1;
		rs->todo = rs->sel;
	}
	if (check_timeouts(&rs->set, a->ro.deadline_s))
		return -1;
	rs->items = calloc(rs->n_todo ? rs->n_todo : 1, sizeof(*rs->items));
	if (!rs->items) {
		fprintf(stderr, "prober run: out of memory\n");
		return -1;
	}
	return 0;
}

static void run_state_clear(struct run_state *rs)
{
	if (rs->stdout_dir[0])
		nftw(rs->stdout_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < rs->n_bad; i++)
		free(rs->bad[i]);
	free(rs->bad);
	vsp_run_items_clear(rs->items, rs->n_todo);
	free(rs->items);
	free(rs->sel);
	vsp_probe_set_clear(&rs->set);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { .probes_dir = "probes",
			      .ro = { "results", VSP_RUN_DEFAULT_JOBS,
				      VSP_RUN_DEFAULT_DEADLINE_S, 0,
				      &stop_flag } };
	vsp_runner_opts *ro = &a.ro;
	struct run_state rs = { 0 };
	char vantage[VSP_MAX_NAME + 1];
	int rc = EXIT_UNKNOWN, worst, run_rc;
	int parsed = parse_run_args(argc, argv, &a);
	double t0 = vsp_now_us() / 1e6;
	char err[1024];

	if (parsed != -1)
		return parsed;
	if (vantage_resolve("run", a.vantage_opt, vantage, sizeof(vantage)))
		return EXIT_UNKNOWN;
	ro->vantage = vantage;
	ro->keep_results = a.textfile != NULL;
	/* --results -: the records go to stdout (pipes, log shippers). The
	 * runner still needs a folder for its locks and files: a private
	 * one, removed after; with no state kept, every probe is due. */
	if (strcmp(ro->results_dir, "-") == 0 &&
	    results_to_stdout(ro, rs.stdout_dir, sizeof(rs.stdout_dir)))
		goto out;
	if (pick_probes(&a, &rs))
		goto out;

	catch_stop();
	raise_nofile();

	run_rc = vsp_runner_run(rs.todo, rs.n_todo, ro, rs.items, err,
				sizeof(err));
	worst = worst_done(rs.todo, rs.items, rs.n_todo, a.verbose);
	if (rs.stdout_dir[0] && print_records(rs.items, rs.n_todo, vantage))
		goto out;
	/* Records written to standard output leave nothing to index. */
	if (any_done(rs.items, rs.n_todo) && !a.no_index && !rs.stdout_dir[0])
		index_records(ro->results_dir, t0, ro->deadline_s);
	if (fflush(stdout) != 0) {
		perror("prober run: stdout");
		goto out;
	}
	if (run_rc) {
		fprintf(stderr, "prober run: %s\n", err);
		goto out;
	}
	if (a.textfile &&
	    write_textfile(a.textfile, vantage, rs.todo, rs.items, rs.n_todo))
		goto out;
	rc = rs.n_bad ? EXIT_UNKNOWN : worst;
out:
	run_state_clear(&rs);
	return rc;
}
