/*
 * test_http.c - vsp_http_headers_allowed(): which URLs an origin's headers
 * (tokens) may go to. Offline; the transfers themselves are tested by the
 * scenario suite (token rows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static void test_headers_allowed(void **state)
{
	static const char *const headers[] = { "X-Token: s3cret" };
	static const char *const hosts[] = { "keys.example", "cdn2.example:8443",
					     "[::1]:9000" };
	static const struct {
		const char *url;
		int want;
	} cases[] = {
		{ "https://cdn.example/live/master.m3u8", 1 },
		{ "https://CDN.example:443/other/path.ts?x=1", 1 },
		{ "http://cdn.example/live/master.m3u8", 0 },	   /* scheme */
		{ "https://cdn.example:8443/live/master.m3u8", 0 }, /* port */
		{ "https://evil.example/live/master.m3u8", 0 },
		{ "https://cdn.example.evil.example/x", 0 },
		{ "https://keys.example/k.bin", 1 }, /* any port */
		{ "http://keys.example:8080/k.bin", 1 },
		{ "https://cdn2.example:8443/s.ts", 1 },
		{ "https://cdn2.example/s.ts", 0 },
		{ "http://[::1]:9000/s.ts", 1 },
		{ "http://[::1]:9001/s.ts", 0 },
		{ "not a url", 0 },
	};
	vsp_http_opts o = { 0 };

	(void)state;
	o.headers = headers;
	o.n_headers = 1;
	o.header_origin = "https://cdn.example/live/master.m3u8";
	o.header_hosts = hosts;
	o.n_header_hosts = 3;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (vsp_http_headers_allowed(&o, cases[i].url) != cases[i].want)
			fail_msg("%s: want %d", cases[i].url, cases[i].want);
	/* No origin named: no restriction (nothing else knows better). */
	o.header_origin = NULL;
	o.n_header_hosts = 0;
	assert_int_equal(vsp_http_headers_allowed(&o, "https://x.example/"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
