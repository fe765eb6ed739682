/*
 * compare.c - rules across the origins of one stream: an origin that lags
 * the most advanced one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "probe_int.h"

/* How far rendition a is behind rendition b of the same stream on another
 * origin, in seconds: by PROGRAM-DATE-TIME when both have it (packagers may
 * number segments differently), else by media sequence. */
static double lag_behind(const vsp_rendition_result *a,
			 const vsp_rendition_result *b)
{
	if (a->newest_end > 0 && b->newest_end > 0)
		return b->newest_end - a->newest_end;
	return (double)(b->newest_seq - a->newest_seq) * a->target_duration;
}

/* Cross-CDN consistency: each live rendition against the same rendition
 * (same name) on the most advanced origin, from the first load of each,
 * which the origins made at about the same moment. */
void judge_origin_lag(vsp_stream_result *s, const vsp_probe_cfg *cfg)
{
	for (size_t i = 0; i < s->n_origins; i++) {
		vsp_origin_result *oi = &s->origins[i];

		for (size_t k = 0; k < oi->n_renditions; k++) {
			vsp_rendition_result *a = &oi->renditions[k];
			const vsp_rendition_result *best = NULL;
			const vsp_origin_result *best_o = NULL;
			size_t peers = 0;

			if (!a->live || a->target_duration <= 0 || !a->name)
				continue;
			for (size_t j = 0; j < s->n_origins; j++) {
				const vsp_origin_result *oj = &s->origins[j];

				for (size_t m = 0; m < oj->n_renditions; m++) {
					const vsp_rendition_result *b =
						&oj->renditions[m];

					if (j == i || !b->live ||
					    b->target_duration <= 0 ||
					    !b->name ||
					    strcmp(a->name, b->name) != 0)
						continue;
					peers++;
					if (!best || lag_behind(best, b) > 0) {
						best = b;
						best_o = oj;
					}
				}
			}
			if (!peers)
				continue;
			a->has_origin_lag = 1;
			a->origin_lag_s = lag_behind(a, best) > 0
						  ? lag_behind(a, best)
						  : 0;
			if (a->origin_lag_s >
			    cfg->lag_warn_tds * a->target_duration)
				vsp_verdict_set(
					&a->v, VSP_WARN, VSP_R_ORIGIN_LAGGING,
					VSP_STAGE_LIVE,
					"origin %s is %.1f s (%lld segments) "
					"behind origin %s on %s",
					oi->name, a->origin_lag_s,
					(long long)(best->newest_seq -
						    a->newest_seq),
					best_o->name, a->name);
		}
	}
}
