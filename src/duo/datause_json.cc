// DUOS DataUse JSON ↔ DataUse (see datause_json.h; the mapping table is in docs/duo.md).
#include "duo/datause_json.h"

#include <algorithm>
#include <array>

#include "duo/terms.h"
#include "duo/text.h"

namespace genomefed::duo {
namespace {

using nlohmann::json;
namespace id = ids;

constexpr size_t kMaxStringLength = 4096;
constexpr size_t kMaxListLength = 1000;

// DUOS purpose flags that make V4 abstain: kept by field name in DataUse::sensitive.
constexpr std::array<std::string_view, 6> kSensitiveFields = {
    "illegalBehavior",       "sexualDiseases",      "stigmatizeDiseases",
    "vulnerablePopulations", "psychologicalTraits", "notHealth"};

// Boolean DUOS fields that stand for one DUO term on either side.
struct TermFlag {
  std::string_view field;
  std::string_view term;
};
constexpr std::array<TermFlag, 9> kTermFlags = {{
    {"generalUse", id::kGeneralResearchUse},
    {"hmbResearch", id::kHealthMedicalBiomedical},
    {"populationOriginsAncestry", id::kPopulationOriginsAncestry},
    {"ethicsApprovalRequired", id::kEthicsApprovalRequired},
    {"collaboratorRequired", id::kCollaborationRequired},
    {"geneticStudiesOnly", id::kGeneticStudiesOnly},
    {"publicationResults", id::kPublicationRequired},
    {"controls", id::kResearchControl},
    {"pediatric", id::kAgeCategoryResearch},
}};
constexpr TermFlag kPopulationFlag = {"population", id::kPopulationResearch};

bool Has(const DataUse& use, std::string_view term) {
  return std::find(use.terms.begin(), use.terms.end(), term) != use.terms.end();
}

void AddTerm(DataUse& use, std::string_view term) {
  if (!Has(use, term)) use.terms.emplace_back(term);
}

class Reader {
 public:
  Reader(const json& doc, std::string_view source) : doc_(doc), source_(source) {}

  Status Error(std::string_view field, std::string_view what) const {
    return InvalidArgument(std::string(source_) + ": field \"" + std::string(field) + "\" " +
                           std::string(what));
  }

  // nullopt when absent or null.
  Result<std::optional<bool>> Bool(std::string_view field) const {
    auto it = doc_.find(field);
    if (it == doc_.end() || it->is_null()) return std::optional<bool>();
    if (!it->is_boolean()) return Error(field, "must be true, false or null");
    return std::optional<bool>(it->get<bool>());
  }

  Result<std::string> String(std::string_view field) const {
    auto it = doc_.find(field);
    if (it == doc_.end() || it->is_null()) return std::string();
    if (!it->is_string()) return Error(field, "must be a string or null");
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > kMaxStringLength) return Error(field, "is too long");
    return s;
  }

  Result<std::vector<std::string>> Strings(const json& parent, std::string_view field) const {
    std::vector<std::string> out;
    auto it = parent.find(field);
    if (it == parent.end() || it->is_null()) return out;
    if (!it->is_array()) return Error(field, "must be an array of strings");
    if (it->size() > kMaxListLength) return Error(field, "has too many entries");
    for (const json& v : *it) {
      if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
          v.get_ref<const std::string&>().size() > kMaxStringLength) {
        return Error(field, "must be an array of non-empty strings");
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

 private:
  const json& doc_;
  std::string_view source_;
};

bool IsKnownField(std::string_view f) {
  static constexpr std::array<std::string_view, 11> kOthers = {"diseaseRestrictions",
                                                               "methodsResearch",
                                                               "nonProfitUse",
                                                               "other",
                                                               "secondaryOther",
                                                               "otherSecondary",
                                                               "geographicalRestrictions",
                                                               "publicationMoratorium",
                                                               "gender",
                                                               "genomefed",
                                                               "population"};
  for (const auto& t : kTermFlags) {
    if (t.field == f) return true;
  }
  return std::find(kOthers.begin(), kOthers.end(), f) != kOthers.end() ||
         std::find(kSensitiveFields.begin(), kSensitiveFields.end(), f) != kSensitiveFields.end();
}

// genomefed's extension object: DUO terms and purpose attributes DUOS has no field for.
Status ReadExtension(const json& ext, std::string_view source, DataUse& use) {
  Reader r(ext, source);
  if (!ext.is_object()) return r.Error("genomefed", "must be an object");
  GF_ASSIGN_OR_RETURN(std::vector<std::string> terms, r.Strings(ext, "terms"));
  for (const std::string& t : terms) {
    const Term* term = FindTerm(t);
    if (term == nullptr || term->id != t || term->kind == TermKind::kObsolete) {
      return r.Error("genomefed.terms", "holds '" + std::string(internal::Utf8Prefix(t, 80)) +
                                            "', not a current DUO id (DUO:0000042 form)");
    }
    AddTerm(use, t);
  }
  GF_ASSIGN_OR_RETURN(use.ethics_approval, Reader(ext, source).String("ethicsApproval"));
  GF_ASSIGN_OR_RETURN(use.collaborators, r.Strings(ext, "collaborators"));
  GF_ASSIGN_OR_RETURN(std::optional<bool> promised, r.Bool("publicationPromised"));
  use.publication_promised = promised.value_or(false);
  GF_ASSIGN_OR_RETURN(std::vector<std::string> unrecognised, r.Strings(ext, "unrecognised"));
  for (std::string& u : unrecognised) use.unrecognised.push_back(std::move(u));
  for (const auto& [key, value] : ext.items()) {
    if (key != "terms" && key != "ethicsApproval" && key != "collaborators" &&
        key != "publicationPromised" && key != "unrecognised") {
      return r.Error("genomefed." + std::string(internal::Utf8Prefix(key, 80)),
                     "is not a genomefed extension field");
    }
  }
  return Status::Ok();
}

std::string DiseaseIri(const std::string& disease) {
  std::string n = NormaliseDiseaseId(disease);
  size_t colon = n.find(':');
  if (colon == std::string::npos || n.starts_with("http")) return disease;
  return "http://purl.obolibrary.org/obo/" + n.substr(0, colon) + "_" + n.substr(colon + 1);
}

}  // namespace

Result<DataUse> DataUseFromDuosJson(const json& doc, Side side, std::string_view source) {
  if (!doc.is_object()) {
    return InvalidArgument(std::string(source) + ": a DUOS DataUse must be a JSON object");
  }
  Reader r(doc, source);
  DataUse use;
  // The extension first, so that its exact terms (NCU rather than NPU, say) win below.
  if (auto ext = doc.find("genomefed"); ext != doc.end() && !ext->is_null()) {
    GF_RETURN_IF_ERROR(ReadExtension(*ext, source, use));
  }
  for (const TermFlag& flag : kTermFlags) {
    GF_ASSIGN_OR_RETURN(std::optional<bool> v, r.Bool(flag.field));
    // NRES is written as generalUse plus the exact term; do not add GRU beside it again.
    if (flag.term == id::kGeneralResearchUse && Has(use, id::kNoRestriction)) continue;
    if (v.value_or(false)) AddTerm(use, flag.term);
  }
  GF_ASSIGN_OR_RETURN(std::optional<bool> population, r.Bool(kPopulationFlag.field));
  if (population.value_or(false)) AddTerm(use, kPopulationFlag.term);

  GF_ASSIGN_OR_RETURN(std::vector<std::string> diseases, r.Strings(doc, "diseaseRestrictions"));
  for (std::string& d : diseases) {
    if (std::find(use.diseases.begin(), use.diseases.end(), d) == use.diseases.end()) {
      use.diseases.push_back(std::move(d));
    }
  }
  if (!use.diseases.empty()) AddTerm(use, id::kDiseaseSpecific);

  GF_ASSIGN_OR_RETURN(std::optional<bool> methods, r.Bool("methodsResearch"));
  if (side == Side::kPurpose && methods.value_or(false)) AddTerm(use, id::kMethodDevelopment);
  if (side == Side::kConsent && methods.has_value() && !*methods) {
    AddTerm(use, id::kNoMethodsDevelopment);
  }

  GF_ASSIGN_OR_RETURN(use.non_profit, r.Bool("nonProfitUse"));
  bool npu_family = Has(use, id::kNotForProfitOrganisation) || Has(use, id::kNonCommercial) ||
                    Has(use, id::kNotForProfitNonCommercial);
  if (side == Side::kConsent && use.non_profit.value_or(false) && !npu_family) {
    AddTerm(use, id::kNotForProfitOrganisation);
  }

  GF_ASSIGN_OR_RETURN(use.other, r.String("other"));
  GF_ASSIGN_OR_RETURN(use.secondary_other, r.String("secondaryOther"));
  if (use.secondary_other.empty()) {
    // A legacy spelling found in DUOS' own catalogue (DUOS-000016 and others).
    GF_ASSIGN_OR_RETURN(use.secondary_other, r.String("otherSecondary"));
  }
  GF_ASSIGN_OR_RETURN(use.geographical_restriction, r.String("geographicalRestrictions"));
  if (!use.geographical_restriction.empty()) AddTerm(use, id::kGeographicalRestriction);
  GF_ASSIGN_OR_RETURN(use.publication_moratorium, r.String("publicationMoratorium"));
  if (!use.publication_moratorium.empty()) AddTerm(use, id::kPublicationMoratorium);
  GF_ASSIGN_OR_RETURN(use.gender, r.String("gender"));
  if (!use.gender.empty()) AddTerm(use, id::kGenderCategoryResearch);

  for (std::string_view field : kSensitiveFields) {
    GF_ASSIGN_OR_RETURN(std::optional<bool> v, r.Bool(field));
    if (v.value_or(false)) use.sensitive.emplace_back(field);
  }
  for (const auto& [key, value] : doc.items()) {
    if (IsKnownField(key)) continue;
    if (value.is_null() || (value.is_boolean() && !value.get<bool>())) continue;
    if (use.unrecognised.size() >= kMaxListLength) break;
    // A name is kept even when empty, spelt so that it can be written and read back.
    use.unrecognised.push_back(key.empty() ? std::string("(empty field name)")
                                           : std::string(internal::Utf8Prefix(key, 80)));
  }
  return use;
}

Result<DataUse> ParseDuosDataUse(std::string_view json_text, Side side, std::string_view source) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgument(std::string(source) + ": not valid JSON (a DUOS DataUse object)");
  }
  return DataUseFromDuosJson(doc, side, source);
}

json DataUseToDuosJson(const DataUse& use, Side side) {
  json out = json::object();
  json extra_terms = json::array();
  std::vector<std::string_view> written;  // terms a DUOS field carries exactly
  auto flag = [&](std::string_view field, std::string_view term) {
    if (!Has(use, term)) return;
    out[std::string(field)] = true;
    written.push_back(term);
  };
  flag("generalUse", id::kGeneralResearchUse);
  if (Has(use, id::kNoRestriction)) out["generalUse"] = true;  // NRES also kept exactly below
  if (!use.diseases.empty()) {
    json ds = json::array();
    for (const std::string& d : use.diseases) ds.push_back(DiseaseIri(d));
    out["diseaseRestrictions"] = std::move(ds);
    written.push_back(id::kDiseaseSpecific);
  }
  flag("hmbResearch", id::kHealthMedicalBiomedical);
  flag("populationOriginsAncestry", id::kPopulationOriginsAncestry);
  if (side == Side::kPurpose && Has(use, id::kMethodDevelopment)) {
    out["methodsResearch"] = true;
    written.push_back(id::kMethodDevelopment);
  }
  if (side == Side::kConsent && Has(use, id::kNoMethodsDevelopment)) {
    out["methodsResearch"] = false;
    written.push_back(id::kNoMethodsDevelopment);
  }
  bool npu_family = Has(use, id::kNotForProfitOrganisation) || Has(use, id::kNonCommercial) ||
                    Has(use, id::kNotForProfitNonCommercial);
  if (use.non_profit.has_value()) {
    out["nonProfitUse"] = *use.non_profit;
  } else if (npu_family) {
    out["nonProfitUse"] = true;
  }
  if (side == Side::kConsent && Has(use, id::kNotForProfitOrganisation) &&
      !Has(use, id::kNonCommercial) && !Has(use, id::kNotForProfitNonCommercial)) {
    written.push_back(id::kNotForProfitOrganisation);
  }
  if (!use.other.empty()) out["other"] = use.other;
  if (!use.secondary_other.empty()) out["secondaryOther"] = use.secondary_other;
  flag("ethicsApprovalRequired", id::kEthicsApprovalRequired);
  flag("collaboratorRequired", id::kCollaborationRequired);
  if (!use.geographical_restriction.empty() && Has(use, id::kGeographicalRestriction)) {
    out["geographicalRestrictions"] = use.geographical_restriction;
    written.push_back(id::kGeographicalRestriction);
  }
  flag("geneticStudiesOnly", id::kGeneticStudiesOnly);
  flag("publicationResults", id::kPublicationRequired);
  if (!use.publication_moratorium.empty() && Has(use, id::kPublicationMoratorium)) {
    out["publicationMoratorium"] = use.publication_moratorium;
    written.push_back(id::kPublicationMoratorium);
  }
  flag("controls", id::kResearchControl);
  if (!use.gender.empty() && Has(use, id::kGenderCategoryResearch)) {
    out["gender"] = use.gender;
    written.push_back(id::kGenderCategoryResearch);
  }
  flag("pediatric", id::kAgeCategoryResearch);
  flag("population", id::kPopulationResearch);
  for (const std::string& s : use.sensitive) out[s] = true;

  for (const std::string& t : use.terms) {
    if (std::find(written.begin(), written.end(), t) == written.end()) extra_terms.push_back(t);
  }
  json ext = json::object();
  if (!extra_terms.empty()) ext["terms"] = std::move(extra_terms);
  if (!use.ethics_approval.empty()) ext["ethicsApproval"] = use.ethics_approval;
  if (!use.collaborators.empty()) ext["collaborators"] = use.collaborators;
  if (use.publication_promised) ext["publicationPromised"] = true;
  if (!use.unrecognised.empty()) ext["unrecognised"] = use.unrecognised;
  if (!ext.empty()) out["genomefed"] = std::move(ext);
  return out;
}

json MatchResultToJson(const MatchResult& result) {
  std::string_view duos = result.verdict == Verdict::kApprove ? "APPROVE"
                          : result.verdict == Verdict::kDeny  ? "DENY"
                                                              : "ABSTAIN";
  return json{{"verdict", VerdictName(result.verdict)},
              {"reasons", result.reasons},
              {"result", duos},
              {"rationale", result.reasons}};
}

}  // namespace genomefed::duo
