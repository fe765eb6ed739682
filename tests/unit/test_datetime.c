/*
 * test_datetime.c - the one date-time module (lib/datetime.c): its RFC 3339
 * rule case by case, the millisecond formatter and its round trip, and the
 * ISO 8601 durations the MPD uses.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "datetime.h"

#define T2024 1704067200.0
#define REQ   VSP_TIME_ZONE_REQUIRED
#define XML   VSP_TIME_XML_SPACE

/* One case of the rule: what is accepted and as which instant, what is
 * refused and with which message (a part of it). */
static const struct {
	const char *s;
	unsigned flags;
	int rc;
	double v;
	const char *msg;
} parse_cases[] = {
	{ "2024-01-01T00:00:00Z", 0, 0, T2024, NULL },
	{ "2024-01-01T00:01:00Z", 0, 0, T2024 + 60, NULL },
	{ "2024-01-01T02:00:00+02:00", 0, 0, T2024, NULL },
	{ "2023-12-31T23:00:00-01:00", 0, 0, T2024, NULL },
	{ "2024-01-01T05:30:00+0530", 0, 0, T2024, NULL },
	{ "2024-01-01T05:00:00+05", 0, 0, T2024, NULL },
	{ "2024-01-01T00:00:00.250Z", 0, 0, T2024 + 0.25, NULL },
	{ "2024-01-01T00:00:00.5+00:00", REQ, 0, T2024 + 0.5, NULL },
	{ "2024-01-01t00:00:00z", 0, 0, T2024, NULL },
	{ "2024-01-01 00:00:00Z", REQ, 0, T2024, NULL },
	/* no zone: UTC, unless one is required */
	{ "2024-01-01T00:00:00", 0, 0, T2024, NULL },
	{ "2024-01-01T00:00:00", REQ, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-02-29T00:00:00Z", 0, 0, T2024 + 59 * 86400, NULL },
	{ "2000-02-29T00:00:00Z", 0, 0, 951782400, NULL },
	{ "1970-01-01T00:00:00Z", 0, 0, 0, NULL },
	{ "0000-01-01T00:00:00Z", 0, 0, -62167219200.0, NULL },
	{ "9999-12-31T23:59:59.999Z", 0, 0, 253402300799.999, NULL },
	/* xs:dateTime's end of day; a leap second */
	{ "2023-12-31T24:00:00Z", 0, 0, T2024, NULL },
	{ "2023-12-31T24:00:00.000Z", 0, 0, T2024, NULL },
	{ "2016-12-31T23:59:60Z", 0, 0, 1483228800, NULL },
	{ "2020-01-02T03:04:05.5+01:00", 0, 0, 1577930645.5, NULL },
	{ " \t2024-01-01T00:00:00Z\r\n", XML, 0, T2024, NULL },
	{ " 2024-01-01T00:00:00Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00Z ", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "", 0, -1, 0, "date-time '' is not" },
	{ "yesterday", 0, -1, 0, "date-time 'yesterday' is not" },
	{ "2024-01-01", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "24-01-01T00:00:00Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-1-01T00:00:00Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-13-01T00:00:00Z", 0, -1, 0,
	  "month '13' is too large (maximum 12)" },
	{ "2024-00-01T00:00:00Z", 0, -1, 0,
	  "month '00' is too small (minimum 1)" },
	{ "2024-01-00T00:00:00Z", 0, -1, 0,
	  "day '00' is too small (minimum 1)" },
	{ "2023-02-29T00:00:00Z", 0, -1, 0,
	  "day '29' is too large (maximum 28)" },
	{ "1900-02-29T00:00:00Z", 0, -1, 0, "day '29' is too large" },
	{ "2026-04-31T00:00:00Z", REQ, -1, 0,
	  "day '31' is too large (maximum 30)" },
	{ "2024-01-01T25:00:00Z", 0, -1, 0, "hour '25' is too large" },
	{ "2024-01-01T24:00:01Z", 0, -1, 0, "hour '24' is too large" },
	{ "2024-01-01T24:00:00.5Z", 0, -1, 0, "hour '24' is too large" },
	{ "2024-01-01T00:60:00Z", 0, -1, 0, "minute '60' is too large" },
	{ "2024-01-01T00:00:61Z", 0, -1, 0, "second '61' is too large" },
	{ "2024-01-01T00:00:00+24:00", 0, -1, 0,
	  "zone hour '24' is too large (maximum 23)" },
	{ "2024-01-01T00:00:00+05:60", 0, -1, 0,
	  "zone minute '60' is too large" },
	{ "2024-01-01T00:00:00+2", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00+05:", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00Zjunk", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00.Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00,5Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00.5e3Z", 0, -1, 0, "is not YYYY-MM-DD" },
	{ "2024-01-01T00:00:00Q", 0, -1, 0,
	  "date-time '2024-01-01T00:00:00Q' is not YYYY-MM-DDThh:mm:ss[.f]Z "
	  "or with a +hh:mm zone" },
};

static void test_parse(void **state)
{
	char err[256];
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
	     i++) {
		int rc;

		err[0] = '\0';
		v = -12345;
		rc = vsp_time_parse_rfc3339(parse_cases[i].s,
					    parse_cases[i].flags, &v, err,
					    sizeof(err));
		if (rc != parse_cases[i].rc)
			fail_msg("'%s': rc %d, want %d (%s)", parse_cases[i].s,
				 rc, parse_cases[i].rc, err);
		if (rc == 0 && fabs(v - parse_cases[i].v) > 1e-6)
			fail_msg("'%s': %.6f, want %.6f", parse_cases[i].s, v,
				 parse_cases[i].v);
		if (rc != 0 && v != -12345)
			fail_msg("'%s': refused but wrote %f", parse_cases[i].s,
				 v);
		if (parse_cases[i].msg && !strstr(err, parse_cases[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'",
				 parse_cases[i].s, err, parse_cases[i].msg);
	}
	/* No message buffer: still refused, nothing written. */
	assert_int_equal(vsp_time_parse_rfc3339("2024-13-01T00:00:00Z", 0, &v,
						NULL, 0),
			 -1);
	assert_int_equal(vsp_time_parse_rfc3339(NULL, 0, &v, err, sizeof(err)),
			 -1);
}

/* The records' and the command line's wrappers. */
static void test_parse_wrappers(void **state)
{
	double v;

	(void)state;
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00.250Z", &v), 0);
	assert_true(v == 1767261600.25);
	assert_int_equal(vsp_time_parse("2026-01-01T10:00:00", &v), -1);
	assert_int_equal(vsp_time_parse_any("2026-03-01", &v), 0);
	assert_true(v == 1772323200.0);
	assert_int_equal(vsp_time_parse_any("2026-03-01T01:30:00+01:30", &v),
			 0);
	assert_true(v == 1772323200.0);
	assert_int_equal(vsp_time_parse_any("2026-3-1", &v), -1);
	assert_int_equal(vsp_time_parse_any(NULL, &v), -1);
}

static void test_format(void **state)
{
	static const struct {
		double t;
		int rc;
		const char *want;
	} cases[] = {
		{ 0, 0, "1970-01-01T00:00:00.000Z" },
		{ T2024 + 0.25, 0, "2024-01-01T00:00:00.250Z" },
		/* to the nearest millisecond, never truncated */
		{ T2024 + 0.1236, 0, "2024-01-01T00:00:00.124Z" },
		{ T2024 + 0.1234, 0, "2024-01-01T00:00:00.123Z" },
		{ T2024 - 0.0004, 0, "2024-01-01T00:00:00.000Z" },
		{ T2024 - 0.0006, 0, "2023-12-31T23:59:59.999Z" },
		{ -0.5, 0, "1969-12-31T23:59:59.500Z" },
		{ -62167219200.0, 0, "0000-01-01T00:00:00.000Z" },
		{ 253402300799.999, 0, "9999-12-31T23:59:59.999Z" },
		{ 253402300800.0, -1, "" },
		{ -62167219200.5, -1, "" },
		{ NAN, -1, "" },
		{ INFINITY, -1, "" },
	};
	char buf[VSP_TIME_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = vsp_time_format(cases[i].t, buf, sizeof(buf));

		if (rc != cases[i].rc || strcmp(buf, cases[i].want) != 0)
			fail_msg("%.4f: %d '%s', want %d '%s'", cases[i].t, rc,
				 buf, cases[i].rc, cases[i].want);
	}
	/* Too small a buffer: refused, "" written. */
	assert_int_equal(vsp_time_format(0, buf, 10), -1);
	assert_string_equal(buf, "");
}

/* The daily record file's day: the date of the record's own time text,
 * UTC, so a check half a millisecond before midnight (written as the next
 * midnight) lands in the next day's file. */
static void test_date_format(void **state)
{
	char buf[VSP_DATE_TEXT_MAX];

	(void)state;
	assert_int_equal(vsp_date_format(T2024 + 3600, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2024-01-01");
	assert_int_equal(vsp_date_format(T2024 - 0.0006, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2023-12-31");
	assert_int_equal(vsp_date_format(T2024 - 0.0004, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2024-01-01");
	assert_int_equal(vsp_date_format(NAN, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(vsp_date_format(0, buf, VSP_DATE_TEXT_MAX - 1), -1);
	assert_string_equal(buf, "");
}

/* Every millisecond of a second formats back to the text it was parsed
 * from (a truncating formatter loses one where the double falls short). */
static void test_round_trip(void **state)
{
	char in[64], out[VSP_TIME_TEXT_MAX];
	double v;

	(void)state;
	for (int ms = 0; ms < 1000; ms++) {
		snprintf(in, sizeof(in), "2026-11-26T11:20:14.%03dZ", ms);
		assert_int_equal(vsp_time_parse(in, &v), 0);
		assert_int_equal(vsp_time_format(v, out, sizeof(out)), 0);
		if (strcmp(in, out) != 0)
			fail_msg("'%s' came back as '%s'", in, out);
	}
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = {
		{ "PT1M", 60 },	      { "PT1.5S", 1.5 },      { "P1DT2H", 93600 },
		{ "PT0S", 0 },	      { "PT1H2M3.25S", 3723.25 },
		{ "P0Y0M1D", 86400 }, { "PT36.269S", 36.269 }, { "P2D", 172800 },
	};
	static const char *const bad[] = {
		"",	 "P",	   "PT",     "1S",     "PT1.S",	 "PTS",
		"P1S",	 "PT1M1H", "-PT1S",  "PT1,5S", "PT1e3S", "PT.5S",
		"P1H",	 "PT1S ",  "pt1s",   "P1DT",   "PT1..5S", "PTT1S",
		"PT99999999999999999999S",   "P1.5D",
	};
	char err[256];
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (vsp_duration_parse_iso8601(ok[i].s, &v, err, sizeof(err)) !=
		    0)
			fail_msg("%s: %s", ok[i].s, err);
		assert_true(fabs(v - ok[i].v) < 1e-9);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vsp_duration_parse_iso8601(bad[i], &v, err, sizeof(err)) ==
		    0)
			fail_msg("'%s' accepted as %g", bad[i], v);
	/* A month is not 60 s, nor 30 days: refused, and the message says
	 * why. */
	assert_int_equal(vsp_duration_parse_iso8601("P1M", &v, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "months"));
	assert_int_equal(vsp_duration_parse_iso8601("P1Y", &v, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "years"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_wrappers),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
