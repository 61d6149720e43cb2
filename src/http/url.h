// URL utilities for the HTTP layer: percent-decoding (RFC 3986 section 2.1), splitting a request
// target into path and query, and parsing an application/x-www-form-urlencoded query string
// (WHATWG URL standard, "application/x-www-form-urlencoded parsing": '+' means space in queries,
// never in paths). Inputs are untrusted: every malformed escape is reported as kInvalidArgument
// naming the offset, never thrown and never silently passed through.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::http {

// Query parameters in order of appearance per name (a name may repeat: `filters=a&filters=b`).
using QueryParams = std::multimap<std::string, std::string, std::less<>>;

// Decodes %XX escapes. With `plus_as_space` (query strings) '+' becomes ' '. A '%' not followed by
// two hex digits, or a decoded NUL byte, is kInvalidArgument ("bad percent-escape at offset N").
Result<std::string> PercentDecode(std::string_view in, bool plus_as_space = false);

// Encodes every byte outside RFC 3986 "unreserved" (ALPHA / DIGIT / "-" / "." / "_" / "~") as %XX.
std::string PercentEncode(std::string_view in);

// Splits "/a/b?x=1#frag" into path "/a/b" and query "x=1" (the fragment is dropped).
struct Target {
  std::string_view path;
  std::string_view query;
};
Target SplitTarget(std::string_view target);

// Parses "a=1&b=x%20y&c&&d=" into {a:1, b:"x y", c:"", d:""}. Empty pairs are skipped; a pair
// without '=' has an empty value. Errors name the parameter that failed to decode.
Result<QueryParams> ParseQuery(std::string_view query);

}  // namespace genomefed::http
