/*
 * command.h - the programs a probe file names for an origin
 * (headers_command, url_command): CDN tokens and signed URLs expire, so a
 * program makes fresh ones before each check of that origin.
 *
 * A program runs with no shell (argv as the probe file gives it), stdin
 * from /dev/null, bounded in time (VSP_COMMAND_TIMEOUT_S, and never past
 * the check's deadline) and in output (VSP_COMMAND_OUTPUT_MAX). Its
 * environment is prober's, plus PROBER_PROBE, PROBER_ORIGIN and PROBER_URL
 * (the origin's configured URL). Never prints, never exits.
 */
#ifndef VSP_COMMAND_H
#define VSP_COMMAND_H

#include <stddef.h>
#include <stdint.h>

/* The probe's and the origin's settings, defined in probe.h; this module
 * reads them and needs nothing else of the probe. */
typedef struct vsp_probe_cfg vsp_probe_cfg;
typedef struct vsp_origin_cfg vsp_origin_cfg;

/*
 * Runs argv[0] (a path) with argv and envp until it exits or deadline_us
 * (vsp_now_us() clock) passes, when it is killed. On exit status 0 returns
 * 0 with its standard output in *out (NUL-ended, caller frees) and *len;
 * else -1 with a message in err: "exit status N: FIRST LINE OF STDERR",
 * "killed by signal N", "no answer within S s", "output over N bytes".
 */
int vsp_command_run(char *const *argv, char *const *envp, int64_t deadline_us,
		    char **out, size_t *len, char *err, size_t errlen);

/*
 * The origin as this check uses it: a deep copy of oc into *run with
 * headers_command's header lines appended to its headers and url_command's
 * first line as its URL; the values of both outputs join run's secrets
 * (and url_command turns secret_query on). cfg gives the probe's name for
 * the environment. Returns 0, or -1 with a message naming the command
 * ("headers_command /usr/lib/prober/sign: exit status 1: no key"). *run is
 * cleared with vsp_origin_cfg_clear() in every case.
 */
int vsp_origin_commands_run(const vsp_probe_cfg *cfg, const vsp_origin_cfg *oc,
			    int64_t deadline_us, vsp_origin_cfg *run, char *err,
			    size_t errlen);

#endif
