// The built-in DUO 2021-02-23 term table (see terms.h). Transcribed from the release's duo.owl
// (ids, oboInOwl:shorthand, rdfs:label, rdfs:subClassOf); tests/duo/terms_test.cc compares it
// with ../shared/duo/duo.owl and duo.csv. To move to a newer release, update the rows here and
// let that test say what differs.
#include "duo/terms.h"

#include <algorithm>

namespace genomefed::duo {
namespace {

// clang-format off
constexpr Term kTerms[] = {
    {"DUO:0000001", "", "data use permission", TermKind::kPermission, "IAO:0000027"},
    {"DUO:0000002", "", "obsolete consent code primary category", TermKind::kObsolete, "oboInOwl:ObsoleteClass"},
    {"DUO:0000003", "", "obsolete consent code secondary category", TermKind::kObsolete, "oboInOwl:ObsoleteClass"},
    {"DUO:0000004", "NRES", "no restriction", TermKind::kPermission, "DUO:0000001"},
    {"DUO:0000005", "GRU-CC", "obsolete general research use and clinical care", TermKind::kObsolete, "oboInOwl:ObsoleteClass"},
    {"DUO:0000006", "HMB", "health or medical or biomedical research", TermKind::kPermission, "DUO:0000042"},
    {"DUO:0000007", "DS", "disease specific research", TermKind::kPermission, "DUO:0000006"},
    {"DUO:0000011", "POA", "population origins or ancestry research only", TermKind::kPermission, "DUO:0000001"},
    {"DUO:0000012", "RS", "research specific restrictions", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000014", "RU", "obsolete research use only", TermKind::kObsolete, "oboInOwl:ObsoleteClass"},
    {"DUO:0000015", "NMDS", "no general methods research", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000016", "GSO", "genetic studies only", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000017", "", "data use modifier", TermKind::kModifier, "IAO:0000027"},
    {"DUO:0000018", "NPUNCU", "not for profit, non commercial use only", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000019", "PUB", "publication required", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000020", "COL", "collaboration required", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000021", "IRB", "ethics approval required", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000022", "GS", "geographical restriction", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000024", "MOR", "publication moratorium", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000025", "TS", "time limit on use", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000026", "US", "user specific restriction", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000027", "PS", "project specific restriction", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000028", "IS", "institution specific restriction", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000029", "RTN", "return to database or resource", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000031", "", "method development", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000032", "", "population research", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000033", "", "ancestry research", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000034", "", "age category research", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000035", "", "gender category research", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000036", "", "research control", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000037", "", "biomedical research", TermKind::kInvestigation, "OBI:0000066"},
    {"DUO:0000038", "", "genetic research", TermKind::kInvestigation, "DUO:0000037"},
    {"DUO:0000039", "", "drug development research", TermKind::kInvestigation, "DUO:0000037"},
    {"DUO:0000040", "", "disease category research", TermKind::kInvestigation, "DUO:0000037"},
    {"DUO:0000042", "GRU", "general research use", TermKind::kPermission, "DUO:0000001"},
    {"DUO:0000043", "CC", "clinical care use", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000044", "NPOA", "population origins or ancestry research prohibited", TermKind::kModifier, "DUO:0000017"},
    {"DUO:0000045", "NPU", "not for profit organisation use only", TermKind::kModifier, "DUO:0000018"},
    {"DUO:0000046", "NCU", "non-commercial use only", TermKind::kModifier, "DUO:0000018"},
};
// clang-format on

}  // namespace

std::string_view TermKindName(TermKind kind) {
  switch (kind) {
    case TermKind::kPermission:
      return "permission";
    case TermKind::kModifier:
      return "modifier";
    case TermKind::kInvestigation:
      return "investigation";
    case TermKind::kObsolete:
      return "obsolete";
  }
  return "unknown";
}

std::span<const Term> AllTerms() { return kTerms; }

const Term* FindTerm(std::string_view id_or_shorthand) {
  for (const Term& t : kTerms) {
    if (t.id == id_or_shorthand) return &t;
  }
  if (id_or_shorthand.empty()) return nullptr;
  for (const Term& t : kTerms) {
    if (t.shorthand == id_or_shorthand) return &t;
  }
  return nullptr;
}

bool IsA(std::string_view id, std::string_view ancestor) {
  // The table is a tree of depth < 5; a bound guards against a cycle slipped into an edit.
  std::string_view current = id;
  for (int depth = 0; depth < 16; ++depth) {
    if (current == ancestor) return true;
    const Term* t = FindTerm(current);
    if (t == nullptr || t->id != current) return false;
    current = t->parent;
  }
  return false;
}

std::string Describe(std::string_view id) {
  const Term* t = FindTerm(id);
  if (t == nullptr || t->id != id) return std::string(id);
  std::string name = t->shorthand.empty() ? std::string(t->label) : std::string(t->shorthand);
  return name + " (" + std::string(t->id) + ")";
}

}  // namespace genomefed::duo
