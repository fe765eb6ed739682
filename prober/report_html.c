/*
 * report_html.c - `prober report --format html`: one self-contained page
 * (inline CSS and SVG; no script, no font, nothing fetched) with, per
 * probe, the figures, a timeline strip per origin (up, degraded, down, no
 * data), time to first frame over the window, the outage table and the
 * thumbnails the records name.
 *
 * Bounded whatever the history: a strip has one column per pixel (the
 * worst state in it), the chart one point per bucket of lib/report.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "file.h"
#include "report.h"

#define STRIP_W	    1000
#define STRIP_H	    18
#define CHART_H	    120
#define THUMB_MAX_B (512 * 1024)

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char *const state_class[] = { "up", "deg", "down", "part" };
/* Worse first when two states share a pixel. */
static const int state_rank[] = { 1, 2, 4, 3 };

static void strip(FILE *f, const vsp_avail *a, double since, double until)
{
	signed char col[STRIP_W];
	double w = (until - since) / STRIP_W;

	memset(col, -1, sizeof(col));
	for (size_t i = 0; i < a->n_spans && w > 0; i++) {
		const vsp_span *sp = &a->spans[i];
		long x0 = (long)floor((sp->start - since) / w);
		long x1 = (long)ceil((sp->end - since) / w);

		if (x0 < 0)
			x0 = 0;
		if (x1 > STRIP_W)
			x1 = STRIP_W;
		for (long x = x0; x < x1; x++)
			if (col[x] < 0 ||
			    state_rank[sp->state] > state_rank[(int)col[x]])
				col[x] = (signed char)sp->state;
	}
	fprintf(f,
		"<svg class=\"strip\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" role=\"img\">",
		STRIP_W, STRIP_H, STRIP_W, STRIP_H);
	fprintf(f,
		"<rect class=\"nodata\" x=\"0\" y=\"0\" width=\"%d\" "
		"height=\"%d\"/>",
		STRIP_W, STRIP_H);
	for (int x = 0; x < STRIP_W;) {
		int e = x;

		while (e < STRIP_W && col[e] == col[x])
			e++;
		if (col[x] >= 0)
			fprintf(f,
				"<rect class=\"%s\" x=\"%d\" y=\"0\" "
				"width=\"%d\" height=\"%d\"/>",
				state_class[(int)col[x]], x, e - x, STRIP_H);
		x = e;
	}
	fputs("</svg>", f);
}

static void chart(FILE *f, const vsp_avail *const *series, size_t n)
{
	double max = 0;
	double step = (double)STRIP_W / VSP_REPORT_BUCKETS;

	for (size_t k = 0; k < n; k++)
		for (int b = 0; b < VSP_REPORT_BUCKETS; b++)
			if (series[k]->ttff_bucket[b] > max)
				max = series[k]->ttff_bucket[b];
	if (max <= 0) {
		fputs("<p class=\"muted\">no time to first frame in this "
		      "window</p>",
		      f);
		return;
	}
	fprintf(f,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" role=\"img\">",
		STRIP_W, CHART_H + 14, STRIP_W, CHART_H + 14);
	fprintf(f,
		"<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" "
		"y2=\"%d\"/><text x=\"2\" y=\"10\">%.0f ms</text>"
		"<text x=\"2\" y=\"%d\">0</text>",
		CHART_H, STRIP_W, CHART_H, max, CHART_H + 12);
	for (size_t k = 0; k < n; k++) {
		int open = 0;

		/* A dot per bucket too: a lone bucket draws no line. */
		for (int b = 0; b < VSP_REPORT_BUCKETS; b++)
			if (series[k]->ttff_bucket[b] >= 0)
				fprintf(f,
					"<circle class=\"d%zu\" cx=\"%.1f\" "
					"cy=\"%.1f\" r=\"2\"/>",
					k % 6, (b + 0.5) * step,
					CHART_H - series[k]->ttff_bucket[b] /
							  max * (CHART_H - 12));

		for (int b = 0; b < VSP_REPORT_BUCKETS; b++) {
			double v = series[k]->ttff_bucket[b];

			if (v < 0) {
				if (open)
					fputs("\"/>", f);
				open = 0;
				continue;
			}
			if (!open)
				fprintf(f,
					"<polyline class=\"s%zu\" "
					"points=\"",
					k % 6);
			fprintf(f, "%.1f,%.1f ", (b + 0.5) * step,
				CHART_H - v / max * (CHART_H - 12));
			open = 1;
		}
		if (open)
			fputs("\"/>", f);
	}
	fputs("</svg><p class=\"legend\">", f);
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "<span class=\"k%zu\">&#9632; ", k % 6);
		esc(f, series[k]->name);
		fputs("</span> ", f);
	}
	fputs("</p>", f);
}

static void b64(FILE *f, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tab[v & 63] : '=', f);
	}
}

/* A thumbnail named by the records: inlined when it is a small local
 * JPEG or PNG (the page must not fetch anything), else its name. */
static void thumb(FILE *f, const vsp_avail *a)
{
	const char *t = a->thumb;
	const char *ext = t ? strrchr(t, '.') : NULL;
	const char *mime = NULL;
	char *buf = NULL, msg[256];
	size_t len = 0;

	if (!t)
		return;
	if (ext && (strcmp(ext, ".jpg") == 0 || strcmp(ext, ".jpeg") == 0))
		mime = "image/jpeg";
	else if (ext && strcmp(ext, ".png") == 0)
		mime = "image/png";
	fputs("<figure class=\"thumb\">", f);
	if (mime &&
	    vsp_file_read(t, THUMB_MAX_B, "a thumbnail", VSP_FILE_REGULAR, &buf,
			  &len, msg, sizeof(msg)) == 0) {
		fprintf(f, "<img alt=\"\" src=\"data:%s;base64,", mime);
		b64(f, (const unsigned char *)buf, len);
		fputs("\">", f);
	}
	fputs("<figcaption>", f);
	esc(f, a->name);
	fputs("</figcaption></figure>", f);
	free(buf);
}

static void outage_rows(FILE *f, const char *scope, const vsp_outage *v,
			size_t n, const char *where_default)
{
	for (size_t i = 0; i < n; i++) {
		const vsp_outage *u = &v[i];
		char s[40], e[40], d[32];

		report_fmt_time(u->start, s, sizeof(s));
		report_fmt_time(u->end, e, sizeof(e));
		report_fmt_dur(u->end - u->start, d, sizeof(d));
		fputs("<tr class=\"outage\"><td>", f);
		esc(f, scope);
		fprintf(f, "</td><td>%s</td><td>%s%s</td><td>%s</td><td>", s, e,
			u->ongoing ? " <b>ongoing</b>" : "", d);
		esc(f, u->reason ? u->reason : "-");
		fputs("</td><td>", f);
		esc(f, u->where && *u->where ? u->where : where_default);
		fputs("</td><td>", f);
		esc(f, u->message);
		fputs("</td></tr>\n", f);
	}
}

static void figures_row(FILE *f, const char *probe, const char *scope,
			const vsp_avail *a)
{
	char nd[32];

	report_fmt_dur(a->nodata_s, nd, sizeof(nd));
	fputs("<tr><td>", f);
	esc(f, scope);
	fputs("</td><td class=\"avail\" data-probe=\"", f);
	esc(f, probe);
	fputs("\" data-scope=\"", f);
	esc(f, scope);
	fputs("\">", f);
	if (a->availability >= 0)
		fprintf(f, "%.3f%%", a->availability);
	else
		fputs("no data", f);
	fprintf(f, "</td><td>%zu</td><td>%s</td>", a->checks, nd);
	if (a->ttff_p50 >= 0)
		fprintf(f, "<td>%.0f ms</td><td>%.0f ms</td>", a->ttff_p50,
			a->ttff_p95);
	else
		fputs("<td>-</td><td>-</td>", f);
	fprintf(f, "<td>%zu</td></tr>\n", a->n_outages);
}

static void view_strips(FILE *f, const char *label, const vsp_avail *stream,
			const vsp_avail *origins, size_t n, double since,
			double until)
{
	fputs("<div class=\"row\"><span class=\"lbl\">", f);
	esc(f, label);
	fputs(" stream</span>", f);
	strip(f, stream, since, until);
	fputs("</div>\n", f);
	for (size_t k = 0; k < n; k++) {
		fputs("<div class=\"row\"><span class=\"lbl\">", f);
		esc(f, label);
		fputc(' ', f);
		esc(f, origins[k].name);
		fputs("</span>", f);
		strip(f, &origins[k], since, until);
		fputs("</div>\n", f);
	}
}

/* The probe's name, interval, vantages and SLO budget. */
static void section_head(FILE *f, const vsp_report_probe *p)
{
	char a[40], b[40];

	fputs("<section><h2>", f);
	esc(f, p->name);
	fprintf(f, "</h2><p class=\"muted\">interval %g s", p->interval_s);
	if (p->n_vantages > 1)
		fprintf(f,
			"; %zu vantages: the combined view is down only "
			"when every vantage says down",
			p->n_vantages);
	fputs("</p>\n", f);
	if (p->slo > 0) {
		double with = p->stream.up_s + p->stream.down_s;
		double budget = with * (100 - p->slo) / 100;

		report_fmt_dur(budget, a, sizeof(a));
		report_fmt_dur(fabs(budget - p->stream.down_s), b, sizeof(b));
		fprintf(f,
			"<p class=\"slo %s\">SLO %g%%: error budget %s, "
			"%s %s</p>\n",
			budget >= p->stream.down_s ? "ok" : "over", p->slo, a,
			budget >= p->stream.down_s ? "left" : "overspent by",
			b);
	}
}

/* One row of figures per scope: stream, origins, vantages. */
static void section_figures(FILE *f, const vsp_report_probe *p)
{
	fputs("<table class=\"fig\"><tr><th>scope</th><th>availability</th>"
	      "<th>checks</th><th>no data</th><th>ttff p50</th>"
	      "<th>ttff p95</th><th>outages</th></tr>\n",
	      f);
	figures_row(f, p->name, "stream", &p->stream);
	for (size_t k = 0; k < p->n_origins; k++)
		figures_row(f, p->name, p->origins[k].name, &p->origins[k]);
	for (size_t j = 0; p->n_vantages > 1 && j < p->n_vantages; j++) {
		char scope[300];

		snprintf(scope, sizeof(scope), "%s: stream",
			 p->vantages[j].name[0] ? p->vantages[j].name
						: "(default)");
		figures_row(f, p->name, scope, &p->vantages[j].stream);
	}
	fputs("</table>\n", f);
}

static void section_timeline(FILE *f, const vsp_report_probe *p, double since,
			     double until)
{
	fputs("<h3>Timeline</h3>\n", f);
	view_strips(f, p->n_vantages > 1 ? "all:" : "", &p->stream, p->origins,
		    p->n_origins, since, until);
	for (size_t j = 0; p->n_vantages > 1 && j < p->n_vantages; j++) {
		char label[300];

		snprintf(label, sizeof(label), "%s:",
			 p->vantages[j].name[0] ? p->vantages[j].name
						: "(default)");
		view_strips(f, label, &p->vantages[j].stream,
			    p->vantages[j].origins, p->vantages[j].n_origins,
			    since, until);
	}
}

static void section_outages(FILE *f, const vsp_report_probe *p)
{
	fputs("<h3>Outages</h3>\n", f);
	if (!p->stream.n_outages && !p->stream.n_partial) {
		int any = 0;

		for (size_t k = 0; k < p->n_origins; k++)
			any |= p->origins[k].n_outages != 0;
		if (!any)
			fputs("<p class=\"muted\">none</p>\n", f);
	}
	fputs("<table class=\"out\"><tr><th>scope</th><th>start</th>"
	      "<th>end</th><th>length</th><th>reason</th><th>where</th>"
	      "<th>message</th></tr>\n",
	      f);
	outage_rows(f, "stream", p->stream.outages, p->stream.n_outages, "");
	outage_rows(f, "stream, some vantages", p->stream.partial,
		    p->stream.n_partial, "");
	for (size_t k = 0; k < p->n_origins; k++)
		outage_rows(f, p->origins[k].name, p->origins[k].outages,
			    p->origins[k].n_outages, p->origins[k].name);
	fputs("</table>\n", f);
}

static void section_thumbs(FILE *f, const vsp_report_probe *p)
{
	int any = 0;

	for (size_t k = 0; k < p->n_origins; k++)
		any |= p->origins[k].thumb != NULL;
	if (!any)
		return;
	fputs("<h3>Latest frames</h3><div class=\"thumbs\">", f);
	for (size_t k = 0; k < p->n_origins; k++)
		thumb(f, &p->origins[k]);
	fputs("</div>\n", f);
}

static void probe_section(FILE *f, const vsp_report_probe *p, double since,
			  double until)
{
	const vsp_avail **ser = calloc(p->n_origins + 1, sizeof(*ser));

	section_head(f, p);
	section_figures(f, p);
	section_timeline(f, p, since, until);
	fputs("<h3>Time to first frame</h3>\n", f);
	if (ser) {
		ser[0] = &p->stream;
		for (size_t k = 0; k < p->n_origins; k++)
			ser[k + 1] = &p->origins[k];
		chart(f, ser, p->n_origins + 1);
	}
	section_outages(f, p);
	section_thumbs(f, p);
	fputs("</section>\n", f);
	free(ser);
}

void render_html(FILE *f, const vsp_report *r, double now)
{
	char s[40], u[40], n[40];

	report_fmt_time(r->since, s, sizeof(s));
	report_fmt_time(r->until, u, sizeof(u));
	report_fmt_time(now, n, sizeof(n));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width\">\n<title>prober report</title>\n"
	      "<style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;"
	      "color:#222}\n"
	      "h1{font-size:1.4em}h2{margin-top:2em;border-bottom:1px solid "
	      "#ccc}\n"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{padding:"
	      "2px 8px;border-bottom:1px solid #eee;text-align:left}\n"
	      ".muted{color:#777}.slo.ok{color:#176f2c}.slo.over{color:#b00020;"
	      "font-weight:bold}\n"
	      ".row{display:flex;align-items:center;gap:8px;margin:2px 0}"
	      ".lbl{width:14em;overflow:hidden;text-overflow:ellipsis;"
	      "white-space:nowrap}\n"
	      "svg.strip,svg.chart{max-width:100%;height:auto}\n"
	      ".up{fill:#2e9d4a}.deg{fill:#e0a800}.down{fill:#c62828}"
	      ".part{fill:#f57c00}.nodata{fill:#d5d5d5}\n"
	      ".axis{stroke:#999}svg text{font-size:10px;fill:#555}\n"
	      "polyline{fill:none;stroke-width:1.5}\n"
	      ".s0{stroke:#222}.s1{stroke:#1565c0}.s2{stroke:#6a1b9a}"
	      ".s3{stroke:#00838f}.s4{stroke:#ad1457}.s5{stroke:#558b2f}\n"
	      ".d0{fill:#222}.d1{fill:#1565c0}.d2{fill:#6a1b9a}"
	      ".d3{fill:#00838f}.d4{fill:#ad1457}.d5{fill:#558b2f}\n"
	      ".k0{color:#222}.k1{color:#1565c0}.k2{color:#6a1b9a}"
	      ".k3{color:#00838f}.k4{color:#ad1457}.k5{color:#558b2f}\n"
	      ".key span{display:inline-block;width:1em;height:1em;"
	      "vertical-align:middle;margin:0 4px 0 12px}\n"
	      ".thumbs{display:flex;gap:12px}.thumb img{max-width:240px;"
	      "display:block}\n"
	      "</style></head><body>\n",
	      f);
	fprintf(f,
		"<h1>prober report</h1>\n<p>%s .. %s; <span "
		"id=\"records\">%zu</span> records",
		s, u, r->records);
	if (r->bad_lines)
		fprintf(f, ", %zu damaged lines skipped", r->bad_lines);
	fprintf(f, "; made %s</p>\n", n);
	fputs("<p class=\"key\"><svg width=\"0\" height=\"0\"></svg>"
	      "<span style=\"background:#2e9d4a\"></span>up"
	      "<span style=\"background:#e0a800\"></span>degraded"
	      "<span style=\"background:#f57c00\"></span>down from some "
	      "vantages<span style=\"background:#c62828\"></span>down"
	      "<span style=\"background:#d5d5d5\"></span>no data</p>\n",
	      f);
	if (!r->n_probes)
		fputs("<p>no records in this window</p>\n", f);
	for (size_t i = 0; i < r->n_probes; i++)
		probe_section(f, &r->probes[i], r->since, r->until);
	fputs("</body></html>\n", f);
}
