/*
 * command.c - running an origin's headers_command and url_command.
 *
 * posix_spawn, not system(): no shell parses a probe file's strings. Pipes
 * are close-on-exec so a program started by one origin's thread never
 * holds another's open. The program is killed at its deadline, and when
 * its output outgrows the cap; either is the origin's failure, never a
 * hang of the check. Never prints, never exits.
 */
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "config.h"
#include "limits.h"
#include "probe.h"

extern char **environ;

/* What of stderr is kept for the message: its first line. */
#define STDERR_KEEP 512

static void kill_and_reap(pid_t pid, int *wstatus)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
}

/* One running program: its pipes, what it wrote, how it ended. */
struct child {
	pid_t pid;
	int po[2], pe[2]; /* stdout, stderr; -1 when closed */
	int wstatus, reaped;
	char *buf; /* VSP_COMMAND_OUTPUT_MAX + 1 */
	size_t n, en;
	char ebuf[STDERR_KEEP + 1];
};

static void child_kill(struct child *c)
{
	kill_and_reap(c->pid, &c->wstatus);
	c->reaped = 1;
}

/* Starts argv[0] with stdin from /dev/null and both outputs into pipes.
 * Returns 0, or -1 with a message in err. */
static int child_spawn(struct child *c, char *const *argv, char *const *envp,
		       char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int e;

	if (pipe2(c->po, O_CLOEXEC) != 0 || pipe2(c->pe, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
					     0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, c->po[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, c->pe[1], 2) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e = posix_spawn(&c->pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		c->pid = -1;
		snprintf(err, errlen, "cannot start: %s", strerror(e));
		return -1;
	}
	close(c->po[1]);
	close(c->pe[1]);
	c->po[1] = c->pe[1] = -1;
	return 0;
}

/* got bytes read from the pipe fd into the output (capped: over it the
 * program is killed) or the kept start of stderr. Returns 0 or -1. */
static int child_take(struct child *c, int is_out, const char *tmp, size_t got,
		      char *err, size_t errlen)
{
	if (is_out) {
		if (c->n + got > VSP_COMMAND_OUTPUT_MAX) {
			child_kill(c);
			snprintf(err, errlen, "output over %d bytes (killed)",
				 VSP_COMMAND_OUTPUT_MAX);
			return -1;
		}
		memcpy(c->buf + c->n, tmp, got);
		c->n += got;
	} else if (c->en < STDERR_KEEP) {
		size_t k =
			got < STDERR_KEEP - c->en ? got : STDERR_KEEP - c->en;

		memcpy(c->ebuf + c->en, tmp, k);
		c->en += k;
	}
	return 0;
}

/* Reads both pipes until both end (the program's exit alone is not
 * enough, a child of it may still write) or deadline_us passes, when the
 * program is killed. Returns 0, or -1 with a message in err. */
static int child_read(struct child *c, int64_t deadline_us, char *err,
		      size_t errlen)
{
	while (c->po[0] >= 0 || c->pe[0] >= 0) {
		struct pollfd fds[2];
		int64_t left = deadline_us - vsp_now_us();
		int nf = 0, r;

		if (left <= 0) {
			child_kill(c);
			snprintf(err, errlen, "no answer in time (killed)");
			return -1;
		}
		if (c->po[0] >= 0)
			fds[nf++] = (struct pollfd){ c->po[0], POLLIN, 0 };
		if (c->pe[0] >= 0)
			fds[nf++] = (struct pollfd){ c->pe[0], POLLIN, 0 };
		r = poll(fds, (nfds_t)nf,
			 (int)(left / 1000 > 1000 ? 1000 : left / 1000 + 1));
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < nf && r > 0; i++) {
			char tmp[4096];
			ssize_t got;
			int is_out = fds[i].fd == c->po[0];

			if (!fds[i].revents)
				continue;
			got = read(fds[i].fd, tmp, sizeof(tmp));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[i].fd);
				if (is_out)
					c->po[0] = -1;
				else
					c->pe[0] = -1;
				continue;
			}
			if (child_take(c, is_out, tmp, (size_t)got, err,
				       errlen))
				return -1;
		}
	}
	return 0;
}

/* Reaps the program; 0 when it exited with status 0, else -1 with its
 * end and the first line of its stderr, printable, in err. */
static int child_status(struct child *c, char *err, size_t errlen)
{
	while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR)
		;
	c->reaped = 1;
	c->ebuf[c->en] = '\0';
	c->ebuf[strcspn(c->ebuf, "\r\n")] = '\0';
	for (char *p = c->ebuf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (WIFSIGNALED(c->wstatus)) {
		snprintf(err, errlen, "killed by signal %d%s%s",
			 WTERMSIG(c->wstatus), c->ebuf[0] ? ": " : "", c->ebuf);
		return -1;
	}
	if (!WIFEXITED(c->wstatus) || WEXITSTATUS(c->wstatus) != 0) {
		snprintf(err, errlen, "exit status %d%s%s",
			 WIFEXITED(c->wstatus) ? WEXITSTATUS(c->wstatus) : -1,
			 c->ebuf[0] ? ": " : "", c->ebuf);
		return -1;
	}
	return 0;
}

int vsp_command_run(char *const *argv, char *const *envp, int64_t deadline_us,
		    char **out, size_t *len, char *err, size_t errlen)
{
	struct child c = { .pid = -1, .po = { -1, -1 }, .pe = { -1, -1 } };
	int rv = -1;

	*out = NULL;
	*len = 0;
	c.buf = malloc(VSP_COMMAND_OUTPUT_MAX + 1);
	if (!c.buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (child_spawn(&c, argv, envp, err, errlen) ||
	    child_read(&c, deadline_us, err, errlen) ||
	    child_status(&c, err, errlen))
		goto out;
	c.buf[c.n] = '\0';
	*out = c.buf;
	*len = c.n;
	c.buf = NULL;
	rv = 0;
out:
	if (c.pid > 0 && !c.reaped)
		kill_and_reap(c.pid, &c.wstatus);
	for (int i = 0; i < 2; i++) {
		if (c.po[i] >= 0)
			close(c.po[i]);
		if (c.pe[i] >= 0)
			close(c.pe[i]);
	}
	free(c.buf);
	return rv;
}

static int push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strndup(s, len);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

static int copy_strv(char ***dst, size_t *dn, char *const *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (push(dst, dn, src[i], strlen(src[i])))
			return -1;
	return 0;
}

/* prober's environment plus the origin's: PROBER_PROBE, PROBER_ORIGIN,
 * PROBER_URL. Built, not setenv(): other threads may be spawning. */
static char **make_env(const vsp_probe_cfg *cfg, const vsp_origin_cfg *oc)
{
	size_t n = 0, k = 0;
	char **env;
	const char *const names[] = { "PROBER_PROBE=", "PROBER_ORIGIN=",
				      "PROBER_URL=" };
	const char *vals[] = { cfg->name ? cfg->name : "",
			       oc->name ? oc->name : "", oc->url };

	while (environ && environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int ours = 0;

		for (size_t j = 0; j < 3; j++)
			if (strncmp(environ[i], names[j], strlen(names[j])) ==
			    0)
				ours = 1;
		if (!ours)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < 3; j++) {
		size_t l = strlen(names[j]) + strlen(vals[j]) + 1;
		char *e = malloc(l);

		if (!e) {
			/* Only the entries after prober's own are ours. */
			for (size_t i = k - j; i < k; i++)
				free(env[i]);
			free(env);
			return NULL;
		}
		snprintf(e, l, "%s%s", names[j], vals[j]);
		env[k++] = e;
	}
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	size_t k = 0;

	if (!env)
		return;
	while (env[k])
		k++;
	/* The three entries make_env() added come last. */
	for (size_t i = k >= 3 ? k - 3 : 0; i < k; i++)
		free(env[i]);
	free(env);
}

/* Runs one command of the origin; the message names it. */
static int run_one(const char *key, char **argv, char **env, int64_t deadline,
		   char **out, char *err, size_t errlen)
{
	char msg[512];
	size_t len;

	if (vsp_command_run(argv, env, deadline, out, &len, msg, sizeof(msg)) ==
	    0)
		return 0;
	snprintf(err, errlen, "%s %s: %s", key, argv[0], msg);
	return -1;
}

/* A header line's value, for the secrets. */
static const char *header_value(const char *line)
{
	const char *v = strchr(line, ':');

	v = v ? v + 1 : line;
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

static int add_headers(const char *argv0, const char *text, vsp_origin_cfg *r,
		       char *err, size_t errlen)
{
	const char *p = text;
	int line = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");
		char *l;

		line++;
		/* Tolerates CRLF and blank lines: what scripts print. */
		l = strndup(p, n && p[n - 1] == '\r' ? n - 1 : n);
		if (!l) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (*l) {
			if (!vsp_config_header_line_ok(l) ||
			    r->n_headers >= VSP_MAX_HEADERS) {
				/* The line is secret: not quoted back. */
				snprintf(err, errlen,
					 "headers_command %s: output line %d "
					 "is not 'Name: value'%s",
					 argv0, line,
					 r->n_headers >= VSP_MAX_HEADERS
						 ? " (or over the header limit)"
						 : "");
				free(l);
				return -1;
			}
			if (push(&r->headers, &r->n_headers, l, strlen(l)) ||
			    (*header_value(l) &&
			     push(&r->secrets, &r->n_secrets, header_value(l),
				  strlen(header_value(l))))) {
				free(l);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		free(l);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static int set_url(const char *argv0, const char *text, vsp_origin_cfg *r,
		   char *err, size_t errlen)
{
	size_t n = strcspn(text, "\r\n");
	char *url = strndup(text, n), msg[256];
	const char *q;

	if (!url) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The URL is secret: the message says what is wrong, not what. */
	if (vsp_config_check_value(VSP_VALUE_URL, url, msg, sizeof(msg))) {
		snprintf(err, errlen,
			 "url_command %s: the first output line is not an "
			 "http:// or https:// URL",
			 argv0);
		free(url);
		return -1;
	}
	q = strchr(url, '?');
	if (q && q[1] &&
	    push(&r->secrets, &r->n_secrets, q + 1, strlen(q + 1))) {
		free(url);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(r->url);
	r->url = url;
	r->secret_query = 1;
	return 0;
}

int vsp_origin_commands_run(const vsp_probe_cfg *cfg, const vsp_origin_cfg *oc,
			    int64_t deadline_us, vsp_origin_cfg *run, char *err,
			    size_t errlen)
{
	int64_t cap = vsp_now_us() + (int64_t)(VSP_COMMAND_TIMEOUT_S * 1e6);
	int64_t deadline = deadline_us < cap ? deadline_us : cap;
	char **env = NULL, *text = NULL;
	int rv = -1;

	memset(run, 0, sizeof(*run));
	run->insecure = oc->insecure;
	run->secret_query = oc->secret_query;
	if (!(run->name = strdup(oc->name ? oc->name : "")) ||
	    !(run->url = strdup(oc->url)) ||
	    (oc->cacert && !(run->cacert = strdup(oc->cacert))) ||
	    copy_strv(&run->headers, &run->n_headers, oc->headers,
		      oc->n_headers) ||
	    copy_strv(&run->resolve, &run->n_resolve, oc->resolve,
		      oc->n_resolve) ||
	    copy_strv(&run->secrets, &run->n_secrets, oc->secrets,
		      oc->n_secrets) ||
	    copy_strv(&run->header_hosts, &run->n_header_hosts,
		      oc->header_hosts, oc->n_header_hosts) ||
	    !(env = make_env(cfg, oc))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (oc->headers_command) {
		if (run_one("headers_command", oc->headers_command, env,
			    deadline, &text, err, errlen) ||
		    add_headers(oc->headers_command[0], text, run, err, errlen))
			goto out;
		free(text);
		text = NULL;
	}
	if (oc->url_command) {
		if (run_one("url_command", oc->url_command, env, deadline,
			    &text, err, errlen) ||
		    set_url(oc->url_command[0], text, run, err, errlen))
			goto out;
	}
	rv = 0;
out:
	free(text);
	free_env(env);
	return rv;
}
