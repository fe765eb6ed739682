/*
 * metrics.c - the result tree in the Prometheus text exposition format.
 *
 * One buffer per metric family, joined at the end, so every family has one
 * HELP, one TYPE and its samples together however many checks are added.
 * Every buffer counts against one cap. Values that are not known (no
 * frame decoded, no live edge) are left out, never written as 0: a 0 time
 * to first frame would read as instant.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynbuf.h"
#include "file.h"

/* X(ENUM, name, help); every family is a gauge, as in blackbox_exporter. */
#define FAMILY_MAP(X)                                                          \
	X(SUCCESS, "probe_success",                                            \
	  "1 when the stream plays from at least min_healthy origins (pass "   \
	  "or warn)")                                                          \
	X(DURATION, "probe_duration_seconds", "How long the whole check took") \
	X(HTTP_DURATION, "probe_http_duration_seconds",                        \
	  "Duration of the manifest request by phase, per origin")             \
	X(HTTP_STATUS, "probe_http_status_code",                               \
	  "HTTP status of the manifest response, per origin (0: none)")        \
	X(STATUS, "probe_video_status",                                        \
	  "Stream verdict: 0 pass, 1 warn, 2 fail")                            \
	X(ORIGINS, "probe_video_origins", "Origins checked")                   \
	X(ORIGINS_PLAYABLE, "probe_video_origins_playable",                    \
	  "Origins the stream plays from")                                     \
	X(MIN_HEALTHY, "probe_video_min_healthy",                              \
	  "Playable origins the probe requires")                               \
	X(ORIGIN_UP, "probe_video_origin_up",                                  \
	  "1 when the stream plays from the origin")                           \
	X(ORIGIN_STATUS, "probe_video_origin_status",                          \
	  "Origin verdict: 0 pass, 1 warn, 2 fail")                            \
	X(RENDITIONS, "probe_video_origin_renditions",                         \
	  "Renditions checked on the origin")                                  \
	X(RENDITIONS_PLAYABLE, "probe_video_origin_renditions_playable",       \
	  "Renditions that play from the origin")                              \
	X(REND_STATUS, "probe_video_rendition_status",                         \
	  "Rendition verdict: 0 pass, 1 warn, 2 fail")                         \
	X(TTFF, "probe_video_time_to_first_frame_seconds",                     \
	  "From the rendition's first request to its first decoded frame")     \
	X(RTF, "probe_video_realtime_factor",                                  \
	  "Segment duration over its download time (below 1: slower than "     \
	  "real time)")                                                        \
	X(EDGE_LAG, "probe_video_live_edge_lag_seconds",                       \
	  "Live: clock minus the end of the newest segment")                   \
	X(PLAYLIST_AGE, "probe_video_playlist_age_seconds",                    \
	  "Live: time since the playlist last changed")                        \
	X(ORIGIN_LAG, "probe_video_origin_lag_seconds",                        \
	  "Live: how far the rendition is behind the most advanced origin")    \
	X(INFO, "probe_video_verdict_info",                                    \
	  "Verdict of the stream (origin=\"\") and of each origin, with "      \
	  "reason and stage; value 1")                                         \
	X(TIMESTAMP, "probe_video_check_timestamp_seconds",                    \
	  "When the check started, Unix seconds")                              \
	X(ORIGIN_TTFF, "probe_video_origin_time_to_first_frame_seconds",       \
	  "The origin's time to first frame: its fastest rendition that "      \
	  "plays")                                                             \
	X(ORIGIN_EDGE_LAG, "probe_video_origin_live_edge_lag_seconds",         \
	  "Live: the origin's largest live-edge lag of its renditions")        \
	X(ORIGIN_PLAYLIST_AGE, "probe_video_origin_playlist_age_seconds",      \
	  "Live: the origin's largest playlist age of its renditions")         \
	X(ORIGIN_RTF, "probe_video_origin_realtime_factor",                    \
	  "The origin's smallest real-time factor of its renditions")

enum family {
#define X(e, n, h) F_##e,
	FAMILY_MAP(X)
#undef X
		F_COUNT
};

static const struct {
	const char *name, *help;
} families[F_COUNT] = {
#define X(e, n, h) { n, h },
	FAMILY_MAP(X)
#undef X
};

struct vsp_metrics {
	char *vantage; /* NULL: no label */
	vsp_buf f[F_COUNT];
	size_t total; /* bytes over every family, against the cap */
	int oom;      /* a write failed since the last mark */
};

vsp_metrics *vsp_metrics_new(const char *vantage)
{
	vsp_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	/* Each family under the cap of them all (total, below). */
	for (int i = 0; i < F_COUNT; i++)
		vsp_buf_init(&m->f[i], (size_t)VSP_METRICS_MAX_BYTES + 1);
	if (vantage && *vantage) {
		m->vantage = strdup(vantage);
		if (!m->vantage) {
			free(m);
			return NULL;
		}
	}
	return m;
}

void vsp_metrics_free(vsp_metrics *m)
{
	if (!m)
		return;
	for (int i = 0; i < F_COUNT; i++)
		vsp_buf_free(&m->f[i]);
	free(m->vantage);
	free(m);
}

static void fappend(vsp_metrics *m, enum family fam, const char *s, size_t n)
{
	if (m->oom)
		return;
	if (m->total + n > (size_t)VSP_METRICS_MAX_BYTES ||
	    vsp_buf_add(&m->f[fam], s, n)) {
		m->oom = 1;
		return;
	}
	m->total += n;
}

void vsp_metrics_num(double v, char *buf, size_t len)
{
	char tmp[64], *dot = NULL;
	int n;

	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0" */
	/* Fixed point: the values are seconds, counts, codes; 1e-6 is finer
	 * than anything measured, and %g's exponents are harder to read. */
	n = fabs(v) < 1e15 ? snprintf(tmp, sizeof(tmp), "%.6f", v)
			   : snprintf(tmp, sizeof(tmp), "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(buf, len, "NaN");
		return;
	}
	for (char *p = tmp; *p; p++)
		if (*p == ',') {
			*p = '.';
			dot = p;
		} else if (*p == '.') {
			dot = p;
		}
	if (dot && !strchr(tmp, 'e')) {
		char *e = tmp + strlen(tmp) - 1;

		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	snprintf(buf, len, "%s", strcmp(tmp, "-0") == 0 ? "0" : tmp);
}

/* Length of the valid UTF-8 sequence at p, 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = *p < 0x80		     ? 1
		   : *p >= 0xF0 && *p < 0xF5 ? 4
		   : *p >= 0xE0		     ? 3
		   : *p >= 0xC2		     ? 2
					     : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

int vsp_metrics_label(char *buf, size_t len, const char *name,
		      const char *value)
{
	/* Each character is at most 4 bytes, or 2 when escaped. */
	char esc[VSP_METRICS_MAX_LABEL * 4 + 1];
	size_t o = 0, chars = 0;
	const unsigned char *p = (const unsigned char *)value;

	while (*p && chars < VSP_METRICS_MAX_LABEL) {
		size_t n = utf8_len(p);

		chars++;
		if (n == 0) {
			/* Prometheus rejects a scrape with invalid UTF-8;
			 * names come from manifests. */
			esc[o++] = '?';
			p++;
		} else if (n > 1) {
			memcpy(esc + o, p, n);
			o += n;
			p += n;
		} else if (*p == '\\' || *p == '"') {
			esc[o++] = '\\';
			esc[o++] = (char)*p++;
		} else if (*p == '\n') {
			esc[o++] = '\\';
			esc[o++] = 'n';
			p++;
		} else if (*p < 0x20 || *p == 0x7F) {
			esc[o++] = ' ';
			p++;
		} else {
			esc[o++] = (char)*p++;
		}
	}
	esc[o] = '\0';
	return snprintf(buf, len, "%s=\"%s\"", name, esc);
}

/* One sample: base labels (probe, vantage), then n more pairs of
 * kv[2i] = kv[2i+1]. */
static void sample_kv(vsp_metrics *m, enum family fam, const char *probe,
		      double v, const char *const *kv, size_t n)
{
	char line[1024], num[64];
	size_t o = 0;
	int first = 1;

#define ADD_LABEL(name, val)                                              \
	do {                                                              \
		if (o < sizeof(line))                                     \
			o += (size_t)snprintf(line + o, sizeof(line) - o, \
					      "%s", first ? "{" : ",");   \
		first = 0;                                                \
		if (o < sizeof(line))                                     \
			o += (size_t)vsp_metrics_label(                   \
				line + o, sizeof(line) - o, name, val);   \
	} while (0)

	o = (size_t)snprintf(line, sizeof(line), "%s", families[fam].name);
	ADD_LABEL("probe", probe ? probe : "");
	if (m->vantage)
		ADD_LABEL("vantage", m->vantage);
	for (size_t i = 0; i < n; i++)
		ADD_LABEL(kv[2 * i], kv[2 * i + 1] ? kv[2 * i + 1] : "");
#undef ADD_LABEL
	vsp_metrics_num(v, num, sizeof(num));
	if (o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, "} %s\n",
				      num);
	if (o >= sizeof(line)) {
		/* Labels are cut at VSP_METRICS_MAX_LABEL; a line this long
		 * is a bug, and half a line would break the exposition. */
		m->oom = 1;
		return;
	}
	fappend(m, fam, line, o);
}

/* A fixed number of label pairs after probe and vantage. */
#define SAMPLE(m, fam, probe, v, ...)                        \
	do {                                                 \
		const char *const kv_[] = { __VA_ARGS__ };   \
		sample_kv(m, fam, probe, v, kv_,             \
			  sizeof(kv_) / sizeof(kv_[0]) / 2); \
	} while (0)

static double ms_s(double ms)
{
	return ms / 1000.0;
}

/* blackbox_exporter's phases from the step's times (dns, connect and tls
 * are each their own span; ttfb and total run from the start). */
static void http_phases(vsp_metrics *m, const char *probe, const char *origin,
			const vsp_http_step *st)
{
	double before = st->dns_ms + st->connect_ms + st->tls_ms;
	double processing = st->ttfb_ms > before ? st->ttfb_ms - before : 0;
	double transfer =
		st->total_ms > st->ttfb_ms ? st->total_ms - st->ttfb_ms : 0;

	SAMPLE(m, F_HTTP_DURATION, probe, ms_s(st->dns_ms), "origin", origin,
	       "phase", "resolve");
	SAMPLE(m, F_HTTP_DURATION, probe, ms_s(st->connect_ms), "origin",
	       origin, "phase", "connect");
	SAMPLE(m, F_HTTP_DURATION, probe, ms_s(st->tls_ms), "origin", origin,
	       "phase", "tls");
	SAMPLE(m, F_HTTP_DURATION, probe, ms_s(processing), "origin", origin,
	       "phase", "processing");
	SAMPLE(m, F_HTTP_DURATION, probe, ms_s(transfer), "origin", origin,
	       "phase", "transfer");
}

static void info(vsp_metrics *m, const char *probe, const char *origin,
		 const vsp_verdict *v)
{
	SAMPLE(m, F_INFO, probe, 1, "origin", origin, "status",
	       vsp_status_name(v->status), "reason",
	       v->reason ? vsp_reason_name(v->reason) : "", "stage",
	       v->stage ? vsp_stage_name(v->stage) : "");
}

/* The label of rendition i: its name, made unique within the origin (two
 * variants of one resolution at two bitrates share a name), as
 * Prometheus rejects two samples with one label set. */
static void rendition_label(const vsp_origin_result *o, size_t i, char *out,
			    size_t len)
{
	const char *base = o->renditions[i].name ? o->renditions[i].name : "";
	unsigned dup = 1;

	for (size_t j = 0; j < i; j++) {
		const char *nj = o->renditions[j].name;

		if (nj && strcmp(nj, base) == 0)
			dup++;
	}
	if (dup == 1)
		snprintf(out, len, "%.*s", VSP_METRICS_MAX_LABEL - 4, base);
	else
		snprintf(out, len, "%.*s#%u", VSP_METRICS_MAX_LABEL - 4, base,
			 dup);
}

static void rendition(vsp_metrics *m, const char *probe, const char *origin,
		      const char *rend, const vsp_rendition_result *r)
{
	SAMPLE(m, F_REND_STATUS, probe, (double)r->v.status, "origin", origin,
	       "rendition", rend);
	if (r->ttff_ms > 0)
		SAMPLE(m, F_TTFF, probe, ms_s(r->ttff_ms), "origin", origin,
		       "rendition", rend);
	if (r->rtf > 0)
		SAMPLE(m, F_RTF, probe, r->rtf, "origin", origin, "rendition",
		       rend);
	if (r->has_live_edge_lag)
		SAMPLE(m, F_EDGE_LAG, probe, r->live_edge_lag_s, "origin",
		       origin, "rendition", rend);
	if (r->has_playlist_age)
		SAMPLE(m, F_PLAYLIST_AGE, probe, r->playlist_age_s, "origin",
		       origin, "rendition", rend);
	if (r->has_origin_lag)
		SAMPLE(m, F_ORIGIN_LAG, probe, r->origin_lag_s, "origin",
		       origin, "rendition", rend);
}

/* The origin's figures as the judge computed them (result.h). */
static void origin_figures(vsp_metrics *m, const char *probe,
			   const char *origin, const vsp_origin_figures *f)
{
	if (f->has_ttff)
		SAMPLE(m, F_ORIGIN_TTFF, probe, ms_s(f->ttff_ms), "origin",
		       origin);
	if (f->has_edge_lag)
		SAMPLE(m, F_ORIGIN_EDGE_LAG, probe, f->edge_lag_s, "origin",
		       origin);
	if (f->has_playlist_age)
		SAMPLE(m, F_ORIGIN_PLAYLIST_AGE, probe, f->playlist_age_s,
		       "origin", origin);
	if (f->has_rtf)
		SAMPLE(m, F_ORIGIN_RTF, probe, f->rtf, "origin", origin);
}

/* Length of every family, to roll back a check that did not fit. */
static void mark(const vsp_metrics *m, size_t *lens)
{
	for (int i = 0; i < F_COUNT; i++)
		lens[i] = m->f[i].len;
}

static void rollback(vsp_metrics *m, const size_t *lens)
{
	for (int i = 0; i < F_COUNT; i++) {
		m->total -= m->f[i].len - lens[i];
		vsp_buf_setlen(&m->f[i], lens[i]);
	}
	m->oom = 0;
}

int vsp_metrics_add(vsp_metrics *m, const vsp_stream_result *s)
{
	size_t lens[F_COUNT];
	const char *p = s->probe;

	mark(m, lens);
	sample_kv(m, F_SUCCESS, p, s->v.status != VSP_FAIL ? 1 : 0, NULL, 0);
	sample_kv(m, F_DURATION, p, ms_s(s->duration_ms), NULL, 0);
	sample_kv(m, F_STATUS, p, (double)s->v.status, NULL, 0);
	sample_kv(m, F_ORIGINS, p, (double)s->n_origins, NULL, 0);
	sample_kv(m, F_ORIGINS_PLAYABLE, p, (double)s->n_healthy, NULL, 0);
	sample_kv(m, F_MIN_HEALTHY, p, (double)s->min_healthy, NULL, 0);
	sample_kv(m, F_TIMESTAMP, p, s->time, NULL, 0);
	info(m, p, "", &s->v);
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];
		const char *on = o->name ? o->name : "";

		SAMPLE(m, F_ORIGIN_UP, p, o->v.status != VSP_FAIL ? 1 : 0,
		       "origin", on);
		SAMPLE(m, F_ORIGIN_STATUS, p, (double)o->v.status, "origin",
		       on);
		SAMPLE(m, F_RENDITIONS, p, (double)o->n_renditions, "origin",
		       on);
		SAMPLE(m, F_RENDITIONS_PLAYABLE, p, (double)o->n_playable,
		       "origin", on);
		if (o->manifest.done) {
			SAMPLE(m, F_HTTP_STATUS, p,
			       (double)o->manifest.http_status, "origin", on);
			http_phases(m, p, on, &o->manifest);
		}
		info(m, p, on, &o->v);
		origin_figures(m, p, on, &o->fig);
		for (size_t j = 0; j < o->n_renditions; j++) {
			char rl[VSP_METRICS_MAX_LABEL + 8];

			rendition_label(o, j, rl, sizeof(rl));
			rendition(m, p, on, rl, &o->renditions[j]);
		}
	}
	if (m->oom) {
		rollback(m, lens);
		return -1;
	}
	return 0;
}

int vsp_metrics_add_sample(vsp_metrics *m, const char *line)
{
	size_t n = strlen(line), name_len;

	if (n == 0 || n >= VSP_METRICS_MAX_LINE || line[0] == '#' ||
	    strchr(line, '\n'))
		return 1;
	name_len = strcspn(line, "{ ");
	for (int i = 0; i < F_COUNT; i++) {
		size_t lens[F_COUNT];

		if (strlen(families[i].name) != name_len ||
		    strncmp(line, families[i].name, name_len) != 0)
			continue;
		mark(m, lens);
		fappend(m, (enum family)i, line, n);
		fappend(m, (enum family)i, "\n", 1);
		if (m->oom) {
			rollback(m, lens);
			return -1;
		}
		return 0;
	}
	return 1;
}

char *vsp_metrics_text(const vsp_metrics *m, size_t *len)
{
	size_t cap = m->total + 1, o = 0;
	char *out;

	for (int i = 0; i < F_COUNT; i++)
		if (m->f[i].len)
			cap += strlen(families[i].name) * 2 +
			       strlen(families[i].help) + 32;
	out = malloc(cap);
	if (!out)
		return NULL;
	for (int i = 0; i < F_COUNT; i++) {
		if (!m->f[i].len)
			continue;
		o += (size_t)snprintf(
			out + o, cap - o, "# HELP %s %s\n# TYPE %s gauge\n",
			families[i].name, families[i].help, families[i].name);
		memcpy(out + o, m->f[i].p, m->f[i].len);
		o += m->f[i].len;
	}
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}

int vsp_metrics_write_file(const char *path, const char *text, size_t len,
			   char *err, size_t errlen)
{
	char tmp[4200];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto ioerr;
	if (vsp_file_write_all(fd, text, len) != 0)
		goto ioerr;
	if (fsync(fd) != 0)
		goto ioerr;
	if (close(fd) != 0) {
		fd = -1;
		goto ioerr;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto ioerr;
	return 0;
ioerr:
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
