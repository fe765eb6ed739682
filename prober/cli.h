/* cli.h - the program's subcommands and the helpers they share. */
#ifndef PROBER_CLI_H
#define PROBER_CLI_H

#include <stdio.h>

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

/* Appends a string to a growing vector; returns 0 or -1. */
int strv_push(char ***v, size_t *n, const char *s);

#endif
