/*
 * datetime.c - RFC 3339 dates and ISO 8601 durations (the rule is in
 * datetime.h). Every number is read digit by digit at a fixed width and
 * range-checked here; never hand a date to strptime() or timegm(), whose
 * rules (normalising 31 February into March) are not ours.
 */
#include "datetime.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Durations beyond ~300 years are not media. */
#define MAX_DURATION_S 1e10
/* Seconds from 1970 to 10000-01-01T00:00:00Z: the first instant RFC 3339
 * cannot write. */
#define TIME_END_S 253402300800.0
/* ... and from 1970 back to 0000-01-01T00:00:00Z. */
#define TIME_START_S (-62167219200.0)
/* A human duration ("7d") covers at most ten years of history. */
#define HUMAN_DAY_S	     86400.0
#define HUMAN_DURATION_MAX_S (10.0 * 365 * HUMAN_DAY_S)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* n digits at *p into *v; advances. -1 when one is not a digit. */
static int digits(const char **p, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* One field of n digits at *p, in [min, max]. Returns 0, 1 on a syntax
 * error (the caller's message), -1 out of range (message set here). */
static int field(const char **p, int n, const char *what, int64_t min,
		 int64_t max, int64_t *v, char *err, size_t errlen)
{
	const char *at = *p;

	if (digits(p, n, v))
		return 1;
	if (*v < min) {
		set_err(err, errlen, "%s '%.*s' is too small (minimum %lld)",
			what, n, at, (long long)min);
		return -1;
	}
	if (*v > max) {
		set_err(err, errlen, "%s '%.*s' is too large (maximum %lld)",
			what, n, at, (long long)max);
		return -1;
	}
	return 0;
}

/* The zone at *p: Z, or an offset (+hh:mm, +hhmm, +hh) into *off seconds
 * east of UTC. 0 with *has set; 1 syntax; -1 range (message set). */
static int zone(const char **p, double *off, int *has, char *err, size_t errlen)
{
	int64_t zh, zm = 0;
	int sign, rc;

	*off = 0;
	*has = 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*has = 1;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return 0;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if ((rc = field(p, 2, "zone hour", 0, 23, &zh, err, errlen)))
		return rc;
	if (**p == ':' && is_digit((*p)[1]))
		(*p)++;
	if (is_digit(**p) &&
	    (rc = field(p, 2, "zone minute", 0, 59, &zm, err, errlen)))
		return rc;
	*off = sign * (double)(zh * 3600 + zm * 60);
	*has = 1;
	return 0;
}

int vsp_time_parse_rfc3339(const char *s, unsigned flags, double *unix_s,
			   char *err, size_t errlen)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int64_t y, mo, d, h, mi, sec;
	double frac = 0, off;
	int rc, has_zone;

	if (!s)
		goto bad;
	if (flags & VSP_TIME_XML_SPACE)
		p = skip_space(p);
	if ((rc = field(&p, 4, "year", 0, 9999, &y, err, errlen)) ||
	    *p++ != '-' ||
	    (rc = field(&p, 2, "month", 1, 12, &mo, err, errlen)) ||
	    *p++ != '-' ||
	    (rc = field(&p, 2, "day", 1,
			mdays[mo - 1] + (mo == 2 && is_leap(y)), &d, err,
			errlen)) ||
	    (*p != 'T' && *p != 't' && *p != ' '))
		goto fail;
	p++;
	/* 24 is checked below: only 24:00:00 */
	if ((rc = field(&p, 2, "hour", 0, 24, &h, err, errlen)) ||
	    *p++ != ':' ||
	    (rc = field(&p, 2, "minute", 0, 59, &mi, err, errlen)) ||
	    *p++ != ':' ||
	    (rc = field(&p, 2, "second", 0, 60, &sec, err, errlen)))
		goto fail;
	if (*p == '.') {
		char *end;

		if (!is_digit(p[1]))
			goto bad;
		/* strtod reads ".5" exactly as far as the digits go */
		errno = 0;
		frac = strtod(p, &end);
		while (is_digit(*++p))
			;
		if (end != p || errno)
			goto bad;
	}
	if ((rc = zone(&p, &off, &has_zone, err, errlen)))
		goto fail;
	if (flags & VSP_TIME_XML_SPACE)
		p = skip_space(p);
	if (*p || (!has_zone && (flags & VSP_TIME_ZONE_REQUIRED)))
		goto bad;
	if (h == 24 && (mi || sec || frac > 0)) {
		set_err(err, errlen,
			"hour '24' is too large (maximum 23, or 24:00:00)");
		return -1;
	}
	*unix_s = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
			   mi * 60 + sec) +
		  frac - off;
	return 0;
fail:
	if (rc < 0)
		return -1;
bad:
	set_err(err, errlen,
		"date-time '%.40s' is not YYYY-MM-DDThh:mm:ss[.f]Z or with a "
		"+hh:mm zone",
		s ? s : "");
	return -1;
}

int vsp_time_parse(const char *s, double *unix_s)
{
	return vsp_time_parse_rfc3339(s, VSP_TIME_ZONE_REQUIRED, unix_s, NULL,
				      0);
}

int vsp_time_parse_any(const char *s, double *unix_s)
{
	char buf[32];

	if (s && strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return vsp_time_parse(buf, unix_s);
	}
	return vsp_time_parse(s, unix_s);
}

int vsp_time_format(double unix_s, char *buf, size_t len)
{
	long long ms, secs, frac;
	time_t tt;
	struct tm tm;
	int n;

	if (len)
		buf[0] = '\0';
	if (!isfinite(unix_s) || unix_s < TIME_START_S ||
	    unix_s >= TIME_END_S - 0.0005)
		return -1;
	ms = llround(unix_s * 1000.0);
	secs = ms / 1000;
	frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	tt = (time_t)secs;
	if (!gmtime_r(&tt, &tm))
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, frac);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* Designators in the order ISO 8601 allows them; W is not xs:duration.
 * Years and months (secs -1) have no fixed length. */
static const struct {
	char d;
	int time;
	double secs;
} duration_units[] = {
	{ 'Y', 0, -1 },	  { 'M', 0, -1 }, { 'D', 0, 86400 },
	{ 'H', 1, 3600 }, { 'M', 1, 60 }, { 'S', 1, 1 },
};

#define N_DURATION_UNITS (sizeof(duration_units) / sizeof(duration_units[0]))

/* The digits (and at most one inner '.') at *p into num; -1 when there
 * are none, too many, or the dot leads or trails. */
static int duration_number(const char **p, char *num, size_t size, int *frac)
{
	size_t k = 0;

	*frac = 0;
	while (is_digit(**p) || **p == '.') {
		if (**p == '.')
			(*frac)++;
		if (k + 1 >= size)
			return -1;
		num[k++] = *(*p)++;
	}
	num[k] = '\0';
	if (k == 0 || *frac > 1 || num[0] == '.' || num[k - 1] == '.')
		return -1;
	return 0;
}

/* The unit designated by d, at or after the unit next (so each comes at
 * most once and in order); N_DURATION_UNITS when there is none. */
static size_t duration_unit(size_t next, char d, int in_time)
{
	size_t u;

	for (u = next; u < N_DURATION_UNITS; u++)
		if (duration_units[u].d == d &&
		    duration_units[u].time == in_time)
			break;
	return u;
}

int vsp_duration_parse_iso8601(const char *s, double *seconds, char *err,
			       size_t errlen)
{
	const char *p = s;
	double total = 0;
	size_t next = 0;
	int in_time = 0, any = 0, any_time = 0;

	if (!s || *p != 'P')
		goto bad;
	p++;
	while (*p) {
		char num[40], *end;
		int frac;
		double v;
		size_t u;

		if (*p == 'T') {
			if (in_time)
				goto bad;
			in_time = 1;
			p++;
			continue;
		}
		if (duration_number(&p, num, sizeof(num), &frac))
			goto bad;
		u = duration_unit(next, *p, in_time);
		if (u == N_DURATION_UNITS)
			goto bad;
		if (frac && duration_units[u].d != 'S')
			goto bad; /* xs:duration: a fraction on seconds only */
		errno = 0;
		v = strtod(num, &end);
		if (errno || *end || !isfinite(v) || v > MAX_DURATION_S)
			goto bad;
		if (duration_units[u].secs < 0 && v != 0) {
			set_err(err, errlen,
				"'%.64s': %s have no fixed length in seconds; "
				"durations in years or months are refused "
				"(did you mean PT%sM, minutes?)",
				s,
				duration_units[u].d == 'Y' ? "years" : "months",
				num);
			return -1;
		}
		if (duration_units[u].secs > 0)
			total += v * duration_units[u].secs;
		any = 1;
		any_time |= in_time;
		next = u + 1;
		p++;
	}
	if (!any || (in_time && !any_time) || total > MAX_DURATION_S)
		goto bad;
	*seconds = total;
	return 0;
bad:
	set_err(err, errlen, "'%.64s' is not an ISO 8601 duration (PnDTnHnMnS)",
		s ? s : "");
	return -1;
}

int vsp_date_format(double unix_s, char *buf, size_t len)
{
	char text[VSP_TIME_TEXT_MAX];

	if (len)
		buf[0] = '\0';
	if (len < VSP_DATE_TEXT_MAX ||
	    vsp_time_format(unix_s, text, sizeof(text)))
		return -1;
	memcpy(buf, text, VSP_DATE_TEXT_MAX - 1);
	buf[VSP_DATE_TEXT_MAX - 1] = '\0';
	return 0;
}

int vsp_duration_parse(const char *s, double *seconds)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = HUMAN_DAY_S;
			break;
		case 'w':
			mul = 7 * HUMAN_DAY_S;
			break;
		default:
			return -1;
		}
		if (end[1])
			return -1;
	}
	v *= mul;
	if (!(v > 0 && v <= HUMAN_DURATION_MAX_S))
		return -1;
	*seconds = v;
	return 0;
}
