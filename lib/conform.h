/*
 * conform.h - conformance checks (issue 13): the MUSTs of RFC 8216 and
 * ISO/IEC 23009-1 that real players depend on, over parsed playlists and
 * MPDs, and over a pair of reloads of one live playlist.
 *
 * Pure functions: no I/O, nothing printed. Each finding names its clause; a
 * check (probe_hls.c, probe_dash.c) turns them into a warn with reason
 * spec_violation, `prober manifest --validate` prints them.
 */
#ifndef VSP_CONFORM_H
#define VSP_CONFORM_H

#include <stddef.h>

#include "dash.h"
#include "hls.h"

/* Findings kept per list: the first ones say enough, and a broken 100 000
 * segment playlist must not make a record of 100 000 lines. */
#define VSP_CONFORM_MAX 16

typedef struct vsp_conform_issue {
	char clause[40];   /* "RFC 8216 4.3.3.1" */
	char message[320]; /* what was seen, where */
} vsp_conform_issue;

struct vsp_conform_list;
typedef struct vsp_conform_list {
	vsp_conform_issue item[VSP_CONFORM_MAX];
	size_t n;
	size_t dropped; /* findings past VSP_CONFORM_MAX */
} vsp_conform_list;

/* One playlist (master or media): EXTINF over EXT-X-TARGETDURATION,
 * EXT-X-VERSION lower than the features used, PROGRAM-DATE-TIME going
 * backwards without a discontinuity, EXT-X-START without TIME-OFFSET.
 * Appends to out. */
void vsp_conform_hls(const vsp_hls_playlist *pl, vsp_conform_list *out);

/* Two loads of one live media playlist, prev before cur: media sequence
 * going backwards, a segment whose URI changed, EXT-X-DISCONTINUITY-
 * SEQUENCE inconsistent, a segment's PROGRAM-DATE-TIME changed. */
void vsp_conform_hls_reload(const vsp_hls_playlist *prev,
			    const vsp_hls_playlist *cur, vsp_conform_list *out);

/* An MPD: SegmentTimeline gaps and overlaps; dynamic MPDs with now (Unix
 * seconds, 0: not checked): a timeline segment listed outside its
 * availability window. rep NULL: every Representation; else only it. */
void vsp_conform_dash(const vsp_dash_mpd *m, const vsp_dash_representation *rep,
		      double now, vsp_conform_list *out);

#endif
