// The GA4GH AAI 1.2 userinfo flow, from the Passport Clearinghouse side: the node presents the
// caller's access token (RFC 6750 bearer) to a trusted broker's OIDC userinfo endpoint (OpenID
// Connect Core 1.0, 5.3) and receives the caller's visas as the `ga4gh_passport_v1` claim of a
// JSON document. That document is only ever believed when the node fetched it itself over a
// trusted URL; one presented by the caller is refused by the verifier. Each visa in it is still
// verified like any other (signature, trust, time, subject = the document's `sub`).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/client.h"

namespace genomefed::passport {

struct UserinfoOptions {
  uint32_t timeout_ms = 2000;
  uint64_t max_response_bytes = 1024 * 1024;
  size_t max_access_token_bytes = 8 * 1024;  // longer tokens are refused, not sent
  // Userinfo calls in progress at once, node-wide; more are refused (the caller is anonymous
  // for that request), so a slow broker cannot occupy every server thread.
  uint32_t max_concurrent = 1;
};

// A userinfo answer: the subject and the visa JWTs (strings; each is verified separately).
struct UserinfoDocument {
  std::string sub;
  nlohmann::json visas = nlohmann::json::array();
};

// Parses a userinfo response body: a JSON object (no duplicated names, nesting <= 32) with a
// non-empty string `sub` and, when present, an array `ga4gh_passport_v1`. kInvalidArgument
// otherwise. The array's items are not checked here.
Result<UserinfoDocument> ParseUserinfo(std::string_view body);

// True when `token` has the RFC 6750 b64token shape (1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=") and is at most `max_bytes`: anything else is never sent to a broker.
bool LooksLikeAccessToken(std::string_view token, size_t max_bytes);

// GET `url` with `Authorization: Bearer <access_token>`. kUnauthenticated when the broker
// refuses the token (401/403), kUnavailable for other statuses or transport failures,
// kInvalidArgument for a malformed document. Messages never contain the token or the URL's
// query.
Result<UserinfoDocument> FetchUserinfo(http::HttpClient& client, const std::string& url,
                                       std::string_view access_token,
                                       const UserinfoOptions& options);

}  // namespace genomefed::passport
