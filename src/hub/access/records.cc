#include "hub/access/records.h"

#include <chrono>

#include "hub/repository.h"
#include "hub/sql.h"

namespace genomefed::hub::access {
namespace {

using internal::SqlRow;
using nlohmann::json;

struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
};

// Append only: never edit a released step. Common subset of SQLite and PostgreSQL types.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "versioned access records (accounts, committees, applications, grants, keys)",
       {
           "CREATE TABLE access_records ("
           " kind TEXT NOT NULL,"
           " id TEXT NOT NULL,"
           " version BIGINT NOT NULL,"
           " doc TEXT NOT NULL,"
           " actor TEXT NOT NULL,"
           " at BIGINT NOT NULL,"
           " PRIMARY KEY (kind, id, version))",
           "CREATE INDEX access_records_by_time ON access_records (at)",
       }},
  };
  return kMigrations;
}

int64_t Int(const SqlRow& row, size_t i) {
  const auto& v = row.at(i);
  if (!v || v->empty()) return 0;
  try {
    return std::stoll(*v);
  } catch (...) {
    return 0;
  }
}

Result<Record> FromRow(std::string_view kind, const SqlRow& row) {
  // Columns: id, version, doc, actor, at.
  Record r;
  r.kind = std::string(kind);
  r.id = row.at(0).value_or("");
  r.version = Int(row, 1);
  r.doc = json::parse(row.at(2).value_or(""), nullptr, /*allow_exceptions=*/false);
  if (r.doc.is_discarded()) {
    return Corruption("access record " + r.kind + "/" + r.id + " version " +
                      std::to_string(r.version) + " is not JSON");
  }
  r.actor = row.at(3).value_or("");
  r.at_ms = Int(row, 4);
  return r;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

RecordStore::RecordStore(std::unique_ptr<internal::SqlDatabase> db) : db_(std::move(db)) {}
RecordStore::~RecordStore() = default;

Result<std::unique_ptr<RecordStore>> RecordStore::Open(std::string_view db) {
  std::unique_ptr<internal::SqlDatabase> conn;
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
  std::unique_ptr<RecordStore> store(new RecordStore(std::move(conn)));
  GF_RETURN_IF_ERROR(store->Migrate());
  return store;
}

std::string_view RecordStore::backend() const { return db_->backend(); }

Status RecordStore::Migrate() {
  std::lock_guard lock(mu_);
  GF_RETURN_IF_ERROR(
      db_->Execute("CREATE TABLE IF NOT EXISTS access_schema_migrations ("
                   " version BIGINT PRIMARY KEY,"
                   " description TEXT NOT NULL,"
                   " applied_at BIGINT NOT NULL)"));
  for (const Migration& m : Migrations()) {
    GF_RETURN_IF_ERROR(db_->Execute("BEGIN"));
    auto done = db_->Query("SELECT version FROM access_schema_migrations WHERE version = $1",
                           {int64_t{m.version}});
    Status s = done.status();
    if (s.ok() && done->empty()) {
      for (std::string_view sql : m.statements) {
        s = db_->Execute(sql);
        if (!s.ok()) break;
      }
      if (s.ok()) {
        int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        s = db_->Execute(
            "INSERT INTO access_schema_migrations (version, description, applied_at)"
            " VALUES ($1, $2, $3)",
            {int64_t{m.version}, std::string(m.description), now});
      }
    }
    if (!s.ok()) {
      (void)db_->Execute("ROLLBACK");
      return s.WithContext("access migration " + std::to_string(m.version));
    }
    GF_RETURN_IF_ERROR(db_->Execute("COMMIT"));
  }
  return Status::Ok();
}

Result<int> RecordStore::SchemaVersion() {
  std::lock_guard lock(mu_);
  GF_ASSIGN_OR_RETURN(auto rows,
                      db_->Query("SELECT COALESCE(MAX(version), 0) FROM access_schema_migrations"));
  return rows.empty() ? 0 : static_cast<int>(Int(rows[0], 0));
}

Result<std::optional<Record>> RecordStore::Current(std::string_view kind, std::string_view id) {
  std::lock_guard lock(mu_);
  GF_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, version, doc, actor, at FROM access_records"
                                            " WHERE kind = $1 AND id = $2"
                                            " ORDER BY version DESC LIMIT 1",
                                            {std::string(kind), std::string(id)}));
  if (rows.empty()) return std::optional<Record>();
  GF_ASSIGN_OR_RETURN(Record r, FromRow(kind, rows[0]));
  return std::optional<Record>(std::move(r));
}

Result<std::vector<Record>> RecordStore::CurrentAll(std::string_view kind) {
  std::lock_guard lock(mu_);
  GF_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT r.id, r.version, r.doc, r.actor, r.at FROM access_records r"
                 " JOIN (SELECT id, MAX(version) AS v FROM access_records WHERE kind = $1"
                 " GROUP BY id) m ON r.id = m.id AND r.version = m.v"
                 " WHERE r.kind = $1 ORDER BY r.id",
                 {std::string(kind)}));
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    GF_ASSIGN_OR_RETURN(Record r, FromRow(kind, row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Record>> RecordStore::History(std::string_view kind, std::string_view id) {
  std::lock_guard lock(mu_);
  GF_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, version, doc, actor, at FROM access_records"
                                            " WHERE kind = $1 AND id = $2 ORDER BY version",
                                            {std::string(kind), std::string(id)}));
  std::vector<Record> out;
  for (const auto& row : rows) {
    GF_ASSIGN_OR_RETURN(Record r, FromRow(kind, row));
    out.push_back(std::move(r));
  }
  return out;
}

Status RecordStore::Put(const std::vector<Write>& writes, std::string_view actor, int64_t at_ms) {
  std::lock_guard lock(mu_);
  GF_RETURN_IF_ERROR(db_->Execute("BEGIN"));
  Status s = PutLocked(writes, actor, at_ms);
  if (!s.ok()) {
    (void)db_->Execute("ROLLBACK");
    return s;
  }
  return db_->Execute("COMMIT");
}

Status RecordStore::PutLocked(const std::vector<Write>& writes, std::string_view actor,
                              int64_t at_ms) {
  for (const Write& w : writes) {
    GF_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COALESCE(MAX(version), 0) FROM access_records"
                                              " WHERE kind = $1 AND id = $2",
                                              {w.kind, w.id}));
    int64_t have = rows.empty() ? 0 : Int(rows[0], 0);
    if (have != w.expected_version) {
      if (w.expected_version == 0) return AlreadyExists(w.kind + " '" + w.id + "' already exists");
      return FailedPrecondition(w.kind + " '" + w.id +
                                "' was changed meanwhile; reload it and try again");
    }
    // The primary key (kind, id, version) also stops a concurrent writer in another process.
    Status s = db_->Execute(
        "INSERT INTO access_records (kind, id, version, doc, actor, at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        {w.kind, w.id, w.expected_version + 1, Dump(w.doc), std::string(actor), at_ms});
    if (!s.ok()) {
      return FailedPrecondition(w.kind + " '" + w.id + "' was changed meanwhile: " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace genomefed::hub::access
