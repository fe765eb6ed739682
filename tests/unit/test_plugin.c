/*
 * test_plugin.c - lib/plugin: threshold ranges, perfdata formatting and
 * states, the rules every monitoring plugin follows.
 *
 * Offline and fast. Perfdata is checked against the guidelines through
 * perfdata_strict.h, a parser written apart from the formatter.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "perfdata_strict.h"
#include "plugin.h"

#define ERRLEN 512

/* ---- ranges ---- */

static const struct {
	const char *text;
	double start, end;
	int inside;
	const char *canonical; /* vsp_range_format's shortest form */
} good_ranges[] = {
	{ "10", 0, 10, 0, "10" },
	{ "10:", 10, INFINITY, 0, "10:" },
	{ "~:10", -INFINITY, 10, 0, "~:10" },
	{ "10:20", 10, 20, 0, "10:20" },
	{ "@10:20", 10, 20, 1, "@10:20" },
	{ "@10", 0, 10, 1, "@10" },
	{ "0:10", 0, 10, 0, "10" },
	{ "-5:-1", -5, -1, 0, "-5:-1" },
	{ "1.25:2.5", 1.25, 2.5, 0, "1.25:2.5" },
	{ "0.000001", 0, 0.000001, 0, "0.000001" },
	{ "~:", -INFINITY, INFINITY, 0, "~:" },
	{ "@~:0.5", -INFINITY, 0.5, 1, "@~:0.5" },
	{ "+3", 0, 3, 0, "3" },
	{ "5:5", 5, 5, 0, "5:5" },
	{ ".5", 0, 0.5, 0, "0.5" },
	{ "-1:", -1, INFINITY, 0, "-1:" },
};

static void test_range_forms(void **state)
{
	char err[ERRLEN], buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(good_ranges) / sizeof(good_ranges[0]);
	     i++) {
		vsp_range r;

		err[0] = '\0';
		if (vsp_range_parse(good_ranges[i].text, &r, err, sizeof(err)))
			fail_msg("'%s' rejected: %s", good_ranges[i].text, err);
		assert_true(r.start == good_ranges[i].start);
		assert_true(r.end == good_ranges[i].end);
		assert_int_equal(r.inside, good_ranges[i].inside);
		vsp_range_format(&r, buf, sizeof(buf));
		assert_string_equal(buf, good_ranges[i].canonical);
	}
}

/* Alert semantics of the guidelines: outside start..end, endpoints
 * inclusive (not alerting); '@' inverts, endpoints alerting. */
static const struct {
	const char *range;
	double value;
	int alert;
} alerts[] = {
	{ "10", -0.001, 1 },	{ "10", 0, 0 },	       { "10", 5, 0 },
	{ "10", 10, 0 },	{ "10", 10.001, 1 },   { "10:", 9.999, 1 },
	{ "10:", 10, 0 },	{ "10:", 1e12, 0 },    { "~:10", -1e12, 0 },
	{ "~:10", 10, 0 },	{ "~:10", 10.5, 1 },   { "10:20", 9.99, 1 },
	{ "10:20", 10, 0 },	{ "10:20", 15, 0 },    { "10:20", 20, 0 },
	{ "10:20", 20.01, 1 },	{ "@10:20", 9.99, 0 }, { "@10:20", 10, 1 },
	{ "@10:20", 15, 1 },	{ "@10:20", 20, 1 },   { "@10:20", 20.01, 0 },
	{ "0.000001", 0.2, 1 }, { "~:", 1e300, 0 },    { "@~:", -3, 1 },
};

static void test_range_alert(void **state)
{
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
		vsp_range r;

		assert_int_equal(
			vsp_range_parse(alerts[i].range, &r, err, sizeof(err)),
			0);
		if (vsp_range_alert(&r, alerts[i].value) != alerts[i].alert)
			fail_msg("range '%s' value %g: alert should be %d",
				 alerts[i].range, alerts[i].value,
				 alerts[i].alert);
	}
}

/* Each bad form is rejected with a message naming the text and what is
 * wrong with it. */
static const struct {
	const char *text;
	const char *says;
} bad_ranges[] = {
	{ "", "empty range" },
	{ "@", "nothing after '@'" },
	{ "abc", "'abc' is not a number" },
	{ "10:5", "start 10 is greater than end 5" },
	{ "@20:10", "start 20 is greater than end 10" },
	{ "-1", "start 0 is greater than end -1" },
	{ "1,5", "decimal comma" },
	{ "1,5:2", "decimal comma" },
	{ "~", "needs a ':'" },
	{ "10:20:30", "more than one ':'" },
	{ ":10", "no start before ':'" },
	{ "10:~", "'~' is only a start" },
	{ "1e3", "'1e3' is not a number" },
	{ "inf", "not a number" },
	{ "nan", "not a number" },
	{ "0x10", "not a number" },
	{ "1..2", "not a number" },
	{ "-", "not a number" },
	{ "--1", "not a number" },
	{ "10 ", "not a number" },
	{ " 10", "not a number" },
	{ "10s", "'10s' is not a number" },
	{ "9999999999999999", "out of range" },
	{ "@@1", "not a number" },
	{ "~:x", "'x' is not a number" },
	{ "5:abc", "end 'abc' is not a number" },
	{ "abc:5", "start 'abc' is not a number" },
};

static void test_range_rejects(void **state)
{
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_ranges) / sizeof(bad_ranges[0]);
	     i++) {
		vsp_range r = { 1, 2, 0 };

		err[0] = '\0';
		if (vsp_range_parse(bad_ranges[i].text, &r, err, sizeof(err)) ==
		    0)
			fail_msg("'%s' accepted", bad_ranges[i].text);
		if (!strstr(err, bad_ranges[i].says))
			fail_msg("'%s': message '%s' lacks '%s'",
				 bad_ranges[i].text, err, bad_ranges[i].says);
		if (*bad_ranges[i].text && !strstr(err, bad_ranges[i].text))
			fail_msg("'%s': message '%s' does not name it",
				 bad_ranges[i].text, err);
		/* A rejected range leaves the output alone. */
		assert_true(r.start == 1 && r.end == 2);
	}
}

static void test_range_null_and_small_err(void **state)
{
	char err[8];
	vsp_range r;

	(void)state;
	assert_int_equal(vsp_range_parse(NULL, &r, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* ---- perfdata ---- */

static vsp_range R(const char *s)
{
	vsp_range r;
	char err[ERRLEN];

	if (vsp_range_parse(s, &r, err, sizeof(err)))
		fail_msg("%s", err);
	return r;
}

static void test_perf_format(void **state)
{
	vsp_range w = R("10"), c = R("@10:20"), w2 = R("~:0.5");
	const struct {
		vsp_perf p;
		const char *want;
	} cases[] = {
		{ { "ttff", 1, 1.5, "s", NULL, NULL, 0, 0, 0, 0 },
		  "ttff=1.5s" },
		{ { "ttff", 1, 0.123456789, "s", NULL, NULL, 1, 0, 0, 0 },
		  "ttff=0.123457s;;;0" },
		{ { "x", 1, 5, "", &w, &c, 1, 1, 0, 100 },
		  "x=5;10;@10:20;0;100" },
		{ { "x", 1, 5, NULL, &w, NULL, 0, 0, 0, 0 }, "x=5;10" },
		{ { "x", 1, 5, NULL, NULL, &c, 0, 0, 0, 0 }, "x=5;;@10:20" },
		{ { "x", 1, 5, NULL, NULL, NULL, 0, 1, 0, 7 }, "x=5;;;;7" },
		{ { "pct", 1, 99.5, "%", NULL, NULL, 0, 0, 0, 0 },
		  "pct=99.5%" },
		{ { "bytes", 1, 1048576, "B", NULL, NULL, 1, 0, 0, 0 },
		  "bytes=1048576B;;;0" },
		{ { "KB", 1, 3, "KB", NULL, NULL, 0, 0, 0, 0 }, "KB=3KB" },
		{ { "n", 1, 42, "c", NULL, NULL, 0, 0, 0, 0 }, "n=42c" },
		{ { "t", 1, 250, "ms", NULL, NULL, 0, 0, 0, 0 }, "t=250ms" },
		{ { "t", 1, 7, "us", NULL, NULL, 0, 0, 0, 0 }, "t=7us" },
		/* U for a value that could not be determined: no unit,
		 * thresholds kept. */
		{ { "ttff", 0, 3, "s", &w2, &w, 1, 0, 0, 0 },
		  "ttff=U;~:0.5;10;0" },
		{ { "ttff", 0, 0, "s", NULL, NULL, 0, 0, 0, 0 }, "ttff=U" },
		{ { "ttff", 1, NAN, "s", NULL, NULL, 0, 0, 0, 0 }, "ttff=U" },
		{ { "ttff", 1, INFINITY, "s", NULL, NULL, 0, 0, 0, 0 },
		  "ttff=U" },
		/* Labels: quoted only when they need it; ' doubled. */
		{ { "time to first frame", 1, 1, "s", NULL, NULL, 0, 0, 0, 0 },
		  "'time to first frame'=1s" },
		{ { "it's", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 }, "'it''s'=1" },
		{ { "'", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 }, "''''=1" },
		{ { "a=b", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 }, "a_b=1" },
		{ { "a|b c", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "'a_b c'=1" },
		{ { "line\nbreak", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "line_break=1" },
		{ { "cdn-a.example:443/x", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "cdn-a.example:443/x=1" },
		{ { "caf\xc3\xa9", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "'caf\xc3\xa9'=1" },
		{ { "", 1, 1, NULL, NULL, NULL, 0, 0, 0, 0 }, "''=1" },
		/* Numbers in [-0-9.]: fixed point, no exponent, no -0. */
		{ { "v", 1, 0.000001, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "v=0.000001" },
		{ { "v", 1, 1e-7, NULL, NULL, NULL, 0, 0, 0, 0 }, "v=0" },
		{ { "v", 1, -0.0, NULL, NULL, NULL, 0, 0, 0, 0 }, "v=0" },
		{ { "v", 1, -2.5, NULL, NULL, NULL, 0, 0, 0, 0 }, "v=-2.5" },
		{ { "v", 1, 1e12, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "v=1000000000000" },
		{ { "v", 1, 0.1 + 0.2, NULL, NULL, NULL, 0, 0, 0, 0 },
		  "v=0.3" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = vsp_perf_format(&cases[i].p, buf, sizeof(buf));

		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, buf,
				 cases[i].want);
		assert_int_equal(n, (int)strlen(cases[i].want));
	}
}

/* Everything the formatter writes, the strict parser accepts, and reads
 * back the same values. */
static void test_perf_round_trip(void **state)
{
	vsp_range w = R("~:0.5"), c = R("@1:2");
	const char *labels[] = { "ttff_cdn-a", "it's here",	    "x=y",
				 "a|b",	       "caf\xc3\xa9 latte", "''" };
	const double values[] = { 0, 0.5, 123.456789, -1, 1e9, 0.000001 };
	char line[4096] = "", buf[512], err[ERRLEN];
	ps_metric m[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		vsp_perf p = { labels[i], i != 5, values[i], "s", &w,
			       &c,	  1,	  1,	     0,	  10 };

		vsp_perf_format(&p, buf, sizeof(buf));
		if (i)
			strcat(line, " ");
		strcat(line, buf);
	}
	if (ps_parse(line, m, 16, &n, err, sizeof(err)))
		fail_msg("%s in: %s", err, line);
	assert_int_equal(n, 6);
	assert_string_equal(m[0].label, "ttff_cdn-a");
	assert_string_equal(m[1].label, "it's here");
	assert_string_equal(m[2].label, "x_y");
	assert_string_equal(m[3].label, "a_b");
	assert_true(fabs(m[2].value - 123.456789) < 1e-9);
	assert_string_equal(m[2].uom, "s");
	assert_string_equal(m[2].warn, "~:0.5");
	assert_string_equal(m[2].crit, "@1:2");
	assert_true(m[2].has_min && m[2].has_max && m[2].max == 10);
	assert_true(m[5].unknown);
	assert_string_equal(m[5].uom, "");
}

static void test_perf_bad_uom_and_truncation(void **state)
{
	vsp_perf p = { "speed", 1, 1000, "B/s", NULL, NULL, 0, 0, 0, 0 };
	char buf[8];
	int n;

	(void)state;
	assert_int_equal(vsp_perf_format(&p, buf, sizeof(buf)), -1);
	p.uom = "kb"; /* case matters: kb is not KB */
	assert_int_equal(vsp_perf_format(&p, buf, sizeof(buf)), -1);
	p.uom = "%%";
	assert_int_equal(vsp_perf_format(&p, buf, sizeof(buf)), -1);
	/* snprintf semantics: the length needed, a terminated prefix. */
	p.uom = "B";
	n = vsp_perf_format(&p, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen("speed=1000B"));
	assert_string_equal(buf, "speed=1");
	assert_int_equal(vsp_perf_format(&p, NULL, 0), n);
}

/* A German LC_NUMERIC must not turn 0.5 into 0,5: Icinga 2 drops those.
 * Skipped when no such locale is installed; to run it anyway:
 * localedef -i de_DE -f UTF-8 DIR/de_DE.UTF-8 and LOCPATH=DIR. */
static void test_perf_locale(void **state)
{
	static const char *const locales[] = { "de_DE.UTF-8", "de_DE.utf8",
					       "fr_FR.UTF-8", "de_DE" };
	vsp_range w = R("0.25:1.5");
	vsp_perf p = { "t", 1, 0.5, "s", &w, NULL, 0, 0, 0, 0 };
	char buf[64], rng[32];
	const char *got = NULL;

	(void)state;
	for (size_t i = 0; i < 4 && !got; i++)
		got = setlocale(LC_NUMERIC, locales[i]);
	if (!got)
		skip();
	vsp_perf_format(&p, buf, sizeof(buf));
	vsp_range_format(&w, rng, sizeof(rng));
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(buf, "t=0.5s;0.25:1.5");
	assert_string_equal(rng, "0.25:1.5");
}

/* ---- states ---- */

static void test_states(void **state)
{
	const vsp_nagios_state O = VSP_NAGIOS_OK, W = VSP_NAGIOS_WARNING,
			       C = VSP_NAGIOS_CRITICAL, U = VSP_NAGIOS_UNKNOWN;
	const struct {
		vsp_nagios_state a, b, worst;
	} worst[] = {
		{ O, O, O }, { O, W, W }, { W, O, W }, { O, U, U },
		{ U, O, U }, { U, W, W }, { W, U, W }, { U, C, C },
		{ C, U, C }, { W, C, C }, { C, W, C }, { C, C, C },
	};
	vsp_nagios_state s;

	(void)state;
	for (size_t i = 0; i < sizeof(worst) / sizeof(worst[0]); i++)
		assert_int_equal(vsp_nagios_worst(worst[i].a, worst[i].b),
				 worst[i].worst);
	assert_string_equal(vsp_nagios_state_name(O), "OK");
	assert_string_equal(vsp_nagios_state_name(W), "WARNING");
	assert_string_equal(vsp_nagios_state_name(C), "CRITICAL");
	assert_string_equal(vsp_nagios_state_name(U), "UNKNOWN");
	assert_int_equal(vsp_nagios_state_parse("Critical", &s), 0);
	assert_int_equal(s, C);
	assert_int_equal(vsp_nagios_state_parse("unknown", &s), 0);
	assert_int_equal(s, U);
	assert_int_equal(vsp_nagios_state_parse("ok", &s), 0);
	assert_int_equal(s, O);
	assert_int_equal(vsp_nagios_state_parse("1", &s), 0);
	assert_int_equal(s, W);
	assert_int_equal(vsp_nagios_state_parse("crit", &s), -1);
	assert_int_equal(vsp_nagios_state_parse("4", &s), -1);
	assert_int_equal(vsp_nagios_state_parse("", &s), -1);
	assert_int_equal(vsp_nagios_from_status(VSP_PASS), O);
	assert_int_equal(vsp_nagios_from_status(VSP_WARN), W);
	assert_int_equal(vsp_nagios_from_status(VSP_FAIL), C);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_forms),
		cmocka_unit_test(test_range_alert),
		cmocka_unit_test(test_range_rejects),
		cmocka_unit_test(test_range_null_and_small_err),
		cmocka_unit_test(test_perf_format),
		cmocka_unit_test(test_perf_round_trip),
		cmocka_unit_test(test_perf_bad_uom_and_truncation),
		cmocka_unit_test(test_perf_locale),
		cmocka_unit_test(test_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
