/*
 * fuzz_decode.c - libFuzzer target for vsp_decode(): demux, integrity
 * checks and decode of segment bytes.
 *
 * Segments come from origins we do not control: any bytes must give a
 * verdict, never a crash, a leak, undefined behaviour or a read outside
 * the buffers. An input is an init segment and a media segment: its first
 * two bytes (little endian) say how many of the rest are the init, so the
 * fuzzer mutates the split too. Each input is decoded as video and as
 * audio, with the default N frames and with every frame (decode all), under
 * a deadline so a slow input ends like a check would.
 */
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Long enough for a real 2 s segment, short of libFuzzer's -timeout. */
#define FUZZ_DEADLINE_US (2 * 1000000LL)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vsp_decode_global_init(0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t init_len;

	if (size < 2)
		return 0;
	init_len = (size_t)data[0] | (size_t)data[1] << 8;
	data += 2;
	size -= 2;
	if (init_len > size)
		init_len = size;
	for (int mode = 0; mode < 4; mode++) {
		vsp_decode_opts o = { .max_frames = 5 };
		vsp_decode_info info;
		char err[512];

		o.audio = mode & 1;
		o.decode_all = (mode & 2) != 0;
		o.deadline_us = vsp_now_us() + FUZZ_DEADLINE_US;
		(void)vsp_decode(init_len ? data : NULL, init_len,
				 data + init_len, size - init_len, &o, &info,
				 err, sizeof(err));
	}
	return 0;
}
