/*
 * main.c - prober's entry: picks the subcommand, nothing else.
 *
 * Each subcommand parses its arguments, calls lib/, renders and returns an
 * exit status: 0 pass, 1 warn, 2 fail, 3 unknown (could not run).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "limits.h"
#include "decode.h"
#include "http.h"
#include "probe.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "probe one stream on each of its origins" },
	{ "manifest", cmd_manifest, "show what prober sees in a playlist" },
	{ "run", cmd_run, "check every due probe of probes/, append records" },
	{ "report", cmd_report, "availability and outages from the records" },
	{ "nagios", cmd_nagios,
	  "Nagios/Icinga plugin (also as check_video_stream)" },
	{ "serve", cmd_serve, "Prometheus exporter, like blackbox_exporter" },
	{ "index", cmd_index, "bring the history index up to date, prune" },
	{ "watch", cmd_watch, "live terminal view of every stream and origin" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: prober COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "  %-10s %s\n", "help", "this list, or 'help COMMAND'");
	fprintf(out, "\n'prober COMMAND --help' or 'prober help COMMAND' for a "
		     "command's options;\n'prober --version' (also after "
		     "any command). See prober(1).\n"
		     "exit status: 0 pass, 1 warn, 2 fail, 3 unknown (usage "
		     "error, could not run)\n");
}

int parse_double(const char *opt, const char *s, double min, double max,
		 double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max)) {
		fprintf(stderr,
			"prober: %s: '%s' is not a number from %g to %g\n", opt,
			s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_int(const char *opt, const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr,
			"prober: %s: '%s' is not a whole number from %ld to "
			"%ld\n",
			opt, s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

int vantage_resolve(const char *cmd, const char *opt, char *out, size_t len)
{
	const char *v = opt ? opt : getenv("PROBER_VANTAGE");

	if (v && *v) {
		if (!vsp_config_name_ok(v)) {
			fprintf(stderr,
				"prober: %s: vantage '%s' (%s): expected 1 to "
				"%d letters, digits, '.', '_' or '-'\n",
				cmd, v, opt ? "--vantage" : "PROBER_VANTAGE",
				VSP_MAX_NAME);
			return -1;
		}
		snprintf(out, len, "%s", v);
		return 0;
	}
	if (gethostname(out, len) != 0 || !out[0])
		snprintf(out, len, "unknown");
	out[len - 1] = '\0';
	return 0;
}

/* One-shot commands: blocks this big are mmap()ed and unmapped when freed,
 * and free memory this big at the top of the heap is given back. */
#define ONE_CHECK_MALLOC_THRESHOLD (1024 * 1024)

/* The commands that run one check and exit (check, the plugin) are
 * measured by their peak memory, not by checks a minute: one decoder at a
 * time instead of one per CPU, and so one malloc arena, which every
 * decoder then reuses, instead of one per CPU, each with its own pages.
 * On the 1080p/720p/480p ladder (9 renditions, 3 origins) the peak RSS of
 * a check goes from 90-100 MB to 70-75 MB for the same CPU time; the wall
 * time grows by what the second CPU decoded (bench/README.md, issue 18
 * round 3). The fetches are not queued: a slow origin holds no decoder
 * while its bytes arrive. Not with --decode all: there decoding is most of
 * the work, and one decoder would spend the deadline on a big ladder that
 * two decode in time. Called before the check starts its workers.
 * And each origin's renditions one after another, so one segment body per
 * origin waits for the decoder instead of one per rendition: 77 -> 67 MB
 * on that ladder (round 4). Origins stay in parallel; an origin that is
 * live or slow gets its pool back (vsp_probe_set_serial_renditions()).
 * And each video segment is demuxed while it arrives, through a 512 KB
 * pipe, and opens its decoder only once its first frames' packets are in,
 * so no body is held whole (vsp_probe_set_stream_segments()); with
 * decoders and pipes the biggest blocks left, memory freed goes back to
 * the system at once instead of being kept for a next check that a
 * one-shot process never runs (ONE_CHECK_MALLOC_THRESHOLD): 64 -> 57 MB
 * (round 5). */
void one_check_memory(const vsp_probe_cfg *cfg)
{
	if (cfg->decode_all)
		return;
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, ONE_CHECK_MALLOC_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, ONE_CHECK_MALLOC_THRESHOLD);
	vsp_probe_set_decoders(1);
	vsp_probe_set_serial_renditions(1);
	vsp_probe_set_stream_segments(1);
}

/* Starts the libraries a subcommand needs, runs it, stops them. */
static int run_command(int (*fn)(int, char **), int argc, char **argv)
{
	int rc;

	if (vsp_http_global_init() != 0) {
		fprintf(stderr, "prober: libcurl failed to start\n");
		return EXIT_UNKNOWN;
	}
	vsp_decode_global_init(getenv("PROBER_DEBUG") != NULL);
	rc = fn(argc, argv);
	vsp_http_global_cleanup();
	return rc;
}

/* Freed blocks up to this size stay in the heap instead of being unmapped,
 * and this much free memory at the top of a heap is kept instead of being
 * given back: see limit_arenas(). */
/* 8 MB, over a 1080p 6 s segment body (4.9 MB): in a fleet run the next
 * check reuses its heap pages instead of mmap()ing and faulting fresh
 * ones (issue 18: 20 probes at --jobs 2, 47 000 -> 32 000 minor faults;
 * bench/README.md). */
#define MALLOC_MMAP_THRESHOLD (8 * 1024 * 1024)
#define MALLOC_TRIM_THRESHOLD (32 * 1024 * 1024)

/* glibc gives threads up to 8 malloc arenas per CPU; a fleet run has
 * hundreds of short-lived check threads, and the arenas' slack was most of
 * its peak memory (bench/README.md). One per CPU, as many as decoders run
 * at once (VSP_DECODERS_PER_CPU): a decoder opened after another one then
 * reuses the pages that one freed instead of faulting in fresh, zeroed
 * ones, which was most of the system CPU time of a check. */
static void limit_arenas(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	mallopt(M_ARENA_MAX, (int)(cpus > 0 ? cpus : 1));
	mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	limit_arenas();

	/* Installed as a link named check_video_stream: the plugin, with the
	 * plugin's own argv. */
	base = base ? base + 1 : (argc > 0 ? argv[0] : "");
	if (strcmp(base, "check_video_stream") == 0)
		return run_command(cmd_nagios, argc, argv);
	if (argc < 2) {
		usage(stderr);
		return EXIT_UNKNOWN;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("prober %s\n", VSP_VERSION);
		return EXIT_PASS;
	}
	/* `prober help [COMMAND]`: the list, or the command's --help. */
	if (strcmp(argv[1], "help") == 0) {
		char *hargv[] = { argc > 2 ? argv[2] : NULL, "--help", NULL };

		if (argc < 3) {
			usage(stdout);
			return EXIT_PASS;
		}
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		     i++)
			if (strcmp(argv[2], commands[i].name) == 0) {
				/* The plugin's help exits 3, as a plugin's
				 * must; asked for here it is not an error. */
				run_command(commands[i].fn, 2, hargv);
				return EXIT_PASS;
			}
		fprintf(stderr, "prober: help: unknown command '%s'\n",
			argv[2]);
		usage(stderr);
		return EXIT_UNKNOWN;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* --version after any command (before a "--"), so a user
		 * need not know which command takes it. The plugin has its
		 * own -V/--version. */
		if (commands[i].fn != cmd_nagios)
			for (int k = 2; k < argc && strcmp(argv[k], "--"); k++)
				if (strcmp(argv[k], "--version") == 0) {
					printf("prober %s\n", VSP_VERSION);
					return EXIT_PASS;
				}
		return run_command(commands[i].fn, argc - 1, argv + 1);
	}
	fprintf(stderr, "prober: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_UNKNOWN;
}
