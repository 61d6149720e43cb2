// Cache of JWK sets fetched from `jku` URLs (GA4GH AAI / Passport 1.2 key discovery). The
// verifier only asks for a URL after the (iss, jku) pair passed the node's [[trust]] list, so
// nothing here decides trust. Sets are cached for `ttl_seconds` (5 min by default); an unknown
// `kid` in a fresh set triggers at most one re-fetch per jku per request (key rotation), and
// never more often than `min_refresh_interval_seconds` per jku across requests, so tokens with
// made-up kids cannot turn the node into a load generator against an issuer. Failed fetches
// are remembered for the same interval, so an unreachable issuer costs one time-out, not one
// per request.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/status.h"
#include "http/client.h"
#include "passport/clock.h"
#include "passport/jws.h"

namespace genomefed::passport {

struct JwksCacheOptions {
  int64_t ttl_seconds = 300;
  int64_t min_refresh_interval_seconds = 10;
  uint32_t fetch_timeout_ms = 2000;
  uint64_t max_jwks_bytes = 256 * 1024;
  // Plain http:// is refused except on loopback (127.0.0.1, [::1], localhost) unless this is
  // set: a JWKS fetched over an unauthenticated channel would let the network choose the keys.
  bool allow_insecure_http = false;
};

// Per-request state: which jku URLs were already re-fetched for an unknown kid.
struct JwksRequestState {
  std::set<std::string> refreshed;
};

// Thread-safe. The HTTP client and clock are shared and must outlive nothing in particular.
class JwksCache {
 public:
  JwksCache(std::shared_ptr<http::HttpClient> client, std::shared_ptr<const Clock> clock,
            JwksCacheOptions options = {});

  // The key `kid` from the set at `jku`. kPermissionDenied for an unknown kid (after the
  // permitted refresh), kUnavailable / kDeadlineExceeded when the set cannot be fetched,
  // kInvalidArgument for a URL scheme that is not allowed or a malformed set.
  Result<PublicKey> GetKey(const std::string& jku, const std::string& kid, JwksRequestState& state);

  // Number of HTTP fetches made so far (for tests and metrics).
  uint64_t fetch_count() const;

 private:
  struct Entry {
    Jwks jwks;
    bool has_keys = false;
    int64_t fetched_at = 0;    // time of the last successful fetch
    int64_t attempted_at = 0;  // time of the last fetch attempt
    Status last_error;         // outcome of the last attempt
  };

  // Fetches and stores the set for `jku`; returns the stored entry's copy.
  Result<Jwks> Fetch(const std::string& jku, int64_t now);

  std::shared_ptr<http::HttpClient> client_;
  std::shared_ptr<const Clock> clock_;
  JwksCacheOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  uint64_t fetches_ = 0;                  // GUARDED_BY(mu_)
};

// True when `url` may be used as a JWKS location under `allow_insecure_http`.
bool JwksUrlAllowed(std::string_view url, bool allow_insecure_http);

}  // namespace genomefed::passport
