// Controlled access at the hub (DESIGN.md journeys 3 and 4, docs/access.md): accounts with the
// roles researcher, dac (member of named committees) and admin; applications for datasets with a
// DUO-coded research purpose, checked at once against each dataset's consent; decisions by the
// dataset's data access committee; grants that become GA4GH Passport 1.2 ControlledAccessGrants
// visas (by: dac) issued by the hub acting as a passport broker; revocation and expiry, with a
// signed revocation list that nodes poll. No HTTP here: hub/access/routes.cc maps requests onto
// these calls and Status codes onto 4xx answers.
//
// Every change is a new version of a record (hub/access/records.h) with who and when; nothing is
// deleted. Bad input is kInvalidArgument naming the field, and leaves the state unchanged.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "hub/access/config.h"
#include "hub/access/credentials.h"
#include "hub/access/keyring.h"
#include "hub/access/records.h"
#include "hub/repository.h"

namespace genomefed::hub::access {

// Who is calling, once authenticated.
struct Caller {
  std::string account_id;  // empty for the operator (admin token)
  std::string identity;    // "account:<id>" or "operator", for records and audit
  bool admin = false;
  bool researcher = false;
  bool dac = false;
  std::vector<std::string> committees;  // ids of the committees the account sits on
};

// The DUO verdict of a purpose against one dataset's consent codes.
struct ConsentVerdict {
  std::string verdict;  // "approve" | "deny" | "needs_review"
  std::vector<std::string> reasons;
};
// Consent codes of the dataset (DUO ids and disease ids), purpose codes as the applicant gave them.
using ConsentMatcher = std::function<ConsentVerdict(const std::vector<std::string>& consent,
                                                    const std::vector<std::string>& purpose)>;

// What the audit log receives for each state change (mirrors audit::Event; never a secret).
struct AuditRecord {
  std::string identity;
  std::string action;  // "access.register", "access.login", "access.apply", "access.decide", …
  std::string dataset;
  nlohmann::json request;
  std::string decision;  // "allow" | "deny" | "info"
  std::string reason;
};
using AuditSink = std::function<void(const AuditRecord&)>;

struct ServiceDeps {
  RecordStore* store = nullptr;             // not owned
  Repository* catalogue = nullptr;          // not owned: datasets and their consent codes
  std::function<int64_t()> clock_ms;        // wall clock in ms
  std::function<std::string()> public_url;  // the hub's, without trailing '/'
  ConsentMatcher matcher;                   // empty: every verdict is needs_review
  AuditSink audit;                          // empty: nothing is audited
};

class AccessService {
 public:
  static Result<std::unique_ptr<AccessService>> Create(AccessConfig config, ServiceDeps deps);

  // --- identities
  // Self-registration of a researcher: {username, password, name?, email?}.
  Result<nlohmann::json> Register(const nlohmann::json& body, const std::string& client_ip);
  // By an admin: {username, password, roles: [...], name?, email?}.
  Result<nlohmann::json> CreateAccount(const Caller& caller, const nlohmann::json& body);
  // {username, password} → {token, expiresAt, account}. kUnauthenticated for a wrong pair
  // (same message whether the account exists or not), kResourceExhausted when rate-limited.
  Result<nlohmann::json> Login(const nlohmann::json& body, const std::string& client_ip);
  Status Logout(std::string_view token);
  // The caller behind a session token; kUnauthenticated when unknown, ended or expired.
  Result<Caller> Authenticate(std::string_view token);
  // Links an external identity (OpenID Connect iss + sub) to an account: the seam for external
  // login. Refuses a pair already linked to another account.
  Status LinkIdentity(const Caller& caller, const std::string& account_id, const std::string& iss,
                      const std::string& sub);
  // The account linked to (iss, sub); kNotFound when none.
  Result<std::string> AccountForIdentity(const std::string& iss, const std::string& sub);
  Result<nlohmann::json> Me(const Caller& caller);
  // Admin: the account is a bona fide researcher, asserted by a signing official (by: so).
  Result<nlohmann::json> AssertResearcherStatus(const Caller& caller, const std::string& account_id,
                                                const nlohmann::json& body);
  // Admin: {id, name, datasets: ["node:dataset", …], maxGrantDays?, requireEthicsApproval?}.
  Result<nlohmann::json> CreateCommittee(const Caller& caller, const nlohmann::json& body);
  // Admin: {account} becomes a member (and gets the dac role).
  Result<nlohmann::json> AddCommitteeMember(const Caller& caller, const std::string& committee,
                                            const nlohmann::json& body);
  Result<nlohmann::json> ListCommittees(const Caller& caller);

  // --- applications
  Result<nlohmann::json> Apply(const Caller& caller, const nlohmann::json& body);
  // The applicant changes a returned application and submits it again.
  Result<nlohmann::json> Resubmit(const Caller& caller, const std::string& id,
                                  const nlohmann::json& body);
  Result<nlohmann::json> Withdraw(const Caller& caller, const std::string& id);
  // Researchers: their own; DAC members: applications with items of their committees
  // (`committee` narrows to one, `state` to one state); admins: all.
  Result<nlohmann::json> ListApplications(const Caller& caller, const std::string& committee,
                                          const std::string& state);
  // One application with its history (every version: who, when, state).
  Result<nlohmann::json> GetApplication(const Caller& caller, const std::string& id);
  // {decision: approve|reject|return, datasets?: [...], comment, endDate?, overrideReason?}.
  Result<nlohmann::json> Decide(const Caller& caller, const std::string& id,
                                const nlohmann::json& body);
  Result<nlohmann::json> ListGrants(const Caller& caller);
  // {reason}: by an admin or a member of the grant's committee.
  Result<nlohmann::json> Revoke(const Caller& caller, const std::string& grant_id,
                                const nlohmann::json& body);

  // --- broker
  // A Passport 1.2 JWT with the caller's current visas.
  Result<std::string> PassportFor(const Caller& caller);
  nlohmann::json Jwks() const;
  // The signed revocation list (compact JWS).
  Result<std::string> RevocationList();
  Status RotateKeys(const Caller& caller);

  std::string issuer() const { return deps_.public_url(); }
  std::string jku() const { return deps_.public_url() + "/.well-known/jwks.json"; }

 private:
  AccessService(AccessConfig config, ServiceDeps deps)
      : config_(std::move(config)),
        deps_(std::move(deps)),
        account_limiter_(config_.login_max_failures_per_account,
                         int64_t{config_.login_window_s} * 1000),
        address_limiter_(config_.login_max_failures_per_address,
                         int64_t{config_.login_window_s} * 1000) {}
  int64_t NowMs() const { return deps_.clock_ms(); }
  int64_t NowS() const { return deps_.clock_ms() / 1000; }
  void Audit(const Caller& caller, std::string action, std::string dataset, nlohmann::json request,
             std::string decision, std::string reason = "") const;
  Result<nlohmann::json> NewAccount(const std::string& actor, const nlohmann::json& body,
                                    std::vector<std::string> roles);
  Result<Caller> CallerFor(const std::string& account_id);
  Result<nlohmann::json> ValidateApplication(const Caller& caller, const nlohmann::json& body);
  nlohmann::json PublicApplication(const Record& r) const;

  AccessConfig config_;
  ServiceDeps deps_;
  std::unique_ptr<KeyRing> keys_;
  LoginLimiter account_limiter_;
  LoginLimiter address_limiter_;
};

// Parses "YYYY-MM-DD" (a whole UTC day: the instant is the day's end, 23:59:59) or an RFC 3339
// timestamp into Unix seconds. kInvalidArgument naming `field`.
Result<int64_t> ParseDate(std::string_view text, std::string_view field);

}  // namespace genomefed::hub::access
