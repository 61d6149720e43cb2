// Sample sheets: the metadata of a cohort's samples, from a TSV file or from Beacon v2
// individuals JSON (as the CINECA synthetic cohort publishes it).
//
// TSV: a header naming at least `sample_id`; recognised columns are `sex`, `population`,
// `phenotypes`, `diseases` and `consent` (lists `;`-separated), others are ignored. Sex is
// written as an NCIT code or female/male/unknown (F/M, 2/1 as in PED files).
// JSON: an array of Beacon v2 individuals: `id`, `sex.id`, `ethnicity.label` (or, failing that,
// `geographicOrigin.label`) as population, `phenotypicFeatures[].featureType.id`,
// `diseases[].diseaseCode.id`; the whole object is kept for record-level answers.
#pragma once

#include <filesystem>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace genomefed::ingest {

// Rows in file order. Errors name the file and line (TSV) or array index (JSON): duplicate
// sample ids, missing sample_id column, short rows, unknown sex values, malformed terms.
Result<std::vector<store::SampleInfo>> ReadSampleSheet(const std::filesystem::path& path);

// Same, from text already in memory; `source` names it in messages.
Result<std::vector<store::SampleInfo>> ParseSampleSheetTsv(std::string_view text,
                                                           std::string_view source);
Result<std::vector<store::SampleInfo>> ParseIndividualsJson(std::string_view text,
                                                            std::string_view source);

// "female" / "F" / "2" / NCIT:C16576 → NCIT:C16576, etc.; "" stays "".
Result<std::string> NormaliseSex(std::string_view value);

}  // namespace genomefed::ingest
