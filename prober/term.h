/* term.h - text from origins made safe for a terminal (term.c). */
#ifndef PROBER_TERM_H
#define PROBER_TERM_H

#include <stdio.h>

/* s with control bytes replaced (vsp_term_safe()); NULL for NULL. The
 * result lives in one of a few rotating static buffers (single thread,
 * long text cut at 8 KB): use it within the statement. */
const char *term_str(const char *s);

/* Writes n bytes of s to out with control bytes replaced, newlines
 * kept. */
void term_write(FILE *out, const char *s, size_t n);

#endif
