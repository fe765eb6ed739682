/*
 * conform.c - the spec MUSTs players trip on (conform.h).
 *
 * Only what a specification requires and a player depends on is reported,
 * never a matter of taste: a valid playlist must give no finding. Each
 * finding cites its clause.
 */
#include "conform.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add(vsp_conform_list *out, const char *clause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(vsp_conform_list *out, const char *clause, const char *fmt, ...)
{
	vsp_conform_issue *it;
	va_list ap;

	if (out->n >= VSP_CONFORM_MAX) {
		out->dropped++;
		return;
	}
	it = &out->item[out->n++];
	snprintf(it->clause, sizeof(it->clause), "%s", clause);
	va_start(ap, fmt);
	vsnprintf(it->message, sizeof(it->message), fmt, ap);
	va_end(ap);
}

/* RFC 8216 7: the protocol version each feature needs. */
static int version_needed(const vsp_hls_playlist *pl, const char **why)
{
	int need = 1;

	*why = "";
	for (size_t i = 0; i < pl->n_keys; i++) {
		if (pl->keys[i].has_iv && need < 2) {
			need = 2;
			*why = "EXT-X-KEY with an IV";
		}
		if (pl->keys[i].keyformat && need < 5) {
			need = 5;
			*why = "EXT-X-KEY with KEYFORMAT";
		}
	}
	for (size_t i = 0; i < pl->n_segments; i++) {
		const vsp_hls_segment *s = &pl->segments[i];

		if (need < 3 && s->duration != floor(s->duration)) {
			need = 3;
			*why = "a decimal EXTINF duration";
		}
		if (need < 4 && s->br_length >= 0) {
			need = 4;
			*why = "EXT-X-BYTERANGE";
		}
	}
	if (need < 4 && pl->iframes_only) {
		need = 4;
		*why = "EXT-X-I-FRAMES-ONLY";
	}
	if (pl->n_maps > 0) {
		int m = pl->iframes_only ? 5 : 6;

		if (need < m) {
			need = m;
			*why = pl->iframes_only
				       ? "EXT-X-MAP in an I-frame playlist"
				       : "EXT-X-MAP";
		}
	}
	return need;
}

void vsp_conform_hls(const vsp_hls_playlist *pl, vsp_conform_list *out)
{
	const char *why;
	int need;

	if (!pl)
		return;
	need = version_needed(pl, &why);
	if (pl->version < need)
		add(out, "RFC 8216 7",
		    "EXT-X-VERSION is %d but the playlist uses %s, which needs "
		    "version %d",
		    pl->version, why, need);
	/* Without it players ignore the tag: the start the author meant is
	 * lost (master and media playlists alike). */
	if (pl->start.present && !pl->start.has_offset)
		add(out, "RFC 8216 4.3.5.2",
		    "line %d: EXT-X-START without a readable TIME-OFFSET "
		    "(a decimal number), which is REQUIRED; players ignore "
		    "the tag",
		    pl->start.line);
	if (pl->is_master)
		return;
	for (size_t i = 0; i < pl->n_segments; i++) {
		const vsp_hls_segment *s = &pl->segments[i];

		/* Rounded to the nearest integer (half up), as the RFC
		 * says; a target of 0 with zero-length segments is fine. */
		if (floor(s->duration + 0.5) > pl->target_duration &&
		    pl->target_duration <= 0) {
			add(out, "RFC 8216 4.3.3.1",
			    "EXT-X-TARGETDURATION missing or 0, while segment "
			    "%lld lasts %.3f s",
			    (long long)s->seq, s->duration);
			break;
		}
		if (floor(s->duration + 0.5) > pl->target_duration) {
			add(out, "RFC 8216 4.3.3.1",
			    "segment %lld: EXTINF %.3f s rounds to %.0f, over "
			    "EXT-X-TARGETDURATION %.0f",
			    (long long)s->seq, s->duration,
			    floor(s->duration + 0.5), pl->target_duration);
			break; /* one says it; the rest are alike */
		}
	}
	for (size_t i = 1; i < pl->n_segments; i++) {
		const vsp_hls_segment *a = &pl->segments[i - 1];
		const vsp_hls_segment *b = &pl->segments[i];

		if (a->pdt > 0 && b->pdt > 0 && !b->discontinuity &&
		    b->pdt < a->pdt) {
			add(out, "RFC 8216 4.3.2.6",
			    "segment %lld: EXT-X-PROGRAM-DATE-TIME %.3f s "
			    "before the one of segment %lld without an "
			    "EXT-X-DISCONTINUITY between them",
			    (long long)b->seq, a->pdt - b->pdt,
			    (long long)a->seq);
			break;
		}
	}
}

static const vsp_hls_segment *find_seq(const vsp_hls_playlist *pl, int64_t seq)
{
	size_t lo = 0, hi = pl->n_segments;

	/* Sequence numbers grow by one per segment from the first. */
	if (pl->n_segments == 0 || seq < pl->segments[0].seq)
		return NULL;
	if ((uint64_t)(seq - pl->segments[0].seq) < pl->n_segments) {
		const vsp_hls_segment *s =
			&pl->segments[seq - pl->segments[0].seq];

		if (s->seq == seq)
			return s;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pl->segments[mid].seq == seq)
			return &pl->segments[mid];
		if (pl->segments[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void vsp_conform_hls_reload(const vsp_hls_playlist *prev,
			    const vsp_hls_playlist *cur, vsp_conform_list *out)
{
	int uri = 0, disc = 0, pdt = 0;

	if (!prev || !cur || prev->is_master || cur->is_master)
		return;
	if (cur->media_sequence < prev->media_sequence) {
		add(out, "RFC 8216 6.2.1",
		    "EXT-X-MEDIA-SEQUENCE went back from %lld to %lld between "
		    "two reloads",
		    (long long)prev->media_sequence,
		    (long long)cur->media_sequence);
		return; /* the rest would follow from it */
	}
	if (cur->discontinuity_sequence < prev->discontinuity_sequence)
		add(out, "RFC 8216 6.2.1",
		    "EXT-X-DISCONTINUITY-SEQUENCE went back from %lld to %lld "
		    "between two reloads",
		    (long long)prev->discontinuity_sequence,
		    (long long)cur->discontinuity_sequence);
	for (size_t i = 0; i < prev->n_segments; i++) {
		const vsp_hls_segment *a = &prev->segments[i];
		const vsp_hls_segment *b = find_seq(cur, a->seq);

		if (!b)
			continue;
		if (!uri && a->uri && b->uri && strcmp(a->uri, b->uri) != 0) {
			uri = 1;
			add(out, "RFC 8216 6.2.1",
			    "segment %lld: URI changed between two reloads "
			    "(%s, then %s)",
			    (long long)a->seq, a->uri, b->uri);
		}
		if (!disc && a->disc_seq != b->disc_seq) {
			disc = 1;
			add(out, "RFC 8216 4.3.3.3",
			    "segment %lld: discontinuity sequence %lld, then "
			    "%lld after a reload",
			    (long long)a->seq, (long long)a->disc_seq,
			    (long long)b->disc_seq);
		}
		if (!pdt && a->pdt > 0 && b->pdt > 0 &&
		    fabs(a->pdt - b->pdt) > 0.5) {
			pdt = 1;
			add(out, "RFC 8216 6.2.1",
			    "segment %lld: EXT-X-PROGRAM-DATE-TIME moved by "
			    "%.3f s between two reloads",
			    (long long)a->seq, b->pdt - a->pdt);
		}
	}
}

static void conform_rep(const vsp_dash_mpd *m, const vsp_dash_period *p,
			const vsp_dash_representation *r, double now,
			vsp_conform_list *out)
{
	const char *id = r->id ? r->id : "?";
	double ts = r->timescale ? (double)r->timescale : 1.0;

	for (size_t i = 1; i < r->n_timeline; i++) {
		const vsp_dash_s *a = &r->timeline[i - 1];
		const vsp_dash_s *b = &r->timeline[i];
		int64_t end;

		/* r="-1" runs to the next S: no gap by definition. */
		if (a->r < 0)
			continue;
		end = a->t + a->d * (a->r + 1);
		if (b->t == end)
			continue;
		add(out, "ISO/IEC 23009-1 5.3.9.6",
		    "Representation %s: SegmentTimeline %s of %.3f s at t=%lld "
		    "(S %zu ends at %lld, S %zu starts at %lld)",
		    id, b->t > end ? "gap" : "overlap",
		    fabs((double)(b->t - end)) / ts, (long long)end, i - 1,
		    (long long)end, i, (long long)b->t);
		break;
	}
	/* Live: the newest listed segment must be available by now (its end
	 * at or before now plus availabilityTimeOffset), else players ask
	 * for it early and get 404s. */
	if (m->dynamic && now > 0 && m->availability_start > 0 &&
	    r->n_timeline > 0 && r->timeline[r->n_timeline - 1].r >= 0) {
		const vsp_dash_s *l = &r->timeline[r->n_timeline - 1];
		double end =
			m->availability_start + p->start +
			((double)(l->t + l->d * (l->r + 1)) - (double)r->pto) /
				ts;
		double late = end - (now + r->ato);

		/* Clocks drift: a second of slack before it counts. */
		if (late > 1.0)
			add(out, "ISO/IEC 23009-1 5.3.9.5.3",
			    "Representation %s: the newest SegmentTimeline "
			    "segment ends %.1f s in the future, outside its "
			    "availability window",
			    id, late);
	}
}

void vsp_conform_dash(const vsp_dash_mpd *m, const vsp_dash_representation *rep,
		      double now, vsp_conform_list *out)
{
	if (!m)
		return;
	for (size_t pi = 0; pi < m->n_periods; pi++) {
		const vsp_dash_period *p = &m->periods[pi];

		for (size_t a = 0; a < p->n_sets; a++)
			for (size_t k = 0; k < p->sets[a].n_reps; k++) {
				const vsp_dash_representation *r =
					&p->sets[a].reps[k];

				if (!rep || rep == r)
					conform_rep(m, p, r, now, out);
			}
	}
}
