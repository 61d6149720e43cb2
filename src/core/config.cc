#include "core/config.h"

#include <toml++/toml.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>

#include "core/file.h"
#include "core/toml_reader.h"

namespace genomefed {

std::string_view GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kBoolean:
      return "boolean";
    case Granularity::kCount:
      return "count";
    case Granularity::kRecord:
      return "record";
  }
  return "boolean";
}

Result<Granularity> ParseGranularity(std::string_view s) {
  if (s == "boolean") return Granularity::kBoolean;
  if (s == "count") return Granularity::kCount;
  if (s == "record") return Granularity::kRecord;
  return InvalidArgument("granularity must be boolean, count or record, not '" + std::string(s) +
                         "'");
}

Result<HostPort> ParseHostPort(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument("listen address must be host:port, not '" + std::string(listen) + "'");
  }
  HostPort hp;
  hp.host = std::string(listen.substr(0, colon));
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  std::string_view port = listen.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return InvalidArgument("bad port in listen address '" + std::string(listen) + "'");
  }
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

std::string CanonicalIp(std::string_view text) {
  const std::string s(text);
  in_addr v4{};
  char buf[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    return ::inet_ntop(AF_INET, &v4, buf, sizeof(buf)) ? std::string(buf) : std::string();
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) return {};
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMapped, sizeof(kMapped)) == 0) {
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    return ::inet_ntop(AF_INET, &v4, buf, sizeof(buf)) ? std::string(buf) : std::string();
  }
  return ::inet_ntop(AF_INET6, &v6, buf, sizeof(buf)) ? std::string(buf) : std::string();
}

std::string CanonicalAssembly(std::string_view assembly) {
  std::string lower(assembly);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto is_release = [&lower](std::string_view base) {  // "grch37" or "grch37.p13"
    return lower == base ||
           (lower.rfind(std::string(base) + ".p", 0) == 0 && lower.size() > base.size() + 2 &&
            std::all_of(lower.begin() + static_cast<long>(base.size()) + 2, lower.end(),
                        [](char c) { return std::isdigit(c); }));
  };
  if (is_release("grch37") || lower == "hg19" || lower == "b37" || lower == "hs37d5") {
    return "GRCh37";
  }
  if (is_release("grch38") || lower == "hg38") return "GRCh38";
  return std::string(assembly);
}

namespace {

Status ReadLimits(const toml::table& root, std::string_view source, ServerLimits& limits) {
  const toml::table* t = SubTable(root, "limits");
  if (t == nullptr) return Status::Ok();
  TableReader r(*t, "limits", source);
  GF_RETURN_IF_ERROR(r.Integer("threads", limits.threads, 1, 256));
  GF_RETURN_IF_ERROR(r.Integer("max_body_bytes", limits.max_body_bytes, 1024, int64_t{1} << 32));
  GF_RETURN_IF_ERROR(r.Integer("request_timeout_ms", limits.request_timeout_ms, 10, 3600000));
  GF_RETURN_IF_ERROR(
      r.Integer("max_header_bytes", limits.max_header_bytes, 1024, kMaxHeaderBytesCeiling));
  return r.NoUnknownKeys();
}

Status ReadTrust(const toml::table& root, std::string_view source, std::vector<TrustEntry>& out) {
  const toml::node* n = root.get("trust");
  if (n == nullptr) return Status::Ok();
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    return InvalidArgument(std::string(source) + ": trust must be an array of tables ([[trust]])");
  }
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (t == nullptr)
      return InvalidArgument(std::string(source) + ": [[trust]] entries are tables");
    TableReader r(*t, "trust", source);
    TrustEntry e;
    GF_RETURN_IF_ERROR(r.String("iss", e.iss));
    GF_RETURN_IF_ERROR(r.String("jku", e.jku));
    GF_RETURN_IF_ERROR(r.String("userinfo", e.userinfo));
    GF_RETURN_IF_ERROR(r.NoUnknownKeys());
    if (e.iss.empty() || e.jku.empty()) {
      return r.Error(t, "iss", "every [[trust]] entry needs both iss and jku");
    }
    out.push_back(std::move(e));
  }
  return Status::Ok();
}

}  // namespace

Result<NodeConfig> ParseNodeConfig(std::string_view toml_text, std::string_view source,
                                   const std::filesystem::path& base_dir) {
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(toml_text, source));
  GF_RETURN_IF_ERROR(CheckTopLevel(root, source, {"node", "policy", "trust", "datasets", "limits"},
                                   kNodeComponentSections));
  NodeConfig cfg;
  const toml::table* node = SubTable(root, "node");
  if (node == nullptr) return InvalidArgument(std::string(source) + ": missing [node] section");
  TableReader r(*node, "node", source);
  GF_RETURN_IF_ERROR(r.String("id", cfg.id));
  GF_RETURN_IF_ERROR(r.String("name", cfg.name));
  GF_RETURN_IF_ERROR(r.String("country", cfg.country));
  GF_RETURN_IF_ERROR(r.String("listen", cfg.listen));
  GF_RETURN_IF_ERROR(r.String("public_url", cfg.public_url));
  GF_RETURN_IF_ERROR(r.Path("data_dir", cfg.data_dir, base_dir));
  GF_RETURN_IF_ERROR(r.Path("hpo_ontology", cfg.hpo_ontology, base_dir));
  GF_RETURN_IF_ERROR(r.Path("gene_table", cfg.gene_table, base_dir));
  GF_RETURN_IF_ERROR(r.String("log_level", cfg.log_level));
  GF_RETURN_IF_ERROR(r.StringList("trusted_proxies", cfg.trusted_proxies));
  GF_RETURN_IF_ERROR(r.StringList("passport_audiences", cfg.passport_audiences));
  GF_RETURN_IF_ERROR(r.Bool("passport_accept_bare_visas", cfg.passport_accept_bare_visas));
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  if (cfg.id.empty()) return r.Error(node, "id", "required");
  for (std::string& proxy : cfg.trusted_proxies) {
    std::string ip = CanonicalIp(proxy);
    if (ip.empty()) return r.Error(node, "trusted_proxies", "'" + proxy + "' is not an IP address");
    proxy = std::move(ip);
  }
  if (cfg.data_dir.empty()) return r.Error(node, "data_dir", "required");
  if (cfg.name.empty()) cfg.name = cfg.id;
  GF_RETURN_IF_ERROR(ParseHostPort(cfg.listen).status());
  // Empty public_url stays empty: the node then advertises the address it is bound to (known
  // only after binding, e.g. with port 0).
  while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();

  if (const toml::table* policy = SubTable(root, "policy")) {
    TableReader p(*policy, "policy", source);
    GF_RETURN_IF_ERROR(p.Granular("public_granularity", cfg.policy.public_granularity));
    GF_RETURN_IF_ERROR(p.Granular("registered_granularity", cfg.policy.registered_granularity));
    GF_RETURN_IF_ERROR(p.Granular("controlled_granularity", cfg.policy.controlled_granularity));
    GF_RETURN_IF_ERROR(p.Integer("min_count", cfg.policy.min_count, 1, 1000000));
    GF_RETURN_IF_ERROR(p.Bool("export_individual_level", cfg.policy.export_individual_level));
    GF_RETURN_IF_ERROR(
        p.Integer("query_budget_per_day", cfg.policy.query_budget_per_day, 0, 1000000000));
    GF_RETURN_IF_ERROR(p.NoUnknownKeys());
  }
  GF_RETURN_IF_ERROR(ReadTrust(root, source, cfg.trust));
  GF_RETURN_IF_ERROR(ReadLimits(root, source, cfg.limits));
  if (const toml::node* n = root.get("datasets")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return InvalidArgument(std::string(source) + ": datasets must be [[datasets]] tables");
    }
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return InvalidArgument(std::string(source) + ": [[datasets]] are tables");
      TableReader d(*t, "datasets", source);
      DatasetConfig ds;
      GF_RETURN_IF_ERROR(d.String("id", ds.id));
      GF_RETURN_IF_ERROR(d.String("name", ds.name));
      GF_RETURN_IF_ERROR(d.String("description", ds.description));
      GF_RETURN_IF_ERROR(d.String("visa_value", ds.visa_value));
      GF_RETURN_IF_ERROR(d.StringList("consent_codes", ds.consent_codes));
      GF_RETURN_IF_ERROR(d.String("assembly_id", ds.assembly_id));
      ds.assembly_id = CanonicalAssembly(ds.assembly_id);
      GF_RETURN_IF_ERROR(d.NoUnknownKeys());
      if (ds.id.empty()) return d.Error(t, "id", "required");
      cfg.datasets.push_back(std::move(ds));
    }
  }
  return cfg;
}

Result<NodeConfig> LoadNodeConfig(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseNodeConfig(text, path.string(), path.parent_path());
}

Result<HubConfig> ParseHubConfig(std::string_view toml_text, std::string_view source,
                                 const std::filesystem::path& base_dir) {
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(toml_text, source));
  GF_RETURN_IF_ERROR(
      CheckTopLevel(root, source, {"hub", "nodes", "trust", "limits"}, kHubComponentSections));
  HubConfig cfg;
  const toml::table* hub = SubTable(root, "hub");
  if (hub == nullptr) return InvalidArgument(std::string(source) + ": missing [hub] section");
  TableReader r(*hub, "hub", source);
  GF_RETURN_IF_ERROR(r.String("id", cfg.id));
  GF_RETURN_IF_ERROR(r.String("name", cfg.name));
  GF_RETURN_IF_ERROR(r.String("listen", cfg.listen));
  GF_RETURN_IF_ERROR(r.String("public_url", cfg.public_url));
  GF_RETURN_IF_ERROR(r.String("db", cfg.db));
  GF_RETURN_IF_ERROR(r.Integer("node_timeout_ms", cfg.node_timeout_ms, 1, 600000));
  GF_RETURN_IF_ERROR(r.Integer("harvest_interval_s", cfg.harvest_interval_s, 0, 86400 * 7));
  GF_RETURN_IF_ERROR(r.String("admin_token_env", cfg.admin_token_env));
  GF_RETURN_IF_ERROR(r.String("log_level", cfg.log_level));
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  if (cfg.id.empty()) return r.Error(hub, "id", "required");
  if (cfg.name.empty()) cfg.name = cfg.id;
  GF_RETURN_IF_ERROR(ParseHostPort(cfg.listen).status());
  if (cfg.public_url.empty()) cfg.public_url = "http://" + cfg.listen;
  while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();
  if (cfg.db.rfind("sqlite:", 0) == 0 && !base_dir.empty()) {
    std::filesystem::path p(cfg.db.substr(7));
    if (p.is_relative()) cfg.db = "sqlite:" + (base_dir / p).string();
  }
  if (const toml::node* n = root.get("nodes")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return InvalidArgument(std::string(source) + ": nodes must be [[nodes]]");
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return InvalidArgument(std::string(source) + ": [[nodes]] are tables");
      TableReader nr(*t, "nodes", source);
      HubNodeEntry e;
      GF_RETURN_IF_ERROR(nr.String("id", e.id));
      GF_RETURN_IF_ERROR(nr.String("url", e.url));
      GF_RETURN_IF_ERROR(nr.String("country", e.country));
      GF_RETURN_IF_ERROR(nr.NoUnknownKeys());
      if (e.id.empty() || e.url.empty()) return nr.Error(t, "id", "every node needs id and url");
      while (!e.url.empty() && e.url.back() == '/') e.url.pop_back();
      cfg.nodes.push_back(std::move(e));
    }
  }
  GF_RETURN_IF_ERROR(ReadTrust(root, source, cfg.trust));
  GF_RETURN_IF_ERROR(ReadLimits(root, source, cfg.limits));
  return cfg;
}

Result<HubConfig> LoadHubConfig(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseHubConfig(text, path.string(), path.parent_path());
}

}  // namespace genomefed
