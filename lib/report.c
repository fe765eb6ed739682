/*
 * report.c - availability, time to first frame and outage windows from the
 * record files (definitions in report.h).
 *
 * Only what the report needs is kept from each record (a record holds the
 * whole result tree; a week of them is large). Records are sorted by time
 * before outages are cut: concurrent runs append in the order checks end,
 * not the order they started. Lines that are not records are counted and
 * skipped, never fatal: one damaged line must not hide a month of data.
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"

#define DAY_S	       86400.0
#define DURATION_MAX_S (10.0 * 365 * DAY_S)

/* Live and delivery facts of one origin (or the stream) in one check. */
struct livefacts {
	int live;
	int has_lag, has_age;
	double lag, age;	  /* s */
	double rtf;		  /* 0 none */
	int stale, lagging, slow; /* the reason was seen */
};

/* One origin in one check. */
struct osample {
	const char *name; /* borrowed from the probe's origin list */
	int fail, warn;
	double ttff; /* -1 none */
	char *reason, *message;
	struct livefacts lf;
};

/* One check. */
struct sample {
	double t;
	int fail, warn;
	double ttff;
	char *reason, *message;
	struct osample *o;
	size_t n_o;
	struct livefacts lf;
};

struct pacc {
	char *name;
	struct sample *s;
	size_t n, cap;
	char **onames;
	size_t n_onames;
};

struct acc {
	struct pacc *p;
	size_t n, cap;
	size_t records, bad, files;
};

/* Parses n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

int vsp_time_parse(const char *s, double *unix_s)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	double frac = 0, scale = 0.1;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || (*s != 'T' && *s != 't'))
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &se))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if ((*s != 'Z' && *s != 'z') || s[1])
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*unix_s = (double)t + frac;
	return 0;
}

int vsp_duration_parse(const char *s, double *seconds)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = DAY_S;
			break;
		case 'w':
			mul = 7 * DAY_S;
			break;
		default:
			return -1;
		}
		if (end[1])
			return -1;
	}
	v *= mul;
	if (!(v > 0 && v <= DURATION_MAX_S))
		return -1;
	*seconds = v;
	return 0;
}

static char *dup_str(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* Best (lowest) ttff_ms of an origin's renditions; -1 when none. */
static double origin_ttff(const json_t *o)
{
	const json_t *r;
	size_t i;
	double best = -1;

	json_array_foreach(json_object_get(o, "renditions"), i, r)
	{
		const json_t *t = json_object_get(r, "ttff_ms");

		if (json_is_number(t) && json_number_value(t) > 0 &&
		    (best < 0 || json_number_value(t) < best))
			best = json_number_value(t);
	}
	return best;
}

/* Marks the live reasons a verdict's "reason" names. */
static void note_reason(struct livefacts *f, const json_t *reason)
{
	const char *r = json_string_value(reason);

	if (!r)
		return;
	if (strcmp(r, "stale_playlist") == 0)
		f->stale = 1;
	else if (strcmp(r, "origin_lagging") == 0)
		f->lagging = 1;
	else if (strcmp(r, "slow_download") == 0)
		f->slow = 1;
}

/* An origin's facts: the largest lag and age of its renditions, the
 * smallest real-time factor, the live reasons of it and its renditions. */
static struct livefacts origin_live(const json_t *o)
{
	struct livefacts f = { 0 };
	const json_t *r;
	size_t i;

	f.live = json_is_true(json_object_get(o, "live"));
	note_reason(&f, json_object_get(o, "reason"));
	json_array_foreach(json_object_get(o, "renditions"), i, r)
	{
		const json_t *lc = json_object_get(r, "live_check");
		const json_t *rtf = json_object_get(r, "realtime_factor");
		const json_t *v;

		note_reason(&f, json_object_get(r, "reason"));
		if (json_is_number(rtf) && json_number_value(rtf) > 0 &&
		    (f.rtf == 0 || json_number_value(rtf) < f.rtf))
			f.rtf = json_number_value(rtf);
		if (!json_is_object(lc))
			continue;
		f.live = 1;
		v = json_object_get(lc, "live_edge_lag_s");
		if (json_is_number(v) &&
		    (!f.has_lag || json_number_value(v) > f.lag)) {
			f.lag = json_number_value(v);
			f.has_lag = 1;
		}
		v = json_object_get(lc, "playlist_age_s");
		if (json_is_number(v) &&
		    (!f.has_age || json_number_value(v) > f.age)) {
			f.age = json_number_value(v);
			f.has_age = 1;
		}
	}
	return f;
}

/* Adds an origin's facts to the stream's: the best of its origins for
 * the figures, any origin for the reasons. */
static void stream_live(struct livefacts *s, const struct livefacts *o)
{
	s->live |= o->live;
	s->stale |= o->stale;
	s->lagging |= o->lagging;
	s->slow |= o->slow;
	if (o->has_lag && (!s->has_lag || o->lag < s->lag)) {
		s->lag = o->lag;
		s->has_lag = 1;
	}
	if (o->has_age && (!s->has_age || o->age < s->age)) {
		s->age = o->age;
		s->has_age = 1;
	}
	if (o->rtf > s->rtf)
		s->rtf = o->rtf;
}

static struct pacc *find_probe(struct acc *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->p[i].name, name) == 0)
			return &a->p[i];
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 8;
		struct pacc *np = realloc(a->p, nc * sizeof(*np));

		if (!np)
			return NULL;
		a->p = np;
		a->cap = nc;
	}
	memset(&a->p[a->n], 0, sizeof(a->p[0]));
	a->p[a->n].name = strdup(name);
	if (!a->p[a->n].name)
		return NULL;
	return &a->p[a->n++];
}

static const char *intern_origin(struct pacc *p, const char *name)
{
	char **nn;

	for (size_t i = 0; i < p->n_onames; i++)
		if (strcmp(p->onames[i], name) == 0)
			return p->onames[i];
	nn = realloc(p->onames, (p->n_onames + 1) * sizeof(*nn));
	if (!nn)
		return NULL;
	p->onames = nn;
	nn[p->n_onames] = strdup(name);
	return nn[p->n_onames] ? nn[p->n_onames++] : NULL;
}

static void sample_clear(struct sample *s)
{
	free(s->reason);
	free(s->message);
	for (size_t i = 0; i < s->n_o; i++) {
		free(s->o[i].reason);
		free(s->o[i].message);
	}
	free(s->o);
}

/* 1 added, 0 skipped (outside the window or another probe), -1 not a
 * record, -2 out of memory. */
static int add_record(struct acc *a, const json_t *rec, double since,
		      double until, const char *only)
{
	const json_t *st = json_object_get(rec, "status");
	const json_t *pr = json_object_get(rec, "probe");
	const json_t *tm = json_object_get(rec, "time");
	const json_t *origins = json_object_get(rec, "origins"), *o;
	struct sample s;
	struct pacc *p;
	size_t i;
	double t;

	if (!json_is_object(rec) || !json_is_string(st) ||
	    !json_is_string(pr) || !json_is_string(tm) ||
	    vsp_time_parse(json_string_value(tm), &t))
		return -1;
	if (t < since || t > until ||
	    (only && strcmp(only, json_string_value(pr)) != 0))
		return 0;
	p = find_probe(a, json_string_value(pr));
	if (!p)
		return -2;
	memset(&s, 0, sizeof(s));
	s.t = t;
	s.fail = strcmp(json_string_value(st), "fail") == 0;
	s.warn = strcmp(json_string_value(st), "warn") == 0;
	s.reason = dup_str(json_object_get(rec, "reason"));
	s.message = dup_str(json_object_get(rec, "message"));
	s.ttff = -1;
	note_reason(&s.lf, json_object_get(rec, "reason"));
	if (json_is_array(origins) && json_array_size(origins)) {
		s.o = calloc(json_array_size(origins), sizeof(*s.o));
		if (!s.o)
			goto oom;
	}
	json_array_foreach(origins, i, o)
	{
		const json_t *nm = json_object_get(o, "name");
		const json_t *ost = json_object_get(o, "status");
		struct osample *os = &s.o[s.n_o];

		if (!json_is_string(nm) || !json_is_string(ost))
			continue;
		os->name = intern_origin(p, json_string_value(nm));
		if (!os->name)
			goto oom;
		os->fail = strcmp(json_string_value(ost), "fail") == 0;
		os->warn = strcmp(json_string_value(ost), "warn") == 0;
		os->ttff = origin_ttff(o);
		os->reason = dup_str(json_object_get(o, "reason"));
		os->message = dup_str(json_object_get(o, "message"));
		os->lf = origin_live(o);
		stream_live(&s.lf, &os->lf);
		s.n_o++;
		if (os->ttff > 0 && (s.ttff < 0 || os->ttff < s.ttff))
			s.ttff = os->ttff;
	}
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct sample *ns = realloc(p->s, nc * sizeof(*ns));

		if (!ns)
			goto oom;
		p->s = ns;
		p->cap = nc;
	}
	p->s[p->n++] = s;
	return 1;
oom:
	sample_clear(&s);
	return -2;
}

/* 1 when a file named YYYY-MM-DD.jsonl can hold checks in the window. */
static int file_in_window(const char *name, double since, double until)
{
	char iso[32];
	double day;

	if (strlen(name) != 16 || strcmp(name + 10, ".jsonl") != 0)
		return 0;
	snprintf(iso, sizeof(iso), "%.10sT00:00:00Z", name);
	if (vsp_time_parse(iso, &day))
		return 0;
	return day + DAY_S > since && day <= until;
}

static int read_file(struct acc *a, const char *path, double since,
		     double until, const char *only, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rv = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	a->files++;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *rec;
		int rc;

		if (n > VSP_RECORD_MAX_BYTES) {
			a->bad++;
			continue;
		}
		rec = json_loadb(line, (size_t)n, 0, NULL);
		rc = rec ? add_record(a, rec, since, until, only) : -1;
		json_decref(rec);
		if (rc == -2) {
			snprintf(err, errlen, "%s: out of memory", path);
			rv = -1;
			break;
		}
		if (rc == -1)
			a->bad++;
		else if (rc == 1)
			a->records++;
	}
	if (rv == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rv = -1;
	}
	free(line);
	fclose(f);
	return rv;
}

static int cmp_sample(const void *x, const void *y)
{
	const struct sample *a = x, *b = y;

	return (a->t > b->t) - (a->t < b->t);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static int cmp_probe(const void *x, const void *y)
{
	return strcmp(((const vsp_report_probe *)x)->name,
		      ((const vsp_report_probe *)y)->name);
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

/* A series' view of one check: present, failed, warned, ttff, reason,
 * live facts. */
struct point {
	int present, fail, warn;
	double t, ttff;
	const char *reason, *message;
	const struct livefacts *lf;
};

/* The live figures of a series (see report.h). */
static int live_series(vsp_avail *out, const struct point *pts, size_t n)
{
	double *lag = malloc((n ? n : 1) * sizeof(*lag));
	double *rtf = malloc((n ? n : 1) * sizeof(*rtf));

	if (!lag || !rtf) {
		free(lag);
		free(rtf);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct livefacts *f = pts[i].lf;

		if (!pts[i].present || !f)
			continue;
		out->live_checks += f->live != 0;
		out->stale_checks += f->stale != 0;
		out->lagging_checks += f->lagging != 0;
		out->slow_checks += f->slow != 0;
		if (f->has_lag)
			lag[out->n_edge_lag++] = f->lag;
		if (f->has_age) {
			if (!out->n_playlist_age ||
			    f->age > out->playlist_age_max)
				out->playlist_age_max = f->age;
			out->n_playlist_age++;
		}
		if (f->rtf > 0)
			rtf[out->n_rtf++] = f->rtf;
	}
	if (out->n_edge_lag) {
		qsort(lag, out->n_edge_lag, sizeof(*lag), cmp_double);
		out->edge_lag_p50 = percentile(lag, out->n_edge_lag, 50);
		out->edge_lag_p95 = percentile(lag, out->n_edge_lag, 95);
	}
	if (out->n_rtf) {
		qsort(rtf, out->n_rtf, sizeof(*rtf), cmp_double);
		out->rtf_p50 = percentile(rtf, out->n_rtf, 50);
		out->rtf_min = rtf[0];
	}
	free(lag);
	free(rtf);
	return 0;
}

static int series(vsp_avail *out, const struct point *pts, size_t n)
{
	double *tt = malloc((n ? n : 1) * sizeof(*tt));
	vsp_outage *cur = NULL;
	double last_fail = 0;

	if (!tt || live_series(out, pts, n)) {
		free(tt);
		return -1;
	}
	out->ttff_p50 = out->ttff_p95 = -1;
	for (size_t i = 0; i < n; i++) {
		const struct point *pt = &pts[i];

		if (!pt->present)
			continue;
		out->checks++;
		if (!pt->fail)
			out->up++;
		if (pt->warn)
			out->warn++;
		if (pt->ttff > 0)
			tt[out->n_ttff++] = pt->ttff;
		if (pt->fail && !cur) {
			vsp_outage *no =
				realloc(out->outages,
					(out->n_outages + 1) * sizeof(*no));

			if (!no) {
				free(tt);
				return -1;
			}
			out->outages = no;
			cur = &no[out->n_outages++];
			memset(cur, 0, sizeof(*cur));
			cur->start = pt->t;
			cur->reason = pt->reason ? strdup(pt->reason) : NULL;
			cur->message = pt->message ? strdup(pt->message) : NULL;
		}
		if (pt->fail) {
			cur->checks++;
			last_fail = pt->t;
		} else if (cur) {
			cur->end = pt->t;
			out->down_s += cur->end - cur->start;
			cur = NULL;
		}
	}
	if (cur) {
		cur->end = last_fail;
		cur->ongoing = 1;
		out->down_s += cur->end - cur->start;
	}
	if (out->n_ttff) {
		qsort(tt, out->n_ttff, sizeof(*tt), cmp_double);
		out->ttff_p50 = percentile(tt, out->n_ttff, 50);
		out->ttff_p95 = percentile(tt, out->n_ttff, 95);
	}
	free(tt);
	return 0;
}

static int compute_probe(struct pacc *pa, vsp_report_probe *rp)
{
	struct point *pts = calloc(pa->n ? pa->n : 1, sizeof(*pts));

	if (!pts)
		return -1;
	qsort(pa->s, pa->n, sizeof(*pa->s), cmp_sample);
	rp->name = strdup(pa->name);
	rp->stream.name = strdup(pa->name);
	if (!rp->name || !rp->stream.name)
		goto fail;
	if (pa->n) {
		rp->first = pa->s[0].t;
		rp->last = pa->s[pa->n - 1].t;
	}
	for (size_t i = 0; i < pa->n; i++) {
		const struct sample *s = &pa->s[i];
		int origin_down = 0;

		pts[i] = (struct point){ .present = 1,
					 .fail = s->fail,
					 .warn = s->warn,
					 .t = s->t,
					 .ttff = s->ttff,
					 .reason = s->reason,
					 .message = s->message,
					 .lf = &s->lf };
		for (size_t k = 0; k < s->n_o; k++)
			origin_down |= s->o[k].fail;
		if (!s->fail && origin_down)
			rp->degraded++;
	}
	if (series(&rp->stream, pts, pa->n))
		goto fail;
	rp->origins =
		calloc(pa->n_onames ? pa->n_onames : 1, sizeof(*rp->origins));
	if (!rp->origins)
		goto fail;
	for (size_t k = 0; k < pa->n_onames; k++) {
		vsp_avail *av = &rp->origins[k];

		rp->n_origins = k + 1;
		av->name = strdup(pa->onames[k]);
		if (!av->name)
			goto fail;
		for (size_t i = 0; i < pa->n; i++) {
			const struct sample *s = &pa->s[i];

			pts[i] = (struct point){ 0 };
			for (size_t j = 0; j < s->n_o; j++) {
				const struct osample *os = &s->o[j];

				if (os->name != pa->onames[k])
					continue;
				pts[i] = (struct point){ .present = 1,
							 .fail = os->fail,
							 .warn = os->warn,
							 .t = s->t,
							 .ttff = os->ttff,
							 .reason = os->reason,
							 .message = os->message,
							 .lf = &os->lf };
			}
		}
		if (series(av, pts, pa->n))
			goto fail;
	}
	free(pts);
	return 0;
fail:
	free(pts);
	return -1;
}

static void avail_clear(vsp_avail *a)
{
	free(a->name);
	for (size_t i = 0; i < a->n_outages; i++) {
		free(a->outages[i].reason);
		free(a->outages[i].message);
	}
	free(a->outages);
}

void vsp_report_free(vsp_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_probes; i++) {
		vsp_report_probe *p = &r->probes[i];

		free(p->name);
		avail_clear(&p->stream);
		for (size_t k = 0; k < p->n_origins; k++)
			avail_clear(&p->origins[k]);
		free(p->origins);
	}
	free(r->probes);
	free(r);
}

static void acc_clear(struct acc *a)
{
	for (size_t i = 0; i < a->n; i++) {
		for (size_t k = 0; k < a->p[i].n; k++)
			sample_clear(&a->p[i].s[k]);
		free(a->p[i].s);
		for (size_t k = 0; k < a->p[i].n_onames; k++)
			free(a->p[i].onames[k]);
		free(a->p[i].onames);
		free(a->p[i].name);
	}
	free(a->p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vsp_report_build(const char *dir, double since, double until,
		     const char *probe, vsp_report **out, char *err,
		     size_t errlen)
{
	struct acc a = { 0 };
	vsp_report *r = NULL;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n_names = 0;
	int rv = -1;

	*out = NULL;
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "results folder %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (!file_in_window(de->d_name, since, until))
			continue;
		nn = realloc(names, (n_names + 1) * sizeof(*nn));
		if (!nn)
			goto oom;
		names = nn;
		if (!(names[n_names] = strdup(de->d_name)))
			goto oom;
		n_names++;
	}
	if (n_names)
		qsort(names, n_names, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n_names; i++) {
		char path[4200];
		size_t dl = strlen(dir);

		snprintf(path, sizeof(path), "%s%s%s", dir,
			 dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		if (read_file(&a, path, since, until, probe, err, errlen))
			goto out;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto oom;
	r->since = since;
	r->until = until;
	r->records = a.records;
	r->bad_lines = a.bad;
	r->files = a.files;
	r->probes = calloc(a.n ? a.n : 1, sizeof(*r->probes));
	if (!r->probes)
		goto oom;
	for (size_t i = 0; i < a.n; i++) {
		r->n_probes = i + 1;
		if (compute_probe(&a.p[i], &r->probes[i]))
			goto oom;
	}
	if (r->n_probes)
		qsort(r->probes, r->n_probes, sizeof(*r->probes), cmp_probe);
	*out = r;
	r = NULL;
	rv = 0;
	goto out;
oom:
	snprintf(err, errlen, "results folder %s: out of memory", dir);
out:
	closedir(d);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	acc_clear(&a);
	vsp_report_free(r);
	return rv;
}

/* ---- JSON ---- */

static json_t *time_json(double t)
{
	char buf[40];
	time_t s = (time_t)floor(t);
	struct tm tm;
	int ms = (int)((t - floor(t)) * 1000);

	if (ms > 999)
		ms = 999;
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03dZ", ms);
	return json_string(buf);
}

static json_t *num_or_null(double v)
{
	return v >= 0 ? json_real(round(v * 1000) / 1000) : json_null();
}

/* A figure that may be negative: null when no check had it. */
static json_t *fig_or_null(size_t n, double v)
{
	return n ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *avail_json(const vsp_avail *a, const char *key)
{
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, key, json_string(a->name));
	json_object_set_new(o, "checks", json_integer((json_int_t)a->checks));
	json_object_set_new(o, "available", json_integer((json_int_t)a->up));
	json_object_set_new(o, "warn", json_integer((json_int_t)a->warn));
	json_object_set_new(o, "availability_pct",
			    a->checks
				    ? json_real(round(100000.0 * (double)a->up /
						      (double)a->checks) /
						1000)
				    : json_null());
	json_object_set_new(o, "ttff_p50_ms", num_or_null(a->ttff_p50));
	json_object_set_new(o, "ttff_p95_ms", num_or_null(a->ttff_p95));
	json_object_set_new(o, "down_s",
			    json_real(round(a->down_s * 1000) / 1000));
	json_object_set_new(o, "live_checks",
			    json_integer((json_int_t)a->live_checks));
	json_object_set_new(o, "edge_lag_p50_s",
			    fig_or_null(a->n_edge_lag, a->edge_lag_p50));
	json_object_set_new(o, "edge_lag_p95_s",
			    fig_or_null(a->n_edge_lag, a->edge_lag_p95));
	json_object_set_new(
		o, "playlist_age_max_s",
		fig_or_null(a->n_playlist_age, a->playlist_age_max));
	json_object_set_new(o, "realtime_factor_p50",
			    fig_or_null(a->n_rtf, a->rtf_p50));
	json_object_set_new(o, "realtime_factor_min",
			    fig_or_null(a->n_rtf, a->rtf_min));
	json_object_set_new(o, "stale_playlist_checks",
			    json_integer((json_int_t)a->stale_checks));
	json_object_set_new(o, "origin_lagging_checks",
			    json_integer((json_int_t)a->lagging_checks));
	json_object_set_new(o, "slow_download_checks",
			    json_integer((json_int_t)a->slow_checks));
	for (size_t i = 0; i < a->n_outages; i++) {
		const vsp_outage *u = &a->outages[i];
		json_t *w = json_object();

		json_object_set_new(w, "start", time_json(u->start));
		json_object_set_new(w, "end", time_json(u->end));
		json_object_set_new(
			w, "duration_s",
			json_real(round((u->end - u->start) * 1000) / 1000));
		json_object_set_new(w, "ongoing", json_boolean(u->ongoing));
		json_object_set_new(w, "checks",
				    json_integer((json_int_t)u->checks));
		json_object_set_new(w, "reason",
				    u->reason ? json_string(u->reason)
					      : json_null());
		json_object_set_new(w, "message",
				    u->message ? json_string(u->message)
					       : json_null());
		json_array_append_new(arr, w);
	}
	json_object_set_new(o, "outages", arr);
	return o;
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
		json_t *po = avail_json(&p->stream, "probe");
		json_t *oa = json_array();

		json_object_set_new(po, "first", time_json(p->first));
		json_object_set_new(po, "last", time_json(p->last));
		json_object_set_new(po, "redundancy_lost_checks",
				    json_integer((json_int_t)p->degraded));
		for (size_t k = 0; k < p->n_origins; k++)
			json_array_append_new(
				oa, avail_json(&p->origins[k], "name"));
		json_object_set_new(po, "origins", oa);
		json_array_append_new(probes, po);
	}
	json_object_set_new(o, "probes", probes);
	return o;
}
