// Readers for the files of a DUO release as EBISPOT/DUO publishes them: duo.owl (RDF/XML; the
// owl:Class elements of DUO ids with oboInOwl:id, oboInOwl:shorthand, rdfs:label, the direct
// rdfs:subClassOf and owl:deprecated) and duo.csv (id,shorthand,label,description).
//
// genomefed matches with its built-in table (terms.h); these readers exist so that the table is
// checked against the release (tests/duo/terms_test.cc) and so that an operator can compare a
// newer release (`genomefed duo terms --owl FILE` prints the differences).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "duo/terms.h"

namespace genomefed::duo {

struct ReleaseTerm {
  std::string id;         // oboInOwl:id, e.g. "DUO:0000044" (not the IRI: NPOA's is misspelt)
  std::string shorthand;  // may be empty
  std::string label;
  std::string parent;       // the first direct named superclass as a CURIE ("DUO:0000017",
                            // "IAO:0000027", "oboInOwl:ObsoleteClass"); empty in the CSV
  bool deprecated = false;  // owl:deprecated, or a subclass of oboInOwl:ObsoleteClass
  std::string description;  // CSV only
};

// The DUO classes of an RDF/XML release, in file order. `source` names it in errors.
Result<std::vector<ReleaseTerm>> ParseDuoOwl(std::string_view text, std::string_view source);
// The rows of duo.csv (RFC 4180 quoting), header checked. Errors name the line.
Result<std::vector<ReleaseTerm>> ParseDuoCsv(std::string_view text, std::string_view source);

// Human-readable differences between the built-in table and a release ("DUO:0000045: label
// 'x' in the release, 'y' built in"); empty when they agree. A CSV release (no parents, current
// terms only) is compared on id, shorthand and label, and only for the terms it lists.
std::vector<std::string> CompareWithBuiltIn(const std::vector<ReleaseTerm>& release,
                                            bool release_has_hierarchy);

}  // namespace genomefed::duo
