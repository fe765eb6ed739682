/*
 * nagios.h - the Nagios face: threshold ranges, performance data, and the
 * plugin output (status line, long output, perfdata) of one result tree,
 * by the Monitoring Plugins Development Guidelines.
 *
 * Everything here builds strings; printing them, the exit status and the
 * plugin's timeout are the program's (prober/nagios.c). Numbers are always
 * written with a decimal point, whatever the locale, because Icinga 2 and
 * the graphers reject a decimal comma.
 */
#ifndef VSP_NAGIOS_H
#define VSP_NAGIOS_H

#include <stddef.h>

#include "result.h"

/* Plugin states; the values are the plugin's exit status. */
typedef enum vsp_nagios_state {
	VSP_NAGIOS_OK = 0,
	VSP_NAGIOS_WARNING = 1,
	VSP_NAGIOS_CRITICAL = 2,
	VSP_NAGIOS_UNKNOWN = 3,
} vsp_nagios_state;

/* "OK", "WARNING", "CRITICAL", "UNKNOWN"; borrowed static strings. */
const char *vsp_nagios_state_name(vsp_nagios_state s);
/* Worst of two states by severity, CRITICAL > WARNING > UNKNOWN > OK
 * (monitoring-plugins' max_state_alt), not by the numeric exit status. */
vsp_nagios_state vsp_nagios_worst(vsp_nagios_state a, vsp_nagios_state b);
/* Parses ok|warning|critical|unknown (any case) or 0..3. Returns 0 or -1. */
int vsp_nagios_state_parse(const char *s, vsp_nagios_state *out);
/* The state of a verdict: pass OK, warn WARNING, fail CRITICAL. */
vsp_nagios_state vsp_nagios_from_status(vsp_status s);

/*
 * A threshold range, [@]start:end of the guidelines: an alert is raised
 * when the value is outside [start, end] (endpoints inclusive), or inside
 * it when the range starts with '@'. start is -INFINITY for '~', end is
 * INFINITY when left out after the colon.
 */
typedef struct vsp_range {
	double start, end;
	int inside; /* '@' */
} vsp_range;

/* Largest magnitude accepted in a range: beyond it a number is a typo, and
 * printing it would make a perfdata field hundreds of digits long. */
#define VSP_RANGE_MAX 1e15

/*
 * Parses the forms "10", "10:", "~:10", "10:20", "@10:20" (numbers may be
 * negative or have a fraction, written with a point). Returns 0, or -1
 * with a message naming the text and what is wrong in err.
 */
int vsp_range_parse(const char *s, vsp_range *r, char *err, size_t errlen);
/* 1 when value raises an alert for r, else 0. */
int vsp_range_alert(const vsp_range *r, double value);
/* Writes r in the guidelines' syntax, shortest form ("10", "10:",
 * "~:10", "@10:20"). snprintf semantics; returns the length needed. */
int vsp_range_format(const vsp_range *r, char *buf, size_t len);

/* One performance data metric. Strings are borrowed. */
typedef struct vsp_perf {
	const char *label;
	int known; /* 0: the value could not be determined: printed as U */
	double value;
	const char *uom; /* NULL or "" (a count), "s", "ms", "us", "%", "B",
			    "KB", "MB", "GB", "TB" or "c" */
	const vsp_range *warn, *crit; /* NULL: not set */
	int has_min, has_max;
	double min, max;
} vsp_perf;

/*
 * Writes 'label'=value[UOM];[warn];[crit];[min];[max], dropping trailing
 * empty fields. The label is quoted when it holds anything but letters,
 * digits and _ . : / - (a ' inside is doubled); '=', '|' and control
 * characters, which no quoting makes safe, become '_'. A value that is not
 * known, or not finite, is written U with no unit.
 * snprintf semantics: returns the length needed (excluding the NUL), or
 * -1 when the UOM is not one of the guidelines' (nothing written).
 */
int vsp_perf_format(const vsp_perf *p, char *buf, size_t len);

/* Characters of a label that graphers (RRD) keep apart. An origin's
 * metrics are labelled METRIC_NAME ("ttff_cdn-a") when that fits in them
 * for every metric (names up to 10 characters), else METRIC_HASH_NAME
 * ("ttff_3fa2c1_127.0.0.1:8080"), HASH six hex digits of the name alone:
 * a label depends only on its origin's name, so adding an origin never
 * renames another's metrics (graph history). */
#define VSP_PERF_LABEL_UNIQUE 19

/* How the plugin output of a result is built. */
typedef struct vsp_nagios_opts {
	const vsp_range *warn; /* on time to first frame, seconds; NULL none */
	const vsp_range *crit;
	int verbose; /* 0..3, the guidelines' -v levels */
	/* Live: on each origin's largest live-edge lag and playlist age,
	 * seconds (edge_lag_, pl_age_); NULL none. */
	const vsp_range *lag_warn, *lag_crit;
	const vsp_range *age_warn, *age_crit;
} vsp_nagios_opts;

/*
 * The plugin's state for s: the stream verdict (pass OK, warn WARNING,
 * fail CRITICAL), raised to CRITICAL when an origin's time to first frame
 * is outside crit (or its lag or age outside lag_crit, age_crit), else to
 * WARNING when outside warn (lag_warn, age_warn).
 */
vsp_nagios_state vsp_nagios_judge(const vsp_stream_result *s,
				  const vsp_nagios_opts *o);

/*
 * The whole plugin output of s:
 *
 *   VIDEO STATE - summary | perfdata
 *   long output, one line per origin and per rendition
 *
 * All perfdata sits on the first line, after the status text, which every
 * consumer (Nagios, Icinga 2, Naemon, Checkmk) reads. A metric without a
 * value (an origin that failed has no time to first frame) is left out,
 * never written U: Icinga 2 logs "Ignoring invalid perfdata" for U.
 * No '|' appears in any message. The output is capped at
 * VSP_NAGIOS_OUTPUT_MAX bytes (long output lines are dropped first).
 * Returns 0 with *out (caller frees with free(), ends with a newline) and
 * *state, or -1 on out of memory.
 */
int vsp_nagios_render(const vsp_stream_result *s, const vsp_nagios_opts *o,
		      vsp_nagios_state *state, char **out);

/* The status line's text stays within this many bytes: it must survive a
 * pager or SMS (160 characters). */
#define VSP_NAGIOS_STATUS_MAX 160
/* Whole output: Nagios 4 and NRPE cut plugin output past 64 KiB or less. */
#define VSP_NAGIOS_OUTPUT_MAX (64 * 1024)

#endif
