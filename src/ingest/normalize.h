// Allele normalisation applied at ingest, so that one variant has one key whatever the caller
// wrote: multi-allelic records are split into one allele per ALT, and each REF/ALT pair is
// trimmed to its minimal representation (common suffix first, then common prefix, moving the
// position forward), as `bcftools norm -m-any` followed by trimming. Left-alignment needs the
// reference sequence and is not done here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace genomefed::ingest {

enum class AlleleKind {
  kSequence,  // A, C, G, T, N only
  kSymbolic,  // <DEL>, <INS>..., breakends: structural variants, counted and skipped for now
  kStar,      // '*': the allele is deleted by an overlapping variant
  kMissing,   // '.': no ALT at this site
  kInvalid,   // other characters (IUPAC codes and the like)
};

AlleleKind ClassifyAllele(std::string_view allele);

// Trims `ref`/`alt` (upper-case sequence alleles) to minimal representation; keeps at least one
// base in each.
void TrimAlleles(int64_t& pos, std::string& ref, std::string& alt);

}  // namespace genomefed::ingest
