/*
 * termsafe.c - text from origins made safe for terminals and messages.
 *
 * Never allocates, never prints: callers hand a buffer.
 */
#include "termsafe.h"

#include "limits.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when the byte
 * does not start one (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

size_t vsp_term_safe(const char *s, size_t n, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k = 0;

	if (outlen == 0)
		return 0;
	while (i < n) {
		size_t len = u[i] < 0x80 ? 1 : utf8_len(u + i, n - i);
		int bad = 0;

		if (len == 0) {
			bad = 1;
			len = 1;
		} else if (len == 1) {
			bad = (u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7f;
		} else if (len == 2 && u[i] == 0xc2 && u[i + 1] <= 0x9f) {
			bad = 1; /* U+0080..U+009F: the C1 controls */
		}
		if (bad) {
			if (k + 2 > outlen)
				break;
			out[k++] = '?';
		} else {
			if (k + len + 1 > outlen)
				break;
			for (size_t j = 0; j < len; j++)
				out[k++] = (char)u[i + j];
		}
		i += len;
	}
	out[k] = '\0';
	return k;
}

void vsp_body_quote(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t k = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; i < n && k + 1 < outlen && i < VSP_BODY_QUOTE_BYTES;
	     i++)
		out[k++] = b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\''
				   ? (char)b[i]
				   : '.';
	out[k] = '\0';
}
