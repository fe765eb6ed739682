/*
 * runner.h - `prober run`'s engine: every due probe checked on a worker
 * pool, one record line per check appended to RESULTS/YYYY-MM-DD.jsonl.
 *
 * Promises, because it runs unattended from cron for months:
 * - a record is never half-written: each line goes out in one write() under
 *   flock() on the file, and a short write is cut back with ftruncate();
 * - a probe never runs twice at once, also across processes: one lock file
 *   per probe in RESULTS/.locks/, flock(LOCK_EX|LOCK_NB); a busy probe is
 *   skipped and reported;
 * - a probe runs again only once interval_s has passed since its last run,
 *   remembered in RESULTS/.state.json (temp file + fsync + rename);
 * - the whole run ends by its deadline: a check is started only when its
 *   own timeout_s still fits;
 * - a stop flag (set by the program's signal handler) is polled: once set
 *   nothing new starts; checks in flight end by their deadline and their
 *   records are written.
 * Never prints, never exits.
 */
#ifndef VSP_RUNNER_H
#define VSP_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "error.h"
#include "probe.h"

/* Worker threads by default: each check already runs its origins and
 * renditions in parallel, so 8 checks at once keep dozens of transfers and
 * decoders busy; more makes decoders fight for the CPU and inflates the
 * time to first frame being measured. */
#define VSP_RUN_DEFAULT_JOBS 8
/* Default deadline of a whole run: under cron's minute, so a run has ended
 * before the next one starts in the normal case. */
#define VSP_RUN_DEFAULT_DEADLINE_S 55.0
/* Time kept after a check's own timeout for its teardown and its record. */
#define VSP_RUN_MARGIN_S 1.0
/* A probe is due this much before interval_s has passed (at most a tenth
 * of it): cron starts a run a little late or early each minute, and an
 * interval of exactly 60 s would otherwise skip every other minute. */
#define VSP_RUN_DUE_SLACK_S 5.0

typedef enum vsp_run_state {
	VSP_RUN_NOT_DUE = 0, /* interval_s has not passed since its last run */
	VSP_RUN_BUSY,	     /* another run holds its lock */
	VSP_RUN_NOT_STARTED, /* stop asked, run deadline, or an earlier
				error came first; stays due */
	VSP_RUN_DONE,	     /* checked, record appended */
	VSP_RUN_FAILED,	     /* no record: the check or the write failed */
} vsp_run_state;

/* What happened to one probe. */
typedef struct vsp_run_item {
	vsp_run_state state;
	vsp_status status; /* DONE: the stream verdict */
	vsp_reason reason;
	char *message;	    /* owned; verdict or error text; may be NULL */
	double duration_ms; /* DONE: the check's duration */
	double next_due;    /* NOT_DUE: wall time (Unix s) it is due */
	/* DONE with opts->keep_results: the result tree (owned; freed by
	 * vsp_run_items_clear()), for the --textfile metrics. */
	vsp_stream_result *result;
} vsp_run_item;

typedef struct vsp_runner_opts {
	const char *results_dir;
	int jobs;	   /* 1..VSP_MAX_JOBS; 0: VSP_RUN_DEFAULT_JOBS */
	double deadline_s; /* whole run; <= 0: none */
	int force;	   /* 1: ignore interval_s (locks still hold) */
	volatile sig_atomic_t *stop; /* NULL: never stops early */
	const char *vantage; /* records' "vantage"; NULL: the host name */
	int keep_results;    /* 1: items keep their result trees */
} vsp_runner_opts;

/* Errors: the run could not do its job (the program exits 3). Rows of
 * error.h's table, named for the runner. */
enum {
	VSP_RUN_E_RESULTS = VSP_E_IO,	    /* results folder missing or
						not writable */
	VSP_RUN_E_NOSPC = VSP_E_NOSPC,	    /* disk full or over quota */
	VSP_RUN_E_INTERNAL = VSP_E_INTERNAL /* out of memory, no thread */
};

/*
 * Runs the due probes among probes[0..n) (names must be unique). items is
 * an array of n the caller provides; each is filled whatever the return
 * value (free messages with vsp_run_items_clear()). Returns 0, or one of
 * VSP_RUN_E_* with a message naming the file or folder in err (the first
 * error wins; probes not started by then stay due).
 */
int vsp_runner_run(const vsp_probe_cfg *probes, size_t n,
		   const vsp_runner_opts *opts, vsp_run_item *items, char *err,
		   size_t errlen);

void vsp_run_items_clear(vsp_run_item *items, size_t n);

/* Stable names of vsp_run_state ("done", "busy", ...). */
const char *vsp_run_state_name(vsp_run_state s);

/*
 * The shard (0..n-1) of a probe name, for `prober run --shard I/N`: FNV-1a
 * of the name modulo n, stable across hosts, versions and runs, so a fleet
 * of machines splits the probe files without talking to each other.
 */
unsigned vsp_shard_of(const char *name, unsigned n);

#endif
