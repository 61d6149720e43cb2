// What a caller may see at a node: the access level per dataset derived from verified GA4GH
// Passport 1.2 visas. ResearcherStatus visas asserted by a signing official, a system or a peer
// ("so", "system", "peer") make the caller REGISTERED for every dataset; a ControlledAccessGrants
// visa asserted by a DAC ("dac") whose value is the dataset's URL ({public_url}/datasets/{id},
// or the dataset's `visa_value`) makes the caller CONTROLLED for that dataset. Anything else is
// PUBLIC. The decision expires with the earliest visa used (or the passport). The Authorizer
// is the one call a server makes per request; it logs one line per dataset decision and never
// a token.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "passport/clock.h"
#include "passport/verifier.h"

namespace genomefed::passport {

enum class AccessLevel { kPublic = 0, kRegistered = 1, kControlled = 2 };
std::string_view AccessLevelName(AccessLevel level);  // "public" | "registered" | "controlled"

// A dataset as the access decision sees it: its id and the ControlledAccessGrants value that
// grants it.
struct DatasetRef {
  std::string id;
  std::string visa_value;
};

// {public_url}/datasets/{id} (public_url without trailing '/'; "http://{listen}" when empty).
std::string DefaultVisaValue(const NodeConfig& config, std::string_view dataset_id);
// The ref for one dataset: its [[datasets]] visa_value when configured, else the default.
DatasetRef DatasetRefFor(const NodeConfig& config, std::string_view dataset_id);
std::vector<DatasetRef> DatasetRefsFor(const NodeConfig& config,
                                       const std::vector<std::string>& dataset_ids);

struct CallerRights {
  // "sub@iss" of a verified passport, else "anonymous".
  std::string identity = "anonymous";
  bool authenticated = false;
  bool token_presented = false;
  // Why a presented token was refused as a whole (kUnauthenticated); OK when no token was
  // presented or the passport verified. The caller is then treated as anonymous; a server
  // may instead answer 401 with this status.
  Status token_status;
  std::map<std::string, AccessLevel> levels;  // dataset id → level
  // Unix seconds after which this decision must not be reused; 0 when anonymous.
  int64_t expires_at = 0;
  std::vector<std::string> denials;  // refused token / visas, for the log and error bodies

  // The level for a dataset; PUBLIC for a dataset that was not asked about.
  AccessLevel LevelFor(std::string_view dataset_id) const;
};

// Pure: the rights that `passport` gives for `datasets`.
CallerRights ComputeRights(const VerifiedPassport& passport, std::span<const DatasetRef> datasets);

// The node's entry point: verify the Authorization header, decide per dataset, log.
// Thread-safe; create one per process (it owns the JWKS cache).
class Authorizer {
 public:
  Authorizer(std::vector<TrustEntry> trust, std::shared_ptr<http::HttpClient> client,
             std::shared_ptr<const Clock> clock, VerifierOptions options = {});

  // `authorization` is the raw Authorization header value ("" when absent).
  CallerRights Authorize(std::string_view authorization, std::span<const DatasetRef> datasets);

  PassportVerifier& verifier() { return verifier_; }

 private:
  PassportVerifier verifier_;
};

// One log line per dataset decision (who, dataset, level, reason); exposed for tests.
std::vector<std::string> DecisionLogLines(const CallerRights& rights);

}  // namespace genomefed::passport
