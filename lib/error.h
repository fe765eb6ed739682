/*
 * error.h - the library's error codes: one table (libuv's UV_ERRNO_MAP).
 *
 * Two channels (STYLE.md): what the target did is a reason in the result
 * tree (reason.h); an error is a probe, parse or run that could not do its
 * job. A function that can fail returns 0 or one of these (negative) codes
 * with a message in the caller's err buffer; the first error wins. Out of
 * memory and internal errors are errors, never a reason of the target: the
 * program maps them to exit 3.
 *
 * The values are stable: the parsers' -1, -2 and -3 keep their meaning.
 * Append rows; never renumber one.
 */
#ifndef VSP_ERROR_H
#define VSP_ERROR_H

#include <stddef.h>

/* X(ENUM, value, stable name, message) */
#define VSP_ERRNO_MAP(X)                                            \
	X(SYNTAX, -1, "syntax", "input is malformed")               \
	X(LIMIT, -2, "limit", "over a limit")                       \
	X(DEADLINE, -3, "deadline", "the deadline came first")      \
	X(NOMEM, -4, "nomem", "out of memory")                      \
	X(INTERNAL, -5, "internal", "internal error")               \
	X(IO, -6, "io", "file or folder cannot be read or written") \
	X(NOSPC, -7, "nospc", "disk full or over quota")

#define VSP_X_ERR(e, v, ...) VSP_E_##e = (v),
typedef enum vsp_err { VSP_OK = 0, VSP_ERRNO_MAP(VSP_X_ERR) } vsp_err;
#undef VSP_X_ERR

/* Stable names ("nomem") and messages ("out of memory"); borrowed static
 * strings; "unknown" for a value not in the table. */
/* Writes a printf-style message into err (errlen bytes); err may be NULL.
 * For the modules whose callers keep only the last message; where the
 * first error must win, check err[0] first. */
void vsp_err_printf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *vsp_err_name(int e);
const char *vsp_err_text(int e);

#endif
