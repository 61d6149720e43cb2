// Signing side of GA4GH Passport 1.2: key generation (ES256 on P-256, RS256 with 2048-bit RSA),
// the public JWK set a verifier fetches from `jku`, and issuing Visa Document Tokens (JWTs with
// `jku` and `kid` headers and a `ga4gh_visa_v1` claim) and Passport JWTs (`ga4gh_passport_v1`).
// Used by the `genomefed keys` / `genomefed passport` commands and by the hub's visa broker.
// OpenSSL 3 EVP; private key text is wiped from memory after use.
#pragma once

#include <openssl/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "passport/jws.h"

namespace genomefed::passport {

// A private signing key. Immutable after creation; Sign is thread-safe.
class SigningKey {
 public:
  static Result<SigningKey> Generate(JwsAlg alg);
  // PKCS#8 or traditional PEM; the algorithm follows from the key type (RSA → RS256,
  // P-256 EC → ES256; other types and RSA under 2048 bits are refused).
  static Result<SigningKey> FromPem(std::string_view pem);
  static Result<SigningKey> Load(const std::filesystem::path& pem_path);

  JwsAlg alg() const { return alg_; }
  // RFC 7638 JWK thumbprint (SHA-256, base64url): stable for the key, used as `kid`.
  const std::string& kid() const { return kid_; }
  // The public JWK with kid, alg and use "sig".
  nlohmann::json PublicJwk() const;
  // SubjectPublicKeyInfo PEM of the public key.
  Result<std::string> PublicPem() const;
  // PKCS#8 PEM of the private key. The caller must wipe it (WipeString) after use.
  Result<std::string> PrivatePem() const;

  // Compact JWS over `header` (alg and kid are set here) and `payload`.
  Result<std::string> SignJwt(nlohmann::json header, const nlohmann::json& payload) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg);
  std::shared_ptr<EVP_PKEY> key_;
  JwsAlg alg_ = JwsAlg::kES256;
  std::string kid_;
  nlohmann::json public_jwk_;
};

// {"keys": [jwk, ...]} for the given keys.
nlohmann::json JwksFor(const std::vector<const SigningKey*>& keys);

// Writes `pem` to `path` with mode 0600 (created exclusively unless `overwrite`), fsynced.
Status WritePrivateKeyFile(const std::filesystem::path& path, std::string_view pem, bool overwrite);

// Overwrites a string's bytes with zeros (OPENSSL_cleanse) and clears it.
void WipeString(std::string& s);

struct VisaSpec {
  std::string type;           // e.g. "ResearcherStatus", "ControlledAccessGrants"
  std::string value;          // e.g. the dataset URL
  std::string source;         // empty: the issuer
  std::string by;             // empty: omitted
  int64_t asserted = 0;       // 0: the issue time
  nlohmann::json conditions;  // null: none
};

struct IssueParams {
  std::string iss;
  std::string jku;
  std::string sub;
  int64_t iat = 0;
  int64_t exp = 0;
};

// A Visa Document Token signed with `key` (header: typ JWT, alg, kid, jku).
Result<std::string> IssueVisa(const SigningKey& key, const IssueParams& params,
                              const VisaSpec& visa);

// A Passport JWT (header typ "vnd.ga4gh.passport+jwt", alg, kid, jku) carrying `visas`.
Result<std::string> IssuePassport(const SigningKey& key, const IssueParams& params,
                                  const std::vector<std::string>& visas);

}  // namespace genomefed::passport
