/*
 * probe_live.c - the live reload loop shared by HLS and DASH: reloads a
 * manifest within the deadline and judges its freshness (live.c holds the
 * pure rules).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "limits.h"
#include "live.h"
#include "probe_int.h"

void vsp_rendition_note(vsp_rendition_result *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(r->live_note);
	r->live_note = strdup(buf);
}

static void sleep_until_wall(double t)
{
	double d = t - vsp_wall_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* One live check in progress: the evidence gathered so far and the last
 * reload's step, whose headers judge a manifest that moved on. */
struct live_run {
	struct worker *w;
	vsp_rendition_result *r;
	const vsp_http_step *fst;
	const struct live_source *src;
	double td, t0;
	vsp_http_step st;
	vsp_live_evidence ev;
};

/* The evidence of the first load, before any reload. */
static void live_begin(struct live_run *lr, double published)
{
	vsp_rendition_result *r = lr->r;

	lr->ev.now = vsp_wall_s();
	lr->ev.age_s = (double)lr->fst->age_s;
	lr->ev.last_modified = lr->fst->last_modified;
	lr->ev.newest_end = r->newest_end;
	lr->ev.published = published;
	lr->ev.reload_span_s = -1;
	if (r->newest_end > 0) {
		/* At the load that listed it: how far behind the clock the
		 * origin's manifest is, not how long our segment took. */
		r->live_edge_lag_s = lr->t0 - r->newest_end;
		r->has_live_edge_lag = 1;
	}
}

/* Whether reload k, due at wall time at, can still finish before the
 * deadline (twice the first load's time plus a margin). When the very first
 * cannot, the note says what freshness is then judged from. */
static int live_reload_fits(struct live_run *lr, int k, double at)
{
	struct origin_ctx *o = lr->w->o;
	double left = (double)(o->deadline_us - vsp_now_us()) / 1e6;
	double need = (at - vsp_wall_s()) + 2 * lr->fst->total_ms / 1000.0 +
		      VSP_RELOAD_MARGIN_S;

	if (need > left) {
		if (k == 0)
			vsp_rendition_note(lr->r,
					   "no reload: %.1f s left before "
					   "the deadline, "
					   "a reload needs one target "
					   "duration (%.1f s); "
					   "freshness judged only from "
					   "HTTP Age and "
					   "Last-Modified, and %s",
					   left, lr->td, lr->src->dates);
		return 0;
	}
	return 1;
}

/* After a reload that moved on: the segment that just left must still
 * answer, and an end during the check is worth a note. */
static void live_moved(struct live_run *lr, int ended)
{
	const struct live_source *src = lr->src;

	if (src->removed) {
		struct seg_plan gone;

		memset(&gone, 0, sizeof(gone));
		if (src->removed(src->ctx, &gone) == 1)
			vsp_probe_removed(lr->w, lr->r, &gone);
	}
	if (ended)
		vsp_rendition_note(lr->r, "stream ended during the check");
}

/* Reload k: waits for its time, fetches and parses the manifest. Returns 1
 * to reload again, 0 when there is nothing more to learn (it moved on, it
 * is already stale, it failed, or the deadline is too close). */
static int live_reload(struct live_run *lr, int k)
{
	struct worker *w = lr->w;
	struct origin_ctx *o = w->o;
	const vsp_probe_cfg *cfg = o->cfg;
	const struct live_source *src = lr->src;
	vsp_http_step *st = &lr->st;
	double at = lr->t0 + lr->td * (k == 0 ? 1.0 : 1.0 + 0.5 * k);
	vsp_live_evidence direct;
	uint8_t *body = NULL;
	size_t len = 0;
	int moved, ended = 0;
	vsp_reason rc;
	char err[512];
	vsp_http_request req = { .url = lr->fst->url,
				 .length = VSP_HTTP_WHOLE,
				 .limit = VSP_MANIFEST_MAX_BYTES,
				 .deadline_us = o->deadline_us };

	if (!live_reload_fits(lr, k, at))
		return 0;
	sleep_until_wall(at);
	/* A reload that fails is a note (freshness is then judged from what
	 * came before), unless the prober itself failed: out of memory goes
	 * to the check's error channel, never into a verdict or a note. */
	rc = vsp_http_get(w->http, &req, st, &body, &len, err, sizeof(err));
	if (rc == VSP_R_INTERNAL) {
		vsp_probe_fail(o, &lr->r->v, rc, st->err, VSP_STAGE_LIVE,
			       "reload: %s", err);
		return 0;
	}
	if (rc != VSP_R_NONE) {
		vsp_rendition_note(lr->r, "reload failed: %s", err);
		return 0;
	}
	moved = src->reload(src->ctx, body, len,
			    st->final_url ? st->final_url : st->url, &ended,
			    err, sizeof(err));
	vsp_http_body_free(w->http, body, len);
	if (moved == VSP_E_NOMEM) {
		vsp_probe_error(o, VSP_E_NOMEM, "origin %s: reload: %s",
				o->ocfg->name ? o->ocfg->name : "?", err);
		return 0;
	}
	if (moved < 0) {
		vsp_rendition_note(lr->r, "reload: %s", err);
		return 0;
	}
	lr->r->reloads++;
	lr->ev.advanced = moved;
	if (moved) {
		live_moved(lr, ended);
		return 0;
	}
	lr->ev.reload_span_s = st->fetched_at - lr->t0;
	lr->ev.now = vsp_wall_s();
	/* Stop early only on evidence of the manifest itself not
	 * changing. The newest segment's end also grows with how late
	 * an origin is: a late origin that still moves must get the
	 * reloads that show it (and is then origin_lagging, not
	 * stale). */
	direct = lr->ev;
	direct.newest_end = 0;
	return vsp_live_staleness(&direct, lr->td, cfg->stale_warn_factor,
				  cfg->stale_fail_factor) != VSP_FAIL;
}

/* After the reloads: how long the manifest has gone unchanged, and the
 * stale_playlist verdict that follows from it. */
static void live_judge(struct live_run *lr)
{
	const vsp_probe_cfg *cfg = lr->w->o->cfg;
	vsp_rendition_result *r = lr->r;
	vsp_live_evidence *ev = &lr->ev;
	double td = lr->td, unchanged;
	vsp_status stale;

	if (r->reloads > 0)
		r->advanced = ev->advanced;
	if (ev->advanced) {
		/* Moving: how fresh its latest copy is, when headers say. */
		vsp_live_evidence now = { .now = vsp_wall_s(),
					  .age_s = (double)lr->st.age_s,
					  .last_modified = lr->st.last_modified,
					  .reload_span_s = -1 };

		unchanged = vsp_live_unchanged_s(&now);
	} else {
		ev->now = vsp_wall_s();
		unchanged = vsp_live_unchanged_s(ev);
	}
	if (unchanged >= 0) {
		r->playlist_age_s = unchanged;
		r->has_playlist_age = 1;
	} else if (!r->live_note && !ev->advanced) {
		/* A manifest that moved on is fresh; only one seen once, with
		 * no header or date to go by, leaves freshness unknown. */
		vsp_rendition_note(
			r,
			"freshness unknown: no reload possible and no Age, "
			"Last-Modified or %s",
			lr->src->dates);
	}
	stale = vsp_live_staleness(ev, td, cfg->stale_warn_factor,
				   cfg->stale_fail_factor);
	if (stale != VSP_PASS)
		vsp_verdict_set(
			&r->v, stale, VSP_R_STALE_PLAYLIST, VSP_STAGE_LIVE,
			"%s %s has not changed for %.1f s (%.1fx the "
			"%.0f s target duration; newest segment %lld)%s",
			lr->src->what, lr->fst->url, unchanged, unchanged / td,
			td, (long long)r->newest_seq,
			stale == VSP_FAIL ? ": players give up" : "");
}

void vsp_live_check(struct worker *w, vsp_rendition_result *r,
		    const vsp_http_step *fst, double td, double published,
		    const struct live_source *src)
{
	struct live_run lr = { .w = w,
			       .r = r,
			       .fst = fst,
			       .src = src,
			       .td = td,
			       .t0 = fst->fetched_at };

	r->advanced = -1;
	if (td <= 0)
		return;
	live_begin(&lr, published);
	for (int k = 0; live_reload(&lr, k); k++)
		;
	live_judge(&lr);
	vsp_http_step_clear(&lr.st);
}
