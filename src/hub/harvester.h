// The catalogue harvester: asks every registered node for its Beacon v2 `/api/info`,
// `/api/datasets` and `/api/filtering_terms` (all requests of all nodes at once, each with the
// per-node time-out) and stores what came back. A node that fails keeps its last catalogue
// entries, marked stale with the time of its last success and the reason of the failure.
//
// Thread safety: HarvestAll may be called from several threads; the repository serialises writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http/client.h"
#include "hub/repository.h"

namespace genomefed::hub {

// Unix time in milliseconds (a seam so tests can control time).
using Clock = std::function<int64_t()>;
int64_t SystemClockMs();

struct HarvestOutcome {
  std::string node_id;
  bool ok = false;
  std::string error;  // when !ok
  size_t datasets = 0;
  size_t terms = 0;
};

class Harvester {
 public:
  // `repository` and `client` must outlive the harvester.
  Harvester(Repository* repository, http::HttpClient* client, uint32_t timeout_ms, Clock clock);

  // Harvests `nodes` now (all concurrently) and records each outcome.
  std::vector<HarvestOutcome> Harvest(const std::vector<NodeRecord>& nodes);

 private:
  Repository* repository_;
  http::HttpClient* client_;
  uint32_t timeout_ms_;
  Clock clock_;
};

}  // namespace genomefed::hub
