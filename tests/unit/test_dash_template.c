/*
 * test_dash_template.c - SegmentTemplate expansion (lib/dash_template.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dash_template.h"

#define ERRLEN 1024

static void test_expand(void **state)
{
	static const struct {
		const char *tmpl, *out;
	} ok[] = {
		{ "$RepresentationID$/$Number$.m4s", "v1/42.m4s" },
		{ "$Number%05d$", "00042" },
		{ "$Number%1d$", "42" },
		{ "$Time$-$Bandwidth$", "90000-500000" },
		{ "$Time%012d$", "000000090000" },
		{ "a$$b$$", "a$b$" },
		{ "$Bandwidth%x$", "7a120" },
		{ "no-ids", "no-ids" },
	};
	static const char *const bad[] = {
		"$Number", "$Foo$", "$Number%s$", "$Number%n$", "$Number%05$",
		"$RepresentationID%05d$", "$Number%0999d$", "$Number%-5d$",
		"$SubNumber$",
	};
	char err[ERRLEN];
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		s = vsp_dash_expand(ok[i].tmpl, "v1", 42, 500000, 90000, err,
				    sizeof(err));
		if (!s)
			fail_msg("%s: %s", ok[i].tmpl, err);
		assert_string_equal(s, ok[i].out);
		free(s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = vsp_dash_expand(bad[i], "v1", 42, 500000, 90000, err,
				    sizeof(err));
		if (s)
			fail_msg("'%s' expanded to '%s'", bad[i], s);
		assert_true(strlen(err) > 0);
	}
	/* No @id: $RepresentationID$ cannot expand. */
	assert_null(vsp_dash_expand("$RepresentationID$", NULL, 1, 1, 1, err,
				    sizeof(err)));
	/* Width 64 of a huge number stays inside the URL cap. */
	s = vsp_dash_expand("$Number%064d$", "v", INT64_MAX, 0, 0, err,
			    sizeof(err));
	assert_non_null(s);
	assert_int_equal(strlen(s), 64);
	free(s);
}

/* ---- hostile and malformed ---- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
