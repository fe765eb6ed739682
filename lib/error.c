/* error.c - names and messages of the error codes, from error.h's table. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

const char *vsp_err_name(int e)
{
	switch (e) {
	case VSP_OK:
		return "ok";
#define X_NAME(en, v, name, text) \
	case VSP_E_##en:          \
		return name;
		VSP_ERRNO_MAP(X_NAME)
#undef X_NAME
	}
	return "unknown";
}

const char *vsp_err_text(int e)
{
	switch (e) {
	case VSP_OK:
		return "ok";
#define X_TEXT(en, v, name, text) \
	case VSP_E_##en:          \
		return text;
		VSP_ERRNO_MAP(X_TEXT)
#undef X_TEXT
	}
	return "unknown";
}

void vsp_err_printf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
