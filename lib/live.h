/*
 * live.h - the staleness decision for live manifests, as pure functions of
 * the evidence and a clock passed in, so that it is tested with a fixed
 * clock. Used by every protocol; no I/O.
 */
#ifndef VSP_LIVE_H
#define VSP_LIVE_H

#include "reason.h"

/* What one run saw of a live manifest. Unknown values are negative
 * (age_s, reload_span_s) or 0 (last_modified, newest_end). */
typedef struct vsp_live_evidence {
	double now;	      /* wall clock, Unix seconds */
	double age_s;	      /* HTTP Age of the first load */
	double last_modified; /* Last-Modified of the first load, Unix s:
			       * the header's whole seconds (read as "within
			       * the next second"); not for exact times such
			       * as a DASH publishTime */
	double newest_end;    /* when the newest segment ends, Unix s */
	double published;     /* when the manifest was made, exactly (DASH
			       * MPD@publishTime), Unix s; 0 none */
	double reload_span_s; /* first load to the last unchanged reload */
	int advanced;	      /* 1: a reload showed it moved on */
} vsp_live_evidence;

/* How long the manifest has not changed, at least, in seconds: the largest
 * of the evidence; -1 when there is none. Not meaningful when advanced. */
double vsp_live_unchanged_s(const vsp_live_evidence *e);

/* pass, warn (unchanged >= warn_factor x target duration) or fail (>=
 * fail_factor x). A manifest that moved on during the run passes. */
vsp_status vsp_live_staleness(const vsp_live_evidence *e, double target_s,
			      double warn_factor, double fail_factor);

#endif
