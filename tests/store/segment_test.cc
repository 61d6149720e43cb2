#include "store/segment.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/file.h"
#include "store/carrier_set.h"
#include "support/test_support.h"

namespace genomefed::store {
namespace {

std::string Sets(std::vector<SampleId> het, std::vector<SampleId> hom, uint32_t universe) {
  std::string out;
  EncodeCarrierSet(het, universe, out);
  EncodeCarrierSet(hom, universe, out);
  EncodeCarrierSet({}, universe, out);
  EncodeCarrierSet({}, universe, out);
  return out;
}

void WriteSmallSegment(const std::filesystem::path& path) {
  SegmentWriter w;
  ASSERT_OK(w.Open(path, 10));
  std::string site;
  EncodeSite(SiteCalls{}, 10, site);
  auto s = w.AddSite(site);
  ASSERT_OK(s);
  ASSERT_OK(w.AddAllele("1", 100, "A", "G", *s, Sets({1, 2}, {3}, 10)));
  ASSERT_OK(w.AddAllele("1", 100, "A", "T", *s, Sets({4}, {}, 10)));
  ASSERT_OK(w.AddAllele("2", 5, "AC", "A", *s, Sets({}, {9}, 10)));
  std::vector<SampleId> batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ASSERT_OK(w.Finish(batch));
}

TEST(Segment, WriteOpenLookup) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_OK(seg);
  EXPECT_EQ((*seg)->allele_count(), 3u);
  EXPECT_EQ((*seg)->batch_size(), 10u);
  const auto* c1 = (*seg)->FindContig("1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ((*seg)->LowerBound(*c1, 100, "A", "T"), 1u);
  EXPECT_EQ((*seg)->alt(1), "T");
  EXPECT_EQ((*seg)->ref(2), "AC");
  EXPECT_EQ(CarrierSetToVector((*seg)->carrier_sets(0), 10), std::vector<SampleId>({1, 2}));
  EXPECT_FALSE(std::filesystem::exists(dir / "s.gfs.sites"));
}

TEST(Segment, OutOfOrderContigIsRefused) {
  testing::TempDir dir;
  SegmentWriter w;
  ASSERT_OK(w.Open(dir / "s.gfs", 4));
  std::string site;
  EncodeSite(SiteCalls{}, 4, site);
  auto s = w.AddSite(site);
  ASSERT_OK(s);
  ASSERT_OK(w.AddAllele("1", 1, "A", "G", *s, Sets({}, {}, 4)));
  ASSERT_OK(w.AddAllele("2", 1, "A", "G", *s, Sets({}, {}, 4)));
  EXPECT_FALSE(w.AddAllele("1", 2, "A", "G", *s, Sets({}, {}, 4)).ok());
  w.Abandon();
  EXPECT_FALSE(std::filesystem::exists(dir / "s.gfs"));
}

// Flipping any single byte is reported as Corruption with an offset — never a crash.
TEST(Segment, EveryFlippedByteIsCorruption) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto original = ReadFile(dir / "s.gfs");
  ASSERT_OK(original);
  for (size_t i = 0; i < original->size(); ++i) {
    std::string damaged = *original;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
    ASSERT_OK(WriteFileAtomic(dir / "d.gfs", damaged));
    auto seg = Segment::Open(dir / "d.gfs");
    ASSERT_FALSE(seg.ok()) << "byte " << i;
    EXPECT_EQ(seg.status().code(), StatusCode::kCorruption) << seg.status().ToString();
    EXPECT_NE(seg.status().message().find("offset"), std::string::npos);
  }
  for (size_t len : {size_t{0}, size_t{10}, original->size() / 2, original->size() - 1}) {
    ASSERT_OK(WriteFileAtomic(dir / "t.gfs", original->substr(0, len)));
    auto seg = Segment::Open(dir / "t.gfs");
    ASSERT_FALSE(seg.ok());
    EXPECT_EQ(seg.status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace genomefed::store
