// SampleSet: a dense bitset over one dataset's sample ids (0..n-1).
//
// Every filter value (a phenotype term with its descendants, a sex, a population, a disease, a
// consent code) resolves to one SampleSet, so a filtered count is "carriers of the allele ∩
// filter", counted with popcount (see carrier_set.h for the allele side).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace genomefed::store {

using SampleId = uint32_t;

class SampleSet {
 public:
  SampleSet() = default;
  explicit SampleSet(uint32_t universe);  // empty set over [0, universe)
  static SampleSet All(uint32_t universe);

  uint32_t universe() const { return universe_; }
  void Add(SampleId id);
  void Remove(SampleId id);
  bool Contains(SampleId id) const {
    return id < universe_ && ((words_[id >> 6] >> (id & 63)) & 1u) != 0;
  }
  uint32_t Count() const;
  bool Empty() const { return Count() == 0; }

  // Set algebra; both operands must share the universe (a smaller one is treated as padded).
  SampleSet& operator&=(const SampleSet& other);
  SampleSet& operator|=(const SampleSet& other);
  friend SampleSet operator&(SampleSet a, const SampleSet& b) { return a &= b; }
  friend SampleSet operator|(SampleSet a, const SampleSet& b) { return a |= b; }
  bool operator==(const SampleSet& other) const;

  std::span<const uint64_t> words() const { return words_; }
  std::vector<SampleId> ToVector() const;

 private:
  uint32_t universe_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace genomefed::store
