/*
 * probe_int.h - what the common pipeline (probe.c) shares with each
 * protocol (probe_hls.c, ...). Not a public header.
 *
 * A protocol turns a manifest into renditions (plan), then, per rendition in
 * a worker thread, into one segment to fetch (prepare). Fetching, decrypting,
 * decoding and judging that segment is common.
 */
#ifndef VSP_PROBE_INT_H
#define VSP_PROBE_INT_H

#include <pthread.h>
#include <stdint.h>

#include "error.h"
#include "http.h"
#include "probe.h"
#include "result.h"

struct origin_ctx;

/* The check's first error (error.h): out of memory or an internal failure
 * anywhere in it, shared by every origin and worker (probe_error.c). */
struct check_error {
	pthread_mutex_t lock;
	int code; /* 0, VSP_E_NOMEM or VSP_E_INTERNAL */
	char msg[1024];
};

/* One rendition to probe, owned by its origin. */
struct rend_job {
	vsp_rendition_result *r;
	int audio;	  /* decode audio frames, not video */
	const void *data; /* protocol's own (borrowed from the origin state) */
	unsigned tracks;  /* VSP_TRACK_*: what its segments must carry, as
			     CODECS declares (muxed variants) */
};

/* Tracks a rendition's segments must carry (rend_job, seg_plan). */
#define VSP_TRACK_VIDEO 1u
#define VSP_TRACK_AUDIO 2u

/* The one segment a rendition check fetches, and what it needs. Strings are
 * borrowed from the protocol's parsed playlist. */
struct seg_plan {
	const char *uri;
	int64_t offset, length; /* length -1: whole resource */
	const char *init_uri;	/* NULL: no init segment */
	int64_t init_offset, init_length;
	int aes128; /* decrypt with key_uri and iv */
	const char *key_uri;
	uint8_t iv[16];
	int encrypted;	 /* SAMPLE-AES / DRM: demux only */
	double duration; /* declared, seconds */
	int64_t seq;
	double manifest_ms; /* transfer time that came before (ttff) */
	unsigned tracks;    /* VSP_TRACK_*, from the rend_job */
};

/* A rendition's segments as its protocol lists them, for the sample
 * (probe_sample.c). Positions run 0..n-1 in playback order. */
struct seg_list {
	int64_t n;     /* segments listed (VOD: the asset; live: the window) */
	int64_t start; /* live: position a player joins at; -1 none */
	/* Fills *p for position pos; strings borrowed until release(*owned).
	 * Returns 0; 1 to skip it (an EXT-X-GAP); -1 with a message. */
	int (*at)(void *ctx, int64_t pos, struct seg_plan *p, void **owned,
		  char *err, size_t errlen);
	void (*release)(void *owned);
	void *ctx;
	void (*free_ctx)(void *ctx); /* NULL: ctx is borrowed */
	double start_behind_s;	     /* live: start's distance from the edge */
	/* Why start is where it is, when a tag says so (EXT-X-START): then it
	 * holds for VOD too. Empty: live, the default join point. */
	char start_why[128];
};

struct worker {
	struct origin_ctx *o;
	vsp_http_client *http;
};

struct protocol {
	const char *name;
	/* 1 when the manifest bytes are this protocol's. */
	int (*detect)(const uint8_t *body, size_t len);
	/* Parses the manifest and fills o->jobs and o->res->renditions, or
	 * sets the origin's verdict to fail. */
	void (*plan)(struct origin_ctx *o, const uint8_t *body, size_t len);
	/* In a worker: fetches what the rendition needs (its playlist) and
	 * fills *p. Returns 0, or -1 with the rendition's verdict set. */
	int (*prepare)(struct worker *w, struct rend_job *j, struct seg_plan *p,
		       void **scratch);
	/* In a worker, after the segment step: live checks (reload,
	 * staleness). NULL when the protocol has none. */
	void (*after)(struct worker *w, struct rend_job *j, void *scratch);
	/* Frees what prepare left in *scratch (after the segment is done). */
	void (*release)(void *scratch);
	/* After every rendition ran: cross-rendition rules (groups). */
	void (*finish)(struct origin_ctx *o);
	/* Frees o->state. */
	void (*free_state)(void *state);
	/* In a worker, after the segment step: the rendition's segment list
	 * for the sample (scratch as prepare left it). Returns 0, or -1 when
	 * there is none to sample (then only the first is recorded). NULL:
	 * no sample. */
	int (*list)(struct worker *w, struct rend_job *j, void *scratch,
		    struct seg_list *out);
};

struct origin_ctx {
	const vsp_probe_cfg *cfg;
	const vsp_origin_cfg *ocfg;
	vsp_origin_result *res;
	vsp_http_opts http_opts;
	int64_t deadline_us;
	const struct protocol *proto;
	void *state; /* the protocol's parsed manifest */
	struct rend_job *jobs;
	size_t n_jobs;
	pthread_mutex_t lock;
	size_t next_job;
	/* The origin as its commands made it for this check (command.h);
	 * ocfg points here when it has headers_command or url_command. */
	vsp_origin_cfg run;
	/* The manifest's client's share of the check's memory budget, for
	 * plan()'s parse (budget.h); NULL: none. */
	vsp_budget_hold *plan_hold;
	/* The check's error, one for all its origins (probe_error.c). */
	struct check_error *error;
	/* Serial renditions (vsp_probe_set_serial_renditions), under lock:
	 * a worker sets grow when its rendition is live and counts itself
	 * in workers_done as it ends, and signals wake, which the origin's
	 * thread waits on to start the rest of the pool. NULL: no serial
	 * phase (the pool from the start). */
	pthread_cond_t *wake;
	int grow;
	size_t workers_done;
	size_t index; /* of the origin in the check */
};

/* probe_error.c: sets the check's error (first wins): the check returns
 * it, no verdict. code is VSP_E_NOMEM or VSP_E_INTERNAL. */
void vsp_probe_error(struct origin_ctx *o, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* probe_error.c: the check's error code so far, 0 none: a worker stops
 * taking renditions once it is set. */
int vsp_probe_failed(struct origin_ctx *o);
/* probe_error.c: the check's error a failure of reason rc is: 0 when rc
 * is the target's (any but VSP_R_INTERNAL); with VSP_R_INTERNAL, err
 * when it is VSP_E_NOMEM, else VSP_E_INTERNAL. err is the producer's code:
 * the http step's or decode info's err, a parser's VSP_E_* return. Never
 * the words of a message (a URL may hold any). */
int vsp_probe_err_code(vsp_reason rc, int err);
/* probe_error.c: fails v with reason rc (from http, decode or a parser) at
 * stage, or, when rc is VSP_R_INTERNAL (out of memory, an internal
 * failure: err says which, vsp_probe_err_code), sets the check's error
 * instead: the prober's failure is never the target's verdict. */
void vsp_probe_fail(struct origin_ctx *o, vsp_verdict *v, vsp_reason rc,
		    int err, vsp_stage stage, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* probe_error.c: after judging, a VSP_R_INTERNAL verdict still in s (a
 * path that set one directly: compare.c on the stream's verdict, out of
 * memory) becomes the check's error too: VSP_E_NOMEM on the stream's,
 * VSP_E_INTERNAL elsewhere (no producer). Returns e->code. */
int vsp_probe_error_lift(struct check_error *e, const vsp_stream_result *s);

/* Sets r's live note (what a live check could not do, or saw). */
void vsp_rendition_note(vsp_rendition_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A live manifest's reload, as its protocol reads it. */
struct live_source {
	/* Parses a reloaded manifest: 1 when it moved on since the previous
	 * load, 0 when not, -1 when unreadable (message in err); *ended when
	 * the stream ended during the check. */
	int (*reload)(void *ctx, const uint8_t *body, size_t len,
		      const char *base, int *ended, char *err, size_t errlen);
	void *ctx;
	const char *what;  /* "playlist", "MPD": for messages */
	const char *dates; /* the manifest's own time evidence, for notes */
	/* After a reload that moved on: the newest segment that was listed
	 * before and has just left (RFC 8216 6.2.2: it must still answer).
	 * Returns 1 with *p filled (strings valid until the next reload),
	 * 0 when none left. NULL: not checked. */
	int (*removed)(void *ctx, struct seg_plan *p);
};

/*
 * Live freshness of rendition r in one bounded run: reloads first's URL one
 * target duration td after the first load, then every half target duration
 * while it has not moved and the deadline allows; with Age, Last-Modified,
 * r->newest_end and published (exact, 0 none) as further evidence. Sets r's
 * live fields, and its verdict to stale_playlist at the probe's factors.
 */
void vsp_live_check(struct worker *w, vsp_rendition_result *r,
		    const vsp_http_step *first, double td, double published,
		    const struct live_source *src);

extern const struct protocol vsp_protocol_hls;
extern const struct protocol vsp_protocol_dash;

/*
 * The probe's rendition rule on a ladder of n renditions of bandwidths
 * bw[0..n-1]: writes the chosen indices to out (room for n) and returns how
 * many, -1 on out of memory. "all" keeps the manifest's order; the others
 * choose from the ladder sorted by bandwidth.
 */
int vsp_pick_ladder(const int64_t *bw, size_t n, vsp_pick pick, int count,
		    size_t *out);

/* Allocates n renditions and jobs on o (zeroed). Returns 0 or -1. */
int vsp_origin_alloc_renditions(struct origin_ctx *o, size_t n);
/* 1 when a CODECS list names only audio codecs: an audio-only variant. */
int vsp_codecs_audio_only(const char *codecs);
/* VSP_TRACK_VIDEO and/or VSP_TRACK_AUDIO: what a CODECS list declares. */
unsigned vsp_codecs_tracks(const char *codecs);
/* strdup that accepts NULL. */
char *vsp_strdup_or_null(const char *s);

/* The reason of a manifest or playlist the parser refused (its VSP_E_*
 * return, error.h): a limit is too_large, the deadline timeout, out of
 * memory internal (the probe's, not the target's), the rest
 * manifest_syntax. */
vsp_reason vsp_parse_reason(int rc);

/* segment.c: fetches key, init and segment of p, decrypts, decodes (audio
 * frames when audio) and judges them into r. */
void vsp_probe_segment(struct worker *w, vsp_rendition_result *r,
		       const struct seg_plan *p, int audio);

/* probe_sample.c: records the segment vsp_probe_segment() fetched (role
 * first, or newest when live), then, while the rendition has not failed
 * and the deadline allows: live, decodes the segment a player joins at;
 * VOD, sniffs the sample of cfg->segments spread over the asset (shifted by
 * cfg->segment_rotation). */
void vsp_probe_sample(struct worker *w, struct rend_job *j,
		      const struct seg_plan *p, void *scratch);
/* probe_sample.c: a small ranged GET of a segment that just left a live
 * playlist; 404/410 warns removed_segment_gone. Recorded as role removed. */
void vsp_probe_removed(struct worker *w, vsp_rendition_result *r,
		       const struct seg_plan *p);

/* validate.c: the player's checks of what decoded in r against what was
 * declared (codec family, profile, resolution, duration); seg_url names the
 * segment in messages. */
void vsp_validate_media(vsp_rendition_result *r, const struct seg_plan *p,
			const char *seg_url);
/* validate.c: duration_mismatch (stage decode) when the media in r->decode
 * is short of p's declared duration by more than VSP_DURATION_SHORT_S and
 * VSP_DURATION_SHORT_RATIO; also (may be NULL) is what else was wrong with
 * the segment, for the message. Returns 1 when it failed r. */
int vsp_validate_duration(vsp_rendition_result *r, const struct seg_plan *p,
			  const char *seg_url, const char *also);
/* validate.c: track_missing when p->tracks asks for a track the decode in
 * r did not find, or (audio) that did not decode `frames` frames (fewer
 * when the segment has fewer packets). Returns 1 when it failed r. */
int vsp_validate_tracks(vsp_rendition_result *r, const struct seg_plan *p,
			const char *seg_url, int frames);

/* probe_content.c: black_video, frozen_video, silent_audio (warn, stage
 * validation) from every segment of j the check decoded (r->segs). */
void vsp_probe_content(struct worker *w, struct rend_job *j);
/* probe_content.c: the thumbnail path of rendition r of w's origin, or ""
 * when thumbnails are off or r is not one of the origin's (a live start
 * segment's scratch rendition). */
void vsp_probe_thumb_path(const struct worker *w, const vsp_rendition_result *r,
			  char *out, size_t len);

/* probe_content.c: adds conformance findings l to r (r->conformance) and
 * warns spec_violation at stage with the first; what names the document
 * ("playlist URL", "MPD Representation ID"). */
struct vsp_conform_list;
void vsp_rendition_conform(vsp_rendition_result *r,
			   const struct vsp_conform_list *l, vsp_stage stage,
			   const char *what);

/* compare.c: origin_lagging across the origins of s. */
void vsp_origin_judge_lag(vsp_stream_result *s, const vsp_probe_cfg *cfg);
/* compare.c: each origin's VOD extent, then s->mismatches: how the origins
 * whose manifest was read differ from the first such one (protocol, live or
 * VOD, ladder, VOD duration, segment count). Before vsp_stream_judge(),
 * which turns them into a warn (origin_mismatch). */
void vsp_origin_judge_mismatch(vsp_stream_result *s);
/* compare.c: appends one entry of the manifest's declared ladder to o (at
 * plan time, every rendition, picked or not); past VSP_LADDER_MAX_ENTRIES
 * sets o->ladder_truncated instead. Returns 0, or -1 out of memory. */
int vsp_origin_ladder_add(vsp_origin_result *o, vsp_kind kind,
			  const char *codecs, const char *lang, int width,
			  int height, int64_t bandwidth);

#endif
