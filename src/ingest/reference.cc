#include "ingest/reference.h"

#include <htslib/faidx.h>

#include <cctype>
#include <cstdlib>

#include "store/store.h"

namespace genomefed::ingest {

Result<std::unique_ptr<ReferenceFasta>> ReferenceFasta::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return IOError(path.string() + ": reference FASTA not found");
  }
  std::unique_ptr<ReferenceFasta> ref(new ReferenceFasta());
  ref->path_ = path;
  // FAI_CREATE off: an index is the operator's to make (samtools faidx), never written here.
  ref->fai_ = fai_load3(path.c_str(), nullptr, nullptr, 0);
  if (ref->fai_ == nullptr) {
    return IOError(path.string() +
                   ": cannot read the FASTA index (.fai; .gzi for bgzip); run `samtools faidx " +
                   path.filename().string() + "`");
  }
  for (int i = 0; i < faidx_nseq(ref->fai_); ++i) {
    const char* name = faidx_iseq(ref->fai_, i);
    ref->names_.emplace(store::CanonicalContig(name), name);
  }
  return ref;
}

ReferenceFasta::~ReferenceFasta() {
  if (fai_ != nullptr) fai_destroy(fai_);
}

bool ReferenceFasta::HasContig(std::string_view contig) const {
  return names_.find(store::CanonicalContig(contig)) != names_.end();
}

Result<std::string> ReferenceFasta::Fetch(std::string_view contig, int64_t start,
                                          int64_t end) const {
  auto it = names_.find(store::CanonicalContig(contig));
  if (it == names_.end()) {
    return NotFound(path_.string() + " has no contig '" + std::string(contig) + "'");
  }
  if (start < 1) start = 1;
  if (end < start) return std::string();
  hts_pos_t len = 0;
  char* seq = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = faidx_fetch_seq64(fai_, it->second.c_str(), start - 1, end - 1, &len);
  }
  if (seq == nullptr || len < 0) {
    std::free(seq);
    return IOError(path_.string() + ": cannot read " + it->second + ":" + std::to_string(start) +
                   "-" + std::to_string(end));
  }
  std::string out(seq, static_cast<size_t>(len));
  std::free(seq);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace genomefed::ingest
