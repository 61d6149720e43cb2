#include "passport/jwks_cache.h"

namespace genomefed::passport {

bool JwksUrlAllowed(std::string_view url, bool allow_insecure_http) {
  if (url.starts_with("https://")) return url.size() > 8;
  if (!url.starts_with("http://")) return false;
  if (allow_insecure_http) return true;
  std::string_view rest = url.substr(7);
  for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (rest.starts_with(host)) {
      std::string_view after = rest.substr(host.size());
      if (after.empty() || after[0] == ':' || after[0] == '/') return true;
    }
  }
  return false;
}

JwksCache::JwksCache(std::shared_ptr<http::HttpClient> client, std::shared_ptr<const Clock> clock,
                     JwksCacheOptions options)
    : client_(std::move(client)), clock_(std::move(clock)), options_(options) {}

uint64_t JwksCache::fetch_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

Result<Jwks> JwksCache::Fetch(const std::string& jku, int64_t now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++fetches_;
    entries_[jku].attempted_at = now;
  }
  Status error;
  Jwks jwks;
  if (client_ == nullptr) {
    error = Unavailable("no HTTP client to fetch the JWKS");
  } else {
    http::ClientRequest request;
    request.url = jku;
    request.timeout_ms = options_.fetch_timeout_ms;
    request.max_response_bytes = options_.max_jwks_bytes;
    request.headers.emplace_back("Accept", "application/json");
    auto response = client_->Send(request);
    if (!response.ok()) {
      error = response.status();
    } else if (response->status != 200) {
      error = Unavailable("JWKS fetch answered HTTP " + std::to_string(response->status));
    } else {
      auto parsed = ParseJwks(response->body);
      if (parsed.ok()) {
        jwks = std::move(parsed).value();
      } else {
        error = parsed.status();
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = entries_[jku];
  entry.last_error = error;
  if (!error.ok()) return error.WithContext("JWKS " + jku);
  entry.jwks = jwks;
  entry.has_keys = true;
  entry.fetched_at = now;
  return jwks;
}

Result<PublicKey> JwksCache::GetKey(const std::string& jku, const std::string& kid,
                                    JwksRequestState& state) {
  if (!JwksUrlAllowed(jku, options_.allow_insecure_http)) {
    return InvalidArgument("JWKS URL must be https (plain http only on loopback)");
  }
  const int64_t now = clock_->NowSeconds();
  bool fresh = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(jku);
    if (it != entries_.end()) {
      const Entry& entry = it->second;
      fresh = entry.has_keys && now - entry.fetched_at < options_.ttl_seconds &&
              now >= entry.fetched_at;
      if (fresh) {
        auto key = entry.jwks.keys.find(kid);
        if (key != entry.jwks.keys.end()) return key->second;
      }
      // A recent failed attempt is not retried: one time-out per interval, not per request.
      if (!entry.last_error.ok() &&
          now - entry.attempted_at < options_.min_refresh_interval_seconds &&
          now >= entry.attempted_at) {
        return entry.last_error.WithContext("JWKS " + jku + " (recent failure)");
      }
      if (fresh) {
        if (state.refreshed.count(jku) != 0) {
          return PermissionDenied("unknown kid (JWKS already refreshed in this request)");
        }
        if (now - entry.attempted_at < options_.min_refresh_interval_seconds &&
            now >= entry.attempted_at) {
          return PermissionDenied("unknown kid (JWKS refreshed too recently)");
        }
      }
    }
  }
  if (state.refreshed.count(jku) != 0 && !fresh) {
    // Fetched earlier in this request and it has expired since: not worth a second fetch.
    return PermissionDenied("unknown kid");
  }
  state.refreshed.insert(jku);
  GF_ASSIGN_OR_RETURN(Jwks jwks, Fetch(jku, now));
  auto key = jwks.keys.find(kid);
  if (key == jwks.keys.end()) return PermissionDenied("unknown kid");
  return key->second;
}

}  // namespace genomefed::passport
