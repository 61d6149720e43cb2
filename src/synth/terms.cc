#include "synth/terms.h"

namespace genomefed::synth {

// Checked against hp.json release 2024-08-13: each parent is an is_a parent of its child there
// (terms with several parents list the first one only).
const std::vector<HpoTerm>& HpoTerms() {
  static const std::vector<HpoTerm> kTerms = {
      {"HP:0000118", "Phenotypic abnormality", ""},
      {"HP:0000707", "Abnormality of the nervous system", "HP:0000118"},
      {"HP:0012638", "Abnormal nervous system physiology", "HP:0000707"},
      {"HP:0001250", "Seizure", "HP:0012638"},
      {"HP:0002069", "Bilateral tonic-clonic seizure", "HP:0001250"},
      {"HP:0002315", "Headache", "HP:0012638"},
      {"HP:0011446", "Abnormality of mental function", "HP:0012638"},
      {"HP:0001249", "Intellectual disability", "HP:0011446"},
      {"HP:0025766", "Abnormal affect", "HP:0011446"},
      {"HP:0025780", "Abnormal volitional state", "HP:0025766"},
      {"HP:0000745", "Abnormal diminished volition", "HP:0025780"},
      {"HP:0000716", "Depression", "HP:0000745"},
      {"HP:0000818", "Abnormality of the endocrine system", "HP:0000118"},
      {"HP:0000819", "Diabetes mellitus", "HP:0000818"},
      {"HP:0001871", "Abnormality of blood and blood-forming tissues", "HP:0000118"},
      {"HP:0001877", "Abnormal erythrocyte morphology", "HP:0001871"},
      {"HP:0001903", "Anemia", "HP:0001877"},
      {"HP:0001626", "Abnormality of the cardiovascular system", "HP:0000118"},
      {"HP:0030680", "Abnormal cardiovascular system morphology", "HP:0001626"},
      {"HP:0001627", "Abnormal heart morphology", "HP:0030680"},
      {"HP:0001637", "Abnormal myocardium morphology", "HP:0001627"},
      {"HP:0001638", "Cardiomyopathy", "HP:0001637"},
      {"HP:0011025", "Abnormal cardiovascular system physiology", "HP:0001626"},
      {"HP:0030972", "Abnormal systemic blood pressure", "HP:0011025"},
      {"HP:0032263", "Increased blood pressure", "HP:0030972"},
      {"HP:0000822", "Hypertension", "HP:0032263"},
      {"HP:0001574", "Abnormality of the integument", "HP:0000118"},
      {"HP:0000951", "Abnormality of the skin", "HP:0001574"},
      {"HP:0011122", "Abnormality of skin physiology", "HP:0000951"},
      {"HP:0011123", "Inflammatory abnormality of the skin", "HP:0011122"},
      {"HP:0000964", "Eczematoid dermatitis", "HP:0011123"},
      {"HP:0001939", "Abnormality of metabolism/homeostasis", "HP:0000118"},
      {"HP:0032180", "Abnormal circulating metabolite concentration", "HP:0001939"},
      {"HP:0430071", "Abnormal circulating organic compound concentration", "HP:0032180"},
      {"HP:0003119", "Abnormal circulating lipid concentration", "HP:0430071"},
      {"HP:0003107", "Abnormal circulating cholesterol concentration", "HP:0003119"},
      {"HP:0003124", "Hypercholesterolemia", "HP:0003107"},
      {"HP:0002664", "Neoplasm", "HP:0000118"},
      {"HP:0011793", "Neoplasm by anatomical site", "HP:0002664"},
      {"HP:0100013", "Neoplasm of the breast", "HP:0011793"},
      {"HP:0003002", "Breast carcinoma", "HP:0100013"},
      {"HP:0001507", "Growth abnormality", "HP:0000118"},
      {"HP:0004323", "Abnormality of body weight", "HP:0001507"},
      {"HP:0004324", "Increased body weight", "HP:0004323"},
      {"HP:0001513", "Obesity", "HP:0004324"},
      {"HP:0000598", "Abnormality of the ear", "HP:0000118"},
      {"HP:0031704", "Abnormal ear physiology", "HP:0000598"},
      {"HP:0000364", "Hearing abnormality", "HP:0031704"},
      {"HP:0000365", "Hearing impairment", "HP:0000364"},
      {"HP:0000478", "Abnormality of the eye", "HP:0000118"},
      {"HP:0012373", "Abnormal eye physiology", "HP:0000478"},
      {"HP:0000504", "Abnormality of vision", "HP:0012373"},
      {"HP:0000505", "Visual impairment", "HP:0000504"},
      {"HP:0002086", "Abnormality of the respiratory system", "HP:0000118"},
      {"HP:0002795", "Abnormal respiratory system physiology", "HP:0002086"},
      {"HP:0002793", "Abnormal pattern of respiration", "HP:0002795"},
      {"HP:0002094", "Dyspnea", "HP:0002793"},
      {"HP:0025142", "Constitutional symptom", "HP:0000118"},
      {"HP:0012378", "Fatigue", "HP:0025142"},
  };
  return kTerms;
}

const HpoTerm* FindHpoTerm(std::string_view id) {
  for (const HpoTerm& t : HpoTerms()) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

// Prevalences are rough adult-population figures, kept low enough that most samples have
// zero to two phenotypes.
const std::vector<Trait>& Traits() {
  static const std::vector<Trait> kTraits = {
      {"HP:0000822", "ICD10:I10", "Essential (primary) hypertension", "DOID:1287", 0.10, false,
       false},
      {"HP:0002315", "ICD10:R51", "Headache", "DOID:863", 0.06, false, false},
      {"HP:0012378", "ICD10:R53", "Malaise and fatigue", "DOID:4", 0.05, false, false},
      {"HP:0000716", "ICD10:F32", "Depressive episode", "DOID:150", 0.05, false, false},
      {"HP:0001513", "ICD10:E66", "Obesity", "DOID:9970", 0.06, false, true},
      {"HP:0000819", "ICD10:E11", "Type 2 diabetes mellitus", "DOID:9351", 0.04, false, true},
      {"HP:0003124", "ICD10:E78.0", "Pure hypercholesterolaemia", "DOID:1287", 0.04, false, true},
      {"HP:0001903", "ICD10:D64.9", "Anaemia, unspecified", "DOID:4", 0.03, false, false},
      {"HP:0000964", "ICD10:L30.9", "Dermatitis, unspecified", "DOID:4", 0.03, false, false},
      {"HP:0002094", "ICD10:R06.0", "Dyspnoea", "DOID:4", 0.02, false, false},
      {"HP:0000505", "ICD10:H54", "Visual impairment including blindness", "DOID:4", 0.015, false,
       false},
      {"HP:0000365", "ICD10:H91.9", "Hearing loss, unspecified", "DOID:4", 0.015, false, true},
      {"HP:0001250", "ICD10:G40", "Epilepsy", "DOID:863", 0.01, false, false},
      {"HP:0002069", "ICD10:G40", "Epilepsy", "DOID:863", 0.004, false, true},
      {"HP:0003002", "ICD10:C50", "Malignant neoplasm of breast", "DOID:162", 0.01, true, true},
      {"HP:0001638", "ICD10:I42.0", "Dilated cardiomyopathy", "DOID:1287", 0.005, false, true},
      {"HP:0001249", "ICD10:F79", "Unspecified intellectual disability", "DOID:863", 0.005, false,
       false},
  };
  return kTraits;
}

const std::vector<int>& CausalTraits() {
  // Cardiomyopathy, hypercholesterolaemia, tonic-clonic seizure (a child of Seizure, so an
  // ontology-expanded filter on HP:0001250 finds it), breast carcinoma, hearing impairment,
  // type 2 diabetes, obesity.
  static const std::vector<int> kCausal = {15, 6, 13, 14, 11, 5, 4};
  return kCausal;
}

}  // namespace genomefed::synth
