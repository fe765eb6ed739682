/*
 * dash_sidx.h - the Segment Index box (ISO/IEC 14496-12 8.16.3) a DASH
 * SegmentBase@indexRange names: bytes in, the first subsegment out.
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

#endif
