#include "passport/url_check.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace genomefed::passport {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 3986 reg-name characters (unreserved / pct-encoded / sub-delims), without '%': a host
// with escapes is not something a trust list needs, and refusing it keeps comparisons simple.
bool IsRegNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' ||
         c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '\\') {
      return InvalidArgument("URL contains a space, control character or backslash");
    }
  }
  HttpUrl out;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return InvalidArgument("URL has no scheme");
  out.scheme = Lower(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https") {
    return InvalidArgument("URL scheme must be http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  // The last '@' ends the userinfo (RFC 3986 3.2.1: '@' is not allowed inside it unescaped).
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out.has_userinfo = true;
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return InvalidArgument("URL has an unclosed IPv6 host");
    std::string literal(host.substr(1, close - 1));
    in6_addr v6{};
    if (::inet_pton(AF_INET6, literal.c_str(), &v6) != 1) {
      return InvalidArgument("URL has a malformed IPv6 host");
    }
    std::string_view after = host.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("URL has text after its IPv6 host");
      port = after.substr(1);
      if (port.empty()) return InvalidArgument("URL has an empty port");
    }
    host = host.substr(0, close + 1);
  } else if (size_t c = host.rfind(':'); c != std::string_view::npos) {
    port = host.substr(c + 1);
    host = host.substr(0, c);
    if (port.empty()) return InvalidArgument("URL has an empty port");
  }
  if (host.empty()) return InvalidArgument("URL has no host");
  if (host.front() != '[' && !std::all_of(host.begin(), host.end(), IsRegNameChar)) {
    return InvalidArgument("URL host has characters a host name cannot have");
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgument("URL has a bad port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  out.host = Lower(host);
  size_t query_at = tail.find('?');
  size_t fragment_at = tail.find('#');
  out.path = std::string(tail.substr(0, std::min(query_at, fragment_at)));
  if (query_at != std::string_view::npos && query_at < fragment_at) {
    out.query = std::string(tail.substr(query_at + 1, fragment_at == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : fragment_at - query_at - 1));
  }
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) != 1) return false;
  return (ntohl(v4.s_addr) >> 24) == 127;
}

Status CheckTrustedUrl(std::string_view url, bool allow_insecure_http) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status().WithContext(RedactUrl(url));
  if (parsed->has_userinfo) {
    return InvalidArgument(RedactUrl(url) +
                           ": user information (user:password@) is not allowed in a trusted URL");
  }
  if (parsed->scheme == "https" || allow_insecure_http || IsLoopbackHost(parsed->host)) {
    return Status::Ok();
  }
  return InvalidArgument(RedactUrl(url) + ": must be https (plain http only on loopback)");
}

std::string RedactUrl(std::string_view url) {
  auto parsed = ParseHttpUrl(url);
  // Nothing of an unparsable URL is shown: where its secrets start cannot be known.
  if (!parsed.ok()) return "<unparsable URL>";
  std::string out = parsed->scheme + "://" + parsed->host;
  if (parsed->port != 0) out += ":" + std::to_string(parsed->port);
  out += parsed->path;
  if (url.find('?') != std::string_view::npos || url.find('#') != std::string_view::npos) {
    out += "?...";
  }
  return out;
}

}  // namespace genomefed::passport
