#include "hub/network.h"

#include <algorithm>
#include <optional>

#include "beacon/framework.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

// A node answer that passed the shape checks.
struct Parsed {
  const NodeAnswer* answer = nullptr;
  json doc;
  Granularity granularity = Granularity::kBoolean;
};

// Checks that `a` is a usable Beacon result-set answer; on failure says why in `reason`.
std::optional<Parsed> ParseAnswer(const NodeAnswer& a, bool collections, std::string& reason) {
  if (!a.reached) {
    reason = a.error.empty() ? "unreachable" : a.error;
    return std::nullopt;
  }
  json doc = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  if (a.http_status != 200) {
    reason = "HTTP " + std::to_string(a.http_status);
    if (doc.is_object() && doc.contains("error") && doc["error"].is_object() &&
        doc["error"].contains("errorMessage") && doc["error"]["errorMessage"].is_string()) {
      reason += ": " + doc["error"]["errorMessage"].get<std::string>().substr(0, 200);
    }
    return std::nullopt;
  }
  if (doc.is_discarded()) {
    reason = "malformed answer: not JSON";
    return std::nullopt;
  }
  if (!doc.is_object() || !doc.contains("meta") || !doc["meta"].is_object() ||
      !doc.contains("responseSummary") || !doc["responseSummary"].is_object() ||
      !doc["responseSummary"].contains("exists") ||
      !doc["responseSummary"]["exists"].is_boolean()) {
    reason = "malformed answer: not a Beacon response (meta, responseSummary.exists)";
    return std::nullopt;
  }
  Parsed p;
  p.answer = &a;
  if (collections) {
    p.granularity = Granularity::kRecord;
  } else {
    const json& meta = doc["meta"];
    auto it = meta.find("returnedGranularity");
    if (it == meta.end() || !it->is_string()) {
      reason = "malformed answer: meta.returnedGranularity missing";
      return std::nullopt;
    }
    auto g = ParseGranularity(it->get<std::string>());
    if (!g.ok()) {
      reason = "malformed answer: unknown returnedGranularity";
      return std::nullopt;
    }
    p.granularity = *g;
    const json& summary = doc["responseSummary"];
    if (p.granularity >= Granularity::kCount &&
        (!summary.contains("numTotalResults") || !summary["numTotalResults"].is_number_integer() ||
         summary["numTotalResults"].get<int64_t>() < 0)) {
      reason = "malformed answer: responseSummary.numTotalResults missing at count granularity";
      return std::nullopt;
    }
  }
  if (doc.contains("response")) {
    const json& resp = doc["response"];
    const char* key = collections ? "collections" : "resultSets";
    if (!resp.is_object() || (resp.contains(key) && !resp[key].is_array())) {
      reason = std::string("malformed answer: response.") + key + " is not an array";
      return std::nullopt;
    }
    if (resp.contains(key)) {
      for (const json& s : resp[key]) {
        if (!s.is_object() || !s.contains("id") || !s["id"].is_string()) {
          reason = std::string("malformed answer: an entry of response.") + key + " has no id";
          return std::nullopt;
        }
      }
    }
  }
  p.doc = std::move(doc);
  return p;
}

void Tag(json& entry, const NodeAnswer& a) {
  std::string dataset = entry["id"].get<std::string>();
  entry["id"] = a.node_id + ":" + dataset;
  if (!entry.contains("info") || !entry["info"].is_object()) entry["info"] = json::object();
  entry["info"]["node"] = a.node_id;
  entry["info"]["country"] = a.country;
  entry["info"]["datasetId"] = dataset;
}

json NodeSummary(const NodeAnswer& a, std::string_view status) {
  json n = {{"id", a.node_id},
            {"country", a.country},
            {"status", status},
            {"elapsedMs", static_cast<int64_t>(a.elapsed_ms + 0.5)}};
  return n;
}

Granularity MinG(Granularity a, Granularity b) { return a < b ? a : b; }

}  // namespace

json InformationalMeta(const HubIdentity& hub, std::string_view entity_type) {
  return beacon::InformationalMeta(hub.id, entity_type);
}

json ResponseMeta(const HubIdentity& hub, const beacon::BeaconRequest* request,
                  Granularity returned, std::string_view entity_type) {
  return beacon::ResponseMeta(hub.id, request, returned, entity_type);
}

json ErrorResponse(const HubIdentity& hub, int http_status, std::string_view message,
                   const beacon::BeaconRequest* request) {
  json out;
  out["meta"] = ResponseMeta(hub, request, Granularity::kBoolean, "error");
  out["meta"]["returnedSchemas"] = json::array();
  out["error"] = {{"errorCode", http_status}, {"errorMessage", std::string(message)}};
  return out;
}

json MergeResultsets(const HubIdentity& hub, const beacon::BeaconRequest& request,
                     std::string_view entity_type, bool by_id,
                     const std::vector<NodeAnswer>& answers) {
  std::vector<Parsed> good;
  json unavailable = json::array();
  json nodes = json::array();
  for (const NodeAnswer& a : answers) {
    if (by_id && a.reached && a.http_status == 404) {
      nodes.push_back(NodeSummary(a, "notFound"));
      continue;
    }
    std::string reason;
    auto p = ParseAnswer(a, /*collections=*/false, reason);
    if (!p) {
      unavailable.push_back({{"id", a.node_id}, {"country", a.country}, {"reason", reason}});
      nodes.push_back(NodeSummary(a, "unavailable"));
      continue;
    }
    json n = NodeSummary(a, "ok");
    n["returnedGranularity"] = GranularityName(p->granularity);
    nodes.push_back(std::move(n));
    good.push_back(std::move(*p));
  }

  // The most restrictive granularity among the answers decides what the summary may say.
  Granularity top = request.requested();
  if (good.empty()) top = Granularity::kBoolean;
  for (const Parsed& p : good) top = MinG(top, p.granularity);

  bool exists = false;
  uint64_t total = 0;
  bool exact = unavailable.empty();
  json sets = json::array();
  for (Parsed& p : good) {
    const json& summary = p.doc["responseSummary"];
    exists = exists || summary["exists"].get<bool>();
    if (top >= Granularity::kCount) {
      total += summary["numTotalResults"].get<uint64_t>();
      if (summary.value("countPrecision", std::string("exact")) != "exact") exact = false;
    }
    if (!p.doc.contains("response") || !p.doc["response"].contains("resultSets")) continue;
    for (json& s : p.doc["response"]["resultSets"]) {
      Tag(s, *p.answer);
      if (top >= Granularity::kCount) {
        // The resultSets schema requires a count and a results array.
        if (!s.contains("resultsCount") || !s["resultsCount"].is_number_integer()) {
          bool e = s.value("exists", false);
          s["resultsCount"] = e ? 1 : 0;
          s["countPrecision"] = "imprecise";
        }
        if (!s.contains("results") || !s["results"].is_array()) s["results"] = json::array();
        if (!s.contains("setType") || !s["setType"].is_string()) s["setType"] = "dataset";
        if (!s.contains("exists") || !s["exists"].is_boolean()) {
          s["exists"] = s["resultsCount"].get<int64_t>() > 0;
        }
      }
      sets.push_back(std::move(s));
    }
  }

  json out;
  out["meta"] = ResponseMeta(hub, &request, top, entity_type);
  json summary = {{"exists", exists}};
  if (top >= Granularity::kCount) {
    summary["numTotalResults"] = total;
    summary["countPrecision"] = exact ? "exact" : "imprecise";
  }
  out["responseSummary"] = std::move(summary);
  if (request.include != beacon::IncludeResultsets::kNone || top == Granularity::kRecord) {
    out["response"] = {{"resultSets", std::move(sets)}};
  }
  out["info"] = {{"network", {{"queried", answers.size()}, {"answered", good.size()}}},
                 {"unavailableNodes", std::move(unavailable)},
                 {"nodes", std::move(nodes)}};
  return out;
}

json MergeCollections(const HubIdentity& hub, const beacon::BeaconRequest& request,
                      std::string_view entity_type, const std::vector<NodeAnswer>& answers) {
  json unavailable = json::array();
  json nodes = json::array();
  json collections = json::array();
  for (const NodeAnswer& a : answers) {
    std::string reason;
    auto p = ParseAnswer(a, /*collections=*/true, reason);
    if (!p) {
      unavailable.push_back({{"id", a.node_id}, {"country", a.country}, {"reason", reason}});
      nodes.push_back(NodeSummary(a, "unavailable"));
      continue;
    }
    nodes.push_back(NodeSummary(a, "ok"));
    if (!p->doc.contains("response") || !p->doc["response"].contains("collections")) continue;
    for (json& c : p->doc["response"]["collections"]) {
      Tag(c, a);
      collections.push_back(std::move(c));
    }
  }
  json out;
  out["meta"] = ResponseMeta(hub, &request, Granularity::kRecord, entity_type);
  out["responseSummary"] = {{"exists", !collections.empty()},
                            {"numTotalResults", collections.size()}};
  out["response"] = {{"collections", std::move(collections)}};
  out["info"] = {{"unavailableNodes", std::move(unavailable)}, {"nodes", std::move(nodes)}};
  return out;
}

}  // namespace genomefed::hub
