/*
 * dash_sidx.c - the first subsegment of a sidx box (dash_sidx.h). The box
 * comes from the network: every size and count is checked against the
 * bytes there are before it is read.
 */
#include "dash_sidx.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The size and header length of the box at pos: 0, or 1 when a 64-bit
 * size does not fit what is left, or -1 when the size does not fit. */
static int box_size(const uint8_t *buf, size_t len, size_t pos, uint64_t *size,
		    size_t *hdr, char *err, size_t errlen)
{
	*size = be32(buf + pos);
	*hdr = 8;
	if (*size == 1) {
		if (pos + 16 > len)
			return 1;
		*size = be64(buf + pos + 8);
		*hdr = 16;
	} else if (*size == 0) {
		*size = len - pos;
	}
	if (*size < *hdr || *size > len - pos) {
		vsp_err_printf(err, errlen,
			       "index box at byte %zu: size %llu does not fit "
			       "the %zu bytes of indexRange",
			       pos, (unsigned long long)*size, len);
		return -1;
	}
	return 0;
}

/* The first reference of the sidx box at pos (end: the byte after it). */
static int sidx_first_ref(const uint8_t *buf, size_t pos, size_t end, size_t q,
			  int64_t index_offset, int64_t *offset,
			  int64_t *length, double *duration, char *err,
			  size_t errlen)
{
	uint32_t timescale, ref, dur;
	uint64_t first_offset;
	unsigned version;

	/* version+flags, reference_ID, timescale */
	if (q + 12 > end)
		goto short_box;
	version = buf[q];
	timescale = be32(buf + q + 8);
	q += 12;
	if (version == 0) {
		if (q + 8 > end)
			goto short_box;
		first_offset = be32(buf + q + 4);
		q += 8;
	} else {
		if (q + 16 > end)
			goto short_box;
		first_offset = be64(buf + q + 8);
		q += 16;
	}
	/* reserved(16) reference_count(16), then 12 bytes a reference */
	if (q + 4 > end || be32(buf + q) == 0 || q + 4 + 12 > end)
		goto short_box;
	q += 4;
	ref = be32(buf + q);
	dur = be32(buf + q + 4);
	if (ref & 0x80000000u) {
		vsp_err_printf(err, errlen,
			       "sidx references another sidx (hierarchical "
			       "index): not supported");
		return -1;
	}
	if (first_offset > (uint64_t)INT64_MAX / 2 || timescale == 0) {
		vsp_err_printf(err, errlen,
			       "sidx: first_offset %llu or timescale %u out "
			       "of range",
			       (unsigned long long)first_offset, timescale);
		return -1;
	}
	/* Offsets count from the first byte after the sidx box. */
	*offset = index_offset + (int64_t)end + (int64_t)first_offset;
	*length = (int64_t)(ref & 0x7fffffffu);
	*duration = (double)dur / (double)timescale;
	if (*length == 0) {
		vsp_err_printf(err, errlen, "sidx: first subsegment is empty");
		return -1;
	}
	return 0;
short_box:
	vsp_err_printf(err, errlen, "sidx box at byte %zu is truncated", pos);
	return -1;
}

int vsp_dash_sidx_first(const uint8_t *buf, size_t len, int64_t index_offset,
			int64_t *offset, int64_t *length, double *duration,
			char *err, size_t errlen)
{
	size_t pos = 0;

	while (pos + 8 <= len) {
		uint64_t size;
		size_t hdr;
		int rc = box_size(buf, len, pos, &size, &hdr, err, errlen);

		if (rc < 0)
			return -1;
		if (rc > 0)
			break;
		if (memcmp(buf + pos + 4, "sidx", 4) != 0) {
			pos += (size_t)size;
			continue;
		}
		return sidx_first_ref(buf, pos, pos + (size_t)size, pos + hdr,
				      index_offset, offset, length, duration,
				      err, errlen);
	}
	vsp_err_printf(err, errlen,
		       "no sidx box in the %zu bytes of indexRange", len);
	return -1;
}
