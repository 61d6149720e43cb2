#include "htsget/c4gh_slice.h"

#include <algorithm>

#include "core/file.h"
#include "crypt4gh/stream.h"

namespace genomefed::htsget {

using crypt4gh::kCipherSegmentSize;
using crypt4gh::kSegmentSize;

CipherSelection SelectSegments(const std::vector<ByteSpan>& plaintext, uint64_t plaintext_size) {
  // The segments touched, in order, each once.
  std::vector<uint64_t> segments;
  for (const ByteSpan& s : plaintext) {
    if (s.end <= s.start) continue;
    for (uint64_t seg = s.start / kSegmentSize; seg <= (s.end - 1) / kSegmentSize; ++seg) {
      if (segments.empty() || segments.back() < seg) segments.push_back(seg);
    }
  }
  CipherSelection out;
  const uint64_t body_size = crypt4gh::BodySizeFor(plaintext_size);
  std::vector<ByteSpan> body;
  for (uint64_t seg : segments) {
    body.push_back({seg * kCipherSegmentSize, std::min(body_size, (seg + 1) * kCipherSegmentSize)});
  }
  out.body = MergeSpans(std::move(body));
  // Position of a plaintext offset in the plaintext of the segments sent.
  auto sent = [&segments](uint64_t offset) {
    const uint64_t seg = offset / kSegmentSize;
    const uint64_t rank = static_cast<uint64_t>(
        std::lower_bound(segments.begin(), segments.end(), seg) - segments.begin());
    return rank * kSegmentSize + offset % kSegmentSize;
  };
  uint64_t cursor = 0;
  for (const ByteSpan& s : plaintext) {
    if (s.end <= s.start) continue;
    const uint64_t at = sent(s.start);
    if (!out.edit_list.empty() && at == cursor) {
      out.edit_list.back() += s.size();  // touches the previous keep
    } else {
      out.edit_list.push_back(at - cursor);
      out.edit_list.push_back(s.size());
    }
    cursor = at + s.size();
  }
  return out;
}

Result<std::string> HeaderWithEditList(const crypt4gh::ArchiveEntry& entry,
                                       const crypt4gh::KeyPair& node,
                                       const crypt4gh::PublicKey& recipient,
                                       const std::vector<uint64_t>& edit_list,
                                       crypt4gh::X25519Cache* cache) {
  GF_ASSIGN_OR_RETURN(std::string bytes, ReadFile(entry.header_path()));
  GF_ASSIGN_OR_RETURN(crypt4gh::EncryptedHeader header,
                      crypt4gh::ParseHeader(std::span<const uint8_t>(
                          reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
  GF_ASSIGN_OR_RETURN(crypt4gh::DecryptedHeader opened,
                      crypt4gh::DecryptHeader(header, node, std::nullopt, cache));
  if (opened.content.edit_list) {
    return Unimplemented(entry.header_path().string() + " already has an edit list");
  }
  crypt4gh::HeaderContent content;
  for (const auto& key : opened.content.data_keys) content.data_keys.push_back(key.Clone());
  content.edit_list = edit_list;
  const crypt4gh::PublicKey recipients[] = {recipient};
  return crypt4gh::BuildHeader(content, node, recipients);
}

}  // namespace genomefed::htsget
