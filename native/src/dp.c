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
 * Two kernels compute it: ga_dp_align_rows, row by row and scalar (every architecture, small
 * problems), and dp_align_avx2 along anti-diagonals (x86-64 with AVX2, checked at run time),
 * which gives identical results. Local mode goes through ga_local_align: an SSE2 score-only
 * pass first, then the traceback DP over the columns an optimal alignment can span.
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
	free(dp->ad_base), free(dp->ad_h), free(dp->ad_row), free(dp->ad_seq);
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
/* Traceback byte of cell (i, j): row layout (scalar kernel) or anti-diagonal layout, where
 * anti-diagonal r = i + j starts at ad_base[r] + i (AVX2 kernel). */
static inline uint8_t trace_at(const ga_dp_t *dp, const int64_t *ad_base, int width, int lo, int i, int j)
{
	return ad_base ? dp->trace[ad_base[i + j] + i] : dp->trace[(size_t)i * width - (i + lo) + j];
}

static int trace_back(ga_dp_t *dp, const int64_t *ad_base, int width, int lo, int end_i, int end_j, int local, ga_dp_result_t *r)
{
	size_t n = 0;
	uint32_t last_op = 15, run = 0;
	int i = end_i, j = end_j, state = 0; /* 0 H, 1 insertion, 2 deletion */
	while (i >= 0 && j >= 0) {
		const uint8_t tb = trace_at(dp, ad_base, width, lo, i, j);
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

static int dp_align_avx2(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                         ga_dp_result_t *r);
static int have_avx2(void);

int ga_dp_align(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                ga_dp_result_t *r)
{
	/* the vector kernel pays off from a few vectors per anti-diagonal */
	if (qlen >= 16 && tlen >= 16 && have_avx2()) return dp_align_avx2(dp, query, qlen, target, tlen, sc, band, mode, r);
	return ga_dp_align_rows(dp, query, qlen, target, tlen, sc, band, mode, r);
}

/* The row-wise scalar kernel (every architecture; small problems). */
int ga_dp_align_rows(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
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
	if (end_i >= 0) return trace_back(dp, NULL, width, lo, end_i, end_t, local, r);
	r->n_cigar = 0;
	return 0;
}

/*
 * The same DP, vectorised along anti-diagonals (AVX2, eight 32-bit lanes). Cells of one
 * anti-diagonal r = i + j are independent (a cell needs r-1 for its left and upper
 * neighbours and r-2 for its diagonal), so each lane runs exactly the scalar recurrence of
 * one cell, with the scalar's tie-breaking: scores, CIGARs, Z-drop and end choice are
 * identical to the row-wise kernel (tests/unit/align/kernels.test.ts checks both against a
 * brute-force Gotoh). Per-row maxima are kept per row; rows complete in order (row i ends on
 * anti-diagonal i + j_end(i)), so Z-drop is decided row by row as in the scalar kernel.
 * 32-bit scores need no difference encoding (ksw2's 8-bit trick) and never overflow here.
 * Used when the CPU has AVX2 (checked at run time); otherwise the row-wise kernel runs.
 */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

static int have_avx2(void)
{
	__builtin_cpu_init(); /* idempotent; needed before __builtin_cpu_supports in some loaders */
	return __builtin_cpu_supports("avx2");
}

static inline int floor_half(int x) { return x >= 0 ? x / 2 : -((1 - x) / 2); }
static inline int ceil_half(int x) { return x >= 0 ? (x + 1) / 2 : -((-x) / 2); }

__attribute__((target("avx2"))) static int dp_align_avx2(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen,
                                                         const ga_scoring_t *sc, int band, int mode, ga_dp_result_t *r)
{
	memset(r, 0, sizeof(*r));
	r->cigar = dp->cigar;
	const int local = mode == GA_DP_LOCAL;
	const int lo = mode == GA_DP_GLOBAL ? (tlen - qlen < 0 ? tlen - qlen : 0) - band : local ? -qlen : -band;
	const int hi = mode == GA_DP_GLOBAL ? (tlen - qlen > 0 ? tlen - qlen : 0) + band : local ? tlen : band;
	const int width = hi - lo + 1;
	const int32_t oe = sc->gap_open + sc->gap_extend, e = sc->gap_extend;
	/* rows whose band holds a column (the scalar kernel stops at the first empty row) */
	const int n_rows = (int64_t)qlen < (int64_t)tlen - lo ? qlen : tlen - lo;
	if (n_rows <= 0 || width < 3) goto scalar;
	const int r_last = (n_rows - 1) + ((n_rows - 1) + hi < tlen - 1 ? (n_rows - 1) + hi : tlen - 1);

	/* trace layout: anti-diagonal r holds rows i_min(r)..i_max(r), from ad_base[r] + i */
	if (ga_grow((void **)&dp->ad_base, &dp->ad_base_cap, (size_t)r_last + 1, 8) < 0) return -1;
	int64_t cells = 0;
	for (int d = 0; d <= r_last; d++) {
		int i_min = ceil_half(d - hi), i_max = floor_half(d - lo);
		if (i_min < 0) i_min = 0;
		if (i_min < d - (tlen - 1)) i_min = d - (tlen - 1);
		if (i_max > d) i_max = d;
		if (i_max > n_rows - 1) i_max = n_rows - 1;
		if (i_max < i_min) goto scalar; /* a gap in the band: leave it to the row-wise kernel */
		dp->ad_base[d] = cells - i_min;
		cells += i_max - i_min + 1;
	}
	if (ga_grow((void **)&dp->trace, &dp->trace_cap, (size_t)cells + 64, 1) < 0) return -1;
	const size_t stride = (size_t)qlen + 2 + 16;
	if (ga_grow((void **)&dp->ad_h, &dp->ad_h_cap, 9 * stride, 4) < 0) return -1;
	if (ga_grow((void **)&dp->ad_row, &dp->ad_row_cap, 2 * ((size_t)qlen + 16), 4) < 0) return -1;
	if (ga_grow((void **)&dp->ad_seq, &dp->ad_seq_cap, (size_t)qlen + tlen + 64, 1) < 0) return -1;
	int32_t *Hs[3], *Us[3], *Ds[3];
	for (int k = 0; k < 3; k++) Hs[k] = dp->ad_h + k * stride, Us[k] = dp->ad_h + (3 + k) * stride, Ds[k] = dp->ad_h + (6 + k) * stride;
	int32_t *row_max = dp->ad_row, *row_max_j = dp->ad_row + qlen + 16;
	uint8_t *qbuf = dp->ad_seq, *trev = dp->ad_seq + qlen + 32;
	memcpy(qbuf, query, (size_t)qlen);
	memset(qbuf + qlen, 4, 32);
	for (int j = 0; j < tlen; j++) trev[j] = target[tlen - 1 - j]; /* j = r - i runs down as i runs up */
	memset(trev + tlen, 4, 32);
	for (int i = 0; i < qlen + 16; i++) row_max[i] = NEG, row_max_j[i] = i + lo > 0 ? i + lo : 0;

	/* row -1 and column -1 (the scalar kernel's boundary), and anti-diagonals -2 and -1:
	 * H(-1,-1) = 0, H(-1,0), H(0,-1) */
	const int row_minus1_last = tlen - 1 < hi - 1 ? tlen - 1 : hi - 1;
#define ROW_MINUS1(j) ((j) < 0 ? 0 : (j) <= row_minus1_last ? (local ? 0 : -(sc->gap_open + ((j) + 1) * e)) : NEG)
#define COLUMN_MINUS1(i) (local ? 0 : -1 >= (i) + lo ? -(sc->gap_open + ((i) + 1) * e) : NEG)
	for (int k = 0; k < 3; k++)
		for (size_t x = 0; x < stride; x++) Hs[k][x] = NEG, Us[k][x] = NEG, Ds[k][x] = NEG;
	/* anti-diagonal d lives in set d mod 3: -2 in set 1, -1 in set 2 */
	int32_t *H2 = Hs[1], *H1 = Hs[2], *U1 = Us[2], *D1 = Ds[2];
	H2[0] = 0;
	H1[0] = ROW_MINUS1(0), H1[1] = COLUMN_MINUS1(0);

	const __m256i v_oe = _mm256_set1_epi32(oe), v_e = _mm256_set1_epi32(e), v_zero = _mm256_setzero_si256();
	const __m256i v_one = _mm256_set1_epi32(1), v_two = _mm256_set1_epi32(2), v_three = _mm256_set1_epi32(3), v_four = _mm256_set1_epi32(4),
	              v_eight = _mm256_set1_epi32(8), v_match = _mm256_set1_epi32(sc->match), v_mismatch = _mm256_set1_epi32(-sc->mismatch),
	              v_minus1 = _mm256_set1_epi32(-1), v_iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	/* low byte of each 32-bit lane to the front of its 128-bit half, then both halves together */
	const __m256i pick_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1,
	                                            -1, -1, -1, -1, -1);
	const __m256i join_halves = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);

	int32_t best = 0, end_score = NEG, final_h = NEG;
	int best_i = -1, best_j = -1, end_j = -1, last_row = n_rows - 1, zdropped = 0, next_row = 0;
	for (int d = 0; d <= r_last; d++) {
		int32_t *Hc = Hs[d % 3], *Uc = Us[d % 3], *Dc = Ds[d % 3];
		int i_min = ceil_half(d - hi), i_max = floor_half(d - lo);
		if (i_min < 0) i_min = 0;
		if (i_min < d - (tlen - 1)) i_min = d - (tlen - 1);
		if (i_max > d) i_max = d;
		if (i_max > n_rows - 1) i_max = n_rows - 1;
		uint8_t *trace = dp->trace + dp->ad_base[d];
		for (int i = i_min; i <= i_max; i += 8) {
			const __m256i diag = _mm256_loadu_si256((const __m256i *)(H2 + i));
			const __m256i up = _mm256_loadu_si256((const __m256i *)(H1 + i));
			const __m256i up_ins = _mm256_loadu_si256((const __m256i *)(U1 + i));
			const __m256i left = _mm256_loadu_si256((const __m256i *)(H1 + i + 1));
			const __m256i left_del = _mm256_loadu_si256((const __m256i *)(D1 + i + 1));
			const __m256i q = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(qbuf + i)));
			const __m256i t = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(trev + (tlen - 1 - d + i))));
			/* substitution: match, mismatch, or -1 against an ambiguous base */
			__m256i s = _mm256_blendv_epi8(v_mismatch, v_match, _mm256_cmpeq_epi32(q, t));
			s = _mm256_blendv_epi8(s, v_minus1, _mm256_cmpgt_epi32(_mm256_max_epi32(q, t), v_three));
			const __m256i ins_open = _mm256_sub_epi32(up, v_oe), ins_ext = _mm256_sub_epi32(up_ins, v_e);
			const __m256i ins_extended = _mm256_cmpgt_epi32(ins_ext, ins_open);
			const __m256i ins = _mm256_max_epi32(ins_open, ins_ext);
			const __m256i del_open = _mm256_sub_epi32(left, v_oe), del_ext = _mm256_sub_epi32(left_del, v_e);
			const __m256i del_extended = _mm256_cmpgt_epi32(del_ext, del_open);
			const __m256i del = _mm256_max_epi32(del_open, del_ext);
			__m256i h = _mm256_add_epi32(diag, s);
			const __m256i from_ins = _mm256_cmpgt_epi32(ins, h);
			h = _mm256_max_epi32(h, ins);
			const __m256i from_del = _mm256_cmpgt_epi32(del, h);
			h = _mm256_max_epi32(h, del);
			__m256i tb = _mm256_or_si256(_mm256_and_si256(ins_extended, v_four), _mm256_and_si256(del_extended, v_eight));
			tb = _mm256_or_si256(tb, _mm256_blendv_epi8(_mm256_and_si256(from_ins, v_one), v_two, from_del));
			if (local) { /* the alignment may start here */
				const __m256i start = _mm256_cmpgt_epi32(v_one, h);
				h = _mm256_max_epi32(h, v_zero);
				tb = _mm256_or_si256(tb, _mm256_and_si256(start, v_three));
			}
			_mm256_storeu_si256((__m256i *)(Hc + i + 1), h);
			_mm256_storeu_si256((__m256i *)(Uc + i + 1), ins);
			_mm256_storeu_si256((__m256i *)(Dc + i + 1), del);
			const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(tb, pick_bytes), join_halves);
			_mm_storel_epi64((__m128i *)(trace + i), _mm256_castsi256_si128(bytes));
			/* per-row best; a row's cells arrive in increasing j, so '>' keeps the first */
			const __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(i_max - i + 1), v_iota);
			const __m256i old_max = _mm256_loadu_si256((const __m256i *)(row_max + i));
			const __m256i better = _mm256_and_si256(_mm256_cmpgt_epi32(h, old_max), valid);
			_mm256_storeu_si256((__m256i *)(row_max + i), _mm256_blendv_epi8(old_max, h, better));
			const __m256i old_j = _mm256_loadu_si256((const __m256i *)(row_max_j + i));
			const __m256i j = _mm256_sub_epi32(_mm256_set1_epi32(d - i), v_iota);
			_mm256_storeu_si256((__m256i *)(row_max_j + i), _mm256_blendv_epi8(old_j, j, better));
		}
		/* the slots next to this anti-diagonal's cells, as later anti-diagonals read them */
		Hc[i_min] = i_min == 0 ? ROW_MINUS1(d + 1) : NEG, Uc[i_min] = NEG, Dc[i_min] = NEG;
		Hc[i_max + 2] = i_max == d ? COLUMN_MINUS1(i_max + 1) : NEG, Uc[i_max + 2] = NEG, Dc[i_max + 2] = NEG;
		if (d == qlen + tlen - 2) final_h = Hc[qlen];
		/* rows completed by this anti-diagonal, in order: the scalar kernel's per-row logic */
		while (next_row < n_rows) {
			const int i = next_row, j_end = i + hi < tlen - 1 ? i + hi : tlen - 1;
			if (i + j_end > d) break;
			next_row++;
			if (local) {
				if (row_max[i] > best) best = row_max[i], best_i = i, best_j = row_max_j[i];
			} else if (mode == GA_DP_EXTEND) {
				if (row_max[i] > best) best = row_max[i], best_i = i, best_j = row_max_j[i];
				else {
					const int diff = i - best_i - (row_max_j[i] - best_j);
					if (best - row_max[i] > sc->zdrop + e * (diff < 0 ? -diff : diff)) {
						last_row = i;
						zdropped = 1;
						goto done;
					}
				}
				if (i == qlen - 1) end_score = row_max[i], end_j = row_max_j[i];
			}
		}
		H2 = H1, H1 = Hc, U1 = Uc, D1 = Dc;
	}
done:;
	int end_i, end_t;
	if (mode == GA_DP_GLOBAL) {
		if (last_row < qlen - 1) return -2;
		end_i = qlen - 1, end_t = tlen - 1, r->score = final_h;
	} else if (mode == GA_DP_EXTEND && !zdropped && last_row == qlen - 1 && end_score != NEG && end_score + sc->end_bonus >= best) {
		end_i = qlen - 1, end_t = end_j, r->score = end_score;
	} else {
		end_i = best_i, end_t = best_j, r->score = best;
	}
	r->zdropped = zdropped;
	r->query_end = end_i + 1;
	r->target_end = end_t + 1;
	if (end_i >= 0) return trace_back(dp, dp->ad_base, width, lo, end_i, end_t, local, r);
	r->n_cigar = 0;
	return 0;
#undef ROW_MINUS1
#undef COLUMN_MINUS1
scalar:
	return ga_dp_align_rows(dp, query, qlen, target, tlen, sc, band, mode, r);
}
#else
static int have_avx2(void) { return 0; }
static int dp_align_avx2(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                         ga_dp_result_t *r)
{
	return ga_dp_align_rows(dp, query, qlen, target, tlen, sc, band, mode, r);
}
#endif

/*
 * Score of the best local alignment, no traceback: Farrar's striped Smith-Waterman (SSE2,
 * eight 16-bit lanes; SSE2 is the x86-64 baseline, so no runtime dispatch is needed), with
 * the first and last target columns where that score is reached. Mate rescue calls this
 * first: most windows do not score enough and need nothing more; the others run the
 * traceback DP only over the columns an optimal alignment can span (ga_local_align). The
 * recurrences are ga_dp_align's local mode (H >= 0, a gap of length L costs open + L*extend,
 * N scores -1), so the score is the same; the lazy-F pass also updates E, so an insertion
 * next to a deletion is allowed as in the DP. Other architectures, and reads whose score
 * could overflow 16 bits, run the traceback DP over the whole window.
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
