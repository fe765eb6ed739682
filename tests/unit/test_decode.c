/*
 * test_decode.c - vsp_decode() and vsp_aes128_decrypt().
 *
 * Media is made at test time with the ffmpeg CLI in a temporary folder
 * (nothing binary is committed); the media tests are skipped when ffmpeg is
 * missing. Hostile inputs (playlists, ffconcat, an MPD) point at a canary
 * file watched with inotify, to prove FFmpeg never opened what a "segment"
 * referenced.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cmocka.h>

#include "media_dir.h"

#include "clock.h"
#include "decode.h"
#include "error.h"

#include <libavutil/aes.h>
#include <libavutil/mem.h>

#define ERRLEN 512


typedef struct blob {
	uint8_t *data;
	size_t len;
} blob;

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int read_file(const char *name, blob *b)
{
	char path[4200];
	FILE *f;
	long n;

	path_of(path, sizeof(path), name);
	b->data = NULL;
	b->len = 0;
	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	b->data = malloc(n > 0 ? (size_t)n : 1);
	if (b->data && fread(b->data, 1, (size_t)n, f) != (size_t)n) {
		free(b->data);
		b->data = NULL;
	}
	fclose(f);
	b->len = (size_t)n;
	return b->data ? 0 : -1;
}


#define VIDEO_IN "-f lavfi -i testsrc2=size=320x180:rate=25 "
#define AUDIO_IN "-f lavfi -i sine=frequency=440:sample_rate=48000 "
#define X264 "-pix_fmt yuv420p -c:v libx264 -preset ultrafast "

static int make_media(void)
{
	/* The temporary folder's name comes from mkdtemp(): no quotes in
	 * it, but $TMPDIR may hold spaces, hence the quoting. */
	if (run_cmd("ffmpeg -nostdin -version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "ffmpeg CLI not found: media tests skipped\n");
		return 0;
	}
	if (run_cmd("cd '%s' && " FF VIDEO_IN AUDIO_IN "-t 2 " X264
		    "-c:a aac -f mpegts seg.ts", dir) ||
	    run_cmd("cd '%s' && " FF VIDEO_IN AUDIO_IN "-t 2 " X264
		    "-c:a aac -f hls -hls_segment_type fmp4 -hls_time 10 "
		    "-hls_playlist_type vod -hls_fmp4_init_filename init.mp4 "
		    "-hls_segment_filename fseg%%d.m4s f.m3u8", dir) ||
	    run_cmd("cd '%s' && " FF VIDEO_IN "-t 2 -pix_fmt yuv420p "
		    "-c:v libx265 -preset ultrafast -x265-params "
		    "log-level=error -f mpegts hevc.ts", dir) ||
	    run_cmd("cd '%s' && " FF AUDIO_IN "-t 2 -c:a aac -f mpegts "
		    "audio.ts", dir) ||
	    run_cmd("cd '%s' && " FF AUDIO_IN "-t 2 -c:a aac -f adts "
		    "audio.aac", dir) ||
	    run_cmd("cd '%s' && cp seg.ts canary.ts", dir)) {
		fprintf(stderr, "ffmpeg could not make the test media\n");
		return -1;
	}
	have_media = 1;
	return 0;
}

static int setup_dir(void **state)
{
	(void)state;
	if (media_dir_open("vsp-decode") != 0)
		return -1;
	vsp_decode_global_init(0);
	return make_media();
}

static vsp_reason decode_files(const char *init_name, const char *seg_name,
			       const vsp_decode_opts *opts,
			       vsp_decode_info *info, char *err)
{
	blob init = { 0 }, seg = { 0 };
	vsp_reason rc;

	if (init_name)
		assert_int_equal(read_file(init_name, &init), 0);
	assert_int_equal(read_file(seg_name, &seg), 0);
	rc = vsp_decode(init.data, init.len, seg.data, seg.len, opts, info,
			err, ERRLEN);
	free(init.data);
	free(seg.data);
	return rc;
}

static vsp_decode_opts default_opts(void)
{
	vsp_decode_opts o = { .max_frames = 5 };

	o.deadline_us = vsp_now_us() + 30 * 1000000LL;
	return o;
}

/* ---- media that plays ---- */

typedef struct play_case {
	const char *name;
	const char *init, *seg;
	int audio;
	const char *container, *codec, *profile;
	int width, height;
	int sample_rate, channels;
} play_case;

static const play_case plays[] = {
	{ "mpegts h264", NULL, "seg.ts", 0, "mpegts", "h264", NULL, 320, 180,
	  0, 0 },
	{ "fmp4 init+media h264", "init.mp4", "fseg0.m4s", 0,
	  "mov,mp4,m4a,3gp,3g2,mj2", "h264", NULL, 320, 180, 0, 0 },
	{ "mpegts hevc", NULL, "hevc.ts", 0, "mpegts", "hevc", "Main", 320,
	  180, 0, 0 },
	{ "mpegts aac audio", NULL, "audio.ts", 1, "mpegts", "aac", "LC", 0, 0,
	  48000, 1 },
	{ "packed adts aac", NULL, "audio.aac", 1, "aac", "aac", "LC", 0, 0,
	  48000, 1 },
	{ "audio of a muxed mpegts", NULL, "seg.ts", 1, "mpegts", "aac", "LC",
	  0, 0, 48000, 1 },
};

static void test_plays(void **state)
{
	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(plays) / sizeof(plays[0]); i++) {
		const play_case *c = &plays[i];
		vsp_decode_opts o = default_opts();
		vsp_decode_info info;
		char err[ERRLEN];
		vsp_reason rc;

		o.audio = c->audio;
		rc = decode_files(c->init, c->seg, &o, &info, err);
		if (rc != VSP_R_NONE)
			fail_msg("%s: %s: %s", c->name, vsp_reason_name(rc),
				 err);
		assert_string_equal(err, "");
		assert_string_equal(info.container, c->container);
		assert_string_equal(info.codec, c->codec);
		if (c->profile)
			assert_string_equal(info.profile, c->profile);
		else
			assert_true(info.profile[0] != '\0');
		/* Video decodes up to the frames asked, an audio rendition
		 * whole. */
		if (c->audio)
			assert_int_equal(info.frames, info.packets);
		else
			assert_int_equal(info.frames, 5);
		assert_true(info.first_frame_ms > 0.0);
		assert_true(info.ms >= info.first_frame_ms);
		assert_true(info.packets >= 5);
		if (info.media_duration_s < 1.8 || info.media_duration_s > 2.3)
			fail_msg("%s: media duration %.3f s, expected ~2",
				 c->name, info.media_duration_s);
		if (c->audio) {
			assert_true(info.has_audio);
			assert_int_equal(info.sample_rate, c->sample_rate);
			assert_int_equal(info.channels, c->channels);
		} else {
			assert_true(info.has_video);
			assert_int_equal(info.width, c->width);
			assert_int_equal(info.height, c->height);
			assert_string_equal(info.pix_fmt, "yuv420p");
			assert_true(info.level > 0);
		}
	}
}

static void test_h264_details(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];

	(void)state;
	if (!have_media)
		skip();
	o.max_frames = 1;
	assert_int_equal(decode_files(NULL, "seg.ts", &o, &info, err),
			 VSP_R_NONE);
	assert_int_equal(info.frames, 1);
	assert_true(info.has_video && info.has_audio);
	/* Only the chosen stream's packets count: 50 frames in 2 s. */
	assert_int_equal(info.packets, 50);
	assert_int_equal(info.decode_errors, 0);
}

static void test_demux_only(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];

	(void)state;
	if (!have_media)
		skip();
	o.demux_only = 1;
	assert_int_equal(decode_files(NULL, "seg.ts", &o, &info, err),
			 VSP_R_NONE);
	assert_int_equal(info.frames, 0);
	assert_int_equal(info.packets, 50);
	assert_string_equal(info.codec, "h264");
	assert_int_equal(info.width, 320);
	assert_true(info.media_duration_s > 1.8);
}

/* What vsp_decode_opts.decoders_freed saw: how often it was called, and the
 * frames decoded by then (the caller's info, filled as frames come). */
typedef struct freed_seen {
	int calls;
	const vsp_decode_info *info;
	int frames, audio_frames;
} freed_seen;

static void on_freed(void *arg)
{
	freed_seen *f = arg;

	f->calls++;
	f->frames = f->info->frames;
	f->audio_frames = f->info->audio_frames;
}

/* Issue 18: the decoders are freed, and the caller told once, as soon as
 * the frames asked are decoded; demuxing goes on and counts every packet.
 * Never while a decoder is still wanted (decode all). */
static void test_decoders_freed(void **state)
{
	static const struct {
		int max_frames, demux_only, decode_all, calls, frames;
	} cases[] = {
		{ 1, 0, 0, 1, 1 },
		{ 5, 0, 0, 1, 5 },
		{ 5, 1, 0, 1, 0 }, /* none opened: told before demuxing */
		{ 5, 0, 1, 0, 50 },
	};

	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_decode_opts o = default_opts();
		vsp_decode_info info;
		freed_seen seen = { 0, &info, -1, -1 };
		char err[ERRLEN];

		o.max_frames = cases[i].max_frames;
		o.demux_only = cases[i].demux_only;
		o.decode_all = cases[i].decode_all;
		o.decoders_freed = on_freed;
		o.decoders_freed_arg = &seen;
		assert_int_equal(decode_files(NULL, "seg.ts", &o, &info, err),
				 VSP_R_NONE);
		assert_int_equal(seen.calls, cases[i].calls);
		assert_int_equal(info.frames, cases[i].frames);
		if (cases[i].calls) {
			/* Both tracks had their frames when told. */
			assert_int_equal(seen.frames, cases[i].frames);
			assert_int_equal(seen.audio_frames,
					 cases[i].demux_only
						 ? 0
						 : cases[i].max_frames);
		}
		/* Every packet still demuxed and counted: 2 s at 25 fps. */
		assert_int_equal(info.packets, 50);
		assert_true(info.audio_packets > 0);
		assert_int_equal(info.corrupt_packets, 0);
	}
}

static void test_no_video(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];

	(void)state;
	if (!have_media)
		skip();
	assert_int_equal(decode_files(NULL, "audio.ts", &o, &info, err),
			 VSP_R_NO_VIDEO);
	assert_non_null(strstr(err, "no video stream"));
	assert_non_null(strstr(err, "audio aac"));
	assert_true(info.has_audio);
	assert_false(info.has_video);
	assert_string_equal(info.container, "mpegts");

	/* An audio rendition whose media has no audio does not play. */
	o.audio = 1;
	assert_int_equal(decode_files(NULL, "hevc.ts", &o, &info, err),
			 VSP_R_DECODE_ERROR);
	assert_non_null(strstr(err, "no audio stream"));
}

static void test_fmp4_without_init(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];

	(void)state;
	if (!have_media)
		skip();
	/* A media fragment alone has no moov: it cannot play. */
	assert_int_equal(decode_files(NULL, "fseg0.m4s", &o, &info, err),
			 VSP_R_DECODE_ERROR);
	assert_non_null(strstr(err, "demux: mov,mp4"));
}

/* ---- damaged media ---- */

static void fill_random(uint8_t *p, size_t n, unsigned seed)
{
	/* A fixed LCG: the same bytes on every run. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void test_truncated_duration(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	blob b;
	vsp_reason rc;

	(void)state;
	if (!have_media)
		skip();
	assert_int_equal(read_file("seg.ts", &b), 0);
	/* A segment cut off in transfer still starts to play, but covers
	 * far less than its 2 s: the caller flags duration_mismatch. */
	rc = vsp_decode(NULL, 0, b.data, b.len / 4 / 188 * 188, &o, &info,
			err, sizeof(err));
	free(b.data);
	if (rc != VSP_R_NONE)
		fail_msg("%s: %s", vsp_reason_name(rc), err);
	assert_true(info.frames >= 1);
	if (info.media_duration_s <= 0.0 || info.media_duration_s > 1.0)
		fail_msg("media duration %.3f s, expected well under 2",
			 info.media_duration_s);
}

typedef struct damage_case {
	const char *name;
	const char *file;
	size_t keep;        /* bytes kept, 0: all */
	size_t from, count; /* bytes overwritten with noise */
	int may_play;       /* 1: the untouched start may still decode: then
			       the integrity checks must see the damage */
} damage_case;

static const damage_case damages[] = {
	{ "ts cut to 300 bytes", "seg.ts", 300, 0, 0, 0 },
	{ "ts cut to 1 packet", "seg.ts", 188, 0, 0, 0 },
	{ "ts noise after the PMT", "seg.ts", 0, 3 * 188, (size_t)-1, 0 },
	{ "ts noise in the middle", "seg.ts", 0, 40000, 80000, 1 },
	{ "ts noise at the start", "seg.ts", 0, 0, 20000, 1 },
	{ "hevc noise after the PMT", "hevc.ts", 0, 3 * 188, (size_t)-1, 0 },
	{ "fmp4 media cut to 400", "fseg0.m4s", 400, 0, 0, 0 },
	{ "fmp4 noise in mdat", "fseg0.m4s", 0, 2000, 100000, 1 },
	{ "aac noise", "audio.aac", 0, 100, (size_t)-1, 0 },
};

static void test_damaged(void **state)
{
	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const damage_case *c = &damages[i];
		int fmp4 = strstr(c->file, ".m4s") != NULL;
		int audio = strstr(c->file, ".aac") != NULL;
		vsp_decode_opts o = default_opts();
		vsp_decode_info info;
		char err[ERRLEN];
		blob b, init = { 0 };
		vsp_reason rc;
		size_t len, n;

		assert_int_equal(read_file(c->file, &b), 0);
		if (fmp4)
			assert_int_equal(read_file("init.mp4", &init), 0);
		len = c->keep ? c->keep : b.len;
		if (c->from < len) {
			n = c->count < len - c->from ? c->count
						     : len - c->from;
			fill_random(b.data + c->from, n, (unsigned)i + 1);
		}
		o.audio = audio;
		rc = vsp_decode(init.data, init.len, b.data, len, &o, &info,
				err, sizeof(err));
		free(b.data);
		free(init.data);
		if (getenv("VSP_TEST_VERBOSE"))
			fprintf(stderr, "%s: %s frames=%d pkts=%lld: %s\n",
				c->name, vsp_reason_name(rc), info.frames,
				(long long)info.packets, err);
		if (c->may_play && info.frames >= 1) {
			if (rc != VSP_R_CORRUPT_SEGMENT)
				fail_msg("%s: %s, want corrupt_segment: %s",
					 c->name, vsp_reason_name(rc), err);
			assert_true(info.corrupt_packets +
					    info.bitstream_errors +
					    info.ts_jumps + info.demux_error >
				    0);
			assert_non_null(strstr(err, "packet"));
			continue;
		}
		if (rc == VSP_R_CORRUPT_SEGMENT)
			continue;
		if (rc != VSP_R_DECODE_ERROR && rc != VSP_R_NOT_MEDIA)
			fail_msg("%s: %s: %s", c->name, vsp_reason_name(rc),
				 err);
		assert_true(err[0] != '\0');
		if (rc == VSP_R_DECODE_ERROR)
			assert_int_equal(info.frames, 0);
	}
}

static void test_decode_error_message(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	blob b;

	(void)state;
	if (!have_media)
		skip();
	assert_int_equal(read_file("seg.ts", &b), 0);
	/* Noise over the first keyframe, with its SPS and PPS: the later
	 * packets demux but nothing decodes without them. */
	fill_random(b.data + 3 * 188, 20000, 7);
	assert_int_equal(vsp_decode(NULL, 0, b.data, b.len, &o, &info, err,
				    sizeof(err)),
			 VSP_R_DECODE_ERROR);
	free(b.data);
	assert_string_equal(info.container, "mpegts");
	assert_string_equal(info.codec, "h264");
	assert_int_equal(info.frames, 0);
	assert_true(info.packets > 0);
	assert_true(info.decode_errors > 0);
	if (!strstr(err, "decode: h264: ") || !strstr(err, "after 0 frames"))
		fail_msg("message '%s'", err);
}

/* ---- whole-segment integrity ---- */

/* Healthy ffmpeg-made media passes every integrity check, by default and
 * with every frame decoded. */
static void test_integrity_healthy(void **state)
{
	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(plays) / sizeof(plays[0]); i++) {
		const play_case *c = &plays[i];

		for (int all = 0; all <= 1; all++) {
			vsp_decode_opts o = default_opts();
			vsp_decode_info info;
			char err[ERRLEN];
			vsp_reason rc;

			o.audio = c->audio;
			o.decode_all = all;
			rc = decode_files(c->init, c->seg, &o, &info, err);
			if (rc != VSP_R_NONE)
				fail_msg("%s%s: %s: %s", c->name,
					 all ? " (decode all)" : "",
					 vsp_reason_name(rc), err);
			assert_int_equal(info.corrupt_packets, 0);
			assert_int_equal(info.bitstream_errors, 0);
			assert_int_equal(info.ts_jumps, 0);
			assert_int_equal(info.demux_error, 0);
			assert_int_equal(info.frame_errors, 0);
			assert_int_equal(info.bad_packet, -1);
			if (all || c->audio)
				assert_int_equal(info.frames, info.packets);
			else
				assert_int_equal(info.frames, 5);
		}
	}
}

static void test_audio_beside_video(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	const char *segs[][2] = { { NULL, "seg.ts" },
				  { "init.mp4", "fseg0.m4s" } };

	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(decode_files(segs[i][0], segs[i][1], &o,
					      &info, err),
				 VSP_R_NONE);
		assert_string_equal(info.codec, "h264");
		assert_string_equal(info.audio_codec, "aac");
		assert_string_equal(info.streams, "video h264, audio aac");
		/* Every audio packet demuxed, the first N decoded; with
		 * decode_all every one. */
		assert_true(info.audio_packets > 80);
		assert_int_equal(info.audio_frames, 5);
		if (info.audio_duration_s < 1.8 ||
		    info.audio_duration_s > 2.2)
			fail_msg("%s: audio duration %.3f s, expected ~2",
				 segs[i][1], info.audio_duration_s);
		o.decode_all = 1;
		assert_int_equal(decode_files(segs[i][0], segs[i][1], &o,
					      &info, err),
				 VSP_R_NONE);
		assert_int_equal(info.audio_frames, info.audio_packets);
		o.decode_all = 0;
	}
	/* Video alone: no audio to speak of. */
	assert_int_equal(decode_files(NULL, "hevc.ts", &o, &info, err),
			 VSP_R_NONE);
	assert_string_equal(info.audio_codec, "");
	assert_int_equal(info.audio_frames, 0);
	assert_false(info.has_audio);
}

/* Offset of the payload of the first top-level box of this type. */
static size_t box_payload(const blob *b, const char *type)
{
	size_t pos = 0;

	while (pos + 8 <= b->len) {
		uint32_t size = (uint32_t)b->data[pos] << 24 |
				(uint32_t)b->data[pos + 1] << 16 |
				(uint32_t)b->data[pos + 2] << 8 |
				b->data[pos + 3];

		if (memcmp(b->data + pos + 4, type, 4) == 0)
			return pos + 8;
		if (size < 8)
			break;
		pos += size;
	}
	fail_msg("no %s box", type);
	return 0;
}

typedef struct integrity_case {
	const char *name;
	const char *init, *seg;
	int how; /* what is done to the segment's bytes */
	const char *look; /* in the message */
} integrity_case;

enum {
	NOISE_MIDDLE_4K,  /* 4096 bytes of noise in the middle */
	NOISE_MIDDLE_512, /* 512 bytes of noise in the middle */
	DROP_TS_PACKET,	  /* one 188-byte packet taken out of the middle */
	NAL_LENGTH_PLUS1, /* the first sample's first NAL length + 1 */
	FORBIDDEN_BIT,	  /* the first sample's first NAL header's top bit */
	TS_SPLICE,	  /* a later stretch of the stream appended */
};

static const integrity_case integrity[] = {
	{ "ts noise 4k", NULL, "seg.ts", NOISE_MIDDLE_4K, "corrupt" },
	{ "ts noise 512", NULL, "seg.ts", NOISE_MIDDLE_512, "corrupt" },
	{ "ts packet lost", NULL, "seg.ts", DROP_TS_PACKET, "corrupt" },
	{ "hevc ts noise 4k", NULL, "hevc.ts", NOISE_MIDDLE_4K, "packet" },
	{ "audio ts noise 4k", NULL, "audio.ts", NOISE_MIDDLE_4K, "audio" },
	{ "fmp4 noise 4k", "init.mp4", "fseg0.m4s", NOISE_MIDDLE_4K,
	  "packet" },
	{ "fmp4 NAL length", "init.mp4", "fseg0.m4s", NAL_LENGTH_PLUS1,
	  "overruns" },
	{ "fmp4 forbidden bit", "init.mp4", "fseg0.m4s", FORBIDDEN_BIT,
	  "forbidden_zero_bit" },
	{ "ts splice of a later stretch", NULL, "seg.ts", TS_SPLICE,
	  "packet" },
};

static void damage(blob *b, int how)
{
	size_t mid = b->len / 2, at;

	switch (how) {
	case NOISE_MIDDLE_4K:
		fill_random(b->data + mid - 2048, 4096, 11);
		break;
	case NOISE_MIDDLE_512:
		fill_random(b->data + mid - 256, 512, 12);
		break;
	case DROP_TS_PACKET:
		at = mid / 188 * 188;
		memmove(b->data + at, b->data + at + 188, b->len - at - 188);
		b->len -= 188;
		break;
	case NAL_LENGTH_PLUS1:
		at = box_payload(b, "mdat");
		b->data[at + 3]++;
		break;
	case FORBIDDEN_BIT:
		at = box_payload(b, "mdat");
		b->data[at + 4] |= 0x80;
		break;
	case TS_SPLICE:
		/* The last quarter copied over the second: timestamps jump
		 * forward, then back, and continuity breaks. */
		at = b->len / 4 / 188 * 188;
		memcpy(b->data + at, b->data + b->len / 4 * 3 / 188 * 188, at);
		break;
	}
}

static void test_integrity_detects(void **state)
{
	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(integrity) / sizeof(integrity[0]);
	     i++) {
		const integrity_case *c = &integrity[i];

		for (int all = 0; all <= 1; all++) {
			vsp_decode_opts o = default_opts();
			vsp_decode_info info;
			char err[ERRLEN];
			blob init = { 0 }, seg;
			vsp_reason rc;

			if (c->init)
				assert_int_equal(read_file(c->init, &init), 0);
			assert_int_equal(read_file(c->seg, &seg), 0);
			damage(&seg, c->how);
			o.audio = strcmp(c->seg, "audio.ts") == 0;
			o.decode_all = all;
			rc = vsp_decode(init.data, init.len, seg.data, seg.len,
					&o, &info, err, sizeof(err));
			free(init.data);
			free(seg.data);
			if (getenv("VSP_TEST_VERBOSE"))
				fprintf(stderr, "%s%s: %s: %s\n", c->name,
					all ? " (all)" : "",
					vsp_reason_name(rc), err);
			/* Decoding everything may find the damage first, as
			 * a failed frame; the default must find it anyway. */
			if (rc != VSP_R_CORRUPT_SEGMENT &&
			    !(all && rc == VSP_R_DECODE_ERROR))
				fail_msg("%s%s: %s, want corrupt_segment: %s",
					 c->name, all ? " (decode all)" : "",
					 vsp_reason_name(rc), err);
			if (!strstr(err, c->look))
				fail_msg("%s: '%s' not in '%s'", c->name,
					 c->look, err);
			if (rc == VSP_R_CORRUPT_SEGMENT &&
			    !info.demux_error) {
				assert_true(info.bad_packet >= 0);
				assert_true(info.corrupt_packets +
						    info.bitstream_errors +
						    info.ts_jumps >
					    0);
			}
		}
	}
}

/* Where the damage is: packet index, time, byte offset, what. */
static void test_integrity_message(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	blob init, seg;
	size_t at;

	(void)state;
	if (!have_media)
		skip();
	assert_int_equal(read_file("init.mp4", &init), 0);
	assert_int_equal(read_file("fseg0.m4s", &seg), 0);
	at = box_payload(&seg, "mdat");
	seg.data[at + 3] += 2;
	assert_int_equal(vsp_decode(init.data, init.len, seg.data, seg.len,
				    &o, &info, err, sizeof(err)),
			 VSP_R_CORRUPT_SEGMENT);
	free(init.data);
	free(seg.data);
	assert_int_equal(info.bad_packet, 0);
	assert_int_equal(info.bad_offset, (int64_t)at);
	assert_true(info.bad_time_s == 0.0);
	assert_int_equal(info.bitstream_errors, 1);
	if (!strstr(err, "video h264 packet 0 (t=0.000 s, byte ") ||
	    !strstr(err, "overruns the "))
		fail_msg("message '%s'", err);
}

/* --decode all: a frame that decodes with errors fails, with its index
 * and time; the default tolerates it as a player conceals it. */
static void test_decode_all_frame(void **state)
{
	vsp_decode_info info;
	char err[ERRLEN];
	blob seg;
	size_t at;
	int hits = 0;

	(void)state;
	if (!have_media)
		skip();
	/* 48 bytes of noise inside one video sample of the fMP4's second
	 * half: the NAL framing stays whole, the picture does not. */
	for (unsigned k = 0; k < 8; k++) {
		vsp_decode_opts o = default_opts();
		blob init;

		assert_int_equal(read_file("init.mp4", &init), 0);
		assert_int_equal(read_file("fseg0.m4s", &seg), 0);
		at = seg.len / 2 + k * 3001;
		fill_random(seg.data + at, 48, 100 + k);
		o.decode_all = 1;
		if (vsp_decode(init.data, init.len, seg.data, seg.len, &o,
			       &info, err, sizeof(err)) == VSP_R_DECODE_ERROR) {
			hits++;
			assert_true(info.frame_errors > 0);
			if (!strstr(err, " frame ") || !strstr(err, "t="))
				fail_msg("message '%s'", err);
		}
		free(init.data);
		free(seg.data);
	}
	/* Noise in slice data cannot always be seen, but mostly is. */
	if (hits < 4)
		fail_msg("decode all saw %d of 8 damaged segments", hits);
}

/* ---- bytes that are not media ---- */

/* Watches the canary: FFmpeg must never open what a "segment" names. */
static int watch_canary(void)
{
	char path[4200];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	path_of(path, sizeof(path), "canary.ts");
	assert_true(inotify_add_watch(fd, path, IN_OPEN | IN_ACCESS) >= 0);
	return fd;
}

static int canary_touched(int fd)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		assert_int_equal(errno, EAGAIN);
	return n > 0;
}

typedef struct reject_case {
	const char *name;
	const char *text; /* %1$s: the canary's path; NULL: binary */
	size_t zeros;     /* with text NULL: this many zero bytes */
	const char *look; /* expected in the message */
} reject_case;

static const reject_case rejects[] = {
	{ "html page",
	  "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
	  "<body><h1>Not Found</h1></body></html>\n",
	  0, "<!DOCTYPE html>" },
	{ "zero bytes", NULL, 4096, "not media" },
	{ "empty", NULL, 0, "empty" },
	{ "hls playlist",
	  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
	  "#EXTINF:2.0,\nfile://%1$s\n#EXTINF:2.0,\nfile:///etc/passwd\n"
	  "#EXT-X-ENDLIST\n",
	  0, "'hls'" },
	{ "hls playlist, bare paths",
	  "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n%1$s\n"
	  "#EXT-X-ENDLIST\n",
	  0, "'hls'" },
	{ "ffconcat",
	  "ffconcat version 1.0\nfile '%1$s'\nfile '/etc/passwd'\n", 0,
	  "'concat'" },
	{ "dash mpd",
	  "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\""
	  " type=\"static\" mediaPresentationDuration=\"PT2S\" "
	  "profiles=\"urn:mpeg:dash:profile:isoff-on-demand:2011\">"
	  "<Period><AdaptationSet mimeType=\"video/mp2t\"><Representation "
	  "id=\"1\" bandwidth=\"1000\"><BaseURL>file://%1$s</BaseURL>"
	  "</Representation></AdaptationSet></Period></MPD>\n",
	  0, "not media" },
	{ "sdp", "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\n"
		 "t=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
	  0, "not media" },
};

static void test_not_media(void **state)
{
	(void)state;
	if (!have_media)
		skip();
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		const reject_case *c = &rejects[i];
		vsp_decode_opts o = default_opts();
		vsp_decode_info info;
		char err[ERRLEN], canary[4200], text[4096];
		uint8_t *bytes = NULL;
		size_t len;
		vsp_reason rc;
		int fd;

		path_of(canary, sizeof(canary), "canary.ts");
		if (c->text) {
			/* Not a literal: the table's formats are trusted. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(text, sizeof(text), c->text, canary);
#pragma GCC diagnostic pop
			len = strlen(text);
			bytes = (uint8_t *)text;
		} else {
			len = c->zeros;
			bytes = calloc(1, len ? len : 1);
			assert_non_null(bytes);
		}
		fd = watch_canary();
		/* As the segment, and as an "init" before a real one. */
		rc = vsp_decode(NULL, 0, bytes, len, &o, &info, err,
				sizeof(err));
		if (rc != VSP_R_NOT_MEDIA)
			fail_msg("%s: %s: %s", c->name, vsp_reason_name(rc),
				 err);
		if (!strstr(err, c->look) || !strstr(err, "not media"))
			fail_msg("%s: message '%s'", c->name, err);
		assert_false(canary_touched(fd));
		for (int audio = 0; audio <= 1 && c->text; audio++) {
			o.audio = audio;
			o.max_frames = 1;
			rc = vsp_decode(bytes, len, bytes, len, &o, &info, err,
					sizeof(err));
			assert_int_equal(rc, VSP_R_NOT_MEDIA);
			assert_false(canary_touched(fd));
		}
		/* The watch works: opening the canary is seen. */
		{
			int cfd = open(canary, O_RDONLY);

			assert_true(cfd >= 0);
			close(cfd);
			assert_true(canary_touched(fd));
		}
		close(fd);
		if (!c->text)
			free(bytes);
	}
}

static void test_deadline_passed(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	uint8_t ts[188 * 4] = { 0 };

	(void)state;
	o.deadline_us = vsp_now_us() - 1;
	assert_int_equal(vsp_decode(NULL, 0, ts, sizeof(ts), &o, &info, err,
				    sizeof(err)),
			 VSP_R_TIMEOUT);
	assert_non_null(strstr(err, "deadline"));
	if (have_media) {
		o.deadline_us = 1; /* long past, yet not "none" (0) */
		assert_int_equal(decode_files(NULL, "seg.ts", &o, &info, err),
				 VSP_R_TIMEOUT);
		assert_int_equal(info.frames, 0);
	}
}

static void test_bad_args(void **state)
{
	vsp_decode_opts o = default_opts();
	vsp_decode_info info;
	char err[ERRLEN];
	uint8_t b[16] = { 0 };

	(void)state;
	o.max_frames = 0;
	assert_int_equal(vsp_decode(NULL, 0, b, sizeof(b), &o, &info, err,
				    sizeof(err)),
			 VSP_R_INTERNAL);
	assert_non_null(strstr(err, "frames"));
	/* Bad opts are the prober's fault, not out of memory. */
	assert_int_equal(info.err, VSP_E_INTERNAL);
	/* Over the segment cap: refused before reading a byte. */
	o.max_frames = 1;
	assert_int_equal(vsp_decode(NULL, 0, b,
				    (size_t)VSP_SEGMENT_MAX_BYTES + 1, &o,
				    &info, err, sizeof(err)),
			 VSP_R_TOO_LARGE);
	/* err only ever goes with VSP_R_INTERNAL. */
	assert_int_equal(info.err, 0);
	/* A NULL message buffer is allowed. */
	assert_int_equal(vsp_decode(NULL, 0, NULL, 0, &o, &info, NULL, 0),
			 VSP_R_NOT_MEDIA);
}

/* ---- AES-128 ---- */

static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae,
				 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88,
				 0x09, 0xcf, 0x4f, 0x3c };
static const uint8_t iv[16] = { 0, 1, 2,  3,  4,  5,  6,  7,
				8, 9, 10, 11, 12, 13, 14, 15 };

/* CBC-encrypts len bytes (a multiple of 16) as they are, no padding. */
static uint8_t *encrypt_raw(const uint8_t *in, size_t len)
{
	struct AVAES *a = av_aes_alloc();
	uint8_t *out = malloc(len ? len : 1), chain[16];

	assert_non_null(a);
	assert_non_null(out);
	assert_int_equal(av_aes_init(a, key, 128, 0), 0);
	memcpy(chain, iv, sizeof(chain));
	av_aes_crypt(a, out, in, (int)(len / 16), chain, 0);
	av_free(a);
	return out;
}

/* PKCS#7 pads, then encrypts: what an HLS packager writes. */
static uint8_t *encrypt_padded(const uint8_t *in, size_t len, size_t *clen)
{
	size_t pad = 16 - len % 16;
	uint8_t *p = malloc(len + pad), *c;

	assert_non_null(p);
	if (len)
		memcpy(p, in, len);
	memset(p + len, (int)pad, pad);
	*clen = len + pad;
	c = encrypt_raw(p, *clen);
	free(p);
	return c;
}

static void test_aes_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 1000, 65536 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *plain = malloc(lens[i] + 1), *cipher, *out = NULL;
		size_t clen, olen = 99;
		char err[ERRLEN] = "";

		assert_non_null(plain);
		fill_random(plain, lens[i], (unsigned)lens[i]);
		cipher = encrypt_padded(plain, lens[i], &clen);
		assert_int_equal(clen % 16, 0);
		assert_int_equal(vsp_aes128_decrypt(cipher, clen, key, iv,
						    &out, &olen, err,
						    sizeof(err)),
				 0);
		assert_int_equal(olen, lens[i]);
		if (lens[i])
			assert_memory_equal(out, plain, lens[i]);
		assert_string_equal(err, "");
		free(out);
		free(cipher);
		free(plain);
	}
}

static void test_aes_rejects(void **state)
{
	uint8_t block[32] = { 0 }, *cipher, *out = (uint8_t *)"x";
	size_t olen = 5;
	char err[ERRLEN];

	(void)state;
	/* Not whole blocks. */
	err[0] = '\0';
	assert_int_equal(vsp_aes128_decrypt(block, 15, key, iv, &out, &olen,
					    err, sizeof(err)),
			 -1);
	assert_null(out);
	assert_int_equal(olen, 0);
	assert_non_null(strstr(err, "15 bytes"));
	err[0] = '\0';
	assert_int_equal(vsp_aes128_decrypt(block, 0, key, iv, &out, &olen,
					    err, sizeof(err)),
			 -1);
	/* Padding byte 0, 17, and a run that disagrees with its count. */
	for (int k = 0; k < 3; k++) {
		memset(block, 0xaa, sizeof(block));
		if (k == 0)
			block[31] = 0;
		else if (k == 1)
			block[31] = 17;
		else
			memcpy(block + 28, "\x04\x04\x03\x04", 4);
		cipher = encrypt_raw(block, sizeof(block));
		err[0] = '\0';
		assert_int_equal(vsp_aes128_decrypt(cipher, sizeof(block), key,
						    iv, &out, &olen, err,
						    sizeof(err)),
				 -1);
		assert_null(out);
		assert_non_null(strstr(err, "padding"));
		free(cipher);
	}
	/* Sixteen bytes of 16: a block of padding only is valid. */
	memset(block, 16, 16);
	cipher = encrypt_raw(block, 16);
	assert_int_equal(vsp_aes128_decrypt(cipher, 16, key, iv, &out, &olen,
					    err, sizeof(err)),
			 0);
	assert_int_equal(olen, 0);
	free(out);
	free(cipher);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plays),
		cmocka_unit_test(test_h264_details),
		cmocka_unit_test(test_demux_only),
		cmocka_unit_test(test_no_video),
		cmocka_unit_test(test_decoders_freed),
		cmocka_unit_test(test_fmp4_without_init),
		cmocka_unit_test(test_truncated_duration),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_decode_error_message),
		cmocka_unit_test(test_integrity_healthy),
		cmocka_unit_test(test_audio_beside_video),
		cmocka_unit_test(test_integrity_detects),
		cmocka_unit_test(test_integrity_message),
		cmocka_unit_test(test_decode_all_frame),
		cmocka_unit_test(test_not_media),
		cmocka_unit_test(test_deadline_passed),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_aes_round_trip),
		cmocka_unit_test(test_aes_rejects),
	};

	return cmocka_run_group_tests(tests, setup_dir, media_dir_teardown);
}
