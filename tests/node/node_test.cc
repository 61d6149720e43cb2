// The node over real HTTP on 127.0.0.1: golden request/response files for every endpoint
// (including the ways requests must fail), Beacon error bodies from the HTTP layer, answers on
// the 1000 Genomes file equal to bcftools, and a bounded keep-alive load test.
//
// Regenerate the golden files with GENOMEFED_REGENERATE_GOLDEN=1 (then review the diff).
#include "node/node.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "beacon_fixture.h"
#include "http/client.h"
#include "support/test_support.h"

namespace genomefed::node {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr std::string_view kMiniHpo =
    "format-version: 1.2\ndata-version: test\n"
    "[Term]\nid: HP:0000118\nname: Phenotypic abnormality\n"
    "[Term]\nid: HP:0012638\nname: Abnormal nervous system physiology\nis_a: HP:0000118\n"
    "[Term]\nid: HP:0001250\nname: Seizure\nis_a: HP:0012638\n"
    "[Term]\nid: HP:0007359\nname: Focal-onset seizure\nis_a: HP:0001250\n";

class NodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto data = testing::IngestSmallDataset(dir_->path(), "small");
    if (!data.ok()) {
      setup_error_ = data.status().ToString();
      return;
    }
    std::ofstream(dir_->path() / "hp.obo") << kMiniHpo;
    std::ofstream(dir_->path() / "genes.bed") << "chr22\t16050000\t16050250\tTESTG\n";
    std::ofstream(dir_->path() / "node.toml")
        << "[node]\nid = \"org.genomefed.test\"\nname = \"Test node\"\ncountry = \"FI\"\n"
           "listen = \"127.0.0.1:0\"\npublic_url = \"http://node.test\"\n"
           "data_dir = \"data\"\nhpo_ontology = \"hp.obo\"\ngene_table = \"genes.bed\"\n"
           "[policy]\npublic_granularity = \"record\"\nmin_count = 3\n"
           "[[datasets]]\nid = \"small\"\nname = \"Small cohort\"\n"
           "consent_codes = [\"DUO:0000042\"]\nassembly_id = \"GRCh37\"\n";
    auto cfg = LoadNodeConfig(dir_->path() / "node.toml");
    if (!cfg.ok()) {
      setup_error_ = cfg.status().ToString();
      return;
    }
    NodeOptions o;
    o.config = std::move(cfg).value();
    o.access_log = false;
    auto node = Node::Start(std::move(o));
    if (!node.ok()) {
      setup_error_ = node.status().ToString();
      return;
    }
    node_ = std::move(node).value().release();
    client_ = http::MakeCurlClient().release();
  }
  static void TearDownTestSuite() {
    delete client_;
    delete node_;
    delete dir_;
  }
  void SetUp() override {
    if (!setup_error_.empty()) FAIL() << setup_error_;
  }

  static http::ClientResponse Send(const std::string& method, const std::string& target,
                                   const std::string& body = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = node_->base_url() + target;
    req.body = body;
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = client_->Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : http::ClientResponse{};
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string setup_error_;
  static inline Node* node_ = nullptr;
  static inline http::HttpClient* client_ = nullptr;
};

struct GoldenCase {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
};

const std::vector<GoldenCase>& GoldenCases() {
  static const std::vector<GoldenCase> kCases = {
      {"info", "GET", "/api/info", ""},
      {"root", "GET", "/api", ""},
      {"service_info", "GET", "/api/service-info", ""},
      {"map", "GET", "/api/map", ""},
      {"configuration", "GET", "/api/configuration", ""},
      {"entry_types", "GET", "/api/entry_types", ""},
      {"filtering_terms", "GET", "/api/filtering_terms", ""},
      {"datasets", "GET", "/api/datasets", ""},
      {"dataset", "GET", "/api/datasets/small", ""},
      {"cohorts", "GET", "/api/cohorts", ""},
      {"g_variants_sequence_record", "GET",
       "/api/g_variants?referenceName=chr22&start=16050074&referenceBases=A&alternateBases=G&"
       "requestedGranularity=record",
       ""},
      {"g_variants_range_count_post", "POST", "/api/g_variants",
       R"({"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"referenceName":"NC_000022.10",)"
       R"("start":[16050000],"end":[16050400],"variantType":"INDEL"},"requestedGranularity":"count"}})"},
      {"g_variants_gene_boolean", "GET", "/api/g_variants?geneId=TESTG", ""},
      {"g_variants_bracket_record", "GET",
       "/api/g_variants?referenceName=22&start=16050290,16050299&end=16050301,16050310&"
       "requestedGranularity=record",
       ""},
      {"g_variant_by_id", "GET", "/api/g_variants/22-16050500-A-T?requestedGranularity=record", ""},
      {"g_variant_individuals", "GET",
       "/api/g_variants/22-16050213-C-T/individuals?requestedGranularity=record&limit=2", ""},
      {"individuals_filters_count", "GET",
       "/api/individuals?filters=HP:0001250&requestedGranularity=count", ""},
      {"individuals_low_count_adjusted", "GET",
       "/api/individuals?filters=HP:0001250,NCIT:C16576&requestedGranularity=count", ""},
      {"individuals_carrying_allele_post", "POST", "/api/individuals",
       R"({"query":{"requestParameters":{"referenceName":"22","start":[16050212],)"
       R"("referenceBases":"C","alternateBases":"T"},"filters":[{"id":"DUO:0000042"}],)"
       R"("requestedGranularity":"record"}})"},
      {"individual_by_id", "GET", "/api/individuals/S3?requestedGranularity=record", ""},
      {"error_bad_coordinates", "GET", "/api/g_variants?referenceName=22&start=10&end=5", ""},
      {"error_unknown_parameter", "GET", "/api/g_variants?colour=blue", ""},
      {"error_malformed_json", "POST", "/api/g_variants", "{\"query\": {"},
      {"error_bad_variant_id", "GET", "/api/g_variants/not-a-variant", ""},
      {"error_unknown_variant", "GET", "/api/g_variants/22-1-A-G", ""},
      {"error_unknown_individual", "GET", "/api/individuals/NOBODY", ""},
      {"error_unknown_dataset", "GET", "/api/datasets/nope", ""},
      {"error_unknown_route", "GET", "/api/nope", ""},
      {"error_method_not_allowed", "DELETE", "/api/info", ""},
  };
  return kCases;
}

TEST_F(NodeTest, GoldenRequestsAndResponses) {
  const auto golden_dir = testing::SourceDir() / "tests/node/golden";
  const bool regenerate = std::getenv("GENOMEFED_REGENERATE_GOLDEN") != nullptr;
  for (const auto& c : GoldenCases()) {
    SCOPED_TRACE(c.name);
    auto resp = Send(c.method, c.target, c.body);
    json body = json::parse(resp.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << resp.body;
    json actual = {{"request", {{"method", c.method}, {"target", c.target}}},
                   {"status", resp.status},
                   {"response", body}};
    if (!c.body.empty()) actual["request"]["body"] = c.body;
    auto path = golden_dir / (c.name + ".json");
    if (regenerate) {
      std::ofstream(path) << actual.dump(2) << "\n";
      continue;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << path << " is missing; run with GENOMEFED_REGENERATE_GOLDEN=1";
    json expected = json::parse(in, nullptr, false);
    ASSERT_FALSE(expected.is_discarded()) << path;
    EXPECT_EQ(actual, expected) << "golden " << path << " differs:\n"
                                << json::diff(expected, actual).dump(1);
  }
}

TEST_F(NodeTest, HttpLayerErrorsAreSchemaValidBeaconErrors) {
  std::vector<json> errors;
  for (auto [method, target, status] :
       {std::tuple{"GET", "/api/nope", 404},
        {"DELETE", "/api/g_variants", 405},
        {"GET", "/api/g_variants?start=%zz", 400},
        {"GET", "/api/individuals/NOBODY", 404},
        {"GET", "/api/g_variants?referenceName=22&start=-5", 400}}) {
    auto r = Send(method, target);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_TRUE(j.contains("error")) << r.body;
    errors.push_back(j);
  }
  std::string why = testing::SchemaValidationUnavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  EXPECT_EQ(
      testing::ValidateAgainstSchema("framework/json/responses/beaconErrorResponse.json", errors),
      "");
}

TEST_F(NodeTest, HealthzAndMetrics) {
  auto h = Send("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  Send("GET", "/api/info");
  auto m = Send("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("/api/info"), std::string::npos) << m.body.substr(0, 2000);
}

// Bounded: 8 keep-alive clients × 250 requests on loopback, all answers correct.
TEST_F(NodeTest, ConcurrentKeepAliveLoadHasNoErrors) {
  constexpr int kClients = 8, kPerClient = 250;
  std::atomic<int> errors{0}, ok{0};
  const uint64_t before = node_->server().connections_accepted();
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto client = http::MakeCurlClient();
      for (int i = 0; i < kPerClient; ++i) {
        http::ClientRequest req;
        const bool hit = (i + t) % 2 == 0;
        req.url = node_->base_url() +
                  (hit ? "/api/g_variants?referenceName=22&start=16050212&alternateBases=T&"
                         "requestedGranularity=count"
                       : "/api/g_variants?referenceName=22&start=16050212&alternateBases=G&"
                         "requestedGranularity=count");
        auto r = client->Send(req);
        if (!r.ok() || r->status != 200) {
          ++errors;
          continue;
        }
        json j = json::parse(r->body, nullptr, false);
        if (j.is_discarded() || j["responseSummary"]["exists"] != hit) {
          ++errors;
        } else {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(ok.load(), kClients * kPerClient);
  // Keep-alive: far fewer connections than requests.
  EXPECT_LT(node_->server().connections_accepted() - before, uint64_t{kClients * 10});
}

// With [[trust]] configured the node verifies passports; a garbage or unsigned token leaves the
// caller anonymous (public granularity), never an error or a crash.
TEST_F(NodeTest, UntrustedOrGarbageTokensAreAnonymous) {
  auto cfg = LoadNodeConfig(dir_->path() / "node.toml");
  ASSERT_OK(cfg);
  cfg->policy.public_granularity = Granularity::kBoolean;
  cfg->trust.push_back(TrustEntry{"https://hub.test", "https://hub.test/jwks.json"});
  NodeOptions o;
  o.config = *cfg;
  o.access_log = false;
  auto node = Node::Start(std::move(o));
  ASSERT_OK(node);
  auto client = http::MakeCurlClient();
  const char* tokens[] = {"", "Bearer garbage", "Bearer a.b.c",
                          "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."};
  for (const char* t : tokens) {
    http::ClientRequest req;
    req.url = (*node)->base_url() + "/api/individuals?requestedGranularity=record";
    if (*t) req.headers.emplace_back("Authorization", t);
    auto r = client->Send(req);
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 200) << t << ": " << r->body;
    json j = json::parse(r->body, nullptr, false);
    EXPECT_EQ(j["meta"]["returnedGranularity"], "boolean") << t;
  }
}

// Without public_url, a node asked for port 0 advertises the port it really listens on (in
// /info, /service-info and the dataset URLs its visas must name).
TEST_F(NodeTest, WithoutPublicUrlTheBoundPortIsAdvertised) {
  auto cfg = LoadNodeConfig(dir_->path() / "node.toml");
  ASSERT_OK(cfg);
  cfg->public_url.clear();
  NodeOptions o;
  o.config = *cfg;
  o.access_log = false;
  auto node = Node::Start(std::move(o));
  ASSERT_OK(node);
  const std::string base = (*node)->base_url();
  ASSERT_EQ(base.find(":0"), std::string::npos);
  auto client = http::MakeCurlClient();
  http::ClientRequest req;
  req.url = base + "/api/info";
  auto info = client->Send(req);
  ASSERT_OK(info);
  EXPECT_EQ(json::parse(info->body)["response"]["welcomeUrl"], base + "/api") << info->body;
  req.url = base + "/api/service-info";
  auto si = client->Send(req);
  ASSERT_OK(si);
  EXPECT_EQ(json::parse(si->body)["url"], base + "/api") << si->body;
  // Errors of the HTTP layer are still Beacon errors.
  req.url = base + "/api/nope";
  auto missing = client->Send(req);
  ASSERT_OK(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"]["errorCode"], 404) << missing->body;
}

// `genomefed node --config` serves, answers, and exits 0 on SIGTERM (graceful shutdown).
TEST_F(NodeTest, CommandServesAndStopsOnSigterm) {
  if (!std::filesystem::exists(testing::GenomefedBinary())) {
    GTEST_SKIP() << testing::GenomefedBinary() << " is not built (target genomefed)";
  }
  const std::string script =
      "cd " + dir_->path().string() + " && (" + testing::GenomefedBinary().string() +
      " node --config node.toml > node.out 2>node.err & pid=$!; "
      "for i in $(seq 100); do grep -q 'listening on' node.out && break; sleep 0.1; done; "
      "url=$(sed -n 's/.*listening on //p' node.out); "
      "curl -s \"$url/info\" | grep -c org.genomefed.test; "
      "kill -TERM $pid; wait $pid; echo rc=$?)";
  auto r = testing::RunCommand("bash -c '" + [&] {
    std::string esc;
    for (char c : script) esc += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return esc;
  }() + "'");
  EXPECT_NE(r.output.find("1\nrc=0"), std::string::npos) << r.output;
}

// Real data: the 1000 Genomes chromosome 1 test file with the CINECA individuals as metadata.
// Every biallelic SNP's Beacon figures equal bcftools +fill-tags; a filtered count (females)
// equals bcftools over the female samples.
TEST(NodeRealDataTest, ThousandGenomesAnswersEqualBcftools) {
  GF_REQUIRE_SHARED("data/1000g/test_1000G.vcf.gz");
  GF_REQUIRE_SHARED("data/cineca-uk1/individuals.json");
  if (testing::RunCommand("bcftools --version").exit_code != 0) GTEST_SKIP() << "no bcftools";
  TempDir dir;
  const auto vcf = testing::SharedDir() / "data/1000g/test_1000G.vcf.gz";
  ASSERT_OK(testing::RunIngest(dir / "data", "kg", vcf,
                               testing::SharedDir() / "data/cineca-uk1/individuals.json"));
  auto store = store::Store::Open(dir / "data");
  ASSERT_OK(store);
  NodeConfig cfg;
  cfg.id = "kg-node";
  cfg.public_url = "http://node.test";
  beacon::Beacon b(cfg, store->get(), nullptr, nullptr);
  auto full = [](std::string_view) { return beacon::DatasetAccess{Granularity::kRecord, 1, true}; };

  // Female sample ids from the CINECA sheet.
  std::ifstream in(testing::SharedDir() / "data/cineca-uk1/individuals.json");
  json individuals = json::parse(in);
  std::string females;
  for (const auto& ind : individuals) {
    if (ind["sex"]["id"] == "NCIT:C16576")
      females += (females.empty() ? "" : ",") + ind["id"].get<std::string>();
  }
  std::ofstream(dir / "females.txt") << [&] {
    std::string s = females;
    std::replace(s.begin(), s.end(), ',', '\n');
    return s + "\n";
  }();
  const std::string fmt = "'%CHROM\\t%POS\\t%REF\\t%ALT\\t%AC\\t%AN\\t%AC_Het\\t%AC_Hom\\n'";
  auto all = testing::RunCommand("bcftools norm -m-any " + vcf.string() +
                                 " 2>/dev/null | bcftools +fill-tags -- -t AC,AN,AC_Het,AC_Hom "
                                 "| bcftools query -f " +
                                 fmt);
  auto fem = testing::RunCommand("bcftools view -S " + (dir / "females.txt").string() + " " +
                                 vcf.string() +
                                 " 2>/dev/null | bcftools norm -m-any 2>/dev/null | bcftools "
                                 "+fill-tags -- -t AC,AN | bcftools query -f '%AC\\n'");
  ASSERT_EQ(all.exit_code, 0);
  ASSERT_EQ(fem.exit_code, 0);
  std::istringstream lines(all.output), fem_lines(fem.output);
  std::string line, fem_line;
  int checked = 0;
  while (std::getline(lines, line) && std::getline(fem_lines, fem_line)) {
    std::istringstream f(line);
    std::string chrom, pos, ref, alt;
    uint64_t ac, an, het, hom;
    f >> chrom >> pos >> ref >> alt >> ac >> an >> het >> hom;
    if (ref.size() != 1 || alt.size() != 1 || alt == "*" || alt == ".") continue;
    const uint64_t fem_ac = std::stoull(fem_line);
    beacon::Call c;
    c.endpoint = beacon::Endpoint::kGVariants;
    c.query = {{"referenceName", chrom},
               {"start", std::to_string(std::stoll(pos) - 1)},
               {"referenceBases", ref},
               {"alternateBases", alt},
               {"requestedGranularity", "record"}};
    auto reply = b.Handle(c, full);
    ASSERT_EQ(reply.status, 200) << reply.body;
    json j = json::parse(reply.body);
    const json& sets = j["response"]["resultSets"];
    if (ac == 0) {
      // Stored (for the site's allele number) but carried by nobody: no Beacon hit.
      EXPECT_TRUE(sets.empty()) << chrom << ":" << pos << " " << ref << ">" << alt;
      continue;
    }
    ASSERT_EQ(sets.size(), 1u) << chrom << ":" << pos << " " << ref << ">" << alt;
    const json& total = sets[0]["results"][0]["frequencyInPopulations"][0]["frequencies"][0];
    EXPECT_EQ(total["alleleCount"], ac) << chrom << ":" << pos;
    EXPECT_EQ(total["alleleNumber"], an) << chrom << ":" << pos;
    EXPECT_EQ(total["alleleCountHeterozygous"], het) << chrom << ":" << pos;
    EXPECT_EQ(total["alleleCountHomozygous"], hom) << chrom << ":" << pos;
    // The same allele counted among females only.
    c.query.emplace("filters", "NCIT:C16576");
    json jf = json::parse(b.Handle(c, full).body);
    uint64_t beacon_fem = 0;
    if (!jf["response"]["resultSets"].empty()) {
      beacon_fem = jf["response"]["resultSets"][0]["results"][0]["frequencyInPopulations"][0]
                     ["frequencies"][0]["alleleCount"];
    }
    EXPECT_EQ(beacon_fem, fem_ac) << chrom << ":" << pos << " females";
    ++checked;
  }
  EXPECT_GT(checked, 900);
}

// Every allele of the 1000G file (indels and multi-allelic splits included), unfiltered and
// among females: Beacon record figures equal `genomefed query --json` over the same store.
TEST(NodeRealDataTest, ThousandGenomesAnswersEqualGenomefedQuery) {
  GF_REQUIRE_SHARED("data/1000g/test_1000G.vcf.gz");
  GF_REQUIRE_SHARED("data/cineca-uk1/individuals.json");
  if (!std::filesystem::exists(testing::GenomefedBinary())) {
    GTEST_SKIP() << testing::GenomefedBinary() << " is not built (target genomefed)";
  }
  TempDir dir;
  ASSERT_OK(testing::RunIngest(dir / "data", "kg",
                               testing::SharedDir() / "data/1000g/test_1000G.vcf.gz",
                               testing::SharedDir() / "data/cineca-uk1/individuals.json"));
  auto store = store::Store::Open(dir / "data");
  ASSERT_OK(store);
  NodeConfig cfg;
  cfg.id = "kg-node";
  beacon::Beacon b(cfg, store->get(), nullptr, nullptr);
  auto full = [](std::string_view) { return beacon::DatasetAccess{Granularity::kRecord, 1, true}; };
  for (std::string filter : {"", "NCIT:C16576"}) {
    SCOPED_TRACE("filter " + filter);
    auto q = testing::RunCommand(testing::GenomefedBinary().string() + " query --data-dir " +
                                 (dir / "data").string() + " --region 1:1-250000000 --json" +
                                 (filter.empty() ? "" : " --filter " + filter));
    ASSERT_EQ(q.exit_code, 0) << q.output;
    json rows = json::parse(q.output, nullptr, false);
    ASSERT_TRUE(rows.is_array()) << q.output.substr(0, 500);
    std::map<std::string, json> beacon_rows;
    for (uint64_t skip = 0;; ++skip) {  // skip counts pages of `limit` records
      beacon::Call c;
      c.endpoint = beacon::Endpoint::kGVariants;
      c.query = {{"referenceName", "1"}, {"start", "0"},
                 {"end", "250000000"},   {"requestedGranularity", "record"},
                 {"limit", "1000"},      {"skip", std::to_string(skip)}};
      if (!filter.empty()) c.query.emplace("filters", filter);
      json j = json::parse(b.Handle(c, full).body);
      const json& results = j["response"]["resultSets"][0]["results"];
      for (const auto& r : results) {
        beacon_rows[r["variantInternalId"]] = r["frequencyInPopulations"][0]["frequencies"][0];
      }
      if (results.size() < 1000) break;
    }
    size_t compared = 0;
    for (const auto& row : rows) {
      const std::string id = row["variant"];
      if (row["individuals"] == 0) {
        // Alleles nobody (in the filter) carries are not Beacon hits.
        EXPECT_EQ(beacon_rows.count(id), 0u) << id;
        continue;
      }
      auto it = beacon_rows.find(id);
      ASSERT_NE(it, beacon_rows.end()) << id;
      for (const char* k : {"alleleCount", "alleleNumber", "alleleCountHeterozygous",
                            "alleleCountHomozygous", "alleleCountHemizygous"}) {
        EXPECT_EQ(it->second[k], row[k]) << id << " " << k;
      }
      EXPECT_DOUBLE_EQ(it->second["alleleFrequency"].get<double>(),
                       row["alleleFrequency"].get<double>())
          << id;
      ++compared;
    }
    EXPECT_GT(compared, 500u);
  }
}

}  // namespace
}  // namespace genomefed::node
