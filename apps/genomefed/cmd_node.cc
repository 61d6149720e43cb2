// genomefed node: serve this node's datasets as a GA4GH Beacon v2 under /api until SIGTERM.
#include <iostream>

#include "apps/genomefed/commands.h"
#include "audit/config.h"
#include "node/node.h"

namespace genomefed::cli {

void RegisterNode(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand(
      "node", "Serve the node's datasets as a GA4GH Beacon v2 (base /api, /healthz, /metrics)");
  auto config_path = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>();
  cmd->add_option("--config", *config_path, "node.toml ([node], [policy], [[trust]], [[datasets]])")
      ->required();
  cmd->add_option("--listen", *listen, "host:port overriding [node] listen");
  cmd->callback([&ctx, config_path, listen] {
    auto config = LoadNodeConfig(*config_path);
    if (!config.ok()) return Report(ctx, "node", config.status());
    node::NodeOptions options;
    options.config = std::move(config).value();
    // [audit]: every delivery decision is recorded before its answer leaves
    // (docs/formats/audit.md).
    auto audit_config = audit::LoadAuditConfig(*config_path);
    if (!audit_config.ok()) return Report(ctx, "node", audit_config.status());
    if (audit_config->enabled()) {
      auto audit_log = audit::AuditLog::Open(audit_config->log);
      if (!audit_log.ok()) return Report(ctx, "node", audit_log.status());
      options.delivery.audit = std::shared_ptr<audit::AuditLog>(std::move(audit_log).value());
    }
    auto revocations = node::LoadRevocationOptions(*config_path);
    if (!revocations.ok()) return Report(ctx, "node", revocations.status());
    options.revocations = std::move(revocations).value();
    options.listen_override = *listen;
    auto node = node::Node::Start(std::move(options));
    if (!node.ok()) return Report(ctx, "node", node.status());
    // One line on stdout so scripts can find the bound port (useful with port 0).
    std::cout << "genomefed node listening on " << (*node)->base_url() << "/api" << std::endl;
    (*node)->RunUntilSignal();
  });
}

}  // namespace genomefed::cli
