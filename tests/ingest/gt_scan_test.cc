// Both implementations of the non-reference scan against a plain loop, on random genotype
// vectors of every length around the word and vector widths, with the encodings BCF uses:
// 0/0 and 0|0 (2, 3), other alleles, missing (0) and the vector-end padding (0x81).
#include "ingest/gt_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace genomefed::ingest {
namespace {

std::vector<uint32_t> Reference(const std::vector<uint8_t>& gt) {
  std::vector<uint32_t> out;
  for (size_t s = 0; 2 * s + 1 < gt.size(); ++s) {
    const bool ref0 = gt[2 * s] == 2 || gt[2 * s] == 3;
    const bool ref1 = gt[2 * s + 1] == 2 || gt[2 * s + 1] == 3;
    if (!ref0 || !ref1) out.push_back(static_cast<uint32_t>(s));
  }
  return out;
}

std::vector<uint32_t> Scan(size_t (*fn)(const uint8_t*, size_t, uint32_t*),
                           const std::vector<uint8_t>& gt) {
  std::vector<uint32_t> out(gt.size() / 2 + 1, 0xFFFFFFFFu);
  out.resize(fn(gt.data(), gt.size() / 2, out.data()));
  return out;
}

using ScanFn = size_t (*)(const uint8_t*, size_t, uint32_t*);

// Random vectors of every length 0..70 (around the 4- and 16-sample strides), 40 each.
void CheckRandom(ScanFn fn, const char* name) {
  std::mt19937 rng(7);
  const uint8_t kValues[] = {2, 3, 2, 3, 2, 3, 2, 2, 4, 5, 6, 7, 0, 1, 0x81};
  std::uniform_int_distribution<size_t> pick(0, sizeof(kValues) - 1);
  std::bernoulli_distribution mostly_ref(0.3);
  for (size_t n = 0; n <= 70; ++n) {
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<uint8_t> gt(2 * n);
      const bool sparse = mostly_ref(rng);
      for (auto& b : gt) b = sparse && (rng() % 8 != 0) ? 2 : kValues[pick(rng)];
      ASSERT_EQ(Scan(fn, gt), Reference(gt)) << name << ", n=" << n << ", trial " << trial;
    }
  }
}

TEST(GtScan, PortableEqualsAPlainLoop) { CheckRandom(CollectNonRefPortable, "portable"); }

TEST(GtScan, DispatchedEqualsAPlainLoop) { CheckRandom(CollectNonRef, "dispatched"); }

TEST(GtScan, Avx2EqualsAPlainLoop) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "this CPU has no AVX2 (the portable scan is the one used)";
  CheckRandom(CollectNonRefAvx2, "avx2");
}

TEST(GtScan, LargeVectorWithFewCarriers) {
  std::vector<uint8_t> gt(2 * 100'003, 2);
  for (size_t s : {0ul, 15ul, 16ul, 17ul, 4'095ul, 65'536ul, 100'002ul}) gt[2 * s + 1] = 4;
  const auto want = Reference(gt);
  ASSERT_EQ(want.size(), 7u);
  EXPECT_EQ(Scan(CollectNonRefPortable, gt), want);
  if (CpuHasAvx2()) {
    EXPECT_EQ(Scan(CollectNonRefAvx2, gt), want);
  }
}

// ---- SplitBiallelic ----

struct Split {
  std::vector<uint32_t> het, hom, hemi, called1, called0, other;
  bool operator==(const Split&) const = default;
};

// The contract of SplitBiallelic, written as plainly as possible.
Split SplitReference(const std::vector<uint8_t>& gt, uint32_t first_id) {
  Split out;
  auto allele = [](uint8_t v) { return v == 2 || v == 3 ? 0 : v == 4 || v == 5 ? 1 : -1; };
  auto missing = [](uint8_t v) { return v == 0 || v == 1; };
  for (uint32_t s = 0; 2 * s + 1 < gt.size(); ++s) {
    const uint8_t x = gt[2 * s], y = gt[2 * s + 1];
    const int a = allele(x), b = allele(y);
    if (a == 0 && b == 0) continue;
    if (a >= 0 && b >= 0) {
      (a == b ? out.hom : out.het).push_back(first_id + s);
    } else if (a >= 0 && y == 0x81) {
      out.called1.push_back(first_id + s);
      if (a == 1) out.hemi.push_back(first_id + s);
    } else if (missing(x) && missing(y)) {
      out.called0.push_back(first_id + s);
    } else {
      out.other.push_back(s);
    }
  }
  return out;
}

using SplitFn = BiallelicSplit (*)(const uint8_t*, size_t, uint32_t, const BiallelicLists&);

Split RunSplit(SplitFn fn, const std::vector<uint8_t>& gt, uint32_t first_id) {
  const size_t n = gt.size() / 2;
  Split out;  // exactly n entries each: an overrun shows under ASan
  for (auto* list : {&out.het, &out.hom, &out.hemi, &out.called1, &out.called0, &out.other}) {
    list->resize(n);
  }
  const BiallelicSplit got = fn(gt.data(), n, first_id,
                                {out.het.data(), out.hom.data(), out.hemi.data(),
                                 out.called1.data(), out.called0.data(), out.other.data()});
  out.het.resize(got.het);
  out.hom.resize(got.hom);
  out.hemi.resize(got.hemi);
  out.called1.resize(got.called1);
  out.called0.resize(got.called0);
  out.other.resize(got.other);
  return out;
}

// Every length 0..140 (around the 32-sample step), dense and sparse, with the values BCF uses
// (alleles 0 and 1 phased or not, missing 0/1, the vector end 0x81) and some it does not
// (0x80, int8 "missing", which must not pass for a haploid call; 0x84 and 0x85, whose
// phase-cleared bytes must not pass for alleles; allele 2, out of range here).
void CheckSplitRandom(SplitFn fn, const char* name) {
  std::mt19937 rng(11);
  const uint8_t kValues[] = {2, 3, 2, 3, 2, 4, 5, 4, 5, 6, 7, 0, 1, 0x80, 0x81, 0x81, 0x84, 0x85};
  std::uniform_int_distribution<size_t> pick(0, sizeof(kValues) - 1);
  for (size_t n = 0; n <= 140; ++n) {
    for (int trial = 0; trial < 30; ++trial) {
      std::vector<uint8_t> gt(2 * n);
      const int sparsity = trial % 3;  // 0: dense, 1: 1 in 8 non-ref, 2: 1 in 100
      for (auto& b : gt) {
        const bool ref = (sparsity == 1 && rng() % 8 != 0) || (sparsity == 2 && rng() % 100 != 0);
        b = ref ? static_cast<uint8_t>(2 + rng() % 2) : kValues[pick(rng)];
      }
      const uint32_t first_id = trial % 2 ? 70'000 : 0;
      ASSERT_EQ(RunSplit(fn, gt, first_id), SplitReference(gt, first_id))
          << name << ", n=" << n << ", trial " << trial;
    }
  }
}

TEST(GtScan, SplitBiallelicPortableEqualsAPlainLoop) {
  CheckSplitRandom(SplitBiallelicPortable, "portable");
}

TEST(GtScan, SplitBiallelicDispatchedEqualsAPlainLoop) {
  CheckSplitRandom(SplitBiallelic, "dispatched");
}

TEST(GtScan, SplitBiallelicAvx2EqualsAPlainLoop) {
  if (!CpuHasAvx2()) GTEST_SKIP() << "this CPU has no AVX2 (the portable split is the one used)";
  CheckSplitRandom(SplitBiallelicAvx2, "avx2");
}

// A chrX-like vector: haploid males (allele then 0x81) between diploid females.
TEST(GtScan, SplitBiallelicHaploidAndMissingCalls) {
  std::vector<uint8_t> gt;
  for (uint32_t s = 0; s < 1000; ++s) {
    if (s % 2 == 1) {
      gt.push_back(s % 6 == 1 ? 4 : 2);
      gt.push_back(0x81);
    } else {
      gt.push_back(s % 10 == 0 ? 0 : 2);
      gt.push_back(s % 10 == 0 ? 0 : s % 8 == 0 ? 5 : 3);
    }
  }
  const Split want = SplitReference(gt, 5);
  ASSERT_EQ(want.called1.size(), 500u);
  ASSERT_GT(want.hemi.size(), 100u);
  ASSERT_EQ(want.called0.size(), 100u);
  EXPECT_EQ(RunSplit(SplitBiallelicPortable, gt, 5), want);
  EXPECT_EQ(RunSplit(SplitBiallelic, gt, 5), want);
}

}  // namespace
}  // namespace genomefed::ingest
