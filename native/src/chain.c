/*
 * Seeding and chaining (minimap2's algorithm, Li 2018 section 2.1): read minimizers are looked
 * up in the index to give anchors (reference end x, read end y, relative strand); anchors
 * sorted by (strand, x) are chained by dynamic programming, each anchor looking back over the
 * anchors within max_gap and bandwidth (minimap2's iteration cap and skip heuristic, below);
 * chains are backtracked from the best-scoring ends, each anchor used once.
 *
 * y is the read position of the k-mer's last base on the read *as aligned* (reverse
 * complemented for reverse-strand anchors), so x and y grow together along a chain.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga.h"

void ga_aligner_free(ga_aligner_t *a)
{
	free(a->read), free(a->read_rc);
	ga_minimizers_free(&a->mini);
	free(a->bucket_lo), free(a->bucket_hi);
	free(a->raw_x), free(a->raw_y), free(a->raw_rev), free(a->keys), free(a->keys_tmp);
	free(a->ax), free(a->ay), free(a->arev), free(a->f), free(a->p), free(a->tried), free(a->used), free(a->ends);
	free(a->chains), free(a->members);
	ga_dp_free(&a->dp);
	free(a->qbuf), free(a->tbuf), free(a->cigar), free(a->left), free(a->middle);
	memset(a, 0, sizeof(*a));
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

static inline uint32_t bucket_of(const ga_index_t *idx, uint32_t order) { return idx->bucket_shift == 32 ? 0 : order >> idx->bucket_shift; }

/* Entries of bucket [lo, hi) whose key equals check's: their count, the first at *start. */
static inline uint32_t lookup(const ga_index_t *idx, uint32_t lo, uint32_t hi, uint32_t check, uint32_t *start)
{
	const uint32_t *checks = idx->entry_check, key = check >> 1;
	uint32_t end;
	if (hi - lo > 16) { /* first entry with key >= ours */
		uint32_t a = lo, b = hi;
		while (a < b) {
			const uint32_t mid = a + ((b - a) >> 1);
			if (checks[mid] >> 1 < key) a = mid + 1;
			else b = mid;
		}
		lo = a;
	} else
		while (lo < hi && checks[lo] >> 1 < key) lo++;
	for (end = lo; end < hi && checks[end] >> 1 == key; end++)
		;
	*start = lo;
	return end - lo;
}

/* LSD radix sort of 64-bit keys on their low `bits` bits, 8 bits a pass (passes where every key
 * has the same digit are skipped); insertion sort for short arrays. */
static void radix_sort64(uint64_t *a, uint64_t *tmp, size_t n, int bits)
{
	if (n < 64) {
		for (size_t i = 1; i < n; i++) {
			const uint64_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	uint64_t *src = a, *dst = tmp;
	for (int shift = 0; shift < bits; shift += 8) {
		size_t count[256] = {0}, sum = 0;
		for (size_t i = 0; i < n; i++) count[src[i] >> shift & 255]++;
		if (count[src[0] >> shift & 255] == n) continue;
		for (int d = 0; d < 256; d++) {
			const size_t c = count[d];
			count[d] = sum, sum += c;
		}
		for (size_t i = 0; i < n; i++) dst[count[src[i] >> shift & 255]++] = src[i];
		uint64_t *t = src;
		src = dst, dst = t;
	}
	if (src != a) memcpy(a, src, n * sizeof(uint64_t));
}

static int ensure_anchors(ga_aligner_t *a, size_t need)
{
	if (need <= a->anchor_cap) return 0;
	size_t cap = a->anchor_cap, c;
#define GROW(p, size) \
	c = cap; \
	if (ga_grow((void **)&a->p, &c, need, size) < 0) return -1
	GROW(ax, 4);
	GROW(ay, 4);
	GROW(arev, 1);
	GROW(f, 8);
	GROW(p, 4);
	GROW(tried, 4);
	GROW(used, 1);
	GROW(ends, 4);
#undef GROW
	a->anchor_cap = c;
	return 0;
}

static int ensure_raw(ga_aligner_t *a, size_t need)
{
	if (need <= a->raw_cap) return 0;
	size_t cap = a->raw_cap, c;
#define GROW(p, size) \
	c = cap; \
	if (ga_grow((void **)&a->p, &c, need, size) < 0) return -1
	GROW(raw_x, 4);
	GROW(raw_y, 4);
	GROW(raw_rev, 1);
	GROW(keys, 8);
	GROW(keys_tmp, 8);
#undef GROW
	a->raw_cap = c;
	return 0;
}

/* Anchors of the stored read, sorted by (strand, x), duplicates (tied minimizers) dropped. */
static int collect_anchors(ga_aligner_t *a, int cutoff, ga_seed_stats_t *stats)
{
	const ga_index_t *idx = &a->index;
	const int k = idx->k, qlen = a->read_len;
	a->mini.n = 0;
	if (ga_sketch(a->read, (size_t)qlen, k, idx->w, 0, &a->mini) < 0) return -1;
	/* The index is far larger than the caches and every lookup is two or three random reads:
	 * fetch bucket bounds, then bucket entries, for all minimizers before using any, so the
	 * misses overlap instead of queueing one after another. */
	const size_t n_mini = a->mini.n;
	{
		size_t cap = a->bucket_cap;
		if (ga_grow((void **)&a->bucket_lo, &cap, n_mini, 4) < 0) return -1;
		cap = a->bucket_cap;
		if (ga_grow((void **)&a->bucket_hi, &cap, n_mini, 4) < 0) return -1;
		a->bucket_cap = cap;
	}
	for (size_t m = 0; m < n_mini; m++) PREFETCH(&idx->bucket_start[bucket_of(idx, a->mini.order[m])]);
	for (size_t m = 0; m < n_mini; m++) {
		const uint32_t b = bucket_of(idx, a->mini.order[m]);
		a->bucket_lo[m] = idx->bucket_start[b], a->bucket_hi[m] = idx->bucket_start[b + 1];
		PREFETCH(&idx->entry_check[a->bucket_lo[m]]);
		PREFETCH(&idx->entry_position[a->bucket_lo[m]]);
	}
	size_t count = 0;
	int repetitive = 0;
	/* the k-mers of repetitive minimizers, merged as they come (minimizers are in read order) */
	int repeat_start = 0, repeat_end = 0, repeat_length = 0;
	for (size_t m = 0; m < n_mini; m++) {
		uint32_t start;
		const uint32_t hits = lookup(idx, a->bucket_lo[m], a->bucket_hi[m], a->mini.check[m], &start);
		if (hits == 0) continue;
		if (hits > (uint32_t)cutoff) {
			repetitive++;
			const int kmer_end = (int)a->mini.position[m] + 1, kmer_start = kmer_end - k;
			if (kmer_start > repeat_end) {
				repeat_length += repeat_end - repeat_start;
				repeat_start = kmer_start;
			}
			repeat_end = kmer_end;
			continue;
		}
		if (count + hits > GA_MAX_ANCHORS) break;
		if (ensure_raw(a, count + hits) < 0) return -1;
		const uint32_t read_strand = a->mini.check[m] & 1, read_end = a->mini.position[m];
		const uint32_t reverse_y = (uint32_t)(qlen - (int)read_end + k - 2);
		for (uint32_t e = start; e < start + hits; e++) {
			const uint32_t reverse = (idx->entry_check[e] & 1) ^ read_strand;
			a->raw_x[count] = idx->entry_position[e];
			a->raw_y[count] = reverse ? reverse_y : read_end;
			a->raw_rev[count] = (uint8_t)reverse;
			count++;
		}
	}
	/* (strand, x, raw index) in 1 + 32 + 20 bits: the index keeps equal x in read order */
	for (size_t i = 0; i < count; i++) a->keys[i] = (uint64_t)a->raw_rev[i] << 52 | (uint64_t)a->raw_x[i] << GA_ANCHOR_INDEX_BITS | i;
	radix_sort64(a->keys, a->keys_tmp, count, 53);
	if (ensure_anchors(a, count) < 0) return -1;
	size_t kept = 0;
	for (size_t i = 0; i < count; i++) {
		const size_t raw = a->keys[i] & GA_MAX_ANCHORS;
		const uint32_t x = a->raw_x[raw], y = a->raw_y[raw];
		const uint8_t reverse = a->raw_rev[raw];
		if (kept > 0 && a->ax[kept - 1] == x && a->ay[kept - 1] == y && a->arev[kept - 1] == reverse) continue;
		a->ax[kept] = x, a->ay[kept] = y, a->arev[kept] = reverse;
		kept++;
	}
	a->n_anchors = kept;
	stats->minimizers = (int)a->mini.n;
	stats->repetitive = repetitive;
	stats->anchors = (int)kept;
	stats->repetitive_length = repeat_length + repeat_end - repeat_start;
	a->repetitive_length = stats->repetitive_length;
	return 0;
}

/* Score of extending a chain ending at anchor j by anchor i: the bases i adds (at most k) minus a
 * gap cost linear in the diagonal change plus its log2, as minimap2's; -INFINITY when i cannot
 * follow j (same reference position, read not advancing, gap or diagonal drift too large). */
static inline double link_score(int64_t xi, int64_t yi, int64_t xj, int64_t yj, int64_t k, int64_t max_gap, int64_t bandwidth, double gap_scale)
{
	const int64_t dr = xi - xj, dq = yi - yj;
	if (dr == 0 || dq <= 0 || dq > max_gap) return -INFINITY;
	const int64_t dd = dr > dq ? dr - dq : dq - dr;
	if (dd > bandwidth) return -INFINITY;
	const int64_t gained = dq < dr ? (dq < k ? dq : k) : (dr < k ? dr : k);
	double s = (double)gained;
	if (dd > 0) s -= gap_scale * (double)dd + 0.5 * log2((double)dd);
	return s;
}

/* Chaining DP (minimap2's mm_chain_dp): anchor i looks back over the anchors of its strand within
 * max_gap on the reference, at most GA_CHAIN_MAX_ITER of them, and stops early after max_skip
 * predecessors that did not improve its score and were already the predecessor of a nearer
 * anchor it tried (their chains are reachable through that anchor). The best-scoring anchor in
 * the max_gap window is always tried as well, even when the scan stopped before it.
 *
 * The look-back is in anchors, and in a tandem repeat the anchors are as deep at each reference
 * position as the read has copies of the unit: a fixed window of 50 anchors reached less than
 * one 62-bp unit back in a 2.4 kb array (chr20:1.24 Mb), so chains broke inside the array. */
static void chain_dp(ga_aligner_t *a)
{
	const size_t n = a->n_anchors;
	const uint32_t *xs = a->ax, *ys = a->ay;
	const uint8_t *rev = a->arev;
	double *f = a->f;
	int32_t *p = a->p, *tried = a->tried;
	const int64_t k = a->index.k, max_gap = a->chain.max_gap, bandwidth = a->chain.bandwidth;
	const int max_skip = a->chain.max_skip;
	const double gap_scale = 0.01 * (double)k;
	size_t window_start = 0;
	int64_t best_in_window = -1; /* the anchor with the best f within max_gap before i */
	for (size_t i = 0; i < n; i++) tried[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const int64_t xi = xs[i], yi = ys[i];
		const uint8_t ri = rev[i];
		while (window_start < i && (rev[window_start] != ri || xi - (int64_t)xs[window_start] > max_gap)) window_start++;
		const size_t start = i - window_start > GA_CHAIN_MAX_ITER ? i - GA_CHAIN_MAX_ITER : window_start;
		double best = (double)k;
		int32_t best_j = -1;
		int skipped = 0;
		int64_t j;
		for (j = (int64_t)i - 1; j >= (int64_t)start; j--) {
			const double link = link_score(xi, yi, xs[j], ys[j], k, max_gap, bandwidth, gap_scale);
			if (link == -INFINITY) continue;
			const double s = f[j] + link;
			if (s > best) {
				best = s, best_j = (int32_t)j;
				if (skipped > 0) skipped--;
			} else if (tried[j] == (int32_t)i && ++skipped > max_skip)
				break;
			if (p[j] >= 0) tried[p[j]] = (int32_t)i;
		}
		const int64_t scan_end = j; /* anchors in (scan_end, i) were tried */
		if (best_in_window < 0 || rev[best_in_window] != ri || xi - (int64_t)xs[best_in_window] > max_gap) {
			best_in_window = -1;
			for (int64_t m = (int64_t)i - 1; m >= (int64_t)start; m--)
				if (best_in_window < 0 || f[m] > f[best_in_window]) best_in_window = m;
		}
		if (best_in_window >= 0 && best_in_window <= scan_end) {
			const double link = link_score(xi, yi, xs[best_in_window], ys[best_in_window], k, max_gap, bandwidth, gap_scale);
			if (link != -INFINITY && f[best_in_window] + link > best) best = f[best_in_window] + link, best_j = (int32_t)best_in_window;
		}
		f[i] = best;
		p[i] = best_j;
		if (best_in_window < 0 || (rev[best_in_window] == ri && xi - (int64_t)xs[best_in_window] <= max_gap && f[best_in_window] < best))
			best_in_window = (int64_t)i;
	}
}

static int compare_chains(const void *pa, const void *pb)
{
	const ga_chain_t *a = pa, *b = pb;
	if (a->score != b->score) return a->score > b->score ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Sorts end indices by (score desc, index asc) without global state: merge sort. */
static void sort_ends(uint32_t *ends, uint32_t *tmp, size_t n, const double *f)
{
	if (n < 2) return;
	if (n < 32) {
		for (size_t i = 1; i < n; i++) {
			const uint32_t v = ends[i];
			size_t j = i;
			for (; j > 0 && (f[ends[j - 1]] < f[v] || (f[ends[j - 1]] == f[v] && ends[j - 1] > v)); j--) ends[j] = ends[j - 1];
			ends[j] = v;
		}
		return;
	}
	const size_t half = n / 2;
	sort_ends(ends, tmp, half, f);
	sort_ends(ends + half, tmp, n - half, f);
	size_t i = 0, j = half, o = 0;
	while (i < half && j < n) {
		const uint32_t x = ends[i], y = ends[j];
		if (f[x] > f[y] || (f[x] == f[y] && x < y)) tmp[o++] = x, i++;
		else tmp[o++] = y, j++;
	}
	while (i < half) tmp[o++] = ends[i++];
	while (j < n) tmp[o++] = ends[j++];
	memcpy(ends, tmp, n * 4);
}

static int backtrack(ga_aligner_t *a)
{
	const size_t n = a->n_anchors;
	const double *f = a->f;
	const int32_t *p = a->p;
	const int k = a->index.k;
	uint8_t *used = a->used;
	uint32_t *ends = a->ends;
	size_t n_ends = 0;
	memset(used, 0, n);
	for (size_t i = 0; i < n; i++)
		if (f[i] >= a->chain.min_chain_score) ends[n_ends++] = (uint32_t)i;
	/* keys_tmp (8 bytes an anchor) is free now and holds the merge buffer */
	if (ensure_raw(a, n_ends) < 0) return -1;
	sort_ends(ends, (uint32_t *)a->keys_tmp, n_ends, f);
	a->n_chains = 0;
	a->n_members = 0;
	for (size_t e = 0; e < n_ends; e++) {
		const uint32_t end = ends[e];
		if (used[end]) continue;
		const size_t first = a->n_members;
		int64_t i = end;
		while (i >= 0 && !used[i]) {
			if (ga_grow((void **)&a->members, &a->members_cap, a->n_members + 1, 4) < 0) return -1;
			a->members[a->n_members++] = (uint32_t)i;
			used[i] = 1;
			i = p[i];
		}
		/* a chain that ran into an already used anchor keeps only its own part of the score */
		const double score = f[end] - (i >= 0 ? f[i] : 0);
		const size_t count = a->n_members - first;
		if ((int)count < a->chain.min_chain_anchors || score < a->chain.min_chain_score) {
			a->n_members = first;
			continue;
		}
		for (size_t x = first, y = a->n_members - 1; x < y; x++, y--) {
			const uint32_t t = a->members[x];
			a->members[x] = a->members[y], a->members[y] = t;
		}
		if (ga_grow((void **)&a->chains, &a->chain_cap, a->n_chains + 1, sizeof(ga_chain_t)) < 0) return -1;
		ga_chain_t *c = &a->chains[a->n_chains];
		const uint32_t head = a->members[first], tail = a->members[a->n_members - 1];
		c->score = score;
		c->first = (uint32_t)first;
		c->count = (uint32_t)count;
		c->reverse = a->arev[head];
		c->query_start = a->ay[head] + 1 - k;
		c->query_end = a->ay[tail] + 1;
		c->ref_start = (double)a->ax[head] + 1 - k;
		c->ref_end = (double)a->ax[tail] + 1;
		c->order = (uint32_t)a->n_chains;
		a->n_chains++;
	}
	/* the order field makes qsort stable */
	qsort(a->chains, a->n_chains, sizeof(ga_chain_t), compare_chains);
	return 0;
}

int ga_seed_and_chain(ga_aligner_t *a, const uint8_t *read, int len, int cutoff, int rescue_cutoff, ga_seed_stats_t *stats)
{
	if (ga_grow((void **)&a->read, &a->read_cap, (size_t)len + 1, 1) < 0) return -1;
	if (ga_grow((void **)&a->read_rc, &a->read_rc_cap, (size_t)len + 1, 1) < 0) return -1;
	memcpy(a->read, read, (size_t)len);
	a->read_len = len;
	a->have_rc = 0;
	if (collect_anchors(a, cutoff, stats) < 0) return -1;
	chain_dp(a);
	if (backtrack(a) < 0) return -1;
	if (a->n_chains == 0 && stats->repetitive > 0) {
		if (collect_anchors(a, rescue_cutoff > cutoff ? rescue_cutoff : cutoff, stats) < 0) return -1;
		chain_dp(a);
		if (backtrack(a) < 0) return -1;
	}
	return 0;
}
