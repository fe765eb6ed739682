/*
 * http.c - one libcurl transfer per pipeline step, with timings.
 *
 * Only http and https, also after redirects; bodies capped; every transfer
 * bounded by the caller's deadline. A dead origin is a result (reason +
 * message), never an error of the program. Never prints.
 */
#include "http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "budget.h"
#include "clock.h"
#include "dynbuf.h"
#include "error.h"
#include "limits.h"
#include "url.h"

#ifndef VSP_VERSION
#define VSP_VERSION "dev"
#endif

/* libcurl's receive buffer (its default is 16 KB): a
 * segment is read from the socket in a few large reads and handed to us in
 * a few large writes, instead of one read, one poll and one callback per
 * 16 KB. On the 1080p/720p/480p bench ladder (25 MB of segments per check)
 * 64 KB made 444 reads and 591 polls, 256 KB makes 144 and 241 (512 KB,
 * 105 and 206: not worth twice the memory per client in a fleet; see
 * bench/README.md). The buffer comes from the heap (the mmap threshold is
 * 8 MB, prober/main.c), one per client. Not a cap: bodies are capped by
 * max_bytes. */
#define RECV_BUFFER_BYTES (256L * 1024)

struct vsp_http_client {
	CURL *curl;
	struct curl_slist *headers;
	struct curl_slist *resolve;
	const vsp_http_opts *opts;
	vsp_budget_hold hold; /* the bodies it returned and not yet freed */
};

/* Body being received: grows up to cap, then the transfer is stopped. */
struct sink {
	CURL *curl;   /* for Content-Length, when known */
	vsp_buf body; /* holds at most cap bytes (toobig cap + 1) */
	size_t cap;
	int over_cap;
	int prefix; /* 1: keep the first cap bytes, then stop: not an error */
	int64_t age_s;
	int64_t range_total; /* Content-Range's "/N", 0 none */
	/* Every byte of body is reserved from the check's budget before it
	 * is allocated: a chunked or compressed body cannot overshoot it. */
	vsp_budget_hold *hold;
	size_t reserved; /* of body: its alloc, once allocated */
	int64_t deadline_us;
	int budget_rc; /* vsp_budget_take()'s when it stopped the body */
	char budget_err[200];
	/* vsp_http_request.pass: a 2xx body goes there, counted in passed */
	void (*pass)(void *arg, const uint8_t *data, size_t n);
	void *pass_arg;
	size_t passed;
};

/* Makes body's reservation want bytes (more or fewer). Returns 0, or -1
 * when the budget refused (the reason in s). */
static int reserve(struct sink *s, size_t want)
{
	if (want > s->reserved) {
		int rc = vsp_budget_take(s->hold, want - s->reserved,
					 s->deadline_us, s->budget_err,
					 sizeof(s->budget_err));

		if (rc) {
			s->budget_rc = rc;
			return -1;
		}
	} else {
		vsp_budget_give(s->hold, s->reserved - want);
	}
	s->reserved = want;
	return 0;
}

/* Room for want bytes in all (NUL included), reserved first. Returns 0,
 * or -1: the budget refused, or out of memory (s->body.err). */
static int room(struct sink *s, size_t want)
{
	if (reserve(s, want))
		return -1;
	return vsp_buf_grow(&s->body, want) ? -1 : 0;
}

/* A 2xx body handed on as it arrives (vsp_http_request.pass). */
static size_t pass_cb(struct sink *s, const char *data, size_t n)
{
	if (n > s->cap - s->passed) {
		s->over_cap = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	s->passed += n;
	s->pass(s->pass_arg, (const uint8_t *)data, n);
	return n;
}

/* Whether the answer being received is a 2xx (its body is the content). */
static int answer_ok(CURL *curl)
{
	long code = 0;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	return code >= 200 && code <= 299;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	vsp_buf *b = &s->body;
	size_t n = size * nmemb;

	if (s->pass && (s->passed > 0 || answer_ok(s->curl)))
		return pass_cb(s, data, n);
	if (n > s->cap - b->len) {
		s->over_cap = 1;
		if (s->prefix && b->len < s->cap) {
			/* Keep what fits; the stop is the point. */
			if (b->alloc < s->cap + 1 && room(s, s->cap + 1))
				return 0;
			vsp_buf_add(b, data, s->cap - b->len);
		}
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (b->alloc == 0 && s->curl) {
		curl_off_t cl = -1;

		/* Sized once from Content-Length when there is one: no
		 * doubling, no copies, no slack held by hundreds of checks. */
		curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
				  &cl);
		if (cl > 0 && (size_t)cl <= s->cap && (size_t)cl >= n &&
		    room(s, (size_t)cl + 1))
			return 0;
	}
	if (b->len + n + 1 > b->alloc) {
		size_t want = b->alloc ? b->alloc : 16384;

		while (want < b->len + n + 1)
			want *= 2;
		if (want > s->cap + 1)
			want = s->cap + 1;
		if (room(s, want))
			return 0;
	}
	/* Within the room made: no allocation here. */
	vsp_buf_add(b, data, n);
	return n;
}

/* The N of a Content-Range value "bytes a-b/N" (n bytes at v, not NUL
 * terminated): N, or 0 when it is "*" or not a number. */
static int64_t range_total(const char *v, size_t n)
{
	char tmp[96];
	const char *slash;
	char *end;
	long long t;

	if (n > sizeof(tmp) - 1)
		return 0;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	slash = strchr(tmp, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return 0;
	errno = 0;
	t = strtoll(slash + 1, &end, 10);
	while (*end == ' ' || *end == '\r' || *end == '\n')
		end++;
	return errno == 0 && *end == '\0' && t > 0 ? (int64_t)t : 0;
}

/* Only Age (live playlist freshness evidence) and Content-Range's total
 * (a SegmentBase file's size against its own index) interest us. */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t n = size * nmemb;

	/* A new response (after a redirect) starts with its status line. */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		s->age_s = -1;
		s->range_total = 0;
	}
	if (n > 14 && strncasecmp(data, "content-range:", 14) == 0)
		s->range_total = range_total(data + 14, n - 14);
	if (n > 4 && strncasecmp(data, "age:", 4) == 0) {
		char tmp[32];
		size_t k = n - 4 < sizeof(tmp) - 1 ? n - 4 : sizeof(tmp) - 1;
		char *end;
		long long v;

		memcpy(tmp, data + 4, k);
		tmp[k] = '\0';
		errno = 0;
		v = strtoll(tmp, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (errno == 0 && *end == '\0' && end != tmp && v >= 0)
			s->age_s = v;
	}
	return n;
}

int vsp_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void vsp_http_global_cleanup(void)
{
	curl_global_cleanup();
}

static struct curl_slist *slist_from(const char *const *items, size_t n)
{
	struct curl_slist *l = NULL, *t;

	for (size_t i = 0; i < n; i++) {
		t = curl_slist_append(l, items[i]);
		if (!t) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = t;
	}
	return l;
}

/* Scheme, host and port of an absolute http(s) URL (the port is the
 * scheme's default when none is written). Returns 0, or -1. */
static int url_origin(const char *url, char *scheme, size_t slen, char *host,
		      size_t hlen, long *port)
{
	CURLU *u = curl_url();
	char *sc = NULL, *h = NULL, *pt = NULL;
	int rc = -1;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &sc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &pt, CURLU_DEFAULT_PORT) ==
		    CURLUE_OK &&
	    strlen(sc) < slen && strlen(h) < hlen) {
		char *end;

		errno = 0;
		*port = strtol(pt, &end, 10);
		if (errno == 0 && *end == '\0' && end != pt) {
			snprintf(scheme, slen, "%s", sc);
			snprintf(host, hlen, "%s", h);
			rc = 0;
		}
	}
	curl_free(sc);
	curl_free(h);
	curl_free(pt);
	curl_url_cleanup(u);
	return rc;
}

/* "host" (any port) or "host:port", IPv6 in brackets, against a URL's
 * host and port. */
static int host_matches(const char *entry, const char *host, long port)
{
	const char *rb = entry[0] == '[' ? strchr(entry, ']') : NULL;
	const char *colon = entry[0] == '[' ? (rb ? strchr(rb, ':') : NULL)
					    : strchr(entry, ':');
	size_t hl = colon ? (size_t)(colon - entry) : strlen(entry);

	if (hl != strlen(host) || strncasecmp(entry, host, hl) != 0)
		return 0;
	if (colon) {
		char *end;
		long p;

		errno = 0;
		p = strtol(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || p != port)
			return 0;
	}
	return 1;
}

int vsp_http_headers_allowed(const vsp_http_opts *opts, const char *url)
{
	char sc[16], host[256], osc[16], ohost[256];
	long port, oport;

	if (!opts || opts->n_headers == 0 ||
	    (!opts->header_origin && opts->n_header_hosts == 0))
		return 1;
	if (url_origin(url, sc, sizeof(sc), host, sizeof(host), &port) != 0)
		return 0;
	if (opts->header_origin &&
	    url_origin(opts->header_origin, osc, sizeof(osc), ohost,
		       sizeof(ohost), &oport) == 0 &&
	    strcasecmp(sc, osc) == 0 && strcasecmp(host, ohost) == 0 &&
	    port == oport)
		return 1;
	for (size_t i = 0; i < opts->n_header_hosts; i++)
		if (host_matches(opts->header_hosts[i], host, port))
			return 1;
	return 0;
}

vsp_http_client *vsp_http_client_new(const vsp_http_opts *opts)
{
	static const vsp_http_opts none;
	vsp_http_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->opts = opts ? opts : &none;
	c->hold.b = c->opts->budget;
	c->curl = curl_easy_init();
	if (!c->curl)
		goto fail;
	if (c->opts->n_headers) {
		c->headers = slist_from(c->opts->headers, c->opts->n_headers);
		if (!c->headers)
			goto fail;
	}
	if (c->opts->n_resolve) {
		c->resolve = slist_from(c->opts->resolve, c->opts->n_resolve);
		if (!c->resolve)
			goto fail;
	}
	return c;
fail:
	vsp_http_client_free(c);
	return NULL;
}

void vsp_http_client_free(vsp_http_client *c)
{
	if (!c)
		return;
	/* Bodies outlive their client only by a caller's slip: give back
	 * what is left so the budget's other holders are not starved. */
	vsp_budget_give(&c->hold, c->hold.held);
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	curl_slist_free_all(c->resolve);
	free(c);
}

void vsp_http_body_free(vsp_http_client *c, uint8_t *body, size_t len)
{
	if (!body)
		return;
	free(body);
	if (c)
		vsp_budget_give(&c->hold, len ? len + 1 : 0);
}

vsp_budget_hold *vsp_http_hold(vsp_http_client *c)
{
	return c ? &c->hold : NULL;
}

/* Drops the body of s and its reservation. */
static void sink_drop(struct sink *s)
{
	vsp_buf_free(&s->body);
	reserve(s, 0);
}

void vsp_http_step_clear(vsp_http_step *step)
{
	if (!step)
		return;
	free(step->url);
	free(step->final_url);
	free(step->content_type);
	free(step->range);
	memset(step, 0, sizeof(*step));
}

static double us_to_ms(curl_off_t us)
{
	return (double)us / 1000.0;
}

static void fill_timings(CURL *curl, vsp_http_step *st)
{
	curl_off_t dns = 0, conn = 0, app = 0, start = 0, total = 0, mtime = -1;
	char *ip = NULL, *ct = NULL, *eff = NULL;
	long status = 0;

	curl_easy_getinfo(curl, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(curl, CURLINFO_APPCONNECT_TIME_T, &app);
	curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME_T, &start);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(curl, CURLINFO_FILETIME_T, &mtime);
	st->last_modified = mtime > 0 ? (double)mtime : 0;
	st->fetched_at = vsp_wall_s();

	/* curl's times are cumulative from the start of the transfer. dns,
	 * connect and tls are reported as the length of their own phase;
	 * ttfb and total from the start, as the names say. */
	st->dns_ms = us_to_ms(dns);
	st->connect_ms = conn > dns ? us_to_ms(conn - dns) : 0;
	st->tls_ms = app > conn ? us_to_ms(app - conn) : 0;
	st->ttfb_ms = us_to_ms(start);
	st->total_ms = us_to_ms(total);
	st->http_status = status;
	if (ip)
		snprintf(st->remote_ip, sizeof(st->remote_ip), "%s", ip);
	if (ct && !st->content_type)
		st->content_type = strdup(ct);
	if (eff && st->url && strcmp(eff, st->url) != 0 && !st->final_url)
		st->final_url = strdup(eff);
}

static vsp_reason reason_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return VSP_R_DNS;
	case CURLE_COULDNT_CONNECT:
		return VSP_R_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return VSP_R_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return VSP_R_TLS;
	case CURLE_TOO_MANY_REDIRECTS:
		return VSP_R_REDIRECT;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return VSP_R_PROTOCOL;
	case CURLE_FILESIZE_EXCEEDED:
		return VSP_R_TOO_LARGE;
	default:
		return VSP_R_NETWORK;
	}
}

/* "GET url: what" into err; returns reason for tail calls. */
static vsp_reason failf(char *err, size_t errlen, vsp_reason r, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));
static vsp_reason failf(char *err, size_t errlen, vsp_reason r, const char *fmt,
			...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* The prober's own failure (VSP_R_INTERNAL), which one in step->err: the
 * check's error comes from that code, never from the message's words
 * (a URL may hold any). */
static vsp_reason failf_err(vsp_http_step *step, int code, char *err,
			    size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static vsp_reason failf_err(vsp_http_step *step, int code, char *err,
			    size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	step->err = code;
	return VSP_R_INTERNAL;
}

/* One GET across its steps (vsp_http_get). */
struct get {
	vsp_http_client *c;
	const vsp_http_request *req;
	vsp_http_step *step;
	struct sink s;
	int64_t length;	      /* of the Range; -1: none */
	int64_t left_ms;      /* to the deadline, when the last hop started */
	curl_off_t before_us; /* time of the redirects before */
	char errbuf[CURL_ERROR_SIZE];
	char range[64];
	char *err;
	size_t errlen;
};

/* The time left to the deadline, in g->left_ms. Returns 0, or -1 when
 * none is left. */
static int time_left(struct get *g)
{
	int64_t deadline_us = g->req->deadline_us;

	g->left_ms = deadline_us ? (deadline_us - vsp_now_us()) / 1000 : 0;
	return deadline_us && g->left_ms <= 0 ? -1 : 0;
}

/* g->left_ms into curl's timeouts. */
static void set_timeouts(struct get *g)
{
	if (!g->req->deadline_us)
		return;
	curl_easy_setopt(g->c->curl, CURLOPT_TIMEOUT_MS, (long)g->left_ms);
	curl_easy_setopt(g->c->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)g->left_ms);
}

/* The handle, reset, set for g's request. */
static void setup_handle(struct get *g)
{
	CURL *curl = g->c->curl;
	const vsp_http_opts *o = g->c->opts;
	const vsp_http_request *req = g->req;

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, RECV_BUFFER_BYTES);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, g->errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &g->s);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &g->s);
	/* Players accept compressed manifests; the cap applies to the
	 * decoded bytes, so a compression bomb stops at the cap. */
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	/* Last-Modified: evidence of when a live playlist last changed. */
	curl_easy_setopt(curl, CURLOPT_FILETIME, 1L);
	if (!req->prefix)
		curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)req->limit);
	curl_easy_setopt(curl, CURLOPT_USERAGENT,
			 o->user_agent ? o->user_agent : "prober/" VSP_VERSION);
	set_timeouts(g);
	if (g->c->resolve)
		curl_easy_setopt(curl, CURLOPT_RESOLVE, g->c->resolve);
	if (o->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (g->length >= 0) {
		snprintf(g->range, sizeof(g->range), "%lld-%lld",
			 (long long)req->offset,
			 (long long)(req->offset + g->length - 1));
		curl_easy_setopt(curl, CURLOPT_RANGE, g->range);
		g->step->range = strdup(g->range);
	}
}

/* Whether the redirect from the answer just read to next may be followed:
 * VSP_R_NONE, or the reason with the message in g->err. */
static vsp_reason redirect_allowed(struct get *g, int hop, const char *next)
{
	const char *url = g->req->url;
	char *cur = NULL;

	if (hop >= VSP_MAX_REDIRECTS)
		return failf(g->err, g->errlen, VSP_R_REDIRECT,
			     "GET %.300s: more than %d redirects", url,
			     VSP_MAX_REDIRECTS);
	if (!vsp_url_is_http(next))
		return failf(g->err, g->errlen, VSP_R_PROTOCOL,
			     "GET %.300s: refused the redirect to "
			     "%.300s: only http and https URLs are "
			     "fetched",
			     url, next);
	curl_easy_getinfo(g->c->curl, CURLINFO_EFFECTIVE_URL, &cur);
	if (g->c->headers && cur && strncasecmp(cur, "https:", 6) == 0 &&
	    strncasecmp(next, "http:", 5) == 0)
		return failf(g->err, g->errlen, VSP_R_REDIRECT,
			     "GET %.300s: refused the redirect from https "
			     "to %.300s: the request carries headers "
			     "(tokens) that must not travel in clear text",
			     url, next);
	return VSP_R_NONE;
}

/*
 * The transfer, redirects followed here, not by curl: curl would send the
 * custom headers (tokens) to whatever host a Location names, so each hop
 * carries them only when its own URL may receive them. Returns VSP_R_NONE
 * with *rc the last transfer's result, or the reason a redirect was
 * refused (the step's timings filled, the body dropped).
 */
static vsp_reason transfer(struct get *g, CURLcode *rc)
{
	CURL *curl = g->c->curl;
	char *hop_url = strdup(g->req->url);
	vsp_reason r;

	if (!hop_url)
		return failf_err(g->step, VSP_E_NOMEM, g->err, g->errlen,
				 "out of memory");
	for (int hop = 0;; hop++) {
		char *next = NULL;
		long code = 0;
		curl_off_t hop_us = 0;

		curl_easy_setopt(curl, CURLOPT_HTTPHEADER,
				 g->c->headers && vsp_http_headers_allowed(
							  g->c->opts, hop_url)
					 ? g->c->headers
					 : NULL);
		*rc = curl_easy_perform(curl);
		if (*rc != CURLE_OK)
			break;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &next);
		if (code < 300 || code > 399 || !next)
			break;
		r = redirect_allowed(g, hop, next);
		if (r == VSP_R_NONE) {
			free(hop_url);
			hop_url = strdup(next);
			if (!hop_url)
				r = failf_err(g->step, VSP_E_NOMEM, g->err,
					      g->errlen, "out of memory");
		}
		if (r != VSP_R_NONE) {
			fill_timings(curl, g->step);
			free(hop_url);
			sink_drop(&g->s);
			return r;
		}
		curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &hop_us);
		g->before_us += hop_us;
		/* The redirect's own body is not the answer. */
		sink_drop(&g->s);
		g->s.over_cap = 0;
		free(g->step->content_type);
		g->step->content_type = NULL;
		if (time_left(g) != 0) {
			*rc = CURLE_OPERATION_TIMEDOUT;
			break;
		}
		curl_easy_setopt(curl, CURLOPT_URL, hop_url);
		set_timeouts(g);
	}
	free(hop_url);
	return VSP_R_NONE;
}

/* The body's bytes that came, kept or handed on. */
static size_t received(const struct sink *s)
{
	return s->passed ? s->passed : s->body.len;
}

/* The reason a finished transfer (rc) did not give a 2xx body, with the
 * message in g->err; VSP_R_NONE when it did. */
static vsp_reason transfer_reason(struct get *g, CURLcode rc)
{
	const struct sink *s = &g->s;
	const char *url = g->req->url;

	if (g->req->prefix && s->over_cap && !s->budget_rc &&
	    s->body.err != VSP_E_NOMEM && rc == CURLE_WRITE_ERROR) {
		/* Stopped at the cap on purpose: a 2xx with what we wanted. */
		rc = CURLE_OK;
	}
	if (rc != CURLE_OK) {
		if (s->body.err == VSP_E_NOMEM)
			return failf_err(
				g->step, VSP_E_NOMEM, g->err, g->errlen,
				"GET %.300s: out of memory for the body "
				"(%zu bytes received)",
				url, received(s));
		if (s->budget_rc)
			return failf(g->err, g->errlen,
				     s->budget_rc == -1 ? VSP_R_TIMEOUT
							: VSP_R_TOO_LARGE,
				     "GET %.300s: %s (%zu bytes received)", url,
				     s->budget_err, received(s));
		if (s->over_cap || rc == CURLE_FILESIZE_EXCEEDED)
			return failf(g->err, g->errlen, VSP_R_TOO_LARGE,
				     "GET %.300s: body over the %zu-byte limit",
				     url, g->req->limit);
		if (rc == CURLE_OPERATION_TIMEDOUT)
			return failf(g->err, g->errlen, VSP_R_TIMEOUT,
				     "GET %.300s: no complete answer within "
				     "the deadline (%lld ms; %zu bytes "
				     "received)",
				     url, (long long)g->left_ms, received(s));
		return failf(g->err, g->errlen, reason_of(rc), "GET %.300s: %s",
			     url,
			     g->errbuf[0] ? g->errbuf : curl_easy_strerror(rc));
	}
	if (g->step->http_status < 200 || g->step->http_status > 299)
		return failf(g->err, g->errlen, VSP_R_HTTP_STATUS,
			     "GET %.300s: HTTP %ld", url, g->step->http_status);
	return VSP_R_NONE;
}

/* The bytes of the Range asked, from a 2xx answer: VSP_R_NONE, or the
 * reason with the message in g->err. */
static vsp_reason range_cut(struct get *g)
{
	vsp_buf *b = &g->s.body;
	const char *url = g->req->url;
	long status = g->step->http_status;

	if (g->req->prefix) {
		/* A prefix takes what came: a shorter segment, or the start of
		 * a whole body sent for a Range (the caller knows which from
		 * the status). */
	} else if (g->length >= 0 && status != 206) {
		/* The origin ignored the Range header and sent the whole
		 * resource: a player would get the right bytes, slower. */
		if ((int64_t)b->len < g->req->offset + g->length)
			return failf(g->err, g->errlen, VSP_R_NETWORK,
				     "GET %.300s range %s: HTTP %ld with only "
				     "%zu bytes",
				     url, g->range, status, b->len);
		memmove(b->p, b->p + g->req->offset, (size_t)g->length);
		vsp_buf_setlen(b, (size_t)g->length);
	} else if (g->length >= 0 && (int64_t)b->len != g->length) {
		return failf(g->err, g->errlen, VSP_R_NETWORK,
			     "GET %.300s range %s: %zu bytes instead of %lld",
			     url, g->range, b->len, (long long)g->length);
	}
	return VSP_R_NONE;
}

/* The body to the caller, holding only its bytes, and its reservation
 * only those (vsp_http_body_free() gives back len + 1). */
static vsp_reason hand_over(struct get *g, uint8_t **body, size_t *body_len)
{
	vsp_buf *b = &g->s.body;
	size_t len = b->len;

	vsp_buf_fit(b);
	*body = (uint8_t *)vsp_buf_take(b, body_len);
	if (!*body)
		return failf_err(g->step, VSP_E_NOMEM, g->err, g->errlen,
				 "out of memory");
	reserve(&g->s, len ? len + 1 : 0);
	return VSP_R_NONE;
}

vsp_reason vsp_http_get(vsp_http_client *c, const vsp_http_request *req,
			vsp_http_step *step, uint8_t **body, size_t *body_len,
			char *err, size_t errlen)
{
	struct get g = { .c = c,
			 .req = req,
			 .step = step,
			 .length = req->length,
			 .err = err,
			 .errlen = errlen };
	vsp_reason r;
	CURLcode rc = CURLE_OK;

	g.s = (struct sink){ .curl = c->curl,
			     .cap = req->limit,
			     .prefix = req->prefix,
			     .age_s = -1,
			     .hold = &c->hold,
			     .deadline_us = req->deadline_us };
	g.s.pass = req->pass;
	g.s.pass_arg = req->pass_arg;
	/* At most cap bytes, and the NUL. */
	vsp_buf_init(&g.s.body,
		     req->limit < SIZE_MAX ? req->limit + 1 : req->limit);
	if (req->prefix && (g.length < 0 || (uint64_t)g.length > req->limit))
		g.length = (int64_t)req->limit;
	*body = NULL;
	*body_len = 0;
	vsp_http_step_clear(step);
	step->done = 1;
	step->age_s = -1;
	step->url = strdup(req->url);
	if (!step->url)
		return failf_err(step, VSP_E_NOMEM, err, errlen,
				 "out of memory");
	/* A range cut (range_cut()) or a prefix needs the body kept. */
	if (req->pass && (req->prefix || req->length != VSP_HTTP_WHOLE))
		return failf_err(step, VSP_E_INTERNAL, err, errlen,
				 "GET %.300s: a body handed on as it arrives "
				 "cannot be a range or a prefix",
				 req->url);
	if (!vsp_url_is_http(req->url))
		return failf(err, errlen, VSP_R_PROTOCOL,
			     "refused %.300s: only http and https URLs are "
			     "fetched",
			     req->url);
	if (time_left(&g) != 0)
		return failf(err, errlen, VSP_R_TIMEOUT,
			     "deadline reached before GET %.300s", req->url);
	setup_handle(&g);
	r = transfer(&g, &rc);
	if (r != VSP_R_NONE)
		return r;
	fill_timings(c->curl, step);
	step->ttfb_ms += (double)g.before_us / 1000.0;
	step->total_ms += (double)g.before_us / 1000.0;
	step->bytes = (int64_t)received(&g.s);
	step->age_s = g.s.age_s;
	step->range_total = g.s.range_total;
	r = transfer_reason(&g, rc);
	if (r == VSP_R_NONE)
		r = range_cut(&g);
	if (r == VSP_R_NONE)
		r = hand_over(&g, body, body_len);
	if (r != VSP_R_NONE)
		sink_drop(&g.s);
	return r;
}
