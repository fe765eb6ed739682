/*
 * probe_sample.c - the segments a rendition check touches beyond the one
 * segment.c fetches and decodes (issue 11, "Segment truth"):
 *
 *  - VOD: a sample spread over the asset (by default the middle and the
 *    last) must exist and begin with media: a ranged GET of its first
 *    VSP_SNIFF_MAX_BYTES, the container sniffed (sample.c);
 *  - live: the segment a player joins at is fetched and decoded like the
 *    newest; a segment that just left the playlist must still answer.
 *
 * Every segment touched is recorded in r->segs. Every fetch runs on the
 * worker's client (its kept-alive connection) and inside the check's
 * deadline; a sniff reads at most the limit, whatever the origin sends.
 * Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/aes.h>
#include <libavutil/mem.h>

#include "clock.h"
#include "limits.h"
#include "probe_int.h"
#include "termsafe.h"
#include "sample.h"

/* A deep copy of a step (the record keeps the schema-1 `segment` step and
 * the first entry of `segments` apart). */
static void step_copy(vsp_http_step *d, const vsp_http_step *s)
{
	*d = *s;
	d->url = vsp_strdup_or_null(s->url);
	d->final_url = vsp_strdup_or_null(s->final_url);
	d->content_type = vsp_strdup_or_null(s->content_type);
	d->range = vsp_strdup_or_null(s->range);
}

static vsp_decode_info *decode_copy(const vsp_decode_info *d)
{
	vsp_decode_info *c = malloc(sizeof(*c));

	if (c)
		*c = *d;
	return c;
}

static double left_s(const struct origin_ctx *o)
{
	return (double)(o->deadline_us - vsp_now_us()) / 1e6;
}

/* The last AES-128 key fetched for the sample: keys rotate rarely. */
struct key_cache {
	char *uri;
	uint8_t key[16];
	vsp_http_step step;
};

static int key_get(struct worker *w, vsp_rendition_result *r,
		   struct key_cache *kc, const char *uri, int64_t seq)
{
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768];
	vsp_reason rc;
	vsp_http_request req = { 0 };

	if (kc->uri && strcmp(kc->uri, uri) == 0)
		return 0;
	free(kc->uri);
	kc->uri = NULL;
	req.url = uri;
	req.length = VSP_HTTP_WHOLE;
	req.limit = VSP_KEY_MAX_BYTES;
	req.deadline_us = w->o->deadline_us;
	rc = vsp_http_get(w->http, &req, &kc->step, &body, &len, err,
			  sizeof(err));
	if (rc || len != 16) {
		if (!rc)
			snprintf(err, sizeof(err),
				 "%s: %zu bytes, an AES-128 key is 16", uri,
				 len);
		vsp_probe_fail(w->o, &r->v, rc ? rc : VSP_R_KEY_INVALID,
			       kc->step.err, VSP_STAGE_KEY,
			       "key of segment %lld: %s", (long long)seq, err);
		vsp_http_body_free(w->http, body, len);
		return -1;
	}
	memcpy(kc->key, body, 16);
	vsp_http_body_free(w->http, body, len);
	kc->uri = strdup(uri);
	return kc->uri ? 0 : -1;
}

/* CBC needs no padding to decrypt whole blocks from the start: the clear
 * first bytes are what a player's demuxer sees first. Returns the clear
 * length (a multiple of 16, in place), or -1. */
static long decrypt_prefix(uint8_t *b, size_t len, const uint8_t key[16],
			   const uint8_t iv_in[16])
{
	struct AVAES *aes = av_aes_alloc();
	uint8_t iv[16];
	size_t blocks = len / 16;

	if (!aes)
		return -1;
	if (av_aes_init(aes, key, 128, 1) < 0) {
		av_free(aes);
		return -1;
	}
	memcpy(iv, iv_in, 16);
	/* blocks <= VSP_SNIFF_MAX_BYTES / 16: fits av_aes_crypt()'s int. */
	av_aes_crypt(aes, b, b, (int)blocks, iv, 1);
	av_free(aes);
	return (long)(blocks * 16);
}

/* The first bytes of segment sp, at most limit (within its own byte
 * range), on the worker's connection; the step goes into c. */
static vsp_reason fetch_prefix(struct worker *w, vsp_segment_check *c,
			       const struct seg_plan *sp, int64_t limit,
			       uint8_t **body, size_t *blen, char *err,
			       size_t errlen)
{
	int64_t want =
		sp->length >= 0 && sp->length < limit ? sp->length : limit;

	vsp_http_request req = { .url = sp->uri,
				 .offset = sp->offset,
				 .length = want,
				 .limit = limit,
				 .deadline_us = w->o->deadline_us,
				 .prefix = 1 };
	vsp_reason rc =
		vsp_http_get(w->http, &req, &c->http, body, blen, err, errlen);

	/* The segment's own byte range (an index's or a playlist's): a 206
	 * shorter than the part of it asked is a resource that ends inside
	 * the segment (a server shortens a range past its end, RFC 9110
	 * 14.1.2), a cut segment for a player. Without a known range a
	 * shorter answer is only a segment smaller than the sniff. */
	if (rc == VSP_R_NONE && sp->length >= 0 && c->http.http_status == 206 &&
	    (int64_t)*blen < want) {
		snprintf(err, errlen,
			 "GET %.300s range %lld-%lld: %zu bytes instead of "
			 "%lld: the resource ends inside the range",
			 sp->uri, (long long)sp->offset,
			 (long long)(sp->offset + want - 1), *blen,
			 (long long)want);
		vsp_http_body_free(w->http, *body, *blen);
		*body = NULL;
		*blen = 0;
		rc = VSP_R_NETWORK;
	}
	return rc;
}

/* A ranged GET of the first bytes of sp, the container sniffed. */
static void sniff_one(struct worker *w, vsp_rendition_result *r,
		      const struct seg_plan *sp, vsp_seg_role role, int64_t pos,
		      int64_t n, struct key_cache *kc)
{
	vsp_segment_check *c = vsp_segment_check_add(r);
	const char *rname = vsp_seg_role_name(role);
	uint8_t *body = NULL;
	size_t blen = 0, got = 0; /* got: the body's length, to free it */
	char err[768], ex[32];
	vsp_reason rc;

	if (!c)
		return;
	c->index = sp->seq;
	c->role = (int)role;
	c->action = VSP_SEG_STATUS;
	rc = fetch_prefix(w, c, sp, VSP_SNIFF_MAX_BYTES, &body, &blen, err,
			  sizeof(err));
	got = blen;
	if (rc) {
		c->status = VSP_FAIL;
		vsp_probe_fail(w->o, &r->v, rc, c->http.err, VSP_STAGE_SEGMENT,
			       "segment %lld (%s, %lld of %lld): %s",
			       (long long)sp->seq, rname, (long long)pos + 1,
			       (long long)n, err);
		return;
	}
	/* DRM and SAMPLE-AES: existence and status is all we can judge.
	 * A 200 to a Range at an offset: the bytes begin at the resource's
	 * start, not at the segment's. */
	if (sp->encrypted || (sp->offset > 0 && c->http.http_status != 206))
		goto out;
	if (sp->aes128) {
		long clear;

		if (key_get(w, r, kc, sp->key_uri, sp->seq) != 0) {
			c->status = VSP_FAIL;
			goto out;
		}
		clear = decrypt_prefix(body, blen, kc->key, sp->iv);
		/* No AES context: the prober's failure, not the target's. */
		if (clear < 0) {
			vsp_probe_error(w->o, VSP_E_NOMEM,
					"segment %lld: %s: out of memory "
					"for the AES-128 context",
					(long long)sp->seq, sp->uri);
			goto out;
		}
		blen = (size_t)clear;
	}
	c->action = VSP_SEG_SNIFFED;
	c->container = vsp_sniff_container(body, blen);
	if (!c->container) {
		c->status = VSP_FAIL;
		vsp_body_quote(body, blen, ex, sizeof(ex));
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_NOT_MEDIA, VSP_STAGE_SEGMENT,
			"segment %lld (%s, %lld of %lld): %s: the first "
			"%zu bytes are not media%s (starts with '%s')",
			(long long)sp->seq, rname, (long long)pos + 1,
			(long long)n, sp->uri, blen,
			sp->aes128 ? " once decrypted" : "", ex);
	}
out:
	vsp_http_body_free(w->http, body, got);
}

static void sample_vod(struct worker *w, struct rend_job *j,
		       const struct seg_list *l, int64_t first_seq,
		       int64_t start_seq)
{
	struct origin_ctx *o = w->o;
	vsp_rendition_result *r = j->r;
	size_t cap = l->n < VSP_MAX_SEGMENT_CHECKS ? (size_t)l->n
						   : VSP_MAX_SEGMENT_CHECKS;
	int64_t *pos = malloc(cap * sizeof(*pos));
	vsp_seg_role *roles = malloc(cap * sizeof(*roles));
	struct key_cache kc = { 0 };
	size_t k, done = 0;
	char err[512];

	if (!pos || !roles)
		goto out;
	k = vsp_sample_pick(l->n, o->cfg->segments, o->cfg->segment_rotation,
			    pos, roles, cap);
	for (size_t i = 0; i < k && r->v.status != VSP_FAIL; i++) {
		struct seg_plan sp;
		void *owned = NULL;
		int rc;

		if (roles[i] == VSP_SEG_FIRST)
			continue;
		if (left_s(o) < VSP_SAMPLE_MARGIN_S) {
			vsp_rendition_note(r,
					   "segment sample cut short by the "
					   "deadline: %zu of %zu checked",
					   done + 1, k);
			break;
		}
		memset(&sp, 0, sizeof(sp));
		sp.length = -1;
		sp.init_length = -1;
		rc = l->at(l->ctx, pos[i], &sp, &owned, err, sizeof(err));
		/* The start segment was decoded already: no sniff. */
		if (rc == 0 && sp.seq != first_seq && sp.seq != start_seq) {
			sniff_one(w, r, &sp, roles[i], pos[i], l->n, &kc);
			done++;
		} else if (rc < 0) {
			vsp_rendition_note(r, "segment sample: %s", err);
		}
		if (l->release)
			l->release(owned);
		if (rc < 0)
			break;
	}
out:
	free(kc.uri);
	vsp_http_step_clear(&kc.step);
	free(pos);
	free(roles);
}

/* The segment a player joins at (live) or starts on by EXT-X-START (also
 * VOD), fetched and decoded by the same segment step as the newest, on a
 * scratch rendition that borrows r's declared facts; its step and decode
 * go to the record, its verdict to r. Returns the sequence number it
 * decoded, else -1. */
static int64_t decode_start(struct worker *w, struct rend_job *j,
			    const struct seg_list *l)
{
	vsp_rendition_result *r = j->r, tmp;
	vsp_segment_check *c;
	struct seg_plan sp;
	void *owned = NULL;
	char err[512], why[160];
	int64_t done = -1;

	memset(&sp, 0, sizeof(sp));
	sp.length = -1;
	sp.init_length = -1;
	if (l->at(l->ctx, l->start, &sp, &owned, err, sizeof(err)) != 0 ||
	    sp.seq == r->segment_seq)
		goto out;
	if (left_s(w->o) < VSP_SAMPLE_MARGIN_S) {
		vsp_rendition_note(r,
				   "start segment %lld not checked: no time "
				   "left before the deadline",
				   (long long)sp.seq);
		goto out;
	}
	c = vsp_segment_check_add(r);
	if (!c)
		goto out;
	c->index = sp.seq;
	c->role = VSP_SEG_START;
	c->action = VSP_SEG_DECODED;
	memset(&tmp, 0, sizeof(tmp));
	tmp.kind = r->kind;
	tmp.name = r->name;
	tmp.uri = r->uri;
	tmp.codecs = r->codecs;
	tmp.key_method = r->key_method;
	tmp.bandwidth = r->bandwidth;
	tmp.width = r->width;
	tmp.height = r->height;
	tmp.frame_rate = r->frame_rate;
	tmp.live = r->live;
	sp.manifest_ms = 0;
	vsp_probe_segment(w, &tmp, &sp, j->audio);
	c->http = tmp.segment;
	memset(&tmp.segment, 0, sizeof(tmp.segment));
	if (tmp.decoded)
		c->decode = decode_copy(&tmp.decode);
	c->status = tmp.v.status;
	done = sp.seq;
	if (l->start_why[0])
		snprintf(why, sizeof(why), "where players start, by %s",
			 l->start_why);
	else
		snprintf(why, sizeof(why),
			 "where a player joins, %.1f s behind the live edge",
			 l->start_behind_s);
	if (tmp.v.status != VSP_PASS)
		vsp_verdict_set(&r->v, tmp.v.status, tmp.v.reason, tmp.v.stage,
				"start segment %lld (%s): %s",
				(long long)sp.seq, why,
				tmp.v.message ? tmp.v.message : "");
	/* Borrowed: not tmp's to free. */
	tmp.name = tmp.uri = tmp.codecs = tmp.key_method = NULL;
	vsp_rendition_result_clear(&tmp);
out:
	if (l->release)
		l->release(owned);
	return done;
}

void vsp_probe_sample(struct worker *w, struct rend_job *j,
		      const struct seg_plan *p, void *scratch)
{
	struct origin_ctx *o = w->o;
	vsp_rendition_result *r = j->r;
	struct seg_list l;
	vsp_segment_check *c;

	if (!r->segment.done)
		return; /* key or init failed first: no segment touched */
	c = vsp_segment_check_add(r);
	if (c) {
		c->index = p->seq;
		c->role = r->live ? VSP_SEG_NEWEST : VSP_SEG_FIRST;
		c->action = VSP_SEG_DECODED;
		c->status = r->v.status == VSP_FAIL ? VSP_FAIL : VSP_PASS;
		step_copy(&c->http, &r->segment);
		if (r->decoded)
			c->decode = decode_copy(&r->decode);
	}
	if (r->v.status == VSP_FAIL || !o->proto->list)
		return;
	memset(&l, 0, sizeof(l));
	l.start = -1;
	if (o->proto->list(w, j, scratch, &l) != 0)
		return;
	r->segs_listed = l.n;
	if (r->live) {
		if (l.start >= 0)
			decode_start(w, j, &l);
	} else {
		/* A VOD start only when a tag names one (EXT-X-START). */
		int64_t started = l.start >= 0 ? decode_start(w, j, &l) : -1;

		if (l.n > 1)
			sample_vod(w, j, &l, p->seq, started);
	}
	if (l.free_ctx)
		l.free_ctx(l.ctx);
}

void vsp_probe_removed(struct worker *w, vsp_rendition_result *r,
		       const struct seg_plan *p)
{
	vsp_segment_check *c = vsp_segment_check_add(r);
	uint8_t *body = NULL;
	size_t blen = 0;
	char err[768];
	vsp_reason rc;

	if (!c)
		return;
	c->index = p->seq;
	c->role = VSP_SEG_REMOVED;
	c->action = VSP_SEG_STATUS;
	rc = fetch_prefix(w, c, p, VSP_REMOVED_PROBE_BYTES, &body, &blen, err,
			  sizeof(err));
	vsp_http_body_free(w->http, body, blen);
	if (rc == VSP_R_NONE)
		return;
	c->status = VSP_WARN;
	if (c->http.http_status == 404 || c->http.http_status == 410)
		vsp_verdict_set(
			&r->v, VSP_WARN, VSP_R_REMOVED_SEGMENT_GONE,
			VSP_STAGE_LIVE,
			"segment %lld left the playlist and is gone at once "
			"(HTTP %ld from %s): RFC 8216 6.2.2 keeps it "
			"available for the playlist's duration, for players "
			"behind the live edge",
			(long long)p->seq, c->http.http_status, p->uri);
	else
		vsp_rendition_note(
			r, "segment %lld that just left the playlist: %s",
			(long long)p->seq, err);
}
