/*
 * From a chain to a base-level alignment: ungapped when the chain lies on one diagonal and the
 * read matches with few mismatches, otherwise DP between consecutive anchors (global) and
 * beyond the first and last anchor (extension with Z-drop), then soft clips for what does not
 * extend. Also the reference unpacker the TypeScript side uses (one implementation).
 */
#include <stdlib.h>
#include <string.h>

#include "ga.h"

/* Tail extensions longer than this are clipped: nothing anchors them, and DP memory is bounded. */
#define MAX_EXTENSION 50000
/* Reads up to this long try an ungapped alignment first (see try_gapless). */
#define MAX_GAPLESS_READ 1000
#define GAPLESS_MAX_MISMATCHES 3
/* Between anchors, equal gaps with fewer mismatches than this skip the DP. */
#define MIDDLE_GAPLESS_MISMATCHES 3
#define MIDDLE_MAX_BAND 64

void ga_fetch(const ga_reference_t *ref, int64_t start, int64_t end, uint8_t *out)
{
	const int64_t len = end > start ? end - start : 0, packed_end = (int64_t)ref->packed_bytes * 4;
	const int64_t limit = end < packed_end ? end : packed_end;
	int64_t i = 0, p = start;
	for (; p < 0 && i < len; p++, i++) out[i] = 4;
	for (; p < limit; p++, i++) out[i] = ref->packed[p >> 2] >> ((p & 3) << 1) & 3;
	for (; i < len; i++) out[i] = 4;
	/* ambiguous runs: the first whose end is past start, then every run before end */
	size_t lo = 0, hi = ref->run_count;
	while (lo < hi) {
		const size_t mid = (lo + hi) >> 1;
		if ((int64_t)ref->runs[2 * mid + 1] <= start) lo = mid + 1;
		else hi = mid;
	}
	for (size_t r = lo; r < ref->run_count; r++) {
		const int64_t run_start = ref->runs[2 * r], run_end = ref->runs[2 * r + 1];
		if (run_start >= end) break;
		const int64_t from = run_start > start ? run_start : start, to = run_end < end ? run_end : end;
		memset(out + (from - start), 4, (size_t)(to - from));
	}
}

size_t ga_contig_at(const ga_reference_t *ref, double position)
{
	size_t lo = 0, hi = ref->contig_count ? ref->contig_count - 1 : 0;
	while (lo < hi) {
		const size_t mid = (lo + hi + 1) >> 1;
		if (ref->contig_offset[mid] <= position) lo = mid;
		else hi = mid - 1;
	}
	return lo;
}

/* Appends an op, merging it with an equal neighbour; zero-length ops are dropped. */
static int append_op(uint32_t **v, size_t *n, size_t *cap, uint32_t op)
{
	if (op >> 4 == 0) return 0;
	if (*n > 0 && ((*v)[*n - 1] & 15) == (op & 15)) {
		(*v)[*n - 1] += op & ~15u;
		return 0;
	}
	if (ga_grow((void **)v, cap, *n + 1, 4) < 0) return -1;
	(*v)[(*n)++] = op;
	return 0;
}

static int append_ops(uint32_t **v, size_t *n, size_t *cap, const uint32_t *ops, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (append_op(v, n, cap, ops[i]) < 0) return -1;
	return 0;
}

static int ensure_buffer(uint8_t **p, size_t *cap, int64_t need) { return ga_grow((void **)p, cap, need > 0 ? (size_t)need : 1, 1); }

static const uint8_t *strand_read(ga_aligner_t *a, int reverse)
{
	if (!reverse) return a->read;
	if (!a->have_rc) {
		const int n = a->read_len;
		for (int i = 0; i < n; i++) {
			const uint8_t c = a->read[n - 1 - i];
			a->read_rc[i] = c < 4 ? 3 - c : 4;
		}
		a->have_rc = 1;
	}
	return a->read_rc;
}

/* The alignment's score from its CIGAR and bases (soft clips consume the query). */
static int score_cigar(const uint32_t *cigar, size_t n, const uint8_t *query, const uint8_t *target, const ga_scoring_t *sc)
{
	int score = 0;
	size_t q = 0, t = 0;
	for (size_t c = 0; c < n; c++) {
		const uint32_t op = cigar[c] & 15, len = cigar[c] >> 4;
		if (op == GA_CIGAR_M) {
			for (uint32_t i = 0; i < len; i++) {
				const uint8_t x = query[q + i], y = target[t + i];
				score += x > 3 || y > 3 ? -1 : x == y ? sc->match : -sc->mismatch;
			}
			q += len, t += len;
		} else if (op == GA_CIGAR_I) {
			score -= sc->gap_open + (int)len * sc->gap_extend;
			q += len;
		} else if (op == GA_CIGAR_D) {
			score -= sc->gap_open + (int)len * sc->gap_extend;
			t += len;
		} else if (op == GA_CIGAR_S)
			q += len;
	}
	return score;
}

/*
 * Short reads whose chain lies on one diagonal are usually exact or near-exact: the ungapped
 * alignment of the whole read is taken when it has at most GAPLESS_MAX_MISMATCHES mismatches
 * (a gapped alignment of such a read scores better only with an indel a few bases from an end,
 * where it scores about the same). This skips the DP for most Illumina reads.
 */
static int try_gapless(ga_aligner_t *a, const uint8_t *read, size_t contig, int64_t start, ga_hit_t *hit)
{
	const ga_reference_t *ref = &a->index.ref;
	const int qlen = a->read_len;
	const int64_t contig_start = (int64_t)ref->contig_offset[contig], contig_end = contig_start + (int64_t)ref->contig_length[contig];
	if (start < contig_start || start + qlen > contig_end) return 0;
	if (ensure_buffer(&a->tbuf, &a->tbuf_cap, qlen) < 0) return -1;
	ga_fetch(ref, start, start + qlen, a->tbuf);
	int mismatches = 0, score = 0;
	for (int i = 0; i < qlen; i++) {
		const uint8_t x = read[i], y = a->tbuf[i];
		if (x > 3 || y > 3) score -= 1, mismatches++;
		else if (x == y) score += a->scoring.match;
		else score -= a->scoring.mismatch, mismatches++;
		if (mismatches > GAPLESS_MAX_MISMATCHES) return 0;
	}
	a->cigar_n = 0;
	if (append_op(&a->cigar, &a->cigar_n, &a->cigar_cap, (uint32_t)qlen << 4 | GA_CIGAR_M) < 0) return -1;
	hit->contig = contig;
	hit->ref_start = (double)start;
	hit->ref_span = qlen;
	hit->query_start = 0, hit->query_end = qlen;
	hit->score = score;
	hit->cigar = a->cigar, hit->n_cigar = a->cigar_n;
	return 1;
}

/* An extension can end in a gap only if Z-drop cut it inside one; an alignment never starts or
 * ends with I/D, so such gaps become clips (I) or are dropped (D). */
static void trim_edge_gaps(ga_aligner_t *a)
{
	uint32_t *c = a->cigar;
	size_t n = a->cigar_n, first = n > 0 && (c[0] & 15) == GA_CIGAR_S ? 1 : 0;
	while (first < n && ((c[first] & 15) == GA_CIGAR_I || (c[first] & 15) == GA_CIGAR_D)) {
		const uint32_t op = c[first];
		memmove(c + first, c + first + 1, (n - first - 1) * 4);
		n--;
		if ((op & 15) == GA_CIGAR_I) {
			if (first == 1) c[0] += op & ~15u;
			else { /* first == 0: the inserted bases become the leading clip */
				memmove(c + 1, c, n * 4); /* room: n < cap since one op was just removed */
				c[0] = (op & ~15u) | GA_CIGAR_S;
				n++;
				first = 1;
			}
		}
	}
	while (n > 0 && ((c[n - 1] & 15) == GA_CIGAR_I || (c[n - 1] & 15) == GA_CIGAR_D)) {
		const uint32_t op = c[--n];
		if ((op & 15) == GA_CIGAR_I) {
			c[n++] = (op & ~15u) | GA_CIGAR_S;
			break;
		}
	}
	a->cigar_n = n;
}

int ga_extend_chain(ga_aligner_t *a, size_t chain_index, ga_hit_t *hit)
{
	const ga_chain_t *chain = &a->chains[chain_index];
	const ga_reference_t *ref = &a->index.ref;
	const ga_scoring_t *sc = &a->scoring;
	const int k = a->index.k, band = a->extension_band, qlen = a->read_len;
	const uint8_t *read = strand_read(a, chain->reverse);
	const size_t contig = ga_contig_at(ref, chain->ref_start);
	const int64_t contig_start = (int64_t)ref->contig_offset[contig], contig_end = contig_start + (int64_t)ref->contig_length[contig];
	const uint32_t *members = a->members + chain->first;
	const uint32_t first_anchor = members[0], last_anchor = members[chain->count - 1];
	const int64_t diagonal = (int64_t)a->ax[first_anchor] - a->ay[first_anchor];
	ga_dp_result_t r;
	int ret;

	if (qlen <= MAX_GAPLESS_READ && diagonal == (int64_t)a->ax[last_anchor] - a->ay[last_anchor]) {
		if ((ret = try_gapless(a, read, contig, diagonal, hit)) != 0) return ret;
	}
	const int64_t qs = (int64_t)a->ay[first_anchor] + 1 - k, rs = (int64_t)a->ax[first_anchor] + 1 - k;

	/* left extension, on reversed sequences */
	const int64_t left_q = qs < MAX_EXTENSION ? qs : MAX_EXTENSION;
	const int64_t left_t = rs - contig_start < left_q + band ? rs - contig_start : left_q + band;
	int64_t align_start_query = qs, align_start_ref = rs;
	a->left_n = 0;
	if (left_q > 0 && left_t > 0) {
		if (ensure_buffer(&a->qbuf, &a->qbuf_cap, left_q) < 0 || ensure_buffer(&a->tbuf, &a->tbuf_cap, left_t) < 0) return -1;
		for (int64_t i = 0; i < left_q; i++) a->qbuf[i] = read[qs - 1 - i];
		ga_fetch(ref, rs - left_t, rs, a->tbuf);
		for (int64_t i = 0, j = left_t - 1; i < j; i++, j--) {
			const uint8_t t = a->tbuf[i];
			a->tbuf[i] = a->tbuf[j], a->tbuf[j] = t;
		}
		if ((ret = ga_dp_align(&a->dp, a->qbuf, (int)left_q, a->tbuf, (int)left_t, sc, band, GA_DP_EXTEND, &r)) < 0) return -1;
		if (ga_grow((void **)&a->left, &a->left_cap, r.n_cigar + 1, 4) < 0) return -1;
		for (size_t i = 0; i < r.n_cigar; i++) a->left[i] = r.cigar[r.n_cigar - 1 - i];
		a->left_n = r.n_cigar;
		align_start_query = qs - r.query_end;
		align_start_ref = rs - r.target_end;
	}

	/* through the anchors */
	a->middle_n = 0;
	if (append_op(&a->middle, &a->middle_n, &a->middle_cap, (uint32_t)k << 4 | GA_CIGAR_M) < 0) return -1;
	int64_t qe = (int64_t)a->ay[first_anchor] + 1, re = (int64_t)a->ax[first_anchor] + 1;
	for (uint32_t m = 1; m < chain->count; m++) {
		const uint32_t anchor = members[m];
		const int64_t y = (int64_t)a->ay[anchor] + 1, x = (int64_t)a->ax[anchor] + 1, dq = y - qe, dr = x - re;
		if (dq <= 0 || dr <= 0) continue;
		if (dq == dr && dq <= k) {
			if (append_op(&a->middle, &a->middle_n, &a->middle_cap, (uint32_t)dq << 4 | GA_CIGAR_M) < 0) return -1;
		} else {
			if (ensure_buffer(&a->tbuf, &a->tbuf_cap, dr) < 0) return -1;
			ga_fetch(ref, re, x, a->tbuf);
			int gapless = dq == dr;
			if (gapless) {
				int mismatches = 0;
				for (int64_t i = 0; i < dq && mismatches < MIDDLE_GAPLESS_MISMATCHES; i++)
					if (read[qe + i] != a->tbuf[i]) mismatches++;
				gapless = mismatches < MIDDLE_GAPLESS_MISMATCHES;
			}
			if (gapless) {
				if (append_op(&a->middle, &a->middle_n, &a->middle_cap, (uint32_t)dq << 4 | GA_CIGAR_M) < 0) return -1;
			} else {
				ret = ga_dp_align(&a->dp, read + qe, (int)dq, a->tbuf, (int)dr, sc, band < MIDDLE_MAX_BAND ? band : MIDDLE_MAX_BAND, GA_DP_GLOBAL, &r);
				if (ret < 0) return ret;
				if (append_ops(&a->middle, &a->middle_n, &a->middle_cap, r.cigar, r.n_cigar) < 0) return -1;
			}
		}
		qe = y, re = x;
	}

	/* right extension */
	const int64_t right_q = qlen - qe < MAX_EXTENSION ? qlen - qe : MAX_EXTENSION;
	const int64_t right_t = contig_end - re < right_q + band ? contig_end - re : right_q + band;
	int64_t align_end_query = qe;
	const uint32_t *right = NULL;
	size_t right_n = 0;
	if (right_q > 0 && right_t > 0) {
		if (ensure_buffer(&a->tbuf, &a->tbuf_cap, right_t) < 0) return -1;
		ga_fetch(ref, re, re + right_t, a->tbuf);
		if (ga_dp_align(&a->dp, read + qe, (int)right_q, a->tbuf, (int)right_t, sc, band, GA_DP_EXTEND, &r) < 0) return -1;
		right = r.cigar, right_n = r.n_cigar;
		align_end_query = qe + r.query_end;
	}

	/* assemble: clip, left, middle, right, edge gaps trimmed, clip */
	a->cigar_n = 0;
	if (align_start_query > 0 && append_op(&a->cigar, &a->cigar_n, &a->cigar_cap, (uint32_t)align_start_query << 4 | GA_CIGAR_S) < 0) return -1;
	if (append_ops(&a->cigar, &a->cigar_n, &a->cigar_cap, a->left, a->left_n) < 0) return -1;
	if (append_ops(&a->cigar, &a->cigar_n, &a->cigar_cap, a->middle, a->middle_n) < 0) return -1;
	if (append_ops(&a->cigar, &a->cigar_n, &a->cigar_cap, right, right_n) < 0) return -1;
	trim_edge_gaps(a);
	if (qlen - align_end_query > 0 && append_op(&a->cigar, &a->cigar_n, &a->cigar_cap, (uint32_t)(qlen - align_end_query) << 4 | GA_CIGAR_S) < 0) return -1;
	if (a->cigar_n == 0) return 0;

	const uint32_t *c = a->cigar;
	const size_t n = a->cigar_n;
	const int leading_clip = (c[0] & 15) == GA_CIGAR_S ? (int)(c[0] >> 4) : 0;
	const int trailing_clip = (c[n - 1] & 15) == GA_CIGAR_S && n > 1 ? (int)(c[n - 1] >> 4) : 0;
	int64_t ref_span = 0;
	for (size_t i = 0; i < n; i++)
		if ((c[i] & 15) == GA_CIGAR_M || (c[i] & 15) == GA_CIGAR_D) ref_span += c[i] >> 4;
	if (ref_span == 0) return 0;
	/* leading deletions of the left extension were trimmed: the start moves past them */
	int64_t ref_start = align_start_ref;
	for (size_t i = 0; i < a->left_n; i++) {
		const uint32_t op = a->left[i] & 15;
		if (op == GA_CIGAR_D) ref_start += a->left[i] >> 4;
		else if (op != GA_CIGAR_I) break;
	}
	if (ensure_buffer(&a->tbuf, &a->tbuf_cap, ref_span) < 0) return -1;
	ga_fetch(ref, ref_start, ref_start + ref_span, a->tbuf);
	const int score = score_cigar(c, n, read, a->tbuf, sc);
	if (score <= 0) return 0;
	hit->contig = contig;
	hit->ref_start = (double)ref_start;
	hit->ref_span = (int)ref_span;
	hit->query_start = leading_clip;
	hit->query_end = qlen - trailing_clip;
	hit->score = score;
	hit->cigar = c, hit->n_cigar = n;
	return 1;
}
