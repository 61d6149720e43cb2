// `genomefed access …`: the researcher's, DAC member's and admin's client of the hub's controlled
// access API (docs/access.md). Every verb is one HTTP call to --hub; the answer is printed as
// JSON on stdout (the passport as its JWT). The credential — a session token from
// `access login`, or the hub's admin token — is read from the environment variable named by
// --token-env (GENOMEFED_HUB_TOKEN), never from the command line, and passwords from
// GENOMEFED_PASSWORD or the first line of stdin. Hub errors exit with the code of their kind:
// 2 bad input, 3 not found, 6 refused, 1 otherwise.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/genomefed/commands.h"
#include "core/file.h"
#include "http/client.h"
#include "http/url.h"

namespace genomefed::cli {
namespace {

using nlohmann::json;

struct Common {
  std::string hub = "http://127.0.0.1:8000";
  std::string token_env = "GENOMEFED_HUB_TOKEN";
};

Status FromHttp(int status, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string msg = j.is_object() && j.contains("msg") && j["msg"].is_string()
                        ? j["msg"].get<std::string>()
                        : "HTTP " + std::to_string(status);
  switch (status) {
    case 400:
      return InvalidArgument(msg);
    case 404:
      return NotFound(msg);
    case 401:
      return Unauthenticated(msg);
    case 403:
      return PermissionDenied(msg);
    case 409:
      return FailedPrecondition(msg);
    case 429:
      return ResourceExhausted(msg);
    default:
      return Unavailable(msg);
  }
}

// Sends one request and prints the answer. `auth`: send the token from the environment.
Status Call(const Common& c, const std::string& method, const std::string& path, const json& body,
            bool auth, bool raw_output = false) {
  http::ClientRequest r;
  r.method = method;
  std::string base = c.hub;
  while (!base.empty() && base.back() == '/') base.pop_back();
  r.url = base + path;
  r.timeout_ms = 30000;
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/json");
  }
  if (auth) {
    const char* token = std::getenv(c.token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return Unauthenticated("$" + c.token_env +
                             " is not set: export the token from `genomefed access login`");
    }
    r.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  }
  auto client = http::MakeCurlClient();
  auto res = client->Send(r);
  if (!res.ok()) return res.status().WithContext(r.url);
  if (res->status >= 300) return FromHttp(res->status, res->body);
  if (raw_output) {
    std::cout << res->body << "\n";
  } else {
    json j = json::parse(res->body, nullptr, false);
    std::cout << (j.is_discarded() ? res->body : j.dump(2)) << "\n";
  }
  return Status::Ok();
}

std::string Password() {
  if (const char* p = std::getenv("GENOMEFED_PASSWORD"); p != nullptr && *p != '\0') return p;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--hub", c.hub, "the hub's base URL")->capture_default_str();
  cmd->add_option("--token-env", c.token_env, "environment variable holding the token")
      ->capture_default_str();
}

}  // namespace

void RegisterAccess(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand(
      "access", "Apply for datasets, decide as a DAC, get passports (the hub's /api/access)");
  cmd->require_subcommand(1);
  auto c = std::make_shared<Common>();
  auto report = [&ctx](const Status& s) { Report(ctx, "access", s); };

  // Accounts and sessions.
  auto user = std::make_shared<std::string>();
  CLI::App* reg = cmd->add_subcommand("register", "Create a researcher account (password: stdin)");
  AddCommon(reg, *c);
  reg->add_option("--username", *user)->required();
  reg->callback([c, user, report] {
    report(Call(*c, "POST", "/api/access/register", {{"username", *user}, {"password", Password()}},
                false));
  });
  CLI::App* login = cmd->add_subcommand("login", "Log in; prints {token, expiresAt, account}");
  AddCommon(login, *c);
  login->add_option("--username", *user)->required();
  login->callback([c, user, report] {
    report(Call(*c, "POST", "/api/access/login", {{"username", *user}, {"password", Password()}},
                false));
  });
  auto roles = std::make_shared<std::vector<std::string>>();
  CLI::App* account = cmd->add_subcommand("account", "Admin: create an account (password: stdin)");
  AddCommon(account, *c);
  account->add_option("--username", *user)->required();
  account->add_option("--role", *roles, "researcher | dac | admin (repeatable)");
  account->callback([c, user, roles, report] {
    report(Call(*c, "POST", "/api/access/accounts",
                {{"username", *user}, {"password", Password()}, {"roles", *roles}}, true));
  });
  auto id = std::make_shared<std::string>();
  CLI::App* rs = cmd->add_subcommand("researcher-status",
                                     "Admin: assert ResearcherStatus (by: so) for an account");
  AddCommon(rs, *c);
  rs->add_option("account", *id)->required();
  rs->callback([c, id, report] {
    report(Call(*c, "POST",
                "/api/access/accounts/" + http::PercentEncode(*id) + "/researcher-status",
                json::object(), true));
  });

  // Committees.
  auto datasets = std::make_shared<std::vector<std::string>>();
  auto max_days = std::make_shared<int>(365);
  auto ethics_required = std::make_shared<bool>(false);
  CLI::App* committee = cmd->add_subcommand("committee", "Admin: create a data access committee");
  AddCommon(committee, *c);
  committee->add_option("--id", *id)->required();
  committee->add_option("--dataset", *datasets, "nodeId:datasetId it governs (repeatable)")
      ->required();
  committee->add_option("--max-days", *max_days, "longest grant")->capture_default_str();
  committee->add_flag("--require-ethics", *ethics_required, "applications need an ethics approval");
  committee->callback([c, id, datasets, max_days, ethics_required, report] {
    report(Call(*c, "POST", "/api/access/committees",
                {{"id", *id},
                 {"datasets", *datasets},
                 {"maxGrantDays", *max_days},
                 {"requireEthicsApproval", *ethics_required}},
                true));
  });
  auto member = std::make_shared<std::string>();
  CLI::App* add_member = cmd->add_subcommand("add-member", "Admin: add an account to a committee");
  AddCommon(add_member, *c);
  add_member->add_option("committee", *id)->required();
  add_member->add_option("account", *member)->required();
  add_member->callback([c, id, member, report] {
    report(Call(*c, "POST", "/api/access/committees/" + http::PercentEncode(*id) + "/members",
                {{"account", *member}}, true));
  });

  // Applications.
  struct Apply {
    std::string title, abstract, purpose, c4gh_pk, ethics_ref, ethics_expires;
    std::vector<std::string> datasets, collaborators;
  };
  auto a = std::make_shared<Apply>();
  CLI::App* apply = cmd->add_subcommand("apply", "Apply for datasets with a DUO-coded purpose");
  AddCommon(apply, *c);
  apply->add_option("--title", a->title)->required();
  apply->add_option("--abstract", a->abstract)->required();
  apply->add_option("--purpose", a->purpose, "DUO codes, e.g. DUO:0000006 or DUO:0000007,MONDO:…")
      ->required();
  apply->add_option("--dataset", a->datasets, "nodeId:datasetId (repeatable)")->required();
  apply->add_option("--c4gh-pk", a->c4gh_pk, "Crypt4GH public key file deliveries go to")
      ->required();
  apply->add_option("--collaborator", a->collaborators);
  apply->add_option("--ethics-ref", a->ethics_ref);
  apply->add_option("--ethics-expires", a->ethics_expires, "YYYY-MM-DD");
  apply->callback([c, a, report] {
    auto key = ReadFile(a->c4gh_pk);
    if (!key.ok()) return report(key.status().WithContext("--c4gh-pk"));
    json body = {{"title", a->title},         {"abstract", a->abstract},
                 {"purpose", a->purpose},     {"datasets", a->datasets},
                 {"crypt4ghPublicKey", *key}, {"collaborators", a->collaborators}};
    if (!a->ethics_ref.empty()) {
      body["ethics"] = {{"reference", a->ethics_ref}, {"expires", a->ethics_expires}};
    }
    report(Call(*c, "POST", "/api/access/applications", body, true));
  });
  auto committee_filter = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>();
  CLI::App* list = cmd->add_subcommand("list", "Applications: mine, or my committees' queue");
  AddCommon(list, *c);
  list->add_option("--committee", *committee_filter);
  list->add_option("--state", *state, "submitted | returned | decided | withdrawn");
  list->callback([c, committee_filter, state, report] {
    std::string q;
    if (!committee_filter->empty()) q += "committee=" + http::PercentEncode(*committee_filter);
    if (!state->empty())
      q += std::string(q.empty() ? "" : "&") + "state=" + http::PercentEncode(*state);
    report(Call(*c, "GET", "/api/access/applications" + (q.empty() ? "" : "?" + q), nullptr, true));
  });
  CLI::App* show = cmd->add_subcommand("show", "One application with its history");
  AddCommon(show, *c);
  show->add_option("id", *id)->required();
  show->callback([c, id, report] {
    report(Call(*c, "GET", "/api/access/applications/" + http::PercentEncode(*id), nullptr, true));
  });
  CLI::App* withdraw = cmd->add_subcommand("withdraw", "Withdraw one's application");
  AddCommon(withdraw, *c);
  withdraw->add_option("id", *id)->required();
  withdraw->callback([c, id, report] {
    report(Call(*c, "POST", "/api/access/applications/" + http::PercentEncode(*id) + "/withdraw",
                nullptr, true));
  });
  struct Decide {
    std::string decision, end_date, comment, override_reason;
    std::vector<std::string> datasets;
  };
  auto d = std::make_shared<Decide>();
  CLI::App* decide = cmd->add_subcommand("decide", "DAC: approve, reject or return an application");
  AddCommon(decide, *c);
  decide->add_option("id", *id)->required();
  decide->add_option("--decision", d->decision, "approve | reject | return")->required();
  decide->add_option("--end-date", d->end_date, "YYYY-MM-DD, for approve");
  decide->add_option("--comment", d->comment);
  decide->add_option("--override-reason", d->override_reason, "to approve despite a DUO deny");
  decide->add_option("--dataset", d->datasets, "only these items (default: all of yours)");
  decide->callback([c, id, d, report] {
    json body = {{"decision", d->decision}, {"comment", d->comment}};
    if (!d->end_date.empty()) body["endDate"] = d->end_date;
    if (!d->override_reason.empty()) body["overrideReason"] = d->override_reason;
    if (!d->datasets.empty()) body["datasets"] = d->datasets;
    report(Call(*c, "POST", "/api/access/applications/" + http::PercentEncode(*id) + "/decisions",
                body, true));
  });

  // Grants and passports.
  CLI::App* grants = cmd->add_subcommand("grants", "Grants: mine, or my committees'");
  AddCommon(grants, *c);
  grants->callback([c, report] { report(Call(*c, "GET", "/api/access/grants", nullptr, true)); });
  auto reason = std::make_shared<std::string>();
  CLI::App* revoke = cmd->add_subcommand("revoke", "DAC or admin: revoke a grant");
  AddCommon(revoke, *c);
  revoke->add_option("grant", *id)->required();
  revoke->add_option("--reason", *reason)->required();
  revoke->callback([c, id, reason, report] {
    report(Call(*c, "POST", "/api/access/grants/" + http::PercentEncode(*id) + "/revoke",
                {{"reason", *reason}}, true));
  });
  CLI::App* passport = cmd->add_subcommand("passport", "Print my GA4GH Passport (JWT)");
  AddCommon(passport, *c);
  passport->callback(
      [c, report] { report(Call(*c, "GET", "/api/passport", nullptr, true, /*raw=*/true)); });
  CLI::App* rotate = cmd->add_subcommand("rotate-keys", "Admin: new broker signing key");
  AddCommon(rotate, *c);
  rotate->callback(
      [c, report] { report(Call(*c, "POST", "/api/access/keys/rotate", nullptr, true)); });
}

}  // namespace genomefed::cli
