// Ingest: VCF/BCF (+ sample sheet) → a new segment of a dataset in the variant store.
//
// Reads through htslib (vcf/reader.h) with records decoded and encoded on worker threads and
// written in file order; splits multi-allelic records and trims alleles (normalize.h); stores
// per allele the het / hom-alt / hemizygous / partly-called carrier sets and per site the
// called-allele exceptions. Several ingests into one dataset with disjoint samples add up.
//
// All or nothing: the new segment and sample table become visible only through the MANIFEST
// rename at the very end; any error (or a kill) leaves the dataset exactly as it was.
// One writer per dataset at a time (an flock on the dataset's LOCK file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace genomefed::ingest {

struct IngestProgress {
  uint64_t records = 0;
  double seconds = 0;
};

struct IngestOptions {
  std::filesystem::path data_dir;
  std::string dataset;
  std::filesystem::path vcf;
  std::filesystem::path sample_sheet;  // optional: TSV or Beacon individuals JSON
  std::vector<std::string> consent;    // DUO codes given to every sample of this batch
  // Reference assembly of the batch ("GRCh37", "GRCh38" or a synonym, CanonicalAssembly);
  // "" = from the header (##reference, ##contig lengths). Must agree with the header and
  // with the dataset's recorded assembly (assembly.h).
  std::string assembly;
  int threads = 0;  // decoding workers; 0 = one per core
  // Optional: a FASTA (with .fai) of the VCF's assembly; indels are then left-aligned as
  // `bcftools norm -f` does (ingest/normalize.h), so one indel of a repeat is one allele.
  std::filesystem::path reference_fasta;
  // Optional: the HPO release the node serves (OBO or OBO-graph JSON, as [node] hpo_ontology);
  // sample-sheet phenotype ids it does not hold are listed in a warning (a filter on their
  // real term would miss those samples). The ingest still proceeds: the release may be older.
  std::filesystem::path hpo_ontology;
  std::function<void(const IngestProgress&)> on_progress;  // called about twice a second
  // Called after the segment is written and before the commit, to archive the original file
  // (Crypt4GH, see crypt4gh/archive.h); returns the archive entry id recorded with the segment.
  // An error aborts the ingest with nothing committed.
  std::function<Result<std::string>()> before_commit;
};

struct IngestReport {
  uint64_t records = 0;
  uint64_t sites = 0;
  uint64_t alleles = 0;
  uint32_t samples_added = 0;
  uint32_t samples_total = 0;
  uint32_t samples_without_metadata = 0;
  uint32_t sheet_rows_pending = 0;          // sheet rows kept for samples of later batches
  std::map<std::string, uint64_t> skipped;  // reason → alleles or records skipped
  // Calls with more than two alleles (one sample's, e.g. 0/1/1), counted as missing while
  // the record is kept for every other sample; and the records holding them.
  uint64_t high_ploidy_calls = 0;
  uint64_t high_ploidy_records = 0;
  std::string assembly;  // the dataset's reference assembly after this ingest ("" unknown)
  std::vector<std::string> warnings;
  uint64_t generation = 0;
  std::string segment_file;
  std::string archive_id;  // the original file's archive entry, when archived
  double seconds = 0;
};

Result<IngestReport> Ingest(const IngestOptions& options);

// Directory of a dataset inside a data directory.
std::filesystem::path DatasetDir(const std::filesystem::path& data_dir, std::string_view dataset);

}  // namespace genomefed::ingest
