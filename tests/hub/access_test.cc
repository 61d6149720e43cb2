// Controlled access at the hub, end to end on 127.0.0.1 (docs/access.md): two real nodes with
// synthetic cohorts that trust the hub as a passport broker and poll its revocation list, a hub
// with two data access committees, and researchers and DAC members talking to the hub's HTTP API.
// Typed over both repository backends: SQLite in a temp file and PostgreSQL on the server that
// scripts/with-postgres.sh starts (GENOMEFED_TEST_POSTGRES_URL; one fresh database per test).
// One manual clock drives the hub and the nodes, so expiry is tested without waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include <unistd.h>

#include "http/client.h"
#include "hub/access/credentials.h"
#include "hub/access/keyring.h"
#include "hub/access/records.h"
#include "hub/hub.h"
#include "hub/sql.h"
#include "node/node.h"
#include "passport/clock.h"
#include "passport/jwt.h"
#include "support/test_support.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kTokenEnv = "GENOMEFED_ACCESS_TEST_ADMIN_TOKEN";
constexpr const char* kAdminToken = "access-test-operator-token";
// 32 bytes, base64: a Crypt4GH public key in its bare form.
constexpr const char* kC4ghKey = "bWVtYmVyLWtleS0wMTIzNDU2Nzg5YWJjZGVmZ2hpams=";
constexpr int64_t kDay = 86400;

// Two cohorts made once per process by `genomefed synth` + `genomefed ingest`.
struct Cohorts {
  static Cohorts& Get() {
    static Cohorts* c = new Cohorts();
    return *c;
  }
  Status status;
  fs::path fi_dir, nl_dir;
  testing::TempDir dir;

 private:
  Cohorts() { status = Build(); }
  Status Build() {
    const std::string bin = testing::GenomefedBinary().string();
    for (auto [name, pop, out] :
         {std::tuple{"fi", "FIN", &fi_dir}, std::tuple{"nl", "NLD", &nl_dir}}) {
      fs::path d = dir.path() / name;
      auto r = testing::RunCommand(
          bin + " synth --samples 40 --variants 200 --seed 3 --contigs 22" +
              " --quiet --populations " + pop + " --sample-prefix " + name + " --out " + d.string(),
          true);
      if (r.exit_code != 0) return Internal("synth: " + r.output);
      *out = d / "data";
      r = testing::RunCommand(bin + " ingest --quiet --data-dir " + out->string() + " --dataset " +
                                  name + "-cohort --vcf " + (d / "cohort.vcf.gz").string() +
                                  " --samples " + (d / "samples.tsv").string(),
                              true);
      if (r.exit_code != 0) return Internal("ingest: " + r.output);
    }
    return Status::Ok();
  }
};

struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  static Result<std::string> Db(const testing::TempDir& dir) {
    return "sqlite:" + (dir.path() / "hub.db").string();
  }
};

struct PostgresBackend {
  static constexpr const char* kName = "postgresql";
  static Result<std::string> Db(const testing::TempDir&) {
    const char* url = std::getenv("GENOMEFED_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') return Unavailable("no PostgreSQL");
    static std::atomic<int> counter{0};
    std::string name = "accesstest_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    GF_ASSIGN_OR_RETURN(auto admin, internal::OpenPostgres(url));
    (void)admin->Execute("DROP DATABASE IF EXISTS " + name);
    GF_RETURN_IF_ERROR(admin->Execute("CREATE DATABASE " + name));
    std::string base(url);
    return base.substr(0, base.rfind('/') + 1) + name;
  }
};

template <typename Backend>
class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(Backend::kName) == "postgresql" &&
        std::getenv("GENOMEFED_TEST_POSTGRES_URL") == nullptr) {
      if (std::getenv("GENOMEFED_REQUIRE_POSTGRES") != nullptr) {
        FAIL() << "GENOMEFED_REQUIRE_POSTGRES is set but no PostgreSQL server was started";
      }
      GTEST_SKIP() << "PostgreSQL tests run under scripts/with-postgres.sh (make test does)";
    }
    ASSERT_OK(Cohorts::Get().status);
    ::setenv(kTokenEnv, kAdminToken, 1);
    client_ = http::MakeCurlClient();
    clock_ = std::make_shared<passport::ManualClock>(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
    auto db = Backend::Db(dir_);
    ASSERT_OK(db);
    db_ = *db;
    HubOptions o;
    o.config.id = "access-hub";
    o.config.admin_token_env = kTokenEnv;
    o.config.limits.threads = 4;
    o.db_override = *db;
    o.listen_override = "127.0.0.1:0";
    o.access_log = false;
    o.background_harvest = false;
    o.clock = [c = clock_] { return c->NowSeconds() * 1000; };
    o.access.keys_dir = dir_ / "keys";
    o.access.password = {1, 8u << 20};  // cheap argon2id for tests; production uses the default
    o.access.login_max_failures_per_account = 3;
    auto hub = Hub::Start(std::move(o));
    ASSERT_OK(hub);
    hub_ = std::move(hub).value();
    url_ = hub_->base_url();
    fi_ = StartNode("fi", Cohorts::Get().fi_dir, {"DUO:0000042"});
    nl_ = StartNode("nl", Cohorts::Get().nl_dir, {"DUO:0000007", "MONDO:0005148"});
    ASSERT_TRUE(fi_ && nl_);
    ASSERT_OK(hub_->RegisterNode({"fi", fi_->base_url(), "FI", "admin", 0}));
    ASSERT_OK(hub_->RegisterNode({"nl", nl_->base_url(), "NL", "admin", 0}));
    for (const auto& o2 : hub_->HarvestNow()) ASSERT_TRUE(o2.ok) << o2.node_id << ": " << o2.error;
  }

  void TearDown() override {
    if (fi_) fi_->Stop();
    if (nl_) nl_->Stop();
    if (hub_) hub_->Stop();
  }

  std::unique_ptr<node::Node> StartNode(const std::string& id, const fs::path& data,
                                        std::vector<std::string> consent) {
    NodeConfig cfg;
    cfg.id = id;
    cfg.name = "node " + id;
    cfg.country = id == "fi" ? "FI" : "NL";
    cfg.data_dir = data;
    cfg.policy.public_granularity = Granularity::kBoolean;
    cfg.policy.registered_granularity = Granularity::kCount;
    cfg.policy.controlled_granularity = Granularity::kRecord;
    cfg.policy.min_count = 1;
    cfg.trust.push_back({url_, url_ + "/.well-known/jwks.json"});
    cfg.datasets.push_back({id + "-cohort", "Cohort " + id, "", "", std::move(consent), "", {}});
    node::NodeOptions options;
    options.config = cfg;
    options.access_log = false;
    options.listen_override = "127.0.0.1:0";
    options.clock = clock_;
    options.revocations.urls = {url_ + "/api/access/revocations"};
    options.revocations.poll_interval_ms = 200;
    auto n = node::Node::Start(std::move(options));
    EXPECT_OK(n);
    return n.ok() ? std::move(n).value() : nullptr;
  }

  http::ClientResponse Call(const std::string& method, const std::string& path, const json& body,
                            const std::string& bearer = "") {
    http::ClientRequest r;
    r.method = method;
    r.url = path.rfind("http", 0) == 0 ? path : url_ + path;
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers.emplace_back("Content-Type", "application/json");
    }
    if (!bearer.empty()) r.headers.emplace_back("Authorization", "Bearer " + bearer);
    r.timeout_ms = 20000;
    auto res = client_->Send(r);
    EXPECT_OK(res);
    return res.ok() ? *res : http::ClientResponse{};
  }
  json Post(const std::string& path, const json& body, const std::string& bearer, int want) {
    auto r = Call("POST", path, body, bearer);
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json Get(const std::string& path, const std::string& bearer, int want = 200) {
    auto r = Call("GET", path, nullptr, bearer);
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // An account with `roles`, logged in: {id, token}.
  std::pair<std::string, std::string> Account(const std::string& name, json roles) {
    json acc = Post("/api/access/accounts",
                    {{"username", name}, {"password", name + "-password!"}, {"roles", roles}},
                    kAdminToken, 201);
    return {acc.value("id", ""), Login(name)};
  }
  std::string Login(const std::string& name) {
    json s =
        Post("/api/access/login", {{"username", name}, {"password", name + "-password!"}}, "", 200);
    return s.value("token", "");
  }

  void Committees() {
    Post("/api/access/committees",
         {{"id", "dac-fi"}, {"datasets", {"fi:fi-cohort"}}, {"maxGrantDays", 30}}, kAdminToken,
         201);
    Post("/api/access/committees",
         {{"id", "dac-nl"}, {"datasets", {"nl:nl-cohort"}}, {"requireEthicsApproval", true}},
         kAdminToken, 201);
    auto dana = Account("dana", {"dac"});
    auto nick = Account("nick", {"dac"});
    Post("/api/access/committees/dac-fi/members", {{"account", dana.first}}, kAdminToken, 200);
    Post("/api/access/committees/dac-nl/members", {{"account", nick.first}}, kAdminToken, 200);
    dana_ = Login("dana");  // membership is read per request; a fresh session is not needed,
    nick_ = Login("nick");  // but the old ones would do as well
    Post("/api/access/register", {{"username", "rita"}, {"password", "rita-password!"}}, "", 201);
    rita_ = Login("rita");
  }

  json Application(const std::string& dataset, const std::string& purpose, json ethics = nullptr) {
    json a = {{"title", "Epilepsy genetics"},
              {"abstract", "Rare variants in a Nordic cohort."},
              {"purpose", purpose},
              {"datasets", {dataset}},
              {"collaborators", {"Dr. A. Virtanen"}},
              {"crypt4ghPublicKey", kC4ghKey}};
    if (!ethics.is_null()) a["ethics"] = ethics;
    return a;
  }
  std::string Date(int64_t seconds_from_now) {
    time_t t = static_cast<time_t>(clock_->NowSeconds() + seconds_from_now);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
    return buf;
  }

  // The returned granularity of node `n` for /api/individuals with `passport` ("" = anonymous).
  std::string Granularity(node::Node& n, const std::string& passport) {
    json j = Get(n.base_url() + "/api/individuals?requestedGranularity=record", passport);
    return j["meta"].value("returnedGranularity", "?");
  }
  std::string Passport(const std::string& token) {
    auto r = Call("GET", "/api/passport", nullptr, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  static std::vector<std::string> VisaTypes(const std::string& passport) {
    std::vector<std::string> out;
    auto jwt = passport::ParseJwt(passport, 1 << 20);
    if (!jwt.ok()) return out;
    for (const auto& v : jwt->payload["ga4gh_passport_v1"]) {
      auto visa = passport::ParseJwt(v.get<std::string>(), 1 << 16);
      if (visa.ok()) out.push_back(visa->payload["ga4gh_visa_v1"].value("type", ""));
    }
    return out;
  }
  // Waits (bounded) until the node has applied one more revocation list than `before`.
  void WaitForPoll(node::Node& n, uint64_t before) {
    for (int i = 0; i < 100 && n.revocations()->successful_polls() <= before + 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(n.revocations()->successful_polls(), before + 1);
  }

  testing::TempDir dir_;
  std::shared_ptr<passport::ManualClock> clock_;
  std::unique_ptr<http::HttpClient> client_;
  std::unique_ptr<Hub> hub_;
  std::string url_;
  std::string db_;
  std::unique_ptr<node::Node> fi_, nl_;
  std::string dana_, nick_, rita_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(AccessTest, Backends, BackendNames);

TYPED_TEST(AccessTest, ApplyDecidePassportAtTheNodeRevokeWithinOnePoll) {
  this->Committees();
  // Consent of nl-cohort is DS (MONDO:0005148); a general HMB purpose does not fit it.
  json ethics = {{"reference", "ERB-2026-17"}, {"expires", this->Date(200 * kDay)}};
  json denied =
      this->Post("/api/access/applications",
                 this->Application("nl:nl-cohort", "DUO:0000006", ethics), this->rita_, 201);
  const json& item = denied["items"][0];
#ifdef GENOMEFED_HAVE_DUO
  EXPECT_EQ(item["verdict"], "deny") << denied.dump(1);
#endif
  EXPECT_FALSE(item["reasons"].empty());
  EXPECT_EQ(item["committee"], "dac-nl");
  if (item["verdict"] == "deny") {
    json r =
        this->Post("/api/access/applications/" + denied["id"].get<std::string>() + "/decisions",
                   {{"decision", "approve"}, {"endDate", this->Date(20 * kDay)}}, this->nick_, 409);
    EXPECT_NE(r["msg"].get<std::string>().find("overrideReason"), std::string::npos) << r;
  }

  // HMB research on a GRU dataset: approved by DUO, decided by dac-fi only.
  json app = this->Post("/api/access/applications",
                        this->Application("fi:fi-cohort", "DUO:0000006"), this->rita_, 201);
  const std::string id = app["id"];
#ifdef GENOMEFED_HAVE_DUO
  EXPECT_EQ(app["items"][0]["verdict"], "approve") << app.dump(1);
#endif
  json queue = this->Get("/api/access/applications?committee=dac-fi&state=submitted", this->dana_);
  ASSERT_EQ(queue["applications"].size(), 1u) << queue;
  EXPECT_EQ(queue["applications"][0]["id"], id);
  EXPECT_EQ(this->Get("/api/access/applications?committee=dac-fi", this->nick_, 403)["status"],
            403);
  const std::string decide = "/api/access/applications/" + id + "/decisions";
  json outside = this->Post(decide, {{"decision", "approve"}, {"endDate", this->Date(10 * kDay)}},
                            this->nick_, 403);
  EXPECT_NE(outside["msg"].get<std::string>().find("committee"), std::string::npos) << outside;
  json too_long = this->Post(decide, {{"decision", "approve"}, {"endDate", this->Date(60 * kDay)}},
                             this->dana_, 400);
  EXPECT_NE(too_long["msg"].get<std::string>().find("endDate"), std::string::npos);

  const std::string anonymous = this->Granularity(*this->fi_, "");
  EXPECT_EQ(anonymous, "boolean");
  json approved = this->Post(decide,
                             {{"decision", "approve"},
                              {"endDate", this->Date(20 * kDay)},
                              {"comment", "fits the consent"}},
                             this->dana_, 200);
  EXPECT_EQ(approved["state"], "decided");
  EXPECT_EQ(approved["items"][0]["state"], "approved");
  this->Post(decide, {{"decision", "approve"}, {"endDate", this->Date(20 * kDay)}}, this->dana_,
             409);  // a double decision changes nothing

  // The researcher's passport opens record-level answers for that dataset only.
  std::string passport = this->Passport(this->rita_);
  EXPECT_EQ(this->VisaTypes(passport), std::vector<std::string>{"ControlledAccessGrants"});
  EXPECT_EQ(this->Granularity(*this->fi_, passport), "record");
  EXPECT_EQ(this->Granularity(*this->nl_, passport), "boolean");

  // Every change is a version with who and when.
  json full = this->Get("/api/access/applications/" + id, this->rita_);
  ASSERT_EQ(full["history"].size(), 2u) << full["history"];
  EXPECT_EQ(full["history"][0]["state"], "submitted");
  EXPECT_EQ(full["history"][1]["state"], "decided");
  EXPECT_EQ(full["history"][1]["by"],
            "account:" + std::string(this->Get("/api/access/me", this->dana_)["id"]));

  // Revocation: the same, still unexpired passport is refused after one poll.
  json grants = this->Get("/api/access/grants", this->rita_);
  ASSERT_EQ(grants["grants"].size(), 1u);
  const std::string grant = grants["grants"][0]["id"];
  uint64_t polls = this->fi_->revocations()->successful_polls();
  this->Post("/api/access/grants/" + grant + "/revoke", {{"reason", "data breach at the lab"}},
             this->dana_, 200);
  this->WaitForPoll(*this->fi_, polls);
  EXPECT_EQ(this->Granularity(*this->fi_, passport), "boolean");
  EXPECT_TRUE(this->VisaTypes(this->Passport(this->rita_)).empty());
  this->Post("/api/access/grants/" + grant + "/revoke", {{"reason", "again"}}, this->dana_, 409);
}

TYPED_TEST(AccessTest, ExpiredGrantStopsBeingIssuedAndHonoured) {
  this->Committees();
  json app = this->Post("/api/access/applications",
                        this->Application("fi:fi-cohort", "DUO:0000006"), this->rita_, 201);
  this->Post("/api/access/applications/" + app["id"].get<std::string>() + "/decisions",
             {{"decision", "approve"}, {"endDate", this->Date(2 * kDay)}}, this->dana_, 200);
  std::string passport = this->Passport(this->rita_);
  EXPECT_EQ(this->Granularity(*this->fi_, passport), "record");
  this->clock_->Advance(3 * kDay);
  EXPECT_EQ(this->Granularity(*this->fi_, passport), "boolean");
  // The session expired too (8 h); a fresh one gets a passport without the grant.
  this->Get("/api/passport", this->rita_, 401);
  std::string fresh = this->Login("rita");
  EXPECT_TRUE(this->VisaTypes(this->Passport(fresh)).empty());
  EXPECT_EQ(this->Get("/api/access/grants", fresh)["grants"][0]["state"], "expired");
}

TYPED_TEST(AccessTest, RetiredKeyVerifiesUntilItsLastTokenExpires) {
  this->Committees();
  json app = this->Post("/api/access/applications",
                        this->Application("fi:fi-cohort", "DUO:0000006"), this->rita_, 201);
  this->Post("/api/access/applications/" + app["id"].get<std::string>() + "/decisions",
             {{"decision", "approve"}, {"endDate", this->Date(2 * kDay)}}, this->dana_, 200);
  std::string before = this->Passport(this->rita_);
  auto old_kid = passport::ParseJwt(before, 1 << 20)->kid;
  json jwks = this->Post("/api/access/keys/rotate", nullptr, kAdminToken, 200);
  EXPECT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(this->Get("/.well-known/jwks.json", "")["keys"].size(), 2u);
  std::string after = this->Passport(this->rita_);
  EXPECT_NE(passport::ParseJwt(after, 1 << 20)->kid, old_kid);
  EXPECT_EQ(this->Granularity(*this->fi_, before), "record");  // signed by the retired key
  EXPECT_EQ(this->Granularity(*this->fi_, after), "record");
  // Past the last exp the retired key signed (the grant end), it is no longer published.
  this->clock_->Advance(3 * kDay + 120);  // endDate is a whole day: its end
  json later = this->Get("/.well-known/jwks.json", "");
  ASSERT_EQ(later["keys"].size(), 1u);
  EXPECT_NE(later["keys"][0]["kid"], old_kid);
  EXPECT_EQ(this->Granularity(*this->fi_, before), "boolean");
  // Restart-safe: the ring is on disk.
  auto ring = access::KeyRing::Open(this->dir_ / "keys", this->clock_->NowSeconds());
  ASSERT_OK(ring);
  EXPECT_EQ((*ring)->active_kid(), later["keys"][0]["kid"]);
}

TYPED_TEST(AccessTest, BadInputIsA4xxNamingTheFieldAndChangesNothing) {
  this->Committees();
  auto msg = [&](const json& body, int status) {
    json r = this->Post("/api/access/applications", body, this->rita_, status);
    return r.value("msg", std::string());
  };
  EXPECT_NE(msg(this->Application("fi:nope", "DUO:0000006"), 404).find("datasets[0]"),
            std::string::npos);
  EXPECT_NE(msg(this->Application("fi:fi-cohort", "HMB-ish"), 400).find("purpose[0]"),
            std::string::npos);
  json no_key = this->Application("fi:fi-cohort", "DUO:0000006");
  no_key["crypt4ghPublicKey"] = "not a key";
  EXPECT_NE(msg(no_key, 400).find("crypt4ghPublicKey"), std::string::npos);
  EXPECT_NE(msg(this->Application("nl:nl-cohort", "DUO:0000006"), 400).find("ethics"),
            std::string::npos);
  json expired = {{"reference", "ERB-1"}, {"expires", this->Date(-2 * kDay)}};
  EXPECT_NE(
      msg(this->Application("nl:nl-cohort", "DUO:0000006", expired), 400).find("ethics.expires"),
      std::string::npos);
  // A dataset in the catalogue without a committee: no DAC, no application.
  this->Post("/api/access/committees", {{"id", "dac-x"}, {"datasets", {"fi:fi-cohort"}}},
             kAdminToken, 409);
  EXPECT_EQ(this->Get("/api/access/applications", this->rita_)["applications"].size(), 0u);
  // DAC members and the operator do not apply; researchers do not decide or create committees.
  this->Post("/api/access/applications", this->Application("fi:fi-cohort", "DUO:0000006"),
             this->dana_, 403);
  this->Post("/api/access/committees", {{"id", "mine"}, {"datasets", {"fi:x"}}}, this->rita_, 403);
  this->Post("/api/access/applications/app-0/decisions", {{"decision", "approve"}}, this->rita_,
             403);
  // Not JSON, no session.
  auto r = this->Call("POST", "/api/access/applications", nullptr, this->rita_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(this->Call("GET", "/api/passport", nullptr, "").status, 401);
  EXPECT_EQ(this->Call("GET", "/api/passport", nullptr, "made-up-token").status, 401);
}

TYPED_TEST(AccessTest, WithdrawAndReturnForChanges) {
  this->Committees();
  json app = this->Post("/api/access/applications",
                        this->Application("fi:fi-cohort", "DUO:0000006"), this->rita_, 201);
  const std::string id = app["id"];
  this->Post("/api/access/applications/" + id + "/decisions", {{"decision", "return"}}, this->dana_,
             400);  // a return needs a comment
  json returned =
      this->Post("/api/access/applications/" + id + "/decisions",
                 {{"decision", "return"}, {"comment", "name the cohort's use"}}, this->dana_, 200);
  EXPECT_EQ(returned["state"], "returned");
  auto r = this->Call("PUT", "/api/access/applications/" + id,
                      this->Application("fi:fi-cohort", "DUO:0000006,DUO:0000019"), this->rita_);
  EXPECT_EQ(r.status, 200) << r.body;
  json withdrawn =
      this->Post("/api/access/applications/" + id + "/withdraw", nullptr, this->rita_, 200);
  EXPECT_EQ(withdrawn["state"], "withdrawn");
  this->Post("/api/access/applications/" + id + "/decisions",
             {{"decision", "approve"}, {"endDate", this->Date(5 * kDay)}}, this->dana_, 409);
  EXPECT_EQ(this->Get("/api/access/applications/" + id, this->rita_)["history"].size(), 4u);
}

TYPED_TEST(AccessTest, LoginIsRateLimitedAndSecretsAreStoredHashed) {
  this->Committees();
  for (int i = 0; i < 3; ++i) {
    this->Post("/api/access/login", {{"username", "rita"}, {"password", "wrong-password"}}, "",
               401);
  }
  json limited = this->Post("/api/access/login",
                            {{"username", "rita"}, {"password", "rita-password!"}}, "", 429);
  EXPECT_NE(limited["msg"].get<std::string>().find("too many"), std::string::npos);
  this->clock_->Advance(901);
  std::string token = this->Login("rita");
  EXPECT_EQ(token.size(), 43u);
  // Unknown users fail like wrong passwords.
  json unknown = this->Post("/api/access/login",
                            {{"username", "nobody"}, {"password", "whatever-1"}}, "", 401);
  EXPECT_EQ(unknown["msg"], "wrong username or password");
  // What the database holds: argon2id hashes, token digests, never the secrets.
  auto store = access::RecordStore::Open(this->db_);
  ASSERT_OK(store);
  auto sessions = (*store)->CurrentAll("session");
  ASSERT_OK(sessions);
  ASSERT_FALSE(sessions->empty());
  for (const auto& s : *sessions) {
    EXPECT_EQ(s.id.size(), 64u);
    EXPECT_NE(s.id, token);
    EXPECT_EQ(s.doc.dump().find(token), std::string::npos);
  }
  auto accounts = (*store)->CurrentAll("account");
  ASSERT_OK(accounts);
  for (const auto& a : *accounts) {
    EXPECT_EQ(a.doc.value("password", "").rfind("$argon2id$", 0), 0u) << a.id;
    EXPECT_EQ(a.doc.dump().find("rita-password!"), std::string::npos);
  }
  json me = this->Get("/api/access/me", token);
  EXPECT_FALSE(me.contains("password"));
  EXPECT_EQ(this->Call("POST", "/api/access/logout", nullptr, token).status, 200);
  EXPECT_EQ(this->Call("GET", "/api/access/me", nullptr, token).status, 401);
}

// The CLI against the same hub: register, log in, apply, list, read the passport.
TYPED_TEST(AccessTest, CliAppliesAndGetsAPassport) {
  this->Committees();
  const std::string g = testing::GenomefedBinary().string() + " access ";
  const std::string hub = " --hub " + this->url_;
  fs::path pk = this->dir_ / "rita.pub";
  { std::ofstream(pk) << kC4ghKey << "\n"; }
  auto run = [&](const std::string& env, const std::string& args) {
    return testing::RunCommand(env + " " + g + args + hub, false);
  };
  auto r = run("GENOMEFED_PASSWORD=cli-password-1", "register --username carl");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("GENOMEFED_PASSWORD=cli-password-1", "login --username carl");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string token = json::parse(r.output, nullptr, false).value("token", "");
  ASSERT_EQ(token.size(), 43u) << r.output;
  const std::string env = "GENOMEFED_HUB_TOKEN=" + token;
  r = run(env,
          "apply --title T --abstract A --purpose DUO:0000006 --dataset fi:fi-cohort"
          " --c4gh-pk " +
              pk.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json::parse(r.output, nullptr, false)["state"], "submitted") << r.output;
  r = run(env,
          "apply --title T --abstract A --purpose DUO:0000006 --dataset fi:nope"
          " --c4gh-pk " +
              pk.string());
  EXPECT_EQ(r.exit_code, 3);  // not found
  r = run(env, "list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json::parse(r.output, nullptr, false)["applications"].size(), 1u) << r.output;
  r = run(env, "passport");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(passport::ParseJwt(r.output.substr(0, r.output.find('\n')), 1 << 20).ok());
  r = run("GENOMEFED_HUB_TOKEN=wrong", "list");
  EXPECT_EQ(r.exit_code, 6);  // refused
}

TEST(CredentialsTest, Argon2idHashesVerifyAndDiffer) {
  access::PasswordCost cost{1, 8u << 20};
  auto a = access::HashPassword("correct horse battery", cost);
  auto b = access::HashPassword("correct horse battery", cost);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(*a, *b);  // salted
  EXPECT_TRUE(access::VerifyPassword(*a, "correct horse battery"));
  EXPECT_FALSE(access::VerifyPassword(*a, "correct horse batterz"));
  EXPECT_FALSE(access::VerifyPassword("garbage", "x"));
  EXPECT_FALSE(access::CheckPasswordRules("short").ok());
  EXPECT_NE(access::TokenDigest("a"), access::TokenDigest("b"));
  EXPECT_EQ(access::TokenDigest("a").size(), 64u);
}

TEST(CredentialsTest, LimiterCountsPerKeyInAWindow) {
  access::LoginLimiter l(2, 1000);
  EXPECT_OK(l.Check("k", 0));
  l.RecordFailure("k", 0);
  l.RecordFailure("k", 10);
  EXPECT_EQ(l.Check("k", 20).code(), StatusCode::kResourceExhausted);
  EXPECT_OK(l.Check("other", 20));
  EXPECT_OK(l.Check("k", 1001));
}

}  // namespace
}  // namespace genomefed::hub
