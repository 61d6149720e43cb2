// The operator tools through the real binary: `keys generate` + `passport issue`, and the
// token they make verifies with the library against the JWKS they wrote.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/file.h"
#include "passport/fake_http.h"
#include "passport/rights.h"
#include "passport/signer.h"
#include "support/test_support.h"

namespace genomefed::passport {
namespace {

using genomefed::testing::GenomefedBinary;
using genomefed::testing::RunCommand;
using genomefed::testing::TempDir;

class CliTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GenomefedBinary())) {
      GTEST_SKIP() << GenomefedBinary() << " is not built (cmake --build ... --target genomefed)";
    }
  }
};

TEST_P(CliTest, KeysGenerateThenPassportIssueVerifies) {
  TempDir dir;
  const std::string bin = GenomefedBinary().string();
  auto keys = RunCommand(
      bin + " keys generate --alg " + GetParam() + " --out " + (dir / "hub").string(), true);
  ASSERT_EQ(keys.exit_code, 0) << keys.output;
  EXPECT_NE(keys.output.find("kid "), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "hub" / "private.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto jwks = ReadFile(dir / "hub" / "jwks.json");
  ASSERT_OK(jwks);
  EXPECT_EQ(jwks->find("PRIVATE"), std::string::npos);
  EXPECT_EQ(jwks->find("\"d\""), std::string::npos) << "private exponent in the public JWKS";

  // Refuses to overwrite a key without --force.
  auto again = RunCommand(bin + " keys generate --alg ES256 --out " + (dir / "hub").string(), true);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("refusing"), std::string::npos) << again.output;

  const std::string iss = "https://hub.example.org";
  const std::string jku = "https://hub.example.org/.well-known/jwks.json";
  auto issued =
      RunCommand(bin + " passport issue --key " + (dir / "hub" / "private.pem").string() +
                 " --iss " + iss + " --jku " + jku + " --sub alice" +
                 " --visa ResearcherStatus=https://doi.org/10.1038/s41431-018-0219-y,by=so" +
                 " --visa ControlledAccessGrants=https://node.example.org/datasets/A,by=dac" +
                 " --expires-in 600");
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  std::string token = issued.output;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;

  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Serve(jku, *jwks);
  Authorizer authorizer({{iss, jku}}, http, std::make_shared<SystemClock>());
  std::vector<DatasetRef> datasets = {{"A", "https://node.example.org/datasets/A"},
                                      {"B", "https://node.example.org/datasets/B"}};
  CallerRights rights = authorizer.Authorize("Bearer " + token, datasets);
  ASSERT_TRUE(rights.authenticated) << rights.token_status.ToString();
  EXPECT_EQ(rights.identity, "alice@" + iss);
  EXPECT_EQ(rights.LevelFor("A"), AccessLevel::kControlled);
  EXPECT_EQ(rights.LevelFor("B"), AccessLevel::kRegistered);
  int64_t now = SystemClock().NowSeconds();
  EXPECT_GE(rights.expires_at, now + 590);
  EXPECT_LE(rights.expires_at, now + 610);

  // The key loads in the library and `keys jwks` prints the same kid.
  auto key = SigningKey::Load(dir / "hub" / "private.pem");
  ASSERT_OK(key);
  auto printed = RunCommand(bin + " keys jwks --key " + (dir / "hub" / "private.pem").string());
  ASSERT_EQ(printed.exit_code, 0);
  EXPECT_NE(printed.output.find(key->kid()), std::string::npos);
  EXPECT_NE(jwks->find(key->kid()), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CliTest, ::testing::Values("ES256", "RS256"));

TEST(CliErrorsTest, BadArgumentsFailWithUsageCodes) {
  if (!std::filesystem::exists(GenomefedBinary())) GTEST_SKIP() << "genomefed is not built";
  TempDir dir;
  const std::string bin = GenomefedBinary().string();
  EXPECT_NE(
      RunCommand(bin + " keys generate --alg HS256 --out " + dir.path().string(), true).exit_code,
      0);
  auto keys = RunCommand(bin + " keys generate --out " + (dir / "k").string(), true);
  ASSERT_EQ(keys.exit_code, 0) << keys.output;
  auto bad_visa = RunCommand(bin + " passport issue --key " + (dir / "k" / "private.pem").string() +
                                 " --iss https://a --jku https://a/j --sub s --visa NoEquals",
                             true);
  EXPECT_EQ(bad_visa.exit_code, 2) << bad_visa.output;
  auto no_key = RunCommand(bin + " passport issue --key " + (dir / "missing.pem").string() +
                               " --iss https://a --jku https://a/j --sub s",
                           true);
  EXPECT_NE(no_key.exit_code, 0);
}

}  // namespace
}  // namespace genomefed::passport
