/*
 * hls.c - RFC 8216 playlist parser: bytes in, struct out.
 *
 * For: turning the bytes of a master (multivariant) or media playlist into a
 * vsp_hls_playlist that the probe walks: variants, renditions, segments with
 * their keys, init sections, byte ranges and dates, every URI resolved
 * against the playlist's final URL.
 *
 * Must never: do I/O; turn a number from the playlist into a C number outside
 * parse_num(); grow an array past its limits.h cap; resolve a URL by hand
 * (url.c does, with libcurl); let a later error overwrite the first one.
 *
 * The shape follows FFmpeg's libavformat/hls.c: one line at a time, a table
 * maps a tag to its handler, and state that belongs to the next URI line
 * (EXTINF, EXT-X-BYTERANGE, EXT-X-STREAM-INF, ...) waits in struct parser.
 * Tolerated like players do: a UTF-8 BOM, CRLF, blank lines and comments
 * before #EXTM3U, whitespace around URIs and attributes, quoted numbers
 * (RESOLUTION="1x1"), EXTINF without its comma, a repeated EXTINF before a
 * URI (the last one counts), unknown tags. Everything else that breaks the
 * RFC is an error naming the line and the tag.
 */
#include "hls.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "datetime.h"
#include "error.h"
#include "jsontext.h"
#include "limits.h"
#include "termsafe.h"
#include "url.h"

/* Longest number we accept in text: 64-bit integers have 20 digits, and no
 * honest duration or date field needs more than this. */
#define NUM_MAX_CHARS 63
/* Seconds: no segment, target duration or part lasts longer than a day. */
#define MAX_SECONDS 86400.0
/* Sequence numbers stay far enough below INT64_MAX that adding a segment
 * count or SKIPPED-SEGMENTS never overflows. */
#define MAX_SEQUENCE   ((double)(INT64_MAX / 4))
#define MAX_DIMENSION  65536.0
#define MAX_FRAME_RATE 1000.0
#define MAX_VERSION    1000.0
/* EXT-X-START TIME-OFFSET: past the playlist's duration it only means its
 * end or start (RFC 8216 4.3.5.2), so any honest value fits in a century. */
#define MAX_START_OFFSET (MAX_SECONDS * 36525.0)

enum num_kind { NUM_INT, NUM_FLOAT };

/* Offset where the last sub-range of one URI ended, for implicit
 * EXT-X-BYTERANGE offsets. uri is borrowed from the segment. */
struct br_slot {
	const char *uri;
	int64_t end;
};

struct parser {
	vsp_hls_playlist *pl;
	const char *base;
	char *err;
	size_t errlen;
	int rc;	   /* first error wins: 0, -1 or -2 */
	int quiet; /* >0: a failed parse is not an error (lenient spots) */
	int line;  /* 1-based line being parsed */
	const char *tag; /* tag being parsed, for messages; NULL on URI lines */

	size_t cap_variants, cap_iframes, cap_media;
	size_t cap_segments, cap_keys, cap_maps;

	int master_line; /* first EXT-X-STREAM-INF / MEDIA / I-FRAME tag */
	int extinf_first_line;

	/* EXT-X-STREAM-INF waiting for its URI line */
	int inf_line;
	vsp_hls_variant inf;

	/* EXTINF and friends waiting for the segment's URI line */
	int extinf_line;
	double extinf_duration;
	char *extinf_title;
	int br_line;
	int64_t br_length, br_offset;
	int br_has_offset;
	int disc_pending, gap_pending;
	int pdt_pending;
	double pdt_value;

	int have_pdt; /* a running PDT exists for later segments */
	double next_pdt;
	int64_t disc_count;
	int key_used, map_used; /* keys[cur]/maps[cur] used by a segment */
	int cur_key, cur_map;

	int seen_target, seen_seq, seen_disc_seq, seen_type, seen_version;

	struct br_slot *br_tab;
	size_t br_cap, br_n;

	const vsp_parse_bound *bound; /* NULL: none */
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *p, int rc,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->quiet)
		return -1;
	if (p->rc)
		return p->rc;
	p->rc = rc;
	if (!p->err || !p->errlen)
		return rc;
	if (p->tag)
		n = snprintf(p->err, p->errlen, "line %d: %s: ", p->line,
			     p->tag);
	else
		n = snprintf(p->err, p->errlen, "line %d: ", p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static int oom(struct parser *p)
{
	return fail(p, VSP_E_NOMEM, "out of memory");
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *dup_str(struct parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		oom(p);
	return d;
}

/*
 * The one place where playlist text becomes a number. Accepts [-]digits
 * (and .digits for NUM_FLOAT) with blanks around, nothing else: "NaN",
 * "1e9", "0x10" and "" are not numbers here even though strtod takes some.
 * Range-checks against [min, max]; writes *fout and/or *iout.
 */
static int parse_num(struct parser *p, const char *what, const char *s,
		     size_t n, enum num_kind kind, double min, double max,
		     double *fout, int64_t *iout)
{
	char buf[NUM_MAX_CHARS + 1];
	const char *q, *end;
	size_t digits = 0, shown;
	char *ep;
	double d;
	int64_t v = 0;

	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	shown = n > 40 ? 40 : n;
	q = s;
	end = s + n;
	if (q < end && (*q == '-' || *q == '+'))
		q++;
	while (q < end && is_digit(*q)) {
		q++;
		digits++;
	}
	if (q < end && *q == '.' && kind == NUM_INT && digits)
		return fail(p, -1, "%s '%.*s' is not an integer", what,
			    (int)shown, s);
	if (q < end && *q == '.') {
		q++;
		while (q < end && is_digit(*q)) {
			q++;
			digits++;
		}
	}
	if (!digits || q != end)
		return fail(p, -1, "%s '%.*s' is not a number", what,
			    (int)shown, s);
	if (n > NUM_MAX_CHARS)
		return fail(p, -1, "%s '%.*s...' is too long", what, (int)shown,
			    s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (kind == NUM_FLOAT) {
		d = strtod(buf, &ep);
		if (ep != buf + n || errno == ERANGE || !isfinite(d))
			return fail(p, -1, "%s '%s' is out of range", what,
				    buf);
	} else {
		long long ll = strtoll(buf, &ep, 10);

		if (ep != buf + n || errno == ERANGE)
			return fail(p, -1, "%s '%s' is out of range", what,
				    buf);
		v = (int64_t)ll;
		d = (double)v;
	}
	if (d < min && min == 0.0)
		return fail(p, -1, "%s '%s' is negative", what, buf);
	if (d < min)
		return fail(p, -1, "%s '%s' is too small (minimum %.17g)", what,
			    buf, min);
	if (d > max)
		return fail(p, -1, "%s '%s' is too large (maximum %.17g)", what,
			    buf, max);
	if (fout)
		*fout = d;
	if (iout)
		*iout = v;
	return 0;
}

/* Grows an array by doubling up to limit elements; NULL (error set) past
 * the limit. limit_name is the limits.h constant, for the message. */
static void *grow(struct parser *p, void *arr, size_t *cap, size_t n,
		  size_t size, size_t limit, const char *what,
		  const char *limit_name)
{
	size_t ncap;
	void *tmp;

	if (n < *cap)
		return arr;
	if (n >= limit) {
		fail(p, -2, "more than %zu %s (%s)", limit, what, limit_name);
		return NULL;
	}
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > limit)
		ncap = limit;
	tmp = realloc(arr, ncap * size);
	if (!tmp) {
		oom(p);
		return NULL;
	}
	*cap = ncap;
	return tmp;
}

static int resolve(struct parser *p, const char *ref, char **out)
{
	char uerr[256];

	*out = NULL;
	if (!*ref)
		return fail(p, -1, "URI is empty");
	*out = vsp_url_resolve(p->base, ref, uerr, sizeof(uerr));
	if (!*out)
		return fail(p, -1, "%s", uerr);
	return 0;
}

/* ---- attribute lists (RFC 8216 4.2) ---- */

struct attr {
	const char *name;
	const char *val; /* quotes removed */
	int quoted;
};

struct attrs {
	struct attr a[VSP_HLS_MAX_ATTRS];
	size_t n;
};

static int is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       is_digit(c) || c == '-' || c == '_';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Splits s (modified in place: names and values get NUL-terminated). */
static int attrs_parse(struct parser *p, char *s, struct attrs *at)
{
	at->n = 0;
	for (;;) {
		char *name, *val, *e, *next;
		int quoted = 0;

		s = skip_blanks(s);
		if (!*s)
			break;
		name = s;
		while (is_name_char(*s))
			s++;
		e = s;
		s = skip_blanks(s);
		if (e == name || *s != '=')
			return fail(p, -1,
				    "malformed attribute list at '%.40s'",
				    name);
		*e = '\0';
		s = skip_blanks(s + 1);
		if (*s == '"') {
			val = s + 1;
			e = strchr(val, '"');
			if (!e)
				return fail(p, -1,
					    "%s: quoted string is not closed",
					    name);
			s = skip_blanks(e + 1);
			quoted = 1;
		} else {
			val = s;
			while (*s && *s != ',')
				s++;
			e = s;
			while (e > val && is_blank(e[-1]))
				e--;
		}
		if (*s && *s != ',')
			return fail(p, -1,
				    "%s: unexpected '%c' after the value", name,
				    *s);
		next = *s ? s + 1 : s;
		*e = '\0';
		for (size_t i = 0; i < at->n; i++)
			if (strcmp(at->a[i].name, name) == 0)
				return fail(p, -1, "attribute %s appears twice",
					    name);
		if (at->n == VSP_HLS_MAX_ATTRS)
			return fail(p, -2, "more than %d attributes (%s)",
				    VSP_HLS_MAX_ATTRS, "VSP_HLS_MAX_ATTRS");
		at->a[at->n].name = name;
		at->a[at->n].val = val;
		at->a[at->n].quoted = quoted;
		at->n++;
		s = next;
	}
	return 0;
}

static const struct attr *attr_find(const struct attrs *at, const char *name)
{
	for (size_t i = 0; i < at->n; i++)
		if (strcmp(at->a[i].name, name) == 0)
			return &at->a[i];
	return NULL;
}

static const char *attr_get(const struct attrs *at, const char *name)
{
	const struct attr *a = attr_find(at, name);

	return a ? a->val : NULL;
}

static const char *attr_need(struct parser *p, const struct attrs *at,
			     const char *name)
{
	const char *v = attr_get(at, name);

	if (!v)
		fail(p, -1, "missing %s", name);
	return v;
}

/* Copy of an optional string attribute; *out stays NULL when absent. */
static int attr_dup(struct parser *p, const struct attrs *at, const char *name,
		    char **out)
{
	const char *v = attr_get(at, name);

	if (!v)
		return 0;
	*out = dup_str(p, v);
	return *out ? 0 : p->rc;
}

static int attr_yesno(struct parser *p, const struct attrs *at,
		      const char *name, int *out)
{
	const char *v = attr_get(at, name);

	if (!v)
		return 0;
	if (strcmp(v, "YES") == 0)
		*out = 1;
	else if (strcmp(v, "NO") == 0)
		*out = 0;
	else
		return fail(p, -1, "%s '%.40s' is not YES or NO", name, v);
	return 0;
}

static int attr_num(struct parser *p, const struct attrs *at, const char *name,
		    enum num_kind kind, double min, double max, double *fout,
		    int64_t *iout)
{
	const char *v = attr_get(at, name);

	if (!v)
		return 0;
	return parse_num(p, name, v, strlen(v), kind, min, max, fout, iout);
}

/* "WxH", also quoted (seen in the wild). */
static int parse_resolution(struct parser *p, const char *v, int *w, int *h)
{
	const char *x = strchr(v, 'x');
	int64_t iw, ih;

	if (!x)
		x = strchr(v, 'X');
	if (!x)
		return fail(p, -1, "RESOLUTION '%.40s' is not WIDTHxHEIGHT", v);
	if (parse_num(p, "RESOLUTION width", v, (size_t)(x - v), NUM_INT, 1,
		      MAX_DIMENSION, NULL, &iw) ||
	    parse_num(p, "RESOLUTION height", x + 1, strlen(x + 1), NUM_INT, 1,
		      MAX_DIMENSION, NULL, &ih))
		return -1;
	*w = (int)iw;
	*h = (int)ih;
	return 0;
}

/* "n[@o]": EXT-X-BYTERANGE value and EXT-X-MAP's BYTERANGE attribute.
 * *has_offset says whether "@o" was there. */
static int parse_byterange(struct parser *p, const char *v, int64_t *len,
			   int64_t *off, int *has_offset)
{
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);

	*off = 0;
	*has_offset = at != NULL;
	if (parse_num(p, "byte range length", v, n, NUM_INT, 1,
		      (double)INT64_MAX, NULL, len))
		return p->rc;
	if (at && parse_num(p, "byte range offset", at + 1, strlen(at + 1),
			    NUM_INT, 0, (double)INT64_MAX, NULL, off))
		return p->rc;
	if (*off > INT64_MAX - *len)
		return fail(p, -1, "byte range '%.40s' ends past 2^63", v);
	return 0;
}

/* ---- dates (EXT-X-PROGRAM-DATE-TIME) ---- */

/* RFC 3339 by datetime.h's rule; a missing zone is read as UTC: players
 * do not reject it, and a few encoders omit it. */
static int parse_date(struct parser *p, const char *s, double *out)
{
	char e[256];

	if (vsp_time_parse_rfc3339(s, 0, out, e, sizeof(e)) != 0)
		return fail(p, -1, "%s", e);
	return 0;
}

/* ---- byte-range ends per URI: open addressing on the resolved URI ---- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL & (size_t)-1;

	while (*s)
		h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ULL;
	return h;
}

static struct br_slot *br_find(struct parser *p, const char *uri)
{
	size_t i;

	if (!p->br_cap)
		return NULL;
	i = hash_str(uri) & (p->br_cap - 1);
	while (p->br_tab[i].uri) {
		if (strcmp(p->br_tab[i].uri, uri) == 0)
			return &p->br_tab[i];
		i = (i + 1) & (p->br_cap - 1);
	}
	return NULL;
}

static int br_store(struct parser *p, const char *uri, int64_t end)
{
	struct br_slot *slot = br_find(p, uri);
	size_t i;

	if (slot) {
		slot->end = end;
		return 0;
	}
	/* Keep the load under one half so probing stays short. Bounded by
	 * the segment cap: one entry per distinct URI at most. */
	if ((p->br_n + 1) * 2 > p->br_cap) {
		size_t ncap = p->br_cap ? p->br_cap * 2 : 64;
		struct br_slot *old = p->br_tab, *tab;
		size_t ocap = p->br_cap;

		tab = calloc(ncap, sizeof(*tab));
		if (!tab)
			return oom(p);
		p->br_tab = tab;
		p->br_cap = ncap;
		for (size_t k = 0; k < ocap; k++) {
			if (!old[k].uri)
				continue;
			i = hash_str(old[k].uri) & (ncap - 1);
			while (tab[i].uri)
				i = (i + 1) & (ncap - 1);
			tab[i] = old[k];
		}
		free(old);
	}
	i = hash_str(uri) & (p->br_cap - 1);
	while (p->br_tab[i].uri)
		i = (i + 1) & (p->br_cap - 1);
	p->br_tab[i].uri = uri;
	p->br_tab[i].end = end;
	p->br_n++;
	return 0;
}

/* ---- freeing ---- */

static void variant_clear(vsp_hls_variant *v)
{
	free(v->codecs);
	free(v->audio);
	free(v->video);
	free(v->subtitles);
	free(v->closed_captions);
	free(v->uri);
	memset(v, 0, sizeof(*v));
}

static void media_clear(vsp_hls_media *m)
{
	free(m->group_id);
	free(m->name);
	free(m->language);
	free(m->uri);
	free(m->channels);
	memset(m, 0, sizeof(*m));
}

static void key_clear(vsp_hls_key *k)
{
	free(k->uri);
	free(k->keyformat);
	free(k->method_name);
	memset(k, 0, sizeof(*k));
}

void vsp_hls_free(vsp_hls_playlist *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n_variants; i++)
		variant_clear(&pl->variants[i]);
	free(pl->variants);
	for (size_t i = 0; i < pl->n_iframe_variants; i++)
		variant_clear(&pl->iframe_variants[i]);
	free(pl->iframe_variants);
	for (size_t i = 0; i < pl->n_media; i++)
		media_clear(&pl->media[i]);
	free(pl->media);
	for (size_t i = 0; i < pl->n_segments; i++) {
		free(pl->segments[i].title);
		free(pl->segments[i].uri);
	}
	free(pl->segments);
	for (size_t i = 0; i < pl->n_keys; i++)
		key_clear(&pl->keys[i]);
	free(pl->keys);
	for (size_t i = 0; i < pl->n_maps; i++)
		free(pl->maps[i].uri);
	free(pl->maps);
	free(pl->preload_hint_uri);
	vsp_budget_give(pl->hold, pl->reserved);
	free(pl);
}

/* ---- tag handlers: value is the text after "TAG:" (modifiable) ---- */

static int note_master(struct parser *p)
{
	if (p->extinf_first_line)
		return fail(p, -1,
			    "master playlist tag in a media playlist "
			    "(EXTINF on line %d)",
			    p->extinf_first_line);
	if (!p->master_line)
		p->master_line = p->line;
	p->pl->is_master = 1;
	return 0;
}

/* Attributes common to EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF. */
static int variant_attrs(struct parser *p, const struct attrs *at,
			 vsp_hls_variant *v)
{
	const char *s;

	if (attr_num(p, at, "AVERAGE-BANDWIDTH", NUM_INT, 0, (double)INT64_MAX,
		     NULL, &v->average_bandwidth) ||
	    attr_num(p, at, "FRAME-RATE", NUM_FLOAT, 0, MAX_FRAME_RATE,
		     &v->frame_rate, NULL))
		return -1;
	s = attr_get(at, "RESOLUTION");
	if (s && parse_resolution(p, s, &v->width, &v->height))
		return -1;
	if (attr_dup(p, at, "CODECS", &v->codecs) ||
	    attr_dup(p, at, "VIDEO", &v->video))
		return -1;
	return 0;
}

static int tag_stream_inf(struct parser *p, char *val)
{
	struct attrs at;
	vsp_hls_variant *v = &p->inf;
	const struct attr *cc;

	if (note_master(p))
		return p->rc;
	if (p->inf_line)
		return fail(p, -1,
			    "EXT-X-STREAM-INF on line %d has no URI line",
			    p->inf_line);
	if (attrs_parse(p, val, &at))
		return p->rc;
	variant_clear(v);
	if (!attr_need(p, &at, "BANDWIDTH") ||
	    attr_num(p, &at, "BANDWIDTH", NUM_INT, 0, (double)INT64_MAX, NULL,
		     &v->bandwidth))
		goto fail;
	if (variant_attrs(p, &at, v) || attr_dup(p, &at, "AUDIO", &v->audio) ||
	    attr_dup(p, &at, "SUBTITLES", &v->subtitles))
		goto fail;
	/* CLOSED-CAPTIONS=NONE (unquoted) means "no captions", not a group. */
	cc = attr_find(&at, "CLOSED-CAPTIONS");
	if (cc && !(strcmp(cc->val, "NONE") == 0 && !cc->quoted)) {
		v->closed_captions = dup_str(p, cc->val);
		if (!v->closed_captions)
			goto fail;
	}
	p->inf_line = p->line;
	return 0;
fail:
	variant_clear(v);
	return p->rc;
}

/* I-frame variants are listed, never probed: a broken number there must
 * not take down a stream whose real variants are fine, so numbers are read
 * leniently (0 when unreadable). The URI is required. */
static int tag_iframe_stream_inf(struct parser *p, char *val)
{
	struct attrs at;
	vsp_hls_variant v = { 0 };
	vsp_hls_variant *arr;
	const char *uri;

	if (note_master(p) || attrs_parse(p, val, &at))
		return p->rc;
	uri = attr_need(p, &at, "URI");
	if (!uri)
		return p->rc;
	if (resolve(p, uri, &v.uri))
		goto fail;
	p->quiet++;
	if (attr_num(p, &at, "BANDWIDTH", NUM_INT, 0, (double)INT64_MAX, NULL,
		     &v.bandwidth))
		v.bandwidth = 0;
	if (attr_num(p, &at, "AVERAGE-BANDWIDTH", NUM_INT, 0, (double)INT64_MAX,
		     NULL, &v.average_bandwidth))
		v.average_bandwidth = 0;
	if (attr_get(&at, "RESOLUTION") &&
	    parse_resolution(p, attr_get(&at, "RESOLUTION"), &v.width,
			     &v.height))
		v.width = v.height = 0;
	p->quiet--;
	if (attr_dup(p, &at, "CODECS", &v.codecs) ||
	    attr_dup(p, &at, "VIDEO", &v.video))
		goto fail;
	arr = grow(p, p->pl->iframe_variants, &p->cap_iframes,
		   p->pl->n_iframe_variants, sizeof(*arr), VSP_MAX_RENDITIONS,
		   "I-frame variants", "VSP_MAX_RENDITIONS");
	if (!arr)
		goto fail;
	p->pl->iframe_variants = arr;
	arr[p->pl->n_iframe_variants++] = v;
	return 0;
fail:
	variant_clear(&v);
	return p->rc;
}

static int tag_media(struct parser *p, char *val)
{
	static const struct {
		const char *name;
		vsp_hls_media_type type;
	} types[] = {
		{ "AUDIO", VSP_HLS_MEDIA_AUDIO },
		{ "VIDEO", VSP_HLS_MEDIA_VIDEO },
		{ "SUBTITLES", VSP_HLS_MEDIA_SUBTITLES },
		{ "CLOSED-CAPTIONS", VSP_HLS_MEDIA_CLOSED_CAPTIONS },
	};
	struct attrs at;
	vsp_hls_media m = { 0 };
	vsp_hls_media *arr;
	const char *type, *group, *name, *uri;
	size_t i;

	if (note_master(p) || attrs_parse(p, val, &at))
		return p->rc;
	if (!(type = attr_need(p, &at, "TYPE")) ||
	    !(group = attr_need(p, &at, "GROUP-ID")) ||
	    !(name = attr_need(p, &at, "NAME")))
		return p->rc;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return fail(p, -1, "unknown TYPE '%.40s'", type);
	m.type = types[i].type;
	m.group_id = dup_str(p, group);
	m.name = dup_str(p, name);
	if (!m.group_id || !m.name)
		goto fail;
	if (attr_dup(p, &at, "LANGUAGE", &m.language) ||
	    attr_dup(p, &at, "CHANNELS", &m.channels) ||
	    attr_yesno(p, &at, "DEFAULT", &m.is_default) ||
	    attr_yesno(p, &at, "AUTOSELECT", &m.autoselect))
		goto fail;
	uri = attr_get(&at, "URI");
	if (uri && resolve(p, uri, &m.uri))
		goto fail;
	arr = grow(p, p->pl->media, &p->cap_media, p->pl->n_media, sizeof(*arr),
		   VSP_MAX_RENDITIONS, "EXT-X-MEDIA renditions",
		   "VSP_MAX_RENDITIONS");
	if (!arr)
		goto fail;
	p->pl->media = arr;
	arr[p->pl->n_media++] = m;
	return 0;
fail:
	media_clear(&m);
	return p->rc;
}

static int tag_extinf(struct parser *p, char *val)
{
	char *comma = strchr(val, ',');
	size_t n = comma ? (size_t)(comma - val) : strlen(val);
	char *title;

	if (p->pl->is_master)
		return fail(p, -1,
			    "media segment in a master playlist "
			    "(EXT-X-STREAM-INF or EXT-X-MEDIA on line %d)",
			    p->master_line);
	if (parse_num(p, "duration", val, n, NUM_FLOAT, 0, MAX_SECONDS,
		      &p->extinf_duration, NULL))
		return p->rc;
	if (!p->extinf_first_line)
		p->extinf_first_line = p->line;
	/* A second EXTINF before the URI replaces the first, as players do
	 * (seen in delta updates around EXT-X-SKIP). */
	free(p->extinf_title);
	p->extinf_title = NULL;
	if (comma) {
		title = skip_blanks(comma + 1);
		if (*title) {
			p->extinf_title = dup_str(p, title);
			if (!p->extinf_title)
				return p->rc;
		}
	}
	p->extinf_line = p->line;
	return 0;
}

static int tag_byterange(struct parser *p, char *val)
{
	if (parse_byterange(p, val, &p->br_length, &p->br_offset,
			    &p->br_has_offset))
		return p->rc;
	p->br_line = p->line;
	return 0;
}

static int tag_targetduration(struct parser *p, char *val)
{
	if (p->seen_target)
		return fail(p, -1, "appears twice (first on line %d)",
			    p->seen_target);
	/* decimal-integer in the RFC; "10.0" is read too, as players do. */
	if (parse_num(p, "target duration", val, strlen(val), NUM_FLOAT, 0,
		      MAX_SECONDS, &p->pl->target_duration, NULL))
		return p->rc;
	p->seen_target = p->line;
	return 0;
}

static int once_before_segments(struct parser *p, int *seen)
{
	if (*seen)
		return fail(p, -1, "appears twice (first on line %d)", *seen);
	if (p->pl->n_segments)
		return fail(p, -1, "after the first media segment");
	*seen = p->line;
	return 0;
}

static int tag_media_sequence(struct parser *p, char *val)
{
	if (once_before_segments(p, &p->seen_seq))
		return p->rc;
	return parse_num(p, "media sequence", val, strlen(val), NUM_INT, 0,
			 MAX_SEQUENCE, NULL, &p->pl->media_sequence);
}

static int tag_discontinuity_sequence(struct parser *p, char *val)
{
	if (once_before_segments(p, &p->seen_disc_seq))
		return p->rc;
	return parse_num(p, "discontinuity sequence", val, strlen(val), NUM_INT,
			 0, MAX_SEQUENCE, NULL, &p->pl->discontinuity_sequence);
}

static int tag_discontinuity(struct parser *p, char *val)
{
	(void)val;
	p->disc_pending = 1;
	return 0;
}

static int tag_gap(struct parser *p, char *val)
{
	(void)val;
	p->gap_pending = 1;
	return 0;
}

static int tag_endlist(struct parser *p, char *val)
{
	(void)val;
	/* May appear anywhere in a media playlist (RFC 8216 4.3.3.4). */
	p->pl->endlist = 1;
	return 0;
}

static int tag_iframes_only(struct parser *p, char *val)
{
	(void)val;
	p->pl->iframes_only = 1;
	return 0;
}

static int tag_independent(struct parser *p, char *val)
{
	(void)val;
	p->pl->independent_segments = 1;
	return 0;
}

static int tag_version(struct parser *p, char *val)
{
	int64_t v;

	if (p->seen_version)
		return fail(p, -1, "appears twice (first on line %d)",
			    p->seen_version);
	if (parse_num(p, "version", val, strlen(val), NUM_INT, 1, MAX_VERSION,
		      NULL, &v))
		return p->rc;
	p->pl->version = (int)v;
	p->seen_version = p->line;
	return 0;
}

static int tag_playlist_type(struct parser *p, char *val)
{
	char *v = skip_blanks(val);

	if (p->seen_type)
		return fail(p, -1, "appears twice (first on line %d)",
			    p->seen_type);
	if (strcmp(v, "VOD") == 0)
		p->pl->type = VSP_HLS_TYPE_VOD;
	else if (strcmp(v, "EVENT") == 0)
		p->pl->type = VSP_HLS_TYPE_EVENT;
	else
		return fail(p, -1, "type '%.40s' is not VOD or EVENT", v);
	p->seen_type = p->line;
	return 0;
}

static int tag_pdt(struct parser *p, char *val)
{
	if (parse_date(p, skip_blanks(val), &p->pdt_value))
		return p->rc;
	p->pdt_pending = 1;
	return 0;
}

static int parse_iv(struct parser *p, const char *v, uint8_t iv[16])
{
	if ((v[0] != '0' || (v[1] != 'x' && v[1] != 'X')) ||
	    strlen(v + 2) != 32)
		goto bad;
	for (int i = 0; i < 16; i++) {
		int hi = hex_value(v[2 + 2 * i]), lo = hex_value(v[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			goto bad;
		iv[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	return fail(p, -1, "IV '%.40s' is not 0x and 32 hex digits", v);
}

static int tag_key(struct parser *p, char *val)
{
	static const struct {
		const char *name;
		vsp_hls_key_method method;
	} methods[] = {
		{ "AES-128", VSP_HLS_KEY_AES128 },
		{ "SAMPLE-AES", VSP_HLS_KEY_SAMPLE_AES },
		{ "SAMPLE-AES-CTR", VSP_HLS_KEY_SAMPLE_AES },
		/* draft-pantos-hls-rfc8216bis: encrypted, and not AES-128
		 * CBC, so prober treats them like SAMPLE-AES (not
		 * decrypted); method_name keeps what was written. */
		{ "AES-256", VSP_HLS_KEY_SAMPLE_AES },
		{ "AES-256-CTR", VSP_HLS_KEY_SAMPLE_AES },
	};
	struct attrs at;
	vsp_hls_key k = { 0 };
	vsp_hls_key *arr;
	const char *method, *uri, *iv;
	size_t i;

	if (attrs_parse(p, val, &at))
		return p->rc;
	if (!(method = attr_need(p, &at, "METHOD")))
		return p->rc;
	if (strcmp(method, "NONE") == 0) {
		/* Encryption off for the segments that follow. */
		if (p->cur_key >= 0 && !p->key_used)
			key_clear(&p->pl->keys[--p->pl->n_keys]);
		p->cur_key = -1;
		return 0;
	}
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i].name) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0]))
		return fail(p, -1, "unknown METHOD '%.40s'", method);
	k.method = methods[i].method;
	if (!(uri = attr_need(p, &at, "URI")))
		return p->rc;
	k.method_name = dup_str(p, method);
	if (!k.method_name || resolve(p, uri, &k.uri))
		goto fail;
	iv = attr_get(&at, "IV");
	if (iv) {
		if (parse_iv(p, iv, k.iv))
			goto fail;
		k.has_iv = 1;
	}
	if (attr_dup(p, &at, "KEYFORMAT", &k.keyformat))
		goto fail;
	/* A key no segment used yet is replaced, not kept: the array then
	 * never outgrows the segments. */
	if (p->cur_key >= 0 && !p->key_used) {
		key_clear(&p->pl->keys[p->cur_key]);
		p->pl->keys[p->cur_key] = k;
		return 0;
	}
	arr = grow(p, p->pl->keys, &p->cap_keys, p->pl->n_keys, sizeof(*arr),
		   VSP_HLS_MAX_SEGMENTS, "keys", "VSP_HLS_MAX_SEGMENTS");
	if (!arr)
		goto fail;
	p->pl->keys = arr;
	p->cur_key = (int)p->pl->n_keys;
	arr[p->pl->n_keys++] = k;
	p->key_used = 0;
	return 0;
fail:
	key_clear(&k);
	return p->rc;
}

static int tag_map(struct parser *p, char *val)
{
	struct attrs at;
	vsp_hls_map m = { NULL, -1, 0 };
	vsp_hls_map *arr;
	const char *uri, *br;
	int has_off;

	if (attrs_parse(p, val, &at))
		return p->rc;
	if (!(uri = attr_need(p, &at, "URI")))
		return p->rc;
	br = attr_get(&at, "BYTERANGE");
	if (br && parse_byterange(p, br, &m.br_length, &m.br_offset, &has_off))
		return p->rc;
	if (resolve(p, uri, &m.uri))
		goto fail;
	if (p->cur_map >= 0 && !p->map_used) {
		free(p->pl->maps[p->cur_map].uri);
		p->pl->maps[p->cur_map] = m;
		return 0;
	}
	arr = grow(p, p->pl->maps, &p->cap_maps, p->pl->n_maps, sizeof(*arr),
		   VSP_HLS_MAX_SEGMENTS, "maps", "VSP_HLS_MAX_SEGMENTS");
	if (!arr)
		goto fail;
	p->pl->maps = arr;
	p->cur_map = (int)p->pl->n_maps;
	arr[p->pl->n_maps++] = m;
	p->map_used = 0;
	return 0;
fail:
	free(m.uri);
	return p->rc;
}

/* Low-latency HLS: read enough to fill the struct and to catch garbage;
 * parts themselves are counted, not kept (prober probes whole segments). */

static int tag_part_inf(struct parser *p, char *val)
{
	struct attrs at;

	if (attrs_parse(p, val, &at) || !attr_need(p, &at, "PART-TARGET"))
		return p->rc;
	return attr_num(p, &at, "PART-TARGET", NUM_FLOAT, 0, MAX_SECONDS,
			&p->pl->part_target, NULL);
}

static int tag_part(struct parser *p, char *val)
{
	struct attrs at;
	double d;

	if (attrs_parse(p, val, &at) || !attr_need(p, &at, "URI") ||
	    !attr_need(p, &at, "DURATION") ||
	    attr_num(p, &at, "DURATION", NUM_FLOAT, 0, MAX_SECONDS, &d, NULL))
		return p->rc;
	p->pl->n_parts++;
	return 0;
}

static int tag_preload_hint(struct parser *p, char *val)
{
	struct attrs at;
	const char *type, *uri;

	if (attrs_parse(p, val, &at) || !(type = attr_need(p, &at, "TYPE")) ||
	    !(uri = attr_need(p, &at, "URI")))
		return p->rc;
	/* TYPE=MAP hints and types from later drafts are not probed. */
	if (strcmp(type, "PART") != 0 || p->pl->preload_hint_uri)
		return 0;
	return resolve(p, uri, &p->pl->preload_hint_uri);
}

static int tag_server_control(struct parser *p, char *val)
{
	struct attrs at;
	vsp_hls_playlist *pl = p->pl;

	if (attrs_parse(p, val, &at) ||
	    attr_yesno(p, &at, "CAN-BLOCK-RELOAD", &pl->can_block_reload) ||
	    attr_num(p, &at, "CAN-SKIP-UNTIL", NUM_FLOAT, 0, MAX_SECONDS,
		     &pl->can_skip_until, NULL) ||
	    attr_num(p, &at, "HOLD-BACK", NUM_FLOAT, 0, MAX_SECONDS,
		     &pl->hold_back, NULL) ||
	    attr_num(p, &at, "PART-HOLD-BACK", NUM_FLOAT, 0, MAX_SECONDS,
		     &pl->part_hold_back, NULL))
		return p->rc;
	return 0;
}

static int tag_skip(struct parser *p, char *val)
{
	struct attrs at;

	if (attrs_parse(p, val, &at) ||
	    !attr_need(p, &at, "SKIPPED-SEGMENTS") ||
	    attr_num(p, &at, "SKIPPED-SEGMENTS", NUM_INT, 0, MAX_SEQUENCE, NULL,
		     &p->pl->skipped_segments))
		return p->rc;
	return 0;
}

/* TIME-OFFSET is REQUIRED, yet a tag without it is not fatal: players
 * ignore it and start where they would anyway, so conform.c reports it
 * (spec_violation) rather than the manifest failing. A TIME-OFFSET that is
 * not a number is a syntax error, as any other number. */
static int tag_start(struct parser *p, char *val)
{
	struct attrs at;
	vsp_hls_start st = { .present = 1, .line = p->line };

	if (attrs_parse(p, val, &at))
		return p->rc;
	/* Lenient, as players are: hls.js keeps only a finite TIME-OFFSET
	 * and otherwise plays from its default start. A TIME-OFFSET that
	 * cannot be read names no start (conform.c reports it, as it does a
	 * missing one), and a PRECISE other than YES is NO: never a failed
	 * manifest for a stream viewers play. */
	p->quiet++;
	st.has_offset =
		attr_get(&at, "TIME-OFFSET") &&
		attr_num(p, &at, "TIME-OFFSET", NUM_FLOAT, -MAX_START_OFFSET,
			 MAX_START_OFFSET, &st.offset, NULL) == 0;
	if (!st.has_offset)
		st.offset = 0;
	if (attr_yesno(p, &at, "PRECISE", &st.precise))
		st.precise = 0;
	p->quiet--;
	p->pl->start = st;
	return 0;
}

static const struct tag_handler {
	const char *name;
	int (*fn)(struct parser *p, char *val);
} tag_handlers[] = {
	{ "EXTINF", tag_extinf },
	{ "EXT-X-BYTERANGE", tag_byterange },
	{ "EXT-X-KEY", tag_key },
	{ "EXT-X-MAP", tag_map },
	{ "EXT-X-DISCONTINUITY", tag_discontinuity },
	{ "EXT-X-PROGRAM-DATE-TIME", tag_pdt },
	{ "EXT-X-GAP", tag_gap },
	{ "EXT-X-TARGETDURATION", tag_targetduration },
	{ "EXT-X-MEDIA-SEQUENCE", tag_media_sequence },
	{ "EXT-X-DISCONTINUITY-SEQUENCE", tag_discontinuity_sequence },
	{ "EXT-X-ENDLIST", tag_endlist },
	{ "EXT-X-PLAYLIST-TYPE", tag_playlist_type },
	{ "EXT-X-I-FRAMES-ONLY", tag_iframes_only },
	{ "EXT-X-INDEPENDENT-SEGMENTS", tag_independent },
	{ "EXT-X-VERSION", tag_version },
	{ "EXT-X-STREAM-INF", tag_stream_inf },
	{ "EXT-X-I-FRAME-STREAM-INF", tag_iframe_stream_inf },
	{ "EXT-X-MEDIA", tag_media },
	{ "EXT-X-PART-INF", tag_part_inf },
	{ "EXT-X-PART", tag_part },
	{ "EXT-X-PRELOAD-HINT", tag_preload_hint },
	{ "EXT-X-SERVER-CONTROL", tag_server_control },
	{ "EXT-X-SKIP", tag_skip },
	{ "EXT-X-START", tag_start },
};

/* ---- URI lines ---- */

static int add_variant(struct parser *p, const char *line)
{
	vsp_hls_variant *arr;

	arr = grow(p, p->pl->variants, &p->cap_variants, p->pl->n_variants,
		   sizeof(*arr), VSP_MAX_RENDITIONS, "variants",
		   "VSP_MAX_RENDITIONS");
	if (!arr)
		return p->rc;
	p->pl->variants = arr;
	if (resolve(p, line, &p->inf.uri))
		return p->rc;
	arr[p->pl->n_variants++] = p->inf;
	memset(&p->inf, 0, sizeof(p->inf));
	p->inf_line = 0;
	return 0;
}

/* What the tags before the URI said of segment s: duration, title, media
 * and discontinuity sequence, gap, key, map, program date and time. */
static void segment_from_tags(struct parser *p, vsp_hls_segment *s)
{
	vsp_hls_playlist *pl = p->pl;

	s->duration = p->extinf_duration;
	s->title = p->extinf_title;
	p->extinf_title = NULL;
	s->seq = pl->media_sequence + pl->skipped_segments +
		 (int64_t)(pl->n_segments - 1);
	if (p->disc_pending) {
		s->discontinuity = 1;
		p->disc_count++;
	}
	s->disc_seq = pl->discontinuity_sequence + p->disc_count;
	s->gap = p->gap_pending;
	s->key = p->cur_key;
	s->map = p->cur_map;
	if (p->cur_key >= 0)
		p->key_used = 1;
	if (p->cur_map >= 0)
		p->map_used = 1;
	/* Later segments without their own date follow on from the last one
	 * (RFC 8216 4.3.2.6). */
	if (p->pdt_pending) {
		p->have_pdt = 1;
		p->next_pdt = p->pdt_value;
	}
	if (p->have_pdt) {
		s->has_pdt = 1;
		s->pdt = p->next_pdt;
		p->next_pdt += s->duration;
	}
}

/* Segment s's EXT-X-BYTERANGE, its offset made explicit; remembers where
 * the range ends for the next sub-range of the same resource. */
static int segment_byterange(struct parser *p, vsp_hls_segment *s)
{
	struct br_slot *slot;

	s->br_length = p->br_length;
	s->br_offset = p->br_offset;
	if (!p->br_has_offset) {
		/* Implicit: right after the previous sub-range of the same
		 * resource, or its start when there is none. */
		const vsp_hls_segment *prev =
			p->pl->n_segments > 1 ? s - 1 : NULL;

		/* RFC 8216 4.3.2.2: without an offset, the previous segment
		 * must be a sub-range of the same resource, or the client
		 * MUST fail to parse. Only the first segment of all may start
		 * at 0 by default. */
		if (prev &&
		    (prev->br_length < 0 || strcmp(prev->uri, s->uri) != 0)) {
			p->line = p->br_line;
			p->tag = "EXT-X-BYTERANGE";
			return fail(p, -1,
				    "no offset, and the previous segment is "
				    "not a sub-range of the same resource "
				    "(RFC 8216 4.3.2.2)");
		}
		slot = br_find(p, s->uri);
		s->br_offset = slot ? slot->end : 0;
		if (s->br_offset > INT64_MAX - s->br_length) {
			p->line = p->br_line;
			p->tag = "EXT-X-BYTERANGE";
			return fail(p, -1, "byte range ends past 2^63");
		}
	}
	if (br_store(p, s->uri, s->br_offset + s->br_length))
		return p->rc;
	return 0;
}

static int add_segment(struct parser *p, const char *line)
{
	vsp_hls_playlist *pl = p->pl;
	vsp_hls_segment *arr, *s;

	arr = grow(p, pl->segments, &p->cap_segments, pl->n_segments,
		   sizeof(*arr), VSP_HLS_MAX_SEGMENTS, "segments",
		   "VSP_HLS_MAX_SEGMENTS");
	if (!arr)
		return p->rc;
	pl->segments = arr;
	s = &arr[pl->n_segments];
	memset(s, 0, sizeof(*s));
	if (resolve(p, line, &s->uri))
		return p->rc;
	/* Owned by the segment from here: counted before anything else can
	 * fail, so vsp_hls_free() sees it. */
	pl->n_segments++;
	segment_from_tags(p, s);
	s->br_length = -1;
	if (p->br_line) {
		int rc = segment_byterange(p, s);

		if (rc)
			return rc;
	}
	p->extinf_line = 0;
	p->br_line = 0;
	p->disc_pending = p->gap_pending = p->pdt_pending = 0;
	return 0;
}

static int uri_line(struct parser *p, const char *line)
{
	if (p->inf_line)
		return add_variant(p, line);
	if (p->extinf_line)
		return add_segment(p, line);
	if (p->pl->is_master)
		return fail(p, -1,
			    "URI '%.60s' has no EXT-X-STREAM-INF before it",
			    line);
	return fail(p, -1, "URI '%.60s' has no EXTINF before it", line);
}

static int tag_line(struct parser *p, char *line)
{
	char *colon, *val;

	/* Comments, and tags from other specs, start with "#" too. */
	if (strncmp(line, "#EXT", 4) != 0)
		return 0;
	colon = strchr(line, ':');
	if (colon) {
		*colon = '\0';
		val = colon + 1;
	} else {
		val = line + strlen(line);
	}
	for (size_t i = 0; i < sizeof(tag_handlers) / sizeof(tag_handlers[0]);
	     i++) {
		if (strcmp(line + 1, tag_handlers[i].name) == 0) {
			p->tag = tag_handlers[i].name;
			return tag_handlers[i].fn(p, val);
		}
	}
	return 0; /* unknown tags are ignored (RFC 8216 6.3.1) */
}

/* Checks that need the whole playlist. */
static int finish(struct parser *p)
{
	vsp_hls_playlist *pl = p->pl;

	if (p->inf_line) {
		p->line = p->inf_line;
		p->tag = "EXT-X-STREAM-INF";
		return fail(p, -1, "no URI line follows");
	}
	/* A live playlist caught while its origin appends a segment can end
	 * in an EXTINF whose URI is not written yet: players drop it, and so
	 * do we. In a finished playlist it is a truncated file. */
	if (p->extinf_line && !vsp_hls_is_live(pl)) {
		p->line = p->extinf_line;
		p->tag = "EXTINF";
		return fail(p, -1, "no URI line follows");
	}
	/* The RFC requires EXT-X-TARGETDURATION in every media playlist. A
	 * finished (VOD/ENDLIST) one is never reloaded, so players read it
	 * without; a live one cannot be followed without its reload pace. */
	if (!pl->is_master && pl->n_segments && !p->seen_target &&
	    vsp_hls_is_live(pl)) {
		p->line = p->extinf_first_line;
		p->tag = "EXTINF";
		return fail(p, -1,
			    "live playlist has segments but no "
			    "EXT-X-TARGETDURATION");
	}
	return 0;
}

/* Next line of buf into lb (trimmed, NUL-terminated). Returns 1 with a
 * line, 0 at the end, negative on error. */
static int next_line(struct parser *p, const char **cur, const char *end,
		     char *lb)
{
	const char *s = *cur, *nl, *e;
	size_t n;

	if (s >= end)
		return 0;
	nl = memchr(s, '\n', (size_t)(end - s));
	e = nl ? nl : end;
	*cur = nl ? nl + 1 : end;
	p->line++;
	p->tag = NULL;
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	n = (size_t)(e - s);
	if (n > VSP_HLS_MAX_LINE)
		return fail(p, -2, "longer than %d bytes (VSP_HLS_MAX_LINE)",
			    VSP_HLS_MAX_LINE);
	if (memchr(s, '\0', n))
		return fail(p, -1, "contains a NUL byte");
	memcpy(lb, s, n);
	lb[n] = '\0';
	return 1;
}

/* Every VSP_PARSE_CHECK_EVERY lines: the deadline, and the parsed form of
 * the text read so far (done bytes) reserved. Returns 0 or p's error. */
static int bound_step(struct parser *p, size_t done)
{
	const vsp_parse_bound *b = p->bound;
	size_t want = done * VSP_HLS_PARSED_PER_BYTE;
	char msg[256];
	int rc;

	if (b->deadline_us && vsp_now_us() >= b->deadline_us)
		return fail(p, -3, "the deadline came while parsing");
	if (!b->hold || want <= p->pl->reserved)
		return 0;
	rc = vsp_budget_take(b->hold, want - p->pl->reserved, b->deadline_us,
			     msg, sizeof(msg));
	if (rc)
		return fail(p, rc == -1 ? -3 : -2, "parsing: %s", msg);
	p->pl->hold = b->hold;
	p->pl->reserved = want;
	return 0;
}

int vsp_hls_parse(const char *buf, size_t len, const char *base_url,
		  vsp_hls_playlist **out, char *err, size_t errlen)
{
	return vsp_hls_parse_until(buf, len, base_url, NULL, out, err, errlen);
}

/* #EXTM3U first. Blank lines and comments before it are tolerated:
 * players accept them and the corpus has such masters. */
static int expect_header(struct parser *p, const char **cur, const char *end,
			 char *lb)
{
	for (;;) {
		int r = next_line(p, cur, end, lb);

		if (r < 0)
			return -1;
		if (r == 0) {
			p->line = p->line ? p->line : 1;
			return fail(p, -1,
				    "expected #EXTM3U, found the end of input");
		}
		if (strcmp(lb, "#EXTM3U") == 0)
			return 0;
		if (lb[0] && (lb[0] != '#' || strncmp(lb, "#EXT", 4) == 0)) {
			char q[VSP_BODY_QUOTE_BYTES + 1];

			/* Not a playlist: maybe a document from an internal
			 * URL, so only a short printable quote. */
			vsp_body_quote((const uint8_t *)lb, strlen(lb), q,
				       sizeof(q));
			return fail(p, -1, "expected #EXTM3U, found '%s'", q);
		}
	}
}

/* Every line after #EXTM3U, a tag or a URI; the bound checked every
 * VSP_PARSE_CHECK_EVERY lines. */
static int parse_lines(struct parser *p, const char *buf, const char **cur,
		       const char *end, char *lb)
{
	int r;

	while ((r = next_line(p, cur, end, lb)) > 0) {
		if (p->bound && p->line % VSP_PARSE_CHECK_EVERY == 0 &&
		    bound_step(p, (size_t)(*cur - buf)) != 0)
			return -1;
		if (!lb[0])
			continue;
		r = lb[0] == '#' ? tag_line(p, lb) : uri_line(p, lb);
		if (r)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

int vsp_hls_parse_until(const char *buf, size_t len, const char *base_url,
			const vsp_parse_bound *bound, vsp_hls_playlist **out,
			char *err, size_t errlen)
{
	struct parser p = { 0 };
	const char *cur, *end;
	char *lb = NULL;

	if (err && errlen)
		err[0] = '\0';
	*out = NULL;
	p.base = base_url;
	p.err = err;
	p.errlen = err ? errlen : 0;
	p.cur_key = p.cur_map = -1;
	p.bound = bound;
	p.pl = calloc(1, sizeof(*p.pl));
	lb = malloc(VSP_HLS_MAX_LINE + 1);
	if (!p.pl || !lb) {
		oom(&p);
		goto fail;
	}
	p.pl->version = 1;
	if (!buf)
		len = 0;
	cur = buf;
	end = len ? buf + len : buf;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		cur += 3;
	if (len > (size_t)VSP_MANIFEST_MAX_BYTES) {
		fail(&p, -2,
		     "playlist is over %ld bytes "
		     "(VSP_MANIFEST_MAX_BYTES)",
		     VSP_MANIFEST_MAX_BYTES);
		goto fail;
	}
	if (expect_header(&p, &cur, end, lb) ||
	    parse_lines(&p, buf, &cur, end, lb) || finish(&p))
		goto fail;
	free(lb);
	free(p.extinf_title);
	free(p.br_tab);
	*out = p.pl;
	return 0;
fail:
	free(lb);
	free(p.extinf_title);
	free(p.br_tab);
	variant_clear(&p.inf);
	vsp_hls_free(p.pl);
	return p.rc ? p.rc : -1;
}

int vsp_hls_is_live(const vsp_hls_playlist *pl)
{
	return pl && !pl->is_master && !pl->endlist &&
	       pl->type != VSP_HLS_TYPE_VOD;
}

int64_t vsp_hls_start_index(const vsp_hls_playlist *pl, const vsp_hls_start *st)
{
	double total = 0, t, acc = 0;
	size_t pos;

	if (!pl || !st || !st->present || !st->has_offset ||
	    pl->n_segments == 0)
		return -1;
	for (size_t i = 0; i < pl->n_segments; i++)
		total += pl->segments[i].duration;
	t = st->offset < 0 ? total + st->offset : st->offset;
	if (t < 0)
		t = 0;
	/* Past the end means the end: the last segment holds it. */
	pos = pl->n_segments - 1;
	for (size_t i = 0; i < pl->n_segments; i++) {
		acc += pl->segments[i].duration;
		if (acc > t) {
			pos = i;
			break;
		}
	}
	while (pos < pl->n_segments && pl->segments[pos].gap)
		pos++;
	return pos < pl->n_segments ? (int64_t)pos : -1;
}
