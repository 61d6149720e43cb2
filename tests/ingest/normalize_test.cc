#include "ingest/normalize.h"

#include <gtest/gtest.h>

namespace genomefed::ingest {
namespace {

struct Case {
  int64_t pos;
  std::string ref, alt;
  int64_t want_pos;
  std::string want_ref, want_alt;
};

TEST(TrimAlleles, MinimalRepresentation) {
  const Case cases[] = {
      {100, "A", "G", 100, "A", "G"},        // SNV untouched
      {100, "ACT", "A", 100, "ACT", "A"},    // deletion already minimal
      {100, "ACT", "ACTT", 101, "C", "CT"},  // suffix, then prefix: an insertion after C
      {100, "ACGT", "AGGT", 101, "C", "G"},  // MNV-looking SNV: suffix then prefix
      {100, "CTTT", "CTT", 100, "CT", "C"},  // repeat deletion
      {100, "GAC", "GTC", 101, "A", "T"},     {100, "AC", "TG", 100, "AC", "TG"},  // true MNV
      {100, "ATG", "ATGTG", 100, "A", "ATG"},  // suffix first (no left-shift without FASTA)
  };
  for (const Case& c : cases) {
    int64_t pos = c.pos;
    std::string ref = c.ref, alt = c.alt;
    TrimAlleles(pos, ref, alt);
    EXPECT_EQ(pos, c.want_pos) << c.ref << ">" << c.alt;
    EXPECT_EQ(ref, c.want_ref) << c.ref << ">" << c.alt;
    EXPECT_EQ(alt, c.want_alt) << c.ref << ">" << c.alt;
  }
}

TEST(ClassifyAllele, Kinds) {
  EXPECT_EQ(ClassifyAllele("ACGTN"), AlleleKind::kSequence);
  EXPECT_EQ(ClassifyAllele("acg"), AlleleKind::kSequence);
  EXPECT_EQ(ClassifyAllele("<DEL>"), AlleleKind::kSymbolic);
  EXPECT_EQ(ClassifyAllele("G]17:198982]"), AlleleKind::kSymbolic);
  EXPECT_EQ(ClassifyAllele(".A"), AlleleKind::kSymbolic);
  EXPECT_EQ(ClassifyAllele("*"), AlleleKind::kStar);
  EXPECT_EQ(ClassifyAllele("."), AlleleKind::kMissing);
  EXPECT_EQ(ClassifyAllele("R"), AlleleKind::kInvalid);
}

}  // namespace
}  // namespace genomefed::ingest
