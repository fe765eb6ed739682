/* cli.h - the program's subcommands and the helpers they share. */
#ifndef PROBER_CLI_H
#define PROBER_CLI_H

#include <stdio.h>

#include "config.h"
#include "http.h"
#include "probe.h"
#include "result.h"

/* Exit status of every subcommand (DESIGN.md). */
enum { EXIT_PASS = 0, EXIT_WARN = 1, EXIT_FAIL = 2, EXIT_UNKNOWN = 3 };

int cmd_check(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* The Prometheus exporter (serve.c). */
int cmd_serve(int argc, char **argv);
/* The monitoring plugin; also main() when started as check_video_stream. */
int cmd_nagios(int argc, char **argv);

int cmd_index(int argc, char **argv);
int cmd_watch(int argc, char **argv);

struct vsp_report;
/* A report's times and lengths as people read them, the same in every
 * format: "2026-11-30 07:25:13Z", "1d02h03m", "4m05s" (prober/report.c). */
void report_fmt_time(double t, char *buf, size_t len);
void report_fmt_dur(double s, char *buf, size_t len);
/* `prober report --format html`: one self-contained page. */
void render_html(FILE *out, const struct vsp_report *r, double now);

/* The human table of `prober check`. */
void render_table(FILE *out, const vsp_stream_result *s, int verbose);

/* Parses a number in [min, max]; returns 0 or -1 (message printed). */
int parse_double(const char *opt, const char *s, double min, double max,
		 double *out);
int parse_int(const char *opt, const char *s, long min, long max, int *out);

/* The vantage point into out: opt, else $PROBER_VANTAGE, else the host
 * name; a given one must be a valid name (letters, digits, . _ -: it
 * becomes a label). Returns 0, or -1 with a message on stderr naming cmd. */
int vantage_resolve(const char *cmd, const char *opt, char *out, size_t len);

/* A one-shot check (check, the plugin) holds one decoder and one malloc
 * arena unless cfg decodes every frame (main.c says why). */
void one_check_memory(const vsp_probe_cfg *cfg);

/* Appends a string to a growing vector; returns 0 or -1. */
int strv_push(char ***v, size_t *n, const char *s);

/* ---- opts.c: the network options of every face ---- */

/* --max-memory MB, validated as the probe file's max_memory_mb: 0 with *mb
 * set, or -1 with "OPT: expected ..." in err (a usage error). */
int max_memory_arg(const char *opt, const char *val, int *mb, char *err,
		   size_t errlen);

/* Strings in headers and resolve are owned; cacert and user_agent borrow
 * argv. */
typedef struct net_opts {
	char **headers; /* "Name: value" */
	size_t n_headers;
	char **resolve; /* HOST:PORT:ADDR */
	size_t n_resolve;
	const char *cacert, *user_agent;
	int insecure;
} net_opts;

/* Validates val as lib/config.c validates the same probe-file key (what:
 * VSP_VALUE_HEADER, _RESOLVE, _CACERT or _USER_AGENT) and keeps it.
 * Returns 0, or -1 with "OPT: expected ..., got '...'" in err. */
int net_opts_add(net_opts *n, vsp_config_value what, const char *opt,
		 const char *val, char *err, size_t errlen);
/* Lays the options over every origin of cfg (and its User-Agent). Returns
 * 0, or -1 on out of memory. */
int net_opts_apply(const net_opts *n, vsp_probe_cfg *cfg);
/* The options as one client's (pointers borrowed from n). */
void net_opts_http(const net_opts *n, vsp_http_opts *h);
void net_opts_free(net_opts *n);
/* An http:// or https:// URL as a probe file's origins[].url; returns 0,
 * or -1 with "OPT: expected ..." in err. */
int url_arg_ok(const char *opt, const char *url, char *err, size_t errlen);

#endif
