// Configuration of a node and of the hub, read from TOML (keys as in shared DESIGN.md and
// docs/config.md). Unknown keys are errors, so a typo never silently falls back to a default;
// every error names the file, line and key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace genomefed {

// What a caller may receive from a Beacon: nothing but yes/no, a count, or records.
enum class Granularity { kBoolean = 0, kCount = 1, kRecord = 2 };
std::string_view GranularityName(Granularity g);  // "boolean" | "count" | "record"
Result<Granularity> ParseGranularity(std::string_view s);

struct PolicyConfig {
  Granularity public_granularity = Granularity::kBoolean;
  Granularity registered_granularity = Granularity::kCount;
  Granularity controlled_granularity = Granularity::kRecord;
  uint32_t min_count = 5;               // 1 = exact counts for everyone allowed a count
  bool export_individual_level = true;  // false: aggregates only, whatever the visas say
  uint32_t query_budget_per_day = 0;    // 0 = unlimited
};

// One [[trust]] entry (GA4GH Passport issuer); checked and used by passport/ (docs/passports.md).
struct TrustEntry {
  // A constructor rather than an aggregate, so that {iss, jku} needs no third member.
  TrustEntry() = default;
  TrustEntry(std::string issuer, std::string jwks_url, std::string userinfo_url = {})
      : iss(std::move(issuer)), jku(std::move(jwks_url)), userinfo(std::move(userinfo_url)) {}
  std::string iss;
  std::string jku;
  // The broker's OIDC userinfo endpoint (GA4GH AAI): when set, a bearer value that is not a
  // Passport JWT is treated as an access token of this broker and exchanged there for visas.
  std::string userinfo;
};

// Per-dataset settings under [[datasets]] (optional; datasets exist by being ingested).
struct DatasetConfig {
  std::string id;
  std::string name;  // display name; defaults to id
  std::string description;
  std::string visa_value;  // ControlledAccessGrants value; default {public_url}/datasets/{id}
  std::vector<std::string> consent_codes;  // DUO ids shown in /datasets and the catalogue
  // Reference assembly of the coordinates ("GRCh37", "GRCh38"; synonyms such as hg19, b37,
  // hs37d5, hg38 are accepted, see CanonicalAssembly). Empty: unknown, so a query's
  // `assemblyId` cannot exclude the dataset.
  std::string assembly_id;
};

// The canonical text of an IPv4 or IPv6 address (inet_ntop of inet_pton; IPv4-mapped IPv6 as
// IPv4), or "" when `text` is not one. Brackets and a ":port" suffix are not accepted.
std::string CanonicalIp(std::string_view text);

// "GRCh37" for GRCh37 / hg19 / b37 / hs37d5 / GRCh37.pN (any case), "GRCh38" for GRCh38 / hg38 /
// GRCh38.pN; anything else unchanged. Coordinates of the two differ, so a query for one must
// never match a dataset of the other.
std::string CanonicalAssembly(std::string_view assembly);

// The largest request header a server accepts. Boost.Beast stores one header field in at most
// 65,533 bytes and throws beyond that while parsing; a whole-header cap of 64 KiB keeps every
// field under it (the request line and the field name take the rest). A GA4GH passport carries
// its visas in one field, so this also bounds the passport (about 100 ES256 visas).
inline constexpr uint32_t kMaxHeaderBytesCeiling = 64 * 1024;

struct ServerLimits {
  uint32_t threads = 2;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t request_timeout_ms = 10000;
  uint32_t max_header_bytes = kMaxHeaderBytesCeiling;  // 1024 .. kMaxHeaderBytesCeiling
};

struct NodeConfig {
  std::string id;
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  std::string listen = "127.0.0.1:8080";
  std::string public_url;  // empty: the bound address, http://host:port
  std::filesystem::path data_dir;
  std::filesystem::path hpo_ontology;  // optional OBO or JSON for descendant-expanded filters
  std::filesystem::path gene_table;    // optional BED/GTF for geneId queries
  // Peers (IP addresses, e.g. the hub's) whose X-Forwarded-For names the real client: budgets
  // of anonymous callers are then kept per client, not per proxy. Empty: the header is ignored.
  std::vector<std::string> trusted_proxies;
  std::string log_level = "info";
  ServerLimits limits;
  PolicyConfig policy;
  std::vector<TrustEntry> trust;
  // [node] passport_audiences: `aud` values a passport may carry (empty: public_url), and
  // passport_accept_bare_visas: a visa JWT alone as the bearer value (off). Read by passport/.
  std::vector<std::string> passport_audiences;
  bool passport_accept_bare_visas = false;
  std::vector<DatasetConfig> datasets;
};

struct HubNodeEntry {
  std::string id;
  std::string url;
  std::string country;
};

struct HubConfig {
  std::string id;
  std::string name;
  std::string listen = "127.0.0.1:8000";
  std::string public_url;
  std::string db = "sqlite:hub.db";
  uint32_t node_timeout_ms = 2000;
  uint32_t harvest_interval_s = 300;
  std::string admin_token_env = "GENOMEFED_ADMIN_TOKEN";  // env var holding the admin token
  std::string log_level = "info";
  ServerLimits limits;
  std::vector<HubNodeEntry> nodes;
  std::vector<TrustEntry> trust;
};

// Parse from TOML text; `source` names the file in messages. Relative paths in the file are
// resolved against `base_dir`.
Result<NodeConfig> ParseNodeConfig(std::string_view toml_text, std::string_view source,
                                   const std::filesystem::path& base_dir = {});
Result<NodeConfig> LoadNodeConfig(const std::filesystem::path& path);
Result<HubConfig> ParseHubConfig(std::string_view toml_text, std::string_view source,
                                 const std::filesystem::path& base_dir = {});
Result<HubConfig> LoadHubConfig(const std::filesystem::path& path);

// "host:port" → parts; port 0 allowed (ephemeral, for tests).
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view listen);

}  // namespace genomefed
