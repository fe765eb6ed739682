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

	(void)p; /* the duration is validate_duration()'s */
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
}

int validate_duration(vsp_rendition_result *r, const struct seg_plan *p,
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

int validate_tracks(vsp_rendition_result *r, const struct seg_plan *p,
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
