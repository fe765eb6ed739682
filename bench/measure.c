/*
 * measure.c - runs one command and prints what it cost: wall time, CPU time
 * (user + system, the command's and every process it waited for) and peak
 * resident memory, from wait4()'s rusage. The benchmark's stopwatch.
 *
 * usage: measure [-o FILE] COMMAND [ARGS...]   (-o: the command's stdout)
 * prints: wall_s user_s sys_s maxrss_kb exit_status minor_faults anon_kb
 *
 * anon_kb is the peak of the command's RssAnon (its private heap, stacks
 * and anonymous maps, without the shared library pages every process on
 * the machine shares): the kernel keeps no peak of it, so it is sampled
 * from /proc/PID/status every SAMPLE_NS while the command runs (the
 * command's process only, not its children; 0 when it could not be read).
 * A peak shorter than a sample interval may be missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 1 ms: a default check of the HD ladder lasts 100 to 200 ms; one read of
 * /proc/PID/status costs measure (not the command) about 20 us. */
#define SAMPLE_NS 1000000L

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The RssAnon of pid in kB, or -1 once it cannot be read (it exited). */
static long rss_anon_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "RssAnon:", 8) == 0) {
			kb = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Waits for pid, sampling its RssAnon meanwhile (*peak_kb, the largest
 * seen). 0, or -1 with errno. */
static int wait_sampling(pid_t pid, int *status, struct rusage *ru,
			 long *peak_kb)
{
	const struct timespec gap = { 0, SAMPLE_NS };

	*peak_kb = 0;
	for (;;) {
		pid_t got = wait4(pid, status, WNOHANG, ru);
		long kb;

		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -1;
		kb = rss_anon_kb(pid);
		if (kb > *peak_kb)
			*peak_kb = kb;
		nanosleep(&gap, NULL);
	}
}

int main(int argc, char **argv)
{
	struct rusage ru;
	const char *out = NULL;
	double t0;
	int status;
	long anon_kb;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		out = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: measure [-o FILE] COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		if (out) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (fd < 0 || dup2(fd, 1) < 0) {
				perror(out);
				_exit(127);
			}
			close(fd);
		}
		execvp(argv[1], argv + 1);
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (wait_sampling(pid, &status, &ru, &anon_kb) != 0) {
		perror("measure: wait4");
		return 2;
	}
	/* On Linux the rusage of a waited child includes the children it
	 * waited for itself, and ru_maxrss is the largest of them. */
	printf("%.4f %.4f %.4f %ld %d %ld %ld\n", now_s() - t0,
	       tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_minflt, anon_kb);
	return 0;
}
