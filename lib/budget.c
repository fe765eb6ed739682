/*
 * budget.c - a check's memory budget: bytes reserved before they are
 * allocated, waiters woken when bytes come back.
 *
 * Holders that wait for each other would wait until the deadline and make a
 * timeout of what is a lack of memory: the last holder to start waiting
 * while every other holder waits too fails at once instead. Never prints.
 */
#include "budget.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

struct vsp_budget {
	pthread_mutex_t lock;
	pthread_cond_t freed; /* on CLOCK_MONOTONIC, as deadlines */
	size_t total, used;
	int holders; /* holds with held > 0 */
	int stuck;   /* of them, waiting for more */
};

vsp_budget *vsp_budget_new(size_t total)
{
	vsp_budget *b = calloc(1, sizeof(*b));
	pthread_condattr_t ca;

	if (!b)
		return NULL;
	b->total = total;
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->freed, &ca);
	pthread_condattr_destroy(&ca);
	return b;
}

void vsp_budget_free(vsp_budget *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->freed);
	free(b);
}

size_t vsp_budget_used(vsp_budget *b)
{
	size_t u;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	u = b->used;
	pthread_mutex_unlock(&b->lock);
	return u;
}

size_t vsp_budget_total(const vsp_budget *b)
{
	return b ? b->total : 0;
}

#define MB(x) ((double)(x) / (1024.0 * 1024.0))

int vsp_budget_take(vsp_budget_hold *h, size_t n, int64_t deadline_us,
		    char *err, size_t errlen)
{
	vsp_budget *b = h ? h->b : NULL;
	int rc = 0, waiting = 0;

	if (!b || n == 0)
		return 0;
	pthread_mutex_lock(&b->lock);
	if (n > b->total - h->held) {
		snprintf(err, errlen,
			 "%.1f MB more (%.1f MB held) is over the check's "
			 "memory budget of %.0f MB (--max-memory)",
			 MB(n), MB(h->held), MB(b->total));
		rc = -2;
		goto out;
	}
	while (b->used + n > b->total) {
		struct timespec ts;
		int64_t left;

		if (h->held > 0 && b->stuck + (waiting ? 0 : 1) >= b->holders) {
			snprintf(err, errlen,
				 "%.1f MB more (%.1f MB held) does not fit in "
				 "the check's memory budget of %.0f MB "
				 "(--max-memory) beside what the other "
				 "renditions hold",
				 MB(n), MB(h->held), MB(b->total));
			rc = -2;
			break;
		}
		left = deadline_us ? deadline_us - vsp_now_us() : 3600000000LL;
		if (left <= 0) {
			snprintf(err, errlen,
				 "the deadline came while %.1f MB waited for "
				 "the check's memory budget of %.0f MB "
				 "(--max-memory)",
				 MB(n), MB(b->total));
			rc = -1;
			break;
		}
		if (!waiting && h->held > 0)
			b->stuck++;
		waiting = 1;
		ts = vsp_timespec_in(CLOCK_MONOTONIC, left);
		pthread_cond_timedwait(&b->freed, &b->lock, &ts);
	}
	if (waiting && h->held > 0)
		b->stuck--;
	if (rc == 0) {
		if (h->held == 0)
			b->holders++;
		h->held += n;
		b->used += n;
	}
out:
	pthread_mutex_unlock(&b->lock);
	return rc;
}

void vsp_budget_give(vsp_budget_hold *h, size_t n)
{
	vsp_budget *b = h ? h->b : NULL;

	if (!b || n == 0)
		return;
	pthread_mutex_lock(&b->lock);
	if (n > h->held)
		n = h->held; /* a caller's slip must not wrap the count */
	h->held -= n;
	b->used -= n;
	if (h->held == 0)
		b->holders--;
	pthread_cond_broadcast(&b->freed);
	pthread_mutex_unlock(&b->lock);
}
