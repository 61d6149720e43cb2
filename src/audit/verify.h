// Verification of an audit log written by audit::AuditLog (docs/formats/audit.md): every line
// parses, sequence numbers run 1, 2, 3, …, each record's `prev` is the SHA-256 of the line before
// it, and every checkpoint's signature verifies with a key of the given JWK set and covers
// exactly the chain head it stands after. The first bad record is named by line and seq.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "passport/jws.h"

namespace genomefed::audit {

struct VerifyOptions {
  // Public keys for checkpoint signatures; without them signatures are not checked (reported).
  std::optional<passport::Jwks> keys;
  // With keys, a log must end with a checkpoint (so a cut tail is detected) unless this is set:
  // a live log has unsigned records for up to `sign_every_seconds`.
  bool allow_unsigned_tail = false;
};

struct VerifyReport {
  uint64_t records = 0;  // all lines, checkpoints included
  uint64_t checkpoints = 0;
  uint64_t last_signed_seq = 0;  // seq of the last verified checkpoint (0: none)
  uint64_t unsigned_tail = 0;    // records after the last checkpoint
  bool signatures_checked = false;
  std::string head;  // hex SHA-256 of the last line
};

// kCorruption "<file>: line L (seq S): what" for the first bad record; kNotFound / kIoError for
// an unreadable file.
Result<VerifyReport> VerifyLog(const std::filesystem::path& path, const VerifyOptions& options);
// The same over the log's bytes; `name` stands for the file in messages.
Result<VerifyReport> VerifyLogText(std::string_view text, std::string_view name,
                                   const VerifyOptions& options);

// A JWK set from a file holding a JWKS ({"keys": [...]}), one JWK, or a PEM public key
// (SubjectPublicKeyInfo; kid = its RFC 7638 thumbprint).
Result<passport::Jwks> LoadVerificationKeys(const std::filesystem::path& path);

}  // namespace genomefed::audit
