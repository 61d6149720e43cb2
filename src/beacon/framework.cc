#include "beacon/framework.h"

namespace genomefed::beacon {
namespace {

using nlohmann::json;

constexpr std::string_view kSchemaBase =
    "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/";

constexpr EntryTypeInfo kEntryTypes[] = {
    {"genomicVariant", "Genomic Variants", "g_variants", "genomicVariations", "ENSGLOSSARY:0000092",
     "Variant", "beacon-g_variant-v2.0.0"},
    {"individual", "Individuals", "individuals", "individuals", "NCIT:C25190", "Person",
     "beacon-individual-v2.0.0"},
    {"dataset", "Datasets", "datasets", "datasets", "NCIT:C47824", "Data set",
     "beacon-dataset-v2.0.0"},
    {"cohort", "Cohorts", "cohorts", "cohorts", "NCIT:C61512", "Cohort", "beacon-cohort-v2.0.0"},
};

}  // namespace

std::span<const EntryTypeInfo> EntryTypes() { return kEntryTypes; }

const EntryTypeInfo* FindEntryType(std::string_view id) {
  if (id == "genomicVariation") id = "genomicVariant";
  for (const auto& e : kEntryTypes) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

json InformationalMeta(std::string_view beacon_id, std::string_view entity_type) {
  json meta;
  meta["beaconId"] = std::string(beacon_id);
  meta["apiVersion"] = kApiVersion;
  const std::string_view schema = entity_type == "info" ? "beacon-info-v2.0.0" : entity_type;
  meta["returnedSchemas"] = json::array({{{"entityType", entity_type}, {"schema", schema}}});
  return meta;
}

json ResponseMeta(std::string_view beacon_id, const BeaconRequest* request, Granularity returned,
                  std::string_view entity_type) {
  json meta;
  meta["beaconId"] = std::string(beacon_id);
  meta["apiVersion"] = kApiVersion;
  meta["returnedGranularity"] = GranularityName(returned);
  const EntryTypeInfo* et = FindEntryType(entity_type);
  meta["returnedSchemas"] =
      json::array({{{"entityType", entity_type},
                    {"schema", std::string(et != nullptr ? et->schema_name : entity_type)}}});
  json summary;
  summary["apiVersion"] =
      request && !request->api_version.empty() ? request->api_version : std::string(kApiVersion);
  summary["requestedSchemas"] = json::array();
  summary["pagination"] = {{"skip", request ? request->skip : 0},
                           {"limit", request ? request->limit : 10}};
  summary["requestedGranularity"] =
      GranularityName(request ? request->requested() : Granularity::kBoolean);
  if (request) {
    summary["includeResultsetResponses"] = IncludeResultsetsName(request->include);
    summary["testMode"] = request->test_mode;
    if (!request->filters.empty()) {
      json filters = json::array();
      for (const auto& f : request->filters) {
        filters.push_back(f.op.empty() ? f.id : f.id + f.op + f.value);
      }
      summary["filters"] = std::move(filters);
    }
    if (request->variant) {
      // v2.1.1 types requestParameters as an object of objects, so the echo nests the genomic
      // parameters under their entry type.
      const VariantQuery& q = *request->variant;
      json p = json::object();
      if (!q.reference_name.empty()) p["referenceName"] = q.reference_name;
      if (q.start) {
        p["start"] = q.start_max ? json::array({*q.start, *q.start_max}) : json::array({*q.start});
      }
      if (q.end) {
        p["end"] = q.end_max ? json::array({*q.end, *q.end_max}) : json::array({*q.end});
      }
      if (!q.reference_bases.empty()) p["referenceBases"] = q.reference_bases;
      if (!q.alternate_bases.empty()) p["alternateBases"] = q.alternate_bases;
      if (!q.variant_type.empty()) p["variantType"] = q.variant_type;
      if (!q.gene_id.empty()) p["geneId"] = q.gene_id;
      if (!q.assembly_id.empty()) p["assemblyId"] = q.assembly_id;
      if (q.min_length) p["variantMinLength"] = *q.min_length;
      if (q.max_length) p["variantMaxLength"] = *q.max_length;
      summary["requestParameters"] = {{"genomicVariation", std::move(p)}};
    }
  }
  meta["receivedRequestSummary"] = std::move(summary);
  return meta;
}

json EntryTypeDefinitions() {
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
  return types;
}

json MapResponse(std::string_view beacon_id, std::string_view api_root) {
  const std::string root(api_root);
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
  out["meta"] = InformationalMeta(beacon_id, "map");
  out["response"] = {{"$schema", "beacon-map-v2.0.0"}, {"endpointSets", std::move(sets)}};
  return out;
}

json EntryTypesResponse(std::string_view beacon_id) {
  json out;
  out["meta"] = InformationalMeta(beacon_id, "entryType");
  out["response"] = {{"entryTypes", EntryTypeDefinitions()}};
  return out;
}

json ConfigurationResponse(std::string_view beacon_id, Granularity default_granularity) {
  json cfg;
  cfg["$schema"] = "beacon-configuration-v2.0.0";
  cfg["maturityAttributes"] = {{"productionStatus", "PROD"}};
  cfg["securityAttributes"] = {
      {"defaultGranularity", GranularityName(default_granularity)},
      {"securityLevels", json::array({"PUBLIC", "REGISTERED", "CONTROLLED"})}};
  cfg["entryTypes"] = EntryTypeDefinitions();
  json out;
  out["meta"] = InformationalMeta(beacon_id, "configuration");
  out["response"] = std::move(cfg);
  return out;
}

json OntologyResources(std::string_view hpo_version) {
  json resources = json::array();
  json hp = {{"id", "hp"},
             {"name", "Human Phenotype Ontology"},
             {"url", "https://purl.obolibrary.org/obo/hp.owl"},
             {"nameSpacePrefix", "HP"},
             {"iriPrefix", "http://purl.obolibrary.org/obo/HP_"}};
  if (!hpo_version.empty()) hp["version"] = std::string(hpo_version);
  resources.push_back(std::move(hp));
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
  return resources;
}

}  // namespace genomefed::beacon
