/*
 * dynbuf.c - the capped growing buffer. Never grows past its cap, never
 * overwrites its first error.
 */
#include "dynbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* The first allocation: small texts (URLs, messages) need no copy. */
#define FIRST_ALLOC 64

void vsp_buf_init(vsp_buf *b, size_t toobig)
{
	memset(b, 0, sizeof(*b));
	b->toobig = toobig;
}

void vsp_buf_free(vsp_buf *b)
{
	free(b->p);
	vsp_buf_init(b, b->toobig);
}

void vsp_buf_reset(vsp_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void vsp_buf_setlen(vsp_buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
	if (b->p)
		b->p[b->len] = '\0';
	b->err = 0;
}

static int fail(vsp_buf *b, int e)
{
	if (!b->err)
		b->err = e;
	return b->err;
}

int vsp_buf_grow(vsp_buf *b, size_t want)
{
	char *p;

	if (b->err)
		return b->err;
	if (want <= b->alloc)
		return 0;
	if (want > b->toobig)
		return fail(b, VSP_E_LIMIT);
	p = realloc(b->p, want);
	if (!p)
		return fail(b, VSP_E_NOMEM);
	if (!b->p)
		p[0] = '\0';
	b->p = p;
	b->alloc = want;
	return 0;
}

int vsp_buf_add(vsp_buf *b, const void *mem, size_t n)
{
	size_t fit;

	if (b->err)
		return b->err;
	/* len + n + 1 (the NUL) must fit in toobig. */
	if (n >= b->toobig - b->len)
		return fail(b, VSP_E_LIMIT);
	fit = b->len + n + 1;
	if (fit > b->alloc) {
		size_t a = b->alloc ? b->alloc : FIRST_ALLOC;

		while (a < fit)
			a = a > b->toobig / 2 ? b->toobig : a * 2;
		if (a > b->toobig)
			a = b->toobig;
		if (vsp_buf_grow(b, a))
			return b->err;
	}
	if (n)
		memcpy(b->p + b->len, mem, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int vsp_buf_adds(vsp_buf *b, const char *s)
{
	return vsp_buf_add(b, s, strlen(s));
}

int vsp_buf_addf(vsp_buf *b, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n, rc;

	if (b->err)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(b, VSP_E_INTERNAL);
	if ((size_t)n < sizeof(small))
		return vsp_buf_add(b, small, (size_t)n);
	if ((size_t)n >= b->toobig)
		return fail(b, VSP_E_LIMIT);
	big = malloc((size_t)n + 1);
	if (!big)
		return fail(b, VSP_E_NOMEM);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = vsp_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

void vsp_buf_fit(vsp_buf *b)
{
	char *p;

	if (!b->p || b->alloc <= b->len + 1)
		return;
	p = realloc(b->p, b->len + 1);
	if (p) {
		b->p = p;
		b->alloc = b->len + 1;
	}
}

const char *vsp_buf_str(const vsp_buf *b)
{
	return b->p ? b->p : "";
}

char *vsp_buf_take(vsp_buf *b, size_t *len)
{
	char *p;

	if (b->err)
		return NULL;
	if (!b->p && vsp_buf_grow(b, 1))
		return NULL;
	p = b->p;
	if (len)
		*len = b->len;
	b->p = NULL;
	vsp_buf_init(b, b->toobig);
	return p;
}
