/*
 * content_opts.c - the content-check options shared by `check` and the
 * Nagios face (content_opts.h).
 */
#include "content_opts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void content_cli_init(struct content_cli *cc)
{
	cc->black_min = cc->frozen_min = NAN;
	cc->silence_db = cc->silence_min = NAN;
	cc->enabled = -1;
	cc->thumbnails = NULL;
}

int content_cli_opt(struct content_cli *cc, int c, const char *arg,
		    const char *prog)
{
	switch (c) {
	case OPT_THUMBNAILS:
		if (!*arg) {
			fprintf(stderr, "%s: --thumbnails: empty folder name\n",
				prog);
			return -1;
		}
		cc->thumbnails = arg;
		return 0;
	case OPT_BLACK_MIN:
		return parse_double("--black-min", arg, 0.04, 3600,
				    &cc->black_min);
	case OPT_FROZEN_MIN:
		return parse_double("--frozen-min", arg, 0.04, 3600,
				    &cc->frozen_min);
	case OPT_SILENCE_DB:
		return parse_double("--silence-db", arg, -150, -1,
				    &cc->silence_db);
	case OPT_SILENCE_MIN:
		return parse_double("--silence-min", arg, 0.02, 3600,
				    &cc->silence_min);
	case OPT_NO_CONTENT:
		cc->enabled = 0;
		return 0;
	default:
		return -1;
	}
}

int content_cli_apply(const struct content_cli *cc, vsp_probe_cfg *cfg)
{
	vsp_content_opts *o = &cfg->content;

	if (!isnan(cc->black_min))
		o->black_min_s = cc->black_min;
	if (!isnan(cc->frozen_min))
		o->frozen_min_s = cc->frozen_min;
	if (!isnan(cc->silence_db))
		o->silence_db = cc->silence_db;
	if (!isnan(cc->silence_min))
		o->silence_min_s = cc->silence_min;
	if (cc->enabled >= 0)
		o->enabled = cc->enabled;
	if (cc->thumbnails) {
		free(cfg->thumbnails);
		if (!(cfg->thumbnails = strdup(cc->thumbnails)))
			return -1;
	}
	return 0;
}
