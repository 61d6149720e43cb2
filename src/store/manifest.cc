#include "store/manifest.h"

#include <nlohmann/json.hpp>

#include "core/file.h"

namespace genomefed::store {
namespace {

using nlohmann::json;

json SampleToJson(const SampleInfo& s) {
  json j = {{"id", s.id}};
  if (!s.sex.empty()) j["sex"] = s.sex;
  if (!s.population.empty()) j["population"] = s.population;
  if (!s.phenotypes.empty()) j["phenotypes"] = s.phenotypes;
  if (!s.diseases.empty()) j["diseases"] = s.diseases;
  if (!s.consent.empty()) j["consent"] = s.consent;
  if (!s.individual_json.empty()) j["individual"] = json::parse(s.individual_json, nullptr, false);
  return j;
}

SampleInfo SampleFromJson(const json& j) {
  SampleInfo s;
  s.id = j.at("id").get<std::string>();
  s.sex = j.value("sex", "");
  s.population = j.value("population", "");
  s.phenotypes = j.value("phenotypes", std::vector<std::string>{});
  s.diseases = j.value("diseases", std::vector<std::string>{});
  s.consent = j.value("consent", std::vector<std::string>{});
  if (j.contains("individual") && j["individual"].is_object()) {
    s.individual_json = j["individual"].dump();
  }
  return s;
}

}  // namespace

Status ValidateDatasetId(std::string_view id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') {
    return InvalidArgument("dataset id must be 1-128 characters and not start with '.'");
  }
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return InvalidArgument("dataset id '" + std::string(id) +
                             "' may only contain letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<Manifest> ReadManifest(const std::filesystem::path& dataset_dir) {
  const auto path = dataset_dir / kManifestName;
  if (!std::filesystem::exists(path)) return NotFound("no MANIFEST in " + dataset_dir.string());
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption(path.string() + ": not valid JSON");
  try {
    if (j.at("format") != "genomefed-manifest") {
      return Corruption(path.string() + ": not a genomefed manifest");
    }
    if (j.at("version").get<int>() != kManifestVersion) {
      return Corruption(path.string() + ": unsupported manifest version " + j.at("version").dump());
    }
    Manifest m;
    m.dataset = j.at("dataset").get<std::string>();
    m.generation = j.at("generation").get<uint64_t>();
    m.samples_file = j.at("samples").get<std::string>();
    m.assembly = j.value("assembly", "");
    for (const json& s : j.at("segments")) {
      SegmentEntry e;
      e.file = s.at("file").get<std::string>();
      e.crc32 = s.at("crc32").get<uint32_t>();
      e.size = s.at("size").get<uint64_t>();
      e.alleles = s.at("alleles").get<uint64_t>();
      e.samples = s.at("samples").get<uint32_t>();
      e.source = s.value("source", "");
      e.created_at = s.value("created_at", "");
      e.archive_id = s.value("archive_id", "");
      e.window_crc32 = s.value("window_crc32", std::vector<uint32_t>{});
      m.segments.push_back(std::move(e));
    }
    return m;
  } catch (const json::exception& e) {
    return Corruption(path.string() + ": " + e.what());
  }
}

Status WriteManifest(const std::filesystem::path& dataset_dir, const Manifest& m) {
  json segs = json::array();
  for (const auto& e : m.segments) {
    segs.push_back({{"file", e.file},
                    {"crc32", e.crc32},
                    {"size", e.size},
                    {"alleles", e.alleles},
                    {"samples", e.samples},
                    {"source", e.source},
                    {"created_at", e.created_at},
                    {"archive_id", e.archive_id},
                    {"window_crc32", e.window_crc32}});
  }
  json j = {{"format", "genomefed-manifest"}, {"version", kManifestVersion}, {"dataset", m.dataset},
            {"generation", m.generation},     {"samples", m.samples_file},   {"segments", segs}};
  if (!m.assembly.empty()) j["assembly"] = m.assembly;
  return WriteFileAtomic(dataset_dir / kManifestName, j.dump(1) + "\n");
}

Result<SampleTable> ReadSampleTable(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption(path.string() + ": not valid JSON");
  try {
    if (j.at("format") != "genomefed-samples" || j.at("version").get<int>() != 1) {
      return Corruption(path.string() + ": not a genomefed sample table (version 1)");
    }
    SampleTable t;
    for (const json& s : j.at("samples")) t.samples.push_back(SampleFromJson(s));
    for (const json& s : j.at("pending")) t.pending.push_back(SampleFromJson(s));
    return t;
  } catch (const json::exception& e) {
    return Corruption(path.string() + ": " + e.what());
  }
}

Status WriteSampleTable(const std::filesystem::path& path, const SampleTable& t) {
  json samples = json::array(), pending = json::array();
  for (const auto& s : t.samples) samples.push_back(SampleToJson(s));
  for (const auto& s : t.pending) pending.push_back(SampleToJson(s));
  json j = {
      {"format", "genomefed-samples"}, {"version", 1}, {"samples", samples}, {"pending", pending}};
  return WriteFileAtomic(path, j.dump() + "\n");
}

}  // namespace genomefed::store
