/* jsontext.c - any bytes as a valid JSON (UTF-8) string; rounded figures. */
#include "jsontext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3
									 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
				       (p[3] & 0xC0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

json_t *vsp_json_text(const char *s)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	const unsigned char *p = (const unsigned char *)s;
	json_t *j;
	char *buf, *q;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* Each bad byte becomes 3: at most three times as long. */
	buf = malloc(strlen(s) * 3 + 1);
	if (!buf)
		return NULL;
	q = buf;
	while (*p) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(q, p, n);
			q += n;
			p += n;
		} else {
			memcpy(q, replacement, 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

json_t *vsp_json_milli(double v)
{
	return json_real(round(v * 1000) / 1000);
}

json_t *vsp_json_milli_or_null(int has, double v)
{
	return has ? vsp_json_milli(v) : json_null();
}
