/*
 * index.c - `prober index`: brings the history index (lib/store.c) up to
 * date from the record files, takes records of other vantage points
 * (--import FILE, more --results folders), and prunes old rows.
 *
 * The records are never touched: the index can always be deleted and
 * built again by this command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "datetime.h"
#include "store.h"

static void index_usage(FILE *out)
{
	fprintf(out,
		"usage: prober index [OPTIONS]\n"
		"Indexes the records of RESULTS/YYYY-MM-DD.jsonl into "
		"RESULTS/" VSP_STORE_FILE "\n(idempotent and resumable: only "
		"new lines are read), for `prober report`.\n\n"
		"  --results DIR     record files (default results); again for "
		"the folders\n                    of other vantage points "
		"(the index is the first's)\n"
		"  --import FILE     also index this record file (another "
		"vantage's)\n"
		"  --vantage NAME    the vantage of imported records that name "
		"none\n"
		"  --store FILE      the index (default RESULTS/" VSP_STORE_FILE
		")\n"
		"  --prune AGE       delete checks older than AGE (90d, 2w); "
		"imports\n                    will not add them back\n"
		"  -h, --help        this help\n\n"
		"exit status: 0 indexed, 3 could not (message on stderr)\n");
}

enum { OPT_RESULTS = 256, OPT_IMPORT, OPT_VANTAGE, OPT_STORE, OPT_PRUNE };

static const struct option index_opts[] = {
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "vantage", required_argument, NULL, OPT_VANTAGE },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "prune", required_argument, NULL, OPT_PRUNE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the command line asks of prober index. */
struct index_args {
	char **dirs, **files; /* owned: index_args_clear() */
	size_t n_dirs, n_files;
	const char *vantage, *store_path, *prune_arg;
	double prune;
};

static void index_args_clear(struct index_args *a)
{
	for (size_t i = 0; i < a->n_dirs; i++)
		free(a->dirs[i]);
	free(a->dirs);
	for (size_t i = 0; i < a->n_files; i++)
		free(a->files[i]);
	free(a->files);
}

static int index_oom(void)
{
	fprintf(stderr, "prober index: out of memory\n");
	return EXIT_UNKNOWN;
}

/* Returns -1 to go on, else the exit code (help, usage). */
static int parse_index_args(int argc, char **argv, struct index_args *a)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", index_opts, NULL)) != -1) {
		switch (c) {
		case OPT_RESULTS:
			if (strv_push(&a->dirs, &a->n_dirs, optarg))
				return index_oom();
			break;
		case OPT_IMPORT:
			if (strv_push(&a->files, &a->n_files, optarg))
				return index_oom();
			break;
		case OPT_VANTAGE:
			a->vantage = optarg;
			break;
		case OPT_STORE:
			a->store_path = optarg;
			break;
		case OPT_PRUNE:
			a->prune_arg = optarg;
			if (vsp_duration_parse(optarg, &a->prune)) {
				fprintf(stderr,
					"prober index: --prune: '%s' is not an "
					"age such as 90d or 2w\n",
					optarg);
				return EXIT_UNKNOWN;
			}
			break;
		case 'h':
			index_usage(stdout);
			return EXIT_PASS;
		default:
			index_usage(stderr);
			return EXIT_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "prober index: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_UNKNOWN;
	}
	if (!a->n_dirs && strv_push(&a->dirs, &a->n_dirs, "results"))
		return index_oom();
	return -1;
}

/* --prune, then every folder and file into the store. Returns 0, or -1
 * with a message in err. */
static int index_into(vsp_store *st, const struct index_args *a,
		      vsp_store_stats *ss, char *err, size_t errlen)
{
	if (a->prune > 0) {
		size_t gone = 0;

		if (vsp_store_prune(st, vsp_wall_s() - a->prune, &gone, err,
				    errlen))
			return -1;
		printf("pruned %zu checks older than %s\n", gone, a->prune_arg);
	}
	/* The first folder is this machine's own: its records without a
	 * vantage are the default vantage's; --vantage names the others'. */
	for (size_t i = 0; i < a->n_dirs; i++)
		if (vsp_store_import_dir(st, a->dirs[i], i ? a->vantage : NULL,
					 0, ss, err, errlen))
			return -1;
	for (size_t i = 0; i < a->n_files; i++)
		if (vsp_store_import_file(st, a->files[i], a->vantage, 0, ss,
					  err, errlen))
			return -1;
	return 0;
}

int cmd_index(int argc, char **argv)
{
	struct index_args a = { 0 };
	char err[1024], def[4200];
	const char *store_path;
	vsp_store *st = NULL;
	vsp_store_stats ss = { 0 };
	int rc = parse_index_args(argc, argv, &a);

	if (rc != -1)
		goto out;
	rc = EXIT_UNKNOWN;
	store_path = a.store_path;
	if (!store_path) {
		snprintf(def, sizeof(def), "%s/%s", a.dirs[0], VSP_STORE_FILE);
		store_path = def;
	}
	if (vsp_store_open(store_path, 0, &st, err, sizeof(err)) ||
	    index_into(st, &a, &ss, err, sizeof(err))) {
		fprintf(stderr, "prober index: %s\n", err);
		goto out;
	}
	printf("indexed %zu new records (%zu read, %zu damaged lines "
	       "skipped",
	       ss.inserted, ss.records, ss.bad);
	if (ss.partial)
		printf(", %zu files end in a line still being written",
		       ss.partial);
	printf(") from %zu files; %s: %lld checks, %lld bytes\n", ss.files,
	       store_path, vsp_store_count(st), vsp_store_bytes(st));
	if (fflush(stdout) != 0) {
		perror("prober index: stdout");
		goto out;
	}
	rc = EXIT_PASS;
out:
	vsp_store_close(st);
	index_args_clear(&a);
	return rc;
}
