/*
 * pipe.h - a bounded byte pipe between two threads: a transfer writes a
 * body into it as the bytes arrive, a demuxer reads them (segment.c).
 *
 * The writer blocks while the pipe is full: that is the transfer's
 * back-pressure, so a body never needs more memory than the pipe holds.
 * Every wait ends by the deadline. Once the reader has closed its end,
 * writes are dropped (counted), so the transfer still ends as it would.
 */
#ifndef VSP_PIPE_H
#define VSP_PIPE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vsp_pipe {
	pthread_mutex_t lock;
	pthread_cond_t moved; /* bytes written or read, an end closed */
	uint8_t *ring;
	size_t cap, head, len; /* len bytes from ring[head], wrapping */
	int writer_done, reader_done;
	int64_t deadline_us; /* absolute, vsp_now_us() clock; 0: none */
	/* Microseconds the writer waited for room: time the reader, not the
	 * network, held the transfer back. */
	int64_t stalled_us;
} vsp_pipe;

/* 0, or -1 on out of memory. */
int vsp_pipe_init(vsp_pipe *p, size_t cap, int64_t deadline_us);
void vsp_pipe_destroy(vsp_pipe *p);

/* Writes all n bytes, waiting for room; returns early (the rest dropped)
 * when the reader has closed or at the deadline. */
void vsp_pipe_write(vsp_pipe *p, const uint8_t *data, size_t n);
/* No more bytes: the reader gets the end once it has read what is left. */
void vsp_pipe_close_write(vsp_pipe *p);

/* Up to n bytes: > 0 read, 0 at the end, -1 at the deadline. */
long vsp_pipe_read(vsp_pipe *p, uint8_t *buf, size_t n);
/* The reader wants no more: writes are dropped from now on. */
void vsp_pipe_close_read(vsp_pipe *p);

#endif
