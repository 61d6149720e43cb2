// Tests of the synthetic cohort generator: determinism, readability by bcftools, and the
// population-genetic properties the rest of genomefed relies on (rare-skewed spectrum,
// Hardy–Weinberg, population differentiation, haploid male chrX, causal enrichment).
#include "synth/synth.h"

#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "support/test_support.h"
#include "synth/genome.h"
#include "synth/terms.h"

namespace genomefed::synth {
namespace {

using ::genomefed::testing::RunCommand;
using ::genomefed::testing::TempDir;

struct Record {
  std::string contig;
  int64_t pos = 0;
  std::string ref;
  std::vector<std::string> alts;
  std::vector<int32_t> gt;  // 2 per sample, htslib encoding
  std::vector<int32_t> info_ac;
  int32_t info_an = -1;
};

struct Cohort {
  std::vector<std::string> samples;
  std::vector<Record> records;
};

// Reads every record with htslib (the same library ingest uses, independent of the writer code).
Cohort ReadCohort(const std::filesystem::path& path) {
  Cohort cohort;
  htsFile* fp = hts_open(path.c_str(), "r");
  EXPECT_NE(fp, nullptr) << path;
  if (fp == nullptr) return cohort;
  bcf_hdr_t* hdr = bcf_hdr_read(fp);
  for (int i = 0; i < bcf_hdr_nsamples(hdr); ++i) cohort.samples.emplace_back(hdr->samples[i]);
  bcf1_t* rec = bcf_init();
  int32_t* gt = nullptr;
  int n_gt = 0;
  int32_t* ac = nullptr;
  int n_ac = 0;
  while (bcf_read(fp, hdr, rec) == 0) {
    bcf_unpack(rec, BCF_UN_ALL);
    Record r;
    r.contig = bcf_hdr_id2name(hdr, rec->rid);
    r.pos = rec->pos + 1;
    r.ref = rec->d.allele[0];
    for (int i = 1; i < rec->n_allele; ++i) r.alts.emplace_back(rec->d.allele[i]);
    const int n = bcf_get_genotypes(hdr, rec, &gt, &n_gt);
    const int n_samples = bcf_hdr_nsamples(hdr);
    if (n == n_samples) {
      // Every call haploid: htslib gives one value per sample; pad to the diploid layout.
      for (int s = 0; s < n_samples; ++s) {
        r.gt.push_back(gt[s]);
        r.gt.push_back(bcf_int32_vector_end);
      }
    } else {
      EXPECT_EQ(n, 2 * n_samples) << r.contig << ":" << r.pos;
      r.gt.assign(gt, gt + std::max(n, 0));
    }
    const int n_ac_values = bcf_get_info_int32(hdr, rec, "AC", &ac, &n_ac);
    if (n_ac_values > 0) r.info_ac.assign(ac, ac + n_ac_values);
    int32_t* an = nullptr;
    int n_an = 0;
    if (bcf_get_info_int32(hdr, rec, "AN", &an, &n_an) == 1) r.info_an = an[0];
    free(an);
    cohort.records.push_back(std::move(r));
  }
  free(gt);
  free(ac);
  bcf_destroy(rec);
  bcf_hdr_destroy(hdr);
  hts_close(fp);
  return cohort;
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

// samples.tsv as rows of column name → value.
std::vector<std::map<std::string, std::string>> ReadSheet(const std::filesystem::path& path) {
  std::vector<std::map<std::string, std::string>> rows;
  std::istringstream in(Slurp(path));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = Split(line, '\t');
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = Split(line, '\t');
    EXPECT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

bool Contains(const std::string& list, const std::string& item) {
  for (const std::string& x : Split(list, ';')) {
    if (x == item) return true;
  }
  return false;
}

int AlleleOf(int32_t v) {
  if (v == bcf_int32_vector_end || bcf_gt_is_missing(v)) return -1;
  return bcf_gt_allele(v);
}

bool InXPar(int64_t pos) {
  return (pos >= 10001 && pos <= 2781479) || (pos >= 155701383 && pos <= 156030895);
}

SynthOptions SmallOptions(const std::filesystem::path& out) {
  SynthOptions o;
  o.samples = 500;
  o.variants = 2000;
  o.seed = 20240613;
  o.out_dir = out;
  o.contigs = {"20", "21", "22", "X"};
  o.fst = 0.05;
  o.threads = 1;
  return o;
}

// One cohort shared by the read-only tests (generated once: keeps the binary fast).
class SynthCohortTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    Result<SynthSummary> r = Generate(SmallOptions(dir_->path()));
    ASSERT_OK(r);
    summary_ = new SynthSummary(*r);
    cohort_ = new Cohort(ReadCohort(summary_->vcf));
    sheet_ = new std::vector<std::map<std::string, std::string>>(ReadSheet(summary_->samples));
  }
  static void TearDownTestSuite() {
    delete sheet_;
    delete cohort_;
    delete summary_;
    delete dir_;
  }
  bool Male(size_t s) const { return (*sheet_)[s].at("sex") == "NCIT:C20197"; }

  static TempDir* dir_;
  static SynthSummary* summary_;
  static Cohort* cohort_;
  static std::vector<std::map<std::string, std::string>>* sheet_;
};
TempDir* SynthCohortTest::dir_ = nullptr;
SynthSummary* SynthCohortTest::summary_ = nullptr;
Cohort* SynthCohortTest::cohort_ = nullptr;
std::vector<std::map<std::string, std::string>>* SynthCohortTest::sheet_ = nullptr;

TEST_F(SynthCohortTest, WritesTheFilesItReports) {
  EXPECT_EQ(summary_->format, OutputFormat::kVcfGz);
  EXPECT_EQ(summary_->vcf.filename(), "cohort.vcf.gz");
  EXPECT_TRUE(std::filesystem::exists(summary_->vcf));
  EXPECT_EQ(summary_->index.filename(), "cohort.vcf.gz.tbi");
  EXPECT_TRUE(std::filesystem::exists(summary_->index));
  EXPECT_TRUE(std::filesystem::exists(summary_->samples));
  EXPECT_TRUE(std::filesystem::exists(summary_->truth));
  EXPECT_EQ(summary_->records, 2000u);
  EXPECT_EQ(cohort_->records.size(), 2000u);
  EXPECT_EQ(cohort_->samples.size(), 500u);
  EXPECT_EQ(sheet_->size(), 500u);
  EXPECT_EQ(cohort_->samples.front(), "S000001");
}

TEST_F(SynthCohortTest, BcftoolsReadsEveryRecordAndAllele) {
  const std::string vcf = summary_->vcf.string();
  auto records = RunCommand("bcftools view -H " + vcf + " | wc -l");
  ASSERT_EQ(records.exit_code, 0);
  EXPECT_EQ(std::stoull(records.output), 2000u);
  // Splitting multi-allelic records gives one record per ALT allele.
  auto split =
      RunCommand("bcftools norm -m-any " + vcf + " 2>/dev/null | bcftools view -H | wc -l");
  ASSERT_EQ(split.exit_code, 0);
  EXPECT_EQ(std::stoull(split.output), summary_->alleles);
  EXPECT_GT(summary_->alleles, summary_->records);
}

TEST_F(SynthCohortTest, RecordsSortedWithoutDuplicates) {
  std::vector<std::string> contig_order;
  int64_t prev = 0;
  for (const Record& r : cohort_->records) {
    if (contig_order.empty() || contig_order.back() != r.contig) {
      for (const std::string& c : contig_order) ASSERT_NE(c, r.contig) << "contig seen twice";
      contig_order.push_back(r.contig);
      prev = 0;
    }
    EXPECT_GT(r.pos, prev) << r.contig;
    prev = r.pos;
    std::set<std::string> alleles = {r.ref};
    for (const std::string& a : r.alts) EXPECT_TRUE(alleles.insert(a).second) << r.contig << r.pos;
  }
  EXPECT_EQ(contig_order, (std::vector<std::string>{"chr20", "chr21", "chr22", "chrX"}));
}

TEST_F(SynthCohortTest, InfoCountsMatchGenotypes) {
  for (const Record& r : cohort_->records) {
    std::vector<int32_t> ac(r.alts.size(), 0);
    int32_t an = 0;
    for (int32_t v : r.gt) {
      const int a = AlleleOf(v);
      if (a < 0) continue;
      ++an;
      if (a > 0) ++ac[a - 1];
    }
    ASSERT_EQ(r.info_ac, ac) << r.contig << ":" << r.pos;
    ASSERT_EQ(r.info_an, an) << r.contig << ":" << r.pos;
    for (int32_t c : ac) EXPECT_GT(c, 0) << "every listed ALT is carried: " << r.pos;
  }
}

TEST_F(SynthCohortTest, SpectrumIsSkewedToRareAlleles) {
  uint64_t alleles = 0, rare = 0, singletons = 0, common = 0;
  for (const Record& r : cohort_->records) {
    for (int32_t ac : r.info_ac) {
      ++alleles;
      const double af = static_cast<double>(ac) / r.info_an;
      if (af < 0.01) ++rare;
      if (af >= 0.05) ++common;
      if (ac == 1) ++singletons;
    }
  }
  std::cout << alleles << " ALT alleles: " << rare << " with AF < 1%, " << singletons
            << " singletons, " << common << " with AF >= 5%\n";
  EXPECT_GT(rare, alleles / 2) << "most alleles must have AF < 1%";
  EXPECT_GT(singletons, alleles / 5);
  EXPECT_GT(common, alleles / 20) << "yet common variants exist";
  EXPECT_EQ(singletons, summary_->singletons);
}

TEST_F(SynthCohortTest, HasIndelsMultiallelicsAndAllelesNeedingTrimming) {
  uint64_t multi = 0, indels = 0, needs_trim = 0;
  for (const Record& r : cohort_->records) {
    if (r.alts.size() > 1) ++multi;
    for (const std::string& alt : r.alts) {
      if (alt.size() != r.ref.size()) ++indels;
      // Once split, a pair sharing its last base is not minimal (e.g. ACT>ACTT, AC>GC).
      if (r.alts.size() > 1 && alt.size() > 1 && r.ref.size() > 1 && alt.back() == r.ref.back()) {
        ++needs_trim;
      }
    }
  }
  EXPECT_GT(multi, 20u);
  EXPECT_EQ(multi, summary_->multiallelic_records);
  EXPECT_GT(indels, 100u);
  EXPECT_GT(needs_trim, 5u);
}

TEST_F(SynthCohortTest, MalesAreHaploidOnChrXOutsideThePars) {
  uint64_t par_records = 0, nonpar_records = 0;
  for (const Record& r : cohort_->records) {
    if (r.contig != "chrX") {
      for (size_t s = 0; s < cohort_->samples.size(); ++s) {
        ASSERT_NE(r.gt[2 * s + 1], bcf_int32_vector_end) << "autosomes are diploid";
      }
      continue;
    }
    const bool par = InXPar(r.pos);
    (par ? par_records : nonpar_records)++;
    for (size_t s = 0; s < cohort_->samples.size(); ++s) {
      const bool haploid = r.gt[2 * s + 1] == bcf_int32_vector_end;
      EXPECT_EQ(haploid, Male(s) && !par) << "chrX:" << r.pos << " sample " << s;
    }
  }
  EXPECT_GT(nonpar_records, 500u);
  EXPECT_GT(par_records, 0u) << "some records fall in PAR1";
}

TEST_F(SynthCohortTest, HasMissingAndPartlyMissingCalls) {
  uint64_t missing = 0, partial = 0;
  for (const Record& r : cohort_->records) {
    for (size_t s = 0; s < cohort_->samples.size(); ++s) {
      const int32_t a = r.gt[2 * s], b = r.gt[2 * s + 1];
      if (b == bcf_int32_vector_end) continue;
      if (bcf_gt_is_missing(a) && bcf_gt_is_missing(b)) ++missing;
      if (!bcf_gt_is_missing(a) && bcf_gt_is_missing(b)) {
        ++partial;
        EXPECT_GE(AlleleOf(a), 0);
      }
    }
  }
  EXPECT_GT(missing, 200u);
  EXPECT_GT(partial, 50u);
}

// Hardy–Weinberg within each population, aggregated over common biallelic autosomal sites: the
// observed heterozygote count must be within 4 standard errors of 2pq·n summed over sites.
TEST_F(SynthCohortTest, HardyWeinbergHoldsWithinPopulations) {
  std::map<std::string, std::vector<size_t>> by_population;
  for (size_t s = 0; s < sheet_->size(); ++s) {
    by_population[(*sheet_)[s].at("population")].push_back(s);
  }
  ASSERT_EQ(by_population.size(), 3u);
  for (const auto& [population, members] : by_population) {
    double observed = 0, expected = 0, variance = 0;
    int sites = 0;
    for (const Record& r : cohort_->records) {
      if (r.contig == "chrX" || r.alts.size() != 1) continue;
      double n = 0, alt = 0, het = 0;
      for (size_t s : members) {
        const int a = AlleleOf(r.gt[2 * s]), b = AlleleOf(r.gt[2 * s + 1]);
        if (a < 0 || b < 0) continue;
        n += 1;
        alt += a + b;
        het += (a != b) ? 1 : 0;
      }
      const double p = alt / (2 * n);
      if (p < 0.05 || p > 0.95) continue;
      ++sites;
      // 2n/(2n−1) removes the small bias of estimating p from the same genotypes.
      const double e = 2 * p * (1 - p) * n * (2 * n) / (2 * n - 1);
      observed += het;
      expected += e;
      variance += e * (1 - e / n);
    }
    ASSERT_GT(sites, 30) << population;
    const double z = (observed - expected) / std::sqrt(variance);
    std::cout << "HWE " << population << ": " << sites << " sites, het observed " << observed
              << " expected " << expected << ", z = " << z << "\n";
    EXPECT_LT(std::abs(z), 4.0) << population << ": observed " << observed << " het, expected "
                                << expected << " over " << sites << " sites";
  }
}

// Fst over common autosomal biallelic sites, as the ratio of averages of the between-population
// variance of allele frequencies to p̄(1−p̄) (Weir & Hill style, without sample-size correction).
double EstimateFst(const Cohort& cohort,
                   const std::vector<std::map<std::string, std::string>>& sheet) {
  std::map<std::string, std::vector<size_t>> by_population;
  for (size_t s = 0; s < sheet.size(); ++s) by_population[sheet[s].at("population")].push_back(s);
  double num = 0, den = 0;
  for (const Record& r : cohort.records) {
    if (r.contig == "chrX" || r.alts.size() != 1) continue;
    std::vector<double> freqs;
    double total_alt = 0, total_n = 0;
    for (const auto& [population, members] : by_population) {
      double alt = 0, n = 0;
      for (size_t s : members) {
        for (int h = 0; h < 2; ++h) {
          const int a = AlleleOf(r.gt[2 * s + h]);
          if (a < 0) continue;
          n += 1;
          alt += a;
        }
      }
      freqs.push_back(alt / n);
      total_alt += alt;
      total_n += n;
    }
    const double p = total_alt / total_n;
    if (p < 0.05 || p > 0.95) continue;
    double var = 0;
    for (double f : freqs) var += (f - p) * (f - p);
    num += var / freqs.size();
    den += p * (1 - p);
  }
  return num / den;
}

TEST_F(SynthCohortTest, PopulationFrequenciesDiffer) {
  const double fst = EstimateFst(*cohort_, *sheet_);
  EXPECT_GT(fst, 0.02);
  EXPECT_LT(fst, 0.12);

  // The same cohort without drift differs only by sampling noise (about 1/(2n) = 0.003).
  TempDir dir;
  SynthOptions o = SmallOptions(dir.path());
  o.fst = 0;
  ASSERT_OK(Generate(o));
  const double none =
      EstimateFst(ReadCohort(dir / "cohort.vcf.gz"), ReadSheet(dir / "samples.tsv"));
  std::cout << "Fst estimate: " << fst << " with --fst 0.05, " << none << " with --fst 0\n";
  EXPECT_LT(none, 0.012);
  EXPECT_GT(fst, none + 0.015);
}

TEST_F(SynthCohortTest, CausalVariantsEnrichTheirPhenotype) {
  ASSERT_EQ(summary_->causal.size(), 5u);
  const std::vector<std::map<std::string, std::string>> truth = ReadSheet(summary_->truth);
  ASSERT_EQ(truth.size(), 5u);
  for (size_t c = 0; c < truth.size(); ++c) {
    const auto& t = truth[c];
    const Record* record = nullptr;
    for (const Record& r : cohort_->records) {
      if (r.contig == t.at("contig") && std::to_string(r.pos) == t.at("pos")) record = &r;
    }
    ASSERT_NE(record, nullptr) << t.at("contig") << ":" << t.at("pos");
    ASSERT_EQ(record->alts, std::vector<std::string>{t.at("alt")});
    EXPECT_EQ(record->ref, t.at("ref"));
    const std::string hpo = t.at("hpo");
    ASSERT_NE(FindHpoTerm(hpo), nullptr) << hpo;
    double carriers = 0, affected_carriers = 0, others = 0, affected_others = 0;
    for (size_t s = 0; s < cohort_->samples.size(); ++s) {
      const bool carrier = AlleleOf(record->gt[2 * s]) == 1 || AlleleOf(record->gt[2 * s + 1]) == 1;
      const bool affected = Contains((*sheet_)[s].at("phenotypes"), hpo);
      if (carrier) {
        carriers += 1;
        affected_carriers += affected;
      } else {
        others += 1;
        affected_others += affected;
      }
    }
    EXPECT_EQ(std::to_string(static_cast<int>(carriers)), t.at("carriers")) << hpo;
    EXPECT_EQ(std::to_string(static_cast<int>(affected_carriers)), t.at("affected_carriers"));
    EXPECT_GE(affected_carriers, 5) << hpo;
    EXPECT_GT(affected_carriers / carriers, 3 * (affected_others + 1) / others)
        << hpo << ": carriers must show the phenotype far more often";
  }
}

TEST_F(SynthCohortTest, SampleSheetUsesRealVocabularies) {
  const std::string header = Split(Slurp(summary_->samples), '\n').front();
  EXPECT_EQ(header, "sample_id\tsex\tpopulation\tphenotypes\tdiseases\tconsent\tconsent_disease");
  std::set<std::string> populations;
  size_t with_phenotype = 0;
  for (size_t s = 0; s < sheet_->size(); ++s) {
    const auto& row = (*sheet_)[s];
    EXPECT_EQ(row.at("sample_id"), cohort_->samples[s]);
    EXPECT_TRUE(row.at("sex") == "NCIT:C16576" || row.at("sex") == "NCIT:C20197");
    populations.insert(row.at("population"));
    if (!row.at("phenotypes").empty()) {
      ++with_phenotype;
      for (const std::string& p : Split(row.at("phenotypes"), ';')) {
        EXPECT_NE(FindHpoTerm(p), nullptr) << p;
      }
    }
    if (!row.at("diseases").empty()) {
      for (const std::string& d : Split(row.at("diseases"), ';')) {
        EXPECT_EQ(d.rfind("ICD10:", 0), 0u) << d;
      }
    }
    ASSERT_FALSE(row.at("consent").empty());
    for (const std::string& d : Split(row.at("consent"), ';')) {
      EXPECT_EQ(d.rfind("DUO:00000", 0), 0u) << d;
    }
    EXPECT_EQ(Contains(row.at("consent"), "DUO:0000007"), !row.at("consent_disease").empty());
  }
  EXPECT_EQ(populations, (std::set<std::string>{"ESP", "FIN", "NLD"}));
  EXPECT_GT(with_phenotype, 100u);
  EXPECT_LT(with_phenotype, 450u) << "many samples have no phenotype";
}

TEST(SynthTermsTest, HpoParentsFormATreeRootedAtPhenotypicAbnormality) {
  for (const HpoTerm& t : HpoTerms()) {
    const HpoTerm* cur = &t;
    int depth = 0;
    while (!cur->parent.empty()) {
      const HpoTerm* parent = FindHpoTerm(cur->parent);
      ASSERT_NE(parent, nullptr) << cur->id << " has parent " << cur->parent
                                 << " outside the table";
      ASSERT_LT(parent - HpoTerms().data(), cur - HpoTerms().data()) << "parents come first";
      cur = parent;
      ASSERT_LT(++depth, 20);
    }
    EXPECT_EQ(cur->id, "HP:0000118");
  }
  for (const Trait& trait : Traits()) EXPECT_NE(FindHpoTerm(trait.hpo), nullptr) << trait.hpo;
}

TEST_F(SynthCohortTest, IndexServesRegionQueries) {
  size_t chr21 = 0, par1 = 0;
  for (const Record& r : cohort_->records) {
    chr21 += r.contig == "chr21";
    par1 += r.contig == "chrX" && r.pos <= 2781479;
  }
  const std::string vcf = summary_->vcf.string();
  auto a = RunCommand("bcftools view -H -r chr21 " + vcf + " | wc -l");
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_EQ(std::stoull(a.output), chr21);
  auto b = RunCommand("bcftools view -H -r chrX:1-2781479 " + vcf + " | wc -l");
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_EQ(std::stoull(b.output), par1);
  EXPECT_GT(chr21, 0u);
}

TEST(SynthTest, SameSeedGivesIdenticalOutput) {
  TempDir a, b, c;
  SynthOptions oa = SmallOptions(a.path());
  SynthOptions ob = SmallOptions(b.path());
  ob.threads = 0;  // threading must not change a byte of the data
  ASSERT_OK(Generate(oa));
  ASSERT_OK(Generate(ob));
  EXPECT_EQ(Slurp(a / "samples.tsv"), Slurp(b / "samples.tsv"));
  EXPECT_EQ(Slurp(a / "truth.tsv"), Slurp(b / "truth.tsv"));
  EXPECT_EQ(Slurp(a / "cohort.vcf.gz"), Slurp(b / "cohort.vcf.gz"));

  SynthOptions oc = SmallOptions(c.path());
  oc.seed += 1;
  ASSERT_OK(Generate(oc));
  EXPECT_NE(Slurp(a / "samples.tsv"), Slurp(c / "samples.tsv"));
  auto ha = RunCommand("bcftools view -H " + (a / "cohort.vcf.gz").string() + " | cut -f1-5");
  auto hc = RunCommand("bcftools view -H " + (c / "cohort.vcf.gz").string() + " | cut -f1-5");
  EXPECT_NE(ha.output, hc.output);
}

// The BCF writer encodes FORMAT/GT itself while VCF goes through bcf_update_genotypes: both must
// hold the same calls, phased or not, haploid or diploid.
TEST(SynthTest, BcfAndVcfGzHoldTheSameRecords) {
  for (int variant = 0; variant < 2; ++variant) {
    TempDir a, b;
    SynthOptions oa = SmallOptions(a.path());
    if (variant == 1) {
      oa.phased = true;
      oa.contigs = {"22", "X", "Y", "MT"};
      oa.samples = 200;
    }
    oa.format = OutputFormat::kVcfGz;
    SynthOptions ob = oa;
    ob.out_dir = b.path();
    ob.format = OutputFormat::kBcf;
    ASSERT_OK(Generate(oa));
    Result<SynthSummary> sb = Generate(ob);
    ASSERT_OK(sb);
    EXPECT_EQ(sb->vcf.filename(), "cohort.bcf");
    EXPECT_EQ(sb->index.filename(), "cohort.bcf.csi");
    auto va = RunCommand("bcftools view -H " + (a / "cohort.vcf.gz").string());
    auto vb = RunCommand("bcftools view -H " + (b / "cohort.bcf").string());
    ASSERT_EQ(va.exit_code, 0);
    ASSERT_EQ(vb.exit_code, 0);
    EXPECT_EQ(va.output.size(), vb.output.size());
    EXPECT_TRUE(va.output == vb.output) << "vcf.gz and BCF records differ, variant " << variant;
    EXPECT_EQ(Slurp(a / "samples.tsv"), Slurp(b / "samples.tsv"));
    auto region =
        RunCommand("bcftools view -H -r chr22 " + (b / "cohort.bcf").string() + " | wc -l");
    auto region_vcf =
        RunCommand("bcftools view -H -r chr22 " + (a / "cohort.vcf.gz").string() + " | wc -l");
    EXPECT_EQ(region.output, region_vcf.output);
    EXPECT_GT(std::stoull(region.output), 0u);
  }
}

TEST(SynthTest, CohortsOfOneSeedShareSitesButNotIndividuals) {
  TempDir fi, es;
  SynthOptions a = SmallOptions(fi.path());
  a.populations = {"FIN"};
  a.sample_prefix = "FI";
  SynthOptions b = SmallOptions(es.path());
  b.populations = {"ESP"};
  b.sample_prefix = "ES";
  b.samples = 300;
  Result<SynthSummary> ra = Generate(a);
  Result<SynthSummary> rb = Generate(b);
  ASSERT_OK(ra);
  ASSERT_OK(rb);
  const Cohort ca = ReadCohort(fi / "cohort.vcf.gz");
  const Cohort cb = ReadCohort(es / "cohort.vcf.gz");
  ASSERT_EQ(ca.records.size(), cb.records.size());
  size_t same_alleles = 0;
  for (size_t i = 0; i < ca.records.size(); ++i) {
    EXPECT_EQ(ca.records[i].contig, cb.records[i].contig);
    EXPECT_EQ(ca.records[i].pos, cb.records[i].pos);
    EXPECT_EQ(ca.records[i].ref, cb.records[i].ref);
    same_alleles += ca.records[i].alts == cb.records[i].alts;
  }
  EXPECT_EQ(same_alleles, ca.records.size());
  EXPECT_EQ(ca.samples.front(), "FI000001");
  EXPECT_EQ(cb.samples.front(), "ES000001");
  ASSERT_EQ(ra->causal.size(), rb->causal.size());
  for (size_t c = 0; c < ra->causal.size(); ++c) {
    EXPECT_EQ(ra->causal[c].pos, rb->causal[c].pos);
    EXPECT_EQ(ra->causal[c].hpo, rb->causal[c].hpo);
  }
}

TEST(SynthTest, PhasedOutputUsesPipes) {
  TempDir dir;
  SynthOptions o = SmallOptions(dir.path());
  o.samples = 50;
  o.variants = 200;
  o.phased = true;
  ASSERT_OK(Generate(o));
  auto out = RunCommand("bcftools query -f '[%GT\\n]' " + (dir / "cohort.vcf.gz").string() +
                        " | sort | uniq -c");
  ASSERT_EQ(out.exit_code, 0);
  EXPECT_NE(out.output.find("0|0"), std::string::npos);
  EXPECT_NE(out.output.find("0|1"), std::string::npos);
  EXPECT_NE(out.output.find("1|0"), std::string::npos) << "phased calls keep haplotype order";
  EXPECT_EQ(out.output.find("0/0"), std::string::npos);
}

TEST(SynthTest, PopulationWeightsAndInfoSwitchAreHonoured) {
  TempDir dir;
  SynthOptions o = SmallOptions(dir.path());
  o.samples = 1000;
  o.variants = 50;
  o.population_weights = {0.8, 0.1, 0.1};
  o.info_tags = false;
  o.chr_prefix = false;
  ASSERT_OK(Generate(o));
  std::map<std::string, int> counts;
  for (const auto& row : ReadSheet(dir / "samples.tsv")) ++counts[row.at("population")];
  EXPECT_NEAR(counts["FIN"], 800, 50);
  EXPECT_NEAR(counts["NLD"], 100, 35);
  auto header = RunCommand("bcftools view -h " + (dir / "cohort.vcf.gz").string());
  EXPECT_EQ(header.output.find("ID=AC,"), std::string::npos);
  EXPECT_NE(header.output.find("##contig=<ID=20,length=64444167"), std::string::npos);
  EXPECT_EQ(header.output.find("chr20"), std::string::npos);
}

TEST(SynthTest, RejectsBadOptions) {
  TempDir dir;
  SynthOptions o = SmallOptions(dir.path());
  o.samples = 0;
  EXPECT_EQ(ValidateOptions(o).code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.contigs = {"chr99"};
  EXPECT_EQ(Generate(o).status().code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.populations = {"FIN", "FIN"};
  EXPECT_EQ(ValidateOptions(o).code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.population_weights = {1.0};
  EXPECT_EQ(ValidateOptions(o).code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.contigs = {"MT"};
  o.variants = 5000;  // more than one record per 4 bases of chrM
  EXPECT_EQ(ValidateOptions(o).code(), StatusCode::kInvalidArgument);
  o = SmallOptions(dir.path());
  o.missing_rate = 1.5;
  EXPECT_EQ(ValidateOptions(o).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "cohort.vcf.gz"));
}

TEST(SynthTest, ParsesContigLists) {
  Result<std::vector<std::string>> r = ParseContigList("1-3,X,chr22");
  ASSERT_OK(r);
  EXPECT_EQ(*r, (std::vector<std::string>{"1", "2", "3", "X", "chr22"}));
  EXPECT_FALSE(ParseContigList("1-25").ok());
  EXPECT_FALSE(ParseContigList("5-2").ok());
  EXPECT_FALSE(ParseContigList("chrQ").ok());
  EXPECT_FALSE(ParseContigList("").ok());
  ASSERT_TRUE(FindContig("chrM").has_value());
  EXPECT_EQ(FindContig("chrM")->name, "MT");
  EXPECT_EQ(FindContig("22")->length, 50818468);
}

TEST(SynthTest, SexChromosomesAndMitochondrionHaveTheirPloidy) {
  TempDir dir;
  SynthOptions o = SmallOptions(dir.path());
  o.samples = 60;
  o.variants = 300;
  o.contigs = {"Y"};
  ASSERT_OK(Generate(o));
  Cohort cohort = ReadCohort(dir / "cohort.vcf.gz");
  const auto sheet = ReadSheet(dir / "samples.tsv");
  TempDir dir_mt;
  o.out_dir = dir_mt.path();
  o.contigs = {"MT"};
  ASSERT_OK(Generate(o));
  for (Record& r : ReadCohort(dir_mt / "cohort.vcf.gz").records) {
    cohort.records.push_back(std::move(r));
  }
  size_t y = 0, mt = 0;
  for (const Record& r : cohort.records) {
    (r.contig == "chrY" ? y : mt)++;
    for (size_t s = 0; s < cohort.samples.size(); ++s) {
      EXPECT_EQ(r.gt[2 * s + 1], bcf_int32_vector_end) << "haploid or no call";
      if (r.contig == "chrY" && sheet[s].at("sex") == "NCIT:C16576") {
        EXPECT_TRUE(bcf_gt_is_missing(r.gt[2 * s])) << "females have no chrY call";
      }
    }
  }
  EXPECT_GT(y, 0u);
  EXPECT_GT(mt, 0u);
}

TEST(SynthTest, CommandLineWritesTheSameCohort) {
  const std::filesystem::path binary = ::genomefed::testing::GenomefedBinary();
  if (!std::filesystem::exists(binary)) GTEST_SKIP() << binary << " is not built";
  TempDir cli, lib;
  auto out = RunCommand(binary.string() +
                            " synth --samples 40 --variants 120 --seed 9 --contigs 21-22 --out " +
                            cli.path().string() + " --populations NLD --sample-prefix NL --quiet",
                        true);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  SynthOptions o;
  o.samples = 40;
  o.variants = 120;
  o.seed = 9;
  o.contigs = {"21", "22"};
  o.populations = {"NLD"};
  o.sample_prefix = "NL";
  o.out_dir = lib.path();
  ASSERT_OK(Generate(o));
  EXPECT_EQ(Slurp(cli / "samples.tsv"), Slurp(lib / "samples.tsv"));
  EXPECT_EQ(Slurp(cli / "cohort.vcf.gz"), Slurp(lib / "cohort.vcf.gz"));
  auto bad =
      RunCommand(binary.string() + " synth --samples 10 --variants 10 --contigs chrQ --out " +
                     cli.path().string(),
                 true);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("chrQ"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace genomefed::synth
