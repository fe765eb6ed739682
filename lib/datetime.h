/*
 * datetime.h - the one date-time module: RFC 3339 dates parsed and
 * formatted, ISO 8601 and human ("7d") durations parsed. Pure functions,
 * no clock, no I/O (the clock is clock.h). Every parser (HLS EXT-X-PROGRAM-DATE-TIME, the
 * MPD's dates, UTCTiming answers), the records, the store and the report
 * read and write times here, so that one text means one instant everywhere.
 *
 * The one rule for a date-time (RFC 3339 section 5.6, with its NOTE's
 * space separator, and the ISO 8601 zone forms encoders write):
 *
 *   YYYY-MM-DD (T|t|' ') hh:mm:ss [.f...] [Z|z|+hh:mm|-hh:mm|+hhmm|+hh]
 *
 * - year 0000-9999, month 01-12, day within that month (leap years kept);
 * - hour 00-23, or 24:00:00 exactly (xs:dateTime's end of day, the next
 *   midnight); minute 00-59; second 00-60 (a leap second reads as the
 *   first second of the next minute);
 * - a fraction of one or more digits, any number of them;
 * - zone hour 00-23, zone minute 00-59; no zone is UTC (what players do
 *   with a zoneless PROGRAM-DATE-TIME or MPD date) unless the caller asks
 *   for one (VSP_TIME_ZONE_REQUIRED: the records, the command line);
 * - nothing before or after, unless the caller allows XML whitespace
 *   (VSP_TIME_XML_SPACE: an MPD attribute is an xs:dateTime, whose
 *   surrounding spaces, tabs and line ends do not count).
 *
 * Formatting rounds to the nearest millisecond ("2026-11-26T11:20:14.123Z"),
 * so that a text parsed and formatted again is the same text.
 */
#ifndef VSP_DATETIME_H
#define VSP_DATETIME_H

#include <stddef.h>

/* A zone (Z or an offset) must be written. */
#define VSP_TIME_ZONE_REQUIRED 1u
/* Spaces, tabs, CR and LF before and after are ignored. */
#define VSP_TIME_XML_SPACE 2u

/* Bytes of vsp_time_format()'s text with its NUL ("YYYY-MM-DDThh:mm:ss.mmmZ"). */
#define VSP_TIME_TEXT_MAX 25

/* s by the rule above into Unix seconds. Returns 0, or -1 with a message
 * naming the field in err (err may be NULL). */
int vsp_time_parse_rfc3339(const char *s, unsigned flags, double *unix_s,
			   char *err, size_t errlen);

/* vsp_time_parse_rfc3339() with a zone required, no message: record times,
 * "2026-11-26T11:20:14.123Z". Returns 0 or -1. */
int vsp_time_parse(const char *s, double *unix_s);

/* A command line's time: RFC 3339 with a zone ("2026-11-26T12:20:14+01:00"),
 * or a plain date "2026-11-26" (00:00 UTC). Returns 0 or -1. */
int vsp_time_parse_any(const char *s, double *unix_s);

/* unix_s as RFC 3339 UTC with milliseconds, rounded to the nearest one,
 * into buf (len >= VSP_TIME_TEXT_MAX). Returns 0; -1 (buf "") when the
 * instant is not a finite time of the years 0000-9999. */
int vsp_time_format(double unix_s, char *buf, size_t len);

/* Bytes of vsp_date_format()'s text with its NUL ("YYYY-MM-DD"). */
#define VSP_DATE_TEXT_MAX 11

/* The UTC day of vsp_time_format()'s text for unix_s ("2026-11-26"), so
 * that a record and the daily file it lands in name the same day. Returns
 * 0; -1 (buf "") when vsp_time_format() refuses the instant or len is
 * under VSP_DATE_TEXT_MAX. */
int vsp_date_format(double unix_s, char *buf, size_t len);

/*
 * Strict ISO 8601 duration (xs:duration) "PT1M30.5S", "P1DT2H" to seconds:
 * PnDTnHnMnS, a fraction on seconds only. Years and months have no fixed
 * length in seconds; a non-zero Y or M before the T ("P1M" is a month,
 * "PT1M" a minute) is refused with a message saying so. Returns 0, or -1
 * with a message in err.
 */
int vsp_duration_parse_iso8601(const char *s, double *seconds, char *err,
			       size_t errlen);

/* "90s", "30m", "24h", "7d", "2w" (a bare number is seconds) into seconds,
 * more than 0 and at most ten years. Returns 0 or -1. */
int vsp_duration_parse(const char *s, double *seconds);

#endif
