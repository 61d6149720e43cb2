// Test helper: an RS256 signature over arbitrary bytes, so tests can sign JOSE text that
// SigningKey::SignJwt (which serialises JSON itself) would never produce, e.g. duplicated member
// names. Uses the key's PKCS#8 PEM through OpenSSL EVP.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>
#include <string_view>

#include "passport/base64url.h"
#include "passport/signer.h"

namespace genomefed::passport::testing {

// "<b64 header>.<b64 payload>.<b64 RS256 signature>" over the given texts, as they are.
inline std::string SignRawRs256(const SigningKey& key, std::string_view header_json,
                                std::string_view payload_json) {
  const std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  std::string pem = key.PrivatePem().value();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  WipeString(pem);
  if (!pkey) return "";
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey.get()) <= 0) return "";
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) <= 0) return "";
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                     input.size()) <= 0) {
    return "";
  }
  sig.resize(len);
  return input + "." + Base64UrlEncode(sig);
}

}  // namespace genomefed::passport::testing
