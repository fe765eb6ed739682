/*
 * test_conform.c - the conformance checks (lib/conform.c): a playlist or
 * MPD breaking each rule gives its finding and clause; the valid ones give
 * none; and the whole corpus (tests/corpus, from the repository root, where
 * `make unit` runs): every file that parses gives no finding, except the
 * ones listed in `invalid` below, each found invalid from the spec with its
 * clause.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conform.h"

/* Corpus files that break a MUST, and the clause of their first finding. */
static const struct {
	const char *file, *clause, *why;
} invalid[] = {
	{ "hls/edge-live-empty-map-only.m3u8", "RFC 8216 7",
	  "EXT-X-MAP needs EXT-X-VERSION 6; there is no EXT-X-VERSION" },
	{ "hls/edge-vod-empty-endlist.m3u8", "RFC 8216 7",
	  "EXT-X-MAP needs EXT-X-VERSION 6; there is no EXT-X-VERSION" },
	{ "hls/llhls-delta-parts-byterange.m3u8", "RFC 8216 7",
	  "EXT-X-BYTERANGE needs version 4; EXT-X-VERSION is 3" },
	/* hls/media-vod-byterange-implicit-offsets.m3u8 breaks 4.3.2.2 (an
	 * EXT-X-BYTERANGE without offset after another resource): a parse
	 * error, in test_hls.c, so never conformance-checked. */
	{ "hls/media-live-ts-no-endlist.m3u8", "RFC 8216 4.3.3.1",
	  "EXTINF:19 over EXT-X-TARGETDURATION:10" },
	{ "hls/media-vod-fmp4-map-no-targetduration.m3u8", "RFC 8216 7",
	  "EXT-X-MAP without EXT-X-VERSION; no EXT-X-TARGETDURATION "
	  "(4.3.3.1) either" },
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = b ? (size_t)n : 0;
	return b;
}

/* Findings of one document (HLS or DASH by content); -1 when it does not
 * parse (the parser's tests cover those). */
static int findings(const char *text, size_t len, vsp_conform_list *l)
{
	char err[512];

	memset(l, 0, sizeof(*l));
	if (vsp_dash_detect((const uint8_t *)text, len)) {
		vsp_dash_mpd *m = NULL;

		if (vsp_dash_parse(text, len, NULL, &m, err, sizeof(err)))
			return -1;
		vsp_conform_dash(m, NULL, 0, l);
		vsp_dash_free(m);
	} else {
		vsp_hls_playlist *pl = NULL;

		if (vsp_hls_parse(text, len, NULL, &pl, err, sizeof(err)))
			return -1;
		vsp_conform_hls(pl, l);
		vsp_hls_free(pl);
	}
	return (int)l->n;
}

static void test_corpus(void **state)
{
	static const char *const dirs[] = { "hls", "dash" };
	size_t checked = 0, bad = 0;

	(void)state;
	for (size_t d = 0; d < 2; d++) {
		char path[512];
		DIR *dir;
		struct dirent *e;

		snprintf(path, sizeof(path), "tests/corpus/%s", dirs[d]);
		dir = opendir(path);
		if (!dir)
			skip();
		while ((e = readdir(dir))) {
			char rel[300];
			const char *want = NULL;
			vsp_conform_list l;
			size_t len = 0;
			char *text;
			int n;

			if (e->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof(rel), "%s/%s", dirs[d], e->d_name);
			snprintf(path, sizeof(path), "tests/corpus/%s", rel);
			text = slurp(path, &len);
			assert_non_null(text);
			n = findings(text, len, &l);
			free(text);
			if (n < 0)
				continue;
			checked++;
			for (size_t i = 0;
			     i < sizeof(invalid) / sizeof(invalid[0]); i++)
				if (strcmp(invalid[i].file, rel) == 0)
					want = invalid[i].clause;
			if (want) {
				bad++;
				if (n == 0 ||
				    strcmp(l.item[0].clause, want) != 0)
					fail_msg("%s: want %s, got %s", rel,
						 want,
						 n ? l.item[0].clause : "none");
			} else if (n > 0) {
				fail_msg("%s: a valid file, yet: %s: %s", rel,
					 l.item[0].clause, l.item[0].message);
			}
		}
		closedir(dir);
	}
	assert_true(checked > 100);
	assert_int_equal(bad, sizeof(invalid) / sizeof(invalid[0]));
}

/* One playlist each breaking one rule, and its valid twin. */
static void test_hls_rules(void **state)
{
	static const struct {
		const char *text, *clause, *word;
	} cases[] = {
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXTINF:6.6,\na.ts\n"
		  "#EXT-X-ENDLIST\n",
		  "RFC 8216 4.3.3.1", "rounds to 7" },
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXTINF:6.4,\na.ts\n#EXT-X-ENDLIST\n",
		  NULL, NULL },
		{ "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:5.5,\na.ts\n"
		  "#EXT-X-ENDLIST\n",
		  "RFC 8216 7", "decimal EXTINF" },
		{ "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6,\na.m4s\n"
		  "#EXT-X-ENDLIST\n",
		  "RFC 8216 7", "EXT-X-MAP" },
		{ "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-MAP:URI=\"i.mp4\"\n#EXTINF:6,\na.m4s\n"
		  "#EXT-X-ENDLIST\n",
		  NULL, NULL },
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:10Z\n"
		  "#EXTINF:6,\na.ts\n"
		  "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z\n"
		  "#EXTINF:6,\nb.ts\n",
		  "RFC 8216 4.3.2.6", "without an EXT-X-DISCONTINUITY" },
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:10Z\n"
		  "#EXTINF:6,\na.ts\n#EXT-X-DISCONTINUITY\n"
		  "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z\n"
		  "#EXTINF:6,\nb.ts\n",
		  NULL, NULL },
		/* EXT-X-START: TIME-OFFSET is REQUIRED, in a media playlist
		 * and in a master alike. */
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-START:PRECISE=YES\n#EXTINF:6,\na.ts\n"
		  "#EXT-X-ENDLIST\n",
		  "RFC 8216 4.3.5.2",
		  "line 4: EXT-X-START without a readable TIME-OFFSET" },
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-START:TIME-OFFSET=soon\n#EXTINF:6,\na.ts\n"
		  "#EXT-X-ENDLIST\n",
		  "RFC 8216 4.3.5.2", "without a readable TIME-OFFSET" },
		{ "#EXTM3U\n#EXT-X-START\n"
		  "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n",
		  "RFC 8216 4.3.5.2", "without a readable TIME-OFFSET" },
		{ "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
		  "#EXT-X-START:TIME-OFFSET=-6,PRECISE=YES\n"
		  "#EXTINF:6,\na.ts\n#EXT-X-ENDLIST\n",
		  NULL, NULL },
		{ "#EXTM3U\n#EXT-X-START:TIME-OFFSET=12.5\n"
		  "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv.m3u8\n",
		  NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_conform_list l;
		int n = findings(cases[i].text, strlen(cases[i].text), &l);

		assert_true(n >= 0);
		if (!cases[i].clause) {
			if (n)
				fail_msg("case %zu: %s", i, l.item[0].message);
			continue;
		}
		if (n != 1 || strcmp(l.item[0].clause, cases[i].clause) ||
		    !strstr(l.item[0].message, cases[i].word))
			fail_msg("case %zu: %d findings: %s: %s", i, n,
				 n ? l.item[0].clause : "",
				 n ? l.item[0].message : "");
	}
}

static vsp_hls_playlist *parse(const char *t)
{
	vsp_hls_playlist *pl = NULL;
	char err[256];

	assert_int_equal(vsp_hls_parse(t, strlen(t), NULL, &pl, err,
				       sizeof(err)),
			 0);
	return pl;
}

#define LIVE_HEAD "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n"

static void test_reload_rules(void **state)
{
	static const struct {
		const char *prev, *cur, *clause, *word;
	} cases[] = {
		/* healthy: the window slid by one */
		{ LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:10\n#EXTINF:4,\n10.ts\n"
			    "#EXTINF:4,\n11.ts\n",
		  LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:11\n#EXTINF:4,\n11.ts\n"
			    "#EXTINF:4,\n12.ts\n",
		  NULL, NULL },
		{ LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:10\n#EXTINF:4,\n10.ts\n",
		  LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:8\n#EXTINF:4,\n8.ts\n",
		  "RFC 8216 6.2.1", "went back from 10 to 8" },
		{ LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:10\n#EXTINF:4,\n10.ts\n"
			    "#EXTINF:4,\n11.ts\n",
		  LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:11\n#EXTINF:4,\nx11.ts\n",
		  "RFC 8216 6.2.1", "URI changed" },
		{ LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:10\n"
			    "#EXT-X-DISCONTINUITY-SEQUENCE:3\n#EXTINF:4,\n"
			    "10.ts\n#EXTINF:4,\n11.ts\n",
		  LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:11\n"
			    "#EXT-X-DISCONTINUITY-SEQUENCE:5\n#EXTINF:4,\n"
			    "11.ts\n",
		  "RFC 8216 4.3.3.3", "discontinuity sequence 3, then 5" },
		{ LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:10\n"
			    "#EXT-X-DISCONTINUITY-SEQUENCE:3\n#EXTINF:4,\n"
			    "10.ts\n",
		  LIVE_HEAD "#EXT-X-MEDIA-SEQUENCE:11\n"
			    "#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXTINF:4,\n"
			    "11.ts\n",
		  "RFC 8216 6.2.1", "DISCONTINUITY-SEQUENCE went back" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_hls_playlist *a = parse(cases[i].prev);
		vsp_hls_playlist *b = parse(cases[i].cur);
		vsp_conform_list l = { 0 };

		vsp_conform_hls_reload(a, b, &l);
		vsp_hls_free(a);
		vsp_hls_free(b);
		if (!cases[i].clause) {
			if (l.n)
				fail_msg("case %zu: %s", i, l.item[0].message);
			continue;
		}
		if (l.n < 1 || strcmp(l.item[0].clause, cases[i].clause) ||
		    !strstr(l.item[0].message, cases[i].word))
			fail_msg("case %zu: %zu findings: %s: %s", i, l.n,
				 l.n ? l.item[0].clause : "",
				 l.n ? l.item[0].message : "");
	}
}

#define MPD_HEAD                                                           \
	"<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" " \
	"type=\"static\" mediaPresentationDuration=\"PT30S\" "             \
	"profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"><Period>"          \
	"<AdaptationSet mimeType=\"video/mp4\"><Representation id=\"v\" "      \
	"bandwidth=\"1\" codecs=\"avc1.64001f\"><SegmentTemplate "            \
	"timescale=\"1000\" media=\"$Time$.m4s\"><SegmentTimeline>"
#define MPD_TAIL                                                 \
	"</SegmentTimeline></SegmentTemplate></Representation>" \
	"</AdaptationSet></Period></MPD>\n"

static void test_dash_rules(void **state)
{
	static const struct {
		const char *timeline, *word;
	} cases[] = {
		{ "<S t=\"0\" d=\"4000\" r=\"1\"/><S t=\"8000\" d=\"4000\"/>",
		  NULL },
		{ "<S t=\"0\" d=\"4000\" r=\"1\"/><S t=\"9000\" d=\"4000\"/>",
		  "gap of 1.000 s" },
		{ "<S t=\"0\" d=\"4000\" r=\"1\"/><S t=\"7500\" d=\"4000\"/>",
		  "overlap of 0.500 s" },
		{ "<S t=\"0\" d=\"4000\" r=\"-1\"/><S t=\"9000\" d=\"4000\"/>",
		  NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[2048];
		vsp_conform_list l;
		int n;

		snprintf(doc, sizeof(doc), "%s%s%s", MPD_HEAD,
			 cases[i].timeline, MPD_TAIL);
		n = findings(doc, strlen(doc), &l);
		assert_true(n >= 0);
		if (!cases[i].word) {
			if (n)
				fail_msg("case %zu: %s", i, l.item[0].message);
			continue;
		}
		if (n != 1 || !strstr(l.item[0].message, cases[i].word) ||
		    strcmp(l.item[0].clause, "ISO/IEC 23009-1 5.3.9.6"))
			fail_msg("case %zu: %d: %s", i, n,
				 n ? l.item[0].message : "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_hls_rules),
		cmocka_unit_test(test_reload_rules),
		cmocka_unit_test(test_dash_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
