/*
 * pipe.c - a bounded byte pipe between a transfer and a demuxer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "pipe.h"

int vsp_pipe_init(vsp_pipe *p, size_t cap, int64_t deadline_us)
{
	memset(p, 0, sizeof(*p));
	p->ring = malloc(cap);
	if (!p->ring)
		return -1;
	p->cap = cap;
	p->deadline_us = deadline_us;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->moved, NULL);
	return 0;
}

void vsp_pipe_destroy(vsp_pipe *p)
{
	if (!p->ring)
		return;
	pthread_cond_destroy(&p->moved);
	pthread_mutex_destroy(&p->lock);
	free(p->ring);
	p->ring = NULL;
}

/* Waits (lock held) for the other end; -1 at the deadline. The condition
 * waits on the realtime clock, the deadline is monotonic: what is left is
 * converted. */
static int wait_moved(vsp_pipe *p)
{
	struct timespec ts;
	int64_t left;

	if (!p->deadline_us) {
		pthread_cond_wait(&p->moved, &p->lock);
		return 0;
	}
	left = p->deadline_us - vsp_now_us();
	if (left <= 0)
		return -1;
	ts = vsp_timespec_in(CLOCK_REALTIME, left);
	pthread_cond_timedwait(&p->moved, &p->lock, &ts);
	return 0;
}

void vsp_pipe_write(vsp_pipe *p, const uint8_t *data, size_t n)
{
	pthread_mutex_lock(&p->lock);
	while (n > 0 && !p->reader_done) {
		size_t tail, k;

		if (p->len == p->cap) {
			int64_t t0 = vsp_now_us();
			int rc = wait_moved(p);

			p->stalled_us += vsp_now_us() - t0;
			if (rc != 0)
				break;
			continue;
		}
		tail = (p->head + p->len) % p->cap;
		k = p->cap - p->len;
		if (k > p->cap - tail)
			k = p->cap - tail;
		if (k > n)
			k = n;
		memcpy(p->ring + tail, data, k);
		p->len += k;
		data += k;
		n -= k;
		pthread_cond_broadcast(&p->moved);
	}
	pthread_mutex_unlock(&p->lock);
}

void vsp_pipe_close_write(vsp_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->writer_done = 1;
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
}

long vsp_pipe_read(vsp_pipe *p, uint8_t *buf, size_t n)
{
	size_t k;

	pthread_mutex_lock(&p->lock);
	while (p->len == 0 && !p->writer_done) {
		if (wait_moved(p) != 0) {
			pthread_mutex_unlock(&p->lock);
			return -1;
		}
	}
	k = p->len < n ? p->len : n;
	if (k > p->cap - p->head)
		k = p->cap - p->head;
	memcpy(buf, p->ring + p->head, k);
	p->head = (p->head + k) % p->cap;
	p->len -= k;
	if (p->len == 0)
		p->head = 0;
	if (k > 0)
		pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
	return (long)k;
}

void vsp_pipe_close_read(vsp_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->reader_done = 1;
	p->len = 0;
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
}
