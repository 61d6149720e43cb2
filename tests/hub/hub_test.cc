// Hub tests: three real nodes (stores made by `genomefed synth` + `genomefed ingest`) and a hub
// on 127.0.0.1, plus fake nodes that die, stall or answer garbage. Every test runs against both
// repository backends (typed tests): SQLite in a temp file and PostgreSQL on the private server
// that scripts/with-postgres.sh starts (GENOMEFED_TEST_POSTGRES_URL; one fresh database per test).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include <unistd.h>

#include "beacon/framework.h"
#include "beacon_fixture.h"
#include "http/client.h"
#include "http/server.h"
#include "hub/catalogue.h"
#include "hub/hub.h"
#include "hub/network.h"
#include "hub/sql.h"
#include "node/node.h"
#include "support/test_support.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;
using Clock_ = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kTokenEnv = "GENOMEFED_HUB_TEST_ADMIN_TOKEN";
constexpr const char* kToken = "s3cret-admin-token-for-tests";
const std::string kResponses = "framework/json/responses/";

// ---------------------------------------------------------------------------------------------
// The federation: three cohorts with one seed (same sites) and different populations.

struct Cohort {
  std::string node_id, country, population, prefix, dataset;
  fs::path data_dir;
};

class Federation {
 public:
  static Federation& Get() {
    static Federation* f = new Federation();  // lives for the process: nodes serve every test
    return *f;
  }
  const Status& status() const { return status_; }
  const std::vector<Cohort>& cohorts() const { return cohorts_; }
  const fs::path& union_dir() const { return union_dir_; }
  std::vector<HubNodeEntry> entries() const {
    std::vector<HubNodeEntry> out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      out.push_back({cohorts_[i].node_id, nodes_[i]->base_url(), cohorts_[i].country});
    }
    return out;
  }
  const node::Node& node(size_t i) const { return *nodes_[i]; }
  // A variant present with carriers in every cohort: "22:POS:REF:ALT" (1-based POS).
  const store::AlleleKey& shared_variant() const { return shared_; }

 private:
  Federation() { status_ = Build(); }

  Status Build() {
    cohorts_ = {{"fi", "FI", "FIN", "FI", "fi-cohort", {}},
                {"nl", "NL", "NLD", "NL", "nl-cohort", {}},
                {"es", "ES", "IBS", "ES", "es-cohort", {}}};
    union_dir_ = dir_.path() / "union";
    const std::string bin = testing::GenomefedBinary().string();
    for (auto& c : cohorts_) {
      fs::path out = dir_.path() / c.node_id;
      c.data_dir = out / "data";
      std::string synth = bin + " synth --samples 80 --variants 600 --seed 5 --contigs 22 --quiet" +
                          " --populations " + c.population + " --sample-prefix " + c.prefix +
                          " --out " + out.string();
      auto r = testing::RunCommand(synth, true);
      if (r.exit_code != 0) return Internal("synth failed: " + r.output);
      for (const fs::path& data : {c.data_dir, union_dir_}) {
        std::string ingest = bin + " ingest --quiet --data-dir " + data.string() + " --dataset " +
                             c.dataset + " --vcf " + (out / "cohort.vcf.gz").string() +
                             " --samples " + (out / "samples.tsv").string() +
                             " --consent DUO:0000042" +
                             // One node holds every cohort in the union: archived file ids
                             // (htsget/DRS) must differ, and every batch is named cohort.vcf.gz.
                             " --file-id " + c.dataset;
        r = testing::RunCommand(ingest, true);
        if (r.exit_code != 0) return Internal("ingest failed: " + r.output);
      }
      NodeConfig cfg;
      cfg.id = c.node_id;
      cfg.name = "node " + c.node_id;
      cfg.country = c.country;
      cfg.data_dir = c.data_dir;
      cfg.policy.public_granularity = Granularity::kCount;
      cfg.policy.min_count = 1;  // exact counts, so sums can be compared
      cfg.limits.threads = 4;
      cfg.datasets.push_back({c.dataset,
                              "Cohort " + c.country,
                              "synthetic " + c.population,
                              "",
                              {"DUO:0000042"},
                              "",
                              {}});
      node::NodeOptions options;
      options.config = cfg;
      options.access_log = false;
      options.listen_override = "127.0.0.1:0";
      GF_ASSIGN_OR_RETURN(auto n, node::Node::Start(std::move(options)));
      nodes_.push_back(std::move(n));
    }
    // The shared variant with the most carriers in the smallest cohort.
    uint64_t best = 0;
    const store::Dataset* first = nodes_[0]->store().dataset(cohorts_[0].dataset);
    first->ScanRange("22", 1, 300'000'000, [&](const store::AlleleKey& k, const store::AlleleRef&) {
      uint64_t least = UINT64_MAX;
      for (size_t i = 0; i < nodes_.size(); ++i) {
        const store::Dataset* d = nodes_[i]->store().dataset(cohorts_[i].dataset);
        auto ref = d->Find(k);
        least = std::min<uint64_t>(least, ref ? d->Count(*ref).individuals : 0);
      }
      if (least > best && least < 80) {
        best = least;
        shared_ = k;
      }
      return true;
    });
    if (best == 0) return Internal("no variant shared by the three cohorts");
    return Status::Ok();
  }

  testing::TempDir dir_;
  Status status_;
  std::vector<Cohort> cohorts_;
  fs::path union_dir_;
  std::vector<std::unique_ptr<node::Node>> nodes_;
  store::AlleleKey shared_;
};

// ---------------------------------------------------------------------------------------------
// Fake nodes: a real HTTP server whose handlers misbehave on purpose.

class FakeNode {
 public:
  using Fn = std::function<http::Response(const http::Request&)>;
  explicit FakeNode(Fn fn) {
    http::Router router;
    auto h = [this](const http::Request& req) {
      {
        std::lock_guard lock(mu_);
        if (const std::string* a = req.Header("authorization")) last_authorization_ = *a;
        paths_.push_back(req.path);
      }
      return fn_(req);
    };
    fn_ = std::move(fn);
    for (const char* p : {"/api/info", "/api/datasets", "/api/filtering_terms", "/api/g_variants",
                          "/api/individuals", "/api/cohorts"}) {
      (void)router.Get(p, h);
      (void)router.Post(p, h);
    }
    http::ServerOptions o;
    o.port = 0;
    o.access_log = false;
    o.limits.threads = 4;
    o.shutdown_grace_ms = 50;
    auto s = http::Server::Start(std::move(o), std::move(router));
    if (s.ok()) server_ = std::move(s).value();
  }
  ~FakeNode() {
    if (server_) server_->Stop(std::chrono::milliseconds(50));
  }
  std::string url() const { return server_ ? server_->base_url() : "http://127.0.0.1:1"; }
  std::string last_authorization() {
    std::lock_guard lock(mu_);
    return last_authorization_;
  }

 private:
  Fn fn_;
  std::mutex mu_;
  std::string last_authorization_;
  std::vector<std::string> paths_;
  std::unique_ptr<http::Server> server_;
};

// A Beacon count answer of node `beacon_id` to `req` (GET), echoing `echoed` (the request by
// default) and giving `count`.
http::Response CountFor(const http::Request& req, const std::string& beacon_id, uint64_t count,
                        std::function<void(beacon::BeaconRequest&)> lie = {},
                        Granularity returned = Granularity::kCount) {
  auto parsed = req.method == "POST"
                    ? beacon::ParsePostRequest(req.body)
                    : beacon::ParseGetRequest(beacon::QueryMap(req.query.begin(), req.query.end()));
  beacon::BeaconRequest echoed = parsed.ok() ? *parsed : beacon::BeaconRequest{};
  if (lie) lie(echoed);
  json out;
  out["meta"] = beacon::ResponseMeta(
      beacon_id, &echoed, returned,
      req.path.find("individuals") != std::string::npos ? "individual" : "genomicVariation");
  out["responseSummary"] = {{"exists", count > 0}};
  if (returned >= Granularity::kCount) {
    out["responseSummary"]["numTotalResults"] = count;
    out["responseSummary"]["countPrecision"] = "exact";
  }
  out["response"] = {{"resultSets", json::array({{{"id", "d"},
                                                  {"setType", "dataset"},
                                                  {"exists", count > 0},
                                                  {"resultsCount", count},
                                                  {"results", json::array()}}})}};
  return http::Response::Json(out.dump());
}
// A loopback port nobody listens on.
uint16_t ClosedPort() {
  http::Router router;
  http::ServerOptions o;
  o.access_log = false;
  auto s = http::Server::Start(std::move(o), std::move(router));
  uint16_t port = s.ok() ? (*s)->port() : 1;
  if (s.ok()) (*s)->Stop(std::chrono::milliseconds(0));
  return port;
}

// ---------------------------------------------------------------------------------------------
// Backends.

struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  static Result<std::string> Db(const testing::TempDir& dir, int n = 0) {
    return "sqlite:" + (dir.path() / ("hub" + std::to_string(n) + ".db")).string();
  }
};

struct PostgresBackend {
  static constexpr const char* kName = "postgresql";
  // A fresh database per call on the server of scripts/with-postgres.sh.
  static Result<std::string> Db(const testing::TempDir&, int = 0) {
    const char* url = std::getenv("GENOMEFED_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') return Unavailable("no PostgreSQL");
    static std::atomic<int> counter{0};
    std::string name = "hubtest_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    GF_ASSIGN_OR_RETURN(auto admin, internal::OpenPostgres(url));
    (void)admin->Execute("DROP DATABASE IF EXISTS " + name);
    GF_RETURN_IF_ERROR(admin->Execute("CREATE DATABASE " + name));
    std::string base(url);
    return base.substr(0, base.rfind('/') + 1) + name;
  }
};

template <typename Backend>
class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(Backend::kName) == "postgresql" &&
        std::getenv("GENOMEFED_TEST_POSTGRES_URL") == nullptr) {
      if (std::getenv("GENOMEFED_REQUIRE_POSTGRES") != nullptr) {
        FAIL() << "GENOMEFED_REQUIRE_POSTGRES is set but no PostgreSQL server was started";
      }
      GTEST_SKIP() << "PostgreSQL tests run under scripts/with-postgres.sh (make test does)";
    }
    ASSERT_OK(Federation::Get().status());
    ::setenv(kTokenEnv, kToken, 1);
    client_ = http::MakeCurlClient();
  }

  std::unique_ptr<Hub> StartHub(std::vector<HubNodeEntry> nodes, uint32_t timeout_ms = 1500,
                                uint32_t threads = 4, std::string id = "test-hub") {
    auto db = Backend::Db(dir_, hubs_started_++);
    EXPECT_OK(db);
    if (!db.ok()) return nullptr;
    db_ = *db;
    HubOptions o;
    o.config.id = id;
    o.config.name = "Test hub";
    o.config.node_timeout_ms = timeout_ms;
    o.config.admin_token_env = kTokenEnv;
    o.config.nodes = std::move(nodes);
    o.config.limits.threads = threads;
    o.db_override = db_;
    o.listen_override = "127.0.0.1:0";
    o.access_log = false;
    o.background_harvest = false;
    auto hub = Hub::Start(std::move(o));
    EXPECT_OK(hub);
    return hub.ok() ? std::move(hub).value() : nullptr;
  }

  http::ClientResponse Get(const std::string& url,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientRequest r;
    r.url = url;
    r.headers = std::move(headers);
    r.timeout_ms = 10000;
    auto res = client_->Send(r);
    EXPECT_OK(res);
    return res.ok() ? *res : http::ClientResponse{};
  }
  http::ClientResponse Send(const std::string& method, const std::string& url, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientRequest r;
    r.method = method;
    r.url = url;
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.headers.emplace_back("Content-Type", "application/json");
    r.timeout_ms = 10000;
    auto res = client_->Send(r);
    EXPECT_OK(res);
    return res.ok() ? *res : http::ClientResponse{};
  }
  static json Parse(const http::ClientResponse& r) {
    return json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  }
  static void ExpectValid(const std::string& schema, const json& doc) {
    std::string why = testing::SchemaValidationUnavailable();
    if (!why.empty()) {
      // make test installs Ajv; a plain run of the binary may not have it.
      std::cerr << "schema validation skipped: " << why << "\n";
      return;
    }
    EXPECT_EQ(testing::ValidateAgainstSchema(kResponses + schema, {doc}), "") << doc.dump(1);
  }

  // The shared variant as Beacon GET parameters.
  static std::string VariantParams() {
    const auto& k = Federation::Get().shared_variant();
    return "referenceName=" + k.contig + "&start=" + std::to_string(k.pos - 1) +
           "&referenceBases=" + k.ref + "&alternateBases=" + k.alt;
  }

  testing::TempDir dir_;
  std::string db_;
  int hubs_started_ = 0;
  std::unique_ptr<http::HttpClient> client_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(HubTest, Backends, BackendNames);

// ---------------------------------------------------------------------------------------------

TYPED_TEST(HubTest, SchemaIsMigratedOnceAndVersioned) {
  auto hub = this->StartHub({});
  ASSERT_TRUE(hub);
  auto v = hub->repository().SchemaVersion();
  ASSERT_OK(v);
  EXPECT_EQ(*v, 2);
  EXPECT_EQ(hub->repository().backend(), TypeParam::kName);
  hub.reset();
  // Reopening the same database applies nothing twice.
  auto again = OpenRepository(this->db_);
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->SchemaVersion(), 2);
}

TYPED_TEST(HubTest, RepositoryRoundTripsNodesAndHarvests) {
  auto repo = OpenRepository(*TypeParam::Db(this->dir_));
  ASSERT_OK(repo);
  Repository& r = **repo;
  NodeRecord n{"x1", "http://127.0.0.1:9", "SE", "admin", 1234};
  ASSERT_OK(r.UpsertNode(n));
  n.url = "http://127.0.0.1:10";
  ASSERT_OK(r.UpsertNode(n));  // replaces
  auto nodes = r.ListNodes();
  ASSERT_OK(nodes);
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0], n);
  // Values with quotes and SQL in them are data, not code.
  HarvestSnapshot snap;
  snap.info = R"({"id":"x1"})";
  CatalogueDataset d;
  d.dataset_id = "d'; DROP TABLE nodes; --";
  d.name = "O'Brien \"cohort\"";
  d.sample_count = 42;
  d.consent_codes = {"DUO:0000042"};
  d.data_types = {"genomicVariant"};
  snap.datasets.push_back(d);
  snap.terms.push_back({"x1", "HP:0001250", "Seizure", "ontologyTerm"});
  ASSERT_OK(r.StoreHarvest("x1", snap, 5000));
  ASSERT_OK(r.StoreHarvestFailure("x1", "unavailable: refused", 6000));
  auto states = r.ListNodeStates();
  ASSERT_OK(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_TRUE((*states)[0].stale);
  EXPECT_EQ((*states)[0].last_success_ms, 5000);
  EXPECT_EQ((*states)[0].last_attempt_ms, 6000);
  EXPECT_EQ((*states)[0].last_error, "unavailable: refused");
  auto ds = r.ListDatasets();
  ASSERT_OK(ds);
  ASSERT_EQ(ds->size(), 1u);
  EXPECT_EQ((*ds)[0].dataset_id, d.dataset_id);
  EXPECT_EQ((*ds)[0].name, d.name);
  EXPECT_EQ((*ds)[0].sample_count, 42u);
  EXPECT_EQ((*ds)[0].consent_codes, d.consent_codes);
  EXPECT_EQ(r.StoreHarvest("nope", snap, 1).code(), StatusCode::kNotFound);
  auto removed = r.DeleteNode("x1");
  ASSERT_OK(removed);
  EXPECT_TRUE(*removed);
  EXPECT_TRUE(r.ListDatasets()->empty());
  EXPECT_TRUE(r.ListTerms()->empty());
  EXPECT_FALSE(*r.DeleteNode("x1"));
}

TYPED_TEST(HubTest, HubCountsEqualSumOfNodesEqualQueryOverTheUnion) {
  auto& fed = Federation::Get();
  auto hub = this->StartHub(fed.entries());
  ASSERT_TRUE(hub);
  std::string params = this->VariantParams() + "&requestedGranularity=count";
  auto r = this->Get(hub->base_url() + "/api/individuals?" + params);
  ASSERT_EQ(r.status, 200) << r.body;
  json hub_answer = this->Parse(r);
  uint64_t node_sum = 0;
  for (size_t i = 0; i < 3; ++i) {
    json a = this->Parse(this->Get(fed.node(i).base_url() + "/api/individuals?" + params));
    ASSERT_TRUE(a["responseSummary"].contains("numTotalResults")) << a.dump();
    node_sum += a["responseSummary"]["numTotalResults"].get<uint64_t>();
  }
  const auto& k = fed.shared_variant();
  auto q = testing::RunCommand(testing::GenomefedBinary().string() + " query --json --data-dir " +
                               fed.union_dir().string() + " --variant " + k.contig + ":" +
                               std::to_string(k.pos) + ":" + k.ref + ":" + k.alt);
  ASSERT_EQ(q.exit_code, 0) << q.output;
  uint64_t union_count = json::parse(q.output)["individuals"].get<uint64_t>();
  EXPECT_GT(union_count, 0u);
  EXPECT_EQ(hub_answer["responseSummary"]["numTotalResults"].get<uint64_t>(), node_sum);
  EXPECT_EQ(node_sum, union_count);
  EXPECT_EQ(hub_answer["responseSummary"]["countPrecision"], "exact");
  EXPECT_EQ(hub_answer["meta"]["returnedGranularity"], "count");
  EXPECT_EQ(hub_answer["meta"]["beaconId"], "test-hub");
  EXPECT_TRUE(hub_answer["info"]["unavailableNodes"].empty());
  // One result set per node and dataset, tagged.
  const json& sets = hub_answer["response"]["resultSets"];
  ASSERT_EQ(sets.size(), 3u) << hub_answer.dump(1);
  std::set<std::string> ids;
  for (const json& s : sets) {
    ids.insert(s["id"].get<std::string>());
    EXPECT_EQ(s["info"]["country"], s["info"]["node"] == "fi"   ? "FI"
                                    : s["info"]["node"] == "nl" ? "NL"
                                                                : "ES");
  }
  EXPECT_EQ(ids, (std::set<std::string>{"fi:fi-cohort", "nl:nl-cohort", "es:es-cohort"}));
  this->ExpectValid("beaconCountResponse.json", hub_answer);

  // The same through POST, and the g_variants range count is the sum of the nodes' counts.
  json body = {{"meta", {{"apiVersion", "v2.1.1"}}},
               {"query",
                {{"requestParameters",
                  {{"referenceName", "22"},
                   {"start", json::array({0})},
                   {"end", json::array({60'000'000})}}},
                 {"requestedGranularity", "count"}}}};
  auto p = this->Send("POST", hub->base_url() + "/api/g_variants", body.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  json range = this->Parse(p);
  uint64_t range_sum = 0;
  for (size_t i = 0; i < 3; ++i) {
    json a =
        this->Parse(this->Send("POST", fed.node(i).base_url() + "/api/g_variants", body.dump()));
    range_sum += a["responseSummary"]["numTotalResults"].get<uint64_t>();
  }
  EXPECT_GT(range_sum, 0u);
  EXPECT_EQ(range["responseSummary"]["numTotalResults"].get<uint64_t>(), range_sum);
  this->ExpectValid("beaconCountResponse.json", range);
}

TYPED_TEST(HubTest, KilledNodeIsNamedAndTheOthersStillAnswer) {
  auto& fed = Federation::Get();
  auto nodes = fed.entries();
  nodes.push_back({"dead", "http://127.0.0.1:" + std::to_string(ClosedPort()), "SE"});
  auto hub = this->StartHub(nodes, 1000);
  ASSERT_TRUE(hub);
  auto t0 = Clock_::now();
  auto r = this->Get(hub->base_url() + "/api/individuals?" + this->VariantParams() +
                     "&requestedGranularity=count");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock_::now() - t0).count();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_LT(ms, 1000 + 500);
  json a = this->Parse(r);
  ASSERT_EQ(a["info"]["unavailableNodes"].size(), 1u) << a.dump(1);
  EXPECT_EQ(a["info"]["unavailableNodes"][0]["id"], "dead");
  EXPECT_NE(a["info"]["unavailableNodes"][0]["reason"].get<std::string>().find("unavailable"),
            std::string::npos);
  EXPECT_EQ(a["response"]["resultSets"].size(), 3u);
  // The total misses a node: it is a lower bound, so it is not exact.
  EXPECT_EQ(a["responseSummary"]["countPrecision"], "imprecise");
  this->ExpectValid("beaconCountResponse.json", a);
}

TYPED_TEST(HubTest, SlowNodeCostsAtMostItsTimeout) {
  auto& fed = Federation::Get();
  FakeNode slow([](const http::Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return http::Response::Json("{}");
  });
  auto nodes = fed.entries();
  nodes.push_back({"slow", slow.url(), "DE"});
  constexpr uint32_t kTimeout = 300;
  auto hub = this->StartHub(nodes, kTimeout);
  ASSERT_TRUE(hub);
  auto t0 = Clock_::now();
  auto r = this->Get(hub->base_url() + "/api/g_variants?" + this->VariantParams() +
                     "&requestedGranularity=count");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock_::now() - t0).count();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(ms, kTimeout - 10);
  EXPECT_LE(ms, kTimeout + 400) << "the hub waited longer than the node time-out";
  json a = this->Parse(r);
  ASSERT_EQ(a["info"]["unavailableNodes"].size(), 1u) << a.dump(1);
  EXPECT_EQ(a["info"]["unavailableNodes"][0]["id"], "slow");
  EXPECT_NE(a["info"]["unavailableNodes"][0]["reason"].get<std::string>().find("deadline"),
            std::string::npos);
  EXPECT_TRUE(a["responseSummary"]["exists"].get<bool>());
  EXPECT_EQ(a["responseSummary"]["numTotalResults"], 3);
  this->ExpectValid("beaconCountResponse.json", a);
}

TYPED_TEST(HubTest, GarbageFromNodesStillGivesAValidAnswer) {
  auto& fed = Federation::Get();
  FakeNode junk([](const http::Request&) { return http::Response::Json("<html>oops"); });
  FakeNode error([](const http::Request&) {
    return http::Response::Json(R"({"error":{"errorCode":500,"errorMessage":"disk on fire"}})",
                                500);
  });
  FakeNode wrong_shape([](const http::Request&) {
    return http::Response::Json(R"({"meta":{},"responseSummary":{"exists":"yes"}})");
  });
  FakeNode bad_sets([](const http::Request&) {
    return http::Response::Json(
        R"({"meta":{"returnedGranularity":"count"},"responseSummary":{"exists":true,"numTotalResults":1},"response":{"resultSets":[17]}})");
  });
  auto nodes = fed.entries();
  nodes.push_back({"junk", junk.url(), "DE"});
  nodes.push_back({"error", error.url(), "DE"});
  nodes.push_back({"shape", wrong_shape.url(), "DE"});
  nodes.push_back({"sets", bad_sets.url(), "DE"});
  auto hub = this->StartHub(nodes);
  ASSERT_TRUE(hub);
  for (std::string granularity : {"boolean", "count", "record"}) {
    auto r = this->Get(hub->base_url() + "/api/g_variants?" + this->VariantParams() +
                       "&requestedGranularity=" + granularity);
    ASSERT_EQ(r.status, 200) << r.body;
    json a = this->Parse(r);
    ASSERT_TRUE(a.is_object()) << r.body;
    std::map<std::string, std::string> reasons;
    for (const json& u : a["info"]["unavailableNodes"]) {
      reasons[u["id"].get<std::string>()] = u["reason"].get<std::string>();
    }
    ASSERT_EQ(reasons.size(), 4u) << a.dump(1);
    EXPECT_NE(reasons["junk"].find("not JSON"), std::string::npos);
    EXPECT_NE(reasons["error"].find("HTTP 500: disk on fire"), std::string::npos);
    EXPECT_NE(reasons["shape"].find("malformed"), std::string::npos);
    EXPECT_NE(reasons["sets"].find("malformed"), std::string::npos);
    EXPECT_TRUE(a["responseSummary"]["exists"].get<bool>());
    // Nodes allow count, so a record request gets count.
    std::string schema =
        granularity == "boolean" ? "beaconBooleanResponse.json" : "beaconCountResponse.json";
    this->ExpectValid(schema, a);
  }
}

TYPED_TEST(HubTest, CallerAuthorizationIsForwarded) {
  std::atomic<int> calls{0};
  FakeNode node([&](const http::Request& req) {
    ++calls;
    return CountFor(req, "n1", 0, {}, Granularity::kBoolean);
  });
  auto hub = this->StartHub({{"n1", node.url(), "FI"}});
  ASSERT_TRUE(hub);
  auto r = this->Get(hub->base_url() + "/api/g_variants?" + this->VariantParams(),
                     {{"Authorization", "Bearer passport-jwt-abc"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(node.last_authorization(), "Bearer passport-jwt-abc");
}

TYPED_TEST(HubTest, InvalidRequestIsABeaconError) {
  auto hub = this->StartHub(Federation::Get().entries());
  ASSERT_TRUE(hub);
  auto r = this->Get(hub->base_url() + "/api/g_variants?referenceName=22&start=-5");
  EXPECT_EQ(r.status, 400) << r.body;
  json a = this->Parse(r);
  EXPECT_EQ(a["error"]["errorCode"], 400);
  auto nf = this->Get(hub->base_url() + "/api/nope");
  EXPECT_EQ(nf.status, 404);
  this->ExpectValid("beaconErrorResponse.json", a);
  this->ExpectValid("beaconErrorResponse.json", this->Parse(nf));
}

TYPED_TEST(HubTest, HarvestFillsTheCatalogueAndFailureMarksItStale) {
  auto& fed = Federation::Get();
  std::atomic<bool> up{true};
  FakeNode flaky([&](const http::Request& req) {
    if (!up) return http::Response::Json("{}", 503);
    if (req.path == "/api/info") {
      return http::Response::Json(R"({"meta":{},"response":{"id":"flaky","name":"Flaky"}})");
    }
    if (req.path == "/api/datasets") {
      return http::Response::Json(
          R"({"meta":{},"responseSummary":{"exists":true},"response":{"collections":[
        {"id":"rare","name":"Rare disease cohort","description":"epilepsy trios",
         "dataUseConditions":{"duoDataUse":[{"id":"DUO:0000007"}]},
         "info":{"sampleCount":12,"alleleCount":100}}]}})");
    }
    return http::Response::Json(R"({"meta":{},"response":{"filteringTerms":[
      {"id":"HP:0001250","label":"Seizure","type":"ontologyTerm"},
      {"id":"ICD10:G40","label":"Epilepsy","type":"ontologyTerm"}]}})");
  });
  auto nodes = fed.entries();
  nodes.push_back({"flaky", flaky.url(), "SE"});
  auto hub = this->StartHub(nodes);
  ASSERT_TRUE(hub);
  auto outcomes = hub->HarvestNow();
  ASSERT_EQ(outcomes.size(), 4u);
  for (const auto& o : outcomes) EXPECT_TRUE(o.ok) << o.node_id << ": " << o.error;
  json c = this->Parse(this->Get(hub->base_url() + "/api/catalogue?country=SE"));
  ASSERT_EQ(c["total"], 1) << c.dump(1);
  EXPECT_EQ(c["datasets"][0]["id"], "flaky:rare");
  EXPECT_EQ(c["datasets"][0]["stale"], false);
  std::string first_harvest = c["datasets"][0]["lastHarvest"];
  EXPECT_FALSE(first_harvest.empty());

  up = false;
  outcomes = hub->HarvestNow();
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.ok, o.node_id != "flaky") << o.node_id << ": " << o.error;
  }
  c = this->Parse(this->Get(hub->base_url() + "/api/catalogue?country=SE"));
  ASSERT_EQ(c["total"], 1) << "a failing node keeps its last catalogue entry";
  EXPECT_EQ(c["datasets"][0]["stale"], true);
  EXPECT_EQ(c["datasets"][0]["lastHarvest"], first_harvest);
  bool found = false;
  for (const json& n : c["nodes"]) {
    if (n["id"] != "flaky") continue;
    found = true;
    EXPECT_EQ(n["stale"], true);
    EXPECT_NE(n["lastError"].get<std::string>().find("HTTP 503"), std::string::npos);
  }
  EXPECT_TRUE(found);
  c = this->Parse(this->Get(hub->base_url() + "/api/catalogue?country=SE&includeStale=false"));
  EXPECT_EQ(c["total"], 0);

  up = true;
  hub->HarvestNow();
  c = this->Parse(this->Get(hub->base_url() + "/api/catalogue?country=SE"));
  EXPECT_EQ(c["datasets"][0]["stale"], false);
}

TYPED_TEST(HubTest, CatalogueSearchFilters) {
  auto& fed = Federation::Get();
  auto hub = this->StartHub(fed.entries());
  ASSERT_TRUE(hub);
  for (const auto& o : hub->HarvestNow()) ASSERT_TRUE(o.ok) << o.error;
  auto total = [&](const std::string& q) {
    json c = this->Parse(this->Get(hub->base_url() + "/api/catalogue" + q));
    return c.value("total", -1);
  };
  EXPECT_EQ(total(""), 3);
  EXPECT_EQ(total("?country=FI"), 1);
  EXPECT_EQ(total("?country=fi"), 1);
  EXPECT_EQ(total("?country=SE"), 0);
  EXPECT_EQ(total("?consent=DUO:0000042"), 3);
  EXPECT_EQ(total("?consent=DUO:0000007"), 0);
  EXPECT_EQ(total("?minSamples=80"), 3);
  EXPECT_EQ(total("?minSamples=81"), 0);
  EXPECT_EQ(total("?dataType=genomicVariant"), 3);
  EXPECT_EQ(total("?dataType=runs"), 0);
  EXPECT_EQ(total("?q=IBS"), 1);  // the ES description
  EXPECT_EQ(total("?q=cohort%20nl"), 1);
  EXPECT_EQ(total("?phenotype=HP:9999999"), 0);
  EXPECT_EQ(total("?disease=ICD10:Z99"), 0);
  // Every synthetic cohort of 80 has someone with hypertension (HP:0000822, prevalence 10 %)?
  // Not guaranteed; take a term the harvest actually found instead.
  json terms = this->Parse(this->Get(hub->base_url() + "/api/filtering_terms"));
  std::string hpo, icd;
  for (const json& t : terms["response"]["filteringTerms"]) {
    std::string id = t["id"];
    if (hpo.empty() && id.rfind("HP:", 0) == 0) hpo = id;
    if (icd.empty() && id.rfind("ICD10:", 0) == 0) icd = id;
  }
  ASSERT_FALSE(hpo.empty());
  EXPECT_GE(total("?phenotype=" + hpo), 1);
  if (!icd.empty()) {
    EXPECT_GE(total("?disease=" + icd), 1);
  }
  EXPECT_EQ(total("?country=FI&minSamples=81"), 0);

  json c = this->Parse(this->Get(hub->base_url() + "/api/catalogue?country=NL"));
  const json& d = c["datasets"][0];
  EXPECT_EQ(d["id"], "nl:nl-cohort");
  EXPECT_EQ(d["node"], "nl");
  EXPECT_EQ(d["country"], "NL");
  EXPECT_EQ(d["sampleCount"], 80);
  EXPECT_EQ(d["consentCodes"], json::array({"DUO:0000042"}));
  EXPECT_EQ(d["access"]["beacon"], fed.node(1).base_url() + "/api");

  EXPECT_EQ(this->Get(hub->base_url() + "/api/catalogue?minSamples=lots").status, 400);
  EXPECT_EQ(this->Get(hub->base_url() + "/api/catalogue?colour=red").status, 400);
}

TYPED_TEST(HubTest, AdminApiNeedsTheToken) {
  FakeNode extra([](const http::Request&) { return http::Response::Json("{}", 503); });
  auto hub = this->StartHub(Federation::Get().entries());
  ASSERT_TRUE(hub);
  const std::string url = hub->base_url() + "/api/admin/nodes";
  json body = {{"id", "se"}, {"url", extra.url()}, {"country", "SE"}};
  auto none = this->Send("POST", url, body.dump());
  EXPECT_EQ(none.status, 401);
  auto wrong = this->Send("POST", url, body.dump(), {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 403);
  auto basic = this->Send("POST", url, body.dump(), {{"Authorization", "Basic abc"}});
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(this->Get(url).status, 401);
  EXPECT_EQ(this->Send("POST", hub->base_url() + "/api/admin/harvest", "").status, 401);
  EXPECT_EQ(this->Send("DELETE", url + "/fi", "", {{"Authorization", "Bearer x"}}).status, 403);
  EXPECT_EQ(hub->Nodes().size(), 3u);

  const std::pair<std::string, std::string> auth{"Authorization", std::string("Bearer ") + kToken};
  auto ok = this->Send("POST", url, body.dump(), {auth});
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(hub->Nodes().size(), 4u);
  auto bad = this->Send("POST", url, R"({"id":"a:b","url":"http://x"})", {auth});
  EXPECT_EQ(bad.status, 400);
  json list = this->Parse(this->Get(url, {auth}));
  EXPECT_EQ(list["nodes"].size(), 4u);
  auto harvest = this->Send("POST", hub->base_url() + "/api/admin/harvest", "", {auth});
  EXPECT_EQ(harvest.status, 200);
  EXPECT_EQ(this->Parse(harvest)["harvested"].size(), 4u);
  EXPECT_EQ(this->Send("DELETE", url + "/se", "", {auth}).status, 204);
  EXPECT_EQ(this->Send("DELETE", url + "/se", "", {auth}).status, 404);
  EXPECT_EQ(hub->Nodes().size(), 3u);
}

TYPED_TEST(HubTest, InformationalEndpointsAreSchemaValid) {
  auto& fed = Federation::Get();
  auto hub = this->StartHub(fed.entries());
  ASSERT_TRUE(hub);
  hub->HarvestNow();
  const std::string api = hub->base_url() + "/api";
  json info = this->Parse(this->Get(api + "/info"));
  EXPECT_EQ(info["response"]["info"]["nodes"].size(), 3u);
  this->ExpectValid("beaconInfoResponse.json", info);
  this->ExpectValid("beaconInfoResponse.json", this->Parse(this->Get(api)));
  this->ExpectValid("beaconMapResponse.json", this->Parse(this->Get(api + "/map")));
  this->ExpectValid("beaconConfigurationResponse.json",
                    this->Parse(this->Get(api + "/configuration")));
  this->ExpectValid("beaconEntryTypesResponse.json", this->Parse(this->Get(api + "/entry_types")));
  this->ExpectValid("ga4gh-service-info-1-0-0-schema.json",
                    this->Parse(this->Get(api + "/service-info")));
  json terms = this->Parse(this->Get(api + "/filtering_terms"));
  EXPECT_FALSE(terms["response"]["filteringTerms"].empty());
  this->ExpectValid("beaconFilteringTermsResponse.json", terms);
  json datasets = this->Parse(this->Get(api + "/datasets"));
  EXPECT_EQ(datasets["response"]["collections"].size(), 3u);
  this->ExpectValid("beaconCollectionsResponse.json", datasets);
  json one = this->Parse(this->Get(api + "/datasets/es:es-cohort"));
  ASSERT_EQ(one["response"]["collections"].size(), 1u);
  EXPECT_EQ(one["response"]["collections"][0]["info"]["country"], "ES");
  EXPECT_EQ(this->Get(api + "/datasets/es:nope").status, 404);
  // A dataset-scoped query goes to its node only.
  json scoped = this->Parse(this->Get(api + "/datasets/nl:nl-cohort/g_variants?" +
                                      this->VariantParams() + "&requestedGranularity=count"));
  ASSERT_EQ(scoped["response"]["resultSets"].size(), 1u) << scoped.dump(1);
  EXPECT_EQ(scoped["response"]["resultSets"][0]["id"], "nl:nl-cohort");
  this->ExpectValid("beaconCountResponse.json", scoped);
  // Record requests of single variants by id fan out too; unknown ids are 404.
  EXPECT_EQ(this->Get(api + "/g_variants/22:1:A:T").status, 404);
  json cohorts = this->Parse(this->Get(api + "/cohorts"));
  EXPECT_EQ(cohorts["response"]["collections"].size(), 3u);
  this->ExpectValid("beaconCollectionsResponse.json", cohorts);
}

// ---------------------------------------------------------------------------------------------
// The network under slow, failing and lying nodes (issue 19). SQLite only: the behaviour under
// test is the fan-out's, not the repository's.

class NetworkTest : public HubTest<SqliteBackend> {
 protected:
  // Harvest answers of a fake node called `beacon_id` holding dataset "d".
  static std::optional<http::Response> Harvest(const http::Request& req,
                                               const std::string& beacon_id) {
    if (req.path == "/api/info") {
      return http::Response::Json(
          json{{"meta", json::object()}, {"response", {{"id", beacon_id}, {"name", beacon_id}}}}
              .dump());
    }
    if (req.path == "/api/datasets") {
      return http::Response::Json(
          R"({"meta":{},"responseSummary":{"exists":true},"response":{"collections":[{"id":"d","name":"D"}]}})");
    }
    if (req.path == "/api/filtering_terms") {
      return http::Response::Json(R"({"meta":{},"response":{"filteringTerms":[]}})");
    }
    return std::nullopt;
  }
  uint64_t NodeCount(size_t i, const std::string& params) {
    json a = Parse(Get(Federation::Get().node(i).base_url() + "/api/g_variants?" + params));
    return a["responseSummary"]["numTotalResults"].get<uint64_t>();
  }
  static int64_t MsSince(Clock_::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock_::now() - t0).count();
  }
};

// Point 1: with a slow and a dead node, 16 concurrent clients over 2 server threads all get
// their answers within the node time-out (plus the merge), and /api/info stays fast meanwhile.
TEST_F(NetworkTest, SlowAndDeadNodesNeverHoldTheHubsThreads) {
  auto& fed = Federation::Get();
  FakeNode slow([](const http::Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    return http::Response::Json("{}");
  });
  auto nodes = fed.entries();
  nodes.push_back({"slow", slow.url(), "DE"});
  nodes.push_back({"dead", "http://127.0.0.1:" + std::to_string(ClosedPort()), "SE"});
  constexpr uint32_t kTimeout = 400;
  auto hub = StartHub(nodes, kTimeout, /*threads=*/2);
  ASSERT_TRUE(hub);
  const std::string url =
      hub->base_url() + "/api/g_variants?" + VariantParams() + "&requestedGranularity=count";
  constexpr int kClients = 16;
  constexpr auto kDuration = std::chrono::milliseconds(2500);
  std::atomic<int> answered{0}, wrong{0};
  std::atomic<int64_t> worst_ms{0};
  std::vector<std::thread> clients;
  const auto t_end = Clock_::now() + kDuration;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      auto client = http::MakeCurlClient();
      while (Clock_::now() < t_end) {
        http::ClientRequest r;
        r.url = url;
        r.timeout_ms = 5000;
        auto t0 = Clock_::now();
        auto res = client->Send(r);
        int64_t ms = MsSince(t0);
        int64_t seen = worst_ms.load();
        while (ms > seen && !worst_ms.compare_exchange_weak(seen, ms)) {
        }
        if (!res.ok() || res->status != 200 ||
            json::parse(res->body, nullptr, false)["info"]["unavailableNodes"].size() != 2) {
          ++wrong;
        }
        ++answered;
      }
    });
  }
  // Meanwhile, an endpoint that does not fan out answers as if all nodes were healthy.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int64_t info_worst = 0;
  for (int i = 0; i < 20; ++i) {
    auto t0 = Clock_::now();
    auto r = Get(hub->base_url() + "/api/info");
    info_worst = std::max(info_worst, MsSince(t0));
    EXPECT_EQ(r.status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // Every client waits the time-out per request: about kClients * 2500 / 400 answers.
  EXPECT_GE(answered.load(), kClients * 3) << "answers in " << kDuration.count() << " ms";
  EXPECT_LE(worst_ms.load(), kTimeout + 600) << "an answer waited longer than the node time-out";
  // Held threads would make it wait the node time-out (400 ms) at least.
  EXPECT_LE(info_worst, 250) << "/api/info was held up by the fan-out";
}

// Point 2: a hub cannot be registered as its own node, and a loop through another hub is cut
// at query time by the hop header instead of recursing.
TEST_F(NetworkTest, SelfPointingNodesAreRefusedAndLoopsAreCut) {
  auto& fed = Federation::Get();
  auto other = StartHub({}, 800, 4, "other-hub");
  ASSERT_TRUE(other);
  auto nodes = fed.entries();
  nodes.push_back({"via-other", other->base_url(), "DE"});
  auto hub = StartHub(nodes, 800);
  ASSERT_TRUE(hub);
  const std::pair<std::string, std::string> auth{"Authorization", std::string("Bearer ") + kToken};
  const std::string admin = hub->base_url() + "/api/admin/nodes";
  for (std::string self : {hub->base_url(), hub->base_url() + "/api/",
                           "http://localhost:" + std::to_string(hub->port()),
                           "http://[::1]:" + std::to_string(hub->port())}) {
    auto r =
        Send("POST", admin, json{{"id", "me"}, {"url", self}, {"country", "FI"}}.dump(), {auth});
    EXPECT_EQ(r.status, 400) << self << ": " << r.body;
    EXPECT_NE(r.body.find("own address"), std::string::npos) << r.body;
  }
  // The other hub lists this one: a loop.
  auto back =
      Send("POST", other->base_url() + "/api/admin/nodes",
           json{{"id", "back"}, {"url", hub->base_url()}, {"country", "FI"}}.dump(), {auth});
  ASSERT_EQ(back.status, 201) << back.body;
  std::string params = VariantParams() + "&requestedGranularity=count";
  auto t0 = Clock_::now();
  auto r = Get(hub->base_url() + "/api/g_variants?" + params);
  EXPECT_LE(MsSince(t0), 800 + 500);
  ASSERT_EQ(r.status, 200) << r.body;
  json a = Parse(r);
  ASSERT_EQ(a["info"]["unavailableNodes"].size(), 1u) << a.dump(1);
  EXPECT_EQ(a["info"]["unavailableNodes"][0]["id"], "via-other");
  EXPECT_NE(a["info"]["unavailableNodes"][0]["reason"].get<std::string>().find("loop"),
            std::string::npos)
      << a.dump(1);
  uint64_t sum = NodeCount(0, params) + NodeCount(1, params) + NodeCount(2, params);
  EXPECT_EQ(a["responseSummary"]["numTotalResults"].get<uint64_t>(), sum);
  // The hop header alone is refused with 508.
  auto looped = Get(hub->base_url() + "/api/g_variants?" + params,
                    {{"X-Beacon-Network-Path", "elsewhere, test-hub"}});
  EXPECT_EQ(looped.status, 508) << looped.body;
  ExpectValid("beaconErrorResponse.json", Parse(looped));

  // Harvesting a hub brings back only what it holds itself (nothing), not the network.
  for (const auto& o : other->HarvestNow()) EXPECT_TRUE(o.ok) << o.node_id << ": " << o.error;
  for (const auto& o : hub->HarvestNow()) EXPECT_TRUE(o.ok) << o.node_id << ": " << o.error;
  json c = Parse(Get(hub->base_url() + "/api/catalogue"));
  EXPECT_EQ(c["total"], 3) << c.dump(1);
}

// Point 3: catalogue ids filter datasets, and "nobody could answer" is never "no".
TEST_F(NetworkTest, CatalogueIdsFilterAndNobodyAnsweringIsNeverNo) {
  auto& fed = Federation::Get();
  auto nodes = fed.entries();
  nodes.push_back({"dead", "http://127.0.0.1:" + std::to_string(ClosedPort()), "SE"});
  auto hub = StartHub(nodes, 800);
  ASSERT_TRUE(hub);
  std::string params = VariantParams() + "&requestedGranularity=count";
  auto r = Get(hub->base_url() + "/api/g_variants?" + params + "&datasetIds=fi:fi-cohort");
  ASSERT_EQ(r.status, 200) << r.body;
  json a = Parse(r);
  EXPECT_EQ(a["info"]["network"]["queried"], 1) << a.dump(1);
  EXPECT_EQ(a["responseSummary"]["numTotalResults"].get<uint64_t>(), NodeCount(0, params));
  EXPECT_EQ(a["responseSummary"]["countPrecision"], "exact");
  ASSERT_EQ(a["response"]["resultSets"].size(), 1u);
  EXPECT_EQ(a["response"]["resultSets"][0]["id"], "fi:fi-cohort");
  // Two catalogue ids of two nodes, through POST.
  json body = {{"meta", {{"apiVersion", "v2.1.1"}}},
               {"query",
                {{"requestParameters",
                  {{"referenceName", fed.shared_variant().contig},
                   {"start", json::array({fed.shared_variant().pos - 1})},
                   {"referenceBases", fed.shared_variant().ref},
                   {"alternateBases", fed.shared_variant().alt}}},
                 {"datasetIds", json::array({"nl:nl-cohort", "es:es-cohort"})},
                 {"requestedGranularity", "count"}}}};
  auto p = Send("POST", hub->base_url() + "/api/g_variants", body.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(Parse(p)["responseSummary"]["numTotalResults"].get<uint64_t>(),
            NodeCount(1, params) + NodeCount(2, params));
  // Ids the network does not know are the caller's error, not a "no".
  EXPECT_EQ(Get(hub->base_url() + "/api/g_variants?" + params + "&datasetIds=fi-cohort").status,
            400);
  EXPECT_EQ(Get(hub->base_url() + "/api/g_variants?" + params + "&datasetIds=xx:d").status, 400);
  // A dataset every asked node refuses: an error naming the node.
  auto refused = Get(hub->base_url() + "/api/g_variants?" + params + "&datasetIds=fi:nope");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("fi ("), std::string::npos) << refused.body;
  ExpectValid("beaconErrorResponse.json", Parse(refused));
  // geneId when no node has a gene table: every node refuses, and the answer says so.
  auto genes = Get(hub->base_url() + "/api/g_variants?geneId=BRCA1&requestedGranularity=count" +
                   "&datasetIds=fi:fi-cohort,nl:nl-cohort");
  EXPECT_EQ(genes.status, 400) << genes.body;
  EXPECT_NE(genes.body.find("gene table"), std::string::npos) << genes.body;
  // The dataset's node is down: 503, never exists:false.
  for (std::string u : {"/api/datasets/dead:d/g_variants?" + params,
                        "/api/g_variants?" + params + "&datasetIds=dead:d"}) {
    auto down = Get(hub->base_url() + u);
    EXPECT_EQ(down.status, 503) << u << ": " << down.body;
    json d = Parse(down);
    EXPECT_FALSE(d.contains("responseSummary")) << d.dump(1);
    EXPECT_EQ(d["info"]["unavailableNodes"][0]["id"], "dead");
  }
  // With part of the network down, the answer says it is partial.
  json partial = Parse(Get(hub->base_url() + "/api/g_variants?" + params));
  EXPECT_EQ(partial["info"]["network"]["complete"], false);
  EXPECT_EQ(partial["responseSummary"]["countPrecision"], "imprecise");
}

// Point 4: answers to another question (other query, other beacon, other entity type, more
// than asked) are the node's failure, never summed in.
TEST_F(NetworkTest, WrongAnswersAreNeverSummedIn) {
  auto& fed = Federation::Get();
  FakeNode wrong_query([](const http::Request& req) {
    if (auto h = Harvest(req, "wq")) return *h;
    return CountFor(req, "wq", 1000, [](beacon::BeaconRequest& r) {
      if (r.variant && r.variant->start) *r.variant->start += 1;
    });
  });
  FakeNode wrong_id([](const http::Request& req) {
    if (auto h = Harvest(req, "wid")) return *h;
    return CountFor(req, "an-impostor", 1000);
  });
  FakeNode wrong_granularity([](const http::Request& req) {
    if (auto h = Harvest(req, "wg")) return *h;
    return CountFor(req, "wg", 1000, {}, Granularity::kRecord);
  });
  FakeNode honest([](const http::Request& req) {
    if (auto h = Harvest(req, "honest")) return *h;
    return CountFor(req, "honest", 7);
  });
  auto nodes = fed.entries();
  nodes.push_back({"wq", wrong_query.url(), "DE"});
  nodes.push_back({"wid", wrong_id.url(), "DE"});
  nodes.push_back({"wg", wrong_granularity.url(), "DE"});
  nodes.push_back({"honest", honest.url(), "DE"});
  auto hub = StartHub(nodes);
  ASSERT_TRUE(hub);
  for (const auto& o : hub->HarvestNow()) ASSERT_TRUE(o.ok) << o.node_id << ": " << o.error;
  std::string params = VariantParams() + "&requestedGranularity=count";
  json a = Parse(Get(hub->base_url() + "/api/g_variants?" + params));
  uint64_t sum = NodeCount(0, params) + NodeCount(1, params) + NodeCount(2, params) + 7;
  EXPECT_EQ(a["responseSummary"]["numTotalResults"].get<uint64_t>(), sum) << a.dump(1);
  std::map<std::string, std::string> reasons;
  for (const json& u : a["info"]["unavailableNodes"]) reasons[u["id"]] = u["reason"];
  ASSERT_EQ(reasons.size(), 3u) << a.dump(1);
  EXPECT_NE(reasons["wq"].find("wrong answer"), std::string::npos) << reasons["wq"];
  EXPECT_NE(reasons["wid"].find("an-impostor"), std::string::npos) << reasons["wid"];
  EXPECT_NE(reasons["wg"].find("returnedGranularity record"), std::string::npos) << reasons["wg"];
  ExpectValid("beaconCountResponse.json", a);
}

// Point 5: the registry refuses credentials in URLs, non-ISO countries and silent replacement.
TEST_F(NetworkTest, RegistrationRules) {
  auto& fed = Federation::Get();
  FakeNode extra([](const http::Request&) { return http::Response::Json("{}", 503); });
  // From the config.
  auto with_secret = fed.entries();
  std::string secret_url = extra.url();
  secret_url.insert(7, "user:s3cret@");
  with_secret.push_back({"se", secret_url, "SE"});
  {
    HubOptions o;
    o.config.id = "h";
    o.config.nodes = with_secret;
    o.db_override = *SqliteBackend::Db(dir_, 99);
    o.listen_override = "127.0.0.1:0";
    o.access_log = false;
    o.background_harvest = false;
    auto bad = Hub::Start(o);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
    o.config.nodes = fed.entries();
    o.config.nodes[0].country = "<script>";
    EXPECT_EQ(Hub::Start(o).status().code(), StatusCode::kInvalidArgument);
    o.config.nodes = fed.entries();
    o.config.nodes.push_back(fed.entries()[0]);
    EXPECT_EQ(Hub::Start(o).status().code(), StatusCode::kAlreadyExists);
  }
  // Through the admin API.
  auto hub = StartHub(fed.entries());
  ASSERT_TRUE(hub);
  const std::pair<std::string, std::string> auth{"Authorization", std::string("Bearer ") + kToken};
  const std::string admin = hub->base_url() + "/api/admin/nodes";
  auto post = [&](json body) { return Send("POST", admin, body.dump(), {auth}); };
  auto r = post({{"id", "se"}, {"url", secret_url}, {"country", "SE"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos) << r.body;
  for (std::string country : {"<script>", "XX", "SWE", "", "S"}) {
    r = post({{"id", "se"}, {"url", extra.url()}, {"country", country}});
    EXPECT_EQ(r.status, 400) << country;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << r.body;
  }
  r = post({{"id", "se"}, {"url", extra.url()}, {"country", "se"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Parse(r)["country"], "SE");
  // A duplicate id is refused, config-registered or not, unless the admin asks to replace.
  r = post({{"id", "fi"}, {"url", extra.url()}, {"country", "FI"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(post({{"id", "se"}, {"url", extra.url()}, {"country", "SE"}}).status, 409);
  EXPECT_EQ(post({{"id", "se"}, {"url", extra.url()}, {"country", "NO"}, {"replace", true}}).status,
            201);
  bool fi_kept = false;
  for (const auto& n : hub->Nodes()) {
    if (n.id == "fi") fi_kept = n.url == fed.entries()[0].url && n.source == "config";
    if (n.id == "se") {
      EXPECT_EQ(n.country, "NO");
    }
  }
  EXPECT_TRUE(fi_kept);
  std::string info = Get(hub->base_url() + "/api/info").body;
  EXPECT_EQ(info.find("s3cret"), std::string::npos);
  EXPECT_EQ(info.find("<script>"), std::string::npos);
}

// Point 6 against real nodes: a yes/no-only node beside counting ones keeps their counts.
TEST_F(NetworkTest, BooleanOnlyNodeKeepsTheOthersCounts) {
  auto& fed = Federation::Get();
  FakeNode yes_no(
      [](const http::Request& req) { return CountFor(req, "yn", 1, {}, Granularity::kBoolean); });
  auto nodes = fed.entries();
  nodes.push_back({"yn", yes_no.url(), "PT"});
  auto hub = StartHub(nodes);
  ASSERT_TRUE(hub);
  std::string params = VariantParams() + "&requestedGranularity=count";
  json a = Parse(Get(hub->base_url() + "/api/g_variants?" + params));
  EXPECT_EQ(a["meta"]["returnedGranularity"], "count") << a.dump(1);
  EXPECT_EQ(a["responseSummary"]["numTotalResults"].get<uint64_t>(),
            NodeCount(0, params) + NodeCount(1, params) + NodeCount(2, params));
  EXPECT_EQ(a["responseSummary"]["countPrecision"], "imprecise");
  bool saw_boolean_set = false;
  for (const json& s : a["response"]["resultSets"]) {
    if (s["info"]["node"] == "yn") {
      saw_boolean_set = true;
      EXPECT_EQ(s["info"]["returnedGranularity"], "boolean");
    } else {
      EXPECT_EQ(s["info"]["returnedGranularity"], "count");
    }
  }
  EXPECT_TRUE(saw_boolean_set);
  ExpectValid("beaconCountResponse.json", a);
}

// ---------------------------------------------------------------------------------------------
// The merge rules, on answers built by hand.

NodeAnswer Answer(std::string id, json body, int status = 200) {
  NodeAnswer a;
  a.node_id = std::move(id);
  a.country = "XX";
  a.reached = true;
  a.http_status = status;
  a.body = body.dump();
  return a;
}

json CountAnswer(uint64_t n, bool exact, std::string granularity = "count") {
  json set = {{"id", "d"},
              {"setType", "dataset"},
              {"exists", n > 0},
              {"resultsCount", n},
              {"results", json::array()}};
  json summary = {{"exists", n > 0}};
  if (granularity != "boolean") {
    summary["numTotalResults"] = n;
    summary["countPrecision"] = exact ? "exact" : "imprecise";
  }
  return {
      {"meta", {{"returnedGranularity", granularity}, {"receivedRequestSummary", json::object()}}},
      {"responseSummary", summary},
      {"response", {{"resultSets", json::array({set})}}}};
}

TEST(MergeTest, SumsOnlyExactPartsAsExact) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kCount;
  json all_exact =
      MergeResultsets(hub, req, "genomicVariation", false,
                      {Answer("a", CountAnswer(3, true)), Answer("b", CountAnswer(4, true))});
  EXPECT_EQ(all_exact["responseSummary"]["numTotalResults"], 7);
  EXPECT_EQ(all_exact["responseSummary"]["countPrecision"], "exact");
  json one_imprecise =
      MergeResultsets(hub, req, "genomicVariation", false,
                      {Answer("a", CountAnswer(3, true)), Answer("b", CountAnswer(5, false))});
  EXPECT_EQ(one_imprecise["responseSummary"]["numTotalResults"], 8);
  EXPECT_EQ(one_imprecise["responseSummary"]["countPrecision"], "imprecise");
}

TEST(MergeTest, NodeWarningsReachTheCallerNamingTheNode) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kCount;
  json warned = CountAnswer(0, true);
  warned["info"] = {{"warnings", {"filter 'HP:9999999' is not a term of this beacon"}}};
  json merged = MergeResultsets(hub, req, "individual", false,
                                {Answer("a", warned), Answer("b", CountAnswer(4, true))});
  ASSERT_TRUE(merged["info"].contains("warnings")) << merged.dump();
  ASSERT_EQ(merged["info"]["warnings"].size(), 1u);
  EXPECT_EQ(merged["info"]["warnings"][0],
            "node a: filter 'HP:9999999' is not a term of this beacon");
  json quiet =
      MergeResultsets(hub, req, "individual", false,
                      {Answer("a", CountAnswer(1, true)), Answer("b", CountAnswer(4, true))});
  EXPECT_FALSE(quiet["info"].contains("warnings"));
}

TEST(MergeTest, MixedGranularitiesKeepEachSetAndSayWhatTheSummaryCan) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kRecord;
  // A yes/no-only node that says yes: the counts of the others stay, as a lower bound.
  json merged = MergeResultsets(
      hub, req, "genomicVariation", false,
      {Answer("a", CountAnswer(3, true)), Answer("b", CountAnswer(1, true, "boolean"))});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "count");
  EXPECT_EQ(merged["responseSummary"]["numTotalResults"], 3);
  EXPECT_EQ(merged["responseSummary"]["countPrecision"], "imprecise");
  EXPECT_TRUE(merged["responseSummary"]["exists"].get<bool>());
  ASSERT_EQ(merged["response"]["resultSets"].size(), 2u);
  EXPECT_EQ(merged["response"]["resultSets"][0]["id"], "a:d");
  EXPECT_EQ(merged["response"]["resultSets"][0]["resultsCount"], 3);
  EXPECT_EQ(merged["response"]["resultSets"][0]["info"]["returnedGranularity"], "count");
  EXPECT_EQ(merged["response"]["resultSets"][1]["info"]["node"], "b");
  EXPECT_EQ(merged["response"]["resultSets"][1]["info"]["returnedGranularity"], "boolean");

  // A yes/no-only node that says no adds exactly nothing: the total stays exact.
  json no = CountAnswer(0, true, "boolean");
  merged = MergeResultsets(hub, req, "genomicVariation", false,
                           {Answer("a", CountAnswer(3, true)), Answer("b", no)});
  EXPECT_EQ(merged["responseSummary"]["numTotalResults"], 3);
  EXPECT_EQ(merged["responseSummary"]["countPrecision"], "exact");

  // Records from one node, counts from another: the summary is a count, each set keeps its own.
  json records = CountAnswer(1, true, "record");
  records["response"]["resultSets"][0]["results"] = json::array({{{"variantInternalId", "v1"}}});
  merged = MergeResultsets(hub, req, "genomicVariation", false,
                           {Answer("a", CountAnswer(3, true)), Answer("r", records)});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "count");
  EXPECT_EQ(merged["responseSummary"]["numTotalResults"], 4);
  EXPECT_EQ(merged["response"]["resultSets"][1]["info"]["returnedGranularity"], "record");
  EXPECT_EQ(merged["response"]["resultSets"][1]["results"].size(), 1u);
  // Records from every node: a record answer.
  merged = MergeResultsets(hub, req, "genomicVariation", false, {Answer("r", records)});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "record");
  // Only yes/no: a boolean answer.
  merged = MergeResultsets(hub, req, "genomicVariation", false,
                           {Answer("b", CountAnswer(1, true, "boolean"))});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "boolean");
  EXPECT_FALSE(merged["responseSummary"].contains("numTotalResults"));
}

TEST(MergeTest, NoNodeAnsweringIsAnErrorNamingEveryNode) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kCount;
  NodeAnswer down;
  down.node_id = "x";
  down.error = "unavailable: connection refused";
  json merged = MergeResultsets(hub, req, "individual", false, {down});
  EXPECT_EQ(MergedStatus(merged), 503);
  EXPECT_FALSE(merged.contains("responseSummary"));
  EXPECT_NE(merged["error"]["errorMessage"].get<std::string>().find("x (unavailable"),
            std::string::npos);
  EXPECT_EQ(merged["info"]["unavailableNodes"][0]["reason"], "unavailable: connection refused");
  // Every node refusing the query is the caller's problem: 400.
  json refusal = {{"error", {{"errorCode", 400}, {"errorMessage", "no dataset 'x' here"}}}};
  merged = MergeResultsets(hub, req, "individual", false,
                           {Answer("a", refusal, 400), Answer("b", refusal, 400)});
  EXPECT_EQ(MergedStatus(merged), 400);
  EXPECT_NE(merged["error"]["errorMessage"].get<std::string>().find("every node refused"),
            std::string::npos);
  // One node answering "no" while another is down: a partial answer, said so.
  merged =
      MergeResultsets(hub, req, "individual", false, {Answer("a", CountAnswer(0, true)), down});
  EXPECT_EQ(MergedStatus(merged), 200);
  EXPECT_FALSE(merged["responseSummary"]["exists"].get<bool>());
  EXPECT_EQ(merged["info"]["network"]["complete"], false);
  EXPECT_EQ(merged["responseSummary"]["countPrecision"], "imprecise");
}

TEST(MergeTest, AnswersToAnotherQuestionAreTheNodesFailure) {
  HubIdentity hub{"h", "H", "http://hub"};
  auto parsed = beacon::ParseGetRequest({{"referenceName", "22"},
                                         {"start", "100"},
                                         {"referenceBases", "A"},
                                         {"alternateBases", "G"},
                                         {"requestedGranularity", "count"}});
  ASSERT_OK(parsed);
  const beacon::BeaconRequest& req = *parsed;
  auto echo = [&](const beacon::BeaconRequest& r, std::string id, std::string entity) {
    json a = CountAnswer(5, true);
    a["meta"] = beacon::ResponseMeta(id, &r, Granularity::kCount, entity);
    return a;
  };
  NodeAnswer right = Answer("right", echo(req, "right-beacon", "genomicVariation"));
  right.expected_beacon_id = "right-beacon";
  auto other = beacon::ParseGetRequest({{"referenceName", "22"},
                                        {"start", "999"},
                                        {"referenceBases", "A"},
                                        {"alternateBases", "G"},
                                        {"requestedGranularity", "count"}});
  ASSERT_OK(other);
  NodeAnswer wrong_query = Answer("wq", echo(*other, "wq", "genomicVariation"));
  NodeAnswer wrong_id = Answer("wid", echo(req, "somebody-else", "genomicVariation"));
  wrong_id.expected_beacon_id = "wid-beacon";
  NodeAnswer wrong_entity = Answer("we", echo(req, "we", "individual"));
  json too_much = echo(req, "tm", "genomicVariation");
  too_much["meta"]["returnedGranularity"] = "record";
  NodeAnswer above = Answer("tm", too_much);
  json no_echo = CountAnswer(5, true);
  no_echo["meta"].erase("receivedRequestSummary");
  NodeAnswer silent = Answer("silent", no_echo);
  json merged = MergeResultsets(hub, req, "genomicVariation", false,
                                {right, wrong_query, wrong_id, wrong_entity, above, silent});
  EXPECT_EQ(merged["responseSummary"]["numTotalResults"], 5) << merged.dump(1);
  std::map<std::string, std::string> reasons;
  for (const json& u : merged["info"]["unavailableNodes"]) reasons[u["id"]] = u["reason"];
  ASSERT_EQ(reasons.size(), 5u) << merged.dump(1);
  EXPECT_NE(reasons["wq"].find("start"), std::string::npos) << reasons["wq"];
  EXPECT_NE(reasons["wid"].find("somebody-else"), std::string::npos) << reasons["wid"];
  EXPECT_NE(reasons["we"].find("entity type"), std::string::npos) << reasons["we"];
  EXPECT_NE(reasons["tm"].find("returnedGranularity record"), std::string::npos) << reasons["tm"];
  EXPECT_NE(reasons["silent"].find("receivedRequestSummary"), std::string::npos);
}

TEST(AdminTokenTest, ChecksBearerTokensInConstantTimeOnDigests) {
  std::string good = "Bearer t0ken";
  std::string lower = "bearer t0ken";
  std::string wrong = "Bearer t0ken2";
  std::string basic = "Basic dXNlcjpwYXNz";
  EXPECT_OK(CheckAdminToken(&good, "t0ken"));
  EXPECT_OK(CheckAdminToken(&lower, "t0ken"));
  EXPECT_EQ(CheckAdminToken(&wrong, "t0ken").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckAdminToken(&basic, "t0ken").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(CheckAdminToken(nullptr, "t0ken").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(CheckAdminToken(&good, "").code(), StatusCode::kPermissionDenied);
}

TEST(RepositoryTest, RejectsUnknownSchemesAndRedactsPasswords) {
  EXPECT_EQ(OpenRepository("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RedactDbUrl("postgresql://hub:pw@db:5432/hub"), "postgresql://hub:***@db:5432/hub");
  EXPECT_EQ(RedactDbUrl("postgresql://hub@db/hub"), "postgresql://hub@db/hub");
  auto r = OpenRepository("postgresql://hub:topsecret@127.0.0.1:1/hub?connect_timeout=2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace genomefed::hub
