/*
 * validate.c - the checks a player makes on what decoded against what the
 * manifest declared: codec family, profile and level, resolution, duration.
 *
 * Pure functions of the result tree; no I/O.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "limits.h"
#include "probe_int.h"

/* Codec families as players name them in CODECS, and FFmpeg's decoder
 * names. */
static const struct {
	const char *prefix;
	const char *family;
	int video;
} codec_families[] = {
	{ "avc1", "h264", 1 }, { "avc3", "h264", 1 }, { "hvc1", "hevc", 1 },
	{ "hev1", "hevc", 1 }, { "dvh1", "hevc", 1 }, { "dvhe", "hevc", 1 },
	{ "av01", "av1", 1 },  { "vp09", "vp9", 1 },  { "vp9", "vp9", 1 },
	{ "vp8", "vp8", 1 },   { "mp4a", "aac", 0 },  { "ac-3", "ac3", 0 },
	{ "ec-3", "eac3", 0 }, { "opus", "opus", 0 }, { "fLaC", "flac", 0 },
	{ "mp3", "mp3", 0 },
};

/* Finds the first entry of the wanted kind in a CODECS list. Copies it to
 * buf; returns its family or NULL. */
static const char *declared_codec(const char *codecs, int video, char *buf,
				  size_t len)
{
	const char *p = codecs;

	while (p && *p) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ",");
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (size_t i = 0;
		     i < sizeof(codec_families) / sizeof(codec_families[0]);
		     i++) {
			size_t k = strlen(codec_families[i].prefix);

			if (codec_families[i].video == video && n >= k &&
			    strncasecmp(p, codec_families[i].prefix, k) == 0 &&
			    (n == k || p[k] == '.')) {
				snprintf(buf, len, "%.*s", (int)n, p);
				/* MPEG-1/2 layer III in mp4a is mp3. */
				if (!video &&
				    strncasecmp(p, "mp4a.40.34", 10) == 0)
					return "mp3";
				if (!video &&
				    (strncasecmp(p, "mp4a.6b", 7) == 0 ||
				     strncasecmp(p, "mp4a.69", 7) == 0))
					return "mp3";
				return codec_families[i].family;
			}
		}
		p += strcspn(p, ",");
	}
	return NULL;
}

int vsp_codecs_audio_only(const char *codecs)
{
	char buf[64];

	return codecs && !declared_codec(codecs, 1, buf, sizeof(buf)) &&
	       declared_codec(codecs, 0, buf, sizeof(buf));
}

unsigned vsp_codecs_tracks(const char *codecs)
{
	char buf[64];
	unsigned t = 0;

	if (!codecs)
		return 0;
	if (declared_codec(codecs, 1, buf, sizeof(buf)))
		t |= VSP_TRACK_VIDEO;
	if (declared_codec(codecs, 0, buf, sizeof(buf)))
		t |= VSP_TRACK_AUDIO;
	return t;
}

/* 1 when a decoder of the declared H.264 profile_idc decodes media of the
 * FFmpeg profile name: the media's own profile, or one the declared one
 * contains (H.264 A.2: Constrained Baseline is in Main and High, Main in
 * High, High in High 10, ...). A player creates its decoder from the
 * declared profile, so a declared superset plays; a declared subset may
 * not on a device limited to it. */
static int h264_profile_matches(unsigned idc, const char *name)
{
	static const struct {
		const char *name;
		const char *idcs; /* declared profile_idc that decode it */
	} map[] = {
		{ "Constrained Baseline", "|66|77|88|100|110|122|244|" },
		{ "Baseline", "|66|88|" },
		{ "Main", "|77|100|110|122|244|" },
		{ "Extended", "|88|" },
		{ "High", "|100|110|122|244|" },
		{ "High 10", "|110|122|244|" },
		{ "High 10 Intra", "|110|122|244|" },
		{ "High 4:2:2", "|122|244|" },
		{ "High 4:2:2 Intra", "|122|244|" },
		{ "High 4:4:4 Predictive", "|244|" },
		{ "High 4:4:4 Intra", "|244|" },
	};
	char key[16];

	snprintf(key, sizeof(key), "|%u|", idc);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0)
			return strstr(map[i].idcs, key) != NULL;
	return 1; /* a profile we do not know: no opinion */
}

/* 1 when s is exactly n characters of the digits of base (10 or 16). */
static int all_digits(const char *s, size_t n, int hex)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(hex && ((s[i] >= 'a' && s[i] <= 'f') ||
			      (s[i] >= 'A' && s[i] <= 'F'))))
			return 0;
	return 1;
}

/* profile_idc and level_idc of an H.264 CODECS entry, written either as
 * RFC 6381's avc1.PPCCLL (hex, any case) or as the legacy decimal
 * avc1.PROFILE.LEVEL ("avc1.66.30", "avc1.100.40") that older Apple
 * examples and some encoders still write. Returns 0, or -1 when it is
 * neither (then no profile opinion is given). */
static int h264_codecs_parse(const char *decl, unsigned *profile,
			     unsigned *level)
{
	const char *s = strchr(decl, '.'), *dot;
	unsigned long v;

	if (!s)
		return -1;
	s++;
	dot = strchr(s, '.');
	if (!dot && strlen(s) == 6 && all_digits(s, 6, 1)) {
		char pp[3] = { s[0], s[1], 0 }, ll[3] = { s[4], s[5], 0 };

		*profile = (unsigned)strtoul(pp, NULL, 16);
		*level = (unsigned)strtoul(ll, NULL, 16);
		return 0;
	}
	if (dot && dot - s <= 3 && all_digits(s, (size_t)(dot - s), 0) &&
	    strlen(dot + 1) <= 3 && all_digits(dot + 1, strlen(dot + 1), 0)) {
		v = strtoul(s, NULL, 10);
		*profile = (unsigned)v;
		*level = (unsigned)strtoul(dot + 1, NULL, 10);
		return 0;
	}
	return -1;
}

/* 1 when the declared w x h is within VSP_RESOLUTION_SLACK_PX of w2 x h2. */
static int size_near(int w, int h, double w2, double h2)
{
	return fabs((double)w - w2) <= VSP_RESOLUTION_SLACK_PX &&
	       fabs((double)h - h2) <= VSP_RESOLUTION_SLACK_PX;
}

/* 1 when w x h is the display size of coded cw x ch with sample aspect
 * ratio num:den. Players and packagers stretch the width (ffmpeg, Shaka
 * Packager, Bento4, browsers); some keep the width and scale the height
 * when pixels are tall. */
static int display_near(int w, int h, int cw, int ch, int num, int den)
{
	if (num <= 0 || den <= 0)
		return 0;
	return size_near(w, h, (double)cw * num / den, ch) ||
	       size_near(w, h, cw, (double)ch * den / num);
}

/* The resolution rule: a declared size is right when it is the coded size
 * or the display size (RFC 8216 4.3.4.2 says RESOLUTION is the size to
 * display; DASH @width/@height are on the @sar grid, which packagers fill
 * either way), by the bitstream's or the container's aspect ratio. */
static int resolution_matches(int w, int h, const vsp_decode_info *d)
{
	return size_near(w, h, d->width, d->height) ||
	       display_near(w, h, d->width, d->height, d->sar_num,
			    d->sar_den) ||
	       display_near(w, h, d->width, d->height, d->container_sar_num,
			    d->container_sar_den);
}

/* Profile and level: warn when a device limited to the declared profile
 * and level might not decode the media. */
static void validate_profile(vsp_rendition_result *r, const char *decl,
			     const char *seg_url)
{
	const vsp_decode_info *d = &r->decode;
	unsigned idc, level;

	if (!d->profile[0] || h264_codecs_parse(decl, &idc, &level) != 0)
		return;
	if (!h264_profile_matches(idc, d->profile) ||
	    (d->level > 0 && (unsigned)d->level > level))
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_PROFILE_MISMATCH,
				VSP_STAGE_VALIDATION,
				"%s: declared %s (profile %u, level %u) but "
				"the media is %s level %d",
				seg_url, decl, idc, level, d->profile,
				d->level);
}

static void validate_resolution(vsp_rendition_result *r, const char *seg_url)
{
	const vsp_decode_info *d = &r->decode;
	char shown[64] = "";

	if (r->width <= 0 || r->height <= 0 || d->width <= 0 ||
	    resolution_matches(r->width, r->height, d))
		return;
	if (d->sar_num > 0 && d->sar_num != d->sar_den)
		snprintf(shown, sizeof(shown),
			 " (pixel aspect %d:%d, shown %.0fx%d)", d->sar_num,
			 d->sar_den, (double)d->width * d->sar_num / d->sar_den,
			 d->height);
	vsp_verdict_set(&r->v, VSP_WARN, VSP_R_RESOLUTION_MISMATCH,
			VSP_STAGE_VALIDATION,
			"%s: declared %dx%d but decoded %dx%d%s", seg_url,
			r->width, r->height, d->width, d->height, shown);
}

/* The checks a player makes: codec family, profile/level, resolution,
 * duration. */
void vsp_validate_media(vsp_rendition_result *r, const struct seg_plan *p,
			const char *seg_url)
{
	const vsp_decode_info *d = &r->decode;
	char decl[64];
	const char *fam;

	(void)p; /* the duration is vsp_validate_duration()'s */
	if (r->encrypted)
		return;
	fam = r->codecs ? declared_codec(r->codecs, d->width > 0, decl,
					 sizeof(decl))
			: NULL;
	if (fam && d->codec[0] && strcmp(fam, d->codec) != 0) {
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_CODEC_MISMATCH,
			VSP_STAGE_VALIDATION,
			"%s: declared codec %s (%s) but the media is %s: "
			"players that set up the decoder from CODECS "
			"reject it",
			seg_url, decl, fam, d->codec);
		return;
	}
	if (fam && strcmp(fam, "h264") == 0)
		validate_profile(r, decl, seg_url);
	validate_resolution(r, seg_url);
}

int vsp_validate_duration(vsp_rendition_result *r, const struct seg_plan *p,
			  const char *seg_url, const char *also)
{
	const vsp_decode_info *d = &r->decode;
	double slack = p->duration * VSP_DURATION_SHORT_RATIO;

	if (slack < VSP_DURATION_SHORT_S)
		slack = VSP_DURATION_SHORT_S;
	/* Only short media: a segment longer than declared plays whole. */
	if (!(p->duration > 0) || !(d->media_duration_s > 0) ||
	    p->duration - d->media_duration_s <= slack)
		return 0;
	vsp_verdict_set(
		&r->v, VSP_FAIL, VSP_R_DURATION_MISMATCH, VSP_STAGE_DECODE,
		"segment %lld: %s: media covers %.3f s of the %.3f s "
		"declared (short by more than %.1f s): a player "
		"stalls or skips the gap%s%s",
		(long long)p->seq, seg_url, d->media_duration_s, p->duration,
		slack, also ? "; also " : "", also ? also : "");
	return 1;
}

int vsp_validate_tracks(vsp_rendition_result *r, const struct seg_plan *p,
			const char *seg_url, int frames)
{
	const vsp_decode_info *d = &r->decode;
	char decl[64];
	const char *fam;
	int64_t want;

	if (!r->codecs)
		return 0;
	if ((p->tracks & VSP_TRACK_VIDEO) && !d->has_video) {
		declared_codec(r->codecs, 1, decl, sizeof(decl));
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TRACK_MISSING,
				VSP_STAGE_VALIDATION,
				"%s: CODECS \"%s\" declares video (%s) but "
				"the segment carries none (streams: %s): "
				"viewers get no picture",
				seg_url, r->codecs, decl,
				d->streams[0] ? d->streams : "none");
		return 1;
	}
	/* Beside video only: an audio rendition's audio is its own
	 * decode. */
	if (!(p->tracks & VSP_TRACK_AUDIO) || !d->has_video)
		return 0;
	fam = declared_codec(r->codecs, 0, decl, sizeof(decl));
	if (!d->has_audio) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TRACK_MISSING,
				VSP_STAGE_VALIDATION,
				"%s: CODECS \"%s\" declares audio (%s) but "
				"the segment carries none (streams: %s): "
				"viewers get no sound",
				seg_url, r->codecs, decl,
				d->streams[0] ? d->streams : "none");
		return 1;
	}
	if (fam && d->audio_codec[0] && strcmp(fam, d->audio_codec) != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_CODEC_MISMATCH,
				VSP_STAGE_VALIDATION,
				"%s: declared audio codec %s (%s) but the "
				"audio is %s: players that set up the decoder "
				"from CODECS reject it",
				seg_url, decl, fam, d->audio_codec);
		return 1;
	}
	/* Encrypted samples are demuxed, not decoded: presence is all. */
	if (r->encrypted)
		return 0;
	want = d->audio_packets < frames ? d->audio_packets : frames;
	if (d->audio_frames == 0 || d->audio_frames < want) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TRACK_MISSING,
				VSP_STAGE_VALIDATION,
				"%s: CODECS \"%s\" declares audio (%s); the "
				"segment's %s audio decodes %d frames of %lld "
				"packets: viewers get no sound",
				seg_url, r->codecs, decl, d->audio_codec,
				d->audio_frames, (long long)d->audio_packets);
		return 1;
	}
	return 0;
}
