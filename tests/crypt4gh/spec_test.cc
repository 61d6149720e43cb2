// Issue 22 point 4: what the Crypt4GH v1 text says about padded header packets, empty edit
// lists and packet types it does not define.
#include <string>

#include "crypt4gh/header.h"
#include "crypt4gh/stream.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

using testing::DecryptString;
using testing::EncryptString;
using testing::NewKeys;
using testing::RandomBytes;

void PutLe32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutLe64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A file whose body is `plain` encrypted normally, with a header made of `payloads` (each
// sealed for `reader`), so that tests control every decrypted packet byte.
struct Crafted {
  std::string plain;
  KeyPair reader = NewKeys();
  std::string body;
  std::vector<uint8_t> data_key;

  explicit Crafted(std::string p) : plain(std::move(p)) {
    EncryptOptions o;
    o.recipients = {reader.public_key};
    Result<std::string> file = EncryptString(plain, o);
    EXPECT_TRUE(file.ok());
    Result<EncryptedHeader> h = ParseHeader(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file->data()), file->size()));
    EXPECT_TRUE(h.ok());
    Result<DecryptedHeader> d = DecryptHeader(*h, reader);
    EXPECT_TRUE(d.ok());
    data_key.assign(d->content.data_keys[0].bytes().begin(), d->content.data_keys[0].bytes().end());
    body = file->substr(h->size);
  }
  std::vector<uint8_t> KeyPayload(size_t padding = 0) const {
    std::vector<uint8_t> p;
    PutLe32(p, kPacketTypeDataEncryptionParameters);
    PutLe32(p, kDataMethodChaCha20Poly1305);
    p.insert(p.end(), data_key.begin(), data_key.end());
    p.resize(p.size() + padding, 0);
    return p;
  }
  static std::vector<uint8_t> EditPayload(const std::vector<uint64_t>& lengths, size_t padding) {
    std::vector<uint8_t> p;
    PutLe32(p, kPacketTypeDataEditList);
    PutLe32(p, static_cast<uint32_t>(lengths.size()));
    for (uint64_t v : lengths) PutLe64(p, v);
    p.resize(p.size() + padding, 0);
    return p;
  }
  std::string File(const std::vector<std::vector<uint8_t>>& payloads) const {
    KeyPair writer = NewKeys();
    std::vector<HeaderPacket> packets;
    for (const auto& p : payloads) {
      Result<HeaderPacket> packet = SealPacket(p, writer, reader.public_key);
      EXPECT_TRUE(packet.ok());
      packets.push_back(*packet);
    }
    return SerializeHeader(packets) + body;
  }
};

// "it is permitted for the packet_length to be longer than strictly needed to encode all of the
// packet data. Any remaining space after the actual data should be padded ... and encrypted."
TEST(Spec, PaddedHeaderPacketsAreAccepted) {
  Crafted c(RandomBytes(100000, 81));
  Result<std::string> keys_only = DecryptString(c.File({c.KeyPayload(29)}), c.reader);
  ASSERT_OK(keys_only);
  EXPECT_TRUE(*keys_only == c.plain);
  Result<std::string> edited =
      DecryptString(c.File({c.KeyPayload(3), Crafted::EditPayload({5, 70000, 10}, 40)}), c.reader);
  ASSERT_OK(edited);
  EXPECT_TRUE(*edited == c.plain.substr(5, 70000) + c.plain.substr(70015));
  // Shorter than the content is still an error.
  std::vector<uint8_t> cut = Crafted::EditPayload({1, 2, 3}, 0);
  cut.resize(cut.size() - 8);
  EXPECT_EQ(DecryptString(c.File({c.KeyPayload(), cut}), c.reader).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<uint8_t> short_key = c.KeyPayload();
  short_key.pop_back();
  EXPECT_EQ(DecryptString(c.File({short_key}), c.reader).status().code(),
            StatusCode::kInvalidArgument);
}

// ApplyEditList: "If IsEmpty(edlist) return input -- Trivial case with no edit list".
TEST(Spec, EmptyEditListKeepsTheWholeFile) {
  Crafted c(RandomBytes(3 * 65536 + 7, 82));
  std::string file = c.File({c.KeyPayload(), Crafted::EditPayload({}, 0)});
  Result<std::string> all = DecryptString(file, c.reader);
  ASSERT_OK(all);
  EXPECT_TRUE(*all == c.plain);
  // Ranges over it are ranges of the whole file.
  DecryptOptions range;
  range.range = ByteRange{65530, 65546};
  Result<std::string> part = DecryptString(file, c.reader, range);
  ASSERT_OK(part);
  EXPECT_EQ(*part, c.plain.substr(65530, 16));
  // And SelectIntervals agrees with the algorithm for the other shapes.
  Result<std::vector<Interval>> iv = SelectIntervals(std::vector<uint64_t>{}, ByteRange{});
  ASSERT_OK(iv);
  ASSERT_EQ(iv->size(), 1u);
  EXPECT_EQ((*iv)[0].start, 0u);
  Result<std::string> odd =
      DecryptString(c.File({c.KeyPayload(), Crafted::EditPayload({10}, 0)}), c.reader);
  ASSERT_OK(odd);
  EXPECT_TRUE(*odd == c.plain.substr(10));
  Result<std::string> nothing =
      DecryptString(c.File({c.KeyPayload(), Crafted::EditPayload({0, 0}, 0)}), c.reader);
  ASSERT_OK(nothing);
  EXPECT_TRUE(nothing->empty());
}

// v1 defines packet types 0 and 1; an opened packet of another type is refused (as the
// reference implementation does), not silently skipped.
TEST(Spec, UnknownPacketTypeIsRefused) {
  Crafted c(RandomBytes(1000, 83));
  std::vector<uint8_t> unknown;
  PutLe32(unknown, 7);
  PutLe32(unknown, 0);
  Result<std::string> out = DecryptString(c.File({c.KeyPayload(), unknown}), c.reader);
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("packet type 7"), std::string::npos)
      << out.status().message();
}

}  // namespace
}  // namespace genomefed::crypt4gh
