/*
 * sample.c - the segment sample of a rendition and the container sniffer.
 *
 * Pure: no I/O, no allocation. The sniffer reads at most the bytes given
 * and never trusts a size it has not bounded by them.
 */
#include "sample.h"

#include <string.h>

#include "limits.h"

const char *vsp_seg_role_name(vsp_seg_role r)
{
	static const char *const names[] = {
		[VSP_SEG_FIRST] = "first",     [VSP_SEG_MIDDLE] = "middle",
		[VSP_SEG_LAST] = "last",       [VSP_SEG_SAMPLE] = "sample",
		[VSP_SEG_START] = "start",     [VSP_SEG_NEWEST] = "newest",
		[VSP_SEG_REMOVED] = "removed",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

size_t vsp_sample_pick(int64_t n, int want, uint64_t rotation, int64_t *pos,
		       vsp_seg_role *roles, size_t cap)
{
	int64_t k, inner, span;
	size_t out = 0;

	if (n <= 0 || cap == 0)
		return 0;
	if (cap > VSP_MAX_SEGMENT_CHECKS)
		cap = VSP_MAX_SEGMENT_CHECKS;
	k = want == VSP_SEGMENTS_ALL || want > n ? n : want;
	if (k < 1)
		k = 1;
	if ((uint64_t)k > cap)
		k = (int64_t)cap;
	pos[out] = 0;
	roles[out++] = VSP_SEG_FIRST;
	if (k == 1 || n == 1)
		return out;
	/* Positions 1..n-2 are the span the inner ones rotate over. */
	span = n - 2;
	inner = k - 2;
	for (int64_t i = 0; i < inner && span > 0; i++) {
		/* Evenly spaced, centred in their stride: rotation 0 with one
		 * inner segment is the true middle. */
		int64_t base = (int64_t)(((2 * (__int128)i + 1) * span) /
					 (2 * (__int128)inner));
		int64_t p =
			1 +
			(int64_t)(((uint64_t)base + rotation % (uint64_t)span) %
				  (uint64_t)span);

		pos[out] = p;
		roles[out++] = inner == 1 ? VSP_SEG_MIDDLE : VSP_SEG_SAMPLE;
	}
	pos[out] = n - 1;
	roles[out++] = VSP_SEG_LAST;
	/* Rotation can wrap an inner position below an earlier one: sort
	 * (insertion; inner is small or already nearly sorted). */
	for (size_t i = 1; i < out; i++) {
		int64_t p = pos[i];
		vsp_seg_role r = roles[i];
		size_t j = i;

		while (j > 0 && pos[j - 1] > p) {
			pos[j] = pos[j - 1];
			roles[j] = roles[j - 1];
			j--;
		}
		pos[j] = p;
		roles[j] = r;
	}
	return out;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Box types a media segment or file begins with (ISO/IEC 14496-12, CMAF,
 * DASH: styp before moof, sidx/emsg/prft before the fragment). */
static int bmff_box(const uint8_t *b, size_t len)
{
	static const char *const types[] = { "ftyp", "styp", "moof", "sidx",
					     "emsg", "prft", "free", "skip",
					     "moov", "mdat", "ssix" };
	uint32_t size;

	if (len < 8)
		return 0;
	size = be32(b);
	/* 1: a 64-bit size follows; 0: to the end of the file. Otherwise at
	 * least the header. */
	if (size != 0 && size != 1 && size < 8)
		return 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (memcmp(b + 4, types[i], 4) == 0)
			return 1;
	return 0;
}

/* TS: sync byte 0x47 at the start of every whole 188-byte packet the
 * buffer holds (at least two when it holds two, so one stray 'G' is not a
 * stream). A partial last packet is not judged: it may be where the bytes
 * were cut, or an AES-128 segment's padding once decrypted. */
static int mpegts(const uint8_t *b, size_t len)
{
	size_t n = 0;

	for (size_t off = 0; off + 188 <= len; off += 188, n++)
		if (b[off] != 0x47)
			return 0;
	return n >= 2 || (n == 1 && len < 2 * 188);
}

/* ADTS frame header: 12-bit sync, layer 0, a valid sampling index and a
 * frame length that at least covers the header. */
static int adts(const uint8_t *b, size_t len)
{
	unsigned sf, flen;

	if (len < 7 || b[0] != 0xFF || (b[1] & 0xF6) != 0xF0)
		return 0;
	sf = (b[2] >> 2) & 0x0F;
	flen = ((unsigned)(b[3] & 0x03) << 11) | ((unsigned)b[4] << 3) |
	       (b[5] >> 5);
	return sf < 13 && flen >= 7;
}

const char *vsp_sniff_container(const uint8_t *b, size_t len)
{
	if (!b || len == 0)
		return NULL;
	if (b[0] == 0x47 && mpegts(b, len))
		return "mpegts";
	if (bmff_box(b, len))
		return "isobmff";
	if (len >= 4 && be32(b) == 0x1A45DFA3)
		return "webm";
	/* ID3v2 (packed audio's timestamp tag, RFC 8216 3.4): version 2-4,
	 * syncsafe size bytes below 0x80. */
	if (len >= 10 && memcmp(b, "ID3", 3) == 0 && b[3] >= 2 && b[3] <= 4 &&
	    b[4] != 0xFF && !((b[6] | b[7] | b[8] | b[9]) & 0x80))
		return "id3";
	if (adts(b, len))
		return "adts";
	return NULL;
}
