#include "hub/informational.h"
#include "hub/registry.h"

#include <map>

#include "beacon/framework.h"
#include "hub/catalogue.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

std::string Name(const HubIdentity& hub) { return hub.name.empty() ? hub.id : hub.name; }

}  // namespace

json InfoResponse(const HubIdentity& hub, const std::vector<NodeState>& nodes) {
  json r;
  r["id"] = hub.id;
  r["name"] = Name(hub);
  r["apiVersion"] = "v2.1.1";
  r["environment"] = "prod";
  r["organization"] = {{"id", hub.id}, {"name", Name(hub)}};
  r["description"] = "genomefed hub " + hub.id + ": Beacon network over " +
                     std::to_string(nodes.size()) + " node(s)";
  r["version"] = GENOMEFED_HUB_VERSION;
  r["welcomeUrl"] = hub.public_url + "/api";
  json list = json::array();
  for (const auto& n : nodes) {
    list.push_back({{"id", n.node.id},
                    {"country", n.node.country},
                    {"url", WithoutUserinfo(n.node.url)},
                    {"stale", n.stale},
                    {"lastHarvest", FormatTime(n.last_success_ms)}});
  }
  r["info"] = {{"network", true}, {"nodes", std::move(list)}};
  json out;
  out["meta"] = InformationalMeta(hub, "info");
  out["response"] = std::move(r);
  return out;
}

json ServiceInfoResponse(const HubIdentity& hub) {
  json s;
  s["id"] = hub.id;
  s["name"] = Name(hub);
  s["type"] = {{"group", "org.ga4gh"}, {"artifact", "beacon"}, {"version", "2.1.1"}};
  s["description"] = "GA4GH Beacon v2 network of genomefed hub " + hub.id;
  s["organization"] = {{"name", Name(hub)}, {"url", hub.public_url}};
  s["version"] = GENOMEFED_HUB_VERSION;
  s["environment"] = "prod";
  s["url"] = hub.public_url + "/api";
  return s;
}

json MapResponse(const HubIdentity& hub) {
  return beacon::MapResponse(hub.id, hub.public_url + "/api");
}

json EntryTypesResponse(const HubIdentity& hub) { return beacon::EntryTypesResponse(hub.id); }

json ConfigurationResponse(const HubIdentity& hub) {
  // Each node applies its own policy; the network can promise no more than yes/no by default.
  return beacon::ConfigurationResponse(hub.id, Granularity::kBoolean);
}

json FilteringTermsResponse(const HubIdentity& hub, const std::vector<CatalogueTerm>& terms) {
  struct Merged {
    std::string type, label;
    std::vector<std::string> nodes;
  };
  std::map<std::string, Merged> by_id;
  for (const auto& t : terms) {
    Merged& m = by_id[t.id];
    if (m.type.empty()) m.type = t.type.empty() ? "ontologyTerm" : t.type;
    if (m.label.empty()) m.label = t.label;
    m.nodes.push_back(t.node_id);
  }
  json list = json::array();
  for (const auto& [id, m] : by_id) {
    json t = {
        {"type", m.type}, {"id", id}, {"scopes", json::array({"individual", "genomicVariation"})}};
    if (!m.label.empty()) t["label"] = m.label;
    list.push_back(std::move(t));
  }
  json resources = beacon::OntologyResources("");
  json out;
  out["meta"] = InformationalMeta(hub, "filteringTerm");
  out["response"] = {{"filteringTerms", std::move(list)}, {"resources", std::move(resources)}};
  return out;
}

json DatasetsResponse(const HubIdentity& hub, const beacon::BeaconRequest& request,
                      const std::vector<NodeState>& nodes,
                      const std::vector<CatalogueDataset>& datasets, std::string_view only) {
  std::map<std::string, const NodeState*, std::less<>> by_node;
  for (const auto& n : nodes) by_node[n.node.id] = &n;
  json collections = json::array();
  for (const auto& d : datasets) {
    std::string id = d.node_id + ":" + d.dataset_id;
    if (!only.empty() && id != only) continue;
    json c = json::parse(d.document, nullptr, /*allow_exceptions=*/false);
    if (!c.is_object()) c = json::object();
    c["id"] = id;
    if (!c.contains("name") || !c["name"].is_string()) c["name"] = d.name;
    if (!c.contains("info") || !c["info"].is_object()) c["info"] = json::object();
    auto it = by_node.find(d.node_id);
    c["info"]["node"] = d.node_id;
    c["info"]["datasetId"] = d.dataset_id;
    if (it != by_node.end()) {
      c["info"]["country"] = it->second->node.country;
      c["info"]["stale"] = it->second->stale;
      c["info"]["lastHarvest"] = FormatTime(it->second->last_success_ms);
    }
    collections.push_back(std::move(c));
  }
  json out;
  out["meta"] = ResponseMeta(hub, &request, Granularity::kRecord, "dataset");
  out["responseSummary"] = {{"exists", !collections.empty()},
                            {"numTotalResults", collections.size()}};
  out["response"] = {{"collections", std::move(collections)}};
  return out;
}

}  // namespace genomefed::hub
