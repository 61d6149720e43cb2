// End to end over real HTTP: the hub's JWKS is served by the genomefed HTTP server on
// 127.0.0.1 (ephemeral port) and fetched with the libcurl client, as a node does in production.
#include <gtest/gtest.h>

#include <atomic>

#include "http/client.h"
#include "http/server.h"
#include "passport/rights.h"
#include "passport/signer.h"
#include "support/test_support.h"

namespace genomefed::passport {
namespace {

TEST(JwksOverHttpTest, VerifiesWithKeysFetchedFromALoopbackServer) {
  auto key = SigningKey::Generate(JwsAlg::kES256);
  ASSERT_OK(key);
  const std::string jwks = JwksFor({&*key}).dump();
  auto hits = std::make_shared<std::atomic<int>>(0);
  http::Router router;
  ASSERT_OK(router.Get("/.well-known/jwks.json", [jwks, hits](const http::Request&) {
    ++*hits;
    return http::Response::Json(jwks);
  }));
  http::ServerOptions options;
  options.access_log = false;
  auto server = http::Server::Start(options, std::move(router));
  ASSERT_OK(server);
  const std::string iss = (*server)->base_url();
  const std::string jku = iss + "/.well-known/jwks.json";

  auto clock = std::make_shared<SystemClock>();
  IssueParams params{.iss = iss,
                     .jku = jku,
                     .sub = "alice",
                     .iat = clock->NowSeconds(),
                     .exp = clock->NowSeconds() + 300};
  VisaSpec spec;
  spec.type = "ControlledAccessGrants";
  spec.value = "https://node.example.org/datasets/A";
  spec.by = "dac";
  auto visa = IssueVisa(*key, params, spec);
  ASSERT_OK(visa);
  auto token = IssuePassport(*key, params, {*visa});
  ASSERT_OK(token);

  std::shared_ptr<http::HttpClient> client = http::MakeCurlClient();
  Authorizer authorizer({{iss, jku}}, client, clock);
  std::vector<DatasetRef> datasets = {{"A", "https://node.example.org/datasets/A"}};
  CallerRights rights = authorizer.Authorize("Bearer " + *token, datasets);
  ASSERT_TRUE(rights.authenticated) << rights.token_status.ToString();
  EXPECT_EQ(rights.LevelFor("A"), AccessLevel::kControlled);
  // Cached: a second request does not fetch again.
  CallerRights again = authorizer.Authorize("Bearer " + *token, datasets);
  EXPECT_EQ(again.LevelFor("A"), AccessLevel::kControlled);
  EXPECT_EQ(hits->load(), 1);

  // A server that is gone: refused, not crashed, within the fetch time-out.
  const std::string dead_jku = jku;
  (*server)->Stop();
  VerifierOptions vo;
  vo.jwks.fetch_timeout_ms = 1000;
  Authorizer cold({{iss, dead_jku}}, client, clock, vo);
  CallerRights refused = cold.Authorize("Bearer " + *token, datasets);
  EXPECT_FALSE(refused.authenticated);
  EXPECT_EQ(refused.LevelFor("A"), AccessLevel::kPublic);
}

}  // namespace
}  // namespace genomefed::passport
