// Matching rules beyond the DUOS V4 cases, and the comma-separated code form.
#include "duo/match.h"

#include <gtest/gtest.h>

#include "duo/disease_hierarchy.h"
#include "duo/terms.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

DataUse Codes(std::string_view text) {
  Result<DataUse> r = ParseCodes(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : DataUse{};
}

std::string AllReasons(const MatchResult& m) {
  std::string out;
  for (const auto& r : m.reasons) out += r + "\n";
  return out;
}

TEST(ParseCodes, MixesDuoIdsShorthandsAndDiseases) {
  DataUse u = Codes("DUO:0000007, MONDO:0005148 ,NPU,http://purl.obolibrary.org/obo/DOID_162");
  EXPECT_EQ(u.terms, (std::vector<std::string>{"DUO:0000007", "DUO:0000045"}));
  EXPECT_EQ(u.diseases,
            (std::vector<std::string>{"MONDO:0005148", "http://purl.obolibrary.org/obo/DOID_162"}));
  EXPECT_EQ(FormatCodes(u),
            "DUO:0000007,DUO:0000045,MONDO:0005148,http://purl.obolibrary.org/obo/DOID_162");
  EXPECT_EQ(Codes("GRU,GRU,DUO:0000042").terms, (std::vector<std::string>{"DUO:0000042"}));
}

TEST(ParseCodes, RejectsUnknownObsoleteAndMalformedItemsNamingThem) {
  struct Bad {
    std::string_view input, needle;
  };
  for (const Bad& b : {Bad{"", "no DUO codes"}, Bad{"DUO:0000042,,HMB", "item 2"},
                       Bad{"DUO:0009999", "unknown DUO term 'DUO:0009999' (item 1)"},
                       Bad{"HMB,XYZ", "unknown DUO shorthand 'XYZ' (item 2)"},
                       Bad{"DUO:0000014", "obsolete"}, Bad{"GRU-CC", "obsolete"},
                       Bad{"MONDO:00 05", "malformed code"}, Bad{"1MONDO:5", "malformed code"},
                       Bad{"MONDO:", "malformed code"}, Bad{"http://", "malformed"}}) {
    Result<DataUse> r = ParseCodes(b.input);
    ASSERT_FALSE(r.ok()) << b.input;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(b.needle), std::string::npos)
        << b.input << " → " << r.status().message();
  }
}

TEST(Terms, TableKnowsEveryPermissionAndModifierWithHierarchy) {
  for (std::string_view s :
       {"GRU", "HMB", "DS", "POA", "NRES", "NPU", "NCU", "NPUNCU", "PUB", "COL",  "IRB", "GS",
        "MOR", "TS",  "US", "PS",  "IS",   "RTN", "CC",  "NPOA",   "RS",  "NMDS", "GSO"}) {
    const Term* t = FindTerm(s);
    ASSERT_NE(t, nullptr) << s;
    EXPECT_NE(t->kind, TermKind::kObsolete) << s;
  }
  EXPECT_TRUE(IsA("DUO:0000007", "DUO:0000042"));  // DS is_a HMB is_a GRU
  EXPECT_TRUE(IsA("DUO:0000045", "DUO:0000018"));  // NPU is_a NPUNCU
  EXPECT_FALSE(IsA("DUO:0000042", "DUO:0000007"));
  EXPECT_EQ(Describe("DUO:0000006"), "HMB (DUO:0000006)");
  EXPECT_EQ(Describe("DUO:0000031"), "method development (DUO:0000031)");
}

TEST(Match, VerdictNamesRoundTrip) {
  for (Verdict v : {Verdict::kApprove, Verdict::kDeny, Verdict::kNeedsReview}) {
    EXPECT_EQ(ParseVerdict(VerdictName(v)), v);
  }
  EXPECT_FALSE(ParseVerdict("APPROVE").has_value());
}

TEST(Match, DiseaseSpecificConsentWithHierarchy) {
  DiseaseHierarchy h;
  h.AddParent("MONDO:0005148", "MONDO:0005015");  // type 2 diabetes → diabetes mellitus
  h.AddParent("MONDO:0005015", "MONDO:0000001");
  h.AddLabel("MONDO:0005015", "diabetes mellitus");
  DataUse consent = Codes("DUO:0000007,MONDO:0005015");
  MatchResult narrower = Match(consent, Codes("DS,MONDO:0005148"), &h);
  EXPECT_EQ(narrower.verdict, Verdict::kApprove) << AllReasons(narrower);
  EXPECT_NE(AllReasons(narrower).find("diabetes mellitus"), std::string::npos);
  // Without the hierarchy only the exact id matches.
  MatchResult exact = Match(consent, Codes("DS,MONDO:0005148"));
  EXPECT_EQ(exact.verdict, Verdict::kDeny);
  EXPECT_NE(AllReasons(exact).find("exact id"), std::string::npos);
  // Broader purpose: deny, naming DS.
  MatchResult broader = Match(consent, Codes("DS,MONDO:0000001"), &h);
  EXPECT_EQ(broader.verdict, Verdict::kDeny);
  EXPECT_NE(AllReasons(broader).find("DS (DUO:0000007)"), std::string::npos);
  // HMB purpose on a DS consent: deny; CURIE and IRI spellings are one disease.
  EXPECT_EQ(Match(consent, Codes("HMB")).verdict, Verdict::kDeny);
  EXPECT_EQ(Match(consent, Codes("http://purl.obolibrary.org/obo/MONDO_0005015")).verdict,
            Verdict::kApprove);
}

TEST(Match, GeneralResearchPurposeIsBroaderThanEveryNarrowerConsent) {
  EXPECT_EQ(Match(Codes("GRU"), Codes("GRU")).verdict, Verdict::kApprove);
  EXPECT_EQ(Match(Codes("NRES"), Codes("GRU")).verdict, Verdict::kApprove);
  for (std::string_view consent : {"HMB", "POA", "DS,MONDO:0005148"}) {
    MatchResult m = Match(Codes(consent), Codes("GRU"));
    EXPECT_EQ(m.verdict, Verdict::kDeny) << consent;
    EXPECT_NE(AllReasons(m).find("GRU (DUO:0000042) purpose is broader"), std::string::npos);
  }
}

TEST(Match, NonProfitModifiersNeedADeclaredNonProfitPurpose) {
  for (std::string_view consent : {"HMB,NPU", "HMB,NCU", "HMB,NPUNCU"}) {
    MatchResult undeclared = Match(Codes(consent), Codes("HMB"));
    EXPECT_EQ(undeclared.verdict, Verdict::kDeny) << consent;
    EXPECT_NE(AllReasons(undeclared).find("does not declare"), std::string::npos);
    EXPECT_EQ(Match(Codes(consent), Codes("HMB,NPUNCU")).verdict, Verdict::kApprove);
    DataUse commercial = Codes("HMB");
    commercial.non_profit = false;
    EXPECT_EQ(Match(Codes(consent), commercial).verdict, Verdict::kDeny);
  }
}

TEST(Match, ModifiersTheResearcherCanSatisfyOtherwiseNeedReview) {
  DataUse consent = Codes("GRU,IRB,COL,PUB");
  MatchResult bare = Match(consent, Codes("HMB"));
  EXPECT_EQ(bare.verdict, Verdict::kNeedsReview);
  EXPECT_EQ(bare.reasons.size(), 3u) << AllReasons(bare);
  DataUse full = Codes("HMB");
  full.ethics_approval = "ERB-2026-17";
  full.collaborators = {"Dr. Virtanen"};
  full.publication_promised = true;
  MatchResult ok = Match(consent, full);
  EXPECT_EQ(ok.verdict, Verdict::kApprove) << AllReasons(ok);
  EXPECT_NE(AllReasons(ok).find("ERB-2026-17"), std::string::npos);
}

TEST(Match, HumanChecksAndObligations) {
  for (std::string_view m : {"GS", "US", "PS", "IS", "RS", "GSO"}) {
    MatchResult r = Match(Codes("GRU," + std::string(m)), Codes("HMB"));
    EXPECT_EQ(r.verdict, Verdict::kNeedsReview) << m;
    EXPECT_NE(AllReasons(r).find(Describe(FindTerm(m)->id)), std::string::npos) << m;
  }
  EXPECT_EQ(Match(Codes("GRU,GSO"), Codes("HMB,DUO:0000038")).verdict, Verdict::kApprove);
  MatchResult obligations = Match(Codes("GRU,MOR,TS,RTN"), Codes("HMB"));
  EXPECT_EQ(obligations.verdict, Verdict::kApprove);
  EXPECT_EQ(obligations.reasons.size(), 4u) << AllReasons(obligations);
  DataUse free_text = Codes("HMB");
  free_text.other = "Samples may not be sold for profit.";
  EXPECT_EQ(Match(free_text, Codes("HMB")).verdict, Verdict::kNeedsReview);
}

TEST(Match, ProhibitionsDeny) {
  EXPECT_EQ(Match(Codes("GRU,NPOA"), Codes("POA")).verdict, Verdict::kDeny);
  EXPECT_EQ(Match(Codes("GRU,NPOA"), Codes("HMB")).verdict, Verdict::kApprove);
  EXPECT_EQ(Match(Codes("GRU"), Codes("HMB,CC")).verdict, Verdict::kDeny);
  EXPECT_EQ(Match(Codes("GRU,CC"), Codes("HMB,CC")).verdict, Verdict::kApprove);
  // NMDS: methods research only within the consented disease.
  EXPECT_EQ(Match(Codes("HMB,NMDS"), Codes("DUO:0000031")).verdict, Verdict::kDeny);
  EXPECT_EQ(Match(Codes("DS,MONDO:0005148,NMDS"), Codes("DUO:0000031,DS,MONDO:0005148")).verdict,
            Verdict::kApprove);
  EXPECT_EQ(Match(Codes("HMB"), Codes("DUO:0000031")).verdict, Verdict::kApprove);
}

TEST(Match, DenyDominatesNeedsReviewAndKeepsItsReasons) {
  MatchResult m = Match(Codes("POA,US"), Codes("HMB"));
  EXPECT_EQ(m.verdict, Verdict::kDeny);
  EXPECT_NE(AllReasons(m).find("also for review"), std::string::npos) << AllReasons(m);
}

TEST(Match, ConsentWithoutPermissionNeedsReview) {
  MatchResult m = Match(Codes("IRB"), Codes("HMB"));
  EXPECT_EQ(m.verdict, Verdict::kNeedsReview);
  EXPECT_NE(AllReasons(m).find("states no data use permission"), std::string::npos);
}

}  // namespace
}  // namespace genomefed::duo
