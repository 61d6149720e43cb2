// The Crypt4GH v1 header (GA4GH Crypt4GH file format, version 1):
//   "crypt4gh" | u32le version = 1 | u32le packet count | packets
//   packet   = u32le length (including itself) | u32le method (0 = X25519_chacha20_ietf_poly1305)
//              | writer public key (32) | nonce (12) | sealed payload | MAC (16)
//   payload  = u32le type | type 0 (data encryption parameters): u32le method (0 =
//              chacha20_ietf_poly1305) | data key (32)
//                         | type 1 (data edit list): u32le count | count x u64le lengths
// Each packet is sealed to one reader with the X25519/BLAKE2b shared key of cipher.h. A file for
// several recipients simply carries each packet once per recipient. Readers skip packets they
// cannot open (other recipients, unknown methods) and fail only when none is theirs. Opened
// payloads may be longer than their content (the standard allows padded packets: the extra
// bytes are ignored); an opened payload of a type v1 does not define is refused.
//
// Parsing treats the bytes as untrusted: sizes are bounded, every failure is a Status saying
// what and at which offset, nothing throws or asserts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"

namespace genomefed::crypt4gh {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kPacketX25519ChaCha20Poly1305 = 0;
inline constexpr uint32_t kPacketTypeDataEncryptionParameters = 0;
inline constexpr uint32_t kPacketTypeDataEditList = 1;
inline constexpr uint32_t kDataMethodChaCha20Poly1305 = 0;
// Bounds for untrusted headers: real headers hold a few packets of ~100 bytes.
inline constexpr uint32_t kMaxPacketSize = 1u << 20;
inline constexpr uint64_t kMaxHeaderSize = 16u << 20;

// One packet as stored: its complete bytes, length prefix included.
struct HeaderPacket {
  uint32_t method = 0;
  std::vector<uint8_t> bytes;
};

// A parsed (still encrypted) header.
struct EncryptedHeader {
  std::vector<HeaderPacket> packets;
  uint64_t size = 0;  // bytes of the serialised header; the body starts here
};

// Remembers X25519(own_sk, peer_pk) results, keyed by both public keys, so that a service that
// re-encrypts many headers with one key pair (the archive) pays the ~30 us scalar multiplication
// once per peer key (per stored file's writer, per requester) instead of once per packet.
// Bounded LRU; entries are wiped on eviction and destruction. Thread-safe.
class X25519Cache {
 public:
  explicit X25519Cache(size_t capacity = 4096);
  ~X25519Cache();
  X25519Cache(const X25519Cache&) = delete;
  X25519Cache& operator=(const X25519Cache&) = delete;

  bool Lookup(const PublicKey& own, const PublicKey& peer, uint8_t dh[kKeySize]);
  void Insert(const PublicKey& own, const PublicKey& peer, const uint8_t dh[kKeySize]);
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads the header from the front of a stream, leaving the reader at the first body byte.
Result<EncryptedHeader> ReadHeader(Reader& in);
// Parses a header at the front of `bytes` (which may continue with the body). The fuzz target.
Result<EncryptedHeader> ParseHeader(std::span<const uint8_t> bytes);
// Serialises packets (each with its length prefix) into a header.
std::string SerializeHeader(const std::vector<HeaderPacket>& packets);

// What the packets addressed to one reader say.
struct HeaderContent {
  std::vector<SecretKey> data_keys;                // at least one after a successful decryption
  std::optional<std::vector<uint64_t>> edit_list;  // skip, keep, skip, keep, ...
};

struct DecryptedHeader {
  HeaderContent content;
  std::vector<SecretBytes> payloads;  // every opened payload, in order (re-encryption copies them)
  std::vector<size_t> foreign;        // indices of packets that were not ours
  std::vector<PublicKey> writers;     // writer public key of each opened packet
};

// Opens the packets addressed to `reader`. With `sender_pk`, packets written by any other key
// are treated as not ours (the reference tool's --sender-pk check). Fails with
// kPermissionDenied when no packet opens, kInvalidArgument / kUnimplemented for malformed or
// unsupported content (two edit lists, unknown data cipher).
Result<DecryptedHeader> DecryptHeader(const EncryptedHeader& header, const KeyPair& reader,
                                      const std::optional<PublicKey>& sender_pk = std::nullopt,
                                      X25519Cache* cache = nullptr);

// Seals one payload for one recipient into a packet.
Result<HeaderPacket> SealPacket(std::span<const uint8_t> payload, const KeyPair& writer,
                                const PublicKey& recipient);

// The payloads for `content`: one data-key packet per key and an edit list if present.
std::vector<SecretBytes> EncodeContent(const HeaderContent& content);

// A complete header for the recipients (each gets every payload of `content`).
Result<std::string> BuildHeader(const HeaderContent& content, const KeyPair& writer,
                                std::span<const PublicKey> recipients,
                                X25519Cache* cache = nullptr);
// The size BuildHeader's result has for `content` and `recipients` recipients (sizes of HTTP
// responses before any byte is written).
uint64_t HeaderSizeFor(const HeaderContent& content, size_t recipients);

struct ReencryptOptions {
  std::optional<PublicKey> sender_pk;  // only trust packets written by this key
  bool trim = false;                   // drop packets that were not ours instead of keeping them
  X25519Cache* cache = nullptr;        // optional, for services re-encrypting many headers
};

// A new header with the reader's packets re-sealed for `recipients` (written by `writer`); the
// body is unchanged and stays valid. This is what the archive does for every download.
Result<std::string> ReencryptHeader(const EncryptedHeader& header, const KeyPair& reader,
                                    const KeyPair& writer, std::span<const PublicKey> recipients,
                                    const ReencryptOptions& options = {});

}  // namespace genomefed::crypt4gh
