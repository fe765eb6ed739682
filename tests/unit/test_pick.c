/* test_pick.c - the rendition rule (--renditions / "renditions") on a ladder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probe_int.h"

static void test_ladder(void **state)
{
	/* Manifest order, not bandwidth order, as masters often are. */
	static const int64_t bw[] = { 800, 200, 3000, 1200, 400 };
	static const struct {
		const char *rule;
		int n;
		size_t want[5];
	} cases[] = {
		{ "all", 5, { 0, 1, 2, 3, 4 } },
		{ "lowest", 1, { 1 } },
		{ "highest", 1, { 2 } },
		{ "1", 1, { 1 } },
		{ "2", 2, { 1, 2 } },
		{ "3", 3, { 1, 0, 2 } },
		{ "5", 5, { 1, 4, 0, 3, 2 } },
		{ "9", 5, { 1, 4, 0, 3, 2 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t out[5];
		vsp_pick pick;
		int count = 0, n;

		assert_int_equal(vsp_pick_parse(cases[i].rule, &pick, &count),
				 0);
		n = vsp_pick_ladder(bw, 5, pick, count, out);
		if (n != cases[i].n)
			fail_msg("%s: %d picked, want %d", cases[i].rule, n,
				 cases[i].n);
		for (int k = 0; k < n; k++)
			if (out[k] != cases[i].want[k])
				fail_msg("%s: pick %d is %zu, want %zu",
					 cases[i].rule, k, out[k],
					 cases[i].want[k]);
	}
	{
		size_t out[1];

		assert_int_equal(vsp_pick_ladder(bw, 0, VSP_PICK_LOWEST, 0, out), 0);
	}
}

static void test_rule_parse(void **state)
{
	static const char *const bad[] = { "", "0", "-1", "1.5", "lowest ",
					   "ALL", "257", "x" };
	vsp_pick pick;
	int count;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vsp_pick_parse(bad[i], &pick, &count) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_rule_parse),
	};

	return cmocka_run_group_tests_name("pick", tests, NULL, NULL);
}
