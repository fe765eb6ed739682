/* reason.c - names of states, stages and reason codes, from reason.h's tables. */
#include "reason.h"

#include <string.h>

#define X_STAGE(e, name) name,
static const char *const stage_names[] = { VSP_STAGE_MAP(X_STAGE) };
#define X_RNAME(e, name, text) name,
static const char *const reason_names[] = { VSP_REASON_MAP(X_RNAME) };
#define X_RTEXT(e, name, text) text,
static const char *const reason_texts[] = { VSP_REASON_MAP(X_RTEXT) };

const char *vsp_status_name(vsp_status s)
{
	switch (s) {
	case VSP_PASS:
		return "pass";
	case VSP_WARN:
		return "warn";
	case VSP_FAIL:
		return "fail";
	}
	return "unknown";
}

const char *vsp_stage_name(vsp_stage s)
{
	return (unsigned)s < VSP_STAGE_COUNT ? stage_names[s] : "";
}

const char *vsp_reason_name(vsp_reason r)
{
	return (unsigned)r < VSP_REASON_COUNT ? reason_names[r] : "internal";
}

const char *vsp_reason_text(vsp_reason r)
{
	return (unsigned)r < VSP_REASON_COUNT ? reason_texts[r]
					      : "internal error";
}

vsp_reason vsp_reason_from_name(const char *name)
{
	for (int i = 0; i < VSP_REASON_COUNT; i++)
		if (strcmp(reason_names[i], name) == 0)
			return (vsp_reason)i;
	return VSP_REASON_COUNT;
}
