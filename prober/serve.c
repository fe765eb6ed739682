/*
 * serve.c - `prober serve`: the Prometheus face, scraped like
 * blackbox_exporter. libmicrohttpd does all the HTTP; this file only maps
 * requests to checks and results to the exposition (lib/metrics.h).
 *
 *   GET /probe?probe=NAME           the probe file NAME of --probes
 *   GET /probe?target=URL[&target=URL...]  ad-hoc origins of one stream,
 *                                   only when --allow-target allows each
 *   GET /metrics                    the server's own metrics
 *   GET /                           a page listing the probes
 *
 * What it must never do: fetch a URL nobody allowed (an exporter that
 * fetches any URL it is given is a pivot into the network it runs in),
 * run a check longer than the scraper waits for, queue scrapes without
 * bound, or put a URL (tokens) into a label.
 *
 * One thread per connection (MHD's), at most --max-concurrent checks at
 * once behind a semaphore; a scrape waits for a slot a bounded time, then
 * gets 503. Connections themselves are capped, so threads are too.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <regex.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "limits.h"
#include "metrics.h"

/* Not taken by the exporters commonly run beside this one (node 9100,
 * blackbox 9115, ...); README "prober serve" says why. */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:9733"
/* Subtracted from the scraper's timeout, as blackbox's --timeout-offset:
 * the answer must travel back before the scraper gives up. */
#define SERVE_TIMEOUT_MARGIN_S 0.5
/* A check given less than this could not even fetch a manifest: the
 * scrape is refused (400) instead of reported as a failing stream. */
#define SERVE_MIN_TIMEOUT_S 0.5
/* The longest a scrape waits for a check slot: half of its time, at most
 * this; then 503, so a burst never becomes an unbounded queue. */
#define SERVE_MAX_WAIT_S 5.0
/* Connections beyond the check slots, per slot: scrapes of /metrics and
 * scrapes waiting for a slot. MHD refuses more. */
#define SERVE_CONNS_PER_SLOT 4
#define SERVE_MAX_CONCURRENT 256
/* An ad-hoc target URL longer than this is refused. */
#define SERVE_MAX_URL 4096
/* The probe label of ad-hoc checks. */
#define SERVE_ADHOC_NAME "target"

struct server {
	vsp_probe_set set;
	regex_t allow;
	int has_allow;
	char vantage[VSP_MAX_NAME + 1];
	int max_concurrent;
	sem_t slots;
	pthread_mutex_t mu; /* the counters below */
	unsigned long long probes, probe_errors, rejected, bad_requests;
	unsigned long long successes;
	int in_flight;
	double started;
};

static void serve_usage(FILE *out)
{
	fprintf(out,
		"usage: prober serve [OPTIONS]\n"
		"A Prometheus exporter, scraped like blackbox_exporter:\n"
		"  GET /probe?probe=NAME     runs the probe file NAME.json\n"
		"  GET /probe?target=URL...  ad-hoc origins of one stream "
		"(--allow-target)\n"
		"  GET /metrics              the server's own metrics\n\n"
		"  --listen ADDR:PORT     (default %s; [::1]:PORT for IPv6)\n"
		"  --probes DIR           probe definitions (default probes)\n"
		"  --allow-target REGEX   allow ad-hoc targets whose whole URL "
		"matches\n"
		"                         this POSIX extended regex (default: "
		"none)\n"
		"  --max-concurrent N     checks at once (default: CPUs); "
		"more wait\n"
		"                         up to half their scrape time, then "
		"503\n"
		"  --vantage NAME         the vantage label (default "
		"$PROBER_VANTAGE,\n"
		"                         else the host name)\n"
		"  -h, --help             this help\n\n"
		"A check runs for at most the probe's timeout_s and the "
		"scrape's\nX-Prometheus-Scrape-Timeout-Seconds less %g s. "
		"exit status: 0 after\nSIGTERM or SIGINT, 3 could not start "
		"(bad probe file, address in use)\n",
		SERVE_DEFAULT_LISTEN, SERVE_TIMEOUT_MARGIN_S);
}

/* ---- responses ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_msg(struct server *srv,
				 struct MHD_Connection *conn, unsigned code,
				 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One line of text: what was wrong, for a person reading the scrape
 * error in Prometheus's target page. */
static enum MHD_Result reply_msg(struct server *srv,
				 struct MHD_Connection *conn, unsigned code,
				 const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	for (int i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = '?';
	buf[n++] = '\n';
	buf[n] = '\0';
	pthread_mutex_lock(&srv->mu);
	if (code == MHD_HTTP_SERVICE_UNAVAILABLE)
		srv->rejected++;
	else if (code >= 400 && code < 500)
		srv->bad_requests++;
	pthread_mutex_unlock(&srv->mu);
	return reply(conn, code, "text/plain; charset=utf-8", buf, (size_t)n,
		     MHD_RESPMEM_MUST_COPY);
}

/* A value from the query shown in a message: short, printable. */
static void shown(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s && *s && o + 4 < len && o < 80; s++)
		out[o++] = (*s >= 0x20 && *s < 0x7F) ? *s : '?';
	if (s && *s)
		out[o++] = '.', out[o++] = '.', out[o++] = '.';
	out[o] = '\0';
}

/* ---- the query ---- */

struct query {
	const char *probe;
	const char *targets[VSP_MAX_ORIGINS];
	size_t n_targets;
	char bad[300]; /* first problem, "" when none */
};

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct query *q = cls;
	char k[100];

	(void)kind;
	if (q->bad[0])
		return MHD_NO;
	shown(key, k, sizeof(k));
	if (!value || !*value) {
		snprintf(q->bad, sizeof(q->bad), "parameter '%s' has no value",
			 k);
	} else if (strcmp(key, "probe") == 0) {
		if (q->probe)
			snprintf(q->bad, sizeof(q->bad),
				 "parameter 'probe' given twice");
		q->probe = value;
	} else if (strcmp(key, "target") == 0) {
		if (q->n_targets == VSP_MAX_ORIGINS)
			snprintf(q->bad, sizeof(q->bad), "more than %d targets",
				 VSP_MAX_ORIGINS);
		else
			q->targets[q->n_targets++] = value;
	} else {
		snprintf(q->bad, sizeof(q->bad),
			 "unknown parameter '%s' (expected probe or target)",
			 k);
	}
	return q->bad[0] ? MHD_NO : MHD_YES;
}

/* The scrape's time: its header less the margin; without the header, the
 * probe's own timeout alone bounds the check. *budget 0: no header. */
static int scrape_budget(struct MHD_Connection *conn, double *budget, char *bad,
			 size_t len)
{
	const char *h = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds");
	char *end, v[100];
	double t;

	*budget = 0;
	if (!h)
		return 0;
	errno = 0;
	t = strtod(h, &end);
	if (errno || end == h || *end || !isfinite(t) || t <= 0) {
		shown(h, v, sizeof(v));
		snprintf(bad, len,
			 "X-Prometheus-Scrape-Timeout-Seconds: '%s' is not a "
			 "positive number",
			 v);
		return -1;
	}
	*budget = t - SERVE_TIMEOUT_MARGIN_S;
	if (*budget < SERVE_MIN_TIMEOUT_S) {
		snprintf(bad, len,
			 "scrape timeout %g s leaves less than %g s for the "
			 "check (%g s are kept for the answer)",
			 t, SERVE_MIN_TIMEOUT_S, SERVE_TIMEOUT_MARGIN_S);
		return -1;
	}
	return 0;
}

/* ---- checks ---- */

/* Waits for a check slot until the absolute wall time `until`. */
static int slot_take(struct server *srv, double until)
{
	struct timespec ts;
	int rc;

	ts.tv_sec = (time_t)floor(until);
	ts.tv_nsec = (long)((until - floor(until)) * 1e9);
	do
		rc = sem_timedwait(&srv->slots, &ts);
	while (rc != 0 && errno == EINTR);
	if (rc != 0)
		return -1;
	pthread_mutex_lock(&srv->mu);
	srv->in_flight++;
	pthread_mutex_unlock(&srv->mu);
	return 0;
}

static void slot_give(struct server *srv, int ran, int failed, int success)
{
	pthread_mutex_lock(&srv->mu);
	srv->in_flight--;
	if (ran)
		srv->probes++;
	if (success)
		srv->successes++;
	if (failed)
		srv->probe_errors++;
	pthread_mutex_unlock(&srv->mu);
	sem_post(&srv->slots);
}

/* Runs cfg (its timeout cut to the scrape's) and answers with its
 * metrics. */
static enum MHD_Result run_probe(struct server *srv,
				 struct MHD_Connection *conn,
				 const vsp_probe_cfg *cfg, double budget)
{
	double t0 = vsp_wall_s(), wait, left;
	vsp_probe_cfg run = *cfg; /* shallow: strings stay cfg's */
	vsp_stream_result *res = NULL;
	vsp_metrics *m = NULL;
	char err[768], *text;
	size_t len;
	int rc;

	if (budget <= 0)
		budget = cfg->timeout_s;
	wait = budget / 2 < SERVE_MAX_WAIT_S ? budget / 2 : SERVE_MAX_WAIT_S;
	if (slot_take(srv, t0 + wait) != 0)
		return reply_msg(srv, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				 "busy: %d checks running and none ended "
				 "within %.1f s (--max-concurrent)",
				 srv->max_concurrent, wait);
	left = budget - (vsp_wall_s() - t0);
	if (left < run.timeout_s)
		run.timeout_s = left;
	rc = vsp_probe_check(&run, &res, err, sizeof(err));
	if (rc == 0)
		m = vsp_metrics_new(srv->vantage);
	if (rc == 0 && m && vsp_metrics_add(m, res) == 0)
		text = vsp_metrics_text(m, &len);
	else
		text = NULL;
	slot_give(srv, rc == 0, rc != 0 || !text,
		  rc == 0 && res->v.status != VSP_FAIL);
	vsp_metrics_free(m);
	vsp_stream_result_free(res);
	if (rc != 0)
		return reply_msg(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "check could not run: %s", err);
	if (!text)
		return reply_msg(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "out of memory");
	return reply(conn, MHD_HTTP_OK, VSP_METRICS_CONTENT_TYPE, text, len,
		     MHD_RESPMEM_MUST_FREE);
}

static int url_scheme_ok(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

static enum MHD_Result probe_targets(struct server *srv,
				     struct MHD_Connection *conn,
				     const struct query *q, double budget)
{
	vsp_probe_cfg cfg;
	enum MHD_Result rc;
	char v[100];

	if (!srv->has_allow)
		return reply_msg(srv, conn, MHD_HTTP_FORBIDDEN,
				 "ad-hoc targets are off: start prober serve "
				 "with --allow-target REGEX, or use "
				 "probe=NAME");
	for (size_t i = 0; i < q->n_targets; i++) {
		shown(q->targets[i], v, sizeof(v));
		if (strlen(q->targets[i]) > SERVE_MAX_URL ||
		    !url_scheme_ok(q->targets[i]))
			return reply_msg(srv, conn, MHD_HTTP_BAD_REQUEST,
					 "target '%s': expected an http:// or "
					 "https:// URL of at most %d bytes",
					 v, SERVE_MAX_URL);
		if (regexec(&srv->allow, q->targets[i], 0, NULL, 0) != 0)
			return reply_msg(srv, conn, MHD_HTTP_FORBIDDEN,
					 "target '%s' is not allowed by "
					 "--allow-target",
					 v);
	}
	vsp_probe_cfg_init(&cfg);
	cfg.name = strdup(SERVE_ADHOC_NAME);
	rc = MHD_YES;
	if (!cfg.name)
		goto oom;
	for (size_t i = 0; i < q->n_targets; i++)
		if (vsp_probe_cfg_add_origin(&cfg, NULL, q->targets[i]) != 0)
			goto oom;
	rc = run_probe(srv, conn, &cfg, budget);
	vsp_probe_cfg_clear(&cfg);
	return rc;
oom:
	vsp_probe_cfg_clear(&cfg);
	return reply_msg(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			 "out of memory");
}

static enum MHD_Result handle_probe(struct server *srv,
				    struct MHD_Connection *conn)
{
	struct query q;
	double budget;
	char v[100];

	memset(&q, 0, sizeof(q));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, &q);
	if (!q.bad[0] && q.probe && q.n_targets)
		snprintf(q.bad, sizeof(q.bad),
			 "give probe=NAME or target=URL, not both");
	if (!q.bad[0] && !q.probe && !q.n_targets)
		snprintf(q.bad, sizeof(q.bad),
			 "expected probe=NAME or target=URL");
	if (!q.bad[0])
		scrape_budget(conn, &budget, q.bad, sizeof(q.bad));
	if (q.bad[0])
		return reply_msg(srv, conn, MHD_HTTP_BAD_REQUEST, "%s", q.bad);
	if (q.n_targets)
		return probe_targets(srv, conn, &q, budget);
	for (size_t i = 0; i < srv->set.n; i++)
		if (strcmp(srv->set.probes[i].name, q.probe) == 0)
			return run_probe(srv, conn, &srv->set.probes[i],
					 budget);
	shown(q.probe, v, sizeof(v));
	return reply_msg(srv, conn, MHD_HTTP_NOT_FOUND,
			 "unknown probe '%s' (see / for the list)", v);
}

/* ---- the server's own metrics and page ---- */

static enum MHD_Result handle_metrics(struct server *srv,
				      struct MHD_Connection *conn)
{
	unsigned long long probes, errs, rej, bad, ok;
	int in_flight;
	char *buf, vl[VSP_METRICS_MAX_LABEL * 4 + 32];
	char start[64];
	size_t cap = 4096;
	int n;

	pthread_mutex_lock(&srv->mu);
	probes = srv->probes;
	ok = srv->successes;
	errs = srv->probe_errors;
	rej = srv->rejected;
	bad = srv->bad_requests;
	in_flight = srv->in_flight;
	pthread_mutex_unlock(&srv->mu);
	vsp_metrics_label(vl, sizeof(vl), "vantage", srv->vantage);
	vsp_metrics_num(srv->started, start, sizeof(start));
	buf = malloc(cap);
	if (!buf)
		return MHD_NO;
	n = snprintf(
		buf, cap,
		"# HELP prober_build_info prober's version; value 1\n"
		"# TYPE prober_build_info gauge\n"
		"prober_build_info{version=\"%s\",%s} 1\n"
		"# HELP prober_serve_probes_total Checks run\n"
		"# TYPE prober_serve_probes_total counter\n"
		"prober_serve_probes_total %llu\n"
		"# HELP prober_serve_probe_successes_total Checks whose "
		"stream played\n"
		"# TYPE prober_serve_probe_successes_total counter\n"
		"prober_serve_probe_successes_total %llu\n"
		"# HELP prober_serve_probe_errors_total Checks that could not "
		"run (internal error)\n"
		"# TYPE prober_serve_probe_errors_total counter\n"
		"prober_serve_probe_errors_total %llu\n"
		"# HELP prober_serve_rejected_total Scrapes answered 503: no "
		"check slot in time\n"
		"# TYPE prober_serve_rejected_total counter\n"
		"prober_serve_rejected_total %llu\n"
		"# HELP prober_serve_bad_requests_total Requests answered "
		"400, 403 or 404\n"
		"# TYPE prober_serve_bad_requests_total counter\n"
		"prober_serve_bad_requests_total %llu\n"
		"# HELP prober_serve_in_flight Checks running now\n"
		"# TYPE prober_serve_in_flight gauge\n"
		"prober_serve_in_flight %d\n"
		"# HELP prober_serve_max_concurrent Checks allowed at once\n"
		"# TYPE prober_serve_max_concurrent gauge\n"
		"prober_serve_max_concurrent %d\n"
		"# HELP prober_serve_probe_files Probe files loaded\n"
		"# TYPE prober_serve_probe_files gauge\n"
		"prober_serve_probe_files %zu\n"
		"# HELP process_start_time_seconds Start time of the process, "
		"Unix seconds\n"
		"# TYPE process_start_time_seconds gauge\n"
		"process_start_time_seconds %s\n",
		VSP_VERSION, vl, probes, ok, errs, rej, bad, in_flight,
		srv->max_concurrent, srv->set.n, start);
	if (n < 0 || (size_t)n >= cap) {
		free(buf);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, VSP_METRICS_CONTENT_TYPE, buf,
		     (size_t)n, MHD_RESPMEM_MUST_FREE);
}

/* Probe names are [A-Za-z0-9._-] (vsp_config_name_ok): no escaping. */
static enum MHD_Result handle_index(struct server *srv,
				    struct MHD_Connection *conn)
{
	size_t cap = 1024 + srv->set.n * (3 * VSP_MAX_NAME + 64), o = 0;
	char *buf = malloc(cap);

	if (!buf)
		return MHD_NO;
	o += (size_t)snprintf(
		buf + o, cap - o,
		"<!DOCTYPE html>\n<html><head><title>prober</title></head>"
		"<body>\n<h1>prober %s</h1>\n<p>vantage %s; <a "
		"href=\"/metrics\">/metrics</a>; ad-hoc targets %s</p>\n"
		"<h2>Probes</h2>\n<ul>\n",
		VSP_VERSION, srv->vantage, srv->has_allow ? "allowed" : "off");
	for (size_t i = 0; i < srv->set.n; i++)
		o += (size_t)snprintf(buf + o, cap - o,
				      "<li><a href=\"/probe?probe=%s\">%s</a>"
				      "</li>\n",
				      srv->set.probes[i].name,
				      srv->set.probes[i].name);
	o += (size_t)snprintf(buf + o, cap - o, "</ul>\n</body></html>\n");
	return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", buf, o,
		     MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **req_cls)
{
	struct server *srv = cls;

	(void)version;
	(void)upload;
	(void)req_cls;
	if (*upload_len)
		return reply_msg(srv, conn, MHD_HTTP_BAD_REQUEST,
				 "no request body expected");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_msg(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "only GET");
	if (strcmp(url, "/probe") == 0)
		return handle_probe(srv, conn);
	if (strcmp(url, "/metrics") == 0)
		return handle_metrics(srv, conn);
	if (strcmp(url, "/") == 0)
		return handle_index(srv, conn);
	return reply_msg(srv, conn, MHD_HTTP_NOT_FOUND,
			 "not found: try /, /probe or /metrics");
}

/* ---- start ---- */

/* "ADDR:PORT" or "[ADDR]:PORT", numeric only: a listen address is no
 * place for a name lookup. */
static int parse_listen(const char *s, struct sockaddr_storage *ss,
			socklen_t *sslen)
{
	char host[128], *colon;
	const char *port;
	struct addrinfo hints, *ai = NULL;
	size_t hl;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		hl = (size_t)(close - s - 1);
		port = close + 2;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		port = colon + 1;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || strtol(port, NULL, 10) > 65535)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &ai) != 0 || !ai)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

enum { OPT_LISTEN = 256, OPT_PROBES, OPT_ALLOW, OPT_MAXC, OPT_VANTAGE };

static const struct option serve_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "allow-target", required_argument, NULL, OPT_ALLOW },
	{ "max-concurrent", required_argument, NULL, OPT_MAXC },
	{ "vantage", required_argument, NULL, OPT_VANTAGE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The regex is anchored: "https://cdn\.example\.com/.*" must not also
 * allow "http://10.0.0.1/?https://cdn.example.com/". */
static int compile_allow(struct server *srv, const char *re)
{
	size_t len = strlen(re) + 8;
	char *anchored = malloc(len), msg[256];
	int rc;

	if (!anchored)
		return -1;
	snprintf(anchored, len, "^(%s)$", re);
	rc = regcomp(&srv->allow, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	if (rc != 0) {
		regerror(rc, &srv->allow, msg, sizeof(msg));
		fprintf(stderr, "prober serve: --allow-target '%s': %s\n", re,
			msg);
		return -1;
	}
	srv->has_allow = 1;
	return 0;
}

static void print_listening(struct MHD_Daemon *d, const char *listen)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	const char *colon = strrchr(listen, ':');

	/* The port actually bound: with port 0 (tests) the kernel picks. */
	printf("prober serve: listening on %.*s:%u\n",
	       (int)(colon ? colon - listen : 0), listen,
	       di ? (unsigned)di->port : 0u);
	fflush(stdout);
}

/* What the command line asks of prober serve. */
struct serve_args {
	const char *listen, *probes_dir, *vantage_opt, *allow;
	int probes_given;
};

/* The options into a (and --max-concurrent into srv). Returns -1 to go
 * on, else the exit code (help, usage). */
static int parse_serve_args(int argc, char **argv, struct serve_args *a,
			    struct server *srv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", serve_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			a->listen = optarg;
			break;
		case OPT_PROBES:
			a->probes_dir = optarg;
			a->probes_given = 1;
			break;
		case OPT_ALLOW:
			a->allow = optarg;
			break;
		case OPT_MAXC:
			if (parse_int("--max-concurrent", optarg, 1,
				      SERVE_MAX_CONCURRENT,
				      &srv->max_concurrent))
				return EXIT_UNKNOWN;
			break;
		case OPT_VANTAGE:
			a->vantage_opt = optarg;
			break;
		case 'h':
			serve_usage(stdout);
			return EXIT_PASS;
		default:
			serve_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "prober serve: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_UNKNOWN;
	}
	return -1;
}

/* The server's settings from a: vantage, listen address, --allow, the
 * probe files. Returns 0 or -1 (said). */
static int setup_server(const struct serve_args *a, struct server *srv,
			struct sockaddr_storage *ss)
{
	socklen_t sslen = 0;
	char err[1024];

	if (vantage_resolve("serve", a->vantage_opt, srv->vantage,
			    sizeof(srv->vantage)))
		return -1;
	if (parse_listen(a->listen, ss, &sslen) != 0) {
		fprintf(stderr,
			"prober serve: --listen '%s': expected ADDR:PORT with "
			"a numeric address (e.g. 127.0.0.1:9733, [::1]:9733)\n",
			a->listen);
		return -1;
	}
	if (a->allow && compile_allow(srv, a->allow) != 0)
		return -1;
	/* The default folder may be absent (ad-hoc targets only); a folder
	 * named on the command line must load, every file valid. */
	if ((a->probes_given || access(a->probes_dir, F_OK) == 0) &&
	    vsp_config_load_dir(a->probes_dir, &srv->set, err, sizeof(err))) {
		fprintf(stderr, "prober serve: %s\n", err);
		return -1;
	}
	return 0;
}

/* Serves on ss until SIGINT or SIGTERM. Returns the exit code. */
static int serve_until_stopped(struct server *srv,
			       const struct sockaddr_storage *ss,
			       const char *listen)
{
	struct MHD_Daemon *d;
	sigset_t stop;
	unsigned flags;
	int c, sig;

	/* Blocked before MHD starts its threads, which inherit the mask:
	 * only sigwait() below sees them. A client gone mid-answer must not
	 * kill the server with SIGPIPE. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	sigdelset(&stop, SIGPIPE);

	flags = MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
		(const struct sockaddr *)ss, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)(srv->max_concurrent * SERVE_CONNS_PER_SLOT + 4),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr,
			"prober serve: cannot listen on %s (in use, or not "
			"an address of this host)\n",
			listen);
		return EXIT_UNKNOWN;
	}
	print_listening(d, listen);
	do
		c = sigwait(&stop, &sig);
	while (c != 0);
	/* Waits for every connection thread: checks in flight end by their
	 * deadline. */
	MHD_stop_daemon(d);
	return EXIT_PASS;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = { .listen = SERVE_DEFAULT_LISTEN,
				.probes_dir = "probes" };
	int rc = EXIT_UNKNOWN, sem_ok = 0;
	struct server srv;
	struct sockaddr_storage ss;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&srv, 0, sizeof(srv));
	memset(&ss, 0, sizeof(ss));
	pthread_mutex_init(&srv.mu, NULL);
	srv.max_concurrent = cpus > 0 ? (int)cpus : 1;
	if (srv.max_concurrent > SERVE_MAX_CONCURRENT)
		srv.max_concurrent = SERVE_MAX_CONCURRENT;
	if ((rc = parse_serve_args(argc, argv, &a, &srv)) != -1)
		goto out;
	rc = EXIT_UNKNOWN;
	if (setup_server(&a, &srv, &ss))
		goto out;
	if (sem_init(&srv.slots, 0, (unsigned)srv.max_concurrent) != 0) {
		perror("prober serve: semaphore");
		goto out;
	}
	sem_ok = 1;
	srv.started = vsp_wall_s();
	rc = serve_until_stopped(&srv, &ss, a.listen);
out:
	if (sem_ok)
		sem_destroy(&srv.slots);
	if (srv.has_allow)
		regfree(&srv.allow);
	vsp_probe_set_clear(&srv.set);
	pthread_mutex_destroy(&srv.mu);
	return rc;
}
