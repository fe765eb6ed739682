/*
 * config.h - probe definitions (probes/NAME.json, DESIGN.md "Probe
 * definition"): defaults, then the file laid over them, then validation.
 *
 * Unknown keys are errors at every level: a typo must not silently disable a
 * check. Every message names the file, the key as a JSON path
 * (origins[1].url, indexes from 0) and what was expected, e.g.
 * "probes/news.json: origins[1].url: expected an http:// or https:// URL,
 * got 'ftp://x'". Never prints, never exits.
 */
#ifndef VSP_CONFIG_H
#define VSP_CONFIG_H

#include <stddef.h>

#include "probe.h"

/*
 * Loads and validates one probe file into cfg (initialised here with
 * vsp_probe_cfg_init(); the caller clears it with vsp_probe_cfg_clear() in
 * every case). "name" is optional: it defaults to the file's base name
 * without ".json". Returns 0, or -1 with the message in err.
 */
int vsp_config_load_file(const char *path, vsp_probe_cfg *cfg, char *err,
			 size_t errlen);

/*
 * The same from a buffer (fuzzing, tests). label names the source in
 * messages and gives the default name as a path would (may be NULL:
 * "<probe>", and then "name" is required).
 */
int vsp_config_load_json(const char *text, size_t len, const char *label,
			 vsp_probe_cfg *cfg, char *err, size_t errlen);

/* Every probe file of a folder. */
typedef struct vsp_probe_set {
	vsp_probe_cfg *probes;
	char **paths; /* the file each probe came from */
	size_t n;
} vsp_probe_set;

/*
 * Loads DIR/ *.json (not hidden files, not subfolders: probes/examples/ is
 * never run), sorted by file name, all validated before the caller runs
 * any; two files defining the same probe name are an error. On error
 * nothing is kept. Free with vsp_probe_set_clear() in every case.
 */
int vsp_config_load_dir(const char *dir, vsp_probe_set *set, char *err,
			size_t errlen);
void vsp_probe_set_clear(vsp_probe_set *set);
/*
 * The same, for a fleet: a file that does not load (or repeats another's
 * name) is left out and its message ("probes/x.json: origins[0].url:
 * expected ...") appended to *bad (caller frees each and the array, also
 * on error), while every valid file is kept. Returns -1 only when the
 * folder itself cannot be read (message in err).
 */
int vsp_config_load_dir_each(const char *dir, vsp_probe_set *set, char ***bad,
			     size_t *n_bad, char *err, size_t errlen);

/* 1 when s is a valid probe or origin name: 1..VSP_MAX_NAME characters
 * of [A-Za-z0-9._-], not starting with '.' (names become file names). */
int vsp_config_name_ok(const char *s);

/* What a command line gives that a probe file also holds. */
typedef enum vsp_config_value {
	VSP_VALUE_URL,	      /* origins[].url: http:// or https:// */
	VSP_VALUE_HEADER,     /* one "Name: value" of origins[].headers */
	VSP_VALUE_RESOLVE,    /* one HOST:PORT:ADDR of origins[].resolve */
	VSP_VALUE_CACERT,     /* origins[].cacert: a readable file */
	VSP_VALUE_USER_AGENT, /* user_agent */
	VSP_VALUE_NAME,	      /* name, origins[].name */
	VSP_VALUE_MAX_MEMORY, /* max_memory_mb: megabytes, a whole number */
} vsp_config_value;

/*
 * Validates one command-line value exactly as the same key of a probe file
 * is, so `--resolve garbage` and "resolve": ["garbage"] are the same usage
 * error, found before any request. Returns 0, or -1 with "expected ...,
 * got '...'" in err (the caller names the option).
 */
int vsp_config_check_value(vsp_config_value what, const char *s, char *err,
			   size_t errlen);
/* 1 when s is a valid "Name: value" header line (headers_command's output
 * is checked with it too). */
int vsp_config_header_line_ok(const char *s);

#endif
