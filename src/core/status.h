// Status and Result<T>: how every genomefed component reports an expected failure.
//
// A small closed set of codes (after LevelDB's Status and absl::StatusCode). Each code maps once
// to an HTTP status with a GA4GH error body (http/), and once to a CLI exit code (ExitCodeFor).
// Untrusted input never throws past a component: parsers return a Status saying where (file,
// line, offset, chr:pos) and what to do. g++ 12 has no std::expected, hence Result<T>.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace genomefed {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input or request; the caller must change it
  kNotFound,            // unknown id, file, allele, dataset
  kAlreadyExists,       // e.g. a sample ingested twice into one dataset
  kFailedPrecondition,  // state does not allow it (e.g. store not initialised)
  kCorruption,          // stored data fail their checks (with the offset)
  kIOError,             // the operating system refused (disk full, permission on a file)
  kUnauthenticated,     // no or invalid credentials
  kPermissionDenied,    // valid credentials, not enough rights
  kResourceExhausted,   // budgets, size limits
  kDeadlineExceeded,    // time-outs
  kUnavailable,         // a peer could not be reached
  kUnimplemented,       // valid request for something genomefed does not do
  kInternal,            // a broken invariant; a bug
};

// Stable lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

// HTTP status used when a code leaves a server (400, 404, 409, 412, 500, 401, 403, 429, ...).
int HttpStatusFor(StatusCode code);

// Process exit code used by the CLI: 0 for kOk, 1 for a generic failure, 2 for bad usage /
// input, 3 for not found, 4 for corruption, 5 for I/O, 6 for access refused.
int ExitCodeFor(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK Status without a value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }

  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace genomefed

#define GF_CONCAT_INNER_(a, b) a##b
#define GF_CONCAT_(a, b) GF_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define GF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::genomefed::Status gf_status_ = (expr); \
    if (!gf_status_.ok()) return gf_status_; \
  } while (false)

// `GF_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define GF_ASSIGN_OR_RETURN(lhs, expr) \
  GF_ASSIGN_OR_RETURN_IMPL_(GF_CONCAT_(gf_result_, __COUNTER__), lhs, expr)
#define GF_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return result.status();          \
  lhs = std::move(result).value()
