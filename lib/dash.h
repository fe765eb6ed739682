/*
 * dash.h - MPEG-DASH MPD parser (ISO/IEC 23009-1): bytes in, struct out, no
 * I/O. The arithmetic that turns a Representation and a clock into the one
 * segment to probe is dash_segment.h; SegmentTemplate expansion
 * dash_template.h; the sidx reader dash_sidx.h.
 *
 * An MPD is untrusted input. It is parsed with libxml2 with network access
 * off, no DTD loading, no entity substitution and libxml2's own limits kept
 * (no XML_PARSE_HUGE); a document with a DOCTYPE or any entity declaration is
 * rejected outright (that is where billion-laughs and external entities live,
 * and an MPD never needs one). The size is capped at VSP_MANIFEST_MAX_BYTES
 * and element nesting at VSP_XML_MAX_DEPTH. libxml2 2.9.14 has no
 * XML_PARSE_NO_XXE; the DOCTYPE rejection covers what it would.
 *
 * Every URL is resolved with libcurl's URL API: BaseURL elements at MPD,
 * Period, AdaptationSet and Representation level, in that order, against the
 * base given to vsp_dash_parse() (the MPD's final, post-redirect URL).
 * Without a base, relative URLs are kept as written.
 *
 * Dates and durations are read by datetime.h (RFC 3339 with XML whitespace,
 * ISO 8601 durations without years or months).
 */
#ifndef VSP_DASH_H
#define VSP_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"

/* Bytes of a UTCTiming http-iso / http-xsdate answer: one date. */
#define VSP_DASH_UTC_MAX_BYTES 1024L
typedef enum vsp_dash_addressing {
	VSP_DASH_ADDR_NONE = 0, /* only a BaseURL: the whole resource */
	VSP_DASH_ADDR_TEMPLATE, /* SegmentTemplate (@duration or timeline) */
	VSP_DASH_ADDR_LIST,	/* SegmentList */
	VSP_DASH_ADDR_BASE,	/* SegmentBase: one file, sidx names ranges */
} vsp_dash_addressing;

/* One SegmentTimeline S element; t is filled in when S@t is absent. */
typedef struct vsp_dash_s {
	int64_t t, d;
	int64_t r; /* repeats after the first; -1: until the next S or the end */
} vsp_dash_s;

typedef struct vsp_dash_seg_url {
	char *media;		/* resolved */
	int64_t offset, length; /* mediaRange; length -1: whole resource */
} vsp_dash_seg_url;

typedef struct vsp_dash_representation {
	char *id;
	int64_t bandwidth;
	int width, height; /* 0 when absent (inherited from the set) */
	double frame_rate; /* 0 when absent */
	char *codecs, *mime_type, *content_type; /* NULL when absent */
	int encrypted;	  /* ContentProtection here or on the set */
	char *drm_scheme; /* "cenc", "cbcs" or the first schemeIdUri */
	char *base_url;	  /* resolved chain of BaseURLs, NULL when none */

	vsp_dash_addressing addr;
	char *media;	      /* SegmentTemplate@media, as written */
	char *init_template;  /* SegmentTemplate@initialization, as written */
	uint64_t timescale;   /* 1 when absent */
	int64_t duration;     /* @duration in timescale units, 0 when absent */
	int64_t start_number; /* 1 when absent */
	int64_t pto;	      /* presentationTimeOffset */
	double ato;	      /* availabilityTimeOffset, seconds (0) */
	vsp_dash_s *timeline; /* NULL when no SegmentTimeline */
	size_t n_timeline;
	int has_timeline;	    /* 1 even for an empty SegmentTimeline */
	vsp_dash_seg_url *segments; /* SegmentList */
	size_t n_segments;
	char *init_url; /* resolved Initialization (List, Base) */
	int64_t init_offset, init_length;   /* length -1: whole resource */
	int64_t index_offset, index_length; /* SegmentBase@indexRange, -1 */
	int line;			    /* of the Representation element */
} vsp_dash_representation;

typedef struct vsp_dash_adaptation {
	char *id, *content_type, *mime_type, *lang; /* NULL when absent */
	vsp_dash_representation *reps;
	size_t n_reps;
} vsp_dash_adaptation;

typedef struct vsp_dash_period {
	char *id;
	double start;	 /* seconds from availabilityStartTime (or 0) */
	double duration; /* seconds; -1 when unknown (open live period) */
	vsp_dash_adaptation *sets;
	size_t n_sets;
} vsp_dash_period;

typedef struct vsp_dash_utc_timing {
	char *scheme, *value; /* value as written */
} vsp_dash_utc_timing;

/* Times are Unix seconds, durations seconds; -1 when absent. */
typedef struct vsp_dash_mpd {
	int dynamic;
	double availability_start; /* 0 when absent */
	double publish_time;	   /* 0 when absent */
	/* 1 when the attribute is present: 0 above is also the epoch
	 * (1970-01-01T00:00:00Z), which live sources such as DASH-IF's
	 * reference use as @availabilityStartTime. */
	int has_availability_start, has_publish_time;
	double media_duration, min_update_period, time_shift_buffer_depth,
		suggested_presentation_delay, min_buffer_time;
	vsp_dash_utc_timing *utc;
	size_t n_utc;
	vsp_dash_period *periods;
	size_t n_periods;
} vsp_dash_mpd;

/* 1 when the bytes look like an MPD: "<MPD" in the first 4 KiB. */
int vsp_dash_detect(const uint8_t *buf, size_t len);

/*
 * Parses len bytes (need not be NUL-terminated). base_url may be NULL.
 * Returns 0 and *out (caller frees with vsp_dash_free()); -1 on a malformed
 * document, -2 over a limit (size, depth, counts), VSP_E_NOMEM on out of
 * memory (error.h's VSP_E_*), with *out NULL and a message naming the
 * line, element and attribute in err.
 */
int vsp_dash_parse(const char *buf, size_t len, const char *base_url,
		   vsp_dash_mpd **out, char *err, size_t errlen);
/* The same within bound (NULL: none): -3 when the deadline came first, -2
 * when the document's tree does not fit the budget (reserved while it is
 * built, given back when it is freed, before this returns). */
int vsp_dash_parse_until(const char *buf, size_t len, const char *base_url,
			 const vsp_parse_bound *bound, vsp_dash_mpd **out,
			 char *err, size_t errlen);
void vsp_dash_free(vsp_dash_mpd *m);

/* ref against base as the MPD's own URLs are resolved: with libcurl, and
 * kept as written when base is NULL or not absolute (a local file read
 * without --base). Returns a malloc'd string, or NULL with a message. */
char *vsp_dash_resolve(const char *base, const char *ref, char *err,
		       size_t errlen);

#endif
