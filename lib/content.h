/*
 * content.h - what the decoded pictures and sound show: black, frozen,
 * silent (issue 13).
 *
 * Pure functions over luma planes and audio peaks, no FFmpeg types and no
 * I/O: decode.c measures each decoded frame into a vsp_content_seg (one per
 * decoded segment, inside vsp_decode_info); a rendition's segments are then
 * judged together by vsp_content_judge().
 *
 * Pictures are compared by a coarse signature (the mean luma of a grid of
 * cells), never pixel by pixel: coding noise averages out inside a cell, a
 * change of the scene does not. Pictures are compared only far apart in
 * media time: a run of pictures that all match the run's first picture,
 * measured from the first to the last. Five frames at 25 fps span 0.2 s, in
 * which any calm scene looks frozen; so the decoder goes on decoding past
 * its frames (vsp_content_wants_more()) while every picture still matches,
 * which costs nothing on a moving stream (its pictures differ at once) and
 * is how a frozen one proves itself.
 */
#ifndef VSP_CONTENT_H
#define VSP_CONTENT_H

#include <stddef.h>
#include <stdint.h>

/* Signature grid: cells across and down (16:9 pictures get square cells). */
#define VSP_CONTENT_GRID_W 32
#define VSP_CONTENT_GRID_H 18
#define VSP_CONTENT_CELLS  (VSP_CONTENT_GRID_W * VSP_CONTENT_GRID_H)

/* Thresholds of the content checks (probe file and command line). */
typedef struct vsp_content_opts {
	int enabled;	      /* 0: measure nothing */
	double black_luma;    /* a pixel this share of the luma range above
			       black counts as dark (blackdetect pix_th) */
	double black_ratio;   /* a picture with this share of dark pixels is
			       black (blackdetect pic_th) */
	double black_min_s;   /* black over at least this long: black_video */
	double frozen_min_s;  /* unchanged at least this long: frozen_video */
	double silence_db;    /* audio peak below this dBFS is silence */
	double silence_min_s; /* silent at least this long: silent_audio */
} vsp_content_opts;

/* The signature and blackness of one picture. */
typedef struct vsp_picture {
	uint8_t cell[VSP_CONTENT_CELLS]; /* mean luma, 8-bit, per cell */
	double luma;			 /* mean luma, 0..1 of the range */
	double dark;			 /* share of dark samples, 0..1 */
} vsp_picture;

/* What one decoded segment showed. Plain data: copied with the decode
 * info. Times are the media's, seconds. */
typedef struct vsp_content_seg {
	/* video */
	int pictures;	   /* pictures measured */
	int measured;	   /* 1: the pixel format was measurable */
	double first_t;	   /* time of the first picture */
	double last_t;	   /* time of the last picture */
	vsp_picture first; /* the first picture (compared across segments) */
	vsp_picture ref;   /* the first picture of the current still run */
	double ref_t, run_last_t;
	int run_from_first; /* the current run began at the first picture */
	int changed;	    /* some picture differed from its run's first */
	double still_s;	    /* longest run of matching pictures */
	double black_s;	    /* longest run of black pictures */
	double black_t0, black_last_t;
	int in_black;
	int black_pictures;	   /* pictures that were black */
	double luma_min, luma_max; /* mean luma of the pictures, 0..1 */
	/* audio */
	int audio_frames;
	double audio_s;	 /* time the audio frames cover */
	double peak;	 /* loudest sample, 0..1 of full scale */
	double silent_s; /* longest run of frames below the level */
	double silent_t0, silent_end;
	int in_silence;
} vsp_content_seg;

/* The defaults: ffmpeg's blackdetect, freezedetect and silencedetect
 * (pix_th 0.10, pic_th 0.98, d 2 s, noise -60 dB). */
void vsp_content_opts_init(vsp_content_opts *o);
void vsp_content_seg_init(vsp_content_seg *c);

/*
 * Measures a luma plane of width x height samples, linesize bytes apart;
 * bytes_per_sample 1 (8-bit) or 2 (little-endian, bits significant bits);
 * full_range 1 for JPEG range (0..max), 0 for video range (16..235 at 8
 * bits). Samples every few pixels: the cost is small beside decoding.
 * Returns 0, or -1 when the picture is too small or the format odd.
 */
int vsp_picture_measure(const uint8_t *plane, int linesize, int width,
			int height, int bytes_per_sample, int bits,
			int full_range, double black_luma, vsp_picture *out);

/* Largest difference of one cell between two pictures, 8-bit levels. */
int vsp_picture_diff(const vsp_picture *a, const vsp_picture *b);

/* Share (0..1) of the cells of a and b that differ by more than levels
 * 8-bit levels: how much of the picture shows something else (compare.c
 * compares the first pictures of two origins with it). */
double vsp_picture_diff_share(const vsp_picture *a, const vsp_picture *b,
			      int levels);

/* Adds a measured picture at media time t. */
void vsp_content_picture(vsp_content_seg *c, const vsp_picture *p, double t,
			 const vsp_content_opts *o);

/* 1 while every picture so far matched the first and the run is shorter
 * than the checks need: the decoder should go on. */
int vsp_content_wants_more(const vsp_content_seg *c, const vsp_content_opts *o);

/* Peak of n samples of one channel, 0..1 of full scale. fmt: 0 s16, 1 s32,
 * 2 float, 3 double. */
double vsp_audio_peak(const void *samples, int fmt, size_t n);

/* Adds an audio frame of peak (0..1) at media time t lasting dur s. */
void vsp_content_audio(vsp_content_seg *c, double peak, double t, double dur,
		       const vsp_content_opts *o);

/* 1 while every audio frame so far was below the silence level and the
 * run is shorter than the check needs: the audio decoder beside video
 * should go on (it stops at the first frame with sound). */
int vsp_content_audio_wants_more(const vsp_content_seg *c,
				 const vsp_content_opts *o);

/* What a rendition's segments showed together. */
typedef struct vsp_content_result {
	int pictures, audio_frames;
	double black_s;	 /* longest time known black */
	double frozen_s; /* longest time known unchanged */
	double silent_s; /* longest time known silent */
	double luma;	 /* mean luma of the first picture, 0..1; -1 none */
	double peak_db;	 /* loudest sample, dBFS; 0 none decoded */
	int black, frozen, silent; /* 1: over the thresholds */
} vsp_content_result;

/*
 * Judges the segments of one rendition (n may be 0). Besides each
 * segment's own runs, the first pictures of two segments that match, in
 * segments whose own pictures did not change, are the same picture over
 * the time between them (live: the newest and the start segment).
 */
void vsp_content_judge(const vsp_content_seg *const *segs, size_t n,
		       const vsp_content_opts *o, vsp_content_result *out);

#endif
