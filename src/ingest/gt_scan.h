// The hot loop of ingest: finding, in one record's BCF-encoded diploid genotype vector, the
// samples whose call is not 0/0 (or 0|0), and for one-ALT records splitting them into het,
// hom-alt and the rest in the same pass. Most calls of a file are 0/0, so this scan is most of
// the work of classifying a record; it is one call per record so that its cost does not multiply
// with the carriers. Two implementations of the same contract: 64-bit words (four samples per
// compare, any x86-64/ARM) and AVX2 (16 samples per compare), chosen once at start-up by CPU
// feature; both are tested against a plain loop (tests/ingest/gt_scan_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace genomefed::ingest {

// Writes to `out` (room for n) the samples s < n whose two int8 alleles gt[2s], gt[2s+1] are not
// both "reference" (BCF encoding (allele + 1) << 1 | phased: bytes 2 or 3), in ascending order;
// returns how many.
size_t CollectNonRef(const uint8_t* gt, size_t n, uint32_t* out);

// The implementations behind it, for tests and benchmarks.
size_t CollectNonRefPortable(const uint8_t* gt, size_t n, uint32_t* out);
size_t CollectNonRefAvx2(const uint8_t* gt, size_t n, uint32_t* out);  // only if CpuHasAvx2()
bool CpuHasAvx2();

// The usual record, one ALT allele, split in one pass: for the int8 diploid calls gt[2s],
// gt[2s+1] (s < n), appends `first_id + s` to `het` for 0/1 and 1/0, to `hom` for 1/1 (any
// phasing), and `s` itself to `other` for every call that is neither these nor 0/0 (missing,
// haploid, out-of-range or malformed values, for the caller's slower checks); each list
// ascending, each output with room for n. 0/0 calls, the bulk, are skipped 32 at a time.
struct BiallelicSplit {
  size_t het = 0, hom = 0, other = 0;  // entries written to each list
};
BiallelicSplit SplitBiallelic(const uint8_t* gt, size_t n, uint32_t first_id, uint32_t* het,
                              uint32_t* hom, uint32_t* other);
BiallelicSplit SplitBiallelicPortable(const uint8_t* gt, size_t n, uint32_t first_id, uint32_t* het,
                                      uint32_t* hom, uint32_t* other);
BiallelicSplit SplitBiallelicAvx2(const uint8_t* gt, size_t n, uint32_t first_id, uint32_t* het,
                                  uint32_t* hom, uint32_t* other);

}  // namespace genomefed::ingest
