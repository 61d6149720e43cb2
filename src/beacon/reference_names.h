// Reference sequence names of the human assemblies GRCh37 and GRCh38: chromosome names and
// their RefSeq accessions (NCBI RefSeq NC_0000NN.v; the mitochondrion is NC_012920.1, the
// revised Cambridge sequence, in both), as the Beacon v2 genomicVariations request parameter
// `referenceName` recommends them ("refseq:NC_000009.12") and as VRS SequenceLocation and HGVS
// ids name sequences in records.
//
// An accession names one assembly: `NC_000022.10` is chromosome 22 of GRCh37, `NC_000022.11`
// of GRCh38, so a query naming one of them carries its assembly with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::beacon {

// A `referenceName` resolved to the store's canonical contig ("22", "X", "MT").
struct ResolvedReference {
  std::string contig;
  // "GRCh37" or "GRCh38" when the name is an assembly-specific accession; empty for names
  // (chr22, 22) that every assembly shares.
  std::string assembly;
};

// Accepts "22", "chr22", "NC_000022.11", "refseq:NC_000022.11" (prefix case-insensitive).
// An NC_ accession that is neither a GRCh37 nor a GRCh38 chromosome (an unknown version, a
// non-human accession) is InvalidArgument naming it.
Result<ResolvedReference> ResolveReferenceName(std::string_view name);

// The RefSeq accession of `contig` (canonical) in `assembly` (CanonicalAssembly form), e.g.
// ("22", "GRCh38") → "NC_000022.11"; nullopt for other assemblies or contigs.
std::optional<std::string> RefSeqAccession(std::string_view contig, std::string_view assembly);

// An `assemblyId` as CanonicalAssembly names it ("GRCh37", "GRCh38"), also accepting the RefSeq
// assembly accessions the spec shows ("GCF_000001405.39"): .13–.25 are GRCh37 and its patches,
// .26–.40 GRCh38 and its patches. Anything else is returned unchanged.
std::string QueryAssembly(std::string_view assembly_id);

}  // namespace genomefed::beacon
