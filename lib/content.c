/*
 * content.c - black, frozen and silent measures over decoded pictures and
 * sound (content.h). Pure arithmetic: no FFmpeg, no I/O, no allocation.
 *
 * It must never call a calm scene frozen: pictures are only compared as
 * runs measured in media time, each against the run's first picture, so a
 * slow pan that moves a few pixels a second breaks the run within a second
 * however alike two neighbouring frames are.
 */
#include "content.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

void vsp_content_opts_init(vsp_content_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->enabled = 1;
	o->black_luma = 0.10;
	o->black_ratio = 0.98;
	o->black_min_s = 2.0;
	o->frozen_min_s = 2.0;
	o->silence_db = -60.0;
	o->silence_min_s = 2.0;
}

void vsp_content_seg_init(vsp_content_seg *c)
{
	memset(c, 0, sizeof(*c));
	c->luma_min = 1.0;
}

int vsp_picture_measure(const uint8_t *plane, int linesize, int width,
			int height, int bytes_per_sample, int bits,
			int full_range, double black_luma, vsp_picture *out)
{
	uint64_t sum[VSP_CONTENT_CELLS] = { 0 };
	uint32_t cnt[VSP_CONTENT_CELLS] = { 0 };
	uint8_t col[8192]; /* cell column of each sampled x */
	double lo, range, total = 0;
	uint64_t dark = 0, n = 0;
	unsigned dark_max;
	int step;

	if (!plane || width < VSP_CONTENT_GRID_W ||
	    height < VSP_CONTENT_GRID_H || width > 8192 * 4 || bits < 8 ||
	    bits > 16 || (bytes_per_sample != 1 && bytes_per_sample != 2) ||
	    (bytes_per_sample == 1 && bits != 8) ||
	    linesize < width * bytes_per_sample)
		return -1;
	/* Video range puts black at 16 and white at 235 (at 8 bits). */
	lo = full_range ? 0.0 : (double)(16 << (bits - 8));
	range = full_range ? (double)((1 << bits) - 1)
			   : (double)(219 << (bits - 8));
	/* Sums stay in raw sample units in the loop (a few instructions a
	 * sample); they are normalised once per cell. */
	dark_max = (unsigned)(lo + black_luma * range);
	step = width / (VSP_CONTENT_GRID_W * VSP_CONTENT_CELL_SAMPLES);
	if (height / (VSP_CONTENT_GRID_H * VSP_CONTENT_CELL_SAMPLES) < step)
		step = height / (VSP_CONTENT_GRID_H * VSP_CONTENT_CELL_SAMPLES);
	if (step < 1)
		step = 1;
	if (width / step > (int)sizeof(col))
		return -1;
	for (int x = step / 2, i = 0; x < width; x += step, i++)
		col[i] = (uint8_t)((int64_t)x * VSP_CONTENT_GRID_W / width);
	for (int y = step / 2; y < height; y += step) {
		const uint8_t *row = plane + (size_t)y * (size_t)linesize;
		int cy = (int)((int64_t)y * VSP_CONTENT_GRID_H / height);
		uint64_t *srow = &sum[cy * VSP_CONTENT_GRID_W];
		uint32_t *crow = &cnt[cy * VSP_CONTENT_GRID_W];

		for (int x = step / 2, i = 0; x < width; x += step, i++) {
			unsigned v = bytes_per_sample == 1
					     ? row[x]
					     : (unsigned)row[2 * x] |
						       ((unsigned)row[2 * x + 1]
							<< 8);

			srow[col[i]] += v;
			crow[col[i]]++;
			dark += v <= dark_max;
		}
	}
	for (int i = 0; i < VSP_CONTENT_CELLS; i++) {
		double norm = 0;

		if (cnt[i]) {
			norm = ((double)sum[i] / cnt[i] - lo) / range;
			norm = norm < 0 ? 0 : norm > 1 ? 1 : norm;
		}
		out->cell[i] = (uint8_t)lrint(norm * 255.0);
		total += norm * cnt[i];
		n += cnt[i];
	}
	out->luma = n ? total / (double)n : 0;
	out->dark = n ? (double)dark / (double)n : 0;
	return 0;
}

int vsp_picture_diff(const vsp_picture *a, const vsp_picture *b)
{
	int worst = 0;

	for (int i = 0; i < VSP_CONTENT_CELLS; i++) {
		int d = (int)a->cell[i] - (int)b->cell[i];

		if (d < 0)
			d = -d;
		if (d > worst)
			worst = d;
	}
	return worst;
}

double vsp_picture_diff_share(const vsp_picture *a, const vsp_picture *b,
			      int levels)
{
	int over = 0;

	for (int i = 0; i < VSP_CONTENT_CELLS; i++)
		over += abs((int)a->cell[i] - (int)b->cell[i]) > levels;
	return (double)over / VSP_CONTENT_CELLS;
}

/* A run of pictures lasts from its first to past its last: one frame
 * interval, estimated from the pictures seen. */
static double frame_interval(const vsp_content_seg *c)
{
	if (c->pictures < 2 || c->last_t <= c->first_t)
		return 0;
	return (c->last_t - c->first_t) / (double)(c->pictures - 1);
}

void vsp_content_picture(vsp_content_seg *c, const vsp_picture *p, double t,
			 const vsp_content_opts *o)
{
	double fi;

	if (!isfinite(t))
		t = c->pictures ? c->last_t : 0;
	if (c->pictures == 0) {
		c->measured = 1;
		c->first = *p;
		c->ref = *p;
		c->first_t = c->ref_t = c->run_last_t = t;
		c->run_from_first = 1;
	} else if (vsp_picture_diff(&c->ref, p) <= VSP_FROZEN_CELL_DIFF) {
		c->run_last_t = t;
	} else {
		c->changed = 1;
		c->run_from_first = 0;
		c->ref = *p;
		c->ref_t = c->run_last_t = t;
	}
	c->pictures++;
	if (t > c->last_t || c->pictures == 1)
		c->last_t = t;
	if (p->luma < c->luma_min)
		c->luma_min = p->luma;
	if (p->luma > c->luma_max)
		c->luma_max = p->luma;
	fi = frame_interval(c);
	if (c->run_last_t - c->ref_t + fi > c->still_s)
		c->still_s = c->run_last_t - c->ref_t + fi;
	if (p->dark >= o->black_ratio) {
		c->black_pictures++;
		if (!c->in_black) {
			c->in_black = 1;
			c->black_t0 = t;
		}
		c->black_last_t = t;
		if (c->black_last_t - c->black_t0 + fi > c->black_s)
			c->black_s = c->black_last_t - c->black_t0 + fi;
	} else {
		c->in_black = 0;
	}
}

int vsp_content_wants_more(const vsp_content_seg *c, const vsp_content_opts *o)
{
	double need = o->frozen_min_s > o->black_min_s ? o->frozen_min_s
						       : o->black_min_s;

	if (!o->enabled || c->pictures == 0 || !c->run_from_first)
		return 0;
	return c->still_s < need;
}

double vsp_audio_peak(const void *samples, int fmt, size_t n)
{
	double peak = 0;

	for (size_t i = 0; i < n; i++) {
		double v;

		switch (fmt) {
		case 0:
			v = ((const int16_t *)samples)[i] / 32768.0;
			break;
		case 1:
			v = ((const int32_t *)samples)[i] / 2147483648.0;
			break;
		case 2:
			v = ((const float *)samples)[i];
			break;
		default:
			v = ((const double *)samples)[i];
			break;
		}
		v = fabs(v);
		/* NaN from a broken float stream is not silence. */
		if (!(v <= peak))
			peak = isnan(v) ? 1.0 : v;
	}
	return peak;
}

void vsp_content_audio(vsp_content_seg *c, double peak, double t, double dur,
		       const vsp_content_opts *o)
{
	double level = pow(10.0, o->silence_db / 20.0);

	if (!isfinite(t) || !isfinite(dur) || dur < 0)
		return;
	c->audio_frames++;
	c->audio_s += dur;
	if (peak > c->peak)
		c->peak = peak;
	if (peak < level) {
		if (!c->in_silence) {
			c->in_silence = 1;
			c->silent_t0 = t;
		}
		c->silent_end = t + dur;
		if (c->silent_end - c->silent_t0 > c->silent_s)
			c->silent_s = c->silent_end - c->silent_t0;
	} else {
		c->in_silence = 0;
	}
}

int vsp_content_audio_wants_more(const vsp_content_seg *c,
				 const vsp_content_opts *o)
{
	if (!o->enabled || c->audio_frames == 0)
		return 0;
	return c->peak < pow(10.0, o->silence_db / 20.0) &&
	       c->silent_s < o->silence_min_s;
}

void vsp_content_judge(const vsp_content_seg *const *segs, size_t n,
		       const vsp_content_opts *o, vsp_content_result *out)
{
	double peak = 0;

	memset(out, 0, sizeof(*out));
	out->luma = -1;
	for (size_t i = 0; i < n; i++) {
		const vsp_content_seg *a = segs[i];

		if (!a)
			continue;
		out->pictures += a->pictures;
		out->audio_frames += a->audio_frames;
		if (a->pictures && out->luma < 0)
			out->luma = a->first.luma;
		if (a->peak > peak)
			peak = a->peak;
		if (a->still_s > out->frozen_s)
			out->frozen_s = a->still_s;
		if (a->black_s > out->black_s)
			out->black_s = a->black_s;
		if (a->silent_s > out->silent_s)
			out->silent_s = a->silent_s;
		/* Two segments whose own pictures never changed and whose
		 * first pictures match show one picture all the time between
		 * them (live: the start segment and the newest). */
		for (size_t j = 0; j < n; j++) {
			const vsp_content_seg *b = segs[j];
			double span;

			if (!b || j == i || !a->pictures || !b->pictures ||
			    a->changed || b->changed ||
			    b->first_t <= a->first_t ||
			    vsp_picture_diff(&a->first, &b->first) >
				    VSP_FROZEN_CELL_DIFF)
				continue;
			span = b->first_t - a->first_t + b->still_s;
			if (span > out->frozen_s)
				out->frozen_s = span;
			if (a->black_pictures == a->pictures &&
			    b->black_pictures == b->pictures &&
			    span > out->black_s)
				out->black_s = span;
		}
	}
	if (out->audio_frames)
		out->peak_db = peak > 0 ? 20.0 * log10(peak) : -200.0;
	if (!o->enabled)
		return;
	out->black = out->pictures && out->black_s >= o->black_min_s;
	/* A black picture is frozen too; black says more. */
	out->frozen = out->pictures && !out->black &&
		      out->frozen_s >= o->frozen_min_s;
	out->silent = out->audio_frames && out->silent_s >= o->silence_min_s;
}
