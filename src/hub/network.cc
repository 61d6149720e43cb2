#include "hub/network.h"

#include <algorithm>
#include <optional>
#include <set>

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

std::string Clip(std::string_view s) { return std::string(s.substr(0, 80)); }

// A scalar as text, for comparing echoes that type numbers as strings or wrap them in arrays.
std::string Scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return std::to_string(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

bool LooseEqual(const json& a, const json& b) {
  if (a == b) return true;
  if (a.is_array() && a.size() == 1 && !b.is_array()) return LooseEqual(a[0], b);
  if (b.is_array() && b.size() == 1 && !a.is_array()) return LooseEqual(a, b[0]);
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!LooseEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_structured() || b.is_structured()) return false;
  return Scalar(a) == Scalar(b);
}

// Filter ids of an echo: strings ("HP:1", "age>=30") or objects {id, operator, value}.
std::set<std::string> FilterIds(const json& filters) {
  std::set<std::string> out;
  if (!filters.is_array()) return out;
  for (const json& f : filters) {
    if (f.is_string()) {
      out.insert(f.get<std::string>());
    } else if (f.is_object() && f.contains("id") && f["id"].is_string()) {
      std::string id = f["id"].get<std::string>();
      if (f.contains("operator") && f.contains("value"))
        id += Scalar(f["operator"]) + Scalar(f["value"]);
      out.insert(id);
    }
  }
  return out;
}

// Whether the node answered the question it was asked; "" when it did, else the reason.
std::string CheckEcho(const json& meta, const NodeAnswer& a, const beacon::BeaconRequest& request,
                      std::string_view entity_type, bool collections) {
  if (!a.expected_beacon_id.empty()) {
    auto id = meta.find("beaconId");
    if (id == meta.end() || !id->is_string() || id->get<std::string>() != a.expected_beacon_id) {
      return "wrong beacon: answered as '" +
             Clip(id != meta.end() && id->is_string() ? id->get<std::string>() : "(none)") +
             "', harvested as '" + Clip(a.expected_beacon_id) + "'";
    }
  }
  if (auto rs = meta.find("returnedSchemas"); rs != meta.end() && rs->is_array()) {
    for (const json& schema : *rs) {
      if (schema.is_object() && schema.contains("entityType") && schema["entityType"].is_string() &&
          schema["entityType"] != entity_type) {
        return "wrong answer: entity type '" + Clip(schema["entityType"].get<std::string>()) +
               "', asked '" + std::string(entity_type) + "'";
      }
    }
  }
  if (collections) return {};
  auto got = meta.find("receivedRequestSummary");
  if (got == meta.end() || !got->is_object()) {
    return "malformed answer: meta.receivedRequestSummary missing";
  }
  const std::string asked(GranularityName(request.requested()));
  if (auto g = got->find("requestedGranularity"); g != got->end() && *g != asked) {
    return "wrong answer: it echoes requestedGranularity " + Clip(Scalar(*g)) + ", asked " + asked;
  }
  const json want = beacon::ResponseMeta("", &request, request.requested(),
                                         entity_type)["receivedRequestSummary"];
  const json none = json::object();
  auto params_of = [&](const json& summary) -> const json& {
    auto p = summary.find("requestParameters");
    if (p == summary.end() || !p->is_object()) return none;
    // v2.1.1 nests the genomic parameters under their entry type; some beacons do not.
    auto nested = p->find("genomicVariation");
    return nested != p->end() && nested->is_object() ? *nested : *p;
  };
  const json& want_params = params_of(want);
  const json& got_params = params_of(*got);
  for (const auto& [key, value] : want_params.items()) {
    auto it = got_params.find(key);
    if (it == got_params.end() || !LooseEqual(*it, value)) {
      return "wrong answer: it echoes " + key + "=" +
             (it == got_params.end() ? std::string("(nothing)") : Clip(it->dump())) + ", asked " +
             Clip(value.dump());
    }
  }
  for (const auto& [key, value] : got_params.items()) {
    if (!want_params.contains(key)) {
      return "wrong answer: it echoes " + key + "=" + Clip(value.dump()) + ", not asked";
    }
  }
  auto want_filters = FilterIds(want.value("filters", json::array()));
  auto got_filters = FilterIds(got->value("filters", json::array()));
  if (want_filters != got_filters) return "wrong answer: it echoes other filters";
  return {};
}

// Checks that `a` is a usable Beacon answer to `request`; on failure says why in `reason`.
std::optional<Parsed> ParseAnswer(const NodeAnswer& a, const beacon::BeaconRequest& request,
                                  std::string_view entity_type, bool collections,
                                  std::string& reason) {
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
  reason = CheckEcho(doc["meta"], a, request, entity_type, collections);
  if (!reason.empty()) return std::nullopt;
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
    if (p.granularity > request.requested()) {
      reason = "wrong answer: returnedGranularity " + std::string(GranularityName(*g)) +
               ", asked " + std::string(GranularityName(request.requested()));
      return std::nullopt;
    }
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

void Tag(json& entry, const NodeAnswer& a, std::optional<Granularity> granularity = {}) {
  std::string dataset = entry["id"].get<std::string>();
  entry["id"] = a.node_id + ":" + dataset;
  if (!entry.contains("info") || !entry["info"].is_object()) entry["info"] = json::object();
  entry["info"]["node"] = a.node_id;
  entry["info"]["country"] = a.country;
  entry["info"]["datasetId"] = dataset;
  if (granularity) entry["info"]["returnedGranularity"] = GranularityName(*granularity);
}

json NodeSummary(const NodeAnswer& a, std::string_view status) {
  json n = {{"id", a.node_id},
            {"country", a.country},
            {"status", status},
            {"elapsedMs", static_cast<int64_t>(a.elapsed_ms + 0.5)}};
  return n;
}

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

Result<std::vector<FanOutTarget>> PlanFanOut(const beacon::BeaconRequest& request,
                                             const std::vector<NodeRecord>& nodes) {
  std::vector<FanOutTarget> targets;
  if (request.dataset_ids.empty()) {
    for (const NodeRecord& n : nodes) targets.push_back({n, {}});
    return targets;
  }
  for (const std::string& id : request.dataset_ids) {
    const size_t colon = id.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == id.size()) {
      return InvalidArgument("datasetIds: '" + Clip(id) +
                             "' is not a catalogue id; the hub's dataset ids are "
                             "'nodeId:datasetId' (GET /api/datasets lists them)");
    }
    const std::string node_id = id.substr(0, colon);
    auto n = std::find_if(nodes.begin(), nodes.end(),
                          [&](const NodeRecord& r) { return r.id == node_id; });
    if (n == nodes.end()) {
      return InvalidArgument("datasetIds: no node '" + Clip(node_id) + "' in this network for '" +
                             Clip(id) + "'");
    }
    auto t = std::find_if(targets.begin(), targets.end(),
                          [&](const FanOutTarget& x) { return x.node.id == node_id; });
    if (t == targets.end()) {
      targets.push_back({*n, {}});
      t = targets.end() - 1;
    }
    std::string local = id.substr(colon + 1);
    if (std::find(t->dataset_ids.begin(), t->dataset_ids.end(), local) == t->dataset_ids.end()) {
      t->dataset_ids.push_back(std::move(local));
    }
  }
  return targets;
}

int MergedStatus(const json& merged) {
  if (merged.is_object() && merged.contains("error") && merged["error"].is_object()) {
    return merged["error"].value("errorCode", 500);
  }
  return 200;
}

namespace {

// The answer when no node could take part: a refusal by every node is the caller's problem
// (400, or the one status they all gave), anything else is the network's (503).
json NobodyAnswered(const HubIdentity& hub, const beacon::BeaconRequest& request,
                    const std::vector<NodeAnswer>& answers, json unavailable, json nodes) {
  int common = 0;
  bool all_refused = !answers.empty();
  for (const NodeAnswer& a : answers) {
    const bool refused =
        a.reached && ((a.http_status >= 400 && a.http_status < 500) || a.http_status == 501);
    if (!refused) {
      all_refused = false;
      break;
    }
    common = common == 0 || common == a.http_status ? a.http_status : -1;
  }
  int code = all_refused ? (common > 0 ? common : 400) : 503;
  std::string msg = answers.empty() ? "no node is registered in this network"
                    : all_refused   ? "every node refused the query: "
                                    : "no node could answer: ";
  for (size_t i = 0; i < unavailable.size(); ++i) {
    if (i > 0) msg += "; ";
    if (msg.size() > 900) {
      msg += "…";
      break;
    }
    msg += unavailable[i]["id"].get<std::string>() + " (" +
           unavailable[i]["reason"].get<std::string>().substr(0, 160) + ")";
  }
  json out = ErrorResponse(hub, code, msg, &request);
  out["info"] = {{"network", {{"queried", answers.size()}, {"answered", 0}, {"complete", false}}},
                 {"unavailableNodes", std::move(unavailable)},
                 {"nodes", std::move(nodes)}};
  return out;
}

}  // namespace

json MergeResultsets(const HubIdentity& hub, const beacon::BeaconRequest& request,
                     std::string_view entity_type, bool by_id,
                     const std::vector<NodeAnswer>& answers) {
  std::vector<Parsed> good;
  json unavailable = json::array();
  json nodes = json::array();
  size_t not_found = 0;
  for (const NodeAnswer& a : answers) {
    if (by_id && a.reached && a.http_status == 404) {
      nodes.push_back(NodeSummary(a, "notFound"));
      ++not_found;
      continue;
    }
    std::string reason;
    auto p = ParseAnswer(a, request, entity_type, /*collections=*/false, reason);
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
  if (good.empty() && (not_found == 0 || !unavailable.empty())) {
    return NobodyAnswered(hub, request, answers, std::move(unavailable), std::move(nodes));
  }

  // What the summary can say: counts when any node gave counts (yes/no-only nodes then make
  // the total a lower bound), records only when every answering node gave records.
  bool any_counts = false;
  bool all_records = !good.empty();
  for (const Parsed& p : good) {
    any_counts = any_counts || p.granularity >= Granularity::kCount;
    all_records = all_records && p.granularity == Granularity::kRecord;
  }
  const Granularity top = !any_counts   ? Granularity::kBoolean
                          : all_records ? Granularity::kRecord
                                        : Granularity::kCount;

  bool exists = false;
  uint64_t total = 0;
  bool exact = unavailable.empty();
  json sets = json::array();
  // A node's warnings (e.g. a filter term it does not know, so its 0 means "not asked", not
  // "none") reach the caller, prefixed with the node: never a silent empty answer.
  json warnings = json::array();
  for (Parsed& p : good) {
    if (p.doc.contains("info") && p.doc["info"].is_object() && p.doc["info"].contains("warnings") &&
        p.doc["info"]["warnings"].is_array()) {
      for (const json& w : p.doc["info"]["warnings"]) {
        if (w.is_string() && warnings.size() < 100) {
          warnings.push_back("node " + p.answer->node_id + ": " +
                             w.get<std::string>().substr(0, 500));
        }
      }
    }
    const json& summary = p.doc["responseSummary"];
    const bool said_yes = summary["exists"].get<bool>();
    exists = exists || said_yes;
    if (p.granularity >= Granularity::kCount) {
      total += summary["numTotalResults"].get<uint64_t>();
      if (summary.value("countPrecision", std::string("exact")) != "exact") exact = false;
    } else if (said_yes) {
      exact = false;  // "yes" without a count: at least one more, how many is unknown
    }
    if (!p.doc.contains("response") || !p.doc["response"].contains("resultSets")) continue;
    for (json& s : p.doc["response"]["resultSets"]) {
      Tag(s, *p.answer, p.granularity);
      if (top >= Granularity::kCount) {
        // The resultSets schema requires a count and a results array. A yes/no-only set says
        // 1 (at least one) or 0, marked imprecise; its info.returnedGranularity says boolean.
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
  out["info"] = {{"network",
                  {{"queried", answers.size()},
                   {"answered", good.size() + not_found},
                   {"complete", unavailable.empty()}}},
                 {"unavailableNodes", std::move(unavailable)},
                 {"nodes", std::move(nodes)}};
  if (!warnings.empty()) out["info"]["warnings"] = std::move(warnings);
  return out;
}

json MergeCollections(const HubIdentity& hub, const beacon::BeaconRequest& request,
                      std::string_view entity_type, const std::vector<NodeAnswer>& answers) {
  json unavailable = json::array();
  json nodes = json::array();
  json collections = json::array();
  size_t answered = 0;
  for (const NodeAnswer& a : answers) {
    std::string reason;
    auto p = ParseAnswer(a, request, entity_type, /*collections=*/true, reason);
    if (!p) {
      unavailable.push_back({{"id", a.node_id}, {"country", a.country}, {"reason", reason}});
      nodes.push_back(NodeSummary(a, "unavailable"));
      continue;
    }
    ++answered;
    nodes.push_back(NodeSummary(a, "ok"));
    if (!p->doc.contains("response") || !p->doc["response"].contains("collections")) continue;
    for (json& c : p->doc["response"]["collections"]) {
      Tag(c, a);
      collections.push_back(std::move(c));
    }
  }
  if (answered == 0 && !answers.empty()) {
    return NobodyAnswered(hub, request, answers, std::move(unavailable), std::move(nodes));
  }
  json out;
  out["meta"] = ResponseMeta(hub, &request, Granularity::kRecord, entity_type);
  out["responseSummary"] = {{"exists", !collections.empty()},
                            {"numTotalResults", collections.size()}};
  out["response"] = {{"collections", std::move(collections)}};
  out["info"] = {
      {"network",
       {{"queried", answers.size()}, {"answered", answered}, {"complete", unavailable.empty()}}},
      {"unavailableNodes", std::move(unavailable)},
      {"nodes", std::move(nodes)}};
  return out;
}

}  // namespace genomefed::hub
