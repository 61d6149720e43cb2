// DUOS DataUse JSON (the "DataUse V4" documents of the Broad DUOS system,
// DataBiosphere/consent-ontology) read into and written from genomefed's DataUse, so that a
// consent or a research purpose can come from, or go to, a DUOS catalogue or data access request.
//
// Each DUOS field maps to DUO terms and DataUse attributes as docs/duo.md tabulates
// (generalUse ↔ GRU, hmbResearch ↔ HMB, diseaseRestrictions ↔ DS + diseases,
// populationOriginsAncestry ↔ POA, methodsResearch ↔ method development / NMDS, nonProfitUse ↔
// NPU, ethicsApprovalRequired ↔ IRB, ...). Some fields mean different things on the two sides
// (a dataset's methodsResearch=false is NMDS; a purpose's methodsResearch=true is methods
// research), hence the Side argument. What DUOS cannot express (DUO terms such as US, PS, NCU;
// a purpose's ethics approval reference, collaborators, publication promise) travels in a
// "genomefed" object that DUOS ignores. Fields genomefed does not know are kept by name in
// DataUse::unrecognised, so that matching hands them to a human instead of dropping them.
//
// Untrusted input: the parser never throws; errors name the source and the field.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/status.h"
#include "duo/match.h"

namespace genomefed::duo {

enum class Side { kConsent, kPurpose };

// Parses one DataUse document (a JSON object). `source` names it in errors (a file name).
Result<DataUse> ParseDuosDataUse(std::string_view json_text, Side side, std::string_view source);
Result<DataUse> DataUseFromDuosJson(const nlohmann::json& doc, Side side, std::string_view source);

// The DUOS DataUse document for `use` (fields in DUOS' order; unset fields left out; disease
// CURIEs written as OBO PURL IRIs, as DUOS stores them).
nlohmann::json DataUseToDuosJson(const DataUse& use, Side side);

// {"verdict": "approve"|"deny"|"needs_review", "reasons": [...]} and its DUOS spelling
// ("result": "APPROVE"|"DENY"|"ABSTAIN", "rationale": [...]) side by side.
nlohmann::json MatchResultToJson(const MatchResult& result);

}  // namespace genomefed::duo
