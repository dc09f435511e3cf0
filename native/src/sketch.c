/*
 * (w,k)-minimizer sketch, as minimap2's mm_sketch (Roberts et al. 2004, Li 2018): of every w
 * consecutive canonical k-mers keep the one with the smallest hash; ties with the window
 * minimum are all kept. The index builder and every read use this one function, so equal
 * k-mers (on either strand) give equal keys. The hashes are part of the .gmi file format:
 * changing them invalidates every cached index (bump INDEX_FORMAT_VERSION).
 *
 * A k-mer (k <= 28) is held as two words, `lo` (last 16 bases) and `hi` (older ones), the
 * layout the index format was defined with. `order` ranks k-mers in a window and picks the
 * index bucket; `check` (strand in bit 0) tells keys in a bucket apart.
 */
#include <stdlib.h>
#include <string.h>

#include "ga.h"

#define NO_HASH (1ULL << 32) /* above every 32-bit hash: an empty window slot */

int ga_grow(void **ptr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap) return 0;
	size_t m = *cap ? *cap : 64;
	while (m < need) m <<= 1;
	void *p = realloc(*ptr, m * size);
	if (!p) return -1;
	*ptr = p;
	*cap = m;
	return 0;
}

static inline uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t order_hash(uint32_t lo, uint32_t hi) { return fmix32(lo ^ (fmix32(hi ^ 0x3c6ef372u) * 0x9e3779b1u)); }

static inline uint32_t check_hash(uint32_t lo, uint32_t hi) { return fmix32((lo ^ 0x5bd1e995u) * 0x27d4eb2du + fmix32(hi + 0x7f4a7c15u)); }

void ga_minimizers_free(ga_minimizers_t *v)
{
	free(v->order);
	free(v->check);
	free(v->position);
	memset(v, 0, sizeof(*v));
}

static int push(ga_minimizers_t *v, uint64_t order, uint32_t check, int64_t position)
{
	if (v->n == v->cap) {
		size_t m = v->cap ? v->cap << 1 : 1024;
		uint32_t *o = realloc(v->order, m * 4), *c, *p;
		if (!o) return -1;
		v->order = o;
		if (!(c = realloc(v->check, m * 4))) return -1;
		v->check = c;
		if (!(p = realloc(v->position, m * 4))) return -1;
		v->position = p;
		v->cap = m;
	}
	v->order[v->n] = (uint32_t)order;
	v->check[v->n] = check;
	v->position[v->n] = (uint32_t)position;
	v->n++;
	return 0;
}

#define PUSH(o, c, p) \
	do { \
		if (push(out, (o), (c), (p)) < 0) return -1; \
	} while (0)

int ga_sketch(const uint8_t *codes, size_t len, int k, int w, uint64_t offset, ga_minimizers_t *out)
{
	const int lo_bases = k < 16 ? k : 16, hi_bases = k - lo_bases;
	const uint32_t lo_mask = lo_bases == 16 ? 0xffffffffu : (1u << (2 * lo_bases)) - 1;
	const uint32_t hi_mask = hi_bases == 0 ? 0 : (1u << (2 * hi_bases)) - 1;
	/* where a k-mer's first base lands in the reverse complement's words */
	const int rev_shift_lo = 2 * (lo_bases - 1), rev_shift_hi = hi_bases > 0 ? 2 * (hi_bases - 1) : 0;
	uint64_t buf_order[256];
	uint32_t buf_check[256];
	int64_t buf_pos[256];
	uint32_t fwd_lo = 0, fwd_hi = 0, rev_lo = 0, rev_hi = 0, min_check = 0;
	uint64_t min_order = NO_HASH, run = 0; /* run: consecutive unambiguous bases ending here */
	int64_t min_pos = -1;
	int slot = 0, min_slot = 0, j;
	const uint64_t full = (uint64_t)(w + k - 1);

	for (j = 0; j < w; j++) buf_order[j] = NO_HASH, buf_check[j] = 0, buf_pos[j] = -1;
	for (size_t i = 0; i < len; i++) {
		const uint8_t c = codes[i];
		uint64_t order = NO_HASH;
		uint32_t check = 0;
		if (c < 4) {
			fwd_hi = ((fwd_hi << 2) | (fwd_lo >> (2 * lo_bases - 2))) & hi_mask;
			fwd_lo = ((fwd_lo << 2) | c) & lo_mask;
			if (hi_bases > 0) {
				rev_lo = ((rev_lo >> 2) | ((rev_hi & 3) << rev_shift_lo)) & lo_mask;
				rev_hi = (rev_hi >> 2) | ((uint32_t)(3 - c) << rev_shift_hi);
			} else
				rev_lo = (rev_lo >> 2) | ((uint32_t)(3 - c) << rev_shift_lo);
			/* palindromes have no strand and are skipped */
			if (++run >= (uint64_t)k && (fwd_hi != rev_hi || fwd_lo != rev_lo)) {
				const int reverse = fwd_hi > rev_hi || (fwd_hi == rev_hi && fwd_lo > rev_lo);
				const uint32_t lo = reverse ? rev_lo : fwd_lo, hi = reverse ? rev_hi : fwd_hi;
				order = order_hash(lo, hi);
				check = (check_hash(lo, hi) & ~1u) | (uint32_t)reverse;
			}
		} else {
			run = 0;
			fwd_lo = fwd_hi = rev_lo = rev_hi = 0;
		}
		buf_order[slot] = order;
		buf_check[slot] = check;
		buf_pos[slot] = order == NO_HASH ? -1 : (int64_t)(i + offset);

		if (run == full && min_order != NO_HASH) {
			/* first full window: ties with the minimum are minimizers too */
			for (j = slot + 1; j < w; j++)
				if (buf_order[j] == min_order && buf_pos[j] != min_pos) PUSH(min_order, buf_check[j], buf_pos[j]);
			for (j = 0; j < slot; j++)
				if (buf_order[j] == min_order && buf_pos[j] != min_pos) PUSH(min_order, buf_check[j], buf_pos[j]);
		}
		if (order <= min_order) {
			if (run >= full + 1 && min_order != NO_HASH) PUSH(min_order, min_check, min_pos);
			min_order = order, min_check = check, min_pos = buf_pos[slot], min_slot = slot;
		} else if (slot == min_slot) {
			/* the minimum left the window: emit it and rescan */
			if (run >= full && min_order != NO_HASH) PUSH(min_order, min_check, min_pos);
			min_order = NO_HASH;
			for (j = slot + 1; j < w; j++)
				if (buf_order[j] <= min_order) min_order = buf_order[j], min_check = buf_check[j], min_pos = buf_pos[j], min_slot = j;
			for (j = 0; j <= slot; j++)
				if (buf_order[j] <= min_order) min_order = buf_order[j], min_check = buf_check[j], min_pos = buf_pos[j], min_slot = j;
			if (run >= full && min_order != NO_HASH) {
				for (j = slot + 1; j < w; j++)
					if (buf_order[j] == min_order && buf_pos[j] != min_pos) PUSH(min_order, buf_check[j], buf_pos[j]);
				for (j = 0; j <= slot; j++)
					if (buf_order[j] == min_order && buf_pos[j] != min_pos) PUSH(min_order, buf_check[j], buf_pos[j]);
			}
		}
		if (c >= 4) {
			/* an N ends every window: flush the minimum, as minimap2 */
			if (min_order != NO_HASH) PUSH(min_order, min_check, min_pos);
			min_order = NO_HASH;
			for (j = 0; j < w; j++) buf_order[j] = NO_HASH, buf_pos[j] = -1;
		}
		slot = slot + 1 == w ? 0 : slot + 1;
	}
	if (min_order != NO_HASH) PUSH(min_order, min_check, min_pos);
	return 0;
}
