/*
 * test_scenarios.c - prober against a hostile origin: every misbehaviour of
 * tests/server/fault_origin.c, and hostile playlists, one table row each.
 *
 * Started by tests/integration/scenarios.sh with PROBER (the binary), ORIGIN
 * and ORIGIN2 (two fault origins, http://127.0.0.1:PORT, serving the same
 * folder) and MEDIA (that folder, holding hls/master.m3u8, hls/v0/ and
 * hls/v1/, and dash/manifest.mpd with its fMP4 init-N.m4s and
 * seg-N-NNN.m4s). The hostile playlists and MPDs are written under MEDIA/h/
 * at start.
 *
 * Each row runs `prober check --json --timeout T URL` as a child (child.h:
 * an argv, never a shell) and asserts what a user's script relies on: the
 * origin's status, stage and reason, the exit status, a record that parses,
 * that the check ended within T plus a margin, and that the child's peak RSS
 * (wait4()'s rusage) stayed bounded. A TCP "canary" listener on 127.0.0.1
 * stands for every URL prober must refuse (gopher://, ftp://, a playlist
 * inside a segment): any connection to it fails the row that made it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* A check may end this late after its --timeout: process start, FFmpeg
 * teardown and a loaded 2-core machine. */
#define MARGIN_S 1.5
/* Issue 14: a check ends within its --timeout plus this whatever the
 * origin sends (rows with F_TIGHT; process start and exit included). */
#define TIGHT_MARGIN_S 0.5
/* Past its timeout plus this, the child is killed: it hangs. */
#define KILL_AFTER_S 20.0
/* Peak RSS of one check: far above a healthy run (~30 MB), far below what
 * buffering a 100 MB manifest or a 1 GB gzip bomb would take. */
#define RSS_LIMIT_KB (200L * 1024)
/* Under AddressSanitizer every allocation carries redzones and freed
 * memory sits in quarantine: `make check-asan` sets RSS_SCALE so the bound
 * still catches unbounded buffering without failing on ASan's own cost. */
static long rss_limit_kb = RSS_LIMIT_KB;
#define FAIL_T 3.0  /* --timeout of rows that fail or hang */
#define PASS_T 10.0 /* --timeout of rows that must pass: no flakiness */
#define MANY_SEGMENTS 200000
#define LONG_LINE (1024 * 1024)
#define MANY_ATTRS 5000
#define LONG_VALUE (40 * 1024)
#define LONG_URI (60 * 1024)

/* What a row asks of the record. */
enum {
	F_TTFB_1S = 1 << 0,   /* the manifest's first byte came >= 1 s late */
	F_LIVE = 1 << 1,      /* the origin is reported live */
	F_FROM_B = 1 << 2,    /* segments were fetched from ORIGIN2 */
	F_TIGHT = 1 << 3,     /* ends within --timeout + TIGHT_MARGIN_S */
};

struct scase {
	const char *name;
	/* "{A}" / "{B}": the two origins; "{Benc}": ORIGIN2 percent-encoded
	 * (for /redirect/); "{Fenc}": file:// URL of a real segment,
	 * percent-encoded. */
	const char *url;
	double timeout;
	/* The origin's verdict. "a|b": either; NULL stage/reason: null. */
	const char *status, *stage, *reason;
	unsigned flags;
	const char *opt1, *opt2; /* an option and its value, or NULL */
};

static const struct scase cases[] = {
	/* the reference: everything else is this stream, broken */
	{ "healthy", "{A}/hls/master.m3u8", PASS_T, "pass", NULL, NULL, 0 },

	/* status codes */
	{ "master_503", "{A}/status/503/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "http_status", 0 },
	{ "master_404", "{A}/status/404/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "http_status", 0 },
	{ "playlists_404", "{A}/status@media/404/hls/master.m3u8", FAIL_T,
	  "fail", "playlist", "http_status", 0 },
	{ "playlists_500", "{A}/status@media/500/hls/master.m3u8", FAIL_T,
	  "fail", "playlist", "http_status", 0 },
	{ "segments_404", "{A}/seg404/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "http_status", 0 },
	{ "segments_403", "{A}/status@seg/403/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "http_status", 0 },

	/* time: every one of these must end within its --timeout */
	{ "master_delay_1s_passes", "{A}/delay@master/1000/hls/master.m3u8",
	  PASS_T, "pass", NULL, NULL, F_TTFB_1S },
	{ "master_delay_over_deadline", "{A}/delay/5000/hls/master.m3u8",
	  FAIL_T, "fail", "manifest", "timeout", 0 },
	{ "playlist_delay_over_deadline",
	  "{A}/delay@media/5000/hls/master.m3u8", FAIL_T, "fail", "playlist",
	  "timeout", 0 },
	{ "segment_delay_over_deadline", "{A}/delay@seg/5000/hls/master.m3u8",
	  FAIL_T, "fail", "segment", "timeout", 0 },
	/* Issue 18 round 4: a check runs an origin's renditions one after
	 * another only for 1/10 of its deadline. Here both segments and the
	 * sample take 7.8 s on the pool, 11.2 s in series: slow, not gone. */
	{ "slow_origin_not_in_series", "{A}/trickle@seg/25000/hls/master.m3u8",
	  PASS_T, "warn", "segment", "slow_download", 0 },
	{ "segment_trickle", "{A}/trickle@seg/2000/hls/master.m3u8", FAIL_T,
	  "fail", "segment", "timeout", 0 },
	{ "master_trickle", "{A}/trickle@master/20/hls/master.m3u8", FAIL_T,
	  "fail", "manifest", "timeout", 0 },
	{ "master_hang", "{A}/hang/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "timeout", 0 },
	{ "playlist_hang", "{A}/hang@media/hls/master.m3u8", FAIL_T, "fail",
	  "playlist", "timeout", 0 },
	{ "segment_hang", "{A}/hang@seg/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "timeout", 0 },

	/* broken transfers */
	{ "segment_cut", "{A}/cut@seg/1000/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "network", 0 },
	{ "playlist_cut", "{A}/cut@media/50/hls/master.m3u8", FAIL_T, "fail",
	  "playlist", "network", 0 },
	{ "segment_badlen", "{A}/badlen@seg/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "network", 0 },
	{ "master_badlen", "{A}/badlen/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "network", 0 },

	/* redirects */
	{ "redirect_loop", "{A}/loop/0", FAIL_T, "fail", "manifest",
	  "redirect", 0 },
	{ "redirect_other_origin", "{A}/redirect/{Benc}%2Fhls%2Fmaster.m3u8",
	  PASS_T, "pass", NULL, NULL, F_FROM_B },
	{ "redirect_to_file", "{A}/redirect/{Fenc}", FAIL_T, "fail",
	  "manifest", "protocol", 0 },
	{ "redirect_to_etc_passwd", "{A}/redirect/file%3A%2F%2F%2Fetc%2Fpasswd",
	  FAIL_T, "fail", "manifest", "protocol", 0 },
	{ "redirect_to_gopher", "{A}/redirect/{Genc}", FAIL_T, "fail",
	  "manifest", "protocol", 0 },
	{ "segment_redirect_to_file", "{A}/h/media-redirect-file-seg.m3u8",
	  FAIL_T, "fail", "segment", "protocol", 0 },

	/* wrong bytes with a 200 */
	{ "master_html200", "{A}/html200/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "manifest_syntax", 0 },
	{ "playlist_html200", "{A}/html200@media/hls/master.m3u8", FAIL_T,
	  "fail", "playlist", "manifest_syntax", 0 },
	{ "segment_html200", "{A}/html200@seg/hls/master.m3u8", FAIL_T, "fail",
	  "decode", "not_media", 0 },
	{ "master_zero", "{A}/zero/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "manifest_syntax", 0 },
	{ "playlist_zero", "{A}/zero@media/hls/master.m3u8", FAIL_T, "fail",
	  "playlist", "manifest_syntax", 0 },
	{ "segment_zero", "{A}/zero@seg/hls/master.m3u8", FAIL_T, "fail",
	  "segment", "not_media", 0 },
	{ "segment_corrupt", "{A}/corrupt@seg/hls/master.m3u8", FAIL_T, "fail",
	  "decode", "not_media", 0 },
	{ "master_corrupt", "{A}/corrupt/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "manifest_syntax", 0 },
	{ "segment_truncated", "{A}/truncate@seg/7520/hls/master.m3u8", FAIL_T,
	  "fail", "decode", "duration_mismatch", 0 },
	{ "playlist_truncated", "{A}/truncate@media/60/hls/master.m3u8", FAIL_T,
	  "fail", "playlist", "segment_missing|manifest_syntax", 0 },

	/* size: rejected at the cap, memory bounded (every row checks RSS) */
	{ "master_gzip_bomb", "{A}/gzipbomb/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "too_large", 0 },
	{ "playlist_gzip_bomb", "{A}/gzipbomb@media/hls/master.m3u8", FAIL_T,
	  "fail", "playlist", "too_large", 0 },
	{ "master_100mb", "{A}/big/104857600/hls/master.m3u8", FAIL_T, "fail",
	  "manifest", "too_large", 0 },
	{ "master_100mb_chunked", "{A}/bigchunk/104857600/hls/master.m3u8",
	  FAIL_T, "fail", "manifest", "too_large", 0 },
	{ "playlist_100mb_chunked", "{A}/bigchunk@media/104857600/hls/master.m3u8",
	  FAIL_T, "fail", "playlist", "too_large", 0 },
	{ "playlist_200k_segments", "{A}/h/many-segments.m3u8", PASS_T, "pass",
	  NULL, NULL, 0 },

	/* live */
	{ "live_advancing", "{A}/live/hls/master.m3u8", PASS_T, "pass", NULL,
	  NULL, F_LIVE },
	{ "live_stale", "{A}/stale/hls/master.m3u8", PASS_T, "fail", "live",
	  "stale_playlist", F_LIVE },

	/* URLs prober must refuse and never fetch */
	{ "variant_file_uri", "{A}/h/master-file-variant.m3u8", FAIL_T, "fail",
	  "playlist", "protocol", 0 },
	{ "variant_gopher_uri", "{A}/h/master-gopher-variant.m3u8", FAIL_T,
	  "fail", "playlist", "protocol", 0 },
	{ "variant_ftp_uri", "{A}/h/master-ftp-variant.m3u8", FAIL_T, "fail",
	  "playlist", "protocol", 0 },
	{ "segment_file_uri", "{A}/h/media-file-seg.m3u8", FAIL_T, "fail",
	  "segment", "protocol", 0 },
	{ "segment_etc_passwd", "{A}/h/media-passwd-seg.m3u8", FAIL_T, "fail",
	  "segment", "protocol", 0 },
	{ "segment_gopher_uri", "{A}/h/media-gopher-seg.m3u8", FAIL_T, "fail",
	  "segment", "protocol", 0 },
	{ "segment_ftp_uri", "{A}/h/media-ftp-seg.m3u8", FAIL_T, "fail",
	  "segment", "protocol", 0 },
	{ "key_file_uri", "{A}/h/media-file-key.m3u8", FAIL_T, "fail", "key",
	  "protocol", 0 },
	{ "map_file_uri", "{A}/h/media-file-map.m3u8", FAIL_T, "fail", "init",
	  "protocol", 0 },

	/* segments whose bytes would make a permissive FFmpeg open things */
	{ "segment_is_hls_playlist", "{A}/h/media-evil-hls.m3u8", FAIL_T,
	  "fail", "decode", "not_media", 0 },
	{ "segment_is_ffconcat", "{A}/h/media-evil-concat.m3u8", FAIL_T,
	  "fail", "decode", "not_media", 0 },
	{ "segment_is_mpd", "{A}/h/media-evil-mpd.m3u8", FAIL_T, "fail",
	  "decode", "not_media", 0 },

	/* parser stress */
	{ "line_over_limit", "{A}/h/long-line.m3u8", FAIL_T, "fail", "manifest",
	  "too_large", 0 },
	{ "attributes_over_limit", "{A}/h/many-attrs.m3u8", FAIL_T, "fail",
	  "manifest", "too_large", 0 },
	{ "long_attribute_value", "{A}/h/long-name.m3u8", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "long_segment_uri", "{A}/h/long-uri.m3u8", FAIL_T, "fail", "segment",
	  "http_status", 0 },
	{ "invalid_utf8_name", "{A}/h/utf8-name.m3u8", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "invalid_utf8_title", "{A}/h/utf8-title.m3u8", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "invalid_utf8_variant_uri", "{A}/h/utf8-uri.m3u8", FAIL_T, "fail",
	  "playlist", "http_status", 0 },
	{ "invalid_utf8_segment_uri", "{A}/h/utf8-seg-uri.m3u8", FAIL_T, "fail",
	  "segment", "http_status", 0 },

	/* DASH: the same origin faults on an MPD, fMP4 init and segments */
	{ "dash_healthy", "{A}/dash/manifest.mpd", PASS_T, "pass", NULL, NULL,
	  0 },
	{ "dash_mpd_503", "{A}/status/503/dash/manifest.mpd", FAIL_T, "fail",
	  "manifest", "http_status", 0 },
	{ "dash_mpd_delay_1s_passes", "{A}/delay@master/1000/dash/manifest.mpd",
	  PASS_T, "pass", NULL, NULL, F_TTFB_1S },
	{ "dash_mpd_hang", "{A}/hang/dash/manifest.mpd", FAIL_T, "fail",
	  "manifest", "timeout", 0 },
	{ "dash_mpd_html200", "{A}/html200/dash/manifest.mpd", FAIL_T, "fail",
	  "manifest", "manifest_syntax", 0 },
	{ "dash_mpd_truncated", "{A}/truncate@master/300/dash/manifest.mpd",
	  FAIL_T, "fail", "manifest", "manifest_syntax", 0 },
	{ "dash_mpd_gzip_bomb", "{A}/gzipbomb/dash/manifest.mpd", FAIL_T, "fail",
	  "manifest", "too_large", 0 },
	{ "dash_mpd_100mb", "{A}/big/104857600/dash/manifest.mpd", FAIL_T,
	  "fail", "manifest", "too_large", 0 },
	{ "dash_mpd_100mb_chunked", "{A}/bigchunk/104857600/dash/manifest.mpd",
	  FAIL_T, "fail", "manifest", "too_large", 0 },
	{ "dash_segments_404", "{A}/seg404/dash/manifest.mpd", FAIL_T, "fail",
	  "segment", "http_status", 0 },
	{ "dash_init_404", "{A}/status@init/404/dash/manifest.mpd", FAIL_T,
	  "fail", "init", "http_status", 0 },
	{ "dash_segment_hang", "{A}/hang@seg/dash/manifest.mpd", FAIL_T, "fail",
	  "segment", "timeout", 0 },
	{ "dash_init_hang", "{A}/hang@init/dash/manifest.mpd", FAIL_T, "fail",
	  "init", "timeout", 0 },
	{ "dash_segment_trickle", "{A}/trickle@seg/2000/dash/manifest.mpd",
	  FAIL_T, "fail", "segment", "timeout", 0 },
	{ "dash_segment_cut", "{A}/cut@seg/1000/dash/manifest.mpd", FAIL_T,
	  "fail", "segment", "network", 0 },
	{ "dash_init_badlen", "{A}/badlen@init/dash/manifest.mpd", FAIL_T,
	  "fail", "init", "network", 0 },
	{ "dash_segment_zero", "{A}/zero@seg/dash/manifest.mpd", FAIL_T, "fail",
	  "segment", "not_media", 0 },
	/* fMP4: the init makes the bytes an MP4, so garbage after it is a
	 * movie with no samples rather than no container at all. */
	{ "dash_segment_corrupt", "{A}/corrupt@seg/dash/manifest.mpd", FAIL_T,
	  "fail", "decode", "decode_error|not_media", 0 },
	{ "dash_segment_html200", "{A}/html200@seg/dash/manifest.mpd", FAIL_T,
	  "fail", "decode", "decode_error|not_media", 0 },
	{ "dash_init_corrupt", "{A}/corrupt@init/dash/manifest.mpd", FAIL_T,
	  "fail", "decode", "not_media|decode_error", 0 },
	{ "dash_redirect_other_origin",
	  "{A}/redirect/{Benc}%2Fdash%2Fmanifest.mpd", PASS_T, "pass", NULL,
	  NULL, F_FROM_B },
	{ "dash_xxe_file", "{A}/h/xxe-file.mpd", FAIL_T, "fail", "manifest",
	  "manifest_syntax", 0 },
	{ "dash_xxe_http", "{A}/h/xxe-http.mpd", FAIL_T, "fail", "manifest",
	  "manifest_syntax", 0 },
	{ "dash_external_dtd", "{A}/h/external-dtd.mpd", FAIL_T, "fail",
	  "manifest", "manifest_syntax", 0 },
	{ "dash_billion_laughs", "{A}/h/billion-laughs.mpd", FAIL_T, "fail",
	  "manifest", "manifest_syntax|too_large", 0 },
	{ "dash_baseurl_file", "{A}/h/baseurl-file.mpd", FAIL_T, "fail", "init",
	  "protocol", 0 },
	{ "dash_baseurl_gopher", "{A}/h/baseurl-gopher.mpd", FAIL_T, "fail",
	  "init", "protocol", 0 },
	{ "dash_media_file", "{A}/h/media-file.mpd", FAIL_T, "fail", "segment",
	  "protocol", 0 },
	{ "dash_template_format", "{A}/h/template-format.mpd", FAIL_T, "fail",
	  "manifest|segment", "segment_missing|manifest_syntax", 0 },

	/* segment truth: muxed video+audio, 2 s segments (hlsa: TS, hlsf:
	 * fMP4, dasha: DASH), healthy, damaged, cut to half, stripped */
	{ "muxed_ts_healthy", "{A}/hlsa/master.m3u8", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "muxed_ts_healthy_decode_all", "{A}/hlsa/master.m3u8", PASS_T,
	  "pass", NULL, NULL, 0, "--decode", "all" },
	{ "muxed_fmp4_healthy", "{A}/hlsf/master.m3u8", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "muxed_fmp4_healthy_decode_all", "{A}/hlsf/master.m3u8", PASS_T,
	  "pass", NULL, NULL, 0, "--decode", "all" },
	{ "dash_av_healthy", "{A}/dasha/manifest.mpd", PASS_T, "pass", NULL,
	  NULL, 0 },
	{ "dash_av_healthy_decode_all", "{A}/dasha/manifest.mpd", PASS_T,
	  "pass", NULL, NULL, 0, "--decode", "all" },
	{ "healthy_decode_all", "{A}/hls/master.m3u8", PASS_T, "pass", NULL,
	  NULL, 0, "--decode", "all" },
	{ "dash_healthy_decode_all", "{A}/dash/manifest.mpd", PASS_T, "pass",
	  NULL, NULL, 0, "--decode", "all" },
	{ "ts_damaged_middle", "{A}/damage@seg/4096/hlsa/master.m3u8", FAIL_T,
	  "fail", "decode", "corrupt_segment", 0 },
	{ "ts_damaged_middle_decode_all",
	  "{A}/damage@seg/4096/hlsa/master.m3u8", FAIL_T, "fail", "decode",
	  "corrupt_segment|decode_error", 0, "--decode", "all" },
	{ "fmp4_damaged_middle", "{A}/damage@seg/4096/hlsf/master.m3u8",
	  FAIL_T, "fail", "decode", "corrupt_segment", 0 },
	{ "fmp4_damaged_middle_decode_all",
	  "{A}/damage@seg/4096/hlsf/master.m3u8", FAIL_T, "fail", "decode",
	  "corrupt_segment|decode_error", 0, "--decode", "all" },
	{ "dash_damaged_middle", "{A}/damage@seg/4096/dasha/manifest.mpd",
	  FAIL_T, "fail", "decode", "corrupt_segment", 0 },
	{ "dash_damaged_middle_decode_all",
	  "{A}/damage@seg/4096/dasha/manifest.mpd", FAIL_T, "fail", "decode",
	  "corrupt_segment|decode_error", 0, "--decode", "all" },
	{ "ts_half", "{A}/half@seg/hlsa/master.m3u8", FAIL_T, "fail",
	  "decode", "duration_mismatch", 0 },
	{ "fmp4_half", "{A}/half@seg/hlsf/master.m3u8", FAIL_T, "fail",
	  "decode", "duration_mismatch", 0 },
	{ "dash_half", "{A}/half@seg/dasha/manifest.mpd", FAIL_T, "fail",
	  "decode", "duration_mismatch", 0 },
	/* tokens (-H) stay with their origin: "needtoken" answers 403 without
	 * X-Token, "notoken" 403 with it (issue 14) */
	{ "token_sent_to_origin", "{A}/needtoken/hls/master.m3u8", PASS_T, "pass",
	  NULL, NULL, 0, "-H", "X-Token: s3cret" },
	{ "token_not_sent_after_redirect",
	  "{A}/needtoken/redirect/{Benc}%2Fnotoken%2Fhls%2Fmaster.m3u8", PASS_T,
	  "pass", NULL, NULL, F_FROM_B, "-H", "X-Token: s3cret" },
	{ "token_not_sent_to_playlist_host", "{A}/needtoken@master/h/master-b.m3u8",
	  PASS_T, "pass", NULL, NULL, 0, "-H", "X-Token: s3cret" },
	{ "muxed_audio_stripped", "{A}/h/master-noaudio.m3u8", FAIL_T, "fail",
	  "validation", "track_missing", 0 },
	{ "muxed_audio_in_group", "{A}/h/master-audio-group.m3u8", PASS_T,
	  "pass", NULL, NULL, 0 },
	{ "dash_muxed_audio_stripped", "{A}/h/muxed-noaudio.mpd", FAIL_T,
	  "fail", "validation", "track_missing", 0 },

	/* Hostile manifests bounded in time and memory (issue 14): 256
	 * variants of 10 MB live playlists with --timeout 1 ran 4 s and
	 * 520 MB; a 14 MB MPD took 575 MB; 16 variants of 62 MB init and
	 * segment, 1 GB. The budget is what the default would be on a small
	 * machine; RSS_LIMIT_KB holds the whole process to it. */
	{ "hostile_256_live_playlists_10mb",
	  "{A}/bigmaster@master/256/biglive@media/10000000/h/master.m3u8", 1.0,
	  "fail", "playlist", "timeout|too_large", F_TIGHT, "--max-memory",
	  "100" },
	{ "hostile_mpd_14mb", "{A}/bigmpd/14000000/h/x.mpd", 2.0, "fail",
	  "manifest", "too_large|timeout", F_TIGHT, "--max-memory", "100" },
	{ "hostile_16_variants_62mb_init_segment",
	  "{A}/big@init/65000000/big@seg/65000000/h/master-16-fmp4.m3u8",
	  FAIL_T, "fail", "init|segment|decode", "too_large|timeout|not_media",
	  F_TIGHT, "--max-memory", "100" },
	/* The default budget (256 MB) with what a real origin sends passes:
	 * a budget is not a false alarm. */
	{ "budget_default_healthy", "{A}/hlsa/master.m3u8", PASS_T, "pass",
	  NULL, NULL, 0, "--max-memory", "256" },
	{ "budget_small_healthy", "{A}/h/master-16-fmp4.m3u8", PASS_T, "pass",
	  NULL, NULL, 0, "--max-memory", "1" },
};

static const char *prober, *origin_a, *origin_b, *media;
static char *b_enc, *f_enc, *g_enc; /* percent-encoded redirect targets */
static char canary[64];              /* "127.0.0.1:PORT" */
static int canary_fd = -1;

/* A prober run: its peak RSS is wait4()'s, its doc stdout parsed. */
typedef child run;

/* ---- small helpers ---- */

/* RFC 3986 percent-encoding of everything but unreserved characters. */
static char *pct_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		abort();
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Replaces the {X} placeholders of a row's URL. */
static char *expand(const char *tmpl)
{
	const struct {
		const char *key, *val;
	} vars[] = {
		{ "{A}", origin_a }, { "{B}", origin_b }, { "{Benc}", b_enc },
		{ "{Fenc}", f_enc }, { "{Genc}", g_enc },
	};
	size_t cap = strlen(tmpl) + 1;
	char *out, *o;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		cap += strlen(vars[i].val);
	cap *= 2;
	out = malloc(cap);
	if (!out)
		abort();
	o = out;
	while (*tmpl) {
		size_t i;

		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			size_t k = strlen(vars[i].key);

			if (strncmp(tmpl, vars[i].key, k) == 0) {
				size_t v = strlen(vars[i].val);

				memcpy(o, vars[i].val, v);
				o += v;
				tmpl += k;
				break;
			}
		}
		if (i == sizeof(vars) / sizeof(vars[0]))
			*o++ = *tmpl++;
	}
	*o = '\0';
	return out;
}

/* "a|b|c" contains s; NULL matches only a JSON null (s NULL). */
static int one_of(const char *alts, const char *s)
{
	size_t n;

	if (!alts || !s)
		return !alts && !s;
	n = strlen(s);
	for (const char *p = alts; *p;) {
		size_t k = strcspn(p, "|");

		if (k == n && strncmp(p, s, n) == 0)
			return 1;
		p += k;
		if (*p == '|')
			p++;
	}
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- hostile files ---- */

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", media, rel);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "test_scenarios: cannot write %s: %s\n", path,
			strerror(errno));
		exit(2);
	}
}

static void write_text(const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void write_text(const char *rel, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	write_file(rel, s, (size_t)n);
	free(s);
}

/* A one-segment VOD media playlist around uri. */
static void media_one(const char *rel, const char *tags, const char *uri)
{
	write_text(rel,
		   "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n"
		   "#EXT-X-PLAYLIST-TYPE:VOD\n%s#EXTINF:1.000,\n%s\n"
		   "#EXT-X-ENDLIST\n",
		   tags, uri);
}

static void master_one(const char *rel, const char *uri)
{
	write_text(rel,
		   "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=440000,"
		   "CODECS=\"avc1.42c014\"\n%s\n",
		   uri);
}

static char *big_text(size_t cap)
{
	char *s = malloc(cap);

	if (!s)
		abort();
	return s;
}

/* A one-representation MPD over the generated DASH stream (dash/), with
 * what a hostile origin varies: a prolog, the BaseURL, the media template. */
static void write_mpd(const char *rel, const char *prolog, const char *base,
		      const char *media_tmpl)
{
	write_text(rel,
		   "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n%s\n"
		   "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\""
		   "urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\" "
		   "mediaPresentationDuration=\"PT4S\" minBufferTime=\"PT1S\">"
		   "\n<BaseURL>%s</BaseURL>\n<Period id=\"0\" start=\"PT0S\">"
		   "\n<AdaptationSet contentType=\"video\" mimeType=\"video/"
		   "mp4\">\n<Representation id=\"0\" codecs=\"avc1.42c014\" "
		   "bandwidth=\"400000\" width=\"320\" height=\"180\">\n"
		   "<SegmentTemplate timescale=\"12800\" initialization=\""
		   "init-$RepresentationID$.m4s\" media=\"%s\" startNumber="
		   "\"1\" duration=\"12800\"/>\n</Representation>\n"
		   "</AdaptationSet>\n</Period>\n</MPD>\n",
		   prolog, base, media_tmpl);
}

static void write_hostile_mpds(void)
{
	static const char seg_tmpl[] = "seg-$RepresentationID$-$Number%03d$.m4s";
	char prolog[1024], base[4096], tmpl[4096];

	/* Entities and DTDs: a parser that resolves them reads local files,
	 * fetches URLs (the canary) or expands a bomb. */
	write_mpd("h/xxe-file.mpd",
		  "<!DOCTYPE MPD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
		  "&x;", seg_tmpl);
	snprintf(prolog, sizeof(prolog),
		 "<!DOCTYPE MPD [<!ENTITY x SYSTEM \"http://%s/x\">]>", canary);
	write_mpd("h/xxe-http.mpd", prolog, "../dash/&x;", seg_tmpl);
	snprintf(prolog, sizeof(prolog),
		 "<!DOCTYPE MPD SYSTEM \"http://%s/mpd.dtd\">", canary);
	write_mpd("h/external-dtd.mpd", prolog, "../dash/", seg_tmpl);
	write_mpd("h/billion-laughs.mpd",
		  "<!DOCTYPE MPD [<!ENTITY a \"aaaaaaaaaa\">"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		  "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		  "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		  "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
		  "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
		  "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
		  "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>",
		  "../dash/&h;", seg_tmpl);
	/* URLs of real files: fetched, the check would pass. */
	snprintf(base, sizeof(base), "file://%s/dash/", media);
	write_mpd("h/baseurl-file.mpd", "", base, seg_tmpl);
	snprintf(base, sizeof(base), "gopher://%s/1/", canary);
	write_mpd("h/baseurl-gopher.mpd", "", base, seg_tmpl);
	snprintf(tmpl, sizeof(tmpl), "file://%s/dash/%s", media, seg_tmpl);
	write_mpd("h/media-file.mpd", "", "../dash/", tmpl);
	/* printf conversions in a template must never reach printf. */
	write_mpd("h/template-format.mpd", "", "../dash/",
		  "seg-$RepresentationID%n%n%s%s$-$Number%999999999d$.m4s");
	/* A muxed Representation by its @codecs, over video-only segments:
	 * the audio was stripped. */
	write_text("h/muxed-noaudio.mpd",
		   "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		   "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\""
		   "urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\" "
		   "mediaPresentationDuration=\"PT4S\" minBufferTime=\"PT1S\">"
		   "\n<BaseURL>../dash/</BaseURL>\n<Period id=\"0\" "
		   "start=\"PT0S\">\n<AdaptationSet contentType=\"video\" "
		   "mimeType=\"video/mp4\">\n<Representation id=\"0\" "
		   "codecs=\"avc1.42c014,mp4a.40.2\" bandwidth=\"400000\" "
		   "width=\"320\" height=\"180\">\n<SegmentTemplate "
		   "timescale=\"12800\" initialization=\""
		   "init-$RepresentationID$.m4s\" media=\"%s\" startNumber="
		   "\"1\" duration=\"12800\"/>\n</Representation>\n"
		   "</AdaptationSet>\n</Period>\n</MPD>\n",
		   seg_tmpl);
}

static void write_hostile(void)
{
	char path[4096], seg[4096], url[8192];
	size_t n;
	char *s;

	snprintf(path, sizeof(path), "%s/h", media);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "test_scenarios: mkdir %s: %s\n", path,
			strerror(errno));
		exit(2);
	}
	/* A real, playable segment by file:// URL: had prober fetched it, the
	 * check would pass. */
	snprintf(seg, sizeof(seg), "file://%s/hls/v0/seg000.ts", media);

	master_one("h/master-file-variant.m3u8", "file:///etc/passwd");
	snprintf(url, sizeof(url), "gopher://%s/1/variant.m3u8", canary);
	master_one("h/master-gopher-variant.m3u8", url);
	snprintf(url, sizeof(url), "ftp://%s/variant.m3u8", canary);
	master_one("h/master-ftp-variant.m3u8", url);
	media_one("h/media-file-seg.m3u8", "", seg);
	media_one("h/media-passwd-seg.m3u8", "", "file:///etc/passwd");
	snprintf(url, sizeof(url), "gopher://%s/1/seg000.ts", canary);
	media_one("h/media-gopher-seg.m3u8", "", url);
	snprintf(url, sizeof(url), "ftp://%s/seg000.ts", canary);
	media_one("h/media-ftp-seg.m3u8", "", url);
	media_one("h/media-file-key.m3u8",
		  "#EXT-X-KEY:METHOD=AES-128,URI=\"file:///etc/passwd\"\n",
		  "../hls/v0/seg000.ts");
	snprintf(url, sizeof(url), "#EXT-X-MAP:URI=\"%s\"\n", seg);
	media_one("h/media-file-map.m3u8", url, "../hls/v0/seg000.ts");
	snprintf(url, sizeof(url), "/redirect/%s", f_enc);
	media_one("h/media-redirect-file-seg.m3u8", "", url);

	/* Segments that are playlists, concat scripts and MPDs naming a real
	 * local segment and the canary: FFmpeg's hls, concat and dash
	 * demuxers would open them. */
	write_text("h/evil-hls.ts",
		   "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n%s\n"
		   "#EXTINF:1,\nhttp://%s/evil.ts\n#EXT-X-ENDLIST\n",
		   seg, canary);
	media_one("h/media-evil-hls.m3u8", "", "evil-hls.ts");
	write_text("h/evil-concat.ts",
		   "ffconcat version 1.0\nfile '%s'\nfile 'http://%s/c.ts'\n",
		   seg, canary);
	media_one("h/media-evil-concat.m3u8", "", "evil-concat.ts");
	write_text("h/evil-mpd.ts",
		   "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:"
		   "mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT1S\""
		   " minBufferTime=\"PT1S\" profiles=\"urn:mpeg:dash:profile:"
		   "isoff-on-demand:2011\">\n<BaseURL>http://%s/</BaseURL>\n"
		   "<Period><AdaptationSet mimeType=\"video/mp2t\">"
		   "<Representation id=\"1\" bandwidth=\"1\"><BaseURL>%s"
		   "</BaseURL><SegmentBase/></Representation></AdaptationSet>"
		   "</Period></MPD>\n",
		   canary, seg);
	media_one("h/media-evil-mpd.m3u8", "", "evil-mpd.ts");

	/* 200 000 segments: ~6 MB, under the manifest cap. */
	s = big_text((size_t)MANY_SEGMENTS * 40 + 256);
	n = (size_t)snprintf(s, 256, "#EXTM3U\n#EXT-X-VERSION:3\n"
				     "#EXT-X-TARGETDURATION:1\n"
				     "#EXT-X-PLAYLIST-TYPE:VOD\n");
	for (int i = 0; i < MANY_SEGMENTS; i++)
		n += (size_t)snprintf(s + n, 40, "#EXTINF:1.000,\n../hls/v%d/"
						 "seg00%d.ts\n",
				      i & 1, i & 3);
	n += (size_t)snprintf(s + n, 40, "#EXT-X-ENDLIST\n");
	write_file("h/many-segments.m3u8", s, n);
	free(s);

	/* One line of 1 MB, over the parser's line limit. */
	s = big_text(LONG_LINE + 256);
	n = (size_t)snprintf(s, 256, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,"
				     "CODECS=\"");
	memset(s + n, 'a', LONG_LINE);
	n += LONG_LINE;
	n += (size_t)snprintf(s + n, 128, "\"\n../hls/v0/index.m3u8\n");
	write_file("h/long-line.m3u8", s, n);
	free(s);

	/* 5 000 attributes on one line that is itself under the limit. */
	s = big_text((size_t)MANY_ATTRS * 16 + 256);
	n = (size_t)snprintf(s, 64, "#EXTM3U\n#EXT-X-STREAM-INF:");
	for (int i = 0; i < MANY_ATTRS; i++)
		n += (size_t)snprintf(s + n, 16, "X-A%d=1,", i);
	n += (size_t)snprintf(s + n, 128, "BANDWIDTH=1\n../hls/v0/index.m3u8\n");
	write_file("h/many-attrs.m3u8", s, n);
	free(s);

	/* A 40 KB NAME: legal, and it ends up in the record. */
	s = big_text(LONG_VALUE + 512);
	n = (size_t)snprintf(s, 256, "#EXTM3U\n#EXT-X-MEDIA:TYPE=VIDEO,"
				     "GROUP-ID=\"g\",NAME=\"");
	memset(s + n, 'n', LONG_VALUE);
	n += LONG_VALUE;
	n += (size_t)snprintf(s + n, 256,
			      "\",URI=\"../hls/v1/index.m3u8\"\n"
			      "#EXT-X-STREAM-INF:BANDWIDTH=440000,VIDEO=\"g\"\n"
			      "../hls/v0/index.m3u8\n");
	write_file("h/long-name.m3u8", s, n);
	free(s);

	/* A 60 KB segment URI: fetched, and the origin has no such file. */
	s = big_text(LONG_URI + 16);
	memset(s, 'u', LONG_URI);
	memcpy(s + LONG_URI, ".ts", 4);
	media_one("h/long-uri.m3u8", "", s);
	free(s);

	/* Invalid UTF-8 (a lone continuation byte, an overlong form, a
	 * truncated sequence) where text reaches the record. */
	write_text("h/utf8-name.m3u8",
		   "#EXTM3U\n#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID=\"g\xff\","
		   "NAME=\"bad \x80\xc0\xaf name \xe2\x82\",LANGUAGE=\"\xfe\","
		   "URI=\"../hls/v1/index.m3u8\"\n"
		   "#EXT-X-STREAM-INF:BANDWIDTH=440000,VIDEO=\"g\xff\"\n"
		   "../hls/v0/index.m3u8\n");
	write_text("h/utf8-title.m3u8",
		   "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
		   "#EXTINF:1.000,title \xff\xfe \xc3\x28\n../hls/v0/seg000.ts\n"
		   "#EXT-X-ENDLIST\n");
	master_one("h/utf8-uri.m3u8", "../hls/v0/\xff\xfe\xc3\x28.m3u8");
	media_one("h/utf8-seg-uri.m3u8", "", "../hls/v0/seg\xff\x80.ts");

	/* CODECS declares audio in a muxed variant whose segments carry
	 * none; beside it, the same variant whose audio lives in an AUDIO
	 * group with its own URI, as it should. */
	write_text("h/master-noaudio.m3u8",
		   "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=440000,"
		   "RESOLUTION=320x180,CODECS=\"avc1.42c014,mp4a.40.2\"\n"
		   "../hls/v0/index.m3u8\n");
	write_text("h/master-audio-group.m3u8",
		   "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\","
		   "DEFAULT=YES,URI=\"../hlsa/v0/index.m3u8\"\n"
		   "#EXT-X-STREAM-INF:BANDWIDTH=440000,RESOLUTION=320x180,"
		   "CODECS=\"avc1.42c014,mp4a.40.2\",AUDIO=\"a\"\n"
		   "../hls/v0/index.m3u8\n");
	/* 16 variants of one fMP4 rendition (hostile with big@init and
	 * big@seg; healthy as it is). */
	{
		char *m = NULL;
		size_t ml = 0;
		FILE *mf = open_memstream(&m, &ml);

		if (!mf)
			abort();
		fputs("#EXTM3U\n", mf);
		for (int i = 0; i < 16; i++)
			fprintf(mf,
				"#EXT-X-STREAM-INF:BANDWIDTH=%d,"
				"CODECS=\"avc1.42c014,mp4a.40.2\"\n"
				"../hlsf/v0/index.m3u8?v=%d\n",
				500000 + i, i);
		fclose(mf);
		write_file("h/master-16-fmp4.m3u8", m, ml);
		free(m);
	}
	/* A variant on the second origin, which must never see a token. */
	snprintf(url, sizeof(url), "%s/notoken/hls/v0/index.m3u8", origin_b);
	master_one("h/master-b.m3u8", url);
	write_hostile_mpds();
}

/* ---- the canary: a listener for every URL that must never be opened ---- */

static void canary_open(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	canary_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (canary_fd < 0 ||
	    bind(canary_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(canary_fd, 16) != 0 ||
	    getsockname(canary_fd, (struct sockaddr *)&a, &len) != 0) {
		fprintf(stderr, "test_scenarios: canary: %s\n", strerror(errno));
		exit(2);
	}
	snprintf(canary, sizeof(canary), "127.0.0.1:%u",
		 (unsigned)ntohs(a.sin_port));
}

/* Connections the canary took since last asked. */
static int canary_hits(void)
{
	int n = 0, fd;

	while ((fd = accept(canary_fd, NULL, NULL)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

/* ---- one row ---- */

static const struct scase *cur_case;
static const run *cur_run;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a failed expectation of the current row; the row is failed once
 * all its expectations were looked at, so one run shows every problem. */
static int n_failed;

static void failf(const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("%s: %s\n", cur_case->name, msg);
	n_failed++;
}

static void dump_run(void)
{
	/* Records can hold a 40 KB name: show their start. */
	child_dump(cur_run, cur_case->name, 6000, 2000);
}

/* Keys DESIGN.md promises (and names the renditions have); a missing one
 * breaks users' scripts, e.g. a string jansson refused as invalid UTF-8. */
static const char *const origin_keys[] = { "name", "url", "status",
	"reason", "stage", "message", "protocol", "live", "manifest",
	"renditions", NULL };
static const char *const rendition_keys[] = { "status", "reason", "stage",
	"message", "kind", "name", "uri", "bandwidth", "resolution", "codecs",
	"playlist", "init", "key", "segment", "decode", NULL };

static void check_keys(json_t *o, const char *const *keys, const char *what)
{
	for (size_t i = 0; keys[i]; i++)
		if (!json_object_get(o, keys[i]))
			failf("%s has no \"%s\" key", what, keys[i]);
}

static void check_record(const struct scase *c, const run *r)
{
	json_t *o, *rends;
	const char *st, *sg, *rs;

	if (!r->doc) {
		failf("stdout is not a JSON record");
		return;
	}
	o = json_array_get(json_object_get(r->doc, "origins"), 0);
	if (!json_is_object(o)) {
		failf("record has no origins[0]");
		return;
	}
	st = jstr(o, "status");
	sg = jstr(o, "stage");
	rs = jstr(o, "reason");
	if (!st || !one_of(c->status, st))
		failf("origin status %s, want %s", st ? st : "(none)",
		      c->status);
	if (!one_of(c->stage, sg))
		failf("origin stage %s, want %s", sg ? sg : "null",
		      c->stage ? c->stage : "null");
	if (!one_of(c->reason, rs))
		failf("origin reason %s, want %s", rs ? rs : "null",
		      c->reason ? c->reason : "null");
	if (!one_of(c->status, jstr(r->doc, "status")))
		failf("record status %s, want %s",
		      jstr(r->doc, "status") ? jstr(r->doc, "status") : "(none)",
		      c->status);
	if (strcmp(c->status, "pass") != 0 && !jstr(o, "message"))
		failf("a %s origin without a message", c->status);
	rends = json_object_get(o, "renditions");
	check_keys(o, origin_keys, "origin");
	{
		size_t i;
		json_t *rd;
		char what[32];

		json_array_foreach(rends, i, rd)
		{
			snprintf(what, sizeof(what), "rendition %zu", i);
			check_keys(rd, rendition_keys, what);
		}
	}
	if ((c->flags & F_TTFB_1S)) {
		json_t *m = json_object_get(o, "manifest");
		double ttfb = json_number_value(json_object_get(m, "ttfb_ms"));

		if (ttfb < 950)
			failf("manifest ttfb_ms %.0f: the 1 s delay was not "
			      "applied",
			      ttfb);
	}
	if ((c->flags & F_LIVE) && !json_is_true(json_object_get(o, "live")))
		failf("origin not reported live");
	if ((c->flags & F_FROM_B)) {
		size_t i;
		json_t *rd;

		if (json_array_size(rends) == 0)
			failf("no renditions");
		json_array_foreach(rends, i, rd)
		{
			const char *u = jstr(json_object_get(rd, "segment"),
					     "url");

			if (!u || strncmp(u, origin_b, strlen(origin_b)) != 0)
				failf("rendition %zu segment %s: not resolved "
				      "against the redirect's target %s",
				      i, u ? u : "(none)", origin_b);
		}
	}
}

static void run_case(void **state)
{
	const struct scase *c = *state;
	char tbuf[32];
	char *url = expand(c->url);
	char *argv[] = { (char *)prober, "check", "--json", "--timeout", tbuf,
			 url, NULL, NULL, NULL };
	run r;
	int hits, rc;

	snprintf(tbuf, sizeof(tbuf), "%g", c->timeout);
	if (c->opt1) {
		argv[6] = (char *)c->opt1;
		argv[7] = (char *)c->opt2;
	}
	cur_case = c;
	n_failed = 0;
	canary_hits();
	rc = child_run(&r, argv[0], argv, (c->timeout + KILL_AFTER_S) * 1e3);
	if (rc != 0)
		fail_msg("%s: cannot start %s: %s", c->name, argv[0],
			 strerror(rc));
	child_json(&r);
	cur_run = &r;
	if (r.exit_status < 0)
		failf("prober died by signal %d after %.2f s", r.term_signal,
		      r.wall_ms / 1e3);
	else if (r.exit_status != child_status_exit(c->status) &&
		 !strchr(c->status, '|'))
		failf("exit status %d, want %d", r.exit_status,
		      child_status_exit(c->status));
	if (r.wall_ms / 1e3 >
	    c->timeout + (c->flags & F_TIGHT ? TIGHT_MARGIN_S : MARGIN_S))
		failf("took %.2f s with --timeout %g (margin %.1f s)",
		      r.wall_ms / 1e3, c->timeout,
		      c->flags & F_TIGHT ? TIGHT_MARGIN_S : MARGIN_S);
	if (r.maxrss_kb > rss_limit_kb)
		failf("peak RSS %ld KB over %ld KB", r.maxrss_kb, rss_limit_kb);
	hits = canary_hits();
	if (hits)
		failf("%d connection(s) to the canary %s: a refused URL was "
		      "fetched",
		      hits, canary);
	check_record(c, &r);
	if (n_failed) {
		dump_run();
	} else {
		json_t *o = json_array_get(json_object_get(r.doc, "origins"), 0);
		const char *sg = jstr(o, "stage"), *rs = jstr(o, "reason");

		printf("    %-28s %-4s %-10s %-18s %5.2f s %6ld KB\n", c->name,
		       jstr(o, "status"), sg ? sg : "-", rs ? rs : "-",
		       r.wall_ms / 1e3, r.maxrss_kb);
	}
	child_free(&r);
	free(url);
	if (n_failed)
		fail_msg("%s: %d expectation(s) not met", c->name, n_failed);
}

static const char *need_env(const char *name)
{
	return child_need_env("test_scenarios", name, "tests/integration/scenarios.sh");
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];
	const char *only = getenv("SCENARIO"); /* one row, to debug it */
	const char *scale = getenv("RSS_SCALE");
	size_t n = 0;
	char tmp[4096];
	int rc;

	if (scale && strtol(scale, NULL, 10) > 1)
		rss_limit_kb = RSS_LIMIT_KB * strtol(scale, NULL, 10);

	prober = need_env("PROBER");
	origin_a = need_env("ORIGIN");
	origin_b = need_env("ORIGIN2");
	media = need_env("MEDIA");
	signal(SIGPIPE, SIG_IGN);
	canary_open();
	b_enc = pct_encode(origin_b);
	snprintf(tmp, sizeof(tmp), "file://%s/hls/v0/seg000.ts", media);
	f_enc = pct_encode(tmp);
	snprintf(tmp, sizeof(tmp), "gopher://%s/1/master.m3u8", canary);
	g_enc = pct_encode(tmp);
	write_hostile();

	n = child_rows(tests, cases, N, sizeof(cases[0]), run_case, only);
	rc = _cmocka_run_group_tests("scenarios", tests, n, NULL, NULL);
	free(b_enc);
	free(f_enc);
	free(g_enc);
	close(canary_fd);
	return rc;
}
