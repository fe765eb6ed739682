/*
 * failalloc.c - a malloc that refuses large allocations, for tests only.
 *
 * LD_PRELOAD'ed into prober by tests/integration/nomem.sh: every allocation
 * of FAILALLOC_OVER bytes or more (malloc, calloc, realloc and the aligned
 * ones FFmpeg uses) returns NULL with ENOMEM; smaller ones go to glibc.
 * Deterministic whatever the threads do: a 1080p picture (about 3 MB) can
 * never be had, a 160x90 stream never needs such a block. Without
 * FAILALLOC_OVER nothing is refused.
 *
 * Not for ASan builds (ASan's allocator comes first and cannot be
 * interposed): there nomem.sh uses ASAN_OPTIONS=max_allocation_size_mb.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

/* 0: not read yet; SIZE_MAX: no limit. */
static size_t over;

static int refuse(size_t n)
{
	if (!over) {
		const char *s = getenv("FAILALLOC_OVER");
		char *end;
		unsigned long long v = s ? strtoull(s, &end, 10) : 0;

		over = s && *s && !*end && v > 0 ? (size_t)v : (size_t)-1;
	}
	if (n < over)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	return refuse(n) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return __libc_calloc(n, size); /* glibc's own overflow error */
	return refuse(n * size) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return refuse(n) ? NULL : __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	return refuse(n) ? NULL : __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return refuse(n) ? NULL : __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (refuse(n))
		return ENOMEM;
	p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
