/*
 * N-API binding of the alignment kernel (plain C against node_api.h: ABI-stable, the same
 * .node loads in Node and Electron). Context-aware (NAPI_MODULE_INIT, no global mutable
 * state): every worker thread loads it and owns its workspaces.
 *
 * Results go back through typed arrays the caller owns and reuses (a Float64Array of numbers
 * and a Uint32Array for the CIGAR), so the per-read path allocates nothing on the JS heap.
 * The TypeScript side is engine/align/native.ts; argument checking is there, this layer only
 * guards types and sizes it would otherwise read out of bounds.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "ga.h"

#define CHECK(call) \
	do { \
		if ((call) != napi_ok) return throw_error(env, "genomaic_align: N-API call failed: " #call); \
	} while (0)

static napi_value throw_error(napi_env env, const char *message)
{
	napi_throw_error(env, NULL, message);
	return NULL;
}

static napi_value number(napi_env env, double value)
{
	napi_value v;
	napi_create_double(env, value, &v);
	return v;
}

/* The data and element count of a typed array of the given type; 0 on success. */
static int typed_array(napi_env env, napi_value value, napi_typedarray_type want, void **data, size_t *length)
{
	napi_typedarray_type type;
	napi_value buffer;
	size_t offset;
	int is_typed = 0;
	bool flag;
	if (napi_is_typedarray(env, value, &flag) == napi_ok) is_typed = flag;
	if (!is_typed || napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok || type != want) return -1;
	if (*data == NULL && *length == 0) *data = (void *)""; /* empty arrays may have no store */
	return 0;
}

#define ARRAY(i, want, ctype, name, len) \
	ctype *name; \
	size_t len; \
	if (typed_array(env, argv[i], want, (void **)&name, &len) != 0) return throw_error(env, "genomaic_align: argument " #i " must be a " #want)

#define INT(i, name) \
	int32_t name; \
	if (napi_get_value_int32(env, argv[i], &name) != napi_ok) return throw_error(env, "genomaic_align: argument " #i " must be a number")

#define DOUBLE(i, name) \
	double name; \
	if (napi_get_value_double(env, argv[i], &name) != napi_ok) return throw_error(env, "genomaic_align: argument " #i " must be a number")

#define ARGS(n) \
	size_t argc = n; \
	napi_value argv[n]; \
	CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
	if (argc < n) return throw_error(env, "genomaic_align: expected " #n " arguments")

static napi_value new_uint32_array(napi_env env, const uint32_t *data, size_t n)
{
	napi_value buffer, array;
	void *store;
	if (napi_create_arraybuffer(env, n * 4, &store, &buffer) != napi_ok) return NULL;
	if (n) memcpy(store, data, n * 4);
	if (napi_create_typedarray(env, napi_uint32_array, n, buffer, 0, &array) != napi_ok) return NULL;
	return array;
}

/* sketch(codes: Uint8Array, k, w, positionOffset) -> [order, check, position] (Uint32Arrays) */
static napi_value js_sketch(napi_env env, napi_callback_info info)
{
	ARGS(4);
	ARRAY(0, napi_uint8_array, uint8_t, codes, len);
	INT(1, k);
	INT(2, w);
	DOUBLE(3, offset);
	if (k < 4 || k > GA_MAX_KMER) return throw_error(env, "genomaic_align: k must be from 4 to 28");
	if (w < 1 || w > 255) return throw_error(env, "genomaic_align: w must be from 1 to 255");
	ga_minimizers_t list = {0};
	if (ga_sketch(codes, len, k, w, (uint64_t)offset, &list) < 0) {
		ga_minimizers_free(&list);
		return throw_error(env, "genomaic_align: out of memory while sketching");
	}
	napi_value result, order = new_uint32_array(env, list.order, list.n), check = new_uint32_array(env, list.check, list.n),
	                   position = new_uint32_array(env, list.position, list.n);
	ga_minimizers_free(&list);
	if (!order || !check || !position) return throw_error(env, "genomaic_align: out of memory while sketching");
	CHECK(napi_create_array_with_length(env, 3, &result));
	CHECK(napi_set_element(env, result, 0, order));
	CHECK(napi_set_element(env, result, 1, check));
	CHECK(napi_set_element(env, result, 2, position));
	return result;
}

/* unpackReference(packed: Uint8Array, runs: Uint32Array, start, end, out: Uint8Array) */
static napi_value js_unpack_reference(napi_env env, napi_callback_info info)
{
	ARGS(5);
	ARRAY(0, napi_uint8_array, uint8_t, packed, packed_len);
	ARRAY(1, napi_uint32_array, uint32_t, runs, runs_len);
	DOUBLE(2, start);
	DOUBLE(3, end);
	ARRAY(4, napi_uint8_array, uint8_t, out, out_len);
	if (end > start && end - start > (double)out_len) return throw_error(env, "genomaic_align: unpackReference output too short");
	ga_reference_t ref = {packed, packed_len, runs, runs_len / 2, NULL, NULL, 0};
	ga_fetch(&ref, (int64_t)start, (int64_t)end, out);
	return NULL;
}

/* encodeBases(ascii: Uint8Array, out: Uint8Array): A/C/G/T/U (either case) -> 0-3, else 4 */
static napi_value js_encode_bases(napi_env env, napi_callback_info info)
{
	ARGS(2);
	ARRAY(0, napi_uint8_array, uint8_t, ascii, len);
	ARRAY(1, napi_uint8_array, uint8_t, out, out_len);
	if (out_len < len) return throw_error(env, "genomaic_align: encodeBases output too short");
	uint8_t table[256];
	memset(table, 4, sizeof(table));
	table['A'] = table['a'] = 0, table['C'] = table['c'] = 1, table['G'] = table['g'] = 2;
	table['T'] = table['t'] = table['U'] = table['u'] = 3;
	for (size_t i = 0; i < len; i++) out[i] = table[ascii[i]];
	return NULL;
}

/* ---- aligner objects ---- */

typedef struct {
	ga_aligner_t a;
	double *contigs; /* offsets then lengths */
} aligner_box_t;

static void finalize_aligner(napi_env env, void *data, void *hint)
{
	(void)env, (void)hint;
	aligner_box_t *box = data;
	ga_aligner_free(&box->a);
	free(box->contigs);
	free(box);
}

static ga_aligner_t *unwrap_aligner(napi_env env, napi_value object)
{
	void *data = NULL;
	if (napi_unwrap(env, object, &data) != napi_ok || !data) return NULL;
	return &((aligner_box_t *)data)->a;
}

/*
 * createAligner(bucketStart, entryCheck, entryPosition, bucketBits, k, w, packed, runs,
 *               contigOffsets: Float64Array, contigLengths: Float64Array, params: Float64Array)
 * params: maxGap, bandwidth, maxChainSkip, minChainAnchors, minChainScore, match,
 *         mismatch, gapOpen, gapExtend, zDrop, endBonus, extensionBand.
 * The index arrays are kept alive as properties of the returned object (views of the shared
 * index image: no copy).
 */
static napi_value js_create_aligner(napi_env env, napi_callback_info info)
{
	ARGS(11);
	ARRAY(0, napi_uint32_array, uint32_t, bucket_start, n_buckets);
	ARRAY(1, napi_uint32_array, uint32_t, entry_check, n_check);
	ARRAY(2, napi_uint32_array, uint32_t, entry_position, n_position);
	INT(3, bucket_bits);
	INT(4, k);
	INT(5, w);
	ARRAY(6, napi_uint8_array, uint8_t, packed, packed_len);
	ARRAY(7, napi_uint32_array, uint32_t, runs, runs_len);
	ARRAY(8, napi_float64_array, double, offsets, n_offsets);
	ARRAY(9, napi_float64_array, double, lengths, n_lengths);
	ARRAY(10, napi_float64_array, double, params, n_params);
	if (n_check != n_position || n_offsets != n_lengths || n_params < 12 || bucket_bits < 0 || bucket_bits > 32 ||
	    n_buckets != ((size_t)1 << bucket_bits) + 1 || k < 4 || k > GA_MAX_KMER || w < 1 || w > 255)
		return throw_error(env, "genomaic_align: createAligner: inconsistent index sections or parameters");
	aligner_box_t *box = calloc(1, sizeof(*box));
	if (!box || !(box->contigs = malloc((n_offsets ? n_offsets : 1) * 2 * sizeof(double)))) {
		free(box);
		return throw_error(env, "genomaic_align: out of memory");
	}
	memcpy(box->contigs, offsets, n_offsets * sizeof(double));
	memcpy(box->contigs + n_offsets, lengths, n_offsets * sizeof(double));
	ga_aligner_t *a = &box->a;
	a->index = (ga_index_t){bucket_start, entry_check, entry_position, 32 - bucket_bits, k, w,
	                        {packed, packed_len, runs, runs_len / 2, box->contigs, box->contigs + n_offsets, n_offsets}};
	a->chain = (ga_chain_params_t){(int)params[0], (int)params[1], (int)params[2], (int)params[3], params[4]};
	a->scoring = (ga_scoring_t){(int)params[5], (int)params[6], (int)params[7], (int)params[8], (int)params[9], (int)params[10]};
	a->extension_band = (int)params[11];
	napi_value object;
	CHECK(napi_create_object(env, &object));
	/* hold the index views so the shared image outlives the raw pointers */
	CHECK(napi_set_named_property(env, object, "bucketStart", argv[0]));
	CHECK(napi_set_named_property(env, object, "entryCheck", argv[1]));
	CHECK(napi_set_named_property(env, object, "entryPosition", argv[2]));
	CHECK(napi_set_named_property(env, object, "packed", argv[6]));
	CHECK(napi_set_named_property(env, object, "ambiguousRuns", argv[7]));
	if (napi_wrap(env, object, box, finalize_aligner, NULL, NULL) != napi_ok) {
		finalize_aligner(env, box, NULL);
		return throw_error(env, "genomaic_align: napi_wrap failed");
	}
	return object;
}

#define STATS_FIELDS 3
#define CHAIN_FIELDS 7

static void copy_chains(const ga_aligner_t *a, double *out, size_t out_len)
{
	for (size_t c = 0; c < a->n_chains && STATS_FIELDS + (c + 1) * CHAIN_FIELDS <= out_len; c++) {
		const ga_chain_t *chain = &a->chains[c];
		double *o = out + STATS_FIELDS + c * CHAIN_FIELDS;
		o[0] = chain->reverse, o[1] = chain->score, o[2] = chain->count, o[3] = chain->query_start, o[4] = chain->query_end;
		o[5] = chain->ref_start, o[6] = chain->ref_end;
	}
}

/*
 * seedAndChain(aligner, read: Uint8Array, cutoff, rescueCutoff, out: Float64Array) -> chain count.
 * out: minimizers, repetitive, anchors, then per chain (best first) reverse, score,
 * anchorCount, queryStart, queryEnd, refStart, refEnd. Chains beyond out's capacity are
 * left out: the caller grows `out` and calls copyChains.
 */
static napi_value js_seed_and_chain(napi_env env, napi_callback_info info)
{
	ARGS(5);
	ga_aligner_t *a = unwrap_aligner(env, argv[0]);
	if (!a) return throw_error(env, "genomaic_align: not an aligner");
	ARRAY(1, napi_uint8_array, uint8_t, read, len);
	INT(2, cutoff);
	INT(3, rescue_cutoff);
	ARRAY(4, napi_float64_array, double, out, out_len);
	if (out_len < STATS_FIELDS) return throw_error(env, "genomaic_align: seedAndChain output too short");
	ga_seed_stats_t stats = {0};
	if (len > 0x7fffffff) return throw_error(env, "genomaic_align: read too long");
	if (ga_seed_and_chain(a, read, (int)len, cutoff, rescue_cutoff, &stats) < 0) return throw_error(env, "genomaic_align: out of memory while seeding");
	out[0] = stats.minimizers, out[1] = stats.repetitive, out[2] = stats.anchors;
	copy_chains(a, out, out_len);
	return number(env, (double)a->n_chains);
}

/* repetitiveLength(aligner) -> read bases covered by the repetitive minimizers of the last
 * seedAndChain (kept out of seedAndChain's output so its layout stays what older callers read). */
static napi_value js_repetitive_length(napi_env env, napi_callback_info info)
{
	ARGS(1);
	ga_aligner_t *a = unwrap_aligner(env, argv[0]);
	if (!a) return throw_error(env, "genomaic_align: not an aligner");
	return number(env, (double)a->repetitive_length);
}

/* copyChains(aligner, out: Float64Array): the last seedAndChain's chains again, into a larger out. */
static napi_value js_copy_chains(napi_env env, napi_callback_info info)
{
	ARGS(2);
	ga_aligner_t *a = unwrap_aligner(env, argv[0]);
	if (!a) return throw_error(env, "genomaic_align: not an aligner");
	ARRAY(1, napi_float64_array, double, out, out_len);
	copy_chains(a, out, out_len);
	return number(env, (double)a->n_chains);
}

/*
 * extendChain(aligner, chainIndex, out: Float64Array(6), cigar: Uint32Array) -> CIGAR length,
 * 0 when the chain gives no alignment worth reporting. out: contig, refStart (global),
 * refSpan, queryStart, queryEnd, score. A CIGAR longer than `cigar` is not copied: the
 * caller grows it and calls again (the result is deterministic).
 */
static napi_value js_extend_chain(napi_env env, napi_callback_info info)
{
	ARGS(4);
	ga_aligner_t *a = unwrap_aligner(env, argv[0]);
	if (!a) return throw_error(env, "genomaic_align: not an aligner");
	INT(1, chain_index);
	ARRAY(2, napi_float64_array, double, out, out_len);
	ARRAY(3, napi_uint32_array, uint32_t, cigar, cigar_len);
	if (chain_index < 0 || (size_t)chain_index >= a->n_chains) return throw_error(env, "genomaic_align: chain index out of range");
	if (out_len < 6) return throw_error(env, "genomaic_align: extendChain output too short");
	ga_hit_t hit;
	const int ret = ga_extend_chain(a, (size_t)chain_index, &hit);
	if (ret == -2) return throw_error(env, "genomaic_align: global alignment left the band");
	if (ret < 0) return throw_error(env, "genomaic_align: out of memory while extending");
	if (ret == 0) return number(env, 0);
	out[0] = (double)hit.contig, out[1] = hit.ref_start, out[2] = hit.ref_span, out[3] = hit.query_start, out[4] = hit.query_end, out[5] = hit.score;
	if (hit.n_cigar <= cigar_len) memcpy(cigar, hit.cigar, hit.n_cigar * 4);
	return number(env, (double)hit.n_cigar);
}

/* ---- standalone DP workspace (mate rescue, tests) ---- */

static void finalize_dp(napi_env env, void *data, void *hint)
{
	(void)env, (void)hint;
	ga_dp_free(data);
	free(data);
}

static napi_value js_create_dp(napi_env env, napi_callback_info info)
{
	(void)info;
	ga_dp_t *dp = calloc(1, sizeof(*dp));
	if (!dp) return throw_error(env, "genomaic_align: out of memory");
	napi_value object;
	CHECK(napi_create_object(env, &object));
	if (napi_wrap(env, object, dp, finalize_dp, NULL, NULL) != napi_ok) {
		free(dp);
		return throw_error(env, "genomaic_align: napi_wrap failed");
	}
	return object;
}

/*
 * dpAlign(dp, query, target, scoring: Int32Array(6), band, mode, out: Float64Array(6), cigar,
 *         minScore, rowsOnly) -> CIGAR length. In local mode a window whose best score is below
 * minScore returns that score alone (no CIGAR; found by the SIMD score-only pass). rowsOnly
 * (tests) runs the scalar row-wise kernel, which every vector path must agree with. scoring: match, mismatch, gapOpen, gapExtend, zDrop, endBonus; mode 0
 * global, 1 extend, 2 local. out: score, queryStart, targetStart, queryEnd, targetEnd,
 * zDropped. A CIGAR longer than `cigar` is not copied (grow and call again).
 */
static napi_value js_dp_align(napi_env env, napi_callback_info info)
{
	ARGS(10);
	void *data = NULL;
	if (napi_unwrap(env, argv[0], &data) != napi_ok || !data) return throw_error(env, "genomaic_align: not a DP workspace");
	ARRAY(1, napi_uint8_array, uint8_t, query, qlen);
	ARRAY(2, napi_uint8_array, uint8_t, target, tlen);
	ARRAY(3, napi_int32_array, int32_t, s, n_scoring);
	INT(4, band);
	INT(5, mode);
	ARRAY(6, napi_float64_array, double, out, out_len);
	ARRAY(7, napi_uint32_array, uint32_t, cigar, cigar_len);
	DOUBLE(8, min_score);
	INT(9, rows_only);
	if (n_scoring < 6 || out_len < 6 || mode < 0 || mode > 2 || qlen > 0x7fffffff || tlen > 0x7fffffff)
		return throw_error(env, "genomaic_align: dpAlign: bad arguments");
	const ga_scoring_t scoring = {s[0], s[1], s[2], s[3], s[4], s[5]};
	ga_dp_result_t r;
	const int ret = rows_only ? ga_dp_align_rows(data, query, (int)qlen, target, (int)tlen, &scoring, band, mode, &r)
	                : mode == GA_DP_LOCAL ? ga_local_align(data, query, (int)qlen, target, (int)tlen, &scoring, min_score, &r)
	                                      : ga_dp_align(data, query, (int)qlen, target, (int)tlen, &scoring, band, mode, &r);
	if (ret == -2) return throw_error(env, "genomaic_align: global alignment left the band");
	if (ret < 0) return throw_error(env, "genomaic_align: out of memory in DP");
	out[0] = r.score, out[1] = r.query_start, out[2] = r.target_start, out[3] = r.query_end, out[4] = r.target_end, out[5] = r.zdropped;
	if (r.n_cigar <= cigar_len) memcpy(cigar, r.cigar, r.n_cigar * 4);
	return number(env, (double)r.n_cigar);
}

NAPI_MODULE_INIT()
{
	const napi_property_descriptor functions[] = {
	    {"sketch", NULL, js_sketch, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"unpackReference", NULL, js_unpack_reference, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"encodeBases", NULL, js_encode_bases, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"createAligner", NULL, js_create_aligner, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"seedAndChain", NULL, js_seed_and_chain, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"repetitiveLength", NULL, js_repetitive_length, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"copyChains", NULL, js_copy_chains, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"extendChain", NULL, js_extend_chain, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"createDp", NULL, js_create_dp, NULL, NULL, NULL, napi_enumerable, NULL},
	    {"dpAlign", NULL, js_dp_align, NULL, NULL, NULL, napi_enumerable, NULL},
	};
	if (napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions) != napi_ok) return NULL;
	return exports;
}
