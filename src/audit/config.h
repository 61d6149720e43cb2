// The `[audit]` section of a node's or the hub's configuration file, owned by the audit
// component (docs/config.md, docs/formats/audit.md):
//
//   [audit]
//   path = "audit.jsonl"              # required to enable the log; relative to the file
//   signing_key = "keys/audit.pem"    # ES256/RS256 PEM for checkpoints; empty: unsigned
//   sign_every_records = 1000
//   sign_every_seconds = 60
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string_view>

#include "audit/audit_log.h"
#include "core/status.h"

namespace genomefed::audit {

struct AuditConfig {
  AuditLog::Options log;  // log.path empty: no [audit] section, the log is off
  bool enabled() const { return !log.path.empty(); }
};

// Reads [audit] from a parsed file; absent section → disabled config. Unknown keys and bad
// values are errors naming file, line and key. Relative paths resolve against `base_dir`.
Result<AuditConfig> ParseAuditConfig(const toml::table& root, std::string_view source,
                                     const std::filesystem::path& base_dir);
// Reads [audit] from the configuration file at `path` (the same file the node or hub loads).
Result<AuditConfig> LoadAuditConfig(const std::filesystem::path& path);

}  // namespace genomefed::audit
