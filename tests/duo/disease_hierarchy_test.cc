// Disease hierarchies from OBO, OBO-graph JSON (HPO from ../shared) and ancestor maps.
#include "duo/disease_hierarchy.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include "core/file.h"
#include "duo/match.h"
#include "support/test_support.h"

namespace genomefed::duo {
namespace {

constexpr std::string_view kObo = R"(format-version: 1.2
data-version: doid/releases/test

[Term]
id: DOID:4
name: disease

[Term]
id: DOID:162
name: cancer
is_a: DOID:14566 ! disease of cellular proliferation

[Term]
id: DOID:14566
name: disease of cellular proliferation
is_a: DOID:4 ! disease

[Term]
id: DOID:10155
name: intestinal cancer
alt_id: DOID:9999999
is_a: DOID:3119 {source="x"} ! gastrointestinal system cancer

[Term]
id: DOID:3119
is_a: DOID:162

[Typedef]
id: part_of
is_a: something
)";

TEST(DiseaseHierarchy, OboAncestorsNearestFirstWithAltIdsAndIris) {
  Result<DiseaseHierarchy> h = DiseaseHierarchy::Parse(kObo, "doid.obo");
  ASSERT_OK(h);
  EXPECT_EQ(h->Ancestors("DOID:10155"),
            (std::vector<std::string>{"DOID:3119", "DOID:162", "DOID:14566", "DOID:4"}));
  EXPECT_EQ(h->Ancestors("http://purl.obolibrary.org/obo/DOID_9999999"),
            h->Ancestors("DOID:10155"));
  EXPECT_TRUE(h->Ancestors("DOID:4").empty());
  EXPECT_TRUE(h->Ancestors("part_of").empty());
  EXPECT_EQ(h->Label("DOID:162"), "cancer");
  // Through Match: the consent's cancer covers intestinal cancer.
  DataUse consent;
  consent.terms = {"DUO:0000007"};
  consent.diseases = {"DOID:162"};
  DataUse purpose;
  purpose.diseases = {"DOID:10155"};
  EXPECT_EQ(Match(consent, purpose, &*h).verdict, Verdict::kApprove);
  EXPECT_EQ(Match(purpose, consent, &*h).verdict, Verdict::kDeny);
}

TEST(DiseaseHierarchy, CyclesTerminate) {
  DiseaseHierarchy h;
  h.AddParent("A:1", "A:2");
  h.AddParent("A:2", "A:1");
  EXPECT_EQ(h.Ancestors("A:1"), (std::vector<std::string>{"A:2"}));
}

TEST(DiseaseHierarchy, AncestorMapAndOboGraphJson) {
  Result<DiseaseHierarchy> map = DiseaseHierarchy::Parse(
      R"({"http://purl.obolibrary.org/obo/DOID_10155": ["DOID:3119", "DOID:162"],
          "DOID:162": ["DOID:4"]})",
      "ancestors.json");
  ASSERT_OK(map);
  EXPECT_EQ(map->Ancestors("DOID:10155"),
            (std::vector<std::string>{"DOID:3119", "DOID:162", "DOID:4"}));
  Result<DiseaseHierarchy> graph = DiseaseHierarchy::Parse(
      R"({"graphs": [{"nodes": [{"id": "http://purl.obolibrary.org/obo/MONDO_0005148",
                                  "lbl": "type 2 diabetes mellitus"}],
                       "edges": [{"sub": "http://purl.obolibrary.org/obo/MONDO_0005148",
                                  "pred": "is_a",
                                  "obj": "http://purl.obolibrary.org/obo/MONDO_0005015"},
                                 {"sub": "x", "pred": "part_of", "obj": "y"}]}]})",
      "mondo.json");
  ASSERT_OK(graph);
  EXPECT_EQ(graph->Ancestors("MONDO:0005148"), (std::vector<std::string>{"MONDO:0005015"}));
  EXPECT_EQ(graph->Label("MONDO:0005148"), "type 2 diabetes mellitus");
}

TEST(DiseaseHierarchy, BadInputFailsNamingSourceAndLine) {
  struct Bad {
    std::string_view text, needle;
  };
  for (const Bad& b :
       {Bad{"[Term]\nname: x\n", "f:1: [Term] stanza without an id"},
        Bad{"[Term]\nid: A:1\nis_a: \n", "f:3: is_a without a valid id"},
        Bad{"[Term]\nid: A:1\nnonsense line\n", "f:3: expected 'tag: value'"},
        Bad{"[Term\nid: A:1\n", "f:1: malformed stanza header"},
        Bad{"just text\n", "no [Term] stanza"}, Bad{"{\"graphs\": 3}", "\"graphs\" array"},
        Bad{"{\"graphs\": [{\"edges\": [{\"pred\": \"is_a\", \"sub\": 1}]}]}",
            "graphs[0].edges[0]"},
        Bad{"{\"A:1\": \"A:2\"}", "must map to an array"}, Bad{"{\"A:1\": [2]}", "ancestor"},
        Bad{"{\"A:1\": [", "not valid JSON"}, Bad{"\x1f\x8b\x08", "gzip"}}) {
    Result<DiseaseHierarchy> h = DiseaseHierarchy::Parse(b.text, "f");
    ASSERT_FALSE(h.ok()) << b.text;
    EXPECT_NE(h.status().message().find(b.needle), std::string::npos) << h.status().message();
  }
  EXPECT_EQ(DiseaseHierarchy::Load("/nonexistent/doid.obo").status().code(), StatusCode::kNotFound);
}

// Found by fuzzing: nlohmann throws out_of_range (not parse_error) for 1e999999.
TEST(DiseaseHierarchy, NumberOverflowIsAnErrorNotACrash) {
  Result<DiseaseHierarchy> h = DiseaseHierarchy::Parse("{\"A:1\": 9E999999}", "big.json");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("big.json: not valid JSON"), std::string::npos);
}

std::string Gunzip(const std::string& gz) {
  z_stream zs{};
  inflateInit2(&zs, 16 + MAX_WBITS);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[1 << 16];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "";
}

TEST(DiseaseHierarchy, HpoOboGraphJsonFromShared) {
  GF_REQUIRE_SHARED("ontologies/hp.v2024-08-13.json.gz");
  Result<std::string> gz = ReadFile(testing::SharedDir() / "ontologies/hp.v2024-08-13.json.gz");
  ASSERT_OK(gz);
  std::string text = Gunzip(*gz);
  ASSERT_FALSE(text.empty());
  Result<DiseaseHierarchy> h = DiseaseHierarchy::Parse(text, "hp.json");
  ASSERT_OK(h);
  EXPECT_GT(h->size(), 15000u);
  // Focal-onset seizure (HP:0007359) is_a Seizure (HP:0001250) ... is_a All (HP:0000001).
  std::vector<std::string> up = h->Ancestors("HP:0007359");
  EXPECT_NE(std::find(up.begin(), up.end(), "HP:0001250"), up.end());
  EXPECT_NE(std::find(up.begin(), up.end(), "HP:0000001"), up.end());
  EXPECT_EQ(h->Label("HP:0001250"), "Seizure");
}

}  // namespace
}  // namespace genomefed::duo
