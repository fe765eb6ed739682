/*
 * probe.c - the common probe pipeline: origins in parallel, the manifest and
 * its protocol, renditions of an origin on a small worker pool, then the
 * verdicts. The segment step is segment.c's, the player's checks
 * validate.c's, the live reload loop probe_live.c's, rules across origins
 * compare.c's.
 *
 * Every step is bounded by the check's deadline. Never prints; a target that
 * is down becomes a verdict, never an error.
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "command.h"
#include "decode.h"
#include "limits.h"
#include "live.h"
#include "probe_int.h"
#include "redact.h"
#include "termsafe.h"

static const struct protocol *const protocols[] = {
	&vsp_protocol_hls,
	&vsp_protocol_dash,
};

/* Process-wide (vsp_probe_set_serial_renditions): set before the first
 * check, read only after. */
static int serial_renditions;

void vsp_probe_set_serial_renditions(int on)
{
	serial_renditions = on != 0;
}

/* A serial worker's news for the origin's thread (o->wake): its rendition
 * is live (grow), or it ended. */
static void worker_tell(struct origin_ctx *o, int grow, int done)
{
	if (!o->wake)
		return;
	pthread_mutex_lock(&o->lock);
	o->grow |= grow;
	o->workers_done += (size_t)done;
	pthread_cond_signal(o->wake);
	pthread_mutex_unlock(&o->lock);
}

/* The k-th job a worker takes. Serial, each origin starts at another
 * rendition (its index in the check): ladders list their renditions in the
 * same order, and the origins' largest segment bodies would otherwise wait
 * for the one decoder at the same time (round 4: 67 -> 64 MB). */
static size_t job_at(const struct origin_ctx *o, size_t k)
{
	return o->wake ? (k + o->index) % o->n_jobs : k;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct origin_ctx *o = w->o;

	for (;;) {
		struct rend_job *j;
		struct seg_plan plan;
		void *scratch = NULL;
		int rc;

		/* After an error the check returns no tree: stop. */
		if (vsp_probe_failed(o))
			break;
		pthread_mutex_lock(&o->lock);
		j = o->next_job < o->n_jobs ? &o->jobs[job_at(o, o->next_job++)]
					    : NULL;
		pthread_mutex_unlock(&o->lock);
		if (!j)
			break;
		memset(&plan, 0, sizeof(plan));
		plan.length = -1;
		plan.init_length = -1;
		rc = o->proto->prepare(w, j, &plan, &scratch);
		/* A live rendition reloads its playlist for seconds: the
		 * origin's others must not wait for it in series. */
		if (j->r->live)
			worker_tell(o, 1, 0);
		if (rc == 0) {
			vsp_probe_segment(w, j->r, &plan, j->audio);
			vsp_probe_sample(w, j, &plan, scratch);
			if (o->proto->after)
				o->proto->after(w, j, scratch);
			vsp_probe_content(w, j);
		}
		if (o->proto->release)
			o->proto->release(scratch);
	}
	worker_tell(o, 0, 1);
	return NULL;
}

/* Starts workers[from..n-1] on threads, each with a client of its own. */
static void workers_start(struct origin_ctx *o, struct worker *workers,
			  pthread_t *tids, int *started, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++) {
		workers[i].o = o;
		workers[i].http = vsp_http_client_new(&o->http_opts);
		if (workers[i].http &&
		    pthread_create(&tids[i], NULL, worker_main, &workers[i]) ==
			    0)
			started[i] = 1;
	}
}

/* Serial renditions (vsp_probe_set_serial_renditions): worker 0 alone runs
 * the origin's renditions one after another, so one segment body of this
 * origin is in memory at a time, not one per rendition (issue 18: 77 ->
 * 67 MB peak for a check of three 1080p/720p/480p origins,
 * bench/README.md). Origins still run in parallel, so a slow origin delays
 * only its own renditions; and to keep that delay bounded, the rest of the
 * pool starts as soon as a rendition turns out live (its reload loop holds
 * the worker for seconds) or 1/VSP_SERIAL_SHARE of the time left has passed
 * (a slow or stalled transfer). Returns 1 when worker 0 runs on its thread
 * (the pool is then started as needed and all joined), 0 when it could not
 * start (the caller runs the pool as usual). */
static int run_serial(struct origin_ctx *o, struct worker *workers,
		      pthread_t *tids, int *started, size_t n)
{
	pthread_condattr_t attr;
	pthread_cond_t wake;
	struct timespec ts;
	int64_t now = vsp_now_us();
	int64_t end = now + (o->deadline_us - now) / VSP_SERIAL_SHARE;
	int grow = 0;

	if (pthread_condattr_init(&attr) != 0)
		return 0;
	/* The phase ends at a monotonic time, as the deadline. */
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&wake, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		return 0;
	}
	pthread_condattr_destroy(&attr);
	o->wake = &wake;
	if (pthread_create(&tids[0], NULL, worker_main, &workers[0]) != 0) {
		o->wake = NULL;
		pthread_cond_destroy(&wake);
		return 0;
	}
	started[0] = 1;
	ts.tv_sec = (time_t)(end / 1000000);
	ts.tv_nsec = (long)(end % 1000000) * 1000;
	pthread_mutex_lock(&o->lock);
	while (!o->grow && o->workers_done == 0)
		if (pthread_cond_timedwait(&wake, &o->lock, &ts) == ETIMEDOUT)
			break;
	grow = o->workers_done == 0 && o->next_job < o->n_jobs;
	pthread_mutex_unlock(&o->lock);
	if (grow)
		workers_start(o, workers, tids, started, 1, n);
	for (size_t i = 0; i < n; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
	o->wake = NULL;
	pthread_cond_destroy(&wake);
	return 1;
}

/* first: the client that fetched the manifest, handed to the first worker
 * with its open connection (taken over: freed here). */
static void run_renditions(struct origin_ctx *o, vsp_http_client *first)
{
	size_t n = o->n_jobs < VSP_RENDITION_PARALLEL ? o->n_jobs
						      : VSP_RENDITION_PARALLEL;
	struct worker workers[VSP_RENDITION_PARALLEL] = { { 0 } };
	pthread_t tids[VSP_RENDITION_PARALLEL];
	int started[VSP_RENDITION_PARALLEL] = { 0 };

	if (n == 0) {
		vsp_http_client_free(first);
		return;
	}
	workers[0].o = o;
	workers[0].http = first ? first : vsp_http_client_new(&o->http_opts);
	/* A live manifest (DASH says so before any rendition): the pool. */
	if (!serial_renditions || n == 1 || o->res->live || !workers[0].http ||
	    !run_serial(o, workers, tids, started, n)) {
		/* The first worker runs on this thread. */
		workers_start(o, workers, tids, started, 1, n);
		if (workers[0].http)
			worker_main(&workers[0]);
		for (size_t i = 1; i < n; i++)
			if (started[i])
				pthread_join(tids[i], NULL);
	}
	for (size_t i = 0; i < n; i++)
		vsp_http_client_free(workers[i].http);
	/* Jobs left in the queue had no worker (no memory for a client, no
	 * thread): the check could not run, rather than report them as
	 * passing or failing. */
	if (o->next_job < o->n_jobs)
		vsp_probe_error(o, VSP_E_NOMEM,
				"origin %s: %zu renditions not probed: no "
				"worker (out of memory)",
				o->ocfg->name ? o->ocfg->name : "?",
				o->n_jobs - o->next_job);
}

static const struct protocol *detect_protocol(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i]->detect(b, n))
			return protocols[i];
	return NULL;
}

static void *origin_main(void *arg)
{
	struct origin_ctx *o = arg;
	vsp_origin_result *res = o->res;
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768], ex[48];
	vsp_http_client *http;
	vsp_http_request req = { 0 };
	vsp_reason rc;

	/* Fresh tokens for this check: a failure is this origin's. */
	if (o->ocfg->headers_command || o->ocfg->url_command) {
		if (vsp_origin_commands_run(o->cfg, o->ocfg, o->deadline_us,
					    &o->run, err, sizeof(err))) {
			vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_COMMAND_FAILED,
					VSP_STAGE_MANIFEST, "%s", err);
			return NULL;
		}
		o->ocfg = &o->run;
		o->http_opts.headers = (const char *const *)o->run.headers;
		o->http_opts.n_headers = o->run.n_headers;
	}
	http = vsp_http_client_new(&o->http_opts);
	if (!http) {
		vsp_probe_error(o, VSP_E_NOMEM, "origin %s: out of memory",
				o->ocfg->name ? o->ocfg->name : "?");
		return NULL;
	}
	req.url = o->ocfg->url;
	req.length = VSP_HTTP_WHOLE;
	req.limit = VSP_MANIFEST_MAX_BYTES;
	req.deadline_us = o->deadline_us;
	rc = vsp_http_get(http, &req, &res->manifest, &body, &len, err,
			  sizeof(err));
	if (rc) {
		vsp_http_client_free(http);
		vsp_probe_fail(o, &res->v, rc, res->manifest.err,
			       VSP_STAGE_MANIFEST, "manifest: %s", err);
		return NULL;
	}
	o->proto = detect_protocol(body, len);
	if (!o->proto) {
		vsp_body_quote(body, len, ex, sizeof(ex));
		vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_MANIFEST_SYNTAX,
				VSP_STAGE_MANIFEST,
				"manifest %s: neither an HLS playlist "
				"(#EXTM3U) nor a DASH MPD (<MPD): "
				"content type %s, starts with '%s'",
				o->ocfg->url,
				res->manifest.content_type
					? res->manifest.content_type
					: "none",
				ex);
		vsp_http_body_free(http, body, len);
		vsp_http_client_free(http);
		return NULL;
	}
	res->protocol = o->proto->name;
	o->plan_hold = vsp_http_hold(http);
	o->proto->plan(o, body, len);
	o->plan_hold = NULL;
	vsp_http_body_free(http, body, len);
	if (res->v.status != VSP_FAIL) {
		/* The manifest's connection is reused for the renditions
		 * rather than a new one opened beside it. */
		run_renditions(o, http);
		http = NULL;
		if (o->proto->finish)
			o->proto->finish(o);
	}
	vsp_http_client_free(http);
	return NULL;
}

/* vsp_redact_result() with the secrets of every origin as this check ran
 * them (their commands' outputs are secrets too), one set for the tree. */
static int redact_with_commands(vsp_stream_result *s, const vsp_probe_cfg *cfg,
				const struct origin_ctx *ctx)
{
	const char **secrets;
	size_t total = 0, n = 0;
	int mask_query = 0, rv;

	for (size_t i = 0; i < cfg->n_origins; i++) {
		total += ctx[i].ocfg->n_secrets;
		mask_query |= ctx[i].ocfg->secret_query;
	}
	secrets = calloc(total ? total : 1, sizeof(*secrets));
	if (!secrets)
		return -1;
	for (size_t i = 0; i < cfg->n_origins; i++)
		for (size_t k = 0; k < ctx[i].ocfg->n_secrets; k++)
			secrets[n++] = ctx[i].ocfg->secrets[k];
	rv = vsp_redact_result(s, secrets, n, mask_query);
	free(secrets);
	return rv;
}

/* The result's skeleton: one empty origin result per configured origin.
 * Returns -1 on out of memory. */
static int stream_init(vsp_stream_result *s, const vsp_probe_cfg *cfg)
{
	s->time = vsp_wall_s();
	s->min_healthy = cfg->min_healthy;
	s->probe = vsp_strdup_or_null(cfg->name);
	s->origins = calloc(cfg->n_origins ? cfg->n_origins : 1,
			    sizeof(*s->origins));
	if (!s->origins)
		return -1;
	s->n_origins = cfg->n_origins;
	return 0;
}

/* Each origin's context: its result, the check's one deadline, its HTTP
 * options, and the budget and error the whole check shares. */
static void origins_init(struct origin_ctx *ctx, vsp_stream_result *s,
			 const vsp_probe_cfg *cfg, int64_t t0,
			 vsp_budget *budget, struct check_error *error)
{
	for (size_t i = 0; i < cfg->n_origins; i++) {
		struct origin_ctx *o = &ctx[i];
		const vsp_origin_cfg *oc = &cfg->origins[i];

		o->cfg = cfg;
		o->ocfg = oc;
		o->res = &s->origins[i];
		o->res->name = vsp_strdup_or_null(oc->name);
		o->res->url = vsp_strdup_or_null(oc->url);
		o->deadline_us = t0 + (int64_t)(cfg->timeout_s * 1e6);
		o->http_opts.user_agent = cfg->user_agent;
		o->http_opts.headers = (const char *const *)oc->headers;
		o->http_opts.n_headers = oc->n_headers;
		o->http_opts.resolve = (const char *const *)oc->resolve;
		o->http_opts.n_resolve = oc->n_resolve;
		o->http_opts.cacert = oc->cacert;
		o->http_opts.insecure = oc->insecure;
		o->http_opts.header_origin = oc->url;
		o->http_opts.header_hosts =
			(const char *const *)oc->header_hosts;
		o->http_opts.n_header_hosts = oc->n_header_hosts;
		o->http_opts.budget = budget;
		o->error = error;
		o->index = i;
		pthread_mutex_init(&o->lock, NULL);
	}
}

/* Origins in parallel: a dead origin must not eat the time of a live one.
 * The last origin runs on this thread, and so does any whose thread could
 * not start. */
static void origins_run(struct origin_ctx *ctx, size_t n, pthread_t *tids,
			int *started)
{
	for (size_t i = 0; i + 1 < n; i++)
		started[i] = pthread_create(&tids[i], NULL, origin_main,
					    &ctx[i]) == 0;
	for (size_t i = 0; i < n; i++)
		if (!started[i])
			origin_main(&ctx[i]);
	for (size_t i = 0; i < n; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
}

/* The verdicts that need every origin done: the lag between them, each
 * origin's own, the mismatch of their ladders, then the stream's. */
static void stream_judge_all(vsp_stream_result *s, const vsp_probe_cfg *cfg)
{
	if (cfg->n_origins > 1)
		vsp_origin_judge_lag(s, cfg);
	for (size_t i = 0; i < cfg->n_origins; i++)
		vsp_origin_judge(&s->origins[i]);
	vsp_origin_judge_mismatch(s);
	vsp_stream_judge(s);
}

/* Frees what the origins' contexts hold; accepts contexts never started
 * (their cfg is NULL: no lock to destroy). */
static void origins_free(struct origin_ctx *ctx, size_t n)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < n; i++) {
		if (ctx[i].proto && ctx[i].proto->free_state)
			ctx[i].proto->free_state(ctx[i].state);
		free(ctx[i].jobs);
		vsp_origin_cfg_clear(&ctx[i].run);
		if (ctx[i].cfg)
			pthread_mutex_destroy(&ctx[i].lock);
	}
	free(ctx);
}

int vsp_probe_check(const vsp_probe_cfg *cfg, vsp_stream_result **out,
		    char *err, size_t errlen)
{
	vsp_stream_result *s = NULL;
	struct origin_ctx *ctx = NULL;
	vsp_budget *budget = NULL;
	pthread_t *tids = NULL;
	int *started = NULL;
	int64_t t0 = vsp_now_us();
	int rv = VSP_E_NOMEM;
	struct check_error error = { .code = 0 };

	*out = NULL;
	if (pthread_mutex_init(&error.lock, NULL) != 0) {
		snprintf(err, errlen, "cannot create a mutex");
		return VSP_E_INTERNAL;
	}
	s = calloc(1, sizeof(*s));
	ctx = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*ctx));
	tids = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*tids));
	started = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*started));
	if (!s || !ctx || !tids || !started || stream_init(s, cfg) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* One budget for the whole check, every origin's bodies in it. */
	budget = vsp_budget_new((size_t)(cfg->max_memory_mb > 0
						 ? cfg->max_memory_mb
						 : VSP_DEFAULT_MAX_MEMORY_MB) *
				1024 * 1024);
	if (!budget) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	origins_init(ctx, s, cfg, t0, budget, &error);
	origins_run(ctx, cfg->n_origins, tids, started);
	stream_judge_all(s, cfg);
	/* Out of memory or an internal failure: no verdict, an error. */
	if (vsp_probe_error_lift(&error, s)) {
		snprintf(err, errlen, "%s", error.msg);
		rv = error.code;
		goto fail;
	}
	s->duration_ms = (double)(vsp_now_us() - t0) / 1000.0;
	/* With the secrets the origins' commands gave. */
	if (redact_with_commands(s, cfg, ctx) != 0) {
		snprintf(err, errlen, "out of memory redacting secrets");
		goto fail;
	}
	*out = s;
	s = NULL;
	rv = 0;
fail:
	origins_free(ctx, cfg->n_origins);
	free(tids);
	free(started);
	vsp_budget_free(budget);
	vsp_stream_result_free(s);
	pthread_mutex_destroy(&error.lock);
	return rv;
}
