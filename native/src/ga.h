/*
 * GenomAIc's native alignment kernel: the per-read core of engine/align (minimizer sketch,
 * seed lookup, chaining, banded affine-gap DP, chain extension) and the reference unpacker.
 * Algorithms follow minimap2/ksw2 (Li 2018, MIT); no code is copied. Orchestration, MAPQ,
 * pairing and records stay in TypeScript (engine/align/read-aligner.ts).
 *
 * Nucleotide codes everywhere: A=0 C=1 G=2 T=3, anything else 4.
 */
#ifndef GA_H
#define GA_H

#include <stddef.h>
#include <stdint.h>

#define GA_MAX_KMER 28
/* Anchors per read are capped so (strand, x, raw index) packs into 53 bits. */
#define GA_ANCHOR_INDEX_BITS 20
#define GA_MAX_ANCHORS ((1u << GA_ANCHOR_INDEX_BITS) - 1)

/* CIGAR ops as BAM packs them: length << 4 | op. */
#define GA_CIGAR_M 0
#define GA_CIGAR_I 1
#define GA_CIGAR_D 2
#define GA_CIGAR_S 4

/* Growable array helper: ensures *cap >= need (elements of `size` bytes). 0, or -1 on OOM. */
int ga_grow(void **ptr, size_t *cap, size_t need, size_t size);

/* ---- minimizers (sketch.c) ---- */

typedef struct {
	uint32_t *order, *check, *position;
	size_t n, cap;
} ga_minimizers_t;

void ga_minimizers_free(ga_minimizers_t *v);
/* Appends the (w,k)-minimizers of codes[0..len) with positions + offset. 0, or -1 on OOM. */
int ga_sketch(const uint8_t *codes, size_t len, int k, int w, uint64_t offset, ga_minimizers_t *out);

/* ---- reference (extend.c) ---- */

typedef struct {
	const uint8_t *packed; /* 4 bases per byte, base i at bits 2*(i&3) */
	size_t packed_bytes;
	const uint32_t *runs; /* ambiguous runs as [start, end) pairs, sorted */
	size_t run_count;
	const double *contig_offset, *contig_length;
	size_t contig_count;
} ga_reference_t;

/* Codes of global [start, end) into out (outside the packed range: N). */
void ga_fetch(const ga_reference_t *ref, int64_t start, int64_t end, uint8_t *out);
size_t ga_contig_at(const ga_reference_t *ref, double position);

/* ---- banded DP (dp.c) ---- */

typedef struct {
	int match, mismatch, gap_open, gap_extend, zdrop, end_bonus;
} ga_scoring_t;

enum { GA_DP_GLOBAL = 0, GA_DP_EXTEND = 1, GA_DP_LOCAL = 2 };

typedef struct {
	int score;
	int query_start, target_start, query_end, target_end;
	int zdropped;
	uint32_t *cigar; /* points into the workspace; valid until the next call */
	size_t n_cigar;
} ga_dp_result_t;

typedef struct {
	int32_t *h, *u;
	size_t h_cap, u_cap;
	uint8_t *trace;
	size_t trace_cap;
	uint32_t *cigar;
	size_t cigar_cap;
	/* AVX2 kernel: anti-diagonal trace offsets, H/U/D for three anti-diagonals, per-row
	 * best, padded query and reversed target */
	int64_t *ad_base;
	size_t ad_base_cap;
	int32_t *ad_h;
	size_t ad_h_cap;
	int32_t *ad_row;
	size_t ad_row_cap;
	uint8_t *ad_seq;
	size_t ad_seq_cap;
} ga_dp_t;

void ga_dp_free(ga_dp_t *dp);
/* 0; -1 on OOM; -2 when a global alignment leaves the band (a caller bug). */
int ga_dp_align(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                ga_dp_result_t *result);

/* The row-wise scalar kernel alone (ga_dp_align picks it or the AVX2 one; tests compare them). */
int ga_dp_align_rows(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int band, int mode,
                     ga_dp_result_t *r);
/* Best local alignment score only (SIMD), with the first and last target columns reaching it;
 * -3 when unavailable here (use ga_dp_align), -1 on OOM. */
int ga_local_score(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, int *first_end, int *last_end);
/* ga_dp_align's local mode through the SIMD score pass: below min_score, the score alone. */
int ga_local_align(ga_dp_t *dp, const uint8_t *query, int qlen, const uint8_t *target, int tlen, const ga_scoring_t *sc, double min_score,
                   ga_dp_result_t *r);

/* ---- index, seeds, chains, extension (chain.c, extend.c) ---- */

typedef struct {
	const uint32_t *bucket_start, *entry_check, *entry_position;
	int bucket_shift; /* 32 - bucket bits */
	int k, w;
	ga_reference_t ref;
} ga_index_t;

/* Chaining looks back at most this many anchors (minimap2's --max-chain-iter). */
#define GA_CHAIN_MAX_ITER 5000

typedef struct {
	/* max_skip: the look-back stops after this many predecessors that fail to improve the score
	 * and were already reached through a nearer anchor (minimap2's --max-chain-skip) */
	int max_gap, bandwidth, max_skip, min_chain_anchors;
	double min_chain_score;
} ga_chain_params_t;

typedef struct {
	double score;
	uint32_t first; /* into ga_aligner_t.members */
	uint32_t count;
	int reverse;
	uint32_t query_start, query_end;
	double ref_start, ref_end; /* global coordinates, may exceed 2^31 */
	uint32_t order;            /* backtrack order: the tie-break of the final sort */
} ga_chain_t;

typedef struct {
	ga_index_t index;
	ga_chain_params_t chain;
	ga_scoring_t scoring;
	int extension_band;
	/* the current read and its reverse complement (made on demand) */
	uint8_t *read, *read_rc;
	size_t read_cap, read_rc_cap;
	int read_len, have_rc;
	/* read bases covered by minimizers cut as repetitive in the last seeding pass (MAPQ evidence) */
	int repetitive_length;
	/* seeding */
	ga_minimizers_t mini;
	uint32_t *bucket_lo, *bucket_hi; /* per minimizer: its bucket's entry range */
	size_t bucket_cap;
	uint32_t *raw_x, *raw_y;
	uint8_t *raw_rev;
	uint64_t *keys, *keys_tmp;
	size_t raw_cap;
	uint32_t *ax, *ay;
	uint8_t *arev;
	double *f;
	int32_t *p;
	int32_t *tried; /* chaining: tried[j] == i when j is the predecessor of an anchor tried for i */
	uint8_t *used;
	uint32_t *ends;
	size_t anchor_cap;
	size_t n_anchors;
	/* chains */
	ga_chain_t *chains;
	size_t n_chains, chain_cap;
	uint32_t *members;
	size_t n_members, members_cap;
	/* extension */
	ga_dp_t dp;
	uint8_t *qbuf, *tbuf;
	size_t qbuf_cap, tbuf_cap;
	uint32_t *cigar, *left, *middle;
	size_t cigar_n, cigar_cap, left_n, left_cap, middle_n, middle_cap;
} ga_aligner_t;

typedef struct {
	int minimizers, repetitive, anchors;
	/* read bases covered by the repetitive minimizers (union of their k-mers): minimap2's rep_len */
	int repetitive_length;
} ga_seed_stats_t;

void ga_aligner_free(ga_aligner_t *a);
/* Stores the read, seeds and chains it (second pass with rescue_cutoff when nothing chains). */
int ga_seed_and_chain(ga_aligner_t *a, const uint8_t *read, int len, int cutoff, int rescue_cutoff, ga_seed_stats_t *stats);

typedef struct {
	size_t contig;
	double ref_start; /* global */
	int ref_span, query_start, query_end, score;
	const uint32_t *cigar;
	size_t n_cigar;
} ga_hit_t;

/* 1 with a hit, 0 when the chain gives nothing worth reporting, -1 on OOM. */
int ga_extend_chain(ga_aligner_t *a, size_t chain_index, ga_hit_t *hit);

#endif
