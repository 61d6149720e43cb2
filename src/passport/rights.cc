#include "passport/rights.h"

#include <algorithm>
#include <limits>

#include "core/log.h"

namespace genomefed::passport {

std::string_view AccessLevelName(AccessLevel level) {
  switch (level) {
    case AccessLevel::kPublic:
      return "public";
    case AccessLevel::kRegistered:
      return "registered";
    case AccessLevel::kControlled:
      return "controlled";
  }
  return "public";
}

std::string DefaultVisaValue(const NodeConfig& config, std::string_view dataset_id) {
  std::string base = config.public_url.empty() ? "http://" + config.listen : config.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/datasets/" + std::string(dataset_id);
}

DatasetRef DatasetRefFor(const NodeConfig& config, std::string_view dataset_id) {
  for (const DatasetConfig& d : config.datasets) {
    if (d.id == dataset_id && !d.visa_value.empty()) return {d.id, d.visa_value};
  }
  return {std::string(dataset_id), DefaultVisaValue(config, dataset_id)};
}

std::vector<DatasetRef> DatasetRefsFor(const NodeConfig& config,
                                       const std::vector<std::string>& dataset_ids) {
  std::vector<DatasetRef> refs;
  refs.reserve(dataset_ids.size());
  for (const std::string& id : dataset_ids) refs.push_back(DatasetRefFor(config, id));
  return refs;
}

AccessLevel CallerRights::LevelFor(std::string_view dataset_id) const {
  auto it = levels.find(std::string(dataset_id));
  return it == levels.end() ? AccessLevel::kPublic : it->second;
}

CallerRights ComputeRights(const VerifiedPassport& passport, std::span<const DatasetRef> datasets) {
  CallerRights rights;
  rights.token_presented = passport.token_presented;
  rights.token_status = passport.token_status;
  rights.denials = passport.denials;
  for (const DatasetRef& d : datasets) rights.levels[d.id] = AccessLevel::kPublic;
  if (!passport.authenticated) return rights;

  rights.authenticated = true;
  rights.identity = passport.subject + "@" + passport.issuer;
  int64_t expires =
      passport.expires_at > 0 ? passport.expires_at : std::numeric_limits<int64_t>::max();
  auto use = [&expires](const Visa& v) { expires = std::min(expires, v.exp); };

  // The earliest-expiring ResearcherStatus visa is not necessarily the one to use: take the
  // latest, so the decision lives as long as any qualifying visa does.
  const Visa* researcher = nullptr;
  for (const Visa& v : passport.visas) {
    if (v.type != "ResearcherStatus") continue;
    if (v.by == "so" || v.by == "system" || v.by == "peer") {
      if (researcher == nullptr || v.exp > researcher->exp) researcher = &v;
    } else {
      rights.denials.push_back("visa " + std::to_string(v.index) + ": ResearcherStatus by '" +
                               Printable(v.by, 16) + "' does not make a registered researcher");
    }
  }
  for (const Visa& v : passport.visas) {
    if (v.type == "ControlledAccessGrants" && v.by != "dac") {
      rights.denials.push_back("visa " + std::to_string(v.index) + ": ControlledAccessGrants by '" +
                               Printable(v.by, 16) + "' is not a DAC grant");
    }
  }
  bool used_researcher = false;
  for (const DatasetRef& d : datasets) {
    const Visa* grant = nullptr;
    for (const Visa& v : passport.visas) {
      if (v.type == "ControlledAccessGrants" && v.by == "dac" && v.value == d.visa_value &&
          (grant == nullptr || v.exp > grant->exp)) {
        grant = &v;
      }
    }
    if (grant != nullptr) {
      rights.levels[d.id] = AccessLevel::kControlled;
      use(*grant);
    } else if (researcher != nullptr) {
      rights.levels[d.id] = AccessLevel::kRegistered;
      used_researcher = true;
    }
  }
  if (used_researcher) use(*researcher);
  rights.expires_at = expires == std::numeric_limits<int64_t>::max() ? 0 : expires;
  return rights;
}

std::vector<std::string> DecisionLogLines(const CallerRights& rights) {
  std::vector<std::string> lines;
  const std::string who = Printable(rights.identity, 200);
  for (const auto& [id, level] : rights.levels) {
    std::string reason;
    if (!rights.token_presented) {
      reason = "no token";
    } else if (!rights.authenticated) {
      reason = "token refused: " + rights.token_status.message();
    } else if (level == AccessLevel::kControlled) {
      reason = "ControlledAccessGrants visa by dac";
    } else if (level == AccessLevel::kRegistered) {
      reason = "ResearcherStatus visa; no grant for this dataset";
    } else {
      reason = "no qualifying visa";
    }
    lines.push_back("access decision who=" + who + " dataset=" + Printable(id) +
                    " level=" + std::string(AccessLevelName(level)) + " reason=\"" +
                    Printable(reason, 300) + "\"");
  }
  for (const std::string& denial : rights.denials) {
    lines.push_back("access denial who=" + who + " reason=\"" + Printable(denial, 300) + "\"");
  }
  return lines;
}

Authorizer::Authorizer(std::vector<TrustEntry> trust, std::shared_ptr<http::HttpClient> client,
                       std::shared_ptr<const Clock> clock, VerifierOptions options)
    : verifier_(std::move(trust), std::move(client), std::move(clock), options) {}

CallerRights Authorizer::Authorize(std::string_view authorization,
                                   std::span<const DatasetRef> datasets) {
  CallerRights rights = ComputeRights(verifier_.VerifyAuthorization(authorization), datasets);
  // Logged as plain strings, not through a format string: the lines carry caller-controlled text.
  for (const std::string& line : DecisionLogLines(rights)) {
    spdlog::default_logger_raw()->log(spdlog::level::info, spdlog::string_view_t(line));
  }
  return rights;
}

}  // namespace genomefed::passport
