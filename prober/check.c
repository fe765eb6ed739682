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

int cmd_check(int argc, char **argv)
{
	vsp_probe_cfg cfg;
	net_opts conn = { 0 };
	struct progress prog;
	vsp_stream_result *res = NULL;
	int json = 0, verbose = 0, c, rc = EXIT_UNKNOWN;
	int set_frames = 0, set_pick = 0, set_timeout = 0, set_mh = 0;
	int set_decode = -1; /* -1: not given; else the --decode value */
	const char *probe_file = NULL;
	char err[512];
	int segments = 0;   /* 0: not given */
	int max_memory = 0; /* 0: not given */
	const char *vantage_opt = NULL;
	char vantage[VSP_MAX_NAME + 1];
	struct content_cli ccli;

	vsp_probe_cfg_init(&cfg);
	content_cli_init(&ccli);
	optind = 1;
	while ((c = getopt_long(argc, argv, "H:kvh", check_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FRAMES:
			if (parse_int("--frames", optarg, 1, VSP_MAX_FRAMES,
				      &cfg.frames))
				goto out;
			set_frames = 1;
			break;
		case OPT_RENDITIONS:
			if (vsp_pick_parse(optarg, &cfg.pick,
					   &cfg.pick_count)) {
				fprintf(stderr,
					"prober: --renditions: '%s' is not "
					"all, "
					"lowest, highest or a count from 1 to "
					"%d\n",
					optarg, VSP_MAX_RENDITIONS);
				goto out;
			}
			set_pick = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_double("--timeout", optarg, 0.1, 3600,
					 &cfg.timeout_s))
				goto out;
			set_timeout = 1;
			break;
		case OPT_MIN_HEALTHY:
			if (parse_int("--min-healthy", optarg, 1,
				      VSP_MAX_ORIGINS, &cfg.min_healthy))
				goto out;
			set_mh = 1;
			break;
		case OPT_NAME:
			if (vsp_config_check_value(VSP_VALUE_NAME, optarg, err,
						   sizeof(err))) {
				fprintf(stderr, "prober check: --name: %s\n",
					err);
				goto out;
			}
			free(cfg.name);
			if (!(cfg.name = strdup(optarg)))
				goto oom;
			break;
		case 'H':
			if (net_opts_add(&conn, VSP_VALUE_HEADER, "--header",
					 optarg, err, sizeof(err)))
				goto usage;
			break;
		case OPT_UA:
			if (net_opts_add(&conn, VSP_VALUE_USER_AGENT,
					 "--user-agent", optarg, err,
					 sizeof(err)))
				goto usage;
			break;
		case OPT_RESOLVE:
			if (net_opts_add(&conn, VSP_VALUE_RESOLVE, "--resolve",
					 optarg, err, sizeof(err)))
				goto usage;
			break;
		case 'k':
			conn.insecure = 1;
			break;
		case OPT_CACERT:
			if (net_opts_add(&conn, VSP_VALUE_CACERT, "--cacert",
					 optarg, err, sizeof(err)))
				goto usage;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_PROBE:
			probe_file = optarg;
			break;
		case OPT_SEGMENTS:
			if (vsp_segments_parse(optarg, &segments)) {
				fprintf(stderr,
					"prober: --segments: '%s' is not all "
					"or a count from 1 to %d\n",
					optarg, VSP_MAX_SEGMENT_CHECKS);
				goto out;
			}
			cfg.segments = segments;
			break;
		case OPT_DECODE:
			if (vsp_decode_mode_parse(optarg, &set_decode)) {
				fprintf(stderr,
					"prober: --decode: '%s' is not "
					"all or frames\n",
					optarg);
				goto out;
			}
			cfg.decode_all = set_decode;
			break;
		case 'v':
			verbose++;
			break;
		case OPT_VANTAGE:
			vantage_opt = optarg;
			break;
		case OPT_MAX_MEMORY:
			if (max_memory_arg("--max-memory", optarg, &max_memory,
					   err, sizeof(err)))
				goto usage;
			break;
		case OPT_THUMBNAILS:
		case OPT_BLACK_MIN:
		case OPT_FROZEN_MIN:
		case OPT_SILENCE_DB:
		case OPT_SILENCE_MIN:
		case OPT_NO_CONTENT:
			if (content_cli_opt(&ccli, c, optarg, "prober check"))
				goto out;
			break;
		case 'h':
			check_usage(stdout);
			rc = EXIT_PASS;
			goto out;
		default:
			check_usage(stderr);
			goto out;
		}
	}
	/* As `prober run --vantage`: checked before anything is fetched. */
	if (vantage_resolve("check", vantage_opt, vantage, sizeof(vantage)))
		goto out;
	if (probe_file && optind < argc) {
		fprintf(stderr, "prober check: give either --probe FILE or "
				"URLs, not both\n");
		goto out;
	}
	if (probe_file) {
		if (load_probe(probe_file, &cfg, set_frames, set_pick,
			       set_timeout, set_mh))
			goto out;
		if (segments)
			cfg.segments = segments;
		if (set_decode >= 0)
			cfg.decode_all = set_decode;
		goto loaded;
	}
	if (optind >= argc) {
		fprintf(stderr, "prober check: no URL given\n");
		check_usage(stderr);
		goto out;
	}
	if (argc - optind > VSP_MAX_ORIGINS) {
		fprintf(stderr, "prober check: at most %d origins\n",
			VSP_MAX_ORIGINS);
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		if (url_arg_ok("URL", argv[i], err, sizeof(err)))
			goto usage;
		if (vsp_probe_cfg_add_origin(&cfg, NULL, argv[i]))
			goto oom;
	}
	if (!cfg.name && !(cfg.name = strdup(cfg.origins[0].name)))
		goto oom;
	if (cfg.min_healthy > (int)cfg.n_origins) {
		fprintf(stderr,
			"prober check: --min-healthy %d but only %zu origins\n",
			cfg.min_healthy, cfg.n_origins);
		goto out;
	}
loaded:
	if (net_opts_apply(&conn, &cfg) || content_cli_apply(&ccli, &cfg))
		goto oom;
	if (max_memory) /* over a probe file's max_memory_mb */
		cfg.max_memory_mb = max_memory;

	progress_start(&prog, &cfg);
	if (vsp_probe_check(&cfg, &res, err, sizeof(err)) != 0) {
		progress_stop(&prog);
		fprintf(stderr, "prober check: %s\n", err);
		goto out;
	}
	progress_stop(&prog);
	if (json) {
		char *line = vsp_record_dumps_from(res, vantage);

		if (!line)
			goto oom;
		printf("%s\n", line);
		free(line);
	} else {
		render_table(stdout, res, verbose);
	}
	if (fflush(stdout) != 0) {
		perror("prober check: stdout");
		goto out;
	}
	rc = (int)res->v.status;
	goto out;
usage:
	fprintf(stderr, "prober check: %s\n", err);
	goto out;
oom:
	fprintf(stderr, "prober check: out of memory\n");
out:
	vsp_stream_result_free(res);
	vsp_probe_cfg_clear(&cfg);
	net_opts_free(&conn);
	return rc;
}
