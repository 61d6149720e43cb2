#include "node/node.h"

#include <ctime>

#include "core/log.h"
#include "node/delivery.h"
#include "node/stored_assembly.h"
#include "passport/clock.h"
#include "passport/node_settings.h"
#include "passport/rights.h"
#include "policy/policy.h"

namespace genomefed::node {

AccessResolver PolicyAccessResolver(const NodeConfig& config,
                                    const std::vector<std::string>& dataset_ids,
                                    std::shared_ptr<http::HttpClient> client,
                                    std::shared_ptr<const passport::Clock> clock,
                                    std::shared_ptr<const RevocationList> revocations) {
  if (!clock) clock = std::make_shared<passport::SystemClock>();
  auto authorizer = std::make_shared<passport::Authorizer>(config.trust, std::move(client), clock,
                                                           passport::VerifierOptionsFor(config));
  auto policy = std::make_shared<policy::Policy>(config.policy, clock);
  auto to_beacon = [](const policy::Policy::DatasetAccess& a) {
    return beacon::DatasetAccess{a.max_granularity, a.min_count, a.exact_counts, a.rare_below};
  };
  const beacon::DatasetAccess anonymous =
      to_beacon(policy->AccessFor(passport::AccessLevel::kPublic));
  // The gate charges one unit per answer that reveals a rare allele (the Beacon core flags
  // those results only for budgeted callers, see DatasetAccess::rare_below). Without a budget
  // there is no gate, and no budget key is worked out per request.
  auto gate_for =
      [policy, budgeted = config.policy.query_budget_per_day > 0, proxies = config.trusted_proxies](
          const passport::CallerRights& rights, const http::Request& req) -> beacon::ReleaseGate {
    if (!budgeted) return nullptr;
    return [policy, key = policy::BudgetKey(rights, http::ClientIp(req, proxies))](
               const std::vector<beacon::DatasetResult>& rs) {
      for (const auto& r : rs) {
        if (r.rare_hit) return policy->ChargeRareQuery(key);
      }
      return Status::Ok();
    };
  };
  const std::vector<passport::DatasetRef> refs = passport::DatasetRefsFor(config, dataset_ids);
  return [authorizer, policy, to_beacon, anonymous, refs, gate_for,
          revocations](const http::Request& req) -> RequestAccess {
    const std::string* auth = req.Header("authorization");
    if (auth == nullptr || auth->empty()) {
      return {[anonymous](std::string_view) { return anonymous; },
              gate_for(passport::CallerRights{}, req)};
    }
    auto rights = std::make_shared<passport::CallerRights>(
        revocations ? AuthorizeUnlessRevoked(*authorizer, *revocations, *auth, refs)
                    : authorizer->Authorize(*auth, refs));
    return {[rights, policy, to_beacon](std::string_view dataset_id) {
              return to_beacon(policy->AccessFor(rights->LevelFor(dataset_id)));
            },
            gate_for(*rights, req)};
  };
}

Status AddBeaconRoutes(http::Router& router, std::string_view base, const beacon::Beacon* beacon,
                       AccessResolver access) {
  std::string prefix(base);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  for (const auto& route : beacon::Routes()) {
    std::string pattern = route.pattern == "/" ? (prefix.empty() ? "/" : prefix)
                                               : prefix + std::string(route.pattern);
    beacon::Endpoint endpoint = route.endpoint;
    GF_RETURN_IF_ERROR(
        router.Add(route.method, pattern, [beacon, access, endpoint](const http::Request& req) {
          beacon::Call call;
          call.endpoint = endpoint;
          call.method = req.method == "HEAD" ? "GET" : req.method;
          if (const std::string* id = req.PathParam("id")) call.id = *id;
          call.query = beacon::QueryMap(req.query.begin(), req.query.end());
          call.body = req.body;
          RequestAccess caller = access(req);
          beacon::Reply reply = beacon->Handle(call, caller.access, caller.gate);
          http::Response res = http::Response::Json(std::move(reply.body), reply.status);
          if (reply.status == 429) {
            // Budgets are per UTC day: say when this one is restored (RFC 9110).
            res.headers.emplace_back(
                "Retry-After", std::to_string(policy::SecondsToNextUtcDay(std::time(nullptr))));
          }
          return res;
        }));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  std::unique_ptr<Node> node(new Node());
  const NodeConfig& cfg = options.config;
  if (cfg.data_dir.empty()) return InvalidArgument("[node] data_dir is not set");
  GF_RETURN_IF_ERROR(passport::ValidateTrustList(cfg.trust));
  if (!std::filesystem::is_directory(cfg.data_dir)) {
    return NotFound("data_dir " + cfg.data_dir.string() +
                    " does not exist; ingest a dataset first (genomefed ingest --data-dir ...)");
  }
  GF_ASSIGN_OR_RETURN(node->store_, store::Store::Open(cfg.data_dir));
  // A damaged dataset is not served; the others are (store::Store::broken).
  for (const auto& [id, status] : node->store_->broken()) {
    log::error("node {}: dataset {} is not served: {}", cfg.id, id, status.message());
  }
  GF_RETURN_IF_ERROR(ReconcileAssemblies(*node->store_, options.config.datasets));
  if (!cfg.hpo_ontology.empty()) {
    auto hpo = ontology::Ontology::Load(cfg.hpo_ontology);
    if (!hpo.ok()) return hpo.status().WithContext("hpo_ontology");
    node->hpo_ = std::make_unique<ontology::Ontology>(std::move(hpo).value());
    log::info("node {}: HPO {} loaded ({} terms)", cfg.id, node->hpo_->version(),
              node->hpo_->size());
  }
  if (!cfg.gene_table.empty()) {
    auto genes = beacon::GeneTable::Load(cfg.gene_table);
    if (!genes.ok()) return genes.status().WithContext("gene_table");
    node->genes_ = std::make_unique<beacon::GeneTable>(std::move(genes).value());
    log::info("node {}: gene table {} loaded ({} genes)", cfg.id, cfg.gene_table.string(),
              node->genes_->size());
  }
  GF_ASSIGN_OR_RETURN(
      http::ServerOptions so,
      http::MakeServerOptions(
          options.listen_override.empty() ? cfg.listen : options.listen_override, cfg.limits));
  so.server_name = "genomefed-node";
  so.access_log = options.access_log;
  // The Beacon (and the default access decision, whose visa values are URLs of this node) is
  // built once the address is bound, so that a node without public_url advertises the port it
  // really listens on, also when it was asked for port 0.
  Node* raw = node.get();
  if (!options.revocations.urls.empty()) {
    node->revocations_ = std::make_shared<RevocationList>(cfg.trust, http::MakeCurlClient(),
                                                          options.clock, options.revocations);
    node->revocations_->Start();
  }
  auto make_router = [raw, &options](const std::string& base_url) -> Result<http::Router> {
    NodeConfig& config = options.config;
    if (config.public_url.empty()) config.public_url = base_url;
    raw->beacon_ = std::make_unique<beacon::Beacon>(config, raw->store_.get(), raw->hpo_.get(),
                                                    raw->genes_.get());
    GF_RETURN_IF_ERROR(raw->beacon_->OpenReferences());
    AccessResolver access = options.access;
    if (!access) {
      // JWKS fetches are bounded by the JwksCache's own time-outs and size limits.
      access = PolicyAccessResolver(config, raw->store_->dataset_ids(), http::MakeCurlClient(),
                                    options.clock, raw->revocations_);
    }
    http::Router router;
    GF_RETURN_IF_ERROR(AddBeaconRoutes(router, "/api", raw->beacon_.get(), access));
    GF_RETURN_IF_ERROR(AddDeliveryRoutes(router, config, options.delivery));
    return router;
  };
  // Errors of the HTTP layer itself (404 route, 413 …) are rendered by the Beacon once it exists.
  so.error_formatter = [raw](int status, std::string_view message) {
    return http::Response::Json(raw->beacon_->ErrorBody(status, message), status);
  };
  GF_ASSIGN_OR_RETURN(node->server_, http::Server::Start(std::move(so), make_router));
  node->options_ = std::move(options);
  log::info("node {}: serving {} dataset(s) at {}/api", node->options_.config.id,
            node->store_->dataset_ids().size(), node->server_->base_url());
  return node;
}

Node::~Node() { Stop(); }

uint16_t Node::port() const { return server_->port(); }
std::string Node::base_url() const { return server_->base_url(); }
void Node::RunUntilSignal() { server_->RunUntilSignal(); }
void Node::Stop() {
  if (server_) server_->Stop();
  if (revocations_) revocations_->Stop();
}

}  // namespace genomefed::node
