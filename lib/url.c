/*
 * url.c - URL resolution with libcurl's URL API (CURLU).
 *
 * Never resolves or splits URLs by hand. Never fetches.
 */
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* 1 when ref starts with an RFC 3986 scheme that is not followed by "//"
 * ("data:...", "urn:..."): such a reference is absolute and its own target
 * (RFC 3986 5.2.2), but libcurl's URL API only parses "scheme://" forms and
 * rejects it. */
static int is_opaque_absolute(const char *ref)
{
	const char *s = ref;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	       (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.')
		s++;
	return *s == ':' && strncmp(s + 1, "//", 2) != 0;
}

char *vsp_url_resolve(const char *base, const char *ref, char *err,
		      size_t errlen)
{
	CURLU *u = NULL;
	char *tmp = NULL, *out = NULL;
	CURLUcode rc;

	if (!ref) {
		snprintf(err, errlen, "missing URI");
		return NULL;
	}
	if (!base || is_opaque_absolute(ref)) {
		out = strdup(ref);
		if (!out)
			snprintf(err, errlen, "out of memory");
		return out;
	}
	u = curl_url();
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "base URL '%.200s': %s", base,
			 curl_url_strerror(rc));
		goto fail;
	}
	/* Setting a relative URL on a handle holding a URL resolves it
	 * (RFC 3986 section 5). Spaces and bytes outside ASCII are
	 * percent-encoded instead of rejected: players tolerate them. */
	rc = curl_url_set(u, CURLUPART_URL, ref,
			  CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "URI '%.200s': %s", ref,
			 curl_url_strerror(rc));
		goto fail;
	}
	rc = curl_url_get(u, CURLUPART_URL, &tmp, 0);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "URI '%.200s': %s", ref,
			 curl_url_strerror(rc));
		goto fail;
	}
	out = strdup(tmp);
	if (!out)
		snprintf(err, errlen, "out of memory");
fail:
	curl_free(tmp);
	curl_url_cleanup(u);
	return out;
}

int vsp_url_is_http(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 ||
		       strncasecmp(url, "https://", 8) == 0);
}
