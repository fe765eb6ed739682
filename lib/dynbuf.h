/*
 * dynbuf.h - the one growing buffer of the library (curl's dynbuf).
 *
 * Every buffer that grows has a cap (toobig): an add that would make it
 * hold more than toobig - 1 bytes (toobig with the NUL) fails, and so does every add after a failure (the first
 * error wins, so a caller may add many times and look once). The bytes are
 * kept NUL-terminated.
 */
#ifndef VSP_DYNBUF_H
#define VSP_DYNBUF_H

#include <stddef.h>

typedef struct vsp_buf {
	char *p;       /* owned; NULL until the first byte */
	size_t len;    /* bytes held, without the NUL */
	size_t alloc;  /* bytes allocated */
	size_t toobig; /* len + 1 never goes over it; >= 1 */
	int err;       /* 0, VSP_E_LIMIT or VSP_E_NOMEM (error.h) */
} vsp_buf;

/* An empty buffer that may hold up to toobig - 1 bytes (toobig >= 1). */
void vsp_buf_init(vsp_buf *b, size_t toobig);
/* Frees the bytes; b is empty again (same cap, no error). */
void vsp_buf_free(vsp_buf *b);
/* len 0, memory and error kept. */
void vsp_buf_reset(vsp_buf *b);
/* Cuts to len (at most b->len) and clears the error: a caller rolling back
 * what it added since len. */
void vsp_buf_setlen(vsp_buf *b, size_t len);

/* Appends n bytes of mem (or the text of fmt). Returns 0, or b->err:
 * VSP_E_LIMIT (nothing of it added) or VSP_E_NOMEM. */
int vsp_buf_add(vsp_buf *b, const void *mem, size_t n);
int vsp_buf_adds(vsp_buf *b, const char *s);
int vsp_buf_addf(vsp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Makes room for want bytes in all (NUL included) without adding any:
 * for a size known ahead (Content-Length). Returns 0 or b->err. */
int vsp_buf_grow(vsp_buf *b, size_t want);
/* Gives back the memory beyond len + 1. */
void vsp_buf_fit(vsp_buf *b);

/* The text, "" when empty; borrowed, valid until the next add or free. */
const char *vsp_buf_str(const vsp_buf *b);
/* Hands the bytes to the caller (caller frees; an empty buffer gives an
 * allocated ""), *len when len is not NULL; b is empty again. NULL on out of
 * memory or when b has an error. */
char *vsp_buf_take(vsp_buf *b, size_t *len);

#endif
