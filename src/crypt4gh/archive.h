// The node's encrypted archive (GA4GH Crypt4GH v1 files, header and body stored apart).
//
// Every original file ingested at a node is kept only encrypted to the node's key. An entry is
// a directory `<archive>/<id>/` (id = SHA-256 of the plaintext, hex) holding
//   header.c4gh  the Crypt4GH header (packets for the node's key only)
//   body.c4gh    the Crypt4GH body (segments); header.c4gh + body.c4gh is a valid Crypt4GH file
//   entry.json   name, sizes, SHA-256 of the plaintext and of the body (docs/formats/
//                crypt4gh-archive.md)
// An entry is built in a hidden `.incoming-*` directory and published by one directory rename
// after fsync, so a crash leaves no half entry listed. Serving a requester only re-encrypts the
// header (node key as the writer, so requesters can check it with --sender-pk) and streams the
// stored body as is: plaintext never touches the disk.
//
// Every reader checks the entry first: format 2, header size, the entry MAC over entry.json's
// sizes and sums and the stored header (keyed by the node key, so an edited entry.json or an
// injected header packet is refused), exactly one data-key packet in the header (only the
// archive's own packet is ever re-sealed), body and MAC file sizes; then each stored segment's
// MAC before any of its bytes are served or decrypted (archive_integrity.h). Failures are
// kCorruption naming the entry and segment.
//
// Thread safety: functions are safe to call concurrently; two ArchiveFile calls of the same
// content converge on one entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypt4gh/header.h"
#include "crypt4gh/io.h"
#include "crypt4gh/keys.h"
#include "crypt4gh/stream.h"

namespace genomefed::crypt4gh {

inline constexpr std::string_view kNodeSecretKeyFile = "node.sec";
inline constexpr std::string_view kNodePublicKeyFile = "node.pub";
inline constexpr std::string_view kEntryHeaderFile = "header.c4gh";
inline constexpr std::string_view kEntryBodyFile = "body.c4gh";
inline constexpr std::string_view kEntryMetadataFile = "entry.json";
inline constexpr std::string_view kEntrySegmentMacFile = "segments.mac";
// Format 2 added the integrity record (segments.mac, entry_mac); format 1 entries are listed
// but refused by every reader (kFailedPrecondition: ingest the file again).
inline constexpr int kArchiveEntryFormat = 2;

struct ArchiveEntry {
  std::string id;             // SHA-256 of the plaintext, 64 hex digits
  std::string original_name;  // file name of the source (no directories)
  uint64_t plaintext_size = 0;
  std::string plaintext_sha256;
  uint64_t header_size = 0;
  uint64_t body_size = 0;
  std::string body_sha256;  // of body.c4gh as stored
  std::string created;      // RFC 3339 UTC
  int format_version = kArchiveEntryFormat;
  std::string entry_mac;  // archive_integrity.h; empty in format 1
  std::filesystem::path dir;

  std::filesystem::path header_path() const { return dir / kEntryHeaderFile; }
  std::filesystem::path body_path() const { return dir / kEntryBodyFile; }
  std::filesystem::path mac_path() const { return dir / kEntrySegmentMacFile; }
  // Size of the complete file a single requester receives (its header has the same packets).
  uint64_t recipient_file_size() const { return header_size + body_size; }
};

// The node key pair in `keys_dir` (node.sec, kdf none, mode 0600; node.pub): created if absent,
// otherwise loaded and checked to match. Returns the public key.
Result<PublicKey> EnsureNodeKeys(const std::filesystem::path& keys_dir);
// Loads the node key pair (node.sec) for decryption and re-encryption.
Result<KeyPair> LoadNodeKeys(const std::filesystem::path& keys_dir);

// Encrypts `source` to the node key into the archive, with its integrity record (the node's
// secret key keys the MACs), and returns its entry. Archiving the same content again returns
// the existing entry.
Result<ArchiveEntry> ArchiveFile(const std::filesystem::path& archive_dir,
                                 const std::filesystem::path& source, const KeyPair& node);
// The same from any stream; `name` is recorded as the original name.
Result<ArchiveEntry> ArchiveStream(const std::filesystem::path& archive_dir, Reader& source,
                                   std::string_view name, const KeyPair& node);

// One entry by id (kNotFound if absent, kCorruption if its metadata are damaged).
Result<ArchiveEntry> GetArchiveEntry(const std::filesystem::path& archive_dir, std::string_view id);
// Every published entry, sorted by id (in-progress `.incoming-*` directories are ignored).
Result<std::vector<ArchiveEntry>> ListArchive(const std::filesystem::path& archive_dir);

// The stored header re-encrypted for `recipient`, written by the node key. A long-lived service
// passes one X25519Cache for its node key, so that repeat requesters and files cost no scalar
// multiplication (see BENCHMARKS.md for both figures).
Result<std::string> HeaderForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                       const PublicKey& recipient, X25519Cache* cache = nullptr);

// Writes the Crypt4GH file for `recipient`: the re-encrypted header then the stored body as is.
// With a range (of the plaintext), only the body segments it touches are sent, with an edit
// list in the header selecting exactly the range (the body is still never decrypted).
Status WriteForRecipient(const ArchiveEntry& entry, const KeyPair& node, const PublicKey& recipient,
                         Writer& out, const ByteRange& range = {}, X25519Cache* cache = nullptr);

// The range path of htsget and DRS delivery. Writes the Crypt4GH file a requester receives for
// `ranges` of an entry's plaintext: a header for `recipient` written by the node key (the
// entry's data key and an edit list), then only the entry's own stored segments that overlap
// the ranges, unchanged (never decrypted, so no plaintext is ever produced). Ranges are
// half-open plaintext byte ranges [start, end), ascending and not overlapping; an open end
// means to the end of the file and an end past it is clamped; no ranges means the whole file
// (then without an edit list). A range starting at or after the end of the file is
// kInvalidArgument. Returns the bytes written, always RecipientCopySize(entry, ranges).
Result<uint64_t> WriteRangesForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                         const PublicKey& recipient,
                                         std::span<const ByteRange> ranges, Writer& out,
                                         X25519Cache* cache = nullptr);
// The size of that file, without reading the entry (an HTTP Content-Length).
Result<uint64_t> RecipientCopySize(const ArchiveEntry& entry, std::span<const ByteRange> ranges);

// A Reader over the whole-file copy for `recipient` (HTTP bodies: DRS, htsget data URLs).
Result<std::unique_ptr<Reader>> OpenForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                                 const PublicKey& recipient,
                                                 X25519Cache* cache = nullptr);

// Decrypts (a range of) an entry to `out`, for in-node consumers that need plaintext in memory
// (e.g. to find the byte range of a genomic region). Returns the bytes written.
Result<uint64_t> DecryptEntry(const ArchiveEntry& entry, const KeyPair& node, Writer& out,
                              const ByteRange& range = {});

// Re-reads an entry and checks sizes and both checksums (kCorruption on mismatch).
Status VerifyEntry(const ArchiveEntry& entry, const KeyPair& node);

// Lower-case hex SHA-256 of a byte span (shared helper).
std::string Sha256Hex(std::span<const uint8_t> data);

}  // namespace genomefed::crypt4gh
