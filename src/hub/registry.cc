#include "hub/registry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace genomefed::hub {
namespace {

// ISO 3166-1 alpha-2: the 249 officially assigned codes, sorted (binary search).
constexpr std::array<std::string_view, 249> kIsoCountries = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

bool ValidNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  // ':' is the separator of "nodeId:datasetId", so it may not occur in a node id.
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Where the authority of an http(s) URL ends (the first '/' after "://", or the end).
size_t AuthorityEnd(std::string_view url, size_t start) {
  size_t end = url.find('/', start);
  return end == std::string_view::npos ? url.size() : end;
}

bool IsLocalHost(const std::string& host) {
  return host == "localhost" || host == "0.0.0.0" || host == "::" || host == "::1" ||
         host.rfind("127.", 0) == 0 || host == "localhost.localdomain";
}

}  // namespace

bool IsIsoCountryCode(std::string_view code) {
  return code.size() == 2 && std::binary_search(kIsoCountries.begin(), kIsoCountries.end(), code);
}

std::string WithoutUserinfo(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t start = scheme + 3;
  size_t end = AuthorityEnd(url, start);
  size_t at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

Result<UrlOrigin> ParseOrigin(std::string_view url) {
  UrlOrigin o;
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return InvalidArgument("not an absolute URL");
  o.scheme = Lower(url.substr(0, scheme));
  if (o.scheme != "http" && o.scheme != "https") {
    return InvalidArgument("the URL must start with http:// or https://");
  }
  const size_t start = scheme + 3;
  std::string_view authority = url.substr(start, AuthorityEnd(url, start) - start);
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgument("the URL must not contain a user name or password");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("unbalanced '[' in the URL host");
    o.host = Lower(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgument("junk after the URL host");
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    o.host = Lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (o.host.empty()) return InvalidArgument("the URL has no host");
  o.port = o.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return InvalidArgument("the URL port must be a number from 1 to 65535");
    }
    o.port = static_cast<uint16_t>(value);
  }
  return o;
}

Status ValidateNode(NodeRecord& n) {
  if (!ValidNodeId(n.id)) {
    return InvalidArgument("node id '" + n.id.substr(0, 64) +
                           "' must be 1-64 characters of [A-Za-z0-9._-]");
  }
  while (!n.url.empty() && n.url.back() == '/') n.url.pop_back();
  if (n.url.size() >= 4 && n.url.compare(n.url.size() - 4, 4, "/api") == 0) {
    n.url.resize(n.url.size() - 4);
  }
  if (n.url.rfind("http://", 0) != 0 && n.url.rfind("https://", 0) != 0) {
    return InvalidArgument("node " + n.id + ": url must start with http:// or https://");
  }
  if (n.url.find_first_of(" \r\n\t?#") != std::string::npos) {
    return InvalidArgument("node " + n.id + ": url must not contain spaces, '?' or '#'");
  }
  auto origin = ParseOrigin(n.url);
  if (!origin.ok()) {
    // The message never repeats the URL: it may hold a password.
    return InvalidArgument("node " + n.id + ": " + origin.status().message() +
                           (n.url.find('@') != std::string::npos
                                ? " (put credentials in the config's secrets, never in the URL)"
                                : ""));
  }
  for (char& c : n.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!IsIsoCountryCode(n.country)) {
    std::string shown;
    for (char c : n.country.substr(0, 8)) {
      shown += std::isalnum(static_cast<unsigned char>(c)) ? c : '?';
    }
    return InvalidArgument("node " + n.id + ": country '" + shown +
                           "' is not an ISO 3166-1 alpha-2 code (e.g. FI, NL, ES)");
  }
  return Status::Ok();
}

Status CheckNotSelf(std::string_view node_id, std::string_view url,
                    const std::vector<std::string>& own_urls) {
  auto node = ParseOrigin(url);
  if (!node.ok()) return Status::Ok();  // ValidateNode reports malformed URLs
  for (const std::string& own : own_urls) {
    auto hub = ParseOrigin(own);
    if (!hub.ok() || hub->port != node->port) continue;
    bool same_host = hub->host == node->host || (IsLocalHost(hub->host) && IsLocalHost(node->host));
    if (same_host) {
      return InvalidArgument("node " + std::string(node_id) +
                             ": its url is this hub's own address; a hub cannot be a node of "
                             "itself (each query would recurse)");
    }
  }
  return Status::Ok();
}

}  // namespace genomefed::hub
