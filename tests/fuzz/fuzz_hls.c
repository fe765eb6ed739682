/*
 * fuzz_hls.c - libFuzzer target for the HLS playlist parser.
 *
 * Playlists come from origins we do not control: any bytes must give a
 * playlist or an error, never a crash, a leak or undefined behaviour. Each
 * input is parsed twice, against a base URL (every URI goes through
 * libcurl's URL API) and without one (URIs kept as written), and what parses
 * is rendered as JSON, as `prober manifest` would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "hls.h"
#include "manifest_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, const char *base)
{
	vsp_hls_playlist *pl = NULL;
	char err[512];
	json_t *j;
	char *s;

	if (vsp_hls_parse((const char *)data, size, base, &pl, err,
			  sizeof(err)) == 0) {
		(void)vsp_hls_is_live(pl);
		j = vsp_hls_to_json(pl);
		/* Dumping walks every string: invalid UTF-8 would show. */
		s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	vsp_hls_free(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, "https://cdn.example.com/live/a/master.m3u8?token=x");
	one(data, size, NULL);
	return 0;
}
