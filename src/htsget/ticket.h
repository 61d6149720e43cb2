// htsget 1.3 tickets: `{"htsget": {"format": ..., "urls": [...]}}` and nothing else at the top
// level (htslib refuses other keys), each URL with optional `headers` and `class`; the header
// inline as a `data:;base64,` URL. Pure functions, no HTTP types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "htsget/archived_file.h"
#include "htsget/slice.h"

namespace genomefed::htsget {

struct TicketUrl {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string klass;  // "header" | "body" | "" (no class)
};

std::string TicketJson(FileFormat format, const std::vector<TicketUrl>& urls);

// "data:;base64,<RFC 4648 base64 of bytes>" (RFC 2397), as htsget tickets inline small parts.
std::string DataUri(std::string_view bytes);
// Standard base64 (with padding) and its inverse (nullopt for bad input; whitespace ignored).
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// Cuts spans into consecutive pieces of at most `max_bytes`, so that each data URL answer
// stays small (bounded memory per request; clients fetch the pieces in order).
std::vector<ByteSpan> SplitSpans(const std::vector<ByteSpan>& spans, uint64_t max_bytes);

// The BGZF end-of-file marker (an empty block), appended to every slice so that htslib sees a
// complete file.
std::string_view BgzfEofBlock();

}  // namespace genomefed::htsget
