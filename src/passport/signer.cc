#include "passport/signer.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/file.h"
#include "passport/base64url.h"

namespace genomefed::passport {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

Result<std::string> BnParam(EVP_PKEY* key, const char* name, size_t pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1 || raw == nullptr) {
    ERR_clear_error();
    return Internal(std::string("OpenSSL cannot read key parameter ") + name);
  }
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  size_t n = static_cast<size_t>(BN_num_bytes(bn.get()));
  size_t size = std::max(n, pad_to);
  std::string out(size, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) <
      0) {
    return Internal("OpenSSL cannot encode a key parameter");
  }
  return out;
}

Result<nlohmann::json> BuildPublicJwk(EVP_PKEY* key, JwsAlg alg) {
  nlohmann::json jwk;
  if (alg == JwsAlg::kRS256) {
    GF_ASSIGN_OR_RETURN(std::string n, BnParam(key, OSSL_PKEY_PARAM_RSA_N, 0));
    GF_ASSIGN_OR_RETURN(std::string e, BnParam(key, OSSL_PKEY_PARAM_RSA_E, 0));
    jwk = {{"kty", "RSA"}, {"n", Base64UrlEncode(n)}, {"e", Base64UrlEncode(e)}};
  } else {
    GF_ASSIGN_OR_RETURN(std::string x, BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    GF_ASSIGN_OR_RETURN(std::string y, BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", Base64UrlEncode(x)}, {"y", Base64UrlEncode(y)}};
  }
  return jwk;
}

// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
std::string Thumbprint(const nlohmann::json& jwk) {
  std::string canonical;
  if (jwk["kty"] == "RSA") {
    canonical = R"({"e":")" + jwk["e"].get<std::string>() + R"(","kty":"RSA","n":")" +
                jwk["n"].get<std::string>() + R"("})";
  } else {
    canonical = R"({"crv":"P-256","kty":"EC","x":")" + jwk["x"].get<std::string>() + R"(","y":")" +
                jwk["y"].get<std::string>() + R"("})";
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

Result<JwsAlg> AlgForKey(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < 2048) return InvalidArgument("RSA key shorter than 2048 bits");
    return JwsAlg::kRS256;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1 ||
        std::string_view(group, len) != "prime256v1") {
      ERR_clear_error();
      return InvalidArgument("EC key is not on P-256 (ES256 needs prime256v1)");
    }
    return JwsAlg::kES256;
  }
  return InvalidArgument("key is neither RSA nor EC P-256");
}

std::string RandomJti() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return {};
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

}  // namespace

void WipeString(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg)
    : key_(std::move(key)), alg_(alg) {}

Result<SigningKey> SigningKey::Generate(JwsAlg alg) {
  EVP_PKEY* raw = alg == JwsAlg::kES256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  if (raw == nullptr) {
    ERR_clear_error();
    return Internal("OpenSSL key generation failed");
  }
  SigningKey key(std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free), alg);
  GF_ASSIGN_OR_RETURN(key.public_jwk_, BuildPublicJwk(raw, alg));
  key.kid_ = Thumbprint(key.public_jwk_);
  return key;
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Internal("OpenSSL allocation failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return InvalidArgument(
        "not a PEM private key (an unencrypted PKCS#8 or traditional PEM is expected)");
  }
  std::shared_ptr<EVP_PKEY> owned(raw, EVP_PKEY_free);
  GF_ASSIGN_OR_RETURN(JwsAlg alg, AlgForKey(raw));
  SigningKey key(owned, alg);
  GF_ASSIGN_OR_RETURN(key.public_jwk_, BuildPublicJwk(raw, alg));
  key.kid_ = Thumbprint(key.public_jwk_);
  return key;
}

Result<SigningKey> SigningKey::Load(const std::filesystem::path& pem_path) {
  auto pem = ReadFile(pem_path);
  if (!pem.ok()) return pem.status();
  auto key = FromPem(*pem);
  WipeString(*pem);
  if (!key.ok()) return key.status().WithContext(pem_path.string());
  return key;
}

nlohmann::json SigningKey::PublicJwk() const {
  nlohmann::json jwk = public_jwk_;
  jwk["kid"] = kid_;
  jwk["alg"] = std::string(JwsAlgName(alg_));
  jwk["use"] = "sig";
  return jwk;
}

Result<std::string> SigningKey::PublicPem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    ERR_clear_error();
    return Internal("OpenSSL cannot write the public key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> SigningKey::PrivatePem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_secmem()));
  if (!bio) bio.reset(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return Internal("OpenSSL cannot write the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  if (len > 0) OPENSSL_cleanse(data, static_cast<size_t>(len));
  return pem;
}

Result<std::string> SigningKey::SignJwt(nlohmann::json header,
                                        const nlohmann::json& payload) const {
  if (header.is_null()) header = nlohmann::json::object();
  if (!header.is_object() || !payload.is_object())
    return InvalidArgument("JWT parts must be objects");
  header["alg"] = std::string(JwsAlgName(alg_));
  header["kid"] = kid_;
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    ERR_clear_error();
    return Internal("OpenSSL cannot initialise signing");
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) {
    ERR_clear_error();
    return Internal("OpenSSL cannot size the signature");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1) {
    ERR_clear_error();
    return Internal("OpenSSL signing failed");
  }
  sig.resize(len);
  if (alg_ == JwsAlg::kES256) {
    // OpenSSL gives DER; JWS wants R||S, each left-padded to 32 bytes (RFC 7518 3.4).
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    std::unique_ptr<ECDSA_SIG, SigFree> ecdsa(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!ecdsa) return Internal("OpenSSL produced an unreadable ECDSA signature");
    std::string raw(64, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa.get()), out, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa.get()), out + 32, 32) != 32) {
      return Internal("ECDSA signature component too large");
    }
    sig = std::move(raw);
  }
  return input + "." + Base64UrlEncode(sig);
}

nlohmann::json JwksFor(const std::vector<const SigningKey*>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const SigningKey* k : keys) list.push_back(k->PublicJwk());
  return {{"keys", list}};
}

Status WritePrivateKeyFile(const std::filesystem::path& path, std::string_view pem,
                           bool overwrite) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) {
      return AlreadyExists(path.string() + " exists; refusing to overwrite a key (use --force)");
    }
    return IOError(path.string() + ": " + ErrnoMessage(err));
  }
  // An existing file keeps its mode on O_TRUNC: force 0600.
  if (::fchmod(fd, 0600) != 0) {
    int err = errno;
    ::close(fd);
    return IOError(path.string() + ": " + ErrnoMessage(err));
  }
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IOError(path.string() + ": " + ErrnoMessage(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return IOError(path.string() + ": " + ErrnoMessage(errno));
  return Status::Ok();
}

Result<std::string> IssueVisa(const SigningKey& key, const IssueParams& params,
                              const VisaSpec& visa) {
  if (params.iss.empty() || params.jku.empty() || params.sub.empty()) {
    return InvalidArgument("a visa needs iss, jku and sub");
  }
  if (visa.type.empty()) return InvalidArgument("a visa needs a type");
  nlohmann::json claim = {{"type", visa.type},
                          {"asserted", visa.asserted != 0 ? visa.asserted : params.iat},
                          {"value", visa.value},
                          {"source", visa.source.empty() ? params.iss : visa.source}};
  if (!visa.by.empty()) claim["by"] = visa.by;
  if (!visa.conditions.is_null()) claim["conditions"] = visa.conditions;
  nlohmann::json payload = {{"iss", params.iss}, {"sub", params.sub},  {"iat", params.iat},
                            {"exp", params.exp}, {"jti", RandomJti()}, {"ga4gh_visa_v1", claim}};
  return key.SignJwt({{"typ", "JWT"}, {"jku", params.jku}}, payload);
}

Result<std::string> IssuePassport(const SigningKey& key, const IssueParams& params,
                                  const std::vector<std::string>& visas) {
  if (params.iss.empty() || params.sub.empty())
    return InvalidArgument("a passport needs iss and sub");
  nlohmann::json header = {{"typ", "vnd.ga4gh.passport+jwt"}};
  if (!params.jku.empty()) header["jku"] = params.jku;
  nlohmann::json payload = {{"iss", params.iss},  {"sub", params.sub},
                            {"iat", params.iat},  {"exp", params.exp},
                            {"jti", RandomJti()}, {"ga4gh_passport_v1", visas}};
  return key.SignJwt(std::move(header), payload);
}

}  // namespace genomefed::passport
