#include "passport/node_settings.h"

#include <algorithm>

#include "passport/url_check.h"

namespace genomefed::passport {

VerifierOptions VerifierOptionsFor(const NodeConfig& config) {
  VerifierOptions options;
  options.audiences = config.passport_audiences;
  if (options.audiences.empty() && !config.public_url.empty()) {
    options.audiences.push_back(config.public_url);
  }
  options.accept_bare_visas = config.passport_accept_bare_visas;
  // With N server threads at most N-1 wait for a broker or an issuer: one always serves.
  const uint32_t waiting = std::max<uint32_t>(1, config.limits.threads - 1);
  options.jwks.max_waiting_requests = waiting;
  options.userinfo.max_concurrent = waiting;
  return options;
}

Status ValidateTrustList(const std::vector<TrustEntry>& trust, bool allow_insecure_http) {
  for (size_t i = 0; i < trust.size(); ++i) {
    const TrustEntry& e = trust[i];
    const std::string where = "[[trust]] entry " + std::to_string(i + 1) + " (iss " + e.iss + ")";
    if (Status s = CheckTrustedUrl(e.jku, allow_insecure_http); !s.ok()) {
      return s.WithContext(where + ": jku");
    }
    if (!e.userinfo.empty()) {
      if (Status s = CheckTrustedUrl(e.userinfo, allow_insecure_http); !s.ok()) {
        return s.WithContext(where + ": userinfo");
      }
    }
  }
  return Status::Ok();
}

}  // namespace genomefed::passport
