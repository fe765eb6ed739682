/*
 * thumb.c - a rendition's first picture as a small JPEG (thumb.h).
 *
 * The picture comes from untrusted media: its size is checked before it is
 * scaled, and the output is a fixed small size whatever it claims. The file
 * appears under its name only once whole (written beside it, renamed).
 */
#include "thumb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "limits.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Output size: VSP_THUMB_WIDTH wide at most, the display aspect kept, both
 * even (4:2:0 chroma). */
static void thumb_size(const AVFrame *f, int *w, int *h)
{
	double sar = 1.0, dw;

	if (f->sample_aspect_ratio.num > 0 && f->sample_aspect_ratio.den > 0)
		sar = av_q2d(f->sample_aspect_ratio);
	if (sar < 0.1 || sar > 10)
		sar = 1.0;
	dw = f->width * sar;
	*w = f->width < VSP_THUMB_WIDTH ? f->width : VSP_THUMB_WIDTH;
	*h = (int)(*w * (double)f->height / dw + 0.5);
	*w &= ~1;
	*h &= ~1;
	if (*w < 2)
		*w = 2;
	if (*h < 2)
		*h = 2;
}

static int write_file(const char *path, const uint8_t *b, size_t n, char *err,
		      size_t errlen)
{
	char tmp[VSP_THUMB_PATH_MAX + 16];
	FILE *fp;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		set_err(err, errlen, "thumbnail %s: path too long", path);
		return -1;
	}
	fp = fopen(tmp, "wb");
	if (!fp) {
		set_err(err, errlen, "thumbnail %s: %s", tmp, strerror(errno));
		return -1;
	}
	ok = fwrite(b, 1, n, fp) == n;
	ok = (fclose(fp) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		set_err(err, errlen, "thumbnail %s: %s", path,
			strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int vsp_thumb_write(const AVFrame *f, const char *path, char *err,
		    size_t errlen)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *enc = NULL;
	struct SwsContext *sws = NULL;
	AVFrame *out = NULL;
	AVPacket *pkt = NULL;
	char e[AV_ERROR_MAX_STRING_SIZE];
	int w, h, ret, rv = -1;

	if (!f || f->width < 2 || f->height < 2 || f->format < 0) {
		set_err(err, errlen, "thumbnail %s: no picture", path);
		return -1;
	}
	if (!codec) {
		set_err(err, errlen,
			"thumbnail %s: this FFmpeg has no MJPEG encoder", path);
		return -1;
	}
	thumb_size(f, &w, &h);
	sws = sws_getContext(f->width, f->height, (enum AVPixelFormat)f->format,
			     w, h, AV_PIX_FMT_YUVJ420P, SWS_BILINEAR, NULL,
			     NULL, NULL);
	enc = avcodec_alloc_context3(codec);
	out = av_frame_alloc();
	pkt = av_packet_alloc();
	if (!sws || !enc || !out || !pkt) {
		set_err(err, errlen,
			"thumbnail %s: cannot scale %dx%d %s (or out of "
			"memory)",
			path, f->width, f->height,
			av_get_pix_fmt_name((enum AVPixelFormat)f->format)
				? av_get_pix_fmt_name(
					  (enum AVPixelFormat)f->format)
				: "?");
		goto out;
	}
	out->width = w;
	out->height = h;
	out->format = AV_PIX_FMT_YUVJ420P;
	if ((ret = av_frame_get_buffer(out, 0)) < 0)
		goto averr;
	sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0,
		  f->height, out->data, out->linesize);
	enc->width = w;
	enc->height = h;
	enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
	enc->time_base = (AVRational){ 1, 25 };
	enc->thread_count = 1;
	/* Quality 5 of 2..31: a readable thumbnail of a few kB. */
	enc->flags |= AV_CODEC_FLAG_QSCALE;
	enc->global_quality = FF_QP2LAMBDA * 5;
	out->quality = enc->global_quality;
	if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
		goto averr;
	if ((ret = avcodec_send_frame(enc, out)) < 0 ||
	    (ret = avcodec_send_frame(enc, NULL)) < 0 ||
	    (ret = avcodec_receive_packet(enc, pkt)) < 0)
		goto averr;
	rv = write_file(path, pkt->data, (size_t)pkt->size, err, errlen);
	goto out;
averr:
	set_err(err, errlen, "thumbnail %s: %s", path,
		av_make_error_string(e, sizeof(e), ret));
out:
	av_packet_free(&pkt);
	av_frame_free(&out);
	avcodec_free_context(&enc);
	sws_freeContext(sws);
	return rv;
}

/* Appends s reduced to [A-Za-z0-9._-] (others become '_'); "" as "_". */
static size_t put_name(char *out, size_t at, size_t len, const char *s)
{
	if (!s || !*s)
		s = "_";
	for (; *s && at + 1 < len; s++) {
		char c = *s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			 c == '_';

		out[at++] = ok ? c : '_';
	}
	out[at < len ? at : len - 1] = '\0';
	return at;
}

int vsp_thumb_path(char *out, size_t len, const char *dir, const char *probe,
		   const char *origin, size_t index, const char *label)
{
	char num[32];
	size_t at;
	int n;

	if (!out || len < 2 || !dir)
		return -1;
	n = snprintf(out, len, "%s/", dir);
	if (n < 0 || (size_t)n >= len)
		return -1;
	at = put_name(out, (size_t)n, len, probe);
	at = put_name(out, at, len, "--");
	at = put_name(out, at, len, origin);
	snprintf(num, sizeof(num), "--%zu-", index);
	at = put_name(out, at, len, num);
	at = put_name(out, at, len, label);
	at = put_name(out, at, len, ".jpg");
	return at + 1 < len ? 0 : -1;
}
