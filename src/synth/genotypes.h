// Genotype drawing for the synthetic cohort generator (internal to synth/): turns per-population
// ALT frequencies into one record's GT values, in htslib's BCF encoding, for every sample.
//
// The buffer holds 2 int8 per sample, exactly the bytes of a BCF 2.2 FORMAT/GT vector of size 2
// (allele values (i+1)<<1 | phased, 0 missing, haploid calls padded with bcf_int8_vector_end), so
// the writer copies it without re-encoding. Only the entries a record changes are touched and
// restored afterwards, so the cost of a record is O(ALT copies + missing calls) plus O(samples) for
// sites where the ALTs are common, never O(samples) work for a rare allele; memory is O(samples).
#pragma once

#include <cstdint>
#include <vector>

#include "synth/genome.h"
#include "synth/random.h"

namespace genomefed::synth {

struct CohortLayout {
  std::vector<uint8_t> female;       // per sample
  std::vector<uint16_t> population;  // per sample, index into the population list
  size_t population_count = 0;
};

struct GenotypeOptions {
  bool phased = false;
  double missing_rate = 0;
  double partial_missing_fraction = 0;
};

// Per-record allele figures, over all samples (what INFO/AC and INFO/AN carry).
struct RecordCounts {
  std::vector<int32_t> ac;  // per ALT
  int32_t an = 0;
};

class Genotyper {
 public:
  Genotyper(const CohortLayout& layout, const GenotypeOptions& options);

  // Draws one record: `frequencies[k]` are population k's ALT frequencies. Every ALT ends up
  // with at least one copy (a record lists only alleles seen in the cohort, as a cohort VCF
  // does), unless no sample has a call at all. Returns the GT values to pass to
  // the BCF writer (valid until the next call).
  const std::vector<int8_t>& Draw(PloidyClass ploidy,
                                  const std::vector<std::vector<double>>& frequencies, Rng& rng,
                                  RecordCounts* counts);

  // ALT copies per sample in the last drawn record for ALT index `alt` (0-based), written to
  // *dosage (resized to samples; 0, 1 or 2).
  void Dosages(int alt, std::vector<uint8_t>* dosage) const;

  size_t samples() const { return female_.size(); }

 private:
  void SetClass(PloidyClass ploidy);
  int8_t Encode(int allele, uint32_t slot) const;
  int8_t Missing(uint32_t slot) const;
  // Writes a value, remembering the slot for Restore() the first time it leaves the template.
  void Set(uint32_t slot, int8_t value);
  void Restore();
  void ApplyMissing(Rng& rng);
  void EnsureEveryAltSeen(size_t n_alts, Rng& rng);
  void SortUnphased();

  std::vector<uint8_t> female_;
  std::vector<uint16_t> population_;
  GenotypeOptions options_;

  // Per ploidy class and population, the callable haplotype slots (indices into gt_).
  std::vector<std::vector<uint32_t>> slots_[4];
  int32_t called_alleles_[4] = {0, 0, 0, 0};

  PloidyClass current_ = PloidyClass::kDiploid;
  bool current_valid_ = false;
  std::vector<int8_t> template_;  // all-reference (or no-call) values of the current class
  std::vector<int8_t> gt_;
  std::vector<uint32_t> touched_;  // slots changed since the template
};

}  // namespace genomefed::synth
