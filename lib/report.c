/*
 * report.c - time-weighted availability, time to first frame, outage
 * windows and the vantage merge, from the history index (definitions in
 * report.h).
 *
 * One probe at a time: its checks and origin rows in the window (and a
 * little before it, for the result that holds into it) are read from the
 * store into per-vantage series, turned into spans of held results, and
 * the figures come from the spans (time) and the checks (counts,
 * percentiles). The combined view sweeps the vantages' spans together.
 * Memory is one probe's checks, never the whole history.
 */
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "dynbuf.h"
#include "jsontext.h"
#include "limits.h"
#include "store.h"

/* When a probe's interval is not known from its file: 60 s, the probe
 * files' default, unless the checks' own gaps say otherwise. */
#define DEFAULT_INTERVAL_S 60.0
/* How far before `since` to look for the result that holds into the
 * window when the interval is not known yet. */
#define LOOKBACK_S 7200.0
/* Vantages told apart in a partial outage's list. */
#define MAX_VANTAGE_BITS 64

/* One check of one series (the stream or an origin, one vantage). */
struct sample {
	double t;
	double ttff, lag, age, rtf; /* NAN none */
	uint8_t status, flags, degraded;
	const char *reason; /* interned in the build */
	char *message;	    /* owned, NULL for a pass */
};

struct series {
	char *name; /* origin; NULL for the stream */
	struct sample *s;
	size_t n, cap;
	char *thumb;	/* the latest named */
	double thumb_t; /* the latest check naming one; -1 none */
};

struct vacc {
	char *name;
	struct series stream;
	struct series *orig;
	size_t n_orig;
};

/* One probe being read. */
struct pacc {
	const char *name;
	struct vacc *v;
	size_t n_v;
	char **onames; /* origins in order of first appearance */
	size_t n_on;
	char **strs; /* interned reasons */
	size_t n_strs;
	double since, until;
	vsp_store *store;
	int oom;
};

/* A result holding over [a, b). */
struct rspan {
	double a, b;
	int state;
	const struct sample *s; /* the check it holds from */
	uint32_t starts;	/* checks of the window starting it */
	uint8_t last;		/* holds a series' last check */
	uint64_t mask;		/* vantages down (combined view) */
};

static const char *intern(struct pacc *p, const char *s)
{
	char **nv;

	if (!s)
		return NULL;
	for (size_t i = 0; i < p->n_strs; i++)
		if (strcmp(p->strs[i], s) == 0)
			return p->strs[i];
	nv = realloc(p->strs, (p->n_strs + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	p->strs = nv;
	nv[p->n_strs] = strdup(s);
	return nv[p->n_strs] ? nv[p->n_strs++] : NULL;
}

static void series_clear(struct series *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->s[i].message);
	free(s->s);
	free(s->name);
	free(s->thumb);
}

static void pacc_clear(struct pacc *p)
{
	for (size_t i = 0; i < p->n_v; i++) {
		series_clear(&p->v[i].stream);
		for (size_t k = 0; k < p->v[i].n_orig; k++)
			series_clear(&p->v[i].orig[k]);
		free(p->v[i].orig);
		free(p->v[i].name);
	}
	free(p->v);
	for (size_t i = 0; i < p->n_on; i++)
		free(p->onames[i]);
	free(p->onames);
	for (size_t i = 0; i < p->n_strs; i++)
		free(p->strs[i]);
	free(p->strs);
	memset(p, 0, sizeof(*p));
}

static struct vacc *find_vantage(struct pacc *p, const char *name)
{
	struct vacc *nv;

	for (size_t i = 0; i < p->n_v; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	nv = realloc(p->v, (p->n_v + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	p->v = nv;
	memset(&nv[p->n_v], 0, sizeof(*nv));
	nv[p->n_v].name = strdup(name);
	return nv[p->n_v].name ? &nv[p->n_v++] : NULL;
}

static struct series *find_origin(struct pacc *p, struct vacc *v,
				  const char *name)
{
	struct series *ns;
	size_t k;

	for (size_t i = 0; i < v->n_orig; i++)
		if (strcmp(v->orig[i].name, name) == 0)
			return &v->orig[i];
	for (k = 0; k < p->n_on; k++)
		if (strcmp(p->onames[k], name) == 0)
			break;
	if (k == p->n_on) {
		char **nn = realloc(p->onames, (p->n_on + 1) * sizeof(*nn));

		if (!nn)
			return NULL;
		p->onames = nn;
		if (!(nn[p->n_on] = strdup(name)))
			return NULL;
		p->n_on++;
	}
	ns = realloc(v->orig, (v->n_orig + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	v->orig = ns;
	memset(&ns[v->n_orig], 0, sizeof(*ns));
	ns[v->n_orig].name = strdup(name);
	ns[v->n_orig].thumb_t = -1;
	return ns[v->n_orig].name ? &ns[v->n_orig++] : NULL;
}

static int on_row(void *ctx, const vsp_store_row *row)
{
	struct pacc *p = ctx;
	struct vacc *v = find_vantage(p, row->vantage);
	struct series *se;
	struct sample *sm;

	if (!v)
		goto oom;
	se = row->origin ? find_origin(p, v, row->origin) : &v->stream;
	if (!se)
		goto oom;
	if (se->n == se->cap) {
		size_t nc = se->cap ? se->cap * 2 : 64;
		struct sample *ns = realloc(se->s, nc * sizeof(*ns));

		if (!ns)
			goto oom;
		se->s = ns;
		se->cap = nc;
	}
	sm = &se->s[se->n];
	memset(sm, 0, sizeof(*sm));
	sm->t = row->t;
	sm->status = (uint8_t)row->status;
	sm->flags = (uint8_t)row->flags;
	sm->ttff = row->ttff_ms;
	sm->lag = row->lag_s;
	sm->age = row->age_s;
	sm->rtf = row->rtf;
	sm->reason = intern(p, row->reason);
	if (row->message && !(sm->message = strdup(row->message)))
		goto oom;
	if ((row->flags & VSP_FL_THUMB) && row->t >= p->since &&
	    row->t <= p->until)
		se->thumb_t = row->t;
	se->n++;
	return 0;
oom:
	p->oom = 1;
	return 1;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Nearest rank: the smallest value with at least p% of values at or
 * below it. v is sorted, n > 0. */
static double percentile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* Moves the k-th smallest of v[0..n) to v[k], smaller ones before it
 * (Hoare's selection: linear on average, where a sort of a million
 * values would be most of a report's time). */
static void select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

static size_t rank_of(size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	return rank < 1 ? 0 : rank > n ? n - 1 : rank - 1;
}

/* p95 then p50 (nearest rank) of v[0..n), n > 0; v is reordered. */
static void p95_p50(double *v, size_t n, double *p95, double *p50)
{
	size_t k95 = rank_of(n, 95), k50 = rank_of(n, 50);

	select_kth(v, n, k95);
	*p95 = v[k95];
	/* Everything before k95 is at most v[k95]: p50 lies there. */
	select_kth(v, k95 + 1, k50);
	*p50 = v[k50];
}

/* The median gap between consecutive checks of the probe's streams. */
static double median_gap(const struct pacc *p)
{
	size_t n = 0, k = 0;
	double *g, m = DEFAULT_INTERVAL_S;

	for (size_t i = 0; i < p->n_v; i++)
		n += p->v[i].stream.n;
	g = malloc((n ? n : 1) * sizeof(*g));
	if (!g)
		return m;
	for (size_t i = 0; i < p->n_v; i++)
		for (size_t j = 1; j < p->v[i].stream.n; j++)
			if (p->v[i].stream.s[j].t > p->v[i].stream.s[j - 1].t)
				g[k++] = p->v[i].stream.s[j].t -
					 p->v[i].stream.s[j - 1].t;
	if (k) {
		qsort(g, k, sizeof(*g), cmp_double);
		m = percentile(g, k, 50);
	}
	free(g);
	return m;
}

static int sample_state(const struct sample *s)
{
	if (s->status == VSP_ST_FAIL)
		return VSP_SPAN_DOWN;
	if (s->status == VSP_ST_WARN || s->degraded)
		return VSP_SPAN_DEGRADED;
	return VSP_SPAN_UP;
}

/* The spans of one series: each check holds until the next, at most
 * 2 x interval, clipped to the window. */
static struct rspan *make_rspans(const struct series *se, double interval,
				 double since, double until, size_t *n_out)
{
	struct rspan *r = malloc((se->n ? se->n : 1) * sizeof(*r));
	size_t n = 0;

	*n_out = 0;
	if (!r)
		return NULL;
	for (size_t i = 0; i < se->n; i++) {
		const struct sample *s = &se->s[i];
		double a = s->t > since ? s->t : since;
		double b = s->t + 2 * interval;

		if (i + 1 < se->n && se->s[i + 1].t < b)
			b = se->s[i + 1].t;
		if (b > until)
			b = until;
		if (!(b > a))
			continue;
		r[n] = (struct rspan){ .a = a,
				       .b = b,
				       .state = sample_state(s),
				       .s = s,
				       .starts = s->t >= since,
				       .last = i + 1 == se->n };
		n++;
	}
	*n_out = n;
	return r;
}

static int add_outage(vsp_outage **v, size_t *n, const struct rspan *first)
{
	vsp_outage *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	vsp_outage *u;

	if (!nv)
		return -1;
	*v = nv;
	u = &nv[(*n)++];
	memset(u, 0, sizeof(*u));
	u->start = first->a;
	u->end = first->b;
	u->first_check = first->s->t;
	if (first->s->reason && !(u->reason = strdup(first->s->reason)))
		return -1;
	if (first->s->message && !(u->message = strdup(first->s->message)))
		return -1;
	return 0;
}

/* A list of names as "a, b, c": its cap is what the names may take, so
 * only out of memory can fail it. */
#define LIST_ITEM_EXTRA (sizeof(", (default)"))

static void list_add(vsp_buf *b, const char *name)
{
	if (b->len)
		vsp_buf_adds(b, ", ");
	vsp_buf_adds(b, name);
}

/* The vantages in mask, comma-separated; caller frees. NULL on out of
 * memory. */
static char *mask_names(uint64_t mask, char *const *names, size_t n)
{
	size_t cap = 1;
	vsp_buf b;

	for (size_t i = 0; i < n && i < MAX_VANTAGE_BITS; i++)
		cap += strlen(names[i]) + LIST_ITEM_EXTRA;
	vsp_buf_init(&b, cap);
	for (size_t i = 0; i < n && i < MAX_VANTAGE_BITS; i++)
		if (mask & (1ULL << i))
			list_add(&b, names[i][0] ? names[i] : "(default)");
	return vsp_buf_take(&b, NULL);
}

/* Time sums, outages and the merged timeline from spans. */
static int from_spans(vsp_avail *av, const struct rspan *r, size_t n,
		      double since, double until, char *const *vnames,
		      size_t n_vnames)
{
	double covered = 0;
	vsp_outage *cur = NULL, *curp = NULL;
	uint64_t pmask = 0;

	av->spans = calloc(n ? n : 1, sizeof(*av->spans));
	if (!av->spans)
		return -1;
	for (size_t i = 0; i < n; i++) {
		double d = r[i].b - r[i].a;
		int joined = i > 0 && r[i - 1].b == r[i].a;

		covered += d;
		switch (r[i].state) {
		case VSP_SPAN_DEGRADED:
			av->degraded_s += d;
			av->up_s += d;
			break;
		case VSP_SPAN_DOWN:
			av->down_s += d;
			break;
		case VSP_SPAN_PARTIAL:
			av->partial_s += d;
			av->up_s += d;
			break;
		default:
			av->up_s += d;
		}
		if (av->n_spans && joined &&
		    av->spans[av->n_spans - 1].state == r[i].state)
			av->spans[av->n_spans - 1].end = r[i].b;
		else
			av->spans[av->n_spans++] =
				(vsp_span){ r[i].a, r[i].b, r[i].state };

		if (r[i].state == VSP_SPAN_DOWN) {
			if (!(cur && joined)) {
				if (add_outage(&av->outages, &av->n_outages,
					       &r[i]))
					return -1;
				cur = &av->outages[av->n_outages - 1];
			}
			cur->end = r[i].b;
			cur->checks += r[i].starts;
			cur->ongoing = r[i].last;
		} else {
			cur = NULL;
		}
		if (r[i].state == VSP_SPAN_PARTIAL) {
			if (!(curp && joined)) {
				if (curp && !(curp->where = mask_names(
						      pmask, vnames, n_vnames)))
					return -1;
				if (add_outage(&av->partial, &av->n_partial,
					       &r[i]))
					return -1;
				curp = &av->partial[av->n_partial - 1];
				pmask = 0;
			}
			pmask |= r[i].mask;
			curp->end = r[i].b;
			curp->checks += r[i].starts;
			curp->ongoing = r[i].last;
		} else if (curp) {
			if (!(curp->where =
				      mask_names(pmask, vnames, n_vnames)))
				return -1;
			curp = NULL;
		}
	}
	if (curp && !(curp->where = mask_names(pmask, vnames, n_vnames)))
		return -1;
	av->nodata_s = until - since - covered;
	if (av->nodata_s < 0)
		av->nodata_s = 0;
	av->availability = av->up_s + av->down_s > 0
				   ? 100.0 * av->up_s / (av->up_s + av->down_s)
				   : -1;
	return 0;
}

/* Counts, percentiles, live figures and the ttff buckets from the checks
 * of one or more series (the vantages of a combined view). */
static int from_samples(vsp_avail *av, const struct series *const *ses,
			size_t k, double since, double until)
{
	size_t n = 0;
	double *tt, *lag, *rtf, bsum[VSP_REPORT_BUCKETS] = { 0 };
	size_t bn[VSP_REPORT_BUCKETS] = { 0 };
	double width = (until - since) / VSP_REPORT_BUCKETS;

	for (size_t j = 0; j < k; j++)
		n += ses[j]->n;
	tt = malloc((n ? n : 1) * sizeof(*tt));
	lag = malloc((n ? n : 1) * sizeof(*lag));
	rtf = malloc((n ? n : 1) * sizeof(*rtf));
	if (!tt || !lag || !rtf) {
		free(tt);
		free(lag);
		free(rtf);
		return -1;
	}
	av->ttff_p50 = av->ttff_p95 = -1;
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < ses[j]->n; i++) {
			const struct sample *s = &ses[j]->s[i];

			if (s->t < since || s->t > until)
				continue;
			av->checks++;
			av->up += s->status != VSP_ST_FAIL;
			av->warn += s->status == VSP_ST_WARN;
			if (!isnan(s->ttff) && s->ttff > 0) {
				size_t b = width > 0 ? (size_t)((s->t - since) /
								width)
						     : 0;

				if (b >= VSP_REPORT_BUCKETS)
					b = VSP_REPORT_BUCKETS - 1;
				bsum[b] += s->ttff;
				bn[b]++;
				tt[av->n_ttff++] = s->ttff;
			}
			av->live_checks += (s->flags & VSP_FL_LIVE) != 0;
			av->stale_checks += (s->flags & VSP_FL_STALE) != 0;
			av->lagging_checks += (s->flags & VSP_FL_LAGGING) != 0;
			av->slow_checks += (s->flags & VSP_FL_SLOW) != 0;
			if (!isnan(s->lag))
				lag[av->n_edge_lag++] = s->lag;
			if (!isnan(s->age)) {
				if (!av->n_playlist_age ||
				    s->age > av->playlist_age_max)
					av->playlist_age_max = s->age;
				av->n_playlist_age++;
			}
			if (!isnan(s->rtf) && s->rtf > 0)
				rtf[av->n_rtf++] = s->rtf;
		}
	for (size_t b = 0; b < VSP_REPORT_BUCKETS; b++)
		av->ttff_bucket[b] = bn[b] ? bsum[b] / (double)bn[b] : -1;
	if (av->n_ttff)
		p95_p50(tt, av->n_ttff, &av->ttff_p95, &av->ttff_p50);
	if (av->n_edge_lag)
		p95_p50(lag, av->n_edge_lag, &av->edge_lag_p95,
			&av->edge_lag_p50);
	if (av->n_rtf) {
		double unused;

		av->rtf_min = rtf[0];
		for (size_t i = 1; i < av->n_rtf; i++)
			if (rtf[i] < av->rtf_min)
				av->rtf_min = rtf[i];
		p95_p50(rtf, av->n_rtf, &unused, &av->rtf_p50);
	}
	free(tt);
	free(lag);
	free(rtf);
	return 0;
}

/*
 * The combined spans of k series' spans: over each stretch where a set of
 * vantages has data, down when all of them say down, partial when some
 * do, degraded when one is degraded, else up.
 */
static struct rspan *sweep(struct rspan *const *rs, const size_t *ns, size_t k,
			   size_t *n_out)
{
	size_t nb = 0, n = 0, *pos = calloc(k ? k : 1, sizeof(*pos));
	double *bounds;
	struct rspan *out;

	*n_out = 0;
	for (size_t j = 0; j < k; j++)
		nb += 2 * ns[j];
	bounds = malloc((nb ? nb : 1) * sizeof(*bounds));
	out = malloc((nb ? nb : 1) * sizeof(*out));
	if (!pos || !bounds || !out) {
		free(pos);
		free(bounds);
		free(out);
		return NULL;
	}
	nb = 0;
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < ns[j]; i++) {
			bounds[nb++] = rs[j][i].a;
			bounds[nb++] = rs[j][i].b;
		}
	qsort(bounds, nb, sizeof(*bounds), cmp_double);
	for (size_t i = 0; i + 1 < nb; i++) {
		double x = bounds[i], y = bounds[i + 1];
		size_t have = 0, down = 0, degr = 0;
		struct rspan o = { .a = x, .b = y };

		if (!(y > x))
			continue;
		for (size_t j = 0; j < k; j++) {
			const struct rspan *sp;

			while (pos[j] < ns[j] && rs[j][pos[j]].b <= x)
				pos[j]++;
			if (pos[j] == ns[j] || rs[j][pos[j]].a > x)
				continue;
			sp = &rs[j][pos[j]];
			have++;
			if (sp->a == x)
				o.starts += sp->starts;
			if (sp->state == VSP_SPAN_DOWN) {
				down++;
				if (j < MAX_VANTAGE_BITS)
					o.mask |= 1ULL << j;
				if (!o.s || o.s->status != VSP_ST_FAIL)
					o.s = sp->s;
				o.last |= sp->last;
			} else if (sp->state == VSP_SPAN_DEGRADED) {
				degr++;
			}
			if (!o.s)
				o.s = sp->s;
		}
		if (!have)
			continue;
		o.state = down == have ? VSP_SPAN_DOWN
			  : down       ? VSP_SPAN_PARTIAL
			  : degr       ? VSP_SPAN_DEGRADED
				       : VSP_SPAN_UP;
		out[n++] = o;
	}
	free(pos);
	free(bounds);
	*n_out = n;
	return out;
}

/* The figures of one view (a vantage, or the combined one over k). */
static int view_avail(vsp_avail *av, const char *name,
		      const struct series *const *ses, size_t k,
		      double interval, const struct pacc *p,
		      char *const *vnames)
{
	struct rspan **rs = calloc(k ? k : 1, sizeof(*rs)), *all = NULL;
	size_t *ns = calloc(k ? k : 1, sizeof(*ns)), n_all = 0;
	double thumb_t = -1;
	int rv = -1;

	if (!rs || !ns || !(av->name = strdup(name)))
		goto out;
	for (size_t j = 0; j < k; j++) {
		rs[j] = make_rspans(ses[j], interval, p->since, p->until,
				    &ns[j]);
		if (!rs[j])
			goto out;
		if (ses[j]->name && ses[j]->thumb_t >= 0 &&
		    ses[j]->thumb_t >= thumb_t) {
			thumb_t = ses[j]->thumb_t;
			free(av->thumb);
			av->thumb = NULL;
			if (vsp_store_origin_text(p->store, p->name,
						  ses[j]->name, thumb_t, 1,
						  &av->thumb))
				goto out;
		}
	}
	if (k == 1) {
		all = rs[0];
		n_all = ns[0];
		rs[0] = NULL;
	} else if (!(all = sweep(rs, ns, k, &n_all))) {
		goto out;
	}
	if (from_spans(av, all, n_all, p->since, p->until, vnames, k) ||
	    from_samples(av, ses, k, p->since, p->until))
		goto out;
	rv = 0;
out:
	for (size_t j = 0; rs && j < k; j++)
		free(rs[j]);
	free(rs);
	free(ns);
	free(all);
	return rv;
}

/* Each stream outage names the origins down in it. */
static int outage_where(vsp_avail *stream, const vsp_avail *origins, size_t n)
{
	for (size_t i = 0; i < stream->n_outages; i++) {
		vsp_outage *u = &stream->outages[i];
		size_t cap = 1;
		vsp_buf b;

		for (size_t k = 0; k < n; k++)
			cap += strlen(origins[k].name) + LIST_ITEM_EXTRA;
		vsp_buf_init(&b, cap);
		for (size_t k = 0; k < n; k++) {
			const vsp_avail *o = &origins[k];
			int hit = 0;

			for (size_t j = 0; j < o->n_spans && !hit; j++)
				hit = o->spans[j].state == VSP_SPAN_DOWN &&
				      o->spans[j].start < u->end &&
				      o->spans[j].end > u->start;
			if (hit)
				list_add(&b, o->name);
		}
		u->where = vsp_buf_take(&b, NULL);
		if (!u->where)
			return -1;
	}
	return 0;
}

/* Marks the stream's checks where it played but an origin failed. */
static void mark_degraded(struct vacc *v)
{
	for (size_t k = 0; k < v->n_orig; k++)
		for (size_t i = 0; i < v->orig[k].n; i++) {
			const struct sample *o = &v->orig[k].s[i];
			size_t lo = 0, hi = v->stream.n;

			if (o->status != VSP_ST_FAIL)
				continue;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (v->stream.s[mid].t < o->t)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < v->stream.n && v->stream.s[lo].t == o->t &&
			    v->stream.s[lo].status != VSP_ST_FAIL)
				v->stream.s[lo].degraded = 1;
		}
}

static size_t count_degraded(const struct vacc *v, double since, double until)
{
	size_t n = 0;

	for (size_t i = 0; i < v->stream.n; i++)
		n += v->stream.s[i].degraded && v->stream.s[i].t >= since &&
		     v->stream.s[i].t <= until;
	return n;
}

static int cmp_vacc(const void *x, const void *y)
{
	return strcmp(((const struct vacc *)x)->name,
		      ((const struct vacc *)y)->name);
}

/* The index keeps origins' messages out of the rows a report reads: an
 * origin outage's is looked up for its first failing check. */
static int origin_messages(const struct pacc *p, vsp_avail *av)
{
	for (size_t i = 0; i < av->n_outages; i++) {
		vsp_outage *u = &av->outages[i];

		if (u->message)
			continue;
		if (vsp_store_origin_text(p->store, p->name, av->name,
					  u->first_check, 0, &u->message))
			return -1;
	}
	return 0;
}

/* One view's stream and origins over the vantages vs[0..k). */
static int build_view(const struct pacc *p, struct vacc *const *vs, size_t k,
		      double interval, const char *pname, vsp_avail *stream,
		      vsp_avail **origins, size_t *n_origins, size_t *degraded)
{
	const struct series **ses = calloc(k ? k : 1, sizeof(*ses));
	char **vnames = calloc(k ? k : 1, sizeof(*vnames));
	int rv = -1;

	if (!ses || !vnames)
		goto out;
	*degraded = 0;
	for (size_t j = 0; j < k; j++) {
		ses[j] = &vs[j]->stream;
		vnames[j] = vs[j]->name;
		*degraded += count_degraded(vs[j], p->since, p->until);
	}
	if (view_avail(stream, pname, ses, k, interval, p, vnames))
		goto out;
	*origins = calloc(p->n_on ? p->n_on : 1, sizeof(**origins));
	if (!*origins)
		goto out;
	for (size_t o = 0; o < p->n_on; o++) {
		size_t m = 0;

		for (size_t j = 0; j < k; j++)
			for (size_t i = 0; i < vs[j]->n_orig; i++)
				if (strcmp(vs[j]->orig[i].name, p->onames[o]) ==
				    0) {
					ses[m] = &vs[j]->orig[i];
					vnames[m++] = vs[j]->name;
				}
		if (!m)
			continue;
		if (view_avail(&(*origins)[*n_origins], p->onames[o], ses, m,
			       interval, p, vnames))
			goto out;
		(*n_origins)++;
		if (origin_messages(p, &(*origins)[*n_origins - 1]))
			goto out;
	}
	if (outage_where(stream, *origins, *n_origins))
		goto out;
	rv = 0;
out:
	free(ses);
	free(vnames);
	return rv;
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = 1;
	return d;
}

static vsp_outage *outages_copy(const vsp_outage *v, size_t n, int *oom)
{
	vsp_outage *c = calloc(n ? n : 1, sizeof(*c));

	if (!c) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		c[i] = v[i];
		c[i].reason = dup_or_null(v[i].reason, oom);
		c[i].message = dup_or_null(v[i].message, oom);
		c[i].where = dup_or_null(v[i].where, oom);
	}
	return c;
}

/* A deep copy: one vantage's view is the combined view. */
static int avail_copy(vsp_avail *d, const vsp_avail *a)
{
	int oom = 0;

	*d = *a;
	d->name = dup_or_null(a->name, &oom);
	d->thumb = dup_or_null(a->thumb, &oom);
	d->outages = outages_copy(a->outages, a->n_outages, &oom);
	d->partial = outages_copy(a->partial, a->n_partial, &oom);
	d->spans = malloc((a->n_spans ? a->n_spans : 1) * sizeof(*d->spans));
	if (d->spans)
		memcpy(d->spans, a->spans, a->n_spans * sizeof(*d->spans));
	/* Half a copy must still free cleanly. */
	if (!d->outages)
		d->n_outages = 0;
	if (!d->partial)
		d->n_partial = 0;
	if (!d->spans)
		d->n_spans = 0;
	return oom || !d->spans ? -1 : 0;
}

static int compute_probe(struct pacc *p, const vsp_report_target *tg,
			 vsp_report_probe *rp)
{
	struct vacc **vs = calloc(p->n_v ? p->n_v : 1, sizeof(*vs));
	double interval;
	int rv = -1;

	if (!vs || !(rp->name = strdup(p->name)))
		goto out;
	interval = tg && tg->interval_s > 0 ? tg->interval_s : median_gap(p);
	rp->interval_s = interval;
	rp->slo = tg ? tg->slo : 0;
	rp->first = -1;
	if (p->n_v)
		qsort(p->v, p->n_v, sizeof(*p->v), cmp_vacc);
	for (size_t j = 0; j < p->n_v; j++) {
		vs[j] = &p->v[j];
		mark_degraded(vs[j]);
		for (size_t i = 0; i < vs[j]->stream.n; i++) {
			double t = vs[j]->stream.s[i].t;

			if (t < p->since || t > p->until)
				continue;
			if (rp->first < 0 || t < rp->first)
				rp->first = t;
			if (t > rp->last)
				rp->last = t;
		}
	}
	if (rp->first < 0)
		rp->first = 0;
	rp->vantages = calloc(p->n_v ? p->n_v : 1, sizeof(*rp->vantages));
	if (!rp->vantages)
		goto out;
	if (build_view(p, vs, p->n_v, interval, p->name, &rp->stream,
		       &rp->origins, &rp->n_origins, &rp->degraded))
		goto out;
	if (p->n_v == 1) {
		vsp_report_view *v = &rp->vantages[0];

		rp->n_vantages = 1;
		v->degraded = rp->degraded;
		v->origins = calloc(rp->n_origins ? rp->n_origins : 1,
				    sizeof(*v->origins));
		if (!(v->name = strdup(vs[0]->name)) || !v->origins ||
		    avail_copy(&v->stream, &rp->stream))
			goto out;
		for (size_t k = 0; k < rp->n_origins; k++) {
			v->n_origins = k + 1;
			if (avail_copy(&v->origins[k], &rp->origins[k]))
				goto out;
		}
		rv = 0;
		goto out;
	}
	for (size_t j = 0; j < p->n_v; j++) {
		vsp_report_view *v = &rp->vantages[j];

		rp->n_vantages = j + 1;
		if (!(v->name = strdup(vs[j]->name)) ||
		    build_view(p, &vs[j], 1, interval, p->name, &v->stream,
			       &v->origins, &v->n_origins, &v->degraded))
			goto out;
	}
	rv = 0;
out:
	free(vs);
	return rv;
}

static void avail_clear(vsp_avail *a)
{
	free(a->name);
	for (size_t i = 0; i < a->n_outages; i++) {
		free(a->outages[i].reason);
		free(a->outages[i].message);
		free(a->outages[i].where);
	}
	free(a->outages);
	for (size_t i = 0; i < a->n_partial; i++) {
		free(a->partial[i].reason);
		free(a->partial[i].message);
		free(a->partial[i].where);
	}
	free(a->partial);
	free(a->spans);
	free(a->thumb);
}

static void view_clear(vsp_avail *stream, vsp_avail *origins, size_t n)
{
	avail_clear(stream);
	for (size_t k = 0; k < n; k++)
		avail_clear(&origins[k]);
	free(origins);
}

void vsp_report_free(vsp_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_probes; i++) {
		vsp_report_probe *p = &r->probes[i];

		free(p->name);
		view_clear(&p->stream, p->origins, p->n_origins);
		for (size_t j = 0; j < p->n_vantages; j++) {
			free(p->vantages[j].name);
			view_clear(&p->vantages[j].stream,
				   p->vantages[j].origins,
				   p->vantages[j].n_origins);
		}
		free(p->vantages);
	}
	free(r->probes);
	free(r);
}

static int cmp_probe(const void *x, const void *y)
{
	return strcmp(((const vsp_report_probe *)x)->name,
		      ((const vsp_report_probe *)y)->name);
}

static const vsp_report_target *target_of(const vsp_report_opts *o,
					  const char *name)
{
	for (size_t i = 0; i < o->n_targets; i++)
		if (strcmp(o->targets[i].name, name) == 0)
			return &o->targets[i];
	return NULL;
}

int vsp_report_from_store(vsp_store *s, const vsp_report_opts *o,
			  vsp_report **out, char *err, size_t errlen)
{
	vsp_report *r = calloc(1, sizeof(*r));
	char **names = NULL;
	size_t n_names = 0;
	int rv = -1;

	*out = NULL;
	if (!r) {
		snprintf(err, errlen, "report: out of memory");
		return -1;
	}
	r->since = o->since;
	r->until = o->until;
	if (vsp_store_probes(s, &names, &n_names, err, errlen))
		goto out;
	r->probes = calloc(n_names ? n_names : 1, sizeof(*r->probes));
	if (!r->probes)
		goto oom;
	for (size_t i = 0; i < n_names; i++) {
		const vsp_report_target *tg = target_of(o, names[i]);
		struct pacc p = { 0 };
		double back = tg && tg->interval_s > 0 ? 2 * tg->interval_s
						       : LOOKBACK_S;
		int rc;

		if (o->probe && strcmp(o->probe, names[i]) != 0)
			continue;
		p.name = names[i];
		p.store = s;
		p.since = o->since;
		p.until = o->until;
		rc = vsp_store_scan(s, o->since - back, o->until, names[i],
				    on_row, &p, err, errlen);
		if (rc || p.oom) {
			pacc_clear(&p);
			if (p.oom || rc > 0)
				goto oom;
			goto out;
		}
		/* Only looked back: no check in the window itself. */
		{
			size_t inwin = 0;

			for (size_t j = 0; j < p.n_v; j++)
				for (size_t k = 0; k < p.v[j].stream.n; k++)
					inwin += p.v[j].stream.s[k].t >=
						 o->since;
			if (!inwin) {
				pacc_clear(&p);
				continue;
			}
		}
		rc = compute_probe(&p, tg, &r->probes[r->n_probes]);
		r->n_probes++;
		if (rc == 0)
			r->records += r->probes[r->n_probes - 1].stream.checks;
		pacc_clear(&p);
		if (rc)
			goto oom;
	}
	if (r->n_probes)
		qsort(r->probes, r->n_probes, sizeof(*r->probes), cmp_probe);
	*out = r;
	r = NULL;
	rv = 0;
	goto out;
oom:
	snprintf(err, errlen, "report: out of memory");
out:
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	vsp_report_free(r);
	return rv;
}

int vsp_report_build(const char *dir, double since, double until,
		     const char *probe, vsp_report **out, char *err,
		     size_t errlen)
{
	vsp_store *s = NULL;
	vsp_store_stats st = { 0 };
	vsp_report_opts o = { since, until, probe, NULL, 0 };
	int rv = -1;

	*out = NULL;
	if (vsp_store_open(":memory:", 0, &s, err, errlen))
		return -1;
	if (vsp_store_import_dir(s, dir, NULL, 0, &st, err, errlen) == 0 &&
	    vsp_report_from_store(s, &o, out, err, errlen) == 0) {
		(*out)->files = st.files;
		(*out)->bad_lines = st.bad;
		rv = 0;
	}
	vsp_store_close(s);
	return rv;
}

/* ---- JSON ---- */

static json_t *time_json(double t)
{
	char buf[VSP_TIME_TEXT_MAX];

	vsp_time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *outages_json(const vsp_outage *v, size_t n, const char *where)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const vsp_outage *u = &v[i];
		json_t *w = json_object();

		json_object_set_new(w, "start", time_json(u->start));
		json_object_set_new(w, "end", time_json(u->end));
		json_object_set_new(w, "duration_s",
				    vsp_json_milli(u->end - u->start));
		json_object_set_new(w, "ongoing", json_boolean(u->ongoing));
		json_object_set_new(w, "checks",
				    json_integer((json_int_t)u->checks));
		json_object_set_new(w, "reason",
				    u->reason ? json_string(u->reason)
					      : json_null());
		json_object_set_new(w, "message",
				    u->message ? json_string(u->message)
					       : json_null());
		if (where)
			json_object_set_new(w, where,
					    u->where ? json_string(u->where)
						     : json_null());
		json_array_append_new(arr, w);
	}
	return arr;
}

static json_t *avail_json(const vsp_avail *a, const char *key,
			  const char *where)
{
	json_t *o = json_object();

	json_object_set_new(o, key, json_string(a->name));
	json_object_set_new(o, "checks", json_integer((json_int_t)a->checks));
	json_object_set_new(o, "available", json_integer((json_int_t)a->up));
	json_object_set_new(o, "warn", json_integer((json_int_t)a->warn));
	json_object_set_new(
		o, "availability_pct",
		vsp_json_milli_or_null(a->availability >= 0, a->availability));
	json_object_set_new(o, "up_s", vsp_json_milli(a->up_s));
	json_object_set_new(o, "degraded_s", vsp_json_milli(a->degraded_s));
	json_object_set_new(o, "down_s", vsp_json_milli(a->down_s));
	json_object_set_new(o, "partial_s", vsp_json_milli(a->partial_s));
	json_object_set_new(o, "no_data_s", vsp_json_milli(a->nodata_s));
	json_object_set_new(
		o, "ttff_p50_ms",
		vsp_json_milli_or_null(a->ttff_p50 >= 0, a->ttff_p50));
	json_object_set_new(
		o, "ttff_p95_ms",
		vsp_json_milli_or_null(a->ttff_p95 >= 0, a->ttff_p95));
	json_object_set_new(o, "live_checks",
			    json_integer((json_int_t)a->live_checks));
	json_object_set_new(
		o, "edge_lag_p50_s",
		vsp_json_milli_or_null(a->n_edge_lag > 0, a->edge_lag_p50));
	json_object_set_new(
		o, "edge_lag_p95_s",
		vsp_json_milli_or_null(a->n_edge_lag > 0, a->edge_lag_p95));
	json_object_set_new(o, "playlist_age_max_s",
			    vsp_json_milli_or_null(a->n_playlist_age > 0,
						   a->playlist_age_max));
	json_object_set_new(o, "realtime_factor_p50",
			    vsp_json_milli_or_null(a->n_rtf > 0, a->rtf_p50));
	json_object_set_new(o, "realtime_factor_min",
			    vsp_json_milli_or_null(a->n_rtf > 0, a->rtf_min));
	json_object_set_new(o, "stale_playlist_checks",
			    json_integer((json_int_t)a->stale_checks));
	json_object_set_new(o, "origin_lagging_checks",
			    json_integer((json_int_t)a->lagging_checks));
	json_object_set_new(o, "slow_download_checks",
			    json_integer((json_int_t)a->slow_checks));
	if (a->thumb)
		json_object_set_new(o, "thumbnail", json_string(a->thumb));
	json_object_set_new(o, "outages",
			    outages_json(a->outages, a->n_outages, where));
	return o;
}

static json_t *view_json(const vsp_avail *stream, const vsp_avail *origins,
			 size_t n, size_t degraded, const char *key,
			 const char *name)
{
	json_t *po = avail_json(stream, "probe", "origins");
	json_t *oa = json_array();

	if (key)
		json_object_set_new(po, key, json_string(name));
	json_object_set_new(po, "redundancy_lost_checks",
			    json_integer((json_int_t)degraded));
	for (size_t k = 0; k < n; k++)
		json_array_append_new(oa,
				      avail_json(&origins[k], "name", NULL));
	json_object_set_new(po, "origins", oa);
	return po;
}

json_t *vsp_report_json(const vsp_report *r)
{
	json_t *o = json_object(), *probes = json_array();

	if (!o || !probes) {
		json_decref(o);
		json_decref(probes);
		return NULL;
	}
	json_object_set_new(o, "since", time_json(r->since));
	json_object_set_new(o, "until", time_json(r->until));
	json_object_set_new(o, "records", json_integer((json_int_t)r->records));
	json_object_set_new(o, "bad_lines",
			    json_integer((json_int_t)r->bad_lines));
	for (size_t i = 0; i < r->n_probes; i++) {
		const vsp_report_probe *p = &r->probes[i];
		json_t *po = view_json(&p->stream, p->origins, p->n_origins,
				       p->degraded, NULL, NULL);
		json_t *va = json_array();
		double with = p->stream.up_s + p->stream.down_s;

		json_object_set_new(po, "first", time_json(p->first));
		json_object_set_new(po, "last", time_json(p->last));
		json_object_set_new(po, "interval_s",
				    vsp_json_milli(p->interval_s));
		if (p->slo > 0) {
			double budget = with * (100 - p->slo) / 100;

			json_object_set_new(po, "slo_pct", json_real(p->slo));
			json_object_set_new(po, "error_budget_s",
					    vsp_json_milli(budget));
			json_object_set_new(
				po, "error_budget_left_s",
				vsp_json_milli(budget - p->stream.down_s));
			json_object_set_new(
				po, "error_budget_left_pct",
				budget > 0
					? json_real(round(100000 *
							  (budget -
							   p->stream.down_s) /
							  budget) /
						    1000)
					: json_null());
		} else {
			json_object_set_new(po, "slo_pct", json_null());
		}
		json_object_set_new(po, "partial_outages",
				    outages_json(p->stream.partial,
						 p->stream.n_partial,
						 "vantages"));
		for (size_t j = 0; j < p->n_vantages; j++) {
			const vsp_report_view *v = &p->vantages[j];

			json_array_append_new(
				va,
				view_json(&v->stream, v->origins, v->n_origins,
					  v->degraded, "vantage", v->name));
		}
		json_object_set_new(po, "vantages", va);
		json_array_append_new(probes, po);
	}
	json_object_set_new(o, "probes", probes);
	return o;
}
