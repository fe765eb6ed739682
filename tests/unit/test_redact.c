/*
 * test_redact.c - secrets of a probe definition never reach what prober
 * writes: string redaction cases, and a whole result tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe.h"
#include "record.h"
#include "redact.h"

static void test_strings(void **state)
{
	static const char *const secrets[] = { "s3cret", "tok-42" };
	static const struct {
		const char *in;
		int mask_query;
		const char *want;
	} cases[] = {
		{ "GET http://a/m.m3u8?sig=abc&exp=1: HTTP 403", 1,
		  "GET http://a/m.m3u8?REDACTED: HTTP 403" },
		{ "http://a/x.ts?t=1#frag", 1, "http://a/x.ts?REDACTED#frag" },
		{ "no URL? here", 1, "no URL? here" },
		{ "two http://a/?q=1 and HTTPS://b/c?d=e.", 1,
		  "two http://a/?REDACTED and HTTPS://b/c?REDACTED." },
		{ "'http://a/p?x=1' quoted", 1, "'http://a/p?REDACTED' quoted" },
		{ "http://a/m.m3u8?sig=abc", 0, "http://a/m.m3u8?sig=abc" },
		/* userinfo: always masked, with or without secret_query */
		{ "GET http://user:PASSWORD@h:8080/m.m3u8: HTTP 401", 0,
		  "GET http://REDACTED@h:8080/m.m3u8: HTTP 401" },
		{ "https://tokenonly@h/x", 0, "https://REDACTED@h/x" },
		{ "http://h/a@b/c and mailto-like a@b", 0,
		  "http://h/a@b/c and mailto-like a@b" },
		{ "ftp://u:p@h/x?q=1", 1, "ftp://REDACTED@h/x?REDACTED" },
		/* a relative URI quoted by a parser: its query masked too */
		{ "line 5: URI 'seg1.ts?token=abc' has no EXTINF before it", 1,
		  "line 5: URI 'seg1.ts?REDACTED' has no EXTINF before it" },
		{ "key \"k/1?sig=x#f\" missing", 1,
		  "key \"k/1?REDACTED#f\" missing" },
		{ "line 5: URI 'seg1.ts?token=abc'", 0,
		  "line 5: URI 'seg1.ts?token=abc'" },
		{ "is it 1.5? or why?", 1, "is it 1.5? or why?" },
		{ "token s3cret in text, tok-42 too", 0,
		  "token REDACTED in text, REDACTED too" },
		{ "http://a/s3cret/x?s3cret", 1, "http://a/REDACTED/x?REDACTED" },
		{ "", 1, "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = vsp_redact_string(cases[i].in, secrets, 2,
					      cases[i].mask_query);

		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: '%s' -> '%s', want '%s'", i,
				 cases[i].in, got, cases[i].want);
		free(got);
	}
	assert_null(vsp_redact_string(NULL, secrets, 2, 1));
}

/* Every string of the tree, the record as written shows no secret. */
static void test_tree(void **state)
{
	vsp_probe_cfg cfg;
	vsp_stream_result *s = calloc(1, sizeof(*s));
	vsp_origin_result *o;
	vsp_rendition_result *r;
	char *line;

	(void)state;
	vsp_probe_cfg_init(&cfg);
	assert_int_equal(vsp_probe_cfg_add_origin(&cfg, "a",
						  "http://a/m.m3u8?sig=abc"),
			 0);
	cfg.origins[0].secrets = calloc(1, sizeof(char *));
	cfg.origins[0].secrets[0] = strdup("s3cret");
	cfg.origins[0].n_secrets = 1;
	cfg.origins[0].secret_query = 1;

	s->v.message = strdup("a: GET http://a/m.m3u8?sig=abc: HTTP 403");
	s->v.status = VSP_FAIL;
	s->n_origins = 1;
	s->origins = o = calloc(1, sizeof(*o));
	o->url = strdup("http://a/m.m3u8?sig=abc");
	o->v.message = strdup("server said s3cret");
	o->manifest.done = 1;
	o->manifest.url = strdup("http://a/m.m3u8?sig=abc");
	o->manifest.final_url = strdup("http://b/m.m3u8?sig=def");
	o->n_renditions = 1;
	o->renditions = r = calloc(1, sizeof(*r));
	r->uri = strdup("http://a/v0.m3u8?sig=ghi");
	r->segment.done = 1;
	r->segment.url = strdup("http://a/v0/s.ts?sig=jkl");
	r->v.message = strdup("segment 0: GET http://a/v0/s.ts?sig=jkl: 404");
	r->live_note = strdup("reload failed: http://a/v0.m3u8?sig=ghi");

	assert_int_equal(vsp_redact_result(s,
					   (const char *const *)cfg.origins[0]
						   .secrets,
					   cfg.origins[0].n_secrets,
					   cfg.origins[0].secret_query),
			 0);
	line = vsp_record_dumps(s);
	assert_non_null(line);
	assert_null(strstr(line, "sig="));
	assert_null(strstr(line, "s3cret"));
	assert_non_null(strstr(line, "http://a/v0/s.ts?REDACTED"));
	assert_string_equal(o->manifest.final_url, "http://b/m.m3u8?REDACTED");
	free(line);
	vsp_stream_result_free(s);
	vsp_probe_cfg_clear(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_tree),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
