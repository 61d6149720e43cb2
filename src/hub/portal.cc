#include "hub/portal.h"

#include <map>
#include <memory>

#include "core/file.h"
#include "core/log.h"
#include "core/toml_reader.h"

namespace genomefed::hub {
namespace {

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

std::string ContentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".woff2", "font/woff2"},
      {".json", "application/json"},
      {".ico", "image/x-icon"},
  };
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

http::Response Page(std::string body, std::string content_type, bool immutable) {
  http::Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers = {{"Content-Security-Policy", std::string(kCsp)},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"X-Frame-Options", "DENY"},
               {"Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache"}};
  return r;
}

bool SafeAssetName(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

const char kNotBuilt[] = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>genomefed hub</title></head>
<body><h1>genomefed hub</h1>
<p>The portal is not built. Build it with <code>make portal</code> (needs npm), or set
<code>[portal] dir</code> in hub.toml to a built portal, then restart the hub.</p>
<p>The API is served as usual under <a href="/api/info">/api</a>.</p></body></html>
)";

}  // namespace

std::filesystem::path DefaultPortalDir() { return GENOMEFED_PORTAL_DIST; }

std::string_view PortalContentSecurityPolicy() { return kCsp; }

Result<PortalConfig> LoadPortalConfig(const std::filesystem::path& config_file) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(config_file));
  GF_ASSIGN_OR_RETURN(toml::table root, ParseToml(text, config_file.string()));
  PortalConfig cfg;
  const toml::table* t = SubTable(root, "portal");
  if (t == nullptr) return cfg;
  TableReader r(*t, "portal", config_file.string());
  GF_RETURN_IF_ERROR(r.Path("dir", cfg.dir, config_file.parent_path()));
  GF_RETURN_IF_ERROR(r.NoUnknownKeys());
  return cfg;
}

Status AddPortalRoutes(http::Router& router, const std::filesystem::path& dir) {
  std::error_code ec;
  const auto index_path = dir / "index.html";
  if (!std::filesystem::exists(index_path, ec)) {
    log::info("portal: {} is not built; / says how to build it", dir.string());
    return router.Get("/", [](const http::Request&) {
      return Page(kNotBuilt, "text/html; charset=utf-8", false);
    });
  }
  GF_ASSIGN_OR_RETURN(std::string index, ReadFile(index_path));
  auto assets = std::make_shared<std::map<std::string, std::pair<std::string, std::string>>>();
  if (std::filesystem::is_directory(dir / "assets", ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir / "assets", ec)) {
      if (!entry.is_regular_file()) continue;
      std::string name = entry.path().filename().string();
      if (!SafeAssetName(name)) continue;
      GF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(entry.path()));
      (*assets)[name] = {ContentType(entry.path()), std::move(bytes)};
    }
  }
  log::info("portal: serving {} ({} assets)", dir.string(), assets->size());
  GF_RETURN_IF_ERROR(router.Get("/", [index = std::move(index)](const http::Request&) {
    return Page(index, "text/html; charset=utf-8", false);
  }));
  return router.Get("/assets/{file}", [assets](const http::Request& req) {
    const std::string* name = req.PathParam("file");
    auto it = name ? assets->find(*name) : assets->end();
    if (it == assets->end()) {
      return http::DefaultErrorFormatter(404, "no such portal asset");
    }
    return Page(it->second.second, it->second.first, true);
  });
}

}  // namespace genomefed::hub
