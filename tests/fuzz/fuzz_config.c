/*
 * fuzz_config.c - libFuzzer target for the probe-definition loader.
 *
 * Probe files are written by people, and by scripts that make mistakes:
 * any bytes must give a validated definition or a message, never a crash,
 * a leak or undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "http.h"
#include "redact.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vsp_probe_cfg cfg;
	char err[512];

	vsp_probe_cfg_init(&cfg);
	if (vsp_config_load_json((const char *)data, size, "probes/fuzz.json",
				 &cfg, err, sizeof(err)) == 0) {
		/* What a valid definition drives: header scoping over its
		 * own URL and hosts, and redaction of its URL. */
		for (size_t i = 0; i < cfg.n_origins; i++) {
			const vsp_origin_cfg *o = &cfg.origins[i];
			vsp_http_opts h = { 0 };
			char *r;

			h.headers = (const char *const *)o->headers;
			h.n_headers = o->n_headers;
			h.header_origin = o->url;
			h.header_hosts = (const char *const *)o->header_hosts;
			h.n_header_hosts = o->n_header_hosts;
			(void)vsp_http_headers_allowed(&h, o->url);
			for (size_t k = 0; k < o->n_header_hosts; k++)
				(void)vsp_http_headers_allowed(
					&h, o->header_hosts[k]);
			r = vsp_redact_string(o->url,
					      (const char *const *)o->secrets,
					      o->n_secrets, o->secret_query);
			free(r);
		}
	}
	vsp_probe_cfg_clear(&cfg);
	return 0;
}
