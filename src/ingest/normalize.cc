#include "ingest/normalize.h"

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

}  // namespace genomefed::ingest
