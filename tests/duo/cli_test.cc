// Runs the built `genomefed duo ...` binary as a user would: verdicts, JSON, files, bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

using ::genomefed::testing::CommandResult;
using ::genomefed::testing::GenomefedBinary;
using ::genomefed::testing::RunCommand;
using ::genomefed::testing::TempDir;

class DuoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GenomefedBinary())) {
      GTEST_SKIP() << "the genomefed binary is not built at " << GenomefedBinary();
    }
  }
  CommandResult Duo(const std::string& args, bool merge_stderr = false) {
    return RunCommand("cd '" + dir_.path().string() + "' && '" + GenomefedBinary().string() +
                          "' duo " + args + " </dev/null",
                      merge_stderr);
  }
  void Write(const std::string& name, const std::string& content) {
    ASSERT_OK(WriteFileAtomic(dir_ / name, content));
  }
  TempDir dir_;
};

TEST_F(DuoCli, MatchPrintsVerdictAndReasonsNamingTerms) {
  CommandResult deny = Duo("match --consent DUO:0000007,MONDO:0005148 --purpose DUO:0000006");
  EXPECT_EQ(deny.exit_code, 0);
  EXPECT_EQ(deny.output.rfind("deny\n", 0), 0u) << deny.output;
  EXPECT_NE(deny.output.find("HMB (DUO:0000006)"), std::string::npos);
  EXPECT_NE(deny.output.find("DS (DUO:0000007)"), std::string::npos);

  CommandResult approve =
      Duo("match --consent GRU,IRB --purpose HMB --ethics-approval ERB-7 --json");
  ASSERT_EQ(approve.exit_code, 0) << approve.output;
  nlohmann::json j = nlohmann::json::parse(approve.output);
  EXPECT_EQ(j["verdict"], "approve");
  EXPECT_EQ(j["result"], "APPROVE");
  EXPECT_NE(j["reasons"].dump().find("ERB-7"), std::string::npos);

  CommandResult review = Duo("match --consent GRU,IRB --purpose HMB --json");
  EXPECT_EQ(nlohmann::json::parse(review.output)["verdict"], "needs_review");
  CommandResult commercial = Duo("match --consent HMB,NPU --purpose HMB,NPUNCU --commercial");
  EXPECT_EQ(commercial.output.rfind("deny\n", 0), 0u) << commercial.output;
}

TEST_F(DuoCli, MatchReadsDuosJsonAndDiseaseAncestors) {
  Write("consent.json", R"({"diseaseRestrictions": ["http://purl.obolibrary.org/obo/DOID_162"]})");
  Write("purpose.json",
        R"({"diseaseRestrictions": ["http://purl.obolibrary.org/obo/DOID_10155"]})");
  Write("ancestors.json", R"({"http://purl.obolibrary.org/obo/DOID_10155":
      ["http://purl.obolibrary.org/obo/DOID_3119", "http://purl.obolibrary.org/obo/DOID_162"]})");
  CommandResult exact = Duo("match --consent-json consent.json --purpose-json purpose.json --json");
  ASSERT_EQ(exact.exit_code, 0) << exact.output;
  EXPECT_EQ(nlohmann::json::parse(exact.output)["verdict"], "deny");
  CommandResult tree =
      Duo("match --consent-json consent.json --purpose-json purpose.json "
          "--disease-ancestors ancestors.json --json");
  ASSERT_EQ(tree.exit_code, 0) << tree.output;
  nlohmann::json j = nlohmann::json::parse(tree.output);
  EXPECT_EQ(j["verdict"], "approve");
  EXPECT_EQ(j["purpose"]["diseaseRestrictions"][0], "http://purl.obolibrary.org/obo/DOID_10155");
}

TEST_F(DuoCli, BadInputExitsTwoWithAClearMessage) {
  Write("bad.json", R"({"hmbResearch": "yes"})");
  Write("bad.obo", "[Term]\nid: A:1\nis_a: \n");
  struct Case {
    std::string args, needle;
  };
  for (const Case& c :
       {Case{"match --consent DUO:0009999 --purpose HMB", "--consent: unknown DUO term"},
        Case{"match --consent HMB --purpose 'HMB,,GRU'", "item 2"},
        Case{"match --purpose HMB", "give either --consent"},
        Case{"match --consent HMB --consent-json bad.json --purpose HMB", "give either"},
        Case{"match --consent-json bad.json --purpose HMB", "bad.json: field \"hmbResearch\""},
        Case{"match --consent HMB --purpose HMB --disease-ancestors bad.obo",
             "bad.obo:3: is_a without"},
        Case{"convert --codes HMB --side dataset", "--side must be consent or purpose"}}) {
    CommandResult r = Duo(c.args, /*merge_stderr=*/true);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.needle), std::string::npos) << c.args << "\n" << r.output;
  }
  CommandResult missing = Duo("match --consent-json nope.json --purpose HMB", true);
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  EXPECT_NE(missing.output.find("nope.json"), std::string::npos);
}

TEST_F(DuoCli, ConvertAndTerms) {
  CommandResult c = Duo("convert --codes HMB,NCU,US --side consent");
  ASSERT_EQ(c.exit_code, 0) << c.output;
  nlohmann::json j = nlohmann::json::parse(c.output);
  EXPECT_EQ(j["dataUse"]["hmbResearch"], true);
  EXPECT_EQ(j["dataUse"]["nonProfitUse"], true);
  Write("back.json", j["dataUse"].dump());
  CommandResult back = Duo("convert --datause-json back.json --side consent");
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_EQ(nlohmann::json::parse(back.output)["codes"], "DUO:0000046,DUO:0000026,DUO:0000006");

  CommandResult terms = Duo("terms --json");
  ASSERT_EQ(terms.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(terms.output).size(), 39u);
  Write("drift.csv", "id,shorthand,label,description\nDUO:0000042,GRU,renamed,d\n");
  CommandResult drift = Duo("terms --csv drift.csv");
  EXPECT_EQ(drift.exit_code, 1);
  EXPECT_NE(drift.output.find("DUO:0000042: label 'renamed'"), std::string::npos);
}

TEST_F(DuoCli, TermsAgreeWithSharedRelease) {
  GF_REQUIRE_SHARED("duo/duo.owl");
  CommandResult r = Duo("terms --owl '" + (testing::SharedDir() / "duo/duo.owl").string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 differences"), std::string::npos);
}

}  // namespace
}  // namespace genomefed::duo
