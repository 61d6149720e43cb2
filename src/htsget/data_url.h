// Short-lived data URLs bound to one caller, for htsget ticket blocks and DRS access URLs.
//
// A data URL names a byte range of an archived file — of its plaintext (`p`), or of its stored
// Crypt4GH body (`c`, what Crypt4GH delivery sends: the archive's own encrypted segments) — and
// carries an expiry and a tag of the identity it was issued to, all covered by an HMAC-SHA-256
// under a key that never leaves the node process. The URL alone grants nothing: the block
// request must also present a passport of the same identity that still gives the right (so a
// revoked grant stops downloads at once, and a URL passed to someone else is refused); htsget
// tickets therefore repeat the caller's Authorization in each URL's `headers`.
//
// Thread safety: a DataUrlSigner is immutable and safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace genomefed::htsget {

enum class DataKind : char { kPlaintext = 'p', kCipherBody = 'c' };

struct DataUrlClaims {
  std::string file_id;
  DataKind kind = DataKind::kPlaintext;
  uint64_t start = 0;  // byte range [start, end)
  uint64_t end = 0;
  int64_t expires_at = 0;    // Unix seconds
  std::string identity_tag;  // IdentityTag(identity)
  std::string purpose;       // "htsget" | "drs" (a DRS URL is not an htsget block, and back)
  std::string recipient;     // hex public key the bytes are encrypted for (DRS); may be empty
};

// 128 bits of SHA-256(identity), hex: binds a URL to "sub@iss" without putting it in the URL.
std::string IdentityTag(std::string_view identity);

class DataUrlSigner {
 public:
  // A fresh random 256-bit key (URLs then die with the process, which is what short-lived
  // means; several processes behind a balancer must share a key: the constructor below).
  static Result<DataUrlSigner> Random();
  explicit DataUrlSigner(std::string key) : key_(std::move(key)) {}

  // The query string ("k=p&s=...&sig=...") for `claims`.
  std::string Query(const DataUrlClaims& claims) const;

  // Checks the query of a data URL for `file_id` at time `now`: kUnauthenticated for a missing,
  // malformed or forged signature, or an expired URL (the message says which).
  Result<DataUrlClaims> Verify(std::string_view file_id, std::string_view purpose,
                               const std::multimap<std::string, std::string, std::less<>>& query,
                               int64_t now) const;

 private:
  std::string Sign(const DataUrlClaims& claims) const;
  std::string key_;
};

}  // namespace genomefed::htsget
