// The 33 expectations of the Broad DUOS matching algorithm V4 unit tests, transcribed in
// ../shared/duo/duos_v4_cases.json, replayed table-driven through DUOS DataUse JSON and Match().
// APPROVE → approve, DENY → deny, ABSTAIN → needs_review; DENY and ABSTAIN must give reasons.
// Every case runs; none is skipped or special-cased.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "core/file.h"
#include "duo/datause_json.h"
#include "duo/disease_hierarchy.h"
#include "duo/match.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

using nlohmann::json;

json LoadShared(const std::string& name) {
  Result<std::string> text = ReadFile(testing::SharedDir() / "duo" / name);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? json::parse(*text) : json();
}

Verdict Expected(const std::string& duos) {
  if (duos == "APPROVE") return Verdict::kApprove;
  if (duos == "DENY") return Verdict::kDeny;
  EXPECT_EQ(duos, "ABSTAIN");
  return Verdict::kNeedsReview;
}

TEST(DuosV4Cases, EveryCaseGivesItsExpectedVerdict) {
  GF_REQUIRE_SHARED("duo/duos_v4_cases.json");
  json cases = LoadShared("duos_v4_cases.json");
  json meta = LoadShared("duos_v4_cases.meta.json");
  ASSERT_TRUE(cases.is_array());
  std::set<std::string> names;
  size_t approve = 0, deny = 0, review = 0;
  for (const json& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name + " (" + c.value("source", "") + ")");
    EXPECT_TRUE(names.insert(name).second) << "duplicate case name";
    Result<DataUse> purpose = DataUseFromDuosJson(c.at("purpose"), Side::kPurpose, name);
    Result<DataUse> dataset = DataUseFromDuosJson(c.at("dataset"), Side::kConsent, name);
    ASSERT_OK(purpose);
    ASSERT_OK(dataset);
    // The V4 tests stub the ontology lookup: the listed ancestors of one purpose disease.
    DiseaseHierarchy hierarchy;
    if (c.contains("disease_hierarchy") &&
        c["disease_hierarchy"].at("lookup_stub_for").is_string()) {
      const json& stub = c["disease_hierarchy"];
      for (const json& a : stub.at("stubbed_ancestors")) {
        hierarchy.AddParent(stub.at("lookup_stub_for").get<std::string>(), a.get<std::string>());
      }
    }
    for (const auto& [iri, label] : meta.at("disease_id_labels").items()) {
      hierarchy.AddLabel(iri, label.get<std::string>());
    }
    MatchResult m = Match(*dataset, *purpose, &hierarchy);
    std::string reasons;
    for (const auto& r : m.reasons) reasons += "\n  " + r;
    Verdict want = Expected(c.at("expected").get<std::string>());
    EXPECT_EQ(VerdictName(m.verdict), VerdictName(want)) << "reasons:" << reasons;
    // V4 asserts a rationale for DENY and ABSTAIN; genomefed gives reasons for approvals too.
    EXPECT_FALSE(m.reasons.empty());
    (want == Verdict::kApprove ? approve : want == Verdict::kDeny ? deny : review)++;
  }
  // The file holds the 33 V4 tests; a shorter file would silently test less.
  EXPECT_EQ(names.size(), 33u);
  EXPECT_GT(approve, 0u);
  EXPECT_GT(deny, 0u);
  EXPECT_GT(review, 0u);
}

}  // namespace
}  // namespace genomefed::duo
