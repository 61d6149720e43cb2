// End to end through the CLI (issue 21, points 2, 3 and 7): a lost MANIFEST never makes an
// ingest start the dataset again, and `genomefed store rebuild-manifest` restores it; a
// damaged or missing segment is corruption (exit 4) that ingest refuses to write over and
// `query` reports, naming the byte range; one damaged dataset does not hide the others; the
// assembly recorded at the first ingest refuses a batch of the other one.
#include <gtest/gtest.h>

#include <map>

#include "core/file.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

using testing::RunCommand;
using testing::TempDir;

std::string Vcf(const std::string& prefix, int samples, int records, const std::string& contig,
                int64_t length) {
  std::string text = "##fileformat=VCFv4.2\n##contig=<ID=" + contig +
                     ",length=" + std::to_string(length) +
                     ">\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT";
  for (int s = 0; s < samples; ++s) text += "\t" + prefix + std::to_string(s);
  text += "\n";
  for (int r = 1; r <= records; ++r) {
    text += contig + "\t" + std::to_string(r * 10) + "\t.\tA\tG\t.\t.\t.\tGT";
    for (int s = 0; s < samples; ++s) text += (s + r) % 5 == 0 ? "\t0/1" : "\t0/0";
    text += "\n";
  }
  return text;
}

std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename() == "LOCK") continue;
    files[e.path().filename().string()] = ReadFile(e.path()).value();
  }
  return files;
}

struct Cli {
  TempDir dir;
  std::string g = testing::GenomefedBinary().string();
  std::string data() const { return (dir / "data").string(); }
  std::filesystem::path ds(const std::string& id = "d") const {
    return DatasetDir(dir / "data", id);
  }
  testing::CommandResult Run(const std::string& args) const {
    return RunCommand(g + " " + args + " 2>&1", false);
  }
  testing::CommandResult Ingest(const std::string& name, const std::string& text,
                                const std::string& dataset = "d") const {
    const auto path = dir / name;
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return Run("ingest --quiet --no-archive --data-dir " + data() + " --dataset " + dataset +
               " --vcf " + path.string());
  }
  std::string Query(const std::string& dataset = "d") const {
    return Run("query --data-dir " + data() + " --dataset " + dataset + " --region 1:1-100000")
        .output;
  }
};

TEST(StoreRecoveryCli, LostManifestIsRefusedAndRebuiltFromTheSegments) {
  Cli c;
  ASSERT_EQ(c.Ingest("a.vcf", Vcf("a", 120, 30, "1", 100000)).exit_code, 0);
  ASSERT_EQ(c.Ingest("b.vcf", Vcf("b", 4, 30, "1", 100000)).exit_code, 0);
  const std::string answer = c.Query();
  ASSERT_NE(answer.find("1-10-A-G\t"), std::string::npos) << answer;
  std::filesystem::remove(c.ds() / "MANIFEST");
  const auto before = Snapshot(c.ds());

  auto q = c.Run("query --data-dir " + c.data() + " --dataset d --region 1:1-100000");
  EXPECT_EQ(q.exit_code, 4) << q.output;
  EXPECT_NE(q.output.find("MANIFEST is missing but"), std::string::npos) << q.output;
  EXPECT_NE(
      q.output.find("genomefed store rebuild-manifest --data-dir " + c.data() + " --dataset d"),
      std::string::npos)
      << q.output;
  auto ing = c.Ingest("c.vcf", Vcf("c", 2, 5, "1", 100000));
  EXPECT_EQ(ing.exit_code, 4) << ing.output;
  EXPECT_NE(ing.output.find("1 sample table(s) and 2 segment(s)"), std::string::npos) << ing.output;
  EXPECT_EQ(Snapshot(c.ds()), before) << "ingest wrote into a dataset without MANIFEST";
  auto verify = c.Run("store verify --data-dir " + c.data());
  EXPECT_EQ(verify.exit_code, 4) << verify.output;
  EXPECT_NE(verify.output.find("DAMAGED  d: "), std::string::npos) << verify.output;

  auto rebuilt = c.Run("store rebuild-manifest --data-dir " + c.data() + " --dataset d");
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("generation 2, samples-000002.json, 2 segment(s)"),
            std::string::npos)
      << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("opens: 124 samples"), std::string::npos) << rebuilt.output;
  EXPECT_EQ(c.Query(), answer);
  // A second rebuild is refused while the MANIFEST is readable.
  auto again = c.Run("store rebuild-manifest --data-dir " + c.data() + " --dataset d");
  EXPECT_NE(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("exists and is readable"), std::string::npos) << again.output;
  ASSERT_EQ(c.Ingest("c.vcf", Vcf("c", 2, 5, "1", 100000)).exit_code, 0);
  auto st = store::Store::Open(c.dir / "data");
  ASSERT_OK(st);
  EXPECT_EQ((*st)->dataset("d")->sample_count(), 126u);
  EXPECT_EQ((*st)->dataset("d")->generation(), 3u);

  // A segment lost too: the rebuild refuses (the samples it held would lose their calls).
  std::filesystem::remove(c.ds() / "MANIFEST");
  std::filesystem::remove(c.ds() / "seg-000001.gfs");
  const auto lost = Snapshot(c.ds());
  rebuilt = c.Run("store rebuild-manifest --data-dir " + c.data() + " --dataset d");
  EXPECT_EQ(rebuilt.exit_code, 4) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("sample 'a0' (id 0) of samples-000003.json is in no segment"),
            std::string::npos)
      << rebuilt.output;
  EXPECT_EQ(Snapshot(c.ds()), lost);
}

TEST(StoreRecoveryCli, CorruptOrMissingSegmentIsExit4AndNeverWrittenOver) {
  Cli c;
  ASSERT_EQ(c.Ingest("a.vcf", Vcf("a", 3000, 400, "1", 100000)).exit_code, 0);
  ASSERT_EQ(c.Ingest("o.vcf", Vcf("o", 10, 20, "1", 100000), "other").exit_code, 0);
  const std::string other_answer = c.Query("other");
  const auto seg = c.ds() / "seg-000001.gfs";
  const std::string good = ReadFile(seg).value();
  ASSERT_GT(good.size(), 1000u);
  for (const std::string what : {"flipped", "truncated", "missing"}) {
    std::string bytes = good;
    const size_t at = bytes.size() / 2;
    if (what == "flipped") {
      bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
      ASSERT_TRUE(WriteFileAtomic(seg, bytes).ok());
    } else if (what == "truncated") {
      ASSERT_TRUE(WriteFileAtomic(seg, bytes.substr(0, at)).ok());
    } else {
      std::filesystem::remove(seg);
    }
    const auto before = Snapshot(c.ds());
    auto ing = c.Ingest("b.vcf", Vcf("b", 2, 5, "1", 100000));
    EXPECT_EQ(ing.exit_code, 4) << what << ": " << ing.output;
    EXPECT_EQ(Snapshot(c.ds()), before) << what << ": ingest wrote over a damaged dataset";
    auto q = c.Run("query --data-dir " + c.data() + " --dataset d --region 1:1-100000");
    EXPECT_EQ(q.exit_code, 4) << what << ": " << q.output;
    for (const auto& out : {ing.output, q.output}) {
      if (what == "flipped") {
        EXPECT_NE(out.find("seg-000001.gfs: bytes [0, " + std::to_string(good.size()) +
                           ") (window 1 of 1, at 0 MiB) fail their CRC-32"),
                  std::string::npos)
            << out;
      } else if (what == "truncated") {
        EXPECT_NE(out.find("seg-000001.gfs: " + std::to_string(at) + " bytes, the MANIFEST says " +
                           std::to_string(good.size())),
                  std::string::npos)
            << out;
      } else {
        EXPECT_NE(out.find("seg-000001.gfs: segment named by the MANIFEST is missing (400 "
                           "alleles of 3000 samples from a.vcf)"),
                  std::string::npos)
            << out;
      }
    }
    // The other dataset still answers, and `query` over all datasets warns about this one.
    EXPECT_EQ(c.Query("other"), other_answer) << what;
    auto all = c.Run("query --data-dir " + c.data() + " --region 1:1-100000");
    EXPECT_EQ(all.exit_code, 0) << all.output;
    EXPECT_NE(all.output.find("warning: dataset 'd' skipped: "), std::string::npos) << all.output;
  }
  ASSERT_TRUE(WriteFileAtomic(seg, good).ok());
  EXPECT_EQ(c.Ingest("b.vcf", Vcf("b", 2, 5, "1", 100000)).exit_code, 0);
  EXPECT_EQ(c.Run("store verify --data-dir " + c.data()).exit_code, 0);
}

TEST(StoreRecoveryCli, AssemblyRecordedAtFirstIngestRefusesTheOther) {
  Cli c;
  auto first = c.Ingest("b37.vcf", Vcf("a", 3, 5, "chr1", 249250621));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto before = Snapshot(c.ds());
  EXPECT_NE(ReadFile(c.ds() / "MANIFEST").value().find("\"assembly\": \"GRCh37\""),
            std::string::npos);
  auto second = c.Ingest("b38.vcf", Vcf("b", 3, 5, "1", 248956422));
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find("b38.vcf: the batch is GRCh38"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("dataset 'd' is GRCh37"), std::string::npos) << second.output;
  EXPECT_EQ(Snapshot(c.ds()), before);
  auto forced = c.Run("ingest --quiet --no-archive --data-dir " + c.data() +
                      " --dataset d --assembly GRCh38 --vcf " + (c.dir / "b38.vcf").string());
  EXPECT_EQ(forced.exit_code, 2) << forced.output;
  EXPECT_EQ(Snapshot(c.ds()), before);
  auto verify = c.Run("store verify --data-dir " + c.data());
  EXPECT_NE(verify.output.find("assembly GRCh37"), std::string::npos) << verify.output;
}

}  // namespace
}  // namespace genomefed::ingest
