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

void vsp_live_check(struct worker *w, vsp_rendition_result *r,
		    const vsp_http_step *fst, double td, double published,
		    const struct live_source *src)
{
	struct origin_ctx *o = w->o;
	const vsp_probe_cfg *cfg = o->cfg;
	vsp_http_step st = { 0 };
	vsp_live_evidence ev = { 0 }, direct;
	double t0 = fst->fetched_at, unchanged;
	vsp_status stale;
	char err[512];

	r->advanced = -1;
	if (td <= 0)
		return;
	ev.now = vsp_wall_s();
	ev.age_s = (double)fst->age_s;
	ev.last_modified = fst->last_modified;
	ev.newest_end = r->newest_end;
	ev.published = published;
	ev.reload_span_s = -1;
	if (r->newest_end > 0) {
		/* At the load that listed it: how far behind the clock the
		 * origin's manifest is, not how long our segment took. */
		r->live_edge_lag_s = t0 - r->newest_end;
		r->has_live_edge_lag = 1;
	}
	for (int k = 0;; k++) {
		double at = t0 + td * (k == 0 ? 1.0 : 1.0 + 0.5 * k);
		double left = (double)(o->deadline_us - vsp_now_us()) / 1e6;
		double need = (at - vsp_wall_s()) + 2 * fst->total_ms / 1000.0 +
			      VSP_RELOAD_MARGIN_S;
		uint8_t *body = NULL;
		size_t len = 0;
		int moved, ended = 0;
		vsp_http_request req = { .url = fst->url,
					 .length = VSP_HTTP_WHOLE,
					 .limit = VSP_MANIFEST_MAX_BYTES,
					 .deadline_us = o->deadline_us };

		if (need > left) {
			if (k == 0)
				vsp_rendition_note(
					r,
					"no reload: %.1f s left before "
					"the deadline, "
					"a reload needs one target "
					"duration (%.1f s); "
					"freshness judged only from "
					"HTTP Age and "
					"Last-Modified, and %s",
					left, td, src->dates);
			break;
		}
		sleep_until_wall(at);
		if (vsp_http_get(w->http, &req, &st, &body, &len, err,
				 sizeof(err)) != VSP_R_NONE) {
			vsp_rendition_note(r, "reload failed: %s", err);
			break;
		}
		moved = src->reload(src->ctx, body, len,
				    st.final_url ? st.final_url : st.url,
				    &ended, err, sizeof(err));
		vsp_http_body_free(w->http, body, len);
		if (moved < 0) {
			vsp_rendition_note(r, "reload: %s", err);
			break;
		}
		r->reloads++;
		ev.advanced = moved;
		if (moved && src->removed) {
			struct seg_plan gone;

			memset(&gone, 0, sizeof(gone));
			if (src->removed(src->ctx, &gone) == 1)
				vsp_probe_removed(w, r, &gone);
		}
		if (moved) {
			if (ended)
				vsp_rendition_note(
					r, "stream ended during the check");
			break;
		}
		ev.reload_span_s = st.fetched_at - t0;
		ev.now = vsp_wall_s();
		/* Stop early only on evidence of the manifest itself not
		 * changing. The newest segment's end also grows with how late
		 * an origin is: a late origin that still moves must get the
		 * reloads that show it (and is then origin_lagging, not
		 * stale). */
		direct = ev;
		direct.newest_end = 0;
		if (vsp_live_staleness(&direct, td, cfg->stale_warn_factor,
				       cfg->stale_fail_factor) == VSP_FAIL)
			break; /* nothing more to learn */
	}
	if (r->reloads > 0)
		r->advanced = ev.advanced;
	if (ev.advanced) {
		/* Moving: how fresh its latest copy is, when headers say. */
		vsp_live_evidence now = { .now = vsp_wall_s(),
					  .age_s = (double)st.age_s,
					  .last_modified = st.last_modified,
					  .reload_span_s = -1 };

		unchanged = vsp_live_unchanged_s(&now);
	} else {
		ev.now = vsp_wall_s();
		unchanged = vsp_live_unchanged_s(&ev);
	}
	if (unchanged >= 0) {
		r->playlist_age_s = unchanged;
		r->has_playlist_age = 1;
	} else if (!r->live_note && !ev.advanced) {
		/* A manifest that moved on is fresh; only one seen once, with
		 * no header or date to go by, leaves freshness unknown. */
		vsp_rendition_note(
			r,
			"freshness unknown: no reload possible and no Age, "
			"Last-Modified or %s",
			src->dates);
	}
	stale = vsp_live_staleness(&ev, td, cfg->stale_warn_factor,
				   cfg->stale_fail_factor);
	if (stale != VSP_PASS)
		vsp_verdict_set(
			&r->v, stale, VSP_R_STALE_PLAYLIST, VSP_STAGE_LIVE,
			"%s %s has not changed for %.1f s (%.1fx the "
			"%.0f s target duration; newest segment %lld)%s",
			src->what, fst->url, unchanged, unchanged / td, td,
			(long long)r->newest_seq,
			stale == VSP_FAIL ? ": players give up" : "");
	vsp_http_step_clear(&st);
}
