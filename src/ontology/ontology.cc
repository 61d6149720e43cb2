#include "ontology/ontology.h"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace genomefed::ontology {
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

// "http://purl.obolibrary.org/obo/HP_0000001" → "HP:0000001"; CURIEs pass unchanged.
std::string IriToCurie(std::string_view iri) {
  constexpr std::string_view kObo = "http://purl.obolibrary.org/obo/";
  if (iri.substr(0, kObo.size()) == kObo) {
    std::string local(iri.substr(kObo.size()));
    auto us = local.find('_');
    if (us != std::string::npos && local.find('/') == std::string::npos) local[us] = ':';
    return local;
  }
  return std::string(iri);
}

}  // namespace

Ontology::Ontology() : memo_mu_(std::make_unique<std::mutex>()) {}
Ontology::~Ontology() = default;
Ontology::Ontology(Ontology&&) noexcept = default;
Ontology& Ontology::operator=(Ontology&&) noexcept = default;

std::optional<uint32_t> Ontology::Index(std::string_view id) const {
  auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

uint32_t Ontology::Intern(std::string_view id) {
  auto [it, inserted] = index_.try_emplace(std::string(id), static_cast<uint32_t>(ids_.size()));
  if (inserted) {
    ids_.emplace_back(id);
    names_.emplace_back();
    children_.emplace_back();
  }
  return it->second;
}

void Ontology::AddTerm(std::string_view id, std::string_view name) {
  names_[Intern(id)] = std::string(name);
}

void Ontology::AddIsA(std::string_view child, std::string_view parent) {
  uint32_t c = Intern(child);
  uint32_t p = Intern(parent);
  if (c == p) return;
  auto& kids = children_[p];
  if (std::find(kids.begin(), kids.end(), c) == kids.end()) kids.push_back(c);
}

void Ontology::AddAltId(std::string_view alt_id, std::string_view primary_id) {
  uint32_t p = Intern(primary_id);
  index_.try_emplace(std::string(alt_id), p);
}

std::optional<std::string> Ontology::Primary(std::string_view id) const {
  auto i = Index(id);
  if (!i) return std::nullopt;
  return ids_[*i];
}

std::optional<std::string> Ontology::Name(std::string_view id) const {
  auto i = Index(id);
  if (!i || names_[*i].empty()) return std::nullopt;
  return names_[*i];
}

std::vector<std::string> Ontology::Descendants(std::string_view id) const {
  auto root = Index(id);
  if (!root) return {std::string(id)};
  {
    std::lock_guard<std::mutex> lock(*memo_mu_);
    auto it = memo_.find(*root);
    if (it != memo_.end()) return it->second;
  }
  // Iterative walk: HPO is a DAG with many shared descendants, so mark visited terms.
  std::vector<bool> seen(ids_.size(), false);
  std::vector<uint32_t> stack{*root};
  seen[*root] = true;
  std::vector<std::string> out;
  while (!stack.empty()) {
    uint32_t t = stack.back();
    stack.pop_back();
    out.push_back(ids_[t]);
    for (uint32_t c : children_[t]) {
      if (!seen[c]) {
        seen[c] = true;
        stack.push_back(c);
      }
    }
  }
  std::sort(out.begin(), out.end());
  std::lock_guard<std::mutex> lock(*memo_mu_);
  memo_.emplace(*root, out);
  return out;
}

Result<Ontology> Ontology::ParseObo(std::string_view text, std::string_view source) {
  Ontology o;
  enum class Stanza { kHeader, kTerm, kOther } stanza = Stanza::kHeader;
  std::string id;
  // Alt ids are applied last so that a term that is itself a node (an obsolete class whose id
  // another term lists as alt_id) keeps its own entry: primary ids win.
  std::vector<std::pair<std::string, std::string>> alt_ids;
  size_t line_no = 0;
  size_t terms = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '!') continue;
    if (line.front() == '[') {
      if (line == "[Term]") {
        stanza = Stanza::kTerm;
        ++terms;
      } else {
        stanza = Stanza::kOther;
      }
      id.clear();
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(line_no) +
                             ": expected 'tag: value', got '" + std::string(line.substr(0, 80)) +
                             "'");
    }
    std::string_view tag = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    // Trailing modifiers and comments: "is_a: HP:1 ! name", "id: X {source=...}".
    if (auto bang = value.find(" !"); bang != std::string_view::npos && tag != "name") {
      value = Trim(value.substr(0, bang));
    }
    if (tag != "name" && tag != "def" && !value.empty() && value.back() == '}') {
      if (auto brace = value.rfind(" {"); brace != std::string_view::npos) {
        value = Trim(value.substr(0, brace));
      }
    }
    if (stanza == Stanza::kHeader) {
      if (tag == "data-version") o.version_ = std::string(value);
      continue;
    }
    if (stanza != Stanza::kTerm) continue;
    if (tag == "id") {
      id = std::string(value);
      o.Intern(id);
      continue;
    }
    if (id.empty()) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(line_no) + ": '" +
                             std::string(tag) + "' before the stanza's id");
    }
    if (tag == "name") {
      o.AddTerm(id, value);
    } else if (tag == "alt_id") {
      alt_ids.emplace_back(value, id);
    } else if (tag == "is_a") {
      o.AddIsA(id, value);
    }
  }
  if (terms == 0) {
    return InvalidArgument(std::string(source) + ": no [Term] stanza; is this an OBO file?");
  }
  for (const auto& [alt, primary] : alt_ids) o.AddAltId(alt, primary);
  return o;
}

Result<Ontology> Ontology::ParseOboGraphJson(std::string_view text, std::string_view source) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgument(std::string(source) + ": not valid JSON");
  }
  if (!doc.is_object() || !doc.contains("graphs") || !doc["graphs"].is_array()) {
    return InvalidArgument(std::string(source) + ": not OBO-graph JSON (no 'graphs' array)");
  }
  Ontology o;
  std::vector<std::pair<std::string, std::string>> alt_ids;  // applied last, as in ParseObo
  for (const auto& g : doc["graphs"]) {
    if (!g.is_object()) continue;
    if (auto meta = g.find("meta"); meta != g.end() && meta->is_object()) {
      if (auto v = meta->find("version"); v != meta->end() && v->is_string()) {
        o.version_ = v->get<std::string>();
      }
    }
    if (auto nodes = g.find("nodes"); nodes != g.end() && nodes->is_array()) {
      for (const auto& n : *nodes) {
        if (!n.is_object()) continue;
        auto idv = n.find("id");
        if (idv == n.end() || !idv->is_string()) continue;
        if (auto type = n.find("type");
            type != n.end() && (!type->is_string() || *type != "CLASS")) {
          continue;
        }
        std::string id = IriToCurie(idv->get_ref<const std::string&>());
        auto lbl = n.find("lbl");
        o.AddTerm(id, lbl != n.end() && lbl->is_string() ? lbl->get<std::string>() : "");
        auto meta = n.find("meta");
        if (meta == n.end() || !meta->is_object()) continue;
        auto bpv = meta->find("basicPropertyValues");
        if (bpv == meta->end() || !bpv->is_array()) continue;
        for (const auto& pv : *bpv) {
          if (!pv.is_object() || !pv.contains("pred") || !pv.contains("val")) continue;
          if (!pv["pred"].is_string() || !pv["val"].is_string()) continue;
          const auto& pred = pv["pred"].get_ref<const std::string&>();
          if (pred.ends_with("#hasAlternativeId")) {
            alt_ids.emplace_back(pv["val"].get<std::string>(), id);
          }
        }
      }
    }
    if (auto edges = g.find("edges"); edges != g.end() && edges->is_array()) {
      for (const auto& e : *edges) {
        if (!e.is_object()) continue;
        auto sub = e.find("sub"), pred = e.find("pred"), obj = e.find("obj");
        if (sub == e.end() || pred == e.end() || obj == e.end()) continue;
        if (!sub->is_string() || !pred->is_string() || !obj->is_string()) continue;
        if (*pred != "is_a") continue;
        o.AddIsA(IriToCurie(sub->get_ref<const std::string&>()),
                 IriToCurie(obj->get_ref<const std::string&>()));
      }
    }
  }
  if (o.size() == 0) return InvalidArgument(std::string(source) + ": no CLASS nodes");
  for (const auto& [alt, primary] : alt_ids) o.AddAltId(alt, primary);
  return o;
}

Result<std::string> ReadMaybeGzip(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string raw = std::move(buf).str();
  if (raw.size() < 2 || static_cast<unsigned char>(raw[0]) != 0x1f ||
      static_cast<unsigned char>(raw[1]) != 0x8b) {
    return raw;
  }
  z_stream zs{};
  // 16 + MAX_WBITS: gzip wrapper; concatenated members are handled by the reset loop below.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Internal("zlib inflateInit2 failed");
  std::string out;
  out.reserve(raw.size() * 8);
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  char chunk[1 << 16];
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);
      continue;
    }
    if (rc != Z_OK) break;
    if (zs.avail_in == 0 && zs.avail_out != 0) break;
  }
  size_t offset = zs.total_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Corruption(path.string() + ": truncated or corrupt gzip data near compressed offset " +
                      std::to_string(offset));
  }
  return out;
}

Result<Ontology> Ontology::Load(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ReadMaybeGzip(path));
  size_t i = 0;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) {
    ++i;
  }
  if (i < text.size() && text[i] == '{') return ParseOboGraphJson(text, path.string());
  return ParseObo(text, path.string());
}

std::optional<std::string_view> KnownLabel(std::string_view id) {
  static const std::unordered_map<std::string_view, std::string_view> kLabels = {
      {"NCIT:C16576", "female"},
      {"NCIT:C20197", "male"},
      {"NCIT:C17998", "unknown"},
      {"NCIT:C1799", "unknown"},
      {"DUO:0000001", "data use permission"},
      {"DUO:0000004", "no restriction"},
      {"DUO:0000005", "obsolete: no restriction"},
      {"DUO:0000006", "health or medical or biomedical research"},
      {"DUO:0000007", "disease specific research"},
      {"DUO:0000011", "population origins or ancestry research only"},
      {"DUO:0000012", "research specific restrictions"},
      {"DUO:0000015", "no general methods research"},
      {"DUO:0000016", "genetic studies only"},
      {"DUO:0000018", "not for profit, non commercial use only"},
      {"DUO:0000019", "publication required"},
      {"DUO:0000020", "collaboration required"},
      {"DUO:0000021", "ethics approval required"},
      {"DUO:0000022", "geographical restriction"},
      {"DUO:0000024", "publication moratorium"},
      {"DUO:0000025", "time limit on use"},
      {"DUO:0000026", "user specific restriction"},
      {"DUO:0000027", "project specific restriction"},
      {"DUO:0000028", "institution specific restriction"},
      {"DUO:0000029", "return to database or resource"},
      {"DUO:0000042", "general research use"},
      {"DUO:0000043", "clinical care use"},
      {"DUO:0000044", "population origins or ancestry research prohibited"},
      {"DUO:0000045", "not for profit organisation use only"},
      {"DUO:0000046", "non-commercial use only"},
  };
  auto it = kLabels.find(id);
  if (it == kLabels.end()) return std::nullopt;
  return it->second;
}

}  // namespace genomefed::ontology
