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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vsp_probe_cfg cfg;
	char err[512];

	vsp_probe_cfg_init(&cfg);
	(void)vsp_config_load_json((const char *)data, size, "probes/fuzz.json",
				   &cfg, err, sizeof(err));
	vsp_probe_cfg_clear(&cfg);
	return 0;
}
