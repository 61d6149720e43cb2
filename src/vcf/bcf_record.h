// BCF 2.2 records (VCF 4.3 specification, section 6.3) decoded straight from inflated bytes,
// without htslib's bcf1_t: ingest needs CHROM, POS, the alleles and the GT vector only, and
// copying each record into a bcf1_t (bcf_read) then unpacking it cost more than reading it in
// place. Every typed value of the record is bounds-checked (the shared part's ID, alleles,
// FILTER and INFO, and every FORMAT field), so a damaged record is an error, never a read past
// its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vcf/reader.h"

namespace genomefed::vcf {

// What the header tells the decoder.
struct BcfLayout {
  size_t n_contigs = 0;
  size_t n_samples = 0;
  int gt_key = -1;  // the header dictionary index of FORMAT/GT; -1 when the header has none
  int n_keys = 0;   // size of the header's ID dictionary (INFO/FORMAT/FILTER keys)
};

// The 8-byte prefix of every record: l_shared, l_indiv (little-endian uint32).
inline constexpr size_t kBcfRecordPrefix = 8;
// The fixed fields at the start of the shared part (CHROM .. n_fmt).
inline constexpr size_t kBcfFixedShared = 24;

// Decodes the record at `rec` (its 8-byte prefix first, then l_shared + l_indiv bytes, all
// present) into `out` (alleles and gt point into `rec`). Returns "" or what is wrong.
std::string DecodeBcfRecord(const uint8_t* rec, const BcfLayout& layout, DecodedRecord& out);

// Whether some sample of a GT vector (`stride` values of `width` bytes per sample) has a third
// value that is not the vector-end sentinel (a call of ploidy above two).
bool AnyCallAboveDiploid(const uint8_t* gt, size_t n_samples, int stride, int width);

}  // namespace genomefed::vcf
