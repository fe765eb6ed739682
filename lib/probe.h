/*
 * probe.h - one check of one stream: every origin, every chosen rendition,
 * manifest -> playlist -> key/init/segment -> decode -> verdict.
 *
 * The library never prints and never exits: a target that is down is a
 * result in the tree; only a check that could not run returns an error.
 */
#ifndef VSP_PROBE_H
#define VSP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "result.h"

typedef enum vsp_pick {
	VSP_PICK_ALL = 0, /* every rendition (default) */
	VSP_PICK_LOWEST,  /* lowest-bandwidth variant */
	VSP_PICK_HIGHEST, /* highest-bandwidth variant */
	VSP_PICK_COUNT,	  /* pick_count variants spread over the ladder */
} vsp_pick;

typedef struct vsp_origin_cfg {
	char *name; /* unique within the probe */
	char *url;
	char **headers; /* "Name: value" */
	size_t n_headers;
	char **resolve; /* "HOST:PORT:ADDR" */
	size_t n_resolve;
	char *cacert;
	int insecure;
	/* Redacted from everything written (redact.h): values of headers
	 * marked secret, and with secret_query, URL query strings. */
	char **secrets;
	size_t n_secrets;
	int secret_query;
	/* Programs run before each check of this origin, with no shell
	 * (command.h): argv, NULL-ended; NULL when none. headers_command's
	 * output gives header lines, url_command's the URL to fetch (expiring
	 * CDN tokens). Both outputs are secret. */
	char **headers_command;
	char **url_command;
	/* Hosts ("host" or "host:port") that may also receive headers;
	 * otherwise only the scheme, host and port of url do. */
	char **header_hosts;
	size_t n_header_hosts;
} vsp_origin_cfg;

typedef struct vsp_probe_cfg {
	char *name;
	vsp_origin_cfg *origins;
	size_t n_origins;
	vsp_pick pick;
	int pick_count;
	int frames;
	double timeout_s;  /* deadline of the whole check */
	double interval_s; /* used by `prober run` */
	int min_healthy;
	double slo;	  /* availability target, percent; 0: none (report) */
	char *user_agent; /* NULL: prober/VERSION */
	/* Live thresholds (limits.h defaults). */
	double stale_warn_factor; /* x target duration unchanged: warn */
	double stale_fail_factor; /* x target duration unchanged: fail */
	double lag_warn_tds;	  /* target durations behind: origin_lagging */
	double slow_rtf;	  /* real-time factor below it: slow_download */
	/* Segments checked per VOD rendition: the first decoded, the rest
	 * sniffed, spread over the asset (VSP_DEFAULT_SEGMENTS: first, middle,
	 * last); VSP_SEGMENTS_ALL (-1): every one. */
	int segments;
	/* Shifts the sample's inner segments: `prober run` counts its runs of
	 * the probe here so successive runs cover the whole asset. */
	uint64_t segment_rotation;
	int decode_all; /* 1: decode every frame of every probed segment
			   (probe file "decode": "all"); 0: `frames` */
	/* Content checks (issue 13): black, frozen, silent thresholds
	 * (probe file "content"; content.h defaults). */
	vsp_content_opts content;
	/* Folder the first picture of each rendition is saved in (probe
	 * file "thumbnails", --thumbnails); NULL: none saved. */
	char *thumbnails;
	/* Megabytes the check may hold at once, bodies and parses (issue
	 * 14, budget.h; probe file "max_memory_mb", --max-memory). */
	int max_memory_mb;
} vsp_probe_cfg;

/* Defaults of DESIGN.md; no origins. */
void vsp_probe_cfg_init(vsp_probe_cfg *cfg);
/* Frees every member of o (not o itself); safe on a zeroed or half-built
 * one. */
void vsp_origin_cfg_clear(vsp_origin_cfg *o);
/* Frees every member (not cfg itself); safe on a half-filled cfg. */
void vsp_probe_cfg_clear(vsp_probe_cfg *cfg);
/* Appends an origin (strings copied). name NULL: derived from the URL's
 * host and port, made unique. Returns 0, or -1 on out of memory. */
int vsp_probe_cfg_add_origin(vsp_probe_cfg *cfg, const char *name,
			     const char *url);
/* Parses "all" (VSP_SEGMENTS_ALL) or a count from 1 to
 * VSP_MAX_SEGMENT_CHECKS into *segments. Returns 0 or -1. */
int vsp_segments_parse(const char *s, int *segments);
/* Parses "all" (1) or "frames" (0) into *all. Returns 0 or -1. */
int vsp_decode_mode_parse(const char *s, int *all);
/* Parses "all", "lowest", "highest" or a count >= 1. Returns 0 or -1. */
int vsp_pick_parse(const char *s, vsp_pick *pick, int *count);

/*
 * Runs the check. On return 0, *out is the result tree (caller frees with
 * vsp_stream_result_free()); it always has a verdict. Returns VSP_E_NOMEM
 * or VSP_E_INTERNAL (error.h; no tree) with a message in err when the check
 * could not run: out of memory anywhere in it (FFmpeg's included), no
 * thread or mutex. Those are the prober's, never the target's verdict.
 */
int vsp_probe_check(const vsp_probe_cfg *cfg, vsp_stream_result **out,
		    char *err, size_t errlen);

/*
 * Decoders the process runs at once, shared by all its checks: n, or for
 * n <= 0 VSP_DECODERS_PER_CPU per CPU (the default). A segment fetched
 * waits for one (never longer than its check's deadline). Call before the
 * first check: a process that runs one check at a time (prober check, the
 * plugin) holds one decoder's memory instead of one per CPU (issue 18).
 */
void vsp_probe_set_decoders(int n);

/*
 * on 1: each origin's renditions run one after another on one worker
 * (fetch, decode, free, next), so one segment body per origin is in memory
 * instead of one per rendition; origins stay in parallel. An origin whose
 * manifest or a rendition turns out live, or whose renditions are not done
 * within 1/VSP_SERIAL_SHARE of the time left, gets its whole worker pool
 * (VSP_RENDITION_PARALLEL) for the rest. on 0 (the default): the pool from
 * the start. Process-wide; call before the first check (prober check, the
 * plugin: issue 18).
 */
void vsp_probe_set_serial_renditions(int on);

/*
 * on 1: a video segment fetched whole (no byte range, no AES-128, not
 * --decode all, no memory budget) is demuxed while it arrives, through a
 * VSP_STREAM_PIPE_BYTES pipe, instead of after: its body is never held
 * whole, and it holds no decoder until the packets of its first frames are
 * in (vsp_decode_stream()). The bytes fetched, and every check on them,
 * are the same. Process-wide; call before the first check (prober check,
 * the plugin: issue 18).
 */
void vsp_probe_set_stream_segments(int on);

#endif
