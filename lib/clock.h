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

/* Wall clock, Unix seconds with fraction. */
static inline double vsp_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
