// The Beacon core over a real store built by `genomefed ingest` from a small VCF written here:
// query shapes, filters with ontology descendants, granularity and min_count rules, errors, and
// every response type validated against the official v2.1.1 schemas.
#include "beacon/beacon.h"

#include <gtest/gtest.h>

#include <fstream>

#include "beacon_fixture.h"
#include "support/test_support.h"

namespace genomefed::beacon {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr std::string_view kMiniHpo = R"(format-version: 1.2
data-version: test
[Term]
id: HP:0000118
name: Phenotypic abnormality
[Term]
id: HP:0012638
name: Abnormal nervous system physiology
is_a: HP:0000118
[Term]
id: HP:0001250
name: Seizure
is_a: HP:0012638
[Term]
id: HP:0007359
name: Focal-onset seizure
is_a: HP:0001250
)";

DatasetAccess Full() { return DatasetAccess{Granularity::kRecord, 1, true}; }

class BeaconTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto data = testing::IngestSmallDataset(dir_->path(), "small");
    if (!data.ok()) {
      setup_error_ = data.status().ToString();
      return;
    }
    // A second dataset holding only S1 and S2 of two sites.
    std::ofstream(dir_->path() / "tiny.vcf")
        << "##fileformat=VCFv4.2\n##contig=<ID=22,length=51304566>\n"
           "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
           "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT1\tT2\n"
           "22\t16050075\t.\tA\tG\t.\tPASS\t.\tGT\t0|0\t0|0\n"
           "22\t17000000\t.\tC\tA\t.\tPASS\t.\tGT\t0|1\t0|0\n";
    std::ofstream(dir_->path() / "tiny.tsv")
        << "sample_id\tsex\tpopulation\tphenotypes\tdiseases\tconsent\n"
           "T1\tfemale\tFIN\tHP:0001250\t\tDUO:0000042\nT2\tmale\tFIN\t\t\t\n";
    Status s =
        testing::RunIngest(*data, "tiny", dir_->path() / "tiny.vcf", dir_->path() / "tiny.tsv");
    if (!s.ok()) {
      setup_error_ = s.ToString();
      return;
    }
    auto store = store::Store::Open(*data);
    if (!store.ok()) {
      setup_error_ = store.status().ToString();
      return;
    }
    store_ = std::move(store).value().release();
    hpo_ =
        new ontology::Ontology(std::move(ontology::Ontology::ParseObo(kMiniHpo, "mini")).value());
    genes_ = new GeneTable(
        std::move(GeneTable::ParseBed("chr22\t16050000\t16050250\tTESTG\n", "g.bed")).value());
    NodeConfig cfg;
    cfg.id = "org.genomefed.test";
    cfg.name = "Test node";
    cfg.country = "FI";
    cfg.public_url = "http://127.0.0.1:1";
    cfg.datasets.push_back(
        DatasetConfig{"small", "Small cohort", "six samples", "", {"DUO:0000042"}, "GRCh37", {}});
    beacon_ = new Beacon(cfg, store_, hpo_, genes_);
  }
  static void TearDownTestSuite() {
    delete beacon_;
    delete genes_;
    delete hpo_;
    delete store_;
    delete dir_;
  }
  void SetUp() override {
    if (!setup_error_.empty()) FAIL() << setup_error_;
  }

  static json Do(Endpoint e, QueryMap q, std::string id = "", DatasetAccess a = Full(),
                 int expect_status = 200, std::string method = "GET", std::string body = "") {
    Call c;
    c.endpoint = e;
    c.method = std::move(method);
    c.id = std::move(id);
    c.query = std::move(q);
    c.body = std::move(body);
    Reply r = beacon_->Handle(c, [a](std::string_view) { return a; });
    EXPECT_EQ(r.status, expect_status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  static uint64_t Total(const json& j) { return j["responseSummary"].value("numTotalResults", 0); }
  static const json& Set(const json& j, std::string_view id) {
    static const json kNone;
    if (!j.contains("response") || !j["response"].contains("resultSets")) return kNone;
    for (const auto& s : j["response"]["resultSets"]) {
      if (s["id"] == id) return s;
    }
    return kNone;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string setup_error_;
  static inline store::Store* store_ = nullptr;
  static inline ontology::Ontology* hpo_ = nullptr;
  static inline GeneTable* genes_ = nullptr;
  static inline Beacon* beacon_ = nullptr;
};

QueryMap Seq(std::string start, std::string ref, std::string alt, std::string g = "record") {
  return {{"referenceName", "chr22"},  {"start", start},
          {"referenceBases", ref},     {"alternateBases", alt},
          {"requestedGranularity", g}, {"datasetIds", "small"}};
}

TEST_F(BeaconTest, SequenceQueryRecordCarriesPopulationFrequencies) {
  json j = Do(Endpoint::kGVariants, Seq("16050074", "A", "G"));
  EXPECT_EQ(j["meta"]["returnedGranularity"], "record");
  EXPECT_TRUE(j["responseSummary"]["exists"]);
  EXPECT_EQ(Total(j), 1u);
  const json& set = Set(j, "small");
  ASSERT_EQ(set["results"].size(), 1u);
  const json& rec = set["results"][0];
  EXPECT_EQ(rec["variantInternalId"], "22-16050075-A-G");
  EXPECT_EQ(rec["variation"]["location"]["interval"]["start"]["value"], 16050074);
  const json& fip = rec["frequencyInPopulations"];
  ASSERT_EQ(fip.size(), 1u);
  EXPECT_EQ(fip[0]["source"], "small");
  std::map<std::string, json> by_pop;
  for (const auto& f : fip[0]["frequencies"]) by_pop[f["population"]] = f;
  ASSERT_EQ(by_pop.size(), 4u);  // Total, FIN, GBR, YRI
  EXPECT_EQ(by_pop["Total"]["alleleCount"], 4);
  EXPECT_EQ(by_pop["Total"]["alleleNumber"], 12);
  EXPECT_EQ(by_pop["Total"]["alleleCountHeterozygous"], 2);
  EXPECT_EQ(by_pop["Total"]["alleleCountHomozygous"], 2);
  EXPECT_EQ(by_pop["Total"]["alleleCountHemizygous"], 0);
  EXPECT_DOUBLE_EQ(by_pop["Total"]["alleleFrequency"].get<double>(), 4.0 / 12.0);
  EXPECT_EQ(by_pop["FIN"]["alleleCount"], 1);
  EXPECT_EQ(by_pop["GBR"]["alleleCount"], 2);
  EXPECT_EQ(by_pop["YRI"]["alleleCount"], 1);
  EXPECT_EQ(by_pop["YRI"]["alleleNumber"], 4);

  // Wrong alt, wrong position, wildcard N.
  EXPECT_FALSE(Do(Endpoint::kGVariants, Seq("16050074", "A", "T"))["responseSummary"]["exists"]);
  EXPECT_FALSE(Do(Endpoint::kGVariants, Seq("16050075", "A", "G"))["responseSummary"]["exists"]);
  EXPECT_TRUE(Do(Endpoint::kGVariants, Seq("16050074", "N", "G"))["responseSummary"]["exists"]);
}

TEST_F(BeaconTest, HaploidAndMissingCallsCountLikeGenomefedQuery) {
  json j = Do(Endpoint::kGVariant, {{"requestedGranularity", "record"}}, "X-1000-G-T");
  const json& total = Set(j, "small")["results"][0]["frequencyInPopulations"][0]["frequencies"][0];
  EXPECT_EQ(total["alleleCount"], 3);
  EXPECT_EQ(total["alleleNumber"], 9);
  EXPECT_EQ(total["alleleCountHemizygous"], 2);
  EXPECT_EQ(total["alleleCountHeterozygous"], 1);
  json ins = Do(Endpoint::kGVariant, {{"requestedGranularity", "record"}}, "chr22-16050400-C-CAG");
  EXPECT_EQ(
      Set(ins,
          "small")["results"][0]["frequencyInPopulations"][0]["frequencies"][0]["alleleNumber"],
      10);  // S6 is ./.
}

TEST_F(BeaconTest, RangeBracketGeneAndVariantTypes) {
  auto count = [](QueryMap q) {
    q.emplace("requestedGranularity", "count");
    q.emplace("datasetIds", "small");
    return Total(Do(Endpoint::kGVariants, std::move(q)));
  };
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "16050000"}, {"end", "16050399"}}), 4u);
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "16050000"}, {"end", "16050400"}}), 5u);
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "0"}, {"end", "99999999"}}), 8u);
  EXPECT_EQ(
      count({{"referenceName", "22"}, {"start", "0"}, {"end", "99999999"}, {"variantType", "DEL"}}),
      1u);
  EXPECT_EQ(
      count(
          {{"referenceName", "22"}, {"start", "0"}, {"end", "99999999"}, {"variantType", "INDEL"}}),
      2u);
  EXPECT_EQ(
      count({{"referenceName", "22"}, {"start", "0"}, {"end", "99999999"}, {"variantType", "MNP"}}),
      1u);
  EXPECT_EQ(count({{"referenceName", "22"},
                   {"start", "16050499"},
                   {"end", "16050500"},
                   {"alternateBases", "T"}}),
            1u);
  // Bracket: the deletion AT>A spans [16050299, 16050301).
  EXPECT_EQ(
      count(
          {{"referenceName", "22"}, {"start", "16050290,16050299"}, {"end", "16050301,16050310"}}),
      1u);
  EXPECT_EQ(
      count(
          {{"referenceName", "22"}, {"start", "16050290,16050299"}, {"end", "16050302,16050310"}}),
      0u);
  // Range queries accept partial overlaps (Beacon v2): the deletion AT>A at 0-based 16050299
  // spans [16050299, 16050301), so a range starting at 16050300 still contains it (its deleted
  // base), one starting at 16050301 does not; a SNV is no wider than its base.
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "16050300"}, {"end", "16050302"}}), 1u);
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "16050301"}, {"end", "16050302"}}), 0u);
  EXPECT_EQ(count({{"referenceName", "22"}, {"start", "16050075"}, {"end", "16050114"}}), 0u);
  // assemblyId: the dataset is GRCh37; GRCh38 coordinates must not match, synonyms do.
  for (const auto& [assembly, want] : std::vector<std::pair<std::string, uint64_t>>{
           {"GRCh38", 0}, {"hg38", 0}, {"GRCh37", 5}, {"hg19", 5}, {"grch37.p13", 5}}) {
    EXPECT_EQ(count({{"referenceName", "22"},
                     {"start", "16050000"},
                     {"end", "16050400"},
                     {"assemblyId", assembly}}),
              want)
        << assembly;
  }
  // Gene TESTG covers [16050000, 16050250): three sites.
  EXPECT_EQ(count({{"geneId", "testg"}}), 3u);
  json bad_gene = Do(Endpoint::kGVariants, {{"geneId", "NOPE"}}, "", Full(), 400);
  EXPECT_NE(bad_gene["error"]["errorMessage"].get<std::string>().find("NOPE"), std::string::npos);
}

TEST_F(BeaconTest, FiltersUseOntologyDescendantsAndCombineWithAnd) {
  auto n = [](std::string filters, QueryMap extra = {}) {
    extra.emplace("filters", filters);
    extra.emplace("requestedGranularity", "count");
    extra.emplace("datasetIds", "small");
    return Total(Do(Endpoint::kIndividuals, std::move(extra)));
  };
  EXPECT_EQ(n("HP:0001250"), 3u);  // S1, S3, and S2 through Focal-onset seizure
  EXPECT_EQ(n("HP:0012638"), 4u);  // plus S5
  EXPECT_EQ(n("NCIT:C16576"), 3u);
  EXPECT_EQ(n("HP:0001250,NCIT:C16576"), 2u);
  EXPECT_EQ(n("ICD10:E11"), 2u);  // E11 and E11.9
  EXPECT_EQ(n("population:FIN"), 2u);
  EXPECT_EQ(n("DUO:0000042"), 4u);
  EXPECT_EQ(n("HP:9999999"), 0u);
  json post = Do(Endpoint::kIndividuals, {}, "", Full(), 200, "POST",
                 R"({"query": {"filters": [{"id": "HP:0001250", "includeDescendantTerms": false},
                     {"id": "sex", "operator": "=", "value": "female"}],
                     "requestedGranularity": "count", "requestParameters": {"datasetIds": ["small"]}}})");
  EXPECT_EQ(Total(post), 1u);  // S3 only
  // Individuals carrying 22:16050213 C>T (S1..S4) who are female: S2, S3.
  EXPECT_EQ(n("NCIT:C16576", {{"referenceName", "22"},
                              {"start", "16050212"},
                              {"referenceBases", "C"},
                              {"alternateBases", "T"}}),
            2u);
  // A filtered g_variants count: sites carried by someone with a seizure.
  EXPECT_EQ(Total(Do(Endpoint::kGVariants, {{"referenceName", "22"},
                                            {"start", "0"},
                                            {"end", "99999999"},
                                            {"filters", "HP:0001250"},
                                            {"requestedGranularity", "count"},
                                            {"datasetIds", "small"}})),
            6u);  // S1..S3 carry 16050075, 16050213, 16050300, 16050500 C and T, 16060000
}

TEST_F(BeaconTest, GranularityCappedAndSmallCountsAdjusted) {
  DatasetAccess pub{Granularity::kCount, 5, false};
  json j = Do(Endpoint::kIndividuals,
              {{"filters", "population:FIN"}, {"requestedGranularity", "record"}}, "", pub);
  EXPECT_EQ(j["meta"]["returnedGranularity"], "count");
  const json& small = Set(j, "small");
  EXPECT_EQ(small["resultsCount"], 5);  // 2 → adjusted to min_count
  EXPECT_EQ(small["countPrecision"], "imprecise");
  EXPECT_EQ(small["countAdjustedTo"], json::array({"5"}));  // v2.2: an array of strings
  EXPECT_TRUE(small["results"].empty());
  EXPECT_EQ(j["responseSummary"]["countPrecision"], "imprecise");
  // min_count = 1: exact.
  json exact =
      Do(Endpoint::kIndividuals, {{"filters", "population:FIN"}, {"requestedGranularity", "count"}},
         "", DatasetAccess{Granularity::kCount, 1, true});
  EXPECT_EQ(Set(exact, "small")["resultsCount"], 2);
  // Boolean cap: no counts at all.
  json b = Do(Endpoint::kIndividuals, {{"requestedGranularity", "record"}}, "",
              DatasetAccess{Granularity::kBoolean, 5, false});
  EXPECT_EQ(b["meta"]["returnedGranularity"], "boolean");
  EXPECT_FALSE(b["responseSummary"].contains("numTotalResults"));
  EXPECT_FALSE(Set(b, "small").contains("resultsCount"));
  // Low per-population figures inside records are withheld from non-exact callers.
  json rec = Do(Endpoint::kGVariants, Seq("16050074", "A", "G"), "",
                DatasetAccess{Granularity::kRecord, 5, false});
  for (const auto& f :
       Set(rec, "small")["results"][0]["frequencyInPopulations"][0]["frequencies"]) {
    EXPECT_FALSE(f.contains("alleleCount")) << f.dump();
    EXPECT_EQ(f["countPrecision"], "imprecise");
  }
  // The default requested granularity is the schema's: boolean.
  EXPECT_EQ(Do(Endpoint::kGVariants, {{"referenceName", "22"},
                                      {"start", "16050074"},
                                      {"alternateBases", "G"}})["meta"]["returnedGranularity"],
            "boolean");
}

TEST_F(BeaconTest, IncludeResultsetResponsesAndPagination) {
  QueryMap q{{"referenceName", "22"},
             {"start", "16999999"},
             {"alternateBases", "A"},
             {"requestedGranularity", "count"}};
  auto ids = [](const json& j) {
    std::set<std::string> out;
    if (!j.contains("response")) return out;
    for (const auto& s : j["response"]["resultSets"]) out.insert(s["id"]);
    return out;
  };
  auto with = [&](std::string inc) {
    QueryMap m = q;
    m.emplace("includeResultsetResponses", inc);
    return Do(Endpoint::kGVariants, m);
  };
  EXPECT_EQ(ids(with("HIT")), (std::set<std::string>{"tiny"}));
  EXPECT_EQ(ids(with("MISS")), (std::set<std::string>{"small"}));
  EXPECT_EQ(ids(with("ALL")), (std::set<std::string>{"small", "tiny"}));
  EXPECT_TRUE(ids(with("NONE")).empty());

  json page = Do(Endpoint::kGVariants, {{"referenceName", "22"},
                                        {"start", "0"},
                                        {"end", "99999999"},
                                        {"skip", "1"},
                                        {"limit", "2"},
                                        {"requestedGranularity", "record"},
                                        {"datasetIds", "small"}});
  const json& set = Set(page, "small");
  EXPECT_EQ(set["resultsCount"], 8);
  ASSERT_EQ(set["results"].size(), 2u);
  // skip counts pages (v2 framework): page 1 of 2 records starts at the third record.
  EXPECT_EQ(set["results"][0]["variantInternalId"], "22-16050213-C-T");
}

TEST_F(BeaconTest, ByIdEndpointsAndTheirFailures) {
  json carriers =
      Do(Endpoint::kGVariantIndividuals, {{"requestedGranularity", "record"}}, "22-16050213-C-T");
  EXPECT_EQ(Set(carriers, "small")["resultsCount"], 4);
  EXPECT_EQ(Set(carriers, "small")["results"][0]["id"], "S1");
  json ind = Do(Endpoint::kIndividual, {{"requestedGranularity", "record"}}, "S3");
  EXPECT_EQ(Set(ind, "small")["results"][0]["sex"]["id"], "NCIT:C16576");
  Do(Endpoint::kIndividual, {}, "NOBODY", Full(), 404);
  Do(Endpoint::kGVariant, {}, "22-1-A-G", Full(), 404);
  Do(Endpoint::kGVariant, {}, "not-a-variant", Full(), 400);
  Do(Endpoint::kDataset, {}, "nope", Full(), 404);
  Do(Endpoint::kGVariants, {{"datasetIds", "nope"}}, "", Full(), 400);
  json e = Do(Endpoint::kGVariants, {{"referenceName", "22"}, {"start", "x"}}, "", Full(), 400);
  EXPECT_EQ(e["error"]["errorCode"], 400);
  Do(Endpoint::kGVariants, {}, "", Full(), 400, "POST", "{not json");
}

TEST_F(BeaconTest, InformationalEndpoints) {
  json info = Do(Endpoint::kInfo, {});
  EXPECT_EQ(info["response"]["id"], "org.genomefed.test");
  json ds = Do(Endpoint::kDatasets, {});
  EXPECT_EQ(ds["response"]["collections"].size(), 2u);
  json one = Do(Endpoint::kDataset, {}, "small");
  EXPECT_EQ(one["response"]["collections"][0]["name"], "Small cohort");
  EXPECT_EQ(one["response"]["collections"][0]["info"]["sampleCount"], 6);
  json terms = Do(Endpoint::kFilteringTerms, {});
  bool seizure = false;
  for (const auto& t : terms["response"]["filteringTerms"]) {
    if (t["id"] == "HP:0001250") seizure = t["label"] == "Seizure";
  }
  EXPECT_TRUE(seizure) << terms.dump();
}

// The text fast path for aggregate answers writes the same document as the JSON-tree renderer.
TEST_F(BeaconTest, AggregateTextEqualsTreeRendering) {
  const QueryMap queries[] = {
      {{"referenceName", "22"}, {"start", "16050074"}, {"alternateBases", "G"}},
      {{"referenceName", "chr22"},
       {"start", "[1,16050299]"},
       {"end", "16050301,16050310"},
       {"requestedGranularity", "count"},
       {"includeResultsetResponses", "ALL"}},
      {{"geneId", "TESTG"},
       {"variantType", "SNP"},
       {"filters", "HP:0001250,population:F\"IN"},
       {"requestedGranularity", "count"},
       {"skip", "3"},
       {"limit", "7"}},
      {{"filters", "sex"},
       {"requestedGranularity", "count"},
       {"includeResultsetResponses", "MISS"}},
      {{"referenceName", "X"},
       {"start", "999"},
       {"end", "1000"},
       {"referenceBases", "G"},
       {"assemblyId", "GRCh37\xff"},
       {"variantMinLength", "1"},
       {"requestedGranularity", "count"},
       {"includeResultsetResponses", "NONE"}}};
  for (const auto& q : queries) {
    for (DatasetAccess a : {DatasetAccess{Granularity::kCount, 5, false},
                            DatasetAccess{Granularity::kBoolean, 1, true}}) {
      auto r = ParseGetRequest(q);
      if (!r.ok()) continue;  // "sex" without operator is an ontology id; fine either way
      auto fn = [a](std::string_view) { return a; };
      for (bool variants : {true, false}) {
        auto results =
            variants ? beacon_->QueryGenomicVariants(*r, fn) : beacon_->QueryIndividuals(*r, fn);
        ASSERT_OK(results);
        std::string entity = variants ? "genomicVariation" : "individual";
        json tree = json::parse(beacon_->RenderResultsets(*r, *results, entity)
                                    .dump(-1, ' ', false, json::error_handler_t::replace));
        json text = json::parse(beacon_->RenderAggregateText(*r, *results, entity), nullptr, false);
        EXPECT_EQ(tree, text) << json::diff(tree, text).dump();
      }
    }
  }
}

// Every response type, every granularity, against the official schemas.
TEST_F(BeaconTest, EveryResponseValidatesAgainstTheOfficialSchemas) {
  std::string why = testing::SchemaValidationUnavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  const std::string R = "framework/json/responses/";
  const std::string M = "models/json/beacon-v2-default-model/";
  std::map<std::string, std::vector<json>> docs;
  docs[R + "beaconInfoResponse.json"].push_back(Do(Endpoint::kInfo, {}));
  docs[R + "ga4gh-service-info-1-0-0-schema.json"].push_back(Do(Endpoint::kServiceInfo, {}));
  docs[R + "beaconMapResponse.json"].push_back(Do(Endpoint::kMap, {}));
  docs[R + "beaconConfigurationResponse.json"].push_back(Do(Endpoint::kConfiguration, {}));
  docs[R + "beaconEntryTypesResponse.json"].push_back(Do(Endpoint::kEntryTypes, {}));
  docs[R + "beaconFilteringTermsResponse.json"].push_back(Do(Endpoint::kFilteringTerms, {}));
  for (auto [e, id] : {std::pair{Endpoint::kDatasets, ""},
                       {Endpoint::kDataset, "small"},
                       {Endpoint::kCohorts, ""},
                       {Endpoint::kCohort, "tiny"}}) {
    json j = Do(e, {}, id);
    docs[R + "beaconCollectionsResponse.json"].push_back(j);
    bool cohort = e == Endpoint::kCohorts || e == Endpoint::kCohort;
    for (const auto& c : j["response"]["collections"]) {
      docs[M + (cohort ? "cohorts" : "datasets") + "/defaultSchema.json"].push_back(c);
    }
  }
  const std::pair<Endpoint, std::string> queries[] = {
      {Endpoint::kGVariants, ""},
      {Endpoint::kIndividuals, ""},
      {Endpoint::kGVariant, "22-16050075-A-G"},
      {Endpoint::kGVariantIndividuals, "22-16050075-A-G"},
      {Endpoint::kIndividual, "S2"},
      {Endpoint::kDatasetGVariants, "small"},
      {Endpoint::kDatasetIndividuals, "tiny"}};
  for (const auto& [e, id] : queries) {
    for (std::string g : {"boolean", "count", "record"}) {
      for (DatasetAccess a : {Full(), DatasetAccess{Granularity::kCount, 5, false}}) {
        QueryMap q{{"requestedGranularity", g}, {"includeResultsetResponses", "ALL"}};
        if (e == Endpoint::kGVariants || e == Endpoint::kIndividuals) {
          q.emplace("referenceName", "22");
          q.emplace("start", "16050000");
          q.emplace("end", "16060000");
          q.emplace("filters", "HP:0001250");
        }
        json j = Do(e, q, id, a);
        std::string returned = j["meta"]["returnedGranularity"];
        std::string schema = returned == "boolean" ? "beaconBooleanResponse.json"
                             : returned == "count" ? "beaconCountResponse.json"
                                                   : "beaconResultsetsResponse.json";
        docs[R + schema].push_back(j);
        if (returned != "boolean") docs[R + "beaconResultsetsResponse.json"].push_back(j);
        bool variants = e == Endpoint::kGVariants || e == Endpoint::kGVariant ||
                        e == Endpoint::kDatasetGVariants;
        if (!j.contains("response")) continue;
        for (const auto& s : j["response"]["resultSets"]) {
          for (const auto& rec : s.value("results", json::array())) {
            docs[M + (variants ? "genomicVariations" : "individuals") + "/defaultSchema.json"]
                .push_back(rec);
          }
        }
      }
    }
  }
  // The ways requests fail, each a Beacon error response.
  docs[R + "beaconErrorResponse.json"] = {
      Do(Endpoint::kGVariants, {{"bogus", "1"}}, "", Full(), 400),
      Do(Endpoint::kGVariants, {{"referenceName", "22"}, {"start", "9"}, {"end", "3"}}, "", Full(),
         400),
      Do(Endpoint::kIndividuals, {}, "", Full(), 400, "POST", "{]"),
      Do(Endpoint::kIndividual, {}, "NOBODY", Full(), 404),
      Do(Endpoint::kGVariant, {}, "22-5-A-C", Full(), 404),
      json::parse(beacon_->ErrorBody(405, "method not allowed"))};
  // A control: the validator must be able to say no.
  EXPECT_NE(testing::ValidateAgainstSchema(R + "beaconBooleanResponse.json",
                                           {json{{"meta", json::object()}}}),
            "");
  EXPECT_GT(docs[M + "genomicVariations/defaultSchema.json"].size(), 3u);
  EXPECT_GT(docs[M + "individuals/defaultSchema.json"].size(), 3u);
  for (const auto& [schema, list] : docs) {
    EXPECT_EQ(testing::ValidateAgainstSchema(schema, list), "") << list.size() << " documents";
  }
}

}  // namespace
}  // namespace genomefed::beacon
