// ParseCodes / FormatCodes: the comma-separated DUO + disease form used by the CLI, sample
// sheets and application forms (see match.h).
#include <algorithm>

#include "duo/match.h"
#include "duo/terms.h"
#include "duo/text.h"

namespace genomefed::duo {
namespace {

constexpr size_t kMaxItemLength = 512;
constexpr size_t kMaxItems = 1000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPrefixChar(char c, bool first) {
  bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool IsLocalChar(char c) { return IsPrefixChar(c, false) || c == '+' || c == '~'; }

// PREFIX:LOCAL with an OBO-style prefix, e.g. MONDO:0005148, DOID:162, OMIM:600001.
bool IsCurie(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  for (size_t i = 0; i < colon; ++i) {
    if (!IsPrefixChar(s[i], i == 0)) return false;
  }
  for (size_t i = colon + 1; i < s.size(); ++i) {
    if (!IsLocalChar(s[i])) return false;
  }
  return true;
}

bool IsIri(std::string_view s) {
  if (!s.starts_with("http://") && !s.starts_with("https://")) return false;
  size_t start = s.find("://") + 3;
  if (start >= s.size()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f &&
           c != '"' && c != '<' && c != '>' && c != '\\';
  });
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : internal::Utf8Prefix(s, 80)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > 80) out += "...";
  return out;
}

void AddOnce(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

Result<DataUse> ParseCodes(std::string_view text) {
  DataUse use;
  if (Trim(text).empty()) {
    return InvalidArgument("no DUO codes given (expected e.g. DUO:0000007,MONDO:0005148)");
  }
  size_t position = 0;
  while (true) {
    ++position;
    if (position > kMaxItems) {
      return InvalidArgument("more than " + std::to_string(kMaxItems) + " codes");
    }
    size_t comma = text.find(',');
    std::string_view raw = text.substr(0, comma);
    std::string_view item = Trim(raw);
    std::string where = " (item " + std::to_string(position) + ")";
    if (item.empty()) return InvalidArgument("empty code" + where + ": remove the extra comma");
    if (item.size() > kMaxItemLength) {
      return InvalidArgument("code too long" + where + ": " + Printable(item));
    }
    bool duo_id = item.starts_with("DUO:");
    bool shorthand = item.find(':') == std::string_view::npos;
    if (duo_id || shorthand) {
      const Term* term = FindTerm(item);
      if (term == nullptr) {
        return InvalidArgument(
            std::string(duo_id ? "unknown DUO term '" : "unknown DUO shorthand '") +
            Printable(item) + "'" + where +
            (duo_id ? ": not in the DUO 2021-02-23 release"
                    : ": expected a DUO id (DUO:0000042), a shorthand (GRU, "
                      "HMB, DS, NPU, ...) or a disease CURIE (MONDO:0005148)"));
      }
      if (term->kind == TermKind::kObsolete) {
        return InvalidArgument("DUO term '" + Printable(item) + "'" + where + " (" +
                               std::string(term->label) + ") is obsolete");
      }
      AddOnce(use.terms, std::string(term->id));
    } else if (IsIri(item) || IsCurie(item)) {
      AddOnce(use.diseases, std::string(item));
    } else {
      return InvalidArgument("malformed code '" + Printable(item) + "'" + where +
                             ": expected a DUO id or shorthand, or a disease CURIE such as "
                             "MONDO:0005148 or an ontology IRI");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return use;
}

std::string FormatCodes(const DataUse& use) {
  std::string out;
  for (const std::string& t : use.terms) out += (out.empty() ? "" : ",") + t;
  for (const std::string& d : use.diseases) out += (out.empty() ? "" : ",") + d;
  return out;
}

}  // namespace genomefed::duo
