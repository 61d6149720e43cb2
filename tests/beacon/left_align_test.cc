// Issue 18 point 2: with a reference FASTA, indels are left-aligned at ingest
// (--reference-fasta, as `bcftools norm -f`) and in Beacon queries ([[datasets]]
// reference_fasta), so one indel written at two places of a repeat is one allele. A FASTA with
// a trinucleotide repeat and a homopolymer is written here, with its .fai.
#include <gtest/gtest.h>

#include <fstream>

#include "beacon/beacon.h"
#include "beacon_fixture.h"
#include "ingest/ingest.h"
#include "ingest/normalize.h"
#include "ingest/reference.h"
#include "support/test_support.h"

namespace genomefed::beacon {
namespace {

using nlohmann::json;
using testing::TempDir;

// 1-based: 1-6 GGATCC, 7-15 (CAG)x3, 16-21 TTGACC, 22-26 AAAAA, 27-40 GCGCGTTACGATCG.
constexpr std::string_view kReference = "GGATCCCAGCAGCAGTTGACCAAAAAGCGCGTTACGATCG";

std::filesystem::path WriteFasta(const std::filesystem::path& dir) {
  const auto fa = dir / "ref.fa";
  std::ofstream(fa) << ">chr22\n" << kReference << "\n";
  // name, length, offset of the first base, bases per line, bytes per line.
  std::ofstream(dir / "ref.fa.fai") << "chr22\t" << kReference.size() << "\t7\t"
                                    << kReference.size() << "\t" << kReference.size() + 1 << "\n";
  return fa;
}

std::string Vcf(std::string_view samples, std::string_view rows) {
  return "##fileformat=VCFv4.2\n##contig=<ID=chr22,length=40>\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" +
         std::string(samples) + "\n" + std::string(rows);
}

TEST(LeftAlignTest, MovesIndelsToTheLeftOfTheirRepeat) {
  TempDir dir;
  auto fasta = ingest::ReferenceFasta::Open(WriteFasta(dir.path()));
  ASSERT_OK(fasta);
  struct Case {
    int64_t pos;
    std::string ref, alt;
    int64_t want_pos;
    std::string want_ref, want_alt;
    bool ok;
  };
  const Case cases[] = {
      {12, "GCAG", "G", 6, "CCAG", "C", true},    // CAG deleted at the repeat's right end
      {9, "GCAG", "G", 6, "CCAG", "C", true},     // in its middle
      {6, "CCAG", "C", 6, "CCAG", "C", true},     // already left
      {15, "G", "GCAG", 6, "C", "CCAG", true},    // CAG inserted after the repeat
      {26, "A", "AA", 21, "C", "CA", true},       // homopolymer insertion
      {25, "AA", "A", 21, "CA", "C", true},       // homopolymer deletion
      {3, "A", "T", 3, "A", "T", false},          // substitution: unchanged
      {12, "TCAG", "T", 12, "TCAG", "T", false},  // REF is not the reference: unchanged
  };
  for (const Case& c : cases) {
    int64_t pos = c.pos;
    std::string ref = c.ref, alt = c.alt;
    EXPECT_EQ(ingest::LeftAlign(**fasta, "22", pos, ref, alt), c.ok) << c.pos << c.ref;
    EXPECT_EQ(pos, c.want_pos) << c.pos << c.ref << ">" << c.alt;
    EXPECT_EQ(ref, c.want_ref) << c.pos << c.ref << ">" << c.alt;
    EXPECT_EQ(alt, c.want_alt) << c.pos << c.ref << ">" << c.alt;
  }
  EXPECT_FALSE(ingest::ReferenceFasta::Open(dir / "missing.fa").ok());
}

TEST(LeftAlignTest, IngestAndQueriesAgreeWithBcftoolsNorm) {
  TempDir dir;
  const auto fa = WriteFasta(dir.path());
  // Batch A writes the CAG deletion at the repeat's right end, batch B in its middle.
  std::ofstream(dir / "a.vcf") << Vcf("A1\tA2",
                                      "chr22\t12\t.\tGCAG\tG\t.\tPASS\t.\tGT\t0/1\t0/0\n"
                                      "chr22\t26\t.\tA\tAA\t.\tPASS\t.\tGT\t1/1\t0/1\n");
  std::ofstream(dir / "b.vcf") << Vcf("B1", "chr22\t9\t.\tGCAG\tG\t.\tPASS\t.\tGT\t0/1\n");
  for (std::string batch : {"a", "b"}) {
    ingest::IngestOptions o;
    o.data_dir = dir / "data";
    o.dataset = "lr";
    o.vcf = dir / (batch + ".vcf");
    o.threads = 1;
    o.reference_fasta = fa;
    ASSERT_OK(ingest::Ingest(o));
  }
  // bcftools norm -f places them where the store has them.
  if (testing::RunCommand("bcftools --version").exit_code == 0) {
    auto norm =
        testing::RunCommand("cat " + (dir / "a.vcf").string() + " | bcftools norm -f " +
                            fa.string() + " 2>/dev/null | bcftools query -f '%POS:%REF:%ALT\\n'");
    ASSERT_EQ(norm.exit_code, 0);
    EXPECT_EQ(norm.output, "6:CCAG:C\n21:C:CA\n");
  }
  auto store = store::Store::Open(dir / "data");
  ASSERT_OK(store);
  const store::Dataset* d = (*store)->dataset("lr");
  ASSERT_NE(d, nullptr);
  auto del = d->Find({"22", 6, "CCAG", "C"});
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(d->Count(*del).allele_count, 2u) << "both batches' carriers on one allele";
  EXPECT_FALSE(d->Find({"22", 12, "GCAG", "G"}).has_value());
  EXPECT_EQ(d->allele_count(), 2u);

  for (bool with_reference : {true, false}) {
    NodeConfig cfg;
    cfg.id = "lr";
    cfg.datasets.push_back(DatasetConfig{
        "lr", "", "", "", {}, "GRCh38", with_reference ? fa : std::filesystem::path()});
    Beacon b(cfg, store->get(), nullptr, nullptr);
    ASSERT_OK(b.OpenReferences());
    auto count = [&](int64_t start0, std::string ref, std::string alt) {
      Call c;
      c.endpoint = Endpoint::kGVariants;
      c.query = {{"referenceName", "chr22"},
                 {"start", std::to_string(start0)},
                 {"referenceBases", std::move(ref)},
                 {"alternateBases", std::move(alt)},
                 {"requestedGranularity", "count"}};
      json j = json::parse(b.Handle(c, [](std::string_view) {
                              return DatasetAccess{Granularity::kRecord, 1, true};
                            }).body);
      return j["responseSummary"]["numTotalResults"].get<int>();
    };
    const int moved = with_reference ? 1 : 0;  // found away from the left end only when aligned
    EXPECT_EQ(count(5, "CCAG", "C"), 1);
    EXPECT_EQ(count(11, "GCAG", "G"), moved);
    EXPECT_EQ(count(8, "GCAG", "G"), moved);
    EXPECT_EQ(count(25, "A", "AA"), moved);
    EXPECT_EQ(count(20, "C", "CA"), 1);
    Call id;
    id.endpoint = Endpoint::kGVariant;
    id.id = "chr22-12-GCAG-G";
    EXPECT_EQ(b.Handle(id, [](std::string_view) { return DatasetAccess{}; }).status,
              with_reference ? 200 : 404);
  }
  // A configured FASTA that cannot be read stops the node with a message naming it.
  NodeConfig bad;
  bad.datasets.push_back(DatasetConfig{"lr", "", "", "", {}, "", dir / "missing.fa"});
  Beacon b(bad, store->get(), nullptr, nullptr);
  Status s = b.OpenReferences();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("missing.fa"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace genomefed::beacon
