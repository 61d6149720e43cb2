// The PostgreSQL driver of the hub repository, on libpq: PQexecParams with text parameters, so
// every value is bound by the server, never spliced into SQL.
#include <libpq-fe.h>

#include <string>

#include "hub/sql.h"

namespace genomefed::hub::internal {
namespace {

class PostgresDatabase final : public SqlDatabase {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  std::string_view backend() const override { return "postgresql"; }

  Status Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Run(sql, params, nullptr);
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    GF_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  int64_t Changes() override { return changes_; }

 private:
  Status Run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);  // one reconnection attempt after the server went away
      if (PQstatus(conn_) != CONNECTION_OK) {
        return Unavailable(std::string("postgresql: connection lost: ") + PQerrorMessage(conn_));
      }
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* n = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    std::string text(sql);
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{res};
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      return IOError("postgresql: " + msg);
    }
    const char* affected = PQcmdTuples(res);
    changes_ = (affected && *affected) ? std::stoll(affected) : 0;
    if (rows != nullptr && st == PGRES_TUPLES_OK) {
      int n = PQntuples(res), m = PQnfields(res);
      for (int r = 0; r < n; ++r) {
        SqlRow row;
        for (int c = 0; c < m; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(
                std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
          }
        }
        rows->push_back(std::move(row));
      }
    }
    return Status::Ok();
  }

  PGconn* conn_;
  int64_t changes_ = 0;
};

// libpq prints server notices (e.g. "relation already exists, skipping") on stderr by default.
void IgnoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgres(const std::string& uri) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) return Unavailable("postgresql: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    return Unavailable("postgresql: cannot connect: " + msg);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<SqlDatabase>(std::make_unique<PostgresDatabase>(conn));
}

}  // namespace genomefed::hub::internal
