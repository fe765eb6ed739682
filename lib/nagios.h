/*
 * nagios.h - the Nagios face: the plugin output (status line, long output,
 * perfdata) of one result tree and the plugin's state for it, by the
 * Monitoring Plugins Development Guidelines. States, ranges and the
 * perfdata syntax are plugin.h's (included here).
 *
 * Everything here builds strings; printing them, the exit status and the
 * plugin's timeout are the program's (prober/nagios.c). Numbers are always
 * written with a decimal point, whatever the locale, because Icinga 2 and
 * the graphers reject a decimal comma.
 */
#ifndef VSP_NAGIOS_H
#define VSP_NAGIOS_H

#include <stddef.h>

#include "plugin.h"
#include "result.h"

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
 * Both below read s as vsp_stream_judge and vsp_origin_judge left it
 * (the origins' figures, o->fig, are the judge's).
 *
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
