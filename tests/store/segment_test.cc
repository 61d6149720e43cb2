#include "store/segment.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <algorithm>
#include <cstring>
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

// Two sites whose called-once samples (think haploid males on chrX) nearly repeat: the second
// is stored as a difference from the first.
SiteCalls HaploidSite(std::vector<SampleId> drop, std::vector<SampleId> add) {
  SiteCalls s;
  for (SampleId i = 0; i < 60; i += 2) {
    if (std::find(drop.begin(), drop.end(), i) == drop.end()) s.called_exceptions[1].push_back(i);
  }
  for (SampleId i : add) s.called_exceptions[1].push_back(i);
  std::sort(s.called_exceptions[1].begin(), s.called_exceptions[1].end());
  for (SampleId i : drop) s.called_exceptions[0].push_back(i);  // missing calls
  return s;
}

std::string Encoded(const SiteCalls& s) {
  std::string out;
  EncodeSite(s, 100, out);
  return out;
}

void WriteDeltaSegment(const std::filesystem::path& path) {
  SegmentWriter w;
  ASSERT_OK(w.Open(path, 100));
  auto s1 = w.AddSite(Encoded(HaploidSite({}, {})));
  ASSERT_OK(s1);
  ASSERT_OK(w.AddAllele("X", 10, "A", "G", *s1, Sets({1}, {}, 100)));
  auto s2 = w.AddSite(Encoded(HaploidSite({4, 30}, {71, 99})));
  ASSERT_OK(s2);
  ASSERT_OK(w.AddAllele("X", 20, "C", "T", *s2, Sets({2}, {}, 100)));
  std::vector<SampleId> batch(100);
  for (SampleId i = 0; i < 100; ++i) batch[i] = i;
  ASSERT_OK(w.Finish(batch));
}

TEST(Segment, SiteSetsStoredAsDifferencesCountLikePlainOnes) {
  testing::TempDir dir;
  WriteDeltaSegment(dir / "s.gfs");
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_OK(seg);
  EXPECT_EQ(*(*seg)->site(0) >> kSiteDeltaShift, 0);  // first: plain
  EXPECT_EQ(*(*seg)->site(1) >> kSiteDeltaShift, 2);  // second: S1 as a difference
  SampleSet evens(100), all = SampleSet::All(100);
  for (SampleId i = 0; i < 100; i += 2) evens.Add(i);
  for (uint64_t a = 0; a < 2; ++a) {
    const SiteCalls calls = a == 0 ? HaploidSite({}, {}) : HaploidSite({4, 30}, {71, 99});
    for (const SampleSet* f : std::vector<const SampleSet*>{nullptr, &evens, &all}) {
      uint64_t expect = 0;
      for (SampleId i = 0; i < 100; ++i) {
        if (f != nullptr && !f->Contains(i)) continue;
        int called = 2;
        for (int k = 0; k < 3; ++k) {
          const auto& v = calls.called_exceptions[k];
          if (std::binary_search(v.begin(), v.end(), i)) called = k;
        }
        expect += static_cast<uint64_t>(called);
      }
      EXPECT_EQ((*seg)->AlleleNumber(a, f), expect) << "allele " << a;
    }
  }
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
  EXPECT_EQ(*(*seg)->site(0), 2 | kSiteUniform);  // no exceptions: the head byte alone
  EXPECT_EQ((*seg)->AlleleNumber(0, nullptr), 20u);
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

// The same with the checksum recomputed, so that the structural checks alone must hold: every
// damaged file is refused as Corruption or opens as a well-formed segment whose every set reads.
TEST(Segment, FlippedBytesBehindAValidChecksumNeverCrash) {
  testing::TempDir dir;
  for (bool delta : {false, true}) {
    if (delta) {
      WriteDeltaSegment(dir / "s.gfs");
    } else {
      WriteSmallSegment(dir / "s.gfs");
    }
    auto original = ReadFile(dir / "s.gfs");
    ASSERT_OK(original);
    const size_t footer = original->size() - kSegmentFooterSize;
    const size_t covered = footer + 48;  // the checksum covers the footer's fields too
    for (size_t i = 0; i < covered; ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0x5A}}) {
        std::string damaged = *original;
        damaged[i] = static_cast<char>(damaged[i] ^ mask);
        const uint32_t crc = static_cast<uint32_t>(
            crc32(0L, reinterpret_cast<const Bytef*>(damaged.data()), static_cast<uInt>(covered)));
        std::memcpy(damaged.data() + footer + 48, &crc, 4);
        ASSERT_OK(WriteFileAtomic(dir / "d.gfs", damaged));
        auto seg = Segment::Open(dir / "d.gfs");
        if (!seg.ok()) {
          EXPECT_EQ(seg.status().code(), StatusCode::kCorruption) << seg.status().ToString();
          continue;
        }
        const Segment& s = **seg;
        for (uint64_t a = 0; a < s.allele_count(); ++a) {
          const uint8_t* p = s.carrier_sets(a);
          for (int k = 0; k < kCarrierClasses; ++k) {
            EXPECT_LE(CountAndAdvance(p, s.universe(), nullptr), s.universe());
          }
          EXPECT_LE(s.AlleleNumber(a, nullptr), 2u * s.universe());
        }
      }
    }
  }
}

// Segments of format version 1 are refused with a message that says what to do.
TEST(Segment, OldFormatVersionIsRefusedClearly) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto original = ReadFile(dir / "s.gfs");
  ASSERT_OK(original);
  std::string old = *original;
  old[8] = 1;  // version u32 = 1
  ASSERT_OK(WriteFileAtomic(dir / "v1.gfs", old));
  auto seg = Segment::Open(dir / "v1.gfs");
  ASSERT_FALSE(seg.ok());
  EXPECT_EQ(seg.status().code(), StatusCode::kCorruption);
  EXPECT_NE(seg.status().message().find("version 1"), std::string::npos);
  EXPECT_NE(seg.status().message().find("re-ingest"), std::string::npos);
}

}  // namespace
}  // namespace genomefed::store
