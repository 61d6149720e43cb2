#include "synth/sites.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace genomefed::synth {
namespace {

// Stream tags: each purpose gets its own key so that adding draws to one never shifts another.
constexpr uint64_t kTagPositions = 0x706f736974696f6eULL;
constexpr uint64_t kTagSites = 0x7369746573000000ULL;
constexpr uint64_t kTagCausal = 0x63617573616c0000ULL;
constexpr uint64_t kTagPopulation = 0x706f70756c617469ULL;

// Bases kept clear at the end of a contig so that the longest REF still fits.
constexpr int64_t kContigEndMargin = 100;

constexpr char kBases[4] = {'A', 'C', 'G', 'T'};

char RandomBase(Rng& rng) { return kBases[rng.Below(4)]; }

// A different base; transitions (A<->G, C<->T) twice as likely as each transversion, giving the
// Ti/Tv of about 2 seen in human SNVs.
char SubstituteBase(Rng& rng, char ref) {
  auto transition = [](char b) {
    switch (b) {
      case 'A':
        return 'G';
      case 'G':
        return 'A';
      case 'C':
        return 'T';
      default:
        return 'C';
    }
  };
  if (rng.Below(2) == 0) return transition(ref);
  char b;
  do {
    b = RandomBase(rng);
  } while (b == ref || b == transition(ref));
  return b;
}

std::string RandomBases(Rng& rng, size_t n) {
  std::string s(n, 'A');
  for (char& c : s) c = RandomBase(rng);
  return s;
}

// Indel length: 1 most of the time, geometric tail up to 8 (short indels dominate in humans).
size_t IndelLength(Rng& rng) { return 1 + std::min<uint64_t>(rng.Geometric(0.55), 7); }

// Ancestral ALT frequency: density ∝ p^(−kSpectrumExponent) on [kMinAncestralFrequency, max],
// drawn by inverting its distribution function.
double AncestralFrequency(Rng& rng, double max) {
  constexpr double a = 1.0 - kSpectrumExponent;
  const double lo = std::pow(kMinAncestralFrequency, a), hi = std::pow(max, a);
  return std::pow(lo + rng.Uniform() * (hi - lo), 1.0 / a);
}

// Ascertainment: a cohort VCF lists the variants its samples carry, so a site's frequency
// follows the spectrum weighted by the chance 1 − (1 − p)^2N that 2N haplotypes show it at all
// (rejection sampling). Without it a small cohort would be almost all singletons.
constexpr int kMaxAscertainmentTries = 1000;

double AscertainedFrequency(Rng& rng, double max, uint64_t haplotypes) {
  double p = AncestralFrequency(rng, max);
  if (haplotypes == 0) return p;
  for (int i = 1; i < kMaxAscertainmentTries; ++i) {
    const double seen = -std::expm1(static_cast<double>(haplotypes) * std::log1p(-p));
    if (rng.Uniform() < seen) break;
    p = AncestralFrequency(rng, max);
  }
  return p;
}

bool IsAutosome(const Contig& c) { return c.name != "X" && c.name != "Y" && c.name != "MT"; }

}  // namespace

SiteStream::SiteStream(const SiteModelParams& params, std::vector<Contig> contigs)
    : params_(params), contigs_(std::move(contigs)) {
  // Largest-remainder apportionment of the records over contigs by length.
  counts_.assign(contigs_.size(), 0);
  double total_length = 0;
  for (const Contig& c : contigs_) total_length += static_cast<double>(c.length);
  std::vector<std::pair<double, size_t>> remainders;
  uint64_t assigned = 0;
  for (size_t i = 0; i < contigs_.size(); ++i) {
    const double share = static_cast<double>(params_.variants) *
                         static_cast<double>(contigs_[i].length) / total_length;
    counts_[i] = static_cast<uint64_t>(std::floor(share));
    assigned += counts_[i];
    remainders.emplace_back(share - std::floor(share), i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; assigned < params_.variants; k = (k + 1) % remainders.size()) {
    ++counts_[remainders[k].second];
    ++assigned;
  }

  // Causal sites: distinct autosomal record indices.
  std::vector<std::pair<uint64_t, uint64_t>> autosomal;  // [begin, end) of global indices
  uint64_t begin = 0, autosomal_total = 0;
  for (size_t i = 0; i < contigs_.size(); ++i) {
    if (IsAutosome(contigs_[i]) && counts_[i] > 0) {
      autosomal.emplace_back(begin, begin + counts_[i]);
      autosomal_total += counts_[i];
    }
    begin += counts_[i];
  }
  const uint64_t wanted = std::min<uint64_t>(params_.causal_variants, autosomal_total);
  Rng causal_rng(DeriveKey(params_.seed, kTagCausal));
  std::set<uint64_t> chosen;
  while (chosen.size() < wanted) {
    uint64_t k = causal_rng.Below(autosomal_total);
    for (const auto& [b, e] : autosomal) {
      if (k < e - b) {
        chosen.insert(b + k);
        break;
      }
      k -= e - b;
    }
  }
  causal_indices_.assign(chosen.begin(), chosen.end());
  StartContig();
}

void SiteStream::StartContig() {
  while (contig_ < contigs_.size() && counts_[contig_] == 0) ++contig_;
  if (contig_ >= contigs_.size()) return;
  emitted_in_contig_ = 0;
  x_ = 0;
  prev_pos_ = 0;
  position_rng_ =
      Rng(DeriveKey(DeriveKey(params_.seed, kTagPositions), HashString(contigs_[contig_].name)));
}

bool SiteStream::Next(Site* site) {
  if (next_index_ >= params_.variants || contig_ >= contigs_.size()) return false;
  const Contig& contig = contigs_[contig_];
  const uint64_t n = counts_[contig_];

  // Sorted uniform positions in one pass: the minimum of r uniforms on [x, 1) is
  // x + (1 − x)(1 − U^(1/r)), so each position is drawn given the previous one, in O(1) memory.
  const uint64_t remaining = n - emitted_in_contig_;
  x_ += (1.0 - x_) *
        (1.0 - std::pow(position_rng_.UniformPositive(), 1.0 / static_cast<double>(remaining)));
  const int64_t span = contig.length - kContigEndMargin - static_cast<int64_t>(n);
  int64_t pos = 1 + static_cast<int64_t>(x_ * static_cast<double>(span));
  pos = std::max(pos, prev_pos_ + 1);  // no two records at one position
  prev_pos_ = pos;

  site->index = next_index_;
  site->contig = contig_;
  site->pos = pos;
  site->causal = -1;
  while (causal_cursor_ < causal_indices_.size() && causal_indices_[causal_cursor_] < next_index_) {
    ++causal_cursor_;
  }
  if (causal_cursor_ < causal_indices_.size() && causal_indices_[causal_cursor_] == next_index_) {
    site->causal = static_cast<int>(causal_cursor_);
  }
  Rng rng(DeriveKey(DeriveKey(params_.seed, kTagSites), next_index_));
  MakeAlleles(rng, site);

  ++next_index_;
  if (++emitted_in_contig_ == n) {
    ++contig_;
    StartContig();
  }
  return true;
}

void SiteStream::MakeAlleles(Rng& rng, Site* site) const {
  site->alts.clear();
  site->ancestral.clear();
  site->indel = false;
  const char b = RandomBase(rng);

  if (site->causal >= 0) {
    // Causal variants are common enough for a cohort of a few hundred to show the association.
    site->ref.assign(1, b);
    site->alts.emplace_back(1, SubstituteBase(rng, b));
    site->ancestral.push_back(0.03 + 0.09 * rng.Uniform());
    return;
  }

  const bool multi = rng.Bernoulli(params_.multiallelic_fraction);
  if (!multi) {
    if (rng.Bernoulli(params_.indel_fraction)) {
      site->indel = true;
      const std::string extra = RandomBases(rng, IndelLength(rng));
      if (rng.Below(2) == 0) {  // deletion
        site->ref = std::string(1, b) + extra;
        site->alts.emplace_back(1, b);
      } else {  // insertion
        site->ref.assign(1, b);
        site->alts.push_back(std::string(1, b) + extra);
      }
    } else {
      site->ref.assign(1, b);
      site->alts.emplace_back(1, SubstituteBase(rng, b));
    }
    site->ancestral.push_back(AscertainedFrequency(rng, 0.95, params_.haplotypes));
    return;
  }

  // Multi-allelic shapes seen in joint-called VCFs. Shapes 1 and 2 produce ALTs that are not
  // minimal once the record is split (REF=ACT ALT=A,ACTT splits into ACT>A and ACT>ACTT, the
  // latter trimming to T>TT at POS+2), which ingest must trim.
  const size_t n_alts = 2 + rng.Below(2);
  switch (rng.Below(3)) {
    case 0: {  // several SNVs at one base
      site->ref.assign(1, b);
      std::string others;
      for (char c : kBases) {
        if (c != b) others.push_back(c);
      }
      for (size_t i = 0; i < n_alts; ++i) {  // a random ordering of the other bases
        const size_t j = i + rng.Below(others.size() - i);
        std::swap(others[i], others[j]);
        site->alts.emplace_back(1, others[i]);
      }
      break;
    }
    case 1: {  // deletion and insertion against one padded REF
      site->indel = true;
      const std::string x = RandomBases(rng, 1 + rng.Below(3));
      site->ref = std::string(1, b) + x;
      site->alts.emplace_back(1, b);                                         // deletion of x
      site->alts.push_back(site->ref + RandomBases(rng, IndelLength(rng)));  // insertion after x
      if (n_alts == 3) {
        // A second deletion or insertion that differs from the other two.
        site->alts.push_back(x.size() >= 2 ? std::string(1, b) + x.substr(1)
                                           : site->alts[1] + RandomBase(rng));
      }
      break;
    }
    default: {  // SNV on the first base of a padded REF, plus a deletion
      site->indel = true;
      const std::string x = RandomBases(rng, 1 + rng.Below(2));
      site->ref = std::string(1, b) + x;
      const char s = SubstituteBase(rng, b);
      site->alts.push_back(std::string(1, s) + x);  // splits into a non-minimal SNV
      site->alts.emplace_back(1, b);                // deletion of x
      if (n_alts == 3) {
        char t;
        do {
          t = RandomBase(rng);
        } while (t == b || t == s);
        site->alts.push_back(std::string(1, t) + x);
      }
      break;
    }
  }
  double total = 0;
  double max = 0.95;
  for (size_t i = 0; i < site->alts.size(); ++i) {
    const double p = AscertainedFrequency(rng, max, params_.haplotypes);
    site->ancestral.push_back(p);
    total += p;
    max = std::max(2 * kMinAncestralFrequency, 0.5 * (0.95 - total));
  }
  if (total > 0.95) {
    for (double& p : site->ancestral) p *= 0.95 / total;
  }
}

std::vector<double> PopulationFrequencies(uint64_t seed, uint64_t site_index,
                                          std::string_view population,
                                          const std::vector<double>& ancestral, double fst) {
  if (fst <= 0) return ancestral;
  Rng rng(
      DeriveKey(DeriveKey(DeriveKey(seed, kTagPopulation), HashString(population)), site_index));
  const double concentration = (1.0 - fst) / fst;
  double ref = 1.0;
  for (double p : ancestral) ref -= p;
  std::vector<double> out(ancestral.size());
  double total = rng.Gamma(std::max(ref, 0.0) * concentration);
  for (size_t i = 0; i < ancestral.size(); ++i) {
    out[i] = rng.Gamma(ancestral[i] * concentration);
    total += out[i];
  }
  if (total <= 0) return std::vector<double>(ancestral.size(), 0.0);
  for (double& p : out) p /= total;
  return out;
}

}  // namespace genomefed::synth
