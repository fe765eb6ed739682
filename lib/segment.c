/*
 * segment.c - the segment step, common to every protocol: key, init and
 * segment fetched, decrypted, demuxed and decoded (under the process's
 * decoder limit), then judged.
 *
 * Every step is bounded by the check's deadline. Never prints.
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
#include "decode.h"
#include "limits.h"
#include "pipe.h"
#include "probe_int.h"

/* Process-wide (vsp_probe_set_stream_segments): set before the first
 * check, read only after. */
static int stream_segments;

void vsp_probe_set_stream_segments(int on)
{
	stream_segments = on != 0;
}

/* Decoders at work in the process (VSP_DECODERS_PER_CPU). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int busy, slots;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

/* Waits for a decoder slot until deadline_us; 0, or -1 at the deadline. */
static int gate_enter(int64_t deadline_us)
{
	int rc = 0;

	pthread_mutex_lock(&gate.lock);
	if (gate.slots == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		gate.slots = (int)(cpus > 0 ? cpus : 1) * VSP_DECODERS_PER_CPU;
	}
	while (gate.busy >= gate.slots && rc == 0) {
		/* The condition waits on the realtime clock; the deadline is
		 * monotonic: convert what is left. */
		int64_t left = deadline_us - vsp_now_us();
		struct timespec ts;

		if (left <= 0) {
			rc = -1;
			break;
		}
		ts = vsp_timespec_in(CLOCK_REALTIME, left);
		if (pthread_cond_timedwait(&gate.freed, &gate.lock, &ts) ==
		    ETIMEDOUT)
			rc = gate.busy >= gate.slots ? -1 : 0;
	}
	if (rc == 0)
		gate.busy++;
	pthread_mutex_unlock(&gate.lock);
	return rc;
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.busy--;
	pthread_cond_signal(&gate.freed);
	pthread_mutex_unlock(&gate.lock);
}

void vsp_probe_set_decoders(int n)
{
	pthread_mutex_lock(&gate.lock);
	gate.slots = n > 0 ? n : 0; /* 0: from the CPUs at the first use */
	pthread_mutex_unlock(&gate.lock);
}

/* The bytes a segment's decoding reads (borrowed). */
struct media {
	const uint8_t *init, *seg;
	size_t init_len, seg_len;
};

/* AES-128: *seg, a body of w->http, is replaced by its decrypted copy
 * (malloc'd: *seg_is_clear). 0, or -1 with the verdict set. */
static int decrypt(struct worker *w, vsp_rendition_result *r,
		   const struct seg_plan *p, const uint8_t *key, uint8_t **seg,
		   size_t *seg_len, int *seg_is_clear)
{
	uint8_t *clear = NULL;
	size_t clear_len = 0;
	char err[768];

	int rc = vsp_aes128_decrypt(*seg, *seg_len, key, p->iv, &clear,
				    &clear_len, err, sizeof(err));

	if (rc == VSP_E_NOMEM) {
		vsp_probe_error(w->o, VSP_E_NOMEM, "segment %lld: %s: %s",
				(long long)p->seq, p->uri, err);
		return -1;
	}
	if (rc != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_KEY_INVALID,
				VSP_STAGE_SEGMENT,
				"segment %lld: %s: AES-128 decryption "
				"failed (wrong key or IV?): %s",
				(long long)p->seq, p->uri, err);
		return -1;
	}
	vsp_http_body_free(w->http, *seg, *seg_len);
	*seg = clear;
	*seg_is_clear = 1;
	*seg_len = clear_len;
	return 0;
}

/* The gate's slot of one segment, given back as soon as its decoders are
 * freed (vsp_decode_opts.decoders_freed), before the rest is demuxed. */
static void slot_leave(void *held)
{
	if (*(int *)held) {
		*(int *)held = 0;
		gate_leave();
	}
}

/* The decoder's options for segment p of r; thumb: VSP_THUMB_PATH_MAX
 * bytes for the thumbnail's path. held: the gate's slot, 0 until taken. */
static void decode_opts(struct worker *w, vsp_rendition_result *r,
			const struct seg_plan *p, int audio, char *thumb,
			int *held, vsp_decode_opts *dopts)
{
	struct origin_ctx *o = w->o;

	*dopts = (vsp_decode_opts){ 0 };
	dopts->max_frames = o->cfg->frames;
	dopts->audio = audio;
	/* Nothing declared the rendition audio-only, but it is: judge it as
	 * a player would, by its audio. */
	dopts->audio_fallback = !audio && !r->codecs;
	dopts->demux_only = p->encrypted;
	dopts->deadline_us = o->deadline_us;
	dopts->decode_all = o->cfg->decode_all;
	dopts->content = &o->cfg->content;
	vsp_probe_thumb_path(w, r, thumb, VSP_THUMB_PATH_MAX);
	dopts->thumb_path = thumb[0] ? thumb : NULL;
	dopts->decoders_freed = slot_leave;
	dopts->decoders_freed_arg = held;
}

/* The thumbnail written by the decoder, kept (or why not, noted). */
static void keep_thumb(vsp_rendition_result *r, const char *thumb)
{
	if (r->decode.thumb == 1 && !r->thumbnail)
		r->thumbnail = strdup(thumb);
	else if (r->decode.thumb < 0)
		vsp_rendition_note(r, "%s", r->decode.thumb_err);
}

/* Decodes md under the process's decoder limit into r->decode, and keeps
 * the thumbnail. 0 with *rc (the decoder's reason, its message in err);
 * -1 with the verdict set when no decoder came free in time. */
static int decode_step(struct worker *w, vsp_rendition_result *r,
		       const struct seg_plan *p, int audio,
		       const struct media *md, vsp_reason *rc, char *err,
		       size_t errlen)
{
	struct origin_ctx *o = w->o;
	char thumb[VSP_THUMB_PATH_MAX];
	vsp_decode_opts dopts;
	int held = 0; /* a slot of the gate */

	decode_opts(w, r, p, audio, thumb, &held, &dopts);
	if (gate_enter(o->deadline_us) != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TIMEOUT,
				VSP_STAGE_DECODE,
				"segment %lld: %s: fetched, but no decoder of "
				"this process came free before the deadline",
				(long long)p->seq, p->uri);
		return -1;
	}
	held = 1;
	r->decoded = 1;
	*rc = vsp_decode(md->init, md->init_len, md->seg, md->seg_len, &dopts,
			 &r->decode, err, errlen);
	slot_leave(&held);
	keep_thumb(r, thumb);
	return 0;
}

/* The verdict on a decoded segment: its duration and tracks, the media,
 * the time to first frame, a download slower than real time. */
static void judge(struct worker *w, vsp_rendition_result *r,
		  const struct seg_plan *p, vsp_reason rc, const char *err,
		  int streamed)
{
	struct origin_ctx *o = w->o;

	/* A segment cut short is told as such, even when its last packet
	 * also came out damaged (it was cut in the middle). */
	if ((rc == VSP_R_NONE || rc == VSP_R_CORRUPT_SEGMENT) &&
	    vsp_validate_duration(r, p, p->uri, rc ? err : NULL))
		return;
	if (rc == VSP_R_NO_VIDEO &&
	    vsp_validate_tracks(r, p, p->uri, o->cfg->frames))
		return;
	if (rc) {
		/* With an init segment, the fault may be in either. */
		vsp_probe_fail(o, &r->v, rc, r->decode.err, VSP_STAGE_DECODE,
			       "segment %lld: %s%s%s%s: %s", (long long)p->seq,
			       p->uri, p->init_uri ? " (init " : "",
			       p->init_uri ? p->init_uri : "",
			       p->init_uri ? ")" : "", err);
		return;
	}
	/* Demuxed while it arrived, the segment's decoding started with its
	 * first byte, not after its last. */
	if (!p->encrypted)
		r->ttff_ms = p->manifest_ms + r->playlist.total_ms +
			     r->key.total_ms + r->init.total_ms +
			     (streamed ? r->segment.ttfb_ms
				       : r->segment.total_ms) +
			     r->decode.first_frame_ms;
	vsp_validate_tracks(r, p, p->uri, o->cfg->frames);
	vsp_validate_media(r, p, p->uri);
	if (r->rtf > 0 && r->rtf < o->cfg->slow_rtf) {
		char decl[48] = "";

		/* A media playlist given directly declares no bitrate. */
		if (r->bandwidth > 0)
			snprintf(decl, sizeof(decl), ", %lld kb/s declared",
				 (long long)(r->bandwidth / 1000));
		vsp_verdict_set(
			&r->v, VSP_WARN, VSP_R_SLOW_DOWNLOAD, VSP_STAGE_SEGMENT,
			"segment %lld: %s: %lld bytes in %.2f s for %.2f s "
			"of media (%.2fx real time; %.0f kb/s "
			"measured%s): viewers would rebuffer",
			(long long)p->seq, p->uri, (long long)r->segment.bytes,
			r->segment.total_ms / 1000.0, p->duration, r->rtf,
			r->measured_bps / 1000.0, decl);
	}
	if (p->encrypted && r->v.status == VSP_PASS)
		vsp_verdict_set(
			&r->v, VSP_PASS, VSP_R_ENCRYPTED, VSP_STAGE_DECODE,
			"segment %lld: %s: encrypted (%s): served whole "
			"and demuxed, not decoded",
			(long long)p->seq, p->uri,
			r->key_method ? r->key_method : "DRM");
}

/* The AES-128 key of an encrypted segment. Returns -1 with a verdict or
 * error set when it cannot be had or is not 16 bytes. */
static int fetch_key(struct worker *w, vsp_rendition_result *r,
		     const struct seg_plan *p, uint8_t **key, size_t *key_len)
{
	struct origin_ctx *o = w->o;
	char err[768];
	vsp_reason rc;
	vsp_http_request req = { .url = p->key_uri,
				 .length = VSP_HTTP_WHOLE,
				 .limit = VSP_KEY_MAX_BYTES,
				 .deadline_us = o->deadline_us };

	rc = vsp_http_get(w->http, &req, &r->key, key, key_len, err,
			  sizeof(err));
	if (rc) {
		vsp_probe_fail(o, &r->v, rc, r->key.err, VSP_STAGE_KEY,
			       "key: %s", err);
		return -1;
	}
	if (*key_len != 16) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_KEY_INVALID,
				VSP_STAGE_KEY,
				"key %s: %zu bytes, an AES-128 key is 16",
				p->key_uri, *key_len);
		return -1;
	}
	return 0;
}

/* The init segment (EXT-X-MAP, DASH Initialization), whole or a range.
 * Returns -1 with a verdict or error set. */
static int fetch_init(struct worker *w, vsp_rendition_result *r,
		      const struct seg_plan *p, uint8_t **init,
		      size_t *init_len)
{
	struct origin_ctx *o = w->o;
	char err[768];
	vsp_reason rc;
	vsp_http_request req = { .url = p->init_uri,
				 .offset = p->init_offset,
				 .length = p->init_length,
				 .limit = VSP_SEGMENT_MAX_BYTES,
				 .deadline_us = o->deadline_us };

	rc = vsp_http_get(w->http, &req, &r->init, init, init_len, err,
			  sizeof(err));
	if (rc) {
		vsp_probe_fail(o, &r->v, rc, r->init.err, VSP_STAGE_INIT,
			       "init segment: %s", err);
		return -1;
	}
	return 0;
}

/* The media segment's transfer ended with rc (its message in err): how
 * fast it came (the speed is measured on whatever arrived; an empty body
 * is no media). Returns -1 with a verdict or error set. */
static int arrived(struct worker *w, vsp_rendition_result *r,
		   const struct seg_plan *p, vsp_reason rc, const char *err)
{
	if (rc) {
		vsp_probe_fail(w->o, &r->v, rc, r->segment.err,
			       VSP_STAGE_SEGMENT, "segment %lld: %s",
			       (long long)p->seq, err);
		return -1;
	}
	if (r->segment.total_ms > 0) {
		double secs = r->segment.total_ms / 1000.0;

		r->measured_bps = (double)r->segment.bytes * 8.0 / secs;
		if (p->duration > 0)
			r->rtf = p->duration / secs;
	}
	if (r->segment.bytes == 0) {
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_NOT_MEDIA, VSP_STAGE_SEGMENT,
			"segment %lld: %s: empty body (HTTP %ld)",
			(long long)p->seq, p->uri, r->segment.http_status);
		return -1;
	}
	return 0;
}

/* The GET of segment p (borrowing p's URI). */
static vsp_http_request segment_request(const struct worker *w,
					const struct seg_plan *p)
{
	vsp_http_request req = { 0 };

	req.url = p->uri;
	req.offset = p->offset;
	req.length = p->length;
	req.limit = VSP_SEGMENT_MAX_BYTES;
	req.deadline_us = w->o->deadline_us;
	return req;
}

/* The media segment, fetched whole. Returns -1 with a verdict or error
 * set. */
static int fetch_segment(struct worker *w, vsp_rendition_result *r,
			 const struct seg_plan *p, uint8_t **seg,
			 size_t *seg_len)
{
	char err[768];
	vsp_reason rc;
	vsp_http_request req = segment_request(w, p);

	rc = vsp_http_get(w->http, &req, &r->segment, seg, seg_len, err,
			  sizeof(err));
	return arrived(w, r, p, rc, err);
}

/* A segment demuxed while it arrives (vsp_probe_set_stream_segments()):
 * the transfer, on the worker's thread, writes the body into a pipe; a
 * thread started at its first byte demuxes it from there. */
struct stream {
	vsp_pipe pipe;
	const uint8_t *init;
	size_t init_len;
	vsp_decode_opts dopts;
	int64_t deadline_us;
	char thumb[VSP_THUMB_PATH_MAX];
	int held; /* a slot of the gate */
	pthread_t thread;
	int started, start_failed;
	vsp_decode_info info;
	vsp_reason rc;
	char err[768];
};

static long stream_read(void *arg, uint8_t *buf, size_t n)
{
	return vsp_pipe_read(&((struct stream *)arg)->pipe, buf, n);
}

/* vsp_decode_opts.decoder_enter: the gate's slot, taken once the first
 * frames' packets are in. */
static int stream_enter(void *arg)
{
	struct stream *st = arg;

	if (gate_enter(st->deadline_us) != 0)
		return -1;
	st->held = 1;
	return 0;
}

static void *stream_main(void *arg)
{
	struct stream *st = arg;

	st->rc = vsp_decode_stream(st->init, st->init_len, stream_read, st,
				   &st->dopts, &st->info, st->err,
				   sizeof(st->err));
	slot_leave(&st->held);
	/* What is left of the body still comes, and is dropped. */
	vsp_pipe_close_read(&st->pipe);
	return NULL;
}

/* vsp_http_request.pass: the body's bytes, to the demuxing thread. */
static void stream_pass(void *arg, const uint8_t *data, size_t n)
{
	struct stream *st = arg;

	if (!st->started && !st->start_failed) {
		if (pthread_create(&st->thread, NULL, stream_main, st) == 0)
			st->started = 1;
		else
			st->start_failed = 1;
	}
	if (st->started)
		vsp_pipe_write(&st->pipe, data, n);
}

/* Whether segment p of r is demuxed while it arrives. A segment its
 * rendition's declared bitrate puts under VSP_STREAM_MIN_BYTES is fetched
 * whole: it costs less than the pipe and the thread (a 360p ladder of 2 s
 * segments was 1 MB and 10 % CPU worse streamed). */
static int streams(const struct worker *w, const vsp_rendition_result *r,
		   const struct seg_plan *p, int audio)
{
	/* An audio rendition is decoded whole, so its slot would be held
	 * for the whole transfer; its body is small anyway. */
	if (!stream_segments || audio || p->aes128 ||
	    p->length != VSP_HTTP_WHOLE || w->o->cfg->decode_all)
		return 0;
	return r->bandwidth <= 0 || p->duration <= 0 ||
	       (double)r->bandwidth * p->duration / 8.0 >=
		       VSP_STREAM_MIN_BYTES;
}

/* The transfer's and the decoding's outcomes, once both ended: the
 * transfer's failure wins, as when the body is fetched first. */
static void stream_judge(struct worker *w, vsp_rendition_result *r,
			 const struct seg_plan *p, struct stream *st,
			 vsp_reason hrc, const char *herr)
{
	double stalled_ms = (double)st->pipe.stalled_us / 1000.0;

	if (st->start_failed) {
		vsp_probe_error(w->o, VSP_E_NOMEM,
				"segment %lld: %s: cannot start a thread to "
				"demux it",
				(long long)p->seq, p->uri);
		return;
	}
	/* Time the demuxing, not the network, held the transfer back is
	 * not the origin's. */
	if (stalled_ms > 0 && r->segment.total_ms - stalled_ms >
				      r->segment.ttfb_ms)
		r->segment.total_ms -= stalled_ms;
	if (arrived(w, r, p, hrc, herr) != 0) {
		if (st->info.thumb == 1)
			unlink(st->thumb);
		return;
	}
	r->decoded = 1;
	r->decode = st->info;
	keep_thumb(r, st->thumb);
	judge(w, r, p, st->rc, st->err, 1);
}

static void stream_segment(struct worker *w, vsp_rendition_result *r,
			   const struct seg_plan *p, int audio,
			   const uint8_t *init, size_t init_len)
{
	struct origin_ctx *o = w->o;
	struct stream *st = calloc(1, sizeof(*st));
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768];
	vsp_reason rc;
	vsp_http_request req = segment_request(w, p);
	int brc;

	if (!st || vsp_pipe_init(&st->pipe, VSP_STREAM_PIPE_BYTES,
				 o->deadline_us) != 0) {
		free(st);
		vsp_probe_error(o, VSP_E_NOMEM, "segment %lld: %s: out of memory",
				(long long)p->seq, p->uri);
		return;
	}
	/* The pipe is the body's memory, in the check's budget as a body. */
	brc = vsp_budget_take(vsp_http_hold(w->http), VSP_STREAM_PIPE_BYTES,
			      o->deadline_us, err, sizeof(err));
	if (brc != 0) {
		vsp_pipe_destroy(&st->pipe);
		free(st);
		vsp_verdict_set(&r->v, VSP_FAIL,
				brc == -1 ? VSP_R_TIMEOUT : VSP_R_TOO_LARGE,
				VSP_STAGE_SEGMENT, "segment %lld: %s: %s",
				(long long)p->seq, p->uri, err);
		return;
	}
	req.pass = stream_pass;
	st->init = init;
	st->init_len = init_len;
	st->deadline_us = o->deadline_us;
	decode_opts(w, r, p, audio, st->thumb, &st->held, &st->dopts);
	st->dopts.decoder_enter = stream_enter;
	st->dopts.decoder_arg = st;
	req.pass_arg = st;
	rc = vsp_http_get(w->http, &req, &r->segment, &body, &len, err,
			  sizeof(err));
	vsp_http_body_free(w->http, body, len);
	vsp_pipe_close_write(&st->pipe);
	if (st->started)
		pthread_join(st->thread, NULL);
	stream_judge(w, r, p, st, rc, err);
	vsp_pipe_destroy(&st->pipe);
	vsp_budget_give(vsp_http_hold(w->http), VSP_STREAM_PIPE_BYTES);
	free(st);
}

/* Fetches key, init and segment, decrypts, decodes, validates. */
void vsp_probe_segment(struct worker *w, vsp_rendition_result *r,
		       const struct seg_plan *p, int audio)
{
	uint8_t *key = NULL, *init = NULL, *seg = NULL;
	size_t key_len = 0, init_len = 0, seg_len = 0;
	char err[768];
	vsp_reason rc;
	struct media md;
	int seg_is_clear = 0; /* seg is the decrypted copy, not a body */

	r->segment_seq = p->seq;
	r->segment_duration = p->duration;
	r->encrypted = p->encrypted;
	if (p->aes128 && fetch_key(w, r, p, &key, &key_len) != 0)
		goto done;
	if (p->init_uri && fetch_init(w, r, p, &init, &init_len) != 0)
		goto done;
	if (streams(w, r, p, audio)) {
		stream_segment(w, r, p, audio, init, init_len);
		goto done;
	}
	if (fetch_segment(w, r, p, &seg, &seg_len) != 0)
		goto done;
	if (p->aes128 &&
	    decrypt(w, r, p, key, &seg, &seg_len, &seg_is_clear) != 0)
		goto done;
	md = (struct media){ init, seg, init_len, seg_len };
	if (decode_step(w, r, p, audio, &md, &rc, err, sizeof(err)) != 0)
		goto done;
	judge(w, r, p, rc, err, 0);
done:
	vsp_http_body_free(w->http, key, key_len);
	vsp_http_body_free(w->http, init, init_len);
	if (seg_is_clear)
		free(seg);
	else
		vsp_http_body_free(w->http, seg, seg_len);
}
