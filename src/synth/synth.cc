#include "synth/synth.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <system_error>

#include "synth/genome.h"
#include "synth/genotypes.h"
#include "synth/random.h"
#include "synth/sheet.h"
#include "synth/sites.h"
#include "synth/terms.h"
#include "synth/vcf_writer.h"

namespace genomefed::synth {
namespace {

constexpr uint64_t kTagCohort = 0x636f686f72740000ULL;
constexpr uint64_t kTagLayout = 0x6c61796f75740000ULL;
constexpr uint64_t kTagGenotypes = 0x67656e6f74797065ULL;
constexpr uint64_t kTagSheet = 0x7368656574000000ULL;

constexpr uint32_t kMaxSamples = 10'000'000;
constexpr uint64_t kProgressEvery = 1000;

bool ValidLabel(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c == ';' || c == ',' || c == 0x7f) return false;
  }
  return true;
}

bool InUnitInterval(double v) { return v >= 0.0 && v <= 1.0; }

// Contigs in GRCh38 order so that records come out sorted whatever order the caller gave.
Result<std::vector<Contig>> ResolveContigs(const std::vector<std::string>& names) {
  std::vector<Contig> out;
  for (const std::string& name : names) {
    std::optional<Contig> c = FindContig(name);
    if (!c) {
      return InvalidArgument("unknown contig '" + name +
                             "': use GRCh38 names 1-22, X, Y, MT (with or without chr)");
    }
    for (const Contig& seen : out) {
      if (seen.name == c->name) return InvalidArgument("contig '" + name + "' given twice");
    }
    out.push_back(*c);
  }
  const auto& order = Grch38Contigs();
  auto rank = [&](const Contig& c) {
    return std::find_if(order.begin(), order.end(),
                        [&](const Contig& o) { return o.name == c.name; }) -
           order.begin();
  };
  std::sort(out.begin(), out.end(),
            [&](const Contig& a, const Contig& b) { return rank(a) < rank(b); });
  return out;
}

std::string PopulationKey(const SynthOptions& o) {
  std::string key = o.sample_prefix;
  for (const std::string& p : o.populations) key += "\x1f" + p;
  return key;
}

std::string SampleId(const std::string& prefix, uint32_t index, uint32_t total) {
  std::string digits = std::to_string(index + 1);
  const size_t width = std::max<size_t>(6, std::to_string(total).size());
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return prefix + digits;
}

CohortLayout MakeLayout(const SynthOptions& o, uint64_t cohort_key) {
  CohortLayout layout;
  layout.population_count = o.populations.size();
  layout.female.resize(o.samples);
  layout.population.resize(o.samples);
  std::vector<double> cumulative;
  double total = 0;
  for (size_t k = 0; k < o.populations.size(); ++k) {
    total += o.population_weights.empty() ? 1.0 : o.population_weights[k];
    cumulative.push_back(total);
  }
  Rng rng(DeriveKey(cohort_key, kTagLayout));
  for (uint32_t s = 0; s < o.samples; ++s) {
    const double u = rng.Uniform() * total;
    uint16_t k = 0;
    while (k + 1u < cumulative.size() && u >= cumulative[k]) ++k;
    layout.population[s] = k;
    layout.female[s] = rng.Bernoulli(o.female_fraction) ? 1 : 0;
  }
  return layout;
}

}  // namespace

Status ValidateOptions(const SynthOptions& o) {
  if (o.samples == 0 || o.samples > kMaxSamples) {
    return InvalidArgument("--samples must be between 1 and " + std::to_string(kMaxSamples));
  }
  if (o.variants == 0) return InvalidArgument("--variants must be at least 1");
  if (o.out_dir.empty()) return InvalidArgument("--out is required");
  if (o.contigs.empty()) return InvalidArgument("--contigs must name at least one contig");
  GF_ASSIGN_OR_RETURN(std::vector<Contig> contigs, ResolveContigs(o.contigs));
  int64_t capacity = 0;
  for (const Contig& c : contigs) capacity += c.length / 4;
  if (o.variants > static_cast<uint64_t>(capacity)) {
    return InvalidArgument("--variants " + std::to_string(o.variants) +
                           " is more than the contigs hold (at most one record per 4 bases: " +
                           std::to_string(capacity) + "); add contigs");
  }
  if (o.populations.empty()) return InvalidArgument("--populations must name at least one");
  if (o.populations.size() > 1000) return InvalidArgument("at most 1000 populations");
  std::set<std::string> seen;
  for (const std::string& p : o.populations) {
    if (!ValidLabel(p)) {
      return InvalidArgument("population label '" + p +
                             "' must be non-empty without spaces, ',' or ';'");
    }
    if (!seen.insert(p).second) return InvalidArgument("population '" + p + "' given twice");
  }
  if (!o.population_weights.empty()) {
    if (o.population_weights.size() != o.populations.size()) {
      return InvalidArgument("--population-weights needs one weight per population");
    }
    for (double w : o.population_weights) {
      if (!(w > 0) || !std::isfinite(w)) {
        return InvalidArgument("population weights must be positive");
      }
    }
  }
  if (!ValidLabel(o.sample_prefix)) {
    return InvalidArgument("--sample-prefix must be non-empty without spaces, ',' or ';'");
  }
  if (!(o.fst >= 0 && o.fst < 1)) return InvalidArgument("--fst must be in [0, 1)");
  const std::pair<const char*, double> fractions[] = {
      {"--female-fraction", o.female_fraction},
      {"--multiallelic", o.multiallelic_fraction},
      {"--indels", o.indel_fraction},
      {"--missing", o.missing_rate},
      {"--partial-missing", o.partial_missing_fraction},
      {"--penetrance-het", o.penetrance_het},
      {"--penetrance-hom", o.penetrance_hom},
  };
  for (const auto& [name, v] : fractions) {
    if (!InUnitInterval(v)) return InvalidArgument(std::string(name) + " must be in [0, 1]");
  }
  if (o.missing_rate >= 0.5) return InvalidArgument("--missing must be below 0.5");
  if (o.causal_variants > 1000) return InvalidArgument("--causal must be at most 1000");
  if (o.threads < 0 || o.threads > 64) return InvalidArgument("--threads must be in [0, 64]");
  if (o.compression_level < -1 || o.compression_level > 9) {
    return InvalidArgument("--level must be in [0, 9] (or -1 for the default)");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ParseContigList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) {
      if (end == text.size()) break;
      return InvalidArgument("empty contig name in '" + std::string(text) + "'");
    }
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!FindContig(item)) return InvalidArgument("unknown contig '" + std::string(item) + "'");
      out.emplace_back(item);
      continue;
    }
    // A numeric range of autosomes, e.g. 1-22 or chr1-chr5.
    auto number = [](std::string_view s) -> int {
      if (s.size() > 3 && s.substr(0, 3) == "chr") s.remove_prefix(3);
      if (s.empty() || s.size() > 2) return -1;
      int v = 0;
      for (char c : s) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
      }
      return v;
    };
    const int a = number(item.substr(0, dash)), b = number(item.substr(dash + 1));
    if (a < 1 || b > 22 || a > b) {
      return InvalidArgument("bad contig range '" + std::string(item) +
                             "': ranges cover autosomes, e.g. 1-22");
    }
    for (int i = a; i <= b; ++i) out.push_back(std::to_string(i));
  }
  if (out.empty()) return InvalidArgument("no contigs in '" + std::string(text) + "'");
  return out;
}

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "auto") return OutputFormat::kAuto;
  if (text == "vcf.gz" || text == "vcf" || text == "vcfgz") return OutputFormat::kVcfGz;
  if (text == "bcf") return OutputFormat::kBcf;
  return InvalidArgument("unknown format '" + std::string(text) + "': use vcf.gz, bcf or auto");
}

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kAuto:
      return "auto";
    case OutputFormat::kVcfGz:
      return "vcf.gz";
    case OutputFormat::kBcf:
      return "bcf";
  }
  return "auto";
}

Result<SynthSummary> Generate(const SynthOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  GF_RETURN_IF_ERROR(ValidateOptions(o));
  GF_ASSIGN_OR_RETURN(std::vector<Contig> contigs, ResolveContigs(o.contigs));

  SynthSummary summary;
  summary.format = o.format;
  if (summary.format == OutputFormat::kAuto) {
    summary.format = o.samples > kBcfSampleThreshold ? OutputFormat::kBcf : OutputFormat::kVcfGz;
  }
  const bool bcf = summary.format == OutputFormat::kBcf;
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return IOError("cannot create " + o.out_dir.string() + ": " + ec.message());
  summary.vcf = o.out_dir / (bcf ? "cohort.bcf" : "cohort.vcf.gz");
  summary.samples = o.out_dir / "samples.tsv";
  summary.truth = o.out_dir / "truth.tsv";

  const uint64_t cohort_key =
      DeriveKey(DeriveKey(o.seed, kTagCohort), HashString(PopulationKey(o)));
  const CohortLayout layout = MakeLayout(o, cohort_key);
  std::vector<std::string> ids(o.samples);
  for (uint32_t s = 0; s < o.samples; ++s) ids[s] = SampleId(o.sample_prefix, s, o.samples);

  SiteModelParams params;
  params.seed = o.seed;
  params.variants = o.variants;
  params.multiallelic_fraction = o.multiallelic_fraction;
  params.indel_fraction = o.indel_fraction;
  params.causal_variants = o.causal_variants;
  params.haplotypes = 2ull * o.samples;
  SiteStream sites(params, contigs);

  VcfHeaderSpec header;
  for (const Contig& c : contigs)
    header.contigs.emplace_back(VcfContigName(c, o.chr_prefix), c.length);
  header.samples = ids;
  header.info_tags = o.info_tags;
  header.source = "genomefed synth --seed " + std::to_string(o.seed);
  GF_ASSIGN_OR_RETURN(std::unique_ptr<VcfWriter> writer,
                      VcfWriter::Open(summary.vcf, bcf, header, o.threads, o.compression_level));
  summary.index = writer->index_path();

  GenotypeOptions gopts;
  gopts.phased = o.phased;
  gopts.missing_rate = o.missing_rate;
  gopts.partial_missing_fraction = o.partial_missing_fraction;
  Genotyper genotyper(layout, gopts);

  const std::vector<int>& causal_traits = CausalTraits();
  std::vector<CausalEffect> effects(sites.causal_indices().size());
  summary.causal.resize(effects.size());
  for (size_t c = 0; c < effects.size(); ++c) {
    effects[c].trait = causal_traits[c % causal_traits.size()];
  }

  const uint64_t genotype_key = DeriveKey(cohort_key, kTagGenotypes);
  Site site;
  RecordCounts counts;
  std::vector<std::vector<double>> frequencies(o.populations.size());
  VcfRecordSpec record;
  while (sites.Next(&site)) {
    for (size_t k = 0; k < o.populations.size(); ++k) {
      frequencies[k] =
          PopulationFrequencies(o.seed, site.index, o.populations[k], site.ancestral, o.fst);
    }
    const Contig& contig = contigs[site.contig];
    Rng rng(DeriveKey(genotype_key, site.index));
    const std::vector<int8_t>& gt =
        genotyper.Draw(PloidyAt(contig, site.pos), frequencies, rng, &counts);

    record.contig = static_cast<int>(site.contig);
    record.pos = site.pos;
    record.alleles = site.ref;
    for (const std::string& alt : site.alts) record.alleles += "," + alt;
    record.ac = &counts.ac;
    record.an = counts.an;
    record.gt = &gt;
    GF_RETURN_IF_ERROR(writer->Write(record).WithContext(header.contigs[site.contig].first + ":" +
                                                         std::to_string(site.pos)));

    ++summary.records;
    summary.alleles += site.alts.size();
    if (site.alts.size() > 1) ++summary.multiallelic_records;
    for (size_t j = 0; j < site.alts.size(); ++j) {
      if (site.alts[j].size() != site.ref.size()) ++summary.indel_alleles;
      if (counts.ac[j] == 1) ++summary.singletons;
    }
    if (site.causal >= 0) {
      CausalEffect& effect = effects[site.causal];
      genotyper.Dosages(0, &effect.dosage);
      CausalVariant& cv = summary.causal[site.causal];
      const Trait& trait = Traits()[effect.trait];
      cv.contig = header.contigs[site.contig].first;
      cv.pos = site.pos;
      cv.ref = site.ref;
      cv.alt = site.alts[0];
      cv.hpo = std::string(trait.hpo);
      cv.icd10 = std::string(trait.icd10);
      cv.ancestral_frequency = site.ancestral[0];
    }
    if (o.progress && summary.records % kProgressEvery == 0) {
      o.progress(summary.records, o.variants);
    }
  }
  GF_RETURN_IF_ERROR(writer->Close());
  if (o.progress) o.progress(summary.records, o.variants);
  summary.genotypes = summary.records * o.samples;

  GF_RETURN_IF_ERROR(WriteSampleSheet(summary.samples, o, ids, layout, effects,
                                      DeriveKey(cohort_key, kTagSheet), &summary.causal));
  GF_RETURN_IF_ERROR(WriteTruth(summary.truth, o, summary.causal));
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace genomefed::synth
