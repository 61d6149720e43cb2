// Node policy: what leaves the node for a caller. Decides the returned Beacon v2 granularity
// per dataset from the node's [policy] (public / registered / controlled granularity,
// export_individual_level) and the caller's access level (passport/rights.h); applies
// disclosure control to every count (Beacon v2.2 `countPrecision` / `countAdjustedTo`); and
// keeps the per-identity daily budget of rare-allele queries (HTTP 429 when spent).
// The rules and their reasons are in docs/policy.md. Knows no HTTP; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "passport/clock.h"
#include "passport/rights.h"

namespace genomefed::policy {

using passport::AccessLevel;

// Beacon v2.2 countPrecision values this node emits ("rounded" is never used).
enum class CountPrecision { kExact, kImprecise };
std::string_view CountPrecisionName(CountPrecision p);  // "exact" | "imprecise"

// A count as it may leave the node.
struct DisclosedCount {
  uint64_t count = 0;  // the number to emit (numTotalResults, resultsCount, alleleCount, ...)
  CountPrecision precision = CountPrecision::kExact;
  // countAdjustedTo: set (to min_count) when a low count was replaced by min_count.
  std::optional<uint64_t> adjusted_to;
  bool exact() const { return precision == CountPrecision::kExact; }
};

struct PolicyOptions {
  // A query "hits a rare allele" when a count it would release to a caller below CONTROLLED is
  // between 1 and rare_count_threshold - 1. 0 means max(min_count, 5), so the budget still
  // guards rare alleles on a node that releases exact counts (min_count = 1).
  uint32_t rare_count_threshold = 0;
  // Budget entries kept per day; beyond it new identities share one bucket, so memory stays
  // bounded when many client addresses appear.
  size_t max_budget_identities = 1'000'000;
};

class Policy {
 public:
  Policy(PolicyConfig config, std::shared_ptr<const passport::Clock> clock,
         PolicyOptions options = {});

  const PolicyConfig& config() const { return config_; }

  // The most a caller at `level` may receive: the highest granularity configured for its level
  // or any level below it (more rights never return less), capped at count when
  // export_individual_level is false.
  Granularity MaxGranularity(AccessLevel level) const;

  // Everything a Beacon needs per dataset for a caller at `level`, in one value (it maps field
  // for field onto beacon::DatasetAccess): the granularity cap, min_count, and whether counts
  // are released exactly (CONTROLLED, or min_count <= 1) — the same rule as DiscloseCount.
  struct DatasetAccess {
    Granularity max_granularity = Granularity::kBoolean;
    uint32_t min_count = 5;
    bool exact_counts = false;
    // Allele carrier counts below this make a query a rare hit (IsRareHit) for this caller;
    // 0 when the caller is not budgeted (CONTROLLED, or query_budget_per_day = 0).
    uint32_t rare_below = 0;
  };
  DatasetAccess AccessFor(AccessLevel level) const;

  // What to answer: the requested granularity, lowered to MaxGranularity(level).
  Granularity ReturnedGranularity(AccessLevel level, Granularity requested) const;

  // Whether records, htsget slices or DRS objects of a dataset may leave for this caller:
  // MaxGranularity(level) == record.
  bool IndividualLevelAllowed(AccessLevel level) const;

  // Whether an individual-level file (htsget slice, DRS object) of a dataset may be delivered
  // for this request. OK, or kPermissionDenied whose message names the rule that refuses:
  // export_individual_level = false (the node's jurisdiction rule: nobody), a level below
  // CONTROLLED or a controlled_granularity below record, plaintext asked while
  // deliver_plaintext = false, require_ethics_approval without an approval in the grant, or a
  // recipient country not in allowed_recipient_countries (an unknown country is refused when
  // the list is set: default deny).
  struct DeliveryRequest {
    AccessLevel level = AccessLevel::kPublic;
    bool encrypted = false;         // Crypt4GH to the requester's key
    std::string recipient_country;  // the grant's researcher country, ISO 3166-1 alpha-2
    bool ethics_approved = false;   // the grant records an ethics approval
  };
  Status CheckDelivery(const DeliveryRequest& request) const;

  // Disclosure control for one count of one dataset. CONTROLLED callers and min_count <= 1:
  // exact. Otherwise 0 stays an exact 0, counts in 1..min_count-1 become min_count with
  // precision "imprecise" and countAdjustedTo [min_count], larger counts are exact.
  DisclosedCount DiscloseCount(uint64_t count, AccessLevel level) const;

  // True when releasing `count` to a caller at `level` spends budget (see PolicyOptions).
  bool IsRareHit(uint64_t count, AccessLevel level) const;

  // Spends one unit of `budget_key`'s daily budget for a query whose answer hits a rare
  // allele. kResourceExhausted (HTTP 429) when the day's budget is already spent; the
  // answer must then not be sent. Always OK when query_budget_per_day is 0. Days are UTC
  // calendar days.
  Status ChargeRareQuery(std::string_view budget_key);

  // Remaining units today for `budget_key` (UINT32_MAX when unlimited).
  uint32_t RemainingBudget(std::string_view budget_key) const;

 private:
  void RollDayLocked(int64_t day) const;

  const PolicyConfig config_;
  const std::shared_ptr<const passport::Clock> clock_;
  const PolicyOptions options_;
  const uint32_t rare_threshold_;
  mutable std::mutex mu_;
  mutable int64_t day_ = -1;                                    // GUARDED_BY(mu_)
  mutable std::map<std::string, uint32_t, std::less<>> spent_;  // GUARDED_BY(mu_)
};

// Budgets are kept per UTC calendar day: the day number of a Unix time (floor, also before
// 1970), and the seconds until the next one starts (what a 429's Retry-After says).
int64_t UtcDay(int64_t unix_seconds);

// Whether `country` (ISO 3166-1 alpha-2, any case) is in `allowed`, whose entries are country
// codes or the groups "EU" (the 27 member states) and "EEA" (EU + IS, LI, NO).
bool CountryAllowed(std::string_view country, const std::vector<std::string>& allowed);
int64_t SecondsToNextUtcDay(int64_t unix_seconds);

// The budget key of a caller: "id:<sub@iss>" for a verified passport, else
// "addr:<client address>" with IPv6 addresses reduced to their /64 (one host usually owns a
// whole /64) and IPv4-mapped IPv6 shown as IPv4. A port suffix is ignored.
std::string BudgetKey(const passport::CallerRights& rights, std::string_view client_address);

}  // namespace genomefed::policy
