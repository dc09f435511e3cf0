/*
 * Banded affine-gap alignment with traceback (Gotoh), in three modes, as ksw2's extz:
 *
 * - GA_DP_GLOBAL: both sequences end to end (the gaps between chained anchors);
 * - GA_DP_EXTEND: anchored at the start of both, free at the end, stopped by Z-drop (read
 *   ends beyond the first and last anchors); ends at the read's end when that scores within
 *   end_bonus of the best cell, so short reads prefer end-to-end;
 * - GA_DP_LOCAL: Smith-Waterman over the whole matrix (mate rescue).
 *
 * A gap of length L costs gap_open + L*gap_extend (minimap2's convention); a match against an
 * ambiguous base (code 4) scores -1. Rows run over the query, columns over the target; row i
 * keeps columns j with lo <= j - i <= hi. H is updated in place in one array indexed by j + 1
 * (index 0 is column -1), U holds the insertion (vertical) state per column, the deletion
 * state is carried along the row. One traceback byte per cell: bits 0-1 the source of H
 * (0 diagonal, 1 insertion, 2 deletion, 3 local start), bit 2 "insertion extended", bit 3
 * "deletion extended". Ties prefer diagonal, then insertion, then deletion (the CIGARs the
 * tests and downstream callers were written against).
 *
 * This is the row-wise scalar form: the deletion state makes each cell depend on its left
 * neighbour, which the compiler cannot vectorise. Reads here are mostly handled without DP
 * (gapless) and the bands are narrow (20-200), so it is not the bottleneck after the move
 * to C (docs/align.md); ksw2's anti-diagonal SSE form is the next step if it becomes one.
 */
#include <stdlib.h>
#include <string.h>

#include "ga.h"

#define NEG (-0x3fffffff)

void ga_dp_free(ga_dp_t *dp)
{
	free(dp->h);
	free(dp->u);
	free(dp->trace);
	free(dp->cigar);
	memset(dp, 0, sizeof(*dp));
}

static int push_op(ga_dp_t *dp, size_t *n, uint32_t op, uint32_t *last_op, uint32_t *run)
{
	if (op == *last_op) {
		++*run;
		return 0;
	}
	if (*run > 0) {
		if (ga_grow((void **)&dp->cigar, &dp->cigar_cap, *n + 1, 4) < 0) return -1;
		dp->cigar[(*n)++] = *run << 4 | *last_op;
	}
	*last_op = op, *run = 1;
	return 0;
}

/* Traceback from (end_i, end_j); the CIGAR comes out reversed and is flipped at the end. */
static int trace_back(ga_dp_t *dp, int width, int lo, int end_i, int end_j, int local, ga_dp_result_t *r)
{
	const uint8_t *trace = dp->trace;
	size_t n = 0;
	uint32_t last_op = 15, run = 0;
	int i = end_i, j = end_j, state = 0; /* 0 H, 1 insertion, 2 deletion */
	while (i >= 0 && j >= 0) {
		const uint8_t tb = trace[(size_t)i * width - (i + lo) + j];
		if (state == 0) {
			const int source = tb & 3;
			if (source == 3) break; /* local start */
			if (source == 0) {
				if (push_op(dp, &n, GA_CIGAR_M, &last_op, &run) < 0) return -1;
				i--, j--;
				continue;
			}
			state = source;
		}
		if (state == 1) {
			if (push_op(dp, &n, GA_CIGAR_I, &last_op, &run) < 0) return -1;
			if (!(tb & 4)) state = 0;
			i--;
		} else {
			if (push_op(dp, &n, GA_CIGAR_D, &last_op, &run) < 0) return -1;
			if (!(tb & 8)) state = 0;
			j--;
		}
	}
	/* local alignments start where the traceback stops; the others start at (0, 0) */
	const int stopped = local || (i >= 0 && j >= 0);
	r->query_start = stopped ? i + 1 : 0;
	r->target_start = stopped ? j + 1 : 0;
	if (!stopped) {
		for (; i >= 0; i--)
			if (push_op(dp, &n, GA_CIGAR_I, &last_op, &run) < 0) return -1;
		for (; j >= 0; j--)
			if (push_op(dp, &n, GA_CIGAR_D, &last_op, &run) < 0) return -1;
	}
	if (run > 0) {
		if (ga_grow((void **)&dp->cigar, &dp->cigar_cap, n + 1, 4) < 0) return -1;
		dp->cigar[n++] = run << 4 | last_op;
	}
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
		uint32_t t = dp->cigar[a];
		dp->cigar[a] = dp->cigar[b], dp->cigar[b] = t;
	}
	r->cigar = dp->cigar;
	r->n_cigar = n;
	return 0;
}

int ga_dp_align(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                ga_dp_result_t *r)
{
	memset(r, 0, sizeof(*r));
	r->cigar = dp->cigar;
	if (qlen == 0 || tlen == 0) {
		if (mode == GA_DP_GLOBAL) {
			size_t n = 0;
			if (ga_grow((void **)&dp->cigar, &dp->cigar_cap, 2, 4) < 0) return -1;
			if (qlen > 0) dp->cigar[n++] = (uint32_t)qlen << 4 | GA_CIGAR_I;
			if (tlen > 0) dp->cigar[n++] = (uint32_t)tlen << 4 | GA_CIGAR_D;
			r->score = -(qlen > 0 ? sc->gap_open + qlen * sc->gap_extend : 0) - (tlen > 0 ? sc->gap_open + tlen * sc->gap_extend : 0);
			r->query_end = qlen, r->target_end = tlen;
			r->cigar = dp->cigar, r->n_cigar = n;
		}
		return 0;
	}
	const int local = mode == GA_DP_LOCAL;
	const int lo = mode == GA_DP_GLOBAL ? (tlen - qlen < 0 ? tlen - qlen : 0) - band : local ? -qlen : -band;
	const int hi = mode == GA_DP_GLOBAL ? (tlen - qlen > 0 ? tlen - qlen : 0) + band : local ? tlen : band;
	const int width = hi - lo + 1;
	if (ga_grow((void **)&dp->h, &dp->h_cap, (size_t)tlen + 2, 4) < 0 || ga_grow((void **)&dp->u, &dp->u_cap, (size_t)tlen + 2, 4) < 0) return -1;
	if (ga_grow((void **)&dp->trace, &dp->trace_cap, (size_t)qlen * width, 1) < 0) return -1;
	int32_t *H = dp->h, *U = dp->u;
	uint8_t *trace = dp->trace;
	const int32_t oe = sc->gap_open + sc->gap_extend, e = sc->gap_extend;
	/* substitution scores: row q of the table is the query base's */
	int8_t table[5][5];
	for (int a = 0; a < 5; a++)
		for (int b = 0; b < 5; b++) table[a][b] = a > 3 || b > 3 ? -1 : a == b ? sc->match : -sc->mismatch;

	/* row -1: H[-1][-1] = 0, leading deletions inside the band of row -1 */
	for (int j = 0; j < tlen + 2; j++) H[j] = NEG, U[j] = NEG;
	H[0] = 0;
	for (int j = 0; j <= (tlen - 1 < hi - 1 ? tlen - 1 : hi - 1); j++) H[j + 1] = local ? 0 : -(sc->gap_open + (j + 1) * e);

	int32_t best = 0, end_score = NEG;
	int best_i = -1, best_j = -1, end_j = -1, last_row = qlen - 1, zdropped = 0;
	for (int i = 0; i < qlen; i++) {
		const int j_start = i + lo > 0 ? i + lo : 0, j_end = i + hi < tlen - 1 ? i + hi : tlen - 1;
		if (j_start > j_end) {
			last_row = i - 1;
			break;
		}
		const int8_t *row_score = table[query[i] < 4 ? query[i] : 4];
		/* H[i][-1]: a leading insertion, inside the band only while -1 >= i + lo */
		const int32_t boundary = local ? 0 : -1 >= i + lo ? -(sc->gap_open + (i + 1) * e) : NEG;
		int32_t diag = H[j_start], del = NEG, h_left = j_start == 0 ? boundary : NEG;
		int32_t row_max = NEG;
		int row_max_j = j_start;
		uint8_t *row_trace = trace + (size_t)i * width - (i + lo);
		for (int j = j_start; j <= j_end; j++) {
			const int32_t h_up = H[j + 1];
			const int32_t ins_open = h_up - oe, ins_ext = U[j + 1] - e;
			const int32_t del_open = h_left - oe, del_ext = del - e;
			uint8_t tb = 0;
			int32_t ins, h;
			if (ins_ext > ins_open) ins = ins_ext, tb |= 4;
			else ins = ins_open;
			if (del_ext > del_open) del = del_ext, tb |= 8;
			else del = del_open;
			h = diag + row_score[target[j] < 4 ? target[j] : 4];
			if (ins > h) h = ins, tb |= 1;
			if (del > h) h = del, tb = (tb & ~3) | 2;
			if (local && h <= 0) h = 0, tb |= 3; /* local: the alignment may start here */
			row_trace[j] = tb;
			diag = h_up;
			H[j + 1] = h;
			U[j + 1] = ins;
			h_left = h;
			if (h > row_max) row_max = h, row_max_j = j;
		}
		H[0] = boundary;
		if (j_start > 0) H[j_start] = NEG; /* column j_start-1 leaves the band for the rows below */
		if (local) {
			if (row_max > best) best = row_max, best_i = i, best_j = row_max_j;
		} else if (mode == GA_DP_EXTEND) {
			if (row_max > best) best = row_max, best_i = i, best_j = row_max_j;
			else {
				const int diff = i - best_i - (row_max_j - best_j);
				if (best - row_max > sc->zdrop + e * (diff < 0 ? -diff : diff)) {
					last_row = i;
					zdropped = 1;
					break;
				}
			}
			if (i == qlen - 1) end_score = row_max, end_j = row_max_j;
		}
	}

	int end_i, end_t;
	if (mode == GA_DP_GLOBAL) {
		if (last_row < qlen - 1) return -2;
		end_i = qlen - 1, end_t = tlen - 1, r->score = H[tlen];
	} else if (mode == GA_DP_EXTEND && !zdropped && last_row == qlen - 1 && end_score != NEG && end_score + sc->end_bonus >= best) {
		end_i = qlen - 1, end_t = end_j, r->score = end_score;
	} else {
		end_i = best_i, end_t = best_j, r->score = best;
	}
	r->zdropped = zdropped;
	r->query_end = end_i + 1;
	r->target_end = end_t + 1;
	if (end_i >= 0) return trace_back(dp, width, lo, end_i, end_t, local, r);
	r->n_cigar = 0;
	return 0;
}

/*
 * Score of the best local alignment, no traceback: Farrar's striped Smith-Waterman (SSE2,
 * eight 16-bit lanes; SSE2 is the x86-64 baseline, so no runtime dispatch is needed), with
 * the first and last target columns where that score is reached. Mate rescue calls this
 * first: most windows do not score enough and need nothing more; the others run the
 * traceback DP only over the columns an optimal alignment can span (ga_local_align). The recurrences are ga_dp_align's local mode (H >= 0, gap of length L
 * costs open + L*extend, N scores -1), so the score is the same; the lazy-F pass also updates
 * E, so an insertion next to a deletion is allowed there as in the scalar DP. Other
 * architectures, and reads whose score could overflow 16 bits, use the scalar DP.
 */
#if defined(__SSE2__)
#include <emmintrin.h>

int ga_local_score(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int *first_end, int *last_end)
{
	*first_end = *last_end = -1;
	if (qlen == 0 || tlen == 0) return 0;
	if ((int64_t)qlen * sc->match > 30000) return -3;
	const int seg = (qlen + 7) / 8;
	/* 16-byte aligned vectors in the trace buffer: profile (5*seg), H store/load, E */
	const size_t vectors = (size_t)seg * 8 + 1;
	if (ga_grow((void **)&dp->trace, &dp->trace_cap, vectors * 16, 1) < 0) return -1;
	__m128i *base = (__m128i *)(((uintptr_t)dp->trace + 15) & ~(uintptr_t)15);
	__m128i *profile = base, *h_store = base + 5 * seg, *h_load = h_store + seg, *e_vec = h_load + seg;
	for (int c = 0; c < 5; c++) {
		int16_t *p = (int16_t *)(profile + c * seg);
		for (int s = 0; s < seg; s++)
			for (int lane = 0; lane < 8; lane++) {
				const int i = lane * seg + s;
				int16_t v = -1000; /* padding rows beyond the query never score */
				if (i < qlen) v = (int16_t)(query[i] > 3 || c > 3 ? -1 : query[i] == c ? sc->match : -sc->mismatch);
				p[s * 8 + lane] = v;
			}
	}
	const __m128i zero = _mm_setzero_si128(), gap_oe = _mm_set1_epi16((int16_t)(sc->gap_open + sc->gap_extend)),
	              gap_e = _mm_set1_epi16((int16_t)sc->gap_extend);
	int best = 0;
	for (int s = 0; s < seg; s++) h_store[s] = zero, h_load[s] = zero, e_vec[s] = zero;
	for (int j = 0; j < tlen; j++) {
		const __m128i *p = profile + (target[j] < 4 ? target[j] : 4) * seg;
		__m128i v_f = zero, v_h = _mm_slli_si128(h_store[seg - 1], 2), v_max = zero;
		__m128i *t = h_load;
		h_load = h_store, h_store = t;
		for (int s = 0; s < seg; s++) {
			v_h = _mm_adds_epi16(v_h, p[s]);
			__m128i v_e = e_vec[s];
			v_h = _mm_max_epi16(v_h, v_e);
			v_h = _mm_max_epi16(v_h, v_f);
			v_h = _mm_max_epi16(v_h, zero);
			v_max = _mm_max_epi16(v_max, v_h);
			h_store[s] = v_h;
			const __m128i v_open = _mm_subs_epi16(v_h, gap_oe);
			e_vec[s] = _mm_max_epi16(_mm_subs_epi16(v_e, gap_e), v_open);
			v_f = _mm_max_epi16(_mm_subs_epi16(v_f, gap_e), v_open);
			v_h = h_load[s];
		}
		/* lazy F: carry vertical gaps across lane boundaries until they change nothing */
		for (int k = 0; k < 8; k++) {
			v_f = _mm_slli_si128(v_f, 2);
			for (int s = 0; s < seg; s++) {
				__m128i h = _mm_max_epi16(h_store[s], v_f);
				h_store[s] = h;
				v_max = _mm_max_epi16(v_max, h);
				const __m128i v_open = _mm_subs_epi16(h, gap_oe);
				e_vec[s] = _mm_max_epi16(e_vec[s], v_open);
				v_f = _mm_subs_epi16(v_f, gap_e);
				if (!_mm_movemask_epi8(_mm_cmpgt_epi16(v_f, v_open))) goto next_column;
			}
		}
	next_column:;
		/* the column's best: the first and last columns reaching the overall best bound where
		 * optimal alignments end */
		v_max = _mm_max_epi16(v_max, _mm_srli_si128(v_max, 8));
		v_max = _mm_max_epi16(v_max, _mm_srli_si128(v_max, 4));
		v_max = _mm_max_epi16(v_max, _mm_srli_si128(v_max, 2));
		const int column_best = (int16_t)_mm_extract_epi16(v_max, 0);
		if (column_best > best) best = column_best, *first_end = *last_end = j;
		else if (column_best == best && best > 0) *last_end = j;
	}
	return best;
}
#else
int ga_local_score(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int *first_end, int *last_end)
{
	(void)dp, (void)query, (void)qlen, (void)target, (void)tlen, (void)sc;
	*first_end = *last_end = -1;
	return -3; /* no vector unit: the caller runs the scalar DP */
}
#endif

/*
 * Local alignment with traceback, the same result as ga_dp_align(GA_DP_LOCAL) over the whole
 * target but cheaper: the score-only pass bounds where optimal alignments end (columns
 * [first, last]); one with score S spans at most qlen + (match*qlen - S)/gap_extend target
 * bases, so every optimal alignment lies in [first + 1 - span, last]. Inside that window
 * cells on optimal paths keep their full-matrix values, so the first best cell (row-major)
 * and the traceback are the same. Windows scoring below min_score return the score alone.
 */
int ga_local_align(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, double min_score,
                   ga_dp_result_t *r)
{
	int first_end, last_end;
	const int score = ga_local_score(dp, query, qlen, target, tlen, sc, &first_end, &last_end);
	if (score == -1) return -1;
	if (score == -3 || sc->gap_extend <= 0) return ga_dp_align(dp, query, qlen, target, tlen, sc, 0, GA_DP_LOCAL, r);
	if (score < min_score || score == 0) {
		memset(r, 0, sizeof(*r));
		r->score = score;
		r->cigar = dp->cigar;
		return 0;
	}
	const int64_t span = (int64_t)qlen + ((int64_t)sc->match * qlen - score) / sc->gap_extend + 1;
	const int start = first_end + 1 - span > 0 ? (int)(first_end + 1 - span) : 0, end = last_end + 1;
	const int ret = ga_dp_align(dp, query, qlen, target + start, end - start, sc, 0, GA_DP_LOCAL, r);
	r->target_start += start;
	r->target_end += start;
	return ret;
}
