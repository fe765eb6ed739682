/*
 * test_dash.c - the MPD parser (lib/dash.c); segment addressing is
 * test_dash_segment.c, template expansion test_dash_template.c, the sidx
 * reader test_dash_sidx.c, dates and durations test_datetime.c.
 *
 * Offline: MPDs are strings here or files of the shared corpus
 * (tests/corpus/dash from the repository root). Hostile
 * documents must fail cleanly (manifest_syntax: -1, too_large: -2) and the
 * external-entity case proves, with inotify, that the file it names is never
 * opened. Run under valgrind or ASan: every error path frees what it built.
 *
 * Corpus outcomes (files not listed parse, and every Representation either
 * yields a segment or a precise error):
 *
 * | file                                        | outcome                      |
 * |---------------------------------------------|------------------------------|
 * | malformed-missing-attribute-whitespace.mpd  | rejected: XML attributes construct error |
 * | malformed-not-xml.mpd                       | rejected: not XML            |
 * | malformed-truncated-after-mpd-start-tag.mpd | rejected: premature end      |
 * | edge-empty-segment-timeline.mpd             | parses; Representation: "SegmentTimeline is empty" |
 * | edge-dynamic-no-segment-info.mpd            | parses; Representation: no segment information |
 * | dynamic-multiperiod-timeline-drm.mpd,       | parses; the last period's   |
 * | static-5-periods-timeline-drm.mpd           | @initialization uses $Number$: that Representation errors (ISO/IEC 23009-1 forbids it) |
 * | dynamic-availability-time-offset-*.mpd      | parses; empty SegmentTemplate/List: no @media / no segment |
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cmocka.h>

#include "dash.h"
#include "dash_fixture.h"
#include "dash_segment.h"
#include "limits.h"
#include "manifest_json.h"

static int parse_rc(const char *xml, size_t len, char *err, size_t errlen)
{
	vsp_dash_mpd *m = NULL;
	int rc = vsp_dash_parse(xml, len, BASE, &m, err, errlen);

	if (rc == 0)
		vsp_dash_free(m);
	else
		assert_null(m);
	return rc;
}

/* ---- corpus ---- */

static int expected_rejected(const char *name)
{
	return strncmp(name, "malformed-", 10) == 0;
}

static void test_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *e;
	size_t files = 0;

	(void)state;
	if (!d)
		fail_msg("corpus %s not found (run from the repository root)",
			 CORPUS);
	while ((e = readdir(d)) != NULL) {
		char path[1024], err[ERRLEN];
		FILE *f;
		char *buf;
		long n;
		vsp_dash_mpd *m = NULL;
		int rc;

		if (!strstr(e->d_name, ".mpd"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		rewind(f);
		buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		rc = vsp_dash_parse(buf, (size_t)n, BASE, &m, err, sizeof(err));
		if (expected_rejected(e->d_name)) {
			if (rc == 0)
				fail_msg("%s: parsed but should be rejected",
					 e->d_name);
			assert_int_equal(rc, -1);
			assert_true(strlen(err) > 0);
		} else {
			json_t *j;

			if (rc != 0)
				fail_msg("%s: %s", e->d_name, err);
			/* Every Representation: a segment or an error, no
			 * crash; JSON always builds. */
			for (size_t p = 0; p < m->n_periods; p++)
				for (size_t a = 0; a < m->periods[p].n_sets; a++)
					for (size_t r = 0;
					     r < m->periods[p].sets[a].n_reps; r++) {
						vsp_dash_segment s;

						if (vsp_dash_pick_segment(
							    m, &m->periods[p],
							    &m->periods[p].sets[a].reps[r],
							    T2024, &s, err,
							    sizeof(err)) == 0)
							assert_non_null(s.url);
						else
							assert_true(strlen(err) > 0);
						vsp_dash_segment_clear(&s);
					}
			j = vsp_dash_to_json(m);
			assert_non_null(j);
			json_decref(j);
			vsp_dash_free(m);
		}
		free(buf);
		files++;
	}
	closedir(d);
	assert_true(files >= 60);
}

static const char mpd_inherit[] =
	"<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
	"mediaPresentationDuration=\"PT8S\">\n"
	"<BaseURL>https://cdn2.example.net/root/</BaseURL>\n"
	"<Period>\n"
	"<BaseURL>p1/</BaseURL>\n"
	"<SegmentTemplate media=\"$RepresentationID$_$Number$.m4s\" "
	"initialization=\"$RepresentationID$_init.m4s\" timescale=\"10\" "
	"duration=\"40\"/>\n"
	"<AdaptationSet mimeType=\"video/mp4\" codecs=\"avc1.4d401f\" "
	"width=\"1280\" height=\"720\" frameRate=\"30000/1001\">\n"
	"<BaseURL>../as/</BaseURL>\n"
	"<SegmentTemplate timescale=\"1000\" duration=\"2000\"/>\n"
	"<Representation id=\"hd\" bandwidth=\"3000000\">\n"
	"<BaseURL>rep/</BaseURL>\n"
	"<SegmentTemplate startNumber=\"0\"/>\n"
	"</Representation>\n"
	"<Representation id=\"abs\" bandwidth=\"1000000\" width=\"640\" "
	"height=\"360\">\n"
	"<BaseURL>https://other.example.com/x/</BaseURL>\n"
	"</Representation>\n"
	"</AdaptationSet>\n</Period>\n</MPD>\n";

static void test_inheritance_and_baseurl(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_inherit, BASE);
	const vsp_dash_representation *hd = rep_of(m, 0, 0, 0);
	const vsp_dash_representation *ab = rep_of(m, 0, 0, 1);
	vsp_dash_segment s;
	char err[ERRLEN];

	(void)state;
	assert_string_equal(hd->base_url,
			    "https://cdn2.example.net/root/as/rep/");
	assert_string_equal(hd->codecs, "avc1.4d401f");
	assert_int_equal(hd->width, 1280);
	assert_int_equal(hd->height, 720);
	assert_true(fabs(hd->frame_rate - 29.97003) < 1e-4);
	assert_int_equal(ab->width, 640);
	/* media from the Period, timescale/duration from the set, startNumber
	 * from the Representation. */
	assert_int_equal(hd->timescale, 1000);
	assert_int_equal(hd->duration, 2000);
	assert_int_equal(hd->start_number, 0);
	expect_seg(m, 0, 0, 0, "https://cdn2.example.net/root/as/rep/hd_0.m4s",
		   0);
	expect_seg(m, 0, 0, 3, "https://cdn2.example.net/root/as/rep/hd_3.m4s",
		   3);
	expect_seg(m, 0, 1, 0, "https://other.example.com/x/abs_1.m4s", 1);
	assert_int_equal(vsp_dash_segment_at(m, &m->periods[0], hd, 0, &s, err,
					     sizeof(err)),
			 0);
	assert_string_equal(s.init_url,
			    "https://cdn2.example.net/root/as/rep/hd_init.m4s");
	vsp_dash_segment_clear(&s);
	vsp_dash_free(m);

	/* Relative BaseURLs at every level against the MPD URL. */
	m = parse_ok("<MPD type=\"static\"><BaseURL>a/</BaseURL><Period>"
		     "<BaseURL>b/</BaseURL><AdaptationSet mimeType=\"video/mp4\">"
		     "<BaseURL>/c/</BaseURL><Representation id=\"r\" "
		     "bandwidth=\"1\"><BaseURL>d/e.mp4</BaseURL>"
		     "</Representation></AdaptationSet></Period></MPD>",
		     "https://h.example/x/y/m.mpd?tok=1");
	assert_string_equal(rep_of(m, 0, 0, 0)->base_url,
			    "https://h.example/c/d/e.mp4");
	expect_seg(m, 0, 0, 0, "https://h.example/c/d/e.mp4", 1);
	vsp_dash_free(m);
}

/* ---- live ---- */

static void test_billion_laughs(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE MPD [\n"
		" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
		" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
		" <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
		" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
		" <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
		" <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
		"]>\n"
		"<MPD type=\"static\"><Period><AdaptationSet>"
		"<Representation id=\"&h;\"/></AdaptationSet></Period></MPD>\n";
	char err[ERRLEN];

	(void)state;
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE"));
}

static void test_external_entity(void **state)
{
	char dir[] = "/tmp/vsp-dash-XXXXXX", path[256], xml[1024], err[ERRLEN];
	char evbuf[4096];
	int fd, in, wd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/canary", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	close(fd);
	in = inotify_init1(IN_NONBLOCK);
	assert_true(in >= 0);
	wd = inotify_add_watch(in, path, IN_OPEN | IN_ACCESS);
	assert_true(wd >= 0);

	/* Internal subset with an external entity, an external DTD, and the
	 * same for /etc/passwd: all refused, nothing opened. */
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD [ <!ENTITY x SYSTEM "
		 "\"file://%s\"> ]>\n<MPD type=\"static\"><BaseURL>&x;</BaseURL>"
		 "<Period/></MPD>",
		 path);
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_null(strstr(err, "secret"));
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD SYSTEM \"%s\">\n"
		 "<MPD type=\"static\"><Period/></MPD>",
		 path);
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD [ <!ENTITY x SYSTEM "
		 "\"file:///etc/passwd\"> ]>\n<MPD type=\"static\">"
		 "<BaseURL>&x;</BaseURL><Period/></MPD>");
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);
	assert_null(strstr(err, "root:"));
	/* An entity reference with no DTD at all is not well-formed. */
	snprintf(xml, sizeof(xml),
		 "<MPD type=\"static\"><BaseURL>&x;</BaseURL><Period/></MPD>");
	assert_int_equal(parse_rc(xml, strlen(xml), err, sizeof(err)), -1);

	n = read(in, evbuf, sizeof(evbuf));
	assert_true(n < 0 && errno == EAGAIN); /* no event: never opened */
	close(in);
	unlink(path);
	rmdir(dir);
}

static void test_deep_nesting(void **state)
{
	const size_t depth = 100000;
	size_t len = 0, cap = depth * 7 + 64;
	char *xml = malloc(cap), err[ERRLEN];

	(void)state;
	assert_non_null(xml);
	len += (size_t)snprintf(xml, cap, "<MPD type=\"static\">");
	for (size_t i = 0; i < depth; i++) {
		memcpy(xml + len, "<a>", 3);
		len += 3;
	}
	for (size_t i = 0; i < depth; i++) {
		memcpy(xml + len, "</a>", 4);
		len += 4;
	}
	assert_int_equal(parse_rc(xml, len, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "nested"));
	free(xml);
}

static void test_too_large(void **state)
{
	size_t len = (size_t)VSP_MANIFEST_MAX_BYTES + 1;
	char *xml = malloc(len), err[ERRLEN];

	(void)state;
	assert_non_null(xml);
	memset(xml, ' ', len);
	memcpy(xml, "<MPD>", 5);
	assert_int_equal(parse_rc(xml, len, err, sizeof(err)), -2);
	free(xml);
}

static void test_errors_are_precise(void **state)
{
	static const struct {
		const char *xml, *want;
	} cases[] = {
		{ "<MPD type=\"static\">\n<Period>\n<AdaptationSet>\n"
		  "<Representation id=\"v\" bandwidth=\"abc\"/>\n"
		  "</AdaptationSet></Period></MPD>",
		  "line 4: <Representation> @bandwidth: 'abc' is not an integer" },
		{ "<MPD type=\"static\" mediaPresentationDuration=\"P1M\">"
		  "<Period/></MPD>",
		  "<MPD> @mediaPresentationDuration: 'P1M': months" },
		{ "<MPD type=\"live\"><Period/></MPD>", "@type: 'live'" },
		{ "<MPD type=\"static\"></MPD>", "has no Period" },
		{ "<NotMPD/>", "root element is not MPD" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate>"
		  "<SegmentTimeline><S t=\"0\"/></SegmentTimeline>"
		  "</SegmentTemplate><Representation id=\"v\"/></AdaptationSet>"
		  "</Period></MPD>",
		  "<S> @d is required" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate>"
		  "<SegmentTimeline><S t=\"0\" d=\"1\" r=\"-1\"/><S d=\"1\"/>"
		  "</SegmentTimeline></SegmentTemplate><Representation id=\"v\"/>"
		  "</AdaptationSet></Period></MPD>",
		  "r=\"-1\" but has no @t" },
		{ "<MPD><Period><AdaptationSet><Representation id=\"x\">"
		  "<SegmentList><SegmentURL mediaRange=\"9-3\"/></SegmentList>"
		  "</Representation></AdaptationSet></Period></MPD>",
		  "@mediaRange: '9-3'" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate "
		  "timescale=\"0\"/><Representation id=\"v\"/></AdaptationSet>"
		  "</Period></MPD>",
		  "@timescale: '0'" },
		{ "<MPD><Period><AdaptationSet><SegmentTemplate><SegmentTimeline>"
		  "<S t=\"4611686018427387000\" d=\"2305843009213693000\" "
		  "r=\"5\"/></SegmentTimeline></SegmentTemplate>"
		  "<Representation id=\"v\"/></AdaptationSet></Period></MPD>",
		  "overflows" },
		{ "<MPD type=\"static\" availabilityStartTime=\"yesterday\">"
		  "<Period/></MPD>",
		  "@availabilityStartTime: date-time 'yesterday' is not" },
		{ "<MPD><Period></MPD>", "XML:" },
	};
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_rc(cases[i].xml, strlen(cases[i].xml), err,
				  sizeof(err));

		if (rc != -1)
			fail_msg("case %zu: rc %d", i, rc);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
	}
}

static void test_json(void **state)
{
	vsp_dash_mpd *m = parse_ok(mpd_number, BASE);
	json_t *j = vsp_dash_to_json(m), *rep, *segs;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "static");
	rep = json_array_get(
		json_object_get(
			json_array_get(
				json_object_get(
					json_array_get(json_object_get(j, "periods"),
						       0),
					"adaptation_sets"),
				0),
			"representations"),
		0);
	assert_non_null(rep);
	assert_string_equal(json_string_value(json_object_get(rep, "id")), "v1");
	assert_int_equal(json_integer_value(json_object_get(rep, "width")), 640);
	assert_string_equal(json_string_value(json_object_get(rep, "init")),
			    "https://cdn.example.com/vod/show/v1/init.mp4");
	segs = json_object_get(rep, "segments");
	assert_int_equal(json_array_size(segs), 3);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(segs, 1), "url")),
		"https://cdn.example.com/vod/show/v1/800000/seg-00006-$.m4s");
	json_decref(j);
	vsp_dash_free(m);
}

static void test_detect_and_protection(void **state)
{
	static const char enc[] =
		"<MPD type=\"static\"><Period><AdaptationSet mimeType=\"video/mp4\">"
		"<ContentProtection schemeIdUri=\"urn:uuid:edef8ba9-79d6-4ace-"
		"a3c8-27dcd51d21ed\"/>"
		"<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:"
		"2011\" value=\"cbcs\"/>"
		"<Representation id=\"v\" bandwidth=\"1\"/>"
		"<Representation id=\"w\" bandwidth=\"2\"/></AdaptationSet>"
		"<AdaptationSet mimeType=\"audio/mp4\"><Representation id=\"a\" "
		"bandwidth=\"1\"><ContentProtection schemeIdUri=\"urn:uuid:"
		"9a04f079-9840-4286-ab92-e65be0885f95\"/></Representation>"
		"</AdaptationSet><AdaptationSet mimeType=\"audio/mp4\">"
		"<Representation id=\"clear\" bandwidth=\"1\"/></AdaptationSet>"
		"</Period></MPD>";
	vsp_dash_mpd *m = parse_ok(enc, BASE);

	(void)state;
	assert_true(rep_of(m, 0, 0, 0)->encrypted);
	assert_string_equal(rep_of(m, 0, 0, 1)->drm_scheme, "cbcs");
	assert_true(rep_of(m, 0, 1, 0)->encrypted);
	assert_string_equal(rep_of(m, 0, 1, 0)->drm_scheme,
			    "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95");
	assert_false(rep_of(m, 0, 2, 0)->encrypted);
	vsp_dash_free(m);
	assert_true(vsp_dash_detect((const uint8_t *)enc, strlen(enc)));
	assert_true(vsp_dash_detect((const uint8_t *)mpd_number,
				    strlen(mpd_number)));
	assert_false(vsp_dash_detect((const uint8_t *)"#EXTM3U\n", 8));
	assert_false(vsp_dash_detect((const uint8_t *)"<MPDX>", 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_inheritance_and_baseurl),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_external_entity),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_errors_are_precise),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_detect_and_protection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
