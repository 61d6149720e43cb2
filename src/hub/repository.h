// The hub's state: the node registry and the harvested metadata catalogue, behind one
// repository interface with two backends, SQLite (the embedded default, `sqlite:PATH`) and
// PostgreSQL (`postgresql://…`, through libpq). Both run the same schema (docs/hub.md), created
// and upgraded by versioned migrations recorded in a `schema_migrations` table; every statement
// that carries a value uses bound parameters, never string concatenation.
//
// The hub never stores genotypes: only what nodes publish in their Beacon v2 `/api/info`,
// `/api/datasets` and `/api/filtering_terms` answers, plus the harvest status of each node.
//
// Thread safety: a Repository may be used from any number of threads (each backend serialises
// access to its one connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::hub {

// A registered node. `source` says how it came: "config" ([[nodes]] in hub.toml) or "admin"
// (POST /api/admin/nodes).
struct NodeRecord {
  std::string id;
  std::string url;  // base URL without /api, e.g. "http://127.0.0.1:8081"
  std::string country;
  std::string source = "config";
  int64_t registered_at_ms = 0;
  bool operator==(const NodeRecord&) const = default;
};

// One dataset as the catalogue knows it (from the node's /api/datasets collection).
struct CatalogueDataset {
  std::string node_id;
  std::string dataset_id;
  std::string name;
  std::string description;
  uint64_t sample_count = 0;
  uint64_t allele_count = 0;
  std::vector<std::string> consent_codes;  // DUO ids
  std::vector<std::string> data_types;     // Beacon entry types, e.g. "genomicVariant"
  std::string external_url;                // the node's /api/datasets/{id}
  std::string document;                    // the collection JSON as harvested
};

// A filtering term a node publishes (node-wide: Beacon filtering terms are not per dataset).
struct CatalogueTerm {
  std::string node_id;
  std::string id;  // e.g. "HP:0001250", "ICD10:G40", "population:FIN"
  std::string label;
  std::string type;  // "ontologyTerm" | "custom" | "alphanumeric"
};

// What one successful harvest of a node brought back.
struct HarvestSnapshot {
  std::string info;  // the `response` object of /api/info, as JSON text
  std::vector<CatalogueDataset> datasets;
  std::vector<CatalogueTerm> terms;
};

// A node with its harvest status.
struct NodeState {
  NodeRecord node;
  std::string info;             // last harvested /api/info `response` (JSON text), "" if never
  int64_t last_success_ms = 0;  // 0 = never harvested successfully
  int64_t last_attempt_ms = 0;
  std::string last_error;  // of the last failed attempt ("" after a success)
  bool stale = true;       // the last attempt failed, or none succeeded yet
};

class Repository {
 public:
  virtual ~Repository() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;
  // The highest applied migration.
  virtual Result<int> SchemaVersion() = 0;

  // Inserts or replaces (by id) a node.
  virtual Status UpsertNode(const NodeRecord& node) = 0;
  // Removes a node with its harvest state, datasets and terms. false when it was not there.
  virtual Result<bool> DeleteNode(std::string_view id) = 0;
  virtual Result<std::vector<NodeRecord>> ListNodes() = 0;

  // Replaces the node's catalogue entries by `snapshot` in one transaction and marks it fresh.
  virtual Status StoreHarvest(std::string_view node_id, const HarvestSnapshot& snapshot,
                              int64_t now_ms) = 0;
  // Keeps the node's last catalogue entries and marks them stale with `error`.
  virtual Status StoreHarvestFailure(std::string_view node_id, std::string_view error,
                                     int64_t now_ms) = 0;

  // Every node with its harvest status, by id.
  virtual Result<std::vector<NodeState>> ListNodeStates() = 0;
  // Every dataset, by (node, dataset).
  virtual Result<std::vector<CatalogueDataset>> ListDatasets() = 0;
  // Every term, by (node, term).
  virtual Result<std::vector<CatalogueTerm>> ListTerms() = 0;
};

// Opens (creating if needed) and migrates the database named by `db`: "sqlite:PATH"
// (":memory:" allowed) or "postgresql://…" / "postgres://…" (a libpq connection URI).
// kInvalidArgument for another scheme, kUnavailable when PostgreSQL cannot be reached, kIOError
// when the SQLite file cannot be opened. Messages never include the password of a URI.
Result<std::unique_ptr<Repository>> OpenRepository(std::string_view db);

// `db` with any password in a postgresql:// URI replaced by "***", for logs and messages.
std::string RedactDbUrl(std::string_view db);

}  // namespace genomefed::hub
