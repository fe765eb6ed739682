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
#include "limits.h"

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

/* A sidx of count references of sizes size0, size0 + 1, ..., 2 s each,
 * with reference_type 1 on those whose bit is set in hier. The box's
 * reference_count field says claimed (a hostile count when it differs).
 * Returns its size; b must hold 32 + 12 * count bytes. */
static size_t make_sidx_n(uint8_t *b, uint32_t count, uint32_t claimed,
			  uint32_t size0, uint32_t hier)
{
	size_t k = 0;

	k += put32(b + k, 0);
	memcpy(b + k, "sidx", 4);
	k += 4;
	k += put32(b + k, 0);	  /* version 0 */
	k += put32(b + k, 1);	  /* reference_ID */
	k += put32(b + k, 1000); /* timescale */
	k += put32(b + k, 0);	  /* earliest_presentation_time */
	k += put32(b + k, 0);	  /* first_offset */
	k += put32(b + k, claimed & 0xffffu);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t t = i < 32 && (hier >> i & 1) ? 0x80000000u : 0;

		k += put32(b + k, t | (size0 + i));
		k += put32(b + k, 2000);
		k += put32(b + k, 0x90000000u);
	}
	put32(b, (uint32_t)k);
	return k;
}

/* Every reference, in file order, from the byte after the box. */
static void test_sidx_all(void **state)
{
	uint8_t b[32 + 12 * 5];
	vsp_dash_sidx x;
	size_t n;
	int64_t at;
	char err[ERRLEN];

	(void)state;
	n = make_sidx_n(b, 5, 5, 100, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 500, &x, err, sizeof(err)),
			 0);
	assert_int_equal(x.n, 5);
	assert_int_equal(x.count, 5);
	at = 500 + (int64_t)n;
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(x.refs[i].offset, at);
		assert_int_equal(x.refs[i].length, 100 + (int64_t)i);
		assert_true(fabs(x.refs[i].duration - 2.0) < 1e-9);
		assert_int_equal(x.refs[i].index, 0);
		at += 100 + (int64_t)i;
	}
	assert_int_equal(x.end, at);
	vsp_dash_sidx_clear(&x);
	vsp_dash_sidx_clear(&x); /* twice: harmless */
	vsp_dash_sidx_clear(NULL);
}

/* Hierarchical: a reference to another sidx is kept as a reference (its
 * range begins with that sidx); the first one is refused by
 * vsp_dash_sidx_first(), as shaka does. */
static void test_sidx_hierarchical(void **state)
{
	uint8_t b[32 + 12 * 3];
	vsp_dash_sidx x;
	size_t n;
	int64_t off, len;
	double dur;
	char err[ERRLEN];

	(void)state;
	n = make_sidx_n(b, 3, 3, 50, 0x4); /* the last: a further sidx */
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 0);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.refs[0].index, 0);
	assert_int_equal(x.refs[2].index, 1);
	assert_int_equal(x.refs[2].length, 52);
	vsp_dash_sidx_clear(&x);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 0);
	n = make_sidx_n(b, 3, 3, 50, 0x7);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 0);
	assert_int_equal(x.refs[0].index, 1);
	vsp_dash_sidx_clear(&x);
	assert_int_equal(vsp_dash_sidx_first(b, n, 0, &off, &len, &dur, err,
					     sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "hierarchical"));
}

/* A count the box has no bytes for, none, an empty reference in the
 * middle, a zero timescale, offsets out of range: errors that say so, with
 * nothing kept. */
static void test_sidx_hostile(void **state)
{
	uint8_t b[32 + 12 * 4];
	vsp_dash_sidx x;
	size_t n;
	char err[ERRLEN];

	(void)state;
	n = make_sidx_n(b, 4, 0xffff, 10, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 -1);
	assert_null(x.refs);
	assert_non_null(strstr(err, "truncated"));
	n = make_sidx_n(b, 4, 5, 10, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 -1);
	n = make_sidx_n(b, 4, 0, 10, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 -1);
	/* Fewer claimed than there are: the box's count rules. */
	n = make_sidx_n(b, 4, 2, 10, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 0);
	assert_int_equal(x.n, 2);
	vsp_dash_sidx_clear(&x);
	n = make_sidx_n(b, 4, 4, 10, 0);
	put32(b + 32 + 12 * 2, 0); /* the third reference: 0 bytes */
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 -1);
	assert_null(x.refs);
	assert_non_null(strstr(err, "subsegment 3 of 4 is empty"));
	n = make_sidx_n(b, 4, 4, 10, 0);
	put32(b + 16, 0); /* timescale */
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 -1);
	n = make_sidx_n(b, 4, 4, 10, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, -1, &x, err, sizeof(err)),
			 -1);
	assert_int_equal(
		vsp_dash_sidx_parse(b, n, INT64_MAX, &x, err, sizeof(err)), -1);
	/* Every cut of the box. */
	for (size_t cut = 0; cut < n; cut++) {
		assert_int_equal(
			vsp_dash_sidx_parse(b, cut, 0, &x, err, sizeof(err)),
			-1);
		assert_null(x.refs);
	}
}

/* The most references a box can name (reference_count is 16 bits): over
 * VSP_DASH_SIDX_MAX_REFS are kept; count and end are the whole box's. */
static void test_sidx_cap(void **state)
{
	const uint32_t count = 0xffff;
	uint8_t *b = malloc(32 + 12 * (size_t)count);
	vsp_dash_sidx x;
	size_t n;
	int64_t end;
	char err[ERRLEN];

	(void)state;
	assert_non_null(b);
	n = make_sidx_n(b, count, count, 7, 0);
	assert_int_equal(vsp_dash_sidx_parse(b, n, 0, &x, err, sizeof(err)),
			 0);
	assert_int_equal(x.n, VSP_DASH_SIDX_MAX_REFS);
	assert_int_equal(x.count, count);
	end = (int64_t)n;
	for (uint32_t i = 0; i < count; i++)
		end += 7 + (int64_t)i;
	assert_int_equal(x.end, end);
	vsp_dash_sidx_clear(&x);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sidx),
		cmocka_unit_test(test_sidx_all),
		cmocka_unit_test(test_sidx_hierarchical),
		cmocka_unit_test(test_sidx_hostile),
		cmocka_unit_test(test_sidx_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
