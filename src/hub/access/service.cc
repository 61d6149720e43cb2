#include "hub/access/service.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <regex>
#include <set>

#include "crypt4gh/keys.h"
#include "hub/access/duo_matcher.h"
#include "hub/catalogue.h"
#include "passport/signer.h"

namespace genomefed::hub::access {
namespace {

using nlohmann::json;

constexpr std::string_view kAccount = "account";
constexpr std::string_view kUsername = "username";
constexpr std::string_view kIdentity = "identity";
constexpr std::string_view kSession = "session";
constexpr std::string_view kCommittee = "committee";
constexpr std::string_view kApplication = "application";
constexpr std::string_view kGrant = "grant";

// --- small readers of untrusted JSON: each failure names the field

Result<std::string> RequiredString(const json& body, const char* field, size_t max_len = 1000) {
  if (!body.is_object() || !body.contains(field) || !body[field].is_string()) {
    return InvalidArgument(std::string(field) + ": required (a string)");
  }
  std::string s = body[field].get<std::string>();
  if (s.empty()) return InvalidArgument(std::string(field) + ": must not be empty");
  if (s.size() > max_len) {
    return InvalidArgument(std::string(field) + ": at most " + std::to_string(max_len) +
                           " characters");
  }
  return s;
}

Result<std::string> OptionalString(const json& body, const char* field, size_t max_len = 1000) {
  if (!body.is_object() || !body.contains(field) || body[field].is_null()) return std::string();
  if (!body[field].is_string()) return InvalidArgument(std::string(field) + ": must be a string");
  std::string s = body[field].get<std::string>();
  if (s.size() > max_len) {
    return InvalidArgument(std::string(field) + ": at most " + std::to_string(max_len) +
                           " characters");
  }
  return s;
}

Result<std::vector<std::string>> StringList(const json& body, const char* field, bool required,
                                            size_t max_items = 100) {
  std::vector<std::string> out;
  if (!body.is_object() || !body.contains(field) || body[field].is_null()) {
    if (required) return InvalidArgument(std::string(field) + ": required (a list of strings)");
    return out;
  }
  const json& v = body[field];
  if (!v.is_array()) return InvalidArgument(std::string(field) + ": must be a list of strings");
  if (v.size() > max_items) {
    return InvalidArgument(std::string(field) + ": at most " + std::to_string(max_items) +
                           " entries");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].get<std::string>().empty() ||
        v[i].get<std::string>().size() > 300) {
      return InvalidArgument(std::string(field) + "[" + std::to_string(i) +
                             "]: must be a non-empty string of at most 300 characters");
    }
    out.push_back(v[i].get<std::string>());
  }
  if (required && out.empty()) return InvalidArgument(std::string(field) + ": must not be empty");
  return out;
}

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '@';
  });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

// DUO term ids, and the disease vocabularies DS (DUO:0000007) restrictions use.
const std::regex& DuoTerm() {
  static const std::regex r("DUO:[0-9]{7}");
  return r;
}
const std::regex& DiseaseTerm() {
  static const std::regex r("(MONDO|DOID|EFO|ORPHA|OMIM|ICD10|HP):[A-Za-z0-9._]{1,20}");
  return r;
}

Caller Who(std::string account_id, std::string identity) {
  Caller c;
  c.account_id = std::move(account_id);
  c.identity = std::move(identity);
  return c;
}

std::string FormatSeconds(int64_t s) { return FormatTime(s * 1000); }

json PublicAccount(const json& doc) {
  json out = doc;
  out.erase("password");
  return out;
}

// The visa value of a catalogue dataset: the node's default, {node public_url}/datasets/{id},
// recovered from the collection's externalUrl ({public_url}/api/datasets/{id}).
std::string VisaValueFor(const CatalogueDataset& d) {
  const std::string marker = "/api/datasets/";
  size_t at = d.external_url.rfind(marker);
  if (at == std::string::npos) return d.external_url;
  return d.external_url.substr(0, at) + "/datasets/" + d.external_url.substr(at + marker.size());
}

}  // namespace

Result<int64_t> ParseDate(std::string_view text, std::string_view field) {
  std::string f(field);
  std::tm tm{};
  std::string s(text);
  static const std::regex day("([0-9]{4})-([0-9]{2})-([0-9]{2})");
  static const std::regex stamp(
      "([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z");
  std::smatch m;
  bool whole_day = std::regex_match(s, m, day);
  if (!whole_day && !std::regex_match(s, m, stamp)) {
    return InvalidArgument(f + ": '" + s.substr(0, 40) +
                           "' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
  }
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  if (!whole_day) {
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
  }
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return InvalidArgument(f + ": '" + s + "' is not a valid date");
  }
  std::tm copy = tm;
  int64_t t = ::timegm(&copy);
  if (copy.tm_mday != tm.tm_mday) return InvalidArgument(f + ": '" + s + "' is not a valid date");
  return whole_day ? t + 86399 : t;
}

Result<std::unique_ptr<AccessService>> AccessService::Create(AccessConfig config,
                                                             ServiceDeps deps) {
  if (deps.store == nullptr || deps.catalogue == nullptr || !deps.clock_ms || !deps.public_url) {
    return Internal("AccessService needs a store, the catalogue, a clock and the public URL");
  }
  std::unique_ptr<AccessService> s(new AccessService(std::move(config), std::move(deps)));
  GF_ASSIGN_OR_RETURN(s->keys_, KeyRing::Open(s->config_.keys_dir, s->NowS()));
  return s;
}

void AccessService::Audit(const Caller& caller, std::string action, std::string dataset,
                          json request, std::string decision, std::string reason) const {
  if (!deps_.audit) return;
  deps_.audit(AuditRecord{caller.identity, std::move(action), std::move(dataset),
                          std::move(request), std::move(decision), std::move(reason)});
}

// ---------------------------------------------------------------------------------------------
// Identities

Result<json> AccessService::NewAccount(const std::string& actor, const json& body,
                                       std::vector<std::string> roles) {
  GF_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username", 64));
  if (!ValidName(username)) {
    return InvalidArgument("username: 1-64 characters of [A-Za-z0-9._@-]");
  }
  GF_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password", 1024));
  GF_RETURN_IF_ERROR(CheckPasswordRules(password));
  GF_ASSIGN_OR_RETURN(std::string name, OptionalString(body, "name", 200));
  GF_ASSIGN_OR_RETURN(std::string email, OptionalString(body, "email", 200));
  GF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, config_.password));
  passport::WipeString(password);
  std::string id = NewId("acc");
  int64_t now = NowMs();
  json doc = {{"id", id},
              {"username", username},
              {"name", name},
              {"email", email},
              {"roles", roles},
              {"password", hash},
              {"identities", json::array()},
              {"researcherStatus", nullptr},
              {"createdAt", FormatTime(now)}};
  Status s = deps_.store->Put({{std::string(kUsername), Lower(username), 0, {{"account", id}}},
                               {std::string(kAccount), id, 0, doc}},
                              actor, now);
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("username: '" + username + "' is taken");
  }
  GF_RETURN_IF_ERROR(s);
  return PublicAccount(doc);
}

Result<json> AccessService::Register(const json& body, const std::string& client_ip) {
  if (!config_.self_registration) {
    return PermissionDenied("self-registration is disabled; ask an administrator for an account");
  }
  GF_ASSIGN_OR_RETURN(json account, NewAccount("addr:" + client_ip, body, {"researcher"}));
  Audit(Who(account["id"], "account:" + account["id"].get<std::string>()), "access.register", "",
        {{"username", account["username"]}}, "info");
  return account;
}

Result<json> AccessService::CreateAccount(const Caller& caller, const json& body) {
  if (!caller.admin) return PermissionDenied("only an admin creates accounts");
  GF_ASSIGN_OR_RETURN(auto roles, StringList(body, "roles", false, 3));
  if (roles.empty()) roles = {"researcher"};
  for (size_t i = 0; i < roles.size(); ++i) {
    if (roles[i] != "researcher" && roles[i] != "dac" && roles[i] != "admin") {
      return InvalidArgument("roles[" + std::to_string(i) + "]: '" + roles[i] +
                             "' is not one of researcher, dac, admin");
    }
  }
  GF_ASSIGN_OR_RETURN(json account, NewAccount(caller.identity, body, roles));
  Audit(caller, "access.account.create", "",
        {{"account", account["id"]}, {"roles", account["roles"]}}, "info");
  return account;
}

Result<json> AccessService::Login(const json& body, const std::string& client_ip) {
  GF_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username", 64));
  GF_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password", 1024));
  const std::string account_key = "account:" + Lower(username);
  const std::string address_key = "addr:" + client_ip;
  int64_t now = NowMs();
  GF_RETURN_IF_ERROR(address_limiter_.Check(address_key, now));
  GF_RETURN_IF_ERROR(account_limiter_.Check(account_key, now));
  Caller anonymous = Who("", "addr:" + client_ip);
  auto fail = [&]() -> Status {
    account_limiter_.RecordFailure(account_key, now);
    address_limiter_.RecordFailure(address_key, now);
    Audit(anonymous, "access.login", "", {{"username", username.substr(0, 64)}}, "deny",
          "wrong username or password");
    return Unauthenticated("wrong username or password");
  };
  GF_ASSIGN_OR_RETURN(auto link, deps_.store->Current(kUsername, Lower(username)));
  std::string hash;
  json account;
  if (link) {
    GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, link->doc.value("account", "")));
    if (acc) {
      account = acc->doc;
      hash = account.value("password", "");
    }
  }
  // An unknown user costs a hash too, so that timing does not tell which usernames exist.
  static const std::string kDummy = [this] {
    auto h = HashPassword("not-a-real-password", config_.password);
    return h.ok() ? *h : std::string();
  }();
  bool ok = VerifyPassword(hash.empty() ? kDummy : hash, password) && !hash.empty();
  passport::WipeString(password);
  if (!ok || account.value("disabled", false)) return fail();
  account_limiter_.RecordSuccess(account_key);
  std::string token = NewToken();
  int64_t expires = now + int64_t{config_.session_ttl_s} * 1000;
  json session = {
      {"account", account["id"]}, {"createdAt", now}, {"expiresAt", expires}, {"ended", false}};
  GF_RETURN_IF_ERROR(deps_.store->Put({{std::string(kSession), TokenDigest(token), 0, session}},
                                      "account:" + account["id"].get<std::string>(), now));
  Audit(Who(account["id"], "account:" + account["id"].get<std::string>()), "access.login", "",
        {{"username", username}}, "allow");
  return json{
      {"token", token}, {"expiresAt", FormatTime(expires)}, {"account", PublicAccount(account)}};
}

Status AccessService::Logout(std::string_view token) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kSession, TokenDigest(token)));
  if (!rec) return Unauthenticated("unknown session");
  json doc = rec->doc;
  doc["ended"] = true;
  return deps_.store->Put({{std::string(kSession), rec->id, rec->version, doc}},
                          "account:" + doc.value("account", ""), NowMs());
}

Result<Caller> AccessService::CallerFor(const std::string& account_id) {
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, account_id));
  if (!acc) return Unauthenticated("the account of this session no longer exists");
  Caller c;
  c.account_id = account_id;
  c.identity = "account:" + account_id;
  auto roles = Strings(acc->doc.value("roles", json::array()));
  c.admin = Has(roles, "admin");
  c.researcher = Has(roles, "researcher");
  c.dac = Has(roles, "dac");
  GF_ASSIGN_OR_RETURN(auto committees, deps_.store->CurrentAll(kCommittee));
  for (const auto& r : committees) {
    if (Has(Strings(r.doc.value("members", json::array())), account_id)) {
      c.committees.push_back(r.id);
    }
  }
  if (!c.dac) c.committees.clear();  // membership counts only with the dac role
  return c;
}

Result<Caller> AccessService::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 200) return Unauthenticated("no session token");
  // Looked up by the token's SHA-256: the database never holds a usable token.
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kSession, TokenDigest(token)));
  if (!rec || rec->doc.value("ended", false) ||
      rec->doc.value("expiresAt", int64_t{0}) <= NowMs()) {
    return Unauthenticated("the session token is unknown, ended or expired; log in again");
  }
  return CallerFor(rec->doc.value("account", ""));
}

Status AccessService::LinkIdentity(const Caller& caller, const std::string& account_id,
                                   const std::string& iss, const std::string& sub) {
  if (!caller.admin && caller.account_id != account_id) {
    return PermissionDenied("an identity is linked by its account or an admin");
  }
  if (iss.empty() || sub.empty()) return InvalidArgument("iss and sub are required");
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, account_id));
  if (!acc) return NotFound("account: no account '" + account_id + "'");
  json doc = acc->doc;
  doc["identities"].push_back({{"iss", iss}, {"sub", sub}});
  Status s =
      deps_.store->Put({{std::string(kIdentity), sub + "@" + iss, 0, {{"account", account_id}}},
                        {std::string(kAccount), account_id, acc->version, doc}},
                       caller.identity, NowMs());
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("identity: " + sub + "@" + iss + " is linked to an account already");
  }
  return s;
}

Result<std::string> AccessService::AccountForIdentity(const std::string& iss,
                                                      const std::string& sub) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kIdentity, sub + "@" + iss));
  if (!rec) return NotFound("no account is linked to " + sub + "@" + iss);
  return rec->doc.value("account", "");
}

Result<json> AccessService::Me(const Caller& caller) {
  if (caller.account_id.empty()) {
    return json{{"identity", caller.identity}, {"roles", json::array({"admin"})}};
  }
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, caller.account_id));
  if (!acc) return NotFound("account: gone");
  json out = PublicAccount(acc->doc);
  out["committees"] = caller.committees;
  return out;
}

Result<json> AccessService::AssertResearcherStatus(const Caller& caller,
                                                   const std::string& account_id,
                                                   const json& body) {
  if (!caller.admin) return PermissionDenied("only an admin asserts ResearcherStatus");
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, account_id));
  if (!acc) return NotFound("account: no account '" + account_id.substr(0, 64) + "'");
  GF_ASSIGN_OR_RETURN(std::string value, OptionalString(body, "value", 300));
  if (value.empty()) value = config_.researcher_status_value;
  json doc = acc->doc;
  doc["researcherStatus"] = {
      {"value", value}, {"by", "so"}, {"asserted", NowS()}, {"assertedBy", caller.identity}};
  GF_RETURN_IF_ERROR(deps_.store->Put({{std::string(kAccount), account_id, acc->version, doc}},
                                      caller.identity, NowMs()));
  Audit(caller, "visa.assert", "", {{"account", account_id}, {"type", "ResearcherStatus"}},
        "allow");
  return PublicAccount(doc);
}

Result<json> AccessService::CreateCommittee(const Caller& caller, const json& body) {
  if (!caller.admin) return PermissionDenied("only an admin creates committees");
  GF_ASSIGN_OR_RETURN(std::string id, RequiredString(body, "id", 64));
  if (!ValidName(id)) return InvalidArgument("id: 1-64 characters of [A-Za-z0-9._@-]");
  GF_ASSIGN_OR_RETURN(std::string name, OptionalString(body, "name", 200));
  GF_ASSIGN_OR_RETURN(auto datasets, StringList(body, "datasets", true, 1000));
  GF_ASSIGN_OR_RETURN(auto all, deps_.store->CurrentAll(kCommittee));
  for (size_t i = 0; i < datasets.size(); ++i) {
    if (datasets[i].find(':') == std::string::npos) {
      return InvalidArgument("datasets[" + std::to_string(i) + "]: ids are 'nodeId:datasetId'");
    }
    for (const auto& c : all) {
      if (Has(Strings(c.doc.value("datasets", json::array())), datasets[i])) {
        return AlreadyExists("datasets[" + std::to_string(i) + "]: " + datasets[i] +
                             " is governed by committee '" + c.id + "' already");
      }
    }
  }
  int64_t max_days = 365;
  if (body.contains("maxGrantDays")) {
    if (!body["maxGrantDays"].is_number_integer() || body["maxGrantDays"].get<int64_t>() < 1 ||
        body["maxGrantDays"].get<int64_t>() > 3650) {
      return InvalidArgument("maxGrantDays: an integer from 1 to 3650");
    }
    max_days = body["maxGrantDays"].get<int64_t>();
  }
  bool ethics = false;
  if (body.contains("requireEthicsApproval")) {
    if (!body["requireEthicsApproval"].is_boolean()) {
      return InvalidArgument("requireEthicsApproval: true or false");
    }
    ethics = body["requireEthicsApproval"].get<bool>();
  }
  json visa_values = json::object();
  if (body.contains("visaValues")) {
    if (!body["visaValues"].is_object()) {
      return InvalidArgument("visaValues: an object from dataset id to visa value");
    }
    for (const auto& [k, v] : body["visaValues"].items()) {
      if (!Has(datasets, k) || !v.is_string()) {
        return InvalidArgument("visaValues." + k + ": a string, for a dataset of this committee");
      }
    }
    visa_values = body["visaValues"];
  }
  json doc = {{"id", id},
              {"name", name.empty() ? id : name},
              {"datasets", datasets},
              {"maxGrantDays", max_days},
              {"requireEthicsApproval", ethics},
              {"visaValues", visa_values},
              {"members", json::array()}};
  Status s = deps_.store->Put({{std::string(kCommittee), id, 0, doc}}, caller.identity, NowMs());
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("id: committee '" + id + "' exists");
  }
  GF_RETURN_IF_ERROR(s);
  Audit(caller, "access.committee.create", "", {{"committee", id}, {"datasets", datasets}}, "info");
  return doc;
}

Result<json> AccessService::AddCommitteeMember(const Caller& caller, const std::string& committee,
                                               const json& body) {
  if (!caller.admin) return PermissionDenied("only an admin assigns committee members");
  GF_ASSIGN_OR_RETURN(std::string account_id, RequiredString(body, "account", 64));
  GF_ASSIGN_OR_RETURN(auto c, deps_.store->Current(kCommittee, committee));
  if (!c) return NotFound("committee: no committee '" + committee.substr(0, 64) + "'");
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, account_id));
  if (!acc) return NotFound("account: no account '" + account_id + "'");
  json cdoc = c->doc;
  if (Has(Strings(cdoc["members"]), account_id)) {
    return AlreadyExists("account: " + account_id + " is a member already");
  }
  cdoc["members"].push_back(account_id);
  std::vector<Write> writes = {{std::string(kCommittee), committee, c->version, cdoc}};
  json adoc = acc->doc;
  if (!Has(Strings(adoc["roles"]), "dac")) {
    adoc["roles"].push_back("dac");
    writes.push_back({std::string(kAccount), account_id, acc->version, adoc});
  }
  GF_RETURN_IF_ERROR(deps_.store->Put(writes, caller.identity, NowMs()));
  Audit(caller, "access.committee.member", "", {{"committee", committee}, {"account", account_id}},
        "info");
  return cdoc;
}

Result<json> AccessService::ListCommittees(const Caller&) {
  GF_ASSIGN_OR_RETURN(auto all, deps_.store->CurrentAll(kCommittee));
  json out = json::array();
  for (const auto& r : all) out.push_back(r.doc);
  return json{{"committees", out}};
}

// ---------------------------------------------------------------------------------------------
// Applications

Result<json> AccessService::ValidateApplication(const Caller& caller, const json& body) {
  if (!body.is_object()) return InvalidArgument("the body must be a JSON object");
  GF_ASSIGN_OR_RETURN(std::string title, RequiredString(body, "title", 300));
  GF_ASSIGN_OR_RETURN(std::string abstract, RequiredString(body, "abstract", 10000));
  // Purpose: DUO terms (and disease ids for DS), as a list or "DUO:…,MONDO:…".
  std::vector<std::string> purpose;
  if (body.contains("purpose") && body["purpose"].is_string()) {
    std::string p = body["purpose"].get<std::string>();
    size_t start = 0;
    while (start <= p.size()) {
      size_t comma = p.find(',', start);
      std::string code =
          p.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!code.empty() && code.front() == ' ') code.erase(0, 1);
      while (!code.empty() && code.back() == ' ') code.pop_back();
      if (!code.empty()) purpose.push_back(code);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    GF_ASSIGN_OR_RETURN(purpose, StringList(body, "purpose", true, 50));
  }
  bool any_duo = false;
  for (size_t i = 0; i < purpose.size(); ++i) {
    bool duo = std::regex_match(purpose[i], DuoTerm());
    if (!duo && !std::regex_match(purpose[i], DiseaseTerm())) {
      return InvalidArgument("purpose[" + std::to_string(i) + "]: '" + purpose[i].substr(0, 60) +
                             "' is not a DUO term (DUO:NNNNNNN) or a disease id (MONDO:, DOID:…)");
    }
    any_duo = any_duo || duo;
  }
  if (!any_duo) return InvalidArgument("purpose: needs at least one DUO term, e.g. DUO:0000006");
  GF_RETURN_IF_ERROR(CheckPurposeCodes(purpose));
  GF_ASSIGN_OR_RETURN(auto datasets, StringList(body, "datasets", true, 100));
  GF_ASSIGN_OR_RETURN(auto collaborators, StringList(body, "collaborators", false, 100));
  GF_ASSIGN_OR_RETURN(std::string c4gh, RequiredString(body, "crypt4ghPublicKey", 2000));
  if (auto pk = crypt4gh::ParsePublicKey(c4gh); !pk.ok()) {
    return InvalidArgument("crypt4ghPublicKey: not a Crypt4GH public key: " +
                           pk.status().message());
  }
  json ethics = nullptr;
  int64_t ethics_expires = 0;
  if (body.contains("ethics") && !body["ethics"].is_null()) {
    const json& e = body["ethics"];
    if (!e.is_object()) return InvalidArgument("ethics: {reference, expires}");
    auto ref = RequiredString(e, "reference", 300);
    if (!ref.ok()) return InvalidArgument("ethics." + ref.status().message());
    auto exp = RequiredString(e, "expires", 40);
    if (!exp.ok()) return InvalidArgument("ethics." + exp.status().message());
    GF_ASSIGN_OR_RETURN(ethics_expires, ParseDate(*exp, "ethics.expires"));
    if (ethics_expires <= NowS()) {
      return InvalidArgument("ethics.expires: the ethics approval expired on " + *exp);
    }
    ethics = {{"reference", *ref}, {"expires", *exp}};
  }

  GF_ASSIGN_OR_RETURN(auto catalogue, deps_.catalogue->ListDatasets());
  GF_ASSIGN_OR_RETURN(auto committees, deps_.store->CurrentAll(kCommittee));
  json items = json::array();
  std::set<std::string> seen;
  for (size_t i = 0; i < datasets.size(); ++i) {
    const std::string field = "datasets[" + std::to_string(i) + "]";
    const std::string& id = datasets[i];
    if (!seen.insert(id).second) return InvalidArgument(field + ": " + id + " is listed twice");
    size_t colon = id.find(':');
    const CatalogueDataset* found = nullptr;
    if (colon != std::string::npos) {
      for (const auto& d : catalogue) {
        if (d.node_id == id.substr(0, colon) && d.dataset_id == id.substr(colon + 1)) found = &d;
      }
    }
    if (found == nullptr) {
      return NotFound(field + ": unknown dataset '" + id.substr(0, 100) +
                      "' (ids are 'nodeId:datasetId' from /api/datasets)");
    }
    const Record* committee = nullptr;
    for (const auto& c : committees) {
      if (Has(Strings(c.doc.value("datasets", json::array())), id)) committee = &c;
    }
    if (committee == nullptr) {
      return FailedPrecondition(
          field + ": dataset " + id +
          " has no data access committee at this hub; it cannot be applied for");
    }
    if (committee->doc.value("requireEthicsApproval", false) && ethics.is_null()) {
      return InvalidArgument("ethics: dataset " + id +
                             " requires an ethics approval reference and its expiry");
    }
    ConsentVerdict v{"needs_review", {"no DUO matcher is configured at this hub"}};
    if (deps_.matcher) v = deps_.matcher(found->consent_codes, purpose);
    std::string visa_value = committee->doc["visaValues"].value(id, VisaValueFor(*found));
    items.push_back({{"dataset", id},
                     {"committee", committee->id},
                     {"consent", found->consent_codes},
                     {"visaValue", visa_value},
                     {"verdict", v.verdict},
                     {"reasons", v.reasons},
                     {"state", "pending"}});
  }
  return json{{"applicant", caller.account_id},
              {"title", title},
              {"abstract", abstract},
              {"purpose", purpose},
              {"ethics", ethics},
              {"collaborators", collaborators},
              {"crypt4ghPublicKey", c4gh},
              {"items", items}};
}

json AccessService::PublicApplication(const Record& r) const {
  json out = r.doc;
  out["id"] = r.id;
  out["version"] = r.version;
  out["updatedAt"] = FormatTime(r.at_ms);
  out["updatedBy"] = r.actor;
  return out;
}

Result<json> AccessService::Apply(const Caller& caller, const json& body) {
  if (!caller.researcher || caller.account_id.empty()) {
    return PermissionDenied("only researcher accounts apply for access");
  }
  GF_ASSIGN_OR_RETURN(json doc, ValidateApplication(caller, body));
  doc["state"] = "submitted";
  doc["createdAt"] = FormatTime(NowMs());
  doc["comments"] = json::array();
  std::string id = NewId("app");
  GF_RETURN_IF_ERROR(
      deps_.store->Put({{std::string(kApplication), id, 0, doc}}, caller.identity, NowMs()));
  for (const auto& item : doc["items"]) {
    Audit(caller, "access.apply", item["dataset"],
          {{"application", id}, {"purpose", doc["purpose"]}}, "info",
          "DUO verdict " + item["verdict"].get<std::string>());
  }
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kApplication, id));
  return PublicApplication(*rec);
}

Result<json> AccessService::Resubmit(const Caller& caller, const std::string& id,
                                     const json& body) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kApplication, id));
  if (!rec) return NotFound("application: no application '" + id.substr(0, 64) + "'");
  if (rec->doc.value("applicant", "") != caller.account_id) {
    return PermissionDenied("only the applicant changes an application");
  }
  if (rec->doc.value("state", "") != "returned") {
    return FailedPrecondition("state: the application is " + rec->doc.value("state", "") +
                              "; only a returned application can be changed");
  }
  GF_ASSIGN_OR_RETURN(json doc, ValidateApplication(caller, body));
  doc["state"] = "submitted";
  doc["createdAt"] = rec->doc["createdAt"];
  doc["comments"] = rec->doc["comments"];
  GF_RETURN_IF_ERROR(deps_.store->Put({{std::string(kApplication), id, rec->version, doc}},
                                      caller.identity, NowMs()));
  Audit(caller, "access.resubmit", "", {{"application", id}}, "info");
  GF_ASSIGN_OR_RETURN(auto now, deps_.store->Current(kApplication, id));
  return PublicApplication(*now);
}

Result<json> AccessService::Withdraw(const Caller& caller, const std::string& id) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kApplication, id));
  if (!rec) return NotFound("application: no application '" + id.substr(0, 64) + "'");
  if (rec->doc.value("applicant", "") != caller.account_id) {
    return PermissionDenied("only the applicant withdraws an application");
  }
  std::string state = rec->doc.value("state", "");
  if (state != "submitted" && state != "returned") {
    return FailedPrecondition("state: the application is " + state + " and cannot be withdrawn");
  }
  json doc = rec->doc;
  doc["state"] = "withdrawn";
  for (auto& item : doc["items"]) {
    if (item["state"] == "pending") item["state"] = "withdrawn";
  }
  GF_RETURN_IF_ERROR(deps_.store->Put({{std::string(kApplication), id, rec->version, doc}},
                                      caller.identity, NowMs()));
  Audit(caller, "access.withdraw", "", {{"application", id}}, "info");
  GF_ASSIGN_OR_RETURN(auto now, deps_.store->Current(kApplication, id));
  return PublicApplication(*now);
}

Result<json> AccessService::ListApplications(const Caller& caller, const std::string& committee,
                                             const std::string& state) {
  if (!committee.empty() && !caller.admin && !Has(caller.committees, committee)) {
    return PermissionDenied("committee: you are not a member of '" + committee.substr(0, 64) + "'");
  }
  GF_ASSIGN_OR_RETURN(auto all, deps_.store->CurrentAll(kApplication));
  json out = json::array();
  for (const auto& r : all) {
    if (!state.empty() && r.doc.value("state", "") != state) continue;
    bool mine = r.doc.value("applicant", "") == caller.account_id && !caller.account_id.empty();
    bool in_committee = false;
    for (const auto& item : r.doc["items"]) {
      std::string c = item.value("committee", "");
      if ((committee.empty() || c == committee) && (caller.admin || Has(caller.committees, c))) {
        in_committee = true;
      }
    }
    if (committee.empty() ? (mine || in_committee) : in_committee) {
      out.push_back(PublicApplication(r));
    }
  }
  return json{{"applications", out}};
}

Result<json> AccessService::GetApplication(const Caller& caller, const std::string& id) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kApplication, id));
  if (!rec) return NotFound("application: no application '" + id.substr(0, 64) + "'");
  bool allowed = caller.admin || rec->doc.value("applicant", "") == caller.account_id;
  for (const auto& item : rec->doc["items"]) {
    if (Has(caller.committees, item.value("committee", ""))) allowed = true;
  }
  if (!allowed) return PermissionDenied("this application is not yours nor your committee's");
  json out = PublicApplication(*rec);
  GF_ASSIGN_OR_RETURN(auto history, deps_.store->History(kApplication, id));
  json h = json::array();
  for (const auto& v : history) {
    h.push_back({{"version", v.version},
                 {"state", v.doc.value("state", "")},
                 {"by", v.actor},
                 {"at", FormatTime(v.at_ms)}});
  }
  out["history"] = h;
  return out;
}

Result<json> AccessService::Decide(const Caller& caller, const std::string& id, const json& body) {
  if (!caller.dac || caller.committees.empty()) {
    return PermissionDenied("only members of a data access committee decide");
  }
  GF_ASSIGN_OR_RETURN(std::string decision, RequiredString(body, "decision", 20));
  if (decision != "approve" && decision != "reject" && decision != "return") {
    return InvalidArgument("decision: one of approve, reject, return");
  }
  GF_ASSIGN_OR_RETURN(std::string comment, OptionalString(body, "comment", 10000));
  GF_ASSIGN_OR_RETURN(std::string override_reason, OptionalString(body, "overrideReason", 10000));
  GF_ASSIGN_OR_RETURN(auto only, StringList(body, "datasets", false, 100));
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kApplication, id));
  if (!rec) return NotFound("application: no application '" + id.substr(0, 64) + "'");
  json doc = rec->doc;
  if (doc.value("state", "") != "submitted") {
    return FailedPrecondition("state: the application is " + doc.value("state", "") +
                              "; only submitted applications are decided");
  }
  for (size_t i = 0; i < only.size(); ++i) {
    bool listed = false;
    for (const auto& item : doc["items"]) {
      if (item["dataset"] == only[i]) {
        listed = true;
        if (!Has(caller.committees, item.value("committee", ""))) {
          return PermissionDenied("datasets[" + std::to_string(i) + "]: " + only[i] +
                                  " is decided by committee '" + item.value("committee", "") +
                                  "', not one of yours");
        }
        if (item["state"] != "pending") {
          return FailedPrecondition("datasets[" + std::to_string(i) + "]: " + only[i] +
                                    " was decided already (" + item["state"].get<std::string>() +
                                    ")");
        }
      }
    }
    if (!listed) {
      return InvalidArgument("datasets[" + std::to_string(i) + "]: " + only[i] +
                             " is not part of this application");
    }
  }
  std::vector<size_t> targets;
  for (size_t i = 0; i < doc["items"].size(); ++i) {
    const json& item = doc["items"][i];
    if (item["state"] != "pending" || !Has(caller.committees, item.value("committee", "")))
      continue;
    if (!only.empty() && !Has(only, item["dataset"].get<std::string>())) continue;
    targets.push_back(i);
  }
  if (targets.empty()) {
    return PermissionDenied("nothing in this application is pending for your committees");
  }
  const int64_t now = NowS();
  json record = {{"decision", decision},
                 {"by", caller.identity},
                 {"at", FormatSeconds(now)},
                 {"comment", comment}};
  std::vector<Write> writes;
  if (decision == "return" || decision == "reject") {
    if (comment.empty()) return InvalidArgument("comment: a " + decision + " needs a comment");
  }
  if (decision == "return") {
    doc["state"] = "returned";
    doc["comments"].push_back(record);
  } else {
    int64_t end = 0;
    if (decision == "approve") {
      GF_ASSIGN_OR_RETURN(std::string end_text, RequiredString(body, "endDate", 40));
      GF_ASSIGN_OR_RETURN(end, ParseDate(end_text, "endDate"));
      if (end <= now) return InvalidArgument("endDate: " + end_text + " is not in the future");
      if (!doc["ethics"].is_null()) {
        auto ethics_end = ParseDate(doc["ethics"].value("expires", ""), "ethics.expires");
        if (ethics_end.ok() && end > *ethics_end) {
          return InvalidArgument("endDate: after the ethics approval expires (" +
                                 doc["ethics"].value("expires", "") + ")");
        }
      }
      record["endDate"] = FormatSeconds(end);
    }
    GF_ASSIGN_OR_RETURN(auto committees, deps_.store->CurrentAll(kCommittee));
    for (size_t i : targets) {
      json& item = doc["items"][i];
      if (decision == "approve") {
        if (item["verdict"] == "deny" && override_reason.size() < 10) {
          return FailedPrecondition("overrideReason: the DUO verdict for " +
                                    item["dataset"].get<std::string>() +
                                    " is deny; approving needs a written override reason (at "
                                    "least 10 characters)");
        }
        int64_t max_days = 365;
        for (const auto& c : committees) {
          if (c.id == item.value("committee", ""))
            max_days = c.doc.value("maxGrantDays", int64_t{365});
        }
        if (end > now + max_days * 86400) {
          return InvalidArgument("endDate: at most " + std::to_string(max_days) +
                                 " days from now for " + item["dataset"].get<std::string>());
        }
        std::string grant_id = NewId("grant");
        json grant = {{"id", grant_id},
                      {"account", doc["applicant"]},
                      {"application", id},
                      {"dataset", item["dataset"]},
                      {"visaValue", item["visaValue"]},
                      {"committee", item["committee"]},
                      {"start", now},
                      {"end", end},
                      {"state", "active"},
                      {"approvedBy", caller.identity}};
        writes.push_back({std::string(kGrant), grant_id, 0, grant});
        item["grant"] = grant_id;
        if (item["verdict"] == "deny") item["override"] = override_reason;
      }
      item["state"] = decision == "approve" ? "approved" : "rejected";
      item["decision"] = record;
    }
    bool open = false;
    for (const auto& item : doc["items"]) open = open || item["state"] == "pending";
    if (!open) doc["state"] = "decided";
  }
  writes.insert(writes.begin(), {std::string(kApplication), id, rec->version, doc});
  GF_RETURN_IF_ERROR(deps_.store->Put(writes, caller.identity, NowMs()));
  for (size_t i : targets) {
    const json& item = doc["items"][i];
    Audit(caller, "access.decide", item["dataset"], {{"application", id}, {"decision", decision}},
          decision == "approve" ? "allow" : (decision == "reject" ? "deny" : "info"), comment);
    if (decision == "approve") {
      Audit(caller, "visa.grant", item["dataset"], {{"grant", item["grant"]}}, "allow");
    }
  }
  GF_ASSIGN_OR_RETURN(auto updated, deps_.store->Current(kApplication, id));
  return PublicApplication(*updated);
}

Result<json> AccessService::ListGrants(const Caller& caller) {
  GF_ASSIGN_OR_RETURN(auto all, deps_.store->CurrentAll(kGrant));
  json out = json::array();
  int64_t now = NowS();
  for (const auto& r : all) {
    bool mine = r.doc.value("account", "") == caller.account_id && !caller.account_id.empty();
    if (!mine && !caller.admin && !Has(caller.committees, r.doc.value("committee", ""))) continue;
    json g = r.doc;
    if (g["state"] == "active" && g.value("end", int64_t{0}) <= now) g["state"] = "expired";
    g["startDate"] = FormatSeconds(g.value("start", int64_t{0}));
    g["endDate"] = FormatSeconds(g.value("end", int64_t{0}));
    out.push_back(g);
  }
  return json{{"grants", out}};
}

Result<json> AccessService::Revoke(const Caller& caller, const std::string& grant_id,
                                   const json& body) {
  GF_ASSIGN_OR_RETURN(auto rec, deps_.store->Current(kGrant, grant_id));
  if (!rec) return NotFound("grant: no grant '" + grant_id.substr(0, 64) + "'");
  json doc = rec->doc;
  if (!caller.admin && !Has(caller.committees, doc.value("committee", ""))) {
    return PermissionDenied("only an admin or a member of committee '" +
                            doc.value("committee", "") + "' revokes this grant");
  }
  GF_ASSIGN_OR_RETURN(std::string reason, RequiredString(body, "reason", 10000));
  if (doc.value("state", "") != "active") {
    return FailedPrecondition("state: the grant is " + doc.value("state", "") + " already");
  }
  doc["state"] = "revoked";
  doc["revokedAt"] = NowS();
  doc["revokedBy"] = caller.identity;
  doc["reason"] = reason;
  GF_RETURN_IF_ERROR(deps_.store->Put({{std::string(kGrant), grant_id, rec->version, doc}},
                                      caller.identity, NowMs()));
  Audit(caller, "visa.revoke", doc.value("dataset", ""), {{"grant", grant_id}}, "deny", reason);
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Broker

Result<std::string> AccessService::PassportFor(const Caller& caller) {
  if (caller.account_id.empty()) {
    return PermissionDenied("the operator has no passport; log in with an account");
  }
  GF_ASSIGN_OR_RETURN(auto acc, deps_.store->Current(kAccount, caller.account_id));
  if (!acc) return NotFound("account: gone");
  const int64_t now = NowS();
  const std::string iss = issuer();
  const std::string jku_url = jku();
  std::vector<std::string> visas;
  int64_t passport_exp = now + config_.passport_ttl_s;
  const json& rs = acc->doc["researcherStatus"];
  if (rs.is_object()) {
    passport::VisaSpec spec{"ResearcherStatus",
                            rs.value("value", config_.researcher_status_value),
                            iss,
                            "so",
                            rs.value("asserted", now),
                            nullptr};
    passport::IssueParams p{iss, jku_url, caller.account_id, now, passport_exp};
    GF_ASSIGN_OR_RETURN(std::string v, keys_->IssueVisa(p, spec));
    visas.push_back(std::move(v));
  }
  GF_ASSIGN_OR_RETURN(auto grants, deps_.store->CurrentAll(kGrant));
  json issued = json::array();
  for (const auto& g : grants) {
    if (g.doc.value("account", "") != caller.account_id) continue;
    if (g.doc.value("state", "") != "active" || g.doc.value("end", int64_t{0}) <= now) continue;
    passport::VisaSpec spec{"ControlledAccessGrants",     g.doc.value("visaValue", ""),
                            g.doc.value("committee", ""), "dac",
                            g.doc.value("start", now),    nullptr};
    passport::IssueParams p{iss, jku_url, caller.account_id, now, g.doc.value("end", now)};
    GF_ASSIGN_OR_RETURN(std::string v, keys_->IssueVisa(p, spec));
    visas.push_back(std::move(v));
    issued.push_back(g.id);
  }
  passport::IssueParams p{iss, jku_url, caller.account_id, now, passport_exp};
  GF_ASSIGN_OR_RETURN(std::string token, keys_->IssuePassport(p, visas));
  Audit(caller, "visa.issue", "", {{"grants", issued}, {"visas", visas.size()}}, "allow");
  return token;
}

json AccessService::Jwks() const { return keys_->Jwks(NowS()); }

Result<std::string> AccessService::RevocationList() {
  GF_ASSIGN_OR_RETURN(auto grants, deps_.store->CurrentAll(kGrant));
  const int64_t now = NowS();
  json list = json::array();
  for (const auto& g : grants) {
    if (g.doc.value("state", "") != "revoked") continue;
    // A revoked grant whose end has passed needs no listing: its visas expired anyway.
    if (g.doc.value("end", int64_t{0}) + 60 < now) continue;
    list.push_back({{"grant", g.id},
                    {"sub", g.doc.value("account", "")},
                    {"value", g.doc.value("visaValue", "")},
                    {"asserted", g.doc.value("start", int64_t{0})},
                    {"revoked", g.doc.value("revokedAt", int64_t{0})}});
  }
  int64_t exp = now + config_.revocation_list_ttl_s;
  json payload = {{"iss", issuer()}, {"iat", now}, {"exp", exp}, {"revocations", list}};
  return keys_->SignJwt({{"typ", "genomefed-revocations+jwt"}}, payload, jku(), exp);
}

Status AccessService::RotateKeys(const Caller& caller) {
  if (!caller.admin) return PermissionDenied("only an admin rotates the broker keys");
  std::string old = keys_->active_kid();
  GF_RETURN_IF_ERROR(keys_->Rotate(NowS()));
  Audit(caller, "broker.rotate", "", {{"retired", old}, {"active", keys_->active_kid()}}, "info");
  return Status::Ok();
}

}  // namespace genomefed::hub::access
