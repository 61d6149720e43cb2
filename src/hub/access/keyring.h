// The hub's signing keys as a GA4GH Passport 1.2 broker: ES256 (P-256) keys that sign visas,
// passports and the revocation list, published as a JWK set at /.well-known/jwks.json (the
// `jku` of every token the hub signs). Rotation makes a new key active; the retired key stays
// in the published set until the last token it signed has expired (the ring remembers, per
// key, the latest `exp` it signed), then it is dropped from the set — so a passport signed just
// before a rotation keeps verifying at nodes until its own expiry, and never after.
//
// On disk (`[access] keys_dir`, mode 0700): one PKCS#8 PEM per key (`<kid>.pem`, mode 0600) and
// `keyring.json` {"keys": [{"kid", "created", "retired", "lastExp"}], "active": kid}, replaced
// atomically. An empty dir path keeps the keys in memory only (tests, demos).
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "passport/signer.h"

namespace genomefed::hub::access {

class KeyRing {
 public:
  // Loads the ring from `dir` (creating the directory and a first key when empty).
  static Result<std::unique_ptr<KeyRing>> Open(const std::filesystem::path& dir, int64_t now_s);

  // Signs compact JWS with the active key and records that a token valid until `exp_s` was
  // signed by it. `header` gets alg, kid and jku.
  Result<std::string> SignJwt(nlohmann::json header, const nlohmann::json& payload,
                              const std::string& jku, int64_t exp_s);
  Result<std::string> IssueVisa(const passport::IssueParams& params,
                                const passport::VisaSpec& visa);
  Result<std::string> IssuePassport(const passport::IssueParams& params,
                                    const std::vector<std::string>& visas);

  // A new active key; the previous one is retired now (published until its lastExp).
  Status Rotate(int64_t now_s);
  // {"keys": [...]}: the active key and every retired key whose tokens may still be valid at
  // `now_s` (lastExp + `skew_s`, as verifiers accept that much clock skew).
  nlohmann::json Jwks(int64_t now_s, int64_t skew_s = 30) const;
  std::string active_kid() const;

 private:
  struct Entry {
    std::shared_ptr<const passport::SigningKey> key;
    int64_t created = 0;
    int64_t retired = 0;  // 0 while active
    int64_t last_exp = 0;
  };
  KeyRing() = default;
  Status SaveLocked() const;
  Status AddKeyLocked(int64_t now_s);
  std::shared_ptr<const passport::SigningKey> NoteSigned(int64_t exp_s);

  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // GUARDED_BY(mu_); the last one is active
};

}  // namespace genomefed::hub::access
