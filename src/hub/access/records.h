// The hub's controlled-access state (accounts, sessions, committees, applications, grants,
// signing keys) as versioned JSON records in the hub database, SQLite or PostgreSQL through the
// same SQL seam as the catalogue (hub/sql.h). A change never updates or deletes a row: it adds
// version N+1 of the record with who made it and when, so the full history of every
// application, decision and grant stays in the database (docs/access.md, "State and history").
// Writes are optimistic: Put names the version it read, and a record changed meanwhile — by
// another thread or another hub process on the same PostgreSQL — is kFailedPrecondition, so a
// double decision can never both succeed.
//
// Thread safety: a RecordStore may be used from any number of threads (one connection, one lock).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::hub::internal {
class SqlDatabase;
}

namespace genomefed::hub::access {

struct Record {
  std::string kind;  // "account", "session", "committee", "application", "grant", …
  std::string id;
  int64_t version = 0;  // 1 for the first
  nlohmann::json doc;
  std::string actor;  // who wrote this version ("account:<id>", "operator", "system")
  int64_t at_ms = 0;
};

// One write of a batch: version `expected_version + 1` of (kind, id); expected_version 0 creates.
struct Write {
  std::string kind;
  std::string id;
  int64_t expected_version = 0;
  nlohmann::json doc;
};

class RecordStore {
 public:
  // "sqlite:PATH" or "postgresql://…"; applies the access migrations (recorded in
  // access_schema_migrations, beside the catalogue's schema_migrations).
  static Result<std::unique_ptr<RecordStore>> Open(std::string_view db);
  ~RecordStore();

  std::string_view backend() const;
  Result<int> SchemaVersion();

  Result<std::optional<Record>> Current(std::string_view kind, std::string_view id);
  // The current version of every record of `kind`, by id.
  Result<std::vector<Record>> CurrentAll(std::string_view kind);
  // Every version of one record, oldest first.
  Result<std::vector<Record>> History(std::string_view kind, std::string_view id);
  // All writes or none, in one transaction. kFailedPrecondition when a record is not at its
  // expected version (it changed since it was read), kAlreadyExists when creating one that exists.
  Status Put(const std::vector<Write>& writes, std::string_view actor, int64_t at_ms);

 private:
  explicit RecordStore(std::unique_ptr<internal::SqlDatabase> db);
  Status Migrate();
  Status PutLocked(const std::vector<Write>& writes, std::string_view actor, int64_t at_ms);

  std::mutex mu_;
  std::unique_ptr<internal::SqlDatabase> db_;  // GUARDED_BY(mu_)
};

}  // namespace genomefed::hub::access
