/*
 * fuzz_sidx.c - libFuzzer target for the sidx reader (lib/dash_sidx.c).
 *
 * The bytes of a SegmentBase@indexRange come from origins we do not
 * control: any bytes must give the references or an error, never a crash,
 * a leak, undefined behaviour or a read outside the buffer. The first 8
 * bytes of an input (big endian) are indexRange's file offset, so hostile
 * offsets are fuzzed too; every reference kept is checked to lie where the
 * reader says the index ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dash_sidx.h"
#include "limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vsp_dash_sidx x;
	int64_t at = 0, off, len;
	double dur;
	char err[512];

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		at = (int64_t)((uint64_t)at << 8 | data[i]);
	data += 8;
	size -= 8;
	if (vsp_dash_sidx_parse(data, size, at, &x, err, sizeof(err)) == 0) {
		if (x.n == 0 || x.n > x.count || x.n > VSP_DASH_SIDX_MAX_REFS)
			abort();
		for (size_t i = 0; i < x.n; i++)
			if (x.refs[i].length <= 0 || x.refs[i].offset < at ||
			    x.refs[i].offset + x.refs[i].length > x.end)
				abort();
	}
	vsp_dash_sidx_clear(&x);
	vsp_dash_sidx_first(data, size, at, &off, &len, &dur, err,
			    sizeof(err));
	return 0;
}
