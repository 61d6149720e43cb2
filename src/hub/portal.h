// The discovery portal's static files (portal/, TypeScript built by Vite into portal/dist),
// served by the hub at `/` and `/assets/*` so that no other web server is needed. The files are
// read once at start. Every portal response carries a Content-Security-Policy without
// 'unsafe-inline' (the build emits no inline script or style), nosniff, no referrer and no
// framing. Without a built portal, `/` answers a page that says how to build it; the API is
// unaffected. Config: the `[portal]` section of hub.toml (`dir`), owned here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/server.h"

namespace genomefed::hub {

struct PortalConfig {
  // The built portal (index.html + assets/). Empty: the source tree's portal/dist of this build.
  std::filesystem::path dir;
};

// Reads `[portal]` from the hub's configuration file (absent section: defaults).
Result<PortalConfig> LoadPortalConfig(const std::filesystem::path& config_file);

// The directory used when PortalConfig::dir is empty.
std::filesystem::path DefaultPortalDir();

// The CSP every portal page is served with.
std::string_view PortalContentSecurityPolicy();

// Adds GET / and GET /assets/{file}. Fails only on an unreadable file inside an existing dir.
Status AddPortalRoutes(http::Router& router, const std::filesystem::path& dir);

}  // namespace genomefed::hub
