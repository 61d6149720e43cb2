#include "node/revocations.h"

#include <spdlog/spdlog.h>

#include "core/file.h"
#include "core/log.h"
#include "core/toml_reader.h"
#include "passport/jws.h"
#include "passport/jwt.h"

namespace genomefed::node {

using nlohmann::json;

namespace {
constexpr int64_t kSkewSeconds = 30;
constexpr size_t kMaxListBytes = 4 << 20;
}  // namespace

Result<RevocationOptions> ParseRevocationOptions(std::string_view toml_text,
                                                 std::string_view source) {
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(toml_text, source));
  RevocationOptions out;
  const toml::table* t = SubTable(root, "revocations");
  if (t == nullptr) return out;
  TableReader r(*t, "revocations", source);
  GF_RETURN_IF_ERROR(r.StringList("urls", out.urls));
  uint32_t interval_s = 60;
  GF_RETURN_IF_ERROR(r.Integer("poll_interval_s", interval_s, 1, 86400));
  out.poll_interval_ms = interval_s * 1000;
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  for (const auto& u : out.urls) {
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) {
      return r.Error(t, "urls", "'" + u + "' is not an http(s) URL");
    }
  }
  return out;
}

Result<RevocationOptions> LoadRevocationOptions(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseRevocationOptions(text, path.string());
}

RevocationList::RevocationList(std::vector<TrustEntry> trust,
                               std::shared_ptr<http::HttpClient> client,
                               std::shared_ptr<const passport::Clock> clock,
                               RevocationOptions options)
    : trust_(std::move(trust)),
      client_(std::move(client)),
      clock_(clock ? std::move(clock) : std::make_shared<passport::SystemClock>()),
      options_(std::move(options)),
      jwks_(client_, clock_, options_.jwks),
      lists_(options_.urls.size()) {}

RevocationList::~RevocationList() { Stop(); }

Result<std::vector<RevokedGrant>> RevocationList::Verify(std::string_view token) {
  GF_ASSIGN_OR_RETURN(passport::Jwt jwt, passport::ParseJwt(token, kMaxListBytes));
  GF_ASSIGN_OR_RETURN(passport::JwsAlg alg, passport::ParseAllowedAlg(jwt.alg));
  if (jwt.kid.empty() || jwt.jku.empty()) {
    return PermissionDenied("revocation list: the header needs kid and jku");
  }
  GF_ASSIGN_OR_RETURN(auto iss, passport::StringClaim(jwt.payload, "iss"));
  if (!iss) return PermissionDenied("revocation list: no iss");
  bool trusted = false;
  for (const auto& t : trust_) trusted = trusted || (t.iss == *iss && t.jku == jwt.jku);
  if (!trusted) {
    return PermissionDenied("revocation list: (iss, jku) = (" + passport::Printable(*iss) + ", " +
                            passport::Printable(jwt.jku) + ") is not in [[trust]]");
  }
  const int64_t now = clock_->NowSeconds();
  GF_ASSIGN_OR_RETURN(auto exp, passport::IntegerClaim(jwt.payload, "exp"));
  GF_ASSIGN_OR_RETURN(auto iat, passport::IntegerClaim(jwt.payload, "iat"));
  if (!exp || *exp + kSkewSeconds < now) return PermissionDenied("revocation list: expired");
  if (iat && *iat - kSkewSeconds > now)
    return PermissionDenied("revocation list: iat in the future");
  passport::JwksRequestState state;
  GF_ASSIGN_OR_RETURN(passport::PublicKey key, jwks_.GetKey(jwt.jku, jwt.kid, state));
  GF_RETURN_IF_ERROR(passport::VerifySignature(key, alg, jwt.signing_input, jwt.signature));
  const json& list = jwt.payload.contains("revocations") ? jwt.payload["revocations"] : json();
  if (!list.is_array()) return InvalidArgument("revocation list: 'revocations' is not a list");
  std::vector<RevokedGrant> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& e = list[i];
    if (!e.is_object() || !e.contains("sub") || !e["sub"].is_string() || !e.contains("value") ||
        !e["value"].is_string() || !e.contains("asserted") || !e["asserted"].is_number_integer()) {
      return InvalidArgument("revocation list: entry " + std::to_string(i) +
                             " needs sub, value and asserted");
    }
    RevokedGrant g;
    g.iss = *iss;
    g.grant = e.value("grant", "");
    g.sub = e["sub"].get<std::string>();
    g.value = e["value"].get<std::string>();
    g.asserted = e["asserted"].get<int64_t>();
    g.revoked = e.value("revoked", int64_t{0});
    out.push_back(std::move(g));
  }
  return out;
}

Status RevocationList::PollOnce() {
  Status first;
  for (size_t i = 0; i < options_.urls.size(); ++i) {
    http::ClientRequest req;
    req.url = options_.urls[i];
    req.timeout_ms = options_.jwks.fetch_timeout_ms;
    req.headers.emplace_back("Accept", "application/jwt");
    auto res = client_->Send(req);
    Status s;
    if (!res.ok()) {
      s = res.status();
    } else if (res->status != 200) {
      s = Unavailable("HTTP " + std::to_string(res->status));
    } else {
      auto list = Verify(res->body);
      if (list.ok()) {
        std::lock_guard lock(mu_);
        lists_[i] = std::move(list).value();
        ++polls_;
      } else {
        s = list.status();
      }
    }
    if (!s.ok()) {
      log::warn("node: revocation list {} not applied (the last good one stays): {}",
                passport::Printable(options_.urls[i]), s.message());
      if (first.ok()) first = s.WithContext(options_.urls[i]);
    }
  }
  return first;
}

void RevocationList::Start() {
  if (options_.urls.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    while (true) {
      (void)PollOnce();
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                     [this] { return stopping_; });
      if (stopping_) return;
    }
  });
}

void RevocationList::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RevocationList::Revoked(const passport::Visa& visa) const {
  if (visa.type != "ControlledAccessGrants") return false;
  std::lock_guard lock(mu_);
  for (const auto& list : lists_) {
    for (const auto& g : list) {
      if (g.iss == visa.iss && g.sub == visa.sub && g.value == visa.value &&
          visa.asserted <= g.asserted) {
        return true;
      }
    }
  }
  return false;
}

void RevocationList::Filter(passport::VerifiedPassport& passport) const {
  std::vector<passport::Visa> kept;
  for (auto& v : passport.visas) {
    if (Revoked(v)) {
      passport.denials.push_back("visa " + std::to_string(v.index) +
                                 ": ControlledAccessGrants revoked by its issuer");
    } else {
      kept.push_back(std::move(v));
    }
  }
  passport.visas = std::move(kept);
}

uint64_t RevocationList::successful_polls() const {
  std::lock_guard lock(mu_);
  return polls_;
}

passport::CallerRights AuthorizeUnlessRevoked(passport::Authorizer& authorizer,
                                              const RevocationList& revocations,
                                              std::string_view authorization,
                                              std::span<const passport::DatasetRef> datasets) {
  passport::VerifiedPassport verified = authorizer.verifier().VerifyAuthorization(authorization);
  revocations.Filter(verified);
  passport::CallerRights rights = passport::ComputeRights(verified, datasets);
  // Plain strings, not format strings: the lines carry caller-controlled text.
  for (const std::string& line : passport::DecisionLogLines(rights)) {
    spdlog::default_logger_raw()->log(spdlog::level::info, spdlog::string_view_t(line));
  }
  return rights;
}

}  // namespace genomefed::node
