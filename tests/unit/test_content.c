/*
 * test_content.c - content.c's measures (pure, on synthetic planes and
 * samples) and the content checks on ffmpeg-made segments through
 * vsp_decode(): black (color=black), a still picture, silence (anullsrc),
 * each beside a healthy control (testsrc2, a sine), and a slowly panning
 * picture that must not be called frozen. Media is made at test time in a
 * temporary folder; the media tests are skipped when ffmpeg is missing.
 */
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "media_dir.h"

#include "clock.h"
#include "content.h"
#include "decode.h"
#include "limits.h"
#include "thumb.h"



/* One 4 s segment, one GOP, rate-controlled as a packager's encoder would
 * (a still picture is refined over the GOP, its P-frames are not empty). */
#define X264                                                              \
	"-pix_fmt yuv420p -c:v libx264 -preset veryfast -g 100 -b:v 400k " \
	"-maxrate 400k -bufsize 800k -sc_threshold 0 "
#define STILL                                                         \
	"testsrc2=size=640x360:rate=25,select=eq(n\\,0),loop=loop=-1:size=1," \
	"setpts=N/25/TB"

static const struct {
	const char *file, *video, *audio;
} media[] = {
	{ "moving.ts", "testsrc2=size=640x360:rate=25", "sine=frequency=440" },
	{ "black.ts", "color=black:size=640x360:rate=25", "sine=frequency=440" },
	{ "still.ts", STILL, "sine=frequency=440" },
	/* 6 pixels a second across a 1280x720 test picture: a slow pan. */
	{ "pan.ts",
	  "testsrc2=size=1280x720:rate=25,select=eq(n\\,0),"
	  "loop=loop=-1:size=1,setpts=N/25/TB,crop=640:360:x='t*6':y='t*3'",
	  "sine=frequency=440" },
	{ "silent.ts", "testsrc2=size=640x360:rate=25",
	  "anullsrc=channel_layout=stereo:sample_rate=48000" },
	/* A quiet passage (-44 dBFS): not silence at -60. */
	{ "quiet.ts", "testsrc2=size=640x360:rate=25",
	  "sine=frequency=440,volume=0.05" },
};

static int make_media(void)
{
	if (run_cmd("ffmpeg -nostdin -version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "ffmpeg CLI not found: media tests skipped\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		if (run_cmd("cd '%s' && " FF "-f lavfi -i \"%s\" -f lavfi -i "
			    "\"%s\" -t 4 " X264 "-c:a aac -f mpegts %s",
			    dir, media[i].video, media[i].audio,
			    media[i].file)) {
			fprintf(stderr, "ffmpeg could not make %s\n",
				media[i].file);
			return -1;
		}
	have_media = 1;
	return 0;
}

static int setup_dir(void **state)
{
	(void)state;
	if (media_dir_open("vsp-content") != 0)
		return -1;
	vsp_decode_global_init(0);
	return make_media();
}

/* A plane of w x h 8-bit samples, value v, with a bright square at x0. */
static void plane_fill(uint8_t *p, int w, int h, uint8_t v, int x0, int sq)
{
	memset(p, v, (size_t)w * (size_t)h);
	for (int y = 0; y < sq && y < h; y++)
		for (int x = x0; x < x0 + sq && x < w; x++)
			p[(size_t)y * (size_t)w + (size_t)x] = 235;
}

static void test_measure(void **state)
{
	enum { W = 640, H = 360 };
	static uint8_t a[W * H], b[W * H];
	vsp_picture pa, pb;

	(void)state;
	plane_fill(a, W, H, 16, 0, 0);
	assert_int_equal(vsp_picture_measure(a, W, W, H, 1, 8, 0, 0.10, &pa),
			 0);
	assert_true(pa.dark > 0.999);
	assert_true(pa.luma < 0.01);
	/* The same level in full range is not black. */
	assert_int_equal(vsp_picture_measure(a, W, W, H, 1, 8, 1, 0.10, &pb),
			 0);
	assert_true(pb.dark > 0.999); /* 16/255 = 0.063 */
	plane_fill(a, W, H, 128, 0, 0);
	assert_int_equal(vsp_picture_measure(a, W, W, H, 1, 8, 0, 0.10, &pa),
			 0);
	assert_true(pa.dark < 0.001);
	/* A 40-pixel square moved by 8 pixels changes its cells. */
	plane_fill(a, W, H, 60, 100, 40);
	plane_fill(b, W, H, 60, 108, 40);
	assert_int_equal(vsp_picture_measure(a, W, W, H, 1, 8, 0, 0.10, &pa),
			 0);
	assert_int_equal(vsp_picture_measure(b, W, W, H, 1, 8, 0, 0.10, &pb),
			 0);
	assert_true(vsp_picture_diff(&pa, &pb) > VSP_FROZEN_CELL_DIFF);
	assert_int_equal(vsp_picture_diff(&pa, &pa), 0);
	/* Odd sizes and formats are refused, not guessed at. */
	assert_int_equal(vsp_picture_measure(a, W, 8, 8, 1, 8, 0, 0.1, &pa),
			 -1);
	assert_int_equal(vsp_picture_measure(a, W, W, H, 3, 8, 0, 0.1, &pa),
			 -1);
	assert_int_equal(vsp_picture_measure(a, 10, W, H, 1, 8, 0, 0.1, &pa),
			 -1);
}

/* The share of cells that moved: over the level, not at it; either way;
 * and the same picture at half the resolution moves none. */
static void test_diff_share(void **state)
{
	static uint8_t big[1280 * 720], small[640 * 360];
	vsp_picture a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (int i = 0; i < VSP_CONTENT_CELLS; i++)
		a.cell[i] = (uint8_t)(100 + i % 50);
	b = a;
	assert_true(vsp_picture_diff_share(&a, &b, 12) == 0.0);
	for (int i = 0; i < 144; i++) /* a quarter of 576 */
		b.cell[i] = (uint8_t)(a.cell[i] + (i % 2 ? 13 : -13));
	assert_true(fabs(vsp_picture_diff_share(&a, &b, 12) - 0.25) < 1e-9);
	assert_true(fabs(vsp_picture_diff_share(&b, &a, 12) - 0.25) < 1e-9);
	assert_true(vsp_picture_diff_share(&a, &b, 13) == 0.0);
	for (int i = 0; i < VSP_CONTENT_CELLS; i++)
		b.cell[i] = (uint8_t)(a.cell[i] - 90);
	assert_true(vsp_picture_diff_share(&a, &b, 12) == 1.0);
	/* A square of a fifth of the height, at both sizes. */
	plane_fill(big, 1280, 720, 60, 400, 144);
	plane_fill(small, 640, 360, 60, 200, 72);
	assert_int_equal(
		vsp_picture_measure(big, 1280, 1280, 720, 1, 8, 0, 0.1, &a), 0);
	assert_int_equal(
		vsp_picture_measure(small, 640, 640, 360, 1, 8, 0, 0.1, &b), 0);
	assert_true(vsp_picture_diff_share(&a, &b, 12) == 0.0);
}

static void test_runs(void **state)
{
	vsp_content_opts o;
	vsp_content_seg c;
	vsp_picture same, other;
	vsp_content_result res;
	const vsp_content_seg *segs[1];

	(void)state;
	vsp_content_opts_init(&o);
	memset(&same, 100, sizeof(same));
	same.dark = 0;
	other = same;
	other.cell[7] = 140;
	/* 3 s of one picture at 25 fps, then a change: frozen 3 s. */
	vsp_content_seg_init(&c);
	for (int i = 0; i < 75; i++) {
		vsp_content_picture(&c, &same, 10.0 + i / 25.0, &o);
		if (i < 49)
			assert_true(vsp_content_wants_more(&c, &o));
	}
	assert_false(vsp_content_wants_more(&c, &o));
	vsp_content_picture(&c, &other, 13.0, &o);
	assert_true(fabs(c.still_s - 3.0) < 0.01);
	assert_true(c.changed);
	segs[0] = &c;
	vsp_content_judge(segs, 1, &o, &res);
	assert_true(res.frozen);
	assert_false(res.black);
	/* Five frames of one picture are no evidence. */
	vsp_content_seg_init(&c);
	for (int i = 0; i < 5; i++)
		vsp_content_picture(&c, &same, i / 25.0, &o);
	vsp_content_judge(segs, 1, &o, &res);
	assert_false(res.frozen);
	/* Silence: 3 s at -90 dBFS, then a tone. */
	vsp_content_seg_init(&c);
	for (int i = 0; i < 150; i++)
		vsp_content_audio(&c, 3e-5, i * 0.02, 0.02, &o);
	vsp_content_audio(&c, 0.5, 3.0, 0.02, &o);
	vsp_content_judge(segs, 1, &o, &res);
	assert_true(res.silent);
	assert_true(fabs(res.silent_s - 3.0) < 0.01);
	o.silence_min_s = 4;
	vsp_content_judge(segs, 1, &o, &res);
	assert_false(res.silent);
	o.enabled = 0;
	o.silence_min_s = 2;
	vsp_content_judge(segs, 1, &o, &res);
	assert_false(res.silent);
}

/* Two live segments 6 s apart whose first pictures match. */
static void test_across_segments(void **state)
{
	vsp_content_opts o;
	vsp_content_seg a, b;
	vsp_picture p;
	vsp_content_result res;
	const vsp_content_seg *segs[2] = { &a, &b };

	(void)state;
	vsp_content_opts_init(&o);
	memset(&p, 90, sizeof(p));
	p.dark = 0;
	vsp_content_seg_init(&a);
	vsp_content_seg_init(&b);
	for (int i = 0; i < 5; i++) {
		vsp_content_picture(&a, &p, 100 + i / 25.0, &o);
		vsp_content_picture(&b, &p, 106 + i / 25.0, &o);
	}
	vsp_content_judge(segs, 2, &o, &res);
	assert_true(res.frozen);
	assert_true(res.frozen_s >= 6.0);
	/* Another picture in the later one: no evidence. */
	p.cell[3] = 200;
	vsp_content_seg_init(&b);
	for (int i = 0; i < 5; i++)
		vsp_content_picture(&b, &p, 106 + i / 25.0, &o);
	vsp_content_judge(segs, 2, &o, &res);
	assert_false(res.frozen);
}

static void test_audio_peak(void **state)
{
	int16_t s16[4] = { 0, -16384, 100, 3 };
	float f[3] = { 0.1f, -0.25f, 0.0f };
	float nan3[2] = { 0.0f, NAN };

	(void)state;
	assert_true(fabs(vsp_audio_peak(s16, 0, 4) - 0.5) < 1e-6);
	assert_true(fabs(vsp_audio_peak(f, 2, 3) - 0.25) < 1e-6);
	assert_true(vsp_audio_peak(nan3, 2, 2) == 1.0);
	assert_true(vsp_audio_peak(f, 2, 0) == 0.0);
}

static void test_thumb_path(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(vsp_thumb_path(p, sizeof(p), "/t", "news", "cdn-a",
					2, "audio/en"),
			 0);
	assert_string_equal(p, "/t/news--cdn-a--2-audio_en.jpg");
	assert_int_equal(vsp_thumb_path(p, sizeof(p), "/t", "../x", NULL, 0,
					"640x360"),
			 0);
	assert_string_equal(p, "/t/.._x--_--0-640x360.jpg");
	assert_int_equal(vsp_thumb_path(p, 16, "/t", "news", "cdn-a", 0, "a"),
			 -1);
}

static vsp_content_result decode_one(const char *name, int all,
				     const char *thumb, vsp_decode_info *info)
{
	char path[4200];
	FILE *f;
	long n;
	uint8_t *buf;
	vsp_content_opts co;
	vsp_decode_opts o = { .max_frames = 5 };
	vsp_content_result res;
	const vsp_content_seg *segs[1];
	char err[512];

	vsp_content_opts_init(&co);
	o.content = &co;
	o.decode_all = all;
	o.thumb_path = thumb;
	o.deadline_us = vsp_now_us() + 60 * 1000000LL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(vsp_decode(NULL, 0, buf, (size_t)n, &o, info, err,
				    sizeof(err)),
			 VSP_R_NONE);
	free(buf);
	segs[0] = &info->content;
	vsp_content_judge(segs, 1, &co, &res);
	return res;
}

/* Every medium by default (5 frames) and decoded whole: the verdicts do not
 * depend on how much was decoded. */
static void test_media(void **state)
{
	static const struct {
		const char *file;
		int black, frozen, silent;
	} want[] = {
		{ "moving.ts", 0, 0, 0 }, { "black.ts", 1, 0, 0 },
		{ "still.ts", 0, 1, 0 },  { "pan.ts", 0, 0, 0 },
		{ "silent.ts", 0, 0, 1 }, { "quiet.ts", 0, 0, 0 },
	};
	vsp_decode_info info;

	(void)state;
	if (!have_media)
		skip();
	for (int all = 0; all < 2; all++)
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			vsp_content_result r =
				decode_one(want[i].file, all, NULL, &info);

			fprintf(stderr,
				"%s (%s): %d pictures, black %.2f s, frozen "
				"%.2f s, silent %.2f s, peak %.1f dBFS\n",
				want[i].file, all ? "all" : "frames",
				r.pictures, r.black_s, r.frozen_s, r.silent_s,
				r.peak_db);
			assert_int_equal(r.black, want[i].black);
			assert_int_equal(r.frozen, want[i].frozen);
			assert_int_equal(r.silent, want[i].silent);
			/* A moving picture costs no frame beyond the five. */
			if (!all && !want[i].black && !want[i].frozen &&
			    strcmp(want[i].file, "pan.ts") != 0)
				assert_int_equal(info.frames, 5);
		}
}

static void test_thumbnail(void **state)
{
	char path[4200];
	vsp_decode_info info;
	struct stat st;
	unsigned char head[3];
	FILE *f;

	(void)state;
	if (!have_media)
		skip();
	snprintf(path, sizeof(path), "%s/thumb.jpg", dir);
	decode_one("moving.ts", 0, path, &info);
	assert_int_equal(info.thumb, 1);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 500);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 3, f), 3);
	fclose(f);
	assert_int_equal(head[0], 0xff); /* JPEG SOI */
	assert_int_equal(head[1], 0xd8);
	/* A folder that is not there: a message, no file. */
	snprintf(path, sizeof(path), "%s/nope/thumb.jpg", dir);
	decode_one("moving.ts", 0, path, &info);
	assert_int_equal(info.thumb, -1);
	assert_non_null(strstr(info.thumb_err, "nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_diff_share),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_across_segments),
		cmocka_unit_test(test_audio_peak),
		cmocka_unit_test(test_thumb_path),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_thumbnail),
	};

	return cmocka_run_group_tests(tests, setup_dir, media_dir_teardown);
}
