/*
 * metrics.h - result trees in the Prometheus text exposition format
 * (version 0.0.4), for `prober serve` and `prober run --textfile`.
 *
 * blackbox_exporter's names where they mean the same (probe_success,
 * probe_duration_seconds, probe_http_duration_seconds{phase},
 * probe_http_status_code), probe_video_* for what only prober knows.
 * Labels stay few and bounded: probe, vantage, origin, rendition, phase
 * and, on the info metric only, status, reason and stage from their fixed
 * tables. Never a URL: URLs carry tokens, and a label per URL is a
 * cardinality bomb.
 *
 * Samples are grouped by family (one HELP and TYPE each), as the format
 * requires, whatever the order results are added in. Never prints, never
 * exits.
 */
#ifndef VSP_METRICS_H
#define VSP_METRICS_H

#include <stddef.h>

#include "result.h"

/* Whole exposition: far above 32 origins x 256 renditions of samples, and a
 * bound on what one scrape can make the server allocate. */
#define VSP_METRICS_MAX_BYTES (16L * 1024 * 1024)
/* A label value longer than this is cut (rendition names come from the
 * manifest). */
#define VSP_METRICS_MAX_LABEL 64
/* One carried-over sample line (vsp_metrics_add_sample()). */
#define VSP_METRICS_MAX_LINE 4096

/* The content type of the format. */
#define VSP_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct vsp_metrics vsp_metrics;

/* vantage: the vantage label of every sample (copied; NULL or "" leaves
 * the label out). Returns NULL on out of memory; free with
 * vsp_metrics_free(). */
vsp_metrics *vsp_metrics_new(const char *vantage);
void vsp_metrics_free(vsp_metrics *m);

/* Adds the samples of one check. Returns 0, or -1 on out of memory or past
 * VSP_METRICS_MAX_BYTES (nothing of s is kept then). */
int vsp_metrics_add(vsp_metrics *m, const vsp_stream_result *s);

/* Adds one sample line written earlier by this module (a textfile's
 * probes that were not due this run). Returns 0 when added, 1 when the
 * line is no sample of a known family (ignored), -1 on out of memory. */
int vsp_metrics_add_sample(vsp_metrics *m, const char *line);

/* The exposition, NUL-terminated; *len (may be NULL) without the NUL.
 * Caller frees with free(). NULL on out of memory. */
char *vsp_metrics_text(const vsp_metrics *m, size_t *len);

/*
 * Writes text to path atomically for node_exporter's textfile collector:
 * a temporary file beside it (not ending in .prom, so the collector never
 * reads it half-written), fsync, rename. Returns 0, or -1 with a message
 * naming the file in err.
 */
int vsp_metrics_write_file(const char *path, const char *text, size_t len,
			   char *err, size_t errlen);

/* Appends "NAME=\"value\"" to buf as a label pair, escaped as the format
 * wants and cut at VSP_METRICS_MAX_LABEL; for the server's own metrics.
 * Returns the length written (snprintf's rule). */
int vsp_metrics_label(char *buf, size_t len, const char *name,
		      const char *value);

/* A number as the format wants it: a point whatever LC_NUMERIC says, NaN
 * and infinities by their names. */
void vsp_metrics_num(double v, char *buf, size_t len);

#endif
