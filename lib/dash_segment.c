/*
 * dash_segment.c - which segment of a Representation to probe, and where
 * it is (dash_segment.h). Arithmetic on the parsed MPD only: no I/O, no
 * clock of its own, and no number that can overflow unchecked.
 */
#include "dash_segment.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_template.h"
#include "datetime.h"
#include "error.h"

const vsp_dash_period *vsp_dash_current_period(const vsp_dash_mpd *m,
					       double now)
{
	const vsp_dash_period *cur = NULL;

	if (m->n_periods == 0)
		return NULL;
	if (!m->dynamic)
		return &m->periods[0];
	for (size_t i = 0; i < m->n_periods; i++)
		if (m->availability_start + m->periods[i].start <= now)
			cur = &m->periods[i];
	return cur;
}

void vsp_dash_segment_clear(vsp_dash_segment *s)
{
	if (!s)
		return;
	free(s->url);
	free(s->init_url);
	memset(s, 0, sizeof(*s));
}

/* Segments of timeline entry i: r+1, or for r=-1 up to the next S@t or the
 * period end; INT64_MAX when open-ended (live, no end known). */
static int64_t s_count(const vsp_dash_representation *r,
		       const vsp_dash_period *p, size_t i)
{
	const vsp_dash_s *e = &r->timeline[i];
	double end;

	if (e->r >= 0)
		return e->r + 1;
	if (i + 1 < r->n_timeline) {
		int64_t gap = r->timeline[i + 1].t - e->t;

		return gap > 0 ? (gap + e->d - 1) / e->d : 0;
	}
	if (p->duration < 0)
		return INT64_MAX;
	end = (double)r->pto + p->duration * (double)r->timescale;
	if (end <= (double)e->t)
		return 0;
	return (int64_t)ceil((end - (double)e->t) / (double)e->d);
}

/* Number of segments the period holds; INT64_MAX when unknown. */
static int64_t seg_total(const vsp_dash_representation *r,
			 const vsp_dash_period *p)
{
	if (r->has_timeline) {
		int64_t tot = 0;

		for (size_t i = 0; i < r->n_timeline; i++) {
			int64_t n = s_count(r, p, i);

			if (n == INT64_MAX || tot > INT64_MAX - n)
				return INT64_MAX;
			tot += n;
		}
		return r->addr == VSP_DASH_ADDR_LIST &&
				       (size_t)tot > r->n_segments
			       ? (int64_t)r->n_segments
			       : tot;
	}
	if (r->addr == VSP_DASH_ADDR_LIST)
		return (int64_t)r->n_segments;
	if (r->addr == VSP_DASH_ADDR_TEMPLATE && r->duration > 0) {
		double n;

		if (p->duration < 0)
			return INT64_MAX;
		n = ceil(p->duration * (double)r->timescale /
				 (double)r->duration -
			 1e-9);
		return n >= 9e18 ? INT64_MAX : (int64_t)n;
	}
	return 1;
}

int64_t vsp_dash_segment_count(const vsp_dash_period *p,
			       const vsp_dash_representation *rep)
{
	return seg_total(rep, p);
}

static const char *rep_name(const vsp_dash_representation *r)
{
	return r->id ? r->id : "(no id)";
}

/* Time ($Time$) and duration of segment index, in timescale units: from
 * the SegmentTimeline, or @duration; 0 and 0 for neither. */
static int seg_time(const vsp_dash_representation *r, const vsp_dash_period *p,
		    int64_t index, int64_t *t, int64_t *d, char *err,
		    size_t errlen)
{
	*t = 0;
	*d = 0;
	if (r->has_timeline) {
		int64_t left = index;
		size_t i;

		for (i = 0; i < r->n_timeline; i++) {
			int64_t n = s_count(r, p, i);

			if (left < n)
				break;
			left -= n;
		}
		if (i == r->n_timeline) {
			vsp_err_printf(
				err, errlen,
				"Representation %s: the SegmentTimeline lists "
				"no segment %lld",
				rep_name(r), (long long)index);
			return -1;
		}
		*d = r->timeline[i].d;
		if (__builtin_mul_overflow(left, *d, t) ||
		    __builtin_add_overflow(*t, r->timeline[i].t, t)) {
			vsp_err_printf(err, errlen,
				       "Representation %s: segment %lld: time "
				       "overflows",
				       rep_name(r), (long long)index);
			return -1;
		}
	} else if (r->duration > 0) {
		*d = r->duration;
		if (__builtin_mul_overflow(index, *d, t) ||
		    __builtin_add_overflow(*t, r->pto, t)) {
			vsp_err_printf(err, errlen,
				       "Representation %s: segment %lld: "
				       "time overflows",
				       rep_name(r), (long long)index);
			return -1;
		}
	}
	return 0;
}

/* SegmentTemplate: the media and initialization URLs of out (whose number
 * and time are set). On -1, out is cleared once it holds a string. */
static int template_urls(const vsp_dash_representation *r, const char *base,
			 vsp_dash_segment *out, char *err, size_t errlen)
{
	char *rel;

	if (!r->media) {
		vsp_err_printf(
			err, errlen,
			"Representation %s: SegmentTemplate has no @media",
			rep_name(r));
		return -1;
	}
	if (!r->has_timeline && r->duration <= 0) {
		vsp_err_printf(err, errlen,
			       "Representation %s: SegmentTemplate has "
			       "neither @duration nor a SegmentTimeline",
			       rep_name(r));
		return -1;
	}
	rel = vsp_dash_expand(r->media, r->id, out->number, r->bandwidth,
			      out->time, err, errlen);
	if (!rel)
		return -1;
	out->url = vsp_dash_resolve(base, rel, err, errlen);
	free(rel);
	if (!out->url)
		goto fail;
	if (r->init_template) {
		rel = vsp_dash_expand_init(r->init_template, r->id,
					   r->bandwidth, err, errlen);
		if (!rel)
			goto fail;
		out->init_url = vsp_dash_resolve(base, rel, err, errlen);
		free(rel);
		if (!out->init_url)
			goto fail;
	}
	return 0;
fail:
	vsp_dash_segment_clear(out);
	return -1;
}

/* SegmentBase, or a bare BaseURL: the one resource (and, for SegmentBase,
 * its index and the init before it). out->url stays NULL on out of
 * memory, for the caller to report. */
static int single_resource(const vsp_dash_period *p,
			   const vsp_dash_representation *r, const char *base,
			   vsp_dash_segment *out, char *err, size_t errlen)
{
	if (!base) {
		vsp_err_printf(err, errlen,
			       "Representation %s: no segment information "
			       "(SegmentTemplate, SegmentList, SegmentBase) "
			       "and no BaseURL",
			       rep_name(r));
		return -1;
	}
	out->url = strdup(base);
	out->number = r->start_number;
	out->time = 0;
	out->start = 0;
	out->duration = p->duration > 0 ? p->duration : 0;
	if (r->index_length > 0) {
		out->needs_index = 1;
		out->index_offset = r->index_offset;
		out->index_length = r->index_length;
		out->duration = 0; /* the sidx says */
	}
	if (r->addr == VSP_DASH_ADDR_BASE && !r->init_url &&
	    r->index_offset > 0) {
		/* No Initialization: on-demand files put the moov before the
		 * sidx. */
		out->init_url = strdup(base);
		out->init_offset = 0;
		out->init_length = r->index_offset;
		if (!out->init_url) {
			vsp_err_printf(err, errlen, "out of memory");
			vsp_dash_segment_clear(out);
			return -1;
		}
	}
	return 0;
}

int vsp_dash_segment_at(const vsp_dash_mpd *m, const vsp_dash_period *p,
			const vsp_dash_representation *r, int64_t index,
			vsp_dash_segment *out, char *err, size_t errlen)
{
	int64_t t, d;

	(void)m;
	memset(out, 0, sizeof(*out));
	out->length = -1;
	out->init_length = -1;
	out->index_offset = -1;
	out->index_length = -1;
	if (r->has_timeline && r->n_timeline == 0) {
		vsp_err_printf(
			err, errlen,
			"Representation %s: the SegmentTimeline is empty",
			rep_name(r));
		return -1;
	}
	if (index < 0 || index >= seg_total(r, p)) {
		vsp_err_printf(
			err, errlen,
			"Representation %s: no segment %lld in the period "
			"(it has %lld)",
			rep_name(r), (long long)index,
			(long long)seg_total(r, p));
		return -1;
	}
	if (seg_time(r, p, index, &t, &d, err, errlen) != 0)
		return -1;
	out->number = r->start_number + index;
	out->time = t;
	out->duration = (double)d / (double)r->timescale;
	out->start = (double)(t - r->pto) / (double)r->timescale;

	switch (r->addr) {
	case VSP_DASH_ADDR_TEMPLATE:
		return template_urls(r, r->base_url, out, err, errlen);
	case VSP_DASH_ADDR_LIST:
		out->url = strdup(r->segments[index].media);
		out->offset = r->segments[index].length >= 0
				      ? r->segments[index].offset
				      : 0;
		out->length = r->segments[index].length;
		if (!r->has_timeline && r->duration <= 0) {
			out->duration = 0;
			out->start = 0;
		}
		break;
	case VSP_DASH_ADDR_BASE:
	case VSP_DASH_ADDR_NONE:
		if (single_resource(p, r, r->base_url, out, err, errlen) != 0)
			return -1;
		break;
	}
	if (!out->url)
		goto oom;
	if (r->init_url) {
		out->init_url = strdup(r->init_url);
		out->init_offset = r->init_length >= 0 ? r->init_offset : 0;
		out->init_length = r->init_length;
		if (!out->init_url)
			goto oom;
	}
	return 0;
oom:
	vsp_err_printf(err, errlen, "out of memory");
	vsp_dash_segment_clear(out);
	return -1;
}

/* Index of the newest segment that is complete at the edge (seconds from
 * the period start), or -1. */
static int64_t live_index(const vsp_dash_representation *r,
			  const vsp_dash_period *p, double rel)
{
	int64_t best = -1, total = seg_total(r, p);

	if (r->has_timeline) {
		double edge = (double)r->pto + rel * (double)r->timescale;
		int64_t first = 0;

		for (size_t i = 0; i < r->n_timeline; i++) {
			const vsp_dash_s *e = &r->timeline[i];
			int64_t n = s_count(r, p, i);
			double j;

			if ((double)e->t + (double)e->d <= edge && n > 0) {
				j = floor((edge - (double)e->t) /
					  (double)e->d) -
				    1;
				if (j > (double)(n - 1))
					j = (double)(n - 1);
				best = first + (int64_t)j;
			}
			if (n == INT64_MAX)
				break;
			first += n;
		}
	} else if (r->duration > 0) {
		double k = floor(rel * (double)r->timescale /
				 (double)r->duration) -
			   1;

		if (k >= 0)
			best = k >= 9e18 ? INT64_MAX - 1 : (int64_t)k;
	} else if (r->addr == VSP_DASH_ADDR_BASE ||
		   r->addr == VSP_DASH_ADDR_NONE ||
		   r->addr == VSP_DASH_ADDR_LIST) {
		best = 0;
	}
	if (best >= total)
		best = total - 1;
	return best;
}

int vsp_dash_newest_listed(const vsp_dash_mpd *m, const vsp_dash_period *p,
			   const vsp_dash_representation *r, double *end,
			   double *seg_duration, int64_t *number)
{
	int64_t total, end_t, d;
	const vsp_dash_s *last;

	if (!m->dynamic || !m->has_availability_start || !r->has_timeline ||
	    r->n_timeline == 0 || r->timescale == 0)
		return -1;
	last = &r->timeline[r->n_timeline - 1];
	/* r="-1" on the last S: segments until the period ends, computed
	 * from the clock, not listed. */
	if (last->r < 0 || last->d <= 0)
		return -1;
	total = seg_total(r, p);
	if (total <= 0 || total == INT64_MAX ||
	    last->r > (INT64_MAX - last->t) / last->d - 1)
		return -1;
	d = last->d;
	end_t = last->t + d * (last->r + 1);
	*end = m->availability_start + p->start +
	       (double)(end_t - r->pto) / (double)r->timescale;
	*seg_duration = (double)d / (double)r->timescale;
	*number = r->start_number + total - 1;
	return 0;
}

int vsp_dash_pick_segment(const vsp_dash_mpd *m, const vsp_dash_period *p,
			  const vsp_dash_representation *r, double now,
			  vsp_dash_segment *out, char *err, size_t errlen)
{
	double margin, edge, pstart, rel;
	int64_t idx;

	if (!m->dynamic)
		return vsp_dash_segment_at(m, p, r, 0, out, err, errlen);
	if (!m->has_availability_start) {
		memset(out, 0, sizeof(*out));
		vsp_err_printf(
			err, errlen,
			"live MPD (type=\"dynamic\") without "
			"@availabilityStartTime: the live edge is unknown");
		return -1;
	}
	/* A player plays suggestedPresentationDelay behind the clock; staying
	 * inside the time-shift window matters more. */
	margin = m->suggested_presentation_delay >= 0
			 ? m->suggested_presentation_delay
			 : VSP_DASH_LIVE_MARGIN_S;
	if (m->time_shift_buffer_depth > 0 &&
	    margin > m->time_shift_buffer_depth / 2)
		margin = m->time_shift_buffer_depth / 2;
	edge = now - margin + r->ato;
	pstart = m->availability_start + p->start;
	rel = edge - pstart;
	if (p->duration >= 0 && rel > p->duration)
		rel = p->duration;
	idx = live_index(r, p, rel);
	if (idx < 0) {
		char when[VSP_TIME_TEXT_MAX];

		memset(out, 0, sizeof(*out));
		vsp_time_format(pstart, when, sizeof(when));
		vsp_err_printf(
			err, errlen,
			"Representation %s: no segment is complete yet: the "
			"live edge (now - %.1f s) is %.3f s into the period "
			"that starts at %s",
			rep_name(r), margin, rel, when);
		return -1;
	}
	return vsp_dash_segment_at(m, p, r, idx, out, err, errlen);
}
