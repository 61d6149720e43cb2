// Issue 20 at the library level: the AAI userinfo flow (the node fetches the visas itself from a
// trusted broker with the caller's access token), duplicated kids in a JWKS (2, 3 and 4 copies),
// the JWKS key limit, duplicated JSON member names in JOSE headers and claims, parsed URL checks
// and redaction, `aud` against the node's audiences, fetches merged per URL and off the request
// threads, and the documented rule for a condition without `by`.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "passport/base64url.h"
#include "passport/fake_http.h"
#include "passport/jwt.h"
#include "passport/node_settings.h"
#include "passport/raw_sign.h"
#include "passport/rights.h"
#include "passport/signer.h"
#include "passport/url_check.h"
#include "passport/userinfo.h"
#include "passport/verifier.h"
#include "support/test_support.h"

namespace genomefed::passport {
namespace {

using nlohmann::json;
using testing::FakeHttpClient;

constexpr int64_t kNow = 1'800'000'000;
const char kHub[] = "https://hub.example.org";
const char kHubJku[] = "https://hub.example.org/.well-known/jwks.json";
const char kHubUserinfo[] = "https://hub.example.org/userinfo";
const char kOtherBroker[] = "https://login.other.example.org";
const char kOtherJku[] = "https://login.other.example.org/jwks";
const char kOtherUserinfo[] = "https://login.other.example.org/userinfo";
const char kDatasetA[] = "https://node.example.org/datasets/A";

const SigningKey& Key() {
  static const SigningKey* key = new SigningKey(SigningKey::Generate(JwsAlg::kES256).value());
  return *key;
}
const SigningKey& OtherKey() {
  static const SigningKey* key = new SigningKey(SigningKey::Generate(JwsAlg::kES256).value());
  return *key;
}

IssueParams Params(const std::string& sub = "alice") {
  IssueParams p;
  p.iss = kHub;
  p.jku = kHubJku;
  p.sub = sub;
  p.iat = kNow - 10;
  p.exp = kNow + 3600;
  return p;
}

std::string Visa(const std::string& type, const std::string& value, const std::string& by,
                 const std::string& sub = "alice") {
  VisaSpec spec;
  spec.type = type;
  spec.value = value;
  spec.by = by;
  return IssueVisa(Key(), Params(sub), spec).value();
}

std::string Grant(const std::string& sub = "alice") {
  return Visa("ControlledAccessGrants", kDatasetA, "dac", sub);
}

std::string Segment(const std::string& json_text) { return Base64UrlEncode(json_text); }

class LoopholeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(kNow);
    http_ = std::make_shared<FakeHttpClient>();
    http_->Serve(kHubJku, JwksFor({&Key()}).dump());
    trust_ = {{kHub, kHubJku, kHubUserinfo}};
    Make();
  }
  void Make(VerifierOptions options = {}) {
    options.decision_cache_entries = 0;  // every call verifies, so fetch counts are exact
    authorizer_ = std::make_unique<Authorizer>(trust_, http_, clock_, options);
  }
  CallerRights Authorize(const std::string& token) {
    std::vector<DatasetRef> datasets = {{"A", kDatasetA}};
    return authorizer_->Authorize("Bearer " + token, datasets);
  }
  void ServeUserinfo(const std::string& url, const json& doc, int status = 200) {
    http_->Serve(url, doc.dump(), status);
  }
  size_t CallsTo(const std::string& url) const {
    size_t n = 0;
    for (const std::string& u : http_->requests()) n += u == url ? 1 : 0;
    return n;
  }

  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<FakeHttpClient> http_;
  std::vector<TrustEntry> trust_;
  std::unique_ptr<Authorizer> authorizer_;
};

// ---- point 1: the AAI userinfo flow ----

TEST_F(LoopholeTest, AccessTokenIsExchangedAtTheBrokersUserinfo) {
  ServeUserinfo(kHubUserinfo, {{"sub", "alice"}, {"ga4gh_passport_v1", {Grant()}}});
  CallerRights r = Authorize("opaque-access-token.123");
  EXPECT_TRUE(r.authenticated) << r.token_status.ToString();
  EXPECT_EQ(r.identity, std::string("alice@") + kHub);
  EXPECT_EQ(r.LevelFor("A"), AccessLevel::kControlled);
  ASSERT_EQ(CallsTo(kHubUserinfo), 1u);
  // The caller's access token went to the broker, and only there.
  std::vector<std::string> auths = http_->authorizations();
  std::vector<std::string> urls = http_->requests();
  for (size_t i = 0; i < urls.size(); ++i) {
    EXPECT_EQ(auths[i], urls[i] == kHubUserinfo ? "Bearer opaque-access-token.123" : "") << urls[i];
  }
}

TEST_F(LoopholeTest, UserinfoVisasMustBelongToTheUserinfoSubject) {
  ServeUserinfo(kHubUserinfo, {{"sub", "alice"}, {"ga4gh_passport_v1", {Grant("mallory")}}});
  CallerRights r = Authorize("token-of-alice");
  EXPECT_TRUE(r.authenticated);
  EXPECT_EQ(r.LevelFor("A"), AccessLevel::kPublic);
}

TEST_F(LoopholeTest, BrokerRefusalOrGarbageIsPublic) {
  ServeUserinfo(kHubUserinfo, {{"error", "invalid_token"}}, 401);
  CallerRights r = Authorize("expired-token");
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(r.LevelFor("A"), AccessLevel::kPublic);
  EXPECT_NE(r.token_status.message().find("HTTP 401"), std::string::npos);
  for (const std::string& body :
       {std::string("not json"), std::string("{\"ga4gh_passport_v1\": []}"),
        std::string("{\"sub\": \"alice\", \"sub\": \"bob\", \"ga4gh_passport_v1\": []}"),
        std::string("{\"sub\": \"alice\", \"ga4gh_passport_v1\": \"x\"}")}) {
    http_->Serve(kHubUserinfo, body);
    CallerRights g = Authorize("some-token");
    EXPECT_FALSE(g.authenticated) << body;
    EXPECT_EQ(g.LevelFor("A"), AccessLevel::kPublic) << body;
  }
  // Values that are no RFC 6750 token are never sent.
  size_t before = http_->request_count();
  for (const std::string& odd : {std::string("a b"), std::string("x\"y"), std::string(9000, 'a')}) {
    EXPECT_FALSE(Authorize(odd).authenticated);
  }
  EXPECT_EQ(http_->request_count(), before);
}

TEST_F(LoopholeTest, WithoutAUserinfoEndpointAccessTokensAreNotSentAnywhere) {
  trust_ = {{kHub, kHubJku, ""}};
  Make();
  EXPECT_FALSE(Authorize("opaque-access-token").authenticated);
  EXPECT_EQ(http_->request_count(), 0u);
}

TEST_F(LoopholeTest, TokenGoesOnlyToTheBrokerItNames) {
  trust_ = {{kHub, kHubJku, kHubUserinfo}, {kOtherBroker, kOtherJku, kOtherUserinfo}};
  Make();
  ServeUserinfo(kHubUserinfo, {{"sub", "alice"}, {"ga4gh_passport_v1", {Grant()}}});
  ServeUserinfo(kOtherUserinfo, {{"sub", "alice"}, {"ga4gh_passport_v1", json::array()}});
  // Opaque with two brokers: ambiguous, sent to neither.
  EXPECT_FALSE(Authorize("opaque-access-token").authenticated);
  EXPECT_EQ(http_->request_count(), 0u);
  // A JWT access token names its broker by iss (unverified: it only picks the recipient).
  json at = {{"iss", kOtherBroker}, {"sub", "alice"}, {"exp", kNow + 60}, {"scope", "openid"}};
  std::string jwt = OtherKey().SignJwt({{"typ", "at+jwt"}}, at).value();
  CallerRights r = Authorize(jwt);
  EXPECT_TRUE(r.authenticated) << r.token_status.ToString();
  EXPECT_EQ(r.identity, std::string("alice@") + kOtherBroker);
  EXPECT_EQ(CallsTo(kOtherUserinfo), 1u);
  EXPECT_EQ(CallsTo(kHubUserinfo), 0u);
  at["iss"] = "https://unknown.example.org";
  EXPECT_FALSE(Authorize(OtherKey().SignJwt({{"typ", "at+jwt"}}, at).value()).authenticated);
  EXPECT_EQ(http_->request_count(), 1u);
}

TEST_F(LoopholeTest, SignedPassportStillNeedsNoBroker) {
  std::string passport = IssuePassport(Key(), Params(), {Grant()}).value();
  EXPECT_EQ(Authorize(passport).LevelFor("A"), AccessLevel::kControlled);
  EXPECT_EQ(CallsTo(kHubUserinfo), 0u);
}

// ---- point 2: duplicated kids, whatever the count ----

TEST(JwksDuplicates, EveryKeyWithARepeatedKidIsIgnored) {
  const SigningKey& a = Key();
  const SigningKey& b = OtherKey();
  for (int copies : {2, 3, 4}) {
    json keys = json::array();
    // Copies of a's kid: a's own key and b's key under a's kid, interleaved with b's key.
    for (int i = 0; i < copies; ++i) {
      json jwk = (i % 2 == 0 ? a : b).PublicJwk();
      jwk["kid"] = a.kid();
      keys.push_back(jwk);
      if (i == 0) keys.push_back(b.PublicJwk());
    }
    auto jwks = ParseJwks(json{{"keys", keys}}.dump());
    ASSERT_TRUE(jwks.ok()) << jwks.status().ToString();
    EXPECT_EQ(jwks->keys.count(a.kid()), 0u) << copies << " copies";
    EXPECT_EQ(jwks->keys.count(b.kid()), 1u) << copies << " copies";
    EXPECT_EQ(jwks->duplicate_kids, 1u);
  }
  // A copy that does not even parse still makes the kid ambiguous.
  json keys = {a.PublicJwk(), json{{"kid", a.kid()}, {"kty", "oct"}, {"k", "AAAA"}}};
  EXPECT_EQ(ParseJwks(json{{"keys", keys}}.dump())->keys.count(a.kid()), 0u);
}

TEST(JwksLimit, KeysPastTheLimitAreCountedAndIgnored) {
  json keys = json::array();
  for (size_t i = 0; i < kJwksMaxKeys + 6; ++i) {
    json jwk = Key().PublicJwk();
    jwk["kid"] = "k" + std::to_string(i);
    keys.push_back(jwk);
  }
  auto jwks = ParseJwks(json{{"keys", keys}}.dump());
  ASSERT_TRUE(jwks.ok());
  EXPECT_EQ(jwks->keys.size(), kJwksMaxKeys);
  EXPECT_EQ(jwks->entries_over_limit, 6u);
  EXPECT_EQ(jwks->keys.count("k" + std::to_string(kJwksMaxKeys)), 0u);
}

TEST(JwksLimit, TheCacheLogsWhenTheLimitOrADuplicateBites) {
  json keys = json::array();
  for (size_t i = 0; i < kJwksMaxKeys + 3; ++i) {
    json jwk = Key().PublicJwk();
    jwk["kid"] = i < 2 ? std::string("twice") : "k" + std::to_string(i);
    keys.push_back(jwk);
  }
  auto http = std::make_shared<FakeHttpClient>();
  http->Serve(std::string(kHubJku) + "?api_key=LOGSECRET", json{{"keys", keys}}.dump());
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto* logger = spdlog::default_logger_raw();
  const auto level = logger->level();
  logger->sinks().push_back(sink);
  logger->set_level(spdlog::level::info);
  JwksCache cache(http, std::make_shared<ManualClock>(kNow));
  JwksRequestState state;
  EXPECT_TRUE(cache.GetKey(std::string(kHubJku) + "?api_key=LOGSECRET", "k5", state).ok());
  logger->flush();
  logger->sinks().pop_back();
  logger->set_level(level);
  const std::string log = captured.str();
  EXPECT_NE(log.find("3 key(s) past the limit of 64 ignored"), std::string::npos) << log;
  EXPECT_NE(log.find("1 kid(s) appear more than once"), std::string::npos) << log;
  EXPECT_NE(log.find("jwks.json?..."), std::string::npos) << log;
  EXPECT_EQ(log.find("LOGSECRET"), std::string::npos) << log;
}

// ---- point 6: duplicated JSON member names ----

TEST(DuplicateNames, RefusedInHeadersClaimsAndNestedObjects) {
  const std::string payload = Segment(R"({"iss":"x","sub":"y"})");
  const std::string sig = Base64UrlEncode(std::string(64, 'S'));
  for (const std::string& header : {std::string(R"({"alg":"none","alg":"ES256","kid":"k"})"),
                                    std::string(R"({"alg":"ES256","kid":"k","kid":"k"})"),
                                    std::string(R"({"alg":"ES256","a\u006cg":"none"})")}) {
    auto jwt = ParseJwt(Segment(header) + "." + payload + "." + sig, 1 << 20);
    ASSERT_FALSE(jwt.ok()) << header;
    EXPECT_NE(jwt.status().message().find("duplicated"), std::string::npos);
  }
  for (const std::string& claims :
       {std::string(R"({"sub":"alice","sub":"admin"})"),
        std::string(R"({"ga4gh_visa_v1":{"by":"self","type":"T","by":"dac"}})")}) {
    auto jwt = ParseJwt(Segment(R"({"alg":"ES256"})") + "." + Segment(claims) + "." + sig, 1 << 20);
    EXPECT_FALSE(jwt.ok()) << claims;
  }
  // The same name in different objects is fine.
  EXPECT_TRUE(ParseJsonStrict(R"({"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]})").ok());
}

const SigningKey& RsaKey() {
  static const SigningKey* key = new SigningKey(SigningKey::Generate(JwsAlg::kRS256).value());
  return *key;
}

TEST_F(LoopholeTest, SignedPassportWithDuplicateNameIsRefused) {
  http_->Serve(kHubJku, JwksFor({&Key(), &RsaKey()}).dump());
  const std::string header = json{
      {"alg", "RS256"},
      {"typ", "vnd.ga4gh.passport+jwt"},
      {"jku", kHubJku},
      {"kid", RsaKey().kid()}}.dump();
  const std::string claims = json{
      {"iss", kHub},
      {"iat", kNow},
      {"exp", kNow + 600},
      {"sub", "alice"},
      {"ga4gh_passport_v1",
       {Grant()}}}.dump();
  // Control: the same text without duplicates, signed the same way, is accepted.
  ASSERT_EQ(Authorize(testing::SignRawRs256(RsaKey(), header, claims)).LevelFor("A"),
            AccessLevel::kControlled);
  // Correctly signed, but saying two things (last-wins would make it bob's, or alg none).
  std::string two_subs = claims;
  two_subs.insert(1, R"("sub":"bob",)");
  std::string two_algs = header;
  two_algs.insert(1, R"("alg":"none",)");
  for (const std::string& token : {testing::SignRawRs256(RsaKey(), header, two_subs),
                                   testing::SignRawRs256(RsaKey(), two_algs, claims)}) {
    CallerRights r = Authorize(token);
    EXPECT_FALSE(r.authenticated);
    EXPECT_EQ(r.LevelFor("A"), AccessLevel::kPublic);
    EXPECT_NE(r.token_status.message().find("duplicated"), std::string::npos)
        << r.token_status.ToString();
  }
}

// ---- point 4: URLs parsed, userinfo refused, secrets redacted ----

TEST(TrustedUrls, HostIsParsedNotPrefixMatched) {
  EXPECT_TRUE(CheckTrustedUrl("https://hub.example.org/jwks", false).ok());
  EXPECT_TRUE(CheckTrustedUrl("http://127.0.0.1:8000/jwks", false).ok());
  EXPECT_TRUE(CheckTrustedUrl("http://127.8.9.10/jwks", false).ok());
  EXPECT_TRUE(CheckTrustedUrl("http://[::1]:9/jwks", false).ok());
  EXPECT_TRUE(CheckTrustedUrl("HTTP://LOCALHOST/jwks", false).ok());
  for (const char* bad :
       {"http://127.0.0.1:80@evil.example.org/jwks", "http://127.0.0.1@evil.example.org/",
        "https://user:secret@hub.example.org/jwks", "http://127.0.0.1.evil.example.org/jwks",
        "http://localhost.evil.example.org/", "http://evil.example.org/127.0.0.1",
        "http://[::1]evil/", "http://127.0.0.1:0/", "http://127.0.0.1:99999/", "https:///x",
        "https://hub.example.org\\@evil.org/", "https://hub.exa mple.org/", "ftp://127.0.0.1/",
        "//hub.example.org/", "https://hub.example.org:/"}) {
    EXPECT_FALSE(CheckTrustedUrl(bad, false).ok()) << bad;
    EXPECT_FALSE(JwksUrlAllowed(bad, true) && std::string(bad).find('@') != std::string::npos)
        << bad;
  }
  auto parsed = ParseHttpUrl("https://Hub.Example.org:8443/a/b?x=1#f");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->host, "hub.example.org");
  EXPECT_EQ(parsed->port, 8443);
  EXPECT_EQ(parsed->path, "/a/b");
  EXPECT_EQ(parsed->query, "x=1");
}

TEST(TrustedUrls, RedactionDropsQueryAndUserinfo) {
  EXPECT_EQ(RedactUrl("https://u:pw-secret@hub.example.org/jwks?token=q-secret"),
            "https://hub.example.org/jwks?...");
  EXPECT_EQ(RedactUrl("https://hub.example.org/jwks"), "https://hub.example.org/jwks");
  std::string odd = RedactUrl("no scheme user:pw-secret@host?token=q-secret");
  EXPECT_EQ(odd.find("secret"), std::string::npos) << odd;
  Status s = CheckTrustedUrl("https://u:pw-secret@hub.example.org/jwks?token=q-secret", false);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("secret"), std::string::npos) << s.message();
}

TEST(TrustedUrls, TrustListIsValidatedBeforeStart) {
  EXPECT_TRUE(ValidateTrustList({{kHub, kHubJku, kHubUserinfo}}).ok());
  Status jku = ValidateTrustList({{kHub, "http://127.0.0.1:1@evil.example.org/jwks", ""}});
  EXPECT_FALSE(jku.ok());
  EXPECT_NE(jku.message().find("jku"), std::string::npos) << jku.message();
  Status ui = ValidateTrustList({{kHub, kHubJku, "http://broker.example.org/userinfo"}});
  EXPECT_FALSE(ui.ok());
  EXPECT_NE(ui.message().find("userinfo"), std::string::npos) << ui.message();
}

TEST_F(LoopholeTest, UserinfoJkuOnTheTrustListIsNeverFetched) {
  // Even when an operator listed it (outside Node::Start, which refuses the config).
  const std::string sneaky = "http://127.0.0.1:80@evil.example.org/jwks";
  trust_ = {{kHub, sneaky, ""}};
  Make();
  IssueParams p = Params();
  p.jku = sneaky;
  VisaSpec spec;
  spec.type = "ControlledAccessGrants";
  spec.value = kDatasetA;
  spec.by = "dac";
  std::string token = IssuePassport(Key(), p, {IssueVisa(Key(), p, spec).value()}).value();
  CallerRights r = Authorize(token);
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(http_->request_count(), 0u);
  for (const std::string& d : r.denials) EXPECT_EQ(d.find("127.0.0.1:80@"), std::string::npos) << d;
}

// ---- point 5: aud ----

TEST_F(LoopholeTest, AudienceDefaultsToPublicUrlAndMustMatch) {
  NodeConfig config;
  config.public_url = "https://node.example.org";
  VerifierOptions options = VerifierOptionsFor(config);
  ASSERT_EQ(options.audiences, std::vector<std::string>{"https://node.example.org"});
  config.passport_audiences = {"client-id-at-broker"};
  EXPECT_EQ(VerifierOptionsFor(config).audiences, std::vector<std::string>{"client-id-at-broker"});
  Make(options);
  auto with_aud = [&](const json& aud) {
    json p = {{"iss", kHub},
              {"sub", "alice"},
              {"iat", kNow},
              {"exp", kNow + 600},
              {"ga4gh_passport_v1", {Grant()}}};
    if (!aud.is_null()) p["aud"] = aud;
    return Key().SignJwt({{"typ", "vnd.ga4gh.passport+jwt"}, {"jku", kHubJku}}, p).value();
  };
  EXPECT_EQ(Authorize(with_aud("https://node.example.org")).LevelFor("A"),
            AccessLevel::kControlled);
  EXPECT_EQ(
      Authorize(with_aud(json{"https://x.example.org", "https://node.example.org"})).LevelFor("A"),
      AccessLevel::kControlled);
  EXPECT_EQ(Authorize(with_aud(nullptr)).LevelFor("A"), AccessLevel::kControlled);
  for (const json& foreign :
       {json("https://other.example.org"), json::array(), json{"https://other.example.org"},
        json(42), json("https://node.example.org/")}) {
    CallerRights r = Authorize(with_aud(foreign));
    EXPECT_FALSE(r.authenticated) << foreign.dump();
  }
}

// ---- point 3: fetches merged per URL, waits bounded ----

// Holds every Send until released, counting them.
class GateClient final : public http::HttpClient {
 public:
  explicit GateClient(std::string body) : body_(std::move(body)) {}
  Result<http::ClientResponse> Send(const http::ClientRequest&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++sends_;
    cv_.wait(lock, [this] { return open_; });
    http::ClientResponse r;
    r.status = 200;
    r.body = body_;
    return r;
  }
  std::vector<Result<http::ClientResponse>> SendAll(
      const std::vector<http::ClientRequest>& rs) override {
    std::vector<Result<http::ClientResponse>> out;
    for (const auto& r : rs) out.push_back(Send(r));
    return out;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int sends() {
    std::lock_guard<std::mutex> lock(mu_);
    return sends_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int sends_ = 0;
  std::string body_;
};

TEST(JwksFetching, ConcurrentFirstFetchesOfOneUrlAreMerged) {
  auto gate = std::make_shared<GateClient>(JwksFor({&Key()}).dump());
  JwksCacheOptions options;
  options.max_waiting_requests = 8;
  options.request_wait_ms = 5000;
  JwksCache cache(gate, std::make_shared<ManualClock>(kNow), options);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      JwksRequestState state;
      if (cache.GetKey(kHubJku, Key().kid(), state).ok()) ++ok;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  gate->Open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(gate->sends(), 1);
  EXPECT_EQ(cache.fetch_count(), 1u);
}

TEST(JwksFetching, OnlyTheBudgetWaitsAndNoWaitOutlastsItsLimit) {
  auto gate = std::make_shared<GateClient>(JwksFor({&Key()}).dump());
  JwksCacheOptions options;
  options.max_waiting_requests = 1;
  options.request_wait_ms = 300;
  auto cache = std::make_unique<JwksCache>(gate, std::make_shared<ManualClock>(kNow), options);
  Status first_status;
  std::thread first([&] {
    JwksRequestState state;
    first_status = cache->GetKey(kHubJku, Key().kid(), state).status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The waiting slot is taken: a second request does not wait at all.
  auto start = std::chrono::steady_clock::now();
  JwksRequestState state;
  auto second = cache->GetKey(kHubJku, Key().kid(), state);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  EXPECT_LT(waited, std::chrono::milliseconds(100));
  // Once refused in a request, the same request does not wait for that URL again.
  EXPECT_FALSE(cache->GetKey(kHubJku, Key().kid(), state).ok());
  first.join();
  EXPECT_EQ(first_status.code(), StatusCode::kDeadlineExceeded) << first_status.ToString();
  EXPECT_EQ(gate->sends(), 1);
  gate->Open();  // the fetch completes off the request threads, and its keys are then used
  for (int i = 0; i < 100; ++i) {
    JwksRequestState fresh;
    if (cache->GetKey(kHubJku, Key().kid(), fresh).ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  JwksRequestState later;
  EXPECT_TRUE(cache->GetKey(kHubJku, Key().kid(), later).ok());
  EXPECT_EQ(gate->sends(), 1);
  cache.reset();
}

// ---- point 6: a condition without `by` ----

TEST_F(LoopholeTest, ConditionWithoutByAcceptsAnyAssertionAsDocumented) {
  auto conditional = [&](const json& conditions) {
    VisaSpec spec;
    spec.type = "ControlledAccessGrants";
    spec.value = kDatasetA;
    spec.by = "dac";
    spec.conditions = conditions;
    return IssueVisa(Key(), Params(), spec).value();
  };
  const std::string terms = Visa("AcceptedTermsAndPolicies", "https://hub.example.org/t", "self");
  json any_by = {
      {{{"type", "AcceptedTermsAndPolicies"}, {"value", "const:https://hub.example.org/t"}}}};
  json dac_by = {{{{"type", "AcceptedTermsAndPolicies"},
                   {"value", "const:https://hub.example.org/t"},
                   {"by", "const:dac"}}}};
  auto level = [&](const json& c) {
    return Authorize(IssuePassport(Key(), Params(), {conditional(c), terms}).value()).LevelFor("A");
  };
  EXPECT_EQ(level(any_by), AccessLevel::kControlled);  // `by` omitted: self-asserted terms count
  EXPECT_EQ(level(dac_by), AccessLevel::kPublic);      // an authority is required only when named
}

}  // namespace
}  // namespace genomefed::passport
