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

// The usual record, one ALT allele, split in one pass over its int8 diploid calls gt[2s],
// gt[2s+1] (s < n). Phase bits aside: 0/0 is skipped (the bulk, 32 calls at a time); 0/1 and 1/0
// go to `het`, 1/1 to `hom`, a haploid call (an allele, then the vector-end byte 0x81) to
// `called1` and, when it is 1, to `hemi`; ./. (both alleles missing) to `called0`; anything else
// (a call with one allele missing, out-of-range or malformed values) to `other`, for the
// caller's slower checks. Lists hold sample ids (first_id + s), except `other`, which holds s;
// each is ascending and needs room for n entries.
struct BiallelicLists {
  uint32_t* het;
  uint32_t* hom;
  uint32_t* hemi;
  uint32_t* called1;
  uint32_t* called0;
  uint32_t* other;
};
struct BiallelicSplit {  // entries written to each list
  size_t het = 0, hom = 0, hemi = 0, called1 = 0, called0 = 0, other = 0;
};
BiallelicSplit SplitBiallelic(const uint8_t* gt, size_t n, uint32_t first_id,
                              const BiallelicLists& out);
BiallelicSplit SplitBiallelicPortable(const uint8_t* gt, size_t n, uint32_t first_id,
                                      const BiallelicLists& out);
BiallelicSplit SplitBiallelicAvx2(const uint8_t* gt, size_t n, uint32_t first_id,
                                  const BiallelicLists& out);

}  // namespace genomefed::ingest
