// The hub's metadata catalogue: turning what a node publishes (Beacon v2 `/api/info`,
// `/api/datasets`, `/api/filtering_terms` answers, framework v2.1.1) into catalogue entries, and
// searching them (free text, country, disease, phenotype, DUO consent code, data type, minimum
// sample count) for `GET /api/catalogue`. No HTTP types: answers arrive as JSON text, queries as
// decoded parameters, results leave as JSON.
//
// Filtering terms are node-wide in Beacon v2 (a node does not say which dataset a term occurs
// in), so a phenotype or disease filter selects every dataset of a node that publishes the term.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "hub/repository.h"

namespace genomefed::hub {

// Parses the three harvested answers of node `node_id` into a snapshot. Untrusted input: a body
// that is not the expected Beacon response shape is kInvalidArgument naming the endpoint; never
// throws. Dataset entries without an id are skipped.
Result<HarvestSnapshot> ParseHarvest(std::string_view node_id, std::string_view info_body,
                                     std::string_view datasets_body,
                                     std::string_view filtering_terms_body);

struct CatalogueQuery {
  std::string text;       // case-insensitive substring of id, name, description, node, terms
  std::string country;    // ISO 3166-1 alpha-2, case-insensitive
  std::string disease;    // a term id (exact) or label substring among non-HPO ontology terms
  std::string phenotype;  // an HPO id (exact) or label substring among HP: terms
  std::string consent;    // a DUO id, e.g. "DUO:0000042"
  std::string data_type;  // a Beacon entry type, e.g. "genomicVariant" or "individual"
  uint64_t min_samples = 0;
  bool include_stale = true;
};

// From decoded query parameters `q`, `country`, `disease`, `phenotype`, `consent` (or
// `consentCode`), `dataType`, `minSamples` (or `minSize`), `includeStale`. Unknown parameters
// and non-numeric sizes are kInvalidArgument.
Result<CatalogueQuery> ParseCatalogueQuery(
    const std::multimap<std::string, std::string, std::less<>>& params);

// The search answer: {"query": {...}, "total": N, "datasets": [ {id, node, country, name,
// description, sampleCount, consentCodes, dataTypes, stale, lastHarvest, access: {...}}, ... ],
// "nodes": [ {id, country, url, stale, lastSuccess, lastError}, ... ]}.
nlohmann::json SearchCatalogue(const CatalogueQuery& query, const std::vector<NodeState>& nodes,
                               const std::vector<CatalogueDataset>& datasets,
                               const std::vector<CatalogueTerm>& terms);

// ISO 8601 UTC ("2026-11-22T06:40:00Z") of a Unix time in ms; "" for 0.
std::string FormatTime(int64_t unix_ms);

}  // namespace genomefed::hub
