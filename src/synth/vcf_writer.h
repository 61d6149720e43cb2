// The htslib output seam of the synthetic cohort generator (internal to synth/): writes VCF 4.2
// as BGZF (with a tabix index) or BCF 2.2 (with a CSI index), streaming one record at a time.
// Only this file knows htslib's writing API.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace genomefed::synth {

struct VcfHeaderSpec {
  std::vector<std::pair<std::string, int64_t>> contigs;  // VCF name, length
  std::vector<std::string> samples;
  bool info_tags = true;
  std::string source;  // ##source= value
};

struct VcfRecordSpec {
  int contig = 0;                            // index into VcfHeaderSpec::contigs
  int64_t pos = 0;                           // 1-based
  std::string alleles;                       // "REF,ALT1,ALT2"
  const std::vector<int32_t>* ac = nullptr;  // INFO/AC per ALT (when info_tags)
  int32_t an = 0;
  // FORMAT/GT as BCF int8 values, 2 per sample (see genotypes.h).
  const std::vector<int8_t>* gt = nullptr;
};

class VcfWriter {
 public:
  ~VcfWriter();
  VcfWriter(const VcfWriter&) = delete;
  VcfWriter& operator=(const VcfWriter&) = delete;

  // bcf == false: BGZF-compressed VCF, indexed as .tbi; true: BCF, indexed as .csi.
  // threads: extra htslib compression threads (0 for none); level: deflate level 0-9, or -1
  // for htslib's default.
  static Result<std::unique_ptr<VcfWriter>> Open(const std::filesystem::path& path, bool bcf,
                                                 const VcfHeaderSpec& header, int threads,
                                                 int level);

  Status Write(const VcfRecordSpec& record);

  // Writes the index and closes the file; the writer is unusable afterwards.
  Status Close();

  const std::filesystem::path& index_path() const { return index_path_; }

 private:
  struct Impl;
  explicit VcfWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::filesystem::path index_path_;
};

}  // namespace genomefed::synth
