/*
 * record.h - the result tree as the JSON record of DESIGN.md ("Record").
 *
 * Keys are a contract: add freely, never rename or remove one without
 * raising VSP_RECORD_SCHEMA.
 */
#ifndef VSP_RECORD_H
#define VSP_RECORD_H

#include <jansson.h>

#include "result.h"

#define VSP_RECORD_SCHEMA 1

/* New reference (caller json_decref()s), NULL on out of memory. */
json_t *vsp_record_json(const vsp_stream_result *s);

/* The record as one line of compact JSON, without a newline. Caller frees
 * with free(). NULL on out of memory. */
char *vsp_record_dumps(const vsp_stream_result *s);

/* The same with the record's "vantage" set to vantage (NULL or "": the
 * host name, as vsp_record_json() does). Every record also carries "host"
 * and "prober_version". */
json_t *vsp_record_json_from(const vsp_stream_result *s, const char *vantage);
char *vsp_record_dumps_from(const vsp_stream_result *s, const char *vantage);

#endif
