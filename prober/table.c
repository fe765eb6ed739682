/*
 * table.c - `prober check`'s table: one block per origin, one row per
 * rendition, readable at a glance; the reason of anything not passing on the
 * line below it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "term.h"

static const char *upper_status(vsp_status s)
{
	return s == VSP_PASS ? "PASS" : s == VSP_WARN ? "WARN" : "FAIL";
}

/* Bits per second in the unit that keeps it short: 810 kb/s, 81.0 Mb/s,
 * 1.2 Gb/s. */
static void fmt_bw(double bps, char *buf, size_t len)
{
	if (!(bps > 0))
		snprintf(buf, len, "-");
	else if (bps >= 1e9)
		snprintf(buf, len, "%.1f Gb/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.1f Mb/s", bps / 1e6);
	else
		snprintf(buf, len, "%.0f kb/s", bps / 1e3);
}

/* A message is printed once, where it belongs: not again under an origin
 * or a rendition that only repeats it. */
static int same_text(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	/* The stream's message quotes an origin's after its name. */
	return strcmp(a, b) == 0 ||
	       (lb > la + 2 && strcmp(b + lb - la, a) == 0 &&
		b[lb - la - 2] == ':' && b[lb - la - 1] == ' ');
}

static void fmt_ms(double ms, char *buf, size_t len)
{
	if (ms <= 0)
		snprintf(buf, len, "-");
	else if (ms >= 1000)
		snprintf(buf, len, "%.2f s", ms / 1000);
	else
		snprintf(buf, len, "%.1f ms", ms);
}

/* The step that took longest: where the time went. */
static void slowest(const vsp_rendition_result *r, char *buf, size_t len)
{
	const struct {
		const char *name;
		const vsp_http_step *st;
	} steps[] = {
		{ "playlist", &r->playlist },
		{ "key", &r->key },
		{ "init", &r->init },
		{ "segment", &r->segment },
	};
	const char *name = NULL;
	double best = -1;
	char t[32];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].st->done && steps[i].st->total_ms > best) {
			best = steps[i].st->total_ms;
			name = steps[i].name;
		}
	if (r->decoded && r->decode.ms > best) {
		best = r->decode.ms;
		name = "decode";
	}
	if (!name) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_ms(best, t, sizeof(t));
	snprintf(buf, len, "%s %s", name, t);
}

/* Segments that answered with media over segments checked: "3/3". */
static void seg_coverage(const vsp_rendition_result *r, char *buf, size_t len)
{
	size_t ok = 0;

	if (r->n_segs == 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (size_t i = 0; i < r->n_segs; i++)
		ok += r->segs[i].status == VSP_PASS;
	snprintf(buf, len, "%zu/%zu", ok, r->n_segs);
}

/* The origin's head line: how its manifest answered, or what failed. */
static void origin_head(FILE *out, const vsp_origin_result *o)
{
	char t[32];

	fmt_ms(o->manifest.total_ms, t, sizeof(t));
	if (o->protocol && o->manifest.http_status)
		fprintf(out, "\norigin %s  %s  %s %s  manifest %ld in %s\n",
			o->name, upper_status(o->v.status), o->protocol,
			o->live ? "live" : "vod", o->manifest.http_status, t);
	else if (o->manifest.http_status)
		/* Answered, but with nothing playable. */
		fprintf(out, "\norigin %s  %s  manifest HTTP %ld in %s: %s\n",
			o->name, upper_status(o->v.status),
			o->manifest.http_status, t,
			vsp_reason_text(o->v.reason));
	else
		/* Never answered: what failed, not "?" and "-". */
		fprintf(out, "\norigin %s  %s  %s (%s at %s)\n", o->name,
			upper_status(o->v.status), vsp_reason_text(o->v.reason),
			vsp_reason_name(o->v.reason),
			vsp_stage_name(o->v.stage));
}

/* One rendition's row of the table. */
static void rendition_row(FILE *out, const vsp_rendition_result *r)
{
	char bw[32], dec[64], slow[48], ttff[32], frames[16], segs[24];
	const vsp_decode_info *d = &r->decode;

	fmt_bw((double)r->bandwidth, bw, sizeof(bw));
	if (!r->decoded || !d->codec[0])
		snprintf(dec, sizeof(dec), "-");
	else if (d->width > 0)
		snprintf(dec, sizeof(dec), "%s %dx%d", d->codec, d->width,
			 d->height);
	else
		snprintf(dec, sizeof(dec), "%s %d Hz", d->codec,
			 d->sample_rate);
	if (r->decoded)
		snprintf(frames, sizeof(frames), "%d%s", d->frames,
			 r->encrypted ? "*" : "");
	else
		snprintf(frames, sizeof(frames), "-");
	fmt_ms(r->ttff_ms, ttff, sizeof(ttff));
	slowest(r, slow, sizeof(slow));
	seg_coverage(r, segs, sizeof(segs));
	fprintf(out, "  %-6s %-22.22s %-10s %-20.20s %6s %11s %-9s %s\n",
		vsp_status_name(r->v.status), r->name ? r->name : "-", bw, dec,
		frames, ttff, segs, slow);
}

static void rendition_live(FILE *out, const vsp_rendition_result *r)
{
	fprintf(out, "         live: newest segment %lld",
		(long long)r->newest_seq);
	if (r->has_live_edge_lag)
		fprintf(out, ", edge lag %.1f s", r->live_edge_lag_s);
	if (r->has_playlist_age)
		fprintf(out, ", playlist age %.1f s", r->playlist_age_s);
	if (r->has_origin_lag)
		fprintf(out, ", %.1f s behind the best origin",
			r->origin_lag_s);
	fprintf(out, ", %d reload%s%s\n", r->reloads,
		r->reloads == 1 ? "" : "s",
		r->advanced == 1   ? " (advanced)"
		: r->advanced == 0 ? " (not advanced)"
				   : "");
	if (r->live_note)
		fprintf(out, "         %s\n", r->live_note);
}

/* The lines under a rendition's row: its message (unless the origin or the
 * summary said it already), live figures, speed, the segment fetched. */
static void rendition_notes(FILE *out, const vsp_origin_result *o,
			    const vsp_rendition_result *r, int verbose,
			    const char *said)
{
	char bw[32];

	if (r->v.message && (r->v.status != VSP_PASS || verbose) &&
	    !same_text(r->v.message, o->v.message) &&
	    !same_text(r->v.message, said))
		fprintf(out, "         %s at %s: %s\n",
			vsp_reason_name(r->v.reason),
			vsp_stage_name(r->v.stage), r->v.message);
	if (r->live && r->target_duration > 0)
		rendition_live(out, r);
	if (r->rtf > 0 && (verbose || r->v.reason == VSP_R_SLOW_DOWNLOAD)) {
		fmt_bw(r->measured_bps, bw, sizeof(bw));
		fprintf(out, "         segment at %.1fx real time, %s\n",
			r->rtf, bw);
	}
	if (verbose && r->segment.done)
		fprintf(out, "         segment %s (%lld bytes)\n",
			r->segment.url, (long long)r->segment.bytes);
}

static void render_origin(FILE *out, const vsp_origin_result *o, int verbose,
			  const char *said)
{
	origin_head(out, o);
	fprintf(out, "  %s\n", o->url);
	if (o->v.status != VSP_PASS && o->v.message &&
	    !same_text(o->v.message, said))
		fprintf(out, "  %s at %s: %s\n", vsp_reason_name(o->v.reason),
			vsp_stage_name(o->v.stage), o->v.message);
	if (o->n_renditions == 0)
		return;
	fprintf(out, "  %-6s %-22s %-10s %-20s %6s %11s %-9s %s\n", "STATUS",
		"RENDITION", "BANDWIDTH", "DECODED", "FRAMES", "FIRST FRAME",
		"SEGS", "SLOWEST STEP");
	for (size_t i = 0; i < o->n_renditions; i++) {
		rendition_row(out, &o->renditions[i]);
		rendition_notes(out, o, &o->renditions[i], verbose, said);
	}
}

static void render_table_raw(FILE *out, const vsp_stream_result *s, int verbose)
{
	char t[32];
	const char *said = NULL;

	fmt_ms(s->duration_ms, t, sizeof(t));
	fprintf(out, "%s  %s  %zu of %zu origin%s playable  (%s)\n",
		s->probe ? s->probe : "stream", upper_status(s->v.status),
		s->n_healthy, s->n_origins, s->n_origins == 1 ? "" : "s", t);
	if (s->v.status != VSP_PASS && s->v.message) {
		fprintf(out, "  %s: %s\n", vsp_reason_name(s->v.reason),
			s->v.message);
		said = s->v.message;
	}
	for (size_t i = 0; i < s->n_origins; i++)
		render_origin(out, &s->origins[i], verbose, said);
	if (verbose)
		fprintf(out,
			"\n* encrypted renditions are demuxed, not decoded\n");
}

/* Names, URIs and messages come from origins: the whole table passes
 * through term_write() on its way to the terminal. */
void render_table(FILE *out, const vsp_stream_result *s, int verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	render_table_raw(m, s, verbose);
	if (fclose(m) == 0)
		term_write(out, buf, len);
	free(buf);
}
