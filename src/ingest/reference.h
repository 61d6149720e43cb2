// A reference genome FASTA (bgzipped or plain, with its .fai index, read through htslib's faidx)
// for left-aligning indels as `bcftools norm -f` does (ingest/normalize.h). Contig names are
// matched canonically (store::CanonicalContig): a FASTA naming `chr22` serves `22` and back.
//
// Thread safety: Fetch may be called from any number of threads (one faidx handle behind a
// mutex; the windows fetched are short).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

struct faidx_t;

namespace genomefed::ingest {

class ReferenceFasta {
 public:
  // Opens `path` and its index (`path`.fai; for a .gz also .gzi). A missing or unreadable file
  // or index is an IOError naming the file.
  static Result<std::unique_ptr<ReferenceFasta>> Open(const std::filesystem::path& path);
  ~ReferenceFasta();

  // Bases [start, end] (1-based, inclusive) of `contig`, upper-cased; clipped to the sequence.
  // NotFound when the FASTA has no such contig.
  Result<std::string> Fetch(std::string_view contig, int64_t start, int64_t end) const;
  bool HasContig(std::string_view contig) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  ReferenceFasta() = default;
  std::filesystem::path path_;
  faidx_t* fai_ = nullptr;
  std::map<std::string, std::string, std::less<>> names_;  // canonical → FASTA name
  mutable std::mutex mu_;
};

}  // namespace genomefed::ingest
