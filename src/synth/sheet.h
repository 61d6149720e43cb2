// The sample sheet of the synthetic cohort generator (internal to synth/): phenotypes (HPO),
// diagnoses (ICD-10) and consent (DUO) per sample, written as samples.tsv with the header
// `sample_id sex population phenotypes diseases consent consent_disease` (lists ';'-separated,
// empty when none; sex as NCIT codes). Causal variants raise the probability of their trait.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "synth/genotypes.h"
#include "synth/synth.h"

namespace genomefed::synth {

// One causal variant's effect: which trait (index into Traits()) and every sample's dosage.
struct CausalEffect {
  int trait = 0;
  std::vector<uint8_t> dosage;
};

// Draws phenotypes, diagnoses and consent from `key`'s stream and writes the sheet atomically.
// Fills carriers / affected counts into causal[i] for effects[i].
Status WriteSampleSheet(const std::filesystem::path& path, const SynthOptions& options,
                        const std::vector<std::string>& ids, const CohortLayout& layout,
                        const std::vector<CausalEffect>& effects, uint64_t key,
                        std::vector<CausalVariant>* causal);

// Writes truth.tsv (one row per causal variant) atomically.
Status WriteTruth(const std::filesystem::path& path, const SynthOptions& options,
                  const std::vector<CausalVariant>& causal);

}  // namespace genomefed::synth
