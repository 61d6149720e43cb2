#include "passport/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "passport/base64url.h"
#include "passport/jwt.h"

namespace genomefed::passport {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

Result<std::string> JwkMember(const nlohmann::json& jwk, std::string_view name) {
  GF_ASSIGN_OR_RETURN(auto text, StringClaim(jwk, name));
  if (!text.has_value()) return InvalidArgument("JWK has no '" + std::string(name) + "'");
  auto bytes = Base64UrlDecode(*text);
  if (!bytes.ok())
    return InvalidArgument("JWK '" + std::string(name) + "': " + bytes.status().message());
  if (bytes->empty()) return InvalidArgument("JWK '" + std::string(name) + "' is empty");
  return std::move(bytes).value();
}

Result<std::shared_ptr<EVP_PKEY>> KeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) {
    return Internal("OpenSSL cannot build a key");
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 ||
      pkey == nullptr) {
    ERR_clear_error();  // keep the thread's error queue from growing on hostile input
    return InvalidArgument(std::string("JWK is not a valid ") + type + " public key");
  }
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

Result<PublicKey> RsaFromJwk(const nlohmann::json& jwk) {
  GF_ASSIGN_OR_RETURN(std::string n, JwkMember(jwk, "n"));
  GF_ASSIGN_OR_RETURN(std::string e, JwkMember(jwk, "e"));
  if (n.size() > 1024 || e.size() > 8) return InvalidArgument("RSA JWK too large");
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                                 static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                                 static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e) return Internal("OpenSSL BN allocation failed");
  if (BN_num_bits(bn_n.get()) < 2048) return InvalidArgument("RSA JWK shorter than 2048 bits");
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return Internal("OpenSSL param build failed");
  }
  GF_ASSIGN_OR_RETURN(auto key, KeyFromParams("RSA", bld.get()));
  return PublicKey(std::move(key), JwsAlg::kRS256);
}

Result<PublicKey> EcFromJwk(const nlohmann::json& jwk) {
  GF_ASSIGN_OR_RETURN(auto crv, StringClaim(jwk, "crv"));
  if (!crv.has_value() || *crv != "P-256") return InvalidArgument("EC JWK is not on curve P-256");
  GF_ASSIGN_OR_RETURN(std::string x, JwkMember(jwk, "x"));
  GF_ASSIGN_OR_RETURN(std::string y, JwkMember(jwk, "y"));
  if (x.size() != 32 || y.size() != 32)
    return InvalidArgument("EC JWK coordinates are not 32 bytes");
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return Internal("OpenSSL param build failed");
  }
  // EVP_PKEY_fromdata decodes the point, which fails for points off the curve.
  GF_ASSIGN_OR_RETURN(auto key, KeyFromParams("EC", bld.get()));
  return PublicKey(std::move(key), JwsAlg::kES256);
}

// JWS ES256 signature (R||S, 32 bytes each) → DER ECDSA-Sig-Value for OpenSSL.
Result<std::string> RawEcdsaToDer(std::string_view raw) {
  if (raw.size() != 64) return PermissionDenied("ES256 signature is not 64 bytes");
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr) {
    BN_free(r);
    BN_free(s);
    return Internal("OpenSSL allocation failed");
  }
  ECDSA_SIG_set0(sig.get(), r, s);  // takes ownership of r and s
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return Internal("OpenSSL cannot encode an ECDSA signature");
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len)
    return Internal("OpenSSL cannot encode an ECDSA signature");
  return der;
}

}  // namespace

std::string_view JwsAlgName(JwsAlg alg) { return alg == JwsAlg::kRS256 ? "RS256" : "ES256"; }

Result<JwsAlg> ParseAllowedAlg(std::string_view alg) {
  if (alg == "RS256") return JwsAlg::kRS256;
  if (alg == "ES256") return JwsAlg::kES256;
  std::string shown(alg.substr(0, 16));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return PermissionDenied("algorithm '" + shown + "' is not allowed (RS256 or ES256 only)");
}

Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return InvalidArgument("JWK is not an object");
  GF_ASSIGN_OR_RETURN(auto kty, StringClaim(jwk, "kty"));
  GF_ASSIGN_OR_RETURN(auto use, StringClaim(jwk, "use"));
  GF_ASSIGN_OR_RETURN(auto alg, StringClaim(jwk, "alg"));
  if (use.has_value() && *use != "sig") return InvalidArgument("JWK is not a signing key");
  if (!kty.has_value()) return InvalidArgument("JWK has no 'kty'");
  if (*kty == "RSA") {
    if (alg.has_value() && *alg != "RS256") return InvalidArgument("RSA JWK is not for RS256");
    return RsaFromJwk(jwk);
  }
  if (*kty == "EC") {
    if (alg.has_value() && *alg != "ES256") return InvalidArgument("EC JWK is not for ES256");
    return EcFromJwk(jwk);
  }
  return InvalidArgument("JWK type is neither RSA nor EC");
}

Result<Jwks> ParseJwks(std::string_view json_text) {
  GF_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJsonStrict(json_text));
  if (!doc.is_object()) return InvalidArgument("JWKS is not a JSON object");
  auto it = doc.find("keys");
  if (it == doc.end() || !it->is_array()) return InvalidArgument("JWKS has no 'keys' array");
  Jwks jwks;
  const nlohmann::json& entries = *it;
  const size_t read = std::min(entries.size(), kJwksMaxKeys);
  jwks.entries_over_limit = entries.size() - read;
  // Count every kid first (in the whole set, also past the limit), so that a kid seen twice or
  // more is excluded whatever the order of the copies.
  std::map<std::string, size_t> kid_count;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].is_object()) continue;
    auto kid = StringClaim(entries[i], "kid");
    if (kid.ok() && kid->has_value() && !(*kid)->empty()) ++kid_count[**kid];
  }
  for (const auto& [kid, count] : kid_count) jwks.duplicate_kids += count > 1 ? 1 : 0;
  for (size_t i = 0; i < read; ++i) {
    const nlohmann::json& jwk = entries[i];
    if (!jwk.is_object()) continue;
    auto kid = StringClaim(jwk, "kid");
    if (!kid.ok() || !kid->has_value() || (*kid)->empty()) continue;
    if (kid_count[**kid] != 1) continue;  // ambiguous: keep none of the copies
    auto key = PublicKeyFromJwk(jwk);
    if (!key.ok()) continue;
    jwks.keys.emplace(**kid, std::move(key).value());
  }
  return jwks;
}

Status VerifySignature(const PublicKey& key, JwsAlg alg, std::string_view signing_input,
                       std::string_view signature) {
  if (key.get() == nullptr) return PermissionDenied("no key");
  if (key.alg() != alg) {
    return PermissionDenied("key type does not match algorithm " + std::string(JwsAlgName(alg)));
  }
  std::string der;
  std::string_view sig = signature;
  if (alg == JwsAlg::kES256) {
    GF_ASSIGN_OR_RETURN(der, RawEcdsaToDer(signature));
    sig = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.get()))) {
    return PermissionDenied("RS256 signature has the wrong length");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return Internal("OpenSSL allocation failed");
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) <= 0) {
    return Internal("OpenSSL cannot initialise verification");
  }
  if (alg == JwsAlg::kRS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
    return Internal("OpenSSL cannot set PKCS#1 v1.5 padding");
  }
  int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  if (rc != 1) {
    ERR_clear_error();
    return PermissionDenied("signature does not verify");
  }
  return Status::Ok();
}

}  // namespace genomefed::passport
