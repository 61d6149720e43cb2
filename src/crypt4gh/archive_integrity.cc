#include "crypt4gh/archive_integrity.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "crypt4gh/archive.h"
#include "crypt4gh/stream.h"

namespace genomefed::crypt4gh {

namespace {

constexpr std::string_view kArchiveKeyContext = "genomefed crypt4gh archive integrity v2";

void PutLe64(uint8_t out[8], uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

uint64_t SegmentCount(uint64_t body_size) {
  return (body_size + kCipherSegmentSize - 1) / kCipherSegmentSize;
}

}  // namespace

SecretKey EntryIntegrityKey(const KeyPair& node, std::span<const uint8_t> header) {
  (void)InitCrypto();
  SecretKey archive_key;
  crypto_generichash(archive_key.mutable_data(), kKeySize,
                     reinterpret_cast<const unsigned char*>(kArchiveKeyContext.data()),
                     kArchiveKeyContext.size(), node.secret.data(), kKeySize);
  SecretKey entry_key;
  crypto_generichash(entry_key.mutable_data(), kKeySize, header.data(), header.size(),
                     archive_key.data(), kKeySize);
  return entry_key;
}

std::array<uint8_t, kSegmentMacSize> SegmentMac(const SecretKey& entry_key, uint64_t index,
                                                std::span<const uint8_t> segment) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, entry_key.data(), kKeySize, kSegmentMacSize);
  uint8_t le[8];
  PutLe64(le, index);
  crypto_generichash_update(&st, le, sizeof(le));
  crypto_generichash_update(&st, segment.data(), segment.size());
  std::array<uint8_t, kSegmentMacSize> mac;
  crypto_generichash_final(&st, mac.data(), mac.size());
  return mac;
}

std::string EntryMacHex(const SecretKey& entry_key, const ArchiveEntry& e) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, entry_key.data(), kKeySize, kSegmentMacSize);
  auto str = [&](std::string_view s) {
    // Length-prefixed, so that field boundaries cannot shift.
    uint8_t le[8];
    PutLe64(le, s.size());
    crypto_generichash_update(&st, le, sizeof(le));
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  auto num = [&](uint64_t v) {
    uint8_t le[8];
    PutLe64(le, v);
    crypto_generichash_update(&st, le, sizeof(le));
  };
  str("entry");
  str(e.id);
  num(e.plaintext_size);
  str(e.plaintext_sha256);
  num(e.header_size);
  num(e.body_size);
  str(e.body_sha256);
  num(SegmentCount(e.body_size));
  std::array<uint8_t, kSegmentMacSize> mac;
  crypto_generichash_final(&st, mac.data(), mac.size());
  return ToHex(mac);
}

struct SegmentMacWriter::State {
  SecretKey key;
  bool keyed = false;
  crypto_generichash_state hash;
};

SegmentMacWriter::SegmentMacWriter(Writer* body, Writer* macs, const KeyPair* node,
                                   const std::string* header)
    : state_(std::make_unique<State>()), body_(body), macs_(macs), node_(node), header_(header) {}

SegmentMacWriter::~SegmentMacWriter() { sodium_memzero(&state_->hash, sizeof(state_->hash)); }

Status SegmentMacWriter::EndSegment() {
  std::array<uint8_t, kSegmentMacSize> mac;
  crypto_generichash_final(&state_->hash, mac.data(), mac.size());
  ++index_;
  in_segment_ = 0;
  return macs_->Write(std::span<const uint8_t>(mac.data(), mac.size()));
}

Status SegmentMacWriter::Write(std::span<const uint8_t> data) {
  if (!state_->keyed) {
    state_->key = EntryIntegrityKey(
        *node_, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(header_->data()),
                                         header_->size()));
    state_->keyed = true;
  }
  GF_RETURN_IF_ERROR(body_->Write(data));
  while (!data.empty()) {
    if (in_segment_ == 0) {
      crypto_generichash_init(&state_->hash, state_->key.data(), kKeySize, kSegmentMacSize);
      uint8_t le[8];
      PutLe64(le, index_);
      crypto_generichash_update(&state_->hash, le, sizeof(le));
    }
    size_t take =
        static_cast<size_t>(std::min<uint64_t>(data.size(), kCipherSegmentSize - in_segment_));
    crypto_generichash_update(&state_->hash, data.data(), take);
    in_segment_ += take;
    data = data.subspan(take);
    if (in_segment_ == kCipherSegmentSize) GF_RETURN_IF_ERROR(EndSegment());
  }
  return Status::Ok();
}

Status SegmentMacWriter::Finish() {
  if (in_segment_ > 0) return EndSegment();
  return Status::Ok();
}

Result<std::unique_ptr<VerifiedBodyReader>> VerifiedBodyReader::Open(const ArchiveEntry& entry,
                                                                     SecretKey entry_key) {
  std::unique_ptr<VerifiedBodyReader> r(new VerifiedBodyReader());
  GF_ASSIGN_OR_RETURN(r->body_, FdReader::Open(entry.body_path()));
  GF_ASSIGN_OR_RETURN(r->macs_, FdReader::Open(entry.mac_path()));
  r->key_ = std::move(entry_key);
  r->id_ = entry.id;
  r->body_size_ = entry.body_size;
  r->segments_ = SegmentCount(entry.body_size);
  struct stat st {};
  std::string where = "archive entry " + entry.id + ": ";
  if (::stat(entry.body_path().c_str(), &st) != 0 ||
      static_cast<uint64_t>(st.st_size) != entry.body_size) {
    return Corruption(where + "body.c4gh has " + std::to_string(st.st_size) + " bytes, " +
                      std::to_string(entry.body_size) +
                      " recorded: the stored body was cut or extended; restore the entry from a "
                      "backup or ingest the file again");
  }
  if (::stat(entry.mac_path().c_str(), &st) != 0 ||
      static_cast<uint64_t>(st.st_size) != r->segments_ * kSegmentMacSize) {
    return Corruption(where + std::string(kEntrySegmentMacFile) +
                      " does not hold one MAC per recorded body segment");
  }
  r->segment_.resize(kCipherSegmentSize);
  return r;
}

VerifiedBodyReader::~VerifiedBodyReader() {
  // The stored segments are ciphertext; nothing to wipe beyond the key (SecretKey does it).
}

Status VerifiedBodyReader::LoadNext() {
  filled_ = consumed_ = 0;
  if (next_ >= segments_) return Status::Ok();
  size_t len = static_cast<size_t>(next_ + 1 < segments_
                                       ? kCipherSegmentSize
                                       : body_size_ - (segments_ - 1) * kCipherSegmentSize);
  GF_ASSIGN_OR_RETURN(size_t n, ReadFull(*body_, std::span<uint8_t>(segment_.data(), len)));
  std::array<uint8_t, kSegmentMacSize> recorded;
  GF_ASSIGN_OR_RETURN(size_t m, ReadFull(*macs_, recorded));
  std::string where = "archive entry " + id_ + ": body segment " + std::to_string(next_) +
                      " (body offset " + std::to_string(next_ * kCipherSegmentSize) + ")";
  if (n < len || m < recorded.size()) {
    return Corruption(where + " is cut short: the stored body changed while being read");
  }
  std::array<uint8_t, kSegmentMacSize> mac =
      SegmentMac(key_, next_, std::span<const uint8_t>(segment_.data(), len));
  if (sodium_memcmp(mac.data(), recorded.data(), mac.size()) != 0) {
    return Corruption(where +
                      " does not match its recorded MAC: body.c4gh was altered, reordered or cut; "
                      "restore the entry from a backup or ingest the file again");
  }
  ++next_;
  filled_ = len;
  return Status::Ok();
}

Result<size_t> VerifiedBodyReader::Read(std::span<uint8_t> out) {
  if (out.empty()) return size_t{0};
  if (consumed_ == filled_) {
    GF_RETURN_IF_ERROR(LoadNext());
    if (filled_ == 0) return size_t{0};
  }
  size_t n = std::min(out.size(), filled_ - consumed_);
  std::memcpy(out.data(), segment_.data() + consumed_, n);
  consumed_ += n;
  return n;
}

Result<uint64_t> VerifiedBodyReader::Skip(uint64_t n) {
  uint64_t done = std::min<uint64_t>(n, filled_ - consumed_);
  consumed_ += static_cast<size_t>(done);
  // Whole segments before the last one are skipped unread (their MACs are checked only when
  // read: a skipped segment's bytes never leave).
  uint64_t whole = (n - done) / kCipherSegmentSize;
  if (segments_ > 0) whole = std::min(whole, segments_ - 1 - std::min(next_, segments_ - 1));
  if (whole > 0) {
    GF_ASSIGN_OR_RETURN(uint64_t a, body_->Skip(whole * kCipherSegmentSize));
    GF_ASSIGN_OR_RETURN(uint64_t b, macs_->Skip(whole * kSegmentMacSize));
    if (a != whole * kCipherSegmentSize || b != whole * kSegmentMacSize) {
      return Corruption("archive entry " + id_ + ": the stored body is shorter than recorded");
    }
    next_ += whole;
    done += whole * kCipherSegmentSize;
  }
  while (done < n) {
    if (consumed_ == filled_) {
      GF_RETURN_IF_ERROR(LoadNext());
      if (filled_ == 0) break;
    }
    uint64_t step = std::min<uint64_t>(n - done, filled_ - consumed_);
    consumed_ += static_cast<size_t>(step);
    done += step;
  }
  return done;
}

}  // namespace genomefed::crypt4gh
