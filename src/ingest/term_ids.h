// Ontology term ids in sample sheets, checked by their published patterns so that a typo is
// refused at ingest instead of becoming a term no filter ever matches:
//   HP:NNNNNNN (7 digits, HPO)            MONDO:NNNNNNN (7 digits)    DUO:NNNNNNN (7 digits)
//   NCIT:CN... (C and digits, NCI Thesaurus)  ORPHA:N... / Orphanet:N... (Orphanet digits)
//   OMIM:NNNNNN (6 digits)                ICD10:ANN[.N..] / ICD10CM:... (letter, 2 digits, then
//                                         up to 4 letters/digits, with or without the dot)
// Other prefixes keep the plain CURIE rule (PREFIX:LOCAL, no spaces, commas or '|'). With the
// node's HPO release at hand, ingest also lists the well-formed HPO ids the release lacks.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ontology/ontology.h"
#include "store/store.h"

namespace genomefed::ingest {

// "" when `id` is a well-formed term id, else why not (for a message).
std::string TermIdProblem(std::string_view id);

// The distinct HPO ids (HP:…) of `sheet`'s phenotype lists that `hpo` does not hold, in order
// of first appearance.
std::vector<std::string> PhenotypesNotIn(const ontology::Ontology& hpo,
                                         const std::vector<store::SampleInfo>& sheet);

// "N phenotype term(s) of the sample sheet are not in FILE: HP:…, … (up to 10)".
std::string UnknownTermsWarning(const std::vector<std::string>& unknown,
                                const std::filesystem::path& ontology_file);

}  // namespace genomefed::ingest
