/*
 * test_termsafe.c - vsp_term_safe() and vsp_body_quote(): control bytes
 * an origin sends never reach a terminal, bodies are quoted short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "limits.h"
#include "termsafe.h"

static void test_term_safe(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain 720p", "plain 720p" },
		/* clear screen, set the window title, bell, backspace, DEL */
		{ "a\x1b[2Jb", "a?[2Jb" },
		{ "\x1b]0;owned\x07", "?]0;owned?" },
		{ "x\by\x7fz", "x?y?z" },
		/* C1 controls: raw (CSI 0x9b, OSC 0x9d) and as UTF-8 U+009B */
		{ "\x9b"
		  "2J\x9d"
		  "0;t",
		  "?2J?0;t" },
		{ "\xc2\x9b"
		  "2J",
		  "?2J" },
		/* valid UTF-8 is kept; U+00A0 is not a control */
		{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\xac \xc2\xa0",
		  "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\xac "
		  "\xc2\xa0" },
		/* invalid UTF-8: lone continuation, overlong, truncated */
		{ "\x80\xc0\xaf\xe2\x82", "?????" },
		{ "line1\nline2\ttab\r", "line1\nline2?tab?" },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = vsp_term_safe(cases[i].in, strlen(cases[i].in), out,
					 sizeof(out));

		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, out,
				 cases[i].want);
		assert_int_equal(n, strlen(out));
	}
	/* Cut at a character boundary, always terminated. */
	assert_int_equal(vsp_term_safe("ab\xc3\xa9", 4, out, 4), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(vsp_term_safe("abc", 3, out, 1), 0);
	assert_string_equal(out, "");
}

static void test_body_quote(void **state)
{
	const char *body = "{\"token\":\"0123456789abcdef0123\"}";
	char out[64];

	(void)state;
	vsp_body_quote((const uint8_t *)body, strlen(body), out, sizeof(out));
	assert_int_equal(strlen(out), VSP_BODY_QUOTE_BYTES);
	assert_string_equal(out, "{\"token\":\"012345");
	vsp_body_quote((const uint8_t *)"\x1b[2J'\xff\x00x", 8, out,
		       sizeof(out));
	assert_string_equal(out, ".[2J...x");
	vsp_body_quote((const uint8_t *)"abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_safe),
		cmocka_unit_test(test_body_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
