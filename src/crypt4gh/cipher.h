// Internal to crypt4gh/: the primitives of Crypt4GH v1. ChaCha20-IETF-Poly1305 over OpenSSL 3
// EVP (the bulk cipher; its output is byte-identical to libsodium's IETF AEAD and it is about 3x
// faster per core here), and the X25519 + BLAKE2b shared key of header packets (libsodium):
//   K = BLAKE2b-512(X25519(sk, peer_pk) | reader_pk | writer_pk)[0..32]
// which is libsodium crypto_kx's client rx key (reader) and server tx key (writer).
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "crypt4gh/header.h"
#include "crypt4gh/keys.h"

namespace genomefed::crypt4gh::internal {

inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kMacSize = 16;

// One ChaCha20-Poly1305 key bound to a reusable EVP context (no per-call allocation). The
// context keeps a copy of the key and OpenSSL cleanses it when freed. Not thread-safe.
class ChaChaPoly {
 public:
  ChaChaPoly();
  ~ChaChaPoly();
  ChaChaPoly(ChaChaPoly&& other) noexcept;
  ChaChaPoly& operator=(ChaChaPoly&&) = delete;
  ChaChaPoly(const ChaChaPoly&) = delete;
  ChaChaPoly& operator=(const ChaChaPoly&) = delete;

  Status SetKey(const SecretKey& key);

  // out[0..len) = ChaCha20(in), out[len..len+16) = tag. in and out may be the same buffer.
  Status Seal(const uint8_t* nonce, const uint8_t* in, size_t len, uint8_t* out);

  // Decrypts in[0..len) (ciphertext without the tag) into out and checks `tag`. Returns false
  // when authentication fails; out then holds garbage that the caller must discard (it is wiped
  // here to be safe).
  bool Open(const uint8_t* nonce, const uint8_t* in, size_t len, const uint8_t* tag, uint8_t* out);

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

// Shared key of a header packet, computed by the reader (its key pair, the writer's public key)
// or the writer (its key pair, the reader's public key). Fails for a low-order peer key.
// With a cache, the X25519 result is looked up / remembered there.
Result<SecretKey> ReaderSharedKey(const KeyPair& reader, const PublicKey& writer_pk,
                                  X25519Cache* cache = nullptr);
Result<SecretKey> WriterSharedKey(const KeyPair& writer, const PublicKey& reader_pk,
                                  X25519Cache* cache = nullptr);

// Random nonces drawn in batches from the system CSPRNG (one getrandom per 1024 nonces, so the
// syscall does not show in bulk encryption). Not thread-safe.
class NonceSource {
 public:
  void Next(uint8_t* nonce);

 private:
  std::vector<uint8_t> pool_;
  size_t pos_ = 0;
};

}  // namespace genomefed::crypt4gh::internal
