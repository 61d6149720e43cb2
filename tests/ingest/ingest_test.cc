#include "ingest/ingest.h"

#include <gtest/gtest.h>

#include <map>

#include "core/file.h"
#include "store/store.h"
#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

using store::AlleleCounts;
using testing::RunCommand;
using testing::TempDir;

constexpr const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=100000>\n"
    "##contig=<ID=X,length=100000>\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n";

// s1..s4: het/hom/partial/missing, multi-allelic with trimming, symbolic and star alleles,
// haploid chrX calls.
std::string HandcraftedVcf() {
  return std::string(kHeader) +
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\ts3\ts4\n"
         "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\t1/.\t./.\n"
         "1\t200\t.\tACT\tA,ACTT\t.\t.\t.\tGT\t1/2\t0/2\t2|2\t0|0\n"
         "1\t300\t.\tC\t<DEL>,T\t.\t.\t.\tGT\t0/1\t0/2\t0/0\t0/0\n"
         "1\t400\t.\tG\t*,C\t.\t.\t.\tGT\t0/1\t1/2\t0/0\t0/0\n"
         "X\t50\t.\tT\tC\t.\t.\t.\tGT\t1\t0\t1/1\t.\n";
}

constexpr const char* kSheet =
    "sample_id\tsex\tpopulation\tphenotypes\tdiseases\n"
    "s1\tmale\tFIN\tHP:0001250\t\n"
    "s2\tfemale\tFIN\t\tICD10:G40\n"
    "s3\tmale\tNLD\tHP:0001250\t\n"
    "s4\tfemale\tNLD\t\t\n";

std::filesystem::path WriteText(const TempDir& dir, const std::string& name,
                                const std::string& text) {
  auto path = dir / name;
  EXPECT_TRUE(WriteFileAtomic(path, text).ok());
  return path;
}

AlleleCounts CountOf(const store::Dataset& ds, const std::string& variant,
                     const store::SampleSet* filter = nullptr) {
  auto key = store::ParseAlleleKey(variant);
  EXPECT_TRUE(key.ok()) << variant;
  auto ref = ds.Find(*key);
  EXPECT_TRUE(ref.has_value()) << variant << " not found";
  if (!ref) return {};
  return ds.Count(*ref, filter);
}

void ExpectCounts(const AlleleCounts& c, uint64_t ac, uint64_t an, uint64_t het, uint64_t hom,
                  uint64_t hemi, uint64_t individuals, const std::string& what) {
  EXPECT_EQ(c.allele_count, ac) << what;
  EXPECT_EQ(c.allele_number, an) << what;
  EXPECT_EQ(c.ac_het, het) << what;
  EXPECT_EQ(c.ac_hom, hom) << what;
  EXPECT_EQ(c.ac_hemi, hemi) << what;
  EXPECT_EQ(c.individuals, individuals) << what;
}

Result<IngestReport> IngestFile(const std::filesystem::path& data, const std::filesystem::path& vcf,
                                const std::filesystem::path& sheet = {},
                                std::string dataset = "d") {
  IngestOptions o;
  o.data_dir = data;
  o.dataset = std::move(dataset);
  o.vcf = vcf;
  o.sample_sheet = sheet;
  o.threads = 2;
  return Ingest(o);
}

// Everything in a dataset directory, by file name (LOCK aside).
std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename() == "LOCK") continue;
    files[e.path().filename().string()] = ReadFile(e.path()).value();
  }
  return files;
}

TEST(Ingest, HandcraftedGenotypesGiveExpectedCounts) {
  TempDir dir;
  auto report = IngestFile(dir / "data", WriteText(dir, "a.vcf", HandcraftedVcf()),
                           WriteText(dir, "s.tsv", kSheet));
  ASSERT_OK(report);
  EXPECT_EQ(report->records, 5u);
  EXPECT_EQ(report->alleles, 6u);
  EXPECT_EQ(report->skipped.at("symbolic allele (structural variant)"), 1u);
  EXPECT_EQ(report->skipped.at("star allele (*)"), 1u);
  auto st = store::Store::Open(dir / "data");
  ASSERT_OK(st);
  const store::Dataset* ds = (*st)->dataset("d");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->sample_count(), 4u);
  EXPECT_EQ(ds->allele_count(), 6u);
  //                                     AC AN het hom hemi ind
  ExpectCounts(CountOf(*ds, "1:100:A:G"), 4, 5, 1, 2, 0, 3, "het, hom, 1/., ./.");
  ExpectCounts(CountOf(*ds, "1:200:ACT:A"), 1, 8, 1, 0, 0, 1, "first ALT of 1/2");
  ExpectCounts(CountOf(*ds, "1:201:C:CT"), 4, 8, 2, 2, 0, 3, "ACT>ACTT trimmed to C>CT");
  ExpectCounts(CountOf(*ds, "1:300:C:T"), 1, 8, 1, 0, 0, 1, "next to a symbolic ALT");
  ExpectCounts(CountOf(*ds, "1:400:G:C"), 1, 8, 1, 0, 0, 1, "next to a star ALT");
  ExpectCounts(CountOf(*ds, "chrX:50:T:C"), 3, 4, 0, 2, 1, 2, "haploid and diploid chrX");
  EXPECT_FALSE(ds->Find(*store::ParseAlleleKey("1:200:ACT:ACTT")).has_value());

  store::SampleSet males = ds->SamplesMatching(store::SampleField::kSex, {"NCIT:C20197"});
  EXPECT_EQ(males.Count(), 2u);
  ExpectCounts(CountOf(*ds, "X:50:T:C", &males), 3, 3, 0, 2, 1, 2, "males on chrX");
  ExpectCounts(CountOf(*ds, "1:100:A:G", &males), 2, 3, 1, 0, 0, 2, "males at 1:100");
  store::SampleSet nld = ds->SamplesMatching(store::SampleField::kPopulation, {"NLD"});
  ExpectCounts(CountOf(*ds, "1:201:C:CT", &nld), 2, 4, 0, 2, 0, 1, "NLD at 1:200");
  EXPECT_EQ(ds->Carriers(*ds->Find(*store::ParseAlleleKey("1:100:A:G"))).ToVector(),
            std::vector<store::SampleId>({0, 1, 2}));
  int n = 0;
  ds->ScanRange("1", 150, 350, [&](const store::AlleleKey& k, const store::AlleleRef&) {
    EXPECT_TRUE(k.pos >= 150 && k.pos <= 350) << k.pos;
    ++n;
    return true;
  });
  EXPECT_EQ(n, 3);
}

TEST(Ingest, VcfVcfGzAndBcfGiveIdenticalStores) {
  TempDir dir;
  auto vcf = WriteText(dir, "a.vcf", HandcraftedVcf());
  ASSERT_EQ(RunCommand("bcftools view -Oz -o " + (dir / "a.vcf.gz").string() + " " + vcf.string())
                .exit_code,
            0);
  ASSERT_EQ(
      RunCommand("bcftools view -Ob -o " + (dir / "a.bcf").string() + " " + vcf.string()).exit_code,
      0);
  std::vector<std::map<std::string, std::string>> snapshots;
  for (const char* name : {"a.vcf", "a.vcf.gz", "a.bcf"}) {
    auto data = dir / (std::string("data-") + name);
    ASSERT_OK(IngestFile(data, dir / name, WriteText(dir, "s.tsv", kSheet)));
    auto snap = Snapshot(DatasetDir(data, "d"));
    snap.erase("MANIFEST");  // names its source file and time
    snapshots.push_back(std::move(snap));
  }
  ASSERT_FALSE(snapshots[0].empty());
  EXPECT_EQ(snapshots[0], snapshots[1]) << "VCF vs VCF.gz";
  EXPECT_EQ(snapshots[0], snapshots[2]) << "VCF vs BCF";
}

// GT-only text records are parsed by the ingest itself, other FORMATs by htslib's vcf_parse,
// BCF read in place: the three must agree on every call spelling htslib accepts (leading '+',
// leading zeros, phased missing, mixed ploidy, more than two alleles, allele indexes above
// int8's range) and all refuse the same malformed calls.
TEST(Ingest, GtOnlyFastPathEqualsHtslibParsing) {
  TempDir dir;
  std::string alts;
  for (int i = 0; i < 70; ++i) alts += (i ? ",C" : "C") + std::string(static_cast<size_t>(i), 'A');
  const std::vector<std::string> rows = {
      "1\t100\t.\tA\tG\t.\t.\t.\t+1/0\t0|1\t.|1\t1|.",
      "1\t101\t.\tA\tG,T\t.\t.\t.\t00/02\t./.\t.\t2",
      "1\t102\t.\tA\tG\t.\t.\t.\t0/0/1\t0/0\t0/0\t0/0",  // triploid: that call missing
      "1\t103\t.\tA\t" + alts + "\t.\t.\t.\t0/65\t69|69\t0/0\t./63",
      "X\t50\t.\tT\tC\t.\t.\t.\t1\t0\t./.\t1/1",
  };
  std::string fast = std::string(kHeader) +
                     "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\ts3\ts4\n";
  std::string slow = fast;
  for (const auto& row : rows) {
    std::vector<std::string> cols;
    size_t start = 0;
    for (size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1) {
      cols.push_back(row.substr(start, tab - start));
    }
    cols.push_back(row.substr(start));
    std::string f, l;
    for (size_t c = 0; c < cols.size(); ++c) {
      f += (c ? "\t" : "") + cols[c];
      l += (c ? "\t" : "") + cols[c];
      if (c == 7) {
        f += "\tGT";
        l += "\tGT:DP";
      } else if (c > 7) {
        l += ":5";
      }
    }
    fast += f + "\n";
    slow += l + "\n";
  }
  auto fast_vcf = WriteText(dir, "fast.vcf", fast);
  auto slow_vcf = WriteText(dir, "slow.vcf", slow);
  ASSERT_EQ(
      RunCommand("bcftools view -Ob -o " + (dir / "fast.bcf").string() + " " + fast_vcf.string())
          .exit_code,
      0);
  std::vector<std::map<std::string, std::string>> snapshots;
  for (const char* name : {"fast.vcf", "slow.vcf", "fast.bcf"}) {
    auto data = dir / (std::string("data-") + name);
    auto report = IngestFile(data, dir / name);
    ASSERT_TRUE(report.ok()) << name << ": " << report.status().ToString();
    EXPECT_EQ(report->high_ploidy_calls, 1u) << name;
    EXPECT_EQ(report->skipped.count("ploidy above 2 (record)"), 0u) << name;
    auto snap = Snapshot(DatasetDir(data, "d"));
    snap.erase("MANIFEST");
    snapshots.push_back(std::move(snap));
  }
  EXPECT_EQ(snapshots[0], snapshots[1]) << "GT-only text vs GT:DP through vcf_parse";
  EXPECT_EQ(snapshots[0], snapshots[2]) << "text vs BCF";
  auto st = store::Store::Open(dir / "data-fast.vcf");
  ASSERT_OK(st);
  const store::Dataset* ds = (*st)->dataset("d");
  ASSERT_NE(ds, nullptr);
  // 0/65, 69|69, 0/0, ./63: index 65 once (het), 69 twice (hom), 63 once (partial).
  ExpectCounts(CountOf(*ds, "1:103:A:C" + std::string(64, 'A')), 1, 7, 1, 0, 0, 1, "index 65");
  ExpectCounts(CountOf(*ds, "1:103:A:C" + std::string(68, 'A')), 2, 7, 0, 2, 0, 1, "index 69");
  ExpectCounts(CountOf(*ds, "1:100:A:G"), 4, 6, 2, 0, 0, 4, "+1/0 0|1 .|1 1|.");
  ExpectCounts(CountOf(*ds, "1:102:A:G"), 0, 6, 0, 0, 0, 0, "0/0/1 missing, the record kept");

  // Malformed calls: refused on both text paths, naming the line.
  for (const char* bad : {"0/x", "", "0/1/", "0/1:5", "0 /1", "-1/0"}) {
    for (bool gt_only : {true, false}) {
      std::string text =
          gt_only ? fast.substr(0, fast.find("1\t100")) : slow.substr(0, slow.find("1\t100"));
      std::string call = gt_only ? std::string(bad) : std::string(bad) + ":5";
      if (!gt_only && std::string(bad) == "0/1:5") call = "0/1:5:5";
      text += std::string("1\t10\t.\tA\tG\t.\t.\t.\t") + (gt_only ? "GT" : "GT:DP") +
              "\t0/1\t0/1\t0/1\t" + call + "\n";
      auto path = WriteText(dir, "bad.vcf", text);
      auto r = IngestFile(dir / "bad-data", path);
      ASSERT_FALSE(r.ok()) << "'" << bad << "' gt_only=" << gt_only;
      EXPECT_NE(r.status().message().find("bad.vcf:"), std::string::npos) << r.status().message();
    }
  }
}

TEST(Ingest, BatchesWithDisjointSamplesAddUp) {
  TempDir dir;
  auto vcf = WriteText(dir, "a.vcf", HandcraftedVcf());
  auto sheet = WriteText(dir, "s.tsv", kSheet);
  ASSERT_OK(IngestFile(dir / "whole", vcf, sheet));
  ASSERT_EQ(RunCommand("bcftools view -s s1,s2 -Oz -o " + (dir / "b1.vcf.gz").string() + " " +
                       vcf.string())
                .exit_code,
            0);
  ASSERT_EQ(
      RunCommand("bcftools view -s s3,s4 -Ob -o " + (dir / "b2.bcf").string() + " " + vcf.string())
          .exit_code,
      0);
  auto first = IngestFile(dir / "batches", dir / "b1.vcf.gz", sheet);  // sheet covers all four
  ASSERT_OK(first);
  EXPECT_EQ(first->sheet_rows_pending, 2u);
  auto second = IngestFile(dir / "batches", dir / "b2.bcf");  // metadata from the kept rows
  ASSERT_OK(second);
  EXPECT_EQ(second->samples_without_metadata, 0u);
  EXPECT_EQ(second->samples_total, 4u);
  auto whole = store::Store::Open(dir / "whole");
  auto batches = store::Store::Open(dir / "batches");
  ASSERT_OK(whole);
  ASSERT_OK(batches);
  const store::Dataset& w = *(*whole)->dataset("d");
  const store::Dataset& b = *(*batches)->dataset("d");
  EXPECT_EQ(b.allele_count(), w.allele_count());
  store::SampleSet wm = w.SamplesMatching(store::SampleField::kSex, {"NCIT:C20197"});
  store::SampleSet bm = b.SamplesMatching(store::SampleField::kSex, {"NCIT:C20197"});
  EXPECT_EQ(wm.Count(), 2u);
  EXPECT_EQ(bm.Count(), 2u);
  for (const char* v :
       {"1:100:A:G", "1:200:ACT:A", "1:201:C:CT", "1:300:C:T", "1:400:G:C", "X:50:T:C"}) {
    for (const store::SampleSet* f : {static_cast<const store::SampleSet*>(nullptr),
                                      static_cast<const store::SampleSet*>(&wm)}) {
      AlleleCounts a = CountOf(w, v, f);
      AlleleCounts c = CountOf(b, v, f == nullptr ? nullptr : &bm);
      ExpectCounts(c, a.allele_count, a.allele_number, a.ac_het, a.ac_hom, a.ac_hemi, a.individuals,
                   std::string(v) + (f ? " males" : ""));
    }
  }
}

TEST(Ingest, SameSampleTwiceIsRefusedAndChangesNothing) {
  TempDir dir;
  auto vcf = WriteText(dir, "a.vcf", HandcraftedVcf());
  ASSERT_OK(IngestFile(dir / "data", vcf));
  auto before = Snapshot(DatasetDir(dir / "data", "d"));
  auto again = IngestFile(dir / "data", vcf);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("s1"), std::string::npos) << again.status().message();
  EXPECT_EQ(Snapshot(DatasetDir(dir / "data", "d")), before);
}

struct BadInput {
  std::string name;
  std::string body;         // VCF records (after the #CHROM line) or a whole file
  std::string expect_text;  // part of the message
  bool whole_file = false;
  bool gzip_truncate = false;
};

TEST(Ingest, MalformedInputsGiveClearErrorsAndLeaveTheStoreUnchanged) {
  TempDir dir;
  ASSERT_OK(IngestFile(dir / "data", WriteText(dir, "good.vcf", HandcraftedVcf())));
  const auto ds_dir = DatasetDir(dir / "data", "d");
  const auto before = Snapshot(ds_dir);
  const std::string chrom = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tn1\tn2\n";
  std::vector<BadInput> cases = {
      {"allele-index.vcf", "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/3\n", "bad-allele-index.vcf"},
      {"bad-gt.vcf",
       "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n1\t11\t.\tA\tG\t.\t.\t.\tGT\t0/x\t0/1\n", ":7"},
      {"unknown-contig.vcf",
       "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n7\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n", ":7"},
      {"unsorted.vcf",
       "1\t20\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n", "sorted"},
      {"contig-again.vcf",
       "1\t20\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\nX\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/"
       "1\n1\t30\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n",
       "sorted"},
      {"not-a-vcf.vcf", "this is not a VCF\n", "not a VCF", true},
      {"too-few-columns.vcf", "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\n", ":6"},
      {"truncated.vcf.gz", "", "truncated", false, true},
  };
  cases[0].expect_text = "allele-index.vcf:6";
  for (const auto& c : cases) {
    std::filesystem::path path;
    if (c.gzip_truncate) {
      std::string text = std::string(kHeader) + chrom;
      for (int i = 1; i <= 20000; ++i) {
        text += "1\t" + std::to_string(i) + "\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n";
      }
      auto plain = WriteText(dir, "big.vcf", text);
      ASSERT_EQ(
          RunCommand("bcftools view -Oz -o " + (dir / "big.vcf.gz").string() + " " + plain.string())
              .exit_code,
          0);
      auto gz = ReadFile(dir / "big.vcf.gz");
      ASSERT_OK(gz);
      path = WriteText(dir, c.name, gz->substr(0, gz->size() / 2));
    } else {
      path = WriteText(dir, c.name, c.whole_file ? c.body : std::string(kHeader) + chrom + c.body);
    }
    auto r = IngestFile(dir / "data", path);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.expect_text), std::string::npos)
        << c.name << ": " << r.status().message();
    EXPECT_NE(r.status().message().find(c.name), std::string::npos) << r.status().message();
    EXPECT_EQ(Snapshot(ds_dir), before) << c.name << " changed the store";
  }
  // Sample sheets.
  auto vcf2 = WriteText(dir, "new.vcf",
                        std::string(kHeader) + chrom + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n");
  for (const auto& [name, sheet, text] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"dup.tsv", "sample_id\tsex\nn1\tmale\nn1\tfemale\n", "dup.tsv:3"},
           {"nocol.tsv", "id\tsex\nn1\tmale\n", "sample_id"},
           {"short.tsv", "sample_id\tsex\tpopulation\nn1\tmale\n", "short.tsv:2"}}) {
    auto r = IngestFile(dir / "data", vcf2, WriteText(dir, name, sheet));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
    EXPECT_EQ(Snapshot(ds_dir), before) << name << " changed the store";
  }
  // The store still opens and a good batch still goes in afterwards.
  ASSERT_OK(IngestFile(dir / "data", vcf2));
  auto st = store::Store::Open(dir / "data");
  ASSERT_OK(st);
  EXPECT_EQ((*st)->dataset("d")->sample_count(), 6u);
}

TEST(Ingest, FailureAtTheCommitPointChangesNothing) {
  TempDir dir;
  ASSERT_OK(IngestFile(dir / "data", WriteText(dir, "a.vcf", HandcraftedVcf())));
  const auto before = Snapshot(DatasetDir(dir / "data", "d"));
  std::string other = HandcraftedVcf();
  other.replace(other.find("s1\ts2\ts3\ts4"), 11, "t1\tt2\tt3\tt4");
  IngestOptions o;
  o.data_dir = dir / "data";
  o.dataset = "d";
  o.vcf = WriteText(dir, "b.vcf", other);
  o.before_commit = []() -> Result<std::string> { return IOError("disk full (injected)"); };
  auto r = Ingest(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_EQ(Snapshot(DatasetDir(dir / "data", "d")), before);
}

// A killed ingest leaves the previous state readable, and the next ingest succeeds.
TEST(Ingest, KilledIngestLeavesThePreviousStateReadable) {
  TempDir dir;
  ASSERT_OK(IngestFile(dir / "data", WriteText(dir, "a.vcf", HandcraftedVcf())));
  std::string text = std::string(kHeader) + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT";
  for (int s = 0; s < 500; ++s) text += "\tk" + std::to_string(s);
  text += "\n";
  std::string row;
  for (int s = 0; s < 500; ++s) row += s % 7 == 0 ? "\t0/1" : "\t0/0";
  for (int i = 1; i <= 40000; ++i)
    text += "1\t" + std::to_string(i) + "\t.\tA\tG\t.\t.\t.\tGT" + row + "\n";
  auto big = WriteText(dir, "big.vcf", text);
  for (const char* delay : {"0.05", "0.3", "0.8"}) {
    RunCommand("timeout -s KILL " + std::string(delay) + " " + testing::GenomefedBinary().string() +
               " ingest --quiet --data-dir " + (dir / "data").string() + " --dataset d --vcf " +
               big.string());
    auto st = store::Store::Open(dir / "data");
    ASSERT_TRUE(st.ok()) << "after a kill at " << delay << " s: " << st.status().ToString();
    const uint32_t n = (*st)->dataset("d")->sample_count();
    EXPECT_TRUE(n == 4 || n == 504) << n;
    if (n == 504) break;  // the ingest finished before the kill: nothing more to test
  }
  auto st = store::Store::Open(dir / "data");
  ASSERT_OK(st);
  if ((*st)->dataset("d")->sample_count() == 4) {
    ASSERT_OK(IngestFile(dir / "data", big));
  }
  st = store::Store::Open(dir / "data");
  ASSERT_OK(st);
  EXPECT_EQ((*st)->dataset("d")->sample_count(), 504u);
  for (const auto& e : std::filesystem::directory_iterator(DatasetDir(dir / "data", "d"))) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << "left over: " << name;
    EXPECT_EQ(name.find(".sites"), std::string::npos) << "left over: " << name;
  }
}

}  // namespace
}  // namespace genomefed::ingest

namespace genomefed::ingest {
namespace {

// `genomefed ingest` keeps the original file encrypted to the node key: the archive entry
// decrypts (with the node's secret key) to exactly the ingested bytes, and the MANIFEST names it.
TEST(IngestTest, SheetPhenotypesMissingFromTheNodesOntologyAreListedInAWarning) {
  TempDir dir;
  // A tiny HPO release: the root, "Phenotypic abnormality" and "Seizure" (HP:0001250).
  auto obo = WriteText(dir, "hp.obo",
                       "format-version: 1.2\n\n[Term]\nid: HP:0000001\nname: All\n\n"
                       "[Term]\nid: HP:0000118\nname: Phenotypic abnormality\nis_a: HP:0000001\n\n"
                       "[Term]\nid: HP:0001250\nname: Seizure\nis_a: HP:0000118\n");
  std::string sheet = kSheet;
  const std::string known = "s3\tmale\tNLD\tHP:0001250";
  sheet.replace(sheet.find(known), known.size(), "s3\tmale\tNLD\tHP:9999999");
  IngestOptions o;
  o.data_dir = dir / "data";
  o.dataset = "d";
  o.vcf = WriteText(dir, "a.vcf", HandcraftedVcf());
  o.sample_sheet = WriteText(dir, "s.tsv", sheet);
  o.threads = 2;
  o.hpo_ontology = obo;
  auto report = Ingest(o);
  ASSERT_OK(report);
  std::string all;
  for (const auto& w : report->warnings) all += w + "\n";
  EXPECT_NE(all.find("1 phenotype term(s) of the sample sheet are not in"), std::string::npos)
      << all;
  EXPECT_NE(all.find("HP:9999999"), std::string::npos) << all;
  EXPECT_EQ(all.find("HP:0001250"), std::string::npos) << all;  // known: not listed
  // Without an ontology nothing is said about it.
  o.data_dir = dir / "data2";
  o.hpo_ontology.clear();
  auto plain = Ingest(o);
  ASSERT_OK(plain);
  for (const auto& w : plain->warnings) EXPECT_EQ(w.find("phenotype term"), std::string::npos);
}

TEST(IngestCli, ArchivesTheOriginalCrypt4ghEncrypted) {
  TempDir dir;
  auto vcf = WriteText(dir, "a.vcf", HandcraftedVcf());
  const std::string g = testing::GenomefedBinary().string();
  auto r = RunCommand(
      g + " ingest --data-dir " + (dir / "data").string() + " --dataset d --vcf " + vcf.string(),
      true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto manifest = ReadFile(DatasetDir(dir / "data", "d") / "MANIFEST");
  ASSERT_OK(manifest);
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(dir / "data" / "archive")) {
    // archive/files/ holds the htsget/DRS records of archived files (docs/delivery.md).
    if (e.is_directory() && e.path().filename().string()[0] != '.' &&
        e.path().filename() != "files") {
      entries.push_back(e.path());
    }
  }
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(manifest->find(entries[0].filename().string()), std::string::npos);
  auto plain = ReadFile(vcf);
  ASSERT_OK(plain);
  auto enc = ReadFile(entries[0] / "body.c4gh");
  ASSERT_OK(enc);
  EXPECT_EQ(enc->find("#CHROM"), std::string::npos) << "the archive holds plaintext";
  auto dec = RunCommand("cat " + (entries[0] / "header.c4gh").string() + " " +
                        (entries[0] / "body.c4gh").string() + " | " + g +
                        " crypt4gh decrypt --sk " + (dir / "data" / "keys" / "node.sec").string());
  ASSERT_EQ(dec.exit_code, 0);
  EXPECT_EQ(dec.output, *plain);
  // --no-archive keeps nothing.
  std::string other = HandcraftedVcf();
  other.replace(other.find("s1\ts2\ts3\ts4"), 11, "t1\tt2\tt3\tt4");
  r = RunCommand(g + " ingest --quiet --no-archive --data-dir " + (dir / "data").string() +
                     " --dataset d --vcf " + WriteText(dir, "b.vcf", other).string(),
                 true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "data" / "archive")) {
    n += e.path().filename().string()[0] != '.' && e.path().filename() != "files" ? 1 : 0;
  }
  EXPECT_EQ(n, 1u);
}

}  // namespace
}  // namespace genomefed::ingest
