// A genomefed node: one process serving its datasets as a GA4GH Beacon v2 (framework + default
// model, v2.1.1 schemas) under the base path `/api`, plus `/healthz` and `/metrics`.
//
// This component only wires: the node config (core/config.h NodeConfig) → the variant store
// (store/), the HPO ontology and gene table (ontology/, beacon/gene_table.h) → the Beacon core
// (beacon/, which knows no HTTP) → the HTTP server (http/). It maps every Beacon route onto
// Beacon::Handle, formats every error the HTTP layer produces itself (404 route, 405, 413 …) as a
// Beacon error response, and decides per request what the caller may see through one seam, the
// AccessResolver: by default PolicyAccessResolver (GA4GH Passports verified against [[trust]],
// granularity and disclosure from [policy], the daily rare-allele budget as a release gate).
//
// Thread safety: Start returns a running node; its accessors may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "beacon/beacon.h"
#include "beacon/gene_table.h"
#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "http/server.h"
#include "ontology/ontology.h"
#include "passport/clock.h"
#include "store/store.h"

namespace genomefed::node {

// What one request may receive: per dataset access, and the gate its allele answers must pass.
struct RequestAccess {
  beacon::AccessFn access;
  beacon::ReleaseGate gate;  // empty: always release
};

// Decides, from the request (its Authorization header, client address …), what the caller may
// see. Called once per Beacon request on a server thread; must be thread-safe.
using AccessResolver = std::function<RequestAccess(const http::Request&)>;

// The node's default. GA4GH Passports: the `Authorization: Bearer` passport is verified against
// the config's [[trust]] list (passport::Authorizer, JWKS over `client`; every decision is
// logged, never the token), its visas give an access level per dataset, and
// policy::Policy::AccessFor turns the level into what the Beacon releases. No header, or a
// refused token (also: any token when [[trust]] is empty): anonymous, i.e. PUBLIC — the answer
// is the public one rather than a 401, so a Beacon network client with a stale token still
// gets what everybody gets. Answers that reveal a rare allele to a caller below CONTROLLED
// spend one unit of the caller's daily budget (`query_budget_per_day`; keyed by passport
// identity, or by client address for anonymous callers): HTTP 429 once it is spent.
// Verifier settings come from passport::VerifierOptionsFor(config): `aud` against [node]
// passport_audiences (default public_url), bare visas only with passport_accept_bare_visas,
// the AAI userinfo flow for [[trust]] entries with `userinfo`, and JWKS / userinfo waits
// capped at limits.threads - 1 requests (docs/passports.md).
// `dataset_ids`: the datasets served (their visa values come from the config).
AccessResolver PolicyAccessResolver(const NodeConfig& config,
                                    const std::vector<std::string>& dataset_ids,
                                    std::shared_ptr<http::HttpClient> client,
                                    std::shared_ptr<const passport::Clock> clock = nullptr);

struct NodeOptions {
  NodeConfig config;
  AccessResolver access;  // empty: PolicyAccessResolver (JWKS fetched with libcurl)
  bool access_log = true;
  std::string listen_override;  // "host:port" instead of config.listen (tests use port 0)
};

class Node {
 public:
  // Opens the store under config.data_dir (kNotFound when absent), loads the ontology and the gene
  // table when configured (errors name the file), binds and starts serving.
  static Result<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();

  uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  const beacon::Beacon& beacon() const { return *beacon_; }
  const store::Store& store() const { return *store_; }
  http::Server& server() { return *server_; }

  // Blocks until SIGTERM/SIGINT, then stops gracefully (in-flight requests finish).
  void RunUntilSignal();
  void Stop();

 private:
  Node() = default;
  NodeOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ontology::Ontology> hpo_;
  std::unique_ptr<beacon::GeneTable> genes_;
  std::unique_ptr<beacon::Beacon> beacon_;
  std::unique_ptr<http::Server> server_;
};

// Registers every Beacon route of `beacon` under `base` ("/api") on `router`, with `access`
// deciding per request. Exposed so that the hub can serve the same API shape.
Status AddBeaconRoutes(http::Router& router, std::string_view base, const beacon::Beacon* beacon,
                       AccessResolver access);

}  // namespace genomefed::node
