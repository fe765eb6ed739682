/*
 * compare.c - rules across the origins of one stream: an origin that lags
 * the most advanced one (origin_lagging), and origins that do not serve the
 * same stream (origin_mismatch: protocol, live or VOD, ladder, VOD duration
 * and segment count, and for VOD what the first pictures show). Reads the
 * finished result tree; fetches nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "probe_int.h"
#include "sample.h"

/* How far rendition a is behind rendition b of the same stream on another
 * origin, in seconds: by PROGRAM-DATE-TIME when both have it (packagers may
 * number segments differently), else by media sequence. */
static double lag_behind(const vsp_rendition_result *a,
			 const vsp_rendition_result *b)
{
	if (a->newest_end > 0 && b->newest_end > 0)
		return b->newest_end - a->newest_end;
	return (double)(b->newest_seq - a->newest_seq) * a->target_duration;
}

/* Cross-CDN consistency: each live rendition against the same rendition
 * (same name) on the most advanced origin, from the first load of each,
 * which the origins made at about the same moment. */
void vsp_origin_judge_lag(vsp_stream_result *s, const vsp_probe_cfg *cfg)
{
	for (size_t i = 0; i < s->n_origins; i++) {
		vsp_origin_result *oi = &s->origins[i];

		for (size_t k = 0; k < oi->n_renditions; k++) {
			vsp_rendition_result *a = &oi->renditions[k];
			const vsp_rendition_result *best = NULL;
			const vsp_origin_result *best_o = NULL;
			size_t peers = 0;

			if (!a->live || a->target_duration <= 0 || !a->name)
				continue;
			for (size_t j = 0; j < s->n_origins; j++) {
				const vsp_origin_result *oj = &s->origins[j];

				for (size_t m = 0; m < oj->n_renditions; m++) {
					const vsp_rendition_result *b =
						&oj->renditions[m];

					if (j == i || !b->live ||
					    b->target_duration <= 0 ||
					    !b->name ||
					    strcmp(a->name, b->name) != 0)
						continue;
					peers++;
					if (!best || lag_behind(best, b) > 0) {
						best = b;
						best_o = oj;
					}
				}
			}
			if (!peers)
				continue;
			a->has_origin_lag = 1;
			a->origin_lag_s = lag_behind(a, best) > 0
						  ? lag_behind(a, best)
						  : 0;
			if (a->origin_lag_s >
			    cfg->lag_warn_tds * a->target_duration)
				vsp_verdict_set(
					&a->v, VSP_WARN, VSP_R_ORIGIN_LAGGING,
					VSP_STAGE_LIVE,
					"origin %s is %.1f s (%lld segments) "
					"behind origin %s on %s",
					oi->name, a->origin_lag_s,
					(long long)(best->newest_seq -
						    a->newest_seq),
					best_o->name, a->name);
		}
	}
}

/* ---- origin_mismatch: every origin serves the same stream ---- */

/* Fields compared, in the order they are checked: the most basic first. */
enum { N_MISMATCH_FIELDS = 6 };

/* A message being built, cut with "..." rather than overrun. */
struct text {
	char buf[900];
	size_t n;
	int full;
};

static void text_add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->full)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->buf + t->n, sizeof(t->buf) - t->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(t->buf) - t->n) {
		t->full = 1;
		memcpy(t->buf + sizeof(t->buf) - 4, "...", 4);
		t->n = sizeof(t->buf) - 1;
		return;
	}
	t->n += (size_t)k;
}

static void add_mismatch(vsp_stream_result *s, size_t oi, size_t ri,
			 const char *field, vsp_stage stage, const char *msg)
{
	vsp_origin_mismatch *m = &s->mismatches[s->n_mismatches];
	char *copy = strdup(msg);

	if (!copy) {
		s->judge_err = VSP_E_NOMEM;
		return;
	}
	m->origin = oi;
	m->ref = ri;
	m->field = field;
	m->stage = stage;
	m->message = copy;
	s->n_mismatches++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* CODECS as a set: lower case, sorted, so "mp4a.40.2,avc1.64001F" is
 * "avc1.64001f,mp4a.40.2" (the order of a CODECS list means nothing). */
static void codecs_norm(const char *c, char *out, size_t len)
{
	char tok[16][64];
	const char *ptr[16] = { 0 };
	size_t n = 0, k = 0;

	while (*c && n < 16) {
		size_t w = 0;

		while (*c == ' ' || *c == ',')
			c++;
		while (*c && *c != ',' && *c != ' ') {
			if (w + 1 < sizeof(tok[n]))
				tok[n][w++] = (char)tolower((unsigned char)*c);
			c++;
		}
		tok[n][w] = '\0';
		if (w > 0) {
			ptr[n] = tok[n];
			n++;
		}
	}
	qsort(ptr, n, sizeof(ptr[0]), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + k, len - k, "%s%s", i ? "," : "",
				 ptr[i]);

		if (w < 0 || (size_t)w >= len - k)
			break;
		k += (size_t)w;
	}
}

/* Unknown CODECS (a master without the attribute) matches anything: only
 * two declarations can disagree. */
static int codecs_same(const char *a, const char *b)
{
	char na[256], nb[256];

	if (!a || !b)
		return 1;
	codecs_norm(a, na, sizeof(na));
	codecs_norm(b, nb, sizeof(nb));
	return strcmp(na, nb) == 0;
}

static int bw_close(int64_t a, int64_t b)
{
	int64_t big = a > b ? a : b, diff = a > b ? a - b : b - a;

	if (a <= 0 || b <= 0)
		return 1;
	return (double)diff <= VSP_LADDER_BW_TOLERANCE * (double)big;
}

/* The same place in a ladder: kind, resolution and language. */
static int same_slot(const vsp_ladder_entry *a, const vsp_ladder_entry *b)
{
	if (!a->kind || a->kind != b->kind)
		return 0;
	if (a->width != b->width || a->height != b->height)
		return 0;
	return !a->lang || !b->lang || strcasecmp(a->lang, b->lang) == 0;
}

/* "1280x720 avc1.64001f", "audio mp4a.40.2 en": how a person finds the
 * entry in the manifest. */
static void entry_desc(const vsp_ladder_entry *e, char *out, size_t len)
{
	struct text t = { .n = 0 };
	const char *kind = e->kind ? vsp_kind_name(e->kind) : "?";

	if (e->kind == VSP_KIND_MEDIA) {
		snprintf(out, len, "a media playlist without a master");
		return;
	}
	if (e->kind != VSP_KIND_VARIANT &&
	    !(e->kind == VSP_KIND_VIDEO && e->width > 0))
		text_add(&t, "%s ", kind);
	if (e->width > 0 && e->height > 0)
		text_add(&t, "%dx%d ", e->width, e->height);
	if (e->codecs)
		text_add(&t, "%s ", e->codecs);
	if (e->lang)
		text_add(&t, "%s ", e->lang);
	if (e->width <= 0 && e->bandwidth > 0)
		text_add(&t, "at %lld bit/s ", (long long)e->bandwidth);
	while (t.n > 0 && t.buf[t.n - 1] == ' ')
		t.buf[--t.n] = '\0';
	snprintf(out, len, "%s", t.n ? t.buf : kind);
}

static double bw_diff(int64_t a, int64_t b)
{
	return a > b ? (double)(a - b) : (double)(b - a);
}

/* Exactly the same declaration, strings included. */
static int same_decl(const vsp_ladder_entry *a, const vsp_ladder_entry *b)
{
	if (!same_slot(a, b) || a->bandwidth != b->bandwidth)
		return 0;
	if (!a->lang != !b->lang || !a->codecs != !b->codecs)
		return 0;
	return codecs_same(a->codecs, b->codecs);
}

/* 1 when entry i repeats an earlier one exactly: a redundant variant (the
 * same rendition again from a backup server, RFC 8216 6.2.3 / Apple's
 * authoring spec) is one rendition to a viewer. */
static int repeats_earlier(const vsp_origin_result *o, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (same_decl(&o->ladder[k], &o->ladder[i]))
			return 1;
	return 0;
}

/* pair[i] of a repeated entry: neither paired nor missing. */
#define PAIR_REPEAT (SIZE_MAX - 1)

/* Pairs each entry of ref with one of o: first the identical ones (same
 * slot, codecs and bandwidth within tolerance), then what is left by slot,
 * so the masters' order never matters. pair[i] is o's index or SIZE_MAX. */
static void ladder_pair(const vsp_origin_result *ref,
			const vsp_origin_result *o, size_t *pair,
			unsigned char *used)
{
	for (int strict = 1; strict >= 0; strict--)
		for (size_t i = 0; i < ref->n_ladder; i++) {
			const vsp_ladder_entry *a = &ref->ladder[i];
			size_t best = SIZE_MAX;

			if (pair[i] != SIZE_MAX)
				continue;
			for (size_t j = 0; j < o->n_ladder; j++) {
				const vsp_ladder_entry *b = &o->ladder[j];

				if (used[j] || !same_slot(a, b))
					continue;
				if (strict &&
				    (!codecs_same(a->codecs, b->codecs) ||
				     !bw_close(a->bandwidth, b->bandwidth)))
					continue;
				if (best == SIZE_MAX ||
				    bw_diff(a->bandwidth, b->bandwidth) <
					    bw_diff(a->bandwidth,
						    o->ladder[best].bandwidth))
					best = j;
			}
			if (best != SIZE_MAX) {
				pair[i] = best;
				used[best] = 1;
			}
		}
}

/* How the ladders of o and ref pair up: pair[i] is the entry of o paired
 * with ref's i-th (SIZE_MAX none, PAIR_REPEAT a repeat); used[j] tells
 * whether o's j-th is paired (2: a repeat). Counts leave repeats out. */
struct ladder_match {
	size_t *pair;
	unsigned char *used;
	size_t missing, extra, n_ref, n_o;
};

static int ladder_match(const vsp_origin_result *o,
			const vsp_origin_result *ref, struct ladder_match *m)
{
	memset(m, 0, sizeof(*m));
	m->pair =
		malloc((ref->n_ladder ? ref->n_ladder : 1) * sizeof(*m->pair));
	m->used = calloc(o->n_ladder ? o->n_ladder : 1, 1);
	if (!m->pair || !m->used)
		return -1;
	for (size_t i = 0; i < ref->n_ladder; i++) {
		m->pair[i] = repeats_earlier(ref, i) ? PAIR_REPEAT : SIZE_MAX;
		m->n_ref += m->pair[i] != PAIR_REPEAT;
	}
	for (size_t j = 0; j < o->n_ladder; j++) {
		m->used[j] = repeats_earlier(o, j) ? 2 : 0;
		m->n_o += m->used[j] == 0;
	}
	ladder_pair(ref, o, m->pair, m->used);
	for (size_t i = 0; i < ref->n_ladder; i++)
		m->missing += m->pair[i] == SIZE_MAX;
	for (size_t j = 0; j < o->n_ladder; j++)
		m->extra += !m->used[j];
	return 0;
}

/* Renditions one origin has and the other not: "(missing ...; extra ...)". */
static void ladder_unpaired(const vsp_origin_result *o,
			    const vsp_origin_result *ref,
			    const struct ladder_match *m, struct text *t)
{
	char d[sizeof(((struct text *)0)->buf)];

	if (m->n_o != m->n_ref)
		text_add(t,
			 "origin %s: ladder has %zu rendition%s, "
			 "origin %s has %zu (",
			 o->name, m->n_o, m->n_o == 1 ? "" : "s", ref->name,
			 m->n_ref);
	else
		text_add(t,
			 "origin %s: ladder differs from origin %s's "
			 "(",
			 o->name, ref->name);
	for (size_t i = 0, k = 0; i < ref->n_ladder; i++) {
		if (m->pair[i] != SIZE_MAX)
			continue;
		entry_desc(&ref->ladder[i], d, sizeof(d));
		text_add(t, "%s%s", k++ ? ", " : "missing ", d);
	}
	for (size_t j = 0, k = 0; j < o->n_ladder; j++) {
		if (m->used[j])
			continue;
		entry_desc(&o->ladder[j], d, sizeof(d));
		text_add(t, "%s%s",
			 k++	      ? ", "
			 : m->missing ? "; extra "
				      : "extra ",
			 d);
	}
	text_add(t, ")");
}

/* Paired renditions whose CODECS or BANDWIDTH differ; how many. */
static size_t ladder_changed(const vsp_origin_result *o,
			     const vsp_origin_result *ref,
			     const struct ladder_match *m, struct text *t)
{
	char d[sizeof(((struct text *)0)->buf)];
	size_t changed = 0;

	for (size_t i = 0; i < ref->n_ladder; i++) {
		const vsp_ladder_entry *a = &ref->ladder[i], *b;
		int codecs, bw;

		if (m->pair[i] == SIZE_MAX || m->pair[i] == PAIR_REPEAT)
			continue;
		b = &o->ladder[m->pair[i]];
		codecs = !codecs_same(a->codecs, b->codecs);
		bw = !bw_close(a->bandwidth, b->bandwidth);
		if (!codecs && !bw)
			continue;
		/* The first difference leads with who differs. */
		if (t->n)
			text_add(t, "; ");
		else
			text_add(t, "origin %s: ", o->name);
		entry_desc(b, d, sizeof(d));
		if (codecs)
			text_add(t, "%s CODECS %s, origin %s %s", d, b->codecs,
				 ref->name, a->codecs);
		else
			text_add(t,
				 "%s BANDWIDTH %lld, origin %s %lld (over "
				 "the %.0f %% tolerance)",
				 d, (long long)b->bandwidth, ref->name,
				 (long long)a->bandwidth,
				 VSP_LADDER_BW_TOLERANCE * 100);
		changed++;
	}
	return changed;
}

/* The ladders of o and ref as one message in t; 0 when they agree. */
static int ladder_diff(const vsp_origin_result *o, const vsp_origin_result *ref,
		       struct text *t)
{
	struct ladder_match m;
	size_t changed;
	int rv = -1;

	if (ladder_match(o, ref, &m))
		goto out;
	if (m.missing || m.extra)
		ladder_unpaired(o, ref, &m, t);
	changed = ladder_changed(o, ref, &m, t);
	rv = m.missing || m.extra || changed;
out:
	free(m.pair);
	free(m.used);
	return rv;
}

/* -1 unknown (no playlist read), 0 VOD, 1 live. */
static int origin_type(const vsp_origin_result *o)
{
	int t = -1;

	for (size_t i = 0; i < o->n_renditions; i++) {
		if (o->renditions[i].live)
			return 1;
		if (o->renditions[i].has_vod)
			t = 0;
	}
	return t;
}

/* The origin's VOD extent: its longest probed rendition. */
static void origin_vod_extent(vsp_origin_result *o)
{
	o->vod_duration_s = 0;
	o->segment_count = 0;
	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *r = &o->renditions[i];

		if (!r->has_vod)
			continue;
		if (r->vod_duration_s > o->vod_duration_s)
			o->vod_duration_s = r->vod_duration_s;
		if (r->segment_count > o->segment_count)
			o->segment_count = r->segment_count;
	}
}

static int duration_close(double a, double b)
{
	double big = a > b ? a : b, tol = VSP_VOD_DURATION_TOL_RATIO * big;

	if (tol < VSP_VOD_DURATION_TOL_S)
		tol = VSP_VOD_DURATION_TOL_S;
	return fabs(a - b) <= tol;
}

/* VOD duration and segment count, rendition by rendition where both
 * origins probed the same one (by name), else of the whole origins. */
static void compare_vod(vsp_stream_result *s, size_t oi, size_t ri)
{
	const vsp_origin_result *o = &s->origins[oi], *ref = &s->origins[ri];
	int dur_done = 0, seg_done = 0, pairs = 0;
	char msg[512];

	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *a = &o->renditions[i];

		if (!a->has_vod || !a->name)
			continue;
		for (size_t k = 0; k < ref->n_renditions; k++) {
			const vsp_rendition_result *b = &ref->renditions[k];

			if (!b->has_vod || !b->name ||
			    strcmp(a->name, b->name) != 0)
				continue;
			pairs++;
			if (!dur_done && a->vod_duration_s > 0 &&
			    b->vod_duration_s > 0 &&
			    !duration_close(a->vod_duration_s,
					    b->vod_duration_s)) {
				snprintf(msg, sizeof(msg),
					 "origin %s: VOD duration %.1f s, "
					 "origin %s %.1f s (%s)",
					 o->name, a->vod_duration_s, ref->name,
					 b->vod_duration_s, a->name);
				add_mismatch(s, oi, ri, "vod_duration",
					     VSP_STAGE_PLAYLIST, msg);
				dur_done = 1;
			}
			if (!seg_done && a->segment_count > 0 &&
			    b->segment_count > 0 &&
			    a->segment_count != b->segment_count) {
				snprintf(msg, sizeof(msg),
					 "origin %s: %lld segments, origin %s "
					 "%lld (%s)",
					 o->name, (long long)a->segment_count,
					 ref->name, (long long)b->segment_count,
					 a->name);
				add_mismatch(s, oi, ri, "segment_count",
					     VSP_STAGE_PLAYLIST, msg);
				seg_done = 1;
			}
			break;
		}
	}
	if (pairs)
		return;
	if (o->vod_duration_s > 0 && ref->vod_duration_s > 0 &&
	    !duration_close(o->vod_duration_s, ref->vod_duration_s)) {
		snprintf(msg, sizeof(msg),
			 "origin %s: VOD duration %.1f s, origin %s %.1f s",
			 o->name, o->vod_duration_s, ref->name,
			 ref->vod_duration_s);
		add_mismatch(s, oi, ri, "vod_duration", VSP_STAGE_PLAYLIST,
			     msg);
	}
	if (o->segment_count > 0 && ref->segment_count > 0 &&
	    o->segment_count != ref->segment_count) {
		snprintf(msg, sizeof(msg),
			 "origin %s: %lld segments, origin %s %lld", o->name,
			 (long long)o->segment_count, ref->name,
			 (long long)ref->segment_count);
		add_mismatch(s, oi, ri, "segment_count", VSP_STAGE_PLAYLIST,
			     msg);
	}
}

/* ---- origin_mismatch by picture: a backup that shows something else ---- */

/* The ladder entry a probed rendition is (its declaration: kind, size,
 * BANDWIDTH, CODECS), or SIZE_MAX when none or more than one differing
 * entry fit (alternates that differ only by language): no guess, no
 * comparison. */
static size_t rendition_entry(const vsp_origin_result *o,
			      const vsp_rendition_result *r)
{
	size_t found = SIZE_MAX;

	for (size_t i = 0; i < o->n_ladder; i++) {
		const vsp_ladder_entry *e = &o->ladder[i];

		if (e->kind != r->kind || e->width != r->width ||
		    e->height != r->height || e->bandwidth != r->bandwidth ||
		    !e->codecs != !r->codecs ||
		    (e->codecs && strcmp(e->codecs, r->codecs) != 0))
			continue;
		if (found == SIZE_MAX)
			found = i;
		else if (!same_decl(&o->ladder[found], e))
			return SIZE_MAX;
	}
	return found;
}

/* The decoded first segment (position 0 of a VOD list) of r when it shows
 * a measured picture, else NULL: a rendition that fails (its pictures may
 * be damaged), audio, encrypted, content checks off or a pixel format not
 * measured are never compared. */
static const vsp_segment_check *first_picture(const vsp_rendition_result *r)
{
	if (r->live || !r->has_vod || r->v.status == VSP_FAIL)
		return NULL;
	for (size_t i = 0; i < r->n_segs; i++) {
		const vsp_segment_check *c = &r->segs[i];

		if (c->role != VSP_SEG_FIRST || c->action != VSP_SEG_DECODED)
			continue;
		if (!c->decode || !c->decode->has_video ||
		    !c->decode->content.measured ||
		    c->decode->content.pictures < 1 || c->decode->width <= 0 ||
		    c->decode->height <= 0)
			return NULL;
		return c;
	}
	return NULL;
}

/* Display aspects close enough that a cell covers the same part of both
 * pictures (1280x720 beside 640x360 does; 4:3 beside 16:9 does not). */
static int aspect_close(const vsp_decode_info *a, const vsp_decode_info *b)
{
	double ra = (double)a->width / a->height;
	double rb = (double)b->width / b->height;

	if (a->sar_num > 0 && a->sar_den > 0)
		ra *= (double)a->sar_num / a->sar_den;
	if (b->sar_num > 0 && b->sar_den > 0)
		rb *= (double)b->sar_num / b->sar_den;
	return fabs(ra - rb) <=
	       VSP_PICTURE_MISMATCH_ASPECT_TOL * (ra > rb ? ra : rb);
}

/* The renditions of ref and o that the ladder comparison pairs (same slot
 * of the ladder, ladder_pair), each decoded on both from the first VOD
 * segment: their first pictures, compared by the share of signature cells
 * that moved (limits.h has the measurements behind the thresholds). One
 * mismatch for the origin: the first pair that differs, and how many of
 * the pairs compared did. Live is never compared: two origins are at
 * different moments of the stream, and a lagging one is origin_lagging. */
static void compare_pictures(vsp_stream_result *s, size_t oi, size_t ri)
{
	const vsp_origin_result *o = &s->origins[oi], *ref = &s->origins[ri];
	struct ladder_match m = { .pair = NULL };
	struct text t = { .n = 0 };
	size_t compared = 0, differ = 0;

	if (o->ladder_truncated || ref->ladder_truncated ||
	    ladder_match(o, ref, &m) != 0)
		goto out;
	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *a = &o->renditions[i];
		const vsp_segment_check *ca = first_picture(a);
		size_t ea = ca ? rendition_entry(o, a) : SIZE_MAX,
		       er = SIZE_MAX;

		for (size_t k = 0; ea != SIZE_MAX && k < ref->n_ladder; k++)
			if (m.pair[k] == ea)
				er = k;
		for (size_t k = 0; er != SIZE_MAX && k < ref->n_renditions;
		     k++) {
			const vsp_rendition_result *b = &ref->renditions[k];
			const vsp_segment_check *cb = first_picture(b);
			double share;

			if (!cb || rendition_entry(ref, b) != er ||
			    !aspect_close(ca->decode, cb->decode))
				continue;
			compared++;
			share = vsp_picture_diff_share(
				&ca->decode->content.first,
				&cb->decode->content.first,
				VSP_PICTURE_MISMATCH_CELL_DIFF);
			if (share > VSP_PICTURE_MISMATCH_SHARE && !differ++)
				text_add(&t,
					 "origin %s: first picture of %s "
					 "segment %lld differs from origin "
					 "%s's: %.0f %% of the picture's "
					 "cells by more than %d levels of 255 "
					 "(threshold %.0f %%)",
					 o->name, a->name ? a->name : "?",
					 (long long)ca->index, ref->name,
					 share * 100,
					 VSP_PICTURE_MISMATCH_CELL_DIFF,
					 VSP_PICTURE_MISMATCH_SHARE * 100);
			break;
		}
	}
	if (differ > 1 || (differ && compared > 1))
		text_add(&t, "; %zu of %zu renditions compared differ", differ,
			 compared);
	if (differ)
		add_mismatch(s, oi, ri, "picture", VSP_STAGE_VALIDATION, t.buf);
out:
	free(m.pair);
	free(m.used);
}

/* Origin o against the reference: protocol, then type, ladder and VOD
 * extent. Another protocol makes the rest meaningless (an HLS ladder of
 * muxed variants never equals a DASH one of separate Representations). */
static void compare_origin(vsp_stream_result *s, size_t oi, size_t ri)
{
	const vsp_origin_result *o = &s->origins[oi], *ref = &s->origins[ri];
	int to = origin_type(o), tr = origin_type(ref);
	struct text t = { .n = 0 };
	char msg[256];

	if (!o->protocol || !ref->protocol ||
	    strcmp(o->protocol, ref->protocol) != 0) {
		snprintf(msg, sizeof(msg), "origin %s is %s, origin %s %s",
			 o->name, o->protocol ? o->protocol : "unknown",
			 ref->name, ref->protocol ? ref->protocol : "unknown");
		add_mismatch(s, oi, ri, "protocol", VSP_STAGE_MANIFEST, msg);
		return;
	}
	if (to >= 0 && tr >= 0 && to != tr) {
		snprintf(msg, sizeof(msg), "origin %s is %s, origin %s %s",
			 o->name, to ? "live" : "VOD", ref->name,
			 tr ? "live" : "VOD");
		add_mismatch(s, oi, ri, "type", VSP_STAGE_MANIFEST, msg);
	}
	/* A truncated ladder (hundreds of entries) cannot be compared
	 * whole; the record says it was truncated. */
	if (!o->ladder_truncated && !ref->ladder_truncated) {
		int d = ladder_diff(o, ref, &t);

		if (d < 0)
			s->judge_err = VSP_E_NOMEM;
		else if (d > 0)
			add_mismatch(s, oi, ri, "ladder", VSP_STAGE_MANIFEST,
				     t.buf);
	}
	if (to == 0 && tr == 0) {
		compare_vod(s, oi, ri);
		compare_pictures(s, oi, ri);
	}
}

/* Every origin whose manifest was read against the first such one (a dead
 * origin is redundancy_lost or origins_down already). Live windows are not
 * compared: a live origin behind another is origin_lagging. */
void vsp_origin_judge_mismatch(vsp_stream_result *s)
{
	size_t ref = SIZE_MAX, n = 0;

	for (size_t i = 0; i < s->n_origins; i++) {
		origin_vod_extent(&s->origins[i]);
		if (!s->origins[i].has_ladder)
			continue;
		n++;
		if (ref == SIZE_MAX)
			ref = i;
	}
	if (n < 2 || s->mismatches)
		return;
	s->mismatches = calloc(s->n_origins * N_MISMATCH_FIELDS,
			       sizeof(*s->mismatches));
	if (!s->mismatches) {
		s->judge_err = VSP_E_NOMEM;
		return;
	}
	for (size_t i = ref + 1; i < s->n_origins; i++)
		if (s->origins[i].has_ladder)
			compare_origin(s, i, ref);
}

int vsp_origin_ladder_add(vsp_origin_result *o, vsp_kind kind,
			  const char *codecs, const char *lang, int width,
			  int height, int64_t bandwidth)
{
	vsp_ladder_entry *e;

	if (!o->ladder) {
		o->ladder = calloc(VSP_LADDER_MAX_ENTRIES, sizeof(*o->ladder));
		if (!o->ladder)
			return -1;
	}
	o->has_ladder = 1;
	if (o->n_ladder >= VSP_LADDER_MAX_ENTRIES) {
		o->ladder_truncated = 1;
		return 0;
	}
	e = &o->ladder[o->n_ladder];
	e->kind = kind;
	e->codecs = vsp_strdup_or_null(codecs);
	e->lang = vsp_strdup_or_null(lang);
	e->width = width;
	e->height = height;
	e->bandwidth = bandwidth;
	o->n_ladder++;
	if ((codecs && !e->codecs) || (lang && !e->lang))
		return -1;
	return 0;
}
