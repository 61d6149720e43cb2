// Helpers shared by the crypt4gh tests.
#pragma once

#include <sodium.h>

#include <filesystem>
#include <string>
#include <vector>

#include "crypt4gh/archive.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"

namespace genomefed::crypt4gh::testing {

inline std::string Hex(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

inline std::string Sha256Of(const std::string& s) {
  return Sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Deterministic pseudo-random bytes (so failures reproduce).
inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull ^ seed;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

inline KeyPair NewKeys() {
  Result<KeyPair> k = GenerateKeyPair();
  return std::move(k).value();
}

inline Result<std::string> EncryptString(const std::string& plain, EncryptOptions options) {
  MemoryReader in(plain);
  std::string out;
  StringWriter w(&out);
  GF_ASSIGN_OR_RETURN(EncryptStats stats, Encrypt(in, w, options));
  (void)stats;
  return out;
}

inline Result<std::string> DecryptString(const std::string& file, const KeyPair& reader,
                                         const DecryptOptions& options = {}) {
  MemoryReader in(file);
  std::string out;
  StringWriter w(&out);
  GF_ASSIGN_OR_RETURN(uint64_t n, Decrypt(in, w, reader, options));
  if (n != out.size()) return Internal("Decrypt reported a wrong byte count");
  return out;
}

}  // namespace genomefed::crypt4gh::testing
