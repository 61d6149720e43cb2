#include "crypt4gh/keys.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/file.h"
#include "crypt4gh/bcrypt_pbkdf.h"
#include "crypt4gh/io.h"

namespace genomefed::crypt4gh {

namespace {

constexpr std::string_view kMagic = "c4gh-v1";
constexpr std::string_view kCipherName = "chacha20_poly1305";
constexpr std::string_view kPublicLabel = "CRYPT4GH PUBLIC KEY";
constexpr std::string_view kPrivateLabel = "CRYPT4GH PRIVATE KEY";
constexpr size_t kSaltSize = 16;
constexpr size_t kNonceSize = crypto_aead_chacha20poly1305_IETF_NPUBBYTES;
constexpr size_t kMacSize = crypto_aead_chacha20poly1305_IETF_ABYTES;
// Bounds on work an untrusted key file can demand (the reference defaults are far below).
constexpr uint32_t kMaxBcryptRounds = 1u << 16;
constexpr uint32_t kMaxPbkdf2Rounds = 1u << 26;

// A std::string that wipes itself; used for passphrases and decoded key payloads.
struct WipedString {
  std::string value;
  WipedString() = default;
  explicit WipedString(std::string v) : value(std::move(v)) {}
  ~WipedString() {
    if (!value.empty()) sodium_memzero(value.data(), value.size());
  }
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), " \t\r\n", &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    sodium_memzero(out.data(), out.size());
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string Pem(std::string_view label, std::span<const uint8_t> payload) {
  std::string b64 = Base64Encode(payload);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += "-----END " + std::string(label) + "-----\n";
  sodium_memzero(b64.data(), b64.size());
  return out;
}

struct Armoured {
  std::string label;
  std::string_view body;
};

// Splits "-----BEGIN X-----\n<body>\n-----END X-----" into X and body; nullopt if not armoured.
Result<std::optional<Armoured>> Unarmour(std::string_view text) {
  text = Trim(text);
  constexpr std::string_view kBegin = "-----BEGIN ";
  if (text.substr(0, kBegin.size()) != kBegin) return std::optional<Armoured>();
  size_t label_end = text.find("-----", kBegin.size());
  if (label_end == std::string_view::npos) return InvalidArgument("unterminated PEM BEGIN line");
  Armoured a;
  a.label = std::string(text.substr(kBegin.size(), label_end - kBegin.size()));
  size_t body_start = label_end + 5;
  std::string end_line = "-----END " + a.label + "-----";
  size_t body_end = text.find(end_line, body_start);
  if (body_end == std::string_view::npos) {
    return InvalidArgument("missing '" + end_line + "' line");
  }
  a.body = Trim(text.substr(body_start, body_end - body_start));
  return std::optional<Armoured>(std::move(a));
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Cursor over the c4gh-v1 payload; every read is bounds-checked.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  Result<std::string_view> String(std::string_view what) {
    if (data_.size() - pos_ < 2)
      return InvalidArgument("private key ends before its " + std::string(what));
    size_t len = (static_cast<uint8_t>(data_[pos_]) << 8) | static_cast<uint8_t>(data_[pos_ + 1]);
    pos_ += 2;
    if (data_.size() - pos_ < len) {
      return InvalidArgument("private key's " + std::string(what) + " is cut short");
    }
    std::string_view s = data_.substr(pos_, len);
    pos_ += len;
    return s;
  }
  bool done() const { return pos_ >= data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void AppendString(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>((s.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(s.size() & 0xff));
  out.append(s);
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Result<SecretKey> KeyFromBytes(std::string_view bytes) {
  if (bytes.size() != kKeySize) {
    return InvalidArgument("a secret key has 32 bytes, found " + std::to_string(bytes.size()));
  }
  return SecretKey(std::span<const uint8_t, kKeySize>(Bytes(bytes).data(), kKeySize));
}

Result<SecretKey> ParseC4ghPayload(std::string_view payload, const PassphraseFn& passphrase) {
  Cursor cur(payload.substr(kMagic.size()));
  GF_ASSIGN_OR_RETURN(std::string_view kdf_name, cur.String("KDF name"));
  GF_ASSIGN_OR_RETURN(Kdf kdf, KdfFromName(kdf_name));
  uint32_t rounds = 0;
  std::string_view salt;
  if (kdf != Kdf::kNone) {
    GF_ASSIGN_OR_RETURN(std::string_view options, cur.String("KDF options"));
    if (options.size() < 5) return InvalidArgument("private key's KDF options lack a salt");
    rounds = (static_cast<uint32_t>(static_cast<uint8_t>(options[0])) << 24) |
             (static_cast<uint32_t>(static_cast<uint8_t>(options[1])) << 16) |
             (static_cast<uint32_t>(static_cast<uint8_t>(options[2])) << 8) |
             static_cast<uint32_t>(static_cast<uint8_t>(options[3]));
    salt = options.substr(4);
  }
  GF_ASSIGN_OR_RETURN(std::string_view cipher, cur.String("cipher name"));
  GF_ASSIGN_OR_RETURN(std::string_view data, cur.String("key data"));
  // An optional comment may follow; it is not needed to use the key.
  if (cipher == "none") {
    if (kdf != Kdf::kNone) return InvalidArgument("private key has a KDF but no cipher");
    return KeyFromBytes(data);
  }
  if (cipher != kCipherName) {
    return Unimplemented("private key cipher '" + std::string(cipher) +
                         "' is not supported (only chacha20_poly1305)");
  }
  if (kdf == Kdf::kNone) return InvalidArgument("encrypted private key without a KDF");
  if (data.size() != kNonceSize + kKeySize + kMacSize) {
    return InvalidArgument("encrypted private key has " + std::to_string(data.size()) +
                           " bytes of data, expected 60");
  }
  if (!passphrase)
    return Unauthenticated("the private key is encrypted and no passphrase was given");
  GF_ASSIGN_OR_RETURN(std::string pass_raw, passphrase());
  WipedString pass(std::move(pass_raw));
  GF_ASSIGN_OR_RETURN(SecretKey derived, DeriveKey(kdf, pass.value, Bytes(salt), rounds));
  SecretKey key;
  unsigned long long out_len = 0;
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  if (crypto_aead_chacha20poly1305_ietf_decrypt(key.mutable_data(), &out_len, nullptr,
                                                d + kNonceSize, data.size() - kNonceSize, nullptr,
                                                0, d, derived.data()) != 0) {
    return Unauthenticated("wrong passphrase for the private key (or the key file is damaged)");
  }
  return key;
}

}  // namespace

std::string PublicKey::Hex() const {
  std::string out(kKeySize * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

SecretKey::SecretKey(std::span<const uint8_t, kKeySize> bytes) {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

void Wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

Result<KeyPair> KeyPairFromSecret(SecretKey secret) {
  GF_ASSIGN_OR_RETURN(PublicKey pk, DerivePublicKey(secret));
  KeyPair pair;
  pair.secret = std::move(secret);
  pair.public_key = pk;
  return pair;
}

Status InitCrypto() {
  static const bool ok = sodium_init() >= 0;
  return ok ? Status::Ok() : Internal("libsodium failed to initialise");
}

Result<KeyPair> GenerateKeyPair() {
  GF_RETURN_IF_ERROR(InitCrypto());
  KeyPair pair;
  crypto_box_keypair(pair.public_key.bytes.data(), pair.secret.mutable_data());
  return pair;
}

Result<PublicKey> DerivePublicKey(const SecretKey& secret) {
  GF_RETURN_IF_ERROR(InitCrypto());
  PublicKey pk;
  if (crypto_scalarmult_base(pk.bytes.data(), secret.data()) != 0) {
    return InvalidArgument("not a usable X25519 secret key");
  }
  return pk;
}

// An OpenSSH public key line ("ssh-ed25519 AAAA... comment" and friends): a recipient key of
// the wrong kind, worth naming instead of "not valid base64".
bool LooksLikeOpenSshPublicKey(std::string_view text) {
  text = Trim(text);
  for (std::string_view prefix : {"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"}) {
    if (text.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

constexpr std::string_view kKeygenHint =
    "make a Crypt4GH key pair with 'genomefed crypt4gh keygen'";

Result<PublicKey> ParsePublicKey(std::string_view text) {
  GF_RETURN_IF_ERROR(InitCrypto());
  if (LooksLikeOpenSshPublicKey(text)) {
    std::string_view type = Trim(text).substr(0, Trim(text).find(' '));
    return InvalidArgument("this is an OpenSSH public key (" + std::string(type.substr(0, 40)) +
                           "), not a Crypt4GH one: a recipient key is an X25519 key in a "
                           "'-----BEGIN CRYPT4GH PUBLIC KEY-----' block; " +
                           std::string(kKeygenHint));
  }
  GF_ASSIGN_OR_RETURN(std::optional<Armoured> armoured, Unarmour(text));
  std::string_view body = armoured ? armoured->body : Trim(text);
  if (armoured && armoured->label != kPublicLabel) {
    return InvalidArgument("expected a '" + std::string(kPublicLabel) + "' block, found '" +
                           armoured->label + "'");
  }
  std::optional<std::string> decoded;
  if (body.size() == 2 * kKeySize && IsHex(body)) {
    decoded.emplace(kKeySize, '\0');
    sodium_hex2bin(reinterpret_cast<unsigned char*>(decoded->data()), kKeySize, body.data(),
                   body.size(), nullptr, nullptr, nullptr);
  } else {
    decoded = Base64Decode(body);
  }
  if (!decoded) {
    return InvalidArgument(
        "not a Crypt4GH public key: expected a '-----BEGIN CRYPT4GH PUBLIC KEY-----' block "
        "holding the base64 of 32 key bytes");
  }
  if (decoded->size() != kKeySize) {
    return InvalidArgument("a Crypt4GH public key has 32 bytes, found " +
                           std::to_string(decoded->size()));
  }
  PublicKey pk;
  std::copy(decoded->begin(), decoded->end(), pk.bytes.begin());
  return pk;
}

Result<PublicKey> ReadPublicKeyFile(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  Result<PublicKey> pk = ParsePublicKey(text);
  if (!pk.ok()) return pk.status().WithContext(path.string());
  return pk;
}

std::string FormatPublicKey(const PublicKey& key) { return Pem(kPublicLabel, key.bytes); }

std::string_view KdfName(Kdf kdf) {
  switch (kdf) {
    case Kdf::kNone:
      return "none";
    case Kdf::kScrypt:
      return "scrypt";
    case Kdf::kBcrypt:
      return "bcrypt";
    case Kdf::kPbkdf2HmacSha256:
      return "pbkdf2_hmac_sha256";
  }
  return "none";
}

Result<Kdf> KdfFromName(std::string_view name) {
  for (Kdf k : {Kdf::kNone, Kdf::kScrypt, Kdf::kBcrypt, Kdf::kPbkdf2HmacSha256}) {
    if (KdfName(k) == name) return k;
  }
  return Unimplemented("private key KDF '" + std::string(name.substr(0, 64)) +
                       "' is not supported (scrypt, bcrypt, pbkdf2_hmac_sha256, none)");
}

Result<SecretKey> DeriveKey(Kdf kdf, std::string_view passphrase, std::span<const uint8_t> salt,
                            uint32_t rounds) {
  GF_RETURN_IF_ERROR(InitCrypto());
  SecretKey key;
  switch (kdf) {
    case Kdf::kNone:
      return InvalidArgument("KDF 'none' derives no key");
    case Kdf::kScrypt:
      if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(),
                         uint64_t{1} << 14, 8, 1, 0, key.mutable_data(), kKeySize) != 1) {
        return Internal("scrypt failed");
      }
      return key;
    case Kdf::kBcrypt:
      if (rounds > kMaxBcryptRounds) {
        return ResourceExhausted("bcrypt rounds " + std::to_string(rounds) + " exceed the limit " +
                                 std::to_string(kMaxBcryptRounds));
      }
      GF_RETURN_IF_ERROR(BcryptPbkdf(Bytes(passphrase), salt, rounds,
                                     std::span<uint8_t>(key.mutable_data(), kKeySize)));
      return key;
    case Kdf::kPbkdf2HmacSha256:
      if (rounds < 1) return InvalidArgument("pbkdf2_hmac_sha256 needs at least one round");
      if (rounds > kMaxPbkdf2Rounds) {
        return ResourceExhausted("pbkdf2 rounds " + std::to_string(rounds) + " exceed the limit");
      }
      if (PKCS5_PBKDF2_HMAC(passphrase.data(), static_cast<int>(passphrase.size()), salt.data(),
                            static_cast<int>(salt.size()), static_cast<int>(rounds), EVP_sha256(),
                            kKeySize, key.mutable_data()) != 1) {
        return Internal("pbkdf2_hmac_sha256 failed");
      }
      return key;
  }
  return InvalidArgument("unknown KDF");
}

Result<SecretKey> ParseSecretKey(std::string_view text, const PassphraseFn& passphrase) {
  GF_RETURN_IF_ERROR(InitCrypto());
  GF_ASSIGN_OR_RETURN(std::optional<Armoured> armoured, Unarmour(text));
  // Only key files: a bare 32-byte (or 64-hex-digit, or base64) file is refused, since any file
  // of that size would otherwise pass for a secret key.
  if (!armoured) {
    return InvalidArgument(
        "not a Crypt4GH private key file: expected a '-----BEGIN CRYPT4GH PRIVATE KEY-----' "
        "block (bare 32-byte, hex or base64 keys are not accepted); " +
        std::string(kKeygenHint));
  }
  if (armoured->label == "OPENSSH PRIVATE KEY") {
    return InvalidArgument(
        "this is an OpenSSH private key, which Crypt4GH tools here cannot use; " +
        std::string(kKeygenHint));
  }
  // Tools label the block "CRYPT4GH PRIVATE KEY" or "ENCRYPTED PRIVATE KEY"; the payload's
  // c4gh-v1 magic is what decides.
  if (armoured->label.find("PRIVATE KEY") == std::string::npos) {
    return InvalidArgument("expected a '" + std::string(kPrivateLabel) + "' block, found '" +
                           armoured->label.substr(0, 64) + "'");
  }
  std::optional<std::string> decoded = Base64Decode(armoured->body);
  if (!decoded) return InvalidArgument("private key is not valid base64");
  WipedString payload(std::move(*decoded));
  std::string_view p = payload.value;
  if (p.substr(0, kMagic.size()) == kMagic) return ParseC4ghPayload(p, passphrase);
  // The legacy armoured form: the 32 key bytes themselves.
  if (p.size() == kKeySize) return KeyFromBytes(p);
  return InvalidArgument("not a Crypt4GH private key (no 'c4gh-v1' magic)");
}

Result<SecretKey> ReadSecretKeyFile(const std::filesystem::path& path,
                                    const PassphraseFn& passphrase) {
  GF_ASSIGN_OR_RETURN(std::string text_raw, ReadFile(path));
  WipedString text(std::move(text_raw));
  Result<SecretKey> key = ParseSecretKey(text.value, passphrase);
  if (!key.ok()) return key.status().WithContext(path.string());
  return key;
}

Result<std::string> FormatSecretKey(const SecretKey& key, std::string_view passphrase,
                                    const SecretKeyFormat& format) {
  GF_RETURN_IF_ERROR(InitCrypto());
  WipedString payload;
  std::string& out = payload.value;
  out.append(kMagic);
  std::string_view key_bytes(reinterpret_cast<const char*>(key.data()), kKeySize);
  if (passphrase.empty() || format.kdf == Kdf::kNone) {
    AppendString(out, "none");
    AppendString(out, "none");
    AppendString(out, key_bytes);
  } else {
    uint32_t rounds = format.rounds;
    if (rounds == 0) {
      rounds = format.kdf == Kdf::kBcrypt ? 100 : format.kdf == Kdf::kPbkdf2HmacSha256 ? 100000 : 0;
    }
    uint8_t salt[kSaltSize];
    randombytes_buf(salt, sizeof(salt));
    GF_ASSIGN_OR_RETURN(SecretKey derived, DeriveKey(format.kdf, passphrase, salt, rounds));
    std::string options;
    options.push_back(static_cast<char>(rounds >> 24));
    options.push_back(static_cast<char>(rounds >> 16));
    options.push_back(static_cast<char>(rounds >> 8));
    options.push_back(static_cast<char>(rounds));
    options.append(reinterpret_cast<const char*>(salt), sizeof(salt));
    std::string sealed(kNonceSize + kKeySize + kMacSize, '\0');
    auto* s = reinterpret_cast<unsigned char*>(sealed.data());
    randombytes_buf(s, kNonceSize);
    unsigned long long sealed_len = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(s + kNonceSize, &sealed_len, key.data(), kKeySize,
                                              nullptr, 0, nullptr, s, derived.data());
    AppendString(out, KdfName(format.kdf));
    AppendString(out, options);
    AppendString(out, kCipherName);
    AppendString(out, sealed);
  }
  if (!format.comment.empty()) {
    if (format.comment.size() > 0xffff) return InvalidArgument("key comment too long");
    AppendString(out, format.comment);
  }
  return Pem(kPrivateLabel, Bytes(out));
}

Status WriteKeyPairFiles(const KeyPair& pair, const std::filesystem::path& secret_path,
                         const std::filesystem::path& public_path, std::string_view passphrase,
                         const SecretKeyFormat& format, bool overwrite) {
  if (!overwrite) {
    for (const auto& p : {secret_path, public_path}) {
      std::error_code ec;
      if (std::filesystem::exists(p, ec)) {
        return AlreadyExists(p.string() + " exists; remove it or ask to overwrite (--force)");
      }
    }
  }
  GF_ASSIGN_OR_RETURN(std::string sec_raw, FormatSecretKey(pair.secret, passphrase, format));
  WipedString sec(std::move(sec_raw));
  AtomicFileWriter sec_out;
  GF_RETURN_IF_ERROR(sec_out.Open(secret_path, 0600));
  GF_RETURN_IF_ERROR(sec_out.Write(sec.value));
  GF_RETURN_IF_ERROR(sec_out.Commit());
  AtomicFileWriter pub_out;
  GF_RETURN_IF_ERROR(pub_out.Open(public_path, 0644));
  GF_RETURN_IF_ERROR(pub_out.Write(FormatPublicKey(pair.public_key)));
  return pub_out.Commit();
}

}  // namespace genomefed::crypt4gh
