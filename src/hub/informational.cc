#include "hub/informational.h"

#include <map>

#include "hub/catalogue.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

constexpr std::string_view kSchemaBase =
    "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/";

struct EntryTypeInfo {
  std::string_view id, name, path, schema_dir, ontology_id, ontology_label, schema_name;
};

// The entry types the network serves (those every genomefed node serves).
constexpr EntryTypeInfo kEntryTypes[] = {
    {"genomicVariant", "Genomic Variants", "g_variants", "genomicVariations", "ENSGLOSSARY:0000092",
     "Variant", "beacon-g_variant-v2.0.0"},
    {"individual", "Individuals", "individuals", "individuals", "NCIT:C25190", "Person",
     "beacon-individual-v2.0.0"},
    {"dataset", "Datasets", "datasets", "datasets", "NCIT:C47824", "Data set",
     "beacon-dataset-v2.0.0"},
    {"cohort", "Cohorts", "cohorts", "cohorts", "NCIT:C61512", "Cohort", "beacon-cohort-v2.0.0"},
};

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
                    {"url", n.node.url},
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
  std::string root = hub.public_url + "/api";
  json sets;
  for (const auto& et : kEntryTypes) {
    json e;
    e["entryType"] = et.id;
    e["rootUrl"] = root + "/" + std::string(et.path);
    e["singleEntryUrl"] = root + "/" + std::string(et.path) + "/{id}";
    json related = json::object();
    if (et.id == "genomicVariant") {
      related["individual"] = {{"returnedEntryType", "individual"},
                               {"url", root + "/g_variants/{id}/individuals"}};
    } else if (et.id == "dataset") {
      related["genomicVariant"] = {{"returnedEntryType", "genomicVariant"},
                                   {"url", root + "/datasets/{id}/g_variants"}};
      related["individual"] = {{"returnedEntryType", "individual"},
                               {"url", root + "/datasets/{id}/individuals"}};
    }
    e["endpoints"] = std::move(related);
    sets[std::string(et.id)] = std::move(e);
  }
  json out;
  out["meta"] = InformationalMeta(hub, "map");
  out["response"] = {{"$schema", "beacon-map-v2.0.0"}, {"endpointSets", std::move(sets)}};
  return out;
}

json EntryTypesResponse(const HubIdentity& hub) {
  json types;
  for (const auto& et : kEntryTypes) {
    json t;
    t["id"] = et.id;
    t["name"] = et.name;
    t["ontologyTermForThisType"] = {{"id", et.ontology_id}, {"label", et.ontology_label}};
    t["partOfSpecification"] = "Beacon v2.1.1";
    t["defaultSchema"] = {{"id", et.schema_name},
                          {"name", "Default schema for " + std::string(et.name)},
                          {"referenceToSchemaDefinition",
                           std::string(kSchemaBase) + "models/json/beacon-v2-default-model/" +
                               std::string(et.schema_dir) + "/defaultSchema.json"},
                          {"schemaVersion", "v2.1.1"}};
    t["nonFilteredQueriesAllowed"] = true;
    types[std::string(et.id)] = std::move(t);
  }
  json out;
  out["meta"] = InformationalMeta(hub, "entryType");
  out["response"] = {{"entryTypes", std::move(types)}};
  return out;
}

json ConfigurationResponse(const HubIdentity& hub) {
  json cfg;
  cfg["$schema"] = "beacon-configuration-v2.0.0";
  cfg["maturityAttributes"] = {{"productionStatus", "PROD"}};
  // Each node applies its own policy; the network can promise no more than yes/no by default.
  cfg["securityAttributes"] = {
      {"defaultGranularity", "boolean"},
      {"securityLevels", json::array({"PUBLIC", "REGISTERED", "CONTROLLED"})}};
  cfg["entryTypes"] = EntryTypesResponse(hub)["response"]["entryTypes"];
  json out;
  out["meta"] = InformationalMeta(hub, "configuration");
  out["response"] = std::move(cfg);
  return out;
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
  json resources = json::array();
  resources.push_back({{"id", "hp"},
                       {"name", "Human Phenotype Ontology"},
                       {"url", "https://purl.obolibrary.org/obo/hp.owl"},
                       {"nameSpacePrefix", "HP"},
                       {"iriPrefix", "http://purl.obolibrary.org/obo/HP_"}});
  resources.push_back({{"id", "ncit"},
                       {"name", "NCI Thesaurus"},
                       {"url", "http://purl.obolibrary.org/obo/ncit.owl"},
                       {"nameSpacePrefix", "NCIT"},
                       {"iriPrefix", "http://purl.obolibrary.org/obo/NCIT_"}});
  resources.push_back({{"id", "duo"},
                       {"name", "Data Use Ontology"},
                       {"url", "http://purl.obolibrary.org/obo/duo.owl"},
                       {"version", "2021-02-23"},
                       {"nameSpacePrefix", "DUO"},
                       {"iriPrefix", "http://purl.obolibrary.org/obo/DUO_"}});
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
