/*
 * dash_sidx.c - the references of a sidx box (dash_sidx.h). The box comes
 * from the network: every size and count is checked against the bytes
 * there are before it is read, and what is kept is capped (limits.h).
 */
#include "dash_sidx.h"
#include "error.h"
#include "limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offsets past this are no file an origin serves; it keeps every sum of
 * them (65535 references of at most 2^31 bytes each) inside int64_t. */
#define SIDX_MAX_OFFSET ((int64_t)1 << 62)

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

/* The fields before the references of the sidx box at pos (end: the byte
 * after it; q: after its header). Returns 0 with *q at the first
 * reference, -1 on a short box. */
static int sidx_header(const uint8_t *buf, size_t end, size_t *q,
		       uint32_t *timescale, uint64_t *first_offset,
		       size_t *count)
{
	size_t p = *q;
	unsigned version;

	/* version+flags, reference_ID, timescale */
	if (p + 12 > end)
		return -1;
	version = buf[p];
	*timescale = be32(buf + p + 8);
	p += 12;
	if (version == 0) {
		if (p + 8 > end)
			return -1;
		*first_offset = be32(buf + p + 4);
		p += 8;
	} else {
		if (p + 16 > end)
			return -1;
		*first_offset = be64(buf + p + 8);
		p += 16;
	}
	/* reserved(16) reference_count(16), then 12 bytes a reference */
	if (p + 4 > end)
		return -1;
	*count = be32(buf + p) & 0xffffu;
	p += 4;
	if (*count == 0 || *count > (end - p) / 12)
		return -1;
	*q = p;
	return 0;
}

/* The references of the sidx box at pos into out. */
static int sidx_refs(const uint8_t *buf, size_t pos, size_t end, size_t q,
		     int64_t index_offset, vsp_dash_sidx *out, char *err,
		     size_t errlen)
{
	uint32_t timescale;
	uint64_t first_offset;
	size_t count, keep;
	int64_t at;

	if (sidx_header(buf, end, &q, &timescale, &first_offset, &count) != 0) {
		vsp_err_printf(err, errlen, "sidx box at byte %zu is truncated",
			       pos);
		return -1;
	}
	if (first_offset > (uint64_t)SIDX_MAX_OFFSET || timescale == 0 ||
	    index_offset < 0 || index_offset > SIDX_MAX_OFFSET) {
		vsp_err_printf(err, errlen,
			       "sidx: first_offset %llu, timescale %u or "
			       "indexRange start %lld out of range",
			       (unsigned long long)first_offset, timescale,
			       (long long)index_offset);
		return -1;
	}
	keep = count < VSP_DASH_SIDX_MAX_REFS ? count : VSP_DASH_SIDX_MAX_REFS;
	out->refs = calloc(keep, sizeof(*out->refs));
	if (!out->refs) {
		vsp_err_printf(err, errlen,
			       "sidx: out of memory for %zu references", keep);
		return -2;
	}
	out->count = count;
	/* Offsets count from the first byte after the sidx box. */
	at = index_offset + (int64_t)end + (int64_t)first_offset;
	for (size_t i = 0; i < count; i++, q += 12) {
		uint32_t ref = be32(buf + q);
		int64_t size = (int64_t)(ref & 0x7fffffffu);

		if (size == 0) {
			vsp_err_printf(err, errlen,
				       "sidx: subsegment %zu of %zu is empty",
				       i + 1, count);
			return -1;
		}
		if (i < keep) {
			vsp_dash_sidx_ref *r = &out->refs[out->n++];

			r->offset = at;
			r->length = size;
			r->duration =
				(double)be32(buf + q + 4) / (double)timescale;
			r->index = (ref & 0x80000000u) != 0;
		}
		at += size;
	}
	out->end = at;
	return 0;
}

int vsp_dash_sidx_parse(const uint8_t *buf, size_t len, int64_t index_offset,
			vsp_dash_sidx *out, char *err, size_t errlen)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
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
		rc = sidx_refs(buf, pos, pos + (size_t)size, pos + hdr,
			       index_offset, out, err, errlen);
		if (rc != 0)
			vsp_dash_sidx_clear(out);
		return rc;
	}
	vsp_err_printf(err, errlen,
		       "no sidx box in the %zu bytes of indexRange", len);
	return -1;
}

void vsp_dash_sidx_clear(vsp_dash_sidx *s)
{
	if (!s)
		return;
	free(s->refs);
	memset(s, 0, sizeof(*s));
}

int vsp_dash_sidx_first(const uint8_t *buf, size_t len, int64_t index_offset,
			int64_t *offset, int64_t *length, double *duration,
			char *err, size_t errlen)
{
	vsp_dash_sidx s;

	if (vsp_dash_sidx_parse(buf, len, index_offset, &s, err, errlen) != 0)
		return -1;
	if (s.refs[0].index) {
		vsp_err_printf(err, errlen,
			       "sidx references another sidx (hierarchical "
			       "index): not supported");
		vsp_dash_sidx_clear(&s);
		return -1;
	}
	*offset = s.refs[0].offset;
	*length = s.refs[0].length;
	*duration = s.refs[0].duration;
	vsp_dash_sidx_clear(&s);
	return 0;
}
