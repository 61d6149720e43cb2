// passport_bench: cost of deciding a caller's rights from a passport, against its baseline in
// the same run: the raw OpenSSL EVP signature verifications the passport needs (one per JWT).
// Cases: a passport with 2 ES256 visas (3 signatures) verified from scratch (decision cache off,
// JWKS cached), the same served from the decision cache, and the RS256 variant.
// Usage: passport_bench [iterations]   (keys are generated in process; no network)
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "http/client.h"
#include "passport/jws.h"
#include "passport/jwt.h"
#include "passport/rights.h"
#include "passport/signer.h"

namespace {

using namespace genomefed;
using namespace genomefed::passport;

class StaticClient final : public http::HttpClient {
 public:
  explicit StaticClient(std::string body) : body_(std::move(body)) {}
  Result<http::ClientResponse> Send(const http::ClientRequest&) override {
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

 private:
  std::string body_;
};

template <typename F>
double NsPerOp(int iterations, F&& f) {
  for (int i = 0; i < iterations / 10 + 1; ++i) f();  // warm-up
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(end - start).count() / iterations;
}

void RunCase(JwsAlg alg, int iterations) {
  const char* iss = "https://hub.example.org";
  const char* jku = "https://hub.example.org/.well-known/jwks.json";
  SigningKey key = SigningKey::Generate(alg).value();
  auto client = std::make_shared<StaticClient>(JwksFor({&key}).dump());
  auto clock = std::make_shared<SystemClock>();
  IssueParams p{iss, jku, "alice", clock->NowSeconds(), clock->NowSeconds() + 3600};
  VisaSpec grant;
  grant.type = "ControlledAccessGrants";
  grant.value = "https://node.example.org/datasets/A";
  grant.by = "dac";
  VisaSpec researcher;
  researcher.type = "ResearcherStatus";
  researcher.value = "https://doi.org/10.1038/s41431-018-0219-y";
  researcher.by = "so";
  std::vector<std::string> visas = {IssueVisa(key, p, grant).value(),
                                    IssueVisa(key, p, researcher).value()};
  std::string token = IssuePassport(key, p, visas).value();
  std::string header = "Bearer " + token;
  std::vector<DatasetRef> datasets = {{"A", "https://node.example.org/datasets/A"},
                                      {"B", "https://node.example.org/datasets/B"}};

  // Baseline: the three raw verifications, keys already parsed.
  Jwks jwks = ParseJwks(JwksFor({&key}).dump()).value();
  const PublicKey& pub = jwks.keys.at(key.kid());
  std::vector<Jwt> jwts;
  for (const std::string& t : {token, visas[0], visas[1]})
    jwts.push_back(ParseJwt(t, 1 << 20).value());
  double raw = NsPerOp(iterations, [&] {
    for (const Jwt& j : jwts) {
      if (!VerifySignature(pub, alg, j.signing_input, j.signature).ok()) std::abort();
    }
  });

  VerifierOptions uncached_options;
  uncached_options.decision_cache_entries = 0;
  PassportVerifier uncached({{iss, jku}}, client, clock, uncached_options);
  double full = NsPerOp(iterations, [&] {
    CallerRights r = ComputeRights(uncached.VerifyAuthorization(header), datasets);
    if (r.LevelFor("A") != AccessLevel::kControlled) std::abort();
  });
  PassportVerifier cached({{iss, jku}}, client, clock);
  double hit = NsPerOp(iterations * 10, [&] {
    CallerRights r = ComputeRights(cached.VerifyAuthorization(header), datasets);
    if (r.LevelFor("A") != AccessLevel::kControlled) std::abort();
  });
  std::printf("%s passport, 2 visas (%zu bytes):\n", std::string(JwsAlgName(alg)).c_str(),
              token.size());
  std::printf("  baseline raw EVP verify x3        %10.1f us\n", raw / 1000);
  std::printf("  verify + rights, uncached         %10.1f us   ratio to baseline %.2f\n",
              full / 1000, full / raw);
  std::printf("  verify + rights, decision cache   %10.1f us   ratio to baseline %.3f\n",
              hit / 1000, hit / raw);
}

}  // namespace

int main(int argc, char** argv) {
  genomefed::log::Init("off");
  int iterations = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (iterations <= 0) iterations = 2000;
  RunCase(JwsAlg::kES256, iterations);
  RunCase(JwsAlg::kRS256, iterations);
  return 0;
}
