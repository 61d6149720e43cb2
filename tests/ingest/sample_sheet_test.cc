#include "ingest/sample_sheet.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace genomefed::ingest {
namespace {

TEST(SampleSheetTsv, ParsesColumnsInAnyOrderAndIgnoresExtras) {
  auto rows = ParseSampleSheetTsv(
      "population\tsample_id\textra\tsex\tphenotypes\tdiseases\tconsent\n"
      "FIN\ts1\tx\tfemale\tHP:0001250; HP:0000118\tICD10:G40\tDUO:0000042\n"
      "NLD\ts2\ty\tM\t\t\t\n",
      "sheet.tsv");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "s1");
  EXPECT_EQ((*rows)[0].sex, "NCIT:C16576");
  EXPECT_EQ((*rows)[0].population, "FIN");
  EXPECT_EQ((*rows)[0].phenotypes, std::vector<std::string>({"HP:0001250", "HP:0000118"}));
  EXPECT_EQ((*rows)[0].diseases, std::vector<std::string>({"ICD10:G40"}));
  EXPECT_EQ((*rows)[0].consent, std::vector<std::string>({"DUO:0000042"}));
  EXPECT_EQ((*rows)[1].sex, "NCIT:C20197");
  EXPECT_TRUE((*rows)[1].phenotypes.empty());
}

TEST(SampleSheetTsv, ErrorsNameTheLine) {
  auto dup = ParseSampleSheetTsv("sample_id\tsex\ns1\tmale\ns2\tfemale\ns1\tmale\n", "s.tsv");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("s.tsv:4"), std::string::npos) << dup.status().message();
  EXPECT_NE(dup.status().message().find("s.tsv:2"), std::string::npos);
  auto no_id = ParseSampleSheetTsv("name\tsex\ns1\tmale\n", "s.tsv");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("sample_id"), std::string::npos);
  auto short_row = ParseSampleSheetTsv("sample_id\tsex\tpopulation\ns1\tmale\n", "s.tsv");
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.status().message().find("s.tsv:2"), std::string::npos);
  auto bad_sex = ParseSampleSheetTsv("sample_id\tsex\ns1\tyes\n", "s.tsv");
  ASSERT_FALSE(bad_sex.ok());
  EXPECT_NE(bad_sex.status().message().find("s.tsv:2"), std::string::npos);
  auto bad_term = ParseSampleSheetTsv("sample_id\tphenotypes\ns1\tseizures\n", "s.tsv");
  ASSERT_FALSE(bad_term.ok());
  EXPECT_FALSE(ParseSampleSheetTsv("", "s.tsv").ok());
}

TEST(IndividualsJson, ReadsBeaconIndividuals) {
  auto rows = ParseIndividualsJson(R"([
    {"id": "HG1", "sex": {"id": "NCIT:C20197", "label": "male"},
     "ethnicity": {"id": "NCIT:C42331", "label": "African"},
     "diseases": [{"diseaseCode": {"id": "ICD10:G35", "label": "multiple sclerosis"}}],
     "phenotypicFeatures": [{"featureType": {"id": "HP:0001250"}},
                            {"featureType": {"id": "HP:0000001"}, "excluded": true}]},
    {"id": "HG2", "sex": {"id": "NCIT:C16576"}, "geographicOrigin": {"label": "Wales"}}
  ])",
                                   "ind.json");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].sex, "NCIT:C20197");
  EXPECT_EQ((*rows)[0].population, "African");
  EXPECT_EQ((*rows)[0].diseases, std::vector<std::string>({"ICD10:G35"}));
  EXPECT_EQ((*rows)[0].phenotypes, std::vector<std::string>({"HP:0001250"}));
  EXPECT_FALSE((*rows)[0].individual_json.empty());
  EXPECT_EQ((*rows)[1].population, "Wales");
  EXPECT_FALSE(ParseIndividualsJson("[{\"sex\":{}}]", "x").ok());
  EXPECT_FALSE(ParseIndividualsJson("[{\"id\":\"a\"},{\"id\":\"a\"}]", "x").ok());
  EXPECT_FALSE(ParseIndividualsJson("{not json", "x").ok());
}

TEST(IndividualsJson, RealCinecaCohort) {
  GF_REQUIRE_SHARED("data/cineca-uk1/individuals.json");
  auto rows = ReadSampleSheet(testing::SharedDir() / "data/cineca-uk1/individuals.json");
  ASSERT_OK(rows);
  EXPECT_EQ(rows->size(), 2504u);
  size_t with_disease = 0, males = 0;
  for (const auto& r : *rows) {
    with_disease += r.diseases.empty() ? 0 : 1;
    males += r.sex == "NCIT:C20197" ? 1 : 0;
  }
  EXPECT_EQ(with_disease, 1705u);  // the README's count of individuals with diseases
  EXPECT_GT(males, 1000u);
}

}  // namespace
}  // namespace genomefed::ingest
