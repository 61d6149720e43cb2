#include "hub/access/config.h"

#include "core/file.h"
#include "core/toml_reader.h"

namespace genomefed::hub::access {

Result<AccessConfig> ParseAccessConfig(std::string_view toml_text, std::string_view source,
                                       const std::filesystem::path& base_dir) {
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(toml_text, source));
  AccessConfig cfg;
  const toml::table* t = SubTable(root, "access");
  if (t == nullptr) return cfg;
  TableReader r(*t, "access", source);
  GF_RETURN_IF_ERROR(r.Path("keys_dir", cfg.keys_dir, base_dir));
  GF_RETURN_IF_ERROR(r.Integer("password_ops_limit", cfg.password.ops_limit, 1, 100));
  uint64_t mib = cfg.password.mem_limit >> 20;
  GF_RETURN_IF_ERROR(r.Integer("password_mem_limit_mib", mib, 8, 4096));
  cfg.password.mem_limit = mib << 20;
  GF_RETURN_IF_ERROR(
      r.Integer("login_max_failures_per_account", cfg.login_max_failures_per_account, 1, 1000));
  GF_RETURN_IF_ERROR(
      r.Integer("login_max_failures_per_address", cfg.login_max_failures_per_address, 1, 100000));
  GF_RETURN_IF_ERROR(r.Integer("login_window_s", cfg.login_window_s, 1, 86400));
  GF_RETURN_IF_ERROR(r.Integer("session_ttl_s", cfg.session_ttl_s, 60, 30 * 86400));
  GF_RETURN_IF_ERROR(r.Integer("passport_ttl_s", cfg.passport_ttl_s, 60, 86400));
  GF_RETURN_IF_ERROR(r.Integer("revocation_list_ttl_s", cfg.revocation_list_ttl_s, 60, 86400));
  GF_RETURN_IF_ERROR(r.Bool("self_registration", cfg.self_registration));
  GF_RETURN_IF_ERROR(r.String("researcher_status_value", cfg.researcher_status_value));
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  return cfg;
}

Result<AccessConfig> LoadAccessConfig(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseAccessConfig(text, path.string(), path.parent_path());
}

}  // namespace genomefed::hub::access
