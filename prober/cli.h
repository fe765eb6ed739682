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

/* Appends a string to a growing vector; returns 0 or -1. */
int strv_push(char ***v, size_t *n, const char *s);

#endif
