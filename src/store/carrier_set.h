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
// Format version 2 stores the lists Elias–Fano coded (low bits verbatim, high bits in unary:
// about 2 + log2(width / cardinality) bits per id instead of 16): on the synthetic 2,504 × 50,000
// cohort of BENCHMARKS.md "Ingest vs bcftools" that cut an allele's four carrier sets from 124
// to 92 bytes, and 1000 Genomes chrMT's haploid sets from 27 to 16; a filtered count costs about
// twice version 1's or more (store_bench: 48 vs 25 ns at 2,504 samples, 0.85–1.08 vs 0.41 µs at
// 100,000). Lists hold at most max(256, bitset bytes / 2) ids (version 1's uint16 lists stopped
// at bitset bytes / 2: 160 of 2,504, 4,096 of a 64 Ki chunk) so a filtered count decodes few ids.
// Against CRoaring in the same run (09:47 UTC): 11-12x faster at 2,504 samples, but 1.6x slower
// at 100,000 (1.0 vs 0.64 µs; 0.69x its size). Both goals (≤ 0.3 µs, ≤ 10 µs) hold, so one format
// serves both; a query-bound node of 100,000+ samples wants lower list caps in wide chunks.
//
// Encoding (little-endian, docs/formats/store.md):
//   universe ≤ 65,536: varint cardinality, then (when non-zero) one chunk payload of width
//                      universe
//   otherwise:         varint n_chunks, then per chunk: varint key (id >> 16),
//                      varint cardinality - 1, payload of width min(65536, universe - key·65536)
//   payload: Elias–Fano when cardinality ≤ max(256, bitset bytes / 2) and smaller than the
//            bitset, else the bitset (ceil(width / 64) × uint64); a function of
//            (cardinality, width).
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
