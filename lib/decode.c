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

#include "clock.h"
#include "limits.h"

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
#define SNIFF_CHARS 24
/* av_aes_crypt() takes an int count of blocks: decrypt in slices. */
#define AES_SLICE_BLOCKS (1 << 20)

/* init followed by seg, read in place without joining them. */
typedef struct membuf {
	const uint8_t *part[2];
	int64_t len[2];
	int64_t total;
	int64_t pos;
	int64_t deadline_us;
} membuf;

typedef struct run {
	const vsp_decode_opts *opts;
	vsp_decode_info *info;
	int64_t t0;
	AVFormatContext *fmt;
	AVStream *st;
	AVCodecContext *dec;
	AVFrame *frame;
	int64_t min_pts, max_pts, max_end;
	int dec_err;   /* last error from the decoder, 0 none */
	int demux_err; /* error that ended demuxing early, 0 none */
	int timed_out;
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

static int mem_read(void *opaque, uint8_t *buf, int size)
{
	membuf *m = opaque;
	int done = 0;

	/* Demuxers do not all poll the interrupt callback; refusing to
	 * read is what stops every one of them at the deadline. */
	if (deadline_passed(m->deadline_us))
		return AVERROR_EXIT;
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
		uint8_t c = m->part[i][i == 0 ? pos : pos - m->len[0]];

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

static AVStream *pick_stream(AVFormatContext *fmt, int audio,
			     vsp_decode_info *info)
{
	AVStream *video = NULL, *aud = NULL;

	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		AVStream *st = fmt->streams[i];
		enum AVMediaType t = st->codecpar->codec_type;

		/* Cover art in packed audio is a "video" stream of one
		 * picture, not video. */
		if (t == AVMEDIA_TYPE_VIDEO &&
		    !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
			info->has_video = 1;
			if (!video)
				video = st;
		} else if (t == AVMEDIA_TYPE_AUDIO) {
			info->has_audio = 1;
			if (!aud)
				aud = st;
		}
	}
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
}

static void got_frame(run *r)
{
	vsp_decode_info *info = r->info;
	const AVFrame *f = r->frame;
	const char *prof;

	if (info->frames++ == 0)
		info->first_frame_ms = ms_since(r->t0);
	if (r->st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
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
	if (r->dec->profile != FF_PROFILE_UNKNOWN) {
		prof = avcodec_profile_name(r->dec->codec_id, r->dec->profile);
		if (prof)
			copy_str(info->profile, sizeof(info->profile), prof);
	}
	if (r->dec->level != FF_LEVEL_UNKNOWN)
		info->level = r->dec->level;
}

static int want_frames(const run *r)
{
	return r->dec && r->info->frames < r->opts->max_frames;
}

static void receive_frames(run *r)
{
	while (want_frames(r)) {
		int ret = avcodec_receive_frame(r->dec, r->frame);

		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return;
		if (ret < 0) {
			r->dec_err = ret;
			r->info->decode_errors++;
			return;
		}
		got_frame(r);
		av_frame_unref(r->frame);
	}
}

static void decode_packet(run *r, const AVPacket *pkt)
{
	int ret = avcodec_send_packet(r->dec, pkt);

	/* A rejected packet is not the end: a player skips a broken
	 * slice and goes on, and so do we. */
	if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
		r->dec_err = ret;
		r->info->decode_errors++;
	}
	receive_frames(r);
}

static void count_packet(run *r, const AVPacket *pkt)
{
	int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;

	r->info->packets++;
	if (ts == AV_NOPTS_VALUE)
		return;
	if (r->min_pts == AV_NOPTS_VALUE || ts < r->min_pts)
		r->min_pts = ts;
	if (r->max_pts == AV_NOPTS_VALUE || ts > r->max_pts)
		r->max_pts = ts;
	if (pkt->duration > 0 && pkt->duration < INT64_MAX - ts &&
	    (r->max_end == AV_NOPTS_VALUE || ts + pkt->duration > r->max_end))
		r->max_end = ts + pkt->duration;
}

static void finish_duration(run *r)
{
	int64_t end = r->max_end;

	if (r->min_pts == AV_NOPTS_VALUE)
		return;
	/* Without packet durations, the last packet is assumed to last as
	 * long as the mean gap between packets. */
	if (end == AV_NOPTS_VALUE || end < r->max_pts) {
		end = r->max_pts;
		if (r->info->packets > 1)
			end += (r->max_pts - r->min_pts) /
			       (r->info->packets - 1);
	}
	if (end > r->min_pts)
		r->info->media_duration_s =
			(double)(end - r->min_pts) * av_q2d(r->st->time_base);
}

/* Reads every packet; decodes until max_frames, then only counts. */
static void demux_all(run *r, AVPacket *pkt)
{
	int ret;

	for (;;) {
		if (deadline_passed(r->opts->deadline_us)) {
			r->timed_out = 1;
			return;
		}
		ret = av_read_frame(r->fmt, pkt);
		if (ret == AVERROR_EOF)
			break;
		if (ret < 0) {
			if (ret == AVERROR_EXIT)
				r->timed_out = 1;
			else
				r->demux_err = ret;
			return;
		}
		if (pkt->stream_index == r->st->index) {
			count_packet(r, pkt);
			if (want_frames(r))
				decode_packet(r, pkt);
		}
		av_packet_unref(pkt);
	}
	/* The decoder holds frames back for reordering: drain it. */
	if (want_frames(r))
		decode_packet(r, NULL);
}

static vsp_reason open_decoder(run *r, char *err, size_t errlen)
{
	const AVCodecParameters *p = r->st->codecpar;
	const AVCodec *codec = avcodec_find_decoder(p->codec_id);
	char e[AV_ERROR_MAX_STRING_SIZE];
	int ret;

	if (!codec) {
		set_err(err, errlen, "decode: %s: no decoder in this FFmpeg",
			avcodec_get_name(p->codec_id));
		return VSP_R_UNSUPPORTED;
	}
	r->dec = avcodec_alloc_context3(codec);
	if (!r->dec) {
		set_err(err, errlen, "decode: out of memory");
		return VSP_R_INTERNAL;
	}
	ret = avcodec_parameters_to_context(r->dec, p);
	if (ret >= 0) {
		/* One decoder thread per check: checks run in parallel. */
		r->dec->thread_count = 1;
		r->dec->pkt_timebase = r->st->time_base;
		ret = avcodec_open2(r->dec, codec, NULL);
	}
	if (ret < 0) {
		set_err(err, errlen, "decode: %s: cannot open decoder: %s",
			avcodec_get_name(p->codec_id),
			averr(ret, e, sizeof(e)));
		return VSP_R_DECODE_ERROR;
	}
	return VSP_R_NONE;
}

/* Probes only to name what the bytes are; whitelisted or NOT_MEDIA. */
static vsp_reason probe(AVIOContext *pb, const membuf *m,
			const AVInputFormat **ifmt, char *err, size_t errlen)
{
	char e[AV_ERROR_MAX_STRING_SIZE], head[SNIFF_CHARS + 1];
	int ret = av_probe_input_buffer2(pb, ifmt, "", NULL, 0, 0);

	if (ret == AVERROR_EXIT || deadline_passed(m->deadline_us)) {
		set_err(err, errlen, "decode: deadline reached while probing");
		return VSP_R_TIMEOUT;
	}
	sniff(m, head, sizeof(head));
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

	if (r->timed_out) {
		set_err(err, errlen,
			"decode: %s: deadline reached after %d frames, %lld "
			"packets",
			info->codec, info->frames, (long long)info->packets);
		return VSP_R_TIMEOUT;
	}
	if (r->opts->demux_only) {
		if (info->packets > 0)
			return VSP_R_NONE;
		if (r->demux_err)
			set_err(err, errlen, "demux: %s: %s after 0 packets",
				info->container,
				averr(r->demux_err, e, sizeof(e)));
		set_err(err, errlen, "demux: %s: no %s packet in the segment",
			info->container, info->codec);
		return VSP_R_DECODE_ERROR;
	}
	if (info->frames > 0)
		return VSP_R_NONE;
	if (r->dec_err)
		set_err(err, errlen, "decode: %s: %s after 0 frames",
			info->codec, averr(r->dec_err, e, sizeof(e)));
	if (r->demux_err)
		set_err(err, errlen, "demux: %s: %s after %lld packets",
			info->container, averr(r->demux_err, e, sizeof(e)),
			(long long)info->packets);
	if (info->packets == 0)
		set_err(err, errlen, "decode: %s: no packet in the segment",
			info->codec);
	set_err(err, errlen, "decode: %s: no frame decoded from %lld packets",
		info->codec, (long long)info->packets);
	return VSP_R_DECODE_ERROR;
}

vsp_reason vsp_decode(const uint8_t *init, size_t init_len, const uint8_t *seg,
		      size_t seg_len, const vsp_decode_opts *opts,
		      vsp_decode_info *info, char *err, size_t errlen)
{
	membuf m = { .deadline_us = opts->deadline_us };
	run r = { .opts = opts, .info = info };
	AVIOContext *pb = NULL;
	uint8_t *iobuf = NULL;
	AVPacket *pkt = NULL;
	const AVInputFormat *ifmt = NULL;
	char e[AV_ERROR_MAX_STRING_SIZE], streams[128];
	vsp_reason rc = VSP_R_INTERNAL;
	int ret;

	r.t0 = vsp_now_us();
	r.min_pts = r.max_pts = r.max_end = AV_NOPTS_VALUE;
	memset(info, 0, sizeof(*info));
	info->level = FF_LEVEL_UNKNOWN;
	if (err && errlen > 0)
		err[0] = '\0';

	if (!init)
		init_len = 0;
	if (!seg)
		seg_len = 0;
	if (init_len > (size_t)VSP_SEGMENT_MAX_BYTES ||
	    seg_len > (size_t)VSP_SEGMENT_MAX_BYTES) {
		set_err(err, errlen,
			"decode: %zu + %zu bytes is over the "
			"segment limit of %ld bytes",
			init_len, seg_len, VSP_SEGMENT_MAX_BYTES);
		rc = VSP_R_TOO_LARGE;
		goto fail;
	}
	if (opts->max_frames < 1 || opts->max_frames > VSP_MAX_FRAMES) {
		set_err(err, errlen, "decode: %d frames asked, expected 1..%d",
			opts->max_frames, VSP_MAX_FRAMES);
		rc = VSP_R_INTERNAL;
		goto fail;
	}
	if (init_len + seg_len == 0) {
		set_err(err, errlen, "not media: the segment is empty");
		rc = VSP_R_NOT_MEDIA;
		goto fail;
	}
	if (deadline_passed(opts->deadline_us)) {
		set_err(err, errlen,
			"decode: deadline reached before demuxing");
		rc = VSP_R_TIMEOUT;
		goto fail;
	}
	m.part[0] = init;
	m.len[0] = (int64_t)init_len;
	m.part[1] = seg;
	m.len[1] = (int64_t)seg_len;
	m.total = m.len[0] + m.len[1];

	iobuf = av_malloc(AVIO_BUF_SIZE);
	if (iobuf)
		pb = avio_alloc_context(iobuf, AVIO_BUF_SIZE, 0, &m, mem_read,
					NULL, mem_seek);
	if (!pb) {
		set_err(err, errlen, "decode: out of memory");
		goto fail;
	}
	iobuf = NULL; /* pb owns it now; it may have been reallocated */
	rc = probe(pb, &m, &ifmt, err, errlen);
	if (rc != VSP_R_NONE)
		goto fail;
	copy_str(info->container, sizeof(info->container), ifmt->name);

	r.fmt = new_format_context(pb, &m);
	if (!r.fmt) {
		set_err(err, errlen, "decode: out of memory");
		rc = VSP_R_INTERNAL;
		goto fail;
	}
	/* avformat_open_input() frees the context on failure. */
	ret = avformat_open_input(&r.fmt, "", ifmt, NULL);
	if (ret < 0) {
		rc = ret == AVERROR_EXIT || deadline_passed(opts->deadline_us)
			     ? VSP_R_TIMEOUT
			     : VSP_R_DECODE_ERROR;
		set_err(err, errlen, "demux: %s: %s", info->container,
			averr(ret, e, sizeof(e)));
		goto fail;
	}
	/* avformat_find_stream_info() opens a decoder of its own and decodes
	 * frames of every stream to fill in what the container leaves out:
	 * most of a check's CPU. The frames we decode tell us the same
	 * (resolution, pixel format, profile), so it is skipped for the
	 * containers that name every codec and timestamp every packet in
	 * their own headers. Raw audio (ADTS, MP3, AC-3) needs it for its
	 * timestamps; encrypted media for what it cannot decode. */
	r.st = !opts->demux_only && names_codecs(r.fmt) &&
			       av_match_list(ifmt->name, SELF_DESCRIBING, ',') >
				       0
		       ? pick_stream(r.fmt, opts->audio, info)
		       : NULL;
	if (!r.st) {
		/* Packets read here are buffered and returned again by
		 * av_read_frame(), so none is lost from the count. */
		ret = avformat_find_stream_info(r.fmt, NULL);
		if (ret < 0 && (ret == AVERROR_EXIT ||
				deadline_passed(opts->deadline_us))) {
			set_err(err, errlen,
				"demux: %s: deadline reached while "
				"reading stream info",
				info->container);
			rc = VSP_R_TIMEOUT;
			goto fail;
		}
		if (r.fmt->nb_streams == 0) {
			/* Recognised, yet without a single stream: broken
			 * media, not media without video. */
			set_err(err, errlen,
				"demux: %s: no stream found in %lld bytes",
				info->container, (long long)m.total);
			rc = VSP_R_DECODE_ERROR;
			goto fail;
		}
		r.st = pick_stream(r.fmt, opts->audio, info);
	}
	if (!r.st) {
		list_streams(r.fmt, streams, sizeof(streams));
		set_err(err, errlen, "demux: %s: no %s stream (streams: %s)",
			info->container, opts->audio ? "audio" : "video",
			streams);
		rc = opts->audio ? VSP_R_DECODE_ERROR : VSP_R_NO_VIDEO;
		goto fail;
	}
	/* Other streams are neither parsed nor returned. */
	for (unsigned i = 0; i < r.fmt->nb_streams; i++)
		if (r.fmt->streams[i] != r.st)
			r.fmt->streams[i]->discard = AVDISCARD_ALL;
	describe_stream(&r);

	if (!opts->demux_only) {
		rc = open_decoder(&r, err, errlen);
		if (rc != VSP_R_NONE)
			goto fail;
	}
	r.frame = av_frame_alloc();
	pkt = av_packet_alloc();
	if (!r.frame || !pkt) {
		set_err(err, errlen, "decode: out of memory");
		rc = VSP_R_INTERNAL;
		goto fail;
	}
	demux_all(&r, pkt);
	finish_duration(&r);
	rc = verdict(&r, err, errlen);

fail:
	info->ms = ms_since(r.t0);
	av_packet_free(&pkt);
	av_frame_free(&r.frame);
	avcodec_free_context(&r.dec);
	avformat_close_input(&r.fmt);
	if (pb)
		av_freep(&pb->buffer);
	avio_context_free(&pb);
	av_free(iobuf);
	return rc;
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
