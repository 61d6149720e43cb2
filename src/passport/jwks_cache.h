// Cache of JWK sets fetched from `jku` URLs (GA4GH AAI / Passport 1.2 key discovery). The
// verifier only asks for a URL after the (iss, jku) pair passed the node's [[trust]] list, so
// nothing here decides trust. Sets are cached for `ttl_seconds` (5 min by default); an unknown
// `kid` in a fresh set triggers at most one re-fetch per jku per request (key rotation), and
// never more often than `min_refresh_interval_seconds` per jku across requests, so tokens with
// made-up kids cannot turn the node into a load generator against an issuer. Failed fetches
// are remembered for the same interval, so an unreachable issuer costs one time-out, not one
// per request.
//
// Fetches run on the cache's own threads, never on a request thread: concurrent requests that
// need the same set share one fetch, a request waits for it at most `request_wait_ms`, and at
// most `max_waiting_requests` requests wait at the same time (the others are answered at once
// without the key, i.e. as anonymous). So a slow issuer cannot occupy every server thread, and
// answers that need no key keep flowing while its set is being fetched.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  // Plain http:// is refused except on loopback (127.0.0.0/8, [::1], localhost) unless this is
  // set: a JWKS fetched over an unauthenticated channel would let the network choose the keys.
  bool allow_insecure_http = false;
  uint32_t fetch_threads = 2;       // the cache's fetch threads (started on first use)
  uint32_t request_wait_ms = 1000;  // longest a request waits for a fetch in progress
  // Requests waiting at once; keep it below the server's threads (the node uses threads - 1).
  uint32_t max_waiting_requests = 4;
};

// Per-request state: which jku URLs were already (re-)fetched, or waited for in vain.
struct JwksRequestState {
  std::set<std::string> refreshed;
  std::set<std::string> not_waited;  // a fetch was still running: do not wait again
};

// Thread-safe. The HTTP client and clock are shared. The destructor waits for fetches in
// progress (each bounded by fetch_timeout_ms).
class JwksCache {
 public:
  JwksCache(std::shared_ptr<http::HttpClient> client, std::shared_ptr<const Clock> clock,
            JwksCacheOptions options = {});
  ~JwksCache();
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The key `kid` from the set at `jku`. kPermissionDenied for an unknown kid (after the
  // permitted refresh), kUnavailable / kDeadlineExceeded when the set cannot be fetched (also:
  // not within this request's wait, or too many requests already waiting), kInvalidArgument
  // for a URL that is not allowed (CheckTrustedUrl) or a malformed set. Messages carry the URL
  // redacted (RedactUrl), never its query or userinfo.
  Result<PublicKey> GetKey(const std::string& jku, const std::string& kid, JwksRequestState& state);

  // Number of HTTP fetches started so far (for tests and metrics).
  uint64_t fetch_count() const;

 private:
  // One fetch of one URL, shared by every request that waits for it.
  struct Flight {
    bool done = false;
    Status error;
    Jwks jwks;
  };
  struct Entry {
    Jwks jwks;
    bool has_keys = false;
    int64_t fetched_at = 0;          // time of the last successful fetch
    int64_t attempted_at = 0;        // time of the last fetch attempt
    Status last_error;               // outcome of the last attempt
    std::shared_ptr<Flight> flight;  // the fetch in progress, if any
  };

  // Starts a fetch of `jku` unless one is in progress; returns it. Caller holds mu_.
  std::shared_ptr<Flight> StartFetchLocked(const std::string& jku, int64_t now);
  void FetchLoop();
  // The HTTP fetch and parse, without the lock.
  Result<Jwks> FetchNow(const std::string& jku);

  std::shared_ptr<http::HttpClient> client_;
  std::shared_ptr<const Clock> clock_;
  JwksCacheOptions options_;
  mutable std::mutex mu_;
  std::condition_variable fetched_;       // a flight finished, or stopping_
  std::condition_variable queued_;        // work for the fetch threads, or stopping_
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  std::deque<std::string> queue_;         // GUARDED_BY(mu_): URLs to fetch
  std::vector<std::thread> threads_;      // GUARDED_BY(mu_)
  uint32_t waiting_ = 0;                  // GUARDED_BY(mu_)
  bool stopping_ = false;                 // GUARDED_BY(mu_)
  uint64_t fetches_ = 0;                  // GUARDED_BY(mu_)
};

// True when `url` may be used as a JWKS location under `allow_insecure_http` (CheckTrustedUrl).
bool JwksUrlAllowed(std::string_view url, bool allow_insecure_http);

}  // namespace genomefed::passport
