#include "crypt4gh/stream.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "crypt4gh/cipher.h"

namespace genomefed::crypt4gh {

namespace {

using internal::ChaChaPoly;
using internal::kMacSize;
using internal::kNonceSize;

constexpr uint64_t kToEnd = std::numeric_limits<uint64_t>::max();
// Segments handled per read/write call on the bulk paths: 1 MiB of plaintext, so that syscalls
// and virtual calls vanish next to the cipher while memory stays constant.
constexpr size_t kBatch = 16;

std::span<uint8_t> Span(std::vector<uint8_t>& v, size_t n) { return {v.data(), n}; }

// Wipes a plaintext buffer on scope exit.
struct WipeOnExit {
  std::vector<uint8_t>& buffer;
  ~WipeOnExit() {
    if (!buffer.empty()) sodium_memzero(buffer.data(), buffer.size());
  }
};

// Authenticates and decrypts segments with the file's data keys (several are allowed; the one
// that worked last is tried first).
class SegmentOpener {
 public:
  Status Init(const HeaderContent& content) {
    if (content.data_keys.empty()) return InvalidArgument("no data key to decrypt the body");
    for (const SecretKey& key : content.data_keys) {
      ChaChaPoly c;
      GF_RETURN_IF_ERROR(c.SetKey(key));
      ciphers_.push_back(std::move(c));
    }
    return Status::Ok();
  }

  // `in` holds one whole encrypted segment of `len` bytes; writes len-28 bytes to `out`.
  Status Open(const uint8_t* in, size_t len, uint8_t* out, uint64_t index) {
    if (len < kSegmentOverhead) {
      return Corruption("truncated Crypt4GH body: segment " + std::to_string(index) + " has " +
                        std::to_string(len) + " bytes, fewer than its 28-byte nonce and MAC");
    }
    size_t plain = len - kSegmentOverhead;
    for (size_t attempt = 0; attempt < ciphers_.size(); ++attempt) {
      size_t k = (last_ + attempt) % ciphers_.size();
      if (ciphers_[k].Open(in, in + kNonceSize, plain, in + kNonceSize + plain, out)) {
        last_ = k;
        return Status::Ok();
      }
    }
    return Corruption("Crypt4GH segment " + std::to_string(index) + " (body offset " +
                      std::to_string(index * kCipherSegmentSize) +
                      ") fails authentication: the file is damaged, truncated or altered");
  }

 private:
  std::vector<ChaChaPoly> ciphers_;
  size_t last_ = 0;
};

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > kToEnd - b ? kToEnd : a + b; }

Result<uint64_t> DecryptAll(Reader& body, Writer& out, SegmentOpener& opener) {
  std::vector<uint8_t> in(kBatch * kCipherSegmentSize);
  std::vector<uint8_t> plain(kBatch * kSegmentSize);
  WipeOnExit wipe{plain};
  uint64_t index = 0;
  uint64_t total = 0;
  while (true) {
    GF_ASSIGN_OR_RETURN(size_t n, ReadFull(body, Span(in, in.size())));
    if (n == 0) break;
    size_t segments = (n + kCipherSegmentSize - 1) / kCipherSegmentSize;
    size_t produced = 0;
    for (size_t i = 0; i < segments; ++i) {
      size_t len = std::min(kCipherSegmentSize, n - i * kCipherSegmentSize);
      GF_RETURN_IF_ERROR(opener.Open(in.data() + i * kCipherSegmentSize, len,
                                     plain.data() + i * kSegmentSize, index + i));
      produced = i * kSegmentSize + len - kSegmentOverhead;
    }
    GF_RETURN_IF_ERROR(out.Write(std::span<const uint8_t>(plain.data(), produced)));
    total += produced;
    index += segments;
    if (n < in.size()) break;
  }
  return total;
}

}  // namespace

uint64_t BodySizeFor(uint64_t plaintext_size) {
  uint64_t full = plaintext_size / kSegmentSize;
  uint64_t rest = plaintext_size % kSegmentSize;
  return full * kCipherSegmentSize + (rest > 0 ? rest + kSegmentOverhead : 0);
}

Result<ByteRange> ParseByteRange(std::string_view text) {
  auto number = [&](std::string_view s, uint64_t& v) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
  };
  ByteRange range;
  size_t dash = text.find('-');
  std::string_view first = text.substr(0, dash);
  if (!number(first, range.start)) {
    return InvalidArgument("range '" + std::string(text) + "' is not START-END, START- or START");
  }
  if (dash != std::string_view::npos && dash + 1 < text.size()) {
    uint64_t end = 0;
    if (!number(text.substr(dash + 1), end)) {
      return InvalidArgument("range '" + std::string(text) + "' is not START-END");
    }
    if (end < range.start) {
      return InvalidArgument("range '" + std::string(text) + "' ends before it starts");
    }
    range.end = end;
  }
  return range;
}

Result<std::vector<Interval>> SelectIntervals(const std::optional<std::vector<uint64_t>>& edit_list,
                                              const ByteRange& range) {
  std::vector<Interval> kept;
  // No edit list, or an empty one: the standard's ApplyEditList returns the input unchanged
  // ("trivial case with no edit list").
  if (!edit_list || edit_list->empty()) {
    kept.push_back({0, kToEnd});
  } else {
    uint64_t pos = 0;
    const std::vector<uint64_t>& lengths = *edit_list;
    for (size_t i = 0; i < lengths.size(); ++i) {
      if (lengths[i] > kToEnd - 1 - pos) {
        return InvalidArgument("edit list lengths overflow 64 bits (entry " + std::to_string(i) +
                               ")");
      }
      if (i % 2 == 1 && lengths[i] > 0) kept.push_back({pos, pos + lengths[i]});
      pos += lengths[i];
    }
    if (lengths.size() % 2 == 1) kept.push_back({pos, kToEnd});
  }
  if (range.whole()) return kept;
  // Map [range.start, range.end) of the edited view back to plaintext positions.
  uint64_t want_end = range.end.value_or(kToEnd);
  std::vector<Interval> out;
  uint64_t logical = 0;
  for (const Interval& iv : kept) {
    if (logical >= want_end) break;
    uint64_t len = iv.end == kToEnd ? kToEnd : iv.end - iv.start;
    uint64_t logical_end = SaturatingAdd(logical, len);
    uint64_t from = std::max(logical, range.start);
    uint64_t to = std::min(logical_end, want_end);
    if (from < to) {
      uint64_t a = iv.start + (from - logical);
      uint64_t b = to == kToEnd ? kToEnd : SaturatingAdd(iv.start, to - logical);
      out.push_back({a, b});
    }
    logical = logical_end;
  }
  return out;
}

Result<EncryptStats> EncryptSplit(
    Reader& plaintext, Writer& header_out, Writer& body_out, const EncryptOptions& options,
    const std::function<void(std::span<const uint8_t>)>& on_plaintext) {
  GF_RETURN_IF_ERROR(InitCrypto());
  if (options.recipients.empty()) return InvalidArgument("at least one recipient is needed");
  // A range: skip to the first segment it overlaps, read up to the end of the last one, and
  // trim with an edit list (positions relative to the first kept segment).
  std::optional<std::vector<uint64_t>> edit_list = options.edit_list;
  uint64_t limit = kToEnd;  // plaintext bytes to read
  if (!options.range.whole()) {
    if (options.edit_list) return InvalidArgument("a range and an edit list cannot be combined");
    const ByteRange& r = options.range;
    uint64_t first = r.start / kSegmentSize;
    GF_ASSIGN_OR_RETURN(uint64_t skipped, plaintext.Skip(first * kSegmentSize));
    if (skipped < first * kSegmentSize) limit = 0;  // the range starts after the end
    std::vector<uint64_t> edits = {r.start - first * kSegmentSize};
    if (r.end) {
      edits.push_back(*r.end - r.start);
      uint64_t last_end = *r.end == r.start ? first * kSegmentSize
                                            : ((*r.end - 1) / kSegmentSize + 1) * kSegmentSize;
      limit = std::min(limit, last_end - first * kSegmentSize);
    }
    edit_list = std::move(edits);
  }
  KeyPair ephemeral;
  const KeyPair* writer = options.writer;
  if (writer == nullptr) {
    GF_ASSIGN_OR_RETURN(ephemeral, GenerateKeyPair());
    writer = &ephemeral;
  }
  SecretKey data_key;
  randombytes_buf(data_key.mutable_data(), kKeySize);
  HeaderContent content;
  content.data_keys.push_back(data_key.Clone());
  content.edit_list = std::move(edit_list);
  GF_ASSIGN_OR_RETURN(std::string header, BuildHeader(content, *writer, options.recipients));
  GF_RETURN_IF_ERROR(header_out.Write(header));

  ChaChaPoly cipher;
  GF_RETURN_IF_ERROR(cipher.SetKey(data_key));
  internal::NonceSource nonces;
  std::vector<uint8_t> in(kBatch * kSegmentSize);
  std::vector<uint8_t> sealed(kBatch * kCipherSegmentSize);
  WipeOnExit wipe{in};
  EncryptStats stats;
  stats.header_size = header.size();
  while (limit > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(in.size(), limit));
    GF_ASSIGN_OR_RETURN(size_t n, ReadFull(plaintext, Span(in, want)));
    if (n == 0) break;
    limit -= n;
    if (on_plaintext) on_plaintext(std::span<const uint8_t>(in.data(), n));
    size_t segments = (n + kSegmentSize - 1) / kSegmentSize;
    size_t produced = 0;
    for (size_t i = 0; i < segments; ++i) {
      size_t len = std::min(kSegmentSize, n - i * kSegmentSize);
      uint8_t* seg = sealed.data() + i * kCipherSegmentSize;
      nonces.Next(seg);
      GF_RETURN_IF_ERROR(cipher.Seal(seg, in.data() + i * kSegmentSize, len, seg + kNonceSize));
      produced = i * kCipherSegmentSize + len + kSegmentOverhead;
    }
    GF_RETURN_IF_ERROR(body_out.Write(std::span<const uint8_t>(sealed.data(), produced)));
    stats.plaintext_size += n;
    stats.body_size += produced;
    if (n < want) break;
  }
  return stats;
}

Result<EncryptStats> Encrypt(Reader& plaintext, Writer& out, const EncryptOptions& options) {
  return EncryptSplit(plaintext, out, out, options);
}

Result<uint64_t> DecryptBody(Reader& body, Writer& out, const HeaderContent& content,
                             const ByteRange& range) {
  SegmentOpener opener;
  GF_RETURN_IF_ERROR(opener.Init(content));
  GF_ASSIGN_OR_RETURN(std::vector<Interval> intervals, SelectIntervals(content.edit_list, range));
  if (intervals.size() == 1 && intervals[0].start == 0 && intervals[0].end == kToEnd) {
    return DecryptAll(body, out, opener);
  }
  std::vector<uint8_t> in(kCipherSegmentSize);
  std::vector<uint8_t> plain(kSegmentSize);
  WipeOnExit wipe{plain};
  uint64_t next = 0;         // index of the next segment in the stream
  uint64_t cached = kToEnd;  // index of the segment held in `plain`
  size_t cached_len = 0;
  bool at_end = false;  // the cached segment is the last one
  uint64_t written = 0;
  for (const Interval& iv : intervals) {
    uint64_t pos = iv.start;
    while (pos < iv.end) {
      uint64_t s = pos / kSegmentSize;
      if (s != cached) {
        if (at_end && s > cached) return written;
        if (s > next) {
          uint64_t gap = (s - next) * kCipherSegmentSize;
          GF_ASSIGN_OR_RETURN(uint64_t skipped, body.Skip(gap));
          if (skipped < gap) return written;  // the selection starts after the end of the file
          next = s;
        }
        GF_ASSIGN_OR_RETURN(size_t n, ReadFull(body, Span(in, in.size())));
        ++next;
        if (n == 0) return written;
        GF_RETURN_IF_ERROR(opener.Open(in.data(), n, plain.data(), s));
        cached = s;
        cached_len = n - kSegmentOverhead;
        at_end = n < in.size();
      }
      uint64_t offset = pos - s * kSegmentSize;
      if (offset >= cached_len) return written;  // past the end of the file
      size_t take = static_cast<size_t>(std::min<uint64_t>(cached_len - offset, iv.end - pos));
      GF_RETURN_IF_ERROR(out.Write(std::span<const uint8_t>(plain.data() + offset, take)));
      written += take;
      pos += take;
      if (at_end && offset + take >= cached_len) return written;
    }
  }
  return written;
}

Result<uint64_t> Decrypt(Reader& in, Writer& out, const KeyPair& reader,
                         const DecryptOptions& options) {
  GF_ASSIGN_OR_RETURN(EncryptedHeader header, ReadHeader(in));
  GF_ASSIGN_OR_RETURN(DecryptedHeader opened, DecryptHeader(header, reader, options.sender_pk));
  return DecryptBody(in, out, opened.content, options.range);
}

namespace {

Status CopyRest(Reader& in, Writer& out) {
  std::vector<uint8_t> buf(kBatch * kCipherSegmentSize);
  while (true) {
    GF_ASSIGN_OR_RETURN(size_t n, ReadFull(in, Span(buf, buf.size())));
    if (n == 0) return Status::Ok();
    GF_RETURN_IF_ERROR(out.Write(std::span<const uint8_t>(buf.data(), n)));
    if (n < buf.size()) return Status::Ok();
  }
}

}  // namespace

Status Reencrypt(Reader& in, Writer& out, const KeyPair& reader,
                 std::span<const PublicKey> recipients, const KeyPair* writer,
                 const ReencryptOptions& options) {
  KeyPair ephemeral;
  if (writer == nullptr) {
    GF_ASSIGN_OR_RETURN(ephemeral, GenerateKeyPair());
    writer = &ephemeral;
  }
  GF_ASSIGN_OR_RETURN(EncryptedHeader header, ReadHeader(in));
  GF_ASSIGN_OR_RETURN(std::string fresh,
                      ReencryptHeader(header, reader, *writer, recipients, options));
  GF_RETURN_IF_ERROR(out.Write(fresh));
  return CopyRest(in, out);
}

Result<std::vector<Interval>> SelectRanges(const std::optional<std::vector<uint64_t>>& edit_list,
                                           std::span<const ByteRange> ranges) {
  if (ranges.empty()) return SelectIntervals(edit_list, ByteRange{});
  std::vector<Interval> out;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const ByteRange& r = ranges[i];
    if (i > 0 && (!ranges[i - 1].end || r.start < *ranges[i - 1].end)) {
      return InvalidArgument("byte range " + std::to_string(i) + " starts at " +
                             std::to_string(r.start) +
                             ", before the end of the range before it: ranges must be in "
                             "ascending order and must not overlap");
    }
    if (r.end && *r.end == r.start) continue;  // selects nothing
    GF_ASSIGN_OR_RETURN(std::vector<Interval> part, SelectIntervals(edit_list, r));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

SlicePlan PlanSlice(const std::vector<Interval>& intervals) {
  SlicePlan plan;
  std::vector<SegmentRun>& runs = plan.runs;
  for (const Interval& iv : intervals) {
    if (iv.end <= iv.start) continue;
    SegmentRun r{iv.start / kSegmentSize, iv.end == kToEnd ? kToEnd : (iv.end - 1) / kSegmentSize};
    if (!runs.empty() && r.first <= SaturatingAdd(runs.back().last, 1)) {
      runs.back().last = std::max(runs.back().last, r.last);
    } else {
      runs.push_back(r);
    }
  }
  // Where a plaintext position lands once only the kept segments remain.
  auto relocate = [&](uint64_t pos) {
    uint64_t s = pos / kSegmentSize;
    uint64_t before = 0;
    for (const SegmentRun& r : runs) {
      if (s >= r.first && s <= r.last)
        return (before + (s - r.first)) * kSegmentSize + pos % kSegmentSize;
      before += r.last - r.first + 1;
    }
    return pos;  // not reached: every interval lies in a run
  };
  std::vector<uint64_t>& edits = plan.edit_list;
  uint64_t cursor = 0;
  for (const Interval& iv : intervals) {
    if (iv.end <= iv.start) continue;
    uint64_t at = relocate(iv.start);
    edits.push_back(at - cursor);
    if (iv.end == kToEnd) break;
    edits.push_back(iv.end - iv.start);
    cursor = at + (iv.end - iv.start);
  }
  // Nothing selected: an edit list that keeps nothing (an empty one would keep everything).
  if (edits.empty()) edits = {0, 0};
  return plan;
}

Status RearrangeBody(Reader& body, Writer& header_out, Writer& body_out,
                     const HeaderContent& content, const ByteRange& range,
                     std::span<const PublicKey> recipients, const KeyPair& writer) {
  return RearrangeBodyRanges(body, header_out, body_out, content,
                             std::span<const ByteRange>(&range, 1), recipients, writer);
}

Status RearrangeBodyRanges(Reader& body, Writer& header_out, Writer& body_out,
                           const HeaderContent& content, std::span<const ByteRange> ranges,
                           std::span<const PublicKey> recipients, const KeyPair& writer) {
  GF_ASSIGN_OR_RETURN(std::vector<Interval> intervals, SelectRanges(content.edit_list, ranges));
  SlicePlan plan = PlanSlice(intervals);
  HeaderContent fresh;
  for (const SecretKey& k : content.data_keys) fresh.data_keys.push_back(k.Clone());
  fresh.edit_list = std::move(plan.edit_list);
  GF_ASSIGN_OR_RETURN(std::string header, BuildHeader(fresh, writer, recipients));
  GF_RETURN_IF_ERROR(header_out.Write(header));

  std::vector<uint8_t> buf(kBatch * kCipherSegmentSize);
  uint64_t next = 0;
  for (const SegmentRun& r : plan.runs) {
    if (r.first > next) {
      uint64_t gap = (r.first - next) * kCipherSegmentSize;
      GF_ASSIGN_OR_RETURN(uint64_t skipped, body.Skip(gap));
      if (skipped < gap) return Status::Ok();
      next = r.first;
    }
    while (next <= r.last) {
      uint64_t count = std::min<uint64_t>(kBatch, r.last == kToEnd ? kBatch : r.last - next + 1);
      size_t want = static_cast<size_t>(count * kCipherSegmentSize);
      GF_ASSIGN_OR_RETURN(size_t n, ReadFull(body, Span(buf, want)));
      if (n % kCipherSegmentSize != 0 && n % kCipherSegmentSize < kSegmentOverhead) {
        return Corruption("truncated Crypt4GH body: a segment has fewer than 28 bytes");
      }
      GF_RETURN_IF_ERROR(body_out.Write(std::span<const uint8_t>(buf.data(), n)));
      next += count;
      if (n < want) return Status::Ok();
    }
  }
  return Status::Ok();
}

Status Rearrange(Reader& in, Writer& out, const KeyPair& reader, const ByteRange& range,
                 std::span<const PublicKey> recipients, const KeyPair* writer,
                 const std::optional<PublicKey>& sender_pk) {
  KeyPair ephemeral;
  if (writer == nullptr) {
    GF_ASSIGN_OR_RETURN(ephemeral, GenerateKeyPair());
    writer = &ephemeral;
  }
  GF_ASSIGN_OR_RETURN(EncryptedHeader header, ReadHeader(in));
  GF_ASSIGN_OR_RETURN(DecryptedHeader opened, DecryptHeader(header, reader, sender_pk));
  return RearrangeBody(in, out, out, opened.content, range, recipients, *writer);
}

}  // namespace genomefed::crypt4gh
