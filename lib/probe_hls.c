/*
 * probe_hls.c - HLS in the probe pipeline: master -> renditions, media
 * playlist -> the one segment to fetch, and the group rule (a variant plays
 * only if a rendition of the AUDIO/VIDEO group it names plays).
 *
 * Parsing is hls.c's; fetching and decoding are probe.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "hls.h"
#include "limits.h"
#include "probe_int.h"

static int detect_hls(const uint8_t *b, size_t n)
{
	/* A UTF-8 BOM and leading blank lines are tolerated, as players do. */
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		b += 3;
		n -= 3;
	}
	while (n > 0 && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) {
		b++;
		n--;
	}
	return n >= 7 && memcmp(b, "#EXTM3U", 7) == 0;
}

static const char *base_of(const vsp_http_step *st)
{
	return st->final_url ? st->final_url : st->url;
}

/* Indices of the variants to probe, by the probe's rule. Returns the count
 * written to idx (room for n_variants), -1 on out of memory. */
static int pick_variants(const vsp_hls_playlist *pl, vsp_pick pick, int count,
			 size_t *idx)
{
	int64_t *bw =
		malloc((pl->n_variants ? pl->n_variants : 1) * sizeof(*bw));
	int k;

	if (!bw)
		return -1;
	for (size_t i = 0; i < pl->n_variants; i++)
		bw[i] = pl->variants[i].bandwidth;
	k = vsp_pick_ladder(bw, pl->n_variants, pick, count, idx);
	free(bw);
	return k;
}

static int group_wanted(const vsp_hls_playlist *pl, const size_t *idx, size_t n,
			const vsp_hls_media *m)
{
	for (size_t i = 0; i < n; i++) {
		const vsp_hls_variant *v = &pl->variants[idx[i]];
		const char *g =
			m->type == VSP_HLS_MEDIA_AUDIO ? v->audio : v->video;

		if (g && strcmp(g, m->group_id) == 0)
			return 1;
	}
	return 0;
}

static int media_probed(const vsp_hls_media *m)
{
	return m->uri && (m->type == VSP_HLS_MEDIA_AUDIO ||
			  m->type == VSP_HLS_MEDIA_VIDEO);
}

/* 1 when alternate i is probed: an AUDIO or VIDEO rendition with a URI, of
 * a group a chosen variant names, and not a URI an earlier one has. */
static int alternate_probed(const vsp_hls_playlist *pl, const size_t *idx,
			    size_t nv, size_t i)
{
	const vsp_hls_media *m = &pl->media[i];

	if (!media_probed(m) || !group_wanted(pl, idx, nv, m))
		return 0;
	for (size_t j = 0; j < i; j++)
		if (media_probed(&pl->media[j]) &&
		    strcmp(pl->media[j].uri, m->uri) == 0)
			return 0;
	return 1;
}

/* 1 when a rendition of group g of this type has its own URI: the
 * variant's audio (or video) then lives there, not in its segments. */
static int group_has_uri(const vsp_hls_playlist *pl, const char *g,
			 vsp_hls_media_type type)
{
	for (size_t i = 0; g && i < pl->n_media; i++)
		if (pl->media[i].type == type && pl->media[i].uri &&
		    strcmp(pl->media[i].group_id, g) == 0)
			return 1;
	return 0;
}

/* What a variant's own segments must carry: what CODECS declares, less
 * what its AUDIO/VIDEO group carries apart. */
static unsigned variant_tracks(const vsp_hls_playlist *pl,
			       const vsp_hls_variant *v)
{
	unsigned t = vsp_codecs_tracks(v->codecs);

	if (group_has_uri(pl, v->audio, VSP_HLS_MEDIA_AUDIO))
		t &= ~VSP_TRACK_AUDIO;
	if (group_has_uri(pl, v->video, VSP_HLS_MEDIA_VIDEO))
		t &= ~VSP_TRACK_VIDEO;
	return t;
}

/* "audio/GROUP/NAME": how a person finds the rendition in the master. */
static char *media_label(const char *kind, const vsp_hls_media *m)
{
	size_t n = strlen(kind) + strlen(m->group_id) + strlen(m->name) + 3;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s/%s", kind, m->group_id, m->name);
	return s;
}

static int fill_variant(vsp_rendition_result *r, const vsp_hls_variant *v,
			size_t i)
{
	char name[64];

	if (v->width > 0 && v->height > 0)
		snprintf(name, sizeof(name), "%dx%d", v->width, v->height);
	else
		snprintf(name, sizeof(name), "variant%zu@%lld", i + 1,
			 (long long)v->bandwidth);
	r->kind = VSP_KIND_VARIANT;
	r->name = strdup(name);
	r->uri = strdup(v->uri);
	r->codecs = vsp_strdup_or_null(v->codecs);
	r->audio_group = vsp_strdup_or_null(v->audio);
	r->video_group = vsp_strdup_or_null(v->video);
	r->bandwidth = v->bandwidth;
	r->width = v->width;
	r->height = v->height;
	r->frame_rate = v->frame_rate;
	return r->name && r->uri ? 0 : -1;
}

static int fill_media(vsp_rendition_result *r, const vsp_hls_media *m)
{
	r->kind = m->type == VSP_HLS_MEDIA_AUDIO ? VSP_KIND_AUDIO
						 : VSP_KIND_VIDEO;
	r->name = media_label(vsp_kind_name(r->kind), m);
	r->uri = strdup(m->uri);
	r->group = strdup(m->group_id);
	return r->name && r->uri && r->group ? 0 : -1;
}

/* The whole declared ladder, for comparing origins (compare.c): variants
 * and AUDIO/VIDEO alternates, picked or not. Returns 0 or -1. */
static int hls_ladder(vsp_origin_result *res, const vsp_hls_playlist *pl)
{
	if (!pl->is_master)
		return vsp_origin_ladder_add(res, VSP_KIND_MEDIA, NULL, NULL, 0,
					     0, 0);
	for (size_t i = 0; i < pl->n_variants; i++) {
		const vsp_hls_variant *v = &pl->variants[i];

		if (vsp_origin_ladder_add(res, VSP_KIND_VARIANT, v->codecs,
					  NULL, v->width, v->height,
					  v->bandwidth) != 0)
			return -1;
	}
	for (size_t i = 0; i < pl->n_media; i++) {
		const vsp_hls_media *m = &pl->media[i];

		if (m->type != VSP_HLS_MEDIA_AUDIO &&
		    m->type != VSP_HLS_MEDIA_VIDEO)
			continue;
		if (vsp_origin_ladder_add(res,
					  m->type == VSP_HLS_MEDIA_AUDIO
						  ? VSP_KIND_AUDIO
						  : VSP_KIND_VIDEO,
					  NULL, m->language, 0, 0, 0) != 0)
			return -1;
	}
	return 0;
}

static void plan_hls(struct origin_ctx *o, const uint8_t *body, size_t len)
{
	vsp_origin_result *res = o->res;
	vsp_hls_playlist *pl = NULL;
	size_t *idx = NULL, nv, n = 0, k = 0;
	char err[512];
	int rc, picked;
	vsp_parse_bound bound = { 0 };

	/* No hold: the master lives as long as the check, longer than the
	 * client that fetched it. */
	bound.deadline_us = o->deadline_us;
	rc = vsp_hls_parse_until((const char *)body, len,
				 base_of(&res->manifest), &bound, &pl, err,
				 sizeof(err));
	if (rc != 0) {
		vsp_probe_fail(o, &res->v, vsp_parse_reason(rc), rc,
			       VSP_STAGE_MANIFEST, "manifest %s: %s", res->url,
			       err);
		return;
	}
	o->state = pl;
	if (hls_ladder(res, pl) != 0)
		goto oom;
	if (!pl->is_master) {
		/* A media playlist given directly is one rendition. */
		res->live = vsp_hls_is_live(pl);
		if (vsp_origin_alloc_renditions(o, 1) != 0)
			goto oom;
		o->jobs[0].data = pl;
		res->renditions[0].kind = VSP_KIND_MEDIA;
		res->renditions[0].name = strdup("media");
		res->renditions[0].uri = strdup(base_of(&res->manifest));
		return;
	}
	if (pl->n_variants == 0) {
		vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_NO_RENDITION,
				VSP_STAGE_MANIFEST,
				"manifest %s: master playlist lists no variant",
				res->url);
		return;
	}
	idx = malloc(pl->n_variants * sizeof(*idx));
	if (!idx)
		goto oom;
	picked = pick_variants(pl, o->cfg->pick, o->cfg->pick_count, idx);
	if (picked < 0)
		goto oom;
	nv = (size_t)picked;
	n = nv;
	for (size_t i = 0; i < pl->n_media; i++)
		n += alternate_probed(pl, idx, nv, i);
	if (vsp_origin_alloc_renditions(o, n) != 0)
		goto oom;
	for (size_t i = 0; i < nv; i++, k++) {
		const vsp_hls_variant *v = &pl->variants[idx[i]];

		if (fill_variant(&res->renditions[k], v, idx[i]) != 0)
			goto oom;
		o->jobs[k].audio = vsp_codecs_audio_only(v->codecs);
		o->jobs[k].tracks = variant_tracks(pl, v);
	}
	for (size_t i = 0; i < pl->n_media && k < n; i++) {
		const vsp_hls_media *m = &pl->media[i];

		if (!alternate_probed(pl, idx, nv, i))
			continue;
		if (fill_media(&res->renditions[k], m) != 0)
			goto oom;
		o->jobs[k].audio = m->type == VSP_HLS_MEDIA_AUDIO;
		k++;
	}
	free(idx);
	return;
oom:
	free(idx);
	vsp_probe_error(o, VSP_E_NOMEM, "out of memory planning %s", res->url);
}

/* The segment a player would start with: the first for VOD; for live, the
 * newest listed (a live playlist lists only complete segments). Gaps are
 * skipped: a player skips them too. */
static const vsp_hls_segment *choose_segment(const vsp_hls_playlist *pl)
{
	if (vsp_hls_is_live(pl)) {
		for (size_t i = pl->n_segments; i > 0; i--)
			if (!pl->segments[i - 1].gap)
				return &pl->segments[i - 1];
		return NULL;
	}
	for (size_t i = 0; i < pl->n_segments; i++)
		if (!pl->segments[i].gap)
			return &pl->segments[i];
	return NULL;
}

/* Fills p for seg of pl; returns the segment's key method. */
static vsp_hls_key_method plan_from(const vsp_hls_playlist *pl,
				    const vsp_hls_segment *seg,
				    struct seg_plan *p)
{
	p->uri = seg->uri;
	p->offset = seg->br_length >= 0 ? seg->br_offset : 0;
	p->length = seg->br_length;
	p->duration = seg->duration;
	p->seq = seg->seq;
	if (seg->map >= 0) {
		const vsp_hls_map *m = &pl->maps[seg->map];

		p->init_uri = m->uri;
		p->init_offset = m->br_length >= 0 ? m->br_offset : 0;
		p->init_length = m->br_length;
	}
	if (seg->key >= 0) {
		const vsp_hls_key *k = &pl->keys[seg->key];

		if (k->method == VSP_HLS_KEY_AES128) {
			p->aes128 = 1;
			p->key_uri = k->uri;
			if (k->has_iv) {
				memcpy(p->iv, k->iv, 16);
			} else {
				/* RFC 8216 5.2: the IV is the media sequence
				 * number as a 128-bit big-endian integer. */
				uint64_t s = (uint64_t)seg->seq;

				memset(p->iv, 0, 16);
				for (int b = 0; b < 8; b++)
					p->iv[15 - b] = (uint8_t)(s >> (8 * b));
			}
		} else if (k->method == VSP_HLS_KEY_SAMPLE_AES) {
			p->encrypted = 1;
		}
		return k->method;
	}
	return VSP_HLS_KEY_NONE;
}

/* The media playlist of a variant that the master only named: fetched and
 * parsed (owned through *scratch). NULL with a verdict or error set when it
 * cannot be had, or is a master where a media playlist belongs. */
static const vsp_hls_playlist *fetch_media_playlist(struct worker *w,
						    vsp_rendition_result *r,
						    void **scratch)
{
	struct origin_ctx *o = w->o;
	vsp_hls_playlist *own = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768];
	vsp_reason rc;
	int prc;
	vsp_parse_bound bound;
	vsp_http_request req = { .url = r->uri,
				 .length = VSP_HTTP_WHOLE,
				 .limit = VSP_MANIFEST_MAX_BYTES,
				 .deadline_us = o->deadline_us };

	rc = vsp_http_get(w->http, &req, &r->playlist, &body, &len, err,
			  sizeof(err));
	if (rc) {
		vsp_probe_fail(w->o, &r->v, rc, r->playlist.err,
			       VSP_STAGE_PLAYLIST, "playlist %s: %s", r->name,
			       err);
		return NULL;
	}
	/* The playlist's reservation goes with it (release). */
	bound.deadline_us = o->deadline_us;
	bound.hold = vsp_http_hold(w->http);
	prc = vsp_hls_parse_until((const char *)body, len,
				  base_of(&r->playlist), &bound, &own, err,
				  sizeof(err));
	vsp_http_body_free(w->http, body, len);
	if (prc != 0) {
		vsp_probe_fail(w->o, &r->v, vsp_parse_reason(prc), prc,
			       VSP_STAGE_PLAYLIST, "playlist %s: %s", r->uri,
			       err);
		return NULL;
	}
	*scratch = own;
	if (own->is_master) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_MANIFEST_SYNTAX,
				VSP_STAGE_PLAYLIST,
				"playlist %s: a master playlist where a "
				"media playlist was expected",
				r->uri);
		return NULL;
	}
	return own;
}

/* What the media playlist itself says, before any segment: live or not,
 * its conformance, a VOD asset's extent, a live stream's newest segment. */
static void note_playlist(vsp_rendition_result *r, const vsp_hls_playlist *pl)
{
	vsp_conform_list cl;

	r->live = vsp_hls_is_live(pl);
	memset(&cl, 0, sizeof(cl));
	vsp_conform_hls(pl, &cl);
	vsp_rendition_conform(r, &cl, VSP_STAGE_PLAYLIST, r->uri);
	if (!r->live) {
		/* The asset's extent, for comparing origins (compare.c). */
		r->has_vod = 1;
		r->segment_count = (int64_t)pl->n_segments;
		for (size_t i = 0; i < pl->n_segments; i++)
			r->vod_duration_s += pl->segments[i].duration;
	}
	if (r->live && pl->n_segments > 0) {
		const vsp_hls_segment *nw = &pl->segments[pl->n_segments - 1];

		r->target_duration = pl->target_duration;
		r->newest_seq = nw->seq;
		if (nw->has_pdt)
			r->newest_end = nw->pdt + nw->duration;
	}
}

static void note_key_method(vsp_rendition_result *r, vsp_hls_key_method method)
{
	switch (method) {
	case VSP_HLS_KEY_AES128:
		free(r->key_method);
		r->key_method = strdup("AES-128");
		break;
	case VSP_HLS_KEY_SAMPLE_AES:
		free(r->key_method);
		r->key_method = strdup("SAMPLE-AES");
		break;
	default:
		break;
	}
}

static int prepare_hls(struct worker *w, struct rend_job *j, struct seg_plan *p,
		       void **scratch)
{
	struct origin_ctx *o = w->o;
	vsp_rendition_result *r = j->r;
	const vsp_hls_playlist *pl = j->data;
	const vsp_hls_segment *seg;

	p->manifest_ms = o->res->manifest.total_ms;
	p->tracks = j->tracks;
	if (!pl) {
		pl = fetch_media_playlist(w, r, scratch);
		if (!pl)
			return -1;
	}
	note_playlist(r, pl);
	seg = choose_segment(pl);
	if (!seg) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_SEGMENT_MISSING,
				VSP_STAGE_PLAYLIST,
				"playlist %s: no segment to play", r->uri);
		return -1;
	}
	note_key_method(r, plan_from(pl, seg, p));
	return 0;
}

/* 1 when b shows the playlist moved on from a: a newer segment, more
 * segments (EVENT), or the end of the stream. */
static int moved_on(const vsp_hls_playlist *a, const vsp_hls_playlist *b)
{
	int64_t na = a->n_segments ? a->segments[a->n_segments - 1].seq : -1;
	int64_t nb = b->n_segments ? b->segments[b->n_segments - 1].seq : -1;

	return nb > na || (b->endlist && !a->endlist);
}

/* Reloads compared by the newest segment listed. */
struct hls_reload {
	const vsp_hls_playlist *first;
	vsp_rendition_result *r; /* conformance across reloads */
	vsp_hls_playlist *cur;	 /* the latest reload, owned */
	int64_t deadline_us;
	/* The newest segment that left the window at the last reload. */
	struct seg_plan gone;
	char *gone_uri; /* owned */
};

/* The newest segment of a that b no longer lists (a live window slid). */
static void note_gone(struct hls_reload *h, const vsp_hls_playlist *a,
		      const vsp_hls_playlist *b)
{
	int64_t first = b->n_segments ? b->segments[0].seq : INT64_MAX;

	free(h->gone_uri);
	h->gone_uri = NULL;
	for (size_t i = a->n_segments; i > 0; i--) {
		const vsp_hls_segment *s = &a->segments[i - 1];

		if (s->seq >= first || s->gap)
			continue;
		memset(&h->gone, 0, sizeof(h->gone));
		h->gone.length = -1;
		h->gone.init_length = -1;
		plan_from(a, s, &h->gone);
		h->gone_uri = strdup(s->uri);
		h->gone.uri = h->gone_uri;
		h->gone.init_uri = h->gone.key_uri = NULL;
		return;
	}
}

static int removed_hls(void *ctx, struct seg_plan *p)
{
	struct hls_reload *h = ctx;

	if (!h->gone_uri)
		return 0;
	*p = h->gone;
	return 1;
}

static int reload_hls(void *ctx, const uint8_t *body, size_t len,
		      const char *base, int *ended, char *err, size_t errlen)
{
	struct hls_reload *h = ctx;
	vsp_hls_playlist *next = NULL;
	int moved;

	vsp_parse_bound bound = { h->deadline_us, NULL };
	int rc = vsp_hls_parse_until((const char *)body, len, base, &bound,
				     &next, err, errlen);

	if (rc)
		return rc == VSP_E_NOMEM ? VSP_E_NOMEM : -1;
	{
		vsp_conform_list cl;

		memset(&cl, 0, sizeof(cl));
		vsp_conform_hls_reload(h->cur ? h->cur : h->first, next, &cl);
		vsp_rendition_conform(h->r, &cl, VSP_STAGE_LIVE, h->r->uri);
	}
	moved = moved_on(h->cur ? h->cur : h->first, next);
	if (moved)
		note_gone(h, h->cur ? h->cur : h->first, next);
	*ended = next->endlist;
	vsp_hls_free(h->cur);
	h->cur = next;
	return moved;
}

/* Live freshness of a media playlist: RFC 8216 6.3.4 reloads, with
 * PROGRAM-DATE-TIME as the playlist's own time evidence. */
static void after_hls(struct worker *w, struct rend_job *j, void *scratch)
{
	const vsp_hls_playlist *first = scratch ? scratch : j->data;
	vsp_rendition_result *r = j->r;
	struct hls_reload h = { .first = first,
				.r = r,
				.deadline_us = w->o->deadline_us };
	const struct live_source src = { reload_hls, &h, "playlist",
					 "PROGRAM-DATE-TIME", removed_hls };

	if (!vsp_hls_is_live(first) || first->n_segments == 0)
		return;
	vsp_live_check(w, r,
		       r->playlist.done ? &r->playlist : &w->o->res->manifest,
		       first->target_duration, 0, &src);
	vsp_hls_free(h.cur);
	free(h.gone_uri);
}

static int at_hls(void *ctx, int64_t pos, struct seg_plan *p, void **owned,
		  char *err, size_t errlen)
{
	const vsp_hls_playlist *pl = ctx;

	*owned = NULL;
	if (pos < 0 || (uint64_t)pos >= pl->n_segments) {
		snprintf(err, errlen, "no segment at position %lld",
			 (long long)pos);
		return -1;
	}
	/* A GAP segment must not be fetched (RFC 8216 4.4.4.7). */
	if (pl->segments[pos].gap)
		return 1;
	plan_from(pl, &pl->segments[pos], p);
	return 0;
}

/* Where hls.js and AVPlayer join a live playlist: HOLD-BACK behind the end
 * when given, else three target durations (RFC 8216 6.3.3; hls.js
 * liveSyncDurationCount 3): the segment holding that point, or the next
 * one that is not a GAP. */
static int64_t start_position(const vsp_hls_playlist *pl, double *behind)
{
	double hold = pl->hold_back > 0
			      ? pl->hold_back
			      : VSP_LIVE_START_TDS * pl->target_duration;
	double acc = 0;
	size_t pos = 0;

	for (size_t i = pl->n_segments; i > 0; i--) {
		acc += pl->segments[i - 1].duration;
		/* A millisecond of slack: EXTINF sums are not exact. */
		if (acc >= hold - 1e-3) {
			pos = i - 1;
			break;
		}
	}
	while (pos < pl->n_segments && pl->segments[pos].gap)
		pos++;
	*behind = hold;
	return pos < pl->n_segments ? (int64_t)pos : -1;
}

/* The EXT-X-START players follow: the master's when it has one with a
 * TIME-OFFSET (RFC 8216 4.3.5: a value in both must match, else clients
 * ignore the media playlist's; hls.js prefers the master's so that every
 * rendition starts at one time), else the media playlist's. NULL: none. */
static const vsp_hls_start *start_tag(const struct origin_ctx *o,
				      const vsp_hls_playlist *pl,
				      const char **where)
{
	const vsp_hls_playlist *m = o->state;

	if (m && m->is_master && m->start.present && m->start.has_offset) {
		*where = "master";
		return &m->start;
	}
	if (pl->start.present && pl->start.has_offset) {
		*where = "media";
		return &pl->start;
	}
	return NULL;
}

static int list_hls(struct worker *w, struct rend_job *j, void *scratch,
		    struct seg_list *out)
{
	const vsp_hls_playlist *pl = scratch ? scratch : j->data;
	const vsp_hls_start *st;
	const char *where = "";

	if (!pl || pl->is_master || pl->n_segments == 0)
		return -1;
	out->n = (int64_t)pl->n_segments;
	out->ctx = (void *)pl;
	out->at = at_hls;
	out->start = vsp_hls_is_live(pl)
			     ? start_position(pl, &out->start_behind_s)
			     : -1;
	/* Players start where EXT-X-START says, live or VOD: that segment
	 * is the one every viewer needs first. */
	st = start_tag(w->o, pl, &where);
	if (st) {
		out->start = vsp_hls_start_index(pl, st);
		snprintf(out->start_why, sizeof(out->start_why),
			 "EXT-X-START TIME-OFFSET=%.3f of the %s playlist",
			 st->offset, where);
	}
	return 0;
}

static void release_hls(void *scratch)
{
	vsp_hls_free(scratch);
}

/* A variant naming an AUDIO or VIDEO group plays only if a rendition of
 * that group plays: a player cannot start it otherwise. */
static void finish_hls(struct origin_ctx *o)
{
	vsp_origin_result *res = o->res;

	for (size_t i = 0; i < res->n_renditions; i++) {
		vsp_rendition_result *v = &res->renditions[i];

		if (v->live)
			res->live = 1;
		if (v->kind != VSP_KIND_VARIANT)
			continue;
		for (int pass = 0; pass < 2; pass++) {
			const char *g = pass ? v->video_group : v->audio_group;
			vsp_kind kind = pass ? VSP_KIND_VIDEO : VSP_KIND_AUDIO;
			const vsp_rendition_result *bad = NULL;
			size_t members = 0, ok = 0;

			if (!g)
				continue;
			for (size_t j = 0; j < res->n_renditions; j++) {
				const vsp_rendition_result *m =
					&res->renditions[j];

				if (!m->group || m->kind != kind ||
				    strcmp(m->group, g) != 0)
					continue;
				members++;
				if (m->v.status != VSP_FAIL)
					ok++;
				else if (!bad)
					bad = m;
			}
			if (members > 0 && ok == 0)
				vsp_verdict_set(&v->v, VSP_FAIL,
						VSP_R_GROUP_UNPLAYABLE,
						bad->v.stage,
						"%s group '%s': no rendition "
						"plays (%s: %s)",
						vsp_kind_name(kind), g,
						bad->name, bad->v.message);
		}
	}
}

static void free_hls(void *state)
{
	vsp_hls_free(state);
}

const struct protocol vsp_protocol_hls = {
	.name = "hls",
	.detect = detect_hls,
	.plan = plan_hls,
	.prepare = prepare_hls,
	.after = after_hls,
	.release = release_hls,
	.finish = finish_hls,
	.free_state = free_hls,
	.list = list_hls,
};
