/*
 * manifest.c - `prober manifest FILE|URL [--base URL]`: what prober sees in
 * a playlist, as JSON, so a person can see why a check chose what it chose.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "cli.h"
#include "conform.h"
#include "term.h"
#include "dash.h"
#include "hls.h"
#include "http.h"
#include "file.h"
#include "limits.h"
#include "manifest_json.h"
#include "url.h"

/* The findings, one a line ("SRC: CLAUSE: MESSAGE") or a JSON array. */
static int print_findings(const char *src, const vsp_conform_list *l, int json)
{
	if (json) {
		json_t *arr = json_array();
		char *t;

		for (size_t i = 0; arr && i < l->n; i++)
			json_array_append_new(
				arr,
				json_pack("{s:s,s:s,s:s}", "severity", "warn",
					  "clause", l->item[i].clause,
					  "message", l->item[i].message));
		t = arr ? json_dumps(arr, JSON_INDENT(2)) : NULL;
		json_decref(arr);
		if (!t) {
			fprintf(stderr, "prober manifest: out of memory\n");
			return EXIT_UNKNOWN;
		}
		printf("%s\n", t);
		free(t);
	} else {
		for (size_t i = 0; i < l->n; i++)
			printf("%s: %s: %s\n", src, l->item[i].clause,
			       l->item[i].message);
		if (l->dropped)
			printf("%s: %zu more findings not shown\n", src,
			       l->dropped);
	}
	if (fflush(stdout) != 0)
		return EXIT_UNKNOWN;
	return l->n ? EXIT_WARN : EXIT_PASS;
}

/* --help, on stdout. */
static void manifest_usage(void)
{
	printf("usage: prober manifest [OPTIONS] FILE|URL\n"
	       "Prints, as JSON, what prober sees in an HLS "
	       "playlist (variants and media\n"
	       "groups, or segments) or a DASH MPD (periods, "
	       "adaptation sets,\n"
	       "representations and their first segments), "
	       "with every URI resolved\n"
	       "(against --base, or the final URL after "
	       "redirects).\n\n"
	       "  --base URL            resolve URIs against "
	       "URL\n"
	       "  --timeout S           deadline of the fetch, "
	       "seconds (default %g)\n"
	       "  -H, --header 'K: V'   extra request header "
	       "(repeatable)\n"
	       "  --user-agent UA       User-Agent (default "
	       "prober/%s)\n"
	       "  --resolve H:P:ADDR    pin a host name to an "
	       "address (repeatable)\n"
	       "  -k, --insecure        do not verify TLS "
	       "certificates\n"
	       "  --cacert FILE         CA certificates to "
	       "verify with\n"
	       "  --validate            print the conformance "
	       "findings (RFC 8216,\n"
	       "                        ISO/IEC 23009-1) "
	       "instead, one per line\n"
	       "  --json                with --validate: a "
	       "JSON "
	       "array\n"
	       "  -h, --help            this help\n\n"
	       "exit status: 0 parsed (with --validate: no "
	       "finding), 1 findings,\n"
	       "2 fetch or parse failed, 3 usage error\n",
	       VSP_DEFAULT_TIMEOUT_S, VSP_VERSION);
}

/* The manifest in body parsed (by its content: URLs need no .mpd), then
 * its conformance findings printed (validate) or its JSON into *j. The
 * exit status when done here; -1 to go on and print *j. */
static int show(const char *src, const char *body, size_t len, const char *base,
		int is_url, int validate, int json, json_t **j)
{
	vsp_conform_list found = { 0 };
	vsp_hls_playlist *pl = NULL;
	vsp_dash_mpd *mpd = NULL;
	char err[768];
	int rc = -1;

	/* By content, as `prober check` does: URLs need no .mpd. */
	if (vsp_dash_detect((const uint8_t *)body, len)) {
		if (vsp_dash_parse(body, len, base, &mpd, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "prober manifest: %s: %s\n",
				term_str(src), term_str(err));
			return EXIT_FAIL;
		}
		/* A file is a snapshot of unknown age: the availability
		 * window is only judged against the clock for a URL. */
		if (validate)
			vsp_conform_dash(mpd, NULL, is_url ? vsp_wall_s() : 0,
					 &found);
		else
			*j = vsp_dash_to_json(mpd);
	} else {
		if (vsp_hls_parse(body, len, base, &pl, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "prober manifest: %s: %s\n",
				term_str(src), term_str(err));
			return EXIT_FAIL;
		}
		if (validate)
			vsp_conform_hls(pl, &found);
		else
			*j = vsp_hls_to_json(pl);
	}
	if (validate)
		rc = print_findings(src, &found, json);
	vsp_hls_free(pl);
	vsp_dash_free(mpd);
	return rc;
}

/* What the command line asks of prober manifest. */
struct manifest_args {
	const char *base, *src;
	double timeout;
	int validate, json;
	net_opts net; /* caller frees with net_opts_free() */
};

/* A message about an option and its value, and the exit code. */
static int manifest_usage_error(const char *err)
{
	fprintf(stderr, "prober manifest: %s\n", err);
	return EXIT_UNKNOWN;
}

/* Returns -1 to go on, else the exit code (help, usage). */
static int parse_manifest_args(int argc, char **argv, struct manifest_args *a)
{
	enum { OPT_UA = 256, OPT_RESOLVE, OPT_CACERT };
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "header", required_argument, NULL, 'H' },
		{ "user-agent", required_argument, NULL, OPT_UA },
		{ "resolve", required_argument, NULL, OPT_RESOLVE },
		{ "insecure", no_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "help", no_argument, NULL, 'h' },
		{ "validate", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char err[768];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "H:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (url_arg_ok("--base", optarg, err, sizeof(err)))
				return manifest_usage_error(err);
			a->base = optarg;
			break;
		case 't':
			if (parse_double("--timeout", optarg, 0.1, 3600,
					 &a->timeout))
				return EXIT_UNKNOWN;
			break;
		case 'H':
			if (net_opts_add(&a->net, VSP_VALUE_HEADER, "--header",
					 optarg, err, sizeof(err)))
				return manifest_usage_error(err);
			break;
		case OPT_UA:
			if (net_opts_add(&a->net, VSP_VALUE_USER_AGENT,
					 "--user-agent", optarg, err,
					 sizeof(err)))
				return manifest_usage_error(err);
			break;
		case OPT_RESOLVE:
			if (net_opts_add(&a->net, VSP_VALUE_RESOLVE,
					 "--resolve", optarg, err, sizeof(err)))
				return manifest_usage_error(err);
			break;
		case OPT_CACERT:
			if (net_opts_add(&a->net, VSP_VALUE_CACERT, "--cacert",
					 optarg, err, sizeof(err)))
				return manifest_usage_error(err);
			break;
		case 'k':
			a->net.insecure = 1;
			break;
		case 'V':
			a->validate = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'h':
			manifest_usage();
			return EXIT_PASS;
		default:
			return EXIT_UNKNOWN;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: prober manifest [OPTIONS] FILE|URL\n");
		return EXIT_UNKNOWN;
	}
	a->src = argv[optind];
	return -1;
}

/* The playlist or MPD at an http(s) URL into *body; *final the URL it
 * came from after redirects (caller frees both). Returns -1 to go on,
 * else the exit code (a fetch that fails is EXIT_FAIL). */
static int fetch_manifest(struct manifest_args *a, char **body, size_t *len,
			  char **final)
{
	vsp_http_opts ho;
	vsp_http_client *http;
	vsp_http_step st = { 0 };
	vsp_http_request req = { 0 };
	vsp_reason r;
	char err[768];

	if (url_arg_ok("URL", a->src, err, sizeof(err)))
		return manifest_usage_error(err);
	net_opts_http(&a->net, &ho);
	http = vsp_http_client_new(&ho);
	if (!http) {
		fprintf(stderr, "prober manifest: out of memory\n");
		return EXIT_UNKNOWN;
	}
	req.url = a->src;
	req.length = VSP_HTTP_WHOLE;
	req.limit = VSP_MANIFEST_MAX_BYTES;
	req.deadline_us = vsp_now_us() + (int64_t)(a->timeout * 1e6);
	r = vsp_http_get(http, &req, &st, (uint8_t **)body, len, err,
			 sizeof(err));
	vsp_http_client_free(http);
	if (r) {
		fprintf(stderr, "prober manifest: %s (%s)\n", err,
			vsp_reason_name(r));
		vsp_http_step_clear(&st);
		return EXIT_FAIL;
	}
	*final = strdup(st.final_url ? st.final_url : st.url);
	vsp_http_step_clear(&st);
	if (!a->base)
		a->base = *final;
	return -1;
}

/* j as indented JSON on stdout. Returns the exit code. */
static int print_json(const json_t *j)
{
	char *text =
		j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (!text) {
		fprintf(stderr, "prober manifest: out of memory\n");
		return EXIT_UNKNOWN;
	}
	printf("%s\n", text);
	free(text);
	return fflush(stdout) == 0 ? EXIT_PASS : EXIT_UNKNOWN;
}

int cmd_manifest(int argc, char **argv)
{
	struct manifest_args a = { .timeout = VSP_DEFAULT_TIMEOUT_S };
	char *body = NULL, *final = NULL;
	size_t len = 0;
	json_t *j = NULL;
	char err[768];
	int rc = parse_manifest_args(argc, argv, &a);

	if (rc != -1)
		goto out;
	if (vsp_url_is_http(a.src)) {
		if ((rc = fetch_manifest(&a, &body, &len, &final)) != -1)
			goto out;
	} else if (vsp_file_read(a.src, (size_t)VSP_MANIFEST_MAX_BYTES,
				 "a manifest", 0, &body, &len, err,
				 sizeof(err)) != 0) {
		fprintf(stderr, "prober manifest: %s: %s\n", term_str(a.src),
			term_str(err));
		rc = EXIT_UNKNOWN;
		goto out;
	}
	rc = show(a.src, body, len, a.base, final != NULL, a.validate, a.json,
		  &j);
	if (rc == -1)
		rc = print_json(j);
out:
	net_opts_free(&a.net);
	json_decref(j);
	free(body);
	free(final);
	return rc;
}
