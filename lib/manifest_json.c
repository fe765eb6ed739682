/*
 * manifest_json.c - what prober sees in a parsed playlist or MPD, as JSON
 * (`prober manifest`, the tests). Reads the parsers' structs only: the
 * parsers themselves know nothing of JSON.
 */
#include "manifest_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_segment.h"
#include "datetime.h"
#include "jsontext.h"

/* ---- HLS ---- */

/* Adds key: value, consuming value; NULL value (out of memory) is caught
 * by the caller through the return. */
static int jset(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v);
}

static json_t *variant_json(const vsp_hls_variant *v)
{
	json_t *o = json_object();
	char res[32];
	int bad = 0;

	if (!o)
		return NULL;
	bad |= jset(o, "uri", vsp_json_text(v->uri));
	bad |= jset(o, "bandwidth", json_integer(v->bandwidth));
	bad |= jset(o, "average_bandwidth",
		    v->average_bandwidth ? json_integer(v->average_bandwidth)
					 : json_null());
	if (v->width && v->height) {
		snprintf(res, sizeof(res), "%dx%d", v->width, v->height);
		bad |= jset(o, "resolution", json_string(res));
	} else {
		bad |= jset(o, "resolution", json_null());
	}
	bad |= jset(o, "codecs", vsp_json_text(v->codecs));
	bad |= jset(o, "frame_rate",
		    v->frame_rate > 0 ? json_real(v->frame_rate) : json_null());
	bad |= jset(o, "audio", vsp_json_text(v->audio));
	bad |= jset(o, "video", vsp_json_text(v->video));
	bad |= jset(o, "subtitles", vsp_json_text(v->subtitles));
	bad |= jset(o, "closed_captions", vsp_json_text(v->closed_captions));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *media_json(const vsp_hls_media *m)
{
	static const char *const names[] = { "AUDIO", "VIDEO", "SUBTITLES",
					     "CLOSED-CAPTIONS" };
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	bad |= jset(o, "type",
		    json_string((unsigned)m->type < 4 ? names[m->type]
						      : "UNKNOWN"));
	bad |= jset(o, "group_id", vsp_json_text(m->group_id));
	bad |= jset(o, "name", vsp_json_text(m->name));
	bad |= jset(o, "language", vsp_json_text(m->language));
	bad |= jset(o, "default", json_boolean(m->is_default));
	bad |= jset(o, "autoselect", json_boolean(m->autoselect));
	bad |= jset(o, "channels", vsp_json_text(m->channels));
	bad |= jset(o, "uri", vsp_json_text(m->uri));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *byterange_json(int64_t length, int64_t offset)
{
	return json_pack("{s:I,s:I}", "length", (json_int_t)length, "offset",
			 (json_int_t)offset);
}

/* RFC 3339, UTC, milliseconds: "2016-06-22T13:20:16.166Z". */
static json_t *date_json(double t)
{
	char buf[VSP_TIME_TEXT_MAX];

	if (vsp_time_format(t, buf, sizeof(buf)) != 0)
		return json_null();
	return json_string(buf);
}

static json_t *key_json(const vsp_hls_key *k)
{
	static const char *const names[] = { "NONE", "AES-128", "SAMPLE-AES" };
	json_t *o = json_object();
	char iv[35];
	int bad = 0;

	if (!o)
		return NULL;
	bad |= jset(o, "method",
		    vsp_json_text(k->method_name ? k->method_name
						 : names[k->method]));
	bad |= jset(o, "uri", vsp_json_text(k->uri));
	if (k->has_iv) {
		iv[0] = '0';
		iv[1] = 'x';
		for (int i = 0; i < 16; i++) {
			iv[2 + 2 * i] = "0123456789abcdef"[k->iv[i] >> 4];
			iv[3 + 2 * i] = "0123456789abcdef"[k->iv[i] & 15];
		}
		iv[34] = '\0';
		bad |= jset(o, "iv", json_string(iv));
	} else {
		bad |= jset(o, "iv", json_null());
	}
	if (k->keyformat)
		bad |= jset(o, "keyformat", vsp_json_text(k->keyformat));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *segment_json(const vsp_hls_playlist *pl,
			    const vsp_hls_segment *s)
{
	json_t *o = json_object(), *m;
	int bad = 0;

	if (!o)
		return NULL;
	bad |= jset(o, "seq", json_integer(s->seq));
	bad |= jset(o, "uri", vsp_json_text(s->uri));
	bad |= jset(o, "duration", json_real(s->duration));
	if (s->br_length >= 0)
		bad |= jset(o, "byterange",
			    byterange_json(s->br_length, s->br_offset));
	if (s->key >= 0 && (size_t)s->key < pl->n_keys)
		bad |= jset(o, "key", key_json(&pl->keys[s->key]));
	if (s->map >= 0 && (size_t)s->map < pl->n_maps) {
		const vsp_hls_map *mp = &pl->maps[s->map];

		m = json_object();
		bad |= m == NULL;
		if (m) {
			bad |= jset(m, "uri", vsp_json_text(mp->uri));
			if (mp->br_length >= 0)
				bad |= jset(m, "byterange",
					    byterange_json(mp->br_length,
							   mp->br_offset));
			bad |= jset(o, "map", m);
		}
	}
	if (s->discontinuity)
		bad |= jset(o, "discontinuity", json_true());
	if (s->gap)
		bad |= jset(o, "gap", json_true());
	if (s->has_pdt)
		bad |= jset(o, "program_date_time", date_json(s->pdt));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *ll_json(const vsp_hls_playlist *pl)
{
	return json_pack("{s:f,s:I,s:o,s:b,s:f,s:f,s:f,s:I}", "part_target",
			 pl->part_target, "parts", (json_int_t)pl->n_parts,
			 "preload_hint", vsp_json_text(pl->preload_hint_uri),
			 "can_block_reload", pl->can_block_reload,
			 "can_skip_until", pl->can_skip_until, "hold_back",
			 pl->hold_back, "part_hold_back", pl->part_hold_back,
			 "skipped_segments", (json_int_t)pl->skipped_segments);
}

/* EXT-X-START as written, and for a media playlist the segment (media
 * sequence number) a player starts on by it; null when none. */
static json_t *start_json(const vsp_hls_playlist *pl)
{
	const vsp_hls_start *st = &pl->start;
	int64_t pos = vsp_hls_start_index(pl, st);

	return json_pack("{s:o,s:b,s:o}", "time_offset",
			 st->has_offset ? json_real(st->offset) : json_null(),
			 "precise", st->precise, "segment",
			 pos >= 0 ? json_integer(pl->segments[pos].seq)
				  : json_null());
}

/* Appends each element's JSON; 1 on failure. */
static int add_all(json_t *arr, json_t *(*fn)(const void *), const void *base,
		   size_t n, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = fn((const char *)base + i * size);

		if (!v || json_array_append_new(arr, v))
			return 1;
	}
	return 0;
}

static json_t *variant_json_any(const void *v)
{
	return variant_json(v);
}

static json_t *media_json_any(const void *m)
{
	return media_json(m);
}

json_t *vsp_hls_to_json(const vsp_hls_playlist *pl)
{
	static const char *const types[] = { NULL, "VOD", "EVENT" };
	json_t *o, *arr;
	int bad = 0;

	if (!pl)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	bad |= jset(o, "type", json_string(pl->is_master ? "master" : "media"));
	bad |= jset(o, "version", json_integer(pl->version));
	if (pl->is_master) {
		arr = json_array();
		bad |= !arr || add_all(arr, variant_json_any, pl->variants,
				       pl->n_variants, sizeof(*pl->variants));
		bad |= jset(o, "variants", arr);
		arr = json_array();
		bad |= !arr ||
		       add_all(arr, variant_json_any, pl->iframe_variants,
			       pl->n_iframe_variants,
			       sizeof(*pl->iframe_variants));
		bad |= jset(o, "iframe_variants", arr);
		arr = json_array();
		bad |= !arr || add_all(arr, media_json_any, pl->media,
				       pl->n_media, sizeof(*pl->media));
		bad |= jset(o, "media", arr);
		goto done;
	}
	bad |= jset(o, "target_duration", json_real(pl->target_duration));
	bad |= jset(o, "media_sequence", json_integer(pl->media_sequence));
	bad |= jset(o, "discontinuity_sequence",
		    json_integer(pl->discontinuity_sequence));
	bad |= jset(o, "endlist", json_boolean(pl->endlist));
	bad |= jset(
		o, "playlist_type",
		vsp_json_text((unsigned)pl->type < 3 ? types[pl->type] : NULL));
	bad |= jset(o, "live", json_boolean(vsp_hls_is_live(pl)));
	if (pl->iframes_only)
		bad |= jset(o, "iframes_only", json_true());
	arr = json_array();
	bad |= arr == NULL;
	for (size_t i = 0; arr && i < pl->n_segments; i++) {
		json_t *s = segment_json(pl, &pl->segments[i]);

		if (!s || json_array_append_new(arr, s)) {
			bad = 1;
			break;
		}
	}
	bad |= jset(o, "segments", arr);
	if (pl->part_target > 0 || pl->n_parts || pl->preload_hint_uri ||
	    pl->can_block_reload || pl->can_skip_until > 0 ||
	    pl->hold_back > 0 || pl->part_hold_back > 0 || pl->skipped_segments)
		bad |= jset(o, "ll", ll_json(pl));
done:
	if (pl->start.present)
		bad |= jset(o, "start", start_json(pl));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- DASH ---- */

static json_t *str_or_null(const char *s)
{
	return vsp_json_text(s);
}

static json_t *secs_or_null(double v)
{
	return v >= 0 ? json_real(v) : json_null();
}

static json_t *time_or_null(int has, double t)
{
	char buf[40];

	if (!has)
		return json_null();
	vsp_time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *range_or_null(int64_t off, int64_t len)
{
	char buf[48];

	if (len < 0)
		return json_null();
	snprintf(buf, sizeof(buf), "%lld-%lld", (long long)off,
		 (long long)(off + len - 1));
	return json_string(buf);
}

static const char *addr_name(vsp_dash_addressing a)
{
	switch (a) {
	case VSP_DASH_ADDR_TEMPLATE:
		return "SegmentTemplate";
	case VSP_DASH_ADDR_LIST:
		return "SegmentList";
	case VSP_DASH_ADDR_BASE:
		return "SegmentBase";
	default:
		return "BaseURL";
	}
}

/* Segments listed per Representation in `prober manifest`. */
#define JSON_FIRST_SEGMENTS 3

static json_t *rep_json(const vsp_dash_mpd *m, const vsp_dash_period *p,
			const vsp_dash_representation *r)
{
	json_t *o = json_object(), *segs = json_array();
	vsp_dash_segment s;
	char err[512];

	json_object_set_new(o, "id", str_or_null(r->id));
	json_object_set_new(o, "bandwidth", json_integer(r->bandwidth));
	json_object_set_new(o, "width",
			    r->width ? json_integer(r->width) : json_null());
	json_object_set_new(o, "height",
			    r->height ? json_integer(r->height) : json_null());
	json_object_set_new(o, "codecs", str_or_null(r->codecs));
	json_object_set_new(o, "mime_type", str_or_null(r->mime_type));
	if (r->frame_rate > 0)
		json_object_set_new(o, "frame_rate", json_real(r->frame_rate));
	json_object_set_new(o, "encrypted", json_boolean(r->encrypted));
	if (r->drm_scheme)
		json_object_set_new(o, "drm", json_string(r->drm_scheme));
	json_object_set_new(o, "base_url", str_or_null(r->base_url));
	json_object_set_new(o, "addressing", json_string(addr_name(r->addr)));
	for (int64_t i = 0; i < JSON_FIRST_SEGMENTS; i++) {
		json_t *so;

		if (vsp_dash_segment_at(m, p, r, i, &s, err, sizeof(err)) !=
		    0) {
			if (i == 0)
				json_object_set_new(o, "error",
						    vsp_json_text(err));
			break;
		}
		if (i == 0) {
			json_object_set_new(o, "init", str_or_null(s.init_url));
			json_object_set_new(
				o, "init_range",
				range_or_null(s.init_offset, s.init_length));
			if (s.needs_index)
				json_object_set_new(
					o, "index_range",
					range_or_null(s.index_offset,
						      s.index_length));
		}
		so = json_object();
		json_object_set_new(so, "url", vsp_json_text(s.url));
		json_object_set_new(so, "range",
				    range_or_null(s.offset, s.length));
		json_object_set_new(so, "number", json_integer(s.number));
		json_object_set_new(so, "time", json_integer(s.time));
		json_object_set_new(so, "duration", json_real(s.duration));
		json_array_append_new(segs, so);
		vsp_dash_segment_clear(&s);
	}
	json_object_set_new(o, "segments", segs);
	return o;
}

json_t *vsp_dash_to_json(const vsp_dash_mpd *m)
{
	json_t *o = json_object(), *ps = json_array(), *utc = json_array();

	if (!o || !ps || !utc) {
		json_decref(o);
		json_decref(ps);
		json_decref(utc);
		return NULL;
	}
	json_object_set_new(o, "type",
			    json_string(m->dynamic ? "dynamic" : "static"));
	json_object_set_new(
		o, "availability_start_time",
		time_or_null(m->has_availability_start, m->availability_start));
	json_object_set_new(o, "publish_time",
			    time_or_null(m->has_publish_time, m->publish_time));
	json_object_set_new(o, "media_presentation_duration",
			    secs_or_null(m->media_duration));
	json_object_set_new(o, "minimum_update_period",
			    secs_or_null(m->min_update_period));
	json_object_set_new(o, "time_shift_buffer_depth",
			    secs_or_null(m->time_shift_buffer_depth));
	json_object_set_new(o, "suggested_presentation_delay",
			    secs_or_null(m->suggested_presentation_delay));
	for (size_t i = 0; i < m->n_utc; i++) {
		json_t *u = json_object();

		json_object_set_new(u, "scheme", str_or_null(m->utc[i].scheme));
		json_object_set_new(u, "value", str_or_null(m->utc[i].value));
		json_array_append_new(utc, u);
	}
	json_object_set_new(o, "utc_timing", utc);
	for (size_t i = 0; i < m->n_periods; i++) {
		const vsp_dash_period *p = &m->periods[i];
		json_t *po = json_object(), *sets = json_array();

		json_object_set_new(po, "id", str_or_null(p->id));
		json_object_set_new(po, "start", json_real(p->start));
		json_object_set_new(po, "duration", secs_or_null(p->duration));
		for (size_t j = 0; j < p->n_sets; j++) {
			const vsp_dash_adaptation *a = &p->sets[j];
			json_t *ao = json_object(), *reps = json_array();

			json_object_set_new(ao, "id", str_or_null(a->id));
			json_object_set_new(ao, "content_type",
					    str_or_null(a->content_type));
			json_object_set_new(ao, "mime_type",
					    str_or_null(a->mime_type));
			json_object_set_new(ao, "lang", str_or_null(a->lang));
			for (size_t k = 0; k < a->n_reps; k++)
				json_array_append_new(
					reps, rep_json(m, p, &a->reps[k]));
			json_object_set_new(ao, "representations", reps);
			json_array_append_new(sets, ao);
		}
		json_object_set_new(po, "adaptation_sets", sets);
		json_array_append_new(ps, po);
	}
	json_object_set_new(o, "periods", ps);
	return o;
}
