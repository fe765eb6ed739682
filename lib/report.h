/*
 * report.h - `prober report`'s figures from the record files
 * (RESULTS/YYYY-MM-DD.jsonl): per probe and per origin over a window, the
 * number of checks, availability, time to first frame (p50/p95) and the
 * outage windows.
 *
 * Definitions (the README repeats them for users):
 * - available: a check whose status is not "fail" (a "warn" plays);
 *   availability = available checks / checks, in percent;
 * - an origin's time to first frame in one check is the best ttff_ms of its
 *   renditions; the stream's is the best of its origins; p50 and p95 use
 *   the nearest-rank method over the checks that have one;
 * - an outage is a run of consecutive failing checks: it starts at the
 *   first failing check and ends at the first check that plays again, or is
 *   "ongoing" (end = the last failing check) when none does in the window.
 *   The stream's outages (fewer than min_healthy origins played) are kept
 *   apart from each origin's own (redundancy lost while others played);
 * - live figures, from the records that have them: an origin's live-edge
 *   lag and playlist age in one check are the largest of its renditions'
 *   (live_check), its real-time factor the smallest (as the Nagios
 *   perfdata); the stream's are the best of its origins (smallest lag and
 *   age, largest factor), as for the time to first frame. Over the window:
 *   lag p50/p95 (nearest rank), the largest age, factor p50 and minimum,
 *   and the checks where stale_playlist, origin_lagging or slow_download
 *   was the reason of the origin or of one of its renditions (for the
 *   stream: of the stream, or of any origin or rendition).
 * Never prints; reads files only.
 */
#ifndef VSP_REPORT_H
#define VSP_REPORT_H

#include <stddef.h>

#include <jansson.h>

typedef struct vsp_outage {
	double start, end; /* Unix seconds */
	int ongoing;
	size_t checks; /* failing checks in the window */
	char *reason;  /* of the first failing check; owned, may be NULL */
	char *message; /* idem */
} vsp_outage;

typedef struct vsp_avail {
	char *name; /* origin name; the probe's for the stream */
	size_t checks, up, warn;
	double ttff_p50, ttff_p95; /* ms; -1 when no check had one */
	size_t n_ttff;
	vsp_outage *outages;
	size_t n_outages;
	double down_s; /* sum of the outages' durations */

	/* Live and delivery figures; a figure is valid only when its n_ is
	 * not 0 (a live-edge lag can be negative). */
	size_t live_checks;		   /* checks with a live rendition */
	double edge_lag_p50, edge_lag_p95; /* s */
	size_t n_edge_lag;
	double playlist_age_max; /* s */
	size_t n_playlist_age;
	double rtf_p50, rtf_min; /* segment real-time factor */
	size_t n_rtf;
	size_t stale_checks, lagging_checks, slow_checks; /* by reason */
} vsp_avail;

typedef struct vsp_report_probe {
	char *name;
	double first, last; /* times of its first and last check */
	vsp_avail stream;
	vsp_avail *origins; /* in order of first appearance */
	size_t n_origins;
	size_t degraded; /* checks where the stream played but an origin
			    did not: redundancy lost */
} vsp_report_probe;

typedef struct vsp_report {
	double since, until;
	vsp_report_probe *probes; /* sorted by name */
	size_t n_probes;
	size_t records;	  /* records in the window */
	size_t bad_lines; /* lines that are no record (skipped) */
	size_t files;	  /* record files read */
} vsp_report;

/*
 * Reads the record files of dir that can hold checks in [since, until]
 * (Unix seconds) and computes the report, for one probe when probe is not
 * NULL. Returns 0 with *out (free with vsp_report_free()), or -1 with a
 * message naming the folder or file in err.
 */
int vsp_report_build(const char *dir, double since, double until,
		     const char *probe, vsp_report **out, char *err,
		     size_t errlen);
void vsp_report_free(vsp_report *r);

/* The report as JSON; new reference, NULL on out of memory. */
json_t *vsp_report_json(const vsp_report *r);

/* "90s", "30m", "24h", "7d", "2w" (a bare number is seconds) into seconds,
 * more than 0 and at most ten years. Returns 0 or -1. */
int vsp_duration_parse(const char *s, double *seconds);

/* "2026-11-26T11:20:14.123Z" (records' format; fraction optional) into
 * Unix seconds. Returns 0 or -1. */
int vsp_time_parse(const char *s, double *unix_s);

#endif
