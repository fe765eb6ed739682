/*
 * pick.c - which renditions of a ladder a check probes, one rule for HLS and
 * DASH, and the rendition slots of an origin.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "probe_int.h"

int vsp_pick_ladder(const int64_t *bw, size_t n, vsp_pick pick, int count,
		    size_t *out)
{
	size_t *order, k = 0;

	if (pick == VSP_PICK_ALL || n == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = i;
		return (int)n;
	}
	order = malloc(n * sizeof(*order));
	if (!order)
		return -1;
	/* Insertion sort by bandwidth: ladders are short and often sorted. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && bw[order[j - 1]] > bw[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	if (pick == VSP_PICK_LOWEST) {
		out[k++] = order[0];
	} else if (pick == VSP_PICK_HIGHEST) {
		out[k++] = order[n - 1];
	} else {
		size_t want = (size_t)count < n ? (size_t)count : n;

		/* Spread over the ladder, lowest and highest included. */
		for (size_t i = 0; i < want; i++)
			out[k++] =
				order[want == 1 ? 0 : i * (n - 1) / (want - 1)];
	}
	free(order);
	return (int)k;
}

int vsp_origin_alloc_renditions(struct origin_ctx *o, size_t n)
{
	if (n == 0)
		return 0;
	o->res->renditions = calloc(n, sizeof(*o->res->renditions));
	o->jobs = calloc(n, sizeof(*o->jobs));
	if (!o->res->renditions || !o->jobs)
		return -1;
	o->res->n_renditions = n;
	o->n_jobs = n;
	for (size_t i = 0; i < n; i++)
		o->jobs[i].r = &o->res->renditions[i];
	return 0;
}
