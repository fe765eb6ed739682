/*
 * sample.h - which segments of a rendition a check touches, and whether the
 * first bytes of one look like media. Pure functions: no I/O, no allocation.
 *
 * VOD: the first segment is fetched whole and decoded; a sample spread over
 * the asset (by default the middle and the last) is checked to exist and to
 * begin with media. `prober run` passes a rotation counter that shifts the
 * middle of the sample, so successive runs cover the whole asset.
 */
#ifndef VSP_SAMPLE_H
#define VSP_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* cfg->segments value asking for every segment (up to
 * VSP_MAX_SEGMENT_CHECKS). */
#define VSP_SEGMENTS_ALL (-1)

typedef enum vsp_seg_role {
	VSP_SEG_FIRST = 0, /* fetched whole, decoded */
	VSP_SEG_MIDDLE,	   /* the one in between of the default sample */
	VSP_SEG_LAST,
	VSP_SEG_SAMPLE,	 /* spread by --segments N or all */
	VSP_SEG_START,	 /* live: where a player joins, decoded */
	VSP_SEG_NEWEST,	 /* live: the newest listed, decoded */
	VSP_SEG_REMOVED, /* live: just left the playlist, must still answer */
} vsp_seg_role;

/* "first", "middle", ... (stable: written in records). */
const char *vsp_seg_role_name(vsp_seg_role r);

/*
 * Positions (0..n-1) of the sample of want segments of a list of n, written
 * in ascending order to pos with their roles to roles (room for cap each).
 * want: VSP_SEGMENTS_ALL or >= 1. Position 0 is always first (role FIRST),
 * n-1 last when want >= 2; the others are spread evenly over the positions
 * in between, shifted by rotation (mod the span), so that rotation 0, 1, 2,
 * ... cover every position. Returns the count (at most cap and
 * VSP_MAX_SEGMENT_CHECKS).
 */
size_t vsp_sample_pick(int64_t n, int want, uint64_t rotation, int64_t *pos,
		       vsp_seg_role *roles, size_t cap);

/*
 * The container the first len bytes of a segment begin with: "mpegts",
 * "isobmff", "webm", "adts", "id3" (packed audio, or an ID3-tagged TS), or
 * NULL when they begin with none of them (an HTML error page, a playlist,
 * zeros). A short buffer is judged on what it holds.
 */
const char *vsp_sniff_container(const uint8_t *b, size_t len);

#endif
