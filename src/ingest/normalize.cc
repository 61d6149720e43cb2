#include "ingest/normalize.h"

#include <algorithm>

#include "ingest/reference.h"

namespace genomefed::ingest {

AlleleKind ClassifyAllele(std::string_view a) {
  if (a.empty() || a == ".") return AlleleKind::kMissing;
  if (a == "*") return AlleleKind::kStar;
  if (a.front() == '<' || a.find('[') != std::string_view::npos ||
      a.find(']') != std::string_view::npos || a.front() == '.' || a.back() == '.') {
    return AlleleKind::kSymbolic;
  }
  for (char c : a) {
    switch (c) {
      case 'A':
      case 'C':
      case 'G':
      case 'T':
      case 'N':
      case 'a':
      case 'c':
      case 'g':
      case 't':
      case 'n':
        break;
      default:
        return AlleleKind::kInvalid;
    }
  }
  return AlleleKind::kSequence;
}

void TrimAlleles(int64_t& pos, std::string& ref, std::string& alt) {
  size_t suffix = 0;
  while (suffix + 1 < ref.size() && suffix + 1 < alt.size() &&
         ref[ref.size() - 1 - suffix] == alt[alt.size() - 1 - suffix]) {
    ++suffix;
  }
  ref.resize(ref.size() - suffix);
  alt.resize(alt.size() - suffix);
  size_t prefix = 0;
  while (prefix + 1 < ref.size() && prefix + 1 < alt.size() && ref[prefix] == alt[prefix]) ++prefix;
  if (prefix > 0) {
    ref.erase(0, prefix);
    alt.erase(0, prefix);
    pos += static_cast<int64_t>(prefix);
  }
}

bool LeftAlign(const ReferenceFasta& reference, std::string_view contig, int64_t& pos,
               std::string& ref, std::string& alt) {
  if (ref.size() == alt.size() || ref.empty() || alt.empty() || ref[0] != alt[0] ||
      std::min(ref.size(), alt.size()) != 1) {
    return false;  // not a trimmed, padded indel
  }
  // REF must be the reference: a mismatch means another assembly or a broken record.
  auto here = reference.Fetch(contig, pos, pos + static_cast<int64_t>(ref.size()) - 1);
  if (!here.ok() || *here != ref) return false;
  // The indel's inserted or deleted bases, anchored on the base before them (pos). Moving left
  // by one base is allowed while the last of those bases equals the anchor: the same sequence
  // results (vt / bcftools norm's rule). Read the reference before `pos` in windows.
  std::string indel = ref.size() > alt.size() ? ref.substr(1) : alt.substr(1);
  int64_t anchor = pos;  // 1-based position of the padding base
  std::string window;    // reference bases [window_start, anchor]
  int64_t window_start = anchor + 1;
  constexpr int64_t kWindow = 128;
  while (anchor > 1 && pos - anchor < kMaxLeftShift) {
    if (window_start > anchor) {
      const int64_t from = std::max<int64_t>(1, anchor - kWindow + 1);
      auto w = reference.Fetch(contig, from, anchor);
      if (!w.ok() || static_cast<int64_t>(w->size()) != anchor - from + 1) break;
      window = std::move(*w);
      window_start = from;
    }
    const char anchor_base = window[static_cast<size_t>(anchor - window_start)];
    if (anchor_base != indel.back()) break;
    // Rotate: the indel now starts one base earlier; the base before becomes the anchor.
    indel.pop_back();
    indel.insert(indel.begin(), anchor_base);
    --anchor;
  }
  if (anchor == pos) return true;  // already left-aligned
  // The base before the indel at its new place pads both alleles.
  auto pad = reference.Fetch(contig, anchor, anchor);
  if (!pad.ok() || pad->size() != 1) return false;
  const bool deletion = ref.size() > alt.size();
  ref = *pad + (deletion ? indel : std::string());
  alt = *pad + (deletion ? std::string() : indel);
  pos = anchor;
  return true;
}

}  // namespace genomefed::ingest
