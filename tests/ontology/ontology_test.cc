#include "ontology/ontology.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "support/test_support.h"

namespace genomefed::ontology {
namespace {

constexpr std::string_view kObo = R"(format-version: 1.2
data-version: hp/releases/2024-08-13
! a comment

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0001250
name: Seizure
alt_id: HP:0002279
is_a: HP:0012638 ! Abnormal nervous system physiology

[Term]
id: HP:0012638
name: Abnormal nervous system physiology
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0007359
name: Focal-onset seizure
is_a: HP:0001250 ! Seizure
is_a: HP:0012638 {source="x"}

[Typedef]
id: part_of
name: part of
)";

TEST(OntologyTest, ParsesOboNamesAltIdsAndDescendants) {
  auto o = Ontology::ParseObo(kObo, "mini.obo");
  ASSERT_OK(o);
  EXPECT_EQ(o->version(), "hp/releases/2024-08-13");
  EXPECT_EQ(o->Name("HP:0001250").value_or(""), "Seizure");
  EXPECT_EQ(o->Primary("HP:0002279").value_or(""), "HP:0001250");
  EXPECT_FALSE(o->Contains("part_of"));
  EXPECT_EQ(o->Descendants("HP:0001250"), (std::vector<std::string>{"HP:0001250", "HP:0007359"}));
  // The DAG path via two parents must not duplicate HP:0007359.
  EXPECT_EQ(o->Descendants("HP:0000118"),
            (std::vector<std::string>{"HP:0000118", "HP:0001250", "HP:0007359", "HP:0012638"}));
  // An alt id expands like its primary term; an unknown id stands for itself.
  EXPECT_EQ(o->Descendants("HP:0002279").size(), 2u);
  EXPECT_EQ(o->Descendants("HP:9999999"), (std::vector<std::string>{"HP:9999999"}));
  // Memoised answers equal fresh ones.
  EXPECT_EQ(o->Descendants("HP:0000118").size(), 4u);
}

TEST(OntologyTest, RejectsGarbageWithPlace) {
  auto bad = Ontology::ParseObo("[Term]\nid: HP:1\nthis line has no colon\n", "bad.obo");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.obo:3"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(Ontology::ParseObo("just text", "x").ok());
  EXPECT_FALSE(Ontology::ParseOboGraphJson("{\"graphs\": [", "x.json").ok());
  EXPECT_FALSE(Ontology::ParseOboGraphJson("[1,2]", "x.json").ok());
}

TEST(OntologyTest, ParsesOboGraphJson) {
  constexpr std::string_view kJson = R"({"graphs":[{"id":"x","meta":{"version":"v1"},
    "nodes":[{"id":"http://purl.obolibrary.org/obo/HP_0000001","lbl":"All","type":"CLASS"},
             {"id":"http://purl.obolibrary.org/obo/HP_0000002","lbl":"Growth","type":"CLASS",
              "meta":{"basicPropertyValues":[{"pred":"http://www.geneontology.org/formats/oboInOwl#hasAlternativeId","val":"HP:0000003"}]}},
             {"id":"http://purl.obolibrary.org/obo/hp#prop","type":"PROPERTY"}],
    "edges":[{"sub":"http://purl.obolibrary.org/obo/HP_0000002","pred":"is_a","obj":"http://purl.obolibrary.org/obo/HP_0000001"}]}]})";
  auto o = Ontology::ParseOboGraphJson(kJson, "mini.json");
  ASSERT_OK(o);
  EXPECT_EQ(o->size(), 2u);
  EXPECT_EQ(o->version(), "v1");
  EXPECT_EQ(o->Primary("HP:0000003").value_or(""), "HP:0000002");
  EXPECT_EQ(o->Descendants("HP:0000001"), (std::vector<std::string>{"HP:0000001", "HP:0000002"}));
}

TEST(OntologyTest, LoadsRealHpoRelease) {
  GF_REQUIRE_SHARED("ontologies/hp.v2024-08-13.json.gz");
  auto t0 = std::chrono::steady_clock::now();
  auto o = Ontology::Load(testing::SharedDir() / "ontologies/hp.v2024-08-13.json.gz");
  ASSERT_OK(o);
  auto load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
  // SOURCE.txt: 19,434 HP classes; a few edges name non-class nodes, which become bare terms.
  EXPECT_GE(o->size(), 19434u);
  EXPECT_LE(o->size(), 19487u);
  EXPECT_EQ(o->Name("HP:0001250").value_or(""), "Seizure");
  EXPECT_EQ(o->Name("HP:0000118").value_or(""), "Phenotypic abnormality");
  // The 2024-08-13 release's "Seizure" subtree.
  auto seizure = o->Descendants("HP:0001250");
  EXPECT_GT(seizure.size(), 100u);
  EXPECT_TRUE(std::binary_search(seizure.begin(), seizure.end(), "HP:0007359"));
  auto all = o->Descendants("HP:0000001");
  EXPECT_GT(all.size(), 18900u);  // every live term hangs below the root
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(o->Descendants("HP:0001250").size(), seizure.size());
  auto memo_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t1) / 100;
  std::cout << "HPO load " << load_ms.count() << " ms, memoised Seizure subtree " << memo_us.count()
            << " us\n";
}

TEST(OntologyTest, GzipTruncationIsCorruption) {
  GF_REQUIRE_SHARED("ontologies/hp.v2024-08-13.json.gz");
  testing::TempDir dir;
  std::ifstream in(testing::SharedDir() / "ontologies/hp.v2024-08-13.json.gz", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "cut.json.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  auto o = Ontology::Load(dir / "cut.json.gz");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kCorruption) << o.status().ToString();
}

TEST(OntologyTest, KnownLabels) {
  EXPECT_EQ(KnownLabel("NCIT:C16576").value_or(""), "female");
  EXPECT_EQ(KnownLabel("NCIT:C20197").value_or(""), "male");
  EXPECT_EQ(KnownLabel("DUO:0000042").value_or(""), "general research use");
  EXPECT_FALSE(KnownLabel("HP:0000001").has_value());
}

}  // namespace
}  // namespace genomefed::ontology
