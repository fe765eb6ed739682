/*
 * store.c - the SQLite history index (see store.h for its promises).
 *
 * Rows are compact: names (probe, vantage, origin, reason, stage) are
 * interned in one table and rows hold their ids; times are integer
 * milliseconds; tables are WITHOUT ROWID, clustered on (probe, time, ...)
 * so a report over a window reads pages in order. An origin's figures in a
 * check are computed here once (best time to first frame of its
 * renditions, largest edge lag and playlist age, smallest real-time
 * factor) and the check's from its origins, so a report never opens the
 * rendition rows.
 *
 * Must never: write to a record file, or count a record twice.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "clock.h"
#include "limits.h"
#include "datetime.h"
#include "reason.h"
#include "report.h"

#define SCHEMA_VERSION 1
/* Lines per transaction while importing: large enough that commits (an
 * fsync each) cost little per record, small enough that a kill loses
 * little work. */
#define IMPORT_BATCH 2000
/* How long a writer waits for another one (a run beside `prober index`)
 * before giving up; the records stay and the next import catches up. */
#define BUSY_TIMEOUT_MS 5000
/* Bytes of the index mapped into memory (address space, not RAM). */
#define VSP_STORE_MMAP_BYTES "4294967296"
/* Interned names kept in memory. */
#define NAME_CACHE 1024

enum {
	Q_NAME_GET,
	Q_NAME_ADD,
	Q_CHECK,
	Q_ORIGIN,
	Q_REND,
	Q_FILE_GET,
	Q_FILE_SET,
	Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	"SELECT id FROM names WHERE s = ?1",
	"INSERT INTO names(s) VALUES (?1)",
	"INSERT OR IGNORE INTO checks VALUES "
	"(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
	"INSERT OR IGNORE INTO origins VALUES "
	"(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
	"INSERT OR IGNORE INTO renditions VALUES "
	"(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
	"SELECT off FROM files WHERE path = ?1",
	"INSERT OR REPLACE INTO files(path, off) VALUES (?1, ?2)",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS names(id INTEGER PRIMARY KEY,"
	" s TEXT NOT NULL UNIQUE);"
	"CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY,"
	" off INTEGER NOT NULL) WITHOUT ROWID;"
	/* One row per record: the stream's verdict and best figures, and its
	 * origins' in a packed blob (see pack_origin): a report reads one row
	 * a check, not three. */
	"CREATE TABLE IF NOT EXISTS checks(probe INT, t INT, vantage INT,"
	" status INT, reason INT, stage INT, ttff REAL, lag REAL, age REAL,"
	" rtf REAL, flags INT, msg TEXT, orig BLOB,"
	" PRIMARY KEY(probe, t, vantage)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS origins(probe INT, t INT, vantage INT,"
	" origin INT, status INT, reason INT, stage INT, ttff REAL, lag REAL,"
	" age REAL, rtf REAL, flags INT, dns REAL, conn REAL, tls REAL,"
	" ttfb REAL, total REAL, msg TEXT, thumb TEXT,"
	" PRIMARY KEY(probe, t, vantage, origin)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS renditions(probe INT, t INT, vantage INT,"
	" origin INT, idx INT, status INT, reason INT, stage INT,"
	" height INT, bandwidth INT, ttff REAL, lag REAL, seg_ms REAL,"
	" PRIMARY KEY(probe, t, vantage, origin, idx)) WITHOUT ROWID;";

struct name_ent {
	char *s;
	int64_t id;
};

struct vsp_store {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	struct name_ent cache[NAME_CACHE];
	int64_t horizon_ms; /* prune horizon: older records are not added */
	int in_tx;
};

static void set_err(char *err, size_t errlen, const char *what, sqlite3 *db)
{
	int code = db ? sqlite3_extended_errcode(db) : 0;

	snprintf(err, errlen, "index %s: %s%s", what,
		 db ? sqlite3_errmsg(db) : "out of memory",
		 (code & 0xff) == SQLITE_BUSY	? " (another prober holds it)"
		 : (code & 0xff) == SQLITE_FULL ? " (disk full)"
						: "");
}

static void cache_clear(vsp_store *s)
{
	for (size_t i = 0; i < NAME_CACHE; i++) {
		free(s->cache[i].s);
		s->cache[i].s = NULL;
	}
}

static int exec(vsp_store *s, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		set_err(err, errlen, sql, s->db);
		return -1;
	}
	return 0;
}

static int begin(vsp_store *s, char *err, size_t errlen)
{
	/* IMMEDIATE: the file offsets are read inside the write lock, so
	 * two importers never read the same lines at once. */
	if (exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	s->in_tx = 1;
	return 0;
}

static int commit(vsp_store *s, char *err, size_t errlen)
{
	s->in_tx = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		set_err(err, errlen, "commit", s->db);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		cache_clear(s);
		return -1;
	}
	return 0;
}

static void rollback(vsp_store *s)
{
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	/* Ids handed out inside the transaction are gone with it. */
	cache_clear(s);
}

int vsp_store_begin(vsp_store *s, char *err, size_t errlen)
{
	return begin(s, err, errlen);
}

int vsp_store_commit(vsp_store *s, char *err, size_t errlen)
{
	return commit(s, err, errlen);
}

static int64_t meta_int(vsp_store *s, const char *k, int64_t dflt)
{
	sqlite3_stmt *st = NULL;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = ?1", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static int meta_set(vsp_store *s, const char *k, int64_t v)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, v);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int vsp_store_open(const char *path, long max_pages, vsp_store **out, char *err,
		   size_t errlen)
{
	vsp_store *s = calloc(1, sizeof(*s));
	char pragma[64];

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "index %s: out of memory", path);
		return -1;
	}
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "index %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* WAL: readers and the writer do not block each other; NORMAL
	 * sync: a power cut can lose the last transactions, never corrupt
	 * the file, and what is lost is re-read from the records. */
	/* mmap: a report over months reads hundreds of MB of pages; mapped,
	 * they are not copied through read() one page at a time. */
	if (sqlite3_exec(s->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 " PRAGMA mmap_size=" VSP_STORE_MMAP_BYTES ";",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "index %s: %s", path,
			 sqlite3_errmsg(s->db));
		goto fail;
	}
	if (max_pages > 0) {
		snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count=%ld",
			 max_pages);
		sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
	}
	if (meta_int(s, "schema", 0) == 0)
		meta_set(s, "schema", SCHEMA_VERSION);
	if (meta_int(s, "schema", 0) != SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "index %s: schema %lld is not %d; delete the file "
			 "and run `prober index` to rebuild it",
			 path, (long long)meta_int(s, "schema", 0),
			 SCHEMA_VERSION);
		goto fail;
	}
	s->horizon_ms = meta_int(s, "horizon_ms", INT64_MIN);
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, queries[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "index %s: %s", path,
				 sqlite3_errmsg(s->db));
			goto fail;
		}
	*out = s;
	return 0;
fail:
	vsp_store_close(s);
	return -1;
}

void vsp_store_close(vsp_store *s)
{
	if (!s)
		return;
	rollback(s);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

/* FNV-1a: the cache slot of a name. */
static size_t slot(const char *str)
{
	uint32_t h = 2166136261u;

	for (; *str; str++)
		h = (h ^ (unsigned char)*str) * 16777619u;
	return h % NAME_CACHE;
}

/* The id of name (added when new); 0 for NULL; -1 on error. */
static int64_t name_id(vsp_store *s, const char *name)
{
	struct name_ent *e;
	sqlite3_stmt *q;
	int64_t id = -1;

	if (!name)
		return 0;
	e = &s->cache[slot(name)];
	if (e->s && strcmp(e->s, name) == 0)
		return e->id;
	q = s->q[Q_NAME_GET];
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (id < 0) {
		q = s->q[Q_NAME_ADD];
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(s->db);
		sqlite3_reset(q);
	}
	if (id > 0) {
		char *dup = strdup(name);

		if (dup) {
			free(e->s);
			e->s = dup;
			e->id = id;
		}
	}
	return id;
}

static const char *str_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double num_of(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int status_code(const char *st)
{
	if (!st)
		return -1;
	if (strcmp(st, "pass") == 0)
		return VSP_ST_PASS;
	if (strcmp(st, "warn") == 0)
		return VSP_ST_WARN;
	if (strcmp(st, "fail") == 0)
		return VSP_ST_FAIL;
	return -1;
}

static int reason_flags(const char *r)
{
	switch (r ? vsp_reason_from_name(r) : VSP_REASON_COUNT) {
	case VSP_R_STALE_PLAYLIST:
		return VSP_FL_STALE;
	case VSP_R_ORIGIN_LAGGING:
		return VSP_FL_LAGGING;
	case VSP_R_SLOW_DOWNLOAD:
		return VSP_FL_SLOW;
	default:
		return 0;
	}
}

static void bind_num(sqlite3_stmt *q, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_double(q, i, v);
}

static void bind_id(sqlite3_stmt *q, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(q, i, id);
	else
		sqlite3_bind_null(q, i);
}

/* A stream's or origin's figures in one check. */
struct facts {
	double ttff, lag, age, rtf;
	int flags;
};

static void facts_init(struct facts *f)
{
	f->ttff = f->lag = f->age = f->rtf = NAN;
	f->flags = 0;
}

/* Smaller of two figures, NAN counting as absent. */
static double fmin_na(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : (a < b ? a : b);
}

static double fmax_na(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : (a > b ? a : b);
}

static int step_done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* An origin's figures in the check row's blob, little-endian:
 * u32 origin id, u8 status, u8 flags, u32 reason id, then f64 ttff, lag,
 * age, rtf (NaN: none). */
#define PACKED_ORIGIN 42

struct packed {
	unsigned char b[VSP_MAX_ORIGINS * PACKED_ORIGIN];
	size_t n;
};

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_f64(unsigned char *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	put_u32(p, (uint32_t)u);
	put_u32(p + 4, (uint32_t)(u >> 32));
}

static double get_f64(const unsigned char *p)
{
	uint64_t u = get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static void pack_origin(struct packed *pk, int64_t origin, int st, int flags,
			int64_t reason, const double fig[4])
{
	unsigned char *p = pk->b + pk->n;

	if (pk->n + PACKED_ORIGIN > sizeof(pk->b))
		return;
	put_u32(p, (uint32_t)origin);
	p[4] = (unsigned char)st;
	p[5] = (unsigned char)flags;
	put_u32(p + 6, (uint32_t)(reason > 0 ? reason : 0));
	for (int i = 0; i < 4; i++)
		put_f64(p + 10 + 8 * i, fig[i]);
	pk->n += PACKED_ORIGIN;
}

/* One of the origin's figures as its record states it (result.h's
 * vsp_origin_figures); a record made before origins carried them keeps
 * what insert_origin computed from its renditions by the same rules. */
static void origin_figure(const json_t *o, const char *key, double *v)
{
	if (json_object_get(o, key))
		*v = num_of(o, key);
}

static void origin_figures(const json_t *o, struct facts *f)
{
	origin_figure(o, "ttff_ms", &f->ttff);
	origin_figure(o, "live_edge_lag_s", &f->lag);
	origin_figure(o, "playlist_age_s", &f->age);
	origin_figure(o, "realtime_factor", &f->rtf);
	if (!(f->ttff > 0))
		f->ttff = NAN;
	if (!(f->rtf > 0))
		f->rtf = NAN;
}

/* What the rows of one origin and its renditions begin with. */
struct row_key {
	int64_t probe, t, vantage, origin;
};

static void bind_key(sqlite3_stmt *q, const struct row_key *k)
{
	sqlite3_bind_int64(q, 1, k->probe);
	sqlite3_bind_int64(q, 2, k->t);
	sqlite3_bind_int64(q, 3, k->vantage);
	sqlite3_bind_int64(q, 4, k->origin);
}

/* The i-th rendition's row; folds its figures into the origin's f. */
static int insert_rendition(vsp_store *s, const json_t *r, size_t i,
			    const struct row_key *k, struct facts *f)
{
	const json_t *lc = json_object_get(r, "live_check");
	const json_t *seg = json_object_get(r, "segment");
	const json_t *dec = json_object_get(r, "decode");
	double ttff = num_of(r, "ttff_ms"), rtf, lag = NAN;
	sqlite3_stmt *q;

	f->flags |= reason_flags(str_of(r, "reason"));
	/* A failed rendition has no time to first frame. */
	if (ttff > 0 && status_code(str_of(r, "status")) != VSP_ST_FAIL)
		f->ttff = fmin_na(f->ttff, ttff);
	rtf = num_of(r, "realtime_factor");
	if (rtf > 0)
		f->rtf = fmin_na(f->rtf, rtf);
	if (json_is_object(lc)) {
		f->flags |= VSP_FL_LIVE;
		lag = num_of(lc, "live_edge_lag_s");
		f->lag = fmax_na(f->lag, lag);
		f->age = fmax_na(f->age, num_of(lc, "playlist_age_s"));
	}
	q = s->q[Q_REND];
	bind_key(q, k);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)i);
	sqlite3_bind_int(q, 6, status_code(str_of(r, "status")));
	bind_id(q, 7, name_id(s, str_of(r, "reason")));
	bind_id(q, 8, name_id(s, str_of(r, "stage")));
	bind_num(q, 9, num_of(dec, "height"));
	bind_num(q, 10, num_of(r, "bandwidth"));
	bind_num(q, 11, ttff);
	bind_num(q, 12, lag);
	bind_num(q, 13, num_of(seg, "total_ms"));
	return step_done(q) ? -1 : 0;
}

static int insert_origin_row(vsp_store *s, const json_t *o,
			     const struct row_key *k, int st, int64_t reason,
			     const struct facts *f, const char *thumb)
{
	const json_t *m = json_object_get(o, "manifest");
	sqlite3_stmt *q = s->q[Q_ORIGIN];

	bind_key(q, k);
	sqlite3_bind_int(q, 5, st);
	bind_id(q, 6, reason);
	bind_id(q, 7, name_id(s, str_of(o, "stage")));
	bind_num(q, 8, f->ttff);
	bind_num(q, 9, f->lag);
	bind_num(q, 10, f->age);
	bind_num(q, 11, f->rtf);
	sqlite3_bind_int(q, 12, f->flags);
	bind_num(q, 13, num_of(m, "dns_ms"));
	bind_num(q, 14, num_of(m, "connect_ms"));
	bind_num(q, 15, num_of(m, "tls_ms"));
	bind_num(q, 16, num_of(m, "ttfb_ms"));
	bind_num(q, 17, num_of(m, "total_ms"));
	if (st != VSP_ST_PASS && str_of(o, "message"))
		sqlite3_bind_text(q, 18, str_of(o, "message"), -1,
				  SQLITE_STATIC);
	if (thumb)
		sqlite3_bind_text(q, 19, thumb, -1, SQLITE_STATIC);
	return step_done(q) ? -1 : 0;
}

/* Rows of one origin: its renditions, then itself; adds its figures to
 * the stream's. */
static int insert_origin(vsp_store *s, const json_t *o, int64_t probe,
			 int64_t t, int64_t vantage, struct facts *stream,
			 struct packed *pk)
{
	int64_t reason;
	const json_t *r;
	const char *thumb = str_of(o, "thumbnail");
	struct facts f;
	struct row_key k = { probe, t, vantage, name_id(s, str_of(o, "name")) };
	int st = status_code(str_of(o, "status"));
	size_t i;

	if (k.origin <= 0 || st < 0)
		return k.origin < 0 ? -1 : 0;
	facts_init(&f);
	if (json_is_true(json_object_get(o, "live")))
		f.flags |= VSP_FL_LIVE;
	f.flags |= reason_flags(str_of(o, "reason"));
	json_array_foreach(json_object_get(o, "renditions"), i, r)
	{
		if (!thumb)
			thumb = str_of(r, "thumbnail");
		if (insert_rendition(s, r, i, &k, &f))
			return -1;
	}
	if (thumb)
		f.flags |= VSP_FL_THUMB;
	origin_figures(o, &f);
	reason = name_id(s, str_of(o, "reason"));
	if (insert_origin_row(s, o, &k, st, reason, &f, thumb))
		return -1;
	pack_origin(pk, k.origin, st, f.flags, reason,
		    (const double[4]){ f.ttff, f.lag, f.age, f.rtf });
	/* The stream's figures are the best of its origins'. */
	stream->flags |= f.flags & ~VSP_FL_THUMB;
	stream->ttff = fmin_na(stream->ttff, f.ttff);
	stream->lag = fmin_na(stream->lag, f.lag);
	stream->age = fmin_na(stream->age, f.age);
	stream->rtf = fmax_na(stream->rtf, f.rtf);
	return 0;
}

int vsp_store_insert(vsp_store *s, const json_t *rec, const char *vantage,
		     char *err, size_t errlen)
{
	const json_t *o;
	const char *tm = str_of(rec, "time"), *pr = str_of(rec, "probe");
	const char *va = str_of(rec, "vantage");
	int st = status_code(str_of(rec, "status"));
	struct facts f;
	struct packed pk;
	sqlite3_stmt *q;
	int64_t probe, vid, t;
	double ts;
	size_t i;

	if (!json_is_object(rec) || !tm || !pr || !*pr || st < 0 ||
	    vsp_time_parse(tm, &ts))
		return -1;
	t = (int64_t)llround(ts * 1000);
	if (t < s->horizon_ms)
		return 0;
	/* A vantage given on import says where these records came from, over
	 * what they carry (records made before vantages existed, or a host
	 * name where the operator names a region). */
	if (vantage && *vantage)
		va = vantage;
	else if (!va)
		va = "";
	probe = name_id(s, pr);
	vid = name_id(s, va);
	if (probe <= 0 || vid <= 0)
		goto dberr;
	facts_init(&f);
	pk.n = 0;
	f.flags |= reason_flags(str_of(rec, "reason"));
	json_array_foreach(json_object_get(rec, "origins"), i, o)
	{
		if (insert_origin(s, o, probe, t, vid, &f, &pk))
			goto dberr;
	}
	q = s->q[Q_CHECK];
	sqlite3_bind_int64(q, 1, probe);
	sqlite3_bind_int64(q, 2, t);
	sqlite3_bind_int64(q, 3, vid);
	sqlite3_bind_int(q, 4, st);
	bind_id(q, 5, name_id(s, str_of(rec, "reason")));
	bind_id(q, 6, name_id(s, str_of(rec, "stage")));
	bind_num(q, 7, f.ttff);
	bind_num(q, 8, f.lag);
	bind_num(q, 9, f.age);
	bind_num(q, 10, f.rtf);
	sqlite3_bind_int(q, 11, f.flags);
	if (st != VSP_ST_PASS && str_of(rec, "message"))
		sqlite3_bind_text(q, 12, str_of(rec, "message"), -1,
				  SQLITE_STATIC);
	sqlite3_bind_blob(q, 13, pk.b, (int)pk.n, SQLITE_STATIC);
	if (step_done(q))
		goto dberr;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
dberr:
	set_err(err, errlen, "insert", s->db);
	return -2;
}

static int file_offset(vsp_store *s, const char *key, long long *off)
{
	sqlite3_stmt *q = s->q[Q_FILE_GET];
	int rc;

	*off = 0;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*off = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int file_offset_set(vsp_store *s, const char *key, long long off)
{
	sqlite3_stmt *q = s->q[Q_FILE_SET];

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, off);
	return step_done(q);
}

/* One whole line of a record file into the store; a line that is no
 * record is counted as bad, not an error. -1: the store failed. */
static int import_record(vsp_store *s, const char *line, ssize_t n,
			 const char *vantage, vsp_store_stats *st, char *err,
			 size_t errlen)
{
	json_t *rec = n > VSP_RECORD_MAX_BYTES
			      ? NULL
			      : json_loadb(line, (size_t)n, 0, NULL);
	int rc = rec ? vsp_store_insert(s, rec, vantage, err, errlen) : -1;

	json_decref(rec);
	if (rc == -2)
		return -1;
	if (rc == -1) {
		st->bad++;
	} else {
		st->records++;
		st->inserted += (size_t)rc;
	}
	return 0;
}

/* Commits a batch with how far the file was read, so a run cut short
 * later starts from here. 1: the deadline passed, nothing left open. */
static int import_checkpoint(vsp_store *s, const char *key, long long off,
			     double deadline_s, vsp_store_stats *st, char *err,
			     size_t errlen)
{
	if (file_offset_set(s, key, off)) {
		set_err(err, errlen, "files", s->db);
		return -1;
	}
	if (commit(s, err, errlen))
		return -1;
	if (deadline_s > 0 && vsp_now_us() / 1e6 > deadline_s) {
		st->more = 1;
		return 1;
	}
	return begin(s, err, errlen) ? -1 : 0;
}

/* The lines of f from off on, inside the transaction begun; commits. */
static int import_lines(vsp_store *s, FILE *f, const char *path,
			const char *key, long long off, const char *vantage,
			double deadline_s, vsp_store_stats *st, char *err,
			size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, batch = 0;
	ssize_t n;
	int rv = -1, rc;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n') {
			/* A write in progress or a file cut short: not
			 * consumed, read again when it is whole. */
			st->partial++;
			break;
		}
		off += n;
		if (import_record(s, line, n, vantage, st, err, errlen))
			goto out;
		if (++batch < IMPORT_BATCH)
			continue;
		batch = 0;
		rc = import_checkpoint(s, key, off, deadline_s, st, err,
				       errlen);
		if (rc) {
			rv = rc > 0 ? 0 : -1;
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (file_offset_set(s, key, off)) {
		set_err(err, errlen, "files", s->db);
		goto out;
	}
	rv = commit(s, err, errlen);
out:
	free(line);
	return rv;
}

int vsp_store_import_file(vsp_store *s, const char *path, const char *vantage,
			  double deadline_s, vsp_store_stats *st, char *err,
			  size_t errlen)
{
	char key[PATH_MAX];
	FILE *f = NULL;
	long long off;
	struct stat sb;
	int rv = -1;

	if (!realpath(path, key) || !(f = fopen(path, "re")) ||
	    fstat(fileno(f), &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (begin(s, err, errlen))
		goto out;
	if (file_offset(s, key, &off)) {
		set_err(err, errlen, "files", s->db);
		goto out;
	}
	/* Shorter than what was read: the file was replaced; read it
	 * again (rows already there are ignored). */
	if (off > sb.st_size)
		off = 0;
	if (off == sb.st_size) {
		rv = commit(s, err, errlen);
		goto out;
	}
	st->files++;
	if (fseeko(f, off, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rv = import_lines(s, f, path, key, off, vantage, deadline_s, st, err,
			  errlen);
out:
	if (rv)
		rollback(s);
	if (f)
		fclose(f);
	return rv;
}

static int is_record_file(const char *name)
{
	double t;
	char iso[32];

	if (strlen(name) != 16 || strcmp(name + 10, ".jsonl") != 0)
		return 0;
	snprintf(iso, sizeof(iso), "%.10sT00:00:00Z", name);
	return vsp_time_parse(iso, &t) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vsp_store_import_dir(vsp_store *s, const char *dir, const char *vantage,
			 double deadline_s, vsp_store_stats *st, char *err,
			 size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, dl = strlen(dir);
	int rv = -1;

	if (!d) {
		snprintf(err, errlen, "results folder %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (!is_record_file(de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn)
			goto oom;
		names = nn;
		if (!(names[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	rv = 0;
	for (size_t i = 0; i < n && !st->more && rv == 0; i++) {
		snprintf(path, sizeof(path), "%s%s%s", dir,
			 dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		rv = vsp_store_import_file(s, path, vantage, deadline_s, st,
					   err, errlen);
	}
	goto out;
oom:
	snprintf(err, errlen, "results folder %s: out of memory", dir);
out:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rv;
}

int vsp_store_prune(vsp_store *s, double before, size_t *deleted, char *err,
		    size_t errlen)
{
	static const char *const tables[] = { "renditions", "origins",
					      "checks" };
	int64_t t = (int64_t)llround(before * 1000);

	*deleted = 0;
	if (begin(s, err, errlen))
		return -1;
	for (size_t i = 0; i < 3; i++) {
		sqlite3_stmt *q = NULL;
		char sql[96];

		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE t < ?1",
			 tables[i]);
		if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
			set_err(err, errlen, "prune", s->db);
			goto fail;
		}
		sqlite3_bind_int64(q, 1, t);
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			set_err(err, errlen, "prune", s->db);
			goto fail;
		}
		sqlite3_finalize(q);
		*deleted = (size_t)sqlite3_changes(s->db);
	}
	if (t > s->horizon_ms) {
		if (meta_set(s, "horizon_ms", t)) {
			set_err(err, errlen, "prune", s->db);
			goto fail;
		}
	}
	if (commit(s, err, errlen))
		return -1;
	if (t > s->horizon_ms)
		s->horizon_ms = t;
	return 0;
fail:
	rollback(s);
	return -1;
}

static long long single_int(vsp_store *s, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

long long vsp_store_count(vsp_store *s)
{
	return single_int(s, "SELECT count(*) FROM checks");
}

long long vsp_store_bytes(vsp_store *s)
{
	long long pages = single_int(s, "PRAGMA page_count");
	long long size = single_int(s, "PRAGMA page_size");

	return pages < 0 || size < 0 ? -1 : pages * size;
}

int vsp_store_has_probe(vsp_store *s, const char *probe)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1 FROM checks WHERE probe ="
			       " (SELECT id FROM names WHERE s = ?1) LIMIT 1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, probe, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(q);
	return rc;
}

/* All names by id, for the scan (a few thousand at most). */
static char **load_names(vsp_store *s, int64_t *n_out)
{
	sqlite3_stmt *q = NULL;
	char **v = NULL;
	int64_t max = single_int(s, "SELECT coalesce(max(id), 0) FROM names");

	*n_out = 0;
	if (max < 0)
		return NULL;
	v = calloc((size_t)max + 1, sizeof(*v));
	if (!v || sqlite3_prepare_v2(s->db, "SELECT id, s FROM names", -1, &q,
				     NULL) != SQLITE_OK)
		goto fail;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);

		if (id < 1 || id > max)
			continue;
		v[id] = strdup((const char *)sqlite3_column_text(q, 1));
		if (!v[id])
			goto fail;
	}
	sqlite3_finalize(q);
	*n_out = max + 1;
	return v;
fail:
	sqlite3_finalize(q);
	for (int64_t i = 0; v && i <= max; i++)
		free(v[i]);
	free(v);
	return NULL;
}

static const char *name_at(char **names, int64_t n, sqlite3_stmt *q, int col)
{
	int64_t id;

	if (sqlite3_column_type(q, col) == SQLITE_NULL)
		return NULL;
	id = sqlite3_column_int64(q, col);
	return id > 0 && id < n ? names[id] : NULL;
}

static double col_num(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL
		       ? NAN
		       : sqlite3_column_double(q, col);
}

/* The check's own figures from a row of the scan; 0 when the row names
 * its probe and vantage, as a row passed on must. */
static int scan_check(char **names, int64_t n_names, sqlite3_stmt *q,
		      vsp_store_row *row)
{
	memset(row, 0, sizeof(*row));
	row->probe = name_at(names, n_names, q, 0);
	row->t = (double)sqlite3_column_int64(q, 1) / 1000;
	row->vantage = name_at(names, n_names, q, 2);
	row->status = sqlite3_column_int(q, 3);
	row->reason = row->status ? name_at(names, n_names, q, 4) : NULL;
	row->ttff_ms = col_num(q, 5);
	row->lag_s = col_num(q, 6);
	row->age_s = col_num(q, 7);
	row->rtf = col_num(q, 8);
	row->flags = sqlite3_column_int(q, 9);
	row->message =
		row->status ? (const char *)sqlite3_column_text(q, 10) : NULL;
	return row->probe && row->vantage ? 0 : -1;
}

/* The check's origins, packed in column 11, each passed to fn on the
 * check's row; fn's first non-zero return stops them. */
static int scan_origins(char **names, int64_t n_names, sqlite3_stmt *q,
			vsp_store_row *row,
			int (*fn)(void *ctx, const vsp_store_row *row),
			void *ctx)
{
	const unsigned char *pk = sqlite3_column_blob(q, 11);
	int len = sqlite3_column_bytes(q, 11), rv = 0;

	for (int off = 0; pk && off + PACKED_ORIGIN <= len && rv == 0;
	     off += PACKED_ORIGIN) {
		const unsigned char *p = pk + off;
		int64_t oid = get_u32(p), rid = get_u32(p + 6);

		row->origin = oid > 0 && oid < n_names ? names[oid] : NULL;
		if (!row->origin)
			continue;
		row->status = p[4];
		row->flags = p[5];
		row->reason = rid > 0 && rid < n_names ? names[rid] : NULL;
		row->ttff_ms = get_f64(p + 10);
		row->lag_s = get_f64(p + 18);
		row->age_s = get_f64(p + 26);
		row->rtf = get_f64(p + 34);
		row->message = NULL;
		rv = fn(ctx, row);
	}
	return rv;
}

int vsp_store_scan(vsp_store *s, double since, double until, const char *probe,
		   int (*fn)(void *ctx, const vsp_store_row *row), void *ctx,
		   char *err, size_t errlen)
{
#define SCAN_CHECKS                                                      \
	"SELECT probe, t, vantage, status, reason, ttff, lag, age, rtf," \
	" flags, msg, orig FROM checks WHERE "
#define SCAN_PROBE  "probe = (SELECT id FROM names WHERE s = ?3) AND "
#define SCAN_WINDOW "t >= ?1 AND t <= ?2 ORDER BY probe, t, vantage"
	static const char *const sql[2] = {
		SCAN_CHECKS SCAN_WINDOW,
		SCAN_CHECKS SCAN_PROBE SCAN_WINDOW,
	};
	int64_t n_names = 0;
	char **names = load_names(s, &n_names);
	sqlite3_stmt *q = NULL;
	int rv = 0;

	if (!names) {
		set_err(err, errlen, "names", s->db);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, sql[probe != NULL], -1, &q, NULL) !=
	    SQLITE_OK) {
		set_err(err, errlen, "scan", s->db);
		rv = -1;
		goto out;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)floor(since * 1000));
	sqlite3_bind_int64(q, 2, (sqlite3_int64)ceil(until * 1000));
	if (probe)
		sqlite3_bind_text(q, 3, probe, -1, SQLITE_STATIC);
	for (;;) {
		vsp_store_row row;
		int rc = sqlite3_step(q);

		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			set_err(err, errlen, "scan", s->db);
			rv = -1;
			break;
		}
		if (scan_check(names, n_names, q, &row))
			continue;
		rv = fn(ctx, &row);
		if (!rv)
			rv = scan_origins(names, n_names, q, &row, fn, ctx);
		if (rv)
			break;
	}
out:
	sqlite3_finalize(q);
	for (int64_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	return rv;
}

int vsp_store_origin_text(vsp_store *s, const char *probe, const char *origin,
			  double t, int thumb, char **out)
{
	static const char *const sql[2] = {
		"SELECT msg FROM origins WHERE probe = (SELECT id FROM names"
		" WHERE s = ?1) AND t = ?2 AND origin = (SELECT id FROM names"
		" WHERE s = ?3) AND msg IS NOT NULL LIMIT 1",
		"SELECT thumb FROM origins WHERE probe = (SELECT id FROM names"
		" WHERE s = ?1) AND t = ?2 AND origin = (SELECT id FROM names"
		" WHERE s = ?3) AND thumb IS NOT NULL LIMIT 1",
	};
	sqlite3_stmt *q = NULL;
	int rc = -1;

	*out = NULL;
	if (sqlite3_prepare_v2(s->db, sql[thumb != 0], -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, probe, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)llround(t * 1000));
	sqlite3_bind_text(q, 3, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*out = strdup((const char *)sqlite3_column_text(q, 0));
		rc = *out ? 0 : -1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int vsp_store_probes(vsp_store *s, char ***names, size_t *n, char *err,
		     size_t errlen)
{
	sqlite3_stmt *q = NULL;
	int64_t last = 0;
	int rv = 0;

	*names = NULL;
	*n = 0;
	/* A skip scan: one seek per probe, never a pass over the rows. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.probe, (SELECT s FROM names WHERE"
			       " id = c.probe) FROM checks c WHERE c.probe > ?1"
			       " ORDER BY c.probe LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK) {
		set_err(err, errlen, "probes", s->db);
		return -1;
	}
	for (;;) {
		char **nn;
		int rc;

		sqlite3_bind_int64(q, 1, last);
		rc = sqlite3_step(q);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW || !sqlite3_column_text(q, 1)) {
			set_err(err, errlen, "probes", s->db);
			rv = -1;
			break;
		}
		last = sqlite3_column_int64(q, 0);
		nn = realloc(*names, (*n + 1) * sizeof(*nn));
		if (!nn || !(nn[*n] = strdup((const char *)sqlite3_column_text(
				     q, 1)))) {
			if (nn)
				*names = nn;
			snprintf(err, errlen, "index: out of memory");
			rv = -1;
			break;
		}
		*names = nn;
		(*n)++;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rv;
}
