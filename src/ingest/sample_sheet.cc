#include "ingest/sample_sheet.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "ingest/term_ids.h"

namespace genomefed::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A list cell: terms separated by ';'. `line` is the whole line (for the column of a bad
// item, 1-based characters), `where` names file and line.
Status ParseList(std::string_view cell, std::vector<std::string>& out, const std::string& where,
                 std::string_view column, std::string_view line) {
  for (std::string_view item : Split(cell, ';')) {
    item = Trim(item);
    if (item.empty()) continue;
    const std::string problem = TermIdProblem(item);
    if (!problem.empty()) {
      const size_t at = line.empty() ? 0 : static_cast<size_t>(item.data() - line.data()) + 1;
      const size_t sep = item.find_first_of(",| ");
      const bool separator =
          sep != std::string_view::npos && sep > 0 && TermIdProblem(item.substr(0, sep)).empty();
      return InvalidArgument(
          where + (at > 0 ? ": column " + std::to_string(at + (separator ? sep : 0)) : "") + " (" +
          std::string(column) + "): '" + std::string(item) + "' " +
          (separator ? "uses '" + std::string(1, item[sep]) +
                           "' between terms; lists are separated by ';' (e.g. "
                           "HP:0001250;HP:0000118)"
                     : problem));
    }
    if (std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
  }
  return Status::Ok();
}

Status CheckDuplicates(const std::vector<store::SampleInfo>& rows,
                       const std::vector<std::string>& locations) {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = seen.emplace(rows[i].id, i);
    if (!inserted) {
      return InvalidArgument(locations[i] + ": sample '" + rows[i].id +
                             "' is listed twice (first at " + locations[it->second] + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> NormaliseSex(std::string_view value) {
  const std::string v = Lower(Trim(value));
  if (v.empty() || v == "na" || v == "." || v == "0" || v == "unknown" || v == "u" ||
      v == "ncit:c17998") {
    return std::string(v.empty() || v == "na" || v == "." ? "" : store::kNcitUnknownSex);
  }
  if (v == "female" || v == "f" || v == "2" || v == "ncit:c16576") {
    return std::string(store::kNcitFemale);
  }
  if (v == "male" || v == "m" || v == "1" || v == "ncit:c20197")
    return std::string(store::kNcitMale);
  return InvalidArgument("sex '" + std::string(value) +
                         "' is not female, male, unknown or an NCIT sex code");
}

Result<std::vector<store::SampleInfo>> ParseSampleSheetTsv(std::string_view text,
                                                           std::string_view source) {
  std::vector<store::SampleInfo> rows;
  std::vector<std::string> locations;
  std::vector<std::string_view> lines = Split(text, '\n');
  std::map<std::string, size_t> column;
  size_t n_columns = 0;
  bool have_header = false;
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    std::string_view line = lines[ln];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = std::string(source) + ":" + std::to_string(ln + 1);
    if (Trim(line).empty()) continue;
    std::vector<std::string_view> cells = Split(line, '\t');
    if (!have_header) {
      if (!cells.empty() && !cells[0].empty() && cells[0][0] == '#') cells[0].remove_prefix(1);
      for (size_t c = 0; c < cells.size(); ++c) column[Lower(Trim(cells[c]))] = c;
      if (!column.count("sample_id")) {
        return InvalidArgument(where +
                               ": the header must name a sample_id column (tab-separated: "
                               "sample_id sex population phenotypes diseases [consent])");
      }
      n_columns = cells.size();
      have_header = true;
      continue;
    }
    if (cells.size() < n_columns) {
      return InvalidArgument(where + ": " + std::to_string(cells.size()) +
                             " columns, the header has " + std::to_string(n_columns) +
                             " (columns are tab-separated)");
    }
    auto cell = [&](const char* name) -> std::string_view {
      auto it = column.find(name);
      return it == column.end() ? std::string_view() : Trim(cells[it->second]);
    };
    store::SampleInfo s;
    s.id = std::string(cell("sample_id"));
    if (s.id.empty()) return InvalidArgument(where + ": empty sample_id");
    auto sex = NormaliseSex(cell("sex"));
    if (!sex.ok()) return sex.status().WithContext(where);
    s.sex = *sex;
    s.population = std::string(cell("population"));
    GF_RETURN_IF_ERROR(ParseList(cell("phenotypes"), s.phenotypes, where, "phenotypes", line));
    GF_RETURN_IF_ERROR(ParseList(cell("diseases"), s.diseases, where, "diseases", line));
    GF_RETURN_IF_ERROR(ParseList(cell("consent"), s.consent, where, "consent", line));
    rows.push_back(std::move(s));
    locations.push_back(where);
  }
  if (!have_header) return InvalidArgument(std::string(source) + ": empty sample sheet");
  GF_RETURN_IF_ERROR(CheckDuplicates(rows, locations));
  return rows;
}

Result<std::vector<store::SampleInfo>> ParseIndividualsJson(std::string_view text,
                                                            std::string_view source) {
  using nlohmann::json;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return InvalidArgument(std::string(source) + ": not valid JSON");
  // Accept a bare array or a Beacon response wrapping it.
  if (doc.is_object() && doc.contains("response")) {
    const json& r = doc["response"];
    if (r.is_object() && r.contains("resultSets") && r["resultSets"].is_array() &&
        !r["resultSets"].empty()) {
      doc = r["resultSets"][0].value("results", json::array());
    }
  }
  if (!doc.is_array()) {
    return InvalidArgument(std::string(source) + ": expected an array of Beacon v2 individuals");
  }
  std::vector<store::SampleInfo> rows;
  std::vector<std::string> locations;
  for (size_t i = 0; i < doc.size(); ++i) {
    const json& ind = doc[i];
    const std::string where = std::string(source) + ": individual #" + std::to_string(i + 1);
    if (!ind.is_object() || !ind.contains("id") || !ind["id"].is_string() ||
        ind["id"].get<std::string>().empty()) {
      return InvalidArgument(where + ": every individual needs a string id");
    }
    store::SampleInfo s;
    s.id = ind["id"].get<std::string>();
    auto term_id = [](const json& obj, const char* key) -> std::string {
      if (!obj.is_object() || !obj.contains(key)) return "";
      const json& t = obj[key];
      if (t.is_object() && t.contains("id") && t["id"].is_string())
        return t["id"].get<std::string>();
      return "";
    };
    auto term_label = [](const json& obj, const char* key) -> std::string {
      if (!obj.is_object() || !obj.contains(key)) return "";
      const json& t = obj[key];
      if (t.is_object() && t.contains("label") && t["label"].is_string()) {
        return t["label"].get<std::string>();
      }
      return "";
    };
    auto sex = NormaliseSex(term_id(ind, "sex"));
    if (!sex.ok()) return sex.status().WithContext(where + " (" + s.id + ")");
    s.sex = *sex;
    s.population = term_label(ind, "ethnicity");
    if (s.population.empty()) s.population = term_label(ind, "geographicOrigin");
    auto collect = [&](const char* list, const char* key, std::vector<std::string>& out) -> Status {
      if (!ind.contains(list)) return Status::Ok();
      if (!ind[list].is_array()) return InvalidArgument(where + ": " + list + " must be an array");
      for (const json& item : ind[list]) {
        std::string id = term_id(item, key);
        if (id.empty()) continue;
        if (std::string problem = TermIdProblem(id); !problem.empty()) {
          return InvalidArgument(where + " (" + s.id + "): " + list + " '" + id + "' " + problem);
        }
        if (item.value("excluded", false)) continue;  // an excluded phenotype is not a match
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
      }
      return Status::Ok();
    };
    GF_RETURN_IF_ERROR(collect("phenotypicFeatures", "featureType", s.phenotypes));
    GF_RETURN_IF_ERROR(collect("diseases", "diseaseCode", s.diseases));
    s.individual_json = ind.dump();
    rows.push_back(std::move(s));
    locations.push_back(where);
  }
  GF_RETURN_IF_ERROR(CheckDuplicates(rows, locations));
  return rows;
}

Result<std::vector<store::SampleInfo>> ReadSampleSheet(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string_view t = Trim(text);
  if (!t.empty() && (t.front() == '[' || t.front() == '{')) {
    return ParseIndividualsJson(text, path.string());
  }
  return ParseSampleSheetTsv(text, path.string());
}

}  // namespace genomefed::ingest
