/*
 * plugin.c - the rules every monitoring plugin follows, by the Monitoring
 * Plugins Development Guidelines (monitoring-plugins keeps them in
 * lib/utils_base.c): states and their worst-of, threshold ranges, and the
 * performance data syntax.
 *
 * Knows nothing of a result tree (nagios.c renders one with these rules).
 * Builds strings only: never prints, never exits. Numbers are always
 * written with a point, whatever the locale: Icinga 2 ignores a perfdata
 * value with a decimal comma.
 */
#include "plugin.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- states ---- */

const char *vsp_nagios_state_name(vsp_nagios_state s)
{
	switch (s) {
	case VSP_NAGIOS_OK:
		return "OK";
	case VSP_NAGIOS_WARNING:
		return "WARNING";
	case VSP_NAGIOS_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

/* Severity rank: the numeric exit status puts UNKNOWN (3) above CRITICAL
 * (2), which is not what an operator means by "worse". */
static int severity(vsp_nagios_state s)
{
	switch (s) {
	case VSP_NAGIOS_OK:
		return 0;
	case VSP_NAGIOS_WARNING:
		return 2;
	case VSP_NAGIOS_CRITICAL:
		return 3;
	default:
		return 1;
	}
}

vsp_nagios_state vsp_nagios_worst(vsp_nagios_state a, vsp_nagios_state b)
{
	return severity(a) >= severity(b) ? a : b;
}

int vsp_nagios_state_parse(const char *s, vsp_nagios_state *out)
{
	static const struct {
		const char *name;
		vsp_nagios_state state;
	} names[] = {
		{ "ok", VSP_NAGIOS_OK },
		{ "0", VSP_NAGIOS_OK },
		{ "warning", VSP_NAGIOS_WARNING },
		{ "1", VSP_NAGIOS_WARNING },
		{ "critical", VSP_NAGIOS_CRITICAL },
		{ "2", VSP_NAGIOS_CRITICAL },
		{ "unknown", VSP_NAGIOS_UNKNOWN },
		{ "3", VSP_NAGIOS_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].state;
			return 0;
		}
	}
	return -1;
}

vsp_nagios_state vsp_nagios_from_status(vsp_status s)
{
	switch (s) {
	case VSP_PASS:
		return VSP_NAGIOS_OK;
	case VSP_WARN:
		return VSP_NAGIOS_WARNING;
	default:
		return VSP_NAGIOS_CRITICAL;
	}
}

/* ---- numbers ---- */

/* snprintf's %f writes LC_NUMERIC's separator: every character that is not
 * a digit or the sign is taken for it and written as a point. */
int vsp_plugin_number(double v, int decimals, char *buf, size_t len)
{
	char tmp[400];
	char *dot = NULL;
	int n;

	if (v == 0)
		v = 0; /* no "-0" */
	n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return snprintf(buf, len, "0");
	for (char *p = tmp; *p; p++) {
		if ((*p < '0' || *p > '9') && *p != '-') {
			*p = '.';
			dot = p;
		}
	}
	if (dot) {
		char *e = tmp + strlen(tmp) - 1;

		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	if (strcmp(tmp, "-0") == 0)
		return snprintf(buf, len, "0");
	return snprintf(buf, len, "%s", tmp);
}

/* ---- ranges ---- */

/* One endpoint: an optional sign, digits, at most one point, nothing else.
 * strtod alone would also take "inf", "nan", hex and exponents, none of
 * which the guidelines allow. */
static int parse_endpoint(const char *whole, const char *what, const char *s,
			  size_t n, double *out, char *err, size_t errlen)
{
	char num[64];
	size_t digits = 0, points = 0;
	char *end;
	double v;

	if (n == 0) {
		snprintf(err, errlen, "range '%s': %s is empty", whole, what);
		return -1;
	}
	if (n >= sizeof(num)) {
		snprintf(err, errlen, "range '%s': %s is too long", whole,
			 what);
		return -1;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		char c = num[i];

		if (c >= '0' && c <= '9') {
			digits++;
		} else if (c == '.') {
			points++;
		} else if ((c == '-' || c == '+') && i == 0) {
			continue;
		} else if (c == ',') {
			snprintf(err, errlen,
				 "range '%s': %s '%s' has a decimal comma; "
				 "write a point, as in 1.5",
				 whole, what, num);
			return -1;
		} else {
			snprintf(err, errlen,
				 "range '%s': %s '%s' is not a number", whole,
				 what, num);
			return -1;
		}
	}
	if (digits == 0 || points > 1) {
		snprintf(err, errlen, "range '%s': %s '%s' is not a number",
			 whole, what, num);
		return -1;
	}
	errno = 0;
	v = strtod(num, &end);
	if (errno || *end || !(fabs(v) <= VSP_RANGE_MAX)) {
		snprintf(err, errlen,
			 "range '%s': %s '%s' is out of range (at most %g)",
			 whole, what, num, VSP_RANGE_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

int vsp_range_parse(const char *s, vsp_range *r, char *err, size_t errlen)
{
	const char *p = s, *colon;
	vsp_range out = { 0, 0, 0 };

	if (!s || !*s) {
		snprintf(
			err, errlen,
			"empty range: expected 10, 10:, ~:10, 10:20 or @10:20");
		return -1;
	}
	if (*p == '@') {
		out.inside = 1;
		p++;
		if (!*p) {
			snprintf(err, errlen,
				 "range '%s': nothing after '@', as in @10:20",
				 s);
			return -1;
		}
	}
	colon = strchr(p, ':');
	if (colon && strchr(colon + 1, ':')) {
		snprintf(err, errlen, "range '%s': more than one ':'", s);
		return -1;
	}
	if (!colon) {
		/* "END": start 0 and the colon are implied. */
		if (strcmp(p, "~") == 0) {
			snprintf(err, errlen,
				 "range '%s': '~' (negative infinity) is a "
				 "start and needs a ':' after it, as in ~:10",
				 s);
			return -1;
		}
		if (parse_endpoint(s, "end", p, strlen(p), &out.end, err,
				   errlen))
			return -1;
		out.start = 0;
	} else {
		size_t sn = (size_t)(colon - p);

		if (sn == 0) {
			snprintf(err, errlen,
				 "range '%s': no start before ':'; write 0:%s "
				 "or ~:%s",
				 s, colon + 1, colon + 1);
			return -1;
		}
		if (sn == 1 && *p == '~')
			out.start = -INFINITY;
		else if (parse_endpoint(s, "start", p, sn, &out.start, err,
					errlen))
			return -1;
		if (colon[1] == '\0')
			out.end = INFINITY;
		else if (strcmp(colon + 1, "~") == 0) {
			snprintf(err, errlen,
				 "range '%s': '~' is only a start; leave the "
				 "end out for infinity, as in 10:",
				 s);
			return -1;
		} else if (parse_endpoint(s, "end", colon + 1,
					  strlen(colon + 1), &out.end, err,
					  errlen))
			return -1;
	}
	if (out.start > out.end) {
		char a[64], b[64];

		vsp_plugin_number(out.start, 6, a, sizeof(a));
		vsp_plugin_number(out.end, 6, b, sizeof(b));
		snprintf(err, errlen,
			 "range '%s': start %s is greater than end %s", s, a,
			 b);
		return -1;
	}
	*r = out;
	return 0;
}

int vsp_range_alert(const vsp_range *r, double value)
{
	int inside = value >= r->start && value <= r->end;

	if (isnan(value))
		return 1; /* a value we cannot compare is never "fine" */
	return r->inside ? inside : !inside;
}

int vsp_range_format(const vsp_range *r, char *buf, size_t len)
{
	char a[64], b[64];
	const char *at = r->inside ? "@" : "";

	if (isinf(r->start))
		snprintf(a, sizeof(a), "~");
	else
		vsp_plugin_number(r->start, 6, a, sizeof(a));
	if (isinf(r->end))
		return snprintf(buf, len, "%s%s:", at, a);
	vsp_plugin_number(r->end, 6, b, sizeof(b));
	if (r->start == 0)
		return snprintf(buf, len, "%s%s", at, b);
	return snprintf(buf, len, "%s%s:%s", at, a, b);
}

/* ---- perfdata ---- */

static int valid_uom(const char *u)
{
	static const char *const uoms[] = { "",	  "s",	"ms", "us", "%", "B",
					    "KB", "MB", "GB", "TB", "c" };

	for (size_t i = 0; i < sizeof(uoms) / sizeof(uoms[0]); i++)
		if (strcmp(u, uoms[i]) == 0)
			return 1;
	return 0;
}

static int label_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	       c == '/' || c == '-';
}

/* Characters no quoting makes safe in a label: '=' ends it for every
 * parser, '|' would end perfdata, a control character the line. */
static int label_replaced(unsigned char c)
{
	return c == '=' || c == '|' || c < 0x20 || c == 0x7f;
}

/* Appends to buf[*n..] within len, counting what would be needed. */
static void put(char *buf, size_t len, size_t *n, const char *s, size_t k)
{
	if (*n < len) {
		size_t room = len - *n - 1;
		size_t c = k < room ? k : room;

		memcpy(buf + *n, s, c);
		buf[*n + c] = '\0';
	}
	*n += k;
}

int vsp_perf_format(const vsp_perf *p, char *buf, size_t len)
{
	const char *uom = p->uom ? p->uom : "";
	const unsigned char *l =
		(const unsigned char *)(p->label ? p->label : "");
	char field[4][400];
	int have[4] = { 0 };
	int quote = 0, last = -1;
	size_t n = 0;

	if (!valid_uom(uom))
		return -1;
	if (len > 0)
		buf[0] = '\0';
	if (!*l)
		quote = 1; /* '' rather than a bare '=' */
	for (const unsigned char *c = l; *c; c++)
		if (!label_plain(*c) && !label_replaced(*c))
			quote = 1;
	if (quote)
		put(buf, len, &n, "'", 1);
	for (const unsigned char *c = l; *c; c++) {
		if (*c == '\'')
			put(buf, len, &n, "''", 2);
		else if (label_replaced(*c))
			put(buf, len, &n, "_", 1);
		else
			put(buf, len, &n, (const char *)c, 1);
	}
	if (quote)
		put(buf, len, &n, "'", 1);
	put(buf, len, &n, "=", 1);
	if (p->known && isfinite(p->value)) {
		char v[400];
		int k = vsp_plugin_number(p->value, 6, v, sizeof(v));

		put(buf, len, &n, v, (size_t)k);
		put(buf, len, &n, uom, strlen(uom));
	} else {
		put(buf, len, &n, "U", 1);
	}
	if (p->warn) {
		vsp_range_format(p->warn, field[0], sizeof(field[0]));
		have[0] = 1;
	}
	if (p->crit) {
		vsp_range_format(p->crit, field[1], sizeof(field[1]));
		have[1] = 1;
	}
	if (p->has_min && isfinite(p->min)) {
		vsp_plugin_number(p->min, 6, field[2], sizeof(field[2]));
		have[2] = 1;
	}
	if (p->has_max && isfinite(p->max)) {
		vsp_plugin_number(p->max, 6, field[3], sizeof(field[3]));
		have[3] = 1;
	}
	for (int i = 0; i < 4; i++)
		if (have[i])
			last = i;
	/* Trailing empty fields are dropped, as the guidelines allow. */
	for (int i = 0; i <= last; i++) {
		put(buf, len, &n, ";", 1);
		if (have[i])
			put(buf, len, &n, field[i], strlen(field[i]));
	}
	return (int)n;
}
