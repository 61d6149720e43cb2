#include "store/sample_set.h"

#include <algorithm>
#include <bit>

namespace genomefed::store {

SampleSet::SampleSet(uint32_t universe) : universe_(universe), words_((universe + 63) / 64, 0) {}

SampleSet SampleSet::All(uint32_t universe) {
  SampleSet s(universe);
  std::fill(s.words_.begin(), s.words_.end(), ~uint64_t{0});
  if (universe % 64 != 0 && !s.words_.empty()) {
    s.words_.back() = (uint64_t{1} << (universe % 64)) - 1;
  }
  return s;
}

void SampleSet::Add(SampleId id) {
  if (id >= universe_) {
    universe_ = id + 1;
    words_.resize((universe_ + 63) / 64, 0);
  }
  words_[id >> 6] |= uint64_t{1} << (id & 63);
}

void SampleSet::Remove(SampleId id) {
  if (id < universe_) words_[id >> 6] &= ~(uint64_t{1} << (id & 63));
}

uint32_t SampleSet::Count() const {
  uint32_t n = 0;
  for (uint64_t w : words_) n += static_cast<uint32_t>(std::popcount(w));
  return n;
}

SampleSet& SampleSet::operator&=(const SampleSet& other) {
  const size_t common = std::min(words_.size(), other.words_.size());
  for (size_t i = 0; i < common; ++i) words_[i] &= other.words_[i];
  for (size_t i = common; i < words_.size(); ++i) words_[i] = 0;
  return *this;
}

SampleSet& SampleSet::operator|=(const SampleSet& other) {
  if (other.universe_ > universe_) {
    universe_ = other.universe_;
    words_.resize(other.words_.size(), 0);
  }
  for (size_t i = 0; i < other.words_.size(); ++i) words_[i] |= other.words_[i];
  return *this;
}

bool SampleSet::operator==(const SampleSet& other) const {
  const size_t n = std::max(words_.size(), other.words_.size());
  for (size_t i = 0; i < n; ++i) {
    uint64_t a = i < words_.size() ? words_[i] : 0;
    uint64_t b = i < other.words_.size() ? other.words_[i] : 0;
    if (a != b) return false;
  }
  return true;
}

std::vector<SampleId> SampleSet::ToVector() const {
  std::vector<SampleId> out;
  for (size_t i = 0; i < words_.size(); ++i) {
    uint64_t w = words_[i];
    while (w != 0) {
      out.push_back(static_cast<SampleId>(i * 64 + std::countr_zero(w)));
      w &= w - 1;
    }
  }
  return out;
}

}  // namespace genomefed::store
