/*
 * redact.c - secrets out of records, logs and plugin output.
 *
 * Works on finished strings (URLs, messages that quote URLs), after the
 * check: the transfers themselves use the real values.
 */
#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dynbuf.h"

/* Every step of vsp_redact_string() reads at least one byte and writes at
 * most "://" REDACTED "@": the output's bound, so its cap is never the
 * reason it fails. */
#define OUT_PER_IN_BYTE (sizeof("://" VSP_REDACTED "@") - 1)

/* 1 while p is still inside a URL quoted in a message: it ends at
 * white space, quotes, brackets, and at punctuation that ends a clause
 * ("GET URL: HTTP 404", "... URL.").*/
static int in_url_at(const char *p)
{
	char c = *p;

	if (!c || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' ||
	    c == '<' || c == '>' || c == ')')
		return 0;
	if (strchr(":,.;", c) &&
	    (p[1] == '\0' || p[1] == ' ' || p[1] == '\n' || p[1] == '\t'))
		return 0;
	return 1;
}

static size_t secret_at(const char *p, const char *const *secrets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = secrets[i] ? strlen(secrets[i]) : 0;

		if (k > 0 && strncmp(p, secrets[i], k) == 0)
			return k;
	}
	return 0;
}

/* At p, just after "scheme://": the length of a "user[:password]@" that
 * comes before the host, 0 when none. */
static size_t userinfo_at(const char *p)
{
	size_t k = 0;

	while (in_url_at(p + k) && !strchr("/?#@", p[k]))
		k++;
	return p[k] == '@' ? k + 1 : 0;
}

/* A separator of words in a message: a relative URI quoted in it ends
 * here. */
static int word_end(char c)
{
	return !c || strchr(" \t\n\"'<>()", c) != NULL;
}

char *vsp_redact_string(const char *in, const char *const *secrets,
			size_t n_secrets, int mask_query)
{
	vsp_buf o;
	const char *p = in;
	int in_url = 0, pathy = 0;

	if (!in)
		return NULL;
	vsp_buf_init(&o, strlen(in) * OUT_PER_IN_BYTE + 1);
	while (*p) {
		size_t k = secret_at(p, secrets, n_secrets);

		if (k) {
			vsp_buf_add(&o, VSP_REDACTED, strlen(VSP_REDACTED));
			p += k;
			continue;
		}
		if (strncmp(p, "://", 3) == 0 && (k = userinfo_at(p + 3))) {
			/* A password in a URL, or a token as its user, in
			 * every URL of every scheme: always masked. */
			vsp_buf_add(&o, "://" VSP_REDACTED "@",
				    strlen(VSP_REDACTED) + 4);
			p += 3 + k;
			in_url = 1;
			continue;
		}
		if (strncasecmp(p, "http://", 7) == 0 ||
		    strncasecmp(p, "https://", 8) == 0)
			in_url = 1;
		else if (in_url && !in_url_at(p))
			in_url = 0;
		/* A word that looks like a path ("seg.ts", "a/b"): a '?' in
		 * it starts the query of a relative URI quoted in a message
		 * (a parser's error), masked like an absolute URL's. */
		if (word_end(*p))
			pathy = 0;
		else if (*p == '/' || *p == '.')
			pathy = 1;
		if (mask_query && (in_url || pathy) && *p == '?' &&
		    !word_end(p[1])) {
			vsp_buf_add(&o, "?" VSP_REDACTED,
				    strlen(VSP_REDACTED) + 1);
			/* The fragment is the player's, not the server's. */
			while ((in_url ? in_url_at(p) : !word_end(*p)) &&
			       *p != '#')
				p++;
			continue;
		}
		vsp_buf_add(&o, p, 1);
		p++;
	}
	/* NULL on out of memory (o's error): take() frees nothing then. */
	if (o.err) {
		vsp_buf_free(&o);
		return NULL;
	}
	return vsp_buf_take(&o, NULL);
}

struct secrets {
	const char *const *v;
	size_t n;
	int mask_query;
};

static int redact(char **s, const struct secrets *sec)
{
	char *r;

	if (!*s)
		return 0;
	r = vsp_redact_string(*s, sec->v, sec->n, sec->mask_query);
	if (!r)
		return -1;
	free(*s);
	*s = r;
	return 0;
}

static int redact_step(vsp_http_step *st, const struct secrets *sec)
{
	return redact(&st->url, sec) | redact(&st->final_url, sec);
}

static int redact_rendition(vsp_rendition_result *r, const struct secrets *sec)
{
	int rc = 0;

	for (size_t i = 0; i < r->n_segs; i++)
		rc |= redact_step(&r->segs[i].http, sec);
	return rc | redact(&r->v.message, sec) | redact(&r->uri, sec) |
	       redact(&r->live_note, sec) | redact_step(&r->playlist, sec) |
	       redact_step(&r->key, sec) | redact_step(&r->init, sec) |
	       redact_step(&r->segment, sec);
}

int vsp_redact_result(vsp_stream_result *s, const char *const *secrets,
		      size_t n_secrets, int mask_query)
{
	struct secrets sec = { secrets, n_secrets, mask_query };
	int rc = 0;

	/* No early return without secrets: userinfo (user:password@) is
	 * masked in every case. */
	rc |= redact(&s->v.message, &sec);
	for (size_t i = 0; i < s->n_origins; i++) {
		vsp_origin_result *o = &s->origins[i];

		rc |= redact(&o->v.message, &sec) | redact(&o->url, &sec) |
		      redact_step(&o->manifest, &sec);
		for (size_t k = 0; k < o->n_renditions; k++)
			rc |= redact_rendition(&o->renditions[k], &sec);
	}
	return rc ? -1 : 0;
}
