// Disease hierarchies from OBO, OBO-graph JSON and ancestor maps (see disease_hierarchy.h).
#include "duo/disease_hierarchy.h"

#include <nlohmann/json.hpp>

#include <deque>
#include <unordered_set>

#include "core/file.h"
#include "duo/match.h"
#include "duo/text.h"

namespace genomefed::duo {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// An OBO tag value up to its trailing modifiers or comment: "DOID:162 ! cancer" → "DOID:162".
std::string_view OboValue(std::string_view value) {
  size_t bang = value.find(" !");
  if (bang != std::string_view::npos) value = value.substr(0, bang);
  size_t brace = value.find(" {");
  if (brace != std::string_view::npos) value = value.substr(0, brace);
  return Trim(value);
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 512) return false;
  for (char c : id) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string At(std::string_view source, size_t line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

Status JsonError(std::string_view source, const nlohmann::json::parse_error& e) {
  return InvalidArgument(std::string(source) + ": not valid JSON at byte " +
                         std::to_string(e.byte) + " (" + e.what() + ")");
}

}  // namespace

void DiseaseHierarchy::AddParent(std::string_view child, std::string_view parent) {
  std::string c = NormaliseDiseaseId(child);
  std::string p = NormaliseDiseaseId(parent);
  if (c == p) return;
  std::vector<std::string>& list = parents_[c];
  for (const std::string& existing : list) {
    if (existing == p) return;
  }
  list.push_back(std::move(p));
}

void DiseaseHierarchy::AddLabel(std::string_view id, std::string_view label) {
  labels_[NormaliseDiseaseId(id)] = std::string(label);
}

std::string DiseaseHierarchy::Resolve(std::string_view id) const {
  std::string n = NormaliseDiseaseId(id);
  auto alt = alt_ids_.find(n);
  return alt == alt_ids_.end() ? n : alt->second;
}

std::vector<std::string> DiseaseHierarchy::Ancestors(std::string_view id) const {
  std::string start = Resolve(id);
  std::vector<std::string> out;
  std::unordered_set<std::string> seen{start};
  std::deque<const std::string*> queue{&start};
  // Breadth first, so nearer ancestors come first; `seen` makes cycles harmless.
  while (!queue.empty()) {
    const std::string* current = queue.front();
    queue.pop_front();
    auto it = parents_.find(*current);
    if (it == parents_.end()) continue;
    for (const std::string& parent : it->second) {
      if (!seen.insert(parent).second) continue;
      out.push_back(parent);
      queue.push_back(&parent);
    }
  }
  return out;
}

std::optional<std::string> DiseaseHierarchy::Label(std::string_view id) const {
  auto it = labels_.find(Resolve(id));
  if (it == labels_.end()) return std::nullopt;
  return it->second;
}

size_t DiseaseHierarchy::size() const {
  std::unordered_set<std::string> ids;
  for (const auto& [id, parents] : parents_) ids.insert(id);
  for (const auto& [id, label] : labels_) ids.insert(id);
  return ids.size();
}

Result<DiseaseHierarchy> DiseaseHierarchy::ParseObo(std::string_view text,
                                                    std::string_view source) {
  DiseaseHierarchy h;
  bool in_term = false;
  std::string term_id;
  size_t term_line = 0;
  std::vector<std::pair<std::string, size_t>> pending_is_a, pending_alt;
  std::string pending_name;
  bool saw_term = false;

  auto finish = [&]() -> Status {
    if (!in_term) return Status::Ok();
    if (term_id.empty()) {
      return InvalidArgument(At(source, term_line) + "[Term] stanza without an id: tag");
    }
    for (const auto& [parent, line] : pending_is_a) h.AddParent(term_id, parent);
    for (const auto& [alt, line] : pending_alt) h.alt_ids_[NormaliseDiseaseId(alt)] = term_id;
    if (!pending_name.empty()) h.AddLabel(term_id, pending_name);
    pending_is_a.clear();
    pending_alt.clear();
    pending_name.clear();
    term_id.clear();
    return Status::Ok();
  };

  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '!') continue;
    if (line.front() == '[') {
      GF_RETURN_IF_ERROR(finish());
      if (line.back() != ']') {
        return InvalidArgument(At(source, line_no) + "malformed stanza header '" +
                               std::string(internal::Utf8Prefix(line, 60)) + "'");
      }
      in_term = line == "[Term]";
      saw_term = saw_term || in_term;
      term_line = line_no;
      continue;
    }
    if (!in_term) continue;  // header tags and [Typedef] stanzas
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument(At(source, line_no) + "expected 'tag: value', found '" +
                             std::string(internal::Utf8Prefix(line, 60)) + "'");
    }
    std::string_view tag = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (tag == "id") {
      std::string_view id = OboValue(value);
      if (!ValidId(id)) return InvalidArgument(At(source, line_no) + "malformed id");
      if (!term_id.empty()) return InvalidArgument(At(source, line_no) + "second id in a stanza");
      term_id = NormaliseDiseaseId(id);
    } else if (tag == "name") {
      pending_name = std::string(internal::Utf8Prefix(value, 512));
    } else if (tag == "is_a" || tag == "alt_id") {
      std::string_view target = OboValue(value);
      if (!ValidId(target)) {
        return InvalidArgument(At(source, line_no) + std::string(tag) + " without a valid id");
      }
      (tag == "is_a" ? pending_is_a : pending_alt).emplace_back(std::string(target), line_no);
    }
  }
  GF_RETURN_IF_ERROR(finish());
  if (!saw_term) return InvalidArgument(std::string(source) + ": no [Term] stanza (not OBO?)");
  return h;
}

namespace {

Result<DiseaseHierarchy> FromOboGraph(const nlohmann::json& doc, std::string_view source) {
  if (!doc.is_object() || !doc.contains("graphs") || !doc["graphs"].is_array()) {
    return InvalidArgument(std::string(source) + ": OBO-graph JSON needs a \"graphs\" array");
  }
  DiseaseHierarchy h;
  size_t g = 0;
  for (const nlohmann::json& graph : doc["graphs"]) {
    std::string where = std::string(source) + ": graphs[" + std::to_string(g++) + "]";
    if (!graph.is_object()) return InvalidArgument(where + " is not an object");
    if (auto nodes = graph.find("nodes"); nodes != graph.end()) {
      if (!nodes->is_array()) return InvalidArgument(where + ".nodes is not an array");
      for (const nlohmann::json& node : *nodes) {
        if (!node.is_object()) continue;
        auto nid = node.find("id");
        auto lbl = node.find("lbl");
        if (nid != node.end() && nid->is_string() && lbl != node.end() && lbl->is_string() &&
            ValidId(nid->get_ref<const std::string&>())) {
          h.AddLabel(nid->get_ref<const std::string&>(), lbl->get_ref<const std::string&>());
        }
      }
    }
    if (auto edges = graph.find("edges"); edges != graph.end()) {
      if (!edges->is_array()) return InvalidArgument(where + ".edges is not an array");
      size_t e = 0;
      for (const nlohmann::json& edge : *edges) {
        std::string edge_where = where + ".edges[" + std::to_string(e++) + "]";
        if (!edge.is_object()) return InvalidArgument(edge_where + " is not an object");
        auto pred = edge.find("pred");
        if (pred == edge.end() || !pred->is_string()) continue;
        const std::string& p = pred->get_ref<const std::string&>();
        if (p != "is_a" && p != "http://www.w3.org/2000/01/rdf-schema#subClassOf") continue;
        auto sub = edge.find("sub");
        auto obj = edge.find("obj");
        if (sub == edge.end() || obj == edge.end() || !sub->is_string() || !obj->is_string() ||
            !ValidId(sub->get_ref<const std::string&>()) ||
            !ValidId(obj->get_ref<const std::string&>())) {
          return InvalidArgument(edge_where + ": an is_a edge needs string \"sub\" and \"obj\"");
        }
        h.AddParent(sub->get_ref<const std::string&>(), obj->get_ref<const std::string&>());
      }
    }
  }
  return h;
}

Result<DiseaseHierarchy> FromAncestorMap(const nlohmann::json& doc, std::string_view source) {
  if (!doc.is_object()) {
    return InvalidArgument(std::string(source) +
                           ": expected an object mapping disease ids to arrays of ancestor ids");
  }
  DiseaseHierarchy h;
  for (const auto& [disease, ancestors] : doc.items()) {
    std::string where =
        std::string(source) + ": \"" + std::string(internal::Utf8Prefix(disease, 80)) + "\"";
    if (!ValidId(disease)) return InvalidArgument(where + " is not a valid disease id");
    if (!ancestors.is_array()) return InvalidArgument(where + " must map to an array of ids");
    for (const nlohmann::json& a : ancestors) {
      if (!a.is_string() || !ValidId(a.get_ref<const std::string&>())) {
        return InvalidArgument(where + ": every ancestor must be a disease id string");
      }
      h.AddParent(disease, a.get_ref<const std::string&>());
    }
  }
  return h;
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return JsonError(source, e);
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range for a number too large for a double (found by fuzzing).
    return InvalidArgument(std::string(source) + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace

Result<DiseaseHierarchy> DiseaseHierarchy::ParseOboGraphJson(std::string_view text,
                                                             std::string_view source) {
  GF_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJson(text, source));
  return FromOboGraph(doc, source);
}

Result<DiseaseHierarchy> DiseaseHierarchy::ParseAncestorsJson(std::string_view text,
                                                              std::string_view source) {
  GF_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJson(text, source));
  return FromAncestorMap(doc, source);
}

Result<DiseaseHierarchy> DiseaseHierarchy::Parse(std::string_view text, std::string_view source) {
  std::string_view body = text;
  while (!body.empty() && (body.front() == '\n' || body.front() == ' ' || body.front() == '\t' ||
                           body.front() == '\r')) {
    body.remove_prefix(1);
  }
  if (body.starts_with("\x1f\x8b")) {
    return InvalidArgument(std::string(source) + ": gzip-compressed; inflate it first");
  }
  if (!body.starts_with("{")) return ParseObo(text, source);
  GF_ASSIGN_OR_RETURN(nlohmann::json doc, ParseJson(text, source));
  if (doc.is_object() && doc.contains("graphs")) return FromOboGraph(doc, source);
  return FromAncestorMap(doc, source);
}

Result<DiseaseHierarchy> DiseaseHierarchy::Load(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Parse(text, path.string());
}

}  // namespace genomefed::duo
