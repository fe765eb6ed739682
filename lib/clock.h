/* clock.h - monotonic time for deadlines, wall time for records. */
#ifndef VSP_CLOCK_H
#define VSP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic microseconds: deadlines are absolute values of this clock. */
static inline int64_t vsp_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The time on clock left_us (>= 0) microseconds from now, for
 * pthread_cond_timedwait() on a condition of that clock: a wait until a
 * deadline of vsp_now_us()'s clock, given what is left of it. */
static inline struct timespec vsp_timespec_in(clockid_t clock, int64_t left_us)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += (time_t)(left_us / 1000000);
	ts.tv_nsec += (long)(left_us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* Wall clock, Unix seconds with fraction. */
static inline double vsp_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
