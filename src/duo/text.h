// Internal to genomefed_duo: bounding outside text quoted in reasons and error messages.
#pragma once

#include <string_view>

namespace genomefed::duo::internal {

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence, so
// that a reason or message quoting outside text stays valid UTF-8 (JSON bodies carry them).
inline std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

}  // namespace genomefed::duo::internal
