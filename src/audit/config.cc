#include "audit/config.h"

#include "core/file.h"
#include "core/toml_reader.h"

namespace genomefed::audit {

Result<AuditConfig> ParseAuditConfig(const toml::table& root, std::string_view source,
                                     const std::filesystem::path& base_dir) {
  AuditConfig cfg;
  const toml::table* t = SubTable(root, "audit");
  if (t == nullptr) return cfg;
  TableReader r(*t, "audit", source);
  GF_RETURN_IF_ERROR(r.Path("path", cfg.log.path, base_dir));
  GF_RETURN_IF_ERROR(r.Path("signing_key", cfg.log.signing_key_pem, base_dir));
  GF_RETURN_IF_ERROR(r.Integer("sign_every_records", cfg.log.sign_every_records, 0, 100000000));
  GF_RETURN_IF_ERROR(r.Integer("sign_every_seconds", cfg.log.sign_every_seconds, 0, 86400));
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  if (cfg.log.path.empty()) return r.Error(t, "path", "required when [audit] is present");
  return cfg;
}

Result<AuditConfig> LoadAuditConfig(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(text, path.string()));
  return ParseAuditConfig(root, path.string(), path.parent_path());
}

}  // namespace genomefed::audit
