/*
 * validate.c - the checks a player makes on what decoded against what the
 * manifest declared: codec family, profile and level, resolution, duration.
 *
 * Pure functions of the result tree; no I/O.
 */
#include <errno.h>
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
				if (!video && strncasecmp(p, "mp4a.6b", 7) == 0)
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

/* H.264 profile_idc of avc1.PPCCLL and the FFmpeg profile names it covers. */
static int h264_profile_matches(unsigned idc, const char *name)
{
	static const struct {
		unsigned idc;
		const char *names;
	} map[] = {
		{ 66, "|Baseline|Constrained Baseline|" },
		{ 77, "|Main|" },
		{ 88, "|Extended|" },
		{ 100, "|High|" },
		{ 110, "|High 10|High 10 Intra|" },
		{ 122, "|High 4:2:2|High 4:2:2 Intra|" },
		{ 244, "|High 4:4:4 Predictive|High 4:4:4 Intra|" },
	};
	char key[64];

	snprintf(key, sizeof(key), "|%s|", name);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].idc == idc)
			return strstr(map[i].names, key) != NULL;
	return 1; /* a profile we do not know: no opinion */
}

/* The checks a player makes: codec family, profile/level, resolution,
 * duration. */
void validate_media(vsp_rendition_result *r, const struct seg_plan *p,
		    const char *seg_url)
{
	const vsp_decode_info *d = &r->decode;
	char decl[64];
	const char *fam;

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
	if (fam && strcmp(fam, "h264") == 0 && strlen(decl) >= 11 &&
	    d->profile[0]) {
		char hex[3] = { decl[5], decl[6], 0 },
		     lvl[3] = { decl[9], decl[10], 0 };
		char *e1, *e2;
		unsigned long idc = strtoul(hex, &e1, 16);
		unsigned long level = strtoul(lvl, &e2, 16);

		if (*e1 == '\0' && *e2 == '\0' &&
		    (!h264_profile_matches((unsigned)idc, d->profile) ||
		     (d->level > 0 && (unsigned long)d->level > level)))
			vsp_verdict_set(&r->v, VSP_WARN, VSP_R_PROFILE_MISMATCH,
					VSP_STAGE_VALIDATION,
					"%s: declared %s (profile %lu, level "
					"%lu) but the media is %s level %d",
					seg_url, decl, idc, level, d->profile,
					d->level);
	}
	if (r->width > 0 && r->height > 0 && d->width > 0 &&
	    (r->width != d->width || r->height != d->height))
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_RESOLUTION_MISMATCH,
				VSP_STAGE_VALIDATION,
				"%s: declared %dx%d but decoded %dx%d", seg_url,
				r->width, r->height, d->width, d->height);
	if (p->duration > 0 && d->media_duration_s > 0 &&
	    d->media_duration_s < p->duration * VSP_MIN_DURATION_RATIO)
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_DURATION_MISMATCH,
			VSP_STAGE_VALIDATION,
			"%s: media covers %.3f s of the %.3f s declared: "
			"playback would stall",
			seg_url, d->media_duration_s, p->duration);
}
