// Counts equal bcftools: for every allele of a file, AC, AN, AC_Het, AC_Hom and AC_Hemi from
// the store equal `bcftools norm -m-any | bcftools +fill-tags` (after the same allele trimming),
// over all samples and over the samples matching a filter (bcftools view -S).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/file.h"
#include "ingest/ingest.h"
#include "ingest/normalize.h"
#include "store/store.h"
#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

using testing::RunCommand;
using testing::TempDir;

struct Expected {
  uint64_t ac, an, het, hom, hemi;
};

// bcftools' figures for every sequence allele of `vcf` over `samples_file` (empty = all).
std::map<store::AlleleKey, Expected> BcftoolsCounts(const std::filesystem::path& vcf,
                                                    const std::filesystem::path& samples_file) {
  std::string cmd = "bcftools view --no-version ";
  if (!samples_file.empty()) cmd += "--force-samples -S " + samples_file.string() + " ";
  cmd += vcf.string() +
         " 2>/dev/null | bcftools norm --no-version -m-any 2>/dev/null | bcftools +fill-tags "
         "-- -t AC,AN,AC_Het,AC_Hom,AC_Hemi 2>/dev/null | bcftools query -f "
         "'%CHROM\\t%POS\\t%REF\\t%ALT\\t%AC\\t%AN\\t%AC_Het\\t%AC_Hom\\t%AC_Hemi\\n'";
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd;
  std::map<store::AlleleKey, Expected> out;
  std::istringstream in(r.output);
  std::string chrom, ref, alt;
  int64_t pos;
  Expected e;
  while (in >> chrom >> pos >> ref >> alt >> e.ac >> e.an >> e.het >> e.hom >> e.hemi) {
    if (ClassifyAllele(alt) != AlleleKind::kSequence) continue;
    for (auto& c : ref) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto& c : alt) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    TrimAlleles(pos, ref, alt);
    out[{store::CanonicalContig(chrom), pos, ref, alt}] = e;
  }
  return out;
}

void CompareAll(const store::Dataset& ds, const std::map<store::AlleleKey, Expected>& expected,
                const store::SampleSet* filter, const std::string& what) {
  ASSERT_FALSE(expected.empty()) << what;
  uint64_t stored = 0;
  for (const auto& contig : ds.contigs()) {
    ds.ScanRange(contig, 1, INT64_MAX / 4, [&](const store::AlleleKey&, const store::AlleleRef&) {
      ++stored;
      return true;
    });
  }
  EXPECT_EQ(stored, expected.size()) << what << ": allele count differs from bcftools";
  int mismatches = 0;
  for (const auto& [key, e] : expected) {
    auto ref = ds.Find(key);
    if (!ref) {
      ADD_FAILURE() << what << ": " << store::FormatAlleleKey(key) << " missing from the store";
      if (++mismatches > 10) return;
      continue;
    }
    store::AlleleCounts c = ds.Count(*ref, filter);
    if (c.allele_count != e.ac || c.allele_number != e.an || c.ac_het != e.het ||
        c.ac_hom != e.hom || c.ac_hemi != e.hemi) {
      ADD_FAILURE() << what << ": " << store::FormatAlleleKey(key) << " store AC/AN/het/hom/hemi "
                    << c.allele_count << "/" << c.allele_number << "/" << c.ac_het << "/"
                    << c.ac_hom << "/" << c.ac_hemi << " vs bcftools " << e.ac << "/" << e.an << "/"
                    << e.het << "/" << e.hom << "/" << e.hemi;
      if (++mismatches > 10) return;
    }
  }
}

std::unique_ptr<store::Store> IngestInto(const TempDir& dir, const std::filesystem::path& vcf,
                                         const std::filesystem::path& sheet = {}) {
  IngestOptions o;
  o.data_dir = dir / "data";
  o.dataset = "d";
  o.vcf = vcf;
  o.sample_sheet = sheet;
  auto r = Ingest(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  auto st = store::Store::Open(dir / "data");
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  return st.ok() ? std::move(st).value() : nullptr;
}

class ThousandGenomes : public ::testing::TestWithParam<std::string> {};

TEST_P(ThousandGenomes, EveryAlleleEqualsBcftools) {
  const std::string rel = "data/1000g/" + GetParam();
  GF_REQUIRE_SHARED(rel);
  TempDir dir;
  auto st = IngestInto(dir, testing::SharedDir() / rel);
  ASSERT_NE(st, nullptr);
  CompareAll(*st->dataset("d"), BcftoolsCounts(testing::SharedDir() / rel, {}), nullptr,
             GetParam());
}

INSTANTIATE_TEST_SUITE_P(SharedFiles, ThousandGenomes,
                         ::testing::Values("test_1000G.vcf.gz", "ALL.chrMT.vcf.gz",
                                           "test_pathogenic.vcf.gz"));

// Filtered counts with the CINECA phenotypes: the filter's samples are picked from the JSON by
// this test itself, then bcftools counts over exactly those samples.
TEST(FilteredCounts, EqualBcftoolsOverTheMatchingSamples) {
  GF_REQUIRE_SHARED("data/1000g/test_1000G.vcf.gz");
  GF_REQUIRE_SHARED("data/cineca-uk1/individuals.json");
  const auto vcf = testing::SharedDir() / "data/1000g/test_1000G.vcf.gz";
  const auto sheet = testing::SharedDir() / "data/cineca-uk1/individuals.json";
  TempDir dir;
  auto st = IngestInto(dir, vcf, sheet);
  ASSERT_NE(st, nullptr);
  const store::Dataset& ds = *st->dataset("d");
  auto individuals = nlohmann::json::parse(ReadFile(sheet).value());
  std::vector<std::string> male_ids, male_with_g35;
  for (const auto& ind : individuals) {
    if (ind["sex"]["id"] != "NCIT:C20197") continue;
    male_ids.push_back(ind["id"]);
    for (const auto& d : ind.value("diseases", nlohmann::json::array())) {
      if (d["diseaseCode"]["id"] == "ICD10:G35") male_with_g35.push_back(ind["id"]);
    }
  }
  ASSERT_GT(male_with_g35.size(), 5u);
  struct Case {
    std::string name;
    std::vector<std::string> ids;
    store::SampleSet filter;
  };
  store::SampleSet males = ds.SamplesMatching(store::SampleField::kSex, {"NCIT:C20197"});
  std::vector<Case> cases = {
      {"males", male_ids, males},
      {"males with ICD10:G35", male_with_g35,
       males & ds.SamplesMatching(store::SampleField::kDisease, {"ICD10:G35"})}};
  for (const auto& c : cases) {
    EXPECT_EQ(c.filter.Count(), c.ids.size()) << c.name;
    std::string list;
    for (const auto& id : c.ids) list += id + "\n";
    auto list_file = dir / "samples.txt";
    ASSERT_OK(WriteFileAtomic(list_file, list));
    CompareAll(ds, BcftoolsCounts(vcf, list_file), &c.filter, c.name);
  }
}

// A synthetic cohort (haploid chrX for males, missing and partly missing calls, multi-allelic
// sites with trimming): the figures equal bcftools' except that a partly missing call (1/.)
// counts in AC and AN only, where bcftools counts it as hemizygous: the test subtracts those.
TEST(SynthCohort, EveryAlleleEqualsBcftools) {
  TempDir dir;
  auto gen = RunCommand(testing::GenomefedBinary().string() +
                            " synth --samples 300 --variants 3000 --seed 11 --out " +
                            (dir / "cohort").string(),
                        true);
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  const auto vcf = dir / "cohort" / "cohort.vcf.gz";
  ASSERT_TRUE(std::filesystem::exists(vcf));
  auto st = IngestInto(dir, vcf, dir / "cohort" / "samples.tsv");
  ASSERT_NE(st, nullptr);
  auto expected = BcftoolsCounts(vcf, {});
  // Partly missing diploid calls per allele, counted from the genotypes themselves.
  auto partial =
      RunCommand("bcftools norm --no-version -m-any " + vcf.string() +
                 " 2>/dev/null | bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT[\\t%GT]\\n'");
  ASSERT_EQ(partial.exit_code, 0);
  std::istringstream in(partial.output);
  std::string line;
  uint64_t partial_calls = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string chrom, ref, alt, gt;
    int64_t pos;
    fields >> chrom >> pos >> ref >> alt;
    uint64_t n = 0;
    while (fields >> gt) {
      if (gt == "1/." || gt == "./1" || gt == "1|." || gt == ".|1") ++n;
    }
    if (ClassifyAllele(alt) != AlleleKind::kSequence) continue;
    TrimAlleles(pos, ref, alt);
    auto it = expected.find({store::CanonicalContig(chrom), pos, ref, alt});
    if (it != expected.end()) it->second.hemi -= n;
    partial_calls += n;
  }
  CompareAll(*st->dataset("d"), expected, nullptr, "synth cohort");
  RecordProperty("partial_calls", std::to_string(partial_calls));
}

}  // namespace
}  // namespace genomefed::ingest
