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
  // Three ids of 2,504: Elias–Fano with l = 9 low bits, 3 + (2503 >> 9) = 7 high bits.
  std::vector<SampleId> few = {3, 700, 2500};
  std::string enc;
  EncodeCarrierSet(few, 2504, enc);
  EXPECT_EQ(enc.size(), 1u + (3u * 9u + 7u + 7u) / 8u);  // cardinality, 34 bits
  EXPECT_EQ(CarrierSetToVector(reinterpret_cast<const uint8_t*>(enc.data()), 2504), few);
  std::vector<SampleId> many(2000);
  for (SampleId i = 0; i < 2000; ++i) many[i] = i;
  enc.clear();
  EncodeCarrierSet(many, 2504, enc);
  EXPECT_EQ(enc.size(), 2u + 320u);  // varint 2000, bitset of 2,504 bits = 40 words
  // Above 256 ids a set is a bitset even where Elias–Fano would be smaller (decode time).
  std::vector<SampleId> mid;
  for (SampleId i = 0; i < 257; ++i) mid.push_back(i * 9);
  enc.clear();
  EncodeCarrierSet(mid, 2504, enc);
  EXPECT_EQ(enc.size(), 2u + 320u);
  // In a 64 Ki chunk lists go up to 4,096 ids (half the 8 KiB bitset), as in version 1.
  std::vector<SampleId> thousand;
  for (SampleId i = 0; i < 1000; ++i) thousand.push_back(i * 65);
  enc.clear();
  EncodeCarrierSet(thousand, 100000, enc);
  EXPECT_LT(enc.size(), 1500u);
  EXPECT_EQ(CarrierSetToVector(reinterpret_cast<const uint8_t*>(enc.data()), 100000), thousand);
  // Chunked form above 65,536 samples: n_chunks, then key and cardinality − 1 per chunk.
  enc.clear();
  EncodeCarrierSet(std::vector<SampleId>{5, 70000}, 100000, enc);
  const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
  EXPECT_EQ(enc[0], 2);
  EXPECT_EQ(CarrierSetToVector(p, 100000), std::vector<SampleId>({5, 70000}));
}

// Elias–Fano edge cases: one id at either end of the width, every id, consecutive ids.
TEST(CarrierSet, EliasFanoEdges) {
  for (uint32_t universe : {1u, 2u, 63u, 64u, 2504u, 65536u}) {
    std::vector<std::vector<SampleId>> cases = {{0}, {universe - 1}};
    std::vector<SampleId> run;
    for (SampleId i = 0; i < std::min(universe, 256u); ++i) run.push_back(i);
    cases.push_back(run);
    for (const auto& ids : cases) {
      std::string enc;
      EncodeCarrierSet(ids, universe, enc);
      const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
      ASSERT_EQ(ValidateCarrierSet(p, 0, enc.size(), universe), enc.size()) << universe;
      EXPECT_EQ(CarrierSetToVector(p, universe), ids);
      EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size() - 1, universe), SIZE_MAX);  // truncated
    }
  }
}

TEST(CarrierSet, ValidationRejectsDamage) {
  std::vector<SampleId> ids = {1, 5, 9};
  std::string enc;
  EncodeCarrierSet(ids, 100, enc);
  const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size() - 1, 100), SIZE_MAX);  // truncated
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size(), 8), SIZE_MAX);        // id ≥ universe
  // Any other payload with the same length: too many or too few high bits, ids out of range
  // or not increasing, padding bits set — each is refused or decodes to a valid set.
  for (size_t byte = 1; byte < enc.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = enc;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      const auto* d = reinterpret_cast<const uint8_t*>(damaged.data());
      if (ValidateCarrierSet(d, 0, damaged.size(), 100) == SIZE_MAX) continue;
      const std::vector<SampleId> got = CarrierSetToVector(d, 100);
      EXPECT_EQ(got.size(), 3u);
      EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
      EXPECT_NE(got, ids);
    }
  }
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
