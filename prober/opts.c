/*
 * opts.c - the network options every face takes (check, manifest, the
 * plugin): headers, User-Agent, --resolve pins, CA file, insecure.
 *
 * --max-memory (the check's memory budget, issue 14) is validated here
 * too, as the probe file's max_memory_mb.
 *
 * One path: each value is validated by lib/config.c exactly as the same
 * key of a probe file, so a typo on the command line is a usage error
 * (exit 3) naming the option and what was expected, found before any
 * request, never an origin failure at night.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "limits.h"

int net_opts_add(net_opts *n, vsp_config_value what, const char *opt,
		 const char *val, char *err, size_t errlen)
{
	char msg[512];

	if (vsp_config_check_value(what, val, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s: %s", opt, msg);
		return -1;
	}
	switch (what) {
	case VSP_VALUE_HEADER:
		if (n->n_headers >= VSP_MAX_HEADERS) {
			snprintf(err, errlen, "%s: at most %d headers", opt,
				 VSP_MAX_HEADERS);
			return -1;
		}
		if (strv_push(&n->headers, &n->n_headers, val))
			goto oom;
		return 0;
	case VSP_VALUE_RESOLVE:
		if (n->n_resolve >= VSP_MAX_HEADERS) {
			snprintf(err, errlen, "%s: at most %d pins", opt,
				 VSP_MAX_HEADERS);
			return -1;
		}
		if (strv_push(&n->resolve, &n->n_resolve, val))
			goto oom;
		return 0;
	case VSP_VALUE_CACERT:
		n->cacert = val;
		return 0;
	case VSP_VALUE_USER_AGENT:
		n->user_agent = val;
		return 0;
	default:
		snprintf(err, errlen, "%s: not a network option", opt);
		return -1;
	}
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int net_opts_apply(const net_opts *n, vsp_probe_cfg *cfg)
{
	if (n->user_agent) {
		free(cfg->user_agent);
		if (!(cfg->user_agent = strdup(n->user_agent)))
			return -1;
	}
	for (size_t i = 0; i < cfg->n_origins; i++) {
		vsp_origin_cfg *o = &cfg->origins[i];

		for (size_t k = 0; k < n->n_headers; k++)
			if (strv_push(&o->headers, &o->n_headers,
				      n->headers[k]))
				return -1;
		for (size_t k = 0; k < n->n_resolve; k++)
			if (strv_push(&o->resolve, &o->n_resolve,
				      n->resolve[k]))
				return -1;
		/* Over a probe file's own settings: the command line wins,
		 * and never turns verification back on by its absence. */
		if (n->cacert) {
			free(o->cacert);
			if (!(o->cacert = strdup(n->cacert)))
				return -1;
		}
		if (n->insecure)
			o->insecure = 1;
	}
	return 0;
}

void net_opts_http(const net_opts *n, vsp_http_opts *h)
{
	memset(h, 0, sizeof(*h));
	h->user_agent = n->user_agent;
	h->headers = (const char *const *)n->headers;
	h->n_headers = n->n_headers;
	h->resolve = (const char *const *)n->resolve;
	h->n_resolve = n->n_resolve;
	h->cacert = n->cacert;
	h->insecure = n->insecure;
}

void net_opts_free(net_opts *n)
{
	for (size_t i = 0; i < n->n_headers; i++)
		free(n->headers[i]);
	free(n->headers);
	for (size_t i = 0; i < n->n_resolve; i++)
		free(n->resolve[i]);
	free(n->resolve);
	memset(n, 0, sizeof(*n));
}

int max_memory_arg(const char *opt, const char *val, int *mb, char *err,
		   size_t errlen)
{
	char msg[512];

	if (vsp_config_check_value(VSP_VALUE_MAX_MEMORY, val, msg,
				   sizeof(msg))) {
		snprintf(err, errlen, "%s: %s", opt, msg);
		return -1;
	}
	*mb = (int)strtol(val, NULL, 10); /* checked just above */
	return 0;
}

int url_arg_ok(const char *opt, const char *url, char *err, size_t errlen)
{
	char msg[512];

	if (vsp_config_check_value(VSP_VALUE_URL, url, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s: %s", opt, msg);
		return -1;
	}
	return 0;
}
