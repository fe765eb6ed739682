/*
 * nagios.c - `prober nagios`, also started as check_video_stream: the
 * monitoring plugin face (Monitoring Plugins Development Guidelines).
 *
 * parse -> config -> run -> render -> exit status 0/1/2/3. Everything goes
 * to stdout, as Nagios and Icinga read only that. The plugin answers inside
 * -t whatever the origins do: the probe's deadline is set a little below
 * it, and a timer fallback prints the timeout status line and exits should
 * the deadline be missed (a stuck resolver, a decoder that ignores its
 * interrupt).
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "content_opts.h"
#include "cli.h"
#include "config.h"
#include "limits.h"
#include "nagios.h"
#include "probe.h"
#include "url.h"

#define PLUGIN_NAME "check_video_stream"
/* check_curl's default -t. */
#define PLUGIN_TIMEOUT_S     10.0
#define PLUGIN_TIMEOUT_MIN_S 1.0
#define PLUGIN_TIMEOUT_MAX_S 3600.0

static void plugin_usage(FILE *out)
{
	fprintf(out, "Usage: " PLUGIN_NAME " (-u URL [-u URL...] or -P FILE)\n"
		     "       [-w RANGE] [-c RANGE] [--min-healthy N] "
		     "[-t SECONDS[:STATE]]\n"
		     "       [--frames N] [--renditions R] [-H 'K: V'] "
		     "[--resolve H:P:ADDR] [-k] [-v[v[v]]]\n");
}

static void plugin_help(void)
{
	printf(PLUGIN_NAME
	       " (prober) %s\n"
	       "Checks that a video stream (HLS) plays from each of its "
	       "origins, as a viewer's\n"
	       "player would: manifest, playlist, segment, decoded frames.\n\n",
	       VSP_VERSION);
	plugin_usage(stdout);
	printf("\nOptions:\n"
	       " -u, --url URL\n"
	       "    Manifest URL of one origin (CDN) of the stream; repeat for "
	       "each origin\n"
	       " -P, --probe FILE\n"
	       "    Probe definition (probes/NAME.json) instead of -u\n"
	       " -w, --warning RANGE\n"
	       "    Time to first frame, seconds, of each origin: WARNING "
	       "outside RANGE\n"
	       " -c, --critical RANGE\n"
	       "    Time to first frame, seconds, of each origin: CRITICAL "
	       "outside RANGE\n"
	       " --min-healthy N\n"
	       "    Origins that must play, else CRITICAL (default 1); fewer "
	       "than all is WARNING\n"
	       " -t, --timeout SECONDS[:STATE]\n"
	       "    The plugin answers within SECONDS (default %g). Should the "
	       "check itself\n"
	       "    not finish in time, it exits with STATE: ok, warning, "
	       "critical (default)\n"
	       "    or unknown, as check_curl does. An origin that does not "
	       "answer in time\n"
	       "    is a failed origin (CRITICAL, or WARNING while enough "
	       "others play).\n"
	       " --frames N\n"
	       "    Frames to decode per rendition (default %d)\n"
	       " --decode all|frames\n"
	       "    Decode every frame of each probed segment (all), or "
	       "--frames of them\n"
	       "    (frames, the default)\n"
	       " --black-min S, --frozen-min S, --silence-min S\n"
	       "    Seconds of black, unchanged picture or silence before a "
	       "WARNING\n"
	       "    (black_video, frozen_video, silent_audio; default 2)\n"
	       " --silence-db DB\n"
	       "    Audio whose peak stays below DB dBFS is silent (default "
	       "-60)\n"
	       " --no-content\n"
	       "    No black, frozen or silent checks\n"
	       " --thumbnails DIR\n"
	       "    Save each rendition's first picture in DIR (JPEG)\n"
	       " --renditions R\n"
	       "    Renditions to probe: all (default), lowest, highest or a "
	       "count\n"
	       " --segments N|all\n"
	       "    VOD segments checked per rendition, spread over the "
	       "asset: the first\n"
	       "    decoded, the others sniffed (default 3: first, middle, "
	       "last)\n"
	       " -H, --header 'Name: value'\n"
	       "    Extra request header for every origin (repeatable)\n"
	       " --resolve HOST:PORT:ADDR\n"
	       "    Pin a host name to an address (repeatable)\n"
	       " -k, --insecure\n"
	       "    Do not verify TLS certificates\n"
	       " --cacert FILE\n"
	       "    CA certificates to verify with\n"
	       " --user-agent UA\n"
	       "    User-Agent (default prober/%s)\n"
	       " --name NAME\n"
	       "    Stream name in the output (default: the first origin's "
	       "host)\n"
	       " -v, --verbose\n"
	       "    Once: reasons with URLs; twice: step times; three times: "
	       "every request\n"
	       " -h, --help\n"
	       " -V, --version\n"
	       "\nRANGE is the monitoring plugins' threshold format: 10 (alert "
	       "outside 0..10),\n"
	       "10: (below 10), ~:10 (above 10), 10:20 (outside 10..20), "
	       "@10:20 (inside).\n"
	       "See https://www.monitoring-plugins.org/doc/guidelines.html"
	       "#THRESHOLDFORMAT\n"
	       "\nStates: the stream's verdict gives OK, WARNING (some origin "
	       "or rendition\n"
	       "fails, or plays with a fault) or CRITICAL (fewer than "
	       "--min-healthy origins\n"
	       "play); -w and -c can only raise it. UNKNOWN: bad options, or "
	       "the check\n"
	       "could not run. Performance data, per origin: ttff_ (time to "
	       "first frame,\n"
	       "s), manifest_, playlist_, segment_ (s), seg_Bps_ (segment "
	       "bytes per second),\n"
	       "playable_ (renditions), edge_lag_ and pl_age_ (live: "
	       "largest live-edge lag\n"
	       "and playlist age of the renditions, s), rtf_ (smallest "
	       "segment real-time\n"
	       "factor), and origins_playable; a metric without a value is "
	       "left out.\n",
	       PLUGIN_TIMEOUT_S, VSP_DEFAULT_FRAMES, VSP_VERSION);
}

/* ---- the timeout fallback ---- */

/* Written by the signal handler with write(2): no stdio, no malloc. */
static char timeout_line[512];
static size_t timeout_len;
static int timeout_exit;

static void on_timeout(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, timeout_line, timeout_len);
	(void)w;
	_exit(timeout_exit);
}

/* Arms a one-shot monotonic timer that ends the process with the timeout
 * state after `after_s`. Returns 0, or -1 when no timer could be made. */
static int fallback_arm(timer_t *tid, double after_s, double timeout_s,
			vsp_nagios_state state, const char *name)
{
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	char secs[32];
	int n;

	snprintf(secs, sizeof(secs), "%g", timeout_s);
	n = snprintf(timeout_line, sizeof(timeout_line),
		     "VIDEO %s - %s%sno verdict within %s s (plugin timeout, "
		     "-t %s)\n",
		     vsp_nagios_state_name(state), name ? name : "",
		     name ? ": " : "", secs, secs);
	if (n < 0)
		return -1;
	timeout_len = (size_t)n < sizeof(timeout_line)
			      ? (size_t)n
			      : sizeof(timeout_line) - 1;
	if (timeout_len > 0)
		timeout_line[timeout_len - 1] = '\n';
	timeout_exit = (int)state;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timeout;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return -1;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, tid) != 0)
		return -1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)after_s;
	its.it_value.tv_nsec = (long)((after_s - floor(after_s)) * 1e9);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (timer_settime(*tid, 0, &its, NULL) != 0) {
		timer_delete(*tid);
		return -1;
	}
	return 0;
}

/* ---- options ---- */

enum {
	OPT_MIN_HEALTHY = 256,
	OPT_FRAMES,
	OPT_RENDITIONS,
	OPT_RESOLVE,
	OPT_CACERT,
	OPT_UA,
	OPT_NAME,
	OPT_SEGMENTS,
	OPT_DECODE,
};

static const struct option plugin_opts[] = {
	{ "url", required_argument, NULL, 'u' },
	{ "probe", required_argument, NULL, 'P' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "min-healthy", required_argument, NULL, OPT_MIN_HEALTHY },
	{ "timeout", required_argument, NULL, 't' },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "renditions", required_argument, NULL, OPT_RENDITIONS },
	{ "header", required_argument, NULL, 'H' },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "insecure", no_argument, NULL, 'k' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "user-agent", required_argument, NULL, OPT_UA },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "segments", required_argument, NULL, OPT_SEGMENTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	CONTENT_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

struct plugin_args {
	char **urls;
	size_t n_urls;
	const char *probe_file;
	vsp_range warn, crit;
	int has_warn, has_crit;
	int min_healthy; /* 0: not given */
	double timeout_s;
	vsp_nagios_state timeout_state;
	int frames;   /* 0: not given */
	int segments; /* 0: not given */
	int pick_set;
	vsp_pick pick;
	int pick_count;
	char **headers;
	size_t n_headers;
	char **resolve;
	size_t n_resolve;
	int insecure;
	const char *cacert, *user_agent, *name;
	int verbose;
	int decode_all; /* -1: not given; 0 frames; 1 all */
	struct content_cli content;
};

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A usage error: UNKNOWN, said on stdout where the monitoring system reads
 * it (and with no '|', which would start perfdata). */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '|' || *p == '\n')
			*p = *p == '|' ? '/' : ' ';
	printf("VIDEO UNKNOWN - %s\n", msg);
	plugin_usage(stdout);
	fflush(stdout);
	return EXIT_UNKNOWN;
}

/* "SECONDS[:STATE]", as check_curl's -t. */
static int parse_timeout(const char *s, struct plugin_args *a)
{
	char num[64];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	char *end;
	double v;

	if (n == 0 || n >= sizeof(num))
		return usage_error("-t: '%s' is not SECONDS[:STATE]", s);
	memcpy(num, s, n);
	num[n] = '\0';
	v = strtod(num, &end);
	if (*end || end == num ||
	    !(v >= PLUGIN_TIMEOUT_MIN_S && v <= PLUGIN_TIMEOUT_MAX_S))
		return usage_error("-t: '%s' is not a number of seconds from "
				   "%g to %g",
				   num, PLUGIN_TIMEOUT_MIN_S,
				   PLUGIN_TIMEOUT_MAX_S);
	if (colon && vsp_nagios_state_parse(colon + 1, &a->timeout_state))
		return usage_error("-t: timeout state '%s' is not ok, warning, "
				   "critical or unknown",
				   colon + 1);
	a->timeout_s = v;
	return 0;
}

static int valid_header(const char *h)
{
	const char *colon = strchr(h, ':');

	return colon && colon != h && !strpbrk(h, "\r\n");
}

/* Quiet number parsers: the message goes into the status line. */
static int int_arg(const char *opt, const char *s, long min, long max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < min || v > max)
		return usage_error("%s: '%s' is not a whole number from %ld "
				   "to %ld",
				   opt, s, min, max);
	*out = (int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct plugin_args *a)
{
	char err[512];
	int c;

	optind = 1;
	opterr = 0; /* getopt's own message would go to stderr */
	while ((c = getopt_long(argc, argv, ":u:P:w:c:t:H:kvhV", plugin_opts,
				NULL)) != -1) {
		switch (c) {
		case 'u':
			if (!vsp_url_is_http(optarg))
				return usage_error("-u: '%s' is not an http:// "
						   "or https:// URL",
						   optarg);
			if (a->n_urls >= VSP_MAX_ORIGINS)
				return usage_error("-u: at most %d origins",
						   VSP_MAX_ORIGINS);
			if (strv_push(&a->urls, &a->n_urls, optarg))
				return usage_error("out of memory");
			break;
		case 'P':
			a->probe_file = optarg;
			break;
		case 'w':
			if (vsp_range_parse(optarg, &a->warn, err, sizeof(err)))
				return usage_error("-w: %s", err);
			a->has_warn = 1;
			break;
		case 'c':
			if (vsp_range_parse(optarg, &a->crit, err, sizeof(err)))
				return usage_error("-c: %s", err);
			a->has_crit = 1;
			break;
		case OPT_MIN_HEALTHY:
			if (int_arg("--min-healthy", optarg, 1, VSP_MAX_ORIGINS,
				    &a->min_healthy))
				return EXIT_UNKNOWN;
			break;
		case 't':
			if (parse_timeout(optarg, a))
				return EXIT_UNKNOWN;
			break;
		case OPT_FRAMES:
			if (int_arg("--frames", optarg, 1, VSP_MAX_FRAMES,
				    &a->frames))
				return EXIT_UNKNOWN;
			break;
		case OPT_SEGMENTS:
			if (vsp_segments_parse(optarg, &a->segments))
				return usage_error("--segments: '%s' is not "
						   "all or a count from 1 to "
						   "%d",
						   optarg,
						   VSP_MAX_SEGMENT_CHECKS);
			break;
		case OPT_DECODE:
			if (vsp_decode_mode_parse(optarg, &a->decode_all))
				return usage_error("--decode: '%s' is not all "
						   "or frames",
						   optarg);
			break;
		case OPT_RENDITIONS:
			if (vsp_pick_parse(optarg, &a->pick, &a->pick_count))
				return usage_error("--renditions: '%s' is not "
						   "all, lowest, highest or a "
						   "count from 1 to %d",
						   optarg, VSP_MAX_RENDITIONS);
			a->pick_set = 1;
			break;
		case 'H':
			if (!valid_header(optarg))
				return usage_error("-H: '%s' is not 'Name: "
						   "value'",
						   optarg);
			if (a->n_headers >= VSP_MAX_HEADERS)
				return usage_error("-H: at most %d headers",
						   VSP_MAX_HEADERS);
			if (strv_push(&a->headers, &a->n_headers, optarg))
				return usage_error("out of memory");
			break;
		case OPT_RESOLVE:
			if (strv_push(&a->resolve, &a->n_resolve, optarg))
				return usage_error("out of memory");
			break;
		case 'k':
			a->insecure = 1;
			break;
		case OPT_CACERT:
			a->cacert = optarg;
			break;
		case OPT_UA:
			a->user_agent = optarg;
			break;
		case OPT_NAME:
			a->name = optarg;
			break;
		case 'v':
			if (a->verbose < 3)
				a->verbose++;
			break;
		case 'h':
			plugin_help();
			/* As every monitoring plugin: help is not a check. */
			return EXIT_UNKNOWN;
		case 'V':
			printf(PLUGIN_NAME " (prober) %s\n", VSP_VERSION);
			return EXIT_UNKNOWN;
		case OPT_THUMBNAILS:
		case OPT_BLACK_MIN:
		case OPT_FROZEN_MIN:
		case OPT_SILENCE_DB:
		case OPT_SILENCE_MIN:
		case OPT_NO_CONTENT:
			if (content_cli_opt(&a->content, c, optarg,
					    PLUGIN_NAME))
				return EXIT_UNKNOWN;
			break;
		case ':':
			return usage_error("option %s needs a value",
					   argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return usage_error("unknown option -%c",
						   optopt);
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (URLs go after "
				   "-u)",
				   argv[optind]);
	if (!a->n_urls && !a->probe_file)
		return usage_error("no stream: give -u URL or -P FILE");
	if (a->n_urls && a->probe_file)
		return usage_error("-u and -P both given: the origins come "
				   "from one or the other");
	return -1; /* go on */
}

/* ---- config ---- */

static int build_cfg(const struct plugin_args *a, vsp_probe_cfg *cfg)
{
	char err[1024];
	/* Room for the run after the probe's deadline: joining threads,
	 * rendering. Within [0.3, 1] s: a tenth of -t. */
	double margin = fmin(1.0, fmax(0.3, a->timeout_s * 0.1));
	double deadline = a->timeout_s - margin;

	if (a->probe_file) {
		if (vsp_config_load_file(a->probe_file, cfg, err, sizeof(err)))
			return usage_error("-P: %s", err);
	} else {
		vsp_probe_cfg_init(cfg);
		for (size_t i = 0; i < a->n_urls; i++)
			if (vsp_probe_cfg_add_origin(cfg, NULL, a->urls[i]))
				return usage_error("out of memory");
	}
	if (a->name) {
		free(cfg->name);
		if (!(cfg->name = strdup(a->name)))
			return usage_error("out of memory");
	}
	if (!cfg->name && !(cfg->name = strdup(cfg->origins[0].name)))
		return usage_error("out of memory");
	if (a->frames)
		cfg->frames = a->frames;
	if (a->segments)
		cfg->segments = a->segments;
	if (a->decode_all >= 0)
		cfg->decode_all = a->decode_all;
	if (content_cli_apply(&a->content, cfg))
		return usage_error("out of memory");
	if (a->pick_set) {
		cfg->pick = a->pick;
		cfg->pick_count = a->pick_count;
	}
	if (a->min_healthy)
		cfg->min_healthy = a->min_healthy;
	if (cfg->min_healthy > (int)cfg->n_origins)
		return usage_error("--min-healthy %d but only %zu origin%s",
				   cfg->min_healthy, cfg->n_origins,
				   cfg->n_origins == 1 ? "" : "s");
	/* -t rules: a probe file's own timeout may only shorten it. */
	if (!(cfg->timeout_s > 0) || cfg->timeout_s > deadline)
		cfg->timeout_s = deadline;
	if (a->user_agent) {
		free(cfg->user_agent);
		if (!(cfg->user_agent = strdup(a->user_agent)))
			return usage_error("out of memory");
	}
	for (size_t i = 0; i < cfg->n_origins; i++) {
		vsp_origin_cfg *o = &cfg->origins[i];

		for (size_t k = 0; k < a->n_headers; k++)
			if (strv_push(&o->headers, &o->n_headers,
				      a->headers[k]))
				return usage_error("out of memory");
		for (size_t k = 0; k < a->n_resolve; k++)
			if (strv_push(&o->resolve, &o->n_resolve,
				      a->resolve[k]))
				return usage_error("out of memory");
		if (a->cacert) {
			free(o->cacert);
			if (!(o->cacert = strdup(a->cacert)))
				return usage_error("out of memory");
		}
		if (a->insecure)
			o->insecure = 1;
	}
	return -1; /* go on */
}

int cmd_nagios(int argc, char **argv)
{
	struct plugin_args a;
	vsp_probe_cfg cfg;
	vsp_stream_result *res = NULL;
	vsp_nagios_opts nopts;
	vsp_nagios_state state;
	timer_t tid;
	int armed = 0, rc;
	char err[512], *out = NULL;
	double margin;

	memset(&a, 0, sizeof(a));
	memset(&cfg, 0, sizeof(cfg));
	a.timeout_s = PLUGIN_TIMEOUT_S;
	a.timeout_state = VSP_NAGIOS_CRITICAL;
	a.decode_all = -1;
	content_cli_init(&a.content);
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		goto out;
	rc = build_cfg(&a, &cfg);
	if (rc >= 0)
		goto out;
	rc = EXIT_UNKNOWN;

	/* The fallback fires a third of the margin before -t: late enough
	 * never to cut a probe that keeps its deadline, early enough to be
	 * heard before the monitoring system gives up on us. */
	margin = a.timeout_s - cfg.timeout_s;
	if (fallback_arm(&tid, a.timeout_s - margin / 3, a.timeout_s,
			 a.timeout_state, cfg.name) == 0)
		armed = 1;
	else
		fprintf(stderr, PLUGIN_NAME ": no timeout timer; relying on "
					    "the probe's deadline\n");

	if (vsp_probe_check(&cfg, &res, err, sizeof(err)) != 0) {
		if (armed)
			timer_delete(tid);
		printf("VIDEO UNKNOWN - check could not run: %s\n", err);
		goto out;
	}
	memset(&nopts, 0, sizeof(nopts));
	nopts.warn = a.has_warn ? &a.warn : NULL;
	nopts.crit = a.has_crit ? &a.crit : NULL;
	nopts.verbose = a.verbose;
	if (vsp_nagios_render(res, &nopts, &state, &out) != 0) {
		if (armed)
			timer_delete(tid);
		printf("VIDEO UNKNOWN - out of memory\n");
		goto out;
	}
	/* Disarmed before the first byte: the output is ours or the
	 * fallback's, never both. */
	if (armed)
		timer_delete(tid);
	armed = 0;
	fputs(out, stdout);
	rc = (int)state;
out:
	if (armed)
		timer_delete(tid);
	if (fflush(stdout) != 0)
		rc = EXIT_UNKNOWN;
	free(out);
	vsp_stream_result_free(res);
	vsp_probe_cfg_clear(&cfg);
	free_strv(a.urls, a.n_urls);
	free_strv(a.headers, a.n_headers);
	free_strv(a.resolve, a.n_resolve);
	return rc;
}
