/*
 * decode.c - demux and decode fetched segment bytes with libavformat and
 * libavcodec, as a player would, to tell whether a rendition plays.
 *
 * The bytes come from the network and are untrusted. This module must never
 * let them choose what FFmpeg opens: only the media container demuxers in
 * FORMAT_WHITELIST may read them, no protocol may be opened (a protocol
 * whitelist that matches none and an io_open that always refuses), so a
 * "segment" that is really a playlist, an ffconcat or an MPD cannot make
 * FFmpeg read a file or a URL. It never prints, never exits, never runs more
 * than one decoder thread, and never runs past the deadline.
 */
#include "decode.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/aes.h>
#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>

#include "clock.h"
#include "error.h"
#include "limits.h"
#include "sample.h"
#include "thumb.h"

/*
 * Demuxers allowed to read segment bytes, by FFmpeg short name. Only what
 * HLS and DASH carry media in: MPEG-TS, ISO BMFF/fMP4/CMAF ("mov" is the
 * demuxer named "mov,mp4,m4a,3gp,3g2,mj2"; av_match_list() matches any one
 * of its names), WebM ("matroska" is "matroska,webm") and HLS packed audio
 * (ADTS AAC is the "aac" demuxer, MP3, AC-3, E-AC-3). Left out on purpose:
 * hls, dash, concat, image2, sdp, rtp and every other demuxer that opens
 * further files or URLs, plus raw elementary streams (h264, hevc), whose
 * probes are lenient and which no HLS/DASH segment is.
 */
#define FORMAT_WHITELIST "mpegts,mov,matroska,aac,mp3,ac3,eac3"
/* Not a protocol name: matches no protocol, so none can be opened even if
 * something bypassed io_open. */
#define PROTOCOL_WHITELIST "none"
/* AVIOContext buffer; FFmpeg may grow it while probing. */
#define AVIO_BUF_SIZE (32 * 1024)
/* Printable leading bytes quoted when bytes are not media. */
#define SNIFF_CHARS VSP_BODY_QUOTE_BYTES
/* av_aes_crypt() takes an int count of blocks: decrypt in slices. */
#define AES_SLICE_BLOCKS (1 << 20)
/* Before its decoder opens (vsp_decode_opts.decoder_enter), a track queues
 * this many packets beyond its frames (B-frame reordering holds frames
 * back), or the queues this many bytes: then decoding starts, from bytes
 * already here rather than from a transfer still coming. */
#define QUEUE_PACKETS 16
#define QUEUE_BYTES (4L * 1024 * 1024)
/* What a stream's demuxer may read ahead to learn its streams (fmt
 * probesize). */
#define STREAM_PROBE_BYTES (256L * 1024)

/* Bytes looked at to name a container before any demuxer probes it. */
#define PEEK_BYTES 1024

/* init followed by seg, read in place without joining them; or init
 * followed by what a reader gives as it arrives (vsp_decode_stream()),
 * when read is set: then total grows with what was read. */
typedef struct membuf {
	const uint8_t *part[2];
	int64_t len[2];
	int64_t total;
	int64_t pos;
	int64_t deadline_us;
	vsp_decode_read_fn read;
	void *read_arg;
	int read_end; /* the reader said: no more (or the deadline) */
	int read_late; /* ... and it was the deadline */
	/* The stream's first bytes, read ahead (peek()) to name the container
	 * and quote it in messages, then given to the demuxer again. */
	uint8_t pre[PEEK_BYTES];
	size_t pre_len, pre_pos;
} membuf;

/* Packets read before the decoders were opened (vsp_decode_opts
 * .decoder_enter): a track's first ones, decoded once a slot is held. */
typedef struct pktq {
	struct queued {
		AVPacket *pkt;
		int64_t index; /* its index in its stream */
	} *e;
	int n, cap;
	size_t bytes;
} pktq;

/* What a damaged segment looks like to the checks, and where it was. */
#define BAD_WHAT 160

/* One stream of interest: the chosen one, or the audio beside video. */
typedef struct track {
	AVStream *st;
	AVCodecContext *dec;
	const char *kind; /* "video", "audio": for messages */
	int nal_len;	  /* 1..4: length-prefixed NAL units (avcC/hvcC) */
	int annexb;	  /* H.264/HEVC in start-code form (MPEG-TS) */
	int max_frames;	  /* frames to decode */
	int frames;	  /* frames decoded */
	int64_t packets;
	int64_t first_dts, last_dts, last_step;
	int64_t min_pts, max_pts, max_end;
	int dec_err; /* last error from the decoder, 0 none */
	/* Content checks: the chosen video track decodes past max_frames
	 * while its pictures still match (content.h); once it stops it never
	 * resumes (a packet skipped breaks the references after it). */
	int extend, extend_stopped;
	int decodes; /* a decoder is to be opened (not demux only) */
	pktq q;	     /* waiting for the decoder (decoder_enter) */
} track;

typedef struct run {
	const vsp_decode_opts *opts;
	vsp_decode_info *info;
	int64_t t0;
	int64_t init_len; /* byte offsets are reported within the segment */
	AVFormatContext *fmt;
	AVStream *st; /* the chosen stream: tr[0].st */
	track tr[2];  /* [0] the chosen stream, [1] audio beside video */
	AVFrame *frame;
	int demux_err; /* error that ended demuxing early, 0 none */
	int timed_out;
	/* FFmpeg ran out of memory (AVERROR(ENOMEM), or a decoder that got
	 * no picture buffer and says "invalid data"): ours, not the
	 * segment's, so the verdict is VSP_R_INTERNAL, never decode_error. */
	int nomem;
	char bad[BAD_WHAT * 2];	      /* the first integrity failure, "" none */
	char frame_bad[BAD_WHAT * 2]; /* the first failed frame (decode_all) */

	/* opts->decoders_freed was called */
	int freed_told;
	int audio;   /* the chosen stream is audio (opts->audio, or fallback) */
	int waiting; /* decoders not opened yet: packets queue (decoder_enter) */
	vsp_reason open_rc; /* a decoder opened late failed: ends demuxing */
	int no_slot; /* opts->decoder_enter found none before the deadline */
	char open_err[256];
	membuf *m;
} run;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* First error wins: a later, derived failure must not hide the cause. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0 || err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *averr(int code, char *buf, size_t len)
{
	if (av_strerror(code, buf, len) < 0)
		snprintf(buf, len, "error %d", code);
	return buf;
}

static void copy_str(char *dst, size_t dstlen, const char *src)
{
	snprintf(dst, dstlen, "%s", src ? src : "");
}

static int deadline_passed(int64_t deadline_us)
{
	return deadline_us > 0 && vsp_now_us() >= deadline_us;
}

static int on_interrupt(void *opaque)
{
	const membuf *m = opaque;

	return deadline_passed(m->deadline_us);
}

/* The stream's next bytes (the init part read): those read ahead first. */
static int stream_read(membuf *m, uint8_t *buf, int size)
{
	long n;

	if (m->pre_pos < m->pre_len) {
		n = (long)(m->pre_len - m->pre_pos);
		if (n > size)
			n = size;
		memcpy(buf, m->pre + m->pre_pos, (size_t)n);
		m->pre_pos += (size_t)n;
	} else if (m->read_end) {
		return m->read_late ? AVERROR_EXIT : AVERROR_EOF;
	} else {
		n = m->read(m->read_arg, buf, (size_t)size);
		if (n <= 0) {
			m->read_end = 1;
			m->read_late = n < 0;
			return n < 0 ? AVERROR_EXIT : AVERROR_EOF;
		}
	}
	m->pos += n;
	m->len[1] += n;
	m->total += n;
	return (int)n;
}

static int mem_read(void *opaque, uint8_t *buf, int size)
{
	membuf *m = opaque;
	int done = 0;

	/* Demuxers do not all poll the interrupt callback; refusing to
	 * read is what stops every one of them at the deadline. */
	if (deadline_passed(m->deadline_us))
		return AVERROR_EXIT;
	if (m->read && m->pos >= m->len[0])
		return stream_read(m, buf, size);
	while (done < size && m->pos < m->total) {
		int i = m->pos < m->len[0] ? 0 : 1;
		int64_t off = i == 0 ? m->pos : m->pos - m->len[0];
		int64_t n = m->len[i] - off;

		if (n > size - done)
			n = size - done;
		memcpy(buf + done, m->part[i] + off, (size_t)n);
		done += (int)n;
		m->pos += n;
	}
	return done > 0 ? done : AVERROR_EOF;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
	membuf *m = opaque;
	int64_t base;

	/* A stream goes forward only (the AVIO context says it cannot seek;
	 * demuxers read it as a pipe). */
	if (m->read) {
		if ((whence & ~AVSEEK_FORCE) == SEEK_SET && offset == m->pos)
			return m->pos;
		return AVERROR(ESPIPE);
	}

	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return m->total;
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = m->pos;
		break;
	case SEEK_END:
		base = m->total;
		break;
	default:
		return AVERROR(EINVAL);
	}
	/* Compared without adding, so a hostile offset cannot overflow. */
	if (offset < -base || offset > m->total - base)
		return AVERROR(EINVAL);
	m->pos = base + offset;
	return m->pos;
}

/* Nothing in a segment may open anything: no nested files, no URLs. */
static int refuse_io_open(struct AVFormatContext *s, AVIOContext **pb,
			  const char *url, int flags, AVDictionary **options)
{
	(void)s;
	(void)url;
	(void)flags;
	(void)options;
	*pb = NULL;
	return AVERROR(EPERM);
}

/* The first bytes, printable ASCII only, for a "not media" message. */
static void sniff(const membuf *m, char *out, size_t outlen)
{
	size_t n = 0;
	int64_t pos = 0;

	while (pos < m->total && n + 1 < outlen && n < SNIFF_CHARS) {
		int i = pos < m->len[0] ? 0 : 1;
		uint8_t c;

		if (i == 1 && m->read) {
			if ((size_t)(pos - m->len[0]) >= m->pre_len)
				break;
			c = m->pre[pos - m->len[0]];
		} else {
			c = m->part[i][i == 0 ? pos : pos - m->len[0]];
		}

		out[n++] = c >= 0x20 && c < 0x7f && c != '\'' ? (char)c : '.';
		pos++;
	}
	if (outlen > 0)
		out[n < outlen ? n : outlen - 1] = '\0';
}

static double ms_since(int64_t t0)
{
	return (double)(vsp_now_us() - t0) / 1000.0;
}

static const char *type_name(enum AVMediaType t)
{
	const char *s = av_get_media_type_string(t);

	return s ? s : "other";
}

/* "video h264, audio aac" for messages about a missing stream. */
static void list_streams(const AVFormatContext *fmt, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < fmt->nb_streams && used + 1 < len; i++) {
		const AVCodecParameters *p = fmt->streams[i]->codecpar;
		int n = snprintf(out + used, len - used, "%s%s %s",
				 i ? ", " : "", type_name(p->codec_type),
				 avcodec_get_name(p->codec_id));

		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (out[0] == '\0')
		snprintf(out, len, "none");
}

static int is_video(const AVStream *st)
{
	/* Cover art in packed audio is a "video" stream of one picture, not
	 * video. */
	return st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
	       !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

/* The chosen stream, and beside a chosen video stream the first audio one
 * in *second (NULL none). */
static AVStream *pick_stream(AVFormatContext *fmt, int audio,
			     vsp_decode_info *info, AVStream **second)
{
	AVStream *video = NULL, *aud = NULL;

	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		AVStream *st = fmt->streams[i];

		if (is_video(st)) {
			info->has_video = 1;
			if (!video)
				video = st;
		} else if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
			info->has_audio = 1;
			if (!aud)
				aud = st;
		}
	}
	*second = audio ? NULL : aud;
	return audio ? aud : video;
}

/* What the container says; replaced by what the decoder sees. */
/* Containers whose headers name each stream's codec and whose packets all
 * carry timestamps. */
#define SELF_DESCRIBING "mpegts,mov,matroska"

/* 1 when the container's header named every stream's codec. */
static int names_codecs(const AVFormatContext *fmt)
{
	if (fmt->nb_streams == 0)
		return 0;
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (fmt->streams[i]->codecpar->codec_id == AV_CODEC_ID_NONE)
			return 0;
	return 1;
}

/* Keeps a sample aspect ratio that is set: FFmpeg says 0/1 for unknown,
 * which a player shows as square pixels. */
static void note_sar(AVRational q, int *num, int *den)
{
	if (q.num > 0 && q.den > 0) {
		*num = q.num;
		*den = q.den;
	}
}

static void describe_stream(run *r)
{
	const AVCodecParameters *p = r->st->codecpar;
	vsp_decode_info *info = r->info;
	const char *prof = avcodec_profile_name(p->codec_id, p->profile);

	copy_str(info->codec, sizeof(info->codec),
		 avcodec_get_name(p->codec_id));
	copy_str(info->profile, sizeof(info->profile), prof);
	info->level = p->level;
	if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
		info->width = p->width;
		info->height = p->height;
		copy_str(info->pix_fmt, sizeof(info->pix_fmt),
			 av_get_pix_fmt_name((enum AVPixelFormat)p->format));
		note_sar(p->sample_aspect_ratio, &info->sar_num,
			 &info->sar_den);
		note_sar(r->st->sample_aspect_ratio, &info->container_sar_num,
			 &info->container_sar_den);
	} else {
		info->sample_rate = p->sample_rate;
		info->channels = p->ch_layout.nb_channels;
	}
	if (r->tr[1].st)
		copy_str(info->audio_codec, sizeof(info->audio_codec),
			 avcodec_get_name(r->tr[1].st->codecpar->codec_id));
}

/* ---- integrity: what a damaged segment looks like without decoding ---- */

/* Seconds from the track's first packet to ts (in its time base). Computed
 * in floating point: timestamps come from the network and their
 * difference may not fit in 64 bits. */
static double track_time(const track *t, int64_t ts)
{
	if (ts == AV_NOPTS_VALUE || t->first_dts == AV_NOPTS_VALUE)
		return 0.0;
	return ((double)ts - (double)t->first_dts) * av_q2d(t->st->time_base);
}

static int64_t seg_offset(const run *r, const AVPacket *pkt)
{
	if (pkt->pos < 0)
		return -1;
	return pkt->pos >= r->init_len ? pkt->pos - r->init_len : pkt->pos;
}

static void bad_packet(run *r, const track *t, const AVPacket *pkt,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Records where the first integrity failure is; later ones only count. */
static void bad_packet(run *r, const track *t, const AVPacket *pkt,
		       const char *fmt, ...)
{
	vsp_decode_info *info = r->info;
	int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
	char what[BAD_WHAT], where[64] = "";
	va_list ap;

	if (r->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	info->bad_packet = t->packets - 1;
	info->bad_time_s = track_time(t, ts);
	info->bad_offset = seg_offset(r, pkt);
	if (info->bad_offset >= 0)
		snprintf(where, sizeof(where), ", byte %lld of the segment",
			 (long long)info->bad_offset);
	snprintf(r->bad, sizeof(r->bad),
		 "%s %s packet %lld (t=%.3f s%s, %d bytes): %s", t->kind,
		 avcodec_get_name(t->st->codecpar->codec_id),
		 (long long)info->bad_packet, info->bad_time_s, where,
		 pkt->size, what);
}

static uint32_t read_be(const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* ISO BMFF H.264/HEVC: each NAL unit is prefixed by its length; the
 * lengths must tile the sample exactly, as a player's parser requires. */
static int check_lengths(const AVPacket *pkt, int nls, char *what, size_t len)
{
	const uint8_t *d = pkt->data;
	int64_t pos = 0, size = pkt->size;
	int n = 0;

	while (pos < size) {
		uint32_t nal;

		if (size - pos < nls) {
			snprintf(what, len,
				 "NAL lengths cover %lld of %lld bytes, %lld "
				 "left over",
				 (long long)pos, (long long)size,
				 (long long)(size - pos));
			return -1;
		}
		nal = read_be(d + pos, nls);
		pos += nls;
		if ((int64_t)nal > size - pos) {
			snprintf(what, len,
				 "NAL unit %d of %u bytes at %lld overruns "
				 "the %lld-byte sample",
				 n, nal, (long long)(pos - nls),
				 (long long)size);
			return -1;
		}
		if (nal > 0 && (d[pos] & 0x80)) {
			snprintf(what, len,
				 "NAL unit %d at %lld: forbidden_zero_bit "
				 "set",
				 n, (long long)(pos - nls));
			return -1;
		}
		pos += nal;
		n++;
	}
	return 0;
}

/* MPEG-TS H.264/HEVC (Annex B): a packet is NAL units behind start codes;
 * emulation prevention keeps 00 00 01 out of their payload, so every one
 * found is a start code and the byte after it a NAL header. */
static int check_annexb(const AVPacket *pkt, char *what, size_t len)
{
	const uint8_t *d = pkt->data;
	int size = pkt->size, n = 0;

	if (size < 4 || d[0] != 0 || d[1] != 0 ||
	    !(d[2] == 1 || (d[2] == 0 && d[3] == 1))) {
		snprintf(what, len,
			 "does not begin with a start code "
			 "(%02x %02x %02x %02x)",
			 size > 0 ? d[0] : 0, size > 1 ? d[1] : 0,
			 size > 2 ? d[2] : 0, size > 3 ? d[3] : 0);
		return -1;
	}
	for (int i = 0; i + 3 < size; i++) {
		const uint8_t *z = memchr(d + i, 0, (size_t)(size - 3 - i));

		if (!z)
			break;
		i = (int)(z - d);
		if (d[i + 1] != 0 || d[i + 2] != 1)
			continue;
		if (d[i + 3] & 0x80) {
			snprintf(what, len,
				 "NAL unit %d at %d: forbidden_zero_bit set", n,
				 i + 3);
			return -1;
		}
		n++;
		i += 2;
	}
	return 0;
}

/* How a track's elementary stream is framed, from its codec and
 * extradata (avcC/hvcC: length-prefixed; none: Annex B). */
static void bitstream_form(track *t)
{
	const AVCodecParameters *p = t->st->codecpar;
	const uint8_t *e = p->extradata;
	int n = p->extradata_size;

	if (p->codec_id == AV_CODEC_ID_H264) {
		if (n >= 7 && e[0] == 1)
			t->nal_len = (e[4] & 3) + 1;
		else
			t->annexb = 1;
	} else if (p->codec_id == AV_CODEC_ID_HEVC) {
		/* FFmpeg's test for hvcC: not a start code. */
		if (n >= 23 && (e[0] || e[1] || e[2] > 1))
			t->nal_len = (e[21] & 3) + 1;
		else
			t->annexb = 1;
	}
}

/* Timestamps must move forward by about a packet's duration: a step back
 * or a gap of seconds inside one segment is a splice of other bytes. */
static void check_timing(run *r, track *t, const AVPacket *pkt)
{
	double tb = av_q2d(t->st->time_base), step, dur, limit;

	if (pkt->dts == AV_NOPTS_VALUE)
		return;
	if (t->last_dts == AV_NOPTS_VALUE) {
		t->last_dts = pkt->dts;
		return;
	}
	step = ((double)pkt->dts - (double)t->last_dts) * tb;
	dur = (double)(pkt->duration > 0 ? pkt->duration : t->last_step) * tb;
	limit = dur * VSP_TS_JUMP_PACKETS;
	if (limit < VSP_TS_JUMP_MIN_S)
		limit = VSP_TS_JUMP_MIN_S;
	if (step < 0 || step > limit) {
		r->info->ts_jumps++;
		bad_packet(r, t, pkt,
			   "timestamps jump by %+.3f s "
			   "(packets last %.3f s)",
			   step, dur);
	}
	/* In unsigned arithmetic: hostile timestamps can be far apart. */
	if (pkt->dts > t->last_dts && step <= limit &&
	    (uint64_t)pkt->dts - (uint64_t)t->last_dts <= (uint64_t)INT64_MAX)
		t->last_step =
			(int64_t)((uint64_t)pkt->dts - (uint64_t)t->last_dts);
	t->last_dts = pkt->dts;
}

static void check_packet(run *r, track *t, const AVPacket *pkt)
{
	char what[BAD_WHAT];

	if (pkt->flags & AV_PKT_FLAG_CORRUPT) {
		r->info->corrupt_packets++;
		bad_packet(r, t, pkt,
			   "the %s demuxer flagged it corrupt (continuity "
			   "error, lost sync or cut short)",
			   r->info->container);
	}
	check_timing(r, t, pkt);
	/* Encrypted samples keep their NAL framing only in some schemes:
	 * no opinion on them. */
	if (r->opts->demux_only || !pkt->data || pkt->size <= 0)
		return;
	if ((t->nal_len &&
	     check_lengths(pkt, t->nal_len, what, sizeof(what)) != 0) ||
	    (t->annexb && check_annexb(pkt, what, sizeof(what)) != 0)) {
		r->info->bitstream_errors++;
		bad_packet(r, t, pkt, "%s", what);
	}
}

/* ---- decoding ---- */

static void frame_failed(run *r, const track *t, int64_t ts, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));

/* decode_all: the first frame that failed, by index and media time. */
static void frame_failed(run *r, const track *t, int64_t ts, const char *fmt,
			 ...)
{
	char what[BAD_WHAT];
	va_list ap;

	/* By default a video decoder's complaint is tolerated as a player
	 * would (it conceals and goes on); every audio frame decoded must
	 * decode clean, since audio samples have no structure the integrity
	 * checks could see. */
	if (!r->opts->decode_all &&
	    t->st->codecpar->codec_type != AVMEDIA_TYPE_AUDIO)
		return;
	r->info->frame_errors++;
	if (r->frame_bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->frame_bad, sizeof(r->frame_bad),
		 "%s %s frame %d (t=%.3f s): %s", t->kind,
		 avcodec_get_name(t->st->codecpar->codec_id), t->frames,
		 track_time(t, ts), what);
}

/* Media time of a frame of t, seconds; NaN unknown. */
static double frame_time(const track *t, const AVFrame *f)
{
	int64_t ts = f->best_effort_timestamp;

	if (ts == AV_NOPTS_VALUE)
		ts = f->pts;
	if (ts == AV_NOPTS_VALUE)
		return NAN;
	return (double)ts * av_q2d(t->st->time_base);
}

/* The luma plane of a picture, measured into the content signature; formats
 * other than planar or semi-planar YUV (RGB, palettes, P010's shifted
 * samples, big-endian) are left out, never guessed at. */
static void content_picture(run *r, track *t, const AVFrame *f)
{
	const vsp_content_opts *o = r->opts->content;
	const AVPixFmtDescriptor *d =
		av_pix_fmt_desc_get((enum AVPixelFormat)f->format);
	vsp_picture pic;
	int full;

	if (!d ||
	    (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
			 AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BE |
			 AV_PIX_FMT_FLAG_BITSTREAM)) ||
	    d->nb_components < 1 || d->comp[0].plane != 0 ||
	    d->comp[0].shift != 0 || d->comp[0].offset != 0)
		goto stop;
	full = f->color_range == AVCOL_RANGE_JPEG ||
	       f->format == AV_PIX_FMT_YUVJ420P ||
	       f->format == AV_PIX_FMT_YUVJ422P ||
	       f->format == AV_PIX_FMT_YUVJ444P;
	if (vsp_picture_measure(f->data[0], f->linesize[0], f->width, f->height,
				d->comp[0].step, d->comp[0].depth, full,
				o->black_luma, &pic) != 0)
		goto stop;
	vsp_content_picture(&r->info->content, &pic, frame_time(t, f), o);
	if (!vsp_content_wants_more(&r->info->content, o))
		t->extend_stopped = 1;
	return;
stop:
	t->extend_stopped = 1;
}

static void content_audio(run *r, track *t, const AVFrame *f)
{
	const vsp_content_opts *o = r->opts->content;
	int ch = f->ch_layout.nb_channels, fmt;
	enum AVSampleFormat packed =
		av_get_packed_sample_fmt((enum AVSampleFormat)f->format);
	double peak = 0;

	switch (packed) {
	case AV_SAMPLE_FMT_S16:
		fmt = 0;
		break;
	case AV_SAMPLE_FMT_S32:
		fmt = 1;
		break;
	case AV_SAMPLE_FMT_FLT:
		fmt = 2;
		break;
	case AV_SAMPLE_FMT_DBL:
		fmt = 3;
		break;
	default:
		return; /* u8 and others: not measured */
	}
	if (ch < 1 || f->nb_samples < 1 || f->sample_rate < 1)
		return;
	if (av_sample_fmt_is_planar((enum AVSampleFormat)f->format)) {
		for (int c = 0; c < ch; c++) {
			double p = vsp_audio_peak(f->extended_data[c], fmt,
						  (size_t)f->nb_samples);

			if (p > peak)
				peak = p;
		}
	} else {
		peak = vsp_audio_peak(f->extended_data[0], fmt,
				      (size_t)f->nb_samples * (size_t)ch);
	}
	vsp_content_audio(&r->info->content, peak, frame_time(t, f),
			  (double)f->nb_samples / f->sample_rate, o);
	if (!vsp_content_audio_wants_more(&r->info->content, o))
		t->extend_stopped = 1;
}

static void got_frame(run *r, track *t)
{
	vsp_decode_info *info = r->info;
	const AVFrame *f = r->frame;
	const char *prof;

	if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT))
		frame_failed(r, t, f->best_effort_timestamp,
			     "decoded with errors (flags 0x%x%s)",
			     (unsigned)f->decode_error_flags,
			     (f->flags & AV_FRAME_FLAG_CORRUPT) ? ", corrupt"
								: "");
	if (r->opts->content && r->opts->content->enabled) {
		if (t->st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
			content_audio(r, t, f);
		else if (t == &r->tr[0])
			content_picture(r, t, f);
	}
	if (r->opts->thumb_path && t == &r->tr[0] && !r->info->thumb &&
	    t->st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
		r->info->thumb =
			vsp_thumb_write(f, r->opts->thumb_path,
					r->info->thumb_err,
					sizeof(r->info->thumb_err)) == 0
				? 1
				: -1;
	if (t != &r->tr[0]) {
		if (t->frames++ == 0) {
			info->sample_rate = f->sample_rate;
			info->channels = f->ch_layout.nb_channels;
		}
		info->audio_frames = t->frames;
		return;
	}
	t->frames++;
	if (info->frames++ == 0)
		info->first_frame_ms = ms_since(r->t0);
	if (t->st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
		info->width = f->width;
		info->height = f->height;
		copy_str(info->pix_fmt, sizeof(info->pix_fmt),
			 av_get_pix_fmt_name((enum AVPixelFormat)f->format));
		note_sar(f->sample_aspect_ratio, &info->sar_num,
			 &info->sar_den);
	} else {
		info->sample_rate = f->sample_rate;
		info->channels = f->ch_layout.nb_channels;
	}
	/* The decoder reads profile and level from the bitstream, which
	 * is what a player's decoder sees, not what the container claims. */
	if (t->dec->profile != FF_PROFILE_UNKNOWN) {
		prof = avcodec_profile_name(t->dec->codec_id, t->dec->profile);
		if (prof)
			copy_str(info->profile, sizeof(info->profile), prof);
	}
	if (t->dec->level != FF_LEVEL_UNKNOWN)
		info->level = t->dec->level;
}

static int want_frames(const track *t)
{
	if (!t->dec)
		return 0;
	if (t->frames < t->max_frames)
		return 1;
	return t->extend && !t->extend_stopped;
}

static void receive_frames(run *r, track *t)
{
	char e[AV_ERROR_MAX_STRING_SIZE];

	while (want_frames(t)) {
		int ret = avcodec_receive_frame(t->dec, r->frame);

		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return;
		if (ret < 0) {
			if (ret == AVERROR(ENOMEM))
				r->nomem = 1;
			t->dec_err = ret;
			r->info->decode_errors++;
			frame_failed(r, t, AV_NOPTS_VALUE, "%s",
				     averr(ret, e, sizeof(e)));
			return;
		}
		got_frame(r, t);
		av_frame_unref(r->frame);
	}
}

/* pkt (NULL: drain) to t's decoder; index: its place in the stream. */
static void decode_packet(run *r, track *t, const AVPacket *pkt,
			  int64_t index)
{
	char e[AV_ERROR_MAX_STRING_SIZE];
	int ret = avcodec_send_packet(t->dec, pkt);

	/* A rejected packet is not the end: a player skips a broken
	 * slice and goes on, and so do we. */
	if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
		if (ret == AVERROR(ENOMEM))
			r->nomem = 1;
		t->dec_err = ret;
		r->info->decode_errors++;
		frame_failed(r, t, pkt ? pkt->dts : AV_NOPTS_VALUE,
			     "packet %lld rejected: %s", (long long)index,
			     averr(ret, e, sizeof(e)));
	}
	receive_frames(r, t);
}

static void count_packet(track *t, const AVPacket *pkt)
{
	int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;

	t->packets++;
	if (t->first_dts == AV_NOPTS_VALUE)
		t->first_dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : ts;
	if (ts == AV_NOPTS_VALUE)
		return;
	if (t->min_pts == AV_NOPTS_VALUE || ts < t->min_pts)
		t->min_pts = ts;
	if (t->max_pts == AV_NOPTS_VALUE || ts > t->max_pts)
		t->max_pts = ts;
	/* Compared without adding: ts may be any value a hostile segment
	 * carries, negative ones included. */
	if (pkt->duration > 0 && ts < INT64_MAX - pkt->duration &&
	    (t->max_end == AV_NOPTS_VALUE || ts + pkt->duration > t->max_end))
		t->max_end = ts + pkt->duration;
}

/* Seconds the track's packets cover; 0 unknown. In floating point: the
 * timestamps come from the network. */
static double track_duration(const track *t)
{
	double end = (double)t->max_end, lo = (double)t->min_pts;

	if (!t->st || t->min_pts == AV_NOPTS_VALUE)
		return 0.0;
	/* Without packet durations, the last packet is assumed to last as
	 * long as the mean gap between packets. */
	if (t->max_end == AV_NOPTS_VALUE || t->max_end < t->max_pts) {
		end = (double)t->max_pts;
		if (t->packets > 1)
			end += ((double)t->max_pts - lo) /
			       (double)(t->packets - 1);
	}
	return end > lo ? (end - lo) * av_q2d(t->st->time_base) : 0.0;
}

static void finish_duration(run *r)
{
	r->info->media_duration_s = track_duration(&r->tr[0]);
	r->info->audio_duration_s = track_duration(&r->tr[1]);
	r->info->packets = r->tr[0].packets;
	r->info->audio_packets = r->tr[1].packets;
}

static track *track_of(run *r, const AVPacket *pkt)
{
	for (int i = 0; i < 2; i++)
		if (r->tr[i].st && pkt->stream_index == r->tr[i].st->index)
			return &r->tr[i];
	return NULL;
}

/* A track's decoder is freed as soon as it wants no more frames (that
 * never turns back: the counts only grow, an extension only stops): its
 * reference and output frames (4 to 5 pictures of 3 MB at 1080p) are not
 * held while the rest of the segment is only demuxed and checked. Once no
 * decoder is left the caller is told, so that another segment's decoder
 * may start beside this demuxing (issue 18). */
static void free_done_decoders(run *r)
{
	if (r->waiting)
		return; /* none opened yet: nothing to tell */
	for (int i = 0; i < 2; i++)
		if (r->tr[i].dec && !want_frames(&r->tr[i]))
			avcodec_free_context(&r->tr[i].dec);
	if (!r->tr[0].dec && !r->tr[1].dec && !r->freed_told) {
		r->freed_told = 1;
		if (r->opts->decoders_freed)
			r->opts->decoders_freed(r->opts->decoders_freed_arg);
	}
}

static void pktq_free(pktq *q)
{
	for (int i = 0; i < q->n; i++)
		av_packet_free(&q->e[i].pkt);
	av_free(q->e);
	memset(q, 0, sizeof(*q));
}

static vsp_reason open_decoders(run *r, char *err, size_t errlen);

/* Takes a slot (opts->decoder_enter), opens the decoders and gives each
 * its queued packets. 0, or -1 when demuxing must end (r->open_rc, or
 * the deadline: r->timed_out). */
static int start_decoders(run *r)
{
	r->waiting = 0;
	if (r->opts->decoder_enter(r->opts->decoder_arg) != 0) {
		r->timed_out = 1;
		r->no_slot = 1;
		return -1;
	}
	r->open_rc = open_decoders(r, r->open_err, sizeof(r->open_err));
	if (r->open_rc != VSP_R_NONE)
		return -1;
	for (int i = 0; i < 2; i++) {
		track *t = &r->tr[i];

		for (int k = 0; k < t->q.n && want_frames(t); k++)
			decode_packet(r, t, t->q.e[k].pkt, t->q.e[k].index);
		pktq_free(&t->q);
	}
	free_done_decoders(r);
	return 0;
}

/* Whether every track that decodes holds the packets its first frames
 * need (QUEUE_PACKETS more than its frames, for reordering), or the
 * queues hold QUEUE_BYTES: then decoding starts. */
static int queues_full(const run *r)
{
	int full = 1;

	for (int i = 0; i < 2; i++) {
		const track *t = &r->tr[i];

		if (!t->decodes)
			continue;
		/* A track decoded whole (an audio rendition) starts at once. */
		if (t->max_frames > VSP_MAX_FRAMES)
			return 1;
		if (t->q.n < t->max_frames + QUEUE_PACKETS)
			full = 0;
	}
	return full || r->tr[0].q.bytes + r->tr[1].q.bytes >= QUEUE_BYTES;
}

/* pkt kept (a new reference) for t's decoder, which is not open yet; the
 * decoders start once the queues are full. 0, or -1 when demuxing must
 * end. */
static int queue_packet(run *r, track *t, AVPacket *pkt)
{
	pktq *q = &t->q;

	if (q->n == q->cap) {
		int cap = q->cap ? q->cap * 2 : 32;
		struct queued *e = av_realloc_array(q->e, (size_t)cap,
						    sizeof(*e));

		if (!e) {
			r->nomem = 1;
			return -1;
		}
		q->e = e;
		q->cap = cap;
	}
	q->e[q->n].pkt = av_packet_clone(pkt);
	if (!q->e[q->n].pkt) {
		r->nomem = 1;
		return -1;
	}
	q->e[q->n++].index = t->packets - 1;
	q->bytes += (size_t)pkt->size;
	return queues_full(r) ? start_decoders(r) : 0;
}

/* Reads every packet: checks each, decodes (or queues) until each track's
 * frames. 0 at the end of the segment, -1 when demuxing ended early. */
static int read_packets(run *r, AVPacket *pkt)
{
	int ret;

	for (;;) {
		track *t;

		if (r->open_rc != VSP_R_NONE)
			return -1;
		if (deadline_passed(r->opts->deadline_us)) {
			r->timed_out = 1;
			return -1;
		}
		ret = av_read_frame(r->fmt, pkt);
		if (ret == AVERROR_EOF)
			return 0;
		if (ret < 0) {
			if (ret == AVERROR_EXIT)
				r->timed_out = 1;
			else if (ret == AVERROR(ENOMEM))
				r->nomem = 1;
			else
				r->demux_err = ret;
			return -1;
		}
		t = track_of(r, pkt);
		if (t) {
			count_packet(t, pkt);
			check_packet(r, t, pkt);
			if (r->waiting && t->decodes) {
				if (queue_packet(r, t, pkt) != 0)
					return -1;
			} else if (want_frames(t)) {
				decode_packet(r, t, pkt, t->packets - 1);
				free_done_decoders(r);
			}
		}
		av_packet_unref(pkt);
	}
}

static void demux_all(run *r, AVPacket *pkt)
{
	int end = read_packets(r, pkt);

	/* Packets still queued are decoded as they would have been, also
	 * after a demux error; not past the deadline or out of memory. */
	if (r->waiting && !r->timed_out && !r->nomem &&
	    start_decoders(r) != 0)
		return;
	if (end != 0)
		return;
	/* The decoders hold frames back for reordering: drain them. */
	for (int i = 0; i < 2; i++)
		if (want_frames(&r->tr[i]))
			decode_packet(r, &r->tr[i], NULL, r->tr[i].packets);
}

/* The decoders' picture buffers, watched: a decoder that gets none
 * reports the frame as invalid data, not as out of memory. */
static int get_buffer_watched(AVCodecContext *dec, AVFrame *f, int flags)
{
	int ret = avcodec_default_get_buffer2(dec, f, flags);

	if (ret == AVERROR(ENOMEM))
		((run *)dec->opaque)->nomem = 1;
	return ret;
}

/* The prober's own failure: VSP_R_INTERNAL, which one (a vsp_err) in
 * info->err, for the caller to tell out of memory by its code. */
static vsp_reason internal(vsp_decode_info *info, int code)
{
	info->err = code;
	return VSP_R_INTERNAL;
}

static vsp_reason open_decoder(run *r, track *t, char *err, size_t errlen)
{
	const AVCodecParameters *p = t->st->codecpar;
	const AVCodec *codec = avcodec_find_decoder(p->codec_id);
	char e[AV_ERROR_MAX_STRING_SIZE];
	int ret;

	if (!codec) {
		set_err(err, errlen, "decode: %s: no decoder in this FFmpeg",
			avcodec_get_name(p->codec_id));
		return VSP_R_UNSUPPORTED;
	}
	t->dec = avcodec_alloc_context3(codec);
	if (!t->dec) {
		set_err(err, errlen, "decode: out of memory");
		return internal(r->info, VSP_E_NOMEM);
	}
	ret = avcodec_parameters_to_context(t->dec, p);
	if (ret >= 0) {
		/* One decoder thread per check: checks run in parallel. */
		t->dec->thread_count = 1;
		t->dec->pkt_timebase = t->st->time_base;
		t->dec->opaque = r;
		t->dec->get_buffer2 = get_buffer_watched;
		if (r->opts->decode_all) {
			/* Damage must be reported, not concealed: frames
			 * come out flagged instead of being dropped. */
			t->dec->err_recognition |=
				AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_BUFFER;
			t->dec->flags |= AV_CODEC_FLAG_OUTPUT_CORRUPT;
		}
		ret = avcodec_open2(t->dec, codec, NULL);
	}
	if (ret < 0) {
		set_err(err, errlen, "decode: %s: cannot open decoder: %s",
			avcodec_get_name(p->codec_id),
			ret == AVERROR(ENOMEM) ? "out of memory"
					       : averr(ret, e, sizeof(e)));
		return ret == AVERROR(ENOMEM) ? internal(r->info, VSP_E_NOMEM)
					      : VSP_R_DECODE_ERROR;
	}
	return VSP_R_NONE;
}

/* The first bytes of the input (at most PEEK_BYTES; a stream's are read
 * ahead and given again): *b, their count returned. */
static size_t peek(membuf *m, const uint8_t **b)
{
	int i = m->len[0] > 0 ? 0 : 1;

	/* A stream's first bytes are read ahead also behind an init segment:
	 * messages quote them (sniff()). */
	while (m->read && m->pre_len < sizeof(m->pre) && !m->read_end) {
		long n = m->read(m->read_arg, m->pre + m->pre_len,
				 sizeof(m->pre) - m->pre_len);

		if (n <= 0) {
			m->read_end = 1;
			m->read_late = n < 0;
		} else {
			m->pre_len += (size_t)n;
		}
	}
	if (i == 1 && m->read) {
		*b = m->pre;
		return m->pre_len;
	}
	*b = m->part[i];
	return (size_t)(m->len[i] < PEEK_BYTES ? m->len[i] : PEEK_BYTES);
}

/* The demuxer of the containers every segment of ours begins as
 * unmistakably (sample.h's sniff), named without probing: a probe runs
 * every demuxer FFmpeg has (tracker modules, game music, ...), which costs
 * CPU and pages of code a check never otherwise needs. NULL: probe. */
static const AVInputFormat *known_format(membuf *m)
{
	const uint8_t *b;
	size_t n = peek(m, &b);
	const char *kind = vsp_sniff_container(b, n);

	if (!kind)
		return NULL;
	if (strcmp(kind, "mpegts") == 0 && n >= 3 * 188)
		return av_find_input_format("mpegts");
	if (strcmp(kind, "isobmff") == 0)
		return av_find_input_format("mov");
	if (strcmp(kind, "webm") == 0)
		return av_find_input_format("matroska");
	return NULL; /* packed audio and ID3: the probe tells which */
}

/* Probes only to name what the bytes are; whitelisted or NOT_MEDIA. */
static vsp_reason probe(AVIOContext *pb, membuf *m,
			const AVInputFormat **ifmt, char *err, size_t errlen)
{
	char e[AV_ERROR_MAX_STRING_SIZE], head[SNIFF_CHARS + 1];
	int ret;

	*ifmt = known_format(m);
	if (*ifmt)
		return VSP_R_NONE;
	ret = av_probe_input_buffer2(pb, ifmt, "", NULL, 0, 0);

	if (ret == AVERROR_EXIT || deadline_passed(m->deadline_us)) {
		set_err(err, errlen, "decode: deadline reached while probing");
		return VSP_R_TIMEOUT;
	}
	sniff(m, head, sizeof(head));
	if ((ret < 0 || !*ifmt) && m->read) {
		uint8_t tmp[16384];

		/* The message names the whole size, as for bytes in memory. */
		while (!m->read_end && stream_read(m, tmp, sizeof(tmp)) > 0)
			;
	}
	if (ret < 0 || !*ifmt) {
		set_err(err, errlen,
			"not media: no demuxer recognises the %lld "
			"bytes (%s; they start with '%s')",
			(long long)m->total,
			ret < 0 ? averr(ret, e, sizeof(e)) : "no format", head);
		return VSP_R_NOT_MEDIA;
	}
	if (av_match_list((*ifmt)->name, FORMAT_WHITELIST, ',') <= 0) {
		set_err(err, errlen,
			"not media: the bytes look like '%s' (%s), which is "
			"not an allowed media container (they start with '%s')",
			(*ifmt)->name,
			(*ifmt)->long_name ? (*ifmt)->long_name : "?", head);
		return VSP_R_NOT_MEDIA;
	}
	return VSP_R_NONE;
}

static AVFormatContext *new_format_context(AVIOContext *pb, membuf *m)
{
	AVFormatContext *fmt = avformat_alloc_context();

	if (!fmt)
		return NULL;
	fmt->pb = pb;
	fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	fmt->io_open = refuse_io_open;
	fmt->interrupt_callback.callback = on_interrupt;
	fmt->interrupt_callback.opaque = m;
	fmt->format_whitelist = av_strdup(FORMAT_WHITELIST);
	fmt->protocol_whitelist = av_strdup(PROTOCOL_WHITELIST);
	/* MPEG-TS keeps probesize bytes (5 MB by default) to seek back to
	 * after its header: from a stream, a whole segment held again. Its
	 * tables come first in a segment (RFC 8216 3.2). */
	if (m->read)
		fmt->probesize = STREAM_PROBE_BYTES;
	if (!fmt->format_whitelist || !fmt->protocol_whitelist) {
		avformat_free_context(fmt);
		return NULL;
	}
	return fmt;
}

/* The verdict once demuxing ended, from what was seen. */
static vsp_reason verdict(const run *r, char *err, size_t errlen)
{
	const vsp_decode_info *info = r->info;
	char e[AV_ERROR_MAX_STRING_SIZE];

	if (r->nomem) {
		set_err(err, errlen,
			"decode: %s: out of memory after %d frames",
			info->codec, info->frames);
		return internal(r->info, VSP_E_NOMEM);
	}
	if (r->open_rc != VSP_R_NONE) {
		set_err(err, errlen, "%s", r->open_err);
		return r->open_rc;
	}
	if (r->no_slot) {
		set_err(err, errlen,
			"decode: no decoder of this process came free before "
			"the deadline (%lld packets demuxed)",
			(long long)r->tr[0].packets);
		return VSP_R_TIMEOUT;
	}
	if (r->timed_out) {
		set_err(err, errlen,
			"decode: %s: deadline reached after %d frames, %lld "
			"packets",
			info->codec, info->frames, (long long)r->tr[0].packets);
		return VSP_R_TIMEOUT;
	}
	/* Damaged bytes are the cause; anything that failed to decode after
	 * them is their consequence. */
	if (r->bad[0]) {
		set_err(err, errlen,
			"corrupt: %s (%d corrupt packets, %d bitstream errors, "
			"%d timestamp jumps)",
			r->bad, info->corrupt_packets, info->bitstream_errors,
			info->ts_jumps);
		return VSP_R_CORRUPT_SEGMENT;
	}
	if (r->demux_err && r->tr[0].packets > 0) {
		set_err(err, errlen,
			"corrupt: demux: %s: %s after %lld packets: the rest "
			"of the segment cannot be read",
			info->container, averr(r->demux_err, e, sizeof(e)),
			(long long)r->tr[0].packets);
		return VSP_R_CORRUPT_SEGMENT;
	}
	if (r->opts->demux_only) {
		if (r->tr[0].packets > 0)
			return VSP_R_NONE;
		if (r->demux_err)
			set_err(err, errlen, "demux: %s: %s after 0 packets",
				info->container,
				averr(r->demux_err, e, sizeof(e)));
		set_err(err, errlen, "demux: %s: no %s packet in the segment",
			info->container, info->codec);
		return VSP_R_DECODE_ERROR;
	}
	if (info->frames > 0) {
		if (r->frame_bad[0]) {
			set_err(err, errlen, "decode: %s (%d frames failed)",
				r->frame_bad, info->frame_errors);
			return VSP_R_DECODE_ERROR;
		}
		return VSP_R_NONE;
	}
	if (r->tr[0].dec_err)
		set_err(err, errlen, "decode: %s: %s after 0 frames",
			info->codec, averr(r->tr[0].dec_err, e, sizeof(e)));
	if (r->demux_err)
		set_err(err, errlen, "demux: %s: %s after %lld packets",
			info->container, averr(r->demux_err, e, sizeof(e)),
			(long long)r->tr[0].packets);
	if (r->tr[0].packets == 0)
		set_err(err, errlen, "decode: %s: no packet in the segment",
			info->codec);
	set_err(err, errlen, "decode: %s: no frame decoded from %lld packets",
		info->codec, (long long)r->tr[0].packets);
	return VSP_R_DECODE_ERROR;
}

static void track_init(track *t, AVStream *st, const char *kind, int frames)
{
	t->st = st;
	t->kind = kind;
	t->max_frames = frames;
	t->first_dts = t->last_dts = AV_NOPTS_VALUE;
	t->min_pts = t->max_pts = t->max_end = AV_NOPTS_VALUE;
	if (st)
		bitstream_form(t);
}

/* What is refused before any demuxing: over the size limit, a frame count
 * out of range, nothing to decode, no time left. */
static vsp_reason check_input(const membuf *m, const vsp_decode_opts *opts,
			      char *err, size_t errlen)
{
	/* A stream's size is its transfer's to cap. */
	if (m->len[0] > VSP_SEGMENT_MAX_BYTES ||
	    m->len[1] > VSP_SEGMENT_MAX_BYTES) {
		set_err(err, errlen,
			"decode: %lld + %lld bytes is over the "
			"segment limit of %ld bytes",
			(long long)m->len[0], (long long)m->len[1],
			VSP_SEGMENT_MAX_BYTES);
		return VSP_R_TOO_LARGE;
	}
	if (opts->max_frames < 1 || opts->max_frames > VSP_MAX_FRAMES) {
		set_err(err, errlen, "decode: %d frames asked, expected 1..%d",
			opts->max_frames, VSP_MAX_FRAMES);
		return VSP_R_INTERNAL;
	}
	if (m->total == 0 && !m->read) {
		set_err(err, errlen, "not media: the segment is empty");
		return VSP_R_NOT_MEDIA;
	}
	if (deadline_passed(opts->deadline_us)) {
		set_err(err, errlen,
			"decode: deadline reached before demuxing");
		return VSP_R_TIMEOUT;
	}
	return VSP_R_NONE;
}

/* The demuxer over m: an AVIO context reading it (*pb, the caller frees
 * it and its buffer), the container probed, r->fmt opened. */
static vsp_reason open_input(run *r, membuf *m, AVIOContext **pb,
			     const AVInputFormat **ifmt, char *err,
			     size_t errlen)
{
	vsp_decode_info *info = r->info;
	uint8_t *iobuf = av_malloc(AVIO_BUF_SIZE);
	char e[AV_ERROR_MAX_STRING_SIZE];
	vsp_reason rc;
	int ret;

	if (iobuf)
		*pb = avio_alloc_context(iobuf, AVIO_BUF_SIZE, 0, m, mem_read,
					 NULL, mem_seek);
	if (!*pb) {
		av_free(iobuf);
		set_err(err, errlen, "decode: out of memory");
		return internal(info, VSP_E_NOMEM);
	}
	/* A stream goes forward only: demuxers read it as a pipe. */
	if (m->read)
		(*pb)->seekable = 0;
	/* *pb owns iobuf now; it may have been reallocated */
	rc = probe(*pb, m, ifmt, err, errlen);
	if (rc != VSP_R_NONE)
		return rc;
	copy_str(info->container, sizeof(info->container), (*ifmt)->name);

	r->fmt = new_format_context(*pb, m);
	if (!r->fmt) {
		set_err(err, errlen, "decode: out of memory");
		return internal(info, VSP_E_NOMEM);
	}
	/* avformat_open_input() frees the context on failure. */
	ret = avformat_open_input(&r->fmt, "", *ifmt, NULL);
	if (ret < 0) {
		rc = ret == AVERROR_EXIT ||
				     deadline_passed(r->opts->deadline_us)
			     ? VSP_R_TIMEOUT
		     : ret == AVERROR(ENOMEM) ? internal(info, VSP_E_NOMEM)
					      : VSP_R_DECODE_ERROR;
		set_err(err, errlen, "demux: %s: %s", info->container,
			ret == AVERROR(ENOMEM) ? "out of memory"
					       : averr(ret, e, sizeof(e)));
		return rc;
	}
	return VSP_R_NONE;
}

/* The stream to decode (r->st) and the audio beside it (*second). */
static vsp_reason find_streams(run *r, const AVInputFormat *ifmt,
			       AVStream **second, char *err, size_t errlen)
{
	const vsp_decode_opts *opts = r->opts;
	vsp_decode_info *info = r->info;
	int ret;

	/* avformat_find_stream_info() opens a decoder of its own and decodes
	 * frames of every stream to fill in what the container leaves out:
	 * most of a check's CPU. The frames we decode tell us the same
	 * (resolution, pixel format, profile), so it is skipped for the
	 * containers that name every codec and timestamp every packet in
	 * their own headers. Raw audio (ADTS, MP3, AC-3) needs it for its
	 * timestamps; encrypted media for what it cannot decode. */
	r->st = !opts->demux_only && names_codecs(r->fmt) &&
				av_match_list(ifmt->name, SELF_DESCRIBING,
					      ',') > 0
			? pick_stream(r->fmt, r->audio, info, second)
			: NULL;
	if (!r->st) {
		/* Packets read here are buffered and returned again by
		 * av_read_frame(), so none is lost from the count. */
		ret = avformat_find_stream_info(r->fmt, NULL);
		if (ret == AVERROR(ENOMEM)) {
			set_err(err, errlen, "demux: %s: out of memory",
				info->container);
			return internal(info, VSP_E_NOMEM);
		}
		if (ret < 0 && (ret == AVERROR_EXIT ||
				deadline_passed(opts->deadline_us))) {
			set_err(err, errlen,
				"demux: %s: deadline reached while "
				"reading stream info",
				info->container);
			return VSP_R_TIMEOUT;
		}
		if (r->fmt->nb_streams == 0) {
			/* Recognised, yet without a single stream: broken
			 * media, not media without video. */
			set_err(err, errlen,
				"demux: %s: no stream found in %lld bytes",
				info->container, (long long)r->m->total);
			return VSP_R_DECODE_ERROR;
		}
		r->st = pick_stream(r->fmt, r->audio, info, second);
	}
	/* Nothing declared the rendition audio-only, but it is: it is judged
	 * as a player would, by its audio. */
	if (!r->st && !r->audio && opts->audio_fallback && info->has_audio) {
		r->audio = 1;
		r->st = pick_stream(r->fmt, 1, info, second);
	}
	list_streams(r->fmt, info->streams, sizeof(info->streams));
	if (!r->st) {
		set_err(err, errlen, "demux: %s: no %s stream (streams: %s)",
			info->container, r->audio ? "audio" : "video",
			info->streams);
		return r->audio ? VSP_R_DECODE_ERROR : VSP_R_NO_VIDEO;
	}
	return VSP_R_NONE;
}

/* The tracks to read: how many frames each decodes, and every other
 * stream discarded. */
static void setup_tracks(run *r, AVStream *second)
{
	const vsp_decode_opts *opts = r->opts;
	int frames;

	/* Video, and audio beside it, decode N frames by default: that proves
	 * each plays, and the integrity checks cover the rest of the segment
	 * without decoding. Decoding the audio beside video whole cost about
	 * 9 % more CPU per check (callgrind, 2 s of 48 kHz AAC beside 360p
	 * video) for damage --decode all finds. An audio rendition is decoded
	 * whole: raw audio samples have no structure to check, and it has no
	 * video to spend the time on. */
	frames = opts->decode_all ? INT_MAX : opts->max_frames;
	track_init(&r->tr[0], r->st, is_video(r->st) ? "video" : "audio",
		   is_video(r->st) ? frames : INT_MAX);
	track_init(&r->tr[1], second, "audio", frames);
	r->tr[0].extend =
		opts->content && opts->content->enabled && is_video(r->st);
	/* Audio beside video goes on past N frames only while it is silent,
	 * to measure silence over silence_min_s: audio with sound costs
	 * nothing more. */
	r->tr[1].extend = opts->content && opts->content->enabled && second;
	vsp_content_seg_init(&r->info->content);
	/* Other streams (data, subtitles, further audio) are neither parsed
	 * nor returned. */
	for (unsigned i = 0; i < r->fmt->nb_streams; i++)
		if (r->fmt->streams[i] != r->st && r->fmt->streams[i] != second)
			r->fmt->streams[i]->discard = AVDISCARD_ALL;
	describe_stream(r);
}

/* Clears *info and err for a new run. */
static void start_run(run *r, const vsp_decode_opts *opts,
		      vsp_decode_info *info, char *err, size_t errlen)
{
	r->opts = opts;
	r->info = info;
	r->audio = opts->audio;
	r->t0 = vsp_now_us();
	memset(info, 0, sizeof(*info));
	info->level = FF_LEVEL_UNKNOWN;
	info->bad_packet = -1;
	info->bad_offset = -1;
	if (err && errlen > 0)
		err[0] = '\0';
}

/* The chosen track's decoder and the audio beside it. Audio this FFmpeg
 * cannot decode leaves the video to judge; the missing frames show in
 * audio_frames. */
static vsp_reason open_decoders(run *r, char *err, size_t errlen)
{
	vsp_reason rc = open_decoder(r, &r->tr[0], err, errlen);

	if (rc != VSP_R_NONE)
		return rc;
	if (r->tr[1].decodes &&
	    open_decoder(r, &r->tr[1], NULL, 0) != VSP_R_NONE)
		avcodec_free_context(&r->tr[1].dec);
	return VSP_R_NONE;
}

/* The decoders: opened now, or (opts->decoder_enter) once the first
 * packets are queued. */
static vsp_reason prepare_decoders(run *r, AVStream *second, char *err,
				   size_t errlen)
{
	if (r->opts->demux_only)
		return VSP_R_NONE;
	r->tr[0].decodes = 1;
	r->tr[1].decodes = second != NULL;
	if (r->opts->decoder_enter) {
		/* What cannot be decoded at all is known before waiting. */
		if (!avcodec_find_decoder(r->st->codecpar->codec_id)) {
			set_err(err, errlen,
				"decode: %s: no decoder in this FFmpeg",
				avcodec_get_name(r->st->codecpar->codec_id));
			return VSP_R_UNSUPPORTED;
		}
		r->waiting = 1;
		return VSP_R_NONE;
	}
	return open_decoders(r, err, errlen);
}

/* Demuxes and decodes m (set up by the caller) into r's info. */
static vsp_reason decode_input(run *r, membuf *m, char *err, size_t errlen)
{
	vsp_decode_info *info = r->info;
	AVIOContext *pb = NULL;
	AVPacket *pkt = NULL;
	const AVInputFormat *ifmt = NULL;
	AVStream *second = NULL;
	vsp_reason rc;

	r->init_len = m->len[0];
	r->m = m;
	rc = open_input(r, m, &pb, &ifmt, err, errlen);
	if (rc != VSP_R_NONE)
		goto fail;
	rc = find_streams(r, ifmt, &second, err, errlen);
	if (rc != VSP_R_NONE)
		goto fail;
	setup_tracks(r, second);
	rc = prepare_decoders(r, second, err, errlen);
	if (rc != VSP_R_NONE)
		goto fail;
	r->frame = av_frame_alloc();
	pkt = av_packet_alloc();
	if (!r->frame || !pkt) {
		set_err(err, errlen, "decode: out of memory");
		rc = internal(info, VSP_E_NOMEM);
		goto fail;
	}
	free_done_decoders(r); /* demux only: none was opened */
	demux_all(r, pkt);
	finish_duration(r);
	info->demux_error = r->demux_err != 0;
	rc = verdict(r, err, errlen);

fail:
	/* info->err holds exactly with VSP_R_INTERNAL (an audio decoder
	 * beside video that failed to open is ignored; bad opts say
	 * INTERNAL, check_input). */
	if (rc != VSP_R_INTERNAL)
		info->err = 0;
	else if (!info->err)
		info->err = VSP_E_INTERNAL;
	info->ms = ms_since(r->t0);
	av_packet_free(&pkt);
	av_frame_free(&r->frame);
	avcodec_free_context(&r->tr[0].dec);
	avcodec_free_context(&r->tr[1].dec);
	pktq_free(&r->tr[0].q);
	pktq_free(&r->tr[1].q);
	avformat_close_input(&r->fmt);
	if (pb)
		av_freep(&pb->buffer);
	avio_context_free(&pb);
	return rc;
}

/* Checks, demuxes and decodes m for either entry point. */
static vsp_reason decode_membuf(membuf *m, const vsp_decode_opts *opts,
				vsp_decode_info *info, char *err, size_t errlen)
{
	run r = { 0 };
	vsp_reason rc;

	start_run(&r, opts, info, err, errlen);
	m->deadline_us = opts->deadline_us;
	m->total = m->len[0] + m->len[1];
	rc = check_input(m, opts, err, errlen);
	if (rc != VSP_R_NONE) {
		info->err = rc == VSP_R_INTERNAL ? VSP_E_INTERNAL : 0;
		info->ms = ms_since(r.t0);
		return rc;
	}
	return decode_input(&r, m, err, errlen);
}

vsp_reason vsp_decode(const uint8_t *init, size_t init_len, const uint8_t *seg,
		      size_t seg_len, const vsp_decode_opts *opts,
		      vsp_decode_info *info, char *err, size_t errlen)
{
	membuf m = { .part = { init, seg },
		     .len = { init ? (int64_t)init_len : 0,
			      seg ? (int64_t)seg_len : 0 } };

	return decode_membuf(&m, opts, info, err, errlen);
}

vsp_reason vsp_decode_stream(const uint8_t *init, size_t init_len,
			     vsp_decode_read_fn read, void *read_arg,
			     const vsp_decode_opts *opts,
			     vsp_decode_info *info, char *err, size_t errlen)
{
	membuf m = { .part = { init, NULL },
		     .len = { init ? (int64_t)init_len : 0, 0 },
		     .read = read,
		     .read_arg = read_arg };

	return decode_membuf(&m, opts, info, err, errlen);
}

int vsp_aes128_decrypt(const uint8_t *in, size_t len, const uint8_t key[16],
		       const uint8_t iv[16], uint8_t **out, size_t *out_len,
		       char *err, size_t errlen)
{
	struct AVAES *aes = NULL;
	uint8_t *buf = NULL, chain[16];
	size_t done = 0, pad;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (len == 0 || len % 16 != 0) {
		set_err(err, errlen,
			"AES-128: %zu bytes is not a non-zero "
			"multiple of the 16-byte block",
			len);
		return -1;
	}
	aes = av_aes_alloc();
	buf = malloc(len);
	if (!aes || !buf) {
		set_err(err, errlen, "AES-128: out of memory");
		rc = VSP_E_NOMEM;
		goto fail;
	}
	if (av_aes_init(aes, key, 128, 1) < 0) {
		set_err(err, errlen, "AES-128: key setup failed");
		goto fail;
	}
	/* av_aes_crypt() updates the IV as it goes, which chains CBC
	 * across slices; the caller's IV stays untouched. */
	memcpy(chain, iv, sizeof(chain));
	while (done < len) {
		size_t blocks = (len - done) / 16;

		if (blocks > AES_SLICE_BLOCKS)
			blocks = AES_SLICE_BLOCKS;
		av_aes_crypt(aes, buf + done, in + done, (int)blocks, chain, 1);
		done += blocks * 16;
	}
	/* PKCS#7: 1..16 bytes, each holding the count (RFC 8216 4.3.2.4). */
	pad = buf[len - 1];
	if (pad < 1 || pad > 16) {
		set_err(err, errlen,
			"AES-128: bad PKCS#7 padding byte %zu "
			"(wrong key or IV?)",
			pad);
		goto fail;
	}
	for (size_t i = len - pad; i < len; i++) {
		if (buf[i] != pad) {
			set_err(err, errlen,
				"AES-128: bad PKCS#7 padding "
				"(wrong key or IV?)");
			goto fail;
		}
	}
	*out = buf;
	*out_len = len - pad;
	buf = NULL;
	rc = 0;
fail:
	free(buf);
	av_free(aes);
	return rc;
}

void vsp_decode_global_init(int verbose)
{
	av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
}
