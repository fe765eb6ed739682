/*
 * test_pipe.c - the bounded byte pipe between a transfer and a demuxer:
 * every byte arrives once and in order through a pipe smaller than the
 * body, the writer waits while it is full, a closed reader makes writes
 * drop instead of block, and every wait ends by the deadline.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "pipe.h"

#define BODY (1000 * 1000 + 7)

struct writer {
	vsp_pipe *p;
	const uint8_t *body;
	size_t len, chunk;
};

/* Writes the body in chunks of w->chunk (as curl hands them), then the
 * end. */
static void *write_all(void *arg)
{
	struct writer *w = arg;

	for (size_t off = 0; off < w->len; off += w->chunk) {
		size_t n = w->len - off < w->chunk ? w->len - off : w->chunk;

		vsp_pipe_write(w->p, w->body + off, n);
	}
	vsp_pipe_close_write(w->p);
	return NULL;
}

static uint8_t *pattern(size_t n)
{
	uint8_t *b = malloc(n);

	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + (i >> 9));
	return b;
}

/* A body 250 times the pipe's size, read in odd sizes: every byte once,
 * in order, then the end; and the writer had to wait. */
static void test_bytes_in_order(void **state)
{
	uint8_t *body = pattern(BODY), *got = malloc(BODY);
	vsp_pipe p;
	pthread_t t;
	struct writer w = { &p, body, BODY, 16384 + 3 };
	size_t have = 0;
	long n;

	(void)state;
	assert_non_null(got);
	assert_int_equal(vsp_pipe_init(&p, 4000, vsp_now_us() + 20000000), 0);
	assert_int_equal(pthread_create(&t, NULL, write_all, &w), 0);
	while ((n = vsp_pipe_read(&p, got + have,
				  BODY - have < 777 ? BODY - have : 777)) > 0)
		have += (size_t)n;
	assert_int_equal(n, 0);
	pthread_join(t, NULL);
	assert_int_equal(have, BODY);
	assert_memory_equal(got, body, BODY);
	assert_true(p.stalled_us > 0);
	vsp_pipe_destroy(&p);
	free(body);
	free(got);
}

/* A reader that stops: the writer's bytes are dropped, it does not wait
 * until the deadline. */
static void test_closed_reader_drops(void **state)
{
	uint8_t *body = pattern(BODY), buf[100];
	vsp_pipe p;
	pthread_t t;
	struct writer w = { &p, body, BODY, 65536 };
	int64_t t0 = vsp_now_us();

	(void)state;
	assert_int_equal(vsp_pipe_init(&p, 4096, t0 + 30000000), 0);
	assert_int_equal(pthread_create(&t, NULL, write_all, &w), 0);
	assert_int_equal(vsp_pipe_read(&p, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, body, 100);
	vsp_pipe_close_read(&p);
	pthread_join(t, NULL);
	assert_true(vsp_now_us() - t0 < 10000000);
	vsp_pipe_destroy(&p);
	free(body);
}

/* Nothing comes: the read ends at the deadline with -1; a writer with no
 * reader ends there too, its bytes dropped. */
static void test_deadline(void **state)
{
	uint8_t buf[16], big[8192] = { 0 };
	vsp_pipe p;
	int64_t t0 = vsp_now_us();

	(void)state;
	assert_int_equal(vsp_pipe_init(&p, 1024, t0 + 200000), 0);
	assert_int_equal(vsp_pipe_read(&p, buf, sizeof(buf)), -1);
	assert_true(vsp_now_us() - t0 >= 190000);
	vsp_pipe_write(&p, big, sizeof(big)); /* returns at the deadline */
	assert_int_equal(p.len, 1024);
	/* What was written is still read, then the deadline again. */
	assert_int_equal(vsp_pipe_read(&p, buf, sizeof(buf)), 16);
	vsp_pipe_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_in_order),
		cmocka_unit_test(test_closed_reader_drops),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
