/*
 * test_dynbuf.c - the capped growing buffer: the cap holds exactly, the
 * first error stays, a rollback clears it, take() hands the bytes over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dynbuf.h"
#include "error.h"

static void test_cap(void **state)
{
	vsp_buf b;

	(void)state;
	/* toobig 8: 7 bytes and the NUL fit, an 8th byte does not. */
	vsp_buf_init(&b, 8);
	assert_string_equal(vsp_buf_str(&b), "");
	assert_int_equal(vsp_buf_adds(&b, "abc"), 0);
	assert_int_equal(vsp_buf_add(&b, "defg", 4), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(vsp_buf_str(&b), "abcdefg");
	assert_true(b.alloc <= 8);
	assert_int_equal(vsp_buf_adds(&b, "h"), VSP_E_LIMIT);
	/* The first error wins and the bytes stay as they were. */
	assert_int_equal(vsp_buf_adds(&b, ""), VSP_E_LIMIT);
	assert_string_equal(vsp_buf_str(&b), "abcdefg");
	assert_null(vsp_buf_take(&b, NULL));
	/* A rollback clears the error. */
	vsp_buf_setlen(&b, 3);
	assert_int_equal(b.err, 0);
	assert_string_equal(vsp_buf_str(&b), "abc");
	assert_int_equal(vsp_buf_addf(&b, "%d", 42), 0);
	assert_string_equal(vsp_buf_str(&b), "abc42");
	vsp_buf_free(&b);
	assert_int_equal(b.toobig, 8);
	assert_null(b.p);
}

static void test_addf_long_and_take(void **state)
{
	vsp_buf b;
	char big[1000], *s;
	size_t len = 0;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vsp_buf_init(&b, 4096);
	assert_int_equal(vsp_buf_addf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(vsp_buf_addf(&b, "%s%s%s%s", big, big, big, big),
			 VSP_E_LIMIT);
	assert_null(vsp_buf_take(&b, &len));
	vsp_buf_setlen(&b, b.len);
	s = vsp_buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, sizeof(big) + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[len], '\0');
	free(s);
	/* Empty: an allocated "". */
	assert_null(b.p);
	s = vsp_buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_grow_and_fit(void **state)
{
	vsp_buf b;

	(void)state;
	vsp_buf_init(&b, 100);
	assert_int_equal(vsp_buf_grow(&b, 100), 0);
	assert_int_equal(b.alloc, 100);
	assert_string_equal(vsp_buf_str(&b), "");
	assert_int_equal(vsp_buf_adds(&b, "hi"), 0);
	vsp_buf_fit(&b);
	assert_int_equal(b.alloc, 3);
	assert_int_equal(vsp_buf_grow(&b, 101), VSP_E_LIMIT);
	vsp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_addf_long_and_take),
		cmocka_unit_test(test_grow_and_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
