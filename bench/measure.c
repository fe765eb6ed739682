/*
 * measure.c - runs one command and prints what it cost: wall time, CPU time
 * (user + system, the command's and every process it waited for) and peak
 * resident memory, from wait4()'s rusage. The benchmark's stopwatch.
 *
 * usage: measure [-o FILE] COMMAND [ARGS...]   (-o: the command's stdout)
 * prints: wall_s user_s sys_s maxrss_kb exit_status minor_faults
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	struct rusage ru;
	const char *out = NULL;
	double t0;
	int status;
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
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("measure: wait4");
			return 2;
		}
	/* On Linux the rusage of a waited child includes the children it
	 * waited for itself, and ru_maxrss is the largest of them. */
	printf("%.4f %.4f %.4f %ld %d %ld\n", now_s() - t0, tv_s(ru.ru_utime),
	       tv_s(ru.ru_stime), ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_minflt);
	return 0;
}
