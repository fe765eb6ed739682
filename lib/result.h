/*
 * result.h - the result tree of one check: stream -> origins -> renditions ->
 * steps, and the verdict rules of DESIGN.md that aggregate it.
 *
 * Built by probe.c, rendered by record.c (JSON) and by the program (table,
 * Nagios). Every string in the tree is owned by the tree.
 */
#ifndef VSP_RESULT_H
#define VSP_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "decode.h"
#include "http.h"
#include "reason.h"

/* A verdict with the first reason that caused it. */
typedef struct vsp_verdict {
	vsp_status status;
	vsp_reason reason;
	vsp_stage stage;
	char *message; /* owned; NULL when pass */
} vsp_verdict;

/* One segment a rendition check touched (issue 11): the decoded first (or
 * newest and start, live), the sniffed sample, a removed one. */
typedef struct vsp_segment_check {
	int64_t index;	   /* media sequence number / DASH $Number$ */
	int role;	   /* vsp_seg_role (sample.h) */
	vsp_status status; /* pass, or fail/warn when it set the verdict */
	vsp_http_step http;
	int action;	       /* VSP_SEG_DECODED, _SNIFFED, _STATUS */
	const char *container; /* sniffed: static name; NULL not judged */
	/* Decoded only (owned, NULL otherwise): packets, frames and the
	 * integrity counts vsp_decode_info carries. */
	vsp_decode_info *decode;
} vsp_segment_check;

/* What a rendition is; the record's "kind" strings, from one table.
 * X(ENUM, name) */
#define VSP_KIND_MAP(X)       \
	X(VARIANT, "variant") \
	X(AUDIO, "audio")     \
	X(VIDEO, "video")     \
	X(MEDIA, "media")

#define VSP_X_KIND(e, name) VSP_KIND_##e,
typedef enum vsp_kind {
	VSP_KIND_NONE = 0, /* not known: the record says null */
	VSP_KIND_MAP(VSP_X_KIND) VSP_KIND_COUNT
} vsp_kind;
#undef VSP_X_KIND

/* "variant", ...; NULL for VSP_KIND_NONE. Borrowed static strings. */
const char *vsp_kind_name(vsp_kind k);

/* What was done with a checked segment. */
enum {
	VSP_SEG_DECODED = 0, /* fetched whole, demuxed and decoded */
	VSP_SEG_SNIFFED,     /* first bytes fetched, container sniffed */
	VSP_SEG_STATUS,	     /* existence and status only (DRM, whole-body
				answer to a Range at an offset, removed) */
};

typedef struct vsp_rendition_result {
	vsp_verdict v;
	vsp_kind kind; /* media: a playlist given, no master */
	char *name;    /* human label, e.g. "640x360" or "audio/en" */
	char *uri;     /* media playlist URL (resolved) */
	char *group;   /* EXT-X-MEDIA GROUP-ID for alternates, NULL otherwise */
	char *audio_group, *video_group; /* groups a variant depends on */
	int64_t bandwidth;
	int width, height; /* declared, 0 unknown */
	char *codecs;	   /* declared, NULL unknown */
	double frame_rate;
	int live;
	int encrypted;	  /* SAMPLE-AES / DRM: demuxed, not decoded */
	char *key_method; /* "AES-128", "SAMPLE-AES", NULL */
	int64_t segment_seq;
	double segment_duration; /* declared, seconds */
	vsp_http_step playlist, key, init, segment;
	int decoded; /* 1 when decode ran */
	vsp_decode_info decode;
	double ttff_ms; /* time to first frame, 0 when none */

	/* Delivery speed of the probed segment. */
	double rtf; /* real-time factor: duration / download, 0 unknown */
	double measured_bps; /* bytes * 8 / download time, 0 unknown */

	/* Live: what one run can tell about the playlist's freshness. */
	double target_duration; /* seconds, 0 unknown */
	int64_t newest_seq;	/* newest listed segment at the first load */
	double newest_end;	/* Unix s its PROGRAM-DATE-TIME ends, 0 none */
	double live_edge_lag_s; /* clock minus newest_end, when known */
	int has_live_edge_lag;
	double playlist_age_s; /* time since the playlist last changed */
	int has_playlist_age;
	int reloads;	     /* reloads made */
	int advanced;	     /* 1 moved between loads, 0 not, -1 unknown */
	char *live_note;     /* why a check could not be made, owned */
	double origin_lag_s; /* behind the most advanced origin */
	int has_origin_lag;

	/* VOD: the whole media playlist (or MPD Period) as listed, for
	 * compare.c; has_vod 0 when live or the playlist was not read. */
	int has_vod;
	double vod_duration_s;
	int64_t segment_count; /* 0 unknown (SegmentBase: its sidx unread) */
	/* Every segment the check touched, in the order touched (owned). */
	vsp_segment_check *segs;
	size_t n_segs, segs_alloc;
	int64_t segs_listed; /* segments the playlist/MPD lists; 0 unknown */

	/* Content checks over the decoded segments (issue 13); has_content
	 * 0 when none ran. thumbnail: path of the saved first picture,
	 * owned, NULL none. */
	int has_content;
	vsp_content_result content;
	char *thumbnail;
	/* Conformance findings on its playlist / Representation and across
	 * live reloads (conform.h); owned, NULL none. */
	struct vsp_conform_list *conformance;
} vsp_rendition_result;

/* One rendition as the manifest declares it: the whole ladder, not only the
 * renditions the probe's rule picked, so origins compare whatever is probed.
 * Strings owned by the origin. */
typedef struct vsp_ladder_entry {
	vsp_kind kind;	   /* media: no master */
	char *codecs;	   /* declared, NULL unknown */
	char *lang;	   /* alternates: LANGUAGE, @lang; NULL none */
	int width, height; /* 0 unknown */
	int64_t bandwidth; /* 0 unknown */
} vsp_ladder_entry;

/*
 * An origin's figures in one check, computed once from its renditions by
 * vsp_origin_judge: the plugin, the record (and through it the report and
 * the history), the metrics and `prober watch` read these, none computes
 * its own. has_* 0 when no rendition has the figure.
 */
typedef struct vsp_origin_figures {
	/* Time to first frame: the smallest ttff_ms of the renditions that
	 * play (status not fail; a failed rendition has no time to first
	 * frame), as a player starts on the fastest one it can; best is that
	 * rendition's index (the first of equals). */
	int has_ttff;
	double ttff_ms;
	size_t best;
	/* Live: the largest live-edge lag and playlist age of any rendition
	 * (the stalest is what a player on it sees; a stale rendition fails,
	 * so the fastest playable one would hide it), and the smallest
	 * real-time factor (the rendition that would rebuffer first). */
	int has_edge_lag, has_playlist_age, has_rtf;
	double edge_lag_s, playlist_age_s, rtf;
} vsp_origin_figures;

typedef struct vsp_origin_result {
	vsp_verdict v;
	char *name, *url;
	const char *protocol; /* "hls", "dash", static; NULL unknown */
	int live;
	/* Server clock minus ours, seconds, from a DASH UTCTiming element;
	 * has_clock_offset 0 when none was used. */
	double clock_offset_s;
	int has_clock_offset;
	vsp_http_step manifest;
	vsp_rendition_result *renditions;
	size_t n_renditions;
	size_t n_playable; /* renditions whose status is not fail */

	/* The ladder the manifest declares; has_ladder 0 when the manifest
	 * was not read. Capped at VSP_LADDER_MAX_ENTRIES (ladder_truncated). */
	vsp_ladder_entry *ladder;
	size_t n_ladder;
	int has_ladder, ladder_truncated;
	/* VOD extent of the origin (compare.c): its longest probed rendition;
	 * vod_duration_s 0 and segment_count 0 when unknown. */
	double vod_duration_s;
	int64_t segment_count;
	/* Set by vsp_origin_judge (whatever the verdict). */
	vsp_origin_figures fig;
} vsp_origin_result;

/* One way an origin does not serve the same stream as the reference origin
 * (the first whose manifest was read). */
typedef struct vsp_origin_mismatch {
	size_t origin, ref; /* indices into the stream's origins */
	const char *field;  /* "protocol", "type", "ladder", "vod_duration",
			       "segment_count", "picture": static */
	vsp_stage stage;
	char *message; /* owned */
} vsp_origin_mismatch;

typedef struct vsp_stream_result {
	vsp_verdict v;
	char *probe;
	double time; /* wall clock start, Unix seconds */
	double duration_ms;
	int min_healthy;
	vsp_origin_result *origins;
	size_t n_origins;
	size_t n_healthy; /* origins that play (status not fail) */
	/* compare.c: how the origins differ; worth a warn (origin_mismatch). */
	vsp_origin_mismatch *mismatches;
	size_t n_mismatches;
	/* The prober's own failure while judging (error.h's VSP_E_NOMEM:
	 * compare.c out of memory), 0: none. Never a verdict: the check
	 * returns it as its error (probe_error.c). */
	int judge_err;
} vsp_stream_result;

/* Sets v to status/reason/stage with a printf-style message, unless v already
 * holds a verdict at least as bad (the first, worst error wins). */
void vsp_verdict_set(vsp_verdict *v, vsp_status status, vsp_reason reason,
		     vsp_stage stage, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Origin verdict from its renditions, stream verdict from its origins (the
 * rules of DESIGN.md "Verdicts"). Origin mismatches (s->mismatches) warn
 * below a fail and redundancy_lost, above an origin's own warning.
 * vsp_origin_judge also sets o->fig from the renditions as they are. */
void vsp_origin_judge(vsp_origin_result *o);
void vsp_stream_judge(vsp_stream_result *s);

void vsp_rendition_result_clear(vsp_rendition_result *r);
/* Appends a zeroed check to r (up to VSP_MAX_SEGMENT_CHECKS + a few for
 * the live roles). Returns it, or NULL when full or out of memory. */
vsp_segment_check *vsp_segment_check_add(vsp_rendition_result *r);
void vsp_origin_result_clear(vsp_origin_result *o);
void vsp_ladder_entry_clear(vsp_ladder_entry *e);
/* Frees the tree; accepts NULL and half-built trees. */
void vsp_stream_result_free(vsp_stream_result *s);

#endif
