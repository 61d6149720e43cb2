#include "synth/sheet.h"

#include <algorithm>
#include <cstdio>

#include "core/file.h"
#include "synth/random.h"
#include "synth/terms.h"

namespace genomefed::synth {
namespace {

constexpr std::string_view kNcitFemale = "NCIT:C16576";
constexpr std::string_view kNcitMale = "NCIT:C20197";

// Share of samples showing a trait who also carry its diagnosis (the rest are undiagnosed).
constexpr double kDiagnosedShare = 0.6;

void AppendList(std::string* out, const std::vector<std::string_view>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(';');
    out->append(items[i]);
  }
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Status WriteSampleSheet(const std::filesystem::path& path, const SynthOptions& options,
                        const std::vector<std::string>& ids, const CohortLayout& layout,
                        const std::vector<CausalEffect>& effects, uint64_t key,
                        std::vector<CausalVariant>* causal) {
  const std::vector<Trait>& traits = Traits();
  std::string out = "sample_id\tsex\tpopulation\tphenotypes\tdiseases\tconsent\tconsent_disease\n";
  out.reserve(ids.size() * 96);
  std::vector<bool> has(traits.size());
  std::vector<std::string_view> phenotypes, diseases, consent;
  for (size_t s = 0; s < ids.size(); ++s) {
    // One stream per sample, so a sample's metadata do not depend on the cohort size.
    Rng rng(DeriveKey(key, s));
    const bool female = layout.female[s] != 0;
    for (size_t t = 0; t < traits.size(); ++t) {
      has[t] = rng.Bernoulli(traits[t].prevalence) && (female || !traits[t].female_only);
    }
    for (size_t c = 0; c < effects.size(); ++c) {
      const CausalEffect& e = effects[c];
      const uint8_t d = e.dosage[s];
      const double penetrance =
          d == 0 ? 0.0 : (d == 1 ? options.penetrance_het : options.penetrance_hom);
      const Trait& trait = traits[e.trait];
      if (rng.Bernoulli(penetrance) && (female || !trait.female_only)) has[e.trait] = true;
      CausalVariant& cv = (*causal)[c];
      if (d > 0) ++cv.carriers;
    }

    phenotypes.clear();
    diseases.clear();
    std::string_view first_doid;
    for (size_t t = 0; t < traits.size(); ++t) {
      const bool diagnosed = rng.Bernoulli(kDiagnosedShare);  // drawn always: stable stream
      if (!has[t]) continue;
      phenotypes.push_back(traits[t].hpo);
      if (diagnosed &&
          std::find(diseases.begin(), diseases.end(), traits[t].icd10) == diseases.end()) {
        diseases.push_back(traits[t].icd10);
        if (first_doid.empty()) first_doid = traits[t].doid;
      }
    }
    for (size_t c = 0; c < effects.size(); ++c) {
      if (!has[effects[c].trait]) continue;
      if (effects[c].dosage[s] > 0) {
        ++(*causal)[c].affected_carriers;
      } else {
        ++(*causal)[c].affected_noncarriers;
      }
    }

    // Consent: one primary permission, then independent modifiers (shares are illustrative).
    consent.clear();
    const double u = rng.Uniform();
    std::string_view ds_disease;
    if (u < 0.45) {
      consent.push_back(kDuoGeneralResearchUse);
    } else if (u < 0.75) {
      consent.push_back(kDuoHealthMedicalBiomedical);
    } else if (u < 0.92) {
      consent.push_back(kDuoDiseaseSpecific);
      ds_disease = first_doid.empty() ? std::string_view("DOID:4") : first_doid;
    } else {
      consent.push_back(kDuoPopulationOrigins);
    }
    if (rng.Bernoulli(0.30)) consent.push_back(kDuoPublicationRequired);
    if (rng.Bernoulli(0.15)) consent.push_back(kDuoNonCommercialUse);
    if (rng.Bernoulli(0.10)) consent.push_back(kDuoEthicsApproval);
    if (rng.Bernoulli(0.10)) consent.push_back(kDuoGeneticStudiesOnly);

    out += ids[s];
    out += '\t';
    out += female ? kNcitFemale : kNcitMale;
    out += '\t';
    out += options.populations[layout.population[s]];
    out += '\t';
    AppendList(&out, phenotypes);
    out += '\t';
    AppendList(&out, diseases);
    out += '\t';
    AppendList(&out, consent);
    out += '\t';
    out += ds_disease;
    out += '\n';
  }
  return WriteFileAtomic(path, out);
}

Status WriteTruth(const std::filesystem::path& path, const SynthOptions& options,
                  const std::vector<CausalVariant>& causal) {
  std::string out =
      "contig\tpos\tref\talt\thpo\ticd10\tancestral_af\tcarriers\taffected_carriers\t"
      "affected_noncarriers\tpenetrance_het\tpenetrance_hom\n";
  for (const CausalVariant& c : causal) {
    out += c.contig + '\t' + std::to_string(c.pos) + '\t' + c.ref + '\t' + c.alt + '\t' + c.hpo +
           '\t' + c.icd10 + '\t' + FormatDouble(c.ancestral_frequency) + '\t' +
           std::to_string(c.carriers) + '\t' + std::to_string(c.affected_carriers) + '\t' +
           std::to_string(c.affected_noncarriers) + '\t' + FormatDouble(options.penetrance_het) +
           '\t' + FormatDouble(options.penetrance_hom) + '\n';
  }
  return WriteFileAtomic(path, out);
}

}  // namespace genomefed::synth
