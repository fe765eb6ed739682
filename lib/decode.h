/*
 * decode.h - demux and decode fetched media bytes with libavformat/libavcodec.
 *
 * Input is init segment + media segment, in memory, read through a custom
 * AVIOContext. Segment bytes are untrusted: only media container demuxers are
 * allowed (never hls, dash, concat, image2, ...), and no protocol can be opened
 * from inside a segment. One decoder thread; the deadline is enforced through
 * the interrupt callback. Never prints (FFmpeg's own logging is the program's
 * choice) and never exits.
 */
#ifndef VSP_DECODE_H
#define VSP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "reason.h"

/* The next bytes of a segment being received (vsp_decode_stream()): up to
 * n into buf; > 0 read, 0 at its end, -1 at the deadline. */
typedef long (*vsp_decode_read_fn)(void *arg, uint8_t *buf, size_t n);

typedef struct vsp_decode_opts {
	int max_frames; /* frames to decode, >= 1 */
	int audio;	/* 1: audio-only rendition: decode audio frames */
	int demux_only; /* 1: encrypted media: demux every packet, no decode */
	int64_t deadline_us; /* absolute, vsp_now_us() clock; 0: none */
	int decode_all; /* 1: decode every frame of every stream of interest;
			   any frame that fails is VSP_R_DECODE_ERROR */
	/* Content checks (content.h); NULL or !enabled: none. While the
	 * pictures past max_frames all match the first, decoding goes on
	 * (vsp_content_wants_more()): a moving picture costs nothing more. */
	const vsp_content_opts *content;
	/* Non-NULL: the first decoded picture is written here, scaled down
	 * (thumb.h); info->thumb says how it went. */
	const char *thumb_path;
	/* Non-NULL: called at most once, on the calling thread, as soon as
	 * the segment holds no decoder any more (its frames decoded, each
	 * decoder freed) while demuxing the rest goes on; also when none was
	 * opened. The caller's decoder slot may then go to another segment.
	 * Not called when a decoder is wanted to the end (decode all, an
	 * audio rendition) or vsp_decode() fails before demuxing. */
	void (*decoders_freed)(void *arg);
	void *decoders_freed_arg;
	/* Non-NULL: the decoders are not opened until the first packets
	 * they need are demuxed and queued (a few beyond max_frames per
	 * track, or the end of the segment); then this is called once, and
	 * must return 0 once the caller's decoder slot is taken, or -1 when
	 * none came free before the deadline (VSP_R_TIMEOUT). So a segment
	 * still arriving holds no decoder while it waits for the network.
	 * decoders_freed then says when the slot may go. */
	int (*decoder_enter)(void *arg);
	void *decoder_arg;
	/* 1: a segment without video but with audio is judged by its audio,
	 * as with audio set (nothing declared the rendition audio-only, but
	 * it is); info->has_video stays 0. */
	int audio_fallback;
} vsp_decode_opts;

typedef struct vsp_decode_info {
	char container[32]; /* demuxer name, e.g. "mpegts", "mov,mp4,m4a,..." */
	char codec[32];	    /* decoder name of the chosen stream, e.g. "h264" */
	char profile[48];   /* e.g. "High", "" when unknown */
	int level;	    /* codec level as FFmpeg reports it, -99 unknown */
	int width, height;  /* video only */
	char pix_fmt[32];   /* video only */
	int sample_rate;    /* audio only */
	int channels;	    /* audio only */
	int has_video, has_audio;
	int frames;	       /* frames decoded */
	double first_frame_ms; /* from start of demux to the first decoded frame */
	double ms;	       /* whole demux+decode time */
	double media_duration_s; /* time covered by the segment's packets of the
				    chosen stream (demuxed to the end), 0 unknown */
	int64_t packets;	 /* packets demuxed of the chosen stream */
	int decode_errors;	 /* packets or frames the decoder rejected; a
				 few are tolerated as a player would */
	/* Sample (pixel) aspect ratio, 0/0 unknown: as the bitstream says
	 * it (H.264/HEVC VUI, what the decoder outputs) and as the container
	 * says it (MP4 pasp). Manifests may declare the display size, which
	 * is the coded size stretched by it (RFC 8216 4.3.4.2). */
	int sar_num, sar_den;
	int container_sar_num, container_sar_den;

	/* Whole-segment integrity, over every packet of the chosen stream and
	 * of the first audio stream beside video. */
	int corrupt_packets;  /* flagged AV_PKT_FLAG_CORRUPT by the demuxer */
	int bitstream_errors; /* NAL lengths, start codes, forbidden bits */
	int ts_jumps;	      /* dts backwards, or a gap far over a packet */
	int demux_error;      /* 1: demuxing ended on an error, not at EOF */
	int frame_errors;     /* frames that failed or came out flagged */
	int64_t bad_packet;   /* index of the first bad packet in its stream,
				 -1 none */
	double bad_time_s;    /* its time from the stream's first packet */
	int64_t bad_offset;   /* its byte offset in the segment, -1 unknown */

	/* The first audio stream beside the chosen video one. */
	char audio_codec[32];	 /* "" when the segment carries no audio */
	int audio_frames;	 /* audio frames decoded */
	int64_t audio_packets;	 /* audio packets demuxed */
	double audio_duration_s; /* time its packets cover, 0 unknown */
	char streams[128];	 /* "video h264, audio aac": what is there */

	/* Content measures (opts->content): pictures of the chosen video
	 * stream, audio of the chosen or the beside one. */
	vsp_content_seg content;
	int thumb;	     /* 1 written, -1 failed, 0 not asked */
	char thumb_err[192]; /* why it failed */
	/* With VSP_R_INTERNAL only, which failure of the prober's it was (a
	 * vsp_err of error.h): VSP_E_NOMEM or VSP_E_INTERNAL; 0 otherwise. */
	int err;
} vsp_decode_info;

/*
 * Demuxes init (may be NULL/0) followed by seg, and decodes up to
 * opts->max_frames frames of the first video stream (the first audio stream
 * when opts->audio, or when there is no video and opts->audio is set).
 * Beside a video stream, the first audio stream is demuxed and decoded too.
 * Audio beside video decodes up to opts->max_frames frames too; a chosen
 * audio stream (an audio rendition) is decoded whole. Any audio frame that
 * fails is VSP_R_DECODE_ERROR. Every packet of both is
 * demuxed to the end, to measure the duration and to check the segment's
 * integrity: packets flagged corrupt (MPEG-TS continuity or sync errors),
 * broken H.264/HEVC structure (NAL lengths that do not add up to the
 * sample, missing start codes, forbidden bits), timestamps that jump, and
 * a demux error after the first packets. With opts->decode_all every frame
 * of both is decoded and any that fails is an error.
 * Fills *info as far as it got, even on failure.
 * Returns VSP_R_NONE on success; otherwise a reason (VSP_R_NOT_MEDIA when no
 * allowed demuxer recognises the bytes, VSP_R_NO_VIDEO, VSP_R_DECODE_ERROR,
 * VSP_R_TIMEOUT) with a message in err. VSP_R_CORRUPT_SEGMENT when an
 * integrity check failed (it wins over a decode error: the bytes are
 * damaged), with where (stream, packet index, time, byte offset) and what;
 * info's counts are filled either way. With opts->decode_all,
 * VSP_R_DECODE_ERROR names the first frame that failed and its time.
 * Also: VSP_R_DECODE_ERROR when opts->audio and there is no audio stream, or
 * the container holds no stream at all; VSP_R_TOO_LARGE when init or seg is
 * over VSP_SEGMENT_MAX_BYTES; VSP_R_UNSUPPORTED when this FFmpeg has no
 * decoder for the codec; VSP_R_INTERNAL on bad opts or out of memory
 * (info->err says which: VSP_E_INTERNAL, VSP_E_NOMEM).
 * err may be NULL; otherwise it is cleared first.
 */
vsp_reason vsp_decode(const uint8_t *init, size_t init_len, const uint8_t *seg,
		      size_t seg_len, const vsp_decode_opts *opts,
		      vsp_decode_info *info, char *err, size_t errlen);

/*
 * As vsp_decode(), the segment read from read(read_arg) as it arrives, not
 * from memory: demuxed forward only, as from a pipe (the bytes pass
 * through; only what the demuxer buffers is held). The caller stops the
 * source once this returns. read returning -1 is the deadline.
 */
vsp_reason vsp_decode_stream(const uint8_t *init, size_t init_len,
			     vsp_decode_read_fn read, void *read_arg,
			     const vsp_decode_opts *opts,
			     vsp_decode_info *info, char *err, size_t errlen);

/*
 * AES-128-CBC decryption with PKCS#7 padding removed (RFC 8216 4.3.2.4),
 * with libavutil's AES. On success returns 0 and *out (caller frees with
 * free()) of *out_len bytes. Returns -1 with a message on bad length or
 * padding, VSP_E_NOMEM (error.h) on out of memory.
 */
int vsp_aes128_decrypt(const uint8_t *in, size_t len, const uint8_t key[16],
		       const uint8_t iv[16], uint8_t **out, size_t *out_len,
		       char *err, size_t errlen);

/* Makes FFmpeg quiet (AV_LOG_QUIET) unless verbose; call once at start. */
void vsp_decode_global_init(int verbose);

#endif
