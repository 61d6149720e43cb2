// The hot loop of ingest: finding, in one record's BCF-encoded diploid genotype vector, the
// samples whose call is not 0/0 (or 0|0). Most calls of a file are 0/0, so this scan is most of
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

}  // namespace genomefed::ingest
