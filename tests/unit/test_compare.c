/*
 * test_compare.c - origin_mismatch on hand-built result trees: every origin
 * of a stream must serve the same stream (protocol, live or VOD, declared
 * ladder, VOD duration and segment count, what the first VOD pictures
 * show), and how that warning combines
 * with the stream verdict (never over a fail, never over redundancy_lost).
 *
 * One table row per case. An origin is written as a protocol (NULL: its
 * manifest was not read), its declared ladder and its probed renditions:
 *
 *   ladder  "KIND RES CODECS BW [LANG] | ..."   ("-" for none)
 *   rends   "NAME vod DURATION SEGMENTS ; NAME live ; ..."
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limits.h"
#include "probe_int.h"
#include "sample.h"

struct ospec {
	const char *protocol; /* NULL: manifest not read (a dead origin) */
	const char *ladder;
	const char *rends;
	vsp_status status; /* the origin's own verdict */
	vsp_reason reason;
};

struct ccase {
	const char *name;
	int min_healthy;
	struct ospec o[3];
	/* expected */
	vsp_status status;
	vsp_reason reason;
	const char *fields; /* mismatch fields in order, "," separated */
	const char *says;   /* substring of the stream message, or NULL */
	const char *says2;  /* another one, or NULL */
};

#define HLS3                                                                  \
	"variant 1280x720 avc1.64001f,mp4a.40.2 3000000 | "                   \
	"variant 640x360 avc1.4d401e,mp4a.40.2 1200000 | "                    \
	"variant 320x180 avc1.42c00d,mp4a.40.2 400000"
#define HLS3_REORDERED                                                        \
	"variant 320x180 avc1.42c00d,mp4a.40.2 400000 | "                     \
	"variant 1280x720 avc1.64001f,mp4a.40.2 3000000 | "                   \
	"variant 640x360 avc1.4d401e,mp4a.40.2 1200000"
#define HLS2                                                                  \
	"variant 640x360 avc1.4d401e,mp4a.40.2 1200000 | "                    \
	"variant 320x180 avc1.42c00d,mp4a.40.2 400000"
#define VOD60 "1280x720 vod 60 30 ; 640x360 vod 60 30 ; 320x180 vod 60 30"
#define LIVE3 "1280x720 live ; 640x360 live ; 320x180 live"

#define OK(p, l, r) { p, l, r, VSP_PASS, VSP_R_NONE }

static const struct ccase cases[] = {
	/* healthy redundancy: no false alarm */
	{ "same ladder from two CDNs", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS3, VOD60) },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "masters list variants in another order", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS3_REORDERED, VOD60) },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "CODECS in another order and case", 1,
	  { OK("hls", "variant 640x360 avc1.4D401E,mp4a.40.2 1200000",
	       "640x360 vod 60 30"),
	    OK("hls", "variant 640x360 mp4a.40.2,AVC1.4d401e 1200000",
	       "640x360 vod 60 30") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "BANDWIDTH rounded differently (20 %)", 1,
	  { OK("hls", "variant 640x360 avc1.4d401e 1200000", "-"),
	    OK("hls", "variant 640x360 avc1.4d401e 1000000", "-") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "CODECS absent on one master", 1,
	  { OK("hls", "variant 640x360 avc1.4d401e 1200000", "-"),
	    OK("hls", "variant 640x360 - 1200000", "-") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "VOD durations within max(1 s, 1 %)", 1,
	  { OK("hls", HLS3, "a vod 3600 1800"),
	    OK("hls", HLS3, "a vod 3630 1800") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "short VOD within 1 s", 1,
	  { OK("hls", HLS3, "a vod 4 4"), OK("hls", HLS3, "a vod 4.9 4") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "live windows differ: origin_lagging's, not a mismatch", 1,
	  { OK("hls", HLS3, LIVE3), OK("hls", HLS3, LIVE3) },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "DASH the same from two CDNs", 1,
	  { OK("dash",
	       "video 1280x720 avc1.64001f 3000000 | audio - mp4a.40.2 "
	       "128000 en",
	       "v1 vod 60 30 ; a1 vod 60 30"),
	    OK("dash",
	       "audio - mp4a.40.2 128000 en | video 1280x720 avc1.64001f "
	       "3000000",
	       "v1 vod 60 30 ; a1 vod 60 30") },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "redundant variants (a backup URL each) are one rendition", 1,
	  { OK("hls", HLS3 " | " HLS3, VOD60), OK("hls", HLS3, VOD60) },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },
	{ "one origin: nothing to compare", 1,
	  { OK("hls", HLS3, VOD60) },
	  VSP_PASS, VSP_R_NONE, "", NULL, NULL },

	/* another stream */
	{ "ladder of 2 beside 3", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS2, VOD60) },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin b: ladder has 2 renditions, origin a has 3 (missing "
	  "1280x720 avc1.64001f,mp4a.40.2)",
	  NULL },
	{ "redundant variants counted once", 1,
	  { OK("hls", HLS3 " | " HLS3, VOD60), OK("hls", HLS2, VOD60) },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin b: ladder has 2 renditions, origin a has 3 (missing "
	  "1280x720 avc1.64001f,mp4a.40.2)",
	  NULL },
	{ "ladder of 3 beside 2", 1,
	  { OK("hls", HLS2, VOD60), OK("hls", HLS3, VOD60) },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin b: ladder has 3 renditions, origin a has 2 (extra "
	  "1280x720",
	  NULL },
	{ "ladder compared whole, whatever was probed", 1,
	  { OK("hls", HLS3, "320x180 vod 60 30"),
	    OK("hls", HLS2, "320x180 vod 60 30") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder", "missing 1280x720",
	  NULL },
	{ "same count, another resolution", 1,
	  { OK("hls", "variant 640x360 avc1.4d401e 1200000", "-"),
	    OK("hls", "variant 854x480 avc1.4d401e 1200000", "-") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin b: ladder differs from origin a's (missing 640x360 "
	  "avc1.4d401e; extra 854x480 avc1.4d401e)",
	  NULL },
	{ "another codec at the same resolution", 1,
	  { OK("hls", "variant 640x360 avc1.4d401e 1200000", "-"),
	    OK("hls", "variant 640x360 hvc1.1.6.L93.B0 1200000", "-") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin b: 640x360 hvc1.1.6.L93.B0 CODECS hvc1.1.6.L93.B0, origin "
	  "a avc1.4d401e",
	  NULL },
	{ "BANDWIDTH 50 % off", 1,
	  { OK("hls", "variant 640x360 avc1.4d401e 1200000", "-"),
	    OK("hls", "variant 640x360 avc1.4d401e 2400000", "-") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "BANDWIDTH 2400000, origin a 1200000 (over the 25 % tolerance)",
	  NULL },
	{ "an audio language missing", 1,
	  { OK("hls",
	       "variant 640x360 avc1.4d401e 1200000 | audio - - 0 en | "
	       "audio - - 0 de",
	       "-"),
	    OK("hls", "variant 640x360 avc1.4d401e 1200000 | audio - - 0 en",
	       "-") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder", "missing audio de",
	  NULL },
	{ "a media playlist beside a master", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", "media - - 0", "media vod 60 30") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "extra a media playlist without a master", NULL },
	{ "live beside VOD", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS3, LIVE3) },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "type",
	  "origin b is live, origin a VOD", NULL },
	{ "DASH beside HLS: the protocol only", 1,
	  { OK("hls", HLS3, VOD60),
	    OK("dash", "video 1280x720 avc1.64001f 3000000", "v1 vod 60 30") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "protocol",
	  "origin b is dash, origin a hls", NULL },
	{ "VOD durations 30 s and 60 s", 1,
	  { OK("hls", HLS3, VOD60),
	    OK("hls", HLS3,
	       "1280x720 vod 30 30 ; 640x360 vod 30 30 ; 320x180 vod 30 30") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "vod_duration",
	  "origin b: VOD duration 30.0 s, origin a 60.0 s (1280x720)", NULL },
	{ "VOD durations over 1 % of an hour", 1,
	  { OK("hls", HLS3, "a vod 3600 1800"),
	    OK("hls", HLS3, "a vod 3650 1800") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "vod_duration",
	  "VOD duration 3650.0 s, origin a 3600.0 s", NULL },
	{ "segment count differs", 1,
	  { OK("hls", HLS3, "a vod 60 30"), OK("hls", HLS3, "a vod 60 10") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "segment_count",
	  "origin b: 10 segments, origin a 30 (a)", NULL },
	{ "duration and segments: both listed", 1,
	  { OK("hls", HLS3, "a vod 4 4"), OK("hls", HLS3, "a vod 8 8") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "vod_duration,segment_count",
	  "origin b: VOD duration 8.0 s, origin a 4.0 s (a)",
	  "(and 1 more difference)" },
	{ "no rendition in common: the origins' longest", 1,
	  { OK("hls", HLS3, "x vod 60 30"), OK("hls", HLS3, "y vod 30 15") },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "vod_duration,segment_count",
	  "origin b: VOD duration 30.0 s, origin a 60.0 s", NULL },
	{ "the third origin differs", 1,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS3, VOD60),
	    OK("hls", HLS2, VOD60) },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder",
	  "origin c: ladder has 2 renditions, origin a has 3", NULL },

	/* how it combines with the stream verdict */
	{ "a dead origin takes no part", 1,
	  { OK("hls", HLS3, VOD60),
	    { NULL, NULL, NULL, VSP_FAIL, VSP_R_HTTP_STATUS } },
	  VSP_WARN, VSP_R_REDUNDANCY_LOST, "", NULL, NULL },
	{ "the first origin dead: the next is the reference", 1,
	  { { NULL, NULL, NULL, VSP_FAIL, VSP_R_HTTP_STATUS },
	    OK("hls", HLS3, VOD60), OK("hls", HLS2, VOD60) },
	  VSP_WARN, VSP_R_REDUNDANCY_LOST, "ladder", "2 of 3 origins playable",
	  NULL },
	{ "redundancy_lost comes first", 2,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS2, VOD60),
	    { NULL, NULL, NULL, VSP_FAIL, VSP_R_HTTP_STATUS } },
	  VSP_WARN, VSP_R_REDUNDANCY_LOST, "ladder", NULL, NULL },
	{ "fewer than min_healthy play: fail stays", 3,
	  { OK("hls", HLS3, VOD60), OK("hls", HLS2, VOD60),
	    { NULL, NULL, NULL, VSP_FAIL, VSP_R_HTTP_STATUS } },
	  VSP_FAIL, VSP_R_ORIGINS_DOWN, "ladder", NULL, NULL },
	{ "an origin that plays nothing still compares", 1,
	  { OK("hls", HLS3, VOD60),
	    { "hls", HLS2, VOD60, VSP_FAIL, VSP_R_SEGMENT_MISSING } },
	  VSP_WARN, VSP_R_REDUNDANCY_LOST, "ladder", NULL, NULL },
	{ "over an origin's own warning", 1,
	  { OK("hls", HLS3, VOD60),
	    { "hls", HLS2, VOD60, VSP_WARN, VSP_R_SLOW_DOWNLOAD } },
	  VSP_WARN, VSP_R_ORIGIN_MISMATCH, "ladder", "ladder has 2", NULL },
};

/* A ladder spec's kind word as the enum. */
static vsp_kind kind_of(const char *word)
{
	for (int k = 1; k < VSP_KIND_COUNT; k++)
		if (strcmp(vsp_kind_name((vsp_kind)k), word) == 0)
			return (vsp_kind)k;
	fail_msg("bad kind '%s'", word);
	return VSP_KIND_NONE;
}

/* "KIND RES CODECS BW [LANG]" entries separated by '|' into o's ladder. */
static void build_ladder(vsp_origin_result *o, const char *spec)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *e = strtok_r(buf, "|", &save); e;
	     e = strtok_r(NULL, "|", &save)) {
		char kind[32], res[32], codecs[128], lang[16] = "-";
		long long bw;
		int w = 0, h = 0;
		int n = sscanf(e, "%31s %31s %127s %lld %15s", kind, res,
			       codecs, &bw, lang);

		if (n < 4)
			fail_msg("bad ladder entry '%s'", e);
		if (strcmp(res, "-") != 0 && sscanf(res, "%dx%d", &w, &h) != 2)
			fail_msg("bad resolution '%s'", res);
		assert_int_equal(
			vsp_origin_ladder_add(o, kind_of(kind),
					  strcmp(codecs, "-") ? codecs : NULL,
					  strcmp(lang, "-") ? lang : NULL, w,
					  h, bw),
			0);
	}
}

/* "NAME vod DUR SEGS" or "NAME live" separated by ';' into renditions. */
static void build_rends(vsp_origin_result *o, const char *spec)
{
	char buf[1024], *save = NULL;
	size_t n = 1;

	if (strcmp(spec, "-") == 0)
		return;
	for (const char *p = spec; *p; p++)
		n += *p == ';';
	o->renditions = calloc(n, sizeof(*o->renditions));
	assert_non_null(o->renditions);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *e = strtok_r(buf, ";", &save); e;
	     e = strtok_r(NULL, ";", &save)) {
		vsp_rendition_result *r = &o->renditions[o->n_renditions++];
		char name[32], type[8];
		double dur = 0;
		long long segs = 0;
		int k = sscanf(e, "%31s %7s %lf %lld", name, type, &dur, &segs);

		if (k < 2)
			fail_msg("bad rendition '%s'", e);
		r->name = strdup(name);
		r->live = strcmp(type, "live") == 0;
		if (!r->live) {
			r->has_vod = 1;
			r->vod_duration_s = dur;
			r->segment_count = segs;
		}
	}
}

static vsp_stream_result *build(const struct ccase *c)
{
	vsp_stream_result *s = calloc(1, sizeof(*s));
	size_t n = 0;

	assert_non_null(s);
	while (n < 3 && (c->o[n].protocol || c->o[n].status != VSP_PASS))
		n++;
	s->origins = calloc(n, sizeof(*s->origins));
	assert_non_null(s->origins);
	s->n_origins = n;
	s->min_healthy = c->min_healthy;
	for (size_t i = 0; i < n; i++) {
		const struct ospec *sp = &c->o[i];
		vsp_origin_result *o = &s->origins[i];
		char name[2] = { (char)('a' + i), '\0' };

		o->name = strdup(name);
		o->protocol = sp->protocol;
		if (sp->protocol) {
			build_ladder(o, sp->ladder);
			build_rends(o, sp->rends);
		}
		if (sp->status != VSP_PASS)
			vsp_verdict_set(&o->v, sp->status, sp->reason,
					VSP_STAGE_SEGMENT, "origin %s is %s",
					name, vsp_reason_name(sp->reason));
	}
	return s;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];
		vsp_stream_result *s = build(c);
		char fields[256] = "";
		size_t k = 0;

		vsp_origin_judge_mismatch(s);
		vsp_stream_judge(s);
		for (size_t m = 0; m < s->n_mismatches; m++)
			k += (size_t)snprintf(fields + k, sizeof(fields) - k,
					      "%s%s", m ? "," : "",
					      s->mismatches[m].field);
		if (s->v.status != c->status || s->v.reason != c->reason)
			fail_msg("%s: %s %s (%s), want %s %s", c->name,
				 vsp_status_name(s->v.status),
				 vsp_reason_name(s->v.reason),
				 s->v.message ? s->v.message : "",
				 vsp_status_name(c->status),
				 vsp_reason_name(c->reason));
		if (strcmp(fields, c->fields) != 0)
			fail_msg("%s: mismatches '%s', want '%s' (%s)", c->name,
				 fields, c->fields,
				 s->n_mismatches ? s->mismatches[0].message
						 : "");
		for (int w = 0; w < 2; w++) {
			const char *says = w ? c->says2 : c->says;

			if (says && (!s->v.message || !strstr(s->v.message, says)))
				fail_msg("%s: message '%s' lacks '%s'", c->name,
					 s->v.message ? s->v.message : "",
					 says);
		}
		/* Every mismatch names both origins. */
		for (size_t m = 0; m < s->n_mismatches; m++) {
			const vsp_origin_mismatch *mm = &s->mismatches[m];
			char want[16];

			snprintf(want, sizeof(want), "origin %s",
				 s->origins[mm->origin].name);
			if (!strstr(mm->message, want) || mm->origin == mm->ref)
				fail_msg("%s: '%s' does not name %s", c->name,
					 mm->message, want);
			snprintf(want, sizeof(want), "origin %s",
				 s->origins[mm->ref].name);
			if (!strstr(mm->message, want))
				fail_msg("%s: '%s' does not name %s", c->name,
					 mm->message, want);
		}
		vsp_stream_result_free(s);
	}
}

/* The origins' VOD extent is in the tree for the record, also alone. */
static void test_extent(void **state)
{
	static const struct ccase one = {
		"extent", 1, { OK("hls", HLS3, "a vod 8 4 ; b vod 8.5 5") },
		VSP_PASS, VSP_R_NONE, "", NULL, NULL
	};
	vsp_stream_result *s = build(&one);

	(void)state;
	vsp_origin_judge_mismatch(s);
	assert_true(s->origins[0].vod_duration_s > 8.4 &&
		    s->origins[0].vod_duration_s < 8.6);
	assert_int_equal(s->origins[0].segment_count, 5);
	assert_int_equal(s->origins[0].n_ladder, 3);
	assert_int_equal(s->n_mismatches, 0);
	vsp_stream_result_free(s);
}

/* A ladder past the cap is kept truncated and not compared: hundreds of
 * entries are no ladder a player picks from, and half a list would only
 * raise false alarms. */
static void test_truncated(void **state)
{
	vsp_stream_result *s = calloc(1, sizeof(*s));

	(void)state;
	assert_non_null(s);
	s->origins = calloc(2, sizeof(*s->origins));
	assert_non_null(s->origins);
	s->n_origins = 2;
	s->min_healthy = 1;
	for (size_t i = 0; i < 2; i++) {
		s->origins[i].name = strdup(i ? "b" : "a");
		s->origins[i].protocol = "hls";
		for (int k = 0; k < VSP_LADDER_MAX_ENTRIES + 10; k++)
			assert_int_equal(
				vsp_origin_ladder_add(&s->origins[i], VSP_KIND_VARIANT,
						  "avc1.4d401e", NULL, 640,
						  360 + (int)i, 1000 + k),
				0);
	}
	assert_int_equal(s->origins[0].n_ladder, VSP_LADDER_MAX_ENTRIES);
	assert_true(s->origins[0].ladder_truncated);
	vsp_origin_judge_mismatch(s);
	vsp_stream_judge(s);
	assert_int_equal(s->n_mismatches, 0);
	assert_int_equal(s->v.status, VSP_PASS);
	vsp_stream_result_free(s);
}

/* ---- origin_mismatch "picture": what the first VOD pictures show ---- */

/* A picture: a gradient (any content), then cells [from, from + n) moved
 * by delta levels (clamped). */
static vsp_picture pic(int from, int n, int delta)
{
	vsp_picture p;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < VSP_CONTENT_CELLS; i++)
		p.cell[i] = (uint8_t)(40 + (i * 7) % 170);
	for (int i = from; i < from + n && i < VSP_CONTENT_CELLS; i++) {
		int v = p.cell[i] + delta;

		p.cell[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	return p;
}

/* How one side of a pair is set up. */
struct pside {
	const char *name; /* rendition name */
	int w, h;	  /* declared (ladder and rendition) */
	int dw, dh;	  /* decoded; 0: no decode of the first segment */
	int measured;	  /* 0: content off or pixel format not measured */
	int live, failed;
	vsp_picture p;
};

/* Origin i of s: one video variant (HLS master) or a media playlist
 * (w 0), probed, its first segment decoded showing sd->p. */
static void pic_origin(vsp_stream_result *s, size_t i, const struct pside *sd)
{
	vsp_origin_result *o = &s->origins[i];
	vsp_rendition_result *r;
	vsp_segment_check *c;
	vsp_kind kind = sd->w ? VSP_KIND_VARIANT : VSP_KIND_MEDIA;
	const char *codecs = sd->w ? "avc1.64001f" : NULL;
	int64_t bw = sd->w ? 3000000 : 0;

	o->name = strdup(i ? "b" : "a");
	o->protocol = "hls";
	assert_int_equal(
		vsp_origin_ladder_add(o, kind, codecs, NULL, sd->w, sd->h, bw),
		0);
	o->renditions = calloc(1, sizeof(*o->renditions));
	assert_non_null(o->renditions);
	o->n_renditions = 1;
	r = &o->renditions[0];
	r->name = strdup(sd->name);
	r->kind = kind;
	r->codecs = codecs ? strdup(codecs) : NULL;
	r->width = sd->w;
	r->height = sd->h;
	r->bandwidth = bw;
	r->live = sd->live;
	r->has_vod = !sd->live;
	r->vod_duration_s = sd->live ? 0 : 60;
	r->segment_count = sd->live ? 0 : 30;
	if (sd->failed)
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_CORRUPT_SEGMENT,
				VSP_STAGE_DECODE, "damaged");
	c = vsp_segment_check_add(r);
	assert_non_null(c);
	c->index = 0;
	c->role = sd->live ? VSP_SEG_NEWEST : VSP_SEG_FIRST;
	c->action = VSP_SEG_DECODED;
	if (!sd->dw)
		return;
	c->decode = calloc(1, sizeof(*c->decode));
	assert_non_null(c->decode);
	c->decode->has_video = 1;
	c->decode->width = sd->dw;
	c->decode->height = sd->dh;
	vsp_content_seg_init(&c->decode->content);
	if (sd->measured) {
		c->decode->content.measured = 1;
		c->decode->content.pictures = 5;
		c->decode->content.first = sd->p;
	}
}

struct pcase {
	const char *name;
	struct pside a, b;
	const char *fields; /* mismatch fields, "" none */
	const char *says;   /* substring of the stream message, or NULL */
};

#define V720(p)                                              \
	{                                                    \
		"1280x720", 1280, 720, 1280, 720, 1, 0, 0, p \
	}

static void test_pictures(void **state)
{
	/* 115 cells are 19.97 % of 576, 116 are 20.1 %. */
	const struct pcase pcases[] = {
		{ "the same picture", V720(pic(0, 0, 0)), V720(pic(0, 0, 0)),
		  "", NULL },
		{ "coding noise: every cell 6 levels off", V720(pic(0, 0, 0)),
		  V720(pic(0, VSP_CONTENT_CELLS, 6)), "", NULL },
		{ "15 % of cells moved (a moving object, a frame later)",
		  V720(pic(0, 0, 0)), V720(pic(100, 86, 30)), "", NULL },
		{ "115 cells over 12 levels: 19.97 %, under the threshold",
		  V720(pic(0, 0, 0)), V720(pic(0, 115, 13)), "", NULL },
		{ "cells 12 levels off are within the tolerance",
		  V720(pic(0, 0, 0)), V720(pic(0, VSP_CONTENT_CELLS, 12)), "",
		  NULL },
		{ "116 cells over 12 levels: 20.1 %, over the threshold",
		  V720(pic(0, 0, 0)), V720(pic(0, 116, 13)), "picture",
		  "origin b: first picture of 1280x720 segment 0 differs from "
		  "origin a's: 20 % of the picture's cells by more than 12 "
		  "levels of 255 (threshold 20 %)" },
		{ "another picture: 38 % of the cells", V720(pic(0, 0, 0)),
		  V720(pic(200, 219, -40)), "picture",
		  "38 % of the picture's cells" },
		{ "media playlists: 1280x720 beside 640x360 compared",
		  { "media", 0, 0, 1280, 720, 1, 0, 0, pic(0, 0, 0) },
		  { "media", 0, 0, 640, 360, 1, 0, 0, pic(0, 400, 50) },
		  "picture",
		  "first picture of media segment 0" },
		{ "4:3 beside 16:9: cells cover other parts, not compared",
		  { "media", 0, 0, 1280, 720, 1, 0, 0, pic(0, 0, 0) },
		  { "media", 0, 0, 640, 480, 1, 0, 0, pic(0, 400, 50) },
		  "",
		  NULL },
		{ "not measured on one side (content off, pixel format)",
		  V720(pic(0, 0, 0)),
		  { "1280x720", 1280, 720, 1280, 720, 0, 0, 0,
		    pic(0, 400, 50) },
		  "",
		  NULL },
		{ "decoded on one side only",
		  { "1280x720", 1280, 720, 0, 0, 1, 0, 0, pic(0, 0, 0) },
		  V720(pic(0, 400, 50)),
		  "",
		  NULL },
		{ "a failed rendition's pictures may be damaged",
		  V720(pic(0, 0, 0)),
		  { "1280x720", 1280, 720, 1280, 720, 1, 0, 1,
		    pic(0, 400, 50) },
		  "",
		  NULL },
		{ "live: origins at other moments are never compared",
		  { "1280x720", 1280, 720, 1280, 720, 1, 1, 0, pic(0, 0, 0) },
		  { "1280x720", 1280, 720, 1280, 720, 1, 1, 0,
		    pic(0, 400, 50) },
		  "",
		  NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		vsp_stream_result *s = calloc(1, sizeof(*s));
		char fields[128] = "";
		size_t k = 0;

		assert_non_null(s);
		s->origins = calloc(2, sizeof(*s->origins));
		assert_non_null(s->origins);
		s->n_origins = 2;
		s->min_healthy = 1;
		pic_origin(s, 0, &c->a);
		pic_origin(s, 1, &c->b);
		vsp_origin_judge(&s->origins[0]);
		vsp_origin_judge(&s->origins[1]);
		vsp_origin_judge_mismatch(s);
		vsp_stream_judge(s);
		for (size_t m = 0; m < s->n_mismatches; m++)
			k += (size_t)snprintf(fields + k, sizeof(fields) - k,
					      "%s%s", m ? "," : "",
					      s->mismatches[m].field);
		if (strcmp(fields, c->fields) != 0)
			fail_msg("%s: mismatches '%s', want '%s' (%s)", c->name,
				 fields, c->fields,
				 s->n_mismatches ? s->mismatches[0].message
						 : "");
		if (c->says &&
		    (!s->v.message || !strstr(s->v.message, c->says)))
			fail_msg("%s: message '%s' lacks '%s'", c->name,
				 s->v.message ? s->v.message : "", c->says);
		if (c->fields[0] &&
		    (s->v.reason != VSP_R_ORIGIN_MISMATCH ||
		     s->v.status != VSP_WARN ||
		     s->mismatches[0].stage != VSP_STAGE_VALIDATION))
			fail_msg("%s: %s %s, want warn origin_mismatch",
				 c->name, vsp_status_name(s->v.status),
				 vsp_reason_name(s->v.reason));
		vsp_stream_result_free(s);
	}
}

/* Renditions pair as the ladder does (slot, then CODECS and BANDWIDTH),
 * not by name or order: DASH ids differ between packagers. One mismatch
 * per origin, counting the pairs that differ. */
static void test_pictures_ladder(void **state)
{
	static const struct {
		const char *name;
		int w, h;
		int64_t bw;
	} ra[] = { { "v720", 1280, 720, 3000000 },
		   { "v360", 640, 360, 1200000 } },
	  rb[] = { { "video=1200000", 640, 360, 1250000 },
		   { "video=3000000", 1280, 720, 2900000 } };
	vsp_stream_result *s;

	(void)state;
	for (int other = 0; other < 3; other++) {
		s = calloc(1, sizeof(*s));
		assert_non_null(s);
		s->origins = calloc(2, sizeof(*s->origins));
		assert_non_null(s->origins);
		s->n_origins = 2;
		s->min_healthy = 1;
		for (size_t i = 0; i < 2; i++) {
			vsp_origin_result *o = &s->origins[i];

			o->name = strdup(i ? "b" : "a");
			o->protocol = "dash";
			o->renditions = calloc(2, sizeof(*o->renditions));
			assert_non_null(o->renditions);
			o->n_renditions = 2;
			for (size_t k = 0; k < 2; k++) {
				vsp_rendition_result *r = &o->renditions[k];
				vsp_segment_check *c;
				const char *nm = i ? rb[k].name : ra[k].name;
				int w = i ? rb[k].w : ra[k].w;
				int h = i ? rb[k].h : ra[k].h;
				int64_t bw = i ? rb[k].bw : ra[k].bw;
				/* other 1: b's 720p shows something else;
				 * 2: both of b's renditions do. */
				int moved = i && (other == 2 ||
						  (other == 1 && w == 1280));

				assert_int_equal(
					vsp_origin_ladder_add(o, VSP_KIND_VIDEO,
							      "avc1.64001f",
							      NULL, w, h, bw),
					0);
				r->name = strdup(nm);
				r->kind = VSP_KIND_VIDEO;
				r->codecs = strdup("avc1.64001f");
				r->width = w;
				r->height = h;
				r->bandwidth = bw;
				r->has_vod = 1;
				r->vod_duration_s = 60;
				r->segment_count = 30;
				c = vsp_segment_check_add(r);
				assert_non_null(c);
				c->index = 1; /* DASH startNumber 1 */
				c->role = VSP_SEG_FIRST;
				c->action = VSP_SEG_DECODED;
				c->decode = calloc(1, sizeof(*c->decode));
				assert_non_null(c->decode);
				c->decode->has_video = 1;
				c->decode->width = w;
				c->decode->height = h;
				c->decode->content.measured = 1;
				c->decode->content.pictures = 5;
				/* Each rendition its own picture: a pair
				 * crossed by name or order would differ. */
				c->decode->content.first = pic(
					w == 1280 ? 0 : 300, moved ? 300 : 100,
					w == 1280 ? 60 : -60);
			}
		}
		vsp_origin_judge_mismatch(s);
		vsp_stream_judge(s);
		if (other == 0) {
			assert_int_equal(s->n_mismatches, 0);
			assert_int_equal(s->v.status, VSP_PASS);
		} else {
			assert_int_equal(s->n_mismatches, 1);
			assert_string_equal(s->mismatches[0].field, "picture");
			assert_non_null(
				strstr(s->mismatches[0].message,
				       other == 1 ? "first picture of "
						    "video=3000000 segment 1"
						  : "; 2 of 2 renditions "
						    "compared differ"));
			if (other == 1)
				assert_non_null(
					strstr(s->mismatches[0].message,
					       "; 1 of 2 renditions compared "
					       "differ"));
		}
		vsp_stream_result_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_extent),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_pictures),
		cmocka_unit_test(test_pictures_ladder),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
