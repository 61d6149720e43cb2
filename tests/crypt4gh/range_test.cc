// Issue 22 point 1: a range means only that range leaves. `encrypt --range` (EncryptOptions::
// range) and the archive's range copies (WriteRangesForRecipient, the htsget/DRS path) carry
// only the 64 KiB segments that overlap the ranges, plus the edit list trimming them.
#include <string>

#include "core/file.h"
#include "crypt4gh/archive.h"
#include "crypt4gh/header.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

namespace fs = std::filesystem;
using ::genomefed::testing::SharedDir;
using ::genomefed::testing::TempDir;
using testing::DecryptString;
using testing::EncryptString;
using testing::NewKeys;
using testing::RandomBytes;

// Ciphertext bytes of the segments [first, last] of a plaintext of `size` bytes.
uint64_t SegmentBytes(uint64_t size, uint64_t first, uint64_t last) {
  uint64_t end = std::min<uint64_t>(size, (last + 1) * kSegmentSize);
  return BodySizeFor(end) - BodySizeFor(first * kSegmentSize);
}

// The body of a file (what follows its header).
uint64_t BodySizeOf(const std::string& file) {
  Result<EncryptedHeader> h = ParseHeader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? file.size() - h->size : 0;
}

TEST(EncryptRange, CarriesOnlyTheOverlappingSegments) {
  KeyPair reader = NewKeys();
  const std::string plain = RandomBytes(10 * kSegmentSize + 999, 71);
  struct Case {
    ByteRange range;
    uint64_t first, last;  // overlapping segments
  };
  for (const Case& c : {Case{{3 * 65536 + 5, 5 * 65536 + 7}, 3, 5}, Case{{70000, 140000}, 1, 2},
                        Case{{0, 10}, 0, 0}, Case{{65536, 131072}, 1, 1},
                        Case{{9 * 65536 + 100, std::nullopt}, 9, 10}}) {
    EncryptOptions options;
    options.recipients = {reader.public_key};
    options.range = c.range;
    Result<std::string> file = EncryptString(plain, options);
    ASSERT_OK(file);
    EXPECT_EQ(BodySizeOf(*file), SegmentBytes(plain.size(), c.first, c.last)) << c.range.start;
    Result<std::string> back = DecryptString(*file, reader);
    ASSERT_OK(back);
    uint64_t end = c.range.end.value_or(plain.size());
    EXPECT_TRUE(*back == plain.substr(c.range.start, end - c.range.start)) << c.range.start;
  }
  // A range after the end of the input gives an empty body and empty output.
  EncryptOptions options;
  options.recipients = {reader.public_key};
  options.range = ByteRange{20 * 65536, 20 * 65536 + 5};
  Result<std::string> file = EncryptString(plain, options);
  ASSERT_OK(file);
  EXPECT_EQ(BodySizeOf(*file), 0u);
  Result<std::string> back = DecryptString(*file, reader);
  ASSERT_OK(back);
  EXPECT_TRUE(back->empty());
  // A range cannot be combined with an explicit edit list.
  options.edit_list = std::vector<uint64_t>{1, 2};
  EXPECT_EQ(EncryptString(plain, options).status().code(), StatusCode::kInvalidArgument);
}

TEST(EncryptRange, ReferenceKeysDecryptExactlyTheRange) {
  GF_REQUIRE_SHARED("crypt4gh/bob.sec");
  Result<std::string> plain = ReadFile(SharedDir() / "crypt4gh" / "spec-v4.3.vcf.gz.plain");
  ASSERT_OK(plain);
  Result<PublicKey> bob_pk = ReadPublicKeyFile(SharedDir() / "crypt4gh" / "bob.pub");
  ASSERT_OK(bob_pk);
  Result<SecretKey> bob_sk = ReadSecretKeyFile(SharedDir() / "crypt4gh" / "bob.sec", nullptr);
  ASSERT_OK(bob_sk);
  Result<KeyPair> bob = KeyPairFromSecret(std::move(bob_sk).value());
  ASSERT_OK(bob);
  EncryptOptions options;
  options.recipients = {*bob_pk};
  ASSERT_GT(plain->size(), 200u);
  options.range = ByteRange{100, plain->size() - 50};
  Result<std::string> file = EncryptString(*plain, options);
  ASSERT_OK(file);
  Result<std::string> back = DecryptString(*file, *bob);
  ASSERT_OK(back);
  EXPECT_TRUE(*back == plain->substr(100, plain->size() - 150));
}

TEST(SelectRanges, RefusesOverlapAndDisorder) {
  std::vector<ByteRange> overlap = {{10, 20}, {15, 30}};
  EXPECT_EQ(SelectRanges(std::nullopt, overlap).status().code(), StatusCode::kInvalidArgument);
  std::vector<ByteRange> open_first = {{10, std::nullopt}, {15, 30}};
  EXPECT_EQ(SelectRanges(std::nullopt, open_first).status().code(), StatusCode::kInvalidArgument);
  std::vector<ByteRange> ok = {{10, 20}, {20, 30}, {30, 30}, {100, std::nullopt}};
  Result<std::vector<Interval>> iv = SelectRanges(std::nullopt, ok);
  ASSERT_OK(iv);
  ASSERT_EQ(iv->size(), 3u);  // the empty range selects nothing
  EXPECT_EQ((*iv)[1].start, 20u);
  EXPECT_EQ((*iv)[2].start, 100u);
}

struct Node {
  TempDir dir;
  KeyPair keys;
  Node() {
    EXPECT_TRUE(EnsureNodeKeys(dir / "keys").ok());
    Result<KeyPair> loaded = LoadNodeKeys(dir / "keys");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    keys = std::move(loaded).value();
  }
  ArchiveEntry Add(const std::string& content) {
    EXPECT_TRUE(WriteFileAtomic(dir / "in.bin", content).ok());
    Result<ArchiveEntry> e = ArchiveFile(dir / "archive", dir / "in.bin", keys);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
};

TEST(ArchiveRanges, SeveralRangesCarryOnlyTheirSegments) {
  Node node;
  const std::string content = RandomBytes(12 * kSegmentSize + 4321, 72);
  ArchiveEntry e = node.Add(content);
  KeyPair requester = NewKeys();
  std::vector<ByteRange> ranges = {{100, 200},
                                   {65536 * 3 + 1, 65536 * 4 + 2},
                                   {65536 * 4 + 10, 65536 * 4 + 20},
                                   {65536 * 11, std::nullopt}};
  std::string copy;
  StringWriter w(&copy);
  Result<uint64_t> n = WriteRangesForRecipient(e, node.keys, requester.public_key, ranges, w);
  ASSERT_OK(n);
  EXPECT_EQ(*n, copy.size());
  Result<uint64_t> predicted = RecipientCopySize(e, ranges);
  ASSERT_OK(predicted);
  EXPECT_EQ(*predicted, copy.size());
  // Segments 0, 3, 4, 11, 12: nothing else leaves.
  EXPECT_EQ(BodySizeOf(copy), SegmentBytes(content.size(), 0, 0) +
                                  SegmentBytes(content.size(), 3, 4) +
                                  SegmentBytes(content.size(), 11, 12));
  Result<std::string> plain = DecryptString(copy, requester);
  ASSERT_OK(plain);
  std::string want = content.substr(100, 100) + content.substr(65536 * 3 + 1, 65536 + 1) +
                     content.substr(65536 * 4 + 10, 10) + content.substr(65536 * 11);
  EXPECT_TRUE(*plain == want);
  // The copy is checkable against the node key (--sender-pk node.pub).
  DecryptOptions from_node;
  from_node.sender_pk = node.keys.public_key;
  EXPECT_OK(DecryptString(copy, requester, from_node).status());
}

TEST(ArchiveRanges, WholeFileAndClampedAndRefusedRanges) {
  Node node;
  const std::string content = RandomBytes(2 * kSegmentSize + 17, 73);
  ArchiveEntry e = node.Add(content);
  KeyPair requester = NewKeys();
  // No ranges: the whole file, no edit list, same size as the stored pair.
  std::string whole;
  StringWriter ww(&whole);
  ASSERT_OK(WriteRangesForRecipient(e, node.keys, requester.public_key, {}, ww));
  EXPECT_EQ(whole.size(), e.recipient_file_size());
  Result<uint64_t> whole_size = RecipientCopySize(e, {});
  ASSERT_OK(whole_size);
  EXPECT_EQ(*whole_size, whole.size());
  Result<std::string> all = DecryptString(whole, requester);
  ASSERT_OK(all);
  EXPECT_TRUE(*all == content);
  // An end past the end of the file is clamped.
  std::vector<ByteRange> past = {{2 * kSegmentSize, 10 * kSegmentSize}};
  std::string tail;
  StringWriter tw(&tail);
  ASSERT_OK(WriteRangesForRecipient(e, node.keys, requester.public_key, past, tw));
  Result<std::string> tail_plain = DecryptString(tail, requester);
  ASSERT_OK(tail_plain);
  EXPECT_EQ(*tail_plain, content.substr(2 * kSegmentSize));
  // Starting after the end, or overlapping ranges: refused before anything is written.
  for (std::vector<ByteRange> bad : {std::vector<ByteRange>{{content.size(), std::nullopt}},
                                     std::vector<ByteRange>{{5, 50}, {40, 60}}}) {
    std::string out;
    StringWriter ow(&out);
    EXPECT_EQ(WriteRangesForRecipient(e, node.keys, requester.public_key, bad, ow).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_TRUE(out.empty());
  }
}

}  // namespace
}  // namespace genomefed::crypt4gh
