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
#include <arpa/inet.h>
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
	fprintf(out, "Usage: " PLUGIN_NAME " -u URL-OR-PATH [-u ...] [-H HOST] "
		     "[-I ADDRESS] [-p PORT] [-S]\n"
		     "       [-w RANGE] [-c RANGE] [--lag-warning RANGE] "
		     "[--age-critical RANGE] ...\n"
		     "       [-k 'K: V'] [-A UA] [--ca-cert FILE] [--insecure] "
		     "[-t SECONDS[:STATE]] [-v]\n"
		     "   or: " PLUGIN_NAME " -P FILE [options]\n");
}

static void plugin_help(void)
{
	printf(PLUGIN_NAME
	       " (prober) %s\n"
	       "Checks that a video stream (HLS or DASH) plays from each of "
	       "its origins, as a\n"
	       "viewer's player would: manifest, playlist, segment, decoded "
	       "frames.\n"
	       "Options follow check_curl's letters (-H host name, -I address, "
	       "-p port, -S TLS,\n"
	       "-u URL or path, -k header, -A user agent).\n\n",
	       VSP_VERSION);
	plugin_usage(stdout);
	printf("\nOptions:\n"
	       " -u, --url URL-OR-PATH\n"
	       "    Manifest of one origin (CDN) of the stream: a full http(s) "
	       "URL, or a path\n"
	       "    joined with -H/-I, -p and -S as check_curl does. Repeat "
	       "for each origin\n"
	       " --origin-name NAME\n"
	       "    Name of an origin (repeatable: the Nth names the Nth -u); "
	       "perfdata labels\n"
	       "    use it. Default: the URL's host[:port]\n"
	       " -H, --hostname HOST\n"
	       "    Host name of a path -u (and its TLS name)\n"
	       " -I, --IP-address ADDRESS\n"
	       "    Address of a path -u; with -H, an IP address is where "
	       "-H's name\n"
	       "    connects (--resolve), a name is left to -H's DNS\n"
	       " -p, --port PORT\n"
	       "    Port of a path -u (default 80, 443 with -S)\n"
	       " -S, --ssl\n"
	       "    https for a path -u\n"
	       " -P, --probe FILE\n"
	       "    Probe definition (prober-probe(5)) instead of -u\n"
	       " -w, --warning RANGE / -c, --critical RANGE\n"
	       "    Time to first frame, seconds, of each origin: WARNING / "
	       "CRITICAL outside RANGE\n"
	       " --lag-warning RANGE / --lag-critical RANGE\n"
	       "    Live: largest live-edge lag of each origin, seconds\n"
	       " --age-warning RANGE / --age-critical RANGE\n"
	       "    Live: largest playlist age of each origin, seconds\n"
	       " --stale-warn-factor F, --stale-fail-factor F, "
	       "--lag-warn-target-durations N,\n"
	       " --slow-realtime-factor F\n"
	       "    The live verdict's factors, as in a probe file\n"
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
	       "    VOD segments checked per rendition (default 3: first, "
	       "middle, last)\n"
	       " --max-memory MB\n"
	       "    Megabytes the check may hold at once (default 256)\n"
	       " -k, --header 'Name: value'\n"
	       "    Extra request header for every origin (repeatable)\n"
	       " -A, --useragent UA\n"
	       "    User-Agent (default prober/%s)\n"
	       " --resolve HOST:PORT:ADDR\n"
	       "    Pin a host name to an address (repeatable)\n"
	       " --ca-cert FILE\n"
	       "    CA certificates to verify with\n"
	       " --insecure\n"
	       "    Do not verify TLS certificates\n"
	       " --name NAME\n"
	       "    Stream name in the output (default: the first origin's "
	       "name)\n"
	       " -v, --verbose\n"
	       "    Once: reasons with URLs; twice: step times; three times: "
	       "every request\n"
	       " -h, --help\n"
	       " -V, --version\n"
	       "\nRANGE is the monitoring plugins' threshold format: 10 (alert "
	       "outside 0..10),\n"
	       "10: (below 10), ~:10 (above 10), 10:20 (outside 10..20), "
	       "@10:20 (inside).\n"
	       "\nStates: the stream's verdict gives OK, WARNING (some origin "
	       "or rendition\n"
	       "fails, or plays with a fault) or CRITICAL (fewer than "
	       "--min-healthy origins\n"
	       "play); thresholds can only raise it. UNKNOWN: bad options "
	       "(before any request),\n"
	       "or the check could not run. Performance data, per origin: "
	       "ttff_ (time to first\n"
	       "frame, s), manifest_, playlist_, segment_ (s), seg_Bps_, "
	       "playable_, edge_lag_,\n"
	       "pl_age_ (s), rtf_; then origins_playable. Labels end with "
	       "the origin's name\n"
	       "(a hash of it first when long): adding an origin never "
	       "renames them.\n",
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
	OPT_NAME,
	OPT_SEGMENTS,
	OPT_MAX_MEMORY,
	OPT_DECODE,
	OPT_ORIGIN_NAME,
	OPT_INSECURE,
	OPT_LAG_W,
	OPT_LAG_C,
	OPT_AGE_W,
	OPT_AGE_C,
	OPT_STALE_W,
	OPT_STALE_F,
	OPT_LAG_TDS,
	OPT_SLOW_RTF,
};

/* check_curl's letters: -H host name, -I address, -p port, -S TLS, -u URL
 * or path, -k header, -A user agent; a command line copied from an http
 * check keeps its meaning. */
static const struct option plugin_opts[] = {
	{ "url", required_argument, NULL, 'u' },
	{ "origin-name", required_argument, NULL, OPT_ORIGIN_NAME },
	{ "hostname", required_argument, NULL, 'H' },
	{ "IP-address", required_argument, NULL, 'I' },
	{ "port", required_argument, NULL, 'p' },
	{ "ssl", no_argument, NULL, 'S' },
	{ "probe", required_argument, NULL, 'P' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "lag-warning", required_argument, NULL, OPT_LAG_W },
	{ "lag-critical", required_argument, NULL, OPT_LAG_C },
	{ "age-warning", required_argument, NULL, OPT_AGE_W },
	{ "age-critical", required_argument, NULL, OPT_AGE_C },
	{ "stale-warn-factor", required_argument, NULL, OPT_STALE_W },
	{ "stale-fail-factor", required_argument, NULL, OPT_STALE_F },
	{ "lag-warn-target-durations", required_argument, NULL, OPT_LAG_TDS },
	{ "slow-realtime-factor", required_argument, NULL, OPT_SLOW_RTF },
	{ "min-healthy", required_argument, NULL, OPT_MIN_HEALTHY },
	{ "timeout", required_argument, NULL, 't' },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ "renditions", required_argument, NULL, OPT_RENDITIONS },
	{ "header", required_argument, NULL, 'k' },
	{ "useragent", required_argument, NULL, 'A' },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "ca-cert", required_argument, NULL, OPT_CACERT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "segments", required_argument, NULL, OPT_SEGMENTS },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	CONTENT_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* A live factor given on the command line; set 0 when not given. */
struct factor {
	int set;
	double v;
};

struct plugin_args {
	char **urls; /* as given: full URLs or paths */
	size_t n_urls;
	char **names; /* --origin-name, the Nth for the Nth -u */
	size_t n_names;
	const char *host, *address;
	int port; /* 0: not given */
	int ssl;
	const char *probe_file;
	vsp_range warn, crit, lag_w, lag_c, age_w, age_c;
	int has_warn, has_crit, has_lag_w, has_lag_c, has_age_w, has_age_c;
	struct factor stale_w, stale_f, lag_tds, slow_rtf;
	int min_healthy; /* 0: not given */
	double timeout_s;
	vsp_nagios_state timeout_state;
	int frames;	/* 0: not given */
	int segments;	/* 0: not given */
	int max_memory; /* 0: not given */
	int pick_set;
	vsp_pick pick;
	int pick_count;
	net_opts net;
	const char *name;
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

/* A threshold range option. */
static int range_arg(const char *opt, const char *s, vsp_range *r, int *has)
{
	char err[512];

	if (vsp_range_parse(s, r, err, sizeof(err)))
		return usage_error("%s: %s", opt, err);
	*has = 1;
	return 0;
}

static int factor_arg(const char *opt, const char *s, double min, double max,
		      struct factor *f)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= min && v <= max))
		return usage_error("%s: '%s' is not a number from %g to %g",
				   opt, s, min, max);
	f->set = 1;
	f->v = v;
	return 0;
}

static int net_arg(struct plugin_args *a, vsp_config_value what,
		   const char *opt, const char *val)
{
	char err[600];

	if (net_opts_add(&a->net, what, opt, val, err, sizeof(err)))
		return usage_error("%s", err);
	return 0;
}

/* 1 when s is an IP address or a host name (letters, digits, '.', '-',
 * '_'; ':' for IPv6). */
static int host_ok(const char *s)
{
	if (strlen(s) > 253)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		      *s == '_' || *s == ':'))
			return 0;
	return 1;
}

/* What an option group's parser returns for an option of another group. */
#define NOT_MINE (-2)

/* -u, --origin-name, -H, -I, -p, -S, -P: where the stream is. */
static int origin_opt(struct plugin_args *a, int c, char *arg)
{
	char err[512];

	switch (c) {
	case 'u':
		if (a->n_urls >= VSP_MAX_ORIGINS)
			return usage_error("-u: at most %d origins",
					   VSP_MAX_ORIGINS);
		if (strv_push(&a->urls, &a->n_urls, arg))
			return usage_error("out of memory");
		return 0;
	case OPT_ORIGIN_NAME:
		if (vsp_config_check_value(VSP_VALUE_NAME, arg, err,
					   sizeof(err)))
			return usage_error("--origin-name: %s", err);
		if (a->n_names >= VSP_MAX_ORIGINS)
			return usage_error("--origin-name: at most %d",
					   VSP_MAX_ORIGINS);
		if (strv_push(&a->names, &a->n_names, arg))
			return usage_error("out of memory");
		return 0;
	/* Empty: as not given (a CheckCommand's unset macro). */
	case 'H':
	case 'I':
		if (*arg && !host_ok(arg))
			return usage_error("-%c: '%.200s' is not a host "
					   "name or an IP address",
					   c, arg);
		if (c == 'H')
			a->host = *arg ? arg : NULL;
		else
			a->address = *arg ? arg : NULL;
		return 0;
	case 'p':
		return int_arg("-p", arg, 1, 65535, &a->port);
	case 'S':
		a->ssl = 1;
		return 0;
	case 'P':
		a->probe_file = arg;
		return 0;
	default:
		return NOT_MINE;
	}
}

/* -w, -c and the other thresholds of a state or a verdict. */
static int threshold_opt(struct plugin_args *a, int c, const char *arg)
{
	switch (c) {
	case 'w':
		return range_arg("-w", arg, &a->warn, &a->has_warn);
	case 'c':
		return range_arg("-c", arg, &a->crit, &a->has_crit);
	case OPT_LAG_W:
		return range_arg("--lag-warning", arg, &a->lag_w,
				 &a->has_lag_w);
	case OPT_LAG_C:
		return range_arg("--lag-critical", arg, &a->lag_c,
				 &a->has_lag_c);
	case OPT_AGE_W:
		return range_arg("--age-warning", arg, &a->age_w,
				 &a->has_age_w);
	case OPT_AGE_C:
		return range_arg("--age-critical", arg, &a->age_c,
				 &a->has_age_c);
	/* The ranges of a probe file's keys (lib/config.c). */
	case OPT_STALE_W:
		return factor_arg("--stale-warn-factor", arg, 1, 100,
				  &a->stale_w);
	case OPT_STALE_F:
		return factor_arg("--stale-fail-factor", arg, 1, 100,
				  &a->stale_f);
	case OPT_LAG_TDS:
		return factor_arg("--lag-warn-target-durations", arg, 0.5, 1000,
				  &a->lag_tds);
	case OPT_SLOW_RTF:
		return factor_arg("--slow-realtime-factor", arg, 0, 100,
				  &a->slow_rtf);
	case OPT_MIN_HEALTHY:
		return int_arg("--min-healthy", arg, 1, VSP_MAX_ORIGINS,
			       &a->min_healthy);
	default:
		return NOT_MINE;
	}
}

/* -t and how much of the stream one check takes. */
static int run_opt(struct plugin_args *a, int c, const char *arg)
{
	char merr[600];

	switch (c) {
	case 't':
		return parse_timeout(arg, a);
	case OPT_FRAMES:
		return int_arg("--frames", arg, 1, VSP_MAX_FRAMES, &a->frames);
	case OPT_MAX_MEMORY:
		if (max_memory_arg("--max-memory", arg, &a->max_memory, merr,
				   sizeof(merr)))
			return usage_error("%s", merr);
		return 0;
	case OPT_SEGMENTS:
		if (vsp_segments_parse(arg, &a->segments))
			return usage_error("--segments: '%s' is not "
					   "all or a count from 1 to "
					   "%d",
					   arg, VSP_MAX_SEGMENT_CHECKS);
		return 0;
	case OPT_DECODE:
		if (vsp_decode_mode_parse(arg, &a->decode_all))
			return usage_error("--decode: '%s' is not all "
					   "or frames",
					   arg);
		return 0;
	case OPT_RENDITIONS:
		if (vsp_pick_parse(arg, &a->pick, &a->pick_count))
			return usage_error("--renditions: '%s' is not "
					   "all, lowest, highest or a "
					   "count from 1 to %d",
					   arg, VSP_MAX_RENDITIONS);
		a->pick_set = 1;
		return 0;
	default:
		return NOT_MINE;
	}
}

/* -k, -A and the TLS and name-resolution options. */
static int net_opt(struct plugin_args *a, int c, const char *arg)
{
	char err[512];

	switch (c) {
	case 'k':
		return net_arg(a, VSP_VALUE_HEADER, "-k", arg);
	case 'A':
		return net_arg(a, VSP_VALUE_USER_AGENT, "-A", arg);
	case OPT_RESOLVE:
		return net_arg(a, VSP_VALUE_RESOLVE, "--resolve", arg);
	case OPT_INSECURE:
		a->net.insecure = 1;
		return 0;
	case OPT_CACERT:
		return net_arg(a, VSP_VALUE_CACERT, "--ca-cert", arg);
	case OPT_NAME:
		if (vsp_config_check_value(VSP_VALUE_NAME, arg, err,
					   sizeof(err)))
			return usage_error("--name: %s", err);
		a->name = arg;
		return 0;
	default:
		return NOT_MINE;
	}
}

/* -v, -h, -V, the content options, and getopt's complaints. */
static int other_opt(struct plugin_args *a, int c, const char *arg, char **argv)
{
	switch (c) {
	case 'v':
		if (a->verbose < 3)
			a->verbose++;
		return 0;
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
		if (content_cli_opt(&a->content, c, arg, PLUGIN_NAME))
			return EXIT_UNKNOWN;
		return 0;
	case ':':
		return usage_error("option %s needs a value", argv[optind - 1]);
	default:
		if (optopt && optopt < 256)
			return usage_error("unknown option -%c", optopt);
		return usage_error("unknown option %s", argv[optind - 1]);
	}
}

/* The options that only make sense together, or not at all together. */
static int check_combination(const struct plugin_args *a)
{
	if (!a->n_urls && !a->probe_file)
		return usage_error("no stream: give -u URL or -P FILE");
	if (a->n_urls && a->probe_file)
		return usage_error("-u and -P both given: the origins come "
				   "from one or the other");
	if (a->n_names && a->n_names != a->n_urls)
		return usage_error("%zu --origin-name for %zu -u: give one "
				   "for each origin, or none",
				   a->n_names, a->n_urls);
	if (a->probe_file && (a->host || a->address || a->port || a->ssl))
		return usage_error("-H, -I, -p and -S build -u URLs; with -P "
				   "the probe file has them");
	if (a->stale_w.set && a->stale_f.set && a->stale_f.v < a->stale_w.v)
		return usage_error("--stale-fail-factor %g is below "
				   "--stale-warn-factor %g",
				   a->stale_f.v, a->stale_w.v);
	return 0;
}

/* Returns -1 to go on with the check, else the exit code (usage, help,
 * version). */
static int parse_args(int argc, char **argv, struct plugin_args *a)
{
	int c, rc;

	optind = 1;
	opterr = 0; /* getopt's own message would go to stderr */
	while ((c = getopt_long(argc, argv, ":u:H:I:p:SP:w:c:t:k:A:vhV",
				plugin_opts, NULL)) != -1) {
		rc = origin_opt(a, c, optarg);
		if (rc == NOT_MINE)
			rc = threshold_opt(a, c, optarg);
		if (rc == NOT_MINE)
			rc = run_opt(a, c, optarg);
		if (rc == NOT_MINE)
			rc = net_opt(a, c, optarg);
		if (rc == NOT_MINE)
			rc = other_opt(a, c, optarg, argv);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (URLs go after "
				   "-u)",
				   argv[optind]);
	if (check_combination(a))
		return EXIT_UNKNOWN;
	return -1; /* go on */
}

/* 1 when s is an IPv4 or IPv6 address (without brackets). */
static int is_ip(const char *s)
{
	unsigned char bin[16];

	return inet_pton(AF_INET, s, bin) == 1 ||
	       inet_pton(AF_INET6, s, bin) == 1;
}

/*
 * The URL of one -u, as check_curl builds it: a full http(s) URL is used
 * as given; a path is joined to http[s]://HOST[:PORT] with HOST -H, else
 * -I. With both -H and an IP -I, -H is pinned to -I (--resolve), so the
 * request carries -H's name (Host, SNI) and goes to -I. Validated as a
 * probe file's URL. Returns 0, or a usage error's exit status.
 */
static int build_url(const struct plugin_args *a, const char *u, char **out,
		     net_opts *pins)
{
	const char *host = a->host ? a->host : a->address;
	int port = a->port ? a->port : (a->ssl ? 443 : 80);
	char err[600], *url;
	size_t n;
	int v6;

	if (strstr(u, "://")) {
		if (url_arg_ok("-u", u, err, sizeof(err)))
			return usage_error("%s", err);
		if (!(*out = strdup(u)))
			return usage_error("out of memory");
		return 0;
	}
	if (!host)
		return usage_error("-u: '%.200s' is a path (or not a URL): "
				   "give -H or -I with it, or a full "
				   "http:// or https:// URL",
				   u);
	if (u[0] != '/')
		return usage_error("-u: '%.200s' is neither an http:// or "
				   "https:// URL nor a path starting with /",
				   u);
	v6 = strchr(host, ':') != NULL;
	n = strlen(host) + strlen(u) + 32;
	url = malloc(n);
	if (!url)
		return usage_error("out of memory");
	if (port == (a->ssl ? 443 : 80))
		snprintf(url, n, "%s://%s%s%s%s", a->ssl ? "https" : "http",
			 v6 ? "[" : "", host, v6 ? "]" : "", u);
	else
		snprintf(url, n, "%s://%s%s%s:%d%s", a->ssl ? "https" : "http",
			 v6 ? "[" : "", host, v6 ? "]" : "", port, u);
	if (url_arg_ok("-u", url, err, sizeof(err))) {
		free(url);
		return usage_error("%s (from -H/-I, -p, -S and -u)", err);
	}
	*out = url;
	/* -I a name beside -H: the name -H gives is resolved, as curl
	 * cannot connect to one name while asking for another. */
	if (a->host && a->address && strcmp(a->host, a->address) != 0 &&
	    is_ip(a->address)) {
		char pin[512];

		snprintf(pin, sizeof(pin), "%s:%d:%s", a->host, port,
			 a->address);
		if (pins->n_resolve == 0 &&
		    net_opts_add(pins, VSP_VALUE_RESOLVE, "-H/-I", pin, err,
				 sizeof(err)))
			return usage_error("%s", err);
	}
	return 0;
}

/* ---- config ---- */

/* The origins of -u (with -H, -I, -p, -S) and --origin-name. Returns 0,
 * or the exit code. */
static int cfg_from_urls(const struct plugin_args *a, vsp_probe_cfg *cfg)
{
	net_opts pins = { 0 };

	vsp_probe_cfg_init(cfg);
	for (size_t i = 0; i < a->n_urls; i++) {
		char *url = NULL;
		int rc = build_url(a, a->urls[i], &url, &pins);

		if (rc == 0 &&
		    vsp_probe_cfg_add_origin(
			    cfg, a->n_names ? a->names[i] : NULL, url))
			rc = usage_error("out of memory");
		free(url);
		if (rc != 0) {
			net_opts_free(&pins);
			return rc;
		}
	}
	for (size_t i = 0; i < a->n_names; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(a->names[i], a->names[k]) == 0) {
				net_opts_free(&pins);
				return usage_error("--origin-name '%s' given "
						   "twice",
						   a->names[i]);
			}
	if (net_opts_apply(&pins, cfg)) {
		net_opts_free(&pins);
		return usage_error("out of memory");
	}
	net_opts_free(&pins);
	return 0;
}

/* The command line's settings over the probe's (or the defaults). Returns
 * 0, or the exit code. */
static int apply_overrides(const struct plugin_args *a, vsp_probe_cfg *cfg)
{
	if (a->stale_w.set)
		cfg->stale_warn_factor = a->stale_w.v;
	if (a->stale_f.set)
		cfg->stale_fail_factor = a->stale_f.v;
	if (cfg->stale_fail_factor < cfg->stale_warn_factor)
		return usage_error("stale fail factor %g is below the warn "
				   "factor %g",
				   cfg->stale_fail_factor,
				   cfg->stale_warn_factor);
	if (a->lag_tds.set)
		cfg->lag_warn_tds = a->lag_tds.v;
	if (a->slow_rtf.set)
		cfg->slow_rtf = a->slow_rtf.v;
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
	if (a->max_memory)
		cfg->max_memory_mb = a->max_memory;
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
	return 0;
}

static int build_cfg(const struct plugin_args *a, vsp_probe_cfg *cfg)
{
	char err[1024];
	/* Room for the run after the probe's deadline: joining threads,
	 * rendering. Within [0.3, 1] s: a tenth of -t. */
	double margin = fmin(1.0, fmax(0.3, a->timeout_s * 0.1));
	double deadline = a->timeout_s - margin;
	int rc;

	if (a->probe_file) {
		if (vsp_config_load_file(a->probe_file, cfg, err, sizeof(err)))
			return usage_error("-P: %s", err);
	} else if ((rc = cfg_from_urls(a, cfg))) {
		return rc;
	}
	if ((rc = apply_overrides(a, cfg)))
		return rc;
	/* -t rules: a probe file's own timeout may only shorten it. */
	if (!(cfg->timeout_s > 0) || cfg->timeout_s > deadline)
		cfg->timeout_s = deadline;
	if (net_opts_apply(&a->net, cfg))
		return usage_error("out of memory");
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

	one_check_memory(&cfg);
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
	nopts.lag_warn = a.has_lag_w ? &a.lag_w : NULL;
	nopts.lag_crit = a.has_lag_c ? &a.lag_c : NULL;
	nopts.age_warn = a.has_age_w ? &a.age_w : NULL;
	nopts.age_crit = a.has_age_c ? &a.age_c : NULL;
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
	free_strv(a.names, a.n_names);
	net_opts_free(&a.net);
	return rc;
}
