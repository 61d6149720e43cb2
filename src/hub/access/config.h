// Settings of the hub's controlled-access component (accounts, applications, DAC decisions and
// the passport broker), the `[access]` table of hub.toml (docs/access.md lists every key).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "hub/access/credentials.h"

namespace genomefed::hub::access {

struct AccessConfig {
  // Where the broker's signing keys live (0700 dir, 0600 PEMs). Empty: in memory only, new keys
  // at every start (tests and demos; passports then stop verifying after a restart).
  std::filesystem::path keys_dir;
  PasswordCost password;  // argon2id cost of new hashes
  uint32_t login_max_failures_per_account = 5;
  uint32_t login_max_failures_per_address = 20;
  uint32_t login_window_s = 900;
  uint32_t session_ttl_s = 8 * 3600;
  uint32_t passport_ttl_s = 3600;        // exp of /api/passport tokens (visas: the grant's end)
  uint32_t revocation_list_ttl_s = 600;  // exp of the signed revocation list
  bool self_registration = true;         // POST /api/access/register for researchers
  // The value of ResearcherStatus visas the hub asserts (by: so): the Registered Access
  // bona fide researcher definition.
  std::string researcher_status_value = "https://doi.org/10.1038/s41431-018-0219-y";
};

// Reads [access] from the hub's configuration file (absent: the defaults above). Unknown keys and
// bad values name file, line and key; keys_dir is relative to the file.
//
//   [access]
//   keys_dir = "broker-keys"
//   password_ops_limit = 2           # argon2id passes (libsodium opslimit)
//   password_mem_limit_mib = 64      # argon2id memory
//   login_max_failures_per_account = 5
//   login_max_failures_per_address = 20
//   login_window_s = 900
//   session_ttl_s = 28800
//   passport_ttl_s = 3600
//   revocation_list_ttl_s = 600
//   self_registration = true
//   researcher_status_value = "https://doi.org/10.1038/s41431-018-0219-y"
Result<AccessConfig> LoadAccessConfig(const std::filesystem::path& path);
Result<AccessConfig> ParseAccessConfig(std::string_view toml_text, std::string_view source,
                                       const std::filesystem::path& base_dir);

}  // namespace genomefed::hub::access
