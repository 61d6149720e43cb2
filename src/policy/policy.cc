#include "policy/policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace genomefed::policy {
namespace {

constexpr std::string_view kOverflowKey = "overflow:";

std::string NormalizeAddress(std::string_view addr) {
  std::string host(addr);
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));  // a.b.c.d:port
  }
  in6_addr v6{};
  bool is_v6 = ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
  if (!is_v6 && host.find(':') != std::string::npos) {
    // "v6addr:port" without brackets, as some servers print a peer.
    std::string without_port = host.substr(0, host.rfind(':'));
    if (::inet_pton(AF_INET6, without_port.c_str(), &v6) == 1) is_v6 = true;
  }
  if (is_v6) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(v6.s6_addr, kMapped, sizeof(kMapped)) == 0) {
      char buf[INET_ADDRSTRLEN];
      in_addr v4{};
      std::memcpy(&v4, v6.s6_addr + 12, 4);
      if (::inet_ntop(AF_INET, &v4, buf, sizeof(buf)) != nullptr) return buf;
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    char buf[INET6_ADDRSTRLEN];
    if (::inet_ntop(AF_INET6, &v6, buf, sizeof(buf)) != nullptr) return std::string(buf) + "/64";
  }
  return host;
}

}  // namespace

bool CountryAllowed(std::string_view country, const std::vector<std::string>& allowed) {
  static constexpr std::string_view kEu[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
                                             "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
                                             "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
  static constexpr std::string_view kEeaOnly[] = {"IS", "LI", "NO"};
  auto upper = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string c = upper(country);
  if (c.size() != 2) return false;
  const bool in_eu = std::find(std::begin(kEu), std::end(kEu), c) != std::end(kEu);
  const bool in_eea =
      in_eu || std::find(std::begin(kEeaOnly), std::end(kEeaOnly), c) != std::end(kEeaOnly);
  for (const std::string& entry : allowed) {
    const std::string a = upper(entry);
    if (a == c || (a == "EU" && in_eu) || (a == "EEA" && in_eea)) return true;
  }
  return false;
}

Status Policy::CheckDelivery(const DeliveryRequest& request) const {
  if (!config_.export_individual_level) {
    return PermissionDenied(
        "this node's jurisdiction rule (policy export_individual_level = false) lets no "
        "individual-level data leave, whatever the grant: only aggregates are released");
  }
  if (request.level != AccessLevel::kControlled) {
    return PermissionDenied(
        "no ControlledAccessGrants visa for this dataset: apply for access to download it");
  }
  if (!IndividualLevelAllowed(request.level)) {
    return PermissionDenied(
        "this node's policy (controlled_granularity below record) releases no "
        "individual-level data");
  }
  if (!request.encrypted && !config_.deliver_plaintext) {
    return PermissionDenied(
        "this node delivers Crypt4GH only (policy deliver_plaintext = false): ask with "
        "encryptionScheme=c4gh and your public key (Htsget-Context-Public-Key)");
  }
  if (config_.require_ethics_approval && !request.ethics_approved) {
    return PermissionDenied(
        "this node's policy (require_ethics_approval = true) needs an ethics approval recorded "
        "in the grant");
  }
  if (!config_.allowed_recipient_countries.empty() &&
      !CountryAllowed(request.recipient_country, config_.allowed_recipient_countries)) {
    return PermissionDenied(
        "this node's jurisdiction rule (policy allowed_recipient_countries) does not allow "
        "delivery to the researcher's country" +
        (request.recipient_country.empty() ? std::string(" (the grant names none)")
                                           : " '" + request.recipient_country + "'"));
  }
  return Status::Ok();
}

std::string_view CountPrecisionName(CountPrecision p) {
  return p == CountPrecision::kExact ? "exact" : "imprecise";
}

Policy::Policy(PolicyConfig config, std::shared_ptr<const passport::Clock> clock,
               PolicyOptions options)
    : config_(config),
      clock_(std::move(clock)),
      options_(options),
      rare_threshold_(options.rare_count_threshold != 0 ? options.rare_count_threshold
                                                        : std::max<uint32_t>(config.min_count, 5)) {
}

Granularity Policy::MaxGranularity(AccessLevel level) const {
  Granularity g = config_.public_granularity;
  if (level >= AccessLevel::kRegistered) g = std::max(g, config_.registered_granularity);
  if (level >= AccessLevel::kControlled) g = std::max(g, config_.controlled_granularity);
  if (!config_.export_individual_level) g = std::min(g, Granularity::kCount);
  return g;
}

Policy::DatasetAccess Policy::AccessFor(AccessLevel level) const {
  DatasetAccess access;
  access.max_granularity = MaxGranularity(level);
  access.min_count = config_.min_count;
  access.exact_counts = level == AccessLevel::kControlled || config_.min_count <= 1;
  if (level != AccessLevel::kControlled && config_.query_budget_per_day > 0) {
    access.rare_below = rare_threshold_;
  }
  return access;
}

Granularity Policy::ReturnedGranularity(AccessLevel level, Granularity requested) const {
  return std::min(requested, MaxGranularity(level));
}

bool Policy::IndividualLevelAllowed(AccessLevel level) const {
  return MaxGranularity(level) == Granularity::kRecord;
}

DisclosedCount Policy::DiscloseCount(uint64_t count, AccessLevel level) const {
  DisclosedCount out;
  out.count = count;
  if (level == AccessLevel::kControlled || config_.min_count <= 1 || count == 0 ||
      count >= config_.min_count) {
    return out;
  }
  out.count = config_.min_count;
  out.precision = CountPrecision::kImprecise;
  out.adjusted_to = config_.min_count;
  return out;
}

bool Policy::IsRareHit(uint64_t count, AccessLevel level) const {
  return level != AccessLevel::kControlled && count >= 1 && count < rare_threshold_;
}

void Policy::RollDayLocked(int64_t day) const {
  if (day != day_) {
    spent_.clear();
    day_ = day;
  }
}

Status Policy::ChargeRareQuery(std::string_view budget_key) {
  const uint32_t budget = config_.query_budget_per_day;
  if (budget == 0) return Status::Ok();
  const int64_t now = clock_->NowSeconds();
  const int64_t day = UtcDay(now);
  std::lock_guard<std::mutex> lock(mu_);
  RollDayLocked(day);
  auto it = spent_.find(budget_key);
  if (it == spent_.end()) {
    std::string key(budget_key);
    if (spent_.size() >= options_.max_budget_identities) key = kOverflowKey;
    it = spent_.emplace(std::move(key), 0).first;
  }
  if (it->second >= budget) {
    return ResourceExhausted("daily budget of " + std::to_string(budget) +
                             " rare-allele queries is spent; it resets in " +
                             std::to_string(SecondsToNextUtcDay(now)) + " s (00:00 UTC)");
  }
  ++it->second;
  return Status::Ok();
}

uint32_t Policy::RemainingBudget(std::string_view budget_key) const {
  const uint32_t budget = config_.query_budget_per_day;
  if (budget == 0) return std::numeric_limits<uint32_t>::max();
  const int64_t now = clock_->NowSeconds();
  const int64_t day = UtcDay(now);
  std::lock_guard<std::mutex> lock(mu_);
  RollDayLocked(day);
  auto it = spent_.find(budget_key);
  if (it == spent_.end() && spent_.size() >= options_.max_budget_identities) {
    it = spent_.find(kOverflowKey);
  }
  uint32_t used = it == spent_.end() ? 0 : it->second;
  return used >= budget ? 0 : budget - used;
}

int64_t UtcDay(int64_t unix_seconds) {
  return unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
}

int64_t SecondsToNextUtcDay(int64_t unix_seconds) {
  return (UtcDay(unix_seconds) + 1) * 86400 - unix_seconds;
}

std::string BudgetKey(const passport::CallerRights& rights, std::string_view client_address) {
  if (rights.authenticated) return "id:" + rights.identity;
  return "addr:" + NormalizeAddress(client_address);
}

}  // namespace genomefed::policy
