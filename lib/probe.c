/*
 * probe.c - the common probe pipeline: origins in parallel, renditions of an
 * origin on a small worker pool, the segment step (key, init, segment,
 * decrypt, decode) and the checks a player would make on what decoded.
 *
 * Every step is bounded by the check's deadline. Never prints; a target that
 * is down becomes a verdict, never an error.
 */
#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "decode.h"
#include "limits.h"
#include "live.h"
#include "probe_int.h"
#include "redact.h"

static const struct protocol *const protocols[] = {
	&vsp_protocol_hls,
	&vsp_protocol_dash,
};

char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void vsp_probe_cfg_init(vsp_probe_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pick = VSP_PICK_ALL;
	cfg->frames = VSP_DEFAULT_FRAMES;
	cfg->timeout_s = VSP_DEFAULT_TIMEOUT_S;
	cfg->interval_s = 60;
	cfg->min_healthy = 1;
	cfg->stale_warn_factor = VSP_STALE_WARN_FACTOR;
	cfg->stale_fail_factor = VSP_STALE_FAIL_FACTOR;
	cfg->lag_warn_tds = VSP_LAG_WARN_TDS;
	cfg->slow_rtf = VSP_SLOW_RTF;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void vsp_probe_cfg_clear(vsp_probe_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_origins; i++) {
		vsp_origin_cfg *o = &cfg->origins[i];

		free(o->name);
		free(o->url);
		free_strv(o->headers, o->n_headers);
		free_strv(o->resolve, o->n_resolve);
		free_strv(o->secrets, o->n_secrets);
		free(o->cacert);
	}
	free(cfg->origins);
	free(cfg->name);
	free(cfg->user_agent);
	memset(cfg, 0, sizeof(*cfg));
}

/* "host:port" of a URL (port only when given), for an origin's default
 * name. */
static char *name_from_url(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	size_t n;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
		    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		n = strlen(host) + (port ? strlen(port) + 1 : 0) + 1;
		out = malloc(n);
		if (out)
			snprintf(out, n, "%s%s%s", host, port ? ":" : "",
				 port ? port : "");
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out ? out : strdup("origin");
}

static int name_taken(const vsp_probe_cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (strcmp(cfg->origins[i].name, name) == 0)
			return 1;
	return 0;
}

int vsp_probe_cfg_add_origin(vsp_probe_cfg *cfg, const char *name,
			     const char *url)
{
	vsp_origin_cfg *arr, *o;
	char *nm;

	nm = name ? strdup(name) : name_from_url(url);
	if (!nm)
		return -1;
	if (!name) {
		/* Two origins on one host: "host-2", "host-3", ... */
		for (int k = 2; name_taken(cfg, nm); k++) {
			size_t n = strlen(nm) + 16;
			char *t = malloc(n);

			if (!t) {
				free(nm);
				return -1;
			}
			snprintf(t, n, "%s-%d", nm, k);
			if (!name_taken(cfg, t)) {
				free(nm);
				nm = t;
				break;
			}
			free(t);
		}
	}
	arr = realloc(cfg->origins, (cfg->n_origins + 1) * sizeof(*arr));
	if (!arr) {
		free(nm);
		return -1;
	}
	cfg->origins = arr;
	o = &arr[cfg->n_origins];
	memset(o, 0, sizeof(*o));
	o->name = nm;
	o->url = strdup(url);
	if (!o->url) {
		free(nm);
		return -1;
	}
	cfg->n_origins++;
	return 0;
}

int vsp_pick_parse(const char *s, vsp_pick *pick, int *count)
{
	char *end;
	long v;

	if (strcmp(s, "all") == 0) {
		*pick = VSP_PICK_ALL;
		return 0;
	}
	if (strcmp(s, "lowest") == 0) {
		*pick = VSP_PICK_LOWEST;
		return 0;
	}
	if (strcmp(s, "highest") == 0) {
		*pick = VSP_PICK_HIGHEST;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > VSP_MAX_RENDITIONS)
		return -1;
	*pick = VSP_PICK_COUNT;
	*count = (int)v;
	return 0;
}

int pick_ladder(const int64_t *bw, size_t n, vsp_pick pick, int count,
		size_t *out)
{
	size_t *order, k = 0;

	if (pick == VSP_PICK_ALL || n == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = i;
		return (int)n;
	}
	order = malloc(n * sizeof(*order));
	if (!order)
		return -1;
	/* Insertion sort by bandwidth: ladders are short and often sorted. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && bw[order[j - 1]] > bw[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	if (pick == VSP_PICK_LOWEST) {
		out[k++] = order[0];
	} else if (pick == VSP_PICK_HIGHEST) {
		out[k++] = order[n - 1];
	} else {
		size_t want = (size_t)count < n ? (size_t)count : n;

		/* Spread over the ladder, lowest and highest included. */
		for (size_t i = 0; i < want; i++)
			out[k++] =
				order[want == 1 ? 0 : i * (n - 1) / (want - 1)];
	}
	free(order);
	return (int)k;
}

int origin_alloc_renditions(struct origin_ctx *o, size_t n)
{
	if (n == 0)
		return 0;
	o->res->renditions = calloc(n, sizeof(*o->res->renditions));
	o->jobs = calloc(n, sizeof(*o->jobs));
	if (!o->res->renditions || !o->jobs)
		return -1;
	o->res->n_renditions = n;
	o->n_jobs = n;
	for (size_t i = 0; i < n; i++)
		o->jobs[i].r = &o->res->renditions[i];
	return 0;
}

/* ---- the segment step, common to every protocol ---- */

/* Codec families as players name them in CODECS, and FFmpeg's decoder
 * names. */
static const struct {
	const char *prefix;
	const char *family;
	int video;
} codec_families[] = {
	{ "avc1", "h264", 1 }, { "avc3", "h264", 1 }, { "hvc1", "hevc", 1 },
	{ "hev1", "hevc", 1 }, { "dvh1", "hevc", 1 }, { "dvhe", "hevc", 1 },
	{ "av01", "av1", 1 },  { "vp09", "vp9", 1 },  { "vp9", "vp9", 1 },
	{ "vp8", "vp8", 1 },   { "mp4a", "aac", 0 },  { "ac-3", "ac3", 0 },
	{ "ec-3", "eac3", 0 }, { "opus", "opus", 0 }, { "fLaC", "flac", 0 },
	{ "mp3", "mp3", 0 },
};

/* Finds the first entry of the wanted kind in a CODECS list. Copies it to
 * buf; returns its family or NULL. */
static const char *declared_codec(const char *codecs, int video, char *buf,
				  size_t len)
{
	const char *p = codecs;

	while (p && *p) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ",");
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (size_t i = 0;
		     i < sizeof(codec_families) / sizeof(codec_families[0]);
		     i++) {
			size_t k = strlen(codec_families[i].prefix);

			if (codec_families[i].video == video && n >= k &&
			    strncasecmp(p, codec_families[i].prefix, k) == 0 &&
			    (n == k || p[k] == '.')) {
				snprintf(buf, len, "%.*s", (int)n, p);
				/* MPEG-1/2 layer III in mp4a is mp3. */
				if (!video &&
				    strncasecmp(p, "mp4a.40.34", 10) == 0)
					return "mp3";
				if (!video && strncasecmp(p, "mp4a.6b", 7) == 0)
					return "mp3";
				return codec_families[i].family;
			}
		}
		p += strcspn(p, ",");
	}
	return NULL;
}

int vsp_codecs_audio_only(const char *codecs)
{
	char buf[64];

	return codecs && !declared_codec(codecs, 1, buf, sizeof(buf)) &&
	       declared_codec(codecs, 0, buf, sizeof(buf));
}

/* H.264 profile_idc of avc1.PPCCLL and the FFmpeg profile names it covers. */
static int h264_profile_matches(unsigned idc, const char *name)
{
	static const struct {
		unsigned idc;
		const char *names;
	} map[] = {
		{ 66, "|Baseline|Constrained Baseline|" },
		{ 77, "|Main|" },
		{ 88, "|Extended|" },
		{ 100, "|High|" },
		{ 110, "|High 10|High 10 Intra|" },
		{ 122, "|High 4:2:2|High 4:2:2 Intra|" },
		{ 244, "|High 4:4:4 Predictive|High 4:4:4 Intra|" },
	};
	char key[64];

	snprintf(key, sizeof(key), "|%s|", name);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].idc == idc)
			return strstr(map[i].names, key) != NULL;
	return 1; /* a profile we do not know: no opinion */
}

/* The checks a player makes: codec family, profile/level, resolution,
 * duration. */
static void validate(vsp_rendition_result *r, const struct seg_plan *p,
		     const char *seg_url)
{
	const vsp_decode_info *d = &r->decode;
	char decl[64];
	const char *fam;

	if (r->encrypted)
		return;
	fam = r->codecs ? declared_codec(r->codecs, d->width > 0, decl,
					 sizeof(decl))
			: NULL;
	if (fam && d->codec[0] && strcmp(fam, d->codec) != 0) {
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_CODEC_MISMATCH,
			VSP_STAGE_VALIDATION,
			"%s: declared codec %s (%s) but the media is %s: "
			"players that set up the decoder from CODECS "
			"reject it",
			seg_url, decl, fam, d->codec);
		return;
	}
	if (fam && strcmp(fam, "h264") == 0 && strlen(decl) >= 11 &&
	    d->profile[0]) {
		char hex[3] = { decl[5], decl[6], 0 },
		     lvl[3] = { decl[9], decl[10], 0 };
		char *e1, *e2;
		unsigned long idc = strtoul(hex, &e1, 16);
		unsigned long level = strtoul(lvl, &e2, 16);

		if (*e1 == '\0' && *e2 == '\0' &&
		    (!h264_profile_matches((unsigned)idc, d->profile) ||
		     (d->level > 0 && (unsigned long)d->level > level)))
			vsp_verdict_set(&r->v, VSP_WARN, VSP_R_PROFILE_MISMATCH,
					VSP_STAGE_VALIDATION,
					"%s: declared %s (profile %lu, level "
					"%lu) but the media is %s level %d",
					seg_url, decl, idc, level, d->profile,
					d->level);
	}
	if (r->width > 0 && r->height > 0 && d->width > 0 &&
	    (r->width != d->width || r->height != d->height))
		vsp_verdict_set(&r->v, VSP_WARN, VSP_R_RESOLUTION_MISMATCH,
				VSP_STAGE_VALIDATION,
				"%s: declared %dx%d but decoded %dx%d", seg_url,
				r->width, r->height, d->width, d->height);
	if (p->duration > 0 && d->media_duration_s > 0 &&
	    d->media_duration_s < p->duration * VSP_MIN_DURATION_RATIO)
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_DURATION_MISMATCH,
			VSP_STAGE_VALIDATION,
			"%s: media covers %.3f s of the %.3f s declared: "
			"playback would stall",
			seg_url, d->media_duration_s, p->duration);
}

/* Decoders at work in the process (VSP_DECODERS_PER_CPU). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int busy, slots;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

/* Waits for a decoder slot until deadline_us; 0, or -1 at the deadline. */
static int gate_enter(int64_t deadline_us)
{
	int rc = 0;

	pthread_mutex_lock(&gate.lock);
	if (gate.slots == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		gate.slots = (int)(cpus > 0 ? cpus : 1) * VSP_DECODERS_PER_CPU;
	}
	while (gate.busy >= gate.slots && rc == 0) {
		/* The condition waits on the realtime clock; the deadline is
		 * monotonic: convert what is left. */
		int64_t left = deadline_us - vsp_now_us();
		struct timespec ts;

		if (left <= 0) {
			rc = -1;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)(left / 1000000);
		ts.tv_nsec += (long)(left % 1000000) * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_cond_timedwait(&gate.freed, &gate.lock, &ts) ==
		    ETIMEDOUT)
			rc = gate.busy >= gate.slots ? -1 : 0;
	}
	if (rc == 0)
		gate.busy++;
	pthread_mutex_unlock(&gate.lock);
	return rc;
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.busy--;
	pthread_cond_signal(&gate.freed);
	pthread_mutex_unlock(&gate.lock);
}

/* Fetches key, init and segment, decrypts, decodes, validates. */
static void probe_segment(struct worker *w, vsp_rendition_result *r,
			  const struct seg_plan *p, int audio)
{
	struct origin_ctx *o = w->o;
	uint8_t *key = NULL, *init = NULL, *seg = NULL, *clear = NULL;
	size_t key_len = 0, init_len = 0, seg_len = 0, clear_len = 0;
	char err[768];
	vsp_reason rc;
	vsp_decode_opts dopts = { 0 };

	r->segment_seq = p->seq;
	r->segment_duration = p->duration;
	r->encrypted = p->encrypted;
	if (p->aes128) {
		rc = vsp_http_get(w->http, p->key_uri, 0, -1, VSP_KEY_MAX_BYTES,
				  o->deadline_us, &r->key, &key, &key_len, err,
				  sizeof(err));
		if (rc) {
			vsp_verdict_set(&r->v, VSP_FAIL, rc, VSP_STAGE_KEY,
					"key: %s", err);
			goto done;
		}
		if (key_len != 16) {
			vsp_verdict_set(
				&r->v, VSP_FAIL, VSP_R_KEY_INVALID,
				VSP_STAGE_KEY,
				"key %s: %zu bytes, an AES-128 key is 16",
				p->key_uri, key_len);
			goto done;
		}
	}
	if (p->init_uri) {
		rc = vsp_http_get(w->http, p->init_uri, p->init_offset,
				  p->init_length, VSP_SEGMENT_MAX_BYTES,
				  o->deadline_us, &r->init, &init, &init_len,
				  err, sizeof(err));
		if (rc) {
			vsp_verdict_set(&r->v, VSP_FAIL, rc, VSP_STAGE_INIT,
					"init segment: %s", err);
			goto done;
		}
	}
	rc = vsp_http_get(w->http, p->uri, p->offset, p->length,
			  VSP_SEGMENT_MAX_BYTES, o->deadline_us, &r->segment,
			  &seg, &seg_len, err, sizeof(err));
	if (rc) {
		vsp_verdict_set(&r->v, VSP_FAIL, rc, VSP_STAGE_SEGMENT,
				"segment %lld: %s", (long long)p->seq, err);
		goto done;
	}
	if (r->segment.total_ms > 0) {
		double secs = r->segment.total_ms / 1000.0;

		r->measured_bps = (double)r->segment.bytes * 8.0 / secs;
		if (p->duration > 0)
			r->rtf = p->duration / secs;
	}
	if (seg_len == 0) {
		vsp_verdict_set(
			&r->v, VSP_FAIL, VSP_R_NOT_MEDIA, VSP_STAGE_SEGMENT,
			"segment %lld: %s: empty body (HTTP %ld)",
			(long long)p->seq, p->uri, r->segment.http_status);
		goto done;
	}
	if (p->aes128) {
		if (vsp_aes128_decrypt(seg, seg_len, key, p->iv, &clear,
				       &clear_len, err, sizeof(err)) != 0) {
			vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_KEY_INVALID,
					VSP_STAGE_SEGMENT,
					"segment %lld: %s: AES-128 decryption "
					"failed (wrong key or IV?): %s",
					(long long)p->seq, p->uri, err);
			goto done;
		}
		free(seg);
		seg = clear;
		seg_len = clear_len;
	}

	dopts.max_frames = o->cfg->frames;
	dopts.audio = audio;
	dopts.demux_only = p->encrypted;
	dopts.deadline_us = o->deadline_us;
	if (gate_enter(o->deadline_us) != 0) {
		vsp_verdict_set(&r->v, VSP_FAIL, VSP_R_TIMEOUT,
				VSP_STAGE_DECODE,
				"segment %lld: %s: fetched, but no decoder of "
				"this process came free before the deadline",
				(long long)p->seq, p->uri);
		goto done;
	}
	r->decoded = 1;
	rc = vsp_decode(init, init_len, seg, seg_len, &dopts, &r->decode, err,
			sizeof(err));
	if (rc == VSP_R_NO_VIDEO && !audio && !r->codecs &&
	    r->decode.has_audio) {
		/* Nothing declared the rendition audio-only, but it is: judge
		 * it as a player would, by its audio. */
		dopts.audio = 1;
		memset(&r->decode, 0, sizeof(r->decode));
		rc = vsp_decode(init, init_len, seg, seg_len, &dopts,
				&r->decode, err, sizeof(err));
	}
	gate_leave();
	if (rc) {
		/* With an init segment, the fault may be in either. */
		vsp_verdict_set(&r->v, VSP_FAIL, rc, VSP_STAGE_DECODE,
				"segment %lld: %s%s%s%s: %s", (long long)p->seq,
				p->uri, p->init_uri ? " (init " : "",
				p->init_uri ? p->init_uri : "",
				p->init_uri ? ")" : "", err);
		goto done;
	}
	if (!p->encrypted)
		r->ttff_ms = p->manifest_ms + r->playlist.total_ms +
			     r->key.total_ms + r->init.total_ms +
			     r->segment.total_ms + r->decode.first_frame_ms;
	validate(r, p, p->uri);
	if (r->rtf > 0 && r->rtf < o->cfg->slow_rtf) {
		char decl[48] = "";

		/* A media playlist given directly declares no bitrate. */
		if (r->bandwidth > 0)
			snprintf(decl, sizeof(decl), ", %lld kb/s declared",
				 (long long)(r->bandwidth / 1000));
		vsp_verdict_set(
			&r->v, VSP_WARN, VSP_R_SLOW_DOWNLOAD, VSP_STAGE_SEGMENT,
			"segment %lld: %s: %lld bytes in %.2f s for %.2f s "
			"of media (%.2fx real time; %.0f kb/s "
			"measured%s): viewers would rebuffer",
			(long long)p->seq, p->uri, (long long)r->segment.bytes,
			r->segment.total_ms / 1000.0, p->duration, r->rtf,
			r->measured_bps / 1000.0, decl);
	}
	if (p->encrypted && r->v.status == VSP_PASS)
		vsp_verdict_set(
			&r->v, VSP_PASS, VSP_R_ENCRYPTED, VSP_STAGE_DECODE,
			"segment %lld: %s: encrypted (%s): served whole "
			"and demuxed, not decoded",
			(long long)p->seq, p->uri,
			r->key_method ? r->key_method : "DRM");
done:
	free(key);
	free(init);
	free(seg);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct origin_ctx *o = w->o;

	for (;;) {
		struct rend_job *j;
		struct seg_plan plan;
		void *scratch = NULL;

		pthread_mutex_lock(&o->lock);
		j = o->next_job < o->n_jobs ? &o->jobs[o->next_job++] : NULL;
		pthread_mutex_unlock(&o->lock);
		if (!j)
			break;
		memset(&plan, 0, sizeof(plan));
		plan.length = -1;
		plan.init_length = -1;
		if (o->proto->prepare(w, j, &plan, &scratch) == 0) {
			probe_segment(w, j->r, &plan, j->audio);
			if (o->proto->after)
				o->proto->after(w, j, scratch);
		}
		if (o->proto->release)
			o->proto->release(scratch);
	}
	return NULL;
}

static void run_renditions(struct origin_ctx *o)
{
	size_t n = o->n_jobs < VSP_RENDITION_PARALLEL ? o->n_jobs
						      : VSP_RENDITION_PARALLEL;
	struct worker workers[VSP_RENDITION_PARALLEL];
	pthread_t tids[VSP_RENDITION_PARALLEL];
	int started[VSP_RENDITION_PARALLEL] = { 0 };

	for (size_t i = 0; i < n; i++) {
		workers[i].o = o;
		workers[i].http = vsp_http_client_new(&o->http_opts);
		if (!workers[i].http)
			continue;
		/* The first worker runs on this thread. */
		if (i > 0 && pthread_create(&tids[i], NULL, worker_main,
					    &workers[i]) == 0)
			started[i] = 1;
	}
	if (n > 0 && workers[0].http)
		worker_main(&workers[0]);
	for (size_t i = 0; i < n; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		vsp_http_client_free(workers[i].http);
	}
	/* Jobs left in the queue had no worker (no memory for a client, no
	 * thread): say so rather than report them as passing. */
	for (size_t i = o->next_job; i < o->n_jobs; i++)
		vsp_verdict_set(&o->jobs[i].r->v, VSP_FAIL, VSP_R_INTERNAL,
				VSP_STAGE_NONE, "not probed: out of memory");
}

void rendition_note(vsp_rendition_result *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(r->live_note);
	r->live_note = strdup(buf);
}

static void sleep_until_wall(double t)
{
	double d = t - vsp_wall_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

void live_check(struct worker *w, vsp_rendition_result *r,
		const vsp_http_step *fst, double td, double published,
		const struct live_source *src)
{
	struct origin_ctx *o = w->o;
	const vsp_probe_cfg *cfg = o->cfg;
	vsp_http_step st = { 0 };
	vsp_live_evidence ev = { 0 }, direct;
	double t0 = fst->fetched_at, unchanged;
	vsp_status stale;
	char err[512];

	r->advanced = -1;
	if (td <= 0)
		return;
	ev.now = vsp_wall_s();
	ev.age_s = (double)fst->age_s;
	ev.last_modified = fst->last_modified;
	ev.newest_end = r->newest_end;
	ev.published = published;
	ev.reload_span_s = -1;
	if (r->newest_end > 0) {
		/* At the load that listed it: how far behind the clock the
		 * origin's manifest is, not how long our segment took. */
		r->live_edge_lag_s = t0 - r->newest_end;
		r->has_live_edge_lag = 1;
	}
	for (int k = 0;; k++) {
		double at = t0 + td * (k == 0 ? 1.0 : 1.0 + 0.5 * k);
		double left = (double)(o->deadline_us - vsp_now_us()) / 1e6;
		double need = (at - vsp_wall_s()) + 2 * fst->total_ms / 1000.0 +
			      VSP_RELOAD_MARGIN_S;
		uint8_t *body = NULL;
		size_t len = 0;
		int moved, ended = 0;

		if (need > left) {
			if (k == 0)
				rendition_note(r,
					       "no reload: %.1f s left before "
					       "the deadline, "
					       "a reload needs one target "
					       "duration (%.1f s); "
					       "freshness judged only from "
					       "HTTP Age and "
					       "Last-Modified, and %s",
					       left, td, src->dates);
			break;
		}
		sleep_until_wall(at);
		if (vsp_http_get(w->http, fst->url, 0, -1,
				 VSP_MANIFEST_MAX_BYTES, o->deadline_us, &st,
				 &body, &len, err, sizeof(err)) != VSP_R_NONE) {
			rendition_note(r, "reload failed: %s", err);
			break;
		}
		moved = src->reload(src->ctx, body, len,
				    st.final_url ? st.final_url : st.url,
				    &ended, err, sizeof(err));
		free(body);
		if (moved < 0) {
			rendition_note(r, "reload: %s", err);
			break;
		}
		r->reloads++;
		ev.advanced = moved;
		if (moved) {
			if (ended)
				rendition_note(r,
					       "stream ended during the check");
			break;
		}
		ev.reload_span_s = st.fetched_at - t0;
		ev.now = vsp_wall_s();
		/* Stop early only on evidence of the manifest itself not
		 * changing. The newest segment's end also grows with how late
		 * an origin is: a late origin that still moves must get the
		 * reloads that show it (and is then origin_lagging, not
		 * stale). */
		direct = ev;
		direct.newest_end = 0;
		if (vsp_live_staleness(&direct, td, cfg->stale_warn_factor,
				       cfg->stale_fail_factor) == VSP_FAIL)
			break; /* nothing more to learn */
	}
	if (r->reloads > 0)
		r->advanced = ev.advanced;
	if (ev.advanced) {
		/* Moving: how fresh its latest copy is, when headers say. */
		vsp_live_evidence now = { .now = vsp_wall_s(),
					  .age_s = (double)st.age_s,
					  .last_modified = st.last_modified,
					  .reload_span_s = -1 };

		unchanged = vsp_live_unchanged_s(&now);
	} else {
		ev.now = vsp_wall_s();
		unchanged = vsp_live_unchanged_s(&ev);
	}
	if (unchanged >= 0) {
		r->playlist_age_s = unchanged;
		r->has_playlist_age = 1;
	} else if (!r->live_note && !ev.advanced) {
		/* A manifest that moved on is fresh; only one seen once, with
		 * no header or date to go by, leaves freshness unknown. */
		rendition_note(
			r,
			"freshness unknown: no reload possible and no Age, "
			"Last-Modified or %s",
			src->dates);
	}
	stale = vsp_live_staleness(&ev, td, cfg->stale_warn_factor,
				   cfg->stale_fail_factor);
	if (stale != VSP_PASS)
		vsp_verdict_set(
			&r->v, stale, VSP_R_STALE_PLAYLIST, VSP_STAGE_LIVE,
			"%s %s has not changed for %.1f s (%.1fx the "
			"%.0f s target duration; newest segment %lld)%s",
			src->what, fst->url, unchanged, unchanged / td, td,
			(long long)r->newest_seq,
			stale == VSP_FAIL ? ": players give up" : "");
	vsp_http_step_clear(&st);
}

static const struct protocol *detect_protocol(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i]->detect(b, n))
			return protocols[i];
	return NULL;
}

/* What the start of a body looks like, printable, for messages. */
static void body_excerpt(const uint8_t *b, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < len && i < 40; i++)
		out[k++] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
	out[k] = '\0';
}

static void *origin_main(void *arg)
{
	struct origin_ctx *o = arg;
	vsp_origin_result *res = o->res;
	uint8_t *body = NULL;
	size_t len = 0;
	char err[768], ex[48];
	vsp_http_client *http;
	vsp_reason rc;

	http = vsp_http_client_new(&o->http_opts);
	if (!http) {
		vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_INTERNAL,
				VSP_STAGE_MANIFEST, "out of memory");
		return NULL;
	}
	rc = vsp_http_get(http, o->ocfg->url, 0, -1, VSP_MANIFEST_MAX_BYTES,
			  o->deadline_us, &res->manifest, &body, &len, err,
			  sizeof(err));
	vsp_http_client_free(http);
	if (rc) {
		vsp_verdict_set(&res->v, VSP_FAIL, rc, VSP_STAGE_MANIFEST,
				"manifest: %s", err);
		return NULL;
	}
	o->proto = detect_protocol(body, len);
	if (!o->proto) {
		body_excerpt(body, len, ex, sizeof(ex));
		vsp_verdict_set(&res->v, VSP_FAIL, VSP_R_MANIFEST_SYNTAX,
				VSP_STAGE_MANIFEST,
				"manifest %s: neither an HLS playlist "
				"(#EXTM3U) nor a DASH MPD (<MPD): "
				"content type %s, starts with '%s'",
				o->ocfg->url,
				res->manifest.content_type
					? res->manifest.content_type
					: "none",
				ex);
		free(body);
		return NULL;
	}
	res->protocol = o->proto->name;
	o->proto->plan(o, body, len);
	free(body);
	if (res->v.status != VSP_FAIL) {
		run_renditions(o);
		if (o->proto->finish)
			o->proto->finish(o);
	}
	return NULL;
}

/* How far rendition a is behind rendition b of the same stream on another
 * origin, in seconds: by PROGRAM-DATE-TIME when both have it (packagers may
 * number segments differently), else by media sequence. */
static double lag_behind(const vsp_rendition_result *a,
			 const vsp_rendition_result *b)
{
	if (a->newest_end > 0 && b->newest_end > 0)
		return b->newest_end - a->newest_end;
	return (double)(b->newest_seq - a->newest_seq) * a->target_duration;
}

/* Cross-CDN consistency: each live rendition against the same rendition
 * (same name) on the most advanced origin, from the first load of each,
 * which the origins made at about the same moment. */
static void judge_origin_lag(vsp_stream_result *s, const vsp_probe_cfg *cfg)
{
	for (size_t i = 0; i < s->n_origins; i++) {
		vsp_origin_result *oi = &s->origins[i];

		for (size_t k = 0; k < oi->n_renditions; k++) {
			vsp_rendition_result *a = &oi->renditions[k];
			const vsp_rendition_result *best = NULL;
			const vsp_origin_result *best_o = NULL;
			size_t peers = 0;

			if (!a->live || a->target_duration <= 0 || !a->name)
				continue;
			for (size_t j = 0; j < s->n_origins; j++) {
				const vsp_origin_result *oj = &s->origins[j];

				for (size_t m = 0; m < oj->n_renditions; m++) {
					const vsp_rendition_result *b =
						&oj->renditions[m];

					if (j == i || !b->live ||
					    b->target_duration <= 0 ||
					    !b->name ||
					    strcmp(a->name, b->name) != 0)
						continue;
					peers++;
					if (!best || lag_behind(best, b) > 0) {
						best = b;
						best_o = oj;
					}
				}
			}
			if (!peers)
				continue;
			a->has_origin_lag = 1;
			a->origin_lag_s = lag_behind(a, best) > 0
						  ? lag_behind(a, best)
						  : 0;
			if (a->origin_lag_s >
			    cfg->lag_warn_tds * a->target_duration)
				vsp_verdict_set(
					&a->v, VSP_WARN, VSP_R_ORIGIN_LAGGING,
					VSP_STAGE_LIVE,
					"origin %s is %.1f s (%lld segments) "
					"behind origin %s on %s",
					oi->name, a->origin_lag_s,
					(long long)(best->newest_seq -
						    a->newest_seq),
					best_o->name, a->name);
		}
	}
}

int vsp_probe_check(const vsp_probe_cfg *cfg, vsp_stream_result **out,
		    char *err, size_t errlen)
{
	vsp_stream_result *s = NULL;
	struct origin_ctx *ctx = NULL;
	pthread_t *tids = NULL;
	int *started = NULL;
	int64_t t0 = vsp_now_us();
	int rv = -1;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	ctx = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*ctx));
	tids = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*tids));
	started = calloc(cfg->n_origins ? cfg->n_origins : 1, sizeof(*started));
	if (!s || !ctx || !tids || !started) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->time = vsp_wall_s();
	s->min_healthy = cfg->min_healthy;
	s->probe = dup_or_null(cfg->name);
	s->origins = calloc(cfg->n_origins ? cfg->n_origins : 1,
			    sizeof(*s->origins));
	if (!s->origins) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->n_origins = cfg->n_origins;
	for (size_t i = 0; i < cfg->n_origins; i++) {
		struct origin_ctx *o = &ctx[i];
		const vsp_origin_cfg *oc = &cfg->origins[i];

		o->cfg = cfg;
		o->ocfg = oc;
		o->res = &s->origins[i];
		o->res->name = dup_or_null(oc->name);
		o->res->url = dup_or_null(oc->url);
		o->deadline_us = t0 + (int64_t)(cfg->timeout_s * 1e6);
		o->http_opts.user_agent = cfg->user_agent;
		o->http_opts.headers = (const char *const *)oc->headers;
		o->http_opts.n_headers = oc->n_headers;
		o->http_opts.resolve = (const char *const *)oc->resolve;
		o->http_opts.n_resolve = oc->n_resolve;
		o->http_opts.cacert = oc->cacert;
		o->http_opts.insecure = oc->insecure;
		pthread_mutex_init(&o->lock, NULL);
	}
	/* Origins in parallel: a dead origin must not eat the time of a live
	 * one. The last origin runs on this thread. */
	for (size_t i = 0; i + 1 < cfg->n_origins; i++)
		started[i] = pthread_create(&tids[i], NULL, origin_main,
					    &ctx[i]) == 0;
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (!started[i])
			origin_main(&ctx[i]);
	for (size_t i = 0; i < cfg->n_origins; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
	if (cfg->n_origins > 1)
		judge_origin_lag(s, cfg);
	for (size_t i = 0; i < cfg->n_origins; i++)
		vsp_origin_judge(&s->origins[i]);
	vsp_stream_judge(s);
	s->duration_ms = (double)(vsp_now_us() - t0) / 1000.0;
	if (vsp_redact_result(s, cfg) != 0) {
		snprintf(err, errlen, "out of memory redacting secrets");
		goto fail;
	}
	*out = s;
	s = NULL;
	rv = 0;
fail:
	if (ctx) {
		for (size_t i = 0; i < cfg->n_origins; i++) {
			if (ctx[i].proto && ctx[i].proto->free_state)
				ctx[i].proto->free_state(ctx[i].state);
			free(ctx[i].jobs);
			if (ctx[i].cfg)
				pthread_mutex_destroy(&ctx[i].lock);
		}
	}
	free(ctx);
	free(tids);
	free(started);
	vsp_stream_result_free(s);
	return rv;
}
