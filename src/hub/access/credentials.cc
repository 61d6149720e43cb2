#include "hub/access/credentials.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>

#include "passport/base64url.h"

namespace genomefed::hub::access {

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < 10) return InvalidArgument("password: at least 10 characters");
  if (password.size() > 1024) return InvalidArgument("password: at most 1024 characters");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops_limit,
                            static_cast<size_t>(cost.mem_limit),
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhausted("argon2id hashing failed (not enough memory for mem_limit?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);  // NUL-terminated copy, as libsodium needs
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string NewToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string out =
      passport::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  sodium_memzero(bytes, sizeof bytes);
  return out;
}

std::string TokenDigest(std::string_view token) {
  unsigned char d[32];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), d, &len, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(64);
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", d[i]);
    hex += buf;
  }
  return hex;
}

std::string NewId(std::string_view prefix) {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  std::string out(prefix);
  out += '-';
  char buf[3];
  for (unsigned char b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status LoginLimiter::Check(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) return Status::Ok();
  if (now_ms - it->second.start_ms >= window_ms_) {
    windows_.erase(it);
    return Status::Ok();
  }
  if (it->second.failures < max_failures_) return Status::Ok();
  int64_t wait_s = (it->second.start_ms + window_ms_ - now_ms + 999) / 1000;
  return ResourceExhausted("too many failed logins; try again in " + std::to_string(wait_s) + " s");
}

void LoginLimiter::RecordFailure(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // Bound the map: drop expired windows when it grows (an attacker cycling addresses cannot
  // make it grow past what one window holds).
  if (windows_.size() > 100000) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now_ms - it->second.start_ms >= window_ms_ ? windows_.erase(it) : std::next(it);
    }
  }
  Window& w = windows_[key];
  if (w.failures == 0 || now_ms - w.start_ms >= window_ms_) {
    w.start_ms = now_ms;
    w.failures = 0;
  }
  ++w.failures;
}

void LoginLimiter::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

}  // namespace genomefed::hub::access
