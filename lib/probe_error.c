/*
 * probe_error.c - the check's own failures on the error channel.
 *
 * Out of memory and internal failures (no thread, no worker) anywhere in
 * a check are the prober's, not the target's: they must never become a
 * verdict (a `fail` a viewer never saw). Every origin and worker of one
 * check shares one check_error; the first error wins, and
 * vsp_probe_check() returns it instead of a result tree.
 */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "probe_int.h"

static void error_vset(struct check_error *e, int code, const char *fmt,
		       va_list ap)
{
	pthread_mutex_lock(&e->lock);
	if (!e->code) {
		e->code = code;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	pthread_mutex_unlock(&e->lock);
}

void vsp_probe_error(struct origin_ctx *o, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(o->error, code, fmt, ap);
	va_end(ap);
}

int vsp_probe_failed(struct origin_ctx *o)
{
	int code;

	pthread_mutex_lock(&o->error->lock);
	code = o->error->code;
	pthread_mutex_unlock(&o->error->lock);
	return code;
}

int vsp_probe_err_code(vsp_reason rc, int err)
{
	if (rc != VSP_R_INTERNAL)
		return 0;
	return err == VSP_E_NOMEM ? VSP_E_NOMEM : VSP_E_INTERNAL;
}

void vsp_probe_fail(struct origin_ctx *o, vsp_verdict *v, vsp_reason rc,
		    int err, vsp_stage stage, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int code = vsp_probe_err_code(rc, err);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (code)
		vsp_probe_error(o, code, "origin %s: %s",
				o->ocfg->name ? o->ocfg->name : "?", msg);
	else
		vsp_verdict_set(v, VSP_FAIL, rc, stage, "%s", msg);
}

/* code: what the producer of an internal verdict in the tree means by it
 * (vsp_probe_error_lift). */
static void lift(struct check_error *e, const vsp_verdict *v, int code)
{
	if (v->reason != VSP_R_INTERNAL)
		return;
	pthread_mutex_lock(&e->lock);
	if (!e->code) {
		e->code = code;
		snprintf(e->msg, sizeof(e->msg), "%s",
			 v->message ? v->message : "internal error");
	}
	pthread_mutex_unlock(&e->lock);
}

int vsp_probe_error_lift(struct check_error *e, const vsp_stream_result *s)
{
	for (size_t i = 0; i < s->n_origins; i++) {
		const vsp_origin_result *o = &s->origins[i];

		for (size_t k = 0; k < o->n_renditions; k++)
			lift(e, &o->renditions[k].v, VSP_E_INTERNAL);
		lift(e, &o->v, VSP_E_INTERNAL);
	}
	lift(e, &s->v, VSP_E_INTERNAL);
	/* Out of memory comparing origins (compare.c). */
	if (s->judge_err) {
		pthread_mutex_lock(&e->lock);
		if (!e->code) {
			e->code = s->judge_err;
			snprintf(e->msg, sizeof(e->msg),
				 "out of memory comparing origins");
		}
		pthread_mutex_unlock(&e->lock);
	}
	return e->code;
}
