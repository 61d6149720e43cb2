// GA4GH Passport 1.2 verification (AAI profile 1.2). The bearer credential is a signed Passport
// JWT whose `ga4gh_passport_v1` claim holds Visa Document Tokens (JWTs with `jku` and `kid`
// headers). The other AAI way in, for a broker listed with a `userinfo` endpoint: the bearer
// value is the broker's access token, which the node (as Passport Clearinghouse) presents to that
// endpoint itself to get the visas. A 1.0 userinfo document handed over by the caller is never
// believed (the caller could have built it around visas lifted from refused passports), and a
// visa alone is a credential only behind `VerifierOptions::accept_bare_visas`.
//
// Default deny. For each JWT, in this order: size limit, shape (no duplicated JSON names),
// `alg` (RS256 / ES256 only, so `none`, HS* and key confusion fail), `kid` present, (iss, jku)
// on the [[trust]] list — before any key is fetched — then `exp` / `nbf` / `iat` with a clock
// skew (30 s) and `aud`, then the signature with a key from the JWKS cache. Visas must belong
// to the passport's `sub` (directly or through a LinkedIdentities visa); visas with
// `conditions` count only when the conditions hold (an unknown condition type or field denies
// the visa). What a visa grants is decided in rights.h. No token, signature or key material,
// and no URL query or userinfo, ever appears in a result or a log line.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "passport/clock.h"
#include "passport/jwks_cache.h"
#include "passport/userinfo.h"

namespace genomefed::passport {

struct VerifierOptions {
  size_t max_token_bytes = 1024 * 1024;  // the whole bearer value (the server caps headers too)
  size_t max_visa_bytes = 16 * 1024;     // one visa JWT
  size_t max_visas = 200;                // per passport; more rejects the whole passport
  int64_t clock_skew_seconds = 30;
  // Subject binding. By default a visa belongs to the caller when its `sub` equals the
  // passport's, whoever issued it (trusted issuers are assumed to share the subject namespace,
  // as federated AAIs and the genomefed hub do). When true, the visa's `iss` must also equal the
  // passport's; other identities then need a LinkedIdentities visa.
  bool bind_subject_and_issuer = false;
  // RFC 7519 4.1.3: a JWT with an `aud` claim is accepted only when one of its audiences is
  // listed here (e.g. the node's public_url or its client id at the broker). JWTs without `aud`
  // are unaffected.
  std::vector<std::string> audiences;
  // Verified passports are remembered by the SHA-256 of the token, so a client sending the same
  // passport with every request pays for the signatures once. An entry lives at most
  // `decision_cache_seconds` and never past the earliest exp of the passport or a visa it
  // accepted. Only accepted passports are cached (garbage cannot fill it). 0 entries disables.
  size_t decision_cache_entries = 4096;
  int64_t decision_cache_seconds = 60;
  JwksCacheOptions jwks;
  // 1.0 form "a visa JWT on its own as the bearer value". Off by default: a visa outlives the
  // passport it came in (often a year against minutes), so accepting it alone lets anyone who
  // saw one passport keep its grants past the passport's exp, aud and signature.
  bool accept_bare_visas = false;
  UserinfoOptions userinfo;  // the AAI userinfo flow, for trust entries with `userinfo`
};

// One visa that passed every check (signature, time, trust, subject binding, conditions).
struct Visa {
  std::string type;    // ga4gh_visa_v1.type, e.g. "ControlledAccessGrants"
  std::string value;   // ga4gh_visa_v1.value
  std::string source;  // ga4gh_visa_v1.source
  std::string by;      // ga4gh_visa_v1.by; empty when absent
  int64_t asserted = 0;
  std::string iss;  // visa issuer (a trusted one)
  std::string sub;
  int64_t exp = 0;
  size_t index = 0;  // position in the passport, for messages
};

struct VerifiedPassport {
  bool token_presented = false;
  // True when the passport verified (or the broker's userinfo endpoint accepted the access
  // token; or, with accept_bare_visas, the visa verified); the identity is then
  // `subject`@`issuer`.
  bool authenticated = false;
  Status token_status;  // why the token as a whole was refused; OK otherwise
  std::string subject;
  std::string issuer;
  // The passport's exp; 0 for userinfo and bare visas (each visa has its own).
  int64_t expires_at = 0;
  std::vector<Visa> visas;           // accepted visas only
  std::vector<std::string> denials;  // one line per refused visa or token; no token content
};

// Thread-safe; one instance per process so that the JWKS cache is shared.
class PassportVerifier {
 public:
  PassportVerifier(std::vector<TrustEntry> trust, std::shared_ptr<http::HttpClient> client,
                   std::shared_ptr<const Clock> clock, VerifierOptions options = {});

  // `authorization` is the Authorization header value (may be empty: no token). Anything but
  // "Bearer <token>" (scheme case-insensitive) is a refused token.
  VerifiedPassport VerifyAuthorization(std::string_view authorization);
  // The bearer value itself.
  VerifiedPassport VerifyToken(std::string_view token);

  uint64_t jwks_fetch_count() const { return jwks_.fetch_count(); }
  uint64_t userinfo_call_count() const { return userinfo_calls_.load(); }
  uint64_t decision_cache_hits() const;
  const Clock& clock() const { return *clock_; }

 private:
  struct Candidate;
  struct CachedDecision {
    VerifiedPassport passport;
    int64_t valid_until = 0;
  };
  VerifiedPassport VerifyTokenUncached(std::string_view token);
  Status VerifyJwtSignatureAndTime(const struct Jwt& jwt, bool is_visa, std::string& iss,
                                   std::string& sub, int64_t& exp, JwksRequestState& state);
  Result<Candidate> VerifyVisa(std::string_view token, size_t index, JwksRequestState& state);
  void VerifyVisaList(const nlohmann::json& list, VerifiedPassport& out, JwksRequestState& state,
                      bool bind_to_first);
  bool Trusted(std::string_view iss, std::string_view jku) const;
  // The AAI userinfo flow for an access token (`iss_hint`: the unverified `iss` of a JWT access
  // token, empty for an opaque one; it only chooses which broker may see the token).
  void VerifyWithUserinfo(std::string_view token, std::string_view iss_hint, VerifiedPassport& out,
                          JwksRequestState& state);

  struct Broker {
    std::string iss;
    std::string userinfo;
  };

  std::vector<TrustEntry> trust_;
  std::vector<Broker> brokers_;  // trust entries with a valid userinfo URL
  std::atomic<uint32_t> userinfo_in_flight_{0};
  std::atomic<uint64_t> userinfo_calls_{0};
  std::shared_ptr<const Clock> clock_;
  VerifierOptions options_;
  std::shared_ptr<http::HttpClient> client_;  // for userinfo calls
  JwksCache jwks_;
  mutable std::mutex cache_mu_;
  std::unordered_map<std::string, CachedDecision> cache_;  // GUARDED_BY(cache_mu_)
  uint64_t cache_hits_ = 0;                                // GUARDED_BY(cache_mu_)
};

// Printable, bounded form of an untrusted string for messages and logs (control characters
// replaced, at most `max` characters).
std::string Printable(std::string_view s, size_t max = 120);

// Wildcard match of the GA4GH condition "pattern:" syntax: '?' one character, '*' any run.
// Returns false once `steps` (decremented per comparison) is exhausted, to bound the cost.
bool PatternMatch(std::string_view pattern, std::string_view text, int64_t& steps);

}  // namespace genomefed::passport
