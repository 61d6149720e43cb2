// Tamper-evident audit log of every access decision and state change at a node or the hub
// (DESIGN.md journey 6). Append-only JSON Lines: one record per line, each carrying the SHA-256
// of the previous line's bytes (a hash chain), so altering, inserting or deleting a record breaks
// every later link. Every `sign_every_records` records or `sign_every_seconds` seconds (and when
// the log is closed) the writer appends a checkpoint: an ES256/RS256 JWS over the chain head, so
// that a holder of the public key can also tell that nothing after the last checkpoint was cut.
// Format: docs/formats/audit.md. Records are durable (written and fdatasync'ed) when Append
// returns; concurrent appenders share one fsync (group commit).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/status.h"
#include "passport/signer.h"

namespace genomefed::audit {

// One access decision or state change. `request` is a summary the caller chose; members whose
// names suggest credentials (token, authorization, password, passport, secret, key, …) are
// replaced by "[redacted]" before writing, as a second line of defence: never put a token there.
struct Event {
  std::string identity;    // "sub@iss", "account:<id>", "addr:<ip>", "operator"
  std::string action;      // e.g. "beacon.query", "htsget.ticket", "access.decide", "ingest"
  std::string dataset;     // may be empty
  nlohmann::json request;  // summary (object or null)
  std::string decision;    // "allow" | "deny" | "info"
  std::string reason;
  uint64_t bytes = 0;  // bytes sent to the caller, when the action sends data
};

// The writer. Thread-safe. Once a write or fsync fails every later Append fails too (the caller
// must then refuse to answer: an access that cannot be recorded is not granted).
class AuditLog {
 public:
  struct Options {
    std::filesystem::path path;
    // PEM private key (P-256 → ES256, RSA → RS256) for checkpoints; empty: no checkpoints (the
    // chain still detects changes to the middle of the log, not a cut tail).
    std::filesystem::path signing_key_pem;
    uint32_t sign_every_records = 1000;  // 0: only by time and at close
    uint32_t sign_every_seconds = 60;    // 0: only by count and at close
  };

  // Opens or creates the log (mode 0600). An existing log is continued after its last complete
  // record; a partial last line (a crash during a write that was never acknowledged) is cut off
  // and an "audit.recovered" record says how many bytes were dropped.
  static Result<std::unique_ptr<AuditLog>> Open(const Options& options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends and waits until the record is on disk.
  Status Append(const Event& event);
  // Writes a final checkpoint (when signing) and closes; idempotent. Later Appends fail.
  Status Close();

  uint64_t last_seq() const;

 private:
  explicit AuditLog(Options options);
  Status OpenFile();
  uint64_t AddLineLocked(std::string line);
  std::string RenderLocked(const Event& event) const;
  Status AddCheckpointLocked();
  Status FlushLocked(std::unique_lock<std::mutex>& lock, uint64_t through_seq);
  void TimerLoop();

  Options options_;
  std::optional<passport::SigningKey> key_;
  int fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Status status_;  // sticky failure
  bool closed_ = false;
  bool flushing_ = false;
  uint64_t next_seq_ = 1;     // seq of the next record
  uint64_t durable_seq_ = 0;  // highest seq known to be on disk
  std::string prev_hash_;     // hex SHA-256 of the last line added
  std::string pending_;       // lines added but not yet written
  uint64_t records_since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::thread timer_;
};

// Hex SHA-256 of `bytes` (lower case, 64 characters).
std::string Sha256Hex(std::string_view bytes);

// The hash a chain's first record points to.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace genomefed::audit
