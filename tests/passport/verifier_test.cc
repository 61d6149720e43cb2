// The access matrix at the library level: every way a passport can be refused, the rights a
// valid one gives, and the JWKS fetching rules (trust before fetch, cache, refresh once).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "passport/base64url.h"
#include "passport/fake_http.h"
#include "passport/rights.h"
#include "passport/signer.h"
#include "passport/verifier.h"
#include "support/test_support.h"

namespace genomefed::passport {
namespace {

using testing::FakeHttpClient;

constexpr int64_t kNow = 1'800'000'000;
const char kHub[] = "https://hub.example.org";
const char kHubJku[] = "https://hub.example.org/.well-known/jwks.json";
const char kOther[] = "https://evil.example.org";
const char kOtherJku[] = "https://evil.example.org/jwks.json";
const char kDatasetA[] = "https://node.example.org/datasets/A";
const char kDatasetB[] = "https://node.example.org/datasets/B";

// Keys are slow to make (RSA): once per binary.
struct Keys {
  SigningKey es = SigningKey::Generate(JwsAlg::kES256).value();
  SigningKey rs = SigningKey::Generate(JwsAlg::kRS256).value();
  SigningKey rogue = SigningKey::Generate(JwsAlg::kES256).value();
  SigningKey rotated = SigningKey::Generate(JwsAlg::kES256).value();
};
const Keys& K() {
  static const Keys* keys = new Keys();
  return *keys;
}

VisaSpec Spec(const std::string& type, const std::string& value, const std::string& by) {
  VisaSpec spec;
  spec.type = type;
  spec.value = value;
  spec.by = by;
  return spec;
}

std::string Sign(const SigningKey& key, nlohmann::json header, const nlohmann::json& payload) {
  return key.SignJwt(std::move(header), payload).value();
}

// Unsigned or HMAC-"signed" tokens built by hand, as an attacker would.
std::string HandMade(const nlohmann::json& header, const nlohmann::json& payload,
                     const std::string& hmac_secret = "") {
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  std::string sig;
  if (!hmac_secret.empty()) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), hmac_secret.data(), static_cast<int>(hmac_secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    sig = std::string(reinterpret_cast<char*>(mac), len);
  }
  return input + "." + Base64UrlEncode(sig);
}

class PassportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(kNow);
    http_ = std::make_shared<FakeHttpClient>();
    http_->Serve(kHubJku, JwksFor({&K().es, &K().rs}).dump());
    http_->Serve(kOtherJku, JwksFor({&K().rogue}).dump());
    trust_ = {{kHub, kHubJku}};
    MakeAuthorizer();
  }
  void MakeAuthorizer(VerifierOptions options = {}) {
    authorizer_ = std::make_unique<Authorizer>(trust_, http_, clock_, options);
  }

  IssueParams Params(const std::string& sub = "alice", int64_t lifetime = 3600) const {
    IssueParams p;
    p.iss = kHub;
    p.jku = kHubJku;
    p.sub = sub;
    p.iat = kNow - 10;
    p.exp = kNow + lifetime;
    return p;
  }
  std::string Visa(const std::string& type, const std::string& value, const std::string& by,
                   const SigningKey* key = nullptr, IssueParams params = {}) {
    if (params.iss.empty()) params = Params();
    VisaSpec spec;
    spec.type = type;
    spec.value = value;
    spec.by = by;
    return IssueVisa(key ? *key : K().es, params, spec).value();
  }
  std::string Passport(const std::vector<std::string>& visas, const SigningKey* key = nullptr,
                       IssueParams params = {}) {
    if (params.iss.empty()) params = Params();
    return IssuePassport(key ? *key : K().es, params, visas).value();
  }
  CallerRights Authorize(const std::string& token) {
    std::vector<DatasetRef> datasets = {{"A", kDatasetA}, {"B", kDatasetB}};
    return authorizer_->Authorize(token.empty() ? "" : "Bearer " + token, datasets);
  }
  static std::string Denials(const CallerRights& r) {
    std::string all;
    for (const auto& d : r.denials) all += d + "\n";
    return all;
  }

  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<FakeHttpClient> http_;
  std::vector<TrustEntry> trust_;
  std::unique_ptr<Authorizer> authorizer_;
};

#define EXPECT_LEVELS(rights, a, b)                                                 \
  do {                                                                              \
    const CallerRights& gf_r_ = (rights);                                           \
    EXPECT_EQ(gf_r_.LevelFor("A"), AccessLevel::a) << PassportTest::Denials(gf_r_); \
    EXPECT_EQ(gf_r_.LevelFor("B"), AccessLevel::b) << PassportTest::Denials(gf_r_); \
  } while (false)

TEST_F(PassportTest, NoTokenIsAnonymousAndFetchesNothing) {
  CallerRights r = Authorize("");
  EXPECT_FALSE(r.token_presented);
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(r.identity, "anonymous");
  EXPECT_OK(r.token_status);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_EQ(r.expires_at, 0);
  EXPECT_EQ(http_->request_count(), 0u);
}

TEST_F(PassportTest, ResearcherStatusEs256GivesRegistered) {
  IssueParams vp = Params("alice", 600);  // the visa expires before the passport
  std::string token = Passport(
      {Visa("ResearcherStatus", "https://doi.org/10.1038/s41431-018-0219-y", "so", nullptr, vp)});
  CallerRights r = Authorize(token);
  EXPECT_TRUE(r.authenticated) << Denials(r);
  EXPECT_EQ(r.identity, std::string("alice@") + kHub);
  EXPECT_LEVELS(r, kRegistered, kRegistered);
  EXPECT_EQ(r.expires_at, kNow + 600);  // the earliest visa used
  EXPECT_EQ(http_->request_count(), 1u);
}

TEST_F(PassportTest, ResearcherStatusRs256GivesRegistered) {
  std::string token = Passport({Visa("ResearcherStatus", "x", "system", &K().rs)}, &K().rs);
  CallerRights r = Authorize(token);
  EXPECT_LEVELS(r, kRegistered, kRegistered);
  EXPECT_EQ(r.expires_at, kNow + 3600);
}

TEST_F(PassportTest, PeerResearcherStatusCounts) {
  CallerRights r = Authorize(Passport({Visa("ResearcherStatus", "x", "peer")}));
  EXPECT_LEVELS(r, kRegistered, kRegistered);
}

TEST_F(PassportTest, ControlledGrantForDatasetAOnly) {
  CallerRights r = Authorize(Passport({Visa("ControlledAccessGrants", kDatasetA, "dac")}));
  EXPECT_LEVELS(r, kControlled, kPublic);
  CallerRights r2 = Authorize(Passport(
      {Visa("ControlledAccessGrants", kDatasetA, "dac"), Visa("ResearcherStatus", "x", "so")}));
  EXPECT_LEVELS(r2, kControlled, kRegistered);
}

TEST_F(PassportTest, GrantValueMustMatchExactly) {
  CallerRights r =
      Authorize(Passport({Visa("ControlledAccessGrants", std::string(kDatasetA) + "/", "dac"),
                          Visa("ControlledAccessGrants", "A", "dac")}));
  EXPECT_LEVELS(r, kPublic, kPublic);
}

TEST_F(PassportTest, DatasetRefUsesConfiguredVisaValue) {
  NodeConfig config;
  config.public_url = "https://node.example.org/";
  DatasetConfig b;
  b.id = "B";
  b.visa_value = "urn:ega:EGAD0001";
  config.datasets.push_back(b);
  EXPECT_EQ(DatasetRefFor(config, "A").visa_value, kDatasetA);
  EXPECT_EQ(DatasetRefFor(config, "B").visa_value, "urn:ega:EGAD0001");
  config.public_url.clear();
  config.listen = "127.0.0.1:9000";
  EXPECT_EQ(DefaultVisaValue(config, "A"), "http://127.0.0.1:9000/datasets/A");
  auto refs = DatasetRefsFor(config, {"A", "B"});
  std::string token = Passport({Visa("ControlledAccessGrants", "urn:ega:EGAD0001", "dac")});
  CallerRights r = authorizer_->Authorize("Bearer " + token, refs);
  EXPECT_EQ(r.LevelFor("A"), AccessLevel::kPublic);
  EXPECT_EQ(r.LevelFor("B"), AccessLevel::kControlled);
}

TEST_F(PassportTest, ExpiredPassportIsRefused) {
  IssueParams p = Params();
  p.iat = kNow - 7200;
  p.exp = kNow - 31;  // past the 30 s skew
  CallerRights r =
      Authorize(Passport({Visa("ControlledAccessGrants", kDatasetA, "dac")}, nullptr, p));
  EXPECT_TRUE(r.token_presented);
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(r.token_status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.token_status.message().find("expired"), std::string::npos);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_EQ(r.identity, "anonymous");
}

TEST_F(PassportTest, ExpiryWithinSkewIsAccepted) {
  IssueParams p = Params();
  p.iat = kNow - 100;
  p.exp = kNow - 29;
  CallerRights r = Authorize(Passport({Visa("ResearcherStatus", "x", "so")}, nullptr, p));
  EXPECT_TRUE(r.authenticated) << Denials(r);
}

TEST_F(PassportTest, ExpiredVisaInValidPassportIsDenied) {
  IssueParams vp = Params();
  vp.iat = kNow - 7200;
  vp.exp = kNow - 100;
  CallerRights r =
      Authorize(Passport({Visa("ControlledAccessGrants", kDatasetA, "dac", nullptr, vp)}));
  EXPECT_TRUE(r.authenticated);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(Denials(r).find("expired"), std::string::npos);
}

TEST_F(PassportTest, NotYetValidIsRefused) {
  nlohmann::json payload = {
      {"iss", kHub},      {"sub", "alice"},
      {"iat", kNow},      {"exp", kNow + 3600},
      {"nbf", kNow + 60}, {"ga4gh_passport_v1", {Visa("ResearcherStatus", "x", "so")}}};
  CallerRights r = Authorize(Sign(K().es, {{"jku", kHubJku}}, payload));
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("not yet valid"), std::string::npos);
  payload["nbf"] = kNow + 20;  // within skew
  EXPECT_TRUE(Authorize(Sign(K().es, {{"jku", kHubJku}}, payload)).authenticated);
  payload.erase("nbf");
  payload["iat"] = kNow + 3000;  // issued in the future
  CallerRights r2 = Authorize(Sign(K().es, {{"jku", kHubJku}}, payload));
  EXPECT_FALSE(r2.authenticated);
  EXPECT_LEVELS(r2, kPublic, kPublic);
}

TEST_F(PassportTest, WrongSignatureIsRefused) {
  std::string token = Passport({Visa("ControlledAccessGrants", kDatasetA, "dac")});
  // Change the payload after signing: a different sub.
  size_t dot1 = token.find('.');
  size_t dot2 = token.find('.', dot1 + 1);
  auto payload =
      nlohmann::json::parse(Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1)).value());
  payload["sub"] = "mallory";
  std::string forged =
      token.substr(0, dot1) + "." + Base64UrlEncode(payload.dump()) + token.substr(dot2);
  CallerRights r = Authorize(forged);
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("signature"), std::string::npos)
      << r.token_status.ToString();
  EXPECT_LEVELS(r, kPublic, kPublic);
}

TEST_F(PassportTest, SignedByRogueKeyClaimingHubKidIsRefused) {
  // The rogue key signs, but the header names the hub's kid: the hub key must not verify it.
  nlohmann::json payload = {{"iss", kHub},
                            {"sub", "alice"},
                            {"iat", kNow},
                            {"exp", kNow + 60},
                            {"ga4gh_passport_v1", nlohmann::json::array()}};
  std::string token = K().rogue.SignJwt({{"jku", kHubJku}}, payload).value();
  // Replace the rogue kid by the hub's kid in the header (the signature covers the header, so
  // re-sign with the rogue key over the edited header).
  nlohmann::json header = {{"alg", "ES256"}, {"kid", K().es.kid()}, {"jku", kHubJku}};
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  std::string rogue_sig = token.substr(token.rfind('.') + 1);
  CallerRights r = Authorize(input + "." + rogue_sig);
  EXPECT_FALSE(r.authenticated);
  EXPECT_LEVELS(r, kPublic, kPublic);
}

TEST_F(PassportTest, AlgNoneIsRefusedWithoutFetching) {
  nlohmann::json payload = {{"iss", kHub},
                            {"sub", "alice"},
                            {"iat", kNow},
                            {"exp", kNow + 60},
                            {"ga4gh_passport_v1", nlohmann::json::array()}};
  for (const char* alg : {"none", "None", "NONE"}) {
    CallerRights r =
        Authorize(HandMade({{"alg", alg}, {"kid", K().es.kid()}, {"jku", kHubJku}}, payload));
    EXPECT_FALSE(r.authenticated) << alg;
    EXPECT_NE(r.token_status.message().find("not allowed"), std::string::npos);
  }
  EXPECT_EQ(http_->request_count(), 0u);
}

TEST_F(PassportTest, Hs256SignedWithThePublicKeyIsRefused) {
  nlohmann::json payload = {
      {"iss", kHub},
      {"sub", "alice"},
      {"iat", kNow},
      {"exp", kNow + 60},
      {"ga4gh_passport_v1", {Visa("ControlledAccessGrants", kDatasetA, "dac")}}};
  std::string public_pem = K().rs.PublicPem().value();
  std::string jwk_text = K().rs.PublicJwk().dump();
  for (const std::string& secret : {public_pem, jwk_text}) {
    for (const char* alg : {"HS256", "HS384", "HS512"}) {
      CallerRights r = Authorize(
          HandMade({{"alg", alg}, {"kid", K().rs.kid()}, {"jku", kHubJku}}, payload, secret));
      EXPECT_FALSE(r.authenticated) << alg;
      EXPECT_LEVELS(r, kPublic, kPublic);
    }
  }
  EXPECT_EQ(http_->request_count(), 0u);
}

TEST_F(PassportTest, RsaKidWithEs256AlgIsRefused) {
  // Key confusion between the two allowed algorithms: the header says ES256 but names the RSA
  // key; the signature is made with the EC key under the RSA kid.
  nlohmann::json payload = {{"iss", kHub},
                            {"sub", "alice"},
                            {"iat", kNow},
                            {"exp", kNow + 60},
                            {"ga4gh_passport_v1", nlohmann::json::array()}};
  std::string token = K().es.SignJwt({{"jku", kHubJku}}, payload).value();
  nlohmann::json header = {{"alg", "ES256"}, {"kid", K().rs.kid()}, {"jku", kHubJku}};
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  CallerRights r = Authorize(input + "." + token.substr(token.rfind('.') + 1));
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("does not match"), std::string::npos)
      << r.token_status.ToString();
}

TEST_F(PassportTest, UntrustedIssuerIsRefusedBeforeAnyFetch) {
  IssueParams p = Params();
  p.iss = kOther;
  p.jku = kOtherJku;
  std::string visa =
      IssueVisa(K().rogue, p, Spec("ControlledAccessGrants", kDatasetA, "dac")).value();
  CallerRights r = Authorize(IssuePassport(K().rogue, p, {visa}).value());
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("not trusted"), std::string::npos);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_EQ(http_->request_count(), 0u) << "a key was fetched for an untrusted issuer";
}

TEST_F(PassportTest, TrustedIssuerWithUntrustedJkuIsRefusedBeforeAnyFetch) {
  IssueParams p = Params();
  p.jku = kOtherJku;  // the hub's name, the attacker's keys
  std::string visa =
      IssueVisa(K().rogue, p, Spec("ControlledAccessGrants", kDatasetA, "dac")).value();
  CallerRights r = Authorize(IssuePassport(K().rogue, p, {visa}).value());
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("jku"), std::string::npos);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_EQ(http_->request_count(), 0u);
}

TEST_F(PassportTest, UntrustedVisaInTrustedPassportIsDeniedWithoutFetch) {
  IssueParams p = Params();
  p.iss = kOther;
  p.jku = kOtherJku;
  std::string rogue_visa =
      IssueVisa(K().rogue, p, Spec("ControlledAccessGrants", kDatasetA, "dac")).value();
  CallerRights r = Authorize(Passport({rogue_visa, Visa("ResearcherStatus", "x", "so")}));
  EXPECT_TRUE(r.authenticated);
  EXPECT_LEVELS(r, kRegistered, kRegistered);
  for (const auto& url : http_->requests()) EXPECT_EQ(url, kHubJku);
}

TEST_F(PassportTest, PassportWithoutJkuUsesTheTrustListForItsIssuer) {
  IssueParams p = Params();
  p.jku.clear();
  std::string token = IssuePassport(K().es, p, {Visa("ResearcherStatus", "x", "so")}).value();
  CallerRights r = Authorize(token);
  EXPECT_TRUE(r.authenticated) << Denials(r);
  EXPECT_LEVELS(r, kRegistered, kRegistered);
}

TEST_F(PassportTest, VisaWithoutJkuIsDenied) {
  nlohmann::json payload = {{"iss", kHub},
                            {"sub", "alice"},
                            {"iat", kNow},
                            {"exp", kNow + 60},
                            {"ga4gh_visa_v1",
                             {{"type", "ResearcherStatus"},
                              {"value", "x"},
                              {"source", kHub},
                              {"by", "so"},
                              {"asserted", kNow}}}};
  std::string visa = Sign(K().es, {{"typ", "JWT"}}, payload);
  CallerRights r = Authorize(Passport({visa}));
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(Denials(r).find("jku"), std::string::npos);
}

TEST_F(PassportTest, VisaForAnotherSubIsDenied) {
  IssueParams bob = Params("bob");
  CallerRights r =
      Authorize(Passport({Visa("ControlledAccessGrants", kDatasetA, "dac", nullptr, bob)}));
  EXPECT_TRUE(r.authenticated);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(Denials(r).find("another subject"), std::string::npos);
}

TEST_F(PassportTest, LinkedIdentitiesBindAnotherSub) {
  IssueParams bob = Params("bob");
  std::string grant = Visa("ControlledAccessGrants", kDatasetA, "dac", nullptr, bob);
  std::string link =
      Visa("LinkedIdentities", std::string("bob,") + "https%3A%2F%2Fhub.example.org", "system");
  CallerRights r = Authorize(Passport({grant, link}));
  EXPECT_LEVELS(r, kControlled, kPublic);
  // A link asserted for someone else does not help.
  std::string foreign_link = Visa("LinkedIdentities", "bob,https%3A%2F%2Fhub.example.org", "system",
                                  nullptr, Params("carol"));
  CallerRights r2 = Authorize(Passport({grant, foreign_link}));
  EXPECT_LEVELS(r2, kPublic, kPublic);
}

TEST_F(PassportTest, StrictBindingNeedsTheSameIssuerOrALink) {
  trust_.push_back({kOther, kOtherJku});
  IssueParams other = Params();
  other.iss = kOther;
  other.jku = kOtherJku;
  std::string grant =
      IssueVisa(K().rogue, other, Spec("ControlledAccessGrants", kDatasetA, "dac")).value();
  MakeAuthorizer();
  EXPECT_LEVELS(Authorize(Passport({grant})), kControlled, kPublic);  // same sub, other issuer
  VerifierOptions strict;
  strict.bind_subject_and_issuer = true;
  MakeAuthorizer(strict);
  CallerRights r = Authorize(Passport({grant}));
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(Denials(r).find("another subject"), std::string::npos);
  std::string link = Visa("LinkedIdentities", "alice,https%3A%2F%2Fevil.example.org", "system");
  EXPECT_LEVELS(Authorize(Passport({grant, link})), kControlled, kPublic);
}

TEST_F(PassportTest, ConcurrentRequestsShareCachesSafely) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    tokens.push_back(
        Passport({Visa("ControlledAccessGrants", kDatasetA, "dac", i % 2 ? &K().rs : nullptr),
                  Visa("ResearcherStatus", "x", "so")}));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        CallerRights r = Authorize(tokens[(t + i) % tokens.size()]);
        if (r.LevelFor("A") != AccessLevel::kControlled ||
            r.LevelFor("B") != AccessLevel::kRegistered) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(http_->request_count(), 4u);  // concurrent first fetches at most, then cached
}

TEST_F(PassportTest, AudienceMustNameThisNodeWhenPresent) {
  nlohmann::json payload = {{"iss", kHub},
                            {"sub", "alice"},
                            {"iat", kNow},
                            {"exp", kNow + 600},
                            {"ga4gh_passport_v1", {Visa("ResearcherStatus", "x", "so")}}};
  payload["aud"] = "https://other-node.example.org";
  EXPECT_FALSE(Authorize(Sign(K().es, {{"jku", kHubJku}}, payload)).authenticated);
  VerifierOptions options;
  options.audiences = {"https://node.example.org"};
  MakeAuthorizer(options);
  EXPECT_FALSE(Authorize(Sign(K().es, {{"jku", kHubJku}}, payload)).authenticated);
  payload["aud"] = {"https://x.example.org", "https://node.example.org"};
  EXPECT_LEVELS(Authorize(Sign(K().es, {{"jku", kHubJku}}, payload)), kRegistered, kRegistered);
  payload.erase("aud");
  EXPECT_LEVELS(Authorize(Sign(K().es, {{"jku", kHubJku}}, payload)), kRegistered, kRegistered);
}

TEST_F(PassportTest, SelfAssertedVisasGrantNothing) {
  CallerRights r = Authorize(Passport({Visa("ResearcherStatus", "x", "self"),
                                       Visa("ControlledAccessGrants", kDatasetA, "self"),
                                       Visa("ResearcherStatus", "x", "")}));
  EXPECT_TRUE(r.authenticated);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(Denials(r).find("by 'self'"), std::string::npos);
}

TEST_F(PassportTest, OversizedPassportIsRefused) {
  std::string visa = Visa("ResearcherStatus", "x", "so");
  std::vector<std::string> visas(201, visa);
  CallerRights r = Authorize(Passport(visas));
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(r.token_status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.token_status.message().find("201 visas"), std::string::npos);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_EQ(http_->request_count(), 0u);
  visas.resize(200);
  EXPECT_TRUE(Authorize(Passport(visas)).authenticated);
}

TEST_F(PassportTest, OversizedVisaIsDenied) {
  std::string big = Visa("ControlledAccessGrants", kDatasetA + std::string(17 * 1024, 'x'), "dac");
  CallerRights r = Authorize(Passport({big, Visa("ResearcherStatus", "x", "so")}));
  EXPECT_LEVELS(r, kRegistered, kRegistered);
  EXPECT_NE(Denials(r).find("exceeds the limit"), std::string::npos);
}

TEST_F(PassportTest, TotalTokenSizeIsCapped) {
  VerifierOptions options;
  options.max_token_bytes = 4096;
  MakeAuthorizer(options);
  std::vector<std::string> visas(20, Visa("ResearcherStatus", "x", "so"));
  CallerRights r = Authorize(Passport(visas));
  EXPECT_FALSE(r.authenticated);
  EXPECT_NE(r.token_status.message().find("exceeds the limit"), std::string::npos);
}

TEST_F(PassportTest, GarbageTokensAreRefusedWithoutCrashing) {
  std::string deep(5000, '[');
  std::vector<std::string> garbage = {
      "x",
      "a.b",
      "a.b.c",
      "..",
      "...",
      "a.b.c.d",
      "eyJ.eyJ.sig",
      "\x01\x02\x03",
      Base64UrlEncode("{}") + "." + Base64UrlEncode("{}") + ".",
      Base64UrlEncode("[]") + "." + Base64UrlEncode("{}") + ".",
      Base64UrlEncode(R"({"alg":1})") + "." + Base64UrlEncode("{}") + ".",
      Base64UrlEncode(R"({"alg":"ES256","crit":["x"]})") + "." + Base64UrlEncode("{}") + ".",
      Base64UrlEncode(R"({"alg":"ES256"})") + "." + Base64UrlEncode(deep) + ".",
      Base64UrlEncode(R"({"alg":"ES256","kid":"k"})") + "." +
          Base64UrlEncode(R"({"ga4gh_passport_v1":"nope"})") + ".",
      Base64UrlEncode(R"({"alg":"ES256","kid":"k"})") + "." +
          Base64UrlEncode(R"({"ga4gh_passport_v1":[1,2,{}],"iss":"https://hub.example.org",
                              "sub":"a","exp":1e300,"iat":-5})") +
          ".AAAA",
      "{",
      "{\"ga4gh_passport_v1\": 5}",
      "{\"ga4gh_passport_v1\": [\"a.b.c\", 7]}",
      std::string(2 * 1024 * 1024, 'A')};
  for (const std::string& g : garbage) {
    CallerRights r = Authorize(g);
    EXPECT_FALSE(r.authenticated) << g.substr(0, 80);
    EXPECT_LEVELS(r, kPublic, kPublic);
  }
  CallerRights basic = authorizer_->Authorize("Basic YWxpY2U6c2VjcmV0", {});
  EXPECT_TRUE(basic.token_presented);
  EXPECT_FALSE(basic.authenticated);
}

TEST_F(PassportTest, EcdsaSignatureOfWrongLengthIsRefused) {
  std::string token = Passport({Visa("ResearcherStatus", "x", "so")});
  std::string sig = Base64UrlDecode(token.substr(token.rfind('.') + 1)).value();
  std::string der_like =
      token.substr(0, token.rfind('.') + 1) + Base64UrlEncode(sig + std::string(1, '\0'));
  EXPECT_FALSE(Authorize(der_like).authenticated);
}

// Issue 20, point 1: only a signed Passport JWT is a bearer credential by default. A visa
// alone, or a 1.0 userinfo document the caller built around visas, is refused (else visas
// lifted out of an expired or foreign passport would keep their grants).
TEST_F(PassportTest, VersionOneFormsFromTheCallerAreRefused) {
  std::string grant = Visa("ControlledAccessGrants", kDatasetA, "dac");
  std::string researcher = Visa("ResearcherStatus", "x", "so");
  nlohmann::json userinfo = {{"sub", "alice"}, {"ga4gh_passport_v1", {grant, researcher}}};
  CallerRights r = Authorize(userinfo.dump());
  EXPECT_FALSE(r.authenticated);
  EXPECT_LEVELS(r, kPublic, kPublic);
  EXPECT_NE(r.token_status.message().find("presented by the caller"), std::string::npos)
      << r.token_status.ToString();
  CallerRights r2 = Authorize(grant);
  EXPECT_FALSE(r2.authenticated);
  EXPECT_LEVELS(r2, kPublic, kPublic);
  EXPECT_NE(r2.token_status.message().find("visa alone"), std::string::npos);
  EXPECT_EQ(http_->request_count(), 0u) << "nothing is fetched for a refused form";
}

TEST_F(PassportTest, BareVisaOnlyBehindTheOptIn) {
  VerifierOptions options;
  options.accept_bare_visas = true;
  MakeAuthorizer(options);
  std::string grant = Visa("ControlledAccessGrants", kDatasetA, "dac");
  CallerRights r = Authorize(grant);
  EXPECT_TRUE(r.authenticated) << Denials(r);
  EXPECT_LEVELS(r, kControlled, kPublic);
  // The opt-in is for visas only: a caller-built userinfo document stays refused.
  nlohmann::json userinfo = {{"sub", "alice"}, {"ga4gh_passport_v1", {grant}}};
  EXPECT_LEVELS(Authorize(userinfo.dump()), kPublic, kPublic);
}

TEST_F(PassportTest, ConditionsAreEvaluated) {
  auto conditional_grant = [&](nlohmann::json conditions) {
    VisaSpec spec = Spec("ControlledAccessGrants", kDatasetA, "dac");
    spec.conditions = std::move(conditions);
    return IssueVisa(K().es, Params(), spec).value();
  };
  nlohmann::json needs_researcher = {{{{"type", "ResearcherStatus"}, {"by", "const:so"}}}};
  // Condition met.
  CallerRights r = Authorize(
      Passport({conditional_grant(needs_researcher), Visa("ResearcherStatus", "x", "so")}));
  EXPECT_LEVELS(r, kControlled, kRegistered);
  // Not met: the researcher visa is by peer.
  CallerRights r2 = Authorize(
      Passport({conditional_grant(needs_researcher), Visa("ResearcherStatus", "x", "peer")}));
  EXPECT_LEVELS(r2, kRegistered, kRegistered);
  EXPECT_NE(Denials(r2).find("conditions not met"), std::string::npos);
  // OR of clauses, pattern matching.
  nlohmann::json either = {
      {{{"type", "AffiliationAndRole"}, {"value", "const:faculty@uni.example"}}},
      {{{"type", "AcceptedTermsAndPolicies"}, {"value", "pattern:https://*.example.org/terms?"}}}};
  CallerRights r3 = Authorize(
      Passport({conditional_grant(either),
                Visa("AcceptedTermsAndPolicies", "https://hub.example.org/terms1", "self")}));
  EXPECT_LEVELS(r3, kControlled, kPublic);
  // split_pattern over a ';' list.
  nlohmann::json split = {{{{"type", "AffiliationAndRole"}, {"value", "split_pattern:member@*"}}}};
  CallerRights r4 =
      Authorize(Passport({conditional_grant(split),
                          Visa("AffiliationAndRole", "faculty@a.example;member@b.example", "so")}));
  EXPECT_LEVELS(r4, kControlled, kPublic);
  // Unknown condition type: denied even though another clause holds.
  nlohmann::json unknown = {{{{"type", "ResearcherStatus"}}}, {{{"type", "MadeUpVisaType"}}}};
  CallerRights r5 =
      Authorize(Passport({conditional_grant(unknown), Visa("ResearcherStatus", "x", "so")}));
  EXPECT_LEVELS(r5, kRegistered, kRegistered);
  EXPECT_NE(Denials(r5).find("unknown"), std::string::npos);
  // Unknown prefix and unknown field: denied.
  for (const nlohmann::json& bad :
       {nlohmann::json{{{{"type", "ResearcherStatus"}, {"value", "regex:.*"}}}},
        nlohmann::json{{{{"type", "ResearcherStatus"}, {"colour", "const:red"}}}},
        nlohmann::json::array(), nlohmann::json{{"type", "ResearcherStatus"}}}) {
    CallerRights rb =
        Authorize(Passport({conditional_grant(bad), Visa("ResearcherStatus", "x", "so")}));
    EXPECT_EQ(rb.LevelFor("A"), AccessLevel::kRegistered) << bad.dump();
  }
}

TEST_F(PassportTest, JwksIsRefreshedOnUnknownKidAtMostOncePerRequest) {
  // Warm the cache.
  EXPECT_TRUE(Authorize(Passport({Visa("ResearcherStatus", "x", "so")})).authenticated);
  ASSERT_EQ(http_->request_count(), 1u);
  // The hub rotates: the new key is published after our fetch.
  clock_->Advance(11);  // past the minimum refresh interval
  http_->Serve(kHubJku, JwksFor({&K().es, &K().rs, &K().rotated}).dump());
  CallerRights r =
      Authorize(Passport({Visa("ControlledAccessGrants", kDatasetA, "dac", &K().rotated),
                          Visa("ResearcherStatus", "y", "so", &K().rotated)}));
  EXPECT_LEVELS(r, kControlled, kRegistered);
  EXPECT_EQ(http_->request_count(), 2u) << "one refresh for the rotated kid";
  // Unknown kids (rogue key) in many visas: at most one refresh in a request, and none when the
  // last fetch was too recent.
  clock_->Advance(11);
  std::vector<std::string> visas;
  for (int i = 0; i < 5; ++i) visas.push_back(Visa("ResearcherStatus", "x", "so", &K().rogue));
  CallerRights r2 = Authorize(Passport(visas));
  EXPECT_TRUE(r2.authenticated);
  EXPECT_LEVELS(r2, kPublic, kPublic);
  EXPECT_EQ(http_->request_count(), 3u);
  EXPECT_NE(Denials(r2).find("unknown kid"), std::string::npos);
  CallerRights r3 = Authorize(Passport(visas));
  EXPECT_EQ(http_->request_count(), 3u) << "refresh rate-limited across requests";
}

TEST_F(PassportTest, JwksCacheExpiresAfterFiveMinutes) {
  VerifierOptions options;
  options.decision_cache_entries = 0;  // else a cached decision may outlive the JWKS by 60 s
  MakeAuthorizer(options);
  std::string token =
      Passport({Visa("ResearcherStatus", "x", "so")}, nullptr, Params("alice", 7200));
  EXPECT_TRUE(Authorize(token).authenticated);
  EXPECT_EQ(http_->request_count(), 1u);
  clock_->Advance(299);
  EXPECT_TRUE(Authorize(token).authenticated);
  EXPECT_EQ(http_->request_count(), 1u);
  clock_->Advance(2);
  EXPECT_TRUE(Authorize(token).authenticated);
  EXPECT_EQ(http_->request_count(), 2u);
  // A key removed from the published set stops working once the cache expires.
  http_->Serve(kHubJku, JwksFor({&K().rs}).dump());
  clock_->Advance(301);
  CallerRights r = Authorize(token);
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(http_->request_count(), 3u);
}

TEST_F(PassportTest, FailedJwksFetchIsNotRetriedPerRequest) {
  http_->FailWith(kHubJku, Unavailable("connection refused"));
  std::string token = Passport({Visa("ResearcherStatus", "x", "so")});
  CallerRights r = Authorize(token);
  EXPECT_FALSE(r.authenticated);
  EXPECT_EQ(http_->request_count(), 1u);
  EXPECT_FALSE(Authorize(token).authenticated);
  EXPECT_EQ(http_->request_count(), 1u);
  clock_->Advance(11);
  http_->ClearFailure(kHubJku);
  EXPECT_TRUE(Authorize(token).authenticated);
  EXPECT_EQ(http_->request_count(), 2u);
}

TEST_F(PassportTest, DecisionCacheServesRepeatsUntilTheEarliestExpiry) {
  IssueParams short_visa = Params("alice", 30);
  std::string token =
      Passport({Visa("ControlledAccessGrants", kDatasetA, "dac", nullptr, short_visa),
                Visa("ResearcherStatus", "x", "so")});
  EXPECT_LEVELS(Authorize(token), kControlled, kRegistered);
  EXPECT_EQ(authorizer_->verifier().decision_cache_hits(), 0u);
  EXPECT_LEVELS(Authorize(token), kControlled, kRegistered);
  EXPECT_EQ(authorizer_->verifier().decision_cache_hits(), 1u);
  // Past the grant's exp (+ skew) the cached decision is not reused: the grant is gone.
  clock_->Advance(61);
  EXPECT_LEVELS(Authorize(token), kRegistered, kRegistered);
  EXPECT_EQ(authorizer_->verifier().decision_cache_hits(), 1u);
  // Refused tokens are never cached.
  std::string forged = token.substr(0, token.size() - 2) + (token.back() == 'A' ? "BB" : "AA");
  Authorize(forged);
  Authorize(forged);
  EXPECT_EQ(authorizer_->verifier().decision_cache_hits(), 1u);
}

TEST_F(PassportTest, DecisionCacheCanBeDisabled) {
  VerifierOptions options;
  options.decision_cache_entries = 0;
  MakeAuthorizer(options);
  std::string token = Passport({Visa("ResearcherStatus", "x", "so")});
  EXPECT_LEVELS(Authorize(token), kRegistered, kRegistered);
  EXPECT_LEVELS(Authorize(token), kRegistered, kRegistered);
  EXPECT_EQ(authorizer_->verifier().decision_cache_hits(), 0u);
}

// Every single-byte change of a valid passport (in its header, claims, visa list or signature)
// must be refused or lose the grant; a deterministic replay of what a fuzzer would try first.
TEST_F(PassportTest, MutatedTokensNeverKeepTheGrant) {
  VerifierOptions options;
  options.decision_cache_entries = 0;
  MakeAuthorizer(options);
  std::string token = Passport({Visa("ControlledAccessGrants", kDatasetA, "dac")});
  ASSERT_EQ(Authorize(token).LevelFor("A"), AccessLevel::kControlled);
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  int kept = 0;
  for (int i = 0; i < 600; ++i) {
    std::string mutated = token;
    size_t pos = next() % mutated.size();
    char c = alphabet[next() % alphabet.size()];
    if (mutated[pos] == c) continue;
    mutated[pos] = c;
    CallerRights r =
        authorizer_->Authorize("Bearer " + mutated, std::vector<DatasetRef>{{"A", kDatasetA}});
    if (r.LevelFor("A") == AccessLevel::kControlled) ++kept;
  }
  EXPECT_EQ(kept, 0);
}

TEST_F(PassportTest, PlainHttpJwksOnlyOnLoopback) {
  EXPECT_TRUE(JwksUrlAllowed("https://hub.example.org/jwks", false));
  EXPECT_TRUE(JwksUrlAllowed("http://127.0.0.1:8000/jwks", false));
  EXPECT_TRUE(JwksUrlAllowed("http://localhost/jwks", false));
  EXPECT_FALSE(JwksUrlAllowed("http://localhost.evil.org/jwks", false));
  EXPECT_FALSE(JwksUrlAllowed("http://hub.example.org/jwks", false));
  EXPECT_TRUE(JwksUrlAllowed("http://hub.example.org/jwks", true));
  EXPECT_FALSE(JwksUrlAllowed("file:///etc/passwd", true));
}

TEST_F(PassportTest, DecisionLogNamesWhoDatasetLevelAndNeverTheToken) {
  std::string token = Passport(
      {Visa("ControlledAccessGrants", kDatasetA, "dac"), Visa("ResearcherStatus", "x", "self")});
  CallerRights r = Authorize(token);
  std::vector<std::string> lines = DecisionLogLines(r);
  ASSERT_GE(lines.size(), 2u);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("who=alice@https://hub.example.org dataset=A level=controlled"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("dataset=B level=public"), std::string::npos) << all;
  std::string signature = token.substr(token.rfind('.') + 1);
  EXPECT_EQ(all.find(signature), std::string::npos);
  EXPECT_EQ(all.find(token.substr(0, 40)), std::string::npos);
  EXPECT_EQ(all.find("eyJ"), std::string::npos) << "something base64-JSON-like was logged";
}

}  // namespace
}  // namespace genomefed::passport
