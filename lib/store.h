/*
 * store.h - the history index: an embedded SQLite file of compact rows
 * (one per check, origin and rendition) beside the JSON Lines records.
 *
 * The records stay the record of truth; the store is an index of them that
 * can always be rebuilt:
 * - import is idempotent: a row's key is (probe, time in ms, vantage[,
 *   origin[, rendition]]) and rows are inserted OR IGNOREd, so a record
 *   read twice is counted once;
 * - import is resumable: per record file the byte offset of the last whole
 *   line indexed is kept in the same transaction as its rows, so a kill
 *   loses at most the batch in flight, which the next import reads again;
 * - a failed insert (disk full, locked) touches no record file: the next
 *   run or `prober index` catches up from the offsets.
 * Lines that are not records are counted and skipped; a last line without
 * its newline (a write in progress, a file cut short) is left for later.
 * WAL mode: a report reads while a run inserts.
 * Never prints, never exits.
 */
#ifndef VSP_STORE_H
#define VSP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The index file's name inside a results folder. */
#define VSP_STORE_FILE "index.sqlite"

typedef struct vsp_store vsp_store;

typedef struct vsp_store_stats {
	size_t files;	 /* record files read (new bytes seen) */
	size_t records;	 /* records read and indexed (or already there) */
	size_t inserted; /* of which new to the index */
	size_t bad;	 /* lines that are no record */
	size_t partial;	 /* files whose last line has no newline yet */
	int more;	 /* stopped by the time budget: call again */
} vsp_store_stats;

/*
 * Opens (creating it and its tables) the store at path; ":memory:" for one
 * in memory. max_pages > 0 caps the file at that many pages (a test of a
 * full disk; 0: no cap). Returns 0 with *out (close with
 * vsp_store_close()), or -1 with a message naming path in err.
 */
int vsp_store_open(const char *path, long max_pages, vsp_store **out, char *err,
		   size_t errlen);
void vsp_store_close(vsp_store *s);

/*
 * Indexes the new lines of one record file (key: its real path), under
 * vantage when one is given (it overrides the records' own "vantage"),
 * else under the records' "vantage", else the default vantage "".
 * deadline_s > 0 is a monotonic time (vsp_now_us()/1e6) after which
 * it stops at the next batch with st->more set. Returns 0, or -1 with a
 * message in err (what was committed before stays).
 */
int vsp_store_import_file(vsp_store *s, const char *path, const char *vantage,
			  double deadline_s, vsp_store_stats *st, char *err,
			  size_t errlen);

/* The same for every DIR/YYYY-MM-DD.jsonl, oldest first. */
int vsp_store_import_dir(vsp_store *s, const char *dir, const char *vantage,
			 double deadline_s, vsp_store_stats *st, char *err,
			 size_t errlen);

/*
 * Indexes one record (a parsed JSON object). Returns 1 inserted, 0 already
 * there or older than the prune horizon, -1 not a record, -2 store error
 * (message in err). Runs inside the caller's transaction when one is open.
 */
int vsp_store_insert(vsp_store *s, const json_t *rec, const char *vantage,
		     char *err, size_t errlen);

/* One transaction around many vsp_store_insert() calls (a bulk load).
 * Return 0 or -1 with a message in err. */
int vsp_store_begin(vsp_store *s, char *err, size_t errlen);
int vsp_store_commit(vsp_store *s, char *err, size_t errlen);

/*
 * Deletes the rows of checks before `before` (Unix s) and remembers it as
 * the horizon under which imports add nothing back. *deleted: checks
 * removed. Returns 0 or -1.
 */
int vsp_store_prune(vsp_store *s, double before, size_t *deleted, char *err,
		    size_t errlen);

/* Number of checks (records) in the store, or -1. */
long long vsp_store_count(vsp_store *s);

/* Bytes of the store's pages (page_count x page_size), or -1. */
long long vsp_store_bytes(vsp_store *s);

/* Status codes in rows. */
enum { VSP_ST_PASS = 0, VSP_ST_WARN = 1, VSP_ST_FAIL = 2 };
/* Flags of a row: the live reasons seen in it or its renditions. */
enum {
	VSP_FL_LIVE = 1,
	VSP_FL_STALE = 2,
	VSP_FL_LAGGING = 4,
	VSP_FL_SLOW = 8,
	VSP_FL_THUMB = 16 /* an origin row names a thumbnail */
};

/* One row for vsp_store_scan(): a check (origin == NULL) or an origin of
 * one. Strings are borrowed until the callback returns; absent numbers are
 * NAN. An origin's message and thumbnail are not in it (see
 * vsp_store_origin_text()). */
typedef struct vsp_store_row {
	const char *probe, *vantage, *origin;
	double t; /* Unix s */
	int status;
	const char *reason, *stage, *message, *thumb;
	double ttff_ms, lag_s, age_s, rtf;
	int flags;
} vsp_store_row;

/*
 * Calls fn for every check in [since, until], each followed by its
 * origins, in (probe, time, vantage) order; for one probe when probe is
 * not NULL. fn returns 0 to go on, non-zero to stop (returned).
 * Returns 0, fn's value, or -1 with a message in err.
 */
int vsp_store_scan(vsp_store *s, double since, double until, const char *probe,
		   int (*fn)(void *ctx, const vsp_store_row *row), void *ctx,
		   char *err, size_t errlen);

/* The message (thumb 0) or thumbnail (thumb 1) of an origin in the check
 * of probe at time t (any vantage); *out NULL when none, else caller
 * frees. Returns 0 or -1. */
int vsp_store_origin_text(vsp_store *s, const char *probe, const char *origin,
			  double t, int thumb, char **out);

/* 1 when the store holds a check of probe (at any time), 0 not, -1 error. */
int vsp_store_has_probe(vsp_store *s, const char *probe);

/* The names of the probes with checks, in id order; caller frees each
 * and the array. Returns 0 or -1. */
int vsp_store_probes(vsp_store *s, char ***names, size_t *n, char *err,
		     size_t errlen);

#endif
