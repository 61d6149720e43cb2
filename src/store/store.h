// The node's variant store: per dataset, per allele carrier sets over dense sample ids, plus the
// sample metadata and the per-value sample sets that filters resolve to.
//
// On disk (docs/formats/store.md): a dataset directory holds immutable segment files, one per
// ingest batch (or compaction), and a MANIFEST naming the live segments and the sample table;
// a write publishes by an atomic MANIFEST rename after fsync, so readers always see a complete
// state. Segments are memory-mapped and validated when opened; a damaged file is a Corruption
// status naming the file and offset, never a crash.
//
// Thread safety: a Store and its Datasets are immutable once opened; any number of threads may
// query them concurrently. Writers (ingest) work on new files and never touch open segments.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sample_set.h"

namespace genomefed::store {

// NCIT codes used for sex, as in Beacon v2 individuals.
inline constexpr std::string_view kNcitFemale = "NCIT:C16576";
inline constexpr std::string_view kNcitMale = "NCIT:C20197";
inline constexpr std::string_view kNcitUnknownSex = "NCIT:C17998";

struct SampleInfo {
  std::string id;                       // as in the VCF header and the sample sheet
  std::string sex;                      // an NCIT code above, or empty when unknown
  std::string population;               // label from the sheet, e.g. "FIN" or "England"
  std::vector<std::string> phenotypes;  // HPO ids, e.g. "HP:0001250"
  std::vector<std::string> diseases;    // ICD-10 or other CURIEs, e.g. "ICD10:E11"
  std::vector<std::string> consent;     // DUO ids, e.g. "DUO:0000042"
  std::string individual_json;          // the Beacon v2 individual object when the sheet was JSON
};

// Which metadata field a filter selects on.
enum class SampleField { kSex, kPopulation, kPhenotype, kDisease, kConsent };

// An allele in minimal representation. `pos` is 1-based as in VCF; `contig` is canonical
// (see CanonicalContig).
struct AlleleKey {
  std::string contig;
  int64_t pos = 0;
  std::string ref;
  std::string alt;
  auto operator<=>(const AlleleKey&) const = default;
};

// "chr22" → "22", "chrM"/"M" → "MT", RefSeq "NC_000022.10/.11" → "22", "NC_012920.1" → "MT";
// anything else unchanged.
std::string CanonicalContig(std::string_view name);

// Parses "CHR:POS:REF:ALT" or "CHR-POS-REF-ALT" (POS 1-based). Alleles upper-cased.
Result<AlleleKey> ParseAlleleKey(std::string_view text);
// "CHR-POS-REF-ALT", the id used in Beacon answers (variantInternalId).
std::string FormatAlleleKey(const AlleleKey& key);

// Allele figures over a set of samples; same semantics as bcftools +fill-tags AC/AN/AC_Het/
// AC_Hom/AC_Hemi, except that a diploid call with one missing allele (1/.) counts in AC and AN
// only.
struct AlleleCounts {
  uint64_t allele_count = 0;   // AC
  uint64_t allele_number = 0;  // AN: called alleles at the site
  uint64_t ac_het = 0;         // alleles in heterozygous calls
  uint64_t ac_hom = 0;         // alleles in homozygous-alt calls (2 per sample)
  uint64_t ac_hemi = 0;        // alleles in haploid calls
  uint64_t individuals = 0;    // samples carrying at least one copy
  double frequency() const {
    return allele_number == 0 ? 0.0 : static_cast<double>(allele_count) / allele_number;
  }
};

// Where one allele lives: one entry per segment that holds it (batches may each hold it).
struct AlleleRef {
  struct Part {
    uint32_t segment;
    uint32_t index;  // allele index within the segment
  };
  std::vector<Part> parts;
};

class Segment;  // internal (store/segment.h)

// One dataset as of the manifest read when the store was opened. Immutable, thread-safe.
class Dataset {
 public:
  ~Dataset();
  const std::string& id() const { return id_; }
  uint64_t generation() const { return generation_; }
  // Reference assembly recorded at the first ingest ("GRCh37", "GRCh38", ...; "" unknown).
  const std::string& assembly() const { return assembly_; }

  // Ingested samples, in id order. Metadata rows of samples not yet ingested are not here.
  uint32_t sample_count() const { return static_cast<uint32_t>(samples_.size()); }
  const std::vector<SampleInfo>& samples() const { return samples_; }
  std::optional<SampleId> FindSample(std::string_view sample_id) const;
  SampleSet AllSamples() const { return SampleSet::All(sample_count()); }

  // Samples whose `field` has any of `values` (exact match; ontology expansion is the caller's).
  SampleSet SamplesMatching(SampleField field, const std::vector<std::string>& values) const;
  // Every distinct value of a field with the number of samples that have it.
  std::map<std::string, uint32_t> ValueCounts(SampleField field) const;

  // Number of distinct alleles (an allele stored by two batches counts once) and contigs.
  uint64_t allele_count() const { return allele_count_; }
  // Distinct alleles that at least one of the dataset's samples carries: the alleles that
  // "exist" for Beacon. A VCF record whose ALT nobody in the batch carries (AC = 0, common after
  // sample subsetting) is stored for its site's allele number, yet exists only once a batch
  // adds a carrier. Computed on first use (a carrier check per allele: 0.2 s for 100,000
  // alleles × 2,504 samples), not at open, so opening stays as fast as before.
  uint64_t carried_allele_count() const;
  std::vector<std::string> contigs() const;

  std::optional<AlleleRef> Find(const AlleleKey& key) const;
  // Visits, in (pos, ref, alt) order, every allele on `contig` with start in [start, end]
  // (1-based, inclusive) until the visitor returns false.
  void ScanRange(std::string_view contig, int64_t start, int64_t end,
                 const std::function<bool(const AlleleKey&, const AlleleRef&)>& visit) const;
  // Visits, in (pos, ref, alt) order, every allele on `contig` whose reference span
  // [pos, pos + len(ref) - 1] overlaps [start, end] (1-based, inclusive): a deletion starting
  // before `start` that reaches into it is included. These are the semantics of tabix /
  // `bcftools view -r` and of Beacon v2 range queries ("partial overlaps are accepted").
  void ScanOverlapping(std::string_view contig, int64_t start, int64_t end,
                       const std::function<bool(const AlleleKey&, const AlleleRef&)>& visit) const;
  // The longest reference allele on `contig` (0 when none): how far before a range an
  // overlapping allele can start. Found when the segments were validated at open.
  uint64_t MaxRefLength(std::string_view contig) const;

  // Counts over `filter` (nullptr = all samples).
  AlleleCounts Count(const AlleleRef& ref, const SampleSet* filter = nullptr) const;
  // Samples with at least one copy of the allele (∩ filter when given).
  SampleSet Carriers(const AlleleRef& ref, const SampleSet* filter = nullptr) const;
  // Whether any sample (of `filter`, when given) carries the allele.
  bool HasCarrier(const AlleleRef& ref, const SampleSet* filter = nullptr) const {
    return !Carriers(ref, filter).Empty();
  }

 private:
  friend class Store;
  Dataset() = default;
  std::string id_;
  uint64_t generation_ = 0;
  std::string assembly_;
  std::vector<SampleInfo> samples_;
  std::map<std::string, SampleId, std::less<>> sample_index_;
  std::vector<std::unique_ptr<Segment>> segments_;
  uint64_t allele_count_ = 0;
  mutable std::once_flag carried_once_;
  mutable uint64_t carried_allele_count_ = 0;
  // Per metadata field: value → ascending sample ids (built once when the dataset opens).
  std::map<std::string, std::vector<SampleId>, std::less<>> field_index_[5];
};

class Store {
 public:
  // Opens one dataset directory (holding a MANIFEST). Validates every live segment.
  static Result<std::unique_ptr<Dataset>> OpenDataset(const std::filesystem::path& dataset_dir);

  // Opens every dataset under `data_dir` (directories with a MANIFEST, or with ingested data
  // and no MANIFEST). A directory without datasets is an empty store, not an error. A dataset
  // that fails to open is left out and listed in broken(), so that one damaged dataset does
  // not take the others down; only an unreadable `data_dir` is an error.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& data_dir);

  std::vector<std::string> dataset_ids() const;
  const Dataset* dataset(std::string_view id) const;  // nullptr when unknown or broken
  // Datasets that could not be opened (directory name → why, usually kCorruption).
  const std::map<std::string, Status, std::less<>>& broken() const { return broken_; }

 private:
  std::map<std::string, std::unique_ptr<Dataset>, std::less<>> datasets_;
  std::map<std::string, Status, std::less<>> broken_;
};

}  // namespace genomefed::store
