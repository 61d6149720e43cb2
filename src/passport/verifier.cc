#include "passport/verifier.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

#include "core/log.h"
#include "passport/base64url.h"
#include "passport/jws.h"
#include "passport/jwt.h"
#include "passport/url_check.h"

namespace genomefed::passport {
namespace {

constexpr std::string_view kPassportClaim = "ga4gh_passport_v1";
constexpr std::string_view kVisaClaim = "ga4gh_visa_v1";
constexpr std::string_view kPassportTyp = "vnd.ga4gh.passport+jwt";

// Visa types of the Passport 1.2 standard; a condition naming any other type is unknown.
bool IsStandardVisaType(std::string_view type) {
  return type == "AffiliationAndRole" || type == "AcceptedTermsAndPolicies" ||
         type == "ResearcherStatus" || type == "ControlledAccessGrants" ||
         type == "LinkedIdentities";
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding for LinkedIdentities entries; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]);
    int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

using Identity = std::pair<std::string, std::string>;  // (sub, iss)

// Three dot-separated parts whose first decodes to a JSON object: a JWS, well-formed or not.
bool LooksLikeJwt(std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) == std::string_view::npos) {
    return false;
  }
  auto header = Base64UrlDecode(token.substr(0, dot));
  if (!header.ok()) return false;
  std::string_view text = *header;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                           text.front() == '\n')) {
    text.remove_prefix(1);
  }
  return !text.empty() && text.front() == '{';
}

}  // namespace

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  if (s.size() > max) out += "...";
  return out;
}

bool PatternMatch(std::string_view pattern, std::string_view text, int64_t& steps) {
  // Greedy matching with one back-track point (the last '*'): linear in practice, O(n*m) at
  // worst, and the step budget bounds even that.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (--steps < 0) return false;
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

struct PassportVerifier::Candidate {
  Visa visa;
  nlohmann::json conditions;  // null when the visa has none
};

PassportVerifier::PassportVerifier(std::vector<TrustEntry> trust,
                                   std::shared_ptr<http::HttpClient> client,
                                   std::shared_ptr<const Clock> clock, VerifierOptions options)
    : trust_(std::move(trust)),
      clock_(clock),
      options_(options),
      client_(client),
      jwks_(std::move(client), std::move(clock), options.jwks) {
  for (const TrustEntry& e : trust_) {
    if (e.userinfo.empty()) continue;
    // Node::Start refuses such a config (ValidateTrustList); other callers get a warning and
    // the entry's userinfo is not used.
    if (Status ok = CheckTrustedUrl(e.userinfo, options_.jwks.allow_insecure_http); !ok.ok()) {
      log::warn("trust entry for issuer {}: userinfo not used: {}", Printable(e.iss), ok.message());
      continue;
    }
    bool known = std::any_of(brokers_.begin(), brokers_.end(), [&](const Broker& b) {
      return b.iss == e.iss && b.userinfo == e.userinfo;
    });
    if (!known) brokers_.push_back({e.iss, e.userinfo});
  }
}

bool PassportVerifier::Trusted(std::string_view iss, std::string_view jku) const {
  return std::any_of(trust_.begin(), trust_.end(),
                     [&](const TrustEntry& e) { return e.iss == iss && e.jku == jku; });
}

Status PassportVerifier::VerifyJwtSignatureAndTime(const Jwt& jwt, bool is_visa, std::string& iss,
                                                   std::string& sub, int64_t& exp,
                                                   JwksRequestState& state) {
  GF_ASSIGN_OR_RETURN(JwsAlg alg, ParseAllowedAlg(jwt.alg));
  if (jwt.kid.empty()) return PermissionDenied("no 'kid' in the JWT header");
  GF_ASSIGN_OR_RETURN(auto iss_claim, StringClaim(jwt.payload, "iss"));
  GF_ASSIGN_OR_RETURN(auto sub_claim, StringClaim(jwt.payload, "sub"));
  if (!iss_claim.has_value() || iss_claim->empty()) return InvalidArgument("no 'iss' claim");
  if (!sub_claim.has_value() || sub_claim->empty()) return InvalidArgument("no 'sub' claim");
  iss = *iss_claim;
  sub = *sub_claim;

  // Trust first: nothing is fetched for an issuer or key URL the operator did not list.
  std::vector<std::string> jkus;
  if (!jwt.jku.empty()) {
    if (!Trusted(iss, jwt.jku)) {
      bool iss_known = std::any_of(trust_.begin(), trust_.end(),
                                   [&](const TrustEntry& e) { return e.iss == iss; });
      return PermissionDenied(iss_known ? "jku '" + Printable(RedactUrl(jwt.jku)) +
                                              "' is not trusted for issuer '" + Printable(iss) + "'"
                                        : "issuer '" + Printable(iss) + "' is not trusted");
    }
    jkus.push_back(jwt.jku);
  } else if (is_visa) {
    return PermissionDenied("visa has no 'jku' header (only Visa Document Tokens are accepted)");
  } else {
    // A passport without jku: its keys are at the jku(s) listed for its issuer.
    for (const TrustEntry& e : trust_) {
      if (e.iss == iss) jkus.push_back(e.jku);
    }
    if (jkus.empty()) return PermissionDenied("issuer '" + Printable(iss) + "' is not trusted");
  }

  const int64_t now = clock_->NowSeconds();
  const int64_t skew = options_.clock_skew_seconds;
  GF_ASSIGN_OR_RETURN(auto exp_claim, IntegerClaim(jwt.payload, "exp"));
  GF_ASSIGN_OR_RETURN(auto iat_claim, IntegerClaim(jwt.payload, "iat"));
  GF_ASSIGN_OR_RETURN(auto nbf_claim, IntegerClaim(jwt.payload, "nbf"));
  if (!exp_claim.has_value()) return InvalidArgument("no 'exp' claim");
  if (!iat_claim.has_value()) return InvalidArgument("no 'iat' claim");
  if (now > *exp_claim + skew) return PermissionDenied("expired");
  if (*iat_claim > now + skew) return PermissionDenied("issued in the future (iat)");
  if (nbf_claim.has_value() && *nbf_claim > now + skew)
    return PermissionDenied("not yet valid (nbf)");
  if (*iat_claim > *exp_claim) return InvalidArgument("iat after exp");
  exp = *exp_claim;
  if (auto aud = jwt.payload.find("aud"); aud != jwt.payload.end()) {
    bool ours = false;
    auto accepts = [&](const nlohmann::json& v) {
      return v.is_string() &&
             std::find(options_.audiences.begin(), options_.audiences.end(),
                       v.get_ref<const std::string&>()) != options_.audiences.end();
    };
    if (aud->is_array()) {
      for (const auto& v : *aud) ours = ours || accepts(v);
    } else {
      ours = accepts(*aud);
    }
    if (!ours) return PermissionDenied("audience (aud) is not this node");
  }

  Status last = PermissionDenied("no key");
  for (const std::string& jku : jkus) {
    auto key = jwks_.GetKey(jku, jwt.kid, state);
    if (!key.ok()) {
      last = key.status();
      continue;
    }
    Status verified = VerifySignature(*key, alg, jwt.signing_input, jwt.signature);
    if (verified.ok()) return Status::Ok();
    last = verified;
  }
  return last;
}

Result<PassportVerifier::Candidate> PassportVerifier::VerifyVisa(std::string_view token,
                                                                 size_t index,
                                                                 JwksRequestState& state) {
  GF_ASSIGN_OR_RETURN(Jwt jwt, ParseJwt(token, options_.max_visa_bytes));
  if (jwt.typ == kPassportTyp) return InvalidArgument("a passport is not a visa");
  Candidate c;
  Visa& v = c.visa;
  v.index = index;
  GF_RETURN_IF_ERROR(VerifyJwtSignatureAndTime(jwt, /*is_visa=*/true, v.iss, v.sub, v.exp, state));
  auto it = jwt.payload.find(kVisaClaim);
  if (it == jwt.payload.end() || !it->is_object()) {
    return InvalidArgument("no 'ga4gh_visa_v1' object");
  }
  const nlohmann::json& claim = *it;
  GF_ASSIGN_OR_RETURN(auto type, StringClaim(claim, "type"));
  GF_ASSIGN_OR_RETURN(auto value, StringClaim(claim, "value"));
  GF_ASSIGN_OR_RETURN(auto source, StringClaim(claim, "source"));
  GF_ASSIGN_OR_RETURN(auto by, StringClaim(claim, "by"));
  GF_ASSIGN_OR_RETURN(auto asserted, IntegerClaim(claim, "asserted"));
  if (!type.has_value() || type->empty()) return InvalidArgument("visa has no type");
  if (!value.has_value()) return InvalidArgument("visa has no value");
  if (!source.has_value()) return InvalidArgument("visa has no source");
  if (!asserted.has_value()) return InvalidArgument("visa has no asserted time");
  if (*asserted > clock_->NowSeconds() + options_.clock_skew_seconds) {
    return PermissionDenied("visa asserted in the future");
  }
  v.type = *type;
  v.value = *value;
  v.source = *source;
  v.by = by.value_or("");
  v.asserted = *asserted;
  auto cond = claim.find("conditions");
  if (cond != claim.end()) c.conditions = *cond;
  return c;
}

namespace {

// A condition field ("value", "source", "by") against the same field of a visa.
Result<bool> FieldMatches(const nlohmann::json& spec, std::string_view actual, int64_t& steps) {
  if (!spec.is_string()) return InvalidArgument("condition field is not a string");
  std::string_view s = spec.get_ref<const std::string&>();
  if (s.starts_with("const:")) return actual == s.substr(6);
  if (s.starts_with("pattern:")) return PatternMatch(s.substr(8), actual, steps);
  if (s.starts_with("split_pattern:")) {
    for (std::string_view part : Split(actual, ';')) {
      if (PatternMatch(s.substr(14), part, steps)) return true;
    }
    return false;
  }
  return InvalidArgument(
      "condition field has an unknown prefix (const:, pattern:, split_pattern:)");
}

// One condition: some other accepted, unconditional visa of the same type matches every
// field given. Visas that carry conditions themselves never satisfy another's conditions,
// so no evaluation order or cycle can make a visa vouch for itself.
Result<bool> ConditionHolds(const nlohmann::json& condition, const std::vector<const Visa*>& pool,
                            const Visa& self, int64_t& steps) {
  if (!condition.is_object()) return InvalidArgument("condition is not an object");
  auto type_it = condition.find("type");
  if (type_it == condition.end() || !type_it->is_string()) {
    return InvalidArgument("condition has no type");
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  if (!IsStandardVisaType(type)) {
    return InvalidArgument("condition type '" + Printable(type) + "' is unknown");
  }
  for (auto it = condition.begin(); it != condition.end(); ++it) {
    if (it.key() != "type" && it.key() != "value" && it.key() != "source" && it.key() != "by") {
      return InvalidArgument("condition field '" + Printable(it.key()) + "' is unknown");
    }
  }
  for (const Visa* other : pool) {
    if (other == &self || other->type != type) continue;
    bool all = true;
    for (auto [field, actual] : {std::pair<const char*, const std::string*>{"value", &other->value},
                                 {"source", &other->source},
                                 {"by", &other->by}}) {
      auto f = condition.find(field);
      if (f == condition.end()) continue;
      GF_ASSIGN_OR_RETURN(bool ok, FieldMatches(*f, *actual, steps));
      if (!ok) {
        all = false;
        break;
      }
    }
    if (steps < 0) return PermissionDenied("conditions too costly to evaluate");
    if (all) return true;
  }
  return false;
}

// Disjunction of conjunctions, as in Passport 1.2 "conditions".
Result<bool> ConditionsHold(const nlohmann::json& conditions, const std::vector<const Visa*>& pool,
                            const Visa& self) {
  if (!conditions.is_array() || conditions.empty()) {
    return InvalidArgument("conditions is not a non-empty array of arrays");
  }
  constexpr size_t kMaxClauses = 32;
  if (conditions.size() > kMaxClauses) return InvalidArgument("too many condition clauses");
  int64_t steps = 4'000'000;
  // Validate everything first, so an unknown type denies even when another clause holds.
  bool any = false;
  for (const auto& clause : conditions) {
    if (!clause.is_array() || clause.empty() || clause.size() > kMaxClauses) {
      return InvalidArgument("condition clause is not a non-empty array");
    }
    bool all = true;
    for (const auto& condition : clause) {
      GF_ASSIGN_OR_RETURN(bool holds, ConditionHolds(condition, pool, self, steps));
      all = all && holds;
    }
    any = any || all;
  }
  return any;
}

}  // namespace

void PassportVerifier::VerifyVisaList(const nlohmann::json& list, VerifiedPassport& out,
                                      JwksRequestState& state, bool bind_to_first) {
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& item = list[i];
    std::string prefix = "visa " + std::to_string(i) + ": ";
    if (!item.is_string()) {
      out.denials.push_back(prefix + "not a string");
      continue;
    }
    auto c = VerifyVisa(item.get_ref<const std::string&>(), i, state);
    if (!c.ok()) {
      out.denials.push_back(prefix + c.status().message());
      continue;
    }
    candidates.push_back(std::move(c).value());
  }
  if (bind_to_first) {
    if (candidates.empty()) {
      out.token_status = Unauthenticated("no visa verified");
      return;
    }
    out.subject = candidates.front().visa.sub;
    out.issuer = candidates.front().visa.iss;
    out.authenticated = true;
  }

  auto is_caller = [&](const Visa& v) {
    return v.sub == out.subject && (!options_.bind_subject_and_issuer || v.iss == out.issuer);
  };
  // Subject binding: directly by sub, or through an unconditional LinkedIdentities visa of
  // the caller that names the other identity ("sub,iss;sub,iss" with percent-encoding).
  std::set<Identity> linked;
  for (const Candidate& c : candidates) {
    if (c.visa.type != "LinkedIdentities" || !c.conditions.is_null() || !is_caller(c.visa)) {
      continue;
    }
    for (std::string_view entry : Split(c.visa.value, ';')) {
      auto parts = Split(entry, ',');
      if (parts.size() != 2) continue;
      auto sub = PercentDecode(parts[0]);
      auto iss = PercentDecode(parts[1]);
      if (sub && iss && !sub->empty() && !iss->empty()) linked.emplace(*sub, *iss);
    }
  }
  std::vector<Candidate> bound;
  for (Candidate& c : candidates) {
    if (is_caller(c.visa) || linked.count({c.visa.sub, c.visa.iss}) != 0) {
      bound.push_back(std::move(c));
    } else {
      out.denials.push_back("visa " + std::to_string(c.visa.index) +
                            ": belongs to another subject");
    }
  }
  std::vector<const Visa*> pool;
  for (const Candidate& c : bound) {
    if (c.conditions.is_null()) pool.push_back(&c.visa);
  }
  for (const Candidate& c : bound) {
    if (!c.conditions.is_null()) {
      auto holds = ConditionsHold(c.conditions, pool, c.visa);
      std::string prefix = "visa " + std::to_string(c.visa.index) + ": ";
      if (!holds.ok()) {
        out.denials.push_back(prefix + holds.status().message());
        continue;
      }
      if (!*holds) {
        out.denials.push_back(prefix + "conditions not met");
        continue;
      }
    }
    out.visas.push_back(c.visa);
  }
}

void PassportVerifier::VerifyWithUserinfo(std::string_view token, std::string_view iss_hint,
                                          VerifiedPassport& out, JwksRequestState& state) {
  auto refuse = [&out](const Status& s) {
    out.authenticated = false;
    out.visas.clear();
    out.token_status = Unauthenticated(s.message());
    out.denials.push_back("token: " + s.message());
  };
  // Which broker may see the token: the one named by a JWT's iss, or the only one configured.
  // Never every broker in turn: a token of one broker must not be shown to another.
  const Broker* broker = nullptr;
  if (!iss_hint.empty()) {
    for (const Broker& b : brokers_) {
      if (b.iss == iss_hint) {
        broker = &b;
        break;
      }
    }
    if (broker == nullptr) {
      return refuse(PermissionDenied("not a passport, and issuer '" + Printable(iss_hint) +
                                     "' has no trusted userinfo endpoint"));
    }
  } else if (brokers_.size() == 1) {
    broker = &brokers_.front();
  } else {
    return refuse(PermissionDenied(
        "not a passport; an opaque access token is only exchanged when one broker has a "
        "userinfo endpoint"));
  }
  if (client_ == nullptr) return refuse(Unavailable("no HTTP client for the userinfo call"));
  // A node-wide cap on calls in progress: a slow broker must not hold every server thread.
  if (userinfo_in_flight_.fetch_add(1) >= options_.userinfo.max_concurrent) {
    userinfo_in_flight_.fetch_sub(1);
    return refuse(Unavailable("the broker's userinfo endpoint is busy; try again"));
  }
  ++userinfo_calls_;
  auto doc = FetchUserinfo(*client_, broker->userinfo, token, options_.userinfo);
  userinfo_in_flight_.fetch_sub(1);
  if (!doc.ok()) return refuse(doc.status());
  if (doc->visas.size() > options_.max_visas) {
    return refuse(ResourceExhausted("userinfo has " + std::to_string(doc->visas.size()) +
                                    " visas, more than the limit of " +
                                    std::to_string(options_.max_visas)));
  }
  out.authenticated = true;
  out.subject = doc->sub;
  out.issuer = broker->iss;
  VerifyVisaList(doc->visas, out, state, /*bind_to_first=*/false);
}

VerifiedPassport PassportVerifier::VerifyAuthorization(std::string_view authorization) {
  authorization = TrimSpaces(authorization);
  if (authorization.empty()) return VerifiedPassport{};
  constexpr std::string_view kBearer = "bearer ";
  std::string scheme(authorization.substr(0, std::min(authorization.size(), kBearer.size())));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != kBearer) {
    VerifiedPassport out;
    out.token_presented = true;
    out.token_status = Unauthenticated("Authorization is not a Bearer token");
    out.denials.push_back("token: " + out.token_status.message());
    return out;
  }
  return VerifyToken(TrimSpaces(authorization.substr(kBearer.size())));
}

uint64_t PassportVerifier::decision_cache_hits() const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  return cache_hits_;
}

VerifiedPassport PassportVerifier::VerifyToken(std::string_view token) {
  if (token.empty() || options_.decision_cache_entries == 0 ||
      token.size() > options_.max_token_bytes) {
    return VerifyTokenUncached(token);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  std::string key(reinterpret_cast<const char*>(digest), sizeof(digest));
  const int64_t now = clock_->NowSeconds();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (now < it->second.valid_until &&
          now >= it->second.valid_until - options_.decision_cache_seconds) {
        ++cache_hits_;
        return it->second.passport;
      }
      cache_.erase(it);
    }
  }
  VerifiedPassport out = VerifyTokenUncached(token);
  if (!out.authenticated) return out;
  int64_t valid_until = now + options_.decision_cache_seconds;
  if (out.expires_at > 0) valid_until = std::min(valid_until, out.expires_at);
  for (const Visa& v : out.visas) valid_until = std::min(valid_until, v.exp);
  if (valid_until <= now) return out;
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.size() >= options_.decision_cache_entries) {
    std::erase_if(cache_, [now](const auto& e) { return now >= e.second.valid_until; });
    if (cache_.size() >= options_.decision_cache_entries) cache_.clear();  // bounded, simple
  }
  cache_[key] = CachedDecision{out, valid_until};
  return out;
}

VerifiedPassport PassportVerifier::VerifyTokenUncached(std::string_view token) {
  VerifiedPassport out;
  if (token.empty()) return out;
  out.token_presented = true;
  auto refuse = [&out](Status s) {
    out.authenticated = false;
    out.subject.clear();
    out.issuer.clear();
    out.visas.clear();
    out.token_status = Unauthenticated(s.message());
    out.denials.push_back("token: " + s.message());
    return out;
  };
  if (token.size() > options_.max_token_bytes) {
    return refuse(ResourceExhausted("token of " + std::to_string(token.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(options_.max_token_bytes)));
  }
  JwksRequestState state;
  if (token.front() == '{') {
    // A 1.0 userinfo document is only believed when the node fetched it from a trusted broker
    // itself; handed over by the caller it could wrap visas lifted from refused passports.
    return refuse(PermissionDenied(
        "a passport document (1.0 userinfo form) presented by the caller is not accepted; "
        "present a signed Passport JWT or the broker's access token"));
  }
  auto jwt = ParseJwt(token, options_.max_token_bytes);
  if (!jwt.ok()) {
    // Not a JWT: an opaque access token, if a broker's userinfo endpoint is configured. A JWT
    // that fails the checks (e.g. a duplicated name) is refused as such, never passed on.
    if (!brokers_.empty() && !LooksLikeJwt(token) &&
        LooksLikeAccessToken(token, options_.userinfo.max_access_token_bytes)) {
      VerifyWithUserinfo(token, "", out, state);
      return out;
    }
    return refuse(jwt.status());
  }
  if (jwt->payload.contains(kVisaClaim) && !jwt->payload.contains(kPassportClaim)) {
    if (!options_.accept_bare_visas) {
      return refuse(PermissionDenied(
          "a visa alone is not a bearer credential; present the signed Passport JWT that "
          "carries it (passport_accept_bare_visas is off)"));
    }
    // Opt-in 1.0 form: one visa presented on its own.
    nlohmann::json list = nlohmann::json::array({std::string(token)});
    if (token.size() > options_.max_visa_bytes) {
      return refuse(ResourceExhausted("visa exceeds the size limit"));
    }
    VerifyVisaList(list, out, state, /*bind_to_first=*/true);
    if (!out.token_status.ok()) {
      out.authenticated = false;
      out.denials.push_back("token: " + out.token_status.message());
    }
    return out;
  }
  if (!jwt->payload.contains(kPassportClaim) && !brokers_.empty() &&
      LooksLikeAccessToken(token, options_.userinfo.max_access_token_bytes)) {
    // A JWT access token of a broker (e.g. an OIDC access token): its unverified `iss` only
    // says which broker may see it; the broker decides whether it is valid.
    auto iss = StringClaim(jwt->payload, "iss");
    VerifyWithUserinfo(token, iss.ok() && iss->has_value() ? std::string_view(**iss) : "", out,
                       state);
    return out;
  }
  auto claim = jwt->payload.find(kPassportClaim);
  if (claim == jwt->payload.end()) {
    return refuse(InvalidArgument("token carries neither ga4gh_passport_v1 nor ga4gh_visa_v1"));
  }
  if (!claim->is_array()) return refuse(InvalidArgument("ga4gh_passport_v1 is not an array"));
  if (claim->size() > options_.max_visas) {
    return refuse(ResourceExhausted("passport has " + std::to_string(claim->size()) +
                                    " visas, more than the limit of " +
                                    std::to_string(options_.max_visas)));
  }
  int64_t exp = 0;
  Status s =
      VerifyJwtSignatureAndTime(*jwt, /*is_visa=*/false, out.issuer, out.subject, exp, state);
  if (!s.ok()) return refuse(s.WithContext("passport"));
  out.authenticated = true;
  out.expires_at = exp;
  VerifyVisaList(*claim, out, state, /*bind_to_first=*/false);
  return out;
}

}  // namespace genomefed::passport
