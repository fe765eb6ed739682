/*
 * plugin.h - the rules every monitoring plugin follows, by the Monitoring
 * Plugins Development Guidelines: states and their worst-of, threshold
 * ranges ([@]start:end), and one performance data metric.
 *
 * Pure string work on plain values; the rendering of a result tree with
 * these rules is nagios.h's. Numbers are always written with a decimal
 * point, whatever the locale, because Icinga 2 and the graphers reject a
 * decimal comma.
 */
#ifndef VSP_PLUGIN_H
#define VSP_PLUGIN_H

#include <stddef.h>

#include "reason.h"

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

/*
 * A finite number in the guidelines' class [-0-9.]: fixed point, at most
 * `decimals` digits after the point, trailing zeros dropped, never "-0".
 * Whatever LC_NUMERIC says, the separator written is a point. snprintf
 * semantics.
 */
int vsp_plugin_number(double v, int decimals, char *buf, size_t len);

#endif
