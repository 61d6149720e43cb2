#include "crypt4gh/archive.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "core/file.h"
#include "core/time.h"
#include "crypt4gh/archive_integrity.h"
#include "crypt4gh/header.h"

namespace genomefed::crypt4gh {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEntryFormat = "genomefed-crypt4gh-archive-entry";

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::span<const uint8_t> data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  std::string HexDigest() {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out.push_back(kHex[md[i] >> 4]);
      out.push_back(kHex[md[i] & 15]);
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

// Passes bytes through to `inner` while hashing and counting them.
class HashingWriter final : public Writer {
 public:
  explicit HashingWriter(Writer* inner) : inner_(inner) {}
  Status Write(std::span<const uint8_t> data) override {
    hash_.Update(data);
    bytes_ += data.size();
    return inner_ == nullptr ? Status::Ok() : inner_->Write(data);
  }
  using Writer::Write;
  std::string HexDigest() { return hash_.HexDigest(); }
  uint64_t bytes() const { return bytes_; }

 private:
  Writer* inner_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
};

bool IsHexId(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string ToJson(const ArchiveEntry& e) {
  nlohmann::json j = {
      {"format", kEntryFormat},
      {"version", kArchiveEntryFormat},
      {"id", e.id},
      {"original_name", e.original_name},
      {"plaintext_size", e.plaintext_size},
      {"plaintext_sha256", e.plaintext_sha256},
      {"header_size", e.header_size},
      {"body_size", e.body_size},
      {"body_sha256", e.body_sha256},
      {"segment_size", kSegmentSize},
      {"segment_macs", kEntrySegmentMacFile},
      {"entry_mac", e.entry_mac},
      {"created", e.created},
  };
  return j.dump(2) + "\n";
}

Result<ArchiveEntry> ReadEntry(const fs::path& dir) {
  fs::path meta = dir / kEntryMetadataFile;
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(meta));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string what) {
    return Corruption(meta.string() + ": " + what + "; the entry's metadata are damaged");
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  ArchiveEntry e;
  try {
    if (j.value("format", "") != kEntryFormat) return bad("unknown format");
    e.format_version = j.value("version", 0);
    if (e.format_version != 1 && e.format_version != kArchiveEntryFormat) {
      return bad("unsupported version " + std::to_string(e.format_version));
    }
    e.id = j.at("id").get<std::string>();
    e.original_name = j.at("original_name").get<std::string>();
    e.plaintext_size = j.at("plaintext_size").get<uint64_t>();
    e.plaintext_sha256 = j.at("plaintext_sha256").get<std::string>();
    e.header_size = j.at("header_size").get<uint64_t>();
    e.body_size = j.at("body_size").get<uint64_t>();
    e.body_sha256 = j.at("body_sha256").get<std::string>();
    e.created = j.value("created", "");
    if (e.format_version >= 2) e.entry_mac = j.at("entry_mac").get<std::string>();
  } catch (const nlohmann::json::exception& ex) {
    return bad(std::string("missing or mistyped field (") + ex.what() + ")");
  }
  if (e.id != dir.filename().string()) return bad("id does not match the directory name");
  e.dir = dir;
  return e;
}

// Removes a directory tree on scope exit unless released.
struct RemoveOnExit {
  fs::path path;
  ~RemoveOnExit() {
    if (!path.empty()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

Result<KeyPair> ReadNodeSecret(const fs::path& keys_dir) {
  GF_ASSIGN_OR_RETURN(SecretKey sk, ReadSecretKeyFile(keys_dir / kNodeSecretKeyFile, [] {
                        return Result<std::string>(FailedPrecondition(
                            "the node key must not be passphrase-protected (kdf none)"));
                      }));
  return KeyPairFromSecret(std::move(sk));
}

}  // namespace

std::string Sha256Hex(std::span<const uint8_t> data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

Result<KeyPair> LoadNodeKeys(const fs::path& keys_dir) { return ReadNodeSecret(keys_dir); }

Result<PublicKey> EnsureNodeKeys(const fs::path& keys_dir) {
  fs::path sec = keys_dir / kNodeSecretKeyFile;
  fs::path pub = keys_dir / kNodePublicKeyFile;
  std::error_code ec;
  if (fs::exists(sec, ec)) {
    GF_ASSIGN_OR_RETURN(KeyPair pair, ReadNodeSecret(keys_dir));
    if (fs::exists(pub, ec)) {
      GF_ASSIGN_OR_RETURN(PublicKey stored, ReadPublicKeyFile(pub));
      if (!(stored == pair.public_key)) {
        return Corruption(pub.string() + " does not belong to " + sec.string() +
                          "; restore the matching pair or remove " + pub.string());
      }
    } else {
      AtomicFileWriter out;
      GF_RETURN_IF_ERROR(out.Open(pub, 0644));
      GF_RETURN_IF_ERROR(out.Write(FormatPublicKey(pair.public_key)));
      GF_RETURN_IF_ERROR(out.Commit());
    }
    return pair.public_key;
  }
  fs::create_directories(keys_dir, ec);
  if (ec) return IOError("cannot create " + keys_dir.string() + ": " + ec.message());
  ::chmod(keys_dir.c_str(), 0700);
  GF_ASSIGN_OR_RETURN(KeyPair pair, GenerateKeyPair());
  SecretKeyFormat format;
  format.kdf = Kdf::kNone;
  format.comment = "genomefed node key";
  GF_RETURN_IF_ERROR(WriteKeyPairFiles(pair, sec, pub, "", format, /*overwrite=*/true));
  return pair.public_key;
}

Result<ArchiveEntry> ArchiveStream(const fs::path& archive_dir, Reader& source,
                                   std::string_view name, const KeyPair& node) {
  std::error_code ec;
  fs::create_directories(archive_dir, ec);
  if (ec) return IOError("cannot create archive " + archive_dir.string() + ": " + ec.message());
  std::random_device rd;
  fs::path incoming;
  for (int attempt = 0; attempt < 16 && incoming.empty(); ++attempt) {
    fs::path p = archive_dir / (".incoming-" + std::to_string(rd()) + std::to_string(rd()));
    if (fs::create_directory(p, ec)) incoming = p;
  }
  if (incoming.empty())
    return IOError("cannot create a staging directory in " + archive_dir.string());
  RemoveOnExit cleanup{incoming};

  AtomicFileWriter header_file, body_file, mac_file;
  GF_RETURN_IF_ERROR(header_file.Open(incoming / kEntryHeaderFile));
  GF_RETURN_IF_ERROR(body_file.Open(incoming / kEntryBodyFile));
  GF_RETURN_IF_ERROR(mac_file.Open(incoming / kEntrySegmentMacFile));
  // The header is kept in memory too: it keys the segment MACs (archive_integrity.h).
  std::string header_bytes;
  StringWriter header_copy(&header_bytes);
  class TeeWriter final : public Writer {
   public:
    TeeWriter(Writer* a, Writer* b) : a_(a), b_(b) {}
    Status Write(std::span<const uint8_t> data) override {
      GF_RETURN_IF_ERROR(a_->Write(data));
      return b_->Write(data);
    }
    using Writer::Write;

   private:
    Writer* a_;
    Writer* b_;
  } header_out(&header_file, &header_copy);
  SegmentMacWriter macs(&body_file, &mac_file, &node, &header_bytes);
  HashingWriter body_hash(&macs);
  Sha256 plain_hash;
  EncryptOptions options;
  options.recipients = {node.public_key};
  Result<EncryptStats> stats =
      EncryptSplit(source, header_out, body_hash, options,
                   [&](std::span<const uint8_t> chunk) { plain_hash.Update(chunk); });
  if (!stats.ok()) return stats.status().WithContext("archiving " + std::string(name));
  GF_RETURN_IF_ERROR(macs.Finish());
  GF_RETURN_IF_ERROR(header_file.Commit());
  GF_RETURN_IF_ERROR(body_file.Commit());
  GF_RETURN_IF_ERROR(mac_file.Commit());

  ArchiveEntry entry;
  entry.id = plain_hash.HexDigest();
  entry.original_name = fs::path(std::string(name)).filename().string();
  entry.plaintext_size = stats->plaintext_size;
  entry.plaintext_sha256 = entry.id;
  entry.header_size = stats->header_size;
  entry.body_size = stats->body_size;
  entry.body_sha256 = body_hash.HexDigest();
  entry.created = NowUtcRfc3339();
  entry.entry_mac = EntryMacHex(
      EntryIntegrityKey(
          node, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(header_bytes.data()),
                                         header_bytes.size())),
      entry);
  GF_RETURN_IF_ERROR(WriteFileAtomic(incoming / kEntryMetadataFile, ToJson(entry)));
  GF_RETURN_IF_ERROR(SyncPath(incoming));

  fs::path final_dir = archive_dir / entry.id;
  RemoveOnExit remove_old;
  if (fs::exists(final_dir / kEntryMetadataFile, ec)) {
    Result<ArchiveEntry> existing = ReadEntry(final_dir);
    if (!existing.ok() || existing->format_version >= kArchiveEntryFormat) return existing;
    // A format-1 entry of the same content (no integrity record): ingesting the file again
    // replaces it. Moved aside first, so that the rename below publishes the new one whole.
    fs::path old = archive_dir / (".replaced-" + std::to_string(rd()) + std::to_string(rd()));
    if (::rename(final_dir.c_str(), old.c_str()) != 0) {
      return IOError("cannot replace format-1 archive entry " + final_dir.string() + ": " +
                     ErrnoMessage(errno));
    }
    remove_old.path = old;
  }
  if (::rename(incoming.c_str(), final_dir.c_str()) != 0) {
    int err = errno;
    // Another writer published the same content first: theirs is as good as ours.
    if ((err == ENOTEMPTY || err == EEXIST) && fs::exists(final_dir / kEntryMetadataFile, ec)) {
      return ReadEntry(final_dir);
    }
    return IOError("cannot publish archive entry " + final_dir.string() + ": " + ErrnoMessage(err));
  }
  cleanup.path.clear();
  GF_RETURN_IF_ERROR(SyncPath(archive_dir));
  entry.dir = final_dir;
  return entry;
}

Result<ArchiveEntry> ArchiveFile(const fs::path& archive_dir, const fs::path& source,
                                 const KeyPair& node) {
  GF_ASSIGN_OR_RETURN(std::unique_ptr<FdReader> in, FdReader::Open(source));
  return ArchiveStream(archive_dir, *in, source.filename().string(), node);
}

Result<ArchiveEntry> GetArchiveEntry(const fs::path& archive_dir, std::string_view id) {
  if (!IsHexId(id)) {
    return InvalidArgument("archive id '" + std::string(id.substr(0, 80)) +
                           "' is not 64 lower-case hex digits");
  }
  fs::path dir = archive_dir / std::string(id);
  std::error_code ec;
  if (!fs::exists(dir / kEntryMetadataFile, ec)) {
    return NotFound("no archive entry " + std::string(id) + " in " + archive_dir.string());
  }
  return ReadEntry(dir);
}

Result<std::vector<ArchiveEntry>> ListArchive(const fs::path& archive_dir) {
  std::vector<ArchiveEntry> entries;
  std::error_code ec;
  if (!fs::exists(archive_dir, ec)) return entries;
  // error_code overloads throughout: no std::filesystem exception may escape the component.
  fs::directory_iterator it(archive_dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::error_code entry_ec;
    if (!IsHexId(p.filename().string()) || !it->is_directory(entry_ec)) continue;
    if (!fs::exists(p / kEntryMetadataFile, entry_ec)) continue;
    GF_ASSIGN_OR_RETURN(ArchiveEntry e, ReadEntry(p));
    entries.push_back(std::move(e));
  }
  if (ec) return IOError("cannot list " + archive_dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const ArchiveEntry& a, const ArchiveEntry& b) { return a.id < b.id; });
  return entries;
}

namespace {

// An entry whose integrity record and stored header have been checked, ready to serve.
struct OpenedEntry {
  SecretKey entry_key;  // keys the segment MACs
  SecretKey data_key;   // the one data key the archive wrote
};

Result<OpenedEntry> OpenEntry(const ArchiveEntry& entry, const KeyPair& node, X25519Cache* cache) {
  std::string where = "archive entry " + entry.id;
  if (entry.format_version < kArchiveEntryFormat) {
    return FailedPrecondition(
        where + " (" + entry.original_name + ") is in archive format " +
        std::to_string(entry.format_version) +
        ", which records no integrity MACs, so it is not served: ingest the original file again "
        "to re-archive it in format " +
        std::to_string(kArchiveEntryFormat) + " (docs/formats/crypt4gh-archive.md)");
  }
  GF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(entry.header_path()));
  if (bytes.size() != entry.header_size) {
    return Corruption(where + ": header.c4gh has " + std::to_string(bytes.size()) + " bytes, " +
                      std::to_string(entry.header_size) + " recorded");
  }
  std::span<const uint8_t> header_bytes(reinterpret_cast<const uint8_t*>(bytes.data()),
                                        bytes.size());
  Result<EncryptedHeader> header = ParseHeader(header_bytes);
  if (!header.ok()) return header.status().WithContext(entry.header_path().string());
  if (header->size != bytes.size()) {
    return Corruption(entry.header_path().string() + ": trailing bytes after the header");
  }
  OpenedEntry opened;
  opened.entry_key = EntryIntegrityKey(node, header_bytes);
  std::string mac = EntryMacHex(opened.entry_key, entry);
  if (mac.size() != entry.entry_mac.size() ||
      sodium_memcmp(mac.data(), entry.entry_mac.data(), mac.size()) != 0) {
    return Corruption(where +
                      ": entry.json or header.c4gh does not match the entry MAC (altered, or "
                      "written with another node key); restore the entry from a backup or ingest "
                      "the file again");
  }
  GF_ASSIGN_OR_RETURN(DecryptedHeader content, DecryptHeader(*header, node, std::nullopt, cache));
  // The archive writes exactly one packet, a data key for the node: anything else (an
  // injected edit list, a second key) was not written by it and is never re-sealed.
  if (header->packets.size() != 1 || content.payloads.size() != 1 ||
      content.content.data_keys.size() != 1 || content.content.edit_list) {
    return Corruption(where + ": header.c4gh holds header packets the archive did not write");
  }
  opened.data_key = content.content.data_keys[0].Clone();
  return opened;
}

}  // namespace

namespace {

// A requester's header: the entry's data key (and an edit list for ranges), written by the
// node key.
Result<std::string> RecipientHeader(const OpenedEntry& opened, const KeyPair& node,
                                    const PublicKey& recipient,
                                    std::optional<std::vector<uint64_t>> edit_list,
                                    X25519Cache* cache) {
  HeaderContent content;
  content.data_keys.push_back(opened.data_key.Clone());
  content.edit_list = std::move(edit_list);
  return BuildHeader(content, node, std::span<const PublicKey>(&recipient, 1), cache);
}

}  // namespace

Result<std::string> HeaderForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                       const PublicKey& recipient, X25519Cache* cache) {
  GF_ASSIGN_OR_RETURN(OpenedEntry opened, OpenEntry(entry, node, cache));
  return RecipientHeader(opened, node, recipient, std::nullopt, cache);
}

namespace {

uint64_t SegmentCount(uint64_t body_size) {
  return (body_size + kCipherSegmentSize - 1) / kCipherSegmentSize;
}

// Size of stored segment i (the last one may be shorter).
uint64_t StoredSegmentSize(const ArchiveEntry& e, uint64_t i) {
  uint64_t n = SegmentCount(e.body_size);
  return i + 1 < n ? kCipherSegmentSize : e.body_size - (n - 1) * kCipherSegmentSize;
}

// What a requester's copy of an entry holds: runs of stored segments (finite, within the body)
// and, for ranges, the edit list trimming them.
struct CopyPlan {
  std::vector<SegmentRun> runs;
  std::optional<std::vector<uint64_t>> edit_list;
  uint64_t body_bytes = 0;
};

Result<CopyPlan> PlanCopy(const ArchiveEntry& e, std::span<const ByteRange> ranges) {
  CopyPlan plan;
  uint64_t segments = SegmentCount(e.body_size);
  bool whole = ranges.empty() || (ranges.size() == 1 && ranges[0].whole());
  if (whole) {
    if (segments > 0) plan.runs.push_back({0, segments - 1});
    plan.body_bytes = e.body_size;
    return plan;
  }
  const uint64_t size = e.plaintext_size;
  std::vector<ByteRange> clamped;
  for (const ByteRange& r : ranges) {
    bool empty = r.end && *r.end <= r.start;
    if (!empty && r.start >= size && !(size == 0 && r.start == 0)) {
      return InvalidArgument("byte range starting at " + std::to_string(r.start) +
                             " lies after the end of archive entry " + e.id + " (" +
                             std::to_string(size) + " bytes)");
    }
    uint64_t end = empty ? r.start : std::min(r.end.value_or(size), size);
    clamped.push_back(ByteRange{r.start, end});
  }
  GF_ASSIGN_OR_RETURN(std::vector<Interval> intervals, SelectRanges(std::nullopt, clamped));
  SlicePlan slice = PlanSlice(intervals);
  for (const SegmentRun& r : slice.runs) {
    if (segments == 0 || r.first >= segments) continue;
    SegmentRun run{r.first, std::min(r.last, segments - 1)};
    for (uint64_t i = run.first; i <= run.last; ++i) plan.body_bytes += StoredSegmentSize(e, i);
    plan.runs.push_back(run);
  }
  plan.edit_list = std::move(slice.edit_list);
  return plan;
}

// Copies the planned runs of stored segments from `body` (positioned at its start) to `out`.
Status CopyRuns(const ArchiveEntry& e, Reader& body, const std::vector<SegmentRun>& runs,
                Writer& out) {
  std::vector<uint8_t> buf(16 * kCipherSegmentSize);
  uint64_t pos = 0;  // body offset of `body`
  for (const SegmentRun& r : runs) {
    uint64_t from = r.first * kCipherSegmentSize;
    uint64_t to = std::min(e.body_size, (r.last + 1) * kCipherSegmentSize);
    if (from > pos) {
      GF_ASSIGN_OR_RETURN(uint64_t skipped, body.Skip(from - pos));
      if (skipped < from - pos) {
        return Corruption(e.body_path().string() + " is shorter than the " +
                          std::to_string(e.body_size) + " bytes recorded in entry.json");
      }
      pos = from;
    }
    while (pos < to) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), to - pos));
      GF_ASSIGN_OR_RETURN(size_t n, ReadFull(body, std::span<uint8_t>(buf.data(), want)));
      if (n < want) {
        return Corruption(e.body_path().string() + " is shorter than the " +
                          std::to_string(e.body_size) + " bytes recorded in entry.json");
      }
      GF_RETURN_IF_ERROR(out.Write(std::span<const uint8_t>(buf.data(), n)));
      pos += n;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> RecipientCopySize(const ArchiveEntry& entry, std::span<const ByteRange> ranges) {
  GF_ASSIGN_OR_RETURN(CopyPlan plan, PlanCopy(entry, ranges));
  HeaderContent content;
  content.data_keys.emplace_back();  // sizes only: one data key, as the archive writes
  content.edit_list = plan.edit_list;
  return HeaderSizeFor(content, 1) + plan.body_bytes;
}

Result<uint64_t> WriteRangesForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                         const PublicKey& recipient,
                                         std::span<const ByteRange> ranges, Writer& out,
                                         X25519Cache* cache) {
  // The entry is checked first: its recorded sizes decide what the ranges select.
  GF_ASSIGN_OR_RETURN(OpenedEntry opened, OpenEntry(entry, node, cache));
  GF_ASSIGN_OR_RETURN(CopyPlan plan, PlanCopy(entry, ranges));
  GF_ASSIGN_OR_RETURN(std::string header,
                      RecipientHeader(opened, node, recipient, std::move(plan.edit_list), cache));
  GF_ASSIGN_OR_RETURN(std::unique_ptr<VerifiedBodyReader> body,
                      VerifiedBodyReader::Open(entry, std::move(opened.entry_key)));
  GF_RETURN_IF_ERROR(out.Write(header));
  GF_RETURN_IF_ERROR(CopyRuns(entry, *body, plan.runs, out));
  return header.size() + plan.body_bytes;
}

Status WriteForRecipient(const ArchiveEntry& entry, const KeyPair& node, const PublicKey& recipient,
                         Writer& out, const ByteRange& range, X25519Cache* cache) {
  std::span<const ByteRange> ranges;
  if (!range.whole()) ranges = std::span<const ByteRange>(&range, 1);
  return WriteRangesForRecipient(entry, node, recipient, ranges, out, cache).status();
}

Result<std::unique_ptr<Reader>> OpenForRecipient(const ArchiveEntry& entry, const KeyPair& node,
                                                 const PublicKey& recipient, X25519Cache* cache) {
  GF_ASSIGN_OR_RETURN(OpenedEntry opened, OpenEntry(entry, node, cache));
  GF_ASSIGN_OR_RETURN(std::string header,
                      RecipientHeader(opened, node, recipient, std::nullopt, cache));
  GF_ASSIGN_OR_RETURN(std::unique_ptr<VerifiedBodyReader> body,
                      VerifiedBodyReader::Open(entry, std::move(opened.entry_key)));
  auto reader = std::make_unique<ConcatReader>();
  reader->Add(std::make_unique<StringReader>(std::move(header)));
  reader->Add(std::move(body));
  return std::unique_ptr<Reader>(std::move(reader));
}

Result<uint64_t> DecryptEntry(const ArchiveEntry& entry, const KeyPair& node, Writer& out,
                              const ByteRange& range) {
  GF_ASSIGN_OR_RETURN(OpenedEntry opened, OpenEntry(entry, node, nullptr));
  GF_ASSIGN_OR_RETURN(std::unique_ptr<VerifiedBodyReader> body,
                      VerifiedBodyReader::Open(entry, std::move(opened.entry_key)));
  HeaderContent content;
  content.data_keys.push_back(std::move(opened.data_key));
  return DecryptBody(*body, out, content, range);
}

Status VerifyEntry(const ArchiveEntry& entry, const KeyPair& node) {
  GF_ASSIGN_OR_RETURN(OpenedEntry opened, OpenEntry(entry, node, nullptr));
  GF_ASSIGN_OR_RETURN(std::unique_ptr<VerifiedBodyReader> body,
                      VerifiedBodyReader::Open(entry, std::move(opened.entry_key)));
  // Hash the ciphertext as it is read, and the plaintext as it is produced.
  class TeeReader final : public Reader {
   public:
    explicit TeeReader(Reader* in) : in_(in) {}
    Result<size_t> Read(std::span<uint8_t> out) override {
      GF_ASSIGN_OR_RETURN(size_t n, in_->Read(out));
      hash.Update(out.first(n));
      bytes += n;
      return n;
    }
    Sha256 hash;
    uint64_t bytes = 0;

   private:
    Reader* in_;
  } tee(body.get());
  HeaderContent content;
  content.data_keys.push_back(std::move(opened.data_key));
  HashingWriter plain(nullptr);
  GF_ASSIGN_OR_RETURN(uint64_t n, DecryptBody(tee, plain, content));
  std::string where = "archive entry " + entry.id;
  if (tee.bytes != entry.body_size || tee.hash.HexDigest() != entry.body_sha256) {
    return Corruption(where + ": body.c4gh does not match its recorded size/SHA-256");
  }
  if (n != entry.plaintext_size || plain.HexDigest() != entry.plaintext_sha256) {
    return Corruption(where + ": decrypted content does not match its recorded size/SHA-256");
  }
  return Status::Ok();
}

}  // namespace genomefed::crypt4gh
