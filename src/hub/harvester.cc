#include "hub/harvester.h"

#include <chrono>

#include "core/log.h"
#include "hub/catalogue.h"

namespace genomefed::hub {

int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Harvester::Harvester(Repository* repository, http::HttpClient* client, uint32_t timeout_ms,
                     Clock clock)
    : repository_(repository),
      client_(client),
      timeout_ms_(timeout_ms),
      clock_(clock ? std::move(clock) : Clock(SystemClockMs)) {}

std::vector<HarvestOutcome> Harvester::Harvest(const std::vector<NodeRecord>& nodes) {
  static constexpr const char* kPaths[] = {"/api/info", "/api/datasets", "/api/filtering_terms"};
  std::vector<http::ClientRequest> requests;
  for (const auto& n : nodes) {
    for (const char* path : kPaths) {
      http::ClientRequest r;
      r.url = n.url + path;
      r.timeout_ms = timeout_ms_;
      r.headers.emplace_back("Accept", "application/json");
      requests.push_back(std::move(r));
    }
  }
  auto replies = client_->SendAll(requests);
  int64_t now = clock_();
  std::vector<HarvestOutcome> outcomes;
  for (size_t i = 0; i < nodes.size(); ++i) {
    HarvestOutcome o;
    o.node_id = nodes[i].id;
    std::string bodies[3];
    for (size_t k = 0; k < 3 && o.error.empty(); ++k) {
      const auto& r = replies[i * 3 + k];
      if (!r.ok()) {
        o.error = std::string(kPaths[k]) + ": " + r.status().message();
      } else if (r->status != 200) {
        o.error = std::string(kPaths[k]) + ": HTTP " + std::to_string(r->status);
      } else {
        bodies[k] = r->body;
      }
    }
    if (o.error.empty()) {
      auto snap = ParseHarvest(o.node_id, bodies[0], bodies[1], bodies[2]);
      if (!snap.ok()) {
        o.error = snap.status().message();
      } else {
        o.datasets = snap->datasets.size();
        o.terms = snap->terms.size();
        Status s = repository_->StoreHarvest(o.node_id, *snap, now);
        if (s.ok()) {
          o.ok = true;
        } else {
          o.error = "storing the harvest: " + s.message();
        }
      }
    }
    if (!o.ok) {
      log::warn("hub: harvest of node {} failed: {}", o.node_id, o.error);
      Status s = repository_->StoreHarvestFailure(o.node_id, o.error, now);
      if (!s.ok())
        log::error("hub: recording the harvest failure of {}: {}", o.node_id, s.message());
    } else {
      log::info("hub: harvested node {} ({} datasets, {} terms)", o.node_id, o.datasets, o.terms);
    }
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace genomefed::hub
