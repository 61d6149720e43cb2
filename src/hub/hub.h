// The genomefed hub: the federation's discovery point. It keeps the node registry and the
// harvested metadata catalogue (hub/repository.h, SQLite or PostgreSQL), serves the GA4GH
// Beacon v2 API (framework v2.1.1) as a Beacon network — every query fans out to all nodes at
// once and the answers are merged (hub/network.h) — plus the catalogue search
// (`GET /api/catalogue`), the admin API (`/api/admin/nodes`, `/api/admin/harvest`, bearer admin
// token), `/healthz` and `/metrics`. It never stores genotypes. See docs/hub.md.
//
// Thread safety: Start returns a running hub; its methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "http/server.h"
#include "hub/access/config.h"
#include "hub/access/records.h"
#include "hub/access/service.h"
#include "hub/fanout.h"
#include "hub/harvester.h"
#include "hub/network.h"
#include "hub/repository.h"

namespace genomefed::hub {

struct HubOptions {
  HubConfig config;
  std::string listen_override;  // "host:port" instead of config.listen (tests use port 0)
  std::string db_override;      // instead of config.db
  std::shared_ptr<http::HttpClient> client;  // null: MakeCurlClient()
  Clock clock;                               // null: SystemClockMs
  bool access_log = true;
  // Harvest at start and every config.harvest_interval_s in a background thread (0 disables the
  // schedule; POST /api/admin/harvest and Hub::HarvestNow still work).
  bool background_harvest = true;
  // Controlled access (hub/access/, docs/access.md): accounts, applications, DAC decisions and
  // the passport broker, state in the same database.
  bool enable_access = true;
  access::AccessConfig access;
  access::ConsentMatcher consent_matcher;  // null: the DUO matcher (duo/match.h)
  access::AuditSink audit;                 // null: state changes are not audited
  // The built portal served at / (docs/portal.md); empty: DefaultPortalDir().
  std::filesystem::path portal_dir;
};

class Hub {
 public:
  // Opens and migrates the database, registers the configured nodes (those registered by an
  // earlier config and no longer in it are removed; admin-registered ones stay), binds and
  // starts serving. The admin token is read once from the environment variable named by
  // config.admin_token_env; when unset or empty, the admin API answers 403.
  static Result<std::unique_ptr<Hub>> Start(HubOptions options);
  ~Hub();

  uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  Repository& repository() { return *repository_; }
  access::AccessService* access() { return access_.get(); }

  // Harvests every registered node now and waits for the outcome.
  std::vector<HarvestOutcome> HarvestNow();

  // Registry changes (the admin API calls these). RegisterNode applies hub/registry.h's rules
  // and refuses an id already registered (kAlreadyExists) unless `replace`.
  Status RegisterNode(NodeRecord node, bool replace = false);
  Result<bool> UnregisterNode(const std::string& id);
  std::vector<NodeRecord> Nodes() const;

  void RunUntilSignal();
  void Stop();

 private:
  Hub() = default;
  Status RefreshNodes();
  std::map<std::string, std::string> BeaconIds() const;
  std::vector<std::string> OwnUrls() const;  // public URL and bound base URL
  Status AddRoutes(http::Router& router);
  void HarvestLoop();

  HubOptions options_;
  HubIdentity identity_;
  std::string admin_token_;  // wiped in the destructor
  std::unique_ptr<Repository> repository_;
  std::unique_ptr<access::RecordStore> access_store_;
  std::unique_ptr<access::AccessService> access_;
  std::shared_ptr<http::HttpClient> client_;
  std::unique_ptr<Harvester> harvester_;
  std::unique_ptr<FanOut> fan_out_;
  std::unique_ptr<http::Server> server_;

  mutable std::mutex mu_;
  std::vector<NodeRecord> nodes_;  // GUARDED_BY(mu_): cached registry for the fan-out
  std::map<std::string, std::string> beacon_ids_;  // GUARDED_BY(mu_): node id → harvested id
  bool stopping_ = false;                          // GUARDED_BY(mu_)
  bool harvest_requested_ = false;                 // GUARDED_BY(mu_)
  std::condition_variable wake_;
  std::thread harvest_thread_;
  std::mutex harvest_mu_;   // one harvest at a time
  std::mutex register_mu_;  // one registration at a time
};

// Bearer-token check for the admin API: OK when `authorization` is "Bearer <expected>";
// kUnauthenticated when absent or not a bearer token, kPermissionDenied when wrong or when no
// admin token is configured. Compares SHA-256 digests in constant time.
Status CheckAdminToken(const std::string* authorization, const std::string& expected);

}  // namespace genomefed::hub
