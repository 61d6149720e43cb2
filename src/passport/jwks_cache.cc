#include "passport/jwks_cache.h"

#include <chrono>

#include "core/log.h"
#include "passport/url_check.h"

namespace genomefed::passport {

bool JwksUrlAllowed(std::string_view url, bool allow_insecure_http) {
  return CheckTrustedUrl(url, allow_insecure_http).ok();
}

JwksCache::JwksCache(std::shared_ptr<http::HttpClient> client, std::shared_ptr<const Clock> clock,
                     JwksCacheOptions options)
    : client_(std::move(client)), clock_(std::move(clock)), options_(options) {
  if (options_.fetch_threads == 0) options_.fetch_threads = 1;
}

JwksCache::~JwksCache() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  queued_.notify_all();
  fetched_.notify_all();
  for (std::thread& t : threads) t.join();
}

uint64_t JwksCache::fetch_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

Result<Jwks> JwksCache::FetchNow(const std::string& jku) {
  if (client_ == nullptr) return Unavailable("no HTTP client to fetch the JWKS");
  http::ClientRequest request;
  request.url = jku;
  request.timeout_ms = options_.fetch_timeout_ms;
  request.max_response_bytes = options_.max_jwks_bytes;
  request.headers.emplace_back("Accept", "application/json");
  auto response = client_->Send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return Unavailable("JWKS fetch answered HTTP " + std::to_string(response->status));
  }
  GF_ASSIGN_OR_RETURN(Jwks jwks, ParseJwks(response->body));
  const std::string shown = RedactUrl(jku);
  if (jwks.entries_over_limit > 0) {
    log::warn("JWKS {}: {} key(s) past the limit of {} ignored", shown, jwks.entries_over_limit,
              kJwksMaxKeys);
  }
  if (jwks.duplicate_kids > 0) {
    log::warn("JWKS {}: {} kid(s) appear more than once; every copy is ignored", shown,
              jwks.duplicate_kids);
  }
  return jwks;
}

void JwksCache::FetchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::string jku = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Result<Jwks> result = FetchNow(jku);
    lock.lock();
    Entry& entry = entries_[jku];
    std::shared_ptr<Flight> flight = std::move(entry.flight);
    entry.last_error = result.ok() ? Status::Ok() : result.status();
    if (result.ok()) {
      entry.jwks = *result;
      entry.has_keys = true;
      entry.fetched_at = entry.attempted_at;
    }
    if (flight) {
      flight->done = true;
      if (result.ok()) {
        flight->jwks = std::move(result).value();
      } else {
        flight->error = result.status().WithContext("JWKS " + RedactUrl(jku));
      }
    }
    fetched_.notify_all();
  }
}

std::shared_ptr<JwksCache::Flight> JwksCache::StartFetchLocked(const std::string& jku,
                                                               int64_t now) {
  Entry& entry = entries_[jku];
  if (entry.flight) return entry.flight;
  entry.flight = std::make_shared<Flight>();
  entry.attempted_at = now;
  ++fetches_;
  queue_.push_back(jku);
  // Threads start on demand, up to fetch_threads: a slow issuer occupies one, others go on.
  if (threads_.size() < options_.fetch_threads) threads_.emplace_back([this] { FetchLoop(); });
  queued_.notify_one();
  return entry.flight;
}

Result<PublicKey> JwksCache::GetKey(const std::string& jku, const std::string& kid,
                                    JwksRequestState& state) {
  if (Status allowed = CheckTrustedUrl(jku, options_.allow_insecure_http); !allowed.ok()) {
    return InvalidArgument("JWKS URL refused: " + allowed.message());
  }
  const int64_t now = clock_->NowSeconds();
  const std::string shown = RedactUrl(jku);
  std::unique_lock<std::mutex> lock(mu_);
  bool fresh = false;
  if (auto it = entries_.find(jku); it != entries_.end()) {
    const Entry& entry = it->second;
    fresh =
        entry.has_keys && now - entry.fetched_at < options_.ttl_seconds && now >= entry.fetched_at;
    if (fresh) {
      auto key = entry.jwks.keys.find(kid);
      if (key != entry.jwks.keys.end()) return key->second;
    }
    // A recent failed attempt is not retried: one time-out per interval, not per request.
    if (!entry.flight && !entry.last_error.ok() &&
        now - entry.attempted_at < options_.min_refresh_interval_seconds &&
        now >= entry.attempted_at) {
      return entry.last_error.WithContext("JWKS " + shown + " (recent failure)");
    }
    if (fresh && !entry.flight) {
      if (state.refreshed.count(jku) != 0) {
        return PermissionDenied("unknown kid (JWKS already refreshed in this request)");
      }
      if (now - entry.attempted_at < options_.min_refresh_interval_seconds &&
          now >= entry.attempted_at) {
        return PermissionDenied("unknown kid (JWKS refreshed too recently)");
      }
    }
  }
  if (state.not_waited.count(jku) != 0) {
    return Unavailable("JWKS " + shown + " is still being fetched");
  }
  if (state.refreshed.count(jku) != 0 && !fresh) {
    // Fetched earlier in this request and it has expired since: not worth a second fetch.
    return PermissionDenied("unknown kid");
  }
  state.refreshed.insert(jku);
  std::shared_ptr<Flight> flight = StartFetchLocked(jku, now);
  if (!flight->done) {
    if (waiting_ >= options_.max_waiting_requests) {
      state.not_waited.insert(jku);
      return Unavailable("JWKS " + shown +
                         " is being fetched; not waited for (other requests already wait)");
    }
    ++waiting_;
    fetched_.wait_for(lock, std::chrono::milliseconds(options_.request_wait_ms),
                      [&] { return flight->done || stopping_; });
    --waiting_;
    if (!flight->done) {
      state.not_waited.insert(jku);
      return DeadlineExceeded("JWKS " + shown + " not fetched within " +
                              std::to_string(options_.request_wait_ms) + " ms");
    }
  }
  if (!flight->error.ok()) return flight->error;
  auto key = flight->jwks.keys.find(kid);
  if (key == flight->jwks.keys.end()) return PermissionDenied("unknown kid");
  return key->second;
}

}  // namespace genomefed::passport
