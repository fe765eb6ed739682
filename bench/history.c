/*
 * history.c - what the history index costs: insert time and bytes per
 * check, and a report's time over all of them.
 *
 *   history STORE CHECKS JSONL_CHECKS
 *
 * Builds CHECKS records (100 probes a minute apart, 2 origins x 3
 * renditions each, with the keys `prober run` writes: manifest timings,
 * playlist, init and segment steps, decode, ttff) and inserts them into a
 * fresh STORE in transactions of 2000, as an import does; then times
 * `prober report`'s computation over the whole history. JSONL_CHECKS of
 * them are also written as a record file and imported (JSON parsing
 * included), the path `prober run` and `prober index` take. Prints one
 * JSON object of figures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "report.h"
#include "store.h"

#define PROBES 100
#define BATCH  2000
#define T0     1767225600.0 /* 2026-01-01T00:00:00Z */

static json_t *step(const char *url, double total)
{
	return json_pack("{s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:s}", "url", url,
			 "http_status", 200, "bytes", 81234, "dns_ms", 0.4,
			 "connect_ms", 0.9, "tls_ms", 3.1, "ttfb_ms", total / 2,
			 "total_ms", total, "remote_ip", "192.0.2.10");
}

static json_t *make_record(long i)
{
	char name[32], ts[40], url[128];
	double t = T0 + (double)(i / PROBES) * 60;
	time_t s = (time_t)t;
	struct tm tm;
	json_t *origins = json_array();
	int down = i % 997 == 0; /* a few failing checks */

	snprintf(name, sizeof(name), "stream-%03ld", i % PROBES);
	gmtime_r(&s, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	for (int o = 0; o < 2; o++) {
		json_t *rends = json_array();

		for (int r = 0; r < 3; r++) {
			snprintf(url, sizeof(url),
				 "https://cdn-%c.example.com/live/%s/%dp/"
				 "seg-%ld.ts",
				 'a' + o, name, 360 + 180 * r, i);
			json_array_append_new(
				rends,
				json_pack("{s:s,s:n,s:n,s:n,s:i,s:s,s:s,s:o,"
					  "s:o,s:o,s:{s:s,s:i,s:i,s:i,s:f},"
					  "s:f}",
					  "status", "pass", "reason", "stage",
					  "message", "bandwidth",
					  800000 * (r + 1), "resolution",
					  r ? "1280x720" : "640x360", "codecs",
					  "avc1.64001f,mp4a.40.2", "playlist",
					  step(url, 12.5), "init",
					  step(url, 8.0), "segment",
					  step(url, 40.0 + r), "decode",
					  "codec", "h264", "width", 1280,
					  "height", 720, "frames", 5, "ms", 9.5,
					  "ttff_ms",
					  120.0 + (double)(i % 50) + r));
		}
		snprintf(url, sizeof(url),
			 "https://cdn-%c.example.com/live/%s/master.m3u8",
			 'a' + o, name);
		json_array_append_new(
			origins,
			json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:b,s:o,s:o}",
				  "name", o ? "cdn-b" : "cdn-a", "url", url,
				  "status", down && o == 0 ? "fail" : "pass",
				  "reason",
				  down && o == 0 ? json_string("http_status")
						 : json_null(),
				  "message",
				  down && o == 0 ? json_string("manifest: HTTP "
							       "503")
						 : json_null(),
				  "protocol", "hls", "live", 0, "manifest",
				  step(url, 15.0), "renditions", rends));
	}
	return json_pack("{s:i,s:s,s:s,s:s,s:s,s:n,s:f,s:o}", "schema", 1,
			 "time", ts, "probe", name, "vantage", "", "status",
			 down ? "warn" : "pass", "reason", "duration_ms", 420.0,
			 "origins", origins);
}

static double now_s(void)
{
	return (double)vsp_now_us() / 1e6;
}

static int report_only(const char *path)
{
	vsp_store *s = NULL;
	vsp_report *r = NULL;
	vsp_report_opts o = { 0 };
	char err[512];
	double t0;

	if (vsp_store_open(path, 0, &s, err, sizeof(err)))
		return 1;
	o.since = T0;
	o.until = T0 + 86400.0 * 3650;
	t0 = now_s();
	if (vsp_report_from_store(s, &o, &r, err, sizeof(err)))
		return 1;
	printf("{\"checks\":%zu,\"report_s\":%.3f}\n", r->records,
	       now_s() - t0);
	vsp_report_free(r);
	vsp_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	vsp_store *s = NULL;
	vsp_store_stats st = { 0 };
	vsp_report *r = NULL;
	vsp_report_opts o = { 0 };
	char err[512], path[4200], ipath[4200], cmd[8500];
	long n, nj;
	double t0, ins, rep, imp, rec_bytes = 0;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: history STORE CHECKS JSONL_CHECKS\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	nj = strtol(argv[3], NULL, 10);
	/* CHECKS 0: time the report over the store already there. */
	if (n == 0)
		return report_only(argv[1]);
	unlink(argv[1]);
	if (vsp_store_open(argv[1], 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		json_t *rec;

		if (i % BATCH == 0 &&
		    ((i && vsp_store_commit(s, err, sizeof(err))) ||
		     vsp_store_begin(s, err, sizeof(err)))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		rec = make_record(i);
		if (!rec ||
		    vsp_store_insert(s, rec, NULL, err, sizeof(err)) != 1) {
			fprintf(stderr, "insert %ld: %s\n", i, err);
			return 1;
		}
		json_decref(rec);
	}
	if (vsp_store_commit(s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ins = now_s() - t0;
	/* The record generation is counted in ins: measured apart. */
	t0 = now_s();
	for (long i = 0; i < n / 10; i++)
		json_decref(make_record(i));
	ins -= (now_s() - t0) * 10;

	o.since = T0;
	o.until = T0 + (double)(n / PROBES + 1) * 60;
	t0 = now_s();
	if (vsp_report_from_store(s, &o, &r, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rep = now_s() - t0;
	if (r->records != (size_t)n) {
		fprintf(stderr, "report saw %zu checks, not %ld\n", r->records,
			n);
		return 1;
	}
	printf("{\"checks\":%ld,\"insert_us_per_check\":%.1f,"
	       "\"store_bytes_per_check\":%.0f,\"report_s\":%.3f,",
	       n, ins / (double)n * 1e6, (double)vsp_store_bytes(s) / (double)n,
	       rep);
	vsp_report_free(r);
	vsp_store_close(s);

	/* The import path: a record file, parsed and inserted. */
	snprintf(path, sizeof(path), "%s.d", argv[1]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", path, path);
	if (system(cmd) != 0)
		return 1;
	snprintf(path + strlen(path), sizeof(path) - strlen(path),
		 "/2026-01-01.jsonl");
	f = fopen(path, "w");
	for (long i = 0; f && i < nj; i++) {
		json_t *rec = make_record(i);
		char *line = json_dumps(rec, JSON_COMPACT);

		rec_bytes += (double)strlen(line) + 1;
		fprintf(f, "%s\n", line);
		free(line);
		json_decref(rec);
	}
	if (!f || fclose(f) != 0)
		return 1;
	snprintf(ipath, sizeof(ipath), "%s.import", argv[1]);
	unlink(ipath);
	if (vsp_store_open(ipath, 0, &s, err, sizeof(err)))
		return 1;
	t0 = now_s();
	if (vsp_store_import_file(s, path, NULL, 0, &st, err, sizeof(err)))
		return 1;
	imp = now_s() - t0;
	vsp_store_close(s);
	printf("\"import_checks\":%ld,\"import_us_per_check\":%.1f,"
	       "\"record_bytes_per_check\":%.0f}\n",
	       nj, imp / (double)nj * 1e6, rec_bytes / (double)nj);
	return 0;
}
