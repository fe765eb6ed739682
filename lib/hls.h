/*
 * hls.h - RFC 8216 playlist parser: bytes in, struct out, no I/O.
 *
 * Master (multivariant) and media playlists. Every URI is resolved against
 * the base URL given to vsp_hls_parse() (the playlist's final, post-redirect
 * URL) with libcurl's URL API; with no base, URIs are kept as written.
 * The parser never fetches anything and never trusts a number it has not
 * range-checked.
 */
#ifndef VSP_HLS_H
#define VSP_HLS_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"

typedef enum vsp_hls_key_method {
	VSP_HLS_KEY_NONE = 0,
	VSP_HLS_KEY_AES128,
	VSP_HLS_KEY_SAMPLE_AES, /* also SAMPLE-AES-CTR: encrypted, not decodable */
} vsp_hls_key_method;

typedef struct vsp_hls_key {
	vsp_hls_key_method method;
	char *uri;  /* resolved; NULL for NONE */
	int has_iv; /* 0: IV is the media sequence number (RFC 8216 5.2) */
	uint8_t iv[16];
	char *keyformat; /* NULL when absent ("identity") */
	/* METHOD as written ("SAMPLE-AES-CTR", "AES-256", ...): method groups
	 * what prober can do, this says what the playlist declared. */
	char *method_name;
} vsp_hls_key;

typedef struct vsp_hls_map {
	char *uri;	   /* resolved */
	int64_t br_length; /* -1: whole resource */
	int64_t br_offset; /* 0 when BYTERANGE has no offset */
} vsp_hls_map;

typedef struct vsp_hls_segment {
	double duration;   /* EXTINF, seconds */
	char *title;	   /* EXTINF title, NULL when empty */
	char *uri;	   /* resolved */
	int64_t seq;	   /* media sequence number */
	int64_t br_length; /* EXT-X-BYTERANGE length, -1 when absent */
	int64_t br_offset; /* resolved offset (implicit offsets filled in) */
	int discontinuity; /* EXT-X-DISCONTINUITY before this segment */
	int64_t disc_seq;  /* discontinuity sequence number of the segment */
	int key;	   /* index into keys[], -1: not encrypted */
	int map;	   /* index into maps[], -1: no EXT-X-MAP */
	double pdt;	   /* EXT-X-PROGRAM-DATE-TIME, Unix seconds; 0 none */
	int gap;	   /* EXT-X-GAP */
	int has_pdt;	   /* 1 when pdt is set: 0 is also the epoch */
} vsp_hls_segment;

typedef struct vsp_hls_variant {
	int64_t bandwidth;	   /* required for EXT-X-STREAM-INF */
	int64_t average_bandwidth; /* 0 when absent */
	int width, height;	   /* 0 when absent */
	double frame_rate;	   /* 0 when absent */
	char *codecs;		   /* NULL when absent */
	char *audio, *video, *subtitles, *closed_captions; /* group ids */
	char *uri;					   /* resolved */
} vsp_hls_variant;

typedef enum vsp_hls_media_type {
	VSP_HLS_MEDIA_AUDIO,
	VSP_HLS_MEDIA_VIDEO,
	VSP_HLS_MEDIA_SUBTITLES,
	VSP_HLS_MEDIA_CLOSED_CAPTIONS,
} vsp_hls_media_type;

typedef struct vsp_hls_media {
	vsp_hls_media_type type;
	char *group_id, *name; /* required */
	char *language;	       /* NULL when absent */
	char *uri; /* resolved; NULL when absent (muxed in variant) */
	int is_default, autoselect;
	char *channels;
} vsp_hls_media;

/* EXT-X-START (RFC 8216 4.3.5.2): where players begin playback. */
typedef struct vsp_hls_start {
	int present;	/* the tag was seen (the last one counts, as hls.js) */
	int has_offset; /* TIME-OFFSET given: REQUIRED, conform.c reports it */
	double offset;	/* seconds: >= 0 from the start, < 0 from the end */
	int precise;	/* PRECISE=YES */
	int line;	/* the tag's line, for messages */
} vsp_hls_start;

typedef enum vsp_hls_playlist_type {
	VSP_HLS_TYPE_NONE = 0,
	VSP_HLS_TYPE_VOD,
	VSP_HLS_TYPE_EVENT,
} vsp_hls_playlist_type;

typedef struct vsp_hls_playlist {
	int is_master;
	int version; /* EXT-X-VERSION, 1 when absent */
	int independent_segments;

	/* master playlist */
	vsp_hls_variant *variants;
	size_t n_variants;
	vsp_hls_variant *iframe_variants; /* listed, never probed */
	size_t n_iframe_variants;
	vsp_hls_media *media;
	size_t n_media;

	/* media playlist */
	double target_duration;
	int64_t media_sequence;
	int64_t discontinuity_sequence;
	int endlist;
	vsp_hls_playlist_type type;
	int iframes_only;
	vsp_hls_segment *segments;
	size_t n_segments;
	vsp_hls_key *keys; /* segments refer to these by index */
	size_t n_keys;
	vsp_hls_map *maps;
	size_t n_maps;

	/* low-latency: understood, not probed */
	double part_target;	/* EXT-X-PART-INF PART-TARGET, 0 none */
	size_t n_parts;		/* EXT-X-PART tags seen */
	char *preload_hint_uri; /* resolved, NULL none */
	int can_block_reload;	/* EXT-X-SERVER-CONTROL */
	double can_skip_until, hold_back, part_hold_back;
	int64_t skipped_segments; /* EXT-X-SKIP SKIPPED-SEGMENTS */
	/* What vsp_hls_parse_until() reserved for it, given back by
	 * vsp_hls_free() (hold borrowed). */
	vsp_budget_hold *hold;
	size_t reserved;
	vsp_hls_start start; /* master or media playlist */
} vsp_hls_playlist;

/*
 * Parses len bytes of buf (need not be NUL-terminated). base_url may be NULL.
 * On success returns 0 and *out (caller frees with vsp_hls_free()).
 * On malformed input returns -1, *out NULL, and err holds a precise message:
 * "line 14: EXTINF: duration 'abc' is not a number". Limits from limits.h are
 * enforced; going over one returns -2 with a message naming the limit.
 * Out of memory returns VSP_E_NOMEM (the codes are error.h's VSP_E_*:
 * -1 VSP_E_SYNTAX, -2 VSP_E_LIMIT, -3 VSP_E_DEADLINE).
 */
int vsp_hls_parse(const char *buf, size_t len, const char *base_url,
		  vsp_hls_playlist **out, char *err, size_t errlen);
/* The same within bound (NULL: none): returns -3 when the deadline came
 * first, -2 when the parsed playlist does not fit the budget. What it
 * reserved stays with the playlist until vsp_hls_free(), so the hold must
 * outlive it. */
int vsp_hls_parse_until(const char *buf, size_t len, const char *base_url,
			const vsp_parse_bound *bound, vsp_hls_playlist **out,
			char *err, size_t errlen);
void vsp_hls_free(vsp_hls_playlist *pl);

/* 1 when the playlist is live: a media playlist without EXT-X-ENDLIST whose
 * type is not VOD. */
int vsp_hls_is_live(const vsp_hls_playlist *pl);

/* The position (index into pl->segments) of the segment holding the point
 * st names in media playlist pl, as players find it (RFC 8216 4.3.5.2,
 * hls.js): TIME-OFFSET from the start, or back from the end when negative;
 * beyond the playlist's duration it means the end (positive) or the start
 * (negative). A GAP segment there gives the next one that is not. Returns
 * -1 when st names no point (absent, no TIME-OFFSET) or no segment plays
 * from there. st may be another playlist's (the master's). */
int64_t vsp_hls_start_index(const vsp_hls_playlist *pl,
			    const vsp_hls_start *st);

#endif
