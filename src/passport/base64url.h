// Base64url without padding (RFC 4648 section 5), as JWS compact serialisation (RFC 7515) and
// JWK (RFC 7517) use it. Decoding is strict: padding, whitespace, characters of the standard
// alphabet and non-zero trailing bits are rejected, so one token has exactly one encoding.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::passport {

std::string Base64UrlEncode(std::string_view bytes);

// kInvalidArgument on any character outside [A-Za-z0-9_-], on an impossible length, or on
// non-canonical trailing bits.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace genomefed::passport
