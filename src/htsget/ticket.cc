#include "htsget/ticket.h"

#include <openssl/evp.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

namespace genomefed::htsget {

std::string TicketJson(FileFormat format, const std::vector<TicketUrl>& urls) {
  nlohmann::json list = nlohmann::json::array();
  for (const TicketUrl& u : urls) {
    nlohmann::json item = {{"url", u.url}};
    if (!u.headers.empty()) {
      nlohmann::json h = nlohmann::json::object();
      for (const auto& [name, value] : u.headers) h[name] = value;
      item["headers"] = std::move(h);
    }
    if (!u.klass.empty()) item["class"] = u.klass;
    list.push_back(std::move(item));
  }
  return nlohmann::json{{"htsget", {{"format", FileFormatName(format)}, {"urls", std::move(list)}}}}
      .dump();
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return std::nullopt;
  size_t size = static_cast<size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  for (size_t i = clean.size(); i > 0 && clean[i - 1] == '=' && size > 0; --i) --size;
  out.resize(size);
  return out;
}

std::string DataUri(std::string_view bytes) { return "data:;base64," + Base64Encode(bytes); }

std::vector<ByteSpan> SplitSpans(const std::vector<ByteSpan>& spans, uint64_t max_bytes) {
  std::vector<ByteSpan> out;
  for (const ByteSpan& s : spans) {
    for (uint64_t a = s.start; a < s.end; a += max_bytes) {
      out.push_back({a, std::min(s.end, a + max_bytes)});
    }
  }
  return out;
}

std::string_view BgzfEofBlock() {
  // SAM/BAM specification §4.1.2: an empty BGZF block.
  static constexpr char kEof[28] = {
      '\x1f', '\x8b', '\x08', '\x04', 0,      0, 0, 0, 0, '\xff', '\x06', 0, '\x42', '\x43',
      '\x02', 0,      '\x1b', 0,      '\x03', 0, 0, 0, 0, 0,      0,      0, 0,      0};
  return std::string_view(kEof, sizeof(kEof));
}

}  // namespace genomefed::htsget
