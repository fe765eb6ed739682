/*
 * report.h - `prober report`'s figures from the history index (store.h):
 * per probe, origin and vantage point over a window [since, until].
 *
 * Definitions (the README repeats them for users):
 * - a check's result holds from its time until the next check of the same
 *   series, at most 2 x the probe's interval (interval_s of its probe file,
 *   else the median gap between its checks, else 60 s), and never past
 *   `until`; time no result holds is "no data", shown and counted apart,
 *   never as up or down. The last check before `since` holds into the
 *   window;
 * - availability = time up (pass or warn: a warn plays) / time with data,
 *   in percent; with an SLO target (the probe's `slo`), the error budget
 *   is (100 - slo)% of the time with data, and what is left of it;
 * - `checks`, `up`, `warn` count the checks in the window;
 * - an origin's time to first frame in one check is its record's ttff_ms
 *   (result.h's vsp_origin_figures: the best of its renditions that play);
 *   the stream's is the best of its origins; p50 and p95
 *   use the nearest-rank method over the checks that have one;
 * - an outage is a run of time down with no gap: it starts at the first
 *   failing check (or `since`) and ends where the result stops holding
 *   (the first check that plays again, 2 x interval after the last failing
 *   one, or `until`); "ongoing" when it holds the series' last check. The
 *   stream's outages (fewer than min_healthy origins played) are kept
 *   apart from each origin's own, and name the origins down in them;
 * - vantage points: records carry "vantage" ("" when absent). Each vantage
 *   has its own figures; the combined view is down only where every
 *   vantage with data says down (the stream is down), and "partial" where
 *   some say down and others play (a path or region is down): partial
 *   time counts as up in the combined availability, and is shown;
 * - live figures, from the checks that have them: an origin's live-edge
 *   lag and playlist age in one check are the largest of its renditions',
 *   its real-time factor the smallest (its record's figures); the
 *   stream's are the best of its origins. Over the window: lag p50/p95 (nearest rank), the largest
 *   age, factor p50 and minimum, and the checks where stale_playlist,
 *   origin_lagging or slow_download was the reason of the origin or of one
 *   of its renditions (for the stream: of the stream or any origin).
 * Never prints; reads the store, or record files through an in-memory
 * store.
 */
#ifndef VSP_REPORT_H
#define VSP_REPORT_H

#include <stddef.h>

#include <jansson.h>

struct vsp_store;

/* States of a span of the timeline. */
enum {
	VSP_SPAN_UP = 0,
	VSP_SPAN_DEGRADED = 1, /* warn, or (stream) redundancy lost */
	VSP_SPAN_DOWN = 2,
	VSP_SPAN_PARTIAL = 3 /* combined view: down from some vantages */
};

/* Buckets of the time-to-first-frame series (the HTML chart). */
#define VSP_REPORT_BUCKETS 120

typedef struct vsp_span {
	double start, end; /* Unix s; between spans: no data */
	int state;
} vsp_span;

typedef struct vsp_outage {
	double start, end;  /* Unix seconds */
	double first_check; /* time of its first failing check */
	int ongoing;
	size_t checks; /* failing checks in the window */
	char *reason;  /* of the first failing check; owned, may be NULL */
	char *message; /* idem */
	char *where;   /* owned, may be NULL: the origins down in a stream
			  outage; the vantages down in a partial one */
} vsp_outage;

typedef struct vsp_avail {
	char *name; /* origin name; the probe's for the stream */
	size_t checks, up, warn;
	/* Time-weighted figures, seconds: up includes degraded (and, in a
	 * combined view, partial). */
	double up_s, degraded_s, down_s, partial_s, nodata_s;
	double availability;	   /* percent of time with data; -1 no data */
	double ttff_p50, ttff_p95; /* ms; -1 when no check had one */
	size_t n_ttff;
	double ttff_bucket[VSP_REPORT_BUCKETS]; /* mean ms; -1 none */
	vsp_outage *outages;
	size_t n_outages;
	vsp_outage *partial; /* combined view: down from some vantages */
	size_t n_partial;
	vsp_span *spans; /* the timeline, merged */
	size_t n_spans;
	char *thumb; /* owned, may be NULL: the latest thumbnail named */

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

/* One vantage point's view of a probe. */
typedef struct vsp_report_view {
	char *name; /* the vantage ("" the default); the combined view: NULL */
	vsp_avail stream;
	vsp_avail *origins; /* in order of first appearance */
	size_t n_origins;
	size_t degraded; /* checks where the stream played but an origin
			    did not: redundancy lost */
} vsp_report_view;

typedef struct vsp_report_probe {
	char *name;
	double interval_s;  /* the one used for the holds */
	double slo;	    /* percent; 0 none */
	double first, last; /* times of its first and last check */
	/* The combined view (the one vantage's when there is one). */
	vsp_avail stream;
	vsp_avail *origins;
	size_t n_origins;
	size_t degraded;
	vsp_report_view *vantages; /* sorted by name */
	size_t n_vantages;
} vsp_report_probe;

typedef struct vsp_report {
	double since, until;
	vsp_report_probe *probes; /* sorted by name */
	size_t n_probes;
	size_t records;	  /* checks in the window */
	size_t bad_lines; /* lines that are no record (skipped) */
	size_t files;	  /* record files read */
} vsp_report;

/* What the report knows of a probe from its probe file. */
typedef struct vsp_report_target {
	const char *name;
	double interval_s; /* 0: unknown */
	double slo;	   /* 0: none */
} vsp_report_target;

typedef struct vsp_report_opts {
	double since, until; /* Unix s */
	const char *probe;   /* NULL: every probe */
	const vsp_report_target *targets;
	size_t n_targets;
} vsp_report_opts;

/* The report from a store. Returns 0 with *out (free with
 * vsp_report_free()), or -1 with a message in err. */
int vsp_report_from_store(struct vsp_store *s, const vsp_report_opts *o,
			  vsp_report **out, char *err, size_t errlen);

/*
 * The same from the record files of dir, through a store in memory
 * (tests, one-off reports of a copied folder). Returns 0 or -1 with a
 * message naming the folder or file in err.
 */
int vsp_report_build(const char *dir, double since, double until,
		     const char *probe, vsp_report **out, char *err,
		     size_t errlen);
void vsp_report_free(vsp_report *r);

/* The report as JSON; new reference, NULL on out of memory. */
json_t *vsp_report_json(const vsp_report *r);

#endif
