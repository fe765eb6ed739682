/*
 * dash_segment.h - DASH segment arithmetic: from a parsed MPD (dash.h), a
 * Representation and a clock to the one segment to probe. No I/O, no
 * clock of its own: "now" is always given.
 */
#ifndef VSP_DASH_SEGMENT_H
#define VSP_DASH_SEGMENT_H

#include <stdint.h>

#include "dash.h"

/* With no suggestedPresentationDelay, a live probe stays this far behind the
 * clock: a segment whose end is this close to "now" may still be being
 * written or pushed to the edge. */
#define VSP_DASH_LIVE_MARGIN_S 2.0

/* The one segment to fetch, all strings owned (vsp_dash_segment_clear()). */
typedef struct vsp_dash_segment {
	char *url;
	int64_t offset, length; /* length -1: whole resource */
	char *init_url;		/* NULL: no init segment */
	int64_t init_offset, init_length;
	int64_t number;	 /* $Number$ (or list index + startNumber) */
	int64_t time;	 /* $Time$, timescale units; 0 when unknown */
	double start;	 /* seconds from the period start */
	double duration; /* declared, seconds; 0 when unknown */
	int needs_index; /* SegmentBase: fetch the sidx first */
	int64_t index_offset, index_length;
} vsp_dash_segment;

/* The period a check probes at wall-clock now (Unix seconds): static, the
 * first; dynamic, the last one that has started. NULL when none has. */
const vsp_dash_period *vsp_dash_current_period(const vsp_dash_mpd *m,
					       double now);

/* The index-th segment (0: the first) of rep in period p. Returns 0, or -1
 * with a message when there is no such segment. */
int vsp_dash_segment_at(const vsp_dash_mpd *m, const vsp_dash_period *p,
			const vsp_dash_representation *rep, int64_t index,
			vsp_dash_segment *out, char *err, size_t errlen);

/* Segments rep has in period p: INT64_MAX when unknown (an open live
 * period), 1 for a single resource (SegmentBase, BaseURL). */
int64_t vsp_dash_segment_count(const vsp_dash_period *p,
			       const vsp_dash_representation *rep);

/*
 * The segment to probe at wall-clock now: VOD, the first; live, the newest
 * one whose end lies at least suggestedPresentationDelay (or
 * VSP_DASH_LIVE_MARGIN_S) before now, counted from availabilityStartTime and
 * Period@start, inside the timeShiftBufferDepth window. Returns 0, or -1 with
 * a message (nothing available yet, no addressing).
 */
int vsp_dash_pick_segment(const vsp_dash_mpd *m, const vsp_dash_period *p,
			  const vsp_dash_representation *rep, double now,
			  vsp_dash_segment *out, char *err, size_t errlen);
void vsp_dash_segment_clear(vsp_dash_segment *s);

/*
 * For a live Representation whose segments the MPD lists (a SegmentTimeline
 * whose last S has no r="-1"), when its newest listed segment ends (Unix
 * seconds, server clock), that segment's duration and $Number$. Returns 0;
 * -1 when the segments are computed from the clock instead (SegmentTemplate
 * @duration, an open-ended timeline) or the MPD is static: then a stopped
 * packager shows as a missing segment at the live edge, not in the MPD.
 */
int vsp_dash_newest_listed(const vsp_dash_mpd *m, const vsp_dash_period *p,
			   const vsp_dash_representation *r, double *end,
			   double *seg_duration, int64_t *number);

#endif
