// Filtered carrier count (allele ∩ phenotype ∩ consent) and bytes per allele: the store's
// list/bitset hybrid vs Debian's CRoaring, in the same run, at 2,504 and 100,000 samples.
//
// Carrier counts follow a 1000 Genomes-like spectrum (most alleles carried by a handful of
// samples, a tail of common ones). The *Slowest benchmarks count sets of one density (second
// argument, % of the samples): 33 % are the densest sets that are still lists in format
// version 3 (decoded one id at a time; denser ones are bitsets); 10 % at 2,504 and 6 % at
// 100,000 samples are the longest lists of version 2 (256 ids; 4,096 per 64 Ki chunk), so the
// worst case of a single count is measured for both.
// Run: build/release/bench/store_bench (or `make bench`). Figures in BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/carrier_set.h"
#include "store/sample_set.h"

#ifdef GENOMEFED_HAVE_ROARING
#include <roaring/roaring.h>
#endif

namespace genomefed::store {
namespace {

constexpr size_t kAlleles = 20000;
constexpr size_t kSlowestAlleles = 200;

struct Cohort {
  uint32_t samples = 0;
  std::string arena;              // hybrid encodings back to back
  std::vector<uint32_t> offsets;  // per allele
  SampleSet filter;               // phenotype ∩ consent
  std::vector<std::vector<SampleId>> carriers;
#ifdef GENOMEFED_HAVE_ROARING
  std::vector<roaring_bitmap_t*> roaring;
  roaring_bitmap_t* roaring_filter = nullptr;
  size_t roaring_bytes = 0;
#endif
};

// Carriers per allele: ~60 % carried by 1–4 samples, a long tail up to half the cohort.
uint32_t DrawCarriers(std::mt19937& rng, uint32_t samples) {
  std::uniform_real_distribution<double> u(0, 1);
  const double x = u(rng);
  if (x < 0.6) return 1 + static_cast<uint32_t>(u(rng) * 4);
  const double af = std::pow(10.0, -3.0 + 3.0 * u(rng)) / 2;  // 0.0005 … 0.5
  return std::max<uint32_t>(1, static_cast<uint32_t>(af * samples));
}

// `percent` > 0: every allele carried by that share of the samples (see the header).
const Cohort& GetCohort(uint32_t samples, int percent = 0) {
  static std::map<std::pair<uint32_t, int>, Cohort> cohorts;
  auto it = cohorts.find({samples, percent});
  if (it != cohorts.end()) return it->second;
  const bool slowest = percent > 0;
  Cohort& c = cohorts[{samples, percent}];
  c.samples = samples;
  std::mt19937 rng(samples);
  std::uniform_int_distribution<SampleId> pick(0, samples - 1);
  std::bernoulli_distribution phenotype(0.2), consent(0.7);
  c.filter = SampleSet(samples);
  for (SampleId s = 0; s < samples; ++s) {
    if (phenotype(rng) && consent(rng)) c.filter.Add(s);
  }
  const size_t alleles = slowest ? kSlowestAlleles : kAlleles;  // the dense ones take long to draw
  for (size_t a = 0; a < alleles; ++a) {
    std::vector<SampleId> ids;
    if (slowest) {
      std::bernoulli_distribution share(percent / 100.0);
      for (SampleId s = 0; s < samples; ++s) {
        if (share(rng)) ids.push_back(s);
      }
    } else {
      const uint32_t n = DrawCarriers(rng, samples);
      for (uint32_t i = 0; i < n; ++i) ids.push_back(pick(rng));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    c.offsets.push_back(static_cast<uint32_t>(c.arena.size()));
    EncodeCarrierSet(ids, samples, c.arena);
    c.carriers.push_back(std::move(ids));
  }
#ifdef GENOMEFED_HAVE_ROARING
  c.roaring_filter = roaring_bitmap_create();
  for (SampleId s : c.filter.ToVector()) roaring_bitmap_add(c.roaring_filter, s);
  for (const auto& ids : c.carriers) {
    roaring_bitmap_t* r = roaring_bitmap_of_ptr(ids.size(), ids.data());
    roaring_bitmap_run_optimize(r);
    c.roaring_bytes += roaring_bitmap_portable_size_in_bytes(r);
    c.roaring.push_back(r);
  }
#endif
  return c;
}

void HybridFilteredCount(benchmark::State& state, int percent) {
  const Cohort& c = GetCohort(static_cast<uint32_t>(state.range(0)), percent);
  const auto* base = reinterpret_cast<const uint8_t*>(c.arena.data());
  size_t a = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    const uint8_t* p = base + c.offsets[a];
    total += CountAndAdvance(p, c.samples, &c.filter);
    a = a + 1 == c.offsets.size() ? 0 : a + 1;
  }
  benchmark::DoNotOptimize(total);
  state.counters["bytes_per_set"] =
      static_cast<double>(c.arena.size()) / static_cast<double>(c.offsets.size());
}
void BM_HybridFilteredCount(benchmark::State& state) { HybridFilteredCount(state, 0); }
void BM_HybridFilteredCountSlowest(benchmark::State& state) {
  HybridFilteredCount(state, static_cast<int>(state.range(1)));
}
BENCHMARK(BM_HybridFilteredCount)->Arg(2504)->Arg(100000);
BENCHMARK(BM_HybridFilteredCountSlowest)
    ->Args({2504, 10})
    ->Args({2504, 33})
    ->Args({100000, 6})
    ->Args({100000, 33});

#ifdef GENOMEFED_HAVE_ROARING
void CRoaringFilteredCount(benchmark::State& state, int percent) {
  const Cohort& c = GetCohort(static_cast<uint32_t>(state.range(0)), percent);
  size_t a = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    total += roaring_bitmap_and_cardinality(c.roaring[a], c.roaring_filter);
    a = a + 1 == c.offsets.size() ? 0 : a + 1;
  }
  benchmark::DoNotOptimize(total);
  state.counters["bytes_per_set"] =
      static_cast<double>(c.roaring_bytes) / static_cast<double>(c.offsets.size());
}
void BM_CRoaringFilteredCount(benchmark::State& state) { CRoaringFilteredCount(state, 0); }
void BM_CRoaringFilteredCountSlowest(benchmark::State& state) {
  CRoaringFilteredCount(state, static_cast<int>(state.range(1)));
}
BENCHMARK(BM_CRoaringFilteredCount)->Arg(2504)->Arg(100000);
BENCHMARK(BM_CRoaringFilteredCountSlowest)
    ->Args({2504, 10})
    ->Args({2504, 33})
    ->Args({100000, 6})
    ->Args({100000, 33});
#endif

// Sanity: both structures give the same counts (a benchmark that counts wrong measures nothing).
void BM_CheckAgreement(benchmark::State& state) {
  for (auto _ : state) {
    for (int percent : {0, 6, 10, 33}) {
      const Cohort& c = GetCohort(static_cast<uint32_t>(state.range(0)), percent);
      for (size_t a = 0; a < std::min<size_t>(200, c.offsets.size()); ++a) {
        const uint8_t* p = reinterpret_cast<const uint8_t*>(c.arena.data()) + c.offsets[a];
        uint32_t naive = 0;
        for (SampleId id : c.carriers[a]) naive += c.filter.Contains(id) ? 1 : 0;
        if (CountAndAdvance(p, c.samples, &c.filter) != naive)
          state.SkipWithError("hybrid count wrong");
#ifdef GENOMEFED_HAVE_ROARING
        if (roaring_bitmap_and_cardinality(c.roaring[a], c.roaring_filter) != naive) {
          state.SkipWithError("CRoaring count wrong");
        }
#endif
      }
    }
  }
}
BENCHMARK(BM_CheckAgreement)->Arg(2504)->Arg(100000)->Iterations(1);

}  // namespace
}  // namespace genomefed::store

BENCHMARK_MAIN();
