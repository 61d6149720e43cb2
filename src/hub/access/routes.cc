#include "hub/access/routes.h"

#include <cctype>
#include <optional>

#include "hub/hub.h"

namespace genomefed::hub::access {
namespace {

using nlohmann::json;

http::Response Error(const Status& s) {
  http::Response r = http::ErrorResponse(s);
  if (s.code() == StatusCode::kFailedPrecondition) {
    // A state conflict: the request is fine, the record's state does not allow it.
    r = http::DefaultErrorFormatter(409, s.message());
  }
  if (s.code() == StatusCode::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"genomefed-hub\"");
  }
  return r;
}

http::Response Ok(const json& j, int status = 200) {
  return http::Response::Json(j.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

// The bearer value, or "" when the header is absent or not a bearer token.
std::string Bearer(const http::Request& req) {
  const std::string* a = req.Header("authorization");
  if (a == nullptr || a->size() < 8) return "";
  std::string scheme = a->substr(0, 7);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return "";
  std::string t = a->substr(7);
  while (!t.empty() && t.front() == ' ') t.erase(0, 1);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

Result<json> Body(const http::Request& req) {
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("the body must be a JSON object");
  return j;
}

std::string Param(const http::Request& req, std::string_view name) {
  const std::string* v = req.Query(name);
  return v ? *v : std::string();
}

}  // namespace

Status AddAccessRoutes(http::Router& router, AccessService* service,
                       const std::string* admin_token) {
  // Who is calling: the operator (admin token) or a session's account.
  auto caller_of = [service, admin_token](const http::Request& req) -> Result<Caller> {
    std::string token = Bearer(req);
    if (token.empty()) {
      return Unauthenticated(
          "this needs 'Authorization: Bearer <session token>' (POST /api/access/login)");
    }
    if (!admin_token->empty()) {
      std::string header = "Bearer " + token;
      if (CheckAdminToken(&header, *admin_token).ok()) {
        Caller op;
        op.identity = "operator";
        op.admin = true;
        return op;
      }
    }
    return service->Authenticate(token);
  };
  auto client_ip = [](const http::Request& req) { return http::ClientIp(req, {}); };

  // Wraps a handler that needs a caller and a JSON body.
  using WithBody = std::function<Result<json>(const Caller&, const json&, const http::Request&)>;
  auto authed_body = [caller_of](WithBody fn, int status = 200) {
    return [caller_of, fn, status](const http::Request& req) {
      auto caller = caller_of(req);
      if (!caller.ok()) return Error(caller.status());
      auto body = Body(req);
      if (!body.ok()) return Error(body.status());
      auto out = fn(*caller, *body, req);
      if (!out.ok()) return Error(out.status());
      return Ok(*out, status);
    };
  };
  using NoBody = std::function<Result<json>(const Caller&, const http::Request&)>;
  auto authed = [caller_of](NoBody fn) {
    return [caller_of, fn](const http::Request& req) {
      auto caller = caller_of(req);
      if (!caller.ok()) return Error(caller.status());
      auto out = fn(*caller, req);
      if (!out.ok()) return Error(out.status());
      return Ok(*out);
    };
  };
  auto id = [](const http::Request& req) { return *req.PathParam("id"); };

  GF_RETURN_IF_ERROR(
      router.Post("/api/access/register", [service, client_ip](const http::Request& req) {
        auto body = Body(req);
        if (!body.ok()) return Error(body.status());
        auto out = service->Register(*body, client_ip(req));
        if (!out.ok()) return Error(out.status());
        return Ok(*out, 201);
      }));
  GF_RETURN_IF_ERROR(
      router.Post("/api/access/login", [service, client_ip](const http::Request& req) {
        auto body = Body(req);
        if (!body.ok()) return Error(body.status());
        auto out = service->Login(*body, client_ip(req));
        if (!out.ok()) return Error(out.status());
        return Ok(*out);
      }));
  GF_RETURN_IF_ERROR(router.Post("/api/access/logout", [service](const http::Request& req) {
    Status s = service->Logout(Bearer(req));
    if (!s.ok()) return Error(s);
    return Ok(json{{"loggedOut", true}});
  }));
  GF_RETURN_IF_ERROR(router.Get(
      "/api/access/me",
      authed([service](const Caller& c, const http::Request&) { return service->Me(c); })));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/accounts",
      authed_body([service](const Caller& c, const json& b,
                            const http::Request&) { return service->CreateAccount(c, b); },
                  201)));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/accounts/{id}/researcher-status",
      authed_body([service, id](const Caller& c, const json& b, const http::Request& req) {
        return service->AssertResearcherStatus(c, id(req), b);
      })));
  auto link = [service, id](const Caller& c, const json& b,
                            const http::Request& req) -> Result<json> {
    std::string iss = b.value("iss", ""), sub = b.value("sub", "");
    GF_RETURN_IF_ERROR(service->LinkIdentity(c, id(req), iss, sub));
    return json{{"account", id(req)}, {"iss", iss}, {"sub", sub}};
  };
  GF_RETURN_IF_ERROR(router.Post("/api/access/accounts/{id}/identities", authed_body(link, 201)));
  GF_RETURN_IF_ERROR(
      router.Get("/api/access/committees", authed([service](const Caller& c, const http::Request&) {
                   return service->ListCommittees(c);
                 })));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/committees",
      authed_body([service](const Caller& c, const json& b,
                            const http::Request&) { return service->CreateCommittee(c, b); },
                  201)));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/committees/{id}/members",
      authed_body([service, id](const Caller& c, const json& b, const http::Request& req) {
        return service->AddCommitteeMember(c, id(req), b);
      })));
  GF_RETURN_IF_ERROR(router.Get(
      "/api/access/applications", authed([service](const Caller& c, const http::Request& req) {
        return service->ListApplications(c, Param(req, "committee"), Param(req, "state"));
      })));
  GF_RETURN_IF_ERROR(
      router.Post("/api/access/applications",
                  authed_body([service](const Caller& c, const json& b,
                                        const http::Request&) { return service->Apply(c, b); },
                              201)));
  GF_RETURN_IF_ERROR(router.Get("/api/access/applications/{id}",
                                authed([service, id](const Caller& c, const http::Request& req) {
                                  return service->GetApplication(c, id(req));
                                })));
  GF_RETURN_IF_ERROR(router.Add(
      "PUT", "/api/access/applications/{id}",
      authed_body([service, id](const Caller& c, const json& b, const http::Request& req) {
        return service->Resubmit(c, id(req), b);
      })));
  GF_RETURN_IF_ERROR(router.Post("/api/access/applications/{id}/withdraw",
                                 authed([service, id](const Caller& c, const http::Request& req) {
                                   return service->Withdraw(c, id(req));
                                 })));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/applications/{id}/decisions",
      authed_body([service, id](const Caller& c, const json& b, const http::Request& req) {
        return service->Decide(c, id(req), b);
      })));
  GF_RETURN_IF_ERROR(router.Get(
      "/api/access/grants",
      authed([service](const Caller& c, const http::Request&) { return service->ListGrants(c); })));
  GF_RETURN_IF_ERROR(router.Post(
      "/api/access/grants/{id}/revoke",
      authed_body([service, id](const Caller& c, const json& b, const http::Request& req) {
        return service->Revoke(c, id(req), b);
      })));
  auto rotate = [service](const Caller& c, const http::Request&) -> Result<json> {
    GF_RETURN_IF_ERROR(service->RotateKeys(c));
    return service->Jwks();
  };
  GF_RETURN_IF_ERROR(router.Post("/api/access/keys/rotate", authed(rotate)));
  GF_RETURN_IF_ERROR(router.Get("/api/access/revocations", [service](const http::Request&) {
    auto token = service->RevocationList();
    if (!token.ok()) return Error(token.status());
    http::Response r;
    r.content_type = "application/jwt";
    r.body = *token;
    return r;
  }));
  GF_RETURN_IF_ERROR(router.Get("/api/passport", [caller_of, service](const http::Request& req) {
    auto caller = caller_of(req);
    if (!caller.ok()) return Error(caller.status());
    auto token = service->PassportFor(*caller);
    if (!token.ok()) return Error(token.status());
    http::Response r;
    r.content_type = "application/jwt";
    r.body = *token;
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }));
  GF_RETURN_IF_ERROR(router.Get("/.well-known/jwks.json",
                                [service](const http::Request&) { return Ok(service->Jwks()); }));
  return Status::Ok();
}

}  // namespace genomefed::hub::access
