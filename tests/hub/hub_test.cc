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
                             " --consent DUO:0000042";
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
      cfg.datasets.push_back(
          {c.dataset, "Cohort " + c.country, "synthetic " + c.population, "", {"DUO:0000042"}, ""});
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
  static Result<std::string> Db(const testing::TempDir& dir) {
    return "sqlite:" + (dir.path() / "hub.db").string();
  }
};

struct PostgresBackend {
  static constexpr const char* kName = "postgresql";
  // A fresh database per call on the server of scripts/with-postgres.sh.
  static Result<std::string> Db(const testing::TempDir&) {
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

  std::unique_ptr<Hub> StartHub(std::vector<HubNodeEntry> nodes, uint32_t timeout_ms = 1500) {
    auto db = Backend::Db(dir_);
    EXPECT_OK(db);
    if (!db.ok()) return nullptr;
    db_ = *db;
    HubOptions o;
    o.config.id = "test-hub";
    o.config.name = "Test hub";
    o.config.node_timeout_ms = timeout_ms;
    o.config.admin_token_env = kTokenEnv;
    o.config.nodes = std::move(nodes);
    o.config.limits.threads = 4;
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
  FakeNode node([&](const http::Request&) {
    ++calls;
    return http::Response::Json(
        R"({"meta":{"returnedGranularity":"boolean"},"responseSummary":{"exists":false}})");
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
  return {{"meta", {{"returnedGranularity", granularity}}},
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

TEST(MergeTest, MostRestrictiveGranularityWinsForTheSummary) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kRecord;
  json merged = MergeResultsets(
      hub, req, "genomicVariation", false,
      {Answer("a", CountAnswer(3, true)), Answer("b", CountAnswer(1, true, "boolean"))});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "boolean");
  EXPECT_FALSE(merged["responseSummary"].contains("numTotalResults"));
  EXPECT_TRUE(merged["responseSummary"]["exists"].get<bool>());
  // The per-node sets keep what each node said.
  ASSERT_EQ(merged["response"]["resultSets"].size(), 2u);
  EXPECT_EQ(merged["response"]["resultSets"][0]["id"], "a:d");
  EXPECT_EQ(merged["response"]["resultSets"][0]["resultsCount"], 3);
  EXPECT_EQ(merged["response"]["resultSets"][1]["info"]["node"], "b");
}

TEST(MergeTest, NoNodeAnsweringIsAnEmptyBooleanAnswer) {
  HubIdentity hub{"h", "H", "http://hub"};
  beacon::BeaconRequest req;
  req.requested_granularity = Granularity::kCount;
  NodeAnswer down;
  down.node_id = "x";
  down.error = "unavailable: connection refused";
  json merged = MergeResultsets(hub, req, "individual", false, {down});
  EXPECT_EQ(merged["meta"]["returnedGranularity"], "boolean");
  EXPECT_FALSE(merged["responseSummary"]["exists"].get<bool>());
  EXPECT_EQ(merged["info"]["unavailableNodes"][0]["reason"], "unavailable: connection refused");
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
