// The Beacon network: how the hub answers a GA4GH Beacon v2 query (framework v2.1.1, with the
// v2.2 `countPrecision` fields) by asking every node and merging their answers. This file is the
// HTTP-free core: the hub forwards the call (hub.cc), collects one NodeAnswer per node (an HTTP
// status and body, or the transport failure), and MergeResultsets builds one schema-valid
// response:
//
//  - one result set per node and dataset, `id` = "nodeId:datasetId", tagged with
//    `info.node`, `info.country` and `info.datasetId`;
//  - responseSummary.exists = any node's; the returned granularity of the whole answer is the
//    most restrictive one any answering node returned (a node that gave only yes/no makes the
//    network answer yes/no);
//  - numTotalResults = the sum of the nodes' totals, `countPrecision: "exact"` only when every
//    part is exact and every node answered, else "imprecise";
//  - a node that is unreachable, times out, answers with an HTTP error or with a body that is
//    not a Beacon response is never fatal: it is listed in `info.unavailableNodes` as
//    {id, country, reason} and contributes nothing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "beacon/request.h"
#include "core/config.h"

namespace genomefed::hub {

// Who is answering: the hub's own Beacon identity.
struct HubIdentity {
  std::string id;
  std::string name;
  std::string public_url;  // without /api
};

// One node's answer to a forwarded call.
struct NodeAnswer {
  std::string node_id;
  std::string country;
  bool reached = false;  // false: transport failure, see `error`
  std::string error;     // transport failure (connect refused, time-out …)
  int http_status = 0;   // when reached
  std::string body;      // when reached
  double elapsed_ms = 0;
};

// Which entry type a result-set endpoint returns ("genomicVariation" or "individual").
// `by_id`: a single-entry endpoint (/g_variants/{id}, /individuals/{id}), where a node's 404
// means "not here" rather than a failure.
nlohmann::json MergeResultsets(const HubIdentity& hub, const beacon::BeaconRequest& request,
                               std::string_view entity_type, bool by_id,
                               const std::vector<NodeAnswer>& answers);

// Merges collection answers (/cohorts): collections tagged like result sets.
nlohmann::json MergeCollections(const HubIdentity& hub, const beacon::BeaconRequest& request,
                                std::string_view entity_type,
                                const std::vector<NodeAnswer>& answers);

// The hub's meta section for a result-set or collection answer (schema beaconResponseMeta).
nlohmann::json ResponseMeta(const HubIdentity& hub, const beacon::BeaconRequest* request,
                            Granularity returned, std::string_view entity_type);
// The meta of informational answers (info, map, configuration, entry types, filtering terms).
nlohmann::json InformationalMeta(const HubIdentity& hub, std::string_view entity_type);
// A Beacon error response.
nlohmann::json ErrorResponse(const HubIdentity& hub, int http_status, std::string_view message,
                             const beacon::BeaconRequest* request = nullptr);

}  // namespace genomefed::hub
