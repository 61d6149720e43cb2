// Beacon v2 framework documents that do not depend on any data (schemas v2.1.1): the entry-type
// table, the meta sections of every response, /map, /entry_types, /configuration and the
// ontology resources of /filtering_terms. A node's Beacon (beacon.h) and the hub's Beacon
// network (hub/) both build their answers from these, so that a client sees one API shape
// whether it asks a node or the network; only the beacon id, the API root URL and the default
// granularity differ.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "beacon/request.h"
#include "core/config.h"

namespace genomefed::beacon {

inline constexpr std::string_view kApiVersion = "v2.1.1";

// One entry type of the Beacon v2 default model served here.
struct EntryTypeInfo {
  std::string_view id;  // entry type id (configuration, map): "genomicVariant", "individual", ...
  std::string_view name;
  std::string_view path;        // endpoint below the API root: "g_variants", ...
  std::string_view schema_dir;  // models/json/beacon-v2-default-model/<dir>
  std::string_view ontology_id;
  std::string_view ontology_label;
  std::string_view schema_name;  // returnedSchemas[].schema, e.g. "beacon-g_variant-v2.0.0"
};

// genomicVariant, individual, dataset, cohort.
std::span<const EntryTypeInfo> EntryTypes();
// By entry type id or response entity type ("genomicVariation" is the genomicVariant type);
// nullptr for anything else.
const EntryTypeInfo* FindEntryType(std::string_view id);

// meta of informational responses (info, map, entryType, configuration, filteringTerm).
nlohmann::json InformationalMeta(std::string_view beacon_id, std::string_view entity_type);
// meta of result-set, collection and error responses, echoing the request when given
// (`receivedRequestSummary`). `entity_type` names the schema ("genomicVariation", "individual",
// "dataset", "cohort"; anything else is used as is).
nlohmann::json ResponseMeta(std::string_view beacon_id, const BeaconRequest* request,
                            Granularity returned, std::string_view entity_type);

// The `entryTypes` object of /entry_types and /configuration.
nlohmann::json EntryTypeDefinitions();
// Whole responses; `api_root` is the public URL of the API, e.g. "https://fi.example.org/api".
nlohmann::json MapResponse(std::string_view beacon_id, std::string_view api_root);
nlohmann::json EntryTypesResponse(std::string_view beacon_id);
nlohmann::json ConfigurationResponse(std::string_view beacon_id, Granularity default_granularity);

// The ontologies whose terms the filters use (HPO with the loaded release, NCIT, DUO), for the
// `resources` of /filtering_terms. `hpo_version` may be empty.
nlohmann::json OntologyResources(std::string_view hpo_version);

}  // namespace genomefed::beacon
