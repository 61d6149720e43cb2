// The rules a node registration must pass, whether it comes from the hub config ([[nodes]]) or
// the admin API (POST /api/admin/nodes); docs/hub.md "Registering nodes".
//
//  - id: 1-64 characters of [A-Za-z0-9._-] (':' separates "nodeId:datasetId");
//  - url: http:// or https://, a host, no spaces, '?' or '#', and no userinfo
//    ("http://user:secret@host" is refused: credentials belong in config secrets, and the URL is
//    published in /api/info and the catalogue); a trailing "/" or "/api" is dropped;
//  - country: an ISO 3166-1 alpha-2 code (the officially assigned codes, ISO 3166-1:2020 plus
//    later newsletters), upper-cased;
//  - not the hub itself: a URL naming the hub's public URL or its listen address (loopback and
//    unspecified addresses count as the listen host) is refused. A node that leads back to the
//    hub by another way (a DNS name, another hub) is caught at query time (hub/fanout.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "hub/repository.h"

namespace genomefed::hub {

// Whether `code` (exactly two upper-case letters) is an assigned ISO 3166-1 alpha-2 code.
bool IsIsoCountryCode(std::string_view code);

// Checks and normalises `node` (url trimmed, country upper-cased); kInvalidArgument naming the
// node and the rule otherwise. Never echoes the userinfo of a refused URL.
Status ValidateNode(NodeRecord& node);

// The parts of an http(s) URL that say where it goes.
struct UrlOrigin {
  std::string scheme;  // "http" | "https"
  std::string host;    // lower-case, IPv6 without brackets
  uint16_t port = 0;   // the default port of the scheme when none is given
};
Result<UrlOrigin> ParseOrigin(std::string_view url);

// kInvalidArgument when `url` designates the hub: the same origin as one of `own_urls` (its
// public URL and bound base URL), where loopback names, 0.0.0.0 and :: all stand for one host.
Status CheckNotSelf(std::string_view node_id, std::string_view url,
                    const std::vector<std::string>& own_urls);

// `url` without any userinfo, for publishing rows stored before the rule existed.
std::string WithoutUserinfo(std::string_view url);

}  // namespace genomefed::hub
