/*
 * jsontext.h - values as the records and reports write them in JSON: text
 * from the network as JSON strings, figures rounded to the thousandth.
 *
 * jansson refuses strings that are not valid UTF-8 (json_string() returns
 * NULL and the key silently vanishes from its object); names, titles and
 * URIs from an origin may hold any bytes.
 */
#ifndef VSP_JSONTEXT_H
#define VSP_JSONTEXT_H

#include <jansson.h>

/* s as a JSON string: as is when valid UTF-8, else with every byte that is
 * not part of a valid sequence replaced by U+FFFD. JSON null for NULL.
 * New reference; NULL only on out of memory. */
json_t *vsp_json_text(const char *s);

/* v as a JSON real rounded to three decimals (a millisecond of seconds, a
 * microsecond of milliseconds): what every figure of a record or report is
 * written with. vsp_json_milli_or_null: JSON null unless has. New
 * reference. */
json_t *vsp_json_milli(double v);
json_t *vsp_json_milli_or_null(int has, double v);

#endif
