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
#include "term.h"
#include "dash.h"
#include "hls.h"
#include "http.h"
#include "limits.h"
#include "url.h"

/* Reads a local file of at most max bytes. Returns 0, or -1 with a message
 * printed. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "prober manifest: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap > max) {
				fprintf(stderr,
					"prober manifest: %s: over the "
					"%zu-byte "
					"limit\n",
					path, max);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				fprintf(stderr,
					"prober manifest: out of memory\n");
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "prober manifest: %s: read error\n", path);
		goto fail;
	}
	if (n > max) {
		fprintf(stderr,
			"prober manifest: %s: over the %zu-byte limit\n", path,
			max);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

int cmd_manifest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *base = NULL, *src;
	double timeout = VSP_DEFAULT_TIMEOUT_S;
	char *body = NULL, *final = NULL, *text = NULL;
	size_t len = 0;
	vsp_hls_playlist *pl = NULL;
	vsp_dash_mpd *mpd = NULL;
	json_t *j = NULL;
	char err[768];
	int c, rc = EXIT_UNKNOWN;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			base = optarg;
			break;
		case 't':
			if (parse_double("--timeout", optarg, 0.1, 3600,
					 &timeout))
				return EXIT_UNKNOWN;
			break;
		case 'h':
			printf("usage: prober manifest FILE|URL [--base URL] "
			       "[--timeout S]\n"
			       "Prints, as JSON, what prober sees in an HLS "
			       "playlist (variants and media\n"
			       "groups, or segments) or a DASH MPD (periods, "
			       "adaptation sets,\n"
			       "representations and their first segments), "
			       "with every URI resolved "
			       "(against --base, or the\n"
			       "final URL after redirects).\n");
			return EXIT_PASS;
		default:
			return EXIT_UNKNOWN;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr,
			"usage: prober manifest FILE|URL [--base URL]\n");
		return EXIT_UNKNOWN;
	}
	src = argv[optind];
	if (vsp_url_is_http(src)) {
		vsp_http_client *http = vsp_http_client_new(NULL);
		vsp_http_step st = { 0 };
		vsp_reason r;

		if (!http) {
			fprintf(stderr, "prober manifest: out of memory\n");
			return EXIT_UNKNOWN;
		}
		r = vsp_http_get(http, src, 0, -1, VSP_MANIFEST_MAX_BYTES,
				 vsp_now_us() + (int64_t)(timeout * 1e6), &st,
				 (uint8_t **)&body, &len, err, sizeof(err));
		vsp_http_client_free(http);
		if (r) {
			fprintf(stderr, "prober manifest: %s (%s)\n", err,
				vsp_reason_name(r));
			vsp_http_step_clear(&st);
			return EXIT_FAIL;
		}
		final = strdup(st.final_url ? st.final_url : st.url);
		vsp_http_step_clear(&st);
		if (!base)
			base = final;
	} else if (read_file(src, VSP_MANIFEST_MAX_BYTES, &body, &len) != 0) {
		return EXIT_UNKNOWN;
	}
	/* By content, as `prober check` does: URLs need no .mpd. */
	if (vsp_dash_detect((const uint8_t *)body, len)) {
		if (vsp_dash_parse(body, len, base, &mpd, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "prober manifest: %s: %s\n",
				term_str(src), term_str(err));
			rc = EXIT_FAIL;
			goto out;
		}
		j = vsp_dash_to_json(mpd);
	} else {
		if (vsp_hls_parse(body, len, base, &pl, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "prober manifest: %s: %s\n",
				term_str(src), term_str(err));
			rc = EXIT_FAIL;
			goto out;
		}
		j = vsp_hls_to_json(pl);
	}
	text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		fprintf(stderr, "prober manifest: out of memory\n");
		goto out;
	}
	printf("%s\n", text);
	rc = fflush(stdout) == 0 ? EXIT_PASS : EXIT_UNKNOWN;
out:
	free(text);
	json_decref(j);
	vsp_hls_free(pl);
	vsp_dash_free(mpd);
	free(body);
	free(final);
	return rc;
}
