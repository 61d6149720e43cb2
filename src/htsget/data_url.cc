#include "htsget/data_url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>

namespace genomefed::htsget {

namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string IdentityTag(std::string_view identity) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(identity.data(), identity.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, 16);
}

Result<DataUrlSigner> DataUrlSigner::Random() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1) {
    return Internal("no randomness for the data URL key");
  }
  return DataUrlSigner(std::move(key));
}

std::string DataUrlSigner::Sign(const DataUrlClaims& c) const {
  // Fields joined with a separator none of them may contain (ids are [A-Za-z0-9._-]).
  const std::string message = "gf-data-url-v1\n" + c.purpose + "\n" + c.file_id + "\n" +
                              static_cast<char>(c.kind) + "\n" + std::to_string(c.start) + "\n" +
                              std::to_string(c.end) + "\n" + std::to_string(c.expires_at) + "\n" +
                              c.identity_tag + "\n" + c.recipient;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return Hex(out, len);
}

std::string DataUrlSigner::Query(const DataUrlClaims& c) const {
  return std::string("k=") + static_cast<char>(c.kind) + "&s=" + std::to_string(c.start) +
         "&e=" + std::to_string(c.end) + "&x=" + std::to_string(c.expires_at) +
         "&u=" + c.identity_tag + (c.recipient.empty() ? "" : "&r=" + c.recipient) +
         "&sig=" + Sign(c);
}

Result<DataUrlClaims> DataUrlSigner::Verify(
    std::string_view file_id, std::string_view purpose,
    const std::multimap<std::string, std::string, std::less<>>& query, int64_t now) const {
  auto get = [&query](std::string_view key) -> std::string_view {
    auto it = query.find(key);
    return it == query.end() ? std::string_view() : std::string_view(it->second);
  };
  DataUrlClaims c;
  c.file_id = std::string(file_id);
  c.purpose = std::string(purpose);
  const std::string_view kind = get("k");
  const std::string_view sig = get("sig");
  c.identity_tag = std::string(get("u"));
  c.recipient = std::string(get("r"));
  if (kind.size() != 1 || (kind[0] != 'p' && kind[0] != 'c') || !ParseInt(get("s"), &c.start) ||
      !ParseInt(get("e"), &c.end) || !ParseInt(get("x"), &c.expires_at) || c.end < c.start ||
      c.identity_tag.size() != 32 || sig.size() != 64 ||
      (!c.recipient.empty() && c.recipient.size() != 64)) {
    return Unauthenticated("not a data URL of this node (malformed or missing parameters)");
  }
  c.kind = static_cast<DataKind>(kind[0]);
  const std::string expected = Sign(c);
  if (CRYPTO_memcmp(expected.data(), sig.data(), expected.size()) != 0) {
    return Unauthenticated("the data URL's signature does not verify (altered or not issued here)");
  }
  if (now >= c.expires_at) {
    return Unauthenticated("the data URL expired " + std::to_string(now - c.expires_at) +
                           " s ago; request a new ticket");
  }
  return c;
}

}  // namespace genomefed::htsget
