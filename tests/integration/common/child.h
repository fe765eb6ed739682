/*
 * child.h - running the prober program as a child process, for the
 * integration suites in tests/integration/.
 *
 * Every suite checks the program the way a user's script, cron or a
 * monitoring system runs it: an argv (never a shell string), stdin from
 * /dev/null, stdout and stderr read to the end, the exit status, how long it
 * took and how much memory it used. This is that machinery, once.
 *
 * Header-only, every function static inline: the Makefile builds each
 * tests/integration/NAME.c into its own program, and a suite that leaves a function
 * unused must not warn about it. It needs only libc and jansson, not
 * cmocka: errors are returned, and each suite fails its test its own way.
 *
 *	child c;
 *
 *	if ((rc = child_run(&c, argv[0], argv, 60000.0)) != 0)
 *		fail_msg("cannot start %s: %s", argv[0], strerror(rc));
 *	... c.exit_status, c.out, child_json(&c) ...
 *	child_free(&c);
 *
 * child_start() and child_wait() are the two halves of child_run(), for a
 * suite that signals a child while it runs or runs two at once.
 *
 * A suite may define CHILD_OUT_CAP before including this to change how much
 * of each stream is kept.
 */
#ifndef PROBER_TESTS_CHILD_H
#define PROBER_TESTS_CHILD_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>

#include <cmocka.h>
#include <jansson.h>

extern char **environ;

/* Output of one stream of one run; more means something is badly wrong,
 * and the rest is not read (the child's next write gets SIGPIPE). */
#ifndef CHILD_OUT_CAP
#define CHILD_OUT_CAP (16u << 20)
#endif

typedef struct child {
	int exit_status; /* -1 when it did not exit: killed by a signal */
	int term_signal; /* the signal that ended it, else 0 */
	int timed_out;	 /* child_wait() killed it past its limit */
	/* What it wrote, NUL-terminated, at most CHILD_OUT_CAP bytes each;
	 * never NULL once started, so callers can strstr() them. */
	char *out, *err;
	size_t out_len, err_len;
	double wall_ms; /* from just before the spawn to the reaping */
	/* The same two moments by the wall clock (CLOCK_REALTIME, s), to
	 * compare with file times and a live stream's timeline. */
	double started_s, ended_s;
	long maxrss_kb; /* its peak RSS, from wait4() */
	json_t *doc;	/* child_json(): stdout parsed, NULL if not JSON */
	/* Between child_start() and child_wait(). */
	int running;
	pid_t pid;
	int fd[2]; /* read ends of its stdout and stderr, -1 closed */
	double start_ms;
} child;

static inline double child_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline double child_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts path with argv (argv[0] as the caller wants it seen: the plugin
 * may be started under another name), stdin from /dev/null, stdout and
 * stderr into pipes. Returns 0, or an errno value with nothing left open.
 * posix_spawn(), not fork(): nothing of this process runs in the child, and
 * a failed exec is an error here rather than an exit status 127 that would
 * pass for the program's own. */
static inline int child_start(child *c, const char *path, char *const argv[])
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;

	memset(c, 0, sizeof(*c));
	c->fd[0] = c->fd[1] = -1;
	c->out = calloc(1, 1);
	c->err = calloc(1, 1);
	if (c->out == NULL || c->err == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	/* O_CLOEXEC: the child keeps only the dup2()ed ends, so the read
	 * ends see end of file when it exits, not when a sibling does. */
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		rc = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	c->start_ms = child_now_ms();
	c->started_s = child_wall_s();
	rc = posix_spawn(&c->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	if (rc != 0)
		goto fail;
	c->fd[0] = out[0];
	c->fd[1] = err[0];
	c->running = 1;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
	return rc;
}

/* Appends what fd has to *buf; returns 0 at end of file, on an error, or
 * past CHILD_OUT_CAP. */
static inline int child_drain(int fd, char **buf, size_t *len)
{
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	char *p;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0 || *len + (size_t)n > CHILD_OUT_CAP)
		return 0;
	p = realloc(*buf, *len + (size_t)n + 1);
	if (p == NULL)
		return 0;
	memcpy(p + *len, chunk, (size_t)n);
	*len += (size_t)n;
	p[*len] = '\0';
	*buf = p;
	return 1;
}

static inline void child_sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(ms * 1e6) };

	nanosleep(&ts, NULL);
}

/* Reads the child's stdout and stderr until both end, and reaps it. Past
 * limit_ms after its start it is SIGKILLed: a hang must fail the test, not
 * stall the suite. Both streams are read at once, so a child that fills
 * one pipe while the other is being read cannot block. */
static inline void child_wait(child *c, double limit_ms)
{
	struct pollfd pfd[2];
	struct rusage ru;
	int wstatus = 0, open_fds = 0, reaped = 0;
	double nap_ms = 1;
	pid_t got;

	for (int i = 0; i < 2; i++) {
		pfd[i] = (struct pollfd){ .fd = c->fd[i], .events = POLLIN };
		open_fds += c->fd[i] >= 0;
	}
	while (open_fds > 0) {
		double left = limit_ms - (child_now_ms() - c->start_ms);

		if (left <= 0) {
			kill(c->pid, SIGKILL);
			c->timed_out = 1;
			break;
		}
		if (poll(pfd, 2, (int)left + 1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 ||
			    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!child_drain(pfd[i].fd, i ? &c->err : &c->out,
					 i ? &c->err_len : &c->out_len)) {
				/* Closed at once: past the cap, the child's
				 * next write fails (SIGPIPE) rather than
				 * blocking until its limit. */
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	c->fd[0] = c->fd[1] = -1;
	/* The streams can end before the process does (it closed them, or
	 * its exit is not complete yet): the limit still holds, checked at
	 * growing intervals (usually the first is enough). */
	memset(&ru, 0, sizeof(ru));
	for (;;) {
		got = wait4(c->pid, &wstatus, c->timed_out ? 0 : WNOHANG, &ru);
		if (got == c->pid) {
			reaped = 1;
			break;
		}
		if (got < 0 && errno != EINTR)
			break; /* not ours to reap: cannot happen */
		if (got == 0) {
			if (child_now_ms() - c->start_ms >= limit_ms) {
				kill(c->pid, SIGKILL);
				c->timed_out = 1;
			} else {
				child_sleep_ms(nap_ms);
				nap_ms = nap_ms < 20 ? 2 * nap_ms : 20;
			}
		}
	}
	c->wall_ms = child_now_ms() - c->start_ms;
	c->ended_s = child_wall_s();
	c->maxrss_kb = ru.ru_maxrss;
	c->running = 0;
	if (reaped && WIFEXITED(wstatus)) {
		c->exit_status = WEXITSTATUS(wstatus);
	} else {
		c->exit_status = -1;
		c->term_signal =
			reaped && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	}
}

/* child_start() then child_wait(): runs argv to its end. */
static inline int child_run(child *c, const char *path, char *const argv[],
			    double limit_ms)
{
	int rc = child_start(c, path, argv);

	if (rc == 0)
		child_wait(c, limit_ms);
	return rc;
}

/* Its stdout parsed (a JSON object or array, as json_loadb() takes), kept
 * in c->doc and freed by child_free(); NULL when stdout is empty or not
 * JSON. */
static inline json_t *child_json(child *c)
{
	if (c->doc == NULL && c->out_len > 0)
		c->doc = json_loadb(c->out, c->out_len, 0, NULL);
	return c->doc;
}

/* What it did, to stderr, for a failed test: the whole record is what one
 * needs to see (cmocka truncates its own messages). At most out_max and
 * err_max bytes of each stream: a record can hold a 40 KB name. */
static inline void child_dump(const child *c, const char *label, size_t out_max,
			      size_t err_max)
{
	size_t no = c->out_len < out_max ? c->out_len : out_max;
	size_t ne = c->err_len < err_max ? c->err_len : err_max;

	fflush(stdout);
	if (c->exit_status >= 0)
		fprintf(stderr, "---- %s exit %d", label, c->exit_status);
	else
		fprintf(stderr, "---- %s killed by signal %d%s", label,
			c->term_signal, c->timed_out ? " past its limit" : "");
	fprintf(stderr,
		", %.0f ms, peak RSS %ld KB; stdout:\n%.*s\n"
		"---- stderr:\n%.*s\n----\n",
		c->wall_ms, c->maxrss_kb, (int)no, c->out ? c->out : "",
		(int)ne, c->err ? c->err : "");
	fflush(stderr);
}

/* Kills and reaps it if it still runs (a test failed between start and
 * wait), and frees what it wrote. Safe on a zeroed child, and twice. */
static inline void child_free(child *c)
{
	if (c->running) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		for (int i = 0; i < 2; i++)
			if (c->fd[i] >= 0)
				close(c->fd[i]);
	}
	json_decref(c->doc);
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

/* The environment variable name, which the suite's shell driver sets; a
 * suite binary run without its driver stops here (exit 2) naming it. */
static inline const char *child_need_env(const char *suite, const char *name,
					 const char *driver)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "%s: %s is not set; run it through %s\n", suite,
			name, driver);
		exit(2);
	}
	return v;
}

/* The exit code a record's status means: 0 pass, 1 warn, 2 fail. */
static inline int child_status_exit(const char *status)
{
	if (strcmp(status, "pass") == 0)
		return 0;
	return strcmp(status, "warn") == 0 ? 1 : 2;
}

/* A table-driven suite: one cmocka test per row (n rows of size bytes,
 * each beginning with its `const char *name`), each run by fn with the row
 * as its state; only the row named only when only is set (to debug one).
 * Returns the tests filled in. */
static inline size_t child_rows(struct CMUnitTest *tests, const void *rows,
				size_t n, size_t size, void (*fn)(void **),
				const char *only)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const void *row = (const char *)rows + i * size;
		const char *name = *(const char *const *)row;

		if (only && strcmp(only, name) != 0)
			continue;
		memset(&tests[k], 0, sizeof(tests[k]));
		tests[k].name = name;
		tests[k].test_func = fn;
		tests[k].initial_state = (void *)row;
		k++;
	}
	return k;
}

/* A string member of a record object, "" when absent. */
static inline const char *child_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Arguments child_check_v() passes before the URL, at most. */
#define CHILD_CHECK_ARGS 24

/* Runs `PROBER check --json ARGS... URL` (ARGS the NULL-ended list ap)
 * under limit_ms. Returns its record (owned by c), or NULL when it could
 * not start or printed no JSON record (what it printed is dumped). */
static inline json_t *child_check_v(child *c, const char *prober,
				    const char *url, double limit_ms,
				    va_list ap)
{
	const char *argv[CHILD_CHECK_ARGS + 5];
	size_t n = 0;

	argv[n++] = prober;
	argv[n++] = "check";
	argv[n++] = "--json";
	for (const char *a; n < CHILD_CHECK_ARGS + 3 &&
			    (a = va_arg(ap, const char *));)
		argv[n++] = a;
	argv[n++] = url;
	argv[n] = NULL;
	if (child_run(c, prober, (char *const *)argv, limit_ms) != 0)
		return NULL;
	if (!child_json(c)) {
		child_dump(c, url, 4000, 4000);
		return NULL;
	}
	return c->doc;
}

#endif
