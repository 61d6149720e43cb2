// Internal: the small SQL seam under the hub repository. Two drivers, SQLite (libsqlite3) and
// PostgreSQL (libpq), run the same statements: parameters are written `$1`, `$2`, … (PostgreSQL
// syntax; the SQLite driver rewrites them to its `?NNN` form), values are bound, never spliced
// in. Results come back as text, which is all the repository needs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace genomefed::hub::internal {

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;  // nullopt = NULL

// Not thread-safe: the repository serialises calls.
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual std::string_view backend() const = 0;
  // A statement that returns no rows (DDL, INSERT, UPDATE, DELETE, BEGIN, COMMIT).
  virtual Status Execute(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // A statement that returns rows; every value as text.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            const std::vector<SqlValue>& params = {}) = 0;
  // Rows changed by the last Execute.
  virtual int64_t Changes() = 0;
};

Result<std::unique_ptr<SqlDatabase>> OpenSqlite(const std::string& path);
Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const std::string& uri);

}  // namespace genomefed::hub::internal
