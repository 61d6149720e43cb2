// JSON Web Signatures for GA4GH Passport 1.2 / AAI: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and
// ES256 (ECDSA P-256 with SHA-256) only, as the AAI profile requires; public keys come from JWK
// sets (RFC 7517). Verification uses OpenSSL 3 EVP. A key is only ever used with the algorithm
// of its own type, so an HS256 token "signed" with an RSA public key (key confusion) or an
// `alg: none` token can never verify.
#pragma once

#include <openssl/types.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::passport {

enum class JwsAlg { kRS256, kES256 };
std::string_view JwsAlgName(JwsAlg alg);

// RS256 and ES256 are allowed; everything else ("none", HS*, PS*, ES384, ...) is
// kPermissionDenied naming the algorithm.
Result<JwsAlg> ParseAllowedAlg(std::string_view alg);

// An immutable public key; cheap to copy, safe to use from several threads at once.
class PublicKey {
 public:
  PublicKey() = default;
  PublicKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg) : key_(std::move(key)), alg_(alg) {}
  EVP_PKEY* get() const { return key_.get(); }
  JwsAlg alg() const { return alg_; }

 private:
  std::shared_ptr<EVP_PKEY> key_;
  JwsAlg alg_ = JwsAlg::kRS256;
};

// One JWK → key. RSA keys need n, e (n at least 2048 bits); EC keys need crv "P-256", x, y of
// 32 bytes and a point on the curve. A JWK whose "use" is not "sig", or whose "alg" does not fit
// its type, is rejected.
Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk);

// A JWK set: usable keys by "kid". Keys without a kid, or that fail to parse, are skipped (a
// set may carry encryption keys or algorithms this node does not use). Every key whose kid
// appears more than once in the set (counting every entry, usable or not, also those past the
// limit, however many copies) is ignored: which copy a signer meant is ambiguous, so no token
// may pick one. Only the first kJwksMaxKeys entries are read; the rest are ignored and counted
// in `entries_over_limit` (the cache logs it), so a huge set cannot make every fetch expensive.
inline constexpr size_t kJwksMaxKeys = 64;
struct Jwks {
  std::map<std::string, PublicKey> keys;
  size_t entries_over_limit = 0;  // entries of "keys" beyond kJwksMaxKeys, not read
  size_t duplicate_kids = 0;      // distinct kids that appeared more than once (all ignored)
};
Result<Jwks> ParseJwks(std::string_view json_text);

// Checks `signature` over `signing_input` with `key` for `alg`. kPermissionDenied when the key
// type does not match the algorithm or the signature does not verify. ES256 signatures are the
// raw 64-byte R||S form of JWS (RFC 7518 3.4), converted to DER for OpenSSL here.
Status VerifySignature(const PublicKey& key, JwsAlg alg, std::string_view signing_input,
                       std::string_view signature);

}  // namespace genomefed::passport
