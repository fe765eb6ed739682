/*
 * dash_template.c - SegmentTemplate expansion (dash_template.h). Bytes in,
 * bytes out: it must never hand a template to printf.
 */
#include "dash_template.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t n, cap;
	int over;
};

static void sb_putc(struct sbuf *b, char ch)
{
	if (b->n + 1 >= b->cap) {
		b->over = 1;
		return;
	}
	b->p[b->n++] = ch;
	b->p[b->n] = '\0';
}

/* Formats v in base 10 or 16, zero-padded to width, by hand. */
static void sb_num(struct sbuf *b, int64_t v, int width, int base, int upper)
{
	char tmp[80];
	int k = 0, neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		tmp[k++] = dig[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u && k < (int)sizeof(tmp));
	if (neg)
		sb_putc(b, '-');
	for (int i = k + neg; i < width; i++)
		sb_putc(b, '0');
	while (k > 0)
		sb_putc(b, tmp[--k]);
}

/* A number's format in a template identifier. */
struct numfmt {
	int width, base, upper;
};

/* The format of an identifier, from its '%' (fmt) to its closing '$'
 * (end): %0<width>d (ISO/IEC 23009-1 5.3.9.4.4); x/X too, as players
 * accept them. 0, or -1 with a message. */
static int parse_format(const char *tmpl, const char *fmt, const char *end,
			struct numfmt *nf, char *err, size_t errlen)
{
	const char *q = fmt + 1;
	int64_t w = 0;
	int nd = 0;

	while (q < end - 1 && *q >= '0' && *q <= '9' && nd < 4) {
		w = w * 10 + (*q++ - '0');
		nd++;
	}
	if (q != end - 1 || w > 64 ||
	    !(*q == 'd' || *q == 'i' || *q == 'u' || *q == 'x' || *q == 'X')) {
		vsp_err_printf(
			err, errlen,
			"template '%.200s': format '%.*s' is not %%0<width>d",
			tmpl, (int)(end - fmt), fmt);
		return -1;
	}
	nf->width = w > 0 ? (int)w : 1;
	if (*q == 'x' || *q == 'X') {
		nf->base = 16;
		nf->upper = *q == 'X';
	}
	return 0;
}

/* $RepresentationID$: the @id as written, with no format. 0, or -1 with
 * a message. */
static int put_rep_id(struct sbuf *b, const char *tmpl, const char *rep_id,
		      int has_fmt, char *err, size_t errlen)
{
	if (has_fmt) {
		vsp_err_printf(
			err, errlen,
			"template '%.200s': $RepresentationID$ takes no format",
			tmpl);
		return -1;
	}
	if (!rep_id) {
		vsp_err_printf(
			err, errlen,
			"template '%.200s' uses $RepresentationID$ but the "
			"Representation has no @id",
			tmpl);
		return -1;
	}
	for (const char *r = rep_id; *r; r++)
		sb_putc(b, *r);
	return 0;
}

/* allow: bit 1 Number, bit 2 Time (an initialization template has
 * neither). */
static char *expand(const char *tmpl, const char *rep_id, int64_t number,
		    int64_t bandwidth, int64_t time, int allow, char *err,
		    size_t errlen)
{
	struct sbuf b = { NULL, 0, VSP_DASH_MAX_URL, 0 };
	const char *p = tmpl;

	b.p = malloc(b.cap);
	if (!b.p) {
		vsp_err_printf(err, errlen, "out of memory");
		return NULL;
	}
	b.p[0] = '\0';
	while (*p) {
		const char *end, *fmt;
		size_t idlen;
		struct numfmt nf = { 1, 10, 0 };
		int64_t v;

		if (*p != '$') {
			sb_putc(&b, *p++);
			continue;
		}
		end = strchr(p + 1, '$');
		if (!end) {
			vsp_err_printf(
				err, errlen,
				"template '%.200s': '$' without its closing "
				"'$'",
				tmpl);
			goto fail;
		}
		if (end == p + 1) { /* $$ */
			sb_putc(&b, '$');
			p = end + 1;
			continue;
		}
		fmt = memchr(p + 1, '%', (size_t)(end - p - 1));
		idlen = (size_t)((fmt ? fmt : end) - (p + 1));
		if (fmt && parse_format(tmpl, fmt, end, &nf, err, errlen))
			goto fail;
		if (idlen == 16 &&
		    strncmp(p + 1, "RepresentationID", 16) == 0) {
			if (put_rep_id(&b, tmpl, rep_id, fmt != NULL, err,
				       errlen))
				goto fail;
		} else if (idlen == 6 && strncmp(p + 1, "Number", 6) == 0) {
			if (!(allow & 1))
				goto not_here;
			v = number;
			sb_num(&b, v, nf.width, nf.base, nf.upper);
		} else if (idlen == 4 && strncmp(p + 1, "Time", 4) == 0) {
			if (!(allow & 2))
				goto not_here;
			sb_num(&b, time, nf.width, nf.base, nf.upper);
		} else if (idlen == 9 && strncmp(p + 1, "Bandwidth", 9) == 0) {
			sb_num(&b, bandwidth, nf.width, nf.base, nf.upper);
		} else {
			vsp_err_printf(err, errlen,
				       "template '%.200s': unknown identifier "
				       "'$%.*s$'",
				       tmpl, (int)(end - p - 1), p + 1);
			goto fail;
		}
		p = end + 1;
	}
	if (b.over) {
		vsp_err_printf(err, errlen,
			       "template '%.200s' expands past %d bytes", tmpl,
			       VSP_DASH_MAX_URL);
		goto fail;
	}
	return b.p;
not_here:
	vsp_err_printf(
		err, errlen,
		"initialization template '%.200s' uses $Number$ or $Time$, "
		"which only a media template may",
		tmpl);
fail:
	free(b.p);
	return NULL;
}

char *vsp_dash_expand(const char *tmpl, const char *rep_id, int64_t number,
		      int64_t bandwidth, int64_t time, char *err, size_t errlen)
{
	return expand(tmpl, rep_id, number, bandwidth, time, 3, err, errlen);
}

char *vsp_dash_expand_init(const char *tmpl, const char *rep_id,
			   int64_t bandwidth, char *err, size_t errlen)
{
	return expand(tmpl, rep_id, 0, bandwidth, 0, 0, err, errlen);
}
