/*
 * term.c - what goes to a terminal passes through here: names, URIs and
 * messages from origins may hold control sequences (clear the screen, set
 * the window title); lib/termsafe.c replaces them. JSON output needs none.
 */
#include "term.h"

#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

/* Rotating buffers: a few term_str() results live in one printf call. */
#define TERM_SLOTS     8
#define TERM_SLOT_SIZE 8192

const char *term_str(const char *s)
{
	static char slots[TERM_SLOTS][TERM_SLOT_SIZE];
	static unsigned next;
	char *out;

	if (!s)
		return NULL;
	out = slots[next++ % TERM_SLOTS];
	vsp_term_safe(s, strlen(s), out, TERM_SLOT_SIZE);
	return out;
}

void term_write(FILE *out, const char *s, size_t n)
{
	/* Never longer than the input: one '?' stands for one byte or
	 * more. */
	char *safe = malloc(n + 1);

	if (!safe)
		return;
	fwrite(safe, 1, vsp_term_safe(s, n, safe, n + 1), out);
	free(safe);
}
