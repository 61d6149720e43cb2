// DUOS V4 consent matching over DUO terms (see match.h; the rules are listed in docs/duo.md).
#include "duo/match.h"

#include <algorithm>
#include <set>

#include "duo/disease_hierarchy.h"
#include "duo/terms.h"
#include "duo/text.h"

namespace genomefed::duo {
namespace {

namespace id = ids;

bool Has(const DataUse& use, std::string_view term) {
  return std::find(use.terms.begin(), use.terms.end(), term) != use.terms.end();
}

std::string Quote(std::string_view text) {
  // Free text from documents goes into reasons; keep them one line and bounded.
  std::string out = "\"";
  for (char c : internal::Utf8Prefix(text, 200))
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > 200) out += "...";
  return out + "\"";
}

// What each side asks for, in the categories the DUOS V4 rules reason about.
struct ConsentView {
  bool gru, hmb, ds, poa, npu, npu_stated, any_permission;
  std::vector<std::string> diseases;  // normalised
  std::string npu_terms;              // how reasons name the consent's non-profit restriction
};

struct PurposeView {
  bool gru, hmb, ds, poa, mds, non_profit, non_profit_stated, any_category;
  std::vector<std::string> diseases;  // as given (reasons quote them as the researcher wrote)
};

ConsentView ViewConsent(const DataUse& c) {
  ConsentView v{};
  v.gru = Has(c, id::kGeneralResearchUse) || Has(c, id::kNoRestriction);
  v.hmb = Has(c, id::kHealthMedicalBiomedical);
  v.ds = Has(c, id::kDiseaseSpecific) || !c.diseases.empty();
  v.poa = Has(c, id::kPopulationOriginsAncestry);
  for (std::string_view t :
       {id::kNotForProfitOrganisation, id::kNonCommercial, id::kNotForProfitNonCommercial}) {
    if (!Has(c, t)) continue;
    v.npu = true;
    v.npu_terms += (v.npu_terms.empty() ? "" : ", ") + Describe(t);
  }
  if (!v.npu && c.non_profit.value_or(false)) {
    v.npu = true;
    v.npu_terms = Describe(id::kNotForProfitOrganisation);
  }
  v.npu_stated = v.npu || c.non_profit.has_value();
  v.any_permission = v.gru || v.hmb || v.ds || v.poa;
  for (const std::string& d : c.diseases) v.diseases.push_back(NormaliseDiseaseId(d));
  return v;
}

PurposeView ViewPurpose(const DataUse& p) {
  PurposeView v{};
  v.gru = Has(p, id::kGeneralResearchUse) || Has(p, id::kNoRestriction);
  // DUO's investigation classes name research a purpose may state directly.
  v.hmb = Has(p, id::kHealthMedicalBiomedical) || Has(p, id::kBiomedicalResearch) ||
          Has(p, id::kGeneticResearch) || Has(p, id::kDrugDevelopment);
  v.ds =
      Has(p, id::kDiseaseSpecific) || Has(p, id::kDiseaseCategoryResearch) || !p.diseases.empty();
  v.poa = Has(p, id::kPopulationOriginsAncestry) || Has(p, id::kAncestryResearch);
  v.mds = Has(p, id::kMethodDevelopment);
  bool np_term = Has(p, id::kNotForProfitOrganisation) || Has(p, id::kNonCommercial) ||
                 Has(p, id::kNotForProfitNonCommercial);
  v.non_profit = p.non_profit.value_or(np_term);
  v.non_profit_stated = p.non_profit.has_value() || np_term;
  v.any_category = v.gru || v.hmb || v.ds || v.poa || v.mds;
  v.diseases = p.diseases;
  return v;
}

// The reasons of each severity, gathered rule by rule.
class Findings {
 public:
  void Approve(std::string r) { approve_.push_back(std::move(r)); }
  void Deny(std::string r) { deny_.push_back(std::move(r)); }
  void Review(std::string r) { review_.push_back(std::move(r)); }

  // Deny dominates needs_review (V4 lets abstain dominate; see docs/duo.md): a purpose that
  // breaks a consent rule is denied whatever else a human would have to look at.
  MatchResult Result(const DataUse& consent) && {
    if (!deny_.empty()) {
      for (auto& r : review_) deny_.push_back("also for review: " + r);
      return {Verdict::kDeny, std::move(deny_)};
    }
    if (!review_.empty()) return {Verdict::kNeedsReview, std::move(review_)};
    if (approve_.empty()) {
      std::string codes = FormatCodes(consent);
      approve_.push_back("the purpose is within every restriction of the consent" +
                         (codes.empty() ? std::string() : " (" + codes + ")"));
    }
    return {Verdict::kApprove, std::move(approve_)};
  }

 private:
  std::vector<std::string> approve_, deny_, review_;
};

std::string DiseaseName(std::string_view disease, const DiseaseHierarchy* h) {
  std::string out(disease);
  if (h != nullptr) {
    if (auto label = h->Label(disease)) out += " (" + *label + ")";
  }
  return out;
}

std::string JoinDiseases(const std::vector<std::string>& ds, const DiseaseHierarchy* h) {
  std::string out;
  for (const std::string& d : ds) out += (out.empty() ? "" : ", ") + DiseaseName(d, h);
  return out.empty() ? "no disease" : out;
}

// V4 matchDiseases. Returns true when every purpose disease is the consent's disease or below
// it (an actual disease match, which NMDS and methods research rely on).
bool MatchDiseases(const ConsentView& c, const DataUse& consent, const PurposeView& p,
                   const DiseaseHierarchy* h, Findings& f) {
  if (!p.ds) return false;
  const std::string ds = Describe(id::kDiseaseSpecific);
  if (p.diseases.empty()) {
    f.Review(ds + " research purpose names no disease: a DAC must establish which");
    return false;
  }
  if (c.gru) {
    f.Approve(ds + " research on " + JoinDiseases(p.diseases, h) +
              " is within the consent's general research use " + Describe(id::kGeneralResearchUse));
  } else if (c.hmb) {
    f.Approve(ds + " research on " + JoinDiseases(p.diseases, h) +
              " is within the consent's health, medical, biomedical research " +
              Describe(id::kHealthMedicalBiomedical));
  }
  bool all_matched = true;
  for (const std::string& disease : p.diseases) {
    std::string self = NormaliseDiseaseId(disease);
    std::vector<std::string> lineage{self};
    if (h != nullptr) {
      std::vector<std::string> up = h->Ancestors(self);
      lineage.insert(lineage.end(), up.begin(), up.end());
    }
    auto hit =
        std::find_first_of(lineage.begin(), lineage.end(), c.diseases.begin(), c.diseases.end());
    if (hit != lineage.end()) {
      if (!c.gru && !c.hmb) {
        f.Approve(ds + " research on " + DiseaseName(disease, h) +
                  " is within the consent's disease restriction to " + DiseaseName(*hit, h) +
                  (*hit == self ? " (the same disease)" : " (an ancestor)"));
      }
      continue;
    }
    all_matched = false;
    if (c.gru || c.hmb) continue;  // the broad permission already covers it
    std::string how = h == nullptr
                          ? " (compared by exact id: no disease hierarchy is configured)"
                          : " (neither it nor any of its " + std::to_string(lineage.size() - 1) +
                                " ancestors is named)";
    f.Deny(ds + " research on " + DiseaseName(disease, h) +
           " is not within the consent's disease restriction to " +
           JoinDiseases(consent.diseases, h) + how);
  }
  return all_matched;
}

// V4 matchHMB, with GRU purposes held to GRU consents on every narrower permission.
void MatchHmbAndGru(const ConsentView& c, const PurposeView& p, Findings& f) {
  const std::string hmb = Describe(id::kHealthMedicalBiomedical);
  const std::string gru = Describe(id::kGeneralResearchUse);
  if (p.gru) {
    if (c.gru) {
      f.Approve("general research use " + gru + " is within the consent's " + gru);
    } else {
      if (c.hmb) f.Deny(gru + " purpose is broader than the consent's " + hmb);
      if (c.ds) {
        f.Deny(gru + " purpose is broader than the consent's " + Describe(id::kDiseaseSpecific));
      }
      if (c.poa) {
        f.Deny(gru + " purpose is broader than the consent's " +
               Describe(id::kPopulationOriginsAncestry));
      }
    }
  }
  if (!p.hmb) return;
  if (c.gru) {
    f.Approve(hmb + " research is within the consent's general research use " + gru);
    return;
  }
  if (c.hmb) {
    f.Approve(hmb + " research is within the consent's " + hmb);
    return;
  }
  if (c.ds) {
    f.Deny(hmb + " research is broader than the consent's " + Describe(id::kDiseaseSpecific) +
           " restriction");
  }
  if (c.poa) {
    f.Deny(hmb + " research is not within the consent's " +
           Describe(id::kPopulationOriginsAncestry));
  }
}

// V4 matchPOA, plus the NPOA modifier.
void MatchPoa(const DataUse& consent, const ConsentView& c, const PurposeView& p, Findings& f) {
  if (!p.poa) return;
  const std::string poa = Describe(id::kPopulationOriginsAncestry);
  if (Has(consent, id::kNoPopulationOriginsAncestry)) {
    f.Deny(poa + " research is prohibited by the consent's " +
           Describe(id::kNoPopulationOriginsAncestry));
    return;
  }
  if (c.gru) {
    f.Approve(poa + " research is within the consent's general research use " +
              Describe(id::kGeneralResearchUse));
  } else if (c.poa) {
    f.Approve(poa + " research is within the consent's " + poa);
  } else {
    f.Deny(poa + " research is not within the consent" +
           (c.hmb ? "'s " + Describe(id::kHealthMedicalBiomedical) : std::string()) +
           (c.ds ? "'s " + Describe(id::kDiseaseSpecific) + " restriction" : std::string()) +
           " (only GRU or POA consents allow it)");
  }
}

// V4 matchMDS, plus the NMDS modifier (V2's rule: methods research on an NMDS consent only
// within its diseases).
void MatchMethods(const DataUse& consent, const ConsentView& c, const PurposeView& p,
                  bool disease_matched, Findings& f) {
  if (!p.mds) return;
  const std::string mds = Describe(id::kMethodDevelopment);
  if (Has(consent, id::kNoMethodsDevelopment)) {
    const std::string nmds = Describe(id::kNoMethodsDevelopment);
    if (disease_matched) {
      f.Approve(mds + " within the consented disease is allowed despite " + nmds);
    } else {
      f.Deny(mds + " research is prohibited by the consent's " + nmds +
             " (allowed only within the consent's disease restriction)");
    }
    return;
  }
  if (!p.ds && !c.ds) {
    f.Approve(mds + " research is permitted unless the consent prohibits it (NMDS)");
    return;
  }
  if (c.gru || c.hmb || c.poa || disease_matched || !p.ds) {
    f.Approve(mds + " research is permitted unless the consent prohibits it (NMDS)");
    return;
  }
  f.Deny(mds + " research on " + JoinDiseases(p.diseases, nullptr) +
         " is not within the consent's " + Describe(id::kDiseaseSpecific) + " restriction");
}

// V4 matchNonProfitUse: a consent NPU/NCU/NPUNCU restriction needs a purpose that declares
// not-for-profit, non-commercial use.
void MatchNonProfit(const ConsentView& c, const PurposeView& p, Findings& f) {
  if (!c.npu) return;
  if (p.non_profit) {
    f.Approve("not-for-profit, non-commercial use satisfies the consent's " + c.npu_terms);
  } else if (p.non_profit_stated) {
    f.Deny("for-profit or commercial use is not allowed by the consent's " + c.npu_terms);
  } else {
    f.Deny("the consent's " + c.npu_terms +
           " requires not-for-profit, non-commercial use and the purpose does not declare it "
           "(add " +
           Describe(id::kNotForProfitNonCommercial) + " to the purpose)");
  }
}

// V4 abstainDecision's immediate cases: research DUOS leaves to a human.
void SensitivePurpose(const DataUse& purpose, Findings& f) {
  for (std::string_view t : {id::kResearchControl, id::kPopulationResearch,
                             id::kGenderCategoryResearch, id::kAgeCategoryResearch}) {
    if (Has(purpose, t)) {
      f.Review("the purpose includes " + Describe(t) +
               ": such research is left to a data access committee");
    }
  }
  if (!purpose.gender.empty() && !Has(purpose, id::kGenderCategoryResearch)) {
    f.Review("the purpose is gender-focused research (" + Quote(purpose.gender) +
             "): such research is left to a data access committee");
  }
  for (const std::string& s : purpose.sensitive) {
    f.Review("the purpose declares sensitive research (" + s +
             "): such research is left to a data access committee");
  }
}

// Consent modifiers V4 does not evaluate: conditions the purpose's attributes can satisfy,
// checks only a human can make, and obligations that travel with an approval.
void MatchModifiers(const DataUse& consent, const DataUse& purpose, Findings& f) {
  if (Has(consent, id::kEthicsApprovalRequired)) {
    const std::string irb = Describe(id::kEthicsApprovalRequired);
    if (purpose.ethics_approval.empty()) {
      f.Review("the consent's " + irb + " requires an ethics approval and the purpose gives none");
    } else {
      f.Approve("ethics approval " + Quote(purpose.ethics_approval) + " is given for the " + irb +
                " requirement (the DAC verifies it)");
    }
  }
  if (Has(consent, id::kCollaborationRequired)) {
    const std::string col = Describe(id::kCollaborationRequired);
    if (purpose.collaborators.empty()) {
      f.Review("the consent's " + col +
               " requires collaboration with the primary investigators and the purpose names "
               "no collaborator");
    } else {
      f.Approve("collaborators are named for the " + col + " requirement (the DAC verifies them)");
    }
  }
  if (Has(consent, id::kPublicationRequired)) {
    const std::string pub = Describe(id::kPublicationRequired);
    if (purpose.publication_promised) {
      f.Approve("the purpose promises publication, as the consent's " + pub + " requires");
    } else {
      f.Review("the consent's " + pub +
               " requires publishing results and the purpose does not "
               "promise it");
    }
  }
  if (Has(consent, id::kGeneticStudiesOnly)) {
    const std::string gso = Describe(id::kGeneticStudiesOnly);
    if (Has(purpose, id::kGeneticResearch)) {
      f.Approve(Describe(id::kGeneticResearch) + " satisfies the consent's " + gso);
    } else {
      f.Review("the consent's " + gso +
               " limits use to genetic studies and the purpose does not "
               "state " +
               Describe(id::kGeneticResearch));
    }
  }
  if (Has(purpose, id::kClinicalCare) && !Has(consent, id::kClinicalCare)) {
    f.Deny(Describe(id::kClinicalCare) + " is not allowed by the consent (it lacks CC)");
  }
  struct HumanCheck {
    std::string_view term;
    std::string_view what;
  };
  for (const HumanCheck& check :
       {HumanCheck{id::kGeographicalRestriction, "limits use to a geographical region"},
        HumanCheck{id::kUserSpecific, "limits use to approved users"},
        HumanCheck{id::kProjectSpecific, "limits use to an approved project"},
        HumanCheck{id::kInstitutionSpecific, "limits use to approved institutions"},
        HumanCheck{id::kResearchSpecific, "limits use to a research type"}}) {
    if (!Has(consent, check.term)) continue;
    std::string detail;
    if (check.term == id::kGeographicalRestriction && !consent.geographical_restriction.empty()) {
      detail = " (" + Quote(consent.geographical_restriction) + ")";
    }
    f.Review("the consent's " + Describe(check.term) + " " + std::string(check.what) + detail +
             ": a DAC checks it");
  }
  if (Has(consent, id::kPublicationMoratorium)) {
    f.Approve("obligation: the consent's " + Describe(id::kPublicationMoratorium) +
              " forbids publishing before " +
              (consent.publication_moratorium.empty() ? std::string("the date the DAC sets")
                                                      : consent.publication_moratorium));
  }
  if (Has(consent, id::kTimeLimit)) {
    f.Approve("obligation: the consent's " + Describe(id::kTimeLimit) +
              " limits the grant's duration (the DAC sets its end date)");
  }
  if (Has(consent, id::kReturnToResource)) {
    f.Approve("obligation: the consent's " + Describe(id::kReturnToResource) +
              " requires returning derived data to the resource");
  }
  if (!consent.other.empty()) {
    f.Review("the consent has a free-text restriction a DAC must read: " + Quote(consent.other));
  }
  if (!consent.secondary_other.empty()) {
    f.Review("the consent has a free-text restriction a DAC must read: " +
             Quote(consent.secondary_other));
  }
  for (const std::string& field : consent.unrecognised) {
    f.Review("the consent's field " + Quote(field) + " is not evaluated automatically");
  }
  for (const std::string& field : purpose.unrecognised) {
    f.Review("the purpose's field " + Quote(field) + " is not evaluated automatically");
  }
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kApprove:
      return "approve";
    case Verdict::kDeny:
      return "deny";
    case Verdict::kNeedsReview:
      return "needs_review";
  }
  return "needs_review";
}

std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v : {Verdict::kApprove, Verdict::kDeny, Verdict::kNeedsReview}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

std::string NormaliseDiseaseId(std::string_view disease) {
  constexpr std::string_view kObo = "http://purl.obolibrary.org/obo/";
  constexpr std::string_view kOboHttps = "https://purl.obolibrary.org/obo/";
  std::string_view rest;
  if (disease.starts_with(kObo)) {
    rest = disease.substr(kObo.size());
  } else if (disease.starts_with(kOboHttps)) {
    rest = disease.substr(kOboHttps.size());
  } else {
    return std::string(disease);
  }
  size_t underscore = rest.find('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == rest.size() ||
      rest.find_first_of("/#:?") != std::string_view::npos) {
    return std::string(disease);
  }
  return std::string(rest.substr(0, underscore)) + ":" + std::string(rest.substr(underscore + 1));
}

MatchResult Match(const DataUse& consent, const DataUse& purpose,
                  const DiseaseHierarchy* diseases) {
  const ConsentView c = ViewConsent(consent);
  const PurposeView p = ViewPurpose(purpose);
  Findings f;

  SensitivePurpose(purpose, f);
  bool disease_matched = MatchDiseases(c, consent, p, diseases, f);
  MatchHmbAndGru(c, p, f);
  MatchPoa(consent, c, p, f);
  MatchMethods(consent, c, p, disease_matched, f);
  MatchNonProfit(c, p, f);
  MatchModifiers(consent, purpose, f);

  if (!p.any_category && !p.non_profit_stated && !c.npu_stated) {
    f.Review(
        "the purpose names no research category (GRU, HMB, DS with a disease, POA or method "
        "development " +
        Describe(id::kMethodDevelopment) + "): it is left to a data access committee");
  }
  if (!c.any_permission && p.any_category) {
    f.Review(
        "the consent states no data use permission (GRU, HMB, DS, POA or NRES): a DAC must "
        "establish what it allows");
  }
  return std::move(f).Result(consent);
}

}  // namespace genomefed::duo
