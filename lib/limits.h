/*
 * limits.h - every cap prober puts on what it reads from the network or disk.
 *
 * Going over one of these is a `fail` with reason `too_large` (or a clean
 * rejection of a probe file), never a crash or an out-of-memory. Keep them here,
 * named, never as magic numbers at the use.
 */
#ifndef VSP_LIMITS_H
#define VSP_LIMITS_H

/* Bytes of a master/media playlist or MPD we accept. A 200 000-segment VOD
 * playlist is about 6 MB, so 16 MB leaves room without letting a hostile
 * origin make us buffer a 100 MB "manifest". */
#define VSP_MANIFEST_MAX_BYTES (16L * 1024 * 1024)
/* Bytes of one media or init segment: a 10 s 4K segment is about 25 MB. */
#define VSP_SEGMENT_MAX_BYTES (64L * 1024 * 1024)
/* An AES-128 key is 16 bytes; anything much longer is not a key. */
#define VSP_KEY_MAX_BYTES 1024L
/* Segments in one media playlist, and renditions in one master. */
#define VSP_HLS_MAX_SEGMENTS 500000
#define VSP_MAX_RENDITIONS 256
/* Longest playlist line and attribute list we parse. */
#define VSP_HLS_MAX_LINE (64 * 1024)
#define VSP_HLS_MAX_ATTRS 64
/* Redirects followed per transfer (also restricted to http/https). */
#define VSP_MAX_REDIRECTS 5
/* Frames a check may ask to decode. */
#define VSP_MAX_FRAMES 600
/* Origins in one stream, headers and resolve pins per origin. */
#define VSP_MAX_ORIGINS 32
#define VSP_MAX_HEADERS 32
/* Renditions of one origin probed at the same time (threads). */
#define VSP_RENDITION_PARALLEL 8
/* Default deadline of a whole check, seconds, and default frames. */
#define VSP_DEFAULT_TIMEOUT_S 20.0
#define VSP_DEFAULT_FRAMES 5
/* Decoded media covering less than this share of the declared duration is
 * a truncated segment: a player would stall on it. */
#define VSP_MIN_DURATION_RATIO 0.5

#endif
