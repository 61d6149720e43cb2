// Ontology term ids in sample sheets, checked by their published patterns so that a typo is
// refused at ingest instead of becoming a term no filter ever matches:
//   HP:NNNNNNN (7 digits, HPO)            MONDO:NNNNNNN (7 digits)    DUO:NNNNNNN (7 digits)
//   NCIT:CN... (C and digits, NCI Thesaurus)  ORPHA:N... / Orphanet:N... (Orphanet digits)
//   OMIM:NNNNNN (6 digits)                ICD10:ANN[.N..] / ICD10CM:... (letter, 2 digits, then
//                                         up to 4 letters/digits, with or without the dot)
// Other prefixes keep the plain CURIE rule (PREFIX:LOCAL, no spaces, commas or '|').
#pragma once

#include <string>
#include <string_view>

namespace genomefed::ingest {

// "" when `id` is a well-formed term id, else why not (for a message).
std::string TermIdProblem(std::string_view id);

}  // namespace genomefed::ingest
