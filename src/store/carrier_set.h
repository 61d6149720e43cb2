// Carrier sets: the compact encoding of "which samples carry this allele this way".
//
// Why this representation (measured, see BENCHMARKS.md "store"): most alleles are carried by a
// handful of samples (median 3–4 of 2,504 in 1000 Genomes). Debian's CRoaring 0.2.66 (2020,
// built without popcnt) stores each such set as one array container: 152 B/allele serialised
// and 1.1–1.5 µs per filtered count. A hybrid in one arena — a sorted id list when sparse, a
// bitset when dense — measured 62 B/allele and 70–210 ns. Sample ids above 65,535 (nodes of
// 100,000 samples) are served roaring-style: the id space is cut in 64 Ki-sample chunks, and
// each chunk picks list or bitset, so both sizes share one format.
//
// Format version 3 codes the lists Rice (gaps: k low bits verbatim, the rest in unary; k from
// (cardinality, width), about log2(width / cardinality) − 0.5) and no longer caps their length:
// a list whenever even its longest coding is smaller than the bitset (and k ≥ 1). Version 2 used
// Elias–Fano lists of at most max(256, bitset bytes / 2) ids. Measured on the synthetic 2,504 ×
// 200,000 cohort (BENCHMARKS.md "Segment format version 3", bench/store_size_breakdown): the
// four classes' sets take 19.19 MB under version 2's rule, 17.55 MB with Elias–Fano uncapped,
// 16.32 MB Rice-coded (Rice is within ~0.1 bit per id of the entropy of random sets, Elias–Fano
// ~0.5 above); leaving out each allele's largest diploid class (segment.h) makes it 15.30 MB.
// The cost is query time, all of it in long lists decoded one id at a time (store_bench, same
// run, 11:17 UTC): a filtered count over the 1000 Genomes-like spectrum takes 142 ns at 2,504
// samples (version 2: 49 ns; goal ≤ 0.3 µs) and 4.2 µs at 100,000 (version 2: 0.84 µs; goal
// ≤ 10 µs), for 36.3 vs 44.8 and 1,267 vs 1,766 bytes per set. The slowest single sets are
// the densest lists, a third of the samples: 1.3 µs at 2,504 and 60 µs at 100,000 (version 2's
// slowest, its longest lists: 0.25 µs and 11 µs). CRoaring 0.2.66 in the same run: 0.58 µs
// and 0.64 µs per count, 150 and 2,542 bytes per set. Hence one cap: in chunks wider than
// 32,768 samples a list holds at most 2,048 ids (measured 11:44 UTC, same bench, quiet machine:
// at 100,000 samples 0.58 µs per count on the spectrum at 2.0 KB per set, the slowest sets
// 1.6 µs; at 2,504 samples nothing changes: 127 ns, slowest 1.2 µs).
//
// Encoding (little-endian, docs/formats/store.md):
//   universe ≤ 65,536: varint cardinality, then (when non-zero) one chunk payload of width
//                      universe
//   otherwise:         varint n_chunks, then per chunk: varint key (id >> 16),
//                      varint cardinality - 1, payload of width min(65536, universe - key·65536)
//   payload: a Rice list when k ≥ 1, its longest coding, card·(k + 1) + ((width − card) >> k)
//            bits, is smaller than the bitset and (width ≤ 32,768 or card ≤ 2,048), else the
//            bitset (ceil(width / 64) × uint64); the
//            choice is a function of (cardinality, width); a list's length is found by decoding
//            it (or counting its ones).
// The universe (ids < universe) is fixed per segment and stored in its header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/sample_set.h"

namespace genomefed::store {

inline constexpr uint32_t kChunkBits = 65536;

// The Rice parameter of a list of `card` ids below `width`: the k minimising the expected
// length for ids spread at random (gaps about geometric with p = (card + 1) / width), in integer
// arithmetic so that every reader agrees with every writer.
int RiceParameter(uint32_t card, uint32_t width);
// The longest Rice coding of `card` ids below `width` with parameter k, in bits:
// card·(k + 1) + ((width − card) >> k).
size_t RiceMaxBits(uint32_t card, uint32_t width, int k);

// Appends the encoding of the ascending, duplicate-free `ids` (all < universe) to `out`.
void EncodeCarrierSet(std::span<const SampleId> ids, uint32_t universe, std::string& out);

// Validates an encoded set at data[pos..end) and returns the position just past it, or
// SIZE_MAX when it is malformed (truncated, out-of-order, ids ≥ universe).
size_t ValidateCarrierSet(const uint8_t* data, size_t pos, size_t end, uint32_t universe);

// Readers of a validated set. `p` points at the set; they return the pointer past it.
// Unchecked: call only on data that ValidateCarrierSet accepted.
struct CarrierSetView {
  const uint8_t* begin = nullptr;
  uint32_t universe = 0;
};
const uint8_t* SkipCarrierSet(const uint8_t* p, uint32_t universe);
// |set|
uint32_t CarrierSetCardinality(const uint8_t* p, uint32_t universe);
// |set ∩ filter|; filter words beyond its size are treated as zero.
uint32_t CarrierSetIntersectCount(const uint8_t* p, uint32_t universe,
                                  std::span<const uint64_t> filter);
// |set| (filter == nullptr) or |set ∩ filter|, and advances `p` past the set. The hot path of
// every count: one call per carrier class.
uint32_t CountAndAdvance(const uint8_t*& p, uint32_t universe, const SampleSet* filter);
// set (∩ filter when non-null) OR-ed into `out`; returns the pointer past the set.
const uint8_t* CarrierSetAddTo(const uint8_t* p, uint32_t universe, const SampleSet* filter,
                               SampleSet& out);
// out \= set; returns the pointer past the set.
const uint8_t* CarrierSetRemoveFrom(const uint8_t* p, uint32_t universe, SampleSet& out);
// Materialises the ids (for tests and compaction).
std::vector<SampleId> CarrierSetToVector(const uint8_t* p, uint32_t universe);

// Varints (LEB128) used by the store formats.
void PutVarint(std::string& out, uint64_t v);
// Returns bytes consumed, 0 when truncated or longer than 10 bytes.
size_t GetVarint(const uint8_t* p, const uint8_t* end, uint64_t* v);

}  // namespace genomefed::store
