// genomefed query: allele figures straight from a node's store, for operators and tests.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "apps/genomefed/commands.h"
#include "store/store.h"

namespace genomefed::cli {
namespace {

struct QueryArgs {
  std::string data_dir;
  std::string variant;
  std::string region;
  std::string dataset;
  std::vector<std::string> filters;
  bool json = false;
};

// TERM → (field, value): HP:… phenotype, NCIT sex codes, DUO:… consent, other CURIEs disease,
// population=LABEL, sex=female|male.
Result<std::pair<store::SampleField, std::string>> ParseFilter(const std::string& term) {
  using store::SampleField;
  const size_t eq = term.find('=');
  if (eq != std::string::npos) {
    const std::string field = term.substr(0, eq), value = term.substr(eq + 1);
    if (field == "population") return std::pair{SampleField::kPopulation, value};
    if (field == "sex") {
      if (value == "female") return std::pair{SampleField::kSex, std::string(store::kNcitFemale)};
      if (value == "male") return std::pair{SampleField::kSex, std::string(store::kNcitMale)};
    }
    return InvalidArgument("filter '" + term +
                           "': use population=LABEL, sex=female|male or a term");
  }
  if (term == store::kNcitFemale || term == store::kNcitMale || term == store::kNcitUnknownSex) {
    return std::pair{SampleField::kSex, term};
  }
  if (term.rfind("HP:", 0) == 0) return std::pair{SampleField::kPhenotype, term};
  if (term.rfind("DUO:", 0) == 0) return std::pair{SampleField::kConsent, term};
  if (term.find(':') != std::string::npos) return std::pair{SampleField::kDisease, term};
  return InvalidArgument("filter '" + term +
                         "' is not a term (HP:…, NCIT:…, ICD10:…, DUO:…) nor population=LABEL");
}

Result<std::tuple<std::string, int64_t, int64_t>> ParseRegion(const std::string& region) {
  const size_t colon = region.rfind(':');
  const size_t dash = region.find('-', colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || dash == std::string::npos) {
    return InvalidArgument("region '" + region + "' must be CHR:START-END (1-based, inclusive)");
  }
  try {
    int64_t start = std::stoll(region.substr(colon + 1, dash - colon - 1));
    int64_t end = std::stoll(region.substr(dash + 1));
    if (start < 1 || end < start) throw std::out_of_range("order");
    return std::tuple{store::CanonicalContig(region.substr(0, colon)), start, end};
  } catch (const std::exception&) {
    return InvalidArgument("region '" + region + "' must be CHR:START-END with 1 <= START <= END");
  }
}

nlohmann::json CountsJson(const store::AlleleCounts& c) {
  return {{"alleleCount", c.allele_count},     {"alleleNumber", c.allele_number},
          {"alleleFrequency", c.frequency()},  {"alleleCountHeterozygous", c.ac_het},
          {"alleleCountHomozygous", c.ac_hom}, {"alleleCountHemizygous", c.ac_hemi},
          {"individuals", c.individuals}};
}

void Add(store::AlleleCounts& into, const store::AlleleCounts& c) {
  into.allele_count += c.allele_count;
  into.allele_number += c.allele_number;
  into.ac_het += c.ac_het;
  into.ac_hom += c.ac_hom;
  into.ac_hemi += c.ac_hemi;
  into.individuals += c.individuals;
}

Status Run(const QueryArgs& a) {
  if (a.variant.empty() == a.region.empty()) {
    return InvalidArgument(
        "give exactly one of --variant CHR:POS:REF:ALT or --region CHR:START-END");
  }
  std::vector<std::pair<store::SampleField, std::string>> filters;
  for (const auto& f : a.filters) {
    GF_ASSIGN_OR_RETURN(auto parsed, ParseFilter(f));
    filters.push_back(std::move(parsed));
  }
  GF_ASSIGN_OR_RETURN(auto st, store::Store::Open(a.data_dir));
  std::vector<const store::Dataset*> datasets;
  if (!a.dataset.empty()) {
    const store::Dataset* ds = st->dataset(a.dataset);
    if (auto broken = st->broken().find(a.dataset); broken != st->broken().end()) {
      return broken->second;
    }
    if (ds == nullptr) return NotFound("no dataset '" + a.dataset + "' in " + a.data_dir);
    datasets.push_back(ds);
  } else {
    for (const auto& id : st->dataset_ids()) datasets.push_back(st->dataset(id));
  }
  for (const auto& [id, status] : st->broken()) {
    if (a.dataset.empty())
      std::cerr << "warning: dataset '" << id << "' skipped: " << status.message() << "\n";
  }
  if (datasets.empty() && !st->broken().empty()) return st->broken().begin()->second;
  if (datasets.empty()) return NotFound("no datasets in " + a.data_dir + " (run genomefed ingest)");
  // One filter set per dataset: the AND of every filter.
  std::vector<std::optional<store::SampleSet>> filter_sets;
  for (const auto* ds : datasets) {
    if (filters.empty()) {
      filter_sets.emplace_back();
      continue;
    }
    store::SampleSet set = ds->AllSamples();
    for (const auto& [field, value] : filters) set &= ds->SamplesMatching(field, {value});
    filter_sets.emplace_back(std::move(set));
  }
  auto count = [&](const store::AlleleKey& key, bool& found) {
    store::AlleleCounts total;
    for (size_t i = 0; i < datasets.size(); ++i) {
      auto ref = datasets[i]->Find(key);
      if (!ref) continue;
      found = true;
      Add(total, datasets[i]->Count(*ref, filter_sets[i] ? &*filter_sets[i] : nullptr));
    }
    return total;
  };
  if (!a.variant.empty()) {
    GF_ASSIGN_OR_RETURN(store::AlleleKey key, store::ParseAlleleKey(a.variant));
    bool found = false;
    store::AlleleCounts c = count(key, found);
    if (!found) return NotFound("variant " + store::FormatAlleleKey(key) + " is not in the store");
    if (a.json) {
      std::cout << CountsJson(c).dump() << "\n";
    } else {
      std::printf("variant                  %s\n", store::FormatAlleleKey(key).c_str());
      std::printf("alleleCount              %llu\n",
                  static_cast<unsigned long long>(c.allele_count));
      std::printf("alleleNumber             %llu\n",
                  static_cast<unsigned long long>(c.allele_number));
      std::printf("alleleFrequency          %.6g\n", c.frequency());
      std::printf("alleleCountHeterozygous  %llu\n", static_cast<unsigned long long>(c.ac_het));
      std::printf("alleleCountHomozygous    %llu\n", static_cast<unsigned long long>(c.ac_hom));
      std::printf("alleleCountHemizygous    %llu\n", static_cast<unsigned long long>(c.ac_hemi));
      std::printf("individuals              %llu\n",
                  static_cast<unsigned long long>(c.individuals));
    }
    return Status::Ok();
  }
  GF_ASSIGN_OR_RETURN(auto region, ParseRegion(a.region));
  auto [contig, start, end] = region;
  // Union of keys across datasets, in order.
  std::set<store::AlleleKey> keys;
  for (const auto* ds : datasets) {
    ds->ScanOverlapping(contig, start, end,
                        [&](const store::AlleleKey& k, const store::AlleleRef&) {
                          keys.insert(k);
                          return true;
                        });
  }
  nlohmann::json rows = nlohmann::json::array();
  if (!a.json) {
    std::printf(
        "#variant\talleleCount\talleleNumber\talleleFrequency\talleleCountHeterozygous\t"
        "alleleCountHomozygous\talleleCountHemizygous\tindividuals\n");
  }
  for (const auto& key : keys) {
    bool found = false;
    store::AlleleCounts c = count(key, found);
    if (a.json) {
      nlohmann::json row = CountsJson(c);
      row["variant"] = store::FormatAlleleKey(key);
      rows.push_back(std::move(row));
    } else {
      std::printf(
          "%s\t%llu\t%llu\t%.6g\t%llu\t%llu\t%llu\t%llu\n", store::FormatAlleleKey(key).c_str(),
          static_cast<unsigned long long>(c.allele_count),
          static_cast<unsigned long long>(c.allele_number), c.frequency(),
          static_cast<unsigned long long>(c.ac_het), static_cast<unsigned long long>(c.ac_hom),
          static_cast<unsigned long long>(c.ac_hemi),
          static_cast<unsigned long long>(c.individuals));
    }
  }
  if (a.json) std::cout << rows.dump() << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterQuery(CLI::App& root, CommandContext& ctx) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = root.add_subcommand("query", "Allele counts from a node's store");
  cmd->add_option("--data-dir", args->data_dir, "node data directory")->required();
  cmd->add_option("--variant", args->variant, "CHR:POS:REF:ALT or CHR-POS-REF-ALT (POS 1-based)");
  cmd->add_option(
      "--region", args->region,
      "CHR:START-END (1-based, inclusive): every allele overlapping it (as bcftools -r)");
  cmd->add_option("--dataset", args->dataset, "one dataset (default: all, summed)");
  cmd->add_option("--filter", args->filters,
                  "sample filter, repeatable (AND): HP:…, NCIT:C16576/C20197, ICD10:…, DUO:…, "
                  "population=LABEL, sex=female|male");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->callback([args, &ctx] { Report(ctx, "query", Run(*args)); });
}

}  // namespace genomefed::cli
