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

// An allele's sets with no class omitted (EncodeAlleleCarriers' layout, class byte first).
std::string Sets(std::vector<SampleId> het, std::vector<SampleId> hom, uint32_t universe) {
  std::string out(1, static_cast<char>(kOmitNone));
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
  // A common allele: hom (6 samples) is the largest diploid class and is left out.
  std::vector<std::vector<SampleId>> classes = {{0, 1}, {2, 3, 4, 5, 6, 7}, {}, {}};
  std::string sets;
  EncodeAlleleCarriers(classes, SiteCalls{}, 0, 10, 10, sets);
  ASSERT_EQ(sets[0], kOmitHom);
  ASSERT_OK(w.AddAllele("2", 7, "N", "T", *s, sets));
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

// Handing AddSite the decoded call lists (ingest does, to spare decoding them again) writes the
// same bytes as letting it decode them.
TEST(Segment, SiteCallsGivenOrDecodedWriteTheSameBytes) {
  testing::TempDir dir;
  for (bool given : {false, true}) {
    SegmentWriter w;
    ASSERT_OK(w.Open(dir / (given ? "given.gfs" : "decoded.gfs"), 100));
    std::vector<SiteCalls> sites = {HaploidSite({}, {}), HaploidSite({4, 30}, {71, 99}),
                                    HaploidSite({2}, {}), HaploidSite({}, {51, 53, 55})};
    for (size_t i = 0; i < sites.size(); ++i) {
      auto s = w.AddSite(Encoded(sites[i]), given ? &sites[i] : nullptr);
      ASSERT_OK(s);
      ASSERT_OK(w.AddAllele("X", static_cast<int64_t>(10 + i), "A", "G", *s,
                            Sets({static_cast<SampleId>(i)}, {}, 100)));
    }
    std::vector<SampleId> batch(100);
    for (SampleId i = 0; i < 100; ++i) batch[i] = i;
    ASSERT_OK(w.Finish(batch));
  }
  auto a = ReadFile(dir / "given.gfs");
  auto b = ReadFile(dir / "decoded.gfs");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_TRUE(*a == *b);
  ASSERT_OK(Segment::Open(dir / "given.gfs"));
}

TEST(Segment, WriteOpenLookup) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_OK(seg);
  EXPECT_EQ((*seg)->allele_count(), 4u);
  EXPECT_EQ((*seg)->batch_size(), 10u);
  const auto* c1 = (*seg)->FindContig("1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ((*seg)->LowerBound(*c1, 100, "A", "T"), 1u);
  EXPECT_EQ((*seg)->alt(1), "T");
  EXPECT_EQ((*seg)->ref(2), "AC");
  EXPECT_EQ((*seg)->alt(2), "A");
  EXPECT_EQ((*seg)->ref(0), "A");  // a SNV of A, C, G, T: one byte
  EXPECT_EQ((*seg)->alt(0), "G");
  EXPECT_EQ((*seg)->ref(3), "N");  // other letters are spelled out
  EXPECT_EQ((*seg)->allele(3).omitted, kOmitHom);
  const ClassCounts c = (*seg)->Count(3, nullptr);
  EXPECT_EQ(c.het, 2u);
  EXPECT_EQ(c.hom, 6u);  // 10 called twice − 2 het − 2 none
  SampleSet carriers(10);
  (*seg)->AddCarriers(3, nullptr, carriers);
  EXPECT_EQ(carriers.ToVector(), std::vector<SampleId>({0, 1, 2, 3, 4, 5, 6, 7}));
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
          const ClassCounts c = s.Count(a, nullptr);
          EXPECT_LE(c.het + c.hom, s.universe());
          SampleSet out(s.universe());
          s.AddCarriers(a, nullptr, out);
          EXPECT_LE(out.Count(), s.universe());
        }
      }
    }
  }
}

// Segments of 65,536 alleles or more are validated on several threads: the results (the
// longest REF of each contig, computed during validation) and the errors (the first in allele
// order, with its offset) must be those of one walk.
TEST(Segment, LargeSegmentsValidateOnSeveralThreadsLikeOne) {
  testing::TempDir dir;
  constexpr uint64_t kAlleles = 150'000;
  {
    SegmentWriter w;
    ASSERT_OK(w.Open(dir / "big.gfs", 10));
    std::string site;
    EncodeSite(SiteCalls{}, 10, site);
    for (uint64_t i = 0; i < kAlleles; ++i) {
      const char* contig = i < 40'000 ? "1" : i < 120'000 ? "2" : "X";
      auto s = w.AddSite(site);
      ASSERT_OK(s);
      // The longest REF of contig 2 lies in the last third of the file (another thread's range).
      const std::string ref = i == 110'000 ? std::string(37, 'A') : i % 7 == 0 ? "AC" : "A";
      ASSERT_OK(w.AddAllele(contig, static_cast<int64_t>(10 + i), ref, "G", *s,
                            Sets({static_cast<SampleId>(i % 10)}, {}, 10)));
    }
    std::vector<SampleId> batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    ASSERT_OK(w.Finish(batch));
  }
  auto seg = Segment::Open(dir / "big.gfs");
  ASSERT_OK(seg);
  ASSERT_EQ((*seg)->allele_count(), kAlleles);
  ASSERT_EQ((*seg)->contigs().size(), 3u);
  EXPECT_EQ((*seg)->FindContig("1")->max_ref_length, 2u);
  EXPECT_EQ((*seg)->FindContig("2")->max_ref_length, 37u);
  EXPECT_EQ((*seg)->FindContig("X")->max_ref_length, 2u);

  // Two alleles damaged (a het set claiming more samples than the universe), one in each half:
  // the earlier one is reported.
  auto original = ReadFile(dir / "big.gfs");
  ASSERT_OK(original);
  const size_t footer = original->size() - kSegmentFooterSize;
  uint64_t batch_offset;
  std::memcpy(&batch_offset, original->data() + footer, 8);
  const uint8_t* base = (*seg)->batch_set() - batch_offset;
  auto sets_at = [&](uint64_t i) { return static_cast<uint64_t>((*seg)->carrier_sets(i) - base); };
  const uint64_t early = sets_at(50'000), late = sets_at(130'000);
  std::string damaged = *original;
  damaged[early] = damaged[late] = 0x7E;  // the first set's cardinality varint
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(damaged.data()), static_cast<uInt>(footer + 48)));
  std::memcpy(damaged.data() + footer + 48, &crc, 4);
  ASSERT_OK(WriteFileAtomic(dir / "bad.gfs", damaged));
  auto bad = Segment::Open(dir / "bad.gfs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  const std::string& message = bad.status().message();
  const size_t at = message.find("offset ");
  ASSERT_NE(at, std::string::npos) << message;
  const uint64_t reported = std::stoull(message.substr(at + 7));
  EXPECT_GT(reported, sets_at(49'999)) << message;  // within allele 50,000's blob
  EXPECT_LE(reported, early) << message;
}

// Segments of format versions 1 and 2 are refused with a message that says what to do.
TEST(Segment, OldFormatVersionIsRefusedClearly) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto original = ReadFile(dir / "s.gfs");
  ASSERT_OK(original);
  for (char version : {'\1', '\2'}) {
    std::string old = *original;
    old[8] = version;  // version u32
    ASSERT_OK(WriteFileAtomic(dir / "old.gfs", old));
    auto seg = Segment::Open(dir / "old.gfs");
    ASSERT_FALSE(seg.ok());
    EXPECT_EQ(seg.status().code(), StatusCode::kCorruption);
    EXPECT_NE(seg.status().message().find("version " + std::to_string(version)), std::string::npos);
    EXPECT_NE(seg.status().message().find("re-ingest"), std::string::npos);
  }
}

// One allele's classes and its site's calls, and what a naive count over them gives.
struct AlleleCase {
  SiteCalls site;
  std::vector<std::vector<SampleId>> classes;  // het, hom, hemi, partial
};

// Sites of every kind (base 2 with missing calls; base 0, listing the called-2 samples; a site
// whose called-once set is a difference from the previous site's) with alleles whose largest
// diploid class is none, het or hom: counts and carriers equal a naive reading of the calls.
TEST(Segment, OmittedClassesCountLikeStoredOnes) {
  constexpr uint32_t kN = 100;
  std::vector<AlleleCase> cases;
  auto called2 = [&](const SiteCalls& s) {
    std::vector<SampleId> out;
    for (SampleId i = 0; i < kN; ++i) {
      bool listed[3] = {};
      for (int k = 0; k < 3; ++k) {
        listed[k] =
            std::binary_search(s.called_exceptions[k].begin(), s.called_exceptions[k].end(), i);
      }
      if (s.base == 2 ? !listed[0] && !listed[1] : listed[2]) out.push_back(i);
    }
    return out;
  };
  auto split = [&](const SiteCalls& s, size_t n_het, size_t n_hom) {
    const std::vector<SampleId> c2 = called2(s);
    AlleleCase a{s, {{}, {}, {}, {}}};
    for (size_t j = 0; j < c2.size(); ++j) {
      if (j < n_het) {
        a.classes[kHet].push_back(c2[j]);
      } else if (j < n_het + n_hom) {
        a.classes[kHom].push_back(c2[j]);
      }
    }
    std::sort(a.classes[kHet].begin(), a.classes[kHet].end());
    return a;
  };
  SiteCalls base2;  // 7 missing, 3 haploid
  base2.called_exceptions[0] = {3, 17, 40, 41, 42, 90, 99};
  base2.called_exceptions[1] = {5, 6, 7};
  SiteCalls base0;  // mostly missing: the 20 called-2 samples listed
  base0.base = 0;
  for (SampleId i = 10; i < 30; ++i) base0.called_exceptions[2].push_back(i);
  base0.called_exceptions[1] = {50, 51};
  cases.push_back(split(base2, 2, 1));                             // rare: nothing left out
  cases.push_back(split(base2, 60, 5));                            // het largest
  cases.push_back(split(base2, 10, 70));                           // hom largest
  cases.push_back(split(base0, 15, 2));                            // het largest, called-2 listed
  cases.push_back(split(base0, 1, 18));                            // hom largest
  cases.push_back(split(HaploidSite({}, {}), 30, 20));             // reference for the next
  cases.push_back(split(HaploidSite({4, 30}, {71, 99}), 40, 10));  // S1 as a difference
  cases.back().classes[kHemi] = {0, 2};
  cases.back().classes[kPartial] = {4};
  testing::TempDir dir;
  {
    SegmentWriter w;
    ASSERT_OK(w.Open(dir / "s.gfs", kN));
    int64_t pos = 1;
    for (const auto& c : cases) {
      auto site = w.AddSite(Encoded(c.site));
      ASSERT_OK(site);
      std::string sets;
      EncodeAlleleCarriers(c.classes, c.site, 0, kN, kN, sets);
      ASSERT_OK(w.AddAllele("1", pos++, "A", "C", *site, sets));
    }
    std::vector<SampleId> batch(kN);
    for (SampleId i = 0; i < kN; ++i) batch[i] = i;
    ASSERT_OK(w.Finish(batch));
  }
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_OK(seg);
  EXPECT_EQ((*seg)->allele(0).omitted, kOmitNone);
  EXPECT_EQ((*seg)->allele(1).omitted, kOmitHet);
  EXPECT_EQ((*seg)->allele(2).omitted, kOmitHom);
  EXPECT_EQ((*seg)->allele(3).omitted, kOmitHet);
  EXPECT_EQ((*seg)->allele(4).omitted, kOmitHom);
  EXPECT_EQ(*(*seg)->site(6) >> kSiteDeltaShift, 2);  // the difference path is exercised
  SampleSet evens(kN), all = SampleSet::All(kN);
  for (SampleId i = 0; i < kN; i += 2) evens.Add(i);
  for (uint64_t a = 0; a < cases.size(); ++a) {
    for (const SampleSet* f : std::vector<const SampleSet*>{nullptr, &evens, &all}) {
      auto in = [&](const std::vector<SampleId>& v) {
        uint64_t n = 0;
        for (SampleId id : v) n += f == nullptr || f->Contains(id) ? 1 : 0;
        return n;
      };
      const ClassCounts c = (*seg)->Count(a, f);
      EXPECT_EQ(c.het, in(cases[a].classes[kHet])) << a;
      EXPECT_EQ(c.hom, in(cases[a].classes[kHom])) << a;
      EXPECT_EQ(c.hemi, in(cases[a].classes[kHemi])) << a;
      EXPECT_EQ(c.partial, in(cases[a].classes[kPartial])) << a;
      SampleSet expect(kN), got(kN);
      for (const auto& cls : cases[a].classes) {
        for (SampleId id : cls) {
          if (f == nullptr || f->Contains(id)) expect.Add(id);
        }
      }
      (*seg)->AddCarriers(a, f, got);
      EXPECT_EQ(got.ToVector(), expect.ToVector()) << a;
    }
  }
}

// A blob whose two stored diploid sets hold more samples than the site called twice (so the
// omitted class would be negative) is refused at open, as is an omitted-class code of 3.
TEST(Segment, InconsistentOmittedClassIsCorruption) {
  testing::TempDir dir;
  {
    SegmentWriter w;
    ASSERT_OK(w.Open(dir / "s.gfs", 10));
    SiteCalls site;
    site.called_exceptions[0] = {0, 1, 2, 3, 4, 5, 6, 7};  // 2 samples called twice
    std::string encoded;
    EncodeSite(site, 10, encoded);
    auto s = w.AddSite(encoded);
    ASSERT_OK(s);
    ASSERT_OK(w.AddAllele("1", 1, "A", "G", *s, Sets({8, 9}, {7}, 10)));
    std::vector<SampleId> batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    ASSERT_OK(w.Finish(batch));
  }
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_FALSE(seg.ok());
  EXPECT_EQ(seg.status().code(), StatusCode::kCorruption);
  EXPECT_NE(seg.status().message().find("exceed"), std::string::npos) << seg.status().ToString();
  SegmentWriter w;
  ASSERT_OK(w.Open(dir / "t.gfs", 10));
  std::string site;
  EncodeSite(SiteCalls{}, 10, site);
  auto s = w.AddSite(site);
  ASSERT_OK(s);
  std::string sets = Sets({1}, {}, 10);
  sets[0] = 3;
  EXPECT_FALSE(w.AddAllele("1", 1, "A", "G", *s, sets).ok());  // the writer refuses it too
  w.Abandon();
}

}  // namespace
}  // namespace genomefed::store

namespace genomefed::store {
namespace {

// Recomputes the checksum of a damaged segment, so that the structural checks alone must catch
// the damage.
void Reseal(std::string& file) {
  const size_t covered = file.size() - kSegmentFooterSize + 48;
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(file.data()), static_cast<uInt>(covered)));
  std::memcpy(file.data() + covered, &crc, 4);
}

// Blocks of 64 allele entries whose position deltas need 1, 2, 3 and 4 bytes, and one that
// spans two contigs: every position, allele and lookup reads back.
TEST(Segment, AlleleTableBlocksOfEveryWidth) {
  testing::TempDir dir;
  std::vector<std::pair<std::string, int64_t>> keys;
  int64_t pos = 1;
  for (int64_t gap : {1, 300, 70000, 20000000}) {
    for (int j = 0; j < 64; ++j) {
      keys.emplace_back("1", pos);
      pos += gap;
    }
  }
  for (int j = 0; j < 40; ++j) keys.emplace_back("1", pos + j);  // the last block spans 1 and 2
  for (int j = 0; j < 40; ++j) keys.emplace_back("2", 10 + j);
  {
    SegmentWriter w;
    ASSERT_OK(w.Open(dir / "s.gfs", 4));
    std::string site;
    EncodeSite(SiteCalls{}, 4, site);
    auto s = w.AddSite(site);
    ASSERT_OK(s);
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSERT_OK(w.AddAllele(keys[i].first, keys[i].second, "A", i % 2 ? "C" : "GT", *s,
                            Sets({static_cast<SampleId>(i % 4)}, {}, 4)));
    }
    std::vector<SampleId> batch = {0, 1, 2, 3};
    ASSERT_OK(w.Finish(batch));
  }
  auto seg = Segment::Open(dir / "s.gfs");
  ASSERT_OK(seg);
  ASSERT_EQ((*seg)->allele_count(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ((*seg)->pos(i), keys[i].second) << i;
    EXPECT_EQ((*seg)->alt(i), i % 2 ? "C" : "GT") << i;
    EXPECT_EQ(CarrierSetToVector((*seg)->carrier_sets(i), 4),
              std::vector<SampleId>({static_cast<SampleId>(i % 4)}));
  }
  const auto* c2 = (*seg)->FindContig("2");
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ((*seg)->LowerBound(*c2, 20, "A", "C"), c2->first + 10);
  // Damage to a block header (widths 0 or 5, a misplaced entry offset) is corruption.
  auto original = ReadFile(dir / "s.gfs");
  ASSERT_OK(original);
  uint64_t block_table = 0;
  std::memcpy(&block_table, original->data() + original->size() - kSegmentFooterSize + 40, 8);
  for (auto [at, value] : std::vector<std::pair<uint64_t, uint8_t>>{
           {block_table + 6, 0x20},           // pos width 0
           {block_table + 16 + 6, 0x25},      // pos width 5
           {block_table + 2 * 16 + 6, 0x52},  // offset width 5
           {block_table + 16 + 12, 0x01},     // entries of block 1 misplaced
           {block_table + 7, 0x01}}) {        // reserved byte
    std::string damaged = *original;
    damaged[at] = static_cast<char>(value);
    Reseal(damaged);
    ASSERT_OK(WriteFileAtomic(dir / "d.gfs", damaged));
    auto bad = Segment::Open(dir / "d.gfs");
    ASSERT_FALSE(bad.ok()) << at;
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
    EXPECT_NE(bad.status().message().find("offset"), std::string::npos);
  }
}

// Forged allele blob heads (checksum recomputed): an omitted-class code of 3, a one-byte SNV
// whose REF equals its ALT, a long form whose REF runs past the arena. Each is corruption.
TEST(Segment, ForgedAlleleBlobHeadsAreCorruption) {
  testing::TempDir dir;
  WriteSmallSegment(dir / "s.gfs");
  auto original = ReadFile(dir / "s.gfs");
  ASSERT_OK(original);
  // The uniform site is the byte at 32; the first allele's blob follows: its head varint
  // (back 1 << 2 | omitted 0) = 4, then the SNV byte A>G = 4·0 + 2.
  ASSERT_EQ((*original)[33], 4);
  ASSERT_EQ((*original)[34], 2);
  for (auto [at, value] :
       std::vector<std::pair<size_t, char>>{{33, 7},       // omitted code 3
                                            {34, 5},       // C>C
                                            {34, 127}}) {  // REF of 112 bytes: past the arena
    std::string damaged = *original;
    damaged[at] = value;
    Reseal(damaged);
    ASSERT_OK(WriteFileAtomic(dir / "d.gfs", damaged));
    auto bad = Segment::Open(dir / "d.gfs");
    ASSERT_FALSE(bad.ok()) << at << " " << int{value};
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
    EXPECT_NE(bad.status().message().find("offset " + std::to_string(at)), std::string::npos)
        << bad.status().ToString();
  }
}

}  // namespace
}  // namespace genomefed::store
