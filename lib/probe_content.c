/*
 * probe_content.c - the content checks of one rendition (issue 13): what
 * every segment the check decoded showed (content.h), judged together, and
 * the thumbnail's name.
 *
 * A black, frozen or silent stream plays: each is a warn (stage
 * validation), never a fail, with the measured value and the threshold.
 * Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "content.h"
#include "limits.h"
#include "probe_int.h"
#include "thumb.h"

void vsp_probe_thumb_path(const struct worker *w, const vsp_rendition_result *r,
			  char *out, size_t len)
{
	const struct origin_ctx *o = w->o;
	size_t n = o->res->n_renditions;

	out[0] = '\0';
	if (!o->cfg->thumbnails || n == 0 || r < o->res->renditions ||
	    r >= o->res->renditions + n)
		return;
	if (vsp_thumb_path(out, len, o->cfg->thumbnails, o->cfg->name,
			   o->ocfg->name, (size_t)(r - o->res->renditions),
			   r->name) != 0)
		out[0] = '\0';
}

void vsp_probe_content(struct worker *w, struct rend_job *j)
{
	const vsp_content_opts *co = &w->o->cfg->content;
	vsp_rendition_result *r = j->r;
	const vsp_content_seg *segs[VSP_MAX_SEGMENT_CHECKS];
	vsp_content_result *c = &r->content;
	size_t n = 0;

	if (!co->enabled || r->v.status == VSP_FAIL)
		return;
	for (size_t i = 0; i < r->n_segs && n < VSP_MAX_SEGMENT_CHECKS; i++)
		if (r->segs[i].decode)
			segs[n++] = &r->segs[i].decode->content;
	if (n == 0 && r->decoded)
		segs[n++] = &r->decode.content;
	if (n == 0)
		return;
	vsp_content_judge(segs, n, co, c);
	r->has_content = c->pictures > 0 || c->audio_frames > 0;
	if (c->black)
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_BLACK_VIDEO,
				VSP_STAGE_VALIDATION,
				"picture black for %.1f s of media (mean luma "
				"%.1f%%; at least %.0f%% of pixels within "
				"%.0f%% of black; warns from %.1f s)",
				c->black_s, c->luma * 100,
				co->black_ratio * 100, co->black_luma * 100,
				co->black_min_s);
	if (c->frozen)
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_FROZEN_VIDEO,
				VSP_STAGE_VALIDATION,
				"picture unchanged for %.1f s of media (no "
				"cell of a %dx%d luma grid moved more than %d "
				"levels of 255; warns from %.1f s)",
				c->frozen_s, VSP_CONTENT_GRID_W,
				VSP_CONTENT_GRID_H, VSP_FROZEN_CELL_DIFF,
				co->frozen_min_s);
	if (c->silent)
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_SILENT_AUDIO,
				VSP_STAGE_VALIDATION,
				"audio below %.0f dBFS for %.1f s of media "
				"(peak %.1f dBFS; warns from %.1f s)",
				co->silence_db, c->silent_s, c->peak_db,
				co->silence_min_s);
}

void vsp_rendition_conform(vsp_rendition_result *r, const vsp_conform_list *l,
			   vsp_stage stage, const char *what)
{
	if (!l || l->n == 0)
		return;
	if (!r->conformance && !(r->conformance = calloc(1, sizeof(*l))))
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (r->conformance->n >= VSP_CONFORM_MAX) {
			r->conformance->dropped++;
			continue;
		}
		r->conformance->item[r->conformance->n++] = l->item[i];
	}
	r->conformance->dropped += l->dropped;
	vsp_verdict_set(&r->v, VSP_WARN, VSP_R_SPEC_VIOLATION, stage,
			"%s: %s: %s", what, l->item[0].clause,
			l->item[0].message);
}
