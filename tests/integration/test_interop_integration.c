/*
 * test_interop_integration.c - `prober check --json` against manifests
 * written the way real packagers write them, over media made by the ffmpeg
 * CLI (tests/integration/interop.sh). Every convention passes; the lies
 * do not.
 *
 * Started with PROBER (the binary) and ORIGIN (http://127.0.0.1:PORT). Each
 * case runs the program as a subprocess with an argv (child.h, never a
 * shell string) and checks the record and the exit status. Never reaches
 * any address but ORIGIN.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* prober runs with --timeout 20; past this it hangs. */
#define RUN_LIMIT_MS 60000.0

static const char *prober, *origin;

static const struct {
	const char *path;
	const char *convention;
	size_t renditions; /* probed */
	int exit_status;
	const char *reason; /* a rendition's, NULL: every one passes */
} cases[] = {
	{ "sar/shaka-ts.m3u8", "Shaka HLS TS: display RESOLUTION 853x480", 2, 0,
	  NULL },
	{ "sar/shaka-fmp4.m3u8", "Shaka HLS fMP4/CMAF: display RESOLUTION", 2,
	  0, NULL },
	{ "sar/nearest.m3u8", "display size, muxed TS", 1, 0, NULL },
	{ "sar/coded.m3u8", "ffmpeg: coded RESOLUTION 854x480", 1, 0, NULL },
	{ "sar/decimal.m3u8", "legacy decimal CODECS avc1.66.L", 1, 0, NULL },
	{ "sar/ladder-codecs.m3u8", "High 4.0 declared, Baseline served", 1, 0,
	  NULL },
	{ "sar/low-bandwidth.m3u8", "BANDWIDTH below the served rate", 1, 0,
	  NULL },
	{ "sar/manifest.mpd", "ffmpeg/Shaka DASH: width=854 sar=1280:1281", 2,
	  0, NULL },
	{ "sar/display.mpd", "DASH: width=853 sar=1:1", 2, 0, NULL },
	{ "sar/hoisted.mpd", "DASH: codecs/size/sar on the AdaptationSet", 2, 0,
	  NULL },
	{ "ana/shown-ts.m3u8", "anamorphic TS: RESOLUTION as shown", 1, 0,
	  NULL },
	{ "ana/shown-fmp4.m3u8", "anamorphic fMP4 (pasp): as shown", 2, 0,
	  NULL },
	{ "ana/coded.m3u8", "anamorphic: RESOLUTION as coded", 1, 0, NULL },
	{ "ana/manifest.mpd", "anamorphic DASH: width=192 sar=4:3", 2, 0,
	  NULL },
	{ "ntsc/shaka.m3u8", "FRAME-RATE=29.970, EXTINF 2.002 under 2", 1, 0,
	  NULL },
	{ "ntsc/rounded.m3u8", "FRAME-RATE=30 for 29.97", 1, 0, NULL },
	{ "ntsc/manifest.mpd", "DASH frameRate=30000/1001", 2, 0, NULL },
	{ "ntsc/fraction.mpd", "DASH frameRate=2997/100", 2, 0, NULL },
	{ "ntsc/decimal.mpd", "DASH frameRate=29.97", 2, 0, NULL },
	{ "early/muxed.m3u8", "audio 60 ms before video, muxed TS", 1, 0,
	  NULL },
	{ "early/split.m3u8", "audio 60 ms before video, fMP4 apart", 2, 0,
	  NULL },
	{ "early/manifest.mpd", "audio 60 ms before video, DASH", 2, 0, NULL },
	/* Lies. */
	{ "sar/lie-size.m3u8", "1280x720 declared, 854x480 served", 1, 1,
	  "resolution_mismatch" },
	{ "sar/lie-size.mpd", "DASH 1280x720 declared, 854x480 served", 2, 1,
	  "resolution_mismatch" },
	{ "ana/lie.m3u8", "256x192: neither coded nor shown", 1, 1,
	  "resolution_mismatch" },
	{ "sar/lie-codec.m3u8", "HEVC declared, H.264 served", 1, 2,
	  "codec_mismatch" },
};


/* Runs case i; 0 when prober said what it should, else -1 with the record
 * on stderr. */
static int one(size_t i)
{
	char url[1024];
	char *argv[8];
	child r;
	json_t *rends;
	int rc, n = 0, seen = 0;

	snprintf(url, sizeof(url), "%s/%s", origin, cases[i].path);
	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = "20";
	argv[n++] = url;
	argv[n] = NULL;
	rc = child_run(&r, argv[0], argv, RUN_LIMIT_MS);
	if (rc != 0) {
		fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	child_json(&r);
	rends = json_object_get(
		json_array_get(json_object_get(r.doc, "origins"), 0),
		"renditions");
	if (r.exit_status != cases[i].exit_status ||
	    json_array_size(rends) != cases[i].renditions)
		goto bad;
	for (size_t k = 0; k < json_array_size(rends); k++) {
		json_t *x = json_array_get(rends, k);
		json_t *d = json_object_get(x, "decode");

		if (json_integer_value(json_object_get(d, "frames")) <= 0)
			goto bad;
		if (cases[i].reason) {
			seen += strcmp(child_str(x, "reason"), cases[i].reason) == 0;
		} else if (strcmp(child_str(x, "status"), "pass") != 0) {
			goto bad;
		}
	}
	if (cases[i].reason && seen == 0)
		goto bad;
	child_free(&r);
	return 0;
bad:
	child_dump(&r, "prober", SIZE_MAX, SIZE_MAX);
	child_free(&r);
	fprintf(stderr,
		"interop: FAILED %s (%s): want exit %d, %zu "
		"renditions, %s\n",
		cases[i].path, cases[i].convention, cases[i].exit_status,
		cases[i].renditions,
		cases[i].reason ? cases[i].reason : "all pass");
	return -1;
}

static void test_conventions(void **state)
{
	size_t bad = 0;

	(void)state;
	/* Every case runs, so one report names every convention broken. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (one(i) != 0)
			bad++;
	if (bad)
		fail_msg("%zu of %zu conventions failed", bad,
			 sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conventions),
	};

	prober = getenv("PROBER");
	origin = getenv("ORIGIN");
	if (!prober || !origin) {
		fprintf(stderr, "test_interop_integration: set PROBER and "
				"ORIGIN (run tests/integration/interop.sh)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
