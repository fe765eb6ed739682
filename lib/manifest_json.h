/*
 * manifest_json.h - a parsed HLS playlist or DASH MPD as JSON, for
 * `prober manifest` and the tests. Kept apart from the parsers so that
 * hls.h and dash.h need nothing but libc.
 */
#ifndef VSP_MANIFEST_JSON_H
#define VSP_MANIFEST_JSON_H

#include <jansson.h>

#include "dash.h"
#include "hls.h"

/* What prober sees in the playlist. Caller owns the reference
 * (json_decref()); NULL on out of memory. */
json_t *vsp_hls_to_json(const vsp_hls_playlist *pl);

/* What prober sees in the MPD, as JSON for `prober manifest`: periods,
 * adaptation sets, representations and the first segment URLs of each,
 * resolved. Caller owns the reference (json_decref()). */
json_t *vsp_dash_to_json(const vsp_dash_mpd *m);

#endif
