/*
 * nagios.c - the plugin output of one result tree (status line, long
 * output, perfdata) and the plugin's state for it, by the Monitoring
 * Plugins Development Guidelines; the rules themselves (states, ranges,
 * perfdata syntax) are plugin.c's.
 *
 * Builds strings only: it never prints, never exits and never looks at the
 * clock. What the consumers accept decides the details: Icinga 2 (2.13)
 * ignores a perfdata value of U or with a decimal comma and drops unknown
 * units, and Nagios takes a '|' anywhere in the output as the start of
 * perfdata, so numbers always use a point, metrics without a value are left
 * out, and every '|' in a message is replaced.
 */
#include "nagios.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a capped growing buffer ---- */

typedef struct dbuf {
	char *p;
	size_t len, cap;
	size_t max; /* bytes the text may reach */
	int oom, full;
} dbuf;

static void db_add(dbuf *b, const char *s, size_t n)
{
	if (b->oom || b->full)
		return;
	if (b->len + n > b->max) {
		b->full = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void db_printf(dbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void db_printf(dbuf *b, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = (int)sizeof(tmp) - 1;
	db_add(b, tmp, (size_t)n);
}

/* Text from the tree (names, URLs, messages) is the origin's: a '|' would
 * start perfdata and a newline a new output line. */
static void db_clean(dbuf *b, const char *s)
{
	char tmp[1024];
	size_t k = 0;

	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '|')
			c = '/';
		else if (c < 0x20 || c == 0x7f)
			c = ' ';
		tmp[k++] = (char)c;
		if (k == sizeof(tmp)) {
			db_add(b, tmp, k);
			k = 0;
		}
	}
	db_add(b, tmp, k);
}

/* ---- facts taken from the tree ---- */

static const char *upper(vsp_status s)
{
	return vsp_nagios_state_name(vsp_nagios_from_status(s));
}

/* The rendition whose numbers are the origin's: the one with its time to
 * first frame (vsp_origin_figures), NULL when it has none. */
static const vsp_rendition_result *best_rendition(const vsp_origin_result *o)
{
	if (!o->fig.has_ttff || o->fig.best >= o->n_renditions)
		return NULL;
	return &o->renditions[o->fig.best];
}

/* The rendition whose verdict the origin reports. */
static const vsp_rendition_result *blamed_rendition(const vsp_origin_result *o)
{
	for (size_t i = 0; i < o->n_renditions; i++) {
		const vsp_rendition_result *r = &o->renditions[i];

		if (r->v.status == o->v.status && r->v.reason == o->v.reason &&
		    r->v.stage == o->v.stage)
			return r;
	}
	for (size_t i = 0; i < o->n_renditions; i++)
		if (o->renditions[i].v.status != VSP_PASS)
			return &o->renditions[i];
	return NULL;
}

static const vsp_http_step *stage_step(const vsp_origin_result *o,
				       const vsp_rendition_result *r,
				       vsp_stage stage)
{
	switch (stage) {
	case VSP_STAGE_MANIFEST:
		return &o->manifest;
	case VSP_STAGE_PLAYLIST:
		return r ? &r->playlist : NULL;
	case VSP_STAGE_KEY:
		return r ? &r->key : NULL;
	case VSP_STAGE_INIT:
		return r ? &r->init : NULL;
	case VSP_STAGE_SEGMENT:
		return r ? &r->segment : NULL;
	default:
		return NULL;
	}
}

/* "segment HTTP 503", "manifest: connection failed": short enough for a
 * pager; the full message with the URL is in the long output at -v. */
static void verdict_short(const vsp_origin_result *o,
			  const vsp_rendition_result *r, const vsp_verdict *v,
			  char *buf, size_t len)
{
	const vsp_http_step *st = stage_step(o, r, v->stage);
	const char *stage = vsp_stage_name(v->stage);

	if (v->reason == VSP_R_HTTP_STATUS && st && st->http_status)
		snprintf(buf, len, "%s HTTP %ld", *stage ? stage : "HTTP",
			 st->http_status);
	else if (*stage)
		snprintf(buf, len, "%s: %s", stage, vsp_reason_text(v->reason));
	else
		snprintf(buf, len, "%s", vsp_reason_text(v->reason));
}

static void origin_short(const vsp_origin_result *o, char *buf, size_t len)
{
	const vsp_rendition_result *r = NULL;
	char why[160];
	size_t failed = 0;

	if (o->v.stage != VSP_STAGE_MANIFEST)
		r = blamed_rendition(o);
	verdict_short(o, r, r ? &r->v : &o->v, why, sizeof(why));
	for (size_t i = 0; i < o->n_renditions; i++)
		if (o->renditions[i].v.status == VSP_FAIL)
			failed++;
	if (o->v.status == VSP_WARN && failed && r)
		snprintf(buf, len, "%zu of %zu renditions fail (%s %s)", failed,
			 o->n_renditions, r->name ? r->name : "?", why);
	else if (o->v.status == VSP_WARN && r && o->n_renditions > 1)
		snprintf(buf, len, "%s %s", r->name ? r->name : "?", why);
	else
		snprintf(buf, len, "%s", why);
}

/* ---- thresholds ---- */

/* The threshold state of one origin: CRITICAL outside -c, WARNING outside
 * -w, OK otherwise (also when it has no first frame: its failure is
 * already in the verdict). */
static vsp_nagios_state origin_threshold(const vsp_origin_result *o,
					 const vsp_nagios_opts *opts,
					 double *ttff_s)
{
	*ttff_s = o->fig.has_ttff ? o->fig.ttff_ms / 1000.0 : NAN;
	if (!o->fig.has_ttff || !opts)
		return VSP_NAGIOS_OK;
	if (opts->crit && vsp_range_alert(opts->crit, *ttff_s))
		return VSP_NAGIOS_CRITICAL;
	if (opts->warn && vsp_range_alert(opts->warn, *ttff_s))
		return VSP_NAGIOS_WARNING;
	return VSP_NAGIOS_OK;
}

/* A live threshold that an origin's figure breaks. */
typedef struct live_alert {
	vsp_nagios_state state;
	const char *what;   /* "edge lag", "playlist age" */
	const char *option; /* "--lag-critical", ... */
	const vsp_range *range;
	double value;
} live_alert;

/* The worst of the origin's live-edge lag and playlist age against their
 * ranges; state OK when none is broken (or the origin is not live). */
static live_alert origin_live_threshold(const vsp_origin_result *o,
					const vsp_nagios_opts *opts)
{
	live_alert a = { VSP_NAGIOS_OK, NULL, NULL, NULL, 0 };
	const struct {
		const char *what, *cname, *wname;
		const vsp_range *c, *w;
	} t[2] = {
		{ "edge lag", "--lag-critical", "--lag-warning",
		  opts ? opts->lag_crit : NULL, opts ? opts->lag_warn : NULL },
		{ "playlist age", "--age-critical", "--age-warning",
		  opts ? opts->age_crit : NULL, opts ? opts->age_warn : NULL },
	};
	const vsp_origin_figures *f = &o->fig;
	const int has[2] = { f->has_edge_lag, f->has_playlist_age };
	const double v[2] = { f->edge_lag_s, f->playlist_age_s };

	if (!opts)
		return a;
	for (int i = 0; i < 2; i++) {
		if (!has[i])
			continue;
		if (t[i].c && vsp_range_alert(t[i].c, v[i])) {
			a = (live_alert){ VSP_NAGIOS_CRITICAL, t[i].what,
					  t[i].cname, t[i].c, v[i] };
			return a;
		}
		if (a.state == VSP_NAGIOS_OK && t[i].w &&
		    vsp_range_alert(t[i].w, v[i]))
			a = (live_alert){ VSP_NAGIOS_WARNING, t[i].what,
					  t[i].wname, t[i].w, v[i] };
	}
	return a;
}

vsp_nagios_state vsp_nagios_judge(const vsp_stream_result *s,
				  const vsp_nagios_opts *o)
{
	vsp_nagios_state st = vsp_nagios_from_status(s->v.status);
	double t;

	for (size_t i = 0; i < s->n_origins; i++) {
		st = vsp_nagios_worst(st,
				      origin_threshold(&s->origins[i], o, &t));
		st = vsp_nagios_worst(
			st, origin_live_threshold(&s->origins[i], o).state);
	}
	return st;
}

/* ---- labels ---- */

/* Metric names of an origin, in perfdata order. */
enum {
	M_TTFF,
	M_MANIFEST,
	M_PLAYLIST,
	M_SEGMENT,
	M_SPEED,
	M_PLAYABLE,
	M_EDGE_LAG,
	M_PL_AGE,
	M_RTF,
	M_COUNT
};
static const char *const metric_names[M_COUNT] = {
	"ttff",	    "manifest", "playlist", "segment", "seg_Bps",
	"playable", "edge_lag", "pl_age",   "rtf",
};
/* Longest of metric_names plus the '_' after it. */
#define METRIC_PREFIX_MAX 9

/* FNV-1a: a label's hash must be the same in every version and on every
 * machine, or graphs would break on upgrade. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* "ttff_cdn-a", or "ttff_3fa2c1_127.0.0.1:8080" for a name too long to
 * keep labels apart in VSP_PERF_LABEL_UNIQUE characters (nagios.h): from
 * the origin's name alone, never from its place among the others. */
static void metric_label(const vsp_stream_result *s, size_t i, int metric,
			 char *buf, size_t len)
{
	const char *name = s->origins[i].name ? s->origins[i].name : "";

	if (strlen(name) + METRIC_PREFIX_MAX <= VSP_PERF_LABEL_UNIQUE)
		snprintf(buf, len, "%s_%s", metric_names[metric], name);
	else
		snprintf(buf, len, "%s_%06x_%s", metric_names[metric],
			 (unsigned)(name_hash(name) & 0xffffffu), name);
}

static void db_perf(dbuf *b, const vsp_perf *p)
{
	char tmp[1024];
	int n = vsp_perf_format(p, tmp, sizeof(tmp));

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return; /* a label this long is not worth a broken metric */
	db_add(b, " ", 1);
	db_add(b, tmp, (size_t)n);
}

/* Where an origin's metric goes: label it, and write it known. */
struct metric_out {
	dbuf *b;
	const vsp_stream_result *s;
	size_t origin;
};

/* One measured metric of the origin. min is 0 when has_min; thresholds
 * from th's warn and crit (time to first frame) or from w and c. */
static void put_metric_th(const struct metric_out *m, int metric, double value,
			  const char *uom, int has_min, const vsp_range *w,
			  const vsp_range *c);

static void put_metric(const struct metric_out *m, int metric, double value,
		       const char *uom, int has_min, const vsp_nagios_opts *th)
{
	put_metric_th(m, metric, value, uom, has_min, th ? th->warn : NULL,
		      th ? th->crit : NULL);
}

static void put_metric_th(const struct metric_out *m, int metric, double value,
			  const char *uom, int has_min, const vsp_range *w,
			  const vsp_range *c)
{
	char label[256];
	vsp_perf p;

	memset(&p, 0, sizeof(p));
	metric_label(m->s, m->origin, metric, label, sizeof(label));
	p.label = label;
	p.known = 1;
	p.value = value;
	p.uom = uom;
	p.has_min = has_min;
	p.warn = w;
	p.crit = c;
	db_perf(m->b, &p);
}

/* Live-edge lag (s; no min: an encoder clock ahead of ours makes it
 * negative), playlist age (s) and real-time factor (a plain number), each
 * only when a rendition has it. */
static void origin_live_perfdata(const struct metric_out *m,
				 const vsp_nagios_opts *o)
{
	const vsp_origin_figures *f = &m->s->origins[m->origin].fig;

	if (f->has_edge_lag)
		put_metric_th(m, M_EDGE_LAG, f->edge_lag_s, "s", 0,
			      o ? o->lag_warn : NULL, o ? o->lag_crit : NULL);
	if (f->has_playlist_age)
		put_metric_th(m, M_PL_AGE, f->playlist_age_s, "s", 1,
			      o ? o->age_warn : NULL, o ? o->age_crit : NULL);
	if (f->has_rtf)
		put_metric(m, M_RTF, f->rtf, "", 1, NULL);
}

static void origin_perfdata(dbuf *b, const vsp_stream_result *s, size_t i,
			    const vsp_nagios_opts *opts)
{
	const struct metric_out m = { b, s, i };
	const vsp_origin_result *o = &s->origins[i];
	const vsp_rendition_result *best = best_rendition(o);
	char label[256];
	vsp_perf p;

	if (best)
		put_metric(&m, M_TTFF, o->fig.ttff_ms / 1000.0, "s", 1, opts);
	if (o->manifest.done && o->manifest.http_status)
		put_metric(&m, M_MANIFEST, o->manifest.total_ms / 1000.0, "s",
			   1, NULL);
	if (best && best->playlist.done && best->playlist.http_status)
		put_metric(&m, M_PLAYLIST, best->playlist.total_ms / 1000.0,
			   "s", 1, NULL);
	if (best && best->segment.done && best->segment.http_status) {
		put_metric(&m, M_SEGMENT, best->segment.total_ms / 1000.0, "s",
			   1, NULL);
		/* Bytes per second has no UOM in the guidelines (and Icinga 2
		 * drops unknown units): a plain number whose label says the
		 * unit. */
		if (best->segment.total_ms > 0)
			put_metric(&m, M_SPEED,
				   (double)best->segment.bytes /
					   (best->segment.total_ms / 1000.0),
				   "", 1, NULL);
	}
	memset(&p, 0, sizeof(p));
	metric_label(s, i, M_PLAYABLE, label, sizeof(label));
	p.label = label;
	p.known = 1;
	p.value = (double)o->n_playable;
	p.has_min = 1;
	if (o->n_renditions > 0) {
		p.has_max = 1;
		p.max = (double)o->n_renditions;
	}
	db_perf(b, &p);
	origin_live_perfdata(&m, opts);
}

static void stream_perfdata(dbuf *b, const vsp_stream_result *s)
{
	vsp_range warn = { (double)s->n_origins, INFINITY, 0 };
	vsp_range crit = { s->min_healthy > 0 ? (double)s->min_healthy : 1,
			   INFINITY, 0 };
	vsp_perf p;

	memset(&p, 0, sizeof(p));
	p.label = "origins_playable";
	p.known = 1;
	p.value = (double)s->n_healthy;
	/* Redundancy lost is a warning, too few origins is critical: the
	 * verdict rules, as thresholds a grapher can draw. */
	p.warn = &warn;
	p.crit = &crit;
	p.has_min = 1;
	p.has_max = 1;
	p.max = (double)s->n_origins;
	db_perf(b, &p);
}

/* ---- the status line ---- */

static void fmt_s(double ms, char *buf, size_t len)
{
	char n[64];

	vsp_plugin_number(ms / 1000.0, 3, n, sizeof(n));
	snprintf(buf, len, "%s s", n);
}

static void summary(dbuf *b, const vsp_stream_result *s,
		    const vsp_nagios_opts *opts)
{
	double best = INFINITY, t;
	char why[256], num[64], rng[96];
	int said = 0;

	db_clean(b, s->probe ? s->probe : "stream");
	db_printf(b, ": %zu of %zu origin%s playable", s->n_healthy,
		  s->n_origins, s->n_origins == 1 ? "" : "s");
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];

		if (o->v.status == VSP_PASS)
			continue;
		origin_short(o, why, sizeof(why));
		said = 1;
		db_add(b, "; ", 2);
		if (s->n_origins > 1) {
			db_clean(b, o->name);
			db_add(b, ": ", 2);
		}
		db_clean(b, why);
	}
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];
		vsp_nagios_state st = origin_threshold(o, opts, &t);

		if (!isnan(t) && t < best)
			best = t;
		if (st == VSP_NAGIOS_OK)
			continue;
		vsp_range_format(st == VSP_NAGIOS_CRITICAL ? opts->crit
							   : opts->warn,
				 rng, sizeof(rng));
		vsp_plugin_number(t, 3, num, sizeof(num));
		said = 1;
		db_add(b, "; ", 2);
		if (s->n_origins > 1) {
			db_clean(b, o->name);
			db_add(b, ": ", 2);
		}
		db_printf(b, "first frame %s s outside %s %s", num,
			  st == VSP_NAGIOS_CRITICAL ? "-c" : "-w", rng);
	}
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];
		live_alert a = origin_live_threshold(o, opts);

		if (a.state == VSP_NAGIOS_OK)
			continue;
		vsp_range_format(a.range, rng, sizeof(rng));
		vsp_plugin_number(a.value, 1, num, sizeof(num));
		said = 1;
		db_add(b, "; ", 2);
		if (s->n_origins > 1) {
			db_clean(b, o->name);
			db_add(b, ": ", 2);
		}
		db_printf(b, "%s %s s outside %s %s", a.what, num, a.option,
			  rng);
	}
	/* The best first frame says "all is well": only when nothing else
	 * was said. */
	if (!said && isfinite(best)) {
		vsp_plugin_number(best, 3, num, sizeof(num));
		db_printf(b, ", first frame %s s", num);
	}
}

/*
 * Copies src into dst (dstlen > max) keeping at most max bytes; when src is
 * longer, or cut says it already lost its end, ends it with "..." at a
 * UTF-8 character boundary.
 */
static void shorten(char *dst, size_t dstlen, const char *src, size_t max,
		    int cut)
{
	size_t n = strlen(src);

	if (n <= max && !cut) {
		snprintf(dst, dstlen, "%s", src);
		return;
	}
	if (n > max - 3)
		n = max - 3;
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == ';'))
		n--;
	snprintf(dst, dstlen, "%.*s...", (int)n, src);
}

/* ---- long output ---- */

static void step_detail(dbuf *b, const char *name, const vsp_http_step *st)
{
	char t[5][32];

	if (!st->done)
		return;
	vsp_plugin_number(st->dns_ms, 3, t[0], sizeof(t[0]));
	vsp_plugin_number(st->connect_ms, 3, t[1], sizeof(t[1]));
	vsp_plugin_number(st->tls_ms, 3, t[2], sizeof(t[2]));
	vsp_plugin_number(st->ttfb_ms, 3, t[3], sizeof(t[3]));
	vsp_plugin_number(st->total_ms, 3, t[4], sizeof(t[4]));
	db_printf(b,
		  "      %s: HTTP %ld, %lld B, dns %s ms, connect %s ms, "
		  "tls %s ms, ttfb %s ms, total %s ms, from ",
		  name, st->http_status, (long long)st->bytes, t[0], t[1], t[2],
		  t[3], t[4]);
	db_clean(b, st->remote_ip[0] ? st->remote_ip : "-");
	db_add(b, ", ", 2);
	db_clean(b, st->final_url ? st->final_url : st->url);
	db_add(b, "\n", 1);
}

/* A number of seconds with at most one decimal, "4.2 s". */
static void fmt_s1(double s, char *buf, size_t len)
{
	char n[64];

	vsp_plugin_number(s, 1, n, sizeof(n));
	snprintf(buf, len, "%s s", n);
}

/*
 * "; live: edge lag 4.2 s, playlist age 2 s, 6 s behind the best origin,
 * 1 reload, advanced" for a live rendition, then from -v (or when the
 * rendition is slow) "; segment at 0.62x real time, 1234 kb/s".
 */
static void live_detail(dbuf *b, const vsp_rendition_result *r, int verbose)
{
	char t[80];

	if (r->live && r->target_duration > 0) {
		db_add(b, "; live:", 7);
		if (r->has_live_edge_lag) {
			fmt_s1(r->live_edge_lag_s, t, sizeof(t));
			db_printf(b, " edge lag %s,", t);
		}
		if (r->has_playlist_age) {
			fmt_s1(r->playlist_age_s, t, sizeof(t));
			db_printf(b, " playlist age %s,", t);
		}
		if (r->has_origin_lag && r->origin_lag_s > 0) {
			fmt_s1(r->origin_lag_s, t, sizeof(t));
			db_printf(b, " %s behind the best origin,", t);
		}
		db_printf(b, " %d reload%s", r->reloads,
			  r->reloads == 1 ? "" : "s");
		if (r->advanced == 1)
			db_add(b, ", advanced", 10);
		else if (r->advanced == 0)
			db_add(b, ", not advanced", 14);
		if (verbose >= 1 && r->live_note) {
			db_add(b, " (", 2);
			db_clean(b, r->live_note);
			db_add(b, ")", 1);
		}
	}
	if (r->rtf > 0 && isfinite(r->rtf) &&
	    (verbose >= 1 || r->v.reason == VSP_R_SLOW_DOWNLOAD)) {
		vsp_plugin_number(r->rtf, 2, t, sizeof(t));
		db_printf(b, "; segment at %sx real time", t);
		if (r->measured_bps > 0)
			db_printf(b, ", %.0f kb/s", r->measured_bps / 1000);
	}
}

static void rendition_line(dbuf *b, const vsp_origin_result *o,
			   const vsp_rendition_result *r, int verbose)
{
	char why[160], t[80];

	db_add(b, "  ", 2);
	db_clean(b, o->name);
	db_add(b, " ", 1);
	db_clean(b, r->name ? r->name : vsp_kind_name(r->kind));
	if (r->bandwidth > 0)
		db_printf(b, " (%lld kb/s)", (long long)(r->bandwidth / 1000));
	db_printf(b, ": %s", upper(r->v.status));
	if (r->v.status == VSP_FAIL || r->v.reason != VSP_R_NONE) {
		verdict_short(o, r, &r->v, why, sizeof(why));
		db_add(b, ", ", 2);
		db_clean(b, why);
	}
	if (r->ttff_ms > 0) {
		fmt_s(r->ttff_ms, t, sizeof(t));
		db_printf(b, ", first frame %s", t);
	}
	live_detail(b, r, verbose);
	if (verbose >= 2) {
		if (r->playlist.done) {
			fmt_s(r->playlist.total_ms, t, sizeof(t));
			db_printf(b, "; playlist %s", t);
		}
		if (r->segment.done) {
			fmt_s(r->segment.total_ms, t, sizeof(t));
			db_printf(b, "; segment %lld B in %s",
				  (long long)r->segment.bytes, t);
		}
		if (r->decoded) {
			fmt_s(r->decode.ms, t, sizeof(t));
			db_add(b, "; decode ", 9);
			db_clean(b, r->decode.codec[0] ? r->decode.codec : "?");
			if (r->decode.width > 0)
				db_printf(b, " %dx%d", r->decode.width,
					  r->decode.height);
			db_printf(b, ", %d frames in %s", r->decode.frames, t);
		}
	}
	if (verbose >= 1 && r->v.message) {
		db_add(b, " (", 2);
		db_clean(b, r->v.message);
		db_add(b, ")", 1);
	}
	db_add(b, "\n", 1);
	if (verbose >= 3) {
		step_detail(b, "playlist", &r->playlist);
		step_detail(b, "key", &r->key);
		step_detail(b, "init", &r->init);
		step_detail(b, "segment", &r->segment);
	}
}

static void origin_lines(dbuf *b, const vsp_origin_result *o,
			 const vsp_nagios_opts *opts)
{
	int verbose = opts ? opts->verbose : 0;
	char why[256], t[80], rng[96];
	double ttff;
	vsp_nagios_state th = origin_threshold(o, opts, &ttff);
	live_alert la = origin_live_threshold(o, opts);
	vsp_nagios_state st = vsp_nagios_worst(
		vsp_nagios_worst(vsp_nagios_from_status(o->v.status), th),
		la.state);

	db_add(b, "origin ", 7);
	db_clean(b, o->name);
	db_printf(b, ": %s", vsp_nagios_state_name(st));
	if (o->protocol)
		db_printf(b, ", %s %s", o->protocol, o->live ? "live" : "vod");
	if (o->n_renditions > 0)
		db_printf(b, ", %zu of %zu renditions playable", o->n_playable,
			  o->n_renditions);
	if (!isnan(ttff)) {
		fmt_s(ttff * 1000.0, t, sizeof(t));
		db_printf(b, ", first frame %s", t);
		if (th != VSP_NAGIOS_OK) {
			vsp_range_format(th == VSP_NAGIOS_CRITICAL ? opts->crit
								   : opts->warn,
					 rng, sizeof(rng));
			db_printf(b, " outside %s %s",
				  th == VSP_NAGIOS_CRITICAL ? "-c" : "-w", rng);
		}
	}
	if (la.state != VSP_NAGIOS_OK) {
		vsp_range_format(la.range, rng, sizeof(rng));
		fmt_s1(la.value, t, sizeof(t));
		db_printf(b, ", %s %s outside %s %s", la.what, t, la.option,
			  rng);
	}
	if (o->v.status != VSP_PASS) {
		origin_short(o, why, sizeof(why));
		db_add(b, "; ", 2);
		db_clean(b, why);
	}
	if (verbose >= 1 && o->v.message) {
		db_add(b, " (", 2);
		db_clean(b, o->v.message);
		db_add(b, ")", 1);
	}
	db_add(b, "\n", 1);
	if (verbose >= 3) {
		db_add(b, "    ", 4);
		db_clean(b, o->url);
		db_add(b, "\n", 1);
		step_detail(b, "manifest", &o->manifest);
	}
	for (size_t i = 0; i < o->n_renditions; i++)
		rendition_line(b, o, &o->renditions[i], verbose);
}

int vsp_nagios_render(const vsp_stream_result *s, const vsp_nagios_opts *o,
		      vsp_nagios_state *state, char **out)
{
	dbuf head = { .max = 4096 };
	dbuf all = { .max = VSP_NAGIOS_OUTPUT_MAX };
	vsp_nagios_state st = vsp_nagios_judge(s, o);
	char prefix[48], status[VSP_NAGIOS_STATUS_MAX + 1];
	size_t room;

	*out = NULL;
	snprintf(prefix, sizeof(prefix), "VIDEO %s - ",
		 vsp_nagios_state_name(st));
	summary(&head, s, o);
	if (head.oom)
		goto oom;
	room = VSP_NAGIOS_STATUS_MAX - strlen(prefix);
	shorten(status, sizeof(status), head.p ? head.p : "", room, head.full);

	db_add(&all, prefix, strlen(prefix));
	db_add(&all, status, strlen(status));
	db_add(&all, " |", 2);
	for (size_t i = 0; i < s->n_origins; i++)
		origin_perfdata(&all, s, i, o);
	stream_perfdata(&all, s);
	db_add(&all, "\n", 1);
	if (all.full) {
		/* Perfdata too long for the output: keep the status line and
		 * drop the metrics rather than send half of one. */
		all.full = 0;
		all.len = 0;
		db_add(&all, prefix, strlen(prefix));
		db_add(&all, status, strlen(status));
		db_add(&all, "\n", 1);
	}
	for (size_t i = 0; i < s->n_origins && !all.full; i++) {
		size_t mark = all.len;

		origin_lines(&all, &s->origins[i], o);
		if (all.full && all.p) {
			/* No half line: end on the last whole one. */
			while (all.len > mark && all.p[all.len - 1] != '\n')
				all.len--;
			all.p[all.len] = '\0';
		}
	}
	if (all.oom)
		goto oom;
	*state = st;
	*out = all.p;
	free(head.p);
	return 0;
oom:
	free(head.p);
	free(all.p);
	return -1;
}
