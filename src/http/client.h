// HTTP client seam (HTTP/1.1 over libcurl). Used by the passport verifier (JWKS fetches) and the
// hub (harvest and Beacon fan-out). An interface, so tests can replace the network.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace genomefed::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint32_t timeout_ms = 2000;              // whole request, connect included
  uint64_t max_response_bytes = 16 << 20;  // larger answers fail with kResourceExhausted
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  double elapsed_ms = 0;
};

// Receives the results of SendAllAsync: result i belongs to request i.
using SendAllCallback = std::function<void(std::vector<Result<ClientResponse>>)>;

// Thread-safe: Send, SendAll and SendAllAsync may be called from several threads at once.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Blocking. Transport failures: kUnavailable (connect), kDeadlineExceeded (time-out),
  // kResourceExhausted (response too large). Any HTTP status is a successful Result.
  virtual Result<ClientResponse> Send(const ClientRequest& request) = 0;
  // Sends all requests concurrently; result i belongs to request i. Each request keeps its own
  // time-out, so one slow peer never delays the others beyond their own limits.
  virtual std::vector<Result<ClientResponse>> SendAll(
      const std::vector<ClientRequest>& requests) = 0;
  // Starts the requests and returns at once; `done` runs exactly once, when the last one has
  // finished (each within its own time-out), on a thread of the client: keep it short and never
  // block in it. Servers use this so that waiting on peers holds no thread. The default runs
  // SendAll on the calling thread (enough for test doubles, not for servers).
  virtual void SendAllAsync(std::vector<ClientRequest> requests, SendAllCallback done) {
    done(SendAll(requests));
  }
};

// The libcurl implementation (curl multi for SendAll; SendAllAsync drives every caller's
// transfers on one event thread of the client, started on first use and joined by the
// destructor, which first ends the transfers still running with kUnavailable).
std::unique_ptr<HttpClient> MakeCurlClient();

}  // namespace genomefed::http
