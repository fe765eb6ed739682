/*
 * check.c - `prober check`: one stream, each URL one origin of it.
 *
 * parse -> config -> run -> render -> exit status.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "limits.h"
#include "probe.h"
#include "record.h"
#include "url.h"
#include "content_opts.h"

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: prober check [OPTIONS] URL [URL...]\n"
		"       prober check [OPTIONS] --probe FILE\n"
		"Probes one stream; each URL is one origin (CDN) of it.\n\n"
		"  --probe FILE          the stream and origins of a probe "
		"file;\n"
		"                        --frames, --renditions, --timeout "
		"and\n"
		"                        --min-healthy given here override it\n"
		"  --frames N            frames to decode per rendition "
		"(default %d)\n"
		"  --renditions R        all (default), lowest, highest, or a "
		"count\n"
		"  --segments N|all      VOD segments checked per rendition, "
		"spread over\n"
		"                        the asset: the first decoded, the "
		"others sniffed\n"
		"                        (default 3: first, middle, last)\n"
		"  --decode all|frames   decode every frame of each segment, "
		"or\n"
		"                        only --frames of them "
		"(default)\n" CONTENT_USAGE
		"  --timeout S           deadline of the whole check, seconds "
		"(default %g)\n"
		"  --max-memory MB       bytes the check may hold at once "
		"(default %d)\n"
		"  --min-healthy N       origins that must play (default 1)\n"
		"  --name NAME           stream name in the record\n"
		"  -H, --header 'K: V'   extra request header (repeatable)\n"
		"  --user-agent UA       User-Agent (default prober/%s)\n"
		"  --resolve H:P:ADDR    pin a host name to an address "
		"(repeatable)\n"
		"  -k, --insecure        do not verify TLS certificates\n"
		"  --cacert FILE         CA certificates to verify with\n"
		"  --json                print the JSON record instead of a "
		"table\n"
		"  --vantage NAME        where this runs, in the record\n"
		"                        (default $PROBER_VANTAGE, else the "
		"host name)\n"
		"  -v, --verbose         more detail in the table\n"
		"  -h, --help            this help\n\n"
		"exit status: 0 pass, 1 warn, 2 fail, 3 could not run\n",
		VSP_DEFAULT_FRAMES, VSP_DEFAULT_TIMEOUT_S,
		VSP_DEFAULT_MAX_MEMORY_MB, VSP_VERSION);
}

enum {
	OPT_FRAMES = 256,
	OPT_RENDITIONS,
	OPT_TIMEOUT,
	OPT_MIN_HEALTHY,
	OPT_NAME,
	OPT_UA,
	OPT_RESOLVE,
	OPT_CACERT,
	OPT_JSON,
	OPT_PROBE,
	OPT_SEGMENTS,
	OPT_DECODE,
	OPT_VANTAGE,
	OPT_MAX_MEMORY,
};

static const struct option check_opts[] = {
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "renditions", required_argument, NULL, OPT_RENDITIONS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "min-healthy", required_argument, NULL, OPT_MIN_HEALTHY },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "header", required_argument, NULL, 'H' },
	{ "user-agent", required_argument, NULL, OPT_UA },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "insecure", no_argument, NULL, 'k' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "segments", required_argument, NULL, OPT_SEGMENTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "vantage", required_argument, NULL, OPT_VANTAGE },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	CONTENT_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* ---- a sign of life on a terminal ---- */

/* A check can take its whole timeout (20 s): on a terminal, past a
 * second, a line on stderr says it is still going. Never on a pipe or in
 * cron, where it would be noise in the output or the mail. */
struct progress {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, started, shown;
	const char *name;
	double timeout_s;
};

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	struct timespec at;
	int secs = 0;

	clock_gettime(CLOCK_REALTIME, &at);
	pthread_mutex_lock(&p->mu);
	while (!p->done) {
		at.tv_sec++;
		if (pthread_cond_timedwait(&p->cv, &p->mu, &at) == 0 || p->done)
			continue;
		secs++;
		fprintf(stderr,
			"\rprober check: %s: checking, %d s of at most "
			"%g s...",
			p->name, secs, p->timeout_s);
		fflush(stderr);
		p->shown = 1;
	}
	if (p->shown)
		fputs("\r\033[K", stderr);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void progress_start(struct progress *p, const vsp_probe_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	if (!isatty(STDERR_FILENO))
		return;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->name = cfg->name;
	p->timeout_s = cfg->timeout_s;
	p->started = pthread_create(&p->tid, NULL, progress_main, p) == 0;
	if (!p->started) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
	}
}

static void progress_stop(struct progress *p)
{
	if (!p->started)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->tid, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	p->started = 0;
}

/* Loads a probe file into *cfg, keeping what the command line set. */
static int load_probe(const char *path, vsp_probe_cfg *cfg, int set_frames,
		      int set_pick, int set_timeout, int set_min_healthy)
{
	vsp_probe_cfg f;
	char err[1024];

	if (vsp_config_load_file(path, &f, err, sizeof(err))) {
		fprintf(stderr, "prober check: %s\n", err);
		vsp_probe_cfg_clear(&f);
		return -1;
	}
	if (set_frames)
		f.frames = cfg->frames;
	if (set_pick) {
		f.pick = cfg->pick;
		f.pick_count = cfg->pick_count;
	}
	if (set_timeout)
		f.timeout_s = cfg->timeout_s;
	if (set_min_healthy)
		f.min_healthy = cfg->min_healthy;
	if (cfg->name) {
		free(f.name);
		f.name = cfg->name;
		cfg->name = NULL;
	}
	if (cfg->user_agent) {
		free(f.user_agent);
		f.user_agent = cfg->user_agent;
		cfg->user_agent = NULL;
	}
	vsp_probe_cfg_clear(cfg);
	*cfg = f;
	if (cfg->min_healthy > (int)cfg->n_origins) {
		fprintf(stderr,
			"prober check: --min-healthy %d but %s has only %zu "
			"origins\n",
			cfg->min_healthy, path, cfg->n_origins);
		return -1;
	}
	return 0;
}

/* What the command line asked, beside the probe definition itself. */
struct check_args {
	int json, verbose;
	/* set on the command line: kept over a probe file's */
	int set_frames, set_pick, set_timeout, set_mh;
	int set_decode; /* -1: not given; else the --decode value */
	const char *probe_file;
	int segments;	/* 0: not given */
	int max_memory; /* 0: not given */
	const char *vantage_opt;
	net_opts conn;
	struct content_cli ccli;
};

/* What an option group's parser returns for an option of another group. */
#define NOT_MINE 1

/* --frames, --renditions, --timeout, --min-healthy, --name, --segments,
 * --decode, --max-memory: how much of the stream one check takes. 0, -1
 * (said) or NOT_MINE. */
static int run_opt(int c, const char *arg, vsp_probe_cfg *cfg,
		   struct check_args *a)
{
	char err[512];

	switch (c) {
	case OPT_FRAMES:
		if (parse_int("--frames", arg, 1, VSP_MAX_FRAMES, &cfg->frames))
			return -1;
		a->set_frames = 1;
		return 0;
	case OPT_RENDITIONS:
		if (vsp_pick_parse(arg, &cfg->pick, &cfg->pick_count)) {
			fprintf(stderr,
				"prober: --renditions: '%s' is not "
				"all, "
				"lowest, highest or a count from 1 to "
				"%d\n",
				arg, VSP_MAX_RENDITIONS);
			return -1;
		}
		a->set_pick = 1;
		return 0;
	case OPT_TIMEOUT:
		if (parse_double("--timeout", arg, 0.1, 3600, &cfg->timeout_s))
			return -1;
		a->set_timeout = 1;
		return 0;
	case OPT_MIN_HEALTHY:
		if (parse_int("--min-healthy", arg, 1, VSP_MAX_ORIGINS,
			      &cfg->min_healthy))
			return -1;
		a->set_mh = 1;
		return 0;
	case OPT_NAME:
		if (vsp_config_check_value(VSP_VALUE_NAME, arg, err,
					   sizeof(err))) {
			fprintf(stderr, "prober check: --name: %s\n", err);
			return -1;
		}
		free(cfg->name);
		if (!(cfg->name = strdup(arg))) {
			fprintf(stderr, "prober check: out of memory\n");
			return -1;
		}
		return 0;
	case OPT_SEGMENTS:
		if (vsp_segments_parse(arg, &a->segments)) {
			fprintf(stderr,
				"prober: --segments: '%s' is not all "
				"or a count from 1 to %d\n",
				arg, VSP_MAX_SEGMENT_CHECKS);
			return -1;
		}
		cfg->segments = a->segments;
		return 0;
	case OPT_DECODE:
		if (vsp_decode_mode_parse(arg, &a->set_decode)) {
			fprintf(stderr,
				"prober: --decode: '%s' is not "
				"all or frames\n",
				arg);
			return -1;
		}
		cfg->decode_all = a->set_decode;
		return 0;
	case OPT_MAX_MEMORY:
		if (max_memory_arg("--max-memory", arg, &a->max_memory, err,
				   sizeof(err))) {
			fprintf(stderr, "prober check: %s\n", err);
			return -1;
		}
		return 0;
	default:
		return NOT_MINE;
	}
}

/* --header, --user-agent, --resolve, -k, --cacert: how to reach the
 * origins. 0, -1 (said) or NOT_MINE. */
static int net_opt(int c, const char *arg, struct check_args *a)
{
	char err[512];
	int bad;

	switch (c) {
	case 'H':
		bad = net_opts_add(&a->conn, VSP_VALUE_HEADER, "--header", arg,
				   err, sizeof(err));
		break;
	case OPT_UA:
		bad = net_opts_add(&a->conn, VSP_VALUE_USER_AGENT,
				   "--user-agent", arg, err, sizeof(err));
		break;
	case OPT_RESOLVE:
		bad = net_opts_add(&a->conn, VSP_VALUE_RESOLVE, "--resolve",
				   arg, err, sizeof(err));
		break;
	case 'k':
		a->conn.insecure = 1;
		return 0;
	case OPT_CACERT:
		bad = net_opts_add(&a->conn, VSP_VALUE_CACERT, "--cacert", arg,
				   err, sizeof(err));
		break;
	default:
		return NOT_MINE;
	}
	if (bad) {
		fprintf(stderr, "prober check: %s\n", err);
		return -1;
	}
	return 0;
}

/* The options into cfg and a. 0: go on; -1: stop with exit status *rc
 * (left as it was on an error, EXIT_PASS for --help). */
static int parse_args(int argc, char **argv, vsp_probe_cfg *cfg,
		      struct check_args *a, int *rc)
{
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "H:kvh", check_opts, NULL)) != -1) {
		r = run_opt(c, optarg, cfg, a);
		if (r == NOT_MINE)
			r = net_opt(c, optarg, a);
		if (r != NOT_MINE) {
			if (r)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_PROBE:
			a->probe_file = optarg;
			break;
		case 'v':
			a->verbose++;
			break;
		case OPT_VANTAGE:
			a->vantage_opt = optarg;
			break;
		case OPT_THUMBNAILS:
		case OPT_BLACK_MIN:
		case OPT_FROZEN_MIN:
		case OPT_SILENCE_DB:
		case OPT_SILENCE_MIN:
		case OPT_NO_CONTENT:
			if (content_cli_opt(&a->ccli, c, optarg,
					    "prober check"))
				return -1;
			break;
		case 'h':
			check_usage(stdout);
			*rc = EXIT_PASS;
			return -1;
		default:
			check_usage(stderr);
			return -1;
		}
	}
	return 0;
}

/* The stream's origins: the probe file's (the command line's settings
 * kept over it), or one per URL argument; then the connection and content
 * options over them. 0, or -1 with the message printed. */
static int build_cfg(int argc, char **argv, vsp_probe_cfg *cfg,
		     struct check_args *a)
{
	char err[512];

	if (a->probe_file && optind < argc) {
		fprintf(stderr, "prober check: give either --probe FILE or "
				"URLs, not both\n");
		return -1;
	}
	if (a->probe_file) {
		if (load_probe(a->probe_file, cfg, a->set_frames, a->set_pick,
			       a->set_timeout, a->set_mh))
			return -1;
		if (a->segments)
			cfg->segments = a->segments;
		if (a->set_decode >= 0)
			cfg->decode_all = a->set_decode;
		goto loaded;
	}
	if (optind >= argc) {
		fprintf(stderr, "prober check: no URL given\n");
		check_usage(stderr);
		return -1;
	}
	if (argc - optind > VSP_MAX_ORIGINS) {
		fprintf(stderr, "prober check: at most %d origins\n",
			VSP_MAX_ORIGINS);
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (url_arg_ok("URL", argv[i], err, sizeof(err))) {
			fprintf(stderr, "prober check: %s\n", err);
			return -1;
		}
		if (vsp_probe_cfg_add_origin(cfg, NULL, argv[i]))
			goto oom;
	}
	if (!cfg->name && !(cfg->name = strdup(cfg->origins[0].name)))
		goto oom;
	if (cfg->min_healthy > (int)cfg->n_origins) {
		fprintf(stderr,
			"prober check: --min-healthy %d but only %zu origins\n",
			cfg->min_healthy, cfg->n_origins);
		return -1;
	}
loaded:
	if (net_opts_apply(&a->conn, cfg) || content_cli_apply(&a->ccli, cfg))
		goto oom;
	if (a->max_memory) /* over a probe file's max_memory_mb */
		cfg->max_memory_mb = a->max_memory;
	return 0;
oom:
	fprintf(stderr, "prober check: out of memory\n");
	return -1;
}

/* The result on stdout: the record line (--json) or the table. 0, or -1
 * with the message printed. */
static int render(const vsp_stream_result *res, const struct check_args *a,
		  const char *vantage)
{
	if (a->json) {
		char *line = vsp_record_dumps_from(res, vantage);

		if (!line) {
			fprintf(stderr, "prober check: out of memory\n");
			return -1;
		}
		printf("%s\n", line);
		free(line);
	} else {
		render_table(stdout, res, a->verbose);
	}
	if (fflush(stdout) != 0) {
		perror("prober check: stdout");
		return -1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	vsp_probe_cfg cfg;
	struct check_args a = { .set_decode = -1 };
	struct progress prog;
	vsp_stream_result *res = NULL;
	int rc = EXIT_UNKNOWN;
	char err[512];
	char vantage[VSP_MAX_NAME + 1];

	vsp_probe_cfg_init(&cfg);
	content_cli_init(&a.ccli);
	if (parse_args(argc, argv, &cfg, &a, &rc))
		goto out;
	/* As `prober run --vantage`: checked before anything is fetched. */
	if (vantage_resolve("check", a.vantage_opt, vantage, sizeof(vantage)))
		goto out;
	if (build_cfg(argc, argv, &cfg, &a))
		goto out;

	one_check_memory(&cfg);
	progress_start(&prog, &cfg);
	if (vsp_probe_check(&cfg, &res, err, sizeof(err)) != 0) {
		progress_stop(&prog);
		fprintf(stderr, "prober check: %s\n", err);
		goto out;
	}
	progress_stop(&prog);
	if (render(res, &a, vantage))
		goto out;
	rc = (int)res->v.status;
out:
	vsp_stream_result_free(res);
	vsp_probe_cfg_clear(&cfg);
	net_opts_free(&a.conn);
	return rc;
}
