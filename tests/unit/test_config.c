/*
 * test_config.c - probe definition loading: defaults, every field, and one
 * case per validation rule, each checking the exact message (file, JSON
 * path of the key, what was expected), since users fix their files from it.
 */
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "sample.h"
#include "limits.h"

#define LABEL "probes/t.json"

static int load(const char *json, vsp_probe_cfg *cfg, char *err, size_t len)
{
	return vsp_config_load_json(json, strlen(json), LABEL, cfg, err, len);
}

static void test_defaults_and_fields(void **state)
{
	static const char json[] =
		"{\"name\": \"news-live\", \"origins\": ["
		"{\"name\": \"cdn-a\", \"url\": \"https://a.example.com/m.m3u8\"},"
		"{\"name\": \"cdn-b\", \"url\": \"http://b.example.net:8080/m.m3u8\","
		" \"headers\": {\"X-Token\": \"abc\", \"Referer\": \"https://x/\"},"
		" \"resolve\": [\"b.example.net:8080:192.0.2.7\","
		" \"b.example.net:443:[2001:db8::1],192.0.2.8\"],"
		" \"insecure\": true, \"header_hosts\": [\"keys.example\", "
		"\"[::1]:8443\"]}],"
		"\"renditions\": \"lowest\", \"frames\": 3, \"timeout_s\": 7.5,"
		"\"interval_s\": 300, \"min_healthy\": 2, \"user_agent\": \"ua/1\"}";
	static const char dflt[] = "{\"origins\": [{\"name\": \"a\", \"url\": "
				   "\"http://h/m.m3u8\"}], \"renditions\": 2}";
	vsp_probe_cfg cfg;
	char err[512];

	(void)state;
	assert_int_equal(load(json, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "news-live");
	assert_int_equal(cfg.n_origins, 2);
	assert_string_equal(cfg.origins[0].name, "cdn-a");
	assert_string_equal(cfg.origins[1].url, "http://b.example.net:8080/m.m3u8");
	assert_int_equal(cfg.origins[1].n_headers, 2);
	assert_string_equal(cfg.origins[1].headers[0], "X-Token: abc");
	assert_string_equal(cfg.origins[1].headers[1], "Referer: https://x/");
	assert_int_equal(cfg.origins[1].n_resolve, 2);
	assert_int_equal(cfg.origins[1].n_header_hosts, 2);
	assert_string_equal(cfg.origins[1].header_hosts[0], "keys.example");
	assert_string_equal(cfg.origins[1].header_hosts[1], "[::1]:8443");
	assert_true(cfg.origins[1].insecure);
	assert_false(cfg.origins[0].insecure);
	assert_int_equal(cfg.pick, VSP_PICK_LOWEST);
	assert_int_equal(cfg.frames, 3);
	assert_true(cfg.timeout_s == 7.5);
	assert_true(cfg.interval_s == 300);
	assert_int_equal(cfg.min_healthy, 2);
	assert_string_equal(cfg.user_agent, "ua/1");
	vsp_probe_cfg_clear(&cfg);

	/* Defaults, and the name from the file name. */
	assert_int_equal(vsp_config_load_json(dflt, strlen(dflt),
					      "probes/sports-1.json", &cfg, err,
					      sizeof(err)),
			 0);
	assert_string_equal(cfg.name, "sports-1");
	assert_int_equal(cfg.pick, VSP_PICK_COUNT);
	assert_int_equal(cfg.pick_count, 2);
	assert_int_equal(cfg.frames, VSP_DEFAULT_FRAMES);
	assert_true(cfg.timeout_s == VSP_DEFAULT_TIMEOUT_S);
	assert_true(cfg.interval_s == 60);
	assert_int_equal(cfg.min_healthy, 1);
	assert_null(cfg.user_agent);
	vsp_probe_cfg_clear(&cfg);
}

struct bad {
	const char *json;
	const char *msg;
};

#define O1 "\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\"}]"
#define O2                                                                     \
	"\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\"},"            \
	"{\"name\": \"b\", \"url\": \"http://g/m\"}]"

static void run_bad(const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vsp_probe_cfg cfg;
		char err[1024];

		if (load(cases[i].json, &cfg, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].json);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("for %s\n got: %s\nwant: %s", cases[i].json,
				 err, cases[i].msg);
		vsp_probe_cfg_clear(&cfg);
	}
}

static void test_syntax(void **state)
{
	static const struct bad cases[] = {
		{ "{\"name\": \"x\",", "probes/t.json: line 1, column 13: "
				       "string or '}' expected near end of file" },
		{ "{\"name\": \"x\", \"name\": \"y\", " O1 "}",
		  "probes/t.json: line 1, column 20: duplicate object key near "
		  "'\"name\"'" },
		{ "[1]", "probes/t.json: expected a JSON object at the top "
			 "level, got an array" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_segments_key(void **state)
{
	static const struct {
		const char *json;
		int want;
	} cases[] = {
		{ "{" O1 "}", VSP_DEFAULT_SEGMENTS },
		{ "{" O1 ", \"segments\": \"all\"}", VSP_SEGMENTS_ALL },
		{ "{" O1 ", \"segments\": 7}", 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vsp_probe_cfg cfg;
		char err[1024];

		assert_int_equal(load(cases[i].json, &cfg, err, sizeof(err)),
				 0);
		assert_int_equal(cfg.segments, cases[i].want);
		vsp_probe_cfg_clear(&cfg);
	}
}

static void test_unknown_keys(void **state)
{
	static const struct bad cases[] = {
		{ "{" O1 ", \"interval\": 60}",
		  "probes/t.json: interval: unknown key (expected one of name, "
		  "origins, renditions, frames, timeout_s, interval_s, "
		  "min_healthy, user_agent, stale_warn_factor, "
		  "stale_fail_factor, lag_warn_target_durations, "
		  "slow_realtime_factor, segments, decode, slo, content, thumbnails)" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"header\": {}}]}",
		  "probes/t.json: origins[0].header: unknown key (expected one "
		  "of name, url, headers, resolve, cacert, insecure, "
		  "secret_headers, secret_query, headers_command, url_command, header_hosts)" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"header_hosts\": [\"keys.example\", \"a/b\"]}]}",
		  "probes/t.json: origins[0].header_hosts[1]: expected a host "
		  "name or \"host:port\" (letters, digits, . - _ : [ ]), got "
		  "'a/b'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"header_hosts\": \"keys.example\"}]}",
		  "probes/t.json: origins[0].header_hosts: expected an array of "
		  "host names, got 'keys.example'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\"}, "
		  "{\"name\": \"b\", \"url\": \"http://h/m\", \"secret\": "
		  "[\"X\"]}]}",
		  "probes/t.json: origins[1].secret: unknown key (expected one "
		  "of name, url, headers, resolve, cacert, insecure, "
		  "secret_headers, secret_query, headers_command, url_command, header_hosts)" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Secrets: which headers are secret, and whether queries are. */
static void test_secrets(void **state)
{
	static const char ok[] =
		"{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m?t=1\", "
		"\"headers\": {\"X-Token\": \"abc123\", \"X-Other\": \"v\"}, "
		"\"secret_headers\": [\"x-token\"], \"secret_query\": true}]}";
	static const struct bad cases[] = {
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X-Token\": \"abc\"}, \"secret_headers\": "
		  "[\"X-Nope\"]}]}",
		  "probes/t.json: origins[0].secret_headers[0]: expected the "
		  "name of one of this origin's headers, got 'X-Nope'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"secret_headers\": \"X\"}]}",
		  "probes/t.json: origins[0].secret_headers: expected an array "
		  "of header names, got 'X'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"secret_query\": 1}]}",
		  "probes/t.json: origins[0].secret_query: expected true or "
		  "false, got 1" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	assert_int_equal(load(ok, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.origins[0].n_secrets, 1);
	assert_string_equal(cfg.origins[0].secrets[0], "abc123");
	assert_int_equal(cfg.origins[0].secret_query, 1);
	vsp_probe_cfg_clear(&cfg);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The availability target of `prober report`. */
static void test_slo(void **state)
{
	static const struct bad cases[] = {
		{ "{" O1 ", \"slo\": 100}",
		  "probes/t.json: slo: expected a number from 50 to 99.9999, "
		  "got 100" },
		{ "{" O1 ", \"slo\": \"99.9\"}",
		  "probes/t.json: slo: expected a number from 50 to 99.9999, "
		  "got '99.9'" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	assert_int_equal(load("{" O1 "}", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.slo == 0);
	vsp_probe_cfg_clear(&cfg);
	assert_int_equal(load("{" O1 ", \"slo\": 99.9}", &cfg, err,
			      sizeof(err)),
			 0);
	assert_true(cfg.slo == 99.9);
	vsp_probe_cfg_clear(&cfg);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Live thresholds, per probe. */
static void test_live_factors(void **state)
{
	static const char ok[] = "{" O1 ", \"stale_warn_factor\": 2, "
				 "\"stale_fail_factor\": 4.5, "
				 "\"lag_warn_target_durations\": 3, "
				 "\"slow_realtime_factor\": 1.2}";
	static const struct bad cases[] = {
		{ "{" O1 ", \"stale_warn_factor\": 0.5}",
		  "probes/t.json: stale_warn_factor: expected a number from 1 "
		  "to 100, got 0.5" },
		{ "{" O1 ", \"stale_warn_factor\": 3, \"stale_fail_factor\": 2}",
		  "probes/t.json: stale_fail_factor: expected at least "
		  "stale_warn_factor (3), got 2" },
		{ "{" O1 ", \"slow_realtime_factor\": \"1\"}",
		  "probes/t.json: slow_realtime_factor: expected a number from "
		  "0 to 100, got '1'" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	assert_int_equal(load(ok, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.stale_warn_factor == 2);
	assert_true(cfg.stale_fail_factor == 4.5);
	assert_true(cfg.lag_warn_tds == 3);
	assert_true(cfg.slow_rtf == 1.2);
	vsp_probe_cfg_clear(&cfg);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

/* "decode": "all" | "frames" (the default). */
static void test_decode_mode(void **state)
{
	static const struct bad cases[] = {
		{ "{" O1 ", \"decode\": \"every\"}",
		  "probes/t.json: decode: expected \"frames\" or \"all\", got "
		  "'every'" },
		{ "{" O1 ", \"decode\": true}",
		  "probes/t.json: decode: expected \"frames\" or \"all\", got "
		  "true" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	assert_int_equal(load("{" O1 "}", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.decode_all, 0);
	vsp_probe_cfg_clear(&cfg);
	assert_int_equal(load("{" O1 ", \"decode\": \"all\"}", &cfg, err,
			      sizeof(err)),
			 0);
	assert_int_equal(cfg.decode_all, 1);
	vsp_probe_cfg_clear(&cfg);
	assert_int_equal(load("{" O1 ", \"decode\": \"frames\"}", &cfg, err,
			      sizeof(err)),
			 0);
	assert_int_equal(cfg.decode_all, 0);
	vsp_probe_cfg_clear(&cfg);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Content thresholds and the thumbnail folder (issue 13). */
static void test_content(void **state)
{
	static const struct bad cases[] = {
		{ "{" O1 ", \"content\": {\"frozen\": 3}}",
		  "probes/t.json: content.frozen: unknown key (expected one "
		  "of enabled, black_min_s, black_luma, black_ratio, "
		  "frozen_min_s, silence_db, silence_min_s)" },
		{ "{" O1 ", \"content\": {\"silence_db\": 10}}",
		  "probes/t.json: content.silence_db: expected a number from "
		  "-150 to -1, got 10" },
		{ "{" O1 ", \"content\": {\"enabled\": 1}}",
		  "probes/t.json: content.enabled: expected true or false, "
		  "got 1" },
		{ "{" O1 ", \"content\": true}",
		  "probes/t.json: content: expected an object, got true" },
		{ "{" O1 ", \"thumbnails\": \"\"}",
		  "probes/t.json: thumbnails: expected the path of a folder, "
		  "got ''" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	assert_int_equal(load("{" O1 "}", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.content.enabled, 1);
	assert_true(cfg.content.frozen_min_s == 2.0);
	assert_true(cfg.content.silence_db == -60.0);
	assert_null(cfg.thumbnails);
	vsp_probe_cfg_clear(&cfg);
	assert_int_equal(load("{" O1 ", \"content\": {\"frozen_min_s\": 5, "
			      "\"silence_db\": -50, \"enabled\": false}, "
			      "\"thumbnails\": \"/var/tmp/t\"}",
			      &cfg, err, sizeof(err)),
			 0);
	assert_true(cfg.content.frozen_min_s == 5.0);
	assert_true(cfg.content.silence_db == -50.0);
	assert_int_equal(cfg.content.enabled, 0);
	assert_string_equal(cfg.thumbnails, "/var/tmp/t");
	vsp_probe_cfg_clear(&cfg);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_types(void **state)
{
	static const struct bad cases[] = {
		{ "{\"name\": 5, " O1 "}",
		  "probes/t.json: name: expected a name of 1 to 64 characters "
		  "from A-Z a-z 0-9 . _ - not starting with '.', got 5" },
		{ "{\"name\": \"a b\", " O1 "}",
		  "probes/t.json: name: expected a name of 1 to 64 characters "
		  "from A-Z a-z 0-9 . _ - not starting with '.', got 'a b'" },
		{ "{\"origins\": {}}",
		  "probes/t.json: origins: expected an array of 1 to 32 "
		  "origins, got an object" },
		{ "{\"origins\": [\"http://h/m\"]}",
		  "probes/t.json: origins[0]: expected an object with name and "
		  "url, got 'http://h/m'" },
		{ "{" O1 ", \"frames\": \"5\"}",
		  "probes/t.json: frames: expected a whole number from 1 to "
		  "600, got '5'" },
		{ "{" O1 ", \"frames\": 2.5}",
		  "probes/t.json: frames: expected a whole number from 1 to "
		  "600, got 2.5" },
		{ "{" O1 ", \"segments\": \"3\"}",
		  "probes/t.json: segments: expected \"all\" or a whole number "
		  "from 1 to 1000, got '3'" },
		{ "{" O1 ", \"segments\": 0}",
		  "probes/t.json: segments: expected \"all\" or a whole number "
		  "from 1 to 1000, got 0" },
		{ "{" O1 ", \"segments\": 1001}",
		  "probes/t.json: segments: expected \"all\" or a whole number "
		  "from 1 to 1000, got 1001" },
		{ "{" O1 ", \"timeout_s\": \"20\"}",
		  "probes/t.json: timeout_s: expected a number of seconds from "
		  "0.1 to 3600, got '20'" },
		{ "{" O1 ", \"renditions\": \"3\"}",
		  "probes/t.json: renditions: expected \"all\", \"lowest\", "
		  "\"highest\" or a whole number from 1 to 256, got '3'" },
		{ "{" O1 ", \"renditions\": true}",
		  "probes/t.json: renditions: expected \"all\", \"lowest\", "
		  "\"highest\" or a whole number from 1 to 256, got true" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"insecure\": \"yes\"}]}",
		  "probes/t.json: origins[0].insecure: expected true or false, "
		  "got 'yes'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": [\"X: 1\"]}]}",
		  "probes/t.json: origins[0].headers: expected an object of "
		  "header names to values, got an array" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X\": 1}}]}",
		  "probes/t.json: origins[0].headers.X: expected a string, "
		  "got 1" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"cacert\": \"\"}]}",
		  "probes/t.json: origins[0].cacert: expected the path of a CA "
		  "certificate file, got ''" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"cacert\": \"/nonexistent/ca.pem\"}]}",
		  "probes/t.json: origins[0].cacert: expected a readable CA "
		  "certificate file, got '/nonexistent/ca.pem' (No such file "
		  "or directory)" },
		{ "{" O1 ", \"user_agent\": \"a\\r\\nX-Evil: 1\"}",
		  "probes/t.json: user_agent: expected a string of 1 to 512 "
		  "characters without CR, LF or other control characters, got "
		  "'a??X-Evil: 1'" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_origins(void **state)
{
	static const struct bad cases[] = {
		{ "{\"name\": \"x\"}", "probes/t.json: origins: missing "
				       "(expected an array of 1 to 32 origins)" },
		{ "{\"origins\": []}",
		  "probes/t.json: origins: expected an array of 1 to 32 "
		  "origins, got 0" },
		{ "{\"origins\": [{\"url\": \"http://h/m\"}]}",
		  "probes/t.json: origins[0].name: missing (expected a name of "
		  "1 to 64 characters from A-Z a-z 0-9 . _ - not starting with "
		  "'.')" },
		{ "{\"origins\": [{\"name\": \"a\"}]}",
		  "probes/t.json: origins[0].url: missing (expected an http:// "
		  "or https:// URL)" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\"}, "
		  "{\"name\": \"a\", \"url\": \"http://g/m\"}]}",
		  "probes/t.json: origins[1].name: expected a name no other "
		  "origin has, got 'a' (origins[0] has it)" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_too_many_origins(void **state)
{
	char json[8192], err[512];
	size_t k;
	vsp_probe_cfg cfg;

	(void)state;
	k = (size_t)snprintf(json, sizeof(json), "{\"origins\": [");
	for (int i = 0; i <= VSP_MAX_ORIGINS; i++)
		k += (size_t)snprintf(json + k, sizeof(json) - k,
				      "%s{\"name\": \"o%d\", \"url\": "
				      "\"http://h/m\"}",
				      i ? "," : "", i);
	snprintf(json + k, sizeof(json) - k, "]}");
	assert_int_equal(load(json, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "probes/t.json: origins: expected an array "
				 "of 1 to 32 origins, got 33");
	vsp_probe_cfg_clear(&cfg);
}

static void test_urls(void **state)
{
	static const struct bad cases[] = {
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\"}, "
		  "{\"name\": \"b\", \"url\": \"ftp://x\"}]}",
		  "probes/t.json: origins[1].url: expected an http:// or "
		  "https:// URL, got 'ftp://x'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"h/m.m3u8\"}]}",
		  "probes/t.json: origins[0].url: expected an http:// or "
		  "https:// URL, got 'h/m.m3u8'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"file:///etc/"
		  "passwd\"}]}",
		  "probes/t.json: origins[0].url: expected an http:// or "
		  "https:// URL, got 'file:///etc/passwd'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": 7}]}",
		  "probes/t.json: origins[0].url: expected an http:// or "
		  "https:// URL, got 7" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h:99999/"
		  "m\"}]}",
		  "probes/t.json: origins[0].url: expected an http:// or "
		  "https:// URL, got 'http://h:99999/m' (Port number was not a "
		  "decimal number between 0 and 65535)" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_ranges(void **state)
{
	static const struct bad cases[] = {
		{ "{" O1 ", \"frames\": 0}",
		  "probes/t.json: frames: expected a whole number from 1 to "
		  "600, got 0" },
		{ "{" O1 ", \"frames\": 601}",
		  "probes/t.json: frames: expected a whole number from 1 to "
		  "600, got 601" },
		{ "{" O1 ", \"timeout_s\": 0}",
		  "probes/t.json: timeout_s: expected a number of seconds from "
		  "0.1 to 3600, got 0" },
		{ "{" O1 ", \"timeout_s\": 3600.5}",
		  "probes/t.json: timeout_s: expected a number of seconds from "
		  "0.1 to 3600, got 3600.5" },
		{ "{" O1 ", \"interval_s\": 0.5}",
		  "probes/t.json: interval_s: expected a number of seconds from "
		  "1 to 604800, got 0.5" },
		{ "{" O1 ", \"renditions\": 0}",
		  "probes/t.json: renditions: expected \"all\", \"lowest\", "
		  "\"highest\" or a whole number from 1 to 256, got 0" },
		{ "{" O2 ", \"min_healthy\": 3}",
		  "probes/t.json: min_healthy: expected a whole number from 1 "
		  "to 2 (the number of origins), got 3" },
		{ "{" O2 ", \"min_healthy\": 0}",
		  "probes/t.json: min_healthy: expected a whole number from 1 "
		  "to 2 (the number of origins), got 0" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_headers(void **state)
{
	static const struct bad cases[] = {
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X-Token\": \"a\\r\\nHost: evil\"}}]}",
		  "probes/t.json: origins[0].headers.X-Token: expected a header "
		  "value without CR, LF or other control characters" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X-Token\": \"a\\nb\"}}]}",
		  "probes/t.json: origins[0].headers.X-Token: expected a header "
		  "value without CR, LF or other control characters" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X Token\": \"a\"}}]}",
		  "probes/t.json: origins[0].headers: expected header names "
		  "made of letters, digits and !#$%&'*+-.^_`|~, got 'X Token'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"X-Bad\\r\\n\": \"a\"}}]}",
		  "probes/t.json: origins[0].headers: expected header names "
		  "made of letters, digits and !#$%&'*+-.^_`|~, got 'X-Bad?"
		  "?'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers\": {\"x-token\": \"a\", \"X-Token\": \"b\"}}]}",
		  "probes/t.json: origins[0].headers.X-Token: header name given "
		  "twice (names are case-insensitive)" },
	};

	(void)state;
	run_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_resolve(void **state)
{
	static const char *const bad[] = {
		"b.example.net:443",	   "b.example.net:443:notanip",
		":443:192.0.2.7",	   "b.example.net::192.0.2.7",
		"b.example.net:0:192.0.2.7", "b.example.net:65536:192.0.2.7",
		"b.example.net:44x:192.0.2.7", "b.exa mple:443:192.0.2.7",
		"b.example.net:443:192.0.2.7,", "b.example.net:443:[::1",
	};
	char json[512], want[512], err[1024];
	vsp_probe_cfg cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json),
			 "{\"origins\": [{\"name\": \"a\", \"url\": "
			 "\"http://h/m\", \"resolve\": [\"h:80:127.0.0.1\", "
			 "\"%s\"]}]}",
			 bad[i]);
		snprintf(want, sizeof(want),
			 "probes/t.json: origins[0].resolve[1]: expected "
			 "HOST:PORT:ADDRESS with a port from 1 to 65535 and an "
			 "IP address, got '%s'",
			 bad[i]);
		assert_int_equal(load(json, &cfg, err, sizeof(err)), -1);
		if (strcmp(err, want) != 0)
			fail_msg("got: %s\nwant: %s", err, want);
		vsp_probe_cfg_clear(&cfg);
	}
	assert_int_equal(load("{\"origins\": [{\"name\": \"a\", \"url\": "
			      "\"http://h/m\", \"resolve\": \"h:80:1.2.3.4\"}]}",
			      &cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "probes/t.json: origins[0].resolve: expected "
				 "an array of HOST:PORT:ADDRESS strings, got "
				 "'h:80:1.2.3.4'");
	vsp_probe_cfg_clear(&cfg);
}

static void test_name_rules(void **state)
{
	vsp_probe_cfg cfg;
	char err[512];

	(void)state;
	/* Without a label (a buffer), the name is required. */
	assert_int_equal(vsp_config_load_json("{" O1 "}", strlen("{" O1 "}"),
					      NULL, &cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "<probe>: name: missing (expected a name of 1 "
				 "to 64 characters from A-Z a-z 0-9 . _ - not "
				 "starting with '.')");
	vsp_probe_cfg_clear(&cfg);
	assert_int_equal(vsp_config_load_json("{" O1 "}", strlen("{" O1 "}"),
					      "probes/my probe.json", &cfg, err,
					      sizeof(err)),
			 -1);
	assert_string_equal(err, "probes/my probe.json: name: missing, and the "
				 "file name is no valid name (expected a name "
				 "of 1 to 64 characters from A-Z a-z 0-9 . _ - "
				 "not starting with '.')");
	vsp_probe_cfg_clear(&cfg);
	assert_true(vsp_config_name_ok("a.b_c-1"));
	assert_false(vsp_config_name_ok(".hidden"));
	assert_false(vsp_config_name_ok("a/b"));
	assert_false(vsp_config_name_ok(""));
}

/* Files: size cap, missing file, and a folder with a duplicate name. */
static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_files(void **state)
{
	vsp_probe_cfg cfg;
	vsp_probe_set set;
	char err[1024], path[512], want[1024];
	FILE *f;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));

	snprintf(path, sizeof(path), "%s/none.json", tmpdir);
	assert_int_equal(vsp_config_load_file(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
		 path);
	assert_string_equal(err, want);
	vsp_probe_cfg_clear(&cfg);

	snprintf(path, sizeof(path), "%s/big.json", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (long i = 0; i <= VSP_PROBE_FILE_MAX_BYTES; i++)
		fputc(' ', f);
	fclose(f);
	assert_int_equal(vsp_config_load_file(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: 1048577 bytes, more than the 1048576 a probe file may "
		 "have",
		 path);
	assert_string_equal(err, want);
	vsp_probe_cfg_clear(&cfg);
	unlink(path);

	/* A folder: sorted, hidden files and examples/ ignored. */
	write_file("b.json", "{" O1 "}");
	write_file("a.json", "{\"name\": \"first\", " O1 "}");
	write_file(".swap.json", "not json");
	write_file("notes.txt", "not json");
	snprintf(path, sizeof(path), "%s/examples", tmpdir);
	mkdir(path, 0755);
	write_file("examples/c.json", "not json");
	assert_int_equal(vsp_config_load_dir(tmpdir, &set, err, sizeof(err)), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.probes[0].name, "first");
	assert_string_equal(set.probes[1].name, "b");
	vsp_probe_set_clear(&set);

	/* Two files, one probe name. */
	write_file("c.json", "{\"name\": \"b\", " O1 "}");
	assert_int_equal(vsp_config_load_dir(tmpdir, &set, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want),
		 "%s/c.json: name: probe name 'b' is already used by %s/b.json",
		 tmpdir, tmpdir);
	assert_string_equal(err, want);
	assert_int_equal(set.n, 0);
	vsp_probe_set_clear(&set);

	/* One bad file stops the whole folder, naming it and the key. */
	write_file("c.json", "{\"name\": \"c\", " O1 ", \"frames\": -1}");
	assert_int_equal(vsp_config_load_dir(tmpdir, &set, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want),
		 "%s/c.json: frames: expected a whole number from 1 to 600, "
		 "got -1",
		 tmpdir);
	assert_string_equal(err, want);
	vsp_probe_set_clear(&set);

	/* A FIFO named like a probe file: open() used to block for a writer
	 * forever (the alarm ends a hung test). */
	snprintf(path, sizeof(path), "%s/c.json", tmpdir);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(vsp_config_load_dir(tmpdir, &set, err, sizeof(err)),
			 -1);
	alarm(0);
	snprintf(want, sizeof(want), "%s/c.json: not a regular file", tmpdir);
	assert_string_equal(err, want);
	vsp_probe_set_clear(&set);

	assert_int_equal(nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* headers_command / url_command: a path to an executable program, or an
 * array of it and its arguments. */
static void test_commands(void **state)
{
	static const struct bad cmd[] = {
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"headers_command\": \"sign\"}]}",
		  "probes/t.json: origins[0].headers_command: expected a "
		  "program's path, or an array of it and up to 31 arguments, "
		  "got 'sign'" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"url_command\": []}]}",
		  "probes/t.json: origins[0].url_command: expected a "
		  "program's path, or an array of it and up to 31 arguments, "
		  "got an array" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"url_command\": [\"/nonexistent/sign\"]}]}",
		  "probes/t.json: origins[0].url_command: expected an "
		  "executable program, got '/nonexistent/sign' (No such file "
		  "or directory)" },
		{ "{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		  "\"url_command\": [\"/bin/sh\", 3]}]}",
		  "probes/t.json: origins[0].url_command: expected a "
		  "program's path, or an array of it and up to 31 arguments, "
		  "got 3" },
	};
	vsp_probe_cfg cfg;
	char err[1024];

	(void)state;
	run_bad(cmd, sizeof(cmd) / sizeof(cmd[0]));
	assert_int_equal(
		load("{\"origins\": [{\"name\": \"a\", \"url\": \"http://h/m\", "
		     "\"headers_command\": [\"/bin/echo\", \"X-A: 1\"], "
		     "\"url_command\": \"/bin/true\"}]}",
		     &cfg, err, sizeof(err)),
		0);
	assert_string_equal(cfg.origins[0].headers_command[0], "/bin/echo");
	assert_string_equal(cfg.origins[0].headers_command[1], "X-A: 1");
	assert_null(cfg.origins[0].headers_command[2]);
	assert_string_equal(cfg.origins[0].url_command[0], "/bin/true");
	assert_null(cfg.origins[0].url_command[1]);
	vsp_probe_cfg_clear(&cfg);
}

/* Command-line values validated as the probe-file keys are. */
static void test_check_value(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(vsp_config_check_value(VSP_VALUE_RESOLVE,
						"h:443:127.0.0.1", err,
						sizeof(err)),
			 0);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_RESOLVE, "garbage",
						err, sizeof(err)),
			 -1);
	assert_string_equal(err, "expected HOST:PORT:ADDRESS with a port from "
				 "1 to 65535 and an IP address, got 'garbage'");
	assert_int_equal(vsp_config_check_value(VSP_VALUE_HEADER, "X-A: b", err,
						sizeof(err)),
			 0);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_HEADER, "X A: b",
						err, sizeof(err)),
			 -1);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_HEADER, "X-A: b\r",
						err, sizeof(err)),
			 -1);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_URL, "ftp://x", err,
						sizeof(err)),
			 -1);
	assert_string_equal(err, "expected an http:// or https:// URL, got "
				 "'ftp://x'");
	assert_int_equal(vsp_config_check_value(VSP_VALUE_CACERT,
						"/nonexistent.pem", err,
						sizeof(err)),
			 -1);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_USER_AGENT, "", err,
						sizeof(err)),
			 -1);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_NAME, "a b", err,
						sizeof(err)),
			 -1);
	/* --max-memory as max_memory_mb: whole megabytes, 1 to 65536. */
	assert_int_equal(vsp_config_check_value(VSP_VALUE_MAX_MEMORY, "64", err,
						sizeof(err)),
			 0);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_MAX_MEMORY, "0", err,
						sizeof(err)),
			 -1);
	assert_int_equal(vsp_config_check_value(VSP_VALUE_MAX_MEMORY, "1.5",
						err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "megabytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_fields),
		cmocka_unit_test(test_segments_key),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_too_many_origins),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_live_factors),
		cmocka_unit_test(test_decode_mode),
		cmocka_unit_test(test_slo),
		cmocka_unit_test(test_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
