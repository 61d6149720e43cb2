// DUO consent matching: does a research purpose fall within a dataset's consent?
//
// Both sides are a DataUse: DUO terms (GA4GH Data Use Ontology, 2021-02-23 release; terms.h)
// plus disease ids for DS and a few attributes a DUO code cannot carry (a purpose's ethics
// approval reference, collaborators, publication promise, commercial status; a consent's
// free-text restrictions). Match() follows the Broad DUOS matching algorithm V4 (as published
// with DUOS in DataBiosphere/consent-ontology, DataUseMatchCasesV4): one rule per research
// category (disease, HMB, POA, methods, non-profit), a purpose with sensitive or uncategorised
// research is left to a human, and the 33 V4 unit-test expectations are tests here
// (tests/duo/duos_v4_cases_test.cc). Where V4 is silent (consent modifiers IRB, COL, PUB, GS,
// US, PS, IS, RS, GSO, NMDS, NPOA, CC, MOR, TS, RTN; GRU purposes on narrower consents;
// free-text consent restrictions) genomefed decides by default-deny; docs/duo.md lists every
// rule and each departure from V4.
//
// The verdict is approve, deny or needs_review, with human-readable reasons naming the terms
// (e.g. "HMB (DUO:0000006) research is not within the consent's POA (DUO:0000011)").
// Nothing here does I/O; all functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace genomefed::duo {

enum class Verdict { kApprove, kDeny, kNeedsReview };

// "approve" | "deny" | "needs_review".
std::string_view VerdictName(Verdict verdict);
// The inverse of VerdictName; nullopt for anything else.
std::optional<Verdict> ParseVerdict(std::string_view name);

// A dataset's consent or a research purpose. Which fields mean what depends on the side; the
// fields a side does not use are ignored by Match().
struct DataUse {
  // DUO CURIEs ("DUO:0000007"), known to terms.h and not obsolete (ParseCodes checks).
  std::vector<std::string> terms;
  // Disease CURIEs or IRIs ("MONDO:0005148", "http://purl.obolibrary.org/obo/DOID_162"): the
  // diseases of a DS consent, or the diseases a purpose studies. A disease id implies DS.
  std::vector<std::string> diseases;

  // Purpose: true = not-for-profit, non-commercial use; false = for-profit or commercial; unset
  // = not stated (an NPU/NCU/NPUNCU term on the purpose counts as true). Consent: true = NPU
  // restriction (as the terms NPU/NCU/NPUNCU), false = explicitly none (DUOS nonProfitUse).
  std::optional<bool> non_profit;
  // Purpose: the reference of the research's ethics (IRB/ERB) approval; satisfies IRB.
  std::string ethics_approval;
  // Purpose: collaborators among the dataset's primary investigators; satisfies COL.
  std::vector<std::string> collaborators;
  // Purpose: the researcher promises to make results public; satisfies PUB.
  bool publication_promised = false;
  // Purpose: gender-focused research ("M", "F", "Male", "Female"; DUOS `gender`).
  std::string gender;
  // Purpose: DUOS sensitive-research flags that are set, by DUOS field name
  // (illegalBehavior, sexualDiseases, stigmatizeDiseases, vulnerablePopulations,
  // psychologicalTraits, notHealth).
  std::vector<std::string> sensitive;
  // Free text (DUOS `other`, `secondaryOther`). On a consent: restrictions a DAC must read.
  std::string other;
  std::string secondary_other;
  // Consent: where use is allowed (GS), and the date before which no publication (MOR).
  std::string geographical_restriction;
  std::string publication_moratorium;
  // Fields of a DUOS document that genomefed does not evaluate (legacy or unknown names):
  // kept so that Match() hands them to a human instead of ignoring them.
  std::vector<std::string> unrecognised;

  bool operator==(const DataUse&) const = default;
};

struct MatchResult {
  Verdict verdict;
  std::vector<std::string> reasons;  // never empty for deny and needs_review
};

class DiseaseHierarchy;  // ancestors of a disease id (disease_hierarchy.h)

// Parses "DUO:0000007,MONDO:0005148": DUO ids or shorthands ("HMB") and disease CURIEs or
// IRIs, comma separated, spaces around items ignored. Unknown or obsolete DUO terms, malformed
// CURIEs and empty items → InvalidArgument naming the item and its position.
Result<DataUse> ParseCodes(std::string_view comma_separated);

// The comma-separated form of a DataUse's terms and diseases (ParseCodes' inverse for those).
std::string FormatCodes(const DataUse& use);

// Matches a research purpose against a dataset's consent. Disease restrictions match through
// `diseases` when given (a purpose disease matches when the consent names it or one of its
// ancestors), by exact id otherwise (CURIE and OBO IRI spellings of one id are equal).
MatchResult Match(const DataUse& consent, const DataUse& purpose,
                  const DiseaseHierarchy* diseases = nullptr);

// "DOID:162" for "http://purl.obolibrary.org/obo/DOID_162" (and for "DOID:162"); other IRIs
// and strings unchanged. How disease ids are compared.
std::string NormaliseDiseaseId(std::string_view id);

}  // namespace genomefed::duo
