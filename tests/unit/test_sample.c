/* test_sample.c - the segment sample (which indices, rotation) and the
 * container sniffer, table-driven; and --segments parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "limits.h"
#include "probe.h"
#include "sample.h"

#define F VSP_SEG_FIRST
#define M VSP_SEG_MIDDLE
#define L VSP_SEG_LAST
#define S VSP_SEG_SAMPLE

static void test_pick_table(void **state)
{
	static const struct {
		int64_t n;
		int want;
		uint64_t rot;
		size_t count;
		int64_t pos[8];
		vsp_seg_role roles[8];
	} cases[] = {
		{ 0, 3, 0, 0, { 0 }, { F } },
		{ 1, 3, 0, 1, { 0 }, { F } },
		{ 2, 3, 0, 2, { 0, 1 }, { F, L } },
		{ 3, 3, 0, 3, { 0, 1, 2 }, { F, M, L } },
		{ 6, 3, 0, 3, { 0, 3, 5 }, { F, M, L } },
		{ 6, 3, 1, 3, { 0, 4, 5 }, { F, M, L } },
		{ 6, 3, 2, 3, { 0, 1, 5 }, { F, M, L } },
		{ 6, 3, 3, 3, { 0, 2, 5 }, { F, M, L } },
		{ 6, 3, 4, 3, { 0, 3, 5 }, { F, M, L } },
		{ 100, 3, 0, 3, { 0, 50, 99 }, { F, M, L } },
		{ 6, 1, 0, 1, { 0 }, { F } },
		{ 6, 2, 0, 2, { 0, 5 }, { F, L } },
		{ 6,
		  VSP_SEGMENTS_ALL,
		  0,
		  6,
		  { 0, 1, 2, 3, 4, 5 },
		  { F, S, S, S, S, L } },
		{ 6,
		  VSP_SEGMENTS_ALL,
		  7,
		  6,
		  { 0, 1, 2, 3, 4, 5 },
		  { F, S, S, S, S, L } },
		{ 6, 9, 0, 6, { 0, 1, 2, 3, 4, 5 }, { F, S, S, S, S, L } },
		{ 10, 4, 0, 4, { 0, 3, 7, 9 }, { F, S, S, L } },
		/* 1+(2+5)%8 and 1+(6+5)%8: the second wraps */
		{ 10, 4, 5, 4, { 0, 4, 8, 9 }, { F, S, S, L } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t pos[16];
		vsp_seg_role roles[16];
		size_t k = vsp_sample_pick(cases[i].n, cases[i].want,
					   cases[i].rot, pos, roles, 16);

		if (k != cases[i].count)
			fail_msg("case %zu: %zu positions, want %zu", i, k,
				 cases[i].count);
		for (size_t j = 0; j < k; j++)
			if (pos[j] != cases[i].pos[j] ||
			    roles[j] != cases[i].roles[j])
				fail_msg("case %zu: [%zu] = %lld %s, want %lld "
					 "%s",
					 i, j, (long long)pos[j],
					 vsp_seg_role_name(roles[j]),
					 (long long)cases[i].pos[j],
					 vsp_seg_role_name(cases[i].roles[j]));
	}
}

/* Over span successive rotations the default sample covers every index
 * once, and every sample is sorted and without duplicates. */
static void test_rotation_covers(void **state)
{
	static const int64_t sizes[] = { 3, 4, 7, 50, 333 };
	static const int wants[] = { 3, 5, 17 };

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
			int64_t n = sizes[s];
			char *seen = calloc((size_t)n, 1);

			assert_non_null(seen);
			for (uint64_t rot = 0; rot < (uint64_t)n; rot++) {
				int64_t pos[32];
				vsp_seg_role roles[32];
				size_t k = vsp_sample_pick(n, wants[w], rot,
							   pos, roles, 32);

				for (size_t j = 0; j < k; j++) {
					assert_true(pos[j] >= 0 && pos[j] < n);
					if (j)
						assert_true(pos[j] >
							    pos[j - 1]);
					seen[pos[j]] = 1;
				}
			}
			for (int64_t i = 0; i < n; i++)
				if (!seen[i])
					fail_msg("n %lld want %d: index %lld "
						 "never sampled",
						 (long long)n, wants[w],
						 (long long)i);
			free(seen);
		}
}

/* A hostile count: the sample stays at the caps. */
static void test_pick_bounded(void **state)
{
	int64_t *pos = malloc(VSP_MAX_SEGMENT_CHECKS * 2 * sizeof(*pos));
	vsp_seg_role *roles =
		malloc(VSP_MAX_SEGMENT_CHECKS * 2 * sizeof(*roles));
	size_t k;

	(void)state;
	assert_non_null(pos);
	assert_non_null(roles);
	k = vsp_sample_pick(500000, VSP_SEGMENTS_ALL, 0, pos, roles,
			    VSP_MAX_SEGMENT_CHECKS * 2);
	assert_int_equal(k, VSP_MAX_SEGMENT_CHECKS);
	assert_int_equal(pos[0], 0);
	assert_int_equal(pos[k - 1], 499999);
	k = vsp_sample_pick(500000, 3, UINT64_MAX, pos, roles, 2);
	assert_int_equal(k, 2);
	free(pos);
	free(roles);
}

static void test_sniff_table(void **state)
{
	static uint8_t ts[188 * 3], ts_bad[188 * 3], ts_pad[188 * 2 + 12],
		html[] = "<html><body>"
			 "404</body>";
	static const uint8_t styp[] = { 0, 0, 0, 24, 's', 't', 'y', 'p' };
	static const uint8_t moof[] = { 0, 0, 0, 8, 'm', 'o', 'o', 'f' };
	static const uint8_t sidx[] = { 0, 0, 0, 44, 's', 'i', 'd', 'x' };
	static const uint8_t ftyp[] = { 0, 0, 0, 32, 'f', 't', 'y', 'p' };
	static const uint8_t emsg[] = { 0, 0, 0, 60, 'e', 'm', 's', 'g' };
	static const uint8_t prft[] = { 0, 0, 0, 32, 'p', 'r', 'f', 't' };
	static const uint8_t tiny_box[] = { 0, 0, 0, 3, 'm', 'o', 'o', 'f' };
	static const uint8_t other_box[] = { 0, 0, 0, 8, 'a', 'b', 'c', 'd' };
	static const uint8_t ebml[] = { 0x1A, 0x45, 0xDF, 0xA3, 0x9F };
	static const uint8_t id3[] = { 'I', 'D', '3', 4, 0, 0, 0, 0, 0, 63 };
	static const uint8_t id3_bad[] = { 'I', 'D',  '3', 4, 0,
					   0,	0x80, 0,   0, 63 };
	static const uint8_t adts[] = {
		0xFF, 0xF1, 0x50, 0x80, 0x2E, 0x7F, 0xFC
	};
	static const uint8_t adts_bad_sf[] = { 0xFF, 0xF1, 0x3C, 0x80,
					       0x2E, 0x7F, 0xFC };
	static const uint8_t m3u8[] = "#EXTM3U\n#EXTINF:1,\nx.ts\n";
	static const uint8_t zeros[64];
	static const uint8_t one_g[] = { 0x47 };
	const struct {
		const char *name;
		const uint8_t *b;
		size_t len;
		const char *want;
	} cases[] = {
		{ "ts", ts, sizeof(ts), "mpegts" },
		{ "ts one packet", ts, 188, "mpegts" },
		{ "ts packet and a half", ts, 188 + 94, "mpegts" },
		/* whole packets, then a partial one that is not (padding) */
		{ "ts then padding", ts_pad, sizeof(ts_pad), "mpegts" },
		{ "ts under one packet", ts, 187, NULL },
		{ "ts lost sync", ts_bad, sizeof(ts_bad), NULL },
		{ "a lone G", one_g, 1, NULL },
		{ "styp", styp, sizeof(styp), "isobmff" },
		{ "moof", moof, sizeof(moof), "isobmff" },
		{ "sidx", sidx, sizeof(sidx), "isobmff" },
		{ "ftyp", ftyp, sizeof(ftyp), "isobmff" },
		{ "emsg", emsg, sizeof(emsg), "isobmff" },
		{ "prft", prft, sizeof(prft), "isobmff" },
		{ "box smaller than its header", tiny_box, sizeof(tiny_box),
		  NULL },
		{ "unknown box", other_box, sizeof(other_box), NULL },
		{ "webm", ebml, sizeof(ebml), "webm" },
		{ "id3", id3, sizeof(id3), "id3" },
		{ "id3 bad size", id3_bad, sizeof(id3_bad), NULL },
		{ "adts", adts, sizeof(adts), "adts" },
		{ "adts bad rate", adts_bad_sf, sizeof(adts_bad_sf), NULL },
		{ "html", html, sizeof(html) - 1, NULL },
		{ "playlist", m3u8, sizeof(m3u8) - 1, NULL },
		{ "zeros", zeros, sizeof(zeros), NULL },
		{ "empty", zeros, 0, NULL },
	};

	(void)state;
	memset(ts, 0xAA, sizeof(ts));
	for (size_t i = 0; i < sizeof(ts); i += 188)
		ts[i] = 0x47;
	memcpy(ts_bad, ts, sizeof(ts));
	ts_bad[376] = 0x48;
	memcpy(ts_pad, ts, 376);
	memset(ts_pad + 376, 12, 12);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = vsp_sniff_container(cases[i].b, cases[i].len);

		if ((got == NULL) != (cases[i].want == NULL) ||
		    (got && strcmp(got, cases[i].want) != 0))
			fail_msg("%s: sniffed %s, want %s", cases[i].name,
				 got ? got : "(none)",
				 cases[i].want ? cases[i].want : "(none)");
	}
}

static void test_segments_parse(void **state)
{
	static const struct {
		const char *s;
		int rc, want;
	} cases[] = {
		{ "all", 0, VSP_SEGMENTS_ALL },
		{ "1", 0, 1 },
		{ "3", 0, 3 },
		{ "1000", 0, VSP_MAX_SEGMENT_CHECKS },
		{ "1001", -1, 0 },
		{ "0", -1, 0 },
		{ "-1", -1, 0 },
		{ "", -1, 0 },
		{ "3x", -1, 0 },
		{ " 3", -1, 0 },
		{ "ALL", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = 0;

		if (vsp_segments_parse(cases[i].s, &v) != cases[i].rc ||
		    (cases[i].rc == 0 && v != cases[i].want))
			fail_msg("'%s': rc/value wrong (%d)", cases[i].s, v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_table),
		cmocka_unit_test(test_rotation_covers),
		cmocka_unit_test(test_pick_bounded),
		cmocka_unit_test(test_sniff_table),
		cmocka_unit_test(test_segments_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
