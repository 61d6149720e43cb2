#include "hub/hub.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "beacon/request.h"
#include "core/log.h"
#include "http/url.h"
#include "hub/access/duo_matcher.h"
#include "hub/access/routes.h"
#include "hub/catalogue.h"
#include "hub/informational.h"
#include "hub/portal.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

http::Response JsonResponse(const json& j, int status = 200) {
  return http::Response::Json(Dump(j), status);
}

bool ValidNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  // ':' is the separator of "nodeId:datasetId", so it may not occur in a node id.
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

Status ValidateNode(NodeRecord& n) {
  if (!ValidNodeId(n.id)) {
    return InvalidArgument("node id '" + n.id.substr(0, 64) +
                           "' must be 1-64 characters of [A-Za-z0-9._-]");
  }
  while (!n.url.empty() && n.url.back() == '/') n.url.pop_back();
  if (n.url.size() >= 4 && n.url.compare(n.url.size() - 4, 4, "/api") == 0)
    n.url.resize(n.url.size() - 4);
  if (n.url.rfind("http://", 0) != 0 && n.url.rfind("https://", 0) != 0) {
    return InvalidArgument("node " + n.id + ": url must start with http:// or https://");
  }
  if (n.url.find_first_of(" \r\n\t?#") != std::string::npos) {
    return InvalidArgument("node " + n.id + ": url must not contain spaces, '?' or '#'");
  }
  if (n.country.size() > 8) return InvalidArgument("node " + n.id + ": country is too long");
  return Status::Ok();
}

// The query string of a forwarded GET, re-encoded from the decoded parameters.
std::string EncodeQuery(const http::QueryParams& q) {
  std::string out;
  for (const auto& [k, v] : q) {
    if (!out.empty()) out += '&';
    out += http::PercentEncode(k) + "=" + http::PercentEncode(v);
  }
  return out;
}

void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

bool Sha256(std::string_view in, unsigned char out[32]) {
  unsigned int len = 0;
  return EVP_Digest(in.data(), in.size(), out, &len, EVP_sha256(), nullptr) == 1 && len == 32;
}

}  // namespace

Status CheckAdminToken(const std::string* authorization, const std::string& expected) {
  if (expected.empty()) {
    return PermissionDenied("the admin API is disabled: no admin token is configured");
  }
  if (authorization == nullptr) {
    return Unauthenticated("the admin API needs 'Authorization: Bearer <admin token>'");
  }
  std::string_view a = *authorization;
  if (a.size() < 7 || !std::equal(a.begin(), a.begin() + 7, "bearer ", [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == y;
      })) {
    return Unauthenticated("the admin API needs 'Authorization: Bearer <admin token>'");
  }
  std::string_view token = a.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return Unauthenticated("empty bearer token");
  // Digests first, so the comparison takes the same time whatever the lengths.
  unsigned char got[32], want[32];
  if (!Sha256(token, got) || !Sha256(expected, want)) return Internal("SHA-256 failed");
  bool same = CRYPTO_memcmp(got, want, sizeof got) == 0;
  OPENSSL_cleanse(got, sizeof got);
  OPENSSL_cleanse(want, sizeof want);
  if (!same) return PermissionDenied("wrong admin token");
  return Status::Ok();
}

Result<std::unique_ptr<Hub>> Hub::Start(HubOptions options) {
  std::unique_ptr<Hub> hub(new Hub());
  const HubConfig& cfg = options.config;
  if (cfg.id.empty()) return InvalidArgument("[hub] id is not set");
  hub->identity_.id = cfg.id;
  hub->identity_.name = cfg.name;
  if (const char* token = std::getenv(cfg.admin_token_env.c_str()); token != nullptr) {
    hub->admin_token_ = token;
  }
  if (hub->admin_token_.empty()) {
    log::warn("hub {}: ${} is not set: the admin API is disabled", cfg.id, cfg.admin_token_env);
  }
  const std::string& db = options.db_override.empty() ? cfg.db : options.db_override;
  GF_ASSIGN_OR_RETURN(hub->repository_, OpenRepository(db));
  log::info("hub {}: state in {} ({})", cfg.id, RedactDbUrl(db), hub->repository_->backend());
  if (options.enable_access) {
    GF_ASSIGN_OR_RETURN(hub->access_store_, access::RecordStore::Open(db));
    Hub* h = hub.get();
    access::ServiceDeps deps;
    deps.store = hub->access_store_.get();
    deps.catalogue = hub->repository_.get();
    deps.clock_ms = options.clock ? options.clock : Clock(SystemClockMs);
    deps.public_url = [h] { return h->identity_.public_url; };
    deps.matcher = options.consent_matcher ? options.consent_matcher : access::DuoConsentMatcher();
    deps.audit = options.audit;
    GF_ASSIGN_OR_RETURN(hub->access_,
                        access::AccessService::Create(options.access, std::move(deps)));
  }

  // The config is the source of truth for config-registered nodes.
  int64_t now = options.clock ? options.clock() : SystemClockMs();
  std::vector<std::string> configured;
  for (const auto& entry : cfg.nodes) {
    NodeRecord n{entry.id, entry.url, entry.country, "config", now};
    GF_RETURN_IF_ERROR(ValidateNode(n).WithContext("[[nodes]]"));
    GF_RETURN_IF_ERROR(hub->repository_->UpsertNode(n));
    configured.push_back(n.id);
  }
  GF_ASSIGN_OR_RETURN(auto existing, hub->repository_->ListNodes());
  for (const auto& n : existing) {
    if (n.source == "config" &&
        std::find(configured.begin(), configured.end(), n.id) == configured.end()) {
      GF_RETURN_IF_ERROR(hub->repository_->DeleteNode(n.id).status());
    }
  }
  GF_RETURN_IF_ERROR(hub->RefreshNodes());

  hub->client_ = options.client;
  if (!hub->client_) hub->client_ = http::MakeCurlClient();
  hub->harvester_ = std::make_unique<Harvester>(hub->repository_.get(), hub->client_.get(),
                                                cfg.node_timeout_ms, options.clock);

  http::Router router;
  GF_RETURN_IF_ERROR(hub->AddRoutes(router));
  GF_RETURN_IF_ERROR(AddPortalRoutes(
      router, options.portal_dir.empty() ? DefaultPortalDir() : options.portal_dir));
  GF_ASSIGN_OR_RETURN(
      http::ServerOptions so,
      http::MakeServerOptions(
          options.listen_override.empty() ? cfg.listen : options.listen_override, cfg.limits));
  so.server_name = "genomefed-hub";
  so.access_log = options.access_log;
  Hub* self = hub.get();
  so.error_formatter = [self](int status, std::string_view message) {
    return JsonResponse(ErrorResponse(self->identity_, status, message), status);
  };
  hub->options_ = std::move(options);
  GF_ASSIGN_OR_RETURN(hub->server_, http::Server::Start(std::move(so), std::move(router)));
  // The config parser defaults public_url to http://{listen}; with port 0 or a --listen override
  // that is not where the hub is, so the bound address wins then.
  const HubConfig& c = hub->options_.config;
  bool defaulted = c.public_url.empty() || c.public_url == "http://" + c.listen;
  hub->identity_.public_url = defaulted ? hub->server_->base_url() : c.public_url;
  while (!hub->identity_.public_url.empty() && hub->identity_.public_url.back() == '/') {
    hub->identity_.public_url.pop_back();
  }
  if (hub->options_.background_harvest) {
    hub->harvest_thread_ = std::thread([self] { self->HarvestLoop(); });
  }
  log::info("hub {}: Beacon network over {} node(s) at {}/api", hub->identity_.id,
            hub->Nodes().size(), hub->server_->base_url());
  return hub;
}

Hub::~Hub() {
  Stop();
  Wipe(admin_token_);
}

uint16_t Hub::port() const { return server_->port(); }
std::string Hub::base_url() const { return server_->base_url(); }

void Hub::RunUntilSignal() {
  server_->RunUntilSignal();
  Stop();
}

void Hub::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (server_) server_->Stop();
  if (harvest_thread_.joinable()) harvest_thread_.join();
}

Status Hub::RefreshNodes() {
  GF_ASSIGN_OR_RETURN(auto nodes, repository_->ListNodes());
  std::lock_guard lock(mu_);
  nodes_ = std::move(nodes);
  return Status::Ok();
}

std::vector<NodeRecord> Hub::Nodes() const {
  std::lock_guard lock(mu_);
  return nodes_;
}

Status Hub::RegisterNode(NodeRecord node) {
  GF_RETURN_IF_ERROR(ValidateNode(node));
  if (node.registered_at_ms == 0) {
    node.registered_at_ms = options_.clock ? options_.clock() : SystemClockMs();
  }
  GF_RETURN_IF_ERROR(repository_->UpsertNode(node));
  GF_RETURN_IF_ERROR(RefreshNodes());
  {
    std::lock_guard lock(mu_);
    harvest_requested_ = true;
  }
  wake_.notify_all();
  return Status::Ok();
}

Result<bool> Hub::UnregisterNode(const std::string& id) {
  GF_ASSIGN_OR_RETURN(bool removed, repository_->DeleteNode(id));
  GF_RETURN_IF_ERROR(RefreshNodes());
  return removed;
}

std::vector<HarvestOutcome> Hub::HarvestNow() {
  std::lock_guard lock(harvest_mu_);
  return harvester_->Harvest(Nodes());
}

void Hub::HarvestLoop() {
  const uint32_t interval_s = options_.config.harvest_interval_s;
  while (true) {
    HarvestNow();
    std::unique_lock lock(mu_);
    auto ready = [this] { return stopping_ || harvest_requested_; };
    if (interval_s == 0) {
      wake_.wait(lock, ready);
    } else {
      wake_.wait_for(lock, std::chrono::seconds(interval_s), ready);
    }
    if (stopping_) return;
    harvest_requested_ = false;
  }
}

Status Hub::AddRoutes(http::Router& router) {
  auto beacon_error = [this](const Status& s, const beacon::BeaconRequest* r = nullptr) {
    int code = HttpStatusFor(s.code());
    return JsonResponse(ErrorResponse(identity_, code, s.message(), r), code);
  };
  auto parse = [](const http::Request& req) -> Result<beacon::BeaconRequest> {
    if (req.method == "POST") return beacon::ParsePostRequest(req.body);
    return beacon::ParseGetRequest(beacon::QueryMap(req.query.begin(), req.query.end()));
  };
  // Forwards `req` to `path` on each of `nodes` at once and collects the answers.
  auto fan_out = [this](const std::vector<NodeRecord>& nodes, const http::Request& req,
                        const std::string& path) {
    std::vector<http::ClientRequest> requests;
    std::string qs = req.method == "POST" ? std::string() : EncodeQuery(req.query);
    for (const auto& n : nodes) {
      http::ClientRequest c;
      c.method = req.method == "POST" ? "POST" : "GET";
      c.url = n.url + path + (qs.empty() ? "" : "?" + qs);
      c.timeout_ms = options_.config.node_timeout_ms;
      c.headers.emplace_back("Accept", "application/json");
      if (const std::string* auth = req.Header("authorization")) {
        c.headers.emplace_back("Authorization", *auth);
      }
      // The node keeps anonymous callers' budgets per client; it believes this header only
      // from peers it lists in trusted_proxies.
      const std::string peer = http::ClientIp(req, {});
      const std::string* xff = req.Header("x-forwarded-for");
      c.headers.emplace_back("X-Forwarded-For",
                             xff != nullptr && xff->size() < 1024 ? *xff + ", " + peer : peer);
      if (c.method == "POST") {
        c.headers.emplace_back("Content-Type", "application/json");
        c.body = req.body;
      }
      requests.push_back(std::move(c));
    }
    auto replies = client_->SendAll(requests);
    std::vector<NodeAnswer> answers;
    for (size_t i = 0; i < nodes.size(); ++i) {
      NodeAnswer a;
      a.node_id = nodes[i].id;
      a.country = nodes[i].country;
      if (replies[i].ok()) {
        a.reached = true;
        a.http_status = replies[i]->status;
        a.body = std::move(replies[i]->body);
        a.elapsed_ms = replies[i]->elapsed_ms;
      } else {
        a.error = std::string(StatusCodeName(replies[i].status().code())) + ": " +
                  replies[i].status().message();
        if (replies[i].status().code() == StatusCode::kDeadlineExceeded) {
          a.elapsed_ms = options_.config.node_timeout_ms;
        }
      }
      answers.push_back(std::move(a));
    }
    return answers;
  };

  // Result-set endpoints over every node: {id} is forwarded percent-encoded.
  auto network = [this, parse, fan_out, beacon_error](std::string path_prefix,
                                                      std::string path_suffix, std::string entity,
                                                      bool by_id) {
    return [=, this](const http::Request& req) {
      auto r = parse(req);
      if (!r.ok()) return beacon_error(r.status());
      std::string path = path_prefix;
      if (const std::string* id = req.PathParam("id")) path += "/" + http::PercentEncode(*id);
      path += path_suffix;
      auto answers = fan_out(Nodes(), req, path);
      if (by_id && !answers.empty() &&
          std::all_of(answers.begin(), answers.end(),
                      [](const NodeAnswer& a) { return a.reached && a.http_status == 404; })) {
        return beacon_error(NotFound("no node knows '" + req.PathParam("id")->substr(0, 80) + "'"),
                            &*r);
      }
      return JsonResponse(MergeResultsets(identity_, *r, entity, by_id, answers));
    };
  };
  // Dataset-scoped queries go to the one node that holds "nodeId:datasetId".
  auto dataset_scoped = [this, parse, fan_out, beacon_error](std::string suffix,
                                                             std::string entity) {
    return [=, this](const http::Request& req) {
      auto r = parse(req);
      if (!r.ok()) return beacon_error(r.status());
      const std::string& id = *req.PathParam("id");
      size_t colon = id.find(':');
      std::vector<NodeRecord> target;
      if (colon != std::string::npos) {
        for (const auto& n : Nodes()) {
          if (n.id == id.substr(0, colon)) target.push_back(n);
        }
      }
      if (target.empty()) {
        return beacon_error(
            NotFound("no dataset '" + id.substr(0, 80) + "'; ids are 'nodeId:datasetId'"), &*r);
      }
      std::string path = "/api/datasets/" + http::PercentEncode(id.substr(colon + 1)) + suffix;
      return JsonResponse(
          MergeResultsets(identity_, *r, entity, /*by_id=*/false, fan_out(target, req, path)));
    };
  };
  auto states = [this]() -> Result<std::vector<NodeState>> {
    return repository_->ListNodeStates();
  };

  // Informational endpoints.
  auto info = [this, states, beacon_error](const http::Request&) {
    auto s = states();
    if (!s.ok()) return beacon_error(s.status());
    return JsonResponse(InfoResponse(identity_, *s));
  };
  GF_RETURN_IF_ERROR(router.Get("/api", info));
  GF_RETURN_IF_ERROR(router.Get("/api/info", info));
  GF_RETURN_IF_ERROR(router.Get("/api/service-info", [this](const http::Request&) {
    return JsonResponse(ServiceInfoResponse(identity_));
  }));
  GF_RETURN_IF_ERROR(router.Get(
      "/api/map", [this](const http::Request&) { return JsonResponse(MapResponse(identity_)); }));
  GF_RETURN_IF_ERROR(router.Get("/api/configuration", [this](const http::Request&) {
    return JsonResponse(ConfigurationResponse(identity_));
  }));
  GF_RETURN_IF_ERROR(router.Get("/api/entry_types", [this](const http::Request&) {
    return JsonResponse(EntryTypesResponse(identity_));
  }));
  auto terms = [this, beacon_error](const http::Request&) {
    auto t = repository_->ListTerms();
    if (!t.ok()) return beacon_error(t.status());
    return JsonResponse(FilteringTermsResponse(identity_, *t));
  };
  GF_RETURN_IF_ERROR(router.Get("/api/filtering_terms", terms));
  GF_RETURN_IF_ERROR(router.Post("/api/filtering_terms", terms));
  auto datasets = [this, parse, states, beacon_error](const http::Request& req) {
    auto r = parse(req);
    beacon::BeaconRequest request = r.ok() ? *r : beacon::BeaconRequest{};
    auto s = states();
    if (!s.ok()) return beacon_error(s.status());
    auto d = repository_->ListDatasets();
    if (!d.ok()) return beacon_error(d.status());
    const std::string* id = req.PathParam("id");
    json out = DatasetsResponse(identity_, request, *s, *d, id ? *id : std::string());
    if (id && out["response"]["collections"].empty()) {
      return beacon_error(NotFound("no dataset '" + id->substr(0, 80) +
                                   "' in the catalogue; ids are "
                                   "'nodeId:datasetId'"),
                          &request);
    }
    return JsonResponse(out);
  };
  GF_RETURN_IF_ERROR(router.Get("/api/datasets", datasets));
  GF_RETURN_IF_ERROR(router.Post("/api/datasets", datasets));
  GF_RETURN_IF_ERROR(router.Get("/api/datasets/{id}", datasets));

  // The Beacon network proper.
  for (const char* method : {"GET", "POST"}) {
    GF_RETURN_IF_ERROR(router.Add(method, "/api/g_variants",
                                  network("/api/g_variants", "", "genomicVariation", false)));
    GF_RETURN_IF_ERROR(router.Add(method, "/api/g_variants/{id}",
                                  network("/api/g_variants", "", "genomicVariation", true)));
    GF_RETURN_IF_ERROR(router.Add(method, "/api/g_variants/{id}/individuals",
                                  network("/api/g_variants", "/individuals", "individual", true)));
    GF_RETURN_IF_ERROR(router.Add(method, "/api/individuals",
                                  network("/api/individuals", "", "individual", false)));
    GF_RETURN_IF_ERROR(router.Add(method, "/api/datasets/{id}/g_variants",
                                  dataset_scoped("/g_variants", "genomicVariation")));
    GF_RETURN_IF_ERROR(router.Add(method, "/api/datasets/{id}/individuals",
                                  dataset_scoped("/individuals", "individual")));
  }
  GF_RETURN_IF_ERROR(
      router.Get("/api/individuals/{id}", network("/api/individuals", "", "individual", true)));
  GF_RETURN_IF_ERROR(router.Get("/api/cohorts", [this, parse, fan_out](const http::Request& req) {
    auto r = parse(req);
    beacon::BeaconRequest request = r.ok() ? *r : beacon::BeaconRequest{};
    return JsonResponse(
        MergeCollections(identity_, request, "cohort", fan_out(Nodes(), req, "/api/cohorts")));
  }));

  // Catalogue search.
  GF_RETURN_IF_ERROR(router.Get("/api/catalogue", [this, states](const http::Request& req) {
    auto q = ParseCatalogueQuery(req.query);
    if (!q.ok()) return http::ErrorResponse(q.status());
    auto s = states();
    if (!s.ok()) return http::ErrorResponse(s.status());
    auto d = repository_->ListDatasets();
    if (!d.ok()) return http::ErrorResponse(d.status());
    auto t = repository_->ListTerms();
    if (!t.ok()) return http::ErrorResponse(t.status());
    return JsonResponse(SearchCatalogue(*q, *s, *d, *t));
  }));

  // Admin API.
  auto admin = [this](const http::Request& req) -> std::optional<http::Response> {
    Status s = CheckAdminToken(req.Header("authorization"), admin_token_);
    if (s.ok()) return std::nullopt;
    http::Response r = http::ErrorResponse(s);
    if (s.code() == StatusCode::kUnauthenticated) {
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"genomefed-hub admin\"");
    }
    log::warn("hub: admin request {} {} from {} refused: {}", req.method, req.path,
              req.client_address, StatusCodeName(s.code()));
    return r;
  };
  auto state_json = [](const NodeState& n) {
    return json{{"id", n.node.id},
                {"url", n.node.url},
                {"country", n.node.country},
                {"source", n.node.source},
                {"stale", n.stale},
                {"lastSuccess", FormatTime(n.last_success_ms)},
                {"lastAttempt", FormatTime(n.last_attempt_ms)},
                {"lastError", n.last_error}};
  };
  GF_RETURN_IF_ERROR(
      router.Get("/api/admin/nodes", [admin, states, state_json](const http::Request& req) {
        if (auto denied = admin(req)) return *denied;
        auto s = states();
        if (!s.ok()) return http::ErrorResponse(s.status());
        json list = json::array();
        for (const auto& n : *s) list.push_back(state_json(n));
        return JsonResponse(json{{"nodes", std::move(list)}});
      }));
  GF_RETURN_IF_ERROR(router.Post("/api/admin/nodes", [this, admin](const http::Request& req) {
    if (auto denied = admin(req)) return *denied;
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || !body.contains("id") || !body["id"].is_string() ||
        !body.contains("url") || !body["url"].is_string() ||
        (body.contains("country") && !body["country"].is_string())) {
      return http::ErrorResponse(
          InvalidArgument("body must be JSON {\"id\": …, \"url\": …, \"country\": …}"));
    }
    NodeRecord n{body["id"].get<std::string>(), body["url"].get<std::string>(),
                 body.value("country", std::string()), "admin", 0};
    Status s = RegisterNode(n);
    if (!s.ok()) return http::ErrorResponse(s);
    log::info("hub: node {} registered through the admin API", n.id);
    return JsonResponse(
        json{{"id", n.id}, {"url", n.url}, {"country", n.country}, {"source", "admin"}}, 201);
  }));
  GF_RETURN_IF_ERROR(
      router.Add("DELETE", "/api/admin/nodes/{id}", [this, admin](const http::Request& req) {
        if (auto denied = admin(req)) return *denied;
        auto removed = UnregisterNode(*req.PathParam("id"));
        if (!removed.ok()) return http::ErrorResponse(removed.status());
        if (!*removed) {
          return http::ErrorResponse(
              NotFound("no node '" + req.PathParam("id")->substr(0, 64) + "'"));
        }
        log::info("hub: node {} removed through the admin API", *req.PathParam("id"));
        http::Response r;
        r.status = 204;
        r.body.clear();
        return r;
      }));
  GF_RETURN_IF_ERROR(router.Post("/api/admin/harvest", [this, admin](const http::Request& req) {
    if (auto denied = admin(req)) return *denied;
    json list = json::array();
    for (const auto& o : HarvestNow()) {
      json e = {{"id", o.node_id}, {"ok", o.ok}, {"datasets", o.datasets}, {"terms", o.terms}};
      if (!o.ok) e["error"] = o.error;
      list.push_back(std::move(e));
    }
    return JsonResponse(json{{"harvested", std::move(list)}});
  }));
  if (access_) GF_RETURN_IF_ERROR(access::AddAccessRoutes(router, access_.get(), &admin_token_));
  return Status::Ok();
}

}  // namespace genomefed::hub
