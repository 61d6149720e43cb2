// genomefed synth: writes a deterministic synthetic cohort (see src/synth/synth.h, docs/synth.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "apps/genomefed/commands.h"
#include "synth/synth.h"

namespace genomefed::cli {
namespace {

struct SynthArgs {
  synth::SynthOptions options;
  std::string out;
  std::string contigs;
  std::string format = "auto";
  std::string populations = "FIN,NLD,ESP";
  std::string weights;
  bool no_chr_prefix = false;
  bool no_info = false;
  bool quiet = false;
};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

Status Run(SynthArgs& a) {
  synth::SynthOptions& o = a.options;
  o.out_dir = a.out;
  if (!a.contigs.empty()) {
    GF_ASSIGN_OR_RETURN(o.contigs, synth::ParseContigList(a.contigs));
  }
  GF_ASSIGN_OR_RETURN(o.format, synth::ParseOutputFormat(a.format));
  o.populations = SplitComma(a.populations);
  o.population_weights.clear();
  for (const std::string& w : SplitComma(a.weights)) {
    char* end = nullptr;
    const double v = std::strtod(w.c_str(), &end);
    if (end == w.c_str() || *end != '\0') {
      return InvalidArgument("--population-weights: '" + w + "' is not a number");
    }
    o.population_weights.push_back(v);
  }
  o.chr_prefix = !a.no_chr_prefix;
  o.info_tags = !a.no_info;
  if (!a.quiet && isatty(STDERR_FILENO)) {
    o.progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rsynth: %llu / %llu records", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
      if (done == total) std::fputc('\n', stderr);
    };
  }
  GF_ASSIGN_OR_RETURN(synth::SynthSummary s, synth::Generate(o));
  if (!a.quiet) {
    std::cout << "wrote " << s.vcf.string() << " (" << synth::OutputFormatName(s.format)
              << ", index " << s.index.filename().string() << "), " << s.samples.string() << ", "
              << s.truth.string() << "\n"
              << "  " << o.samples << " samples, " << s.records << " records, " << s.alleles
              << " ALT alleles (" << s.multiallelic_records << " multi-allelic records, "
              << s.indel_alleles << " indel alleles, " << s.singletons << " singletons)\n"
              << "  " << s.causal.size() << " causal variants, " << std::fixed
              << std::setprecision(2) << s.seconds << " s ("
              << static_cast<double>(s.genotypes) / std::max(s.seconds, 1e-9) / 1e6
              << " M genotypes/s)\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterSynth(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<SynthArgs>();
  synth::SynthOptions& o = args->options;
  CLI::App* cmd = root.add_subcommand(
      "synth", "Write a deterministic synthetic cohort: VCF/BCF + index, samples.tsv, truth.tsv");
  cmd->add_option("--samples", o.samples, "Number of samples")->required();
  cmd->add_option("--variants", o.variants, "Number of VCF records")->required();
  cmd->add_option("--seed", o.seed, "Seed of the cohort (sites, frequencies, samples, genotypes)")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output directory")->required();
  cmd->add_option("--contigs", args->contigs,
                  "GRCh38 contigs, e.g. 1-22,X or 20,21,22 (default 1-22,X)");
  cmd->add_option("--format", args->format, "vcf.gz | bcf | auto (BCF above 20,000 samples)")
      ->capture_default_str();
  cmd->add_option("--populations", args->populations,
                  "Population labels, comma-separated; frequencies are keyed by label")
      ->capture_default_str();
  cmd->add_option("--population-weights", args->weights,
                  "Shares of the samples per population, e.g. 0.5,0.3,0.2 (default equal)");
  cmd->add_option("--fst", o.fst, "Balding–Nichols Fst of each population")->capture_default_str();
  cmd->add_option("--sample-prefix", o.sample_prefix,
                  "Sample ids are PREFIX000001...; also seeds the individuals")
      ->capture_default_str();
  cmd->add_option("--female-fraction", o.female_fraction)->capture_default_str();
  cmd->add_option("--multiallelic", o.multiallelic_fraction, "Fraction of records with 2-3 ALTs")
      ->capture_default_str();
  cmd->add_option("--indels", o.indel_fraction, "Fraction of biallelic records that are indels")
      ->capture_default_str();
  cmd->add_option("--missing", o.missing_rate, "Missing-call rate per genotype")
      ->capture_default_str();
  cmd->add_option("--partial-missing", o.partial_missing_fraction,
                  "Share of missing diploid calls written as 1/.")
      ->capture_default_str();
  cmd->add_option("--causal", o.causal_variants, "Causal variants linked to phenotypes")
      ->capture_default_str();
  cmd->add_option("--penetrance-het", o.penetrance_het)->capture_default_str();
  cmd->add_option("--penetrance-hom", o.penetrance_hom)->capture_default_str();
  cmd->add_option("--threads", o.threads, "htslib compression threads")->capture_default_str();
  cmd->add_option("--level", o.compression_level,
                  "BGZF deflate level 0-9 (-1: htslib default); 1-3 is faster for large cohorts")
      ->capture_default_str();
  cmd->add_flag("--phased", o.phased, "Write phased genotypes (0|1)");
  cmd->add_flag("--no-chr-prefix", args->no_chr_prefix, "Name contigs 22/X instead of chr22/chrX");
  cmd->add_flag("--no-info", args->no_info, "Do not write INFO/AC and INFO/AN");
  cmd->add_flag("--quiet", args->quiet, "Print nothing on success");
  cmd->callback([args, &ctx] { Report(ctx, "synth", Run(*args)); });
}

}  // namespace genomefed::cli
