/* test_jsontext.c - any bytes from an origin become a valid JSON string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsontext.h"

static void test_text(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa5", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa5" },
		{ "bad \xff end", "bad \xef\xbf\xbd end" },
		/* A truncated sequence, an overlong '/', a surrogate. */
		{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = vsp_json_text(cases[i].in);

		assert_non_null(j);
		assert_true(json_is_string(j));
		if (strcmp(json_string_value(j), cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, json_string_value(j));
		json_decref(j);
	}
	{
		json_t *j = vsp_json_text(NULL);

		assert_true(json_is_null(j));
		json_decref(j);
	}
}

/* Figures are written rounded to the thousandth; null when not had. */
static void test_milli(void **state)
{
	json_t *v;

	(void)state;
	v = vsp_json_milli(12.34567);
	assert_true(json_real_value(v) == 12.346);
	json_decref(v);
	v = vsp_json_milli(-0.0004);
	assert_true(json_real_value(v) == 0);
	json_decref(v);
	v = vsp_json_milli_or_null(0, 5);
	assert_true(json_is_null(v));
	json_decref(v);
	v = vsp_json_milli_or_null(1, 4.5);
	assert_true(json_real_value(v) == 4.5);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_milli),
	};

	return cmocka_run_group_tests_name("jsontext", tests, NULL, NULL);
}
