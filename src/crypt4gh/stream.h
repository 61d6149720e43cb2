// Crypt4GH v1 files end to end (GA4GH Crypt4GH v1): streaming encryption and decryption with
// constant memory, byte-range access that decrypts only the segments it needs, edit lists,
// header re-encryption and rearrangement.
//
// The body is a sequence of segments, each nonce (12) | ChaCha20-IETF-Poly1305 ciphertext of up
// to 64 KiB of plaintext | MAC (16); only the last segment may be shorter. Every segment is
// authenticated before any of its plaintext is written; a MAC failure, a segment shorter than
// 28 bytes or a truncated header is an error (kCorruption / kInvalidArgument). Note that the
// format cannot tell a body cut exactly at a segment boundary from a shorter file: callers that
// know the expected size or checksum (the archive does) check it.
//
// Edit lists (skip, keep, skip, keep, ...; an odd count keeps everything after the last skip;
// an empty list keeps everything, as the standard's ApplyEditList algorithm says)
// select what a reader sees; ranges are then taken in that edited view. All functions are
// thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"

namespace genomefed::crypt4gh {

inline constexpr size_t kSegmentSize = 65536;
inline constexpr size_t kSegmentOverhead = 12 + 16;  // nonce, MAC
inline constexpr size_t kCipherSegmentSize = kSegmentSize + kSegmentOverhead;

// Ciphertext body size of a plaintext of `plaintext_size` bytes.
uint64_t BodySizeFor(uint64_t plaintext_size);

// A half-open byte range [start, end) of the (edited) plaintext; no end = to the end of file.
struct ByteRange {
  uint64_t start = 0;
  std::optional<uint64_t> end;
  bool whole() const { return start == 0 && !end; }
};

// Parses "START-END" (end excluded), "START-" or "START" as the reference tool's --range.
Result<ByteRange> ParseByteRange(std::string_view text);

// Plaintext intervals [start, end) (end = UINT64_MAX: to the end) that a reader outputs, in
// order, for an edit list and a range taken over the edited view.
struct Interval {
  uint64_t start = 0;
  uint64_t end = 0;
};
Result<std::vector<Interval>> SelectIntervals(const std::optional<std::vector<uint64_t>>& edit_list,
                                              const ByteRange& range);
// The same for several ranges of the edited view, which must be ascending and must not overlap
// (an edit list can only move forward). No ranges = the whole edited view; empty ranges select
// nothing.
Result<std::vector<Interval>> SelectRanges(const std::optional<std::vector<uint64_t>>& edit_list,
                                           std::span<const ByteRange> ranges);

// Which body segments a selection of plaintext intervals needs, and the edit list that trims the
// kept segments back to exactly the intervals: what a range copy of a file sends.
struct SegmentRun {
  uint64_t first = 0;  // segment indices, inclusive
  uint64_t last = 0;   // UINT64_MAX: to the end of the body
};
struct SlicePlan {
  std::vector<SegmentRun> runs;
  std::vector<uint64_t> edit_list;  // over the plaintext of the kept segments only
};
SlicePlan PlanSlice(const std::vector<Interval>& intervals);

struct EncryptOptions {
  std::vector<PublicKey> recipients;               // at least one
  const KeyPair* writer = nullptr;                 // nullptr: a fresh ephemeral key pair
  std::optional<std::vector<uint64_t>> edit_list;  // given to every recipient
  // Only the 64 KiB segments of the plaintext that overlap `range` are encrypted (the input is
  // skipped up to the first one and read no further than the last), with an edit list trimming
  // them to exactly the range: nothing outside the range's segments leaves. Not combinable
  // with `edit_list`.
  ByteRange range;
};

struct EncryptStats {
  uint64_t header_size = 0;
  uint64_t plaintext_size = 0;
  uint64_t body_size = 0;
};

// Encrypts `plaintext` into a complete Crypt4GH file on `out` (header, then body).
Result<EncryptStats> Encrypt(Reader& plaintext, Writer& out, const EncryptOptions& options);

// The same with the header and the body to separate writers (the archive stores them apart).
// `on_plaintext`, if set, sees every plaintext chunk (for checksums) before it is encrypted.
Result<EncryptStats> EncryptSplit(
    Reader& plaintext, Writer& header_out, Writer& body_out, const EncryptOptions& options,
    const std::function<void(std::span<const uint8_t>)>& on_plaintext = nullptr);

struct DecryptOptions {
  std::optional<PublicKey> sender_pk;  // only trust header packets written by this key
  ByteRange range;                     // of the edited plaintext
};

// Decrypts a complete Crypt4GH file. Returns the number of plaintext bytes written. On error,
// everything written so far was authenticated, but the output is incomplete: callers writing
// files should publish them only on success (AtomicFileWriter).
Result<uint64_t> Decrypt(Reader& in, Writer& out, const KeyPair& reader,
                         const DecryptOptions& options = {});

// Decrypts a body alone (the reader positioned at its first byte) with an already opened
// header. Skips (Reader::Skip) the segments outside the selection without decrypting them.
Result<uint64_t> DecryptBody(Reader& body, Writer& out, const HeaderContent& content,
                             const ByteRange& range = {});

// Re-encrypts a complete file for `recipients`: a new header written by `writer` (nullptr: an
// ephemeral key), then the body copied unchanged.
Status Reencrypt(Reader& in, Writer& out, const KeyPair& reader,
                 std::span<const PublicKey> recipients, const KeyPair* writer = nullptr,
                 const ReencryptOptions& options = {});

// Rearranges a file to `range` of its edited plaintext: keeps only the body segments that the
// range touches (copied unchanged, not decrypted) and writes a header for `recipients` whose
// edit list selects exactly the range. What htsget-style slicing of an encrypted file needs.
Status Rearrange(Reader& in, Writer& out, const KeyPair& reader, const ByteRange& range,
                 std::span<const PublicKey> recipients, const KeyPair* writer = nullptr,
                 const std::optional<PublicKey>& sender_pk = std::nullopt);

// The body part of Rearrange: given the opened header content, writes a header for recipients
// to `header_out` and the selected segments of `body` to `body_out`.
Status RearrangeBody(Reader& body, Writer& header_out, Writer& body_out,
                     const HeaderContent& content, const ByteRange& range,
                     std::span<const PublicKey> recipients, const KeyPair& writer);
// The same for several ranges (ascending, not overlapping; see SelectRanges).
Status RearrangeBodyRanges(Reader& body, Writer& header_out, Writer& body_out,
                           const HeaderContent& content, std::span<const ByteRange> ranges,
                           std::span<const PublicKey> recipients, const KeyPair& writer);

}  // namespace genomefed::crypt4gh
