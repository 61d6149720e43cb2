// Gene table for Beacon `geneId` queries: gene symbol or stable id → genomic interval, loaded
// from the operator's BED (chrom, start, end, name — 0-based half-open, UCSC BED) or GTF 2.2
// (GENCODE/Ensembl: `gene` features, 1-based inclusive, `gene_id` and `gene_name` attributes).
// Lookups ignore case and an Ensembl version suffix ("ENSG00000139618.17" = "ENSG00000139618").
//
// Thread safety: immutable after loading; any number of threads may look up concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace genomefed::beacon {

struct GeneInterval {
  std::string name;    // as in the file
  std::string contig;  // canonical (store::CanonicalContig)
  int64_t start = 0;   // 0-based
  int64_t end = 0;     // exclusive
};

class GeneTable {
 public:
  // By content: a line with 9 tab-separated columns whose 9th holds `gene_id "` is GTF;
  // otherwise BED. Gzip-compressed files are inflated. Errors name the file and line.
  static Result<GeneTable> Load(const std::filesystem::path& path);
  static Result<GeneTable> ParseBed(std::string_view text, std::string_view source);
  static Result<GeneTable> ParseGtf(std::string_view text, std::string_view source);

  void Add(GeneInterval gene, std::string_view alias = {});
  std::optional<GeneInterval> Find(std::string_view gene_id) const;
  size_t size() const { return genes_.size(); }

 private:
  std::vector<GeneInterval> genes_;
  std::unordered_map<std::string, size_t> index_;  // normalised name/id → genes_ index
};

}  // namespace genomefed::beacon
