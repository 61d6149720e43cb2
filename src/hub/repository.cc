// One Repository implementation over the SqlDatabase seam (hub/sql.h): the same statements and
// migrations run on SQLite and PostgreSQL, so the two backends cannot drift apart.
#include "hub/repository.h"

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "hub/sql.h"

namespace genomefed::hub {
namespace {

using internal::SqlDatabase;
using internal::SqlRow;
using internal::SqlValue;
using nlohmann::json;

// Versioned migrations, applied in order, each in its own transaction and recorded in
// schema_migrations. Append only: never edit a released step. Types are the common subset of
// SQLite and PostgreSQL (TEXT, BIGINT).
struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "node registry and harvested catalogue",
       {
           "CREATE TABLE nodes ("
           " id TEXT PRIMARY KEY,"
           " url TEXT NOT NULL,"
           " country TEXT NOT NULL,"
           " source TEXT NOT NULL,"
           " registered_at BIGINT NOT NULL)",
           "CREATE TABLE node_harvest ("
           " node_id TEXT PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,"
           " info TEXT NOT NULL,"
           " last_success BIGINT NOT NULL,"
           " last_attempt BIGINT NOT NULL,"
           " last_error TEXT NOT NULL,"
           " stale BIGINT NOT NULL)",
           "CREATE TABLE datasets ("
           " node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
           " dataset_id TEXT NOT NULL,"
           " name TEXT NOT NULL,"
           " description TEXT NOT NULL,"
           " sample_count BIGINT NOT NULL,"
           " allele_count BIGINT NOT NULL,"
           " consent_codes TEXT NOT NULL,"
           " data_types TEXT NOT NULL,"
           " external_url TEXT NOT NULL,"
           " document TEXT NOT NULL,"
           " PRIMARY KEY (node_id, dataset_id))",
           "CREATE TABLE filtering_terms ("
           " node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
           " term_id TEXT NOT NULL,"
           " label TEXT NOT NULL,"
           " type TEXT NOT NULL,"
           " PRIMARY KEY (node_id, term_id))",
       }},
      {2,
       "indexes for catalogue search",
       {
           "CREATE INDEX datasets_by_size ON datasets (sample_count)",
           "CREATE INDEX terms_by_id ON filtering_terms (term_id)",
       }},
  };
  return kMigrations;
}

std::string Text(const SqlRow& row, size_t i) { return row.at(i).value_or(std::string()); }

int64_t Int(const SqlRow& row, size_t i) {
  const auto& v = row.at(i);
  if (!v || v->empty()) return 0;
  try {
    return std::stoll(*v);
  } catch (...) {
    return 0;
  }
}

std::string ToJsonArray(const std::vector<std::string>& v) { return json(v).dump(); }

std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

class SqlRepository final : public Repository {
 public:
  explicit SqlRepository(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  std::string_view backend() const override { return db_->backend(); }

  Status Migrate() {
    std::lock_guard lock(mu_);
    GF_RETURN_IF_ERROR(
        db_->Execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version BIGINT PRIMARY KEY,"
                     " description TEXT NOT NULL,"
                     " applied_at BIGINT NOT NULL)"));
    for (const Migration& m : Migrations()) {
      GF_RETURN_IF_ERROR(db_->Execute("BEGIN"));
      Status s = ApplyLocked(m);
      if (!s.ok()) {
        (void)db_->Execute("ROLLBACK");
        return s.WithContext("migration " + std::to_string(m.version));
      }
      GF_RETURN_IF_ERROR(db_->Execute("COMMIT"));
    }
    return Status::Ok();
  }

  Result<int> SchemaVersion() override {
    std::lock_guard lock(mu_);
    GF_ASSIGN_OR_RETURN(auto rows,
                        db_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    return rows.empty() ? 0 : static_cast<int>(Int(rows[0], 0));
  }

  Status UpsertNode(const NodeRecord& n) override {
    std::lock_guard lock(mu_);
    return db_->Execute(
        "INSERT INTO nodes (id, url, country, source, registered_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO UPDATE SET url = excluded.url, country = excluded.country,"
        " source = excluded.source",
        {n.id, n.url, n.country, n.source, n.registered_at_ms});
  }

  Result<bool> DeleteNode(std::string_view id) override {
    std::lock_guard lock(mu_);
    std::string key(id);
    return InTransaction([&]() -> Result<bool> {
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM filtering_terms WHERE node_id = $1", {key}));
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM datasets WHERE node_id = $1", {key}));
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM node_harvest WHERE node_id = $1", {key}));
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM nodes WHERE id = $1", {key}));
      return db_->Changes() > 0;
    });
  }

  Result<std::vector<NodeRecord>> ListNodes() override {
    std::lock_guard lock(mu_);
    GF_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT id, url, country, source, registered_at FROM nodes ORDER BY id"));
    std::vector<NodeRecord> out;
    for (const auto& r : rows) out.push_back(NodeFromRow(r, 0));
    return out;
  }

  Status StoreHarvest(std::string_view node_id, const HarvestSnapshot& snap,
                      int64_t now_ms) override {
    std::lock_guard lock(mu_);
    std::string key(node_id);
    auto done = InTransaction([&]() -> Result<bool> {
      GF_ASSIGN_OR_RETURN(auto exists, db_->Query("SELECT 1 FROM nodes WHERE id = $1", {key}));
      if (exists.empty()) return NotFound("node '" + key + "' is not registered");
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM datasets WHERE node_id = $1", {key}));
      GF_RETURN_IF_ERROR(db_->Execute("DELETE FROM filtering_terms WHERE node_id = $1", {key}));
      for (const auto& d : snap.datasets) {
        GF_RETURN_IF_ERROR(db_->Execute(
            "INSERT INTO datasets (node_id, dataset_id, name, description, sample_count,"
            " allele_count, consent_codes, data_types, external_url, document)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            {key, d.dataset_id, d.name, d.description, static_cast<int64_t>(d.sample_count),
             static_cast<int64_t>(d.allele_count), ToJsonArray(d.consent_codes),
             ToJsonArray(d.data_types), d.external_url, d.document}));
      }
      for (const auto& t : snap.terms) {
        GF_RETURN_IF_ERROR(db_->Execute(
            "INSERT INTO filtering_terms (node_id, term_id, label, type) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (node_id, term_id) DO NOTHING",
            {key, t.id, t.label, t.type}));
      }
      GF_RETURN_IF_ERROR(db_->Execute(
          "INSERT INTO node_harvest (node_id, info, last_success, last_attempt, last_error, stale)"
          " VALUES ($1, $2, $3, $3, '', 0)"
          " ON CONFLICT (node_id) DO UPDATE SET info = excluded.info,"
          " last_success = excluded.last_success, last_attempt = excluded.last_attempt,"
          " last_error = '', stale = 0",
          {key, snap.info, now_ms}));
      return true;
    });
    return done.status();
  }

  Status StoreHarvestFailure(std::string_view node_id, std::string_view error,
                             int64_t now_ms) override {
    std::lock_guard lock(mu_);
    std::string key(node_id);
    return db_->Execute(
        "INSERT INTO node_harvest (node_id, info, last_success, last_attempt, last_error, stale)"
        " SELECT id, '', 0, $2, $3, 1 FROM nodes WHERE id = $1"
        " ON CONFLICT (node_id) DO UPDATE SET last_attempt = excluded.last_attempt,"
        " last_error = excluded.last_error, stale = 1",
        {key, now_ms, std::string(error)});
  }

  Result<std::vector<NodeState>> ListNodeStates() override {
    std::lock_guard lock(mu_);
    GF_ASSIGN_OR_RETURN(
        auto rows,
        db_->Query("SELECT n.id, n.url, n.country, n.source, n.registered_at,"
                   " h.info, h.last_success, h.last_attempt, h.last_error, h.stale"
                   " FROM nodes n LEFT JOIN node_harvest h ON h.node_id = n.id ORDER BY n.id"));
    std::vector<NodeState> out;
    for (const auto& r : rows) {
      NodeState s;
      s.node = NodeFromRow(r, 0);
      s.info = Text(r, 5);
      s.last_success_ms = Int(r, 6);
      s.last_attempt_ms = Int(r, 7);
      s.last_error = Text(r, 8);
      s.stale = !r.at(9).has_value() || Int(r, 9) != 0;
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<CatalogueDataset>> ListDatasets() override {
    std::lock_guard lock(mu_);
    GF_ASSIGN_OR_RETURN(
        auto rows, db_->Query("SELECT node_id, dataset_id, name, description, sample_count,"
                              " allele_count, consent_codes, data_types, external_url, document"
                              " FROM datasets ORDER BY node_id, dataset_id"));
    std::vector<CatalogueDataset> out;
    for (const auto& r : rows) {
      CatalogueDataset d;
      d.node_id = Text(r, 0);
      d.dataset_id = Text(r, 1);
      d.name = Text(r, 2);
      d.description = Text(r, 3);
      d.sample_count = static_cast<uint64_t>(Int(r, 4));
      d.allele_count = static_cast<uint64_t>(Int(r, 5));
      d.consent_codes = FromJsonArray(Text(r, 6));
      d.data_types = FromJsonArray(Text(r, 7));
      d.external_url = Text(r, 8);
      d.document = Text(r, 9);
      out.push_back(std::move(d));
    }
    return out;
  }

  Result<std::vector<CatalogueTerm>> ListTerms() override {
    std::lock_guard lock(mu_);
    GF_ASSIGN_OR_RETURN(auto rows,
                        db_->Query("SELECT node_id, term_id, label, type FROM filtering_terms"
                                   " ORDER BY node_id, term_id"));
    std::vector<CatalogueTerm> out;
    for (const auto& r : rows) {
      out.push_back({Text(r, 0), Text(r, 1), Text(r, 2), Text(r, 3)});
    }
    return out;
  }

 private:
  static NodeRecord NodeFromRow(const SqlRow& r, size_t o) {
    NodeRecord n;
    n.id = Text(r, o);
    n.url = Text(r, o + 1);
    n.country = Text(r, o + 2);
    n.source = Text(r, o + 3);
    n.registered_at_ms = Int(r, o + 4);
    return n;
  }

  Status ApplyLocked(const Migration& m) {
    GF_ASSIGN_OR_RETURN(auto applied,
                        db_->Query("SELECT 1 FROM schema_migrations WHERE version = $1",
                                   {static_cast<int64_t>(m.version)}));
    if (!applied.empty()) return Status::Ok();
    for (auto stmt : m.statements) GF_RETURN_IF_ERROR(db_->Execute(stmt));
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return db_->Execute(
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
        {static_cast<int64_t>(m.version), std::string(m.description), static_cast<int64_t>(now)});
  }

  template <typename F>
  Result<bool> InTransaction(F&& body) {
    GF_RETURN_IF_ERROR(db_->Execute("BEGIN"));
    Result<bool> r = body();
    if (!r.ok()) {
      (void)db_->Execute("ROLLBACK");
      return r;
    }
    GF_RETURN_IF_ERROR(db_->Execute("COMMIT"));
    return r;
  }

  std::mutex mu_;
  std::unique_ptr<SqlDatabase> db_;  // GUARDED_BY(mu_)
};

}  // namespace

std::string RedactDbUrl(std::string_view db) {
  std::string s(db);
  size_t scheme = s.find("://");
  if (scheme == std::string::npos) return s;
  size_t at = s.find('@', scheme + 3);
  if (at == std::string::npos) return s;
  size_t colon = s.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return s;
  return s.substr(0, colon + 1) + "***" + s.substr(at);
}

Result<std::unique_ptr<Repository>> OpenRepository(std::string_view db) {
  std::unique_ptr<SqlDatabase> conn;
  if (db.rfind("sqlite:", 0) == 0) {
    std::string path(db.substr(7));
    if (path.empty()) return InvalidArgument("db = \"sqlite:PATH\": the path is empty");
    GF_ASSIGN_OR_RETURN(conn, internal::OpenSqlite(path));
  } else if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
    auto c = internal::OpenPostgres(std::string(db));
    if (!c.ok()) return c.status().WithContext(RedactDbUrl(db));
    conn = std::move(c).value();
  } else {
    return InvalidArgument("db must be \"sqlite:PATH\" or \"postgresql://…\", not \"" +
                           RedactDbUrl(db) + "\"");
  }
  auto repo = std::make_unique<SqlRepository>(std::move(conn));
  GF_RETURN_IF_ERROR(repo->Migrate());
  return std::unique_ptr<Repository>(std::move(repo));
}

}  // namespace genomefed::hub
