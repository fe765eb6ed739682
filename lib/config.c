/*
 * config.c - loading and validating probe definitions (jansson).
 *
 * Defaults (vsp_probe_cfg_init), then the file laid over them, then
 * validation. The first error wins and names the file, the JSON path of the
 * key and what was expected; values quoted back are cut short and made
 * printable so a hostile file cannot forge lines in a log or a cron mail.
 * Never prints, never exits; never fetches anything a URL names.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "file.h"
#include "limits.h"
#include "sample.h"

/* Ranges of the numbers a probe file may set. The timeout matches
 * `prober check --timeout`; an interval over a week is a typo. */
#define TIMEOUT_MIN_S  0.1
#define TIMEOUT_MAX_S  3600.0
#define INTERVAL_MIN_S 1.0
#define INTERVAL_MAX_S (7.0 * 86400)
#define UA_MAX	       512
/* How much of a bad value a message quotes back. */
#define QUOTE_MAX 80

struct ctx {
	const char *label;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* An empty label: a command-line value (vsp_config_check_value),
	 * whose caller names the option. */
	if (!*c->label)
		snprintf(c->err, c->errlen, "%s", msg);
	else if (path && *path)
		snprintf(c->err, c->errlen, "%s: %s: %s", c->label, path, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->label, msg);
	return -1;
}

/* A string quoted back in a message: at most QUOTE_MAX bytes, control
 * characters and quotes shown as '?'. */
static void quote(const char *s, char *out, size_t len)
{
	size_t k = 0, i;

	for (i = 0; s[i] && k + 4 < len && i < QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[k++] = (ch < 0x20 || ch == 0x7f || ch == '\'') ? '?'
								   : (char)ch;
	}
	if (s[i] && k + 4 < len) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* What a value is, for "got ...". */
static void describe(const json_t *v, char *out, size_t len)
{
	char q[QUOTE_MAX + 8];

	switch (json_typeof(v)) {
	case JSON_STRING:
		quote(json_string_value(v), q, sizeof(q));
		snprintf(out, len, "'%s'", q);
		break;
	case JSON_INTEGER:
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(out, len, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(out, len, "true");
		break;
	case JSON_FALSE:
		snprintf(out, len, "false");
		break;
	case JSON_NULL:
		snprintf(out, len, "null");
		break;
	case JSON_OBJECT:
		snprintf(out, len, "an object");
		break;
	case JSON_ARRAY:
		snprintf(out, len, "an array");
		break;
	default:
		snprintf(out, len, "something else");
		break;
	}
}

static int fail_got(struct ctx *c, const char *path, const char *expected,
		    const json_t *v)
{
	char got[QUOTE_MAX + 16];

	describe(v, got, sizeof(got));
	return fail(c, path, "expected %s, got %s", expected, got);
}

/* Unknown keys are errors: a typo ("interval" for "interval_s") would
 * otherwise silently change what is checked. */
static int check_keys(struct ctx *c, const char *path, json_t *obj,
		      const char *const *known, const char *known_list)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		int ok = 0;
		char q[QUOTE_MAX + 8], p[256];

		for (size_t i = 0; known[i]; i++)
			if (strcmp(key, known[i]) == 0)
				ok = 1;
		if (ok)
			continue;
		quote(key, q, sizeof(q));
		if (path && *path)
			snprintf(p, sizeof(p), "%s.%s", path, q);
		else
			snprintf(p, sizeof(p), "%s", q);
		return fail(c, p, "unknown key (expected one of %s)",
			    known_list);
	}
	return 0;
}

int vsp_config_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > VSP_MAX_NAME || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			return 0;
	}
	return 1;
}

#define NAME_EXPECTED                                                       \
	"a name of 1 to 64 characters from A-Z a-z 0-9 . _ - not starting " \
	"with '.'"

static int get_name(struct ctx *c, const char *path, const json_t *v,
		    char **out)
{
	if (!json_is_string(v) || !vsp_config_name_ok(json_string_value(v)))
		return fail_got(c, path, NAME_EXPECTED, v);
	free(*out);
	*out = strdup(json_string_value(v));
	return *out ? 0 : fail(c, NULL, "out of memory");
}

/* RFC 9110 token characters: what a header field name is made of. */
static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", ch)))
			return 0;
	}
	return 1;
}

/* A header value or a User-Agent: CR or LF would let the file inject
 * request lines; other controls (but tab) are no valid field content. */
static int field_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 0;
	}
	return 1;
}

static int get_url(struct ctx *c, const char *path, const json_t *v, char **out)
{
	static const char expected[] = "an http:// or https:// URL";
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL, *host = NULL;
	int bad_scheme = 0, rv = -1;

	if (!json_is_string(v))
		return fail_got(c, path, expected, v);
	u = curl_url();
	if (!u)
		return fail(c, NULL, "out of memory");
	/* Without CURLU_NON_SUPPORT_SCHEME, GUESS_SCHEME or DEFAULT_SCHEME:
	 * a URL without a scheme is refused, not guessed. */
	rc = curl_url_set(u, CURLUPART_URL, json_string_value(v),
			  CURLU_NON_SUPPORT_SCHEME);
	if (rc == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		bad_scheme = 1;
	if (rc != CURLUE_OK || bad_scheme || !scheme) {
		char got[QUOTE_MAX + 16];

		describe(v, got, sizeof(got));
		if (rc != CURLUE_OK && !bad_scheme &&
		    strncasecmp(json_string_value(v), "http", 4) == 0)
			fail(c, path, "expected %s, got %s (%s)", expected, got,
			     curl_url_strerror(rc));
		else
			fail(c, path, "expected %s, got %s", expected, got);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host ||
	    !*host) {
		fail_got(c, path, "an http:// or https:// URL with a host", v);
		goto out;
	}
	free(*out);
	*out = strdup(json_string_value(v));
	rv = *out ? 0 : fail(c, NULL, "out of memory");
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rv;
}

static int push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -1;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

static int get_headers(struct ctx *c, const char *path, json_t *v,
		       vsp_origin_cfg *o)
{
	const char *key;
	json_t *val;
	char p[256], q[QUOTE_MAX + 8];

	if (!json_is_object(v))
		return fail_got(c, path, "an object of header names to values",
				v);
	if (json_object_size(v) > VSP_MAX_HEADERS)
		return fail(c, path, "expected at most %d headers, got %zu",
			    VSP_MAX_HEADERS, json_object_size(v));
	json_object_foreach(v, key, val)
	{
		size_t n;
		char *line;

		quote(key, q, sizeof(q));
		snprintf(p, sizeof(p), "%s.%s", path, q);
		if (!is_token(key))
			return fail(c, path,
				    "expected header names made of letters, "
				    "digits and !#$%%&'*+-.^_`|~, got '%s'",
				    q);
		/* Two spellings of one name would send the header twice. */
		for (size_t i = 0; i < o->n_headers; i++) {
			size_t kl = strlen(key);

			if (strncasecmp(o->headers[i], key, kl) == 0 &&
			    o->headers[i][kl] == ':')
				return fail(c, p,
					    "header name given twice (names "
					    "are case-insensitive)");
		}
		if (!json_is_string(val))
			return fail_got(c, p, "a string", val);
		if (!field_value_ok(json_string_value(val)))
			return fail(c, p,
				    "expected a header value without CR, LF "
				    "or other control characters");
		n = strlen(key) + json_string_length(val) + 3;
		line = malloc(n);
		if (line)
			snprintf(line, n, "%s: %s", key,
				 json_string_value(val));
		if (push(&o->headers, &o->n_headers, line))
			return fail(c, NULL, "out of memory");
	}
	return 0;
}

/* An address of a --resolve pin: IPv4, or IPv6 with or without brackets. */
static int addr_ok(const char *s, size_t n)
{
	char buf[64];
	unsigned char bin[16];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, bin) == 1 ||
	       inet_pton(AF_INET6, buf, bin) == 1;
}

/* HOST:PORT:ADDR[,ADDR...], as curl's CURLOPT_RESOLVE takes it. Checked
 * here so a typo is a load error, not a probe that quietly ignores it. */
static int resolve_ok(const char *s)
{
	const char *c1 = strchr(s, ':'), *c2, *p;
	long port = 0;

	if (!c1 || c1 == s)
		return 0;
	for (p = s; p < c1; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == '_'))
			return 0;
	c2 = strchr(c1 + 1, ':');
	if (!c2 || c2 == c1 + 1 || c2 - c1 > 6)
		return 0;
	for (p = c1 + 1; p < c2; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		port = port * 10 + (*p - '0');
	}
	if (port < 1 || port > 65535)
		return 0;
	p = c2 + 1;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (!addr_ok(p, n))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

static int get_resolve(struct ctx *c, const char *path, json_t *v,
		       vsp_origin_cfg *o)
{
	size_t i;
	json_t *e;
	char p[256];

	if (!json_is_array(v))
		return fail_got(c, path,
				"an array of HOST:PORT:ADDRESS strings", v);
	if (json_array_size(v) > VSP_MAX_HEADERS)
		return fail(c, path, "expected at most %d pins, got %zu",
			    VSP_MAX_HEADERS, json_array_size(v));
	json_array_foreach(v, i, e)
	{
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_is_string(e) || !resolve_ok(json_string_value(e)))
			return fail_got(c, p,
					"HOST:PORT:ADDRESS with a port from 1 "
					"to 65535 and an IP address",
					e);
		if (push(&o->resolve, &o->n_resolve,
			 strdup(json_string_value(e))))
			return fail(c, NULL, "out of memory");
	}
	return 0;
}

static const char *const origin_keys[] = {
	"name",		  "url",	  "headers",
	"resolve",	  "cacert",	  "insecure",
	"secret_headers", "secret_query", "headers_command",
	"url_command",	  "header_hosts", NULL
};

/* A program and its arguments, run with no shell: a string (the program
 * alone) or an array of strings. The program is named by a path (no search
 * of PATH, whose value differs between cron, systemd and a shell) and must
 * be executable now, so a typo is a bad probe file, not an origin failing
 * at every check. */
static int get_command(struct ctx *c, const char *path, const json_t *v,
		       char ***out)
{
	char exp[160];
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	char **argv;

	snprintf(exp, sizeof(exp),
		 "a program's path, or an array of it and up to %d arguments",
		 VSP_COMMAND_MAX_ARGS - 1);
	if (!(json_is_string(v) ||
	      (json_is_array(v) && n >= 1 && n <= VSP_COMMAND_MAX_ARGS)))
		return fail_got(c, path, exp, v);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_string(e) ||
		    strlen(json_string_value(e)) != json_string_length(e) ||
		    (i == 0 && !strchr(json_string_value(e), '/')))
			return fail_got(c, path, exp, e);
	}
	{
		const json_t *e0 = json_is_array(v) ? json_array_get(v, 0) : v;
		const char *prog = json_string_value(e0);
		char q[QUOTE_MAX + 8];

		if (access(prog, X_OK) != 0) {
			quote(prog, q, sizeof(q));
			return fail(c, path,
				    "expected an executable program, got '%s' "
				    "(%s)",
				    q, strerror(errno));
		}
	}
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return fail(c, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;

		argv[i] = strdup(json_string_value(e));
		if (!argv[i]) {
			for (size_t k = 0; k < i; k++)
				free(argv[k]);
			free(argv);
			return fail(c, NULL, "out of memory");
		}
	}
	*out = argv;
	return 0;
}

/* "header_hosts": hosts besides the origin's own that may receive its
 * headers (a CDN's second host, a key server), as "host" (any port) or
 * "host:port". Names only: a URL here would suggest a path matters. */
static int get_header_hosts(struct ctx *c, const char *path, json_t *v,
			    vsp_origin_cfg *o)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return fail_got(c, path, "an array of host names", v);
	if (json_array_size(v) > VSP_MAX_HEADERS)
		return fail(c, path, "expected at most %d hosts, got %zu",
			    VSP_MAX_HEADERS, json_array_size(v));
	json_array_foreach(v, i, e)
	{
		char p[192];
		const char *h = json_string_value(e);
		size_t n = h ? strlen(h) : 0;

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!h || n == 0 || n > 255 ||
		    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			      "WXYZ0123456789.-_:[]") != n)
			return fail_got(c, p,
					"a host name or \"host:port\" "
					"(letters, digits, . - _ : [ ])",
					e);
		if (push(&o->header_hosts, &o->n_header_hosts, strdup(h)))
			return fail(c, NULL, "out of memory");
	}
	return 0;
}

/* "secret_headers": names of headers of this origin whose values must never
 * be written (tokens): their values join the origin's secrets. */
static int get_secret_headers(struct ctx *c, const char *path, json_t *v,
			      vsp_origin_cfg *o)
{
	size_t i;
	json_t *e;
	char p[256];

	if (!json_is_array(v))
		return fail_got(c, path, "an array of header names", v);
	json_array_foreach(v, i, e)
	{
		const char *name = json_string_value(e);
		size_t kl = name ? strlen(name) : 0;
		size_t h;

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!name)
			return fail_got(c, p, "a header name", e);
		for (h = 0; h < o->n_headers; h++)
			if (kl && strncasecmp(o->headers[h], name, kl) == 0 &&
			    o->headers[h][kl] == ':')
				break;
		if (h == o->n_headers)
			return fail(c, p,
				    "expected the name of one of this origin's "
				    "headers, got '%s'",
				    name);
		{
			const char *val = o->headers[h] + kl + 1;
			char *dup;

			while (*val == ' ')
				val++;
			dup = strdup(val);
			if (!dup || push(&o->secrets, &o->n_secrets, dup))
				return fail(c, NULL, "out of memory");
		}
	}
	return 0;
}

static int get_cacert(struct ctx *c, const char *p, json_t *f,
		      vsp_origin_cfg *o)
{
	if (!json_is_string(f) || !*json_string_value(f))
		return fail_got(c, p, "the path of a CA certificate file", f);
	/* Caught here, a missing CA file is a bad probe file (exit 3)
	 * instead of a TLS failure blamed on the origin. */
	if (access(json_string_value(f), R_OK) != 0)
		return fail(c, p,
			    "expected a readable CA certificate file, "
			    "got '%s' (%s)",
			    json_string_value(f), strerror(errno));
	if (!(o->cacert = strdup(json_string_value(f))))
		return fail(c, NULL, "out of memory");
	return 0;
}

static int get_insecure(struct ctx *c, const char *p, json_t *f,
			vsp_origin_cfg *o)
{
	if (!json_is_boolean(f))
		return fail_got(c, p, "true or false", f);
	o->insecure = json_is_true(f);
	return 0;
}

static int get_secret_query(struct ctx *c, const char *p, json_t *f,
			    vsp_origin_cfg *o)
{
	if (!json_is_boolean(f))
		return fail_got(c, p, "true or false", f);
	o->secret_query = json_is_true(f);
	return 0;
}

static int get_headers_command(struct ctx *c, const char *p, json_t *f,
			       vsp_origin_cfg *o)
{
	return get_command(c, p, f, &o->headers_command);
}

static int get_url_command(struct ctx *c, const char *p, json_t *f,
			   vsp_origin_cfg *o)
{
	return get_command(c, p, f, &o->url_command);
}

/* An origin's optional keys and their getters, in the order they are read
 * (so the first error reported does not depend on the file's key order). */
static const struct {
	const char *key;
	int (*get)(struct ctx *c, const char *p, json_t *f, vsp_origin_cfg *o);
} origin_getters[] = {
	{ "headers", get_headers },
	{ "resolve", get_resolve },
	{ "cacert", get_cacert },
	{ "insecure", get_insecure },
	{ "secret_headers", get_secret_headers },
	{ "secret_query", get_secret_query },
	{ "headers_command", get_headers_command },
	{ "url_command", get_url_command },
	{ "header_hosts", get_header_hosts },
};

/* The origin's name: present, valid, and not another origin's. */
static int origin_name(struct ctx *c, const char *p, json_t *f,
		       const vsp_probe_cfg *cfg)
{
	if (!f)
		return fail(c, p, "missing (expected " NAME_EXPECTED ")");
	if (!json_is_string(f) || !vsp_config_name_ok(json_string_value(f)))
		return fail_got(c, p, NAME_EXPECTED, f);
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (strcmp(cfg->origins[i].name, json_string_value(f)) == 0)
			return fail(c, p,
				    "expected a name no other origin has, "
				    "got '%s' (origins[%zu] has it)",
				    json_string_value(f), i);
	return 0;
}

/* Validated before the origin exists so a failed one leaves cfg as it
 * was. */
static int origin_add(struct ctx *c, const char *p, const char *name,
		      json_t *url_v, vsp_probe_cfg *cfg)
{
	char *url = NULL;

	if (!url_v)
		return fail(c, p,
			    "missing (expected an http:// or https:// URL)");
	if (get_url(c, p, url_v, &url))
		return -1;
	if (vsp_probe_cfg_add_origin(cfg, name, url)) {
		free(url);
		return fail(c, NULL, "out of memory");
	}
	free(url);
	return 0;
}

static int get_origin(struct ctx *c, size_t idx, json_t *v, vsp_probe_cfg *cfg)
{
	char path[64], p[128];
	vsp_origin_cfg *o;
	json_t *f;

	snprintf(path, sizeof(path), "origins[%zu]", idx);
	if (!json_is_object(v))
		return fail_got(c, path, "an object with name and url", v);
	if (check_keys(c, path, v, origin_keys,
		       "name, url, headers, resolve, cacert, insecure, "
		       "secret_headers, secret_query, headers_command, "
		       "url_command, header_hosts"))
		return -1;
	snprintf(p, sizeof(p), "%s.name", path);
	f = json_object_get(v, "name");
	if (origin_name(c, p, f, cfg))
		return -1;
	snprintf(p, sizeof(p), "%s.url", path);
	if (origin_add(c, p, json_string_value(f), json_object_get(v, "url"),
		       cfg))
		return -1;
	o = &cfg->origins[cfg->n_origins - 1];
	for (size_t i = 0;
	     i < sizeof(origin_getters) / sizeof(origin_getters[0]); i++) {
		if (!(f = json_object_get(v, origin_getters[i].key)))
			continue;
		snprintf(p, sizeof(p), "%s.%s", path, origin_getters[i].key);
		if (origin_getters[i].get(c, p, f, o))
			return -1;
	}
	return 0;
}

/* "Name: value" as a command line gives a header: the name a token, the
 * value valid field content, as a probe file's "headers" are checked. */
static int header_line_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	char name[256];
	size_t n = colon ? (size_t)(colon - s) : 0;

	if (!colon || n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	return is_token(name) && field_value_ok(colon + 1);
}

int vsp_config_header_line_ok(const char *s)
{
	return header_line_ok(s);
}

int vsp_config_check_value(vsp_config_value what, const char *s, char *err,
			   size_t errlen)
{
	struct ctx c = { "", err, errlen };
	char q[QUOTE_MAX + 8];
	json_t *j;
	char *url = NULL;
	int rv;

	quote(s, q, sizeof(q));
	switch (what) {
	case VSP_VALUE_URL:
		j = json_string(s);
		if (!j)
			return fail(&c, NULL,
				    "expected an http:// or https:// "
				    "URL in UTF-8");
		rv = get_url(&c, NULL, j, &url);
		json_decref(j);
		free(url);
		return rv;
	case VSP_VALUE_HEADER:
		if (!header_line_ok(s))
			return fail(
				&c, NULL,
				"expected 'Name: value' (a name of letters, "
				"digits and !#$%%&'*+-.^_`|~; a value "
				"without CR, LF or other control "
				"characters), got '%s'",
				q);
		return 0;
	case VSP_VALUE_RESOLVE:
		if (!resolve_ok(s))
			return fail(&c, NULL,
				    "expected HOST:PORT:ADDRESS with a port "
				    "from 1 to 65535 and an IP address, got "
				    "'%s'",
				    q);
		return 0;
	case VSP_VALUE_CACERT:
		if (!*s || access(s, R_OK) != 0)
			return fail(&c, NULL,
				    "expected a readable CA certificate file, "
				    "got '%s' (%s)",
				    q, *s ? strerror(errno) : "empty");
		return 0;
	case VSP_VALUE_USER_AGENT:
		if (!*s || strlen(s) > UA_MAX || !field_value_ok(s))
			return fail(&c, NULL,
				    "expected a string of 1 to %d characters "
				    "without CR, LF or other control "
				    "characters, got '%s'",
				    UA_MAX, q);
		return 0;
	case VSP_VALUE_NAME:
		if (!vsp_config_name_ok(s))
			return fail(&c, NULL,
				    "expected " NAME_EXPECTED ", got '%s'", q);
		return 0;
	case VSP_VALUE_MAX_MEMORY: {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || end == s || *end || v < 1 ||
		    v > VSP_MAX_MEMORY_MB_MAX)
			return fail(&c, NULL,
				    "expected megabytes, a whole number from 1 "
				    "to %d, got '%s'",
				    VSP_MAX_MEMORY_MB_MAX, q);
		return 0;
	}
	}
	return fail(&c, NULL, "unknown kind of value");
}

/* A whole number in [min, max]; reals are refused (5.5 frames). */
static int get_int(struct ctx *c, const char *path, const json_t *v, long min,
		   long max, int *out)
{
	char exp[96];

	snprintf(exp, sizeof(exp), "a whole number from %ld to %ld", min, max);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return fail_got(c, path, exp, v);
	*out = (int)json_integer_value(v);
	return 0;
}

static int get_seconds(struct ctx *c, const char *path, const json_t *v,
		       double min, double max, double *out)
{
	char exp[96];
	double d;

	snprintf(exp, sizeof(exp), "a number of seconds from %g to %g", min,
		 max);
	if (!json_is_number(v))
		return fail_got(c, path, exp, v);
	d = json_number_value(v);
	if (!(d >= min && d <= max))
		return fail_got(c, path, exp, v);
	*out = d;
	return 0;
}

static int get_renditions(struct ctx *c, const json_t *v, vsp_probe_cfg *cfg)
{
	char exp[128];

	snprintf(exp, sizeof(exp),
		 "\"all\", \"lowest\", \"highest\" or a whole number from 1 "
		 "to %d",
		 VSP_MAX_RENDITIONS);
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 1 ||
		    json_integer_value(v) > VSP_MAX_RENDITIONS)
			return fail_got(c, "renditions", exp, v);
		cfg->pick = VSP_PICK_COUNT;
		cfg->pick_count = (int)json_integer_value(v);
		return 0;
	}
	/* Strings take the words only: "3" as a string is a quoting slip
	 * that the command line cannot make, so it is refused here. */
	if (!json_is_string(v) ||
	    (strcmp(json_string_value(v), "all") != 0 &&
	     strcmp(json_string_value(v), "lowest") != 0 &&
	     strcmp(json_string_value(v), "highest") != 0) ||
	    vsp_pick_parse(json_string_value(v), &cfg->pick, &cfg->pick_count))
		return fail_got(c, "renditions", exp, v);
	return 0;
}

/* "all" or a whole number: VOD segments checked per rendition. */
static int get_segments(struct ctx *c, const json_t *v, vsp_probe_cfg *cfg)
{
	char exp[96];

	snprintf(exp, sizeof(exp), "\"all\" or a whole number from 1 to %d",
		 VSP_MAX_SEGMENT_CHECKS);
	if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
		cfg->segments = VSP_SEGMENTS_ALL;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > VSP_MAX_SEGMENT_CHECKS)
		return fail_got(c, "segments", exp, v);
	cfg->segments = (int)json_integer_value(v);
	return 0;
}

/* "probes/news.json" -> "news"; NULL when it makes no valid name. */
static char *name_from_label(const char *label)
{
	const char *base = strrchr(label, '/');
	size_t n;
	char *out;

	base = base ? base + 1 : label;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	out = strndup(base, n);
	if (out && !vsp_config_name_ok(out)) {
		free(out);
		return NULL;
	}
	return out;
}

static const char *const top_keys[] = { "name",
					"origins",
					"renditions",
					"frames",
					"timeout_s",
					"interval_s",
					"min_healthy",
					"user_agent",
					"stale_warn_factor",
					"stale_fail_factor",
					"lag_warn_target_durations",
					"slow_realtime_factor",
					"segments",
					"decode",
					"slo",
					"content",
					"thumbnails",
					"max_memory_mb",
					NULL };

/* A plain number in [min, max]. */
static int get_factor(struct ctx *c, const char *path, const json_t *v,
		      double min, double max, double *out)
{
	char exp[96];
	double d;

	snprintf(exp, sizeof(exp), "a number from %g to %g", min, max);
	if (!json_is_number(v))
		return fail_got(c, path, exp, v);
	d = json_number_value(v);
	if (!(d >= min && d <= max))
		return fail_got(c, path, exp, v);
	*out = d;
	return 0;
}

static const char *const content_keys[] = { "enabled",	     "black_min_s",
					    "black_luma",    "black_ratio",
					    "frozen_min_s",  "silence_db",
					    "silence_min_s", NULL };

/* "content": the thresholds of the black, frozen and silent checks. */
static int get_content(struct ctx *c, json_t *obj, vsp_content_opts *o)
{
	static const struct {
		const char *key;
		double min, max;
		size_t off;
	} nums[] = {
		{ "black_min_s", 0.04, 3600,
		  offsetof(vsp_content_opts, black_min_s) },
		{ "black_luma", 0, 0.5,
		  offsetof(vsp_content_opts, black_luma) },
		{ "black_ratio", 0.5, 1,
		  offsetof(vsp_content_opts, black_ratio) },
		{ "frozen_min_s", 0.04, 3600,
		  offsetof(vsp_content_opts, frozen_min_s) },
		{ "silence_db", -150, -1,
		  offsetof(vsp_content_opts, silence_db) },
		{ "silence_min_s", 0.02, 3600,
		  offsetof(vsp_content_opts, silence_min_s) },
	};
	json_t *v;
	char path[64];

	if (!json_is_object(obj))
		return fail_got(c, "content", "an object", obj);
	if (check_keys(c, "content", obj, content_keys,
		       "enabled, black_min_s, black_luma, black_ratio, "
		       "frozen_min_s, silence_db, silence_min_s"))
		return -1;
	if ((v = json_object_get(obj, "enabled"))) {
		if (!json_is_boolean(v))
			return fail_got(c, "content.enabled", "true or false",
					v);
		o->enabled = json_is_true(v);
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!(v = json_object_get(obj, nums[i].key)))
			continue;
		snprintf(path, sizeof(path), "content.%s", nums[i].key);
		if (get_factor(c, path, v, nums[i].min, nums[i].max,
			       (double *)(void *)((char *)o + nums[i].off)))
			return -1;
	}
	return 0;
}

/* The probe's name: its own "name" key, else the file's name when that is a
 * valid name; a probe read from stdin has no file name to fall back on. */
static int load_name(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if ((v = json_object_get(root, "name")))
		return get_name(c, "name", v, &cfg->name);
	if (c->label && strcmp(c->label, "<probe>") != 0) {
		cfg->name = name_from_label(c->label);
		if (!cfg->name)
			return fail(c, "name",
				    "missing, and the file name is no valid "
				    "name (expected " NAME_EXPECTED ")");
		return 0;
	}
	return fail(c, "name", "missing (expected " NAME_EXPECTED ")");
}

static int load_origins(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v, *e;
	size_t i;
	char exp[64];

	snprintf(exp, sizeof(exp), "an array of 1 to %d origins",
		 VSP_MAX_ORIGINS);
	v = json_object_get(root, "origins");
	if (!v)
		return fail(c, "origins", "missing (expected %s)", exp);
	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > VSP_MAX_ORIGINS) {
		if (json_is_array(v))
			return fail(c, "origins", "expected %s, got %zu", exp,
				    json_array_size(v));
		return fail_got(c, "origins", exp, v);
	}
	json_array_foreach(v, i, e)
	{
		if (get_origin(c, i, e, cfg))
			return -1;
	}
	return 0;
}

/* What to fetch and decode, and how often: renditions to frames. */
static int load_run(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if ((v = json_object_get(root, "renditions")) &&
	    get_renditions(c, v, cfg))
		return -1;
	if ((v = json_object_get(root, "frames")) &&
	    get_int(c, "frames", v, 1, VSP_MAX_FRAMES, &cfg->frames))
		return -1;
	if ((v = json_object_get(root, "max_memory_mb")) &&
	    get_int(c, "max_memory_mb", v, 1, VSP_MAX_MEMORY_MB_MAX,
		    &cfg->max_memory_mb))
		return -1;
	if ((v = json_object_get(root, "segments")) && get_segments(c, v, cfg))
		return -1;
	if ((v = json_object_get(root, "decode")) &&
	    (!json_is_string(v) ||
	     vsp_decode_mode_parse(json_string_value(v), &cfg->decode_all)))
		return fail_got(c, "decode", "\"frames\" or \"all\"", v);
	if ((v = json_object_get(root, "timeout_s")) &&
	    get_seconds(c, "timeout_s", v, TIMEOUT_MIN_S, TIMEOUT_MAX_S,
			&cfg->timeout_s))
		return -1;
	if ((v = json_object_get(root, "interval_s")) &&
	    get_seconds(c, "interval_s", v, INTERVAL_MIN_S, INTERVAL_MAX_S,
			&cfg->interval_s))
		return -1;
	return 0;
}

static int load_min_healthy(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;
	char mh[96];

	if (!(v = json_object_get(root, "min_healthy")))
		return 0;
	snprintf(mh, sizeof(mh),
		 "a whole number from 1 to %zu (the number of origins)",
		 cfg->n_origins);
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > (json_int_t)cfg->n_origins)
		return fail_got(c, "min_healthy", mh, v);
	cfg->min_healthy = (int)json_integer_value(v);
	return 0;
}

static int load_user_agent(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if (!(v = json_object_get(root, "user_agent")))
		return 0;
	if (!json_is_string(v) || !*json_string_value(v) ||
	    json_string_length(v) > UA_MAX ||
	    !field_value_ok(json_string_value(v)))
		return fail_got(c, "user_agent",
				"a string of 1 to 512 characters "
				"without CR, LF or other control "
				"characters",
				v);
	if (!(cfg->user_agent = strdup(json_string_value(v))))
		return fail(c, NULL, "out of memory");
	return 0;
}

/* The verdict thresholds: staleness, edge lag, slow decoding, content. */
static int load_thresholds(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if ((v = json_object_get(root, "stale_warn_factor")) &&
	    get_factor(c, "stale_warn_factor", v, 1, 100,
		       &cfg->stale_warn_factor))
		return -1;
	if ((v = json_object_get(root, "stale_fail_factor")) &&
	    get_factor(c, "stale_fail_factor", v, 1, 100,
		       &cfg->stale_fail_factor))
		return -1;
	if (cfg->stale_fail_factor < cfg->stale_warn_factor)
		return fail(c, "stale_fail_factor",
			    "expected at least stale_warn_factor (%g), got %g",
			    cfg->stale_warn_factor, cfg->stale_fail_factor);
	if ((v = json_object_get(root, "lag_warn_target_durations")) &&
	    get_factor(c, "lag_warn_target_durations", v, 0.5, 1000,
		       &cfg->lag_warn_tds))
		return -1;
	if ((v = json_object_get(root, "slow_realtime_factor")) &&
	    get_factor(c, "slow_realtime_factor", v, 0, 100, &cfg->slow_rtf))
		return -1;
	if ((v = json_object_get(root, "content")) &&
	    get_content(c, v, &cfg->content))
		return -1;
	return 0;
}

static int load_thumbnails(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if (!(v = json_object_get(root, "thumbnails")))
		return 0;
	if (!json_is_string(v) || !*json_string_value(v) ||
	    json_string_length(v) > VSP_THUMB_PATH_MAX / 2)
		return fail_got(c, "thumbnails", "the path of a folder", v);
	if (!(cfg->thumbnails = strdup(json_string_value(v))))
		return fail(c, NULL, "out of memory");
	return 0;
}

/* The keys are read in a fixed order so that the first error reported is
 * always the same one, whatever order the file lists them in. */
static int load(struct ctx *c, json_t *root, vsp_probe_cfg *cfg)
{
	json_t *v;

	if (!json_is_object(root))
		return fail_got(c, NULL, "a JSON object at the top level",
				root);
	if (check_keys(c, NULL, root, top_keys,
		       "name, origins, renditions, frames, timeout_s, "
		       "interval_s, min_healthy, user_agent, "
		       "stale_warn_factor, stale_fail_factor, "
		       "lag_warn_target_durations, slow_realtime_factor, "
		       "segments, decode, slo, content, thumbnails"))
		return -1;
	if (load_name(c, root, cfg) || load_origins(c, root, cfg) ||
	    load_run(c, root, cfg))
		return -1;
	/* An availability target in percent, for `prober report`'s error
	 * budget; 100 would leave no budget at all, so it stops below. */
	if ((v = json_object_get(root, "slo")) &&
	    get_factor(c, "slo", v, 50, 99.9999, &cfg->slo))
		return -1;
	if (load_min_healthy(c, root, cfg) || load_user_agent(c, root, cfg) ||
	    load_thresholds(c, root, cfg) || load_thumbnails(c, root, cfg))
		return -1;
	return 0;
}

int vsp_config_load_json(const char *text, size_t len, const char *label,
			 vsp_probe_cfg *cfg, char *err, size_t errlen)
{
	struct ctx c = { label ? label : "<probe>", err, errlen };
	json_error_t je;
	json_t *root;
	int rv;

	vsp_probe_cfg_init(cfg);
	if (errlen)
		err[0] = '\0';
	if (len > (size_t)VSP_PROBE_FILE_MAX_BYTES)
		return fail(
			&c, NULL,
			"%zu bytes, more than the %ld a probe file may have",
			len, VSP_PROBE_FILE_MAX_BYTES);
	/* Duplicate keys are refused: with two "url"s, which one is probed
	 * would depend on the parser. */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail(&c, NULL, "line %d, column %d: %s", je.line,
			    je.column, je.text);
	rv = load(&c, root, cfg);
	json_decref(root);
	return rv;
}

int vsp_config_load_file(const char *path, vsp_probe_cfg *cfg, char *err,
			 size_t errlen)
{
	struct ctx c = { path, err, errlen };
	char msg[512];
	char *buf = NULL;
	size_t len = 0;
	int rv;

	vsp_probe_cfg_init(cfg);
	if (vsp_file_read(path, (size_t)VSP_PROBE_FILE_MAX_BYTES,
			  "a probe file", VSP_FILE_REGULAR, &buf, &len, msg,
			  sizeof(msg)))
		return fail(&c, NULL, "%s", msg);
	rv = vsp_config_load_json(buf, len, path, cfg, err, errlen);
	free(buf);
	return rv;
}

void vsp_probe_set_clear(vsp_probe_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		vsp_probe_cfg_clear(&set->probes[i]);
		free(set->paths[i]);
	}
	free(set->probes);
	free(set->paths);
	memset(set, 0, sizeof(*set));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), n = dl + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s", dir,
			 dl && dir[dl - 1] == '/' ? "" : "/", name);
	return p;
}

static int load_dir(const char *dir, vsp_probe_set *set, char ***bad,
		    size_t *n_bad, char *err, size_t errlen);

int vsp_config_load_dir(const char *dir, vsp_probe_set *set, char *err,
			size_t errlen)
{
	return load_dir(dir, set, NULL, NULL, err, errlen);
}

int vsp_config_load_dir_each(const char *dir, vsp_probe_set *set, char ***bad,
			     size_t *n_bad, char *err, size_t errlen)
{
	*bad = NULL;
	*n_bad = 0;
	return load_dir(dir, set, bad, n_bad, err, errlen);
}

/* The folder's probe files (*.json, not hidden, not folders), each path
 * malloc'd into *names, sorted. On an error *names still holds what was
 * listed, for the caller to free. */
static int list_probe_files(const char *dir, char ***names, size_t *n,
			    char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0;
	int rv = -1;

	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "probe folder %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *path;
		struct stat st;

		/* Hidden files are editors' swap and backup files. */
		if (de->d_name[0] == '.' || l <= 5 ||
		    strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		path = join(dir, de->d_name);
		if (!path)
			goto oom;
		/* stat, not d_type: a symlinked probe file is a file. */
		if (stat(path, &st) != 0 || S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		if (*n == VSP_MAX_PROBES) {
			free(path);
			snprintf(err, errlen,
				 "probe folder %s: more than %d probe files",
				 dir, VSP_MAX_PROBES);
			goto out;
		}
		if (*n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 16;
			nn = realloc(*names, cap * sizeof(*nn));
			if (!nn) {
				free(path);
				goto oom;
			}
			*names = nn;
		}
		(*names)[(*n)++] = path;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	rv = 0;
	goto out;
oom:
	snprintf(err, errlen, "probe folder %s: out of memory", dir);
out:
	closedir(d);
	return rv;
}

/* Loads path (now owned by set) into set's next slot: 0 loaded, 1 it did
 * not load or its name is taken (the message in err). */
static int load_one(vsp_probe_set *set, char *path, char *err, size_t errlen)
{
	size_t at = set->n;
	vsp_probe_cfg *cfg = &set->probes[at];

	set->paths[at] = path;
	set->n = at + 1;
	if (vsp_config_load_file(path, cfg, err, errlen))
		return 1;
	for (size_t k = 0; k < at; k++)
		if (strcmp(set->probes[k].name, cfg->name) == 0) {
			snprintf(err, errlen,
				 "%s: name: probe name '%s' is already "
				 "used by %s",
				 path, cfg->name, set->paths[k]);
			return 1;
		}
	return 0;
}

/* The bad file is kept as a message; its slot is taken by the next file. */
static int set_aside(vsp_probe_set *set, char ***bad, size_t *n_bad,
		     const char *err)
{
	char **nb = realloc(*bad, (*n_bad + 1) * sizeof(*nb));
	size_t at = set->n - 1;

	if (!nb)
		return -1;
	*bad = nb;
	if (!(nb[*n_bad] = strdup(err)))
		return -1;
	(*n_bad)++;
	vsp_probe_cfg_clear(&set->probes[at]);
	free(set->paths[at]);
	set->paths[at] = NULL;
	set->n = at;
	return 0;
}

/* With bad: a file that does not load is one message there and is left
 * out; without: it is the error. */
static int load_dir(const char *dir, vsp_probe_set *set, char ***bad,
		    size_t *n_bad, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	int rv = -1;

	memset(set, 0, sizeof(*set));
	if (list_probe_files(dir, &names, &n, err, errlen))
		goto out;
	set->probes = calloc(n ? n : 1, sizeof(*set->probes));
	set->paths = calloc(n ? n : 1, sizeof(*set->paths));
	if (!set->probes || !set->paths)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		char *path = names[i];

		names[i] = NULL;
		if (!load_one(set, path, err, errlen))
			continue;
		if (!bad || !n_bad)
			goto out;
		if (set_aside(set, bad, n_bad, err))
			goto oom;
	}
	if (errlen)
		err[0] = '\0';
	rv = 0;
	goto out;
oom:
	snprintf(err, errlen, "probe folder %s: out of memory", dir);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rv) {
		vsp_probe_set_clear(set);
		for (size_t i = 0; bad && i < *n_bad; i++)
			free((*bad)[i]);
		if (bad) {
			free(*bad);
			*bad = NULL;
			*n_bad = 0;
		}
	}
	return rv;
}
