// The synthetic cohort generator: writes a realistic, deterministic human cohort as VCF 4.2
// (bgzipped, tabix-indexed) or BCF 2.2 (CSI-indexed) through htslib, with a sample sheet and a
// truth file, for tests, benchmarks and the demo federation.
//
// Model (docs/synth.md): sites on GRCh38 contigs (lengths and PARs), an ancestral allele
// frequency per ALT from a spectrum skewed to rare alleles (density ∝ p^−1.2), ascertained by
// the cohort size (a site is one the cohort's haplotypes would show), population frequencies
// drifted from it by the Balding–Nichols model (Dirichlet with concentration (1−Fst)/Fst),
// genotypes in Hardy–Weinberg proportions per population, males haploid on chrX outside the
// PARs, some missing and partly missing calls, SNVs, indels and multi-allelic sites (including
// ALTs that need trimming once split), HPO phenotypes with ICD-10 diagnoses, a few causal
// variants that raise the odds of one phenotype, and DUO consent codes.
//
// Determinism: the same options give byte-identical samples.tsv, truth.tsv and VCF/BCF files.
// Positions, alleles and causal sites depend only on `seed`, the contigs and `variants`;
// ancestral frequencies of rare sites also on `samples` (ascertainment); population frequencies
// on the population label, not on its position in the list. Samples and genotypes depend
// further on `sample_prefix` and the population list, so cohorts of different countries
// generated with one seed share sites and causal variants but differ in frequencies and
// individuals.
//
// Scale: genotypes are streamed record by record (memory O(samples), never samples × variants);
// rare alleles cost O(carriers) through geometric skipping.
//
// Thread safety: Generate() keeps no global state; concurrent calls must use different out_dirs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::synth {

enum class OutputFormat {
  kAuto,   // BCF above kBcfSampleThreshold samples, vcf.gz otherwise
  kVcfGz,  // cohort.vcf.gz + cohort.vcf.gz.tbi
  kBcf,    // cohort.bcf + cohort.bcf.csi
};

inline constexpr uint32_t kBcfSampleThreshold = 20000;

struct SynthOptions {
  uint32_t samples = 1000;
  uint64_t variants = 10000;  // VCF records (a multi-allelic record counts once)
  uint64_t seed = 1;
  std::filesystem::path out_dir;  // created if absent; existing output files are replaced
  // GRCh38 contigs to place variants on ("22", "chr22", "X", "MT"...), proportional to length.
  std::vector<std::string> contigs = {"1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",
                                      "9",  "10", "11", "12", "13", "14", "15", "16",
                                      "17", "18", "19", "20", "21", "22", "X"};
  bool chr_prefix = true;  // "chr22" (GRCh38 convention) or "22"
  OutputFormat format = OutputFormat::kAuto;

  // Population labels and their shares of the samples (empty weights: equal shares).
  std::vector<std::string> populations = {"FIN", "NLD", "ESP"};
  std::vector<double> population_weights;
  double fst = 0.02;  // Balding–Nichols drift of each population from the ancestral frequency

  std::string sample_prefix = "S";  // sample ids are <prefix><6-digit index>
  double female_fraction = 0.5;

  double multiallelic_fraction = 0.03;     // records with 2–3 ALTs
  double indel_fraction = 0.12;            // biallelic records that are insertions or deletions
  double missing_rate = 0.002;             // per genotype call
  double partial_missing_fraction = 0.25;  // share of missing diploid calls written as "1/."
  bool phased = false;
  bool info_tags = true;  // INFO/AC and INFO/AN

  uint32_t causal_variants = 5;  // autosomal biallelic SNVs linked to a phenotype
  double penetrance_het = 0.35;  // probability a heterozygous carrier shows the phenotype
  double penetrance_hom = 0.70;

  int threads = 2;  // htslib compression threads (0: compress in the calling thread)
  // BGZF deflate level 0-9; -1 is htslib's default (6). Level 1-3 roughly halves the time of
  // large BCF cohorts for files about 20-25 % larger.
  int compression_level = -1;

  // Called about every 1,000 records with (records written, records in total); may be empty.
  std::function<void(uint64_t, uint64_t)> progress;
};

// A causal variant as written to truth.tsv.
struct CausalVariant {
  std::string contig;  // as in the VCF
  int64_t pos = 0;
  std::string ref;
  std::string alt;
  std::string hpo;    // the phenotype it raises
  std::string icd10;  // the matching diagnosis
  double ancestral_frequency = 0;
  uint32_t carriers = 0;           // samples with at least one copy
  uint32_t affected_carriers = 0;  // carriers showing the phenotype
  uint32_t affected_noncarriers = 0;
};

struct SynthSummary {
  std::filesystem::path vcf;      // cohort.vcf.gz or cohort.bcf
  std::filesystem::path index;    // .tbi or .csi beside it
  std::filesystem::path samples;  // samples.tsv
  std::filesystem::path truth;    // truth.tsv
  OutputFormat format = OutputFormat::kVcfGz;
  uint64_t records = 0;
  uint64_t alleles = 0;  // ALT alleles over all records (records after splitting)
  uint64_t multiallelic_records = 0;
  uint64_t indel_alleles = 0;
  uint64_t singletons = 0;  // ALT alleles with AC == 1
  uint64_t genotypes = 0;   // samples × records
  std::vector<CausalVariant> causal;
  double seconds = 0;
};

// Checks the options (counts, fractions, contigs, population weights) without writing.
Status ValidateOptions(const SynthOptions& options);

// Writes the cohort into options.out_dir. On failure returns the error; files already written
// may remain (they are only complete when this returns OK).
Result<SynthSummary> Generate(const SynthOptions& options);

// Expands a contig list such as "1-22,X" or "chr20,chr21" into names; InvalidArgument for
// unknown contigs or malformed ranges.
Result<std::vector<std::string>> ParseContigList(std::string_view text);

// "vcf.gz" / "bcf" / "auto" and back.
Result<OutputFormat> ParseOutputFormat(std::string_view text);
std::string_view OutputFormatName(OutputFormat format);

}  // namespace genomefed::synth
