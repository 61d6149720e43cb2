// DUOS DataUse JSON: reading every field, writing it back, DUOS' own catalogue examples, errors.
#include "duo/datause_json.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "duo/terms.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

using nlohmann::json;

DataUse Read(const json& doc, Side side) {
  Result<DataUse> r = DataUseFromDuosJson(doc, side, "test");
  EXPECT_TRUE(r.ok()) << doc.dump() << ": " << r.status().ToString();
  return r.ok() ? *r : DataUse{};
}

TEST(DuosDataUse, ConsentFieldsMapToDuoTerms) {
  DataUse c = Read(json::parse(R"({
      "hmbResearch": true, "diseaseRestrictions": ["http://purl.obolibrary.org/obo/DOID_162"],
      "methodsResearch": false, "nonProfitUse": true, "ethicsApprovalRequired": true,
      "collaboratorRequired": true, "geographicalRestrictions": "Finland",
      "geneticStudiesOnly": true, "publicationResults": true,
      "publicationMoratorium": "2027-01-01", "generalUse": null,
      "other": "no sale", "otherSecondary": "legacy spelling"})"),
                   Side::kConsent);
  for (std::string_view t : {"HMB", "DS", "NMDS", "NPU", "IRB", "COL", "GS", "GSO", "PUB", "MOR"}) {
    EXPECT_NE(std::find(c.terms.begin(), c.terms.end(), FindTerm(t)->id), c.terms.end()) << t;
  }
  EXPECT_EQ(c.terms.size(), 10u);
  EXPECT_EQ(c.diseases, (std::vector<std::string>{"http://purl.obolibrary.org/obo/DOID_162"}));
  EXPECT_EQ(c.non_profit, true);
  EXPECT_EQ(c.geographical_restriction, "Finland");
  EXPECT_EQ(c.secondary_other, "legacy spelling");
  EXPECT_TRUE(c.unrecognised.empty());
}

TEST(DuosDataUse, SidesReadMethodsResearchDifferently) {
  json doc = {{"methodsResearch", true}};
  EXPECT_EQ(Read(doc, Side::kPurpose).terms, (std::vector<std::string>{"DUO:0000031"}));
  EXPECT_TRUE(Read(doc, Side::kConsent).terms.empty());
  json nmds = {{"methodsResearch", false}};
  EXPECT_EQ(Read(nmds, Side::kConsent).terms, (std::vector<std::string>{"DUO:0000015"}));
  EXPECT_TRUE(Read(nmds, Side::kPurpose).terms.empty());
  // A purpose's nonProfitUse is a declaration, not a restriction term.
  DataUse p = Read({{"nonProfitUse", false}}, Side::kPurpose);
  EXPECT_TRUE(p.terms.empty());
  EXPECT_EQ(p.non_profit, false);
}

TEST(DuosDataUse, PurposeSensitiveFlagsAndUnknownFieldsAreKept) {
  DataUse p = Read(json::parse(R"({"hmbResearch": true, "gender": "F", "pediatric": true,
      "population": true, "controls": true, "illegalBehavior": true, "notHealth": false,
      "aggregateResearch": "Yes", "manualReview": false, "addiction": null})"),
                   Side::kPurpose);
  EXPECT_EQ(p.gender, "F");
  EXPECT_EQ(p.sensitive, (std::vector<std::string>{"illegalBehavior"}));
  EXPECT_EQ(p.unrecognised, (std::vector<std::string>{"aggregateResearch"}));
  EXPECT_EQ(p.terms.size(), 5u);  // HMB, controls, age, population, gender category research
}

TEST(DuosDataUse, RoundTripsThroughJson) {
  DataUse consent;
  consent.terms = {"DUO:0000006", "DUO:0000007", "DUO:0000046",
                   "DUO:0000026", "DUO:0000021", "DUO:0000015"};
  consent.diseases = {"http://purl.obolibrary.org/obo/MONDO_0005148"};
  consent.other = "text";
  DataUse purpose;
  purpose.terms = {"DUO:0000031", "DUO:0000004", "DUO:0000038"};
  purpose.non_profit = true;
  purpose.ethics_approval = "ERB-1";
  purpose.collaborators = {"a", "b"};
  purpose.publication_promised = true;
  purpose.sensitive = {"notHealth"};
  purpose.unrecognised = {"aggregateResearch"};
  for (auto [use, side] :
       {std::pair{consent, Side::kConsent}, std::pair{purpose, Side::kPurpose}}) {
    json doc = DataUseToDuosJson(use, side);
    DataUse back = Read(doc, side);
    std::sort(back.terms.begin(), back.terms.end());
    std::sort(use.terms.begin(), use.terms.end());
    if (side == Side::kConsent) use.non_profit = true;  // written as nonProfitUse: true
    EXPECT_EQ(back, use) << doc.dump();
  }
  json c = DataUseToDuosJson(consent, Side::kConsent);
  EXPECT_EQ(c["nonProfitUse"], true);
  EXPECT_EQ(c["methodsResearch"], false);
  EXPECT_EQ(c["genomefed"]["terms"], json::parse(R"(["DUO:0000046","DUO:0000026"])"));
  // CURIEs are written as the OBO IRIs DUOS stores.
  DataUse curie;
  curie.diseases = {"DOID:162"};
  EXPECT_EQ(DataUseToDuosJson(curie, Side::kConsent)["diseaseRestrictions"][0],
            "http://purl.obolibrary.org/obo/DOID_162");
}

TEST(DuosDataUse, DuosCatalogueExamplesAllParse) {
  GF_REQUIRE_SHARED("duo/duos_datause_examples.json");
  Result<std::string> text = ReadFile(testing::SharedDir() / "duo/duos_datause_examples.json");
  ASSERT_OK(text);
  json doc = json::parse(*text);
  size_t n = 0;
  for (const json& e : doc.at("duos_dataset_datause_examples")) {
    DataUse c = Read(e.at("dataUse"), Side::kConsent);
    EXPECT_TRUE(c.unrecognised.empty()) << e.at("duos_id");
    EXPECT_FALSE(c.terms.empty() && c.other.empty()) << e.at("duos_id");
    ++n;
  }
  EXPECT_GE(n, 10u);
  const json& payload = doc.at("match_api_payload").at("example");
  DataUse purpose = Read(payload.at("purpose"), Side::kPurpose);
  DataUse consent = Read(payload.at("consent"), Side::kConsent);
  EXPECT_EQ(Match(consent, purpose).verdict, Verdict::kApprove);
  for (const json& e : doc.at("api_doc_examples")) Read(e.at("value"), Side::kConsent);
}

TEST(DuosDataUse, BadDocumentsFailNamingTheField) {
  struct Bad {
    std::string_view text, needle;
  };
  for (const Bad& b : {Bad{"[]", "must be a JSON object"}, Bad{"{", "not valid JSON"},
                       Bad{R"({"hmbResearch": "yes"})", "\"hmbResearch\" must be true"},
                       Bad{R"({"diseaseRestrictions": "DOID:4"})", "\"diseaseRestrictions\""},
                       Bad{R"({"diseaseRestrictions": [""]})", "non-empty strings"},
                       Bad{R"({"other": 5})", "\"other\" must be a string"},
                       Bad{R"({"genomefed": {"terms": ["DUO:0000014"]}})", "not a current DUO"},
                       Bad{R"({"genomefed": {"colaborators": []}})", "genomefed.colaborators"}}) {
    Result<DataUse> r = ParseDuosDataUse(b.text, Side::kConsent, "f.json");
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(b.needle), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().rfind("f.json", 0), 0u) << r.status().message();
  }
}

// Found by fuzzing: an empty field name was kept as "" and could not be read back.
TEST(DuosDataUse, EmptyFieldNameRoundTrips) {
  DataUse u = Read(json::parse(R"({"": true, "hmbResearch": true})"), Side::kConsent);
  ASSERT_EQ(u.unrecognised, (std::vector<std::string>{"(empty field name)"}));
  EXPECT_EQ(Read(DataUseToDuosJson(u, Side::kConsent), Side::kConsent), u);
}

// Quoted outside text is cut on a UTF-8 boundary, so reasons stay valid JSON strings.
TEST(DuosDataUse, LongFreeTextIsCutOnACharacterBoundary) {
  DataUse consent =
      Read(json{{"hmbResearch", true}, {"other", std::string(199, 'x') + "é"}}, Side::kConsent);
  MatchResult m = Match(consent, Read(json{{"hmbResearch", true}}, Side::kPurpose));
  EXPECT_EQ(m.verdict, Verdict::kNeedsReview);
  EXPECT_NO_THROW((void)MatchResultToJson(m).dump());
}

TEST(DuosDataUse, MatchResultJsonHasBothSpellings) {
  json j = MatchResultToJson({Verdict::kNeedsReview, {"why"}});
  EXPECT_EQ(j["verdict"], "needs_review");
  EXPECT_EQ(j["result"], "ABSTAIN");
  EXPECT_EQ(j["reasons"], j["rationale"]);
}

}  // namespace
}  // namespace genomefed::duo
