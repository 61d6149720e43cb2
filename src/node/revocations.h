// Revocation lists of the passport brokers a node trusts (genomefed hub extension to GA4GH
// Passport 1.2, docs/access.md "Revocation"): a broker such as the genomefed hub publishes a
// signed JWT at /api/access/revocations naming the ControlledAccessGrants it revoked (by
// subject, visa value and the visa's `asserted` time). The node polls each configured list,
// accepts it only when it is signed by a key from the JWKS of a [[trust]] (iss, jku) pair and is
// current (exp / iat with 30 s skew), and from then on refuses matching visas even inside a
// passport that is otherwise valid. A re-grant after a revocation carries a later `asserted`
// and is honoured again.
//
// When a list cannot be fetched, the last good one stays in force (revocations are never
// forgotten because the broker is unreachable).
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "passport/clock.h"
#include "passport/jwks_cache.h"
#include "passport/rights.h"
#include "passport/verifier.h"

namespace genomefed::node {

struct RevocationOptions {
  std::vector<std::string> urls;  // e.g. "https://hub.example/api/access/revocations"
  uint32_t poll_interval_ms = 60'000;
  passport::JwksCacheOptions jwks;
};

// Reads [revocations] from the node's configuration file (absent: no lists are polled).
//
//   [revocations]
//   urls = ["https://hub.example.org/api/access/revocations"]
//   poll_interval_s = 60
Result<RevocationOptions> LoadRevocationOptions(const std::filesystem::path& path);
Result<RevocationOptions> ParseRevocationOptions(std::string_view toml_text,
                                                 std::string_view source);

struct RevokedGrant {
  std::string iss;    // the list's issuer
  std::string grant;  // the broker's grant id (for logs)
  std::string sub;
  std::string value;     // the visa value
  int64_t asserted = 0;  // visas of this subject and value asserted at or before this are refused
  int64_t revoked = 0;
};

class RevocationList {
 public:
  RevocationList(std::vector<TrustEntry> trust, std::shared_ptr<http::HttpClient> client,
                 std::shared_ptr<const passport::Clock> clock, RevocationOptions options);
  ~RevocationList();

  // Fetches and verifies every list now; a list that fails keeps its last good version. The
  // status is the first failure (OK when all lists were applied).
  Status PollOnce();
  // Polls in a background thread every poll_interval_ms until Stop (or destruction).
  void Start();
  void Stop();

  // Verifies a list's compact JWS text and returns its entries (exposed for tests and fuzzing).
  Result<std::vector<RevokedGrant>> Verify(std::string_view token);

  bool Revoked(const passport::Visa& visa) const;
  // Drops revoked ControlledAccessGrants visas from `passport`, noting each in its denials.
  void Filter(passport::VerifiedPassport& passport) const;
  uint64_t successful_polls() const;

 private:
  std::vector<TrustEntry> trust_;
  std::shared_ptr<http::HttpClient> client_;
  std::shared_ptr<const passport::Clock> clock_;
  RevocationOptions options_;
  passport::JwksCache jwks_;

  mutable std::mutex mu_;
  std::vector<std::vector<RevokedGrant>> lists_;  // GUARDED_BY(mu_), one per url
  uint64_t polls_ = 0;                            // GUARDED_BY(mu_)
  bool stopping_ = false;                         // GUARDED_BY(mu_)
  std::condition_variable wake_;
  std::thread thread_;
};

// Authorizer::Authorize with revoked visas removed before the rights are worked out (the hook
// of PolicyAccessResolver when the node polls revocation lists); logs as Authorize does.
passport::CallerRights AuthorizeUnlessRevoked(passport::Authorizer& authorizer,
                                              const RevocationList& revocations,
                                              std::string_view authorization,
                                              std::span<const passport::DatasetRef> datasets);

}  // namespace genomefed::node
