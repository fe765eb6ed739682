/*
 * result.c - the result tree and the verdict rules of DESIGN.md.
 *
 * Worst-of is by severity (fail > warn > pass); the first reason at the
 * worst severity is the one reported.
 */
#include "result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

void vsp_verdict_set(vsp_verdict *v, vsp_status status, vsp_reason reason,
		     vsp_stage stage, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (v->status >= status && v->reason != VSP_R_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(v->message);
	v->message = strdup(buf);
	v->status = status;
	v->reason = reason;
	v->stage = stage;
}

static void verdict_clear(vsp_verdict *v)
{
	free(v->message);
	memset(v, 0, sizeof(*v));
}

/* The definitions are result.h's (vsp_origin_figures). */
static void origin_figures(vsp_origin_result *o)
{
	vsp_origin_figures *f = &o->fig;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *r = &o->renditions[i];

		if (r->v.status != VSP_FAIL && r->ttff_ms > 0 &&
		    (!f->has_ttff || r->ttff_ms < f->ttff_ms)) {
			f->ttff_ms = r->ttff_ms;
			f->best = i;
			f->has_ttff = 1;
		}
		if (r->has_live_edge_lag && isfinite(r->live_edge_lag_s) &&
		    (!f->has_edge_lag || r->live_edge_lag_s > f->edge_lag_s)) {
			f->edge_lag_s = r->live_edge_lag_s;
			f->has_edge_lag = 1;
		}
		if (r->has_playlist_age && isfinite(r->playlist_age_s) &&
		    (!f->has_playlist_age ||
		     r->playlist_age_s > f->playlist_age_s)) {
			f->playlist_age_s = r->playlist_age_s;
			f->has_playlist_age = 1;
		}
		if (r->rtf > 0 && isfinite(r->rtf) &&
		    (!f->has_rtf || r->rtf < f->rtf)) {
			f->rtf = r->rtf;
			f->has_rtf = 1;
		}
	}
}

void vsp_origin_judge(vsp_origin_result *o)
{
	size_t failed = 0, warned = 0;
	const vsp_rendition_result *first_bad = NULL;

	origin_figures(o);
	o->n_playable = 0;
	if (o->v.status == VSP_FAIL)
		return; /* the manifest already failed */
	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *r = &o->renditions[i];

		if (r->v.status == VSP_FAIL)
			failed++;
		else
			o->n_playable++;
		if (r->v.status == VSP_WARN)
			warned++;
		if (r->v.status != VSP_PASS &&
		    (!first_bad || r->v.status > first_bad->v.status))
			first_bad = r;
	}
	if (o->n_renditions == 0) {
		vsp_verdict_set(&o->v, VSP_FAIL, VSP_R_SEGMENT_MISSING,
				VSP_STAGE_MANIFEST, "%s: no rendition to probe",
				o->url);
	} else if (o->n_playable == 0) {
		vsp_verdict_set(&o->v, VSP_FAIL, first_bad->v.reason,
				first_bad->v.stage,
				"no rendition plays: %s: %s", first_bad->name,
				first_bad->v.message);
	} else if (failed) {
		vsp_verdict_set(&o->v, VSP_WARN, first_bad->v.reason,
				first_bad->v.stage,
				"%zu of %zu renditions fail: %s: %s", failed,
				o->n_renditions, first_bad->name,
				first_bad->v.message);
	} else if (warned) {
		vsp_verdict_set(&o->v, VSP_WARN, first_bad->v.reason,
				first_bad->v.stage, "%s: %s", first_bad->name,
				first_bad->v.message);
	}
}

void vsp_stream_judge(vsp_stream_result *s)
{
	const vsp_origin_result *bad = NULL;
	size_t min = s->min_healthy > 0 ? (size_t)s->min_healthy : 1;

	s->n_healthy = 0;
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];

		if (o->v.status != VSP_FAIL)
			s->n_healthy++;
		if (o->v.status != VSP_PASS &&
		    (!bad || o->v.status > bad->v.status))
			bad = o;
	}
	if (s->n_healthy < min) {
		if (s->n_origins == 1 && bad)
			vsp_verdict_set(&s->v, VSP_FAIL, bad->v.reason,
					bad->v.stage, "%s: %s", bad->name,
					bad->v.message);
		else
			vsp_verdict_set(&s->v, VSP_FAIL, VSP_R_ORIGINS_DOWN,
					bad ? bad->v.stage : VSP_STAGE_NONE,
					"%zu of %zu origins playable (need "
					"%zu)%s%s%s%s",
					s->n_healthy, s->n_origins, min,
					bad ? "; " : "", bad ? bad->name : "",
					bad ? ": " : "",
					bad && bad->v.message ? bad->v.message
							      : "");
	} else if (bad && bad->v.status == VSP_FAIL) {
		vsp_verdict_set(
			&s->v, VSP_WARN, VSP_R_REDUNDANCY_LOST, bad->v.stage,
			"%zu of %zu origins playable; %s: %s", s->n_healthy,
			s->n_origins, bad->name, bad->v.message);
	} else if (s->n_mismatches > 0) {
		/* A backup that plays another stream is broken though it
		 * plays: above an origin's own warning, below a dead one. */
		const vsp_origin_mismatch *m = &s->mismatches[0];

		if (s->n_mismatches > 1)
			vsp_verdict_set(&s->v, VSP_WARN, VSP_R_ORIGIN_MISMATCH,
					m->stage,
					"%s (and %zu more difference%s)",
					m->message, s->n_mismatches - 1,
					s->n_mismatches > 2 ? "s" : "");
		else
			vsp_verdict_set(&s->v, VSP_WARN, VSP_R_ORIGIN_MISMATCH,
					m->stage, "%s", m->message);
	} else if (bad) {
		vsp_verdict_set(&s->v, VSP_WARN, bad->v.reason, bad->v.stage,
				"%s: %s", bad->name, bad->v.message);
	}
}

const char *vsp_kind_name(vsp_kind k)
{
#define X_NAME(e, name) name,
	static const char *const names[] = { NULL, VSP_KIND_MAP(X_NAME) };
#undef X_NAME

	return (unsigned)k < VSP_KIND_COUNT ? names[k] : NULL;
}

void vsp_ladder_entry_clear(vsp_ladder_entry *e)
{
	if (!e)
		return;
	free(e->codecs);
	free(e->lang);
	memset(e, 0, sizeof(*e));
}

void vsp_rendition_result_clear(vsp_rendition_result *r)
{
	if (!r)
		return;
	verdict_clear(&r->v);
	free(r->name);
	free(r->uri);
	free(r->group);
	free(r->audio_group);
	free(r->video_group);
	free(r->codecs);
	free(r->key_method);
	free(r->live_note);
	free(r->thumbnail);
	free(r->conformance);
	vsp_http_step_clear(&r->playlist);
	vsp_http_step_clear(&r->key);
	vsp_http_step_clear(&r->init);
	vsp_http_step_clear(&r->segment);
	for (size_t i = 0; i < r->n_segs; i++) {
		vsp_http_step_clear(&r->segs[i].http);
		free(r->segs[i].decode);
	}
	free(r->segs);
	memset(r, 0, sizeof(*r));
}

vsp_segment_check *vsp_segment_check_add(vsp_rendition_result *r)
{
	vsp_segment_check *c;

	/* The sample, and the few live roles (newest, start, removed). */
	if (r->n_segs >= VSP_MAX_SEGMENT_CHECKS + 4)
		return NULL;
	if (r->n_segs == r->segs_alloc) {
		size_t want = r->segs_alloc ? r->segs_alloc * 2 : 4;
		vsp_segment_check *p;

		p = realloc(r->segs, want * sizeof(*p));
		if (!p)
			return NULL;
		r->segs = p;
		r->segs_alloc = want;
	}
	c = &r->segs[r->n_segs++];
	memset(c, 0, sizeof(*c));
	c->http.age_s = -1;
	return c;
}

void vsp_origin_result_clear(vsp_origin_result *o)
{
	if (!o)
		return;
	verdict_clear(&o->v);
	free(o->name);
	free(o->url);
	vsp_http_step_clear(&o->manifest);
	for (size_t i = 0; i < o->n_renditions; i++)
		vsp_rendition_result_clear(&o->renditions[i]);
	free(o->renditions);
	for (size_t i = 0; i < o->n_ladder; i++)
		vsp_ladder_entry_clear(&o->ladder[i]);
	free(o->ladder);
	memset(o, 0, sizeof(*o));
}

void vsp_stream_result_free(vsp_stream_result *s)
{
	if (!s)
		return;
	verdict_clear(&s->v);
	free(s->probe);
	for (size_t i = 0; i < s->n_origins; i++)
		vsp_origin_result_clear(&s->origins[i]);
	free(s->origins);
	for (size_t i = 0; i < s->n_mismatches; i++)
		free(s->mismatches[i].message);
	free(s->mismatches);
	free(s);
}
