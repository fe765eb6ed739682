/*
 * test_error.c - error.h's table: stable values (the parsers' -1, -2, -3
 * keep their meaning), unique names, a message for each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"

static void test_values_stable(void **state)
{
	(void)state;
	assert_int_equal(VSP_OK, 0);
	assert_int_equal(VSP_E_SYNTAX, -1);
	assert_int_equal(VSP_E_LIMIT, -2);
	assert_int_equal(VSP_E_DEADLINE, -3);
	assert_int_equal(VSP_E_NOMEM, -4);
	assert_string_equal(vsp_err_name(VSP_E_NOMEM), "nomem");
	assert_string_equal(vsp_err_text(VSP_E_NOMEM), "out of memory");
	assert_string_equal(vsp_err_name(VSP_OK), "ok");
	assert_string_equal(vsp_err_name(1), "unknown");
	assert_string_equal(vsp_err_text(-1000), "unknown");
}

static void test_table_unique(void **state)
{
#define X_ROW(e, v, name, text) { v, name, text },
	static const struct {
		int v;
		const char *name, *text;
	} rows[] = { VSP_ERRNO_MAP(X_ROW) };
#undef X_ROW
	size_t n = sizeof(rows) / sizeof(rows[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(rows[i].v < 0);
		assert_true(rows[i].name[0] && rows[i].text[0]);
		assert_string_equal(vsp_err_name(rows[i].v), rows[i].name);
		assert_string_equal(vsp_err_text(rows[i].v), rows[i].text);
		for (size_t j = i + 1; j < n; j++) {
			assert_int_not_equal(rows[i].v, rows[j].v);
			assert_string_not_equal(rows[i].name, rows[j].name);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_stable),
		cmocka_unit_test(test_table_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
