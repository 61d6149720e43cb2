// The built-in DUO table against the release files in ../shared/duo (so it cannot drift), and
// the release readers on small inputs, including the ways they must fail.
#include <gtest/gtest.h>

#include <map>

#include "core/file.h"
#include "duo/release.h"
#include "duo/terms.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(DuoRelease, BuiltInTableEqualsDuoOwl) {
  GF_REQUIRE_SHARED("duo/duo.owl");
  Result<std::string> text = ReadFile(testing::SharedDir() / "duo/duo.owl");
  ASSERT_OK(text);
  Result<std::vector<ReleaseTerm>> release = ParseDuoOwl(*text, "duo.owl");
  ASSERT_OK(release);
  EXPECT_EQ(release->size(), AllTerms().size());
  EXPECT_EQ(Join(CompareWithBuiltIn(*release, true)), "");
  // The kind follows from the release's hierarchy: walk each class up to a branch root.
  std::map<std::string, std::string> parent;
  for (const ReleaseTerm& r : *release) parent[r.id] = r.parent;
  for (const ReleaseTerm& r : *release) {
    std::string kind;
    std::string at = r.id;
    for (int i = 0; i < 10 && kind.empty(); ++i) {
      if (r.deprecated)
        kind = "obsolete";
      else if (at == "DUO:0000001")
        kind = "permission";
      else if (at == "DUO:0000017")
        kind = "modifier";
      else if (at == "OBI:0000066")
        kind = "investigation";
      else
        at = parent.count(at) ? parent[at] : "OBI:0000066";
    }
    EXPECT_EQ(TermKindName(FindTerm(r.id)->kind), kind) << r.id;
  }
  // The NPOA quirk of this release: IRI DUO_00000044, id DUO:0000044.
  EXPECT_NE(FindTerm("DUO:0000044"), nullptr);
}

TEST(DuoRelease, BuiltInTableEqualsDuoCsv) {
  GF_REQUIRE_SHARED("duo/duo.csv");
  Result<std::string> text = ReadFile(testing::SharedDir() / "duo/duo.csv");
  ASSERT_OK(text);
  Result<std::vector<ReleaseTerm>> release = ParseDuoCsv(*text, "duo.csv");
  ASSERT_OK(release);
  EXPECT_EQ(release->size(), 25u);
  EXPECT_EQ(Join(CompareWithBuiltIn(*release, false)), "");
  size_t current = 0;
  for (const Term& t : AllTerms()) {
    current += t.kind == TermKind::kPermission || t.kind == TermKind::kModifier;
  }
  EXPECT_EQ(current, release->size()) << "every current permission and modifier is in duo.csv";
}

TEST(DuoRelease, ComparisonReportsDrift) {
  std::vector<ReleaseTerm> release = {
      {"DUO:0000042", "GRU", "general research use (renamed)", "DUO:0000001", false, ""},
      {"DUO:0000099", "NEW", "a new modifier", "DUO:0000017", false, ""}};
  std::string diffs = Join(CompareWithBuiltIn(release, false));
  EXPECT_NE(diffs.find("DUO:0000042: label 'general research use (renamed)'"), std::string::npos);
  EXPECT_NE(diffs.find("DUO:0000099: in the release, not built in"), std::string::npos);
  EXPECT_NE(Join(CompareWithBuiltIn(release, true)).find("DUO:0000006: built in, not in"),
            std::string::npos);
}

TEST(DuoRelease, ReadersFailClearly) {
  Result<std::vector<ReleaseTerm>> no_class = ParseDuoOwl("<rdf:RDF></rdf:RDF>", "x.owl");
  ASSERT_FALSE(no_class.ok());
  EXPECT_NE(no_class.status().message().find("x.owl: no DUO owl:Class"), std::string::npos);
  Result<std::vector<ReleaseTerm>> open_class =
      ParseDuoOwl("<owl:Class rdf:about=\"http://purl.obolibrary.org/obo/DUO_0000042\">", "y.owl");
  ASSERT_FALSE(open_class.ok());
  EXPECT_NE(open_class.status().message().find("no </owl:Class>"), std::string::npos);

  EXPECT_FALSE(ParseDuoCsv("name,label\n", "a.csv").ok());
  Result<std::vector<ReleaseTerm>> short_row =
      ParseDuoCsv("id,shorthand,label,description\nDUO:0000042,GRU\n", "b.csv");
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.status().message().find("b.csv:2: 2 fields"), std::string::npos);
  Result<std::vector<ReleaseTerm>> open_quote =
      ParseDuoCsv("id,shorthand,label,description\nDUO:0000042,GRU,\"x\n", "c.csv");
  ASSERT_FALSE(open_quote.ok());
  EXPECT_NE(open_quote.status().message().find("c.csv:2: unterminated"), std::string::npos);
  Result<std::vector<ReleaseTerm>> quoted = ParseDuoCsv(
      "id,shorthand,label,description\r\nDUO:0000018,NPUNCU,\"not for profit, non "
      "\"\"x\"\"\",d\r\n",
      "d.csv");
  ASSERT_OK(quoted);
  EXPECT_EQ((*quoted)[0].label, "not for profit, non \"x\"");
}

}  // namespace
}  // namespace genomefed::duo
