/*
 * redact.h - keeps the secrets of a probe definition out of everything
 * prober writes: records, logs, the table and the Nagios output.
 *
 * Secrets are the values of headers marked secret (tokens) and, for an
 * origin marked "secret_query", the query strings of URLs (signed URLs).
 * Redaction is applied once to the result tree, so every renderer gets the
 * redacted text.
 */
#ifndef VSP_REDACT_H
#define VSP_REDACT_H

#include <stddef.h>

#include "result.h"

#define VSP_REDACTED "REDACTED"

/* A copy of in with every occurrence of each secret replaced by REDACTED,
 * the userinfo of every URL ("scheme://user:password@") always replaced by
 * REDACTED, and, when mask_query, the query string of every http(s) URL and
 * of every relative URI quoted in it ("seg.ts?token=x") replaced by
 * REDACTED. Caller frees; NULL on out of memory. */
char *vsp_redact_string(const char *in, const char *const *secrets,
			size_t n_secrets, int mask_query);

/* Redacts every string of the tree with vsp_redact_string(): one set of
 * secrets for the whole tree (the stream's message quotes its origins',
 * and one origin's token must not show through another's text either).
 * Returns 0, or -1 on out of memory (the tree may then hold a mix). */
int vsp_redact_result(vsp_stream_result *s, const char *const *secrets,
		      size_t n_secrets, int mask_query);

#endif
