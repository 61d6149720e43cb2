// DUO release readers (see release.h). Deliberately small: RDF/XML as the OWL API writes it
// (one element per line is not assumed, but the DUO layout of owl:Class blocks is).
#include "duo/release.h"
#include "duo/text.h"

#include <map>
#include <optional>

namespace genomefed::duo {
namespace {

constexpr size_t kMaxTerms = 100000;

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    std::string_view entity = semi == std::string_view::npos ? "" : s.substr(i, semi - i + 1);
    if (entity == "&amp;") {
      out += '&';
    } else if (entity == "&lt;") {
      out += '<';
    } else if (entity == "&gt;") {
      out += '>';
    } else if (entity == "&quot;") {
      out += '"';
    } else if (entity == "&apos;") {
      out += '\'';
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

// The text of the first <tag ...>text</tag> in `block`, or nullopt.
std::optional<std::string> ElementText(std::string_view block, std::string_view tag) {
  std::string open = "<" + std::string(tag);
  size_t pos = 0;
  while ((pos = block.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after < block.size() && (block[after] == ' ' || block[after] == '>')) {
      size_t gt = block.find('>', after);
      if (gt == std::string_view::npos) return std::nullopt;
      if (block[gt - 1] == '/') return std::string();  // empty element
      std::string close = "</" + std::string(tag) + ">";
      size_t end = block.find(close, gt);
      if (end == std::string_view::npos) return std::nullopt;
      return XmlUnescape(block.substr(gt + 1, end - gt - 1));
    }
    pos = after;
  }
  return std::nullopt;
}

// "http://purl.obolibrary.org/obo/IAO_0000027" → "IAO:0000027";
// "http://www.geneontology.org/formats/oboInOwl#ObsoleteClass" → "oboInOwl:ObsoleteClass".
std::string IriToCurie(std::string_view iri) {
  constexpr std::string_view kObo = "http://purl.obolibrary.org/obo/";
  constexpr std::string_view kOboInOwl = "http://www.geneontology.org/formats/oboInOwl#";
  if (iri.starts_with(kObo)) {
    std::string rest(iri.substr(kObo.size()));
    size_t u = rest.find('_');
    if (u != std::string::npos) rest[u] = ':';
    return rest;
  }
  if (iri.starts_with(kOboInOwl)) return "oboInOwl:" + std::string(iri.substr(kOboInOwl.size()));
  return std::string(iri);
}

// The first direct <rdfs:subClassOf rdf:resource="..."/> of a class block (restrictions, which
// nest an owl:Restriction instead, are skipped).
std::string DirectParent(std::string_view block) {
  constexpr std::string_view kOpen = "<rdfs:subClassOf rdf:resource=\"";
  size_t pos = block.find(kOpen);
  if (pos == std::string_view::npos) return "";
  size_t start = pos + kOpen.size();
  size_t end = block.find('"', start);
  if (end == std::string_view::npos) return "";
  return IriToCurie(block.substr(start, end - start));
}

// Splits one CSV record (RFC 4180) starting at `text`; advances `text` and `line`.
Result<std::vector<std::string>> CsvRecord(std::string_view& text, size_t& line,
                                           std::string_view source) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  size_t start_line = line;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
      continue;
    }
    if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++i;
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(start_line) +
                           ": unterminated quoted field");
  }
  text.remove_prefix(i);
  ++line;
  return fields;
}

}  // namespace

Result<std::vector<ReleaseTerm>> ParseDuoOwl(std::string_view text, std::string_view source) {
  std::vector<ReleaseTerm> out;
  constexpr std::string_view kClass = "<owl:Class rdf:about=\"";
  size_t pos = 0;
  while ((pos = text.find(kClass, pos)) != std::string_view::npos) {
    size_t about_start = pos + kClass.size();
    size_t about_end = text.find('"', about_start);
    if (about_end == std::string_view::npos) {
      return InvalidArgument(std::string(source) + ": unterminated rdf:about at byte " +
                             std::to_string(pos));
    }
    std::string_view about = text.substr(about_start, about_end - about_start);
    size_t tag_end = text.find('>', about_end);
    if (tag_end == std::string_view::npos) {
      return InvalidArgument(std::string(source) + ": unterminated owl:Class at byte " +
                             std::to_string(pos));
    }
    size_t block_end = tag_end;
    if (text[tag_end - 1] != '/') {
      block_end = text.find("</owl:Class>", tag_end);
      if (block_end == std::string_view::npos) {
        return InvalidArgument(std::string(source) + ": owl:Class at byte " + std::to_string(pos) +
                               " has no </owl:Class>");
      }
    }
    std::string_view block = text.substr(tag_end, block_end - tag_end);
    pos = block_end;
    if (about.find("/obo/DUO_") == std::string_view::npos) continue;
    ReleaseTerm t;
    t.id = ElementText(block, "oboInOwl:id").value_or(IriToCurie(about));
    t.shorthand = ElementText(block, "oboInOwl:shorthand").value_or("");
    t.label = ElementText(block, "rdfs:label").value_or("");
    t.parent = DirectParent(block);
    // Some obsolete classes of the release only say so by their superclass (GRU-CC, RU).
    t.deprecated = ElementText(block, "owl:deprecated").value_or("") == "true" ||
                   t.parent == "oboInOwl:ObsoleteClass";
    if (!t.id.starts_with("DUO:")) {
      return InvalidArgument(std::string(source) + ": class " +
                             std::string(internal::Utf8Prefix(about, 100)) + " has oboInOwl:id '" +
                             std::string(internal::Utf8Prefix(t.id, 40)) + "', not a DUO id");
    }
    if (out.size() >= kMaxTerms) return InvalidArgument(std::string(source) + ": too many classes");
    out.push_back(std::move(t));
  }
  if (out.empty()) return InvalidArgument(std::string(source) + ": no DUO owl:Class found");
  return out;
}

Result<std::vector<ReleaseTerm>> ParseDuoCsv(std::string_view text, std::string_view source) {
  size_t line = 1;
  GF_ASSIGN_OR_RETURN(std::vector<std::string> header, CsvRecord(text, line, source));
  if (header.size() < 3 || header[0] != "id" || header[1] != "shorthand" || header[2] != "label") {
    return InvalidArgument(std::string(source) +
                           ":1: expected the header id,shorthand,label,description");
  }
  std::vector<ReleaseTerm> out;
  while (!text.empty()) {
    size_t record_line = line;
    GF_ASSIGN_OR_RETURN(std::vector<std::string> f, CsvRecord(text, line, source));
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    if (f.size() != header.size()) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(record_line) + ": " +
                             std::to_string(f.size()) + " fields, the header has " +
                             std::to_string(header.size()));
    }
    if (!f[0].starts_with("DUO:")) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(record_line) + ": id '" +
                             std::string(internal::Utf8Prefix(f[0], 40)) + "' is not a DUO id");
    }
    if (out.size() >= kMaxTerms) return InvalidArgument(std::string(source) + ": too many rows");
    ReleaseTerm t;
    t.id = f[0];
    t.shorthand = f[1];
    t.label = f[2];
    if (f.size() > 3) t.description = f[3];
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> CompareWithBuiltIn(const std::vector<ReleaseTerm>& release,
                                            bool release_has_hierarchy) {
  std::vector<std::string> diffs;
  std::map<std::string, const ReleaseTerm*> by_id;
  for (const ReleaseTerm& r : release) by_id[r.id] = &r;
  auto field = [&](const std::string& id, std::string_view name, std::string_view released,
                   std::string_view built_in) {
    if (released != built_in) {
      diffs.push_back(id + ": " + std::string(name) + " '" + std::string(released) +
                      "' in the release, '" + std::string(built_in) + "' built in");
    }
  };
  for (const auto& [id, r] : by_id) {
    const Term* t = FindTerm(id);
    if (t == nullptr || t->id != id) {
      diffs.push_back(id + ": in the release, not built in");
      continue;
    }
    field(id, "shorthand", r->shorthand, t->shorthand);
    field(id, "label", r->label, t->label);
    if (release_has_hierarchy) {
      field(id, "parent", r->parent, t->parent);
      field(id, "deprecated", r->deprecated ? "true" : "false",
            t->kind == TermKind::kObsolete ? "true" : "false");
    } else if (t->kind == TermKind::kObsolete) {
      diffs.push_back(id + ": listed as current in the release, obsolete built in");
    }
  }
  if (release_has_hierarchy) {
    for (const Term& t : AllTerms()) {
      if (!by_id.contains(std::string(t.id))) {
        diffs.push_back(std::string(t.id) + ": built in, not in the release");
      }
    }
  }
  return diffs;
}

}  // namespace genomefed::duo
