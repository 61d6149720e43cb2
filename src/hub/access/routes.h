// HTTP face of the hub's controlled access (docs/access.md): `/api/access/…` (accounts,
// committees, applications, decisions, grants, the signed revocation list), `/api/passport`
// (the caller's GA4GH Passport 1.2) and `/.well-known/jwks.json` (the broker's keys). Callers
// authenticate with `Authorization: Bearer <session token>` from POST /api/access/login, or the
// hub's admin token (the operator, an admin without an account). Errors are GA4GH-style
// `{"status", "msg"}` bodies whose message names the field; a state conflict (double decision,
// withdrawn application) is 409.
#pragma once

#include <string>

#include "core/status.h"
#include "http/server.h"
#include "hub/access/service.h"

namespace genomefed::hub::access {

// `service` and `admin_token` must outlive the router.
Status AddAccessRoutes(http::Router& router, AccessService* service,
                       const std::string* admin_token);

}  // namespace genomefed::hub::access
