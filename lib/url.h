/*
 * url.h - URL resolution and scheme policy, through libcurl's URL API.
 *
 * Never resolves by hand: RFC 3986 reference resolution is libcurl's job.
 */
#ifndef VSP_URL_H
#define VSP_URL_H

#include <stddef.h>

/* Resolves ref against base (base may be NULL: ref is then returned as is
 * when absolute or relative). Caller frees the result with free(). Returns
 * NULL with a message in err on a malformed URL or out of memory. */
char *vsp_url_resolve(const char *base, const char *ref, char *err,
		      size_t errlen);

/* 1 when url is absolute http:// or https:// (case-insensitive), else 0. */
int vsp_url_is_http(const char *url);

#endif
