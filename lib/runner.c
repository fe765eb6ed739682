/*
 * runner.c - many probe checks on a worker pool, under locks and deadlines,
 * with records appended whole and the last-run state kept atomically.
 *
 * Order of a run, and why:
 *  1. take each candidate probe's lock (non-blocking: busy means another run
 *     has it, so skip it rather than wait and pile up behind a slow run);
 *  2. read the state only then: whoever ran a probe before wrote the state
 *     before letting its lock go, so what is read is fresh for every probe
 *     held, and two runs started at once cannot both find it due;
 *  3. check the due probes on the pool, appending each record as it ends;
 *  4. fsync the record files, then write the state, then let the locks go:
 *     the state never says "ran" for a record that is not on disk.
 * Never prints, never exits. Worker threads block every signal, so the
 * program's handler runs on its main thread and writes are not interrupted.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "datetime.h"
#include "file.h"
#include "limits.h"
#include "record.h"
#include "record_file.h"

#define STATE_FILE ".state.json"
#define STATE_TMP  ".state.json.tmp"
#define LOCK_DIR   ".locks"
/* Records say which streams failed when, with URLs: not for everyone. */
#define RESULTS_DIR_MODE  0750
#define RESULTS_FILE_MODE 0640
#define STATE_SCHEMA	  1
/* Record files one run can touch: a run crossing midnight UTC uses two. */
#define MAX_DAY_FILES 4

const char *vsp_run_state_name(vsp_run_state s)
{
	switch (s) {
	case VSP_RUN_NOT_DUE:
		return "not_due";
	case VSP_RUN_BUSY:
		return "busy";
	case VSP_RUN_NOT_STARTED:
		return "not_started";
	case VSP_RUN_DONE:
		return "done";
	case VSP_RUN_FAILED:
		return "failed";
	}
	return "unknown";
}

void vsp_run_items_clear(vsp_run_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].message);
		items[i].message = NULL;
		vsp_stream_result_free(items[i].result);
		items[i].result = NULL;
	}
}

static int is_nospc(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EFBIG;
}

static int lock_wait(int fd)
{
	int rc;

	do
		rc = flock(fd, LOCK_EX);
	while (rc != 0 && errno == EINTR);
	return rc;
}

struct day_file {
	char path[4200];
	int fd;
};

struct runner {
	const vsp_probe_cfg *probes;
	size_t n;
	const vsp_runner_opts *opts;
	vsp_run_item *items;
	const char *dir;
	int *lock_fds;
	/* Per probe: the segment sample's rotation for this run (the state's
	 * count of its earlier runs), so successive runs cover the asset. */
	uint64_t *rotation;
	size_t *queue, n_queue, next;
	int64_t deadline_us; /* 0: none */
	pthread_mutex_t mu;  /* queue, files, first error */
	struct day_file files[MAX_DAY_FILES];
	size_t n_files;
	int halt; /* an error stops new checks: a full disk stays full */
	int error;
	/* The results folder and its lock folder, opened once: every file
	 * is opened relative to them with O_NOFOLLOW, so a symlink planted
	 * in the folder cannot turn a write elsewhere. -1 when not open. */
	int dfd, lfd;
	char *err;
	size_t errlen;
};

static void set_error(struct runner *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* First error wins; later ones are consequences. Caller holds mu or runs
 * alone. */
static void set_error(struct runner *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->halt = 1;
	if (r->error)
		return;
	r->error = code;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	size_t dl = strlen(dir);

	snprintf(out, len, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
		 name);
}

/* The results folder exists (one level is created), is a folder, and
 * takes files: checked first so "not writable" is said before any probe
 * runs. */
static int prepare_dir(struct runner *r)
{
	struct stat st;

	if (mkdir(r->dir, RESULTS_DIR_MODE) != 0 && errno != EEXIST) {
		set_error(r, VSP_RUN_E_RESULTS,
			  "results folder %s: cannot create: %s", r->dir,
			  strerror(errno));
		return -1;
	}
	r->dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dfd < 0 || fstat(r->dfd, &st) != 0) {
		set_error(r, VSP_RUN_E_RESULTS, "results folder %s: %s", r->dir,
			  errno == ENOTDIR ? "not a folder" : strerror(errno));
		return -1;
	}
	/* Anyone who may write the folder may plant names in it (a
	 * symlink, a FIFO) or swap our files; the sticky bit stops
	 * renaming and removing others' files, as in /tmp. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		set_error(r, VSP_RUN_E_RESULTS,
			  "results folder %s: writable by %s (mode %04o) "
			  "without the sticky bit: refused (chmod go-w %s)",
			  r->dir,
			  st.st_mode & S_IWOTH ? "everyone" : "its group",
			  (unsigned)(st.st_mode & 07777), r->dir);
		return -1;
	}
	if (access(r->dir, W_OK | X_OK) != 0) {
		set_error(r,
			  is_nospc(errno) ? VSP_RUN_E_NOSPC : VSP_RUN_E_RESULTS,
			  "results folder %s: not writable: %s", r->dir,
			  strerror(errno));
		return -1;
	}
	if (mkdirat(r->dfd, LOCK_DIR, RESULTS_DIR_MODE) != 0 &&
	    errno != EEXIST) {
		set_error(r,
			  is_nospc(errno) ? VSP_RUN_E_NOSPC : VSP_RUN_E_RESULTS,
			  "results folder %s: cannot create %s: %s", r->dir,
			  LOCK_DIR, strerror(errno));
		return -1;
	}
	r->lfd = openat(r->dfd, LOCK_DIR,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r->lfd < 0) {
		set_error(r, VSP_RUN_E_RESULTS, "results folder %s: %s: %s",
			  r->dir, LOCK_DIR,
			  errno == ELOOP || errno == ENOTDIR
				  ? "not a folder (a symlink?)"
				  : strerror(errno));
		return -1;
	}
	return 0;
}

/* The state: {"schema":1,"last":{"probe":unix_seconds,...},
 * "rotation":{"probe":runs,...}}. A missing or unreadable state makes every
 * probe due, which is safe: it only costs a check (and restarts the
 * segment sample's rotation). */
static json_t *state_read_key(const char *dir, const char *key)
{
	char path[4200];
	json_t *root, *last;

	path_in(path, sizeof(path), dir, STATE_FILE);
	root = json_load_file(path, 0, NULL);
	last = root ? json_object_get(root, key) : NULL;
	if (!json_is_object(last)) {
		json_decref(root);
		return json_object();
	}
	json_incref(last);
	json_decref(root);
	return last;
}

static json_t *state_read(const char *dir)
{
	return state_read_key(dir, "last");
}

static uint64_t state_rotation(json_t *rot, const char *name)
{
	json_t *v = json_object_get(rot, name);

	return json_is_integer(v) && json_integer_value(v) >= 0
		       ? (uint64_t)json_integer_value(v)
		       : 0;
}

static int state_write(struct runner *r, json_t *last, json_t *rotation)
{
	char path[4200], tmp[4200];
	json_t *root;
	char *text = NULL;
	size_t len;
	int fd = -1, rv = -1;

	path_in(path, sizeof(path), r->dir, STATE_FILE);
	path_in(tmp, sizeof(tmp), r->dir, STATE_TMP);
	root = json_pack("{s:i,s:O,s:O}", "schema", STATE_SCHEMA, "last", last,
			 "rotation", rotation);
	if (root)
		text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS |
						JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!text) {
		set_error(r, VSP_RUN_E_INTERNAL, "%s: out of memory", path);
		return -1;
	}
	len = strlen(text);
	/* A temporary left by a crash, or a name planted there: removed
	 * (unlink takes a symlink itself, never its target), then made
	 * anew and only by us. */
	if (unlinkat(r->dfd, STATE_TMP, 0) != 0 && errno != ENOENT)
		goto ioerr;
	fd = openat(r->dfd, STATE_TMP,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    RESULTS_FILE_MODE);
	if (fd < 0)
		goto ioerr;
	if (vsp_file_write_all(fd, text, len) != 0)
		goto ioerr;
	/* fsync before rename: otherwise a crash can leave the new name on
	 * an empty file. */
	if (fsync(fd) != 0)
		goto ioerr;
	if (close(fd) != 0) {
		fd = -1;
		goto ioerr;
	}
	fd = -1;
	if (renameat(r->dfd, STATE_TMP, r->dfd, STATE_FILE) != 0)
		goto ioerr;
	if (fsync(r->dfd) != 0)
		goto ioerr;
	rv = 0;
	goto out;
ioerr:
	set_error(r, is_nospc(errno) ? VSP_RUN_E_NOSPC : VSP_RUN_E_RESULTS,
		  "%s: cannot write the state%s: %s", path,
		  is_nospc(errno) ? " (disk full)" : "", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(text);
	return rv;
}

static double state_last(json_t *last, const char *name)
{
	json_t *v = json_object_get(last, name);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* Due when interval_s (less the slack) has passed since its last run, or
 * when the last run is in the future by more than an interval (the clock
 * was set back). */
static int is_due(const vsp_probe_cfg *p, double last, double now,
		  double *next_due)
{
	double slack = p->interval_s / 10;

	if (slack > VSP_RUN_DUE_SLACK_S)
		slack = VSP_RUN_DUE_SLACK_S;
	*next_due = last + p->interval_s - slack;
	if (last < 0 || last > now + p->interval_s)
		return 1;
	return now >= *next_due;
}

static int lock_probe(struct runner *r, size_t i)
{
	char path[4200], name[VSP_MAX_NAME + 16];
	int fd;

	/* The prefix keeps probe names apart from the state's own lock. */
	snprintf(name, sizeof(name), "probe-%s.lock", r->probes[i].name);
	{
		char rel[VSP_MAX_NAME + 32];

		snprintf(rel, sizeof(rel), LOCK_DIR "/%s", name);
		path_in(path, sizeof(path), r->dir, rel);
	}
	fd = openat(r->lfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    RESULTS_FILE_MODE);
	if (fd < 0) {
		set_error(r,
			  is_nospc(errno) ? VSP_RUN_E_NOSPC : VSP_RUN_E_RESULTS,
			  "%s: cannot open the lock file: %s", path,
			  strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return 0;
		set_error(r, VSP_RUN_E_RESULTS, "%s: cannot lock: %s", path,
			  strerror(e));
		return -1;
	}
	r->lock_fds[i] = fd;
	return 1;
}

static void set_item_message(vsp_run_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_item_message(vsp_run_item *it, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(it->message);
	it->message = strdup(buf);
}

/* The record file of a check's UTC day, opened once per run. Caller holds
 * mu. */
static struct day_file *day_file(struct runner *r, double when)
{
	char day[VSP_DATE_TEXT_MAX], name[32], path[4200];

	if (vsp_date_format(when, day, sizeof(day))) {
		set_error(r, VSP_RUN_E_INTERNAL,
			  "check time %.3f is not a date of the years 0-9999",
			  when);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s.jsonl", day);
	path_in(path, sizeof(path), r->dir, name);
	for (size_t i = 0; i < r->n_files; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	if (r->n_files == MAX_DAY_FILES) {
		set_error(r, VSP_RUN_E_INTERNAL,
			  "%s: too many record files in one run", path);
		return NULL;
	}
	r->files[r->n_files].fd =
		openat(r->dfd, name,
		       O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		       RESULTS_FILE_MODE);
	if (r->files[r->n_files].fd < 0) {
		set_error(r,
			  is_nospc(errno) ? VSP_RUN_E_NOSPC : VSP_RUN_E_RESULTS,
			  "%s: cannot open%s: %s", path,
			  is_nospc(errno) ? " (disk full)" : "",
			  strerror(errno));
		return NULL;
	}
	snprintf(r->files[r->n_files].path, sizeof(r->files[0].path), "%s",
		 path);
	return &r->files[r->n_files++];
}

/* The item takes the tree when the caller wants it (its metrics). */
static void keep_result(struct runner *r, vsp_run_item *it,
			vsp_stream_result **res)
{
	if (!r->opts->keep_results || it->state != VSP_RUN_DONE)
		return;
	it->result = *res;
	*res = NULL;
}

static void run_one(struct runner *r, size_t i)
{
	vsp_run_item *it = &r->items[i];
	vsp_stream_result *res = NULL;
	struct day_file *df;
	char err[768], *line;
	int rc;

	vsp_probe_cfg cfg = r->probes[i]; /* shallow: only the rotation */

	cfg.segment_rotation = r->rotation[i];
	if (vsp_probe_check(&cfg, &res, err, sizeof(err)) != 0) {
		it->state = VSP_RUN_FAILED;
		set_item_message(it, "%s", err);
		pthread_mutex_lock(&r->mu);
		/* This check could not run (out of memory): no record for it,
		 * exit 3; the other probes still run, as their memory may
		 * well suffice, unlike a full disk. */
		if (!r->error) {
			set_error(r, VSP_RUN_E_INTERNAL, "probe %s: %s",
				  r->probes[i].name, err);
			r->halt = 0;
		}
		pthread_mutex_unlock(&r->mu);
		return;
	}
	it->status = res->v.status;
	it->reason = res->v.reason;
	it->duration_ms = res->duration_ms;
	if (res->v.message)
		set_item_message(it, "%s", res->v.message);
	line = vsp_record_dumps_from(res, r->opts->vantage);
	pthread_mutex_lock(&r->mu);
	df = line ? day_file(r, res->time) : NULL;
	if (!line)
		set_error(r, VSP_RUN_E_INTERNAL, "probe %s: out of memory",
			  r->probes[i].name);
	pthread_mutex_unlock(&r->mu);
	if (df) {
		/* Outside mu: the file lock orders writers, and a slow disk
		 * must not hold up the queue. */
		rc = vsp_record_append(df->fd, df->path, line, err,
				       sizeof(err));
		if (rc == 0) {
			it->state = VSP_RUN_DONE;
		} else {
			pthread_mutex_lock(&r->mu);
			set_error(r,
				  rc == VSP_RECORD_E_NOSPC ? VSP_RUN_E_NOSPC
				  : rc == VSP_RECORD_E_NOMEM
					  ? VSP_RUN_E_INTERNAL
					  : VSP_RUN_E_RESULTS,
				  "%s", err);
			pthread_mutex_unlock(&r->mu);
		}
	}
	if (it->state != VSP_RUN_DONE) {
		it->state = VSP_RUN_FAILED;
		set_item_message(it, "checked, but its record was not written");
	}
	free(line);
	keep_result(r, it, &res);
	vsp_stream_result_free(res);
}

static void *worker_main(void *arg)
{
	struct runner *r = arg;

	for (;;) {
		size_t i;
		int64_t need;

		pthread_mutex_lock(&r->mu);
		if (r->halt || r->next >= r->n_queue ||
		    (r->opts->stop && *r->opts->stop)) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		i = r->queue[r->next++];
		pthread_mutex_unlock(&r->mu);
		need = (int64_t)((r->probes[i].timeout_s + VSP_RUN_MARGIN_S) *
				 1e6);
		/* Not started rather than cut short: a check given less than
		 * its timeout could fail for our sake, not the origin's. */
		if (r->deadline_us && vsp_now_us() + need > r->deadline_us) {
			r->items[i].state = VSP_RUN_NOT_STARTED;
			set_item_message(&r->items[i],
					 "run deadline: no time left for its "
					 "%g s timeout",
					 r->probes[i].timeout_s);
			continue;
		}
		run_one(r, i);
	}
	return NULL;
}

/* Workers with every signal blocked: the program's handler then runs on
 * the calling thread only, and no write of ours sees EINTR. */
static size_t start_workers(struct runner *r, pthread_t *tids, size_t want)
{
	sigset_t all, old;
	size_t started = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < want; i++) {
		if (pthread_create(&tids[i], NULL, worker_main, r) != 0)
			break;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

/* Records to disk, then the state, under the state lock so two runs
 * finishing together merge their entries instead of losing one. */
static void finish(struct runner *r, double run_start)
{
	char path[4200];
	int any = 0, fd;
	json_t *last, *rot;

	for (size_t i = 0; i < r->n_files; i++) {
		if (fsync(r->files[i].fd) != 0)
			set_error(r,
				  is_nospc(errno) ? VSP_RUN_E_NOSPC
						  : VSP_RUN_E_RESULTS,
				  "%s: cannot flush to disk%s: %s",
				  r->files[i].path,
				  is_nospc(errno) ? " (disk full)" : "",
				  strerror(errno));
		close(r->files[i].fd);
	}
	if (r->n_files && fsync(r->dfd) != 0)
		set_error(r, VSP_RUN_E_RESULTS, "results folder %s: %s", r->dir,
			  strerror(errno));
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].state == VSP_RUN_DONE)
			any = 1;
	/* A record that may not be on disk must not be marked as run: its
	 * probe stays due and runs again next time. */
	if (!any || (r->error && r->error != VSP_RUN_E_INTERNAL))
		return;
	path_in(path, sizeof(path), r->dir, LOCK_DIR "/state.lock");
	fd = openat(r->lfd, "state.lock",
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    RESULTS_FILE_MODE);
	if (fd < 0 || lock_wait(fd) != 0) {
		set_error(r, VSP_RUN_E_RESULTS, "%s: cannot lock: %s", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	last = state_read(r->dir);
	rot = state_read_key(r->dir, "rotation");
	for (size_t i = 0; last && rot && i < r->n; i++)
		if (r->items[i].state == VSP_RUN_DONE) {
			json_object_set_new(last, r->probes[i].name,
					    json_real(run_start));
			json_object_set_new(
				rot, r->probes[i].name,
				json_integer((json_int_t)(r->rotation[i] + 1)));
		}
	if (last && rot)
		state_write(r, last, rot);
	else
		set_error(r, VSP_RUN_E_INTERNAL, "state: out of memory");
	json_decref(last);
	json_decref(rot);
	close(fd);
}

static int runner_init(struct runner *r, const vsp_probe_cfg *probes, size_t n,
		       const vsp_runner_opts *opts, vsp_run_item *items,
		       char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	memset(items, 0, n * sizeof(*items));
	r->probes = probes;
	r->n = n;
	r->opts = opts;
	r->items = items;
	r->dir = opts->results_dir;
	r->dfd = r->lfd = -1;
	r->err = err;
	r->errlen = errlen;
	if (errlen)
		err[0] = '\0';
	if (opts->deadline_s > 0)
		r->deadline_us =
			vsp_now_us() + (int64_t)(opts->deadline_s * 1e6);
	pthread_mutex_init(&r->mu, NULL);
	for (size_t i = 0; i < n; i++)
		items[i].state = VSP_RUN_NOT_STARTED;
	r->lock_fds = malloc((n ? n : 1) * sizeof(*r->lock_fds));
	r->queue = malloc((n ? n : 1) * sizeof(*r->queue));
	r->rotation = calloc(n ? n : 1, sizeof(*r->rotation));
	if (!r->lock_fds || !r->queue || !r->rotation) {
		set_error(r, VSP_RUN_E_INTERNAL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		r->lock_fds[i] = -1;
	return 0;
}

/* A first look at the state spares the lock of probes clearly not due;
 * the state only moves forward, so it cannot be wrong. */
static int lock_due(struct runner *r, double now)
{
	json_t *last = state_read(r->dir);
	int rv = 0;

	for (size_t i = 0; i < r->n; i++) {
		const vsp_probe_cfg *p = &r->probes[i];
		int rc;

		if (!r->opts->force && !is_due(p, state_last(last, p->name),
					       now, &r->items[i].next_due)) {
			r->items[i].state = VSP_RUN_NOT_DUE;
			continue;
		}
		rc = lock_probe(r, i);
		if (rc < 0) {
			rv = -1;
			break;
		}
		if (rc == 0)
			r->items[i].state = VSP_RUN_BUSY;
	}
	json_decref(last);
	return rv;
}

/* Read under the probe locks: no other run moves the state of the locked
 * probes now, so what is still due here is queued. */
static void queue_due(struct runner *r, double now)
{
	json_t *last = state_read(r->dir);
	json_t *rot = state_read_key(r->dir, "rotation");

	for (size_t i = 0; i < r->n; i++)
		r->rotation[i] = state_rotation(rot, r->probes[i].name);
	json_decref(rot);
	for (size_t i = 0; i < r->n; i++) {
		const vsp_probe_cfg *p = &r->probes[i];

		if (r->lock_fds[i] < 0)
			continue;
		if (!r->opts->force && !is_due(p, state_last(last, p->name),
					       now, &r->items[i].next_due)) {
			/* Another run did it while we were taking locks. */
			r->items[i].state = VSP_RUN_NOT_DUE;
			close(r->lock_fds[i]);
			r->lock_fds[i] = -1;
			continue;
		}
		r->queue[r->n_queue++] = i;
	}
	json_decref(last);
}

static void run_queue(struct runner *r)
{
	pthread_t *tids = NULL;
	size_t want, started = 0;

	want = r->opts->jobs > 0 ? (size_t)r->opts->jobs : VSP_RUN_DEFAULT_JOBS;
	if (want > VSP_MAX_JOBS)
		want = VSP_MAX_JOBS;
	if (want > r->n_queue)
		want = r->n_queue;
	if (want) {
		tids = calloc(want, sizeof(*tids));
		if (tids)
			started = start_workers(r, tids, want);
		if (!started)
			set_error(r, VSP_RUN_E_INTERNAL,
				  "cannot start a worker thread");
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	for (size_t k = r->next; k < r->n_queue; k++)
		if (!r->items[r->queue[k]].message)
			set_item_message(&r->items[r->queue[k]], "%s",
					 r->halt ? "not started: an error came "
						   "first"
						 : "not started: stop asked");
}

static void runner_close(struct runner *r)
{
	/* Locks go last: until the state is written, holding them is what
	 * keeps another run from checking the same probes again. */
	for (size_t i = 0; r->lock_fds && i < r->n; i++)
		if (r->lock_fds[i] >= 0)
			close(r->lock_fds[i]);
	free(r->lock_fds);
	if (r->lfd >= 0)
		close(r->lfd);
	if (r->dfd >= 0)
		close(r->dfd);
	free(r->queue);
	free(r->rotation);
	pthread_mutex_destroy(&r->mu);
}

int vsp_runner_run(const vsp_probe_cfg *probes, size_t n,
		   const vsp_runner_opts *opts, vsp_run_item *items, char *err,
		   size_t errlen)
{
	struct runner r;
	/* "Last run" is when this run decided, not when each check began:
	 * a probe queued behind others must not drift later every minute. */
	double now = vsp_wall_s();

	if (runner_init(&r, probes, n, opts, items, err, errlen) == 0 &&
	    prepare_dir(&r) == 0 && lock_due(&r, now) == 0) {
		queue_due(&r, now);
		run_queue(&r);
		finish(&r, now);
	}
	runner_close(&r);
	return r.error;
}

unsigned vsp_shard_of(const char *name, unsigned n)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return n ? h % n : 0;
}
