/*
 * record.c - the result tree as JSON (jansson).
 *
 * Builds the record only; writing it anywhere is the caller's business.
 * Absent facts are JSON null, never invented zeros.
 */
#include "record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"
#include "datetime.h"
#include "jsontext.h"
#include "sample.h"

/* A text field of a fixed array: JSON null when empty ("" = unknown). */
static json_t *chars_or_null(const char *s)
{
	return s[0] ? vsp_json_text(s) : json_null();
}

/* Times to the microsecond: more digits would be noise. */
static void put_verdict(json_t *o, const vsp_verdict *v, int with_stage)
{
	json_object_set_new(o, "status",
			    vsp_json_text(vsp_status_name(v->status)));
	json_object_set_new(o, "reason",
			    v->reason
				    ? vsp_json_text(vsp_reason_name(v->reason))
				    : json_null());
	if (with_stage)
		json_object_set_new(
			o, "stage",
			v->stage ? vsp_json_text(vsp_stage_name(v->stage))
				 : json_null());
	json_object_set_new(o, "message", vsp_json_text(v->message));
}

static json_t *step_json(const vsp_http_step *st)
{
	json_t *o;

	if (!st->done)
		return json_null();
	o = json_object();
	json_object_set_new(o, "url", vsp_json_text(st->url));
	if (st->final_url)
		json_object_set_new(o, "final_url",
				    vsp_json_text(st->final_url));
	if (st->range)
		json_object_set_new(o, "range", vsp_json_text(st->range));
	json_object_set_new(o, "http_status",
			    st->http_status ? json_integer(st->http_status)
					    : json_null());
	json_object_set_new(o, "bytes", json_integer(st->bytes));
	json_object_set_new(o, "content_type", vsp_json_text(st->content_type));
	json_object_set_new(o, "dns_ms", vsp_json_milli(st->dns_ms));
	json_object_set_new(o, "connect_ms", vsp_json_milli(st->connect_ms));
	json_object_set_new(o, "tls_ms", vsp_json_milli(st->tls_ms));
	json_object_set_new(o, "ttfb_ms", vsp_json_milli(st->ttfb_ms));
	json_object_set_new(o, "total_ms", vsp_json_milli(st->total_ms));
	json_object_set_new(o, "remote_ip", chars_or_null(st->remote_ip));
	if (st->age_s >= 0)
		json_object_set_new(o, "age_s", json_integer(st->age_s));
	if (st->last_modified > 0) {
		char lm[40];

		vsp_time_format(st->last_modified, lm, sizeof(lm));
		json_object_set_new(o, "last_modified", vsp_json_text(lm));
	}
	return o;
}

/* Whole-segment integrity: what demuxing every packet found, and where the
 * first problem was (packet index in its stream, media time, byte offset). */
static json_t *integrity_json(const vsp_decode_info *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "packets", json_integer(d->packets));
	json_object_set_new(o, "audio_packets", json_integer(d->audio_packets));
	json_object_set_new(o, "corrupt_packets",
			    json_integer(d->corrupt_packets));
	json_object_set_new(o, "bitstream_errors",
			    json_integer(d->bitstream_errors));
	json_object_set_new(o, "ts_jumps", json_integer(d->ts_jumps));
	json_object_set_new(o, "demux_error", json_boolean(d->demux_error));
	json_object_set_new(o, "frame_errors", json_integer(d->frame_errors));
	if (d->bad_packet >= 0) {
		json_object_set_new(o, "bad_packet",
				    json_integer(d->bad_packet));
		json_object_set_new(o, "bad_time_s",
				    vsp_json_milli(d->bad_time_s));
		json_object_set_new(o, "bad_offset",
				    d->bad_offset >= 0
					    ? json_integer(d->bad_offset)
					    : json_null());
	}
	return o;
}

static json_t *decode_json(const vsp_rendition_result *r)
{
	const vsp_decode_info *d = &r->decode;
	json_t *o;

	if (!r->decoded)
		return json_null();
	o = json_object();
	json_object_set_new(o, "container", chars_or_null(d->container));
	json_object_set_new(o, "codec", chars_or_null(d->codec));
	json_object_set_new(o, "profile", chars_or_null(d->profile));
	if (d->width > 0) {
		json_object_set_new(o, "width", json_integer(d->width));
		json_object_set_new(o, "height", json_integer(d->height));
		json_object_set_new(o, "pix_fmt", chars_or_null(d->pix_fmt));
	} else {
		json_object_set_new(o, "width", json_null());
		json_object_set_new(o, "height", json_null());
	}
	if (d->sample_rate) {
		json_object_set_new(o, "sample_rate",
				    json_integer(d->sample_rate));
		json_object_set_new(o, "channels", json_integer(d->channels));
	}
	json_object_set_new(o, "frames", json_integer(d->frames));
	json_object_set_new(o, "ms", vsp_json_milli(d->ms));
	json_object_set_new(o, "first_frame_ms",
			    vsp_json_milli(d->first_frame_ms));
	json_object_set_new(o, "media_duration_s",
			    vsp_json_milli(d->media_duration_s));
	json_object_set_new(o, "streams", chars_or_null(d->streams));
	json_object_set_new(o, "audio_codec", chars_or_null(d->audio_codec));
	json_object_set_new(o, "audio_frames", json_integer(d->audio_frames));
	json_object_set_new(o, "integrity", integrity_json(d));
	return o;
}

/* A checked segment's decode: what was demuxed and decoded, and its
 * integrity counts. */
static json_t *seg_decode_json(const vsp_decode_info *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "container", chars_or_null(d->container));
	json_object_set_new(o, "packets", json_integer(d->packets));
	json_object_set_new(o, "frames", json_integer(d->frames));
	json_object_set_new(o, "decode_errors", json_integer(d->decode_errors));
	json_object_set_new(o, "media_duration_s",
			    vsp_json_milli(d->media_duration_s));
	json_object_set_new(o, "ms", vsp_json_milli(d->ms));
	json_object_set_new(o, "integrity", integrity_json(d));
	return o;
}

/* Every segment the check touched: index, role, verdict, what was done,
 * then the HTTP step's keys. */
static json_t *segments_json(const vsp_rendition_result *r)
{
	static const char *const actions[] = { "decoded", "sniffed", "status" };
	json_t *arr = json_array();

	for (size_t i = 0; i < r->n_segs; i++) {
		const vsp_segment_check *c = &r->segs[i];
		json_t *o = json_object(), *st = step_json(&c->http);

		json_object_set_new(o, "index", json_integer(c->index));
		json_object_set_new(o, "role",
				    vsp_json_text(vsp_seg_role_name(c->role)));
		json_object_set_new(o, "status",
				    vsp_json_text(vsp_status_name(c->status)));
		json_object_set_new(o, "action",
				    vsp_json_text(actions[c->action]));
		json_object_set_new(o, "container",
				    vsp_json_text(c->container));
		if (json_is_object(st))
			json_object_update(o, st);
		json_decref(st);
		json_object_set_new(o, "decode",
				    c->decode ? seg_decode_json(c->decode)
					      : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

/* What one run saw of a live playlist's freshness. */
static json_t *live_json(const vsp_rendition_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "target_duration_s",
			    json_real(r->target_duration));
	json_object_set_new(o, "newest_seq", json_integer(r->newest_seq));
	json_object_set_new(o, "live_edge_lag_s",
			    vsp_json_milli_or_null(r->has_live_edge_lag,
						   r->live_edge_lag_s));
	json_object_set_new(
		o, "playlist_age_s",
		vsp_json_milli_or_null(r->has_playlist_age, r->playlist_age_s));
	json_object_set_new(o, "reloads", json_integer(r->reloads));
	json_object_set_new(o, "advanced",
			    r->advanced < 0 ? json_null()
					    : json_boolean(r->advanced));
	json_object_set_new(
		o, "origin_lag_s",
		vsp_json_milli_or_null(r->has_origin_lag, r->origin_lag_s));
	json_object_set_new(o, "note", vsp_json_text(r->live_note));
	return o;
}

/* Seconds to the millisecond. */
/* Conformance findings (issue 13): [{clause, message}], [] none. */
static json_t *conformance_json(const vsp_rendition_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; r->conformance && i < r->conformance->n; i++) {
		json_t *o = json_object();

		json_object_set_new(
			o, "clause",
			vsp_json_text(r->conformance->item[i].clause));
		json_object_set_new(
			o, "message",
			vsp_json_text(r->conformance->item[i].message));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* What the content checks measured (issue 13); null when none ran. */
static json_t *content_json(const vsp_rendition_result *r)
{
	const vsp_content_result *c = &r->content;
	json_t *o;

	if (!r->has_content)
		return json_null();
	o = json_object();
	json_object_set_new(o, "pictures", json_integer(c->pictures));
	json_object_set_new(o, "audio_frames", json_integer(c->audio_frames));
	json_object_set_new(o, "black_s", vsp_json_milli(c->black_s));
	json_object_set_new(o, "frozen_s", vsp_json_milli(c->frozen_s));
	json_object_set_new(o, "silent_s", vsp_json_milli(c->silent_s));
	json_object_set_new(
		o, "luma",
		vsp_json_milli_or_null(c->luma >= 0,
				       round(c->luma * 1000) / 1000));
	json_object_set_new(
		o, "peak_dbfs",
		vsp_json_milli_or_null(c->audio_frames > 0,
				       round(c->peak_db * 10) / 10));
	return o;
}

static json_t *rendition_json(const vsp_rendition_result *r)
{
	json_t *o = json_object();
	char res[32];

	put_verdict(o, &r->v, 1);
	json_object_set_new(o, "kind", vsp_json_text(vsp_kind_name(r->kind)));
	json_object_set_new(o, "name", vsp_json_text(r->name));
	json_object_set_new(o, "uri", vsp_json_text(r->uri));
	if (r->group)
		json_object_set_new(o, "group", vsp_json_text(r->group));
	if (r->audio_group)
		json_object_set_new(o, "audio_group",
				    vsp_json_text(r->audio_group));
	json_object_set_new(o, "bandwidth",
			    r->bandwidth ? json_integer(r->bandwidth)
					 : json_null());
	if (r->width > 0 && r->height > 0) {
		snprintf(res, sizeof(res), "%dx%d", r->width, r->height);
		json_object_set_new(o, "resolution", vsp_json_text(res));
	} else {
		json_object_set_new(o, "resolution", json_null());
	}
	json_object_set_new(o, "codecs", vsp_json_text(r->codecs));
	if (r->frame_rate > 0)
		json_object_set_new(o, "frame_rate", json_real(r->frame_rate));
	json_object_set_new(o, "live", json_boolean(r->live));
	json_object_set_new(o, "encrypted", json_boolean(r->encrypted));
	if (r->key_method)
		json_object_set_new(o, "key_method",
				    vsp_json_text(r->key_method));
	if (r->segment.done) {
		json_object_set_new(o, "segment_seq",
				    json_integer(r->segment_seq));
		json_object_set_new(o, "segment_duration_s",
				    json_real(r->segment_duration));
	}
	json_object_set_new(o, "playlist", step_json(&r->playlist));
	json_object_set_new(o, "key", step_json(&r->key));
	json_object_set_new(o, "init", step_json(&r->init));
	json_object_set_new(o, "segment", step_json(&r->segment));
	json_object_set_new(o, "decode", decode_json(r));
	json_object_set_new(o, "ttff_ms",
			    r->ttff_ms > 0 ? vsp_json_milli(r->ttff_ms)
					   : json_null());
	json_object_set_new(o, "realtime_factor",
			    r->rtf > 0 ? json_real(round(r->rtf * 100) / 100)
				       : json_null());
	json_object_set_new(o, "measured_bps",
			    r->measured_bps > 0
				    ? json_integer((json_int_t)r->measured_bps)
				    : json_null());
	if (r->live)
		json_object_set_new(o, "live_check", live_json(r));
	if (r->has_vod) {
		json_object_set_new(
			o, "vod_duration_s",
			vsp_json_milli_or_null(r->vod_duration_s > 0,
					       r->vod_duration_s));
		json_object_set_new(o, "segment_count",
				    r->segment_count > 0
					    ? json_integer(r->segment_count)
					    : json_null());
	}
	json_object_set_new(o, "segments", segments_json(r));
	json_object_set_new(o, "segments_listed",
			    r->segs_listed > 0 ? json_integer(r->segs_listed)
					       : json_null());
	json_object_set_new(o, "content", content_json(r));
	json_object_set_new(o, "thumbnail", vsp_json_text(r->thumbnail));
	json_object_set_new(o, "conformance", conformance_json(r));
	return o;
}

/* The ladder the manifest declares, as compare.c compared it; null when the
 * manifest was not read. */
static json_t *ladder_json(const vsp_origin_result *og)
{
	json_t *arr;
	char res[32];

	if (!og->has_ladder)
		return json_null();
	arr = json_array();
	for (size_t i = 0; i < og->n_ladder; i++) {
		const vsp_ladder_entry *e = &og->ladder[i];
		json_t *o = json_object();

		json_object_set_new(o, "kind",
				    vsp_json_text(vsp_kind_name(e->kind)));
		if (e->width > 0 && e->height > 0) {
			snprintf(res, sizeof(res), "%dx%d", e->width,
				 e->height);
			json_object_set_new(o, "resolution",
					    vsp_json_text(res));
		} else {
			json_object_set_new(o, "resolution", json_null());
		}
		json_object_set_new(o, "codecs", vsp_json_text(e->codecs));
		json_object_set_new(o, "bandwidth",
				    e->bandwidth ? json_integer(e->bandwidth)
						 : json_null());
		if (e->lang)
			json_object_set_new(o, "lang", vsp_json_text(e->lang));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *mismatches_json(const vsp_stream_result *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->n_mismatches; i++) {
		const vsp_origin_mismatch *m = &s->mismatches[i];
		json_t *o = json_object();

		json_object_set_new(o, "field", vsp_json_text(m->field));
		json_object_set_new(o, "origin",
				    vsp_json_text(s->origins[m->origin].name));
		json_object_set_new(o, "reference",
				    vsp_json_text(s->origins[m->ref].name));
		json_object_set_new(o, "message", vsp_json_text(m->message));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The origin's figures (result.h), under the names its renditions use for
 * the same figure; null when no rendition has it. */
static void origin_figures_json(json_t *o, const vsp_origin_figures *f)
{
	json_object_set_new(o, "ttff_ms",
			    f->has_ttff ? vsp_json_milli(f->ttff_ms)
					: json_null());
	json_object_set_new(
		o, "live_edge_lag_s",
		vsp_json_milli_or_null(f->has_edge_lag, f->edge_lag_s));
	json_object_set_new(
		o, "playlist_age_s",
		vsp_json_milli_or_null(f->has_playlist_age, f->playlist_age_s));
	json_object_set_new(o, "realtime_factor",
			    f->has_rtf ? json_real(round(f->rtf * 100) / 100)
				       : json_null());
}

static json_t *origin_json(const vsp_origin_result * or)
{
	json_t *o = json_object();
	json_t *arr = json_array();

	json_object_set_new(o, "name", vsp_json_text(or->name));
	json_object_set_new(o, "url", vsp_json_text(or->url));
	put_verdict(o, & or->v, 1);
	json_object_set_new(o, "protocol", vsp_json_text(or->protocol));
	json_object_set_new(o, "live", json_boolean(or->live));
	if (or->has_clock_offset)
		json_object_set_new(o, "clock_offset_s",
				    vsp_json_milli(or->clock_offset_s));
	json_object_set_new(o, "manifest", step_json(& or->manifest));
	for (size_t i = 0; i < or->n_renditions; i++)
		json_array_append_new(arr, rendition_json(& or->renditions[i]));
	json_object_set_new(o, "renditions", arr);
	json_object_set_new(o, "renditions_playable",
			    json_integer((json_int_t) or->n_playable));
	json_object_set_new(o, "ladder", ladder_json(or));
	if (or->ladder_truncated)
		json_object_set_new(o, "ladder_truncated", json_true());
	json_object_set_new(o, "vod_duration_s",
			    vsp_json_milli_or_null(or->vod_duration_s > 0,
						   or->vod_duration_s));
	json_object_set_new(o, "segment_count",
			    or->segment_count > 0
				    ? json_integer(or->segment_count)
				    : json_null());
	origin_figures_json(o, & or->fig);
	return o;
}

/* Where the record was made: records from several probe hosts must be told
 * apart. The host name is the vantage unless one is given. */
static void put_where(json_t *o, const char *vantage)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	json_object_set_new(o, "vantage",
			    vantage && *vantage ? vsp_json_text(vantage)
						: chars_or_null(host));
	json_object_set_new(o, "host", chars_or_null(host));
	json_object_set_new(o, "prober_version", vsp_json_text(VSP_VERSION));
}

json_t *vsp_record_json(const vsp_stream_result *s)
{
	json_t *o = json_object();
	json_t *arr = json_array();
	char when[40];

	if (!o || !arr) {
		json_decref(o);
		json_decref(arr);
		return NULL;
	}
	vsp_time_format(s->time, when, sizeof(when));
	json_object_set_new(o, "schema", json_integer(VSP_RECORD_SCHEMA));
	json_object_set_new(o, "time", vsp_json_text(when));
	json_object_set_new(o, "probe", vsp_json_text(s->probe));
	put_verdict(o, &s->v, 0);
	json_object_set_new(o, "duration_ms", vsp_json_milli(s->duration_ms));
	json_object_set_new(o, "min_healthy", json_integer(s->min_healthy));
	json_object_set_new(o, "origins_playable",
			    json_integer((json_int_t)s->n_healthy));
	for (size_t i = 0; i < s->n_origins; i++)
		json_array_append_new(arr, origin_json(&s->origins[i]));
	json_object_set_new(o, "origins", arr);
	json_object_set_new(o, "mismatches", mismatches_json(s));
	put_where(o, NULL);
	return o;
}

json_t *vsp_record_json_from(const vsp_stream_result *s, const char *vantage)
{
	json_t *o = vsp_record_json(s);

	if (o && vantage && *vantage)
		put_where(o, vantage);
	return o;
}

char *vsp_record_dumps_from(const vsp_stream_result *s, const char *vantage)
{
	json_t *o = vsp_record_json_from(s, vantage);
	char *out;

	if (!o)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(10));
	json_decref(o);
	return out;
}

char *vsp_record_dumps(const vsp_stream_result *s)
{
	json_t *o = vsp_record_json(s);
	char *out;

	if (!o)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(10));
	json_decref(o);
	return out;
}
