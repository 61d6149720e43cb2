// Crypt4GH keys (GA4GH Crypt4GH v1, key format "c4gh-v1" of the reference implementations):
// X25519 key pairs, public key files (`-----BEGIN CRYPT4GH PUBLIC KEY-----`, base64 of the 32
// key bytes) and private key files whose payload is
//   "c4gh-v1" | string kdf | [string kdf_options = u32be rounds | salt] | string cipher | string
//   data | [string comment]          (string = u16be length | bytes)
// with kdf one of `scrypt` (N=2^14, r=8, p=1), `bcrypt` (OpenBSD bcrypt_pbkdf),
// `pbkdf2_hmac_sha256` or `none`, and cipher `chacha20_poly1305` (data = 12-byte nonce |
// sealed 32-byte key) or `none` (data = the key). The legacy armoured form (the base64 of the 32
// key bytes in a `CRYPT4GH PRIVATE KEY` block) is read too; bare files (32 raw bytes, hex,
// base64) are refused so that no arbitrary 32-byte file passes for a key. OpenSSH keys are
// recognised and refused with a message saying so.
//
// Secrets live in SecretKey, which wipes itself (sodium_memzero) when destroyed. Passphrases are
// asked for only when a key is encrypted, through a callback, and wiped after use.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::crypt4gh {

inline constexpr size_t kKeySize = 32;

struct PublicKey {
  std::array<uint8_t, kKeySize> bytes{};
  bool operator==(const PublicKey&) const = default;
  std::string Hex() const;
};

// 32 secret bytes: an X25519 secret key or a symmetric data key. Wiped on destruction and on
// move-from. Copy is explicit (Clone) so that secrets are not duplicated by accident.
class SecretKey {
 public:
  SecretKey() = default;
  explicit SecretKey(std::span<const uint8_t, kKeySize> bytes);
  ~SecretKey();
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;

  SecretKey Clone() const { return SecretKey(std::span<const uint8_t, kKeySize>(bytes_)); }
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* mutable_data() { return bytes_.data(); }
  std::span<const uint8_t, kKeySize> bytes() const { return bytes_; }

 private:
  std::array<uint8_t, kKeySize> bytes_{};
};

struct KeyPair {
  SecretKey secret;
  PublicKey public_key;
};

// Variable-length secret bytes (e.g. a decrypted header packet), wiped on destruction.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size) {}
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Overwrites a string's bytes (passphrases) in a way the compiler cannot elide, then clears it.
void Wipe(std::string& secret);

// Makes sure libsodium is initialised; every entry point calls it. Thread-safe.
Status InitCrypto();

// A fresh random X25519 key pair.
Result<KeyPair> GenerateKeyPair();

// The X25519 public key of a secret key.
Result<PublicKey> DerivePublicKey(const SecretKey& secret);

// A key pair from its secret half (derives the public key once, so that the many operations
// which need both do not repeat the scalar multiplication).
Result<KeyPair> KeyPairFromSecret(SecretKey secret);

// Public keys: the PEM-armoured Crypt4GH form (or bare base64 of 32 bytes).
Result<PublicKey> ParsePublicKey(std::string_view text);
Result<PublicKey> ReadPublicKeyFile(const std::filesystem::path& path);
std::string FormatPublicKey(const PublicKey& key);

// Asked for a passphrase when a private key is encrypted. Returning an error aborts.
using PassphraseFn = std::function<Result<std::string>()>;

enum class Kdf { kNone, kScrypt, kBcrypt, kPbkdf2HmacSha256 };
std::string_view KdfName(Kdf kdf);
Result<Kdf> KdfFromName(std::string_view name);

// Derives the 32-byte key that seals a private key. `rounds` is ignored by scrypt (fixed
// N=2^14, r=8, p=1, as in the reference implementations).
Result<SecretKey> DeriveKey(Kdf kdf, std::string_view passphrase, std::span<const uint8_t> salt,
                            uint32_t rounds);

// Parses a private key file (any of the forms above). `passphrase` is called only when the key
// is encrypted. A wrong passphrase yields kUnauthenticated; a malformed file kInvalidArgument.
Result<SecretKey> ParseSecretKey(std::string_view text, const PassphraseFn& passphrase);
Result<SecretKey> ReadSecretKeyFile(const std::filesystem::path& path,
                                    const PassphraseFn& passphrase);

struct SecretKeyFormat {
  Kdf kdf = Kdf::kScrypt;  // used only with a non-empty passphrase; kNone otherwise
  uint32_t rounds = 0;     // 0 = the reference defaults (bcrypt 100, pbkdf2 100000)
  std::string comment;
};

// The PEM text of a private key in c4gh-v1 form; an empty passphrase gives kdf `none`.
Result<std::string> FormatSecretKey(const SecretKey& key, std::string_view passphrase,
                                    const SecretKeyFormat& format = {});

// Writes a key pair: the secret key with mode 0600, the public key 0644, each atomically.
// Refuses to replace existing files unless `overwrite`.
Status WriteKeyPairFiles(const KeyPair& pair, const std::filesystem::path& secret_path,
                         const std::filesystem::path& public_path, std::string_view passphrase,
                         const SecretKeyFormat& format = {}, bool overwrite = false);

}  // namespace genomefed::crypt4gh
