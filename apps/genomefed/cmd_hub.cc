// genomefed hub: serve the federation's node registry, catalogue and Beacon network until SIGTERM.
#include <iostream>

#include "apps/genomefed/commands.h"
#include "hub/hub.h"
#include "hub/portal.h"

namespace genomefed::cli {

void RegisterHub(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand(
      "hub", "Serve the hub: Beacon network over the nodes (/api), catalogue, admin API");
  auto config_path = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>();
  auto db = std::make_shared<std::string>();
  cmd->add_option("--config", *config_path, "hub.toml ([hub], [[nodes]], [[trust]], [limits])")
      ->required();
  cmd->add_option("--listen", *listen, "host:port overriding [hub] listen");
  cmd->add_option("--db", *db, "sqlite:PATH or postgresql://… overriding [hub] db");
  cmd->callback([&ctx, config_path, listen, db] {
    auto config = LoadHubConfig(*config_path);
    if (!config.ok()) return Report(ctx, "hub", config.status());
    auto portal = hub::LoadPortalConfig(*config_path);
    if (!portal.ok()) return Report(ctx, "hub", portal.status());
    hub::HubOptions options;
    options.config = std::move(config).value();
    options.portal_dir = portal->dir;
    options.listen_override = *listen;
    options.db_override = *db;
    auto hub = hub::Hub::Start(std::move(options));
    if (!hub.ok()) return Report(ctx, "hub", hub.status());
    // One line on stdout so scripts can find the bound port (useful with port 0).
    std::cout << "genomefed hub listening on " << (*hub)->base_url() << "/api" << std::endl;
    (*hub)->RunUntilSignal();
  });
}

}  // namespace genomefed::cli
