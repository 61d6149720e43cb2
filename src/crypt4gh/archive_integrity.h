// Integrity of the node's Crypt4GH archive entries (genomefed archive entry format 2, see
// docs/formats/crypt4gh-archive.md). Crypt4GH v1 authenticates each header packet and each body
// segment on its own, but not their order or number: segments can be removed, duplicated or
// reordered, and anyone holding the node's public key can add header packets (e.g. an edit
// list). The archive therefore records, at ingest, a MAC of every stored segment bound to its
// index and a MAC of the entry's sizes and checksums, all keyed by a key only the node can
// derive (from its secret key and the stored header bytes). Readers check the entry MAC before
// serving and each segment's MAC before any of its bytes leave, in constant memory.
//
//   K_archive = BLAKE2b-256(key = node secret key, "genomefed crypt4gh archive integrity v2")
//   K_entry   = BLAKE2b-256(key = K_archive, header.c4gh bytes)
//   segment i = BLAKE2b-256(key = K_entry, u64le i | stored segment bytes)   -> segments.mac
//   entry MAC = BLAKE2b-256(key = K_entry, "entry" | id | u64le plaintext_size |
//                           plaintext_sha256 | u64le header_size | u64le body_size |
//                           body_sha256 | u64le segment count)              -> entry.json
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"

namespace genomefed::crypt4gh {

struct ArchiveEntry;

inline constexpr size_t kSegmentMacSize = 32;

// K_entry for a stored header.
SecretKey EntryIntegrityKey(const KeyPair& node, std::span<const uint8_t> header);

// The MAC of stored segment `index`.
std::array<uint8_t, kSegmentMacSize> SegmentMac(const SecretKey& entry_key, uint64_t index,
                                                std::span<const uint8_t> segment);

// The entry MAC over the recorded fields of `entry`, in lower-case hex.
std::string EntryMacHex(const SecretKey& entry_key, const ArchiveEntry& entry);

// Passes body bytes through to `body` and writes the MAC of every complete 64 KiB + 28 segment
// (and of the last, shorter one at Finish) to `macs`. The key is read from `header` (the header
// bytes) when the first body byte arrives: the encryptor writes the whole header first.
class SegmentMacWriter final : public Writer {
 public:
  SegmentMacWriter(Writer* body, Writer* macs, const KeyPair* node, const std::string* header);
  ~SegmentMacWriter() override;
  Status Write(std::span<const uint8_t> data) override;
  using Writer::Write;
  Status Finish();  // MACs the last partial segment
  uint64_t segments() const { return index_; }

 private:
  Status EndSegment();
  struct State;
  std::unique_ptr<State> state_;
  Writer* body_;
  Writer* macs_;
  const KeyPair* node_;
  const std::string* header_;
  uint64_t index_ = 0;
  uint64_t in_segment_ = 0;
};

// Reads body.c4gh of an entry, releasing each segment only after its recorded MAC matched, and
// failing (kCorruption) on a cut, a mismatch or extra bytes. Skip() seeks over whole segments
// without reading them, so range access stays cheap. Memory: one segment.
class VerifiedBodyReader final : public Reader {
 public:
  // Checks the sizes of body.c4gh and segments.mac against the entry before anything is read.
  static Result<std::unique_ptr<VerifiedBodyReader>> Open(const ArchiveEntry& entry,
                                                          SecretKey entry_key);
  ~VerifiedBodyReader() override;
  Result<size_t> Read(std::span<uint8_t> out) override;
  Result<uint64_t> Skip(uint64_t n) override;

 private:
  VerifiedBodyReader() = default;
  Status LoadNext();
  std::unique_ptr<FdReader> body_;
  std::unique_ptr<FdReader> macs_;
  SecretKey key_;
  std::string id_;
  uint64_t body_size_ = 0;
  uint64_t segments_ = 0;
  uint64_t next_ = 0;  // index of the next segment to load
  std::vector<uint8_t> segment_;
  size_t filled_ = 0;
  size_t consumed_ = 0;
};

}  // namespace genomefed::crypt4gh
