/*
 * floor.c - the decode-only floor of the benchmark: the CPU it takes just to
 * demux and decode the frames a rendition check decodes, from memory, with
 * no network, no manifest and no verdict. Plain libavformat/libavcodec, as
 * little as a program can do: open, decode N frames of the first video
 * stream, demux the rest of the segment. With FRAMES "all", the floor of
 * `prober check --decode all`: every frame of that stream is decoded.
 *
 * With -a, the first audio stream is decoded whole too, as the default
 * check does since issue 11 (audio has no structure to check but decoding):
 * the floor of the default check on a ladder where audio is not free.
 *
 * usage: floor [-a] FRAMES|all [INIT:]SEGMENT...   (one argument per
 * rendition check); prints the frames decoded in all, so the bench can
 * compare.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

struct mem {
	uint8_t *buf;
	size_t len, pos;
};

static int mem_read(void *opaque, uint8_t *dst, int n)
{
	struct mem *m = opaque;
	size_t left = m->len - m->pos;

	if (left == 0)
		return AVERROR_EOF;
	if ((size_t)n > left)
		n = (int)left;
	memcpy(dst, m->buf + m->pos, (size_t)n);
	m->pos += (size_t)n;
	return n;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
	struct mem *m = opaque;

	if (whence == AVSEEK_SIZE)
		return (int64_t)m->len;
	if (whence == SEEK_CUR)
		off += (int64_t)m->pos;
	else if (whence == SEEK_END)
		off += (int64_t)m->len;
	if (off < 0 || (size_t)off > m->len)
		return -1;
	m->pos = (size_t)off;
	return off;
}

/* Appends a whole file to m. */
static int slurp(const char *path, struct mem *m)
{
	FILE *f = fopen(path, "rb");
	long n;
	uint8_t *p;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	p = realloc(m->buf, m->len + (size_t)n);
	if (!p || fread(p + m->len, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p ? p : m->buf);
		m->buf = NULL;
		return -1;
	}
	fclose(f);
	m->buf = p;
	m->len += (size_t)n;
	return 0;
}

/* Opens a decoder for stream i of fmt, one thread; NULL on failure. */
static AVCodecContext *open_dec(AVFormatContext *fmt, int i)
{
	AVCodecContext *dec = avcodec_alloc_context3(
		avcodec_find_decoder(fmt->streams[i]->codecpar->codec_id));

	if (!dec ||
	    avcodec_parameters_to_context(dec, fmt->streams[i]->codecpar) < 0) {
		avcodec_free_context(&dec);
		return NULL;
	}
	dec->thread_count = 1;
	if (avcodec_open2(dec, NULL, NULL) < 0)
		avcodec_free_context(&dec);
	return dec;
}

/* frames < 0: every frame. *decoded: video frames decoded. audio: decode
 * the first audio stream whole. */
static int check_one(const char *arg, int frames, int audio, long *decoded)
{
	struct mem m = { 0 };
	char *init = NULL, *colon = strchr(arg, ':');
	const char *seg = arg;
	AVFormatContext *fmt = NULL;
	AVIOContext *pb = NULL;
	AVCodecContext *dec = NULL, *adec = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	uint8_t *iobuf;
	int vs, as = -1, got = 0, rc = -1;

	if (colon) {
		init = strndup(arg, (size_t)(colon - arg));
		seg = colon + 1;
		if (!init || slurp(init, &m) != 0)
			goto out;
	}
	if (slurp(seg, &m) != 0)
		goto out;
	iobuf = av_malloc(65536);
	pb = avio_alloc_context(iobuf, 65536, 0, &m, mem_read, NULL, mem_seek);
	fmt = avformat_alloc_context();
	if (!pb || !fmt)
		goto out;
	fmt->pb = pb;
	if (avformat_open_input(&fmt, NULL, NULL, NULL) < 0)
		goto out;
	vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (vs < 0)
		goto out;
	dec = open_dec(fmt, vs);
	if (!dec)
		goto out;
	if (frames < 0)
		frames = INT_MAX;
	while (av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == vs && got < frames &&
		    avcodec_send_packet(dec, pkt) >= 0)
			while (got < frames &&
			       avcodec_receive_frame(dec, frame) >= 0)
				got++;
		/* The audio decoder is opened at the first audio packet:
		 * MPEG-TS streams may appear after the header. */
		if (audio && as < 0 &&
		    fmt->streams[pkt->stream_index]->codecpar->codec_type ==
			    AVMEDIA_TYPE_AUDIO) {
			as = pkt->stream_index;
			adec = open_dec(fmt, as);
			if (!adec)
				goto out;
		}
		if (pkt->stream_index == as &&
		    avcodec_send_packet(adec, pkt) >= 0)
			while (avcodec_receive_frame(adec, frame) >= 0)
				;
		av_packet_unref(pkt);
	}
	if (got < frames) {
		avcodec_send_packet(dec, NULL);
		while (got < frames && avcodec_receive_frame(dec, frame) >= 0)
			got++;
	}
	*decoded += got;
	rc = got > 0 ? 0 : -1;
out:
	if (rc != 0)
		fprintf(stderr, "floor: %s: no frame decoded\n", arg);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avcodec_free_context(&adec);
	avformat_close_input(&fmt);
	if (pb)
		av_freep(&pb->buffer);
	avio_context_free(&pb);
	free(m.buf);
	free(init);
	return rc;
}

int main(int argc, char **argv)
{
	int frames, audio = 0, bad = 0;
	long decoded = 0;

	if (argc > 1 && strcmp(argv[1], "-a") == 0) {
		audio = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr,
			"usage: floor [-a] FRAMES|all [INIT:]SEGMENT...\n");
		return 2;
	}
	if (strcmp(argv[1], "all") == 0) {
		frames = -1;
	} else {
		frames = (int)strtol(argv[1], NULL, 10);
		if (frames <= 0)
			frames = 5;
	}
	av_log_set_level(AV_LOG_QUIET);
	for (int i = 2; i < argc; i++)
		bad |= check_one(argv[i], frames, audio, &decoded) != 0;
	printf("%ld frames\n", decoded);
	return bad ? 1 : 0;
}
