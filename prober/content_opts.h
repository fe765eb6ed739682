/*
 * content_opts.h - the content-check options (issue 13) that `check` and the
 * Nagios face share: thresholds and --thumbnails, laid over a probe file.
 */
#ifndef VSP_CONTENT_OPTS_H
#define VSP_CONTENT_OPTS_H

#include <getopt.h>

#include "probe.h"

enum {
	OPT_CONTENT_FIRST = 900,
	OPT_THUMBNAILS = OPT_CONTENT_FIRST,
	OPT_BLACK_MIN,
	OPT_FROZEN_MIN,
	OPT_SILENCE_DB,
	OPT_SILENCE_MIN,
	OPT_NO_CONTENT,
	OPT_CONTENT_LAST = OPT_NO_CONTENT,
};

/* For a getopt_long table: { "thumbnails", required_argument, ... }, ... */
#define CONTENT_LONG_OPTS                                                    \
	{ "thumbnails", required_argument, NULL, OPT_THUMBNAILS },           \
		{ "black-min", required_argument, NULL, OPT_BLACK_MIN },     \
		{ "frozen-min", required_argument, NULL, OPT_FROZEN_MIN },   \
		{ "silence-db", required_argument, NULL, OPT_SILENCE_DB },   \
		{ "silence-min", required_argument, NULL, OPT_SILENCE_MIN }, \
	{                                                                    \
		"no-content", no_argument, NULL, OPT_NO_CONTENT              \
	}

#define CONTENT_USAGE                                                         \
	"  --black-min S         warn black_video when the picture is black " \
	"this long\n"                                                         \
	"                        (seconds of media, default 2)\n"             \
	"  --frozen-min S        warn frozen_video when it does not change "  \
	"this long\n"                                                         \
	"                        (default 2)\n"                               \
	"  --silence-db DB       audio whose peak stays below DB dBFS is "    \
	"silent\n"                                                            \
	"                        (default -60)\n"                             \
	"  --silence-min S       warn silent_audio when silent this long "    \
	"(default 2)\n"                                                       \
	"  --no-content          no black, frozen or silent checks\n"         \
	"  --thumbnails DIR      save each rendition's first picture in DIR " \
	"(JPEG)\n"

/* What the command line set; NaN / NULL / -1: not given. */
struct content_cli {
	double black_min, frozen_min, silence_db, silence_min;
	int enabled;
	const char *thumbnails;
};

void content_cli_init(struct content_cli *cc);
/* Handles option c (OPT_CONTENT_FIRST..LAST): 0, or -1 after a message
 * on stderr naming prog. */
int content_cli_opt(struct content_cli *cc, int c, const char *arg,
		    const char *prog);
/* Lays what was given over cfg. 0, or -1 out of memory. */
int content_cli_apply(const struct content_cli *cc, vsp_probe_cfg *cfg);

#endif
