// Fuzz target for the parsers of outside input added for issue 20, and the JWT/JWKS parsers
// they sit in: the first byte picks the parser, the rest is its input — ParseHttpUrl with
// CheckTrustedUrl and RedactUrl (trusted URLs, attacker-named jku), ParseUserinfo (a broker's
// answer), ParseJwt (duplicated names in JOSE headers and claims) and ParseJwks (duplicated
// kids, the key limit). Built with clang -fsanitize=fuzzer when GENOMEFED_FUZZ=ON; otherwise the
// committed corpus is replayed by passport_fuzz_replay_test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "passport/jws.h"
#include "passport/jwt.h"
#include "passport/url_check.h"
#include "passport/userinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed::passport;
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto url = ParseHttpUrl(input);
      std::string redacted = RedactUrl(input);
      (void)CheckTrustedUrl(input, false);
      // A redacted URL never carries the query or user information of the original.
      if (url.ok() && url->has_userinfo && redacted.find('@') != std::string::npos) {
        __builtin_trap();
      }
      if (url.ok() && !url->query.empty() && redacted.find(url->query) != std::string::npos &&
          redacted.find("?...") == std::string::npos) {
        __builtin_trap();
      }
      break;
    }
    case 1:
      (void)ParseUserinfo(input);
      break;
    case 2:
      (void)ParseJwt(input, 64 * 1024);
      break;
    default: {
      auto jwks = ParseJwks(input);
      if (jwks.ok() && jwks->keys.size() > kJwksMaxKeys) __builtin_trap();
      break;
    }
  }
  return 0;
}
