#include "crypt4gh/bcrypt_pbkdf.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace genomefed::crypt4gh {

namespace {

#include "crypt4gh/blowfish_init.inc"

constexpr size_t kSha512Size = 64;
constexpr size_t kHashWords = 8;              // bcrypt_hash output: 8 32-bit words
constexpr size_t kHashSize = kHashWords * 4;  // 32 bytes

struct Blowfish {
  uint32_t p[18];
  uint32_t s[4][256];

  void Init() {
    std::memcpy(p, kInitialP, sizeof(p));
    std::memcpy(s, kInitialS, sizeof(s));
  }

  uint32_t F(uint32_t x) const {
    return ((s[0][x >> 24] + s[1][(x >> 16) & 0xff]) ^ s[2][(x >> 8) & 0xff]) + s[3][x & 0xff];
  }

  void Encipher(uint32_t& left, uint32_t& right) const {
    uint32_t l = left ^ p[0];
    uint32_t r = right;
    for (int i = 1; i <= 16; i += 2) {
      r ^= F(l) ^ p[i];
      l ^= F(r) ^ p[i + 1];
    }
    left = r ^ p[17];
    right = l;
  }
};

// Reads the next 32-bit big-endian word of `data`, wrapping around at its end (Blowfish's key
// schedule cycles through the key bytes).
uint32_t StreamWord(std::span<const uint8_t> data, size_t& pos) {
  uint32_t word = 0;
  for (int i = 0; i < 4; ++i) {
    if (pos >= data.size()) pos = 0;
    word = (word << 8) | data[pos++];
  }
  return word;
}

// The eksblowfish "expand state": mixes `key` into P, then re-derives P and S by enciphering a
// running block, XOR-ing in words of `data` (when given) before each encipherment.
void ExpandState(Blowfish& bf, std::span<const uint8_t> data, std::span<const uint8_t> key) {
  size_t pos = 0;
  for (uint32_t& word : bf.p) word ^= StreamWord(key, pos);
  pos = 0;
  uint32_t left = 0, right = 0;
  auto next = [&](uint32_t& a, uint32_t& b) {
    if (!data.empty()) {
      left ^= StreamWord(data, pos);
      right ^= StreamWord(data, pos);
    }
    bf.Encipher(left, right);
    a = left;
    b = right;
  };
  for (int i = 0; i < 18; i += 2) next(bf.p[i], bf.p[i + 1]);
  for (auto& box : bf.s) {
    for (int i = 0; i < 256; i += 2) next(box[i], box[i + 1]);
  }
}

void BcryptHash(const uint8_t* sha2pass, const uint8_t* sha2salt, uint8_t* out) {
  static constexpr char kMagic[] = "OxychromaticBlowfishSwatDynamite";  // 32 bytes
  Blowfish bf;
  bf.Init();
  std::span<const uint8_t> pass(sha2pass, kSha512Size);
  std::span<const uint8_t> salt(sha2salt, kSha512Size);
  ExpandState(bf, salt, pass);
  for (int i = 0; i < 64; ++i) {
    ExpandState(bf, {}, salt);
    ExpandState(bf, {}, pass);
  }
  std::array<uint32_t, kHashWords> cdata;
  size_t pos = 0;
  std::span<const uint8_t> magic(reinterpret_cast<const uint8_t*>(kMagic), kHashSize);
  for (uint32_t& word : cdata) word = StreamWord(magic, pos);
  for (int i = 0; i < 64; ++i) {
    for (size_t j = 0; j < kHashWords; j += 2) bf.Encipher(cdata[j], cdata[j + 1]);
  }
  // bcrypt_pbkdf emits each word little-endian (unlike bcrypt's password hash).
  for (size_t i = 0; i < kHashWords; ++i) {
    out[4 * i + 0] = static_cast<uint8_t>(cdata[i]);
    out[4 * i + 1] = static_cast<uint8_t>(cdata[i] >> 8);
    out[4 * i + 2] = static_cast<uint8_t>(cdata[i] >> 16);
    out[4 * i + 3] = static_cast<uint8_t>(cdata[i] >> 24);
  }
  sodium_memzero(&bf, sizeof(bf));
  sodium_memzero(cdata.data(), sizeof(cdata));
}

}  // namespace

Status BcryptPbkdf(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                   uint32_t rounds, std::span<uint8_t> key) {
  if (rounds < 1) return InvalidArgument("bcrypt_pbkdf needs at least one round");
  if (password.empty() || salt.empty()) {
    return InvalidArgument("bcrypt_pbkdf needs a non-empty passphrase and salt");
  }
  if (key.empty() || key.size() > kHashSize * kHashSize) {
    return InvalidArgument("bcrypt_pbkdf output must be 1..1024 bytes");
  }
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  const size_t stride = (key.size() + kHashSize - 1) / kHashSize;
  size_t amount = (key.size() + stride - 1) / stride;

  uint8_t sha2pass[kSha512Size];
  uint8_t sha2salt[kSha512Size];
  uint8_t out[kHashSize];
  uint8_t tmp[kHashSize];
  crypto_hash_sha512(sha2pass, password.data(), password.size());

  size_t remaining = key.size();
  for (uint32_t count = 1; remaining > 0; ++count) {
    const uint8_t count_be[4] = {static_cast<uint8_t>(count >> 24),
                                 static_cast<uint8_t>(count >> 16),
                                 static_cast<uint8_t>(count >> 8), static_cast<uint8_t>(count)};
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    crypto_hash_sha512_update(&state, salt.data(), salt.size());
    crypto_hash_sha512_update(&state, count_be, sizeof(count_be));
    crypto_hash_sha512_final(&state, sha2salt);
    BcryptHash(sha2pass, sha2salt, tmp);
    std::memcpy(out, tmp, sizeof(out));
    for (uint32_t round = 1; round < rounds; ++round) {
      crypto_hash_sha512(sha2salt, tmp, sizeof(tmp));
      BcryptHash(sha2pass, sha2salt, tmp);
      for (size_t j = 0; j < sizeof(out); ++j) out[j] ^= tmp[j];
    }
    // Output bytes are spread across the key with stride `stride`, block `count` filling the
    // (count-1)-th position of each stride, so every block contributes to the whole key.
    amount = std::min(amount, remaining);
    size_t i = 0;
    for (; i < amount; ++i) {
      size_t dest = i * stride + (count - 1);
      if (dest >= key.size()) break;
      key[dest] = out[i];
    }
    remaining -= i;
  }
  sodium_memzero(sha2pass, sizeof(sha2pass));
  sodium_memzero(sha2salt, sizeof(sha2salt));
  sodium_memzero(out, sizeof(out));
  sodium_memzero(tmp, sizeof(tmp));
  return Status::Ok();
}

}  // namespace genomefed::crypt4gh
