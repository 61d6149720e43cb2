#include "ingest/term_ids.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace genomefed::ingest {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIcd10(std::string_view s) {
  if (s.size() < 3 || !(s[0] >= 'A' && s[0] <= 'Z') || !AllDigits(s.substr(1, 2))) return false;
  std::string_view rest = s.substr(3);
  if (!rest.empty() && rest[0] == '.') rest.remove_prefix(1);
  if (s.size() > 3 && rest.empty()) return false;  // "E11." has nothing after the dot
  return rest.size() <= 4 && std::all_of(rest.begin(), rest.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace

std::string TermIdProblem(std::string_view id) {
  const size_t colon = id.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == id.size()) {
    return "is not an ontology term like HP:0001250 or ICD10:E11";
  }
  for (char c : id) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '|') {
      return "contains '" + std::string(1, c) + "', which no term id has";
    }
  }
  const std::string_view prefix = id.substr(0, colon), local = id.substr(colon + 1);
  auto fixed_digits = [&](size_t n, const char* example) -> std::string {
    if (local.size() == n && AllDigits(local)) return "";
    return "is not a " + std::string(prefix) + " id (" + std::string(prefix) + ": and " +
           std::to_string(n) + " digits, e.g. " + example + ")";
  };
  if (prefix == "HP") return fixed_digits(7, "HP:0001250");
  if (prefix == "MONDO") return fixed_digits(7, "MONDO:0005015");
  if (prefix == "DUO") return fixed_digits(7, "DUO:0000042");
  if (prefix == "OMIM") return fixed_digits(6, "OMIM:219700");
  if (prefix == "NCIT") {
    if (local.size() >= 2 && local[0] == 'C' && AllDigits(local.substr(1))) return "";
    return "is not an NCIT id (NCIT:C and digits, e.g. NCIT:C16576)";
  }
  if (prefix == "ORPHA" || prefix == "Orphanet") {
    if (AllDigits(local)) return "";
    return "is not an Orphanet id (ORPHA: and digits, e.g. ORPHA:586)";
  }
  if (prefix == "ICD10" || prefix == "ICD10CM" || prefix == "ICD-10") {
    if (IsIcd10(local)) return "";
    return "is not an ICD-10 code (a letter, two digits, optionally . and up to 4 more, e.g. "
           "ICD10:E11 or ICD10:G40.9)";
  }
  return "";
}

std::vector<std::string> PhenotypesNotIn(const ontology::Ontology& hpo,
                                         const std::vector<store::SampleInfo>& sheet) {
  std::vector<std::string> unknown;
  std::set<std::string_view> seen;
  for (const auto& sample : sheet) {
    for (const auto& term : sample.phenotypes) {
      if (term.rfind("HP:", 0) != 0 || !seen.insert(term).second) continue;
      if (!hpo.Contains(term)) unknown.push_back(term);
    }
  }
  return unknown;
}

std::string UnknownTermsWarning(const std::vector<std::string>& unknown,
                                const std::filesystem::path& ontology_file) {
  std::string list;
  for (size_t i = 0; i < unknown.size() && i < 10; ++i) list += (i ? ", " : "") + unknown[i];
  if (unknown.size() > 10) list += ", ...";
  return std::to_string(unknown.size()) + " phenotype term(s) of the sample sheet are not in " +
         ontology_file.string() + ": " + list +
         " (obsolete or mistyped? filters on a term never reach these samples through its "
         "ancestors)";
}

}  // namespace genomefed::ingest
