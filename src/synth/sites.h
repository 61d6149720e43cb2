// The site model of the synthetic cohort generator (internal to synth/): where variants are,
// what their alleles are, how frequent each ALT is in the ancestral population and in each
// drifted population. Positions and alleles depend only on the seed and the site layout, never
// on the samples, so cohorts generated with one seed share their sites; frequencies also depend
// on the cohort size (ascertainment), for rare sites only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synth/genome.h"
#include "synth/random.h"

namespace genomefed::synth {

// Lowest ancestral ALT frequency of the neutral spectrum: about one copy in an effective
// population of 50,000 diploids. Fixed so that cohorts of any size share frequencies.
inline constexpr double kMinAncestralFrequency = 1e-5;

// Exponent of the ancestral frequency spectrum, density ∝ p^(−1.2). A constant-size neutral
// population gives 1/p; recent growth adds rare variants, and 1.2 reproduces the shares seen in
// 1000 Genomes phase 3 (about 9 % of alleles above 5 %, three quarters below 0.5 %).
inline constexpr double kSpectrumExponent = 1.2;

struct Site {
  uint64_t index = 0;  // 0-based over all records, in output order
  size_t contig = 0;   // index into SiteStream's contig list
  int64_t pos = 0;     // 1-based
  std::string ref;
  std::vector<std::string> alts;
  std::vector<double> ancestral;  // ancestral frequency per ALT (sums below 1)
  int causal = -1;                // index into the causal list, or -1
  bool indel = false;             // some ALT differs from REF in length
};

struct SiteModelParams {
  uint64_t seed = 1;
  uint64_t variants = 0;
  double multiallelic_fraction = 0.03;
  double indel_fraction = 0.12;
  uint32_t causal_variants = 0;
  // Haplotypes in the cohort (2 × samples): site frequencies are those such a cohort finds
  // segregating. 0 disables ascertainment. Common sites keep their frequency whatever the
  // cohort size; only rare ones change.
  uint64_t haplotypes = 0;
};

// Streams the sites in sorted order: contigs in the given order, strictly increasing positions
// within a contig. Records are spread over contigs in proportion to their length.
class SiteStream {
 public:
  SiteStream(const SiteModelParams& params, std::vector<Contig> contigs);

  const std::vector<Contig>& contigs() const { return contigs_; }
  // Records per contig (sums to params.variants).
  const std::vector<uint64_t>& counts() const { return counts_; }
  // Global indices of the causal sites, ascending.
  const std::vector<uint64_t>& causal_indices() const { return causal_indices_; }

  // Fills *site with the next site; false when all have been produced.
  bool Next(Site* site);

 private:
  void StartContig();
  void MakeAlleles(Rng& rng, Site* site) const;

  SiteModelParams params_;
  std::vector<Contig> contigs_;
  std::vector<uint64_t> counts_;
  std::vector<uint64_t> causal_indices_;
  size_t causal_cursor_ = 0;

  uint64_t next_index_ = 0;
  size_t contig_ = 0;
  uint64_t emitted_in_contig_ = 0;
  double x_ = 0;  // position of the previous site as a fraction of the usable span
  int64_t prev_pos_ = 0;
  Rng position_rng_{0};
};

// Per-population ALT frequencies: a Dirichlet draw around the ancestral frequencies (Balding–
// Nichols; for one ALT, Beta(p(1−F)/F, (1−p)(1−F)/F)). Keyed by the population label so that a
// population keeps its frequencies whatever other populations are generated with it.
// fst == 0 returns the ancestral frequencies unchanged.
std::vector<double> PopulationFrequencies(uint64_t seed, uint64_t site_index,
                                          std::string_view population,
                                          const std::vector<double>& ancestral, double fst);

}  // namespace genomefed::synth
