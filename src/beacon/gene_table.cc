#include "beacon/gene_table.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "ontology/ontology.h"
#include "store/store.h"

namespace genomefed::beacon {
namespace {

std::string Normalise(std::string_view id) {
  std::string out(id);
  // Ensembl stable ids carry a version after a dot; gene symbols never contain one.
  if (out.rfind("ENS", 0) == 0 || out.rfind("ens", 0) == 0) {
    if (auto dot = out.find('.'); dot != std::string::npos) out.resize(dot);
  }
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    auto tab = line.find('\t');
    out.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  return out;
}

bool ParseI64(std::string_view s, int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Value of `key "value";` in a GTF attribute column.
std::string Attribute(std::string_view attrs, std::string_view key) {
  size_t pos = 0;
  while ((pos = attrs.find(key, pos)) != std::string_view::npos) {
    bool at_start = pos == 0 || attrs[pos - 1] == ' ' || attrs[pos - 1] == ';';
    size_t after = pos + key.size();
    if (at_start && after < attrs.size() && attrs[after] == ' ') {
      size_t q1 = attrs.find('"', after);
      size_t q2 = q1 == std::string_view::npos ? q1 : attrs.find('"', q1 + 1);
      if (q2 != std::string_view::npos) return std::string(attrs.substr(q1 + 1, q2 - q1 - 1));
    }
    pos = after;
  }
  return {};
}

template <typename F>
Status ForEachLine(std::string_view text, F&& f) {
  size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#' || line.rfind("track", 0) == 0 ||
        line.rfind("browser", 0) == 0) {
      continue;
    }
    GF_RETURN_IF_ERROR(f(line, line_no));
  }
  return Status::Ok();
}

}  // namespace

void GeneTable::Add(GeneInterval gene, std::string_view alias) {
  std::string key = Normalise(gene.name);
  auto it = index_.find(key);
  size_t idx;
  if (it != index_.end()) {
    // A gene listed twice (e.g. PAR copies, or GTF without gene lines): keep the span on the
    // first contig seen, widened to cover every record there.
    GeneInterval& g = genes_[it->second];
    if (g.contig == gene.contig) {
      g.start = std::min(g.start, gene.start);
      g.end = std::max(g.end, gene.end);
    }
    idx = it->second;
  } else {
    idx = genes_.size();
    index_.emplace(key, idx);
    genes_.push_back(std::move(gene));
  }
  if (!alias.empty()) index_.try_emplace(Normalise(alias), idx);
}

std::optional<GeneInterval> GeneTable::Find(std::string_view gene_id) const {
  auto it = index_.find(Normalise(gene_id));
  if (it == index_.end()) return std::nullopt;
  return genes_[it->second];
}

Result<GeneTable> GeneTable::ParseBed(std::string_view text, std::string_view source) {
  GeneTable t;
  GF_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view line, size_t line_no) -> Status {
    auto cols = SplitTabs(line);
    if (cols.size() < 4) {
      // Whitespace-separated BED is common too.
      cols.clear();
      std::string_view rest = line;
      while (!rest.empty()) {
        auto sp = rest.find_first_of(" \t");
        if (sp != 0) cols.push_back(rest.substr(0, sp));
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
    int64_t s = 0, e = 0;
    if (cols.size() < 4 || !ParseI64(cols[1], s) || !ParseI64(cols[2], e) || s < 0 || e <= s) {
      return InvalidArgument(
          std::string(source) + ":" + std::to_string(line_no) +
          ": expected BED 'chrom<TAB>start<TAB>end<TAB>name' with 0 ≤ start < end");
    }
    t.Add(GeneInterval{std::string(cols[3]), store::CanonicalContig(cols[0]), s, e});
    return Status::Ok();
  }));
  return t;
}

Result<GeneTable> GeneTable::ParseGtf(std::string_view text, std::string_view source) {
  GeneTable t;
  bool has_gene_lines = text.find("\tgene\t") != std::string_view::npos;
  GF_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view line, size_t line_no) -> Status {
    auto cols = SplitTabs(line);
    int64_t s = 0, e = 0;
    if (cols.size() < 9 || !ParseI64(cols[3], s) || !ParseI64(cols[4], e) || s < 1 || e < s) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(line_no) +
                             ": expected 9 GTF columns with 1 ≤ start ≤ end");
    }
    if (has_gene_lines && cols[2] != "gene") return Status::Ok();
    std::string gene_id = Attribute(cols[8], "gene_id");
    std::string gene_name = Attribute(cols[8], "gene_name");
    if (gene_id.empty() && gene_name.empty()) {
      return InvalidArgument(std::string(source) + ":" + std::to_string(line_no) +
                             ": GTF record without gene_id or gene_name");
    }
    const std::string& primary = gene_name.empty() ? gene_id : gene_name;
    t.Add(GeneInterval{primary, store::CanonicalContig(cols[0]), s - 1, e},
          gene_name.empty() ? std::string_view{} : std::string_view(gene_id));
    return Status::Ok();
  }));
  return t;
}

Result<GeneTable> GeneTable::Load(const std::filesystem::path& path) {
  GF_ASSIGN_OR_RETURN(std::string text, ontology::ReadMaybeGzip(path));
  bool gtf = text.find("gene_id \"") != std::string::npos;
  auto table = gtf ? ParseGtf(text, path.string()) : ParseBed(text, path.string());
  if (table.ok() && table->size() == 0) {
    return InvalidArgument(path.string() + ": no genes in the gene table");
  }
  return table;
}

}  // namespace genomefed::beacon
