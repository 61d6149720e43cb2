// Fuzz target for the audit log reader (audit::VerifyLogText over untrusted bytes, with a key
// set so checkpoint JWS parsing and signature checks run too). Built with clang
// -fsanitize=fuzzer when GENOMEFED_FUZZ=ON; otherwise audit_fuzz_replay_test replays the
// committed corpus (plus bit flips and cuts of every seed) under g++.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audit/verify.h"
#include "passport/signer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed;
  static const audit::VerifyOptions* options = [] {
    auto* o = new audit::VerifyOptions;
    auto key = passport::SigningKey::Generate(passport::JwsAlg::kES256);
    if (key.ok()) {
      auto jwks = passport::ParseJwks(passport::JwksFor({&*key}).dump());
      if (jwks.ok()) o->keys = *jwks;
    }
    return o;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)audit::VerifyLogText(text, "fuzz", *options);
  audit::VerifyOptions unsigned_options;
  (void)audit::VerifyLogText(text, "fuzz", unsigned_options);
  return 0;
}
