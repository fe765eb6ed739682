/*
 * budget.h - the bytes one check may hold at once (issue 14).
 *
 * Every body a check fetches (manifest, playlists, keys, init, segments,
 * sniffed prefixes) and every large parse reserves its bytes here before it
 * grows, so a hostile origin cannot make a check buffer more than the
 * budget, however it sends (Content-Length, chunked, compressed). A
 * reservation that does not fit while others hold the rest waits for them
 * (up to the caller's deadline): large bodies lower the parallelism; only a
 * reservation that can never fit fails.
 */
#ifndef VSP_BUDGET_H
#define VSP_BUDGET_H

#include <stddef.h>
#include <stdint.h>

typedef struct vsp_budget vsp_budget;

/* What one holder (a worker thread, through its HTTP client) has reserved
 * of a budget. b NULL: no budget, every reservation succeeds. */
typedef struct vsp_budget_hold {
	vsp_budget *b;
	size_t held;
} vsp_budget_hold;

/* A budget of total bytes. Returns NULL on out of memory. Free with
 * vsp_budget_free() once every hold has given everything back. */
vsp_budget *vsp_budget_new(size_t total);
void vsp_budget_free(vsp_budget *b);
/* Bytes reserved now, and the budget's size. */
size_t vsp_budget_used(vsp_budget *b);
size_t vsp_budget_total(const vsp_budget *b);

/*
 * Reserves n bytes for h. Returns 0; -1 when the deadline (absolute,
 * vsp_now_us(); 0: none) came first; -2 when n can never fit: over the
 * budget with what h already holds, or every other holder is itself
 * waiting (they would wait for each other until the deadline). A message
 * for -1 and -2 goes to err.
 */
int vsp_budget_take(vsp_budget_hold *h, size_t n, int64_t deadline_us,
		    char *err, size_t errlen);
/* Gives n bytes of h's back (n <= h->held). */
void vsp_budget_give(vsp_budget_hold *h, size_t n);

/* What a parse may spend: it checks the deadline as it goes (every
 * VSP_PARSE_CHECK_EVERY lines or elements) and reserves the memory of what
 * it builds from hold before it builds it. */
typedef struct vsp_parse_bound {
	int64_t deadline_us;   /* absolute, vsp_now_us(); 0: none */
	vsp_budget_hold *hold; /* NULL: no budget */
} vsp_parse_bound;

#endif
