// synth_bench: time to generate a synthetic cohort, compared in the same run with its baseline,
// bcftools re-encoding the very file generated (`bcftools view -O<fmt> -o /dev/null`), i.e. the
// cost of merely writing those records with htslib. A ratio below 1 means generating the cohort
// (drawing every genotype too) is faster than bcftools copying it.
//
// usage: synth_bench [samples] [variants] [vcf.gz|bcf] [level]   (default 20000 20000 bcf -1)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "synth/synth.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// User + system CPU seconds of this process (who = RUSAGE_SELF) or its waited-for children.
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace genomefed::synth;
  SynthOptions o;
  o.samples = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 20000;
  o.variants = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20000;
  const std::string format = argc > 3 ? argv[3] : "bcf";
  o.compression_level = argc > 4 ? std::atoi(argv[4]) : -1;
  auto parsed = ParseOutputFormat(format);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().ToString().c_str());
    return 2;
  }
  o.format = *parsed;
  o.seed = 1;
  o.threads = 2;
  o.out_dir = std::filesystem::temp_directory_path() /
              ("genomefed_synth_bench_" + std::to_string(::getpid()));

  auto start = std::chrono::steady_clock::now();
  auto summary = Generate(o);
  const double generate_s = Seconds(start);
  if (!summary.ok()) {
    std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
    return 1;
  }
  const double generate_cpu = CpuSeconds(RUSAGE_SELF);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double size_mb = static_cast<double>(std::filesystem::file_size(summary->vcf)) / 1e6;

  // Baseline: bcftools (same htslib, same threads) writing the same records in the same format.
  const std::string out_mode = summary->format == OutputFormat::kBcf ? "b" : "z";
  const std::string level =
      o.compression_level >= 0 ? std::to_string(o.compression_level) : std::string();
  const std::string cmd =
      "bcftools view --threads 2 -O" + out_mode + level + " -o /dev/null " + summary->vcf.string();
  start = std::chrono::steady_clock::now();
  const int rc = std::system(cmd.c_str());
  const double bcftools_s = Seconds(start);
  const double bcftools_cpu = CpuSeconds(RUSAGE_CHILDREN);
  std::filesystem::remove_all(o.out_dir);
  if (rc != 0) {
    std::fprintf(stderr, "baseline failed: %s\n", cmd.c_str());
    return 1;
  }

  std::printf(
      "synth %u samples x %llu records (%llu ALT alleles) -> %s, level %d: %.2f s (%.2f s CPU), "
      "%.1f MB, peak RSS %.0f MB, %.0f M genotypes/s\n",
      o.samples, static_cast<unsigned long long>(summary->records),
      static_cast<unsigned long long>(summary->alleles),
      std::string(OutputFormatName(summary->format)).c_str(), o.compression_level, generate_s,
      generate_cpu, size_mb, static_cast<double>(usage.ru_maxrss) / 1024.0,
      static_cast<double>(summary->genotypes) / generate_s / 1e6);
  std::printf("baseline `%s`: %.2f s (%.2f s CPU)\n", cmd.c_str(), bcftools_s, bcftools_cpu);
  std::printf("ratio synth / bcftools re-encode: wall %.2f, CPU %.2f (lower is better)\n",
              generate_s / bcftools_s, generate_cpu / bcftools_cpu);
  return 0;
}
