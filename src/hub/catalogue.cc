#include "hub/catalogue.h"
#include "core/time.h"
#include "hub/registry.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>

namespace genomefed::hub {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(std::string_view hay, std::string_view lower_needle) {
  return Lower(hay).find(lower_needle) != std::string::npos;
}

std::string StringAt(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

uint64_t UintAt(const json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer())
    return static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
  return static_cast<uint64_t>(std::max(0.0, it->get<double>()));
}

Result<json> ParseResponse(std::string_view body, std::string_view endpoint) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument(std::string(endpoint) + ": body is not JSON");
  if (!j.is_object() || !j.contains("response") || !j["response"].is_object()) {
    return InvalidArgument(std::string(endpoint) + ": not a Beacon response (no response object)");
  }
  return j;
}

bool IsPhenotype(std::string_view id) { return id.rfind("HP:", 0) == 0; }
bool IsDisease(std::string_view id) {
  return !IsPhenotype(id) && id.rfind("NCIT:", 0) != 0 && id.rfind("DUO:", 0) != 0 &&
         id.rfind("population:", 0) != 0 && id.find(':') != std::string_view::npos;
}

bool TermMatches(const CatalogueTerm& t, const std::string& wanted, bool phenotype) {
  if (phenotype ? !IsPhenotype(t.id) : !IsDisease(t.id)) return false;
  if (Lower(t.id) == Lower(wanted)) return true;
  return !t.label.empty() && Contains(t.label, Lower(wanted));
}

}  // namespace

std::string FormatTime(int64_t unix_ms) {
  if (unix_ms <= 0) return {};
  return FormatUtcRfc3339(static_cast<std::time_t>(unix_ms / 1000));
}

Result<HarvestSnapshot> ParseHarvest(std::string_view node_id, std::string_view info_body,
                                     std::string_view datasets_body,
                                     std::string_view filtering_terms_body) {
  HarvestSnapshot snap;
  GF_ASSIGN_OR_RETURN(json info, ParseResponse(info_body, "/api/info"));
  snap.info = info["response"].dump(-1, ' ', false, json::error_handler_t::replace);

  GF_ASSIGN_OR_RETURN(json datasets, ParseResponse(datasets_body, "/api/datasets"));
  const json& collections =
      datasets["response"].contains("collections") ? datasets["response"]["collections"] : json();
  if (!collections.is_array()) {
    return InvalidArgument("/api/datasets: response.collections is not an array");
  }
  // Only what the node holds itself: a collection relayed from elsewhere (a Beacon network's,
  // tagged with another info.node than the node's own beacon id) or missing from the node's own
  // list of datasets in /api/info is skipped, so a hub registered as a node does not bring the
  // network's catalogue back in.
  const json own_id = info["response"].value("id", json());
  const json& own_info = info["response"].contains("info") ? info["response"]["info"] : json();
  const json* own_list =
      own_info.is_object() && own_info.contains("datasets") && own_info["datasets"].is_array()
          ? &own_info["datasets"]
          : nullptr;
  for (const json& c : collections) {
    std::string id = StringAt(c, "id");
    if (id.empty()) continue;
    if (c.contains("info") && c["info"].is_object() && c["info"].contains("node") &&
        c["info"]["node"] != own_id) {
      continue;
    }
    if (own_list != nullptr &&
        std::find(own_list->begin(), own_list->end(), json(id)) == own_list->end()) {
      continue;
    }
    CatalogueDataset d;
    d.node_id = std::string(node_id);
    d.dataset_id = id;
    d.name = StringAt(c, "name");
    if (d.name.empty()) d.name = id;
    d.description = StringAt(c, "description");
    d.external_url = StringAt(c, "externalUrl");
    const json info_obj = c.contains("info") ? c["info"] : json::object();
    d.sample_count = UintAt(info_obj, "sampleCount");
    d.allele_count = UintAt(info_obj, "alleleCount");
    if (c.contains("dataUseConditions") && c["dataUseConditions"].is_object()) {
      const json& duo = c["dataUseConditions"].value("duoDataUse", json::array());
      if (duo.is_array()) {
        for (const json& code : duo) {
          std::string cid = StringAt(code, "id");
          if (!cid.empty()) d.consent_codes.push_back(cid);
        }
      }
    }
    // A genomefed node's datasets hold variants and the individuals they belong to; a node may
    // say otherwise in info.dataTypes.
    if (info_obj.is_object() && info_obj.contains("dataTypes") &&
        info_obj["dataTypes"].is_array()) {
      for (const json& t : info_obj["dataTypes"]) {
        if (t.is_string()) d.data_types.push_back(t.get<std::string>());
      }
    } else {
      if (d.allele_count > 0 || !info_obj.contains("alleleCount")) {
        d.data_types.push_back("genomicVariant");
      }
      d.data_types.push_back("individual");
    }
    d.document = c.dump(-1, ' ', false, json::error_handler_t::replace);
    snap.datasets.push_back(std::move(d));
  }

  GF_ASSIGN_OR_RETURN(json terms, ParseResponse(filtering_terms_body, "/api/filtering_terms"));
  const json& list = terms["response"].contains("filteringTerms")
                         ? terms["response"]["filteringTerms"]
                         : json::array();
  if (!list.is_array()) {
    return InvalidArgument("/api/filtering_terms: response.filteringTerms is not an array");
  }
  std::set<std::string> seen;
  for (const json& t : list) {
    std::string id = StringAt(t, "id");
    if (id.empty() || !seen.insert(id).second) continue;
    snap.terms.push_back({std::string(node_id), id, StringAt(t, "label"), StringAt(t, "type")});
  }
  return snap;
}

Result<CatalogueQuery> ParseCatalogueQuery(
    const std::multimap<std::string, std::string, std::less<>>& params) {
  CatalogueQuery q;
  for (const auto& [name, value] : params) {
    if (name == "q" || name == "text") {
      q.text = value;
    } else if (name == "country") {
      q.country = value;
    } else if (name == "disease") {
      q.disease = value;
    } else if (name == "phenotype") {
      q.phenotype = value;
    } else if (name == "consent" || name == "consentCode") {
      q.consent = value;
    } else if (name == "dataType") {
      q.data_type = value;
    } else if (name == "minSamples" || name == "minSize") {
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return InvalidArgument(name + " must be a non-negative integer, not '" +
                               value.substr(0, 40) + "'");
      }
      q.min_samples = std::stoull(value);
    } else if (name == "includeStale") {
      if (value != "true" && value != "false") {
        return InvalidArgument("includeStale must be true or false");
      }
      q.include_stale = value == "true";
    } else {
      return InvalidArgument("unknown catalogue parameter '" + name.substr(0, 40) +
                             "'; use q, country, disease, phenotype, consent, dataType, "
                             "minSamples, includeStale");
    }
  }
  return q;
}

json SearchCatalogue(const CatalogueQuery& q, const std::vector<NodeState>& nodes,
                     const std::vector<CatalogueDataset>& datasets,
                     const std::vector<CatalogueTerm>& terms) {
  std::map<std::string, const NodeState*, std::less<>> by_node;
  for (const auto& n : nodes) by_node[n.node.id] = &n;
  std::map<std::string, std::vector<const CatalogueTerm*>, std::less<>> terms_by_node;
  for (const auto& t : terms) terms_by_node[t.node_id].push_back(&t);
  const std::string text = Lower(q.text);

  json out_sets = json::array();
  for (const auto& d : datasets) {
    auto nit = by_node.find(d.node_id);
    if (nit == by_node.end()) continue;
    const NodeState& node = *nit->second;
    const auto& node_terms = terms_by_node[d.node_id];
    if (!q.include_stale && node.stale) continue;
    if (!q.country.empty() && Lower(node.node.country) != Lower(q.country)) continue;
    if (d.sample_count < q.min_samples) continue;
    if (!q.consent.empty() &&
        std::none_of(d.consent_codes.begin(), d.consent_codes.end(),
                     [&](const std::string& c) { return Lower(c) == Lower(q.consent); })) {
      continue;
    }
    if (!q.data_type.empty() &&
        std::none_of(d.data_types.begin(), d.data_types.end(),
                     [&](const std::string& t) { return Lower(t) == Lower(q.data_type); })) {
      continue;
    }
    if (!q.phenotype.empty() &&
        std::none_of(node_terms.begin(), node_terms.end(),
                     [&](const CatalogueTerm* t) { return TermMatches(*t, q.phenotype, true); })) {
      continue;
    }
    if (!q.disease.empty() &&
        std::none_of(node_terms.begin(), node_terms.end(),
                     [&](const CatalogueTerm* t) { return TermMatches(*t, q.disease, false); })) {
      continue;
    }
    if (!text.empty()) {
      bool hit = Contains(d.dataset_id, text) || Contains(d.name, text) ||
                 Contains(d.description, text) || Contains(d.node_id, text) ||
                 Contains(node.node.country, text) ||
                 std::any_of(node_terms.begin(), node_terms.end(), [&](const CatalogueTerm* t) {
                   return Contains(t->id, text) || Contains(t->label, text);
                 });
      if (!hit) continue;
    }
    json e;
    e["id"] = d.node_id + ":" + d.dataset_id;
    e["datasetId"] = d.dataset_id;
    e["node"] = d.node_id;
    e["country"] = node.node.country;
    e["name"] = d.name;
    e["description"] = d.description;
    e["sampleCount"] = d.sample_count;
    e["alleleCount"] = d.allele_count;
    e["consentCodes"] = d.consent_codes;
    e["dataTypes"] = d.data_types;
    e["stale"] = node.stale;
    e["lastHarvest"] = FormatTime(node.last_success_ms);
    // How to get at the data: discover through the node's (or the hub's) Beacon, apply to the
    // dataset's DAC at the hub for a ControlledAccessGrants visa, then fetch from the node.
    const std::string base = WithoutUserinfo(node.node.url);
    std::string api = base + "/api";
    e["access"] = {
        {"route", d.consent_codes.empty() ? "registered" : "controlled"},
        {"beacon", api},
        {"dataset", d.external_url.empty() ? api + "/datasets/" + d.dataset_id : d.external_url},
        {"htsget", base + "/htsget/variants/" + d.dataset_id},
        {"apply", "/api/access/applications?dataset=" + d.node_id + ":" + d.dataset_id}};
    out_sets.push_back(std::move(e));
  }
  json node_list = json::array();
  for (const auto& n : nodes) {
    node_list.push_back({{"id", n.node.id},
                         {"country", n.node.country},
                         {"url", WithoutUserinfo(n.node.url)},
                         {"stale", n.stale},
                         {"lastSuccess", FormatTime(n.last_success_ms)},
                         {"lastError", n.last_error}});
  }
  json query = json::object();
  if (!q.text.empty()) query["q"] = q.text;
  if (!q.country.empty()) query["country"] = q.country;
  if (!q.disease.empty()) query["disease"] = q.disease;
  if (!q.phenotype.empty()) query["phenotype"] = q.phenotype;
  if (!q.consent.empty()) query["consent"] = q.consent;
  if (!q.data_type.empty()) query["dataType"] = q.data_type;
  if (q.min_samples > 0) query["minSamples"] = q.min_samples;
  if (!q.include_stale) query["includeStale"] = false;
  json out;
  out["query"] = std::move(query);
  out["total"] = out_sets.size();
  out["datasets"] = std::move(out_sets);
  out["nodes"] = std::move(node_list);
  return out;
}

}  // namespace genomefed::hub
