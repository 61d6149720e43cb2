#include "crypt4gh/stream.h"

#include <string>

#include "core/file.h"
#include "crypt4gh/header.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

using ::genomefed::testing::SharedDir;
using testing::DecryptString;
using testing::EncryptString;
using testing::NewKeys;
using testing::RandomBytes;
using testing::Sha256Of;

KeyPair SharedKey(const std::string& name) {
  Result<SecretKey> sk = ReadSecretKeyFile(SharedDir() / "crypt4gh" / name, nullptr);
  EXPECT_TRUE(sk.ok()) << sk.status().ToString();
  Result<KeyPair> pair = KeyPairFromSecret(std::move(sk).value());
  return std::move(pair).value();
}

std::string SharedFile(const std::string& name) {
  Result<std::string> s = ReadFile(SharedDir() / "crypt4gh" / name);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : "";
}

// --- interoperability: files written by other implementations ---------------------------------

TEST(Interop, KnownAnswerFile) {
  GF_REQUIRE_SHARED("crypt4gh/kat.c4gh");
  std::string file = SharedFile("kat.c4gh");
  EXPECT_EQ(Sha256Of(file), "c4b0c1e954f1ee46652338701c1a1a32cbe73326d53a3851fe3f32d3c09b9e8d");
  KeyPair alice = SharedKey("rfc7748_alice.c4ghv1-none.sec");
  Result<std::string> plain = DecryptString(file, alice);
  ASSERT_OK(plain);
  EXPECT_EQ(*plain, "Hello Crypt4GH!\n");
  // The writer was RFC 7748's Bob: --sender-pk with his key accepts, with another refuses.
  PublicKey bob;
  const char* bob_hex = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
  ASSERT_EQ(sodium_hex2bin(bob.bytes.data(), 32, bob_hex, 64, nullptr, nullptr, nullptr), 0);
  DecryptOptions opts;
  opts.sender_pk = bob;
  EXPECT_OK(DecryptString(file, alice, opts));
  opts.sender_pk = alice.public_key;
  EXPECT_EQ(DecryptString(file, alice, opts).status().code(), StatusCode::kPermissionDenied);
}

TEST(Interop, KnownAnswerFileHeaderHoldsTheGivenDataKey) {
  GF_REQUIRE_SHARED("crypt4gh/kat.c4gh");
  // The README gives the data key the writer used: the X25519/BLAKE2b shared key must open it.
  std::string file = SharedFile("kat.c4gh");
  KeyPair alice = SharedKey("rfc7748_alice.c4ghv1-none.sec");
  Result<EncryptedHeader> header = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  ASSERT_OK(header);
  ASSERT_EQ(header->packets.size(), 1u);
  Result<DecryptedHeader> opened = DecryptHeader(*header, alice);
  ASSERT_OK(opened);
  ASSERT_EQ(opened->content.data_keys.size(), 1u);
  EXPECT_EQ(testing::Hex(opened->content.data_keys[0].bytes()),
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_FALSE(opened->content.edit_list.has_value());
}

TEST(Interop, RustWrittenVcf) {
  GF_REQUIRE_SHARED("crypt4gh/spec-v4.3.vcf.gz.c4gh");
  KeyPair bob = SharedKey("bob.sec");
  Result<std::string> plain = DecryptString(SharedFile("spec-v4.3.vcf.gz.c4gh"), bob);
  ASSERT_OK(plain);
  EXPECT_EQ(Sha256Of(*plain), "d60da22a23f34b10786260d207e2fd73d6d68bfdc85df675dc8c0cadd5538987");
  EXPECT_EQ(*plain, SharedFile("spec-v4.3.vcf.gz.plain"));
}

TEST(Interop, RustWrittenBcf) {
  GF_REQUIRE_SHARED("crypt4gh/sample1-bcbio-cancer.bcf.c4gh");
  KeyPair bob = SharedKey("bob.sec");
  Result<std::string> plain = DecryptString(SharedFile("sample1-bcbio-cancer.bcf.c4gh"), bob);
  ASSERT_OK(plain);
  EXPECT_EQ(Sha256Of(*plain), "83d92c98e138a1742b636f84b4033167179a832df52c922154a6a85309fcfe5a");
}

TEST(Interop, EveryC4ghFileDecryptsWithTheRightKeyAndNotWithAnother) {
  GF_REQUIRE_SHARED("crypt4gh/bob.sec");
  KeyPair stranger = NewKeys();
  for (const auto& e : std::filesystem::directory_iterator(SharedDir() / "crypt4gh")) {
    if (e.path().extension() != ".c4gh") continue;
    std::string file = SharedFile(e.path().filename().string());
    EXPECT_EQ(DecryptString(file, stranger).status().code(), StatusCode::kPermissionDenied)
        << e.path();
  }
}

TEST(Interop, ReencryptedSharedFileDecryptsForTheNewRecipient) {
  GF_REQUIRE_SHARED("crypt4gh/spec-v4.3.vcf.gz.c4gh");
  KeyPair bob = SharedKey("bob.sec");
  KeyPair carol = NewKeys();
  std::string file = SharedFile("spec-v4.3.vcf.gz.c4gh");
  MemoryReader in(file);
  std::string out;
  StringWriter w(&out);
  ASSERT_OK(Reencrypt(in, w, bob, std::span<const PublicKey>(&carol.public_key, 1)));
  Result<std::string> plain = DecryptString(out, carol);
  ASSERT_OK(plain);
  EXPECT_EQ(*plain, SharedFile("spec-v4.3.vcf.gz.plain"));
  // The body is untouched: same trailing bytes.
  Result<EncryptedHeader> h1 = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  Result<EncryptedHeader> h2 = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
  ASSERT_OK(h1);
  ASSERT_OK(h2);
  EXPECT_EQ(file.substr(h1->size), out.substr(h2->size));
}

// --- round trips ------------------------------------------------------------------------------

class RoundTrip : public ::testing::TestWithParam<size_t> {};

TEST_P(RoundTrip, EncryptThenDecrypt) {
  const size_t size = GetParam();
  std::string plain = RandomBytes(size, static_cast<uint32_t>(size));
  KeyPair reader = NewKeys();
  EncryptOptions options;
  options.recipients = {reader.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  Result<EncryptedHeader> header = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->data()), file->size()));
  ASSERT_OK(header);
  EXPECT_EQ(file->size() - header->size, BodySizeFor(size));
  Result<std::string> back = DecryptString(*file, reader);
  ASSERT_OK(back);
  EXPECT_EQ(back->size(), plain.size());
  EXPECT_TRUE(*back == plain);
}

INSTANTIATE_TEST_SUITE_P(Sizes, RoundTrip,
                         ::testing::Values(0, 1, 65535, 65536, 65537, 3 * 65536, 3 * 65536 + 7,
                                           16 * 65536, 16 * 65536 + 1, (5u << 20) + 12345));

TEST(Stream, SeveralRecipientsEachDecrypt) {
  std::string plain = RandomBytes(200000, 1);
  KeyPair a = NewKeys(), b = NewKeys(), c = NewKeys(), outsider = NewKeys();
  KeyPair writer = NewKeys();
  EncryptOptions options;
  options.recipients = {a.public_key, b.public_key, c.public_key};
  options.writer = &writer;
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  for (const KeyPair* k : {&a, &b, &c}) {
    DecryptOptions opts;
    opts.sender_pk = writer.public_key;
    Result<std::string> back = DecryptString(*file, *k, opts);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == plain);
  }
  EXPECT_EQ(DecryptString(*file, outsider).status().code(), StatusCode::kPermissionDenied);
}

TEST(Stream, FdReaderAndWriterStreamAFile) {
  ::genomefed::testing::TempDir dir;
  std::string plain = RandomBytes(300000, 2);
  ASSERT_OK(WriteFileAtomic(dir / "plain", plain));
  KeyPair k = NewKeys();
  {
    Result<std::unique_ptr<FdReader>> in = FdReader::Open(dir / "plain");
    ASSERT_OK(in);
    AtomicFileWriter out;
    ASSERT_OK(out.Open(dir / "enc.c4gh"));
    EncryptOptions options;
    options.recipients = {k.public_key};
    ASSERT_OK(Encrypt(**in, out, options));
    ASSERT_OK(out.Commit());
  }
  Result<std::unique_ptr<FdReader>> in = FdReader::Open(dir / "enc.c4gh");
  ASSERT_OK(in);
  std::string back;
  StringWriter w(&back);
  DecryptOptions opts;
  opts.range = {100000, 200000};
  Result<uint64_t> n = Decrypt(**in, w, k, opts);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 100000u);
  EXPECT_TRUE(back == plain.substr(100000, 100000));
}

// --- edit lists and ranges -------------------------------------------------------------------

// What a reader should see: the reference semantics written plainly.
std::string ApplyEdits(const std::string& plain, const std::vector<uint64_t>& edits) {
  std::string out;
  uint64_t pos = 0;
  for (size_t i = 0; i < edits.size(); ++i) {
    if (i % 2 == 1 && pos < plain.size()) out += plain.substr(pos, edits[i]);
    pos += edits[i];
  }
  if (edits.size() % 2 == 1 && pos < plain.size()) out += plain.substr(pos);
  return out;
}

TEST(EditList, CrossingSegmentBoundariesIsHonoured) {
  std::string plain = RandomBytes(5 * 65536 + 100, 3);
  KeyPair k = NewKeys();
  const std::vector<std::vector<uint64_t>> cases = {
      {65530, 20},                   // across the first boundary
      {10, 65536 * 2, 100, 5},       // a keep spanning two whole segments, then a later one
      {0, 5, 65536 * 3, 65536 + 1},  // starting at 0, then crossing two boundaries
      {65536 * 4 + 3},               // odd: keep everything after a skip
      {1, 1, 1, 1, 1},               // many small pieces, odd: the rest too
      {0, 0},                        // keeps nothing
      {65536 * 5 + 90, 1000},        // runs past the end of the file
      {65536 * 10, 5},               // starts after the end
  };
  for (const auto& edits : cases) {
    EncryptOptions options;
    options.recipients = {k.public_key};
    options.edit_list = edits;
    Result<std::string> file = EncryptString(plain, options);
    ASSERT_OK(file);
    Result<std::string> back = DecryptString(*file, k);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == ApplyEdits(plain, edits)) << "edit list of " << edits.size();
  }
}

TEST(Range, DecryptsOnlyTheNeededSegmentsOfTheEditedView) {
  std::string plain = RandomBytes(7 * 65536 + 11, 4);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  const std::vector<std::pair<uint64_t, std::optional<uint64_t>>> ranges = {
      {0, 1},
      {65535, 65537},
      {65536, 65536 * 2},
      {100, std::nullopt},
      {7 * 65536, std::nullopt},
      {7 * 65536 + 10, 7 * 65536 + 50},
      {9 * 65536, std::nullopt},
      {5, 5},
      {3 * 65536 + 1, 6 * 65536 - 1}};
  for (const auto& [start, end] : ranges) {
    DecryptOptions opts;
    opts.range.start = start;
    opts.range.end = end;
    Result<std::string> back = DecryptString(*file, k, opts);
    ASSERT_OK(back);
    std::string want =
        start >= plain.size() ? "" : plain.substr(start, end ? *end - start : std::string::npos);
    EXPECT_TRUE(*back == want) << start << "-" << (end ? std::to_string(*end) : "");
  }
  // A damaged segment outside the range is never read.
  std::string damaged = *file;
  damaged[damaged.size() - 5] ^= 1;
  DecryptOptions opts;
  opts.range = {10, 20};
  Result<std::string> early = DecryptString(damaged, k, opts);
  ASSERT_OK(early);
  EXPECT_TRUE(*early == plain.substr(10, 10));
  EXPECT_FALSE(DecryptString(damaged, k).ok());
}

TEST(Range, IsTakenOverTheEditedView) {
  std::string plain = RandomBytes(4 * 65536, 5);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  options.edit_list = std::vector<uint64_t>{100, 65536, 65536, 200};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  std::string edited = ApplyEdits(plain, *options.edit_list);
  DecryptOptions opts;
  opts.range = {65000, 65700};
  Result<std::string> back = DecryptString(*file, k, opts);
  ASSERT_OK(back);
  EXPECT_TRUE(*back == edited.substr(65000, 700));
}

TEST(Range, ParsesTheReferenceToolSyntax) {
  Result<ByteRange> a = ParseByteRange("10-20");
  ASSERT_OK(a);
  EXPECT_EQ(a->start, 10u);
  EXPECT_EQ(*a->end, 20u);
  Result<ByteRange> b = ParseByteRange("10");
  ASSERT_OK(b);
  EXPECT_FALSE(b->end.has_value());
  Result<ByteRange> c = ParseByteRange("10-");
  ASSERT_OK(c);
  EXPECT_FALSE(c->end.has_value());
  EXPECT_FALSE(ParseByteRange("20-10").ok());
  EXPECT_FALSE(ParseByteRange("x-10").ok());
  EXPECT_FALSE(ParseByteRange("").ok());
}

// --- re-encryption and rearrangement -----------------------------------------------------------

TEST(Reencrypt, NewHeaderSameBody) {
  std::string plain = RandomBytes(150000, 6);
  KeyPair owner = NewKeys(), other = NewKeys(), requester = NewKeys(), node = NewKeys();
  EncryptOptions options;
  options.recipients = {owner.public_key, other.public_key};
  options.edit_list = std::vector<uint64_t>{10, 70000};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  for (bool trim : {false, true}) {
    MemoryReader in(*file);
    std::string out;
    StringWriter w(&out);
    ReencryptOptions ro;
    ro.trim = trim;
    ASSERT_OK(
        Reencrypt(in, w, owner, std::span<const PublicKey>(&requester.public_key, 1), &node, ro));
    DecryptOptions opts;
    opts.sender_pk = node.public_key;
    Result<std::string> back = DecryptString(out, requester, opts);
    ASSERT_OK(back);
    EXPECT_TRUE(*back == plain.substr(10, 70000));  // the edit list travels with the data key
    EXPECT_EQ(DecryptString(out, owner).status().code(), StatusCode::kPermissionDenied);
    // Packets for `other` are kept unless trimmed.
    EXPECT_EQ(DecryptString(out, other).ok(), !trim);
    Result<EncryptedHeader> h = ParseHeader(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
    ASSERT_OK(h);
    EXPECT_EQ(out.size() - h->size, BodySizeFor(plain.size()));
  }
}

TEST(Rearrange, KeepsOnlyTheSegmentsOfTheRange) {
  std::string plain = RandomBytes(10 * 65536 + 5, 7);
  KeyPair k = NewKeys(), requester = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  for (const ByteRange& range : std::vector<ByteRange>{{65530, 3 * 65536 + 10},
                                                       {5 * 65536, std::nullopt},
                                                       {0, 1},
                                                       {10 * 65536 + 1, 10 * 65536 + 3},
                                                       {20 * 65536, std::nullopt}}) {
    MemoryReader in(*file);
    std::string out;
    StringWriter w(&out);
    ASSERT_OK(Rearrange(in, w, k, range, std::span<const PublicKey>(&requester.public_key, 1)));
    Result<std::string> back = DecryptString(out, requester);
    ASSERT_OK(back);
    std::string want =
        range.start >= plain.size()
            ? ""
            : plain.substr(range.start, range.end ? *range.end - range.start : std::string::npos);
    EXPECT_TRUE(*back == want) << range.start;
    if (range.end) {
      EXPECT_LT(out.size(), file->size() / 2);
    }
  }
}

TEST(Rearrange, ComposesWithAnExistingEditList) {
  std::string plain = RandomBytes(6 * 65536, 8);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  options.edit_list = std::vector<uint64_t>{1000, 65536 * 2, 65536, 500, 100};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  std::string edited = ApplyEdits(plain, *options.edit_list);
  MemoryReader in(*file);
  std::string out;
  StringWriter w(&out);
  ByteRange range{65536, 65536 * 2 + 300};
  ASSERT_OK(Rearrange(in, w, k, range, std::span<const PublicKey>(&k.public_key, 1)));
  Result<std::string> back = DecryptString(out, k);
  ASSERT_OK(back);
  EXPECT_TRUE(*back == edited.substr(65536, 65536 + 300));
}

// --- damage ------------------------------------------------------------------------------------

TEST(Tamper, EveryHeaderAndBodyByteIsProtected) {
  std::string plain = RandomBytes(300, 9);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  ASSERT_OK(DecryptString(*file, k));
  for (size_t i = 0; i < file->size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
      std::string bad = *file;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      Result<std::string> out = DecryptString(bad, k);
      EXPECT_FALSE(out.ok()) << "flipping bit " << int(flip) << " of byte " << i
                             << " went unnoticed";
    }
  }
}

TEST(Tamper, TruncationIsAnError) {
  std::string plain = RandomBytes(2 * 65536 + 500, 10);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  Result<EncryptedHeader> h = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->data()), file->size()));
  ASSERT_OK(h);
  const size_t body = h->size;
  // Cuts inside the header, inside a segment's nonce, ciphertext and MAC.
  for (size_t cut : {size_t{0}, size_t{7}, size_t{15}, size_t{20}, body - 1, body + 5, body + 27,
                     body + 1000, body + kCipherSegmentSize - 1, body + kCipherSegmentSize + 10,
                     file->size() - 1, file->size() - 17}) {
    Result<std::string> out = DecryptString(file->substr(0, cut), k);
    EXPECT_FALSE(out.ok()) << "truncation at " << cut << " went unnoticed";
  }
  // A failed decryption passes nothing unauthenticated: everything written is a verified prefix.
  std::string cut = file->substr(0, file->size() - 3);
  MemoryReader in(cut);
  std::string out;
  StringWriter w(&out);
  EXPECT_EQ(Decrypt(in, w, k).status().code(), StatusCode::kCorruption);
  EXPECT_LE(out.size(), 2u * 65536);
  EXPECT_TRUE(out == plain.substr(0, out.size()));
}

TEST(Header, MalformedHeadersGiveClearErrors) {
  KeyPair k = NewKeys();
  auto decrypt_status = [&](const std::string& bytes) { return DecryptString(bytes, k).status(); };
  using namespace std::string_literals;
  Status s = decrypt_status("");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("preamble"), std::string::npos) << s.message();
  s = decrypt_status("crypt4gX\x01\0\0\0\x01\0\0\0"s);
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
  s = decrypt_status("crypt4gh\x02\0\0\0\x01\0\0\0"s);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("version 2"), std::string::npos) << s.message();
  s = decrypt_status("crypt4gh\x01\0\0\0\x01\0\0\0\x03\0\0\0"s);
  EXPECT_NE(s.message().find("below the minimum"), std::string::npos) << s.message();
  s = decrypt_status("crypt4gh\x01\0\0\0\x01\0\0\0\xff\xff\xff\x7f"s);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.message();
  s = decrypt_status("crypt4gh\x01\0\0\0\x02\0\0\0\x0c\0\0\0\x07\0\0\0abcd\x01\x02"s);
  EXPECT_NE(s.message().find("truncated in packet 1 of 2"), std::string::npos) << s.message();
  // Well-formed but not for us (unknown method, garbage packet): skipped, then refused.
  s = decrypt_status("crypt4gh\x01\0\0\0\x01\0\0\0\x0c\0\0\0\x07\0\0\0abcd"s);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.message();
}

// A known limit of Crypt4GH v1 itself: a reader cannot tell a damaged packet from a packet for
// another recipient, so damaging (or removing) the edit-list packet shows the reader the whole
// file it holds the data key of. It never yields altered plaintext, and every other header
// byte is covered by the test above.
TEST(Tamper, DamagedEditListPacketNeverYieldsAlteredPlaintext) {
  std::string plain = RandomBytes(300, 12);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  options.edit_list = std::vector<uint64_t>{3, 200};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  for (size_t i = 0; i < file->size(); ++i) {
    std::string bad = *file;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    Result<std::string> out = DecryptString(bad, k);
    if (out.ok()) {
      EXPECT_TRUE(*out == plain) << "byte " << i;
    }
  }
}

TEST(Header, PacketsNotForUsAreSkipped) {
  std::string plain = RandomBytes(1000, 11);
  KeyPair k = NewKeys(), other = NewKeys();
  EncryptOptions options;
  options.recipients = {other.public_key, k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  // Add a packet of an unknown method in front as well.
  Result<EncryptedHeader> h = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->data()), file->size()));
  ASSERT_OK(h);
  HeaderPacket unknown;
  unknown.method = 9;
  unknown.bytes = {12, 0, 0, 0, 9, 0, 0, 0, 'x', 'y', 'z', 'w'};
  h->packets.insert(h->packets.begin(), unknown);
  std::string rebuilt = SerializeHeader(h->packets) + file->substr(h->size);
  Result<std::string> back = DecryptString(rebuilt, k);
  ASSERT_OK(back);
  EXPECT_TRUE(*back == plain);
}

TEST(Header, TwoEditListsForOneReaderAreRefused) {
  KeyPair k = NewKeys(), writer = NewKeys();
  HeaderContent content;
  SecretKey dk;
  content.data_keys.push_back(std::move(dk));
  content.edit_list = std::vector<uint64_t>{1, 2};
  std::vector<SecretBytes> payloads = EncodeContent(content);
  std::vector<HeaderPacket> packets;
  for (const SecretBytes& p : payloads) {
    Result<HeaderPacket> packet = SealPacket(p.bytes(), writer, k.public_key);
    ASSERT_OK(packet);
    packets.push_back(*packet);
  }
  packets.push_back(packets.back());
  std::string bytes = SerializeHeader(packets);
  Result<EncryptedHeader> h = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  ASSERT_OK(h);
  Result<DecryptedHeader> d = DecryptHeader(*h, k);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("more than one edit list"), std::string::npos);
}

// Issue 22 point 5: a header of many tiny packets must not cost a read() per 4 bytes.
class CountingReader final : public Reader {
 public:
  explicit CountingReader(std::string_view data) : inner_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    ++reads;
    return inner_.Read(out);
  }
  size_t reads = 0;

 private:
  MemoryReader inner_;
};

TEST(Header, ManyTinyPacketsAreReadThroughABuffer) {
  std::string plain = RandomBytes(1000, 13);
  KeyPair k = NewKeys();
  EncryptOptions options;
  options.recipients = {k.public_key};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  Result<EncryptedHeader> h = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->data()), file->size()));
  ASSERT_OK(h);
  HeaderPacket tiny;
  tiny.method = 9;  // not ours: skipped
  tiny.bytes = {8, 0, 0, 0, 9, 0, 0, 0};
  std::vector<HeaderPacket> packets(20000, tiny);
  packets.insert(packets.end(), h->packets.begin(), h->packets.end());
  std::string big = SerializeHeader(packets) + file->substr(h->size);
  CountingReader in(big);
  std::string out;
  StringWriter w(&out);
  Result<uint64_t> n = Decrypt(in, w, k);
  ASSERT_OK(n);
  EXPECT_TRUE(out == plain);
  // 160 kB of header through a 64 KiB buffer: a handful of reads, not 40,000.
  EXPECT_LT(in.reads, 20u);
}

}  // namespace
}  // namespace genomefed::crypt4gh
