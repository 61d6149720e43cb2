// The Beacon network: how the hub answers a GA4GH Beacon v2 query (framework v2.1.1, with the
// v2.2 `countPrecision` fields) by asking every node and merging their answers. This file is the
// HTTP-free core: PlanFanOut decides which nodes to ask (catalogue ids "nodeId:datasetId" in
// `datasetIds` go to their node only, translated to its own dataset ids), the hub forwards the
// call (hub/fanout.h), collects one NodeAnswer per node (an HTTP status and body, or the
// transport failure), and MergeResultsets builds one schema-valid response:
//
//  - each node answer is checked against the question it was sent before anything is used:
//    Beacon response shape, `meta.beaconId` = the id harvested from the node's /api/info,
//    `meta.returnedSchemas[].entityType` = the entry type asked, `meta.returnedGranularity` not
//    above the requested one, and `meta.receivedRequestSummary` echoing the request (granularity,
//    genomic parameters, filters). An answer that fails a check is that node's failure, listed
//    in `info.unavailableNodes` as {id, country, reason}, and contributes nothing;
//  - one result set per node and dataset, `id` = "nodeId:datasetId", tagged with `info.node`,
//    `info.country`, `info.datasetId` and `info.returnedGranularity` (each set keeps the
//    granularity its node answered at);
//  - the summary says what the answers support (docs/hub.md "Mixed granularities"):
//    exists = any node's; returnedGranularity = boolean when no node gave counts, record when
//    every answering node gave records, else count; numTotalResults = the sum of the counts
//    given, `countPrecision: "exact"` only when every part is exact, every node answered and no
//    yes/no-only node said yes (whose count is unknown), else "imprecise";
//  - `info.network` = {queried, answered, complete}: complete is false whenever a node could not
//    take part, so a "no" from a partial network is never a plain "no";
//  - when no node could take part at all, the result is a Beacon error (400 when every node
//    refused the query, else 503) naming every node and why, never `exists: false`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "beacon/request.h"
#include "core/config.h"
#include "core/status.h"
#include "hub/repository.h"

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
  // The beacon id the node published at its last harvest ("" = not harvested yet: not checked).
  std::string expected_beacon_id;
};

// One node to ask, with the dataset ids it is asked about (its own ids, without the node
// prefix); `dataset_ids` empty = the request's datasetIds are forwarded unchanged (none).
struct FanOutTarget {
  NodeRecord node;
  std::vector<std::string> dataset_ids;
};

// Which nodes a result-set query goes to. Without datasetIds: every node. With datasetIds, each
// must be a catalogue id "nodeId:datasetId" of a registered node (kInvalidArgument otherwise,
// naming the id); only those nodes are asked, each about its own ids.
Result<std::vector<FanOutTarget>> PlanFanOut(const beacon::BeaconRequest& request,
                                             const std::vector<NodeRecord>& nodes);

// The HTTP status of a merged answer: 200, or the errorCode of an error document.
int MergedStatus(const nlohmann::json& merged);

// Which entry type a result-set endpoint returns ("genomicVariation" or "individual").
// `by_id`: a single-entry endpoint (/g_variants/{id}, /individuals/{id}), where a node's 404
// means "not here" rather than a failure. The result is an answer or an error document
// (MergedStatus tells which).
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
