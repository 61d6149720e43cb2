#include "crypt4gh/archive.h"

#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "crypt4gh/header.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

namespace fs = std::filesystem;
using ::genomefed::testing::TempDir;
using testing::DecryptString;
using testing::NewKeys;
using testing::RandomBytes;
using testing::Sha256Of;

struct Node {
  TempDir dir;
  KeyPair keys;
  fs::path archive() const { return dir / "archive"; }
  Node() {
    Result<PublicKey> pk = EnsureNodeKeys(dir / "keys");
    EXPECT_TRUE(pk.ok()) << pk.status().ToString();
    Result<KeyPair> loaded = LoadNodeKeys(dir / "keys");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    keys = std::move(loaded).value();
    EXPECT_EQ(keys.public_key, *pk);
  }
  ArchiveEntry Add(const std::string& name, const std::string& content) {
    EXPECT_TRUE(WriteFileAtomic(dir / name, content).ok());
    Result<ArchiveEntry> e = ArchiveFile(archive(), dir / name, keys);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
};

TEST(NodeKeys, CreatedOnceWithPrivatePermissions) {
  TempDir dir;
  Result<PublicKey> first = EnsureNodeKeys(dir / "keys");
  ASSERT_OK(first);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "keys" / "node.sec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<PublicKey> again = EnsureNodeKeys(dir / "keys");
  ASSERT_OK(again);
  EXPECT_EQ(*first, *again);
  // A public key that does not belong to the secret key is refused, not silently replaced.
  KeyPair other = NewKeys();
  ASSERT_OK(WriteFileAtomic(dir / "keys" / "node.pub", FormatPublicKey(other.public_key)));
  EXPECT_EQ(EnsureNodeKeys(dir / "keys").status().code(), StatusCode::kCorruption);
}

TEST(Archive, StoresHeaderAndBodyApartWithChecksums) {
  Node node;
  std::string content = RandomBytes(3 * 65536 + 123, 1);
  ArchiveEntry e = node.Add("sample.vcf.gz", content);
  EXPECT_EQ(e.id, Sha256Of(content));
  EXPECT_EQ(e.plaintext_sha256, Sha256Of(content));
  EXPECT_EQ(e.original_name, "sample.vcf.gz");
  EXPECT_EQ(e.plaintext_size, content.size());
  EXPECT_EQ(e.body_size, BodySizeFor(content.size()));
  Result<std::string> header = ReadFile(e.header_path());
  Result<std::string> body = ReadFile(e.body_path());
  ASSERT_OK(header);
  ASSERT_OK(body);
  EXPECT_EQ(header->size(), e.header_size);
  EXPECT_EQ(Sha256Of(*body), e.body_sha256);
  EXPECT_EQ(body->find(content.substr(0, 64)), std::string::npos);  // no plaintext stored
  Result<std::string> plain = DecryptString(*header + *body, node.keys);
  ASSERT_OK(plain);
  EXPECT_TRUE(*plain == content);
  EXPECT_OK(VerifyEntry(e, node.keys));

  Result<std::vector<ArchiveEntry>> all = ListArchive(node.archive());
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, e.id);
  Result<ArchiveEntry> got = GetArchiveEntry(node.archive(), e.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->body_sha256, e.body_sha256);
  EXPECT_EQ(GetArchiveEntry(node.archive(), std::string(64, 'a')).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(GetArchiveEntry(node.archive(), "../etc").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Archive, SameContentTwiceIsOneEntry) {
  Node node;
  ArchiveEntry a = node.Add("a.vcf", "same bytes\n");
  ArchiveEntry b = node.Add("b.vcf", "same bytes\n");
  EXPECT_EQ(a.id, b.id);
  ArchiveEntry c = node.Add("c.vcf", "");
  EXPECT_EQ(c.plaintext_size, 0u);
  EXPECT_EQ(c.body_size, 0u);
  Result<std::vector<ArchiveEntry>> all = ListArchive(node.archive());
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 2u);
}

TEST(Archive, RequesterGetsReencryptedHeaderAndTheStoredBody) {
  Node node;
  std::string content = RandomBytes(200000, 2);
  ArchiveEntry e = node.Add("x.bcf", content);
  KeyPair requester = NewKeys();
  std::string copy;
  StringWriter w(&copy);
  ASSERT_OK(WriteForRecipient(e, node.keys, requester.public_key, w));
  EXPECT_EQ(copy.size(), e.recipient_file_size());
  Result<std::string> body = ReadFile(e.body_path());
  ASSERT_OK(body);
  EXPECT_EQ(copy.substr(copy.size() - body->size()), *body);  // body untouched
  DecryptOptions opts;
  opts.sender_pk = node.keys.public_key;  // the node signs as the writer
  Result<std::string> plain = DecryptString(copy, requester, opts);
  ASSERT_OK(plain);
  EXPECT_TRUE(*plain == content);
  // The node's own key does not open the requester's copy: its packet was not passed on.
  EXPECT_EQ(DecryptString(copy, node.keys).status().code(), StatusCode::kPermissionDenied);

  // Through the Reader seam, as an HTTP body would stream it.
  Result<std::unique_ptr<Reader>> reader = OpenForRecipient(e, node.keys, requester.public_key);
  ASSERT_OK(reader);
  std::string plain2;
  StringWriter w2(&plain2);
  ASSERT_OK(Decrypt(**reader, w2, requester));
  EXPECT_TRUE(plain2 == content);
}

TEST(Archive, CachedReencryptionGivesTheSameAnswer) {
  Node node;
  std::string content = RandomBytes(100000, 5);
  ArchiveEntry e = node.Add("c.vcf", content);
  ArchiveEntry f = node.Add("d.vcf", content + "x");
  KeyPair r1 = NewKeys(), r2 = NewKeys();
  for (size_t capacity : {size_t{4096}, size_t{1}}) {
    X25519Cache cache(capacity);
    for (int round = 0; round < 2; ++round) {
      for (const ArchiveEntry* entry : {&e, &f}) {
        for (const KeyPair* r : {&r1, &r2}) {
          std::string copy;
          StringWriter w(&copy);
          ASSERT_OK(WriteForRecipient(*entry, node.keys, r->public_key, w, {}, &cache));
          Result<std::string> plain = DecryptString(copy, *r);
          ASSERT_OK(plain);
          EXPECT_EQ(plain->size(), entry->plaintext_size);
          EXPECT_EQ(DecryptString(copy, entry == &e ? r2 : r1).ok(),
                    r == (entry == &e ? &r2 : &r1));
        }
      }
    }
    // Two stored files' writer keys and two requesters, or the bound.
    EXPECT_EQ(cache.size(), std::min<size_t>(capacity, 4));
  }
}

TEST(Archive, RangeForRequesterSendsOnlyNeededSegments) {
  Node node;
  std::string content = RandomBytes(10 * 65536, 3);
  ArchiveEntry e = node.Add("big.vcf", content);
  KeyPair requester = NewKeys();
  std::string copy;
  StringWriter w(&copy);
  ByteRange range{4 * 65536 + 10, 5 * 65536 + 20};
  ASSERT_OK(WriteForRecipient(e, node.keys, requester.public_key, w, range));
  EXPECT_LT(copy.size(), 3 * kCipherSegmentSize);
  Result<std::string> plain = DecryptString(copy, requester);
  ASSERT_OK(plain);
  EXPECT_TRUE(*plain == content.substr(range.start, *range.end - range.start));

  std::string direct;
  StringWriter dw(&direct);
  Result<uint64_t> n = DecryptEntry(e, node.keys, dw, range);
  ASSERT_OK(n);
  EXPECT_TRUE(direct == *plain);
}

// A reader that fails part-way, as a dying disk or a killed upload would.
class FailingReader final : public Reader {
 public:
  explicit FailingReader(size_t fail_after) : fail_after_(fail_after) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (done_ >= fail_after_) return IOError("injected read failure");
    size_t n = std::min(out.size(), fail_after_ - done_);
    std::fill_n(out.data(), n, uint8_t{7});
    done_ += n;
    return n;
  }

 private:
  size_t fail_after_;
  size_t done_ = 0;
};

TEST(Archive, InterruptedWriteLeavesNoEntry) {
  Node node;
  FailingReader in(5 * 65536 + 3);
  Result<ArchiveEntry> e = ArchiveStream(node.archive(), in, "broken.vcf", node.keys);
  EXPECT_EQ(e.status().code(), StatusCode::kIOError);
  Result<std::vector<ArchiveEntry>> all = ListArchive(node.archive());
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
  for (const auto& d : fs::directory_iterator(node.archive())) {
    ADD_FAILURE() << "left behind: " << d.path();
  }
  // A staging directory left by a crash (no cleanup ran) is not listed either.
  fs::create_directories(node.archive() / ".incoming-123");
  ASSERT_OK(WriteFileAtomic(node.archive() / ".incoming-123" / "entry.json", "{}"));
  all = ListArchive(node.archive());
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
}

TEST(Archive, VerifyDetectsDamageAndTruncation) {
  Node node;
  std::string content = RandomBytes(2 * 65536 + 10, 4);
  ArchiveEntry e = node.Add("v.vcf", content);
  Result<std::string> body = ReadFile(e.body_path());
  ASSERT_OK(body);
  std::string damaged = *body;
  damaged[70000] ^= 4;
  ASSERT_OK(WriteFileAtomic(e.body_path(), damaged));
  EXPECT_EQ(VerifyEntry(e, node.keys).code(), StatusCode::kCorruption);
  // Cut at a segment boundary: the format alone cannot see it, the recorded checksums do.
  ASSERT_OK(WriteFileAtomic(e.body_path(), body->substr(0, 2 * kCipherSegmentSize)));
  EXPECT_EQ(VerifyEntry(e, node.keys).code(), StatusCode::kCorruption);
  ASSERT_OK(WriteFileAtomic(e.body_path(), *body));
  EXPECT_OK(VerifyEntry(e, node.keys));
}

// --- issue 22 point 3: tampered entries are refused by every reader --------------------------

// Runs every reader of an entry and returns the status codes of those that failed; the
// recipient-facing ones must also have written nothing past the failing segment.
struct ReaderOutcomes {
  StatusCode whole = StatusCode::kOk;
  StatusCode range = StatusCode::kOk;
  StatusCode open = StatusCode::kOk;
  StatusCode decrypt = StatusCode::kOk;
  StatusCode verify = StatusCode::kOk;
  StatusCode header = StatusCode::kOk;
  std::string message;  // of the whole-file copy
};

ReaderOutcomes RunReaders(const fs::path& archive, const std::string& id, const KeyPair& node) {
  ReaderOutcomes o;
  Result<ArchiveEntry> e = GetArchiveEntry(archive, id);
  if (!e.ok()) {
    o.whole = o.range = o.open = o.decrypt = o.verify = o.header = e.status().code();
    o.message = e.status().message();
    return o;
  }
  KeyPair requester = NewKeys();
  std::string sink;
  StringWriter w(&sink);
  Result<uint64_t> whole = WriteRangesForRecipient(*e, node, requester.public_key, {}, w);
  o.whole = whole.status().code();
  o.message = whole.status().message();
  std::vector<ByteRange> ranges = {{65536 + 5, 3 * 65536 + 5}};
  o.range = WriteRangesForRecipient(*e, node, requester.public_key, ranges, w).status().code();
  Result<std::unique_ptr<Reader>> r = OpenForRecipient(*e, node, requester.public_key);
  if (!r.ok()) {
    o.open = r.status().code();
  } else {
    std::vector<uint8_t> buf(1 << 16);
    while (true) {
      Result<size_t> n = (*r)->Read(buf);
      if (!n.ok()) {
        o.open = n.status().code();
        break;
      }
      if (*n == 0) break;
    }
  }
  NullWriter null;
  o.decrypt = DecryptEntry(*e, node, null).status().code();
  o.verify = VerifyEntry(*e, node).code();
  o.header = HeaderForRecipient(*e, node, requester.public_key).status().code();
  return o;
}

class Tampered : public ::testing::Test {
 protected:
  void SetUp() override {
    content_ = RandomBytes(5 * 65536 + 999, 22);
    entry_ = node_.Add("t.vcf", content_);
    ReaderOutcomes clean = RunReaders(node_.archive(), entry_.id, node_.keys);
    ASSERT_EQ(clean.whole, StatusCode::kOk) << clean.message;
    ASSERT_EQ(clean.range, StatusCode::kOk);
    ASSERT_EQ(clean.open, StatusCode::kOk);
    ASSERT_EQ(clean.decrypt, StatusCode::kOk);
    ASSERT_EQ(clean.verify, StatusCode::kOk);
    Result<std::string> body = ReadFile(entry_.body_path());
    ASSERT_OK(body);
    body_ = *body;
  }
  void ExpectBodyReadersRefuse(StatusCode code) {
    ReaderOutcomes o = RunReaders(node_.archive(), entry_.id, node_.keys);
    EXPECT_EQ(o.whole, code) << o.message;
    EXPECT_EQ(o.range, code);
    EXPECT_EQ(o.open, code);
    EXPECT_EQ(o.decrypt, code);
    EXPECT_EQ(o.verify, code);
  }
  void ExpectAllReadersRefuse(StatusCode code) {
    ExpectBodyReadersRefuse(code);
    EXPECT_EQ(RunReaders(node_.archive(), entry_.id, node_.keys).header, code);
  }
  std::string Segment(size_t i) { return body_.substr(i * kCipherSegmentSize, kCipherSegmentSize); }
  Node node_;
  std::string content_;
  std::string body_;
  ArchiveEntry entry_;
};

TEST_F(Tampered, ReorderedSegmentsAreRefused) {
  std::string swapped = Segment(0) + Segment(2) + Segment(1) + body_.substr(3 * kCipherSegmentSize);
  ASSERT_EQ(swapped.size(), body_.size());
  ASSERT_OK(WriteFileAtomic(entry_.body_path(), swapped));
  ExpectBodyReadersRefuse(StatusCode::kCorruption);
  // Nothing past the first bad segment leaves: the whole copy stops before segment 1's bytes.
  KeyPair requester = NewKeys();
  std::string out;
  StringWriter w(&out);
  ASSERT_FALSE(WriteRangesForRecipient(entry_, node_.keys, requester.public_key, {}, w).ok());
  EXPECT_EQ(out.find(Segment(2).substr(0, 64)), std::string::npos);
}

TEST_F(Tampered, CutBodyIsRefusedBeforeAnythingIsSent) {
  // Cut exactly at a segment boundary: valid Crypt4GH, but not the recorded body.
  ASSERT_OK(WriteFileAtomic(entry_.body_path(), body_.substr(0, 3 * kCipherSegmentSize)));
  ExpectBodyReadersRefuse(StatusCode::kCorruption);
  KeyPair requester = NewKeys();
  std::string out;
  StringWriter w(&out);
  EXPECT_FALSE(WriteRangesForRecipient(entry_, node_.keys, requester.public_key, {}, w).ok());
  EXPECT_TRUE(out.empty());
  // Cutting entry.json's recorded size to match is caught by the entry MAC.
  Result<std::string> meta = ReadFile(entry_.dir / "entry.json");
  ASSERT_OK(meta);
  std::string edited = *meta;
  std::string from = "\"body_size\": " + std::to_string(entry_.body_size);
  ASSERT_NE(edited.find(from), std::string::npos);
  edited.replace(edited.find(from), from.size(),
                 "\"body_size\": " + std::to_string(3 * kCipherSegmentSize));
  ASSERT_OK(WriteFileAtomic(entry_.dir / "entry.json", edited));
  ExpectAllReadersRefuse(StatusCode::kCorruption);
}

TEST_F(Tampered, DuplicatedSegmentIsRefused) {
  std::string dup = Segment(0) + Segment(0) + body_.substr(2 * kCipherSegmentSize);
  ASSERT_OK(WriteFileAtomic(entry_.body_path(), dup));
  ExpectBodyReadersRefuse(StatusCode::kCorruption);
}

TEST_F(Tampered, InjectedEditListPacketIsNeverResealed) {
  // Anyone with node.pub can seal a packet for the node: an edit list hiding nothing but
  // vouched for by the node if it were re-sealed.
  Result<std::string> header_text = ReadFile(entry_.header_path());
  ASSERT_OK(header_text);
  Result<EncryptedHeader> header = ParseHeader(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(header_text->data()), header_text->size()));
  ASSERT_OK(header);
  HeaderContent edit;
  edit.data_keys.emplace_back();
  edit.edit_list = std::vector<uint64_t>{0, 10};
  std::vector<SecretBytes> payloads = EncodeContent(edit);
  KeyPair attacker = NewKeys();
  Result<HeaderPacket> injected =
      SealPacket(payloads.back().bytes(), attacker, node_.keys.public_key);
  ASSERT_OK(injected);
  header->packets.push_back(*injected);
  std::string forged = SerializeHeader(header->packets);
  ASSERT_OK(WriteFileAtomic(entry_.header_path(), forged));
  ExpectAllReadersRefuse(StatusCode::kCorruption);
  // Even with entry.json's header size edited to match.
  Result<std::string> meta = ReadFile(entry_.dir / "entry.json");
  ASSERT_OK(meta);
  std::string edited = *meta;
  std::string from = "\"header_size\": " + std::to_string(entry_.header_size);
  ASSERT_NE(edited.find(from), std::string::npos);
  edited.replace(edited.find(from), from.size(),
                 "\"header_size\": " + std::to_string(forged.size()));
  ASSERT_OK(WriteFileAtomic(entry_.dir / "entry.json", edited));
  ExpectAllReadersRefuse(StatusCode::kCorruption);
}

TEST_F(Tampered, AlteredMetadataAndMacFileAreRefused) {
  Result<std::string> meta = ReadFile(entry_.dir / "entry.json");
  ASSERT_OK(meta);
  std::string edited = *meta;
  std::string from = "\"plaintext_size\": " + std::to_string(entry_.plaintext_size);
  ASSERT_NE(edited.find(from), std::string::npos);
  edited.replace(edited.find(from), from.size(), "\"plaintext_size\": 10");
  ASSERT_OK(WriteFileAtomic(entry_.dir / "entry.json", edited));
  ExpectAllReadersRefuse(StatusCode::kCorruption);
  ASSERT_OK(WriteFileAtomic(entry_.dir / "entry.json", *meta));
  Result<std::string> macs = ReadFile(entry_.mac_path());
  ASSERT_OK(macs);
  std::string bad = *macs;
  bad[40] ^= 1;  // segment 1's MAC
  ASSERT_OK(WriteFileAtomic(entry_.mac_path(), bad));
  ExpectBodyReadersRefuse(StatusCode::kCorruption);
  ASSERT_OK(WriteFileAtomic(entry_.mac_path(), macs->substr(0, 64)));
  ExpectBodyReadersRefuse(StatusCode::kCorruption);
  ASSERT_OK(WriteFileAtomic(entry_.mac_path(), *macs));
  EXPECT_EQ(RunReaders(node_.archive(), entry_.id, node_.keys).verify, StatusCode::kOk);
}

TEST_F(Tampered, AnotherNodesKeyCannotServeTheEntry) {
  Node other;
  Result<ArchiveEntry> e = GetArchiveEntry(node_.archive(), entry_.id);
  ASSERT_OK(e);
  EXPECT_EQ(VerifyEntry(*e, other.keys).code(), StatusCode::kCorruption);
}

TEST_F(Tampered, FormatOneEntriesAskToBeIngestedAgain) {
  Result<std::string> meta = ReadFile(entry_.dir / "entry.json");
  ASSERT_OK(meta);
  std::string old = *meta;
  old.replace(old.find("\"version\": 2"), 12, "\"version\": 1");
  ASSERT_OK(WriteFileAtomic(entry_.dir / "entry.json", old));
  Result<std::vector<ArchiveEntry>> all = ListArchive(node_.archive());
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);  // still listed
  ReaderOutcomes o = RunReaders(node_.archive(), entry_.id, node_.keys);
  EXPECT_EQ(o.whole, StatusCode::kFailedPrecondition);
  EXPECT_NE(o.message.find("ingest the original file again"), std::string::npos) << o.message;
  EXPECT_EQ(o.decrypt, StatusCode::kFailedPrecondition);
  EXPECT_EQ(o.verify, StatusCode::kFailedPrecondition);
  // Ingesting the same content again upgrades it to a served format-2 entry.
  ArchiveEntry again = node_.Add("t.vcf", content_);
  EXPECT_EQ(again.format_version, kArchiveEntryFormat);
  EXPECT_EQ(again.id, entry_.id);
  EXPECT_EQ(RunReaders(node_.archive(), entry_.id, node_.keys).verify, StatusCode::kOk);
  all = ListArchive(node_.archive());
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
  for (const auto& d : fs::directory_iterator(node_.archive())) {
    EXPECT_EQ(d.path().filename().string(), entry_.id) << "left behind: " << d.path();
  }
}

}  // namespace
}  // namespace genomefed::crypt4gh
