#include "hub/fanout.h"

#include <nlohmann/json.hpp>

#include "http/url.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The ids of the hop header, in order (every occurrence of the header, comma-separated).
std::vector<std::string> Hops(const http::Request& req) {
  std::vector<std::string> out;
  for (const auto& [name, value] : req.headers) {
    if (name != "x-beacon-network-path") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view hop = Trim(rest.substr(0, comma));
      if (!hop.empty()) out.emplace_back(hop.substr(0, 128));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

// The query string of a forwarded GET, re-encoded from the decoded parameters, with the
// target's own dataset ids instead of the catalogue ids when it has some.
std::string ForwardedQuery(const http::QueryParams& q, const std::vector<std::string>& ids) {
  std::string out;
  auto add = [&out](std::string_view k, std::string_view v) {
    if (!out.empty()) out += '&';
    out += http::PercentEncode(k) + "=" + http::PercentEncode(v);
  };
  for (const auto& [k, v] : q) {
    if (!ids.empty() && (k == "datasetIds" || k == "datasets")) continue;
    add(k, v);
  }
  if (!ids.empty()) add("datasetIds", Join(ids));
  return out;
}

// The POST body with the target's own dataset ids (the request parser accepts them at the top,
// in `query` and in `query.requestParameters`; they are put in `query`).
std::string ForwardedBody(const std::string& body, const std::vector<std::string>& ids) {
  if (ids.empty()) return body;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return body;  // the hub parsed it already; cannot happen
  doc.erase("datasetIds");
  doc.erase("datasets");
  if (!doc.contains("query") || !doc["query"].is_object()) doc["query"] = json::object();
  json& query = doc["query"];
  query.erase("datasets");
  if (query.contains("requestParameters") && query["requestParameters"].is_object()) {
    query["requestParameters"].erase("datasetIds");
    query["requestParameters"].erase("datasets");
  }
  query["datasetIds"] = ids;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string DetectLoop(const http::Request& req, std::string_view hub_id) {
  std::vector<std::string> hops = Hops(req);
  for (const std::string& h : hops) {
    if (h == hub_id) {
      return "loop detected: this request has already passed through hub '" + std::string(hub_id) +
             "' (" + std::string(kHopHeader) + ": " + Join(hops).substr(0, 300) +
             "); a node of this network points back at it";
    }
  }
  if (hops.size() >= kMaxHops) {
    return "loop detected: this request has passed through " + std::to_string(hops.size()) +
           " hubs already (at most " + std::to_string(kMaxHops) + ")";
  }
  return {};
}

FanOut::FanOut(http::HttpClient* client, std::string hub_id, uint32_t timeout_ms)
    : client_(client), hub_id_(std::move(hub_id)), timeout_ms_(timeout_ms) {}

void FanOut::Send(const http::Request& req, const std::vector<FanOutTarget>& targets,
                  const std::string& path, const std::map<std::string, std::string>& beacon_ids,
                  std::function<void(std::vector<NodeAnswer>)> done) {
  const bool post = req.method == "POST";
  std::vector<std::string> hops = Hops(req);
  hops.push_back(hub_id_);
  const std::string hop_header = Join(hops);
  // The node keeps anonymous callers' budgets per client; it believes this header only from
  // peers it lists in trusted_proxies.
  const std::string peer = http::ClientIp(req, {});
  const std::string* xff = req.Header("x-forwarded-for");
  const std::string forwarded_for =
      xff != nullptr && xff->size() < 1024 ? *xff + ", " + peer : peer;
  const std::string* auth = req.Header("authorization");

  std::vector<http::ClientRequest> requests;
  std::vector<NodeAnswer> answers;
  for (const FanOutTarget& t : targets) {
    http::ClientRequest c;
    c.method = post ? "POST" : "GET";
    std::string qs = post ? std::string() : ForwardedQuery(req.query, t.dataset_ids);
    c.url = t.node.url + path + (qs.empty() ? "" : "?" + qs);
    c.timeout_ms = timeout_ms_;
    c.headers.emplace_back("Accept", "application/json");
    if (auth != nullptr) c.headers.emplace_back("Authorization", *auth);
    c.headers.emplace_back("X-Forwarded-For", forwarded_for);
    c.headers.emplace_back(kHopHeader, hop_header);
    if (post) {
      c.headers.emplace_back("Content-Type", "application/json");
      c.body = ForwardedBody(req.body, t.dataset_ids);
    }
    requests.push_back(std::move(c));
    NodeAnswer a;
    a.node_id = t.node.id;
    a.country = t.node.country;
    if (auto it = beacon_ids.find(t.node.id); it != beacon_ids.end()) {
      a.expected_beacon_id = it->second;
    }
    answers.push_back(std::move(a));
  }

  in_flight_.fetch_add(1);
  client_->SendAllAsync(std::move(requests),
                        [this, answers = std::move(answers), done = std::move(done)](
                            std::vector<Result<http::ClientResponse>> replies) mutable {
                          for (size_t i = 0; i < answers.size() && i < replies.size(); ++i) {
                            NodeAnswer& a = answers[i];
                            if (replies[i].ok()) {
                              a.reached = true;
                              a.http_status = replies[i]->status;
                              a.body = std::move(replies[i]->body);
                              a.elapsed_ms = replies[i]->elapsed_ms;
                            } else {
                              a.error = std::string(StatusCodeName(replies[i].status().code())) +
                                        ": " + replies[i].status().message();
                              if (replies[i].status().code() == StatusCode::kDeadlineExceeded) {
                                a.elapsed_ms = timeout_ms_;
                              }
                            }
                          }
                          {
                            // `done` (and whatever it holds, a Responder) is gone before Drain may
                            // return.
                            auto finish = std::move(done);
                            finish(std::move(answers));
                          }
                          std::lock_guard lock(mu_);
                          if (in_flight_.fetch_sub(1) == 1) idle_.notify_all();
                        });
}

void FanOut::Drain(std::chrono::milliseconds max) {
  std::unique_lock lock(mu_);
  idle_.wait_for(lock, max, [this] { return in_flight_.load() == 0; });
}

}  // namespace genomefed::hub
