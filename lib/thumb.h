/*
 * thumb.h - the first decoded picture of a rendition, scaled down and saved
 * as a JPEG (issue 13: `--thumbnails DIR`), with libswscale and FFmpeg's
 * MJPEG encoder.
 *
 * Writes one file, whole or not at all (a temporary file renamed over the
 * name), never anything else. Never prints.
 */
#ifndef VSP_THUMB_H
#define VSP_THUMB_H

#include <stddef.h>

struct AVFrame;

/*
 * Scales picture f to VSP_THUMB_WIDTH wide (narrower pictures keep their
 * width; the height keeps the display aspect) and writes it to path as a
 * JPEG. Returns 0, or -1 with a message in err.
 */
int vsp_thumb_write(const struct AVFrame *f, const char *path, char *err,
		    size_t errlen);

/*
 * The thumbnail's file name for a rendition: "PROBE--ORIGIN--N-LABEL.jpg"
 * under dir, every name reduced to [A-Za-z0-9._-] so that a label such as
 * "audio/en" stays one file in dir. index keeps renditions of one label
 * apart. Returns 0, or -1 when it does not fit in len.
 */
int vsp_thumb_path(char *out, size_t len, const char *dir, const char *probe,
		   const char *origin, size_t index, const char *label);

#endif
