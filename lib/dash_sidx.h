/*
 * dash_sidx.h - the Segment Index box (ISO/IEC 14496-12 8.16.3) a DASH
 * SegmentBase@indexRange names: bytes in, the subsegments out (the first,
 * which a player fetches first, or all of them, for the VOD sample).
 */
#ifndef VSP_DASH_SIDX_H
#define VSP_DASH_SIDX_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the sidx a SegmentBase@indexRange may name. */
#define VSP_DASH_SIDX_MAX_BYTES (1024L * 1024)

/* The first subsegment a sidx box names, for SegmentBase. buf holds the
 * bytes of indexRange, which start at file offset index_offset. Returns 0
 * with an absolute byte range and duration; -1 with a message on a
 * malformed or hierarchical index. */
int vsp_dash_sidx_first(const uint8_t *buf, size_t len, int64_t index_offset,
			int64_t *offset, int64_t *length, double *duration,
			char *err, size_t errlen);

/* One reference of a sidx: an absolute byte range of the file. */
typedef struct vsp_dash_sidx_ref {
	int64_t offset, length;
	double duration; /* subsegment_duration, seconds */
	int index; /* 1: the range begins with another sidx (hierarchical) */
} vsp_dash_sidx_ref;

/* Every reference of the first sidx box in indexRange, in file order.
 * refs is owned (vsp_dash_sidx_clear()); it holds at most
 * VSP_DASH_SIDX_MAX_REFS of them (limits.h), while count and end are
 * the box's own: end is the byte after the last reference, the least
 * size the file has if its own index is true. */
typedef struct vsp_dash_sidx {
	vsp_dash_sidx_ref *refs;
	size_t n;     /* in refs */
	size_t count; /* reference_count; over n when capped */
	int64_t end;
} vsp_dash_sidx;

/* Parses the sidx in buf (the bytes of indexRange, which start at file
 * offset index_offset) into *out. Returns 0; -1 with a message on a
 * malformed index (truncated, a size that does not fit, no references, an
 * empty reference, a zero timescale, offsets past 2^62); -2 with a message
 * on out of memory. *out is cleared first, and on any error. */
int vsp_dash_sidx_parse(const uint8_t *buf, size_t len, int64_t index_offset,
			vsp_dash_sidx *out, char *err, size_t errlen);
void vsp_dash_sidx_clear(vsp_dash_sidx *s);

#endif
