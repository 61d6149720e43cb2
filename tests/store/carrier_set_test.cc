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

// The Rice parameter is part of the format (readers recompute it): pinned here, and close to
// the best k for random sets (the expected length it minimises).
TEST(CarrierSet, RiceParameterIsPinned) {
  EXPECT_EQ(RiceParameter(1, 2504), 10);
  EXPECT_EQ(RiceParameter(3, 2504), 9);
  EXPECT_EQ(RiceParameter(8, 2504), 8);
  EXPECT_EQ(RiceParameter(300, 2504), 2);
  EXPECT_EQ(RiceParameter(1000, 2504), 1);
  EXPECT_EQ(RiceParameter(2504, 2504), 0);
  EXPECT_EQ(RiceParameter(1, 65536), 14);
  EXPECT_EQ(RiceParameter(3000, 65536), 4);
  EXPECT_EQ(RiceParameter(1, 1), 0);
  EXPECT_EQ(RiceMaxBits(3, 2504, 9), 3u * 10u + (2501u >> 9));
  // The rule as written in docs/formats/store.md, by plain search, for every cardinality.
  for (uint32_t width : {1u, 2u, 63u, 64u, 2504u, 34464u, 65536u}) {
    for (uint32_t c = 1; c <= width; ++c) {
      int k = 0;
      while (uint64_t{c + 1} * (2 * uint64_t{width} + c + 1) * 10000 * (uint64_t{1} << k) <
             9624 * uint64_t{width} * width) {
        ++k;
      }
      ASSERT_EQ(RiceParameter(c, width), k) << width << " " << c;
    }
  }
  std::mt19937 rng(7);
  for (uint32_t width : {2504u, 65536u}) {
    for (uint32_t n : {1u, 4u, 16u, 100u, 500u}) {
      size_t chosen = 0, best = 0;
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<SampleId> ids = RandomIds(rng, width, n);
        auto bits = [&](int k) {
          size_t total = ids.size() * static_cast<size_t>(k + 1);
          uint32_t next = 0;
          for (SampleId id : ids) {
            total += (id - next) >> k;
            next = id + 1;
          }
          return total;
        };
        size_t min_bits = SIZE_MAX;
        for (int k = 0; k <= 16; ++k) min_bits = std::min(min_bits, bits(k));
        chosen += bits(RiceParameter(static_cast<uint32_t>(ids.size()), width));
        best += min_bits;
      }
      EXPECT_LE(chosen, best + best / 20) << width << " " << n;  // within 5 % of each set's best
    }
  }
}

TEST(CarrierSet, SparseSetsAreListsDenseAreBitsets) {
  // Three ids of 2,504: Rice with k = 9; gaps 3, 696, 1799 have quotients 0, 1, 3.
  std::vector<SampleId> few = {3, 700, 2500};
  std::string enc;
  EncodeCarrierSet(few, 2504, enc);
  EXPECT_EQ(enc.size(), 1u + (3u * 9u + (0u + 1u + 3u) + 3u + 7u) / 8u);  // card, 34 bits
  EXPECT_EQ(CarrierSetToVector(reinterpret_cast<const uint8_t*>(enc.data()), 2504), few);
  std::vector<SampleId> many(2000);
  for (SampleId i = 0; i < 2000; ++i) many[i] = i;
  enc.clear();
  EncodeCarrierSet(many, 2504, enc);
  EXPECT_EQ(enc.size(), 2u + 320u);  // varint 2000, bitset of 2,504 bits = 40 words
  // No cap on list length: 600 ids are a list whenever its longest coding beats the bitset.
  std::vector<SampleId> mid;
  for (SampleId i = 0; i < 600; ++i) mid.push_back(i * 4);
  enc.clear();
  EncodeCarrierSet(mid, 2504, enc);
  EXPECT_LT(enc.size(), 2u + 320u);
  EXPECT_EQ(CarrierSetToVector(reinterpret_cast<const uint8_t*>(enc.data()), 2504), mid);
  // 900 ids: the longest coding (k = 1: 1,800 + 802 bits) passes the bitset's 2,560: bitset.
  std::vector<SampleId> dense;
  for (SampleId i = 0; i < 900; ++i) dense.push_back(i * 2);
  enc.clear();
  EncodeCarrierSet(dense, 2504, enc);
  EXPECT_EQ(enc.size(), 2u + 320u);
  std::vector<SampleId> thousand;
  for (SampleId i = 0; i < 1000; ++i) thousand.push_back(i * 65);
  enc.clear();
  EncodeCarrierSet(thousand, 100000, enc);
  EXPECT_EQ(enc.size(), 1u + 1u + 2u + 1000u);  // n_chunks, key, card − 1, k = 5: 8 bits per id
  EXPECT_EQ(CarrierSetToVector(reinterpret_cast<const uint8_t*>(enc.data()), 100000), thousand);
  // Chunked form above 65,536 samples: n_chunks, then key and cardinality − 1 per chunk.
  enc.clear();
  EncodeCarrierSet(std::vector<SampleId>{5, 70000}, 100000, enc);
  const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
  EXPECT_EQ(enc[0], 2);
  EXPECT_EQ(CarrierSetToVector(p, 100000), std::vector<SampleId>({5, 70000}));
}

// Rice edge cases: one id at either end of the width, runs of consecutive ids, the largest
// gaps; every truncation is refused, and each set is decoded from a buffer of exactly its
// length (a reader that loads past a list's end shows under ASan).
TEST(CarrierSet, RiceEdges) {
  for (uint32_t universe : {1u, 2u, 63u, 64u, 2504u, 65536u, 100000u}) {
    std::vector<std::vector<SampleId>> cases = {{0}, {universe - 1}};
    if (universe > 1) cases.push_back({0, universe - 1});
    std::vector<SampleId> run;
    for (SampleId i = 0; i < std::min(universe, 700u); ++i) run.push_back(i);
    cases.push_back(run);
    std::vector<SampleId> tail;
    for (SampleId i = universe > 300 ? universe - 300 : 0; i < universe; ++i) tail.push_back(i);
    cases.push_back(tail);
    for (const auto& ids : cases) {
      std::string enc;
      EncodeCarrierSet(ids, universe, enc);
      std::vector<uint8_t> exact(enc.begin(), enc.end());
      const uint8_t* p = exact.data();
      ASSERT_EQ(ValidateCarrierSet(p, 0, exact.size(), universe), exact.size()) << universe;
      EXPECT_EQ(CarrierSetToVector(p, universe), ids);
      EXPECT_EQ(SkipCarrierSet(p, universe), p + exact.size());
      SampleSet all = SampleSet::All(universe);
      const uint8_t* q = p;
      EXPECT_EQ(CountAndAdvance(q, universe, &all), ids.size());
      EXPECT_EQ(q, p + exact.size());
      for (size_t len = 0; len < exact.size(); ++len) {
        EXPECT_EQ(ValidateCarrierSet(p, 0, len, universe), SIZE_MAX) << universe << " " << len;
      }
    }
  }
}

// Forged Rice lists: a run of zeros longer than any id allows, a set padding bit, an id at the
// width. Each is refused.
TEST(CarrierSet, ForgedRiceListsAreRefused) {
  // One id of 2,504: k = 10; the list is 10 remainder bits, then the unary quotient.
  std::string enc;
  EncodeCarrierSet(std::vector<SampleId>{2503}, 2504, enc);
  ASSERT_EQ(enc.size(), 3u);  // card | 10 + 3 bits: 2503 = 2·1024 + 455
  auto valid = [&](const std::string& s) {
    return ValidateCarrierSet(reinterpret_cast<const uint8_t*>(s.data()), 0, s.size(), 2504);
  };
  EXPECT_EQ(valid(enc), 3u);
  std::string zeros = enc;
  zeros[2] = 0;  // the one of the quotient cleared: never ends within the width
  EXPECT_EQ(valid(zeros), SIZE_MAX);
  std::string padding = enc;
  padding[2] = static_cast<char>(padding[2] | 0x80);  // a bit past the code's one
  EXPECT_EQ(valid(padding), SIZE_MAX);
  std::string beyond = enc;  // remainder 1023 with quotient 2: id 3071 ≥ 2,504
  beyond[1] = static_cast<char>(0xFF);
  beyond[2] = static_cast<char>(beyond[2] | 0x03);
  EXPECT_EQ(valid(beyond), SIZE_MAX);
}

TEST(CarrierSet, ValidationRejectsDamage) {
  std::vector<SampleId> ids = {1, 5, 99};
  std::string enc;
  EncodeCarrierSet(ids, 100, enc);
  const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size() - 1, 100), SIZE_MAX);  // truncated
  EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size(), 99), SIZE_MAX);       // id ≥ universe (same k)
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

// Validation checks Rice lists without decoding them (a popcount per 56 bits and the sum of the
// gaps): whatever it accepts must decode to `card` increasing ids below the universe and end
// where it said. Random sets of every density, each damaged by random bit flips.
TEST(CarrierSet, RandomDamageIsRefusedOrDecodesSafely) {
  std::mt19937 rng(5);
  int accepted_damaged = 0, refused = 0;
  for (uint32_t universe : {100u, 2504u, 70'000u}) {
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<SampleId> ids;
      const uint32_t density = 1 + rng() % 400;  // per mille
      for (uint32_t id = 0; id < universe; ++id) {
        if (rng() % 1000 < density) ids.push_back(id);
      }
      std::string enc;
      EncodeCarrierSet(ids, universe, enc);
      for (int flips = 0; flips < 8; ++flips) {
        std::string damaged = enc;
        const size_t byte = rng() % damaged.size();
        damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << (rng() % 8)));
        const auto* d = reinterpret_cast<const uint8_t*>(damaged.data());
        const size_t end = ValidateCarrierSet(d, 0, damaged.size(), universe);
        if (end == SIZE_MAX) {
          ++refused;
          continue;
        }
        ++accepted_damaged;
        ASSERT_LE(end, damaged.size());
        ASSERT_EQ(static_cast<size_t>(SkipCarrierSet(d, universe) - d), end);
        const std::vector<SampleId> got = CarrierSetToVector(d, universe);
        ASSERT_EQ(got.size(), CarrierSetCardinality(d, universe));
        for (size_t i = 0; i < got.size(); ++i) {
          ASSERT_LT(got[i], universe);
          if (i > 0) {
            ASSERT_LT(got[i - 1], got[i]);
          }
        }
      }
    }
  }
  EXPECT_GT(refused, 100);  // both outcomes are exercised
  EXPECT_GT(accepted_damaged, 100);
}

// In chunks wider than 32,768 samples a list holds at most 2,048 ids (a count decodes lists id
// by id); narrower chunks keep lists as long as they are smaller than the bitset.
TEST(CarrierSet, WideChunksCapListsAt2048Ids) {
  auto spread = [](uint32_t n, uint32_t width) {
    std::vector<SampleId> ids;
    for (uint32_t i = 0; i < n; ++i) ids.push_back(static_cast<SampleId>(uint64_t{i} * width / n));
    return ids;
  };
  auto payload = [](const std::vector<SampleId>& ids, uint32_t universe) {
    std::string enc;
    EncodeCarrierSet(ids, universe, enc);
    const auto* p = reinterpret_cast<const uint8_t*>(enc.data());
    EXPECT_EQ(ValidateCarrierSet(p, 0, enc.size(), universe), enc.size());
    EXPECT_EQ(CarrierSetToVector(p, universe), ids);
    return enc.size();
  };
  // 100,000 samples, all ids in the first (65,536-wide) chunk; header: 1 + 1 + 2 bytes.
  EXPECT_LT(payload(spread(2'048, 65'536), 100'000), 8'192u);       // a list
  EXPECT_EQ(payload(spread(2'049, 65'536), 100'000), 4u + 8'192u);  // the bitset
  // 30,000 samples (one chunk of 30,000): 3,000 ids stay a list.
  EXPECT_LT(payload(spread(3'000, 30'000), 30'000), (30'000u + 63) / 64 * 8);
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
