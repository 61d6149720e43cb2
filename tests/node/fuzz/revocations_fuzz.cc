// Fuzz target for the node's revocation-list reader (node::RevocationList::Verify over untrusted
// bytes). Each input is tried twice: as the whole token (JWT parsing, header and trust checks),
// and as the payload of a list the fuzzer's own trusted key signs (so the entry parsing behind
// the signature check is reached too). Built with clang -fsanitize=fuzzer when GENOMEFED_FUZZ=ON;
// otherwise revocations_fuzz_replay_test replays the committed corpus under g++.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "../../passport/fake_http.h"
#include "node/revocations.h"
#include "passport/signer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed;
  constexpr const char* kIss = "https://hub.fuzz";
  constexpr const char* kJku = "https://hub.fuzz/.well-known/jwks.json";
  struct Fixture {
    std::shared_ptr<passport::testing::FakeHttpClient> http =
        std::make_shared<passport::testing::FakeHttpClient>();
    std::unique_ptr<passport::SigningKey> key;
    std::unique_ptr<node::RevocationList> list;
  };
  static Fixture* f = [] {
    auto* fx = new Fixture;
    auto key = passport::SigningKey::Generate(passport::JwsAlg::kES256);
    if (!key.ok()) return fx;
    fx->key = std::make_unique<passport::SigningKey>(*key);
    fx->http->Serve(kJku, passport::JwksFor({fx->key.get()}).dump());
    node::RevocationOptions options;
    options.jwks.allow_insecure_http = true;
    fx->list = std::make_unique<node::RevocationList>(
        std::vector<TrustEntry>{{kIss, kJku}}, fx->http,
        std::make_shared<passport::ManualClock>(1'800'000'000), options);
    return fx;
  }();
  if (!f->list) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)f->list->Verify(text);
  // As a payload: the input parsed as JSON and signed by the trusted key.
  nlohmann::json header = {{"alg", "ES256"}, {"typ", "JWT"}, {"kid", f->key->kid()}, {"jku", kJku}};
  auto signed_token = f->key->SignJwt(header, nlohmann::json::parse(text, nullptr, false));
  if (signed_token.ok()) (void)f->list->Verify(*signed_token);
  return 0;
}
