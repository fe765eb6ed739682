/*
 * test_integration.c - the prober program against a real local origin.
 *
 * Started by tests/integration/run.sh, which serves generated media with
 * nginx on 127.0.0.1 and passes PROBER (the binary), ORIGIN
 * (http://127.0.0.1:PORT), DEAD (a URL where nothing listens) and MEDIA (the
 * folder nginx serves). Each case runs `prober check --json` as a subprocess,
 * as a user's script would, and checks the record of DESIGN.md against what
 * the origin really serves: the contract is the JSON and the exit status,
 * not the library's structs, so nothing here links against libprober.
 *
 * The program is started with an argv, never through a shell (child.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "child.h"

/* A prober run is bounded by its --timeout 20; past this it hangs. */
#define RUN_LIMIT_MS 60000.0
#define MAX_ARGS 16
#define MAX_VARIANTS 8
#define DEFAULT_FRAMES 5

static const char *prober, *origin, *dead, *media;

#include "record_check.h"

/* The origin of the record the checks are in, for `where`. */
static size_t where_origin;

/* prober check --json --timeout 20 URL... (NULL-terminated) */
static void run_check(run *r, ...)
{
	char *argv[MAX_ARGS];
	const char *u;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = "20";
	va_start(ap, r);
	while ((u = va_arg(ap, const char *)) != NULL && n < MAX_ARGS - 1)
		argv[n++] = (char *)u;
	va_end(ap);
	argv[n] = NULL;
	run_argv(r, argv);
	if (r->doc == NULL)
		FAILF("stdout is not one JSON object");
}

/* ORIGIN/SET/master.m3u8 */
static void set_url(char *buf, size_t len, const char *base, const char *set)
{
	int n = snprintf(buf, len, "%s/%s/master.m3u8", base, set);

	assert_true(n > 0 && (size_t)n < len);
}

/* ---- JSON checks; each names the key and dumps the run on failure ---- */


/* ---- what the origin declares, read from the files nginx serves ---- */

typedef struct variant {
	long long bandwidth;
	int width, height;
	char resolution[32];
	char codecs[128];
} variant;

/* Reads the variants of MEDIA/SET/master.m3u8, in order. Only what ffmpeg
 * writes is handled: this reads the test's own fixture, not user input. */
static size_t read_master(const char *set, variant *v, size_t max)
{
	char path[1024], line[1024];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/master.m3u8", media, set);
	f = fopen(path, "r");
	if (f == NULL)
		FAILF("cannot open %s: %s", path, strerror(errno));
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		const char *p;
		char *end;

		if (strncmp(line, "#EXT-X-STREAM-INF:", 18) != 0)
			continue;
		memset(&v[n], 0, sizeof(v[n]));
		p = strstr(line, "BANDWIDTH=");
		if (p != NULL) {
			errno = 0;
			v[n].bandwidth = strtoll(p + 10, &end, 10);
			assert_true(errno == 0 && end != p + 10);
		}
		p = strstr(line, "RESOLUTION=");
		if (p != NULL) {
			long w, h;

			errno = 0;
			w = strtol(p + 11, &end, 10);
			assert_true(errno == 0 && *end == 'x' && w > 0 &&
				    w < 100000);
			p = end + 1;
			h = strtol(p, &end, 10);
			assert_true(errno == 0 && end != p && h > 0 &&
				    h < 100000);
			v[n].width = (int)w;
			v[n].height = (int)h;
			snprintf(v[n].resolution, sizeof(v[n].resolution),
				 "%dx%d", v[n].width, v[n].height);
		}
		p = strstr(line, "CODECS=\"");
		if (p != NULL) {
			const char *q = strchr(p + 8, '"');

			assert_non_null(q);
			snprintf(v[n].codecs, sizeof(v[n].codecs), "%.*s",
				 (int)(q - (p + 8)), p + 8);
		}
		n++;
	}
	fclose(f);
	if (n == 0)
		FAILF("%s has no variants", path);
	return n;
}

static long long file_size(const char *rel)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", media, rel);
	if (stat(path, &st) != 0)
		FAILF("cannot stat %s: %s", path, strerror(errno));
	return (long long)st.st_size;
}

/* ---- the record's shape ---- */

/* The top level of the record, for checks after those of its parts. */
static const json_t *top(const run *r)
{
	where[0] = '\0';
	return r->doc;
}

/* Exit status and top-level status agree, and the top level is complete. */
static void check_top(const run *r, int want_exit, const char *want_status,
		      size_t n_origins)
{
	static const char *const names[] = {"pass", "warn", "fail"};
	const json_t *d = r->doc;
	const char *t;

	if (r->exit_status != want_exit)
		FAILF("exit status %d, want %d", r->exit_status, want_exit);
	assert_true(want_exit >= 0 && want_exit <= 2);
	assert_string_equal(names[want_exit], want_status);
	STR(d, "status", want_status);
	if (int_of(__FILE__, __LINE__, d, "schema") < 1)
		FAILF("\"schema\" < 1");
	/* RFC 3339 in UTC: 2024-05-01T12:00:00Z, maybe with fractions. */
	t = json_string_value(json_object_get(d, "time"));
	if (t == NULL || strlen(t) < 20 || t[4] != '-' || t[10] != 'T' ||
	    t[strlen(t) - 1] != 'Z')
		FAILF("\"time\" is not RFC 3339 UTC: %s", t ? t : "(absent)");
	if (json_object_get(d, "probe") == NULL)
		FAILF("\"probe\" is absent");
	NUM_GT(d, "duration_ms", 0);
	if (strcmp(want_status, "pass") == 0) {
		BLANK(d, "reason");
	} else {
		NONEMPTY(d, "reason");
		NONEMPTY(d, "message");
	}
	ARR(d, "origins", n_origins);
}

static const json_t *origin_at(const run *r, size_t i, const char *url)
{
	const json_t *o = json_array_get(json_object_get(r->doc, "origins"), i);

	where_origin = i;
	snprintf(where, sizeof(where), "origins[%zu]", i);
	if (!json_is_object(o))
		FAILF("not an object");
	STR(o, "url", url);
	NONEMPTY(o, "name");
	return o;
}

/* An HTTP step that answered: status, size, timings, peer. */
static void check_step(const json_t *parent, const char *name,
		       long long want_status)
{
	size_t len = strlen(where);
	const json_t *s;
	double total;
	const char *u;

	snprintf(where + len, sizeof(where) - len, "%s%s", len ? "." : "",
		 name);
	s = OBJ(parent, name);

	INT(s, "http_status", want_status);
	NUM_GT(s, "bytes", 0);
	total = NUM_GT(s, "total_ms", 0);
	NUM_GT(s, "dns_ms", -1e-9);
	NUM_GT(s, "connect_ms", -1e-9);
	NUM_GT(s, "tls_ms", -1e-9);
	if (NUM_GT(s, "ttfb_ms", 0) > total + 1e-6)
		FAILF("ttfb_ms after total_ms");
	STR(s, "remote_ip", "127.0.0.1");
	u = json_string_value(json_object_get(s, "url"));
	if (u == NULL || strncmp(u, origin, strlen(origin)) != 0)
		FAILF("step url %s is not on %s", u ? u : "(absent)", origin);
	where[len] = '\0';
}

enum { HAS_INIT = 1, HAS_KEY = 2, BYTERANGE = 4 };

/* A rendition that played: declared attributes as in the master, the decoded
 * picture as declared, every step it needed made and only those. */
static void check_rendition_pass(const json_t *rd, const variant *v, int flags)
{
	const json_t *dec;

	STR(rd, "status", "pass");
	BLANK(rd, "reason");
	BLANK(rd, "stage");
	INT(rd, "bandwidth", v->bandwidth);
	STR(rd, "resolution", v->resolution);
	STR(rd, "codecs", v->codecs);
	check_step(rd, "playlist", 200);
	/* A range request may be answered 200 only by a server that ignores
	 * ranges, and nginx does not. */
	check_step(rd, "segment", flags & BYTERANGE ? 206 : 200);
	if (flags & HAS_INIT)
		check_step(rd, "init", 200);
	else
		ABSENT(rd, "init");
	if (flags & HAS_KEY) {
		check_step(rd, "key", 200);
		INT(OBJ(rd, "key"), "bytes", 16);
	} else {
		ABSENT(rd, "key");
	}
	dec = OBJ(rd, "decode");
	STR(dec, "codec", "h264");
	INT(dec, "width", v->width);
	INT(dec, "height", v->height);
	INT(dec, "frames", DEFAULT_FRAMES);
	NUM_GT(dec, "ms", 0);
}

static const json_t *rendition_at(const json_t *o, size_t i)
{
	const json_t *rd =
		json_array_get(json_object_get(o, "renditions"), i);

	snprintf(where, sizeof(where), "origins[%zu].renditions[%zu]",
		 where_origin, i);
	if (!json_is_object(rd))
		FAILF("not an object");
	return rd;
}

/* One origin serving SET as a healthy stream. */
static void check_origin_pass(const json_t *o, const char *set, int flags)
{
	variant v[MAX_VARIANTS];
	size_t n = read_master(set, v, MAX_VARIANTS), i;

	STR(o, "status", "pass");
	BLANK(o, "reason");
	BLANK(o, "stage");
	STR(o, "protocol", "hls");
	BOOL(o, "live", 0);
	check_step(o, "manifest", 200);
	ARR(o, "renditions", n);
	for (i = 0; i < n; i++)
		check_rendition_pass(rendition_at(o, i), &v[i], flags);
}

/* An origin with v1 broken and the rest healthy. */
static const json_t *check_origin_v1_broken(const json_t *o, const char *set)
{
	variant v[MAX_VARIANTS];
	size_t n = read_master(set, v, MAX_VARIANTS);

	assert_int_equal(n, 3);
	STR(o, "protocol", "hls");
	check_step(o, "manifest", 200);
	ARR(o, "renditions", 3);
	check_rendition_pass(rendition_at(o, 0), &v[0], 0);
	check_rendition_pass(rendition_at(o, 2), &v[2], 0);
	return rendition_at(o, 1);
}

/* Optional counters of the record: when present, they must be right. */
static void count_if_present(const json_t *o, const char *key, long long want)
{
	if (json_object_get(o, key) != NULL)
		INT(o, key, want);
}

/*
 * A single origin whose rendition rd failed while the others play: the
 * origin warns with the failing rendition's reason and stage (the operator
 * sees *where* without opening the tree), and a single origin's cause is
 * the stream's cause. Every level's message names the failing URL.
 */
static void check_cause(const run *r, const json_t *o, const json_t *rd,
			const char *failing_url)
{
	const char *reason = json_string_value(json_object_get(rd, "reason"));
	const char *stage = json_string_value(json_object_get(rd, "stage"));

	assert_non_null(reason);
	assert_non_null(stage);
	STR(o, "status", "warn");
	STR(o, "reason", reason);
	STR(o, "stage", stage);
	CONTAINS(o, "message", failing_url);
	count_if_present(o, "renditions_playable", 2);
	STR(top(r), "reason", reason);
	CONTAINS(top(r), "message", failing_url);
	count_if_present(top(r), "origins_playable", 1);
}

/* ---- cases ---- */

/* Checks one healthy origin serving SET; returns its record in *r (the
 * caller checks more, then frees it with run_free()). */
static const json_t *one_healthy_set(run *r, const char *set, int flags)
{
	char url[512];
	const json_t *o;

	set_url(url, sizeof(url), origin, set);
	run_check(r, url, NULL);
	check_top(r, 0, "pass", 1);
	o = origin_at(r, 0, url);
	check_origin_pass(o, set, flags);
	return o;
}

/* 1 */
static void test_ts_ladder_passes(void **state)
{
	run r;

	(void)state;
	one_healthy_set(&r, "ts", 0);
	run_free(&r);
}

/* 2 */
static void test_fmp4_ladder_passes(void **state)
{
	run r;

	(void)state;
	one_healthy_set(&r, "fmp4", HAS_INIT);
	run_free(&r);
}

/* 3: the key URI is "../enc.key": resolved against the media playlist. */
static void test_aes_passes(void **state)
{
	char key[512];
	const json_t *o;
	size_t i;
	run r;

	(void)state;
	o = one_healthy_set(&r, "aes", HAS_KEY);
	snprintf(key, sizeof(key), "%s/aes/enc.key", origin);
	for (i = 0; i < 2; i++)
		STR(OBJ(rendition_at(o, i), "key"), "url", key);
	run_free(&r);
}

/* 4: the segment is a range of one file, fetched as that range only. */
static void test_byterange_passes(void **state)
{
	const json_t *o, *seg;
	long long whole = file_size("byterange/v0/media.ts");
	run r;

	(void)state;
	o = one_healthy_set(&r, "byterange", BYTERANGE);
	seg = OBJ(rendition_at(o, 0), "segment");
	if (int_of(__FILE__, __LINE__, seg, "bytes") >= whole)
		FAILF("segment bytes not below the file's %lld", whole);
	run_free(&r);
}

/* 5 */
static void test_master_503_fails(void **state)
{
	char url[512];
	const json_t *o;
	run r;

	(void)state;
	set_url(url, sizeof(url), origin, "master503");
	run_check(&r, url, NULL);
	check_top(&r, 2, "fail", 1);
	o = origin_at(&r, 0, url);
	STR(o, "status", "fail");
	STR(o, "stage", "manifest");
	STR(o, "reason", "http_status");
	CONTAINS(o, "message", url);
	CONTAINS(o, "message", "503");
	INT(OBJ(o, "manifest"), "http_status", 503);
	ARR(o, "renditions", 0);
	/* One origin: its cause is the stream's cause. */
	STR(top(&r), "reason", "http_status");
	CONTAINS(top(&r), "message", url);
	count_if_present(top(&r), "origins_playable", 0);
	run_free(&r);
}

/* 6: one rendition cannot be played; the others can: the origin warns, and
 * with a single origin the stream is at most as good as that origin. */
static void test_segment_404_warns(void **state)
{
	char url[512], seg[512];
	const json_t *o, *rd;
	run r;

	(void)state;
	set_url(url, sizeof(url), origin, "seg404");
	snprintf(seg, sizeof(seg), "%s/seg404/v1/seg0.ts", origin);
	run_check(&r, url, NULL);
	check_top(&r, 1, "warn", 1);
	o = origin_at(&r, 0, url);
	rd = check_origin_v1_broken(o, "seg404");
	STR(rd, "status", "fail");
	STR(rd, "stage", "segment");
	STR(rd, "reason", "http_status");
	CONTAINS(rd, "message", seg);
	CONTAINS(rd, "message", "404");
	INT(OBJ(rd, "segment"), "http_status", 404);
	STR(OBJ(rd, "segment"), "url", seg);
	check_cause(&r, o, rd, seg);
	run_free(&r);
}

/* 7 and 12: nobody listens; refused at once, so well inside --timeout. */
static void test_dead_origin_fails(void **state)
{
	char url[512];
	const json_t *o, *m;
	run r;

	(void)state;
	set_url(url, sizeof(url), dead, "ts");
	run_check(&r, url, NULL);
	check_top(&r, 2, "fail", 1);
	o = origin_at(&r, 0, url);
	STR(o, "status", "fail");
	STR(o, "stage", "manifest");
	STR(o, "reason", "connect");
	CONTAINS(o, "message", url);
	STR(top(&r), "reason", "connect");
	CONTAINS(top(&r), "message", url);
	m = json_object_get(o, "manifest");
	if (json_is_object(m) && json_object_get(m, "http_status") != NULL &&
	    !json_is_null(json_object_get(m, "http_status")))
		INT(m, "http_status", 0);
	if (r.wall_ms >= 5000)
		FAILF("refused connection took %.0f ms, want < 5000", r.wall_ms);
	run_free(&r);
}

/* 8: bytes with no sync byte of any container: no demuxer claims them. */
static void test_corrupt_segment_not_media(void **state)
{
	char url[512], seg[512];
	const json_t *o, *rd;
	run r;

	(void)state;
	set_url(url, sizeof(url), origin, "corrupt");
	snprintf(seg, sizeof(seg), "%s/corrupt/v1/seg0.ts", origin);
	run_check(&r, url, NULL);
	check_top(&r, 1, "warn", 1);
	o = origin_at(&r, 0, url);
	rd = check_origin_v1_broken(o, "corrupt");
	STR(rd, "status", "fail");
	STR(rd, "stage", "decode");
	STR(rd, "reason", "not_media");
	CONTAINS(rd, "message", seg);
	check_step(rd, "segment", 200);
	INT(OBJ(rd, "segment"), "bytes", file_size("corrupt/v1/seg0.ts"));
	check_cause(&r, o, rd, seg);
	run_free(&r);
}

/* A string member for a log line; "" when absent. */
static const char *text_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* 8b: the first half is intact, the second is noise. The decoder may get
 * its frames (pass or warn), give up (decode), or find that the media covers
 * less time than declared (validation); it must not crash, and the record
 * must stay whole. */
static void test_corrupt_middle_no_crash(void **state)
{
	char url[512];
	const json_t *rd;
	const char *st;
	run r;

	(void)state;
	set_url(url, sizeof(url), origin, "corrupt_mid");
	run_check(&r, url, NULL);
	if (r.exit_status > 2)
		FAILF("exit status %d", r.exit_status);
	rd = check_origin_v1_broken(origin_at(&r, 0, url), "corrupt_mid");
	st = json_string_value(json_object_get(rd, "status"));
	if (st == NULL)
		FAILF("renditions[1].status absent");
	if (strcmp(st, "fail") == 0)
		STR2(rd, "stage", "decode", "validation");
	print_message("corrupt_mid: renditions[1] %s %s %s\n", st,
		      text_of(rd, "reason"), text_of(rd, "message"));
	run_free(&r);
}

/* 9: an error page served 200 under the segment's name. */
static void test_html_segment_not_media(void **state)
{
	char url[512], seg[512];
	const json_t *o, *rd;
	run r;

	(void)state;
	set_url(url, sizeof(url), origin, "html200");
	snprintf(seg, sizeof(seg), "%s/html200/v1/seg0.ts", origin);
	run_check(&r, url, NULL);
	check_top(&r, 1, "warn", 1);
	o = origin_at(&r, 0, url);
	rd = check_origin_v1_broken(o, "html200");
	STR(rd, "status", "fail");
	/* Sniffing the body at the segment step or failing in the demuxer
	 * are both fair; the reason is what scripts act on. */
	STR2(rd, "stage", "decode", "segment");
	STR(rd, "reason", "not_media");
	CONTAINS(rd, "message", seg);
	check_cause(&r, o, rd, seg);
	run_free(&r);
}

/* 10: redundancy lost: the stream still plays, from one origin of two. */
static void test_one_origin_down_warns(void **state)
{
	char good[512], bad[512];
	const json_t *o;
	run r;

	(void)state;
	set_url(good, sizeof(good), origin, "ts");
	set_url(bad, sizeof(bad), origin, "master503");
	run_check(&r, good, bad, NULL);
	check_top(&r, 1, "warn", 2);
	STR(top(&r), "reason", "redundancy_lost");
	CONTAINS(top(&r), "message", bad);
	count_if_present(top(&r), "origins_playable", 1);
	check_origin_pass(origin_at(&r, 0, good), "ts", 0);
	o = origin_at(&r, 1, bad);
	STR(o, "status", "fail");
	STR(o, "stage", "manifest");
	STR(o, "reason", "http_status");
	CONTAINS(o, "message", bad);
	run_free(&r);
}

/* 11: two paths to the same media, both healthy. */
static void test_two_origins_pass(void **state)
{
	char a[512], b[512];
	run r;

	(void)state;
	set_url(a, sizeof(a), origin, "ts");
	set_url(b, sizeof(b), origin, "mirror");
	run_check(&r, a, b, NULL);
	check_top(&r, 0, "pass", 2);
	check_origin_pass(origin_at(&r, 0, a), "ts", 0);
	check_origin_pass(origin_at(&r, 1, b), "ts", 0);
	run_free(&r);
}

/* 13: a probe that cannot run is an error, not a record. */
static void test_usage_error(void **state)
{
	char *argv_json[] = {(char *)prober, "check", "--json", NULL};
	char *argv_text[] = {(char *)prober, "check", NULL};
	char *const *cases[] = {argv_json, argv_text};
	size_t i;
	run r;

	(void)state;
	for (i = 0; i < 2; i++) {
		run_argv(&r, cases[i]);
		if (r.exit_status != 3)
			FAILF("exit status %d, want 3", r.exit_status);
		if (r.out_len != 0)
			FAILF("usage error wrote %zu bytes to stdout",
			      r.out_len);
		if (r.err_len == 0)
			FAILF("usage error wrote nothing to stderr");
		run_free(&r);
	}
}

/* prober check --json --timeout 20 OPTIONS... URL (argv NULL-terminated) */
static void run_check_opts(run *r, const char *const *args)
{
	char *argv[MAX_ARGS];
	int n = 0;

	argv[n++] = (char *)prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "--timeout";
	argv[n++] = "20";
	while (*args && n < MAX_ARGS - 1)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	run_argv(r, argv);
	if (r->doc == NULL)
		FAILF("stdout is not one JSON object");
}

/* Every rendition of origin 0 played, whatever host name it was reached by. */
static void check_all_played(const run *r, size_t n)
{
	const json_t *o = json_array_get(json_object_get(r->doc, "origins"), 0);
	size_t i;

	where_origin = 0;
	snprintf(where, sizeof(where), "origins[0]");
	STR(o, "status", "pass");
	ARR(o, "renditions", n);
	for (i = 0; i < n; i++) {
		const json_t *rd = rendition_at(o, i);

		STR(rd, "status", "pass");
		NUM_GT(OBJ(rd, "decode"), "width", 0);
		STR(OBJ(rd, "segment"), "remote_ip", "127.0.0.1");
	}
}

/* The manifest step of origin 0 failed with reason at stage manifest. */
static void check_manifest_failed(const run *r, const char *reason,
				  long long http_status)
{
	const json_t *o = json_array_get(json_object_get(r->doc, "origins"), 0);

	check_top(r, 2, "fail", 1);
	where_origin = 0;
	snprintf(where, sizeof(where), "origins[0]");
	STR(o, "status", "fail");
	STR(o, "stage", "manifest");
	STR(o, "reason", reason);
	if (http_status)
		INT(OBJ(o, "manifest"), "http_status", http_status);
}

/* -H: an origin that wants a token gets it; without it, 403 at manifest. */
static void test_header_sent(void **state)
{
	char url[512];
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/token/master.m3u8", origin);
	run_check_opts(&r, (const char *const[]){ url, NULL });
	check_manifest_failed(&r, "http_status", 403);
	run_free(&r);
	run_check_opts(&r, (const char *const[]){ "-H", "X-Token: s3cret", url,
						  NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	run_free(&r);
}

/* --user-agent reaches every request, the segments' included. */
static void test_user_agent_sent(void **state)
{
	char url[512];
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/ua/master.m3u8", origin);
	run_check_opts(&r, (const char *const[]){ url, NULL });
	check_manifest_failed(&r, "http_status", 403);
	run_free(&r);
	run_check_opts(&r, (const char *const[]){ "--user-agent", "ProbeUA/1",
						  url, NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	run_free(&r);
}

/* A redirected master: final_url recorded, relative URIs resolved against
 * it (the playlists live under /ts/, not /redirect/). */
static void test_redirect_followed(void **state)
{
	char url[512], final[512];
	const json_t *o;
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/redirect/master.m3u8", origin);
	snprintf(final, sizeof(final), "%s/ts/master.m3u8", origin);
	run_check_opts(&r, (const char *const[]){ url, NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	o = json_array_get(json_object_get(r.doc, "origins"), 0);
	STR(OBJ(o, "manifest"), "final_url", final);
	CONTAINS(rendition_at(o, 0), "uri", "/ts/v0/");
	run_free(&r);

	snprintf(url, sizeof(url), "%s/loop/master.m3u8", origin);
	run_check_opts(&r, (const char *const[]){ url, NULL });
	check_manifest_failed(&r, "redirect", 0);
	run_free(&r);
}

/* --resolve pins a CDN host name to an edge address. */
static void test_resolve_pin(void **state)
{
	char url[512], pin[128];
	const char *port = strrchr(origin, ':') + 1;
	run r;

	(void)state;
	snprintf(url, sizeof(url), "http://cdn.test:%s/ts/master.m3u8", port);
	snprintf(pin, sizeof(pin), "cdn.test:%s:127.0.0.1", port);
	run_check_opts(&r, (const char *const[]){ "--resolve", pin, url, NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	run_free(&r);
}

/* https: verified with --cacert, refused without it (reason tls), and
 * accepted unverified with -k. */
static void test_tls(void **state)
{
	const char *tls_port = getenv("TLS_PORT"), *cert = getenv("CERT");
	char url[512], pin[128];
	const json_t *o;
	run r;

	(void)state;
	if (!tls_port || !*tls_port)
		skip();
	snprintf(url, sizeof(url), "https://cdn.test:%s/ts/master.m3u8",
		 tls_port);
	snprintf(pin, sizeof(pin), "cdn.test:%s:127.0.0.1", tls_port);
	run_check_opts(&r, (const char *const[]){ "--resolve", pin, "--cacert",
						  cert, url, NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	o = json_array_get(json_object_get(r.doc, "origins"), 0);
	NUM_GT(OBJ(o, "manifest"), "tls_ms", 0);
	run_free(&r);

	run_check_opts(&r, (const char *const[]){ "--resolve", pin, url, NULL });
	check_manifest_failed(&r, "tls", 0);
	run_free(&r);

	run_check_opts(&r, (const char *const[]){ "--resolve", pin, "-k", url,
						  NULL });
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 3);
	run_free(&r);
}

/* An https origin that redirects to plain http: followed without headers,
 * refused with them (a token must not travel in clear text): a `fail`,
 * reason redirect, at the manifest. */
static void test_https_downgrade(void **state)
{
	const char *tls_port = getenv("TLS_PORT"), *cert = getenv("CERT");
	char url[512], pin[128];
	const json_t *o;
	run r;

	(void)state;
	if (!tls_port || !*tls_port)
		skip();
	snprintf(url, sizeof(url), "https://cdn.test:%s/downgrade/master.m3u8",
		 tls_port);
	snprintf(pin, sizeof(pin), "cdn.test:%s:127.0.0.1", tls_port);
	run_check_opts(&r, (const char *const[]){ "--resolve", pin, "--cacert",
						  cert, url, NULL });
	check_top(&r, 0, "pass", 1);
	run_free(&r);

	run_check_opts(&r, (const char *const[]){ "--resolve", pin, "--cacert",
						  cert, "-H", "X-Token: s3cret",
						  url, NULL });
	check_manifest_failed(&r, "redirect", 0);
	o = json_array_get(json_object_get(r.doc, "origins"), 0);
	if (!strstr(json_string_value(json_object_get(o, "message")),
		    "clear text"))
		fail_msg("message: %s",
			 json_string_value(json_object_get(o, "message")));
	run_free(&r);
}

/* prober manifest: a URL, resolved against its final URL; a file, against
 * --base. */
static void test_manifest_command(void **state)
{
	char url[512], want[600], file[512];
	const json_t *v;
	run r;

	(void)state;
	snprintf(url, sizeof(url), "%s/ts/master.m3u8", origin);
	run_argv(&r, (char *const[]){ (char *)prober, "manifest", url, NULL });
	assert_int_equal(r.exit_status, 0);
	assert_non_null(r.doc);
	STR(r.doc, "type", "master");
	v = json_array_get(json_object_get(r.doc, "variants"), 0);
	snprintf(want, sizeof(want), "%s/ts/v0/index.m3u8", origin);
	STR(v, "uri", want);
	run_free(&r);

	snprintf(file, sizeof(file), "%s/ts/v0/index.m3u8", media);
	run_argv(&r, (char *const[]){ (char *)prober, "manifest", file, "--base",
				      "http://cdn.example/live/v0/index.m3u8",
				      NULL });
	assert_int_equal(r.exit_status, 0);
	assert_non_null(r.doc);
	STR(r.doc, "type", "media");
	STR(json_array_get(json_object_get(r.doc, "segments"), 0), "uri",
	    "http://cdn.example/live/v0/seg0.ts");
	run_free(&r);
}

/* Secrets of a probe file (a token header, a signed query) are used in the
 * requests and appear nowhere in what prober prints. */
static void test_secrets_redacted(void **state)
{
	char path[] = "/tmp/prober-secret-XXXXXX";
	char body[1024];
	int fd, n;
	run r;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	n = snprintf(body, sizeof(body),
		     "{\"name\": \"secret\", \"origins\": [{\"name\": \"a\", "
		     "\"url\": \"%s/token/master.m3u8?sig=TOPSECRET\", "
		     "\"headers\": {\"X-Token\": \"s3cret\"}, "
		     "\"secret_headers\": [\"X-Token\"], "
		     "\"secret_query\": true}]}",
		     origin);
	assert_true(n > 0 && (size_t)n < sizeof(body));
	assert_int_equal(write(fd, body, (size_t)n), n);
	close(fd);

	run_argv(&r, (char *const[]){ (char *)prober, "check", "--json",
				      "--probe", path, NULL });
	assert_non_null(r.doc);
	check_top(&r, 0, "pass", 1);
	check_all_played(&r, 1 + 2);
	if (strstr(r.out, "TOPSECRET") || strstr(r.out, "s3cret"))
		FAILF("a secret is in the record");
	assert_non_null(strstr(r.out, "?REDACTED"));
	run_free(&r);

	/* The table, and a failing check whose messages quote URLs. */
	run_argv(&r, (char *const[]){ (char *)prober, "check", "-v", "--probe",
				      path, NULL });
	assert_int_equal(r.exit_status, 0);
	if (strstr(r.out, "TOPSECRET") || strstr(r.out, "s3cret"))
		FAILF("a secret is in the table");
	run_free(&r);
	unlink(path);
}

static const char *need_env(const char *name)
{
	return child_need_env("test_integration", name, "tests/integration/run.sh (make integration)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ts_ladder_passes),
		cmocka_unit_test(test_fmp4_ladder_passes),
		cmocka_unit_test(test_aes_passes),
		cmocka_unit_test(test_byterange_passes),
		cmocka_unit_test(test_master_503_fails),
		cmocka_unit_test(test_segment_404_warns),
		cmocka_unit_test(test_dead_origin_fails),
		cmocka_unit_test(test_corrupt_segment_not_media),
		cmocka_unit_test(test_corrupt_middle_no_crash),
		cmocka_unit_test(test_html_segment_not_media),
		cmocka_unit_test(test_one_origin_down_warns),
		cmocka_unit_test(test_two_origins_pass),
		cmocka_unit_test(test_usage_error),
		cmocka_unit_test(test_header_sent),
		cmocka_unit_test(test_user_agent_sent),
		cmocka_unit_test(test_redirect_followed),
		cmocka_unit_test(test_resolve_pin),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_https_downgrade),
		cmocka_unit_test(test_manifest_command),
		cmocka_unit_test(test_secrets_redacted),
	};

	prober = need_env("PROBER");
	origin = need_env("ORIGIN");
	dead = need_env("DEAD");
	media = need_env("MEDIA");
	return cmocka_run_group_tests_name("integration", tests, NULL, NULL);
}
