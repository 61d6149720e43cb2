// The hub's own answers to the informational Beacon v2 endpoints (framework v2.1.1, GA4GH
// service-info 1.0): `/api` and `/api/info`, `/api/service-info`, `/api/map`,
// `/api/configuration`, `/api/entry_types`, and the catalogue-backed `/api/filtering_terms`
// (the union of every node's terms) and `/api/datasets` (every harvested dataset, id
// "nodeId:datasetId"). Same shapes as a node's answers, with the hub's identity and URLs.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "beacon/request.h"
#include "hub/network.h"
#include "hub/repository.h"

namespace genomefed::hub {

nlohmann::json InfoResponse(const HubIdentity& hub, const std::vector<NodeState>& nodes);
nlohmann::json ServiceInfoResponse(const HubIdentity& hub);
nlohmann::json MapResponse(const HubIdentity& hub);
nlohmann::json EntryTypesResponse(const HubIdentity& hub);
nlohmann::json ConfigurationResponse(const HubIdentity& hub);
nlohmann::json FilteringTermsResponse(const HubIdentity& hub,
                                      const std::vector<CatalogueTerm>& terms);
// `only` = "" for all datasets, else one "nodeId:datasetId" (kNotFound-style empty answer is
// left to the caller: the result has no collections).
nlohmann::json DatasetsResponse(const HubIdentity& hub, const beacon::BeaconRequest& request,
                                const std::vector<NodeState>& nodes,
                                const std::vector<CatalogueDataset>& datasets,
                                std::string_view only);

}  // namespace genomefed::hub
