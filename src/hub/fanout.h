// Forwarding one Beacon v2 request to the nodes of the network at once, without holding a
// thread while they answer: the requests go out through HttpClient::SendAllAsync (libcurl multi
// on the client's event thread) and `done` runs when the last node has answered or reached its
// time-out, so a slow or dead node costs every caller at most `node_timeout_ms` and the hub's
// server threads stay free for everything else.
//
// Loops: every forwarded request carries the hop header `X-Beacon-Network-Path`, the ids of the
// hubs it has passed through. A hub that finds its own id there (it was registered as a node of
// itself, or of a hub that lists it), or more than kMaxHops ids, refuses with 508 Loop Detected
// (RFC 5842) instead of fanning out again.
//
// Thread safety: Send may be called from any thread; Drain from one (the hub's Stop).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/server.h"
#include "hub/network.h"

namespace genomefed::hub {

inline constexpr const char* kHopHeader = "X-Beacon-Network-Path";
inline constexpr size_t kMaxHops = 8;

// "" when the request may be fanned out by hub `hub_id`; else why not (a loop).
std::string DetectLoop(const http::Request& req, std::string_view hub_id);

class FanOut {
 public:
  // `client` must outlive the FanOut.
  FanOut(http::HttpClient* client, std::string hub_id, uint32_t timeout_ms);

  // Forwards `req` (GET query or POST body, Authorization, X-Forwarded-For, the hop header) to
  // `path` on every target, with the target's own dataset ids when it has some, and calls
  // `done` with one NodeAnswer per target, in order, on a client thread. `beacon_ids` (node id →
  // harvested beacon id) fills NodeAnswer::expected_beacon_id.
  void Send(const http::Request& req, const std::vector<FanOutTarget>& targets,
            const std::string& path, const std::map<std::string, std::string>& beacon_ids,
            std::function<void(std::vector<NodeAnswer>)> done);

  // Waits until every fan-out started has called its `done`, for at most `max`. The hub calls
  // it when stopping, so that no answer arrives after its server is gone.
  void Drain(std::chrono::milliseconds max);

  size_t in_flight() const { return in_flight_.load(); }

 private:
  http::HttpClient* client_;
  std::string hub_id_;
  uint32_t timeout_ms_;
  std::atomic<size_t> in_flight_{0};
  std::mutex mu_;
  std::condition_variable idle_;
};

}  // namespace genomefed::hub
