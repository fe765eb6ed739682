/*
 * test_dash_sidx.c - the sidx reader (lib/dash_sidx.c) on boxes built here.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dash_sidx.h"

#define ERRLEN 1024

/* ---- sidx ---- */

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* A sidx v0 with two references; returns its size. */
static size_t make_sidx(uint8_t *b, int version, uint32_t first_offset,
			uint32_t ref0)
{
	size_t k = 0;

	k += put32(b + k, 0); /* size, patched below */
	memcpy(b + k, "sidx", 4);
	k += 4;
	k += put32(b + k, (uint32_t)version << 24);
	k += put32(b + k, 1);     /* reference_ID */
	k += put32(b + k, 90000); /* timescale */
	if (version == 0) {
		k += put32(b + k, 0);
		k += put32(b + k, first_offset);
	} else {
		k += put32(b + k, 0);
		k += put32(b + k, 0);
		k += put32(b + k, 0);
		k += put32(b + k, first_offset);
	}
	k += put32(b + k, 2); /* reserved, reference_count 2 */
	k += put32(b + k, ref0);
	k += put32(b + k, 180000);
	k += put32(b + k, 0x90000000u);
	k += put32(b + k, 5000);
	k += put32(b + k, 180000);
	k += put32(b + k, 0x90000000u);
	put32(b, (uint32_t)k);
	return k;
}

static void test_sidx(void **state)
{
	uint8_t b[256];
	size_t n;
	int64_t off, len;
	double dur;
	char err[ERRLEN];

	(void)state;
	n = make_sidx(b, 0, 10, 4321);
	assert_int_equal(vsp_dash_sidx_first(b, n, 1000, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, 1000 + (int64_t)n + 10);
	assert_int_equal(len, 4321);
	assert_true(fabs(dur - 2.0) < 1e-9);
	n = make_sidx(b, 1, 0, 77);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, (int64_t)n);
	assert_int_equal(len, 77);
	/* A leading box is skipped. */
	memmove(b + 8, b, n);
	put32(b, 8);
	memcpy(b + 4, "styp", 4);
	assert_int_equal(vsp_dash_sidx_first(b, n + 8, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	assert_int_equal(off, (int64_t)n + 8);
	/* Truncated, hierarchical, lying size, nothing. */
	n = make_sidx(b, 0, 0, 77);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(vsp_dash_sidx_first(b, cut, 0, &off, &len, &dur,
						     err, sizeof(err)),
				 -1);
	n = make_sidx(b, 0, 0, 0x80000010u);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "hierarchical"));
	put32(b, 0xfffffff0u);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
	put32(b, 1); /* 64-bit size that is not there */
	assert_int_equal(vsp_dash_sidx_first(b, 12, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sidx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
