// JSON Web Token parsing (JWS compact serialisation, RFC 7515/7519) for GA4GH Passport 1.2
// tokens. Parsing only splits, decodes and checks shapes and limits; it trusts nothing. The
// signature is checked by jws.h and the claims by verifier.h. Untrusted input never throws:
// every failure is a Status.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::passport {

struct Jwt {
  nlohmann::json header;      // a JSON object
  nlohmann::json payload;     // a JSON object
  std::string signing_input;  // "<b64 header>.<b64 payload>", the bytes that were signed
  std::string signature;      // raw signature bytes
  // Header fields, empty when absent.
  std::string alg;
  std::string kid;
  std::string jku;
  std::string typ;
};

// Splits and decodes a compact JWS. Fails (kInvalidArgument) on: more than `max_bytes`, not
// exactly three segments, bad base64url, JSON that is not an object or nests deeper than 32,
// a duplicated member name in the header or payload, a non-string alg/kid/jku/typ, or a `crit`
// header (no extension is understood, RFC 7515 4.1.11).
// An empty signature is allowed here (so that `alg: none` can be reported as such by the caller).
Result<Jwt> ParseJwt(std::string_view token, size_t max_bytes);

// Parses JSON from untrusted text without exceptions; kInvalidArgument when malformed, when
// arrays/objects nest deeper than `max_depth` (the depth check runs before the parser, so deep
// nesting cannot exhaust the stack), or when an object repeats a member name (JOSE headers,
// claims, JWK sets and userinfo documents must be unambiguous, RFC 7515 4 and RFC 7519 4).
Result<nlohmann::json> ParseJsonStrict(std::string_view text, int max_depth = 32);

// An integer claim (NumericDate or count). nullopt when absent; kInvalidArgument when present
// but not a finite number within +-2^53.
Result<std::optional<int64_t>> IntegerClaim(const nlohmann::json& object, std::string_view name);

// A string claim. nullopt when absent; kInvalidArgument when present but not a string.
Result<std::optional<std::string>> StringClaim(const nlohmann::json& object, std::string_view name);

}  // namespace genomefed::passport
