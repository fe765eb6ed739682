/*
 * termsafe.h - text from origins made safe to show.
 *
 * Names, group ids, URIs and messages come from playlists and bodies an
 * origin controls: printed raw, they could clear a terminal or set its title
 * (C0/C1 control sequences), or copy an internal document into a record.
 * JSON output is escaped by jansson and needs none of this.
 */
#ifndef VSP_TERMSAFE_H
#define VSP_TERMSAFE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copies the n bytes of s into out (room for outlen bytes, always
 * NUL-terminated when outlen > 0), keeping valid UTF-8 and newlines, and
 * writing '?' for every other C0 control byte, DEL, a C1 control (the
 * bytes 0x80-0x9f alone, or U+0080-U+009F encoded) and every byte that is
 * not part of a valid UTF-8 sequence. Returns the bytes written (without
 * the NUL); output that does not fit is cut at a character boundary.
 */
size_t vsp_term_safe(const char *s, size_t n, char *out, size_t outlen);

/*
 * At most VSP_BODY_QUOTE_BYTES leading bytes of a body for a message,
 * printable ASCII only (others, and the quote character, as '.'): a body
 * that is neither media nor a playlist may come from an internal URL a
 * playlist points at, and messages end up in records.
 */
void vsp_body_quote(const uint8_t *b, size_t n, char *out, size_t outlen);

#endif
