/* error.c - names and messages of the error codes, from error.h's table. */
#include "error.h"

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
