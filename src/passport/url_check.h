// Checks of the URLs a node fetches for GA4GH Passport verification (`jku` JWKS locations and
// broker userinfo endpoints, GA4GH AAI 1.2): a small RFC 3986 parser for absolute http(s) URLs,
// the "https, or plain http only on loopback" rule applied to the parsed host (not to a prefix
// of the text), and a redacted form for messages and logs. Userinfo (`user:pass@`) is refused
// in trusted URLs: it can hide the real host from a reader ("http://127.0.0.1:80@evil.org/")
// and it is a secret. Query and userinfo never appear in a redacted URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::passport {

struct HttpUrl {
  std::string scheme;  // "http" or "https", lower-cased
  std::string host;    // lower-cased; an IPv6 literal keeps its brackets ("[::1]")
  uint16_t port = 0;   // 0 when absent
  bool has_userinfo = false;
  std::string path;   // from the first '/' up to '?' or '#'; may be empty
  std::string query;  // without '?'; may be empty
};

// Parses an absolute http:// or https:// URL. kInvalidArgument for other schemes, an empty or
// malformed host, a bad port, whitespace, control characters or backslashes anywhere.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// True for 127.0.0.0/8, [::1] and "localhost".
bool IsLoopbackHost(std::string_view host);

// OK when `url` may be fetched as a trusted location: parses, has no userinfo, and is https —
// or http to a loopback host, or any http when `allow_insecure_http`. The message names the
// redacted URL and what is wrong.
Status CheckTrustedUrl(std::string_view url, bool allow_insecure_http);

// "scheme://host[:port]/path" with userinfo dropped and the query (and fragment) replaced by
// "?..." when present; unparsable input becomes "<unparsable URL>". Safe to log.
std::string RedactUrl(std::string_view url);

}  // namespace genomefed::passport
