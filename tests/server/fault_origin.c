/*
 * fault_origin.c - a misbehaving HTTP origin on 127.0.0.1, for the scenario
 * suite (tests/integration/scenarios.sh).
 *
 *   fault_origin [-p PORT] [-g GZIP_MB] [-k KEY] [-v] DIR
 *
 * -v logs every request on stderr ("fault_origin: GET /path"): tests count
 * the requests that reached the origin.
 *
 * Serves the files under DIR and misbehaves as the URL path asks. The port
 * (0 or absent: the kernel picks one) is printed on stdout, then flushed,
 * once the socket listens. Exits on SIGTERM or SIGINT, and when its parent
 * dies, so a crashed harness leaves nothing listening.
 *
 * A path is a chain of behaviours, then the file:
 *
 *   /OP[@SCOPE][/ARG]/.../OP[@SCOPE][/ARG]/FILE-PATH
 *
 * Relative URIs in a playlist resolve under the same chain, so a behaviour
 * follows the player from the master playlist to the media playlists and
 * segments. SCOPE narrows which of those it hits; without one it hits all:
 *   master  *.mpd and playlists whose file name starts with "master"
 *   media   other *.m3u8 (media playlists)
 *   pl      master or media
 *   init    files whose name starts with "init"
 *   seg     anything else (segments)
 *
 * Behaviours (ARG in brackets):
 *   status[N]     answer HTTP N with a short text body
 *   delay[MS]     wait MS milliseconds before the first byte
 *   trickle[BPS]  send the body at BPS bytes a second, in 100 ms steps
 *   cut[BYTES]    send BYTES of the body (Content-Length whole), then close
 *   badlen        Content-Length 4096 bytes over the body; close after it
 *   hang          accept the request and never answer
 *   html200       an HTML error page with status 200
 *   zero          an empty 200
 *   corrupt       every byte XORed with 0x5a
 *   truncate[N]   only the first N bytes, with a matching Content-Length
 *   gzipbomb      "#EXTM3U" and ~GZIP_MB MiB of newlines, gzip-encoded
 *                 (built once at start; -g 0 turns it off)
 *   big[BYTES]    a playlist of BYTES bytes (comment lines), Content-Length
 *   bigchunk[N]   the same, chunked, with no Content-Length
 *   bigmaster[N]  an HLS master of N variants, vI.m3u8 (I from 0)
 *   biglive[BYTES] a live media playlist of about BYTES bytes of real
 *                 EXTINF/URI pairs (2 s segments, no ENDLIST), for the
 *                 parser's time and memory (Content-Length)
 *   bigmpd[BYTES] a static MPD of about BYTES bytes: one Representation
 *                 whose SegmentTimeline is BYTES of <S d="2000"/>
 *   stale         a media playlist made live whose window froze 10 minutes
 *                 before the origin started (Last-Modified says so too)
 *   live          a media playlist made live, advancing with the clock
 *                 (the source's EXT-X-START, if any, kept)
 *   seg404        alias of status@seg/404
 *   nostart       with live: segments are listed with ?seq=N, and a
 *                 segment at or before the third-newest of the latest
 *                 playlist served answers 404 (a player cannot join)
 *   dropold       with live: the same tags, and a segment older than the
 *                 oldest of the latest playlist served answers 404 (gone
 *                 the moment it leaves the window, against RFC 8216 6.2.2)
 *   damage[N]     N bytes in the middle of the body overwritten with
 *                 pseudo-random bytes (the same on every request), the
 *                 length kept: a CDN serving damaged bytes with a 200
 *   half          only the first half of the body, with a matching
 *                 Content-Length
 *   token         403 unless the request carries a CDN-style token, in the
 *                 header X-Token or the query argument token: EXP.SIG,
 *                 EXP a Unix time not yet past, SIG the lowercase hex
 *                 HMAC-SHA256 of EXP's digits under the key of -k KEY
 *                 (expired, missing or forged: 403)
 *   needtoken     answer 403 unless the request has an X-Token header
 *   notoken       answer 403 when the request has an X-Token header (a
 *                 host that must never see the origin's token)
 *   nosize        a 206 whose Content-Range gives no size ("bytes A-B/"
 *                 then an asterisk), a 416 with no Content-Range: a
 *                 server that hides the file's size (RFC 9110 14.4)
 *
 * and two that end the chain (no file):
 *   loop/N        302 to /loop/N+1, forever
 *   redirect/URL  302 to URL (percent-encoded in the path; MHD decodes it)
 *
 * A file (not a generated body) honours one range of the request's Range,
 * "bytes=A-B", "bytes=A-" or "bytes=-N", as nginx does: 206 with
 * "Content-Range: bytes A-B/TOTAL", or 416 with the unsatisfied form (an
 * asterisk, then /TOTAL) when A is at or past the end. The range is cut
 * from the body the behaviours made (truncate, half, damage, ... act on
 * the whole file first), so a truncated file answers a range past its new
 * end with 416; cut, badlen and trickle then act on the ranged body.
 * Several ranges, or a malformed one: 200 with the whole body, as many
 * servers do.
 *
 * It must never listen anywhere but 127.0.0.1, never serve outside DIR, and
 * never block shutdown: every wait is a nap that SIGTERM cuts short.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libavutil/hmac.h>
#include <microhttpd.h>
#include <zlib.h>

#define MAX_OPS 8
/* Files we load whole: a 200 000-segment playlist is ~7 MB. */
#define MAX_FILE (64L * 1024 * 1024)
/* Segments listed in a playlist made live, and how far a stale one lags. */
#define LIVE_WINDOW 3
#define STALE_LAG_S 600
/* Trickle and nap granularity, ms. */
#define STEP_MS 100
/* Header and URL room: the scenarios send URLs of tens of kilobytes. */
#define CONN_MEMORY (1024 * 1024)

enum op_kind {
	OP_STATUS,
	OP_DELAY,
	OP_TRICKLE,
	OP_CUT,
	OP_BADLEN,
	OP_HANG,
	OP_HTML200,
	OP_ZERO,
	OP_CORRUPT,
	OP_TRUNCATE,
	OP_GZIPBOMB,
	OP_BIG,
	OP_BIGCHUNK,
	OP_BIGMASTER,
	OP_BIGLIVE,
	OP_BIGMPD,
	OP_STALE,
	OP_LIVE,
	OP_NOSTART,
	OP_DROPOLD,
	OP_LOOP,
	OP_REDIRECT,
	OP_DAMAGE,
	OP_HALF,
	OP_TOKEN,
	OP_NEEDTOKEN,
	OP_NOTOKEN,
	OP_NOSIZE,
};

enum scope {
	SC_ALL = 0,
	SC_MASTER = 1,
	SC_MEDIA = 2,
	SC_PL = SC_MASTER | SC_MEDIA,
	SC_INIT = 4,
	SC_SEG = 8,
};

static const struct {
	const char *name;
	enum op_kind kind;
	int has_arg;
} op_table[] = {
	{ "status", OP_STATUS, 1 },     { "delay", OP_DELAY, 1 },
	{ "trickle", OP_TRICKLE, 1 },   { "cut", OP_CUT, 1 },
	{ "badlen", OP_BADLEN, 0 },     { "hang", OP_HANG, 0 },
	{ "html200", OP_HTML200, 0 },   { "zero", OP_ZERO, 0 },
	{ "corrupt", OP_CORRUPT, 0 },   { "truncate", OP_TRUNCATE, 1 },
	{ "gzipbomb", OP_GZIPBOMB, 0 }, { "big", OP_BIG, 1 },
	{ "bigchunk", OP_BIGCHUNK, 1 }, { "stale", OP_STALE, 0 },
	{ "live", OP_LIVE, 0 },         { "loop", OP_LOOP, 1 },
	{ "redirect", OP_REDIRECT, 0 },	{ "nostart", OP_NOSTART, 0 },
	{ "dropold", OP_DROPOLD, 0 },
	{ "redirect", OP_REDIRECT, 0 }, { "damage", OP_DAMAGE, 1 },
	{ "half", OP_HALF, 0 },	        { "token", OP_TOKEN, 0 },
	{ "needtoken", OP_NEEDTOKEN, 0 }, { "notoken", OP_NOTOKEN, 0 },
	{ "bigmaster", OP_BIGMASTER, 1 }, { "biglive", OP_BIGLIVE, 1 },
	{ "bigmpd", OP_BIGMPD, 1 },
	{ "nosize", OP_NOSIZE, 0 },
};

static const struct {
	const char *name;
	enum scope scope;
} scope_table[] = {
	{ "master", SC_MASTER }, { "media", SC_MEDIA }, { "pl", SC_PL },
	{ "init", SC_INIT },     { "seg", SC_SEG },
};

struct op {
	enum op_kind kind;
	int scope; /* SC_ALL or a mask */
	long long arg;
};

struct plan {
	struct op ops[MAX_OPS];
	size_t n;
	const char *path;     /* the file, relative to root (no leading '/') */
	const char *redirect; /* OP_REDIRECT target */
};

/* Generated bodies: a head, records of one fixed size, a tail. */
enum { SYN_NONE, SYN_COMMENTS, SYN_LIVE, SYN_MPD };
/* One EXTINF/URI pair of biglive: 15 + 20 bytes. */
#define LIVE_HEAD                                                            \
	"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"                \
	"#EXT-X-MEDIA-SEQUENCE:0\n"
#define LIVE_REC 35
#define MPD_HEAD                                                             \
	"<?xml version=\"1.0\"?>\n<MPD "                                       \
	"xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "             \
	"mediaPresentationDuration=\"PT100000S\" minBufferTime=\"PT2S\" "      \
	"profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"><Period>"          \
	"<AdaptationSet mimeType=\"video/mp4\"><Representation id=\"v\" "     \
	"bandwidth=\"100000\" codecs=\"avc1.64001f\" width=\"320\" "          \
	"height=\"180\"><SegmentTemplate timescale=\"1000\" "                 \
	"initialization=\"init.m4s\" media=\"seg-$Time$.m4s\">"               \
	"<SegmentTimeline>\n"
#define MPD_REC	 "<S d=\"2000\"/>\n"
#define MPD_TAIL                                                             \
	"</SegmentTimeline></SegmentTemplate></Representation>"                \
	"</AdaptationSet></Period></MPD>\n"

/* A body sent through the reader callback: cut short, padded or slowed. */
struct body {
	uint8_t *buf;
	size_t len;      /* bytes we have */
	uint64_t cut;    /* stop after this many, with an error when < declared */
	uint64_t declared;
	long rate;       /* bytes a second; 0: as fast as the socket takes */
	int synthetic;   /* generated, no buf: a SYN_* */
};

static const char *root;
static const char *token_key = "prober-test-key";
static int verbose;
static time_t started_at;
/* The window of the latest live playlist served with ?seq= tags: what
 * nostart and dropold judge segment requests by (the client's view, so a
 * tick of the clock between its playlist and its segments changes
 * nothing). */
static pthread_mutex_t window_lock = PTHREAD_MUTEX_INITIALIZER;
static long long served_first = -1, served_last = -1;
static uint8_t *bomb;
static size_t bomb_len;

static pthread_mutex_t quit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t quit_cond;
static int quitting;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("fault_origin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Sleeps ms (< 0: until shutdown). Returns 1 when shutdown cut it short: a
 * sleeping connection thread must not hold up MHD_stop_daemon(). */
static int nap(long long ms)
{
	struct timespec until;
	int q;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (ms >= 0) {
		until.tv_sec += (time_t)(ms / 1000);
		until.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&quit_lock);
	while (!quitting) {
		int rc = ms >= 0 ? pthread_cond_timedwait(&quit_cond,
							  &quit_lock, &until)
				 : pthread_cond_wait(&quit_cond, &quit_lock);

		if (rc == ETIMEDOUT)
			break;
	}
	q = quitting;
	pthread_mutex_unlock(&quit_lock);
	return q;
}

/* A decimal number with end-pointer and range checks. */
static int parse_num(const char *s, size_t n, long long lo, long long hi,
		     long long *out)
{
	char tmp[32], *end;
	long long v;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end || end == tmp || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Splits "/op@scope/arg/.../file" into a plan. Returns 0, or -1 when an op
 * is malformed (the client gets a 400: a typo in a scenario must not look
 * like a file that is missing). */
static int plan_parse(const char *url, struct plan *pl)
{
	const char *p = url;

	memset(pl, 0, sizeof(*pl));
	while (*p == '/')
		p++;
	for (;;) {
		size_t seg = strcspn(p, "/"), nlen = strcspn(p, "/@");
		struct op *o;
		size_t i;

		if (strncmp(p, "seg404/", 7) == 0) {
			if (pl->n == MAX_OPS)
				return -1;
			pl->ops[pl->n++] = (struct op){ OP_STATUS, SC_SEG, 404 };
			p += 7;
			continue;
		}
		for (i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
			if (strlen(op_table[i].name) == nlen &&
			    strncmp(p, op_table[i].name, nlen) == 0)
				break;
		if (i == sizeof(op_table) / sizeof(op_table[0]) || !p[seg])
			break; /* the file path starts here */
		if (pl->n == MAX_OPS)
			return -1;
		o = &pl->ops[pl->n++];
		o->kind = op_table[i].kind;
		o->scope = SC_ALL;
		if (nlen < seg) {
			size_t j, slen = seg - nlen - 1;

			for (j = 0; j < sizeof(scope_table) / sizeof(scope_table[0]); j++)
				if (strlen(scope_table[j].name) == slen &&
				    strncmp(p + nlen + 1, scope_table[j].name,
					    slen) == 0)
					break;
			if (j == sizeof(scope_table) / sizeof(scope_table[0]))
				return -1;
			o->scope = (int)scope_table[j].scope;
		}
		p += seg + 1;
		if (o->kind == OP_REDIRECT) {
			pl->redirect = p;
			return 0;
		}
		if (op_table[i].has_arg) {
			size_t alen = strcspn(p, "/");

			if (parse_num(p, alen, 0, (long long)1 << 40, &o->arg))
				return -1;
			p += alen;
			if (*p == '/')
				p++;
			else if (o->kind != OP_LOOP)
				return -1;
		}
		if (o->kind == OP_LOOP)
			return 0;
	}
	pl->path = p;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Which scope a file belongs to, by its name. */
static int classify(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (ends_with(base, ".mpd") ||
	    (ends_with(base, ".m3u8") && strncmp(base, "master", 6) == 0))
		return SC_MASTER;
	if (ends_with(base, ".m3u8"))
		return SC_MEDIA;
	if (strncmp(base, "init", 4) == 0)
		return SC_INIT;
	return SC_SEG;
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".m3u8", "application/vnd.apple.mpegurl" },
		{ ".mpd", "application/dash+xml" },
		{ ".ts", "video/mp2t" },
		{ ".mp4", "video/mp4" },
		{ ".m4s", "video/iso.segment" },
		{ ".aac", "audio/aac" },
		{ ".key", "application/octet-stream" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (ends_with(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Reads root/path whole. Refuses ".." and anything that is not a regular
 * file, so no scenario can make the origin serve outside DIR. */
static int load_file(const char *path, uint8_t **out, size_t *len)
{
	char full[4096];
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, n;

	*out = NULL;
	*len = 0;
	if (strstr(path, "..") || path[0] == '/' || path[0] == '\0')
		return -1;
	n = snprintf(full, sizeof(full), "%s/%s", root, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -1;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE)
		goto fail;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* ---- growing text buffer for rewritten playlists ---- */

struct text {
	char *buf;
	size_t len, alloc;
	int oom;
};

static void text_add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		size_t room = t->alloc - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t want = t->alloc ? t->alloc * 2 : 4096;
		while (want < t->len + (size_t)n + 1)
			want *= 2;
		char *p = realloc(t->buf, want);
		if (!p) {
			t->oom = 1;
			return;
		}
		t->buf = p;
		t->alloc = want;
	}
}

/* RFC 3339 UTC, for EXT-X-PROGRAM-DATE-TIME. */
static void iso_time(double t, char *out, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	int ms = (int)((t - (double)s) * 1000.0);

	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03dZ", ms);
}

/*
 * Turns a VOD media playlist into a live one as the clock stood at `now`:
 * a window of LIVE_WINDOW segments cycling over the VOD's, a media sequence
 * that grows one per segment duration since the origin started, and a
 * PROGRAM-DATE-TIME on each. With now fixed in the past, the window never
 * moves: a stale playlist. Returns NULL when the input lists no segment.
 */
static char *make_live(const char *src, double now, size_t *out_len,
		       int tag)
{
	const char *uris[4096];
	size_t n = 0;
	double dur = 0;
	const char *p = src, *start_tag = NULL;
	struct text t = { 0 };
	long long last, first;
	char when[40];

	while (*p && n < sizeof(uris) / sizeof(uris[0])) {
		size_t ll = strcspn(p, "\r\n");

		if (strncmp(p, "#EXTINF:", 8) == 0 && dur == 0) {
			char *end;

			dur = strtod(p + 8, &end);
		}
		if (ll > 0 && p[0] != '#')
			uris[n++] = p;
		if (strncmp(p, "#EXT-X-START:", 13) == 0)
			start_tag = p;
		p += ll;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	if (n == 0 || !(dur > 0.01 && dur < 60))
		return NULL;
	/* Segment k starts at started_at + (k - 1000) * dur (the offset keeps
	 * sequence numbers positive for a stale clock in the past); the newest
	 * listed one must have ended by now, as on a real live origin. */
	last = (long long)((now - (double)started_at) / dur) + 999;
	first = last - LIVE_WINDOW + 1;
	text_add(&t, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
		     "#EXT-X-MEDIA-SEQUENCE:%lld\n",
		 (int)(dur + 0.999), first);
	/* The source's EXT-X-START stays: where a player joins the live
	 * window. */
	if (start_tag)
		text_add(&t, "%.*s\n", (int)strcspn(start_tag, "\r\n"),
			 start_tag);
	for (long long k = first; k <= last; k++) {
		const char *u = uris[k % (long long)n];
		double start = (double)started_at + (double)(k - 1000) * dur;

		iso_time(start, when, sizeof(when));
		text_add(&t, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%.3f,\n%.*s",
			 when, dur, (int)strcspn(u, "\r\n"), u);
		if (tag)
			text_add(&t, "?seq=%lld", k);
		text_add(&t, "\n");
	}
	if (tag) {
		pthread_mutex_lock(&window_lock);
		served_first = first;
		served_last = last;
		pthread_mutex_unlock(&window_lock);
	}
	if (t.oom) {
		free(t.buf);
		return NULL;
	}
	*out_len = t.len;
	return t.buf;
}

/* ---- response bodies ---- */

/* n bytes of a fixed pseudo-random sequence over the middle of buf: every
 * request for the file gets the same damage, so a failure replays. */
static void damage_middle(uint8_t *buf, size_t len, long long n)
{
	uint32_t seed = 0x2545f491u;
	size_t from, count = n < 0 ? 0 : (size_t)n;

	if (count > len)
		count = len;
	from = (len - count) / 2;
	for (size_t i = 0; i < count; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[from + i] = (uint8_t)(seed >> 16);
	}
}

static void body_free(void *cls)
{
	struct body *b = cls;

	free(b->buf);
	free(b);
}

/* "#EXTM3U\n" then 64-byte comment lines: a valid, pointless playlist. */
static void synth(uint64_t pos, char *buf, size_t n)
{
	static const char head[] = "#EXTM3U\n";

	for (size_t i = 0; i < n; i++, pos++) {
		if (pos < sizeof(head) - 1) {
			buf[i] = head[pos];
			continue;
		}
		uint64_t k = (pos - (sizeof(head) - 1)) % 64;

		buf[i] = k == 0 ? '#' : k == 63 ? '\n' : 'x';
	}
}

static void synth_records(int kind, uint64_t total, uint64_t pos, char *buf,
			  size_t n);

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct body *b = cls;
	size_t n;

	if (pos >= b->cut) {
		/* Short of what Content-Length promised: MHD closes the
		 * connection, which is the fault we want. */
		if (b->declared != MHD_SIZE_UNKNOWN && b->cut < b->declared)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = b->cut - pos < max ? (size_t)(b->cut - pos) : max;
	if (b->rate > 0) {
		size_t step = (size_t)(b->rate * STEP_MS / 1000);

		if (step == 0)
			step = 1;
		if (n > step)
			n = step;
		if (nap(STEP_MS))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (b->synthetic == SYN_COMMENTS)
		synth(pos, buf, n);
	else if (b->synthetic)
		synth_records(b->synthetic, b->cut, pos, buf, n);
	else
		memcpy(buf, b->buf + pos, n);
	return (ssize_t)n;
}

/* Bytes [pos, pos+n) of a SYN_LIVE or SYN_MPD body of total bytes. */
static void synth_records(int kind, uint64_t total, uint64_t pos, char *buf,
			  size_t n)
{
	static const char lhead[] = LIVE_HEAD, mhead[] = MPD_HEAD,
			  mrec[] = MPD_REC, mtail[] = MPD_TAIL;
	const char *head = kind == SYN_LIVE ? lhead : mhead;
	size_t hl = kind == SYN_LIVE ? sizeof(lhead) - 1 : sizeof(mhead) - 1;
	size_t tl = kind == SYN_LIVE ? 0 : sizeof(mtail) - 1;
	size_t rl = kind == SYN_LIVE ? LIVE_REC : sizeof(mrec) - 1;
	uint64_t k = (uint64_t)-1;
	char rec[64];

	for (size_t i = 0; i < n; i++, pos++) {
		uint64_t rk;

		if (pos < hl) {
			buf[i] = head[pos];
			continue;
		}
		if (pos >= total - tl) {
			buf[i] = mtail[pos - (total - tl)];
			continue;
		}
		rk = (pos - hl) / rl;
		if (kind == SYN_MPD) {
			buf[i] = mrec[(pos - hl) % rl];
			continue;
		}
		if (rk != k) {
			k = rk;
			snprintf(rec, sizeof(rec), "#EXTINF:2.000,\ns%015llu.ts\n",
				 (unsigned long long)(k % 1000000000000000ULL));
		}
		buf[i] = rec[(pos - hl) % rl];
	}
}

/* The size of a SYN_LIVE or SYN_MPD body of about want bytes: a whole
 * number of records, so the last line is whole. */
static uint64_t record_total(int kind, uint64_t want)
{
	size_t hl = kind == SYN_LIVE ? sizeof(LIVE_HEAD) - 1
				     : sizeof(MPD_HEAD) - 1;
	size_t tl = kind == SYN_LIVE ? 0 : sizeof(MPD_TAIL) - 1;
	size_t rl = kind == SYN_LIVE ? LIVE_REC : sizeof(MPD_REC) - 1;
	uint64_t k = want > hl + tl ? (want - hl - tl) / rl : 1;

	return hl + tl + (k ? k : 1) * rl;
}

/* An HLS master of n variants v0.m3u8 ... (caller frees). */
static char *make_master(long long n, size_t *len)
{
	size_t cap = 16 + (size_t)n * 128, l;
	char *m = n <= 100000 ? malloc(cap) : NULL;

	if (!m)
		return NULL;
	l = (size_t)snprintf(m, cap, "#EXTM3U\n");
	for (long long i = 0; i < n; i++)
		l += (size_t)snprintf(m + l, cap - l,
				      "#EXT-X-STREAM-INF:BANDWIDTH=%lld,"
				      "RESOLUTION=320x180,CODECS=\"avc1.64001f\""
				      "\nv%lld.m3u8\n",
				      100000 + i * 1000, i);
	*len = l;
	return m;
}

/* The gzip bomb: built once, before the port is announced, so no
 * scenario's deadline pays for it. */
static void build_bomb(long mb)
{
	static const char head[] = "#EXTM3U\n";
	static char lines[1 << 20];
	z_stream z;
	size_t alloc = (size_t)mb * 1100 + 65536; /* deflate tops at ~1030:1 */

	if (mb <= 0)
		return;
	memset(lines, '\n', sizeof(lines));
	memset(&z, 0, sizeof(z));
	bomb = malloc(alloc);
	if (!bomb || deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
				  Z_RLE) != Z_OK)
		die("gzip bomb: out of memory");
	z.next_out = bomb;
	z.avail_out = (uInt)alloc;
	z.next_in = (Bytef *)head;
	z.avail_in = sizeof(head) - 1;
	if (deflate(&z, Z_NO_FLUSH) != Z_OK)
		die("gzip bomb: deflate failed");
	for (long i = 0; i < mb; i++) {
		z.next_in = (Bytef *)lines;
		z.avail_in = sizeof(lines);
		if (deflate(&z, Z_NO_FLUSH) != Z_OK || z.avail_out == 0)
			die("gzip bomb: deflate failed");
	}
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		die("gzip bomb: deflate did not finish");
	bomb_len = z.total_out;
	deflateEnd(&z);
}

static enum MHD_Result queue_text(struct MHD_Connection *c, unsigned status,
				  const char *type, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* status is 200, or 206 with content_range (NULL: none). */
static enum MHD_Result queue_body(struct MHD_Connection *c, struct body *b,
				  const char *type, const char *last_modified,
				  unsigned status, const char *content_range)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_callback(b->declared, 64 * 1024, body_read,
					      b, body_free);
	if (!r) {
		body_free(b);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (last_modified)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED,
					last_modified);
	if (content_range)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE,
					content_range);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The one range of a Range header value v over a body of total bytes:
 * 1 with the inclusive [*from, *to] to serve; 0 to serve the body whole
 * (no header, several ranges, a malformed one: RFC 9110 14.2 lets a
 * server ignore Range); -1 when it cannot be satisfied (416). */
static int parse_range(const char *v, uint64_t total, uint64_t *from,
		       uint64_t *to)
{
	const long long top = 1LL << 62;
	const char *dash;
	long long a, z = -1;

	if (!v || strncasecmp(v, "bytes=", 6) != 0 || strchr(v, ','))
		return 0;
	v += 6;
	dash = strchr(v, '-');
	if (!dash)
		return 0;
	if (dash == v) { /* the last N bytes */
		if (parse_num(dash + 1, strlen(dash + 1), 0, top, &z))
			return 0;
		if (z == 0 || total == 0)
			return -1;
		*from = (uint64_t)z < total ? total - (uint64_t)z : 0;
		*to = total - 1;
		return 1;
	}
	if (parse_num(v, (size_t)(dash - v), 0, top, &a))
		return 0;
	if (dash[1] &&
	    (parse_num(dash + 1, strlen(dash + 1), 0, top, &z) || z < a))
		return 0;
	if ((uint64_t)a >= total)
		return -1;
	*from = (uint64_t)a;
	*to = z < 0 || (uint64_t)z >= total ? total - 1 : (uint64_t)z;
	return 1;
}

/* 416 for a range at or past the end of a body of total bytes; its
 * Content-Range states the size unless the origin hides it. */
static enum MHD_Result queue_unsatisfiable(struct MHD_Connection *c,
					   size_t total, int nosize)
{
	static const char text[] = "fault_origin: range not satisfiable\n";
	struct MHD_Response *r;
	enum MHD_Result rc;
	char cr[64];

	r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	if (!nosize) {
		snprintf(cr, sizeof(cr), "bytes */%zu", total);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	rc = MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
	MHD_destroy_response(r);
	return rc;
}

static const struct op *find_op(const struct plan *pl, enum op_kind kind,
				int cls)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->ops[i].kind == kind &&
		    (pl->ops[i].scope == SC_ALL || (pl->ops[i].scope & cls)))
			return &pl->ops[i];
	return NULL;
}

/* 1 when tok is EXP.SIG with EXP not past and SIG the hex HMAC-SHA256 of
 * EXP under token_key. */
static int token_ok(const char *tok)
{
	const char *dot = tok ? strchr(tok, '.') : NULL;
	uint8_t mac[32];
	char hex[65], exp[32];
	size_t n = dot ? (size_t)(dot - tok) : 0;
	long long e;
	AVHMAC *h;

	if (!dot || n == 0 || n >= sizeof(exp) ||
	    parse_num(tok, n, 0, 1LL << 40, &e) || e < (long long)time(NULL))
		return 0;
	memcpy(exp, tok, n);
	exp[n] = '\0';
	h = av_hmac_alloc(AV_HMAC_SHA256);
	if (!h)
		return 0;
	av_hmac_calc(h, (const uint8_t *)exp, (unsigned)n,
		     (const uint8_t *)token_key, (unsigned)strlen(token_key),
		     mac, sizeof(mac));
	av_hmac_free(h);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return strcmp(dot + 1, hex) == 0;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **req_cls)
{
	static const char html[] =
		"<!DOCTYPE html>\n<html><head><title>503 Service "
		"Unavailable</title></head>\n<body><h1>Sorry!</h1><p>We are "
		"having technical difficulties.</p></body></html>\n";
	struct plan pl;
	const struct op *o;
	struct body *b;
	long long delay = 0;
	char msg[128], lm[64] = "", crange[96] = "";
	unsigned status = MHD_HTTP_OK;
	int klass;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req_cls;
	if (verbose)
		fprintf(stderr, "fault_origin: %s %.200s\n", method, url);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return queue_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				  "GET only\n");
	if (plan_parse(url, &pl) != 0)
		return queue_text(c, MHD_HTTP_BAD_REQUEST, "text/plain",
				  "fault_origin: malformed behaviour\n");
	klass = pl.path ? classify(pl.path) : SC_ALL;
	{
		const char *tok = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "X-Token");

		if (find_op(&pl, OP_NEEDTOKEN, klass) && !tok)
			return queue_text(c, MHD_HTTP_FORBIDDEN, "text/plain",
					  "fault_origin: no token\n");
		if (find_op(&pl, OP_NOTOKEN, klass) && tok)
			return queue_text(c, MHD_HTTP_FORBIDDEN, "text/plain",
					  "fault_origin: a token leaked here\n");
	}
	if (pl.n > 0 && pl.ops[pl.n - 1].kind == OP_LOOP) {
		struct MHD_Response *r;
		enum MHD_Result rc;

		snprintf(msg, sizeof(msg), "/loop/%lld", pl.ops[pl.n - 1].arg + 1);
		r = MHD_create_response_from_buffer(0, (void *)"",
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, msg);
		rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
		MHD_destroy_response(r);
		return rc;
	}
	if (pl.redirect) {
		struct MHD_Response *r;
		enum MHD_Result rc;

		r = MHD_create_response_from_buffer(0, (void *)"",
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, pl.redirect);
		rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
		MHD_destroy_response(r);
		return rc;
	}
	klass = classify(pl.path);
	for (size_t i = 0; i < pl.n; i++)
		if (pl.ops[i].kind == OP_DELAY &&
		    (pl.ops[i].scope == SC_ALL || (pl.ops[i].scope & klass)))
			delay += pl.ops[i].arg;
	if (delay > 0 && nap(delay))
		return MHD_NO;
	if (find_op(&pl, OP_HANG, klass)) {
		nap(-1);
		return MHD_NO; /* shutting down: drop the connection */
	}
	if (find_op(&pl, OP_TOKEN, klass)) {
		const char *t = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "X-Token");

		if (!t)
			t = MHD_lookup_connection_value(
				c, MHD_GET_ARGUMENT_KIND, "token");
		if (!token_ok(t))
			return queue_text(c, MHD_HTTP_FORBIDDEN, "text/plain",
					  "fault_origin: token missing, "
					  "expired or forged\n");
	}
	if ((o = find_op(&pl, OP_STATUS, klass))) {
		if (o->arg < 100 || o->arg > 599)
			return queue_text(c, MHD_HTTP_BAD_REQUEST, "text/plain",
					  "fault_origin: status out of range\n");
		snprintf(msg, sizeof(msg), "fault_origin: HTTP %lld\n", o->arg);
		return queue_text(c, (unsigned)o->arg, "text/plain", msg);
	}
	if (klass == SC_SEG && (find_op(&pl, OP_NOSTART, klass) ||
				find_op(&pl, OP_DROPOLD, klass))) {
		const char *q = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "seq");
		long long seq = q ? strtoll(q, NULL, 10) : -1, first, last;

		pthread_mutex_lock(&window_lock);
		first = served_first;
		last = served_last;
		pthread_mutex_unlock(&window_lock);
		if (q && ((find_op(&pl, OP_NOSTART, klass) && seq <= last - 2) ||
			  (find_op(&pl, OP_DROPOLD, klass) && seq < first)))
			return queue_text(c, MHD_HTTP_NOT_FOUND, "text/plain",
					  "fault_origin: segment gone\n");
	}
	if (find_op(&pl, OP_HTML200, klass))
		return queue_text(c, MHD_HTTP_OK, "text/html", html);
	if (find_op(&pl, OP_ZERO, klass))
		return queue_text(c, MHD_HTTP_OK, content_type(pl.path), "");
	if (find_op(&pl, OP_GZIPBOMB, klass)) {
		struct MHD_Response *r;
		enum MHD_Result rc;

		if (!bomb)
			return queue_text(c, MHD_HTTP_NOT_IMPLEMENTED,
					  "text/plain", "started with -g 0\n");
		r = MHD_create_response_from_buffer(bomb_len, bomb,
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					content_type(pl.path));
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
					"gzip");
		rc = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return rc;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return MHD_NO;
	if ((o = find_op(&pl, OP_BIG, klass)) ||
	    (o = find_op(&pl, OP_BIGCHUNK, klass))) {
		b->synthetic = SYN_COMMENTS;
		b->cut = (uint64_t)o->arg;
		b->declared = o->kind == OP_BIG ? (uint64_t)o->arg
						: MHD_SIZE_UNKNOWN;
	} else if ((o = find_op(&pl, OP_BIGLIVE, klass)) ||
		   (o = find_op(&pl, OP_BIGMPD, klass))) {
		b->synthetic = o->kind == OP_BIGLIVE ? SYN_LIVE : SYN_MPD;
		b->cut = record_total(b->synthetic, (uint64_t)o->arg);
		b->declared = b->cut;
	} else if ((o = find_op(&pl, OP_BIGMASTER, klass))) {
		b->buf = (uint8_t *)make_master(o->arg, &b->len);
		if (!b->buf) {
			free(b);
			return MHD_NO;
		}
		b->cut = b->declared = b->len;
	} else {
		if (load_file(pl.path, &b->buf, &b->len) != 0) {
			free(b);
			snprintf(msg, sizeof(msg), "fault_origin: no such file\n");
			return queue_text(c, MHD_HTTP_NOT_FOUND, "text/plain",
					  msg);
		}
		if (klass == SC_MEDIA && ((o = find_op(&pl, OP_STALE, klass)) ||
					  (o = find_op(&pl, OP_LIVE, klass)))) {
			double now = (double)time(NULL);
			char *live;
			size_t live_len = 0;

			if (o->kind == OP_STALE) {
				time_t frozen = started_at - STALE_LAG_S;
				struct tm tm;

				now = (double)frozen;
				gmtime_r(&frozen, &tm);
				strftime(lm, sizeof(lm),
					 "%a, %d %b %Y %H:%M:%S GMT", &tm);
			}
			live = make_live((const char *)b->buf, now, &live_len,
					 find_op(&pl, OP_NOSTART, SC_SEG) ||
						 find_op(&pl, OP_DROPOLD,
							 SC_SEG));
			if (live) {
				free(b->buf);
				b->buf = (uint8_t *)live;
				b->len = live_len;
			}
		}
		if (find_op(&pl, OP_CORRUPT, klass))
			for (size_t i = 0; i < b->len; i++)
				b->buf[i] ^= 0x5a;
		if ((o = find_op(&pl, OP_DAMAGE, klass)))
			damage_middle(b->buf, b->len, o->arg);
		if ((o = find_op(&pl, OP_TRUNCATE, klass)) &&
		    (uint64_t)o->arg < b->len)
			b->len = (size_t)o->arg;
		if (find_op(&pl, OP_HALF, klass))
			b->len /= 2;
		{
			uint64_t from = 0, to = 0;
			int nosize = find_op(&pl, OP_NOSIZE, klass) != NULL;
			const char *want = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
			int rng = parse_range(want, b->len, &from, &to);

			if (rng < 0) {
				size_t total = b->len;

				body_free(b);
				return queue_unsatisfiable(c, total, nosize);
			}
			if (rng > 0) {
				size_t n = (size_t)(to - from + 1);

				snprintf(crange, sizeof(crange),
					 nosize ? "bytes %llu-%llu/*"
						: "bytes %llu-%llu/%zu",
					 (unsigned long long)from,
					 (unsigned long long)to, b->len);
				memmove(b->buf, b->buf + from, n);
				b->len = n;
				status = MHD_HTTP_PARTIAL_CONTENT;
			}
		}
		b->cut = b->len;
		b->declared = b->len;
		if ((o = find_op(&pl, OP_CUT, klass)) &&
		    (uint64_t)o->arg < b->len)
			b->cut = (uint64_t)o->arg;
		if (find_op(&pl, OP_BADLEN, klass))
			b->declared = b->len + 4096;
	}
	if ((o = find_op(&pl, OP_TRICKLE, klass)))
		b->rate = o->arg > 0 ? (long)o->arg : 1;
	return queue_body(c, b, content_type(pl.path), lm[0] ? lm : NULL,
			  status, crange[0] ? crange : NULL);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fault_origin [-p PORT] [-g GZIP_MB] [-k KEY] [-v] DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	pthread_condattr_t ca;
	sigset_t set;
	long long port = 0, gzip_mb = 1024;
	struct stat st;
	int opt, sig;

	while ((opt = getopt(argc, argv, "p:g:k:v")) != -1) {
		switch (opt) {
		case 'p':
			if (parse_num(optarg, strlen(optarg), 0, 65535, &port))
				usage();
			break;
		case 'g':
			if (parse_num(optarg, strlen(optarg), 0, 4096, &gzip_mb))
				usage();
			break;
		case 'k':
			token_key = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	root = argv[optind];
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
		die("%s: not a directory", root);
	/* A harness that dies must not leave us listening. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	started_at = time(NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&quit_cond, &ca);
	build_bomb((long)gzip_mb);

	/* Blocked before MHD starts its threads, so they inherit the mask and
	 * only sigwait() below sees the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION |
				     MHD_USE_ERROR_LOG,
			     0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&addr,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)CONN_MEMORY, MHD_OPTION_END);
	if (!d)
		die("cannot listen on 127.0.0.1:%lld", port);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0)
		die("cannot tell the port bound");
	printf("%u\n", (unsigned)info->port);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;
	pthread_mutex_lock(&quit_lock);
	quitting = 1;
	pthread_cond_broadcast(&quit_cond);
	pthread_mutex_unlock(&quit_lock);
	MHD_stop_daemon(d);
	free(bomb);
	return 0;
}
