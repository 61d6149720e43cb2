// Which reference assembly a VCF's coordinates are on, and whether a batch may join a dataset.
//
// GRCh37 and GRCh38 positions differ, so counts of batches on different assemblies must never
// be added up. A dataset records its assembly at its first ingest (store/manifest.h,
// Manifest::assembly); a batch is read as GRCh37 or GRCh38 from its header — the ##reference
// line (GRCh37, hg19, b37, hs37d5, human_g1k_v37 / GRCh38, hg38), the `assembly=` key of
// ##contig lines, and ##contig lengths of chromosomes 1–22, X and Y compared with the two
// assemblies' published lengths (Genome Reference Consortium, GRCh37.p13 / GRCh38.p14; the
// chromosome lengths are the same in every patch release) — or from `--assembly`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace genomefed::ingest {

struct HeaderAssemblyInput {
  std::string file;                   // for messages
  std::string reference;              // ##reference value ("" when absent)
  std::vector<std::string> contigs;   // as declared
  std::vector<int64_t> lengths;       // parallel to contigs; 0 = no length
  std::vector<std::string> assembly;  // parallel to contigs: the assembly= key ("" = none)
};

struct AssemblyEvidence {
  std::string assembly;  // "GRCh37", "GRCh38", another name given by the operator, or ""
  std::string why;       // e.g. "##contig 1 has GRCh38's length 248956422"
};

// The batch's assembly from its header and the operator's `given` one (CanonicalAssembly'd;
// may be empty). A header whose evidence disagrees with itself or with `given` is an error
// (InvalidArgument) naming both.
Result<AssemblyEvidence> BatchAssembly(const HeaderAssemblyInput& header, const std::string& given);

// Whether a batch of `batch` may be added to a dataset whose recorded assembly is `dataset`
// (both as from BatchAssembly / the MANIFEST). Returns the assembly to record (the dataset's,
// else the batch's), or InvalidArgument when both are known and differ. `warning` receives a
// note when one side is unknown.
Result<std::string> DatasetAssemblyAfter(const std::string& dataset_id, const std::string& dataset,
                                         const AssemblyEvidence& batch, std::string& warning);

}  // namespace genomefed::ingest
