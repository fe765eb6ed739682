/*
 * test_serve_integration.c - `prober serve` as Prometheus and hostile
 * clients see it. Started by tests/integration/serve.sh with:
 *   PROM      Prometheus (contrib config, 2 s scrapes) base URL
 *   S1, S2    the two servers Prometheus scrapes (hashmod shards)
 *   S3_PORT   a server with --max-concurrent 1 and probes "slow" (an
 *             origin that never answers, timeout_s 3) and "healthy"
 *   TARGET_OK a healthy stream URL, allowed by S3's --allow-target
 *   DASHBOARD contrib/prometheus/grafana-dashboard.json, whose every
 *             expression Prometheus must parse and answer with series
 * Raw sockets for the hostile cases (malformed requests, a client gone
 * mid-scrape, more scrapes than slots); libcurl and jansson for
 * Prometheus's HTTP API.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

static int s3_port;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s,
			       (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* ---- raw HTTP ---- */

static int connect_port(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct reply {
	int status; /* 0: none (closed or timed out) */
	char body[65536];
	double seconds;
};

/* Sends req as is and reads the answer until the server closes or
 * timeout_s passes. */
static void raw(int port, const char *req, double timeout_s, struct reply *r)
{
	size_t off = 0, len = strlen(req);
	char buf[sizeof(r->body)];
	double t0 = now_s();
	int fd = connect_port(port);

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	off = 0;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)((timeout_s - (now_s() - t0)) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, buf + off, sizeof(buf) - 1 - off, 0);
		if (n <= 0)
			break;
		off += (size_t)n;
		if (off == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[off] = '\0';
	r->seconds = now_s() - t0;
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		r->status = 0;
	{
		const char *b = strstr(buf, "\r\n\r\n");

		snprintf(r->body, sizeof(r->body), "%s", b ? b + 4 : "");
	}
}

static void get(int port, const char *path, const char *extra, double timeout_s,
		struct reply *r)
{
	char req[8192];

	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: "
		 "close\r\n\r\n",
		 path, extra ? extra : "");
	raw(port, req, timeout_s, r);
}

/* The value of the first sample line starting with prefix, NAN if none. */
static double sample(const char *body, const char *prefix)
{
	const char *p = body;
	size_t n = strlen(prefix);

	while (p && *p) {
		if (strncmp(p, prefix, n) == 0) {
			const char *sp = strchr(p + n, ' ');

			return sp ? strtod(sp + 1, NULL) : NAN;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NAN;
}

static double in_flight(void)
{
	struct reply r;

	get(s3_port, "/metrics", NULL, 5, &r);
	return r.status == 200 ? sample(r.body, "prober_serve_in_flight") : NAN;
}

/* Until no check runs on S3: the cases must not share its one slot. */
static void settle(void)
{
	double t0 = now_s();

	while (in_flight() != 0 && now_s() - t0 < 10)
		sleep_s(0.2);
	assert_true(in_flight() == 0);
}

/* ---- Prometheus ---- */

struct mem {
	char *p;
	size_t n;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *u)
{
	struct mem *m = u;
	char *p = realloc(m->p, m->n + sz * nm + 1);

	if (!p)
		return 0;
	memcpy(p + m->n, d, sz * nm);
	m->p = p;
	m->n += sz * nm;
	p[m->n] = '\0';
	return sz * nm;
}

/* data.result of an instant query, a new reference; NULL on error. */
static json_t *prom_query(const char *expr)
{
	CURL *c = curl_easy_init();
	char url[4096], *q;
	struct mem m = { NULL, 0 };
	json_t *root, *res = NULL;

	assert_non_null(c);
	q = curl_easy_escape(c, expr, 0);
	snprintf(url, sizeof(url), "%s/api/v1/query?query=%s", getenv("PROM"),
		 q);
	curl_free(q);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	if (curl_easy_perform(c) == CURLE_OK && m.p) {
		root = json_loads(m.p, 0, NULL);
		res = json_object_get(json_object_get(root, "data"), "result");
		if (json_is_array(res))
			json_incref(res);
		else
			res = NULL;
		json_decref(root);
	}
	free(m.p);
	curl_easy_cleanup(c);
	return res;
}

/* The value of the series of result whose label `label` is `value`. */
static double series_value(json_t *result, const char *label, const char *value)
{
	size_t i;
	json_t *s;

	json_array_foreach(result, i, s)
	{
		const char *l = json_string_value(
			json_object_get(json_object_get(s, "metric"), label));
		json_t *v = json_array_get(json_object_get(s, "value"), 1);

		if (l && strcmp(l, value) == 0 && json_is_string(v))
			return strtod(json_string_value(v), NULL);
	}
	return NAN;
}

/* Waits until each of the given instances has at least two samples. */
static void wait_two_scrapes(const char *job, const char *const *instances,
			     size_t n)
{
	char expr[256];
	double t0 = now_s();
	int ok = 0;

	snprintf(expr, sizeof(expr),
		 "count_over_time(probe_success{job=\"%s\"}[5m])", job);
	while (!ok && now_s() - t0 < 60) {
		json_t *r = prom_query(expr);

		ok = r != NULL;
		for (size_t i = 0; ok && i < n; i++)
			ok = series_value(r, "instance", instances[i]) >= 2;
		json_decref(r);
		if (!ok)
			sleep_s(0.5);
	}
	if (!ok)
		fail_msg("job %s: no two scrapes of every target in 60 s", job);
}

static void test_prometheus_per_origin(void **state)
{
	static const char *const streams[] = { "healthy", "broken" };
	static const char *const probes[] = { "both", "healthy" };
	json_t *r;

	(void)state;
	wait_two_scrapes("prober_targets", streams, 2);
	r = prom_query("probe_success{job=\"prober_targets\"}");
	assert_non_null(r);
	assert_true(series_value(r, "instance", "healthy") == 1);
	assert_true(series_value(r, "instance", "broken") == 0);
	json_decref(r);

	/* A probe file with both origins: the stream plays (warn), the
	 * 503 origin is down, each with the vantage label. */
	wait_two_scrapes("prober", probes, 2);
	r = prom_query("probe_video_origin_up{job=\"prober\",instance=\"both\","
		       "vantage=\"it-eu\"}");
	assert_non_null(r);
	assert_true(series_value(r, "origin", "ok") == 1);
	assert_true(series_value(r, "origin", "bad") == 0);
	json_decref(r);
	r = prom_query("probe_success{job=\"prober\"}");
	assert_true(series_value(r, "instance", "both") == 1);
	json_decref(r);
	r = prom_query("probe_video_verdict_info{job=\"prober\",instance="
		       "\"both\",origin=\"bad\"}");
	assert_true(series_value(r, "reason", "http_status") == 1);
	json_decref(r);

	/* hashmod: both probes scraped, each through one of the two
	 * servers, and both servers' own metrics up. */
	wait_two_scrapes("prober_sharded", probes, 2);
	r = prom_query("up{job=\"prober_sharded\"}");
	assert_true(series_value(r, "instance", "both") == 1);
	assert_true(series_value(r, "instance", "healthy") == 1);
	json_decref(r);
	r = prom_query("count(up{job=\"prober_self\"} == 1)");
	assert_int_equal(json_array_size(r), 1);
	assert_true(
		strtod(json_string_value(json_array_get(
			       json_object_get(json_array_get(r, 0), "value"),
			       1)),
		       NULL) == 2);
	json_decref(r);
}

/* ---- hostile clients ---- */

static void test_malformed(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET /probe HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET /probe?probe= HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET /probe?probe HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET /probe?probe=a&probe=b HTTP/1.1\r\nHost: x\r\n\r\n",
		  400 },
		{ "GET /probe?module=http_2xx HTTP/1.1\r\nHost: x\r\n\r\n",
		  400 },
		{ "GET /probe?probe=nope HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
		{ "GET /probe?probe=%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
		{ "GET /probe?probe=healthy&target=http://127.0.0.1/ "
		  "HTTP/1.1\r\nHost: x\r\n\r\n",
		  400 },
		{ "GET /probe?target=http://10.9.8.7/x.m3u8 HTTP/1.1\r\n"
		  "Host: x\r\n\r\n",
		  403 },
		{ "GET /probe?target=file:///etc/passwd HTTP/1.1\r\n"
		  "Host: x\r\n\r\n",
		  400 },
		{ "GET /probe?probe=healthy HTTP/1.1\r\nHost: x\r\n"
		  "X-Prometheus-Scrape-Timeout-Seconds: abc\r\n\r\n",
		  400 },
		{ "GET /probe?probe=healthy HTTP/1.1\r\nHost: x\r\n"
		  "X-Prometheus-Scrape-Timeout-Seconds: 0.7\r\n\r\n",
		  400 },
		{ "GET /probe?probe=healthy HTTP/1.1\r\nHost: x\r\n"
		  "X-Prometheus-Scrape-Timeout-Seconds: nan\r\n\r\n",
		  400 },
		{ "POST /probe?probe=healthy HTTP/1.1\r\nHost: x\r\n"
		  "Content-Length: 3\r\n\r\nabc",
		  405 },
		{ "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
		/* MHD may answer 400 or just close: either, and live on. */
		{ "GARBAGE\r\n\r\n", -1 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
	};
	struct reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		raw(s3_port, cases[i].req, 10, &r);
		if (cases[i].status == -1 && (r.status == 400 || r.status == 0))
			continue;
		if (r.status != cases[i].status)
			fail_msg("case %zu '%.40s': HTTP %d, expected %d: %s",
				 i, cases[i].req, r.status, cases[i].status,
				 r.body);
		/* One line saying what was wrong. */
		if (r.status >= 400 && r.status != 405 && i != 15)
			assert_non_null(strchr(r.body, '\n'));
	}
	/* A request line beyond any limit, and a header that never ends. */
	{
		char *big = malloc(200000);

		assert_non_null(big);
		memset(big, 'a', 199999);
		memcpy(big, "GET /probe?probe=", 17);
		big[199999] = '\0';
		raw(s3_port, big, 10, &r);
		assert_true(r.status >= 400 || r.status == 0);
		free(big);
	}
	get(s3_port, "/probe?probe=healthy", NULL, 15, &r);
	assert_int_equal(r.status, 200);
	assert_true(sample(r.body, "probe_success{") == 1);
}

/* The scrape's timeout bounds the check, not the probe's 3 s. */
static void test_scrape_timeout(void **state)
{
	struct reply r;

	(void)state;
	settle();
	get(s3_port, "/probe?probe=slow",
	    "X-Prometheus-Scrape-Timeout-Seconds: 2\r\n", 10, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.seconds < 2.0);
	assert_true(sample(r.body, "probe_success{") == 0);
	assert_true(sample(r.body, "probe_duration_seconds{") <= 1.6);
	assert_non_null(strstr(r.body, "reason=\"timeout\""));
}

struct par {
	struct reply r;
};

static void *par_main(void *arg)
{
	struct par *p = arg;

	get(s3_port, "/probe?probe=slow",
	    "X-Prometheus-Scrape-Timeout-Seconds: 5\r\n", 15, &p->r);
	return NULL;
}

/* One slot, four scrapes of a 3 s check: one runs, three wait at most
 * half their time (2.25 s) and get 503. */
static void test_overload(void **state)
{
	struct par p[4];
	pthread_t t[4];
	struct reply m;
	double rej0, rej1;
	int ok = 0, busy = 0;

	(void)state;
	settle();
	get(s3_port, "/metrics", NULL, 5, &m);
	rej0 = sample(m.body, "prober_serve_rejected_total");
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, par_main, &p[i]),
				 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		if (p[i].r.status == 200)
			ok++;
		else if (p[i].r.status == 503) {
			busy++;
			assert_non_null(strstr(p[i].r.body, "busy"));
			assert_true(p[i].r.seconds < 3.0);
		}
	}
	assert_int_equal(ok, 1);
	assert_int_equal(busy, 3);
	get(s3_port, "/metrics", NULL, 5, &m);
	rej1 = sample(m.body, "prober_serve_rejected_total");
	assert_true(rej1 - rej0 == 3);
}

/* Clients that hang up mid-scrape: the server goes on serving, and the
 * slot comes back when the check ends. */
static void test_disconnect(void **state)
{
	const char *req = "GET /probe?probe=slow HTTP/1.1\r\nHost: x\r\n\r\n";
	struct reply r;

	(void)state;
	settle();
	for (int i = 0; i < 3; i++) {
		int fd = connect_port(s3_port);

		assert_true(fd >= 0);
		assert_true(send(fd, req, strlen(req), MSG_NOSIGNAL) > 0);
		sleep_s(0.1);
		close(fd);
	}
	get(s3_port, "/metrics", NULL, 2, &r);
	assert_int_equal(r.status, 200);
	settle();
	get(s3_port, "/probe?probe=healthy", NULL, 15, &r);
	assert_int_equal(r.status, 200);
	assert_true(sample(r.body, "probe_success{") == 1);
}

/* ---- the Grafana dashboard (contrib/prometheus/grafana-dashboard.json) ---- */

struct prom_answer {
	int ok;		 /* "status": "success" */
	char error[512]; /* Prometheus's error otherwise */
	json_t *result;	 /* data.result, a new reference, or NULL */
};

/* An instant query, with Prometheus's own verdict on the expression. */
static void prom_ask(const char *expr, struct prom_answer *a)
{
	CURL *c = curl_easy_init();
	char url[8192], *q;
	struct mem m = { NULL, 0 };
	json_t *root = NULL;
	long code = 0;

	memset(a, 0, sizeof(*a));
	assert_non_null(c);
	q = curl_easy_escape(c, expr, 0);
	snprintf(url, sizeof(url), "%s/api/v1/query?query=%s", getenv("PROM"),
		 q);
	curl_free(q);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	if (curl_easy_perform(c) != CURLE_OK || !m.p) {
		snprintf(a->error, sizeof(a->error), "no answer from %s",
			 getenv("PROM"));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	root = json_loads(m.p, 0, NULL);
	if (!root) {
		snprintf(a->error, sizeof(a->error),
			 "HTTP %ld, not JSON: %.200s", code, m.p);
		goto out;
	}
	if (!json_is_string(json_object_get(root, "status")) ||
	    strcmp(json_string_value(json_object_get(root, "status")),
		   "success") != 0) {
		const char *e =
			json_string_value(json_object_get(root, "error"));

		snprintf(a->error, sizeof(a->error), "HTTP %ld: %s", code,
			 e ? e : "no error given");
		goto out;
	}
	a->result = json_object_get(json_object_get(root, "data"), "result");
	if (!json_is_array(a->result)) {
		a->result = NULL;
		snprintf(a->error, sizeof(a->error), "no data.result");
		goto out;
	}
	json_incref(a->result);
	a->ok = 1;
out:
	json_decref(root);
	free(m.p);
	curl_easy_cleanup(c);
}

/* Grafana's variables as they stand when "All" is chosen: the dashboard's
 * own allValue, and the built-in intervals at values that suit a 2 s
 * scrape. */
struct dash_vars {
	const char *name[16];
	const char *value[16];
	size_t n;
};

/* expr with every $var, ${var} replaced into out; 0, or -1 naming the
 * unknown variable in out. */
static int substitute(const struct dash_vars *v, const char *expr, char *out,
		      size_t len)
{
	static const char *const builtin[][2] = {
		{ "__rate_interval", "1m" },
		{ "__interval", "2s" },
		{ "__range", "5m" },
	};
	size_t o = 0;

	for (const char *p = expr; *p;) {
		char name[64];
		const char *val = NULL;
		size_t n = 0;
		int brace;

		if (*p != '$') {
			if (o + 1 < len)
				out[o++] = *p;
			p++;
			continue;
		}
		brace = p[1] == '{';
		p += brace ? 2 : 1;
		while ((p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
			(p[n] >= 'A' && p[n] <= 'Z') ||
			(p[n] >= '0' && p[n] <= '9')) &&
		       n + 1 < sizeof(name)) {
			name[n] = p[n];
			n++;
		}
		name[n] = '\0';
		p += n;
		if (brace && *p++ != '}') {
			snprintf(out, len, "unterminated ${%s", name);
			return -1;
		}
		for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]);
		     i++)
			if (strcmp(builtin[i][0], name) == 0)
				val = builtin[i][1];
		for (size_t i = 0; !val && i < v->n; i++)
			if (strcmp(v->name[i], name) == 0)
				val = v->value[i];
		if (!val) {
			snprintf(out, len, "unknown variable $%s", name);
			return -1;
		}
		for (; *val; val++)
			if (o + 1 < len)
				out[o++] = *val;
	}
	out[o] = '\0';
	return o + 1 < len ? 0 : -1;
}

/* Calls fn(name) for every metric name (probe_*, prober_*) in expr. */
static void metric_names(const char *expr, void (*fn)(const char *, void *),
			 void *u)
{
	for (const char *p = expr; *p; p++) {
		char name[128];
		size_t n = 0;

		if ((p != expr &&
		     (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
		      p[-1] == '"')) ||
		    strncmp(p, "probe", 5) != 0)
			continue;
		while ((p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z')) &&
		       n + 1 < sizeof(name)) {
			name[n] = p[n];
			n++;
		}
		name[n] = '\0';
		if (strncmp(name, "probe_", 6) == 0 ||
		    strncmp(name, "prober_", 7) == 0)
			fn(name, u);
		p += n - 1;
	}
}

struct dash_check {
	char failures[8192];
	size_t off;
	int empty;   /* expressions without a series this round */
	int broken;  /* expressions Prometheus rejects: fail at once */
	int metrics; /* metric names checked */
};

static void dash_fail(struct dash_check *d, const char *fmt, ...)
{
	va_list ap;

	if (d->off >= sizeof(d->failures) - 1)
		return;
	va_start(ap, fmt);
	d->off += (size_t)vsnprintf(d->failures + d->off,
				    sizeof(d->failures) - d->off, fmt, ap);
	va_end(ap);
	if (d->off < sizeof(d->failures) - 1)
		d->failures[d->off++] = '\n';
	d->failures[d->off] = '\0';
}

/* A metric the dashboard names must exist: `or vector(0)` and the like
 * would hide a renamed one from the expression's own result. */
static void metric_exists(const char *name, void *u)
{
	struct dash_check *d = u;
	struct prom_answer a;

	prom_ask(name, &a);
	d->metrics++;
	if (!a.ok) {
		d->broken++;
		dash_fail(d, "metric %s: %s", name, a.error);
	} else if (json_array_size(a.result) == 0) {
		d->empty++;
		dash_fail(d, "metric %s: no series", name);
	}
	json_decref(a.result);
}

/* Every {{label}} of legend is a label of some series of result. */
static void legend_labels(struct dash_check *d, const char *title,
			  const char *legend, json_t *result)
{
	for (const char *p = legend ? strstr(legend, "{{") : NULL; p;
	     p = strstr(p, "{{")) {
		char label[64];
		const char *e = strstr(p, "}}");
		size_t n, i;
		json_t *s;
		int found = 0;

		if (!e)
			break;
		p += 2;
		while (*p == ' ')
			p++;
		n = (size_t)(e - p);
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(label, sizeof(label), "%.*s", (int)n, p);
		json_array_foreach(result, i, s)
		{
			if (json_object_get(json_object_get(s, "metric"),
					    label))
				found = 1;
		}
		if (!found) {
			d->empty++;
			dash_fail(d, "'%s': legend {{%s}}: no series has it",
				  title, label);
		}
		p = e + 2;
	}
}

/* One expression of panel title: Prometheus parses it, and it has series. */
static void dash_expr(struct dash_check *d, const struct dash_vars *v,
		      const char *title, const char *expr, const char *legend)
{
	char q[4096];
	struct prom_answer a;

	if (substitute(v, expr, q, sizeof(q))) {
		d->broken++;
		dash_fail(d, "'%s': %s: %s", title, expr, q);
		return;
	}
	prom_ask(q, &a);
	if (!a.ok) {
		d->broken++;
		dash_fail(d, "'%s': %s: %s", title, q, a.error);
	} else if (json_array_size(a.result) == 0) {
		d->empty++;
		dash_fail(d, "'%s': %s: no series", title, q);
	} else {
		legend_labels(d, title, legend, a.result);
	}
	json_decref(a.result);
	metric_names(expr, metric_exists, d);
}

/* label_values(EXPR, LABEL), the variables' Grafana function, as the
 * query Grafana makes of it: the values of LABEL over EXPR. */
static void dash_variable(struct dash_check *d, const struct dash_vars *v,
			  const char *name, const char *def)
{
	char expr[1024], label[64], q[2048];
	const char *open = strchr(def, '('), *comma = strrchr(def, ','),
		   *close = strrchr(def, ')');
	struct prom_answer a;
	size_t i;
	json_t *s;
	int found = 0;

	if (strncmp(def, "label_values(", 13) != 0 || !comma || !close ||
	    comma < open || close < comma) {
		d->broken++;
		dash_fail(d, "variable %s: not label_values(EXPR, LABEL): %s",
			  name, def);
		return;
	}
	snprintf(expr, sizeof(expr), "%.*s", (int)(comma - open - 1), open + 1);
	comma++;
	while (*comma == ' ')
		comma++;
	snprintf(label, sizeof(label), "%.*s", (int)(close - comma), comma);
	snprintf(q, sizeof(q), "count by (%s) (%s)", label, expr);
	dash_expr(d, v, name, q, NULL);
	if (substitute(v, q, expr, sizeof(expr)))
		return;
	prom_ask(expr, &a);
	json_array_foreach(a.result, i, s)
	{
		if (json_object_get(json_object_get(s, "metric"), label))
			found = 1;
	}
	if (a.ok && !found) {
		d->empty++;
		dash_fail(d, "variable %s: no value of label %s", name, label);
	}
	json_decref(a.result);
}

/* The panels, with rows' own panels (a collapsed row holds them). */
static void dash_panels(struct dash_check *d, const struct dash_vars *v,
			json_t *panels, int *ids, size_t *n_ids,
			size_t *n_exprs)
{
	size_t i, k;
	json_t *p, *t;

	json_array_foreach(panels, i, p)
	{
		const char *title =
			json_string_value(json_object_get(p, "title"));
		const char *type =
			json_string_value(json_object_get(p, "type"));
		json_t *gp = json_object_get(p, "gridPos");
		int id = (int)json_integer_value(json_object_get(p, "id"));

		assert_non_null(title);
		assert_non_null(type);
		for (size_t j = 0; j < *n_ids; j++)
			if (ids[j] == id)
				fail_msg("panel '%s': id %d used twice", title,
					 id);
		assert_true(id > 0 && *n_ids < 256);
		ids[(*n_ids)++] = id;
		assert_true(json_integer_value(json_object_get(gp, "w")) > 0);
		assert_true(json_integer_value(json_object_get(gp, "h")) > 0);
		assert_true(
			json_integer_value(json_object_get(gp, "x")) +
				json_integer_value(json_object_get(gp, "w")) <=
			24);
		if (strcmp(type, "row") == 0) {
			dash_panels(d, v, json_object_get(p, "panels"), ids,
				    n_ids, n_exprs);
			continue;
		}
		/* Every panel on the dashboard's data source variable. */
		assert_string_equal(
			json_string_value(json_object_get(
				json_object_get(p, "datasource"), "uid")),
			"${datasource}");
		assert_true(json_array_size(json_object_get(p, "targets")) > 0);
		json_array_foreach(json_object_get(p, "targets"), k, t)
		{
			const char *expr =
				json_string_value(json_object_get(t, "expr"));

			if (!expr)
				fail_msg("panel '%s': a target without expr",
					 title);
			dash_expr(d, v, title, expr,
				  json_string_value(
					  json_object_get(t, "legendFormat")));
			(*n_exprs)++;
		}
	}
}

/* Valid JSON, a Grafana dashboard of schemaVersion 36 or later, and every
 * PromQL expression in it (panels and variables) parsed by the real
 * Prometheus with series to show, over the metrics prober serve exposes,
 * which includes a live stream's. A metric or label renamed later breaks
 * this test. */
static void test_dashboard(void **state)
{
	const char *path = getenv("DASHBOARD");
	json_error_t jerr;
	json_t *dash, *vars, *var;
	struct dash_vars v = { { 0 }, { 0 }, 0 };
	struct dash_check d;
	int ids[256];
	size_t i, n_ids, n_exprs;
	double t0 = now_s();

	(void)state;
	assert_non_null(path);
	dash = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!dash)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	assert_true(json_integer_value(
			    json_object_get(dash, "schemaVersion")) >= 36);
	assert_non_null(json_string_value(json_object_get(dash, "uid")));
	assert_non_null(json_string_value(json_object_get(dash, "title")));
	vars = json_object_get(json_object_get(dash, "templating"), "list");
	assert_true(json_array_size(vars) > 0);
	json_array_foreach(vars, i, var)
	{
		const char *name =
			json_string_value(json_object_get(var, "name"));
		const char *type =
			json_string_value(json_object_get(var, "type"));

		assert_non_null(name);
		assert_non_null(type);
		assert_true(v.n < 16);
		v.name[v.n] = name;
		if (strcmp(type, "datasource") == 0) {
			assert_string_equal(json_string_value(json_object_get(
						    var, "query")),
					    "prometheus");
			v.value[v.n++] = "";
			continue;
		}
		assert_string_equal(type, "query");
		v.value[v.n] =
			json_string_value(json_object_get(var, "allValue"));
		assert_non_null(v.value[v.n]);
		v.n++;
	}
	/* The live probe's metrics come with its first scrapes: until every
	 * expression has series, 40 s at most; a parse error fails at once. */
	for (;;) {
		memset(&d, 0, sizeof(d));
		n_ids = n_exprs = 0;
		json_array_foreach(vars, i, var)
		{
			const char *def = json_string_value(
				json_object_get(var, "definition"));

			if (def)
				dash_variable(&d, &v,
					      json_string_value(json_object_get(
						      var, "name")),
					      def);
		}
		dash_panels(&d, &v, json_object_get(dash, "panels"), ids,
			    &n_ids, &n_exprs);
		if (d.broken || !d.empty || now_s() - t0 > 40)
			break;
		sleep_s(1);
	}
	if (d.broken || d.empty)
		fail_msg("%s: %d expressions rejected, %d without series:\n%s",
			 path, d.broken, d.empty, d.failures);
	/* Not an empty dashboard that passes by having nothing. */
	assert_true(n_exprs >= 20);
	assert_true(d.metrics >= 20);
	fprintf(stderr,
		"dashboard: %zu panels and rows, %zu expressions, %d metric "
		"names, all with series, after %.1f s\n",
		n_ids, n_exprs, d.metrics, now_s() - t0);
	json_decref(dash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_scrape_timeout),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_disconnect),
		cmocka_unit_test(test_prometheus_per_origin),
		cmocka_unit_test(test_dashboard),
	};
	const char *p = getenv("S3_PORT");

	if (!p || !getenv("PROM")) {
		fprintf(stderr, "run by tests/integration/serve.sh\n");
		return 1;
	}
	s3_port = atoi(p);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
