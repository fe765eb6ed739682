/*
 * fuzz_mpd.c - libFuzzer target for the DASH MPD parser.
 *
 * MPDs come from origins we do not control, through libxml2: any bytes must
 * give an MPD or an error, never a crash, a leak, undefined behaviour or a
 * network or file access. What parses is rendered as JSON (which expands the
 * first segment URLs of every representation) and, for each
 * representation of the period a check would probe, the segment it would
 * fetch is picked, as the pipeline does, at a fixed wall-clock time so a
 * crash reproduces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "dash.h"
#include "dash_segment.h"
#include "manifest_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2024-06-01T00:00:00Z: live MPDs of the corpus start before it. */
#define FUZZ_NOW 1717200000.0

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vsp_dash_mpd *m = NULL;
	const vsp_dash_period *p;
	char err[512];
	json_t *j;
	char *s;

	if (vsp_dash_parse((const char *)data, size,
			   "https://cdn.example.com/dash/manifest.mpd", &m, err,
			   sizeof(err)) != 0) {
		vsp_dash_free(m);
		return 0;
	}
	j = vsp_dash_to_json(m);
	s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
	p = vsp_dash_current_period(m, FUZZ_NOW);
	if (p) {
		for (size_t a = 0; a < p->n_sets; a++) {
			const vsp_dash_adaptation *as = &p->sets[a];

			for (size_t r = 0; r < as->n_reps; r++) {
				vsp_dash_segment seg = { 0 };

				vsp_dash_pick_segment(m, p, &as->reps[r],
						      FUZZ_NOW, &seg, err,
						      sizeof(err));
				vsp_dash_segment_clear(&seg);
			}
		}
	}
	vsp_dash_free(m);
	return 0;
}
