// Units under the verifier: base64url, JWT shape checks, JWK parsing, signatures, wildcard
// patterns.
#include <gtest/gtest.h>

#include "passport/base64url.h"
#include "passport/jws.h"
#include "passport/jwt.h"
#include "passport/signer.h"
#include "passport/verifier.h"
#include "support/test_support.h"

namespace genomefed::passport {
namespace {

TEST(Base64UrlTest, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 250));
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, IsStrict) {
  EXPECT_FALSE(Base64UrlDecode("QQ==").ok());  // padding
  EXPECT_FALSE(Base64UrlDecode("Q+8").ok());   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Q Q").ok());
  EXPECT_FALSE(Base64UrlDecode("Q").ok());   // impossible length
  EXPECT_FALSE(Base64UrlDecode("QR").ok());  // non-zero trailing bits
  EXPECT_OK(Base64UrlDecode("QQ"));
}

TEST(JwtTest, ParsesHeaderAndPayload) {
  std::string token = Base64UrlEncode(R"({"alg":"ES256","kid":"k1","jku":"https://x/j"})") + "." +
                      Base64UrlEncode(R"({"sub":"a"})") + "." + Base64UrlEncode("sig");
  auto jwt = ParseJwt(token, 1000);
  ASSERT_OK(jwt);
  EXPECT_EQ(jwt->alg, "ES256");
  EXPECT_EQ(jwt->kid, "k1");
  EXPECT_EQ(jwt->jku, "https://x/j");
  EXPECT_EQ(jwt->payload["sub"], "a");
  EXPECT_EQ(jwt->signature, "sig");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_FALSE(ParseJwt(token, token.size() - 1).ok());
}

TEST(JwtTest, RejectsBadShapes) {
  auto seg = [](const std::string& json) { return Base64UrlEncode(json); };
  for (const std::string& bad : {std::string("abc"), seg("{}") + "." + seg("{}"),
                                 seg(R"({"alg":"ES256"})") + "." + seg("[]") + ".",
                                 seg(R"({"alg":5})") + "." + seg("{}") + ".",
                                 seg(R"({"typ":"JWT"})") + "." + seg("{}") + ".",
                                 seg(R"({"alg":"ES256","kid":7})") + "." + seg("{}") + ".",
                                 seg(R"({"alg":"ES256","crit":["b64"]})") + "." + seg("{}") + ".",
                                 seg(R"({"alg":"ES256"})") + "." + seg("{\"a\":") + ".",
                                 seg(R"({"alg":"ES256"})") + "." + seg("{}") + ".!!"}) {
    EXPECT_FALSE(ParseJwt(bad, 10000).ok()) << bad;
  }
}

TEST(JwtTest, DeepNestingIsRefusedBeforeParsing) {
  EXPECT_FALSE(ParseJsonStrict(std::string(100000, '[') + std::string(100000, ']')).ok());
  EXPECT_OK(ParseJsonStrict(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
}

TEST(JwtTest, IntegerClaims) {
  auto j = nlohmann::json::parse(R"({"a":5,"b":5.9,"c":"5","d":1e300,"e":-3})");
  EXPECT_EQ(IntegerClaim(j, "a").value(), 5);
  EXPECT_EQ(IntegerClaim(j, "b").value(), 5);
  EXPECT_FALSE(IntegerClaim(j, "c").ok());
  EXPECT_FALSE(IntegerClaim(j, "d").ok());
  EXPECT_EQ(IntegerClaim(j, "e").value(), -3);
  EXPECT_FALSE(IntegerClaim(j, "zz").value().has_value());
}

TEST(JwsTest, OnlyRs256AndEs256AreAllowed) {
  EXPECT_OK(ParseAllowedAlg("RS256"));
  EXPECT_OK(ParseAllowedAlg("ES256"));
  for (const char* alg :
       {"none", "HS256", "HS512", "PS256", "ES384", "RS512", "EdDSA", "rs256", ""}) {
    auto r = ParseAllowedAlg(alg);
    EXPECT_FALSE(r.ok()) << alg;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  }
}

TEST(JwsTest, SignAndVerifyBothAlgorithms) {
  for (JwsAlg alg : {JwsAlg::kES256, JwsAlg::kRS256}) {
    auto key = SigningKey::Generate(alg);
    ASSERT_OK(key);
    auto jwks = ParseJwks(JwksFor({&*key}).dump());
    ASSERT_OK(jwks);
    ASSERT_EQ(jwks->keys.count(key->kid()), 1u);
    const PublicKey& pub = jwks->keys.at(key->kid());
    auto token = key->SignJwt({}, {{"x", 1}});
    ASSERT_OK(token);
    auto jwt = ParseJwt(*token, 10000);
    ASSERT_OK(jwt);
    EXPECT_EQ(jwt->kid, key->kid());
    EXPECT_OK(VerifySignature(pub, alg, jwt->signing_input, jwt->signature));
    EXPECT_FALSE(VerifySignature(pub, alg, jwt->signing_input + "x", jwt->signature).ok());
    JwsAlg other = alg == JwsAlg::kES256 ? JwsAlg::kRS256 : JwsAlg::kES256;
    EXPECT_FALSE(VerifySignature(pub, other, jwt->signing_input, jwt->signature).ok());
    // PEM round trip keeps the kid.
    auto pem = key->PrivatePem();
    ASSERT_OK(pem);
    auto again = SigningKey::FromPem(*pem);
    WipeString(*pem);
    ASSERT_OK(again);
    EXPECT_EQ(again->kid(), key->kid());
    EXPECT_EQ(again->alg(), alg);
  }
}

TEST(JwsTest, JwkChecks) {
  auto es = SigningKey::Generate(JwsAlg::kES256).value();
  nlohmann::json jwk = es.PublicJwk();
  EXPECT_OK(PublicKeyFromJwk(jwk));
  nlohmann::json wrong_alg = jwk;
  wrong_alg["alg"] = "RS256";
  EXPECT_FALSE(PublicKeyFromJwk(wrong_alg).ok());
  nlohmann::json enc = jwk;
  enc["use"] = "enc";
  EXPECT_FALSE(PublicKeyFromJwk(enc).ok());
  nlohmann::json off_curve = jwk;
  std::string y = Base64UrlDecode(jwk["y"].get<std::string>()).value();
  y[31] ^= 1;
  off_curve["y"] = Base64UrlEncode(y);
  EXPECT_FALSE(PublicKeyFromJwk(off_curve).ok());
  nlohmann::json oct = {{"kty", "oct"}, {"k", "c2VjcmV0"}};
  EXPECT_FALSE(PublicKeyFromJwk(oct).ok());
  nlohmann::json small_rsa = {
      {"kty", "RSA"}, {"n", Base64UrlEncode(std::string(128, '\xff'))}, {"e", "AQAB"}};
  EXPECT_FALSE(PublicKeyFromJwk(small_rsa).ok());
  // A kid used twice is dropped: neither key can be chosen.
  nlohmann::json dup = {{"keys", {jwk, SigningKey::Generate(JwsAlg::kES256).value().PublicJwk()}}};
  dup["keys"][1]["kid"] = jwk["kid"];
  EXPECT_EQ(ParseJwks(dup.dump()).value().keys.count(jwk["kid"].get<std::string>()), 0u);
  EXPECT_FALSE(ParseJwks("[]").ok());
  EXPECT_FALSE(ParseJwks("{\"keys\": 3}").ok());
}

TEST(PatternTest, Wildcards) {
  auto match = [](const char* p, const char* t) {
    int64_t steps = 1'000'000;
    return PatternMatch(p, t, steps);
  };
  EXPECT_TRUE(match("abc", "abc"));
  EXPECT_FALSE(match("abc", "abcd"));
  EXPECT_TRUE(match("a?c", "abc"));
  EXPECT_TRUE(match("*", ""));
  EXPECT_TRUE(match("https://*.org/*", "https://hub.example.org/terms"));
  EXPECT_FALSE(match("https://*.org/*", "https://hub.example.com/terms"));
  EXPECT_TRUE(match("*a*b*c", "xxaxxbxxc"));
  int64_t few = 10;
  EXPECT_FALSE(PatternMatch("*a*a*a*a*b", std::string(1000, 'a'), few));
}

}  // namespace
}  // namespace genomefed::passport
