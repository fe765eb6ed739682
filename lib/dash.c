/*
 * dash.c - MPEG-DASH MPD parser (see dash.h): the XML guard and the tree
 * walk. Segment arithmetic is dash_segment.c, template expansion
 * dash_template.c, the sidx reader dash_sidx.c, JSON manifest_json.c.
 *
 * Bytes in, struct out. Never fetches anything: not a DTD, not an entity,
 * not a BaseURL, not an XLink. The XML is untrusted: a DOCTYPE or entity
 * declaration stops the parse, nesting is capped while parsing (a SAX hook,
 * so a 100k-deep document never becomes a 100k-deep tree), and every number
 * goes through one checked helper.
 */
#include "dash.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "clock.h"
#include "datetime.h"
#include "error.h"
#include "jsontext.h"
#include "limits.h"
#include "url.h"

#define DASH_NS_PREFIX "urn:mpeg:dash:schema:mpd:"

/* ---- errors ---- */

struct pctx {
	const char *mpd_url;
	char *err;
	size_t errlen;
	int rc; /* 0 or a VSP_E_* (error.h): the first error wins */
};

static void fail_at(struct pctx *c, const xmlNode *n, int rc, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static void fail_at(struct pctx *c, const xmlNode *n, int rc, const char *fmt,
		    ...)
{
	va_list ap;
	size_t k = 0;

	if (c->rc)
		return;
	c->rc = rc;
	if (n) {
		long line = xmlGetLineNo(n);
		int w = line > 0
				? snprintf(c->err, c->errlen, "line %ld: <%s> ",
					   line, (const char *)n->name)
				: snprintf(c->err, c->errlen, "<%s> ",
					   (const char *)n->name);

		k = w > 0 && (size_t)w < c->errlen ? (size_t)w : 0;
	}
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->errlen - k, fmt, ap);
	va_end(ap);
}

/* ---- numbers: the one checked helper, and its wrappers ---- */

/* Decimal integer in [min, max], surrounding XML whitespace allowed. */
static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end || v < min || v > max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Decimal number in [min, max]; no hex, no inf, no nan. */
static int parse_dbl(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')))
		return -1;
	if (strchr(s, 'x') || strchr(s, 'X'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0 &&
	       (!n->ns || !n->ns->href ||
		strncasecmp((const char *)n->ns->href, DASH_NS_PREFIX,
			    sizeof(DASH_NS_PREFIX) - 1) == 0);
}

static const xmlNode *first_child(const xmlNode *n, const char *name)
{
	if (!n)
		return NULL;
	for (const xmlNode *k = n->children; k; k = k->next)
		if (is_el(k, name))
			return k;
	return NULL;
}

static size_t count_children(const xmlNode *n, const char *name)
{
	size_t c = 0;

	for (const xmlNode *k = n ? n->children : NULL; k; k = k->next)
		c += is_el(k, name);
	return c;
}

/* Attribute value, malloc'd (free()); NULL when absent. */
static char *get_attr(const xmlNode *n, const char *name)
{
	xmlChar *v;
	char *s;

	if (!n)
		return NULL;
	v = xmlGetNoNsProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static int has_attr(const xmlNode *n, const char *name)
{
	return n && xmlHasNsProp(n, (const xmlChar *)name, NULL) != NULL;
}

/* 0 absent, 1 read, -1 error (reported). */
static int attr_int(struct pctx *c, const xmlNode *n, const char *name,
		    int64_t min, int64_t max, int64_t *out)
{
	char *v = get_attr(n, name);
	int rc = 1;

	if (!v)
		return 0;
	if (parse_i64(v, min, max, out) != 0) {
		fail_at(c, n, -1,
			"@%s: '%.64s' is not an integer in [%lld, %lld]", name,
			v, (long long)min, (long long)max);
		rc = -1;
	}
	free(v);
	return rc;
}

static int attr_dbl(struct pctx *c, const xmlNode *n, const char *name,
		    double min, double max, double *out)
{
	char *v = get_attr(n, name);
	int rc = 1;

	if (!v)
		return 0;
	if (parse_dbl(v, min, max, out) != 0) {
		fail_at(c, n, -1, "@%s: '%.64s' is not a number in [%g, %g]",
			name, v, min, max);
		rc = -1;
	}
	free(v);
	return rc;
}

/* An xs:dateTime: RFC 3339 (datetime.h), XML whitespace around it. */
static int xs_datetime(const char *s, double *out, char *err, size_t errlen)
{
	return vsp_time_parse_rfc3339(s, VSP_TIME_XML_SPACE, out, err, errlen);
}

/* An attribute read by one of the ISO 8601 parsers (durations, dates). */
static int attr_iso(struct pctx *c, const xmlNode *n, const char *name,
		    int (*parse)(const char *, double *, char *, size_t),
		    double *out)
{
	char *v = get_attr(n, name);
	char e[256];
	int rc = 1;

	if (!v)
		return 0;
	if (parse(v, out, e, sizeof(e)) != 0) {
		fail_at(c, n, -1, "@%s: %s", name, e);
		rc = -1;
	}
	free(v);
	return rc;
}

static int attr_duration(struct pctx *c, const xmlNode *n, const char *name,
			 double *out)
{
	return attr_iso(c, n, name, vsp_duration_parse_iso8601, out);
}

static int attr_date(struct pctx *c, const xmlNode *n, const char *name,
		     double *out)
{
	return attr_iso(c, n, name, xs_datetime, out);
}

/* "FIRST-LAST" byte range (both inclusive). */
static int attr_range(struct pctx *c, const xmlNode *n, const char *name,
		      int64_t *offset, int64_t *length)
{
	char *v = get_attr(n, name), *dash;
	int64_t a, b;
	int rc = 1;

	if (!v)
		return 0;
	dash = strchr(v, '-');
	if (dash)
		*dash = '\0';
	if (!dash || parse_i64(v, 0, INT64_MAX - 1, &a) != 0 ||
	    parse_i64(dash + 1, 0, INT64_MAX - 1, &b) != 0 || b < a) {
		if (dash)
			*dash = '-';
		fail_at(c, n, -1,
			"@%s: '%.64s' is not a byte range FIRST-LAST with "
			"FIRST <= LAST",
			name, v);
		rc = -1;
	} else {
		*offset = a;
		*length = b - a + 1;
	}
	free(v);
	return rc;
}

/* "30", "29.97" or "30000/1001". */
static int attr_frame_rate(struct pctx *c, const xmlNode *n, double *out)
{
	char *v = get_attr(n, "frameRate"), *slash;
	int64_t num, den = 1;
	int rc = 1;

	if (!v)
		return 0;
	slash = strchr(v, '/');
	if (slash)
		*slash = '\0';
	if (slash ? (parse_i64(v, 0, 1000000, &num) != 0 ||
		     parse_i64(slash + 1, 1, 1000000, &den) != 0)
		  : parse_dbl(v, 0, 1000000, out) != 0) {
		if (slash)
			*slash = '/';
		fail_at(c, n, -1,
			"@frameRate: '%.64s' is not a rate (N or N/D)", v);
		rc = -1;
	} else if (slash) {
		*out = (double)num / (double)den;
	}
	free(v);
	return rc;
}

/* ---- XML reading with the hostile-input guards ---- */

struct xguard {
	int depth, too_deep, doctype;
	/* The tree's memory reserved as elements arrive, and the deadline
	 * looked at, every VSP_PARSE_CHECK_EVERY elements (bound NULL:
	 * neither). over: -2 the budget refused, -3 the deadline came. */
	const vsp_parse_bound *bound;
	size_t elements, reserved;
	int over;
	char over_msg[256];
	int first_line, first_code; /* the first XML error, the one to show */
	char first[256];
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

/* The deadline, then the tree of the next VSP_PARSE_CHECK_EVERY elements
 * reserved. Returns 0, or -1 with g->over set. */
static int tree_step(struct xguard *g)
{
	const vsp_parse_bound *b = g->bound;
	size_t n = (size_t)VSP_PARSE_CHECK_EVERY * VSP_XML_ELEMENT_BYTES;
	int rc;

	if (b->deadline_us && vsp_now_us() >= b->deadline_us) {
		snprintf(g->over_msg, sizeof(g->over_msg),
			 "the deadline came while parsing (%zu elements)",
			 g->elements);
		g->over = -3;
		return -1;
	}
	if (!b->hold)
		return 0;
	rc = vsp_budget_take(b->hold, n, b->deadline_us, g->over_msg,
			     sizeof(g->over_msg));
	if (rc) {
		g->over = rc == -1 ? -3 : -2;
		return -1;
	}
	g->reserved += n;
	return 0;
}

static void g_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		    const xmlChar *uri, int nb_ns, const xmlChar **ns,
		    int nb_attr, int nb_def, const xmlChar **attrs)
{
	xmlParserCtxtPtr c = ctx;
	struct xguard *g = c->_private;

	if (++g->depth > VSP_XML_MAX_DEPTH) {
		g->too_deep = 1;
		xmlStopParser(c);
		return;
	}
	if (g->bound && ++g->elements % VSP_PARSE_CHECK_EVERY == 0 &&
	    tree_step(g) != 0) {
		xmlStopParser(c);
		return;
	}
	g->start(ctx, localname, prefix, uri, nb_ns, ns, nb_attr, nb_def,
		 attrs);
}

static void g_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		  const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct xguard *g = c->_private;

	g->depth--;
	g->end(ctx, localname, prefix, uri);
}

/* A DOCTYPE is where entities (billion laughs, external files) are
 * declared; an MPD has no use for one, so its start ends the parse. */
static void g_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
		     const xmlChar *sys)
{
	xmlParserCtxtPtr c = ctx;
	struct xguard *g = c->_private;

	(void)name;
	(void)ext;
	(void)sys;
	g->doctype = 1;
	xmlStopParser(c);
}

static void g_entity(void *ctx, const xmlChar *name, int type,
		     const xmlChar *pub, const xmlChar *sys, xmlChar *content)
{
	xmlParserCtxtPtr c = ctx;
	struct xguard *g = c->_private;

	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	g->doctype = 1;
	xmlStopParser(c);
}

static xmlEntityPtr g_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
	return NULL; /* no entity is ever defined, so none is ever resolved */
}

/* Errors are kept, never printed by libxml2; the first one says what went
 * wrong, later ones are its echoes. */
static void g_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr c = data;
	struct xguard *g = c ? c->_private : NULL;

	if (!g || !e || g->first[0] || e->level < XML_ERR_ERROR)
		return;
	snprintf(g->first, sizeof(g->first), "%s",
		 e->message ? e->message : "not well-formed XML");
	g->first_line = e->line;
	g->first_code = e->code;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

/* The guard's SAX hooks on ctxt: depth and budget on every element, a
 * DOCTYPE or entity declaration stops the parse, no entity is resolved,
 * errors are collected in g instead of printed. */
static void install_guard(xmlParserCtxtPtr ctxt, struct xguard *g)
{
	g->start = ctxt->sax->startElementNs;
	g->end = ctxt->sax->endElementNs;
	ctxt->_private = g;
	ctxt->sax->startElementNs = g_start;
	ctxt->sax->endElementNs = g_end;
	ctxt->sax->internalSubset = g_subset;
	ctxt->sax->externalSubset = g_subset;
	ctxt->sax->entityDecl = g_entity;
	ctxt->sax->getEntity = g_get_entity;
	ctxt->sax->getParameterEntity = g_get_entity;
	ctxt->sax->resolveEntity = NULL;
	ctxt->userData = ctxt;
	ctxt->sax->serror = g_error;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	ctxt->sax->fatalError = NULL;
}

/* libxml2's first error, trailing newline and blanks cut, with its line. */
static int xml_not_well_formed(xmlParserCtxtPtr ctxt, struct xguard *g,
			       char *err, size_t errlen)
{
	size_t k;

	if (!g->first[0]) {
		snprintf(g->first, sizeof(g->first), "%s",
			 ctxt->lastError.message ? ctxt->lastError.message
						 : "not well-formed XML");
		g->first_line = ctxt->lastError.line;
		g->first_code = ctxt->lastError.code;
	}
	k = strlen(g->first);
	while (k > 0 && (g->first[k - 1] == '\n' || g->first[k - 1] == ' '))
		g->first[--k] = '\0';
	if (g->first_line > 0)
		vsp_err_printf(err, errlen, "line %d: XML: %s", g->first_line,
			       g->first);
	else
		vsp_err_printf(err, errlen, "XML: %s", g->first);
	/* libxml2's own limits (amplification) are limits, not syntax; its
	 * memory is an error, not the document's. */
	if (g->first_code == XML_ERR_NO_MEMORY)
		return VSP_E_NOMEM;
	if (g->first_code == XML_ERR_ENTITY_LOOP)
		return -2;
	return -1;
}

/* 0 when the parse gave a document the guard let through; else the
 * parser's return code, the message in err. */
static int xml_outcome(xmlParserCtxtPtr ctxt, struct xguard *g, char *err,
		       size_t errlen)
{
	if (g->over) {
		vsp_err_printf(err, errlen, "line %d: %s",
			       xmlSAX2GetLineNumber(ctxt), g->over_msg);
		return g->over;
	}
	if (g->doctype) {
		vsp_err_printf(
			err, errlen,
			"MPD has a DOCTYPE or entity declaration: refused (an "
			"MPD needs none, and entities are how XML bombs and "
			"external-file reads work)");
		return -1;
	}
	if (g->too_deep) {
		vsp_err_printf(
			err, errlen,
			"line %d: elements nested deeper than %d: refused",
			xmlSAX2GetLineNumber(ctxt), VSP_XML_MAX_DEPTH);
		return -2;
	}
	if (!ctxt->wellFormed || !ctxt->myDoc)
		return xml_not_well_formed(ctxt, g, err, errlen);
	return 0;
}

/* The parsed document, taken from ctxt; NULL (and *rc left at -1) for one
 * with a DOCTYPE. */
static xmlDocPtr xml_take_doc(xmlParserCtxtPtr ctxt, char *err, size_t errlen,
			      int *rc)
{
	xmlDocPtr doc = ctxt->myDoc;

	ctxt->myDoc = NULL;
	if (doc->intSubset || doc->extSubset) {
		/* Belt and braces: the SAX hook should have stopped this
		 * already. */
		vsp_err_printf(err, errlen, "MPD has a DOCTYPE: refused");
		xmlFreeDoc(doc);
		return NULL;
	}
	*rc = 0;
	return doc;
}

static xmlDocPtr read_xml(const char *buf, size_t len,
			  const vsp_parse_bound *bound, size_t *reserved,
			  char *err, size_t errlen, int *rc)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;
	struct xguard g = { .bound = bound };
	/* No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no HUGE
	 * (libxml2's own length limits stay on), no network. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;

	*rc = -1;
	pthread_once(&xml_once, xml_init);
	if (len > (size_t)VSP_MANIFEST_MAX_BYTES) {
		vsp_err_printf(err, errlen,
			       "MPD of %zu bytes is over the %ld-byte limit",
			       len, (long)VSP_MANIFEST_MAX_BYTES);
		*rc = -2;
		return NULL;
	}
	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!ctxt) {
		vsp_err_printf(err, errlen, "%s",
			       len == 0 ? "empty document" : "out of memory");
		if (len)
			*rc = VSP_E_NOMEM;
		return NULL;
	}
	xmlCtxtUseOptions(ctxt, opts);
	install_guard(ctxt, &g);
	xmlParseDocument(ctxt);
	*reserved = g.reserved;
	*rc = xml_outcome(ctxt, &g, err, errlen);
	if (*rc == 0) {
		*rc = -1;
		doc = xml_take_doc(ctxt, err, errlen, rc);
	}
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	ctxt->_private = NULL;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* ---- URLs ---- */

static int is_absolute(const char *u)
{
	const char *s = u;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	       (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.')
		s++;
	return *s == ':';
}

/* ref against base with libcurl. With no absolute base (a local file read
 * without --base), ref stays as written: nothing to resolve against. */
char *vsp_dash_resolve(const char *base, const char *ref, char *err,
		       size_t errlen)
{
	char *out;

	if (base && !*ref)
		out = strdup(base);
	else if (!base || !is_absolute(base) || is_absolute(ref))
		out = strdup(ref);
	else
		return vsp_url_resolve(base, ref, err, errlen);
	if (!out)
		vsp_err_printf(err, errlen, "out of memory");
	return out;
}

static char *join(struct pctx *c, const xmlNode *at, const char *base,
		  const char *ref)
{
	char e[512];
	char *out = vsp_dash_resolve(base, ref, e, sizeof(e));

	if (!out)
		fail_at(c, at, -1, "%s", e);
	return out;
}

/* Text of the first BaseURL child of el, trimmed; NULL when none. */
static char *base_url_text(const xmlNode *el, const xmlNode **where)
{
	const xmlNode *b = first_child(el, "BaseURL");
	xmlChar *t;
	char *s, *p;
	size_t n;

	*where = b;
	if (!b)
		return NULL;
	t = xmlNodeGetContent(b);
	if (!t)
		return strdup("");
	p = (char *)t;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
			 p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	s = strndup(p, n);
	xmlFree(t);
	return s;
}

/* The base in force inside el: base with el's BaseURL applied. */
static char *apply_base(struct pctx *c, const xmlNode *el, const char *base,
			int *declared)
{
	const xmlNode *at;
	char *t = base_url_text(el, &at);
	char *out;

	if (!at)
		return base ? strdup(base) : NULL;
	if (!t) {
		fail_at(c, at, VSP_E_NOMEM, "out of memory");
		return NULL;
	}
	*declared = 1;
	out = join(c, at, base, t);
	free(t);
	return out;
}

/* ---- the tree walk ---- */

/* The same element kind at Representation, AdaptationSet, Period level
 * (most specific first); absent levels are skipped. */
struct chain {
	const xmlNode *n[3];
	size_t count;
};

static const xmlNode *chain_with(const struct chain *ch, const char *attr)
{
	for (size_t i = 0; i < ch->count; i++)
		if (has_attr(ch->n[i], attr))
			return ch->n[i];
	return NULL;
}

static const xmlNode *chain_child(const struct chain *ch, const char *name)
{
	for (size_t i = 0; i < ch->count; i++) {
		const xmlNode *k = first_child(ch->n[i], name);

		if (k)
			return k;
	}
	return NULL;
}

static int chain_int(struct pctx *c, const struct chain *ch, const char *attr,
		     int64_t min, int64_t max, int64_t *out)
{
	return attr_int(c, chain_with(ch, attr), attr, min, max, out);
}

static int parse_timeline(struct pctx *c, const xmlNode *tl,
			  vsp_dash_representation *r)
{
	size_t n = count_children(tl, "S"), k = 0;
	int64_t next_t = 0;
	int open = 0;

	r->has_timeline = 1;
	if (n == 0)
		return 0;
	if (n > VSP_HLS_MAX_SEGMENTS) {
		fail_at(c, tl, -2, "%zu S elements: over the limit of %d", n,
			VSP_HLS_MAX_SEGMENTS);
		return -1;
	}
	r->timeline = calloc(n, sizeof(*r->timeline));
	if (!r->timeline) {
		fail_at(c, tl, VSP_E_NOMEM, "out of memory");
		return -1;
	}
	r->n_timeline = n;
	for (const xmlNode *s = tl->children; s; s = s->next) {
		vsp_dash_s *e;
		int ht;

		if (!is_el(s, "S"))
			continue;
		e = &r->timeline[k++];
		ht = attr_int(c, s, "t", 0, INT64_MAX / 2, &e->t);
		if (ht < 0)
			return -1;
		if (!ht) {
			if (open) {
				fail_at(c, s, -1,
					"follows an S with r=\"-1\" but has no "
					"@t: its start is unknown");
				return -1;
			}
			e->t = next_t;
		}
		if (attr_int(c, s, "d", 1, INT64_MAX / 4, &e->d) != 1) {
			if (c->rc == 0)
				fail_at(c, s, -1, "@d is required");
			return -1;
		}
		e->r = 0;
		if (attr_int(c, s, "r", -1, INT32_MAX, &e->r) < 0)
			return -1;
		open = e->r < 0;
		if (!open) {
			/* t + d * (r + 1), without overflow. */
			int64_t span;

			if (__builtin_mul_overflow(e->d, e->r + 1, &span) ||
			    __builtin_add_overflow(e->t, span, &next_t) ||
			    next_t > INT64_MAX / 2) {
				fail_at(c, s, -1,
					"t + d * (r + 1) overflows 64 bits");
				return -1;
			}
		}
	}
	return 0;
}

static int parse_list_urls(struct pctx *c, const xmlNode *sl,
			   vsp_dash_representation *r, const char *base)
{
	size_t n = count_children(sl, "SegmentURL"), k = 0;

	if (n == 0)
		return 0;
	if (n > VSP_HLS_MAX_SEGMENTS) {
		fail_at(c, sl, -2,
			"%zu SegmentURL elements: over the limit of %d", n,
			VSP_HLS_MAX_SEGMENTS);
		return -1;
	}
	r->segments = calloc(n, sizeof(*r->segments));
	if (!r->segments) {
		fail_at(c, sl, VSP_E_NOMEM, "out of memory");
		return -1;
	}
	r->n_segments = n;
	for (const xmlNode *u = sl->children; u; u = u->next) {
		vsp_dash_seg_url *s;
		char *media;

		if (!is_el(u, "SegmentURL"))
			continue;
		s = &r->segments[k++];
		s->length = -1;
		if (attr_range(c, u, "mediaRange", &s->offset, &s->length) < 0)
			return -1;
		media = get_attr(u, "media");
		/* No @media: the range is in the BaseURL's resource. */
		s->media = join(c, u, base, media ? media : "");
		free(media);
		if (!s->media)
			return -1;
	}
	return 0;
}

/* Initialization@sourceURL/@range of a SegmentList or SegmentBase. */
static int parse_init(struct pctx *c, const xmlNode *in,
		      vsp_dash_representation *r, const char *base)
{
	char *src;

	if (!in)
		return 0;
	if (attr_range(c, in, "range", &r->init_offset, &r->init_length) < 0)
		return -1;
	src = get_attr(in, "sourceURL");
	r->init_url = join(c, in, base, src ? src : "");
	free(src);
	return r->init_url ? 0 : -1;
}

/* The most specific level that names a SegmentTemplate, SegmentList or
 * SegmentBase picks the kind (0, 1, 2; -1: none); ch gets that kind's
 * elements, innermost first. */
static int addressing_chain(const xmlNode *const lv[3], struct chain *ch)
{
	static const char *const kinds[] = { "SegmentTemplate", "SegmentList",
					     "SegmentBase" };
	int kind = -1;

	for (int i = 0; i < 3 && kind < 0; i++)
		for (int k = 0; k < 3 && kind < 0; k++)
			if (first_child(lv[i], kinds[k]))
				kind = k;
	for (int i = 0; kind >= 0 && i < 3; i++) {
		const xmlNode *n = first_child(lv[i], kinds[kind]);

		if (n)
			ch->n[ch->count++] = n;
	}
	return kind;
}

/* The attributes every kind has: timescale, presentation time offset,
 * availability time offset. */
static int addressing_times(struct pctx *c, const struct chain *ch,
			    vsp_dash_representation *r)
{
	const xmlNode *n;
	int64_t v;

	if (chain_int(c, ch, "timescale", 1, UINT32_MAX, &v) < 0)
		return -1;
	else if (chain_with(ch, "timescale"))
		r->timescale = (uint64_t)v;
	if (chain_int(c, ch, "presentationTimeOffset", 0, INT64_MAX / 4,
		      &r->pto) < 0)
		return -1;
	n = chain_with(ch, "availabilityTimeOffset");
	if (n) {
		char *a = get_attr(n, "availabilityTimeOffset");

		/* "INF" (low latency: available as produced) is probed like
		 * an ordinary segment: the complete one is what we want. */
		if (a && strcmp(a, "INF") != 0 &&
		    attr_dbl(c, n, "availabilityTimeOffset", 0, 86400,
			     &r->ato) < 0) {
			free(a);
			return -1;
		}
		free(a);
	}
	return 0;
}

/* A SegmentList's URLs come from the innermost level that has any. */
static int addressing_list(struct pctx *c, const struct chain *ch,
			   vsp_dash_representation *r, const char *base)
{
	const xmlNode *init = chain_child(ch, "Initialization");

	for (size_t i = 0; i < ch->count; i++)
		if (first_child(ch->n[i], "SegmentURL"))
			return parse_list_urls(c, ch->n[i], r, base) ||
			       parse_init(c, init, r, base);
	return parse_init(c, init, r, base);
}

static void addressing_template(const struct chain *ch,
				vsp_dash_representation *r)
{
	r->media = get_attr(chain_with(ch, "media"), "media");
	r->init_template =
		get_attr(chain_with(ch, "initialization"), "initialization");
	if (!r->init_template)
		r->init_template = get_attr(chain_child(ch, "Initialization"),
					    "sourceURL");
}

/* Segment addressing of one Representation: the most specific level that
 * names a SegmentTemplate, SegmentList or SegmentBase picks the kind; the
 * attributes of that kind inherit from the outer levels (5.3.9.1). */
static int parse_addressing(struct pctx *c, const xmlNode *const lv[3],
			    vsp_dash_representation *r)
{
	const char *base = r->base_url ? r->base_url : c->mpd_url;
	struct chain ch = { { NULL }, 0 };
	int kind;
	const xmlNode *n;

	r->timescale = 1;
	r->start_number = 1;
	r->init_length = -1;
	r->index_offset = -1;
	r->index_length = -1;
	kind = addressing_chain(lv, &ch);
	if (kind < 0) {
		r->addr = VSP_DASH_ADDR_NONE;
		return 0;
	}
	r->addr = kind == 0   ? VSP_DASH_ADDR_TEMPLATE
		  : kind == 1 ? VSP_DASH_ADDR_LIST
			      : VSP_DASH_ADDR_BASE;
	if (addressing_times(c, &ch, r) < 0)
		return -1;
	if (kind == 2) {
		if (attr_range(c, chain_with(&ch, "indexRange"), "indexRange",
			       &r->index_offset, &r->index_length) < 0)
			return -1;
		return parse_init(c, chain_child(&ch, "Initialization"), r,
				  base);
	}
	if (chain_int(c, &ch, "duration", 1, INT64_MAX / 4, &r->duration) < 0 ||
	    chain_int(c, &ch, "startNumber", 0, INT64_MAX / 4,
		      &r->start_number) < 0)
		return -1;
	n = chain_child(&ch, "SegmentTimeline");
	if (n && parse_timeline(c, n, r) != 0)
		return -1;
	if (kind == 1)
		return addressing_list(c, &ch, r, base);
	addressing_template(&ch, r);
	return 0;
}

/* The DRM a ContentProtection list names: the mp4protection value
 * ("cenc", "cbcs") when given, else the first scheme. */
static void read_protection(const xmlNode *el, vsp_dash_representation *r)
{
	for (const xmlNode *k = el ? el->children : NULL; k; k = k->next) {
		char *scheme, *value;

		if (!is_el(k, "ContentProtection"))
			continue;
		r->encrypted = 1;
		scheme = get_attr(k, "schemeIdUri");
		value = get_attr(k, "value");
		if (scheme && value &&
		    strcasecmp(scheme, "urn:mpeg:dash:mp4protection:2011") ==
			    0) {
			free(r->drm_scheme);
			r->drm_scheme = value;
			value = NULL;
			free(scheme);
			return;
		}
		if (!r->drm_scheme && scheme) {
			r->drm_scheme = scheme;
			scheme = NULL;
		}
		free(scheme);
		free(value);
	}
}

/* An attribute of the Representation, else of its AdaptationSet
 * (RepresentationBase attributes are common to both). */
static char *rep_or_set(const xmlNode *rep, const xmlNode *set,
			const char *name)
{
	char *v = get_attr(rep, name);

	return v ? v : get_attr(set, name);
}

static int parse_rep(struct pctx *c, const xmlNode *per, const xmlNode *set,
		     const xmlNode *rn, const char *set_base, int base_decl,
		     vsp_dash_representation *r)
{
	const xmlNode *lv[3] = { rn, set, per };
	const xmlNode *at;
	int64_t v;
	int declared = base_decl;

	r->line = (int)xmlGetLineNo(rn);
	r->id = get_attr(rn, "id");
	r->codecs = rep_or_set(rn, set, "codecs");
	r->mime_type = rep_or_set(rn, set, "mimeType");
	r->content_type = rep_or_set(rn, set, "contentType");
	if (attr_int(c, rn, "bandwidth", 0, INT64_MAX / 2, &r->bandwidth) < 0)
		return -1;
	at = has_attr(rn, "width") ? rn : set;
	if (attr_int(c, at, "width", 0, 65535, &v) < 0)
		return -1;
	else if (has_attr(at, "width"))
		r->width = (int)v;
	at = has_attr(rn, "height") ? rn : set;
	if (attr_int(c, at, "height", 0, 65535, &v) < 0)
		return -1;
	else if (has_attr(at, "height"))
		r->height = (int)v;
	at = has_attr(rn, "frameRate") ? rn : set;
	if (attr_frame_rate(c, at, &r->frame_rate) < 0)
		return -1;
	read_protection(set, r);
	read_protection(rn, r);
	r->base_url = apply_base(c, rn, set_base, &declared);
	if (c->rc)
		return -1;
	if (parse_addressing(c, lv, r) != 0)
		return -1;
	if (r->addr == VSP_DASH_ADDR_NONE && !declared) {
		/* No segment information and no BaseURL of its own: nothing
		 * a player could fetch. Kept, so the check can say so. */
		free(r->base_url);
		r->base_url = NULL;
	}
	return 0;
}

static int parse_set(struct pctx *c, const xmlNode *per, const xmlNode *sn,
		     const char *per_base, int base_decl,
		     vsp_dash_adaptation *a)
{
	size_t n = count_children(sn, "Representation"), k = 0;
	int declared = base_decl;
	char *base;
	int rc = 0;

	a->id = get_attr(sn, "id");
	a->content_type = get_attr(sn, "contentType");
	a->mime_type = get_attr(sn, "mimeType");
	a->lang = get_attr(sn, "lang");
	if (n > VSP_MAX_RENDITIONS) {
		fail_at(c, sn, -2, "%zu Representations: over the limit of %d",
			n, VSP_MAX_RENDITIONS);
		return -1;
	}
	base = apply_base(c, sn, per_base, &declared);
	if (c->rc)
		return -1;
	if (n) {
		a->reps = calloc(n, sizeof(*a->reps));
		if (!a->reps) {
			free(base);
			fail_at(c, sn, VSP_E_NOMEM, "out of memory");
			return -1;
		}
		a->n_reps = n;
	}
	for (const xmlNode *rn = sn->children; rn && rc == 0; rn = rn->next)
		if (is_el(rn, "Representation"))
			rc = parse_rep(c, per, sn, rn, base, declared,
				       &a->reps[k++]);
	free(base);
	return rc;
}

static int parse_period(struct pctx *c, const xmlNode *pn, const char *mpd_base,
			int base_decl, vsp_dash_period *p)
{
	size_t n = count_children(pn, "AdaptationSet"), k = 0;
	int declared = base_decl;
	char *base;
	int rc = 0;

	p->id = get_attr(pn, "id");
	if (attr_duration(c, pn, "duration", &p->duration) < 0)
		return -1;
	base = apply_base(c, pn, mpd_base, &declared);
	if (c->rc)
		return -1;
	if (n) {
		p->sets = calloc(n, sizeof(*p->sets));
		if (!p->sets) {
			free(base);
			fail_at(c, pn, VSP_E_NOMEM, "out of memory");
			return -1;
		}
		p->n_sets = n;
	}
	for (const xmlNode *sn = pn->children; sn && rc == 0; sn = sn->next)
		if (is_el(sn, "AdaptationSet"))
			rc = parse_set(c, pn, sn, base, declared,
				       &p->sets[k++]);
	free(base);
	return rc;
}

/* The MPD element's own attributes: @type, its dates and durations.
 * 0, or -1 with the error in c. */
static int mpd_attrs(struct pctx *c, const xmlNode *root, vsp_dash_mpd *m)
{
	char *type;

	type = get_attr(root, "type");
	if (type && strcmp(type, "dynamic") == 0) {
		m->dynamic = 1;
	} else if (type && strcmp(type, "static") != 0) {
		fail_at(c, root, -1,
			"@type: '%.32s' is neither static nor dynamic", type);
		free(type);
		return -1;
	}
	free(type);
	if ((m->has_availability_start =
		     attr_date(c, root, "availabilityStartTime",
			       &m->availability_start)) < 0 ||
	    (m->has_publish_time =
		     attr_date(c, root, "publishTime", &m->publish_time)) < 0 ||
	    attr_duration(c, root, "mediaPresentationDuration",
			  &m->media_duration) < 0 ||
	    attr_duration(c, root, "minimumUpdatePeriod",
			  &m->min_update_period) < 0 ||
	    attr_duration(c, root, "timeShiftBufferDepth",
			  &m->time_shift_buffer_depth) < 0 ||
	    attr_duration(c, root, "suggestedPresentationDelay",
			  &m->suggested_presentation_delay) < 0 ||
	    attr_duration(c, root, "minBufferTime", &m->min_buffer_time) < 0)
		return -1;
	return 0;
}

/* A Period without @duration lasts until the next one starts, or the
 * last until mediaPresentationDuration; else it stays open (-1). */
static void open_durations(vsp_dash_mpd *m)
{
	size_t np = m->n_periods;

	for (size_t i = 0; i < np; i++) {
		vsp_dash_period *p = &m->periods[i];

		if (p->duration >= 0)
			continue;
		if (i + 1 < np && m->periods[i + 1].start >= p->start)
			p->duration = m->periods[i + 1].start - p->start;
		else if (i + 1 == np && m->media_duration >= 0 &&
			 m->media_duration >= p->start)
			p->duration = m->media_duration - p->start;
	}
}

static int parse_mpd(struct pctx *c, const xmlNode *root, vsp_dash_mpd *m)
{
	size_t np = count_children(root, "Period"), nu = 0, k = 0;
	char *base;
	int declared = 0, rc = 0;
	double prev_end = 0;

	if (!is_el(root, "MPD")) {
		fail_at(c, root, -1, "the root element is not MPD");
		return -1;
	}
	if (mpd_attrs(c, root, m) != 0)
		return -1;
	if (np == 0) {
		fail_at(c, root, -1, "has no Period");
		return -1;
	}
	nu = count_children(root, "UTCTiming");
	if (nu) {
		m->utc = calloc(nu, sizeof(*m->utc));
		if (!m->utc) {
			fail_at(c, root, VSP_E_NOMEM, "out of memory");
			return -1;
		}
		m->n_utc = nu;
		for (const xmlNode *u = root->children; u; u = u->next)
			if (is_el(u, "UTCTiming")) {
				m->utc[k].scheme = get_attr(u, "schemeIdUri");
				m->utc[k].value = get_attr(u, "value");
				k++;
			}
	}
	m->periods = calloc(np, sizeof(*m->periods));
	if (!m->periods) {
		fail_at(c, root, VSP_E_NOMEM, "out of memory");
		return -1;
	}
	m->n_periods = np;
	for (size_t i = 0; i < np; i++)
		m->periods[i].duration = -1;
	base = apply_base(c, root, c->mpd_url, &declared);
	if (c->rc)
		return -1;
	k = 0;
	for (const xmlNode *pn = root->children; pn && rc == 0; pn = pn->next) {
		vsp_dash_period *p;
		int hs;

		if (!is_el(pn, "Period"))
			continue;
		p = &m->periods[k++];
		hs = attr_duration(c, pn, "start", &p->start);
		if (hs < 0) {
			rc = -1;
			break;
		}
		/* No @start: it follows the previous period (5.3.2.1). */
		if (!hs)
			p->start = prev_end;
		rc = parse_period(c, pn, base, declared, p);
		prev_end = p->start + (p->duration >= 0 ? p->duration : 0);
	}
	free(base);
	if (rc)
		return -1;
	open_durations(m);
	return 0;
}

static void free_rep(vsp_dash_representation *r)
{
	free(r->id);
	free(r->codecs);
	free(r->mime_type);
	free(r->content_type);
	free(r->drm_scheme);
	free(r->base_url);
	free(r->media);
	free(r->init_template);
	free(r->timeline);
	for (size_t i = 0; i < r->n_segments; i++)
		free(r->segments[i].media);
	free(r->segments);
	free(r->init_url);
}

void vsp_dash_free(vsp_dash_mpd *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_periods; i++) {
		vsp_dash_period *p = &m->periods[i];

		for (size_t j = 0; j < p->n_sets; j++) {
			vsp_dash_adaptation *a = &p->sets[j];

			for (size_t k = 0; k < a->n_reps; k++)
				free_rep(&a->reps[k]);
			free(a->reps);
			free(a->id);
			free(a->content_type);
			free(a->mime_type);
			free(a->lang);
		}
		free(p->sets);
		free(p->id);
	}
	free(m->periods);
	for (size_t i = 0; i < m->n_utc; i++) {
		free(m->utc[i].scheme);
		free(m->utc[i].value);
	}
	free(m->utc);
	free(m);
}

int vsp_dash_parse(const char *buf, size_t len, const char *base_url,
		   vsp_dash_mpd **out, char *err, size_t errlen)
{
	return vsp_dash_parse_until(buf, len, base_url, NULL, out, err, errlen);
}

int vsp_dash_parse_until(const char *buf, size_t len, const char *base_url,
			 const vsp_parse_bound *bound, vsp_dash_mpd **out,
			 char *err, size_t errlen)
{
	struct pctx c = { base_url, err, errlen, 0 };
	vsp_dash_mpd *m = NULL;
	xmlDocPtr doc;
	size_t reserved = 0;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	doc = read_xml(buf, len, bound, &reserved, err, errlen, &rc);
	if (!doc) {
		vsp_budget_give(bound ? bound->hold : NULL, reserved);
		return rc ? rc : -1;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		xmlFreeDoc(doc);
		vsp_budget_give(bound ? bound->hold : NULL, reserved);
		vsp_err_printf(err, errlen, "out of memory");
		return VSP_E_NOMEM;
	}
	m->media_duration = m->min_update_period = m->time_shift_buffer_depth =
		m->suggested_presentation_delay = m->min_buffer_time = -1;
	if (parse_mpd(&c, xmlDocGetRootElement(doc), m) != 0 || c.rc) {
		vsp_dash_free(m);
		xmlFreeDoc(doc);
		vsp_budget_give(bound ? bound->hold : NULL, reserved);
		return c.rc ? c.rc : -1;
	}
	/* The tree was the parse's: only the MPD stays. */
	xmlFreeDoc(doc);
	vsp_budget_give(bound ? bound->hold : NULL, reserved);
	*out = m;
	return 0;
}

int vsp_dash_detect(const uint8_t *b, size_t n)
{
	size_t lim = n < 4096 ? n : 4096;

	for (size_t i = 0; i + 4 <= lim; i++)
		if (memcmp(b + i, "<MPD", 4) == 0 &&
		    (i + 4 == n || b[i + 4] == ' ' || b[i + 4] == '>' ||
		     b[i + 4] == '\n' || b[i + 4] == '\r' || b[i + 4] == '\t' ||
		     b[i + 4] == '/'))
			return 1;
	return 0;
}
