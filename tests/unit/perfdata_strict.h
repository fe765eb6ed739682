/*
 * perfdata_strict.h - a strict parser of the Monitoring Plugins Development
 * Guidelines' performance data grammar, for the tests only.
 *
 *   perfdata := metric *(SP metric)
 *   metric   := label "=" value [uom] [";" [warn] [";" [crit] [";" [min]
 *               [";" [max]]]]]
 *   label    := "'" 1*(any but ' and =, or "''") "'" / 1*(any but SP ' =)
 *   value    := "U" / number          (U carries no unit)
 *   number   := ["-"] digits ["." digits] / ["-"] "." digits   ([-0-9.])
 *   uom      := "s" / "ms" / "us" / "%" / "B" / "KB" / "MB" / "GB" / "TB"
 *               / "c"
 *   warn, crit := ["@"] (number / number ":" / "~:" [number] /
 *               number ":" number), start <= end
 *   min, max := number
 *
 * It is written apart from lib/plugin.c on purpose: a test that reused the
 * formatter's own idea of the grammar would prove nothing. Shared by
 * tests/unit/test_plugin.c, tests/unit/test_nagios.c and
 * tests/integration/test_nagios_integration.c.
 */
#ifndef PERFDATA_STRICT_H
#define PERFDATA_STRICT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS_MAX_METRICS 512
#define PS_LABEL_MAX 256

typedef struct ps_metric {
	char label[PS_LABEL_MAX]; /* unquoted, '' undone */
	int unknown;		  /* value was U */
	double value;
	char uom[4];
	char warn[64], crit[64]; /* as written, "" when empty */
	int has_min, has_max;
	double min, max;
} ps_metric;

/* A number of the class [-0-9.]: returns its length at s, 0 if none. */
static size_t ps_number(const char *s, double *out)
{
	size_t i = 0, digits = 0;
	char buf[64];

	if (s[i] == '-')
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (digits == 0 || i >= sizeof(buf))
		return 0;
	memcpy(buf, s, i);
	buf[i] = '\0';
	if (out)
		*out = strtod(buf, NULL);
	return i;
}

/* A whole range field [s, s+n). Returns 1 when valid. */
static int ps_range(const char *s, size_t n)
{
	char f[64];
	const char *p = f;
	double a = 0, b = 0;
	int a_inf = 0, b_inf = 0;
	size_t k;

	if (n == 0 || n >= sizeof(f))
		return 0;
	memcpy(f, s, n);
	f[n] = '\0';
	if (*p == '@')
		p++;
	if (p[0] == '~' && p[1] == ':') {
		a_inf = 1;
		p += 2;
		if (!*p)
			return 1;
		k = ps_number(p, &b);
		return k > 0 && p[k] == '\0';
	}
	k = ps_number(p, &a);
	if (k == 0)
		return 0;
	p += k;
	if (*p == '\0')
		return a >= 0; /* "end": start 0 */
	if (*p != ':')
		return 0;
	p++;
	if (*p == '\0') {
		b_inf = 1;
	} else {
		k = ps_number(p, &b);
		if (k == 0 || p[k] != '\0')
			return 0;
	}
	return a_inf || b_inf || a <= b;
}

static const char *const ps_uoms[] = { "s",  "ms", "us", "%",  "B", "KB",
				       "MB", "GB", "TB", "c" };

/*
 * Parses perfdata text (what follows '|', one leading space allowed) into
 * out[0..*n). Returns 0, or -1 with where and why in err.
 */
static int ps_parse(const char *text, ps_metric *out, size_t max, size_t *n,
		    char *err, size_t errlen)
{
	const char *p = text;

	*n = 0;
	if (*p == ' ')
		p++;
	if (!*p) {
		snprintf(err, errlen, "empty perfdata");
		return -1;
	}
	while (*p) {
		ps_metric *m;
		size_t k = 0, f;
		const char *start = p;

		if (*n >= max) {
			snprintf(err, errlen, "too many metrics");
			return -1;
		}
		m = &out[(*n)++];
		memset(m, 0, sizeof(*m));
		if (*p == '\'') {
			p++;
			for (;;) {
				if (*p == '\0') {
					snprintf(err, errlen,
						 "unterminated quote at '%.80s'",
						 start);
					return -1;
				}
				if (*p == '\'' && p[1] == '\'') {
					p += 2;
					if (k + 1 < PS_LABEL_MAX)
						m->label[k++] = '\'';
					continue;
				}
				if (*p == '\'')
					break;
				if (*p == '=') {
					snprintf(err, errlen,
						 "'=' inside a label at '%.80s'",
						 start);
					return -1;
				}
				if (k + 1 < PS_LABEL_MAX)
					m->label[k++] = *p;
				p++;
			}
			p++;
			if (k == 0) {
				snprintf(err, errlen, "empty label at '%.80s'",
					 start);
				return -1;
			}
		} else {
			while (*p && *p != '=' && *p != ' ' && *p != '\'') {
				if (k + 1 < PS_LABEL_MAX)
					m->label[k++] = *p;
				p++;
			}
			if (k == 0 || *p == '\'' || *p == ' ') {
				snprintf(err, errlen,
					 "bad unquoted label at '%.80s'", start);
				return -1;
			}
		}
		m->label[k] = '\0';
		if (*p++ != '=') {
			snprintf(err, errlen, "no '=' after label at '%.80s'",
				 start);
			return -1;
		}
		if (*p == 'U' && (p[1] == ';' || p[1] == ' ' || !p[1])) {
			m->unknown = 1;
			p++;
		} else {
			k = ps_number(p, &m->value);
			if (k == 0) {
				snprintf(err, errlen, "bad value at '%.80s'",
					 start);
				return -1;
			}
			p += k;
			k = strcspn(p, "; ");
			if (k > 0) {
				int ok = 0;

				for (size_t i = 0;
				     i < sizeof(ps_uoms) / sizeof(ps_uoms[0]);
				     i++)
					if (strlen(ps_uoms[i]) == k &&
					    strncmp(p, ps_uoms[i], k) == 0)
						ok = 1;
				if (!ok) {
					snprintf(err, errlen,
						 "bad unit '%.*s' at '%.80s'",
						 (int)k, p, start);
					return -1;
				}
				memcpy(m->uom, p, k);
				p += k;
			}
		}
		for (f = 0; f < 4 && *p == ';'; f++) {
			p++;
			k = strcspn(p, "; ");
			if (k == 0)
				continue;
			if (f < 2) {
				if (!ps_range(p, k)) {
					snprintf(err, errlen,
						 "bad range '%.*s' at '%.80s'",
						 (int)k, p, start);
					return -1;
				}
				memcpy(f == 0 ? m->warn : m->crit, p,
				       k < 63 ? k : 63);
			} else {
				double v;

				if (ps_number(p, &v) != k) {
					snprintf(err, errlen,
						 "bad min/max '%.*s' at '%.80s'",
						 (int)k, p, start);
					return -1;
				}
				if (f == 2)
					m->has_min = 1, m->min = v;
				else
					m->has_max = 1, m->max = v;
			}
			p += k;
		}
		if (*p == ';') {
			snprintf(err, errlen, "more than 5 fields at '%.80s'",
				 start);
			return -1;
		}
		if (*p == ' ') {
			p++;
			if (*p == ' ' || !*p) {
				snprintf(err, errlen,
					 "stray space after '%.80s'", start);
				return -1;
			}
		} else if (*p) {
			snprintf(err, errlen, "junk '%.80s' after a metric", p);
			return -1;
		}
	}
	return 0;
}

/* Labels unique in their first 19 characters (RRD). Returns 0 or -1. */
static __attribute__((unused)) int
ps_unique(const ps_metric *m, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strncmp(m[i].label, m[j].label, 19) == 0) {
				snprintf(err, errlen,
					 "labels '%s' and '%s' share their "
					 "first 19 characters",
					 m[i].label, m[j].label);
				return -1;
			}
	return 0;
}

/* Unused by some includers. */
static __attribute__((unused)) const ps_metric *
ps_find(const ps_metric *m, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].label, label) == 0)
			return &m[i];
	return NULL;
}

#endif
