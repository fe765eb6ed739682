/*
 * test_interop.c - the player's checks (vsp_validate_media) on what real
 * packagers and encoders declare: each valid convention passes, and what
 * a player would reject, or a real lie, still does not.
 *
 * The decoded side is filled in by hand as vsp_decode() fills it; the
 * integration suite (tests/integration/interop.sh) proves the same rules
 * on media made by the ffmpeg CLI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe_int.h"

struct media {
	const char *codec, *profile;
	int level, width, height;
	int sar_num, sar_den;		  /* bitstream */
	int container_num, container_den; /* container (pasp) */
};

static const struct media h264_854 = { "h264", "High", 30, 854, 480,
				       1280,   1281,   0,  0 };
static const struct media h264_426 = { "h264", "High", 30, 426, 240,
				       640,    639,    0,  0 };
static const struct media h264_anamorphic = { "h264", "Main", 30, 1440, 1080,
					      4,      3,      0,  0 };
static const struct media h264_pasp = { "h264", "Main", 30, 1440, 1080,
					1,	1,	4,  3 };
static const struct media h264_square = { "h264", "High", 31, 1280, 720,
					  1,	  1,	  0,  0 };
static const struct media h264_cbp = {
	"h264", "Constrained Baseline", 21, 426, 240, 0, 0, 0, 0
};
static const struct media h264_main = { "h264", "Main", 31, 1280, 720,
					0,	0,	0,  0 };
static const struct media h264_small = { "h264", "High", 12, 256, 144,
					 1,	 1,	 0,  0 };
static const struct media h264_tall = { "h264", "High", 30, 720, 576,
					16,	15,	0,  0 };
static const struct media mp3 = { "mp3", "", 0, 0, 0, 0, 0, 0, 0 };
static const struct media hevc = { "hevc", "Main", 93, 1280, 720, 1, 1, 0, 0 };

static const struct {
	const char *what; /* the convention, as the README table names it */
	const char *codecs;
	int width, height; /* declared */
	const struct media *m;
	vsp_status want;
	vsp_reason reason;
} cases[] = {
	/* Resolution: coded or display size, within a pixel. */
	{ "Shaka HLS: RESOLUTION is the display size, rounded down",
	  "avc1.64001e", 853, 480, &h264_854, VSP_PASS, VSP_R_NONE },
	{ "display size rounded to the nearest (426 x 640:639 = 426.67)",
	  "avc1.64001e", 427, 240, &h264_426, VSP_PASS, VSP_R_NONE },
	{ "ffmpeg hlsenc / DASH @width: coded size", "avc1.64001e", 854, 480,
	  &h264_854, VSP_PASS, VSP_R_NONE },
	{ "anamorphic 1440x1080 4:3 declared as shown", "avc1.4d401e", 1920,
	  1080, &h264_anamorphic, VSP_PASS, VSP_R_NONE },
	{ "anamorphic 1440x1080 4:3 declared as coded", "avc1.4d401e", 1440,
	  1080, &h264_anamorphic, VSP_PASS, VSP_R_NONE },
	{ "pixel aspect only in the MP4 pasp box", "avc1.4d401e", 1920, 1080,
	  &h264_pasp, VSP_PASS, VSP_R_NONE },
	{ "PAL 16:15: width kept, height scaled", "avc1.64001e", 720, 540,
	  &h264_tall, VSP_PASS, VSP_R_NONE },
	{ "PAL 16:15: width stretched", "avc1.64001e", 768, 576, &h264_tall,
	  VSP_PASS, VSP_R_NONE },
	{ "off by one pixel (odd sizes halved)", "avc1.64001f", 1279, 720,
	  &h264_square, VSP_PASS, VSP_R_NONE },
	{ "a real lie: 1280x720 declared, 256x144 served", "avc1.64000c", 1280,
	  720, &h264_small, VSP_WARN, VSP_R_RESOLUTION_MISMATCH },
	{ "two pixels off is not rounding", "avc1.64001f", 1282, 720,
	  &h264_square, VSP_WARN, VSP_R_RESOLUTION_MISMATCH },
	{ "square pixels are not stretched", "avc1.64001f", 1280, 960,
	  &h264_square, VSP_WARN, VSP_R_RESOLUTION_MISMATCH },
	{ "anamorphic, declared neither coded nor shown", "avc1.4d401e", 1920,
	  1440, &h264_anamorphic, VSP_WARN, VSP_R_RESOLUTION_MISMATCH },

	/* CODECS profile and level. */
	{ "RFC 6381 hex, lower case", "avc1.4d401f,mp4a.40.2", 1280, 720,
	  &h264_main, VSP_PASS, VSP_R_NONE },
	{ "RFC 6381 hex, upper case (Unified Streaming, AWS)",
	  "avc1.4D401F,mp4a.40.2", 1280, 720, &h264_main, VSP_PASS,
	  VSP_R_NONE },
	{ "constraint flags zero (avc1.4d001f)", "avc1.4d001f", 1280, 720,
	  &h264_main, VSP_PASS, VSP_R_NONE },
	{ "legacy decimal avc1.77.31 (old Apple tools, Wowza)",
	  "avc1.77.31, mp4a.40.2", 1280, 720, &h264_main, VSP_PASS,
	  VSP_R_NONE },
	{ "legacy decimal, declared level below the media", "avc1.77.30", 1280,
	  720, &h264_main, VSP_WARN, VSP_R_PROFILE_MISMATCH },
	{ "avc3 (in-band parameter sets)", "avc3.4d401f", 1280, 720, &h264_main,
	  VSP_PASS, VSP_R_NONE },
	{ "one CODECS for the ladder: High declared, Main served",
	  "avc1.640028", 1280, 720, &h264_main, VSP_PASS, VSP_R_NONE },
	{ "Main declared, Constrained Baseline served", "avc1.4d401e", 426, 240,
	  &h264_cbp, VSP_PASS, VSP_R_NONE },
	{ "Baseline with constraint_set1 (avc1.42e01e)", "avc1.42e01e", 426,
	  240, &h264_cbp, VSP_PASS, VSP_R_NONE },
	{ "declared level above the media", "avc1.4d4028", 1280, 720,
	  &h264_main, VSP_PASS, VSP_R_NONE },
	{ "Baseline declared, Main served", "avc1.42e01f", 1280, 720,
	  &h264_main, VSP_WARN, VSP_R_PROFILE_MISMATCH },
	{ "Main declared, High served", "avc1.4d401f", 1280, 720, &h264_square,
	  VSP_WARN, VSP_R_PROFILE_MISMATCH },
	{ "level 3.0 declared, 3.1 served", "avc1.64001e", 1280, 720,
	  &h264_square, VSP_WARN, VSP_R_PROFILE_MISMATCH },
	{ "unreadable profile: no opinion", "avc1.main", 1280, 720, &h264_main,
	  VSP_PASS, VSP_R_NONE },

	/* Codec families. */
	{ "HEVC declared, H.264 served", "hvc1.1.6.L93.B0", 1280, 720,
	  &h264_main, VSP_FAIL, VSP_R_CODEC_MISMATCH },
	{ "hev1 and HEVC", "hev1.1.6.L93.B0", 1280, 720, &hevc, VSP_PASS,
	  VSP_R_NONE },
	{ "MP3 as mp4a.40.34 (ffmpeg)", "mp4a.40.34", 0, 0, &mp3, VSP_PASS,
	  VSP_R_NONE },
	{ "MP3 as mp4a.6B (MPEG-1 audio)", "mp4a.6B", 0, 0, &mp3, VSP_PASS,
	  VSP_R_NONE },
	{ "MP3 as mp4a.69 (MPEG-2 audio)", "mp4a.69", 0, 0, &mp3, VSP_PASS,
	  VSP_R_NONE },
	{ "AAC declared, MP3 served", "mp4a.40.2", 0, 0, &mp3, VSP_FAIL,
	  VSP_R_CODEC_MISMATCH },
};

static void test_conventions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_rendition_result r;
		struct seg_plan p;
		const struct media *m = cases[i].m;
		vsp_decode_info *d = &r.decode;

		memset(&r, 0, sizeof(r));
		memset(&p, 0, sizeof(p));
		r.codecs = strdup(cases[i].codecs);
		assert_non_null(r.codecs);
		r.width = cases[i].width;
		r.height = cases[i].height;
		snprintf(d->codec, sizeof(d->codec), "%s", m->codec);
		snprintf(d->profile, sizeof(d->profile), "%s", m->profile);
		d->level = m->level;
		d->width = m->width;
		d->height = m->height;
		d->has_video = m->width > 0;
		d->has_audio = m->width == 0;
		d->sar_num = m->sar_num;
		d->sar_den = m->sar_den;
		d->container_sar_num = m->container_num;
		d->container_sar_den = m->container_den;
		d->frames = 5;
		vsp_validate_media(&r, &p, "http://127.0.0.1/seg.ts");
		if (r.v.status != cases[i].want ||
		    r.v.reason != cases[i].reason)
			fail_msg("%s: %s %dx%d: status %d reason %s (%s), "
				 "want %d %s",
				 cases[i].what, cases[i].codecs, cases[i].width,
				 cases[i].height, (int)r.v.status,
				 vsp_reason_name(r.v.reason),
				 r.v.message ? r.v.message : "",
				 (int)cases[i].want,
				 vsp_reason_name(cases[i].reason));
		vsp_rendition_result_clear(&r);
	}
}

/* The message of a real lie names both sizes and, with non-square
 * pixels, the size shown, so an operator sees which one is wrong. */
static void test_message(void **state)
{
	vsp_rendition_result r;
	struct seg_plan p;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	r.width = 1280;
	r.height = 720;
	snprintf(r.decode.codec, sizeof(r.decode.codec), "h264");
	r.decode.width = 854;
	r.decode.height = 480;
	r.decode.sar_num = 1280;
	r.decode.sar_den = 1281;
	vsp_validate_media(&r, &p, "http://127.0.0.1/seg.ts");
	assert_int_equal(r.v.reason, VSP_R_RESOLUTION_MISMATCH);
	assert_non_null(r.v.message);
	if (!strstr(r.v.message, "declared 1280x720 but decoded 854x480") ||
	    !strstr(r.v.message, "shown 853x480"))
		fail_msg("message: %s", r.v.message);
	vsp_rendition_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conventions),
		cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
