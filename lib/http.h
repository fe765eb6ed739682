/*
 * http.h - one libcurl transfer per pipeline step.
 *
 * Only http and https, also after redirects (capped at VSP_MAX_REDIRECTS);
 * the body is capped; every transfer ends by the caller's absolute deadline.
 * A failed transfer is a result (a reason and a message), not an error.
 */
#ifndef VSP_HTTP_H
#define VSP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "reason.h"

/* Connection settings of one origin. Borrowed by the client. */
typedef struct vsp_http_opts {
	const char *user_agent;	    /* NULL: "prober/VERSION" */
	const char *const *headers; /* "Name: value" lines */
	size_t n_headers;
	const char *const *resolve; /* "HOST:PORT:ADDR" pins */
	size_t n_resolve;
	const char *cacert; /* NULL: system store */
	int insecure;	    /* 1: no peer or host verification */
	/* Headers carry tokens: they go only to the scheme, host and port
	 * of header_origin (a URL; NULL: to every URL), and to the hosts of
	 * header_hosts ("host" any port, or "host:port"), also after a
	 * redirect and for URIs a playlist places elsewhere. While headers
	 * are set, a redirect from https to http is refused (reason
	 * redirect). */
	const char *header_origin;
	const char *const *header_hosts;
	size_t n_header_hosts;
	/* The check's memory budget (NULL: none): every body reserves its
	 * bytes here as they arrive and keeps them until
	 * vsp_http_body_free(); a body that does not fit waits for others
	 * until the deadline, then fails (timeout), or fails at once
	 * (too_large) when it never can. */
	vsp_budget *budget;
} vsp_http_opts;

/* Timings and facts of one transfer, as the record shows them. */
typedef struct vsp_http_step {
	int done;	    /* 1 when the step was attempted */
	char *url;	    /* requested URL (owned) */
	char *final_url;    /* after redirects (owned), NULL when none */
	char *content_type; /* owned, NULL when none */
	char *range;	    /* "START-END" when a byte range was asked, owned */
	long http_status;   /* 0: no response */
	int64_t bytes;	    /* body bytes received */
	double dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
	char remote_ip[64];
	int64_t age_s;	      /* HTTP Age header, -1 when absent */
	double last_modified; /* Last-Modified, Unix seconds; 0 when absent */
	double fetched_at;    /* wall clock when the transfer ended, Unix s */
	/* The resource's size a 206's Content-Range states ("bytes a-b/N");
	 * 0 when absent or "*". */
	int64_t range_total;
	/* With VSP_R_INTERNAL only, which failure of the prober's it was (a
	 * vsp_err of error.h): VSP_E_NOMEM or VSP_E_INTERNAL; 0 otherwise. */
	int err;
} vsp_http_step;

typedef struct vsp_http_client vsp_http_client;

/* A client keeps one connection cache; use it from one thread at a time.
 * Returns NULL on out of memory. Free with vsp_http_client_free(). */
vsp_http_client *vsp_http_client_new(const vsp_http_opts *opts);
void vsp_http_client_free(vsp_http_client *c);

/* One GET. Borrowed by vsp_http_get() for the call only. */
typedef struct vsp_http_request {
	const char *url;
	int64_t offset;	     /* first byte asked (with length >= 0) */
	int64_t length;	     /* bytes from offset; VSP_HTTP_WHOLE: no Range */
	size_t limit;	     /* the body's cap, bytes (a name of limits.h) */
	int64_t deadline_us; /* absolute, vsp_now_us() clock; 0: none */
	/* 1: only the first bytes are wanted (a sniff). The Range asked is
	 * [offset, offset+length) (length VSP_HTTP_WHOLE or over limit:
	 * limit bytes) and at most limit bytes of the answer are kept. A
	 * shorter answer is not an error, nor is an origin that ignores the
	 * Range and sends the whole body with 200 (reading stops at limit;
	 * then the body begins at the resource's start, not at offset:
	 * step->http_status says which). 0: the whole answer must fit in
	 * limit, or the GET fails (too_large). */
	int prefix;
	/* Non-NULL (only with length VSP_HTTP_WHOLE and prefix 0; otherwise
	 * the GET fails, internal): the body of the
	 * 2xx answer is not kept but handed to pass as it arrives, in order,
	 * and vsp_http_get() returns no body (the bytes counted in
	 * step->bytes, the cap still applied). A redirect's or an error
	 * status's body is kept as without it. pass may block (it is the
	 * transfer's back-pressure) and must take every byte. */
	void (*pass)(void *arg, const uint8_t *data, size_t n);
	void *pass_arg;
} vsp_http_request;

/* vsp_http_request.length of a GET without a Range. */
#define VSP_HTTP_WHOLE ((int64_t)-1)

/*
 * GETs req->url into a body of at most req->limit bytes, ending by
 * req->deadline_us. Fills *step (free with vsp_http_step_clear()) and, on
 * success, *body (caller frees with vsp_http_body_free(c, body, len), which
 * gives its bytes back to the budget; NUL-terminated, *body_len excludes
 * the NUL). Returns VSP_R_NONE for a whole 2xx body (with req->prefix: its
 * first bytes); otherwise the reason (http_status, timeout, dns, connect,
 * tls, too_large, redirect, protocol, network; internal on out of memory,
 * then step->err says VSP_E_NOMEM) and a message naming the URL in err.
 */
vsp_reason vsp_http_get(vsp_http_client *c, const vsp_http_request *req,
			vsp_http_step *step, uint8_t **body, size_t *body_len,
			char *err, size_t errlen);

void vsp_http_step_clear(vsp_http_step *step);

/* Frees a body c returned (NULL: nothing) and gives its reservation back
 * to the budget. With a budget, free() alone would keep it reserved. */
void vsp_http_body_free(vsp_http_client *c, uint8_t *body, size_t len);

/* What c holds of the budget: a parse of c's body reserves through it
 * (vsp_budget_take()), so the worker counts as one holder. */
vsp_budget_hold *vsp_http_hold(vsp_http_client *c);

/* 1 when the headers of opts may be sent to url (see header_origin). */
int vsp_http_headers_allowed(const vsp_http_opts *opts, const char *url);

/* curl_global_init(); call once from main() before any thread starts. */
int vsp_http_global_init(void);
void vsp_http_global_cleanup(void);

#endif
