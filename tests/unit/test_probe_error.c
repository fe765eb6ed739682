/*
 * test_probe_error.c - the check's own failures (probe_error.c) are told
 * apart by the producer's code, never by the words of a message: a URL
 * that says "out of memory" does not make an internal failure out of
 * memory, and out of memory said in other words is still out of memory.
 * A target's failure stays a verdict whatever its message says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "probe_int.h"

/* (rc, err) -> the check's error, every pairing that matters. */
static void test_err_code(void **state)
{
	static const struct {
		vsp_reason rc;
		int err;
		int want;
	} t[] = {
		{ VSP_R_INTERNAL, VSP_E_NOMEM, VSP_E_NOMEM },
		{ VSP_R_INTERNAL, VSP_E_INTERNAL, VSP_E_INTERNAL },
		/* No code said: internal, never a guess at out of memory. */
		{ VSP_R_INTERNAL, 0, VSP_E_INTERNAL },
		{ VSP_R_INTERNAL, VSP_E_SYNTAX, VSP_E_INTERNAL },
		/* The target's reasons are verdicts, whatever err holds. */
		{ VSP_R_NONE, 0, 0 },
		{ VSP_R_HTTP_STATUS, VSP_E_NOMEM, 0 },
		{ VSP_R_DECODE_ERROR, VSP_E_INTERNAL, 0 },
		{ VSP_R_TOO_LARGE, VSP_E_LIMIT, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(vsp_probe_err_code(t[i].rc, t[i].err),
				 t[i].want);
}

struct fixture {
	struct check_error e;
	vsp_origin_cfg ocfg;
	struct origin_ctx o;
	vsp_verdict v;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(pthread_mutex_init(&f->e.lock, NULL), 0);
	f->ocfg.name = (char *)"edge1";
	f->o.ocfg = &f->ocfg;
	f->o.error = &f->e;
}

static void fixture_clear(struct fixture *f)
{
	free(f->v.message);
	pthread_mutex_destroy(&f->e.lock);
}

/* An internal failure whose message carries "out of memory" in its URL
 * stays internal (code_of() would have said NOMEM). */
static void test_url_words_not_nomem(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	vsp_probe_fail(&f.o, &f.v, VSP_R_INTERNAL, VSP_E_INTERNAL,
		       VSP_STAGE_SEGMENT, "segment 3: %s: %s",
		       "http://127.0.0.1/out of memory/seg3.ts",
		       "no worker thread");
	assert_int_equal(f.e.code, VSP_E_INTERNAL);
	assert_non_null(strstr(f.e.msg, "origin edge1: segment 3: "));
	assert_non_null(strstr(f.e.msg, "out of memory/seg3.ts"));
	/* The prober's failure is never the target's verdict. */
	assert_int_equal(f.v.status, VSP_PASS);
	assert_null(f.v.message);
	assert_int_equal(vsp_probe_failed(&f.o), VSP_E_INTERNAL);
	fixture_clear(&f);
}

/* Out of memory whose message does not say so is still out of memory. */
static void test_nomem_by_code(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	vsp_probe_fail(&f.o, &f.v, VSP_R_INTERNAL, VSP_E_NOMEM,
		       VSP_STAGE_DECODE, "decode: h264: no picture buffer");
	assert_int_equal(f.e.code, VSP_E_NOMEM);
	assert_int_equal(f.v.status, VSP_PASS);
	/* First error wins: a later one changes neither code nor message. */
	vsp_probe_fail(&f.o, &f.v, VSP_R_INTERNAL, VSP_E_INTERNAL,
		       VSP_STAGE_KEY, "key: later");
	assert_int_equal(f.e.code, VSP_E_NOMEM);
	assert_null(strstr(f.e.msg, "later"));
	fixture_clear(&f);
}

/* A target's failure that mentions out of memory is its verdict. */
static void test_target_words_stay_verdict(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	vsp_probe_fail(&f.o, &f.v, VSP_R_HTTP_STATUS, 0, VSP_STAGE_SEGMENT,
		       "GET %s: HTTP 503", "http://127.0.0.1/out of memory");
	assert_int_equal(f.e.code, 0);
	assert_int_equal(f.v.status, VSP_FAIL);
	assert_int_equal(f.v.reason, VSP_R_HTTP_STATUS);
	assert_int_equal(f.v.stage, VSP_STAGE_SEGMENT);
	assert_non_null(strstr(f.v.message, "HTTP 503"));
	fixture_clear(&f);
}

/* A parser's return is its own code (vsp_parse_reason for the reason). */
static void test_parser_code(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	vsp_probe_fail(&f.o, &f.v, vsp_parse_reason(VSP_E_NOMEM), VSP_E_NOMEM,
		       VSP_STAGE_MANIFEST, "manifest %s: %s", "m.m3u8",
		       "cannot allocate the variant list");
	assert_int_equal(f.e.code, VSP_E_NOMEM);
	fixture_clear(&f);
	fixture_init(&f);
	vsp_probe_fail(&f.o, &f.v, vsp_parse_reason(VSP_E_SYNTAX), VSP_E_SYNTAX,
		       VSP_STAGE_MANIFEST, "manifest: %s",
		       "out of memory (a line of the playlist)");
	assert_int_equal(f.e.code, 0);
	assert_int_equal(f.v.reason, VSP_R_MANIFEST_SYNTAX);
	fixture_clear(&f);
}

/* The lift: an internal verdict in the tree is the check's error, by who
 * left it there, not by its words. */
static void test_lift(void **state)
{
	vsp_rendition_result rend;
	vsp_origin_result org;
	vsp_stream_result s;
	struct check_error e;

	(void)state;
	memset(&rend, 0, sizeof(rend));
	memset(&org, 0, sizeof(org));
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	assert_int_equal(pthread_mutex_init(&e.lock, NULL), 0);
	org.renditions = &rend;
	org.n_renditions = 1;
	s.origins = &org;
	s.n_origins = 1;

	/* Nothing internal: no error. */
	assert_int_equal(vsp_probe_error_lift(&e, &s), 0);

	/* compare.c out of memory, beside a warning the stream already
	 * holds (a verdict could not carry it: the first warning wins). */
	vsp_verdict_set(&s.v, VSP_WARN, VSP_R_ORIGIN_LAGGING, VSP_STAGE_LIVE,
			"origin b is 12 s behind");
	s.judge_err = VSP_E_NOMEM;
	assert_int_equal(vsp_probe_error_lift(&e, &s), VSP_E_NOMEM);
	assert_string_equal(e.msg, "out of memory comparing origins");
	free(s.v.message);
	memset(&s.v, 0, sizeof(s.v));
	s.judge_err = 0;

	/* Elsewhere no producer names one: internal, whatever it says. */
	pthread_mutex_destroy(&e.lock);
	memset(&e, 0, sizeof(e));
	assert_int_equal(pthread_mutex_init(&e.lock, NULL), 0);
	vsp_verdict_set(&rend.v, VSP_FAIL, VSP_R_INTERNAL, VSP_STAGE_SEGMENT,
			"GET http://127.0.0.1/out of memory/a.ts");
	assert_int_equal(vsp_probe_error_lift(&e, &s), VSP_E_INTERNAL);
	free(rend.v.message);
	pthread_mutex_destroy(&e.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_code),
		cmocka_unit_test(test_url_words_not_nomem),
		cmocka_unit_test(test_nomem_by_code),
		cmocka_unit_test(test_target_words_stay_verdict),
		cmocka_unit_test(test_parser_code),
		cmocka_unit_test(test_lift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
