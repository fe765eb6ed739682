/*
 * reason.h - verdict states, stages and reason codes: one table each.
 *
 * The JSON names are a contract with users' scripts and the record schema:
 * append rows, never rename or remove one.
 */
#ifndef VSP_REASON_H
#define VSP_REASON_H

/* Severity order is the declaration order: worst-of is max(). */
typedef enum vsp_status {
	VSP_PASS = 0,
	VSP_WARN = 1,
	VSP_FAIL = 2,
} vsp_status;

#define VSP_STAGE_MAP(X)            \
	X(NONE, "")                 \
	X(MANIFEST, "manifest")     \
	X(PLAYLIST, "playlist")     \
	X(KEY, "key")               \
	X(INIT, "init")             \
	X(SEGMENT, "segment")       \
	X(DECODE, "decode")         \
	X(VALIDATION, "validation") \
	X(LIVE, "live")

/* X(ENUM, json name, short human text) */
#define VSP_REASON_MAP(X)                                                     \
	X(NONE, "", "ok")                                                     \
	X(HTTP_STATUS, "http_status", "HTTP error status")                    \
	X(TIMEOUT, "timeout", "deadline reached")                             \
	X(CONNECT, "connect", "connection failed")                            \
	X(TLS, "tls", "TLS handshake or certificate failed")                  \
	X(DNS, "dns", "host name not resolved")                               \
	X(TOO_LARGE, "too_large", "over a size limit")                        \
	X(MANIFEST_SYNTAX, "manifest_syntax", "manifest cannot be parsed")    \
	X(SEGMENT_MISSING, "segment_missing", "no segment to probe")          \
	X(DECODE_ERROR, "decode_error", "media does not decode")              \
	X(NO_VIDEO, "no_video", "no video stream in the media")               \
	X(RESOLUTION_MISMATCH, "resolution_mismatch",                         \
	  "decoded resolution differs from the declared one")                 \
	X(STALE_PLAYLIST, "stale_playlist", "live playlist does not advance") \
	X(CODEC_MISMATCH, "codec_mismatch",                                   \
	  "decoded codec differs from the declared one")                      \
	X(PROFILE_MISMATCH, "profile_mismatch",                               \
	  "decoded profile or level differs from the declared one")           \
	X(NOT_MEDIA, "not_media", "served bytes are not media")               \
	X(REDIRECT, "redirect", "too many redirects")                         \
	X(PROTOCOL, "protocol", "URL scheme refused")                         \
	X(NETWORK, "network", "transfer broken")                              \
	X(KEY_INVALID, "key_invalid", "encryption key unusable")              \
	X(DURATION_MISMATCH, "duration_mismatch",                             \
	  "media covers less time than declared")                             \
	X(NO_RENDITION, "no_rendition", "no rendition plays")                 \
	X(RENDITIONS_FAILED, "renditions_failed", "some renditions fail")     \
	X(GROUP_UNPLAYABLE, "group_unplayable",                               \
	  "no rendition of the referenced group plays")                       \
	X(ORIGINS_DOWN, "origins_down", "too few origins play")               \
	X(REDUNDANCY_LOST, "redundancy_lost", "an origin does not play")      \
	X(UNSUPPORTED, "unsupported", "not supported")                        \
	X(ENCRYPTED, "encrypted", "encrypted: demuxed, not decoded")          \
	X(INTERNAL, "internal", "internal error")                             \
	X(ORIGIN_LAGGING, "origin_lagging",                                   \
	  "origin behind the most advanced one")                              \
	X(SLOW_DOWNLOAD, "slow_download", "segment slower than real time")    \
	X(CORRUPT_SEGMENT, "corrupt_segment",                                 \
	  "segment bytes damaged: corrupt packets, broken bitstream or "      \
	  "timestamp jumps")                                                  \
	X(TRACK_MISSING, "track_missing",                                     \
	  "a declared track is missing from the media")                       \
	X(REMOVED_SEGMENT_GONE, "removed_segment_gone",                       \
	  "a segment that just left the live playlist no longer answers")     \
	X(ORIGIN_MISMATCH, "origin_mismatch",                                 \
	  "the origins do not serve the same stream")                         \
	X(COMMAND_FAILED, "command_failed",                                   \
	  "the origin's headers_command or url_command failed")               \
	X(BLACK_VIDEO, "black_video", "the picture is black")                 \
	X(FROZEN_VIDEO, "frozen_video", "the picture does not change")        \
	X(SILENT_AUDIO, "silent_audio", "the audio is silent")                \
	X(SPEC_VIOLATION, "spec_violation",                                   \
	  "the manifest breaks a MUST of its specification")

#define VSP_X_ENUM(e, ...) VSP_STAGE_##e,
typedef enum vsp_stage { VSP_STAGE_MAP(VSP_X_ENUM) VSP_STAGE_COUNT } vsp_stage;
#undef VSP_X_ENUM
#define VSP_X_ENUM(e, ...) VSP_R_##e,
typedef enum vsp_reason {
	VSP_REASON_MAP(VSP_X_ENUM) VSP_REASON_COUNT
} vsp_reason;
#undef VSP_X_ENUM

/* Stable names; borrowed static strings. */
const char *vsp_status_name(vsp_status s);
const char *vsp_stage_name(vsp_stage s);
const char *vsp_reason_name(vsp_reason r);
const char *vsp_reason_text(vsp_reason r);
/* Parses a reason's JSON name; VSP_REASON_COUNT when unknown. */
vsp_reason vsp_reason_from_name(const char *name);

#endif
