// Local credentials of the hub's accounts: passwords hashed with Argon2id (libsodium
// crypto_pwhash, cost parameters from the [access] config, the salt and parameters kept in the
// self-describing "$argon2id$…" string so that raising the cost later still verifies old
// hashes), opaque session tokens (32 random bytes, base64url; only their SHA-256 is stored), and
// a login rate limiter per account and per client address. Secrets are compared in constant
// time and wiped after use; nothing here logs.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::hub::access {

struct PasswordCost {
  uint64_t ops_limit = 2;            // crypto_pwhash_OPSLIMIT_INTERACTIVE
  uint64_t mem_limit = 64ull << 20;  // bytes; crypto_pwhash_MEMLIMIT_INTERACTIVE
};

// Rules a new password must meet: kInvalidArgument naming the rule.
Status CheckPasswordRules(std::string_view password);
// "$argon2id$v=19$m=…,t=…,p=1$salt$hash". kResourceExhausted when the machine lacks the memory.
Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost);
// Constant-time (libsodium) check; false for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// 32 bytes from the OS generator, base64url (43 characters).
std::string NewToken();
// Lower-case hex SHA-256 of a token: the key under which a session is stored.
std::string TokenDigest(std::string_view token);
// Random identifier "<prefix>-<16 hex>".
std::string NewId(std::string_view prefix);
// Constant-time equality of two strings (lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Failed logins per key ("account:<name>" or "addr:<ip>") in a sliding window. Thread-safe.
class LoginLimiter {
 public:
  LoginLimiter(uint32_t max_failures, int64_t window_ms)
      : max_failures_(max_failures), window_ms_(window_ms) {}
  // OK, or kResourceExhausted with the seconds to wait, when `key` failed too often lately.
  Status Check(const std::string& key, int64_t now_ms);
  void RecordFailure(const std::string& key, int64_t now_ms);
  void RecordSuccess(const std::string& key);

 private:
  struct Window {
    int64_t start_ms = 0;
    uint32_t failures = 0;
  };
  uint32_t max_failures_;
  int64_t window_ms_;
  std::mutex mu_;
  std::map<std::string, Window> windows_;  // GUARDED_BY(mu_); bounded, see RecordFailure
};

}  // namespace genomefed::hub::access
