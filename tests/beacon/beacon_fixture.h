// Test helpers shared by the beacon and node suites: a small dataset ingested with the real
// `genomefed ingest`, and offline validation of responses against the official Beacon v2
// schemas (../shared/beacon-v2/validate.js with Ajv from scripts/install-npm-deps.sh).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace genomefed::testing {

// Writes small.vcf (chr22 + chrX, 6 samples: diploid, haploid, phased, missing, multi-allelic,
// indels) and samples.tsv into `dir`, then ingests them (the ingest library, as `genomefed
// ingest` does) as dataset `dataset` under `dir`/data. Returns the data directory.
Result<std::filesystem::path> IngestSmallDataset(const std::filesystem::path& dir,
                                                 const std::string& dataset = "small");
// The same VCF text, for tests that compare with bcftools.
std::string SmallVcfText();
std::string SmallSamplesTsv();

// Ingests `vcf` + `samples` into `data_dir` as `dataset` (ingest::Ingest).
Status RunIngest(const std::filesystem::path& data_dir, const std::string& dataset,
                 const std::filesystem::path& vcf, const std::filesystem::path& samples);

// Empty when validation is possible; else why not (for GTEST_SKIP).
std::string SchemaValidationUnavailable();

// Validates each document against `schema_rel` (relative to shared/beacon-v2, e.g.
// "framework/json/responses/beaconBooleanResponse.json") in one node process. Returns "" when
// all are valid, else the validator's report.
std::string ValidateAgainstSchema(const std::string& schema_rel,
                                  const std::vector<nlohmann::json>& documents);

}  // namespace genomefed::testing
