#include "crypt4gh/cipher.h"

#include <sodium.h>

#include <cstring>

namespace genomefed::crypt4gh::internal {

ChaChaPoly::ChaChaPoly() : enc_(EVP_CIPHER_CTX_new()), dec_(EVP_CIPHER_CTX_new()) {}

ChaChaPoly::~ChaChaPoly() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

ChaChaPoly::ChaChaPoly(ChaChaPoly&& other) noexcept : enc_(other.enc_), dec_(other.dec_) {
  other.enc_ = nullptr;
  other.dec_ = nullptr;
}

Status ChaChaPoly::SetKey(const SecretKey& key) {
  if (enc_ == nullptr || dec_ == nullptr) return Internal("EVP_CIPHER_CTX_new failed");
  if (EVP_EncryptInit_ex(enc_, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(dec_, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr) != 1) {
    return Internal("OpenSSL refused the ChaCha20-Poly1305 key");
  }
  return Status::Ok();
}

Status ChaChaPoly::Seal(const uint8_t* nonce, const uint8_t* in, size_t len, uint8_t* out) {
  int n = 0, fin = 0;
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_EncryptUpdate(enc_, out, &n, in, static_cast<int>(len)) != 1 ||
      EVP_EncryptFinal_ex(enc_, out + n, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kMacSize), out + len) !=
          1) {
    return Internal("ChaCha20-Poly1305 encryption failed");
  }
  return Status::Ok();
}

bool ChaChaPoly::Open(const uint8_t* nonce, const uint8_t* in, size_t len, const uint8_t* tag,
                      uint8_t* out) {
  int n = 0, fin = 0;
  uint8_t tag_copy[kMacSize];
  std::memcpy(tag_copy, tag, kMacSize);  // `tag` may lie in the buffer being decrypted in place
  bool ok =
      EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, nonce) == 1 &&
      EVP_DecryptUpdate(dec_, out, &n, in, static_cast<int>(len)) == 1 &&
      EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kMacSize), tag_copy) == 1 &&
      EVP_DecryptFinal_ex(dec_, out + n, &fin) == 1;
  if (!ok && len > 0) sodium_memzero(out, len);
  return ok;
}

namespace {

Result<SecretKey> SharedKey(const KeyPair& own, const PublicKey& peer_pk,
                            const PublicKey& reader_pk, const PublicKey& writer_pk,
                            X25519Cache* cache) {
  GF_RETURN_IF_ERROR(InitCrypto());
  uint8_t dh[crypto_scalarmult_BYTES];
  if (cache == nullptr || !cache->Lookup(own.public_key, peer_pk, dh)) {
    if (crypto_scalarmult(dh, own.secret.data(), peer_pk.bytes.data()) != 0) {
      return InvalidArgument("X25519 with a weak (low-order) public key");
    }
    if (cache != nullptr) cache->Insert(own.public_key, peer_pk, dh);
  }
  uint8_t keys[64];
  crypto_generichash_state h;
  crypto_generichash_init(&h, nullptr, 0, sizeof(keys));
  crypto_generichash_update(&h, dh, sizeof(dh));
  crypto_generichash_update(&h, reader_pk.bytes.data(), kKeySize);
  crypto_generichash_update(&h, writer_pk.bytes.data(), kKeySize);
  crypto_generichash_final(&h, keys, sizeof(keys));
  SecretKey shared(std::span<const uint8_t, kKeySize>(keys, kKeySize));
  sodium_memzero(dh, sizeof(dh));
  sodium_memzero(keys, sizeof(keys));
  sodium_memzero(&h, sizeof(h));
  return shared;
}

}  // namespace

Result<SecretKey> ReaderSharedKey(const KeyPair& reader, const PublicKey& writer_pk,
                                  X25519Cache* cache) {
  return SharedKey(reader, writer_pk, reader.public_key, writer_pk, cache);
}

Result<SecretKey> WriterSharedKey(const KeyPair& writer, const PublicKey& reader_pk,
                                  X25519Cache* cache) {
  return SharedKey(writer, reader_pk, reader_pk, writer.public_key, cache);
}

void NonceSource::Next(uint8_t* nonce) {
  if (pos_ + kNonceSize > pool_.size()) {
    pool_.resize(kNonceSize * 1024);
    randombytes_buf(pool_.data(), pool_.size());
    pos_ = 0;
  }
  std::memcpy(nonce, pool_.data() + pos_, kNonceSize);
  pos_ += kNonceSize;
}

}  // namespace genomefed::crypt4gh::internal
