// The fixed vocabularies of the synthetic cohort generator: a small, closed subset of the Human
// Phenotype Ontology (HPO release 2024-08-13: real term ids, labels and one real is_a parent
// each, so every term's ancestors up to HP:0000118 are in the table), ICD-10 (WHO 2019) codes for
// the matching diagnoses, Human Disease Ontology (DOID) ids for disease-specific consent, and
// the DUO (2021-02-23) consent codes written to the sample sheet. Embedded so that generation
// never reads files at run time and stays deterministic.
#pragma once

#include <string_view>
#include <vector>

namespace genomefed::synth {

struct HpoTerm {
  std::string_view id;      // e.g. "HP:0001250"
  std::string_view label;   // e.g. "Seizure"
  std::string_view parent;  // a real is_a parent inside this table; empty for HP:0000118
};

// Every HPO term the generator can emit, with its ancestors. Parents precede children.
const std::vector<HpoTerm>& HpoTerms();
// nullptr when the id is not in the table.
const HpoTerm* FindHpoTerm(std::string_view id);

// A phenotype as it appears in the cohort: an HPO leaf term, its population prevalence, and
// the diagnosis recorded (ICD-10) for a share of the samples who show it.
struct Trait {
  std::string_view hpo;
  std::string_view icd10;        // "ICD10:I10"
  std::string_view icd10_label;  // for docs and the truth file
  std::string_view doid;         // DOID class used as the DS consent restriction
  double prevalence = 0;         // background probability per sample
  bool female_only = false;
  bool causal_candidate = false;  // may be linked to a causal variant
};

const std::vector<Trait>& Traits();
// Indices into Traits() that causal variants are linked to, in order of use.
const std::vector<int>& CausalTraits();

// DUO ids used in the consent column.
inline constexpr std::string_view kDuoGeneralResearchUse = "DUO:0000042";       // GRU
inline constexpr std::string_view kDuoHealthMedicalBiomedical = "DUO:0000006";  // HMB
inline constexpr std::string_view kDuoDiseaseSpecific = "DUO:0000007";          // DS
inline constexpr std::string_view kDuoPopulationOrigins = "DUO:0000011";        // POA
inline constexpr std::string_view kDuoPublicationRequired = "DUO:0000019";      // PUB
inline constexpr std::string_view kDuoNonCommercialUse = "DUO:0000046";         // NCU
inline constexpr std::string_view kDuoEthicsApproval = "DUO:0000021";           // IRB
inline constexpr std::string_view kDuoGeneticStudiesOnly = "DUO:0000016";       // GSO

}  // namespace genomefed::synth
