#include "synth/genotypes.h"

#include <htslib/vcf.h>

#include <algorithm>

namespace genomefed::synth {
namespace {

constexpr size_t ClassIndex(PloidyClass c) { return static_cast<size_t>(c); }

// Below this total ALT frequency, skipping to the next ALT copy geometrically is cheaper than
// one uniform draw per haplotype.
constexpr double kSkipThreshold = 0.25;

// Tries to place a forced copy of an unseen ALT before giving up (only with massive missingness).
constexpr int kForceTries = 256;

int AlleleOf(int8_t v) {
  if (v == bcf_int8_vector_end || bcf_gt_is_missing(v)) return -1;
  return bcf_gt_allele(v);
}

}  // namespace

Genotyper::Genotyper(const CohortLayout& layout, const GenotypeOptions& options)
    : female_(layout.female), population_(layout.population), options_(options) {
  const size_t n = female_.size();
  for (auto& per_class : slots_) per_class.assign(std::max<size_t>(layout.population_count, 1), {});
  for (uint32_t s = 0; s < n; ++s) {
    const uint16_t k = population_[s];
    const uint32_t a = 2 * s, b = 2 * s + 1;
    auto add = [&](PloidyClass c, uint32_t slot) {
      slots_[ClassIndex(c)][k].push_back(slot);
      ++called_alleles_[ClassIndex(c)];
    };
    add(PloidyClass::kDiploid, a);
    add(PloidyClass::kDiploid, b);
    add(PloidyClass::kXNonPar, a);
    if (female_[s]) add(PloidyClass::kXNonPar, b);
    if (!female_[s]) add(PloidyClass::kYNonPar, a);
    add(PloidyClass::kHaploid, a);
  }
}

int8_t Genotyper::Encode(int allele, uint32_t slot) const {
  // htslib's convention (as when parsing "0|1"): the phase bit sits on the second allele.
  return static_cast<int8_t>((options_.phased && (slot & 1)) ? bcf_gt_phased(allele)
                                                             : bcf_gt_unphased(allele));
}

int8_t Genotyper::Missing(uint32_t slot) const {
  return static_cast<int8_t>((options_.phased && (slot & 1)) ? (bcf_gt_missing | 1)
                                                             : bcf_gt_missing);
}

void Genotyper::Set(uint32_t slot, int8_t value) {
  if (gt_[slot] == template_[slot] && value != template_[slot]) touched_.push_back(slot);
  gt_[slot] = value;
}

void Genotyper::Restore() {
  for (uint32_t slot : touched_) gt_[slot] = template_[slot];
  touched_.clear();
}

void Genotyper::SetClass(PloidyClass ploidy) {
  if (current_valid_ && ploidy == current_) {
    Restore();
    return;
  }
  const size_t n = female_.size();
  template_.assign(2 * n, 0);
  for (uint32_t s = 0; s < n; ++s) {
    const bool female = female_[s] != 0;
    int8_t& a = template_[2 * s];
    int8_t& b = template_[2 * s + 1];
    a = Encode(0, 2 * s);
    b = bcf_int8_vector_end;
    switch (ploidy) {
      case PloidyClass::kDiploid:
        b = Encode(0, 2 * s + 1);
        break;
      case PloidyClass::kXNonPar:
        if (female) b = Encode(0, 2 * s + 1);
        break;
      case PloidyClass::kYNonPar:
        if (female) a = bcf_gt_missing;  // no chrY: written as "."
        break;
      case PloidyClass::kHaploid:
        break;
    }
  }
  gt_ = template_;
  touched_.clear();
  current_ = ploidy;
  current_valid_ = true;
}

const std::vector<int8_t>& Genotyper::Draw(PloidyClass ploidy,
                                           const std::vector<std::vector<double>>& frequencies,
                                           Rng& rng, RecordCounts* counts) {
  SetClass(ploidy);
  const size_t n_alts = frequencies.empty() ? 0 : frequencies[0].size();
  std::vector<double> cumulative(n_alts);
  const auto& per_population = slots_[ClassIndex(ploidy)];

  for (size_t k = 0; k < frequencies.size() && k < per_population.size(); ++k) {
    const std::vector<uint32_t>& slots = per_population[k];
    double t = 0;
    for (size_t j = 0; j < n_alts; ++j) {
      t += frequencies[k][j];
      cumulative[j] = t;
    }
    if (t <= 0 || slots.empty()) continue;
    auto pick = [&](double u) {  // u uniform in [0, t)
      size_t j = 0;
      while (j + 1 < n_alts && u >= cumulative[j]) ++j;
      return static_cast<int>(j) + 1;
    };
    const uint64_t n = slots.size();
    if (t < kSkipThreshold) {
      uint64_t i = rng.Geometric(t);
      while (i < n) {
        Set(slots[i], Encode(pick(rng.Uniform() * t), slots[i]));
        const uint64_t gap = rng.Geometric(t);
        if (gap >= n - i - 1) break;
        i += 1 + gap;
      }
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        const double u = rng.Uniform();
        if (u < t) Set(slots[i], Encode(pick(u), slots[i]));
      }
    }
  }

  ApplyMissing(rng);
  EnsureEveryAltSeen(n_alts, rng);
  if (!options_.phased) SortUnphased();

  counts->ac.assign(n_alts, 0);
  int32_t missing_alleles = 0;
  for (uint32_t slot : touched_) {
    const int8_t v = gt_[slot];
    if (v == bcf_int8_vector_end) continue;
    if (bcf_gt_is_missing(v)) {
      if (!bcf_gt_is_missing(template_[slot])) ++missing_alleles;
      continue;
    }
    const int a = bcf_gt_allele(v);
    if (a > 0) ++counts->ac[a - 1];
  }
  counts->an = called_alleles_[ClassIndex(ploidy)] - missing_alleles;
  return gt_;
}

void Genotyper::ApplyMissing(Rng& rng) {
  const double m = options_.missing_rate;
  if (m <= 0) return;
  const uint64_t n = female_.size();
  uint64_t s = rng.Geometric(m);
  while (s < n) {
    const uint32_t a = static_cast<uint32_t>(2 * s), b = a + 1;
    if (!bcf_gt_is_missing(template_[a])) {  // females on chrY have nothing to lose
      if (gt_[b] == bcf_int8_vector_end) {
        Set(a, bcf_gt_missing);
      } else if (rng.Bernoulli(options_.partial_missing_fraction)) {
        // Partly missing ("1/."): the second allele was not called; keep the ALT if any.
        const int keep = std::max(AlleleOf(gt_[a]), AlleleOf(gt_[b]));
        Set(a, Encode(keep, a));
        Set(b, Missing(b));
      } else {
        Set(a, Missing(a));
        Set(b, Missing(b));
      }
    }
    const uint64_t gap = rng.Geometric(m);
    if (gap >= n - s - 1) break;
    s += 1 + gap;
  }
}

void Genotyper::EnsureEveryAltSeen(size_t n_alts, Rng& rng) {
  std::vector<bool> seen(n_alts, false);
  for (uint32_t slot : touched_) {
    const int allele = AlleleOf(gt_[slot]);
    if (allele > 0) seen[allele - 1] = true;
  }
  const uint64_t n = female_.size();
  for (size_t j = 0; j < n_alts; ++j) {
    if (seen[j]) continue;
    // Ascertainment: a cohort VCF lists an ALT only if someone carries it. Give one random
    // reference allele to the ALT, which adds the singletons a growing population has anyway.
    for (int attempt = 0; attempt < kForceTries; ++attempt) {
      const uint32_t s = static_cast<uint32_t>(rng.Below(n));
      const uint32_t first = 2 * s + static_cast<uint32_t>(rng.Below(2));
      const uint32_t candidates[2] = {first, first ^ 1u};
      bool placed = false;
      for (uint32_t slot : candidates) {
        if (AlleleOf(gt_[slot]) == 0) {
          Set(slot, Encode(static_cast<int>(j) + 1, slot));
          placed = true;
          break;
        }
      }
      if (placed) break;
    }
  }
}

void Genotyper::SortUnphased() {
  // Unphased calls are written smallest allele first ("0/1", never "1/0"), as callers do; a
  // partly missing call keeps its called allele first ("1/.").
  const size_t n = touched_.size();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t a = touched_[i] & ~1u, b = a + 1;
    const int x = AlleleOf(gt_[a]), y = AlleleOf(gt_[b]);
    if (x > 0 && y >= 0 && x > y) {
      const int8_t va = gt_[a], vb = gt_[b];
      Set(a, vb);
      Set(b, va);
    }
  }
}

void Genotyper::Dosages(int alt, std::vector<uint8_t>* dosage) const {
  dosage->assign(female_.size(), 0);
  for (uint32_t slot : touched_) {
    if (AlleleOf(gt_[slot]) == alt + 1) ++(*dosage)[slot >> 1];
  }
}

}  // namespace genomefed::synth
