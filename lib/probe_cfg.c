/*
 * probe_cfg.c - a probe's settings: defaults, origins, the rendition rule.
 *
 * Validation of probe files is config.c's; this is the in-memory form every
 * face fills, and never reads a file.
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

#include <curl/curl.h>

#include "error.h"
#include "limits.h"
#include "probe_int.h"
#include "sample.h"

char *vsp_strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

vsp_reason vsp_parse_reason(int rc)
{
	switch (rc) {
	case VSP_E_LIMIT:
		return VSP_R_TOO_LARGE;
	case VSP_E_DEADLINE:
		return VSP_R_TIMEOUT;
	case VSP_E_NOMEM:
	case VSP_E_INTERNAL:
		return VSP_R_INTERNAL;
	default:
		return VSP_R_MANIFEST_SYNTAX;
	}
}

void vsp_probe_cfg_init(vsp_probe_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pick = VSP_PICK_ALL;
	cfg->frames = VSP_DEFAULT_FRAMES;
	cfg->timeout_s = VSP_DEFAULT_TIMEOUT_S;
	cfg->interval_s = 60;
	cfg->min_healthy = 1;
	cfg->stale_warn_factor = VSP_STALE_WARN_FACTOR;
	cfg->stale_fail_factor = VSP_STALE_FAIL_FACTOR;
	cfg->lag_warn_tds = VSP_LAG_WARN_TDS;
	cfg->slow_rtf = VSP_SLOW_RTF;
	cfg->segments = VSP_DEFAULT_SEGMENTS;
	cfg->decode_all = 0;
	vsp_content_opts_init(&cfg->content);
	cfg->max_memory_mb = VSP_DEFAULT_MAX_MEMORY_MB;
}

int vsp_segments_parse(const char *s, int *segments)
{
	char *end;
	long v;

	if (strcmp(s, "all") == 0) {
		*segments = VSP_SEGMENTS_ALL;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > VSP_MAX_SEGMENT_CHECKS)
		return -1;
	*segments = (int)v;
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A NULL-ended argv. */
static void free_argv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void vsp_origin_cfg_clear(vsp_origin_cfg *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->url);
	free_strv(o->headers, o->n_headers);
	free_strv(o->resolve, o->n_resolve);
	free_strv(o->secrets, o->n_secrets);
	free_strv(o->header_hosts, o->n_header_hosts);
	free(o->cacert);
	free_argv(o->headers_command);
	free_argv(o->url_command);
	memset(o, 0, sizeof(*o));
}

void vsp_probe_cfg_clear(vsp_probe_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_origins; i++)
		vsp_origin_cfg_clear(&cfg->origins[i]);
	free(cfg->origins);
	free(cfg->name);
	free(cfg->user_agent);
	free(cfg->thumbnails);
	memset(cfg, 0, sizeof(*cfg));
}

/* "host:port" of a URL (port only when given), for an origin's default
 * name. */
static char *name_from_url(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	size_t n;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
		    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		n = strlen(host) + (port ? strlen(port) + 1 : 0) + 1;
		out = malloc(n);
		if (out)
			snprintf(out, n, "%s%s%s", host, port ? ":" : "",
				 port ? port : "");
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out ? out : strdup("origin");
}

static int name_taken(const vsp_probe_cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (strcmp(cfg->origins[i].name, name) == 0)
			return 1;
	return 0;
}

int vsp_probe_cfg_add_origin(vsp_probe_cfg *cfg, const char *name,
			     const char *url)
{
	vsp_origin_cfg *arr, *o;
	char *nm;

	nm = name ? strdup(name) : name_from_url(url);
	if (!nm)
		return -1;
	if (!name) {
		/* Two origins on one host: "host-2", "host-3", ... */
		for (int k = 2; name_taken(cfg, nm); k++) {
			size_t n = strlen(nm) + 16;
			char *t = malloc(n);

			if (!t) {
				free(nm);
				return -1;
			}
			snprintf(t, n, "%s-%d", nm, k);
			if (!name_taken(cfg, t)) {
				free(nm);
				nm = t;
				break;
			}
			free(t);
		}
	}
	arr = realloc(cfg->origins, (cfg->n_origins + 1) * sizeof(*arr));
	if (!arr) {
		free(nm);
		return -1;
	}
	cfg->origins = arr;
	o = &arr[cfg->n_origins];
	memset(o, 0, sizeof(*o));
	o->name = nm;
	o->url = strdup(url);
	if (!o->url) {
		free(nm);
		return -1;
	}
	cfg->n_origins++;
	return 0;
}

int vsp_pick_parse(const char *s, vsp_pick *pick, int *count)
{
	char *end;
	long v;

	if (strcmp(s, "all") == 0) {
		*pick = VSP_PICK_ALL;
		return 0;
	}
	if (strcmp(s, "lowest") == 0) {
		*pick = VSP_PICK_LOWEST;
		return 0;
	}
	if (strcmp(s, "highest") == 0) {
		*pick = VSP_PICK_HIGHEST;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > VSP_MAX_RENDITIONS)
		return -1;
	*pick = VSP_PICK_COUNT;
	*count = (int)v;
	return 0;
}

int vsp_decode_mode_parse(const char *s, int *all)
{
	if (strcmp(s, "all") == 0 || strcmp(s, "frames") == 0) {
		*all = strcmp(s, "all") == 0;
		return 0;
	}
	return -1;
}
