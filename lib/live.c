/*
 * live.c - is a live manifest stale? Decided from evidence gathered in one
 * bounded run: reloads, the HTTP Age and Last-Modified of the manifest, and
 * the wall-clock end of its newest segment (PROGRAM-DATE-TIME, or DASH
 * availability times). Pure functions: the clock is an argument.
 */
#include "live.h"

#include <math.h>

/* Last-Modified is an HTTP-date: whole seconds, the fraction cut off. A
 * header of second S means a change within [S, S + 1): at least now - S - 1
 * ago, and at least 0 when that is negative (the header still says when).
 * Taking S itself overstates by up to a second, which on a 1 s target
 * duration is most of the 1.5x warn threshold: a false warn on a healthy
 * stream probed without time for a reload. A header after the clock (a
 * skewed origin) is no evidence. */
static const double http_date_resolution_s = 1.0;

double vsp_live_unchanged_s(const vsp_live_evidence *e)
{
	double u = -1;

	if (e->reload_span_s >= 0)
		u = fmax(u, e->reload_span_s);
	if (e->age_s >= 0)
		u = fmax(u, e->age_s);
	if (e->last_modified > 0 && e->now >= e->last_modified)
		u = fmax(u, fmax(0, e->now - e->last_modified -
					    http_date_resolution_s));
	if (e->newest_end > 0)
		u = fmax(u, e->now - e->newest_end);
	if (e->published > 0)
		u = fmax(u, e->now - e->published);
	return u;
}

vsp_status vsp_live_staleness(const vsp_live_evidence *e, double target_s,
			      double warn_factor, double fail_factor)
{
	double u;

	if (e->advanced || target_s <= 0)
		return VSP_PASS;
	u = vsp_live_unchanged_s(e);
	if (u >= fail_factor * target_s)
		return VSP_FAIL;
	if (u >= warn_factor * target_s)
		return VSP_WARN;
	return VSP_PASS;
}
