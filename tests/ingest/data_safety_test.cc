// Ingest never loses, mixes or silently drops data (issue 21): every way an input or a store
// breaks is refused with a message naming file and line (or offset), the right exit code, and
// the store byte-identical afterwards; what is accepted counts as bcftools does. Files are
// hand-made here; the MANIFEST, assembly and corrupt-store cases run the CLI end to end.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/file.h"
#include "ingest/ingest.h"
#include "ingest/normalize.h"
#include "ingest/sample_sheet.h"
#include "store/dataset_check.h"
#include "store/manifest.h"
#include "store/store.h"
#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

using testing::RunCommand;
using testing::TempDir;

constexpr const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=100000>\n"
    "##contig=<ID=X,length=100000>\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n";
constexpr const char* kChrom = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tn1\tn2\n";
// Records start at line 7 of kHeader + kChrom.
constexpr int kFirstLine = 7;

std::filesystem::path Write(const TempDir& dir, const std::string& name, const std::string& text) {
  auto path = dir / name;
  EXPECT_TRUE(WriteFileAtomic(path, text).ok());
  return path;
}

std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename() == "LOCK") continue;
    files[e.path().filename().string()] = ReadFile(e.path()).value();
  }
  return files;
}

Result<IngestReport> IngestFile(const std::filesystem::path& data, const std::filesystem::path& vcf,
                                const std::filesystem::path& sheet = {}, std::string dataset = "d",
                                std::string assembly = "") {
  IngestOptions o;
  o.data_dir = data;
  o.dataset = std::move(dataset);
  o.vcf = vcf;
  o.sample_sheet = sheet;
  o.assembly = std::move(assembly);
  o.threads = 2;
  return Ingest(o);
}

// A dataset holding one good batch (samples g1, g2), to refuse later batches against.
std::filesystem::path GoodDataset(const TempDir& dir) {
  const std::string text = std::string(kHeader) +
                           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tg1\tg2\n"
                           "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t1/1\n";
  EXPECT_TRUE(IngestFile(dir / "data", Write(dir, "good.vcf", text)).ok());
  return DatasetDir(dir / "data", "d");
}

struct Refusal {
  std::string name;     // file name (also expected in the message)
  std::string records;  // after kHeader + kChrom, or the whole file when whole
  std::string pattern;  // regex the message must match
  bool whole = false;
};

void ExpectRefusals(const std::vector<Refusal>& cases) {
  TempDir dir;
  const auto ds = GoodDataset(dir);
  const auto before = Snapshot(ds);
  for (const auto& c : cases) {
    auto path = Write(dir, c.name, c.whole ? c.records : kHeader + std::string(kChrom) + c.records);
    auto r = IngestFile(dir / "data", path);
    ASSERT_FALSE(r.ok()) << c.name << " was accepted";
    EXPECT_EQ(ExitCodeFor(r.status().code()), 2) << c.name << ": " << r.status().ToString();
    EXPECT_TRUE(std::regex_search(r.status().message(), std::regex(c.pattern)))
        << c.name << ": '" << r.status().message() << "' does not match /" << c.pattern << "/";
    EXPECT_NE(r.status().message().find(c.name), std::string::npos) << r.status().message();
    EXPECT_EQ(Snapshot(ds), before) << c.name << " changed the store";
  }
}

// 1. Lines cut short and embedded NULs: both the GT-only fast path and htslib's vcf_parse
// (GT:DP) refuse them naming the line (htslib alone stores such a site with AN = 0).
TEST(DataSafety, TruncatedLinesAndNulBytesAreRefusedWithFileAndLine) {
  const std::string ok = "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n";
  const std::string ok_dp = "1\t10\t.\tA\tG\t.\t.\t.\tGT:DP\t0/1:3\t0/1:4\n";
  ExpectRefusals({
      {"cut-before-format.vcf", ok + "1\t20\t.\tA\tG\t.\t.\t.\n", ":8: 8 columns.*11"},
      {"cut-after-ref.vcf", ok + "1\t20\t.\tA\n", ":8: 4 columns"},
      {"cut-after-alt-dp.vcf", ok_dp + "1\t20\t.\tA\tG\n", ":8: 5 columns"},
      {"cut-in-samples.vcf", ok + "1\t20\t.\tA\tG\t.\t.\t.\tGT\t0/1\n", ":8: fewer sample"},
      {"cut-in-samples-dp.vcf", ok_dp + "1\t20\t.\tA\tG\t.\t.\t.\tGT:DP\t0/1:3\n", ":8: "},
      {"nul-after-alt.vcf", ok + std::string("1\t20\t.\tA\tG\0\t.\t.\t.\tGT\t0/1\t0/1\n", 30),
       ":8: embedded NUL byte at column 11"},
      {"nul-after-alt-dp.vcf",
       ok_dp + std::string("1\t20\t.\tA\tG\0\t.\t.\t.\tGT:DP\t0/1:3\t0/1:4\n", 36),
       ":8: embedded NUL byte at column 11"},
      {"nul-in-call.vcf", ok + std::string("1\t20\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/\0\n", 28),
       ":8: embedded NUL byte in sample column 2"},
  });
}

// 4. Sample-sheet term ids: published patterns, wrong separators named by line and column.
TEST(DataSafety, SampleSheetTermsFollowTheirPublishedPatterns) {
  const std::string head = "sample_id\tsex\tphenotypes\tdiseases\n";
  struct Case {
    std::string row;
    std::string pattern;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"s1\tmale\tHP:0001250;HP:0000118\tICD10:G40.9;ORPHA:586", ""},
      {"s1\tmale\tHP:0001250\tMONDO:0005015;ICD10:F3289;OMIM:219700", ""},
      {"s1\tmale\tHP:0001250,HP:0000118\t", "sheet.tsv:2: column 19 \\(phenotypes\\).*uses ','"},
      {"s1\tmale\tHP:0001250 HP:0000118\t", "sheet.tsv:2: column 19 .*uses ' '"},
      {"s1\tmale\tHP:12\t", "sheet.tsv:2: column 9 \\(phenotypes\\): 'HP:12' is not a HP id"},
      {"s1\tmale\t\tMONDO:123", "column 10 \\(diseases\\): 'MONDO:123' is not a MONDO id"},
      {"s1\tmale\t\tNCIT:16576", "'NCIT:16576' is not an NCIT id"},
      {"s1\tmale\t\tORPHA:abc", "'ORPHA:abc' is not an Orphanet id"},
      {"s1\tmale\t\tICD10:E1", "'ICD10:E1' is not an ICD-10 code"},
      {"s1\tmale\t\tICD10:E11.", "'ICD10:E11.' is not an ICD-10 code"},
      {"s1\tmale\tHP:0001250\tICD10:G40|ICD10:G41", "column 29 .*uses '\\|'"},
  };
  for (const auto& c : cases) {
    auto rows = ParseSampleSheetTsv(head + c.row + "\n", "sheet.tsv");
    if (c.pattern.empty()) {
      EXPECT_TRUE(rows.ok()) << c.row << ": " << rows.status().ToString();
      continue;
    }
    ASSERT_FALSE(rows.ok()) << c.row << " was accepted";
    EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(std::regex_search(rows.status().message(), std::regex(c.pattern)))
        << "'" << rows.status().message() << "' does not match /" << c.pattern << "/";
  }
  // Consent in the JSON form too.
  auto json = ParseIndividualsJson(R"([{"id":"a","diseases":[{"diseaseCode":{"id":"ICD10:X"}}]}])",
                                   "ind.json");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("ind.json: individual #1 (a): diseases 'ICD10:X'"),
            std::string::npos)
      << json.status().message();
}

// 5. The same allele twice in one file is refused (never "keep the first"), naming both lines.
TEST(DataSafety, DuplicateAllelesAreRefusedNotDropped) {
  ExpectRefusals({
      {"identical.vcf",
       "1\t300\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\n1\t300\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/1\n",
       ":8: allele 1:300:A:G \\(after trimming\\) is also at line 7.*bcftools norm -m\\+any"},
      {"trim-to-same.vcf",
       "1\t300\t.\tCA\tCG\t.\t.\t.\tGT\t0/1\t0/0\n1\t301\t.\tA\tG\t.\t.\t.\tGT\t0/0\t1/1\n",
       ":8: allele 1:301:A:G \\(after trimming\\) is also at line 7"},
      {"alt-twice.vcf", "1\t300\t.\tA\tG,G\t.\t.\t.\tGT\t1/2\t0/0\n",
       ":7: ALT lists allele 1:300:A:G twice"},
  });
}

// bcftools' AC/AN/AC_Het/AC_Hom/AC_Hemi of every trimmed sequence allele of `vcf`.
std::map<store::AlleleKey, std::vector<uint64_t>> Bcftools(const std::filesystem::path& vcf) {
  const std::string cmd =
      "bcftools norm --no-version -m-any " + vcf.string() +
      " 2>/dev/null | bcftools +fill-tags -- -t AC,AN,AC_Het,AC_Hom,AC_Hemi "
      "2>/dev/null | bcftools query -f "
      "'%CHROM\\t%POS\\t%REF\\t%ALT\\t%AC\\t%AN\\t%AC_Het\\t%AC_Hom\\t%AC_Hemi\\n'";
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd;
  std::map<store::AlleleKey, std::vector<uint64_t>> out;
  std::istringstream in(r.output);
  std::string chrom, ref, alt;
  int64_t pos;
  std::vector<uint64_t> v(5);
  while (in >> chrom >> pos >> ref >> alt >> v[0] >> v[1] >> v[2] >> v[3] >> v[4]) {
    if (ClassifyAllele(alt) != AlleleKind::kSequence) continue;
    TrimAlleles(pos, ref, alt);
    out[{store::CanonicalContig(chrom), pos, ref, alt}] = v;
  }
  return out;
}

// 6. One sample's call above diploid: the record is kept, that call counts as missing (so the
// store equals bcftools on the file with that call written ./.), and the report says how many.
// Same on the GT-only text path, htslib's vcf_parse (GT:DP) and BCF. IUPAC codes are skipped
// under a reason that names them.
TEST(DataSafety, HighPloidyCallIsMissingAndTheRecordKept) {
  TempDir dir;
  const std::string chrom = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\n";
  const std::string body =
      "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1/1\t0/1\t1/1\n"
      "1\t200\t.\tC\tT,G\t.\t.\t.\tGT\t1/2\t2/2/2/1\t0/0\n"
      "1\t300\t.\tG\tR\t.\t.\t.\tGT\t0/1\t0/1\t0/0\n"
      "X\t50\t.\tT\tC\t.\t.\t.\tGT\t1\t0/1/0\t1/1\n";
  std::string expected_body = body;
  for (const char* high : {"0/1/1", "2/2/2/1", "0/1/0"}) {
    expected_body.replace(expected_body.find(high), std::strlen(high), "./.");
  }
  std::string dp_body;
  {
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
      std::string out;
      int col = 0;
      std::istringstream cols(line);
      for (std::string c; std::getline(cols, c, '\t'); ++col) {
        out += (col ? "\t" : "") + c + (col == 8 ? ":DP" : col > 8 ? ":7" : "");
      }
      dp_body += out + "\n";
    }
  }
  auto gt = Write(dir, "gt.vcf", kHeader + chrom + body);
  auto dp = Write(dir, "dp.vcf", kHeader + chrom + dp_body);
  auto expected = Write(dir, "expected.vcf", kHeader + chrom + expected_body);
  ASSERT_EQ(RunCommand("bcftools view --no-version -Ob -o " + (dir / "gt.bcf").string() + " " +
                       gt.string())
                .exit_code,
            0);
  const auto want = Bcftools(expected);
  ASSERT_EQ(want.size(), 4u);  // A>G, C>T, C>G, T>C (G>R skipped)
  for (const std::string name : {"gt.vcf", "dp.vcf", "gt.bcf"}) {
    auto data = dir / ("data-" + name);
    auto report = IngestFile(data, dir / name);
    ASSERT_TRUE(report.ok()) << name << ": " << report.status().ToString();
    EXPECT_EQ(report->records, 4u) << name;
    EXPECT_EQ(report->high_ploidy_calls, 3u) << name;
    EXPECT_EQ(report->high_ploidy_records, 3u) << name;
    EXPECT_EQ(report->skipped.size(), 1u) << name;
    EXPECT_NE(report->skipped.begin()->first.find("IUPAC"), std::string::npos)
        << report->skipped.begin()->first;
    bool warned = false;
    for (const auto& w : report->warnings) {
      warned |= w.find("3 call(s) with more than two alleles in 3 record(s) (first at " +
                       (dir / name).string()) != std::string::npos;
    }
    EXPECT_TRUE(warned) << name;
    auto st = store::Store::Open(data);
    ASSERT_OK(st);
    const store::Dataset* ds = (*st)->dataset("d");
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(ds->allele_count(), want.size()) << name;
    for (const auto& [key, v] : want) {
      auto ref = ds->Find(key);
      ASSERT_TRUE(ref.has_value()) << name << " " << store::FormatAlleleKey(key);
      const store::AlleleCounts c = ds->Count(*ref);
      EXPECT_EQ(
          (std::vector<uint64_t>{c.allele_count, c.allele_number, c.ac_het, c.ac_hom, c.ac_hemi}),
          v)
          << name << " " << store::FormatAlleleKey(key);
    }
  }
}

// 8. Messages name the file, the line or byte offset, and what to do.
TEST(DataSafety, MessagesNameFileLineOrOffsetAndWhatToDo) {
  const std::string ok = "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n";
  ExpectRefusals({
      {"pos-zero.vcf", ok + "1\t0\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n", ":8: POS '0' is not a"},
      {"pos-negative.vcf", "1\t-5\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n", ":7: POS '-5' is not a"},
      {"pos-huge.vcf", "1\t4294967296\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n",
       ":7: POS '4294967296' is not a position from 1 to 4294967295"},
      {"pos-2x0.vcf", ok + "1\t2x0\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n", ":8: POS '2x0'"},
      {"both-1-and-chr1.vcf",
       "##fileformat=VCFv4.2\n##contig=<ID=1>\n##contig=<ID=chr1>\n" + std::string(kChrom) + ok,
       "declares both contig '1' and 'chr1'.*rename-chrs", true},
      {"bom.vcf", "\xEF\xBB\xBF" + std::string(kHeader) + kChrom + ok,
       "byte 0: the file starts with a UTF-8 byte-order mark", true},
  });
  // A damaged block inside a .vcf.gz: the BGZF offset, not "malformed record".
  TempDir dir;
  const auto ds = GoodDataset(dir);
  const auto before = Snapshot(ds);
  std::string text = kHeader + std::string(kChrom);
  for (int i = 1; i <= 30000; ++i) {
    text += "1\t" + std::to_string(i) + "\t.\tA\tG\t.\t.\t.\tGT\t0/1\t" + (i % 3 ? "1/1" : "0/0") +
            "\n";
  }
  auto plain = Write(dir, "big.vcf", text);
  ASSERT_EQ(
      RunCommand("bgzip -c " + plain.string() + " > " + (dir / "big.vcf.gz").string()).exit_code,
      0);
  std::string gz = ReadFile(dir / "big.vcf.gz").value();
  // The second BGZF block's start: the first block's size is BSIZE + 1 (bytes 16-17).
  const size_t second = (static_cast<uint8_t>(gz[16]) | static_cast<uint8_t>(gz[17]) << 8) + 1;
  ASSERT_LT(second + 200, gz.size());
  for (size_t i = second + 40; i < second + 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  auto damaged = Write(dir, "damaged.vcf.gz", gz);
  auto r = IngestFile(dir / "data", damaged);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("damaged.vcf.gz:"), std::string::npos);
  EXPECT_NE(r.status().message().find("BGZF block at byte offset " + std::to_string(second)),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(Snapshot(ds), before);
}

// 3. Assembly from ##contig lengths, ##reference and --assembly; conflicts refused.
TEST(DataSafety, AssemblyIsRecordedAndADisagreeingBatchRefused) {
  auto header = [](const std::string& contig_lines, const std::string& samples) {
    return "##fileformat=VCFv4.2\n" + contig_lines +
           "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" +
           samples + "\n";
  };
  TempDir dir;
  const std::string grch37 = header("##contig=<ID=chr1,length=249250621>\n", "a1\ta2") +
                             "chr1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n";
  const std::string grch38 = header("##contig=<ID=1,length=248956422>\n", "b1\tb2") +
                             "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1\n";
  auto first = IngestFile(dir / "data", Write(dir, "b37.vcf", grch37));
  ASSERT_OK(first);
  EXPECT_EQ(first->assembly, "GRCh37");
  const auto ds = DatasetDir(dir / "data", "d");
  const auto before = Snapshot(ds);
  auto r = IngestFile(dir / "data", Write(dir, "b38.vcf", grch38));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ExitCodeFor(r.status().code()), 2);
  EXPECT_TRUE(std::regex_search(
      r.status().message(),
      std::regex("b38.vcf: the batch is GRCh38 \\(##contig 1 has length 248956422, GRCh38's\\) "
                 "but dataset 'd' is GRCh37")))
      << r.status().message();
  EXPECT_EQ(Snapshot(ds), before);
  // --assembly against the header; a header contradicting itself.
  const std::string b38_other =
      header("##contig=<ID=1,length=248956422>\n", "c1") + "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n";
  r = IngestFile(dir / "data", Write(dir, "c.vcf", b38_other), {}, "d", "hg19");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--assembly GRCh37 but the header is GRCh38"),
            std::string::npos)
      << r.status().message();
  const std::string mixed = "##reference=file:///refs/hs37d5.fa\n" +
                            header("##contig=<ID=1,length=248956422>\n", "c1").substr(21) +
                            "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n";
  r = IngestFile(dir / "data", Write(dir, "mixed.vcf", "##fileformat=VCFv4.2\n" + mixed));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the header names two assemblies"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(Snapshot(ds), before);
  // A batch without evidence joins (the dataset's assembly stays); a new dataset from
  // --assembly records it.
  const std::string plain =
      header("##contig=<ID=1>\n", "e1") + "1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n";
  auto joined = IngestFile(dir / "data", Write(dir, "plain.vcf", plain));
  ASSERT_OK(joined);
  EXPECT_EQ(joined->assembly, "GRCh37");
  auto other = IngestFile(dir / "data", dir / "plain.vcf", {}, "o", "GRCh38");
  ASSERT_OK(other);
  auto st = store::Store::Open(dir / "data");
  ASSERT_OK(st);
  EXPECT_EQ((*st)->dataset("d")->assembly(), "GRCh37");
  EXPECT_EQ((*st)->dataset("o")->assembly(), "GRCh38");
}

}  // namespace
}  // namespace genomefed::ingest
