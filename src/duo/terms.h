// The Data Use Ontology (GA4GH DUO, release 2021-02-23) as a built-in term table: every class
// of the release with its id, shorthand (GRU, HMB, DS, NPU, ...), label, kind and is_a parent.
//
// Production nodes and hubs have no DUO file beside them, so genomefed ships the table it needs
// in code (terms.cc, transcribed from the release's duo.owl). tests/duo checks it against
// ../shared/duo/duo.owl and duo.csv whenever those are present, so it cannot drift silently;
// release.h reads those files (for that test and for operators who want to compare a newer
// release).
//
// Thread safety: the table is immutable; every function may be called from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace genomefed::duo {

// DUO's three branches, plus the classes the release keeps only as obsolete.
enum class TermKind {
  kPermission,     // under DUO:0000001 "data use permission" (GRU, HMB, DS, POA, NRES)
  kModifier,       // under DUO:0000017 "data use modifier" (NPU, IRB, COL, ...)
  kInvestigation,  // under OBI:0000066 "investigation" (method development, genetic research...)
  kObsolete,       // deprecated in the release; never accepted as input
};

std::string_view TermKindName(TermKind kind);  // "permission" | "modifier" | ...

struct Term {
  std::string_view id;         // "DUO:0000042"
  std::string_view shorthand;  // "GRU"; empty for the branch roots and investigations
  std::string_view label;      // "general research use"
  TermKind kind;
  std::string_view parent;  // is_a parent: a DUO id, or the upper-ontology class (IAO, OBI)
};

// Every class of the release, in id order.
std::span<const Term> AllTerms();

// The term with this id ("DUO:0000042") or, failing that, this shorthand ("GRU"); nullptr when
// neither is known. Obsolete terms are returned too (callers refuse them).
const Term* FindTerm(std::string_view id_or_shorthand);

// True when `id` is `ancestor` or lies below it through is_a (DS is_a HMB is_a GRU).
bool IsA(std::string_view id, std::string_view ancestor);

// "HMB (DUO:0000006)" for a known term, the id itself otherwise: how reasons name terms.
std::string Describe(std::string_view id);

// Ids of the terms genomefed's matcher reasons about (named so that code reads as DUO does).
namespace ids {
inline constexpr std::string_view kNoRestriction = "DUO:0000004";                // NRES
inline constexpr std::string_view kHealthMedicalBiomedical = "DUO:0000006";      // HMB
inline constexpr std::string_view kDiseaseSpecific = "DUO:0000007";              // DS
inline constexpr std::string_view kPopulationOriginsAncestry = "DUO:0000011";    // POA
inline constexpr std::string_view kResearchSpecific = "DUO:0000012";             // RS
inline constexpr std::string_view kNoMethodsDevelopment = "DUO:0000015";         // NMDS
inline constexpr std::string_view kGeneticStudiesOnly = "DUO:0000016";           // GSO
inline constexpr std::string_view kNotForProfitNonCommercial = "DUO:0000018";    // NPUNCU
inline constexpr std::string_view kPublicationRequired = "DUO:0000019";          // PUB
inline constexpr std::string_view kCollaborationRequired = "DUO:0000020";        // COL
inline constexpr std::string_view kEthicsApprovalRequired = "DUO:0000021";       // IRB
inline constexpr std::string_view kGeographicalRestriction = "DUO:0000022";      // GS
inline constexpr std::string_view kPublicationMoratorium = "DUO:0000024";        // MOR
inline constexpr std::string_view kTimeLimit = "DUO:0000025";                    // TS
inline constexpr std::string_view kUserSpecific = "DUO:0000026";                 // US
inline constexpr std::string_view kProjectSpecific = "DUO:0000027";              // PS
inline constexpr std::string_view kInstitutionSpecific = "DUO:0000028";          // IS
inline constexpr std::string_view kReturnToResource = "DUO:0000029";             // RTN
inline constexpr std::string_view kMethodDevelopment = "DUO:0000031";            // investigation
inline constexpr std::string_view kPopulationResearch = "DUO:0000032";           // investigation
inline constexpr std::string_view kAncestryResearch = "DUO:0000033";             // investigation
inline constexpr std::string_view kAgeCategoryResearch = "DUO:0000034";          // investigation
inline constexpr std::string_view kGenderCategoryResearch = "DUO:0000035";       // investigation
inline constexpr std::string_view kResearchControl = "DUO:0000036";              // investigation
inline constexpr std::string_view kBiomedicalResearch = "DUO:0000037";           // investigation
inline constexpr std::string_view kGeneticResearch = "DUO:0000038";              // investigation
inline constexpr std::string_view kDrugDevelopment = "DUO:0000039";              // investigation
inline constexpr std::string_view kDiseaseCategoryResearch = "DUO:0000040";      // investigation
inline constexpr std::string_view kGeneralResearchUse = "DUO:0000042";           // GRU
inline constexpr std::string_view kClinicalCare = "DUO:0000043";                 // CC
inline constexpr std::string_view kNoPopulationOriginsAncestry = "DUO:0000044";  // NPOA
inline constexpr std::string_view kNotForProfitOrganisation = "DUO:0000045";     // NPU
inline constexpr std::string_view kNonCommercial = "DUO:0000046";                // NCU
}  // namespace ids

}  // namespace genomefed::duo
