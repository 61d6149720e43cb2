#include "store/carrier_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "support/test_support.h"

namespace genomefed::store {
namespace {

std::vector<SampleId> RandomIds(std::mt19937& rng, uint32_t universe, uint32_t n) {
  std::vector<SampleId> ids;
  std::uniform_int_distribution<SampleId> pick(0, universe - 1);
  while (ids.size() < n) ids.push_back(pick(rng));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

SampleSet RandomFilter(std::mt19937& rng, uint32_t universe, double density) {
  SampleSet f(universe);
  std::bernoulli_distribution in(density);
  for (SampleId i = 0; i < universe; ++i) {
    if (in(rng)) f.Add(i);
  }
  return f;
}

// Every density, both sample-count regimes (one chunk of 2,504; two chunks of 100,000 with a
// partial last chunk): the encoding round-trips and counts equal a naive count.
TEST(CarrierSet, RoundTripAndCountsMatchNaive) {
  std::mt19937 rng(42);
  for (uint32_t universe : {1u, 64u, 65u, 2504u, 65536u, 65537u, 100000u}) {
    for (uint32_t n : {0u, 1u, 3u, 100u, 160u, 2000u, 40000u}) {
      if (n > universe) continue;
      std::vector<SampleId> ids = RandomIds(rng, universe, n);
      std::string enc;
      EncodeCarrierSet(ids, universe, enc);
      const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
      ASSERT_EQ(ValidateCarrierSet(p, 0, enc.size(), universe), enc.size())
          << "universe " << universe << " n " << n;
      EXPECT_EQ(CarrierSetToVector(p, universe), ids);
      EXPECT_EQ(CarrierSetCardinality(p, universe), ids.size());
      EXPECT_EQ(SkipCarrierSet(p, universe), p + enc.size());
      SampleSet filter = RandomFilter(rng, universe, 0.3);
      uint32_t naive = 0;
      for (SampleId id : ids) naive += filter.Contains(id) ? 1 : 0;
      EXPECT_EQ(CarrierSetIntersectCount(p, universe, filter.words()), naive);
      const uint8_t* q = p;
      EXPECT_EQ(CountAndAdvance(q, universe, &filter), naive);
      EXPECT_EQ(q, p + enc.size());
      q = p;
      EXPECT_EQ(CountAndAdvance(q, universe, nullptr), ids.size());
      SampleSet out(universe);
      CarrierSetAddTo(p, universe, &filter, out);
      EXPECT_EQ(out.Count(), naive);
    }
  }
}

TEST(CarrierSet, SparseSetsAreListsDenseAreBitsets) {
  std::vector<SampleId> few = {3, 700, 2500};
  std::string enc;
  EncodeCarrierSet(few, 2504, enc);
  EXPECT_EQ(enc.size(), 1u + 1u + 1u + 3u * 2u);  // n_chunks, key, card-1, three uint16
  std::vector<SampleId> many(2000);
  for (SampleId i = 0; i < 2000; ++i) many[i] = i;
  enc.clear();
  EncodeCarrierSet(many, 2504, enc);
  EXPECT_LE(enc.size(), 1u + 1u + 2u + 320u);  // bitset of 2,504 bits = 40 words
}

TEST(CarrierSet, ValidationRejectsDamage) {
  std::vector<SampleId> ids = {1, 5, 9};
  std::string enc;
  EncodeCarrierSet(ids, 100, enc);
  const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size() - 1, 100), SIZE_MAX);  // truncated
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size(), 8), SIZE_MAX);        // id ≥ universe
  std::string swapped = enc;
  std::swap(swapped[3], swapped[5]);  // out of order
  EXPECT_EQ(
      ValidateCarrierSet(reinterpret_cast<const uint8_t*>(swapped.data()), 0, swapped.size(), 100),
      SIZE_MAX);
  std::string endless(12, '\xff');  // varint that never ends
  EXPECT_EQ(
      ValidateCarrierSet(reinterpret_cast<const uint8_t*>(endless.data()), 0, endless.size(), 100),
      SIZE_MAX);
}

TEST(SampleSet, Algebra) {
  SampleSet a(130), b(130);
  a.Add(1);
  a.Add(129);
  b.Add(129);
  b.Add(64);
  EXPECT_EQ((a & b).ToVector(), std::vector<SampleId>({129}));
  EXPECT_EQ((a | b).Count(), 3u);
  EXPECT_EQ(SampleSet::All(130).Count(), 130u);
  EXPECT_FALSE(a.Contains(500));
}

}  // namespace
}  // namespace genomefed::store
