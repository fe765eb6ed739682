/*
 * dash_template.h - SegmentTemplate expansion (ISO/IEC 23009-1 5.3.9.4.4):
 * $RepresentationID$, $Number$, $Time$, $Bandwidth$, $$ and width formats
 * ($Number%05d$). A pure string function: the format is applied by this
 * code, never handed to printf, and the result is capped.
 */
#ifndef VSP_DASH_TEMPLATE_H
#define VSP_DASH_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/* Longest URL a SegmentTemplate may expand to. */
#define VSP_DASH_MAX_URL 8192

/*
 * Expands a media template. Returns a malloc'd string (caller frees), or
 * NULL with a message (unknown identifier, unterminated $, too long).
 */
char *vsp_dash_expand(const char *tmpl, const char *rep_id, int64_t number,
		      int64_t bandwidth, int64_t time, char *err,
		      size_t errlen);
/* The same for an initialization template, where $Number$ and $Time$ are
 * refused (there is no segment to number). */
char *vsp_dash_expand_init(const char *tmpl, const char *rep_id,
			   int64_t bandwidth, char *err, size_t errlen);

#endif
