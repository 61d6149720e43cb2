#include <gtest/gtest.h>

#include "core/file.h"
#include "store/manifest.h"
#include "store/store.h"
#include "support/test_support.h"

namespace genomefed::store {
namespace {

TEST(Contig, CanonicalNames) {
  EXPECT_EQ(CanonicalContig("chr22"), "22");
  EXPECT_EQ(CanonicalContig("22"), "22");
  EXPECT_EQ(CanonicalContig("chrM"), "MT");
  EXPECT_EQ(CanonicalContig("MT"), "MT");
  EXPECT_EQ(CanonicalContig("NC_000022.11"), "22");
  EXPECT_EQ(CanonicalContig("NC_000022.10"), "22");
  EXPECT_EQ(CanonicalContig("NC_000023.11"), "X");
  EXPECT_EQ(CanonicalContig("NC_012920.1"), "MT");
  EXPECT_EQ(CanonicalContig("chrX"), "X");
  EXPECT_EQ(CanonicalContig("GL000192.1"), "GL000192.1");
}

TEST(AlleleKey, ParsesBothForms) {
  auto a = ParseAlleleKey("chr22:1234:a:G");
  ASSERT_OK(a);
  EXPECT_EQ(a->contig, "22");
  EXPECT_EQ(a->pos, 1234);
  EXPECT_EQ(a->ref, "A");
  auto b = ParseAlleleKey("22-1234-A-G");
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FormatAlleleKey(*a), "22-1234-A-G");
  EXPECT_FALSE(ParseAlleleKey("22:0:A:G").ok());
  EXPECT_FALSE(ParseAlleleKey("22:12:A").ok());
  EXPECT_FALSE(ParseAlleleKey("22:x:A:G").ok());
  EXPECT_FALSE(ParseAlleleKey("22:5:A:<DEL>").ok());
}

TEST(Manifest, RoundTripAndCorruption) {
  testing::TempDir dir;
  EXPECT_EQ(ReadManifest(dir.path()).status().code(), StatusCode::kNotFound);
  Manifest m;
  m.dataset = "d";
  m.generation = 3;
  m.samples_file = "samples-000003.json";
  m.assembly = "GRCh38";
  m.segments.push_back(
      {"seg-000001.gfs", 7, 100, 5, 2, "a.vcf", "2026-01-01T00:00:00Z", "", {11, 12}});
  ASSERT_OK(WriteManifest(dir.path(), m));
  auto back = ReadManifest(dir.path());
  ASSERT_OK(back);
  EXPECT_EQ(back->generation, 3u);
  EXPECT_EQ(back->assembly, "GRCh38");
  ASSERT_EQ(back->segments.size(), 1u);
  EXPECT_EQ(back->segments[0].crc32, 7u);
  EXPECT_EQ(back->segments[0].window_crc32, (std::vector<uint32_t>{11, 12}));
  ASSERT_OK(WriteFileAtomic(dir / "MANIFEST", "{\"format\":\"genomefed-manifest\""));
  EXPECT_EQ(ReadManifest(dir.path()).status().code(), StatusCode::kCorruption);
  ASSERT_OK(WriteFileAtomic(dir / "MANIFEST", "{\"format\":\"other\",\"version\":1}"));
  EXPECT_EQ(ReadManifest(dir.path()).status().code(), StatusCode::kCorruption);
}

TEST(Store, EmptyDataDirIsEmptyStore) {
  testing::TempDir dir;
  auto st = Store::Open(dir.path());
  ASSERT_OK(st);
  EXPECT_TRUE((*st)->dataset_ids().empty());
  EXPECT_EQ((*st)->dataset("x"), nullptr);
}

TEST(DatasetId, Validation) {
  EXPECT_TRUE(ValidateDatasetId("fi-cohort_1.v2").ok());
  EXPECT_FALSE(ValidateDatasetId("").ok());
  EXPECT_FALSE(ValidateDatasetId("../etc").ok());
  EXPECT_FALSE(ValidateDatasetId("a/b").ok());
  EXPECT_FALSE(ValidateDatasetId(".hidden").ok());
}

}  // namespace
}  // namespace genomefed::store
