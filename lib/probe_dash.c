/*
 * probe_dash.c - MPEG-DASH in the probe pipeline: MPD -> the video and audio
 * Representations to probe, and per Representation the one segment to fetch
 * (the first for VOD, one near the live edge for live), with the clock set
 * from UTCTiming and, for SegmentBase, the sidx fetched by byte range.
 *
 * Parsing and segment arithmetic are dash.c's; fetching the init and media
 * segment, decoding and judging are probe.c's. Text and image
 * AdaptationSets are never probed: a player does not need them to play.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "conform.h"
#include "dash.h"
#include "dash_segment.h"
#include "dash_sidx.h"
#include "datetime.h"
#include "limits.h"
#include "probe_int.h"
#include "url.h"

struct dash_state {
	vsp_dash_mpd *mpd;
	const vsp_dash_period *period;
	double clock_offset; /* server minus local, seconds */
};

enum { KIND_SKIP = 0, KIND_VIDEO, KIND_AUDIO };

static int detect_dash(const uint8_t *b, size_t n)
{
	return vsp_dash_detect(b, n);
}

static const char *base_of(const vsp_http_step *st)
{
	return st->final_url ? st->final_url : st->url;
}

static int has_prefix(const char *s, const char *p)
{
	return s && strncasecmp(s, p, strlen(p)) == 0;
}

/* Video, audio, or neither (text, images, unknown), as a player sorts
 * AdaptationSets: contentType, then mimeType, then codecs. */
static int rep_kind(const vsp_dash_adaptation *a,
		    const vsp_dash_representation *r)
{
	const char *ct = r->content_type ? r->content_type : a->content_type;
	const char *mime = r->mime_type ? r->mime_type : a->mime_type;
	const char *c = r->codecs;

	if (has_prefix(c, "stpp") || has_prefix(c, "wvtt") ||
	    has_prefix(c, "tx3g") || has_prefix(c, "ttml"))
		return KIND_SKIP;
	if (ct)
		return strcasecmp(ct, "video") == 0   ? KIND_VIDEO
		       : strcasecmp(ct, "audio") == 0 ? KIND_AUDIO
						      : KIND_SKIP;
	if (mime)
		return has_prefix(mime, "video/")   ? KIND_VIDEO
		       : has_prefix(mime, "audio/") ? KIND_AUDIO
						    : KIND_SKIP;
	if (c)
		return vsp_codecs_audio_only(c) ? KIND_AUDIO : KIND_VIDEO;
	return r->width > 0 ? KIND_VIDEO : KIND_SKIP;
}

struct cand {
	const vsp_dash_adaptation *set;
	const vsp_dash_representation *rep;
	int kind;
};

/* Picks from the candidates of one kind by the probe's rule, as
 * probe_hls.c does for variants: marks chosen ones in chosen[]. */
static int pick_kind(const struct cand *c, size_t n, int kind, vsp_pick pick,
		     int count, unsigned char *chosen)
{
	size_t *map = malloc((n ? n : 1) * sizeof(*map));
	size_t *out = malloc((n ? n : 1) * sizeof(*out));
	int64_t *bw = malloc((n ? n : 1) * sizeof(*bw));
	size_t m = 0;
	int k = -1;

	if (map && out && bw) {
		for (size_t i = 0; i < n; i++)
			if (c[i].kind == kind) {
				map[m] = i;
				bw[m++] = c[i].rep->bandwidth;
			}
		k = vsp_pick_ladder(bw, m, pick, count, out);
		for (int i = 0; i < k; i++)
			chosen[map[out[i]]] = 1;
	}
	free(map);
	free(out);
	free(bw);
	return k < 0 ? -1 : 0;
}

static int utc_scheme(const char *s, const char *what)
{
	char a[80], b[80];

	snprintf(a, sizeof(a), "urn:mpeg:dash:utc:%s:2014", what);
	snprintf(b, sizeof(b), "urn:mpeg:dash:utc:%s:2012", what);
	return s && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

/* Server time from one http-iso / http-xsdate URL (the first of a
 * space-separated list). Returns 0 with *offset set. */
static int utc_fetch(struct origin_ctx *o, vsp_http_client *http,
		     const char *value, double *offset)
{
	char first[2048], err[768];
	char *url, *p;
	uint8_t *body = NULL;
	size_t len = 0, n;
	vsp_http_step st = { 0 };
	vsp_http_request req = { 0 };
	double t0, t1, server;
	int rc = -1;

	n = strcspn(value, " \t\r\n");
	if (n == 0 || n >= sizeof(first))
		return -1;
	memcpy(first, value, n);
	first[n] = '\0';
	url = vsp_url_resolve(base_of(&o->res->manifest), first, err,
			      sizeof(err));
	if (!url)
		return -1;
	t0 = vsp_wall_s();
	req.url = url;
	req.length = VSP_HTTP_WHOLE;
	req.limit = VSP_DASH_UTC_MAX_BYTES;
	req.deadline_us = o->deadline_us;
	if (vsp_http_get(http, &req, &st, &body, &len, err, sizeof(err)) ==
	    VSP_R_NONE) {
		t1 = vsp_wall_s();
		p = (char *)body;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		n = strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
				 p[n - 1] == '\r' || p[n - 1] == '\n'))
			p[--n] = '\0';
		/* The answer was made about halfway through the exchange. */
		if (vsp_time_parse_rfc3339(p, VSP_TIME_XML_SPACE, &server, err,
					   sizeof(err)) == 0) {
			*offset = server - (t0 + t1) / 2;
			rc = 0;
		}
	}
	vsp_http_body_free(http, body, len);
	free(url);
	vsp_http_step_clear(&st);
	return rc;
}

/* Live edge arithmetic needs the server's clock, not ours: the first
 * UTCTiming we can use sets the offset (urn:mpeg:dash:utc:*:2014). */
static void utc_sync(struct origin_ctx *o, struct dash_state *st)
{
	const vsp_dash_mpd *m = st->mpd;
	vsp_http_client *http = NULL;

	for (size_t i = 0; i < m->n_utc; i++) {
		const vsp_dash_utc_timing *u = &m->utc[i];
		double off, server;
		char err[256];

		if (!u->value)
			continue;
		if (utc_scheme(u->scheme, "direct")) {
			if (vsp_time_parse_rfc3339(u->value, VSP_TIME_XML_SPACE,
						   &server, err,
						   sizeof(err)) != 0)
				continue;
			off = server - vsp_wall_s();
		} else if (utc_scheme(u->scheme, "http-iso") ||
			   utc_scheme(u->scheme, "http-xsdate")) {
			if (!http)
				http = vsp_http_client_new(&o->http_opts);
			if (!http || utc_fetch(o, http, u->value, &off) != 0)
				continue;
		} else {
			continue;
		}
		st->clock_offset = off;
		o->res->clock_offset_s = off;
		o->res->has_clock_offset = 1;
		break;
	}
	vsp_http_client_free(http);
}

static int fill_rep(vsp_rendition_result *r, const struct cand *c,
		    const char *mpd_url, int live, size_t i)
{
	const vsp_dash_representation *rep = c->rep;
	char name[64];

	if (!rep->id)
		snprintf(name, sizeof(name), "representation%zu", i + 1);
	r->kind = c->kind == KIND_AUDIO ? VSP_KIND_AUDIO : VSP_KIND_VIDEO;
	r->name = strdup(rep->id ? rep->id : name);
	r->uri = strdup(mpd_url);
	r->codecs = vsp_strdup_or_null(rep->codecs);
	r->bandwidth = rep->bandwidth;
	r->width = rep->width;
	r->height = rep->height;
	r->frame_rate = rep->frame_rate;
	r->live = live;
	if (rep->encrypted) {
		r->encrypted = 1;
		r->key_method =
			strdup(rep->drm_scheme ? rep->drm_scheme : "DRM");
		if (!r->key_method)
			return -1;
	}
	return r->kind && r->name && r->uri ? 0 : -1;
}

/* A static MPD's extent for rendition r, for comparing origins
 * (compare.c): the presentation's duration, and the segments of the Period
 * by dash.c's own addressing rules (for SegmentBase, its sidx, not the
 * MPD, lists them: fetch_index() counts them). */
static void dash_vod_extent(const struct dash_state *st,
			    const vsp_dash_representation *rep,
			    vsp_rendition_result *r)
{
	const vsp_dash_mpd *m = st->mpd;
	int64_t n;

	if (m->dynamic)
		return;
	r->has_vod = 1;
	if (m->media_duration > 0)
		r->vod_duration_s = m->media_duration;
	else if (m->n_periods == 1 && st->period->duration > 0)
		r->vod_duration_s = st->period->duration;
	if (rep->addr != VSP_DASH_ADDR_TEMPLATE &&
	    rep->addr != VSP_DASH_ADDR_LIST)
		return;
	n = vsp_dash_segment_count(st->period, rep);
	if (n > 0 && n < VSP_HLS_MAX_SEGMENTS)
		r->segment_count = n; /* else unknown */
}

/* Parses the MPD into o->state and finds the Period playing now. Returns 0
 * when there is one, 1 when the check stops on a verdict or error already
 * set, -1 on out of memory. */
static int dash_load(struct origin_ctx *o, const uint8_t *body, size_t len)
{
	vsp_origin_result *res = o->res;
	struct dash_state *st;
	char err[768];
	double now;
	int rc;
	vsp_parse_bound bound;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	o->state = st;
	/* The tree is reserved while it is built (the MPD's own client
	 * holds it, and gives it back before this returns). */
	bound.deadline_us = o->deadline_us;
	bound.hold = o->plan_hold;
	rc = vsp_dash_parse_until((const char *)body, len,
				  base_of(&res->manifest), &bound, &st->mpd,
				  err, sizeof(err));
	if (rc != 0) {
		vsp_probe_fail(o, &res->v, vsp_parse_reason(rc), rc,
			       VSP_STAGE_MANIFEST, "manifest %s: %s", res->url,
			       err);
		return 1;
	}
	res->live = st->mpd->dynamic;
	if (st->mpd->dynamic)
		utc_sync(o, st);
	now = vsp_wall_s() + st->clock_offset;
	st->period = vsp_dash_current_period(st->mpd, now);
	if (!st->period) {
		vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_SEGMENT_MISSING,
				VSP_STAGE_LIVE,
				"manifest %s: live MPD whose first Period has "
				"not started yet",
				res->url);
		return 1;
	}
	return 0;
}

/* The Period's video and audio Representations as candidates (*cands, *n),
 * with room for the choice (*chosen, zeroed), each added to the origin's
 * declared ladder. Returns -1 on out of memory (the caller frees both). */
static int dash_candidates(struct origin_ctx *o, const struct dash_state *st,
			   struct cand **cands, unsigned char **chosen,
			   size_t *n)
{
	vsp_origin_result *res = o->res;
	struct cand *c;
	size_t total = 0;

	for (size_t i = 0; i < st->period->n_sets; i++)
		total += st->period->sets[i].n_reps;
	*cands = calloc(total ? total : 1, sizeof(**cands));
	*chosen = calloc(total ? total : 1, 1);
	if (!*cands || !*chosen)
		return -1;
	c = *cands;
	for (size_t i = 0; i < st->period->n_sets; i++) {
		const vsp_dash_adaptation *a = &st->period->sets[i];

		for (size_t j = 0; j < a->n_reps; j++) {
			int kind = rep_kind(a, &a->reps[j]);

			if (kind == KIND_SKIP)
				continue;
			c[*n].set = a;
			c[*n].rep = &a->reps[j];
			c[*n].kind = kind;
			(*n)++;
		}
	}
	/* The whole declared ladder, for comparing origins (compare.c). */
	for (size_t i = 0; i < *n; i++)
		if (vsp_origin_ladder_add(
			    res,
			    c[i].kind == KIND_AUDIO ? VSP_KIND_AUDIO
						    : VSP_KIND_VIDEO,
			    c[i].rep->codecs, c[i].set->lang, c[i].rep->width,
			    c[i].rep->height, c[i].rep->bandwidth) != 0)
			return -1;
	return 0;
}

/* Picks the renditions to probe from the n candidates and fills their
 * results and jobs. Returns -1 on out of memory. */
static int dash_plan_chosen(struct origin_ctx *o, const struct dash_state *st,
			    const struct cand *cands, size_t n,
			    unsigned char *chosen)
{
	vsp_origin_result *res = o->res;
	size_t k = 0, total = 0;

	/* The rule applies to video and audio apart: a player needs one of
	 * each, so "lowest" is the lowest video with the lowest audio. */
	if (pick_kind(cands, n, KIND_VIDEO, o->cfg->pick, o->cfg->pick_count,
		      chosen) != 0 ||
	    pick_kind(cands, n, KIND_AUDIO, o->cfg->pick, o->cfg->pick_count,
		      chosen) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		total += chosen[i];
	if (vsp_origin_alloc_renditions(o, total) != 0)
		return -1;
	/* Video first, then audio, each in MPD order. */
	for (int kind = KIND_VIDEO; kind <= KIND_AUDIO; kind++)
		for (size_t i = 0; i < n; i++) {
			if (!chosen[i] || cands[i].kind != kind)
				continue;
			if (fill_rep(&res->renditions[k], &cands[i],
				     base_of(&res->manifest), st->mpd->dynamic,
				     i) != 0)
				return -1;
			o->jobs[k].audio = kind == KIND_AUDIO;
			o->jobs[k].data = cands[i].rep;
			dash_vod_extent(st, cands[i].rep, &res->renditions[k]);
			/* @codecs of a muxed Representation names both. */
			o->jobs[k].tracks =
				vsp_codecs_tracks(res->renditions[k].codecs);
			k++;
		}
	return 0;
}

static void plan_dash(struct origin_ctx *o, const uint8_t *body, size_t len)
{
	vsp_origin_result *res = o->res;
	const struct dash_state *st;
	struct cand *cands = NULL;
	unsigned char *chosen = NULL;
	size_t n = 0;
	int rc;

	rc = dash_load(o, body, len);
	if (rc > 0)
		return;
	if (rc < 0)
		goto oom;
	st = o->state;
	if (dash_candidates(o, st, &cands, &chosen, &n) != 0)
		goto oom;
	if (n == 0) {
		vsp_verdict_set(
			&res->v, VSP_FAIL, VSP_R_NO_RENDITION,
			VSP_STAGE_MANIFEST,
			"manifest %s: period %s lists no video or audio "
			"Representation",
			res->url, st->period->id ? st->period->id : "(no id)");
		goto done;
	}
	if (dash_plan_chosen(o, st, cands, n, chosen) != 0)
		goto oom;
	goto done;
oom:
	vsp_probe_error(o, VSP_E_NOMEM, "out of memory planning %s", res->url);
done:
	free(cands);
	free(chosen);
}

/* What prepare_dash() leaves for the rendition: the segment it planned
 * and, for SegmentBase, the subsegments the sidx names (the sample's
 * list). */
struct dash_scratch {
	vsp_dash_segment seg;
	vsp_dash_sidx sidx;
};

/* A file shorter than its own index: a player stalls where the bytes end.
 * Only when the server states the size (Content-Range of the index's 206).
 * Returns 0, or -1 with the rendition's verdict set. */
static int index_extent(vsp_rendition_result *r, const vsp_dash_segment *seg,
			const vsp_dash_sidx *x)
{
	int64_t total = r->playlist.range_total;
	size_t cut = 0;
	double at = 0;

	if (total <= 0 || x->end <= total)
		return 0;
	/* Past the references kept (a capped index): "after the last kept". */
	while (cut < x->n && x->refs[cut].offset + x->refs[cut].length <= total)
		at += x->refs[cut++].duration;
	vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_SEGMENT_MISSING,
			VSP_STAGE_PLAYLIST,
			"index (sidx) of %s at %s: the file is %lld bytes "
			"(Content-Range) but its index names %zu subsegments "
			"that need %lld: subsegment %zu (at %.1f s) and "
			"after are cut",
			r->name, seg->url, (long long)total, x->count,
			(long long)x->end, cut + 1, at);
	return -1;
}

/* SegmentBase: the sidx at indexRange names the subsegments; the first is
 * what a player fetches first, the others are the VOD sample's list. The
 * fetch is the rendition's "playlist" step: the index is what DASH has in
 * place of a media playlist. */
static int fetch_index(struct worker *w, vsp_rendition_result *r,
		       vsp_dash_segment *seg, vsp_dash_sidx *x)
{
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768];
	vsp_reason rc;
	int prc;
	vsp_http_request req = { 0 };

	if (seg->index_length > VSP_DASH_SIDX_MAX_BYTES) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TOO_LARGE,
				VSP_STAGE_PLAYLIST,
				"index of %s: indexRange of %lld bytes is over "
				"the %ld-byte limit",
				r->name, (long long)seg->index_length,
				(long)VSP_DASH_SIDX_MAX_BYTES);
		return -1;
	}
	req.url = seg->url;
	req.offset = seg->index_offset;
	req.length = seg->index_length;
	req.limit = VSP_DASH_SIDX_MAX_BYTES;
	req.deadline_us = w->o->deadline_us;
	rc = vsp_http_get(w->http, &req, &r->playlist, &body, &len, err,
			  sizeof(err));
	if (rc) {
		vsp_probe_fail(w->o, &r->v, rc, r->playlist.err,
			       VSP_STAGE_PLAYLIST, "index (sidx) of %s: %s",
			       r->name, err);
		return -1;
	}
	prc = vsp_dash_sidx_parse(body, len, seg->index_offset, x, err,
				  sizeof(err));
	vsp_http_body_free(w->http, body, len);
	if (prc == -2) {
		vsp_probe_error(w->o, VSP_E_NOMEM, "index (sidx) of %s: %s",
				r->name, err);
		return -1;
	}
	/* shaka (Mp4SegmentIndexParser, MP4_SIDX_TYPE_NOT_SUPPORTED) refuses
	 * an index whose first reference is another index. */
	if (prc == 0 && x->refs[0].index) {
		snprintf(err, sizeof(err),
			 "sidx references another sidx (hierarchical "
			 "index): not supported");
		prc = -1;
	}
	if (prc != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_MANIFEST_SYNTAX,
				VSP_STAGE_PLAYLIST,
				"index (sidx) of %s at %s: %s", r->name,
				seg->url, err);
		return -1;
	}
	/* The sidx is SegmentBase's list of segments: its own count, not the
	 * references kept, is what compare.c weighs against other origins,
	 * as HLS's EXTINF count and SegmentTemplate's. */
	if (r->has_vod && x->count > 0 && x->count < VSP_HLS_MAX_SEGMENTS)
		r->segment_count = (int64_t)x->count;
	if (index_extent(r, seg, x) != 0)
		return -1;
	seg->offset = x->refs[0].offset;
	seg->length = x->refs[0].length;
	seg->duration = x->refs[0].duration;
	return 0;
}

/* The segment step's plan for one DASH segment (strings borrowed from
 * seg). */
static void plan_from_segment(const vsp_dash_segment *seg,
			      const vsp_dash_representation *rep,
			      struct seg_plan *p)
{
	p->uri = seg->url;
	p->offset = seg->length >= 0 ? seg->offset : 0;
	p->length = seg->length;
	p->init_uri = seg->init_url;
	p->init_offset = seg->init_length >= 0 ? seg->init_offset : 0;
	p->init_length = seg->init_length;
	p->duration = seg->duration;
	p->seq = seg->number;
	p->encrypted = rep->encrypted;
}

static int prepare_dash(struct worker *w, struct rend_job *j,
			struct seg_plan *p, void **scratch)
{
	struct origin_ctx *o = w->o;
	const struct dash_state *st = o->state;
	const vsp_dash_representation *rep = j->data;
	vsp_rendition_result *r = j->r;
	struct dash_scratch *sc;
	vsp_dash_segment *seg;
	char err[768];

	p->manifest_ms = o->res->manifest.total_ms;
	p->tracks = j->tracks;
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		vsp_probe_error(w->o, VSP_E_NOMEM, "%s: out of memory",
				r->name ? r->name : "rendition");
		return -1;
	}
	*scratch = sc;
	seg = &sc->seg;
	{
		vsp_conform_list cl;
		char what[160];

		memset(&cl, 0, sizeof(cl));
		vsp_conform_dash(
			st->mpd, rep,
			st->mpd->dynamic ? vsp_wall_s() + st->clock_offset : 0,
			&cl);
		snprintf(what, sizeof(what), "MPD Representation %s",
			 rep->id ? rep->id : "?");
		vsp_rendition_conform(r, &cl, VSP_STAGE_MANIFEST, what);
	}
	if (vsp_dash_pick_segment(st->mpd, st->period, rep,
				  vsp_wall_s() + st->clock_offset, seg, err,
				  sizeof(err)) != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_SEGMENT_MISSING,
				st->mpd->dynamic ? VSP_STAGE_LIVE
						 : VSP_STAGE_MANIFEST,
				"manifest %s: %s", r->uri, err);
		return -1;
	}
	if (seg->needs_index && fetch_index(w, r, seg, &sc->sidx) != 0)
		return -1;
	plan_from_segment(seg, rep, p);
	return 0;
}

/* Reloads compared by the end of the Representation's newest listed
 * segment: a packager that stops stops adding S elements, whatever it does
 * with publishTime. */
struct dash_reload {
	const struct dash_state *st;
	const vsp_dash_representation *rep;
	double newest_end; /* server clock */
	vsp_budget_hold *hold;
	int64_t deadline_us;
};

static const vsp_dash_representation *find_rep(
	const vsp_dash_period *p, const vsp_dash_representation *like)
{
	for (size_t i = 0; p && i < p->n_sets; i++)
		for (size_t k = 0; k < p->sets[i].n_reps; k++) {
			const vsp_dash_representation *r = &p->sets[i].reps[k];

			if (r->id && like->id && strcmp(r->id, like->id) == 0)
				return r;
		}
	return NULL;
}

static int reload_dash(void *ctx, const uint8_t *body, size_t len,
		       const char *base, int *ended, char *err, size_t errlen)
{
	struct dash_reload *d = ctx;
	vsp_dash_mpd *m = NULL;
	const vsp_dash_representation *rep;
	double end, segd;
	int64_t num;
	int moved = -1;

	vsp_parse_bound bound = { d->deadline_us, d->hold };
	int rc = vsp_dash_parse_until((const char *)body, len, base, &bound, &m,
				      err, errlen);

	if (rc)
		return rc == VSP_E_NOMEM ? VSP_E_NOMEM : -1;
	if (!m->dynamic) {
		/* type="static" now: the event is over, the MPD final. */
		*ended = 1;
		moved = 1;
		goto out;
	}
	rep = find_rep(
		vsp_dash_current_period(m, vsp_wall_s() + d->st->clock_offset),
		d->rep);
	if (!rep) {
		snprintf(err, errlen,
			 "Representation %s is no longer in the current "
			 "Period",
			 d->rep->id ? d->rep->id : "(no id)");
		goto out;
	}
	if (vsp_dash_newest_listed(
		    m,
		    vsp_dash_current_period(m,
					    vsp_wall_s() + d->st->clock_offset),
		    rep, &end, &segd, &num) != 0) {
		snprintf(err, errlen,
			 "the reloaded MPD no longer lists "
			 "its segments");
		goto out;
	}
	moved = end > d->newest_end;
	if (moved)
		d->newest_end = end;
out:
	vsp_dash_free(m);
	return moved;
}

/* Live freshness of a dynamic MPD: reloads, publishTime and the end of the
 * newest listed segment. Only for listed segments: when they are computed
 * from the clock, the MPD need never change, and a stopped packager shows
 * as the live-edge segment missing instead (a segment failure). */
static void after_dash(struct worker *w, struct rend_job *j, void *scratch)
{
	const struct dash_state *st = w->o->state;
	vsp_rendition_result *r = j->r;
	struct dash_reload d = { .st = st,
				 .rep = j->data,
				 .hold = vsp_http_hold(w->http),
				 .deadline_us = w->o->deadline_us };
	const struct live_source src = { reload_dash, &d, "MPD",
					 "publishTime and segment times" };
	double end, segd;
	int64_t num;

	(void)scratch;
	if (!st->mpd->dynamic)
		return;
	if (vsp_dash_newest_listed(st->mpd, st->period, d.rep, &end, &segd,
				   &num) != 0) {
		vsp_rendition_note(
			r, "segments computed from the clock: a stopped "
			   "packager shows as a missing live-edge "
			   "segment, not in the MPD");
		return;
	}
	r->target_duration = segd;
	r->newest_seq = num;
	r->newest_end = end - st->clock_offset;
	d.newest_end = end;
	vsp_live_check(w, r, &w->o->res->manifest, segd,
		       st->mpd->has_publish_time
			       ? st->mpd->publish_time - st->clock_offset
			       : 0,
		       &src);
}

static void release_dash(void *scratch)
{
	struct dash_scratch *sc = scratch;

	if (!sc)
		return;
	vsp_dash_segment_clear(&sc->seg);
	vsp_dash_sidx_clear(&sc->sidx);
	free(sc);
}

/* A segment at_dash() made. */
static void release_segment(void *owned)
{
	vsp_dash_segment_clear(owned);
	free(owned);
}

/* One Representation's segments, for the sample. */
struct dash_list {
	const vsp_dash_mpd *mpd;
	const vsp_dash_period *period;
	const vsp_dash_representation *rep;
};

static int at_dash(void *ctx, int64_t pos, struct seg_plan *p, void **owned,
		   char *err, size_t errlen)
{
	const struct dash_list *d = ctx;
	vsp_dash_segment *seg = calloc(1, sizeof(*seg));

	*owned = seg;
	if (!seg) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (vsp_dash_segment_at(d->mpd, d->period, d->rep, pos, seg, err,
				errlen) != 0)
		return -1;
	plan_from_segment(seg, d->rep, p);
	return 0;
}

/* A SegmentBase Representation's subsegments, for the sample: borrowed
 * from the rendition's scratch, which outlives the sample. */
struct dash_sub_list {
	const vsp_dash_segment *seg;
	const vsp_dash_sidx *sidx;
	const vsp_dash_representation *rep;
};

/* Subsegment pos: the first's plan with the reference's byte range; a
 * hierarchical reference's range begins with its own sidx, which the
 * sniffer takes as the start of media. */
static int at_sub(void *ctx, int64_t pos, struct seg_plan *p, void **owned,
		  char *err, size_t errlen)
{
	const struct dash_sub_list *d = ctx;
	const vsp_dash_sidx_ref *ref;

	*owned = NULL;
	if (pos < 0 || (size_t)pos >= d->sidx->n) {
		snprintf(err, errlen, "no subsegment %lld of %zu",
			 (long long)pos, d->sidx->n);
		return -1;
	}
	ref = &d->sidx->refs[pos];
	plan_from_segment(d->seg, d->rep, p);
	p->offset = ref->offset;
	p->length = ref->length;
	p->duration = ref->duration;
	p->seq = d->seg->number + pos;
	return 0;
}

/* SegmentBase VOD: the sidx's references are the list. */
static int list_sub(struct worker *w, struct rend_job *j,
		    const struct dash_scratch *sc, struct seg_list *out)
{
	struct dash_sub_list *d;

	if (w->o->res->live || sc->sidx.n <= 1)
		return -1;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->seg = &sc->seg;
	d->sidx = &sc->sidx;
	d->rep = j->data;
	if (sc->sidx.n < sc->sidx.count)
		vsp_rendition_note(j->r,
				   "index (sidx) lists %zu subsegments: the "
				   "sample covers the first %zu",
				   sc->sidx.count, sc->sidx.n);
	out->n = (int64_t)sc->sidx.n;
	out->ctx = d;
	out->free_ctx = free;
	out->at = at_sub;
	out->release = NULL;
	out->start = -1;
	return 0;
}

/* Where a DASH player joins a live stream, as a position: dash.js
 * (PlaybackController.computeAndSetLiveDelay) plays
 * @suggestedPresentationDelay behind the edge, else four segment
 * durations (FRAGMENT_DURATION_FACTOR); -1 when that is the newest probed
 * already (vsp_dash_pick_segment() keeps the same margin). */
static int64_t dash_start(const struct dash_state *st,
			  const vsp_dash_representation *rep,
			  const vsp_dash_segment *newest, double *behind)
{
	const vsp_dash_mpd *m = st->mpd;
	double delay, margin, segd = newest->duration;
	vsp_dash_segment s;
	int64_t pos = -1;
	char err[256];

	if (segd <= 0)
		return -1;
	delay = m->suggested_presentation_delay >= 0
			? m->suggested_presentation_delay
			: VSP_DASH_START_SEGMENTS * segd;
	margin = m->suggested_presentation_delay >= 0
			 ? m->suggested_presentation_delay
			 : VSP_DASH_LIVE_MARGIN_S;
	if (m->time_shift_buffer_depth > 0) {
		if (margin > m->time_shift_buffer_depth / 2)
			margin = m->time_shift_buffer_depth / 2;
		if (delay > m->time_shift_buffer_depth - segd)
			delay = m->time_shift_buffer_depth - segd;
	}
	*behind = delay;
	if (delay <= margin)
		return -1;
	if (vsp_dash_pick_segment(m, st->period, rep,
				  vsp_wall_s() + st->clock_offset -
					  (delay - margin),
				  &s, err, sizeof(err)) == 0 &&
	    s.number < newest->number)
		pos = s.number - rep->start_number;
	vsp_dash_segment_clear(&s);
	return pos;
}

static int list_dash(struct worker *w, struct rend_job *j, void *scratch,
		     struct seg_list *out)
{
	const struct dash_state *st = w->o->state;
	const struct dash_scratch *sc = scratch;
	const vsp_dash_segment *seg = sc ? &sc->seg : NULL;
	struct dash_list *d;
	int64_t n;

	if (!seg)
		return -1;
	if (seg->needs_index)
		return list_sub(w, j, sc, out);
	n = vsp_dash_segment_count(st->period, j->data);
	if (!st->mpd->dynamic && (n <= 1 || n == INT64_MAX))
		return -1;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->mpd = st->mpd;
	d->period = st->period;
	d->rep = j->data;
	out->n = n == INT64_MAX ? 0 : n;
	out->ctx = d;
	out->free_ctx = free;
	out->at = at_dash;
	out->release = release_segment;
	out->start = st->mpd->dynamic
			     ? dash_start(st, d->rep, seg, &out->start_behind_s)
			     : -1;
	return 0;
}

static void free_dash(void *state)
{
	struct dash_state *st = state;

	if (!st)
		return;
	vsp_dash_free(st->mpd);
	free(st);
}

const struct protocol vsp_protocol_dash = {
	.name = "dash",
	.detect = detect_dash,
	.plan = plan_dash,
	.prepare = prepare_dash,
	.after = after_dash,
	.release = release_dash,
	.finish = NULL,
	.free_state = free_dash,
	.list = list_dash,
};
