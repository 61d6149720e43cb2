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
#include "hub/fanout.h"
#include "hub/informational.h"
#include "hub/portal.h"
#include "hub/registry.h"

namespace genomefed::hub {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

http::Response JsonResponse(const json& j, int status = 200) {
  return http::Response::Json(Dump(j), status);
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
    if (std::find(configured.begin(), configured.end(), n.id) != configured.end()) {
      return AlreadyExists("[[nodes]]: node id '" + n.id + "' is given twice");
    }
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
  hub->fan_out_ = std::make_unique<FanOut>(hub->client_.get(), cfg.id, cfg.node_timeout_ms);

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
  // Only now is the hub's own address known (port 0): no configured node may be the hub.
  for (const auto& n : hub->Nodes()) {
    Status self_check = CheckNotSelf(n.id, n.url, hub->OwnUrls());
    if (!self_check.ok()) {
      hub->Stop();
      return self_check.WithContext("[[nodes]]");
    }
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
  // Fan-outs still waiting on nodes end within the node time-out; their answers must not
  // outlive the server they answer through.
  if (fan_out_) {
    fan_out_->Drain(std::chrono::milliseconds(options_.config.node_timeout_ms + 2000));
  }
  if (harvest_thread_.joinable()) harvest_thread_.join();
}

std::vector<std::string> Hub::OwnUrls() const {
  std::vector<std::string> out = {identity_.public_url};
  if (server_) out.push_back(server_->base_url());
  return out;
}

Status Hub::RefreshNodes() {
  GF_ASSIGN_OR_RETURN(auto states, repository_->ListNodeStates());
  std::vector<NodeRecord> nodes;
  std::map<std::string, std::string> beacon_ids;
  for (auto& st : states) {
    // The beacon id the node published at its last successful harvest: its answers must carry it.
    json info = json::parse(st.info, nullptr, /*allow_exceptions=*/false);
    if (info.is_object() && info.contains("id") && info["id"].is_string()) {
      beacon_ids[st.node.id] = info["id"].get<std::string>();
    }
    nodes.push_back(std::move(st.node));
  }
  std::lock_guard lock(mu_);
  nodes_ = std::move(nodes);
  beacon_ids_ = std::move(beacon_ids);
  return Status::Ok();
}

std::map<std::string, std::string> Hub::BeaconIds() const {
  std::lock_guard lock(mu_);
  return beacon_ids_;
}

std::vector<NodeRecord> Hub::Nodes() const {
  std::lock_guard lock(mu_);
  return nodes_;
}

Status Hub::RegisterNode(NodeRecord node, bool replace) {
  GF_RETURN_IF_ERROR(ValidateNode(node));
  GF_RETURN_IF_ERROR(CheckNotSelf(node.id, node.url, OwnUrls()));
  // The duplicate check and the insert are one step: two admins cannot both register an id.
  std::lock_guard registering(register_mu_);
  if (!replace) {
    for (const NodeRecord& n : Nodes()) {
      if (n.id == node.id) {
        return AlreadyExists("node '" + node.id + "' is already registered (from " + n.source +
                             "); send \"replace\": true to replace it");
      }
    }
  }
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
  auto outcomes = harvester_->Harvest(Nodes());
  Status s = RefreshNodes();  // the beacon ids just harvested
  if (!s.ok()) log::error("hub: reloading the registry after a harvest: {}", s.message());
  return outcomes;
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
  // Asks `targets` about `path` without holding a server thread: `merge` turns the answers into
  // the response once the last node has answered or timed out (on the HTTP client's thread).
  using Merge = std::function<json(const std::vector<NodeAnswer>&)>;
  auto ask = [this](const http::Request& req, const std::vector<FanOutTarget>& targets,
                    const std::string& path, const http::Responder& respond, Merge merge) {
    fan_out_->Send(req, targets, path, BeaconIds(),
                   [respond, merge = std::move(merge)](std::vector<NodeAnswer> answers) {
                     json out = merge(answers);
                     respond.Send(JsonResponse(out, MergedStatus(out)));
                   });
  };
  // A request that has been through this hub already is not fanned out again (508).
  auto refuse_loop = [this](const http::Request& req, const http::Responder& respond) {
    std::string why = DetectLoop(req, identity_.id);
    if (why.empty()) return false;
    log::warn("hub {}: {} {} refused: {}", identity_.id, req.method, req.route, why);
    respond.Send(JsonResponse(ErrorResponse(identity_, 508, why), 508));
    return true;
  };

  // Result-set endpoints over every node (or the nodes of the catalogue ids in datasetIds):
  // {id} is forwarded percent-encoded.
  auto network = [this, parse, ask, refuse_loop, beacon_error](std::string path_prefix,
                                                               std::string path_suffix,
                                                               std::string entity, bool by_id) {
    return [=, this](const http::Request& req, http::Responder respond) {
      if (refuse_loop(req, respond)) return;
      auto r = parse(req);
      if (!r.ok()) return respond.Send(beacon_error(r.status()));
      auto targets = PlanFanOut(*r, Nodes());
      if (!targets.ok()) return respond.Send(beacon_error(targets.status(), &*r));
      std::string path = path_prefix;
      std::string id = by_id ? *req.PathParam("id") : std::string();
      if (by_id) path += "/" + http::PercentEncode(id);
      path += path_suffix;
      ask(req, *targets, path, respond,
          [this, request = *r, entity, by_id, id](const std::vector<NodeAnswer>& answers) {
            if (by_id && !answers.empty() &&
                std::all_of(answers.begin(), answers.end(), [](const NodeAnswer& a) {
                  return a.reached && a.http_status == 404;
                })) {
              return ErrorResponse(identity_, 404, "no node knows '" + id.substr(0, 80) + "'",
                                   &request);
            }
            return MergeResultsets(identity_, request, entity, by_id, answers);
          });
    };
  };
  // Dataset-scoped queries go to the one node that holds "nodeId:datasetId".
  auto dataset_scoped = [this, parse, ask, refuse_loop, beacon_error](std::string suffix,
                                                                      std::string entity) {
    return [=, this](const http::Request& req, http::Responder respond) {
      if (refuse_loop(req, respond)) return;
      auto r = parse(req);
      if (!r.ok()) return respond.Send(beacon_error(r.status()));
      const std::string& id = *req.PathParam("id");
      size_t colon = id.find(':');
      std::vector<FanOutTarget> target;
      if (colon != std::string::npos) {
        for (const auto& n : Nodes()) {
          if (n.id == id.substr(0, colon)) target.push_back({n, {}});
        }
      }
      if (target.empty()) {
        return respond.Send(beacon_error(
            NotFound("no dataset '" + id.substr(0, 80) + "'; ids are 'nodeId:datasetId'"), &*r));
      }
      std::string path = "/api/datasets/" + http::PercentEncode(id.substr(colon + 1)) + suffix;
      ask(req, target, path, respond,
          [this, request = *r, entity](const std::vector<NodeAnswer>& answers) {
            return MergeResultsets(identity_, request, entity, /*by_id=*/false, answers);
          });
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

  // The Beacon network proper: asynchronous handlers (no server thread waits for the nodes).
  for (const char* method : {"GET", "POST"}) {
    GF_RETURN_IF_ERROR(router.AddAsync(method, "/api/g_variants",
                                       network("/api/g_variants", "", "genomicVariation", false)));
    GF_RETURN_IF_ERROR(router.AddAsync(method, "/api/g_variants/{id}",
                                       network("/api/g_variants", "", "genomicVariation", true)));
    GF_RETURN_IF_ERROR(
        router.AddAsync(method, "/api/g_variants/{id}/individuals",
                        network("/api/g_variants", "/individuals", "individual", true)));
    GF_RETURN_IF_ERROR(router.AddAsync(method, "/api/individuals",
                                       network("/api/individuals", "", "individual", false)));
    GF_RETURN_IF_ERROR(router.AddAsync(method, "/api/datasets/{id}/g_variants",
                                       dataset_scoped("/g_variants", "genomicVariation")));
    GF_RETURN_IF_ERROR(router.AddAsync(method, "/api/datasets/{id}/individuals",
                                       dataset_scoped("/individuals", "individual")));
  }
  GF_RETURN_IF_ERROR(router.AddAsync("GET", "/api/individuals/{id}",
                                     network("/api/individuals", "", "individual", true)));
  GF_RETURN_IF_ERROR(router.AddAsync(
      "GET", "/api/cohorts",
      [this, parse, ask, refuse_loop](const http::Request& req, http::Responder respond) {
        if (refuse_loop(req, respond)) return;
        auto r = parse(req);
        beacon::BeaconRequest request = r.ok() ? *r : beacon::BeaconRequest{};
        std::vector<FanOutTarget> targets;
        for (const auto& n : Nodes()) targets.push_back({n, {}});
        ask(req, targets, "/api/cohorts", respond,
            [this, request](const std::vector<NodeAnswer>& answers) {
              return MergeCollections(identity_, request, "cohort", answers);
            });
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
                {"url", WithoutUserinfo(n.node.url)},
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
    if (body.contains("replace") && !body["replace"].is_boolean()) {
      return http::ErrorResponse(InvalidArgument("\"replace\" must be true or false"));
    }
    NodeRecord n{body["id"].get<std::string>(), body["url"].get<std::string>(),
                 body.value("country", std::string()), "admin", 0};
    Status s = RegisterNode(n, body.value("replace", false));
    if (!s.ok()) return http::ErrorResponse(s);
    (void)ValidateNode(n);  // the stored form: url trimmed, country upper-cased
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
