// Allele normalisation applied at ingest, so that one variant has one key whatever the caller
// wrote: multi-allelic records are split into one allele per ALT, and each REF/ALT pair is
// trimmed to its minimal representation (common suffix first, then common prefix, moving the
// position forward), as `bcftools norm -m-any` followed by trimming; with a reference FASTA,
// indels are also left-aligned as `bcftools norm -f` does (LeftAlign), so the same indel written
// at two places of a repeat is one allele. Beacon queries go through the same functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

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

class ReferenceFasta;  // ingest/reference.h

// How far an indel may move left (bases). Bounds the ingest's reorder buffer; bcftools shifts
// as far as the repeat goes, which is the same for every repeat shorter than this.
inline constexpr int64_t kMaxLeftShift = 1000;

// Left-aligns a trimmed indel (`ref`/`alt` upper-case, sharing their first base, one of them
// one base long) on `reference` and trims it again; substitutions are left as they are.
// Returns false, changing nothing, when the allele is not such an indel, the FASTA lacks the
// contig, or REF differs from the reference there (bcftools refuses those: the caller decides).
bool LeftAlign(const ReferenceFasta& reference, std::string_view contig, int64_t& pos,
               std::string& ref, std::string& alt);

}  // namespace genomefed::ingest
