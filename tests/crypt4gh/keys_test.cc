#include "crypt4gh/keys.h"

#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "crypt4gh/bcrypt_pbkdf.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

using ::genomefed::testing::SharedDir;
using ::genomefed::testing::TempDir;
using testing::Hex;

std::span<const uint8_t> B(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Bcrypt(std::string_view pass, std::string_view salt, uint32_t rounds, size_t len) {
  std::vector<uint8_t> out(len);
  Status s = BcryptPbkdf(B(pass), B(salt), rounds, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return Hex(out);
}

// Known answers of OpenBSD's bcrypt_pbkdf regression vectors.
TEST(BcryptPbkdf, OpenBsdKnownAnswers) {
  EXPECT_EQ(Bcrypt("password", "salt", 4, 32),
            "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9");
  EXPECT_EQ(Bcrypt("password", std::string_view("\0", 1), 4, 16),
            "c12b566235eee04c212598970a579a67");
  EXPECT_EQ(Bcrypt(std::string_view("\0", 1), "salt", 4, 16), "6051be18c2f4f82cbf0efee5471b4bb9");
  EXPECT_EQ(Bcrypt(std::string_view("password\0", 9), std::string_view("salt\0", 5), 4, 32),
            "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050");
}

TEST(BcryptPbkdf, RejectsDegenerateInput) {
  std::vector<uint8_t> out(32);
  EXPECT_FALSE(BcryptPbkdf(B(""), B("salt"), 4, out).ok());
  EXPECT_FALSE(BcryptPbkdf(B("pw"), B(""), 4, out).ok());
  EXPECT_FALSE(BcryptPbkdf(B("pw"), B("salt"), 0, out).ok());
}

TEST(Keys, BcryptProtectedKeyFromPythonTool) {
  GF_REQUIRE_SHARED("crypt4gh/ega-py-tests_alice.sec");
  int asked = 0;
  Result<SecretKey> sk = ReadSecretKeyFile(SharedDir() / "crypt4gh/ega-py-tests_alice.sec", [&] {
    ++asked;
    return Result<std::string>(std::string("alice"));
  });
  ASSERT_OK(sk);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(Hex(sk->bytes()), "c987d62b8c4d766238a010d6b847367eee4c9c6a1bd3fd4551113e5b2991fa4f");
  Result<PublicKey> pk = DerivePublicKey(*sk);
  ASSERT_OK(pk);
  EXPECT_EQ(pk->Hex(), "a321119d6021cd5e0c021f57224d310f80be9cda76b692d4896b50a154bfc41e");
  Result<PublicKey> file_pk = ReadPublicKeyFile(SharedDir() / "crypt4gh/ega-py-tests_alice.pub");
  ASSERT_OK(file_pk);
  EXPECT_EQ(*file_pk, *pk);
}

TEST(Keys, WrongPassphraseIsUnauthenticated) {
  GF_REQUIRE_SHARED("crypt4gh/ega-py-tests_alice.sec");
  Result<SecretKey> sk = ReadSecretKeyFile(SharedDir() / "crypt4gh/ega-py-tests_alice.sec",
                                           [] { return Result<std::string>(std::string("bob")); });
  ASSERT_FALSE(sk.ok());
  EXPECT_EQ(sk.status().code(), StatusCode::kUnauthenticated);
}

TEST(Keys, UnprotectedKeyNeedsNoPassphrase) {
  GF_REQUIRE_SHARED("crypt4gh/rfc7748_alice.c4ghv1-none.sec");
  Result<SecretKey> sk =
      ReadSecretKeyFile(SharedDir() / "crypt4gh/rfc7748_alice.c4ghv1-none.sec", nullptr);
  ASSERT_OK(sk);
  EXPECT_EQ(Hex(sk->bytes()), "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  Result<PublicKey> pk = DerivePublicKey(*sk);
  ASSERT_OK(pk);
  Result<PublicKey> file_pk = ReadPublicKeyFile(SharedDir() / "crypt4gh/rfc7748_alice.pub");
  ASSERT_OK(file_pk);
  EXPECT_EQ(*file_pk, *pk);
  // RFC 7748 section 6.1: Alice's public key.
  EXPECT_EQ(pk->Hex(), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST(Keys, EveryKdfRoundTrips) {
  KeyPair pair = testing::NewKeys();
  for (Kdf kdf : {Kdf::kNone, Kdf::kScrypt, Kdf::kBcrypt, Kdf::kPbkdf2HmacSha256}) {
    SecretKeyFormat format;
    format.kdf = kdf;
    format.rounds = kdf == Kdf::kPbkdf2HmacSha256 ? 1000 : (kdf == Kdf::kBcrypt ? 4 : 0);
    format.comment = "test key";
    std::string pass = kdf == Kdf::kNone ? "" : "correct horse";
    Result<std::string> text = FormatSecretKey(pair.secret, pass, format);
    ASSERT_OK(text);
    EXPECT_NE(text->find("-----BEGIN CRYPT4GH PRIVATE KEY-----"), std::string::npos);
    int asked = 0;
    Result<SecretKey> back = ParseSecretKey(*text, [&] {
      ++asked;
      return Result<std::string>(pass);
    });
    ASSERT_OK(back);
    EXPECT_EQ(asked, kdf == Kdf::kNone ? 0 : 1) << KdfName(kdf);
    EXPECT_EQ(Hex(back->bytes()), Hex(pair.secret.bytes())) << KdfName(kdf);
    if (kdf != Kdf::kNone) {
      Result<SecretKey> wrong =
          ParseSecretKey(*text, [] { return Result<std::string>(std::string("nope")); });
      EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated) << KdfName(kdf);
    }
  }
}

TEST(Keys, OnlyKeyFilesAreTakenAsSecretKeys) {
  KeyPair pair = testing::NewKeys();
  const std::string want = Hex(pair.secret.bytes());
  // Any 32-byte file (binary), 64 hex digits or bare base64: refused, naming the format wanted.
  std::string raw(reinterpret_cast<const char*>(pair.secret.data()), kKeySize);
  for (const std::string& bare : {raw, want + "\n", std::string(32, 'x')}) {
    Result<SecretKey> r = ParseSecretKey(bare, nullptr);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("BEGIN CRYPT4GH PRIVATE KEY"), std::string::npos)
        << r.status().message();
  }
  // The legacy armoured form (base64 of the 32 bytes in a private key block) is still read.
  std::array<uint8_t, kKeySize> sk_bytes;
  std::copy(pair.secret.bytes().begin(), pair.secret.bytes().end(), sk_bytes.begin());
  std::string armoured = FormatPublicKey(PublicKey{sk_bytes});
  armoured.replace(armoured.find("PUBLIC"), 6, "PRIVATE");
  armoured.replace(armoured.find("PUBLIC"), 6, "PRIVATE");
  Result<SecretKey> c = ParseSecretKey(armoured, nullptr);
  ASSERT_OK(c);
  EXPECT_EQ(Hex(c->bytes()), want);
}

TEST(Keys, OpenSshKeysAreNamedAsSuch) {
  Result<PublicKey> pub = ParsePublicKey(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8nUm1yq5c0jOxGBdpWVqcXl3ZcQ6HeKuq+Ff3wR0U9 me@host\n");
  EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pub.status().message().find("OpenSSH public key (ssh-ed25519)"), std::string::npos)
      << pub.status().message();
  EXPECT_NE(pub.status().message().find("CRYPT4GH PUBLIC KEY"), std::string::npos);
  Result<SecretKey> sec = ParseSecretKey(
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH "
      "PRIVATE KEY-----\n",
      nullptr);
  EXPECT_EQ(sec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sec.status().message().find("OpenSSH private key"), std::string::npos);
}

TEST(Keys, PublicKeyFormatRoundTripsAndRejectsGarbage) {
  KeyPair pair = testing::NewKeys();
  std::string text = FormatPublicKey(pair.public_key);
  EXPECT_EQ(text.rfind("-----BEGIN CRYPT4GH PUBLIC KEY-----\n", 0), 0u);
  Result<PublicKey> back = ParsePublicKey(text);
  ASSERT_OK(back);
  EXPECT_EQ(*back, pair.public_key);
  EXPECT_FALSE(ParsePublicKey("-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n-----END CRYPT4GH "
                              "PUBLIC KEY-----\n")
                   .ok());
  EXPECT_FALSE(ParsePublicKey("-----BEGIN CRYPT4GH PUBLIC KEY-----\n!!!\n").ok());
  EXPECT_FALSE(ParsePublicKey("").ok());
}

TEST(Keys, MalformedPrivateKeysGiveClearErrors) {
  auto parse = [](std::string payload) {
    std::string b64(sodium_base64_ENCODED_LEN(payload.size(), sodium_base64_VARIANT_ORIGINAL), 0);
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const uint8_t*>(payload.data()),
                      payload.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.pop_back();
    return ParseSecretKey(
        "-----BEGIN CRYPT4GH PRIVATE KEY-----\n" + b64 + "\n-----END CRYPT4GH PRIVATE KEY-----\n",
        [] { return Result<std::string>(std::string("x")); });
  };
  using namespace std::string_literals;
  EXPECT_EQ(parse("c4gh-v1"s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("c4gh-v1\x00\x05"s
                  "argon"s)
                .status()
                .code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(parse("c4gh-v1\x00\x04none\x00\x04none\x00\x05short"s).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("c4gh-v1\x00\x06"
                  "bcrypt\x00\x02zz"s)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("not a key at all, really not"s).status().code(), StatusCode::kInvalidArgument);
}

TEST(Keys, WriteKeyPairFilesProtectsTheSecretKey) {
  TempDir dir;
  KeyPair pair = testing::NewKeys();
  SecretKeyFormat format;
  format.kdf = Kdf::kBcrypt;
  format.rounds = 4;
  ASSERT_OK(WriteKeyPairFiles(pair, dir / "a.sec", dir / "a.pub", "pw", format));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "a.sec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(WriteKeyPairFiles(pair, dir / "a.sec", dir / "a.pub", "pw", format).code(),
            StatusCode::kAlreadyExists);
  Result<SecretKey> sk =
      ReadSecretKeyFile(dir / "a.sec", [] { return Result<std::string>(std::string("pw")); });
  ASSERT_OK(sk);
  EXPECT_EQ(Hex(sk->bytes()), Hex(pair.secret.bytes()));
  Result<PublicKey> pk = ReadPublicKeyFile(dir / "a.pub");
  ASSERT_OK(pk);
  EXPECT_EQ(*pk, pair.public_key);
}

}  // namespace
}  // namespace genomefed::crypt4gh
